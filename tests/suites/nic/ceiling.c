/* Suite `nicbench` (explicit: `make bench` selects it): the model's own ceiling for the NIC
 * figures. For every cabled pair, rounds of one full TX ring (NIC_TX_ENTRIES pre-built
 * frames queued without a doorbell) are released by one doorbell, and the time until the
 * receiver's RX write-back word shows every frame delivered is the device's alone: the
 * guest only spins on host memory meanwhile (no register reads that would stall the
 * model). A burst (nic-pair-burst) or lwIP TCP (net-nic-tcp) figure divided by this
 * ceiling is what the guest's own per-frame work costs. Measures per direction and frame
 * size: kpps and Mb/s. The burst sends both ways at once, and the model moves every port's
 * frames in one thread (its main loop), so each direction of a cable is also measured with
 * the other one running (ceiling2-*): the model's own figure for the burst's traffic. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 10000u
#define ROUNDS 40u
#define ROUND_MS 5000u

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

static void blast(struct kt *t, struct nic_port *tx, struct nic_port *rx, const uint8_t dst[6], unsigned size)
{
	net_l2_build(frame, size, dst, tx->port.mac, NET_L2_DATA, 0, 0, 0, 0);
	uint64_t device_ns = 0, frames = 0;
	for (unsigned round = 0; round < ROUNDS; round++) {
		drain_rx(&rx->port);
		if (nic_tx_drain(tx, ROUND_MS) != ACCEL_OK) {
			kt_fail(t, "%s: TX queue did not drain within %u ms", nic_name(tx), ROUND_MS);
			return;
		}
		for (unsigned k = 0; k < NIC_TX_ENTRIES; k++)
			if (tx->port.ops->tx(&tx->port, frame, size, NET_TX_MORE) < 0) {
				kt_fail(t, "%s: frame %u of a round refused", nic_name(tx), k);
				return;
			}
		struct deadline d = deadline_in_ms(ROUND_MS);
		uint64_t t0 = time_ns();
		nic_tx_flush(tx);
		while (nic_rx_pending(rx) < NIC_TX_ENTRIES && !deadline_passed(d))
			cpu_relax();
		uint64_t t1 = time_ns();
		if (nic_rx_pending(rx) < NIC_TX_ENTRIES) {
			kt_fail(t, "%s -> %s (%u B): %u of %u frames delivered within %u ms", nic_name(tx), nic_name(rx), size,
				nic_rx_pending(rx), NIC_TX_ENTRIES, ROUND_MS);
			return;
		}
		device_ns += t1 - t0;
		frames += NIC_TX_ENTRIES;
	}
	drain_rx(&rx->port);
	uint64_t kpps = frames * NS_PER_S / 1000u / device_ns, mbps = frames * size * 8u * 1000u / device_ns;
	kt_diag(t, "%s -> %s (%u B): model ceiling %llu kpps %llu Mb/s (%llu frames in %llu us of device time)",
		nic_name(tx), nic_name(rx), size, (unsigned long long)kpps, (unsigned long long)mbps,
		(unsigned long long)frames, (unsigned long long)(device_ns / NS_PER_US));
	char name[96];
	ksnprintf(name, sizeof name, "ceiling-%s-to-%s-%uB-kpps", nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)kpps, 0, "kpps");
	ksnprintf(name, sizeof name, "ceiling-%s-to-%s-%uB-mbps", nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)mbps, 0, "Mb/s");
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

static void measure(struct kt *t, const char *what, struct nic_port *tx, struct nic_port *rx, unsigned size,
		    uint64_t frames, uint64_t device_ns)
{
	uint64_t kpps = frames * NS_PER_S / 1000u / device_ns, mbps = frames * size * 8u * 1000u / device_ns;
	char name[96];
	ksnprintf(name, sizeof name, "%s-%s-to-%s-%uB-kpps", what, nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)kpps, 0, "kpps");
	ksnprintf(name, sizeof name, "%s-%s-to-%s-%uB-mbps", what, nic_name(tx), nic_name(rx), size);
	kt_measure(t, name, (int64_t)mbps, 0, "Mb/s");
}

/* Both directions of a cable at once: a ring's worth each way, both doorbells, until both
 * receivers' write-back words show every frame. */
static void blast_both(struct kt *t, struct nic_port *a, struct nic_port *b, const uint8_t b_mac[6], unsigned size)
{
	net_l2_build(frame, size, b_mac, a->port.mac, NET_L2_DATA, 0, 0, 0, 0);
	net_l2_build(frame2, size, a->port.mac, b_mac, NET_L2_DATA, 0, 0, 0, 0);
	uint64_t device_ns = 0, frames = 0;
	for (unsigned round = 0; round < ROUNDS; round++) {
		drain_rx(&a->port);
		drain_rx(&b->port);
		if (!queue_ring(t, a, frame, size) || !queue_ring(t, b, frame2, size))
			return;
		struct deadline d = deadline_in_ms(ROUND_MS);
		uint64_t t0 = time_ns();
		nic_tx_flush(a);
		nic_tx_flush(b);
		while ((nic_rx_pending(a) < NIC_TX_ENTRIES || nic_rx_pending(b) < NIC_TX_ENTRIES) && !deadline_passed(d))
			cpu_relax();
		uint64_t t1 = time_ns();
		if (nic_rx_pending(a) < NIC_TX_ENTRIES || nic_rx_pending(b) < NIC_TX_ENTRIES) {
			kt_fail(t, "%s <-> %s (%u B): %u and %u of %u frames delivered within %u ms", nic_name(a), nic_name(b),
				size, nic_rx_pending(b), nic_rx_pending(a), NIC_TX_ENTRIES, ROUND_MS);
			return;
		}
		device_ns += t1 - t0;
		frames += NIC_TX_ENTRIES;
	}
	drain_rx(&a->port);
	drain_rx(&b->port);
	kt_diag(t, "%s <-> %s (%u B): model ceiling both ways at once %llu kpps each way (%llu frames each way in %llu us)",
		nic_name(a), nic_name(b), size, (unsigned long long)(frames * NS_PER_S / 1000u / device_ns),
		(unsigned long long)frames, (unsigned long long)(device_ns / NS_PER_US));
	measure(t, "ceiling2", a, b, size, frames, device_ns);
	measure(t, "ceiling2", b, a, size, frames, device_ns);
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
	if (!nic_set_local_pairs(&s, DISCOVER_MS, blast_sizes, t, 0))
		kt_skip(t, "no two ports of this machine are cabled to each other");
	nic_set_close(&s);
}

void nicbench_burst_oneway(struct kt *t); /* oneway.c */

static const struct kt_case cases[] = {
	{"nicbench-ceiling", nicbench_ceiling, 120},
	{"nicbench-burst-oneway", nicbench_burst_oneway, 300},
};

KT_SUITE(nicbench, KT_SUITE_EXPLICIT);
