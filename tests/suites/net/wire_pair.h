/* The stack self-tests' fixture: two lwIP interfaces inside Kiln joined by the in-memory
 * wire (net/wire.c), addressed in TEST-NET-1 (RFC 5737). No NIC is involved. */
#ifndef KILN_TESTS_NET_WIRE_PAIR_H
#define KILN_TESTS_NET_WIRE_PAIR_H

#include "kernel/harness/ktest.h"
#include "net/netif.h"
#include "net/wire.h"

struct wire_pair {
	struct net_wire *wire;
	struct net_if *a, *b;
	ip4_addr_t ip_a, ip_b;
};

/* Bring the stack, the wire and both interfaces up (ARP not yet resolved). On failure
 * the case has failed with the reason and -1 is returned. */
int wire_pair_up(struct kt *t, struct wire_pair *w);
void wire_pair_down(struct wire_pair *w);
/* Resolve ARP both ways with one verified echo, so later frames are the test's own. */
int wire_pair_resolve(struct kt *t, struct wire_pair *w);
void wire_pair_diag(struct kt *t, const struct wire_pair *w);

#endif
