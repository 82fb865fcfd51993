<?php
// Demo form handler: turn the form into an X-Flash header, then
// POST/redirect/GET.  mod_flashmsg stores the message in a signed cookie and
// the next HTML page with <!--FLASH_MESSAGES--> shows it, once.

// Text from users goes out as an RFC 9651 Display String: any byte outside
// printable ASCII (and % and ") is percent-encoded, so any UTF-8 is safe.
function sf_display($s) {
    $out = '';
    for ($i = 0; $i < strlen($s); $i++) {
        $c = ord($s[$i]);
        $out .= ($c < 0x20 || $c > 0x7e || $c == 0x25 || $c == 0x22)
            ? sprintf('%%%02x', $c) : $s[$i];
    }
    return '%"' . $out . '"';
}

$defaults = [
    'debug' => 'Debug details: only shown where FlashMsgMinLevel allows them.',
    'info' => 'Heads up: your export is being prepared.',
    'notice' => 'A custom level (FlashMsgLevel notice 22).',
    'success' => 'Profile saved.',
    'warning' => 'Your disk is 91% full.',
    'error' => 'Payment failed: the card was declined.',
];
$level = isset($_POST['level']) && isset($defaults[$_POST['level']]) ? $_POST['level'] : 'info';
$text = trim(isset($_POST['text']) ? $_POST['text'] : '');
if ($text === '') {
    $text = $defaults[$level];
}
$field = sf_display($text) . ';level=' . $level;
if (!empty($_POST['sticky'])) {
    $field .= ';tags="sticky"';
}
header('X-Flash: ' . $field, false);

$back = isset($_POST['back']) ? $_POST['back'] : '/';
if (!preg_match('#^/[^/\\\\]#', $back)) {
    $back = '/';
}
header('Location: ' . $back, true, 303);
