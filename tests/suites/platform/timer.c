/* platform-timer-calibration: the TSC, as calibrated, agrees with the ACPI PM timer (or
 * HPET) over an interval, and the LAPIC tick that enforces deadlines runs at its rate. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/harness/ktest.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/lib/median.h"
#include "kernel/pmtimer.h"
#include "kernel/time.h"

#define INTERVAL_MS 300
#define TRIES 3
#define TSC_TOLERANCE_PPM 20000   /* 2 %: emulated clocks are read with scheduling noise */
#define RATE_TOLERANCE_PPM 20000
#define RATE_SAMPLES 7
#define RATE_WINDOW_US 2000
/* Tick delivery: none may be invented (a few % over); some may be late under load, which
 * delays a deadline check by one period, but most must arrive. */
#define TICK_MAX_PCT 110
#define TICK_MIN_PCT 50

static int64_t ppm_error(uint64_t got, uint64_t want)
{
	int64_t diff = (int64_t)got - (int64_t)want;
	return diff * 1000000 / (int64_t)want;
}

void platform_timer_calibration(struct kt *t)
{
	struct refclock rc;
	if (pmtimer_get(&rc) < 0 && hpet_get(&rc) < 0) {
		kt_fail(t, "no reference clock (ACPI PM timer or HPET) to check the TSC against");
		return;
	}
	int64_t best = INT64_MAX;
	uint64_t best_ref_ns = 0, best_tsc_ns = 0, ticks[TRIES] = {0}, ticks_ns[TRIES] = {0};
	for (int i = 0; i < TRIES; i++) {
		uint64_t want = rc.hz * INTERVAL_MS / 1000;
		struct deadline guard = deadline_in_ms(INTERVAL_MS * 10);
		uint64_t r0 = rc.read() & rc.mask, t0 = rdtsc(), l0 = lapic_ticks(), r, t1;
		do {
			r = rc.read() & rc.mask;
			t1 = rdtsc();
			if (deadline_passed(guard)) {
				kt_fail(t, "%s did not advance %llu ticks within %u ms of TSC time", rc.name,
					(unsigned long long)want, INTERVAL_MS * 10);
				return;
			}
		} while (((r - r0) & rc.mask) < want);
		uint64_t ref_ns = ((r - r0) & rc.mask) * 1000000000ull / rc.hz;
		ticks[i] = lapic_ticks() - l0;
		ticks_ns[i] = ref_ns;
		uint64_t tsc_ns = tsc_to_ns(t1 - t0);
		int64_t e = ppm_error(tsc_ns, ref_ns);
		if (e < 0)
			e = -e;
		if (e < best) {
			best = e;
			best_ref_ns = ref_ns;
			best_tsc_ns = tsc_ns;
		}
	}
	kt_diag(t, "TSC %llu kHz vs %s: %llu us by the reference, %llu us by the TSC, error %lld ppm (limit %d)",
		(unsigned long long)(time_tsc_hz() / 1000), rc.name, (unsigned long long)(best_ref_ns / 1000),
		(unsigned long long)(best_tsc_ns / 1000), (long long)best, TSC_TOLERANCE_PPM);
	if (best > TSC_TOLERANCE_PPM)
		kt_fail(t, "TSC disagrees with %s by %lld ppm, more than %d ppm", rc.name, (long long)best, TSC_TOLERANCE_PPM);
	/* Ticks in each window: an extra tick in any is invented (a timer running fast); too few
	 * fail only when every window lost them. Under emulation the loop above reads the
	 * reference clock's I/O port, which takes the lock the model's timers need, and a
	 * loaded host then drops periods of the periodic timer in one window now and then;
	 * a timer that really loses interrupts loses them in all three. */
	unsigned lost = 0, fullest = 0;
	for (unsigned i = 0; i < TRIES; i++) {
		uint64_t expect = ticks_ns[i] * lapic_timer_hz() / 1000000000ull;
		kt_diag(t, "LAPIC timer: %llu ticks in %llu ms at %u Hz (expected %llu)", (unsigned long long)ticks[i],
			(unsigned long long)(ticks_ns[i] / 1000000), lapic_timer_hz(), (unsigned long long)expect);
		if (ticks[i] * 100 > expect * TICK_MAX_PCT + 100)
			kt_fail(t, "LAPIC timer delivered %llu ticks where %llu were due: it runs fast",
				(unsigned long long)ticks[i], (unsigned long long)expect);
		lost += ticks[i] * 100 < expect * TICK_MIN_PCT;
		if (ticks[i] * ticks_ns[fullest] > ticks[fullest] * ticks_ns[i])
			fullest = i;
	}
	if (lost == TRIES)
		kt_fail(t, "LAPIC timer delivered %llu ticks where %llu were due in the fullest of %u windows: interrupts "
			   "are being lost",
			(unsigned long long)ticks[fullest],
			(unsigned long long)(ticks_ns[fullest] * lapic_timer_hz() / 1000000000ull), TRIES);

	/* The count rate itself, read between reloads: what the period was computed from. */
	uint64_t rates[RATE_SAMPLES];
	unsigned n = 0;
	for (unsigned tries = 0; n < RATE_SAMPLES && tries < 4 * RATE_SAMPLES; tries++) {
		uint32_t c0 = lapic_timer_current();
		uint64_t t0 = rdtsc();
		udelay(RATE_WINDOW_US);
		uint32_t c1 = lapic_timer_current();
		uint64_t t1 = rdtsc();
		if (c1 >= c0 || c0 > lapic_timer_initial())
			continue; /* reloaded inside the window */
		uint64_t ns = tsc_to_ns(t1 - t0);
		if (ns)
			rates[n++] = (uint64_t)(c0 - c1) * 1000000000ull / ns;
	}
	if (n < 3) {
		kt_fail(t, "could not sample the LAPIC count between reloads (%u samples)", n);
		return;
	}
	uint64_t med = u64_median(rates, n), want = lapic_timer_counts_per_sec();
	int64_t e = ppm_error(med, want);
	kt_diag(t, "LAPIC count rate %llu/s measured against the TSC, %llu/s calibrated, error %lld ppm (limit %d)",
		(unsigned long long)med, (unsigned long long)want, (long long)e, RATE_TOLERANCE_PPM);
	if (e > RATE_TOLERANCE_PPM || e < -RATE_TOLERANCE_PPM)
		kt_fail(t, "LAPIC timer counts at %llu/s but was calibrated at %llu/s: deadlines would be off by %lld ppm",
			(unsigned long long)med, (unsigned long long)want, (long long)e);
}
