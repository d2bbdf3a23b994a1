/*
 * Kiln accelerator device model: the core block - identity, capabilities, soft reset,
 * interrupt status, timestamp and the rocker-style self-test hooks (scratch register,
 * interrupt test, DMA test, event test).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "kiln-accel.h"
#include "trace.h"

/* ---- self-test DMA (rocker-style), run from a bottom half ---- */

static void kiln_test_dma_bh(void *opaque)
{
    KilnState *s = opaque;
    uint32_t n = s->test_dma_size;
    g_autofree uint8_t *buf = NULL;
    bool ok = n > 0 && n <= KILN_CORE_TEST_DMA_MAX;

    if (ok) {
        buf = g_malloc0(n);
        switch (s->test_dma_op) {
        case KILN_CORE_TEST_DMA_OP_CLEAR:
            break;
        case KILN_CORE_TEST_DMA_OP_FILL:
            for (uint32_t i = 0; i < n; i++) {
                buf[i] = (uint8_t)(s->test_dma_pattern >> (8 * (i % 4)));
            }
            break;
        case KILN_CORE_TEST_DMA_OP_INVERT:
            ok = kiln_mem_read(s, s->test_dma_addr, buf, n) == KILN_MEM_OK;
            for (uint32_t i = 0; i < n; i++) {
                buf[i] = ~buf[i];
            }
            break;
        default:
            ok = false;
        }
    }
    if (ok) {
        ok = kiln_mem_write(s, s->test_dma_addr, buf, n) == KILN_MEM_OK;
    }
    s->test_dma_status = KILN_CORE_TEST_DMA_STS_DONE |
                         (ok ? 0 : KILN_CORE_TEST_DMA_STS_ERROR);
    kiln_irq_raise(s, KILN_VEC_TEST);
}

void kiln_core_reset(KilnState *s)
{
    s->irq_status = 0;
    s->irq_mask = 0;
    s->scratch = 0;
    s->ts_hi_latch = 0;
    s->test_dma_addr = 0;
    s->test_dma_size = 0;
    s->test_dma_pattern = 0;
    s->test_dma_op = 0;
    s->test_dma_status = 0;
    s->test_events = 0;
    s->pcie_tx_bytes = 0;
    s->pcie_rx_bytes = 0;
    qemu_bh_cancel(s->test_dma_bh);
}

/* ---- core block ---- */

uint32_t kiln_core_read(KilnState *s, uint32_t off)
{
    uint64_t ts;

    switch (off) {
    case KILN_CORE_ID:
        return KILN_CORE_ID_VALUE;
    case KILN_CORE_VERSION:
        return KILN_CORE_VERSION_VALUE;
    case KILN_CORE_CAPS:
        return KILN_FIELD_PREP(KILN_CORE_CAPS_DMA_ENGINES, KILN_NUM_DMA_ENGINES) |
               KILN_FIELD_PREP(KILN_CORE_CAPS_STREAMS, KILN_STREAMS_PER_ENGINE) |
               KILN_FIELD_PREP(KILN_CORE_CAPS_PORTS, s->num_ports) |
               KILN_FIELD_PREP(KILN_CORE_CAPS_MONITORS, KILN_SM_NUM_MONITORS / 4) |
               KILN_FIELD_PREP(KILN_CORE_CAPS_SOBS, KILN_SM_NUM_SOBS / 8);
    case KILN_CORE_HBM_SIZE_LO:
        return (uint32_t)s->hbm_size;
    case KILN_CORE_HBM_SIZE_HI:
        return (uint32_t)(s->hbm_size >> 32);
    case KILN_CORE_SRAM_SIZE:
        return (uint32_t)s->sram_size;
    case KILN_CORE_STATUS:
        return KILN_CORE_STATUS_READY;
    case KILN_CORE_IRQ_STATUS:
        return (uint32_t)s->irq_status;
    case KILN_CORE_IRQ_MASK:
        return (uint32_t)s->irq_mask;
    case KILN_CORE_IRQ_STATUS_HI:
        return (uint32_t)(s->irq_status >> 32);
    case KILN_CORE_IRQ_MASK_HI:
        return (uint32_t)(s->irq_mask >> 32);
    case KILN_CORE_TIMESTAMP_LO:
        ts = kiln_now_ns();
        s->ts_hi_latch = (uint32_t)(ts >> 32);
        return (uint32_t)ts;
    case KILN_CORE_TIMESTAMP_HI:
        return s->ts_hi_latch;
    case KILN_CORE_TEST_SCRATCH:
        return s->scratch;
    case KILN_CORE_TEST_SCRATCH_INV:
        return ~s->scratch;
    case KILN_CORE_TEST_DMA_ADDR_LO:
        return (uint32_t)s->test_dma_addr;
    case KILN_CORE_TEST_DMA_ADDR_HI:
        return (uint32_t)(s->test_dma_addr >> 32);
    case KILN_CORE_TEST_DMA_SIZE:
        return s->test_dma_size;
    case KILN_CORE_TEST_DMA_PATTERN:
        return s->test_dma_pattern;
    case KILN_CORE_TEST_DMA_STATUS:
        return s->test_dma_status;
    default:
        return 0;
    }
}

