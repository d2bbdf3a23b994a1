/* Data patterns and CRC-32 for the traffic apps. */
#include "net/pattern.h"

#include "kernel/lib/string.h"

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

/* Byte k of a word is bits 8k..8k+7: on a little-endian CPU, the word's memory image. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "pattern words are stored little endian");

void net_pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	size_t k = 0;
	for (; k < n && off % WORD_BYTES; k++, off++)
		buf[k] = pattern_byte(pattern_word(seed, off / WORD_BYTES), off);
	for (; n - k >= WORD_BYTES; k += WORD_BYTES, off += WORD_BYTES) {
		uint64_t w = pattern_word(seed, off / WORD_BYTES);
		memcpy(buf + k, &w, WORD_BYTES);
	}
	for (; k < n; k++, off++)
		buf[k] = pattern_byte(pattern_word(seed, off / WORD_BYTES), off);
}

uint64_t net_pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, size_t n, struct net_pattern_err *e)
{
	uint64_t bad = 0;
	size_t k = 0;
	/* whole words that match are skipped at once; anything else is compared byte by byte */
	while (k < n) {
		if (off % WORD_BYTES == 0 && n - k >= WORD_BYTES) {
			uint64_t w = pattern_word(seed, off / WORD_BYTES), got;
			memcpy(&got, buf + k, WORD_BYTES);
			if (got == w) {
				k += WORD_BYTES;
				off += WORD_BYTES;
				continue;
			}
		}
		uint8_t want = pattern_byte(pattern_word(seed, off / WORD_BYTES), off);
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

/* Slicing by 8: eight tables, eight bytes per step (same result as the byte-wise loop). */
#define CRC_SLICES 8u
static uint32_t crc_table[CRC_SLICES][256];

static void crc_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int b = 0; b < 8; b++)
			c = c & 1u ? CRC32_POLY_REFLECTED ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (unsigned t = 1; t < CRC_SLICES; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xffu];
}

uint32_t net_crc32(uint32_t crc, const void *data, size_t n)
{
	static int ready;
	if (!ready) {
		crc_tables();
		ready = 1;
	}
	const uint8_t *p = data;
	crc = ~crc;
	for (; n >= CRC_SLICES; n -= CRC_SLICES, p += CRC_SLICES) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_table[7][lo & 0xffu] ^ crc_table[6][(lo >> 8) & 0xffu] ^ crc_table[5][(lo >> 16) & 0xffu] ^
		      crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xffu] ^ crc_table[2][(hi >> 8) & 0xffu] ^
		      crc_table[1][(hi >> 16) & 0xffu] ^ crc_table[0][hi >> 24];
	}
	while (n--)
		crc = crc_table[0][(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	return ~crc;
}
