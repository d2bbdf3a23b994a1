// sources: drivers/accel/cb.c kernel/lib/fmt.c
/* drivers/accel/cb.c: the command-buffer packet encoders. Every encoder's exact bytes
 * against the layouts of drivers/accel/hw/kiln_packets.h (Gaudi's gaudi_packets.h: opcode in
 * ctl [28:24], EB 29, RB 30, MB 31), written here as literal numbers so a wrong mask or shift
 * in the header is caught too; sticky overflow at every capacity; REPEAT nesting, bad counts
 * and unclosed blocks refused; a random packet stream that parses back. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/accel/cb.h"

#define EB (1u << 29)
#define RB (1u << 30)
#define MB (1u << 31)
#define OP(x) ((uint32_t)(x) << 24)

/* Encoders write into an exact-size heap buffer: one byte too many is an ASan report. */
struct buf {
	uint8_t *p;
	struct cb c;
};

static void buf_new(struct buf *b, uint32_t cap)
{
	b->p = malloc(cap ? cap : 1);
	assert_non_null(b->p);
	memset(b->p, 0xee, cap ? cap : 1);
	cb_init(&b->c, b->p, cap);
}

static void buf_free(struct buf *b) { free(b->p); }

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Expect the CB to hold exactly these 32-bit words (little endian). */
static void expect_words(const struct buf *b, const uint32_t *w, unsigned n)
{
	assert_true(cb_ok(&b->c));
	assert_int_equal(cb_len(&b->c), 4 * n);
	for (unsigned i = 0; i < n; i++) {
		if (rd32(b->p + 4 * i) != w[i])
			printf("# word %u: got 0x%08x expected 0x%08x\n", i, rd32(b->p + 4 * i), w[i]);
		assert_int_equal(rd32(b->p + 4 * i), w[i]);
	}
}

#define EXPECT(b, ...)                                                                                         \
	do {                                                                                                   \
		const uint32_t w_[] = {__VA_ARGS__};                                                            \
		expect_words((b), w_, sizeof w_ / sizeof w_[0]);                                                \
	} while (0)

#define LO(x) ((uint32_t)(uint64_t)(x))
#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))

static void short_packets(void **state)
{
	(void)state;
	struct buf b;
	buf_new(&b, 8);
	cb_nop(&b.c, 0);
	EXPECT(&b, 0, OP(0xa));
	buf_free(&b);

	buf_new(&b, 8);
	cb_nop(&b.c, CB_EB | CB_RB | CB_MB);
	EXPECT(&b, 0, OP(0xa) | EB | RB | MB);
	buf_free(&b);

	buf_new(&b, 8);
	cb_stop(&b.c);
	EXPECT(&b, 0, OP(0xb));
	buf_free(&b);

	buf_new(&b, 8);
	cb_arb_point(&b.c);
	EXPECT(&b, 0, OP(0xc));
	buf_free(&b);

	buf_new(&b, 8);
	cb_raw(&b.c, 0x12345678, 0x9abcdef0);
	EXPECT(&b, 0x12345678, 0x9abcdef0);
	buf_free(&b);
}

static void wreg(void **state)
{
	(void)state;
	struct buf b;
	buf_new(&b, 8);
	cb_wreg32(&b.c, 0x124, 0xdeadbeef, CB_RB);
	EXPECT(&b, 0xdeadbeef, OP(0x1) | RB | 0x124);
	buf_free(&b);

	/* the register field is 16 bits: higher bits never reach the opcode */
	buf_new(&b, 8);
	cb_wreg32(&b.c, 0x1fffc, 1, 0);
	EXPECT(&b, 1, OP(0x1) | 0xfffc);
	buf_free(&b);

	const uint64_t v[3] = {0x1111111122222222ull, 0x3333333344444444ull, 0x5555555566666666ull};
	buf_new(&b, 8 + 8 * 3);
	cb_wreg_bulk(&b.c, 0x90, v, 3);
	EXPECT(&b, 3, OP(0x2) | 0x90, 0x22222222, 0x11111111, 0x44444444, 0x33333333, 0x66666666, 0x55555555);
	buf_free(&b);
}

