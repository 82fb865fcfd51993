"""Build flashmsg cookie values in Python, from the documented format
(core/cookie_codec.h, core/keys.h), to attack the server with values that
carry a valid signature: the tests first prove the forger right by having
the real server accept a well-formed value."""
import base64
import hashlib
import hmac
import time


def hkdf(ikm, info, salt=b"mod_flashmsg", n=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < n:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:n]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def payload(messages, flags=0, version=1, t0=None):
    """messages: [(level, text, tags)] all created at t0 (default now)."""
    t0 = int(time.time()) if t0 is None else t0
    body = bytes([version, flags]) + varint(t0)
    for level, text, tags in messages:
        text = text.encode() if isinstance(text, str) else text
        tags = tags.encode() if isinstance(tags, str) else tags
        body += varint(level) + varint(0) + varint(len(tags)) + tags + varint(len(text)) + text
    return body


def sign(secret, raw_payload, cookie_name="flashmsg"):
    key = hkdf(secret.encode(), b"mod_flashmsg cookie mac v1")
    text = "s1." + b64(raw_payload)
    ad = ("mod_flashmsg v1 signed " + cookie_name).encode() + b"\0"
    mac = hmac.new(key, ad + text.encode(), hashlib.sha256).digest()
    return text + "." + b64(mac)
