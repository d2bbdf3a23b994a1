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
