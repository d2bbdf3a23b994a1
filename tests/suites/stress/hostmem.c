/* The stress suite's host memory load: on each CPU that drives no device, the memtest86+
 * algorithms of the memory suite (tests/suites/memory/memtest.c) over a region of its own,
 * round after round until the stress ends: each round one algorithm over one chunk of the
 * region (so the end of the stress is never more than a chunk away), the chunk and the
 * algorithm moving on every round. An error is kept memtest86+-style (address, expected,
 * actual, bits, CPU) with the time into the stress. */
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pmm.h"
#include "tests/suites/stress/stress.h"

bool stress_mem_init(struct stress_mem *m, uint64_t bytes, uint64_t seed)
{
	memset(m, 0, sizeof *m);
	/* the largest region up to `bytes` the allocator has in one piece, 1 MiB at least */
	for (uint64_t pages = bytes / PMM_PAGE; pages >= (1u << 20) / PMM_PAGE; pages /= 2) {
		m->base = page_alloc(pages);
		if (m->base) {
			m->pages = pages;
			break;
		}
	}
	if (!m->base)
		return false;
	m->bytes_region = m->pages * PMM_PAGE;
	m->chunks = (m->bytes_region + STRESS_MEM_CHUNK - 1) / STRESS_MEM_CHUNK;
	m->run.nranges = 1;
	m->run.seed = seed;
	return true;
}

void stress_mem_fini(struct stress_mem *m)
{
	if (m->base)
		page_free(m->base, m->pages);
	m->base = 0;
}

static unsigned bits(uint64_t x)
{
	unsigned n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

bool stress_mem_round(struct stress_mem *m)
{
	struct cpu *c = this_cpu();
	m->cpu = c->index;
	m->apic_id = c->apic_id;
	/* chunk k, algorithm (round + round / chunks): every chunk meets every algorithm */
	uint64_t k = m->rounds % m->chunks, off = k * STRESS_MEM_CHUNK;
	uint64_t len = m->bytes_region - off < STRESS_MEM_CHUNK ? m->bytes_region - off : STRESS_MEM_CHUNK;
	enum mt_test test = (enum mt_test)((m->rounds + m->rounds / m->chunks) % MT_TEST_COUNT);
	m->run.ranges[0] = (struct mt_range){(uint64_t *)((uint8_t *)m->base + off), len / 8};
	if (m->rounds < m->chunks)
		m->covered += len;
	uint64_t t0 = time_ns();
	mt_run_test(&m->run, test);
	m->ns += time_ns() - t0;
	m->rounds++;
	if (!m->run.errors)
		return true;
	const struct mt_err *e = &m->run.first[0];
	uint64_t ms = stress_ms(), diff = e->expected ^ e->actual;
	ksnprintf(m->why, sizeof m->why,
		  "host memory (%s): error at 0x%016llx: expected 0x%016llx, actual 0x%016llx, bits 0x%016llx (%u bit(s)) "
		  "on cpu %u (apic id %u), %llu error(s), at %llu.%03llu s into the stress",
		  mt_test_name(test), (unsigned long long)e->addr, (unsigned long long)e->expected,
		  (unsigned long long)e->actual, (unsigned long long)diff, bits(diff), m->cpu, m->apic_id,
		  (unsigned long long)m->run.errors, (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
	m->failed = 1;
	stress_stop();
	return false;
}