static void messages(void **state)
{
	(void)state;
	struct buf b;
	const uint64_t addr = 0x0030000000008004ull;
	buf_new(&b, 16);
	cb_msg_long(&b.c, addr, 0xcafef00d, CB_MB);
	EXPECT(&b, 0xcafef00d, OP(0x3) | MB, LO(addr), HI(addr));
	buf_free(&b);

	buf_new(&b, 16);
	cb_msg_long_timestamp(&b.c, 0x1000);
	EXPECT(&b, 0, OP(0x3) | (1u << 20), 0x1000, 0);
	buf_free(&b);

	buf_new(&b, 16);
	cb_msg_prot(&b.c, 0xfedcba9876ull, 7);
	EXPECT(&b, 7, OP(0x7), 0xdcba9876, 0xfe);
	buf_free(&b);

	/* MSG_SHORT: addr [15:0], base [23:22] */
	buf_new(&b, 8);
	cb_msg_short(&b.c, 1, 0x0054, 0x80000001, CB_EB);
	EXPECT(&b, 0x80000001, OP(0x4) | EB | (1u << 22) | 0x54);
	buf_free(&b);
	buf_new(&b, 8);
	cb_msg_short(&b.c, 3, 0xfffc, 5, 0);
	EXPECT(&b, 5, OP(0x4) | (3u << 22) | 0xfffc);
	buf_free(&b);
}

static void sob_and_monitor_values(void **state)
{
	(void)state;
	assert_int_equal(cb_sob_value_set(0), 0);
	assert_int_equal(cb_sob_value_set(0x7fff), 0x7fff);
	assert_int_equal(cb_sob_value_set(0x8001), 0x0001); /* 15 bits */
	assert_int_equal(cb_sob_value_add(1), 0x80000001u);
	assert_int_equal(cb_sob_value_add(0x7fff), 0x80007fffu);
	/* gid [7:0], mask [15:8], mode 16, target [31:17] */
	assert_int_equal(cb_mon_arm_value(3, 0xfe, 0, 1), 3u | 0xfe00u | (1u << 17));
	assert_int_equal(cb_mon_arm_value(31, 0, 1, 0x7fff), 31u | (1u << 16) | (0x7fffu << 17));
	assert_int_equal(cb_mon_arm_value(0, 0, 0, 0x8000), 0); /* the target is 15 bits */
}

static void dma_packets(void **state)
{
	(void)state;
	struct buf b;
	const uint64_t src = 0x0000001234567000ull, dst = 0x0010000000001000ull;
	buf_new(&b, 24);
	cb_lin_dma(&b.c, src, dst, 0x100000, false, 0);
	EXPECT(&b, 0x100000, OP(0x9) | (1u << 3), LO(src), HI(src), LO(dst), HI(dst));
	buf_free(&b);

	/* wrcomp bit 0; the destination is 56 bits */
	buf_new(&b, 24);
	cb_lin_dma(&b.c, src, 0xff20000000000040ull, 1, true, CB_MB);
	EXPECT(&b, 1, OP(0x9) | MB | (1u << 3) | 1u, LO(src), HI(src), 0x40, 0x00200000);
	buf_free(&b);

	/* memset: bit 4, the pattern in the source field */
	buf_new(&b, 24);
	cb_memset(&b.c, dst, 0xa5a5a5a55a5a5a5aull, 4096, false);
	EXPECT(&b, 4096, OP(0x9) | (1u << 3) | (1u << 4), 0x5a5a5a5a, 0xa5a5a5a5, LO(dst), HI(dst));
	buf_free(&b);

	buf_new(&b, 16);
	cb_cp_dma(&b.c, 0x1fece000, 48);
	EXPECT(&b, 48, OP(0x5), 0x1fece000, 0);
	buf_free(&b);

	buf_new(&b, 16);
	cb_load_and_exe(&b.c, 0x2000, 1);
	EXPECT(&b, 1, OP(0xf), 0x2000, 0);
	buf_free(&b);
	buf_new(&b, 16);
	cb_load_and_exe(&b.c, 0x2000, 0);
	EXPECT(&b, 0, OP(0xf), 0x2000, 0);
	buf_free(&b);
}

