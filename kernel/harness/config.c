/* The configuration parser: kiln.cfg lines and load-option words become config_set calls;
 * config_set finds the key's row in config_keys[] (config_keys.c) and hands the value to
 * its type's handler (config_value.c). What it refuses is said in one message shape:
 *     <origin>: key '<key>' value '<value>' <why>; allowed: <what the key allows>
 * with <what the key allows> from the same function that writes docs/config.md's column. */
#include "kernel/harness/config.h"

#include <stdint.h>

#include "kernel/harness/config_value.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

const struct kiln_config *kiln_cfg;

static const char *const why_text[] = {
	[CFG_W_NOT_NUMBER] = "is not a number",
	[CFG_W_TOO_LARGE] = "is too large",
	[CFG_W_OUT_OF_RANGE] = "is out of range",
	[CFG_W_NOT_DURATION] = "is not a duration",
	[CFG_W_NOT_WHOLE_SECONDS] = "is not a whole number of seconds",
	[CFG_W_NOT_SIZE] = "is not a size",
	[CFG_W_NOT_RANGE] = "is not a range",
	[CFG_W_NOT_FABRIC] = "is not a fabric",
	[CFG_W_NOT_ALLOWED] = "is not allowed",
	[CFG_W_TOO_MANY] = "is one key too many",
};

/* ---- setting a key ------------------------------------------------------------------- */

static void list_keys(const struct cfg_key *keys, size_t nkeys, char *buf, size_t len)
{
	struct cfg_out o = {buf, len, 0};
	buf[0] = 0;
	for (size_t i = 0; i < nkeys; i++)
		cfg_outf(&o, "%s%s", i ? ", " : "", keys[i].name);
}

int config_set_in(const struct cfg_key *keys, size_t nkeys, void *base, const char *key, size_t klen,
		  const char *val, size_t vlen, const char *origin, char *err)
{
	const struct cfg_key *k = NULL;
	size_t prefix = 0; /* a family's member: the key goes on after the row's prefix */
	for (size_t i = 0; i < nkeys && !k; i++) {
		if (!(keys[i].flags & CFG_F_FAMILY)) {
			if (cfg_key_is(keys[i].name, key, klen))
				k = &keys[i];
			continue;
		}
		prefix = cfg_family_prefix(&keys[i]);
		if (klen > prefix && !strncmp(keys[i].name, key, prefix))
			k = &keys[i];
	}
	if (!k) {
		char known[CFG_ERR_MAX]; /* every key name fits; the message is cut at CFG_ERR_MAX */
		list_keys(keys, nkeys, known, sizeof known);
		ksnprintf(err, CFG_ERR_MAX, "%s: unknown key '%.*s'; known keys: %s", origin, (int)klen, key, known);
		return -1;
	}
	size_t at = 0;
	int why = k->flags & CFG_F_FAMILY
			  ? cfg_types[k->type].member(k, base, key + prefix, klen - prefix, val, vlen, &at)
			  : cfg_types[k->type].set(k, base, val, vlen, &at);
	if (why == CFG_W_OK)
		return 0;
	char allowed[CFG_ERR_MAX / 2];
	config_key_allowed(k, allowed, sizeof allowed);
	/* the key as given: a family's member is named whole, not by its row */
	if (why == CFG_W_TOO_LONG)
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%.*s' value is %zu characters; allowed: at most %u", origin, (int)klen,
			  key, vlen, k->size - 1u);
	else if (why == CFG_W_BAD_CHAR)
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%.*s' value '%.*s' has '%c'; allowed: %s", origin, (int)klen, key,
			  (int)vlen, val, val[at], allowed);
	else
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%.*s' value '%.*s' %s; allowed: %s", origin, (int)klen, key,
			  (int)vlen, val, why_text[why], allowed);
	return -1;
}

int config_set(struct kiln_config *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *origin, char *err)
{
	return config_set_in(config_keys, config_nkeys, c, key, klen, val, vlen, origin, err);
}

