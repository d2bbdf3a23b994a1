/*
 * Kiln accelerator device model: what the NIC data path (kiln-nic.c) and the NIC registers
 * (kiln-nic-regs.c) share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_KILN_NIC_H
#define HW_MISC_KILN_NIC_H

#include "kiln-accel.h"

#define KILN_NIC_MAX_FRAME  (KILN_NIC_MTU_MAX + KILN_NIC_L2_OVERHEAD)

/* index of each counter in KilnPort.cnt[], in register order */
enum {
    CNT_TX_FRAMES, CNT_TX_BYTES, CNT_RX_FRAMES, CNT_RX_BYTES, CNT_RX_CRC_ERR, CNT_RX_DROP,
    CNT_TX_DROP, CNT_RX_PAUSE, CNT_TX_PAUSE, CNT_LINK_DOWN, CNT_RX_FILTERED,
};
QEMU_BUILD_BUG_ON(CNT_RX_FILTERED + 1 != KILN_NIC_NUM_COUNTERS);
QEMU_BUILD_BUG_ON(KILN_NIC_CNT_RX_FILTERED != KILN_NIC_CNT_TX_FRAMES + 4 * CNT_RX_FILTERED);

bool kiln_nic_ring_ok(uint32_t n, uint64_t base, uint32_t align);
void kiln_nic_error(KilnPort *p, bool tx, uint32_t cause, uint32_t index, uint64_t addr);
bool kiln_nic_link(KilnPort *p);
void kiln_nic_update_link(KilnPort *p, uint32_t reason);
void kiln_nic_rx_posted(KilnPort *p);
void kiln_nic_tx_wb(KilnPort *p);
void kiln_nic_tx_start(KilnPort *p);

#endif /* HW_MISC_KILN_NIC_H */
