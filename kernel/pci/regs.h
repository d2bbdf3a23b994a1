/* PCI configuration-space register map: offsets, fields and values, from the PCI Local Bus
 * Specification 3.0 (§6) and the PCI Express Base Specification 5.0 (§7). Every config
 * offset Kiln uses is named here; code elsewhere never writes a raw offset. Pure header,
 * shared with the host tests. */
#ifndef KILN_PCI_REGS_H
#define KILN_PCI_REGS_H

/* Field helpers: a mask names the field, its lowest set bit gives the shift. */
#define PCI_FIELD_GET(mask, v) (((v) & (mask)) / ((mask) & ~((mask) << 1)))
#define PCI_FIELD_PREP(mask, v) (((v) * ((mask) & ~((mask) << 1))) & (mask))

#define PCI_CFG_SIZE 256u        /* conventional configuration space */
#define PCIE_CFG_SIZE 4096u      /* PCI Express extended configuration space */
#define PCI_ECAM_FN_SHIFT 12     /* ECAM: one 4 KiB window per function (PCIe §7.2.2) */
#define PCI_ECAM_DEV_SHIFT 15
#define PCI_ECAM_BUS_SHIFT 20
#define PCI_MAX_DEV 32
#define PCI_MAX_FN 8

/* ---- common header (type 0 and type 1) ---- */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_COMMAND_SERR 0x0100u
#define PCI_COMMAND_INTX_DISABLE 0x0400u
#define PCI_STATUS 0x06
#define PCI_STATUS_INTERRUPT 0x0008u /* INTx asserted (whatever INTX_DISABLE says) */
#define PCI_STATUS_CAP_LIST 0x0010u
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a        /* 16 bits: class << 8 | subclass */
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MASK 0x7fu
#define PCI_HEADER_MULTIFUNCTION 0x80u
#define PCI_HEADER_NORMAL 0
#define PCI_HEADER_BRIDGE 1
#define PCI_HEADER_CARDBUS 2
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c /* type 0 only */
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAPABILITY_LIST_MASK 0xfcu /* bits 1:0 are reserved and masked (PCI 3.0 §6.7) */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_VENDOR_NONE 0xffffu        /* what an empty slot or a vanished device reads */
#define PCI_CFG_ALL_ONES 0xffffffffu

#define PCI_BAR_COUNT_NORMAL 6
#define PCI_BAR_COUNT_BRIDGE 2
#define PCI_BAR_COUNT_CARDBUS 1
#define PCI_BAR_MAX 6

/* ---- type 1 (bridge) ---- */
#define PCI_PRIMARY_BUS 0x18
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1a

/* ---- base address registers (PCI 3.0 §6.2.5.1) ---- */
#define PCI_BAR_SPACE_IO 0x1u
#define PCI_BAR_MEM_TYPE_MASK 0x6u
#define PCI_BAR_MEM_TYPE_32 0x0u
#define PCI_BAR_MEM_TYPE_1M 0x2u       /* legacy "below 1 MiB", reserved since PCI 3.0 */
#define PCI_BAR_MEM_TYPE_64 0x4u
#define PCI_BAR_MEM_PREFETCH 0x8u
#define PCI_BAR_MEM_ADDR_MASK 0xfffffff0u
#define PCI_BAR_IO_ADDR_MASK 0xfffffffcu

/* ---- class codes (PCI Code and ID Assignment Specification) ---- */
#define PCI_CLASS_BRIDGE 0x06
#define PCI_CLASS_COMM 0x07
#define PCI_SUBCLASS_COMM_SERIAL 0x00
#define PCI_PROGIF_SERIAL_16550 0x02
#define PCI_SUBCLASS_BRIDGE_HOST 0x00
#define PCI_SUBCLASS_BRIDGE_ISA 0x01
#define PCI_SUBCLASS_BRIDGE_PCI 0x04

/* ---- capability list (PCI 3.0 §6.7) ---- */
#define PCI_CAP_ID 0x0
#define PCI_CAP_NEXT 0x1
#define PCI_CAP_FIRST_OFFSET 0x40      /* capabilities live after the 64-byte header */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11

/* MSI capability (PCI 3.0 §6.8.1) */
#define PCI_MSI_FLAGS 0x02
#define PCI_MSI_FLAGS_ENABLE 0x0001u
#define PCI_MSI_FLAGS_QMASK 0x000eu    /* multiple message capable */
#define PCI_MSI_FLAGS_QSIZE 0x0070u    /* multiple message enable */
#define PCI_MSI_FLAGS_64BIT 0x0080u
#define PCI_MSI_FLAGS_MASKBIT 0x0100u  /* per-vector masking capable */
#define PCI_MSI_ADDRESS_LO 0x04
#define PCI_MSI_ADDRESS_HI 0x08        /* 64-bit only */
#define PCI_MSI_DATA_32 0x08
#define PCI_MSI_DATA_64 0x0c
#define PCI_MSI_MASK_32 0x0c
#define PCI_MSI_MASK_64 0x10
#define PCI_MSI_PENDING_32 0x10
#define PCI_MSI_PENDING_64 0x14

