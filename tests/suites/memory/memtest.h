/* memtest86+-class host memory algorithms (memtest86+ 6.x: its tests/ folder and the test
 * list in its README), on 64-bit words over a list of ranges. Pure and freestanding: the
 * suite runs them on every CPU over all free RAM, the host test on a malloc'd buffer with
 * an injected bit flip. Every error is counted; the first few are kept with address,
 * expected and actual values for a memtest86+-style report. */
#ifndef KILN_MEMTEST_H
#define KILN_MEMTEST_H

#include <stdint.h>

#define MT_ERR_KEEP 8
#define MT_MAX_RANGES 64

struct mt_range {
	uint64_t *base;     /* 8-byte aligned */
	uint64_t words;
};

struct mt_err {
	uint64_t addr;      /* physical (identity-mapped in the kernel) */
	uint64_t expected, actual;
};

struct mt_run;
/* Called between a pass that writes and the pass that checks (fault injection). */
typedef void (*mt_hook_fn)(struct mt_run *r);

struct mt_run {
	struct mt_range ranges[MT_MAX_RANGES];
	unsigned nranges;
	uint64_t seed;
	mt_hook_fn after_write;  /* NULL normally */
	void *hook_ctx;
	/* results */
	uint64_t errors;
	struct mt_err first[MT_ERR_KEEP];
	unsigned kept;
	uint64_t bytes;          /* bytes written plus bytes checked */
};

enum mt_test {
	MT_OWN_ADDRESS,      /* memtest86+ test 2/3: each word holds its own address, then its complement */
	MT_INV_ONES_ZEROS,   /* test 3: moving inversions, all ones and all zeros */
	MT_INV_WALK8,        /* test 4: moving inversions, 8-bit walking ones/zeros */
	MT_INV_RANDOM,       /* test 5: moving inversions, a random pattern */
	MT_BLOCK_MOVE,       /* test 6: block move (rep movsq) of patterned halves */
	MT_RANDOM_SEQ,       /* test 8: random number sequence, then its complement */
	MT_MODULO20,         /* test 9: modulo-20, random pattern */
	MT_TEST_COUNT,
};

const char *mt_test_name(enum mt_test t);
void mt_run_test(struct mt_run *r, enum mt_test t);
/* Address test, walking ones (memtest86+ test 0, which it runs with the cache off: the
 * suite maps the ranges uncached around it). */
void mt_addr_walk1(struct mt_run *r);
/* Not a test: a plain copy (rep movsq) of each range's first half to its second half, the
 * bound the tests' bandwidth is compared with (bytes counts what was read and written). */
void mt_copy(struct mt_run *r);
/* Bit fade (memtest86+ test 10): fill with pattern, wait (the caller's hook), check. */
void mt_fill(struct mt_run *r, uint64_t pattern);
void mt_check(struct mt_run *r, uint64_t pattern);

#endif
