# tests/unit/rules.mk - included by the Makefile (which runs these from
# `make unit`): the shared test fixtures, the glue tests (the body filter
# on a fake request, httpd stubbed, APR real) and the fuzz targets replayed
# over their seed corpora with plain $(CC), without libFuzzer.

# tests/common: what unit tests, fuzz targets and the codec bench share.
FIXTURES_SRC  := tests/common/fixtures.c
FIXTURES      := $(FIXTURES_SRC) tests/common/fixtures.h

# Sanitizer settings for every test binary run by `make unit`.
SAN_ENV       := ASAN_OPTIONS=detect_leaks=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The glue compiled as apxs compiles it: httpd's headers and defines
# (asked only when the glue tests are built).
HTTPD_CFLAGS   = -I$(shell $(APXS) -q INCLUDEDIR 2>/dev/null) \
                 $(shell $(APXS) -q EXTRA_CPPFLAGS 2>/dev/null)
GLUE_TEST_SRC := $(sort $(wildcard tests/unit/glue/*.c))
GLUE_TEST_HDR := $(sort $(wildcard tests/unit/glue/*.h))

# The module's glue and core, linked with the httpd stubs.
$(BUILD)/glue_tests: $(GLUE_TEST_SRC) $(GLUE_TEST_HDR) $(GLUE_SRC) \
                     $(GLUE_HDR) $(CORE_SRC) $(CORE_HDR) $(FIXTURES)
	@mkdir -p $(BUILD)
	$(CC) $(WARN) -std=gnu99 -g -O1 $(SAN_FLAGS) $(HTTPD_CFLAGS) \
	    $(APR_CFLAGS) -I. -Icore -o $@ $(GLUE_TEST_SRC) $(GLUE_SRC) \
	    $(CORE_SRC) $(FIXTURES_SRC) -lapr-1 -laprutil-1 -lcrypto \
	    $(CHECK_LIBS)

# Each fuzz target with tests/fuzz/replay_main.c instead of libFuzzer.
FUZZ_REPLAY   := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/replay/fuzz_%, \
                   $(sort $(wildcard tests/fuzz/fuzz_*.c)))

$(BUILD)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c \
                        $(CORE_SRC) $(CORE_HDR) $(FIXTURES)
	@mkdir -p $(BUILD)/replay
	$(CC) $(WARN) -std=gnu99 -g -O1 $(SAN_FLAGS) $(APR_CFLAGS) -Icore \
	    -o $@ $< tests/fuzz/replay_main.c $(CORE_SRC) $(FIXTURES_SRC) \
	    -lapr-1 -laprutil-1 -lcrypto
