/* Fixture: lwIP interfaces over every cabled pair of local NIC ports. */
#include "tests/suites/net/nic_pairs.h"

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "net/stack.h"

#define DISCOVER_MS 10000u
#define PAIR_NET_A 198u       /* 198.51.100.0/24, TEST-NET-2 */
#define PAIR_NET_B 51u
#define PAIR_NET_C 100u
#define PAIR_SUBNET_SIZE 4u   /* a /30 per pair: .1 and .2 of each */

static void pair_addr(unsigned pair, unsigned host, ip4_addr_t *ip)
{
	IP4_ADDR(ip, PAIR_NET_A, PAIR_NET_B, PAIR_NET_C, (u8_t)(pair * PAIR_SUBNET_SIZE + host));
}

unsigned nic_pairs_up(struct kt *t, struct nic_pairs *ps)
{
	memset(ps, 0, sizeof *ps);
	const char *why = "";
	if (net_stack_init(&why) < 0) {
		kt_fail(t, "lwIP could not start: %s", why);
		return 0;
	}
	net_reset();
	if (!nic_set_open(t, &ps->set, false))
		return 0;
	for (unsigned k = 0; k < ps->set.n; k++)
		if (nic_link_wait(ps->set.p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_diag(t, "%s: link down after %u ms", nic_name(ps->set.p[k]), NIC_LINK_WAIT_MS);
	nic_set_l2run(&ps->set, &ps->run);
	net_l2_discover(&ps->run, deadline_in_ms(DISCOVER_MS));
	struct net_l2_run *r = &ps->run;
	for (unsigned k = 0; k < r->n; k++) {
		if (!r->nb[k].heard || r->nb[k].sender == r->id[k])
			continue;
		for (unsigned j = k + 1; j < r->n; j++) {
			if (r->id[j] != r->nb[k].sender || ps->n == NIC_PAIRS_MAX)
				continue;
			struct nic_pair *p = &ps->p[ps->n];
			p->a = nic_of(r->port[k]);
			p->b = nic_of(r->port[j]);
			ksnprintf(p->name, sizeof p->name, "%s<->%s", nic_name(p->a), nic_name(p->b));
			ksnprintf(p->tag_ab, sizeof p->tag_ab, "%s-to-%s", nic_name(p->a), nic_name(p->b));
			ksnprintf(p->tag_ba, sizeof p->tag_ba, "%s-to-%s", nic_name(p->b), nic_name(p->a));
			pair_addr(ps->n, 1, &p->ip_a);
			pair_addr(ps->n, 2, &p->ip_b);
			struct net_if_cfg ca = {.dhcp = false}, cb = {.dhcp = false};
			ca.ip = p->ip_a;
			cb.ip = p->ip_b;
			IP4_ADDR(&ca.mask, 255, 255, 255, 256 - PAIR_SUBNET_SIZE);
			cb.mask = ca.mask;
			if (net_if_add(&p->a->port, &ca, &p->ia, &why) < 0 || net_if_add(&p->b->port, &cb, &p->ib, &why) < 0) {
				kt_fail(t, "%s: interface: %s", p->name, why);
				nic_pairs_down(ps);
				return 0;
			}
			net_if_allow_only(p->ia, &p->ip_b, 1);
			net_if_allow_only(p->ib, &p->ip_a, 1);
			ps->n++;
		}
	}
	if (!ps->n) {
		kt_skip(t, "no two ports of this machine are cabled to each other");
		nic_pairs_down(ps);
	}
	return ps->n;
}

void nic_pairs_down(struct nic_pairs *ps)
{
	net_reset();
	nic_set_close(&ps->set);
}

void nic_pair_diag(struct kt *t, const struct nic_pair *p)
{
	const struct net_if *ifs[2] = {p->ia, p->ib};
	for (unsigned k = 0; k < 2; k++) {
		if (!ifs[k])
			continue;
		const struct net_if_counters *n = &ifs[k]->cnt;
		kt_diag(t, "%s: lwip tx=%llu rx=%llu rx_nomem=%llu rx_filtered=%llu tx_errors=%llu (last %s)",
			ifs[k]->port->name, (unsigned long long)n->tx_frames, (unsigned long long)n->rx_frames,
			(unsigned long long)n->rx_nomem, (unsigned long long)n->rx_filtered,
			(unsigned long long)n->tx_errors, net_strerror(n->last_tx_err));
	}
	nic_port_diag(t, p->a);
	nic_port_diag(t, p->b);
}
