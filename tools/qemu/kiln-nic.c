/*
 * Kiln accelerator device model: NIC ports, the data path (raw Ethernet). Each port is one
 * QEMU netdev. TX: send queue of {addr, len} entries + PI doorbell. RX: ring of equal-size
 * buffers with no per-entry length; progress through RX_CI (+ optional write-back). Link
 * state and its events. Registers are in kiln-nic-regs.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "net/net.h"
#include "net/eth.h"
#include "kiln-accel.h"
#include "kiln-nic.h"
#include "trace.h"

#define KILN_NIC_TX_BUDGET  64
#define KILN_NIC_FLAP_NS    (10 * 1000 * 1000)  /* link-flap: down for 10 ms of virtual time */


bool kiln_nic_ring_ok(uint32_t n, uint64_t base, uint32_t align)
{
    return KILN_IS_POW2(n) && n >= KILN_NIC_RING_MIN && n <= KILN_NIC_RING_MAX &&
           !(base & (align - 1));
}

void kiln_nic_error(KilnPort *p, bool tx, uint32_t cause, uint32_t index, uint64_t addr)
{
    struct kiln_ev_nic_err ev = { .port = p->idx, .cause = cause, .index = index, .addr = addr };

    qemu_log_mask(LOG_GUEST_ERROR, "kiln: port %u %s stopped: cause %u\n", p->idx,
                  tx ? "TX" : "RX", cause);
    p->err_cause = cause;
    p->status |= tx ? KILN_NIC_STS_TX_STOPPED : KILN_NIC_STS_RX_STOPPED;
    kiln_eq_post(p->s, KILN_EVENT_NIC_QM(p->idx), &ev, sizeof(ev));
}

static bool kiln_nic_carrier(KilnPort *p)
{
    NetClientState *nc;

    if (p->cfg & KILN_NIC_CFG_LOOPBACK) {
        return true;
    }
    if (!p->nic) {
        return false;
    }
    nc = qemu_get_queue(p->nic);
    return !nc->link_down && nc->peer && !nc->peer->link_down;
}

bool kiln_nic_link(KilnPort *p)
{
    return kiln_nic_carrier(p) && !(p->s->f.link_down & (1u << p->idx)) && !p->flapping &&
           !p->s->f.device_gone;
}

void kiln_nic_update_link(KilnPort *p, uint32_t reason)
{
    bool up = kiln_nic_link(p);
    struct kiln_ev_nic_status ev;

    p->status = (p->status & ~KILN_NIC_STS_LINK_UP) | (up ? KILN_NIC_STS_LINK_UP : 0);
    if (up == p->link_up) {
        return;
    }
    p->link_up = up;
    trace_kiln_nic_link(p->idx, up);
    if (!up) {
        p->cnt[CNT_LINK_DOWN]++;
        p->flaps++;
    }
    ev = (struct kiln_ev_nic_status) {
        .port = p->idx, .link_up = up, .reason = reason, .flap_count = p->flaps,
    };
    kiln_eq_post(p->s, KILN_EVENT_NIC_STATUS(p->idx), &ev, sizeof(ev));
    if (up && p->nic) {
        qemu_flush_queued_packets(qemu_get_queue(p->nic));
    }
}

void kiln_nic_update_links(KilnState *s)
{
    for (unsigned i = 0; i < s->num_ports; i++) {
        kiln_nic_update_link(&s->port[i], KILN_NIC_LINK_REASON_FAULT);
    }
}

static void kiln_nic_flap_timer(void *opaque)
{
    KilnPort *p = opaque;

    p->flapping = false;
    kiln_nic_update_link(p, KILN_NIC_LINK_REASON_FAULT);
}

