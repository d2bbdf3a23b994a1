#include "kernel/harness/runner.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/glob.h"
#include "drivers/accel/accel.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/lib/random.h"
#include "kernel/harness/heartbeat.h"
#include "kernel/harness/lane.h"
#include "kernel/arch/x86/jump.h"
#include "kernel/pmm.h"
#include "kernel/harness/report.h"
#include "kernel/harness/watch.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

struct dev_lane;

struct kt {
	const struct kt_suite *suite;
	const struct kt_case *c;
	enum ktap_result result;
	char reason[160];
	char partial[160];     /* kt_partial: what the case left out (empty: all of it covered) */
	uint64_t seed;
	uint64_t rng;
	struct dev_lane *dl;   /* a device lane's context: diagnostics are kept, not printed */
};

/* parallel=devices: a device suite's case runs once per accelerator, each on its own AP
 * with a view of only its device (accel_view_only); what a lane says is kept in order
 * and printed by the boot CPU in device order once every lane is back, so the KTAP is
 * the same whatever the lanes' timing. */
#define DEV_LANE_RECS 256
#define DEV_LANE_POOL 16384
struct dev_rec {
	char type;        /* 'D' diagnostic, 'F' failure diagnostic, 'M' measurement */
	uint8_t decimals;
	uint16_t text, unit;
	int64_t value;
};
struct dev_lane {
	struct kt kt;
	struct lane lane;
	unsigned dev;
	struct dev_rec rec[DEV_LANE_RECS];
	unsigned nrec, dropped, used;
	char pool[DEV_LANE_POOL];
};
static struct dev_lane *dev_lanes; /* ACCEL_MAX of them, allocated at first use */

static struct kt cur;
static struct run_totals live;
static volatile int case_running;
static volatile int lanes_running; /* the case's device lanes are out (case_running is 0 then) */
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

/* A case the run must report whatever the selection (e.g. topology-accels after a failed
 * bring-up: a device dropped is a failed case, never only a comment). */
static const char *forced_case;

void runner_force_case(const char *name) { forced_case = name; }

static int forced(const struct kt_suite *s)
{
	if (!forced_case)
		return 0;
	for (unsigned i = 0; i < s->count; i++)
		if (!strcmp(s->cases[i].name, forced_case))
			return 1;
	return 0;
}

static int case_selected(const struct kiln_config *c, const struct kt_case *k)
{
	if (forced_case && !strcmp(k->name, forced_case))
		return 1;
	if (c->exclude[0] && glob_match_list(c->exclude, k->name))
		return 0;
	return !c->cases[0] || glob_match_list(c->cases, k->name);
}

