/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: memory (HBM / SRAM) ECC block. Offsets relative to KILN_BLK_HBM.
 * The HBM is split into KILN_HBM_STACKS equal stacks; an error at HBM offset A belongs to
 * stack A / (hbm-size / KILN_HBM_STACKS). The same block places the HBM BAR window: BAR4 is
 * hbm-window bytes of the HBM starting at WINDOW_BASE. Contract: docs/device.md section 8.
 */
#ifndef KILN_HW_HBM_H
#define KILN_HW_HBM_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_HBM_STACKS             4u

#define KILN_HBM_SERR_COUNT         0x000u  /* RO: corrected (single-bit) errors since reset */
#define KILN_HBM_DERR_COUNT         0x004u  /* RO: uncorrected (double-bit) errors since reset */
#define KILN_HBM_LAST_ADDR_LO       0x008u  /* RO: HBM offset of the last error, low half */
#define KILN_HBM_LAST_ADDR_HI       0x00cu  /* RO */
#define KILN_HBM_LAST_INFO          0x010u  /* RO: see KILN_HBM_INFO_* */

#define KILN_HBM_WINDOW_BASE_LO     0x020u  /* RW: HBM offset BAR4 shows, multiple of WINDOW_SIZE */
#define KILN_HBM_WINDOW_BASE_HI     0x024u  /* RW: (written as a pair; takes effect on the HI write) */
#define KILN_HBM_WINDOW_SIZE_LO     0x028u  /* RO: BAR4 size in bytes (property hbm-window) */
#define KILN_HBM_WINDOW_SIZE_HI     0x02cu  /* RO */

#define KILN_HBM_INFO_DERR          KILN_BIT(0)         /* last error was uncorrected */
#define KILN_HBM_INFO_VALID         KILN_BIT(1)         /* an error has been recorded */
#define KILN_HBM_INFO_STACK         KILN_GENMASK(7, 4)  /* HBM stack of the last error */

#endif /* KILN_HW_HBM_H */
