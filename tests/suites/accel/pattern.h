/* Seeded data patterns for the accelerator suites: fill a buffer (host memory or a BAR)
 * and check it, reporting the first mismatches with address, expected, actual and the
 * differing bits, then how many there were in all. Byte `off` of pattern `seed` is the
 * same whatever buffer holds it, so a copy is checked against the source's offsets. */
#ifndef KILN_TESTS_ACCEL_PATTERN_H
#define KILN_TESTS_ACCEL_PATTERN_H

#include <stdint.h>

struct kt;

#define PAT_REPORT_MAX 4 /* mismatches printed per check; the rest are counted */

uint64_t pat_word(uint64_t seed, uint64_t index);
uint8_t pat_byte(uint64_t seed, uint64_t off);
/* p[i] = pattern byte pat_off + i, for i in [0, len) */
void pat_fill(volatile void *p, uint64_t len, uint64_t seed, uint64_t pat_off);
/* Check p[i] == pattern byte pat_off + i. Mismatches are reported as
 * "<who>: mismatch at <region>+0x<region_off + i> expected ... got ... (bits ...)" and fail
 * the case; returns how many bytes differ. */
uint64_t pat_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		   uint64_t len, uint64_t seed, uint64_t pat_off);

/* Check p[i] == byte i % 8 of the 64-bit `pattern` (what a LIN_DMA memset writes). */
uint64_t fill_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		    uint64_t len, uint64_t pattern);

#endif
