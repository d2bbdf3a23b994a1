/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: QMAN packet set (Gaudi 1 ids). Contract: docs/device.md section 6.
 *
 * Packet ids, the ctl opcode/EB/RB/MB bits and the field masks below are the ones of
 * include/gaudi/gaudi_packets.h of the Linux habanalabs driver. Fields the public header
 * leaves opaque (REPEAT, WAIT, ARB_POINT cfg, MSG op values, WREG offset base) are defined
 * by this model and marked "model".
 *
 * Every packet starts with two 32-bit words: word0 (value/size/cfg, packet specific) and
 * ctl (opcode in [28:24]), i.e. the 64-bit header has the opcode in bits [60:56].
 */
#ifndef KILN_HW_PACKETS_H
#define KILN_HW_PACKETS_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_PKT_WREG_32            0x1u
#define KILN_PKT_WREG_BULK          0x2u
#define KILN_PKT_MSG_LONG           0x3u
#define KILN_PKT_MSG_SHORT          0x4u
#define KILN_PKT_CP_DMA             0x5u
#define KILN_PKT_REPEAT             0x6u
#define KILN_PKT_MSG_PROT           0x7u
#define KILN_PKT_FENCE              0x8u
#define KILN_PKT_LIN_DMA            0x9u
#define KILN_PKT_NOP                0xau
#define KILN_PKT_STOP               0xbu
#define KILN_PKT_ARB_POINT          0xcu
#define KILN_PKT_WAIT               0xdu
#define KILN_PKT_LOAD_AND_EXE       0xfu

/* ctl word, common to all packets */
#define KILN_PKT_CTL_OPCODE         KILN_GENMASK(28, 24)
#define KILN_PKT_CTL_EB             KILN_BIT(29)    /* engine barrier */
#define KILN_PKT_CTL_RB             KILN_BIT(30)    /* register barrier */
#define KILN_PKT_CTL_MB             KILN_BIT(31)    /* message barrier */
#define KILN_PKT_HDR_OPCODE         0x1f00000000000000ull /* same field in the 64-bit header */

/* Sizes in bytes (WREG_BULK: 8 + 8 * size64). */
#define KILN_PKT_SIZE_SHORT         8u  /* WREG_32 MSG_SHORT REPEAT FENCE NOP STOP ARB_POINT WAIT */
#define KILN_PKT_SIZE_LONG          16u /* MSG_LONG MSG_PROT CP_DMA LOAD_AND_EXE */
#define KILN_PKT_SIZE_LIN_DMA       24u

/* WREG_32 / WREG_BULK: register byte offset, relative to the issuing engine's QMAN block
 * (model), 4-byte aligned and < KILN_BLK_SIZE. */
#define KILN_PKT_WREG_CTL_REG       KILN_GENMASK(15, 0)
#define KILN_PKT_WREG_BULK_MAX      256u    /* model: largest size64 */

struct kiln_pkt_wreg32 { uint32_t value; uint32_t ctl; };
struct kiln_pkt_wreg_bulk { uint32_t size64; uint32_t ctl; /* uint64_t values[size64] */ };

/* MSG_LONG / MSG_PROT / MSG_SHORT op field (model values). */
#define KILN_PKT_MSG_CTL_OP         KILN_GENMASK(21, 20)
#define KILN_PKT_MSG_OP_WRITE       0u  /* write the 32-bit value */
#define KILN_PKT_MSG_OP_TIMESTAMP   1u  /* write the 64-bit device timestamp (ns) instead */

struct kiln_pkt_msg_long { uint32_t value; uint32_t ctl; uint64_t addr; };
struct kiln_pkt_msg_prot { uint32_t value; uint32_t ctl; uint64_t addr; };

