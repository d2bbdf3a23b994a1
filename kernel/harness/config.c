/* The configuration parser: kiln.cfg lines and load-option words become config_set calls;
 * config_set finds the key's row in config_keys[] (config_keys.c) and hands the value to
 * its type's handler. A handler parses the whole value before it writes anything, so a
 * refused value changes nothing; what it refuses is said in one message shape:
 *     <origin>: key '<key>' value '<value>' <why>; allowed: <what the key allows>
 * with <what the key allows> from the same function that writes docs/config.md's column. */
#include "kernel/harness/config.h"

#include <stdint.h>

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

const struct kiln_config *kiln_cfg;

/* Why a value was refused (the message's <why>). */
enum why {
	W_OK,
	W_NOT_NUMBER,
	W_TOO_LARGE,
	W_OUT_OF_RANGE,
	W_NOT_DURATION,
	W_NOT_WHOLE_SECONDS,
	W_NOT_SIZE,
	W_NOT_RANGE,
	W_NOT_ALLOWED,
	W_BAD_CHAR,  /* a list: *at is the offending character */
	W_TOO_LONG,  /* a list: the message names the length, not the value */
};

static const char *const why_text[] = {
	[W_NOT_NUMBER] = "is not a number",
	[W_TOO_LARGE] = "is too large",
	[W_OUT_OF_RANGE] = "is out of range",
	[W_NOT_DURATION] = "is not a duration",
	[W_NOT_WHOLE_SECONDS] = "is not a whole number of seconds",
	[W_NOT_SIZE] = "is not a size",
	[W_NOT_RANGE] = "is not a range",
	[W_NOT_ALLOWED] = "is not allowed",
};

/* ---- text helpers --------------------------------------------------------------------- */

static int key_is(const char *name, const char *key, size_t klen)
{
	return strlen(name) == klen && !strncmp(name, key, klen);
}

