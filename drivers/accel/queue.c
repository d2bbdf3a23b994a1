/* Compute queues: per stream a primary queue of buffer descriptors and a completion
 * queue, both in host memory. A submitted CB gets a ticket (its sequence number); its
 * BD carries the ticket's low 12 bits as shadow index, which the completion entry must
 * echo (include/common/qman_if.h). Waiting polls the CQ with a deadline and, when it
 * does not come, says which queue, which CB, and what the queue and the EQ report.
 *
 * The fast path touches no register: CBs are posted into the PQ and one doorbell announces
 * a batch, in the shadow doorbell pair in host memory when the device has one (PQ_PI is
 * written only when the device says it went idle); completions are found in the CQ in host
 * memory; the
 * queue's registers are read only when the CQ has shown no progress for
 * ACCEL_SLOW_CHECK_US (a stop, a hang, a device gone, a bad CQ entry). Every completion
 * still owes its MSI-X: reaping notes the debt, a later reap or accel_irq_settle collects
 * it, and one that never comes within ACCEL_IRQ_GRACE_MS is an interrupt fault. Under
 * TCG a register read, and a PAUSE, take QEMU's global lock that the device model's
 * bottom half needs to run the queue; so the poll spins on host memory without them. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_core.h"
#include "drivers/accel/hw/kiln_ring.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

#define IRQ_GRACE_MS ACCEL_IRQ_GRACE_MS
#define POLL_BURST 16u /* CQ polls between two looks at the clock (and, in a long wait, at the registers) */
#define MSG_BASE_SM ACCEL_MSG_BASE_SM
#define MSG_BASE_QMAN ACCEL_MSG_BASE_QMAN

static inline uint64_t prof_tsc(const struct accel_queue *qu) { return qu->prof.on ? rdtsc() : 0; }

static uint64_t us_to_tsc(uint64_t us) { return time_tsc_hz() / 1000000u * us; }

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

/* The shadow doorbell (docs/device.md section 5). It was off for a while: streams found a
 * CQ entry 512 CBs old, which was the model writing CQ entries with two stores (its
 * memcpy) so that the second undid the driver's clear (docs/device.md section 3, "Writes";
 * case queues-word-writes). 0 turns it off: every doorbell writes PQ_PI. */
#define USE_SHADOW_DOORBELL 1

/* The shadow doorbell: on when the device keeps the pair's address (a device without the
 * register reads it as 0); the pair starts at PI 0 with the device idle there. */
static void shadow_setup(struct accel *a, unsigned q)
{
	struct accel_queue *qu = &a->q[q];
	if (!USE_SHADOW_DOORBELL) {
		qu->shadow = 0;
		accel_wr(a, qreg(q, KILN_QM_PQ_SHADOW_LO), 0);
		accel_wr(a, qreg(q, KILN_QM_PQ_SHADOW_HI), 0);
		return;
	}
	volatile struct kiln_qm_shadow *sh = (struct kiln_qm_shadow *)a->qshadow.mem + q;
	uint64_t dev = a->qshadow.dev + (uint64_t)q * sizeof(struct kiln_qm_shadow);
	sh->pi = 0;
	sh->event = 0;
	accel_wr(a, qreg(q, KILN_QM_PQ_SHADOW_LO), lo32(dev));
	accel_wr(a, qreg(q, KILN_QM_PQ_SHADOW_HI), hi32(dev));
	qu->shadow = accel_rd(a, qreg(q, KILN_QM_PQ_SHADOW_LO)) == lo32(dev) &&
				     accel_rd(a, qreg(q, KILN_QM_PQ_SHADOW_HI)) == hi32(dev)
			     ? sh
			     : 0;
}

