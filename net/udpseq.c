/* UDP datagrams with sequence numbers and CRC-32. */
#include "net/udpseq.h"

#include "kernel/lib/crc32.h"
#include "kernel/lib/pattern.h"
#include "kernel/lib/string.h"
#include "lwip/udp.h"
#include "net/stack.h"

#define UDPSEQ_MAGIC 0x4b4c5553u /* "KLUS" */

struct udpseq_hdr {
	uint32_t magic, seq, total, crc; /* network byte order; crc over header (crc = 0) and payload */
};

static struct {
	struct udp_pcb *rx_pcb, *tx_pcb;
	ip4_addr_t peer;
	uint64_t seed;
	struct net_udpseq_rx st;
	uint8_t seen[NET_UDPSEQ_MAX / 8];
	uint8_t buf[sizeof(struct udpseq_hdr) + NET_UDPSEQ_PAYLOAD_MAX];
} us;

static struct net_cleanup udpseq_cleanup_hook;

static void udpseq_close(void)
{
	if (us.rx_pcb)
		udp_remove(us.rx_pcb);
	if (us.tx_pcb)
		udp_remove(us.tx_pcb);
	us.rx_pcb = us.tx_pcb = 0;
}

static void hook(void)
{
	udpseq_cleanup_hook.fn = udpseq_close;
	net_cleanup_register(&udpseq_cleanup_hook);
}

static uint64_t payload_seed(uint64_t seed, uint32_t seq) { return seed ^ ((uint64_t)seq << 32 | seq); }

static uint32_t datagram_crc(struct udpseq_hdr h, const uint8_t *payload, size_t n)
{
	h.crc = 0;
	return crc32_ieee(crc32_ieee(0, &h, sizeof h), payload, n);
}

static void udpseq_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)port;
	struct net_udpseq_rx *s = &us.st;
	if (!ip4_addr_cmp(ip_2_ip4(addr), &us.peer)) {
		s->foreign++;
		pbuf_free(p);
		return;
	}
	s->received++;
	struct udpseq_hdr h;
	u16_t n = p->tot_len;
	if (n < sizeof h || n > sizeof us.buf || pbuf_copy_partial(p, us.buf, n, 0) != n) {
		s->malformed++;
		pbuf_free(p);
		return;
	}
	pbuf_free(p);
	memcpy(&h, us.buf, sizeof h);
	const uint8_t *payload = us.buf + sizeof h;
	size_t plen = n - sizeof h;
	uint32_t seq = lwip_ntohl(h.seq), total = lwip_ntohl(h.total);
	struct pattern_err e = {0};
	if (lwip_ntohl(h.magic) != UDPSEQ_MAGIC || lwip_ntohl(h.crc) != datagram_crc(h, payload, plen) ||
	    seq >= NET_UDPSEQ_MAX || total > NET_UDPSEQ_MAX || seq >= total ||
	    pattern_check_err(payload, plen, payload_seed(us.seed, seq), 0, &e)) {
		s->corrupt++;
		if (s->first_corrupt_seq < 0)
			s->first_corrupt_seq = seq;
		return;
	}
	s->total = total;
	if (us.seen[seq / 8] & (1u << (seq % 8))) {
		s->duplicates++;
		return;
	}
	us.seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	if (s->unique && seq < s->highest)
		s->reordered++;
	if (seq > s->highest || !s->unique)
		s->highest = seq;
	s->unique++;
}

int net_udpseq_listen(const ip4_addr_t *local, uint16_t port, const ip4_addr_t *peer, uint64_t seed)
{
	hook();
	if (us.rx_pcb)
		udp_remove(us.rx_pcb);
	memset(&us.st, 0, sizeof us.st);
	memset(us.seen, 0, sizeof us.seen);
	us.st.first_corrupt_seq = -1;
	us.peer = *peer;
	us.seed = seed;
	us.rx_pcb = udp_new();
	if (!us.rx_pcb)
		return -1;
	ip_addr_t a;
	ip_addr_copy_from_ip4(a, *local);
	if (udp_bind(us.rx_pcb, &a, port) != ERR_OK) {
		udp_remove(us.rx_pcb);
		us.rx_pcb = 0;
		return -1;
	}
	udp_recv(us.rx_pcb, udpseq_recv, 0);
	return 0;
}

const struct net_udpseq_rx *net_udpseq_stats(void) { return &us.st; }
bool net_udpseq_complete(void) { return us.st.total && us.st.unique == us.st.total; }

void net_udpseq_stop(void)
{
	if (us.rx_pcb)
		udp_remove(us.rx_pcb);
	us.rx_pcb = 0;
}

int net_udpseq_send(const ip4_addr_t *src, const ip4_addr_t *dst, uint16_t port, uint32_t count, unsigned size,
		    uint64_t seed, struct deadline d, struct net_udpseq_tx *tx)
{
	hook();
	memset(tx, 0, sizeof *tx);
	if (size > NET_UDPSEQ_PAYLOAD_MAX || count > NET_UDPSEQ_MAX)
		return -1;
	if (us.tx_pcb)
		udp_remove(us.tx_pcb);
	us.tx_pcb = udp_new();
	if (!us.tx_pcb)
		return -1;
	ip_addr_t a, to;
	ip_addr_copy_from_ip4(a, *src);
	ip_addr_copy_from_ip4(to, *dst);
	if (udp_bind(us.tx_pcb, &a, 0) != ERR_OK)
		return -1;
	for (uint32_t seq = 0; seq < count; seq++) {
		for (;;) {
			struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(sizeof(struct udpseq_hdr) + size), PBUF_RAM);
			err_t e = ERR_MEM;
			if (p) {
				struct udpseq_hdr h = {lwip_htonl(UDPSEQ_MAGIC), lwip_htonl(seq), lwip_htonl(count), 0};
				uint8_t *payload = (uint8_t *)p->payload + sizeof h;
				pattern_fill(payload, size, payload_seed(seed, seq), 0);
				h.crc = lwip_htonl(datagram_crc(h, payload, size));
				memcpy(p->payload, &h, sizeof h);
				e = udp_sendto(us.tx_pcb, p, &to, port);
				pbuf_free(p);
			}
			net_poll();
			if (e == ERR_OK)
				break;
			tx->last_err = e;
			tx->retries++;
			if (deadline_passed(d))
				return -1;
		}
		tx->sent++;
	}
	udp_remove(us.tx_pcb);
	us.tx_pcb = 0;
	return 0;
}
