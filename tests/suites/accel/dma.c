/* Suite `dma`: LIN_DMA between host memory, SRAM and HBM in every direction, from one byte
 * to 64 MiB, aligned and not, memset, several engines at once, a faulting transfer
 * reported and recovered from. Data is a seeded pattern (kt_rand); the far side is read
 * back through the BAR (or host memory), so the check does not trust the engine that
 * moved the data. Bytes around the destination are guarded: a DMA that writes too much
 * is caught too. Bandwidth is measured beside a CPU copy of the same bytes through the BAR. */
#include "drivers/accel/accel.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/median.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "kernel/lib/pattern.h"
#include "tests/suites/accel/accel_test.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define GUARD 64u            /* guarded bytes each side of a destination */
#define HOST_SPAN (4 * MIB)  /* host buffers of the small cases */
#define BIG (64 * MIB)       /* the big transfers */
#define LADDER_MAX (2 * MIB) /* largest transfer of the per-direction cases (SRAM is 4 MiB) */
#define SOAK_MS 5000u        /* dma-soak: how long to keep copying */
#define MAX_FAILED 3u        /* a case stops after this many failed transfers */
#define BW_REPS 7u           /* timed LADDER_MAX transfers behind a bandwidth figure (the median) */

enum region { HOST, SRAM, HBM };
static const char *const region_name[] = {"host", "sram", "hbm"};

/* Where a case's data lives: host buffers, and fixed windows of SRAM and HBM. */
struct place {
	struct accel *a;
	struct accel_buf host; /* the host side of every transfer */
	uint64_t host_span;
	volatile uint8_t *hbm; /* the HBM BAR window, placed at HBM offset 0 */
};

static uint64_t region_size(struct place *p, enum region r)
{
	/* HBM: what the BAR window shows at base 0 (the hbm suite walks the whole HBM) */
	return r == HOST ? p->host_span : r == SRAM ? p->a->sram_size : p->a->hbm_win_size;
}

static volatile uint8_t *cpu_ptr(struct place *p, enum region r, uint64_t off)
{
	return r == HOST ? (volatile uint8_t *)p->host.host + off : r == SRAM ? p->a->sram + off : p->hbm + off;
}

static uint64_t dev_addr(struct place *p, enum region r, uint64_t off)
{
	return r == HOST ? p->host.dev + off : r == SRAM ? accel_sram_addr(off) : accel_hbm_addr(off);
}

/* Addresses in diagnostics: HBM/SRAM by offset, host memory by physical address. */
static uint64_t diag_off(struct place *p, enum region r, uint64_t off) { return r == HOST ? p->host.dev + off : off; }

/* The queue failed: say why, then reset it so the next transfer (and case) can run. */
static void dma_failed(struct kt *t, struct accel *a, unsigned q, const char *what, int r, const char *why)
{
	char name[16], rw[200];
	kt_fail(t, "%s %s: %s: %s", a->bdf, accel_queue_name(q, name), what, why[0] ? why : accel_strerror(r));
	if (accel_queue_reset(a, q) && accel_reset(a, rw, sizeof rw))
		kt_diag(t, "%s: device reset after the failure did not work either: %s", a->bdf, rw);
}

/* One verified transfer: source filled with pattern `seed` (byte i = pattern byte soff+i),
 * destination and GUARD bytes either side pre-filled with another pattern; after the DMA the
 * destination must hold the source bytes and the guards must be intact. Returns false on a
 * failure (already reported). `ns` gets the transfer time. */
