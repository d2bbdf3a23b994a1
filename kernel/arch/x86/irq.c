/* Vector allocation and dispatch for MSI, MSI-X and the LAPIC timer. The LAPIC is told
 * the interrupt is done before the handler runs, so a handler that never returns (the
 * runner aborting a timed-out case) leaves no interrupt in service. Every CPU loads an
 * IDT with the same stubs and takes a vector the same way: the EOI goes to the local
 * APIC of the CPU that took it, and the per-vector counts are atomic, so a device
 * steered to an AP is dispatched there exactly as on the boot CPU. */
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

uint64_t irq_count(int vector) { return (vector >= 0 && vector < 256) ? atomic_load(&slots[vector].count) : 0; }

/* MSI address format (SDM vol. 3 §11.11.1): 0xfee in bits 31:20, destination ID in bits
 * 19:12, redirection hint (bit 3) and destination mode (bit 2) clear: physical, exactly
 * the CPU named. */
#define MSI_ADDR_BASE 0xfee00000ull
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DEST_MASK 0xffull

/* The boot CPU's APIC id, whichever CPU asks: device interrupts are taken by the boot CPU
 * unless a driver steers them to the CPU that drives the device (a parallel lane's). */
uint32_t irq_boot_apic_id(void) { return smp_cpus[0].state == CPU_ONLINE ? smp_cpus[0].apic_id : lapic_id(); }
bool irq_msi_reachable(uint32_t apic_id) { return apic_id <= IRQ_MSI_DEST_MAX; }
uint64_t irq_msi_address_to(uint32_t apic_id)
{
	return irq_msi_reachable(apic_id) ? MSI_ADDR_BASE | ((uint64_t)apic_id << MSI_ADDR_DEST_SHIFT) : 0;
}
uint32_t irq_msi_address_dest(uint64_t address) { return (uint32_t)((address >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK); }
uint64_t irq_msi_address(void) { return irq_msi_address_to(irq_boot_apic_id()); }
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
