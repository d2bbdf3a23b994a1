/* Suite `queues`: every stream of every compute queue of every accelerator: each packet
 * kind the QMAN runs, completions in order, ring wrap-around, a full PQ outstanding, STOP,
 * malformed CBs decoded from their error events and recovered from by a queue reset, and
 * the submission rate and latency beside the device's own empty-CB rate. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

#define CB_BYTES 4096
#define WAIT_MS 2000
#define STOPPED_WAIT_MS 300  /* how long a CB behind a STOP gets to (wrongly) run */
#define QUEUES_SOB_GROUP 31u /* SOBs 248..255 belong to this suite */
#define QUEUES_SOB(q) (QUEUES_SOB_GROUP * KILN_SM_SOBS_PER_GROUP + (q) % KILN_SM_SOBS_PER_GROUP)
#define WAIT_CYCLES 200000u  /* WAIT packet: 200 us of device time */
#define SLOT_BYTES 64u       /* one small CB per PQ entry in the ring tests */

static uint32_t stream_reg(unsigned q, uint32_t reg)
{
	return KILN_BLK_QMAN(q / KILN_STREAMS_PER_ENGINE) + KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) + reg;
}

/* WREG offsets are relative to the engine's QMAN block */
static uint32_t wreg_off(unsigned q, uint32_t reg) { return KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) + reg; }

/* After a failure: reset the stream; if even that fails, the whole device. */
static void recover(struct kt *t, struct accel *a, unsigned q)
{
	char why[200];
	if (accel_queue_reset(a, q) && accel_reset(a, why, sizeof why))
		kt_diag(t, "%s: device reset after the failure did not work either: %s", a->bdf, why);
}

static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);
	for (; *s; s++)
		if (!strncmp(s, sub, n))
			return true;
	return n == 0;
}

/* Run the CB built in c (at device address dev); on failure report and recover. */
static int run_at(struct kt *t, struct accel *a, unsigned q, uint64_t dev, struct cb *c, const char *what)
{
	char name[16], why[400];
	accel_queue_name(q, name);
	if (!cb_ok(c)) {
		kt_fail(t, "%s %s: %s: command buffer overflow (%u bytes)", a->bdf, name, what, c->cap);
		return ACCEL_EINVAL;
	}
	int r = accel_run(a, q, dev, cb_len(c), WAIT_MS, why, sizeof why);
	if (r) {
		kt_fail(t, "%s %s: %s: %s", a->bdf, name, what, why);
		recover(t, a, q);
	}
	return r;
}

static int run(struct kt *t, struct accel *a, unsigned q, struct accel_buf *cbuf, struct cb *c, const char *what)
{
	return run_at(t, a, q, cbuf->dev, c, what);
}

/* Buffers a case needs on one device: a CB, a second buffer (CP_DMA targets or CB slots)
 * and host words the CBs write. */
struct bufs {
	struct accel_buf cb, aux, host;
};

static bool bufs_get(struct kt *t, struct accel *a, struct bufs *b, uint64_t aux, uint64_t host)
{
	b->aux.host = b->host.host = 0;
	if (accel_buf_alloc(&b->cb, CB_BYTES) || accel_buf_alloc(&b->aux, aux) || accel_buf_alloc(&b->host, host)) {
		kt_fail(t, "%s: out of memory for command buffers (%llu KiB)", a->bdf,
			(unsigned long long)((CB_BYTES + aux + host) / 1024));
		accel_buf_free(&b->cb);
		accel_buf_free(&b->aux);
		return false;
	}
	return true;
}

static void bufs_put(struct bufs *b)
{
	accel_buf_free(&b->cb);
	accel_buf_free(&b->aux);
	accel_buf_free(&b->host);
}

#define FOR_EACH_ACCEL(i, a) for (unsigned i = 0; i < accel_count(); i++) for (struct accel *a = accel_get(i); a; a = 0)

/* A NOP and a MSG_LONG to host memory through every stream: the CB runs, its
 * completion carries the right shadow index, the message lands, the CQ interrupt fires. */
