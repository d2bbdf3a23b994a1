// sources: kernel/lib/glob.c
/* kernel/lib/glob.c: suite and case selection. '*' and '?' against names, lists split on
 * commas and spaces, the empty cases, patterns that make naive matchers explode, and a
 * random sweep checked against POSIX fnmatch(3) (with no '[' or '\', where the two
 * languages agree). */
#define _POSIX_C_SOURCE 200809L
#include "host_test.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/lib/glob.h"

/* Copies in exact-size heap buffers: a read past the terminator is an ASan report. */
static bool match(const char *pattern, const char *name)
{
	char *p = strdup(pattern), *n = strdup(name);
	bool r = glob_match(p, n);
	free(p);
	free(n);
	return r;
}

static bool match_list(const char *list, const char *name)
{
	char *l = strdup(list), *n = strdup(name);
	bool r = glob_match_list(l, n);
	free(l);
	free(n);
	return r;
}

#define MATCH(p, n) assert_true(match(p, n))
#define NO_MATCH(p, n) assert_false(match(p, n))

static void literal_names(void **state)
{
	(void)state;
	MATCH("platform", "platform");
	NO_MATCH("platform", "platforms");
	NO_MATCH("platforms", "platform");
	NO_MATCH("platform", "Platform");
	NO_MATCH("platform", "");
	NO_MATCH("", "platform");
	MATCH("", "");
}

static void question_mark(void **state)
{
	(void)state;
	MATCH("?", "a");
	NO_MATCH("?", "");
	NO_MATCH("?", "ab");
	MATCH("mem?-test", "mem1-test");
	NO_MATCH("mem?-test", "mem-test");
	MATCH("???", "abc");
	NO_MATCH("???", "ab");
	MATCH("?*?", "ab");
	NO_MATCH("?*?", "a");
}

static void star(void **state)
{
	(void)state;
	MATCH("*", "");
	MATCH("*", "anything-at-all");
	MATCH("**", "");
	MATCH("***x***", "x");
	MATCH("dma-*", "dma-");
	MATCH("dma-*", "dma-h2d-4k");
	NO_MATCH("dma-*", "dm-a");
	MATCH("*-4k", "dma-h2d-4k");
	NO_MATCH("*-4k", "dma-h2d-4k-x");
	MATCH("*h2d*", "dma-h2d-4k");
	MATCH("a*b*c", "abc");
	MATCH("a*b*c", "aXXbYYc");
	MATCH("a*b*c", "abcbc");      /* needs backtracking past the first 'b' and 'c' */
	NO_MATCH("a*b*c", "abcb");
	MATCH("*a*a", "aaa");
	NO_MATCH("*ab", "aba");
	MATCH("*ab", "abab");
	MATCH("a*", "a");
	NO_MATCH("a*", "ba");
	MATCH("*?", "x");
	NO_MATCH("*?", "");
	MATCH("selftest-*a?l*", "selftest-fail-hard");
}

static void lists(void **state)
{
	(void)state;
	assert_true(match_list("platform,selftest", "selftest"));
	assert_true(match_list("platform selftest", "platform"));
	assert_true(match_list("  platform ,, selftest , ", "selftest"));
	assert_true(match_list("dma-*,msi-*", "msi-edu"));
	assert_false(match_list("dma-*,msi-*", "mem-walk"));
	/* each item matches on its own: the list is not one pattern with commas in it */
	assert_false(match_list("plat,form", "platform"));
	assert_false(match_list("plat,form", "plat,form"));
	assert_false(match_list("p*m,x", "p*m,x-not"));
	assert_true(match_list("x,p*", "plat"));
	assert_true(match_list("p?", "pa"));
	assert_false(match_list("p?,q?", "p"));
	/* a '*' item matches everything, even the empty name */
	assert_true(match_list("nothing,*", "anything"));
	assert_true(match_list("*", ""));
}

static void empty_lists_match_nothing(void **state)
{
	(void)state;
	static const char *const empty[] = {"", ",", " ", ",,,", " , , ", "\0ignored"};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		assert_false(match_list(empty[i], ""));
		assert_false(match_list(empty[i], "platform"));
	}
}

