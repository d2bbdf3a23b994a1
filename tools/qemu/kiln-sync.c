/*
 * Kiln accelerator device model: sync manager. 15-bit sync objects (SOBs) set or
 * incremented by messages; monitors that watch a group of 8 SOBs and write a payload when
 * the condition holds (to host memory, to a QMAN fence counter, anywhere in the device
 * address space), optionally raising the SM interrupt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "kiln-accel.h"
#include "trace.h"

static void kiln_sm_error(KilnState *s, uint32_t cause, uint32_t index, uint64_t addr)
{
    struct kiln_ev_sm_err ev = { .cause = cause, .monitor = index, .addr = addr };

    qemu_log_mask(LOG_GUEST_ERROR, "kiln: sync manager error %u (index %u)\n", cause, index);
    s->sm_err_cause = cause;
    s->sm_err_info = index;
    kiln_eq_post(s, KILN_EVENT_SM_ERR, &ev, sizeof(ev));
}

static bool kiln_mon_condition(KilnState *s, KilnMonitor *m)
{
    uint32_t gid = KILN_FIELD_GET(KILN_SM_MON_ARM_GID, m->arm);
    uint32_t mask = KILN_FIELD_GET(KILN_SM_MON_ARM_MASK, m->arm);
    uint32_t target = KILN_FIELD_GET(KILN_SM_MON_ARM_VAL, m->arm);
    bool eq = KILN_FIELD_GET(KILN_SM_MON_ARM_MODE, m->arm) == KILN_SM_MON_MODE_EQ;

    for (unsigned k = 0; k < KILN_SM_SOBS_PER_GROUP; k++) {
        uint32_t v;

        if (mask & (1u << k)) {
            continue;
        }
        v = s->sob[gid * KILN_SM_SOBS_PER_GROUP + k];
        if (eq ? v != target : v < target) {
            return false;
        }
    }
    return true;
}

static void kiln_mon_fire(KilnState *s, unsigned idx)
{
    KilnMonitor *m = &s->mon[idx];
    KilnMemResult r;

    m->status = KILN_SM_MON_STS_FIRED;
    s->sm_fire_count++;
    trace_kiln_sm_fire(idx, m->pay_data, m->pay_addr);
    if (s->sm_chain >= KILN_SM_MAX_CHAIN) {
        kiln_sm_error(s, KILN_SM_ERR_RECURSION, idx, m->pay_addr);
        return;
    }
    s->sm_chain++;
    r = kiln_mem_write32(s, m->pay_addr, m->pay_data);
    s->sm_chain--;
    if (r != KILN_MEM_OK) {
        kiln_sm_error(s, KILN_SM_ERR_PAYLOAD, idx, m->pay_addr);
    }
    if (m->cfg & KILN_SM_MON_CFG_IRQ) {
        kiln_irq_raise(s, KILN_VEC_SM);
    }
}

/* Evaluate the armed monitors watching SOB group gid (or every group if gid < 0). */
static void kiln_sm_evaluate(KilnState *s, int gid)
{
    for (unsigned i = 0; i < KILN_SM_NUM_MONITORS; i++) {
        KilnMonitor *m = &s->mon[i];

        if (!(m->status & KILN_SM_MON_STS_ARMED)) {
            continue;
        }
        if (gid >= 0 && KILN_FIELD_GET(KILN_SM_MON_ARM_GID, m->arm) != (uint32_t)gid) {
            continue;
        }
        if (kiln_mon_condition(s, m)) {
            kiln_mon_fire(s, i);
        }
    }
}

static bool kiln_sob_stalled(KilnState *s, unsigned idx)
{
    return s->f.sync_stall_sob == KILN_SYNC_STALL_ALL ||
           (s->f.sync_stall_sob >= 0 && s->f.sync_stall_sob == idx);
}

static void kiln_sob_write(KilnState *s, unsigned idx, uint32_t val)
{
    uint32_t v = KILN_FIELD_GET(KILN_SM_SOB_VAL, val);

    if (val & KILN_SM_SOB_MOD_ADD) {
        if (kiln_sob_stalled(s, idx)) {
            return; /* fault knob sync-stall-sob: the increment is lost */
        }
        s->sob[idx] = (s->sob[idx] + v) & KILN_SM_SOB_VAL;
    } else {
        s->sob[idx] = v;
    }
    kiln_sm_evaluate(s, idx / KILN_SM_SOBS_PER_GROUP);
}