static int setup_one(struct accel *a, unsigned q)
{
	struct accel_queue *qu = &a->q[q];
	int r;
	if (qu->irq_held) /* a case that ended while holding it (a crash, a deadline) */
		accel_cq_irq_release(a, q);
	if ((r = accel_ring_alloc(&qu->pq, ACCEL_PQ_ENTRIES, sizeof(struct kiln_bd))) ||
	    (r = accel_ring_alloc(&qu->cq, ACCEL_CQ_ENTRIES, KILN_CQ_ENTRY_SIZE)))
		return r;
	if (!a->qshadow.mem && (r = accel_ring_alloc(&a->qshadow, KILN_NUM_QUEUES, sizeof(struct kiln_qm_shadow))))
		return r;
	qu->pi = qu->pi_rung = qu->cq_ci = qu->submitted = qu->completed = qu->rung = qu->last_shadow = 0;
	qu->irq_owed = qu->irq_newest = 0;
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
	shadow_setup(a, q);
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

int accel_post(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t *ticket)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	if (a->gone)
		return ACCEL_EGONE;
	struct accel_queue *qu = &a->q[q];
	if (qu->submitted - qu->completed >= qu->pq.entries)
		return ACCEL_EFULL;
	uint64_t c0 = prof_tsc(qu);
	uint32_t t = ++qu->submitted;
	volatile struct kiln_bd *bd = (struct kiln_bd *)qu->pq.mem + kiln_ring_slot(qu->pi, qu->pq.entries);
	bd->ptr = cb;
	bd->len = len;
	bd->ctl = (uint32_t)KILN_FIELD_PREP(KILN_BD_CTL_SHADOW_INDEX, t);
	qu->pi = kiln_ring_next(qu->pi, qu->pq.entries);
	*ticket = t;
	if (qu->prof.on) {
		qu->prof.post_cyc += rdtsc() - c0;
		qu->prof.posts++;
	}
	return ACCEL_OK;
}

void accel_doorbell(struct accel *a, unsigned q)
{
	if (q >= KILN_NUM_QUEUES)
		return;
	struct accel_queue *qu = &a->q[q];
	if (qu->pi == qu->pi_rung)
		return;
	uint64_t c0 = prof_tsc(qu);
	/* an interrupt counted from here on may be a rung CB's */
	uint64_t mark = a->irq_count[KILN_VEC_CQ(q)];
	for (uint32_t t = qu->rung + 1; (int32_t)(qu->submitted - t) >= 0; t++)
		qu->irq_mark[t % ACCEL_PQ_ENTRIES] = mark;
	qu->rung = qu->submitted;
	__asm__ volatile("" ::: "memory"); /* the BDs are in memory before the doorbell (x86: stores in order) */
	bool ring = true;
	if (qu->shadow) {
		/* publish, then (a full fence: the store before the load) read where the device
		 * went idle: the device writes `event` before its last look at `pi`, so either it
		 * sees this PI or this read sees it idle at the PI published before */
		qu->shadow->pi = qu->pi;
		cpu_mfence();
		ring = qu->shadow->event == qu->pi_rung;
	}
	if (ring)
		accel_wr(a, qreg(q, KILN_QM_PQ_PI), qu->pi);
	qu->pi_rung = qu->pi;
	if (qu->prof.on) {
		qu->prof.doorbell_cyc += rdtsc() - c0;
		qu->prof.doorbells++;
		qu->prof.rings += ring;
	}
}

int accel_submit(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t *ticket)
{
	int r = accel_post(a, q, cb, len, ticket);
	if (!r)
		accel_doorbell(a, q);
	return r;
}

