/* Suite `selftest`: proves the harness can fail. Runs only when named (suites=selftest);
 * `make test` boots it and checks Kiln's output and exit code for each outcome. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/harness/ktest.h"

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

static const struct kt_case cases[] = {
	{"selftest-pass", selftest_pass, 0},
	{"selftest-fail", selftest_fail, 0},
	{"selftest-fault", selftest_fault, 0},
	{"selftest-hang", selftest_hang, 0}, /* the configured timeout: selftest runs use timeout=3 */
	{"selftest-skip", selftest_skip, 0},
};

KT_SUITE(selftest, KT_SUITE_EXPLICIT);
