/* lwIP netifs over net_ports. TX: lwIP's pbuf chain is handed to the port as one frame.
 * RX: where the port offers it (rx_poll_keep), a frame goes to ethernet_input in the
 * port's own buffer, as a custom PBUF_REF pbuf whose free gives the buffer back to the
 * port (zero copy); otherwise, or with no spare buffer or pbuf left, it is copied into a
 * pool pbuf. */
#include "net/netif.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/pmm.h"
#include "kernel/lib/string.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_VLAN 0x8100u
#define VLAN_TAG_LEN 4u
#define IPV4_MIN_HDR 20u
#define IPV4_PROTO_OFF 9u
#define IPV4_SRC_OFF 12u
#define IPV4_PROTO_UDP 17u
#define DHCP_SERVER_PORT 67u

static struct net_if ifs[NET_IF_MAX];
struct net_cycles net_cycles;

/* A frame lwIP holds in a port's RX buffer. */
struct rx_ref {
	struct pbuf_custom pc;   /* first: lwIP's pbuf is this */
	struct net_port *port;
	uint8_t *frame;
	uint32_t tag;
	struct rx_ref *next_free;
};
static struct rx_ref rx_refs[NET_IF_RX_REFS];
static struct rx_ref *rx_ref_free;
static bool rx_refs_ready;

static void rx_ref_release(struct pbuf *p)
{
	struct rx_ref *r = (struct rx_ref *)p;
	r->port->ops->rx_release(r->port, r->frame, r->tag);
	r->next_free = rx_ref_free;
	rx_ref_free = r;
}

static struct rx_ref *rx_ref_get(void)
{
	if (!rx_refs_ready) {
		for (unsigned k = 0; k < NET_IF_RX_REFS; k++) {
			rx_refs[k].next_free = rx_ref_free;
			rx_ref_free = &rx_refs[k];
		}
		rx_refs_ready = true;
	}
	struct rx_ref *r = rx_ref_free;
	if (r)
		rx_ref_free = r->next_free;
	return r;
}

const char *net_strerror(int err)
{
	switch (err) {
	case NET_OK: return "ok";
	case NET_EBUSY: return "transmit queue full past its deadline";
	case NET_ELINK: return "link down";
	case NET_ELEN: return "frame length out of range";
	case NET_EIO: return "port stopped or reported an error";
	default: return "unknown error";
	}
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct net_if *i = nif->state;
	const void *frame = p->payload;
	if (p->next) {
		if (p->tot_len > i->txbuf_size) {
			i->cnt.tx_errors++;
			i->cnt.last_tx_err = NET_ELEN;
			return ERR_BUF;
		}
		pbuf_copy_partial(p, i->txbuf, p->tot_len, 0);
		frame = i->txbuf;
	}
	/* the doorbell waits for the end of this main-loop turn (net_if_flush_all): one per batch */
	struct net_cycles_span sp = net_cycles_begin();
	int r = i->port->ops->tx(i->port, frame, p->tot_len, NET_TX_MORE);
	net_cycles_end(sp, &net_cycles.tx_queue);
	net_cycles.tx_frames++;
	if (r < 0) {
		i->cnt.tx_errors++;
		i->cnt.last_tx_err = r;
		return r == NET_EBUSY ? ERR_MEM : ERR_IF;
	}
	i->cnt.tx_frames++;
	i->cnt.tx_bytes += p->tot_len;
	return ERR_OK;
}

static err_t if_init(struct netif *nif)
{
	struct net_if *i = nif->state;
	nif->name[0] = 'k';
	nif->name[1] = 'n';
	nif->hwaddr_len = NET_MAC_LEN;
	memcpy(nif->hwaddr, i->port->mac, NET_MAC_LEN);
	nif->mtu = i->port->mtu;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	netif_set_hostname(nif, "kiln");
	return ERR_OK;
}

