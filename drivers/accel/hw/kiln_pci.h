/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: PCI identity, BARs, MSI-X vectors, the configuration BAR block map and the
 * device address space used by queues and DMA. Contract: docs/device.md sections 1-3.
 */
#ifndef KILN_HW_PCI_H
#define KILN_HW_PCI_H

#include <stdint.h>
#include "kiln_bits.h"

/* Test ids only: never a real Habana id (docs/device.md section 1 names the vendor id to avoid). */
#define KILN_PCI_VENDOR_ID          0x1234u
#define KILN_PCI_DEVICE_ID          0x4b4cu
#define KILN_PCI_SUBSYS_VENDOR_ID   0x1234u
#define KILN_PCI_SUBSYS_ID          0x0001u
#define KILN_PCI_REVISION           0x01u
#define KILN_PCI_CLASS              0x1200u /* processing accelerator */

/* BARs: all 64-bit memory BARs. */
#define KILN_BAR_CFG                0   /* registers of every block + MSI-X table/PBA */
#define KILN_BAR_SRAM               2   /* whole SRAM, prefetchable */
#define KILN_BAR_HBM                4   /* HBM window (kiln_hbm.h WINDOW_*), prefetchable */
#define KILN_CFG_BAR_SIZE           0x100000u

/* Memory sizes (device properties hbm-size / sram-size): SRAM a power of two, HBM a multiple
 * of the HBM window (so 96 GiB, Gaudi 2's size, works), within limits. */
#define KILN_HBM_SIZE_DEFAULT       (256ull << 20)
#define KILN_HBM_SIZE_MIN           (1ull << 20)
#define KILN_HBM_SIZE_MAX           (128ull << 30)
/* HBM BAR window (property hbm-window): power of two; clamped to the largest power of two
 * <= hbm-size. */
#define KILN_HBM_WINDOW_DEFAULT     (256ull << 20)
#define KILN_HBM_WINDOW_MIN         (1ull << 20)
#define KILN_SRAM_SIZE_DEFAULT      (4ull << 20)
#define KILN_SRAM_SIZE_MIN          (64ull << 10)
#define KILN_SRAM_SIZE_MAX          (256ull << 20)

/* PCIe capability layout (config space offsets). */
#define KILN_PCI_CAP_EXP_OFFSET     0x80u   /* PCI Express capability */
#define KILN_PCI_CAP_MSIX_OFFSET    0xc0u   /* MSI-X capability */
#define KILN_PCI_EXT_AER_OFFSET     0x100u  /* AER extended capability */
#define KILN_PCI_EXT_DSN_OFFSET     0x148u  /* Device Serial Number extended capability */

/* Link speed codes as in the PCIe Link Capabilities/Status registers. */
#define KILN_PCIE_SPEED_2_5GT       1u
#define KILN_PCIE_SPEED_5GT         2u
#define KILN_PCIE_SPEED_8GT         3u
#define KILN_PCIE_SPEED_16GT        4u
#define KILN_PCIE_SPEED_32GT        5u
#define KILN_PCIE_SPEED_DEFAULT     KILN_PCIE_SPEED_16GT
#define KILN_PCIE_WIDTH_DEFAULT     16u

/* MSI-X: table and PBA live in the configuration BAR. One vector per source. */
#define KILN_MSIX_TABLE_OFFSET      0xf0000u
#define KILN_MSIX_PBA_OFFSET        0xf8000u
#define KILN_MSIX_VECTORS           64u /* 12 + 2 per port for 24 ports = 60 used */

#define KILN_VEC_EQ                 0u  /* event queue entry written */
#define KILN_VEC_CPUCP              1u  /* device-CPU request answered */
#define KILN_VEC_SM                 2u  /* sync manager monitor fired with CFG.IRQ set */
#define KILN_VEC_TEST               3u  /* self-test DMA finished */
#define KILN_VEC_CQ(q)              (4u + (q))          /* q = engine * 4 + stream, 0..7 */
#define KILN_VEC_NIC_TX(p)          (12u + 2u * (p))    /* port p, 0..23 */
#define KILN_VEC_NIC_RX(p)          (13u + 2u * (p))

/* Configuration BAR block map. */
#define KILN_BLK_CORE               0x00000u
#define KILN_BLK_EQ                 0x01000u
#define KILN_BLK_CPUCP              0x02000u
#define KILN_BLK_HBM                0x03000u
#define KILN_BLK_SM                 0x08000u
#define KILN_BLK_QMAN(e)            (0x10000u + 0x1000u * (e))
#define KILN_BLK_NIC(p)             (0x40000u + 0x1000u * (p))
#define KILN_BLK_SIZE               0x1000u

/* Engines, streams and ports. */
#define KILN_NUM_DMA_ENGINES        2u
#define KILN_STREAMS_PER_ENGINE     4u
#define KILN_NUM_QUEUES             (KILN_NUM_DMA_ENGINES * KILN_STREAMS_PER_ENGINE)
#define KILN_QUEUE_ID(e, s)         ((e) * KILN_STREAMS_PER_ENGINE + (s))
#define KILN_MAX_PORTS              24u
#define KILN_PORTS_DEFAULT          2u

/*
 * Device address space: what PQ/CB pointers, LIN_DMA src/dst, MSG_LONG/MSG_PROT and monitor
 * payload addresses mean. Addresses are 56-bit (LIN_DMA dst field width).
 *   [0, 2^48)                         host memory, through PCI bus-master DMA
 *   KILN_DEV_HBM_BASE  + offset       HBM (offset < hbm-size)
 *   KILN_DEV_SRAM_BASE + offset       SRAM (offset < sram-size)
 *   KILN_DEV_CFG_BASE  + offset       configuration BAR registers (32-bit writes only)
 * Anything else is "nowhere": the access faults.
 */
#define KILN_DEV_HOST_LIMIT         (1ull << 48)
#define KILN_DEV_HBM_BASE           0x0010000000000000ull
#define KILN_DEV_SRAM_BASE          0x0020000000000000ull
#define KILN_DEV_CFG_BASE           0x0030000000000000ull
#define KILN_DEV_WINDOW_MASK        0x00f0000000000000ull
#define KILN_DEV_OFFSET_MASK        0x000fffffffffffffull
#define KILN_DEV_ADDR_MASK          0x00ffffffffffffffull

#endif /* KILN_HW_PCI_H */
