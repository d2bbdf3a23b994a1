/* Virtio 1.x over PCI ("modern" transport) and the network device, as far as Kiln uses
 * them. Source: Virtual I/O Device (VIRTIO) Version 1.2, OASIS, sections 2.1 (status),
 * 2.7 (split virtqueues), 4.1.4 (PCI capabilities and common configuration), 5.1 (network
 * device). */
#ifndef KILN_VIRTIO_HW_H
#define KILN_VIRTIO_HW_H

#include <stdint.h>

#define VIRTIO_PCI_VENDOR 0x1af4u
#define VIRTIO_PCI_DEVICE_NET_TRANSITIONAL 0x1000u
#define VIRTIO_PCI_DEVICE_NET_MODERN 0x1041u  /* 0x1040 + device type 1 */

/* Vendor-specific PCI capability (id 0x09) of the virtio PCI transport (§4.1.4) */
#define VIRTIO_CAP_CFG_TYPE 3
#define VIRTIO_CAP_BAR 4
#define VIRTIO_CAP_OFFSET 8
#define VIRTIO_CAP_LENGTH 12
#define VIRTIO_CAP_NOTIFY_MULT 16    /* notify capability only */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* Common configuration structure (§4.1.4.3) */
#define VIRTIO_COMMON_DFSELECT 0x00  /* le32 device_feature_select */
#define VIRTIO_COMMON_DF 0x04        /* le32 device_feature */
#define VIRTIO_COMMON_GFSELECT 0x08  /* le32 driver_feature_select */
#define VIRTIO_COMMON_GF 0x0c        /* le32 driver_feature */
#define VIRTIO_COMMON_MSIX 0x10      /* le16 config_msix_vector */
#define VIRTIO_COMMON_NUMQ 0x12      /* le16 num_queues */
#define VIRTIO_COMMON_STATUS 0x14    /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN 0x15    /* u8 config_generation */
#define VIRTIO_COMMON_Q_SELECT 0x16  /* le16 */
#define VIRTIO_COMMON_Q_SIZE 0x18    /* le16 */
#define VIRTIO_COMMON_Q_MSIX 0x1a    /* le16 */
#define VIRTIO_COMMON_Q_ENABLE 0x1c  /* le16 */
#define VIRTIO_COMMON_Q_NOFF 0x1e    /* le16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESC 0x20    /* le64 */
#define VIRTIO_COMMON_Q_AVAIL 0x28   /* le64 */
#define VIRTIO_COMMON_Q_USED 0x30    /* le64 */
#define VIRTIO_COMMON_LEN 0x38
#define VIRTIO_MSI_NO_VECTOR 0xffffu

/* Device status (§2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* Feature bits (§6, §5.1.3) */
#define VIRTIO_F_VERSION_1 32u
#define VIRTIO_NET_F_MTU 3u
#define VIRTIO_NET_F_MAC 5u
#define VIRTIO_NET_F_STATUS 16u

/* Network device configuration (§5.1.4) */
#define VIRTIO_NET_CFG_MAC 0       /* u8[6] */
#define VIRTIO_NET_CFG_STATUS 6    /* le16 */
#define VIRTIO_NET_S_LINK_UP 0x1u
#define VIRTIO_NET_RXQ 0           /* receiveq1 */
#define VIRTIO_NET_TXQ 1           /* transmitq1 */

/* Every packet starts with this header; with VERSION_1 num_buffers is always present
 * (§5.1.6). Kiln offloads nothing: all fields zero on TX, ignored on RX. */
struct virtio_net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
} __attribute__((packed));
#define VIRTIO_NET_HDR_LEN 12u

/* Split virtqueue (§2.7) */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
struct virtq_avail_hdr {
	uint16_t flags, idx; /* then le16 ring[size], le16 used_event */
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
struct virtq_used_elem {
	uint32_t id, len;
};
struct virtq_used_hdr {
	uint16_t flags, idx; /* then struct virtq_used_elem ring[size], le16 avail_event */
};

#endif
