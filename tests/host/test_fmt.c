// sources: kernel/lib/fmt.c
/* kernel/lib/fmt.c against the C library: every conversion Kiln's formatter claims (d i u o x
 * X c s p %) under every flag set, width and precision (literal and '*'), every length
 * modifier and the boundary values of each type must print what glibc's snprintf prints,
 * return the full length, and truncate at every buffer size exactly like C99 snprintf.
 * Only combinations whose output C11 defines are compared with libc (no '#' on u/c/s/p,
 * no '0' on c/s/p, no precision on c); implementation-defined ones (%p, a NULL %s) are
 * checked against Kiln's documented behaviour instead. */
#include "host_test.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/lib/fmt.h"

#define OUT_MAX 512
#define MAX_REPORTS 12

enum argtype { A_INT, A_LONG, A_LLONG, A_SIZE, A_MAX, A_PTRDIFF, A_UINT, A_ULONG, A_ULLONG, A_USIZE, A_UMAX,
	       A_UPTRDIFF, A_CHAR, A_STR, A_PTR, A_NONE };

struct call {
	const char *fmt;
	int stars;       /* '*' arguments before the value: 0, 1 or 2 */
	int star[2];
	enum argtype type;
	int64_t v;       /* integer argument (bit pattern for unsigned types) */
	const char *s;   /* A_STR */
	const void *p;   /* A_PTR */
};

/* Call one snprintf-like function with the arguments `c` describes. */
#define CALL_WITH(fn, buf, n, c, arg)                                                            \
	((c)->stars == 0   ? fn(buf, n, (c)->fmt, arg)                                              \
	 : (c)->stars == 1 ? fn(buf, n, (c)->fmt, (c)->star[0], arg)                               \
			   : fn(buf, n, (c)->fmt, (c)->star[0], (c)->star[1], arg))

#define DISPATCH(fn, buf, n, c)                                                                   \
	switch ((c)->type) {                                                                      \
	case A_INT: r = CALL_WITH(fn, buf, n, c, (int)(c)->v); break;                             \
	case A_LONG: r = CALL_WITH(fn, buf, n, c, (long)(c)->v); break;                           \
	case A_LLONG: r = CALL_WITH(fn, buf, n, c, (long long)(c)->v); break;                     \
	case A_SIZE: r = CALL_WITH(fn, buf, n, c, (ptrdiff_t)(c)->v); break;                      \
	case A_MAX: r = CALL_WITH(fn, buf, n, c, (intmax_t)(c)->v); break;                        \
	case A_PTRDIFF: r = CALL_WITH(fn, buf, n, c, (ptrdiff_t)(c)->v); break;                   \
	case A_UINT: r = CALL_WITH(fn, buf, n, c, (unsigned)(c)->v); break;                       \
	case A_ULONG: r = CALL_WITH(fn, buf, n, c, (unsigned long)(c)->v); break;                 \
	case A_ULLONG: r = CALL_WITH(fn, buf, n, c, (unsigned long long)(c)->v); break;           \
	case A_USIZE: r = CALL_WITH(fn, buf, n, c, (size_t)(c)->v); break;                        \
	case A_UMAX: r = CALL_WITH(fn, buf, n, c, (uintmax_t)(c)->v); break;                      \
	case A_UPTRDIFF: r = CALL_WITH(fn, buf, n, c, (ptrdiff_t)(c)->v); break;                  \
	case A_CHAR: r = CALL_WITH(fn, buf, n, c, (int)(c)->v); break;                            \
	case A_STR: r = CALL_WITH(fn, buf, n, c, (c)->s); break;                                  \
	case A_PTR: r = CALL_WITH(fn, buf, n, c, (c)->p); break;                                  \
	case A_NONE: r = CALL_WITH(fn, buf, n, c, 0); break;                                      \
	}

static int call_libc(char *buf, size_t n, const struct call *c)
{
	int r = -1;
	DISPATCH(snprintf, buf, n, c);
	return r;
}

