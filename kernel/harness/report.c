#include "kernel/harness/report.h"

#include "kernel/console.h"
#include "kernel/harness/coverage.h"
#include "kernel/harness/exit.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ocp.h"
#include "kernel/harness/persist.h"
#include "kernel/harness/runner.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

static void sink(void *ctx, const char *s, size_t n) { console_write(s, n); }
static const struct ktap_out out = {sink, 0};

static unsigned case_depth = 1;
static unsigned step;
static char case_failure[200];  /* first failure diagnosis of the running case */
static char first_failure[300];
static char first_reproduce[300];
static bool persist_on;
static bool ended;

void report_configure(const struct kiln_config *c, bool burn_in)
{
	case_depth = burn_in ? 2 : 1;
	ocp_enable(c->ldjson == CFG_ON);
	persist_on = c->persist == CFG_ON;
}

void report_run_start(const struct kiln_config *c, const char *cmdline)
{
	extern const char kiln_version_string[];
	ocp_run_start(kiln_version_string, cmdline, c);
}

unsigned report_case_depth(void) { return case_depth; }

static void line_start(void)
{
	if (!console_at_line_start())
		console_puts("\n");
}

/* A header block (version line, '# Subtest:', plan) goes out in one console write, so no
 * heartbeat line (written at any line start from the timer interrupt) lands between the
 * version line and its plan, where a parser would no longer see the plan. */
struct block {
	char b[600];
	size_t n;
};
static void block_sink(void *ctx, const char *s, size_t n)
{
	struct block *k = ctx;
	if (k->n + n > sizeof k->b)
		n = sizeof k->b - k->n;
	memcpy(k->b + k->n, s, n);
	k->n += n;
}

static bool document_open;

bool report_document_begin(bool has_plan, unsigned count)
{
	if (document_open)
		return false;
	document_open = true;
	struct block k = {.n = 0};
	const struct ktap_out o = {block_sink, &k};
	ktap_version(&o, 0);
	if (has_plan)
		ktap_plan(&o, 0, count);
	line_start();
	console_write(k.b, k.n);
	return true;
}

void report_document_empty(void) { report_document_begin(true, 0); }

void report_pass_begin(unsigned pass, unsigned nsuites)
{
	char name[24];
	ksnprintf(name, sizeof name, "pass-%u", pass);
	struct block k = {.n = 0};
	const struct ktap_out o = {block_sink, &k};
	ktap_version(&o, 1);
	ktap_subtest(&o, 1, name);
	ktap_plan(&o, 1, nsuites);
	line_start();
	console_write(k.b, k.n);
}

void report_pass_end(unsigned pass, bool failed, const char *summary)
{
	char name[24];
	ksnprintf(name, sizeof name, "pass-%u", pass);
	line_start();
	ktap_diag(&out, 1, "kiln", summary);
	ktap_result(&out, 0, pass, failed ? KTAP_FAIL : KTAP_PASS, name, 0);
}

void report_suite_begin(const char *suite, unsigned cases)
{
	struct block k = {.n = 0};
	const struct ktap_out o = {block_sink, &k};
	ktap_version(&o, case_depth);
	ktap_subtest(&o, case_depth, suite);
	ktap_plan(&o, case_depth, cases);
	line_start();
	console_write(k.b, k.n);
}

void report_suite_end(unsigned num, const char *suite, enum ktap_result r, const char *reason)
{
	line_start();
	ktap_result(&out, case_depth - 1, num, r, suite, reason);
}

void report_case_begin(const char *name)
{
	case_failure[0] = 0;
	step = ocp_step_start(name);
}

void report_case_diag(const char *name, const char *text, bool failure)
{
	line_start();
	ktap_diag(&out, case_depth, name, text);
	if (failure && !case_failure[0])
		ksnprintf(case_failure, sizeof case_failure, "%s", text);
	ocp_step_log(step, failure ? "ERROR" : "INFO", text);
}

/* "# measure <name> <value> <unit>" inside the case, a single measurement or one element
 * of a series alike. */
static void measure_line(const char *name, int64_t value, unsigned decimals, const char *unit)
{
	char num[48], b[160];
	kfmt_fixed(num, sizeof num, value, decimals);
	ksnprintf(b, sizeof b, "measure %s %s %s", name, num, unit);
	line_start();
	ktap_diag(&out, case_depth, 0, b);
}

void report_case_measure(const char *name, int64_t value, unsigned decimals, const char *unit)
{
	measure_line(name, value, decimals, unit);
	ocp_measure(step, name, value, decimals, unit);
}

void report_series_start(const char *id, const char *name, const char *unit) { ocp_series_start(step, id, name, unit); }

void report_series_element(const char *id, unsigned index, const char *name, int64_t value, unsigned decimals,
			   const char *unit)
{
	measure_line(name, value, decimals, unit);
	ocp_series_element(step, id, index, value, decimals);
}

