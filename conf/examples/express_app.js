// A profile form with express_flashmsg.js (see express.conf).  It runs on
// Express when installed (npm install express), or else on node's http
// module, which is enough for the middleware.  Run: node express_app.js [PORT]
'use strict';
const flashmsg = require('./express_flashmsg');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Profile</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>Name <input name="name"></label> <button>Save</button></form>
</body></html>
`;

function profile(req, res, name) {
  if (req.method !== 'POST') return res.end(PAGE);
  name = (name || '').trim();
  if (!name) {
    res.flash('Please enter your name.', 'error');
    return res.end(PAGE);                  // shown on this very page
  }
  // ... save name ...
  res.flash(`Saved: "${name}"`, 'success');
  res.flash('Your profile is visible to everyone.', 'info', 'privacy');
  res.statusCode = 303;
  res.setHeader('Location', '/');
  res.end();
}

const port = Number(process.argv[2] || 3000);
let express = null;
try { express = require('express'); } catch (e) { /* plain node http */ }

if (express) {
  const app = express();
  app.use(flashmsg());
  app.use(express.urlencoded({ extended: false }));
  app.all('/', (req, res) => {
    res.type('html');
    profile(req, res, req.body && req.body.name);
  });
  app.listen(port, '127.0.0.1');
} else {
  const middleware = flashmsg();
  require('http').createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => middleware(req, res, () => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (req.url !== '/') { res.statusCode = 404; return res.end('not found'); }
      profile(req, res, new URLSearchParams(body).get('name'));
    }));
  }).listen(port, '127.0.0.1');
}
