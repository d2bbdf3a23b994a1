/* Suite `sync`: the sync manager. SOBs set and incremented (15-bit wrap) through registers
 * and from queues; monitors in >= and == modes with masks, writing their payload to host
 * memory or to a QMAN fence counter that wakes a FENCE; a chain of signal -> monitor ->
 * fence across every stream of both engines completing in order; and a signal that never
 * comes found by deadline with the SOB and monitor named. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"

#define CB_BYTES 4096
#define WAIT_MS 2000
#define QUIET_MS 50          /* how long something that must not happen is given to happen */
#define MISSING_MS 300       /* sync-missing-signal-detected: the deadline that must pass */
#define SOB_MAX KILN_SM_SOB_VAL
#define MODES_GROUPS 8u      /* monitors test on SOB groups 0..7 */
#define CHAIN_GROUP 1u       /* the chain signals SOBs 8..15 */
#define CHAIN_MON0 8u        /* and uses monitors 8..15 */
#define FENCE_ID 1u          /* fence counter the chains and waits use */
#define SYNC_MON 40u         /* monitor of the single-fence cases */
#define SYNC_SOB 40u         /* ... and its SOB (group 5, slot 0) */

static uint32_t sob_of(unsigned group, unsigned k) { return group * KILN_SM_SOBS_PER_GROUP + k; }
static uint8_t only(unsigned k) { return (uint8_t)~(1u << k); } /* mask: watch SOB k alone */

static uint64_t fence_dev_addr(unsigned q, unsigned id)
{
	return accel_reg_dev_addr(KILN_BLK_QMAN(q / KILN_STREAMS_PER_ENGINE) +
				  KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) + KILN_QM_FENCE_CNT(id));
}

static uint32_t fence_get(struct accel *a, unsigned q, unsigned id)
{
	return accel_rd(a, KILN_BLK_QMAN(q / KILN_STREAMS_PER_ENGINE) + KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) +
			       KILN_QM_FENCE_CNT(id));
}

static const char *mon_state(uint32_t st)
{
	return (st & KILN_SM_MON_STS_FIRED) ? "fired" : (st & KILN_SM_MON_STS_ARMED) ? "armed, not fired" : "idle";
}

/* Wait for a host word to hold `want`. */
static bool word_wait(volatile uint32_t *w, uint32_t want, uint32_t ms)
{
	struct deadline d = deadline_in_ms(ms);
	while (*w != want) {
		if (deadline_passed(d))
			return false;
		cpu_relax();
	}
	return true;
}

/* A failed case may leave monitors armed with payloads aimed at buffers about to be freed:
 * reset the device so nothing writes there later. */
static void cleanup(struct kt *t, struct accel *a)
{
	char why[200];
	if (kt_failed(t) && accel_reset(a, why, sizeof why))
		kt_diag(t, "%s: device reset after the failure: %s", a->bdf, why);
}

/* ---- SOBs ---- */

static void check_sob(struct kt *t, struct accel *a, unsigned sob, uint32_t want, const char *how)
{
	uint32_t got = accel_sob_get(a, sob);
	if (got != want)
		kt_fail(t, "%s: SOB %u reads %u after %s, expected %u", a->bdf, sob, got, how, want);
}

/* Every SOB: set and add through the register, the 15-bit wrap; then set/add from every
 * stream with MSG_SHORT (and MSG_LONG to the SOB's register address). */
