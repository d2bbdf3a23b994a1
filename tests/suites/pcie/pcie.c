/* Suite `pcie`: every PCI Express function in the machine audited, not only the ones Kiln
 * drives (docs/pcie.md). Links are judged from both ends (the function and its upstream
 * port), AER and Device Status from every function. The suite only reads: logged errors
 * stay logged for the BMC and the next run.
 *
 *   pcie-inventory      ids, class, port type, slot, link of every function
 *   pcie-link           negotiated speed/width against the function's capability, or an
 *                       expect.pcie.<BDF|slotN> rule; both ends named
 *   pcie-aer            AER correctable/uncorrectable status (minus pcie.aer_*_mask; one error per
 *                       bit, pcie.aer_*_max tolerated per function), header log
 *   pcie-device-status  Device Status error bits of functions without AER */
#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pci/pci.h"

#define MAX_LINES 64 /* diagnostics per case before the rest are only counted */

static const char *const uncor_names[32] = {
	[4] = "data link protocol", [5] = "surprise down", [12] = "poisoned TLP", [13] = "flow control protocol",
	[14] = "completion timeout", [15] = "completer abort", [16] = "unexpected completion",
	[17] = "receiver overflow", [18] = "malformed TLP", [19] = "ECRC", [20] = "unsupported request",
	[21] = "ACS violation", [22] = "uncorrectable internal", [23] = "MC blocked TLP", [24] = "AtomicOp egress blocked",
	[25] = "TLP prefix blocked", [26] = "poisoned TLP egress blocked",
};
static const char *const cor_names[32] = {
	[0] = "receiver error", [6] = "bad TLP", [7] = "bad DLLP", [8] = "replay num rollover",
	[12] = "replay timer timeout", [13] = "advisory non-fatal", [14] = "corrected internal",
	[15] = "header log overflow",
};

static void bit_names(uint32_t bits, const char *const names[32], char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned b = 0; b < 32 && n < len; b++)
		if (bits & (1u << b))
			n += (size_t)ksnprintf(buf + n, len - n, "%s%s", n ? ", " : "", names[b] ? names[b] : "reserved bit");
}

static bool is_express(const struct pci_dev *d) { return d->cap_exp != 0; }

/* "slot3" when the upstream port advertises a physical slot, else "". */
static void slot_name(const struct pci_dev *up, char *buf, size_t len)
{
	unsigned s;
	buf[0] = 0;
	if (up && pci_port_slot(up, &s) == PCI_OK)
		ksnprintf(buf, len, "slot%u", s);
}

/* The expect.pcie rule for this function (by full BDF, bb:dd.f, or slot), or NULL. */
static int rule_for(const struct pci_dev *d, const char *slot)
{
	const struct kiln_config *c = kiln_cfg;
	char bdf[PCI_BDF_LEN];
	pci_bdf(d, bdf);
	for (unsigned i = 0; c && i < c->pcie.nrules; i++) {
		const char *t = c->pcie.rule[i].target;
		if (!strcmp(t, bdf) || !strcmp(t, bdf + 5) || (slot[0] && !strcmp(t, slot)))
			return (int)i;
	}
	return -1;
}

static void pcie_inventory(struct kt *t)
{
	int st = pci_init_status();
	if (st < 0) {
		kt_fail(t, "PCI enumeration failed: %s", pci_strerror(st));
		return;
	}
	unsigned express = 0, lines = 0;
	for (unsigned i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		char bdf[PCI_BDF_LEN], ubdf[PCI_BDF_LEN] = "-", slot[16], link[64] = "";
		pci_bdf(d, bdf);
		if (d->cap_err || d->ext_err)
			kt_fail(t, "%s %04x:%04x: capability list broken at 0x%x (%s): its link and errors cannot be audited",
				bdf, d->vendor, d->device, d->cap_err ? d->cap_err_off : d->ext_err_off,
				pci_strerror(d->cap_err ? d->cap_err : d->ext_err));
		if (!is_express(d))
			continue;
		express++;
		const struct pci_dev *up = pci_upstream_bridge(d);
		if (up)
			pci_bdf(up, ubdf);
		slot_name(up, slot, sizeof slot);
		struct pci_link l;
		if (pci_link_info(d, &l) == PCI_OK && l.has_link)
			ksnprintf(link, sizeof link, " link %s x%u of %s x%u", pci_link_speed_name(l.cur_speed), l.cur_width,
				  pci_link_speed_name(l.max_speed), l.max_width);
		if (lines++ < MAX_LINES)
			kt_diag(t, "%s %04x:%04x class %02x.%02x.%02x %s upstream %s%s%s%s%s", bdf, d->vendor, d->device,
				d->class_code, d->subclass, d->prog_if, pci_exp_type_name(l.port_type), ubdf,
				slot[0] ? " " : "", slot, link, d->ext_aer ? " aer" : "");
	}
	kt_diag(t, "%u functions, %u with PCI Express%s", pci_device_count(), express,
		lines > MAX_LINES ? " (the list above is cut)" : "");
	if (!express)
		kt_skip(t, "no PCI Express function in this machine");
}

