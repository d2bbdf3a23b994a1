// sources: net/l2frame.c kernel/lib/crc32.c kernel/lib/pattern.c
/* net/l2frame.c: frames built at every length from the smallest to a jumbo parse back
 * intact with their fields, and a single flipped bit anywhere in a frame (headers, key,
 * pattern, the last byte) makes it fail its check (or, in the ethertype, not be a Kiln
 * frame at all): the word-wise payload compare is as strict as the CRC it replaced. */
#include "host_test.h"

#include <string.h>

#include "net/l2frame.h"
#include "net/port.h"

#define JUMBO (NET_MTU_MAX + NET_ETH_HDR)

static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 1}, src[6] = {0x02, 0, 0, 0, 0, 2};
static _Alignas(8) uint8_t buf[JUMBO + 8];

static void fields_round_trip(void **state)
{
	(void)state;
	for (size_t len = NET_L2_MIN_FRAME; len <= JUMBO; len += len < 200 ? 1 : 97) {
		for (unsigned shift = 0; shift < 8; shift += 3) { /* the frame at several alignments */
			uint8_t *f = buf + shift;
			net_l2_build(f, len, dst, src, NET_L2_DATA, (uint32_t)len * 7u, 0x00010203u, 42u, 0x1234567890abcdefull);
			struct net_l2_info info;
			bool ok = false;
			assert_true(net_l2_parse(f, len, &info, &ok));
			assert_true(ok);
			assert_int_equal(info.kind, NET_L2_DATA);
			assert_int_equal(info.seq, (uint32_t)len * 7u);
			assert_int_equal(info.sender, 0x00010203u);
			assert_int_equal(info.aux, 42u);
			assert_int_equal(info.len, len);
			/* one byte short: the length in the header no longer matches */
			if (len > NET_L2_MIN_FRAME) {
				assert_true(net_l2_parse(f, len - 1, &info, &ok));
				assert_false(ok);
			}
		}
	}
}

/* Two frames that differ only in sequence carry different payloads (a payload delivered
 * under the wrong header fails). */
static void payload_follows_header(void **state)
{
	(void)state;
	static _Alignas(8) uint8_t a[1514], b[1514];
	net_l2_build(a, sizeof a, dst, src, NET_L2_DATA, 1, 5, 0, 99);
	net_l2_build(b, sizeof b, dst, src, NET_L2_DATA, 2, 5, 0, 99);
	size_t pay = NET_L2_MIN_FRAME + 8;
	assert_memory_not_equal(a + pay, b + pay, sizeof a - pay);
	memcpy(b + pay, a + pay, sizeof a - pay); /* b's header, a's payload */
	struct net_l2_info info;
	bool ok = true;
	assert_true(net_l2_parse(b, sizeof b, &info, &ok));
	assert_false(ok);
}

static void every_single_bit_flip_fails(void **state)
{
	(void)state;
	static const size_t lens[] = {NET_ETH_MIN_FRAME, NET_L2_MIN_FRAME, NET_L2_MIN_FRAME + 7, NET_L2_MIN_FRAME + 8,
				      NET_L2_MIN_FRAME + 9, 61, 127, 1514};
	uint64_t rs = host_test_seed(0x5eed);
	for (unsigned z = 0; z < sizeof lens / sizeof lens[0]; z++) {
		size_t len = lens[z];
		net_l2_build(buf, len, dst, src, NET_L2_DATA, (uint32_t)host_rand(&rs), (uint32_t)host_rand(&rs), 3,
			     host_rand(&rs));
		for (size_t at = 0; at < len; at++)
			for (unsigned bit = 0; bit < 8; bit++) {
				buf[at] ^= (uint8_t)(1u << bit);
				struct net_l2_info info;
				bool ok = true;
				bool ours = net_l2_parse(buf, len, &info, &ok);
				if (at == NET_ETH_TYPE_OFF || at == NET_ETH_TYPE_OFF + 1)
					assert_true(!ours || !ok);
				else if (!ours || ok)
					fail_msg("len %zu: bit %u of byte %zu flipped and the frame still passes", len, bit, at);
				buf[at] ^= (uint8_t)(1u << bit);
			}
		struct net_l2_info info;
		bool ok = false;
		assert_true(net_l2_parse(buf, len, &info, &ok));
		assert_true(ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_round_trip),
		cmocka_unit_test(payload_follows_header),
		cmocka_unit_test(every_single_bit_flip_fails),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
