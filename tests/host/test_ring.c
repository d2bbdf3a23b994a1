// sources:
/* drivers/accel/hw/kiln_ring.h (header only, nothing to link): the ring index arithmetic the
 * driver and the model share. Every power-of-two ring size the device accepts (1..4096
 * entries; the device's own minimums are 2 and 4) is walked through several full wraps
 * against a reference built on unbounded 64-bit counters: slot, next, used, full, the
 * doorbell range and overrun checks of PQ-style rings, and next/full of plain rings. */
#include "host_test.h"

#include "drivers/accel/hw/kiln_bits.h"
#include "drivers/accel/hw/kiln_ring.h"

#define MAX_ENTRIES 4096u

/* A producer/consumer pair driven by a seeded schedule; the reference is two 64-bit counters. */
static void walk_pq(uint32_t entries, uint64_t *rng)
{
	uint64_t prod = 0, cons = 0;
	uint32_t pi = 0, ci = 0;
	uint64_t steps = 6ull * entries + 64;

	assert_int_equal(kiln_ring_span(entries), 2 * entries);
	for (uint64_t k = 0; k < steps; k++) {
		assert_int_equal(pi, prod % (2ull * entries));
		assert_int_equal(ci, cons % (2ull * entries));
		assert_int_equal(kiln_ring_slot(pi, entries), prod % entries);
		assert_int_equal(kiln_ring_slot(ci, entries), cons % entries);
		assert_int_equal(kiln_ring_used(pi, ci, entries), prod - cons);
		assert_int_equal(kiln_ring_full(pi, ci, entries), prod - cons == entries);
		assert_true(kiln_ring_pi_in_range(pi, entries));
		assert_true(kiln_ring_pi_no_overrun(pi, ci, entries));
		/* produce when not full, consume when not empty; bias so the ring fills and drains */
		int produce = prod - cons < entries && (prod == cons || (host_rand(rng) & 3) != 0 || k % (4 * entries) < 2 * entries);
		if (produce) {
			pi = kiln_ring_next(pi, entries);
			prod++;
		} else {
			ci = kiln_ring_next(ci, entries);
			cons++;
		}
	}
}

/* Every doorbell value against one consumer position: in range iff < 2 * entries, accepted iff
 * at most entries ahead of ci (mod 2 * entries). */
static void doorbells(uint32_t entries, uint32_t ci)
{
	uint32_t span = 2 * entries;
	for (uint32_t pi = 0; pi < span + 3; pi++) {
		assert_int_equal(kiln_ring_pi_in_range(pi, entries), pi < span);
		if (pi >= span)
			continue;
		uint32_t ahead = (pi + span - ci) % span;
		assert_int_equal(kiln_ring_pi_no_overrun(pi, ci, entries), ahead <= entries);
		assert_int_equal(kiln_ring_used(pi, ci, entries), ahead);
	}
}

static void walk_plain(uint32_t entries)
{
	uint32_t idx = 0;
	for (uint64_t k = 0; k < 3ull * entries + 5; k++) {
		assert_int_equal(idx, k % entries);
		uint32_t next = kiln_cring_next(idx, entries);
		assert_int_equal(next, (k + 1) % entries);
		/* one slot kept free: full exactly when the consumer sits at the next slot */
		for (uint32_t back = 0; back < 3 && back < entries; back++) {
			uint32_t ci = (next + back) % entries;
			assert_int_equal(kiln_cring_full(idx, ci, entries), back == 0);
			/* the consumer may have written any value: only its slot counts */
			assert_int_equal(kiln_cring_full(idx, ci + entries, entries), back == 0);
		}
		idx = next;
	}
}

static void test_pq_rings_every_size(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x52494e47);
	for (uint32_t n = 1; n <= MAX_ENTRIES; n <<= 1) {
		assert_true(KILN_IS_POW2(n));
		walk_pq(n, &rng);
	}
}

static void test_doorbells_every_size(void **state)
{
	(void)state;
	for (uint32_t n = 1; n <= MAX_ENTRIES; n <<= 1) {
		uint32_t cis[] = { 0, 1, n - 1, n, n + 1, 2 * n - 1 };
		for (unsigned i = 0; i < sizeof(cis) / sizeof(cis[0]); i++)
			if (cis[i] < 2 * n)
				doorbells(n, cis[i]);
	}
}

static void test_plain_rings_every_size(void **state)
{
	(void)state;
	for (uint32_t n = 1; n <= MAX_ENTRIES; n <<= 1)
		walk_plain(n);
}

/* The indices the device and driver exchange are 32-bit: the arithmetic must not depend on
 * the host's wider types (the subtraction pi - ci wraps below zero). */
static void test_used_when_pi_below_ci(void **state)
{
	(void)state;
	assert_int_equal(kiln_ring_used(0, 4095, 4096), 8192 - 4095);
	assert_int_equal(kiln_ring_used(1, 8191, 4096), 2);
	assert_int_equal(kiln_ring_used(0, 2, 2), 2);
	assert_true(kiln_ring_full(0, 2, 2));
	assert_int_equal(kiln_ring_next(8191, 4096), 0);
	assert_int_equal(kiln_ring_next(3, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pq_rings_every_size),
		cmocka_unit_test(test_doorbells_every_size),
		cmocka_unit_test(test_plain_rings_every_size),
		cmocka_unit_test(test_used_when_pi_below_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
