/* net over the uplink (net.uplink: a port cabled to an outside network; under QEMU its
 * user-mode network): a DHCP lease, echo to the gateway it names, and iperf 2 interop with
 * the real iperf on the host in both directions (lwiperf as client, then as server). The
 * host side is started on request ("kiln-host:" lines, served by tools/kiln-run --uplink)
 * and stopped when the case is over. */
#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"
#include "lwip/dhcp.h"
#include "net/iperf.h"
#include "net/stack.h"
#include "net/uplink.h"
#include "tests/suites/net/traffic.h"
#include "tests/suites/nic/ports.h"

#define PING_COUNT 8u
#define IPERF_CONNECT_MS 15000u
#define IPERF_RETRY_MS 500u
#define IPERF_CLIENT_WAIT_MS ((NET_IPERF_CLIENT_SECONDS + 10u) * 1000u)
#define IPERF_HOST_SECONDS 5u
#define IPERF_SERVER_WAIT_MS ((IPERF_HOST_SECONDS + 20u) * 1000u)

struct uplink {
	struct net_uplink l;
	ip4_addr_t server; /* the iperf server */
	char ip_s[IP4ADDR_STRLEN_MAX], gw_s[IP4ADDR_STRLEN_MAX];
};
static struct uplink up;

/* Bring up the uplink port (net/uplink.c); afterwards only the gateway (and DHCP server)
 * may talk to us. 0, or -1 after a skip or a failure. */
static int uplink_up(struct kt *t)
{
	const struct cfg_net *c = kiln_cfg ? &kiln_cfg->net : 0;
	if (!c || !c->uplink_set) {
		kt_skip(t, "net.uplink=none: no port is cabled to an outside network");
		return -1;
	}
	char why[200];
	enum net_uplink_step step = net_uplink_up(c->uplink_accel, c->uplink_port, &up.l, why, sizeof why);
	if (step != NET_UPLINK_UP) {
		kt_fail(t, "%s", why);
		if (step == NET_UPLINK_LINK || step == NET_UPLINK_DHCP)
			nic_port_diag(t, up.l.port);
		return -1;
	}
	ip4addr_ntoa_r(net_if_ip(up.l.i), up.ip_s, sizeof up.ip_s);
	ip4addr_ntoa_r(&up.l.gw, up.gw_s, sizeof up.gw_s);
	ip4_addr_t allow[2] = {up.l.gw, up.l.server};
	net_if_allow_only(up.l.i, allow, 2);
	return 0;
}

static void uplink_down(void) { net_uplink_down(&up.l); }