static void describe_stuck(struct accel *a, unsigned q, uint32_t ticket, uint32_t ms, char *why, unsigned len)
{
	char name[16];
	struct accel_queue *qu = &a->q[q];
	uint32_t st = accel_rd(a, qreg(q, KILN_QM_STATUS)), pi = accel_rd(a, qreg(q, KILN_QM_PQ_PI));
	char shadow[96] = "";
	if (qu->shadow && pi != qu->pi_rung) /* the device never took what the shadow doorbell published */
		ksnprintf(shadow, sizeof shadow, " (published %u in the shadow doorbell, whose event word says %u)",
			  qu->pi_rung, qu->shadow->event);
	ksnprintf(why, len,
		  "queue %s made no progress for %u ms waiting for CB %u: last completed CB %u (shadow %u), PI %u%s CI %u, "
		  "CBs done by the device %u, status 0x%x%s%s%s%s, packet offset %u",
		  accel_queue_name(q, name), ms, ticket, qu->completed, qu->last_shadow, pi, shadow,
		  accel_rd(a, qreg(q, KILN_QM_PQ_CI)), accel_rd(a, qreg(q, KILN_QM_CB_COUNT)), st,
		  (st & KILN_QM_STS_BUSY) ? " busy" : "", (st & KILN_QM_STS_STOPPED) ? " stopped" : "",
		  (st & KILN_QM_STS_FENCE_WAIT) ? " fence-wait" : "", (st & KILN_QM_STS_TIMER_WAIT) ? " timer-wait" : "",
		  accel_rd(a, qreg(q, KILN_QM_CUR_CB_OFFSET)));
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

/* A CB was reaped from the CQ: its interrupt is seen already, or it is owed. */
static void irq_note_reaped(struct accel *a, unsigned q, uint32_t ticket)
{
	struct accel_queue *qu = &a->q[q];
	if (a->irq_mode == ACCEL_IRQ_POLL)
		return;
	uint64_t mark = (int32_t)(qu->rung - ticket) >= 0 ? qu->irq_mark[ticket % ACCEL_PQ_ENTRIES]
							    : a->irq_count[KILN_VEC_CQ(q)];
	if (a->irq_count[KILN_VEC_CQ(q)] > mark) {
		qu->irq_owed = 0; /* an interrupt after this CB was rung covers it and every CB before */
		return;
	}
	uint64_t now = rdtsc();
	qu->irq_newest = ticket;
	qu->irq_newest_mark = mark;
	qu->irq_newest_tsc = now;
	if (!qu->irq_owed) {
		qu->irq_owed = ticket;
		qu->irq_owed_mark = mark;
		qu->irq_owed_tsc = now;
	}
}

/* A waiter may sleep (hlt) between looks once a wait has gone ACCEL_SLOW_CHECK_US without
 * progress, when the device's interrupts come to this very CPU (its MSI-X entries name
 * it: accel_irq_steer) and interrupts are on: the CQ vector, or at worst the CPU's own
 * timer tick, wakes it. Under emulation this leaves the host CPU to the device model
 * instead of spinning against it; the CQ is looked at again after every wake, and the
 * deadline and register checks run as before. */
static bool may_sleep(const struct accel *a, unsigned q)
{
	return a->irq_mode != ACCEL_IRQ_POLL && !a->q[q].irq_held && irq_enabled() &&
	       a->irq_apic == this_cpu()->apic_id;
}

/* For cpu_sleep_unless: the CQ entry has its completion (so one that lands first is
 * never slept through). */
static bool cq_entry_ready(void *entry) { return *(volatile uint32_t *)entry & KILN_CQ_ENTRY_READY; }

/* Collect owed interrupts: ACCEL_OK when none is owed any more (or, not waiting, none is
 * overdue yet); ACCEL_EIRQ naming the oldest CB whose interrupt is ACCEL_IRQ_GRACE_MS late. */
static int irq_collect(struct accel *a, unsigned q, bool wait, char *why, unsigned len)
{
	struct accel_queue *qu = &a->q[q];
	uint64_t grace = us_to_tsc(IRQ_GRACE_MS * 1000u);
	uint64_t c0 = prof_tsc(qu);
	int r = ACCEL_OK;
	while (qu->irq_owed) {
		uint64_t n = a->irq_count[KILN_VEC_CQ(q)];
		if (n > qu->irq_newest_mark) {
			qu->irq_owed = 0;
			break;
		}
		if (n > qu->irq_owed_mark) { /* the oldest is covered; the newest still owes */
			qu->irq_owed = qu->irq_newest;
			qu->irq_owed_mark = qu->irq_newest_mark;
			qu->irq_owed_tsc = qu->irq_newest_tsc;
		}
		if (qu->irq_held)
			break; /* due only after the release */
		if (rdtsc() - qu->irq_owed_tsc >= grace) {
			char name[16];
			ksnprintf(why, len,
				  "interrupt fault: CB %u on queue %s completed (found by polling the CQ) but its MSI-X "
				  "vector %u never fired within %u ms",
				  qu->irq_owed, accel_queue_name(q, name), KILN_VEC_CQ(q), IRQ_GRACE_MS);
			qu->irq_owed = 0; /* reported once */
			r = ACCEL_EIRQ;
			break;
		}
		if (!wait)
			break;
		cpu_relax();
	}
	if (qu->prof.on)
		qu->prof.irq_cyc += rdtsc() - c0;
	return r;
}

int accel_cq_irq_hold(struct accel *a, unsigned q)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	if (!accel_irq_own_vector(a, KILN_VEC_CQ(q)) || a->q[q].irq_held)
		return ACCEL_OK;
	int r = accel_irq_hold(a, KILN_VEC_CQ(q), true);
	a->q[q].irq_held = r == ACCEL_OK;
	return r;
}

