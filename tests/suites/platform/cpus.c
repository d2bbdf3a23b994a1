/* platform-cpus: every CPU the MADT lists (up to cpus=) is online and works: it answered
 * INIT-SIPI-SIPI, runs code handed to it on its own struct cpu with its own APIC id, and
 * its LAPIC timer ticks. A CPU that did not start, or stopped answering, is named. */
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"
#include "kernel/time.h"

#define PROBE_WAIT_MS 2000   /* an idle AP takes a posted probe within this, even under TCG */
#define TICK_WAIT_MS 300     /* at 100 Hz, a working timer ticks many times in this */
#define BURST_LINES 8        /* lines each CPU writes at once, each in three pieces */

struct probe {
	volatile uint32_t apic_id;
	volatile unsigned index;
	volatile int ran;
};

static void run_probe(void *arg)
{
	struct probe *p = arg;
	p->apic_id = lapic_id();
	p->index = this_cpu()->index;
	atomic_store(&p->ran, 1);
}

static void check_ap(struct kt *t, struct cpu *c)
{
	struct probe p = {0};
	if (smp_post(c, run_probe, &p) < 0) {
		kt_fail(t, "cpu %u (apic id %u) is online but busy: the probe could not be posted", c->index, c->apic_id);
		return;
	}
	struct deadline d = deadline_in_ms(PROBE_WAIT_MS);
	while (!smp_idle(c) && !deadline_passed(d))
		cpu_relax();
	if (!smp_idle(c)) {
		kt_fail(t, "cpu %u (apic id %u) did not run the probe within %u ms; taken out of service", c->index,
			c->apic_id, PROBE_WAIT_MS);
		smp_mark_lost(c);
		return;
	}
	if (p.apic_id != c->apic_id || p.index != c->index)
		kt_fail(t, "cpu %u (apic id %u): the probe ran as cpu %u with apic id %u", c->index, c->apic_id, p.index,
			p.apic_id);
}

/* Every CPU writes lines in three pieces at the same time: the console must keep each
 * line whole (tests/qemu/cases.cfg rejects any mixed line). */
static void console_burst(void *arg)
{
	unsigned me = this_cpu()->index;
	char a[48], b[32];
	for (unsigned k = 1; k <= BURST_LINES; k++) {
		int na = ksnprintf(a, sizeof a, "  # platform-cpus: console from cpu %u, ", me);
		int nb = ksnprintf(b, sizeof b, "line %u of %u, ", k, BURST_LINES);
		console_write(a, (size_t)na);
		console_write(b, (size_t)nb);
		console_write("whole\n", 6);
	}
}

static void check_console(struct kt *t)
{
	for (unsigned i = 1; i < smp_count(); i++)
		if (smp_cpu(i)->state == CPU_ONLINE)
			smp_post(smp_cpu(i), console_burst, 0);
	console_burst(0);
	struct deadline d = deadline_in_ms(PROBE_WAIT_MS);
	for (unsigned i = 1; i < smp_count(); i++) {
		struct cpu *c = smp_cpu(i);
		while (c->state == CPU_ONLINE && !smp_idle(c) && !deadline_passed(d))
			cpu_relax();
		if (c->state == CPU_ONLINE && !smp_idle(c)) {
			kt_fail(t, "cpu %u (apic id %u) did not finish its console lines within %u ms; taken out of service",
				i, c->apic_id, PROBE_WAIT_MS);
			smp_mark_lost(c);
		}
	}
}