static void kiln_mon_arm(KilnState *s, unsigned idx, uint32_t val)
{
    KilnMonitor *m = &s->mon[idx];
    uint32_t gid = KILN_FIELD_GET(KILN_SM_MON_ARM_GID, val);
    uint32_t mask = KILN_FIELD_GET(KILN_SM_MON_ARM_MASK, val);

    m->arm = val;
    m->status = 0;
    if (gid >= KILN_SM_NUM_GROUPS) {
        kiln_sm_error(s, KILN_SM_ERR_BAD_GID, idx, 0);
        return;
    }
    if (mask == 0xff) {
        kiln_sm_error(s, KILN_SM_ERR_ALL_MASKED, idx, 0);
        return;
    }
    m->status = KILN_SM_MON_STS_ARMED;
    if (kiln_mon_condition(s, m)) {
        kiln_mon_fire(s, idx);
    }
}

uint32_t kiln_sm_read(KilnState *s, uint32_t off)
{
    if (off < KILN_SM_SOB(KILN_SM_NUM_SOBS)) {
        return s->sob[off / 4];
    }
    if (off >= KILN_SM_MON(0) && off < KILN_SM_MON(KILN_SM_NUM_MONITORS)) {
        KilnMonitor *m = &s->mon[(off - KILN_SM_MON(0)) / 0x20];

        switch ((off - KILN_SM_MON(0)) % 0x20) {
        case KILN_SM_MON_PAY_ADDR_LO:
            return (uint32_t)m->pay_addr;
        case KILN_SM_MON_PAY_ADDR_HI:
            return (uint32_t)(m->pay_addr >> 32);
        case KILN_SM_MON_PAY_DATA:
            return m->pay_data;
        case KILN_SM_MON_ARM:
            return m->arm;
        case KILN_SM_MON_CFG:
            return m->cfg;
        case KILN_SM_MON_STATUS:
            return m->status;
        default:
            return 0;
        }
    }
    switch (off) {
    case KILN_SM_FIRE_COUNT:
        return s->sm_fire_count;
    case KILN_SM_ERR_CAUSE:
        return s->sm_err_cause;
    case KILN_SM_ERR_INFO:
        return s->sm_err_info;
    default:
        return 0;
    }
}

bool kiln_sm_write(KilnState *s, uint32_t off, uint32_t val)
{
    if (off < KILN_SM_SOB(KILN_SM_NUM_SOBS)) {
        kiln_sob_write(s, off / 4, val);
        return true;
    }
    if (off >= KILN_SM_MON(0) && off < KILN_SM_MON(KILN_SM_NUM_MONITORS)) {
        unsigned idx = (off - KILN_SM_MON(0)) / 0x20;
        KilnMonitor *m = &s->mon[idx];

        switch ((off - KILN_SM_MON(0)) % 0x20) {
        case KILN_SM_MON_PAY_ADDR_LO:
            m->pay_addr = deposit64(m->pay_addr, 0, 32, val);
            return true;
        case KILN_SM_MON_PAY_ADDR_HI:
            m->pay_addr = deposit64(m->pay_addr, 32, 32, val);
            return true;
        case KILN_SM_MON_PAY_DATA:
            m->pay_data = val;
            return true;
        case KILN_SM_MON_ARM:
            kiln_mon_arm(s, idx, val);
            return true;
        case KILN_SM_MON_CFG:
            m->cfg = val & KILN_SM_MON_CFG_IRQ;
            return true;
        default:
            return false;
        }
    }
    return false;
}

void kiln_sm_reset(KilnState *s)
{
    memset(s->sob, 0, sizeof(s->sob));
    memset(s->mon, 0, sizeof(s->mon));
    s->sm_fire_count = 0;
    s->sm_err_cause = 0;
    s->sm_err_info = 0;
    s->sm_chain = 0;
}