static int call_kiln(char *buf, size_t n, const struct call *c)
{
	int r = -1;
	DISPATCH(ksnprintf, buf, n, c);
	return r;
}

static unsigned mismatches;
static unsigned long compared;

static void describe(const struct call *c, char *d, size_t n)
{
	char stars[40] = "";
	if (c->stars == 1)
		snprintf(stars, sizeof stars, "%d, ", c->star[0]);
	else if (c->stars == 2)
		snprintf(stars, sizeof stars, "%d, %d, ", c->star[0], c->star[1]);
	if (c->type == A_STR)
		snprintf(d, n, "\"%s\", %s\"%s\"", c->fmt, stars, c->s ? c->s : "NULL");
	else if (c->type == A_PTR)
		snprintf(d, n, "\"%s\", %s(void *)%p", c->fmt, stars, c->p);
	else
		snprintf(d, n, "\"%s\", %s%" PRId64 " (0x%" PRIx64 ")", c->fmt, stars, c->v, (uint64_t)c->v);
}

static void report(const struct call *c, const char *what, const char *exp, int rexp, const char *got, int rgot)
{
	if (++mismatches > MAX_REPORTS)
		return;
	char d[200];
	describe(c, d, sizeof d);
	printf("# ksnprintf(%s): %s: libc \"%s\" (%d), kiln \"%s\" (%d)\n", d, what, exp, rexp, got, rgot);
}

/* Compare the full output, then (when `sweep`) every truncation 0..len+2 in an exactly
 * sized heap buffer, so a write past n is an ASan report, not a silent pass. */
static void compare(const struct call *c, int sweep)
{
	char exp[OUT_MAX], got[OUT_MAX];
	memset(got, 0x5a, sizeof got);
	int rexp = call_libc(exp, sizeof exp, c);
	int rgot = call_kiln(got, sizeof got, c);
	compared++;
	assert_true(rexp >= 0 && rexp < OUT_MAX);
	if (rexp != rgot || memcmp(exp, got, (size_t)rexp + 1)) {
		report(c, "differs", exp, rexp, got, rgot);
		return;
	}
	if (!sweep)
		return;
	for (size_t n = 0; n <= (size_t)rexp + 2; n++) {
		char *b = malloc(n ? n : 1);
		assert_non_null(b);
		memset(b, 0x5a, n ? n : 1);
		int r = call_kiln(n ? b : NULL, n, c);
		size_t keep = n ? ((size_t)rexp < n - 1 ? (size_t)rexp : n - 1) : 0;
		int bad = r != rexp;
		if (n && (memcmp(b, exp, keep) || b[keep] != 0))
			bad = 1;
		if (!n && b[0] != 0x5a)
			bad = 1;
		if (bad) {
			char what[48];
			snprintf(what, sizeof what, "truncated to n=%zu", n);
			char shown[OUT_MAX];
			snprintf(shown, sizeof shown, "%.*s", (int)keep, n ? b : "");
			report(c, what, exp, rexp, shown, r);
			free(b);
			return;
		}
		free(b);
	}
}

static void finish(const char *what)
{
	unsigned bad = mismatches;
	unsigned long total = compared;
	mismatches = 0;
	compared = 0;
	printf("# %s: %lu formats compared with libc\n", what, total);
	if (bad)
		fail_msg("%u of %lu %s formats differ from libc (first %d shown)", bad, total, what, MAX_REPORTS);
}

static const int64_t values[] = {
	0, 1, -1, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, -128, -129, 255, 256, 32767, -32768, 65535, 65536,
	INT_MAX, INT_MIN, (int64_t)UINT_MAX, (int64_t)UINT_MAX + 1, 01234567, 0x7fffffffffffffffll,
	(int64_t)0x8000000000000000ull, (int64_t)0xfedcba9876543210ull, 1000000000000ll, -1000000000000ll,
};
#define NVALUES (sizeof values / sizeof values[0])

