"""FlashMsgHTMX and the backend's own HX-Trigger, through a real CGI: every
HX-Trigger / HX-Trigger-After-Settle field of every response is parsed with
the json module and compared member by member.  Backend event names are
quoted (never spliced into the JSON), name lists are split on "," only,
JSON objects are merged member by member, several fields are combined, and
a value that is neither is kept byte for byte while our event goes to
HX-Trigger-After-Settle."""
import json

import pytest

from conftest import EMIT_CGI, log_window, shared_server, texts, emit_url

CONF = """
<Location /hx/>
  FlashMsgHTMX On
</Location>
"""

HX = {"HX-Request": "true"}
NAMES = ("HX-Trigger", "HX-Trigger-After-Settle")


@pytest.fixture(scope="module")
def srv():
    yield from shared_server(CONF, files={"hx/emit.cgi": EMIT_CGI},
                             name="htmx-trigger")


@pytest.fixture
def server(srv):
    yield from log_window(srv)


def hx_url(base, **params):
    return emit_url(base, **params).replace("/cgi/", "/hx/")


def fields(r, name):
    """Every field `name` of the response, as the bytes sent."""
    return [v.encode("latin-1") for v in r.raw.headers.getlist(name)]


def events(r, kept=()):
    """{field name: parsed JSON} for every HX-Trigger and
    HX-Trigger-After-Settle field; each must be one field of valid JSON
    (pure ASCII: our encoder escapes the rest).  Names in `kept` are the
    backend's own values left alone: returned as the list of raw fields."""
    out = {}
    for name in NAMES:
        vals = fields(r, name)
        if name in kept:
            out[name] = vals
            continue
        if not vals:
            continue
        assert len(vals) == 1, (name, vals)
        assert vals[0].isascii(), vals[0]
        out[name] = json.loads(vals[0].decode("ascii"))
    return out


def detail(*texts_):
    return {"messages": [{"level": 20, "level_tag": "info", "tags": "info",
                          "extra_tags": "", "message": t} for t in texts_]}


def get(server, client, h, text="one"):
    h = list(h) + ["X-Flash: info: " + text]
    return client.get(hx_url(server.url, h=h, body="<p>x</p>"), headers=HX)


MERGED = [
    # names are quoted, whatever they contain; split on "," and trimmed
    (['HX-Trigger: a"b, c'], {'a"b': "", "c": ""}),
    (['HX-Trigger: x":{"evil":1},"y'], {'x":{"evil":1}': "", '"y': ""}),
    (["HX-Trigger:  close Modal ,refresh  ,"], {"close Modal": "", "refresh": ""}),
    (["HX-Trigger: back\\slash, tab\there, \\"], {"back\\slash": "", "tab\there": "", "\\": ""}),
    (["HX-Trigger: <b>&amp;'x, }{"], {"<b>&amp;'x": "", "}{": ""}),
    (["HX-Trigger: a,,b, ,c"], {"a": "", "b": "", "c": ""}),
    # a JSON object, member by member: escapes, nested values, literals
    (['HX-Trigger: {"q\\"uote": 1, "back\\\\slash": [1, {"x": "}"}], '
      '"u\\u00e9\\ud83d\\ude00": "s,t", "n": null, '
      '"deep": {"a": {"b": [true, false, -1.5e3, "]"]}}, "e": {}, "l": []}'],
     {'q"uote': 1, "back\\slash": [1, {"x": "}"}], "u\u00e9\U0001F600": "s,t",
      "n": None, "deep": {"a": {"b": [True, False, -1500.0, "]"]}}, "e": {}, "l": []}),
    (["HX-Trigger: {}"], {}),
    (["HX-Trigger: { }"], {}),
    (['HX-Trigger: {"raw": "caf\u00e9"}'], None),       # raw UTF-8 kept as is, checked below
    # several fields (httpd joins a CGI's fields with ", ")
    (['HX-Trigger: {"a": {"n": 1}}', "HX-Trigger: b, c"], {"a": {"n": 1}, "b": "", "c": ""}),
    (["HX-Trigger: b", 'HX-Trigger: {"a": 2}', 'HX-Trigger: {"c": [3]}'],
     {"b": "", "a": 2, "c": [3]}),
    (['HX-Trigger: {"a": 1}', 'HX-Trigger: {"a": 2}'], {"a": 2}),
    # our event name is ours: the backend's member of that name is replaced
    (['HX-Trigger: {"flashmsg": "theirs", "o": 1}'], {"o": 1}),
    (['HX-Trigger: {"flash\\u006dsg": "theirs"}'], {}),
    (["HX-Trigger: flashmsg, o"], {"o": ""}),
    # large
    (["HX-Trigger: " + ", ".join("n%d" % i for i in range(600))],
     {"n%d" % i: "" for i in range(600)}),
    (['HX-Trigger: {"big": "%s", "arr": [%s]}' % ("x" * 5000, ",".join(["[]"] * 300))],
     {"big": "x" * 5000, "arr": [[]] * 300}),
]


