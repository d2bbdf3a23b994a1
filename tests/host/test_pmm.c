// sources: kernel/pmm.c
/* kernel/pmm.c, the physical page allocator: adding (freeing) with merges on either or
 * both sides, reserving (split, trim, across extents), top-down allocation with
 * alignment and a limit, exhaustion, refused double frees and unaligned or wrapping
 * ranges, a full extent table, the low limit, and a seeded random sequence checked page
 * by page against a bitmap model after every step. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/pmm.h"

#define PG PMM_PAGE
#define MiB (1024ull * 1024)

static struct pmm *p;

static int setup(void **state)
{
	(void)state;
	p = malloc(sizeof *p);
	if (!p)
		return -1;
	memset(p, 0xa5, sizeof *p); /* pmm_init must not rely on zeroed memory */
	pmm_init(p, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(p);
	return 0;
}

/* Extents sorted, disjoint, never adjacent (adjacent ones merge), page aligned, non-empty,
 * above the low limit, and free_pages their sum. */
static void check_invariants(void)
{
	uint64_t sum = 0;
	assert_true(p->count <= PMM_MAX_EXTENTS);
	for (unsigned i = 0; i < p->count; i++) {
		const struct pmm_extent *e = &p->ext[i];
		assert_int_equal(e->base % PG, 0);
		assert_true(e->pages > 0);
		assert_true(e->base >= p->low_limit);
		if (i)
			assert_true(p->ext[i - 1].base + p->ext[i - 1].pages * PG < e->base);
		sum += e->pages;
	}
	assert_int_equal(p->free_pages, sum);
}

/* The extent list is exactly the given (base, pages) pairs. */
static void expect_extents(unsigned n, const uint64_t *pairs)
{
	check_invariants();
	if (p->count != n) {
		for (unsigned i = 0; i < p->count; i++)
			printf("# extent %u: base 0x%llx pages %llu\n", i, (unsigned long long)p->ext[i].base,
			       (unsigned long long)p->ext[i].pages);
		fail_msg("%u extents, expected %u", p->count, n);
	}
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(p->ext[i].base, pairs[2 * i]);
		assert_int_equal(p->ext[i].pages, pairs[2 * i + 1]);
	}
}
#define EXPECT(...)                                                                                \
	do {                                                                                       \
		static const uint64_t pairs_[] = {__VA_ARGS__};                                    \
		expect_extents(sizeof pairs_ / sizeof pairs_[0] / 2, pairs_);                      \
	} while (0)
#define EXPECT_EMPTY() expect_extents(0, NULL)

static void starts_empty(void **state)
{
	(void)state;
	assert_int_equal(p->count, 0);
	assert_int_equal(p->free_pages, 0);
	assert_int_equal(pmm_alloc(p, 1, PG, 0), 0);
	EXPECT_EMPTY();
}

static void add_merges_with_neighbours(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 0x10000, 4), PMM_OK);
	EXPECT(0x10000, 4);
	assert_int_equal(pmm_add(p, 0x14000, 2), PMM_OK); /* touches the previous extent */
	EXPECT(0x10000, 6);
	assert_int_equal(pmm_add(p, 0x8000, 8), PMM_OK); /* touches the next extent */
	EXPECT(0x8000, 14);
	assert_int_equal(pmm_add(p, 0x40000, 1), PMM_OK); /* alone, after */
	assert_int_equal(pmm_add(p, 0x1000, 1), PMM_OK);  /* alone, before */
	assert_int_equal(pmm_add(p, 0x20000, 1), PMM_OK); /* alone, between */
	EXPECT(0x1000, 1, 0x8000, 14, 0x20000, 1, 0x40000, 1);
	assert_int_equal(pmm_add(p, 0x21000, 0x1f), PMM_OK); /* fills the gap: merges both sides */
	EXPECT(0x1000, 1, 0x8000, 14, 0x20000, 0x21);
	assert_int_equal(pmm_add(p, 0x2000, 6), PMM_OK); /* fills the gap exactly: three become one */
	EXPECT(0x1000, 21, 0x20000, 0x21);
	assert_int_equal(p->free_pages, 21 + 0x21);
	assert_int_equal(pmm_add(p, 0x90000, 0), PMM_OK); /* zero pages: nothing */
	EXPECT(0x1000, 21, 0x20000, 0x21);
}

