/* queues: order and rings. ARB_POINT yields between two streams released together, many
 * CBs on one stream complete in order, the PQ and CQ wrap around (one CB per doorbell, and
 * batched with the PQ kept full and the interrupt held), and a full PQ on every stream at
 * once is refused one more and then completes. */
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

#define ARB_ROUNDS 16
#define ARB_FENCE 2u
#define ARB_MON0 60u /* monitors 60, 61 belong to this suite */

/* ARB_POINT: streams 0 and 1 of an engine each run [timestamp, ARB_POINT] x 16, both held
 * behind a FENCE that one SOB add releases at once (two monitors on the same SOB). With the
 * yields the engine alternates between them, so their timestamp ranges overlap; without
 * them one stream would finish all 16 before the other starts. */
void queues_arb_point(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
			return;
		for (unsigned e = 0; e < KILN_NUM_DMA_ENGINES; e++) {
			memset(b.host.host, 0, 4096);
			volatile uint64_t *ts = b.host.host; /* [stream][round] device timestamps */
			unsigned sob = QUEUES_SOB(e), qs[2] = {KILN_QUEUE_ID(e, 0), KILN_QUEUE_ID(e, 1)};
			uint32_t tk[2];
			unsigned started = 0;
			accel_sob_set(a, sob, 0);
			for (unsigned s = 0; s < 2; s++)
				accel_mon_arm(a, ARB_MON0 + s, QUEUES_SOB_GROUP, (uint8_t)~(1u << (sob % KILN_SM_SOBS_PER_GROUP)),
					      KILN_SM_MON_MODE_GE, 1,
					      accel_reg_dev_addr(test_stream_reg(qs[s], KILN_QM_FENCE_CNT(ARB_FENCE))), 1, false);
			for (unsigned s = 0; s < 2; s++) {
				struct cb c;
				cb_init(&c, (uint8_t *)b.aux.host + 2048 * s, 2048);
				cb_fence(&c, ARB_FENCE, 1, 1, 0);
				for (unsigned k = 0; k < ARB_ROUNDS; k++) {
					cb_msg_long_timestamp(&c, b.host.dev + 8 * (s * ARB_ROUNDS + k));
					cb_arb_point(&c);
				}
				if (!cb_ok(&c) || accel_submit(a, qs[s], b.aux.dev + 2048 * s, cb_len(&c), &tk[s])) {
					kt_fail(t, "%s dma%u.s%u: cannot submit the ARB_POINT CB", a->bdf, e, s);
					break;
				}
				started++;
			}
			accel_sob_add(a, sob, 1); /* both monitors fire: both streams released together */
			for (unsigned s = 0; s < started; s++) {
				char why[400];
				int r = accel_wait(a, qs[s], tk[s], WAIT_MS, why, sizeof why);
				if (r) {
					kt_fail(t, "%s: ARB_POINT CB (held by monitor %u on SOB %u, %s): %s", a->bdf, ARB_MON0 + s, sob,
						(accel_mon_status(a, ARB_MON0 + s) & KILN_SM_MON_STS_FIRED) ? "fired" : "not fired", why);
					test_recover(t, a, qs[s]);
				}
			}
			if (started < 2 || kt_failed(t))
				continue;
			for (unsigned s = 0; s < 2; s++)
				for (unsigned k = 0; k < ARB_ROUNDS; k++) {
					uint64_t v = ts[s * ARB_ROUNDS + k];
					if (!v || (k && v < ts[s * ARB_ROUNDS + k - 1]))
						kt_fail(t, "%s dma%u.s%u: message %u after ARB_POINT holds timestamp %llu (missing or out of "
							   "order)",
							a->bdf, e, s, k, (unsigned long long)v);
				}
			uint64_t first0 = ts[0], last0 = ts[ARB_ROUNDS - 1], first1 = ts[ARB_ROUNDS], last1 = ts[2 * ARB_ROUNDS - 1];
			if (!(first0 < last1 && first1 < last0))
				kt_fail(t, "%s dma%u: ARB_POINT did not yield: stream %u ran all %u messages (%llu..%llu ns) before stream "
					   "%u started (%llu ns)",
					a->bdf, e, first0 < first1 ? 0 : 1, ARB_ROUNDS,
					(unsigned long long)(first0 < first1 ? first0 : first1),
					(unsigned long long)(first0 < first1 ? last0 : last1),
					first0 < first1 ? 1 : 0, (unsigned long long)(first0 < first1 ? first1 : first0));
			else
				kt_diag(t, "%s dma%u: two streams released together alternated at their ARB_POINTs (%llu..%llu and "
					   "%llu..%llu ns)",
					a->bdf, e, (unsigned long long)first0, (unsigned long long)last0, (unsigned long long)first1,
					(unsigned long long)last1);
		}
		accel_sob_set(a, QUEUES_SOB(0), 0);
		accel_sob_set(a, QUEUES_SOB(1), 0);
		test_bufs_put(&b);
	}
}

