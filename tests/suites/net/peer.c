/* net-peer-traffic: the rack case in miniature. This machine and each peer (net.peers) are
 * cabled port to port; both run this case at the same time and test traffic to each other:
 * echo, UDP with sequence numbers, TCP bulk verified end to end, each way. The port is the
 * one whose L2 neighbour is another machine; its address is net.addr; only the peers'
 * addresses are accepted. Either side may arrive first: each waits for the other's echo. */
#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "net/ping.h"
#include "net/stack.h"
#include "net/tcpbulk.h"
#include "net/udpseq.h"
#include "tests/suites/net/traffic.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 60000u
#define PEER_WAIT_MS 60000u
#define ECHO_WAIT_MS 300u
#define ECHO_COUNT 8u
#define UDP_COUNT 2000u
#define UDP_SIZE 1024u
#define UDP_WAIT_MS 30000u
#define TCP_BYTES (4ull << 20)
#define TCP_SEND_MS 40000u
#define TCP_WAIT_MS 40000u
#define LINGER_MS 2000u  /* the peer may still need our ACKs and FIN */

static struct nic_set set;
static struct net_l2_run run;

/* Both machines must know the data the other sends: a stream's pattern is seeded by its
 * sender's address (and the run seed would differ between machines). */
#define PEER_SEED 0x4b494c4e50454552ull /* "KILNPEER" */
static uint64_t stream_seed(const ip4_addr_t *sender) { return PEER_SEED ^ sender->addr; }

static void ip_from(uint32_t host_order, ip4_addr_t *ip)
{
	IP4_ADDR(ip, host_order >> 24, (host_order >> 16) & 0xffu, (host_order >> 8) & 0xffu, host_order & 0xffu);
}

static bool udp_complete(void *arg)
{
	(void)arg;
	return net_udpseq_complete();
}

static bool tcp_finished(void *arg)
{
	(void)arg;
	return net_tcpbulk_rx_stats()->finished || net_tcpbulk_rx_stats()->err;
}

