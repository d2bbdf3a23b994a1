/* Every suite Kiln knows, in the order they run. Labs key on case order: a new suite goes
 * where it belongs in this list, and nothing here moves. A suite is defined in its own
 * file(s) under tests/suites/ with KT_SUITE(name, flags) (kernel/harness/ktest.h); naming
 * it here is the one line that makes it selectable (docs/testing.md). */
#include "kernel/harness/runner.h"

#define KILN_SUITES(X)                                                                                         \
	X(platform)                                                                                            \
	X(pci)                                                                                                 \
	X(pcie)                                                                                                \
	X(queues)                                                                                              \
	X(dma)                                                                                                 \
	X(sync)                                                                                                \
	X(events)                                                                                              \
	X(hbm)                                                                                                 \
	X(sensors)                                                                                             \
	X(selftest)                                                                                            \
	X(nic)                                                                                                 \
	X(fabric)                                                                                              \
	X(nicbench)                                                                                            \
	X(net)                                                                                                 \
	X(memory)                                                                                              \
	X(memory_fade)                                                                                         \
	X(memory_selftest)                                                                                     \
	X(topology)                                                                                            \
	X(stress)

#define DECLARE(ident) extern const struct kt_suite kt_suite_##ident;
#define ENTRY(ident) &kt_suite_##ident,
KILN_SUITES(DECLARE)

const struct kt_suite *const kiln_suites[] = {KILN_SUITES(ENTRY)};
const unsigned kiln_suite_count = sizeof kiln_suites / sizeof kiln_suites[0];