static bool xfer(struct kt *t, struct place *p, unsigned q, enum region sr, uint64_t soff, enum region dr,
		 uint64_t doff, uint64_t len, uint64_t seed, uint64_t *ns)
{
	struct accel *a = p->a;
	char what[96], why[700];
	uint64_t gseed = ~seed;
	uint64_t lo = doff > GUARD ? doff - GUARD : 0;
	uint64_t hi = doff + len + GUARD < region_size(p, dr) ? doff + len + GUARD : region_size(p, dr);
	ksnprintf(what, sizeof what, "%s+0x%llx -> %s+0x%llx, %llu bytes", region_name[sr],
		  (unsigned long long)diag_off(p, sr, soff), region_name[dr], (unsigned long long)diag_off(p, dr, doff),
		  (unsigned long long)len);
	pattern_fill(cpu_ptr(p, dr, lo), hi - lo, gseed, lo);
	pattern_fill(cpu_ptr(p, sr, soff), len, seed, soff);
	uint64_t t0 = time_ns();
	int r = accel_dma(a, q, dev_addr(p, sr, soff), dev_addr(p, dr, doff), len, why, sizeof why);
	if (ns)
		*ns = time_ns() - t0;
	if (r) {
		dma_failed(t, a, q, what, r, why);
		return false;
	}
	char who[120];
	char qn[16];
	ksnprintf(who, sizeof who, "%s %s %s", a->bdf, accel_queue_name(q, qn), what);
	uint64_t bad = pat_check(t, who, region_name[dr], diag_off(p, dr, doff), cpu_ptr(p, dr, doff), len, seed, soff);
	if (doff > lo)
		bad += pat_check(t, who, region_name[dr], diag_off(p, dr, lo), cpu_ptr(p, dr, lo), doff - lo, gseed, lo);
	if (hi > doff + len)
		bad += pat_check(t, who, region_name[dr], diag_off(p, dr, doff + len), cpu_ptr(p, dr, doff + len),
				 hi - doff - len, gseed, doff + len);
	return bad == 0;
}

static bool place_init(struct kt *t, struct place *p, struct accel *a, uint64_t host_span)
{
	p->a = a;
	p->host_span = host_span;
	p->hbm = accel_hbm_at(a, 0, a->hbm_win_size);
	if (!p->hbm) {
		kt_fail(t, "%s: the HBM BAR window (0x%llx bytes) cannot be placed at hbm+0", a->bdf,
			(unsigned long long)a->hbm_win_size);
		return false;
	}
	if (accel_buf_alloc(&p->host, host_span)) {
		kt_fail(t, "%s: cannot allocate %llu MiB of contiguous host memory for DMA buffers (allocator exhausted "
			   "or fragmented; the guest needs at least 512 MiB)",
			a->bdf, (unsigned long long)(host_span / MIB));
		return false;
	}
	return true;
}

/* MB/s with one decimal: bytes / ns * 1000 */
static int64_t mbps10(uint64_t bytes, uint64_t ns) { return ns ? (int64_t)(bytes * 10000ull / ns) : 0; }

/* "# measure <name>-bw", "<name>-cpu-bw" (the CPU copying the same bytes through the BAR)
 * and "<name>-ratio" (engine / CPU, in percent). */
static void measure_bw(struct kt *t, const char *name, uint64_t bytes, uint64_t dma_ns, uint64_t cpu_ns)
{
	char n[48];
	ksnprintf(n, sizeof n, "%s-bw", name);
	kt_measure(t, n, mbps10(bytes, dma_ns), 1, "MB/s");
	ksnprintf(n, sizeof n, "%s-cpu-bw", name);
	kt_measure(t, n, mbps10(bytes, cpu_ns), 1, "MB/s");
	ksnprintf(n, sizeof n, "%s-ratio", name);
	kt_measure(t, n, dma_ns ? (int64_t)(cpu_ns * 1000ull / dma_ns) : 0, 1, "%");
}

/* The CPU copying len bytes between the two places (through the BARs for SRAM/HBM). */
static uint64_t cpu_copy_ns(struct place *p, enum region sr, uint64_t soff, enum region dr, uint64_t doff,
			    uint64_t len)
{
	uint64_t t0 = time_ns();
	memcpy((void *)cpu_ptr(p, dr, doff), (const void *)cpu_ptr(p, sr, soff), len);
	return time_ns() - t0;
}

/* ---- one case per direction: a ladder of sizes, 1 byte to 2 MiB ---- */

static const uint64_t ladder[] = {1, 2, 3, 7, 8, 63, 64, 4095, 4096, 4097, 65536 + 24, 256 * KIB + 8, LADDER_MAX};