void kiln_nic_flap(KilnState *s, uint32_t mask)
{
    for (unsigned i = 0; i < s->num_ports; i++) {
        KilnPort *p = &s->port[i];

        if (!(mask & (1u << i))) {
            continue;
        }
        p->flapping = true;
        kiln_nic_update_link(p, KILN_NIC_LINK_REASON_FAULT);
        timer_mod(p->flap_timer, kiln_now_ns() + KILN_NIC_FLAP_NS);
    }
}

static bool kiln_nic_accepts(KilnPort *p, const uint8_t *buf)
{
    static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (p->cfg & KILN_NIC_CFG_PROMISC) {
        return true;
    }
    if (!memcmp(buf, p->mac, ETH_ALEN) || !memcmp(buf, bcast, ETH_ALEN)) {
        return true;
    }
    return (buf[0] & 1) && (p->cfg & KILN_NIC_CFG_ALLMULTI);
}

static bool kiln_nic_rx_ready(KilnPort *p)
{
    return p->rx_ci != p->rx_pi;
}

/*
 * Deliver one frame to port p's RX ring. Returns false only when it has to wait for an RX
 * buffer (the caller queues it); every other outcome consumes the frame.
 */
static bool kiln_nic_rx_frame(KilnPort *p, const uint8_t *buf, size_t size);

static bool kiln_nic_rx(KilnPort *p, const uint8_t *buf, size_t size)
{
    uint32_t before = p->cnt[CNT_RX_FRAMES];
    bool done = kiln_nic_rx_frame(p, buf, size);

    trace_kiln_nic_rx(p->idx, size, p->cnt[CNT_RX_FRAMES] != before);
    return done;
}

static bool kiln_nic_rx_frame(KilnPort *p, const uint8_t *buf, size_t size)
{
    KilnState *s = p->s;
    struct kiln_nic_rx_entry ent;
    uint64_t addr;
    uint8_t le[4];

    if (s->f.device_gone || !p->link_up || !(p->cfg & KILN_NIC_CFG_RX_EN) ||
        (p->status & KILN_NIC_STS_RX_STOPPED)) {
        p->cnt[CNT_RX_DROP]++;
        return true;
    }
    if (size < KILN_NIC_MIN_FRAME) {
        p->cnt[CNT_RX_CRC_ERR]++;
        return true;
    }
    if (lduw_be_p(buf + 12) == KILN_NIC_ETHERTYPE_PAUSE) {
        p->cnt[CNT_RX_PAUSE]++;
        return true;
    }
    if (!kiln_nic_accepts(p, buf)) {
        p->cnt[CNT_RX_FILTERED]++;
        return true;
    }
    if (size > p->mtu + KILN_NIC_L2_OVERHEAD || size > p->rx_buf_size) {
        p->cnt[CNT_RX_DROP]++;
        return true;
    }
    if (!kiln_nic_ring_ok(p->rx_size, p->rx_base, sizeof(ent))) {
        kiln_nic_error(p, false, KILN_NIC_ERR_RING_CONFIG, p->rx_ci, p->rx_base);
        p->cnt[CNT_RX_DROP]++;
        return true;
    }
    if (!kiln_nic_rx_ready(p)) {
        return false;
    }
    addr = p->rx_base + (uint64_t)kiln_ring_slot(p->rx_ci, p->rx_size) * sizeof(ent);
    if (kiln_mem_read(s, addr, &ent, sizeof(ent)) != KILN_MEM_OK) {
        kiln_nic_error(p, false, kiln_bus_master(s) ? KILN_NIC_ERR_RX_FETCH :
                       KILN_NIC_ERR_BUS_MASTER, p->rx_ci, addr);
        p->cnt[CNT_RX_DROP]++;
        return true;
    }
    addr = le64_to_cpu(ent.addr);
    if (kiln_mem_write(s, addr, buf, size) != KILN_MEM_OK) {
        kiln_nic_error(p, false, KILN_NIC_ERR_RX_WRITE, p->rx_ci, addr);
        p->cnt[CNT_RX_DROP]++;
        return true;
    }
    p->rx_ci = kiln_ring_next(p->rx_ci, p->rx_size);
    if (p->rx_wb) {
        stl_le_p(le, p->rx_ci);
        if (kiln_mem_write(s, p->rx_wb, le, sizeof(le)) != KILN_MEM_OK) {
            kiln_nic_error(p, false, KILN_NIC_ERR_RX_WRITE, p->rx_ci, p->rx_wb);
        }
    }
    p->cnt[CNT_RX_FRAMES]++;
    p->cnt[CNT_RX_BYTES] += size;
    kiln_irq_raise(s, KILN_VEC_NIC_RX(p->idx));
    return true;
}