#define ORDER_CBS 48

/* Many CBs at once on one stream: all complete, in order (the driver checks each
 * completion's shadow index), and the device timestamps they write never go back. */
void queues_in_order(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, ORDER_CBS * SLOT_BYTES, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			memset(b.host.host, 0, 4096);
			volatile uint64_t *ts = b.host.host;
			uint32_t count0 = accel_rd(a, test_stream_reg(q, KILN_QM_CB_COUNT)), last = 0;
			int r = 0;
			for (unsigned k = 0; k < ORDER_CBS && !r; k++) {
				struct cb c;
				cb_init(&c, (uint8_t *)b.aux.host + SLOT_BYTES * k, SLOT_BYTES);
				cb_msg_long_timestamp(&c, b.host.dev + 8 * k);
				r = accel_submit(a, q, b.aux.dev + SLOT_BYTES * k, cb_len(&c), &last);
			}
			if (r) {
				kt_fail(t, "%s %s: submitting %u CBs: %s", a->bdf, name, ORDER_CBS, accel_strerror(r));
				test_recover(t, a, q);
				continue;
			}
			if ((r = accel_wait(a, q, last, WAIT_MS, why, sizeof why))) {
				kt_fail(t, "%s %s: %u CBs outstanding: %s", a->bdf, name, ORDER_CBS, why);
				test_recover(t, a, q);
				continue;
			}
			for (unsigned k = 0; k < ORDER_CBS; k++)
				if (!ts[k] || (k && ts[k] < ts[k - 1])) {
					kt_fail(t, "%s %s: CB %u wrote timestamp %llu after CB %u's %llu (missing or out of order)", a->bdf,
						name, k, (unsigned long long)ts[k], k ? k - 1 : 0, (unsigned long long)(k ? ts[k - 1] : 0));
					break;
				}
			uint32_t done = accel_rd(a, test_stream_reg(q, KILN_QM_CB_COUNT)) - count0;
			if (done != ORDER_CBS)
				kt_fail(t, "%s %s: the device counts %u CBs completed, expected %u", a->bdf, name, done, ORDER_CBS);
		}
		test_bufs_put(&b);
	}
}

#define WRAP_CBS (3 * ACCEL_PQ_ENTRIES + 5)

/* CB k wrote k + 1 into word k: every one of the n, or the count missing and the first. */
static void check_messages(struct kt *t, struct accel *a, const char *name, volatile uint32_t *w, unsigned n,
			   const char *where)
{
	unsigned missing = 0, first = 0;
	for (unsigned k = 0; k < n; k++)
		if (w[k] != k + 1 && !missing++)
			first = k;
	if (missing)
		kt_fail(t, "%s %s: %u of %u CBs%s left no message, first CB %u (word 0x%08x)", a->bdf, name, missing, n,
			where, first, w[first]);
}

/* More CBs than ring entries: the PQ producer index wraps (it runs over twice the ring),
 * the CQ wraps three times; every CB's message lands, and the device's indices end where
 * the count says. */
