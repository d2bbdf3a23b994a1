/* Which of the MADT's processors Kiln starts, and the INIT-SIPI-SIPI sequence with its
 * deadline, apart from the hardware: the LAPIC and the clock are passed in, so the host
 * tests (tests/host/test_smp_plan.c) run both on crafted CPU lists and with CPUs that
 * never answer. smp.c runs them on the machine. */
#ifndef KILN_SMP_PLAN_H
#define KILN_SMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86/percpu.h"

/* A processor entry of the MADT: its APIC id and flags (ACPI 6.5 §5.2.12.2 Table 5.40:
 * bit 0 Enabled, bit 1 Online Capable), and whether it was a Local x2APIC entry (type 9). */
#define SMP_ENTRY_ENABLED 0x1u
#define SMP_ENTRY_ONLINE_CAPABLE 0x2u
#define SMP_ENTRY_X2APIC 0x80000000u
#define SMP_MAX_ENTRIES 1024
/* The highest APIC id an xAPIC ICR can name (8 bits; 0xff is the broadcast). */
#define SMP_XAPIC_MAX_ID 0xfeu

struct smp_entry {
	uint32_t apic_id;
	uint32_t flags;
};

enum smp_fate {
	SMP_FATE_START,          /* an AP Kiln starts */
	SMP_FATE_SELF,           /* the boot CPU */
	SMP_FATE_DISABLED,       /* neither Enabled nor Online Capable: not there */
	SMP_FATE_ONLINE_CAPABLE, /* not enabled at boot; could be hot-added, which Kiln does not do */
	SMP_FATE_DUPLICATE,      /* repeats the APIC id of an earlier enabled entry */
	SMP_FATE_UNREACHABLE,    /* APIC id above 254 while the LAPIC is in xAPIC mode */
	SMP_FATE_NOT_WANTED,     /* beyond cpus= */
	SMP_FATE_OVER_CAP,       /* beyond SMP_MAX_CPUS */
	SMP_FATE_COUNT,
};

/* Decide every entry's fate: fate[i] for entries[i], count[f] the entries with fate f.
 * `want` counts the boot CPU (0: all); at most `max` CPUs are used, the boot CPU among
 * them. Returns how many entries are to be started. */
unsigned smp_plan(const struct smp_entry *entries, unsigned n, uint32_t self, unsigned want, unsigned max,
		  bool x2apic, uint8_t *fate, unsigned count[SMP_FATE_COUNT]);
const char *smp_fate_name(enum smp_fate f);
/* "4, 5, 7" for the entries with fate f, shortened with ", ..." when it does not fit;
 * returns the number of such entries. */
unsigned smp_plan_ids(const struct smp_entry *entries, const uint8_t *fate, unsigned n, enum smp_fate f, char *buf,
		      size_t len);

/* The hardware the start-up sequence drives (the LAPIC's ICR and a microsecond clock). */
struct smp_hw {
	int (*send_init)(uint32_t apic_id);
	int (*send_sipi)(uint32_t apic_id, uint8_t page);
	void (*delay_us)(uint64_t us);
	uint64_t (*now_us)(void);
};
#define SMP_INIT_DELAY_US 10000   /* Intel SDM vol. 3 §9.4.4.1: 10 ms after INIT */
#define SMP_SIPI_DELAY_US 200     /* and 200 us after each SIPI */

/* INIT, then up to two SIPIs naming the trampoline's page, then wait for the AP to set
 * *state to CPU_ONLINE for at most report_us. An AP that does not report in is parked
 * with INIT (so it can never run the trampoline with a later CPU's stack) and left
 * CPU_FAILED. Returns true when it came online. */
bool smp_start_one(volatile int *state, uint32_t apic_id, uint8_t page, const struct smp_hw *hw, uint64_t report_us);

#endif
