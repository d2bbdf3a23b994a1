/* queues: submission rate and latency, beside the device's own empty-CB rate. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"
#include "tests/suites/accel/queues.h"

#define RATE_CBS 2000u
#define LAT_CBS 200u
#define DEV_CBS ACCEL_PQ_ENTRIES
#define RATE_FENCE 3u

void queues_submit_rate(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, ACCEL_PQ_ENTRIES * SLOT_BYTES, 4096))
			return;
		const unsigned q = 0;
		char name[16], why[400];
		accel_queue_name(q, name);
		int r = accel_queue_reset(a, q);
		/* latency: one empty CB (a NOP) at a time, submit to completion seen */
		struct cb c;
		cb_init(&c, b.cb.host, CB_BYTES);
		cb_nop(&c, 0);
		uint64_t t0 = time_ns();
		for (unsigned k = 0; k < LAT_CBS && !r; k++)
			r = accel_run(a, q, b.cb.dev, cb_len(&c), WAIT_MS, why, sizeof why);
		uint64_t lat_ns = (time_ns() - t0) / LAT_CBS;
		/* rate: empty CBs with the PQ kept full */
		uint32_t tickets[ACCEL_PQ_ENTRIES];
		t0 = time_ns();
		for (unsigned k = 0; k < RATE_CBS && !r; k++) {
			if (k >= ACCEL_PQ_ENTRIES)
				r = accel_wait(a, q, tickets[k % ACCEL_PQ_ENTRIES], WAIT_MS, why, sizeof why);
			if (!r)
				r = accel_submit(a, q, b.cb.dev, cb_len(&c), &tickets[k % ACCEL_PQ_ENTRIES]);
		}
		if (!r)
			r = accel_wait(a, q, tickets[(RATE_CBS - 1) % ACCEL_PQ_ENTRIES], WAIT_MS, why, sizeof why);
		uint64_t rate_ns = time_ns() - t0;
		/* the device alone: a full PQ held behind a FENCE, released at once; the first and
		 * last CBs write device timestamps */
		volatile uint64_t *ts = b.host.host;
		ts[0] = ts[1] = 0;
		uint32_t last = 0;
		for (unsigned k = 0; k < DEV_CBS && !r; k++) {
			struct cb d;
			cb_init(&d, (uint8_t *)b.aux.host + SLOT_BYTES * k, SLOT_BYTES);
			if (k == 0) {
				cb_fence(&d, RATE_FENCE, 1, 1, 0);
				cb_msg_long_timestamp(&d, b.host.dev);
			} else if (k == DEV_CBS - 1) {
				cb_msg_long_timestamp(&d, b.host.dev + 8);
			} else {
				cb_nop(&d, 0);
			}
			r = accel_submit(a, q, b.aux.dev + SLOT_BYTES * k, cb_len(&d), &last);
		}
		if (!r) {
			accel_wr(a, test_stream_reg(q, KILN_QM_FENCE_CNT(RATE_FENCE)), 1);
			r = accel_wait(a, q, last, WAIT_MS, why, sizeof why);
		}
		if (r) {
			kt_fail(t, "%s %s: %s", a->bdf, name, why);
			test_recover(t, a, q);
			test_bufs_put(&b);
			continue;
		}
		uint64_t dev_ns = ts[1] > ts[0] ? ts[1] - ts[0] : 0;
		/* CB/s = n * 1e9 / ns */
		int64_t rate = rate_ns ? (int64_t)(RATE_CBS * NS_PER_S / rate_ns) : 0;
		int64_t dev_rate = dev_ns ? (int64_t)((DEV_CBS - 1) * NS_PER_S / dev_ns) : 0;
		kt_measure(t, "queue-submit-rate", rate, 0, "CB/s");
		kt_measure(t, "queue-device-cb-rate", dev_rate, 0, "CB/s");
		kt_measure(t, "queue-submit-ratio", dev_rate ? rate * 1000 / dev_rate : 0, 1, "%");
		kt_measure(t, "queue-submit-latency", (int64_t)(lat_ns / 100), 1, "us");
		kt_measure(t, "queue-device-cb-time", dev_ns ? (int64_t)(dev_ns * 10 / 1000 / (DEV_CBS - 1)) : 0, 1, "us");
		kt_diag(t, "%s %s: %u empty CBs pipelined, %u one at a time, %u back to back inside the device", a->bdf, name,
			RATE_CBS, LAT_CBS, DEV_CBS);
		test_bufs_put(&b);
	}
}
