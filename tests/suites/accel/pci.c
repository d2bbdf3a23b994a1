/* Suite `pci`: the accelerator's PCI function as the host sees it — ids, BARs sized and
 * mapped, the PCIe link negotiated against what it is capable of, the Device Serial Number
 * and a clean AER log. Every accelerator bound is tested; diagnostics carry its BDF. */
#include "drivers/accel/accel.h"
#include "drivers/accel/hw/kiln_core.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/io.h"
#include "kernel/harness/ktest.h"
#include "kernel/harness/watch.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/regs.h"
#include "kernel/lib/string.h"
#include "tests/suites/accel/accel_test.h"

#define GIB4 (1ull << 32)
#define BAR_PROBE_WORD 0x4b424152u /* "RABK": written at the end of each memory window */

/* AER status bits by name: PCIe Base Specification 5.0 §7.8.4.2 (Uncorrectable Error
 * Status) and §7.8.4.5 (Correctable Error Status); the bit positions are the spec's and
 * Linux's include/uapi/linux/pci_regs.h PCI_ERR_UNC_* / PCI_ERR_COR_*. */
struct bit_name {
	unsigned bit;
	const char *name;
};
static const struct bit_name aer_uncor[] = {
	{0, "Undefined (Training Error)"}, {4, "Data Link Protocol Error"}, {5, "Surprise Down Error"},
	{12, "Poisoned TLP"}, {13, "Flow Control Protocol Error"}, {14, "Completion Timeout"},
	{15, "Completer Abort"}, {16, "Unexpected Completion"}, {17, "Receiver Overflow"},
	{18, "Malformed TLP"}, {19, "ECRC Error"}, {20, "Unsupported Request"}, {21, "ACS Violation"},
	{22, "Uncorrectable Internal Error"}, {23, "MC Blocked TLP"}, {24, "AtomicOp Egress Blocked"},
	{25, "TLP Prefix Blocked"}, {26, "Poisoned TLP Egress Blocked"},
};
static const struct bit_name aer_cor[] = {
	{0, "Receiver Error"}, {6, "Bad TLP"}, {7, "Bad DLLP"}, {8, "REPLAY_NUM Rollover"},
	{12, "Replay Timer Timeout"}, {13, "Advisory Non-Fatal Error"}, {14, "Corrected Internal Error"},
	{15, "Header Log Overflow"},
};

/* "Poisoned TLP (bit 12, fatal), ..." for every set bit; unknown bits by number. */
static void decode_bits(uint32_t v, uint32_t severity, bool uncor, char *buf, unsigned len)
{
	const struct bit_name *t = uncor ? aer_uncor : aer_cor;
	unsigned n = uncor ? sizeof aer_uncor / sizeof aer_uncor[0] : sizeof aer_cor / sizeof aer_cor[0];
	unsigned pos = 0;
	buf[0] = 0;
	for (unsigned b = 0; b < 32 && pos < len; b++) {
		if (!(v & (1u << b)))
			continue;
		const char *name = "reserved bit";
		for (unsigned i = 0; i < n; i++)
			if (t[i].bit == b)
				name = t[i].name;
		pos += (unsigned)ksnprintf(buf + pos, len - pos, "%s%s (bit %u%s)", pos ? ", " : "", name, b,
					   uncor ? ((severity & (1u << b)) ? ", fatal" : ", non-fatal") : "");
	}
}

/* A device whose configuration space vanished: vendor id reads all-ones. */
static bool config_alive(struct kt *t, struct accel *a)
{
	if (pci_check_present(a->pci) == PCI_OK)
		return true;
	a->gone = true;
	kt_fail(t, "%s: device not responding (PCI configuration space reads all-ones)", a->bdf);
	return false;
}

