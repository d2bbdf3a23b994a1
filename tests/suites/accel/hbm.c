/* Suite `hbm`: the device memory. March C-, address-in-address and a seeded random pattern
 * through the HBM BAR window, which the driver moves over the HBM (CPU loads and stores), address-in-address and random through LIN_DMA
 * from and to host buffers (checked through the other path too), march C- through LIN_DMA
 * reads and memsets a chunk at a time, and the ECC record:
 * corrected single-bit errors counted and reported (failing above ecc_serr_max=),
 * uncorrected double-bit errors failing with their address.
 *
 * Range: hbm_range=offset:size tests that range with every case, hbm_range=all the whole HBM
 * with every case (the BAR cases slide the window over all of it). The default, `quick`,
 * covers the whole HBM with the DMA cases and the first HBM_BAR_DEFAULT bytes with the BAR
 * cases (CPU access under emulation is slow): a BAR case on a larger HBM reports the part
 * it left out as partial coverage (kt_partial; a failure under skips=fail).
 *
 * Deadlines: each case's deadline is the configured timeout plus the bytes it moves at a
 * worst-case rate under emulation (hbm_sized_s), so a 32 GiB HBM needs no hand-set
 * timeout; every case prints the deadline it got. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_hbm.h"
#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"

#define MIB (1024ull * 1024ull)
#define HBM_BAR_DEFAULT (1024 * MIB) /* quick BAR coverage: 1 GiB takes ~33 s of march C- under TCG */
/* Worst-case rates for the deadlines, MiB per second of bytes moved (the cases' own
 * "MiB moved" figures): about a tenth of what QEMU/TCG gave on a 2-core host running eight
 * other QEMUs (docs/perf.md, HBM=2G: march C- through the BAR 326 MB/s, address and random
 * through the BAR 620-675 MB/s, march C- via LIN_DMA 187 MB/s, address-in-address via
 * LIN_DMA with every word read back through the BAR 74 MB/s). Real hardware is orders of
 * magnitude faster, so on it the timeout dominates. */
#define RATE_BAR_MIBS 32u
#define RATE_DMA_MIBS 16u
#define RATE_DMA_BAR_MIBS 8u
#define DMA_CHUNK (4 * MIB)        /* host buffer per LIN_DMA */
#define CHECK_EVERY (1 * MIB)      /* BAR loops look at the device and the clock this often */
#define MAX_REPORTED 4u            /* mismatches printed per case (all are counted) */
#define DMA_MS 5000u
#define CB_BYTES 4096u
#define WORD sizeof(uint64_t)
#define MARCH_0 0x0000000000000000ull
#define MARCH_1 0xffffffffffffffffull

struct span {
	uint64_t off, size;
};

static struct kt *win_case;
static bool win_failed;

/* The range a case covers; false (and the case failed) when hbm_range= does not fit. */
static bool pick_range(struct kt *t, struct accel *a, bool bar, struct span *s)
{
	win_case = t;
	win_failed = false;
	if (kiln_cfg && kiln_cfg->hbm_range_set && !kiln_cfg->hbm_range_size) { /* all */
		s->off = 0;
		s->size = a->hbm_size;
		return true;
	}
	if (kiln_cfg && kiln_cfg->hbm_range_set) {
		s->off = kiln_cfg->hbm_range_off;
		s->size = kiln_cfg->hbm_range_size;
		if (s->off >= a->hbm_size || s->size > a->hbm_size - s->off) {
			kt_fail(t, "%s: hbm_range=0x%llx:0x%llx lies outside the HBM (0x%llx bytes, %llu MiB): fix the "
				   "configuration",
				a->bdf, (unsigned long long)s->off, (unsigned long long)s->size, (unsigned long long)a->hbm_size,
				(unsigned long long)(a->hbm_size / MIB));
			return false;
		}
		return true;
	}
	s->off = 0;
	s->size = bar && a->hbm_size > HBM_BAR_DEFAULT ? HBM_BAR_DEFAULT : a->hbm_size;
	return true;
}

