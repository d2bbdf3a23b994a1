/* The algorithms of memtest.h. Each works word by word through volatile pointers so the
 * compiler neither merges nor drops the accesses. */
#include "tests/suites/memory/memtest.h"

#include <stddef.h>

#define MODULO 20
#define BLOCK_WORDS 8192 /* block move works on 64 KiB blocks */

static const char *const names[MT_TEST_COUNT] = {
	[MT_OWN_ADDRESS] = "own-address",        [MT_INV_ONES_ZEROS] = "moving-inversions-ones-zeros",
	[MT_INV_WALK8] = "moving-inversions-walking-8bit", [MT_INV_RANDOM] = "moving-inversions-random",
	[MT_BLOCK_MOVE] = "block-move",          [MT_RANDOM_SEQ] = "random-sequence",
	[MT_MODULO20] = "modulo-20",
};

const char *mt_test_name(enum mt_test t) { return t < MT_TEST_COUNT ? names[t] : "?"; }

/* xorshift64* (Vigna 2016): the sequence is regenerated to check, so only its seed is kept. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void error(struct mt_run *r, volatile uint64_t *p, uint64_t expected, uint64_t actual)
{
	if (r->kept < MT_ERR_KEEP)
		r->first[r->kept++] = (struct mt_err){(uint64_t)(uintptr_t)p, expected, actual};
	r->errors++;
}

static inline void check(struct mt_run *r, volatile uint64_t *p, uint64_t want)
{
	uint64_t v = *p;
	if (v != want)
		error(r, p, want, v);
}

static void hook(struct mt_run *r)
{
	if (r->after_write)
		r->after_write(r);
}

static uint64_t total_words(const struct mt_run *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < r->nranges; i++)
		n += r->ranges[i].words;
	return n;
}

void mt_fill(struct mt_run *r, uint64_t pattern)
{
	for (unsigned k = 0; k < r->nranges; k++) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = 0; i < r->ranges[k].words; i++)
			w[i] = pattern;
	}
	r->bytes += total_words(r) * 8;
}

void mt_check(struct mt_run *r, uint64_t pattern)
{
	for (unsigned k = 0; k < r->nranges; k++) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = 0; i < r->ranges[k].words; i++)
			check(r, &w[i], pattern);
	}
	r->bytes += total_words(r) * 8;
}

static void own_address(struct mt_run *r, uint64_t flip)
{
	for (unsigned k = 0; k < r->nranges; k++) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = 0; i < r->ranges[k].words; i++)
			w[i] = (uint64_t)(uintptr_t)&w[i] ^ flip;
	}
	hook(r);
	for (unsigned k = 0; k < r->nranges; k++) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = 0; i < r->ranges[k].words; i++)
			check(r, &w[i], (uint64_t)(uintptr_t)&w[i] ^ flip);
	}
	r->bytes += total_words(r) * 16;
}

/* Fill with p; upwards, check p and write ~p; downwards, check ~p and write p. */
static void moving_inversions(struct mt_run *r, uint64_t p)
{
	mt_fill(r, p);
	hook(r);
	for (unsigned k = 0; k < r->nranges; k++) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = 0; i < r->ranges[k].words; i++) {
			check(r, &w[i], p);
			w[i] = ~p;
		}
	}
	hook(r);
	for (unsigned k = r->nranges; k-- > 0;) {
		volatile uint64_t *w = r->ranges[k].base;
		for (uint64_t i = r->ranges[k].words; i-- > 0;) {
			check(r, &w[i], ~p);
			w[i] = p;
		}
	}
	r->bytes += total_words(r) * 32;
}

static uint64_t block_pattern(uint64_t i, uint64_t seed)
{
	uint64_t b = 1ull << ((i + seed) & 63);
	return (i & 1) ? ~b : b; /* walking one, walking zero, alternating */
}

static void copy_words(uint64_t *dst, const uint64_t *src, uint64_t n)
{
#if defined(__x86_64__)
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
#else
	for (uint64_t i = 0; i < n; i++)
		((volatile uint64_t *)dst)[i] = src[i];
#endif
}

/* Each 64 KiB block: the first half gets a walking pattern, rep movsq copies it to the
 * second half; then the second half is copied back one word lower. Both copies are
 * checked against the pattern. */
static void block_move(struct mt_run *r)
{
	for (unsigned k = 0; k < r->nranges; k++) {
		uint64_t *base = r->ranges[k].base;
		for (uint64_t b = 0; b + BLOCK_WORDS <= r->ranges[k].words; b += BLOCK_WORDS) {
			volatile uint64_t *w = base + b;
			uint64_t half = BLOCK_WORDS / 2;
			for (uint64_t i = 0; i < half; i++)
				w[i] = block_pattern(i, r->seed);
			copy_words((uint64_t *)(base + b + half), (const uint64_t *)(base + b), half);
			hook(r);
			for (uint64_t i = 0; i < half; i++)
				check(r, &w[half + i], block_pattern(i, r->seed));
			copy_words((uint64_t *)(base + b), (const uint64_t *)(base + b + half + 1), half - 1);
			for (uint64_t i = 0; i + 1 < half; i++)
				check(r, &w[i], block_pattern(i + 1, r->seed));
			r->bytes += BLOCK_WORDS * 8 * 3;
		}
	}
}