/* MSI-X capability (PCI 3.0 §6.8.2) */
#define PCI_MSIX_FLAGS 0x02
#define PCI_MSIX_FLAGS_QSIZE 0x07ffu   /* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL 0x4000u
#define PCI_MSIX_FLAGS_ENABLE 0x8000u
#define PCI_MSIX_TABLE 0x04
#define PCI_MSIX_PBA 0x08
#define PCI_MSIX_BIR_MASK 0x00000007u
#define PCI_MSIX_OFFSET_MASK 0xfffffff8u
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_ADDR_LO 0x0
#define PCI_MSIX_ENTRY_ADDR_HI 0x4
#define PCI_MSIX_ENTRY_DATA 0x8
#define PCI_MSIX_ENTRY_CTRL 0xc
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1u

/* PCI Express capability (PCIe 5.0 §7.5.3) */
#define PCI_EXP_FLAGS 0x02
#define PCI_EXP_FLAGS_VERS 0x000fu
#define PCI_EXP_FLAGS_TYPE 0x00f0u
#define PCI_EXP_FLAGS_SLOT 0x0100u     /* slot implemented (root and downstream ports) */
#define PCI_EXP_DEVCAP 0x04
#define PCI_EXP_DEVCTL 0x08
#define PCI_EXP_DEVSTA 0x0a
#define PCI_EXP_DEVSTA_CED 0x0001u     /* correctable error detected */
#define PCI_EXP_DEVSTA_NFED 0x0002u    /* non-fatal error detected */
#define PCI_EXP_DEVSTA_FED 0x0004u     /* fatal error detected */
#define PCI_EXP_DEVSTA_URD 0x0008u     /* unsupported request detected */
#define PCI_EXP_DEVSTA_ERRORS 0x000fu
#define PCI_EXP_LNKCAP 0x0c
#define PCI_EXP_LNKCAP_SLS 0x0000000fu /* max link speed */
#define PCI_EXP_LNKCAP_MLW 0x000003f0u /* max link width */
#define PCI_EXP_LNKCTL 0x10
#define PCI_EXP_LNKSTA 0x12
#define PCI_EXP_SLTCAP 0x14
#define PCI_EXP_SLTCAP_PSN 0xfff80000u /* physical slot number */
#define PCI_EXP_LNKSTA_CLS 0x000fu     /* current link speed */
#define PCI_EXP_LNKSTA_NLW 0x03f0u     /* negotiated link width */
#define PCI_EXP_LNKSTA_LT 0x0800u      /* link training */
#define PCI_EXP_LNKSTA_DLLLA 0x2000u   /* data link layer link active */
#define PCI_EXP_CAP_V1_LINK_END 0x14   /* a v1 capability may end after the link registers */

/* Device/port types in PCI_EXP_FLAGS_TYPE */
#define PCI_EXP_TYPE_ENDPOINT 0x0
#define PCI_EXP_TYPE_LEG_END 0x1
#define PCI_EXP_TYPE_ROOT_PORT 0x4
#define PCI_EXP_TYPE_UPSTREAM 0x5
#define PCI_EXP_TYPE_DOWNSTREAM 0x6
#define PCI_EXP_TYPE_PCI_BRIDGE 0x7
#define PCI_EXP_TYPE_PCIE_BRIDGE 0x8
#define PCI_EXP_TYPE_RC_END 0x9        /* root complex integrated endpoint: no link */
#define PCI_EXP_TYPE_RC_EC 0xa         /* root complex event collector: no link */

/* ---- extended capabilities (PCIe 5.0 §7.6) ---- */
#define PCI_EXT_CAP_FIRST_OFFSET 0x100
#define PCI_EXT_CAP_ID_MASK 0x0000ffffu
#define PCI_EXT_CAP_VER_MASK 0x000f0000u
#define PCI_EXT_CAP_NEXT_MASK 0xfff00000u
#define PCI_EXT_CAP_NEXT_RSVD 0x3u     /* bits 1:0 of the next pointer are reserved */
#define PCI_EXT_CAP_ID_ERR 0x0001      /* advanced error reporting */
#define PCI_EXT_CAP_ID_DSN 0x0003      /* device serial number */

/* AER (PCIe 5.0 §7.8.4) */
#define PCI_ERR_UNCOR_STATUS 0x04
#define PCI_ERR_UNCOR_MASK 0x08
#define PCI_ERR_UNCOR_SEVER 0x0c
#define PCI_ERR_COR_STATUS 0x10
#define PCI_ERR_COR_MASK 0x14
#define PCI_ERR_CAP 0x18               /* capabilities and control */
#define PCI_ERR_CAP_FEP 0x0000001fu    /* first error pointer */
#define PCI_ERR_HEADER_LOG 0x1c        /* four dwords: the TLP header of the first error */
#define PCI_ERR_HEADER_LOG_DWORDS 4

/* DSN (PCIe 5.0 §7.9.3) */
#define PCI_DSN_LOW 0x04
#define PCI_DSN_HIGH 0x08

#endif
