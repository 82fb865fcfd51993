# mod_flashmsg - build, test and demo.  `make help` lists the targets.

APXS       ?= apxs
PYTHON     ?= /usr/bin/python3
CC         ?= cc
APACHE2    ?= /usr/sbin/apache2
# Extra compiler flags for the module, e.g. debian/rules' -ffile-prefix-map.
EXTRA_CFLAGS ?=

WARN       := -Wall -Wextra -Werror
apxs_q      = $(shell $(APXS) -q $(1) 2>/dev/null)
# The APR and APR-util that httpd was built with, as its apxs names them
# (/usr/bin/apr-1-config on Debian; PREFIX/bin/apr-1-config for an httpd
# built from source with its own APR), else the ones on the PATH.
APR_CONFIG ?= $(or $(call apxs_q,APR_CONFIG),apr-1-config)
APU_CONFIG ?= $(or $(call apxs_q,APU_CONFIG),apu-1-config)
APR_CFLAGS := $(shell $(APR_CONFIG) --cflags --cppflags --includes 2>/dev/null) \
              $(shell $(APU_CONFIG) --includes 2>/dev/null)
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
AP_CC      := $(call apxs_q,CC)
AP_CFLAGS  := $(call apxs_q,CFLAGS) $(call apxs_q,CPPFLAGS) $(call apxs_q,EXTRA_CPPFLAGS) \
              $(addprefix -I,$(call apxs_q,INCLUDEDIR)) \
              $(shell $(APR_CONFIG) --includes 2>/dev/null) $(shell $(APU_CONFIG) --includes 2>/dev/null)
AP_LDFLAGS := $(call apxs_q,LDFLAGS)
MOD_CFLAGS := $(AP_CFLAGS) $(WARN) -std=gnu99 -I. -Icore -fPIC $(EXTRA_CFLAGS)
# APR and APR-util linked by name (as-needed), so that the module records
# the libraries it uses (dpkg-shlibdeps then finds every apr_* symbol and
# adds their packages); the ap_* symbols come from the httpd binary that
# loads the module, as for every httpd module (debian/rules).
APR_LIBS   := $(shell $(APR_CONFIG) --link-ld 2>/dev/null || echo -lapr-1) \
              $(shell $(APU_CONFIG) --link-ld 2>/dev/null || echo -laprutil-1)
# An APR outside the system's library directories (-L/opt/httpd/lib) is
# also where the flashmsg tool looks for it at run time, as httpd's own
# tools do; none for /usr/lib/... and /lib/... (Debian, the RHEL family).
comma      := ,
APR_RPATH  := $(patsubst -L%,-Wl$(comma)-rpath$(comma)%,$(sort \
              $(filter-out -L/usr/lib% -L/lib%,$(filter -L%,$(APR_LIBS)))))
MOD_LIBS   := $(AP_LDFLAGS) -Wl,--as-needed $(APR_LIBS) -lcrypto -Wl,--no-as-needed \
              -Wl,-soname,mod_flashmsg.so
