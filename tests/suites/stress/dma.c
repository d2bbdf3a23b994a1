/* The stress suite's DMA load on one accelerator: each round, every stream of both engines
 * moves one transfer at once, the kinds rotating over the streams from round to round
 * (host -> HBM, HBM -> host, host -> SRAM, SRAM -> host, SRAM -> HBM, HBM -> SRAM,
 * HBM -> HBM, and an HBM pattern fill by DMA memset), so every stream carries every
 * direction. The source is a fresh seeded pattern each round (written by the CPU, through
 * the BAR for SRAM and HBM); the destination is read back by the CPU, so the check does
 * not trust the engine. The HBM slots walk through the BAR window round by round. Runs on
 * the device's own AP: nothing is printed, the first failure is kept in d->why. */
#include <stdarg.h>

#include "drivers/accel/accel.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/pattern.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "tests/suites/stress/stress.h"

#define KIB 1024ull
#define XFER_MAX (256 * KIB) /* one stream's transfer per round */

enum region { HOST, SRAM, HBM };
static const char *const region_name[] = {"host", "sram", "hbm"};

enum kind { H2D, D2H, H2S, S2H, S2D, D2S, D2D, FILL, KINDS };
static const enum region kind_src[KINDS] = {HOST, HBM, HOST, SRAM, SRAM, HBM, HBM, HBM};
static const enum region kind_dst[KINDS] = {HBM, HOST, SRAM, HOST, HBM, SRAM, HBM, HBM};

_Static_assert(KINDS == KILN_NUM_QUEUES, "one kind per stream each round, rotating");

static uint64_t xfer_len(const struct accel *a)
{
	uint64_t n = a->sram_size / KILN_NUM_QUEUES;
	return n < XFER_MAX ? n & ~7ull : XFER_MAX;
}

bool stress_dev_init(struct stress_dev *d, struct accel *a, uint64_t seed)
{
	memset(d, 0, sizeof *d);
	d->a = a;
	d->rng = seed;
	uint64_t len = xfer_len(a);
	if (len < 4 * KIB || a->hbm_win_size < 4 * KILN_NUM_QUEUES * len) {
		ksnprintf(d->why, sizeof d->why, "%s: SRAM (%llu bytes) or the HBM window (%llu bytes) too small for the load",
			  a->bdf, (unsigned long long)a->sram_size, (unsigned long long)a->hbm_win_size);
		return false;
	}
	if (!accel_hbm_at(a, 0, a->hbm_win_size)) {
		ksnprintf(d->why, sizeof d->why, "%s: the HBM BAR window cannot be placed at hbm+0", a->bdf);
		return false;
	}
	if (accel_buf_alloc(&d->host, 2 * KILN_NUM_QUEUES * len)) {
		ksnprintf(d->why, sizeof d->why, "%s: no %llu KiB of contiguous host memory for the DMA load", a->bdf,
			  (unsigned long long)(2 * KILN_NUM_QUEUES * len / KIB));
		return false;
	}
	return true;
}

void stress_dev_fini(struct stress_dev *d) { accel_buf_free(&d->host); }

uint64_t stress_dev_hbm_walked(const struct stress_dev *d)
{
	uint64_t span = 2 * KILN_NUM_QUEUES * xfer_len(d->a), slots = d->a->hbm_win_size / span;
	return (d->round < slots ? d->round : slots) * span;
}

uint64_t stress_dev_total(const struct stress_dev *d)
{
	uint64_t n = 0;
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++)
		n += d->bytes[q];
	return n;
}

/* Where stream q's transfer of this round lives, per region: host slots are fixed, SRAM
 * one slot per stream, HBM two slots per stream at a base that walks through the window. */
struct where {
	enum region r;
	uint64_t off;  /* in the region */
};

static volatile uint8_t *cpu_ptr(struct stress_dev *d, struct where w)
{
	return w.r == HOST ? (volatile uint8_t *)d->host.host + w.off : w.r == SRAM ? d->a->sram + w.off
										     : d->a->hbm + w.off;
}

static uint64_t dev_addr(struct stress_dev *d, struct where w)
{
	return w.r == HOST ? d->host.dev + w.off : w.r == SRAM ? accel_sram_addr(w.off) : accel_hbm_addr(w.off);
}

static uint64_t shown_off(struct stress_dev *d, struct where w) { return w.r == HOST ? d->host.dev + w.off : w.off; }

static void place(struct stress_dev *d, unsigned q, enum kind k, uint64_t len, struct where *src, struct where *dst)
{
	uint64_t span = 2 * KILN_NUM_QUEUES * len;
	uint64_t slots = d->a->hbm_win_size / span;
	uint64_t hbm_base = (d->round % slots) * span + 2 * q * len;
	uint64_t host_base = 2 * q * len;
	src->r = kind_src[k];
	dst->r = kind_dst[k];
	src->off = src->r == HOST ? host_base : src->r == SRAM ? q * len : hbm_base;
	dst->off = dst->r == HOST ? host_base + len : dst->r == SRAM ? q * len : hbm_base + (src->r == HBM ? len : 0);
}