static bool range_quick(void) { return !kiln_cfg || !kiln_cfg->hbm_range_set; }

static void say_range(struct kt *t, struct accel *a, const struct span *s, const char *how, uint64_t bytes,
		      uint64_t ns)
{
	kt_cover(t, KT_COVER_HBM, a->index, s->size);
	const char *why = !range_quick() ? (kiln_cfg->hbm_range_size ? ", hbm_range=" : ", hbm_range=all") : "";
	kt_diag(t, "%s: %s over hbm+0x%llx..0x%llx (%llu MiB of %llu MiB%s), %llu MiB moved in %llu ms", a->bdf, how,
		(unsigned long long)s->off, (unsigned long long)(s->off + s->size), (unsigned long long)(s->size / MIB),
		(unsigned long long)(a->hbm_size / MIB), why, (unsigned long long)(bytes / MIB),
		(unsigned long long)(ns / 1000000));
	/* the quick default on a larger HBM: what the BAR did not reach is named */
	if (range_quick() && s->off == 0 && s->size < a->hbm_size)
		kt_partial(t, "%s: %llu of %llu MiB not tested through the BAR (hbm+0x%llx..0x%llx; hbm_range=all covers it)",
			   a->bdf, (unsigned long long)((a->hbm_size - s->size) / MIB), (unsigned long long)(a->hbm_size / MIB),
			   (unsigned long long)s->size, (unsigned long long)a->hbm_size);
}

/* ---- deadlines ----------------------------------------------------------------------- */

/* Bytes case k moves on a device with `hbm` bytes (the figure its "MiB moved" reports) and
 * the worst-case rate it moves them at. */
static uint64_t span_size(uint64_t hbm, bool bar)
{
	if (kiln_cfg && kiln_cfg->hbm_range_set)
		return kiln_cfg->hbm_range_size ? kiln_cfg->hbm_range_size : hbm;
	return bar && hbm > HBM_BAR_DEFAULT ? HBM_BAR_DEFAULT : hbm;
}

static void case_work(const char *name, uint64_t hbm, uint64_t *bytes, unsigned *rate)
{
	static const struct {
		const char *name;
		bool bar;
		unsigned ops, rate; /* bytes moved per byte covered; worst-case MiB/s */
	} w[] = {
		{"hbm-march-bar", true, 10, RATE_BAR_MIBS},   {"hbm-address-bar", true, 4, RATE_BAR_MIBS},
		{"hbm-random-bar", true, 2, RATE_BAR_MIBS},   {"hbm-march-dma", false, 10, RATE_DMA_MIBS},
		{"hbm-address-dma", false, 2, RATE_DMA_BAR_MIBS}, {"hbm-random-dma", false, 2, RATE_DMA_MIBS},
	};
	*bytes = 0;
	*rate = 1;
	for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++)
		if (!strcmp(name, w[i].name)) {
			*bytes = span_size(hbm, w[i].bar) * w[i].ops;
			*rate = w[i].rate;
		}
}

static uint32_t hbm_sized_s(const struct kt_case *k, unsigned dev)
{
	uint64_t bytes;
	unsigned rate;
	case_work(k->name, accel_get(dev)->hbm_size, &bytes, &rate);
	return (uint32_t)((bytes / MIB + rate - 1) / rate);
}

/* The deadline chosen, once per case: the case's budget with what it is made of. */
static void say_deadline(struct kt *t, struct accel *a)
{
	uint64_t bytes;
	unsigned rate;
	case_work(kt_name(t), a->hbm_size, &bytes, &rate);
	kt_diag(t, "%s: deadline %u s for the case: timeout plus %llu MiB to move at a worst-case %u MiB/s "
		   "(%llu s on this device)",
		a->bdf, kt_timeout_s(t), (unsigned long long)(bytes / MIB), rate,
		(unsigned long long)((bytes / MIB + rate - 1) / rate));
}

