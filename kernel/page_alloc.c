/* The kernel's page allocator: kernel_pmm over the EFI map, handing out zeroed pages.
 * One lock (taken with interrupts masked) makes it safe from every CPU. */
#include "kernel/pmm.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/lib/string.h"

struct pmm kernel_pmm;
static struct spinlock lock = SPINLOCK_INIT;

void *page_alloc_below(uint64_t pages, uint64_t limit)
{
	int on = spin_lock_irqsave(&lock);
	uint64_t a = pmm_alloc(&kernel_pmm, pages, PMM_PAGE, limit);
	spin_unlock_irqrestore(&lock, on);
	if (!a)
		return 0;
	memset((void *)(uintptr_t)a, 0, pages * PMM_PAGE);
	return (void *)(uintptr_t)a;
}

void *page_alloc(uint64_t pages) { return page_alloc_below(pages, 0); }

void page_free(void *p, uint64_t pages)
{
	if (!p)
		return;
	int on = spin_lock_irqsave(&lock);
	pmm_free(&kernel_pmm, (uint64_t)(uintptr_t)p, pages);
	spin_unlock_irqrestore(&lock, on);
}

unsigned page_take_free(struct pmm_extent *out, unsigned max, uint64_t keep_pages)
{
	int on = spin_lock_irqsave(&lock);
	unsigned n = 0, largest = 0;
	for (unsigned i = 1; i < kernel_pmm.count; i++)
		if (kernel_pmm.ext[i].pages > kernel_pmm.ext[largest].pages)
			largest = i;
	unsigned count = kernel_pmm.count;
	for (unsigned i = 0; i < count && n < max; i++) {
		struct pmm_extent e = kernel_pmm.ext[i];
		if (i == largest) { /* the reserve stays at the top of the largest extent */
			if (e.pages <= keep_pages)
				continue;
			e.pages -= keep_pages;
		}
		out[n++] = e;
	}
	for (unsigned i = 0; i < n; i++) /* after the walk: reserving reshapes the extent list */
		pmm_reserve(&kernel_pmm, out[i].base, out[i].pages);
	spin_unlock_irqrestore(&lock, on);
	return n;
}

void page_give_back(const struct pmm_extent *ext, unsigned n)
{
	int on = spin_lock_irqsave(&lock);
	for (unsigned i = 0; i < n; i++)
		pmm_free(&kernel_pmm, ext[i].base, ext[i].pages);
	spin_unlock_irqrestore(&lock, on);
}
