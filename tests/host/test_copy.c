// sources: kernel/lib/copy.c
/* kernel/lib/copy.c: copy_fast equals memcpy at every length up to a few words past the
 * unrolled loop and every alignment of source and destination, and writes nothing outside
 * the destination. */
#include "host_test.h"

#include <string.h>

#include "kernel/lib/copy.h"

#define SPAN 160u
#define GUARD 16u

static void every_length_and_alignment(void **state)
{
	(void)state;
	uint8_t src[SPAN + 2 * GUARD], dst[SPAN + 2 * GUARD], want[SPAN + 2 * GUARD];
	for (size_t k = 0; k < sizeof src; k++)
		src[k] = (uint8_t)(k * 37u + 11u);
	for (unsigned so = 0; so < 8; so++)
		for (unsigned doff = 0; doff < 8; doff++)
			for (size_t n = 0; n + GUARD + 8 <= SPAN; n++) {
				memset(dst, 0xa5, sizeof dst);
				memset(want, 0xa5, sizeof want);
				memcpy(want + GUARD + doff, src + GUARD + so, n);
				copy_fast(dst + GUARD + doff, src + GUARD + so, n);
				if (memcmp(dst, want, sizeof dst))
					fail_msg("copy of %zu bytes, source offset %u, destination offset %u differs", n, so, doff);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_length_and_alignment),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