int accel_cq_irq_release(struct accel *a, unsigned q)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	struct accel_queue *qu = &a->q[q];
	if (!qu->irq_held)
		return ACCEL_OK;
	qu->irq_held = false;
	/* the grace of what is owed runs from now: a masked vector could not fire before */
	uint64_t now = rdtsc();
	qu->irq_owed_tsc = qu->irq_newest_tsc = now;
	return accel_irq_hold(a, KILN_VEC_CQ(q), false);
}

int accel_irq_settle(struct accel *a, unsigned q, char *why, unsigned len)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	return irq_collect(a, q, true, why, len);
}

/* Consume the CQ entry at cq_ci (ready or not): ACCEL_OK, or ACCEL_ECOMPLETION when it is
 * not the completion of the next CB. `note`: record the CB's interrupt debt here (a batch
 * notes only its first and last CB: see accel_reap_ready). */
static int reap_one(struct accel *a, unsigned q, uint32_t entry, bool note, char *why, unsigned len)
{
	char name[16];
	struct accel_queue *qu = &a->q[q];
	volatile uint32_t *cq = qu->cq.mem;
	uint32_t want = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, qu->completed + 1);
	uint32_t got = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, entry);
	int r = ACCEL_OK;
	if (!(entry & KILN_CQ_ENTRY_SHADOW_VALID) || got != want) {
		/* where the device stands, to tell a stale or repeated entry from a skipped one */
		ksnprintf(why, len,
			  "completion mismatch on queue %s: CQ slot %u holds 0x%08x (shadow %u%s), expected shadow %u for "
			  "CB %u; the device: PQ PI %u CI %u, CQ PI %u, %u CBs done (this driver: PI %u published, %u "
			  "completed)",
			  accel_queue_name(q, name), qu->cq_ci, entry, got,
			  (entry & KILN_CQ_ENTRY_SHADOW_VALID) ? "" : ", shadow-valid bit clear", want, qu->completed + 1,
			  accel_rd(a, qreg(q, KILN_QM_PQ_PI)), accel_rd(a, qreg(q, KILN_QM_PQ_CI)),
			  accel_rd(a, qreg(q, KILN_QM_CQ_PI)), accel_rd(a, qreg(q, KILN_QM_CB_COUNT)), qu->pi_rung,
			  qu->completed);
		r = ACCEL_ECOMPLETION;
	}
	cq[qu->cq_ci] = 0;
	qu->cq_ci = kiln_cring_next(qu->cq_ci, qu->cq.entries);
	qu->completed++;
	if (!r) {
		qu->last_shadow = got;
		if (note)
			irq_note_reaped(a, q, qu->completed);
	}
	if (qu->prof.on)
		qu->prof.reaped++;
	return r;
}

