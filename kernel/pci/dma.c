#include "kernel/pci/dma.h"

#include "kernel/lib/string.h"
#include "kernel/pci/pci.h"
#include "kernel/pmm.h"

int pci_dma_alloc(struct pci_dma *b, uint64_t size)
{
	if (b->host && b->size >= size) {
		memset(b->host, 0, b->size);
		return PCI_OK;
	}
	pci_dma_free(b);
	uint64_t pages = (size + PMM_PAGE - 1) / PMM_PAGE;
	b->host = page_alloc(pages ? pages : 1);
	if (!b->host) {
		b->size = 0;
		return PCI_ENOMEM;
	}
	b->dev = (uint64_t)(uintptr_t)b->host; /* identity map: physical == virtual */
	b->size = (pages ? pages : 1) * PMM_PAGE;
	return PCI_OK;
}

void pci_dma_free(struct pci_dma *b)
{
	if (b->host)
		page_free(b->host, b->size / PMM_PAGE);
	b->host = 0;
	b->size = 0;
}
