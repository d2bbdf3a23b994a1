#include "kernel/harness/platform_console.h"

#include "kernel/console.h"
#include "kernel/arch/x86/paging.h"

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

const char *platform_console_select(enum cfg_console want, const struct acpi_info *ai)
{
	struct console_port p = {CONSOLE_IO, CONSOLE_COM1, 115200};
	switch (want) {
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
