/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: NIC port p (raw Ethernet path). Offsets relative to KILN_BLK_NIC(p).
 * TX: a send queue of struct kiln_nic_tx_entry + PI doorbell, progress through TX_CI (and
 * an optional write-back word, so the driver bounds its frames in flight without reading
 * the register). RX: a ring of equal-size
 * buffers (struct kiln_nic_rx_entry holds only the address); the device reports progress
 * through RX_CI (and an optional write-back word) and never reports a frame length: the
 * driver parses L2/L3. Contract: docs/device.md section 10.
 */
#ifndef KILN_HW_NIC_H
#define KILN_HW_NIC_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_NIC_MAC_LO             0x000u  /* RW: MAC bytes 0..3 (byte 0 in [7:0]) */
#define KILN_NIC_MAC_HI             0x004u  /* RW: MAC bytes 4..5 in [15:0] */
#define KILN_NIC_MTU                0x008u  /* RW: L3 MTU, 68..KILN_NIC_MTU_MAX, reset 1500 */
#define KILN_NIC_CFG                0x00cu  /* RW: see KILN_NIC_CFG_* */
#define KILN_NIC_STATUS             0x010u  /* RO: see KILN_NIC_STS_* */
#define KILN_NIC_ERR_CAUSE          0x014u  /* RO: KILN_NIC_ERR_* of the last stop */
#define KILN_NIC_CTRL               0x018u  /* WO: see KILN_NIC_CTRL_* */
#define KILN_NIC_TX_BASE_LO         0x020u  /* RW: device address of the TX ring */
#define KILN_NIC_TX_BASE_HI         0x024u
#define KILN_NIC_TX_SIZE            0x028u  /* RW: entries, power of two in [2, 4096] */
#define KILN_NIC_TX_PI              0x02cu  /* RW doorbell: [0, 2*SIZE) */
#define KILN_NIC_TX_CI              0x030u  /* RO: [0, 2*SIZE) */
#define KILN_NIC_TX_WB_LO           0x034u  /* RW: if nonzero, TX_CI is also written here (u32) */
#define KILN_NIC_TX_WB_HI           0x038u
#define KILN_NIC_RX_BASE_LO         0x040u  /* RW: device address of the RX ring */
#define KILN_NIC_RX_BASE_HI         0x044u
#define KILN_NIC_RX_SIZE            0x048u  /* RW: entries, power of two in [2, 4096] */
#define KILN_NIC_RX_PI              0x04cu  /* RW: buffers posted, [0, 2*SIZE) */
#define KILN_NIC_RX_CI              0x050u  /* RO: buffers filled, [0, 2*SIZE) */
#define KILN_NIC_RX_BUF_SIZE        0x054u  /* RW: bytes per buffer, 64..16384, reset 2048 */
#define KILN_NIC_RX_WB_LO           0x058u  /* RW: if nonzero, RX_CI is also written here (u32) */
#define KILN_NIC_RX_WB_HI           0x05cu

/* Counters (RO, 32-bit, wrap; CTRL.CLEAR_COUNTERS zeroes them). */
#define KILN_NIC_CNT_TX_FRAMES      0x100u
#define KILN_NIC_CNT_TX_BYTES       0x104u
#define KILN_NIC_CNT_RX_FRAMES      0x108u
#define KILN_NIC_CNT_RX_BYTES       0x10cu
#define KILN_NIC_CNT_RX_CRC_ERR     0x110u  /* runts (< 14 bytes): what silicon sees as bad FCS */
#define KILN_NIC_CNT_RX_DROP        0x114u  /* rx disabled, link down, filtered, oversize */
#define KILN_NIC_CNT_TX_DROP        0x118u  /* link down, fault knob frame-drop */
#define KILN_NIC_CNT_RX_PAUSE       0x11cu  /* MAC control (ethertype 0x8808) frames received */
#define KILN_NIC_CNT_TX_PAUSE       0x120u  /* MAC control frames sent */
#define KILN_NIC_CNT_LINK_DOWN      0x124u  /* link down transitions */
#define KILN_NIC_CNT_RX_FILTERED    0x128u  /* frames refused by the address filter */

#define KILN_NIC_CFG_TX_EN          KILN_BIT(0)
#define KILN_NIC_CFG_RX_EN          KILN_BIT(1)
#define KILN_NIC_CFG_LOOPBACK       KILN_BIT(2) /* MAC loopback: TX goes to own RX, not the wire */
#define KILN_NIC_CFG_PROMISC        KILN_BIT(3) /* accept every destination */
#define KILN_NIC_CFG_ALLMULTI       KILN_BIT(4) /* accept every multicast destination */

#define KILN_NIC_STS_LINK_UP        KILN_BIT(0)
#define KILN_NIC_STS_TX_STOPPED     KILN_BIT(1)
#define KILN_NIC_STS_RX_STOPPED     KILN_BIT(2)
#define KILN_NIC_STS_WIRED          KILN_BIT(3) /* a netdev is attached */

#define KILN_NIC_CTRL_RESUME        KILN_BIT(0) /* leave TX/RX stopped (skips the bad entry) */
#define KILN_NIC_CTRL_CLEAR_COUNTERS KILN_BIT(1)
#define KILN_NIC_CTRL_RESET         KILN_BIT(2) /* ring indices and status to reset values */

#define KILN_NIC_MTU_DEFAULT        1500u
#define KILN_NIC_MTU_MIN            68u
#define KILN_NIC_MTU_MAX            9216u
#define KILN_NIC_L2_OVERHEAD        18u     /* Ethernet header + one VLAN tag */
#define KILN_NIC_MIN_FRAME          14u
#define KILN_NIC_RX_BUF_DEFAULT     2048u
#define KILN_NIC_RX_BUF_MIN         64u
#define KILN_NIC_RX_BUF_MAX         16384u
#define KILN_NIC_RING_MIN           2u
#define KILN_NIC_RING_MAX           4096u
#define KILN_NIC_ETHERTYPE_PAUSE    0x8808u
#define KILN_NIC_SPEED_GBPS         100u

struct kiln_nic_tx_entry {
	uint64_t addr;                  /* device address of the frame */
	uint32_t len;                   /* bytes, 14..MTU+18 */
	uint32_t ctl;                   /* reserved, write 0 */
};
_Static_assert(sizeof(struct kiln_nic_tx_entry) == 16, "TX entry is 16 bytes");

struct kiln_nic_rx_entry {
	uint64_t addr;                  /* device address of a RX_BUF_SIZE buffer */
};
_Static_assert(sizeof(struct kiln_nic_rx_entry) == 8, "RX entry is 8 bytes");

#define KILN_NIC_ERR_NONE           0u
#define KILN_NIC_ERR_PI_RANGE       1u
#define KILN_NIC_ERR_RING_CONFIG    2u
#define KILN_NIC_ERR_TX_FETCH       3u  /* TX entry or frame could not be read */
#define KILN_NIC_ERR_TX_LEN         4u  /* frame length out of range */
#define KILN_NIC_ERR_RX_FETCH       5u  /* RX entry could not be read */
#define KILN_NIC_ERR_RX_WRITE       6u  /* frame or write-back could not be written */
#define KILN_NIC_ERR_BUS_MASTER     7u
#define KILN_NIC_ERR_TX_WRITE       8u  /* TX write-back could not be written */

#define KILN_NIC_LINK_REASON_PEER   0u  /* the netdev peer's link changed */
#define KILN_NIC_LINK_REASON_FAULT  1u  /* fault knob link-down / link-flap */
#define KILN_NIC_LINK_REASON_RESET  2u  /* reset brought the link back */

#endif /* KILN_HW_NIC_H */
