/* Reference clocks for calibrating the TSC: the ACPI PM timer (3.579545 MHz, 24 or 32
 * bits, ACPI 6.5 §4.8.3.3) and the HPET (IA-PC HPET spec 1.0a §2.3). */
#ifndef KILN_PMTIMER_H
#define KILN_PMTIMER_H

#include <stdint.h>

#define PM_TIMER_HZ 3579545ull

struct refclock {
	const char *name;
	uint64_t hz;
	uint64_t mask;             /* counter width */
	uint64_t (*read)(void);
};

/* From the parsed ACPI tables; returns 0 and fills *rc, or -1 if there is no such clock. */
int pmtimer_get(struct refclock *rc);
int hpet_get(struct refclock *rc);

#endif
