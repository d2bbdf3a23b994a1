/* Stack self-tests: lwIP and Kiln's traffic apps over the in-memory wire, no NIC. They
 * prove the port (netif, timers, memory, routing) and the checkers (loss, corruption and
 * data verification are caught), so a NIC test that fails later points at the NIC. */
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "lwip/etharp.h"
#include "net/iperf.h"
#include "net/ping.h"
#include "net/stack.h"
#include "net/tcpbulk.h"
#include "net/udpseq.h"
#include "tests/net/cases.h"
#include "tests/net/wire_pair.h"

#define PING_COUNT 16
#define PING_WAIT_MS 500
#define UDP_PORT 7001
#define UDP_COUNT 4000
#define UDP_SIZE 1024
#define UDP_SEND_MS 20000
#define UDP_SETTLE_MS 200
#define UDP_FAULT_DROP_EVERY 53
#define UDP_FAULT_CORRUPT_EVERY 71
#define TCP_PORT 7002
#define TCP_BYTES (16ull << 20)
#define TCP_LOSSY_BYTES (2ull << 20)
#define TCP_LOSSY_DROP_EVERY 97
#define TCP_LOSSY_CORRUPT_EVERY 131
#define TCP_SEND_MS 40000
#define TCP_FIN_WAIT_MS 2000
#define IPERF_WAIT_MS ((NET_IPERF_CLIENT_SECONDS + 10u) * 1000u)

/* ARP: each side learned the other's MAC from the wire. */
static void check_arp(struct kt *t, struct net_if *from, const ip4_addr_t *ip, const struct net_if *owner)
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

void net_stack_wire_arp_icmp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0)
		return;
	static const unsigned sizes[] = {0, 56, 1000, NET_PING_PAYLOAD_MAX};
	for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct net_ping_result r;
		if (net_ping(&w.ip_a, &w.ip_b, PING_COUNT, sizes[k], PING_WAIT_MS, kt_rand(t), &r) < 0) {
			kt_fail(t, "wire0.a: no raw PCB for ICMP");
			break;
		}
		if (r.received != PING_COUNT || r.bad_payload || r.unexpected)
			kt_fail(t, "wire0.a -> wire0.b echo %u bytes: sent=%u received=%u lost=%u bad_payload=%u "
				"unexpected=%u send_err=%d", sizes[k], r.sent, r.received, r.lost, r.bad_payload,
				r.unexpected, r.send_err);
		else if (k == 1)
			kt_measure(t, "wire-echo-rtt-avg", (int64_t)(r.rtt_sum_ns / r.received / 1000u), 0, "us");
	}
	check_arp(t, w.a, &w.ip_b, w.b);
	check_arp(t, w.b, &w.ip_a, w.a);
	if (kt_failed(t))
		wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

/* Send and account; returns the receiver's figures. */
static const struct net_udpseq_rx *udp_run(struct kt *t, struct wire_pair *w, uint64_t seed, struct net_udpseq_tx *tx)
{
	if (net_udpseq_listen(&w->ip_b, UDP_PORT, &w->ip_a, seed) < 0) {
		kt_fail(t, "wire0.b: cannot listen on UDP port %u", UDP_PORT);
		return 0;
	}
	if (net_udpseq_send(&w->ip_a, &w->ip_b, UDP_PORT, UDP_COUNT, UDP_SIZE, seed, deadline_in_ms(UDP_SEND_MS), tx) < 0)
		kt_fail(t, "wire0.a: sent %u of %u datagrams before the %u ms deadline (retries=%u last_err=%d)",
			tx->sent, UDP_COUNT, UDP_SEND_MS, tx->retries, tx->last_err);
	net_poll_for_ms(UDP_SETTLE_MS);
	net_udpseq_stop();
	return net_udpseq_stats();
}

static void udp_diag(struct kt *t, const struct net_udpseq_rx *s, uint32_t sent)
{
	kt_diag(t, "wire0.a -> wire0.b: sent=%u received=%u unique=%u lost=%u duplicates=%u reordered=%u corrupt=%u "
		"foreign=%u malformed=%u", sent, s->received, s->unique, sent - s->unique, s->duplicates, s->reordered,
		s->corrupt, s->foreign, s->malformed);
}

