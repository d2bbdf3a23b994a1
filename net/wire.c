/* The in-memory wire: two single-producer rings, one per direction. */
#include "net/wire.h"

#include "kernel/lib/fmt.h"
#include "kernel/pmm.h"
#include "kernel/lib/string.h"

static struct net_wire *wire_of(struct net_port *p) { return p->priv; }
static unsigned end_index(struct net_wire *w, struct net_port *p) { return p == &w->end[0] ? 0 : 1; }

static int wire_tx(struct net_port *p, const void *frame, size_t len, unsigned flags)
{
	(void)flags;
	struct net_wire *w = wire_of(p);
	if (len < NET_ETH_HDR || len > net_port_max_frame(p))
		return NET_ELEN;
	if (w->faults.link_down) {
		w->cnt.refused_link++;
		return NET_ELINK;
	}
	struct net_wire_queue *q = &w->q[end_index(w, p) ^ 1u];
	if (q->head - q->tail >= NET_WIRE_SLOTS) {
		w->cnt.refused_full++;
		return NET_EBUSY;
	}
	w->frames_seen++;
	if (w->faults.drop_every && w->frames_seen % w->faults.drop_every == 0) {
		w->cnt.dropped++;
		return NET_OK; /* lost on the wire: the sender cannot know */
	}
	uint32_t slot = q->head % NET_WIRE_SLOTS;
	uint8_t *dst = q->slots + (size_t)slot * w->slot_size;
	memcpy(dst, frame, len);
	if (w->faults.corrupt_every && w->frames_seen % w->faults.corrupt_every == 0 && len > NET_ETH_HDR) {
		size_t at = NET_ETH_HDR + (size_t)(w->frames_seen % (len - NET_ETH_HDR));
		dst[at] ^= 0xffu;
		w->cnt.corrupted++;
	}
	q->len[slot] = (uint16_t)len;
	q->head++;
	w->cnt.carried++;
	return NET_OK;
}

static unsigned wire_rx_poll(struct net_port *p, unsigned budget, net_rx_fn fn, void *ctx)
{
	struct net_wire *w = wire_of(p);
	struct net_wire_queue *q = &w->q[end_index(w, p)];
	unsigned n = 0;
	while (n < budget && q->tail != q->head) {
		uint32_t slot = q->tail % NET_WIRE_SLOTS;
		/* Consume first: fn may transmit on this wire and must see the slot free. */
		q->tail++;
		fn(ctx, q->slots + (size_t)slot * w->slot_size, q->len[slot]);
		n++;
	}
	return n;
}

static bool wire_link_up(struct net_port *p) { return !wire_of(p)->faults.link_down; }

static const struct net_port_ops wire_ops = {
	.tx = wire_tx,
	.rx_poll = wire_rx_poll,
	.link_up = wire_link_up,
};

/* Locally administered unicast MACs, distinct per end. */
static const uint8_t wire_mac_base[NET_MAC_LEN] = {0x02, 0x4b, 0x4c, 0x4e, 0x00, 0x00};

int net_wire_open(struct net_wire *w, const char *name, uint16_t mtu, const char **why)
{
	if (mtu > NET_WIRE_MTU_MAX) {
		*why = "wire MTU above NET_WIRE_MTU_MAX";
		return -1;
	}
	size_t slot = ((size_t)NET_WIRE_MTU_MAX + NET_ETH_OVERHEAD + 63u) & ~(size_t)63u;
	for (unsigned k = 0; k < 2; k++) {
		uint8_t *slots = w->q[k].slots;
		if (!slots) {
			slots = page_alloc((NET_WIRE_SLOTS * slot + PMM_PAGE - 1) / PMM_PAGE);
			if (!slots) {
				*why = "no memory for the wire's frame slots";
				return -1;
			}
		}
		memset(&w->q[k], 0, sizeof w->q[k]);
		w->q[k].slots = slots;
	}
	w->slot_size = slot;
	memset(&w->faults, 0, sizeof w->faults);
	memset(&w->cnt, 0, sizeof w->cnt);
	w->frames_seen = 0;
	for (unsigned k = 0; k < 2; k++) {
		struct net_port *p = &w->end[k];
		p->ops = &wire_ops;
		ksnprintf(p->name, sizeof p->name, "%s.%c", name, 'a' + k);
		memcpy(p->mac, wire_mac_base, NET_MAC_LEN);
		p->mac[NET_MAC_LEN - 1] = (uint8_t)(k + 1);
		p->mtu = mtu;
		p->priv = w;
	}
	w->open = true;
	return 0;
}

void net_wire_close(struct net_wire *w)
{
	for (unsigned k = 0; k < 2; k++)
		w->q[k].head = w->q[k].tail = 0;
	w->open = false;
}