static void queues_nop_every_stream(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		unsigned good = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			volatile uint32_t *word = (volatile uint32_t *)b.host.host + q;
			uint32_t value = 0x4b000000u | (i << 8) | q;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_nop(&c, 0);
			cb_msg_long(&c, b.host.dev + 4 * q, value, CB_MB);
			if (run(t, a, q, &b.cb, &c, "NOP + MSG_LONG"))
				continue;
			if (*word != value)
				kt_fail(t, "%s %s: MSG_LONG wrote 0x%08x to host 0x%llx, expected 0x%08x", a->bdf,
					accel_queue_name(q, name), *word, (unsigned long long)(b.host.dev + 4 * q), value);
			else
				good++;
		}
		kt_diag(t, "%s: %u of %u streams ran a NOP + MSG_LONG CB, irq mode %s", a->bdf, good, KILN_NUM_QUEUES,
			a->irq_mode == ACCEL_IRQ_MSIX ? "msix" : (a->irq_mode == ACCEL_IRQ_SHARED ? "shared" : "poll"));
		bufs_put(&b);
	}
}

/* STOP: the CB holding it completes, the stream stops (status and cause say so), a CB
 * submitted behind it does not run and the wait reports the stop; a queue reset brings
 * the stream back and the same CB runs. */
static void queues_stop(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			volatile uint32_t *word = (volatile uint32_t *)b.host.host + q;
			uint32_t value = (uint32_t)kt_rand(t) | 1;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_nop(&c, 0);
			cb_stop(&c);
			if (run(t, a, q, &b.cb, &c, "NOP + STOP"))
				continue;
			uint32_t st = accel_queue_status(a, q), cause = accel_rd(a, stream_reg(q, KILN_QM_ERR_CAUSE));
			if (!(st & KILN_QM_STS_STOPPED) || cause != KILN_QM_ERR_STOP_PACKET)
				kt_fail(t, "%s %s: after a STOP packet status is 0x%x cause %u (%s), expected stopped with cause %u (%s)",
					a->bdf, name, st, cause, accel_qm_err_name(cause), KILN_QM_ERR_STOP_PACKET,
					accel_qm_err_name(KILN_QM_ERR_STOP_PACKET));
			/* a CB behind the STOP must not run, and the wait must say why */
			struct cb m;
			cb_init(&m, b.aux.host, 4096);
			cb_msg_long(&m, b.host.dev + 4 * q, value, 0);
			uint32_t ticket;
			int r = accel_submit(a, q, b.aux.dev, cb_len(&m), &ticket);
			if (!r)
				r = accel_wait(a, q, ticket, STOPPED_WAIT_MS, why, sizeof why);
			if (r != ACCEL_ESTOPPED || !contains(why, accel_qm_err_name(KILN_QM_ERR_STOP_PACKET)))
				kt_fail(t, "%s %s: a CB behind a STOP: wait returned '%s' (%s), expected the stop reported", a->bdf,
					name, accel_strerror(r), r ? why : "it ran");
			if (*word == value)
				kt_fail(t, "%s %s: a CB submitted behind a STOP ran before the queue was reset", a->bdf, name);
			else if (q == 0)
				kt_diag(t, "%s %s: as expected: %s", a->bdf, name, why);
			int rr = accel_queue_reset(a, q);
			if (rr) {
				kt_fail(t, "%s %s: queue reset after STOP: %s", a->bdf, name, accel_strerror(rr));
				continue;
			}
			if (!run(t, a, q, &b.aux, &m, "MSG_LONG after the reset") && *word != value)
				kt_fail(t, "%s %s: after the reset MSG_LONG wrote 0x%08x, expected 0x%08x", a->bdf, name, *word,
					value);
		}
		bufs_put(&b);
	}
}

