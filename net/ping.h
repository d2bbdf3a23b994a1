/* ICMP echo over lwIP: requests with an identifier, sequence numbers and a seeded payload;
 * every reply is matched by sequence and its payload verified. */
#ifndef KILN_NET_PING_H
#define KILN_NET_PING_H

#include <stdint.h>

#include "lwip/ip4_addr.h"

#define NET_PING_PAYLOAD_MAX 8192u      /* larger than one frame: IP fragments it */
#define NET_PING_PAYLOAD_UNFRAGMENTED 1472u /* the largest that fits a 1500-byte MTU */

struct net_ping_result {
	unsigned sent, received;
	unsigned lost;            /* no reply before the per-request deadline */
	unsigned bad_payload;     /* reply whose payload differs from the request's */
	unsigned unexpected;      /* reply with a sequence not outstanding (late, duplicated) */
	uint64_t rtt_min_ns, rtt_max_ns, rtt_sum_ns;
	int send_err;             /* lwIP err_t of the last refused send, 0 if none */
};

/* Send `count` echo requests from src to dst one after another, each waiting for its reply
 * up to wait_ms. 0 when the PCB could be set up (the result says how it went), else -1. */
int net_ping(const ip4_addr_t *src, const ip4_addr_t *dst, unsigned count, unsigned payload, uint64_t wait_ms,
	     uint64_t seed, struct net_ping_result *r);

#endif
