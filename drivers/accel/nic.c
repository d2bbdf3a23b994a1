/* NIC ports of the accelerator: rings, buffers, link, counters (docs/device.md section 10). */
#include "drivers/accel/nic.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_pci.h"
#include "drivers/accel/hw/kiln_ring.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/copy.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "net/ethlen.h"

#define WB_BYTES 64u        /* the write-back words: RX_CI at 0, TX_CI at WB_TX */
#define WB_TX 32u
#define TX_POLL_BURST 16u   /* write-back polls between two looks at the clock */

static struct nic_port ports[ACCEL_MAX][KILN_MAX_PORTS];

static uint32_t rd(struct nic_port *n, uint32_t off) { return accel_rd(n->a, KILN_BLK_NIC(n->idx) + off); }
static void wr(struct nic_port *n, uint32_t off, uint32_t v) { accel_wr(n->a, KILN_BLK_NIC(n->idx) + off, v); }
static struct nic_port *of(struct net_port *p) { return (struct nic_port *)p; }


const char *nic_name(const struct nic_port *n) { return n->port.name; }
uint64_t nic_irq_tx(const struct nic_port *n) { return n->a->irq_count[KILN_VEC_NIC_TX(n->idx)] - n->irq_tx0; }
uint64_t nic_irq_rx(const struct nic_port *n) { return n->a->irq_count[KILN_VEC_NIC_RX(n->idx)] - n->irq_rx0; }

int nic_irq_hold(struct nic_port *n, bool hold)
{
	const unsigned vec[] = {KILN_VEC_NIC_TX(n->idx), KILN_VEC_NIC_RX(n->idx)};
	for (unsigned k = 0; k < 2; k++)
		if (accel_irq_own_vector(n->a, vec[k]) && accel_irq_hold(n->a, vec[k], hold) != ACCEL_OK)
			return ACCEL_EGONE;
	n->irq_held = hold && accel_irq_own_vector(n->a, vec[1]);
	return ACCEL_OK;
}
uint32_t nic_status(struct nic_port *n) { return rd(n, KILN_NIC_STATUS); }
bool nic_wired(struct nic_port *n) { return rd(n, KILN_NIC_STATUS) & KILN_NIC_STS_WIRED; }

/* Read the status and error events of this port that arrived since the last look. */
static void follow_events(struct nic_port *n)
{
	struct accel *a = n->a;
	accel_eq_poll(a);
	if (a->ev_seq == n->ev_seen)
		return;
	uint64_t from = n->ev_seen + 1;
	if (a->ev_seq - n->ev_seen > ACCEL_EVENT_LOG) {
		/* the log wrapped past us: count it and take the state from the register */
		n->sw.events_missed += a->ev_seq - n->ev_seen - ACCEL_EVENT_LOG;
		from = a->ev_seq - ACCEL_EVENT_LOG + 1;
		n->link = rd(n, KILN_NIC_STATUS) & KILN_NIC_STS_LINK_UP;
	}
	for (uint64_t s = from; s <= a->ev_seq; s++) {
		const struct accel_event *ev = &a->ev_log[(s - 1) % ACCEL_EVENT_LOG];
		if (ev->data[0] == KILN_EV_TEST_MAGIC)
			continue; /* posted through the TEST_EVENT hook, not by the port */
		if (ev->type == KILN_EVENT_NIC_STATUS(n->idx)) {
			struct kiln_ev_nic_status st;
			memcpy(&st, ev->data, sizeof st);
			n->link = st.link_up != 0;
			n->last_link_reason = st.reason;
			if (n->link)
				n->sw.link_up_events++;
			else
				n->sw.link_down_events++;
		} else if (ev->type == KILN_EVENT_NIC_QM(n->idx)) {
			struct kiln_ev_nic_err er;
			memcpy(&er, ev->data, sizeof er);
			n->err = (int)er.cause;
		}
	}
	n->ev_seen = a->ev_seq;
}

bool nic_link(struct nic_port *n)
{
	follow_events(n);
	return n->link;
}

int nic_link_wait(struct nic_port *n, bool up, uint32_t timeout_ms)
{
	struct deadline d = deadline_in_ms(timeout_ms);
	while (nic_link(n) != up) {
		if (n->a->gone)
			return ACCEL_EGONE;
		if (deadline_passed(d))
			return ACCEL_ETIMEDOUT;
		cpu_relax();
	}
	return ACCEL_OK;
}

