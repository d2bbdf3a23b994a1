/* queues: submission rate and latency, beside the device's own empty-CB rate. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_core.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/median.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"
#include "tests/suites/accel/queues.h"

#define RATE_CBS 2000u
#define LAT_CBS 200u
/* The model's own figures, each measured as the driver figure it bounds runs:
 * - the rate's bound: a full PQ of empty CBs (the depth the rate loop keeps: the model runs
 *   a long stream in slices, its bottom half yielding to QEMU's main loop every 64 units,
 *   and the rate loop pays for every slice) held behind a FENCE and released at once, with
 *   the CQ interrupt held as the rate loop holds it;
 * - the latency's bound, the model's time per empty CB: 64 CBs the same way with every
 *   CB's interrupt taken as it comes, as the latency loop takes them (the measurement of
 *   the earlier sessions, docs/perf.md). Under TCG an interrupt costs QEMU's global lock,
 *   which the model needs too: the held run is some 2-3x faster. */
#define DEV_CBS ACCEL_PQ_ENTRIES
#define DEV64_CBS 64u
#define RATE_FENCE 3u
#define BUILD_CBS 200u
#define DISPATCH_CBS 50u
#define DISPATCH_TS 8u /* first host word of the dispatch timestamps */


/* Per CB, in ns: where the guest's time went in one phase of the case (the driver's
 * cycle counts, accel_queue_prof), as `# measure queue-<phase>-<part>` lines and one
 * diagnostic line that reads as a sentence (docs/perf.md "Fast paths"). */
static void prof_report(struct kt *t, const char *phase, const struct accel_queue_prof *p, unsigned cbs,
			uint64_t build_ns, uint64_t total_ns, uint64_t irqs)
{
	struct {
		const char *part;
		uint64_t ns;
	} parts[] = {
		{"build", build_ns},
		{"pq-entry", tsc_to_ns(p->post_cyc) / cbs},
		{"doorbell", tsc_to_ns(p->doorbell_cyc) / cbs},
		{"cq-wait", tsc_to_ns(p->cq_wait_cyc) / cbs},
		{"cq-reap", tsc_to_ns(p->reap_cyc) / cbs},
		{"irq-check", tsc_to_ns(p->irq_cyc) / cbs},
		{"total", total_ns / cbs},
	};
	char line[400], name[48];
	unsigned n = (unsigned)ksnprintf(line, sizeof line, "profile %s, per CB:", phase);
	for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		ksnprintf(name, sizeof name, "queue-%s-%s", phase, parts[i].part);
		kt_measure(t, name, (int64_t)parts[i].ns, 0, "ns");
		if (n < sizeof line)
			n += (unsigned)ksnprintf(line + n, sizeof line - n, " %s %llu ns", parts[i].part,
						 (unsigned long long)parts[i].ns);
	}
	kt_diag(t, "%s; %u CBs, %u doorbells (%u of them PQ_PI writes), %u waits, %u empty polls, %u register reads "
		   "while waiting, %llu CQ interrupts",
		line, cbs, p->doorbells, p->rings, p->waits, p->spins, p->reg_reads, (unsigned long long)irqs);
}

/* LAT_CBS empty CBs one at a time, submit to completion seen on the CQ, the interrupts
 * settled at the end; with `hold` the CQ interrupt is held meanwhile. *total_ns: the whole
 * loop; *median_ns: the median round trip. */
static int latency_loop(struct accel *a, unsigned q, uint64_t cb, uint32_t len, bool hold, uint64_t *total_ns,
			uint64_t *median_ns, char *why, unsigned whylen)
{
	uint64_t cyc[LAT_CBS];
	uint32_t tk;
	int r = hold ? accel_cq_irq_hold(a, q) : ACCEL_OK;
	uint64_t t0 = time_ns();
	for (unsigned k = 0; k < LAT_CBS && !r; k++) {
		uint64_t c0 = rdtsc();
		r = accel_submit(a, q, cb, len, &tk);
		if (!r)
			r = accel_reap(a, q, tk, WAIT_MS, why, whylen);
		cyc[k] = rdtsc() - c0;
	}
	*total_ns = time_ns() - t0;
	*median_ns = r ? 0 : tsc_to_ns(u64_median(cyc, LAT_CBS));
	return test_irq_release_settle(a, q, r, why, whylen);
}

/* the rate loop's CB: the same empty one every time */
struct empty_cb {
	uint64_t dev;
	uint32_t len;
};

static uint64_t empty_cb(void *ctx, unsigned k, uint32_t *len)
{
	const struct empty_cb *e = ctx;
	(void)k;
	*len = e->len;
	return e->dev;
}