static void direction(struct kt *t, enum region sr, enum region dr, const char *bw)
{
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		if (!place_init(t, &p, a, HOST_SPAN))
			return;
		/* HBM -> HBM and SRAM -> SRAM: destination in the upper half */
		uint64_t dbase = sr == dr ? region_size(&p, dr) / 2 : 0;
		unsigned ok = 0, n = 0;
		uint64_t last_ns = 0;
		for (unsigned k = 0; k < sizeof ladder / sizeof ladder[0]; k++) {
			uint64_t len = ladder[k];
			/* source at the start of its window; destination 4 KiB in, to leave room for a guard */
			if (4 * KIB + len + GUARD > region_size(&p, dr) - dbase || len > region_size(&p, sr)) {
				kt_diag(t, "%s: %llu bytes do not fit %s (%llu bytes), not tried", a->bdf,
					(unsigned long long)len, region_name[dr], (unsigned long long)region_size(&p, dr));
				continue;
			}
			unsigned q = (i + k) % KILN_NUM_QUEUES;
			n++;
			bool good = xfer(t, &p, q, sr, 0, dr, dbase + 4 * KIB, len, kt_rand(t), &last_ns);
			ok += good;
			if (n - ok >= MAX_FAILED) {
				kt_diag(t, "%s: stopping after %u failed transfers", a->bdf, MAX_FAILED);
				break;
			}
			if (good && len == LADDER_MAX) {
				/* one transfer of a millisecond or two swings 2x with the host's scheduling:
				 * the figure is the median of BW_REPS, each verified as the ladder's */
				uint64_t reps[BW_REPS];
				unsigned got = 0;
				reps[got++] = last_ns;
				while (got < BW_REPS && xfer(t, &p, (q + got) % KILN_NUM_QUEUES, sr, 0, dr, dbase + 4 * KIB, len,
							     kt_rand(t), &reps[got]))
					got++;
				if (got == BW_REPS) {
					uint64_t first = reps[0], med = u64_median(reps, got);
					kt_diag(t, "%s: %u timed %llu KiB transfers: first %llu us, median %llu us, slowest %llu us",
						a->bdf, BW_REPS, (unsigned long long)(len / KIB), (unsigned long long)(first / NS_PER_US),
						(unsigned long long)(med / NS_PER_US), (unsigned long long)(reps[got - 1] / NS_PER_US));
					measure_bw(t, bw, len, med, cpu_copy_ns(&p, sr, 0, dr, dbase + 4 * KIB, len));
				} else
					ok--, good = false;
			}
		}
		kt_diag(t, "%s: %u of %u transfers %s -> %s (1 byte .. %llu KiB, every queue) verified", a->bdf, ok, n,
			region_name[sr], region_name[dr], (unsigned long long)(LADDER_MAX / KIB));
		accel_buf_free(&p.host);
	}
}

static void dma_host_to_hbm(struct kt *t) { direction(t, HOST, HBM, "dma-h2d-2m"); }
static void dma_hbm_to_host(struct kt *t) { direction(t, HBM, HOST, "dma-d2h-2m"); }
static void dma_host_to_sram(struct kt *t) { direction(t, HOST, SRAM, "dma-h2s"); }
static void dma_sram_to_host(struct kt *t) { direction(t, SRAM, HOST, "dma-s2h"); }
static void dma_sram_to_hbm(struct kt *t) { direction(t, SRAM, HBM, "dma-s2d"); }
static void dma_hbm_to_sram(struct kt *t) { direction(t, HBM, SRAM, "dma-d2s"); }
static void dma_hbm_to_hbm(struct kt *t) { direction(t, HBM, HBM, "dma-d2d-2m"); }

/* ---- 64 MiB: host -> HBM, HBM -> host, HBM -> HBM, with bandwidth ---- */

