/* Exception entry: interrupt vectors go to the dispatcher, a fault the test asked for is
 * handed back to it, and any other fault goes to the handler the harness registered
 * (kernel/harness/crash.c prints the crash record and decides what happens next). */
#include "kernel/arch/x86/trap.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/irq_dispatch.h"

static struct trap_catch *armed;
static trap_fault_fn fault_handler;

static const char *const names[32] = {
	[0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI", [3] = "#BP breakpoint",
	[4] = "#OF overflow", [5] = "#BR bound range", [6] = "#UD invalid opcode", [7] = "#NM device not available",
	[8] = "#DF double fault", [10] = "#TS invalid TSS", [11] = "#NP segment not present",
	[12] = "#SS stack fault", [13] = "#GP general protection", [14] = "#PF page fault",
	[16] = "#MF x87 error", [17] = "#AC alignment check", [18] = "#MC machine check",
	[19] = "#XM SIMD error", [20] = "#VE virtualization", [21] = "#CP control protection",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32 && names[vector])
		return names[vector];
	return vector < 32 ? "reserved exception" : "interrupt";
}

void trap_catch_arm(struct trap_catch *c) { armed = c; }
void trap_catch_end(void) { armed = 0; }

void trap_set_fault_handler(trap_fault_fn fn) { fault_handler = fn; }

void trap_entry(struct trap_frame *f);
void trap_entry(struct trap_frame *f)
{
	if (f->vector >= 32) {
		irq_dispatch((unsigned)f->vector);
		return;
	}
	uint64_t cr2 = read_cr2();
	if (armed && f->vector != VEC_DF && f->vector != VEC_MC) {
		struct trap_catch *c = armed;
		armed = 0;
		c->vector = f->vector;
		c->error = f->error;
		c->rip = f->rip;
		c->cr2 = cr2;
		kjmp_go(&c->jmp, 1);
	}
	if (fault_handler)
		fault_handler(f, cr2);
	/* No handler yet (cannot happen once the harness started): nothing can be said. */
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}