static unsigned suite_case_count(const struct kiln_config *c, const struct kt_suite *s)
{
	unsigned n = 0;
	if (!suite_selected(c, s))
		return forced(s);
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

static int pool_put(struct dev_lane *d, const char *s)
{
	size_t n = strlen(s) + 1;
	if (d->used + n > sizeof d->pool)
		return -1;
	memcpy(d->pool + d->used, s, n);
	d->used += (unsigned)n;
	return (int)(d->used - n);
}

static void dev_record(struct dev_lane *d, char type, const char *text, const char *unit, int64_t value,
		       unsigned decimals)
{
	int at = d->nrec < DEV_LANE_RECS ? pool_put(d, text) : -1;
	int u = at >= 0 && unit ? pool_put(d, unit) : 0;
	if (at < 0 || u < 0) {
		d->dropped++;
		return;
	}
	d->rec[d->nrec++] = (struct dev_rec){type, (uint8_t)decimals, (uint16_t)at, (uint16_t)u, value};
}

static void vdiag(struct kt *t, bool failure, const char *fmt, va_list ap)
{
	char b[400];
	kvsnprintf(b, sizeof b, fmt, ap);
	if (t->dl)
		dev_record(t->dl, failure ? 'F' : 'D', b, 0, 0, 0);
	else
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

void kt_partial(struct kt *t, const char *fmt, ...)
{
	char b[sizeof t->partial];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	kt_diag(t, "partial coverage: %s", b);
	if (!t->partial[0])
		memcpy(t->partial, b, sizeof b);
}

uint32_t kt_timeout_s(const struct kt *t) { return case_timeout_s; }

void kt_measure(struct kt *t, const char *name, int64_t value, unsigned decimals, const char *unit)
{
	if (t->dl)
		dev_record(t->dl, 'M', name, unit, value, decimals);
	else
		report_case_measure(name, value, decimals, unit);
}

static unsigned series_ids; /* measurementSeriesId: unique in the run */

void kt_series_start(struct kt *t, struct kt_series *s, const char *name, unsigned decimals, const char *unit)
{
	memset(s, 0, sizeof *s);
	ksnprintf(s->id, sizeof s->id, "series-%u", ++series_ids);
	ksnprintf(s->name, sizeof s->name, "%s", name);
	ksnprintf(s->unit, sizeof s->unit, "%s", unit);
	s->decimals = decimals;
	s->open = true;
	if (!t->dl)
		report_series_start(s->id, s->name, s->unit);
}

void kt_series_add(struct kt *t, struct kt_series *s, int64_t value)
{
	if (!s->open)
		return;
	if (t->dl)
		dev_record(t->dl, 'M', s->name, s->unit, value, s->decimals);
	else
		report_series_element(s->id, s->count, s->name, value, s->decimals, s->unit);
	s->count++;
}

void kt_series_end(struct kt *t, struct kt_series *s)
{
	if (!s->open)
		return;
	s->open = false;
	if (!t->dl)
		report_series_end(s->id, s->count);
}

bool kt_failed(const struct kt *t) { return t->result == KTAP_FAIL || t->result == KTAP_TIMEOUT; }
const char *kt_name(const struct kt *t) { return t->c->name; }
uint64_t kt_seed(const struct kt *t) { return t->seed; }

/* kernel/lib/random.h's generator, one stream per case. */
uint64_t kt_rand(struct kt *t) { return rand_next(&t->rng); }

/* ---- running ------------------------------------------------------------------------- */

const char *runner_current_case(void) { return case_running || lanes_running ? cur.c->name : NULL; }
unsigned runner_diag_depth(void) { return case_running || lanes_running ? report_case_depth() : 0; }
const struct run_totals *runner_totals(void) { return &live; }

void runner_case_origin(const char **suite, uint64_t *seed)
{
	*suite = cur.suite ? cur.suite->name : "";
	*seed = cur.seed;
}

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

static void dev_lane_run(void *arg)
{
	struct dev_lane *d = arg;
	d->kt.c->run(&d->kt);
}

static unsigned idle_lane_cpus(void)
{
	unsigned idle = 0;
	for (unsigned i = 1; i < smp_count(); i++)
		idle += lane_cpu_usable(smp_cpu(i), true); /* the device's MSI-X is steered to it */
	return idle;
}

/* Lanes for every device, or 0 when this case runs the usual way (one CPU, all devices). */
static bool lanes_possible(const struct kiln_config *c, const struct kt_suite *s)
{
	unsigned n = accel_count();
	if (c->parallel != CFG_PARALLEL_DEVICES || !(s->flags & KT_SUITE_LANES) || n < 2 || n > ACCEL_MAX)
		return false;
	/* an AP per device, or one fewer: the boot CPU then drives the first device itself */
	if (idle_lane_cpus() + 1 < n)
		return false;
	if (!dev_lanes) {
		uint64_t pages = (ACCEL_MAX * sizeof(struct dev_lane) + PMM_PAGE - 1) / PMM_PAGE;
		dev_lanes = page_alloc(pages);
	}
	return dev_lanes != 0;
}

/* Merge as the serial loop would have: a timeout wins, then a failure, then a skip. */
static void merge(enum ktap_result *r, enum ktap_result lane)
{
	static const int rank[] = {[KTAP_PASS] = 0, [KTAP_SKIP] = 1, [KTAP_FAIL] = 2, [KTAP_TIMEOUT] = 3};
	if (rank[lane] > rank[*r])
		*r = lane;
}

static void run_lanes(const struct kt_case *k)
{
	unsigned n = accel_count();
	struct cpu *cpus[ACCEL_MAX];
	unsigned next = 1;
	/* One AP short: the boot CPU drives device 0 as a lane of its own (same deadline and
	 * crash handling), so every device still has a CPU of its own. */
	bool here = idle_lane_cpus() < n;
	for (unsigned i = 0; i < n; i++) {
		struct dev_lane *d = &dev_lanes[i];
		memset(d, 0, offsetof(struct dev_lane, pool));
		d->kt = cur;
		d->kt.dl = d;
		d->kt.rng = cur.rng ^ (RAND_GOLDEN * (i + 1));
		d->dev = i;
		if (here && i == 0) {
			cpus[i] = this_cpu(); /* its view is narrowed only while it runs the lane */
			continue;
		}
		while (next < smp_count() && !lane_cpu_usable(smp_cpu(next), true))
			next++;
		cpus[i] = smp_cpu(next++);
		accel_view_only(cpus[i]->index, (int)i);
		/* the device's interrupts go to the CPU that drives it for the lane's time */
		accel_irq_steer(accel_get(i), cpus[i]->apic_id);
	}
	/* The lanes' own deadlines (and the waiter's backstop) bound this case; the boot
	 * CPU's tick must not unwind it while lanes still hold its state. */
	lanes_running = 1;
	case_running = 0;
	uint64_t ns = (uint64_t)case_timeout_s * NS_PER_S;
	int started[ACCEL_MAX];
	for (unsigned i = here ? 1 : 0; i < n; i++)
		started[i] = lane_start(&dev_lanes[i].lane, cpus[i], dev_lane_run, &dev_lanes[i], ns) == 0;
	enum lane_result here_r = LANE_DONE;
	if (here) {
		struct accel *a0 = accel_get(0);
		accel_irq_steer(a0, cpus[0]->apic_id);
		accel_view_only(cpus[0]->index, 0);
		here_r = lane_run_here(&dev_lanes[0].lane, dev_lane_run, &dev_lanes[0], ns);
		accel_view_only(cpus[0]->index, -1);
		started[0] = 1;
	}
	enum ktap_result r = KTAP_PASS;
	char reason[sizeof cur.reason] = "";
	for (unsigned i = 0; i < n; i++) {
		struct dev_lane *d = &dev_lanes[i];
		const char *bdf = accel_get(i)->bdf;
		enum lane_result lr = here && i == 0 ? here_r : started[i] ? lane_wait(&d->lane) : LANE_HUNG;
		accel_view_only(cpus[i]->index, -1);
		accel_irq_steer(accel_get(i), smp_cpu(0)->apic_id); /* serial work again: the boot CPU */
		for (unsigned j = 0; j < d->nrec; j++) {
			const struct dev_rec *x = &d->rec[j];
			if (x->type == 'M')
				report_case_measure(d->pool + x->text, x->value, x->decimals, d->pool + x->unit);
			else
				report_case_diag(k->name, d->pool + x->text, x->type == 'F');
		}
		if (d->dropped) {
			char b[120];
			ksnprintf(b, sizeof b, "%s: %u more diagnostic line(s) of this device's lane not kept", bdf, d->dropped);
			report_case_diag(k->name, b, false);
		}
		enum ktap_result lane_r = d->kt.result;
		if (!started[i] || lr != LANE_DONE) {
			char b[240];
			ksnprintf(b, sizeof b, "%s: %s", bdf, started[i] ? d->lane.why : "its CPU did not take the lane");
			report_case_diag(k->name, b, true);
			lane_r = lr == LANE_TIMEOUT || lr == LANE_HUNG ? KTAP_TIMEOUT : KTAP_FAIL;
			if (lane_r == KTAP_TIMEOUT && !reason[0])
				ksnprintf(reason, sizeof reason, "no result after %u s on %s", case_timeout_s, bdf);
		}
		if (lane_r == KTAP_SKIP && !reason[0])
			ksnprintf(reason, sizeof reason, "%s", d->kt.reason);
		if (d->kt.partial[0] && !cur.partial[0])
			memcpy(cur.partial, d->kt.partial, sizeof cur.partial);
		merge(&r, lane_r);
	}
	lanes_running = 0;
	cur.result = r;
	if (r == KTAP_SKIP || r == KTAP_TIMEOUT)
		ksnprintf(cur.reason, sizeof cur.reason, "%s", reason);
}

static void watch_fail(const char *text) { kt_fail(&cur, "%s", text); }

/* A suite's sized deadline share (struct kt_suite's sized_s): summed over the devices one
 * CPU tests in turn, the largest when each device has its own lane; at most a day. */
static uint32_t sized_s(const struct kt_suite *s, const struct kt_case *k, bool lanes)
{
	if (!s->sized_s)
		return 0;
	uint64_t sum = 0, max = 0;
	for (unsigned i = 0; i < accel_count(); i++) {
		uint64_t x = s->sized_s(k, i);
		sum += x;
		max = x > max ? x : max;
	}
	uint64_t r = lanes ? max : sum;
	return r > 86400 ? 86400 : (uint32_t)r;
}

static enum ktap_result run_case(const struct kiln_config *c, const struct kt_suite *s, const struct kt_case *k,
				 unsigned num, unsigned pass, bool pass_end)
{
	memset(&cur, 0, sizeof cur);
	cur.suite = s;
	cur.c = k;
	cur.result = KTAP_PASS;
	cur.seed = pass_seed(c->seed, pass);
	cur.rng = cur.seed ^ rand_hash(k->name);
	bool lanes = lanes_possible(c, s);
	case_timeout_s = k->timeout_s ? k->timeout_s : c->timeout_s;
	case_timeout_s += sized_s(s, k, lanes);
	report_case_begin(k->name);
	case_deadline = deadline_in_ns((uint64_t)case_timeout_s * NS_PER_S);
	if (kjmp_set(&case_jmp) == 0) {
		case_running = 1;
		irq_enable();
		if (lanes)
			run_lanes(k);
		else
			k->run(&cur);
		case_running = 0;
	}
	/* An aborted case comes back here with interrupts off. */
	irq_enable();
	if (cur.result == KTAP_SKIP && !cur.reason[0]) {
		cur.result = KTAP_FAIL;
		ksnprintf(cur.reason, sizeof cur.reason, "skipped without a reason: every skip must say why");
	} else if (cur.result == KTAP_SKIP && c->skips_fail == CFG_ON && !(s->flags & KT_SUITE_EXPLICIT)) {
		char why[sizeof cur.reason];
		memcpy(why, cur.reason, sizeof why);
		cur.result = KTAP_FAIL;
		ksnprintf(cur.reason, sizeof cur.reason, "skips=fail: the case skipped (%s); leave it out with exclude= if "
			  "that is expected", why);
	} else if (cur.result == KTAP_PASS && cur.partial[0] && c->skips_fail == CFG_ON && !(s->flags & KT_SUITE_EXPLICIT)) {
		/* a part covered is a skip of the rest: the same rule */
		cur.result = KTAP_FAIL;
		ksnprintf(cur.reason, sizeof cur.reason, "skips=fail: partial coverage: %s", cur.partial);
	}
	watch_case_end(k->name, pass_end, pass, watch_fail);
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
	unsigned snum = 0, left = 0;
	for (unsigned i = 0; i < kiln_suite_count; i++)
		left += suite_case_count(c, kiln_suites[i]);
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
			if (!case_selected(c, k) || (!suite_selected(c, s) && strcmp(k->name, forced_case)))
				continue;
			left--;
			enum ktap_result r;
			if (*stop) {
				/* on_failure=stop: the rest are reported, not run, so every plan holds */
				r = KTAP_SKIP;
				report_case_begin(k->name);
				report_case_end(++num, k->name, r, stop_reason);
			} else {
				r = run_case(c, s, k, ++num, pass, left == 0);
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
	int stop = 0;
	for (unsigned pass = 1; pass <= passes; pass++) {
		uint64_t pass_start = time_ns();
		unsigned f0 = live.failed, p0 = live.passed, s0 = live.skipped;
		heartbeat_progress(pass, pass == 1 ? HEARTBEAT_ETA_UNKNOWN : live.eta_s);
		if (burn) {
			report_pass_begin(pass, nsuites);
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

bool runner_plan(const struct kiln_config *c, unsigned *count)
{
	unsigned nsuites = 0;
	for (unsigned i = 0; i < kiln_suite_count; i++)
		nsuites += suite_case_count(c, kiln_suites[i]) > 0;
	if (!runner_burn_in(c)) {
		/* on_failure=halt stops mid-pass, leaving suites unreported: no plan then */
		*count = nsuites;
		return c->on_failure != CFG_ON_FAILURE_HALT;
	}
	/* with a duration, or a failure that may end the run early (on_failure=stop|halt),
	 * the number of passes is not known: no plan */
	*count = c->passes;
	return !c->duration_s && c->on_failure == CFG_ON_FAILURE_CONTINUE;
}
