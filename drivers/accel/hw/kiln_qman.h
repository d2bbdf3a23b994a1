/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: queue manager (QMAN) of each DMA engine: 4 streams, each with a primary
 * queue (PQ) of buffer descriptors in device-addressable memory, a PI doorbell, and a
 * completion queue (CQ). Offsets are relative to KILN_BLK_QMAN(engine); stream s registers
 * are at KILN_QM_STREAM(s) + register. Contract: docs/device.md section 5.
 *
 * BD and CQ entry layouts follow include/common/qman_if.h of the Linux habanalabs driver
 * (struct hl_bd, BD_CTL_SHADOW_INDEX, CQ_ENTRY_READY / SHADOW_INDEX_VALID / SHADOW_INDEX).
 */
#ifndef KILN_HW_QMAN_H
#define KILN_HW_QMAN_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_QM_STREAM(s)           (0x100u * (s))

/* Per-stream registers. */
#define KILN_QM_PQ_BASE_LO          0x00u   /* RW: device address of the PQ, 16-byte aligned */
#define KILN_QM_PQ_BASE_HI          0x04u   /* RW */
#define KILN_QM_PQ_SIZE             0x08u   /* RW: entries, power of two in [2, 4096] */
#define KILN_QM_PQ_PI               0x0cu   /* RW doorbell: producer index in [0, 2*SIZE) */
#define KILN_QM_PQ_CI               0x10u   /* RO: consumer index in [0, 2*SIZE) */
#define KILN_QM_CQ_BASE_LO          0x14u   /* RW: device address of the CQ, 4-byte aligned */
#define KILN_QM_CQ_BASE_HI          0x18u   /* RW */
#define KILN_QM_CQ_SIZE             0x1cu   /* RW: entries, power of two in [2, 4096] */
#define KILN_QM_CQ_PI               0x20u   /* RO: next CQ slot the device writes, [0, SIZE) */
#define KILN_QM_CFG                 0x24u   /* RW: see KILN_QM_CFG_* */
#define KILN_QM_STATUS              0x28u   /* RO: see KILN_QM_STS_* */
#define KILN_QM_ERR_CAUSE           0x2cu   /* RO: KILN_QM_ERR_* of the stop, 0 if none */
#define KILN_QM_ERR_PQ_INDEX        0x30u   /* RO: PQ index (CI) of the failing CB */
#define KILN_QM_ERR_CB_OFFSET       0x34u   /* RO: byte offset of the failing packet */
#define KILN_QM_ERR_ADDR_LO         0x38u   /* RO: faulting device address */
#define KILN_QM_ERR_ADDR_HI         0x3cu   /* RO */
#define KILN_QM_CTRL                0x40u   /* WO: see KILN_QM_CTRL_* */
#define KILN_QM_CUR_CB_OFFSET       0x44u   /* RO: byte offset of the next packet in the CB */
#define KILN_QM_LAST_SHADOW         0x48u   /* RO: shadow index of the last completed CB */
#define KILN_QM_CB_COUNT            0x4cu   /* RO: CBs completed since reset */
#define KILN_QM_FENCE_CNT(n)        (0x50u + 4u * (n))  /* RW, n = 0..3: write ADDS the value */
#define KILN_QM_MSG_BASE_LO(n)      (0x60u + 8u * (n))  /* RW, n = 0..3: MSG_SHORT bases */
#define KILN_QM_MSG_BASE_HI(n)      (0x64u + 8u * (n))
#define KILN_QM_WR_COMP_ADDR_LO     0x80u   /* RW: LIN_DMA write-completion address */
#define KILN_QM_WR_COMP_ADDR_HI     0x84u   /* RW */
#define KILN_QM_WR_COMP_DATA        0x88u   /* RW: LIN_DMA write-completion data */
#define KILN_QM_PRED                0x8cu   /* RW: predicate bits (LOAD_AND_EXE dst 0) */
#define KILN_QM_SCALAR(n)           (0x90u + 4u * (n))  /* RW, n = 0..3 (LOAD_AND_EXE dst 1) */
#define KILN_QM_PQ_SHADOW_LO        0xa0u   /* RW: device address of the shadow doorbell pair, 8-byte aligned; 0 = off */
#define KILN_QM_PQ_SHADOW_HI        0xa4u   /* RW */
#define KILN_QM_STREAM_REGS_END     0xa8u

/* Engine-wide registers. */
#define KILN_QM_ENG_STATUS          0x800u  /* RO: bit s = stream s has work or waits */
#define KILN_QM_ENG_DMA_BYTES_LO    0x804u  /* RO: bytes moved by LIN_DMA since reset */
#define KILN_QM_ENG_DMA_BYTES_HI    0x808u  /* RO */

#define KILN_QM_CFG_ENABLE          KILN_BIT(0) /* stream fetches from its PQ */
#define KILN_QM_CFG_CQ_ENABLE       KILN_BIT(1) /* completions are written to the CQ */

