/* DMA-able memory for PCI drivers: whole zeroed pages, with the address the device uses
 * beside the one the CPU uses. On x86 under Kiln the map is the identity and there is no
 * IOMMU in the way (Kiln owns the machine, the firmware leaves translation off), so the
 * two are equal; drivers still keep them apart so that a later IOMMU changes only this. */
#ifndef KILN_PCI_DMA_H
#define KILN_PCI_DMA_H

#include <stdint.h>

struct pci_dma {
	void *host;     /* CPU address; NULL when not allocated */
	uint64_t dev;   /* bus address the device is given */
	uint64_t size;  /* bytes, whole pages */
};

/* PCI_OK or PCI_ENOMEM. Memory already held and large enough is zeroed and kept. */
int pci_dma_alloc(struct pci_dma *b, uint64_t size);
void pci_dma_free(struct pci_dma *b);

#endif