static void sync_sob_set_add(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, 4 * CB_BYTES, 0, 4096))
			return;
		unsigned n = a->sobs;
		for (unsigned s = 0; s < n; s++) {
			uint32_t v = (uint32_t)kt_rand(t) & SOB_MAX, d = 1 + (uint32_t)(kt_rand(t) % 1000);
			accel_sob_set(a, s, v);
			check_sob(t, a, s, v, "a register set");
			accel_sob_add(a, s, d);
			check_sob(t, a, s, (v + d) & SOB_MAX, "a register add");
			accel_sob_set(a, s, SOB_MAX - 1);
			accel_sob_add(a, s, 3);
			check_sob(t, a, s, 1, "set 32766 + add 3 (15-bit wrap)");
			if (kt_failed(t))
				break;
		}
		/* from the queues: each stream sets and adds a slice of the SOBs */
		unsigned per_q = (n + KILN_NUM_QUEUES - 1) / KILN_NUM_QUEUES;
		for (unsigned q = 0; q < KILN_NUM_QUEUES && !kt_failed(t); q++) {
			uint32_t want[KILN_SM_NUM_SOBS];
			char name[16], why[400];
			struct cb c;
			cb_init(&c, b.cb.host, 4 * CB_BYTES);
			for (unsigned s = q * per_q; s < n && s < (q + 1) * per_q; s++) {
				uint32_t v = (uint32_t)kt_rand(t) & SOB_MAX, d = 1 + (uint32_t)(kt_rand(t) % 1000);
				cb_msg_short(&c, ACCEL_MSG_BASE_SM, KILN_SM_SOB(s), cb_sob_value_set(v), 0);
				cb_msg_short(&c, ACCEL_MSG_BASE_SM, KILN_SM_SOB(s), cb_sob_value_add(d), 0);
				/* the same through MSG_LONG to the register's device address */
				cb_msg_long(&c, accel_reg_dev_addr(KILN_BLK_SM + KILN_SM_SOB(s)), cb_sob_value_add(SOB_MAX), 0);
				want[s] = (v + d + SOB_MAX) & SOB_MAX;
			}
			if (!cb_ok(&c)) {
				kt_fail(t, "command buffer overflow");
				break;
			}
			int r = accel_run(a, q, b.cb.dev, cb_len(&c), WAIT_MS, why, sizeof why);
			if (r) {
				kt_fail(t, "%s %s: SOB set/add CB: %s", a->bdf, accel_queue_name(q, name), why);
				accel_queue_reset(a, q);
				continue;
			}
			for (unsigned s = q * per_q; s < n && s < (q + 1) * per_q; s++)
				check_sob(t, a, s, want[s], "MSG_SHORT set, MSG_SHORT add, MSG_LONG add 32767 (wraps: -1)");
		}
		for (unsigned s = 0; s < n; s++)
			accel_sob_set(a, s, 0);
		if (!kt_failed(t))
			kt_diag(t, "%s: %u SOBs set, added and wrapped through registers and from %u streams", a->bdf, n,
				KILN_NUM_QUEUES);
		cleanup(t, a);
		test_bufs_put(&b);
	}
}

/* ---- monitors ---- */

