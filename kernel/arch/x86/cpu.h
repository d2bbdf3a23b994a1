/* CPU instructions and registers the kernel uses, as typed inline helpers. */
#ifndef KILN_CPU_H
#define KILN_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_APIC_BASE 0x1b

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline int irq_enabled(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return (f >> 9) & 1;
}
/* Mask interrupts and say whether they were on, for irq_restore. */
static inline int irq_save(void)
{
	int on = irq_enabled();
	irq_disable();
	return on;
}
static inline void irq_restore(int on)
{
	if (on)
		irq_enable();
}
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* A full fence: earlier stores are visible before later loads (x86 reorders only these). */
static inline void cpu_mfence(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* Sleep until the next interrupt unless cond(arg) already holds, with no lost wakeup: cond
 * is looked at with interrupts off and sti takes effect only after the next instruction,
 * so an interrupt that makes cond true either came before the look or wakes the hlt.
 * Call it with interrupts on; they are on again when it returns. Returns what cond said
 * (false: woken by some interrupt, cond to be looked at again). */
static inline bool cpu_sleep_unless(bool (*cond)(void *arg), void *arg)
{
	irq_disable();
	if (cond(arg)) {
		irq_enable();
		return true;
	}
	__asm__ volatile("sti; hlt" ::: "memory");
	return false;
}
static inline void wbinvd(void) { __asm__ volatile("wbinvd" ::: "memory"); }
static inline void invlpg(uintptr_t a) { __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory"); }

#endif
