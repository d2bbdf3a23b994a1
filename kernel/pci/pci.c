/* PCI enumeration over ECAM (PCIe 5.0 §7.2.2): every bus of every MCFG segment, function 0
 * of each device and functions 1-7 of multi-function devices; BARs sized with decode
 * off; capabilities located. The device table lives in pages from the allocator and is
 * stable once pci_init() returns. */
#include "kernel/pci/pci.h"

#include "kernel/acpi.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/pmm.h"
#include "kernel/lib/string.h"

#define BUS_WINDOW (1ull << PCI_ECAM_BUS_SHIFT)

static struct pci_dev *table;
static unsigned count, capacity;
static uint64_t table_pages;
static unsigned segments;
static int init_status = PCI_ENOTINIT;

/* ---- configuration space ---- */

static uintptr_t cfg_addr(const struct pci_dev *d, uint16_t off, unsigned width)
{
	if (!d->cfg || off > PCIE_CFG_SIZE - width || (off & (width - 1)))
		return 0;
	return (uintptr_t)(d->cfg + off);
}

uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off)
{
	uintptr_t a = cfg_addr(d, off, 1);
	return a ? mmio_read8(a) : 0xffu;
}

uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off)
{
	uintptr_t a = cfg_addr(d, off, 2);
	return a ? mmio_read16(a) : 0xffffu;
}

uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off)
{
	uintptr_t a = cfg_addr(d, off, 4);
	return a ? mmio_read32(a) : PCI_CFG_ALL_ONES;
}

void pci_cfg_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
	uintptr_t a = cfg_addr(d, off, 1);
	if (a)
		mmio_write8(a, v);
}

void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	uintptr_t a = cfg_addr(d, off, 2);
	if (a)
		mmio_write16(a, v);
}

void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	uintptr_t a = cfg_addr(d, off, 4);
	if (a)
		mmio_write32(a, v);
}

int pci_check_present(const struct pci_dev *d)
{
	uint32_t id = pci_cfg_read32(d, PCI_VENDOR_ID);
	return (id == PCI_CFG_ALL_ONES || (id & 0xffffu) == PCI_VENDOR_NONE) ? PCI_EGONE : PCI_OK;
}

/* ---- command register ---- */

static void command_bits(struct pci_dev *d, uint16_t bits, bool on)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND), want = on ? (uint16_t)(cmd | bits) : (uint16_t)(cmd & ~bits);
	if (want != cmd)
		pci_cfg_write16(d, PCI_COMMAND, want);
}

void pci_enable_memory(struct pci_dev *d, bool on) { command_bits(d, PCI_COMMAND_MEMORY, on); }
void pci_enable_io(struct pci_dev *d, bool on) { command_bits(d, PCI_COMMAND_IO, on); }
void pci_set_master(struct pci_dev *d, bool on) { command_bits(d, PCI_COMMAND_MASTER, on); }
void pci_intx_disable(struct pci_dev *d, bool disabled) { command_bits(d, PCI_COMMAND_INTX_DISABLE, disabled); }

/* ---- BARs ---- */

static unsigned bar_slots(uint8_t header_type)
{
	switch (header_type) {
	case PCI_HEADER_NORMAL: return PCI_BAR_COUNT_NORMAL;
	case PCI_HEADER_BRIDGE: return PCI_BAR_COUNT_BRIDGE;
	case PCI_HEADER_CARDBUS: return PCI_BAR_COUNT_CARDBUS;
	}
	return 0;
}

static uint32_t probe32(struct pci_dev *d, uint16_t off, uint32_t orig)
{
	pci_cfg_write32(d, off, PCI_CFG_ALL_ONES);
	uint32_t v = pci_cfg_read32(d, off);
	pci_cfg_write32(d, off, orig);
	return v;
}

/* Size every BAR with memory and I/O decode off, so the all-ones address a BAR holds for a
 * moment never decodes, and with interrupts off, so no handler touches a device (the
 * console, say) while its decode is off. Host bridges keep decode on: on some chipsets
 * turning it off cuts the CPU off from memory (Linux does the same, quirk_mmio_always_on). */
