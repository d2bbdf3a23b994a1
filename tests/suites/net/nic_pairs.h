/* The net suite's fixture over real NIC ports: every pair of this machine's ports cabled
 * to each other (found with L2 HELLOs) gets an lwIP interface at each end, one /30 of
 * TEST-NET-2 (RFC 5737) per pair. */
#ifndef KILN_TESTS_NET_NIC_PAIRS_H
#define KILN_TESTS_NET_NIC_PAIRS_H

#include "kernel/harness/ktest.h"
#include "net/netif.h"
#include "tests/suites/nic/ports.h"

#define NIC_PAIRS_MAX 12u /* lwIP interfaces for 24 ports, as before NET_L2_PORTS_MAX grew to 192 (a /30 each) */

struct nic_pair {
	struct nic_port *a, *b;
	struct net_if *ia, *ib;
	ip4_addr_t ip_a, ip_b;
	char name[2 * NET_PORT_NAME_MAX + 8]; /* "accel0.port0<->accel0.port1" */
	char tag_ab[2 * NET_PORT_NAME_MAX + 8], tag_ba[2 * NET_PORT_NAME_MAX + 8]; /* "accel0.port0-to-accel0.port1" */
};

struct nic_pairs {
	struct nic_set set;
	struct net_l2_run run;
	unsigned n;
	struct nic_pair p[NIC_PAIRS_MAX];
};

/* Open the ports, find the pairs, bring the interfaces up. Returns the number of pairs;
 * 0 after a skip (no pair) or a failure (already reported). */
unsigned nic_pairs_up(struct kt *t, struct nic_pairs *ps);
void nic_pairs_down(struct nic_pairs *ps);
/* Counters of both interfaces and ports of a pair, as diagnostics. */
void nic_pair_diag(struct kt *t, const struct nic_pair *p);

#endif
