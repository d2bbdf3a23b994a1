// sources: net/chksum.c
/* net/chksum.c: the 64-bit Internet checksum equals RFC 1071's 16-bit loop (written here
 * from the RFC's description) at every length up to a few hundred bytes and every start
 * alignment, on random data and on all-ones data (the end-around carry at its worst), and
 * a frame checksummed with its own checksum inserted sums to 0xffff. */
#include "host_test.h"

#include <string.h>

#include "net/chksum.h"

/* RFC 1071: 16-bit words in the CPU's byte order, an odd last byte as the first byte of a
 * word, carries folded back in. */
static uint16_t rfc1071(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (; n >= 2; n -= 2, p += 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		sum += w;
	}
	if (n) {
		uint8_t last[2] = {*p, 0};
		uint16_t w;
		memcpy(&w, last, 2);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

static void against_rfc1071(void **state)
{
	(void)state;
	enum { MAX = 400 };
	static uint8_t buf[MAX + 8];
	uint64_t s = host_test_seed(1071);
	for (unsigned fill = 0; fill < 2; fill++) {
		for (size_t k = 0; k < sizeof buf; k++)
			buf[k] = fill ? 0xff : (uint8_t)host_rand(&s);
		for (unsigned al = 0; al < 8; al++)
			for (size_t n = 0; n <= MAX; n++)
				if (net_chksum(buf + al, (int)n) != rfc1071(buf + al, n))
					fail_msg("%zu bytes at offset %u: 0x%04x, RFC 1071 0x%04x", n, al, net_chksum(buf + al, (int)n),
						 rfc1071(buf + al, n));
	}
}

static void checksum_of_checksummed_is_ones(void **state)
{
	(void)state;
	uint8_t pkt[1480];
	uint64_t s = host_test_seed(7);
	for (size_t k = 0; k < sizeof pkt; k++)
		pkt[k] = (uint8_t)host_rand(&s);
	pkt[10] = pkt[11] = 0;
	uint16_t c = (uint16_t)~net_chksum(pkt, sizeof pkt);
	memcpy(pkt + 10, &c, 2);
	assert_int_equal(net_chksum(pkt, sizeof pkt), 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(against_rfc1071),
		cmocka_unit_test(checksum_of_checksummed_is_ones),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
