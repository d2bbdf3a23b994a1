/*
 * Kiln accelerator device model: queue managers of the DMA engines. Each stream fetches
 * buffer descriptors from its PQ, fetches the command buffer (CB) and executes its packets
 * (kiln-packets.c), then writes a completion entry to its CQ and raises the CQ vector.
 *
 * Work runs in the engine's bottom half, in bounded slices; a doorbell starts its stream
 * with a few units in the write itself (kiln_stream_start). A stream with a shadow doorbell
 * also takes new PQ entries from host memory (kiln_stream_shadow_poll).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "kiln-accel.h"
#include "trace.h"
#include "kiln-qman.h"

static bool ring_size_ok(uint32_t n)
{
    return KILN_IS_POW2(n) && n >= KILN_QM_RING_MIN && n <= KILN_QM_RING_MAX;
}

void kiln_stream_free_exec(KilnStream *st)
{
    for (unsigned i = 0; i < ARRAY_SIZE(st->lvl); i++) {
        g_free(st->lvl[i].data);
        memset(&st->lvl[i], 0, sizeof(st->lvl[i]));
    }
    st->depth = 0;
    st->gen++;      /* anything executing from these buffers must not continue */
    st->in_cb = false;
    st->stop_after_cb = false;
    st->dma_active = false;
    st->status &= ~(KILN_QM_STS_BUSY | KILN_QM_STS_FENCE_WAIT | KILN_QM_STS_TIMER_WAIT |
                    KILN_QM_STS_FENCE_ID);
    if (st->wait_timer) {
        timer_del(st->wait_timer);
    }
}

void kiln_stream_kick(KilnStream *st)
{
    qemu_bh_schedule(st->eng->bh);
}

void kiln_qman_kick_all(KilnState *s)
{
    for (unsigned e = 0; e < KILN_NUM_DMA_ENGINES; e++) {
        qemu_bh_schedule(s->eng[e].bh);
    }
}

/* Stop the stream: error (event + ERR_* registers) or a STOP packet. */
void kiln_stream_stop(KilnStream *st, uint32_t cause, uint64_t addr, uint32_t opcode)
{
    KilnState *s = st->eng->s;
    KilnExecBuf *b = &st->lvl[st->depth];
    struct kiln_ev_qman_err ev = {
        .stream = st->idx,
        .cause = cause,
        .pq_index = st->ci,
        .cb_offset = st->in_cb ? b->off : 0,
        .addr = addr,
        .opcode = opcode,
    };

    st->failed_cb = st->in_cb || cause == KILN_QM_ERR_PQ_FETCH ||
                    cause == KILN_QM_ERR_CB_FETCH || cause == KILN_QM_ERR_CB_SIZE;
    trace_kiln_qm_stop(st->eng->idx, st->idx, cause, ev.cb_offset, addr);
    st->err_cause = cause;
    st->err_pq_index = st->ci;
    st->err_cb_offset = ev.cb_offset;
    st->err_addr = addr;
    kiln_stream_free_exec(st);
    st->status |= KILN_QM_STS_STOPPED;
    if (cause != KILN_QM_ERR_STOP_PACKET) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "kiln: DMA%u stream %u stopped: cause %u pq %u offset %u addr 0x%" PRIx64
                      "\n", st->eng->idx, st->idx, cause, ev.pq_index, ev.cb_offset, addr);
        kiln_eq_post(s, KILN_EVENT_DMA_QM(st->eng->idx), &ev, sizeof(ev));
    }
}

/* Map a memory access failure to a stop cause. */
uint32_t kiln_qm_mem_cause(KilnMemResult r, uint32_t otherwise)
{
    switch (r) {
    case KILN_MEM_BUS_MASTER:
        return KILN_QM_ERR_BUS_MASTER;
    case KILN_MEM_INJECTED:
        return KILN_QM_ERR_DMA_INJECTED;
    default:
        return otherwise;
    }
}

