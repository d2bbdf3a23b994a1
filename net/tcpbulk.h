/* TCP bulk transfer with the data verified end to end: the client sends `bytes` of the
 * seeded stream pattern and closes; the server checks every byte at its stream offset.
 * Server and client are independent (both run in one Kiln over the wire or between two
 * of its ports, or one each in two machines). */
#ifndef KILN_NET_TCPBULK_H
#define KILN_NET_TCPBULK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/time.h"
#include "lwip/ip4_addr.h"

struct net_tcpbulk_rx {
	bool accepted, finished;  /* a connection from the peer came; its FIN arrived */
	int err;                  /* lwIP err_t if the connection failed (0: none) */
	uint64_t bytes;
	struct {
		uint64_t bad_bytes, first_off;
		uint8_t expected, actual;
	} mismatch;
	uint32_t refused;         /* connections from other addresses, refused */
	uint64_t first_ns, last_ns;
};

struct net_tcpbulk_tx {
	bool connected, finished; /* all bytes acknowledged and the connection closed */
	int err;                  /* lwIP err_t of a failure (0: none) */
	uint64_t bytes_queued, bytes_acked;
	uint64_t start_ns, end_ns;
};

/* Listen on local:port for one connection from peer. */
int net_tcpbulk_listen(const ip4_addr_t *local, uint16_t port, const ip4_addr_t *peer, uint64_t seed);
const struct net_tcpbulk_rx *net_tcpbulk_rx_stats(void);
void net_tcpbulk_stop_listen(void);

/* Connect from src to dst:port and send `bytes`; returns when done, failed or the deadline
 * passed (tx says which). 0 when finished cleanly. */
int net_tcpbulk_send(const ip4_addr_t *src, const ip4_addr_t *dst, uint16_t port, uint64_t bytes, uint64_t seed,
		     struct deadline d, struct net_tcpbulk_tx *tx);

#endif
