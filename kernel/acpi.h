/* ACPI tables (ACPI 6.5 spec, §5.2): RSDP -> XSDT (RSDT fallback) -> MCFG, MADT, FADT,
 * SPCR, HPET. Every table's checksum is verified; a bad one is recorded, not used.
 * Parsing works on byte buffers so the host tests run it on captured tables. */
#ifndef KILN_ACPI_H
#define KILN_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_MCFG 16
#define ACPI_MAX_CPUS 1024
/* A processor entry's flags (MADT Local APIC Flags, ACPI 6.5 §5.2.12.2 Table 5.40), and
 * whether it came from a Local x2APIC entry (type 9). */
#define ACPI_CPU_ENABLED 0x1u
#define ACPI_CPU_ONLINE_CAPABLE 0x2u
#define ACPI_CPU_X2APIC 0x80000000u

struct acpi_table_ref {
	char sig[5];
	uint64_t phys;
	uint32_t length;
	uint8_t revision;
	int checksum_ok;
	char oem_id[7];
	char oem_table_id[9];
};

struct acpi_mcfg_entry {
	uint64_t base;      /* ECAM base for bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

/* A generic address structure (ACPI §5.2.3.2). */
struct acpi_gas {
	uint8_t space;      /* 0 memory, 1 I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1

struct acpi_info {
	int rsdp_ok;             /* RSDP signature and checksums good */
	int rsdp_revision;
	int use_xsdt;
	char rsdp_oem[7];
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned table_count;
	unsigned bad_checksums;
	/* MCFG */
	struct acpi_mcfg_entry mcfg[ACPI_MAX_MCFG];
	unsigned mcfg_count;
	/* MADT */
	uint64_t lapic_base;
	unsigned cpu_count;       /* enabled processors: the ones present at boot */
	unsigned cpu_online_capable; /* not enabled, but could be at runtime (ACPI 6.5 Table 5.40) */
	unsigned cpu_entries;     /* every processor entry, xAPIC and x2APIC, whatever its flags */
	uint32_t cpu_apic_ids[ACPI_MAX_CPUS]; /* of the first ACPI_MAX_CPUS entries, in MADT order */
	uint32_t cpu_flags[ACPI_MAX_CPUS];    /* ACPI_CPU_* */
	unsigned ioapic_count;
	/* FADT */
	int have_fadt;
	uint32_t pm_timer_port;   /* I/O port, 0 if none */
	uint64_t pm_timer_mmio;   /* or memory address, 0 if none */
	int pm_timer_32bit;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	int have_reset_reg;
	/* SPCR */
	int have_spcr;
	struct acpi_gas spcr_addr;
	uint32_t spcr_baud;       /* 0: as configured by firmware */
	uint8_t spcr_interface;
	/* HPET */
	uint64_t hpet_base;       /* 0 if none */
};

/* Map a physical range so it can be read; the kernel maps, the host tests translate. */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);

uint8_t acpi_checksum(const void *p, size_t len);
/* Parse everything reachable from the RSDP. Returns 0, or -1 if the RSDP is unusable. */
int acpi_parse(struct acpi_info *ai, uint64_t rsdp_phys, acpi_map_fn map, void *ctx);
const struct acpi_table_ref *acpi_find(const struct acpi_info *ai, const char *sig);
/* QEMU's generated tables carry OEM id "BOCHS " (hw/acpi/aml-build.c, ACPI_BUILD_APPNAME6). */
int acpi_is_qemu(const struct acpi_info *ai);

/* The kernel's parsed tables (valid after kernel start-up). */
extern struct acpi_info kernel_acpi;

#endif