/* Vendor, device, subsystem, revision and class are the ones the driver bound to. */
static void pci_ids(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!config_alive(t, a))
			continue;
		const struct pci_dev *d = a->pci;
		uint16_t ven = pci_cfg_read16(d, PCI_VENDOR_ID), dev = pci_cfg_read16(d, PCI_DEVICE_ID);
		uint16_t sv = pci_cfg_read16(d, PCI_SUBSYSTEM_VENDOR_ID), sd = pci_cfg_read16(d, PCI_SUBSYSTEM_ID);
		uint8_t rev = pci_cfg_read8(d, PCI_REVISION_ID);
		uint16_t cls = pci_cfg_read16(d, PCI_CLASS_DEVICE);
		if (ven != KILN_PCI_VENDOR_ID || dev != KILN_PCI_DEVICE_ID)
			kt_fail(t, "%s: ids %04x:%04x, expected %04x:%04x", a->bdf, ven, dev, KILN_PCI_VENDOR_ID,
				KILN_PCI_DEVICE_ID);
		if (sv != KILN_PCI_SUBSYS_VENDOR_ID || sd != KILN_PCI_SUBSYS_ID)
			kt_fail(t, "%s: subsystem %04x:%04x, expected %04x:%04x", a->bdf, sv, sd, KILN_PCI_SUBSYS_VENDOR_ID,
				KILN_PCI_SUBSYS_ID);
		if (cls != KILN_PCI_CLASS)
			kt_fail(t, "%s: class 0x%04x, expected 0x%04x (processing accelerator)", a->bdf, cls, KILN_PCI_CLASS);
		if (rev != KILN_PCI_REVISION)
			kt_fail(t, "%s: revision 0x%02x, expected 0x%02x", a->bdf, rev, KILN_PCI_REVISION);
		if (ven != d->vendor || dev != d->device)
			kt_fail(t, "%s: ids now read %04x:%04x, enumeration saw %04x:%04x", a->bdf, ven, dev, d->vendor,
				d->device);
		kt_diag(t, "%s: %04x:%04x subsystem %04x:%04x rev %02x class %04x", a->bdf, ven, dev, sv, sd, rev, cls);
	}
}

/* One BAR: a 64-bit memory BAR of the expected size (prefetchable for memory windows),
 * assigned, mapped, and the mapping reaches its last word. */
static void check_bar(struct kt *t, struct accel *a, unsigned idx, const char *what, uint64_t want,
		      bool prefetch, volatile uint8_t *map, bool probe_end)
{
	const struct pci_bar *b = &a->pci->bar[idx];
	char desc[64];
	pci_bar_describe(b, desc, sizeof desc);
	if (b->size == 0) {
		kt_fail(t, "%s: BAR%u (%s) not implemented (sizing error: %s)", a->bdf, idx, what,
			pci_strerror(a->pci->bar_err[idx]));
		return;
	}
	if (!(b->flags & PCI_BARF_MEM64) || (b->flags & PCI_BARF_IO))
		kt_fail(t, "%s: BAR%u (%s) is %s, expected a 64-bit memory BAR", a->bdf, idx, what, desc);
	if (prefetch != !!(b->flags & PCI_BARF_PREFETCH))
		kt_fail(t, "%s: BAR%u (%s) is %s, expected %sprefetchable", a->bdf, idx, what, desc, prefetch ? "" : "non-");
	if (b->size != want)
		kt_fail(t, "%s: BAR%u (%s) is %llu bytes, the device reports %llu", a->bdf, idx, what,
			(unsigned long long)b->size, (unsigned long long)want);
	if (!b->base || !map) {
		kt_fail(t, "%s: BAR%u (%s) is not assigned or not mapped (%s)", a->bdf, idx, what, desc);
		return;
	}
	if (probe_end) {
		/* the last word of the window: the mapping covers the whole BAR */
		volatile uint32_t *w = (volatile uint32_t *)(map + b->size - sizeof(uint32_t));
		uint32_t old = *w;
		*w = BAR_PROBE_WORD;
		uint32_t got = *w;
		*w = old;
		if (got != BAR_PROBE_WORD)
			kt_fail(t, "%s: BAR%u (%s) last word at 0x%llx reads 0x%08x after writing 0x%08x", a->bdf, idx, what,
				(unsigned long long)(b->base + b->size - sizeof(uint32_t)), got, BAR_PROBE_WORD);
	}
	kt_diag(t, "%s: BAR%u %s: %s%s", a->bdf, idx, what, desc,
		idx == KILN_BAR_HBM ? (b->base >= GIB4 ? " (above 4 GiB)" : " (below 4 GiB)") : "");
}

