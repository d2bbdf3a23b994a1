/* Message-signalled interrupts (PCI 3.0 §6.8): MSI with one message, and MSI-X with a
 * table of vectors, each delivering a vector from irq_alloc() to the boot CPU, or, once
 * steered (pci_msix_set_dest), to the CPU that drives the device. Enabling
 * either also sets bus mastering (an MSI is a memory write the function issues) and
 * INTx disable (Kiln never uses INTx); enabling one turns the other off. */
#ifndef KILN_MSI_H
#define KILN_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev;

/* ---- MSI ---- */
/* Program the address and data for `vector` (one message, vector 0 unmasked) and enable.
 * PCI_ENOCAP without an MSI capability, PCI_EINVAL for a vector outside the IRQ range or
 * an address a 32-bit-only capability cannot hold, PCI_EGONE if the function vanished. */
int pci_msi_enable(struct pci_dev *d, int vector);
void pci_msi_disable(struct pci_dev *d);
bool pci_msi_enabled(const struct pci_dev *d);
/* Per-vector masking (PCI_ENOCAP when the capability has none). */
bool pci_msi_maskable(const struct pci_dev *d);
int pci_msi_mask(struct pci_dev *d, bool masked);
int pci_msi_pending(const struct pci_dev *d, bool *pending);

/* ---- MSI-X ---- */
/* Number of table entries, 0 without an MSI-X capability. */
unsigned pci_msix_table_size(const struct pci_dev *d);
/* Map the table and the PBA, turn on memory decode, enable MSI-X with every entry masked
 * and the function mask clear. Nothing fires until an entry is programmed and unmasked. */
int pci_msix_enable(struct pci_dev *d);
void pci_msix_disable(struct pci_dev *d);
bool pci_msix_enabled(const struct pci_dev *d);
/* Point entry at `vector`; the entry is masked while it is written and stays masked. */
int pci_msix_set_vector(struct pci_dev *d, unsigned entry, int vector);
/* Deliver entry to the CPU with this APIC id instead (the vector is kept). The entry is
 * masked while its address changes (PCI 3.0 §6.8.2.9: an unmasked entry must not be
 * rewritten) and then left masked or unmasked as it was; a message the function raised
 * meanwhile is held in the PBA and sent, to the new CPU, when the mask lifts. PCI_EINVAL
 * for an APIC id an MSI cannot name (irq_msi_reachable), PCI_EGONE if the function
 * vanished. */
int pci_msix_set_dest(struct pci_dev *d, unsigned entry, uint32_t apic_id);
int pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked);
int pci_msix_masked(const struct pci_dev *d, unsigned entry, bool *masked);
int pci_msix_function_mask(struct pci_dev *d, bool masked);
int pci_msix_pending(const struct pci_dev *d, unsigned entry, bool *pending);
/* Read back an entry's address and data (for tests and diagnostics). */
int pci_msix_entry(const struct pci_dev *d, unsigned entry, uint64_t *address, uint32_t *data);
/* The APIC id entry delivers to, read back from its address. */
int pci_msix_dest(const struct pci_dev *d, unsigned entry, uint32_t *apic_id);

#endif