void platform_cpus(struct kt *t)
{
	const struct acpi_info *ai = &kernel_acpi;
	unsigned want = kiln_cfg && kiln_cfg->cpus ? kiln_cfg->cpus : ai->cpu_count;
	kt_diag(t, "MADT lists %u processor entr%s, %u enabled; %u wanted (cpus=); %u tried, %u online", ai->cpu_entries,
		ai->cpu_entries == 1 ? "y" : "ies", ai->cpu_count, want, smp_count(), smp_online());
	/* What the firmware lists but does not claim is running: said, not failed. */
	char ids[160];
	unsigned n;
	if ((n = smp_fate_ids(SMP_FATE_DISABLED, ids, sizeof ids)))
		kt_diag(t, "%u disabled entr%s (apic id %s): not present, not started", n, n == 1 ? "y" : "ies", ids);
	if ((n = smp_fate_ids(SMP_FATE_ONLINE_CAPABLE, ids, sizeof ids)))
		kt_diag(t, "%u online-capable entr%s (apic id %s): not enabled at boot (hot-add only), not started", n,
			n == 1 ? "y" : "ies", ids);
	if ((n = smp_fate_ids(SMP_FATE_NOT_WANTED, ids, sizeof ids)))
		kt_diag(t, "%u CPU(s) (apic id %s) beyond cpus=%u left parked", n, ids, want);
	/* Enabled CPUs Kiln could not use: the machine is not fully tested. */
	if ((n = smp_fate_ids(SMP_FATE_DUPLICATE, ids, sizeof ids)))
		kt_fail(t, "%u MADT entr%s repeat an APIC id listed before (apic id %s); those CPUs were not started", n,
			n == 1 ? "y" : "ies", ids);
	if ((n = smp_fate_ids(SMP_FATE_UNREACHABLE, ids, sizeof ids)))
		kt_fail(t, "%u CPU(s) with an APIC id above 254 (apic id %s) cannot be started: the LAPIC is in xAPIC mode",
			n, ids);
	if ((n = smp_fate_ids(SMP_FATE_OVER_CAP, ids, sizeof ids)))
		kt_fail(t, "%u CPU(s) beyond the %u Kiln supports were not started (apic id %s)", n, SMP_MAX_CPUS, ids);
	if (!smp_fate_count(SMP_FATE_SELF))
		kt_fail(t, "the boot CPU (apic id %u) is not an enabled MADT entry", smp_cpu(0)->apic_id);
	if (smp_fate_count(SMP_FATE_START) && smp_count() == 1)
		kt_fail(t, "no AP was started (no trampoline page below 640 KiB?); %u CPU(s) unused",
			smp_fate_count(SMP_FATE_START));

	uint64_t ticks0[SMP_MAX_CPUS];
	for (unsigned i = 0; i < smp_count(); i++)
		ticks0[i] = smp_cpu(i)->ticks;
	for (unsigned i = 1; i < smp_count(); i++) {
		struct cpu *c = smp_cpu(i);
		if (c->state == CPU_FAILED)
			kt_fail(t, "cpu %u (apic id %u) did not start: no answer to INIT-SIPI-SIPI", i, c->apic_id);
		else if (c->state == CPU_LOST)
			kt_fail(t, "cpu %u (apic id %u) stopped answering earlier in the run", i, c->apic_id);
		else if (c->state == CPU_ONLINE)
			check_ap(t, c);
	}
	char missing[160];
	unsigned at = 0, nmiss = 0;
	missing[0] = 0;
	for (unsigned i = 1; i < smp_count(); i++) {
		struct cpu *c = smp_cpu(i);
		if (c->state == CPU_ONLINE)
			continue;
		nmiss++;
		if (at + 16 < sizeof missing)
			at += (unsigned)ksnprintf(missing + at, sizeof missing - at, "%s%u", at ? ", " : "", c->apic_id);
	}
	if (nmiss)
		kt_fail(t, "%u of %u CPU(s) started are not working (apic id %s); the run uses the %u online", nmiss,
			smp_count(), missing, smp_online());
	check_console(t);
	udelay(TICK_WAIT_MS * 1000);
	unsigned ticking = 0;
	for (unsigned i = 0; i < smp_count(); i++) {
		struct cpu *c = smp_cpu(i);
		if (c->state != CPU_ONLINE)
			continue;
		if (c->ticks == ticks0[i])
			kt_fail(t, "cpu %u (apic id %u): its LAPIC timer did not tick in %u ms", i, c->apic_id, TICK_WAIT_MS);
		else
			ticking++;
	}
	kt_diag(t, "%u CPU(s) online, each ran a probe as itself; %u with a ticking LAPIC timer", smp_online(), ticking);
	kt_measure(t, "cpus-online", smp_online(), 0, "CPUs");
}
