// A profile form as a tiny Node.js app behind mod_proxy_http (see
// proxy-node.conf); node's http module only.  Run: node app.js [PORT]
//
// Messages are X-Flash response headers.  res.setHeader('X-Flash', [...])
// sends one field per array element; mod_proxy_http keeps them separate.
'use strict';
const http = require('http');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Profile</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>Name <input name="name"></label> <button>Save</button></form>
</body></html>
`;

// One message in the structured form: a Display String carries any UTF-8
// text (every byte outside printable ASCII, and % and ", percent-encoded).
function flash(level, text) {
  let enc = '';
  for (const b of Buffer.from(text, 'utf8')) {
    enc += b >= 0x20 && b <= 0x7e && b !== 0x25 && b !== 0x22
      ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0');
  }
  return `%"${enc}";level=${level}`;
}

http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.method === 'POST') {
      const name = (new URLSearchParams(body).get('name') || '').trim();
      // ... save name ...
      res.setHeader('X-Flash', name
        ? [flash('success', 'Saved: ' + name), 'info: Your profile is visible to everyone.']
        : ['error: Please enter your name.']);
      // An absolute URL of this app: ProxyPassReverse makes it public.
      res.writeHead(303, { Location: `http://${req.headers.host}/` });
      res.end();
    } else if (req.url === '/') {
      res.end(PAGE);
    } else {
      // An error keeps its message pending until a page shows it.
      res.setHeader('X-Flash', flash('warning', 'No such page: ' + req.url));
      res.writeHead(404);
      res.end('<p>Not found</p>');
    }
  });
}).listen(parseInt(process.argv[2] || '3000', 10), '127.0.0.1');