/* WREG_32 and WREG_BULK into the stream's own registers, read back through the BAR. */
static void queues_wreg(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			uint32_t v[KILN_QM_SCALARS], pred = (uint32_t)kt_rand(t), comp = (uint32_t)kt_rand(t);
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				v[k] = (uint32_t)kt_rand(t);
				cb_wreg32(&c, wreg_off(q, KILN_QM_SCALAR(k)), v[k], 0);
			}
			cb_wreg32(&c, wreg_off(q, KILN_QM_PRED), pred, 0);
			cb_wreg32(&c, wreg_off(q, KILN_QM_WR_COMP_DATA), comp, CB_RB);
			if (run(t, a, q, &b.cb, &c, "WREG_32"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t got = accel_rd(a, stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != v[k])
					kt_fail(t, "%s %s: WREG_32 SCALAR%u: register reads 0x%08x, expected 0x%08x", a->bdf, name, k,
						got, v[k]);
			}
			uint32_t gp = accel_rd(a, stream_reg(q, KILN_QM_PRED)), gc = accel_rd(a, stream_reg(q, KILN_QM_WR_COMP_DATA));
			if (gp != pred || gc != comp)
				kt_fail(t, "%s %s: WREG_32 PRED/WR_COMP_DATA read 0x%08x/0x%08x, expected 0x%08x/0x%08x", a->bdf,
					name, gp, gc, pred, comp);
			/* WREG_BULK: SCALAR0..3 as two 64-bit pairs */
			uint64_t pairs[KILN_QM_SCALARS / 2];
			for (unsigned k = 0; k < KILN_QM_SCALARS / 2; k++)
				pairs[k] = kt_rand(t);
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_wreg_bulk(&c, wreg_off(q, KILN_QM_SCALAR(0)), pairs, KILN_QM_SCALARS / 2);
			if (run(t, a, q, &b.cb, &c, "WREG_BULK"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t want = (uint32_t)(pairs[k / 2] >> (32 * (k % 2)));
				uint32_t got = accel_rd(a, stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != want)
					kt_fail(t, "%s %s: WREG_BULK SCALAR%u: register reads 0x%08x, expected 0x%08x", a->bdf, name,
						k, got, want);
			}
		}
		bufs_put(&b);
	}
}

#define MSG_WORDS 8

/* MSG_LONG and MSG_PROT to host words, and two device timestamps around them. */
static void queues_msg_long(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			memset(b.host.host, 0, 4096);
			volatile uint32_t *w = b.host.host;
			volatile uint64_t *ts = (volatile uint64_t *)((uint8_t *)b.host.host + 256);
			uint32_t v[MSG_WORDS + 1];
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_msg_long_timestamp(&c, b.host.dev + 256);
			for (unsigned k = 0; k < MSG_WORDS; k++) {
				v[k] = (uint32_t)kt_rand(t);
				cb_msg_long(&c, b.host.dev + 4 * k, v[k], k % 2 ? CB_MB : 0);
			}
			v[MSG_WORDS] = (uint32_t)kt_rand(t);
			cb_msg_prot(&c, b.host.dev + 4 * MSG_WORDS, v[MSG_WORDS]);
			cb_msg_long_timestamp(&c, b.host.dev + 264);
			if (run(t, a, q, &b.cb, &c, "MSG_LONG/MSG_PROT"))
				continue;
			for (unsigned k = 0; k <= MSG_WORDS; k++)
				if (w[k] != v[k])
					kt_fail(t, "%s %s: %s %u wrote 0x%08x to host 0x%llx, expected 0x%08x", a->bdf, name,
						k < MSG_WORDS ? "MSG_LONG" : "MSG_PROT", k, w[k],
						(unsigned long long)(b.host.dev + 4 * k), v[k]);
			if (!ts[0] || ts[1] < ts[0])
				kt_fail(t, "%s %s: device timestamps before/after the messages are %llu / %llu ns (want non-zero, "
					   "not going backwards)",
					a->bdf, name, (unsigned long long)ts[0], (unsigned long long)ts[1]);
		}
		bufs_put(&b);
	}
}

#define CP_BUFS 3

/* CP_DMA: a CB that runs three other buffers in turn; each writes its own word and the
 * shared "last" word, so the last value proves the order. */
