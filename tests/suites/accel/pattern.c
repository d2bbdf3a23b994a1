/* Seeded patterns and their checks (tests/suites/accel/pattern.h). */
#include "tests/suites/accel/pattern.h"

#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"

uint64_t pat_word(uint64_t seed, uint64_t index)
{
	/* splitmix64 of (seed, index): any word from any offset, no state */
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint8_t pat_byte(uint64_t seed, uint64_t off) { return (uint8_t)(pat_word(seed, off / 8) >> (8 * (off % 8))); }

static uint8_t fill_byte(uint64_t pattern, uint64_t i) { return (uint8_t)(pattern >> (8 * (i % 8))); }

/* Bytes before p reaches 8-byte alignment, when pattern words line up with memory words
 * (then the middle goes a word at a time); otherwise the whole length. */
static uint64_t head_len(const volatile void *p, uint64_t len, uint64_t pat_off)
{
	if (((uintptr_t)p - pat_off) % 8)
		return len;
	uint64_t h = (8 - (uintptr_t)p % 8) % 8;
	return h < len ? h : len;
}

void pat_fill(volatile void *p, uint64_t len, uint64_t seed, uint64_t pat_off)
{
	volatile uint8_t *b = p;
	uint64_t h = head_len(p, len, pat_off), i;
	for (i = 0; i < h; i++)
		b[i] = pat_byte(seed, pat_off + i);
	for (; i + 8 <= len; i += 8)
		*(volatile uint64_t *)(b + i) = pat_word(seed, (pat_off + i) / 8);
	for (; i < len; i++)
		b[i] = pat_byte(seed, pat_off + i);
}

static unsigned lowest_bit(uint64_t x)
{
	unsigned n = 0;
	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}

struct tally {
	uint64_t bad, first, last;
	unsigned shown;
};

static void mismatch(struct kt *t, struct tally *y, const char *who, const char *region, uint64_t addr, uint64_t want,
		     uint64_t got, unsigned bytes)
{
	uint64_t diff = want ^ got;
	for (unsigned k = 0; k < bytes; k++)
		y->bad += ((diff >> (8 * k)) & 0xff) != 0;
	if (!y->first)
		y->first = addr + 1;
	y->last = addr + bytes - 1;
	if (y->shown >= PAT_REPORT_MAX)
		return;
	y->shown++;
	char bit[24] = "";
	if (!(diff & (diff - 1)))
		ksnprintf(bit, sizeof bit, ", bit %u", lowest_bit(diff));
	int w = bytes == 8 ? 16 : 2;
	kt_diag(t, "%s: mismatch at %s+0x%llx expected 0x%0*llx got 0x%0*llx (bits 0x%0*llx%s)", who, region,
		(unsigned long long)addr, w, (unsigned long long)want, w, (unsigned long long)got, w,
		(unsigned long long)diff, bit);
}

static uint64_t conclude(struct kt *t, struct tally *y, const char *who, const char *region, uint64_t len)
{
	if (y->bad)
		kt_fail(t, "%s: %llu of %llu bytes differ in %s+0x%llx..0x%llx (%u shown above)", who,
			(unsigned long long)y->bad, (unsigned long long)len, region, (unsigned long long)(y->first - 1),
			(unsigned long long)y->last, y->shown);
	return y->bad;
}

uint64_t pat_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		   uint64_t len, uint64_t seed, uint64_t pat_off)
{
	struct tally y = {0, 0, 0, 0};
	const volatile uint8_t *b = p;
	uint64_t h = head_len(p, len, pat_off), i;
	for (i = 0; i < h; i++) {
		uint8_t got = b[i], want = pat_byte(seed, pat_off + i);
		if (got != want)
			mismatch(t, &y, who, region, region_off + i, want, got, 1);
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t got = *(const volatile uint64_t *)(b + i), want = pat_word(seed, (pat_off + i) / 8);
		if (got != want)
			mismatch(t, &y, who, region, region_off + i, want, got, 8);
	}
	for (; i < len; i++) {
		uint8_t got = b[i], want = pat_byte(seed, pat_off + i);
		if (got != want)
			mismatch(t, &y, who, region, region_off + i, want, got, 1);
	}
	return conclude(t, &y, who, region, len);
}

uint64_t fill_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		    uint64_t len, uint64_t pattern)
{
	struct tally y = {0, 0, 0, 0};
	const volatile uint8_t *b = p;
	for (uint64_t i = 0; i < len; i++) {
		uint8_t got = b[i], want = fill_byte(pattern, i);
		if (got != want)
			mismatch(t, &y, who, region, region_off + i, want, got, 1);
	}
	return conclude(t, &y, who, region, len);
}
