/* net over real NIC ports: lwIP interfaces at both ends of every cabled pair of this
 * machine's ports; ARP + ICMP echo, UDP with sequence numbers, TCP bulk verified end to
 * end, in both directions of each pair. */
#include "kernel/harness/ktest.h"
#include "net/stack.h"
#include "tests/suites/net/nic_pairs.h"
#include "tests/suites/net/traffic.h"

#define PING_COUNT 8
#define UDP_COUNT 3000
#define UDP_SIZE 1024
#define TCP_BYTES (8ull << 20)
#define TCP_SEND_MS 40000

static struct nic_pairs pairs;

static struct path forward(const struct nic_pair *p)
{
	return (struct path){nic_name(p->a), nic_name(p->b), p->tag_ab, &p->ip_a, &p->ip_b};
}

static struct path backward(const struct nic_pair *p)
{
	return (struct path){nic_name(p->b), nic_name(p->a), p->tag_ba, &p->ip_b, &p->ip_a};
}

void net_nic_arp_icmp(struct kt *t)
{
	if (!nic_pairs_up(t, &pairs))
		return;
	for (unsigned k = 0; k < pairs.n; k++) {
		struct nic_pair *p = &pairs.p[k];
		struct path f = forward(p), b = backward(p);
		traffic_ping(t, &f, PING_COUNT);
		traffic_ping(t, &b, PING_COUNT);
		traffic_arp(t, p->ia, &p->ip_b, p->ib);
		traffic_arp(t, p->ib, &p->ip_a, p->ia);
		if (kt_failed(t))
			nic_pair_diag(t, p);
	}
	nic_pairs_down(&pairs);
}

void net_nic_udp(struct kt *t)
{
	if (!nic_pairs_up(t, &pairs))
		return;
	for (unsigned k = 0; k < pairs.n; k++) {
		struct nic_pair *p = &pairs.p[k];
		struct path f = forward(p), b = backward(p);
		traffic_udp(t, &f, UDP_COUNT, UDP_SIZE, false);
		traffic_udp(t, &b, UDP_COUNT, UDP_SIZE, false);
		if (kt_failed(t))
			nic_pair_diag(t, p);
	}
	nic_pairs_down(&pairs);
}

void net_nic_tcp(struct kt *t)
{
	if (!nic_pairs_up(t, &pairs))
		return;
	for (unsigned k = 0; k < pairs.n; k++) {
		struct nic_pair *p = &pairs.p[k];
		struct path f = forward(p), b = backward(p);
		traffic_tcp(t, &f, TCP_BYTES, TCP_SEND_MS);
		traffic_tcp(t, &b, TCP_BYTES, TCP_SEND_MS);
		if (kt_failed(t))
			nic_pair_diag(t, p);
	}
	nic_pairs_down(&pairs);
}