void queues_wrap(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, ACCEL_PQ_ENTRIES * SLOT_BYTES, WRAP_CBS * 4))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			int r = accel_queue_reset(a, q); /* start from index 0 so the end indices are known */
			if (r) {
				kt_fail(t, "%s %s: queue reset: %s", a->bdf, name, accel_strerror(r));
				continue;
			}
			memset(b.host.host, 0, WRAP_CBS * 4);
			volatile uint32_t *w = b.host.host;
			uint32_t tickets[ACCEL_PQ_ENTRIES], submitted = 0;
			for (unsigned k = 0; k < WRAP_CBS && !r; k++) {
				unsigned slot = k % ACCEL_PQ_ENTRIES;
				if (k >= ACCEL_PQ_ENTRIES) { /* the slot's previous CB must be done before reuse */
					r = accel_wait(a, q, tickets[slot], WAIT_MS, why, sizeof why);
					if (r)
						break;
				}
				struct cb c;
				cb_init(&c, (uint8_t *)b.aux.host + SLOT_BYTES * slot, SLOT_BYTES);
				cb_msg_long(&c, b.host.dev + 4 * k, k + 1, 0);
				r = accel_submit(a, q, b.aux.dev + SLOT_BYTES * slot, cb_len(&c), &tickets[slot]);
				if (r)
					ksnprintf(why, sizeof why, "submit %u: %s", k, accel_strerror(r));
				else
					submitted++;
			}
			if (!r && submitted)
				r = accel_wait(a, q, tickets[(submitted - 1) % ACCEL_PQ_ENTRIES], WAIT_MS, why, sizeof why);
			if (r) {
				kt_fail(t, "%s %s: wrap-around after %u of %u CBs: %s", a->bdf, name, submitted, WRAP_CBS, why);
				test_recover(t, a, q);
				continue;
			}
			check_messages(t, a, name, w, WRAP_CBS, " across the wrap");
			uint32_t ci = accel_rd(a, test_stream_reg(q, KILN_QM_PQ_CI)), cqpi = accel_rd(a, test_stream_reg(q, KILN_QM_CQ_PI));
			if (ci != WRAP_CBS % (2 * ACCEL_PQ_ENTRIES) || cqpi != WRAP_CBS % ACCEL_CQ_ENTRIES)
				kt_fail(t, "%s %s: after %u CBs the device's PQ CI is %u and CQ PI %u, expected %u and %u", a->bdf, name,
					WRAP_CBS, ci, cqpi, WRAP_CBS % (2 * ACCEL_PQ_ENTRIES), WRAP_CBS % ACCEL_CQ_ENTRIES);
		}
		kt_diag(t, "%s: %u CBs through each stream's %u-entry PQ and CQ", a->bdf, WRAP_CBS, ACCEL_PQ_ENTRIES);
		test_bufs_put(&b);
	}
}

/* CB k of the held stream: a MSG_LONG of k + 1 into word k, built in PQ slot k's CB slot
 * (CB k - ACCEL_PQ_ENTRIES, the slot's last user, is reaped before CB k is posted). */
struct held_ctx {
	struct test_bufs *b;
	bool built_ok;
};

static uint64_t held_cb(void *ctx, unsigned k, uint32_t *len)
{
	struct held_ctx *h = ctx;
	unsigned slot = k % ACCEL_PQ_ENTRIES;
	struct cb c;
	cb_init(&c, (uint8_t *)h->b->aux.host + SLOT_BYTES * slot, SLOT_BYTES);
	cb_msg_long(&c, h->b->host.dev + 4 * k, k + 1, 0);
	h->built_ok &= cb_ok(&c);
	*len = cb_len(&c);
	return h->b->aux.dev + SLOT_BYTES * slot;
}

/* The batched path under load: every stream runs WRAP_CBS CBs with its PQ kept full
 * (test_stream_full: new CBs published in the shadow doorbell while the device runs, PQ_PI
 * written only when it said it went idle) and its CQ interrupt held (accel_cq_irq_hold).
 * Every CB's message lands in order, the device counts every CB, and after the release
 * the interrupt the held CBs owe arrives (a lost one fails as an interrupt fault). A
 * doorbell the device missed would leave CBs unrun: the wait's deadline names the queue. */