static bool kiln_stream_runnable(KilnStream *st)
{
    KilnState *s = st->eng->s;

    return (st->cfg & KILN_QM_CFG_ENABLE) && !(st->status & KILN_QM_STS_STOPPED) &&
           !(s->f.queue_hang & (1u << st->qid)) && !s->f.device_gone &&
           !(st->status & KILN_QM_STS_TIMER_WAIT) && (st->in_cb || st->ci != st->pi);
}

/* Fetch the BD at CI and its CB. */
static bool kiln_stream_fetch(KilnStream *st)
{
    KilnState *s = st->eng->s;
    struct kiln_bd bd;
    uint64_t addr;
    KilnMemResult r;
    uint8_t *cb;

    if (!ring_size_ok(st->pq_size) || (st->pq_base & (sizeof(bd) - 1))) {
        kiln_stream_stop(st, KILN_QM_ERR_RING_CONFIG, st->pq_base, 0);
        return false;
    }
    addr = st->pq_base + (uint64_t)kiln_ring_slot(st->ci, st->pq_size) * sizeof(bd);
    r = kiln_mem_read(s, addr, &bd, sizeof(bd));
    if (r != KILN_MEM_OK) {
        kiln_stream_stop(st, kiln_qm_mem_cause(r, KILN_QM_ERR_PQ_FETCH), addr, 0);
        return false;
    }
    bd.ptr = le64_to_cpu(bd.ptr);
    bd.len = le32_to_cpu(bd.len);
    bd.ctl = le32_to_cpu(bd.ctl);
    if (bd.len == 0 || bd.len % KILN_PKT_SIZE_SHORT || bd.len > KILN_QM_CB_MAX_SIZE) {
        kiln_stream_stop(st, KILN_QM_ERR_CB_SIZE, bd.ptr, 0);
        return false;
    }
    cb = g_malloc(bd.len);
    r = kiln_mem_read(s, bd.ptr, cb, bd.len);
    if (r != KILN_MEM_OK) {
        g_free(cb);
        kiln_stream_stop(st, kiln_qm_mem_cause(r, KILN_QM_ERR_CB_FETCH), bd.ptr, 0);
        return false;
    }
    trace_kiln_qm_cb(st->eng->idx, st->idx, st->ci, bd.ptr, bd.len);
    st->lvl[0] = (KilnExecBuf) { .data = cb, .len = bd.len, .addr = bd.ptr };
    st->depth = 0;
    st->in_cb = true;
    st->cur_shadow = KILN_FIELD_GET(KILN_BD_CTL_SHADOW_INDEX, bd.ctl);
    st->status |= KILN_QM_STS_BUSY;
    return true;
}

