/*
 * Kiln accelerator device model: QMAN packet executor (Gaudi 1 packet set).
 *
 * One call executes one packet, or one chunk of a LIN_DMA. The model executes every packet
 * to completion before the next, so the EB/RB/MB barrier bits are always satisfied.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "kiln-accel.h"
#include "kiln-qman.h"

#define KILN_DMA_CHUNK      (64 * 1024)
#define KILN_CORRUPT_BLOCK  4096

static uint32_t kiln_pkt_size(uint32_t op, uint32_t w0)
{
    switch (op) {
    case KILN_PKT_WREG_32:
    case KILN_PKT_MSG_SHORT:
    case KILN_PKT_REPEAT:
    case KILN_PKT_FENCE:
    case KILN_PKT_NOP:
    case KILN_PKT_STOP:
    case KILN_PKT_ARB_POINT:
    case KILN_PKT_WAIT:
        return KILN_PKT_SIZE_SHORT;
    case KILN_PKT_WREG_BULK:
        return KILN_PKT_SIZE_SHORT + 8 * MIN(w0, KILN_PKT_WREG_BULK_MAX);
    case KILN_PKT_MSG_LONG:
    case KILN_PKT_MSG_PROT:
    case KILN_PKT_CP_DMA:
    case KILN_PKT_LOAD_AND_EXE:
        return KILN_PKT_SIZE_LONG;
    case KILN_PKT_LIN_DMA:
        return KILN_PKT_SIZE_LIN_DMA;
    default:
        return 0; /* not a Gaudi 1 packet */
    }
}

static KilnExecResult kiln_fail(KilnStream *st, uint32_t cause, uint64_t addr, uint32_t op)
{
    kiln_stream_stop(st, cause, addr, op);
    return KILN_EXEC_ABORTED;
}

/* A message write (value or timestamp) for MSG_LONG / MSG_SHORT / MSG_PROT. */
static KilnMemResult kiln_msg_write(KilnState *s, uint32_t ctl, uint64_t addr, uint32_t value)
{
    uint8_t le[8];

    if (KILN_FIELD_GET(KILN_PKT_MSG_CTL_OP, ctl) == KILN_PKT_MSG_OP_TIMESTAMP) {
        if ((addr & KILN_DEV_WINDOW_MASK) == KILN_DEV_CFG_BASE) {
            return KILN_MEM_NOWHERE;
        }
        stq_le_p(le, kiln_now_ns());
        return kiln_mem_write(s, addr, le, sizeof(le));
    }
    return kiln_mem_write32(s, addr, value);
}

static void kiln_dma_core_event(KilnStream *st, uint32_t cause, uint64_t fault_addr)
{
    struct kiln_ev_dma_core ev = {
        .stream = st->idx,
        .cause = cause,
        .src = st->dma_src,
        .dst = st->dma_dst,
        .fault_addr = fault_addr,
        .tsize = st->dma_tsize,
    };

    kiln_eq_post(st->eng->s, KILN_EVENT_DMA_CORE(st->eng->idx), &ev, sizeof(ev));
}

static KilnExecResult kiln_dma_fail(KilnStream *st, KilnMemResult r, bool src, uint64_t addr)
{
    uint32_t cause = kiln_qm_mem_cause(r, src ? KILN_QM_ERR_DMA_SRC : KILN_QM_ERR_DMA_DST);

    kiln_dma_core_event(st, cause, addr);
    return kiln_fail(st, cause, addr, KILN_PKT_LIN_DMA);
}

/* Flip one bit per 4 KiB block at the dma-corrupt-ppm rate. */
static void kiln_dma_corrupt(KilnState *s, uint8_t *buf, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += KILN_CORRUPT_BLOCK) {
        uint32_t n = MIN(KILN_CORRUPT_BLOCK, len - off);

        if (kiln_chance_ppm(s, s->f.dma_corrupt_ppm)) {
            uint32_t bit = kiln_rand32(s) % (n * 8);
            buf[off + bit / 8] ^= 1u << (bit % 8);
        }
    }
}

