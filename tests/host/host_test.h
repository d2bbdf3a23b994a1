/* Common includes for the host unit tests: cmocka needs these before <cmocka.h>. */
#ifndef KILN_HOST_TEST_H
#define KILN_HOST_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/lib/random.h"

/* A seed for the randomised sweeps: fixed, so failures repeat, unless KILN_TEST_SEED
 * overrides it (the test prints the seed it used). */
#include <stdio.h>
#include <stdlib.h>
static inline uint64_t host_test_seed(uint64_t fixed)
{
	const char *s = getenv("KILN_TEST_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 0) : fixed;
	printf("# seed 0x%llx (set KILN_TEST_SEED to change)\n", (unsigned long long)seed);
	return seed;
}

/* Kiln's own generator (kernel/lib/random.h, header only): the same on every host. */
static inline uint64_t host_rand(uint64_t *state) { return rand_next(state); }

#endif