static void big(struct kt *t, enum region sr, enum region dr, const char *bw)
{
	FOR_EACH_ACCEL(i, a) {
		if (a->hbm_size < 3 * BIG + 8 * KIB) {
			kt_skip(t, "%s: HBM is %llu MiB; 64 MiB transfers need %llu MiB", a->bdf,
				(unsigned long long)(a->hbm_size / MIB), (unsigned long long)(3 * BIG / MIB + 1));
			return;
		}
		struct place p;
		if (!place_init(t, &p, a, sr == HOST || dr == HOST ? BIG + 2 * GUARD : 4 * KIB))
			return;
		/* HBM: source at 0 (or destination at 0), the other side at 64 MiB; the CPU bound
		 * copies the same bytes to a third window at 128 MiB so it does not disturb the check */
		uint64_t soff = sr == HOST ? GUARD : 0, doff = dr == HBM ? BIG + 4 * KIB : GUARD;
		unsigned q = i % KILN_NUM_QUEUES;
		uint64_t ns = 0;
		if (xfer(t, &p, q, sr, soff, dr, doff, BIG, kt_rand(t), &ns)) {
			uint64_t cpu;
			if (dr == HOST)
				cpu = cpu_copy_ns(&p, sr, soff, dr, doff, BIG); /* overwrite the checked copy */
			else
				cpu = cpu_copy_ns(&p, sr, soff, HBM, 2 * BIG + 8 * KIB, BIG);
			measure_bw(t, bw, BIG, ns, cpu);
			kt_diag(t, "%s: 64 MiB %s -> %s verified in %llu ms (CPU through the BAR: %llu ms)", a->bdf,
				region_name[sr], region_name[dr], (unsigned long long)(ns / NS_PER_MS),
				(unsigned long long)(cpu / NS_PER_MS));
		}
		accel_buf_free(&p.host);
	}
}

static void dma_host_to_hbm_64m(struct kt *t) { big(t, HOST, HBM, "dma-h2d"); }
static void dma_hbm_to_host_64m(struct kt *t) { big(t, HBM, HOST, "dma-d2h"); }
static void dma_hbm_to_hbm_64m(struct kt *t) { big(t, HBM, HBM, "dma-d2d"); }

/* ---- unaligned offsets and lengths in every direction ---- */

#define UNALIGNED_COUNT 48
#define UNALIGNED_MAX_LEN (24 * KIB)

static void dma_unaligned(struct kt *t)
{
	static const enum region dirs[][2] = {{HOST, HBM}, {HBM, HOST}, {HOST, SRAM}, {SRAM, HOST},
					      {SRAM, HBM}, {HBM, SRAM}, {HBM, HBM}};
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		if (!place_init(t, &p, a, HOST_SPAN))
			return;
		unsigned ok = 0;
		for (unsigned k = 0; k < UNALIGNED_COUNT; k++) {
			uint64_t r = kt_rand(t);
			unsigned d = (unsigned)(r % 7);
			enum region sr = dirs[d][0], dr = dirs[d][1];
			uint64_t len = 1 + (r >> 8) % UNALIGNED_MAX_LEN;
			uint64_t soff = (r >> 24) % (64 * KIB) + 1;     /* never 0 mod 8 as often as not */
			uint64_t doff = 256 * KIB + (r >> 40) % (64 * KIB);
			if ((soff % 8) == (doff % 8))
				doff++; /* make source and destination misaligned against each other */
			if (xfer(t, &p, k % KILN_NUM_QUEUES, sr, soff, dr, doff, len, kt_rand(t), 0))
				ok++;
			else if (k + 1 - ok >= MAX_FAILED) {
				kt_diag(t, "%s: stopping after %u failed transfers", a->bdf, MAX_FAILED);
				break;
			}
		}
		kt_diag(t, "%s: %u of %u unaligned transfers (1..%llu bytes, odd offsets, every direction) verified",
			a->bdf, ok, UNALIGNED_COUNT, (unsigned long long)UNALIGNED_MAX_LEN);
		accel_buf_free(&p.host);
	}
}

/* ---- memset (LIN_DMA with the memset bit) into HBM, SRAM and host memory ---- */

