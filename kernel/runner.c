#include "kernel/runner.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/fmt.h"
#include "kernel/glob.h"
#include "kernel/jump.h"
#include "kernel/ktap.h"
#include "kernel/string.h"
#include "kernel/time.h"

#define SUITE_DEPTH 1 /* cases are one KTAP level below the top */

struct kt {
	const struct kt_suite *suite;
	const struct kt_case *c;
	enum ktap_result result;
	char reason[160];
	uint64_t seed;
	uint64_t rng;
};

static void console_sink(void *ctx, const char *s, size_t n) { console_write(s, n); }
static const struct ktap_out out = {console_sink, NULL};

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

static void vdiag(struct kt *t, const char *fmt, va_list ap)
{
	char b[400];
	kvsnprintf(b, sizeof b, fmt, ap);
	if (!console_at_line_start())
		console_puts("\n");
	ktap_diag(&out, SUITE_DEPTH, t->c->name, b);
}

void kt_diag(struct kt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(t, fmt, ap);
	va_end(ap);
}

void kt_fail(struct kt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(t, fmt, ap);
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
	uint64_t scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	char b[160];
	if (decimals)
		ksnprintf(b, sizeof b, "measure %s %s%llu.%0*llu %s", name, value < 0 ? "-" : "",
			  (unsigned long long)(mag / scale), (int)decimals, (unsigned long long)(mag % scale), unit);
	else
		ksnprintf(b, sizeof b, "measure %s %s%llu %s", name, value < 0 ? "-" : "", (unsigned long long)mag, unit);
	if (!console_at_line_start())
		console_puts("\n");
	ktap_diag(&out, SUITE_DEPTH, NULL, b);
}

bool kt_failed(const struct kt *t) { return t->result == KTAP_FAIL || t->result == KTAP_TIMEOUT; }
const char *kt_name(const struct kt *t) { return t->c->name; }
uint64_t kt_seed(const struct kt *t) { return t->seed; }

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, full-period; fine for test patterns. */
uint64_t kt_rand(struct kt *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* ---- running ------------------------------------------------------------------------- */

const char *runner_current_case(void) { return case_running ? cur.c->name : NULL; }
unsigned runner_diag_depth(void) { return case_running ? SUITE_DEPTH : 0; }

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

static enum ktap_result run_case(const struct kiln_config *c, const struct kt_suite *s, const struct kt_case *k,
				 unsigned num)
{
	memset(&cur, 0, sizeof cur);
	cur.suite = s;
	cur.c = k;
	cur.result = KTAP_PASS;
	cur.seed = c->seed;
	cur.rng = c->seed ^ fnv1a(k->name);
	case_timeout_s = k->timeout_s ? k->timeout_s : c->timeout_s;
	case_deadline = deadline_in_ns((uint64_t)case_timeout_s * NS_PER_S);
	if (kjmp_set(&case_jmp) == 0) {
		case_running = 1;
		irq_enable();
		k->run(&cur);
		case_running = 0;
	}
	/* An aborted case comes back here with interrupts off. */
	irq_enable();
	if (!console_at_line_start())
		console_puts("\n");
	const char *reason = NULL;
	if (cur.result == KTAP_SKIP || cur.result == KTAP_TIMEOUT)
		reason = cur.reason;
	else if (cur.result == KTAP_FAIL && cur.reason[0])
		ktap_diag(&out, SUITE_DEPTH, k->name, cur.reason);
	ktap_result(&out, SUITE_DEPTH, num, cur.result, k->name, reason);
	return cur.result;
}

const struct run_totals *runner_totals(void) { return &live; }

void runner_run(const struct kiln_config *c, struct run_totals *out_tot)
{
	struct run_totals *tot = &live;
	uint64_t start = time_ns();
	unsigned nsuites = 0, snum = 0;
	memset(tot, 0, sizeof *tot);
	for (unsigned i = 0; i < kiln_suite_count; i++)
		nsuites += suite_case_count(c, kiln_suites[i]) > 0;
	ktap_plan(&out, 0, nsuites);
	for (unsigned i = 0; i < kiln_suite_count; i++) {
		const struct kt_suite *s = kiln_suites[i];
		unsigned n = suite_case_count(c, s);
		if (!n)
			continue;
		ktap_version(&out, SUITE_DEPTH);
		ktap_subtest(&out, SUITE_DEPTH, s->name);
		ktap_plan(&out, SUITE_DEPTH, n);
		unsigned num = 0, failed = 0, skipped = 0;
		for (unsigned j = 0; j < s->count; j++) {
			if (!case_selected(c, &s->cases[j]))
				continue;
			enum ktap_result r = run_case(c, s, &s->cases[j], ++num);
			tot->selected++;
			if (r == KTAP_PASS)
				tot->passed++;
			else if (r == KTAP_SKIP)
				tot->skipped++, skipped++;
			else
				tot->failed++, failed++;
		}
		enum ktap_result sr = failed ? KTAP_FAIL : (skipped == n ? KTAP_SKIP : KTAP_PASS);
		ktap_result(&out, 0, ++snum, sr, s->name, sr == KTAP_SKIP ? "every case skipped" : NULL);
	}
	tot->duration_ns = time_ns() - start;
	*out_tot = *tot;
}
