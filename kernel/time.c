#include "kernel/time.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/pmtimer.h"

#define CALIBRATE_MS 50
/* If the reference clock does not move within this many TSC cycles, it is broken. */
#define REF_STUCK_CYCLES 20000000000ull

static uint64_t tsc_hz, tsc0;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32 */
static const char *ref_name = "none";

uint64_t tsc_to_ns(uint64_t ticks) { return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32); }

static int calibrate(const struct refclock *rc, uint64_t *hz)
{
	uint64_t want = rc->hz * CALIBRATE_MS / 1000;
	uint64_t r0 = rc->read() & rc->mask, t0 = rdtsc(), r, t;
	do {
		r = rc->read() & rc->mask;
		t = rdtsc();
		if (t - t0 > REF_STUCK_CYCLES)
			return -1;
	} while (((r - r0) & rc->mask) < want);
	uint64_t ref_ticks = (r - r0) & rc->mask;
	*hz = (t - t0) * rc->hz / ref_ticks; /* < 2^64 for any TSC below 18 GHz */
	return *hz ? 0 : -1;
}

int time_init(const char **why)
{
	struct refclock rc;
	int have = pmtimer_get(&rc) == 0;
	if (!have)
		have = hpet_get(&rc) == 0;
	if (!have) {
		*why = "no ACPI PM timer and no HPET to calibrate the TSC against";
		return -1;
	}
	if (calibrate(&rc, &tsc_hz) < 0) {
		*why = "the reference clock does not advance";
		return -1;
	}
	ref_name = rc.name;
	ns_mult = (NS_PER_S << 32) / tsc_hz;
	tsc0 = rdtsc();
	return 0;
}

uint64_t time_tsc_hz(void) { return tsc_hz; }
const char *time_reference(void) { return ref_name; }
uint64_t time_ns(void) { return tsc_to_ns(rdtsc() - tsc0); }

void udelay(uint64_t us)
{
	struct deadline d = deadline_in_ns(us * NS_PER_US);
	while (!deadline_passed(d))
		cpu_relax();
}

struct deadline deadline_in_ns(uint64_t ns)
{
	uint64_t ticks = ns / NS_PER_S * tsc_hz + (ns % NS_PER_S) * tsc_hz / NS_PER_S;
	return (struct deadline){rdtsc() + ticks};
}

bool deadline_passed(struct deadline d) { return (int64_t)(rdtsc() - d.end_tsc) >= 0; }