/* Arm a monitor, then move its SOBs through values that must not fire it and one that must. */
static void sync_monitor_modes(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, 4 * CB_BYTES, 0, 4096))
			return;
		volatile uint32_t *w = b.host.host;
		unsigned nmon = a->monitors < KILN_SM_NUM_MONITORS ? a->monitors : KILN_SM_NUM_MONITORS;
		for (unsigned m = 0; m < nmon && !kt_failed(t); m++) {
			unsigned g = m % MODES_GROUPS, k = (m / MODES_GROUPS) % KILN_SM_SOBS_PER_GROUP;
			unsigned s = sob_of(g, k);
			uint32_t target = 1 + (uint32_t)(kt_rand(t) % 1000), pay = (uint32_t)kt_rand(t) | 1;
			uint64_t pay_addr = b.host.dev + 4 * m;
			const char *step = 0;
			for (unsigned j = 0; j < KILN_SM_SOBS_PER_GROUP; j++)
				accel_sob_set(a, sob_of(g, j), 0);
			w[m] = 0;
			/* >=: below the target nothing, at it the payload */
			accel_mon_arm(a, m, g, only(k), KILN_SM_MON_MODE_GE, target, pay_addr, pay, false);
			accel_sob_set(a, s, target - 1);
			if (w[m] || !(accel_mon_status(a, m) & KILN_SM_MON_STS_ARMED))
				step = ">= mode: fired (or disarmed) below its target";
			else {
				accel_sob_add(a, s, 1);
				if (!word_wait(&w[m], pay, WAIT_MS) || !(accel_mon_status(a, m) & KILN_SM_MON_STS_FIRED))
					step = ">= mode: did not fire at its target";
			}
			/* ==: above the target nothing, at it the payload */
			if (!step) {
				w[m] = 0;
				accel_sob_set(a, s, 0);
				accel_mon_arm(a, m, g, only(k), KILN_SM_MON_MODE_EQ, target, pay_addr, pay ^ 2, false);
				accel_sob_set(a, s, target + 1);
				if (w[m])
					step = "== mode: fired above its target";
				else {
					accel_sob_set(a, s, target);
					if (!word_wait(&w[m], pay ^ 2, WAIT_MS))
						step = "== mode: did not fire at its target";
				}
			}
			/* mask: all eight SOBs watched, the last one reaching the target fires it */
			if (!step) {
				w[m] = 0;
				for (unsigned j = 0; j < KILN_SM_SOBS_PER_GROUP; j++)
					accel_sob_set(a, sob_of(g, j), 0);
				accel_mon_arm(a, m, g, 0, KILN_SM_MON_MODE_GE, target, pay_addr, pay ^ 4, false);
				for (unsigned j = 0; j < KILN_SM_SOBS_PER_GROUP; j++)
					if (j != k)
						accel_sob_set(a, sob_of(g, j), target);
				if (w[m])
					step = "mask 0x00: fired with one watched SOB still at 0";
				else {
					accel_sob_set(a, s, target);
					if (!word_wait(&w[m], pay ^ 4, WAIT_MS))
						step = "mask 0x00: did not fire with all eight SOBs at the target";
				}
			}
			/* mask: a masked SOB at 0 is ignored (the condition holds at arming: fires at once) */
			if (!step) {
				w[m] = 0;
				accel_sob_set(a, s, 0);
				accel_mon_arm(a, m, g, (uint8_t)(1u << k), KILN_SM_MON_MODE_GE, target, pay_addr, pay ^ 8, false);
				if (!word_wait(&w[m], pay ^ 8, WAIT_MS))
					step = "a masked SOB below the target held the monitor back";
			}
			if (step)
				kt_fail(t, "%s: monitor %u on SOB group %u (SOB %u), target %u: %s; status %s, payload word 0x%08x",
					a->bdf, m, g, s, target, step, mon_state(accel_mon_status(a, m)), w[m]);
		}
		/* a monitor raising the sync manager's interrupt */
		if (!kt_failed(t) && a->irq_mode != ACCEL_IRQ_POLL) {
			uint64_t before = a->irq_count[KILN_VEC_SM];
			accel_sob_set(a, SYNC_SOB, 0);
			accel_mon_arm(a, SYNC_MON, SYNC_SOB / KILN_SM_SOBS_PER_GROUP, only(SYNC_SOB % KILN_SM_SOBS_PER_GROUP),
				      KILN_SM_MON_MODE_GE, 1, b.host.dev + 4 * KILN_SM_NUM_MONITORS, 1, true);
			accel_sob_add(a, SYNC_SOB, 1);
			struct deadline d = deadline_in_ms(WAIT_MS);
			while (a->irq_count[KILN_VEC_SM] == before && !deadline_passed(d))
				cpu_relax();
			if (a->irq_count[KILN_VEC_SM] == before)
				kt_fail(t, "%s: interrupt fault: monitor %u fired (status %s) with CFG.IRQ set but vector %u never came "
					   "within %u ms",
					a->bdf, SYNC_MON, mon_state(accel_mon_status(a, SYNC_MON)), KILN_VEC_SM, WAIT_MS);
		}
		for (unsigned s = 0; s < MODES_GROUPS * KILN_SM_SOBS_PER_GROUP; s++)
			accel_sob_set(a, s, 0);
		accel_sob_set(a, SYNC_SOB, 0);
		if (!kt_failed(t))
			kt_diag(t, "%s: %u monitors: >= and == modes, mask none/one, payload to host memory; SM interrupt", a->bdf,
				nmon);
		cleanup(t, a);
		test_bufs_put(&b);
	}
}

