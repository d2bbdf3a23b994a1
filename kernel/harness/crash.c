/* The crash record and the policy after an unexpected fault (see crash.h). */
#include "kernel/harness/crash.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/arch/x86/trap.h"
#include "kernel/console.h"
#include "kernel/harness/exit.h"
#include "kernel/harness/ktap.h"
#include "kernel/harness/lane.h"
#include "kernel/harness/report.h"
#include "kernel/harness/runner.h"
#include "kernel/lib/fmt.h"

static uint64_t image_base;
static int nesting[SMP_MAX_CPUS]; /* per CPU: a fault while reporting a fault */

static void sink(void *ctx, const char *s, size_t n) { console_write(s, n); }

static void print_record(const struct trap_frame *f, uint64_t cr2)
{
	static const struct ktap_out out = {sink, NULL};
	unsigned d = runner_diag_depth();
	const char *c = runner_current_case();
	const struct cpu *cpu = this_cpu();
	char b[200], where[48] = "";
	if (!console_at_line_start())
		console_puts("\n");
	if (cpu->index)
		ksnprintf(where, sizeof where, " on cpu %u (apic id %u)", cpu->index, cpu->apic_id);
	ksnprintf(b, sizeof b, "exception %s (vector %llu) error 0x%llx%s in %s%s", trap_name((unsigned)f->vector),
		  (unsigned long long)f->vector, (unsigned long long)f->error, where,
		  c ? "case " : "the harness, outside any case", c ? c : "");
	ktap_diag(&out, d, "crash", b);
	ksnprintf(b, sizeof b, "rip 0x%016llx (image+0x%llx) cs 0x%llx rflags 0x%llx", (unsigned long long)f->rip,
		  (unsigned long long)(f->rip - image_base), (unsigned long long)f->cs,
		  (unsigned long long)f->rflags);
	ktap_diag(&out, d, "crash", b);
	ksnprintf(b, sizeof b, "rsp 0x%016llx ss 0x%llx cr2 0x%016llx cr3 0x%016llx", (unsigned long long)f->rsp,
		  (unsigned long long)f->ss, (unsigned long long)cr2, (unsigned long long)read_cr3());
	ktap_diag(&out, d, "crash", b);
	const uint64_t *r = &f->r15;
	static const char *const reg[15] = {"r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8",
					    "rbp", "rdi", "rsi", "rdx", "rcx", "rbx", "rax"};
	for (int i = 14; i >= 0; i -= 4) {
		int n = 0;
		for (int j = i; j > i - 4 && j >= 0; j--)
			n += ksnprintf(b + n, sizeof b - (size_t)n, "%s%-3s 0x%016llx", j == i ? "" : " ", reg[j],
				       (unsigned long long)r[j]);
		ktap_diag(&out, d, "crash", b);
	}
}

/* A fault on an AP: its lane (if any) fails with the record printed; the CPU without a
 * lane, or after a double fault, is taken out of service and stopped. */
static void on_ap_fault(const struct trap_frame *f, const char *what)
{
	struct cpu *c = this_cpu();
	nesting[c->index]--;
	if (f->vector != VEC_DF)
		lane_crashed(what); /* does not return when a lane was running */
	kprintf("# kiln: cpu %u (apic id %u) faulted outside any lane; taken out of service\n", c->index, c->apic_id);
	smp_mark_lost(c);
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

static void on_fault(const struct trap_frame *f, uint64_t cr2)
{
	unsigned me = this_cpu()->index;
	if (++nesting[me] > 1) {
		/* A fault while handling a fault: say the least that helps and stop. */
		kprintf("\n# crash: nested %s at rip 0x%llx while reporting an earlier fault\n",
			trap_name((unsigned)f->vector), (unsigned long long)f->rip);
		kiln_exit(KILN_EXIT_CRASH);
	}
	report_document_empty(); /* a crash before the document opened still ends one */
	print_record(f, cr2);
	char what[120];
	ksnprintf(what, sizeof what, "crashed: %s at rip 0x%llx", trap_name((unsigned)f->vector),
		  (unsigned long long)f->rip);
	if (me)
		on_ap_fault(f, what);
	nesting[me]--;
	if (f->vector != VEC_DF) { /* after a double fault the stack cannot be trusted */
		lane_crashed(what); /* the boot CPU's own device lane (does not return then) */
		runner_case_crashed(what);
	}
	kprintf("# kiln: harness crash outside any case\n");
	kiln_exit(KILN_EXIT_CRASH);
}

void crash_init(uint64_t base)
{
	image_base = base;
	trap_set_fault_handler(on_fault);
}