@pytest.mark.parametrize("h,want", MERGED)
def test_backend_trigger_merged_into_valid_json(server, client, h, want):
    r = get(server, client, h)
    assert r.status_code == 200
    if want is None:
        # raw UTF-8 inside a JSON string is valid JSON: passed through as is
        raw = fields(r, "HX-Trigger")
        assert len(raw) == 1
        assert json.loads(raw[0].decode("utf-8")) == {"raw": "caf\u00e9", "flashmsg": detail("one")}
        return
    ev = events(r)
    assert ev == {"HX-Trigger": dict(want, flashmsg=detail("one"))}
    assert "HX-Request" in r.headers["Vary"]
    assert texts(client.get(server.url + "/page.html").text) == []


UNUSABLE = [
    '{"a": 1',                     # unbalanced
    '{"a": 1}}',
    '{"a": 1} junk',
    "{not json}",
    '{"a": [1,,2]}',
    '{"a": 01}',
    '{"a": "\\x"}',
    "{'a': 1}",
    '{"a": 1}, {x',
    "b, {x",
    "caf\u00e9, b",                # a name must be printable ASCII
    '{"d": %s%s}' % ("[" * 100, "]" * 100),   # nested deeper than 64
]


@pytest.mark.parametrize("value", UNUSABLE)
def test_unusable_trigger_kept_and_event_after_settle(server, client, value):
    r = get(server, client, ["HX-Trigger: " + value])
    ev = events(r, kept=("HX-Trigger",))
    assert ev == {"HX-Trigger": [value.encode("utf-8")],
                  "HX-Trigger-After-Settle": {"flashmsg": detail("one")}}
    assert texts(client.get(server.url + "/page.html").text) == []


def test_after_settle_merged_too(server, client):
    r = get(server, client, ['HX-Trigger: {"a": 1',
                             'HX-Trigger-After-Settle: s1, {"s2": [1, "]"]}'])
    ev = events(r, kept=("HX-Trigger",))
    assert ev == {"HX-Trigger": [b'{"a": 1'],
                  "HX-Trigger-After-Settle": {"s1": "", "s2": [1, "]"],
                                              "flashmsg": detail("one")}}


def test_after_settle_untouched_when_trigger_is_usable(server, client):
    r = get(server, client, ["HX-Trigger: a", "HX-Trigger-After-Settle: {oops"])
    ev = events(r, kept=("HX-Trigger-After-Settle",))
    assert ev == {"HX-Trigger": {"a": "", "flashmsg": detail("one")},
                  "HX-Trigger-After-Settle": [b"{oops"]}


def test_both_unusable_keeps_headers_and_messages(server, client):
    r = get(server, client, ["HX-Trigger: {", "HX-Trigger-After-Settle: {x"], text="kept")
    assert events(r, kept=NAMES) == {"HX-Trigger": [b"{"],
                                     "HX-Trigger-After-Settle": [b"{x"]}
    assert "Max-Age=0" not in r.headers.get("Set-Cookie", "")
    assert texts(client.get(server.url + "/page.html").text) == ["kept"]


def test_fields_in_both_tables_and_several_entries(make_server, client):
    """HX-Trigger fields in headers_out (two entries, from mod_headers'
    early mode) and err_headers_out (one from mod_headers, joined by httpd
    with the CGI's own) are all combined into one field."""
    srv = make_server('Header add HX-Trigger "early1" early\n'
                      'Header add HX-Trigger "{\\"early2\\": {\\"x\\": [1, \\"}\\"]}}" early\n'
                      'Header always add HX-Trigger "early3, early4" early\n'
                      "<Location /hx/>\nFlashMsgHTMX On\n</Location>\n",
                      files={"hx/emit.cgi": EMIT_CGI, "hx/frag.html": "<p>f</p>"})
    r = get(srv, client, ['HX-Trigger: {"cgi1": 1}', "HX-Trigger: cgi2"])
    assert events(r) == {"HX-Trigger": {
        "early3": "", "early4": "", "cgi1": 1, "cgi2": "", "early1": "",
        "early2": {"x": [1, "}"]}, "flashmsg": detail("one")}}
    # a static file: only mod_headers' fields
    client.get(emit_url(srv.url, status="302", location="/x", h="X-Flash: info: two"),
               allow_redirects=False)
    r = client.get(srv.url + "/hx/frag.html", headers=HX)
    assert events(r) == {"HX-Trigger": {
        "early3": "", "early4": "", "early1": "", "early2": {"x": [1, "}"]},
        "flashmsg": detail("two")}}