/* Appends to a buffer that may be too small; `at` keeps counting what the whole text needs. */
struct out {
	char *buf;
	size_t len, at;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(o->at < o->len ? o->buf + o->at : NULL, o->at < o->len ? o->len - o->at : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->at += (size_t)n;
}

static size_t find(const char *s, size_t n, char ch)
{
	size_t i = 0;
	while (i < n && s[i] != ch)
		i++;
	return i;
}

/* An unsigned decimal or 0x-hex number filling the whole text: 0, -1 not a number, -2 too large. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -1;
	int big = 0;
	for (; i < n; i++) {
		unsigned d;
		char ch = s[i];
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			big = 1;
		else
			v = v * base + d;
	}
	if (big)
		return -2;
	*out = v;
	return 0;
}

/* A size: a number with an optional K, M or G suffix (binary units). 0, -1 or -2 (too large). */
static int parse_size(const char *s, size_t n, uint64_t *out)
{
	unsigned shift = 0;
	if (n > 1) {
		switch (s[n - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
	}
	uint64_t v;
	int r = parse_u64(s, shift ? n - 1 : n, &v);
	if (r < 0)
		return r;
	if (v > (UINT64_MAX >> shift))
		return -2;
	*out = v << shift;
	return 0;
}

static void format_size(struct out *o, uint64_t v)
{
	static const char suffix[] = "GMK";
	for (unsigned i = 0; i < 3; i++) {
		unsigned shift = 30 - 10 * i;
		if (v && !(v & ((1ull << shift) - 1))) {
			outf(o, "%llu%c", (unsigned long long)(v >> shift), suffix[i]);
			return;
		}
	}
	outf(o, "%llu", (unsigned long long)v);
}

int config_parse_time(const char *s, size_t n, uint64_t *ms)
{
	uint64_t total = 0, v;
	size_t i = 0;
	if (n == 0)
		return -1;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { /* a bare 0x-hex number of seconds */
		int r = parse_u64(s, n, &v);
		if (r < 0)
			return r;
		if (v > UINT64_MAX / 1000)
			return -2;
		*ms = v * 1000;
		return 0;
	}
	while (i < n) {
		size_t start = i;
		int big = 0;
		v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			uint64_t d = (uint64_t)(s[i++] - '0');
			if (v > (UINT64_MAX - d) / 10)
				big = 1;
			else
				v = v * 10 + d;
		}
		if (i == start)
			return -1;
		uint64_t unit = 1000;
		if (i < n) {
			switch (s[i++]) {
			case 's': unit = 1000; break;
			case 'm':
				if (i < n && s[i] == 's') {
					i++;
					unit = 1;
				} else {
					unit = 60000;
				}
				break;
			case 'h': unit = 3600000; break;
			case 'd': unit = 86400000; break;
			default: return -1;
			}
		} else if (start != 0) {
			return -1; /* "1h30" is ambiguous: every part after the first needs a unit */
		}
		if (big || v > UINT64_MAX / unit || total + v * unit < total)
			big = 1;
		if (big) {
			/* too large, unless the rest is not a time at all: say which */
			uint64_t rest;
			if (i < n && config_parse_time(s + i, n - i, &rest) == -1)
				return -1;
			return -2;
		}
		total += v * unit;
	}
	*ms = total;
	return 0;
}

static void format_time_ms(struct out *o, uint64_t ms)
{
	uint64_t sec = ms / 1000, d = sec / 86400, h = sec / 3600 % 24, m = sec / 60 % 60, x = sec % 60;
	if (d)
		outf(o, "%llud", (unsigned long long)d);
	if (h)
		outf(o, "%lluh", (unsigned long long)h);
	if (m)
		outf(o, "%llum", (unsigned long long)m);
	if (x || (!sec && !(ms % 1000)))
		outf(o, "%llus", (unsigned long long)x);
	if (ms % 1000)
		outf(o, "%llums", (unsigned long long)(ms % 1000));
}

int config_format_duration(uint64_t sec, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	uint64_t d = sec / 86400, rest = sec % 86400;
	if (d) /* seconds beyond what milliseconds hold: days first, the rest as usual */
		outf(&o, "%llud", (unsigned long long)d);
	if (rest || !sec)
		format_time_ms(&o, rest * 1000);
	return (int)o.at;
}

/* "a.b.c.d" filling the whole text; host byte order. */
static int parse_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;
	for (unsigned part = 0; part < 4; part++) {
		if (part) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
		size_t start = i;
		uint32_t x = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			x = x * 10 + (uint32_t)(s[i++] - '0');
		if (i == start || x > 255 || (i - start > 1 && s[start] == '0'))
			return -1;
		v = v << 8 | x;
	}
	if (i != n)
		return -1;
	*out = v;
	return 0;
}

static void format_ipv4(struct out *o, uint32_t a)
{
	outf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xffu, (a >> 8) & 0xffu, a & 0xffu);
}

/* ---- fields ---------------------------------------------------------------------------- */