void queues_held_stream(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, ACCEL_PQ_ENTRIES * SLOT_BYTES, WRAP_CBS * 4))
			return;
		unsigned shadow = 0;
		uint32_t doorbells = 0, rings = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			memset(b.host.host, 0, WRAP_CBS * 4);
			volatile uint32_t *w = b.host.host;
			struct held_ctx h = {&b, true};
			struct accel_queue_prof *prof = &a->q[q].prof;
			memset(prof, 0, sizeof *prof);
			prof->on = true;
			uint32_t count0 = accel_rd(a, test_stream_reg(q, KILN_QM_CB_COUNT));
			int r = accel_cq_irq_hold(a, q);
			if (!r)
				r = test_stream_full(a, q, WRAP_CBS, held_cb, &h, why, sizeof why);
			else
				ksnprintf(why, sizeof why, "holding the CQ interrupt: %s", accel_strerror(r));
			r = test_irq_release_settle(a, q, r, why, sizeof why);
			prof->on = false;
			doorbells += prof->doorbells;
			rings += prof->rings;
			shadow += a->q[q].shadow != 0;
			if (r || !h.built_ok) {
				kt_fail(t, "%s %s: %u CBs with the PQ kept full and the interrupt held: %s", a->bdf, name, WRAP_CBS,
					r ? why : "a CB did not fit its slot");
				test_recover(t, a, q);
				continue;
			}
			check_messages(t, a, name, w, WRAP_CBS, "");
			uint32_t done = accel_rd(a, test_stream_reg(q, KILN_QM_CB_COUNT)) - count0;
			if (done != WRAP_CBS)
				kt_fail(t, "%s %s: the device counts %u CBs completed, expected %u", a->bdf, name, done, WRAP_CBS);
		}
		kt_diag(t, "%s: %u CBs on each of %u streams with the PQ kept full, the CQ interrupt held (%s); %u doorbells, "
			   "%u of them PQ_PI writes (%u streams with a shadow doorbell)",
			a->bdf, WRAP_CBS, KILN_NUM_QUEUES, a->irq_mode == ACCEL_IRQ_MSIX ? "masked" : "no vector of its own",
			doorbells, rings, shadow);
		test_bufs_put(&b);
	}
}

/* A full PQ outstanding on every stream at once: one more submit is refused (ring full),
 * then every CB completes and its message lands. */
void queues_many_outstanding(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		uint64_t per_q = ACCEL_PQ_ENTRIES * SLOT_BYTES;
		if (!test_bufs_get(t, a, &b, CB_BYTES, KILN_NUM_QUEUES * per_q, KILN_NUM_QUEUES * ACCEL_PQ_ENTRIES * 4))
			return;
		volatile uint32_t *w = b.host.host;
		uint32_t last[KILN_NUM_QUEUES] = {0};
		bool ok[KILN_NUM_QUEUES];
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			int r = accel_queue_reset(a, q);
			ok[q] = !r;
			for (unsigned k = 0; k < ACCEL_PQ_ENTRIES && !r; k++) {
				uint64_t off = q * per_q + SLOT_BYTES * k;
				struct cb c;
				cb_init(&c, (uint8_t *)b.aux.host + off, SLOT_BYTES);
				cb_msg_long(&c, b.host.dev + 4 * (q * ACCEL_PQ_ENTRIES + k), (q << 16) | (k + 1), 0);
				r = accel_submit(a, q, b.aux.dev + off, cb_len(&c), &last[q]);
			}
			if (r) {
				kt_fail(t, "%s %s: filling the PQ: %s", a->bdf, accel_queue_name(q, name), accel_strerror(r));
				ok[q] = false;
				continue;
			}
			uint32_t extra;
			r = accel_submit(a, q, b.aux.dev + q * per_q, SLOT_BYTES, &extra);
			if (r != ACCEL_EFULL) {
				kt_fail(t, "%s %s: submit %u to a %u-entry PQ returned '%s', expected 'ring full'", a->bdf,
					accel_queue_name(q, name), ACCEL_PQ_ENTRIES + 1, ACCEL_PQ_ENTRIES, accel_strerror(r));
				ok[q] = false;
			}
		}
		unsigned done = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			if (!ok[q]) {
				test_recover(t, a, q);
				continue;
			}
			int r = accel_wait(a, q, last[q], WAIT_MS, why, sizeof why);
			if (r) {
				kt_fail(t, "%s: %u CBs outstanding on each stream: %s", a->bdf, ACCEL_PQ_ENTRIES, why);
				test_recover(t, a, q);
				continue;
			}
			for (unsigned k = 0; k < ACCEL_PQ_ENTRIES; k++) {
				uint32_t want = (q << 16) | (k + 1), got = w[q * ACCEL_PQ_ENTRIES + k];
				if (got != want) {
					kt_fail(t, "%s %s: CB %u of a full PQ wrote 0x%08x, expected 0x%08x", a->bdf,
						accel_queue_name(q, name), k + 1, got, want);
					break;
				}
			}
			done++;
		}
		kt_diag(t, "%s: %u streams held %u CBs each outstanding at once; %u completed them all", a->bdf,
			KILN_NUM_QUEUES, ACCEL_PQ_ENTRIES, done);
		test_bufs_put(&b);
	}
}
