<?php
// The htmx page's fragment endpoint (hx-post): answers a fragment, never a
// page, and a message in X-Flash.  With FlashMsgHTMX On httpd delivers it as
// an HX-Trigger event, for the 200 and for the 422 alike.
$outcome = isset($_POST['outcome']) ? $_POST['outcome'] : 'ok';
if ($outcome === 'invalid') {
    http_response_code(422);
    header('X-Flash: error: Nothing saved: the form was invalid (422).');
    echo '<p class="result error">422: this fragment is what htmx 4 swaps in; '
       . 'htmx 2 does not swap 4xx answers by default.</p>';
} else {
    header('X-Flash: success: Saved without leaving the page (an HX-Trigger event).');
    echo '<p class="result">Saved at ' . gmdate('H:i:s') . ' UTC.</p>';
}