static bool kiln_nic_can_receive(NetClientState *nc)
{
    KilnPort *p = qemu_get_nic_opaque(nc);

    /* only an empty RX ring makes the link wait; everything else is consumed (or dropped) */
    return !(p->link_up && (p->cfg & KILN_NIC_CFG_RX_EN) &&
             !(p->status & KILN_NIC_STS_RX_STOPPED) && !p->s->f.device_gone &&
             !kiln_nic_rx_ready(p) && p->rx_size);
}

static ssize_t kiln_nic_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    KilnPort *p = qemu_get_nic_opaque(nc);

    return kiln_nic_rx(p, buf, size) ? (ssize_t)size : 0;
}

static void kiln_nic_link_changed(NetClientState *nc)
{
    KilnPort *p = qemu_get_nic_opaque(nc);

    kiln_nic_update_link(p, KILN_NIC_LINK_REASON_PEER);
}

static NetClientInfo kiln_nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = kiln_nic_can_receive,
    .receive = kiln_nic_receive,
    .link_status_changed = kiln_nic_link_changed,
};

/* Frame faults on the wire: drop or alter one payload byte, at the knob rates, on the ports
 * of frame-fault-ports (all by default). */
static bool kiln_nic_wire_faults(KilnPort *p, uint8_t *buf, size_t len)
{
    KilnState *s = p->s;

    if (!(s->f.frame_fault_ports & (1u << p->idx))) {
        return true;
    }
    if (kiln_chance_ppm(s, s->f.frame_drop_ppm)) {
        return false;
    }
    if (len > KILN_NIC_MIN_FRAME && kiln_chance_ppm(s, s->f.frame_corrupt_ppm)) {
        size_t at = KILN_NIC_MIN_FRAME + kiln_rand32(s) % (len - KILN_NIC_MIN_FRAME);
        buf[at] ^= 1u << (kiln_rand32(s) % 8);
    }
    return true;
}

/*
 * After TX entries are consumed: TX_CI to the write-back word, if one is set (as RX_WB does
 * for RX_CI), so the driver bounds its frames in flight from host memory. A failed write
 * stops TX with TX_WRITE. The tx-wb-stale knob leaves the word as it is (a device whose
 * write-back lies: the driver must notice the register and the word disagree).
 */
void kiln_nic_tx_wb(KilnPort *p)
{
    uint8_t le[4];

    if (!p->tx_wb || (p->s->f.tx_wb_stale & (1u << p->idx)) || p->s->f.device_gone) {
        return;
    }
    stl_le_p(le, p->tx_ci);
    if (kiln_mem_write(p->s, p->tx_wb, le, sizeof(le)) != KILN_MEM_OK) {
        kiln_nic_error(p, true, kiln_bus_master(p->s) ? KILN_NIC_ERR_TX_WRITE :
                       KILN_NIC_ERR_BUS_MASTER, p->tx_ci, p->tx_wb);
    }
}

/*
 * Send up to budget entries CI..PI. Returns true when entries are left that the bottom half
 * should go on with (not when TX waits for RX buffers in loopback, or is stopped).
 */
