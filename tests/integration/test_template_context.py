"""Templates are checked for the HTML context of every variable when the
configuration is read: a variable where HTML escaping is not enough (an
unquoted attribute value, a URL, an event handler, style, <script>...)
stops apache2 -t with a message naming the directive, the variable and
where it is; element text and quoted ordinary attributes render escaped.
Every template the project ships or documents passes."""
import glob
import html.parser
import os
import re

import pytest

from conftest import emit_url
from harness import Httpd, TOP


def configtest(conf, files=None):
    """apache2 -t with conf; files: {path under ServerRoot: text}."""
    srv = Httpd(conf, name="tmplconf")
    try:
        for path, text in (files or {}).items():
            with open(os.path.join(srv.root, path), "w") as f:
                f.write(text)
        return srv.configtest()
    finally:
        srv.cleanup()


REFUSED = [
    # the three findings of issue 14
    ('FlashMsgTemplate "<div class=alert-%{tags}>%{message}</div>"',
     r"FlashMsgTemplate: ITEM: %\{tags\} at column 18 is in the unquoted value "
     r"of attribute class of <div>: quote the value"),
    ('FlashMsgTemplate "<a href=\\"%{message}\\">more</a>"',
     r"FlashMsgTemplate: ITEM: %\{message\} at column 10 is in attribute href of "
     r"<a>, a URL: escaping does not keep out javascript:"),
    ("FlashMsgTemplate \"<script>show('%{message}')</script>\"",
     r"FlashMsgTemplate: ITEM: %\{message\} at column 15 is inside <script>: HTML "
     r"escaping does not make JavaScript safe"),
    # the other refused contexts
    ('FlashMsgTemplate "<div onmouseover=\\"%{message}\\">x</div>"',
     r"FlashMsgTemplate: ITEM: %\{message\} at column 19 is in attribute "
     r"onmouseover of <div>, an event handler \(JavaScript\)"),
    ('FlashMsgTemplate "<p style=\\"color:%{level_tag}\\">%{message}</p>"',
     r"%\{level_tag\} at column 17 is in attribute style of <p>, CSS"),
    ('FlashMsgTemplate "<style>.x{color:%{level_tag}}</style>"',
     r"%\{level_tag\} at column 17 is inside <style>, CSS"),
    ('FlashMsgTemplate "<img src=\\"/i/%{level_tag}.png\\">"',
     r"%\{level_tag\} at column 14 is in attribute src of <img>, a URL"),
    ('FlashMsgTemplate "<%{level_tag}>%{message}</%{level_tag}>"',
     r"%\{level_tag\} at column 2 is right after '<'"),
    ('FlashMsgTemplate "<p %{extra_tags}>%{message}</p>"',
     r"%\{extra_tags\} at column 4 is inside the tag <p> but not in a quoted "
     r"attribute value"),
    ('FlashMsgTemplate "<!-- %{message} -->"',
     r"%\{message\} at column 6 is inside an HTML comment"),
    ('FlashMsgTemplate "%{message}" "<ul title=\\"%{items}\\"></ul>"',
     r"FlashMsgTemplate: WRAPPER: %\{items\} at column 12 is in attribute title "
     r"of <ul>; the messages must go in element text"),
    ('FlashMsgTemplate "<li>%{message}" "<ul>%{items}</ul><script>"',
     r"FlashMsgTemplate: WRAPPER: the markup ends inside <script>"),
    # a lone '%'
    ('FlashMsgTemplate "<p style=\\"width:100%\\">%{message}</p>"',
     r"FlashMsgTemplate: ITEM: '%' at column 20 is neither %% nor %\{name\}: "
     r"write %% for a percent sign"),
]


@pytest.mark.parametrize("conf,message", REFUSED)
def test_refused_context_stops_httpd(conf, message):
    rc, out = configtest(conf)
    assert rc != 0, out
    assert re.search(message, out), out
    assert re.search(r"Syntax error on line \d+ of .*httpd\.conf", out), out


def test_template_file_refusal_names_file_line_and_column():
    tmpl = ('<div class="flash">\n%{item}\n'
            '<div class="alert">%{message} <a href="/more?m=%{message}">more</a></div>\n'
            '%{/item}\n</div>\n')
    rc, out = configtest("FlashMsgTemplateFile conf/flash.tmpl",
                         files={"conf/flash.tmpl": tmpl})
    assert rc != 0, out
    assert re.search(r"FlashMsgTemplateFile: /\S+/conf/flash\.tmpl: %\{message\} at "
                     r"line 3, column 48 is in attribute href of <a>, a URL", out), out
    # and a lone '%' in the file
    rc, out = configtest("FlashMsgTemplateFile conf/flash.tmpl",
                         files={"conf/flash.tmpl": "<p>%{message}</p>\n<p>50%</p>\n"})
    assert rc != 0, out
    assert re.search(r"FlashMsgTemplateFile: /\S+/conf/flash\.tmpl: '%' at line 2, "
                     r"column 6 is neither %% nor %\{name\}", out), out


def test_percent_percent_is_a_literal_percent(make_server, client):
    srv = make_server('FlashMsgTemplate "<p style=\\"width:100%%\\">%{message} 100%%</p>"')
    r = client.get(emit_url(srv.url, h='X-Flash: "Half";level=info'))
    assert '<p style="width:100%">Half 100%</p>' in r.text


# --- every template the project ships or documents ---------------------------