static void one_peer(struct kt *t, struct net_if *i, const ip4_addr_t *peer, const char *port)
{
	char me[IP4ADDR_STRLEN_MAX], them[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(net_if_ip(i), me, sizeof me);
	ip4addr_ntoa_r(peer, them, sizeof them);
	uint64_t seed = stream_seed(net_if_ip(i)), peer_seed = stream_seed(peer);
	/* Listen before anything can answer the peer: it sends as soon as we echo. */
	if (net_udpseq_listen(net_if_ip(i), TRAFFIC_UDP_PORT, peer, peer_seed) < 0 ||
	    net_tcpbulk_listen(net_if_ip(i), TRAFFIC_TCP_PORT, peer, peer_seed) < 0) {
		kt_fail(t, "%s (%s): cannot listen for %s", port, me, them);
		return;
	}
	struct deadline d = deadline_in_ms(PEER_WAIT_MS);
	struct net_ping_result pr = {0};
	unsigned tries = 0;
	do {
		tries++;
		net_ping(net_if_ip(i), peer, 1, 0, ECHO_WAIT_MS, kt_rand(t), &pr);
	} while (!pr.received && !deadline_passed(d));
	if (!pr.received) {
		kt_fail(t, "%s (%s): peer %s never answered an echo in %u ms (%u tries)", port, me, them, PEER_WAIT_MS, tries);
		return;
	}
	char from[64], to[64];
	ksnprintf(from, sizeof from, "%s (%s)", port, me);
	ksnprintf(to, sizeof to, "peer %s", them);
	struct path p = {from, to, "peer", net_if_ip(i), peer};
	traffic_ping(t, &p, ECHO_COUNT);

	struct net_udpseq_tx tx;
	if (net_udpseq_send(net_if_ip(i), peer, TRAFFIC_UDP_PORT, UDP_COUNT, UDP_SIZE, seed, deadline_in_ms(UDP_WAIT_MS),
			    &tx) < 0)
		kt_fail(t, "%s -> %s: sent %u of %u datagrams in %u ms (retries=%u)", from, to, tx.sent, UDP_COUNT,
			UDP_WAIT_MS, tx.retries);
	net_poll_until(deadline_in_ms(UDP_WAIT_MS), udp_complete, 0);
	const struct net_udpseq_rx *u = net_udpseq_stats();
	uint32_t lost = u->total > u->unique ? u->total - u->unique : 0;
	if (!u->total || lost || u->duplicates || u->reordered || u->corrupt || u->foreign || u->malformed)
		kt_fail(t, "%s -> %s: UDP: the peer announced %u datagrams: received=%u unique=%u lost=%u duplicates=%u "
			"reordered=%u corrupt=%u foreign=%u", to, from, u->total, u->received, u->unique, lost, u->duplicates,
			u->reordered, u->corrupt, u->foreign);
	else
		kt_diag(t, "%s -> %s: UDP %u datagrams of %u B: lost=0 duplicates=0 reordered=0 corrupt=0", to, from,
			u->total, UDP_SIZE);

	struct net_tcpbulk_tx tt;
	int rc = net_tcpbulk_send(net_if_ip(i), peer, TRAFFIC_TCP_PORT, TCP_BYTES, seed, deadline_in_ms(TCP_SEND_MS),
				  &tt);
	if (rc < 0)
		kt_fail(t, "%s -> %s: TCP: sender %s: queued=%llu acked=%llu of %llu bytes, err=%d (%s)", from, to,
			tt.err ? "failed" : "ran out of time", (unsigned long long)tt.bytes_queued,
			(unsigned long long)tt.bytes_acked, (unsigned long long)TCP_BYTES, tt.err, net_lwip_err_name(tt.err));
	else if (tt.end_ns > tt.start_ns)
		kt_diag(t, "%s -> %s: TCP %llu bytes acknowledged, %llu Mb/s", from, to, (unsigned long long)TCP_BYTES,
			(unsigned long long)(TCP_BYTES * 8u * 1000u / (tt.end_ns - tt.start_ns)));
	net_poll_until(deadline_in_ms(TCP_WAIT_MS), tcp_finished, 0);
	const struct net_tcpbulk_rx *r = net_tcpbulk_rx_stats();
	if (!r->finished || r->err || r->bytes != TCP_BYTES)
		kt_fail(t, "%s -> %s: TCP: received %llu of %llu bytes, finished=%d err=%d", to, from,
			(unsigned long long)r->bytes, (unsigned long long)TCP_BYTES, r->finished, r->err);
	else if (r->mismatch.bad_bytes)
		kt_fail(t, "%s -> %s: TCP: %llu bytes differ from what the peer sent; first at stream offset %llu: "
			"expected 0x%02x, got 0x%02x", to, from, (unsigned long long)r->mismatch.bad_bytes,
			(unsigned long long)r->mismatch.first_off, r->mismatch.expected, r->mismatch.actual);
	else
		kt_diag(t, "%s -> %s: TCP %llu bytes received and verified", to, from, (unsigned long long)r->bytes);
	net_poll_for_ms(LINGER_MS);
	net_udpseq_stop();
	net_tcpbulk_stop_listen();
}

void net_peer_traffic(struct kt *t)
{
	const struct cfg_net *c = kiln_cfg ? &kiln_cfg->net : 0;
	if (!c || !c->addr_set || !c->npeers) {
		kt_skip(t, "net.addr or net.peers not set: no other machine to test with");
		return;
	}
	const char *why = "";
	if (net_stack_init(&why) < 0) {
		kt_fail(t, "lwIP could not start: %s", why);
		return;
	}
	net_reset();
	if (!nic_set_open(t, &set, false))
		return;
	nic_set_l2run(&set, &run);
	net_l2_discover(&run, deadline_in_ms(DISCOVER_MS));
	struct nic_port *port = 0;
	for (unsigned k = 0; k < run.n && !port; k++)
		if (run.nb[k].heard && NET_L2_SENDER_MACHINE(run.nb[k].sender) != nic_machine_id())
			port = nic_of(run.port[k]);
	if (!port) {
		kt_fail(t, "no port is cabled to another machine (L2 discovery for %u ms on %u ports)", DISCOVER_MS, run.n);
		nic_set_close(&set);
		return;
	}
	struct net_if_cfg cfg = {.dhcp = false};
	ip_from(c->addr, &cfg.ip);
	ip_from(c->prefix ? ~0u << (32 - c->prefix) : 0, &cfg.mask);
	struct net_if *i;
	if (net_if_add(&port->port, &cfg, &i, &why) < 0) {
		kt_fail(t, "%s: %s", nic_name(port), why);
		nic_set_close(&set);
		return;
	}
	ip4_addr_t peers[CFG_NET_PEERS_MAX];
	for (unsigned k = 0; k < c->npeers; k++)
		ip_from(c->peers[k], &peers[k]);
	net_if_allow_only(i, peers, c->npeers);
	for (unsigned k = 0; k < c->npeers; k++)
		one_peer(t, i, &peers[k], nic_name(port));
	if (kt_failed(t))
		nic_port_diag(t, port);
	net_reset();
	nic_set_close(&set);
}