int net_if_add(struct net_port *port, const struct net_if_cfg *cfg, struct net_if **out, const char **why)
{
	struct net_if *i = 0;
	for (unsigned k = 0; k < NET_IF_MAX && !i; k++)
		if (!ifs[k].used)
			i = &ifs[k];
	if (!i) {
		*why = "every interface slot is in use";
		return -1;
	}
	size_t need = net_port_max_frame(port);
	if (i->txbuf_size < need) {
		uint64_t pages = (need + PMM_PAGE - 1) / PMM_PAGE;
		uint8_t *b = page_alloc(pages);
		if (!b) {
			*why = "no memory for the interface's transmit buffer";
			return -1;
		}
		if (i->txbuf)
			page_free(i->txbuf, (i->txbuf_size + PMM_PAGE - 1) / PMM_PAGE);
		i->txbuf = b;
		i->txbuf_size = pages * PMM_PAGE;
	}
	uint8_t *txbuf = i->txbuf;
	size_t txbuf_size = i->txbuf_size;
	memset(i, 0, sizeof *i);
	i->txbuf = txbuf;
	i->txbuf_size = txbuf_size;
	i->port = port;
	i->cfg = *cfg;
	ip4_addr_t any = {0};
	if (!netif_add(&i->nif, cfg->dhcp ? &any : &cfg->ip, cfg->dhcp ? &any : &cfg->mask,
		       cfg->dhcp ? &any : &cfg->gw, i, if_init, ethernet_input)) {
		*why = "lwIP refused the interface";
		return -1;
	}
	i->used = true;
	netif_set_up(&i->nif);
	i->link = port->ops->link_up(port);
	if (i->link)
		netif_set_link_up(&i->nif);
	if (cfg->dhcp && dhcp_start(&i->nif) != ERR_OK) {
		net_if_remove(i);
		*why = "DHCP could not start (no memory)";
		return -1;
	}
	*out = i;
	return 0;
}

void net_if_remove(struct net_if *i)
{
	if (!i->used)
		return;
	if (i->cfg.dhcp) {
		dhcp_release_and_stop(&i->nif);
		dhcp_cleanup(&i->nif);
	}
	netif_set_down(&i->nif);
	netif_remove(&i->nif);
	i->used = false;
}

void net_if_remove_all(void)
{
	for (unsigned k = 0; k < NET_IF_MAX; k++)
		net_if_remove(&ifs[k]);
}

void net_if_allow_only(struct net_if *i, const ip4_addr_t *peers, unsigned n)
{
	i->npeers = n < NET_IF_PEERS_MAX ? n : NET_IF_PEERS_MAX;
	for (unsigned k = 0; k < i->npeers; k++)
		i->peers[k] = peers[k];
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* False for an IPv4 frame whose source is not a configured peer (none is, until
 * net_if_allow_only), unless it is a DHCP server's reply while DHCP runs. */
static bool peer_allowed(const struct net_if *i, const uint8_t *f, size_t len)
{
	size_t off = NET_ETH_HDR;
	if (len < off)
		return false;
	uint16_t type = be16(f + off - 2);
	if (type == ETHERTYPE_VLAN) {
		off += VLAN_TAG_LEN;
		if (len < off)
			return false;
		type = be16(f + off - 2);
	}
	if (type != ETHERTYPE_IPV4)
		return true; /* ARP carries no payload to a listener */
	if (len < off + IPV4_MIN_HDR)
		return false;
	const uint8_t *ip = f + off;
	ip4_addr_t src;
	memcpy(&src.addr, ip + IPV4_SRC_OFF, sizeof src.addr);
	for (unsigned k = 0; k < i->npeers; k++)
		if (ip4_addr_cmp(&src, &i->peers[k]))
			return true;
	size_t ihl = (size_t)(ip[0] & 0xfu) * 4u;
	if (i->cfg.dhcp && ip[IPV4_PROTO_OFF] == IPV4_PROTO_UDP && len >= off + ihl + 2 &&
	    be16(ip + ihl) == DHCP_SERVER_PORT)
		return true;
	return false;
}

static void rx_frame(void *ctx, const uint8_t *frame, size_t len);

/* Zero copy: lwIP gets the port's buffer itself (see the top of the file). */
static bool rx_frame_keep(void *ctx, uint8_t *frame, size_t len, bool may_keep, uint32_t tag)
{
	struct net_if *i = ctx;
	struct rx_ref *r;
	if (!may_keep || !peer_allowed(i, frame, len) || !(r = rx_ref_get())) {
		rx_frame(ctx, frame, len); /* filters, or copies */
		return false;
	}
	r->port = i->port;
	r->frame = frame;
	r->tag = tag;
	r->pc.custom_free_function = rx_ref_release;
	struct pbuf *p = pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF, &r->pc, frame, (u16_t)len);
	net_cycles.rx_frames++;
	i->cnt.rx_frames++;
	i->cnt.rx_bytes += len;
	i->cnt.rx_zero_copy++;
	struct net_cycles_span sp = net_cycles_begin();
	if (i->nif.input(p, &i->nif) != ERR_OK)
		pbuf_free(p);
	net_cycles_end(sp, &net_cycles.rx_lwip);
	return true; /* the buffer is lwIP's until the pbuf is freed, perhaps already */
}

