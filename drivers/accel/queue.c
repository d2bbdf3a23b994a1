/* Compute queues: per stream a primary queue of buffer descriptors and a completion
 * queue, both in host memory. A submitted CB gets a ticket (its sequence number); its
 * BD carries the ticket's low 12 bits as shadow index, which the completion entry must
 * echo (include/common/qman_if.h). Waiting polls the CQ with a deadline and, when it
 * does not come, says which queue, which CB, and what the queue and the EQ report. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_core.h"
#include "drivers/accel/hw/kiln_ring.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

#define IRQ_GRACE_MS 200 /* how long an MSI-X may trail the CQ write before it counts as lost */
#define MSG_BASE_SM ACCEL_MSG_BASE_SM
#define MSG_BASE_QMAN ACCEL_MSG_BASE_QMAN

static uint32_t qreg(unsigned q, uint32_t reg)
{
	unsigned e = q / KILN_STREAMS_PER_ENGINE, s = q % KILN_STREAMS_PER_ENGINE;
	return KILN_BLK_QMAN(e) + KILN_QM_STREAM(s) + reg;
}

const char *accel_queue_name(unsigned q, char buf[16])
{
	ksnprintf(buf, 16, "dma%u.s%u", q / KILN_STREAMS_PER_ENGINE, q % KILN_STREAMS_PER_ENGINE);
	return buf;
}

uint32_t accel_queue_status(struct accel *a, unsigned q) { return accel_rd(a, qreg(q, KILN_QM_STATUS)); }

static int setup_one(struct accel *a, unsigned q)
{
	struct accel_queue *qu = &a->q[q];
	int r;
	if ((r = accel_ring_alloc(&qu->pq, ACCEL_PQ_ENTRIES, sizeof(struct kiln_bd))) ||
	    (r = accel_ring_alloc(&qu->cq, ACCEL_CQ_ENTRIES, KILN_CQ_ENTRY_SIZE)))
		return r;
	qu->pi = qu->cq_ci = qu->submitted = qu->completed = qu->last_shadow = 0;
	qu->stopped = false;
	unsigned e = q / KILN_STREAMS_PER_ENGINE;
	accel_wr(a, qreg(q, KILN_QM_CFG), 0);
	accel_wr(a, qreg(q, KILN_QM_CTRL), KILN_QM_CTRL_RESET);
	accel_wr(a, qreg(q, KILN_QM_PQ_BASE_LO), lo32(qu->pq.dev));
	accel_wr(a, qreg(q, KILN_QM_PQ_BASE_HI), hi32(qu->pq.dev));
	accel_wr(a, qreg(q, KILN_QM_PQ_SIZE), ACCEL_PQ_ENTRIES);
	accel_wr(a, qreg(q, KILN_QM_CQ_BASE_LO), lo32(qu->cq.dev));
	accel_wr(a, qreg(q, KILN_QM_CQ_BASE_HI), hi32(qu->cq.dev));
	accel_wr(a, qreg(q, KILN_QM_CQ_SIZE), ACCEL_CQ_ENTRIES);
	uint64_t sm = accel_reg_dev_addr(KILN_BLK_SM), qm = accel_reg_dev_addr(KILN_BLK_QMAN(e));
	accel_wr(a, qreg(q, KILN_QM_MSG_BASE_LO(MSG_BASE_SM)), lo32(sm));
	accel_wr(a, qreg(q, KILN_QM_MSG_BASE_HI(MSG_BASE_SM)), hi32(sm));
	accel_wr(a, qreg(q, KILN_QM_MSG_BASE_LO(MSG_BASE_QMAN)), lo32(qm));
	accel_wr(a, qreg(q, KILN_QM_MSG_BASE_HI(MSG_BASE_QMAN)), hi32(qm));
	accel_wr(a, qreg(q, KILN_QM_CFG), KILN_QM_CFG_ENABLE | KILN_QM_CFG_CQ_ENABLE);
	return accel_check_alive(a);
}

int accel_queues_setup(struct accel *a)
{
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
		int r = setup_one(a, q);
		if (r)
			return r;
	}
	return ACCEL_OK;
}

int accel_queue_reset(struct accel *a, unsigned q)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	return setup_one(a, q);
}

