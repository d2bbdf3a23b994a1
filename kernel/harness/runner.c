#include "kernel/harness/runner.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/glob.h"
#include "kernel/lib/random.h"
#include "kernel/harness/heartbeat.h"
#include "kernel/arch/x86/jump.h"
#include "kernel/pmm.h"
#include "kernel/harness/report.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

struct kt {
	const struct kt_suite *suite;
	const struct kt_case *c;
	enum ktap_result result;
	char reason[160];
	uint64_t seed;
	uint64_t rng;
};

static struct kt cur;
static struct run_totals live;
static volatile int case_running;
static struct kjmp case_jmp;
static struct deadline case_deadline;
static uint32_t case_timeout_s;

/* ---- selection ----------------------------------------------------------------------- */

static int listed_exactly(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if ((size_t)(p - s) == n && !strncmp(s, name, n))
			return 1;
	}
	return 0;
}

static int suite_selected(const struct kiln_config *c, const struct kt_suite *s)
{
	if (c->exclude[0] && glob_match_list(c->exclude, s->name))
		return 0;
	if (s->flags & KT_SUITE_EXPLICIT)
		return listed_exactly(c->suites, s->name);
	return !c->suites[0] || glob_match_list(c->suites, s->name);
}

static int case_selected(const struct kiln_config *c, const struct kt_case *k)
{
	if (c->exclude[0] && glob_match_list(c->exclude, k->name))
		return 0;
	return !c->cases[0] || glob_match_list(c->cases, k->name);
}

static unsigned suite_case_count(const struct kiln_config *c, const struct kt_suite *s)
{
	unsigned n = 0;
	if (!suite_selected(c, s))
		return 0;
	for (unsigned i = 0; i < s->count; i++)
		n += case_selected(c, &s->cases[i]);
	return n;
}

unsigned runner_select_count(const struct kiln_config *c, char *err, unsigned errlen)
{
	unsigned n = 0;
	for (unsigned i = 0; i < kiln_suite_count; i++)
		n += suite_case_count(c, kiln_suites[i]);
	if (!n) {
		size_t used = (size_t)ksnprintf(err, errlen, "the selection (suites=%s cases=%s exclude=%s) matches no case; suites:",
						c->suites[0] ? c->suites : "(default)", c->cases[0] ? c->cases : "*",
						c->exclude[0] ? c->exclude : "(none)");
		for (unsigned i = 0; i < kiln_suite_count && used < errlen; i++)
			used += (size_t)ksnprintf(err + used, errlen - used, " %s%s", kiln_suites[i]->name,
						  (kiln_suites[i]->flags & KT_SUITE_EXPLICIT) ? "(explicit)" : "");
	}
	return n;
}

/* ---- the case API -------------------------------------------------------------------- */

static void vdiag(struct kt *t, bool failure, const char *fmt, va_list ap)
{
	char b[400];
	kvsnprintf(b, sizeof b, fmt, ap);
	report_case_diag(t->c->name, b, failure);
}

void kt_diag(struct kt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(t, false, fmt, ap);
	va_end(ap);
}

void kt_fail(struct kt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(t, true, fmt, ap);
	va_end(ap);
	if (t->result == KTAP_PASS || t->result == KTAP_SKIP)
		t->result = KTAP_FAIL;
}

void kt_skip(struct kt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(t->reason, sizeof t->reason, fmt, ap);
	va_end(ap);
	if (t->result == KTAP_PASS)
		t->result = KTAP_SKIP;
}

void kt_measure(struct kt *t, const char *name, int64_t value, unsigned decimals, const char *unit)
{
	report_case_measure(name, value, decimals, unit);
}

bool kt_failed(const struct kt *t) { return t->result == KTAP_FAIL || t->result == KTAP_TIMEOUT; }
const char *kt_name(const struct kt *t) { return t->c->name; }
uint64_t kt_seed(const struct kt *t) { return t->seed; }

/* kernel/lib/random.h's generator, one stream per case. */
uint64_t kt_rand(struct kt *t) { return rand_next(&t->rng); }

/* ---- running ------------------------------------------------------------------------- */

const char *runner_current_case(void) { return case_running ? cur.c->name : NULL; }
unsigned runner_diag_depth(void) { return case_running ? report_case_depth() : 0; }
const struct run_totals *runner_totals(void) { return &live; }

void runner_tick(void)
{
	if (!case_running || !deadline_passed(case_deadline))
		return;
	case_running = 0;
	cur.result = KTAP_TIMEOUT;
	ksnprintf(cur.reason, sizeof cur.reason, "no result after %u s", case_timeout_s);
	kjmp_go(&case_jmp, 1);
}

void runner_case_crashed(const char *what)
{
	if (!case_running)
		return;
	case_running = 0;
	cur.result = KTAP_FAIL;
	ksnprintf(cur.reason, sizeof cur.reason, "%s", what);
	kjmp_go(&case_jmp, 1);
}

/* The seed of pass p: pass 1 uses the run seed itself, so a one-pass run and the first
 * pass of a burn-in draw the same patterns; later passes vary them. */
static uint64_t pass_seed(uint64_t seed, unsigned pass)
{
	return pass <= 1 ? seed : seed ^ (RAND_GOLDEN * pass);
}

