/*
 * Kiln accelerator device model: NIC port registers (MAC, MTU, configuration, rings,
 * counters, control) and port reset. The data path is kiln-nic.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "net/eth.h"
#include "kiln-accel.h"
#include "kiln-nic.h"

uint32_t kiln_nic_read(KilnState *s, unsigned port, uint32_t off)
{
    KilnPort *p = &s->port[port];

    if (off >= KILN_NIC_CNT_TX_FRAMES && off <= KILN_NIC_CNT_RX_FILTERED) {
        return p->cnt[(off - KILN_NIC_CNT_TX_FRAMES) / 4];
    }
    switch (off) {
    case KILN_NIC_MAC_LO:
        return ldl_le_p(p->mac);
    case KILN_NIC_MAC_HI:
        return lduw_le_p(p->mac + 4);
    case KILN_NIC_MTU:
        return p->mtu;
    case KILN_NIC_CFG:
        return p->cfg;
    case KILN_NIC_STATUS:
        return p->status | (p->nic ? KILN_NIC_STS_WIRED : 0);
    case KILN_NIC_ERR_CAUSE:
        return p->err_cause;
    case KILN_NIC_TX_BASE_LO:
        return (uint32_t)p->tx_base;
    case KILN_NIC_TX_BASE_HI:
        return (uint32_t)(p->tx_base >> 32);
    case KILN_NIC_TX_SIZE:
        return p->tx_size;
    case KILN_NIC_TX_PI:
        return p->tx_pi;
    case KILN_NIC_TX_CI:
        return p->tx_ci;
    case KILN_NIC_TX_WB_LO:
        return (uint32_t)p->tx_wb;
    case KILN_NIC_TX_WB_HI:
        return (uint32_t)(p->tx_wb >> 32);
    case KILN_NIC_RX_BASE_LO:
        return (uint32_t)p->rx_base;
    case KILN_NIC_RX_BASE_HI:
        return (uint32_t)(p->rx_base >> 32);
    case KILN_NIC_RX_SIZE:
        return p->rx_size;
    case KILN_NIC_RX_PI:
        return p->rx_pi;
    case KILN_NIC_RX_CI:
        return p->rx_ci;
    case KILN_NIC_RX_BUF_SIZE:
        return p->rx_buf_size;
    case KILN_NIC_RX_WB_LO:
        return (uint32_t)p->rx_wb;
    case KILN_NIC_RX_WB_HI:
        return (uint32_t)(p->rx_wb >> 32);
    default:
        return 0;
    }
}

static bool kiln_nic_pi_ok(KilnPort *p, bool tx, uint32_t size, uint64_t base, uint32_t align,
                           uint32_t ci, uint32_t val)
{
    if (!kiln_nic_ring_ok(size, base, align)) {
        kiln_nic_error(p, tx, KILN_NIC_ERR_RING_CONFIG, ci, base);
        return false;
    }
    if (!kiln_ring_pi_in_range(val, size) || !kiln_ring_pi_no_overrun(val, ci, size)) {
        kiln_nic_error(p, tx, KILN_NIC_ERR_PI_RANGE, ci, val);
        return false;
    }
    return true;
}

static void kiln_nic_port_reset(KilnPort *p)
{
    qemu_bh_cancel(p->tx_bh);
    timer_del(p->flap_timer);
    memcpy(p->mac, p->reset_mac, sizeof(p->mac));
    p->mtu = KILN_NIC_MTU_DEFAULT;
    /* a strapped port (loopback-ports) comes out of reset in MAC loopback */
    p->cfg = (p->s->loopback_ports & (1u << p->idx)) ? KILN_NIC_CFG_LOOPBACK : 0;
    p->status = 0;
    p->err_cause = 0;
    p->tx_base = 0;
    p->tx_wb = 0;
    p->tx_size = 0;
    p->tx_pi = 0;
    p->tx_ci = 0;
    p->rx_base = 0;
    p->rx_wb = 0;
    p->rx_size = 0;
    p->rx_pi = 0;
    p->rx_ci = 0;
    p->rx_buf_size = KILN_NIC_RX_BUF_DEFAULT;
    memset(p->cnt, 0, sizeof(p->cnt));
    p->flapping = false;
    p->tx_blocked = false;
    p->flaps = 0;
    p->link_up = kiln_nic_link(p);
    p->status = p->link_up ? KILN_NIC_STS_LINK_UP : 0;
}