static void dma_memset(struct kt *t)
{
	static const uint64_t lens[] = {1, 5, 8, 4099, 65536 + 3, 1 * MIB};
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		if (!place_init(t, &p, a, HOST_SPAN))
			return;
		unsigned ok = 0, n = 0;
		for (unsigned k = 0; k < 3 * sizeof lens / sizeof lens[0]; k++) {
			enum region dr = (enum region)(k % 3);
			uint64_t len = lens[k / 3], pattern = kt_rand(t);
			uint64_t doff = 8 * KIB + k % 8, lo = doff - GUARD, hi = doff + len + GUARD;
			unsigned q = (i + k) % KILN_NUM_QUEUES;
			char what[96], why[400], who[140], qn[16];
			uint64_t gseed = kt_rand(t);
			n++;
			ksnprintf(what, sizeof what, "memset %s+0x%llx, %llu bytes with 0x%016llx", region_name[dr],
				  (unsigned long long)diag_off(&p, dr, doff), (unsigned long long)len,
				  (unsigned long long)pattern);
			ksnprintf(who, sizeof who, "%s %s %s", a->bdf, accel_queue_name(q, qn), what);
			pattern_fill(cpu_ptr(&p, dr, lo), hi - lo, gseed, lo);
			int r = accel_dma_memset(a, q, dev_addr(&p, dr, doff), pattern, len, why, sizeof why);
			if (r) {
				dma_failed(t, a, q, what, r, why);
				continue;
			}
			uint64_t bad = fill_check(t, who, region_name[dr], diag_off(&p, dr, doff), cpu_ptr(&p, dr, doff), len,
						  pattern);
			bad += pat_check(t, who, region_name[dr], diag_off(&p, dr, lo), cpu_ptr(&p, dr, lo), GUARD, gseed, lo);
			bad += pat_check(t, who, region_name[dr], diag_off(&p, dr, doff + len), cpu_ptr(&p, dr, doff + len),
					 GUARD, gseed, doff + len);
			ok += bad == 0;
		}
		kt_diag(t, "%s: %u of %u memsets (HBM, SRAM, host; 1 byte .. 1 MiB) verified", a->bdf, ok, n);
		accel_buf_free(&p.host);
	}
}

/* ---- every stream of both engines moving data at once ---- */

#define CONC_LEN (512 * KIB)

static uint64_t engine_bytes(struct accel *a, unsigned e)
{
	return accel_rd(a, KILN_BLK_QMAN(e) + KILN_QM_ENG_DMA_BYTES_LO) |
	       (uint64_t)accel_rd(a, KILN_BLK_QMAN(e) + KILN_QM_ENG_DMA_BYTES_HI) << 32;
}