static void add_refuses_overlap_and_bad_ranges(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 0x10000, 16), PMM_OK); /* [0x10000, 0x20000) */
	assert_int_equal(pmm_add(p, 0x30000, 16), PMM_OK); /* [0x30000, 0x40000) */
	static const uint64_t overlapping[][2] = {
		{0x10000, 16}, /* the same range: a double free */
		{0x10000, 1},  {0x1f000, 1}, {0x18000, 2}, /* inside */
		{0xf000, 2},   /* straddles the start */
		{0x1f000, 2},  /* straddles the end */
		{0x8000, 64},  /* contains it */
		{0x1f000, 18}, /* from inside one extent into the next */
		{0x2f000, 2},  /* straddles the start of the second */
		{0, 0x100},    /* covers both */
	};
	for (size_t i = 0; i < sizeof overlapping / sizeof overlapping[0]; i++) {
		int r = pmm_add(p, overlapping[i][0], overlapping[i][1]);
		if (r != PMM_EOVERLAP)
			fail_msg("pmm_add(0x%llx, %llu) = %d, expected PMM_EOVERLAP", (unsigned long long)overlapping[i][0],
				 (unsigned long long)overlapping[i][1], r);
		EXPECT(0x10000, 16, 0x30000, 16);
	}
	assert_int_equal(pmm_add(p, 0x20000, 16), PMM_OK); /* exactly between: fine */
	EXPECT(0x10000, 48);
	assert_int_equal(pmm_add(p, 0x50001, 1), PMM_EUNALIGNED);
	assert_int_equal(pmm_add(p, 0x50800, 1), PMM_EUNALIGNED);
	/* a range past the end of the address space is refused, however it overflows */
	assert_int_equal(pmm_add(p, UINT64_MAX - PG + 1, 1), PMM_EUNALIGNED);
	assert_int_equal(pmm_add(p, 0x100000, UINT64_MAX / PG), PMM_EUNALIGNED);
	assert_int_equal(pmm_add(p, 0x100000, 1ull << 52), PMM_EUNALIGNED);
	assert_int_equal(pmm_add(p, 0x100000, (1ull << 52) + 1), PMM_EUNALIGNED);
	assert_int_equal(pmm_add(p, 0, 1ull << 52), PMM_EUNALIGNED);
	EXPECT(0x10000, 48);
	/* the last page below 2^64 is a valid page */
	assert_int_equal(pmm_add(p, UINT64_MAX - 2 * PG + 1, 1), PMM_OK);
	check_invariants();
}

static void double_free_after_alloc(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 16 * MiB, 256), PMM_OK);
	uint64_t a = pmm_alloc(p, 8, PG, 0);
	assert_int_equal(a, 16 * MiB + 248 * PG);
	assert_int_equal(p->free_pages, 248);
	assert_int_equal(pmm_free(p, a, 8), PMM_OK);
	EXPECT(16 * MiB, 256);
	assert_int_equal(pmm_free(p, a, 8), PMM_EOVERLAP);
	assert_int_equal(pmm_free(p, a + 4 * PG, 1), PMM_EOVERLAP);
	EXPECT(16 * MiB, 256);
}

static void reserve_splits_trims_and_spans(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 0x100000, 0x100), PMM_OK); /* [1M, 2M) */
	assert_int_equal(pmm_reserve(p, 0x180000, 0x10), PMM_OK); /* middle: split */
	EXPECT(0x100000, 0x80, 0x190000, 0x70);
	assert_int_equal(pmm_reserve(p, 0x100000, 0x10), PMM_OK); /* front: trim */
	EXPECT(0x110000, 0x70, 0x190000, 0x70);
	assert_int_equal(pmm_reserve(p, 0x1f0000, 0x10), PMM_OK); /* back: trim */
	EXPECT(0x110000, 0x70, 0x190000, 0x60);
	assert_int_equal(pmm_reserve(p, 0x190000, 0x60), PMM_OK); /* exactly one extent: gone */
	EXPECT(0x110000, 0x70);
	assert_int_equal(pmm_reserve(p, 0x300000, 0x10), PMM_OK); /* nothing free there: no-op */
	assert_int_equal(pmm_reserve(p, 0x150000, 0), PMM_OK);
	EXPECT(0x110000, 0x70);
	assert_int_equal(pmm_reserve(p, 0x100001, 1), PMM_EUNALIGNED);

	/* across several extents: trims the first and last, removes the ones between */
	pmm_init(p, 0);
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(pmm_add(p, 0x100000 * (i + 1), 0x40), PMM_OK);
	assert_int_equal(pmm_reserve(p, 0x120000, (0x520000 - 0x120000) / PG), PMM_OK);
	EXPECT(0x100000, 0x20, 0x520000, 0x20, 0x600000, 0x40);
	/* covering everything */
	assert_int_equal(pmm_reserve(p, 0, 0x1000), PMM_OK);
	EXPECT_EMPTY();
	/* a reservation running off the top of the address space takes everything above base */
	assert_int_equal(pmm_add(p, 0x100000, 0x10), PMM_OK);
	assert_int_equal(pmm_add(p, 0x400000, 0x10), PMM_OK);
	assert_int_equal(pmm_reserve(p, 0x300000, UINT64_MAX / PG), PMM_OK);
	EXPECT(0x100000, 0x10);
}

