"""docs/directives.md against the code.

- Every directive registered in config/directives.c's fm_directives has a section in
  docs/directives.md, and every section documents a registered directive.
- Every section has the fields of the httpd manual (Description, Syntax,
  Default, Context, Override, Status, Module), its Context matches the
  command table, and its Default agrees with the "(default X)" help text.
- The directive table at the top of docs/directives.md ("### Directives")
  lists exactly the registered directives, and its Default column gives the
  code's defaults: the help text's "(default X)", the FM_DEFAULT_* value
  the code falls back to, Off for a flag, and the same value as the
  directive's own Default field.
- Every log line quoted in the reference (`mod_flashmsg: ...` in backticks)
  can be produced by an ap_log_*error() call in the C sources, with <n>,
  <uri> etc. standing for the values that vary.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/docs
FLASHMSG_SRC_ROOT=/some/copy runs the same checks against a copy of the tree.
"""
import glob
import os
import re

import pytest

ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODULE_C = os.path.join(ROOT, "mod_flashmsg.c")
DIRECTIVES_C = os.path.join(ROOT, "config", "directives.c")
DOC = os.path.join(ROOT, "docs", "directives.md")

# Where log lines are written, and where the strings they print come from.
GLUE_DIRS = ["config", "http", "storage", "store", "delivery", "filters"]
LOG_SOURCE_GLOBS = ["mod_flashmsg.c"] + ["%s/*.c" % d for d in GLUE_DIRS]
LITERAL_SOURCE_GLOBS = LOG_SOURCE_GLOBS + ["core/*.c", "*.h", "core/*.h"] + \
    ["%s/*.h" % d for d in GLUE_DIRS]

FIELDS = ["Description", "Syntax", "Default", "Context", "Override", "Status", "Module"]
LOG_PREFIX = "mod_flashmsg: "


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def sources(globs):
    out = []
    for g in globs:
        out += sorted(glob.glob(os.path.join(ROOT, g)))
    return out


# --- C parsing -------------------------------------------------------------

STRING_RE = r'"(?:[^"\\\n]|\\.)*"'


def strip_comments(src):
    """Remove C comments, leaving string literals alone."""
    return re.sub(r'%s|/\*.*?\*/|//[^\n]*' % STRING_RE,
                  lambda m: m.group(0) if m.group(0).startswith('"') else " ",
                  src, flags=re.S)


