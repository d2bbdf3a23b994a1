/* MSI and MSI-X programming (PCI 3.0 §6.8.1, §6.8.2). The address/data pair comes from
 * kernel/arch/x86/irq.c; this file only knows where a function keeps it. */
#include "kernel/pci/msi.h"

#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/pci/pci.h"

#define MSI_ADDR_ALIGN 0x3u       /* message address bits 1:0 are reserved as zero */
#define MSI_VECTOR0 0x1u          /* mask/pending bit of the only message Kiln uses */
#define MSI_ALL_BUT_VECTOR0 0xfffffffeu
#define MSIX_PBA_BITS 32          /* the PBA is read a dword at a time */

/* ---- MSI ---- */

static uint16_t msi_flags(const struct pci_dev *d) { return pci_cfg_read16(d, d->cap_msi + PCI_MSI_FLAGS); }
static bool msi_64(const struct pci_dev *d) { return (msi_flags(d) & PCI_MSI_FLAGS_64BIT) != 0; }
static uint16_t msi_mask_reg(const struct pci_dev *d)
{
	return (uint16_t)(d->cap_msi + (msi_64(d) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32));
}

static bool vector_ok(int vector) { return vector >= IRQ_VEC_FIRST && vector <= IRQ_VEC_LAST; }

/* Both MSI flavours need the function to master the bus and INTx out of the way. */
static void claim_for_msi(struct pci_dev *d)
{
	pci_intx_disable(d, true);
	pci_set_master(d, true);
}

bool pci_msi_enabled(const struct pci_dev *d) { return d->cap_msi && (msi_flags(d) & PCI_MSI_FLAGS_ENABLE); }