/* No progress on the CQ for a while: read the queue's registers. ACCEL_OK to go on
 * polling, else the failure with `why` filled. */
static int slow_check(struct accel *a, unsigned q, uint64_t ev_before, char *why, unsigned len)
{
	char name[16];
	struct accel_queue *qu = &a->q[q];
	volatile uint32_t *cq = qu->cq.mem;
	if (qu->prof.on)
		qu->prof.reg_reads += 2;
	if (accel_check_alive(a)) {
		ksnprintf(why, len, "queue %s: %s", accel_queue_name(q, name), accel_strerror(ACCEL_EGONE));
		return ACCEL_EGONE;
	}
	uint32_t st = accel_rd(a, qreg(q, KILN_QM_STATUS));
	/* The device writes a CB's completion before it marks the stream stopped (a CB that
	 * ends in STOP completes): look at the CQ once more before calling it a stop. */
	if ((st & KILN_QM_STS_STOPPED) && (cq[qu->cq_ci] & KILN_CQ_ENTRY_READY))
		return ACCEL_OK;
	if (st & KILN_QM_STS_STOPPED) {
		describe_stop(a, q, ev_before, why, len);
		return ACCEL_ESTOPPED;
	}
	uint32_t entry = cq[qu->cq_ci];
	if (entry && !(entry & KILN_CQ_ENTRY_READY)) {
		if (qu->prof.on)
			qu->prof.reg_reads++;
		if ((int32_t)(accel_rd(a, qreg(q, KILN_QM_CB_COUNT)) - (int32_t)qu->completed) > 0) {
			ksnprintf(why, len,
				  "completion mismatch on queue %s: CQ slot %u holds 0x%08x without the ready bit although "
				  "the device counts CB %u done",
				  accel_queue_name(q, name), qu->cq_ci, entry, qu->completed + 1);
			cq[qu->cq_ci] = 0;
			qu->cq_ci = kiln_cring_next(qu->cq_ci, qu->cq.entries);
			qu->completed++;
			return ACCEL_ECOMPLETION;
		}
	}
	return ACCEL_OK;
}

int accel_reap(struct accel *a, unsigned q, uint32_t ticket, uint32_t timeout_ms, char *why, unsigned len)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	struct accel_queue *qu = &a->q[q];
	volatile uint32_t *cq = qu->cq.mem;
	uint64_t ev_before = a->ev_seq;
	int r = irq_collect(a, q, false, why, len); /* an earlier CB's interrupt overdue */
	if (r)
		return r;
	if ((int32_t)(ticket - qu->rung) > 0 && (int32_t)(qu->submitted - ticket) >= 0)
		accel_doorbell(a, q); /* posted but not announced yet */
	uint64_t c0 = prof_tsc(qu);
	if (qu->prof.on)
		qu->prof.waits++;
	uint64_t slow_every = us_to_tsc(ACCEL_SLOW_CHECK_US), slow_at = 0;
	struct deadline d = deadline_in_ms(timeout_ms);
	unsigned polls = 0;
	bool sleep_ok = may_sleep(a, q);
	while ((int32_t)(qu->completed - ticket) < 0) {
		uint32_t entry = cq[qu->cq_ci];
		if (entry & KILN_CQ_ENTRY_READY) {
			uint64_t c1 = prof_tsc(qu);
			r = reap_one(a, q, entry, true, why, len);
			if (qu->prof.on) {
				uint64_t c2 = rdtsc();
				qu->prof.cq_wait_cyc += c1 - c0;
				qu->prof.reap_cyc += c2 - c1;
				c0 = c2;
			}
			if (r)
				return r;
			slow_at = 0;
			continue;
		}
		if (qu->prof.on)
			qu->prof.spins++;
		if (++polls % POLL_BURST)
			continue;
		uint64_t now = rdtsc();
		if (!slow_at) { /* the start of a stretch without progress */
			slow_at = now + slow_every;
			continue;
		}
		if ((int64_t)(now - slow_at) < 0)
			continue;
		/* No progress for ACCEL_SLOW_CHECK_US: a long wait (a big DMA, a stop, a hang). From
		 * here on the registers are checked at every look at the clock, as the wait did
		 * before the fast path: under TCG a register read that finds the model's bottom half
		 * holding QEMU's global lock sleeps until it lets go, which leaves a shared host CPU
		 * to the model instead of spinning against it. */
		if ((r = slow_check(a, q, ev_before, why, len)))
			return r;
		if (deadline_passed(d)) {
			describe_stuck(a, q, ticket, timeout_ms, why, len);
			return ACCEL_ETIMEDOUT;
		}
		if (sleep_ok)
			cpu_sleep_unless(cq_entry_ready, (void *)&cq[qu->cq_ci]);
		else
			cpu_relax();
	}
	if (qu->prof.on)
		qu->prof.cq_wait_cyc += rdtsc() - c0;
	return irq_collect(a, q, false, why, len);
}

