/* What a test case sees: its context, diagnostics, verdicts, measurements and seeded
 * randomness. Suites are tables of cases (tests/suites/suites.c lists every suite). */
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

struct kt_suite {
	const char *name;
	const struct kt_case *cases;
	unsigned count;
	unsigned flags;
};

#define KT_CASES(arr) (arr), (unsigned)(sizeof(arr) / sizeof((arr)[0]))

/* A "# case-name: text" diagnostic line above the case's result. */
void kt_diag(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail the case with a diagnosis; the case goes on unless it returns. */
void kt_fail(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Skip the case with a reason (the case should return after this). */
void kt_skip(struct kt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# measure <name> <value> <unit>"; value is in units of 10^-decimals. */
void kt_measure(struct kt *t, const char *name, int64_t value, unsigned decimals, const char *unit);
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
