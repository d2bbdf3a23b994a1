/* Suite `memory` (run when named: suites=memory): memtest86+-class tests of host RAM on
 * all free memory and every CPU. Each case takes every free page out of the allocator
 * (but a small reserve for the run), splits it evenly over the boot CPU and every online
 * AP (lanes, kernel/harness/lane.c), runs one algorithm (memtest.c) on all of them at
 * once, gives the memory back, and reports memtest86+-style: physical address, expected,
 * actual, differing bits and the CPU; then its coverage (MiB tested of MiB present, and
 * what was excluded) and bandwidth. `memory-fade` (bit fade, minutes) and
 * `memory-selftest` (an injected bit flip that must be reported at its exact address)
 * are suites of their own, also run only when named. */
#include "boot/boot_info.h"
#include "boot/efi_memtype.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/harness/lane.h"
#include "kernel/lib/string.h"
#include "kernel/pmm.h"
#include "kernel/time.h"
#include "tests/suites/memory/memtest.h"

extern struct boot_info *kiln_boot_info;

#define MiB (1024ull * 1024)
#define KEEP_BYTES (16 * MiB)     /* left to the allocator while a test holds the rest */
#define MAX_EXT 256
#define CASE_TIMEOUT_S 3600       /* all free RAM under emulation takes minutes per test */
#define LANE_TIMEOUT_S 3300       /* inside the case's own deadline */
#define FADE_WAIT_S 300           /* bit fade: five minutes per polarity */
#define FADE_TIMEOUT_S 3600
#define INJECT_BYTES (64 * MiB)   /* the selftest's region */

#define PROBE_BYTES (8 * MiB)   /* per CPU: the uncached case's cached-vs-uncached window */

enum job_kind { JOB_TEST, JOB_FILL, JOB_CHECK, JOB_COPY, JOB_WALK, JOB_FLUSH, JOB_PROBE };

struct job {
	struct mt_run run;
	enum job_kind kind;
	enum mt_test test;
	uint64_t pattern;
	uint64_t ns, bytes;       /* the last job's time and traffic */
};

/* Static, not on the stack: an AP may still use them if the case is aborted. */
static struct {
	struct pmm_extent ext[MAX_EXT];
	unsigned next;
	unsigned ncpu;
	struct cpu *cpu[SMP_MAX_CPUS];
	struct job *jobs;         /* ncpu, page-allocated once */
	struct lane *lanes;
	uint64_t tested, held;
} P;

static void job_run(void *arg)
{
	struct job *j = arg;
	uint64_t t0 = time_ns(), b0 = j->run.bytes;
	switch (j->kind) {
	case JOB_TEST: mt_run_test(&j->run, j->test); break;
	case JOB_FILL: mt_fill(&j->run, j->pattern); break;
	case JOB_CHECK: mt_check(&j->run, j->pattern); break;
	case JOB_COPY: mt_copy(&j->run); break;
	case JOB_WALK: mt_addr_walk1(&j->run); break;
	case JOB_FLUSH: paging_flush_local(); break;
	case JOB_PROBE:
		mt_fill(&j->run, j->pattern);
		mt_check(&j->run, j->pattern);
		break;
	}
	j->ns = time_ns() - t0;
	j->bytes = j->run.bytes - b0;
}

static bool prepare(struct kt *t)
{
	if (!P.jobs) {
		uint64_t jp = (SMP_MAX_CPUS * sizeof(struct job) + PMM_PAGE - 1) / PMM_PAGE;
		uint64_t lp = (SMP_MAX_CPUS * sizeof(struct lane) + PMM_PAGE - 1) / PMM_PAGE;
		P.jobs = page_alloc(jp);
		P.lanes = page_alloc(lp);
		if (!P.jobs || !P.lanes) {
			kt_fail(t, "no memory for the per-CPU test state");
			return false;
		}
	}
	P.ncpu = 0;
	P.cpu[P.ncpu++] = smp_cpu(0);
	for (unsigned i = 1; i < smp_count(); i++)
		if (lane_cpu_usable(smp_cpu(i), false))
			P.cpu[P.ncpu++] = smp_cpu(i);
	return true;
}

