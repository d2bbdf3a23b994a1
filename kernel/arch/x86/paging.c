/* Kiln's page tables: identity map, 2 MiB pages where a range allows, 4 KiB pages where
 * it does not (the first 2 MiB, guard pages, small MMIO windows). */
#include "kernel/arch/x86/paging.h"

#include "boot/boot_info.h"
#include "kernel/arch/x86/cpu.h"
#include "boot/efi_memtype.h"

#define PTE_P 0x001ull
#define PTE_W 0x002ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS 0x080ull
#define PTE_ADDR 0x000ffffffffff000ull
#define LARGE 0x200000ull
#define ENTRIES 512
#define CANONICAL_LIMIT (1ull << 47)
#define MSR_PAT 0x277
#define PAT_ENTRY3_SHIFT 24
#define PAT_TYPE_MASK 0x7u
#define CPUID_EDX_PAT (1u << 16)

static uint64_t *pml4;
static arch_page_alloc_fn table_alloc;

static uint64_t attrs(enum map_kind k) { return PTE_P | PTE_W | (k == MAP_UC ? (PTE_PCD | PTE_PWT) : 0); }

static uint64_t *next_table(uint64_t *entry, int split_large_level)
{
	if (*entry & PTE_P) {
		if (!(*entry & PTE_PS))
			return (uint64_t *)(uintptr_t)(*entry & PTE_ADDR);
		/* Split a 2 MiB page into 4 KiB pages with the same attributes. */
		uint64_t *t = table_alloc(1);
		if (!t)
			return 0;
		uint64_t base = *entry & PTE_ADDR & ~(LARGE - 1), fl = *entry & (PTE_P | PTE_W | PTE_PWT | PTE_PCD);
		for (int i = 0; i < ENTRIES; i++)
			t[i] = (base + (uint64_t)i * PAGE_SIZE) | fl;
		*entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
		return t;
	}
	(void)split_large_level;
	uint64_t *t = table_alloc(1);
	if (!t)
		return 0;
	*entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
	return t;
}

static int map_one(uint64_t addr, uint64_t remaining, enum map_kind kind, uint64_t *step)
{
	uint64_t *pdpt = next_table(&pml4[(addr >> 39) & 511], 0);
	if (!pdpt)
		return -1;
	uint64_t *pd = next_table(&pdpt[(addr >> 30) & 511], 0);
	if (!pd)
		return -1;
	uint64_t *pde = &pd[(addr >> 21) & 511];
	if (!(addr & (LARGE - 1)) && remaining >= LARGE && (!(*pde & PTE_P) || (*pde & PTE_PS))) {
		*pde = addr | attrs(kind) | PTE_PS;
		*step = LARGE;
		return 0;
	}
	uint64_t *pt = next_table(pde, 1);
	if (!pt)
		return -1;
	pt[(addr >> 12) & 511] = addr | attrs(kind);
	*step = PAGE_SIZE;
	return 0;
}

int paging_map(uint64_t phys, uint64_t size, enum map_kind kind)
{
	uint64_t a = phys & ~(PAGE_SIZE - 1);
	uint64_t end = (phys + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (end < a || end > CANONICAL_LIMIT)
		return -1;
	while (a < end) {
		uint64_t step;
		if (map_one(a, end - a, kind, &step) < 0)
			return -1;
		a += step;
	}
	if (read_cr3() == (uint64_t)(uintptr_t)pml4)
		write_cr3((uint64_t)(uintptr_t)pml4); /* flush: mappings may have changed kind */
	return 0;
}

void *mmio_map(uint64_t phys, uint64_t size)
{
	if (!phys || paging_map(phys, size, MAP_UC) < 0)
		return 0;
	return (void *)(uintptr_t)phys;
}

static uint64_t *walk(uint64_t addr, int *large)
{
	uint64_t *t = pml4;
	*large = 0;
	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t *e = &t[(addr >> shift) & 511];
		if (!(*e & PTE_P))
			return 0;
		if (shift == 12 || (*e & PTE_PS)) {
			*large = shift != 12;
			return e;
		}
		t = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	return 0;
}

int paging_is_mapped(uint64_t addr)
{
	int large;
	return walk(addr, &large) != 0;
}

void paging_unmap_page(uint64_t addr)
{
	addr &= ~(PAGE_SIZE - 1);
	int large;
	uint64_t *e = walk(addr, &large);
	if (!e)
		return;
	if (large) {
		uint64_t step;
		/* remap the page as 4 KiB to split its 2 MiB parent, then clear it */
		enum map_kind k = (*e & PTE_PCD) ? MAP_UC : MAP_WB;
		if (map_one(addr, PAGE_SIZE, k, &step) < 0)
			return;
		e = walk(addr, &large);
		if (!e)
			return;
	}
	*e = 0;
	invlpg(addr);
}

void paging_flush_local(void)
{
	write_cr3(read_cr3());
	wbinvd();
}

int paging_set_caching(uint64_t phys, uint64_t size, enum map_kind kind)
{
	if (paging_map(phys, size, kind) < 0)
		return -1;
	paging_flush_local();
	return 0;
}

int paging_caching_of(uint64_t addr)
{
	int large;
	uint64_t *e = walk(addr & ~(PAGE_SIZE - 1), &large);
	if (!e)
		return -1;
	return (*e & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT) ? MAP_UC : MAP_WB;
}

unsigned paging_uc_memory_type(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[3] & CPUID_EDX_PAT))
		return 0;
	return (unsigned)(rdmsr(MSR_PAT) >> PAT_ENTRY3_SHIFT) & PAT_TYPE_MASK;
}

int paging_init(const struct boot_info *bi, arch_page_alloc_fn alloc)
{
	table_alloc = alloc;
	pml4 = table_alloc(1);
	if (!pml4)
		return -1;
	for (uint64_t off = 0; off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + off);
		uint64_t size = d->pages * PAGE_SIZE;
		int r = 0;
		switch (d->type) {
		case EFI_LOADER_CODE: case EFI_LOADER_DATA: case EFI_BS_CODE: case EFI_BS_DATA:
		case EFI_RT_CODE: case EFI_RT_DATA: case EFI_CONVENTIONAL: case EFI_ACPI_RECLAIM:
		case EFI_ACPI_NVS: case EFI_PERSISTENT:
			r = paging_map(d->phys, size, MAP_WB);
			break;
		default:
			/* MMIO, reserved (SMBIOS may live there) and the rest: uncached, so a
			 * stray access cannot leave dirty lines over device memory. */
			r = paging_map(d->phys, size, MAP_UC);
			break;
		}
		if (r < 0)
			return -1;
	}
	paging_unmap_page(0);
	paging_unmap_page(bi->stack_base - PAGE_SIZE);
	write_cr3((uint64_t)(uintptr_t)pml4);
	return 0;
}
