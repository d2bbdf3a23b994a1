// sources: kernel/pci/msi.c
/* kernel/pci/msi.c over a fake function: MSI-X enable leaves every entry masked, an entry
 * is pointed at a vector and then steered to another CPU (pci_msix_set_dest: the vector
 * and the mask state are kept, the destination reads back), and the refusals: an APIC id
 * an MSI cannot name, an entry past the table, a table not mapped, a vanished function. */
#include "host_test.h"

#include <stdbool.h>
#include <string.h>

#include "kernel/arch/x86/irq.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/regs.h"

#define CAP 0x70u       /* where the fake function keeps its MSI-X capability */
#define ENTRIES 4u
#define TABLE_OFF 0x100u /* table and PBA in BAR 0 */
#define PBA_OFF 0x800u

static struct {
	uint8_t cfg[256];
	uint8_t bar0[4096] __attribute__((aligned(16)));
	bool gone;
} fake;

/* ---- what msi.c calls: configuration space, BAR mapping, the CPU's MSI format ---- */

static uint32_t cfg_get(uint16_t off, unsigned w)
{
	assert_true(off + w <= sizeof fake.cfg);
	if (fake.gone)
		return w == 4 ? 0xffffffffu : 0xffffu;
	uint32_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint32_t)fake.cfg[off + i] << (8 * i);
	return v;
}
static void cfg_put(uint16_t off, uint32_t v, unsigned w)
{
	assert_true(off + w <= sizeof fake.cfg);
	for (unsigned i = 0; i < w; i++)
		fake.cfg[off + i] = (uint8_t)(v >> (8 * i));
}
uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off) { (void)d; return (uint16_t)cfg_get(off, 2); }
uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off) { (void)d; return cfg_get(off, 4); }
void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v) { (void)d; cfg_put(off, v, 2); }
void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v) { (void)d; cfg_put(off, v, 4); }
int pci_check_present(const struct pci_dev *d) { (void)d; return fake.gone ? PCI_EGONE : PCI_OK; }
void pci_enable_memory(struct pci_dev *d, bool on) { (void)d; (void)on; }
void pci_set_master(struct pci_dev *d, bool on) { (void)d; (void)on; }
void pci_intx_disable(struct pci_dev *d, bool disabled) { (void)d; (void)disabled; }
volatile void *pci_bar_map(struct pci_dev *d, unsigned bar, int *err)
{
	(void)d;
	if (bar != 0) {
		*err = PCI_ENOBAR;
		return 0;
	}
	return fake.bar0;
}

/* The compatibility MSI format of Intel SDM vol. 3 §11.11.1, written out independently of
 * kernel/arch/x86/irq.c: 0xfee in bits 31:20, destination in 19:12, physical mode. */
#define BOOT_APIC 0u
uint32_t irq_boot_apic_id(void) { return BOOT_APIC; }
bool irq_msi_reachable(uint32_t apic_id) { return apic_id <= 255; }
uint64_t irq_msi_address_to(uint32_t apic_id) { return apic_id <= 255 ? 0xfee00000u | apic_id << 12 : 0; }
uint32_t irq_msi_address_dest(uint64_t a) { return (uint32_t)(a >> 12) & 0xff; }
uint64_t irq_msi_address(void) { return irq_msi_address_to(BOOT_APIC); }
uint32_t irq_msi_data(int vector) { return (uint32_t)vector & 0xff; }

static uint32_t entry_word(unsigned entry, unsigned reg)
{
	uint32_t v;
	memcpy(&v, fake.bar0 + TABLE_OFF + entry * PCI_MSIX_ENTRY_SIZE + reg, 4);
	return v;
}

static struct pci_dev dev;

static void fake_function(void)
{
	memset(&fake, 0, sizeof fake);
	memset(&dev, 0, sizeof dev);
	dev.cap_msix = CAP;
	dev.bar[0].size = sizeof fake.bar0;
	cfg_put(CAP + PCI_MSIX_FLAGS, ENTRIES - 1, 2);
	cfg_put(CAP + PCI_MSIX_TABLE, TABLE_OFF, 4); /* BIR 0 */
	cfg_put(CAP + PCI_MSIX_PBA, PBA_OFF, 4);
	assert_int_equal(pci_msix_enable(&dev), PCI_OK);
}

