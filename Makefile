# Kiln: one UEFI application (build/kiln.efi), its host tools and tests.
# `make run` builds what it needs and boots Kiln in QEMU + OVMF; `make test` runs every test.
# Out-of-tree build in build/, -MMD dependency files, `make V=1` for full commands.

.DEFAULT_GOAL := all
SHELL := /bin/bash
B := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := clang
LD := ld
OBJCOPY := objcopy
DEPS_STAMP := $(B)/.deps-ok

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
# The whole image is one position-independent PE: GNU-EFI's crt0 relocates it at load.
KCFLAGS := -std=c11 -target x86_64-unknown-linux-gnu -ffreestanding -fno-stack-protector -fpic \
	-fshort-wchar -mno-red-zone -fno-builtin -fno-strict-aliasing -O2 -g $(WARN) \
	-DGNU_EFI_USE_MS_ABI -I. -MMD -MP
EFI_CFLAGS := -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol

# kiln.efi sources: one concept per file.
BOOT_SRC := $(wildcard boot/*.c)
# Layers (docs/layout.md): kernel/lib, kernel/arch/x86, kernel (services), kernel/pci,
# drivers, net, kernel/harness; the in-image suites under tests/suites.
KERNEL_SRC := $(foreach d,kernel/lib kernel/arch/x86 kernel kernel/pci,$(wildcard $(d)/*.c $(d)/*.S)) \
	$(filter-out kernel/harness/upload.c,$(wildcard kernel/harness/*.c))
# Every suite folder is picked up; the ones that use lwIP are built by net/net.mk with its headers.
LWIP_SUITES := net nic fabric
SUITE_SRC := tests/suites/suites.c $(filter-out $(LWIP_SUITES:%=tests/suites/%/%),$(wildcard tests/suites/*/*.c))
DRIVER_SRC := drivers/drivers.c $(wildcard drivers/*/*.c)
KILN_SRC := $(BOOT_SRC) $(KERNEL_SRC) $(SUITE_SRC) $(DRIVER_SRC)
KILN_OBJ := $(patsubst %,$(B)/obj/%.o,$(KILN_SRC))
include net/net.mk

all: $(B)/kiln.efi

$(DEPS_STAMP): tools/deps.sh
	$(Q)bash tools/deps.sh
	$(Q)mkdir -p $(B) && touch $@

deps: $(DEPS_STAMP)

$(B)/obj/boot/%.c.o: boot/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(EFI_CFLAGS) -c $< -o $@

$(B)/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/obj/kernel/efirt.c.o: kernel/efirt.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(EFI_CFLAGS) -c $< -o $@

$(B)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/kiln.so: $(KILN_OBJ)
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $(KILN_OBJ) -L$(EFI_LIB) -lefi -lgnuefi -o $@
	$(Q)if nm -u $@ | grep -q .; then echo "undefined symbols in $@:"; nm -u $@; rm -f $@; exit 1; fi

$(B)/kiln.efi: $(B)/kiln.so
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .reloc --target=efi-app-x86_64 --subsystem=10 $< $@

-include $(KILN_OBJ:.o=.d)

include tests/host/host.mk
-include tools/qemu/qemu.mk
include tests/qemu/qemu-tests.mk
-include tools/lab/lab.mk

# ---- running -----------------------------------------------------------------------------
# make run ARGS='suites=platform seed=7' QEMU_ARGS='-m 3G -smp 2' TIMEOUT=600
ARGS ?=
QEMU_ARGS ?=
TIMEOUT ?= 900
RUN_DEPS := $(B)/kiln.efi $(QEMU_BIN)

run: $(RUN_DEPS)
	$(Q)python3 tools/kiln-run --qemu '$(QEMU_BIN)' --timeout '$(TIMEOUT)' --args '$(ARGS)' \
		--qemu-args '$(QEMU_ARGS)' --inject '$(INJECT)' --inject-at '$(INJECT_AT)' --accels '$(ACCELS)' \
		--ports '$(PORTS)' --hbm '$(HBM)' --topology '$(TOPOLOGY)' --uplink '$(UPLINK)' --name run

# ---- tests -------------------------------------------------------------------------------
test: $(DEPS_STAMP)
	$(Q)rm -rf $(B)/results && mkdir -p $(B)/results
	$(Q)status=0; \
	for t in $(TEST_TARGETS); do $(MAKE) --no-print-directory $$t || status=1; done; \
	python3 tools/test-summary $(B)/results | tee $(B)/results/summary.txt; s=$${PIPESTATUS[0]}; \
	[ $$status -eq 0 ] && [ $$s -eq 0 ]

bench: $(RUN_DEPS)
	$(Q)python3 tools/kiln-bench

clean:
	rm -rf $(B)/obj $(B)/kiln.so $(B)/kiln.efi $(B)/host $(B)/results $(B)/run

.PHONY: all deps run test bench clean

# The run header names the exact source: `git describe` of the tree that was built.
KILN_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(B)/obj/kernel/harness/main.c.o: KCFLAGS += -DKILN_GIT_VERSION='"$(KILN_VERSION)"'
