/* Suite `nic`: the accelerator's NIC ports on the raw Ethernet path (no lwIP): link, MAC
 * loopback across frame sizes, counters, interrupts, and bursts between every wired pair
 * of ports (same device, two devices, two machines). */
#include "kernel/harness/ktest.h"

#define NIC_CASES(X)                                                                                           \
	X(nic_link_up, "nic-link-up", 0)                                                                       \
	X(nic_link_stable, "nic-link-stable", 0)                                                               \
	X(nic_mac_loopback, "nic-mac-loopback", 0)                                                             \
	X(nic_counters, "nic-counters", 0)                                                                     \
	X(nic_mac_filter, "nic-mac-filter", 0)                                                                 \
	X(nic_interrupts, "nic-interrupts", 0)                                                                 \
	X(nic_pair_burst, "nic-pair-burst", 600)

KT_CASES_DECLARE(NIC_CASES)
static const struct kt_case cases[] = {KT_CASES_TABLE(NIC_CASES)};

KT_SUITE(nic, KT_SUITE_DEVICE);
