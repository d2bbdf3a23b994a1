/* Result upload: at the end of a run, the run's log (kernel/console_log.c) goes to the lab
 * collector named by net.collector, as one HTTP/1.0 POST over lwIP through the port named
 * by net.uplink (DHCP). tools/kiln-collector is the receiving end. */
#ifndef KILN_NET_UPLOAD_H
#define KILN_NET_UPLOAD_H

#include <stddef.h>

struct kiln_config;

#define UPLOAD_PATH "/kiln/v1/results"

/* 0 when the collector answered 2xx; otherwise -1 and `why` says what went wrong.
 * `unit` is the unit's identity (serial), `result` PASS/FAIL/ERROR. */
int net_upload_results(const struct kiln_config *c, const char *unit, const char *result, int exit_code, char *why,
		       size_t whylen);

#endif