/* Take the free memory (at most `limit` bytes of it when limit != 0) and split it evenly
 * over the CPUs, page-aligned, each CPU's share in at most MT_MAX_RANGES ranges. */
static bool take(struct kt *t, uint64_t seed, uint64_t limit)
{
	P.next = page_take_free(P.ext, MAX_EXT, KEEP_BYTES / PMM_PAGE);
	uint64_t total = 0;
	for (unsigned i = 0; i < P.next; i++)
		total += P.ext[i].pages * PMM_PAGE;
	P.held = total;
	if (limit && total > limit)
		total = limit;
	if (!total) {
		kt_fail(t, "no free memory to test");
		return false;
	}
	uint64_t share = total / P.ncpu / PMM_PAGE * PMM_PAGE, used = 0;
	unsigned e = 0;
	uint64_t off = 0; /* into P.ext[e] */
	for (unsigned c = 0; c < P.ncpu; c++) {
		struct job *j = &P.jobs[c];
		memset(j, 0, sizeof *j);
		j->run.seed = seed ^ (0x9e3779b97f4a7c15ull * (c + 1));
		uint64_t want = c + 1 == P.ncpu ? total - used : share;
		while (want && e < P.next && j->run.nranges < MT_MAX_RANGES) {
			uint64_t avail = P.ext[e].pages * PMM_PAGE - off, n = avail < want ? avail : want;
			j->run.ranges[j->run.nranges++] = (struct mt_range){(uint64_t *)(uintptr_t)(P.ext[e].base + off), n / 8};
			want -= n;
			used += n;
			off += n;
			if (off == P.ext[e].pages * PMM_PAGE) {
				e++;
				off = 0;
			}
		}
	}
	P.tested = used;
	return true;
}

static void give_back(void) { page_give_back(P.ext, P.next); P.next = 0; }

/* Run the prepared jobs on every CPU at once; the boot CPU does its own share. */
static void run_jobs(struct kt *t, uint64_t lane_timeout_s)
{
	unsigned started[SMP_MAX_CPUS] = {0};
	for (unsigned c = 1; c < P.ncpu; c++)
		started[c] = lane_start(&P.lanes[c], P.cpu[c], job_run, &P.jobs[c], lane_timeout_s * NS_PER_S) == 0;
	job_run(&P.jobs[0]);
	for (unsigned c = 1; c < P.ncpu; c++) {
		if (!started[c]) { /* the boot CPU takes the share itself: coverage stays whole */
			kt_diag(t, "cpu %u (apic id %u) did not take its share; the boot CPU tests it", P.cpu[c]->index,
				P.cpu[c]->apic_id);
			job_run(&P.jobs[c]);
			continue;
		}
		if (lane_wait(&P.lanes[c]) != LANE_DONE)
			kt_fail(t, "%s", P.lanes[c].why);
	}
}

