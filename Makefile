# mod_flashmsg - build, test and demo.  `make help` lists the targets.

APXS       ?= apxs
PYTHON     ?= /usr/bin/python3
CC         ?= cc
APACHE2    ?= /usr/sbin/apache2
# Extra compiler flags for the module, e.g. debian/rules' -ffile-prefix-map.
EXTRA_CFLAGS ?=

WARN       := -Wall -Wextra -Werror
APR_CFLAGS := $(shell apr-1-config --cflags --cppflags --includes 2>/dev/null) \
              $(shell apu-1-config --includes 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

CORE_SRC   := $(sort $(wildcard core/*.c))
CORE_HDR   := $(sort $(wildcard core/*.h))
GLUE_DIRS  := config stats http storage store delivery filters
GLUE_SRC   := mod_flashmsg.c $(sort $(foreach d,$(GLUE_DIRS),$(wildcard $(d)/*.c)))
GLUE_HDR   := mod_flashmsg.h $(sort $(foreach d,$(GLUE_DIRS),$(wildcard $(d)/*.h)))
MOD_SRC    := $(GLUE_SRC) $(CORE_SRC)

SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
UNIT_SRC   := $(sort $(wildcard tests/unit/core/*.c))
BUILD      := build

# The module is compiled the way "apxs -c" compiles it -- apxs's compiler,
# flags and include directories -- but every object goes under build/:
# build/obj/<dir>/<file>.o, linked into build/mod_flashmsg.so and copied to
# the top (harness.py, demo/, bench/ and debian/ load ./mod_flashmsg.so);
# the ASan + UBSan module the same under build/asan/.  -MMD -MP write each
# object's header dependencies next to it (.d, included below).
apxs_q      = $(shell $(APXS) -q $(1) 2>/dev/null)
AP_CC      := $(call apxs_q,CC)
AP_CFLAGS  := $(call apxs_q,CFLAGS) $(call apxs_q,CPPFLAGS) $(call apxs_q,EXTRA_CPPFLAGS) \
              $(addprefix -I,$(call apxs_q,INCLUDEDIR)) \
              $(shell apr-1-config --includes 2>/dev/null) $(shell apu-1-config --includes 2>/dev/null)
AP_LDFLAGS := $(call apxs_q,LDFLAGS)
MOD_CFLAGS := $(AP_CFLAGS) $(WARN) -std=gnu99 -I. -Icore -fPIC $(EXTRA_CFLAGS)
# APR and APR-util linked by name (as-needed), so that the module records
# the libraries it uses (dpkg-shlibdeps then finds every apr_* symbol and
# adds their packages); the ap_* symbols come from the httpd binary that
# loads the module, as for every httpd module (debian/rules).
APR_LIBS   := $(shell apr-1-config --link-ld 2>/dev/null || echo -lapr-1) \
              $(shell apu-1-config --link-ld 2>/dev/null || echo -laprutil-1)
MOD_LIBS   := $(AP_LDFLAGS) -Wl,--as-needed $(APR_LIBS) -lcrypto -Wl,--no-as-needed \
              -Wl,-soname,mod_flashmsg.so
MOD_OBJ    := $(MOD_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ   := $(MOD_SRC:%.c=$(BUILD)/asan/obj/%.o)

.PHONY: test-distros bench-pending all help deps test unit integration test-asan browser docs-check config-check package-test deb screenshot demo install clean fuzz bench bench-quick FORCE soak
all: mod_flashmsg.so $(BUILD)/flashmsg

include tests/unit/rules.mk

help:
	@echo "make            build mod_flashmsg.so and the flashmsg tool (build/flashmsg)"
	@echo "make deps       install build/test dependencies (apt-get, as root)"
	@echo "make test       deps + build + unit + integration tests"
	@echo "make unit       Check unit tests, filter tests, fuzz corpus replay (ASan + UBSan)"
	@echo "make integration  pytest against a real apache2"
	@echo "make test-asan  the integration suite against an ASan+UBSan module"
	@echo "make browser    headless Chromium drives the demo site (htmx 2/4, Turbo 8 from npm)"
	@echo "make docs-check docs/ and README links, directives and config fields against the code"
	@echo "make config-check  every configuration field created, merged and resolved"
	@echo "make deb        build the Debian package (build/deb/)"
	@echo "make package-test  build, install, run and purge the .deb (root)"
	@echo "make test-distros  build + unit + an integration subset in Debian 11, 12 and 13"
	@echo "                roots (debootstrap, cached in DISTROS_CACHE; root); then"
	@echo "                scripts/test-source-httpd.sh if present; build/distros/summary.md"
	@echo "make demo       start a demo site on 127.0.0.1 and print its URL"
	@echo "make install    install the module and mod_flashmsg.h where apxs says,"
	@echo "                flashmsg into \$$(DESTDIR)\$$(BINDIR) and its man page,"
	@echo "                flashmsg.css and flashmsg.js into \$$(SHARE_DIR)"
	@echo "make fuzz       run the libFuzzer targets (FUZZ_SECONDS each)"
	@echo "make bench      side-by-side benchmark (~20 min); bench-quick (~4 min)"
	@echo "make bench-pending  seconds per request with 100,000 pending messages"
	@echo "make soak       simulated users per storage: lost / shown twice / RSS (< 10 min);"
	@echo "                SOAK_ARGS='--mode twotabs --storages cookie --requests 30000'"
	@echo "make clean      rm -rf build (and the top-level mod_flashmsg.so)"

deps:
	@bash scripts/install-deps.sh

mod_flashmsg.so: $(BUILD)/mod_flashmsg.so
	cp $< $@

$(BUILD)/mod_flashmsg.so: $(MOD_OBJ) $(BUILD)/obj/flags
	$(AP_CC) -shared -fPIC -o $@ $(MOD_OBJ) $(MOD_LIBS)

$(BUILD)/obj/%.o: %.c $(BUILD)/obj/flags
	@mkdir -p $(@D)
	$(AP_CC) $(MOD_CFLAGS) -MMD -MP -c -o $@ $<

# The ASan + UBSan module: the same sources, objects under build/asan/obj/.
$(BUILD)/asan/mod_flashmsg.so: $(ASAN_OBJ) $(BUILD)/asan/obj/flags
	$(AP_CC) -shared -fPIC $(SAN_FLAGS) -o $@ $(ASAN_OBJ) $(MOD_LIBS)

$(BUILD)/asan/obj/%.o: %.c $(BUILD)/asan/obj/flags
	@mkdir -p $(@D)
	$(AP_CC) $(MOD_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

# Rewritten only when the compiler or a flag changes (EXTRA_CFLAGS=...), so
# that such a change rebuilds everything (so "make -n" lists every object);
# also says so when apxs is missing.
$(BUILD)/obj/flags: FORCE
	@$(call write_flags,$(AP_CC) $(MOD_CFLAGS) / $(MOD_LIBS))
$(BUILD)/asan/obj/flags: FORCE
	@$(call write_flags,$(AP_CC) $(MOD_CFLAGS) $(SAN_FLAGS) / $(MOD_LIBS))
write_flags = test -n "$(AP_CC)" || { echo "$(APXS) -q CC gave nothing: is apxs installed (Debian: apache2-dev, or make deps)?" >&2; exit 1; }; \
    mkdir -p $(@D); echo '$(strip $(1))' | cmp -s - $@ || echo '$(strip $(1))' > $@

-include $(MOD_OBJ:.o=.d) $(ASAN_OBJ:.o=.d)

# The flashmsg command-line tool (cli/, docs/cli.md): the core and cli/
# only, no httpd; built with the plain compiler and the usual CFLAGS,
# CPPFLAGS and LDFLAGS (dpkg-buildflags' hardening under debian/rules).
CFLAGS     ?= -g -O2
CLI_OBJ    := $(patsubst %.c,$(BUILD)/cli/obj/%.o,$(sort $(wildcard cli/*.c)))
CLI_CORE   := $(CORE_SRC:%.c=$(BUILD)/cli/obj/%.o)
CLI_CFLAGS := $(WARN) -std=gnu99 $(CFLAGS) $(CPPFLAGS) $(APR_CFLAGS) -Icore $(EXTRA_CFLAGS)
CLI_LIBS   := -Wl,--as-needed -lapr-1 -laprutil-1 -lcrypto

# The core as an archive, so that only what the tool uses is linked in.
$(BUILD)/flashmsg: $(CLI_OBJ) $(BUILD)/cli/libcore.a $(BUILD)/cli/obj/flags
	$(CC) $(CLI_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/cli/libcore.a $(CLI_LIBS)

$(BUILD)/cli/libcore.a: $(CLI_CORE)
	rm -f $@ && $(AR) rcs $@ $(CLI_CORE)

$(BUILD)/cli/obj/%.o: %.c $(BUILD)/cli/obj/flags
	@mkdir -p $(@D)
	$(CC) $(CLI_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/cli/obj/flags: FORCE
	@mkdir -p $(@D); echo '$(strip $(CC) $(CLI_CFLAGS) / $(LDFLAGS) $(CLI_LIBS))' | cmp -s - $@ \
	    || echo '$(strip $(CC) $(CLI_CFLAGS) / $(LDFLAGS) $(CLI_LIBS))' > $@

-include $(CLI_OBJ:.o=.d) $(CLI_CORE:.o=.d)

$(BUILD)/unit_tests: $(UNIT_SRC) $(CORE_SRC) $(CORE_HDR) $(FIXTURES)
	@mkdir -p $(BUILD)
	$(CC) $(WARN) -std=gnu99 -g -O1 $(SAN_FLAGS) $(APR_CFLAGS) -Icore \
	    -o $@ $(UNIT_SRC) $(CORE_SRC) $(FIXTURES_SRC) -lapr-1 -laprutil-1 -lcrypto $(CHECK_LIBS)

unit: $(BUILD)/unit_tests $(BUILD)/glue_tests $(FUZZ_REPLAY)
	CK_FORK=no ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(BUILD)/unit_tests
	CK_FORK=no $(SAN_ENV) $(BUILD)/glue_tests
	@for t in $(FUZZ_REPLAY); do $(SAN_ENV) $$t tests/fuzz/corpus/$${t#$(BUILD)/replay/fuzz_} || exit 1; done

integration: mod_flashmsg.so $(BUILD)/flashmsg
	cd tests/integration && $(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) .

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) docs-check
	$(MAKE) integration
	$(MAKE) browser
	$(MAKE) test-asan
	$(MAKE) package-test
	$(MAKE) fuzz

# htmx 2, htmx 4 and Turbo 8 from npm, pinned by tests/browser/vendor's
# lock, into build/npm (also done by make deps; cached under build/).
NPM_STAMP  := $(BUILD)/npm/node_modules/.package-lock.json
$(NPM_STAMP): tests/browser/vendor/package.json tests/browser/vendor/package-lock.json
	@bash scripts/install-deps.sh npm
	@touch $@

browser: mod_flashmsg.so $(NPM_STAMP)
	$(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) tests/browser

# Refresh docs/screenshot.png (ordinary runs never rewrite it).
screenshot: mod_flashmsg.so $(NPM_STAMP)
	FLASHMSG_UPDATE_SCREENSHOT=1 $(PYTHON) -m pytest -q -p no:cacheprovider -k readme tests/browser

# tests/docs also runs scripts/check_config_fields.py (test_config_fields.py).
docs-check:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/docs

# Every field of the configuration records has a default (create), a merge
# rule (merge) and, per directory, an effective value (resolve).
config-check:
	$(PYTHON) scripts/check_config_fields.py

# The Debian package, built in a copy of the tree; the .deb goes to build/deb/.
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -P -t $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb

# Builds, installs (dpkg -i), runs and purges the package; skipped unless root.
package-test:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/package

# build, unit and an integration subset inside debootstrapped Debian 11, 12
# and 13 roots cached outside the clone (scripts/test-distros.sh).
DISTROS       ?= bullseye bookworm trixie
DISTROS_CACHE ?= /var/cache/mod_flashmsg/distros
test-distros:
	DISTROS="$(DISTROS)" DISTROS_CACHE="$(DISTROS_CACHE)" bash scripts/test-distros.sh

# The integration suite against the ASan + UBSan module (build/asan/),
# loaded into the real apache2 with the sanitizer runtime preloaded; any
# report fails the test that caused it.
test-asan: $(BUILD)/asan/mod_flashmsg.so
	cd tests/integration && FLASHMSG_MODULE=$(abspath $(BUILD))/asan/mod_flashmsg.so \
	    FLASHMSG_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
	    $(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) .

demo: deps
	$(MAKE) all
	$(PYTHON) demo/run_demo.py

# The module into apxs's LIBEXECDIR (what "apxs -i" does with a .so) and
# the header into its INCLUDEDIR; on Debian also the a2enmod files (an
# existing flashmsg.conf is kept).
MODULE_DIR     ?= $(call apxs_q,LIBEXECDIR)
HEADER_DIR     ?= $(call apxs_q,INCLUDEDIR)
MODS_AVAILABLE ?= /etc/apache2/mods-available
# flashmsg goes to $(DESTDIR)$(BINDIR), its man page under MANDIR: httpd's
# own bin and man directories as apxs reports them (exp_bindir,
# exp_mandir: /usr/bin and /usr/share/man on Debian, PREFIX/bin and
# PREFIX/man for an httpd built from source), /usr/local without apxs.
BINDIR         ?= $(or $(call apxs_q,exp_bindir),/usr/local/bin)
MANDIR         ?= $(or $(call apxs_q,exp_mandir),/usr/local/share/man)
# The stylesheet and dismiss script for the default markup (docs/stylesheet.md)
# under httpd's data directory: /usr/share/apache2/flashmsg on Debian (as in
# the package), PREFIX/flashmsg for an httpd built from source.
DATADIR        ?= $(or $(call apxs_q,exp_datadir),/usr/local/share)
SHARE_DIR      ?= $(DATADIR)/flashmsg
install: mod_flashmsg.so $(BUILD)/flashmsg
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(SHARE_DIR)
	install -m 644 share/flashmsg.css share/flashmsg.js $(DESTDIR)$(SHARE_DIR)/
	install -m 755 $(BUILD)/flashmsg $(DESTDIR)$(BINDIR)/flashmsg
	install -m 644 docs/flashmsg.1 $(DESTDIR)$(MANDIR)/man1/flashmsg.1
	install -m 644 mod_flashmsg.so $(MODULE_DIR)/mod_flashmsg.so
	install -m 644 mod_flashmsg.h $(HEADER_DIR)/mod_flashmsg.h
	@if [ -d $(MODS_AVAILABLE) ]; then \
	    install -m 644 conf/flashmsg.load $(MODS_AVAILABLE)/flashmsg.load; \
	    [ -e $(MODS_AVAILABLE)/flashmsg.conf ] || install -m 644 conf/flashmsg.conf $(MODS_AVAILABLE)/flashmsg.conf; \
	    echo "installed $(MODS_AVAILABLE)/flashmsg.{load,conf}: enable with 'a2enmod flashmsg'"; fi

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(CORE_HDR) $(FIXTURES)
	@mkdir -p $(BUILD)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(APR_CFLAGS) -Icore \
	    -o $@ $< $(CORE_SRC) $(FIXTURES_SRC) -lapr-1 -laprutil-1 -lcrypto

# Every target at once for FUZZ_SECONDS (new inputs go to build/corpus, the
# seeds in tests/fuzz/corpus are only read); fails if any target finds a crash.
fuzz: $(FUZZ_TARGETS)
	@mkdir -p $(BUILD)/fuzzlogs; pids=""; \
	for t in $(FUZZ_TARGETS); do n=$${t#$(BUILD)/fuzz_}; \
	    mkdir -p $(BUILD)/corpus/$$n; \
	    $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzzlogs/crash-$$n- \
	        $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n > $(BUILD)/fuzzlogs/$$n.log 2>&1 & \
	    pids="$$pids $$!"; done; \
	fail=0; for p in $$pids; do wait $$p || fail=1; done; \
	for t in $(FUZZ_TARGETS); do n=$${t#$(BUILD)/fuzz_}; \
	    printf '%-15s %s\n' $$n "$$(grep -E '^stat::number_of_executed_units' $(BUILD)/fuzzlogs/$$n.log | awk '{print $$2}') runs, $$(grep -oE 'cov: [0-9]+' $(BUILD)/fuzzlogs/$$n.log | tail -1)"; done; \
	if [ $$fail != 0 ]; then echo "fuzz: a target failed, see $(BUILD)/fuzzlogs"; \
	    grep -l -E 'ERROR|SUMMARY' $(BUILD)/fuzzlogs/*.log | xargs -r tail -n 40; exit 1; fi

# Mutation check (slow; not part of `make test`): every mutation in
# tests/mutations.txt applied to its own copy of the tree, rebuilt, and the
# tests listed for it run against the mutant; fails if any mutant survives.
# MUTATE_ARGS='--only NAME', '--all' (whole suite), '--list'.
.PHONY: mutate
mutate:
	$(PYTHON) scripts/mutate.py $(MUTATE_ARGS)

$(BUILD)/codec_bench: bench/codec_bench.c $(CORE_SRC) $(CORE_HDR) $(FIXTURES)
	@mkdir -p $(BUILD)
	$(CC) -O2 $(WARN) -std=gnu99 $(APR_CFLAGS) -Icore -o $@ $< $(CORE_SRC) \
	    $(FIXTURES_SRC) -lapr-1 -laprutil-1 -lcrypto

bench: mod_flashmsg.so $(BUILD)/codec_bench
	@bash scripts/install-deps.sh bench
	$(PYTHON) bench/run.py

# A client holding 100,000 pending messages (bench/pending.py --help).
bench-pending: mod_flashmsg.so
	$(PYTHON) bench/pending.py $(PENDING_ARGS)

bench-quick: mod_flashmsg.so $(BUILD)/codec_bench
	@bash scripts/install-deps.sh bench
	$(PYTHON) bench/run.py --quick

# Many simulated users through add -> redirect -> render for each storage,
# on loopback, bounded in requests and wall time (bench/soak.py --help);
# results in build/soak/.  Not part of make test: it measures, never fails on numbers.
SOAK_ARGS ?=
soak: deps
	$(MAKE) all
	$(PYTHON) bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(BUILD) mod_flashmsg.so
