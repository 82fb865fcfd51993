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
    """messages: [(level, text, tags)] all created at t0 (default now), or
    [(level, text, tags, delta)] created delta seconds after t0."""
    t0 = int(time.time()) if t0 is None else t0
    body = bytes([version, flags]) + varint(t0)
    for level, text, tags, *delta in messages:
        text = text.encode() if isinstance(text, str) else text
        tags = tags.encode() if isinstance(tags, str) else tags
        body += (varint(level) + varint(delta[0] if delta else 0) + varint(len(tags)) + tags
                 + varint(len(text)) + text)
    return body


def sign(secret, raw_payload, cookie_name="flashmsg"):
    """A signed value for the cookie cookie_name: the MAC binds the cookie's
    full name, so a value for one batch (flashmsg.AbCd1234) verifies only
    under that name; "flashmsg" is the legacy single cookie, still read."""
    key = hkdf(secret.encode(), b"mod_flashmsg cookie mac v1")
    text = "s1." + b64(raw_payload)
    ad = ("mod_flashmsg v1 signed " + cookie_name).encode() + b"\0"
    mac = hmac.new(key, ad + text.encode(), hashlib.sha256).digest()
    return text + "." + b64(mac)


def unb64(text):
    """Strict enough for values the server wrote: base64url, no padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(value):
    """A cookie value cut into its authenticated pieces, as
    [(name, bytes)]: signed "s1.<payload>.<mac>" gives payload and mac
    (32 bytes); encrypted "e1.<nonce|ciphertext|tag>" gives nonce (12),
    ciphertext and tag (16)."""
    if value.startswith("s1."):
        body, mac = value[3:].split(".")
        return [("payload", unb64(body)), ("mac", unb64(mac))]
    if value.startswith("e1."):
        raw = unb64(value[3:])
        return [("nonce", raw[:12]), ("ciphertext", raw[12:-16]), ("tag", raw[-16:])]
    raise ValueError("not a flashmsg cookie value: %r" % value[:10])


def join(value, pieces):
    if value.startswith("s1."):
        return "s1." + b64(pieces[0][1]) + "." + b64(pieces[1][1])
    return "e1." + b64(b"".join(p for _, p in pieces))


def tampered(value, bit=0x01):
    """Every one-byte change of an authenticated value: for each piece
    (parts()) and each byte of it, the value with that byte's low bit
    flipped, re-encoded canonically (so the base64 itself stays valid and
    only the signature or the GCM tag can reject it).
    Yields (piece name, byte index, forged value)."""
    pieces = parts(value)
    assert join(value, pieces) == value
    for k, (name, data) in enumerate(pieces):
        for i in range(len(data)):
            changed = bytearray(data)
            changed[i] ^= bit
            forged = list(pieces)
            forged[k] = (name, bytes(changed))
            yield name, i, join(value, forged)