static void queues_cp_dma(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			memset(b.host.host, 0, 64);
			volatile uint32_t *w = b.host.host;
			uint32_t v[CP_BUFS], head = (uint32_t)kt_rand(t), tail = (uint32_t)kt_rand(t);
			struct cb c, s[CP_BUFS];
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_msg_long(&c, b.host.dev + 4 * (CP_BUFS + 1), head, 0);
			for (unsigned k = 0; k < CP_BUFS; k++) {
				v[k] = (uint32_t)kt_rand(t);
				cb_init(&s[k], (uint8_t *)b.aux.host + 256 * k, 256);
				cb_msg_long(&s[k], b.host.dev + 4 * k, v[k], 0);
				cb_msg_long(&s[k], b.host.dev + 4 * CP_BUFS, k + 1, CB_MB);
				cb_cp_dma(&c, b.aux.dev + 256 * k, cb_len(&s[k]));
			}
			cb_msg_long(&c, b.host.dev + 4 * (CP_BUFS + 2), tail, CB_MB);
			if (run(t, a, q, &b.cb, &c, "CP_DMA chain"))
				continue;
			for (unsigned k = 0; k < CP_BUFS; k++)
				if (w[k] != v[k])
					kt_fail(t, "%s %s: buffer %u run by CP_DMA wrote 0x%08x, expected 0x%08x", a->bdf, name, k,
						w[k], v[k]);
			if (w[CP_BUFS] != CP_BUFS)
				kt_fail(t, "%s %s: the shared word holds %u after the chain, expected %u (the buffers ran out of order)",
					a->bdf, name, w[CP_BUFS], CP_BUFS);
			if (w[CP_BUFS + 1] != head || w[CP_BUFS + 2] != tail)
				kt_fail(t, "%s %s: messages around the CP_DMAs wrote 0x%08x/0x%08x, expected 0x%08x/0x%08x", a->bdf,
					name, w[CP_BUFS + 1], w[CP_BUFS + 2], head, tail);
		}
		bufs_put(&b);
	}
}

/* REPEAT: a block adding 1 to a SOB n times (and once more outside it). */
static void queues_repeat(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			unsigned sob = QUEUES_SOB(q);
			uint32_t n = 2 + (uint32_t)(kt_rand(t) % 99), extra = 1000;
			accel_sob_set(a, sob, 0);
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_repeat_start(&c, n);
			cb_msg_short(&c, ACCEL_MSG_BASE_SM, KILN_SM_SOB(sob), cb_sob_value_add(1), 0);
			cb_nop(&c, 0);
			cb_repeat_end(&c);
			cb_msg_short(&c, ACCEL_MSG_BASE_SM, KILN_SM_SOB(sob), cb_sob_value_add(extra), CB_MB);
			if (run(t, a, q, &b.cb, &c, "REPEAT"))
				continue;
			uint32_t got = accel_sob_get(a, sob);
			if (got != n + extra)
				kt_fail(t, "%s %s: REPEAT %u of a SOB add (then +%u): SOB %u = %u, expected %u", a->bdf, name, n,
					extra, sob, got, n + extra);
		}
		bufs_put(&b);
	}
}

/* WAIT: the stream stalls at least the given cycles (device ns) and then adds to a fence
 * counter, which a FENCE right after consumes (it would block forever otherwise). */
static void queues_wait(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			volatile uint64_t *ts = b.host.host;
			ts[0] = ts[1] = 0;
			const unsigned fid = 2;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_msg_long_timestamp(&c, b.host.dev);
			cb_wait(&c, WAIT_CYCLES, 1, fid);
			cb_fence(&c, fid, 1, 1, 0);
			cb_msg_long_timestamp(&c, b.host.dev + 8);
			if (run(t, a, q, &b.cb, &c, "WAIT + FENCE"))
				continue;
			if (!ts[0] || ts[1] < ts[0] + WAIT_CYCLES)
				kt_fail(t, "%s %s: WAIT %u cycles: device timestamps %llu -> %llu ns, %lld ns apart (expected >= %u)",
					a->bdf, name, WAIT_CYCLES, (unsigned long long)ts[0], (unsigned long long)ts[1],
					(long long)(ts[1] - ts[0]), WAIT_CYCLES);
			uint32_t f = accel_rd(a, stream_reg(q, KILN_QM_FENCE_CNT(fid)));
			if (f != 0)
				kt_fail(t, "%s %s: fence counter %u is %u after WAIT (+1) and FENCE (-1), expected 0", a->bdf, name,
					fid, f);
		}
		bufs_put(&b);
	}
}

