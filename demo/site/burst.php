<?php
// Three messages in one response: the structured form carries a list, which
// survives httpd joining repeated header fields with ", ".
header('X-Flash: "Order #1042 placed.";level=success, '
     . '"A receipt is on its way to your inbox.";level=info, '
     . '"Shipping may take longer this week.";level=warning;tags="sticky"');
header('Location: /index.html', true, 303);
