/* The hot-path copy (kernel/lib/copy.h). */
#include "kernel/lib/copy.h"

#include <stdint.h>

#define WORD 8u
#define UNROLL 4u

void copy_fast(void *restrict d, const void *restrict s, size_t n)
{
	uint8_t *db = d;
	const uint8_t *sb = s;
	while (n && (uintptr_t)db % WORD)
		*db++ = *sb++, n--;
	/* may_alias: the words are read and written as bytes elsewhere; aligned(1): the
	 * source may be off word alignment (x86 loads it all the same) */
	typedef uint64_t __attribute__((may_alias, aligned(1))) word;
	word *dw = (word *)db;
	const word *sw = (const word *)sb;
	for (; n >= UNROLL * WORD; n -= UNROLL * WORD, dw += UNROLL, sw += UNROLL) {
		word a = sw[0], b = sw[1], c = sw[2], e = sw[3];
		dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
	}
	for (; n >= WORD; n -= WORD)
		*dw++ = *sw++;
	db = (uint8_t *)dw;
	sb = (const uint8_t *)sw;
	while (n--)
		*db++ = *sb++;
}
