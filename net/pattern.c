/* Data patterns and CRC-32 for the traffic apps. */
#include "net/pattern.h"

#define WORD_BYTES 8u
#define CRC32_POLY_REFLECTED 0xedb88320u

/* splitmix64's finalizer over (seed, word index): every 8-byte word of the stream. */
static uint64_t pattern_word(uint64_t seed, uint64_t word)
{
	uint64_t z = seed + (word + 1u) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t pattern_byte(uint64_t w, uint64_t off) { return (uint8_t)(w >> ((off % WORD_BYTES) * 8u)); }

void net_pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	uint64_t w = pattern_word(seed, off / WORD_BYTES);
	for (size_t k = 0; k < n; k++, off++) {
		if (k && off % WORD_BYTES == 0)
			w = pattern_word(seed, off / WORD_BYTES);
		buf[k] = pattern_byte(w, off);
	}
}

uint64_t net_pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, size_t n, struct net_pattern_err *e)
{
	uint64_t bad = 0;
	uint64_t w = pattern_word(seed, off / WORD_BYTES);
	for (size_t k = 0; k < n; k++, off++) {
		if (k && off % WORD_BYTES == 0)
			w = pattern_word(seed, off / WORD_BYTES);
		uint8_t want = pattern_byte(w, off);
		if (buf[k] != want) {
			if (!e->bad_bytes && !bad) {
				e->first_off = off;
				e->expected = want;
				e->actual = buf[k];
			}
			bad++;
		}
	}
	e->bad_bytes += bad;
	return bad;
}

uint32_t net_crc32(uint32_t crc, const void *data, size_t n)
{
	static uint32_t table[256];
	static int ready;
	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int b = 0; b < 8; b++)
				c = c & 1u ? CRC32_POLY_REFLECTED ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	const uint8_t *p = data;
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	return ~crc;
}
