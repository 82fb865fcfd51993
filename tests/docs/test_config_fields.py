"""Every configuration field has a default, a merge rule and a value.

Runs scripts/check_config_fields.py (also `make config-check`) on the tree:
each field of fm_dir_conf (config/dir_conf.h) is set in fm_create_dir_conf,
merged in fm_merge_dir_conf and resolved in resolve(), every fm_settings
field gets a value in resolve(), and each fm_srv_conf field is set in
fm_create_srv_conf and merged in fm_merge_srv_conf.  The other tests show
that the check notices a line taken out of config/config.c or a field added
to a record and nowhere else.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/docs
FLASHMSG_SRC_ROOT=/some/copy runs the same checks against a copy of the tree.
"""
import importlib.util
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("FLASHMSG_SRC_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check_config_fields.py")

spec = importlib.util.spec_from_file_location("check_config_fields", SCRIPT)
ccf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ccf)


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


DIR_CONF_H = read("config", "dir_conf.h")
CONFIG_H = read("config", "config.h")
CONFIG_C = read("config", "config.c")
DIR_FIELDS = ccf.struct_fields(DIR_CONF_H, "fm_dir_conf", stop_at="eff")
SRV_FIELDS = ccf.struct_fields(CONFIG_H, "fm_srv_conf")


def test_every_field_is_created_merged_and_resolved():
    assert ccf.check(ROOT) == []


def test_the_records_are_read():
    # The parser sees the records the directives fill, and stops before
    # the effective settings.
    assert DIR_FIELDS[0] == "enabled" and "eff" not in DIR_FIELDS
    assert {"cookie_name", "tags", "placeholder", "tmpl", "clear"} <= set(DIR_FIELDS)
    # (cookie_name_https is derived from two directives, docs/spec.md §5's __Host- default)
    assert set(ccf.struct_fields(CONFIG_H, "fm_settings")) == set(DIR_FIELDS) | {"cookie_name_https"}
    assert SRV_FIELDS == ["levels", "keys", "enabled_at", "session_at", "socache_at",
                          "socache_spec", "socache_provider", "socache_instance",
                          "socache_watch", "socache_timeout", "largest_session_max_size"]


def without(pattern, field):
    """config.c with the lines that match pattern (for field) removed."""
    rx = re.compile(pattern.replace("%s", re.escape(field)))
    out = [l for l in CONFIG_C.splitlines(True) if not rx.search(l)]
    assert len(out) < len(CONFIG_C.splitlines(True)), (pattern, field)
    return "".join(out)


@pytest.mark.parametrize("what, fields, pattern, func", [
    ("create", DIR_FIELDS, r"^\s*c->%s = ", "fm_create_dir_conf"),
    ("merge", DIR_FIELDS, r"^\s*MERGE\(%s,|^\s*m->%s = ", "fm_merge_dir_conf"),
    ("resolve", DIR_FIELDS, r"^\s*e->%s = ", "resolve"),
    ("srv create", SRV_FIELDS, r"^\s*c->%s = ", "fm_create_srv_conf"),
    ("srv merge", SRV_FIELDS, r"^\s*m->%s = ", "fm_merge_srv_conf"),
])
def test_a_missing_line_is_reported(what, fields, pattern, func):
    for field in fields:
        problems = ccf.check_sources(DIR_CONF_H, CONFIG_H,
                                     without(pattern, field))
        assert any(p.startswith("fm_") and ".%s: %s()" % (field, func) in p
                   for p in problems), (field, problems)


@pytest.mark.parametrize("record, header", [("fm_dir_conf", "dir_conf"),
                                            ("fm_srv_conf", "config")])
def test_a_new_field_alone_is_reported(record, header):
    anchor = {"fm_dir_conf": "    int clear;", "fm_srv_conf": "    const char *session_at;"}[record]
    dir_h, cfg_h = DIR_CONF_H, CONFIG_H
    assert anchor in (dir_h if header == "dir_conf" else cfg_h)
    if header == "dir_conf":
        dir_h = dir_h.replace(anchor, anchor + "\n    int brand_new;", 1)
    else:
        cfg_h = cfg_h.replace(anchor, anchor + "\n    int brand_new;", 1)
    problems = [p for p in ccf.check_sources(dir_h, cfg_h, CONFIG_C)
                if p.startswith(record + ".brand_new:")]
    funcs = {p.split(": ")[1].split("(")[0] for p in problems}
    if record == "fm_dir_conf":
        assert funcs == {"fm_create_dir_conf", "fm_merge_dir_conf", "resolve"}, problems
    else:
        assert funcs == {"fm_create_srv_conf", "fm_merge_srv_conf"}, problems
