// sources: kernel/harness/ktap.c kernel/lib/fmt.c
/* kernel/harness/ktap.c: the exact bytes of every KTAP v1 line Kiln writes (version, plan,
 * subtest, results with their directives, diagnostics), the indentation per depth, and
 * that reasons and diagnostics can never break the one-line-per-result structure. */
#include "host_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/harness/ktap.h"

struct sink {
	char buf[8192];
	size_t len;
	unsigned writes;
};

static void sink_write(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;
	assert_true(k->len + n < sizeof k->buf);
	memcpy(k->buf + k->len, s, n);
	k->len += n;
	k->buf[k->len] = 0;
	k->writes++;
}

static struct sink sink;
static const struct ktap_out out = {sink_write, &sink};

static int reset(void **state)
{
	(void)state;
	memset(&sink, 0, sizeof sink);
	return 0;
}

/* What was written since the last call, then forget it. */
static const char *take(void)
{
	static char copy[sizeof sink.buf];
	memcpy(copy, sink.buf, sink.len + 1);
	assert_int_equal(strlen(copy), sink.len); /* no NUL byte was written */
	sink.len = 0;
	sink.buf[0] = 0;
	return copy;
}

static void version_and_plan(void **state)
{
	(void)state;
	ktap_version(&out, 0);
	assert_string_equal(take(), "KTAP version 1\n");
	ktap_version(&out, 1);
	assert_string_equal(take(), "  KTAP version 1\n");
	ktap_plan(&out, 0, 3);
	assert_string_equal(take(), "1..3\n");
	ktap_plan(&out, 1, 0);
	assert_string_equal(take(), "  1..0\n");
	ktap_plan(&out, 2, 4294967295u);
	assert_string_equal(take(), "    1..4294967295\n");
}

static void subtest_header(void **state)
{
	(void)state;
	ktap_subtest(&out, 1, "platform");
	assert_string_equal(take(), "  # Subtest: platform\n");
	ktap_subtest(&out, 0, "");
	assert_string_equal(take(), "# Subtest: \n");
}

static void results_and_directives(void **state)
{
	(void)state;
	ktap_result(&out, 0, 1, KTAP_PASS, "memory-map", NULL);
	assert_string_equal(take(), "ok 1 memory-map\n");
	ktap_result(&out, 1, 2, KTAP_FAIL, "dma-h2d", NULL);
	assert_string_equal(take(), "  not ok 2 dma-h2d\n");
	/* pass and fail carry no directive: their reason is a diagnostic line, not the result */
	ktap_result(&out, 1, 3, KTAP_PASS, "a", "ignored");
	assert_string_equal(take(), "  ok 3 a\n");
	ktap_result(&out, 1, 4, KTAP_FAIL, "b", "ignored");
	assert_string_equal(take(), "  not ok 4 b\n");
	ktap_result(&out, 1, 5, KTAP_SKIP, "msi-edu", "no edu device");
	assert_string_equal(take(), "  ok 5 msi-edu # SKIP no edu device\n");
	ktap_result(&out, 1, 6, KTAP_SKIP, "msi-edu", NULL);
	assert_string_equal(take(), "  ok 6 msi-edu # SKIP\n");
	ktap_result(&out, 1, 6, KTAP_SKIP, "msi-edu", "");
	assert_string_equal(take(), "  ok 6 msi-edu # SKIP\n");
	ktap_result(&out, 1, 4, KTAP_TIMEOUT, "selftest-hang", "no result after 3 s");
	assert_string_equal(take(), "  not ok 4 selftest-hang # TIMEOUT no result after 3 s\n");
	ktap_result(&out, 1, 7, KTAP_TIMEOUT, "t", NULL);
	assert_string_equal(take(), "  not ok 7 t # TIMEOUT\n");
	ktap_result(&out, 0, 8, KTAP_ERROR, "accel", "device missing");
	assert_string_equal(take(), "not ok 8 accel # ERROR device missing\n");
	ktap_result(&out, 0, 4294967295u, KTAP_PASS, "last", NULL);
	assert_string_equal(take(), "ok 4294967295 last\n");
}

/* A reason is one field of one line: '#' would start another directive, a line break
 * another line. Both are replaced; the rest of the text survives. */
static void reasons_are_sanitized(void **state)
{
	(void)state;
	ktap_result(&out, 1, 1, KTAP_SKIP, "x", "needs # of ports\nand\r\nmore\tthan that#");
	assert_string_equal(take(), "  ok 1 x # SKIP needs _ of ports and  more than that_\n");
	ktap_result(&out, 0, 2, KTAP_ERROR, "y", "\n");
	assert_string_equal(take(), "not ok 2 y # ERROR  \n");
	/* a very long reason is cut, still one line */
	char reason[1000];
	memset(reason, 'r', sizeof reason - 1);
	reason[sizeof reason - 1] = 0;
	ktap_result(&out, 0, 3, KTAP_SKIP, "long", reason);
	const char *line = take();
	assert_memory_equal(line, "ok 3 long # SKIP rrrr", 21);
	assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
	assert_true(strlen(line) < 512);
}

