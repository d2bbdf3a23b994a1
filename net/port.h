/* A network port as net/ sees it: something that sends and receives Ethernet frames.
 * The NIC driver (drivers/accel/nic.c) and the in-memory wire (net/wire.c) implement it;
 * lwIP interfaces (net/netif.c) and the raw L2 burst (net/l2burst.c) use it. Frames are
 * whole Ethernet frames without FCS. */
#ifndef KILN_NET_PORT_H
#define KILN_NET_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAC_LEN 6
#define NET_ETH_HDR 14u
#define NET_ETH_TYPE_OFF 12u     /* ethertype (or 802.3 length) after the two MACs */
#define NET_ETH_OVERHEAD 18u   /* header + one VLAN tag: the largest frame is mtu + this */
#define NET_ETH_MIN_FRAME 60u  /* without FCS; shorter frames are padded by senders */
#define NET_PORT_NAME_MAX 24
#define NET_MTU_MAX 9216u       /* jumbo frames: the largest MTU any port here may have */

enum net_err {
	NET_OK = 0,
	NET_EBUSY = -1,  /* no room to queue the frame before the port's deadline */
	NET_ELINK = -2,  /* link is down */
	NET_ELEN = -3,   /* frame length outside 14..mtu+18 */
	NET_EIO = -4,    /* the port stopped or reported an error */
};
const char *net_strerror(int err);

struct net_port;
/* Called for each received frame; the frame is only valid during the call. */
typedef void (*net_rx_fn)(void *ctx, const uint8_t *frame, size_t len);
/* Zero-copy receive: as net_rx_fn, but when may_keep the callee may keep the frame's
 * buffer (return true) and give it back later with the port's rx_release(p, frame, tag). */
typedef bool (*net_rx_keep_fn)(void *ctx, uint8_t *frame, size_t len, bool may_keep, uint32_t tag);

#define NET_TX_MORE 1u /* more frames follow at once: the port may defer its doorbell */

struct net_port_ops {
	/* Queue one frame for sending (the port copies it). 0 or a negative enum net_err.
	 * A port may wait (bounded by its own deadline) for room in its queue. */
	int (*tx)(struct net_port *p, const void *frame, size_t len, unsigned flags);
	/* Send what NET_TX_MORE left queued; NULL when the port has nothing to defer. */
	void (*flush)(struct net_port *p);
	/* Hand up to `budget` received frames to fn; returns how many. Never blocks. */
	unsigned (*rx_poll)(struct net_port *p, unsigned budget, net_rx_fn fn, void *ctx);
	bool (*link_up)(struct net_port *p);
	/* Frames waiting to be taken, or -1 when the port raises no interrupt on receive (then
	 * the main loop never sleeps on it). NULL: -1. Called with interrupts off. */
	int (*rx_irq_pending)(struct net_port *p);
	/* Zero-copy receive (NULL: the port has none; use rx_poll): as rx_poll, and a buffer
	 * the callback keeps is replaced in the ring by a spare of the port's. may_keep is
	 * false when no spare is left (the callback copies then). */
	unsigned (*rx_poll_keep)(struct net_port *p, unsigned budget, net_rx_keep_fn fn, void *ctx);
	/* A kept buffer back to the port; one kept before the port was closed or reopened (its
	 * tag is stale) is ignored. */
	void (*rx_release)(struct net_port *p, uint8_t *frame, uint32_t tag);
};

struct net_port {
	const struct net_port_ops *ops;
	char name[NET_PORT_NAME_MAX]; /* "wire0.a", "accel0.port1" */
	uint8_t mac[NET_MAC_LEN];
	uint16_t mtu;                 /* L3 MTU */
	void *priv;
};

static inline void net_port_flush(struct net_port *p)
{
	if (p->ops->flush)
		p->ops->flush(p);
}

static inline size_t net_port_max_frame(const struct net_port *p) { return (size_t)p->mtu + NET_ETH_OVERHEAD; }

#endif