def unescape(lit):
    """The value of one C string literal (with its quotes)."""
    body = lit[1:-1]
    return re.sub(r'\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)',
                  lambda m: {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(
                      m.group(1), m.group(1) if len(m.group(1)) == 1 else "?"),
                  body)


def concat_literals(text):
    """Adjacent string literals of `text`, concatenated."""
    return "".join(unescape(m) for m in re.findall(STRING_RE, text))


def string_macros():
    """#define NAME "literal" ... from every header and source (continued
    over lines with backslashes, too)."""
    macros = {}
    for path in sources(LITERAL_SOURCE_GLOBS):
        for m in re.finditer(r'^#define\s+(\w+)\s+((?:%s\s*)+)$' % STRING_RE,
                             strip_comments(read(path)).replace("\\\n", " "), re.M):
            macros[m.group(1)] = concat_literals(m.group(2))
    return macros


def registered_directives():
    """name -> (kind, context expression, help text) from fm_directives."""
    src = strip_comments(read(DIRECTIVES_C))
    table = re.search(r'fm_directives\s*\[\s*\]\s*=\s*\{(.*?)\n\};', src, re.S)
    assert table, "fm_directives not found in config/directives.c"
    cmds = {}
    # cmd_data is NULL or a field offset for httpd's ap_set_*_slot setters
    for m in re.finditer(r'AP_INIT_(\w+)\(\s*"([^"]+)"\s*,\s*(\w+)\s*,'
                         r'\s*(NULL|\(void \*\)APR_OFFSETOF\(fm_dir_conf,\s*\w+\))\s*,'
                         r'\s*([^,]+?)\s*,\s*((?:%s\s*)+)\)' % STRING_RE,
                         table.group(1)):
        kind, name, _fn, _data, ctx, helptext = m.groups()
        assert name not in cmds, "%s registered twice" % name
        cmds[name] = (kind, ctx, concat_literals(helptext))
    # every AP_INIT_ entry must have been understood
    assert len(cmds) == len(re.findall(r'AP_INIT_\w+\(', table.group(1))), \
        "an AP_INIT_* entry of fm_directives could not be parsed"
    return cmds


def context_flags(expr, src):
    """Resolve a context expression (macros like DIR_CTX included) into the
    set of httpd flag names it uses."""
    defines = dict(re.findall(r'^#define\s+(\w+)\s+(.+)$', src, re.M))
    flags, todo, seen = set(), [expr], set()
    while todo:
        for word in re.findall(r'[A-Z_][A-Z0-9_]*', todo.pop()):
            if word in defines and word not in seen:
                seen.add(word)
                todo.append(defines[word])
            elif word not in defines:
                flags.add(word)
    return flags


def expected_context(flags):
    ctx = set()
    if "RSRC_CONF" in flags:
        ctx |= {"server config", "virtual host"}
    if "ACCESS_CONF" in flags:
        ctx.add("directory")
    if any(f.startswith("OR_") for f in flags):
        ctx.add(".htaccess")
    return ctx


def split_args(text):
    """Top-level comma-separated arguments of a call's argument text."""
    args, depth, cur, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        if c == '"':
            m = re.match(STRING_RE, text[i:])
            cur += m.group(0)
            i += len(m.group(0))
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    args.append(cur.strip())
    return args


# Stand-ins for printf conversions and for macros whose value varies.
CONV = "\x01"
PRINTF_MACROS = {"APR_SIZE_T_FMT": "zu", "APR_SSIZE_T_FMT": "zd",
                 "APR_INT64_T_FMT": "ld", "APR_UINT64_T_FMT": "lu",
                 "APR_OFF_T_FMT": "ld", "APR_PID_T_FMT": "d", "APR_TIME_T_FMT": "ld"}
VARYING_MACROS = {"FM_VERSION"}


def log_formats():
    """The format of every ap_log_*error() call: a list of ('lit', text) and
    ('conv', letter) pieces."""
    macros = string_macros()
    formats = []
    for path in sources(LOG_SOURCE_GLOBS):
        src = strip_comments(read(path))
        for m in re.finditer(r'\bap_log_(?:r|c|p)?error\s*\(', src):
            # the balanced argument list
            i, depth = m.end(), 1
            while depth:
                c = src[i]
                if c == '"':
                    i += len(re.match(STRING_RE, src[i:]).group(0))
                    continue
                depth += c == "("
                depth -= c == ")"
                i += 1
            args = split_args(src[m.end():i - 1])
            if len(args) < 5:
                continue
            raw = ""
            for tok in re.findall(r'%s|\w+' % STRING_RE, args[4]):
                if tok.startswith('"'):
                    raw += unescape(tok)
                elif tok in PRINTF_MACROS:
                    raw += PRINTF_MACROS[tok]
                elif tok in VARYING_MACROS:
                    raw += "%s"
                elif tok in macros:
                    raw += macros[tok]
                else:
                    raise AssertionError("%s: unknown macro %s in a log format"
                                         % (os.path.relpath(path, ROOT), tok))
            pieces, pos = [], 0
            for c in re.finditer(r'%%|%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?'
                                 r'(?:hh|h|ll|l|z|j|t|L)?([diouxXcsfgeEp])([a-zA-Z]?)',
                                 raw):
                pieces.append(("lit", raw[pos:c.start()]))
                if c.group(0) == "%%":
                    pieces.append(("lit", "%"))
                else:
                    pieces.append(("conv", c.group(1)))
                pos = c.end()
            pieces.append(("lit", raw[pos:]))
            formats.append((os.path.relpath(path, ROOT), raw, pieces))
    return formats


def all_literals():
    """Every string literal (adjacent ones joined) of the C sources."""
    text = []
    for path in sources(LITERAL_SOURCE_GLOBS):
        src = strip_comments(read(path))
        for m in re.finditer(r'(?:%s\s*)+' % STRING_RE, src):
            text.append(concat_literals(m.group(0)))
    return "\n".join(text)


# --- Markdown parsing ------------------------------------------------------

def md_sections(text, level):
    """(heading, body) for each heading of exactly `level` #'s."""
    heads = list(re.finditer(r'^(#{%d}) (.+?)\s*$' % level, text, re.M))
    out = []
    for k, h in enumerate(heads):
        end = len(text)
        nxt = re.compile(r'^#{1,%d} ' % level, re.M).search(text, h.end())
        if nxt:
            end = nxt.start()
        out.append((h.group(2), text[h.end():end]))
    return out


def field_rows(body):
    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r'^\|\s*([A-Za-z ]+):\s*\|\s*(.*?)\s*\|\s*$', body, re.M)}


