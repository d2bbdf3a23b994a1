/* lwiperf sessions with their reports kept in static state.
 *
 * lwIP 2.1.3's lwiperf_abort() frees a session's records but closes none of its PCBs (the
 * listening one stays, its argument dangling) and does not unlink the head of its session
 * list, so Kiln never calls it. A server is stopped by closing its listening PCB here;
 * connections still open end when net_reset() removes the interface, which lwiperf sees as
 * an error, reports and frees itself. What remains of each server started is its record in
 * lwiperf's list (about a hundred bytes of lwIP's heap), never touched again. */
#include "net/iperf.h"

#include "kernel/lib/string.h"
#include "lwip/priv/tcp_priv.h"
#include "net/stack.h"

static struct {
	void *server, *client;
	ip_addr_t server_addr;
	u16_t server_port;
	struct net_iperf_report srv, cli;
} ip;

static struct net_cleanup iperf_cleanup_hook;

static void close_server(void)
{
	if (!ip.server)
		return;
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		if (l->local_port == ip.server_port && ip_addr_cmp(&l->local_ip, &ip.server_addr)) {
			tcp_arg((struct tcp_pcb *)l, 0);
			tcp_accept((struct tcp_pcb *)l, 0);
			tcp_close((struct tcp_pcb *)l);
			break;
		}
	}
	ip.server = 0;
}

void net_iperf_stop(void)
{
	close_server();
	ip.client = 0; /* a running client ends with its interface (see above) */
}

static void hook(void)
{
	iperf_cleanup_hook.fn = net_iperf_stop;
	net_cleanup_register(&iperf_cleanup_hook);
}

const char *net_iperf_report_name(enum lwiperf_report_type t)
{
	switch (t) {
	case LWIPERF_TCP_DONE_SERVER: return "done (server)";
	case LWIPERF_TCP_DONE_CLIENT: return "done (client)";
	case LWIPERF_TCP_ABORTED_LOCAL: return "aborted locally";
	case LWIPERF_TCP_ABORTED_LOCAL_DATAERROR: return "aborted: data error";
	case LWIPERF_TCP_ABORTED_LOCAL_TXERROR: return "aborted: transmit error";
	case LWIPERF_TCP_ABORTED_REMOTE: return "aborted by the remote side";
	default: return "unknown report";
	}
}

static void report(void *arg, enum lwiperf_report_type type, const ip_addr_t *local_addr, u16_t local_port,
		   const ip_addr_t *remote_addr, u16_t remote_port, u32_t bytes, u32_t ms, u32_t kbps)
{
	(void)local_addr;
	(void)local_port;
	struct net_iperf_report *r = arg;
	if (r == &ip.cli)
		ip.client = 0; /* lwiperf has ended (and freed) the client session */
	if (r->done)
		return; /* the first report of a session is the one that counts */
	r->type = type;
	r->remote = *ip_2_ip4(remote_addr);
	r->remote_port = remote_port;
	r->bytes = bytes;
	r->ms = ms;
	r->kbps = kbps;
	r->done = true;
}

int net_iperf_server_start(const ip4_addr_t *local, uint16_t port)
{
	hook();
	close_server();
	memset(&ip.srv, 0, sizeof ip.srv);
	ip_addr_copy_from_ip4(ip.server_addr, *local);
	ip.server_port = port;
	ip.server = lwiperf_start_tcp_server(&ip.server_addr, port, report, &ip.srv);
	return ip.server ? 0 : -1;
}

int net_iperf_client_start(const ip4_addr_t *remote, uint16_t port)
{
	hook();
	if (ip.client)
		return -1; /* one client at a time: the previous one has not reported yet */
	memset(&ip.cli, 0, sizeof ip.cli);
	ip_addr_t a;
	ip_addr_copy_from_ip4(a, *remote);
	ip.client = lwiperf_start_tcp_client(&a, port, LWIPERF_CLIENT, report, &ip.cli);
	return ip.client ? 0 : -1;
}

const struct net_iperf_report *net_iperf_server_report(void) { return &ip.srv; }
const struct net_iperf_report *net_iperf_client_report(void) { return &ip.cli; }