static void size_bars(struct pci_dev *d)
{
	d->bar_count = (uint8_t)bar_slots(d->header_type);
	bool host = d->class_code == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_BRIDGE_HOST;
	int irqs = irq_enabled();
	irq_disable();
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);
	uint16_t decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	if (!host && (cmd & decode))
		pci_cfg_write16(d, PCI_COMMAND, (uint16_t)(cmd & ~decode));
	for (unsigned i = 0; i < d->bar_count; i++) {
		uint16_t off = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
		uint32_t lo = pci_cfg_read32(d, off), plo = probe32(d, off, lo), hi = 0, phi = 0;
		bool is64 = !(lo & PCI_BAR_SPACE_IO) && (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
		if (is64 && i + 1 >= d->bar_count) {
			d->bar[i] = (struct pci_bar){.probe = plo};
			d->bar_err[i] = PCI_EBARTYPE;
			continue;
		}
		if (is64) {
			hi = pci_cfg_read32(d, (uint16_t)(off + 4));
			phi = probe32(d, (uint16_t)(off + 4), hi);
		}
		d->bar_err[i] = (int8_t)pci_bar_decode(lo, plo, hi, phi, &d->bar[i]);
		if (is64) {
			i++;
			d->bar[i] = (struct pci_bar){.flags = PCI_BARF_UPPER, .probe = phi};
			d->bar_err[i] = PCI_OK;
		}
	}
	if (!host && (cmd & decode))
		pci_cfg_write16(d, PCI_COMMAND, cmd);
	if (irqs)
		irq_enable();
}

volatile void *pci_bar_map(struct pci_dev *d, unsigned bar, int *err)
{
	int e = PCI_OK;
	void *p = 0;
	if (bar >= d->bar_count || (d->bar[bar].flags & (PCI_BARF_UPPER | PCI_BARF_IO)) || !d->bar[bar].size ||
	    d->bar_err[bar] != PCI_OK)
		e = PCI_ENOBAR;
	else if (!d->bar[bar].base)
		e = PCI_EUNASSIGNED;
	else if (!(p = mmio_map(d->bar[bar].base, d->bar[bar].size)))
		e = PCI_EMAP;
	if (err)
		*err = e;
	return p;
}

/* ---- enumeration ---- */

static int grow(void)
{
	uint64_t pages = table_pages ? table_pages * 2 : 4;
	struct pci_dev *t = page_alloc(pages);
	if (!t)
		return PCI_ENOMEM;
	if (table) {
		memcpy(t, table, count * sizeof *table);
		page_free(table, table_pages);
	}
	table = t;
	table_pages = pages;
	capacity = (unsigned)(pages * PAGE_SIZE / sizeof *table);
	return PCI_OK;
}

/* Add the function if it answers. Returns 1 (added), 0 (nothing there) or an error. */
static int add_function(const struct acpi_mcfg_entry *m, unsigned bus, unsigned dev, unsigned fn, bool *multi)
{
	struct pci_dev d = {
		.seg = m->segment,
		.bus = (uint8_t)bus,
		.dev = (uint8_t)dev,
		.fn = (uint8_t)fn,
		.cfg = (volatile uint8_t *)(uintptr_t)(m->base + ((uint64_t)bus << PCI_ECAM_BUS_SHIFT) +
						       ((uint64_t)dev << PCI_ECAM_DEV_SHIFT) +
						       ((uint64_t)fn << PCI_ECAM_FN_SHIFT)),
	};
	uint32_t id = pci_cfg_read32(&d, PCI_VENDOR_ID);
	d.vendor = (uint16_t)id;
	d.device = (uint16_t)(id >> 16);
	if (d.vendor == PCI_VENDOR_NONE || d.vendor == 0)
		return 0;
	if (count == capacity && grow() < 0)
		return PCI_ENOMEM;
	uint32_t cls = pci_cfg_read32(&d, PCI_REVISION_ID);
	d.revision = (uint8_t)cls;
	d.prog_if = (uint8_t)(cls >> 8);
	d.subclass = (uint8_t)(cls >> 16);
	d.class_code = (uint8_t)(cls >> 24);
	uint8_t ht = pci_cfg_read8(&d, PCI_HEADER_TYPE);
	d.header_type = ht & PCI_HEADER_TYPE_MASK;
	d.multifunction = (ht & PCI_HEADER_MULTIFUNCTION) != 0;
	if (d.header_type == PCI_HEADER_NORMAL) {
		d.subsys_vendor = pci_cfg_read16(&d, PCI_SUBSYSTEM_VENDOR_ID);
		d.subsys_device = pci_cfg_read16(&d, PCI_SUBSYSTEM_ID);
	}
	size_bars(&d);
	pci_caps_scan(&d);
	*multi = d.multifunction;
	table[count++] = d;
	return 1;
}

