/* lwiperf sessions with their reports kept in static state. */
#include "net/iperf.h"

#include "kernel/string.h"
#include "net/stack.h"

static struct {
	void *server, *client;
	struct net_iperf_report srv, cli;
} ip;

static struct net_cleanup iperf_cleanup_hook;

void net_iperf_stop(void)
{
	if (ip.server)
		lwiperf_abort(ip.server);
	if (ip.client)
		lwiperf_abort(ip.client);
	ip.server = ip.client = 0;
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
	if (r->done)
		return; /* the first report of a session is the one that counts */
	r->type = type;
	r->remote = *ip_2_ip4(remote_addr);
	r->remote_port = remote_port;
	r->bytes = bytes;
	r->ms = ms;
	r->kbps = kbps;
	r->done = true;
	if (r == &ip.cli)
		ip.client = 0; /* lwiperf freed the session */
}

int net_iperf_server_start(const ip4_addr_t *local, uint16_t port)
{
	hook();
	if (ip.server)
		lwiperf_abort(ip.server);
	memset(&ip.srv, 0, sizeof ip.srv);
	ip_addr_t a;
	ip_addr_copy_from_ip4(a, *local);
	ip.server = lwiperf_start_tcp_server(&a, port, report, &ip.srv);
	return ip.server ? 0 : -1;
}

int net_iperf_client_start(const ip4_addr_t *remote, uint16_t port)
{
	hook();
	if (ip.client)
		lwiperf_abort(ip.client);
	memset(&ip.cli, 0, sizeof ip.cli);
	ip_addr_t a;
	ip_addr_copy_from_ip4(a, *remote);
	ip.client = lwiperf_start_tcp_client(&a, port, LWIPERF_CLIENT, report, &ip.cli);
	return ip.client ? 0 : -1;
}

const struct net_iperf_report *net_iperf_server_report(void) { return &ip.srv; }
const struct net_iperf_report *net_iperf_client_report(void) { return &ip.cli; }