static uint64_t popcount(uint64_t x)
{
	uint64_t n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

/* memtest86+'s columns: CPU, address, expected, found, error bits. */
static uint64_t report_errors(struct kt *t)
{
	uint64_t errors = 0;
	for (unsigned c = 0; c < P.ncpu; c++) {
		const struct mt_run *r = &P.jobs[c].run;
		for (unsigned k = 0; k < r->kept; k++) {
			uint64_t bits = r->first[k].expected ^ r->first[k].actual;
			kt_fail(t, "error at 0x%016llx: expected 0x%016llx, actual 0x%016llx, bits 0x%016llx (%llu bit(s)) on cpu %u (apic id %u)",
				(unsigned long long)r->first[k].addr, (unsigned long long)r->first[k].expected,
				(unsigned long long)r->first[k].actual, (unsigned long long)bits,
				(unsigned long long)popcount(bits), P.cpu[c]->index, P.cpu[c]->apic_id);
		}
		if (r->errors > r->kept)
			kt_fail(t, "cpu %u (apic id %u): %llu more error(s) not listed", P.cpu[c]->index, P.cpu[c]->apic_id,
				(unsigned long long)(r->errors - r->kept));
		errors += r->errors;
	}
	return errors;
}

static bool is_ram(uint32_t type)
{
	switch (type) {
	case EFI_LOADER_CODE: case EFI_LOADER_DATA: case EFI_BS_CODE: case EFI_BS_DATA: case EFI_RT_CODE:
	case EFI_RT_DATA: case EFI_CONVENTIONAL: case EFI_ACPI_RECLAIM: case EFI_ACPI_NVS: case EFI_PERSISTENT:
	case EFI_UNUSABLE:
		return true;
	default:
		return false;
	}
}

/* every_word: the case wrote and checked every word it holds (all but the address walk,
 * which touches the power-of-two offsets of each range); only those count as host RAM
 * tested in the run's coverage line. */
static void report_coverage(struct kt *t, bool every_word)
{
	if (every_word)
		kt_cover(t, KT_COVER_HOST_RAM, 0, P.tested);
	const struct boot_info *bi = kiln_boot_info;
	uint64_t present = 0, firmware = 0, low = 0;
	for (uint64_t off = 0; bi && off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + off);
		if (!is_ram(d->type))
			continue;
		uint64_t size = d->pages * PMM_PAGE;
		present += size;
		bool ours = d->type == EFI_CONVENTIONAL || d->type == EFI_LOADER_CODE || d->type == EFI_LOADER_DATA ||
			    ((d->type == EFI_BS_CODE || d->type == EFI_BS_DATA) && !(d->attr & EFI_MEMORY_RUNTIME));
		if (!ours)
			firmware += size;
		else if (d->phys < 0x100000)
			low += (d->phys + size > 0x100000 ? 0x100000 - d->phys : size);
	}
	uint64_t kiln = present - firmware - low - P.held - KEEP_BYTES;
	if (present < firmware + low + P.held + KEEP_BYTES)
		kiln = 0;
	kt_diag(t, "coverage: %llu MiB tested of %llu MiB present (%llu.%llu%%) on %u CPU(s); excluded: firmware-reserved "
		   "(runtime, ACPI, unusable) %llu MiB, below 1 MiB %llu KiB, Kiln (image, stacks, page tables, buffers) "
		   "%llu MiB, kept free for the run %llu MiB, free but outside this case's region %llu MiB",
		(unsigned long long)(P.tested / MiB), (unsigned long long)(present / MiB),
		(unsigned long long)(present ? P.tested * 100 / present : 0),
		(unsigned long long)(present ? P.tested * 1000 / present % 10 : 0), P.ncpu,
		(unsigned long long)(firmware / MiB), (unsigned long long)(low / 1024), (unsigned long long)(kiln / MiB),
		(unsigned long long)(KEEP_BYTES / MiB), (unsigned long long)((P.held - P.tested) / MiB));
	kt_measure(t, "memory-tested", (int64_t)(P.tested / MiB), 0, "MiB");
}

/* One figure per CPU and the aggregate (all bytes over the slowest CPU's time) of the
 * last jobs, as diagnostics and `# measure` lines named <name>-cpuN and <name>-total. */
static uint64_t report_bandwidth(struct kt *t, const char *name, const char *what)
{
	uint64_t bytes = 0, slowest = 0;
	char m[64];
	for (unsigned c = 0; c < P.ncpu; c++) {
		const struct job *j = &P.jobs[c];
		bytes += j->bytes;
		if (j->ns > slowest)
			slowest = j->ns;
		uint64_t mbs = j->ns ? j->bytes * 1000 / j->ns : 0;
		kt_diag(t, "cpu %u (apic id %u): %s: %llu MiB moved in %llu ms, %llu MB/s", P.cpu[c]->index,
			P.cpu[c]->apic_id, what, (unsigned long long)(j->bytes / MiB), (unsigned long long)(j->ns / NS_PER_MS),
			(unsigned long long)mbs);
		ksnprintf(m, sizeof m, "%s-cpu%u", name, P.cpu[c]->index);
		kt_measure(t, m, (int64_t)mbs, 0, "MB/s");
	}
	uint64_t total = slowest ? bytes * 1000 / slowest : 0;
	ksnprintf(m, sizeof m, "%s-total", name);
	kt_measure(t, m, (int64_t)total, 0, "MB/s");
	return total;
}

static void set_kind(enum job_kind k)
{
	for (unsigned c = 0; c < P.ncpu; c++)
		P.jobs[c].kind = k;
}