int accel_submit(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t *ticket)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	if (a->gone)
		return ACCEL_EGONE;
	struct accel_queue *qu = &a->q[q];
	if (qu->submitted - qu->completed >= qu->pq.entries)
		return ACCEL_EFULL;
	uint32_t t = ++qu->submitted;
	volatile struct kiln_bd *bd = (struct kiln_bd *)qu->pq.mem + kiln_ring_slot(qu->pi, qu->pq.entries);
	bd->ptr = cb;
	bd->len = len;
	bd->ctl = (uint32_t)KILN_FIELD_PREP(KILN_BD_CTL_SHADOW_INDEX, t);
	qu->irq_mark[t % ACCEL_PQ_ENTRIES] = a->irq_count[KILN_VEC_CQ(q)];
	__asm__ volatile("" ::: "memory");
	qu->pi = kiln_ring_next(qu->pi, qu->pq.entries);
	accel_wr(a, qreg(q, KILN_QM_PQ_PI), qu->pi);
	*ticket = t;
	return ACCEL_OK;
}

static void describe_stuck(struct accel *a, unsigned q, uint32_t ticket, uint32_t ms, char *why, unsigned len)
{
	char name[16];
	struct accel_queue *qu = &a->q[q];
	uint32_t st = accel_rd(a, qreg(q, KILN_QM_STATUS));
	ksnprintf(why, len,
		  "queue %s made no progress for %u ms waiting for CB %u: last completed CB %u (shadow %u), PI %u CI %u, "
		  "CBs done by the device %u, status 0x%x%s%s%s%s, packet offset %u",
		  accel_queue_name(q, name), ms, ticket, qu->completed, qu->last_shadow,
		  accel_rd(a, qreg(q, KILN_QM_PQ_PI)), accel_rd(a, qreg(q, KILN_QM_PQ_CI)),
		  accel_rd(a, qreg(q, KILN_QM_CB_COUNT)), st, (st & KILN_QM_STS_BUSY) ? " busy" : "",
		  (st & KILN_QM_STS_STOPPED) ? " stopped" : "", (st & KILN_QM_STS_FENCE_WAIT) ? " fence-wait" : "",
		  (st & KILN_QM_STS_TIMER_WAIT) ? " timer-wait" : "", accel_rd(a, qreg(q, KILN_QM_CUR_CB_OFFSET)));
}

/* The queue stopped: name the cause from the error event if there is one, else from the
 * queue's own error registers. */
static void describe_stop(struct accel *a, unsigned q, uint64_t ev_after, char *why, unsigned len)
{
	char name[16], evs[200] = "";
	unsigned e = q / KILN_STREAMS_PER_ENGINE, s = q % KILN_STREAMS_PER_ENGINE;
	struct accel_event ev;
	accel_eq_poll(a);
	const struct accel_event *found = 0;
	for (uint64_t after = ev_after;; after = found->seq) {
		const struct accel_event *f = accel_event_find(a, KILN_EVENT_DMA_QM(e), after);
		if (!f)
			break;
		struct kiln_ev_qman_err p;
		memcpy(&p, f->data, sizeof p);
		found = f;
		if (p.stream == s)
			break;
	}
	if (found) {
		ev = *found;
		accel_event_describe(&ev, evs, sizeof evs);
	}
	uint32_t cause = accel_rd(a, qreg(q, KILN_QM_ERR_CAUSE));
	uint64_t addr = accel_rd(a, qreg(q, KILN_QM_ERR_ADDR_LO)) | (uint64_t)accel_rd(a, qreg(q, KILN_QM_ERR_ADDR_HI)) << 32;
	ksnprintf(why, len, "queue %s stopped: %s (cause %u) at PQ index %u packet offset %u address 0x%llx%s%s",
		  accel_queue_name(q, name), accel_qm_err_name(cause), cause, accel_rd(a, qreg(q, KILN_QM_ERR_PQ_INDEX)),
		  accel_rd(a, qreg(q, KILN_QM_ERR_CB_OFFSET)), (unsigned long long)addr, evs[0] ? "; event: " : "; no error event",
		  evs);
	a->q[q].stopped = true;
}

