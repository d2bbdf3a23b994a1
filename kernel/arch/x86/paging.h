/* Kiln's own 4-level page tables: an identity map where RAM is write-back, MMIO is
 * uncached, page 0 and stack guard pages are unmapped. */
#ifndef KILN_PAGING_H
#define KILN_PAGING_H

#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12

struct boot_info;

enum map_kind { MAP_WB, MAP_UC };

/* Where page tables and CPU stacks come from: zeroed pages or NULL. The arch layer is
 * given one (kernel/page_alloc.c's page_alloc) rather than reaching up for it. */
typedef void *(*arch_page_alloc_fn)(uint64_t pages);

/* Build the identity map from the EFI memory map; tables (now and for later mappings)
 * come from `alloc`. */
int paging_init(const struct boot_info *bi, arch_page_alloc_fn alloc);
/* Identity-map [phys, phys+size) with the given caching; returns 0 or -1 (out of memory,
 * or the range is not canonical). Re-mapping an already mapped range changes its kind. */
int paging_map(uint64_t phys, uint64_t size, enum map_kind kind);
/* Map a device region uncached and return a pointer to it (identity), or NULL. */
void *mmio_map(uint64_t phys, uint64_t size);
void paging_unmap_page(uint64_t addr);

/* Change the caching of mapped memory in place (the memory suite's uncached case): the
 * range is re-mapped as `kind` (MAP_UC: PCD|PWT, PAT entry 3) in the tables every CPU
 * shares, then this CPU's TLB is flushed and its caches written back and invalidated.
 * Every other CPU must run paging_flush_local() before it touches the range again, and
 * a range made MAP_UC is given back as MAP_WB before the memory is used for anything
 * else. Returns 0, or -1 when a table could not be allocated. */
int paging_set_caching(uint64_t phys, uint64_t size, enum map_kind kind);
/* This CPU: reload CR3 (every non-global TLB entry) and WBINVD. */
void paging_flush_local(void);
/* The caching the mapping of addr has: MAP_WB, MAP_UC, or -1 when it is not mapped. */
int paging_caching_of(uint64_t addr);
/* The memory type PCD|PWT selects: IA32_PAT entry 3 (0 = UC, its value after reset;
 * 7 = UC-), or 0 when the CPU has no PAT (PCD alone then means uncached). */
unsigned paging_uc_memory_type(void);
/* 1 when a 4 KiB page at addr is mapped. */
int paging_is_mapped(uint64_t addr);

#endif
