// sources:
/* kernel/lib/median.h: the middle of the sorted values for every small n, odd and even,
 * with duplicates and reversed input; the values come back sorted. */
#include "host_test.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/lib/median.h"

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void against_qsort(void **state)
{
	(void)state;
	uint64_t seed = host_test_seed(0x6d656469616eull);
	for (unsigned n = 1; n <= 17; n++)
		for (unsigned round = 0; round < 200; round++) {
			uint64_t v[17], w[17];
			for (unsigned k = 0; k < n; k++)
				v[k] = host_rand(&seed) % (round % 3 ? 1000u : 4u); /* some rounds full of duplicates */
			if (round == 1)
				for (unsigned k = 0; k < n; k++)
					v[k] = (uint64_t)(n - k) << 40; /* reversed, large */
			memcpy(w, v, sizeof v);
			qsort(w, n, sizeof w[0], cmp);
			uint64_t m = u64_median(v, n);
			if (m != w[n / 2] || memcmp(v, w, n * sizeof v[0]))
				fail_msg("n=%u round %u: median %llu, expected %llu (or the values did not come back sorted)", n,
					 round, (unsigned long long)m, (unsigned long long)w[n / 2]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(against_qsort),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