static void measure(struct kt *t, struct accel *a, const char *what, uint64_t bytes, uint64_t ns)
{
	char name[48];
	ksnprintf(name, sizeof name, "accel%u-%s-bytes", a->index, what);
	kt_measure(t, name, (int64_t)bytes, 0, "bytes");
	ksnprintf(name, sizeof name, "accel%u-%s-bw", a->index, what);
	/* MB/s with one decimal: bytes * 1e9 / ns / 1e6 */
	kt_measure(t, name, ns ? (int64_t)(bytes * 10000 / (ns ? ns : 1)) : 0, 1, "MB/s");
}

/* One mismatch: counted; the first few printed with address, expected, actual, bits. */
struct errs {
	uint64_t count;
};
static void mismatch(struct kt *t, struct accel *a, struct errs *e, const char *how, uint64_t off, uint64_t want,
		     uint64_t got)
{
	if (e->count++ < MAX_REPORTED)
		kt_fail(t, "%s: %s: mismatch at hbm+0x%llx expected 0x%016llx got 0x%016llx (bits 0x%016llx)", a->bdf, how,
			(unsigned long long)off, (unsigned long long)want, (unsigned long long)got,
			(unsigned long long)(want ^ got));
}

/* ECC events that arrived since `since`: uncorrected ones fail with their address, corrected
 * ones are reported. */
static void ecc_events(struct kt *t, struct accel *a, uint64_t since)
{
	accel_eq_poll(a);
	uint64_t oldest = a->ev_seq > ACCEL_EVENT_LOG ? a->ev_seq - ACCEL_EVENT_LOG + 1 : 1;
	for (uint64_t s = since + 1 > oldest ? since + 1 : oldest; s <= a->ev_seq; s++) {
		const struct accel_event *ev = &a->ev_log[(s - 1) % ACCEL_EVENT_LOG];
		bool serr = ev->type >= KILN_EVENT_HBM_SERR(0) && ev->type < KILN_EVENT_HBM_SERR(KILN_HBM_STACKS);
		bool derr = ev->type >= KILN_EVENT_HBM_DERR(0) && ev->type < KILN_EVENT_HBM_DERR(KILN_HBM_STACKS);
		if ((!serr && !derr) || ev->data[0] == KILN_EV_TEST_MAGIC)
			continue;
		struct kiln_ev_hbm_ecc p;
		memcpy(&p, ev->data, sizeof p);
		if (derr)
			kt_fail(t, "%s: uncorrected (double-bit) ECC error at hbm+0x%llx, stack %u (%u uncorrected so far)",
				a->bdf, (unsigned long long)p.addr, p.stack, p.derr_count);
		else
			kt_diag(t, "%s: corrected single-bit ECC error at hbm+0x%llx, stack %u (%u corrected so far)", a->bdf,
				(unsigned long long)p.addr, p.stack, p.serr_count);
	}
}

/* The HBM BAR is a window the driver moves (docs/device.md section 8): a move the device
 * refuses is recorded here, reported once, and ends the case at its next check. */
static uint64_t win_dummy;

static volatile uint64_t *w64(struct accel *a, uint64_t off)
{
	volatile uint8_t *p = accel_hbm_at(a, off, WORD);
	if (p)
		return (volatile uint64_t *)p;
	if (!win_failed && win_case)
		kt_fail(win_case, "%s: the HBM BAR window cannot be moved to hbm+0x%llx (window 0x%llx bytes, at hbm+0x%llx)",
			a->bdf, (unsigned long long)off, (unsigned long long)a->hbm_win_size,
			(unsigned long long)a->hbm_win_base);
	win_failed = true;
	return &win_dummy;
}

/* Every CHECK_EVERY bytes: false when the device is gone or the case is out of time. */
static bool still_ok(struct kt *t, struct accel *a)
{
	if (win_failed) {
		win_failed = false;
		return false;
	}
	if (accel_check_alive(a)) {
		kt_fail(t, "%s: device not responding (configuration BAR reads all-ones) during the memory test", a->bdf);
		return false;
	}
	return true;
}