static int scan_segment(const struct acpi_mcfg_entry *m)
{
	uint64_t first = m->base + ((uint64_t)m->bus_start << PCI_ECAM_BUS_SHIFT);
	if (!mmio_map(first, (uint64_t)(m->bus_end - m->bus_start + 1u) * BUS_WINDOW))
		return PCI_EMAP;
	for (unsigned bus = m->bus_start; bus <= m->bus_end; bus++) {
		for (unsigned dev = 0; dev < PCI_MAX_DEV; dev++) {
			bool multi = false;
			int r = add_function(m, bus, dev, 0, &multi);
			if (r < 0)
				return r;
			for (unsigned fn = 1; r > 0 && multi && fn < PCI_MAX_FN; fn++) {
				bool ignored;
				int rf = add_function(m, bus, dev, fn, &ignored);
				if (rf < 0)
					return rf;
			}
		}
	}
	return PCI_OK;
}

int pci_init(void)
{
	count = 0;
	segments = 0;
	if (!kernel_acpi.mcfg_count)
		return init_status = PCI_ENOMCFG;
	for (unsigned i = 0; i < kernel_acpi.mcfg_count; i++) {
		const struct acpi_mcfg_entry *m = &kernel_acpi.mcfg[i];
		if (m->bus_end < m->bus_start)
			continue; /* an empty range describes nothing */
		bool seen = false;
		for (unsigned j = 0; j < i; j++)
			seen |= kernel_acpi.mcfg[j].segment == m->segment;
		segments += !seen;
		int r = scan_segment(m);
		if (r < 0)
			return init_status = r;
	}
	return init_status = (int)count;
}

int pci_init_status(void) { return init_status; }
unsigned pci_device_count(void) { return init_status >= 0 ? count : 0; }
unsigned pci_segment_count(void) { return segments; }
struct pci_dev *pci_device(unsigned i) { return i < pci_device_count() ? &table[i] : 0; }

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned nth)
{
	for (unsigned i = 0; i < pci_device_count(); i++)
		if (table[i].vendor == vendor && table[i].device == device && !nth--)
			return &table[i];
	return 0;
}

struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, int prog_if, unsigned nth)
{
	for (unsigned i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = &table[i];
		if (d->class_code == class_code && d->subclass == subclass && (prog_if < 0 || d->prog_if == prog_if) &&
		    !nth--)
			return &table[i];
	}
	return 0;
}

char *pci_bdf(const struct pci_dev *d, char *buf)
{
	ksnprintf(buf, PCI_BDF_LEN, "%04x:%02x:%02x.%x", d->seg, d->bus, d->dev, d->fn);
	return buf;
}

struct pci_dev *pci_upstream_bridge(const struct pci_dev *d)
{
	for (unsigned i = 0; i < pci_device_count(); i++) {
		struct pci_dev *b = pci_device(i);
		if (b->header_type == PCI_HEADER_BRIDGE && b->seg == d->seg && b != d &&
		    pci_cfg_read8(b, PCI_SECONDARY_BUS) == d->bus)
			return b;
	}
	return 0;
}

int pci_early_function(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, struct pci_dev *out)
{
	*out = (struct pci_dev){.seg = seg, .bus = bus, .dev = dev, .fn = fn};
	for (unsigned i = 0; i < kernel_acpi.mcfg_count; i++) {
		const struct acpi_mcfg_entry *m = &kernel_acpi.mcfg[i];
		if (m->segment != seg || bus < m->bus_start || bus > m->bus_end)
			continue;
		uint64_t at = m->base + ((uint64_t)bus << PCI_ECAM_BUS_SHIFT) + ((uint64_t)dev << PCI_ECAM_DEV_SHIFT) +
			      ((uint64_t)fn << PCI_ECAM_FN_SHIFT);
		out->cfg = mmio_map(at, 1u << PCI_ECAM_FN_SHIFT);
		if (!out->cfg)
			return PCI_EMAP;
		uint32_t id = pci_cfg_read32(out, PCI_VENDOR_ID);
		out->vendor = (uint16_t)id;
		out->device = (uint16_t)(id >> 16);
		if (out->vendor == PCI_VENDOR_NONE || out->vendor == 0)
			return PCI_EGONE;
		uint32_t cls = pci_cfg_read32(out, PCI_REVISION_ID);
		out->revision = (uint8_t)cls;
		out->prog_if = (uint8_t)(cls >> 8);
		out->subclass = (uint8_t)(cls >> 16);
		out->class_code = (uint8_t)(cls >> 24);
		out->header_type = pci_cfg_read8(out, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
		return PCI_OK;
	}
	return PCI_ENOMCFG;
}
