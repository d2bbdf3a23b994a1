/* The lwIP stack inside Kiln: NO_SYS, one polled main loop. net_stack_init() brings lwIP
 * up once (its heap from the page allocator); net_poll() moves received frames from every
 * port into lwIP and runs lwIP's timers; net_poll_until() is the loop every net/ wait uses,
 * always bounded by a deadline. */
#ifndef KILN_NET_STACK_H
#define KILN_NET_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/time.h"

/* 0, or -1 when the heap cannot be allocated (*why says so). Idempotent. */
int net_stack_init(const char **why);
bool net_stack_ready(void);

/* One turn of the main loop: receive on every interface, follow link changes, run
 * lwIP's timers. Returns the number of frames handed to lwIP. */
unsigned net_poll(void);

/* Poll until done(arg) is true or the deadline passes. Returns true when done. */
bool net_poll_until(struct deadline d, bool (*done)(void *arg), void *arg);
/* Poll for a while (lets ARP, TCP timers and retransmissions run). */
void net_poll_for_ms(uint64_t ms);

/* lwIP's err_t as words (lwip_strerr needs LWIP_DEBUG). */
const char *net_lwip_err_name(int err);

/* Things a case set up on the stack (PCBs, interfaces, app state) are torn down through
 * these hooks by net_reset(), also when a case was aborted halfway: every net/ app
 * registers one for its static state. */
struct net_cleanup {
	void (*fn)(void);
	struct net_cleanup *next;
	bool registered;
};
void net_cleanup_register(struct net_cleanup *c);
/* Tear down every app session and interface: the stack is as after init. */
void net_reset(void);

#endif
