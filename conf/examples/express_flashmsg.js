// Flash messages for an Express (or plain node http) app behind httpd with
// mod_flashmsg (see express.conf).
//
//   const flashmsg = require('./express_flashmsg');
//   app.use(flashmsg());
//   app.post('/profile', (req, res) => {
//     res.flash('Profile saved.', 'success');
//     res.flash('Visible to everyone.', 'info', 'privacy');
//     res.redirect(303, '/profile');
//   });
//
// res.flash(message, level = 'info', tags = '') collects the messages of the
// response; when the headers go out they leave as ONE X-Flash field in the
// structured form (RFC 9651 List), which httpd takes off the response and
// renders at <!--FLASH_MESSAGES--> in the next HTML page.
'use strict';

// "..." for printable ASCII (\ and " escaped), else a Display String %"..."
// (UTF-8, lowercase hex outside printable ASCII, and % and " too)
function sfText(text) {
  text = String(text);
  if (/^[\x20-\x7e]*$/.test(text)) {
    return '"' + text.replace(/[\\"]/g, '\\$&') + '"';
  }
  let enc = '';
  for (const b of Buffer.from(text, 'utf8')) {
    enc += b >= 0x20 && b <= 0x7e && b !== 0x25 && b !== 0x22
      ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0');
  }
  return '%"' + enc + '"';
}

function sfMember(message, level = 'info', tags = '') {
  if (Number.isInteger(level)) {
    level = String(level);
  } else if (!/^[A-Za-z*][A-Za-z0-9_\-.:%*/!#$&'+^`|~]*$/.test(level)) {
    throw new Error('level must be a name or an integer: ' + level);
  }
  let member = sfText(message) + ';level=' + String(level).toLowerCase();
  tags = String(tags).replace(/[^\x20-\x7e]/g, '').split(/\s+/).filter(Boolean).join(' ');
  if (tags) member += ';tags=' + sfText(tags);
  return member;
}

function flashmsg(header = 'X-Flash') {      // FlashMsgHeader in httpd
  return function (req, res, next) {
    const pending = [];
    res.flash = (message, level, tags) => { pending.push(sfMember(message, level, tags)); };
    const writeHead = res.writeHead;
    // res.end(), res.send() and res.redirect() all pass here
    res.writeHead = function (...args) {
      if (pending.length) {
        const old = res.getHeader(header);
        res.setHeader(header, [].concat(old || [], pending.splice(0).join(', ')));
      }
      return writeHead.apply(this, args);
    };
    next();
  };
}

module.exports = flashmsg;
module.exports.sfMember = sfMember;