int accel_reap_ready(struct accel *a, unsigned q, char *why, unsigned len)
{
	if (q >= KILN_NUM_QUEUES)
		return ACCEL_EINVAL;
	struct accel_queue *qu = &a->q[q];
	volatile uint32_t *cq = qu->cq.mem;
	int r = ACCEL_OK;
	uint64_t c0 = prof_tsc(qu);
	/* only CBs the device was given can complete. The interrupt debt of a batch is noted
	 * for its first and last CB: the marks grow with the ticket, so an interrupt that
	 * covers the last covers all, one that covers the first but not the last leaves the
	 * last owing (irq_collect moves the debt there), and the CBs between are reaped at
	 * the same moment as those two: per-CB notes would decide nothing more. */
	uint32_t first = qu->completed + 1, ci = qu->cq_ci, done = qu->completed, fast = 0;
	while (!r && done != qu->rung) {
		uint32_t entry = cq[ci];
		if (!(entry & KILN_CQ_ENTRY_READY))
			break;
		/* the common case in one compare: exactly the entry the next CB's completion is */
		if (entry == (KILN_CQ_ENTRY_READY | KILN_CQ_ENTRY_SHADOW_VALID |
			      (uint32_t)KILN_FIELD_PREP(KILN_CQ_ENTRY_SHADOW_INDEX, done + 1))) {
			cq[ci] = 0;
			ci = kiln_cring_next(ci, qu->cq.entries);
			done++;
			fast++;
			continue;
		}
		qu->cq_ci = ci; /* anything else: the checks and the diagnosis of reap_one */
		qu->completed = done;
		if (fast)
			qu->last_shadow = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, done);
		r = reap_one(a, q, entry, false, why, len);
		ci = qu->cq_ci;
		done = qu->completed;
		fast = 0;
	}
	qu->cq_ci = ci;
	qu->completed = done;
	if (fast) {
		qu->last_shadow = (uint32_t)KILN_FIELD_GET(KILN_CQ_ENTRY_SHADOW_INDEX, done);
		if (qu->prof.on)
			qu->prof.reaped += fast;
	}
	uint32_t last = r ? qu->completed - 1 : qu->completed; /* the CBs reaped intact */
	if ((int32_t)(last - first) >= 0) {
		irq_note_reaped(a, q, first);
		if (last != first)
			irq_note_reaped(a, q, last);
	}
	if (qu->prof.on)
		qu->prof.reap_cyc += rdtsc() - c0;
	return r ? r : irq_collect(a, q, false, why, len);
}

int accel_wait(struct accel *a, unsigned q, uint32_t ticket, uint32_t timeout_ms, char *why, unsigned len)
{
	int r = accel_reap(a, q, ticket, timeout_ms, why, len);
	return r ? r : accel_irq_settle(a, q, why, len);
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
