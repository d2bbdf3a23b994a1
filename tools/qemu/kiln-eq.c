/*
 * Kiln accelerator device model: event queue. 64-byte entries in host memory, header ctl
 * with ready bit, event type and sequence index (after the habanalabs struct hl_eq_entry).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "kiln-accel.h"
#include "trace.h"

static bool kiln_eq_ring_ok(KilnState *s)
{
    return KILN_IS_POW2(s->eq_size) && s->eq_size >= KILN_EQ_SIZE_MIN &&
           s->eq_size <= KILN_EQ_SIZE_MAX && !(s->eq_base & (sizeof(struct kiln_eq_entry) - 1));
}

void kiln_eq_post(KilnState *s, uint32_t type, const void *payload, size_t len)
{
    struct kiln_eq_entry e = { 0 };
    uint64_t addr;
    uint32_t ctl;

    if (s->in_reset || s->f.device_gone) {
        return;
    }
    s->event_seq++;
    if (!(s->eq_cfg & KILN_EQ_CFG_ENABLE) || !kiln_eq_ring_ok(s)) {
        trace_kiln_eq_post(type, s->event_seq, 0);
        s->eq_lost++;
        return;
    }
    if (kiln_cring_full(s->eq_pi, s->eq_ci, s->eq_size)) {
        trace_kiln_eq_post(type, s->event_seq, 0);
        s->eq_lost++;
        s->eq_status |= KILN_EQ_STATUS_OVERFLOW;
        return;
    }
    assert(len <= sizeof(e.data));
    memcpy(e.data, payload, len);
    for (unsigned i = 0; i < ARRAY_SIZE(e.data); i++) {
        e.data[i] = cpu_to_le64(e.data[i]);
    }
    ctl = KILN_EQ_CTL_READY | KILN_FIELD_PREP(KILN_EQ_CTL_TYPE, type) |
          KILN_FIELD_PREP(KILN_EQ_CTL_INDEX, s->event_seq);
    addr = s->eq_base + (uint64_t)s->eq_pi * sizeof(e);
    /* payload first, then the header carrying the ready bit */
    if (kiln_mem_write(s, addr + offsetof(struct kiln_eq_entry, data), e.data,
                       sizeof(e.data)) != KILN_MEM_OK) {
        goto fault;
    }
    e.reserved = 0;
    e.ctl = cpu_to_le32(ctl);
    if (kiln_mem_write(s, addr, &e, offsetof(struct kiln_eq_entry, data)) != KILN_MEM_OK) {
        goto fault;
    }
    s->eq_pi = kiln_cring_next(s->eq_pi, s->eq_size);
    trace_kiln_eq_post(type, s->event_seq, 1);
    kiln_irq_raise(s, KILN_VEC_EQ);
    return;
fault:
    qemu_log_mask(LOG_GUEST_ERROR, "kiln: EQ entry write to 0x%" PRIx64 " faulted\n", addr);
    s->eq_lost++;
    s->eq_status |= KILN_EQ_STATUS_DMA_FAULT;
}

uint32_t kiln_eq_read(KilnState *s, uint32_t off)
{
    switch (off) {
    case KILN_EQ_BASE_LO:
        return (uint32_t)s->eq_base;
    case KILN_EQ_BASE_HI:
        return (uint32_t)(s->eq_base >> 32);
    case KILN_EQ_SIZE:
        return s->eq_size;
    case KILN_EQ_CI:
        return s->eq_ci;
    case KILN_EQ_PI:
        return s->eq_pi;
    case KILN_EQ_CFG:
        return s->eq_cfg;
    case KILN_EQ_STATUS:
        return s->eq_status;
    case KILN_EQ_LOST:
        return s->eq_lost;
    default:
        return 0;
    }
}

void kiln_eq_write(KilnState *s, uint32_t off, uint32_t val)
{
    switch (off) {
    case KILN_EQ_BASE_LO:
        s->eq_base = deposit64(s->eq_base, 0, 32, val);
        break;
    case KILN_EQ_BASE_HI:
        s->eq_base = deposit64(s->eq_base, 32, 32, val);
        break;
    case KILN_EQ_SIZE:
        s->eq_size = val;
        s->eq_pi = 0;
        s->eq_ci = 0;
        break;
    case KILN_EQ_CI:
        if (s->eq_size && val >= s->eq_size) {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: EQ CI %u >= size %u\n", val, s->eq_size);
            val %= s->eq_size;
        }
        s->eq_ci = val;
        break;
    case KILN_EQ_CFG:
        s->eq_cfg = val & KILN_EQ_CFG_ENABLE;
        break;
    case KILN_EQ_STATUS:
        s->eq_status &= ~val;
        break;
    default:
        break;
    }
}

void kiln_eq_reset(KilnState *s)
{
    s->eq_base = 0;
    s->eq_size = 0;
    s->eq_ci = 0;
    s->eq_pi = 0;
    s->eq_cfg = 0;
    s->eq_status = 0;
    s->eq_lost = 0;
    s->event_seq = 0;
}