int accel_wait(struct accel *a, unsigned q, uint32_t ticket, uint32_t timeout_ms, char *why, unsigned len)
{
	char name[16];
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	struct accel_queue *qu = &a->q[q];
	volatile uint32_t *cq = qu->cq.mem;
	uint64_t ev_before = a->ev_seq;
	/* the interrupt must come after the CB was submitted, not after we started waiting */
	uint64_t irq_before = (int32_t)(qu->submitted - ticket) >= 0 && qu->submitted - ticket < ACCEL_PQ_ENTRIES
				      ? qu->irq_mark[ticket % ACCEL_PQ_ENTRIES]
				      : a->irq_count[KILN_VEC_CQ(q)];
	struct deadline d = deadline_in_ms(timeout_ms);
	while ((int32_t)(qu->completed - ticket) < 0) {
		uint32_t entry = cq[qu->cq_ci];
		if (entry & KILN_CQ_ENTRY_READY) {
			uint32_t want = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, qu->completed + 1);
			uint32_t got = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, entry);
			if (!(entry & KILN_CQ_ENTRY_SHADOW_VALID) || got != want) {
				ksnprintf(why, len,
					  "completion mismatch on queue %s: CQ slot %u holds 0x%08x (shadow %u%s), expected "
					  "shadow %u for CB %u",
					  accel_queue_name(q, name), qu->cq_ci, entry, got,
					  (entry & KILN_CQ_ENTRY_SHADOW_VALID) ? "" : ", shadow-valid bit clear", want,
					  qu->completed + 1);
				cq[qu->cq_ci] = 0;
				qu->cq_ci = kiln_cring_next(qu->cq_ci, qu->cq.entries);
				qu->completed++;
				return ACCEL_ECOMPLETION;
			}
			cq[qu->cq_ci] = 0;
			qu->cq_ci = kiln_cring_next(qu->cq_ci, qu->cq.entries);
			qu->completed++;
			qu->last_shadow = got;
			continue;
		}
		if (accel_check_alive(a)) {
			ksnprintf(why, len, "queue %s: %s", accel_queue_name(q, name), accel_strerror(ACCEL_EGONE));
			return ACCEL_EGONE;
		}
		uint32_t st = accel_rd(a, qreg(q, KILN_QM_STATUS));
		/* The device writes a CB's completion before it marks the stream stopped (a CB that
		 * ends in STOP completes): look at the CQ once more before calling it a stop. */
		if ((st & KILN_QM_STS_STOPPED) && (cq[qu->cq_ci] & KILN_CQ_ENTRY_READY))
			continue;
		if (st & KILN_QM_STS_STOPPED) {
			describe_stop(a, q, ev_before, why, len);
			return ACCEL_ESTOPPED;
		}
		if (entry && !(entry & KILN_CQ_ENTRY_READY) &&
		    (int32_t)(accel_rd(a, qreg(q, KILN_QM_CB_COUNT)) - (int32_t)qu->completed) > 0) {
			ksnprintf(why, len,
				  "completion mismatch on queue %s: CQ slot %u holds 0x%08x without the ready bit although "
				  "the device counts CB %u done",
				  accel_queue_name(q, name), qu->cq_ci, entry, qu->completed + 1);
			cq[qu->cq_ci] = 0;
			qu->cq_ci = kiln_cring_next(qu->cq_ci, qu->cq.entries);
			qu->completed++;
			return ACCEL_ECOMPLETION;
		}
		if (deadline_passed(d)) {
			describe_stuck(a, q, ticket, timeout_ms, why, len);
			return ACCEL_ETIMEDOUT;
		}
		cpu_relax();
	}
	if (a->irq_mode != ACCEL_IRQ_POLL) {
		struct deadline g = deadline_in_ms(IRQ_GRACE_MS);
		while (a->irq_count[KILN_VEC_CQ(q)] == irq_before) {
			if (deadline_passed(g)) {
				ksnprintf(why, len,
					  "interrupt fault: CB %u on queue %s completed (found by polling the CQ) but its MSI-X "
					  "vector %u never fired within %u ms",
					  ticket, accel_queue_name(q, name), KILN_VEC_CQ(q), IRQ_GRACE_MS);
				return ACCEL_EIRQ;
			}
			cpu_relax();
		}
	}
	return ACCEL_OK;
}

int accel_run(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t timeout_ms, char *why, unsigned whylen)
{
	uint32_t t;
	int r = accel_submit(a, q, cb, len, &t);
	if (r) {
		char name[16];
		ksnprintf(why, whylen, "submit to %s: %s", accel_queue_name(q, name), accel_strerror(r));
		return r;
	}
	return accel_wait(a, q, t, timeout_ms, why, whylen);
}
