/* Kiln's one random generator: splitmix64 (Steele, Lea, Flood 2014, "Fast splittable
 * pseudorandom number generators"). A 64-bit state advanced by the golden-ratio constant and
 * a finalizer that mixes it: small, fast, full period, every seed (0 too) is a good one.
 * Output n of the stream seeded with s is rand_at(s, n), so any word of a seeded stream can
 * be had without the ones before it (the seeded patterns of kernel/lib/pattern.h are that).
 * Fine for test data and protocol nonces; not for secrets. Pure and freestanding. */
#ifndef KILN_LIB_RANDOM_H
#define KILN_LIB_RANDOM_H

#include <stdint.h>

#define RAND_GOLDEN 0x9e3779b97f4a7c15ull /* 2^64 / phi, odd */

/* splitmix64's finalizer: a bijection of 64-bit words that spreads every input bit. */
static inline uint64_t rand_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next number of the stream whose state is *state. */
static inline uint64_t rand_next(uint64_t *state) { return rand_mix(*state += RAND_GOLDEN); }

/* Output n (counting from 1) of the stream seeded with seed, without the ones before it:
 * rand_at(s, 1), rand_at(s, 2), ... equal rand_next(&x) called again and again from x = s. */
static inline uint64_t rand_at(uint64_t seed, uint64_t n) { return rand_mix(seed + n * RAND_GOLDEN); }

/* FNV-1a of a string: folds a name into a seed (a case's stream is the run seed mixed
 * with the case's name). */
uint64_t rand_hash(const char *s);

#endif
