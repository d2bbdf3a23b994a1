/* platform-memory-map: the firmware's map is sane. platform-page-allocator: every free
 * page can be taken, written, read back and given back. */
#include "boot/boot_info.h"
#include "boot/efi_memtype.h"
#include "kernel/harness/ktest.h"
#include "kernel/pmm.h"

extern struct boot_info *kiln_boot_info;

#define SAMPLE_PAGES 64 /* pages that get a full-page pattern, spread over all memory */

void platform_memory_map(struct kt *t)
{
	const struct boot_info *bi = kiln_boot_info;
	if (bi->mmap_desc_size < sizeof(struct efi_mem_desc)) {
		kt_fail(t, "descriptor size %llu is below the UEFI minimum %zu", (unsigned long long)bi->mmap_desc_size,
			sizeof(struct efi_mem_desc));
		return;
	}
	uint64_t n = bi->mmap_size / bi->mmap_desc_size, conv = 0, total = 0;
	const struct efi_mem_desc *prev = 0;
	for (uint64_t i = 0; i < n; i++) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + i * bi->mmap_desc_size);
		if (d->phys % PMM_PAGE)
			kt_fail(t, "entry %llu (%s) at 0x%llx is not page aligned", (unsigned long long)i,
				efi_memtype_name(d->type), (unsigned long long)d->phys);
		if (!d->pages)
			kt_fail(t, "entry %llu (%s) at 0x%llx has no pages", (unsigned long long)i, efi_memtype_name(d->type),
				(unsigned long long)d->phys);
		if (prev && d->phys < prev->phys + prev->pages * PMM_PAGE && d->phys + d->pages * PMM_PAGE > prev->phys)
			kt_fail(t, "entry %llu (%s 0x%llx+%llu pages) overlaps the one before (%s 0x%llx+%llu pages)",
				(unsigned long long)i, efi_memtype_name(d->type), (unsigned long long)d->phys,
				(unsigned long long)d->pages, efi_memtype_name(prev->type), (unsigned long long)prev->phys,
				(unsigned long long)prev->pages);
		if (d->type == EFI_CONVENTIONAL)
			conv += d->pages;
		if ((d->type >= EFI_LOADER_CODE && d->type <= EFI_CONVENTIONAL) || d->type == EFI_ACPI_RECLAIM ||
		    d->type == EFI_ACPI_NVS || d->type == EFI_PERSISTENT)
			total += d->pages;
		prev = d;
	}
	kt_diag(t, "%llu entries, %llu MiB of RAM, %llu MiB conventional at hand-off", (unsigned long long)n,
		(unsigned long long)(total * PMM_PAGE >> 20), (unsigned long long)(conv * PMM_PAGE >> 20));
	if (conv * PMM_PAGE < (64ull << 20))
		kt_fail(t, "only %llu MiB of conventional memory; Kiln needs at least 64 MiB",
			(unsigned long long)(conv * PMM_PAGE >> 20));
}

static uint64_t tag(uint64_t addr, uint64_t seed) { return addr ^ seed ^ 0x6b696c6e6b696c6eull; }

void platform_page_allocator(struct kt *t)
{
	struct pmm *p = &kernel_pmm;
	uint64_t seed = kt_rand(t), before = p->free_pages, got = 0, bad = 0;
	uint64_t head = 0; /* allocated pages form a list through their first word */
	for (;;) {
		uint64_t a = pmm_alloc(p, 1, PMM_PAGE, 0);
		if (!a)
			break;
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)a;
		w[0] = head;
		w[1] = tag(a, seed);
		w[PMM_PAGE / 8 - 1] = ~tag(a, seed);
		head = a;
		got++;
	}
	if (got != before)
		kt_fail(t, "allocated %llu pages one by one, but %llu were free", (unsigned long long)got,
			(unsigned long long)before);
	/* a full pattern on a sample of pages */
	uint64_t stride = got / SAMPLE_PAGES ? got / SAMPLE_PAGES : 1, idx = 0, sampled = 0;
	for (uint64_t a = head; a; a = *(volatile uint64_t *)(uintptr_t)a, idx++) {
		if (idx % stride)
			continue;
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)a;
		for (unsigned i = 2; i < PMM_PAGE / 8 - 1; i++)
			w[i] = tag(a + i * 8, seed) * 0x9e3779b97f4a7c15ull;
		for (unsigned i = 2; i < PMM_PAGE / 8 - 1; i++) {
			uint64_t want = tag(a + i * 8, seed) * 0x9e3779b97f4a7c15ull, got_v = w[i];
			if (got_v != want && bad++ < 8)
				kt_fail(t, "pattern mismatch at 0x%llx expected 0x%016llx got 0x%016llx (bits 0x%016llx)",
					(unsigned long long)(a + i * 8), (unsigned long long)want, (unsigned long long)got_v,
					(unsigned long long)(want ^ got_v));
		}
		sampled++;
	}
	uint64_t freed = 0;
	for (uint64_t a = head; a;) {
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)a;
		uint64_t next = w[0];
		if (w[1] != tag(a, seed) || w[PMM_PAGE / 8 - 1] != ~tag(a, seed)) {
			if (bad++ < 8)
				kt_fail(t, "page 0x%llx lost its tag: expected 0x%016llx got 0x%016llx", (unsigned long long)a,
					(unsigned long long)tag(a, seed), (unsigned long long)w[1]);
		}
		int r = pmm_free(p, a, 1);
		if (r)
			kt_fail(t, "freeing page 0x%llx: %s", (unsigned long long)a, pmm_strerror(r));
		freed++;
		a = next;
	}
	if (p->free_pages != before)
		kt_fail(t, "free pages %llu after returning everything, %llu before", (unsigned long long)p->free_pages,
			(unsigned long long)before);
	kt_diag(t, "%llu pages (%llu MiB) allocated, tagged and freed; %llu pages pattern-checked in full",
		(unsigned long long)got, (unsigned long long)(got * PMM_PAGE >> 20), (unsigned long long)sampled);
}
