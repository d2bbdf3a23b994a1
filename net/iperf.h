/* iperf 2 compatible TCP throughput through lwIP's lwiperf: a server (the host's `iperf -c`
 * or another Kiln connects to it) and a client (to `iperf -s` or another Kiln; lwiperf's
 * client always runs 10 s). Results arrive as lwiperf reports. */
#ifndef KILN_NET_IPERF_H
#define KILN_NET_IPERF_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/apps/lwiperf.h"
#include "lwip/ip4_addr.h"

#define NET_IPERF_PORT LWIPERF_TCP_PORT_DEFAULT
#define NET_IPERF_CLIENT_SECONDS 10u /* fixed by lwiperf 2.1's client */

struct net_iperf_report {
	bool done;
	enum lwiperf_report_type type;
	ip4_addr_t remote;
	uint16_t remote_port;
	uint32_t bytes, ms, kbps;
};

const char *net_iperf_report_name(enum lwiperf_report_type t);
int net_iperf_server_start(const ip4_addr_t *local, uint16_t port);
int net_iperf_client_start(const ip4_addr_t *remote, uint16_t port);
const struct net_iperf_report *net_iperf_server_report(void);
const struct net_iperf_report *net_iperf_client_report(void);
void net_iperf_stop(void);

#endif
