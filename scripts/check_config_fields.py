#!/usr/bin/env python3
"""Every configuration field has a default, a merge rule and a value.

In the spirit of mod_auth_openidc's test/check_directives.sh: a field added
to a configuration record but forgotten in create or merge compiles and
mostly works -- until a <Location> inherits zero instead of the outer
value.  This compares the records with the functions in config/config.c:

- fm_dir_conf (config/dir_conf.h), its fields as the directives write them
  (those before `fm_settings eff`):
    fm_create_dir_conf sets each one (`c->field = ...`),
    fm_merge_dir_conf merges each one (`MERGE(field, ...)` or `m->field = ...`),
    resolve() gives each an effective value (`e->field = ...`), and so it
    does for every field of fm_settings (config/config.h);
- fm_srv_conf (config/config.h):
    fm_create_srv_conf sets and fm_merge_srv_conf merges each field.

Prints what is missing and exits 1; exits 0 when every field is covered.
Run: python3 scripts/check_config_fields.py [SOURCE_ROOT]
(tests/docs/test_config_fields.py runs the same in `make docs-check`.)
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

STRING_RE = r'"(?:[^"\\\n]|\\.)*"'


def strip_comments(src):
    """C comments out, string literals kept."""
    return re.sub(r'%s|/\*.*?\*/|//[^\n]*' % STRING_RE,
                  lambda m: m.group(0) if m.group(0).startswith('"') else " ",
                  src, flags=re.S)


def braced(src, start):
    """(i, j): the first brace at or after start and its partner."""
    i = src.index("{", start)
    depth = 0
    for j in range(i, len(src)):
        if src[j] == "{":
            depth += 1
        elif src[j] == "}":
            depth -= 1
            if depth == 0:
                return i, j
    raise ValueError("unbalanced braces after offset %d" % start)


def struct_fields(header, name, stop_at=None):
    """Field names of `typedef struct { ... } name;` in order; with stop_at,
    only those before the field of that name."""
    src = strip_comments(header)
    for m in re.finditer(r'\btypedef\s+struct\s*\w*\s*\{', src):
        i, j = braced(src, m.start())
        if re.match(r'\}\s*%s\s*;' % re.escape(name), src[j:]):
            break
    else:
        raise ValueError("no typedef struct { ... } %s;" % name)
    fields = []
    for decl in src[i + 1:j].split(";"):
        decl = decl.strip()
        if not decl:
            continue
        ident = re.search(r'(\w+)\s*(\[[^\]]*\])?$', decl)
        if not ident:
            raise ValueError("cannot read the field %r of %s" % (decl, name))
        if ident.group(1) == stop_at:
            break
        fields.append(ident.group(1))
    return fields


def function_body(source, name):
    """The body of the function definition `... name(...) {`."""
    src = strip_comments(source)
    m = re.search(r'^[\w \t\*]*\b%s\s*\([^;{]*\)\s*\{' % re.escape(name), src, re.M)
    if not m:
        raise ValueError("no definition of %s()" % name)
    i, j = braced(src, m.end() - 1)
    return src[i + 1:j]


def assigns(body, field):
    """body sets field of some record: `x->field = ...` (not ==)."""
    return re.search(r'\w+\s*->\s*%s\s*=(?!=)' % re.escape(field), body) is not None


def merges(body, field):
    return assigns(body, field) or re.search(
        r'\bMERGE\s*\(\s*%s\s*,' % re.escape(field), body) is not None


def check_sources(dir_conf_h, config_h, config_c):
    """The problems found, as lines of text; empty when all is well."""
    problems = []
    dir_fields = struct_fields(dir_conf_h, "fm_dir_conf", stop_at="eff")
    settings_fields = struct_fields(config_h, "fm_settings")
    srv_fields = struct_fields(config_h, "fm_srv_conf")
    if not dir_fields or not settings_fields or not srv_fields:
        problems.append("no fields read from fm_dir_conf, fm_settings or fm_srv_conf")

    def need(record, fields, func, test, what):
        body = function_body(config_c, func)
        for f in fields:
            if not test(body, f):
                problems.append("%s.%s: %s() %s" % (record, f, func, what))

    need("fm_dir_conf", dir_fields, "fm_create_dir_conf", assigns,
         "does not set it (c->field = ...)")
    need("fm_dir_conf", dir_fields, "fm_merge_dir_conf", merges,
         "does not merge it (MERGE(field, ...) or m->field = ...)")
    need("fm_dir_conf", dir_fields, "resolve", assigns,
         "gives it no effective value (e->field = ...)")
    need("fm_settings", [f for f in settings_fields if f not in dir_fields],
         "resolve", assigns, "gives it no value (e->field = ...)")
    need("fm_srv_conf", srv_fields, "fm_create_srv_conf", assigns,
         "does not set it (c->field = ...)")
    need("fm_srv_conf", srv_fields, "fm_merge_srv_conf", merges,
         "does not merge it (m->field = ...)")
    return problems


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check(root=ROOT):
    return check_sources(read(os.path.join(root, "config", "dir_conf.h")),
                         read(os.path.join(root, "config", "config.h")),
                         read(os.path.join(root, "config", "config.c")))


def main(argv):
    root = argv[1] if len(argv) > 1 else ROOT
    problems = check(root)
    for p in problems:
        print("config-check: " + p)
    if problems:
        print("config-check: %d missing; every field of the configuration records "
              "needs a default (create), a merge rule (merge) and, per directory, "
              "an effective value (resolve) in config/config.c" % len(problems))
        return 1
    h = read(os.path.join(root, "config", "dir_conf.h"))
    c = read(os.path.join(root, "config", "config.h"))
    print("config-check: %d directory fields, %d settings, %d server fields: "
          "each created, merged and resolved" % (
              len(struct_fields(h, "fm_dir_conf", stop_at="eff")),
              len(struct_fields(c, "fm_settings")), len(struct_fields(c, "fm_srv_conf"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
