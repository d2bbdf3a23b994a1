/* Internal to drivers/accel: bring-up steps shared between the driver's files. */
#ifndef KILN_ACCEL_PRIV_H
#define KILN_ACCEL_PRIV_H

#include "drivers/accel/accel.h"

#define ACCEL_RESET_TIMEOUT_MS 1000
#define ACCEL_SELFTEST_TIMEOUT_MS 1000
#define ACCEL_CPUCP_TIMEOUT_MS 1000

/* irq.c */
int accel_irq_setup(struct accel *a, char *why, unsigned whylen);
void accel_irq_teardown(struct accel *a);
/* MSI-X sources this device has: the fixed ones and two per NIC port. */
static inline unsigned accel_irq_sources(const struct accel *a) { return KILN_VEC_NIC_TX(0) + 2 * a->ports; }
/* Raise a vector with the self-test hook and check it arrived (or explain). */
int accel_irq_selftest(struct accel *a, unsigned source, char *why, unsigned whylen);
/* hbm_window.c: read the window size and base (after reset) */
void accel_hbm_window_init(struct accel *a);
/* events.c */
int accel_eq_setup(struct accel *a);
/* cpucp.c */
int accel_cpucp_setup(struct accel *a);
/* queue.c */
int accel_queues_setup(struct accel *a);
/* a ring in host memory: entries * size bytes, zeroed */
int accel_ring_alloc(struct accel_ring *r, uint32_t entries, uint32_t entry_size);

static inline uint32_t lo32(uint64_t v) { return (uint32_t)v; }
static inline uint32_t hi32(uint64_t v) { return (uint32_t)(v >> 32); }

#endif