static void run_test(struct kt *t, enum mt_test test)
{
	if (!prepare(t) || !take(t, kt_seed(t) ^ kt_rand(t), 0))
		return;
	for (unsigned c = 0; c < P.ncpu; c++) {
		P.jobs[c].kind = JOB_TEST;
		P.jobs[c].test = test;
	}
	run_jobs(t, LANE_TIMEOUT_S);
	uint64_t test_mbs = report_bandwidth(t, "memory-bandwidth", mt_test_name(test));
	/* the bound: a plain copy over the same memory on the same CPUs, right after */
	set_kind(JOB_COPY);
	run_jobs(t, LANE_TIMEOUT_S);
	uint64_t copy_mbs = report_bandwidth(t, "memory-memcpy", "memcpy bound");
	give_back();
	uint64_t errors = report_errors(t);
	report_coverage(t, true);
	kt_diag(t, "%s: %llu MB/s aggregate, %llu.%llu%% of the memcpy bound (%llu MB/s) on the same memory and CPUs",
		mt_test_name(test), (unsigned long long)test_mbs,
		(unsigned long long)(copy_mbs ? test_mbs * 100 / copy_mbs : 0),
		(unsigned long long)(copy_mbs ? test_mbs * 1000 / copy_mbs % 10 : 0), (unsigned long long)copy_mbs);
	kt_diag(t, "%s: %llu error(s)", mt_test_name(test), (unsigned long long)errors);
}

static void memory_own_address(struct kt *t) { run_test(t, MT_OWN_ADDRESS); }
static void memory_inv_ones_zeros(struct kt *t) { run_test(t, MT_INV_ONES_ZEROS); }
static void memory_inv_walk8(struct kt *t) { run_test(t, MT_INV_WALK8); }
static void memory_inv_random(struct kt *t) { run_test(t, MT_INV_RANDOM); }
static void memory_block_move(struct kt *t) { run_test(t, MT_BLOCK_MOVE); }
static void memory_random_seq(struct kt *t) { run_test(t, MT_RANDOM_SEQ); }
static void memory_modulo20(struct kt *t) { run_test(t, MT_MODULO20); }

/* ---- uncached: memtest86+ runs its test 0 (address test, walking ones) with the cache
 * off (its tests/tests.c, test_list and run_test), and only that one. Here every CPU's
 * share is mapped uncached in Kiln's own page tables (PCD|PWT), every CPU flushes its
 * TLB and caches, the walk runs, and the memory goes back to write-back, flushed again.
 * A window of each share is filled and checked both ways, so the figures show that the
 * mapping took effect (on hardware; QEMU's TCG ignores caching). */

/* Every range of every share re-mapped as kind and checked in the page tables, then
 * flushed on every CPU. A range that fails is said and the others still go on (going back
 * to write-back must reach every range it can); false when any failed. */
static bool set_caching(struct kt *t, enum map_kind kind, uint64_t *pages)
{
	const char *what = kind == MAP_UC ? "uncached" : "write-back";
	bool ok = true;
	*pages = 0;
	for (unsigned c = 0; c < P.ncpu; c++) {
		const struct mt_run *r = &P.jobs[c].run;
		for (unsigned k = 0; k < r->nranges; k++) {
			uint64_t base = (uint64_t)(uintptr_t)r->ranges[k].base, len = r->ranges[k].words * 8;
			if (paging_set_caching(base, len, kind) < 0) {
				kt_fail(t, "could not map 0x%016llx+0x%llx %s (no page for a table)", (unsigned long long)base,
					(unsigned long long)len, what);
				ok = false;
			} else if (paging_caching_of(base) != (int)kind || paging_caching_of(base + len - 1) != (int)kind) {
				kt_fail(t, "0x%016llx+0x%llx is not %s after the re-mapping", (unsigned long long)base,
					(unsigned long long)len, what);
				ok = false;
			} else {
				*pages += len / PMM_PAGE;
			}
		}
	}
	set_kind(JOB_FLUSH); /* every CPU: TLB and caches, before anyone touches the range */
	run_jobs(t, LANE_TIMEOUT_S);
	return ok;
}

