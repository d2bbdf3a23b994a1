// sources: kernel/lib/crc32.c
/* kernel/lib/crc32.c: the check value of the CRC-32/ISO-HDLC catalogue entry, the
 * slicing-by-8 loop against the plain bitwise definition at every length and alignment,
 * and a message fed in pieces equal to it fed at once. */
#include "host_test.h"

#include <string.h>

#include "kernel/lib/crc32.h"

static uint32_t bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int b = 0; b < 8; b++)
			c = c & 1u ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static void check_value(void **state)
{
	(void)state;
	assert_int_equal(crc32_ieee(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32_ieee(0, "", 0), 0);
}

static void against_bitwise(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(0x637263);
	uint8_t buf[300];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)host_rand(&s);
	for (size_t al = 0; al < 8; al++)
		for (size_t n = 0; n + al <= sizeof buf; n++)
			assert_int_equal(crc32_ieee(0, buf + al, n), bitwise(buf + al, n));
}

static void in_pieces(void **state)
{
	(void)state;
	uint64_t s = host_test_seed(9);
	uint8_t buf[1000];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)host_rand(&s);
	uint32_t whole = crc32_ieee(0, buf, sizeof buf);
	for (unsigned k = 0; k < 200; k++) {
		size_t a = host_rand(&s) % sizeof buf, b = a + host_rand(&s) % (sizeof buf - a);
		uint32_t c = crc32_ieee(0, buf, a);
		c = crc32_ieee(c, buf + a, b - a);
		assert_int_equal(crc32_ieee(c, buf + b, sizeof buf - b), whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(against_bitwise),
		cmocka_unit_test(in_pieces),
	};
	return cmocka_run_group_tests_name("crc32", tests, NULL, NULL);
}