static void rx_frame(void *ctx, const uint8_t *frame, size_t len)
{
	struct net_if *i = ctx;
	if (!peer_allowed(i, frame, len)) {
		i->cnt.rx_filtered++;
		return;
	}
	struct net_cycles_span sp = net_cycles_begin();
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		i->cnt.rx_nomem++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	net_cycles_end(sp, &net_cycles.rx_copy);
	net_cycles.rx_frames++;
	i->cnt.rx_frames++;
	i->cnt.rx_bytes += len;
	sp = net_cycles_begin();
	if (i->nif.input(p, &i->nif) != ERR_OK)
		pbuf_free(p);
	net_cycles_end(sp, &net_cycles.rx_lwip);
}

unsigned net_if_poll_all(void)
{
	unsigned n = 0;
	for (unsigned k = 0; k < NET_IF_MAX; k++) {
		struct net_if *i = &ifs[k];
		if (!i->used)
			continue;
		bool up = i->port->ops->link_up(i->port);
		if (up != i->link) {
			i->link = up;
			if (up)
				netif_set_link_up(&i->nif);
			else
				netif_set_link_down(&i->nif);
		}
		struct net_cycles_span sp = net_cycles_begin();
		if (i->port->ops->rx_poll_keep && i->port->ops->rx_release)
			n += i->port->ops->rx_poll_keep(i->port, NET_IF_RX_BUDGET, rx_frame_keep, i);
		else
			n += i->port->ops->rx_poll(i->port, NET_IF_RX_BUDGET, rx_frame, i);
		net_cycles_end(sp, &net_cycles.rx_driver);
	}
	return n;
}

void net_if_flush_all(void)
{
	struct net_cycles_span sp = net_cycles_begin();
	for (unsigned k = 0; k < NET_IF_MAX; k++)
		if (ifs[k].used)
			net_port_flush(ifs[k].port);
	net_cycles_end(sp, &net_cycles.doorbell);
}

/* For cpu_sleep_unless: some interface has frames waiting (or says it cannot tell), or
 * there is no interface to be woken by. */
static bool rx_ready_or_none(void *arg)
{
	(void)arg;
	unsigned used = 0;
	for (unsigned k = 0; k < NET_IF_MAX; k++) {
		struct net_if *i = &ifs[k];
		if (!i->used)
			continue;
		used++;
		if (!i->port->ops->rx_irq_pending || i->port->ops->rx_irq_pending(i->port) != 0)
			return true;
	}
	return !used;
}

bool net_if_idle_wait(void)
{
	if (!irq_enabled())
		return false;
	return !cpu_sleep_unless(rx_ready_or_none, 0);
}

static bool if_usable(const struct net_if *i)
{
	return i->used && netif_is_up(&i->nif) && netif_is_link_up(&i->nif) && net_if_has_address(i);
}

/* Source routing for a host with several ports on one stack: a packet with a source
 * address leaves through the port owning it; one without a source, addressed to one of our
 * own ports, leaves through another port on that subnet (there is no loopback: the point
 * is to cross the wire). Anything else takes lwIP's normal route. */
struct netif *net_if_route_src(const ip4_addr_t *src, const ip4_addr_t *dest)
{
	if (src && !ip4_addr_isany(src)) {
		for (unsigned k = 0; k < NET_IF_MAX; k++)
			if (if_usable(&ifs[k]) && ip4_addr_cmp(src, net_if_ip(&ifs[k])))
				return &ifs[k].nif;
		return 0;
	}
	const struct net_if *owner = 0;
	for (unsigned k = 0; k < NET_IF_MAX && !owner; k++)
		if (if_usable(&ifs[k]) && ip4_addr_cmp(dest, net_if_ip(&ifs[k])))
			owner = &ifs[k];
	if (!owner)
		return 0;
	for (unsigned k = 0; k < NET_IF_MAX; k++) {
		const struct net_if *i = &ifs[k];
		if (i != owner && if_usable(i) && ip4_addr_netcmp(dest, net_if_ip(i), netif_ip4_netmask(&i->nif)))
			return (struct netif *)&i->nif;
	}
	return 0;
}

bool net_if_has_address(const struct net_if *i) { return !ip4_addr_isany_val(*netif_ip4_addr(&i->nif)); }

const ip4_addr_t *net_if_ip(const struct net_if *i) { return netif_ip4_addr(&i->nif); }
