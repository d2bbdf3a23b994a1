/* Machine records: the OCP Test & Validation output spec v2.0 (ocp-diag-core,
 * json_spec/), one JSON object per console line, framed as "# ocp: {...}" at column 0
 * so KTAP readers see a diagnostic line and host tools strip the prefix. */
#ifndef KILN_OCP_H
#define KILN_OCP_H

#include <stdbool.h>
#include <stdint.h>

#define OCP_PREFIX "# ocp: "

struct kiln_config;

void ocp_enable(bool on);
bool ocp_enabled(void);
void ocp_run_start(const char *version, const char *cmdline, const struct kiln_config *c);
/* Steps are cases; ids are "1", "2", ... in run order. */
unsigned ocp_step_start(const char *name);
void ocp_measure(unsigned step, const char *name, int64_t value, unsigned decimals, const char *unit);
/* A measurement series of step `step`: id unique in the run; elements indexed 0, 1, ...
 * with their own timestamp; the end says how many there were. */
void ocp_series_start(unsigned step, const char *id, const char *name, const char *unit);
void ocp_series_element(unsigned step, const char *id, unsigned index, int64_t value, unsigned decimals);
void ocp_series_end(unsigned step, const char *id, unsigned count);
void ocp_diagnosis(unsigned step, const char *verdict, const char *type, const char *message);
void ocp_step_log(unsigned step, const char *severity, const char *message);
void ocp_step_error(unsigned step, const char *symptom, const char *message);
void ocp_step_end(unsigned step, const char *status);
void ocp_run_log(const char *severity, const char *message);
void ocp_run_error(const char *symptom, const char *message);
/* status COMPLETE|ERROR|SKIP, result PASS|FAIL|NOT_APPLICABLE */
void ocp_run_end(const char *status, const char *result);

#endif
