/* Cases of suite `net`. */
#ifndef KILN_TESTS_NET_CASES_H
#define KILN_TESTS_NET_CASES_H

struct kt;

void net_stack_wire_arp_icmp(struct kt *t);
void net_stack_wire_udp(struct kt *t);
void net_stack_wire_udp_faults_counted(struct kt *t);
void net_stack_wire_tcp(struct kt *t);
void net_stack_wire_tcp_lossy(struct kt *t);
void net_stack_wire_iperf(struct kt *t);
void net_nic_arp_icmp(struct kt *t);
void net_nic_udp(struct kt *t);
void net_nic_tcp(struct kt *t);
void net_uplink_dhcp(struct kt *t);
void net_uplink_iperf_client(struct kt *t);
void net_uplink_iperf_server(struct kt *t);
void net_peer_traffic(struct kt *t);

#endif