static void fence_wait_repeat(void **state)
{
	(void)state;
	struct buf b;
	/* FENCE: dec [3:0], target [23:16], id [31:30]; ctl pred [4:0] */
	buf_new(&b, 8);
	cb_fence(&b.c, 2, 0x80, 3, 5);
	EXPECT(&b, 3u | (0x80u << 16) | (2u << 30), OP(0x8) | 5);
	buf_free(&b);
	buf_new(&b, 8);
	cb_fence(&b.c, 3, 0xff, 0xf, 31);
	EXPECT(&b, 0xfu | (0xffu << 16) | (3u << 30), OP(0x8) | 31);
	buf_free(&b);

	/* WAIT: cycles [23:0], inc [27:24], id [31:30] */
	buf_new(&b, 8);
	cb_wait(&b.c, 200000, 1, 2);
	EXPECT(&b, 200000u | (1u << 24) | (2u << 30), OP(0xd));
	buf_free(&b);

	/* REPEAT: START count [15:0], END bit 31 */
	buf_new(&b, 24);
	cb_repeat_start(&b.c, 99);
	cb_nop(&b.c, 0);
	cb_repeat_end(&b.c);
	EXPECT(&b, 99, OP(0x6), 0, OP(0xa), 0x80000000u, OP(0x6));
	buf_free(&b);
}

/* Overflow is sticky: once a packet did not fit nothing more is written, even a packet that
 * would; the length stays at what fitted. At every capacity from 0 to the whole stream. */
static void overflow_sticky(void **state)
{
	(void)state;
	const uint32_t full = 8 + 16 + 24 + 8; /* NOP, MSG_LONG, LIN_DMA, NOP */
	for (uint32_t cap = 0; cap <= full; cap++) {
		struct buf b;
		buf_new(&b, cap);
		uint32_t fit = 0;
		cb_nop(&b.c, 0);
		fit += cap >= 8 ? 8 : 0;
		cb_msg_long(&b.c, 0x1000, 1, 0);
		fit += (fit == 8 && cap >= 24) ? 16 : 0;
		cb_lin_dma(&b.c, 0x1000, 0x2000, 64, false, 0);
		fit += (fit == 24 && cap >= 48) ? 24 : 0;
		cb_nop(&b.c, 0);
		fit += (fit == 48 && cap >= 56) ? 8 : 0;
		assert_int_equal(cb_len(&b.c), fit);
		assert_int_equal(cb_ok(&b.c), cap >= full);
		/* a packet small enough for what is left is still refused after an overflow */
		if (!cb_ok(&b.c)) {
			uint32_t before = cb_len(&b.c);
			cb_raw(&b.c, 1, 2);
			assert_int_equal(cb_len(&b.c), before);
			assert_false(cb_ok(&b.c));
		}
		buf_free(&b);
	}
	/* WREG_BULK that does not fit: header may fit but the values do not */
	struct buf b;
	uint64_t v[4] = {1, 2, 3, 4};
	buf_new(&b, 8 + 8 * 3);
	cb_wreg_bulk(&b.c, 0x90, v, 4);
	assert_false(cb_ok(&b.c));
	assert_true(cb_len(&b.c) <= 8 + 8 * 3);
	buf_free(&b);
}

static void repeat_refused(void **state)
{
	(void)state;
	struct buf b;
	/* nesting */
	buf_new(&b, 64);
	cb_repeat_start(&b.c, 2);
	cb_repeat_start(&b.c, 2);
	assert_false(cb_ok(&b.c));
	assert_int_equal(cb_len(&b.c), 8); /* the inner START was not written */
	cb_repeat_end(&b.c);
	assert_false(cb_ok(&b.c)); /* and the overflow stays */
	buf_free(&b);
	/* END without START */
	buf_new(&b, 64);
	cb_repeat_end(&b.c);
	assert_false(cb_ok(&b.c));
	assert_int_equal(cb_len(&b.c), 0);
	buf_free(&b);
	/* counts: 0 and above 16 bits refused, 65535 accepted */
	buf_new(&b, 64);
	cb_repeat_start(&b.c, 0);
	assert_false(cb_ok(&b.c));
	buf_free(&b);
	buf_new(&b, 64);
	cb_repeat_start(&b.c, 0x10000);
	assert_false(cb_ok(&b.c));
	buf_free(&b);
	buf_new(&b, 64);
	cb_repeat_start(&b.c, 0xffff);
	assert_false(cb_ok(&b.c)); /* open block: not a finished CB yet */
	cb_repeat_end(&b.c);
	assert_true(cb_ok(&b.c));
	/* a second block after the first closed is fine */
	cb_repeat_start(&b.c, 3);
	cb_nop(&b.c, 0);
	cb_repeat_end(&b.c);
	assert_true(cb_ok(&b.c));
	assert_int_equal(cb_len(&b.c), 8 * 5);
	buf_free(&b);
}

