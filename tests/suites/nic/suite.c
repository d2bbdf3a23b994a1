/* Suite `nic`: the accelerator's NIC ports on the raw Ethernet path (no lwIP): link, MAC
 * loopback across frame sizes, counters, interrupts, and bursts between every wired pair
 * of ports (same device, two devices, two machines). */
#include "kernel/harness/ktest.h"
#include "tests/suites/nic/cases.h"

static const struct kt_case cases[] = {
	{"nic-link-up", nic_link_up, 0},
	{"nic-link-stable", nic_link_stable, 0},
	{"nic-mac-loopback", nic_mac_loopback, 0},
	{"nic-counters", nic_counters, 0},
	{"nic-mac-filter", nic_mac_filter, 0},
	{"nic-interrupts", nic_interrupts, 0},
	{"nic-pair-burst", nic_pair_burst, 120},
};

const struct kt_suite suite_nic = {"nic", KT_CASES(cases), 0};
