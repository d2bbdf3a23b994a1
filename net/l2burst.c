/* Discovery and bursts over raw ports. Frames are built into one scratch buffer; the
 * receive side checks each frame's CRC and accounts its sequence number in a bitmap. */
#include "net/l2burst.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/pmm.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"

#define CTL_LEN NET_ETH_MIN_FRAME   /* READY, DONE */
#define HELLO_EVERY_MS 50u
#define DONE_EVERY_MS 50u
#define LINGER_MS 300u      /* keep answering a neighbour's DONE after ours is settled */
#define TX_BATCH 32u        /* frames per doorbell */
#define RX_BUDGET 64u
#define HEARD_YOU 1u
#define BITMAP_BYTES (NET_L2_BURST_MAX / 8u)

static const uint8_t bcast[NET_MAC_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define FRAME_MAX (NET_MTU_MAX + NET_ETH_OVERHEAD)
static _Alignas(8) uint8_t frame_own[FRAME_MAX];    /* runs without scratch of their own */
static uint8_t *seen_own[NET_L2_PORTS_MAX]; /* bitmaps, from the page allocator, kept */

static uint8_t *frame_of(struct net_l2_run *r) { return r->frame ? r->frame : frame_own; }
static uint8_t **seen_of(struct net_l2_run *r) { return r->frame ? r->seen : seen_own; }

int net_l2_prepare(struct net_l2_run *r)
{
	if (!r->frame && !(r->frame = page_alloc((FRAME_MAX + PMM_PAGE - 1) / PMM_PAGE)))
		return -1;
	for (unsigned k = 0; k < r->n; k++)
		if (!r->seen[k] && !(r->seen[k] = page_alloc((BITMAP_BYTES + PMM_PAGE - 1) / PMM_PAGE)))
			return -1;
	return 0;
}

struct rx_ctx {
	struct net_l2_run *r;
	unsigned k;
	bool discovery;
	uint64_t cb_tsc;   /* cycles spent in rx_frame */
};

/* Sent counts and readiness cross CPUs when the sender runs on a lane: atomic loads and stores. */
static uint32_t sent_of(const struct net_l2_stats *s) { return __atomic_load_n(&s->sent, __ATOMIC_ACQUIRE); }
static bool ready_of(const struct net_l2_stats *s) { return __atomic_load_n(&s->peer_ready, __ATOMIC_ACQUIRE); }

static void account_data(struct net_l2_stats *s, uint8_t *bitmap, uint32_t seq, size_t len)
{
	uint64_t now = time_ns();
	if (!s->received)
		s->first_rx_ns = now;
	s->last_rx_ns = now;
	s->received++;
	s->rx_bytes += len;
	uint8_t bit = (uint8_t)(1u << (seq % 8));
	if (bitmap[seq / 8] & bit) {
		s->duplicates++;
		return;
	}
	bitmap[seq / 8] |= bit;
	if (s->unique && seq < s->highest)
		s->reordered++;
	if (!s->unique || seq > s->highest)
		s->highest = seq;
	s->unique++;
}

static void rx_account(struct rx_ctx *x, const uint8_t *buf, size_t len, struct net_l2_info info, bool ok);

static void rx_frame(void *c, const uint8_t *buf, size_t len)
{
	struct rx_ctx *x = c;
	struct net_l2_info info;
	bool ok;
	uint64_t t0 = rdtsc();
	bool ours = net_l2_parse(buf, len, &info, &ok);
	uint64_t t1 = rdtsc();
	x->r->prof.verify += t1 - t0;
	if (ours) /* else not a Kiln test frame: not ours to count */
		rx_account(x, buf, len, info, ok);
	uint64_t t2 = rdtsc();
	x->r->prof.account += t2 - t1;
	x->cb_tsc += t2 - t0;
}

static void rx_account(struct rx_ctx *x, const uint8_t *buf, size_t len, struct net_l2_info info, bool ok)
{
	struct net_l2_run *r = x->r;
	unsigned k = x->k;
	struct net_l2_stats *s = &r->st[k];
	struct net_l2_neighbor *nb = &r->nb[k];
	if (!ok) {
		if (!x->discovery) {
			s->corrupt++;
			if (s->first_corrupt_seq < 0)
				s->first_corrupt_seq = info.seq;
		}
		return;
	}
	if (info.kind == NET_L2_HELLO) {
		if (!nb->heard) {
			nb->heard = true;
			nb->sender = info.sender;
			memcpy(nb->mac, buf + NET_MAC_LEN, NET_MAC_LEN);
			memcpy(nb->serial, info.serial, sizeof nb->serial);
		} else if (info.sender == nb->sender && strcmp(info.serial, nb->serial)) {
			nb->serial_changed = true;
		}
		if (info.sender == nb->sender && (info.aux & HEARD_YOU))
			nb->acked = true;
		return;
	}
	if (x->discovery)
		return;
	if (!nb->heard || info.sender != nb->sender) {
		s->foreign++;
		return;
	}
	uint32_t round = info.kind == NET_L2_DATA ? info.aux : info.seq;
	if (round != r->round) {
		s->other_round++;
		return;
	}
	if (info.kind == NET_L2_READY) {
		__atomic_store_n(&s->peer_ready, true, __ATOMIC_RELEASE);
	} else if (info.kind == NET_L2_DONE) {
		__atomic_store_n(&s->peer_ready, true, __ATOMIC_RELEASE);
		s->peer_done = true;
		s->peer_sent = info.aux;
	} else if (info.kind != NET_L2_DATA) {
		s->unparsed_kind++;
	} else if (info.seq >= NET_L2_BURST_MAX) {
		s->foreign++;
	} else {
		if (!s->peer_ready)
			__atomic_store_n(&s->peer_ready, true, __ATOMIC_RELEASE);
		account_data(s, seen_of(r)[k], info.seq, len);
	}
}

static unsigned poll_all(struct net_l2_run *r, bool discovery)
{
	unsigned got = 0;
	for (unsigned k = 0; k < r->n; k++) {
		struct rx_ctx x = {r, k, discovery, 0};
		uint64_t t0 = rdtsc();
		unsigned n = r->port[k]->ops->rx_poll(r->port[k], RX_BUDGET, rx_frame, &x);
		if (n) {
			uint64_t spent = rdtsc() - t0;
			r->prof.rx_driver += spent > x.cb_tsc ? spent - x.cb_tsc : 0;
			r->prof.received += n;
		}
		got += n;
	}
	return got;
}

static bool discovered(const struct net_l2_run *r)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!r->nb[k].heard || !r->nb[k].acked)
			return false;
	return true;
}