/* A run of words of a BAR case that lies inside one CHECK_EVERY-aligned step of the HBM, so
 * inside one position of the window (windows are >= 1 MiB, powers of two): the inner loops
 * use a plain pointer, the window moves between segments. */
struct seg {
	uint64_t off, words;
	volatile uint64_t *p;
};

/* The next segment of s after `done` bytes, ascending or descending; false when s is done or
 * the device refused the window move (the case failed). */
static bool seg_next(struct kt *t, struct accel *a, const struct span *s, bool up, uint64_t done, struct seg *g)
{
	if (done >= s->size)
		return false;
	uint64_t lo, hi;
	if (up) {
		lo = s->off + done;
		hi = (lo / CHECK_EVERY + 1) * CHECK_EVERY;
		if (hi > s->off + s->size)
			hi = s->off + s->size;
	} else {
		hi = s->off + s->size - done;
		lo = (hi - 1) / CHECK_EVERY * CHECK_EVERY;
		if (lo < s->off)
			lo = s->off;
	}
	g->off = lo;
	g->words = (hi - lo) / WORD;
	g->p = (volatile uint64_t *)accel_hbm_at(a, lo, hi - lo);
	if (!g->p) {
		win_failed = true;
		kt_fail(t, "%s: the HBM BAR window cannot be moved to hbm+0x%llx (window 0x%llx bytes, at hbm+0x%llx)", a->bdf,
			(unsigned long long)lo, (unsigned long long)a->hbm_win_size, (unsigned long long)a->hbm_win_base);
		return false;
	}
	return true;
}

/* March C- (van de Goor): up(w0); up(r0,w1); up(r1,w0); down(r0,w1); down(r1,w0); any(r0),
 * on 64-bit words with all-zeros / all-ones data. */
static bool march_element(struct kt *t, struct accel *a, const struct span *s, bool up, bool read, uint64_t rv,
			  bool write, uint64_t wv, struct errs *e)
{
	struct seg g;
	for (uint64_t done = 0; seg_next(t, a, s, up, done, &g); done += g.words * WORD) {
		for (uint64_t k = 0; k < g.words; k++) {
			uint64_t i = up ? k : g.words - 1 - k;
			volatile uint64_t *p = g.p + i;
			if (read) {
				uint64_t got = *p;
				if (got != rv)
					mismatch(t, a, e, "march C-", g.off + i * WORD, rv, got);
			}
			if (write)
				*p = wv;
		}
		if (!still_ok(t, a))
			return false;
	}
	return !win_failed;
}

static void hbm_march_bar(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct span s;
		if (!accel_test_alive(t, a) || !pick_range(t, a, true, &s))
			continue;
		say_deadline(t, a);
		accel_eq_poll(a);
		uint64_t since = a->ev_seq, t0 = time_ns();
		struct errs e = {0};
		bool ok = march_element(t, a, &s, true, false, 0, true, MARCH_0, &e) &&
			  march_element(t, a, &s, true, true, MARCH_0, true, MARCH_1, &e) &&
			  march_element(t, a, &s, true, true, MARCH_1, true, MARCH_0, &e) &&
			  march_element(t, a, &s, false, true, MARCH_0, true, MARCH_1, &e) &&
			  march_element(t, a, &s, false, true, MARCH_1, true, MARCH_0, &e) &&
			  march_element(t, a, &s, true, true, MARCH_0, false, 0, &e);
		uint64_t ns = time_ns() - t0, bytes = s.size * 10; /* 10 operations per word */
		if (!ok)
			continue;
		if (e.count)
			kt_fail(t, "%s: march C-: %llu mismatching words", a->bdf, (unsigned long long)e.count);
		ecc_events(t, a, since);
		say_range(t, a, &s, "march C- through the BAR", bytes, ns);
		measure(t, a, "march-bar", bytes, ns);
	}
}

