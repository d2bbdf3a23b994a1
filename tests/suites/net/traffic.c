/* Shared traffic checks of suite net. */
#include "tests/suites/net/traffic.h"

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "lwip/etharp.h"
#include "lwip/tcp.h"
#include "kernel/time.h"
#include "net/cycles.h"
#include "net/ping.h"
#include "net/stack.h"
#include "net/tcpbulk.h"
#include "net/udpseq.h"

#define PING_WAIT_MS 500u
#define PING_FRAGMENTED 4000u
#define RESOLVE_TRIES 5u  /* the path may be lossy on purpose */
#define UDP_SEND_MS 30000u
#define UDP_SETTLE_MS 300u
#define TCP_FIN_WAIT_MS 2000u
#define MEASURE_NAME 96

static void measure(struct kt *t, const struct path *p, const char *what, int64_t v, const char *unit)
{
	char name[MEASURE_NAME];
	ksnprintf(name, sizeof name, "%s-%s", p->tag, what);
	kt_measure(t, name, v, 0, unit);
}

void traffic_ping(struct kt *t, const struct path *p, unsigned count)
{
	/* the last is fragmented by the sender and reassembled by the receiver, both ways */
	static const unsigned sizes[] = {0, 56, 1000, NET_PING_PAYLOAD_UNFRAGMENTED, PING_FRAGMENTED};
	for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct net_ping_result r;
		if (net_ping(p->src, p->dst, count, sizes[k], PING_WAIT_MS, kt_rand(t), &r) < 0) {
			kt_fail(t, "%s: no raw PCB for ICMP", p->from);
			return;
		}
		if (r.received != count || r.bad_payload || r.unexpected)
			kt_fail(t, "%s -> %s echo %u bytes: sent=%u received=%u lost=%u bad_payload=%u unexpected=%u "
				"send_err=%d", p->from, p->to, sizes[k], r.sent, r.received, r.lost, r.bad_payload,
				r.unexpected, r.send_err);
		else if (sizes[k] == 56)
			measure(t, p, "echo-rtt-avg", (int64_t)(r.rtt_sum_ns / r.received / NS_PER_US), "us");
	}
}

void traffic_arp(struct kt *t, struct net_if *from, const ip4_addr_t *ip, const struct net_if *owner)
{
	struct eth_addr *mac = 0;
	const ip4_addr_t *found = 0;
	if (etharp_find_addr(&from->nif, ip, &mac, &found) < 0) {
		kt_fail(t, "%s: no ARP entry for the other end after the echo", from->port->name);
		return;
	}
	if (memcmp(mac->addr, owner->port->mac, NET_MAC_LEN)) {
		const uint8_t *m = mac->addr, *w = owner->port->mac;
		kt_fail(t, "%s: ARP entry %02x:%02x:%02x:%02x:%02x:%02x, expected %s's %02x:%02x:%02x:%02x:%02x:%02x",
			from->port->name, m[0], m[1], m[2], m[3], m[4], m[5], owner->port->name, w[0], w[1], w[2], w[3],
			w[4], w[5]);
	}
}

struct traffic_udp_result traffic_udp(struct kt *t, const struct path *p, uint32_t count, unsigned size, bool lossy)
{
	struct traffic_udp_result res = {0, 0, 0, 0};
	uint64_t seed = kt_rand(t);
	/* Resolve ARP both ways first: lwIP holds only ARP_QUEUE_LEN packets per address it is
	 * still resolving and drops the oldest beyond that, which would read as loss here. */
	struct net_ping_result pr = {0};
	for (unsigned k = 0; k < RESOLVE_TRIES && !pr.received; k++)
		if (net_ping(p->src, p->dst, 1, 0, PING_WAIT_MS, seed, &pr) < 0)
			break;
	if (!pr.received) {
		kt_fail(t, "%s -> %s: no echo reply to %u requests of %u ms each before the UDP run (ARP or the path is "
			"broken)", p->from, p->to, RESOLVE_TRIES, PING_WAIT_MS);
		return res;
	}
	if (net_udpseq_listen(p->dst, TRAFFIC_UDP_PORT, p->src, seed) < 0) {
		kt_fail(t, "%s: cannot listen on UDP port %u", p->to, TRAFFIC_UDP_PORT);
		return res;
	}
	struct net_udpseq_tx tx;
	uint64_t t0 = time_ns();
	if (net_udpseq_send(p->src, p->dst, TRAFFIC_UDP_PORT, count, size, seed, deadline_in_ms(UDP_SEND_MS), &tx) < 0)
		kt_fail(t, "%s: sent %u of %u datagrams before the %u ms deadline (retries=%u last_err=%d)", p->from, tx.sent,
			count, UDP_SEND_MS, tx.retries, tx.last_err);
	uint64_t ns = time_ns() - t0;
	net_poll_for_ms(UDP_SETTLE_MS);
	net_udpseq_stop();
	const struct net_udpseq_rx *s = net_udpseq_stats();
	uint32_t lost = tx.sent - s->unique;
	bool bad = s->duplicates || s->reordered || s->foreign || s->malformed || (!lossy && (lost || s->corrupt));
	if (bad)
		kt_fail(t, "%s -> %s: %u datagrams of %u B: received=%u unique=%u lost=%u duplicates=%u reordered=%u "
			"corrupt=%u foreign=%u malformed=%u", p->from, p->to, tx.sent, size, s->received, s->unique, lost,
			s->duplicates, s->reordered, s->corrupt, s->foreign, s->malformed);
	else
		kt_diag(t, "%s -> %s: %u datagrams of %u B: received=%u lost=%u duplicates=0 reordered=0 corrupt=%u",
			p->from, p->to, tx.sent, size, s->received, lost, s->corrupt);
	if (!bad && ns && !lossy)
		measure(t, p, "udp-datagrams-per-s", (int64_t)((uint64_t)count * NS_PER_S / ns), "1/s");
	res = (struct traffic_udp_result){tx.sent, s->unique, lost, s->corrupt};
	return res;
}

