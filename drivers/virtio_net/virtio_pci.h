/* The virtio 1.x PCI transport (VIRTIO 1.2 §4.1): the vendor capabilities that locate the
 * common, notify, ISR and device-specific structures in the BARs; device status, feature
 * negotiation and split virtqueues (§2.7) in DMA memory. Every wait is bounded. */
#ifndef KILN_VIRTIO_PCI_H
#define KILN_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio_net/hw.h"
#include "kernel/pci/dma.h"
#include "kernel/pci/pci.h"

#define VIRTIO_RESET_WAIT_MS 1000u
#define VIRTQ_SIZE_MAX 256u

struct virtio_pci {
	struct pci_dev *pci;
	uintptr_t common, notify, isr, device; /* mapped structures; isr may be 0 */
	uint32_t notify_mult, device_len;
	uint64_t features;        /* negotiated */
};

struct virtq {
	uint16_t index, size;     /* size: a power of two */
	struct pci_dma mem;       /* descriptors, available ring, used ring */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail_hdr *avail;
	volatile uint16_t *avail_ring;
	volatile struct virtq_used_hdr *used;
	volatile struct virtq_used_elem *used_ring;
	uint16_t avail_idx;       /* next free slot of the available ring (free running) */
	uint16_t used_seen;       /* used entries consumed so far (free running) */
	uint16_t notified;        /* avail_idx at the last notification */
	uintptr_t notify_addr;
	uint16_t msix;            /* the MSI-X table entry as the device read it back */
};

/* Locate and map the structures. 0, or -1 with why. */
int virtio_pci_attach(struct virtio_pci *v, struct pci_dev *d, char *why, unsigned len);
/* Write 0 to device_status and wait until it reads 0. */
int virtio_reset(struct virtio_pci *v, char *why, unsigned len);
uint8_t virtio_status(const struct virtio_pci *v);
void virtio_status_set(struct virtio_pci *v, uint8_t bits);
/* ACKNOWLEDGE, DRIVER, offer `wanted & device`, FEATURES_OK and check it stuck. Features in
 * `required` the device lacks fail. */
int virtio_negotiate(struct virtio_pci *v, uint64_t wanted, uint64_t required, char *why, unsigned len);
uint64_t virtio_device_features(struct virtio_pci *v);
uint16_t virtio_queue_max(struct virtio_pci *v, uint16_t index);
/* Allocate (or reuse) and program queue `index` with at most VIRTQ_SIZE_MAX entries and
 * `msix` as its MSI-X entry (VIRTIO_MSI_NO_VECTOR: none); enable it. */
int virtq_setup(struct virtio_pci *v, struct virtq *q, uint16_t index, uint16_t msix, char *why, unsigned len);
/* Set the configuration-change MSI-X entry; returns what the device read back. */
uint16_t virtio_config_msix(struct virtio_pci *v, uint16_t entry);
uint8_t virtio_dev_read8(const struct virtio_pci *v, uint32_t off);
uint16_t virtio_dev_read16(const struct virtio_pci *v, uint32_t off);

/* Split-ring helpers */
static inline uint16_t virtq_in_flight(const struct virtq *q) { return (uint16_t)(q->avail_idx - q->used_seen); }
/* Put descriptor `id` on the available ring (not yet visible to the device). */
void virtq_post(struct virtq *q, uint16_t id);
/* Publish posted entries (available idx) and notify the device if any are new. */
void virtq_kick(struct virtq *q);
/* The device's used index. */
uint16_t virtq_used_idx(const struct virtq *q);

#endif