MOD_OBJ    := $(MOD_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ   := $(MOD_SRC:%.c=$(BUILD)/asan/obj/%.o)

.PHONY: test-distros bench-instructions bench-pending all help deps test unit integration test-asan browser docs-check config-check package-test deb srpm screenshot demo install clean fuzz bench bench-quick FORCE soak
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
	@echo "make srpm       the source RPM for the RHEL family (build/rpm/SRPMS/)"
	@echo "make test-distros  build + unit + an integration subset in Debian 11, 12 and 13"
	@echo "                roots (debootstrap, cached in DISTROS_CACHE; root); then"
	@echo "                scripts/test-source-httpd.sh; build/distros/summary.md"
	@echo "make demo       start a demo site on 127.0.0.1 and print its URL"
	@echo "make install    install the module and mod_flashmsg.h where apxs says,"
	@echo "                flashmsg into \$$(DESTDIR)\$$(BINDIR) and its man page,"
	@echo "                flashmsg.css and flashmsg.js into \$$(SHARE_DIR);"
	@echo "                PREFIX=DIR puts the last three under DIR/bin, DIR/share"
	@echo "make test-source-httpd  build httpd, APR, APR-util from source (cached in"
	@echo "                \$$(SOURCE_HTTPD_CACHE)), install the module there, run tests"
	@echo "make fuzz       run the libFuzzer targets (FUZZ_SECONDS each)"
	@echo "make bench      side-by-side benchmark (~20 min); bench-quick (~4 min)"
	@echo "make bench-instructions  callgrind instructions per request: httpd, idle, rendering,"
	@echo "                against bench/results/instructions-baseline.json (~2 min)"
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
CLI_LIBS   := -Wl,--as-needed $(APR_LIBS) $(APR_RPATH) -lcrypto

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
# the header into its INCLUDEDIR, both under $(DESTDIR) like every path
# here; with Debian's apxs (SYSCONFDIR /etc/apache2) also the a2enmod files
# (an existing flashmsg.conf is kept), with any other apxs not: an httpd
# built from source or the RHEL family's loads the module from its own
# configuration (packaging/rpm/10-flashmsg.conf).
MODULE_DIR     ?= $(call apxs_q,LIBEXECDIR)
HEADER_DIR     ?= $(call apxs_q,INCLUDEDIR)
MODS_AVAILABLE ?= $(if $(filter /etc/apache2,$(call apxs_q,SYSCONFDIR)),/etc/apache2/mods-available)
# flashmsg goes to $(DESTDIR)$(BINDIR), its man page under MANDIR, the
# stylesheet and dismiss script for the default markup (docs/stylesheet.md)
# under SHARE_DIR.  With PREFIX=DIR: DIR/bin, DIR/share/man and
# DIR/share/flashmsg.  Without: httpd's own bin, man and data directories
# as apxs reports them (exp_bindir, exp_mandir, exp_datadir: /usr/bin,
# /usr/share/man and /usr/share/apache2/flashmsg on Debian, as in the
# package; HTTPD/bin, HTTPD/man and HTTPD/flashmsg for an httpd built from
# source), /usr/local without apxs.
PREFIX         ?=
BINDIR         ?= $(if $(PREFIX),$(PREFIX)/bin,$(or $(call apxs_q,exp_bindir),/usr/local/bin))
MANDIR         ?= $(if $(PREFIX),$(PREFIX)/share/man,$(or $(call apxs_q,exp_mandir),/usr/local/share/man))
DATADIR        ?= $(if $(PREFIX),$(PREFIX)/share,$(or $(call apxs_q,exp_datadir),/usr/local/share))
SHARE_DIR      ?= $(DATADIR)/flashmsg
install: mod_flashmsg.so $(BUILD)/flashmsg
	@test -n "$(MODULE_DIR)" -a -n "$(HEADER_DIR)" || { echo "$(APXS) -q LIBEXECDIR gave nothing: set APXS, or MODULE_DIR and HEADER_DIR" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(SHARE_DIR) \
	    $(DESTDIR)$(MODULE_DIR) $(DESTDIR)$(HEADER_DIR)
	install -m 644 share/flashmsg.css share/flashmsg.js $(DESTDIR)$(SHARE_DIR)/
	install -m 755 $(BUILD)/flashmsg $(DESTDIR)$(BINDIR)/flashmsg
	install -m 644 docs/flashmsg.1 $(DESTDIR)$(MANDIR)/man1/flashmsg.1
	install -m 644 mod_flashmsg.so $(DESTDIR)$(MODULE_DIR)/mod_flashmsg.so
	install -m 644 mod_flashmsg.h $(DESTDIR)$(HEADER_DIR)/mod_flashmsg.h
	@if [ -n "$(MODS_AVAILABLE)" ] && [ -d $(DESTDIR)$(MODS_AVAILABLE) ]; then \
	    install -m 644 conf/flashmsg.load $(DESTDIR)$(MODS_AVAILABLE)/flashmsg.load; \
	    [ -e $(DESTDIR)$(MODS_AVAILABLE)/flashmsg.conf ] || install -m 644 conf/flashmsg.conf $(DESTDIR)$(MODS_AVAILABLE)/flashmsg.conf; \
	    echo "installed $(DESTDIR)$(MODS_AVAILABLE)/flashmsg.{load,conf}: enable with 'a2enmod flashmsg'"; fi

# mod_flashmsg against an httpd, APR and APR-util built from source into a
# non-Debian layout (scripts/test-source-httpd.sh): built once into
# SOURCE_HTTPD_CACHE and reused; SOURCE_HTTPD_PREFIX=/opt/httpd installs it there.
SOURCE_HTTPD_CACHE  ?= /var/cache/mod_flashmsg/source-httpd
SOURCE_HTTPD_PREFIX ?=
.PHONY: test-source-httpd
test-source-httpd:
	SOURCE_HTTPD_CACHE=$(SOURCE_HTTPD_CACHE) SOURCE_HTTPD_PREFIX=$(SOURCE_HTTPD_PREFIX) \
	    PYTHON=$(PYTHON) bash scripts/test-source-httpd.sh

# The source RPM for the RHEL family (packaging/rpm/): the tarball of the
# tracked files as they are in the working tree (git stash create; HEAD when
# nothing changed) and the spec, built by rpmbuild under $(BUILD)/rpm.
VERSION    := $(shell sed -n 's/^\#define FM_VERSION "\(.*\)"/\1/p' core/version.h)
.PHONY: srpm
srpm:
	rm -rf $(BUILD)/rpm && mkdir -p $(BUILD)/rpm/SOURCES
	rev=$$(git stash create) && git archive --format=tar.gz --prefix=mod_flashmsg-$(VERSION)/ \
	    -o $(BUILD)/rpm/SOURCES/mod_flashmsg-$(VERSION).tar.gz $${rev:-HEAD}
	cp packaging/rpm/10-flashmsg.conf $(BUILD)/rpm/SOURCES/
	rpmbuild -bs --define "_topdir $(abspath $(BUILD))/rpm" packaging/rpm/mod_flashmsg.spec
	@ls $(BUILD)/rpm/SRPMS/*.src.rpm

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

# Instructions per request under callgrind (apache2 -X, the bench page):
# httpd without the module, idle, rendering, each measured twice to show
# that the counts repeat; INSTR_ARGS='--record' makes them the baseline.
INSTR_ARGS ?=
bench-instructions: mod_flashmsg.so
	@bash scripts/install-deps.sh bench
	$(PYTHON) bench/instructions.py --repeat 2 $(INSTR_ARGS)

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
