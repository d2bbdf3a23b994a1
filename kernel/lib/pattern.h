/* Kiln's one seeded data pattern. Byte `off` of pattern `seed` is a pure function of the
 * two: word off / 8 is output off / 8 + 1 of the random generator seeded with `seed`
 * (kernel/lib/random.h), stored little endian. So a receiver or a checker knows every
 * byte without being told, a copy is checked against its source's offsets, and a stream
 * can be checked from any offset. Fills and checks make each pattern word once and store
 * or compare it whole: aligned where the pattern's words line up with memory's (volatile
 * accesses: device memory behind a BAR is fine), unaligned elsewhere (x86 allows it; a
 * mismatch there is still reported byte by byte). Pure and freestanding. */
#ifndef KILN_LIB_PATTERN_H
#define KILN_LIB_PATTERN_H

#include <stdint.h>

#include "kernel/lib/random.h"

static inline uint64_t pattern_word(uint64_t seed, uint64_t index) { return rand_at(seed, index + 1); }
static inline uint8_t pattern_byte(uint64_t seed, uint64_t off)
{
	return (uint8_t)(pattern_word(seed, off / 8) >> (8 * (off % 8)));
}

/* p[i] = pattern byte off + i, for i in [0, len). */
void pattern_fill(volatile void *p, uint64_t len, uint64_t seed, uint64_t off);

/* Called for each unit that differs: `at` is its index in the buffer, `bytes` 8 for a
 * whole aligned word or 1 for a byte; want and got are that many bytes, little endian. */
typedef void (*pattern_mismatch_fn)(void *arg, uint64_t at, uint64_t want, uint64_t got, unsigned bytes);

/* Check p[i] == pattern byte off + i, in increasing order; fn (may be NULL) sees every
 * differing unit. Returns how many bytes differ. */
uint64_t pattern_check(const volatile void *p, uint64_t len, uint64_t seed, uint64_t off, pattern_mismatch_fn fn,
		       void *arg);

/* Check p[i] == byte i % 8 of `word` (a 64-bit value repeated little endian, what a DMA
 * memset writes), byte by byte. Returns how many bytes differ. */
uint64_t pattern_check_repeat(const volatile void *p, uint64_t len, uint64_t word, pattern_mismatch_fn fn, void *arg);

/* The first differing byte of a stream and how many differ, summed over checks. */
struct pattern_err {
	uint64_t bad_bytes;  /* bytes that differ */
	uint64_t first_off;  /* pattern offset of the first one */
	uint8_t expected, actual;
};

/* pattern_check that adds to *e (the first mismatch is kept from the first check that had
 * one). Returns the bytes that differ in this buffer. */
uint64_t pattern_check_err(const volatile void *p, uint64_t len, uint64_t seed, uint64_t off, struct pattern_err *e);

#endif
