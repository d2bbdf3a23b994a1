/* What the run actually exercised, for the final result line: devices, HBM bytes tested
 * per device, queues (streams) and NIC ports used per device, CPUs that ran cases, host
 * RAM tested. Cases report through kt_cover() (ktest.h). */
#ifndef KILN_COVERAGE_H
#define KILN_COVERAGE_H

#include <stddef.h>

/* " coverage: devices=N hbm=... queues=... ports=... cpus=N/M host_ram=N MiB" */
int coverage_format(char *buf, size_t len);

#endif
