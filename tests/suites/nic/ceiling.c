/* Suite `nicbench` (explicit: `make bench` selects it): the model's own ceiling for the NIC
 * figures, measured two ways with the least guest work, and the better of the two is the
 * bound (`ceiling-*`):
 *  - rounds (`ceiling-rounds-*`): for every cabled pair, rounds of one full TX ring
 *    (NIC_TX_ENTRIES pre-built frames queued without a doorbell) released by one doorbell;
 *    the time until the receiver's RX write-back word shows every frame delivered is the
 *    device's alone: the guest only spins on host memory meanwhile. Each round starts and
 *    ends with the pipeline empty (the doorbell's wake-up, the last frame's way through).
 *  - steady stream (`ceiling-stream-*`): the TX ring kept topped up with the pre-built
 *    frame (room read from the TX write-back word, one doorbell per batch, at most
 *    STREAM_FLIGHT frames in flight), the receiver only counts what it takes, and the rate is taken from the first frame
 *    received to the last, as the burst takes it. A burst that streams could beat a
 *    round-by-round figure (it did, at 60 B both ways: ratios above 1), so the rounds alone
 *    were no strict bound; the stream measures what the burst does minus the guest's
 *    per-frame work.
 * A burst (nic-pair-burst, nicbench-burst-oneway) or lwIP TCP (net-nic-tcp) figure divided
 * by this ceiling is what the guest's own per-frame work costs. Measures per direction and
 * frame size: kpps and Mb/s. The both-ways burst is read against ceiling2-* (both
 * directions of a cable at once, again rounds and stream, the better one): the model moves
 * every port's frames in one thread (its main loop), so each way gets about half. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 10000u
#define ROUNDS 40u
#define ROUND_MS 5000u
#define STREAM_FRAMES (ROUNDS * NIC_TX_ENTRIES)
#define STREAM_BATCH 32u   /* frames per doorbell, as the burst */
#define STREAM_MS 30000u
/* Frames in flight, end to end: a full TX ring, a full RX ring and as much again queued in
 * the model's netdevs, as a burst can have (at a RX ring's worth, 256, the stream ran below
 * the both-ways burst: no bound). */
#define STREAM_FLIGHT (2u * (NIC_TX_ENTRIES + NIC_RX_ENTRIES))

static const unsigned sizes[] = {NET_ETH_MIN_FRAME, KILN_NIC_MTU_DEFAULT + NET_ETH_HDR};
static uint8_t frame[KILN_NIC_MTU_DEFAULT + NET_ETH_OVERHEAD];
static uint8_t frame2[KILN_NIC_MTU_DEFAULT + NET_ETH_OVERHEAD];

static void discard(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx, (void)f, (void)len;
}

/* Take what is in the ring (a ring's worth at most: nothing else is sending). */
static void drain_rx(struct net_port *rx)
{
	for (unsigned k = 0; k < 2 && rx->ops->rx_poll(rx, NIC_RX_ENTRIES, discard, 0); k++)
		;
	nic_rx_refill(nic_of(rx));
}

static bool queue_ring(struct kt *t, struct nic_port *tx, const uint8_t *f, unsigned size)
{
	if (nic_tx_drain(tx, ROUND_MS) != ACCEL_OK) {
		kt_fail(t, "%s: TX queue did not drain within %u ms", nic_name(tx), ROUND_MS);
		return false;
	}
	for (unsigned k = 0; k < NIC_TX_ENTRIES; k++)
		if (tx->port.ops->tx(&tx->port, f, size, NET_TX_MORE) < 0) {
			kt_fail(t, "%s: frame %u of a round refused", nic_name(tx), k);
			return false;
		}
	return true;
}

/* One direction of a ceiling measurement: what it sends, and what came of it. */
struct dir {
	struct nic_port *tx, *rx;
	const uint8_t *frame;
	uint64_t frames, ns;      /* measured: frames over ns of device time */
	uint32_t sent, got, got_first;
	uint64_t first_ns, last_ns;
};

/* Rounds: a full ring each way, the doorbells, until every receiver's write-back word
 * shows every frame. */
