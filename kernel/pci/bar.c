/* BAR decoding (PCI Local Bus 3.0 §6.2.5.1): what a base address register says about the
 * range it decodes, from its value before and after all ones were written to it; and the
 * words for enum pci_err. Pure logic, unit-tested on the host (tests/host/test_pci.c). */
#include "kernel/lib/fmt.h"
#include "kernel/pci/pci.h"

#define IO16_UPPER 0xffff0000u /* an I/O BAR of a 16-bit decoder reads back 0 up here */

bool pci_bar_is_pow2(uint64_t size) { return size && !(size & (size - 1)); }

bool pci_ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	if (!a_size || !b_size)
		return false;
	/* compare last bytes, so a range that ends at 2^64 does not wrap */
	uint64_t a_last = a + (a_size - 1), b_last = b + (b_size - 1);
	return a <= b_last && b <= a_last;
}

static int decode_io(uint32_t orig, uint32_t probe, struct pci_bar *b)
{
	uint32_t mask = probe & PCI_BAR_IO_ADDR_MASK;
	b->flags = PCI_BARF_IO;
	if (!mask)
		return PCI_OK; /* not implemented */
	if (!(mask & IO16_UPPER))
		mask |= IO16_UPPER;
	uint32_t size = mask & (~mask + 1u);
	if ((mask | (size - 1u)) != PCI_CFG_ALL_ONES)
		return PCI_EBARSIZE; /* writable address bits must be contiguous from the top */
	if ((probe & PCI_BAR_SPACE_IO) != PCI_BAR_SPACE_IO)
		return PCI_EBARSIZE;
	b->base = orig & PCI_BAR_IO_ADDR_MASK;
	if (!(probe & IO16_UPPER))
		b->base &= ~IO16_UPPER;
	b->size = size;
	return PCI_OK;
}

int pci_bar_decode(uint32_t orig_lo, uint32_t probe_lo, uint32_t orig_hi, uint32_t probe_hi, struct pci_bar *b)
{
	*b = (struct pci_bar){0};
	b->probe = probe_lo;
	if (!probe_lo && !orig_lo)
		return PCI_OK; /* not implemented: every bit reads as zero */
	if (orig_lo & PCI_BAR_SPACE_IO)
		return decode_io(orig_lo, probe_lo, b);

	uint32_t type = orig_lo & PCI_BAR_MEM_TYPE_MASK;
	if (type != PCI_BAR_MEM_TYPE_32 && type != PCI_BAR_MEM_TYPE_64)
		return PCI_EBARTYPE; /* "below 1 MiB" or reserved */
	if (orig_lo & PCI_BAR_MEM_PREFETCH)
		b->flags |= PCI_BARF_PREFETCH;
	/* the type and prefetch bits are read-only: they must read back unchanged */
	if ((probe_lo & ~PCI_BAR_MEM_ADDR_MASK) != (orig_lo & ~PCI_BAR_MEM_ADDR_MASK))
		return PCI_EBARSIZE;

	uint64_t mask, base;
	if (type == PCI_BAR_MEM_TYPE_64) {
		b->flags |= PCI_BARF_MEM64;
		mask = ((uint64_t)probe_hi << 32) | (probe_lo & PCI_BAR_MEM_ADDR_MASK);
		base = ((uint64_t)orig_hi << 32) | (orig_lo & PCI_BAR_MEM_ADDR_MASK);
	} else {
		mask = 0xffffffff00000000ull | (probe_lo & PCI_BAR_MEM_ADDR_MASK);
		base = orig_lo & PCI_BAR_MEM_ADDR_MASK;
		if (!(probe_lo & PCI_BAR_MEM_ADDR_MASK))
			return PCI_OK; /* type bits only: nothing decoded */
	}
	if (!mask)
		return PCI_OK;
	uint64_t size = mask & (~mask + 1u);
	if ((mask | (size - 1u)) != ~0ull)
		return PCI_EBARSIZE;
	b->base = base;
	b->size = size;
	return PCI_OK;
}

static const char *size_text(uint64_t size, char *buf, size_t n)
{
	static const char unit[] = {'\0', 'K', 'M', 'G', 'T', 'P', 'E'};
	unsigned u = 0;
	while (size >= 1024 && !(size % 1024) && u + 1 < sizeof unit) {
		size /= 1024;
		u++;
	}
	if (u)
		ksnprintf(buf, n, "%llu%c", (unsigned long long)size, unit[u]);
	else
		ksnprintf(buf, n, "%llu", (unsigned long long)size);
	return buf;
}

char *pci_bar_describe(const struct pci_bar *b, char *buf, size_t n)
{
	char sz[24];
	if (b->flags & PCI_BARF_UPPER)
		ksnprintf(buf, n, "(upper half)");
	else if (!b->size)
		ksnprintf(buf, n, "-");
	else if (b->flags & PCI_BARF_IO)
		ksnprintf(buf, n, "io 0x%llx+%s", (unsigned long long)b->base, size_text(b->size, sz, sizeof sz));
	else
		ksnprintf(buf, n, "mem%s%s 0x%llx+%s", (b->flags & PCI_BARF_MEM64) ? "64" : "32",
			  (b->flags & PCI_BARF_PREFETCH) ? " pf" : "", (unsigned long long)b->base,
			  size_text(b->size, sz, sizeof sz));
	return buf;
}

const char *pci_strerror(int err)
{
	switch (err) {
	case PCI_OK: return "ok";
	case PCI_EGONE: return "function vanished (config reads return all ones)";
	case PCI_ENOCAP: return "capability not present";
	case PCI_ECAPLOOP: return "capability list loops";
	case PCI_ECAPRANGE: return "capability pointer outside the capability area or unaligned";
	case PCI_ENOBAR: return "no such BAR (out of range, not implemented or the upper half of a 64-bit BAR)";
	case PCI_EUNASSIGNED: return "BAR has no address assigned";
	case PCI_EMAP: return "cannot map the range into the page tables";
	case PCI_ENOMEM: return "out of memory for the PCI device table";
	case PCI_ENOMCFG: return "ACPI has no MCFG table: configuration space unreachable";
	case PCI_EBARSIZE: return "BAR sizing read back an impossible mask";
	case PCI_EBARTYPE: return "reserved BAR type or 64-bit BAR in the last slot";
	case PCI_EINVAL: return "invalid argument";
	case PCI_ENOTINIT: return "PCI not enumerated yet";
	case PCI_ERANGE: return "MSI-X table or pending-bit array lies outside its BAR";
	}
	return "unknown PCI error";
}