/* The CB at CI is done: CQ entry, CI advance, CQ interrupt. */
static void kiln_stream_complete(KilnStream *st)
{
    KilnState *s = st->eng->s;
    bool stop = st->stop_after_cb;
    uint32_t shadow = st->cur_shadow;

    /* the PQ may have been reprogrammed while the CB ran */
    if (!ring_size_ok(st->pq_size)) {
        kiln_stream_stop(st, KILN_QM_ERR_RING_CONFIG, st->pq_base, 0);
        return;
    }
    /* a CQ failure stops the stream with this CB as the failed one (in_cb still set) */
    if (st->cfg & KILN_QM_CFG_CQ_ENABLE) {
        uint32_t entry = KILN_CQ_ENTRY_READY | KILN_CQ_ENTRY_SHADOW_VALID |
                         KILN_FIELD_PREP(KILN_CQ_ENTRY_SHADOW_INDEX, shadow);
        uint64_t addr;
        uint8_t le[KILN_CQ_ENTRY_SIZE];
        KilnMemResult r;

        if (!ring_size_ok(st->cq_size) || (st->cq_base & (KILN_CQ_ENTRY_SIZE - 1))) {
            kiln_stream_stop(st, KILN_QM_ERR_RING_CONFIG, st->cq_base, 0);
            return;
        }
        if (s->f.bad_cq_index & (1u << st->qid)) {
            entry = (entry & ~KILN_CQ_ENTRY_SHADOW_INDEX) |
                    KILN_FIELD_PREP(KILN_CQ_ENTRY_SHADOW_INDEX, shadow + 1);
        }
        if (s->f.bad_cq_ready & (1u << st->qid)) {
            entry &= ~KILN_CQ_ENTRY_READY;
        }
        addr = st->cq_base + (uint64_t)st->cq_pi * KILN_CQ_ENTRY_SIZE;
        stl_le_p(le, entry);
        r = kiln_mem_write(s, addr, le, sizeof(le));
        if (r != KILN_MEM_OK) {
            kiln_stream_stop(st, kiln_qm_mem_cause(r, KILN_QM_ERR_CQ_WRITE), addr, 0);
            return;
        }
        st->cq_pi = kiln_cring_next(st->cq_pi, st->cq_size);
    }
    kiln_stream_free_exec(st);
    trace_kiln_qm_complete(st->eng->idx, st->idx, st->ci, shadow);
    st->ci = kiln_ring_next(st->ci, st->pq_size);
    st->last_shadow = shadow;
    st->cb_count++;
    if (stop) {
        st->err_cause = KILN_QM_ERR_STOP_PACKET;
        st->status |= KILN_QM_STS_STOPPED;
    }
    if (st->cfg & KILN_QM_CFG_CQ_ENABLE) {
        kiln_irq_raise(s, KILN_VEC_CQ(st->qid));
    }
}

/* Take a new PI (a PQ_PI write, or the shadow doorbell's): 0, or the cause to stop with. */
static uint32_t kiln_stream_take_pi(KilnStream *st, uint32_t val)
{
    if (!ring_size_ok(st->pq_size)) {
        return KILN_QM_ERR_RING_CONFIG;
    }
    if (!kiln_ring_pi_in_range(val, st->pq_size)) {
        return KILN_QM_ERR_PI_RANGE;
    }
    if (!kiln_ring_pi_no_overrun(val, st->ci, st->pq_size)) {
        return KILN_QM_ERR_PQ_OVERRUN;
    }
    st->pi = val;
    return 0;
}

static void kiln_stream_stop_pi(KilnStream *st, uint32_t cause, uint32_t val)
{
    kiln_stream_stop(st, cause, cause == KILN_QM_ERR_RING_CONFIG ? st->pq_base : val, 0);
}

/*
 * The shadow doorbell (docs/device.md section 5): a stream that has consumed every entry it
 * knew of reads the PI the driver published in host memory. Finding nothing new, it writes
 * the PI it stops at to the pair's `event` word, then (ordered after that write) reads `pi`
 * once more: a driver that published after the first read either is seen by the second, or
 * reads `event` after it and rings PQ_PI. True when the stream found work.
 */
static bool kiln_stream_shadow_poll(KilnStream *st)
{
    KilnState *s = st->eng->s;
    uint64_t pi_at = st->shadow + offsetof(struct kiln_qm_shadow, pi);
    uint64_t ev_at = st->shadow + offsetof(struct kiln_qm_shadow, event);
    uint8_t le[4];
    KilnMemResult r;

    if (!st->shadow || st->in_cb || st->ci != st->pi || !(st->cfg & KILN_QM_CFG_ENABLE) ||
        (st->status & KILN_QM_STS_STOPPED) || s->f.device_gone ||
        (s->f.queue_hang & (1u << st->qid))) {
        return false;
    }
    if (st->shadow & (KILN_QM_SHADOW_ALIGN - 1)) {
        kiln_stream_stop(st, KILN_QM_ERR_RING_CONFIG, st->shadow, 0);
        return false;
    }
    for (int pass = 0; pass < 2; pass++) {
        uint32_t val, cause;

        r = kiln_mem_read(s, pi_at, le, sizeof(le));
        if (r != KILN_MEM_OK) {
            kiln_stream_stop(st, kiln_qm_mem_cause(r, KILN_QM_ERR_SHADOW), pi_at, 0);
            return false;
        }
        val = ldl_le_p(le);
        if (val != st->pi) {
            cause = kiln_stream_take_pi(st, val);
            if (cause) {
                kiln_stream_stop_pi(st, cause, val);
                return false;
            }
            trace_kiln_qm_doorbell(st->eng->idx, st->idx, val, st->ci);
            return true;
        }
        if (pass || (st->event_valid && st->event_at == st->pi)) {
            break;  /* the event word already says where it stopped */
        }
        stl_le_p(le, st->pi);
        r = kiln_mem_write(s, ev_at, le, sizeof(le));
        if (r != KILN_MEM_OK) {
            kiln_stream_stop(st, kiln_qm_mem_cause(r, KILN_QM_ERR_SHADOW), ev_at, 0);
            return false;
        }
        st->event_valid = true;
        st->event_at = st->pi;
        smp_mb();   /* the event write before the second read of pi */
    }
    return false;
}

