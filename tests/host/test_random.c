// sources: kernel/lib/random.c
/* kernel/lib/random.h and random.c: Kiln's one generator (splitmix64) against the published
 * reference outputs, against the generators it replaced (so a seed draws what it drew
 * before: the runner's kt_rand and the seeded-pattern words), random access into a stream,
 * and FNV-1a (the case-name mix) against its published vectors. */
#include "host_test.h"

#include "kernel/lib/random.h"

/* The runner's kt_rand before kernel/lib/random.h, verbatim. */
static uint64_t old_kt_rand(uint64_t *rng)
{
	uint64_t z = (*rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The runner's case-name hash before, verbatim. */
static uint64_t old_fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* SplitMix64 from state 0: the first outputs of Vigna's reference splitmix64.c. */
static void reference_outputs(void **state)
{
	(void)state;
	uint64_t x = 0;
	assert_int_equal(rand_next(&x), 0xe220a8397b1dcdafull);
	assert_int_equal(rand_next(&x), 0x6e789e6aa1b965f4ull);
	assert_int_equal(rand_next(&x), 0x06c45d188009454full);
	assert_int_equal(x, 3 * RAND_GOLDEN);
}

static void same_stream_as_before(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(0x6b696c6e);
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t seed = host_rand(&s), a = seed, b = seed;
		for (unsigned n = 0; n < 20; n++)
			assert_int_equal(rand_next(&a), old_kt_rand(&b));
	}
}

static void random_access(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(7);
	for (unsigned k = 0; k < 200; k++) {
		uint64_t seed = host_rand(&s), x = seed;
		for (uint64_t n = 1; n <= 100; n++)
			assert_int_equal(rand_at(seed, n), rand_next(&x));
	}
	/* far into a stream: no stepping needed */
	assert_int_equal(rand_at(5, 1ull << 40), rand_mix(5 + (1ull << 40) * RAND_GOLDEN));
}

static void mix_is_a_bijection_on_a_sample(void **state)
{
	(void)state;
	/* distinct inputs, distinct outputs (a sample; the finalizer is invertible) */
	enum { N = 4096 };
	static uint64_t out[N];
	for (unsigned i = 0; i < N; i++) {
		out[i] = rand_mix(i);
		for (unsigned j = 0; j < i; j++)
			assert_true(out[j] != out[i]);
	}
	/* one flipped input bit changes about half the output bits */
	uint64_t s = host_test_seed(11);
	unsigned total = 0, runs = 0;
	for (unsigned k = 0; k < 2000; k++) {
		uint64_t v = host_rand(&s);
		unsigned bit = (unsigned)(host_rand(&s) % 64);
		total += (unsigned)__builtin_popcountll(rand_mix(v) ^ rand_mix(v ^ (1ull << bit)));
		runs++;
	}
	unsigned mean_x10 = total * 10 / runs;
	if (mean_x10 < 300 || mean_x10 > 340)
		fail_msg("mean flipped output bits %u.%u, expected about 32", mean_x10 / 10, mean_x10 % 10);
}

static void fnv1a(void **state)
{
	(void)state;
	assert_int_equal(rand_hash(""), 0xcbf29ce484222325ull);
	assert_int_equal(rand_hash("a"), 0xaf63dc4c8601ec8cull);
	assert_int_equal(rand_hash("foobar"), 0x85944171f73967e8ull);
	const char *names[] = {"platform-memory-map", "queues-nop-every-stream", "dma-host-to-hbm", "net-peer-traffic", "é"};
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_int_equal(rand_hash(names[i]), old_fnv1a(names[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_outputs),
		cmocka_unit_test(same_stream_as_before),
		cmocka_unit_test(random_access),
		cmocka_unit_test(mix_is_a_bijection_on_a_sample),
		cmocka_unit_test(fnv1a),
	};
	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
