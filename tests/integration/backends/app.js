// Test app server for mod_proxy_http (node app.js PORT), node's http module
// only: answers each request the way its query asks, the same protocol as
// app.py next to it (status, location, h repeated, ct, body, sleep, echo).
'use strict';
const http = require('http');

const DEFAULT_BODY = (path) =>
  `<html><body><!--FLASH_MESSAGES--><p>node app: ${path}</p></body></html>`;

// Header values go out as raw UTF-8 bytes (node writes header strings as latin-1).
const raw = (s) => Buffer.from(s, 'utf8').toString('latin1');

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://backend');
  const q = url.searchParams;
  req.resume();
  req.on('end', () => {
    const send = () => {
      res.statusCode = parseInt(q.get('status') || '200', 10);
      if (q.has('location')) res.setHeader('Location', raw(q.get('location')));
      const fields = {};
      for (const line of q.getAll('h')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        (fields[name] = fields[name] || []).push(raw(line.slice(i + 1).trim()));
      }
      // an array value: one header field per element, never joined
      for (const [name, values] of Object.entries(fields)) res.setHeader(name, values);
      const body = Buffer.from(q.has('echo') ? (req.headers[q.get('echo').toLowerCase()] || '-')
        : q.has('body') ? q.get('body') : DEFAULT_BODY(url.pathname), 'utf8');
      res.setHeader('Content-Type', q.get('ct') || 'text/html; charset=utf-8');
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const sleep = parseFloat(q.get('sleep') || '0');
    if (sleep > 0) setTimeout(send, sleep * 1000); else send();
  });
});

server.listen(parseInt(process.argv[2], 10), '127.0.0.1');
