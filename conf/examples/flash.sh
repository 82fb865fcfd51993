#!/bin/sh
# A settings form as a shell CGI script (see cgi-shell.conf).
#   POST: save, add messages, redirect back (POST/redirect/GET).
#   GET:  the page; mod_flashmsg puts the messages at <!--FLASH_MESSAGES-->.
#
# One message:   X-Flash: success: Settings saved.
# Several:       ONE header line in the structured form (below). httpd joins
#                repeated X-Flash lines from CGI with ", ", which only the
#                structured form survives.

if [ "$REQUEST_METHOD" = "POST" ]; then
    cat >/dev/null                      # the form body; a real script saves it
    printf 'Status: 303 See Other\r\n'
    printf 'Location: %s\r\n' "$SCRIPT_NAME"
    printf 'X-Flash: "Settings saved.";level=success, "They apply at your next login.";level=info;tags="later"\r\n'
    printf '\r\n'
    exit 0
fi

printf 'Content-Type: text/html; charset=utf-8\r\n\r\n'
cat <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Settings</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>E-mail <input name="email"></label> <button>Save</button></form>
</body></html>
HTML
