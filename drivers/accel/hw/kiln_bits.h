/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: register field helpers shared by every block header.
 * Contract: docs/device.md. Freestanding C11: <stdint.h> only.
 *
 * A field is named by its mask (contiguous bits); the shift is derived from the mask so
 * the two can never disagree.
 */
#ifndef KILN_HW_BITS_H
#define KILN_HW_BITS_H

#include <stdint.h>

#define KILN_BIT(n)             (1u << (n))
#define KILN_BIT64(n)           (1ull << (n))
/* Mask of bits hi..lo inclusive (hi >= lo, hi <= 31 / 63). */
#define KILN_GENMASK(hi, lo)    ((~0u >> (31 - (hi))) & (~0u << (lo)))
#define KILN_GENMASK64(hi, lo)  ((~0ull >> (63 - (hi))) & (~0ull << (lo)))

#define KILN_FIELD_SHIFT(mask)      ((unsigned)__builtin_ctzll((uint64_t)(mask)))
#define KILN_FIELD_PREP(mask, val)  ((((uint64_t)(val)) << KILN_FIELD_SHIFT(mask)) & (uint64_t)(mask))
#define KILN_FIELD_GET(mask, reg)   ((((uint64_t)(reg)) & (uint64_t)(mask)) >> KILN_FIELD_SHIFT(mask))

/* Ring sizes are powers of two; producer/consumer indices are as documented per ring. */
#define KILN_IS_POW2(x)         ((x) != 0 && (((x) & ((x) - 1)) == 0))

#endif /* KILN_HW_BITS_H */