static bool kiln_stream_has_work(KilnStream *st)
{
    return kiln_stream_runnable(st) || kiln_stream_shadow_poll(st);
}

/* Run one stream for up to `budget` units; true if it still has runnable work. */
static bool kiln_stream_run(KilnStream *st, int budget)
{
    while (kiln_stream_has_work(st)) {
        KilnExecResult r;

        if (budget <= 0) {
            return !(st->status & KILN_QM_STS_FENCE_WAIT);
        }
        if (!st->in_cb && !kiln_stream_fetch(st)) {
            return false;
        }
        r = kiln_exec_step(st, &budget);
        switch (r) {
        case KILN_EXEC_CONTINUE:
            break;
        case KILN_EXEC_CB_DONE:
            kiln_stream_complete(st);
            break;
        case KILN_EXEC_YIELD:
            return kiln_stream_runnable(st);
        case KILN_EXEC_BLOCKED:
        case KILN_EXEC_ABORTED:
            return false;
        }
    }
    return false;
}

#define KILN_ENGINE_BUDGET 64

static void kiln_engine_bh(void *opaque)
{
    KilnEngine *e = opaque;
    bool more = false;

    for (unsigned i = 0; i < KILN_STREAMS_PER_ENGINE; i++) {
        KilnStream *st = &e->st[(e->rr + i) % KILN_STREAMS_PER_ENGINE];

        if (kiln_stream_run(st, KILN_ENGINE_BUDGET)) {
            more = true;
        }
    }
    e->rr = (e->rr + 1) % KILN_STREAMS_PER_ENGINE;
    if (more) {
        qemu_bh_schedule(e->bh);
    }
}

/* A doorbell starts the stream at once, as a QMAN starts fetching the moment its PI moves:
 * up to KILN_DOORBELL_BUDGET units (a packet, or a 64 KiB chunk of a LIN_DMA) run in the
 * doorbell write itself, and what is left goes on in the engine's bottom half with the
 * other streams. Without it every doorbell waited for QEMU's main-loop thread to be woken
 * and scheduled (5-60 us under TCG), a latency silicon does not have (docs/device.md). */
#define KILN_DOORBELL_BUDGET 8

static void kiln_stream_start(KilnStream *st)
{
    if (kiln_stream_run(st, KILN_DOORBELL_BUDGET)) {
        kiln_stream_kick(st);
    }
}

static void kiln_wait_timer(void *opaque)
{
    KilnStream *st = opaque;

    kiln_exec_wait_done(st);
    kiln_stream_kick(st);
}

/* ---- registers ---- */

