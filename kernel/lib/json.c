#include "kernel/lib/json.h"

#include "kernel/lib/fmt.h"

void jb_init(struct jbuf *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->depth = 0;
	j->first[0] = true;
	j->overflow = cap == 0;
	if (cap)
		buf[0] = 0;
}

static void put(struct jbuf *j, char c)
{
	if (j->len + 1 < j->cap) {
		j->buf[j->len++] = c;
		j->buf[j->len] = 0;
	} else {
		j->overflow = true;
	}
}

static void puts_raw(struct jbuf *j, const char *s)
{
	while (*s)
		put(j, *s++);
}

static void put_escaped(struct jbuf *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put(j, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			put(j, '\\');
			put(j, (char)c);
		} else if (c == '\n') {
			puts_raw(j, "\\n");
		} else if (c == '\t') {
			puts_raw(j, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			puts_raw(j, "\\u00");
			put(j, hex[c >> 4]);
			put(j, hex[c & 15]);
		} else if (c > 0x7f) {
			put(j, '?'); /* firmware strings are not reliably UTF-8 */
		} else {
			put(j, (char)c);
		}
	}
	put(j, '"');
}

static void member(struct jbuf *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ',');
	j->first[j->depth] = false;
	if (key) {
		put_escaped(j, key);
		put(j, ':');
	}
}

static void jopen(struct jbuf *j, const char *key, char c)
{
	member(j, key);
	put(j, c);
	if (j->depth + 1 < JB_MAX_DEPTH) {
		j->depth++;
		j->first[j->depth] = true;
	} else {
		j->overflow = true;
	}
}

static void jclose(struct jbuf *j, char c)
{
	put(j, c);
	if (j->depth > 0)
		j->depth--;
}

void jb_obj_begin(struct jbuf *j, const char *key) { jopen(j, key, '{'); }
void jb_obj_end(struct jbuf *j) { jclose(j, '}'); }
void jb_arr_begin(struct jbuf *j, const char *key) { jopen(j, key, '['); }
void jb_arr_end(struct jbuf *j) { jclose(j, ']'); }

void jb_str(struct jbuf *j, const char *key, const char *val)
{
	member(j, key);
	put_escaped(j, val);
}

void jb_int(struct jbuf *j, const char *key, int64_t v)
{
	char b[24];
	member(j, key);
	ksnprintf(b, sizeof b, "%lld", (long long)v);
	puts_raw(j, b);
}

void jb_bool(struct jbuf *j, const char *key, bool v)
{
	member(j, key);
	puts_raw(j, v ? "true" : "false");
}

void jb_fixed(struct jbuf *j, const char *key, int64_t value, unsigned decimals)
{
	char b[48];
	member(j, key);
	kfmt_fixed(b, sizeof b, value, decimals);
	puts_raw(j, b);
}

bool jb_ok(const struct jbuf *j) { return !j->overflow && j->depth == 0; }
const char *jb_text(const struct jbuf *j) { return j->buf; }