static const char *const widths[] = {"", "1", "2", "7", "21", "*"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12", ".25", ".*"};
static const int width_stars[] = {-9, 0, 9};
static const int prec_stars[] = {-1, 0, 4};

struct length {
	const char *mod;
	enum argtype sgn, uns;
};
static const struct length lengths[] = {
	{"", A_INT, A_UINT},     {"hh", A_INT, A_UINT},       {"h", A_INT, A_UINT},
	{"l", A_LONG, A_ULONG},  {"ll", A_LLONG, A_ULLONG},   {"z", A_SIZE, A_USIZE},
	{"j", A_MAX, A_UMAX},    {"t", A_PTRDIFF, A_UPTRDIFF},
};

/* flags is a bit set over "-+ 0#"; allowed masks the ones the conversion defines. */
static void flag_text(unsigned flags, char *out)
{
	static const char fl[] = "-+ 0#";
	for (int i = 0; i < 5; i++)
		if (flags & (1u << i))
			*out++ = fl[i];
	*out = 0;
}

/* Every flag set x width x precision x length x value for one integer conversion. */
static void integer_table(char conv, unsigned allowed_flags)
{
	int is_signed = conv == 'd' || conv == 'i';
	unsigned long n = 0;
	for (unsigned flags = 0; flags < 32; flags++) {
		if (flags & ~allowed_flags)
			continue;
		char ft[8];
		flag_text(flags, ft);
		for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
			for (size_t p = 0; p < sizeof precs / sizeof precs[0]; p++)
				for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
					char fmt[32];
					snprintf(fmt, sizeof fmt, "%%%s%s%s%s%c", ft, widths[w], precs[p], lengths[l].mod,
						 conv);
					int ws = widths[w][0] == '*', ps = strchr(precs[p], '*') != NULL;
					for (size_t wv = 0; wv < (ws ? 3u : 1u); wv++)
						for (size_t pv = 0; pv < (ps ? 3u : 1u); pv++)
							for (size_t v = 0; v < NVALUES; v++) {
								struct call c = {.fmt = fmt,
										 .type = is_signed ? lengths[l].sgn
												   : lengths[l].uns,
										 .v = values[v]};
								if (ws)
									c.star[c.stars++] = width_stars[wv];
								if (ps)
									c.star[c.stars++] = prec_stars[pv];
								/* a sparse, deterministic subset also sweeps truncation */
								compare(&c, ++n % 97 == 0);
							}
				}
	}
}

enum { FL_MINUS = 1, FL_PLUS = 2, FL_SPACE = 4, FL_ZERO = 8, FL_HASH = 16 };

static void d_i_match_libc(void **state)
{
	(void)state;
	integer_table('d', FL_MINUS | FL_PLUS | FL_SPACE | FL_ZERO);
	integer_table('i', FL_MINUS | FL_PLUS | FL_SPACE | FL_ZERO);
	finish("%d/%i");
}

static void u_matches_libc(void **state)
{
	(void)state;
	integer_table('u', FL_MINUS | FL_PLUS | FL_SPACE | FL_ZERO);
	finish("%u");
}

static void o_matches_libc(void **state)
{
	(void)state;
	integer_table('o', FL_MINUS | FL_ZERO | FL_HASH);
	finish("%o");
}

static void x_X_match_libc(void **state)
{
	(void)state;
	integer_table('x', FL_MINUS | FL_ZERO | FL_HASH);
	integer_table('X', FL_MINUS | FL_ZERO | FL_HASH);
	finish("%x/%X");
}

