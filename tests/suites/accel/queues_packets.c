/* queues: each packet kind the QMAN runs, on every stream of every compute queue of every
 * accelerator: NOP, MSG_LONG/MSG_PROT, WREG_32/WREG_BULK, CP_DMA, REPEAT, WAIT + FENCE,
 * LOAD_AND_EXE with predicates, and STOP with the queue reset that brings a stream back. */
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

#define STOPPED_WAIT_MS 300  /* how long a CB behind a STOP gets to (wrongly) run */
#define WAIT_CYCLES 200000u  /* WAIT packet: 200 us of device time */

/* WREG offsets are relative to the engine's QMAN block */
static uint32_t wreg_off(unsigned q, uint32_t reg) { return KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) + reg; }

/* A NOP and a MSG_LONG to host memory through every stream: the CB runs, its
 * completion carries the right shadow index, the message lands, the CQ interrupt fires. */
void queues_nop_every_stream(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
			return;
		unsigned good = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16];
			volatile uint32_t *word = (volatile uint32_t *)b.host.host + q;
			uint32_t value = 0x4b000000u | (a->index << 8) | q;
			struct cb c;
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_nop(&c, 0);
			cb_msg_long(&c, b.host.dev + 4 * q, value, CB_MB);
			if (test_run(t, a, q, &b.cb, &c, "NOP + MSG_LONG"))
				continue;
			if (*word != value)
				kt_fail(t, "%s %s: MSG_LONG wrote 0x%08x to host 0x%llx, expected 0x%08x", a->bdf,
					accel_queue_name(q, name), *word, (unsigned long long)(b.host.dev + 4 * q), value);
			else
				good++, kt_cover(t, KT_COVER_QUEUE, a->index, q);
		}
		kt_diag(t, "%s: %u of %u streams ran a NOP + MSG_LONG CB, irq mode %s", a->bdf, good, KILN_NUM_QUEUES,
			a->irq_mode == ACCEL_IRQ_MSIX ? "msix" : (a->irq_mode == ACCEL_IRQ_SHARED ? "shared" : "poll"));
		test_bufs_put(&b);
	}
}

/* STOP: the CB holding it completes, the stream stops (status and cause say so), a CB
 * submitted behind it does not run and the wait reports the stop; a queue reset brings
 * the stream back and the same CB runs. */
void queues_stop(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "NOP + STOP"))
				continue;
			uint32_t st = accel_queue_status(a, q), cause = accel_rd(a, test_stream_reg(q, KILN_QM_ERR_CAUSE));
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
			if (r != ACCEL_ESTOPPED || !test_contains(why, accel_qm_err_name(KILN_QM_ERR_STOP_PACKET)))
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
			if (!test_run(t, a, q, &b.aux, &m, "MSG_LONG after the reset") && *word != value)
				kt_fail(t, "%s %s: after the reset MSG_LONG wrote 0x%08x, expected 0x%08x", a->bdf, name, *word,
					value);
		}
		test_bufs_put(&b);
	}
}

/* WREG_32 and WREG_BULK into the stream's own registers, read back through the BAR. */
void queues_wreg(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "WREG_32"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t got = accel_rd(a, test_stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != v[k])
					kt_fail(t, "%s %s: WREG_32 SCALAR%u: register reads 0x%08x, expected 0x%08x", a->bdf, name, k,
						got, v[k]);
			}
			uint32_t gp = accel_rd(a, test_stream_reg(q, KILN_QM_PRED)), gc = accel_rd(a, test_stream_reg(q, KILN_QM_WR_COMP_DATA));
			if (gp != pred || gc != comp)
				kt_fail(t, "%s %s: WREG_32 PRED/WR_COMP_DATA read 0x%08x/0x%08x, expected 0x%08x/0x%08x", a->bdf,
					name, gp, gc, pred, comp);
			/* WREG_BULK: SCALAR0..3 as two 64-bit pairs */
			uint64_t pairs[KILN_QM_SCALARS / 2];
			for (unsigned k = 0; k < KILN_QM_SCALARS / 2; k++)
				pairs[k] = kt_rand(t);
			cb_init(&c, b.cb.host, CB_BYTES);
			cb_wreg_bulk(&c, wreg_off(q, KILN_QM_SCALAR(0)), pairs, KILN_QM_SCALARS / 2);
			if (test_run(t, a, q, &b.cb, &c, "WREG_BULK"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t want = (uint32_t)(pairs[k / 2] >> (32 * (k % 2)));
				uint32_t got = accel_rd(a, test_stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != want)
					kt_fail(t, "%s %s: WREG_BULK SCALAR%u: register reads 0x%08x, expected 0x%08x", a->bdf, name,
						k, got, want);
			}
		}
		test_bufs_put(&b);
	}
}