#define ARB_ROUNDS 16
#define ARB_FENCE 2u
#define ARB_MON0 60u /* monitors 60, 61 belong to this suite */

/* ARB_POINT: streams 0 and 1 of an engine each run [timestamp, ARB_POINT] x 16, both held
 * behind a FENCE that one SOB add releases at once (two monitors on the same SOB). With the
 * yields the engine alternates between them, so their timestamp ranges overlap; without
 * them one stream would finish all 16 before the other starts. */
static void queues_arb_point(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
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
					      accel_reg_dev_addr(stream_reg(qs[s], KILN_QM_FENCE_CNT(ARB_FENCE))), 1, false);
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
					recover(t, a, qs[s]);
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
		bufs_put(&b);
	}
}

/* LOAD_AND_EXE: scalars and the predicate loaded from host memory (read back through the
 * BAR); the predicate then skips a FENCE that could never pass, and lets one run. */
static void queues_load_and_exe(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			accel_queue_name(q, name);
			volatile uint32_t *h = b.host.host;
			const unsigned off_bit = 3, on_bit = 5;
			uint32_t sc[KILN_QM_SCALARS];
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++)
				h[k] = sc[k] = (uint32_t)kt_rand(t);
			uint32_t pred = (((uint32_t)kt_rand(t)) & ~KILN_BIT(off_bit)) | KILN_BIT(on_bit);
			uint32_t marker = (uint32_t)kt_rand(t);
			h[8] = pred;
			h[16] = 0;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_load_and_exe(&c, b.host.dev, 1);
			cb_load_and_exe(&c, b.host.dev + 32, 0);
			cb_fence(&c, 1, 200, 1, off_bit); /* predicated off: skipped, or it blocks forever */
			cb_fence(&c, 1, 0, 0, on_bit);    /* predicated on: runs, target 0 passes at once */
			cb_msg_long(&c, b.host.dev + 64, marker, CB_MB);
			if (run(t, a, q, &b.cb, &c, "LOAD_AND_EXE + predicated FENCE"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t got = accel_rd(a, stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != sc[k])
					kt_fail(t, "%s %s: LOAD_AND_EXE SCALAR%u reads 0x%08x, expected 0x%08x", a->bdf, name, k, got,
						sc[k]);
			}
			uint32_t gp = accel_rd(a, stream_reg(q, KILN_QM_PRED));
			if (gp != pred)
				kt_fail(t, "%s %s: LOAD_AND_EXE PRED reads 0x%08x, expected 0x%08x", a->bdf, name, gp, pred);
			if (h[16] != marker)
				kt_fail(t, "%s %s: the message after the predicated FENCEs wrote 0x%08x, expected 0x%08x", a->bdf,
					name, h[16], marker);
		}
		bufs_put(&b);
	}
}

#define ORDER_CBS 48

/* Many CBs at once on one stream: all complete, in order (the driver checks each
 * completion's shadow index), and the device timestamps they write never go back. */