static void kiln_stream_reset(KilnStream *st, bool keep_config)
{
    kiln_stream_free_exec(st);
    st->gen++;
    if (!keep_config) {
        st->pq_base = 0;
        st->pq_size = 0;
        st->cq_base = 0;
        st->cq_size = 0;
        st->cfg = 0;
        memset(st->msg_base, 0, sizeof(st->msg_base));
        st->wrcomp_addr = 0;
        st->wrcomp_data = 0;
        st->pred = 0;
        memset(st->scalar, 0, sizeof(st->scalar));
        st->shadow = 0;
    }
    st->event_valid = false;
    st->pi = 0;
    st->ci = 0;
    st->cq_pi = 0;
    st->status = 0;
    st->failed_cb = false;
    st->err_cause = 0;
    st->err_pq_index = 0;
    st->err_cb_offset = 0;
    st->err_addr = 0;
    st->last_shadow = 0;
    st->cb_count = 0;
    memset(st->fence, 0, sizeof(st->fence));
}

static uint32_t kiln_stream_read(KilnStream *st, uint32_t off)
{
    switch (off) {
    case KILN_QM_PQ_BASE_LO:
        return (uint32_t)st->pq_base;
    case KILN_QM_PQ_BASE_HI:
        return (uint32_t)(st->pq_base >> 32);
    case KILN_QM_PQ_SIZE:
        return st->pq_size;
    case KILN_QM_PQ_PI:
        return st->pi;
    case KILN_QM_PQ_CI:
        return st->ci;
    case KILN_QM_CQ_BASE_LO:
        return (uint32_t)st->cq_base;
    case KILN_QM_CQ_BASE_HI:
        return (uint32_t)(st->cq_base >> 32);
    case KILN_QM_CQ_SIZE:
        return st->cq_size;
    case KILN_QM_CQ_PI:
        return st->cq_pi;
    case KILN_QM_CFG:
        return st->cfg;
    case KILN_QM_STATUS:
        return st->status;
    case KILN_QM_ERR_CAUSE:
        return st->err_cause;
    case KILN_QM_ERR_PQ_INDEX:
        return st->err_pq_index;
    case KILN_QM_ERR_CB_OFFSET:
        return st->err_cb_offset;
    case KILN_QM_ERR_ADDR_LO:
        return (uint32_t)st->err_addr;
    case KILN_QM_ERR_ADDR_HI:
        return (uint32_t)(st->err_addr >> 32);
    case KILN_QM_CUR_CB_OFFSET:
        return st->in_cb ? st->lvl[0].off : 0;
    case KILN_QM_LAST_SHADOW:
        return st->last_shadow;
    case KILN_QM_CB_COUNT:
        return st->cb_count;
    case KILN_QM_FENCE_CNT(0) ... KILN_QM_FENCE_CNT(KILN_QM_FENCES - 1):
        return st->fence[(off - KILN_QM_FENCE_CNT(0)) / 4];
    case KILN_QM_MSG_BASE_LO(0) ... KILN_QM_MSG_BASE_HI(KILN_QM_MSG_BASES - 1): {
        unsigned n = (off - KILN_QM_MSG_BASE_LO(0)) / 8;
        return (off & 4) ? (uint32_t)(st->msg_base[n] >> 32) : (uint32_t)st->msg_base[n];
    }
    case KILN_QM_WR_COMP_ADDR_LO:
        return (uint32_t)st->wrcomp_addr;
    case KILN_QM_WR_COMP_ADDR_HI:
        return (uint32_t)(st->wrcomp_addr >> 32);
    case KILN_QM_WR_COMP_DATA:
        return st->wrcomp_data;
    case KILN_QM_PRED:
        return st->pred;
    case KILN_QM_SCALAR(0) ... KILN_QM_SCALAR(KILN_QM_SCALARS - 1):
        return st->scalar[(off - KILN_QM_SCALAR(0)) / 4];
    case KILN_QM_PQ_SHADOW_LO:
        return (uint32_t)st->shadow;
    case KILN_QM_PQ_SHADOW_HI:
        return (uint32_t)(st->shadow >> 32);
    default:
        return 0;
    }
}

