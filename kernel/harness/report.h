/* One stream of events for every reader: the runner says what happened, and this layer
 * writes KTAP on the console, OCP records (ldjson=on), remembers the first failure for
 * the persistent record, and prints the final lines. */
#ifndef KILN_REPORT_H
#define KILN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/harness/config.h"
#include "kernel/harness/ktap.h"

void report_configure(const struct kiln_config *c, bool burn_in);
void report_run_start(const struct kiln_config *c, const char *cmdline);
/* The KTAP document: its one top-level version line with the plan right after it (the
 * number of suites, or of passes in a burn-in; no plan when that is not known), printed
 * once the selection and the devices under test are known. Start-up lines before it are
 * outside the document. Once only; false when it was already open. */
bool report_document_begin(bool has_plan, unsigned count);
/* A run that ends before any case (config error, fatal start-up error, no device): the
 * document with plan 1..0, unless it is open already. */
void report_document_empty(void);
/* A burn-in pass: its version, '# Subtest: pass-N' and plan (the suites of one pass). */
void report_pass_begin(unsigned pass, unsigned nsuites);
void report_pass_end(unsigned pass, bool failed, const char *summary);
void report_suite_begin(const char *suite, unsigned cases);
void report_suite_end(unsigned num, const char *suite, enum ktap_result r, const char *reason);
void report_case_begin(const char *name);
void report_case_diag(const char *name, const char *text, bool failure);
void report_case_measure(const char *name, int64_t value, unsigned decimals, const char *unit);
/* A measurement series of the running case (OCP measurementSeries records); each element
 * is also a "# measure <name> <value> <unit>" line. */
void report_series_start(const char *id, const char *name, const char *unit);
void report_series_element(const char *id, unsigned index, const char *name, int64_t value, unsigned decimals,
			   const char *unit);
void report_series_end(const char *id, unsigned count);
void report_case_end(unsigned num, const char *name, enum ktap_result r, const char *reason);
/* KTAP depth of case lines (for crash records) and of suite lines. */
unsigned report_case_depth(void);
/* A run-level problem (config error, crash outside a case): an OCP error record. */
void report_error(const char *symptom, const char *message);
/* The first failing case and its first diagnosis, or "" when none failed. */
const char *report_first_failure(void);
/* The result line, first failure, OCP testRunEnd and the persistent record (once). */
void report_finish(int exit_code);
/* report_finish, then "# kiln: exit N". */
void report_run_end(int exit_code);
/* The same for on_failure=halt, which does not end the run. */
void report_run_halted(int exit_code);

#endif