static void pci_bars(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!config_alive(t, a) || !accel_test_alive(t, a))
			continue;
		uint32_t ident = accel_rd(a, KILN_BLK_CORE + KILN_CORE_ID);
		if (ident != KILN_CORE_ID_VALUE)
			kt_fail(t, "%s: BAR%u identity register reads 0x%08x, expected 0x%08x", a->bdf, KILN_BAR_CFG, ident,
				KILN_CORE_ID_VALUE);
		check_bar(t, a, KILN_BAR_CFG, "configuration", KILN_CFG_BAR_SIZE, false, a->cfg, false);
		check_bar(t, a, KILN_BAR_SRAM, "SRAM", a->sram_size, true, a->sram, true);
		check_bar(t, a, KILN_BAR_HBM, "HBM window", a->hbm_win_size, true, a->hbm, true);
	}
}

/* Negotiated link speed and width against the link's capability. */
static void pci_link(struct kt *t)
{
	unsigned tested = 0;
	FOR_EACH_ACCEL(i, a) {
		if (!config_alive(t, a))
			continue;
		struct pci_link l;
		int r = pci_link_info(a->pci, &l);
		if (r) {
			kt_fail(t, "%s: no PCIe link information: %s", a->bdf, pci_strerror(r));
			continue;
		}
		if (!l.has_link) {
			kt_diag(t, "%s: %s: no link registers (a root-complex integrated function)", a->bdf,
				pci_exp_type_name(l.port_type));
			continue;
		}
		tested++;
		if (l.cur_speed < l.max_speed || l.cur_width < l.max_width)
			kt_fail(t, "%s: link degraded: x%u at %s, capable x%u at %s", a->bdf, l.cur_width,
				pci_link_speed_name(l.cur_speed), l.max_width, pci_link_speed_name(l.max_speed));
		else if (l.cur_width == 0 || l.cur_speed == 0)
			kt_fail(t, "%s: link down: Link Status reads x%u at speed code %u", a->bdf, l.cur_width, l.cur_speed);
		else
			kt_diag(t, "%s: link x%u at %s, capable x%u at %s", a->bdf, l.cur_width, pci_link_speed_name(l.cur_speed),
				l.max_width, pci_link_speed_name(l.max_speed));
	}
	if (!tested && !kt_failed(t))
		kt_skip(t, "no accelerator has a PCIe link (all are root-complex integrated)");
}

/* The Device Serial Number: present, non-zero, the one the device CPU reports. */
static void pci_dsn(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!config_alive(t, a))
			continue;
		uint64_t dsn;
		int r = pci_dsn_read(a->pci, &dsn);
		if (r) {
			kt_fail(t, "%s: Device Serial Number capability: %s", a->bdf, pci_strerror(r));
			continue;
		}
		if (dsn == 0 || dsn == UINT64_MAX) {
			kt_fail(t, "%s: Device Serial Number reads 0x%016llx: no usable unit identity", a->bdf,
				(unsigned long long)dsn);
			continue;
		}
		struct kiln_cpucp_info info;
		r = accel_test_alive(t, a) ? accel_cpucp_info(a, &info) : ACCEL_EGONE;
		if (r == ACCEL_EGONE)
			continue;
		if (r)
			kt_fail(t, "%s: device CPU INFO_GET for the DSN cross-check: %s", a->bdf, accel_strerror(r));
		else if (info.dsn && info.dsn != dsn)
			kt_fail(t, "%s: Device Serial Number 0x%016llx, the device CPU reports 0x%016llx", a->bdf,
				(unsigned long long)dsn, (unsigned long long)info.dsn);
		kt_diag(t, "%s: DSN 0x%016llx%s", a->bdf, (unsigned long long)dsn,
			r == 0 && info.dsn == dsn ? " (matches the device CPU's)" : "");
	}
}