/* Fill and check the first PROBE_BYTES of every share on every CPU at once. */
static uint64_t probe(struct kt *t, uint64_t pattern, const char *name, const char *what)
{
	unsigned saved_n[SMP_MAX_CPUS], cut[SMP_MAX_CPUS];
	uint64_t saved_words[SMP_MAX_CPUS];
	for (unsigned c = 0; c < P.ncpu; c++) {
		struct mt_run *r = &P.jobs[c].run;
		uint64_t left = PROBE_BYTES / 8;
		unsigned k = 0;
		while (k < r->nranges && r->ranges[k].words < left)
			left -= r->ranges[k++].words;
		saved_n[c] = r->nranges;
		cut[c] = k;
		if (k < r->nranges) { /* the share is larger than the window: cut it at range k */
			saved_words[c] = r->ranges[k].words;
			r->ranges[k].words = left;
			r->nranges = k + 1;
		}
		P.jobs[c].kind = JOB_PROBE;
		P.jobs[c].pattern = pattern;
	}
	run_jobs(t, LANE_TIMEOUT_S);
	for (unsigned c = 0; c < P.ncpu; c++) {
		struct mt_run *r = &P.jobs[c].run;
		if (cut[c] < saved_n[c])
			r->ranges[cut[c]].words = saved_words[c];
		r->nranges = saved_n[c];
	}
	return report_bandwidth(t, name, what);
}

static void memory_addr_walk_uncached(struct kt *t)
{
	if (!prepare(t) || !take(t, kt_seed(t) ^ kt_rand(t), 0))
		return;
	unsigned type = paging_uc_memory_type();
	uint64_t pages;
	if (type != 0 && type != 7) /* UC, or UC- (UC for RAM, whose MTRR type is WB) */
		kt_fail(t, "IA32_PAT entry 3 (PCD|PWT) is memory type %u, not UC (0) or UC- (7): the firmware changed the PAT",
			type);
	else {
		uint64_t uc = 0;
		if (set_caching(t, MAP_UC, &pages)) {
			kt_diag(t, "uncached: %llu MiB in the CPUs' shares mapped PCD|PWT (PAT entry 3: %s), TLBs and caches "
				   "flushed on %u CPU(s)",
				(unsigned long long)(pages * PMM_PAGE / MiB), type ? "UC-" : "UC", P.ncpu);
			set_kind(JOB_WALK);
			run_jobs(t, LANE_TIMEOUT_S);
			for (unsigned c = 0; c < P.ncpu; c++)
				kt_diag(t, "cpu %u (apic id %u): address walk over %u range(s) in %llu ms", P.cpu[c]->index,
					P.cpu[c]->apic_id, P.jobs[c].run.nranges, (unsigned long long)(P.jobs[c].ns / NS_PER_MS));
			uc = probe(t, 0x5555aaaa5555aaaaull, "memory-uncached", "uncached fill+check");
		}
		/* always, even after a partial failure: no page goes back to the allocator uncached */
		if (set_caching(t, MAP_WB, &pages)) {
			uint64_t wb = probe(t, 0xaaaa5555aaaa5555ull, "memory-cached", "write-back fill+check");
			kt_diag(t, "write-back restored on %llu MiB; the same %llu MiB window per CPU: uncached %llu MB/s, "
				   "write-back %llu MB/s",
				(unsigned long long)(pages * PMM_PAGE / MiB), (unsigned long long)(PROBE_BYTES / MiB),
				(unsigned long long)uc, (unsigned long long)wb);
		}
	}
	give_back();
	uint64_t errors = report_errors(t);
	report_coverage(t, false);
	kt_diag(t, "address-walking-ones-uncached: %llu error(s)", (unsigned long long)errors);
}

static const struct kt_case cases[] = {
	{"memory-address-walking-ones-uncached", memory_addr_walk_uncached, CASE_TIMEOUT_S},
	{"memory-own-address", memory_own_address, CASE_TIMEOUT_S},
	{"memory-moving-inversions-ones-zeros", memory_inv_ones_zeros, CASE_TIMEOUT_S},
	{"memory-moving-inversions-walking-8bit", memory_inv_walk8, CASE_TIMEOUT_S},
	{"memory-moving-inversions-random", memory_inv_random, CASE_TIMEOUT_S},
	{"memory-block-move", memory_block_move, CASE_TIMEOUT_S},
	{"memory-random-sequence", memory_random_seq, CASE_TIMEOUT_S},
	{"memory-modulo-20", memory_modulo20, CASE_TIMEOUT_S},
};
KT_SUITE(memory, KT_SUITE_EXPLICIT);