static void send_hellos(struct net_l2_run *r)
{
	uint8_t *frame = frame_of(r);
	for (unsigned k = 0; k < r->n; k++) {
		struct net_port *p = r->port[k];
		net_l2_build_hello(frame, bcast, p->mac, r->id[k], r->nb[k].heard ? HEARD_YOU : 0, r->serial[k]);
		p->ops->tx(p, frame, NET_L2_HELLO_LEN, 0);
	}
}

unsigned net_l2_discover(struct net_l2_run *r, struct deadline d)
{
	memset(r->nb, 0, sizeof r->nb);
	r->round = 0;
	struct deadline next = deadline_in_ms(0);
	/* Once everyone is settled, go on announcing briefly so the neighbour settles too. */
	bool settled = false;
	struct deadline linger = d;
	while (!deadline_passed(d)) {
		if (deadline_passed(next)) {
			send_hellos(r);
			next = deadline_in_ms(HELLO_EVERY_MS);
		}
		if (!poll_all(r, true))
			cpu_relax();
		if (!settled && discovered(r)) {
			settled = true;
			send_hellos(r);
			linger = deadline_in_ms(LINGER_MS);
		}
		if (settled && deadline_passed(linger))
			break;
	}
	unsigned found = 0;
	for (unsigned k = 0; k < r->n; k++)
		found += r->nb[k].heard;
	return found;
}

/* DATA frames port k sends in a burst of count. */
static uint32_t target(const struct net_l2_run *r, unsigned k, uint32_t count) { return r->rx_only[k] ? 0 : count; }

static bool burst_over(const struct net_l2_run *r, uint32_t count)
{
	for (unsigned k = 0; k < r->n; k++)
		if (r->active[k] && (r->st[k].sent < target(r, k, count) || !r->st[k].peer_done))
			return false;
	return true;
}

/* DONE to every active port's neighbour (when all_sent), READY to those not heard in
 * this round yet. */
static void send_control(struct net_l2_run *r, bool all_sent)
{
	uint8_t *frame = frame_of(r);
	for (unsigned k = 0; k < r->n; k++) {
		if (!r->active[k])
			continue;
		struct net_port *p = r->port[k];
		if (all_sent)
			net_l2_build(frame, CTL_LEN, r->nb[k].mac, p->mac, NET_L2_DONE, r->round, r->id[k], r->st[k].sent, 0);
		else if (!ready_of(&r->st[k]))
			net_l2_build(frame, CTL_LEN, r->nb[k].mac, p->mac, NET_L2_READY, r->round, r->id[k], 0, 0);
		else
			continue;
		p->ops->tx(p, frame, CTL_LEN, 0);
	}
}

/* One turn of the sender: a batch of DATA to every active port whose neighbour is ready.
 * True when every active port has sent all. */