static void queues_in_order(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, ORDER_CBS * SLOT_BYTES, 4096))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[400];
			accel_queue_name(q, name);
			memset(b.host.host, 0, 4096);
			volatile uint64_t *ts = b.host.host;
			uint32_t count0 = accel_rd(a, stream_reg(q, KILN_QM_CB_COUNT)), last = 0;
			int r = 0;
			for (unsigned k = 0; k < ORDER_CBS && !r; k++) {
				struct cb c;
				cb_init(&c, (uint8_t *)b.aux.host + SLOT_BYTES * k, SLOT_BYTES);
				cb_msg_long_timestamp(&c, b.host.dev + 8 * k);
				r = accel_submit(a, q, b.aux.dev + SLOT_BYTES * k, cb_len(&c), &last);
			}
			if (r) {
				kt_fail(t, "%s %s: submitting %u CBs: %s", a->bdf, name, ORDER_CBS, accel_strerror(r));
				recover(t, a, q);
				continue;
			}
			if ((r = accel_wait(a, q, last, WAIT_MS, why, sizeof why))) {
				kt_fail(t, "%s %s: %u CBs outstanding: %s", a->bdf, name, ORDER_CBS, why);
				recover(t, a, q);
				continue;
			}
			for (unsigned k = 0; k < ORDER_CBS; k++)
				if (!ts[k] || (k && ts[k] < ts[k - 1])) {
					kt_fail(t, "%s %s: CB %u wrote timestamp %llu after CB %u's %llu (missing or out of order)", a->bdf,
						name, k, (unsigned long long)ts[k], k ? k - 1 : 0, (unsigned long long)(k ? ts[k - 1] : 0));
					break;
				}
			uint32_t done = accel_rd(a, stream_reg(q, KILN_QM_CB_COUNT)) - count0;
			if (done != ORDER_CBS)
				kt_fail(t, "%s %s: the device counts %u CBs completed, expected %u", a->bdf, name, done, ORDER_CBS);
		}
		bufs_put(&b);
	}
}

#define WRAP_CBS (3 * ACCEL_PQ_ENTRIES + 5)

/* More CBs than ring entries: the PQ producer index wraps (it runs over twice the ring),
 * the CQ wraps three times; every CB's message lands, and the device's indices end where
 * the count says. */
static void queues_wrap(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, ACCEL_PQ_ENTRIES * SLOT_BYTES, WRAP_CBS * 4))
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
				recover(t, a, q);
				continue;
			}
			unsigned missing = 0, first = 0;
			for (unsigned k = 0; k < WRAP_CBS; k++)
				if (w[k] != k + 1 && !missing++)
					first = k;
			if (missing)
				kt_fail(t, "%s %s: %u of %u CBs across the wrap left no message, first CB %u (word 0x%08x)", a->bdf,
					name, missing, WRAP_CBS, first, w[first]);
			uint32_t ci = accel_rd(a, stream_reg(q, KILN_QM_PQ_CI)), cqpi = accel_rd(a, stream_reg(q, KILN_QM_CQ_PI));
			if (ci != WRAP_CBS % (2 * ACCEL_PQ_ENTRIES) || cqpi != WRAP_CBS % ACCEL_CQ_ENTRIES)
				kt_fail(t, "%s %s: after %u CBs the device's PQ CI is %u and CQ PI %u, expected %u and %u", a->bdf, name,
					WRAP_CBS, ci, cqpi, WRAP_CBS % (2 * ACCEL_PQ_ENTRIES), WRAP_CBS % ACCEL_CQ_ENTRIES);
		}
		kt_diag(t, "%s: %u CBs through each stream's %u-entry PQ and CQ", a->bdf, WRAP_CBS, ACCEL_PQ_ENTRIES);
		bufs_put(&b);
	}
}

/* A full PQ outstanding on every stream at once: one more submit is refused (ring full),
 * then every CB completes and its message lands. */
static void queues_many_outstanding(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		uint64_t per_q = ACCEL_PQ_ENTRIES * SLOT_BYTES;
		if (!bufs_get(t, a, &b, KILN_NUM_QUEUES * per_q, KILN_NUM_QUEUES * ACCEL_PQ_ENTRIES * 4))
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
				recover(t, a, q);
				continue;
			}
			int r = accel_wait(a, q, last[q], WAIT_MS, why, sizeof why);
			if (r) {
				kt_fail(t, "%s: %u CBs outstanding on each stream: %s", a->bdf, ACCEL_PQ_ENTRIES, why);
				recover(t, a, q);
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
		bufs_put(&b);
	}
}

/* ---- malformed CBs ---- */

enum bad_kind { BAD_OPCODE_0, BAD_OPCODE_E, BAD_ARB_CFG, BAD_REPEAT_NESTED, BAD_CP_DMA_NESTED, BAD_WREG_RANGE,
		BAD_TRUNCATED, BAD_MSG_ADDR, BAD_KINDS };