int pci_msi_enable(struct pci_dev *d, int vector)
{
	if (!d->cap_msi)
		return PCI_ENOCAP;
	if (!vector_ok(vector))
		return PCI_EINVAL;
	if (pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	uint64_t addr = irq_msi_address();
	uint32_t data = irq_msi_data(vector);
	uint16_t flags = msi_flags(d);
	bool is64 = (flags & PCI_MSI_FLAGS_64BIT) != 0;
	if ((addr & MSI_ADDR_ALIGN) || (!is64 && (addr >> 32)))
		return PCI_EINVAL;
	if (pci_msix_enabled(d))
		pci_msix_disable(d);
	/* Off while the message changes, one message (multiple message enable = 0). */
	flags = (uint16_t)(flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
	pci_cfg_write16(d, d->cap_msi + PCI_MSI_FLAGS, flags);
	pci_cfg_write32(d, d->cap_msi + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
	if (is64) {
		pci_cfg_write32(d, d->cap_msi + PCI_MSI_ADDRESS_HI, (uint32_t)(addr >> 32));
		pci_cfg_write16(d, d->cap_msi + PCI_MSI_DATA_64, (uint16_t)data);
	} else {
		pci_cfg_write16(d, d->cap_msi + PCI_MSI_DATA_32, (uint16_t)data);
	}
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		pci_cfg_write32(d, msi_mask_reg(d), MSI_ALL_BUT_VECTOR0);
	claim_for_msi(d);
	pci_cfg_write16(d, d->cap_msi + PCI_MSI_FLAGS, (uint16_t)(flags | PCI_MSI_FLAGS_ENABLE));
	return pci_check_present(d);
}

void pci_msi_disable(struct pci_dev *d)
{
	if (!d->cap_msi)
		return;
	uint16_t flags = msi_flags(d);
	if (flags & PCI_MSI_FLAGS_ENABLE)
		pci_cfg_write16(d, d->cap_msi + PCI_MSI_FLAGS, (uint16_t)(flags & ~PCI_MSI_FLAGS_ENABLE));
	/* INTx stays disabled: nothing in Kiln would service it. */
}

bool pci_msi_maskable(const struct pci_dev *d) { return d->cap_msi && (msi_flags(d) & PCI_MSI_FLAGS_MASKBIT); }

int pci_msi_mask(struct pci_dev *d, bool masked)
{
	if (!pci_msi_maskable(d))
		return PCI_ENOCAP;
	uint16_t reg = msi_mask_reg(d);
	uint32_t m = pci_cfg_read32(d, reg);
	pci_cfg_write32(d, reg, masked ? (m | MSI_VECTOR0) : (m & ~MSI_VECTOR0));
	return pci_check_present(d);
}

int pci_msi_pending(const struct pci_dev *d, bool *pending)
{
	*pending = false;
	if (!pci_msi_maskable(d))
		return PCI_ENOCAP;
	uint16_t reg = (uint16_t)(d->cap_msi + (msi_64(d) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32));
	uint32_t p = pci_cfg_read32(d, reg);
	if (p == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	*pending = (p & MSI_VECTOR0) != 0;
	return PCI_OK;
}

/* ---- MSI-X ---- */

static uint16_t msix_ctl(const struct pci_dev *d) { return pci_cfg_read16(d, d->cap_msix + PCI_MSIX_FLAGS); }

unsigned pci_msix_table_size(const struct pci_dev *d)
{
	return d->cap_msix ? (unsigned)PCI_FIELD_GET(PCI_MSIX_FLAGS_QSIZE, msix_ctl(d)) + 1u : 0;
}

bool pci_msix_enabled(const struct pci_dev *d) { return d->cap_msix && (msix_ctl(d) & PCI_MSIX_FLAGS_ENABLE); }

/* Map the structure a table/PBA register points at; it must lie inside its BAR. */
static volatile uint8_t *map_region(struct pci_dev *d, uint16_t reg, uint64_t len, int *err)
{
	uint32_t v = pci_cfg_read32(d, reg);
	unsigned bir = PCI_FIELD_GET(PCI_MSIX_BIR_MASK, v);
	uint64_t off = v & PCI_MSIX_OFFSET_MASK;
	volatile uint8_t *bar = pci_bar_map(d, bir, err);
	if (!bar)
		return 0;
	if (off + len > d->bar[bir].size) {
		*err = PCI_ERANGE;
		return 0;
	}
	return bar + off;
}

static uintptr_t entry_reg(const struct pci_dev *d, unsigned entry, unsigned reg)
{
	return (uintptr_t)(d->msix_table + (uintptr_t)entry * PCI_MSIX_ENTRY_SIZE + reg);
}

static int entry_ok(const struct pci_dev *d, unsigned entry)
{
	if (!d->cap_msix)
		return PCI_ENOCAP;
	if (!d->msix_table || !d->msix_pba)
		return PCI_ENOTINIT;
	return entry < d->msix_size ? PCI_OK : PCI_EINVAL;
}

int pci_msix_enable(struct pci_dev *d)
{
	if (!d->cap_msix)
		return PCI_ENOCAP;
	if (pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	unsigned n = pci_msix_table_size(d);
	int err = PCI_OK;
	volatile uint8_t *table = map_region(d, d->cap_msix + PCI_MSIX_TABLE, (uint64_t)n * PCI_MSIX_ENTRY_SIZE, &err);
	if (!table)
		return err;
	volatile uint8_t *pba = map_region(d, d->cap_msix + PCI_MSIX_PBA, ((n + 63u) / 64u) * 8u, &err);
	if (!pba)
		return err;
	d->msix_table = table;
	d->msix_pba = pba;
	d->msix_size = (uint16_t)n;
	pci_msi_disable(d);
	pci_enable_memory(d, true); /* the table lives in a memory BAR */
	claim_for_msi(d);
	/* Enable with the function masked, mask every entry, then lift the function mask:
	 * entries are only ever live once programmed. */
	uint16_t ctl = msix_ctl(d);
	pci_cfg_write16(d, d->cap_msix + PCI_MSIX_FLAGS, (uint16_t)(ctl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	for (unsigned i = 0; i < n; i++)
		mmio_write32(entry_reg(d, i, PCI_MSIX_ENTRY_CTRL), PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_cfg_write16(d, d->cap_msix + PCI_MSIX_FLAGS,
			(uint16_t)((ctl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL));
	return pci_check_present(d);
}

void pci_msix_disable(struct pci_dev *d)
{
	if (!d->cap_msix)
		return;
	uint16_t ctl = msix_ctl(d);
	if (ctl & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL))
		pci_cfg_write16(d, d->cap_msix + PCI_MSIX_FLAGS,
				(uint16_t)(ctl & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)));
}

int pci_msix_set_vector(struct pci_dev *d, unsigned entry, int vector)
{
	int e = entry_ok(d, entry);
	if (e)
		return e;
	if (!vector_ok(vector))
		return PCI_EINVAL;
	uint64_t addr = irq_msi_address();
	uint32_t ctrl = mmio_read32(entry_reg(d, entry, PCI_MSIX_ENTRY_CTRL));
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_CTRL), ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT);
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_LO), (uint32_t)addr);
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_HI), (uint32_t)(addr >> 32));
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_DATA), irq_msi_data(vector));
	return PCI_OK;
}

