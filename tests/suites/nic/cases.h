/* Cases of suite `nic`. */
#ifndef KILN_TESTS_NIC_CASES_H
#define KILN_TESTS_NIC_CASES_H

struct kt;

void nic_link_up(struct kt *t);
void nic_link_stable(struct kt *t);
void nic_mac_loopback(struct kt *t);
void nic_counters(struct kt *t);
void nic_mac_filter(struct kt *t);
void nic_interrupts(struct kt *t);
void nic_pair_burst(struct kt *t);

#endif