void nic_tx_flush(struct nic_port *n)
{
	if (n->tx_doorbell == n->tx_pi)
		return;
	__asm__ volatile("" ::: "memory"); /* entries and frames before the doorbell */
	wr(n, KILN_NIC_TX_PI, n->tx_pi);
	n->tx_doorbell = n->tx_pi;
}

static bool tx_stopped(struct nic_port *n) { return rd(n, KILN_NIC_STATUS) & KILN_NIC_STS_TX_STOPPED; }

/* TX_CI as the device wrote it back into host memory (no register read). */
static uint32_t tx_ci_wb(struct nic_port *n)
{
	uint32_t ci = *(volatile uint32_t *)((uint8_t *)n->wb.host + WB_TX);
	__asm__ volatile("" ::: "memory"); /* the word before the slots it frees are reused */
	return ci;
}

/* Off the fast path: the register and the write-back word must agree. The device writes
 * the word after moving TX_CI, so the word is read a moment after the register; a word
 * behind the register then (or one claiming entries never posted) is a device whose
 * write-back lies, kept for the diagnosis (nic_port_diag). True when they agree. */
static bool tx_wb_check(struct nic_port *n)
{
	uint32_t reg = rd(n, KILN_NIC_TX_CI);
	udelay(NIC_TX_FULL_POLL_US);
	uint32_t word = tx_ci_wb(n);
	uint32_t behind = kiln_ring_used(reg, word, NIC_TX_ENTRIES);
	if ((behind && behind <= NIC_TX_ENTRIES) || kiln_ring_used(n->tx_pi, word, NIC_TX_ENTRIES) > NIC_TX_ENTRIES ||
	    !kiln_ring_pi_in_range(word, NIC_TX_ENTRIES)) {
		n->tx_wb_bad = true;
		n->tx_wb_word = word;
		n->tx_wb_reg = reg;
		return false;
	}
	return true;
}

/* Wait until the device has consumed enough: room for one entry, or (drain) every entry.
 * The fast path spins on the TX write-back word in host memory: under TCG a register read
 * (and a PAUSE) takes QEMU's global lock and stalls the model that is to drain the ring.
 * Once the word has shown no progress for NIC_TX_SLOW_CHECK_US, the registers are looked
 * at (a stop, a device gone) every NIC_TX_FULL_POLL_US, and at the deadline TX_CI is
 * compared with the word. ACCEL_OK, ACCEL_ETIMEDOUT, ACCEL_ESTOPPED, ACCEL_EGONE, or
 * ACCEL_EDEVICE (the write-back word disagrees with TX_CI). */
static int tx_wait(struct nic_port *n, bool drain, uint32_t timeout_ms)
{
	uint64_t slow_every = time_tsc_hz() / 1000000u * NIC_TX_SLOW_CHECK_US, slow_at = 0;
	struct deadline d = deadline_in_ms(timeout_ms);
	unsigned polls = 0;
	uint32_t last = n->tx_ci;
	for (;;) {
		uint32_t ci = tx_ci_wb(n);
		if (kiln_ring_used(n->tx_pi, ci, NIC_TX_ENTRIES) > NIC_TX_ENTRIES) /* ahead of what was posted */
			return tx_wb_check(n) ? ACCEL_ETIMEDOUT : ACCEL_EDEVICE;
		n->tx_ci = ci;
		if (drain ? ci == n->tx_pi : !kiln_ring_full(n->tx_pi, ci, NIC_TX_ENTRIES))
			return ACCEL_OK;
		if (ci != last) { /* progress: the slow checks wait again */
			last = ci;
			slow_at = 0;
		}
		if (++polls % TX_POLL_BURST)
			continue;
		uint64_t now = rdtsc();
		if (!slow_at) {
			slow_at = now + slow_every;
			continue;
		}
		if ((int64_t)(now - slow_at) < 0)
			continue;
		if (n->a->gone)
			return ACCEL_EGONE;
		if (tx_stopped(n))
			return ACCEL_ESTOPPED;
		if (deadline_passed(d))
			return tx_wb_check(n) ? ACCEL_ETIMEDOUT : ACCEL_EDEVICE;
		udelay(NIC_TX_FULL_POLL_US);
	}
}

