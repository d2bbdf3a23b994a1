/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: sync manager (SM) - sync objects (SOBs) and monitors.
 * Offsets relative to KILN_BLK_SM. Contract: docs/device.md section 6.
 *
 * SOB value width, the add/set mode bit and the monitor arm fields (group id, mask, mode,
 * target) follow the MSG_SHORT value fields of include/gaudi/gaudi_packets.h.
 */
#ifndef KILN_HW_SYNC_H
#define KILN_HW_SYNC_H

#include <stdint.h>
#include "kiln_bits.h"
#include "kiln_packets.h"

#define KILN_SM_NUM_SOBS            256u
#define KILN_SM_NUM_MONITORS        64u
#define KILN_SM_SOBS_PER_GROUP      8u
#define KILN_SM_NUM_GROUPS          (KILN_SM_NUM_SOBS / KILN_SM_SOBS_PER_GROUP)

/* SOB i: RW. Write: bit 31 = 1 adds [14:0] (mod 2^15), bit 31 = 0 sets [14:0]. Read: [14:0]. */
#define KILN_SM_SOB(i)              (0x0000u + 4u * (i))
#define KILN_SM_SOB_VAL             KILN_PKT_SHORT_VAL_SOB_VAL
#define KILN_SM_SOB_MOD_ADD         KILN_PKT_SHORT_VAL_SOB_MOD

/* Monitor m registers. */
#define KILN_SM_MON(m)              (0x1000u + 0x20u * (m))
#define KILN_SM_MON_PAY_ADDR_LO     0x00u   /* RW: device address the payload is written to */
#define KILN_SM_MON_PAY_ADDR_HI     0x04u   /* RW */
#define KILN_SM_MON_PAY_DATA        0x08u   /* RW: 32-bit payload */
#define KILN_SM_MON_ARM             0x0cu   /* RW: writing arms the monitor (fields below) */
#define KILN_SM_MON_CFG             0x10u   /* RW: see KILN_SM_MON_CFG_* */
#define KILN_SM_MON_STATUS          0x14u   /* RO: see KILN_SM_MON_STS_* */

#define KILN_SM_MON_ARM_GID         KILN_PKT_SHORT_VAL_MON_GID  /* SOB group: SOBs 8*gid..8*gid+7 */
#define KILN_SM_MON_ARM_MASK        KILN_PKT_SHORT_VAL_MON_MASK /* bit k set: SOB 8*gid+k ignored */
#define KILN_SM_MON_ARM_MODE        KILN_PKT_SHORT_VAL_MON_MODE /* 0: >=, 1: == */
#define KILN_SM_MON_ARM_VAL         KILN_PKT_SHORT_VAL_MON_VAL  /* 15-bit target */
#define KILN_SM_MON_MODE_GE         0u
#define KILN_SM_MON_MODE_EQ         1u

#define KILN_SM_MON_CFG_IRQ         KILN_BIT(0) /* also raise KILN_VEC_SM when firing */

#define KILN_SM_MON_STS_ARMED       KILN_BIT(0) /* waiting for its condition */
#define KILN_SM_MON_STS_FIRED       KILN_BIT(1) /* fired since last armed */

/* SM-wide registers. */
#define KILN_SM_FIRE_COUNT          0x2000u /* RO: monitor firings since reset */
#define KILN_SM_ERR_CAUSE           0x2004u /* RO: last KILN_SM_ERR_*, 0 if none */
#define KILN_SM_ERR_INFO            0x2008u /* RO: monitor/SOB index of the last error */

#define KILN_SM_ERR_NONE            0u
#define KILN_SM_ERR_BAD_GID         1u  /* ARM with a group id >= KILN_SM_NUM_GROUPS */
#define KILN_SM_ERR_ALL_MASKED      2u  /* ARM with every SOB of the group masked */
#define KILN_SM_ERR_PAYLOAD         3u  /* payload write faulted */
#define KILN_SM_ERR_RECURSION       4u  /* payload chain deeper than KILN_SM_MAX_CHAIN */
#define KILN_SM_MAX_CHAIN           8u

#endif /* KILN_HW_SYNC_H */
