/* lwIP's NO_SYS glue: the heap, sys_now() from the TSC, randomness, diagnostics and the
 * polled main loop. */
#include "net/stack.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/random.h"
#include "kernel/pmm.h"
#include "lwip/err.h"
#include "lwip/init.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "net/netif.h"

unsigned char *net_lwip_heap;

static bool ready;
static struct net_cleanup *cleanups;
static uint64_t rand_state;

/* mem.c adds room for its own bookkeeping and alignment past MEM_SIZE. */
#define HEAP_SLACK_PAGES 1u

int net_stack_init(const char **why)
{
	if (ready)
		return 0;
	uint64_t pages = (NET_LWIP_HEAP_BYTES + PMM_PAGE - 1) / PMM_PAGE + HEAP_SLACK_PAGES;
	net_lwip_heap = page_alloc(pages);
	if (!net_lwip_heap) {
		*why = "no memory for lwIP's heap";
		return -1;
	}
	rand_state = rdtsc();
	lwip_init();
	ready = true;
	return 0;
}

bool net_stack_ready(void) { return ready; }

u32_t sys_now(void) { return (u32_t)(time_ns() / NS_PER_MS); }

/* kernel/lib/random.h's generator, seeded from the TSC: TCP initial sequence numbers,
 * ephemeral ports, DHCP transaction ids. Not for test patterns (those come from the case seed). */
uint32_t net_lwip_rand(void) { return (uint32_t)(rand_next(&rand_state) >> 32); }

void net_lwip_diag(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("# lwip: %s", buf);
}

_Noreturn void net_lwip_assert(const char *what, const char *file, int line)
{
	kprintf("# lwip: assertion \"%s\" failed at %s:%d\n", what, file, line);
	__builtin_trap(); /* #UD: the runner fails the running case with a crash record */
}

unsigned net_poll(void)
{
	net_if_flush_all(); /* what the caller sent since the last turn */
	unsigned n = net_if_poll_all();
	sys_check_timeouts();
	net_if_flush_all(); /* what lwIP answered in this turn */
	return n;
}

bool net_poll_until(struct deadline d, bool (*done)(void *arg), void *arg)
{
	for (;;) {
		if (done(arg))
			return true;
		if (deadline_passed(d))
			return done(arg);
		if (!net_poll() && !net_if_idle_wait())
			cpu_relax();
	}
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

void net_poll_for_ms(uint64_t ms) { net_poll_until(deadline_in_ms(ms), never, 0); }

void net_cleanup_register(struct net_cleanup *c)
{
	if (c->registered)
		return;
	c->next = cleanups;
	cleanups = c;
	c->registered = true;
}

void net_reset(void)
{
	if (!ready)
		return;
	for (struct net_cleanup *c = cleanups; c; c = c->next)
		c->fn();
	net_if_remove_all();
	/* Connections in TIME_WAIT guard a 4-tuple for 2 MSL (minutes) against stray segments;
	 * with every interface gone they guard nothing, and they would keep the next case (or
	 * burn-in pass) from listening on the same port. */
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
}

const char *net_lwip_err_name(int err)
{
	switch (err) {
	case ERR_OK: return "ok";
	case ERR_MEM: return "out of memory";
	case ERR_BUF: return "buffer error";
	case ERR_TIMEOUT: return "timeout";
	case ERR_RTE: return "no route";
	case ERR_INPROGRESS: return "in progress";
	case ERR_VAL: return "illegal value";
	case ERR_WOULDBLOCK: return "would block";
	case ERR_USE: return "address in use";
	case ERR_ALREADY: return "already connecting";
	case ERR_ISCONN: return "already connected";
	case ERR_CONN: return "not connected";
	case ERR_IF: return "interface error";
	case ERR_ABRT: return "connection aborted";
	case ERR_RST: return "connection reset";
	case ERR_CLSD: return "connection closed";
	case ERR_ARG: return "illegal argument";
	default: return "unknown error";
	}
}