/* Functions below a port: endpoints, legacy endpoints, switch upstream ports, bridges. */
static bool link_below_port(uint8_t type)
{
	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END || type == PCI_EXP_TYPE_UPSTREAM ||
	       type == PCI_EXP_TYPE_PCI_BRIDGE;
}

static uint8_t min8(uint8_t a, uint8_t b) { return a < b ? a : b; }

static void pcie_link(struct kt *t)
{
	unsigned links = 0, bad = 0;
	for (unsigned i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		struct pci_link dl, ul;
		if (!is_express(d) || d->fn != 0 || pci_link_info(d, &dl) != PCI_OK || !dl.has_link ||
		    !link_below_port(dl.port_type))
			continue; /* one check per link: function 0 of the device below the port */
		const struct pci_dev *up = pci_upstream_bridge(d);
		char bdf[PCI_BDF_LEN], ubdf[PCI_BDF_LEN], slot[16];
		pci_bdf(d, bdf);
		if (!up || pci_link_info(up, &ul) != PCI_OK || !ul.has_link) {
			kt_diag(t, "%s: no PCI Express port above it; its own view: %s x%u of %s x%u", bdf,
				pci_link_speed_name(dl.cur_speed), dl.cur_width, pci_link_speed_name(dl.max_speed),
				dl.max_width);
			continue;
		}
		pci_bdf(up, ubdf);
		slot_name(up, slot, sizeof slot);
		links++;
		/* what the link runs at: the lower of what the two ends report */
		uint8_t sp = min8(dl.cur_speed, ul.cur_speed), w = min8(dl.cur_width, ul.cur_width);
		char ends[200];
		ksnprintf(ends, sizeof ends, "%s %s (%s x%u, capable %s x%u) <-> %s %04x:%04x (%s x%u, capable %s x%u)",
			  pci_exp_type_name(ul.port_type), ubdf, pci_link_speed_name(ul.cur_speed), ul.cur_width,
			  pci_link_speed_name(ul.max_speed), ul.max_width, bdf, d->vendor, d->device,
			  pci_link_speed_name(dl.cur_speed), dl.cur_width, pci_link_speed_name(dl.max_speed), dl.max_width);
		int r = rule_for(d, slot);
		if (r >= 0) {
			const struct kiln_config *c = kiln_cfg;
			uint8_t want_sp = c->pcie.rule[r].speed, want_w = c->pcie.rule[r].width;
			char rule[48], wtxt[8] = "";
			if (want_w)
				ksnprintf(wtxt, sizeof wtxt, "x%u", want_w);
			ksnprintf(rule, sizeof rule, "expect.pcie.%s=gen%u%s", c->pcie.rule[r].target, want_sp, wtxt);
			if (sp < want_sp || (want_w && w < want_w)) {
				kt_fail(t, "%s%s%s link at %s x%u, below %s: %s", bdf, slot[0] ? " " : "", slot,
					pci_link_speed_name(sp), w, rule, ends);
				bad++;
			} else {
				kt_diag(t, "%s link at %s x%u meets %s: %s", bdf, pci_link_speed_name(sp), w, rule, ends);
			}
			continue;
		}
		if (sp < dl.max_speed || w < dl.max_width) {
			const char *by = ul.max_speed < dl.max_speed || ul.max_width < dl.max_width
						 ? "limited by the port's capability"
						 : "trained below what both ends can do";
			kt_fail(t, "%s%s%s link at %s x%u, below the function's capability %s x%u (%s): %s", bdf,
				slot[0] ? " " : "", slot, pci_link_speed_name(sp), w, pci_link_speed_name(dl.max_speed),
				dl.max_width, by, ends);
			bad++;
		} else {
			kt_diag(t, "%s link at %s x%u, as capable: %s", bdf, pci_link_speed_name(sp), w, ends);
		}
		if (dl.cur_speed != ul.cur_speed || dl.cur_width != ul.cur_width)
			kt_diag(t, "%s: the two ends disagree on the link (%s x%u vs %s x%u)", bdf,
				pci_link_speed_name(ul.cur_speed), ul.cur_width, pci_link_speed_name(dl.cur_speed),
				dl.cur_width);
	}
	kt_diag(t, "%u links checked, %u below expectation", links, bad);
	if (!links)
		kt_skip(t, "no PCI Express link in this machine (every function is root-complex integrated)");
}

