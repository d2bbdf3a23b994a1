/* Suite `selftest`: proves the harness can fail. Runs only when named (suites=selftest);
 * `make test` boots it and checks Kiln's output and exit code for each outcome. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/harness/ktest.h"
#include "kernel/harness/lane.h"

#define AP_LANE_MS 1000 /* the AP cases' lane deadline: well inside the selftest timeout=3 */

static void selftest_pass(struct kt *t) { kt_diag(t, "this case passes on purpose"); }

static void selftest_fail(struct kt *t) { kt_fail(t, "this case fails on purpose: expected 1, got 2"); }

static void selftest_fault(struct kt *t)
{
	kt_diag(t, "executing ud2 on purpose");
	__asm__ volatile("ud2");
	kt_fail(t, "execution continued past ud2");
}

static void selftest_hang(struct kt *t)
{
	kt_diag(t, "spinning forever on purpose");
	for (;;)
		cpu_relax();
}

static void selftest_skip(struct kt *t) { kt_skip(t, "skipped on purpose"); }

/* The same outcomes on an AP: a fault there prints the crash record with the CPU's APIC
 * id and fails this case; a hang is aborted by the AP's own deadline, or, with
 * interrupts off, caught by the waiting CPU and the AP taken out of service. */
static void ap_ud2(void *arg) { __asm__ volatile("ud2"); }
static void ap_spin(void *arg)
{
	for (;;)
		cpu_relax();
}
static void ap_spin_cli(void *arg)
{
	irq_disable();
	for (;;)
		cpu_relax();
}

static void on_ap(struct kt *t, void (*fn)(void *), const char *what)
{
	struct cpu *c = lane_usable_cpu(false);
	if (!c) {
		kt_skip(t, "needs an idle second CPU (boot with -smp 2 or more)");
		return;
	}
	kt_diag(t, "%s on cpu %u (apic id %u) on purpose", what, c->index, c->apic_id);
	struct lane l;
	if (lane_start(&l, c, fn, 0, AP_LANE_MS * NS_PER_MS) < 0) {
		kt_fail(t, "cpu %u (apic id %u) did not take the work", c->index, c->apic_id);
		return;
	}
	enum lane_result r = lane_wait(&l);
	if (r == LANE_DONE)
		kt_fail(t, "cpu %u (apic id %u): execution continued past the fault", c->index, c->apic_id);
	else
		kt_fail(t, "%s", l.why);
}

static void selftest_ap_fault(struct kt *t) { on_ap(t, ap_ud2, "executing ud2"); }
static void selftest_ap_hang(struct kt *t) { on_ap(t, ap_spin, "spinning forever"); }
static void selftest_ap_hang_cli(struct kt *t) { on_ap(t, ap_spin_cli, "spinning forever with interrupts off"); }

static const struct kt_case cases[] = {
	{"selftest-pass", selftest_pass, 0},
	{"selftest-fail", selftest_fail, 0},
	{"selftest-fault", selftest_fault, 0},
	{"selftest-hang", selftest_hang, 0}, /* the configured timeout: selftest runs use timeout=3 */
	{"selftest-skip", selftest_skip, 0},
	{"selftest-ap-fault", selftest_ap_fault, 0},
	{"selftest-ap-hang", selftest_ap_hang, 0},
	{"selftest-ap-hang-cli", selftest_ap_hang_cli, 0}, /* last: it costs the run that CPU */
};

KT_SUITE(selftest, KT_SUITE_EXPLICIT);
