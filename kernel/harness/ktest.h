/* What a test case sees: its context, diagnostics, verdicts, measurements and seeded
 * randomness; how a suite is declared. A suite is a table of cases under tests/suites/,
 * named once in the run order of tests/suites/suites.c (docs/testing.md walks through it). */
#ifndef KILN_KTEST_H
#define KILN_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct kt;

struct kt_case {
	const char *name;          /* stable, lowercase, dash-separated, starts with the suite name */
	void (*run)(struct kt *t);
	uint32_t timeout_s;        /* 0: the configured default */
};

#define KT_SUITE_EXPLICIT 1u /* runs only when its name is given in suites= exactly */
#define KT_SUITE_DEVICE 2u   /* needs a device under test: none bound means exit 4 */
/* parallel=devices may run each case once per accelerator, each on its own AP at once: a
 * case of such a suite touches only the devices accel_get() gives it and no shared state
 * (not nic/net: a cable joins two devices' ports, and lwIP is one global stack). */
#define KT_SUITE_LANES 4u

struct kt_suite {
	const char *name;
	const struct kt_case *cases;
	unsigned count;
	unsigned flags;
	/* Optional: the seconds case k needs on accelerator dev on top of its timeout, for
	 * work that grows with what is tested (the hbm cases: bytes moved at a documented
	 * worst-case rate). The runner adds the sum over the devices (one CPU tests them one
	 * after another) or the largest (parallel=devices: one lane per device); the case
	 * reads the deadline chosen with kt_timeout_s and prints it. */
	uint32_t (*sized_s)(const struct kt_case *k, unsigned dev);
};

#define KT_CASES(arr) (arr), (unsigned)(sizeof(arr) / sizeof((arr)[0]))

/* Define suite `ident` (its name is the identifier spelled out) over the file's `cases`
 * table: `KT_SUITE(queues, KT_SUITE_DEVICE);` defines kt_suite_queues, which
 * tests/suites/suites.c lists in run order. */
#define KT_SUITE(ident, flags) const struct kt_suite kt_suite_##ident = {#ident, KT_CASES(cases), (flags), 0}
/* The same with a sized deadline (struct kt_suite's sized_s). */
#define KT_SUITE_SIZED(ident, flags, sized)                                                                     \
	const struct kt_suite kt_suite_##ident = {#ident, KT_CASES(cases), (flags), (sized)}

/* A suite whose cases live in several files lists them once, as X(function, "name",
 * timeout_s) entries of a list macro, and gets both the functions' declarations and the
 * table from it:
 *     #define PLATFORM_CASES(X) \
 *             X(platform_memory_map, "platform-memory-map", 0) \
 *             X(platform_page_allocator, "platform-page-allocator", 120)
 *     KT_CASES_DECLARE(PLATFORM_CASES)
 *     static const struct kt_case cases[] = {KT_CASES_TABLE(PLATFORM_CASES)};
 *     KT_SUITE(platform, 0);
 * A new case is then its own file plus one line in the list. */
#define KT_CASE_DECLARE_(fn, name, timeout_s) void fn(struct kt *t);
#define KT_CASE_ENTRY_(fn, name, timeout_s) {name, fn, timeout_s},
#define KT_CASES_DECLARE(LIST) LIST(KT_CASE_DECLARE_)
#define KT_CASES_TABLE(LIST) LIST(KT_CASE_ENTRY_)

/* A "# case-name: text" diagnostic line above the case's result. */
void kt_diag(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail the case with a diagnosis; the case goes on unless it returns. */
void kt_fail(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Skip the case with a reason (the case should return after this). */
void kt_skip(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Partial coverage: the case passed over less than the whole of what it tests (the quick
 * default of hbm_range, say) and says exactly what it left out. The case stays `ok` with a
 * "# case: partial coverage: ..." line; under skips=fail it is a failure like an
 * unrequested skip (a run that must cover everything never passes on a part). */
void kt_partial(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The case's deadline in seconds (its timeout plus any sized part), for its diagnostics. */
uint32_t kt_timeout_s(const struct kt *t);
/* "# measure <name> <value> <unit>"; value is in units of 10^-decimals. */
void kt_measure(struct kt *t, const char *name, int64_t value, unsigned decimals, const char *unit);
/* A measurement series: a value sampled over time (a sensor during a stress). Each element
 * is a "# measure <name> <value> <unit>" line and, with ldjson=on, an OCP
 * measurementSeriesElement of one measurementSeriesStart .. End. The caller keeps the
 * struct; start, add and end from the case's own CPU. */
struct kt_series {
	char id[24];
	char name[64];
	char unit[16];
	unsigned decimals;
	unsigned count;
	bool open;
};
void kt_series_start(struct kt *t, struct kt_series *s, const char *name, unsigned decimals, const char *unit);
void kt_series_add(struct kt *t, struct kt_series *s, int64_t value);
void kt_series_end(struct kt *t, struct kt_series *s);
/* What a case exercised, for the coverage on the final result line (kernel/harness/coverage.c):
 * HBM bytes tested on device dev (the largest span counts), queue / NIC port number
 * `amount` of device dev used with success, the CPU (struct cpu index `amount`) that ran
 * test code (every lane marks its own CPU; the boot CPU always counts), host RAM bytes
 * tested. */
enum kt_cover { KT_COVER_HBM, KT_COVER_QUEUE, KT_COVER_PORT, KT_COVER_CPUS, KT_COVER_HOST_RAM };
void kt_cover(struct kt *t, enum kt_cover what, unsigned dev, uint64_t amount);
bool kt_failed(const struct kt *t);
const char *kt_name(const struct kt *t);
/* Deterministic per-case randomness: the run seed mixed with the case name, so a case
 * draws the same numbers whatever else is selected. */
uint64_t kt_rand(struct kt *t);
uint64_t kt_seed(const struct kt *t);

/* Check a condition; on failure fail the case with the expression and a message. */
#define KT_EXPECT(t, cond, ...)                                                                                \
	((cond) ? true : (kt_fail((t), "check failed: %s", #cond), kt_diag((t), __VA_ARGS__), false))

#endif