/* Describe a stalled stream and the monitor/SOB that should have woken it. */
static void stall_report(struct kt *t, struct accel *a, unsigned q, unsigned mon, unsigned sob, uint32_t target,
			 int from_q, const char *why)
{
	char name[16], from[64] = "";
	uint32_t st = accel_mon_status(a, mon);
	if (from_q >= 0) {
		char fn[16];
		ksnprintf(from, sizeof from, " (signalled by %s, which completed its CB)", accel_queue_name((unsigned)from_q, fn));
	}
	kt_fail(t, "%s %s: missing signal: monitor %u on SOB %u%s (group %u, >= %u) is %s, SOB %u = %u; the stream waits in "
		   "FENCE on counter %u = %u: %s",
		a->bdf, accel_queue_name(q, name), mon, sob, from, sob / KILN_SM_SOBS_PER_GROUP, target, mon_state(st), sob,
		accel_sob_get(a, sob), FENCE_ID, fence_get(a, q, FENCE_ID), why);
}

/* A monitor's payload into a QMAN fence counter wakes a FENCE: every stream blocks in
 * FENCE (status says so, the message after it has not landed), a SOB add fires the monitor,
 * the stream goes on and the counter is back to 0. */
static void sync_monitor_fence(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, 4 * CB_BYTES, 0, 4096))
			return;
		volatile uint32_t *w = b.host.host;
		for (unsigned q = 0; q < KILN_NUM_QUEUES && !kt_failed(t); q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			uint32_t marker = (uint32_t)kt_rand(t) | 1, ticket;
			w[q] = 0;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_fence(&c, FENCE_ID, 1, 1, 0);
			cb_msg_long(&c, b.host.dev + 4 * q, marker, CB_MB);
			accel_sob_set(a, SYNC_SOB, 0);
			accel_mon_arm(a, SYNC_MON, SYNC_SOB / KILN_SM_SOBS_PER_GROUP, only(SYNC_SOB % KILN_SM_SOBS_PER_GROUP),
				      KILN_SM_MON_MODE_GE, 1, fence_dev_addr(q, FENCE_ID), 1, false);
			int r = accel_submit(a, q, b.cb.dev, cb_len(&c), &ticket);
			if (r) {
				kt_fail(t, "%s %s: submit: %s", a->bdf, name, accel_strerror(r));
				break;
			}
			/* the stream must reach the FENCE and stay there: first wait (bounded) until it
			 * reports FENCE_WAIT, however slowly the device picks the CB up, then give the
			 * message QUIET_MS to land wrongly */
			struct deadline held = deadline_in_ms(WAIT_MS);
			uint32_t st = accel_queue_status(a, q);
			while (!(st & KILN_QM_STS_FENCE_WAIT) && !w[q] && !deadline_passed(held)) {
				cpu_relax();
				st = accel_queue_status(a, q);
			}
			r = accel_wait(a, q, ticket, QUIET_MS, why, sizeof why);
			st = accel_queue_status(a, q);
			if (r != ACCEL_ETIMEDOUT || w[q] || !(st & KILN_QM_STS_FENCE_WAIT)) {
				kt_fail(t, "%s %s: a FENCE on counter %u with target 1 did not hold the stream: wait '%s', status 0x%x, "
					   "message %s",
					a->bdf, name, FENCE_ID, accel_strerror(r), st, w[q] ? "landed" : "not landed");
				break;
			}
			accel_sob_add(a, SYNC_SOB, 1);
			r = accel_wait(a, q, ticket, WAIT_MS, why, sizeof why);
			if (r) {
				stall_report(t, a, q, SYNC_MON, SYNC_SOB, 1, -1, why);
				break;
			}
			if (w[q] != marker)
				kt_fail(t, "%s %s: after the FENCE the message wrote 0x%08x, expected 0x%08x", a->bdf, name, w[q],
					marker);
			uint32_t f = fence_get(a, q, FENCE_ID);
			if (f)
				kt_fail(t, "%s %s: fence counter %u is %u after FENCE (dec 1), expected 0", a->bdf, name, FENCE_ID, f);
		}
		accel_sob_set(a, SYNC_SOB, 0);
		if (!kt_failed(t))
			kt_diag(t, "%s: %u streams held in FENCE and woken by a monitor payload to their fence counter", a->bdf,
				KILN_NUM_QUEUES);
		cleanup(t, a);
		test_bufs_put(&b);
	}
}

/* ---- chains ---- */