void net_uplink_dhcp(struct kt *t)
{
	if (uplink_up(t) < 0) {
		uplink_down();
		return;
	}
	struct dhcp *d = netif_dhcp_data(&up.l.i->nif);
	char mask[IP4ADDR_STRLEN_MAX], srv[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(netif_ip4_netmask(&up.l.i->nif), mask, sizeof mask);
	ip4addr_ntoa_r(ip_2_ip4(&d->server_ip_addr), srv, sizeof srv);
	kt_diag(t, "%s: DHCP lease %s mask %s from server %s, lease %u s, router %s", nic_name(up.l.port), up.ip_s, mask,
		srv, (unsigned)d->offered_t0_lease,
		ip4_addr_isany_val(*netif_ip4_gw(&up.l.i->nif)) ? "none (pinging the server)" : up.gw_s);
	if (ip4_addr_isany_val(up.l.gw)) {
		kt_fail(t, "%s: the DHCP lease names neither a router nor a server to ping", nic_name(up.l.port));
	} else {
		struct path p = {nic_name(up.l.port), up.gw_s, "uplink-gateway", net_if_ip(up.l.i), &up.l.gw};
		traffic_ping(t, &p, PING_COUNT);
	}
	if (kt_failed(t))
		nic_port_diag(t, up.l.port);
	uplink_down();
}

static bool client_done(void *arg)
{
	(void)arg;
	return net_iperf_client_report()->done;
}

/* lwiperf's client against the host's iperf -s: connections are retried while the host
 * starts its server. */
void net_uplink_iperf_client(struct kt *t)
{
	const struct cfg_net *c = kiln_cfg ? &kiln_cfg->net : 0;
	if (c && c->uplink_set && !c->iperf_server_set) {
		kt_skip(t, "net.iperf_server=none: no iperf 2 server to connect to");
		return;
	}
	if (uplink_up(t) < 0) {
		uplink_down();
		return;
	}
	IP4_ADDR(&up.server, c->iperf_server >> 24, (c->iperf_server >> 16) & 0xffu, (c->iperf_server >> 8) & 0xffu,
		 c->iperf_server & 0xffu);
	ip4_addr_t allow[2] = {up.l.gw, up.server};
	net_if_allow_only(up.l.i, allow, 2);
	char srv[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(&up.server, srv, sizeof srv);
	kt_diag(t, "kiln-host: iperf-server-start port=%u", c->iperf_port);
	struct deadline connect = deadline_in_ms(IPERF_CONNECT_MS);
	unsigned tries = 0;
	const struct net_iperf_report *r = net_iperf_client_report();
	for (;;) {
		tries++;
		if (net_iperf_client_start(&up.server, c->iperf_port) < 0) {
			kt_fail(t, "lwiperf client could not start (no memory)");
			break;
		}
		if (!net_poll_until(deadline_in_ms(IPERF_CLIENT_WAIT_MS), client_done, 0)) {
			kt_fail(t, "%s -> %s:%u: lwiperf client gave no report within %u ms", up.ip_s, srv, c->iperf_port,
				IPERF_CLIENT_WAIT_MS);
			break;
		}
		/* refused while the host's server is not up yet: a remote abort with nothing sent */
		if (r->type != LWIPERF_TCP_ABORTED_REMOTE || r->bytes || deadline_passed(connect))
			break;
		net_poll_for_ms(IPERF_RETRY_MS);
	}
	net_iperf_stop();
	kt_diag(t, "kiln-host: iperf-server-stop");
	if (r->done && r->type != LWIPERF_TCP_DONE_CLIENT)
		kt_fail(t, "%s -> %s:%u: lwiperf client %s after %u bytes (%u tries)", up.ip_s, srv, c->iperf_port,
			net_iperf_report_name(r->type), r->bytes, tries);
	else if (r->done && !r->bytes)
		kt_fail(t, "%s -> %s:%u: lwiperf client finished having sent nothing", up.ip_s, srv, c->iperf_port);
	else if (r->done) {
		kt_diag(t, "%s -> %s:%u: lwiperf client sent %u bytes in %u ms, %u kbit/s", up.ip_s, srv, c->iperf_port,
			r->bytes, r->ms, r->kbps);
		kt_measure(t, "uplink-iperf-client", (int64_t)r->kbps, 3, "Mb/s");
	}
	uplink_down();
}

static bool server_done(void *arg)
{
	(void)arg;
	return net_iperf_server_report()->done;
}

/* The host's iperf -c against lwiperf's server, listening only for this case and only
 * accepting the gateway (where QEMU's user network forwards the host's connection from). */
void net_uplink_iperf_server(struct kt *t)
{
	const struct cfg_net *c = kiln_cfg ? &kiln_cfg->net : 0;
	if (c && c->uplink_set && c->iperf_listen != CFG_ON) {
		kt_skip(t, "net.iperf_listen=off: not listening for an iperf client");
		return;
	}
	if (uplink_up(t) < 0) {
		uplink_down();
		return;
	}
	net_if_allow_only(up.l.i, &up.l.gw, 1);
	if (net_iperf_server_start(net_if_ip(up.l.i), NET_IPERF_PORT) < 0) {
		kt_fail(t, "lwiperf server could not start on %s:%u", up.ip_s, NET_IPERF_PORT);
		uplink_down();
		return;
	}
	kt_diag(t, "listening on %s:%u for an iperf 2 client from %s", up.ip_s, NET_IPERF_PORT, up.gw_s);
	kt_diag(t, "kiln-host: iperf-client-start port=%u seconds=%u", NET_IPERF_PORT, IPERF_HOST_SECONDS);
	const struct net_iperf_report *r = net_iperf_server_report();
	if (!net_poll_until(deadline_in_ms(IPERF_SERVER_WAIT_MS), server_done, 0))
		kt_fail(t, "%s:%u: no iperf session finished within %u ms (refused from elsewhere: %llu frames)", up.ip_s,
			NET_IPERF_PORT, IPERF_SERVER_WAIT_MS, (unsigned long long)up.l.i->cnt.rx_filtered);
	else if (r->type != LWIPERF_TCP_DONE_SERVER || !r->bytes)
		kt_fail(t, "%s:%u: lwiperf server %s after %u bytes", up.ip_s, NET_IPERF_PORT,
			net_iperf_report_name(r->type), r->bytes);
	else {
		char from[IP4ADDR_STRLEN_MAX];
		ip4addr_ntoa_r(&r->remote, from, sizeof from);
		kt_diag(t, "%s:%u: lwiperf server received %u bytes in %u ms from %s:%u, %u kbit/s", up.ip_s,
			NET_IPERF_PORT, r->bytes, r->ms, from, r->remote_port, r->kbps);
		kt_measure(t, "uplink-iperf-server", (int64_t)r->kbps, 3, "Mb/s");
	}
	net_iperf_stop();
	uplink_down();
}