/* AER: what is logged is named, counted (one error per status bit, with what the health
 * watch counted and cleared during the run) and cleared so its next occurrence counts
 * again; more errors in the run than pcie.aer_cor_max / pcie.aer_uncor_max fail. */
static void limit_text(char *b, size_t n, uint32_t v)
{
	if (v == CFG_LIMIT_OFF)
		ksnprintf(b, n, "off");
	else
		ksnprintf(b, n, "%u", v);
}

static void pci_aer(struct kt *t)
{
	uint32_t cmax = kiln_cfg ? kiln_cfg->pcie.aer_cor_max : 0, umax = kiln_cfg ? kiln_cfg->pcie.aer_uncor_max : 0;
	FOR_EACH_ACCEL(i, a) {
		if (!config_alive(t, a))
			continue;
		struct pci_aer_status s;
		int r = pci_aer_read(a->pci, &s);
		if (r) {
			kt_fail(t, "%s: AER capability: %s", a->bdf, pci_strerror(r));
			continue;
		}
		uint32_t cor, uncor;
		watch_aer_add(a->index, s.cor_status, s.uncor_status, &cor, &uncor);
		char names[400];
		if (s.uncor_status) {
			decode_bits(s.uncor_status, s.uncor_severity, true, names, sizeof names);
			if (uncor > umax)
				kt_fail(t, "%s: AER uncorrectable error status 0x%08x: %s", a->bdf, s.uncor_status, names);
			else
				kt_diag(t, "%s: AER uncorrectable error status 0x%08x: %s", a->bdf, s.uncor_status, names);
		}
		if (s.cor_status) {
			decode_bits(s.cor_status, 0, false, names, sizeof names);
			if (cor > cmax)
				kt_fail(t, "%s: AER correctable error status 0x%08x: %s", a->bdf, s.cor_status, names);
			else
				kt_diag(t, "%s: AER correctable error status 0x%08x: %s", a->bdf, s.cor_status, names);
		}
		char cl[16], ul[16];
		limit_text(cl, sizeof cl, cmax);
		limit_text(ul, sizeof ul, umax);
		if (cor > cmax || uncor > umax)
			kt_fail(t, "%s: AER errors in this run: %u correctable (limit %s, pcie.aer_cor_max), %u uncorrectable "
				   "(limit %s, pcie.aer_uncor_max)", a->bdf, cor, cl, uncor, ul);
		else if (cor || uncor)
			kt_diag(t, "%s: AER errors in this run: %u correctable (limit %s), %u uncorrectable (limit %s): within "
				   "pcie.aer_cor_max / pcie.aer_uncor_max", a->bdf, cor, cl, uncor, ul);
		if (s.uncor_status || s.cor_status) {
			pci_aer_clear(a->pci, &s);
			struct pci_aer_status after;
			if (pci_aer_read(a->pci, &after) == PCI_OK && (after.uncor_status || after.cor_status))
				kt_diag(t, "%s: AER status still 0x%08x / 0x%08x after clearing", a->bdf, after.uncor_status,
					after.cor_status);
		} else {
			kt_diag(t, "%s: AER clean (uncorrectable mask 0x%08x, correctable mask 0x%08x)", a->bdf, s.uncor_mask,
				s.cor_mask);
		}
	}
}

static const struct kt_case cases[] = {
	{"pci-ids", pci_ids, 0},
	{"pci-bars", pci_bars, 0},
	{"pci-link", pci_link, 0},
	{"pci-dsn", pci_dsn, 0},
	{"pci-aer", pci_aer, 0},
};

KT_SUITE(pci, KT_SUITE_DEVICE | KT_SUITE_LANES);
