/* The median of a handful of samples (calibration windows, timed repetitions): sorts the
 * n values in place (insertion sort: n is small) and returns the middle one, the upper of
 * the two middles when n is even. n must be at least 1. */
#ifndef KILN_LIB_MEDIAN_H
#define KILN_LIB_MEDIAN_H

#include <stdint.h>

static inline uint64_t u64_median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

#endif