static void alloc_top_down_aligned_limited(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 1 * MiB, (16 - 1) * MiB / PG), PMM_OK); /* [1M, 16M) */
	assert_int_equal(pmm_add(p, 32 * MiB, 32 * MiB / PG), PMM_OK);      /* [32M, 64M) */
	uint64_t total = p->free_pages;
	assert_int_equal(pmm_alloc(p, 1, PG, 0), 64 * MiB - PG); /* highest page first */
	assert_int_equal(pmm_alloc(p, 1, 2 * MiB, 0), 62 * MiB); /* highest 2 MiB boundary that fits */
	assert_int_equal(pmm_alloc(p, 2, 2 * MiB, 0), 60 * MiB);
	EXPECT(1 * MiB, (15 * MiB) / PG, 32 * MiB, 28 * MiB / PG, 60 * MiB + 2 * PG, (2 * MiB - 2 * PG) / PG,
	       62 * MiB + PG, (2 * MiB - 2 * PG) / PG);
	/* under a limit: 32-bit DMA style */
	assert_int_equal(pmm_alloc(p, 1, PG, 16 * MiB), 16 * MiB - PG);
	assert_int_equal(pmm_alloc(p, 4, PG, 40 * MiB + 0x800), 40 * MiB - 4 * PG); /* unaligned limit */
	assert_int_equal(pmm_alloc(p, 1, PG, 1 * MiB), 0);                          /* nothing below 1M */
	assert_int_equal(pmm_alloc(p, 1, PG, 1 * MiB + PG), 1 * MiB);
	/* too big for any one extent, though the total would do */
	assert_int_equal(pmm_alloc(p, 30 * MiB / PG, PG, 0), 0);
	/* alignment larger than any extent can satisfy */
	assert_int_equal(pmm_alloc(p, 1, 1ull << 40, 0), 0);
	/* bad requests */
	assert_int_equal(pmm_alloc(p, 0, PG, 0), 0);
	assert_int_equal(pmm_alloc(p, 1, 0, 0), 0);
	assert_int_equal(pmm_alloc(p, 1, PG / 2, 0), 0);
	assert_int_equal(pmm_alloc(p, 1, 3 * PG, 0), 0);
	assert_int_equal(pmm_alloc(p, 1ull << 52, PG, 0), 0); /* pages * 4096 overflows */
	assert_int_equal(pmm_alloc(p, UINT64_MAX, PG, 0), 0);
	check_invariants();
	assert_int_equal(p->free_pages, total - 1 - 1 - 2 - 1 - 4 - 1);
}

static void exhaustion_returns_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_add(p, 4 * MiB, 64), PMM_OK);
	assert_int_equal(pmm_add(p, 8 * MiB, 64), PMM_OK);
	uint64_t got[128];
	for (int i = 0; i < 128; i++) {
		got[i] = pmm_alloc(p, 1, PG, 0);
		assert_true(got[i] != 0);
		for (int j = 0; j < i; j++)
			assert_true(got[j] != got[i]);
	}
	assert_int_equal(p->free_pages, 0);
	EXPECT_EMPTY();
	assert_int_equal(pmm_alloc(p, 1, PG, 0), 0);
	/* give everything back in a scattered order: it merges back into the two extents */
	for (int i = 0; i < 128; i++)
		assert_int_equal(pmm_free(p, got[(i * 37) % 128], 1), PMM_OK);
	EXPECT(4 * MiB, 64, 8 * MiB, 64);
	assert_int_equal(pmm_alloc(p, 64, PG, 0), 8 * MiB);
	assert_int_equal(pmm_alloc(p, 64, PG, 0), 4 * MiB);
	assert_int_equal(pmm_alloc(p, 1, PG, 0), 0);
}

