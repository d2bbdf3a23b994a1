/* The heartbeat: a "# kiln: heartbeat ..." line every N seconds from the timer
 * interrupt, so a controller watching the console can tell "alive and slow" from
 * "hung" even while one long case runs. */
#ifndef KILN_HEARTBEAT_H
#define KILN_HEARTBEAT_H

#include <stdint.h>

#define HEARTBEAT_ETA_UNKNOWN UINT64_MAX

void heartbeat_configure(uint32_t period_s);
/* The runner's progress: current pass and the estimated seconds left. */
void heartbeat_progress(unsigned pass, uint64_t eta_s);
/* A word the heartbeat adds as state=..., e.g. "halted" (NULL: none). */
void heartbeat_state(const char *state);
/* Called on every timer tick (interrupt context). */
void heartbeat_tick(void);

#endif
