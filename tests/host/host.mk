# Host unit tests (cmocka) of Kiln's pure logic, built with clang, ASan and UBSan.
#
# Convention: each tests/host/test_<name>.c is one test binary, build/host/test_<name>.
# Its first lines name the Kiln sources it tests, compiled unchanged for the host:
#     // sources: kernel/lib/fmt.c kernel/harness/config.c
# (never kernel/lib/string.c: the host C library provides memcpy & co). `make test-host`
# builds and runs every test binary and writes its results, one flat TAP line per case,
# to build/results/host-<name>.tap. A binary that does not build, crashes, times out or
# draws a sanitizer report is a `not ok` line there, never a silent gap.
# `make host-<name>` builds and runs one of them. Tests include "host_test.h" (cmocka, a
# seeded generator; KILN_TEST_SEED=n changes the seed) and print diagnostics as '# ' lines
# on stdout. KILN_HOST_TEST_TIMEOUT=s changes the 60 s limit per binary.
TEST_TARGETS += test-host

HOST_CC := clang
HOST_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -I. -MMD -MP
HOST_LDLIBS := -lcmocka
HOST_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

HOST_TESTS := $(patsubst tests/host/test_%.c,%,$(wildcard tests/host/test_*.c))
# The Kiln sources a test names in its "// sources:" line.
host_sources = $(shell sed -n '1,10{s|^//[[:space:]]*sources:||p}' tests/host/test_$(1).c)
host_obj = $(patsubst %.c,$(B)/host/obj/%.c.o,$(1))

$(B)/host/obj/%.c.o: %.c tests/host/host.mk
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

define host_test_rule
$(B)/host/test_$(1): $(call host_obj,tests/host/test_$(1).c tests/host/host_support.c $(call host_sources,$(1)))
	@echo "  HOSTLD  $$@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $$^ $(HOST_LDLIBS) -o $$@

host-$(1): $(DEPS_STAMP)
	$(Q)mkdir -p $(B)/results $(B)/host
	$(Q)if $(MAKE) --no-print-directory $(B)/host/test_$(1) >$(B)/host/test_$(1).build.log 2>&1; then \
		cat $(B)/host/test_$(1).build.log; \
		$(HOST_ENV) python3 tests/host/run-host-test host-$(1) $(B)/results/host-$(1).tap $(B)/host/test_$(1); \
	else \
		python3 tests/host/run-host-test host-$(1) $(B)/results/host-$(1).tap --build-failed \
			$(B)/host/test_$(1).build.log; \
	fi

.PHONY: host-$(1)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

# docs/config.md's key table, written from the C key table (kernel/harness/config_keys.c);
# host-config_doc fails when the two differ.
config-doc: $(DEPS_STAMP)
	$(Q)mkdir -p $(B)/host
	$(Q)$(MAKE) --no-print-directory $(B)/host/test_config_doc
	$(Q)$(HOST_ENV) $(B)/host/test_config_doc --write docs/config.md

.PHONY: config-doc

# Every binary runs even when an earlier one failed; the target fails if any did.
test-host: $(DEPS_STAMP)
	$(Q)status=0; for t in $(HOST_TESTS); do \
		$(MAKE) --no-print-directory host-$$t || status=1; \
	done; exit $$status

# The include rule between layers (docs/layout.md), file:line for every breach.
TEST_TARGETS += test-includes
test-includes:
	$(Q)python3 tests/host/include-rule --results $(B)/results/include-rule.tap

-include $(wildcard $(B)/host/obj/*/*.d $(B)/host/obj/*/*/*.d)

.PHONY: test-host test-includes