static void random_sequence(struct mt_run *r)
{
	for (int inv = 0; inv < 2; inv++) {
		uint64_t flip = inv ? ~0ull : 0, s = r->seed | 1;
		for (unsigned k = 0; k < r->nranges; k++) {
			volatile uint64_t *w = r->ranges[k].base;
			for (uint64_t i = 0; i < r->ranges[k].words; i++)
				w[i] = rng_next(&s) ^ flip;
		}
		hook(r);
		s = r->seed | 1;
		for (unsigned k = 0; k < r->nranges; k++) {
			volatile uint64_t *w = r->ranges[k].base;
			for (uint64_t i = 0; i < r->ranges[k].words; i++)
				check(r, &w[i], rng_next(&s) ^ flip);
		}
		r->bytes += total_words(r) * 16;
	}
}

/* For each offset 0..19: p at every 20th word from the offset, ~p (written twice, as
 * memtest86+ does, to disturb the neighbours) everywhere else; then check the p words. */
static void modulo20(struct mt_run *r, uint64_t p)
{
	for (unsigned off = 0; off < MODULO; off++) {
		for (unsigned k = 0; k < r->nranges; k++) {
			volatile uint64_t *w = r->ranges[k].base;
			uint64_t n = r->ranges[k].words;
			for (uint64_t i = off; i < n; i += MODULO)
				w[i] = p;
			for (int rep = 0; rep < 2; rep++)
				for (uint64_t i = 0; i < n; i++)
					if (i % MODULO != off)
						w[i] = ~p;
		}
		hook(r);
		for (unsigned k = 0; k < r->nranges; k++) {
			volatile uint64_t *w = r->ranges[k].base;
			for (uint64_t i = off; i < r->ranges[k].words; i += MODULO)
				check(r, &w[i], p);
		}
		r->bytes += total_words(r) * 8 * 2 + total_words(r) * 8 / MODULO * 2;
	}
}

/* Address lines: within each range, the words at offsets 0 and 8 << k (a one walking
 * through the address bits above the word). Each in turn gets its own address (xor inv);
 * after every write of the complement of its own address to each other word, it must
 * still hold that: a stuck or shorted address line makes two offsets the same cell. */
void mt_addr_walk1(struct mt_run *r)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t inv = pass ? ~0ull : 0;
		for (unsigned k = 0; k < r->nranges; k++) {
			volatile uint64_t *w = r->ranges[k].base;
			uint64_t n = r->ranges[k].words;
			for (uint64_t i1 = 0; i1 < n; i1 = i1 ? i1 << 1 : 1) {
				volatile uint64_t *p1 = &w[i1];
				uint64_t want = (uint64_t)(uintptr_t)p1 ^ inv;
				*p1 = want;
				hook(r);
				r->bytes += 8;
				for (uint64_t i2 = 0; i2 < n; i2 = i2 ? i2 << 1 : 1) {
					if (i2 == i1)
						continue;
					w[i2] = ~((uint64_t)(uintptr_t)&w[i2] ^ inv);
					uint64_t v = *p1;
					r->bytes += 16;
					if (v != want) {
						error(r, p1, want, v);
						*p1 = want; /* go on looking for more */
					}
				}
			}
		}
	}
}

/* The memcpy bound: each range's first half copied to its second half with the string
 * move block move uses (rep movsq: the fast copy on hardware, and under QEMU's TCG eight
 * bytes per emulated iteration where rep movsb, Kiln's memcpy, takes one), bytes read
 * plus bytes written counted. */
void mt_copy(struct mt_run *r)
{
	for (unsigned k = 0; k < r->nranges; k++) {
		uint64_t half = r->ranges[k].words / 2;
		copy_words(r->ranges[k].base + half, r->ranges[k].base, half);
		r->bytes += half * 16;
	}
}

void mt_run_test(struct mt_run *r, enum mt_test t)
{
	uint64_t s = r->seed | 1;
	switch (t) {
	case MT_OWN_ADDRESS:
		own_address(r, 0);
		own_address(r, ~0ull);
		break;
	case MT_INV_ONES_ZEROS:
		moving_inversions(r, 0);
		moving_inversions(r, ~0ull);
		break;
	case MT_INV_WALK8:
		for (unsigned b = 0; b < 8; b++) /* each pass checks the pattern and its complement */
			moving_inversions(r, 0x0101010101010101ull << b);
		break;
	case MT_INV_RANDOM:
		moving_inversions(r, rng_next(&s));
		break;
	case MT_BLOCK_MOVE:
		block_move(r);
		break;
	case MT_RANDOM_SEQ:
		random_sequence(r);
		break;
	case MT_MODULO20:
		modulo20(r, rng_next(&s));
		break;
	default:
		break;
	}
}
