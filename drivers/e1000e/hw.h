/* Intel 82574L (e1000e family) registers and legacy descriptors, as far as Kiln uses them.
 * Source: Intel 82574 GbE Controller Family Datasheet (rev. 3.4), chapters 10 (registers)
 * and 7 (descriptors); the same register family as the I217/I219 client MACs. QEMU's
 * `-device e1000e` models the 82574L. */
#ifndef KILN_E1000E_HW_H
#define KILN_E1000E_HW_H

#include <stdint.h>

#define E1000E_VENDOR_INTEL 0x8086u
#define E1000E_DEVICE_82574L 0x10d3u
#define E1000E_BAR_MMIO 0

#define E1000_CTRL 0x0000u
#define E1000_CTRL_ASDE (1u << 5)     /* auto-speed detection */
#define E1000_CTRL_SLU (1u << 6)      /* set link up */
#define E1000_CTRL_RST (1u << 26)     /* device reset, self-clearing */
#define E1000_STATUS 0x0008u
#define E1000_STATUS_LU (1u << 1)     /* link up */
#define E1000_EERD 0x0014u            /* NVM read */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE (1u << 1)
#define E1000_EERD_ADDR_SHIFT 2
#define E1000_EERD_DATA_SHIFT 16
#define E1000_CTRL_EXT 0x0018u
#define E1000_CTRL_EXT_EIAME (1u << 24)
#define E1000_CTRL_EXT_PBA_CLR (1u << 31)
#define E1000_ICR 0x00c0u             /* interrupt cause, read to clear */
#define E1000_IMS 0x00d0u             /* interrupt mask set */
#define E1000_IMC 0x00d8u             /* interrupt mask clear */
#define E1000_EIAC 0x00dcu            /* MSI-X auto-clear (82574) */
#define E1000_IVAR 0x00e4u            /* MSI-X cause -> table entry (82574) */
#define E1000_IVAR_VALID 0x8u         /* per 4-bit field: entry in bits 2:0 */
#define E1000_IVAR_RXQ0_SHIFT 0
#define E1000_IVAR_TXQ0_SHIFT 8
#define E1000_IVAR_OTHER_SHIFT 16
#define E1000_IVAR_INT_ON_WB (1u << 31)
#define E1000_ICR_LSC (1u << 2)       /* link status change */
#define E1000_ICR_RXT0 (1u << 7)      /* receiver timer */
#define E1000_ICR_RXQ0 (1u << 20)
#define E1000_ICR_TXQ0 (1u << 22)
#define E1000_ICR_OTHER (1u << 24)
#define E1000_RCTL 0x0100u
#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_BAM (1u << 15)     /* accept broadcast */
#define E1000_RCTL_SECRC (1u << 26)   /* strip the CRC */
/* BSIZE 00 with BSEX 0: 2048-byte buffers */
#define E1000_TCTL 0x0400u
#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3)      /* pad short packets */
#define E1000_TCTL_CT(x) ((uint32_t)(x) << 4)     /* collision threshold */
#define E1000_TCTL_COLD(x) ((uint32_t)(x) << 12)  /* collision distance */
#define E1000_TCTL_CT_DEFAULT 0x0fu
#define E1000_TCTL_COLD_FD 0x3fu
#define E1000_TIPG 0x0410u
#define E1000_TIPG_DEFAULT (8u | 8u << 10 | 6u << 20) /* IPGT, IPGR1, IPGR2 for copper */
#define E1000_RDBAL 0x2800u
#define E1000_RDBAH 0x2804u
#define E1000_RDLEN 0x2808u
#define E1000_RDH 0x2810u
#define E1000_RDT 0x2818u
#define E1000_TDBAL 0x3800u
#define E1000_TDBAH 0x3804u
#define E1000_TDLEN 0x3808u
#define E1000_TDH 0x3810u
#define E1000_TDT 0x3818u
#define E1000_MTA 0x5200u             /* multicast table, 128 dwords */
#define E1000_MTA_WORDS 128u
#define E1000_RAL0 0x5400u
#define E1000_RAH0 0x5404u
#define E1000_RAH_AV (1u << 31)       /* address valid */
/* statistics, clear on read */
#define E1000_CRCERRS 0x4000u
#define E1000_MPC 0x4010u             /* missed packets */
#define E1000_GPRC 0x4074u            /* good packets received */
#define E1000_GPTC 0x4080u            /* good packets transmitted */
#define E1000_RNBC 0x40a0u            /* receive, no buffers */

#define E1000_NVM_WORDS_CHECKSUM 0x40u  /* words 0x00..0x3f sum to the signature */
#define E1000_NVM_SUM 0xbabau
#define E1000_RESET_WAIT_MS 100u
#define E1000_NVM_WAIT_MS 50u

/* Legacy transmit descriptor (§7.2.10.1) */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};
#define E1000_TXD_CMD_EOP 0x01u
#define E1000_TXD_CMD_IFCS 0x02u
#define E1000_TXD_CMD_RS 0x08u
#define E1000_TXD_STAT_DD 0x01u

/* Legacy receive descriptor (§7.1.4.1) */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length, csum;
	uint8_t status, errors;
	uint16_t special;
};
#define E1000_RXD_STAT_DD 0x01u
#define E1000_RXD_STAT_EOP 0x02u
#define E1000_RXD_ERR_FRAME 0x97u     /* CE | SE | SEQ | CXE | RXE: the frame itself is bad */

#endif
