/* The KTAP v1 writer (Documentation/dev-tools/ktap.rst): version, plan, subtest header,
 * result and diagnostic lines with two spaces of indentation per nesting level. Pure
 * code with an output callback, shared with the host unit tests. */
#ifndef KILN_KTAP_H
#define KILN_KTAP_H

#include <stddef.h>

enum ktap_result { KTAP_PASS, KTAP_FAIL, KTAP_SKIP, KTAP_TIMEOUT, KTAP_ERROR };

struct ktap_out {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
};

void ktap_version(const struct ktap_out *o, unsigned depth);
void ktap_plan(const struct ktap_out *o, unsigned depth, unsigned count);
void ktap_subtest(const struct ktap_out *o, unsigned depth, const char *name);
/* "ok N name", "not ok N name", "ok N name # SKIP reason", "not ok N name # TIMEOUT reason",
 * "not ok N name # ERROR reason". The reason may be NULL; '#' and line breaks in it are
 * replaced so the line stays one parseable result. */
void ktap_result(const struct ktap_out *o, unsigned depth, unsigned num, enum ktap_result r, const char *name,
		 const char *reason);
/* One "# prefix: text" line per line of text (prefix may be NULL: "# text"). */
void ktap_diag(const struct ktap_out *o, unsigned depth, const char *prefix, const char *text);

#endif
