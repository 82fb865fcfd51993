<?php
// A profile form in PHP behind php-fpm (see php-fpm.conf).
//
// Messages are X-Flash response headers.  Always pass false to header() so
// earlier X-Flash headers are kept, and use the structured form: httpd
// (mod_proxy_fcgi, like mod_cgi) joins repeated fields with ", ", and
// structured messages survive that joining, simple "level: text" ones do not.

// Add one message.  The text becomes an RFC 9651 Display String: every byte
// outside printable ASCII, and % and ", is percent-encoded, so any UTF-8 text
// from a user is safe.  Tags are plain words.
function flash($level, $text, $tags = '')
{
    $enc = preg_replace_callback('/[^\x20\x21\x23\x24\x26-\x7e]/',
        fn($m) => sprintf('%%%02x', ord($m[0])), $text);
    $field = '%"' . $enc . '";level=' . $level;
    if ($tags !== '') {
        $field .= ';tags="' . preg_replace('/[^A-Za-z0-9 _-]/', '', $tags) . '"';
    }
    header('X-Flash: ' . $field, false);
}

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $name = trim($_POST['name'] ?? '');
    if ($name === '') {
        flash('error', 'Please enter your name.');
    } else {
        // ... save $name ...
        flash('success', "Saved: $name");
        flash('info', 'Your profile is visible to everyone.', 'privacy');
    }
    header('Location: ' . $_SERVER['SCRIPT_NAME'], true, 303);
    exit;
}
?>
<!doctype html>
<html><head><meta charset="utf-8"><title>Profile</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>Name <input name="name"></label> <button>Save</button></form>
</body></html>