/* Step j of the chain runs on chain_q(j): engines alternate, so every hop crosses from
 * one engine to the other and all eight streams take part. */
static unsigned chain_q(unsigned j)
{
	return KILN_QUEUE_ID(j % KILN_NUM_DMA_ENGINES, (j / KILN_NUM_DMA_ENGINES) % KILN_STREAMS_PER_ENGINE);
}

#define CHAIN_STEPS KILN_NUM_QUEUES
#define CHAIN_DONE_WORD 32 /* host word the last monitor writes */

/* Stream A signals a SOB; a monitor on it wakes stream B's FENCE; B signals the next SOB,
 * and so on through every stream of both engines; the last monitor writes a host word.
 * Submitted last step first, so only the chain's signals can order them: the device
 * timestamps each step writes after its FENCE must not go backwards. A signal that never
 * arrives is named: which SOB, which monitor, which stream waits. */
static void sync_chain(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, 4 * CB_BYTES, 0, 4096))
			return;
		memset(b.host.host, 0, 4096);
		volatile uint64_t *ts = b.host.host;
		volatile uint32_t *done = (volatile uint32_t *)b.host.host + CHAIN_DONE_WORD;
		uint32_t magic = (uint32_t)kt_rand(t) | 1, tickets[CHAIN_STEPS];
		for (unsigned j = 0; j < CHAIN_STEPS; j++) {
			unsigned sob = sob_of(CHAIN_GROUP, j);
			accel_sob_set(a, sob, 0);
			uint64_t pay = j + 1 < CHAIN_STEPS ? fence_dev_addr(chain_q(j + 1), FENCE_ID)
							   : b.host.dev + 4 * CHAIN_DONE_WORD;
			accel_mon_arm(a, CHAIN_MON0 + j, CHAIN_GROUP, only(j), KILN_SM_MON_MODE_GE, 1, pay,
				      j + 1 < CHAIN_STEPS ? 1 : magic, false);
		}
		bool ok = true;
		for (unsigned jj = CHAIN_STEPS; jj-- > 0 && ok;) {
			struct cb c;
			cb_init(&c, (uint8_t *)b.cb.host + 256 * jj, 256);
			if (jj > 0)
				cb_fence(&c, FENCE_ID, 1, 1, 0);
			cb_msg_long_timestamp(&c, b.host.dev + 8 * jj);
			cb_msg_short(&c, ACCEL_MSG_BASE_SM, KILN_SM_SOB(sob_of(CHAIN_GROUP, jj)), cb_sob_value_add(1), CB_MB);
			int r = cb_ok(&c) ? accel_submit(a, chain_q(jj), b.cb.dev + 256 * jj, cb_len(&c), &tickets[jj])
					  : ACCEL_EINVAL;
			if (r) {
				char name[16];
				kt_fail(t, "%s %s: submitting chain step %u: %s", a->bdf, accel_queue_name(chain_q(jj), name), jj,
					accel_strerror(r));
				ok = false;
			}
		}
		for (unsigned j = 0; j < CHAIN_STEPS && ok; j++) {
			char why[400];
			int r = accel_wait(a, chain_q(j), tickets[j], WAIT_MS, why, sizeof why);
			if (r) {
				/* step j never passed its FENCE: step j-1's signal or monitor is missing */
				if (j > 0 && r == ACCEL_ETIMEDOUT)
					stall_report(t, a, chain_q(j), CHAIN_MON0 + j - 1, sob_of(CHAIN_GROUP, j - 1), 1,
						     (int)chain_q(j - 1), why);
				else
					kt_fail(t, "%s: chain step %u: %s", a->bdf, j, why);
				ok = false;
			}
		}
		if (ok && !word_wait(done, magic, WAIT_MS)) {
			unsigned j = CHAIN_STEPS - 1;
			kt_fail(t, "%s: missing signal: the last monitor %u on SOB %u (>= 1) is %s, SOB %u = %u; its payload "
				   "never reached host word 0x%llx",
				a->bdf, CHAIN_MON0 + j, sob_of(CHAIN_GROUP, j), mon_state(accel_mon_status(a, CHAIN_MON0 + j)),
				sob_of(CHAIN_GROUP, j), accel_sob_get(a, sob_of(CHAIN_GROUP, j)),
				(unsigned long long)(b.host.dev + 4 * CHAIN_DONE_WORD));
			ok = false;
		}
		for (unsigned j = 1; j < CHAIN_STEPS && ok; j++)
			if (!ts[j - 1] || ts[j] < ts[j - 1]) {
				char n1[16], n2[16];
				kt_fail(t, "%s: chain out of order: step %u (%s) at %llu ns ran before step %u (%s) at %llu ns that "
					   "signals it",
					a->bdf, j, accel_queue_name(chain_q(j), n1), (unsigned long long)ts[j], j - 1,
					accel_queue_name(chain_q(j - 1), n2), (unsigned long long)ts[j - 1]);
				ok = false;
			}
		if (ok)
			kt_diag(t, "%s: chain of %u steps dma0.s0 -> dma1.s0 -> ... -> dma1.s3 in order, %llu ns end to end",
				a->bdf, CHAIN_STEPS, (unsigned long long)(ts[CHAIN_STEPS - 1] - ts[0]));
		for (unsigned j = 0; j < CHAIN_STEPS; j++)
			accel_sob_set(a, sob_of(CHAIN_GROUP, j), 0);
		cleanup(t, a);
		test_bufs_put(&b);
	}
}