uint32_t nic_tx_room(struct nic_port *n)
{
	uint32_t ci = tx_ci_wb(n);
	if (!n->open || kiln_ring_used(n->tx_pi, ci, NIC_TX_ENTRIES) > NIC_TX_ENTRIES)
		return 0; /* a word ahead of what was posted: the slow path of the next tx names it */
	n->tx_ci = ci;
	return NIC_TX_ENTRIES - kiln_ring_used(n->tx_pi, ci, NIC_TX_ENTRIES);
}

int nic_tx_drain(struct nic_port *n, uint32_t timeout_ms)
{
	nic_tx_flush(n);
	int r = tx_wait(n, true, timeout_ms);
	if (r == ACCEL_OK && !tx_wb_check(n))
		r = ACCEL_EDEVICE; /* drained by the word: the register must say so too */
	return r;
}

static int nic_tx(struct net_port *p, const void *frame, size_t len, unsigned flags)
{
	struct nic_port *n = of(p);
	if (!n->open)
		return NET_EIO;
	if (len < KILN_NIC_MIN_FRAME || len > net_port_max_frame(p))
		return NET_ELEN;
	if (kiln_ring_full(n->tx_pi, n->tx_ci, NIC_TX_ENTRIES)) {
		nic_tx_flush(n);
		int r = tx_wait(n, false, NIC_TX_WAIT_MS);
		if (r == ACCEL_ETIMEDOUT) {
			n->sw.tx_busy++;
			return NET_EBUSY;
		}
		if (r != ACCEL_OK)
			return NET_EIO;
	}
	uint32_t slot = kiln_ring_slot(n->tx_pi, NIC_TX_ENTRIES);
	uint8_t *buf = (uint8_t *)n->tx_bufs.host + (size_t)slot * n->buf_size;
	copy_fast(buf, frame, len);
	volatile struct kiln_nic_tx_entry *e = (volatile struct kiln_nic_tx_entry *)n->tx_ring.host + slot;
	e->addr = n->tx_bufs.dev + (uint64_t)slot * n->buf_size;
	e->len = (uint32_t)len;
	e->ctl = 0;
	n->tx_pi = kiln_ring_next(n->tx_pi, NIC_TX_ENTRIES);
	n->sw.tx_frames++;
	n->sw.tx_bytes += len;
	if (!(flags & NET_TX_MORE))
		nic_tx_flush(n);
	return NET_OK;
}

static void nic_flush(struct net_port *p) { nic_tx_flush(of(p)); }

/* The buffer in a ring slot: the slots' addresses change as kept buffers are replaced. */
static uint32_t slot_buf(struct nic_port *n, uint32_t slot)
{
	const volatile struct kiln_nic_rx_entry *e = (const volatile struct kiln_nic_rx_entry *)n->rx_ring.host + slot;
	return (uint32_t)((e->addr - n->rx_bufs.dev) / n->buf_size);
}

static uint8_t *buf_host(struct nic_port *n, uint32_t b) { return (uint8_t *)n->rx_bufs.host + (size_t)b * n->buf_size; }

static unsigned rx_take(struct nic_port *n, unsigned budget, net_rx_fn fn, net_rx_keep_fn keep, void *ctx)
{
	struct net_port *p = &n->port;
	if (!n->open)
		return 0;
	volatile uint32_t *wb = n->wb.host;
	uint32_t dev_ci = *wb;
	__asm__ volatile("" ::: "memory"); /* the write-back word before the frames it covers */
	unsigned got = 0;
	size_t avail = n->buf_size < net_port_max_frame(p) ? n->buf_size : net_port_max_frame(p);
	while (got < budget && n->rx_ci != dev_ci) {
		uint32_t slot = kiln_ring_slot(n->rx_ci, NIC_RX_ENTRIES), b = slot_buf(n, slot);
		uint8_t *buf = buf_host(n, b);
		long len = net_eth_frame_len(buf, avail);
		n->rx_ci = kiln_ring_next(n->rx_ci, NIC_RX_ENTRIES);
		if (len < 0) {
			n->sw.rx_unparsed++;
		} else {
			n->sw.rx_frames++;
			n->sw.rx_bytes += (uint64_t)len;
			if (!keep) {
				fn(ctx, buf, (size_t)len);
			} else if (keep(ctx, buf, (size_t)len, n->rx_nspare > 0, n->rx_gen) && n->rx_nspare) {
				/* the stack has the buffer now: a spare takes its slot */
				uint32_t s = n->rx_spare[--n->rx_nspare];
				volatile struct kiln_nic_rx_entry *e = (volatile struct kiln_nic_rx_entry *)n->rx_ring.host + slot;
				e->addr = n->rx_bufs.dev + (uint64_t)s * n->buf_size;
				n->sw.rx_kept++;
			}
		}
		/* the buffer goes back to the device once the frame has been handed up */
		n->rx_pi = kiln_ring_next(n->rx_pi, NIC_RX_ENTRIES);
		got++;
	}
	/* Buffers go back in batches (each RX_PI write takes the model's lock), at once when
	 * the device is running short. */
	if (kiln_ring_used(n->rx_pi, n->rx_pi_dev, NIC_RX_ENTRIES) >= NIC_RX_REFILL_BATCH ||
	    (n->rx_pi != n->rx_pi_dev && kiln_ring_used(n->rx_pi_dev, dev_ci, NIC_RX_ENTRIES) < NIC_RX_REFILL_BATCH))
		nic_rx_refill(n);
	return got;
}

