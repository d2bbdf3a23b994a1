/* A small JSON writer into a fixed buffer, for LDJSON records. Pure, host-tested.
 * Overflow is sticky: jb_ok() says whether the whole record fit. */
#ifndef KILN_JSON_H
#define KILN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JB_MAX_DEPTH 12

struct jbuf {
	char *buf;
	size_t cap, len;
	int depth;
	bool first[JB_MAX_DEPTH];
	bool overflow;
};

void jb_init(struct jbuf *j, char *buf, size_t cap);
/* key is NULL inside arrays and at the top level */
void jb_obj_begin(struct jbuf *j, const char *key);
void jb_obj_end(struct jbuf *j);
void jb_arr_begin(struct jbuf *j, const char *key);
void jb_arr_end(struct jbuf *j);
void jb_str(struct jbuf *j, const char *key, const char *val);
void jb_int(struct jbuf *j, const char *key, int64_t v);
void jb_bool(struct jbuf *j, const char *key, bool v);
/* a decimal number value/10^decimals, e.g. (12345, 2) -> 123.45 */
void jb_fixed(struct jbuf *j, const char *key, int64_t value, unsigned decimals);
bool jb_ok(const struct jbuf *j);
const char *jb_text(const struct jbuf *j);

#endif
