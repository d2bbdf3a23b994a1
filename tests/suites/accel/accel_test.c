/* The accelerator suites' shared helpers (tests/suites/accel/accel_test.h). */
#include "tests/suites/accel/accel_test.h"

#include "drivers/accel/hw/kiln_qman.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/pattern.h"
#include "kernel/lib/string.h"

/* ---- buffers ---- */

bool test_bufs_get(struct kt *t, struct accel *a, struct test_bufs *b, uint64_t cb, uint64_t aux, uint64_t host)
{
	b->aux.host = b->host.host = 0;
	if (accel_buf_alloc(&b->cb, cb) || (aux && accel_buf_alloc(&b->aux, aux)) || accel_buf_alloc(&b->host, host)) {
		kt_fail(t, "%s: out of memory for command buffers (%llu KiB)", a->bdf,
			(unsigned long long)((cb + aux + host) / 1024));
		accel_buf_free(&b->cb);
		accel_buf_free(&b->aux);
		return false;
	}
	return true;
}

void test_bufs_put(struct test_bufs *b)
{
	accel_buf_free(&b->cb);
	accel_buf_free(&b->aux);
	accel_buf_free(&b->host);
}

/* ---- running CBs ---- */

uint32_t test_stream_reg(unsigned q, uint32_t reg)
{
	return KILN_BLK_QMAN(q / KILN_STREAMS_PER_ENGINE) + KILN_QM_STREAM(q % KILN_STREAMS_PER_ENGINE) + reg;
}

void test_recover(struct kt *t, struct accel *a, unsigned q)
{
	char why[200];
	if (accel_queue_reset(a, q) && accel_reset(a, why, sizeof why))
		kt_diag(t, "%s: device reset after the failure did not work either: %s", a->bdf, why);
}

bool test_contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);
	for (; *s; s++)
		if (!strncmp(s, sub, n))
			return true;
	return n == 0;
}

int test_run_at(struct kt *t, struct accel *a, unsigned q, uint64_t dev, struct cb *c, const char *what)
{
	char name[16], why[400];
	accel_queue_name(q, name);
	if (!cb_ok(c)) {
		kt_fail(t, "%s %s: %s: command buffer overflow (%u bytes)", a->bdf, name, what, c->cap);
		return ACCEL_EINVAL;
	}
	int r = accel_run(a, q, dev, cb_len(c), ACCEL_TEST_WAIT_MS, why, sizeof why);
	if (r) {
		kt_fail(t, "%s %s: %s: %s", a->bdf, name, what, why);
		test_recover(t, a, q);
	}
	return r;
}

int test_run(struct kt *t, struct accel *a, unsigned q, struct accel_buf *cbuf, struct cb *c, const char *what)
{
	return test_run_at(t, a, q, cbuf->dev, c, what);
}

/* ---- data checks ---- */

struct tally {
	struct kt *t;
	const char *who, *region;
	uint64_t region_off;
	uint64_t first, last; /* first is 1 + the address, 0 when none yet */
	unsigned shown;
};

static unsigned lowest_bit(uint64_t x)
{
	unsigned n = 0;
	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}

static void mismatch(void *arg, uint64_t at, uint64_t want, uint64_t got, unsigned bytes)
{
	struct tally *y = arg;
	uint64_t addr = y->region_off + at, diff = want ^ got;
	if (!y->first)
		y->first = addr + 1;
	y->last = addr + bytes - 1;
	if (y->shown >= PAT_REPORT_MAX)
		return;
	y->shown++;
	char bit[24] = "";
	if (!(diff & (diff - 1)))
		ksnprintf(bit, sizeof bit, ", bit %u", lowest_bit(diff));
	int w = bytes == 8 ? 16 : 2;
	kt_diag(y->t, "%s: mismatch at %s+0x%llx expected 0x%0*llx got 0x%0*llx (bits 0x%0*llx%s)", y->who, y->region,
		(unsigned long long)addr, w, (unsigned long long)want, w, (unsigned long long)got, w,
		(unsigned long long)diff, bit);
}

static uint64_t conclude(struct tally *y, uint64_t bad, uint64_t len)
{
	if (bad)
		kt_fail(y->t, "%s: %llu of %llu bytes differ in %s+0x%llx..0x%llx (%u shown above)", y->who,
			(unsigned long long)bad, (unsigned long long)len, y->region, (unsigned long long)(y->first - 1),
			(unsigned long long)y->last, y->shown);
	return bad;
}

uint64_t pat_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		   uint64_t len, uint64_t seed, uint64_t pat_off)
{
	struct tally y = {t, who, region, region_off, 0, 0, 0};
	return conclude(&y, pattern_check(p, len, seed, pat_off, mismatch, &y), len);
}

uint64_t fill_check(struct kt *t, const char *who, const char *region, uint64_t region_off, const volatile void *p,
		    uint64_t len, uint64_t pattern)
{
	struct tally y = {t, who, region, region_off, 0, 0, 0};
	return conclude(&y, pattern_check_repeat(p, len, pattern, mismatch, &y), len);
}

int test_stream_full(struct accel *a, unsigned q, unsigned n, test_cb_fn *cb, void *ctx, char *why, unsigned len)
{
	unsigned posted = 0;
	uint32_t base = accel_completed(a, q), tk;
	int r = ACCEL_OK;
	while (!r && accel_completed(a, q) - base < n) {
		unsigned room = ACCEL_PQ_ENTRIES - (posted - (accel_completed(a, q) - base));
		if (posted < n && (room >= TEST_STREAM_BATCH || room >= n - posted)) {
			for (; room && posted < n; room--, posted++) {
				uint32_t cb_len = 0;
				uint64_t dev = cb(ctx, posted, &cb_len);
				if ((r = accel_post(a, q, dev, cb_len, &tk))) {
					char name[16];
					ksnprintf(why, len, "posting CB %u of %u on %s: %s", posted, n, accel_queue_name(q, name),
						  accel_strerror(r));
					return r;
				}
			}
			accel_doorbell(a, q);
		}
		uint32_t before = accel_completed(a, q);
		r = accel_reap_ready(a, q, why, len);
		if (!r && accel_completed(a, q) == before && (posted == n || room < TEST_STREAM_BATCH))
			r = accel_reap(a, q, before + 1, ACCEL_TEST_WAIT_MS, why, len);
	}
	return r;
}

int test_irq_release_settle(struct accel *a, unsigned q, int r, char *why, unsigned len)
{
	int rr = accel_cq_irq_release(a, q);
	if (!r && rr)
		ksnprintf(why, len, "releasing the CQ interrupt: %s", accel_strerror(r = rr));
	return r ? r : accel_irq_settle(a, q, why, len);
}
