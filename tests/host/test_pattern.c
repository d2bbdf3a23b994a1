// sources: kernel/lib/pattern.c
/* kernel/lib/pattern.c: the one seeded pattern. Against the two modules it replaced
 * (net/pattern.c's stream fill and check, tests/accel/pattern.c's words, both verbatim
 * below) so a seed yields the same bytes as before; fills at every alignment of buffer
 * and offset; checks that count exactly the corrupted bytes, report them in increasing
 * order as aligned words or bytes, and keep the first mismatch of a stream across calls. */
#include "host_test.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/lib/pattern.h"

/* ---- the replaced modules, verbatim (but for names) ---- */

static uint64_t old_word(uint64_t seed, uint64_t word)
{
	uint64_t z = seed + (word + 1u) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t old_byte(uint64_t w, uint64_t off) { return (uint8_t)(w >> ((off % 8u) * 8u)); }

static void old_net_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	size_t k = 0;
	for (; k < n && off % 8u; k++, off++)
		buf[k] = old_byte(old_word(seed, off / 8u), off);
	for (; n - k >= 8u; k += 8u, off += 8u) {
		uint64_t w = old_word(seed, off / 8u);
		memcpy(buf + k, &w, 8u);
	}
	for (; k < n; k++, off++)
		buf[k] = old_byte(old_word(seed, off / 8u), off);
}

static uint64_t old_net_check(uint64_t seed, uint64_t off, const uint8_t *buf, size_t n, struct pattern_err *e)
{
	uint64_t bad = 0;
	size_t k = 0;
	while (k < n) {
		if (off % 8u == 0 && n - k >= 8u) {
			uint64_t w = old_word(seed, off / 8u), got;
			memcpy(&got, buf + k, 8u);
			if (got == w) {
				k += 8u;
				off += 8u;
				continue;
			}
		}
		uint8_t want = old_byte(old_word(seed, off / 8u), off);
		if (buf[k] != want) {
			if (!e->bad_bytes && !bad) {
				e->first_off = off;
				e->expected = want;
				e->actual = buf[k];
			}
			bad++;
		}
		k++;
		off++;
	}
	e->bad_bytes += bad;
	return bad;
}

/* ---- tests ---- */

static void words_as_before(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(0x70617474);
	for (unsigned k = 0; k < 10000; k++) {
		uint64_t seed = host_rand(&s), i = host_rand(&s) >> (host_rand(&s) % 64);
		assert_int_equal(pattern_word(seed, i), old_word(seed, i));
		uint64_t off = host_rand(&s) >> 8;
		assert_int_equal(pattern_byte(seed, off), old_byte(old_word(seed, off / 8), off));
	}
	/* a fixed vector: the first word of seed 0 is splitmix64's first output */
	assert_int_equal(pattern_word(0, 0), 0xe220a8397b1dcdafull);
}

/* Every buffer alignment, stream offset and length up to 40: the same bytes as the old
 * net fill, the neighbours untouched, and the check finds nothing. */
static void fill_every_alignment(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(3);
	uint8_t *mem = malloc(64 + 16), want[64];
	for (unsigned al = 0; al < 16; al++)
		for (uint64_t off = 0; off < 24; off++)
			for (size_t len = 0; len <= 40; len++) {
				uint64_t seed = host_rand(&s);
				memset(mem, 0xa5, 64 + 16);
				pattern_fill(mem + al, len, seed, off);
				old_net_fill(seed, off, want, len);
				assert_memory_equal(mem + al, want, len);
				for (size_t k = 0; k < al; k++)
					assert_int_equal(mem[k], 0xa5);
				for (size_t k = al + len; k < 64 + 16; k++)
					assert_int_equal(mem[k], 0xa5);
				assert_int_equal(pattern_check(mem + al, len, seed, off, NULL, NULL), 0);
			}
	free(mem);
}

struct seen {
	uint64_t units, bytes, last_at;
	int any;
	uintptr_t base;
	uint64_t off;
};