static bool rx_finished(void *arg)
{
	(void)arg;
	return net_tcpbulk_rx_stats()->finished || net_tcpbulk_rx_stats()->err;
}

/* Where the cycles of one transfer went (issue 15 item 5), per full segment of payload;
 * `rest` is the main loop itself (timers, polling idle rings, waiting for the device). */
static void tcp_profile(struct kt *t, const struct path *p, uint64_t bytes, uint64_t total)
{
	const struct net_cycles *c = &net_cycles;
	uint64_t segs = (bytes + TCP_MSS - 1) / TCP_MSS;
	if (!segs || !total)
		return;
	struct {
		const char *name;
		uint64_t cycles;
	} part[] = {
		{"fill", c->tx_fill},       {"write", c->tx_write},   {"lwip-tx", c->tx_lwip}, {"queue", c->tx_queue},
		{"doorbell", c->doorbell},  {"rx-driver", c->rx_driver}, {"rx-copy", c->rx_copy}, {"lwip-rx", c->rx_lwip},
		{"verify", c->rx_verify},   {"rest", 0},
	};
	uint64_t sum = 0;
	for (unsigned k = 0; k + 1 < sizeof part / sizeof part[0]; k++)
		sum += part[k].cycles;
	part[sizeof part / sizeof part[0] - 1].cycles = total > sum ? total - sum : 0;
	char line[320];
	size_t at = 0;
	for (unsigned k = 0; k < sizeof part / sizeof part[0]; k++) {
		at += (size_t)ksnprintf(line + at, sizeof line - at, "%s%s %llu (%llu%%)", k ? ", " : "", part[k].name,
					(unsigned long long)(part[k].cycles / segs),
					(unsigned long long)(part[k].cycles * 100u / total));
		char what[48];
		ksnprintf(what, sizeof what, "tcp-profile-%s-cycles", part[k].name);
		measure(t, p, what, (int64_t)(part[k].cycles / segs), "cycles/segment");
	}
	kt_diag(t, "%s -> %s: profile (%llu segments of %u B, %llu frames out, %llu in, %llu us): TSC cycles per "
		"segment: %s", p->from, p->to, (unsigned long long)segs, TCP_MSS, (unsigned long long)c->tx_frames,
		(unsigned long long)c->rx_frames, (unsigned long long)(tsc_to_ns(total) / NS_PER_US), line);
}

void traffic_tcp(struct kt *t, const struct path *p, uint64_t bytes, uint32_t deadline_ms)
{
	uint64_t seed = kt_rand(t);
	if (net_tcpbulk_listen(p->dst, TRAFFIC_TCP_PORT, p->src, seed) < 0) {
		kt_fail(t, "%s: cannot listen on TCP port %u", p->to, TRAFFIC_TCP_PORT);
		return;
	}
	struct net_tcpbulk_tx tx;
	memset(&net_cycles, 0, sizeof net_cycles);
	uint64_t t0 = rdtsc();
	int rc = net_tcpbulk_send(p->src, p->dst, TRAFFIC_TCP_PORT, bytes, seed, deadline_in_ms(deadline_ms), &tx);
	net_poll_until(deadline_in_ms(TCP_FIN_WAIT_MS), rx_finished, 0);
	uint64_t cycles = rdtsc() - t0;
	const struct net_tcpbulk_rx *r = net_tcpbulk_rx_stats();
	if (rc < 0)
		kt_fail(t, "%s -> %s: sender %s: connected=%d queued=%llu acked=%llu of %llu bytes, err=%d (%s)", p->from,
			p->to, tx.err ? "failed" : "ran out of time", tx.connected, (unsigned long long)tx.bytes_queued,
			(unsigned long long)tx.bytes_acked, (unsigned long long)bytes, tx.err, net_lwip_err_name(tx.err));
	if (r->bytes != bytes || !r->finished || r->err)
		kt_fail(t, "%s: received %llu of %llu bytes, finished=%d err=%d (%s)", p->to, (unsigned long long)r->bytes,
			(unsigned long long)bytes, r->finished, r->err, net_lwip_err_name(r->err));
	if (r->mismatch.bad_bytes)
		kt_fail(t, "%s: %llu bytes differ from what %s sent; first at stream offset %llu: expected 0x%02x, got 0x%02x",
			p->to, (unsigned long long)r->mismatch.bad_bytes, p->from, (unsigned long long)r->mismatch.first_off,
			r->mismatch.expected, r->mismatch.actual);
	if (r->refused)
		kt_fail(t, "%s: %u connections from unexpected addresses", p->to, r->refused);
	if (!kt_failed(t) && tx.end_ns > tx.start_ns && r->last_ns > r->first_ns) {
		/* goodput: first to last byte at the receiver; the sender's figure (connected to all
		 * acknowledged) also holds the handshake and the last delayed ACK */
		uint64_t mbps = bytes * 8u * 1000u / (r->last_ns - r->first_ns);
		uint64_t all = bytes * 8u * 1000u / (tx.end_ns - tx.start_ns);
		kt_diag(t, "%s -> %s: %llu bytes verified, %llu Mb/s (%llu Mb/s connect to last ACK)", p->from, p->to,
			(unsigned long long)bytes, (unsigned long long)mbps, (unsigned long long)all);
		measure(t, p, "tcp-goodput", (int64_t)mbps, "Mb/s");
		tcp_profile(t, p, bytes, cycles);
	}
	net_tcpbulk_stop_listen();
}
