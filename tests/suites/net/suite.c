/* Suite `net`: lwIP and the traffic apps. net-stack-wire-* are stack self-tests over an
 * in-memory wire inside Kiln (no NIC); the cases over real NIC ports follow them. */
#include "kernel/harness/ktest.h"
#include "tests/suites/net/cases.h"

static const struct kt_case cases[] = {
	{"net-stack-wire-arp-icmp", net_stack_wire_arp_icmp, 0},
	{"net-stack-wire-udp", net_stack_wire_udp, 0},
	{"net-stack-wire-udp-faults-counted", net_stack_wire_udp_faults_counted, 0},
	{"net-stack-wire-tcp", net_stack_wire_tcp, 0},
	{"net-stack-wire-tcp-lossy", net_stack_wire_tcp_lossy, 120},
	{"net-stack-wire-iperf", net_stack_wire_iperf, 60},
	{"net-nic-arp-icmp", net_nic_arp_icmp, 0},
	{"net-nic-udp", net_nic_udp, 0},
	{"net-nic-tcp", net_nic_tcp, 120},
	{"net-uplink-dhcp", net_uplink_dhcp, 0},
	{"net-uplink-iperf-client", net_uplink_iperf_client, 60},
	{"net-uplink-iperf-server", net_uplink_iperf_server, 60},
	{"net-peer-traffic", net_peer_traffic, 240},
};

const struct kt_suite suite_net = {"net", KT_CASES(cases), 0};