struct first_bad {
	uint64_t at, want, got;
	unsigned bytes;
	bool seen;
};

static void mismatch(void *arg, uint64_t at, uint64_t want, uint64_t got, unsigned bytes)
{
	struct first_bad *f = arg;
	if (f->seen)
		return;
	*f = (struct first_bad){at, want, got, bytes, true};
}

static void fail(struct stress_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct stress_dev *d, const char *fmt, ...)
{
	if (d->failed)
		return;
	char b[STRESS_WHY - 40];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	uint64_t ms = stress_ms();
	ksnprintf(d->why, sizeof d->why, "%s, at %llu.%03llu s into the stress", b, (unsigned long long)(ms / 1000),
		  (unsigned long long)(ms % 1000));
	d->failed = 1;
	stress_stop();
}

bool stress_dev_round(struct stress_dev *d)
{
	struct accel *a = d->a;
	uint64_t len = xfer_len(a), t0 = time_ns();
	struct accel_dma_job job[KILN_NUM_QUEUES];
	struct where src[KILN_NUM_QUEUES], dst[KILN_NUM_QUEUES];
	uint64_t seed[KILN_NUM_QUEUES];
	bool started[KILN_NUM_QUEUES];
	char what[KILN_NUM_QUEUES][96], qn[16];
	if (!accel_hbm_at(a, 0, a->hbm_win_size)) {
		fail(d, "%s: the HBM BAR window cannot be placed at hbm+0", a->bdf);
		return false;
	}
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
		enum kind k = (enum kind)((q + d->round) % KINDS);
		place(d, q, k, len, &src[q], &dst[q]);
		seed[q] = rand_next(&d->rng);
		if (k == FILL)
			ksnprintf(what[q], sizeof what[q], "hbm pattern 0x%016llx -> hbm+0x%llx, %llu bytes",
				  (unsigned long long)seed[q], (unsigned long long)dst[q].off, (unsigned long long)len);
		else
			ksnprintf(what[q], sizeof what[q], "%s+0x%llx -> %s+0x%llx, %llu bytes", region_name[src[q].r],
				  (unsigned long long)shown_off(d, src[q]), region_name[dst[q].r],
				  (unsigned long long)shown_off(d, dst[q]), (unsigned long long)len);
		/* the destination holds another pattern first: a transfer that did not happen shows */
		pattern_fill(cpu_ptr(d, dst[q]), len, ~seed[q], 0);
		if (k != FILL)
			pattern_fill(cpu_ptr(d, src[q]), len, seed[q], 0);
	}
	uint64_t e0 = time_ns();
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
		bool fill = (q + d->round) % KINDS == FILL;
		int r = accel_dma_start(a, q, &job[q], fill ? seed[q] : dev_addr(d, src[q]), dev_addr(d, dst[q]), len, fill);
		started[q] = r == ACCEL_OK;
		if (r)
			fail(d, "%s %s: %s: starting the DMA: %s", a->bdf, accel_queue_name(q, qn), what[q], accel_strerror(r));
	}
	char why[KILN_NUM_QUEUES][300];
	int res[KILN_NUM_QUEUES];
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
		why[q][0] = 0;
		if (started[q])
			res[q] = accel_dma_finish(a, &job[q], accel_dma_timeout_ms(len * KILN_NUM_QUEUES), why[q], sizeof why[q]);
	}
	d->engine_ns += time_ns() - e0;
	for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
		if (!started[q])
			continue;
		int r = res[q];
		if (r) {
			fail(d, "%s %s: %s: %s", a->bdf, accel_queue_name(q, qn), what[q], why[q][0] ? why[q] : accel_strerror(r));
			/* the stream is left working for the cases after this one */
			if (r != ACCEL_ETIMEDOUT && accel_queue_reset(a, q))
				accel_reset(a, why[q], sizeof why[q]);
			continue;
		}
		struct first_bad f = {0};
		bool fill = (q + d->round) % KINDS == FILL;
		uint64_t bad = fill ? pattern_check_repeat(cpu_ptr(d, dst[q]), len, seed[q], mismatch, &f)
				    : pattern_check(cpu_ptr(d, dst[q]), len, seed[q], 0, mismatch, &f);
		if (bad) {
			int w = f.bytes == 8 ? 16 : 2;
			fail(d, "%s %s: %s: %llu bytes differ, first at %s+0x%llx expected 0x%0*llx got 0x%0*llx", a->bdf,
			     accel_queue_name(q, qn), what[q], (unsigned long long)bad, region_name[dst[q].r],
			     (unsigned long long)(shown_off(d, dst[q]) + f.at), w, (unsigned long long)f.want, w,
			     (unsigned long long)f.got);
			continue;
		}
		d->bytes[q] += len;
		d->transfers++;
		if (fill)
			d->hbm_pattern_bytes += len;
	}
	if (accel_check_alive(a) != ACCEL_OK)
		fail(d, "%s: device not responding (configuration BAR reads all-ones)", a->bdf);
	d->round++;
	d->busy_ns += time_ns() - t0;
	return !d->failed;
}
