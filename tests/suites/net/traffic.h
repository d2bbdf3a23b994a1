/* The checks every net case runs, whatever carries the frames (the in-memory wire, a pair
 * of NIC ports, another machine): each fails the case with a diagnosis naming the path and
 * the figures, and measures what it moved. */
#ifndef KILN_TESTS_NET_TRAFFIC_H
#define KILN_TESTS_NET_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/harness/ktest.h"
#include "net/netif.h"

struct path {
	const char *from, *to;    /* port names for diagnoses */
	const char *tag;          /* measurement name prefix: "wire", "accel0.port0-accel0.port1" */
	const ip4_addr_t *src, *dst;
};

#define TRAFFIC_TCP_PORT 7002
#define TRAFFIC_UDP_PORT 7001

/* Echo requests of several sizes from src to dst, every reply verified. */
void traffic_ping(struct kt *t, const struct path *p, unsigned count);
/* ARP on `from` resolved `ip` to the MAC of `owner`. */
void traffic_arp(struct kt *t, struct net_if *from, const ip4_addr_t *ip, const struct net_if *owner);
struct traffic_udp_result {
	uint32_t sent, unique, lost, corrupt;
};
/* `count` UDP datagrams of `size` bytes with sequence numbers; the receiver accounts for
 * every one. Loss and corruption fail the case unless `lossy` (the caller then compares
 * them with what it knows the path did). */
struct traffic_udp_result traffic_udp(struct kt *t, const struct path *p, uint32_t count, unsigned size, bool lossy);
/* `bytes` over one TCP connection, every byte verified at its stream offset. */
void traffic_tcp(struct kt *t, const struct path *p, uint64_t bytes, uint32_t deadline_ms);

#endif