int pci_msix_set_dest(struct pci_dev *d, unsigned entry, uint32_t apic_id)
{
	int e = entry_ok(d, entry);
	if (e)
		return e;
	if (!irq_msi_reachable(apic_id))
		return PCI_EINVAL;
	uintptr_t r = entry_reg(d, entry, PCI_MSIX_ENTRY_CTRL);
	uint32_t ctrl = mmio_read32(r);
	if (ctrl == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	uint64_t addr = irq_msi_address_to(apic_id);
	bool was_masked = (ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT) != 0;
	if (!was_masked)
		mmio_write32(r, ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT);
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_LO), (uint32_t)addr);
	mmio_write32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_HI), (uint32_t)(addr >> 32));
	if (!was_masked)
		mmio_write32(r, ctrl);
	(void)mmio_read32(r); /* flush the posted writes before the caller relies on them */
	return PCI_OK;
}

int pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked)
{
	int e = entry_ok(d, entry);
	if (e)
		return e;
	uintptr_t r = entry_reg(d, entry, PCI_MSIX_ENTRY_CTRL);
	uint32_t ctrl = mmio_read32(r);
	mmio_write32(r, masked ? (ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT) : (ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT));
	(void)mmio_read32(r); /* flush the posted write before the caller relies on it */
	return PCI_OK;
}

int pci_msix_masked(const struct pci_dev *d, unsigned entry, bool *masked)
{
	int e = entry_ok(d, entry);
	if (e)
		return e;
	uint32_t ctrl = mmio_read32(entry_reg(d, entry, PCI_MSIX_ENTRY_CTRL));
	if (ctrl == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	*masked = (ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT) != 0;
	return PCI_OK;
}

int pci_msix_function_mask(struct pci_dev *d, bool masked)
{
	if (!d->cap_msix)
		return PCI_ENOCAP;
	uint16_t ctl = msix_ctl(d);
	pci_cfg_write16(d, d->cap_msix + PCI_MSIX_FLAGS,
			masked ? (uint16_t)(ctl | PCI_MSIX_FLAGS_MASKALL) : (uint16_t)(ctl & ~PCI_MSIX_FLAGS_MASKALL));
	return pci_check_present(d);
}

int pci_msix_pending(const struct pci_dev *d, unsigned entry, bool *pending)
{
	*pending = false;
	int e = entry_ok(d, entry);
	if (e)
		return e;
	uint32_t w = mmio_read32((uintptr_t)(d->msix_pba + (entry / MSIX_PBA_BITS) * 4u));
	if (w == PCI_CFG_ALL_ONES && pci_check_present(d) != PCI_OK)
		return PCI_EGONE;
	*pending = (w >> (entry % MSIX_PBA_BITS)) & 1u;
	return PCI_OK;
}

int pci_msix_entry(const struct pci_dev *d, unsigned entry, uint64_t *address, uint32_t *data)
{
	int e = entry_ok(d, entry);
	if (e)
		return e;
	*address = mmio_read32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_LO)) |
		   ((uint64_t)mmio_read32(entry_reg(d, entry, PCI_MSIX_ENTRY_ADDR_HI)) << 32);
	*data = mmio_read32(entry_reg(d, entry, PCI_MSIX_ENTRY_DATA));
	return PCI_OK;
}

int pci_msix_dest(const struct pci_dev *d, unsigned entry, uint32_t *apic_id)
{
	uint64_t addr;
	uint32_t data;
	int e = pci_msix_entry(d, entry, &addr, &data);
	if (e)
		return e;
	*apic_id = irq_msi_address_dest(addr);
	return PCI_OK;
}