/* Patterns with many stars against long names that almost match: a backtracking
 * matcher takes exponential time here; Kiln's must answer at once. */
static void pathological_patterns(void **state)
{
	(void)state;
	size_t n = 20000;
	char *name = malloc(n + 2);
	assert_non_null(name);
	memset(name, 'a', n);
	name[n] = 0;
	char pattern[200];
	size_t k = 0;
	for (int i = 0; i < 40; i++) {
		pattern[k++] = '*';
		pattern[k++] = 'a';
	}
	pattern[k++] = 'b';
	pattern[k] = 0;
	clock_t t0 = clock();
	assert_false(match(pattern, name));
	pattern[k - 1] = '*';
	assert_true(match(pattern, name));
	name[n] = 'b';
	name[n + 1] = 0;
	pattern[k - 1] = 'b';
	assert_true(match(pattern, name));
	assert_true(match("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?", name));
	assert_false(match("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?c", name));
	double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("# pathological patterns over a %zu-character name: %.3f s\n", n, s);
	/* generous: linear-ish matching takes milliseconds, exponential would never end */
	assert_true(s < 10.0);
	free(name);
}

/* Random patterns and names over a small alphabet, against fnmatch(3). */
static void random_patterns_agree_with_fnmatch(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x676c6f62ull);
	unsigned matched = 0, total = 0;
	for (int iter = 0; iter < 100000; iter++) {
		char pat[16], name[16];
		size_t pl = host_rand(&rng) % 10, nl = host_rand(&rng) % 12;
		for (size_t i = 0; i < pl; i++)
			pat[i] = "ab?*"[host_rand(&rng) % 4];
		pat[pl] = 0;
		for (size_t i = 0; i < nl; i++)
			name[i] = "ab"[host_rand(&rng) % 2];
		name[nl] = 0;
		bool want = fnmatch(pat, name, 0) == 0;
		bool got = match(pat, name);
		if (got != want)
			fail_msg("glob_match(\"%s\", \"%s\") = %d, fnmatch says %d", pat, name, got, want);
		matched += want;
		total++;
	}
	printf("# %u of %u random pairs match\n", matched, total);
	assert_true(matched > total / 20 && matched < total - total / 20); /* both outcomes exercised */
}

static void random_lists_agree_with_fnmatch(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x6c697374ull);
	static const char *const seps[] = {",", " ", ",,", " , ", "  "};
	for (int iter = 0; iter < 30000; iter++) {
		char list[128] = "", items[4][12], name[16];
		size_t ni = host_rand(&rng) % 5, len = 0;
		bool want = false;
		if (host_rand(&rng) % 2)
			len += (size_t)sprintf(list + len, "%s", seps[host_rand(&rng) % 5]);
		for (size_t k = 0; k < ni; k++) {
			size_t pl = 1 + host_rand(&rng) % 6;
			for (size_t i = 0; i < pl; i++)
				items[k][i] = "ab?*"[host_rand(&rng) % 4];
			items[k][pl] = 0;
			len += (size_t)sprintf(list + len, "%s%s", k ? seps[host_rand(&rng) % 5] : "", items[k]);
		}
		if (host_rand(&rng) % 2)
			len += (size_t)sprintf(list + len, "%s", seps[host_rand(&rng) % 5]);
		size_t nl = host_rand(&rng) % 8;
		for (size_t i = 0; i < nl; i++)
			name[i] = "ab"[host_rand(&rng) % 2];
		name[nl] = 0;
		for (size_t k = 0; k < ni; k++)
			want |= fnmatch(items[k], name, 0) == 0;
		bool got = match_list(list, name);
		if (got != want)
			fail_msg("glob_match_list(\"%s\", \"%s\") = %d, fnmatch over the items says %d", list, name, got,
				 want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_names),
		cmocka_unit_test(question_mark),
		cmocka_unit_test(star),
		cmocka_unit_test(lists),
		cmocka_unit_test(empty_lists_match_nothing),
		cmocka_unit_test(pathological_patterns),
		cmocka_unit_test(random_patterns_agree_with_fnmatch),
		cmocka_unit_test(random_lists_agree_with_fnmatch),
	};
	return cmocka_run_group_tests_name("glob", tests, NULL, NULL);
}