static bool kiln_nic_tx_run(KilnPort *p, int budget)
{
    KilnState *s = p->s;
    uint8_t *frame = g_malloc(KILN_NIC_MAX_FRAME);
    bool sent = false;

    for (int n = 0; n < budget; n++) {
        struct kiln_nic_tx_entry ent;
        uint64_t addr;
        uint32_t len;

        if (s->f.device_gone || !(p->cfg & KILN_NIC_CFG_TX_EN) ||
            (p->status & KILN_NIC_STS_TX_STOPPED) || p->tx_ci == p->tx_pi) {
            break;
        }
        if (!kiln_bus_master(s)) {
            kiln_nic_error(p, true, KILN_NIC_ERR_BUS_MASTER, p->tx_ci, p->tx_base);
            break;
        }
        addr = p->tx_base + (uint64_t)kiln_ring_slot(p->tx_ci, p->tx_size) * sizeof(ent);
        if (kiln_mem_read(s, addr, &ent, sizeof(ent)) != KILN_MEM_OK) {
            kiln_nic_error(p, true, KILN_NIC_ERR_TX_FETCH, p->tx_ci, addr);
            break;
        }
        addr = le64_to_cpu(ent.addr);
        len = le32_to_cpu(ent.len);
        if (len < KILN_NIC_MIN_FRAME || len > p->mtu + KILN_NIC_L2_OVERHEAD) {
            kiln_nic_error(p, true, KILN_NIC_ERR_TX_LEN, p->tx_ci, addr);
            break;
        }
        if (kiln_mem_read(s, addr, frame, len) != KILN_MEM_OK) {
            kiln_nic_error(p, true, KILN_NIC_ERR_TX_FETCH, p->tx_ci, addr);
            break;
        }
        trace_kiln_nic_tx(p->idx, len, p->link_up);
        if (!p->link_up || (!p->nic && !(p->cfg & KILN_NIC_CFG_LOOPBACK))) {
            p->cnt[CNT_TX_DROP]++;      /* never left the port */
        } else {
            if (p->cfg & KILN_NIC_CFG_LOOPBACK) {
                if (!kiln_nic_rx(p, frame, len)) {
                    p->tx_blocked = true;   /* resumes when RX buffers are posted */
                    break;
                }
            } else if (kiln_nic_wire_faults(p, frame, len)) {
                qemu_send_packet(qemu_get_queue(p->nic), frame, len);
            }
            if (lduw_be_p(frame + 12) == KILN_NIC_ETHERTYPE_PAUSE) {
                p->cnt[CNT_TX_PAUSE]++;
            }
            p->cnt[CNT_TX_FRAMES]++;
            p->cnt[CNT_TX_BYTES] += len;
        }
        p->tx_ci = kiln_ring_next(p->tx_ci, p->tx_size);
        sent = true;
    }
    g_free(frame);
    if (sent) {
        kiln_nic_tx_wb(p);
        kiln_irq_raise(s, KILN_VEC_NIC_TX(p->idx));
    }
    return p->tx_ci != p->tx_pi && !p->tx_blocked && (p->cfg & KILN_NIC_CFG_TX_EN) &&
           !(p->status & KILN_NIC_STS_TX_STOPPED) && !s->f.device_gone;
}

static void kiln_nic_tx_bh(void *opaque)
{
    KilnPort *p = opaque;

    if (kiln_nic_tx_run(p, KILN_NIC_TX_BUDGET)) {
        qemu_bh_schedule(p->tx_bh);
    }
}

/*
 * A TX_PI doorbell starts sending at once, as kiln_stream_start does for a queue: up to the
 * nic-tx-inline property's frames (default KILN_NIC_TX_INLINE) go out in the doorbell write
 * itself (the vCPU thread, under QEMU's global lock), the rest in the port's bottom half.
 * Without it every doorbell waits for QEMU's main-loop thread to be woken (docs/device.md
 * section 10). The write handler runs under the device's mem_reentrancy_guard, so a frame
 * DMA aimed at the device's own BAR is refused, not re-entered; a loopback frame goes to
 * the port's own RX ring (memory and an MSI-X message), which never comes back to a register
 * write; a wired frame goes to the netdev, whose peer is another client (a socket, another
 * port's netdev: delivered from QEMU's main loop, not from here).
 */