static void record(void *arg, uint64_t at, uint64_t want, uint64_t got, unsigned bytes)
{
	struct seen *v = arg;
	assert_true(bytes == 1 || bytes == 8);
	assert_true(want != got);
	if (bytes == 8) /* whole words only where the pattern's words line up with memory's */
		assert_int_equal((v->base + at) % 8, 0);
	if (bytes == 8)
		assert_int_equal((v->off + at) % 8, 0);
	if (v->any)
		assert_true(at > v->last_at);
	v->any = 1;
	v->last_at = at;
	v->units++;
	for (unsigned k = 0; k < bytes; k++)
		v->bytes += ((want ^ got) >> (8 * k) & 0xff) != 0;
}

/* Corrupt random bytes of a filled buffer: the check counts exactly those, the callback
 * sees them in order, and the first mismatch matches the old net check. */
static void check_finds_each_corrupted_byte(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(5);
	enum { MAX = 300 };
	uint8_t *mem = malloc(MAX + 8);
	for (unsigned k = 0; k < 3000; k++) {
		unsigned al = (unsigned)(host_rand(&s) % 8);
		size_t len = host_rand(&s) % MAX;
		uint64_t seed = host_rand(&s), off = host_rand(&s) % 1000;
		uint8_t *p = mem + al;
		pattern_fill(p, len, seed, off);
		unsigned flips = len ? (unsigned)(host_rand(&s) % 6) : 0, distinct = 0;
		for (unsigned f = 0; f < flips; f++) {
			size_t at = host_rand(&s) % len;
			uint8_t x = (uint8_t)(1 + host_rand(&s) % 255);
			if (p[at] == pattern_byte(seed, off + at))
				distinct++;
			p[at] ^= x;
			if (p[at] == pattern_byte(seed, off + at))
				distinct--; /* flipped back */
		}
		struct seen v = {0, 0, 0, 0, (uintptr_t)p, off};
		uint64_t bad = pattern_check(p, len, seed, off, record, &v);
		assert_int_equal(bad, distinct);
		assert_int_equal(v.bytes, distinct);
		struct pattern_err a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
		assert_int_equal(pattern_check_err(p, len, seed, off, &a), old_net_check(seed, off, p, len, &b));
		assert_int_equal(a.bad_bytes, b.bad_bytes);
		if (b.bad_bytes) {
			assert_int_equal(a.first_off, b.first_off);
			assert_int_equal(a.expected, b.expected);
			assert_int_equal(a.actual, b.actual);
		}
	}
	free(mem);
}

/* A stream checked in pieces: the first mismatch is kept from the first piece that had
 * one, the count sums. */
static void stream_in_pieces(void **state)
{
	(void)state;
	uint8_t buf[100];
	pattern_fill(buf, sizeof buf, 42, 1000);
	buf[70] ^= 0x10;
	buf[90] ^= 0x01;
	struct pattern_err e = {0, 0, 0, 0};
	assert_int_equal(pattern_check_err(buf, 50, 42, 1000, &e), 0);
	assert_int_equal(pattern_check_err(buf + 50, 30, 42, 1050, &e), 1);
	assert_int_equal(pattern_check_err(buf + 80, 20, 42, 1080, &e), 1);
	assert_int_equal(e.bad_bytes, 2);
	assert_int_equal(e.first_off, 1070);
	assert_int_equal(e.expected, pattern_byte(42, 1070));
	assert_int_equal(e.actual, pattern_byte(42, 1070) ^ 0x10);
}

static void repeat_word(void **state)
{
	(void)state;
	uint8_t buf[37];
	uint64_t w = 0x0123456789abcdefull;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(w >> (8 * (i % 8)));
	assert_int_equal(pattern_check_repeat(buf, sizeof buf, w, NULL, NULL), 0);
	buf[0] ^= 1;
	buf[36] ^= 0xff;
	struct seen v = {0, 0, 0, 0, (uintptr_t)buf, 0};
	assert_int_equal(pattern_check_repeat(buf, sizeof buf, w, record, &v), 2);
	assert_int_equal(v.units, 2);
	assert_int_equal(v.last_at, 36);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_as_before),
		cmocka_unit_test(fill_every_alignment),
		cmocka_unit_test(check_finds_each_corrupted_byte),
		cmocka_unit_test(stream_in_pieces),
		cmocka_unit_test(repeat_word),
	};
	return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}
