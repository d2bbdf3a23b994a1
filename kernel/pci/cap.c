/* Capabilities: the standard list (PCI 3.0 §6.7) and the PCI Express extended list
 * (PCIe 5.0 §7.6), walked with loop and bounds protection because a broken or vanished
 * device must produce a diagnosis, not a hang; and the PCIe link, DSN and AER registers
 * read through them. Pure: only the config accessors touch hardware, so the host tests
 * run this over a fake configuration space. */
#include "kernel/pci/pci.h"

#define STD_CAP_AREA_END PCI_CFG_SIZE
#define EXT_CAP_AREA_END PCIE_CFG_SIZE
#define DWORDS(bytes) ((bytes) / 4u)

/* One bit per dword of configuration space: where the walk has been. */
struct visited {
	uint64_t bits[DWORDS(PCIE_CFG_SIZE) / 64];
};

static bool visit(struct visited *v, uint16_t off)
{
	unsigned dw = off / 4u;
	uint64_t bit = 1ull << (dw % 64);
	if (v->bits[dw / 64] & bit)
		return false;
	v->bits[dw / 64] |= bit;
	return true;
}

static int fail_at(uint16_t *bad_off, uint16_t off, int err)
{
	if (bad_off)
		*bad_off = off;
	return err;
}

int pci_cap_walk(const struct pci_dev *d, pci_cap_visit_fn fn, void *arg, uint16_t *bad_off)
{
	uint16_t status = pci_cfg_read16(d, PCI_STATUS);
	if (status == 0xffffu && pci_check_present(d) != PCI_OK)
		return fail_at(bad_off, PCI_STATUS, PCI_EGONE);
	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;
	struct visited seen = {{0}};
	uint16_t from = PCI_CAPABILITY_LIST;
	uint16_t off = pci_cfg_read8(d, PCI_CAPABILITY_LIST) & PCI_CAPABILITY_LIST_MASK;
	int count = 0;
	while (off) {
		if (off < PCI_CAP_FIRST_OFFSET || off > STD_CAP_AREA_END - 4u)
			return fail_at(bad_off, from, PCI_ECAPRANGE);
		if (!visit(&seen, off))
			return fail_at(bad_off, off, PCI_ECAPLOOP);
		uint32_t hdr = pci_cfg_read32(d, off);
		if (hdr == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
			return fail_at(bad_off, off, PCI_EGONE);
		count++;
		if (fn && fn(arg, off, (uint16_t)(hdr & 0xffu), 0))
			return count;
		from = off + PCI_CAP_NEXT;
		off = (uint16_t)((hdr >> 8) & PCI_CAPABILITY_LIST_MASK);
	}
	return count;
}

int pci_ext_cap_walk(const struct pci_dev *d, pci_cap_visit_fn fn, void *arg, uint16_t *bad_off)
{
	struct visited seen = {{0}};
	uint16_t from = 0, off = PCI_EXT_CAP_FIRST_OFFSET;
	int count = 0;
	while (off) {
		if (off < PCI_EXT_CAP_FIRST_OFFSET || off > EXT_CAP_AREA_END - 4u)
			return fail_at(bad_off, from, PCI_ECAPRANGE);
		if (!visit(&seen, off))
			return fail_at(bad_off, off, PCI_ECAPLOOP);
		uint32_t hdr = pci_cfg_read32(d, off);
		if (hdr == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
			return fail_at(bad_off, off, PCI_EGONE);
		if (!hdr && off == PCI_EXT_CAP_FIRST_OFFSET)
			return 0; /* an empty extended list (PCIe §7.6.2) */
		count++;
		if (fn && fn(arg, off, (uint16_t)PCI_FIELD_GET(PCI_EXT_CAP_ID_MASK, hdr),
			     (uint8_t)PCI_FIELD_GET(PCI_EXT_CAP_VER_MASK, hdr)))
			return count;
		from = off;
		off = (uint16_t)(PCI_FIELD_GET(PCI_EXT_CAP_NEXT_MASK, hdr) & ~PCI_EXT_CAP_NEXT_RSVD);
	}
	return count;
}

struct find_arg {
	uint16_t id;
	uint16_t found;
};

/* The whole list is walked: a capability from a list that turns out broken is not used. */
static int find_visit(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct find_arg *f = arg;
	(void)version;
	if (id == f->id && !f->found)
		f->found = off;
	return 0;
}

uint8_t pci_cap_find(const struct pci_dev *d, uint8_t id)
{
	struct find_arg f = {id, 0};
	if (pci_cap_walk(d, find_visit, &f, 0) < 0)
		return 0;
	return (uint8_t)f.found;
}

uint16_t pci_ext_cap_find(const struct pci_dev *d, uint16_t id)
{
	struct find_arg f = {id, 0};
	if (!d->cap_exp || pci_ext_cap_walk(d, find_visit, &f, 0) < 0)
		return 0;
	return f.found;
}

struct scan_arg {
	struct pci_dev *d;
};

static int scan_std(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct pci_dev *d = ((struct scan_arg *)arg)->d;
	(void)version;
	uint8_t *slot = id == PCI_CAP_ID_PM     ? &d->cap_pm
			: id == PCI_CAP_ID_MSI  ? &d->cap_msi
			: id == PCI_CAP_ID_MSIX ? &d->cap_msix
			: id == PCI_CAP_ID_EXP  ? &d->cap_exp
						: 0;
	if (slot && !*slot)
		*slot = (uint8_t)off;
	return 0;
}

static int scan_ext(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct pci_dev *d = ((struct scan_arg *)arg)->d;
	(void)version;
	if (id == PCI_EXT_CAP_ID_ERR && !d->ext_aer)
		d->ext_aer = off;
	if (id == PCI_EXT_CAP_ID_DSN && !d->ext_dsn)
		d->ext_dsn = off;
	return 0;
}

void pci_caps_scan(struct pci_dev *d)
{
	struct scan_arg a = {d};
	d->cap_pm = d->cap_msi = d->cap_msix = d->cap_exp = 0;
	d->ext_aer = d->ext_dsn = 0;
	d->cap_err = d->ext_err = PCI_OK;
	d->cap_err_off = d->ext_err_off = 0;
	d->cap_count = 0;
	d->ext_count = 0;
	int n = pci_cap_walk(d, scan_std, &a, &d->cap_err_off);
	if (n < 0) { /* nothing from a broken list is trusted */
		d->cap_err = (int8_t)n;
		d->cap_pm = d->cap_msi = d->cap_msix = d->cap_exp = 0;
		return;
	}
	d->cap_count = (uint8_t)n;
	/* Only PCI Express functions have extended space; a conventional function behind
	 * ECAM reads all ones (or garbage) above 0xff. */
	if (!d->cap_exp)
		return;
	n = pci_ext_cap_walk(d, scan_ext, &a, &d->ext_err_off);
	if (n < 0) {
		d->ext_err = (int8_t)n;
		d->ext_aer = d->ext_dsn = 0;
		return;
	}
	d->ext_count = (uint16_t)n;
}

/* ---- PCI Express link ---- */

const char *pci_link_speed_name(uint8_t code)
{
	static const char *const names[] = {"unknown", "2.5 GT/s", "5 GT/s", "8 GT/s", "16 GT/s", "32 GT/s", "64 GT/s"};
	return code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

const char *pci_exp_type_name(uint8_t type)
{
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT: return "endpoint";
	case PCI_EXP_TYPE_LEG_END: return "legacy endpoint";
	case PCI_EXP_TYPE_ROOT_PORT: return "root port";
	case PCI_EXP_TYPE_UPSTREAM: return "switch upstream port";
	case PCI_EXP_TYPE_DOWNSTREAM: return "switch downstream port";
	case PCI_EXP_TYPE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case PCI_EXP_TYPE_RC_END: return "root complex integrated endpoint";
	case PCI_EXP_TYPE_RC_EC: return "root complex event collector";
	}
	return "reserved type";
}

int pci_link_info(const struct pci_dev *d, struct pci_link *l)
{
	*l = (struct pci_link){0};
	if (!d->cap_exp)
		return PCI_ENOCAP;
	uint16_t flags = pci_cfg_read16(d, d->cap_exp + PCI_EXP_FLAGS);
	uint32_t lnkcap = pci_cfg_read32(d, d->cap_exp + PCI_EXP_LNKCAP);
	uint16_t lnksta = pci_cfg_read16(d, d->cap_exp + PCI_EXP_LNKSTA);
	if (flags == 0xffffu && lnkcap == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	l->port_type = (uint8_t)PCI_FIELD_GET(PCI_EXP_FLAGS_TYPE, flags);
	l->has_link = l->port_type != PCI_EXP_TYPE_RC_END && l->port_type != PCI_EXP_TYPE_RC_EC;
	if (!l->has_link)
		return PCI_OK; /* the link registers are reserved for these (PCIe §7.5.3.6) */
	l->max_speed = (uint8_t)PCI_FIELD_GET(PCI_EXP_LNKCAP_SLS, lnkcap);
	l->max_width = (uint8_t)PCI_FIELD_GET(PCI_EXP_LNKCAP_MLW, lnkcap);
	l->cur_speed = (uint8_t)PCI_FIELD_GET(PCI_EXP_LNKSTA_CLS, lnksta);
	l->cur_width = (uint8_t)PCI_FIELD_GET(PCI_EXP_LNKSTA_NLW, lnksta);
	l->training = (lnksta & PCI_EXP_LNKSTA_LT) != 0;
	l->dll_active = (lnksta & PCI_EXP_LNKSTA_DLLLA) != 0;
	return PCI_OK;
}

/* ---- Device Serial Number, AER ---- */

int pci_dsn_read(const struct pci_dev *d, uint64_t *serial)
{
	*serial = 0;
	if (!d->ext_dsn)
		return PCI_ENOCAP;
	uint32_t lo = pci_cfg_read32(d, d->ext_dsn + PCI_DSN_LOW), hi = pci_cfg_read32(d, d->ext_dsn + PCI_DSN_HIGH);
	if (lo == PCI_CFG_ALL_ONES && hi == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	*serial = ((uint64_t)hi << 32) | lo;
	return PCI_OK;
}

int pci_aer_read(const struct pci_dev *d, struct pci_aer_status *s)
{
	*s = (struct pci_aer_status){0};
	if (!d->ext_aer)
		return PCI_ENOCAP;
	s->uncor_status = pci_cfg_read32(d, d->ext_aer + PCI_ERR_UNCOR_STATUS);
	s->uncor_mask = pci_cfg_read32(d, d->ext_aer + PCI_ERR_UNCOR_MASK);
	s->uncor_severity = pci_cfg_read32(d, d->ext_aer + PCI_ERR_UNCOR_SEVER);
	s->cor_status = pci_cfg_read32(d, d->ext_aer + PCI_ERR_COR_STATUS);
	s->cor_mask = pci_cfg_read32(d, d->ext_aer + PCI_ERR_COR_MASK);
	if (s->uncor_status == PCI_CFG_ALL_ONES && s->cor_status == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	return PCI_OK;
}

int pci_aer_clear(const struct pci_dev *d, const struct pci_aer_status *s)
{
	if (!d->ext_aer)
		return PCI_ENOCAP;
	pci_cfg_write32(d, d->ext_aer + PCI_ERR_UNCOR_STATUS, s->uncor_status);
	pci_cfg_write32(d, d->ext_aer + PCI_ERR_COR_STATUS, s->cor_status);
	return pci_check_present(d);
}

int pci_aer_header_log(const struct pci_dev *d, uint32_t log[PCI_ERR_HEADER_LOG_DWORDS], uint8_t *first_error)
{
	if (!d->ext_aer)
		return PCI_ENOCAP;
	for (unsigned i = 0; i < PCI_ERR_HEADER_LOG_DWORDS; i++)
		log[i] = pci_cfg_read32(d, (uint16_t)(d->ext_aer + PCI_ERR_HEADER_LOG + 4 * i));
	*first_error = (uint8_t)PCI_FIELD_GET(PCI_ERR_CAP_FEP, pci_cfg_read32(d, d->ext_aer + PCI_ERR_CAP));
	return pci_check_present(d);
}

int pci_devsta_errors(const struct pci_dev *d, uint16_t *bits)
{
	*bits = 0;
	if (!d->cap_exp)
		return PCI_ENOCAP;
	uint16_t v = pci_cfg_read16(d, d->cap_exp + PCI_EXP_DEVSTA);
	if (v == 0xffffu && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	*bits = v & PCI_EXP_DEVSTA_ERRORS;
	return PCI_OK;
}

int pci_port_slot(const struct pci_dev *port, unsigned *slot)
{
	*slot = 0;
	if (!port->cap_exp || !(pci_cfg_read16(port, port->cap_exp + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_SLOT))
		return PCI_ENOCAP;
	*slot = (unsigned)PCI_FIELD_GET(PCI_EXP_SLTCAP_PSN, pci_cfg_read32(port, port->cap_exp + PCI_EXP_SLTCAP));
	return PCI_OK;
}
