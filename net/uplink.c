/* The uplink bring-up (net/uplink.h). */
#include "net/uplink.h"

#include "drivers/accel/accel.h"
#include "drivers/accel/nic.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "lwip/dhcp.h"
#include "net/netif.h"
#include "net/stack.h"

static bool leased(void *arg)
{
	struct net_uplink *u = arg;
	return dhcp_supplied_address(&u->i->nif);
}

static enum net_uplink_step stack_ready(char *why, size_t whylen)
{
	const char *w = "";
	if (net_stack_init(&w) < 0) {
		ksnprintf(why, whylen, "lwIP could not start: %s", w);
		return NET_UPLINK_STACK;
	}
	net_reset();
	return NET_UPLINK_UP;
}

/* An interface with DHCP on the open port u->link, and a lease. */
static enum net_uplink_step lease(struct net_uplink *u, char *why, size_t whylen)
{
	const char *w = "";
	struct net_if_cfg cfg = {.dhcp = true};
	if (net_if_add(u->link, &cfg, &u->i, &w) < 0) {
		ksnprintf(why, whylen, "%s: %s", u->link->name, w);
		return NET_UPLINK_IF;
	}
	if (!net_poll_until(deadline_in_ms(NET_UPLINK_DHCP_WAIT_MS), leased, u)) {
		struct dhcp *d = netif_dhcp_data(&u->i->nif);
		ksnprintf(why, whylen, "%s: no DHCP lease within %u ms (DHCP state %u, %u tries)", u->link->name,
			  NET_UPLINK_DHCP_WAIT_MS, d ? d->state : 0, d ? d->tries : 0);
		return NET_UPLINK_DHCP;
	}
	u->server = *ip_2_ip4(&netif_dhcp_data(&u->i->nif)->server_ip_addr);
	u->gw = *netif_ip4_gw(&u->i->nif);
	if (ip4_addr_isany_val(u->gw))
		u->gw = u->server;
	return NET_UPLINK_UP;
}

enum net_uplink_step net_uplink_up(unsigned accel, unsigned port, struct net_uplink *u, char *why, size_t whylen)
{
	memset(u, 0, sizeof *u);
	enum net_uplink_step step = stack_ready(why, whylen);
	if (step != NET_UPLINK_UP)
		return step;
	if (accel >= accel_count() || port >= accel_get(accel)->ports) {
		ksnprintf(why, whylen, "net.uplink=accel%u.port%u: no such port (%u accelerators)", accel, port,
			  accel_count());
		return NET_UPLINK_NO_PORT;
	}
	u->port = nic_port_get(accel_get(accel), port);
	char nw[160];
	struct nic_open_cfg oc = {.mtu = 0};
	if (nic_open(u->port, &oc, nw, sizeof nw) != ACCEL_OK) {
		ksnprintf(why, whylen, "%s", nw);
		return NET_UPLINK_OPEN;
	}
	if (nic_link_wait(u->port, true, NIC_LINK_WAIT_MS) != ACCEL_OK) {
		ksnprintf(why, whylen, "%s (net.uplink): link down after %u ms", nic_name(u->port), NIC_LINK_WAIT_MS);
		return NET_UPLINK_LINK;
	}
	u->link = &u->port->port;
	return lease(u, why, whylen);
}

enum net_uplink_step net_uplink_up_port(struct net_port *p, struct net_uplink *u, char *why, size_t whylen)
{
	memset(u, 0, sizeof *u);
	enum net_uplink_step step = stack_ready(why, whylen);
	if (step != NET_UPLINK_UP)
		return step;
	u->link = p;
	return lease(u, why, whylen);
}

void net_uplink_down(struct net_uplink *u)
{
	net_reset();
	if (u->port)
		nic_close(u->port);
}