def _directives(text):
    """FlashMsgTemplate / FlashMsgTemplateFile lines of text, continuation
    lines joined; comment lines skipped."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line.startswith(("FlashMsgTemplate ", "FlashMsgTemplateFile ")):
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        out.append(line)
    return out


def _code_blocks(md, lang):
    return re.findall(r"^```%s\n(.*?)^```" % lang, md, re.S | re.M)


def shipped_templates():
    """(where, directive line, {file: text}) for every template in
    conf/examples, README.md and docs/*.md."""
    found = []
    examples = os.path.join(TOP, "conf", "examples")
    tmpls = {os.path.basename(p): p for p in glob.glob(os.path.join(examples, "*.tmpl"))}
    for name, path in sorted(tmpls.items()):
        found.append(("conf/examples/" + name, 'FlashMsgTemplateFile "%s"' % path, {}))
    for path in sorted(glob.glob(os.path.join(examples, "*.conf"))):
        for d in _directives(open(path).read()):
            if d.startswith("FlashMsgTemplateFile "):
                base = os.path.basename(d.split(None, 1)[1].strip('"'))
                assert base in tmpls, "%s names %s, not in conf/examples" % (path, base)
                d = 'FlashMsgTemplateFile "%s"' % tmpls[base]
            found.append((os.path.relpath(path, TOP), d, {}))
    docs = ["README.md"] + sorted(os.path.relpath(p, TOP) for p in
                                  glob.glob(os.path.join(TOP, "docs", "*.md")))
    for doc in docs:
        md = open(os.path.join(TOP, doc), encoding="utf-8").read()
        files = {}
        # a template file shown as an ```html block right after "with `conf/NAME`:"
        for name, body in re.findall(r"with `(conf/[^`]+)`:\s*\n```html\n(.*?)^```",
                                     md, re.S | re.M):
            files[name] = body
        for block in _code_blocks(md, "apache"):
            for d in _directives(block):
                arg = d.split(None, 1)[1].strip('"')
                if d.startswith("FlashMsgTemplateFile ") and arg not in files:
                    continue        # a path on the reader's system
                found.append((doc, d, dict(files) if d.startswith(
                    "FlashMsgTemplateFile ") else {}))
    return found


SHIPPED = shipped_templates()


def test_the_shipped_templates_are_found():
    where = {w for w, _d, _f in SHIPPED}
    assert {"conf/examples/bootstrap5.tmpl", "conf/examples/tailwind.tmpl",
            "conf/examples/vhost.conf", "conf/examples/templates.conf",
            "README.md", os.path.join("docs", "directives.md")} <= where, where
    assert any(f for _w, _d, f in SHIPPED), "the documented template file"


@pytest.mark.parametrize("where,directive,files", SHIPPED,
                         ids=["%s:%d" % (w, i) for i, (w, _d, _f) in enumerate(SHIPPED)])
def test_shipped_template_passes(where, directive, files):
    rc, out = configtest(directive, files=files)
    assert rc == 0, "%s: %s\n%s" % (where, directive, out)


def test_default_template_passes():
    rc, out = configtest("")
    assert rc == 0, out


# --- what stays allowed renders escaped -------------------------------------

class Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.data = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def sf_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


HOSTILE = "'\"><script>alert(1)</script> </textarea><img src=x onerror=alert(1)>"
HOSTILE_TAGS = "x onmouseover=alert(1)"


def test_text_and_quoted_attributes_render_escaped(make_server, client):
    srv = make_server(
        "FlashMsgTemplate \"<p class=\\\"alert-%{tags}\\\" title='%{message}' "
        "data-message=\\\"%{message}\\\" aria-label=\\\"%{level_tag}\\\">%{message}</p>"
        "<textarea>%{message}</textarea>\" \"<div id=\\\"flash\\\">%{items}</div>\"")
    r = client.get(emit_url(srv.url, h="X-Flash: %s;level=info;tags=%s"
                            % (sf_string(HOSTILE), sf_string(HOSTILE_TAGS))))
    assert r.status_code == 200
    start = r.text.index('<div id="flash">')
    block = r.text[start:r.text.index("</div>", start) + 6]
    p = Elements()
    p.feed(block)
    tags = [t for t, _a in p.elements]
    assert tags == ["div", "p", "textarea"], block
    attrs = p.elements[1][1]
    # every value arrives whole, as text: no attribute, element or handler of its own
    assert attrs == {"class": "alert-x onmouseover=alert(1) info", "title": HOSTILE,
                     "data-message": HOSTILE, "aria-label": "info"}, block
    assert p.data == [HOSTILE, HOSTILE], block


def test_data_attribute_recipe_for_scripts(make_server, client):
    """The documented way to hand a message to JavaScript: a data-* attribute."""
    srv = make_server(
        'FlashMsgTemplate "<div class=\\"flash\\" data-level=\\"%{level_tag}\\" '
        'data-message=\\"%{message}\\"></div>"')
    text = "Saved </script><script>alert(1)</script> 'quoted' \\ done"
    r = client.get(emit_url(srv.url, h="X-Flash: %s;level=success" % sf_string(text)))
    p = Elements()
    p.feed(r.text)
    flash = [a for t, a in p.elements if t == "div" and a.get("class") == "flash"]
    assert flash == [{"class": "flash", "data-level": "success", "data-message": text}]
    assert "<script>" not in r.text