static enum ktap_result run_case(const struct kiln_config *c, const struct kt_suite *s, const struct kt_case *k,
				 unsigned num, unsigned pass)
{
	memset(&cur, 0, sizeof cur);
	cur.suite = s;
	cur.c = k;
	cur.result = KTAP_PASS;
	cur.seed = pass_seed(c->seed, pass);
	cur.rng = cur.seed ^ rand_hash(k->name);
	case_timeout_s = k->timeout_s ? k->timeout_s : c->timeout_s;
	report_case_begin(k->name);
	case_deadline = deadline_in_ns((uint64_t)case_timeout_s * NS_PER_S);
	if (kjmp_set(&case_jmp) == 0) {
		case_running = 1;
		irq_enable();
		k->run(&cur);
		case_running = 0;
	}
	/* An aborted case comes back here with interrupts off. */
	irq_enable();
	report_case_end(num, k->name, cur.result, cur.reason[0] ? cur.reason : 0);
	return cur.result;
}

static void count(enum ktap_result r)
{
	if (r == KTAP_PASS)
		live.passed++;
	else if (r == KTAP_SKIP)
		live.skipped++;
	else
		live.failed++;
}

/* One pass over the selection. Returns 1 when a failure asks the run to stop. */
static int run_pass(const struct kiln_config *c, unsigned pass, int *stop, bool *pass_failed)
{
	unsigned snum = 0;
	char stop_reason[160] = "";
	for (unsigned i = 0; i < kiln_suite_count; i++) {
		const struct kt_suite *s = kiln_suites[i];
		unsigned n = suite_case_count(c, s);
		if (!n)
			continue;
		report_suite_begin(s->name, n);
		unsigned num = 0, failed = 0, skipped = 0;
		for (unsigned j = 0; j < s->count; j++) {
			const struct kt_case *k = &s->cases[j];
			if (!case_selected(c, k))
				continue;
			enum ktap_result r;
			if (*stop) {
				/* on_failure=stop: the rest are reported, not run, so every plan holds */
				r = KTAP_SKIP;
				report_case_begin(k->name);
				report_case_end(++num, k->name, r, stop_reason);
			} else {
				r = run_case(c, s, k, ++num, pass);
			}
			live.selected++;
			count(r);
			if (r == KTAP_SKIP)
				skipped++;
			else if (r != KTAP_PASS)
				failed++;
			if (r != KTAP_PASS && r != KTAP_SKIP && !*stop && c->on_failure != CFG_ON_FAILURE_CONTINUE) {
				*stop = c->on_failure == CFG_ON_FAILURE_HALT ? 2 : 1;
				ksnprintf(stop_reason, sizeof stop_reason, "not run: on_failure=%s after %s failed",
					  *stop == 2 ? "halt" : "stop", k->name);
				if (*stop == 2) {
					/* halt: keep the device exactly as the failing case left it */
					report_suite_end(++snum, s->name, KTAP_FAIL, 0);
					*pass_failed = true;
					return 1;
				}
			}
		}
		*pass_failed |= failed > 0;
		enum ktap_result sr = failed ? KTAP_FAIL : (skipped == n ? KTAP_SKIP : KTAP_PASS);
		report_suite_end(++snum, s->name, sr, sr == KTAP_SKIP ? (*stop ? stop_reason : "every case skipped") : 0);
	}
	return *stop != 0;
}

void runner_run(const struct kiln_config *c, struct run_totals *out_tot)
{
	uint64_t start = time_ns();
	unsigned nsuites = 0;
	for (unsigned i = 0; i < kiln_suite_count; i++)
		nsuites += suite_case_count(c, kiln_suites[i]) > 0;
	bool burn = runner_burn_in(c);
	unsigned passes = c->passes ? c->passes : (c->duration_s ? UINT32_MAX : 1);
	uint64_t end = c->duration_s ? start + c->duration_s * NS_PER_S : 0;
	if (!burn)
		report_plan(nsuites);
	else if (!c->duration_s)
		report_plan(passes); /* with a duration the number of passes is not known: no plan */
	int stop = 0;
	for (unsigned pass = 1; pass <= passes; pass++) {
		uint64_t pass_start = time_ns();
		unsigned f0 = live.failed, p0 = live.passed, s0 = live.skipped;
		heartbeat_progress(pass, pass == 1 ? HEARTBEAT_ETA_UNKNOWN : live.eta_s);
		if (burn) {
			report_pass_begin(pass);
			report_plan_at(1, nsuites);
		}
		bool pass_failed = false;
		run_pass(c, pass, &stop, &pass_failed);
		live.passes = pass;
		uint64_t now = time_ns(), took = now - pass_start;
		if (burn) {
			char summary[200];
			ksnprintf(summary, sizeof summary,
				  "pass %u done passed=%u failed=%u skipped=%u duration=%llums free_pages=%llu", pass,
				  live.passed - p0, live.failed - f0, live.skipped - s0,
				  (unsigned long long)(took / NS_PER_MS), (unsigned long long)kernel_pmm.free_pages);
			report_pass_end(pass, pass_failed, summary);
		}
		/* estimate what is left for the heartbeat */
		uint64_t per_pass = (now - start) / pass;
		if (end)
			live.eta_s = now < end ? (end - now) / NS_PER_S : 0;
		else
			live.eta_s = (uint64_t)(passes - pass) * per_pass / NS_PER_S;
		if (stop == 2) {
			live.halted = 1;
			break;
		}
		if (stop || (end && now >= end))
			break;
	}
	live.duration_ns = time_ns() - start;
	*out_tot = live;
}

bool runner_selection_needs_device(const struct kiln_config *c)
{
	for (unsigned i = 0; i < kiln_suite_count; i++)
		if ((kiln_suites[i]->flags & KT_SUITE_DEVICE) && suite_case_count(c, kiln_suites[i]))
			return true;
	return false;
}

bool runner_burn_in(const struct kiln_config *c) { return c->passes > 1 || c->duration_s > 0; }
