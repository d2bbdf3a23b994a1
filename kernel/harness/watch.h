/* The health watch: every device's signals re-read throughout the run, not only inside
 * their own case. Register-level signals (presence, PCIe link speed/width, AER status, HBM
 * ECC counts) are read at every heartbeat, from the timer interrupt, and at every case
 * boundary; the device-CPU sensors (temperature, power, fan, voltage, current, PCIe
 * replays) at the first case boundary after each heartbeat and at the end of every pass
 * (a device-CPU request cannot be made from an interrupt while a case may be using the
 * channel). A change from what the run started with fails the case it was first seen in,
 * naming the signal, the device and when. */
#ifndef KILN_WATCH_H
#define KILN_WATCH_H

#include <stdbool.h>

#include "kernel/harness/config.h"

/* The baseline: after the drivers bound their devices, before the first case. */
void watch_start(const struct kiln_config *c);
/* From the heartbeat (timer interrupt). */
void watch_tick(const char *running_case);
/* At the end of a case (pass_end: the last one of a pass): re-read what is due and call
 * fail() once for every new finding. */
void watch_case_end(const char *case_name, bool pass_end, unsigned pass, void (*fail)(const char *text));

/* AER errors on accelerator dev: a case that read and cleared status bits the watch had
 * not seen yet adds them (one per bit); returns the run's totals so far. */
void watch_aer_add(unsigned dev, uint32_t cor_bits, uint32_t uncor_bits, uint32_t *cor_total, uint32_t *uncor_total);

#endif
