/* Per-CPU state: one struct cpu per processor Kiln runs on, found through the GS base
 * (%gs:0 holds the struct's own address). CPU 0 is the boot CPU. */
#ifndef KILN_PERCPU_H
#define KILN_PERCPU_H

#include <stdint.h>

#include "kernel/arch/x86/cpu.h"

#define SMP_MAX_CPUS 256
#define MSR_GS_BASE 0xc0000101

enum cpu_state {
	CPU_ABSENT = 0,   /* listed, not (yet) asked to start */
	CPU_STARTING,     /* INIT-SIPI-SIPI sent */
	CPU_ONLINE,       /* reported in, idle or working */
	CPU_FAILED,       /* never reported in */
	CPU_LOST,         /* stopped answering: kept out of every later use */
};

struct cpu_tables;

struct cpu {
	struct cpu *self;                 /* %gs:0 */
	unsigned index;                   /* 0: the boot CPU */
	uint32_t apic_id;
	volatile int state;               /* enum cpu_state */
	struct cpu_tables *tables;        /* GDT, TSS (IST stacks), IDT */
	uint64_t stack_top;
	/* Work handed to an AP (smp.h): posted by one CPU, run by this one. */
	void (*volatile work)(void *arg);
	void *volatile work_arg;
	volatile uint32_t work_posted, work_done;
	volatile uint64_t ticks;          /* this CPU's timer ticks */
	void *harness;                    /* the harness's per-CPU state, opaque here */
};

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

static inline void cpu_set_gs_base(struct cpu *c) { wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c); }

#endif