static void pcie_aer(struct kt *t)
{
	const struct kiln_config *c = kiln_cfg;
	uint32_t cmask = c ? c->pcie.aer_cor_mask : 0, umask = c ? c->pcie.aer_uncor_mask : 0;
	unsigned n = 0, bad = 0;
	for (unsigned i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		struct pci_aer_status s;
		char bdf[PCI_BDF_LEN], names[300];
		if (!d->ext_aer || pci_aer_read(d, &s) != PCI_OK)
			continue;
		n++;
		pci_bdf(d, bdf);
		uint32_t u = s.uncor_status & ~umask, k = s.cor_status & ~cmask;
		/* one error per status bit; pcie.aer_*_max errors per function are tolerated */
		uint32_t umax = c ? c->pcie.aer_uncor_max : 0, cmax = c ? c->pcie.aer_cor_max : 0;
		if (u && (uint32_t)__builtin_popcount(u) <= umax) {
			kt_diag(t, "%s: AER uncorrectable status 0x%08x: %u error(s), within pcie.aer_uncor_max %u", bdf, u,
				(unsigned)__builtin_popcount(u), umax);
			u = 0;
		}
		if (k && (uint32_t)__builtin_popcount(k) <= cmax) {
			kt_diag(t, "%s: AER correctable status 0x%08x: %u error(s), within pcie.aer_cor_max %u", bdf, k,
				(unsigned)__builtin_popcount(k), cmax);
			k = 0;
		}
		if (u) {
			uint32_t log[PCI_ERR_HEADER_LOG_DWORDS];
			uint8_t fep = 0;
			pci_aer_header_log(d, log, &fep);
			bit_names(u, uncor_names, names, sizeof names);
			kt_fail(t, "%s %04x:%04x AER uncorrectable status 0x%08x (%s; %s severity 0x%08x, mask 0x%08x), first "
				   "error bit %u, header log %08x %08x %08x %08x",
				bdf, d->vendor, d->device, u, names, (u & s.uncor_severity) ? "fatal" : "non-fatal",
				s.uncor_severity, s.uncor_mask, fep, log[0], log[1], log[2], log[3]);
			bad++;
		}
		if (k) {
			bit_names(k, cor_names, names, sizeof names);
			kt_fail(t, "%s %04x:%04x AER correctable status 0x%08x (%s; device mask 0x%08x)", bdf, d->vendor,
				d->device, k, names, s.cor_mask);
			bad++;
		}
		if ((s.uncor_status & umask) || (s.cor_status & cmask))
			kt_diag(t, "%s: masked by config: uncorrectable 0x%08x correctable 0x%08x", bdf, s.uncor_status & umask,
				s.cor_status & cmask);
	}
	kt_diag(t, "%u functions with AER, %u reporting errors (masks: pcie.aer_cor_mask=0x%x pcie.aer_uncor_mask=0x%x)",
		n, bad, cmask, umask);
	if (!n)
		kt_skip(t, "no function in this machine has AER");
}

static void pcie_device_status(struct kt *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		uint16_t e;
		char bdf[PCI_BDF_LEN];
		if (!is_express(d) || pci_devsta_errors(d, &e) != PCI_OK)
			continue;
		n++;
		if (!e)
			continue;
		pci_bdf(d, bdf);
		char what[100];
		ksnprintf(what, sizeof what, "%s%s%s%s", e & PCI_EXP_DEVSTA_CED ? " correctable" : "",
			  e & PCI_EXP_DEVSTA_NFED ? " non-fatal" : "", e & PCI_EXP_DEVSTA_FED ? " fatal" : "",
			  e & PCI_EXP_DEVSTA_URD ? " unsupported-request" : "");
		if (d->ext_aer) /* AER is the detailed record, judged (with the masks) by pcie-aer */
			kt_diag(t, "%s %04x:%04x Device Status errors 0x%x:%s (see pcie-aer)", bdf, d->vendor, d->device, e,
				what);
		else
			kt_fail(t, "%s %04x:%04x Device Status errors 0x%x:%s (no AER to say more)", bdf, d->vendor, d->device,
				e, what);
	}
	kt_diag(t, "%u PCI Express functions", n);
	if (!n)
		kt_skip(t, "no PCI Express function in this machine");
}

static const struct kt_case cases[] = {
	{"pcie-inventory", pcie_inventory, 0},
	{"pcie-link", pcie_link, 0},
	{"pcie-aer", pcie_aer, 0},
	{"pcie-device-status", pcie_device_status, 0},
};

KT_SUITE(pcie, 0);