static void dma_engines_concurrent(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		/* per queue: a host source slot and a host destination slot */
		if (!place_init(t, &p, a, 2 * KILN_NUM_QUEUES * CONC_LEN))
			return;
		struct accel_dma_job job[KILN_NUM_QUEUES];
		uint64_t seed[KILN_NUM_QUEUES], before[KILN_NUM_DMA_ENGINES];
		bool started[KILN_NUM_QUEUES];
		for (unsigned e = 0; e < KILN_NUM_DMA_ENGINES; e++)
			before[e] = engine_bytes(a, e);
		/* even streams: host -> HBM; odd streams: HBM (filled by the CPU) -> host */
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			seed[q] = kt_rand(t);
			uint64_t hoff = 2 * q * CONC_LEN, doff = q * CONC_LEN;
			bool up = q % 2 == 0;
			if (up) {
				pattern_fill(cpu_ptr(&p, HOST, hoff), CONC_LEN, seed[q], 0);
				pattern_fill(cpu_ptr(&p, HBM, doff), CONC_LEN, ~seed[q], 0);
			} else {
				pattern_fill(cpu_ptr(&p, HBM, doff), CONC_LEN, seed[q], 0);
				pattern_fill(cpu_ptr(&p, HOST, hoff + CONC_LEN), CONC_LEN, ~seed[q], 0);
			}
			int r = up ? accel_dma_start(a, q, &job[q], dev_addr(&p, HOST, hoff), dev_addr(&p, HBM, doff),
						     CONC_LEN, false)
				   : accel_dma_start(a, q, &job[q], dev_addr(&p, HBM, doff),
						     dev_addr(&p, HOST, hoff + CONC_LEN), CONC_LEN, false);
			started[q] = r == ACCEL_OK;
			if (r)
				dma_failed(t, a, q, "start", r, "");
		}
		unsigned ok = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char why[400], who[96], qn[16];
			if (!started[q])
				continue;
			int r = accel_dma_finish(a, &job[q], accel_dma_timeout_ms(CONC_LEN * KILN_NUM_QUEUES), why, sizeof why);
			if (r) {
				dma_failed(t, a, q, q % 2 == 0 ? "host -> hbm" : "hbm -> host", r, why);
				continue;
			}
			uint64_t hoff = 2 * q * CONC_LEN, doff = q * CONC_LEN;
			ksnprintf(who, sizeof who, "%s %s concurrent %s", a->bdf, accel_queue_name(q, qn),
				  q % 2 == 0 ? "host -> hbm" : "hbm -> host");
			uint64_t bad = q % 2 == 0
					       ? pat_check(t, who, "hbm", doff, cpu_ptr(&p, HBM, doff), CONC_LEN, seed[q], 0)
					       : pat_check(t, who, "host", diag_off(&p, HOST, hoff + CONC_LEN),
							   cpu_ptr(&p, HOST, hoff + CONC_LEN), CONC_LEN, seed[q], 0);
			ok += bad == 0;
		}
		for (unsigned e = 0; e < KILN_NUM_DMA_ENGINES; e++) {
			uint64_t moved = engine_bytes(a, e) - before[e];
			uint64_t want = (uint64_t)KILN_STREAMS_PER_ENGINE * CONC_LEN;
			if (moved < want)
				kt_fail(t, "%s: engine dma%u counts %llu bytes moved, expected at least %llu (its %u streams x %llu)",
					a->bdf, e, (unsigned long long)moved, (unsigned long long)want, KILN_STREAMS_PER_ENGINE,
					(unsigned long long)CONC_LEN);
		}
		kt_diag(t, "%s: %u of %u streams (%u engines) moved %llu KiB each at once, verified", a->bdf, ok,
			KILN_NUM_QUEUES, KILN_NUM_DMA_ENGINES, (unsigned long long)(CONC_LEN / KIB));
		accel_buf_free(&p.host);
	}
}

/* ---- a transfer to nowhere: both error events decoded, the queue recovered ---- */

static void dma_fault_reported(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		if (!place_init(t, &p, a, 64 * KIB))
			return;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char why[400], qn[16];
			unsigned e = q / KILN_STREAMS_PER_ENGINE, s = q % KILN_STREAMS_PER_ENGINE;
			uint64_t bad = accel_hbm_addr(a->hbm_size - 4 * KIB); /* runs past the end of HBM */
			uint64_t ev0 = a->ev_seq;
			accel_queue_name(q, qn);
			int r = accel_dma(a, q, p.host.dev, bad, 8 * KIB, why, sizeof why);
			if (r != ACCEL_ESTOPPED) {
				kt_fail(t, "%s %s: a DMA running past the end of HBM (0x%llx + 8 KiB) returned '%s', expected "
					   "the queue to stop on an error: %s",
					a->bdf, qn, (unsigned long long)bad, accel_strerror(r), r ? why : "");
				accel_queue_reset(a, q);
				continue;
			}
			const struct accel_event *qm = accel_event_find(a, KILN_EVENT_DMA_QM(e), ev0);
			const struct accel_event *core = accel_event_find(a, KILN_EVENT_DMA_CORE(e), ev0);
			struct kiln_ev_dma_core cp;
			struct kiln_ev_qman_err qp;
			if (!qm || !core) {
				kt_fail(t, "%s %s: the faulting DMA stopped the queue but the EQ has no %s event: %s", a->bdf, qn,
					!qm ? "DMA_QM" : "DMA_CORE", why);
			} else {
				memcpy(&cp, core->data, sizeof cp);
				memcpy(&qp, qm->data, sizeof qp);
				if (qp.stream != s || qp.cause != KILN_QM_ERR_DMA_DST || cp.cause != KILN_QM_ERR_DMA_DST ||
				    cp.dst != bad)
					kt_fail(t, "%s %s: events name stream %u cause %u (%s) / DMA core dst 0x%llx, expected stream "
						   "%u cause %u (%s) dst 0x%llx: %s",
						a->bdf, qn, qp.stream, qp.cause, accel_qm_err_name(qp.cause),
						(unsigned long long)cp.dst, s, KILN_QM_ERR_DMA_DST,
						accel_qm_err_name(KILN_QM_ERR_DMA_DST), (unsigned long long)bad, why);
			}
			if (q == 0)
				kt_diag(t, "%s %s: as expected: %s", a->bdf, qn, why);
			int rr = accel_queue_reset(a, q);
			if (rr) {
				kt_fail(t, "%s %s: queue reset after the fault: %s", a->bdf, qn, accel_strerror(rr));
				continue;
			}
			/* and it works again */
			xfer(t, &p, q, HOST, 0, HBM, 16 * KIB, 4 * KIB, kt_rand(t), 0);
		}
		if (!kt_failed(t))
			kt_diag(t, "%s: every queue stopped on a DMA past the end of HBM, reported it and ran again after a reset",
				a->bdf);
		accel_buf_free(&p.host);
	}
}

