/* Where the guest's time goes on the lwIP path (issue 15 item 5), in TSC cycles: each span
 * is counted exclusive of the spans nested in it (lwIP's input sends ACKs, an ACK's
 * callback queues more data), so the parts add up to no more than the elapsed time. Reset
 * and read by a case around one transfer (tests/suites/net/traffic.c). One CPU runs the
 * stack (NO_SYS): plain counters. */
#ifndef KILN_NET_CYCLES_H
#define KILN_NET_CYCLES_H

#include <stdint.h>

#include "kernel/arch/x86/cpu.h"

struct net_cycles {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_driver;   /* the port's rx_poll, our callback left out */
	uint64_t rx_copy;     /* frame into a pbuf (net/netif.c) */
	uint64_t rx_lwip;     /* lwIP's input: Ethernet, IP, TCP, checksums, ACKs */
	uint64_t rx_verify;   /* the application checking every received byte */
	uint64_t tx_fill;     /* the application making its bytes */
	uint64_t tx_write;    /* tcp_write: the bytes copied into segments */
	uint64_t tx_lwip;     /* tcp_output: headers, checksums */
	uint64_t tx_queue;    /* the port's tx: copy into its ring */
	uint64_t doorbell;    /* the ports' flush */
	uint64_t claimed;     /* cycles already counted by the spans under way */
};
extern struct net_cycles net_cycles;

struct net_cycles_span {
	uint64_t t0, claimed0;
};

static inline struct net_cycles_span net_cycles_begin(void)
{
	return (struct net_cycles_span){rdtsc(), net_cycles.claimed};
}

/* Adds the span's own cycles (nested spans left out) to *into. */
static inline void net_cycles_end(struct net_cycles_span s, uint64_t *into)
{
	uint64_t d = rdtsc() - s.t0, inner = net_cycles.claimed - s.claimed0, own = d > inner ? d - inner : 0;
	*into += own;
	net_cycles.claimed += own;
}

#endif
