# QEMU regression runs: each boots kiln.efi with a configuration and checks the
# outcome (exit code, KTAP lines) with tools/check-run. Results go to build/results/.
TEST_TARGETS += test-qemu

test-qemu: $(B)/kiln.efi $(QEMU_BIN) $(B)/host/dstore.so
	$(Q)python3 tests/qemu/run-cases --qemu '$(QEMU_BIN)' --results $(B)/results/qemu.tap

# The LD_PRELOAD shim of the cases with `preload = dstore` (tests/qemu/dstore.c).
$(B)/host/dstore.so: tests/qemu/dstore.c tests/qemu/qemu-tests.mk
	@mkdir -p $(@D)
	$(Q)clang -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC $< -o $@

.PHONY: test-qemu

# Cabling runs beyond tests/qemu/cases.cfg: two devices in one QEMU, two machines (two QEMUs).
TEST_TARGETS += test-net-wiring

test-net-wiring: $(B)/kiln.efi $(QEMU_BIN)
	$(Q)python3 tests/qemu/run-wiring --qemu '$(QEMU_BIN)' --results $(B)/results/net-wiring.tap

.PHONY: test-net-wiring