/* ---- bit fade: fill, wait, check; zeros then ones ------------------------------------- */

static void fade_phase(struct kt *t, uint64_t pattern)
{
	for (unsigned c = 0; c < P.ncpu; c++) {
		P.jobs[c].kind = JOB_FILL;
		P.jobs[c].pattern = pattern;
	}
	run_jobs(t, LANE_TIMEOUT_S / 3);
	kt_diag(t, "filled with 0x%016llx; waiting %u s", (unsigned long long)pattern, FADE_WAIT_S);
	udelay((uint64_t)FADE_WAIT_S * 1000000);
	for (unsigned c = 0; c < P.ncpu; c++)
		P.jobs[c].kind = JOB_CHECK;
	run_jobs(t, LANE_TIMEOUT_S / 3);
}

static void memory_bit_fade(struct kt *t)
{
	if (!prepare(t) || !take(t, kt_seed(t), 0))
		return;
	fade_phase(t, 0);
	fade_phase(t, ~0ull);
	give_back();
	uint64_t errors = report_errors(t);
	report_coverage(t, true);
	kt_diag(t, "bit-fade: %llu error(s)", (unsigned long long)errors);
}

static const struct kt_case fade_cases[] = {
	{"memory-fade-bit-fade", memory_bit_fade, FADE_TIMEOUT_S},
};
/* a dash in the name: KT_SUITE spells the identifier, so this one is written out */
const struct kt_suite kt_suite_memory_fade = {"memory-fade", KT_CASES(fade_cases), KT_SUITE_EXPLICIT, 0};

/* ---- proof of detection: one bit flipped in a tested page ----------------------------- */

static struct {
	volatile uint64_t *word;
	uint64_t bit;
	int done;
} inject;

static void flip_once(struct mt_run *r)
{
	if (inject.done)
		return;
	inject.done = 1;
	*inject.word ^= inject.bit;
}

static void memory_selftest_bit_error(struct kt *t)
{
	if (!prepare(t) || !take(t, kt_seed(t), INJECT_BYTES))
		return;
	unsigned c = (unsigned)(kt_rand(t) % P.ncpu);
	struct mt_run *r = &P.jobs[c].run;
	const struct mt_range *g = &r->ranges[kt_rand(t) % r->nranges];
	inject.word = g->base + kt_rand(t) % g->words;
	inject.bit = 1ull << (kt_rand(t) % 64);
	inject.done = 0;
	r->after_write = flip_once;
	kt_diag(t, "injecting a flip of bits 0x%016llx at 0x%016llx, in cpu %u's share, after the first write pass",
		(unsigned long long)inject.bit, (unsigned long long)(uintptr_t)inject.word, P.cpu[c]->index);
	for (unsigned k = 0; k < P.ncpu; k++) {
		P.jobs[k].kind = JOB_TEST;
		P.jobs[k].test = MT_INV_ONES_ZEROS;
	}
	run_jobs(t, LANE_TIMEOUT_S);
	give_back();
	uint64_t errors = report_errors(t); /* fails the case, as a real error would */
	report_coverage(t, true);
	if (r->kept && r->first[0].addr == (uint64_t)(uintptr_t)inject.word &&
	    (r->first[0].expected ^ r->first[0].actual) == inject.bit)
		kt_diag(t, "detection proven: the report names the injected address and bit (%llu error(s) in all)",
			(unsigned long long)errors);
	else
		kt_fail(t, "the injected flip at 0x%016llx was not reported there (%llu error(s) in all)",
			(unsigned long long)(uintptr_t)inject.word, (unsigned long long)errors);
}

static const struct kt_case selftest_cases[] = {
	{"memory-selftest-bit-error", memory_selftest_bit_error, CASE_TIMEOUT_S},
};
const struct kt_suite kt_suite_memory_selftest = {"memory-selftest", KT_CASES(selftest_cases), KT_SUITE_EXPLICIT, 0};