/* One chunk of the LIN_DMA in flight. */
static KilnExecResult kiln_exec_dma(KilnStream *st, int *budget)
{
    KilnEngine *e = st->eng;
    KilnState *s = e->s;
    uint32_t n = MIN(KILN_DMA_CHUNK, st->dma_tsize - st->dma_done);
    KilnMemResult r;

    (*budget)--;
    if (n) {
        if (st->dma_ctl & KILN_PKT_LIN_DMA_CTL_MEMSET) {
            for (uint32_t i = 0; i < n; i++) {
                e->bounce[i] = (uint8_t)(st->dma_src >> (8 * ((st->dma_done + i) % 8)));
            }
        } else {
            r = kiln_mem_read(s, st->dma_src + st->dma_done, e->bounce, n);
            if (r != KILN_MEM_OK) {
                return kiln_dma_fail(st, r, true, st->dma_src + st->dma_done);
            }
        }
        kiln_dma_corrupt(s, e->bounce, n);
        r = kiln_mem_write(s, st->dma_dst + st->dma_done, e->bounce, n);
        if (r != KILN_MEM_OK) {
            return kiln_dma_fail(st, r, false, st->dma_dst + st->dma_done);
        }
        st->dma_done += n;
        e->dma_bytes += n;
    }
    if (st->dma_done < st->dma_tsize) {
        return KILN_EXEC_CONTINUE;
    }
    st->dma_active = false;
    if (st->dma_ctl & KILN_PKT_LIN_DMA_CTL_WRCOMP) {
        uint32_t gen = st->gen;

        r = kiln_mem_write32(s, st->wrcomp_addr, st->wrcomp_data);
        if (st->gen != gen) {
            return KILN_EXEC_ABORTED;
        }
        if (r != KILN_MEM_OK) {
            return kiln_fail(st, kiln_qm_mem_cause(r, KILN_QM_ERR_MSG_ADDR), st->wrcomp_addr,
                             KILN_PKT_LIN_DMA);
        }
    }
    st->lvl[st->depth].off += KILN_PKT_SIZE_LIN_DMA;
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_lin_dma(KilnStream *st, uint32_t tsize, uint32_t ctl,
                                        uint64_t src, uint64_t dst)
{
    KilnState *s = st->eng->s;
    KilnMemResult r;

    if (!(ctl & KILN_PKT_LIN_DMA_CTL_LIN)) {
        return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, KILN_PKT_LIN_DMA);
    }
    st->dma_src = src;
    st->dma_dst = dst & KILN_PKT_LIN_DMA_DST_ADDR;
    st->dma_tsize = tsize;
    st->dma_done = 0;
    st->dma_ctl = ctl;
    /* whole ranges first: absurd sizes and addresses in no window fault before any write */
    if (!(ctl & KILN_PKT_LIN_DMA_CTL_MEMSET)) {
        r = kiln_mem_check(s, st->dma_src, tsize);
        if (r != KILN_MEM_OK && r != KILN_MEM_INJECTED) {
            return kiln_dma_fail(st, r, true, st->dma_src);
        }
    }
    r = kiln_mem_check(s, st->dma_dst, tsize);
    if (r != KILN_MEM_OK && r != KILN_MEM_INJECTED) {
        return kiln_dma_fail(st, r, false, st->dma_dst);
    }
    st->dma_active = true;
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_repeat(KilnStream *st, KilnExecBuf *b, uint32_t cfg)
{
    if (cfg & KILN_PKT_REPEAT_CFG_END) {
        if (!b->rep_active) {
            return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, KILN_PKT_REPEAT);
        }
        if (--b->rep_left > 0) {
            b->off = b->rep_start;
        } else {
            b->rep_active = false;
            b->off += KILN_PKT_SIZE_SHORT;
        }
        return KILN_EXEC_CONTINUE;
    }
    if (b->rep_active) {
        return kiln_fail(st, KILN_QM_ERR_NESTING, 0, KILN_PKT_REPEAT);
    }
    if (KILN_FIELD_GET(KILN_PKT_REPEAT_CFG_COUNT, cfg) == 0 ||
        (cfg & ~(KILN_PKT_REPEAT_CFG_COUNT | KILN_PKT_REPEAT_CFG_END))) {
        return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, KILN_PKT_REPEAT);
    }
    b->rep_active = true;
    b->rep_left = KILN_FIELD_GET(KILN_PKT_REPEAT_CFG_COUNT, cfg);
    b->off += KILN_PKT_SIZE_SHORT;
    b->rep_start = b->off;
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_fence(KilnStream *st, KilnExecBuf *b, uint32_t cfg,
                                      uint32_t ctl)
{
    uint32_t pred = KILN_FIELD_GET(KILN_PKT_FENCE_CTL_PRED, ctl);
    uint32_t id = KILN_FIELD_GET(KILN_PKT_FENCE_CFG_ID, cfg);
    uint32_t target = KILN_FIELD_GET(KILN_PKT_FENCE_CFG_TARGET, cfg);
    uint32_t dec = KILN_FIELD_GET(KILN_PKT_FENCE_CFG_DEC_VAL, cfg);

    if (pred && !(st->pred & (1u << pred))) {
        b->off += KILN_PKT_SIZE_SHORT;  /* predicated off */
        return KILN_EXEC_CONTINUE;
    }
    if (st->fence[id] < target) {
        st->status |= KILN_QM_STS_FENCE_WAIT;
        st->status = (st->status & ~KILN_QM_STS_FENCE_ID) |
                     KILN_FIELD_PREP(KILN_QM_STS_FENCE_ID, id);
        return KILN_EXEC_BLOCKED;
    }
    st->fence[id] -= MIN(dec, st->fence[id]);
    st->status &= ~(KILN_QM_STS_FENCE_WAIT | KILN_QM_STS_FENCE_ID);
    b->off += KILN_PKT_SIZE_SHORT;
    return KILN_EXEC_CONTINUE;
}

