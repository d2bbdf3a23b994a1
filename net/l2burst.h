/* The raw L2 path that bypasses lwIP: neighbour discovery (who is at the other end of
 * each port) and bursts of Kiln test frames (net/l2frame.h) with sequence numbers and
 * CRC-32, accounted per receiving port: received, lost, duplicated, reordered, corrupt.
 * Every port of a run bursts to its neighbour at once, in both directions (or one, with
 * rx_only). */
#ifndef KILN_NET_L2BURST_H
#define KILN_NET_L2BURST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/time.h"
#include "net/l2frame.h"
#include "net/port.h"

#define NET_L2_PORTS_MAX 192 /* eight accelerators x 24 ports */
#define NET_L2_BURST_MAX 65536u

struct net_l2_neighbor {
	bool heard;               /* a HELLO came in on this port */
	bool acked;               /* ... saying it had heard ours */
	uint32_t sender;          /* NET_L2_SENDER of the port at the other end */
	uint8_t mac[NET_MAC_LEN];
	char serial[NET_L2_SERIAL_LEN]; /* its device serial, from its HELLO ("": none sent) */
	bool serial_changed;      /* a later HELLO of the same sender named another serial */
};

struct net_l2_stats {        /* one port, receiving from its neighbour */
	uint32_t peer_sent;       /* from the neighbour's DONE (0 until it came) */
	bool peer_done;
	uint32_t received, unique, duplicates, reordered, corrupt, foreign, unparsed_kind;
	uint32_t highest;         /* highest sequence received */
	uint32_t other_round;     /* frames of another burst round, not counted */
	bool peer_ready;          /* the neighbour is in this round: DATA may go */
	uint32_t sent;            /* this port's own DATA frames */
	int tx_err;               /* last net_err refusing a frame */
	uint64_t rx_bytes, tx_bytes;
	uint64_t first_rx_ns, last_rx_ns, tx_start_ns, tx_end_ns;
	int64_t first_corrupt_seq; /* -1: none */
};

/* Where the guest's time went in the last burst, in TSC cycles summed over every port
 * (issue 15 item 5: the largest figure is where the next step is). */
struct net_l2_prof {
	uint64_t built, received;   /* DATA frames built; frames the ports handed up */
	uint64_t build;             /* net_l2_build: headers, key, pattern, CRC */
	uint64_t queue;             /* the port's tx: copy into its ring, the entry */
	uint64_t doorbell;          /* net_port_flush */
	uint64_t rx_driver;         /* rx_poll minus the time in our callback */
	uint64_t verify;            /* net_l2_parse: CRC of the headers, pattern compare */
	uint64_t account;           /* the rest of the callback: bitmap, counters */
	uint64_t control;           /* READY and DONE frames */
	uint64_t total;             /* the whole burst, the linger after it left out */
	bool split;                 /* sender on another CPU: its parts ran beside the receiver's */
};

struct net_l2_run {
	unsigned n;
	struct net_port *port[NET_L2_PORTS_MAX];
	uint32_t id[NET_L2_PORTS_MAX];   /* NET_L2_SENDER of each port */
	const char *serial[NET_L2_PORTS_MAX]; /* each port's device serial, sent in its HELLOs */
	struct net_l2_neighbor nb[NET_L2_PORTS_MAX];
	struct net_l2_stats st[NET_L2_PORTS_MAX];
	bool active[NET_L2_PORTS_MAX];   /* takes part in the burst */
	/* An active port that only receives: READY and DONE (0 sent) but no DATA, so a burst
	 * can run one direction of a cable alone (nicbench-burst-oneway). */
	bool rx_only[NET_L2_PORTS_MAX];
	uint32_t round;                  /* bursts since discovery: both ends count alike */
	/* Scratch of this run (net_l2_prepare); NULL: the module's own, for one CPU at a time. */
	uint8_t *frame;
	uint8_t *seen[NET_L2_PORTS_MAX]; /* per port: the sequence bitmap of a burst */
	struct net_l2_prof prof;         /* of the last burst */
};

/* Give the run scratch of its own (a frame buffer, a sequence bitmap per port), from the page
 * allocator, so bursts of several runs can go on at once on different CPUs (each run's ports
 * driven by one CPU only). Call on the boot CPU; kept for later bursts of the same run. Returns
 * 0, or -1 when memory ran out. */
int net_l2_prepare(struct net_l2_run *r);

/* Send HELLOs on every port and listen until every port has heard its neighbour and been
 * heard by it, or the deadline passes. Returns the number of ports with a neighbour. */
unsigned net_l2_discover(struct net_l2_run *r, struct deadline d);

/* One round: every active port waits until its neighbour is in the same round (READY),
 * bursts `count` DATA frames of `len` bytes to it while receiving theirs, then exchanges
 * DONE (frames sent) with it. Frames of another round are set aside, never counted, so two
 * machines drifting apart by a round cannot fake a loss or a duplicate. Returns 0 when
 * every active port finished sending and heard its neighbour's DONE before the deadline. */
int net_l2_burst(struct net_l2_run *r, uint32_t count, unsigned len, uint64_t seed, struct deadline d);

/* Another CPU for the sender (the harness's lanes: net/ cannot name them). start runs
 * fn(arg) there and returns 0, or <0 when no CPU can take it; wait returns once fn has
 * returned (<0 when it crashed, hung or ran out of time). */
struct net_l2_cpu {
	int (*start)(void *ctx, void (*fn)(void *), void *arg);
	int (*wait)(void *ctx);
	void *ctx;
};

/* net_l2_burst with the sender on another CPU when cpu can start one (this CPU receives),
 * else interleaved on this one as net_l2_burst. */
int net_l2_burst_on(struct net_l2_run *r, uint32_t count, unsigned len, uint64_t seed, struct deadline d,
		    const struct net_l2_cpu *cpu);

/* Frames the neighbour sent that never arrived, intact or damaged (0 before its DONE). */
static inline uint32_t net_l2_lost(const struct net_l2_stats *s)
{
	uint32_t seen = s->unique + s->corrupt;
	return s->peer_sent > seen ? s->peer_sent - seen : 0;
}

#endif
