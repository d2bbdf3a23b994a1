/* The uplink: a port cabled to an outside network, either the accelerator NIC port named by
 * net.uplink or a management NIC (drivers/mgmt). Bringing it up is the same for the
 * net-uplink-* cases and for the result upload at the end of a run: lwIP started, the port
 * open with its link up, an lwIP interface on it with DHCP, and a lease. The caller decides
 * who may talk to it afterwards (net_if_allow_only). */
#ifndef KILN_NET_UPLINK_H
#define KILN_NET_UPLINK_H

#include <stddef.h>

#include "lwip/ip4_addr.h"

#define NET_UPLINK_DHCP_WAIT_MS 15000u

struct net_if;
struct net_port;
struct nic_port;

struct net_uplink {
	struct nic_port *port; /* the accelerator port, set once it is known to exist (else NULL) */
	struct net_port *link; /* the port lwIP runs on, once open */
	struct net_if *i;      /* the lwIP interface, once added */
	ip4_addr_t server;     /* the DHCP server that gave the lease */
	ip4_addr_t gw;         /* the lease's router, else the DHCP server (QEMU's user network
				  names no router; 10.0.2.2 is its server and gateway at once) */
};

/* Where a bring-up stopped. */
enum net_uplink_step {
	NET_UPLINK_UP = 0,
	NET_UPLINK_STACK,   /* lwIP could not start */
	NET_UPLINK_NO_PORT, /* no such accelerator or port */
	NET_UPLINK_OPEN,    /* the port did not open */
	NET_UPLINK_LINK,    /* its link stayed down */
	NET_UPLINK_IF,      /* lwIP would not take the interface */
	NET_UPLINK_DHCP,    /* no lease in time */
};

/* Bring up port `port` of accelerator `accel`. On failure `why` names the port and what
 * went wrong and the step says where; either way net_uplink_down() undoes what was done. */
enum net_uplink_step net_uplink_up(unsigned accel, unsigned port, struct net_uplink *u, char *why, size_t whylen);
/* The same over a port its driver has already opened with link up (a management NIC); the
 * caller closes that port after net_uplink_down(). */
enum net_uplink_step net_uplink_up_port(struct net_port *p, struct net_uplink *u, char *why, size_t whylen);
/* Every lwIP interface and app gone (net_reset), an accelerator port closed. */
void net_uplink_down(struct net_uplink *u);

#endif
