#include "kernel/harness/ktap.h"

#include "kernel/lib/fmt.h"

#define KTAP_LINE_MAX 512

static void emit(const struct ktap_out *o, unsigned depth, const char *line, int len)
{
	static const char spaces[] = "                                ";
	unsigned ind = depth * 2;
	if (ind > sizeof spaces - 1)
		ind = sizeof spaces - 1;
	if (len < 0)
		len = 0;
	if (len > KTAP_LINE_MAX - 2)
		len = KTAP_LINE_MAX - 2;
	o->write(o->ctx, spaces, ind);
	o->write(o->ctx, line, (size_t)len);
	o->write(o->ctx, "\n", 1);
}

void ktap_version(const struct ktap_out *o, unsigned depth) { emit(o, depth, "KTAP version 1", 14); }

void ktap_plan(const struct ktap_out *o, unsigned depth, unsigned count)
{
	char b[32];
	emit(o, depth, b, ksnprintf(b, sizeof b, "1..%u", count));
}

void ktap_subtest(const struct ktap_out *o, unsigned depth, const char *name)
{
	char b[KTAP_LINE_MAX];
	emit(o, depth, b, ksnprintf(b, sizeof b, "# Subtest: %s", name));
}

/* Copy text into one line: no line breaks, no '#' that would start a new field. */
static void clean(char *dst, size_t max, const char *src)
{
	size_t n = 0;
	for (; src && *src && n + 1 < max; src++) {
		char ch = *src;
		if (ch == '\n' || ch == '\r' || ch == '\t')
			ch = ' ';
		else if (ch == '#')
			ch = '_';
		dst[n++] = ch;
	}
	dst[n] = 0;
}

void ktap_result(const struct ktap_out *o, unsigned depth, unsigned num, enum ktap_result r, const char *name,
		 const char *reason)
{
	static const char *const directive[] = {
		[KTAP_PASS] = NULL, [KTAP_FAIL] = NULL, [KTAP_SKIP] = "SKIP", [KTAP_TIMEOUT] = "TIMEOUT",
		[KTAP_ERROR] = "ERROR"};
	char why[200], b[KTAP_LINE_MAX];
	clean(why, sizeof why, reason);
	const char *status = (r == KTAP_PASS || r == KTAP_SKIP) ? "ok" : "not ok";
	int n;
	if (directive[r])
		n = ksnprintf(b, sizeof b, "%s %u %s # %s%s%s", status, num, name, directive[r], why[0] ? " " : "", why);
	else
		n = ksnprintf(b, sizeof b, "%s %u %s", status, num, name);
	emit(o, depth, b, n);
}

void ktap_diag(const struct ktap_out *o, unsigned depth, const char *prefix, const char *text)
{
	char b[KTAP_LINE_MAX];
	const char *p = text;
	do {
		const char *e = p;
		while (*e && *e != '\n')
			e++;
		int n = prefix ? ksnprintf(b, sizeof b, "# %s: %.*s", prefix, (int)(e - p), p)
			       : ksnprintf(b, sizeof b, "# %.*s", (int)(e - p), p);
		emit(o, depth, b, n);
		p = *e ? e + 1 : e;
	} while (*p);
}