static unsigned nic_rx_poll(struct net_port *p, unsigned budget, net_rx_fn fn, void *ctx)
{
	return rx_take(of(p), budget, fn, 0, ctx);
}

static unsigned nic_rx_poll_keep(struct net_port *p, unsigned budget, net_rx_keep_fn fn, void *ctx)
{
	return rx_take(of(p), budget, 0, fn, ctx);
}

static void nic_rx_release(struct net_port *p, uint8_t *frame, uint32_t tag)
{
	struct nic_port *n = of(p);
	uint8_t *base = n->rx_bufs.host;
	if (!n->open || tag != n->rx_gen || frame < base || n->rx_nspare >= NIC_RX_SPARES)
		return; /* from before a close or reopen: the ring was laid out anew since */
	uint64_t b = (uint64_t)(frame - base) / n->buf_size;
	if (b < NIC_RX_BUFS)
		n->rx_spare[n->rx_nspare++] = (uint16_t)b;
}

void nic_rx_refill(struct nic_port *n)
{
	if (!n->open || n->rx_pi == n->rx_pi_dev)
		return;
	__asm__ volatile("" ::: "memory"); /* slot addresses (spares) before the doorbell */
	wr(n, KILN_NIC_RX_PI, n->rx_pi);
	n->rx_pi_dev = n->rx_pi;
}

uint32_t nic_rx_pending(struct nic_port *n)
{
	if (!n->open)
		return 0;
	return kiln_ring_used(*(volatile uint32_t *)n->wb.host, n->rx_ci, NIC_RX_ENTRIES);
}

static bool nic_link_up(struct net_port *p) { return nic_link(of(p)); }

/* With an RX vector of its own (or a shared one) the port wakes a sleeping CPU; not while
 * polling, or while its vectors are held (nic_irq_hold). */
static int nic_rx_irq_pending(struct net_port *p)
{
	struct nic_port *n = of(p);
	if (n->a->irq_mode == ACCEL_IRQ_POLL || n->irq_held)
		return -1;
	return (int)nic_rx_pending(n);
}

static const struct net_port_ops nic_ops = {
	.tx = nic_tx,
	.flush = nic_flush,
	.rx_poll = nic_rx_poll,
	.link_up = nic_link_up,
	.rx_irq_pending = nic_rx_irq_pending,
	.rx_poll_keep = nic_rx_poll_keep,
	.rx_release = nic_rx_release,
};

struct nic_port *nic_port_get(struct accel *a, unsigned port)
{
	if (a->index >= ACCEL_MAX || port >= a->ports)
		return 0;
	struct nic_port *n = &ports[a->index][port];
	n->a = a;
	n->idx = port;
	n->port.ops = &nic_ops;
	n->port.priv = n;
	ksnprintf(n->port.name, sizeof n->port.name, "accel%u.port%u", a->index, port);
	return n;
}

static int buf_ensure(struct accel_buf *b, uint64_t size)
{
	if (b->host && b->size >= size) {
		memset(b->host, 0, b->size);
		return ACCEL_OK;
	}
	accel_buf_free(b);
	return accel_buf_alloc(b, size);
}

static uint32_t buffer_size(uint32_t mtu)
{
	uint32_t need = mtu + KILN_NIC_L2_OVERHEAD, s = KILN_NIC_RX_BUF_DEFAULT;
	while (s < need)
		s <<= 1;
	return s;
}