def doc_directives():
    """name -> {field: value} for every '## Name Directive' section; other
    level-2 headings that start with a FlashMsg word are reported too."""
    text = read(DOC)
    found, stray = {}, []
    for head, body in md_sections(text, 2):
        m = re.fullmatch(r'`?(\w+)`?\s+Directive', head)
        if m:
            assert m.group(1) not in found, "%s documented twice" % m.group(1)
            found[m.group(1)] = field_rows(body)
        elif re.match(r'`?FlashMsg', head):
            stray.append(head)
    return found, stray


def code_spans(text):
    text = re.sub(r'^```.*?^```', "", text, flags=re.S | re.M)   # fenced blocks
    return [m.group(2) for m in re.finditer(r'(`+)(.+?)\1', text, re.S)]


def quoted_log_lines(text):
    """The `mod_flashmsg: ...` code spans (the bare prefix excluded)."""
    return [re.sub(r'\s+', " ", s).strip() for s in code_spans(text)
            if s.startswith(LOG_PREFIX) and s.strip() != LOG_PREFIX.strip()]


# --- tests -----------------------------------------------------------------

@pytest.fixture(scope="module")
def cmds():
    return registered_directives()


@pytest.fixture(scope="module")
def docs():
    return doc_directives()


def test_fm_directives_is_parsed(cmds):
    assert "FlashMsg" in cmds and "FlashMsgSecret" in cmds
    assert len(cmds) >= 20


def test_every_registered_directive_is_documented(cmds, docs):
    found, _ = docs
    missing = sorted(set(cmds) - set(found))
    assert not missing, "registered in fm_directives but missing from docs/directives.md: %s" % missing


def test_every_documented_directive_is_registered(cmds, docs):
    found, stray = docs
    extra = sorted(set(found) - set(cmds))
    assert not extra, "documented in docs/directives.md but not registered in fm_directives: %s" % extra
    assert not stray, "FlashMsg headings that are not '## Name Directive' sections: %s" % stray


def test_every_section_has_the_manual_fields(docs):
    found, _ = docs
    problems = []
    for name, rows in sorted(found.items()):
        for field in FIELDS:
            if not rows.get(field):
                problems.append("%s: no %s" % (name, field))
    assert not problems, "\n".join(problems)


def test_section_fields_agree_with_the_command_table(cmds, docs):
    found, _ = docs
    src = strip_comments(read(DIRECTIVES_C))
    problems = []
    for name, (kind, ctx, helptext) in sorted(cmds.items()):
        rows = found.get(name)
        if not rows or any(not rows.get(f) for f in FIELDS):
            continue    # reported by the tests above
        syntax = rows["Syntax"].strip("`")
        if syntax.split()[0] != name:
            problems.append("%s: Syntax does not start with the name: %r" % (name, syntax))
        if kind == "FLAG" and "On\\|Off" not in syntax and "On|Off" not in syntax:
            problems.append("%s: a FLAG directive whose Syntax lacks On|Off" % name)
        flags = context_flags(ctx, src)
        want = expected_context(flags)
        got = {c.strip() for c in rows["Context"].split(",")}
        if got != want:
            problems.append("%s: Context is %s, fm_directives says %s (%s)"
                            % (name, sorted(got), sorted(want), ctx))
        if not any(f.startswith("OR_") for f in flags) and \
                not rows["Override"].lower().startswith("none"):
            problems.append("%s: Override should be none (not allowed in .htaccess)" % name)
        if rows["Status"] != "External":
            problems.append("%s: Status is %r" % (name, rows["Status"]))
        if rows["Module"] != "mod_flashmsg":
            problems.append("%s: Module is %r" % (name, rows["Module"]))
        m = re.search(r'\(default ([^)]*)\)', helptext)
        if m and m.group(1) not in rows["Default"]:
            problems.append("%s: help text says default %r, the reference says %r"
                            % (name, m.group(1), rows["Default"]))
    assert not problems, "\n".join(problems)