#define MSG_WORDS 8

/* MSG_LONG and MSG_PROT to host words, and two device timestamps around them. */
void queues_msg_long(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "MSG_LONG/MSG_PROT"))
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
		test_bufs_put(&b);
	}
}

#define CP_BUFS 3

/* CP_DMA: a CB that runs three other buffers in turn; each writes its own word and the
 * shared "last" word, so the last value proves the order. */
void queues_cp_dma(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "CP_DMA chain"))
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
		test_bufs_put(&b);
	}
}

/* REPEAT: a block adding 1 to a SOB n times (and once more outside it). */
void queues_repeat(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "REPEAT"))
				continue;
			uint32_t got = accel_sob_get(a, sob);
			if (got != n + extra)
				kt_fail(t, "%s %s: REPEAT %u of a SOB add (then +%u): SOB %u = %u, expected %u", a->bdf, name, n,
					extra, sob, got, n + extra);
		}
		test_bufs_put(&b);
	}
}

/* WAIT: the stream stalls at least the given cycles (device ns) and then adds to a fence
 * counter, which a FENCE right after consumes (it would block forever otherwise). */
void queues_wait(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "WAIT + FENCE"))
				continue;
			if (!ts[0] || ts[1] < ts[0] + WAIT_CYCLES)
				kt_fail(t, "%s %s: WAIT %u cycles: device timestamps %llu -> %llu ns, %lld ns apart (expected >= %u)",
					a->bdf, name, WAIT_CYCLES, (unsigned long long)ts[0], (unsigned long long)ts[1],
					(long long)(ts[1] - ts[0]), WAIT_CYCLES);
			uint32_t f = accel_rd(a, test_stream_reg(q, KILN_QM_FENCE_CNT(fid)));
			if (f != 0)
				kt_fail(t, "%s %s: fence counter %u is %u after WAIT (+1) and FENCE (-1), expected 0", a->bdf, name,
					fid, f);
		}
		test_bufs_put(&b);
	}
}

/* LOAD_AND_EXE: scalars and the predicate loaded from host memory (read back through the
 * BAR); the predicate then skips a FENCE that could never pass, and lets one run. */
void queues_load_and_exe(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
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
			if (test_run(t, a, q, &b.cb, &c, "LOAD_AND_EXE + predicated FENCE"))
				continue;
			for (unsigned k = 0; k < KILN_QM_SCALARS; k++) {
				uint32_t got = accel_rd(a, test_stream_reg(q, KILN_QM_SCALAR(k)));
				if (got != sc[k])
					kt_fail(t, "%s %s: LOAD_AND_EXE SCALAR%u reads 0x%08x, expected 0x%08x", a->bdf, name, k, got,
						sc[k]);
			}
			uint32_t gp = accel_rd(a, test_stream_reg(q, KILN_QM_PRED));
			if (gp != pred)
				kt_fail(t, "%s %s: LOAD_AND_EXE PRED reads 0x%08x, expected 0x%08x", a->bdf, name, gp, pred);
			if (h[16] != marker)
				kt_fail(t, "%s %s: the message after the predicated FENCEs wrote 0x%08x, expected 0x%08x", a->bdf,
					name, h[16], marker);
		}
		test_bufs_put(&b);
	}
}
