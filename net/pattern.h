/* Seeded data patterns for traffic: byte `off` of a stream is a pure function of
 * (seed, off), so a receiver knows what every byte should be without the sender telling
 * it, and a mismatch is reported with its offset, expected and actual value. Pure code. */
#ifndef KILN_NET_PATTERN_H
#define KILN_NET_PATTERN_H

#include <stddef.h>
#include <stdint.h>

struct net_pattern_err {
	uint64_t bad_bytes;   /* bytes that differ */
	uint64_t first_off;   /* stream offset of the first one */
	uint8_t expected, actual;
};

void net_pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n);
/* Compare buf with the pattern at stream offset off; adds to *e. Returns bytes that differ. */
uint64_t net_pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, size_t n, struct net_pattern_err *e);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32): start with crc = 0. */
uint32_t net_crc32(uint32_t crc, const void *data, size_t n);

#endif