static const struct {
	const char *what;
	uint32_t cause;
} bad_kinds[BAD_KINDS] = {
	[BAD_OPCODE_0] = {"packet with opcode 0x0", KILN_QM_ERR_BAD_OPCODE},
	[BAD_OPCODE_E] = {"packet with opcode 0xe", KILN_QM_ERR_BAD_OPCODE},
	[BAD_ARB_CFG] = {"ARB_POINT with a non-zero cfg", KILN_QM_ERR_BAD_FIELD},
	[BAD_REPEAT_NESTED] = {"REPEAT inside REPEAT", KILN_QM_ERR_NESTING},
	[BAD_CP_DMA_NESTED] = {"CP_DMA inside CP_DMA", KILN_QM_ERR_NESTING},
	[BAD_WREG_RANGE] = {"WREG_32 past the engine block", KILN_QM_ERR_REG_OFFSET},
	[BAD_TRUNCATED] = {"LIN_DMA cut short by the end of the CB", KILN_QM_ERR_CB_TRUNCATED},
	[BAD_MSG_ADDR] = {"MSG_LONG to an address in no window", KILN_QM_ERR_MSG_ADDR},
};

#define NOWHERE_ADDR (KILN_DEV_CFG_BASE + KILN_DEV_HBM_BASE) /* window 0x4..: nothing there */

static void build_bad(struct cb *c, enum bad_kind k, struct accel_buf *aux)
{
	cb_nop(c, 0);
	switch (k) {
	case BAD_OPCODE_0:
		cb_raw(c, 0, 0);
		break;
	case BAD_OPCODE_E:
		cb_raw(c, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, 0xe));
		break;
	case BAD_ARB_CFG:
		cb_raw(c, 1, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_ARB_POINT));
		break;
	case BAD_REPEAT_NESTED: /* the encoder refuses to build it: raw words */
		cb_raw(c, 2, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, 2, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, KILN_PKT_REPEAT_CFG_END, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, KILN_PKT_REPEAT_CFG_END, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		break;
	case BAD_CP_DMA_NESTED: {
		/* aux+0: a buffer whose only packet is a CP_DMA of aux+64 (a NOP) */
		struct cb inner, leaf;
		cb_init(&leaf, (uint8_t *)aux->host + 64, KILN_PKT_SIZE_SHORT);
		cb_nop(&leaf, 0);
		cb_init(&inner, aux->host, KILN_PKT_SIZE_LONG);
		cb_cp_dma(&inner, aux->dev + 64, cb_len(&leaf));
		cb_cp_dma(c, aux->dev, cb_len(&inner));
		break;
	}
	case BAD_WREG_RANGE:
		cb_raw(c, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_WREG_32) | KILN_BLK_SIZE);
		break;
	case BAD_TRUNCATED:
		cb_raw(c, 8, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_LIN_DMA) | KILN_PKT_LIN_DMA_CTL_LIN);
		break;
	case BAD_MSG_ADDR:
		cb_msg_long(c, NOWHERE_ADDR, 1, 0);
		break;
	case BAD_KINDS:
		break;
	}
}

/* Each malformed CB stops its stream; the wait reports it with the DMA QM error event
 * decoded by name (cause, PQ index, packet offset), the event's fields are the right
 * ones, and after a queue reset a good CB runs on the same stream. */
