/* CRC-32 (kernel/lib/crc32.h). */
#include "kernel/lib/crc32.h"

#include "kernel/lib/string.h"

#define CRC32_POLY_REFLECTED 0xedb88320u

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

uint32_t crc32_ieee(uint32_t crc, const void *data, size_t n)
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
