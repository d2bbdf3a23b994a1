#include "kernel/pmm.h"

#include "kernel/lib/string.h"

void pmm_init(struct pmm *p, uint64_t low_limit)
{
	memset(p, 0, sizeof *p);
	p->low_limit = low_limit;
}

const char *pmm_strerror(int err)
{
	switch (err) {
	case PMM_OK: return "ok";
	case PMM_EUNALIGNED: return "address not page aligned";
	case PMM_EOVERLAP: return "range overlaps free memory (double free)";
	case PMM_EFULL: return "too many free extents";
	case PMM_ENOMEM: return "out of memory";
	}
	return "unknown error";
}

static int insert_at(struct pmm *p, unsigned i, uint64_t base, uint64_t pages)
{
	if (p->count >= PMM_MAX_EXTENTS)
		return PMM_EFULL;
	memmove(&p->ext[i + 1], &p->ext[i], (p->count - i) * sizeof p->ext[0]);
	p->ext[i] = (struct pmm_extent){base, pages};
	p->count++;
	return PMM_OK;
}

static void remove_at(struct pmm *p, unsigned i)
{
	memmove(&p->ext[i], &p->ext[i + 1], (p->count - i - 1) * sizeof p->ext[0]);
	p->count--;
}

static uint64_t end_of(const struct pmm_extent *e) { return e->base + e->pages * PMM_PAGE; }

int pmm_add(struct pmm *p, uint64_t base, uint64_t pages)
{
	if (base % PMM_PAGE)
		return PMM_EUNALIGNED;
	if (!pages)
		return PMM_OK;
	if (pages > (UINT64_MAX - base) / PMM_PAGE) /* pages * 4096 or base + size wraps */
		return PMM_EUNALIGNED;
	uint64_t end = base + pages * PMM_PAGE;
	if (end <= p->low_limit)
		return PMM_OK;
	if (base < p->low_limit) {
		base = p->low_limit;
		pages = (end - base) / PMM_PAGE;
	}
	/* first extent that starts at or after `base` */
	unsigned i = 0;
	while (i < p->count && p->ext[i].base < base)
		i++;
	if (i > 0 && end_of(&p->ext[i - 1]) > base)
		return PMM_EOVERLAP;
	if (i < p->count && p->ext[i].base < end)
		return PMM_EOVERLAP;
	int merge_prev = i > 0 && end_of(&p->ext[i - 1]) == base;
	int merge_next = i < p->count && p->ext[i].base == end;
	if (merge_prev && merge_next) {
		p->ext[i - 1].pages += pages + p->ext[i].pages;
		remove_at(p, i);
	} else if (merge_prev) {
		p->ext[i - 1].pages += pages;
	} else if (merge_next) {
		p->ext[i].base = base;
		p->ext[i].pages += pages;
	} else {
		int r = insert_at(p, i, base, pages);
		if (r)
			return r;
	}
	p->free_pages += pages;
	return PMM_OK;
}

/* Remove [start, start + pages) from extent i, which contains it. */
static int cut(struct pmm *p, unsigned i, uint64_t start, uint64_t pages)
{
	struct pmm_extent *e = &p->ext[i];
	uint64_t end = start + pages * PMM_PAGE, e_end = end_of(e);
	if (start == e->base && end == e_end) {
		remove_at(p, i);
	} else if (start == e->base) {
		e->base = end;
		e->pages -= pages;
	} else if (end == e_end) {
		e->pages -= pages;
	} else {
		int r = insert_at(p, i + 1, end, (e_end - end) / PMM_PAGE);
		if (r)
			return r;
		p->ext[i].pages = (start - p->ext[i].base) / PMM_PAGE;
	}
	p->free_pages -= pages;
	return PMM_OK;
}

int pmm_reserve(struct pmm *p, uint64_t base, uint64_t pages)
{
	if (base % PMM_PAGE)
		return PMM_EUNALIGNED;
	/* a range past the top of the address space reserves everything above base */
	uint64_t end = pages > (UINT64_MAX - base) / PMM_PAGE ? UINT64_MAX : base + pages * PMM_PAGE;
	for (unsigned i = 0; i < p->count;) {
		struct pmm_extent *e = &p->ext[i];
		uint64_t s = e->base > base ? e->base : base;
		uint64_t t = end_of(e) < end ? end_of(e) : end;
		if (s >= t) {
			i++;
			continue;
		}
		unsigned before = p->count;
		int r = cut(p, i, s, (t - s) / PMM_PAGE);
		if (r)
			return r;
		if (p->count >= before) /* the extent survived (trimmed or split): look past it */
			i++;
	}
	return PMM_OK;
}

uint64_t pmm_alloc(struct pmm *p, uint64_t pages, uint64_t align, uint64_t limit)
{
	if (!pages || align < PMM_PAGE || (align & (align - 1)))
		return 0;
	uint64_t size = pages * PMM_PAGE;
	if (size / PMM_PAGE != pages)
		return 0;
	/* Top-down first fit: low memory stays free for what needs it (32-bit DMA). */
	for (unsigned k = p->count; k-- > 0;) {
		struct pmm_extent *e = &p->ext[k];
		uint64_t top = end_of(e);
		if (limit && top > limit)
			top = limit;
		if (top < e->base + size)
			continue;
		uint64_t start = (top - size) & ~(align - 1);
		if (start < e->base)
			continue;
		if (cut(p, k, start, pages))
			return 0;
		return start;
	}
	return 0;
}
