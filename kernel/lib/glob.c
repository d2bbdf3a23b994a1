#include "kernel/lib/glob.h"

/* Iterative matcher with single backtrack point: linear in practice, no recursion. */
static bool match_n(const char *p, size_t plen, const char *s)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (s[si]) {
		if (pi < plen && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < plen && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

bool glob_match(const char *pattern, const char *name)
{
	size_t n = 0;
	while (pattern[n])
		n++;
	return match_n(pattern, n, name);
}

bool glob_match_list(const char *list, const char *name)
{
	const char *p = list;
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (p > start && match_n(start, (size_t)(p - start), name))
			return true;
	}
	return false;
}