static void kiln_stream_doorbell(KilnStream *st, uint32_t val)
{
    uint32_t cause;

    trace_kiln_qm_doorbell(st->eng->idx, st->idx, val, st->ci);
    if (st->status & KILN_QM_STS_STOPPED) {
        /* recorded if valid; the stream runs again after CTRL.RESUME */
        if (ring_size_ok(st->pq_size) && kiln_ring_pi_in_range(val, st->pq_size)) {
            st->pi = val;
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: bad PI %u on a stopped stream\n", val);
        }
        return;
    }
    cause = kiln_stream_take_pi(st, val);
    if (cause) {
        kiln_stream_stop_pi(st, cause, val);
        return;
    }
    kiln_stream_start(st);
}

static bool kiln_stream_write(KilnStream *st, uint32_t off, uint32_t val)
{
    switch (off) {
    case KILN_QM_PQ_BASE_LO:
        st->pq_base = deposit64(st->pq_base, 0, 32, val);
        break;
    case KILN_QM_PQ_BASE_HI:
        st->pq_base = deposit64(st->pq_base, 32, 32, val);
        break;
    case KILN_QM_PQ_SIZE:
        st->pq_size = val;
        break;
    case KILN_QM_PQ_PI:
        kiln_stream_doorbell(st, val);
        break;
    case KILN_QM_CQ_BASE_LO:
        st->cq_base = deposit64(st->cq_base, 0, 32, val);
        break;
    case KILN_QM_CQ_BASE_HI:
        st->cq_base = deposit64(st->cq_base, 32, 32, val);
        break;
    case KILN_QM_CQ_SIZE:
        st->cq_size = val;
        st->cq_pi = 0;
        break;
    case KILN_QM_CFG:
        st->cfg = val & (KILN_QM_CFG_ENABLE | KILN_QM_CFG_CQ_ENABLE);
        kiln_stream_kick(st);
        break;
    case KILN_QM_CTRL:
        if (val & KILN_QM_CTRL_RESET) {
            kiln_stream_reset(st, true);
        } else if ((val & KILN_QM_CTRL_RESUME) && (st->status & KILN_QM_STS_STOPPED)) {
            if (st->failed_cb && st->pq_size && st->ci != st->pi) {
                st->ci = kiln_ring_next(st->ci, st->pq_size); /* skip the failed CB */
            }
            st->status &= ~KILN_QM_STS_STOPPED;
            st->err_cause = 0;
            st->failed_cb = false;
            kiln_stream_kick(st);
        }
        break;
    case KILN_QM_FENCE_CNT(0) ... KILN_QM_FENCE_CNT(KILN_QM_FENCES - 1):
        st->fence[(off - KILN_QM_FENCE_CNT(0)) / 4] += val;
        kiln_stream_kick(st);
        break;
    case KILN_QM_MSG_BASE_LO(0) ... KILN_QM_MSG_BASE_HI(KILN_QM_MSG_BASES - 1): {
        unsigned n = (off - KILN_QM_MSG_BASE_LO(0)) / 8;
        st->msg_base[n] = deposit64(st->msg_base[n], (off & 4) ? 32 : 0, 32, val);
        break;
    }
    case KILN_QM_WR_COMP_ADDR_LO:
        st->wrcomp_addr = deposit64(st->wrcomp_addr, 0, 32, val);
        break;
    case KILN_QM_WR_COMP_ADDR_HI:
        st->wrcomp_addr = deposit64(st->wrcomp_addr, 32, 32, val);
        break;
    case KILN_QM_WR_COMP_DATA:
        st->wrcomp_data = val;
        break;
    case KILN_QM_PRED:
        st->pred = val;
        break;
    case KILN_QM_SCALAR(0) ... KILN_QM_SCALAR(KILN_QM_SCALARS - 1):
        st->scalar[(off - KILN_QM_SCALAR(0)) / 4] = val;
        break;
    case KILN_QM_PQ_SHADOW_LO:
        st->shadow = deposit64(st->shadow, 0, 32, val);
        st->event_valid = false;
        break;
    case KILN_QM_PQ_SHADOW_HI:
        st->shadow = deposit64(st->shadow, 32, 32, val);
        st->event_valid = false;
        break;
    case KILN_QM_PQ_CI:
    case KILN_QM_CQ_PI:
    case KILN_QM_STATUS:
    case KILN_QM_ERR_CAUSE ... KILN_QM_ERR_ADDR_HI:
    case KILN_QM_CUR_CB_OFFSET ... KILN_QM_CB_COUNT:
        break; /* read-only */
    default:
        return false;
    }
    return true;
}