void kiln_exec_wait_done(KilnStream *st)
{
    KilnExecBuf *b = &st->lvl[st->depth];
    uint32_t cfg;

    if (!(st->status & KILN_QM_STS_TIMER_WAIT) || !st->in_cb) {
        return;
    }
    cfg = ldl_le_p(b->data + b->off);
    st->status &= ~KILN_QM_STS_TIMER_WAIT;
    st->fence[KILN_FIELD_GET(KILN_PKT_WAIT_CFG_ID, cfg)] +=
        KILN_FIELD_GET(KILN_PKT_WAIT_CFG_INC, cfg);
    b->off += KILN_PKT_SIZE_SHORT;
}

static KilnExecResult kiln_exec_wait(KilnStream *st, uint32_t cfg)
{
    uint32_t cycles = KILN_FIELD_GET(KILN_PKT_WAIT_CFG_CYCLES, cfg);

    st->status |= KILN_QM_STS_TIMER_WAIT;
    if (cycles == 0) {
        kiln_exec_wait_done(st);
        return KILN_EXEC_CONTINUE;
    }
    /* 1 GHz device clock: one cycle is one nanosecond of virtual time */
    timer_mod(st->wait_timer, kiln_now_ns() + cycles);
    return KILN_EXEC_BLOCKED;
}

