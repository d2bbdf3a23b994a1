/* nic-mac-filter: each port's receive filter follows its MAC register. For every cabled
 * pair, frames from one end to the other's MAC and to broadcast arrive; a frame to another
 * unicast address is refused and counted (CNT_RX_FILTERED) unless the port is
 * promiscuous; after the MAC register is reprogrammed, the new address is accepted and
 * the old one refused. The port's MAC is restored afterwards. */
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 10000u
#define PROBE_WAIT_MS 200u
#define PROBE_LEN NET_ETH_MIN_FRAME
#define LOCAL_ADMIN 0x02u  /* locally administered, unicast */
#define OTHER_XOR 0x5au

static uint8_t frame[PROBE_LEN];
static uint32_t probe_seq;

static void match(void *ctx, const uint8_t *f, size_t len)
{
	bool *got = ctx;
	struct net_l2_info info;
	bool ok;
	if (net_l2_parse(f, len, &info, &ok) && ok && info.kind == NET_L2_DATA && info.seq == probe_seq)
		*got = true;
}

/* Send one probe from a to `dst` and report whether b delivered it (and, if not, whether its
 * filter counted it). */
static bool probe(struct nic_port *a, struct nic_port *b, const uint8_t dst[NET_MAC_LEN], bool *filtered)
{
	struct nic_hw_counters c0, c1;
	nic_hw_counters(b, &c0);
	probe_seq++;
	net_l2_build(frame, PROBE_LEN, dst, a->port.mac, NET_L2_DATA, probe_seq, 0, 0, 0);
	a->port.ops->tx(&a->port, frame, PROBE_LEN, 0);
	bool got = false;
	struct deadline d = deadline_in_ms(PROBE_WAIT_MS);
	*filtered = false;
	while (!got && !deadline_passed(d)) {
		b->port.ops->rx_poll(&b->port, NIC_RX_ENTRIES, match, &got);
		nic_hw_counters(b, &c1);
		if (c1.rx_filtered != c0.rx_filtered) {
			*filtered = true;
			break;
		}
	}
	return got;
}

static void check(struct kt *t, struct nic_port *a, struct nic_port *b, const uint8_t dst[NET_MAC_LEN], bool want,
		  const char *what)
{
	bool filtered;
	bool got = probe(a, b, dst, &filtered);
	if (got != want || (!want && !filtered))
		kt_fail(t, "%s -> %s: a frame to %s (%02x:%02x:%02x:%02x:%02x:%02x) was %s%s, expected %s", nic_name(a),
			nic_name(b), what, dst[0], dst[1], dst[2], dst[3], dst[4], dst[5], got ? "delivered" : "not delivered",
			got ? "" : (filtered ? " (counted as filtered)" : " and not counted as filtered"),
			want ? "delivered" : "refused and counted");
}

static void pair(struct kt *t, struct nic_port *a, struct nic_port *b, const uint8_t b_mac[6], void *ctx)
{
	(void)b_mac, (void)ctx;
	static const uint8_t bcast[NET_MAC_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t own[NET_MAC_LEN], other[NET_MAC_LEN];
	memcpy(own, b->port.mac, NET_MAC_LEN);
	memcpy(other, own, NET_MAC_LEN);
	other[0] = (uint8_t)((other[0] | LOCAL_ADMIN) & ~1u);
	other[NET_MAC_LEN - 1] ^= OTHER_XOR;
	unsigned before = kt_failed(t);
	check(t, a, b, own, true, "its MAC");
	check(t, a, b, bcast, true, "broadcast");
	check(t, a, b, other, false, "another unicast address");
	nic_set_promisc(b, true);
	check(t, a, b, other, true, "another unicast address in promiscuous mode");
	nic_set_promisc(b, false);
	nic_set_mac(b, other);
	check(t, a, b, other, true, "its newly programmed MAC");
	check(t, a, b, own, false, "its previous MAC");
	nic_set_mac(b, own);
	check(t, a, b, own, true, "its restored MAC");
	if (!before && !kt_failed(t))
		kt_diag(t, "%s -> %s: MAC, broadcast, filtered unicast, promiscuous, reprogrammed MAC: as expected",
			nic_name(a), nic_name(b));
}

void nic_mac_filter(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	if (!nic_set_local_pairs(&s, DISCOVER_MS, pair, t, 0))
		kt_skip(t, "no two ports of this machine are cabled to each other");
	nic_set_close(&s);
}
