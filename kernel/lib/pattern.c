/* The seeded data pattern (kernel/lib/pattern.h). */
#include "kernel/lib/pattern.h"

#define WORD 8u

/* Byte k of a pattern word is bits 8k..8k+7: on a little-endian CPU, the word's memory image. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "pattern words are stored little endian");

/* A 64-bit word at any address (x86 loads and stores it either way); used where the
 * pattern's words do not line up with memory's, so a word of the pattern is still made
 * once, not once per byte. */
typedef volatile uint64_t __attribute__((aligned(1), may_alias)) uword;

/* Bytes before the pattern offset reaches a word boundary (then the middle goes a pattern
 * word at a time). */
static uint64_t head_len(uint64_t len, uint64_t off)
{
	uint64_t h = (WORD - off % WORD) % WORD;
	return h < len ? h : len;
}

static int lined_up(const volatile void *p, uint64_t off) { return ((uintptr_t)p - off) % WORD == 0; }

void pattern_fill(volatile void *p, uint64_t len, uint64_t seed, uint64_t off)
{
	volatile uint8_t *b = p;
	uint64_t h = head_len(len, off), i;
	for (i = 0; i < h; i++)
		b[i] = pattern_byte(seed, off + i);
	if (lined_up(p, off))
		for (; i + WORD <= len; i += WORD)
			*(volatile uint64_t *)(b + i) = pattern_word(seed, (off + i) / WORD);
	else
		for (; i + WORD <= len; i += WORD)
			*(uword *)(b + i) = pattern_word(seed, (off + i) / WORD);
	for (; i < len; i++)
		b[i] = pattern_byte(seed, off + i);
}

static unsigned bytes_differing(uint64_t diff, unsigned bytes)
{
	unsigned n = 0;
	for (unsigned k = 0; k < bytes; k++)
		n += ((diff >> (8 * k)) & 0xffu) != 0;
	return n;
}

uint64_t pattern_check(const volatile void *p, uint64_t len, uint64_t seed, uint64_t off, pattern_mismatch_fn fn,
		       void *arg)
{
	const volatile uint8_t *b = p;
	uint64_t h = head_len(len, off), i, bad = 0;
	for (i = 0; i < h; i++) {
		uint8_t got = b[i], want = pattern_byte(seed, off + i);
		if (got != want) {
			bad++;
			if (fn)
				fn(arg, i, want, got, 1);
		}
	}
	int words = lined_up(p, off);
	for (; i + WORD <= len; i += WORD) {
		uint64_t want = pattern_word(seed, (off + i) / WORD);
		uint64_t got = words ? *(const volatile uint64_t *)(b + i) : *(const uword *)(b + i);
		if (got == want)
			continue;
		bad += bytes_differing(want ^ got, WORD);
		if (!fn)
			continue;
		if (words) {
			fn(arg, i, want, got, WORD);
			continue;
		}
		for (unsigned k = 0; k < WORD; k++) /* off memory's words: reported byte by byte */
			if ((uint8_t)((want ^ got) >> (8 * k)))
				fn(arg, i + k, (uint8_t)(want >> (8 * k)), (uint8_t)(got >> (8 * k)), 1);
	}
	for (; i < len; i++) {
		uint8_t got = b[i], want = pattern_byte(seed, off + i);
		if (got != want) {
			bad++;
			if (fn)
				fn(arg, i, want, got, 1);
		}
	}
	return bad;
}

uint64_t pattern_check_repeat(const volatile void *p, uint64_t len, uint64_t word, pattern_mismatch_fn fn, void *arg)
{
	const volatile uint8_t *b = p;
	uint64_t bad = 0;
	for (uint64_t i = 0; i < len; i++) {
		uint8_t got = b[i], want = (uint8_t)(word >> (8 * (i % WORD)));
		if (got != want) {
			bad++;
			if (fn)
				fn(arg, i, want, got, 1);
		}
	}
	return bad;
}

struct first {
	struct pattern_err *e;
	uint64_t off;
	int found;
};

/* Keeps the lowest differing byte of the first differing unit. */
static void note_first(void *arg, uint64_t at, uint64_t want, uint64_t got, unsigned bytes)
{
	struct first *f = arg;
	if (f->found)
		return;
	unsigned k = 0;
	while (k + 1 < bytes && !(((want ^ got) >> (8 * k)) & 0xffu))
		k++;
	f->found = 1;
	f->e->first_off = f->off + at + k;
	f->e->expected = (uint8_t)(want >> (8 * k));
	f->e->actual = (uint8_t)(got >> (8 * k));
}

uint64_t pattern_check_err(const volatile void *p, uint64_t len, uint64_t seed, uint64_t off, struct pattern_err *e)
{
	struct first f = {e, off, e->bad_bytes != 0};
	uint64_t bad = pattern_check(p, len, seed, off, note_first, &f);
	e->bad_bytes += bad;
	return bad;
}
