/* Vector allocation and dispatch for MSI, MSI-X and the LAPIC timer. The LAPIC is told
 * the interrupt is done before the handler runs, so a handler that never returns (the
 * runner aborting a timed-out case) leaves no interrupt in service. */
#include "kernel/arch/x86/irq.h"

#include "kernel/arch/x86/irq_dispatch.h"
#include "kernel/arch/x86/lapic.h"

struct vec_slot {
	irq_handler_fn fn;
	void *ctx;
	uint64_t count;
};

static struct vec_slot slots[256];
static uint64_t stray;

int irq_alloc(irq_handler_fn fn, void *ctx)
{
	for (int v = IRQ_VEC_FIRST; v <= IRQ_VEC_LAST; v++) {
		if (!slots[v].fn) {
			slots[v].ctx = ctx;
			slots[v].count = 0;
			slots[v].fn = fn;
			return v;
		}
	}
	return -1;
}

void irq_free(int vector)
{
	if (vector >= IRQ_VEC_FIRST && vector <= IRQ_VEC_LAST)
		slots[vector].fn = 0;
}

uint64_t irq_count(int vector) { return (vector >= 0 && vector < 256) ? slots[vector].count : 0; }

uint64_t irq_msi_address(void) { return 0xfee00000ull | ((uint64_t)lapic_id() << 12); }
uint32_t irq_msi_data(int vector) { return (uint32_t)vector & 0xff; /* fixed delivery, edge */ }

void irq_dispatch(unsigned vector)
{
	if (vector == IRQ_VEC_SPURIOUS)
		return; /* spurious: no EOI (Intel SDM vol. 3 §11.9) */
	lapic_eoi();
	struct vec_slot *s = &slots[vector];
	s->count++;
	if (s->fn)
		s->fn(s->ctx, (uint8_t)vector);
	else
		stray++;
}
