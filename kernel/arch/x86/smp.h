/* The other CPUs: started with INIT-SIPI-SIPI through a real-mode trampoline below 1 MiB
 * (trampoline.S), each with its own stack, GDT/TSS/IST/IDT, LAPIC timer and struct cpu.
 * An AP that is up waits (hlt) for work posted to it and runs it with interrupts on. */
#ifndef KILN_SMP_H
#define KILN_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/arch/x86/smp_plan.h"

struct boot_info;

struct smp_start {
	const struct boot_info *bi;  /* its EFI map has the page for the trampoline */
	const struct smp_entry *entries; /* every processor the MADT lists, with its flags */
	unsigned present;                /* entries */
	unsigned want;               /* CPUs to use, the boot CPU included; 0: all */
	uint64_t tsc_hz;             /* for the start-up delays */
	arch_page_alloc_fn alloc;
};

/* The boot CPU's struct cpu, live once cpu_tables_init ran with it. */
extern struct cpu smp_cpus[SMP_MAX_CPUS];

/* Start the APs. Returns the number of CPUs online (the boot CPU included), or -1 with
 * a reason in *why when none could be tried (no low page for the trampoline). A CPU that
 * does not report in within its deadline is left CPU_FAILED and parked with INIT. */
int smp_start(const struct smp_start *s, const char **why);
/* CPUs tried (smp_cpus[0 .. smp_count()-1]) and how many of them are online. */
unsigned smp_count(void);
unsigned smp_online(void);
struct cpu *smp_cpu(unsigned index);
/* What became of the MADT's entries (smp_plan.h): how many had fate f, and their APIC
 * ids as text ("4, 5, ..."; the count is returned). */
unsigned smp_fate_count(enum smp_fate f);
unsigned smp_fate_ids(enum smp_fate f, char *buf, size_t len);
/* The low page the trampoline was copied to (0 before smp_start). */
uint64_t smp_trampoline_page(void);

/* Hand fn(arg) to an idle online AP; -1 when it is not online or still busy. */
int smp_post(struct cpu *c, void (*fn)(void *), void *arg);
/* Wake a CPU waiting in hlt (an IPI on the wake vector; nothing else happens). */
void smp_wake(const struct cpu *c);
/* True when the AP has finished everything posted to it. */
bool smp_idle(const struct cpu *c);
/* An AP that stopped answering: parked with INIT (when another CPU calls this) and never
 * posted to again. */
void smp_mark_lost(struct cpu *c);

#endif
