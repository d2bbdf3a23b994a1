/* Lanes on APs (see lane.h). */
#include "kernel/harness/lane.h"

#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

/* How long past its deadline a lane may take to come back on its own (the AP's tick
 * aborts it within a tick or two) before its CPU is declared hung. */
#define LANE_GRACE_MS 1000
#define LANE_IDLE_MS 100

static void finish(struct lane *l)
{
	atomic_store(&l->finished, 1);
	smp_wake(l->waiter);
}

static void prepare(struct lane *l, struct cpu *c, void (*fn)(void *), void *arg, uint64_t timeout_ns)
{
	memset(l, 0, sizeof *l);
	l->cpu = c;
	l->waiter = this_cpu();
	l->fn = fn;
	l->arg = arg;
	l->timeout_ns = timeout_ns;
	l->deadline = deadline_in_ns(timeout_ns);
}

/* Run the lane's fn on this CPU under its guard (an AP's lane and the boot CPU's own):
 * c->harness names the lane, so this CPU's tick (the deadline) and its crash handler
 * unwind it back here with l->result set. Returns with c->harness cleared, interrupts on
 * when fn returned and off when it was aborted. */
static void run_guarded(struct lane *l)
{
	struct cpu *c = this_cpu();
	c->harness = l;
	kt_cover(0, KT_COVER_CPUS, 0, c->index); /* this CPU runs test code: it counts on the result line */
	if (kjmp_set(&l->jmp) == 0) {
		atomic_store(&l->running, 1);
		irq_enable(); /* the tick enforces the deadline */
		l->fn(l->arg);
		atomic_store(&l->running, 0);
		l->result = LANE_DONE;
	}
	/* an aborted lane comes back here with interrupts off and l->result set */
	c->harness = 0;
}

static void lane_entry(void *arg)
{
	struct lane *l = arg;
	run_guarded(l);
	irq_enable();
	finish(l);
}

int lane_start(struct lane *l, struct cpu *c, void (*fn)(void *), void *arg, uint64_t timeout_ns)
{
	prepare(l, c, fn, arg, timeout_ns);
	return smp_post(c, lane_entry, l);
}

enum lane_result lane_run_here(struct lane *l, void (*fn)(void *), void *arg, uint64_t timeout_ns)
{
	prepare(l, this_cpu(), fn, arg, timeout_ns);
	bool on = irq_enabled();
	run_guarded(l);
	atomic_store(&l->finished, 1);
	if (on)
		irq_enable();
	else
		irq_disable();
	return (enum lane_result)l->result;
}

static bool lane_finished(void *l) { return atomic_load(&((struct lane *)l)->finished); }

enum lane_result lane_wait(struct lane *l)
{
	struct deadline backstop = deadline_in_ns(l->timeout_ns + LANE_GRACE_MS * NS_PER_MS);
	/* Sleep between looks, woken by the lane's IPI or the next tick, so the waiting
	 * CPU does not take host time from the lanes when the CPUs are emulated. */
	bool can_sleep = irq_enabled();
	while (!atomic_load(&l->finished) && !deadline_passed(backstop)) {
		if (can_sleep)
			cpu_sleep_unless(lane_finished, l);
		else
			cpu_relax();
	}
	if (atomic_load(&l->finished)) {
		/* the AP is back in its idle loop a few instructions later: wait for that, so
		 * the next lane finds it idle */
		struct deadline idle = deadline_in_ms(LANE_IDLE_MS);
		while (!smp_idle(l->cpu) && !deadline_passed(idle))
			cpu_relax();
		return (enum lane_result)l->result;
	}
	ksnprintf(l->why, sizeof l->why,
		  "cpu %u (apic id %u) did not come back %llu ms after its deadline, not even for its timer: "
		  "hung with interrupts off; taken out of service",
		  l->cpu->index, l->cpu->apic_id, (unsigned long long)LANE_GRACE_MS);
	smp_mark_lost(l->cpu);
	l->result = LANE_HUNG;
	return LANE_HUNG;
}

bool lane_cpu_usable(const struct cpu *c, bool needs_msi)
{
	return c->index != 0 && c->state == CPU_ONLINE && smp_idle(c) && (!needs_msi || irq_msi_reachable(c->apic_id));
}

struct cpu *lane_usable_cpu(bool needs_msi)
{
	for (unsigned i = 1; i < smp_count(); i++)
		if (lane_cpu_usable(smp_cpu(i), needs_msi))
			return smp_cpu(i);
	return 0;
}

void lane_tick(void)
{
	struct cpu *c = this_cpu();
	struct lane *l = c->harness;
	if (!l || !atomic_load(&l->running) || !deadline_passed(l->deadline))
		return;
	atomic_store(&l->running, 0);
	ksnprintf(l->why, sizeof l->why, "cpu %u (apic id %u): no result after %llu ms, aborted by its deadline",
		  c->index, c->apic_id, (unsigned long long)(l->timeout_ns / NS_PER_MS));
	l->result = LANE_TIMEOUT;
	kjmp_go(&l->jmp, 1);
}

void lane_crashed(const char *what)
{
	struct cpu *c = this_cpu();
	struct lane *l = c->harness;
	if (!l || !atomic_load(&l->running))
		return;
	atomic_store(&l->running, 0);
	ksnprintf(l->why, sizeof l->why, "cpu %u (apic id %u): %s", c->index, c->apic_id, what);
	l->result = LANE_CRASHED;
	kjmp_go(&l->jmp, 1);
}