void net_stack_wire_udp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0 || wire_pair_resolve(t, &w) < 0)
		return;
	struct net_udpseq_tx tx;
	uint64_t t0 = time_ns();
	const struct net_udpseq_rx *s = udp_run(t, &w, kt_rand(t), &tx);
	uint64_t ns = time_ns() - t0;
	if (s) {
		if (s->unique != UDP_COUNT || s->duplicates || s->reordered || s->corrupt || s->foreign || s->malformed)
			kt_fail(t, "wire0.a -> wire0.b: %u of %u datagrams arrived intact and in order", s->unique, UDP_COUNT);
		udp_diag(t, s, tx.sent);
		if (ns)
			kt_measure(t, "wire-udp-datagrams-per-s", (int64_t)((uint64_t)UDP_COUNT * NS_PER_S / ns), 0, "1/s");
	}
	if (kt_failed(t))
		wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

/* The checker must see what the wire did: every dropped frame and every corrupted frame
 * (lwIP's IP/UDP checksums discard those) is a datagram missing at the receiver. */
void net_stack_wire_udp_faults_counted(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0 || wire_pair_resolve(t, &w) < 0)
		return;
	w.wire->faults.drop_every = UDP_FAULT_DROP_EVERY;
	w.wire->faults.corrupt_every = UDP_FAULT_CORRUPT_EVERY;
	struct net_udpseq_tx tx;
	const struct net_udpseq_rx *s = udp_run(t, &w, kt_rand(t), &tx);
	if (s) {
		uint64_t lost = tx.sent - s->unique;
		uint64_t faults = w.wire->cnt.dropped + w.wire->cnt.corrupted;
		if (!w.wire->cnt.dropped || !w.wire->cnt.corrupted)
			kt_fail(t, "wire0: the fault knobs did nothing (dropped=%llu corrupted=%llu)",
				(unsigned long long)w.wire->cnt.dropped, (unsigned long long)w.wire->cnt.corrupted);
		if (lost + s->corrupt != faults)
			kt_fail(t, "wire0.a -> wire0.b: lost %llu + corrupt %u datagrams, but the wire dropped %llu and "
				"corrupted %llu frames", (unsigned long long)lost, s->corrupt,
				(unsigned long long)w.wire->cnt.dropped, (unsigned long long)w.wire->cnt.corrupted);
		udp_diag(t, s, tx.sent);
	}
	wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

static bool rx_finished(void *arg)
{
	(void)arg;
	return net_tcpbulk_rx_stats()->finished || net_tcpbulk_rx_stats()->err;
}

static void tcp_run(struct kt *t, struct wire_pair *w, uint64_t bytes, const char *measure)
{
	uint64_t seed = kt_rand(t);
	if (net_tcpbulk_listen(&w->ip_b, TCP_PORT, &w->ip_a, seed) < 0) {
		kt_fail(t, "wire0.b: cannot listen on TCP port %u", TCP_PORT);
		return;
	}
	struct net_tcpbulk_tx tx;
	int rc = net_tcpbulk_send(&w->ip_a, &w->ip_b, TCP_PORT, bytes, seed, deadline_in_ms(TCP_SEND_MS), &tx);
	net_poll_until(deadline_in_ms(TCP_FIN_WAIT_MS), rx_finished, 0);
	const struct net_tcpbulk_rx *r = net_tcpbulk_rx_stats();
	if (rc < 0)
		kt_fail(t, "wire0.a -> wire0.b: sender %s: connected=%d queued=%llu acked=%llu of %llu bytes, err=%d (%s)",
			tx.err ? "failed" : "ran out of time", tx.connected, (unsigned long long)tx.bytes_queued,
			(unsigned long long)tx.bytes_acked, (unsigned long long)bytes, tx.err, net_lwip_err_name(tx.err));
	if (r->bytes != bytes || !r->finished || r->err)
		kt_fail(t, "wire0.b: received %llu of %llu bytes, finished=%d err=%d", (unsigned long long)r->bytes,
			(unsigned long long)bytes, r->finished, r->err);
	if (r->mismatch.bad_bytes)
		kt_fail(t, "wire0.b: %llu bytes differ from what was sent; first at stream offset %llu: expected 0x%02x, "
			"got 0x%02x", (unsigned long long)r->mismatch.bad_bytes, (unsigned long long)r->mismatch.first_off,
			r->mismatch.expected, r->mismatch.actual);
	if (r->refused)
		kt_fail(t, "wire0.b: %u connections from unexpected addresses", r->refused);
	if (!kt_failed(t) && tx.end_ns > tx.start_ns && measure)
		kt_measure(t, measure, (int64_t)(bytes * 8u * 1000u / (tx.end_ns - tx.start_ns)), 0, "Mb/s");
	net_tcpbulk_stop_listen();
}

