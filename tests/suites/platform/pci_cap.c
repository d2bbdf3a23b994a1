/* platform-pci-capabilities: every function's capability lists walk cleanly (no loops, no
 * pointer outside the capability area, every structure inside config space), agree with
 * what enumeration cached, and PCI Express functions report a link that makes sense. */
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/pci/pci.h"

#define LIST_TEXT 256
#define PM_CAP_LEN 8
#define MSIX_CAP_LEN 12
#define MSI_CAP_LEN_BASE 10         /* 32-bit address, no masking */
#define MSI_CAP_LEN_64 4
#define MSI_CAP_LEN_MASK 10         /* mask + pending (+ reserved upper data) */
#define EXP_CAP_LEN_V2 0x3c
#define EXT_CAP_HDR_LEN 4
#define DSN_CAP_LEN 12
#define AER_CAP_LEN_MIN 0x18        /* up to the correctable mask (PCIe 5.0 §7.8.4) */

struct walk {
	struct kt *t;
	const struct pci_dev *d;
	const char *bdf;
	char text[LIST_TEXT];
	size_t len;
	unsigned bad;
	uint16_t area_end;
};

static void append(struct walk *w, const char *fmt, unsigned id, unsigned off)
{
	if (w->len < sizeof w->text)
		w->len += (size_t)ksnprintf(w->text + w->len, sizeof w->text - w->len, fmt, id, off);
}

static uint16_t std_cap_len(const struct pci_dev *d, uint16_t off, uint16_t id)
{
	switch (id) {
	case PCI_CAP_ID_PM: return PM_CAP_LEN;
	case PCI_CAP_ID_MSIX: return MSIX_CAP_LEN;
	case PCI_CAP_ID_EXP: return PCI_FIELD_GET(PCI_EXP_FLAGS_VERS, pci_cfg_read16(d, off + PCI_EXP_FLAGS)) >= 2
					    ? EXP_CAP_LEN_V2
					    : PCI_EXP_CAP_V1_LINK_END;
	case PCI_CAP_ID_MSI: {
		uint16_t f = pci_cfg_read16(d, off + PCI_MSI_FLAGS);
		return (uint16_t)(MSI_CAP_LEN_BASE + ((f & PCI_MSI_FLAGS_64BIT) ? MSI_CAP_LEN_64 : 0) +
				  ((f & PCI_MSI_FLAGS_MASKBIT) ? MSI_CAP_LEN_MASK : 0));
	}
	}
	return 2; /* id and next pointer */
}

static int std_visit(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct walk *w = arg;
	(void)version;
	append(w, " %02x@%02x", id, off);
	uint16_t len = std_cap_len(w->d, off, id);
	if (off + len > w->area_end) {
		kt_fail(w->t, "%s capability %02x at 0x%02x is %u bytes long and runs past 0x%x", w->bdf, id, off, len,
			w->area_end - 1u);
		w->bad++;
	}
	return 0;
}

static int ext_visit(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct walk *w = arg;
	append(w, " %04x@%03x", id, off);
	uint16_t len = id == PCI_EXT_CAP_ID_DSN ? DSN_CAP_LEN : id == PCI_EXT_CAP_ID_ERR ? AER_CAP_LEN_MIN : EXT_CAP_HDR_LEN;
	if (off + len > w->area_end) {
		kt_fail(w->t, "%s extended capability %04x v%u at 0x%03x is %u bytes long and runs past 0x%x", w->bdf, id,
			version, off, len, w->area_end - 1u);
		w->bad++;
	}
	return 0;
}

static void check_cached(struct kt *t, const struct pci_dev *d, const char *bdf, const char *what, unsigned cached,
			 unsigned now)
{
	if (cached != now)
		kt_fail(t, "%s %s capability at 0x%x at enumeration, 0x%x now: the list changed", bdf, what, cached, now);
}

static bool is_port(uint8_t type)
{
	return type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_UPSTREAM || type == PCI_EXP_TYPE_DOWNSTREAM ||
	       type == PCI_EXP_TYPE_PCI_BRIDGE || type == PCI_EXP_TYPE_PCIE_BRIDGE;
}

