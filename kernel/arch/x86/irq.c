/* Vector allocation and dispatch for MSI, MSI-X and the LAPIC timer. The LAPIC is told
 * the interrupt is done before the handler runs, so a handler that never returns (the
 * runner aborting a timed-out case) leaves no interrupt in service. */
#include "kernel/arch/x86/irq.h"

#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/irq_dispatch.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/smp.h"

struct vec_slot {
	irq_handler_fn fn;
	void *ctx;
	uint64_t count;
};

static struct vec_slot slots[256];
static uint64_t stray;
static struct spinlock lock = SPINLOCK_INIT; /* allocation; dispatch reads the slots as they are */

int irq_alloc(irq_handler_fn fn, void *ctx)
{
	int on = spin_lock_irqsave(&lock), got = -1;
	for (int v = IRQ_VEC_FIRST; v <= IRQ_VEC_LAST; v++) {
		if (!slots[v].fn) {
			slots[v].ctx = ctx;
			slots[v].count = 0;
			atomic_store(&slots[v].fn, fn); /* last: a CPU that sees fn sees ctx */
			got = v;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, on);
	return got;
}

void irq_free(int vector)
{
	if (vector >= IRQ_VEC_FIRST && vector <= IRQ_VEC_LAST)
		atomic_store(&slots[vector].fn, (irq_handler_fn)0);
}

uint64_t irq_count(int vector) { return (vector >= 0 && vector < 256) ? slots[vector].count : 0; }

/* The boot CPU's APIC id, whichever CPU asks: device interrupts are taken by the boot CPU. */
static uint32_t boot_apic_id(void) { return smp_cpus[0].state == CPU_ONLINE ? smp_cpus[0].apic_id : lapic_id(); }
uint64_t irq_msi_address(void) { return 0xfee00000ull | ((uint64_t)boot_apic_id() << 12); }
uint32_t irq_msi_data(int vector) { return (uint32_t)vector & 0xff; /* fixed delivery, edge */ }

void irq_dispatch(unsigned vector)
{
	if (vector == IRQ_VEC_SPURIOUS)
		return; /* spurious: no EOI (Intel SDM vol. 3 §11.9) */
	lapic_eoi();
	struct vec_slot *s = &slots[vector];
	atomic_add(&s->count, 1);
	irq_handler_fn fn = atomic_load(&s->fn);
	if (fn)
		fn(s->ctx, (uint8_t)vector);
	else
		atomic_add(&stray, 1);
}