static KilnExecResult kiln_exec_cp_dma(KilnStream *st, KilnExecBuf *b, uint32_t tsize,
                                       uint64_t src)
{
    KilnState *s = st->eng->s;
    KilnMemResult r;
    uint8_t *buf;

    if (st->depth > 0) {
        return kiln_fail(st, KILN_QM_ERR_NESTING, src, KILN_PKT_CP_DMA);
    }
    if (tsize == 0 || tsize % KILN_PKT_SIZE_SHORT || tsize > KILN_QM_CB_MAX_SIZE) {
        return kiln_fail(st, KILN_QM_ERR_CB_SIZE, src, KILN_PKT_CP_DMA);
    }
    buf = g_malloc(tsize);
    r = kiln_mem_read(s, src, buf, tsize);
    if (r != KILN_MEM_OK) {
        g_free(buf);
        return kiln_fail(st, kiln_qm_mem_cause(r, KILN_QM_ERR_CB_FETCH), src, KILN_PKT_CP_DMA);
    }
    b->off += KILN_PKT_SIZE_LONG;
    st->lvl[1] = (KilnExecBuf) { .data = buf, .len = tsize, .addr = src };
    st->depth = 1;
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_load(KilnStream *st, KilnExecBuf *b, uint32_t cfg,
                                     uint64_t src)
{
    KilnState *s = st->eng->s;
    uint8_t buf[4 * KILN_QM_SCALARS];
    bool scalars = cfg & KILN_PKT_LOAD_AND_EXE_CFG_DST;
    uint32_t n = scalars ? sizeof(buf) : 4;
    KilnMemResult r;

    if (cfg & ~KILN_PKT_LOAD_AND_EXE_CFG_DST) {
        return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, KILN_PKT_LOAD_AND_EXE);
    }
    r = kiln_mem_read(s, src, buf, n);
    if (r != KILN_MEM_OK) {
        return kiln_fail(st, kiln_qm_mem_cause(r, KILN_QM_ERR_DMA_SRC), src,
                         KILN_PKT_LOAD_AND_EXE);
    }
    if (scalars) {
        for (unsigned i = 0; i < KILN_QM_SCALARS; i++) {
            st->scalar[i] = ldl_le_p(buf + 4 * i);
        }
    } else {
        st->pred = ldl_le_p(buf);
    }
    b->off += KILN_PKT_SIZE_LONG;
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_wreg(KilnStream *st, KilnExecBuf *b, uint32_t op,
                                     const uint8_t *p, uint32_t w0, uint32_t ctl)
{
    KilnState *s = st->eng->s;
    uint32_t reg = KILN_FIELD_GET(KILN_PKT_WREG_CTL_REG, ctl);
    uint32_t count = op == KILN_PKT_WREG_32 ? 1 : 2 * w0;
    uint32_t size = op == KILN_PKT_WREG_32 ? KILN_PKT_SIZE_SHORT : KILN_PKT_SIZE_SHORT + 8 * w0;
    uint32_t gen = st->gen;
    g_autofree uint32_t *vals = NULL;

    if (op == KILN_PKT_WREG_BULK && (w0 == 0 || w0 > KILN_PKT_WREG_BULK_MAX)) {
        return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, op);
    }
    if ((reg & 3) || reg >= KILN_BLK_SIZE || count * 4 > KILN_BLK_SIZE - reg) {
        return kiln_fail(st, KILN_QM_ERR_REG_OFFSET, reg, op);
    }
    /* copy the values out: a register write may reset this stream and free the CB */
    vals = g_new(uint32_t, count);
    for (uint32_t i = 0; i < count; i++) {
        vals[i] = op == KILN_PKT_WREG_32 ? w0 : (uint32_t)ldl_le_p(p + KILN_PKT_SIZE_SHORT + 4 * i);
    }
    b->off += size;
    for (uint32_t i = 0; i < count; i++) {
        bool ok = kiln_qman_write(s, st->eng->idx, reg + 4 * i, vals[i]);

        if (st->gen != gen) {
            return KILN_EXEC_ABORTED;
        }
        if (!ok) {
            b->off -= size;
            return kiln_fail(st, KILN_QM_ERR_REG_OFFSET, reg + 4 * i, op);
        }
    }
    return KILN_EXEC_CONTINUE;
}

static KilnExecResult kiln_exec_msg(KilnStream *st, KilnExecBuf *b, uint32_t op, uint32_t w0,
                                    uint32_t ctl, uint64_t addr, uint32_t size)
{
    KilnState *s = st->eng->s;
    uint32_t gen = st->gen;
    uint32_t mop = KILN_FIELD_GET(KILN_PKT_MSG_CTL_OP, ctl);
    KilnMemResult r;

    if (mop != KILN_PKT_MSG_OP_WRITE && mop != KILN_PKT_MSG_OP_TIMESTAMP) {
        return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, addr, op);
    }
    if (op == KILN_PKT_MSG_PROT && addr >= KILN_DEV_HOST_LIMIT) {
        return kiln_fail(st, KILN_QM_ERR_MSG_ADDR, addr, op); /* host memory only */
    }
    b->off += size;
    r = kiln_msg_write(s, ctl, addr, w0);
    if (st->gen != gen) {
        return KILN_EXEC_ABORTED;
    }
    if (r != KILN_MEM_OK) {
        b->off -= size;
        return kiln_fail(st, kiln_qm_mem_cause(r, KILN_QM_ERR_MSG_ADDR), addr, op);
    }
    return KILN_EXEC_CONTINUE;
}