/* A random stream of packets: the length is the sum of the sizes and walking it by the
 * opcode of each header finds every packet where it was put. */
static void random_stream(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x6b696c6e6362ull);
	static const uint32_t sizes[16] = {[0x1] = 8, [0x3] = 16, [0x4] = 8, [0x5] = 16, [0x7] = 16, [0x8] = 8,
					   [0x9] = 24, [0xa] = 8, [0xb] = 8, [0xc] = 8, [0xd] = 8, [0xf] = 16};
	for (int round = 0; round < 200; round++) {
		struct buf b;
		uint32_t cap = 4096;
		buf_new(&b, cap);
		uint8_t ops[512];
		unsigned n = 0;
		uint32_t len = 0;
		for (;;) {
			static const uint8_t choice[] = {0x1, 0x3, 0x4, 0x5, 0x7, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xf};
			uint8_t op = choice[host_rand(&rng) % sizeof choice];
			if (len + sizes[op] > cap)
				break;
			uint64_t r = host_rand(&rng);
			switch (op) {
			case 0x1: cb_wreg32(&b.c, (uint32_t)r & 0xffc, (uint32_t)(r >> 32), 0); break;
			case 0x3: cb_msg_long(&b.c, r >> 8, (uint32_t)r, 0); break;
			case 0x4: cb_msg_short(&b.c, (unsigned)r & 3, (uint32_t)(r >> 8) & 0xffff, (uint32_t)(r >> 32), 0); break;
			case 0x5: cb_cp_dma(&b.c, r >> 16, 8); break;
			case 0x7: cb_msg_prot(&b.c, r >> 20, (uint32_t)r); break;
			case 0x8: cb_fence(&b.c, (unsigned)r & 3, (uint32_t)(r >> 8) & 0xff, (uint32_t)(r >> 16) & 0xf, 0); break;
			case 0x9: cb_lin_dma(&b.c, r >> 8, r >> 12, (uint32_t)r, false, 0); break;
			case 0xa: cb_nop(&b.c, 0); break;
			case 0xb: cb_stop(&b.c); break;
			case 0xc: cb_arb_point(&b.c); break;
			case 0xd: cb_wait(&b.c, (uint32_t)r & 0xffffff, 1, 0); break;
			case 0xf: cb_load_and_exe(&b.c, r >> 8, (unsigned)r & 1); break;
			}
			ops[n++] = op;
			len += sizes[op];
			if (n == sizeof ops)
				break;
		}
		assert_true(cb_ok(&b.c));
		assert_int_equal(cb_len(&b.c), len);
		uint32_t off = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t hdr = rd64(b.p + off);
			uint32_t op = (uint32_t)((hdr >> 56) & 0x1f);
			if (op != ops[i])
				printf("# round %d packet %u at %u: opcode 0x%x, expected 0x%x\n", round, i, off, op, ops[i]);
			assert_int_equal(op, ops[i]);
			off += sizes[op];
		}
		assert_int_equal(off, len);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_packets),    cmocka_unit_test(wreg),
		cmocka_unit_test(messages),         cmocka_unit_test(sob_and_monitor_values),
		cmocka_unit_test(dma_packets),      cmocka_unit_test(fence_wait_repeat),
		cmocka_unit_test(overflow_sticky),  cmocka_unit_test(repeat_refused),
		cmocka_unit_test(random_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
