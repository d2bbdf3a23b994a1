/* platform-pci-enumeration: ECAM enumeration found the platform's bridges, and every
 * function's BARs sized to something a PCI device can legally decode. */
#include "kernel/acpi.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/pci/pci.h"

/* QEMU q35 (hw/pci-host/q35.c, hw/isa/lpc_ich9.c) */
#define Q35_VENDOR_INTEL 0x8086
#define Q35_HOST_BRIDGE 0x29c0
#define Q35_LPC 0x2918
#define MAX_BAR_FAILS 32 /* enough to diagnose, not enough to flood the console */

static void describe_function(struct kt *t, const struct pci_dev *d)
{
	char bdf[PCI_BDF_LEN], bars[6 * 48] = "", one[40];
	unsigned n = 0;
	for (unsigned i = 0; i < d->bar_count; i++) {
		if (!d->bar[i].size || (d->bar[i].flags & PCI_BARF_UPPER))
			continue;
		n += (unsigned)ksnprintf(bars + n, sizeof bars - n, " %u:%s", i,
					 pci_bar_describe(&d->bar[i], one, sizeof one));
		if (n >= sizeof bars)
			break;
	}
	kt_diag(t, "%s %04x:%04x rev %02x class %02x.%02x.%02x hdr %u%s cmd 0x%04x bars%s", pci_bdf(d, bdf), d->vendor,
		d->device, d->revision, d->class_code, d->subclass, d->prog_if, d->header_type,
		d->multifunction ? " multi" : "", pci_cfg_read16(d, PCI_COMMAND), bars[0] ? bars : " none");
}

static void require(struct kt *t, uint16_t vendor, uint16_t device, uint8_t cls, uint8_t sub, const char *what)
{
	const struct pci_dev *d = pci_find(vendor, device, 0);
	char bdf[PCI_BDF_LEN];
	if (!d) {
		kt_fail(t, "QEMU q35 %s %04x:%04x not found among %u functions", what, vendor, device, pci_device_count());
		return;
	}
	if (d->class_code != cls || d->subclass != sub)
		kt_fail(t, "%s %s (%04x:%04x) has class %02x.%02x, expected %02x.%02x", what, pci_bdf(d, bdf), vendor, device,
			d->class_code, d->subclass, cls, sub);
	else
		kt_diag(t, "%s %04x:%04x at %s", what, vendor, device, pci_bdf(d, bdf));
}

static void check_bridges(struct kt *t)
{
	if (acpi_is_qemu(&kernel_acpi)) {
		require(t, Q35_VENDOR_INTEL, Q35_HOST_BRIDGE, PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, "host bridge");
		require(t, Q35_VENDOR_INTEL, Q35_LPC, PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_ISA, "ICH9 LPC bridge");
		return;
	}
	char bdf[PCI_BDF_LEN];
	const struct pci_dev *host = pci_find_class(PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, -1, 0);
	if (!host)
		kt_fail(t, "no host bridge (class 06.00) among %u functions", pci_device_count());
	else
		kt_diag(t, "host bridge %04x:%04x at %s", host->vendor, host->device, pci_bdf(host, bdf));
	const struct pci_dev *lpc = pci_find_class(PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_ISA, -1, 0);
	if (lpc)
		kt_diag(t, "ISA/LPC bridge %04x:%04x at %s", lpc->vendor, lpc->device, pci_bdf(lpc, bdf));
	else
		kt_diag(t, "ISA/LPC bridge check skipped: no class 06.01 function, which this platform "
			   "need not have (legacy devices may sit behind eSPI or none at all)");
}

/* Sizing left the register as it found it. */
static uint64_t bar_register_now(const struct pci_dev *d, unsigned i)
{
	uint16_t off = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
	uint32_t lo = pci_cfg_read32(d, off);
	if (d->bar[i].flags & PCI_BARF_IO)
		return lo & PCI_BAR_IO_ADDR_MASK & (d->bar[i].probe & 0xffff0000u ? 0xffffffffu : 0xffffu);
	uint64_t v = lo & PCI_BAR_MEM_ADDR_MASK;
	if (d->bar[i].flags & PCI_BARF_MEM64)
		v |= (uint64_t)pci_cfg_read32(d, (uint16_t)(off + 4)) << 32;
	return v;
}

