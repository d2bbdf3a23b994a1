# QEMU with the kiln-accel device model. Included by the top Makefile (run from the repo top).
#
#   $(QEMU_BIN)    QEMU built from Debian's source with the model (tools/qemu/build.sh)
#   test-model     the model's host tests (tests/model/), TAP in build/results/model-*.tap

QEMU_BIN := build/qemu/bin/qemu-system-x86_64
TEST_TARGETS += test-model
QEMU_MODEL_SRCS := $(wildcard tools/qemu/*.c tools/qemu/*.h drivers/accel/hw/*.h)

$(QEMU_BIN): $(QEMU_MODEL_SRCS) tools/qemu/build.sh
	tools/qemu/build.sh

.PHONY: qemu test-model
qemu: $(QEMU_BIN)

test-model: $(QEMU_BIN)
	python3 tests/model/run.py