static void queues_malformed(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, 4096, 4096))
			return;
		unsigned caught = 0, total = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], evname[16];
			unsigned e = q / KILN_STREAMS_PER_ENGINE, s = q % KILN_STREAMS_PER_ENGINE;
			accel_queue_name(q, name);
			ksnprintf(evname, sizeof evname, "DMA%u_QM", e);
			for (unsigned k = 0; k < BAD_KINDS; k++) {
				char why[400];
				struct cb c;
				total++;
				cb_init(&c, b.cb.host, CB_BYTES);
				build_bad(&c, (enum bad_kind)k, &b.aux);
				uint64_t ev0 = a->ev_seq;
				int r = accel_run(a, q, b.cb.dev, cb_len(&c), WAIT_MS, why, sizeof why);
				if (r != ACCEL_ESTOPPED) {
					kt_fail(t, "%s %s: %s: wait returned '%s', expected the queue stopped on an error%s%s", a->bdf,
						name, bad_kinds[k].what, accel_strerror(r), r ? ": " : "", r ? why : "");
					recover(t, a, q);
					continue;
				}
				const struct accel_event *ev = accel_event_find(a, KILN_EVENT_DMA_QM(e), ev0);
				struct kiln_ev_qman_err p;
				if (!ev) {
					kt_fail(t, "%s %s: %s stopped the queue without a %s error event: %s", a->bdf, name,
						bad_kinds[k].what, evname, why);
				} else if (memcpy(&p, ev->data, sizeof p), p.stream != s || p.cause != bad_kinds[k].cause) {
					kt_fail(t, "%s %s: %s: event names stream %u cause %u (%s), expected stream %u cause %u (%s)",
						a->bdf, name, bad_kinds[k].what, p.stream, p.cause, accel_qm_err_name(p.cause), s,
						bad_kinds[k].cause, accel_qm_err_name(bad_kinds[k].cause));
				} else if (!contains(why, evname) || !contains(why, accel_qm_err_name(bad_kinds[k].cause))) {
					kt_fail(t, "%s %s: %s: the report does not name the event and its cause: %s", a->bdf, name,
						bad_kinds[k].what, why);
				} else {
					caught++;
					if (q == 0)
						kt_diag(t, "%s %s: %s: %s", a->bdf, name, bad_kinds[k].what, why);
				}
				int rr = accel_queue_reset(a, q);
				if (rr) {
					kt_fail(t, "%s %s: queue reset after %s: %s", a->bdf, name, bad_kinds[k].what,
						accel_strerror(rr));
					continue;
				}
				volatile uint32_t *word = (volatile uint32_t *)b.host.host + q;
				uint32_t v = (uint32_t)kt_rand(t) | 1;
				cb_init(&c, b.cb.host, CB_BYTES);
				cb_msg_long(&c, b.host.dev + 4 * q, v, 0);
				if (!run(t, a, q, &b.cb, &c, "good CB after the reset") && *word != v)
					kt_fail(t, "%s %s: after the reset MSG_LONG wrote 0x%08x, expected 0x%08x", a->bdf, name, *word,
						v);
			}
		}
		kt_diag(t, "%s: %u of %u malformed CBs stopped their stream with the right decoded event; each stream ran "
			   "again after a reset",
			a->bdf, caught, total);
		bufs_put(&b);
	}
}

/* ---- submission rate and latency, beside the device's own empty-CB rate ---- */

#define RATE_CBS 2000u
#define LAT_CBS 200u
#define DEV_CBS ACCEL_PQ_ENTRIES
#define RATE_FENCE 3u

static void queues_submit_rate(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct bufs b;
		if (!bufs_get(t, a, &b, ACCEL_PQ_ENTRIES * SLOT_BYTES, 4096))
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
			accel_wr(a, stream_reg(q, KILN_QM_FENCE_CNT(RATE_FENCE)), 1);
			r = accel_wait(a, q, last, WAIT_MS, why, sizeof why);
		}
		if (r) {
			kt_fail(t, "%s %s: %s", a->bdf, name, why);
			recover(t, a, q);
			bufs_put(&b);
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
		bufs_put(&b);
	}
}

static const struct kt_case cases[] = {
	{"queues-nop-every-stream", queues_nop_every_stream, 0},
	{"queues-stop", queues_stop, 0},
	{"queues-wreg", queues_wreg, 0},
	{"queues-msg-long", queues_msg_long, 0},
	{"queues-cp-dma", queues_cp_dma, 0},
	{"queues-repeat", queues_repeat, 0},
	{"queues-wait", queues_wait, 0},
	{"queues-arb-point", queues_arb_point, 0},
	{"queues-load-and-exe", queues_load_and_exe, 0},
	{"queues-in-order", queues_in_order, 0},
	{"queues-wrap", queues_wrap, 0},
	{"queues-many-outstanding", queues_many_outstanding, 0},
	{"queues-malformed", queues_malformed, 0},
	{"queues-submit-rate", queues_submit_rate, 0},
};

const struct kt_suite suite_queues = {"queues", KT_CASES(cases), KT_SUITE_DEVICE};
