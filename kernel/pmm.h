/* The physical page allocator: free memory as a sorted list of extents, built from the
 * EFI memory map. Pure logic (no hardware access), unit-tested on the host. */
#ifndef KILN_PMM_H
#define KILN_PMM_H

#include <stdint.h>

#define PMM_PAGE 4096ull
#define PMM_MAX_EXTENTS 1024

struct pmm_extent {
	uint64_t base;  /* bytes, page aligned */
	uint64_t pages;
};

struct pmm {
	struct pmm_extent ext[PMM_MAX_EXTENTS];
	unsigned count;
	uint64_t free_pages;
	uint64_t low_limit; /* nothing below this address is ever handed out */
};

enum pmm_err { PMM_OK = 0, PMM_EUNALIGNED = -1, PMM_EOVERLAP = -2, PMM_EFULL = -3, PMM_ENOMEM = -4 };

void pmm_init(struct pmm *p, uint64_t low_limit);
/* Give pages to the allocator (also how pages are freed). Adjacent extents merge;
 * overlapping an already-free range is refused (a double free). */
int pmm_add(struct pmm *p, uint64_t base, uint64_t pages);
static inline int pmm_free(struct pmm *p, uint64_t base, uint64_t pages) { return pmm_add(p, base, pages); }
/* Take a specific range out of the free set, whatever parts of it are free. */
int pmm_reserve(struct pmm *p, uint64_t base, uint64_t pages);
/* Allocate `pages` contiguous pages aligned to `align` bytes (a power of two, at least a
 * page), below `limit` (0: no limit). Returns the base address or 0 when impossible. */
uint64_t pmm_alloc(struct pmm *p, uint64_t pages, uint64_t align, uint64_t limit);
const char *pmm_strerror(int err);

/* The kernel's allocator, over the EFI map. */
extern struct pmm kernel_pmm;
/* Zeroed pages or NULL; the caller reports exhaustion (there is no silent fallback). */
void *page_alloc(uint64_t pages);
void *page_alloc_below(uint64_t pages, uint64_t limit);
void page_free(void *p, uint64_t pages);
/* Take (up to max extents of) every free page out of the allocator but keep_pages, for a
 * test of the memory itself; returns how many extents went to out. page_give_back
 * returns them. Nothing else may allocate much in between. */
unsigned page_take_free(struct pmm_extent *out, unsigned max, uint64_t keep_pages);
void page_give_back(const struct pmm_extent *ext, unsigned n);

#endif