static void extent_table_full(void **state)
{
	(void)state;
	/* every other page: PMM_MAX_EXTENTS extents that cannot merge */
	for (uint64_t i = 0; i < PMM_MAX_EXTENTS; i++)
		assert_int_equal(pmm_add(p, 0x100000 + 2 * i * PG, 1), PMM_OK);
	assert_int_equal(p->count, PMM_MAX_EXTENTS);
	uint64_t top = 0x100000 + 2 * PMM_MAX_EXTENTS * PG;
	assert_int_equal(pmm_add(p, top + PG, 1), PMM_EFULL); /* one more: no room */
	assert_int_equal(pmm_add(p, 0x1000, 1), PMM_EFULL);
	assert_int_equal(p->free_pages, PMM_MAX_EXTENTS);
	check_invariants();
	/* merging needs no new slot: still fine when full */
	assert_int_equal(pmm_add(p, top - PG, 1), PMM_OK);       /* extends the last */
	assert_int_equal(pmm_add(p, 0x100000 + PG, 1), PMM_OK);  /* joins the first two */
	assert_int_equal(p->count, PMM_MAX_EXTENTS - 1);
	assert_int_equal(pmm_add(p, 0x1000, 1), PMM_OK);         /* the freed slot is usable */
	assert_int_equal(p->count, PMM_MAX_EXTENTS);
	/* reserving the middle of an extent needs a slot too */
	assert_int_equal(pmm_add(p, 0x100000 + 3 * PG, 1), PMM_OK); /* [0x100000, +5 pages) */
	assert_int_equal(p->count, PMM_MAX_EXTENTS - 1);
	assert_int_equal(pmm_add(p, 0x3000, 1), PMM_OK);
	assert_int_equal(p->count, PMM_MAX_EXTENTS);
	uint64_t before = p->free_pages;
	assert_int_equal(pmm_reserve(p, 0x100000 + 2 * PG, 1), PMM_EFULL);
	assert_int_equal(p->free_pages, before);
	check_invariants();
	/* an aligned allocation that would split an extent fails cleanly */
	assert_int_equal(pmm_alloc(p, 1, 2 * PG, 0x100000 + 4 * PG), 0);
	assert_int_equal(p->free_pages, before);
	check_invariants();
	assert_string_equal(pmm_strerror(PMM_EFULL), "too many free extents");
}

static void low_limit_clips(void **state)
{
	(void)state;
	pmm_init(p, 1 * MiB);
	assert_int_equal(pmm_add(p, 0, 1 * MiB / PG), PMM_OK); /* entirely below: ignored */
	EXPECT_EMPTY();
	assert_int_equal(pmm_add(p, 512 * 1024, 1 * MiB / PG), PMM_OK); /* straddles: clipped */
	EXPECT(1 * MiB, 512 * 1024 / PG);
	assert_int_equal(p->free_pages, 128);
	assert_int_equal(pmm_add(p, 1 * MiB - PG, 1), PMM_OK); /* just below, adjacent: still nothing */
	EXPECT(1 * MiB, 128);
	/* a double free straddling the limit is still a double free */
	assert_int_equal(pmm_add(p, 1 * MiB - PG, 2), PMM_EOVERLAP);
	for (int i = 0; i < 128; i++)
		assert_true(pmm_alloc(p, 1, PG, 0) >= 1 * MiB);
	assert_int_equal(pmm_alloc(p, 1, PG, 0), 0);
}

static void strerror_names_every_error(void **state)
{
	(void)state;
	assert_string_equal(pmm_strerror(PMM_OK), "ok");
	assert_string_equal(pmm_strerror(PMM_EUNALIGNED), "address not page aligned");
	assert_string_equal(pmm_strerror(PMM_EOVERLAP), "range overlaps free memory (double free)");
	assert_string_equal(pmm_strerror(PMM_EFULL), "too many free extents");
	assert_string_equal(pmm_strerror(PMM_ENOMEM), "out of memory");
	assert_string_equal(pmm_strerror(-99), "unknown error");
}

/* ---- random sequence against a bitmap model ------------------------------------- */

#define MODEL_PAGES 1536 /* at most 768 runs: the extent table never fills here */
#define MODEL_BASE (64 * MiB)
#define MODEL_LOW (MODEL_BASE + 40 * PG) /* the low limit cuts into the model's range */

static bool model[MODEL_PAGES];

static uint64_t addr_of(size_t page) { return MODEL_BASE + page * PG; }

/* The model's answer to pmm_alloc: the extents are the maximal free runs; take the
 * highest run where an aligned block fits below the limit, at its highest position. */
static uint64_t model_alloc(uint64_t pages, uint64_t align, uint64_t limit)
{
	size_t i = MODEL_PAGES;
	while (i > 0) {
		while (i > 0 && !model[i - 1])
			i--;
		size_t end = i;
		while (i > 0 && model[i - 1])
			i--;
		if (end == i)
			break;
		uint64_t base = addr_of(i), top = addr_of(end);
		if (limit && top > limit)
			top = limit;
		if (top < base + pages * PG)
			continue;
		uint64_t start = (top - pages * PG) & ~(align - 1);
		if (start < base)
			continue;
		return start;
	}
	return 0;
}

