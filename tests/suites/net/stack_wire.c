/* Stack self-tests: lwIP and Kiln's traffic apps over the in-memory wire, no NIC. They
 * prove the port (netif, timers, memory, routing) and the checkers (loss, corruption and
 * data verification are caught), so a NIC test that fails later points at the NIC. */
#include "kernel/harness/ktest.h"
#include "net/iperf.h"
#include "net/stack.h"
#include "tests/suites/net/traffic.h"
#include "tests/suites/net/wire_pair.h"

#define PING_COUNT 16
#define UDP_COUNT 4000
#define UDP_SIZE 1024
#define UDP_FAULT_DROP_EVERY 53
#define UDP_FAULT_CORRUPT_EVERY 71
#define TCP_BYTES (16ull << 20)
#define TCP_LOSSY_BYTES (2ull << 20)
#define TCP_LOSSY_DROP_EVERY 97
#define TCP_LOSSY_CORRUPT_EVERY 131
#define TCP_SEND_MS 40000
#define IPERF_WAIT_MS ((NET_IPERF_CLIENT_SECONDS + 10u) * 1000u)

static struct path a_to_b(const struct wire_pair *w)
{
	return (struct path){"wire0.a", "wire0.b", "wire", &w->ip_a, &w->ip_b};
}

void net_stack_wire_arp_icmp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0)
		return;
	struct path p = a_to_b(&w);
	traffic_ping(t, &p, PING_COUNT);
	traffic_arp(t, w.a, &w.ip_b, w.b);
	traffic_arp(t, w.b, &w.ip_a, w.a);
	if (kt_failed(t))
		wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

void net_stack_wire_udp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0 || wire_pair_resolve(t, &w) < 0)
		return;
	struct path p = a_to_b(&w);
	traffic_udp(t, &p, UDP_COUNT, UDP_SIZE, false);
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
	/* Every frame from here on is one datagram: what the wire does to frames it does to them. */
	struct path p = a_to_b(&w);
	uint64_t dropped0 = w.wire->cnt.dropped, corrupted0 = w.wire->cnt.corrupted;
	struct traffic_udp_result r = traffic_udp(t, &p, UDP_COUNT, UDP_SIZE, true);
	uint64_t dropped = w.wire->cnt.dropped - dropped0, corrupted = w.wire->cnt.corrupted - corrupted0;
	if (!dropped || !corrupted)
		kt_fail(t, "wire0: the fault knobs did nothing (dropped=%llu corrupted=%llu)", (unsigned long long)dropped,
			(unsigned long long)corrupted);
	if ((uint64_t)r.lost + r.corrupt != dropped + corrupted)
		kt_fail(t, "wire0.a -> wire0.b: lost %u + corrupt %u datagrams, but the wire dropped %llu and corrupted %llu "
			"frames", r.lost, r.corrupt, (unsigned long long)dropped, (unsigned long long)corrupted);
	wire_pair_diag(t, &w);
	wire_pair_down(&w);
}

void net_stack_wire_tcp(struct kt *t)
{
	struct wire_pair w;
	if (wire_pair_up(t, &w) < 0)
		return;
	struct path p = a_to_b(&w);
	traffic_tcp(t, &p, TCP_BYTES, TCP_SEND_MS);
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
	struct path p = {"wire0.a", "wire0.b", "wire-lossy", &w.ip_a, &w.ip_b};
	traffic_tcp(t, &p, TCP_LOSSY_BYTES, TCP_SEND_MS);
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
