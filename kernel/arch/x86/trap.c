/* Exception handling: a fault the test asked for is handed back to it; any other fault
 * prints a crash record and fails the running case while the run goes on, or ends the
 * run with the "harness crash" code when no case is running. */
#include "kernel/arch/x86/trap.h"

#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/harness/exit.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/irq_dispatch.h"
#include "kernel/harness/ktap.h"
#include "kernel/harness/runner.h"

uint64_t trap_image_base;

static struct trap_catch *armed;
static int nesting;

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

static void sink(void *ctx, const char *s, size_t n) { console_write(s, n); }

static void trap_print_record(const struct trap_frame *f, uint64_t cr2)
{
	static const struct ktap_out out = {sink, NULL};
	unsigned d = runner_diag_depth();
	const char *c = runner_current_case();
	char b[200];
	if (!console_at_line_start())
		console_puts("\n");
	ksnprintf(b, sizeof b, "exception %s (vector %llu) error 0x%llx in %s%s", trap_name((unsigned)f->vector),
		  (unsigned long long)f->vector, (unsigned long long)f->error, c ? "case " : "the harness, outside any case",
		  c ? c : "");
	ktap_diag(&out, d, "crash", b);
	ksnprintf(b, sizeof b, "rip 0x%016llx (image+0x%llx) cs 0x%llx rflags 0x%llx", (unsigned long long)f->rip,
		  (unsigned long long)(f->rip - trap_image_base), (unsigned long long)f->cs,
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
	if (++nesting > 1) {
		/* A fault while handling a fault: say the least that helps and stop. */
		kprintf("\n# crash: nested %s at rip 0x%llx while reporting an earlier fault\n",
			trap_name((unsigned)f->vector), (unsigned long long)f->rip);
		kiln_exit(KILN_EXIT_CRASH);
	}
	trap_print_record(f, cr2);
	char what[120];
	ksnprintf(what, sizeof what, "crashed: %s at rip 0x%llx", trap_name((unsigned)f->vector),
		  (unsigned long long)f->rip);
	nesting--;
	if (f->vector != VEC_DF) /* after a double fault the stack cannot be trusted */
		runner_case_crashed(what);
	kprintf("# kiln: harness crash outside any case\n");
	kiln_exit(KILN_EXIT_CRASH);
}
