/* Suite `net`: lwIP and the traffic apps. net-stack-wire-* are stack self-tests over an
 * in-memory wire inside Kiln (no NIC); the cases over real NIC ports follow them. */
#include "kernel/harness/ktest.h"

#define NET_CASES(X)                                                                                           \
	X(net_stack_wire_arp_icmp, "net-stack-wire-arp-icmp", 0)                                               \
	X(net_stack_wire_udp, "net-stack-wire-udp", 0)                                                         \
	X(net_stack_wire_udp_faults_counted, "net-stack-wire-udp-faults-counted", 0)                           \
	X(net_stack_wire_tcp, "net-stack-wire-tcp", 0)                                                         \
	X(net_stack_wire_tcp_lossy, "net-stack-wire-tcp-lossy", 120)                                           \
	X(net_stack_wire_iperf, "net-stack-wire-iperf", 60)                                                    \
	X(net_nic_arp_icmp, "net-nic-arp-icmp", 0)                                                             \
	X(net_nic_udp, "net-nic-udp", 0)                                                                       \
	X(net_nic_tcp, "net-nic-tcp", 120)                                                                     \
	X(net_uplink_dhcp, "net-uplink-dhcp", 0)                                                               \
	X(net_uplink_iperf_client, "net-uplink-iperf-client", 60)                                              \
	X(net_uplink_iperf_server, "net-uplink-iperf-server", 60)                                              \
	X(net_peer_traffic, "net-peer-traffic", 240)

KT_CASES_DECLARE(NET_CASES)
static const struct kt_case cases[] = {KT_CASES_TABLE(NET_CASES)};

KT_SUITE(net, 0);
