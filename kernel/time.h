/* Time: the TSC, calibrated once against the ACPI PM timer (or HPET), is the clock;
 * every wait in Kiln takes a deadline built from it. */
#ifndef KILN_TIME_H
#define KILN_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* Calibrate the TSC. Returns 0, or -1 with a reason in *why when no reference exists. */
int time_init(const char **why);
uint64_t time_tsc_hz(void);
/* Which reference calibrated the TSC: "acpi-pm-timer", "hpet". */
const char *time_reference(void);
uint64_t time_ns(void);            /* since time_init */
uint64_t tsc_to_ns(uint64_t ticks);
void udelay(uint64_t us);

struct deadline {
	uint64_t end_tsc;
};
struct deadline deadline_in_ns(uint64_t ns);
static inline struct deadline deadline_in_ms(uint64_t ms) { return deadline_in_ns(ms * NS_PER_MS); }
bool deadline_passed(struct deadline d);

#endif