static unsigned check_bars(struct kt *t, const struct pci_dev *d)
{
	char bdf[PCI_BDF_LEN], desc[48];
	unsigned bad = 0;
	pci_bdf(d, bdf);
	for (unsigned i = 0; i < d->bar_count; i++) {
		const struct pci_bar *b = &d->bar[i];
		uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
		if (d->bar_err[i] != PCI_OK) {
			kt_fail(t, "%s BAR%u (config 0x%02x): %s; it read back 0x%08x after all ones were written", bdf, i, reg,
				pci_strerror(d->bar_err[i]), b->probe);
			bad++;
			continue;
		}
		if (b->flags & PCI_BARF_UPPER)
			continue;
		if ((b->flags & PCI_BARF_MEM64) && !(i + 1 < d->bar_count && (d->bar[i + 1].flags & PCI_BARF_UPPER))) {
			kt_fail(t, "%s BAR%u is 64-bit but slot %u is not its upper half", bdf, i, i + 1);
			bad++;
		}
		if (!b->size)
			continue;
		pci_bar_describe(b, desc, sizeof desc);
		if (!pci_bar_is_pow2(b->size)) {
			kt_fail(t, "%s BAR%u %s: size 0x%llx is not a power of two", bdf, i, desc, (unsigned long long)b->size);
			bad++;
		}
		if (b->base & (b->size - 1)) {
			kt_fail(t, "%s BAR%u %s: base 0x%llx is not aligned to its size 0x%llx", bdf, i, desc,
				(unsigned long long)b->base, (unsigned long long)b->size);
			bad++;
		}
		uint64_t now = bar_register_now(d, i);
		if (now != b->base) {
			kt_fail(t, "%s BAR%u (config 0x%02x) holds 0x%llx after sizing, expected the original 0x%llx", bdf, i,
				reg, (unsigned long long)now, (unsigned long long)b->base);
			bad++;
		}
	}
	return bad;
}

static bool decodes(const struct pci_dev *d, const struct pci_bar *b, uint16_t cmd)
{
	if (!b->size || !b->base || (b->flags & PCI_BARF_UPPER))
		return false;
	return (b->flags & PCI_BARF_IO) ? (cmd & PCI_COMMAND_IO) != 0 : (cmd & PCI_COMMAND_MEMORY) != 0;
}

/* No two decoding BARs of the same space claim the same address. */
static unsigned check_overlaps(struct kt *t)
{
	unsigned n = pci_device_count(), bad = 0;
	for (unsigned a = 0; a < n; a++) {
		const struct pci_dev *da = pci_device(a);
		uint16_t ca = pci_cfg_read16(da, PCI_COMMAND);
		for (unsigned i = 0; i < da->bar_count; i++) {
			const struct pci_bar *ba = &da->bar[i];
			if (!decodes(da, ba, ca))
				continue;
			for (unsigned b = a; b < n; b++) {
				const struct pci_dev *db = pci_device(b);
				uint16_t cb = pci_cfg_read16(db, PCI_COMMAND);
				for (unsigned j = b == a ? i + 1 : 0; j < db->bar_count; j++) {
					const struct pci_bar *bb = &db->bar[j];
					if (!decodes(db, bb, cb) || (ba->flags & PCI_BARF_IO) != (bb->flags & PCI_BARF_IO) ||
					    !pci_ranges_overlap(ba->base, ba->size, bb->base, bb->size))
						continue;
					char x[PCI_BDF_LEN], y[PCI_BDF_LEN], dx[48], dy[48];
					kt_fail(t, "%s BAR%u %s overlaps %s BAR%u %s, both decoding", pci_bdf(da, x), i,
						pci_bar_describe(ba, dx, sizeof dx), pci_bdf(db, y), j,
						pci_bar_describe(bb, dy, sizeof dy));
					if (++bad >= MAX_BAR_FAILS)
						return bad;
				}
			}
		}
	}
	return bad;
}

void platform_pci_enumeration(struct kt *t)
{
	int st = pci_init_status();
	for (unsigned i = 0; i < kernel_acpi.mcfg_count; i++)
		kt_diag(t, "MCFG: segment %u buses %02x-%02x ECAM at 0x%llx", kernel_acpi.mcfg[i].segment,
			kernel_acpi.mcfg[i].bus_start, kernel_acpi.mcfg[i].bus_end,
			(unsigned long long)kernel_acpi.mcfg[i].base);
	if (st < 0) {
		kt_fail(t, "enumeration failed: %s", pci_strerror(st));
		return;
	}
	unsigned n = pci_device_count(), bad = 0, gone = 0;
	kt_diag(t, "%u functions on %u segment(s)", n, pci_segment_count());
	if (!n) {
		kt_fail(t, "no PCI function answered on any MCFG bus: ECAM at the wrong address, or not decoded");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct pci_dev *d = pci_device(i);
		char bdf[PCI_BDF_LEN];
		describe_function(t, d);
		if (pci_check_present(d) != PCI_OK) {
			kt_fail(t, "%s (%04x:%04x at enumeration): %s", pci_bdf(d, bdf), d->vendor, d->device,
				pci_strerror(PCI_EGONE));
			gone++;
			continue;
		}
		if (bad < MAX_BAR_FAILS)
			bad += check_bars(t, d);
	}
	check_bridges(t);
	if (!gone)
		bad += check_overlaps(t);
	kt_measure(t, "pci-functions", n, 0, "functions");
}
