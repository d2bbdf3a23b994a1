/* One lwIP netif per port: static IPv4 addressing or DHCP, link state followed from the
 * port, and an optional peer filter (only configured peers reach lwIP). */
#ifndef KILN_NET_NETIF_H
#define KILN_NET_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "net/cycles.h"
#include "net/port.h"

#define NET_IF_MAX 20
#define NET_IF_PEERS_MAX 8
#define NET_IF_RX_BUDGET 64  /* frames per port per poll turn */
#define NET_IF_RX_REFS 128   /* zero-copy RX pbufs (frames lwIP holds in ring buffers), all interfaces */

struct net_if_cfg {
	bool dhcp;
	ip4_addr_t ip, mask, gw;  /* static addressing when !dhcp */
};

struct net_if_counters {
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes;
	uint64_t rx_nomem;        /* no pbuf for a received frame */
	uint64_t rx_zero_copy;    /* frames handed to lwIP in the port's own buffer */
	uint64_t rx_filtered;     /* IPv4 from a source outside the peer filter */
	uint64_t tx_errors;       /* the port refused a frame */
	int last_tx_err;
};

struct net_if {
	struct netif nif;
	struct net_port *port;
	struct net_if_cfg cfg;
	struct net_if_counters cnt;
	ip4_addr_t peers[NET_IF_PEERS_MAX];
	unsigned npeers;          /* only these sources (and DHCP replies) pass: none until set */
	bool used, link;
	uint8_t *txbuf;
	size_t txbuf_size;
};

/* Add an interface over a port and bring it up. 0, or a negative value with *why. */
int net_if_add(struct net_port *port, const struct net_if_cfg *cfg, struct net_if **out, const char **why);
void net_if_remove(struct net_if *i);
void net_if_remove_all(void);
/* Accept IPv4 only from these sources (DHCP server replies always pass while DHCP runs).
 * A new interface accepts none until this is called: nothing reaches a listener from a
 * source the case did not name. */
void net_if_allow_only(struct net_if *i, const ip4_addr_t *peers, unsigned n);
/* Receive on every interface and follow link changes; the number of frames received. */
unsigned net_if_poll_all(void);
/* Ring every port's doorbell for the frames lwIP queued since the last call. */
void net_if_flush_all(void);
/* Sleep until the next interrupt when every interface's port interrupts on receive and
 * none has a frame waiting (the timer tick bounds the sleep). False when it did not sleep. */
bool net_if_idle_wait(void);
bool net_if_has_address(const struct net_if *i);
const ip4_addr_t *net_if_ip(const struct net_if *i);

#endif
