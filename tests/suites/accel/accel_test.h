/* What the accelerator suites share: the loop over devices, the buffers a case's command
 * buffers and messages live in, running a CB with the failure reported and the stream
 * recovered, seeded-pattern checks reported as diagnostics, and the "device not
 * responding" check: a device that stopped answering is diagnosed once per case, at once,
 * and the case moves on to the next device instead of waiting on deadlines that cannot be
 * met. */
#ifndef KILN_TESTS_ACCEL_TEST_H
#define KILN_TESTS_ACCEL_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "kernel/harness/ktest.h"

#define ACCEL_TEST_CB_BYTES 4096u /* a case's command buffer */
#define ACCEL_TEST_WAIT_MS 2000u  /* how long a CB gets to complete */

/* for each bound accelerator: `a` the device, `i` its index among all of them (a->index),
 * also in a parallel lane, whose view holds only its own device: what a case derives from
 * `i` (a stream, a pattern) is the same serial or parallel. `break` and `continue` act on
 * the current device only, as in a plain loop body. */
#define FOR_EACH_ACCEL(i, a)                                                                                   \
	for (unsigned i##_view = 0; i##_view < accel_count(); i##_view++)                                      \
		for (struct accel *a = accel_get(i##_view); a; a = 0)                                          \
			for (unsigned i = a->index, i##_once = 1; i##_once; i##_once = ((void)i, 0))

/* True when the device answers; else fails the case with the diagnosis. */
static inline bool accel_test_alive(struct kt *t, struct accel *a)
{
	if (accel_check_alive(a) == ACCEL_OK)
		return true;
	kt_fail(t, "%s: device not responding (configuration BAR reads all-ones); not tested", a->bdf);
	return false;
}

/* The most recent event of `type` after driver sequence `after` that the device raised
 * itself, not one posted through the TEST_EVENT hook (the events suite posts every id). */
static inline const struct accel_event *accel_test_real_event(struct accel *a, uint32_t type, uint64_t after)
{
	uint64_t oldest = a->ev_seq > ACCEL_EVENT_LOG ? a->ev_seq - ACCEL_EVENT_LOG + 1 : 1;
	for (uint64_t s = a->ev_seq; s >= oldest && s > after; s--) {
		const struct accel_event *ev = &a->ev_log[(s - 1) % ACCEL_EVENT_LOG];
		if (ev->type == type && ev->data[0] != KILN_EV_TEST_MAGIC)
			return ev;
	}
	return 0;
}

/* ---- buffers ---- */

/* What a case needs on one device: a command buffer, a second buffer (CP_DMA targets, CB
 * slots; none when its size is 0) and host words the CBs write. */
struct test_bufs {
	struct accel_buf cb, aux, host;
};

/* All three, or none and the case failed ("out of memory for command buffers"). */
bool test_bufs_get(struct kt *t, struct accel *a, struct test_bufs *b, uint64_t cb, uint64_t aux, uint64_t host);
void test_bufs_put(struct test_bufs *b);

/* ---- running CBs on a stream ---- */

/* Register `reg` of stream q's QMAN, as a BAR offset. */
uint32_t test_stream_reg(unsigned q, uint32_t reg);
/* After a failure: reset the stream; if even that fails, the whole device. */
void test_recover(struct kt *t, struct accel *a, unsigned q);
/* Run the CB built in c (at device address dev) on stream q within ACCEL_TEST_WAIT_MS;
 * on failure "<bdf> <stream>: <what>: <why>" fails the case and the stream is recovered.
 * Returns the driver's result. */
int test_run_at(struct kt *t, struct accel *a, unsigned q, uint64_t dev, struct cb *c, const char *what);
/* test_run_at for a CB at the start of cbuf */
int test_run(struct kt *t, struct accel *a, unsigned q, struct accel_buf *cbuf, struct cb *c, const char *what);
/* s contains sub */
bool test_contains(const char *s, const char *sub);

/* CB k of a stream kept busy: its device address, and its length in *len. */
typedef uint64_t test_cb_fn(void *ctx, unsigned k, uint32_t *len);
/* Run n CBs on stream q with its PQ kept full: whatever the CQ shows done is reaped, and
 * once a TEST_STREAM_BATCH of PQ entries is free they are refilled under one doorbell
 * (accel_doorbell), so the device gets long runs and the doorbell is rarely a register
 * write; the loop waits only when less than a batch is free. ACCEL_OK, or the driver's
 * failure with `why`. The interrupts owed are left to the caller (accel_irq_settle). */
#define TEST_STREAM_BATCH (ACCEL_PQ_ENTRIES / 4)
/* The end of a stretch that held stream q's CQ interrupt (accel_cq_irq_hold; a no-op when
 * it was not held): release it and collect what the CBs owe (accel_irq_settle). r is the
 * stretch's own result: a failure there is kept, with its `why`. */
int test_irq_release_settle(struct accel *a, unsigned q, int r, char *why, unsigned len);
int test_stream_full(struct accel *a, unsigned q, unsigned n, test_cb_fn *cb, void *ctx, char *why, unsigned len);

/* ---- data checks (kernel/lib/pattern.h), mismatches as diagnostics ---- */

#define PAT_REPORT_MAX 4 /* mismatches printed per check; the rest are counted */

/* Check p[i] == pattern byte pat_off + i. Mismatches are reported as
 * "<who>: mismatch at <region>+0x<region_off + i> expected ... got ... (bits ...)" and fail
 * the case; returns how many bytes differ. */
uint64_t pat_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		   uint64_t len, uint64_t seed, uint64_t pat_off);
/* Check p[i] == byte i % 8 of the 64-bit `pattern` (what a LIN_DMA memset writes). */
uint64_t fill_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		    uint64_t len, uint64_t pattern);

#endif