void kiln_nic_write(KilnState *s, unsigned port, uint32_t off, uint32_t val)
{
    KilnPort *p = &s->port[port];

    switch (off) {
    case KILN_NIC_MAC_LO:
        stl_le_p(p->mac, val);
        break;
    case KILN_NIC_MAC_HI:
        stw_le_p(p->mac + 4, val);
        break;
    case KILN_NIC_MTU:
        if (val < KILN_NIC_MTU_MIN || val > KILN_NIC_MTU_MAX) {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: port %u MTU %u out of range\n", port, val);
            break;
        }
        p->mtu = val;
        break;
    case KILN_NIC_CFG:
        p->cfg = val & (KILN_NIC_CFG_TX_EN | KILN_NIC_CFG_RX_EN | KILN_NIC_CFG_LOOPBACK |
                        KILN_NIC_CFG_PROMISC | KILN_NIC_CFG_ALLMULTI);
        kiln_nic_update_link(p, KILN_NIC_LINK_REASON_PEER);
        qemu_bh_schedule(p->tx_bh);
        kiln_nic_rx_posted(p);
        break;
    case KILN_NIC_CTRL:
        if (val & KILN_NIC_CTRL_RESET) {
            uint8_t mac[ETH_ALEN];
            uint32_t mtu = p->mtu, cfg = p->cfg;

            memcpy(mac, p->mac, sizeof(mac));
            kiln_nic_port_reset(p);
            memcpy(p->mac, mac, sizeof(mac));
            p->mtu = mtu;
            p->cfg = cfg;
            kiln_nic_update_link(p, KILN_NIC_LINK_REASON_RESET);
        }
        if (val & KILN_NIC_CTRL_CLEAR_COUNTERS) {
            memset(p->cnt, 0, sizeof(p->cnt));
        }
        if (val & KILN_NIC_CTRL_RESUME) {
            if ((p->status & KILN_NIC_STS_TX_STOPPED) && p->tx_size && p->tx_ci != p->tx_pi &&
                p->err_cause != KILN_NIC_ERR_PI_RANGE && p->err_cause != KILN_NIC_ERR_RING_CONFIG &&
                p->err_cause != KILN_NIC_ERR_TX_WRITE) {
                p->tx_ci = kiln_ring_next(p->tx_ci, p->tx_size);
            }
            p->status &= ~(KILN_NIC_STS_TX_STOPPED | KILN_NIC_STS_RX_STOPPED);
            p->err_cause = 0;
            kiln_nic_tx_wb(p);
            qemu_bh_schedule(p->tx_bh);
            kiln_nic_rx_posted(p);
        }
        break;
    case KILN_NIC_TX_BASE_LO:
        p->tx_base = deposit64(p->tx_base, 0, 32, val);
        break;
    case KILN_NIC_TX_BASE_HI:
        p->tx_base = deposit64(p->tx_base, 32, 32, val);
        break;
    case KILN_NIC_TX_WB_LO:
        p->tx_wb = deposit64(p->tx_wb, 0, 32, val);
        break;
    case KILN_NIC_TX_WB_HI:
        p->tx_wb = deposit64(p->tx_wb, 32, 32, val);
        break;
    case KILN_NIC_TX_SIZE:
        p->tx_size = val;
        p->tx_pi = 0;
        p->tx_ci = 0;
        break;
    case KILN_NIC_TX_PI:
        if (!(p->status & KILN_NIC_STS_TX_STOPPED) &&
            kiln_nic_pi_ok(p, true, p->tx_size, p->tx_base,
                           sizeof(struct kiln_nic_tx_entry), p->tx_ci, val)) {
            p->tx_pi = val;
            kiln_nic_tx_start(p);
        }
        break;
    case KILN_NIC_RX_BASE_LO:
        p->rx_base = deposit64(p->rx_base, 0, 32, val);
        break;
    case KILN_NIC_RX_BASE_HI:
        p->rx_base = deposit64(p->rx_base, 32, 32, val);
        break;
    case KILN_NIC_RX_SIZE:
        p->rx_size = val;
        p->rx_pi = 0;
        p->rx_ci = 0;
        break;
    case KILN_NIC_RX_PI:
        if (!(p->status & KILN_NIC_STS_RX_STOPPED) &&
            kiln_nic_pi_ok(p, false, p->rx_size, p->rx_base,
                           sizeof(struct kiln_nic_rx_entry), p->rx_ci, val)) {
            p->rx_pi = val;
            kiln_nic_rx_posted(p);
        }
        break;
    case KILN_NIC_RX_BUF_SIZE:
        if (val < KILN_NIC_RX_BUF_MIN || val > KILN_NIC_RX_BUF_MAX) {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: port %u RX buffer size %u out of range\n",
                          port, val);
            break;
        }
        p->rx_buf_size = val;
        break;
    case KILN_NIC_RX_WB_LO:
        p->rx_wb = deposit64(p->rx_wb, 0, 32, val);
        break;
    case KILN_NIC_RX_WB_HI:
        p->rx_wb = deposit64(p->rx_wb, 32, 32, val);
        break;
    default:
        break;
    }
}

void kiln_nic_reset(KilnState *s)
{
    for (unsigned i = 0; i < s->num_ports; i++) {
        kiln_nic_port_reset(&s->port[i]);
    }
}