void report_series_end(const char *id, unsigned count) { ocp_series_end(step, id, count); }

/* What repeats one failing case: on hardware, the kiln.cfg lines (the selection and the
 * seed of the pass it failed in; the rest of the run's kiln.cfg stays as it was). */
static void reproduce(char *buf, size_t len, const char *case_name)
{
	const char *suite;
	uint64_t seed;
	runner_case_origin(&suite, &seed);
	ksnprintf(buf, len, "suites = %s; cases = %s; seed = 0x%llx", suite, case_name, (unsigned long long)seed);
}

void report_case_end(unsigned num, const char *name, enum ktap_result r, const char *reason)
{
	line_start();
	if (r == KTAP_FAIL && reason && *reason) {
		ktap_diag(&out, case_depth, name, reason);
		if (!case_failure[0])
			ksnprintf(case_failure, sizeof case_failure, "%s", reason);
	}
	bool failed_case = r == KTAP_FAIL || r == KTAP_TIMEOUT || r == KTAP_ERROR;
	if (failed_case) {
		char rep[300], line[340];
		reproduce(rep, sizeof rep, name);
		ksnprintf(line, sizeof line, "reproduce (kiln.cfg lines): %s", rep);
		ktap_diag(&out, case_depth, name, line);
		if (!first_reproduce[0])
			ksnprintf(first_reproduce, sizeof first_reproduce, "%s", rep);
	}
	const char *directive_reason = (r == KTAP_SKIP || r == KTAP_TIMEOUT || r == KTAP_ERROR) ? reason : 0;
	ktap_result(&out, case_depth, num, r, name, directive_reason);
	if (r == KTAP_TIMEOUT && !case_failure[0] && reason)
		ksnprintf(case_failure, sizeof case_failure, "timeout: %s", reason);
	if ((r == KTAP_FAIL || r == KTAP_TIMEOUT || r == KTAP_ERROR) && !first_failure[0])
		ksnprintf(first_failure, sizeof first_failure, "%s: %s", name, case_failure[0] ? case_failure : "failed");
	if (ocp_enabled()) {
		char verdict[96];
		int failed = r == KTAP_FAIL || r == KTAP_TIMEOUT || r == KTAP_ERROR;
		if (r != KTAP_SKIP) {
			ksnprintf(verdict, sizeof verdict, "%s-%s", name, failed ? (r == KTAP_TIMEOUT ? "timeout" : "fail") : "pass");
			ocp_diagnosis(step, verdict, failed ? "FAIL" : "PASS", failed ? case_failure : "");
		}
		ocp_step_end(step, r == KTAP_SKIP ? "SKIP" : (r == KTAP_ERROR ? "ERROR" : "COMPLETE"));
	}
}

void report_error(const char *symptom, const char *message) { ocp_run_error(symptom, message); }

const char *report_first_failure(void) { return first_failure; }

static bool finished;

void report_finish(int code)
{
	if (finished)
		return;
	finished = true;
	const struct run_totals *t = runner_totals();
	const char *verdict = code == KILN_EXIT_PASS ? "PASS" : (code == KILN_EXIT_FAIL ? "FAIL" : "ERROR");
	uint64_t ms = time_ns() / 1000000; /* the whole run, also when it ends early */
	char line[200];
	ksnprintf(line, sizeof line, "result %s passed=%u failed=%u skipped=%u duration=%llu.%01llus", verdict, t->passed,
		  t->failed, t->skipped, (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000 / 100));
	char cov[600];
	coverage_format(cov, sizeof cov);
	line_start();
	kprintf("# kiln: %s%s\n", line, cov);
	if (first_failure[0])
		kprintf("# kiln: first failure %s\n", first_failure);
	if (first_reproduce[0])
		kprintf("# kiln: reproduce the first failure (kiln.cfg lines): %s\n", first_reproduce);
	ocp_run_end(code <= KILN_EXIT_FAIL ? "COMPLETE" : "ERROR",
		    code == KILN_EXIT_PASS ? "PASS" : (code == KILN_EXIT_FAIL ? "FAIL" : "NOT_APPLICABLE"));
	if (persist_on)
		persist_save(line, first_failure, code);
}

/* The result line comes once; a run halted for inspection still ends with its exit line
 * when it does end (a crash while halted is exit 3, and says so). */
static void run_end(int code, bool halted)
{
	static bool halted_said;
	report_finish(code);
	if (halted) {
		if (!halted_said)
			kprintf("# kiln: halted for inspection; the exit code will be %d (%s) once someone ends the run\n",
				code, kiln_exit_name(code));
		halted_said = true;
		return;
	}
	if (ended)
		return;
	ended = true;
	kprintf("# kiln: exit %d (%s)\n", code, kiln_exit_name(code));
}

void report_run_end(int code) { run_end(code, false); }
void report_run_halted(int code) { run_end(code, true); }