static void put_uint(void *base, uint16_t off, uint16_t size, uint64_t v)
{
	char *p = (char *)base + off;
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

static uint64_t get_uint(const void *base, uint16_t off, uint16_t size)
{
	const char *p = (const char *)base + off;
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

static void put_set(const struct cfg_key *k, void *base, bool v)
{
	if (k->set)
		*(bool *)((char *)base + k->set - 1) = v;
}

static bool get_set(const struct cfg_key *k, const void *base)
{
	return k->set && *(const bool *)((const char *)base + k->set - 1);
}

/* "none" (or "all") on a key with a set flag: nothing set, its fields back to zero. */
static void clear(const struct cfg_key *k, void *base)
{
	memset((char *)base + k->off, 0, k->size);
	if (k->size2)
		memset((char *)base + k->off2, 0, k->size2);
	put_set(k, base, false);
}

/* ---- the handlers, one per type ---------------------------------------------------------
 * set: parse the whole value, then write; returns W_OK or why it refused (*at: the
 * offending character of a list). fmt: the value as text set takes back. allowed: what
 * the key allows. */

static int set_list(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	if (n >= k->size)
		return W_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '*' ||
			 ch == '?' || ch == ',' || ch == '.' || ch == ' ';
		if (!ok) {
			*at = i;
			return W_BAD_CHAR;
		}
	}
	char *field = (char *)base + k->off;
	memcpy(field, v, n);
	field[n] = 0;
	return W_OK;
}

static void fmt_list(const struct cfg_key *k, const void *base, struct out *o)
{
	outf(o, "%s", (const char *)base + k->off);
}

static void allowed_list(const struct cfg_key *k, struct out *o)
{
	outf(o, "names or globs of a-z 0-9 - _ . * ? separated by commas or spaces, at most %u characters",
	     k->size - 1u);
}

static int set_uint(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t x;
	int r = parse_u64(v, n, &x);
	if (r < 0)
		return r == -1 ? W_NOT_NUMBER : W_TOO_LARGE;
	if (x < k->min || x > k->max)
		return W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_uint(const struct cfg_key *k, const void *base, struct out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	outf(o, k->flags & CFG_F_HEX ? "0x%llx" : "%llu", (unsigned long long)x);
}

static void allowed_uint(const struct cfg_key *k, struct out *o)
{
	if (k->min == 0 && k->max == UINT64_MAX)
		outf(o, "a decimal or 0x-hex number below 2^64");
	else
		outf(o, "%llu..%llu%s%s", (unsigned long long)k->min, (unsigned long long)k->max, k->unit ? " " : "",
		     k->unit ? k->unit : "");
}

static uint64_t time_scale(const struct cfg_key *k) { return k->flags & CFG_F_MS ? 1 : 1000; }

static int set_time(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t ms;
	int r = config_parse_time(v, n, &ms);
	if (r < 0)
		return r == -1 ? W_NOT_DURATION : W_TOO_LARGE;
	if (ms % time_scale(k))
		return W_NOT_WHOLE_SECONDS;
	uint64_t x = ms / time_scale(k);
	if (x < k->min || x > k->max)
		return W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	return W_OK;
}

static void fmt_time(const struct cfg_key *k, const void *base, struct out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	if (k->flags & CFG_F_SECONDS)
		outf(o, "%llu", (unsigned long long)(x * time_scale(k) / 1000));
	else if (k->flags & CFG_F_MS)
		format_time_ms(o, x);
	else
		o->at += (size_t)config_format_duration(x, o->at < o->len ? o->buf + o->at : NULL,
							o->at < o->len ? o->len - o->at : 0);
}

static void allowed_time(const struct cfg_key *k, struct out *o)
{
	char lo[40], hi[40];
	struct out l = {lo, sizeof lo, 0}, h = {hi, sizeof hi, 0};
	if (k->flags & CFG_F_MS) {
		format_time_ms(&l, k->min);
		format_time_ms(&h, k->max);
	} else {
		config_format_duration(k->min, lo, sizeof lo);
		config_format_duration(k->max, hi, sizeof hi);
	}
	outf(o, "%s..%s%s%s%s as a number of seconds or parts like %s90s, 15m, 8h, 2d, 1h30m", lo, hi,
	     k->unit ? " (" : "", k->unit ? k->unit : "", k->unit ? ")" : "", k->flags & CFG_F_MS ? "500ms, " : "");
}

static int set_size(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t x;
	int r = parse_size(v, n, &x);
	if (r < 0)
		return r == -1 ? W_NOT_SIZE : W_TOO_LARGE;
	if (x < k->min || x > k->max)
		return W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_size(const struct cfg_key *k, const void *base, struct out *o)
{
	format_size(o, get_uint(base, k->off, k->size));
}

static void allowed_size(const struct cfg_key *k, struct out *o)
{
	format_size(o, k->min);
	outf(o, "..");
	format_size(o, k->max);
	outf(o, " bytes, with an optional K/M/G suffix (e.g. 64M)");
}

static int set_enum(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	for (unsigned i = 0; k->choices[i]; i++) {
		if (key_is(k->choices[i], v, n)) {
			put_uint(base, k->off, k->size, i);
			return W_OK;
		}
	}
	return W_NOT_ALLOWED;
}

static void fmt_enum(const struct cfg_key *k, const void *base, struct out *o)
{
	uint64_t i = get_uint(base, k->off, k->size), n = 0;
	while (k->choices[n])
		n++;
	outf(o, "%s", i < n ? k->choices[i] : "?");
}

static void allowed_enum(const struct cfg_key *k, struct out *o)
{
	for (unsigned i = 0; k->choices[i]; i++)
		outf(o, "%s%s", i ? "|" : "", k->choices[i]);
}

static int set_threshold(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	if (key_is("off", v, n)) {
		put_uint(base, k->off, k->size, CFG_LIMIT_OFF);
		return W_OK;
	}
	return set_uint(k, base, v, n, at);
}

static void fmt_threshold(const struct cfg_key *k, const void *base, struct out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	if (x == CFG_LIMIT_OFF)
		outf(o, "off");
	else
		outf(o, "%llu", (unsigned long long)x);
}

static void allowed_threshold(const struct cfg_key *k, struct out *o)
{
	outf(o, "off or %llu..%llu %s", (unsigned long long)k->min, (unsigned long long)k->max, k->unit);
}

static int set_range(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	if (key_is("all", v, n)) {
		clear(k, base);
		return W_OK;
	}
	uint64_t off, size;
	size_t colon = find(v, n, ':');
	if (colon == n || parse_size(v, colon, &off) < 0 || parse_size(v + colon + 1, n - colon - 1, &size) < 0 ||
	    size == 0 || (off | size) & 7 || off + size < off)
		return W_NOT_RANGE;
	put_uint(base, k->off, k->size, off);
	put_uint(base, k->off2, k->size2, size);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_range(const struct cfg_key *k, const void *base, struct out *o)
{
	if (!get_set(k, base)) {
		outf(o, "all");
		return;
	}
	format_size(o, get_uint(base, k->off, k->size));
	outf(o, ":");
	format_size(o, get_uint(base, k->off2, k->size2));
}

static void allowed_range(const struct cfg_key *k, struct out *o)
{
	(void)k;
	outf(o, "all, or offset:size in bytes with an optional K/M/G suffix, both multiples of 8, size > 0 (e.g. "
		"0:64M, 128M:16M)");
}

static int set_net_port(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	static const char a[] = "accel", p[] = ".port";
	const size_t al = sizeof a - 1, pl = sizeof p - 1;
	uint64_t x, y;
	if (key_is("none", v, n)) {
		clear(k, base);
		return W_OK;
	}
	if (n <= al || strncmp(v, a, al))
		return W_NOT_ALLOWED;
	size_t dot = al + find(v + al, n - al, '.');
	if (parse_u64(v + al, dot - al, &x) < 0 || n - dot <= pl || strncmp(v + dot, p, pl) ||
	    parse_u64(v + dot + pl, n - dot - pl, &y) < 0 || x > k->max || y > k->aux)
		return W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, x);
	put_uint(base, k->off2, k->size2, y);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_net_port(const struct cfg_key *k, const void *base, struct out *o)
{
	if (!get_set(k, base))
		outf(o, "none");
	else
		outf(o, "accel%llu.port%llu", (unsigned long long)get_uint(base, k->off, k->size),
		     (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_net_port(const struct cfg_key *k, struct out *o)
{
	outf(o, "none or accelN.portM with N 0..%llu and M 0..%llu", (unsigned long long)k->max,
	     (unsigned long long)k->aux);
}

static int set_ipv4_cidr(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t addr;
	uint64_t prefix;
	if (key_is("none", v, n)) {
		clear(k, base);
		return W_OK;
	}
	size_t slash = find(v, n, '/');
	if (slash == n || parse_ipv4(v, slash, &addr) < 0 || parse_u64(v + slash + 1, n - slash - 1, &prefix) < 0 ||
	    prefix < k->min || prefix > k->max)
		return W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, addr);
	put_uint(base, k->off2, k->size2, prefix);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_ipv4_cidr(const struct cfg_key *k, const void *base, struct out *o)
{
	if (!get_set(k, base)) {
		outf(o, "none");
		return;
	}
	format_ipv4(o, (uint32_t)get_uint(base, k->off, k->size));
	outf(o, "/%llu", (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_ipv4_cidr(const struct cfg_key *k, struct out *o)
{
	outf(o, "none or an IPv4 address with a prefix length %llu..%llu, e.g. 10.77.0.1/24", (unsigned long long)k->min,
	     (unsigned long long)k->max);
}

/* The field is an array of k->max uint32_t; off2 counts them. */
static int set_ipv4_list(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t got[64];
	unsigned count = 0;
	if (key_is("none", v, n)) {
		clear(k, base);
		return W_OK;
	}
	if (!n || v[n - 1] == ',')
		return W_NOT_ALLOWED;
	for (size_t i = 0; i < n;) {
		size_t e = i + find(v + i, n - i, ',');
		if (count == k->max || count == sizeof got / sizeof got[0] || parse_ipv4(v + i, e - i, &got[count]) < 0)
			return W_NOT_ALLOWED;
		count++;
		i = e + 1;
	}
	clear(k, base);
	memcpy((char *)base + k->off, got, count * sizeof got[0]);
	put_uint(base, k->off2, k->size2, count);
	return W_OK;
}

static void fmt_ipv4_list(const struct cfg_key *k, const void *base, struct out *o)
{
	uint64_t count = get_uint(base, k->off2, k->size2);
	const uint32_t *a = (const uint32_t *)((const char *)base + k->off);
	if (!count)
		outf(o, "none");
	for (uint64_t i = 0; i < count && i < k->max; i++) {
		if (i)
			outf(o, ",");
		format_ipv4(o, a[i]);
	}
}

static void allowed_ipv4_list(const struct cfg_key *k, struct out *o)
{
	outf(o, "none or 1..%llu IPv4 addresses separated by commas", (unsigned long long)k->max);
}

static int set_ipv4_port(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t addr;
	uint64_t port = k->aux;
	if (key_is("none", v, n)) {
		clear(k, base);
		return W_OK;
	}
	size_t colon = find(v, n, ':');
	if (parse_ipv4(v, colon, &addr) < 0 || (colon == n && !k->aux) ||
	    (colon < n && (parse_u64(v + colon + 1, n - colon - 1, &port) < 0 || !port || port > 65535)))
		return W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, addr);
	put_uint(base, k->off2, k->size2, port);
	put_set(k, base, true);
	return W_OK;
}

static void fmt_ipv4_port(const struct cfg_key *k, const void *base, struct out *o)
{
	if (!get_set(k, base)) {
		outf(o, "none");
		return;
	}
	format_ipv4(o, (uint32_t)get_uint(base, k->off, k->size));
	outf(o, ":%llu", (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_ipv4_port(const struct cfg_key *k, struct out *o)
{
	if (k->aux)
		outf(o, "none or an IPv4 address with an optional :port (default %llu)", (unsigned long long)k->aux);
	else
		outf(o, "none or an IPv4 address and port, e.g. 10.0.2.2:8080");
}

static const struct {
	const char *name; /* docs/config.md's type column */
	int (*set)(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at);
	void (*fmt)(const struct cfg_key *k, const void *base, struct out *o);
	void (*allowed)(const struct cfg_key *k, struct out *o);
} types[] = {
	[CFG_T_LIST] = {"list of globs", set_list, fmt_list, allowed_list},
	[CFG_T_UINT] = {"number", set_uint, fmt_uint, allowed_uint},
	[CFG_T_TIME] = {"duration", set_time, fmt_time, allowed_time},
	[CFG_T_SIZE] = {"size", set_size, fmt_size, allowed_size},
	[CFG_T_ENUM] = {"choice", set_enum, fmt_enum, allowed_enum},
	[CFG_T_THRESHOLD] = {"threshold", set_threshold, fmt_threshold, allowed_threshold},
	[CFG_T_RANGE] = {"range", set_range, fmt_range, allowed_range},
	[CFG_T_NET_PORT] = {"port", set_net_port, fmt_net_port, allowed_net_port},
	[CFG_T_IPV4_CIDR] = {"IPv4/prefix", set_ipv4_cidr, fmt_ipv4_cidr, allowed_ipv4_cidr},
	[CFG_T_IPV4_LIST] = {"IPv4 list", set_ipv4_list, fmt_ipv4_list, allowed_ipv4_list},
	[CFG_T_IPV4_PORT] = {"IPv4:port", set_ipv4_port, fmt_ipv4_port, allowed_ipv4_port},
};

const char *config_type_name(const struct cfg_key *k)
{
	if (k->type == CFG_T_IPV4_PORT && k->aux)
		return "IPv4[:port]";
	return types[k->type].name;
}

int config_key_allowed(const struct cfg_key *k, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	types[k->type].allowed(k, &o);
	return (int)o.at;
}

int config_format_key(const struct cfg_key *k, const void *base, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	types[k->type].fmt(k, base, &o);
	return (int)o.at;
}

/* ---- setting a key ------------------------------------------------------------------- */

static void list_keys(const struct cfg_key *keys, size_t nkeys, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	buf[0] = 0;
	for (size_t i = 0; i < nkeys; i++)
		outf(&o, "%s%s", i ? ", " : "", keys[i].name);
}

int config_set_in(const struct cfg_key *keys, size_t nkeys, void *base, const char *key, size_t klen,
		  const char *val, size_t vlen, const char *origin, char *err)
{
	const struct cfg_key *k = NULL;
	for (size_t i = 0; i < nkeys && !k; i++)
		if (key_is(keys[i].name, key, klen))
			k = &keys[i];
	if (!k) {
		char known[CFG_ERR_MAX]; /* every key name fits; the message is cut at CFG_ERR_MAX */
		list_keys(keys, nkeys, known, sizeof known);
		ksnprintf(err, CFG_ERR_MAX, "%s: unknown key '%.*s'; known keys: %s", origin, (int)klen, key, known);
		return -1;
	}
	size_t at = 0;
	int why = types[k->type].set(k, base, val, vlen, &at);
	if (why == W_OK)
		return 0;
	char allowed[CFG_ERR_MAX / 2];
	config_key_allowed(k, allowed, sizeof allowed);
	if (why == W_TOO_LONG)
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value is %zu characters; allowed: at most %u", origin, k->name,
			  vlen, k->size - 1u);
	else if (why == W_BAD_CHAR)
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' has '%c'; allowed: %s", origin, k->name, (int)vlen,
			  val, val[at], allowed);
	else
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' %s; allowed: %s", origin, k->name, (int)vlen, val,
			  why_text[why], allowed);
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
		size_t end = pos + find(text + pos, len - pos, '\n');
		line++;
		char origin[96];
		ksnprintf(origin, sizeof origin, "%s line %u", name, line);
		size_t s = pos, e = pos + find(text + pos, end - pos, '#');
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
		size_t eq = s + find(text + s, e - s, '=');
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
		return get_set(k, c);
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
	struct out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	config_defaults(&d);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		if (k->show == CFG_SHOW_NEVER || (k->show == CFG_SHOW_IF_SET && !differs(k, c, &d)))
			continue;
		outf(&o, "%s%s=", o.at ? " " : "", k->name);
		if (k->unset && is_zero(k, c))
			outf(&o, "%s", k->unset);
		else
			types[k->type].fmt(k, c, &o);
	}
	return (int)o.at;
}
