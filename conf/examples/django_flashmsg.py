"""Hand django.contrib.messages to httpd (mod_flashmsg) as an X-Flash header.

settings.py:

    MIDDLEWARE = [
        ...
        "django.contrib.messages.middleware.MessageMiddleware",
        "django_flashmsg.FlashMsgMiddleware",      # after MessageMiddleware
        ...
    ]

Views keep using messages.success(request, "Saved") and redirect.  For every
response, the messages that Django did not render itself (nobody iterated
`messages` in a template or view) leave as ONE structured X-Flash field
(RFC 9651 List) and are marked used, so Django's storage forgets them; httpd
keeps them and renders them at <!--FLASH_MESSAGES--> in the next HTML page:

    X-Flash: "Saved";level=success, %"Gr%c3%bc%c3%9fe";level=warning;tags="sticky"

Pages that render messages with Django's template ({% for m in messages %})
keep doing so: what they showed is not sent again.  A message added after
the template was rendered is sent to httpd.

Levels: DEBUG 10, INFO 20, SUCCESS 25, WARNING 30, ERROR 40 are sent by
name (the built-in levels of mod_flashmsg, whatever MESSAGE_TAGS calls
them), any other level as its number (define it in httpd with
FlashMsgLevel NAME NUMBER, or it is refused).  extra_tags become tags.
"""
from django.contrib.messages import constants

LEVEL_NAMES = {
    constants.DEBUG: "debug",
    constants.INFO: "info",
    constants.SUCCESS: "success",
    constants.WARNING: "warning",
    constants.ERROR: "error",
}


def sf_text(text):
    """text as an sf-string "..." (printable ASCII, with \\ and " escaped),
    or else as a Display String %"..." (UTF-8, percent-encoded in lowercase
    hex outside printable ASCII, and % and " too)."""
    text = str(text)
    if all(" " <= c <= "~" for c in text):
        return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')
    return '%%"%s"' % "".join(
        c if " " <= c <= "~" and c not in '%"'
        else "".join("%%%02x" % b for b in c.encode("utf-8")) for c in text)


def sf_member(message):
    member = "%s;level=%s" % (sf_text(message.message),
                              LEVEL_NAMES.get(message.level, int(message.level)))
    tags = " ".join("".join(c for c in str(message.extra_tags or "")
                            if " " <= c <= "~").split())
    if tags:
        member += ";tags=%s" % sf_text(tags)
    return member


class FlashMsgMiddleware:
    header = "X-Flash"      # FlashMsgHeader in httpd

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        storage = getattr(request, "_messages", None)
        if storage is None:
            return response
        if storage.used:
            # Django showed the messages it had; only those added since
            # are left (they would wait for the next Django page)
            pending = list(storage._queued_messages)
            storage._queued_messages = []
        else:
            pending = list(storage)     # iterating marks them used
        if pending:
            value = ", ".join(sf_member(m) for m in pending)
            old = response.get(self.header)
            response[self.header] = old + ", " + value if old else value
        return response
