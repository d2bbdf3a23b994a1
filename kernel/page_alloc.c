/* The kernel's page allocator: kernel_pmm over the EFI map, handing out zeroed pages. */
#include "kernel/pmm.h"
#include "kernel/lib/string.h"

struct pmm kernel_pmm;

void *page_alloc_below(uint64_t pages, uint64_t limit)
{
	uint64_t a = pmm_alloc(&kernel_pmm, pages, PMM_PAGE, limit);
	if (!a)
		return 0;
	memset((void *)(uintptr_t)a, 0, pages * PMM_PAGE);
	return (void *)(uintptr_t)a;
}

void *page_alloc(uint64_t pages) { return page_alloc_below(pages, 0); }

void page_free(void *p, uint64_t pages)
{
	if (p)
		pmm_free(&kernel_pmm, (uint64_t)(uintptr_t)p, pages);
}
