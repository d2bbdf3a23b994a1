/* The typed handlers of configuration values (config_value.c), for the parser (config.c):
 * one set / fmt / allowed triple per enum cfg_type. */
#ifndef KILN_CONFIG_VALUE_H
#define KILN_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/harness/config.h"

/* Why a value was refused: the message's <why> (config.c words it). */
enum cfg_why {
	CFG_W_OK,
	CFG_W_NOT_NUMBER,
	CFG_W_TOO_LARGE,
	CFG_W_OUT_OF_RANGE,
	CFG_W_NOT_DURATION,
	CFG_W_NOT_WHOLE_SECONDS,
	CFG_W_NOT_SIZE,
	CFG_W_NOT_RANGE,
	CFG_W_NOT_FABRIC,
	CFG_W_NOT_ALLOWED,
	CFG_W_BAD_CHAR, /* a list: *at is the offending character */
	CFG_W_TOO_LONG, /* a list: the message names the length, not the value */
	CFG_W_TOO_MANY, /* a family: a new member beyond the field's room */
};

/* Text appended to a buffer that may be too small; `at` counts what the whole text needs. */
struct cfg_out {
	char *buf;
	size_t len, at;
};
void cfg_outf(struct cfg_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct cfg_type_ops {
	const char *name; /* docs/config.md's type column */
	/* parse the whole value, then write it at base; CFG_W_OK or why not */
	int (*set)(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at);
	/* the value as text that set takes back */
	void (*fmt)(const struct cfg_key *k, const void *base, struct cfg_out *o);
	/* what the key allows */
	void (*allowed)(const struct cfg_key *k, struct cfg_out *o);
	/* a family's (CFG_F_FAMILY) member: set key <prefix><sub> to v (set is NULL then, and
	 * fmt writes every member as <prefix><sub>=<value> words separated by spaces) */
	int (*member)(const struct cfg_key *k, void *base, const char *sub, size_t slen, const char *v, size_t n,
		      size_t *at);
};
extern const struct cfg_type_ops cfg_types[];

/* name (NUL-terminated) equals the counted key */
int cfg_key_is(const char *name, const char *key, size_t klen);
/* index of the first ch in s[0..n), or n */
size_t cfg_find(const char *s, size_t n, char ch);
/* the key's "was set" flag (false when it has none) */
bool cfg_get_set(const struct cfg_key *k, const void *base);
/* a family's prefix: the length of its row's name up to the '<' */
size_t cfg_family_prefix(const struct cfg_key *k);

#endif