void kiln_core_write(KilnState *s, uint32_t off, uint32_t val)
{
    switch (off) {
    case KILN_CORE_SOFT_RESET:
        if (val == KILN_CORE_SOFT_RESET_KEY) {
            trace_kiln_soft_reset();
            kiln_blocks_reset(s);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: soft reset with bad key 0x%x\n", val);
        }
        break;
    case KILN_CORE_IRQ_STATUS:
        s->irq_status &= ~(uint64_t)val;
        kiln_update_intx(s);
        break;
    case KILN_CORE_IRQ_MASK:
        s->irq_mask = deposit64(s->irq_mask, 0, 32, val);
        kiln_update_intx(s);
        break;
    case KILN_CORE_IRQ_STATUS_HI:
        s->irq_status &= ~((uint64_t)val << 32);
        kiln_update_intx(s);
        break;
    case KILN_CORE_IRQ_MASK_HI:
        s->irq_mask = deposit64(s->irq_mask, 32, 32, val);
        kiln_update_intx(s);
        break;
    case KILN_CORE_TEST_SCRATCH:
        s->scratch = val;
        break;
    case KILN_CORE_TEST_IRQ:
        if (val < KILN_MSIX_VECTORS) {
            kiln_irq_raise(s, val);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: TEST_IRQ vector %u out of range\n", val);
        }
        break;
    case KILN_CORE_TEST_EVENT: {
        struct kiln_ev_test ev = {
            .magic = KILN_EV_TEST_MAGIC,
            .count = ++s->test_events,
        };
        kiln_eq_post(s, val & KILN_EVENT_MAX, &ev, sizeof(ev));
        break;
    }
    case KILN_CORE_TEST_DMA_ADDR_LO:
        s->test_dma_addr = deposit64(s->test_dma_addr, 0, 32, val);
        break;
    case KILN_CORE_TEST_DMA_ADDR_HI:
        s->test_dma_addr = deposit64(s->test_dma_addr, 32, 32, val);
        break;
    case KILN_CORE_TEST_DMA_SIZE:
        s->test_dma_size = val;
        break;
    case KILN_CORE_TEST_DMA_PATTERN:
        s->test_dma_pattern = val;
        break;
    case KILN_CORE_TEST_DMA_CTRL:
        s->test_dma_op = val;
        s->test_dma_status = 0;
        qemu_bh_schedule(s->test_dma_bh);
        break;
    default:
        break;
    }
}

void kiln_core_init(KilnState *s)
{
    s->test_dma_bh = qemu_bh_new_guarded(kiln_test_dma_bh, s, &DEVICE(s)->mem_reentrancy_guard);
}

void kiln_core_exit(KilnState *s)
{
    if (s->test_dma_bh) {
        qemu_bh_delete(s->test_dma_bh);
        s->test_dma_bh = NULL;
    }
}