static void compare_with_model(const char *op, int step)
{
	check_invariants();
	uint64_t free_pages = 0;
	unsigned k = 0;
	for (size_t i = 0; i < MODEL_PAGES;) {
		if (!model[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < MODEL_PAGES && model[j])
			j++;
		if (k >= p->count || p->ext[k].base != addr_of(i) || p->ext[k].pages != j - i)
			fail_msg("step %d (%s): model run %u is [0x%llx, +%zu pages), allocator has %s", step, op, k,
				 (unsigned long long)addr_of(i), j - i, k >= p->count ? "no such extent" : "another");
		free_pages += j - i;
		k++;
		i = j;
	}
	if (k != p->count)
		fail_msg("step %d (%s): %u extents, model has %u runs", step, op, p->count, k);
	assert_int_equal(p->free_pages, free_pages);
}

static void random_sequence_matches_bitmap_model(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x706d6dull);
	pmm_init(p, MODEL_LOW);
	memset(model, 0, sizeof model);
	size_t low_page = (MODEL_LOW - MODEL_BASE) / PG;
	unsigned counts[4] = {0};
	for (int step = 0; step < 40000; step++) {
		unsigned op = (unsigned)(host_rand(&rng) % 10);
		size_t first = host_rand(&rng) % MODEL_PAGES;
		size_t n = host_rand(&rng) % 8 == 0 ? host_rand(&rng) % 300 : host_rand(&rng) % 12;
		if (first + n > MODEL_PAGES)
			n = MODEL_PAGES - first;
		if (op < 4) { /* add / free */
			bool overlap = false;
			for (size_t i = first; i < first + n; i++)
				overlap |= i >= low_page && model[i];
			bool unaligned = host_rand(&rng) % 50 == 0;
			int r = pmm_add(p, addr_of(first) + (unaligned ? 8 : 0), n);
			int want = unaligned ? PMM_EUNALIGNED : (n && overlap) ? PMM_EOVERLAP : PMM_OK;
			if (r != want)
				fail_msg("step %d: pmm_add(page %zu, %zu) = %d, model expects %d", step, first, n, r, want);
			if (r == PMM_OK)
				for (size_t i = first; i < first + n; i++)
					if (i >= low_page)
						model[i] = true;
			counts[r == PMM_OK ? 0 : 3]++;
			compare_with_model("add", step);
		} else if (op < 6) { /* reserve */
			assert_int_equal(pmm_reserve(p, addr_of(first), n), PMM_OK);
			for (size_t i = first; i < first + n; i++)
				model[i] = false;
			counts[1]++;
			compare_with_model("reserve", step);
		} else { /* alloc */
			uint64_t pages = 1 + host_rand(&rng) % (host_rand(&rng) % 4 ? 8 : 200);
			uint64_t align = PG << (host_rand(&rng) % 6);
			uint64_t limit = host_rand(&rng) % 3 ? 0 : addr_of(host_rand(&rng) % MODEL_PAGES) + host_rand(&rng) % PG;
			uint64_t want = model_alloc(pages, align, limit);
			uint64_t got = pmm_alloc(p, pages, align, limit);
			if (got != want)
				fail_msg("step %d: pmm_alloc(%llu pages, align 0x%llx, limit 0x%llx) = 0x%llx, model 0x%llx",
					 step, (unsigned long long)pages, (unsigned long long)align,
					 (unsigned long long)limit, (unsigned long long)got, (unsigned long long)want);
			if (got) {
				assert_int_equal(got % align, 0);
				assert_true(!limit || got + pages * PG <= limit);
				size_t first_page = (got - MODEL_BASE) / PG;
				for (size_t i = first_page; i < first_page + pages; i++) {
					assert_true(model[i]);
					model[i] = false;
				}
			}
			counts[2]++;
			compare_with_model("alloc", step);
		}
	}
	printf("# %u adds, %u reserves, %u allocs, %u refused adds; %u extents at the end\n", counts[0], counts[1],
	       counts[2], counts[3], p->count);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(starts_empty),
		T(add_merges_with_neighbours),
		T(add_refuses_overlap_and_bad_ranges),
		T(double_free_after_alloc),
		T(reserve_splits_trims_and_spans),
		T(alloc_top_down_aligned_limited),
		T(exhaustion_returns_zero),
		T(extent_table_full),
		T(low_limit_clips),
		T(strerror_names_every_error),
		T(random_sequence_matches_bitmap_model),
	};
	return cmocka_run_group_tests_name("pmm", tests, NULL, NULL);
}