int nic_open(struct nic_port *n, const struct nic_open_cfg *cfg, char *why, unsigned whylen)
{
	nic_close(n);
	if (n->irq_held)
		nic_irq_hold(n, false); /* a case that ended mid-burst (a crash, a deadline) left them held */
	if (accel_check_alive(n->a)) {
		ksnprintf(why, whylen, "%s: %s", nic_name(n), accel_strerror(ACCEL_EGONE));
		return ACCEL_EGONE;
	}
	uint32_t mtu = cfg->mtu ? cfg->mtu : KILN_NIC_MTU_DEFAULT;
	if (mtu < KILN_NIC_MTU_MIN || mtu > KILN_NIC_MTU_MAX) {
		ksnprintf(why, whylen, "%s: MTU %u outside %u..%u", nic_name(n), mtu, KILN_NIC_MTU_MIN, KILN_NIC_MTU_MAX);
		return ACCEL_EINVAL;
	}
	n->buf_size = buffer_size(mtu);
	if (buf_ensure(&n->tx_ring, NIC_TX_ENTRIES * sizeof(struct kiln_nic_tx_entry)) ||
	    buf_ensure(&n->rx_ring, NIC_RX_ENTRIES * sizeof(struct kiln_nic_rx_entry)) ||
	    buf_ensure(&n->tx_bufs, (uint64_t)NIC_TX_ENTRIES * n->buf_size) ||
	    buf_ensure(&n->rx_bufs, (uint64_t)NIC_RX_BUFS * n->buf_size) || buf_ensure(&n->wb, WB_BYTES)) {
		ksnprintf(why, whylen, "%s: no memory for rings and buffers", nic_name(n));
		return ACCEL_ENOMEM;
	}
	/* A port with no netdev can only run in MAC loopback (the model straps it so). */
	n->strapped_loopback = !nic_wired(n);
	n->loopback = cfg->loopback || n->strapped_loopback;
	wr(n, KILN_NIC_CFG, 0);
	wr(n, KILN_NIC_CTRL, KILN_NIC_CTRL_RESET | KILN_NIC_CTRL_CLEAR_COUNTERS);
	wr(n, KILN_NIC_MTU, mtu);
	if (rd(n, KILN_NIC_MTU) != mtu) {
		ksnprintf(why, whylen, "%s: MTU register reads %u after writing %u", nic_name(n), rd(n, KILN_NIC_MTU), mtu);
		return ACCEL_EDEVICE;
	}
	n->port.mtu = (uint16_t)mtu;
	uint32_t lo = rd(n, KILN_NIC_MAC_LO), hi = rd(n, KILN_NIC_MAC_HI);
	for (unsigned k = 0; k < 4; k++)
		n->port.mac[k] = (uint8_t)(lo >> (8 * k));
	n->port.mac[4] = (uint8_t)hi;
	n->port.mac[5] = (uint8_t)(hi >> 8);
	struct kiln_nic_rx_entry *rx = n->rx_ring.host;
	for (uint32_t k = 0; k < NIC_RX_ENTRIES; k++)
		rx[k].addr = n->rx_bufs.dev + (uint64_t)k * n->buf_size;
	for (n->rx_nspare = 0; n->rx_nspare < NIC_RX_SPARES; n->rx_nspare++)
		n->rx_spare[n->rx_nspare] = (uint16_t)(NIC_RX_ENTRIES + n->rx_nspare);
	n->rx_gen++; /* buffers kept before this open are not ours to take back */
	wr(n, KILN_NIC_TX_BASE_LO, lo32(n->tx_ring.dev));
	wr(n, KILN_NIC_TX_BASE_HI, hi32(n->tx_ring.dev));
	wr(n, KILN_NIC_TX_SIZE, NIC_TX_ENTRIES);
	wr(n, KILN_NIC_TX_WB_LO, lo32(n->wb.dev + WB_TX));
	wr(n, KILN_NIC_TX_WB_HI, hi32(n->wb.dev + WB_TX));
	wr(n, KILN_NIC_RX_BASE_LO, lo32(n->rx_ring.dev));
	wr(n, KILN_NIC_RX_BASE_HI, hi32(n->rx_ring.dev));
	wr(n, KILN_NIC_RX_SIZE, NIC_RX_ENTRIES);
	wr(n, KILN_NIC_RX_BUF_SIZE, n->buf_size);
	wr(n, KILN_NIC_RX_WB_LO, lo32(n->wb.dev));
	wr(n, KILN_NIC_RX_WB_HI, hi32(n->wb.dev));
	n->tx_pi = n->tx_ci = n->tx_doorbell = 0;
	n->rx_ci = 0;
	n->rx_pi = n->rx_pi_dev = NIC_RX_ENTRIES; /* every buffer posted */
	wr(n, KILN_NIC_RX_PI, n->rx_pi);
	n->cfg = KILN_NIC_CFG_TX_EN | KILN_NIC_CFG_RX_EN | (n->loopback ? KILN_NIC_CFG_LOOPBACK : 0) |
		 (cfg->promisc ? KILN_NIC_CFG_PROMISC : 0);
	wr(n, KILN_NIC_CFG, n->cfg);
	uint32_t st = rd(n, KILN_NIC_STATUS);
	if (n->a->gone) {
		ksnprintf(why, whylen, "%s: %s", nic_name(n), accel_strerror(ACCEL_EGONE));
		return ACCEL_EGONE;
	}
	if (st & (KILN_NIC_STS_TX_STOPPED | KILN_NIC_STS_RX_STOPPED)) {
		ksnprintf(why, whylen, "%s: stopped right after set-up (status 0x%x, cause %u)", nic_name(n), st,
			  rd(n, KILN_NIC_ERR_CAUSE));
		return ACCEL_EDEVICE;
	}
	accel_eq_poll(n->a);
	n->ev_seen = n->a->ev_seq;
	n->link = st & KILN_NIC_STS_LINK_UP;
	memset(&n->sw, 0, sizeof n->sw);
	n->err = 0;
	n->tx_wb_bad = false;
	n->irq_tx0 = n->a->irq_count[KILN_VEC_NIC_TX(n->idx)];
	n->irq_rx0 = n->a->irq_count[KILN_VEC_NIC_RX(n->idx)];
	n->open = true;
	return ACCEL_OK;
}

