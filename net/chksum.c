/* The Internet checksum (net/chksum.h). One's-complement addition is the same whatever
 * the word size and byte order it is done in, once folded to 16 bits (RFC 1071 section 2),
 * so 64-bit words at any address sum to the same result as 16-bit ones. */
#include "net/chksum.h"

#include <stddef.h>

typedef uint64_t __attribute__((aligned(1), may_alias)) u64u;
typedef uint32_t __attribute__((aligned(1), may_alias)) u32u;
typedef uint16_t __attribute__((aligned(1), may_alias)) u16u;

static uint64_t add_carry(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s + (s < b);
}

uint16_t net_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0;
	size_t n = len > 0 ? (size_t)len : 0;
	for (; n >= 32; n -= 32, p += 32) {
		sum = add_carry(sum, *(const u64u *)p);
		sum = add_carry(sum, *(const u64u *)(p + 8));
		sum = add_carry(sum, *(const u64u *)(p + 16));
		sum = add_carry(sum, *(const u64u *)(p + 24));
	}
	for (; n >= 8; n -= 8, p += 8)
		sum = add_carry(sum, *(const u64u *)p);
	if (n >= 4)
		sum = add_carry(sum, *(const u32u *)p), p += 4, n -= 4;
	if (n >= 2)
		sum = add_carry(sum, *(const u16u *)p), p += 2, n -= 2;
	if (n)
		sum = add_carry(sum, *p); /* the last byte is the first (low-addressed) of a 16-bit word */
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}