static bool rounds(struct kt *t, struct dir *d, unsigned nd, unsigned size)
{
	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned k = 0; k < nd; k++)
			drain_rx(&d[k].rx->port);
		for (unsigned k = 0; k < nd; k++)
			if (!queue_ring(t, d[k].tx, d[k].frame, size))
				return false;
		struct deadline dl = deadline_in_ms(ROUND_MS);
		uint64_t t0 = time_ns();
		for (unsigned k = 0; k < nd; k++)
			nic_tx_flush(d[k].tx);
		bool all = false;
		while (!all && !deadline_passed(dl)) {
			all = true;
			for (unsigned k = 0; k < nd; k++)
				all = all && nic_rx_pending(d[k].rx) >= NIC_TX_ENTRIES;
		}
		uint64_t t1 = time_ns();
		for (unsigned k = 0; k < nd; k++)
			if (nic_rx_pending(d[k].rx) < NIC_TX_ENTRIES) {
				kt_fail(t, "%s -> %s (%u B, rounds): %u of %u frames delivered within %u ms", nic_name(d[k].tx),
					nic_name(d[k].rx), size, nic_rx_pending(d[k].rx), NIC_TX_ENTRIES, ROUND_MS);
				return false;
			}
		for (unsigned k = 0; k < nd; k++) {
			d[k].ns += t1 - t0;
			d[k].frames += NIC_TX_ENTRIES;
		}
	}
	for (unsigned k = 0; k < nd; k++)
		drain_rx(&d[k].rx->port);
	return true;
}

/* Steady stream: every sender's ring kept topped up, the receivers only count. */
static bool stream(struct kt *t, struct dir *d, unsigned nd, unsigned size)
{
	for (unsigned k = 0; k < nd; k++)
		drain_rx(&d[k].rx->port);
	struct deadline dl = deadline_in_ms(STREAM_MS);
	for (;;) {
		bool done = true;
		for (unsigned k = 0; k < nd; k++) {
			struct dir *x = &d[k];
			/* at most STREAM_FLIGHT frames in flight end to end: the model's wire has no
			 * flow control (QEMU's netdev queue drops past 10000 frames) */
			uint32_t room = nic_tx_room(x->tx), flight = STREAM_FLIGHT - (x->sent - x->got);
			room = room < flight ? room : flight;
			for (uint32_t b = 0; b < room && b < STREAM_BATCH && x->sent < STREAM_FRAMES; b++, x->sent++)
				if (x->tx->port.ops->tx(&x->tx->port, x->frame, size, NET_TX_MORE) < 0) {
					kt_fail(t, "%s: frame %u of the stream refused", nic_name(x->tx), x->sent);
					return false;
				}
			nic_tx_flush(x->tx);
			unsigned n = x->rx->port.ops->rx_poll(&x->rx->port, NIC_RX_ENTRIES, discard, 0);
			if (n) {
				uint64_t now = time_ns();
				if (!x->got) {
					x->first_ns = now;
					x->got_first = n; /* arrived before the clock started */
				}
				x->got += n;
				x->last_ns = now;
			}
			done = done && x->got >= STREAM_FRAMES;
		}
		if (done)
			break;
		if (deadline_passed(dl)) {
			for (unsigned k = 0; k < nd; k++)
				if (d[k].got < STREAM_FRAMES)
					kt_fail(t, "%s -> %s (%u B, stream): %u of %u frames delivered within %u ms",
						nic_name(d[k].tx), nic_name(d[k].rx), size, d[k].got, STREAM_FRAMES, STREAM_MS);
			return false;
		}
	}
	for (unsigned k = 0; k < nd; k++) {
		d[k].frames = d[k].got - d[k].got_first;
		d[k].ns = d[k].last_ns - d[k].first_ns;
	}
	return true;
}

static void measure(struct kt *t, const char *what, struct nic_port *tx, struct nic_port *rx, unsigned size,
		    uint64_t frames, uint64_t device_ns)
{
	uint64_t kpps = device_ns ? frames * NS_PER_S / 1000u / device_ns : 0;
	uint64_t mbps = device_ns ? frames * size * 8u * 1000u / device_ns : 0;
	char name[96];
	ksnprintf(name, sizeof name, "%s-%s-to-%s-%uB-kpps", what, nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)kpps, 0, "kpps");
	ksnprintf(name, sizeof name, "%s-%s-to-%s-%uB-mbps", what, nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)mbps, 0, "Mb/s");
}