/* Each word holds its own HBM offset, then its complement: catches address lines stuck or
 * shorted (aliasing) that a uniform pattern cannot see. */
static void hbm_address_bar(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct span s;
		if (!accel_test_alive(t, a) || !pick_range(t, a, true, &s))
			continue;
		say_deadline(t, a);
		accel_eq_poll(a);
		uint64_t since = a->ev_seq, t0 = time_ns();
		struct errs e = {0};
		bool ok = true;
		for (unsigned inv = 0; inv < 2 && ok; inv++) {
			uint64_t x = inv ? MARCH_1 : 0;
			struct seg g;
			for (uint64_t done = 0; ok && seg_next(t, a, &s, true, done, &g); done += g.words * WORD) {
				for (uint64_t k = 0; k < g.words; k++)
					g.p[k] = (g.off + k * WORD) ^ x;
				ok = still_ok(t, a);
			}
			for (uint64_t done = 0; ok && seg_next(t, a, &s, true, done, &g); done += g.words * WORD) {
				for (uint64_t k = 0; k < g.words; k++) {
					uint64_t off = g.off + k * WORD, got = g.p[k];
					if (got != (off ^ x))
						mismatch(t, a, &e, inv ? "address-in-address (inverted)" : "address-in-address", off,
							 off ^ x, got);
				}
				ok = still_ok(t, a);
			}
			ok = ok && !win_failed;
		}
		uint64_t ns = time_ns() - t0, bytes = s.size * 4;
		if (!ok)
			continue;
		if (e.count)
			kt_fail(t, "%s: address-in-address: %llu mismatching words", a->bdf, (unsigned long long)e.count);
		ecc_events(t, a, since);
		say_range(t, a, &s, "address-in-address through the BAR", bytes, ns);
		measure(t, a, "address-bar", bytes, ns);
	}
}

static void hbm_random_bar(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct span s;
		if (!accel_test_alive(t, a) || !pick_range(t, a, true, &s))
			continue;
		say_deadline(t, a);
		accel_eq_poll(a);
		uint64_t since = a->ev_seq, t0 = time_ns(), seed = kt_rand(t), x = seed;
		struct errs e = {0};
		bool ok = true;
		struct seg g;
		for (uint64_t done = 0; ok && seg_next(t, a, &s, true, done, &g); done += g.words * WORD) {
			for (uint64_t k = 0; k < g.words; k++)
				g.p[k] = rand_next(&x);
			ok = still_ok(t, a);
		}
		x = seed;
		for (uint64_t done = 0; ok && seg_next(t, a, &s, true, done, &g); done += g.words * WORD) {
			for (uint64_t k = 0; k < g.words; k++) {
				uint64_t want = rand_next(&x), got = g.p[k];
				if (got != want)
					mismatch(t, a, &e, "random", g.off + k * WORD, want, got);
			}
			ok = still_ok(t, a);
		}
		ok = ok && !win_failed;
		uint64_t ns = time_ns() - t0, bytes = s.size * 2;
		if (!ok)
			continue;
		if (e.count)
			kt_fail(t, "%s: random (seed 0x%llx): %llu mismatching words", a->bdf, (unsigned long long)seed,
				(unsigned long long)e.count);
		ecc_events(t, a, since);
		say_range(t, a, &s, "seeded random through the BAR", bytes, ns);
		measure(t, a, "random-bar", bytes, ns);
	}
}

/* One LIN_DMA on queue 0 of engine 0; on failure the case fails and the stream is reset. */
static bool dma(struct kt *t, struct accel *a, struct accel_buf *cbuf, uint64_t src, uint64_t dst, uint32_t len)
{
	struct cb c;
	char why[300], qn[16];
	unsigned q = KILN_QUEUE_ID(0, 0);
	cb_init(&c, cbuf->host, CB_BYTES);
	cb_lin_dma(&c, src, dst, len, false, 0);
	int r = accel_run(a, q, cbuf->dev, cb_len(&c), DMA_MS, why, sizeof why);
	if (r) {
		kt_fail(t, "%s %s: LIN_DMA of %u bytes 0x%llx -> 0x%llx: %s", a->bdf, accel_queue_name(q, qn), len,
			(unsigned long long)src, (unsigned long long)dst, why);
		if (r != ACCEL_EGONE)
			accel_queue_reset(a, q);
		return false;
	}
	return true;
}