static void diagnostics(void **state)
{
	(void)state;
	ktap_diag(&out, 1, "dma-h2d", "mismatch at hbm+0x3f2a1000 expected 0xa5a5a5a5 got 0xa5a4a5a5 (bit 16)");
	assert_string_equal(take(), "  # dma-h2d: mismatch at hbm+0x3f2a1000 expected 0xa5a5a5a5 got 0xa5a4a5a5 (bit 16)\n");
	ktap_diag(&out, 0, NULL, "measure dma-h2d-bw 1234.5 MB/s");
	assert_string_equal(take(), "# measure dma-h2d-bw 1234.5 MB/s\n");
	/* several lines: one '#' line each, prefix repeated, a trailing newline adds nothing */
	ktap_diag(&out, 1, "crash", "vector 6 (#UD)\nrip 0xffff8000\n\nrax 0\n");
	assert_string_equal(take(), "  # crash: vector 6 (#UD)\n"
				    "  # crash: rip 0xffff8000\n"
				    "  # crash: \n"
				    "  # crash: rax 0\n");
	ktap_diag(&out, 2, NULL, "a\nb");
	assert_string_equal(take(), "    # a\n    # b\n");
	ktap_diag(&out, 0, "p", "");
	assert_string_equal(take(), "# p: \n");
	ktap_diag(&out, 0, "p", "\n");
	assert_string_equal(take(), "# p: \n");
	ktap_diag(&out, 0, NULL, "\n\nx");
	assert_string_equal(take(), "# \n# \n# x\n");
}

/* A diagnostic line longer than the line buffer is cut, never overrun; the next line of
 * the same text still comes out whole. */
static void long_diagnostic_lines(void **state)
{
	(void)state;
	size_t n = 3000;
	char *text = malloc(n + 16);
	assert_non_null(text);
	memset(text, 'd', n);
	strcpy(text + n, "\nshort");
	ktap_diag(&out, 1, "big", text);
	const char *all = take();
	const char *nl = strchr(all, '\n');
	assert_non_null(nl);
	assert_memory_equal(all, "  # big: ddd", 12);
	assert_true(nl - all <= 2 + 511);
	assert_string_equal(nl + 1, "  # big: short\n");
	free(text);
}

static void indentation_per_depth(void **state)
{
	(void)state;
	for (unsigned d = 0; d <= 16; d++) {
		ktap_plan(&out, d, 1);
		char want[64];
		snprintf(want, sizeof want, "%*s1..1\n", (int)(2 * d), "");
		assert_string_equal(take(), want);
	}
	/* beyond the deepest indentation it stays there instead of reading past it */
	ktap_plan(&out, 17, 1);
	const char *a = take();
	assert_int_equal(strspn(a, " "), 32);
	ktap_plan(&out, 4000000000u, 1);
	assert_int_equal(strspn(take(), " "), 32);
}

/* The shape reporting.md shows: a suite as a subtest with its cases inside. */
static void a_whole_run(void **state)
{
	(void)state;
	ktap_version(&out, 0);
	ktap_plan(&out, 0, 1);
	ktap_version(&out, 1);
	ktap_subtest(&out, 1, "dma");
	ktap_plan(&out, 1, 2);
	ktap_result(&out, 1, 1, KTAP_PASS, "dma-host-to-hbm-4k", NULL);
	ktap_diag(&out, 1, "dma-hbm-to-host-64m", "mismatch at hbm+0x3f2a1000 expected 0xa5a5a5a5 got 0xa5a4a5a5 (bit 16)");
	ktap_result(&out, 1, 2, KTAP_FAIL, "dma-hbm-to-host-64m", NULL);
	ktap_result(&out, 0, 1, KTAP_FAIL, "dma", NULL);
	assert_string_equal(take(), "KTAP version 1\n"
				    "1..1\n"
				    "  KTAP version 1\n"
				    "  # Subtest: dma\n"
				    "  1..2\n"
				    "  ok 1 dma-host-to-hbm-4k\n"
				    "  # dma-hbm-to-host-64m: mismatch at hbm+0x3f2a1000 expected 0xa5a5a5a5 got 0xa5a4a5a5 "
				    "(bit 16)\n"
				    "  not ok 2 dma-hbm-to-host-64m\n"
				    "not ok 1 dma\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(version_and_plan, reset),
		cmocka_unit_test_setup(subtest_header, reset),
		cmocka_unit_test_setup(results_and_directives, reset),
		cmocka_unit_test_setup(reasons_are_sanitized, reset),
		cmocka_unit_test_setup(diagnostics, reset),
		cmocka_unit_test_setup(long_diagnostic_lines, reset),
		cmocka_unit_test_setup(indentation_per_depth, reset),
		cmocka_unit_test_setup(a_whole_run, reset),
	};
	return cmocka_run_group_tests_name("ktap", tests, NULL, NULL);
}
