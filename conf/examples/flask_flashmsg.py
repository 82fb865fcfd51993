"""Flash messages for a Flask app behind httpd with mod_flashmsg.

    from flask_flashmsg import flash, init_flashmsg
    init_flashmsg(app)
    ...
    flash("Profile saved.", "success")
    flash('Rejected "Zoë"', level="error", tags="form")
    return redirect(url_for("profile"), 303)

flash() keeps the messages of the request in a list; an after_request hook
sends them as ONE X-Flash field in the structured form (RFC 9651 List):

    X-Flash: "Profile saved.";level=success, %"Rejected %22Zo%c3%ab%22";level=error;tags="form"

httpd (mod_flashmsg) takes the field off the response, keeps the messages
and renders them at <!--FLASH_MESSAGES--> in the next HTML page.  No Flask
session or secret key is needed.  (This flash() replaces flask.flash; do not
import both under the same name.)
"""
import re

from flask import g

LEVELS = ("debug", "info", "success", "warning", "error")   # or an int, or a FlashMsgLevel name
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9_\-.:%*/!#$&'+^`|~]*\Z")


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


def sf_member(message, level="info", tags=""):
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        raise ValueError("level must be a name or an integer: %r" % (level,))
    if isinstance(level, str) and not _TOKEN.match(level):
        raise ValueError("level is not a token: %r" % (level,))
    member = "%s;level=%s" % (sf_text(message), str(level).lower() if isinstance(level, str) else level)
    tags = " ".join(str(tags).split())
    if tags:
        # tags are an sf-string: printable ASCII only
        member += ";tags=%s" % sf_text("".join(c for c in tags if " " <= c <= "~"))
    return member


def flash(message, level="info", tags=""):
    """Add a message for the next page shown by httpd."""
    if "flashmsg" not in g:
        g.flashmsg = []
    g.flashmsg.append(sf_member(message, level, tags))


def _send(response):
    pending = g.pop("flashmsg", None)
    if pending:
        response.headers.add("X-Flash", ", ".join(pending))
    return response


def init_flashmsg(app):
    app.after_request(_send)
    return app