static uint64_t kpps_of(const struct dir *x) { return x->ns ? x->frames * NS_PER_S / 1000u / x->ns : 0; }

/* Both ways of measuring, for nd directions at once (1: one way, 2: both ways of a cable);
 * what (ceiling, ceiling2) names the figures: <what>-rounds-*, <what>-stream-*, and <what>-*
 * the better of the two. */
static void ceiling(struct kt *t, const char *what, struct dir *in, unsigned nd, unsigned size)
{
	struct dir r[2], s[2];
	for (unsigned k = 0; k < nd; k++)
		r[k] = s[k] = (struct dir){.tx = in[k].tx, .rx = in[k].rx, .frame = in[k].frame};
	if (!rounds(t, r, nd, size) || !stream(t, s, nd, size))
		return;
	char name[32];
	for (unsigned k = 0; k < nd; k++) {
		const struct dir *best = kpps_of(&s[k]) > kpps_of(&r[k]) ? &s[k] : &r[k];
		kt_diag(t, "%s -> %s (%u B%s): model ceiling %llu kpps (rounds %llu, steady stream %llu: %llu frames in %llu us)",
			nic_name(in[k].tx), nic_name(in[k].rx), size, nd > 1 ? ", both ways at once" : "",
			(unsigned long long)kpps_of(best), (unsigned long long)kpps_of(&r[k]), (unsigned long long)kpps_of(&s[k]),
			(unsigned long long)s[k].frames, (unsigned long long)(s[k].ns / NS_PER_US));
		ksnprintf(name, sizeof name, "%s-rounds", what);
		measure(t, name, r[k].tx, r[k].rx, size, r[k].frames, r[k].ns);
		ksnprintf(name, sizeof name, "%s-stream", what);
		measure(t, name, s[k].tx, s[k].rx, size, s[k].frames, s[k].ns);
		measure(t, what, best->tx, best->rx, size, best->frames, best->ns);
	}
}

static void blast(struct kt *t, struct nic_port *tx, struct nic_port *rx, const uint8_t dst[6], unsigned size)
{
	net_l2_build(frame, size, dst, tx->port.mac, NET_L2_DATA, 0, 0, 0, 0);
	struct dir d = {.tx = tx, .rx = rx, .frame = frame};
	ceiling(t, "ceiling", &d, 1, size);
}

/* Both directions of a cable at once. */
static void blast_both(struct kt *t, struct nic_port *a, struct nic_port *b, const uint8_t b_mac[6], unsigned size)
{
	net_l2_build(frame, size, b_mac, a->port.mac, NET_L2_DATA, 0, 0, 0, 0);
	net_l2_build(frame2, size, a->port.mac, b_mac, NET_L2_DATA, 0, 0, 0, 0);
	struct dir d[2] = {{.tx = a, .rx = b, .frame = frame}, {.tx = b, .rx = a, .frame = frame2}};
	ceiling(t, "ceiling2", d, 2, size);
}

static void blast_sizes(struct kt *t, struct nic_port *tx, struct nic_port *rx, const uint8_t dst[6], void *ctx)
{
	(void)ctx;
	for (unsigned z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
		blast(t, tx, rx, dst, sizes[z]);
	/* each cable is seen from both ends: both ways at once from the lower-numbered one */
	if (tx->a->index < rx->a->index || (tx->a == rx->a && tx->idx < rx->idx))
		for (unsigned z = 0; z < sizeof sizes / sizeof sizes[0] && !kt_failed(t); z++)
			blast_both(t, tx, rx, dst, sizes[z]);
}

static void nicbench_ceiling(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	nic_set_irq_hold(t, &s, true); /* as the bursts it bounds */
	unsigned pairs = nic_set_local_pairs(&s, DISCOVER_MS, blast_sizes, t, 0);
	nic_set_irq_hold(t, &s, false);
	if (!pairs)
		kt_skip(t, "no two ports of this machine are cabled to each other");
	nic_set_close(&s);
}

void nicbench_burst_oneway(struct kt *t); /* oneway.c */

static const struct kt_case cases[] = {
	{"nicbench-ceiling", nicbench_ceiling, 240},
	{"nicbench-burst-oneway", nicbench_burst_oneway, 300},
};

KT_SUITE(nicbench, KT_SUITE_EXPLICIT);
