/* Helpers shared by the device suites: a device that stopped answering is diagnosed once
 * per case, at once, as "device not responding", and the case moves on to the next device
 * instead of waiting on deadlines that cannot be met. */
#ifndef KILN_TESTS_ACCEL_TEST_H
#define KILN_TESTS_ACCEL_TEST_H

#include "drivers/accel/accel.h"
#include "kernel/harness/ktest.h"

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

#endif
