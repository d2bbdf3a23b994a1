/* An in-memory Ethernet wire joining two net_ports inside Kiln: what a frame sent on one
 * end becomes on the other. It exists to prove the lwIP port and the traffic apps without
 * any NIC (the stack self-tests), and carries knobs to drop or corrupt every n-th frame so
 * those self-tests can show that loss and corruption are caught. */
#ifndef KILN_NET_WIRE_H
#define KILN_NET_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/port.h"

#define NET_WIRE_MTU_MAX 1500u
#define NET_WIRE_SLOTS 256u  /* frames queued per direction */

struct net_wire_faults {
	uint32_t drop_every;     /* drop every n-th frame (0: none) */
	uint32_t corrupt_every;  /* flip one byte past the Ethernet header of every n-th frame */
	bool link_down;
};

struct net_wire_counters {
	uint64_t carried, dropped, corrupted, refused_full, refused_link;
};

struct net_wire_queue {
	uint8_t *slots;          /* NET_WIRE_SLOTS frames of slot_size bytes */
	uint16_t len[NET_WIRE_SLOTS];
	uint32_t head, tail;     /* free-running; head - tail frames queued */
};

struct net_wire {
	struct net_port end[2];
	struct net_wire_queue q[2];  /* q[k]: frames travelling to end[k] */
	size_t slot_size;
	struct net_wire_faults faults;
	struct net_wire_counters cnt;
	uint64_t frames_seen;
	bool open;
};

/* Open the wire with both ends at this MTU and empty queues. The slot memory is taken from
 * the page allocator on first use and kept. 0 or -1 with *why. */
int net_wire_open(struct net_wire *w, const char *name, uint16_t mtu, const char **why);
void net_wire_close(struct net_wire *w);

#endif