void net_stack_wire_tcp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0)
		return;
	tcp_run(t, &w, TCP_BYTES, "wire-tcp-goodput");
	if (kt_failed(t))
		wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

/* TCP over a wire that drops and corrupts: lwIP's checksums and retransmission must still
 * deliver every byte exactly. */
void net_stack_wire_tcp_lossy(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0 || wire_pair_resolve(t, &w) < 0)
		return;
	w.wire->faults.drop_every = TCP_LOSSY_DROP_EVERY;
	w.wire->faults.corrupt_every = TCP_LOSSY_CORRUPT_EVERY;
	tcp_run(t, &w, TCP_LOSSY_BYTES, 0);
	if (!w.wire->cnt.dropped || !w.wire->cnt.corrupted)
		kt_fail(t, "wire0: the fault knobs did nothing (dropped=%llu corrupted=%llu)",
			(unsigned long long)w.wire->cnt.dropped, (unsigned long long)w.wire->cnt.corrupted);
	wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

static bool iperf_done(void *arg)
{
	(void)arg;
	return net_iperf_client_report()->done && net_iperf_server_report()->done;
}

/* lwiperf client and server talk iperf 2 to each other across the wire. */
void net_stack_wire_iperf(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0)
		return;
	if (net_iperf_server_start(&w.ip_b, NET_IPERF_PORT) < 0 || net_iperf_client_start(&w.ip_b, NET_IPERF_PORT) < 0) {
		kt_fail(t, "lwiperf could not start (server on wire0.b, client to it)");
		wire_pair_down(&w);
		return;
	}
	bool done = net_poll_until(deadline_in_ms(IPERF_WAIT_MS), iperf_done, 0);
	const struct net_iperf_report *c = net_iperf_client_report(), *s = net_iperf_server_report();
	if (!done)
		kt_fail(t, "lwiperf: no report within %u ms (client done=%d, server done=%d)", IPERF_WAIT_MS, c->done,
			s->done);
	if (c->done && c->type != LWIPERF_TCP_DONE_CLIENT)
		kt_fail(t, "lwiperf client: %s after %u bytes", net_iperf_report_name(c->type), c->bytes);
	if (s->done && s->type != LWIPERF_TCP_DONE_SERVER)
		kt_fail(t, "lwiperf server: %s after %u bytes", net_iperf_report_name(s->type), s->bytes);
	if (c->done && s->done) {
		kt_diag(t, "lwiperf: client sent %u bytes in %u ms (%u kbit/s); server received %u bytes in %u ms",
			c->bytes, c->ms, c->kbps, s->bytes, s->ms);
		if (!s->bytes || s->bytes > c->bytes)
			kt_fail(t, "lwiperf: server received %u bytes, client sent %u", s->bytes, c->bytes);
		else
			kt_measure(t, "wire-iperf-server", (int64_t)s->kbps / 1000, 0, "Mb/s");
	}
	net_iperf_stop();
	if (kt_failed(t))
		wire_pair_diag(t, &w);
	wire_pair_down(&w);
}