void nic_close(struct nic_port *n)
{
	if (!n->open)
		return;
	wr(n, KILN_NIC_CFG, n->strapped_loopback ? KILN_NIC_CFG_LOOPBACK : 0);
	wr(n, KILN_NIC_CTRL, KILN_NIC_CTRL_RESET);
	n->open = false;
}

void nic_hw_counters(struct nic_port *n, struct nic_hw_counters *c)
{
	c->tx_frames = rd(n, KILN_NIC_CNT_TX_FRAMES);
	c->tx_bytes = rd(n, KILN_NIC_CNT_TX_BYTES);
	c->rx_frames = rd(n, KILN_NIC_CNT_RX_FRAMES);
	c->rx_bytes = rd(n, KILN_NIC_CNT_RX_BYTES);
	c->rx_crc_err = rd(n, KILN_NIC_CNT_RX_CRC_ERR);
	c->rx_drop = rd(n, KILN_NIC_CNT_RX_DROP);
	c->tx_drop = rd(n, KILN_NIC_CNT_TX_DROP);
	c->rx_pause = rd(n, KILN_NIC_CNT_RX_PAUSE);
	c->tx_pause = rd(n, KILN_NIC_CNT_TX_PAUSE);
	c->link_down = rd(n, KILN_NIC_CNT_LINK_DOWN);
	c->rx_filtered = rd(n, KILN_NIC_CNT_RX_FILTERED);
}

void nic_set_mac(struct nic_port *n, const uint8_t mac[NET_MAC_LEN])
{
	wr(n, KILN_NIC_MAC_LO, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24);
	wr(n, KILN_NIC_MAC_HI, (uint32_t)mac[4] | (uint32_t)mac[5] << 8);
	memcpy(n->port.mac, mac, NET_MAC_LEN);
}

void nic_set_promisc(struct nic_port *n, bool on)
{
	n->cfg = on ? n->cfg | KILN_NIC_CFG_PROMISC : n->cfg & ~KILN_NIC_CFG_PROMISC;
	wr(n, KILN_NIC_CFG, n->cfg);
}

void nic_hw_counters_clear(struct nic_port *n) { wr(n, KILN_NIC_CTRL, KILN_NIC_CTRL_CLEAR_COUNTERS); }
