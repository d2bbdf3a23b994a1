/* nic-mac-loopback: in MAC loopback every port returns each frame it sends, from the
 * Ethernet minimum to the MTU (standard and jumbo), byte for byte, and the driver recovers
 * each frame's length from its headers. nic-counters: the port's hardware counters agree
 * exactly with what was sent and received. */
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define FRAME_WAIT_MS 200u
#define RANDOM_SIZES 8u
#define COUNTER_FRAMES 100u
#define JUMBO_MTU 9000u

static uint8_t tx_frame[NET_MTU_MAX + NET_ETH_OVERHEAD];

struct rx_one {
	uint8_t buf[NET_MTU_MAX + NET_ETH_OVERHEAD];
	size_t len;
	unsigned count;
};
static struct rx_one rx;

static void take(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	if (!rx.count++ && len <= sizeof rx.buf) {
		memcpy(rx.buf, frame, len);
		rx.len = len;
	}
}

/* Send one frame and take it back. 0 when it came back identical. */
static int echo_one(struct kt *t, struct nic_port *n, size_t len, uint32_t seq, uint64_t seed)
{
	struct net_port *p = &n->port;
	net_l2_build(tx_frame, len, p->mac, p->mac, NET_L2_DATA, seq, 0, 0, seed);
	int e = p->ops->tx(p, tx_frame, len, 0);
	if (e < 0) {
		kt_fail(t, "%s: mtu %u: a %zu-byte frame was refused: %s", nic_name(n), p->mtu, len, net_strerror(e));
		return -1;
	}
	rx.count = 0;
	rx.len = 0;
	struct deadline d = deadline_in_ms(FRAME_WAIT_MS);
	while (!rx.count && !deadline_passed(d))
		p->ops->rx_poll(p, 1, take, 0);
	if (!rx.count) {
		kt_fail(t, "%s: mtu %u: the %zu-byte frame did not come back within %u ms (unparsed=%llu)", nic_name(n),
			p->mtu, len, FRAME_WAIT_MS, (unsigned long long)n->sw.rx_unparsed);
		return -1;
	}
	if (rx.len != len) {
		kt_fail(t, "%s: mtu %u: sent %zu bytes, the driver recovered a length of %zu", nic_name(n), p->mtu, len,
			rx.len);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (rx.buf[i] != tx_frame[i]) {
			kt_fail(t, "%s: mtu %u: %zu-byte frame differs at byte %zu: sent 0x%02x, got 0x%02x", nic_name(n),
				p->mtu, len, i, tx_frame[i], rx.buf[i]);
			return -1;
		}
	return 0;
}

static void sweep(struct kt *t, struct nic_port *n, uint64_t seed)
{
	size_t max = net_port_max_frame(&n->port) - 4u; /* untagged: MTU + 14 */
	static const size_t fixed[] = {NET_ETH_MIN_FRAME, 64, 65, 127, 128, 255, 256, 511, 512, 1000, 1024, 1280, KILN_NIC_MTU_DEFAULT + NET_ETH_HDR};
	unsigned ok = 0, tried = 0;
	for (unsigned k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		if (fixed[k] > max)
			continue;
		tried++;
		ok += echo_one(t, n, fixed[k], tried, seed) == 0;
	}
	for (unsigned k = 0; k < RANDOM_SIZES; k++) {
		size_t len = NET_ETH_MIN_FRAME + (size_t)(kt_rand(t) % (max - NET_ETH_MIN_FRAME + 1));
		tried++;
		ok += echo_one(t, n, len, tried, seed) == 0;
	}
	tried++;
	ok += echo_one(t, n, max, tried, seed) == 0;
	kt_diag(t, "%s: mtu %u: %u of %u frames from %u to %zu bytes came back intact", nic_name(n), n->port.mtu, ok,
		tried, NET_ETH_MIN_FRAME, max);
}

void nic_mac_loopback(struct kt *t)
{
	static const uint16_t mtus[] = {1500, JUMBO_MTU};
	uint64_t seed = kt_rand(t);
	for (unsigned m = 0; m < sizeof mtus / sizeof mtus[0]; m++) {
		struct nic_set s;
		if (!nic_set_open(t, &s, true))
			return;
		for (unsigned k = 0; k < s.n; k++) {
			struct nic_port *n = s.p[k];
			char why[160];
			struct nic_open_cfg cfg = {.mtu = mtus[m], .loopback = true};
			if (nic_open(n, &cfg, why, sizeof why) != ACCEL_OK) {
				kt_fail(t, "%s", why);
				continue;
			}
			if (nic_link_wait(n, true, NIC_LINK_WAIT_MS) != ACCEL_OK) {
				kt_fail(t, "%s: no link in MAC loopback after %u ms", nic_name(n), NIC_LINK_WAIT_MS);
				continue;
			}
			sweep(t, n, seed);
		}
		nic_set_close(&s);
	}
}

void nic_counters(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, true))
		return;
	uint64_t seed = kt_rand(t);
	for (unsigned k = 0; k < s.n; k++) {
		struct nic_port *n = s.p[k];
		if (nic_link_wait(n, true, NIC_LINK_WAIT_MS) != ACCEL_OK) {
			kt_fail(t, "%s: no link in MAC loopback after %u ms", nic_name(n), NIC_LINK_WAIT_MS);
			continue;
		}
		nic_hw_counters_clear(n);
		uint64_t bytes = 0;
		unsigned sent = 0;
		for (unsigned f = 0; f < COUNTER_FRAMES; f++) {
			size_t len = NET_ETH_MIN_FRAME + (size_t)(kt_rand(t) % (net_port_max_frame(&n->port) - 4u - NET_ETH_MIN_FRAME));
			if (echo_one(t, n, len, f, seed) < 0)
				break;
			sent++;
			bytes += len;
		}
		struct nic_hw_counters c;
		nic_hw_counters(n, &c);
		if (c.tx_frames != sent || c.tx_bytes != (uint32_t)bytes || c.rx_frames != sent ||
		    c.rx_bytes != (uint32_t)bytes || c.tx_drop || c.rx_drop || c.rx_crc_err || c.rx_filtered)
			kt_fail(t, "%s: sent and got back %u frames / %llu bytes; counters say tx %u / %u B, rx %u / %u B, "
				"tx_drop %u rx_drop %u crc %u filtered %u", nic_name(n), sent, (unsigned long long)bytes,
				c.tx_frames, c.tx_bytes, c.rx_frames, c.rx_bytes, c.tx_drop, c.rx_drop, c.rx_crc_err,
				c.rx_filtered);
		else
			kt_diag(t, "%s: %u frames / %llu bytes each way, counters agree", nic_name(n), sent,
				(unsigned long long)bytes);
		nic_hw_counters_clear(n);
		struct nic_hw_counters z;
		nic_hw_counters(n, &z);
		if (z.tx_frames || z.rx_frames || z.tx_bytes || z.rx_bytes)
			kt_fail(t, "%s: CLEAR_COUNTERS left tx %u rx %u frames", nic_name(n), z.tx_frames, z.rx_frames);
	}
	nic_set_close(&s);
}
