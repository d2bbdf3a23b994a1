// sources: tests/suites/memory/memtest.c
/* tests/suites/memory/memtest.c, the host memory algorithms: on clean memory every test
 * passes and counts its traffic; a bit flipped between the writing and the checking pass
 * (the same hook the selftest uses in the image) is reported by every test at exactly
 * that address, with the expected and actual words differing in exactly that bit. */
#include "host_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites/memory/memtest.h"

#define WORDS (3 * 8192 + 104) /* three block-move blocks and a tail, in two ranges */

static uint64_t *buf, rng;
static uint64_t flip_word;
static unsigned flip_bit;
static int flipped;

static int setup(void **state)
{
	(void)state;
	buf = aligned_alloc(64, WORDS * 8);
	return buf ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(buf);
	return 0;
}

static void init_run(struct mt_run *r, uint64_t seed)
{
	memset(r, 0, sizeof *r);
	r->ranges[0] = (struct mt_range){buf, WORDS / 2};
	r->ranges[1] = (struct mt_range){buf + WORDS / 2, WORDS - WORDS / 2};
	r->nranges = 2;
	r->seed = seed;
}

static void flip_once(struct mt_run *r)
{
	(void)r;
	if (flipped)
		return;
	flipped = 1;
	buf[flip_word] ^= 1ull << flip_bit;
}

static void clean_memory_passes(void **state)
{
	(void)state;
	for (int t = 0; t < MT_TEST_COUNT; t++) {
		struct mt_run r;
		init_run(&r, 0x1234 + (uint64_t)t);
		mt_run_test(&r, (enum mt_test)t);
		printf("# %s: %llu bytes, %llu errors\n", mt_test_name((enum mt_test)t), (unsigned long long)r.bytes,
		       (unsigned long long)r.errors);
		assert_int_equal(r.errors, 0);
		assert_true(r.bytes >= WORDS * 8);
	}
}

static void injected_flip_is_reported_exactly(void **state)
{
	(void)state;
	rng = host_test_seed(0x6d656d74);
	for (int t = 0; t < MT_TEST_COUNT; t++) {
		for (int k = 0; k < 20; k++) {
			struct mt_run r;
			init_run(&r, host_rand(&rng));
			flip_word = host_rand(&rng) % WORDS;
			/* where each test's first check after its first write pass looks: block
			 * move checks the copied (second) half of the first block; modulo-20 the
			 * words at offset 0 of every 20 */
			if (t == MT_BLOCK_MOVE)
				flip_word = 4096 + flip_word % 4096;
			if (t == MT_MODULO20)
				flip_word -= flip_word % 20;
			flip_bit = (unsigned)(host_rand(&rng) % 64);
			flipped = 0;
			r.after_write = flip_once;
			mt_run_test(&r, (enum mt_test)t);
			if (r.errors < 1)
				printf("# %s: flip at word %llu bit %u not detected\n", mt_test_name((enum mt_test)t),
				       (unsigned long long)flip_word, flip_bit);
			assert_true(r.errors >= 1);
			assert_int_equal(r.first[0].addr, (uint64_t)(uintptr_t)&buf[flip_word]);
			assert_int_equal(r.first[0].expected ^ r.first[0].actual, 1ull << flip_bit);
		}
	}
}

/* Flip once, right after the walk wrote the chosen word as its first address. */
static void flip_when_walked(struct mt_run *r)
{
	(void)r;
	if (!flipped && buf[flip_word] == (uint64_t)(uintptr_t)&buf[flip_word]) {
		flipped = 1;
		buf[flip_word] ^= 1ull << flip_bit;
	}
}
/* The address walk: clean memory passes and touches only the walked words; a bit of a
 * walked word flipped right after it was written with its address (the hook runs after
 * each such write) is reported at exactly that word and bit. */
static void address_walk(void **state)
{
	(void)state;
	struct mt_run r;
	init_run(&r, 1);
	memset(buf, 0x5a, WORDS * 8);
	mt_addr_walk1(&r);
	assert_int_equal(r.errors, 0);
	assert_true(r.bytes > 0 && r.bytes < WORDS * 8);
	assert_int_equal(buf[3], 0x5a5a5a5a5a5a5a5aull); /* not a power of two: untouched */
	assert_int_equal(buf[64], (uint64_t)(uintptr_t)&buf[64]); /* last written as another word was walked: ~(addr ^ ~0) */

	/* every walked word, every bit: reported exactly */
	rng = host_test_seed(0x77616c6b);
	for (int k = 0; k < 40; k++) {
		init_run(&r, 2);
		unsigned e = (unsigned)(host_rand(&rng) % 13); /* 2^12 < WORDS / 2 */
		flip_word = e == 12 ? 0 : 1ull << e;
		flip_bit = (unsigned)(host_rand(&rng) % 64);
		flipped = 0;
		memset(buf, 0, WORDS * 8);
		r.after_write = flip_when_walked;
		mt_addr_walk1(&r);
		assert_true(r.errors >= 1);
		assert_int_equal(r.first[0].addr, (uint64_t)(uintptr_t)&buf[flip_word]);
		assert_int_equal(r.first[0].expected ^ r.first[0].actual, 1ull << flip_bit);
	}
}

/* The memcpy bound copies each range's first half to its second half. */
static void copy_bound(void **state)
{
	(void)state;
	struct mt_run r;
	init_run(&r, 4);
	for (uint64_t i = 0; i < WORDS; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ull;
	mt_copy(&r);
	for (unsigned k = 0; k < 2; k++) {
		uint64_t half = r.ranges[k].words / 2;
		assert_memory_equal(r.ranges[k].base + half, r.ranges[k].base, half * 8);
	}
	assert_int_equal(r.bytes, (WORDS / 2 / 2 + (WORDS - WORDS / 2) / 2) * 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_memory_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(injected_flip_is_reported_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(address_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_bound, setup, teardown),
	};
	return cmocka_run_group_tests_name("memtest", tests, NULL, NULL);
}