void kiln_nic_tx_start(KilnPort *p)
{
    if (!p->s->nic_tx_inline || kiln_nic_tx_run(p, (int)MIN(p->s->nic_tx_inline, KILN_NIC_TX_BUDGET))) {
        qemu_bh_schedule(p->tx_bh);
    }
}

void kiln_nic_rx_posted(KilnPort *p)
{
    if (p->tx_blocked) {
        p->tx_blocked = false;
        qemu_bh_schedule(p->tx_bh);
    }
    if (p->nic) {
        qemu_flush_queued_packets(qemu_get_queue(p->nic));
    }
}

/* Port p's MAC: base + p (carrying into the upper bytes), or QEMU's per-NIC default. */
static void kiln_nic_mac(KilnState *s, KilnPort *p)
{
    static const uint8_t zero[ETH_ALEN];

    if (memcmp(s->mac.a, zero, ETH_ALEN)) {
        uint64_t v = 0;

        for (int i = 0; i < ETH_ALEN; i++) {
            v = (v << 8) | s->mac.a[i];
        }
        v += p->idx;
        for (int i = ETH_ALEN - 1; i >= 0; i--) {
            p->conf.macaddr.a[i] = (uint8_t)v;
            v >>= 8;
        }
    } else {
        qemu_macaddr_default_if_unset(&p->conf.macaddr);
    }
    memcpy(p->reset_mac, p->conf.macaddr.a, ETH_ALEN);
}

bool kiln_nic_realize(KilnState *s, Error **errp)
{
    DeviceState *dev = DEVICE(s);

    for (unsigned i = 0; i < KILN_MAX_PORTS; i++) {
        NetClientState *nc = s->port[i].conf.peers.ncs[0];

        if (nc && i >= s->num_ports) {
            error_setg(errp, "kiln-accel: netdev%u is set but the device has ports=%u",
                       i, s->num_ports);
            return false;
        }
        for (unsigned j = 0; nc && j < i; j++) {
            if (s->port[j].conf.peers.ncs[0] == nc) {
                error_setg(errp, "kiln-accel: netdev%u and netdev%u are the same netdev '%s';"
                           " each port needs its own", j, i, nc->name);
                return false;
            }
        }
    }
    for (unsigned i = 0; i < s->num_ports; i++) {
        KilnPort *p = &s->port[i];
        g_autofree char *name = g_strdup_printf("%s.port%u", dev->id ? dev->id : "kiln", i);

        p->s = s;
        p->idx = i;
        kiln_nic_mac(s, p);
        p->tx_bh = qemu_bh_new_guarded(kiln_nic_tx_bh, p, &dev->mem_reentrancy_guard);
        p->flap_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, kiln_nic_flap_timer, p);
        if (p->conf.peers.ncs[0]) {
            p->nic = qemu_new_nic(&kiln_nic_info, &p->conf, object_get_typename(OBJECT(s)),
                                  name, &dev->mem_reentrancy_guard, p);
            qemu_format_nic_info_str(qemu_get_queue(p->nic), p->conf.macaddr.a);
        }
    }
    return true;
}

void kiln_nic_exit(KilnState *s)
{
    for (unsigned i = 0; i < s->num_ports; i++) {
        KilnPort *p = &s->port[i];

        if (p->nic) {
            qemu_del_nic(p->nic);
            p->nic = NULL;
        }
        if (p->tx_bh) {
            qemu_bh_delete(p->tx_bh);
            p->tx_bh = NULL;
        }
        if (p->flap_timer) {
            timer_free(p->flap_timer);
            p->flap_timer = NULL;
        }
    }
}
