/*
 * dstore.so: an LD_PRELOAD shim for QEMU that widens a race in how a device model writes
 * a word of guest memory, so that a test can prove the model does not have it.
 *
 * glibc's memcpy writes a 4- or 8-byte buffer as two overlapping stores of the same bytes.
 * A model that writes a word the driver polls through memcpy (pci_dma_write) can have a
 * driver read the word between the two stores and clear it, and the second store then
 * undoes the clear (docs/device.md section 3, "Writes"). Under this shim every 4- or
 * 8-byte memcpy in qemu-system-* makes its two stores microseconds apart instead of
 * nanoseconds; other processes (the Python runner around QEMU) are left alone.
 *
 * Not part of the model (every C file in tools/qemu is built into QEMU): tests/qemu/qemu-tests.mk
 * builds it into build/host/dstore.so for the cases with
 * `preload = dstore` in tests/qemu/cases.cfg.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static int widen;
/* through a pointer: a compiler that knows memmove may turn a call to it into one to
 * memcpy, which here is this function */
static void *(*volatile move)(void *, const void *, size_t) = memmove;

__attribute__((constructor)) static void dstore_init(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		widen = strstr(exe, "qemu-system-") != NULL;
	}
}

/* some microseconds of the host CPU, without a system call (which would yield) */
static void gap(void)
{
	for (volatile unsigned i = 0; i < 3000; i++)
		;
}

void *memcpy(void *d, const void *s, size_t n)
{
	if (widen && n == 4) {
		uint32_t v;
		__builtin_memcpy(&v, s, 4);
		*(volatile uint32_t *)d = v;
		gap();
		*(volatile uint32_t *)d = v;
		return d;
	}
	if (widen && n == 8) {
		uint64_t v;
		__builtin_memcpy(&v, s, 8);
		*(volatile uint64_t *)d = v;
		gap();
		*(volatile uint64_t *)d = v;
		return d;
	}
	return move(d, s, n);
}
