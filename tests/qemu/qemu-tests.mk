# QEMU regression runs: each boots kiln.efi with a configuration and checks the
# outcome (exit code, KTAP lines) with tools/check-run. Results go to build/results/.
TEST_TARGETS += test-qemu

test-qemu: $(B)/kiln.efi $(QEMU_BIN)
	$(Q)python3 tests/qemu/run-cases --qemu '$(QEMU_BIN)' --results $(B)/results/qemu.tap

.PHONY: test-qemu

# Cabling runs beyond tests/qemu/cases.cfg: two devices in one QEMU, two machines (two QEMUs).
TEST_TARGETS += test-net-wiring

test-net-wiring: $(B)/kiln.efi $(QEMU_BIN)
	$(Q)python3 tests/qemu/run-wiring --qemu '$(QEMU_BIN)' --results $(B)/results/net-wiring.tap

.PHONY: test-net-wiring
