/* Fixture for the stack self-tests over the in-memory wire. */
#include "tests/suites/net/wire_pair.h"

#include "kernel/lib/fmt.h"
#include "lwip/ip4_addr.h"
#include "net/ping.h"
#include "net/stack.h"

#define WIRE_MTU 1500
/* 192.0.2.0/24, TEST-NET-1 (RFC 5737): end a is .1, end b is .2 */
#define NET_A 192
#define NET_B 0
#define NET_C 2
#define HOST_A 1
#define HOST_B 2
#define MASK_24 0xffffff00u
#define RESOLVE_WAIT_MS 1000

static struct net_wire the_wire;

int wire_pair_up(struct kt *t, struct wire_pair *w)
{
	const char *why = "";
	if (net_stack_init(&why) < 0) {
		kt_fail(t, "lwIP could not start: %s", why);
		return -1;
	}
	net_reset();
	w->wire = &the_wire;
	if (net_wire_open(w->wire, "wire0", WIRE_MTU, &why) < 0) {
		kt_fail(t, "wire: %s", why);
		return -1;
	}
	IP4_ADDR(&w->ip_a, NET_A, NET_B, NET_C, HOST_A);
	IP4_ADDR(&w->ip_b, NET_A, NET_B, NET_C, HOST_B);
	struct net_if_cfg ca = {.dhcp = false}, cb = {.dhcp = false};
	ca.ip = w->ip_a;
	cb.ip = w->ip_b;
	ip4_addr_set_u32(&ca.mask, lwip_htonl(MASK_24));
	cb.mask = ca.mask;
	if (net_if_add(&w->wire->end[0], &ca, &w->a, &why) < 0 || net_if_add(&w->wire->end[1], &cb, &w->b, &why) < 0) {
		kt_fail(t, "interface over the wire: %s", why);
		net_reset();
		return -1;
	}
	/* Only the other end may talk to each interface. */
	net_if_allow_only(w->a, &w->ip_b, 1);
	net_if_allow_only(w->b, &w->ip_a, 1);
	return 0;
}

void wire_pair_down(struct wire_pair *w)
{
	net_reset();
	net_wire_close(w->wire);
}

int wire_pair_resolve(struct kt *t, struct wire_pair *w)
{
	struct net_ping_result r;
	if (net_ping(&w->ip_a, &w->ip_b, 1, 0, RESOLVE_WAIT_MS, kt_seed(t), &r) < 0 || r.received != 1) {
		char a[IP4ADDR_STRLEN_MAX], b[IP4ADDR_STRLEN_MAX];
		kt_fail(t, "wire0: first echo %s -> %s got no reply within %u ms (ARP or ICMP broken)",
			ip4addr_ntoa_r(&w->ip_a, a, sizeof a), ip4addr_ntoa_r(&w->ip_b, b, sizeof b), RESOLVE_WAIT_MS);
		return -1;
	}
	return 0;
}

void wire_pair_diag(struct kt *t, const struct wire_pair *w)
{
	const struct net_wire_counters *c = &w->wire->cnt;
	kt_diag(t, "wire0: carried=%llu dropped=%llu corrupted=%llu refused_full=%llu refused_link=%llu",
		(unsigned long long)c->carried, (unsigned long long)c->dropped, (unsigned long long)c->corrupted,
		(unsigned long long)c->refused_full, (unsigned long long)c->refused_link);
	const struct net_if *ifs[2] = {w->a, w->b};
	for (unsigned k = 0; k < 2; k++) {
		const struct net_if_counters *n = &ifs[k]->cnt;
		kt_diag(t, "%s: tx=%llu rx=%llu rx_nomem=%llu rx_filtered=%llu tx_errors=%llu", ifs[k]->port->name,
			(unsigned long long)n->tx_frames, (unsigned long long)n->rx_frames,
			(unsigned long long)n->rx_nomem, (unsigned long long)n->rx_filtered,
			(unsigned long long)n->tx_errors);
	}
}