#define KILN_QM_STS_BUSY            KILN_BIT(0) /* a CB is being executed */
#define KILN_QM_STS_STOPPED         KILN_BIT(1) /* halted by an error or a STOP packet */
#define KILN_QM_STS_FENCE_WAIT      KILN_BIT(2) /* blocked in a FENCE packet */
#define KILN_QM_STS_TIMER_WAIT      KILN_BIT(3) /* blocked in a WAIT packet */
#define KILN_QM_STS_FENCE_ID        KILN_GENMASK(5, 4) /* fence counter waited on */

#define KILN_QM_CTRL_RESUME         KILN_BIT(0) /* leave STOPPED; after an error, skip that CB */
#define KILN_QM_CTRL_RESET          KILN_BIT(1) /* PI=CI=CQ_PI=0, fences/status/errors cleared */

/*
 * Shadow doorbell pair (PQ_SHADOW): the driver announces new PQ entries by writing its PI to
 * `pi` in host memory; the device reads it whenever it has consumed every entry it knew of,
 * and before it goes idle it writes the PI it stopped at to `event` and reads `pi` once more.
 * The driver rings PQ_PI only when `event` equals the PI it had published before (the device
 * may be idle). The scheme is NVMe's Doorbell Buffer Config (shadow doorbell + EventIdx) and
 * virtio's used_event; contract: docs/device.md section 5.
 */
struct kiln_qm_shadow {
	uint32_t pi;    /* written by the driver: producer index in [0, 2*SIZE) */
	uint32_t event; /* written by the device: the PI it went idle at */
};
#define KILN_QM_SHADOW_ALIGN        8u

#define KILN_QM_RING_MIN            2u
#define KILN_QM_RING_MAX            4096u
#define KILN_QM_CB_MAX_SIZE         (2u << 20)  /* largest CB (BD len), bytes */
#define KILN_QM_FENCES              4u
#define KILN_QM_MSG_BASES           4u
#define KILN_QM_SCALARS             4u

/* Stop causes (ERR_CAUSE, and the cause of the DMA_QM / DMA_CORE error events). */
#define KILN_QM_ERR_NONE            0u
#define KILN_QM_ERR_BAD_OPCODE      1u  /* packet id not in the Gaudi 1 set */
#define KILN_QM_ERR_PI_RANGE        2u  /* PI written >= 2*PQ_SIZE */
#define KILN_QM_ERR_PQ_OVERRUN      3u  /* PI - CI > PQ_SIZE */
#define KILN_QM_ERR_RING_CONFIG     4u  /* PQ/CQ size not a power of two in range, or misaligned */
#define KILN_QM_ERR_PQ_FETCH        5u  /* reading the BD faulted */
#define KILN_QM_ERR_CB_FETCH        6u  /* reading the CB faulted */
#define KILN_QM_ERR_CB_SIZE         7u  /* BD len 0, not a multiple of 8, or > KILN_QM_CB_MAX_SIZE */
#define KILN_QM_ERR_CB_TRUNCATED    8u  /* a packet runs past the end of its buffer */
#define KILN_QM_ERR_DMA_SRC         9u  /* LIN_DMA source faulted */
#define KILN_QM_ERR_DMA_DST         10u /* LIN_DMA destination faulted */
#define KILN_QM_ERR_BUS_MASTER      11u /* host DMA attempted with bus mastering disabled */
#define KILN_QM_ERR_REG_OFFSET      12u /* WREG_32/WREG_BULK outside the engine block */
#define KILN_QM_ERR_MSG_ADDR        13u /* MSG_LONG/MSG_SHORT/MSG_PROT/wrcomp address faulted */
#define KILN_QM_ERR_BAD_FIELD       14u /* reserved/unsupported packet field value */
#define KILN_QM_ERR_CQ_WRITE        15u /* writing the CQ entry faulted */
#define KILN_QM_ERR_NESTING         16u /* CP_DMA inside CP_DMA, or REPEAT inside REPEAT */
#define KILN_QM_ERR_DMA_INJECTED    17u /* fault knob dma-error-addr hit */
#define KILN_QM_ERR_SHADOW          18u /* reading or writing the shadow doorbell pair faulted */
#define KILN_QM_ERR_STOP_PACKET     32u /* not an error: a STOP packet halted the stream */

/* Buffer descriptor in a PQ (struct hl_bd). */
struct kiln_bd {
	uint64_t ptr;                   /* device address of the CB */
	uint32_t len;                   /* CB bytes */
	uint32_t ctl;
};
_Static_assert(sizeof(struct kiln_bd) == 16, "BD is 16 bytes");
#define KILN_BD_CTL_SHADOW_INDEX    KILN_GENMASK(11, 0)

/* CQ entry (struct hl_cq_entry): one 32-bit word. */
#define KILN_CQ_ENTRY_READY         KILN_BIT(31)
#define KILN_CQ_ENTRY_SHADOW_VALID  KILN_BIT(30)
#define KILN_CQ_ENTRY_SHADOW_INDEX  KILN_GENMASK(11, 0)
#define KILN_CQ_ENTRY_SIZE          4u

#endif /* KILN_HW_QMAN_H */