uint32_t kiln_qman_read(KilnState *s, unsigned eng, uint32_t off)
{
    KilnEngine *e = &s->eng[eng];

    if (off < KILN_QM_STREAM(KILN_STREAMS_PER_ENGINE)) {
        return kiln_stream_read(&e->st[off / KILN_QM_STREAM(1)], off % KILN_QM_STREAM(1));
    }
    switch (off) {
    case KILN_QM_ENG_STATUS: {
        uint32_t v = 0;

        for (unsigned i = 0; i < KILN_STREAMS_PER_ENGINE; i++) {
            KilnStream *st = &e->st[i];
            if (st->in_cb || (st->ci != st->pi && !(st->status & KILN_QM_STS_STOPPED))) {
                v |= 1u << i;
            }
        }
        return v;
    }
    case KILN_QM_ENG_DMA_BYTES_LO:
        return (uint32_t)e->dma_bytes;
    case KILN_QM_ENG_DMA_BYTES_HI:
        return (uint32_t)(e->dma_bytes >> 32);
    default:
        return 0;
    }
}

bool kiln_qman_write(KilnState *s, unsigned eng, uint32_t off, uint32_t val)
{
    KilnEngine *e = &s->eng[eng];

    if (off < KILN_QM_STREAM(KILN_STREAMS_PER_ENGINE)) {
        return kiln_stream_write(&e->st[off / KILN_QM_STREAM(1)], off % KILN_QM_STREAM(1),
                                 val);
    }
    return off == KILN_QM_ENG_STATUS || off == KILN_QM_ENG_DMA_BYTES_LO ||
           off == KILN_QM_ENG_DMA_BYTES_HI; /* read-only registers */
}

void kiln_qman_init(KilnState *s)
{
    for (unsigned i = 0; i < KILN_NUM_DMA_ENGINES; i++) {
        KilnEngine *e = &s->eng[i];

        e->s = s;
        e->idx = i;
        e->bh = qemu_bh_new_guarded(kiln_engine_bh, e, &DEVICE(s)->mem_reentrancy_guard);
        for (unsigned j = 0; j < KILN_STREAMS_PER_ENGINE; j++) {
            KilnStream *st = &e->st[j];

            st->eng = e;
            st->idx = j;
            st->qid = KILN_QUEUE_ID(i, j);
            st->wait_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, kiln_wait_timer, st);
        }
    }
}

void kiln_qman_exit(KilnState *s)
{
    for (unsigned i = 0; i < KILN_NUM_DMA_ENGINES; i++) {
        KilnEngine *e = &s->eng[i];

        for (unsigned j = 0; j < KILN_STREAMS_PER_ENGINE; j++) {
            kiln_stream_free_exec(&e->st[j]);
            if (e->st[j].wait_timer) {
                timer_free(e->st[j].wait_timer);
                e->st[j].wait_timer = NULL;
            }
        }
        if (e->bh) {
            qemu_bh_delete(e->bh);
            e->bh = NULL;
        }
    }
}

void kiln_qman_reset(KilnState *s)
{
    for (unsigned i = 0; i < KILN_NUM_DMA_ENGINES; i++) {
        KilnEngine *e = &s->eng[i];

        if (e->bh) {
            qemu_bh_cancel(e->bh);
        }
        e->rr = 0;
        e->dma_bytes = 0;
        for (unsigned j = 0; j < KILN_STREAMS_PER_ENGINE; j++) {
            kiln_stream_reset(&e->st[j], false);
        }
    }
}