static void enable_masks_every_entry(void **state)
{
	(void)state;
	fake_function();
	assert_true(pci_msix_enabled(&dev));
	assert_int_equal(pci_msix_table_size(&dev), ENTRIES);
	for (unsigned e = 0; e < ENTRIES; e++) {
		bool masked = false;
		assert_int_equal(pci_msix_masked(&dev, e, &masked), PCI_OK);
		assert_true(masked);
	}
	assert_int_equal(cfg_get(CAP + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_MASKALL, 0);
}

static void steer_unmasked_entry(void **state)
{
	(void)state;
	fake_function();
	assert_int_equal(pci_msix_set_vector(&dev, 0, 0x41), PCI_OK);
	assert_int_equal(pci_msix_mask(&dev, 0, false), PCI_OK);
	uint32_t apic = 99;
	assert_int_equal(pci_msix_dest(&dev, 0, &apic), PCI_OK);
	assert_int_equal(apic, BOOT_APIC); /* a new entry goes to the boot CPU */

	assert_int_equal(pci_msix_set_dest(&dev, 0, 3), PCI_OK);
	assert_int_equal(entry_word(0, PCI_MSIX_ENTRY_ADDR_LO), 0xfee03000u);
	assert_int_equal(entry_word(0, PCI_MSIX_ENTRY_ADDR_HI), 0);
	assert_int_equal(entry_word(0, PCI_MSIX_ENTRY_DATA), 0x41); /* the vector is kept */
	bool masked = true;
	assert_int_equal(pci_msix_masked(&dev, 0, &masked), PCI_OK);
	assert_false(masked); /* live again after the rewrite */
	assert_int_equal(pci_msix_dest(&dev, 0, &apic), PCI_OK);
	assert_int_equal(apic, 3);

	/* and back to the boot CPU, and to the largest id an MSI can name */
	assert_int_equal(pci_msix_set_dest(&dev, 0, BOOT_APIC), PCI_OK);
	assert_int_equal(entry_word(0, PCI_MSIX_ENTRY_ADDR_LO), 0xfee00000u);
	assert_int_equal(pci_msix_set_dest(&dev, 0, 255), PCI_OK);
	assert_int_equal(pci_msix_dest(&dev, 0, &apic), PCI_OK);
	assert_int_equal(apic, 255);
}

static void steer_masked_entry_stays_masked(void **state)
{
	(void)state;
	fake_function();
	assert_int_equal(pci_msix_set_vector(&dev, 2, 0x50), PCI_OK);
	assert_int_equal(pci_msix_set_dest(&dev, 2, 7), PCI_OK);
	bool masked = false;
	assert_int_equal(pci_msix_masked(&dev, 2, &masked), PCI_OK);
	assert_true(masked);
	uint32_t apic = 0;
	assert_int_equal(pci_msix_dest(&dev, 2, &apic), PCI_OK);
	assert_int_equal(apic, 7);
	/* the other entries are untouched */
	assert_int_equal(entry_word(1, PCI_MSIX_ENTRY_ADDR_LO), 0);
	assert_int_equal(entry_word(3, PCI_MSIX_ENTRY_ADDR_LO), 0);
}

static void steer_refusals(void **state)
{
	(void)state;
	fake_function();
	assert_int_equal(pci_msix_set_vector(&dev, 1, 0x42), PCI_OK);
	assert_int_equal(pci_msix_mask(&dev, 1, false), PCI_OK);
	/* an x2APIC id past the 8-bit destination field: refused, the entry as it was */
	assert_int_equal(pci_msix_set_dest(&dev, 1, 256), PCI_EINVAL);
	assert_int_equal(pci_msix_set_dest(&dev, 1, 0xffffffffu), PCI_EINVAL);
	assert_int_equal(entry_word(1, PCI_MSIX_ENTRY_ADDR_LO), 0xfee00000u);
	bool masked = true;
	assert_int_equal(pci_msix_masked(&dev, 1, &masked), PCI_OK);
	assert_false(masked);
	/* past the table */
	assert_int_equal(pci_msix_set_dest(&dev, ENTRIES, 1), PCI_EINVAL);
	/* no MSI-X capability; table not mapped yet */
	struct pci_dev none = {0};
	assert_int_equal(pci_msix_set_dest(&none, 0, 1), PCI_ENOCAP);
	struct pci_dev unmapped = {.cap_msix = CAP};
	assert_int_equal(pci_msix_set_dest(&unmapped, 0, 1), PCI_ENOTINIT);
	/* the function vanished: everything reads all-ones */
	fake.gone = true;
	memset(fake.bar0, 0xff, sizeof fake.bar0);
	assert_int_equal(pci_msix_set_dest(&dev, 1, 2), PCI_EGONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enable_masks_every_entry),
		cmocka_unit_test(steer_unmasked_entry),
		cmocka_unit_test(steer_masked_entry_stays_masked),
		cmocka_unit_test(steer_refusals),
	};
	return cmocka_run_group_tests_name("msi", tests, NULL, NULL);
}