static void check_link(struct kt *t, const struct pci_dev *d, const char *bdf)
{
	struct pci_link l;
	int r = pci_link_info(d, &l);
	if (r < 0) {
		kt_fail(t, "%s PCIe link registers at 0x%02x: %s", bdf, d->cap_exp + PCI_EXP_LNKCAP, pci_strerror(r));
		return;
	}
	uint16_t flags = pci_cfg_read16(d, d->cap_exp + PCI_EXP_FLAGS);
	unsigned vers = PCI_FIELD_GET(PCI_EXP_FLAGS_VERS, flags);
	if (vers < 1 || vers > 2)
		kt_fail(t, "%s PCIe capability version %u (config 0x%02x = 0x%04x), expected 1 or 2", bdf, vers,
			d->cap_exp + PCI_EXP_FLAGS, flags);
	bool bridge_header = d->header_type == PCI_HEADER_BRIDGE;
	if (is_port(l.port_type) != bridge_header)
		kt_fail(t, "%s is a PCIe %s but has a type %u header", bdf, pci_exp_type_name(l.port_type), d->header_type);
	if (!l.has_link) {
		kt_diag(t, "%s PCIe %s (no link)", bdf, pci_exp_type_name(l.port_type));
		return;
	}
	if (!l.max_speed || !l.max_width)
		kt_fail(t, "%s link capabilities (config 0x%02x) claim speed code %u width x%u: neither may be 0", bdf,
			d->cap_exp + PCI_EXP_LNKCAP, l.max_speed, l.max_width);
	/* A port may have nothing behind it; an endpoint or upstream port is talking to us
	 * over its link, so that link is up. */
	bool must_be_up = l.port_type == PCI_EXP_TYPE_ENDPOINT || l.port_type == PCI_EXP_TYPE_LEG_END ||
			  l.port_type == PCI_EXP_TYPE_UPSTREAM;
	if (!l.cur_width) {
		if (must_be_up)
			kt_fail(t, "%s PCIe %s answers config cycles but its link status (config 0x%02x) shows width 0", bdf,
				pci_exp_type_name(l.port_type), d->cap_exp + PCI_EXP_LNKSTA);
		else
			kt_diag(t, "%s PCIe %s: link down (capable x%u at %s)", bdf, pci_exp_type_name(l.port_type),
				l.max_width, pci_link_speed_name(l.max_speed));
		return;
	}
	kt_diag(t, "%s PCIe %s: link x%u at %s, capable x%u at %s%s%s", bdf, pci_exp_type_name(l.port_type),
		l.cur_width, pci_link_speed_name(l.cur_speed), l.max_width, pci_link_speed_name(l.max_speed),
		l.training ? ", training" : "",
		(l.cur_width < l.max_width || l.cur_speed < l.max_speed) ? " (below capability)" : "");
	if (!l.cur_speed || l.cur_speed > l.max_speed)
		kt_fail(t, "%s current link speed code %u is outside 1..%u (link capabilities)", bdf, l.cur_speed,
			l.max_speed);
	if (l.cur_width > l.max_width)
		kt_fail(t, "%s negotiated width x%u exceeds the capable x%u", bdf, l.cur_width, l.max_width);
}

static void check_pcie_extras(struct kt *t, const struct pci_dev *d, const char *bdf)
{
	uint64_t serial;
	int r = pci_dsn_read(d, &serial);
	if (r == PCI_OK)
		kt_diag(t, "%s device serial number %016llx", bdf, (unsigned long long)serial);
	else if (r != PCI_ENOCAP)
		kt_fail(t, "%s DSN at 0x%03x: %s", bdf, d->ext_dsn, pci_strerror(r));
	struct pci_aer_status s;
	r = pci_aer_read(d, &s);
	if (r == PCI_OK && (s.uncor_status || s.cor_status))
		kt_diag(t, "%s AER logged errors: uncorrectable 0x%08x (mask 0x%08x, severity 0x%08x), correctable 0x%08x "
			   "(mask 0x%08x)",
			bdf, s.uncor_status, s.uncor_mask, s.uncor_severity, s.cor_status, s.cor_mask);
	else if (r != PCI_OK && r != PCI_ENOCAP)
		kt_fail(t, "%s AER at 0x%03x: %s", bdf, d->ext_aer, pci_strerror(r));
}

static void check_function(struct kt *t, const struct pci_dev *d)
{
	char bdf[PCI_BDF_LEN];
	pci_bdf(d, bdf);
	struct walk w = {.t = t, .d = d, .bdf = bdf, .area_end = PCI_CFG_SIZE};
	uint16_t at = 0;
	int n = pci_cap_walk(d, std_visit, &w, &at);
	if (n < 0) {
		kt_fail(t, "%s capability list: %s at config 0x%02x (after:%s)", bdf, pci_strerror(n), at,
			w.len ? w.text : " nothing");
		return;
	}
	check_cached(t, d, bdf, "MSI", d->cap_msi, pci_cap_find(d, PCI_CAP_ID_MSI));
	check_cached(t, d, bdf, "MSI-X", d->cap_msix, pci_cap_find(d, PCI_CAP_ID_MSIX));
	check_cached(t, d, bdf, "PCI Express", d->cap_exp, pci_cap_find(d, PCI_CAP_ID_EXP));
	check_cached(t, d, bdf, "power management", d->cap_pm, pci_cap_find(d, PCI_CAP_ID_PM));
	kt_diag(t, "%s %u capabilities:%s", bdf, (unsigned)n, w.len ? w.text : " none");
	if (!d->cap_exp)
		return;
	struct walk x = {.t = t, .d = d, .bdf = bdf, .area_end = PCIE_CFG_SIZE};
	n = pci_ext_cap_walk(d, ext_visit, &x, &at);
	if (n < 0) {
		kt_fail(t, "%s extended capability list: %s at config 0x%03x (after:%s)", bdf, pci_strerror(n), at,
			x.len ? x.text : " nothing");
		return;
	}
	check_cached(t, d, bdf, "AER", d->ext_aer, pci_ext_cap_find(d, PCI_EXT_CAP_ID_ERR));
	check_cached(t, d, bdf, "DSN", d->ext_dsn, pci_ext_cap_find(d, PCI_EXT_CAP_ID_DSN));
	kt_diag(t, "%s %u extended capabilities:%s", bdf, (unsigned)n, x.len ? x.text : " none");
	check_link(t, d, bdf);
	check_pcie_extras(t, d, bdf);
}

void platform_pci_capabilities(struct kt *t)
{
	int st = pci_init_status();
	if (st < 0) {
		kt_fail(t, "no functions to check: enumeration failed: %s", pci_strerror(st));
		return;
	}
	unsigned n = pci_device_count(), pcie = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct pci_dev *d = pci_device(i);
		char bdf[PCI_BDF_LEN];
		if (pci_check_present(d) != PCI_OK) {
			kt_fail(t, "%s (%04x:%04x): %s", pci_bdf(d, bdf), d->vendor, d->device, pci_strerror(PCI_EGONE));
			continue;
		}
		check_function(t, d);
		pcie += d->cap_exp != 0;
	}
	kt_diag(t, "%u functions walked, %u of them PCI Express", n, pcie);
}