/* A stream waits on a monitor whose SOB is never signalled: the wait must end at its
 * deadline (not succeed) with the stream reported in fence-wait, the monitor still armed
 * and the SOB at 0 — then the late signal releases it. */
static void sync_missing_signal_detected(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, 4 * CB_BYTES, 0, 4096))
			return;
		const unsigned q = KILN_QUEUE_ID(1, 3);
		char name[16], why[400];
		accel_queue_name(q, name);
		uint32_t ticket;
		struct cb c;
		cb_init(&c, b.cb.host, CB_BYTES);
		cb_fence(&c, FENCE_ID, 1, 1, 0);
		accel_sob_set(a, SYNC_SOB, 0);
		accel_mon_arm(a, SYNC_MON, SYNC_SOB / KILN_SM_SOBS_PER_GROUP, only(SYNC_SOB % KILN_SM_SOBS_PER_GROUP),
			      KILN_SM_MON_MODE_GE, 1, fence_dev_addr(q, FENCE_ID), 1, false);
		int r = accel_submit(a, q, b.cb.dev, cb_len(&c), &ticket);
		if (!r)
			r = accel_wait(a, q, ticket, MISSING_MS, why, sizeof why);
		uint32_t mst = accel_mon_status(a, SYNC_MON);
		if (r != ACCEL_ETIMEDOUT || !(mst & KILN_SM_MON_STS_ARMED) || accel_sob_get(a, SYNC_SOB))
			kt_fail(t, "%s %s: with no signal the wait returned '%s' (expected a timeout), monitor %u %s, SOB %u = %u",
				a->bdf, name, accel_strerror(r), SYNC_MON, mon_state(mst), SYNC_SOB, accel_sob_get(a, SYNC_SOB));
		else
			kt_diag(t, "%s: as expected, no signal: monitor %u on SOB %u %s, SOB %u = 0; %s", a->bdf, SYNC_MON,
				SYNC_SOB, mon_state(mst), SYNC_SOB, why);
		if (!r || r == ACCEL_ETIMEDOUT) {
			accel_sob_add(a, SYNC_SOB, 1);
			r = accel_wait(a, q, ticket, WAIT_MS, why, sizeof why);
			if (r)
				stall_report(t, a, q, SYNC_MON, SYNC_SOB, 1, -1, why);
		}
		accel_sob_set(a, SYNC_SOB, 0);
		cleanup(t, a);
		test_bufs_put(&b);
	}
}

static const struct kt_case cases[] = {
	{"sync-sob-set-add", sync_sob_set_add, 0},
	{"sync-monitor-modes", sync_monitor_modes, 0},
	{"sync-monitor-fence", sync_monitor_fence, 0},
	{"sync-chain", sync_chain, 0},
	{"sync-missing-signal-detected", sync_missing_signal_detected, 0},
};

KT_SUITE(sync, KT_SUITE_DEVICE | KT_SUITE_LANES);