/* Through LIN_DMA: each chunk of the range is written from a host buffer and read back
 * into another; `address` fills it with address-in-address (and checks the HBM through
 * the BAR as well), else with the seeded random stream. */
static void dma_pass(struct kt *t, bool address)
{
	const char *what = address ? "address-dma" : "random-dma";
	FOR_EACH_ACCEL(i, a) {
		struct span s;
		if (!accel_test_alive(t, a) || !pick_range(t, a, false, &s))
			continue;
		say_deadline(t, a);
		struct accel_buf out, in, cbuf;
		if (accel_buf_alloc(&out, DMA_CHUNK) || accel_buf_alloc(&in, DMA_CHUNK) || accel_buf_alloc(&cbuf, CB_BYTES)) {
			kt_fail(t, "%s: out of host memory for %llu MiB DMA buffers", a->bdf, (unsigned long long)(2 * DMA_CHUNK / MIB));
			return;
		}
		accel_eq_poll(a);
		uint64_t since = a->ev_seq, t0 = time_ns(), seed = kt_rand(t), x = seed, moved = 0;
		struct errs e = {0};
		bool ok = true;
		for (uint64_t off = s.off; off < s.off + s.size && ok; off += DMA_CHUNK) {
			uint64_t len = s.off + s.size - off < DMA_CHUNK ? s.off + s.size - off : DMA_CHUNK;
			uint64_t *o = out.host, *in_w = in.host, x0 = x;
			for (uint64_t k = 0; k < len / WORD; k++)
				o[k] = address ? off + k * WORD : rand_next(&x);
			memset(in.host, 0, len);
			if (!dma(t, a, &cbuf, out.dev, accel_hbm_addr(off), (uint32_t)len) ||
			    !dma(t, a, &cbuf, accel_hbm_addr(off), in.dev, (uint32_t)len)) {
				ok = false;
				break;
			}
			moved += 2 * len;
			x = x0;
			for (uint64_t k = 0; k < len / WORD; k++) {
				uint64_t want = address ? off + k * WORD : rand_next(&x);
				if (in_w[k] != want)
					mismatch(t, a, &e, address ? "address-in-address via DMA" : "random via DMA", off + k * WORD,
						 want, in_w[k]);
				if (address) { /* the CPU path sees what DMA wrote */
					uint64_t got = *w64(a, off + k * WORD);
					if (got != want)
						mismatch(t, a, &e, "DMA-written, read through the BAR", off + k * WORD, want, got);
				}
			}
			ok = still_ok(t, a);
		}
		uint64_t ns = time_ns() - t0;
		accel_buf_free(&out);
		accel_buf_free(&in);
		accel_buf_free(&cbuf);
		if (!ok)
			continue;
		if (e.count)
			kt_fail(t, "%s: %s: %llu mismatching words", a->bdf, what, (unsigned long long)e.count);
		ecc_events(t, a, since);
		say_range(t, a, &s, address ? "address-in-address via LIN_DMA (checked via DMA and the BAR)"
					    : "seeded random via LIN_DMA host -> HBM -> host",
			  moved, ns);
		measure(t, a, what, moved, ns);
	}
}

/* March C- through the DMA engine, a chunk at a time: each element reads every chunk
 * (in ascending or descending chunk order) into host memory with LIN_DMA, checks it, and
 * rewrites it with a LIN_DMA memset. Coarser than the BAR march (a chunk is one "cell"
 * for ordering) but it runs the engine over the whole HBM in both directions. */