void config_defaults(struct kiln_config *c)
{
	char err[CFG_ERR_MAX];
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		if (k->def) /* every default parses: tests/host/test_config_doc.c checks it */
			config_set(c, k->name, strlen(k->name), k->def, strlen(k->def), "default", err);
	}
}

/* ---- kiln.cfg and load options ------------------------------------------------------- */

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

int config_parse_file(struct kiln_config *c, const char *text, size_t len, const char *name, char *err)
{
	size_t pos = 0;
	unsigned line = 0;
	while (pos < len) {
		size_t end = pos + cfg_find(text + pos, len - pos, '\n');
		line++;
		char origin[96];
		ksnprintf(origin, sizeof origin, "%s line %u", name, line);
		size_t s = pos, e = pos + cfg_find(text + pos, end - pos, '#');
		while (s < e && is_space(text[s]))
			s++;
		while (e > s && is_space(text[e - 1]))
			e--;
		pos = end + 1;
		if (s == e)
			continue;
		for (size_t i = s; i < e; i++)
			if (text[i] == 0 || (unsigned char)text[i] > 0x7e || ((unsigned char)text[i] < 0x20 && text[i] != '\t')) {
				ksnprintf(err, CFG_ERR_MAX, "%s: not text (byte 0x%02x); kiln.cfg is ASCII 'key = value' lines",
					  origin, (unsigned char)text[i]);
				return -1;
			}
		size_t eq = s + cfg_find(text + s, e - s, '=');
		if (eq == e) {
			ksnprintf(err, CFG_ERR_MAX, "%s: '%.*s' is not 'key = value'", origin, (int)(e - s), text + s);
			return -1;
		}
		size_t ke = eq, vs = eq + 1;
		while (ke > s && is_space(text[ke - 1]))
			ke--;
		while (vs < e && is_space(text[vs]))
			vs++;
		if (ke == s) {
			ksnprintf(err, CFG_ERR_MAX, "%s: '%.*s' has no key before '='", origin, (int)(e - s), text + s);
			return -1;
		}
		if (config_set(c, text + s, ke - s, text + vs, e - vs, origin, err) < 0)
			return -1;
	}
	return 0;
}

int config_parse_cmdline(struct kiln_config *c, const char *text, char *err)
{
	const char *p = text;
	while (*p) {
		while (*p && is_space(*p))
			p++;
		if (!*p)
			break;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		const char *eq = w;
		while (eq < p && *eq != '=')
			eq++;
		if (eq == p || eq == w) {
			ksnprintf(err, CFG_ERR_MAX, "load options: '%.*s' is not key=value", (int)(p - w), w);
			return -1;
		}
		if (config_set(c, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1), "load options", err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the effective configuration ---------------------------------------------------- */

static bool differs(const struct cfg_key *k, const struct kiln_config *c, const struct kiln_config *d)
{
	if (k->set)
		return cfg_get_set(k, c);
	return memcmp((const char *)c + k->off, (const char *)d + k->off, k->size) ||
	       (k->size2 && memcmp((const char *)c + k->off2, (const char *)d + k->off2, k->size2));
}

static bool is_zero(const struct cfg_key *k, const struct kiln_config *c)
{
	const char *p = (const char *)c + k->off;
	for (size_t i = 0; i < k->size; i++)
		if (p[i])
			return false;
	return true;
}

int config_format(const struct kiln_config *c, char *buf, size_t len)
{
	struct kiln_config d;
	struct cfg_out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	config_defaults(&d);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		if (k->show == CFG_SHOW_NEVER || (k->show == CFG_SHOW_IF_SET && !differs(k, c, &d)))
			continue;
		if (k->flags & CFG_F_FAMILY) { /* its members as key=value words of their own */
			cfg_outf(&o, "%s", o.at ? " " : "");
			cfg_types[k->type].fmt(k, c, &o);
			continue;
		}
		cfg_outf(&o, "%s%s=", o.at ? " " : "", k->name);
		if (k->unset && is_zero(k, c))
			cfg_outf(&o, "%s", k->unset);
		else
			cfg_types[k->type].fmt(k, c, &o);
	}
	return (int)o.at;
}
