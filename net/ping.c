/* ICMP echo through a raw PCB: lwIP answers requests itself (icmp.c); we send requests
 * and take the replies that carry our identifier. */
#include "net/ping.h"

#include "kernel/lib/pattern.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "net/stack.h"

#define PING_ID 0x4b4cu /* "KL" */

static struct {
	struct raw_pcb *pcb;
	uint16_t seq;          /* outstanding request */
	bool waiting, got;
	uint64_t sent_ns, rtt_ns;
	uint64_t seed;
	unsigned payload;
	struct net_ping_result *r;
} ping;

static struct net_cleanup ping_cleanup_hook;

static void ping_close(void)
{
	if (ping.pcb) {
		raw_remove(ping.pcb);
		ping.pcb = 0;
	}
	ping.waiting = false;
	ping.r = 0;
}

static uint64_t payload_seed(uint16_t seq) { return ping.seed ^ ((uint64_t)seq << 32); }

static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	if (p->tot_len < IP_HLEN || !ping.r)
		return 0;
	struct ip_hdr iph;
	pbuf_copy_partial(p, &iph, IP_HLEN, 0);
	u16_t hlen = (u16_t)(IPH_HL(&iph) * 4u);
	struct icmp_echo_hdr h;
	if (p->tot_len < hlen + sizeof h || pbuf_copy_partial(p, &h, sizeof h, hlen) != sizeof h)
		return 0;
	if (h.type != ICMP_ER || h.id != lwip_htons(PING_ID))
		return 0; /* not ours: lwIP goes on with it */
	uint16_t seq = lwip_ntohs(h.seqno);
	if (!ping.waiting || seq != ping.seq) {
		ping.r->unexpected++;
	} else {
		static uint8_t buf[NET_PING_PAYLOAD_MAX];
		u16_t n = (u16_t)(p->tot_len - hlen - sizeof h);
		struct pattern_err e = {0};
		if (n != ping.payload || pbuf_copy_partial(p, buf, n, (u16_t)(hlen + sizeof h)) != n ||
		    pattern_check_err(buf, n, payload_seed(seq), 0, &e))
			ping.r->bad_payload++;
		ping.rtt_ns = time_ns() - ping.sent_ns;
		ping.got = true;
		ping.waiting = false;
	}
	pbuf_free(p);
	return 1;
}

static bool ping_done(void *arg)
{
	(void)arg;
	return ping.got;
}

int net_ping(const ip4_addr_t *src, const ip4_addr_t *dst, unsigned count, unsigned payload, uint64_t wait_ms,
	     uint64_t seed, struct net_ping_result *r)
{
	ping_cleanup_hook.fn = ping_close;
	net_cleanup_register(&ping_cleanup_hook);
	ping_close();
	memset(r, 0, sizeof *r);
	if (payload > NET_PING_PAYLOAD_MAX)
		payload = NET_PING_PAYLOAD_MAX;
	ping.pcb = raw_new(IP_PROTO_ICMP);
	if (!ping.pcb)
		return -1;
	ip_addr_t local;
	ip_addr_copy_from_ip4(local, *src);
	raw_bind(ping.pcb, &local);
	raw_recv(ping.pcb, ping_recv, 0);
	ping.seed = seed;
	ping.payload = payload;
	ping.r = r;
	ip_addr_t to;
	ip_addr_copy_from_ip4(to, *dst);
	for (unsigned k = 0; k < count; k++) {
		struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(sizeof(struct icmp_echo_hdr) + payload), PBUF_RAM);
		if (!p) {
			r->send_err = ERR_MEM;
			break;
		}
		struct icmp_echo_hdr *h = p->payload;
		uint16_t seq = (uint16_t)(k + 1);
		h->type = ICMP_ECHO;
		h->code = 0;
		h->chksum = 0;
		h->id = lwip_htons(PING_ID);
		h->seqno = lwip_htons(seq);
		pattern_fill((uint8_t *)(h + 1), payload, payload_seed(seq), 0);
		h->chksum = inet_chksum(h, (u16_t)(sizeof *h + payload));
		ping.seq = seq;
		ping.waiting = true;
		ping.got = false;
		ping.sent_ns = time_ns();
		err_t e = raw_sendto(ping.pcb, p, &to);
		pbuf_free(p);
		if (e != ERR_OK) {
			r->send_err = e;
			ping.waiting = false;
			continue;
		}
		r->sent++;
		if (!net_poll_until(deadline_in_ms(wait_ms), ping_done, 0)) {
			r->lost++;
			ping.waiting = false;
			continue;
		}
		r->received++;
		if (!r->rtt_min_ns || ping.rtt_ns < r->rtt_min_ns)
			r->rtt_min_ns = ping.rtt_ns;
		if (ping.rtt_ns > r->rtt_max_ns)
			r->rtt_max_ns = ping.rtt_ns;
		r->rtt_sum_ns += ping.rtt_ns;
	}
	ping_close();
	return 0;
}