def test_module_summary_block():
    text = read(DOC)
    head = text.split("\n## ", 1)[0]
    rows = field_rows(head)
    module = re.search(r'AP_DECLARE_MODULE\((\w+)\)', read(MODULE_C)).group(1)
    assert rows.get("Status") == "External"
    assert rows.get("Module Identifier") == module + "_module"
    assert rows.get("Source File") == "mod_flashmsg.c"
    assert rows.get("Compatibility", "").startswith("Apache httpd 2.4")
    assert rows.get("Description")


# A row of the summary table: | [`Name ARGS`](#name-directive) | default | meaning |
TABLE_ROW_RE = r'^\|\s*\[?`(\w+)[^`]*`(?:\]\(#([\w-]+)\))?\s*\|'


def summary_table():
    """The body of docs/directives.md's "### Directives" section."""
    sections = [b for h, b in md_sections(read(DOC), 3) if h == "Directives"]
    assert len(sections) == 1, "docs/directives.md has no single '### Directives' section"
    return sections[0]


def test_directive_table_lists_the_registered_directives(cmds):
    found = re.findall(TABLE_ROW_RE, summary_table(), re.M)
    rows = [name for name, _anchor in found]
    dupes = sorted({r for r in rows if rows.count(r) > 1})
    assert not dupes, "the directive table lists twice: %s" % dupes
    assert not sorted(set(cmds) - set(rows)), \
        "registered but not in the directive table: %s" % sorted(set(cmds) - set(rows))
    assert not sorted(set(rows) - set(cmds)), \
        "in the directive table but not registered: %s" % sorted(set(rows) - set(cmds))
    wrong = ["%s -> #%s" % (name, anchor) for name, anchor in found
             if anchor != name.lower() + "-directive"]
    assert not wrong, "table rows that do not link their own section: %s" % wrong


# Directives whose default is a #define the code falls back to when the
# directive is unset (c->x != FM_UNSET ? c->x : FM_DEFAULT_...).
DEFAULT_MACROS = {
    "FlashMsgCookieName": "FM_DEFAULT_COOKIE",
    "FlashMsgHeader": "FM_DEFAULT_HEADER",
    "FlashMsgPlaceholder": "FM_DEFAULT_PLACEHOLDER",
    "FlashMsgCookieMaxSize": "FM_DEFAULT_MAX_SIZE",
    "FlashMsgMaxAge": "FM_DEFAULT_MAX_AGE",
    "FlashMsgScanLimit": "FM_DEFAULT_SCAN_LIMIT",
    "FlashMsgHTMXEvent": "FM_DEFAULT_HTMX_EVENT",
}
# Table cells that describe the default in words instead of giving it.
PROSE_DEFAULTS = {"FlashMsgTemplate": "Django's markup"}


def macro_values():
    """#define NAME value for string literals and integer expressions."""
    values = dict(string_macros())
    for path in sources(LITERAL_SOURCE_GLOBS):
        for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+([0-9][0-9 \t()*+-]*|\([0-9 \t()*+-]+\))[ \t]*$',
                             strip_comments(read(path)), re.M):
            values[m.group(1)] = str(eval(m.group(2), {"__builtins__": {}}))
    return values


def table_defaults():
    """name -> the Default cell of the directive table."""
    return {m.group(1): m.group(3) for m in re.finditer(
        TABLE_ROW_RE + r'\s*([^|]*?)\s*\|', summary_table(), re.M)}


def test_table_defaults_agree_with_the_code(cmds, docs):
    found, _ = docs
    cells = table_defaults()
    macros = macro_values()
    problems = []
    for name, (kind, _ctx, helptext) in sorted(cmds.items()):
        cell = cells.get(name)
        if cell is None:
            continue            # reported by the table test above
        m = re.fullmatch(r'`([^`]+)`', cell)
        value = m.group(1) if m else None       # None: no concrete value given
        if name in PROSE_DEFAULTS:
            if cell != PROSE_DEFAULTS[name]:
                problems.append("%s: table default %r" % (name, cell))
            continue
        if value is None and "`" in cell:
            problems.append("%s: table default %r is not one value in backticks" % (name, cell))
        m = re.search(r'\(default ([^)]*)\)', helptext)
        if m:
            want = None if m.group(1) == "none" else m.group(1)
            if value != want:
                problems.append("%s: table default %r, the help text says %r"
                                % (name, cell, m.group(1)))
        if name in DEFAULT_MACROS:
            macro = DEFAULT_MACROS[name]
            assert macro in macros, "%s is not #defined any more" % macro
            if value != macros[macro]:
                problems.append("%s: table default %r, the code's %s is %r"
                                % (name, cell, macro, macros[macro]))
        if kind == "FLAG" and value != "Off":
            # a flag is FM_UNSET until set, and the code acts only on == 1
            problems.append("%s: table default %r for a flag that is Off unless set"
                            % (name, cell))
        doc = found.get(name, {}).get("Default", "")
        d = re.fullmatch(r'`%s (.+)`' % name, doc)
        if d and value != d.group(1):
            problems.append("%s: table default %r, docs/directives.md says %r"
                            % (name, cell, doc))
        if not d and doc.startswith("none") and value is not None:
            problems.append("%s: table default %r, docs/directives.md says %r"
                            % (name, cell, doc))
    assert not problems, "\n".join(problems)
    assert set(DEFAULT_MACROS) <= set(cmds)


