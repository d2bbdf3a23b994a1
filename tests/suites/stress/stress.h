/* Suite `stress` (run when named: suites=stress): the whole machine loaded at once for
 * stress.time per pass. Each accelerator's DMA worker (dma.c) moves verified data on every
 * stream of both engines, host <-> HBM <-> SRAM, and fills HBM with patterns; the cabled
 * NIC pairs burst verified frames (nic.c); the host memory test runs on the CPUs left
 * over (hostmem.c); the boot CPU samples the sensors on a period, prints them as
 * measurement series and judges them against the thresholds during the load (sensors.c).
 * Workers never print: they keep counters and their first failure (what, where, when) for
 * the boot CPU, which stops the load at the first failure and reports it (suite.c). */
#ifndef KILN_TESTS_STRESS_H
#define KILN_TESTS_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/accel/accel.h"
#include "kernel/harness/ktest.h"
#include "kernel/time.h"
#include "tests/suites/memory/memtest.h"

#define STRESS_WHY 400

/* What the whole stress shares: when it started and ends, and the stop flag a failure sets. */
struct stress_clock {
	uint64_t start_ns, end_ns;
	volatile int stop;
};
extern struct stress_clock stress_clock;

/* ms into the stress, for "at 1.234 s into the stress" */
uint64_t stress_ms(void);
/* A failure anywhere ends the load at once (workers see it between rounds). */
static inline void stress_stop(void) { stress_clock.stop = 1; }
/* Time is up or something failed. */
static inline bool stress_over(void) { return stress_clock.stop || time_ns() >= stress_clock.end_ns; }

/* ---- one accelerator's DMA load (dma.c) ---- */
struct stress_dev {
	struct accel *a;
	struct accel_buf host;       /* per stream: a source and a destination slot */
	uint64_t rng;
	unsigned round;
	/* figures */
	uint64_t bytes[KILN_NUM_QUEUES]; /* verified bytes per stream */
	uint64_t transfers, hbm_pattern_bytes, busy_ns;
	uint64_t engine_ns;          /* first start to last completion of each round: the engines' share */
	/* first failure */
	volatile int failed;
	char why[STRESS_WHY];
};
/* Buffers for the device's load; false with why set. */
bool stress_dev_init(struct stress_dev *d, struct accel *a, uint64_t seed);
void stress_dev_fini(struct stress_dev *d);
/* One round: every stream moves one verified transfer (or HBM pattern) at once. False
 * after a failure (d->why). */
bool stress_dev_round(struct stress_dev *d);
uint64_t stress_dev_total(const struct stress_dev *d);
/* HBM bytes the rounds so far wrote and checked (the slots walk the BAR window). */
uint64_t stress_dev_hbm_walked(const struct stress_dev *d);

/* ---- host memory (hostmem.c) ---- */
#define STRESS_MEM_CHUNK (64ull << 20) /* one algorithm round's share of a region */
struct stress_mem {
	struct mt_run run;
	uint64_t bytes_region;       /* the region this CPU tests */
	uint64_t chunks, covered;    /* chunks in it; bytes tested at least once */
	void *base;
	uint64_t pages;
	unsigned rounds;
	uint64_t ns;
	unsigned cpu, apic_id;
	volatile int failed;
	char why[STRESS_WHY];
};
/* The largest region up to `bytes` the allocator has in one piece (1 MiB at least). */
bool stress_mem_init(struct stress_mem *m, uint64_t bytes, uint64_t seed);
void stress_mem_fini(struct stress_mem *m);
/* One algorithm over the region; false after an error (m->why, memtest86+ style). */
bool stress_mem_round(struct stress_mem *m);

/* ---- NIC pairs (nic.c), on the boot CPU between sensor samples ---- */
struct stress_nic;
/* Open every port and find the cabled pairs; NULL when none (said in a diagnostic) or on
 * a failure (the case failed). */
struct stress_nic *stress_nic_up(struct kt *t);
/* One burst round on every pair, each frame verified. False on a failure (the case
 * failed, naming port, frames and time). */
bool stress_nic_round(struct kt *t, struct stress_nic *n);
/* Figures per pair and in total; the ports closed. */
void stress_nic_down(struct kt *t, struct stress_nic *n, uint64_t ns);
/* Links of the set: how many are up now (for the samples), and a port that went down
 * (its name) or NULL. */
unsigned stress_nic_links_up(struct stress_nic *n, unsigned dev, const char **down);

/* ---- sensors (sensors.c), on the boot CPU ---- */
struct stress_sensors;
struct stress_sensors *stress_sensors_start(struct kt *t, struct stress_nic *nic);
/* Sample every device; false on a threshold breach (the case failed, naming sensor, device,
 * value, limit and time into the stress). */
bool stress_sensors_sample(struct kt *t, struct stress_sensors *s);
void stress_sensors_end(struct kt *t, struct stress_sensors *s);

#endif
