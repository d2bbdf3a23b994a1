# Kiln's lab side (issue 7): boot media, Secure Boot signing, and the tests of the host
# report tools in tools/lab/ (docs/lab-tools.md, docs/booting.md, docs/secure-boot.md).
#
#   make image [IMAGE_CFG=my.cfg] [IMAGE=build/kiln.img] [IMAGE_EFI=build/kiln-signed.efi]
#   make sign KEY=db.key CERT=db.crt            -> build/kiln-signed.efi
#   make test-lab                               -> build/results/lab.tap
#   make test-lava                              -> build/results/lava.tap (docs/lava.md)
TEST_TARGETS += test-lab test-lava

IMAGE ?= $(B)/kiln.img
IMAGE_CFG ?= tools/lab/kiln.cfg
IMAGE_EFI ?= $(B)/kiln.efi
IMAGE_SIZE_MIB ?= 64
SIGNED ?= $(B)/kiln-signed.efi
# Debian's interpreter: the plots need python3-matplotlib, a Debian package.
LAB_PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)

# A GPT disk image with one EFI System Partition: EFI/BOOT/BOOTX64.EFI + EFI/BOOT/kiln.cfg.
image: $(IMAGE_EFI) | $(DEPS_STAMP)
	@echo "  IMAGE   $(IMAGE)"
	$(Q)bash tools/lab/mkimage '$(IMAGE_EFI)' '$(IMAGE_CFG)' '$(IMAGE)' $(IMAGE_SIZE_MIB) >/dev/null

# Sign kiln.efi for Secure Boot with the key whose certificate is enrolled in db (or MOK).
sign: $(B)/kiln.efi | $(DEPS_STAMP)
	$(Q)if [ -z '$(KEY)' ] || [ -z '$(CERT)' ]; then \
		echo "sign: usage: make sign KEY=db.key CERT=db.crt (PEM key and certificate; docs/secure-boot.md)" >&2; \
		exit 2; fi
	@echo "  SBSIGN  $(SIGNED)"
	$(Q)rm -f '$(SIGNED)'
	$(Q)sbsign --key '$(KEY)' --cert '$(CERT)' --output '$(SIGNED)' $(B)/kiln.efi
	$(Q)sbverify --cert '$(CERT)' '$(SIGNED)' >/dev/null || { echo "sign: sbverify rejects $(SIGNED)" >&2; rm -f '$(SIGNED)'; exit 1; }

test-lab: $(B)/kiln.efi $(QEMU_BIN) | $(DEPS_STAMP)
	$(Q)mkdir -p $(B)/results
	$(Q)$(LAB_PYTHON) tests/lab/run-lab-tests --qemu '$(QEMU_BIN)' --results $(B)/results/lab.tap

# Kiln on LAVA: Debian's lava-run executes Kiln's jobs. lava-dispatcher is installed only
# for this target (tools/deps.sh --lava), so `make` and `make run` never pay for it.
LAVA_STAMP := $(B)/lava/.deps-ok
$(LAVA_STAMP): tools/deps.sh
	$(Q)bash tools/deps.sh --lava
	$(Q)mkdir -p $(dir $@) && touch $@

test-lava: $(B)/kiln.efi $(QEMU_BIN) $(LAVA_STAMP) | $(DEPS_STAMP)
	$(Q)mkdir -p $(B)/results
	$(Q)$(LAB_PYTHON) tests/lab/run-lava-tests --qemu '$(QEMU_BIN)' --results $(B)/results/lava.tap

.PHONY: image sign test-lab test-lava