static bool dma_memset(struct kt *t, struct accel *a, struct accel_buf *cbuf, uint64_t dst, uint64_t pattern,
		       uint32_t len)
{
	struct cb c;
	char why[300], qn[16];
	unsigned q = KILN_QUEUE_ID(0, 0);
	cb_init(&c, cbuf->host, CB_BYTES);
	cb_memset(&c, dst, pattern, len, false);
	int r = accel_run(a, q, cbuf->dev, cb_len(&c), DMA_MS, why, sizeof why);
	if (r) {
		kt_fail(t, "%s %s: LIN_DMA memset of %u bytes at 0x%llx: %s", a->bdf, accel_queue_name(q, qn), len,
			(unsigned long long)dst, why);
		if (r != ACCEL_EGONE)
			accel_queue_reset(a, q);
		return false;
	}
	return true;
}

static void hbm_march_dma(struct kt *t)
{
	static const struct {
		bool up, read;
		uint64_t rv;
		bool write;
		uint64_t wv;
	} el[] = {
		{true, false, 0, true, MARCH_0},        {true, true, MARCH_0, true, MARCH_1},
		{true, true, MARCH_1, true, MARCH_0},   {false, true, MARCH_0, true, MARCH_1},
		{false, true, MARCH_1, true, MARCH_0},  {true, true, MARCH_0, false, 0},
	};
	FOR_EACH_ACCEL(i, a) {
		struct span s;
		if (!accel_test_alive(t, a) || !pick_range(t, a, false, &s))
			continue;
		say_deadline(t, a);
		struct accel_buf in, cbuf;
		if (accel_buf_alloc(&in, DMA_CHUNK) || accel_buf_alloc(&cbuf, CB_BYTES)) {
			kt_fail(t, "%s: out of host memory for a %llu MiB DMA buffer", a->bdf, (unsigned long long)(DMA_CHUNK / MIB));
			return;
		}
		accel_eq_poll(a);
		uint64_t since = a->ev_seq, t0 = time_ns(), moved = 0, chunks = (s.size + DMA_CHUNK - 1) / DMA_CHUNK;
		struct errs e = {0};
		bool ok = true;
		for (unsigned k = 0; k < sizeof el / sizeof el[0] && ok; k++) {
			for (uint64_t c = 0; c < chunks && ok; c++) {
				uint64_t off = s.off + (el[k].up ? c : chunks - 1 - c) * DMA_CHUNK;
				uint64_t len = s.off + s.size - off < DMA_CHUNK ? s.off + s.size - off : DMA_CHUNK;
				if (el[k].read) {
					const uint64_t *w = in.host;
					if (!dma(t, a, &cbuf, accel_hbm_addr(off), in.dev, (uint32_t)len)) {
						ok = false;
						break;
					}
					for (uint64_t x = 0; x < len / WORD; x++)
						if (w[x] != el[k].rv)
							mismatch(t, a, &e, "march C- via DMA", off + x * WORD, el[k].rv, w[x]);
					moved += len;
				}
				if (el[k].write) {
					if (!dma_memset(t, a, &cbuf, accel_hbm_addr(off), el[k].wv, (uint32_t)len)) {
						ok = false;
						break;
					}
					moved += len;
				}
				ok = ok && still_ok(t, a);
			}
		}
		uint64_t ns = time_ns() - t0;
		accel_buf_free(&in);
		accel_buf_free(&cbuf);
		if (!ok)
			continue;
		if (e.count)
			kt_fail(t, "%s: march C- via DMA: %llu mismatching words", a->bdf, (unsigned long long)e.count);
		ecc_events(t, a, since);
		say_range(t, a, &s, "march C- via LIN_DMA (reads to host, memset writes)", moved, ns);
		measure(t, a, "march-dma", moved, ns);
	}
}

static void hbm_address_dma(struct kt *t) { dma_pass(t, true); }
static void hbm_random_dma(struct kt *t) { dma_pass(t, false); }

