/* A lane: work the harness runs on one AP on behalf of the case under way, with its own
 * deadline. A lane that faults (crash record with the CPU's APIC id) or passes its
 * deadline is unwound on its own CPU and reported to the waiting CPU; one that does not
 * even take its timer interrupt is caught by the waiter's backstop, and its CPU is taken
 * out of service. The run goes on either way. */
#ifndef KILN_LANE_H
#define KILN_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/x86/jump.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/time.h"

enum lane_result {
	LANE_DONE = 1,   /* fn returned */
	LANE_CRASHED,    /* an exception on the AP: the crash record is printed */
	LANE_TIMEOUT,    /* past its deadline, aborted by the AP's own timer tick */
	LANE_HUNG,       /* not even the AP's timer could stop it: the CPU is lost */
};

struct lane {
	struct cpu *cpu;
	struct cpu *waiter;      /* woken (IPI) when the lane finishes */
	void (*fn)(void *arg);
	void *arg;
	uint64_t timeout_ns;
	struct deadline deadline;
	volatile int running;    /* fn under way on the AP */
	volatile int finished;   /* the AP is done with this lane (any result) */
	volatile int result;     /* enum lane_result, once finished */
	char why[160];           /* what happened, for a diagnosis */
	struct kjmp jmp;
};

/* Run fn(arg) on AP c with a deadline. -1 when c cannot take work (offline, busy). */
int lane_start(struct lane *l, struct cpu *c, void (*fn)(void *), void *arg, uint64_t timeout_ns);
/* Wait for the lane: its result (LANE_HUNG after the deadline plus a grace period, with
 * the CPU marked lost). */
enum lane_result lane_wait(struct lane *l);
/* Run fn(arg) on this CPU as a lane (the boot CPU driving one device beside the APs):
 * the same deadline, crash and abort handling as on an AP; returns its result. */
enum lane_result lane_run_here(struct lane *l, void (*fn)(void *), void *arg, uint64_t timeout_ns);
/* Whether c can take a lane now: an AP, online and idle; with needs_msi also reachable by
 * a device's MSI (irq_msi_reachable), for a lane whose device interrupts are steered to
 * its CPU (one that sleeps until its completions' interrupt). */
bool lane_cpu_usable(const struct cpu *c, bool needs_msi);
/* The first AP that lane_cpu_usable accepts, or NULL. */
struct cpu *lane_usable_cpu(bool needs_msi);

/* From the AP's timer tick: aborts its lane past the deadline (does not return then). */
void lane_tick(void);
/* From the crash handler on an AP: ends its lane as crashed (does not return then). */
void lane_crashed(const char *what);

#endif