static bool send_turn(struct net_l2_run *r, uint32_t count, unsigned len, uint64_t seed)
{
	uint8_t *frame = frame_of(r);
	bool all_sent = true;
	for (unsigned k = 0; k < r->n; k++) {
		struct net_l2_stats *s = &r->st[k];
		uint32_t sent = sent_of(s);
		if (!r->active[k] || sent >= target(r, k, count))
			continue;
		if (!ready_of(s)) {
			all_sent = false;
			continue;
		}
		struct net_port *p = r->port[k];
		if (!sent)
			s->tx_start_ns = time_ns();
		for (unsigned b = 0; b < TX_BATCH && sent < count; b++) {
			uint64_t t0 = rdtsc();
			net_l2_build(frame, len, r->nb[k].mac, p->mac, NET_L2_DATA, sent, r->id[k], r->round, seed);
			uint64_t t1 = rdtsc();
			int e = p->ops->tx(p, frame, len, NET_TX_MORE);
			r->prof.build += t1 - t0;
			r->prof.queue += rdtsc() - t1;
			r->prof.built++;
			if (e < 0) {
				s->tx_err = e;
				break;
			}
			sent++;
			s->tx_bytes += len;
		}
		__atomic_store_n(&s->sent, sent, __ATOMIC_RELEASE);
		uint64_t t0 = rdtsc();
		net_port_flush(p);
		r->prof.doorbell += rdtsc() - t0;
		if (sent == count)
			s->tx_end_ns = time_ns();
		else
			all_sent = false;
	}
	return all_sent;
}

static void control_due(struct net_l2_run *r, bool all_sent, struct deadline *next_ctl)
{
	if (!deadline_passed(*next_ctl))
		return;
	uint64_t t0 = rdtsc();
	send_control(r, all_sent);
	r->prof.control += rdtsc() - t0;
	*next_ctl = deadline_in_ms(DONE_EVERY_MS);
}

struct sender {
	struct net_l2_run *r;
	uint32_t count;
	unsigned len;
	uint64_t seed;
	struct deadline d;
	volatile int stop;   /* set by the receiving CPU once its linger is over */
};

/* The sender on a CPU of its own: DATA, READY and DONE (every transmit of the run goes
 * from here, so a port's TX ring has one writer) until told to stop. */
static void sender_run(void *arg)
{
	struct sender *x = arg;
	struct deadline next_ctl = deadline_in_ms(0);
	while (!x->stop && !deadline_passed(x->d)) {
		bool all_sent = send_turn(x->r, x->count, x->len, x->seed);
		control_due(x->r, all_sent, &next_ctl);
		if (all_sent)
			cpu_relax();
	}
}

static bool burst_over_shared(const struct net_l2_run *r, uint32_t count)
{
	for (unsigned k = 0; k < r->n; k++)
		if (r->active[k] && (sent_of(&r->st[k]) < target(r, k, count) || !r->st[k].peer_done))
			return false;
	return true;
}

int net_l2_burst(struct net_l2_run *r, uint32_t count, unsigned len, uint64_t seed, struct deadline d)
{
	return net_l2_burst_on(r, count, len, seed, d, 0);
}

int net_l2_burst_on(struct net_l2_run *r, uint32_t count, unsigned len, uint64_t seed, struct deadline d,
		    const struct net_l2_cpu *cpu)
{
	if (count > NET_L2_BURST_MAX || len < NET_L2_MIN_FRAME || len > FRAME_MAX)
		return -1;
	uint8_t **seen = seen_of(r);
	r->round++;
	for (unsigned k = 0; k < r->n; k++) {
		memset(&r->st[k], 0, sizeof r->st[k]);
		r->st[k].first_corrupt_seq = -1;
		if (!seen[k] && !(seen[k] = page_alloc((BITMAP_BYTES + PMM_PAGE - 1) / PMM_PAGE)))
			return -1;
		memset(seen[k], 0, BITMAP_BYTES);
	}
	memset(&r->prof, 0, sizeof r->prof);
	uint64_t t_start = rdtsc();
	static struct sender x;
	x = (struct sender){r, count, len, seed, d, 0};
	r->prof.split = cpu && cpu->start(cpu->ctx, sender_run, &x) == 0;
	bool over = false;
	if (r->prof.split) {
		/* this CPU receives; the sender runs on the other until the linger is over */
		while (!(over = burst_over_shared(r, count)) && !deadline_passed(d))
			if (!poll_all(r, false))
				cpu_relax();
		r->prof.total = rdtsc() - t_start;
		struct deadline linger = deadline_in_ms(LINGER_MS);
		while (!deadline_passed(linger) && !deadline_passed(d))
			if (!poll_all(r, false))
				cpu_relax();
		x.stop = 1;
		if (cpu->wait(cpu->ctx) < 0)
			return -1;
		return over ? 0 : -1;
	}
	struct deadline next_ctl = deadline_in_ms(0);
	while (!(over = burst_over(r, count)) && !deadline_passed(d)) {
		bool all_sent = send_turn(r, count, len, seed);
		poll_all(r, false);
		control_due(r, all_sent, &next_ctl);
	}
	r->prof.total = rdtsc() - t_start;
	/* Our neighbours may still be waiting for our DONE. */
	struct deadline linger = deadline_in_ms(LINGER_MS);
	while (!deadline_passed(linger) && !deadline_passed(d)) {
		control_due(r, true, &next_ctl);
		if (!poll_all(r, false))
			cpu_relax();
	}
	return over ? 0 : -1;
}
