/* UDP with sequence numbers: the sender numbers datagrams 0..total-1 and protects each
 * (header and seeded payload) with a CRC-32; the receiver accounts for every number:
 * received, lost, duplicated, reordered, corrupted. */
#ifndef KILN_NET_UDPSEQ_H
#define KILN_NET_UDPSEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/time.h"
#include "lwip/ip4_addr.h"

#define NET_UDPSEQ_MAX 65536u        /* datagrams per run the receiver can account for */
#define NET_UDPSEQ_PAYLOAD_MAX 1456u /* fits one 1500-byte MTU frame with the header */

struct net_udpseq_rx {
	uint32_t total;          /* as announced by the sender (0: nothing valid received yet) */
	uint32_t received, unique, duplicates, reordered, corrupt, foreign, malformed;
	uint32_t highest;        /* highest sequence seen */
	int64_t first_corrupt_seq; /* -1: none */
};

struct net_udpseq_tx {
	uint32_t sent, retries;
	int last_err;            /* lwIP err_t of the last refusal */
};

/* Receive on local:port, counting only datagrams from peer (others are 'foreign'). */
int net_udpseq_listen(const ip4_addr_t *local, uint16_t port, const ip4_addr_t *peer, uint64_t seed);
const struct net_udpseq_rx *net_udpseq_stats(void);
/* All `total` datagrams have arrived at least once. */
bool net_udpseq_complete(void);
void net_udpseq_stop(void);

/* Send `count` datagrams of `size` payload bytes from src to dst:port. A datagram the
 * stack refuses (queue full) is retried while polling, until the deadline. 0, or -1 when
 * the deadline passed or the PCB could not be made (tx says how far it got). */
int net_udpseq_send(const ip4_addr_t *src, const ip4_addr_t *dst, uint16_t port, uint32_t count, unsigned size,
		    uint64_t seed, struct deadline d, struct net_udpseq_tx *tx);

#endif
