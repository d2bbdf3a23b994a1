/* The test runner: selects suites and cases from the configuration, runs each case with
 * a deadline, turns a hung case into "not ok ... # TIMEOUT" and a faulting case into
 * "not ok" with a crash record, and prints KTAP v1 plus a final summary line. */
#ifndef KILN_RUNNER_H
#define KILN_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"

struct run_totals {
	unsigned passed, failed, skipped, selected;
	unsigned passes;       /* passes completed (or under way when halted) */
	int halted;            /* on_failure=halt stopped the run */
	uint64_t eta_s;        /* estimated seconds left, for the heartbeat */
	uint64_t duration_ns;
};

extern const struct kt_suite *const kiln_suites[];
extern const unsigned kiln_suite_count;

/* Count the selected cases; on an empty selection writes why into err and returns 0. */
unsigned runner_select_count(const struct kiln_config *c, char *err, unsigned errlen);
/* 1 when a selected suite needs a device under test (KT_SUITE_DEVICE). */
bool runner_selection_needs_device(const struct kiln_config *c);
/* Report this case in every pass whatever the selection says (before runner_run). */
void runner_force_case(const char *name);
/* The top-level KTAP plan of runner_run: the number of suites of one pass, or the number
 * of passes of a burn-in; false when that is not known in advance (duration=, or an
 * on_failure= that may end the run early). Call after runner_force_case. */
bool runner_plan(const struct kiln_config *c, unsigned *count);
/* Burn-in: more than one pass, or a duration. */
bool runner_burn_in(const struct kiln_config *c);
/* Run the selection (every pass); prints through kernel/harness/report.c. */
void runner_run(const struct kiln_config *c, struct run_totals *tot);

/* Totals so far (also while a run is in progress, for a crash summary). */
const struct run_totals *runner_totals(void);

/* Called from the timer interrupt: aborts the running case past its deadline. */
void runner_tick(void);
/* Called from the exception handler: the running case (if any) is failed with the
 * record already printed, and control returns to the runner. Returns only when no case
 * is running. */
void runner_case_crashed(const char *what);
/* The suite and the seed (the pass's) of the case being run or just reported. */
void runner_case_origin(const char **suite, uint64_t *seed);
/* Name of the running case, or NULL. */
const char *runner_current_case(void);
/* The KTAP depth diagnostics of the running context go to (for crash records). */
unsigned runner_diag_depth(void);

#endif
