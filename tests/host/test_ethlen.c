// sources: net/ethlen.c
/* net/ethlen.c: the RX frame length the NIC driver recovers from a frame's own headers
 * (the accelerator's RX ring reports none). Every ethertype it knows, VLAN and QinQ tags,
 * truncation and inconsistent headers, and a seeded fuzz in exact-size buffers so ASan
 * proves it never reads past what it was given. */
#include "host_test.h"

#include <stdlib.h>
#include <string.h>

#include "net/ethlen.h"
#include "net/l2frame.h"

static size_t eth(uint8_t *b, uint16_t type)
{
	memset(b, 0, 14);
	memset(b, 0xff, 6);
	b[6] = 0x52;
	b[12] = (uint8_t)(type >> 8);
	b[13] = (uint8_t)type;
	return 14;
}

static size_t vlan(uint8_t *b, size_t off, uint16_t tpid, uint16_t inner)
{
	/* the tag replaces the ethertype field: TPID at 12 (or the previous tag's type), TCI, then inner */
	b[off - 2] = (uint8_t)(tpid >> 8);
	b[off - 1] = (uint8_t)tpid;
	b[off] = 0;
	b[off + 1] = 5; /* TCI: VLAN 5 */
	b[off + 2] = (uint8_t)(inner >> 8);
	b[off + 3] = (uint8_t)inner;
	return off + 4;
}

static size_t ipv4(uint8_t *b, size_t off, uint16_t total)
{
	b[off] = 0x45;
	b[off + 2] = (uint8_t)(total >> 8);
	b[off + 3] = (uint8_t)total;
	return off;
}

/* Run the parser on exactly `avail` bytes of a heap copy, so ASan sees any over-read. */
static long len_of(const uint8_t *frame, size_t avail)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	assert_non_null(copy);
	memcpy(copy, frame, avail);
	long r = net_eth_frame_len(copy, avail);
	free(copy);
	return r;
}

static void ipv4_lengths(void **state)
{
	(void)state;
	uint8_t b[2048] = {0};
	size_t off = eth(b, 0x0800);
	ipv4(b, off, 20);
	assert_int_equal(len_of(b, 60), 34); /* a minimum frame is padded: the header says 34 */
	ipv4(b, off, 1500);
	assert_int_equal(len_of(b, 1514), 1514);
	assert_int_equal(len_of(b, 1513), NET_ETHLEN_MALFORMED); /* claims more than the buffer */
	ipv4(b, off, 19);
	assert_int_equal(len_of(b, 60), NET_ETHLEN_MALFORMED); /* shorter than its own header */
	b[off] = 0x4f; /* IHL 15: 60-byte header */
	b[off + 2] = 0, b[off + 3] = 40;
	assert_int_equal(len_of(b, 200), NET_ETHLEN_MALFORMED);
	b[off] = 0x65; /* version 6 under the IPv4 ethertype */
	b[off + 3] = 40;
	assert_int_equal(len_of(b, 200), NET_ETHLEN_MALFORMED);
	assert_int_equal(len_of(b, 20), NET_ETHLEN_MALFORMED); /* no room for the IPv4 header */
}

static void ipv6_arp_8023_l2(void **state)
{
	(void)state;
	uint8_t b[2048] = {0};
	size_t off = eth(b, 0x86dd);
	b[off] = 0x60;
	b[off + 4] = 0x01, b[off + 5] = 0x00; /* payload 256 */
	assert_int_equal(len_of(b, 1000), 14 + 40 + 256);
	b[off] = 0x40;
	assert_int_equal(len_of(b, 1000), NET_ETHLEN_MALFORMED);

	off = eth(b, 0x0806);
	b[off + 4] = 6, b[off + 5] = 4; /* Ethernet/IPv4 ARP: 28 bytes */
	assert_int_equal(len_of(b, 60), 14 + 28);
	assert_int_equal(len_of(b, 20), NET_ETHLEN_MALFORMED);

	eth(b, 46); /* 802.3 length field */
	assert_int_equal(len_of(b, 60), 60);
	eth(b, 1500);
	assert_int_equal(len_of(b, 1514), 1514);
	assert_int_equal(len_of(b, 100), NET_ETHLEN_MALFORMED);

	off = eth(b, NET_L2_ETHERTYPE); /* Kiln's test frames carry their length first */
	b[off] = 0x02, b[off + 1] = 0x00;
	assert_int_equal(len_of(b, 1024), 512);
	b[off] = 0, b[off + 1] = 10;
	assert_int_equal(len_of(b, 1024), NET_ETHLEN_MALFORMED);

	eth(b, 0x88cc); /* LLDP: no length in its headers */
	assert_int_equal(len_of(b, 60), NET_ETHLEN_UNKNOWN);
	assert_int_equal(len_of(b, 13), NET_ETHLEN_MALFORMED);
}

static void vlan_tags(void **state)
{
	(void)state;
	uint8_t b[2048] = {0};
	eth(b, 0);
	size_t off = vlan(b, 14, 0x8100, 0x0800);
	ipv4(b, off, 100);
	assert_int_equal(len_of(b, 200), 18 + 100);
	/* QinQ: 802.1ad outer, 802.1Q inner */
	eth(b, 0);
	off = vlan(b, 14, 0x88a8, 0x8100);
	off = vlan(b, off, 0x8100, 0x0800);
	ipv4(b, off, 100);
	assert_int_equal(len_of(b, 200), 22 + 100);
	/* three tags is more than any port here carries */
	eth(b, 0);
	off = vlan(b, 14, 0x88a8, 0x8100);
	off = vlan(b, off, 0x8100, 0x8100);
	off = vlan(b, off, 0x8100, 0x0800);
	ipv4(b, off, 100);
	assert_int_equal(len_of(b, 300), NET_ETHLEN_MALFORMED);
	/* a tag cut off by the end of the buffer */
	eth(b, 0x8100);
	assert_int_equal(len_of(b, 16), NET_ETHLEN_MALFORMED);
}

static void fuzz_never_overreads(void **state)
{
	(void)state;
	uint64_t seed = host_test_seed(0x6574686c656eull);
	static const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100, NET_L2_ETHERTYPE, 0x05dc, 0x0040, 0x1234};
	for (int i = 0; i < 200000; i++) {
		uint8_t b[128];
		size_t avail = host_rand(&seed) % sizeof b;
		for (size_t k = 0; k < sizeof b; k++)
			b[k] = (uint8_t)host_rand(&seed);
		if (avail >= 14 && host_rand(&seed) % 2) {
			uint16_t t = types[host_rand(&seed) % (sizeof types / sizeof types[0])];
			b[12] = (uint8_t)(t >> 8), b[13] = (uint8_t)t;
		}
		long r = len_of(b, avail);
		if (r >= 0 && (r < 14 || (size_t)r > avail))
			fail_msg("length %ld outside 14..%zu", r, avail);
		if (r < 0 && r != NET_ETHLEN_UNKNOWN && r != NET_ETHLEN_MALFORMED)
			fail_msg("unknown error %ld", r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_lengths),
		cmocka_unit_test(ipv6_arp_8023_l2),
		cmocka_unit_test(vlan_tags),
		cmocka_unit_test(fuzz_never_overreads),
	};
	return cmocka_run_group_tests_name("ethlen", tests, NULL, NULL);
}