KilnExecResult kiln_exec_step(KilnStream *st, int *budget)
{
    KilnExecBuf *b = &st->lvl[st->depth];
    const uint8_t *p;
    uint32_t w0, ctl, op, size;

    if (st->dma_active) {
        return kiln_exec_dma(st, budget);
    }
    if (b->off >= b->len) {
        if (b->rep_active) {
            return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, KILN_PKT_REPEAT); /* no END */
        }
        if (st->depth > 0) {
            g_free(b->data);
            memset(b, 0, sizeof(*b));
            st->depth--;
            return KILN_EXEC_CONTINUE;
        }
        return KILN_EXEC_CB_DONE;
    }
    if (b->len - b->off < KILN_PKT_SIZE_SHORT) {
        return kiln_fail(st, KILN_QM_ERR_CB_TRUNCATED, b->addr + b->off, 0);
    }
    p = b->data + b->off;
    w0 = ldl_le_p(p);
    ctl = ldl_le_p(p + 4);
    op = KILN_FIELD_GET(KILN_PKT_CTL_OPCODE, ctl);
    size = kiln_pkt_size(op, w0);
    if (size == 0) {
        return kiln_fail(st, KILN_QM_ERR_BAD_OPCODE, b->addr + b->off, op);
    }
    if (b->len - b->off < size) {
        return kiln_fail(st, KILN_QM_ERR_CB_TRUNCATED, b->addr + b->off, op);
    }
    (*budget)--;

    switch (op) {
    case KILN_PKT_WREG_32:
    case KILN_PKT_WREG_BULK:
        return kiln_exec_wreg(st, b, op, p, w0, ctl);
    case KILN_PKT_MSG_LONG:
    case KILN_PKT_MSG_PROT:
        return kiln_exec_msg(st, b, op, w0, ctl, ldq_le_p(p + 8), size);
    case KILN_PKT_MSG_SHORT: {
        uint32_t base = KILN_FIELD_GET(KILN_PKT_SHORT_CTL_BASE, ctl);
        uint64_t addr = st->msg_base[base] + KILN_FIELD_GET(KILN_PKT_SHORT_CTL_ADDR, ctl);
        return kiln_exec_msg(st, b, op, w0, ctl, addr, size);
    }
    case KILN_PKT_CP_DMA:
        return kiln_exec_cp_dma(st, b, w0, ldq_le_p(p + 8));
    case KILN_PKT_REPEAT:
        return kiln_exec_repeat(st, b, w0);
    case KILN_PKT_FENCE:
        return kiln_exec_fence(st, b, w0, ctl);
    case KILN_PKT_LIN_DMA:
        return kiln_exec_lin_dma(st, w0, ctl, ldq_le_p(p + 8), ldq_le_p(p + 16));
    case KILN_PKT_NOP:
        b->off += size;
        return KILN_EXEC_CONTINUE;
    case KILN_PKT_STOP:
        b->off += size;
        st->stop_after_cb = true;
        return KILN_EXEC_CB_DONE;
    case KILN_PKT_ARB_POINT:
        if (w0 != 0) {
            return kiln_fail(st, KILN_QM_ERR_BAD_FIELD, 0, op);
        }
        b->off += size;
        return KILN_EXEC_YIELD;
    case KILN_PKT_WAIT:
        return kiln_exec_wait(st, w0);
    case KILN_PKT_LOAD_AND_EXE:
        return kiln_exec_load(st, b, w0, ldq_le_p(p + 8));
    default:
        return kiln_fail(st, KILN_QM_ERR_BAD_OPCODE, b->addr + b->off, op);
    }
}