/* The cases a reader checks first, each named, each with its truncation sweep. */
static void boundary_values_match_libc(void **state)
{
	(void)state;
	static const struct call calls[] = {
		{"%d", 0, {0}, A_INT, INT_MIN, NULL, NULL},
		{"%d", 0, {0}, A_INT, INT_MAX, NULL, NULL},
		{"%lld", 0, {0}, A_LLONG, LLONG_MIN, NULL, NULL},
		{"%lld", 0, {0}, A_LLONG, LLONG_MAX, NULL, NULL},
		{"%jd", 0, {0}, A_MAX, INT64_MIN, NULL, NULL},
		{"%llu", 0, {0}, A_ULLONG, -1, NULL, NULL},
		{"%llo", 0, {0}, A_ULLONG, -1, NULL, NULL},
		{"%#llo", 0, {0}, A_ULLONG, -1, NULL, NULL},
		{"%#llx", 0, {0}, A_ULLONG, -1, NULL, NULL},
		{"%#llX", 0, {0}, A_ULLONG, -1, NULL, NULL},
		{"%zu", 0, {0}, A_USIZE, -1, NULL, NULL},
		{"%zx", 0, {0}, A_USIZE, -1, NULL, NULL},
		{"%hhd", 0, {0}, A_INT, 0x180, NULL, NULL},
		{"%hhu", 0, {0}, A_UINT, 0x1ff, NULL, NULL},
		{"%hd", 0, {0}, A_INT, 0x18000, NULL, NULL},
		{"%hx", 0, {0}, A_UINT, 0x12345, NULL, NULL},
		{"%.0d", 0, {0}, A_INT, 0, NULL, NULL},
		{"%+.0d", 0, {0}, A_INT, 0, NULL, NULL},
		{"% .0d", 0, {0}, A_INT, 0, NULL, NULL},
		{"%5.0d", 0, {0}, A_INT, 0, NULL, NULL},
		{"%-5.0d|", 0, {0}, A_INT, 0, NULL, NULL},
		{"%#.0x", 0, {0}, A_UINT, 0, NULL, NULL},
		{"%#.0o", 0, {0}, A_UINT, 0, NULL, NULL},
		{"%#o", 0, {0}, A_UINT, 0, NULL, NULL},
		{"%#5o", 0, {0}, A_UINT, 0, NULL, NULL},
		{"%#x", 0, {0}, A_UINT, 0, NULL, NULL},
		{"%#o", 0, {0}, A_UINT, 8, NULL, NULL},
		{"%#.3o", 0, {0}, A_UINT, 8, NULL, NULL},
		{"%#.3o", 0, {0}, A_UINT, 0777, NULL, NULL},
		{"%#08x", 0, {0}, A_UINT, 0xbeef, NULL, NULL},
		{"%#-8x|", 0, {0}, A_UINT, 0xbeef, NULL, NULL},
		{"%08.3d", 0, {0}, A_INT, -5, NULL, NULL},
		{"%-08d|", 0, {0}, A_INT, -5, NULL, NULL},
		{"%0-8d|", 0, {0}, A_INT, -5, NULL, NULL},
		{"%+ d", 0, {0}, A_INT, 5, NULL, NULL},
		{"% +d", 0, {0}, A_INT, 5, NULL, NULL},
		{"%--+ +  008d|", 0, {0}, A_INT, 5, NULL, NULL},
		{"%*d", 1, {-6}, A_INT, 42, NULL, NULL},
		{"%-*d|", 1, {-6}, A_INT, 42, NULL, NULL},
		{"%.*d", 1, {-3}, A_INT, 42, NULL, NULL},
		{"%0*.*d", 2, {9, -1}, A_INT, -42, NULL, NULL},
		{"%0*.*d", 2, {9, 4}, A_INT, -42, NULL, NULL},
		{"%200d", 0, {0}, A_INT, 1, NULL, NULL},
		{"%.200d", 0, {0}, A_INT, -1, NULL, NULL},
		{"[%%]", 0, {0}, A_NONE, 0, NULL, NULL},
		{"%c", 0, {0}, A_CHAR, 'k', NULL, NULL},
		{"%c", 0, {0}, A_CHAR, 0, NULL, NULL},
		{"%c", 0, {0}, A_CHAR, 0xff, NULL, NULL},
		{"%c", 0, {0}, A_CHAR, 0x141, NULL, NULL},
		{"%5c|", 0, {0}, A_CHAR, 'k', NULL, NULL},
		{"%-5c|", 0, {0}, A_CHAR, 'k', NULL, NULL},
		{"%*c|", 1, {-3}, A_CHAR, 'k', NULL, NULL},
		{"%s", 0, {0}, A_STR, 0, "", NULL},
		{"%s", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%.0s|", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%.2s|", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%.9s|", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%9.2s|", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%-9.2s|", 0, {0}, A_STR, 0, "kiln", NULL},
		{"%*.*s|", 2, {-7, 3}, A_STR, 0, "kiln", NULL},
		{"%.*s|", 1, {-1}, A_STR, 0, "kiln", NULL},
		{"%p", 0, {0}, A_PTR, 0, NULL, (void *)0x1000},
		{"%p", 0, {0}, A_PTR, 0, NULL, (void *)UINTPTR_MAX},
		{"%20p|", 0, {0}, A_PTR, 0, NULL, (void *)0xdeadbeef},
		{"%-20p|", 0, {0}, A_PTR, 0, NULL, (void *)0xdeadbeef},
		{"no conversion at all", 0, {0}, A_NONE, 0, NULL, NULL},
		{"", 0, {0}, A_NONE, 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		compare(&calls[i], 1);
	finish("boundary");
}

static void chars_and_strings_match_libc(void **state)
{
	(void)state;
	static const char *const strs[] = {"", "a", "kiln", "burn-in harness", "tab\there", "0123456789abcdefghij"};
	static const char *const sw[] = {"", "1", "4", "16", "*", "-1", "-4", "-16", "-*"};
	static const char *const sp[] = {"", ".", ".0", ".1", ".3", ".15", ".*"};
	for (size_t w = 0; w < sizeof sw / sizeof sw[0]; w++) {
		int ws = strchr(sw[w], '*') != NULL;
		for (size_t p = 0; p < sizeof sp / sizeof sp[0]; p++) {
			int ps = strchr(sp[p], '*') != NULL;
			char fmt[32];
			snprintf(fmt, sizeof fmt, "<%%%s%ss>", sw[w], sp[p]);
			for (size_t wv = 0; wv < (ws ? 3u : 1u); wv++)
				for (size_t pv = 0; pv < (ps ? 3u : 1u); pv++)
					for (size_t s = 0; s < sizeof strs / sizeof strs[0]; s++) {
						struct call c = {.fmt = fmt, .type = A_STR, .s = strs[s]};
						if (ws)
							c.star[c.stars++] = width_stars[wv];
						if (ps)
							c.star[c.stars++] = prec_stars[pv];
						compare(&c, 1);
					}
			if (p == 0) { /* %c takes width and '-' but no precision */
				snprintf(fmt, sizeof fmt, "<%%%sc>", sw[w]);
				for (size_t wv = 0; wv < (ws ? 3u : 1u); wv++)
					for (int ch = 0; ch < 256; ch += 17) {
						struct call c = {.fmt = fmt, .type = A_CHAR, .v = ch};
						if (ws)
							c.star[c.stars++] = width_stars[wv];
						compare(&c, 1);
					}
			}
		}
	}
	finish("%s/%c");
}

/* Several conversions in one format consume their arguments in order. */
static void several_conversions_in_one_format(void **state)
{
	(void)state;
	char exp[OUT_MAX], got[OUT_MAX];
#define BOTH(...)                                                                                 \
	do {                                                                                      \
		int re = snprintf(exp, sizeof exp, __VA_ARGS__);                                  \
		int rg = ksnprintf(got, sizeof got, __VA_ARGS__);                                 \
		assert_string_equal(got, exp);                                                    \
		assert_int_equal(rg, re);                                                         \
	} while (0)
	BOTH("%s=%d,%#x%%%c|%-4s|%5.2s|%llu", "key", -3, 0x1f, 'z', "ab", "xyz", 18446744073709551615ull);
	/* hh and h take an int and convert it: 300 prints as 44, 70000 as 4464 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat"
	BOTH("%hhd %hd %d %ld %lld %zd %jd %td", 300, 70000, -1, -2L, -3LL, (ptrdiff_t)-4, (intmax_t)-5,
	     (ptrdiff_t)-6);
#pragma clang diagnostic pop
	BOTH("%*d|%-*d|%.*d|%*.*x", 5, 1, 5, 2, 4, 3, 8, 6, 0xab);
	BOTH("%c%c%c%c", 'k', 'i', 'l', 'n');
	BOTH("%%%%%%%d%%", 7);
	BOTH("%p %s %p", (void *)0x1234, "mid", (void *)0xffff0000);
#undef BOTH
}

/* Kiln's choices where C leaves the output to the implementation. */
static void implementation_defined_cases(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(ksnprintf(b, sizeof b, "%s", (const char *)NULL), 6);
	assert_string_equal(b, "(null)");
	assert_int_equal(ksnprintf(b, sizeof b, "[%.3s]", (const char *)NULL), 5);
	assert_string_equal(b, "[(nu]");
	assert_int_equal(ksnprintf(b, sizeof b, "%p", NULL), 3);
	assert_string_equal(b, "0x0");
	assert_int_equal(ksnprintf(b, sizeof b, "%6p|", NULL), 7);
	assert_string_equal(b, "   0x0|");
	/* a trailing lone '%' prints nothing; an unknown conversion prints itself */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat"
	assert_int_equal(ksnprintf(b, sizeof b, "50%"), 2);
	assert_string_equal(b, "50");
	assert_int_equal(ksnprintf(b, sizeof b, "a%qb"), 4);
	assert_string_equal(b, "a%qb");
	assert_int_equal(ksnprintf(b, sizeof b, "%5"), 0);
	assert_string_equal(b, "");
#pragma clang diagnostic pop
}

/* n == 0 writes nothing (buf may be NULL); the return value is the full length even
 * when far larger than the buffer. */
static void size_zero_and_huge_outputs(void **state)
{
	(void)state;
	assert_int_equal(ksnprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	char one = 'x';
	assert_int_equal(ksnprintf(&one, 1, "hello"), 5);
	assert_int_equal(one, 0);
	char b[8];
	memset(b, 'x', sizeof b);
	assert_int_equal(ksnprintf(b, 0, "hello"), 5);
	assert_int_equal(b[0], 'x');
	assert_int_equal(ksnprintf(b, sizeof b, "%100000d", 1), 100000);
	assert_string_equal(b, "       ");
	assert_int_equal(ksnprintf(b, sizeof b, "%-100000d", 1), 100000);
	assert_string_equal(b, "1      ");
	assert_int_equal(ksnprintf(b, sizeof b, "%.100000d", 1), 100000);
	assert_string_equal(b, "0000000");
	assert_int_equal(ksnprintf(NULL, 0, "%*s", 1 << 20, ""), 1 << 20);
}

/* A precision bounds how much of a string is read: the bytes after it need not exist. */
static void string_precision_stops_reading(void **state)
{
	(void)state;
	char *s = malloc(4);
	assert_non_null(s);
	memcpy(s, "kiln", 4); /* no terminating NUL: ASan reports any read past s[3] */
	char b[16];
	assert_int_equal(ksnprintf(b, sizeof b, "%.4s|", s), 5);
	assert_string_equal(b, "kiln|");
	assert_int_equal(ksnprintf(b, sizeof b, "%.*s|", 2, s), 3);
	assert_string_equal(b, "ki|");
	free(s);
}

/* kvsnprintf takes its arguments as a va_list (how console and ktap wrappers call it). */
static int via_va_list(char *b, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int via_va_list(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

static void kvsnprintf_takes_a_va_list(void **state)
{
	(void)state;
	char b[8];
	assert_int_equal(via_va_list(b, sizeof b, "%s %d %llx", "v", 7, 0xabcdefull), 10);
	assert_string_equal(b, "v 7 abc");
}

/* Random formats (flags, widths, precisions, lengths, conversions, literal text around)
 * with random values, each compared with libc and swept over every truncation. */
static void random_formats_match_libc(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x4b494c4e464d54ull);
	static const char convs[] = "diuoxXcs%";
	static const char lit[] = "ab %%|-=#.";
	for (int iter = 0; iter < 20000; iter++) {
		char fmt[64];
		size_t n = 0;
		for (int k = (int)(host_rand(&rng) % 3); k > 0; k--) {
			char ch = lit[host_rand(&rng) % (sizeof lit - 1)];
			fmt[n++] = ch;
			if (ch == '%')
				fmt[n++] = '%';
		}
		char conv = convs[host_rand(&rng) % (sizeof convs - 1)];
		int integer = strchr("diuoxX", conv) != NULL;
		fmt[n++] = '%';
		if (conv != '%') {
			unsigned allowed = conv == 'd' || conv == 'i' || conv == 'u'
						   ? FL_MINUS | FL_PLUS | FL_SPACE | FL_ZERO
					   : integer ? FL_MINUS | FL_ZERO | FL_HASH
						     : FL_MINUS;
			for (int k = (int)(host_rand(&rng) % 4); k > 0; k--) {
				unsigned f = 1u << (host_rand(&rng) % 5);
				if (f & allowed)
					fmt[n++] = "-+ 0#"[__builtin_ctz(f)];
			}
		}
		struct call c = {.fmt = fmt};
		if (conv != '%') {
			unsigned wr = host_rand(&rng) % 4;
			if (wr == 1)
				n += (size_t)sprintf(fmt + n, "%u", 1 + (unsigned)(host_rand(&rng) % 40));
			else if (wr == 2) {
				fmt[n++] = '*';
				c.star[c.stars++] = (int)(host_rand(&rng) % 61) - 30;
			}
			if (conv != 'c') {
				unsigned pr = host_rand(&rng) % 4;
				if (pr == 1)
					n += (size_t)sprintf(fmt + n, ".%u", (unsigned)(host_rand(&rng) % 30));
				else if (pr == 2) {
					fmt[n++] = '.';
					fmt[n++] = '*';
					c.star[c.stars++] = (int)(host_rand(&rng) % 40) - 5;
				}
			}
		}
		const struct length *len = &lengths[0];
		if (integer) {
			len = &lengths[host_rand(&rng) % (sizeof lengths / sizeof lengths[0])];
			for (const char *m = len->mod; *m; m++)
				fmt[n++] = *m;
		}
		fmt[n++] = conv;
		for (int k = (int)(host_rand(&rng) % 3); k > 0; k--)
			fmt[n++] = "xyz "[host_rand(&rng) % 4];
		fmt[n] = 0;
		uint64_t r = host_rand(&rng);
		/* favour small magnitudes and the edges over uniform 64-bit noise */
		switch (host_rand(&rng) % 4) {
		case 0: r %= 1000; break;
		case 1: r = (uint64_t)values[r % NVALUES]; break;
		case 2: r = (uint64_t)-(int64_t)(r % 100000); break;
		}
		if (conv == '%')
			c.type = A_NONE;
		else if (conv == 's') {
			static const char *const s[] = {"", "k", "kiln", "0123456789abcdefghijklmnop"};
			c.type = A_STR;
			c.s = s[r % 4];
		} else if (conv == 'c') {
			c.type = A_CHAR;
			c.v = (int64_t)(r & 0xff);
		} else {
			c.type = conv == 'd' || conv == 'i' ? len->sgn : len->uns;
			c.v = (int64_t)r;
		}
		compare(&c, 1);
	}
	finish("random");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boundary_values_match_libc),
		cmocka_unit_test(d_i_match_libc),
		cmocka_unit_test(u_matches_libc),
		cmocka_unit_test(o_matches_libc),
		cmocka_unit_test(x_X_match_libc),
		cmocka_unit_test(chars_and_strings_match_libc),
		cmocka_unit_test(several_conversions_in_one_format),
		cmocka_unit_test(implementation_defined_cases),
		cmocka_unit_test(size_zero_and_huge_outputs),
		cmocka_unit_test(string_precision_stops_reading),
		cmocka_unit_test(kvsnprintf_takes_a_va_list),
		cmocka_unit_test(random_formats_match_libc),
	};
	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
