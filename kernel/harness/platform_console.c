#include "kernel/harness/platform_console.h"

#include "kernel/arch/x86/paging.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/pci/pci.h"

/* SPCR interface types (Microsoft SPCR spec / DBG2 port subtypes): 16550 variants. */
#define SPCR_16550 0x00
#define SPCR_16450 0x01
#define SPCR_16550_GAS 0x12
#define ACPI_ACCESS_DWORD 3

static const uint16_t com_ports[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

static int from_spcr(const struct acpi_info *ai, struct console_port *p)
{
	if (!ai->have_spcr || !ai->spcr_addr.address)
		return -1;
	if (ai->spcr_interface != SPCR_16550 && ai->spcr_interface != SPCR_16450 && ai->spcr_interface != SPCR_16550_GAS)
		return -1;
	p->baud = ai->spcr_baud;
	p->base = ai->spcr_addr.address;
	if (ai->spcr_addr.space == ACPI_GAS_IO) {
		p->space = CONSOLE_IO;
	} else if (ai->spcr_addr.space == ACPI_GAS_MEMORY) {
		p->space = ai->spcr_addr.access_size == ACPI_ACCESS_DWORD || ai->spcr_addr.bit_width == 32 ? CONSOLE_MMIO32
													     : CONSOLE_MMIO8;
		if (!mmio_map(p->base, PAGE_SIZE))
			return -1;
	} else {
		return -1;
	}
	return 0;
}

/* console=pci:<BDF>: a 16550-compatible UART function (class 07.00.02, e.g. a BMC's
 * serial-over-LAN UART, QEMU's pci-serial) at its BAR0, I/O or memory. */
static const char *from_pci(const struct kiln_config *c, struct console_port *p, char *note, size_t len)
{
	struct pci_dev d;
	int r = pci_early_function(c->console_addr.seg, c->console_addr.bus, c->console_addr.dev, c->console_addr.fn, &d);
	char bdf[PCI_BDF_LEN];
	pci_bdf(&d, bdf);
	if (r) {
		ksnprintf(note, len, "console=pci:%s: %s; staying on COM1", bdf,
			  r == PCI_EGONE ? "no function there" : pci_strerror(r));
		return note;
	}
	if (d.class_code != PCI_CLASS_COMM || d.subclass != PCI_SUBCLASS_COMM_SERIAL || d.prog_if != PCI_PROGIF_SERIAL_16550 ||
	    d.header_type != PCI_HEADER_NORMAL) {
		ksnprintf(note, len, "console=pci:%s: %04x:%04x class %02x.%02x.%02x is not a 16550-compatible UART "
			  "(07.00.02); staying on COM1", bdf, d.vendor, d.device, d.class_code, d.subclass, d.prog_if);
		return note;
	}
	uint32_t bar = pci_cfg_read32(&d, PCI_BASE_ADDRESS_0);
	if (bar & PCI_BAR_SPACE_IO) {
		p->space = CONSOLE_IO;
		p->base = bar & PCI_BAR_IO_ADDR_MASK;
		pci_enable_io(&d, true);
	} else {
		p->base = bar & PCI_BAR_MEM_ADDR_MASK;
		if ((bar & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64)
			p->base |= (uint64_t)pci_cfg_read32(&d, PCI_BASE_ADDRESS_0 + 4) << 32;
		p->space = CONSOLE_MMIO8;
		if (p->base && !mmio_map(p->base, PAGE_SIZE)) {
			ksnprintf(note, len, "console=pci:%s: BAR0 0x%llx cannot be mapped; staying on COM1", bdf,
				  (unsigned long long)p->base);
			return note;
		}
		pci_enable_memory(&d, true);
	}
	if (!p->base) {
		ksnprintf(note, len, "console=pci:%s: BAR0 has no address assigned; staying on COM1", bdf);
		return note;
	}
	console_init(p);
	ksnprintf(note, len, "16550 UART on PCI %s (%04x:%04x) at %s 0x%llx", bdf, d.vendor, d.device,
		  p->space == CONSOLE_IO ? "I/O port" : "MMIO", (unsigned long long)p->base);
	return note;
}

const char *platform_console_select(const struct kiln_config *c, const struct acpi_info *ai)
{
	static char note[160];
	enum cfg_console want = c->console;
	struct console_port p = {CONSOLE_IO, CONSOLE_COM1, 115200};
	switch (want) {
	case CFG_CONSOLE_PCI:
		return from_pci(c, &p, note, sizeof note);
	case CFG_CONSOLE_AUTO:
		if (from_spcr(ai, &p) == 0) {
			if (p.space == CONSOLE_IO && p.base == CONSOLE_COM1)
				return 0; /* already there */
			console_init(&p);
			return "UART from ACPI SPCR";
		}
		return 0; /* COM1, set up at entry */
	case CFG_CONSOLE_SPCR:
		if (from_spcr(ai, &p) < 0)
			return "console=spcr but no usable 16550 SPCR table; staying on COM1";
		console_init(&p);
		return "UART from ACPI SPCR";
	case CFG_CONSOLE_COM1: case CFG_CONSOLE_COM2: case CFG_CONSOLE_COM3: case CFG_CONSOLE_COM4:
		p.base = com_ports[want - CFG_CONSOLE_COM1];
		console_init(&p);
		return 0;
	}
	return 0;
}