/* ---- keep copying for a while: a fault that arrives mid-run is caught ---- */

#define SOAK_LEN (256 * KIB)

static void dma_soak(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct place p;
		if (!place_init(t, &p, a, HOST_SPAN))
			return;
		struct deadline d = deadline_in_ms(SOAK_MS);
		unsigned rounds = 0, failed = 0, first_bad = 0;
		uint64_t t0 = time_ns(), first_ms = 0;
		while (!deadline_passed(d)) {
			unsigned q = rounds % KILN_NUM_QUEUES;
			uint64_t off = (rounds % 8) * SOAK_LEN;
			bool ok = (rounds & 1) ? xfer(t, &p, q, HBM, 32 * MIB + off, HOST, 2 * MIB + GUARD, SOAK_LEN, kt_rand(t), 0)
					       : xfer(t, &p, q, HOST, 0, HBM, 32 * MIB + off, SOAK_LEN, kt_rand(t), 0);
			if (!ok && !failed++) {
				first_bad = rounds;
				first_ms = (time_ns() - t0) / NS_PER_MS;
			}
			rounds++;
			if (failed >= MAX_FAILED) {
				kt_diag(t, "%s: stopping after round %u: %u failed transfers", a->bdf, rounds, MAX_FAILED);
				break;
			}
		}
		kt_diag(t, "%s: %u rounds of %llu KiB host <-> HBM in %u ms, %u failed", a->bdf, rounds,
			(unsigned long long)(SOAK_LEN / KIB), SOAK_MS, failed);
		if (failed)
			kt_diag(t, "%s: first failure in round %u, %llu ms into the soak, after %u good rounds", a->bdf, first_bad,
				(unsigned long long)first_ms, first_bad);
		accel_buf_free(&p.host);
	}
}

static const struct kt_case cases[] = {
	{"dma-host-to-hbm", dma_host_to_hbm, 0},
	{"dma-hbm-to-host", dma_hbm_to_host, 0},
	{"dma-host-to-sram", dma_host_to_sram, 0},
	{"dma-sram-to-host", dma_sram_to_host, 0},
	{"dma-sram-to-hbm", dma_sram_to_hbm, 0},
	{"dma-hbm-to-sram", dma_hbm_to_sram, 0},
	{"dma-hbm-to-hbm", dma_hbm_to_hbm, 0},
	{"dma-host-to-hbm-64m", dma_host_to_hbm_64m, 0},
	{"dma-hbm-to-host-64m", dma_hbm_to_host_64m, 0},
	{"dma-hbm-to-hbm-64m", dma_hbm_to_hbm_64m, 0},
	{"dma-unaligned", dma_unaligned, 0},
	{"dma-memset", dma_memset, 0},
	{"dma-engines-concurrent", dma_engines_concurrent, 0},
	{"dma-fault-reported", dma_fault_reported, 0},
	{"dma-soak", dma_soak, 0},
};

KT_SUITE(dma, KT_SUITE_DEVICE | KT_SUITE_LANES);
