/* Every suite Kiln knows, in the order they run. A suite is a table of cases in its own
 * file under tests/; add it here to make it selectable. */
#include "kernel/harness/runner.h"

extern const struct kt_suite suite_platform;
extern const struct kt_suite suite_selftest;
extern const struct kt_suite suite_net;
extern const struct kt_suite suite_nic;
extern const struct kt_suite suite_nicbench;
extern const struct kt_suite suite_queues;
extern const struct kt_suite suite_dma;
extern const struct kt_suite suite_sync;
extern const struct kt_suite suite_pci;
extern const struct kt_suite suite_pcie;
extern const struct kt_suite suite_events;
extern const struct kt_suite suite_hbm;
extern const struct kt_suite suite_sensors;

const struct kt_suite *const kiln_suites[] = {
	&suite_platform,
	&suite_pci,
	&suite_pcie,
	&suite_queues,
	&suite_dma,
	&suite_sync,
	&suite_events,
	&suite_hbm,
	&suite_sensors,
	&suite_selftest,
	&suite_nic,
	&suite_nicbench,
	&suite_net,
};
const unsigned kiln_suite_count = sizeof kiln_suites / sizeof kiln_suites[0];