/* The ECC record since the driver bound the device (resets within the run included):
 * corrected errors counted and listed (failing above ecc_serr_max=), uncorrected ones fail
 * with their address. */
/* ecc_serr_rate_max: corrected errors per hour since bring-up, judged over at least an
 * hour (a short run may see `rate` errors; a long burn-in rate * hours). */
static void ecc_rate_check(struct kt *t, struct accel *a, uint32_t serr, uint32_t rate)
{
	if (rate == CFG_LIMIT_OFF)
		return;
	uint64_t hour = 3600ull * NS_PER_S, elapsed = accel_elapsed_ns(a);
	uint64_t window = elapsed > hour ? elapsed : hour;
	uint64_t allowed = (uint64_t)rate * (window / NS_PER_S) / 3600;
	uint64_t per_hour_x10 = elapsed ? (uint64_t)serr * hour * 10 / elapsed : 0;
	if (serr > allowed)
		kt_fail(t, "%s: %u corrected HBM ECC errors in %llu s (%llu.%llu per hour), above the limit %u per hour "
			   "(ecc_serr_rate_max; %llu allowed over a window of %llu s)",
			a->bdf, serr, (unsigned long long)(elapsed / NS_PER_S), (unsigned long long)(per_hour_x10 / 10),
			(unsigned long long)(per_hour_x10 % 10), rate, (unsigned long long)allowed,
			(unsigned long long)(window / NS_PER_S));
}

static void hbm_ecc(struct kt *t)
{
	uint32_t limit = kiln_cfg ? kiln_cfg->ecc_serr_max : CFG_LIMIT_OFF;
	uint32_t rate = kiln_cfg ? kiln_cfg->ecc_serr_rate_max : CFG_LIMIT_OFF;
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		accel_eq_poll(a);
		struct accel_ecc e;
		accel_ecc_read(a, &e);
		if (a->gone) {
			kt_fail(t, "%s: device not responding", a->bdf);
			continue;
		}
		/* every ECC event still in the log, with addresses */
		ecc_events(t, a, 0);
		if (e.derr)
			kt_fail(t, "%s: %u uncorrected (double-bit) HBM ECC error(s); last at hbm+0x%llx stack %u%s", a->bdf,
				e.derr, (unsigned long long)e.last_addr, e.last_stack,
				e.last_derr ? "" : " (the last error recorded was a corrected one)");
		if (limit != CFG_LIMIT_OFF && e.serr > limit)
			kt_fail(t, "%s: %u corrected HBM ECC errors, above the limit %u (ecc_serr_max)", a->bdf, e.serr, limit);
		ecc_rate_check(t, a, e.serr, rate);
		char name[40];
		ksnprintf(name, sizeof name, "accel%u-hbm-ecc-corrected", a->index);
		kt_measure(t, name, e.serr, 0, "errors");
		char last[48] = "";
		if (e.last_valid)
			ksnprintf(last, sizeof last, ", last at hbm+0x%llx", (unsigned long long)e.last_addr);
		char lim[32] = "off";
		if (limit != CFG_LIMIT_OFF)
			ksnprintf(lim, sizeof lim, "%u", limit);
		kt_diag(t, "%s: HBM ECC: %u corrected, %u uncorrected since bring-up%s; ecc_serr_max %s", a->bdf, e.serr, e.derr,
			last, lim);
	}
}

static const struct kt_case cases[] = {
	{"hbm-march-bar", hbm_march_bar, 0},
	{"hbm-address-bar", hbm_address_bar, 0},
	{"hbm-random-bar", hbm_random_bar, 0},
	{"hbm-march-dma", hbm_march_dma, 0},
	{"hbm-address-dma", hbm_address_dma, 0},
	{"hbm-random-dma", hbm_random_dma, 0},
	{"hbm-ecc", hbm_ecc, 0},
};

KT_SUITE_SIZED(hbm, KT_SUITE_DEVICE | KT_SUITE_LANES, hbm_sized_s);