/* MSG_SHORT: address = MSG_BASE[base] + addr. */
#define KILN_PKT_SHORT_CTL_ADDR     KILN_GENMASK(15, 0)
#define KILN_PKT_SHORT_CTL_BASE     KILN_GENMASK(23, 22)
/* value when the target is a SOB (also the SOB register write format, kiln_sync.h) */
#define KILN_PKT_SHORT_VAL_SOB_VAL  KILN_GENMASK(14, 0)
#define KILN_PKT_SHORT_VAL_SOB_MOD  KILN_BIT(31)    /* 1: add, 0: set */
/* value when the target is a monitor ARM register */
#define KILN_PKT_SHORT_VAL_MON_GID  KILN_GENMASK(7, 0)
#define KILN_PKT_SHORT_VAL_MON_MASK KILN_GENMASK(15, 8)
#define KILN_PKT_SHORT_VAL_MON_MODE KILN_BIT(16)    /* 0: >=, 1: == */
#define KILN_PKT_SHORT_VAL_MON_VAL  KILN_GENMASK(31, 17)

struct kiln_pkt_msg_short { uint32_t value; uint32_t ctl; };

/* CP_DMA: execute tsize bytes of packets at src (one level deep, model). */
struct kiln_pkt_cp_dma { uint32_t tsize; uint32_t ctl; uint64_t src_addr; };

/* REPEAT (model): a START packet opens a block run COUNT times, an END packet closes it. */
#define KILN_PKT_REPEAT_CFG_COUNT   KILN_GENMASK(15, 0) /* START: 1..65535 */
#define KILN_PKT_REPEAT_CFG_END     KILN_BIT(31)
struct kiln_pkt_repeat { uint32_t cfg; uint32_t ctl; };

/* FENCE: wait until FENCE_CNT[id] >= target, then subtract dec_val. */
#define KILN_PKT_FENCE_CFG_DEC_VAL  KILN_GENMASK(3, 0)
#define KILN_PKT_FENCE_CFG_TARGET   KILN_GENMASK(23, 16)
#define KILN_PKT_FENCE_CFG_ID       KILN_GENMASK(31, 30)
#define KILN_PKT_FENCE_CTL_PRED     KILN_GENMASK(4, 0)  /* 0: always; n: only if PRED bit n */
struct kiln_pkt_fence { uint32_t cfg; uint32_t ctl; };

/* LIN_DMA: copy tsize bytes src -> dst, or memset dst with the 64-bit src_addr pattern. */
#define KILN_PKT_LIN_DMA_CTL_WRCOMP KILN_BIT(0)     /* then write WR_COMP_DATA to WR_COMP_ADDR */
#define KILN_PKT_LIN_DMA_CTL_LIN    KILN_BIT(3)     /* must be 1 (linear) */
#define KILN_PKT_LIN_DMA_CTL_MEMSET KILN_BIT(4)
#define KILN_PKT_LIN_DMA_DST_ADDR   0x00ffffffffffffffull
struct kiln_pkt_lin_dma { uint32_t tsize; uint32_t ctl; uint64_t src_addr; uint64_t dst_addr; };

struct kiln_pkt_nop { uint32_t reserved; uint32_t ctl; };
struct kiln_pkt_stop { uint32_t reserved; uint32_t ctl; };

/* ARB_POINT (model): the stream yields to the engine's other streams. cfg must be 0. */
struct kiln_pkt_arb_point { uint32_t cfg; uint32_t ctl; };

/* WAIT (model): stall the stream for CYCLES device cycles at 1 GHz (1 cycle = 1 ns of
 * QEMU virtual time), then add INC to FENCE_CNT[ID]. */
#define KILN_PKT_WAIT_CFG_CYCLES    KILN_GENMASK(23, 0)
#define KILN_PKT_WAIT_CFG_INC       KILN_GENMASK(27, 24)
#define KILN_PKT_WAIT_CFG_ID        KILN_GENMASK(31, 30)
struct kiln_pkt_wait { uint32_t cfg; uint32_t ctl; };

/* LOAD_AND_EXE: load from src into PRED (dst 0: 4 bytes) or SCALAR0..3 (dst 1: 16 bytes). */
#define KILN_PKT_LOAD_AND_EXE_CFG_DST KILN_BIT(0)
struct kiln_pkt_load_and_exe { uint32_t cfg; uint32_t ctl; uint64_t src_addr; };

_Static_assert(sizeof(struct kiln_pkt_lin_dma) == KILN_PKT_SIZE_LIN_DMA, "LIN_DMA is 24 bytes");
_Static_assert(sizeof(struct kiln_pkt_msg_long) == KILN_PKT_SIZE_LONG, "MSG_LONG is 16 bytes");

#endif /* KILN_HW_PACKETS_H */
