<?php
// Messages survive any number of redirects: only an HTML page with the
// placeholder consumes them.  /chain.php?hops=3 redirects three times.
$hops = isset($_GET['hops']) ? max(0, min(5, (int)$_GET['hops'])) : 3;
if (!isset($_GET['started'])) {
    header('X-Flash: "This message was added ' . $hops . ' redirects ago.";level=info');
}
if ($hops > 0) {
    header('Location: /chain.php?started=1&hops=' . ($hops - 1), true, 302);
} else {
    header('Location: /index.html', true, 302);
}