def test_template_default_is_the_code_s(docs):
    found, _ = docs
    macros = macro_values()

    def quoted(s):
        return '"%s"' % s.replace('"', '\\"')
    want = "`FlashMsgTemplate %s %s`" % (quoted(macros["FM_DEFAULT_ITEM"]),
                                        quoted(macros["FM_DEFAULT_WRAPPER"]))
    assert found["FlashMsgTemplate"]["Default"] == want


def test_troubleshooting_quotes_the_module_log_lines():
    sections = [b for h, b in md_sections(read(DOC), 2) if h == "Troubleshooting"]
    assert len(sections) == 1, "docs/directives.md has no single '## Troubleshooting' section"
    lines = quoted_log_lines(sections[0])
    assert len(lines) >= 20, "Troubleshooting quotes only %d log lines" % len(lines)
    joined = "\n".join(lines)
    for needed in ["stay pending: ", "no placeholder in the first ",
                   "body already compressed by the backend",
                   "bypassing mod_cache", "ignored and deleted",
                   "dropped: they do not fit", 'needs mod_session with "Session On"',
                   "added from response header"]:
        assert needed in joined, "Troubleshooting quotes no log line with %r" % needed


PLACEHOLDER_RE = re.compile(r'<[a-z][a-z0-9_-]*>')


def match_log_line(quote, fmt_pieces, literals):
    """None if `quote` (placeholders like <n> allowed) is a line this format
    can produce, else why not.  A placeholder must stand where the format has
    a conversion; text the quote puts in a %s must be one of the sources'
    strings; text in a %d must be digits."""
    sentinels = {}

    def sentinel(m):
        key = "\x00%d\x00" % len(sentinels)
        sentinels[key] = m.group(0)
        return key
    subject = PLACEHOLDER_RE.sub(sentinel, quote)
    regex, convs = "", []
    for kind, val in fmt_pieces:
        if kind == "lit":
            regex += re.escape(val)
        else:
            convs.append(val)
            if val in "diouxX":
                regex += r'(\x00\d+\x00|-?[0-9a-fA-F]+)'
            else:
                regex += r'(\x00\d+\x00|[^\x00]*)'
    m = re.fullmatch(regex, subject, re.S)
    if not m:
        return "no match"
    for conv, val in zip(convs, m.groups()):
        if val in sentinels or conv != "s":
            continue
        if val and val not in literals:
            return "%r is not a string of the C sources (use a <placeholder>)" % val
    return None


def test_quoted_log_lines_occur_in_the_sources():
    formats = log_formats()
    assert len(formats) >= 30, "only %d log calls found in the sources" % len(formats)
    literals = all_literals()
    lines = quoted_log_lines(read(DOC))
    assert lines
    bad = []
    for line in lines:
        body = line[len(LOG_PREFIX):]
        reasons = []
        for path, raw, pieces in formats:
            if not raw.startswith(LOG_PREFIX):
                continue
            fmt = list(pieces)
            fmt[0] = ("lit", fmt[0][1][len(LOG_PREFIX):])
            why = match_log_line(body, fmt, literals)
            if why is None:
                break
            if why != "no match":
                reasons.append("%s: %s" % (path, why))
        else:
            bad.append("%s\n    %s" % (line, "; ".join(reasons) or
                                      "matches no ap_log_*error() format"))
    assert not bad, "log lines quoted in docs/directives.md that the code cannot write:\n" + \
        "\n".join(bad)