/* n empty CBs behind a FENCE, released at once; the first and last write device timestamps
 * into the host words 0 and 1: *ns is the device's time from the first CB to the last. The
 * CPU polls the CQ in host memory meanwhile, with the CQ interrupt held or taking each. */
static int device_run(struct accel *a, unsigned q, struct test_bufs *b, unsigned n, bool hold, uint64_t *ns,
		      char *why, unsigned len)
{
	volatile uint64_t *ts = b->host.host;
	ts[0] = ts[1] = 0;
	uint32_t last = 0;
	int r = ACCEL_OK;
	for (unsigned k = 0; k < n && !r; k++) {
		struct cb d;
		cb_init(&d, (uint8_t *)b->aux.host + SLOT_BYTES * k, SLOT_BYTES);
		if (k == 0) {
			cb_fence(&d, RATE_FENCE, 1, 1, 0);
			cb_msg_long_timestamp(&d, b->host.dev);
		} else if (k == n - 1) {
			cb_msg_long_timestamp(&d, b->host.dev + 8);
		} else {
			cb_nop(&d, 0);
		}
		r = accel_post(a, q, b->aux.dev + SLOT_BYTES * k, cb_len(&d), &last);
	}
	if (r) {
		ksnprintf(why, len, "posting %u CBs for the device's own rate: %s", n, accel_strerror(r));
		return r;
	}
	accel_doorbell(a, q);
	if (hold && (r = accel_cq_irq_hold(a, q))) {
		ksnprintf(why, len, "holding the CQ interrupt: %s", accel_strerror(r));
		return r;
	}
	accel_wr(a, test_stream_reg(q, KILN_QM_FENCE_CNT(RATE_FENCE)), 1);
	r = accel_reap(a, q, last, WAIT_MS, why, len);
	r = test_irq_release_settle(a, q, r, why, len);
	*ns = ts[1] > ts[0] ? ts[1] - ts[0] : 0;
	return r;
}

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
		struct accel_queue_prof *prof = &a->q[q].prof;
		volatile uint64_t *irqc = &a->irq_count[KILN_VEC_CQ(q)];
		/* building an empty CB (the cases below reuse one) */
		struct cb c;
		uint64_t t0 = time_ns();
		for (unsigned k = 0; k < BUILD_CBS; k++) {
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_nop(&c, 0);
		}
		uint64_t build_ns = (time_ns() - t0) / BUILD_CBS;
		/* latency: one empty CB (a NOP) at a time, submit to completion seen on the CQ; the
		 * interrupts are checked at the end (accel_irq_settle) */
		memset(prof, 0, sizeof *prof);
		prof->on = true;
		uint64_t irq0 = *irqc;
		uint32_t tk = 0;
		uint64_t lat_total = 0, lat_med_ns = 0, held_total = 0, held_med_ns = 0;
		if (!r)
			r = latency_loop(a, q, b.cb.dev, cb_len(&c), false, &lat_total, &lat_med_ns, why, sizeof why);
		uint64_t lat_ns = lat_total / LAT_CBS;
		struct accel_queue_prof lat_prof = *prof;
		uint64_t lat_irqs = *irqc - irq0;
		prof->on = false;
		/* the same with the CQ interrupt held (polling, as NAPI's busy poll): no interrupt
		 * per CB, the one they owe collected at the end */
		if (!r)
			r = latency_loop(a, q, b.cb.dev, cb_len(&c), true, &held_total, &held_med_ns, why, sizeof why);
		/* the same through the single-CB API: accel_run waits for each CB's interrupt too */
		t0 = time_ns();
		for (unsigned k = 0; k < LAT_CBS && !r; k++)
			r = accel_run(a, q, b.cb.dev, cb_len(&c), WAIT_MS, why, sizeof why);
		uint64_t run_ns = (time_ns() - t0) / LAT_CBS;
		/* the model's own hand-off: from just before the doorbell to the CB's start, both on
		 * the device's clock (TIMESTAMP register, MSG_LONG timestamp): the part of a round
		 * trip that is QEMU waking its main loop, which no driver change removes */
		volatile uint64_t *dts = (volatile uint64_t *)b.host.host + DISPATCH_TS;
		uint64_t disp[DISPATCH_CBS];
		for (unsigned k = 0; k < DISPATCH_CBS && !r; k++) {
			struct cb d;
			uint64_t slot = SLOT_BYTES * k;
			cb_init(&d, (uint8_t *)b.aux.host + slot, SLOT_BYTES);
			cb_msg_long_timestamp(&d, b.host.dev + 8 * (DISPATCH_TS + k));
			dts[k] = 0;
			r = accel_post(a, q, b.aux.dev + slot, cb_len(&d), &tk);
			uint64_t lo = accel_rd(a, KILN_BLK_CORE + KILN_CORE_TIMESTAMP_LO);
			uint64_t dev0 = lo | (uint64_t)accel_rd(a, KILN_BLK_CORE + KILN_CORE_TIMESTAMP_HI) << 32;
			accel_doorbell(a, q);
			if (!r)
				r = accel_reap(a, q, tk, WAIT_MS, why, sizeof why);
			disp[k] = dts[k] > dev0 ? dts[k] - dev0 : 0;
		}
		if (!r)
			r = accel_irq_settle(a, q, why, sizeof why);
		uint64_t disp_ns = r ? 0 : u64_median(disp, DISPATCH_CBS);
		memset(prof, 0, sizeof *prof);
		prof->on = true;
		irq0 = *irqc;
		/* rate: empty CBs with the PQ kept full (test_stream_full), the CQ's interrupt held
		 * meanwhile and collected after (accel_cq_irq_hold) */
		struct empty_cb e = {b.cb.dev, cb_len(&c)};
		if (!r)
			r = accel_cq_irq_hold(a, q);
		t0 = time_ns();
		if (!r)
			r = test_stream_full(a, q, RATE_CBS, empty_cb, &e, why, sizeof why);
		uint64_t rate_ns = time_ns() - t0;
		r = test_irq_release_settle(a, q, r, why, sizeof why);
		struct accel_queue_prof rate_prof = *prof;
		uint64_t rate_irqs = *irqc - irq0;
		prof->on = false;
		/* the device alone: the rate's bound and the latency's (DEV_CBS, DEV64_CBS) */
		uint64_t dev_ns = 0, dev64_ns = 0;
		if (!r)
			r = device_run(a, q, &b, DEV_CBS, true, &dev_ns, why, sizeof why);
		if (!r)
			r = device_run(a, q, &b, DEV64_CBS, false, &dev64_ns, why, sizeof why);
		if (r) {
			kt_fail(t, "%s %s: %s", a->bdf, name, why);
			test_recover(t, a, q);
			test_bufs_put(&b);
			continue;
		}
		/* CB/s = n * 1e9 / ns */
		int64_t rate = rate_ns ? (int64_t)(RATE_CBS * NS_PER_S / rate_ns) : 0;
		int64_t dev_rate = dev_ns ? (int64_t)((DEV_CBS - 1) * NS_PER_S / dev_ns) : 0;
		int64_t dev64_rate = dev64_ns ? (int64_t)((DEV64_CBS - 1) * NS_PER_S / dev64_ns) : 0;
		kt_measure(t, "queue-submit-rate", rate, 0, "CB/s");
		kt_measure(t, "queue-device-cb-rate", dev_rate, 0, "CB/s");
		kt_measure(t, "queue-submit-ratio", dev_rate ? rate * 1000 / dev_rate : 0, 1, "%");
		kt_measure(t, "queue-device-cb-rate-64", dev64_rate, 0, "CB/s");
		kt_measure(t, "queue-submit-ratio-64", dev64_rate ? rate * 1000 / dev64_rate : 0, 1, "%");
		kt_measure(t, "queue-submit-latency", (int64_t)(lat_ns / 100), 1, "us");
		kt_measure(t, "queue-submit-latency-median", (int64_t)(lat_med_ns / 100), 1, "us");
		kt_measure(t, "queue-submit-latency-held", (int64_t)(held_total / LAT_CBS / 100), 1, "us");
		kt_measure(t, "queue-submit-latency-held-median", (int64_t)(held_med_ns / 100), 1, "us");
		kt_measure(t, "queue-device-dispatch", (int64_t)(disp_ns / 100), 1, "us");
		kt_measure(t, "queue-run-latency", (int64_t)(run_ns / 100), 1, "us");
		kt_measure(t, "queue-device-cb-time", dev64_ns ? (int64_t)(dev64_ns * 10 / 1000 / (DEV64_CBS - 1)) : 0, 1,
			   "us");
		kt_measure(t, "queue-device-cb-time-held", dev_ns ? (int64_t)(dev_ns * 100 / 1000 / (DEV_CBS - 1)) : 0, 2,
			   "us");
		prof_report(t, "lat", &lat_prof, LAT_CBS, build_ns, lat_total, lat_irqs);
		prof_report(t, "rate", &rate_prof, RATE_CBS, build_ns, rate_ns, rate_irqs);
		kt_diag(t,
			"%s %s: %u empty CBs pipelined through a %u-entry PQ, %u one at a time (and %u through accel_run), %u "
			"back to back inside the device with its interrupt held and %u taking each, %u timed from doorbell "
			"to start on the device's clock",
			a->bdf, name, RATE_CBS, ACCEL_PQ_ENTRIES, LAT_CBS, LAT_CBS, DEV_CBS, DEV64_CBS, DISPATCH_CBS);
		test_bufs_put(&b);
	}
}
