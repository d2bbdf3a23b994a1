/* The random generator's out-of-line part (kernel/lib/random.h). */
#include "kernel/lib/random.h"

/* FNV-1a, 64 bit: offset basis and prime from the FNV reference (Fowler, Noll, Vo). */
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

uint64_t rand_hash(const char *s)
{
	uint64_t h = FNV64_OFFSET;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * FNV64_PRIME;
	return h;
}
