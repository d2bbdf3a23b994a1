/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: core block (identity, soft reset, interrupt status, timestamp and the
 * rocker-style self-test hooks). Offsets are relative to KILN_BLK_CORE in the configuration BAR.
 * Contract: docs/device.md section 4.
 */
#ifndef KILN_HW_CORE_H
#define KILN_HW_CORE_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_CORE_ID                0x000u  /* RO: KILN_CORE_ID_VALUE */
#define KILN_CORE_VERSION           0x004u  /* RO: KILN_CORE_VERSION_VALUE */
#define KILN_CORE_CAPS              0x008u  /* RO: see KILN_CORE_CAPS_* */
#define KILN_CORE_HBM_SIZE_LO       0x00cu  /* RO: HBM bytes, low half */
#define KILN_CORE_HBM_SIZE_HI       0x010u  /* RO: HBM bytes, high half */
#define KILN_CORE_SRAM_SIZE         0x014u  /* RO: SRAM bytes */
#define KILN_CORE_SOFT_RESET        0x020u  /* WO: write KILN_CORE_SOFT_RESET_KEY; reads 0 */
#define KILN_CORE_STATUS            0x024u  /* RO: see KILN_CORE_STATUS_* */
#define KILN_CORE_IRQ_STATUS        0x030u  /* RW1C: bit v = vector v (0..31) raised since last clear */
#define KILN_CORE_IRQ_MASK          0x034u  /* RW: bit v masks vector v (0..31) for INTx only */
#define KILN_CORE_IRQ_STATUS_HI     0x038u  /* RW1C: bit v - 32 = vector v (32..63) */
#define KILN_CORE_IRQ_MASK_HI       0x03cu  /* RW: bit v - 32 masks vector v (32..63) */
#define KILN_CORE_TIMESTAMP_LO      0x040u  /* RO: device time in ns; reading LO latches HI */
#define KILN_CORE_TIMESTAMP_HI      0x044u  /* RO */
#define KILN_CORE_TEST_SCRATCH      0x050u  /* RW: self-test scratch register */
#define KILN_CORE_TEST_SCRATCH_INV  0x054u  /* RO: bitwise NOT of TEST_SCRATCH */
#define KILN_CORE_TEST_IRQ          0x058u  /* WO: vector number to raise */
#define KILN_CORE_TEST_EVENT        0x05cu  /* WO: event id [9:0] to post to the EQ */
#define KILN_CORE_TEST_DMA_ADDR_LO  0x060u  /* RW: device address of the self-test buffer */
#define KILN_CORE_TEST_DMA_ADDR_HI  0x064u  /* RW */
#define KILN_CORE_TEST_DMA_SIZE     0x068u  /* RW: bytes, 1..KILN_CORE_TEST_DMA_MAX */
#define KILN_CORE_TEST_DMA_PATTERN  0x06cu  /* RW: 32-bit pattern for FILL */
#define KILN_CORE_TEST_DMA_CTRL     0x070u  /* WO: KILN_CORE_TEST_DMA_OP_* starts the test */
#define KILN_CORE_TEST_DMA_STATUS   0x074u  /* RO: see KILN_CORE_TEST_DMA_STS_* */

#define KILN_CORE_ID_VALUE          0x4e4c494bu /* "KILN" in little-endian bytes */
#define KILN_CORE_VERSION_VALUE     0x00010000u /* major [31:16] = 1, minor [15:0] = 0 */
#define KILN_CORE_VERSION_MAJOR     KILN_GENMASK(31, 16)
#define KILN_CORE_VERSION_MINOR     KILN_GENMASK(15, 0)

#define KILN_CORE_CAPS_DMA_ENGINES  KILN_GENMASK(3, 0)
#define KILN_CORE_CAPS_STREAMS      KILN_GENMASK(7, 4)
#define KILN_CORE_CAPS_PORTS        KILN_GENMASK(12, 8)   /* 0..24 */
#define KILN_CORE_CAPS_MONITORS     KILN_GENMASK(23, 16)  /* number of monitors / 4 */
#define KILN_CORE_CAPS_SOBS         KILN_GENMASK(31, 24)  /* number of SOBs / 8 */

#define KILN_CORE_SOFT_RESET_KEY    0x00005253u /* "SR" */

#define KILN_CORE_STATUS_READY      KILN_BIT(0)

#define KILN_CORE_TEST_DMA_MAX      0x10000u
#define KILN_CORE_TEST_DMA_OP_CLEAR  1u /* write zeros */
#define KILN_CORE_TEST_DMA_OP_FILL   2u /* write PATTERN repeated */
#define KILN_CORE_TEST_DMA_OP_INVERT 3u /* read, invert every bit, write back */
#define KILN_CORE_TEST_DMA_STS_DONE  KILN_BIT(0)
#define KILN_CORE_TEST_DMA_STS_ERROR KILN_BIT(1)

#endif /* KILN_HW_CORE_H */
