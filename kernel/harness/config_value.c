/* The values of configuration keys, one handler per type (enum cfg_type): parse a value
 * whole before writing it, so a refused value changes nothing; format it back as text the
 * parser takes; say what the type allows, in the words of both the error message and
 * docs/config.md. config.c walks the key table and calls these. */
#include "kernel/harness/config_value.h"

#include <stdint.h>

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

/* ---- text helpers --------------------------------------------------------------------- */

int cfg_key_is(const char *name, const char *key, size_t klen)
{
	return strlen(name) == klen && !strncmp(name, key, klen);
}

/* Appends to a buffer that may be too small; `at` keeps counting what the whole text needs. */
void cfg_outf(struct cfg_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(o->at < o->len ? o->buf + o->at : NULL, o->at < o->len ? o->len - o->at : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->at += (size_t)n;
}

size_t cfg_find(const char *s, size_t n, char ch)
{
	size_t i = 0;
	while (i < n && s[i] != ch)
		i++;
	return i;
}

size_t cfg_family_prefix(const struct cfg_key *k)
{
	return cfg_find(k->name, strlen(k->name), '<');
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

static void format_size(struct cfg_out *o, uint64_t v)
{
	static const char suffix[] = "GMK";
	for (unsigned i = 0; i < 3; i++) {
		unsigned shift = 30 - 10 * i;
		if (v && !(v & ((1ull << shift) - 1))) {
			cfg_outf(o, "%llu%c", (unsigned long long)(v >> shift), suffix[i]);
			return;
		}
	}
	cfg_outf(o, "%llu", (unsigned long long)v);
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

static void format_time_ms(struct cfg_out *o, uint64_t ms)
{
	uint64_t sec = ms / 1000, d = sec / 86400, h = sec / 3600 % 24, m = sec / 60 % 60, x = sec % 60;
	if (d)
		cfg_outf(o, "%llud", (unsigned long long)d);
	if (h)
		cfg_outf(o, "%lluh", (unsigned long long)h);
	if (m)
		cfg_outf(o, "%llum", (unsigned long long)m);
	if (x || (!sec && !(ms % 1000)))
		cfg_outf(o, "%llus", (unsigned long long)x);
	if (ms % 1000)
		cfg_outf(o, "%llums", (unsigned long long)(ms % 1000));
}

int config_format_duration(uint64_t sec, char *buf, size_t len)
{
	struct cfg_out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	uint64_t d = sec / 86400, rest = sec % 86400;
	if (d) /* seconds beyond what milliseconds hold: days first, the rest as usual */
		cfg_outf(&o, "%llud", (unsigned long long)d);
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

static void format_ipv4(struct cfg_out *o, uint32_t a)
{
	cfg_outf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xffu, (a >> 8) & 0xffu, a & 0xffu);
}

/* 1..4 lower-case hex digits filling the whole text */
static int parse_hex4(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (n < 1 || n > 4)
		return -1;
	for (size_t k = 0; k < n; k++) {
		int d = s[k] >= '0' && s[k] <= '9' ? s[k] - '0' : (s[k] >= 'a' && s[k] <= 'f' ? s[k] - 'a' + 10 : -1);
		if (d < 0)
			return -1;
		*v = *v * 16 + (uint64_t)d;
	}
	return 0;
}

/* A PCI address [ssss:]bb:dd.f in lower-case hex filling the whole text. */
static int parse_bdf(const char *val, size_t vlen, struct cfg_pci_addr *a)
{
	uint64_t f[4];
	unsigned nf = 0;
	size_t i = 0, e = 0;
	for (;;) { /* fields end at ':'; the last two are split by the one '.' */
		e = i;
		while (e < vlen && val[e] != ':' && val[e] != '.')
			e++;
		if (nf == 3 || parse_hex4(val + i, e - i, &f[nf++]) < 0)
			return -1;
		if (e == vlen || val[e] == '.')
			break;
		i = e + 1;
	}
	/* the field before the '.' was the last one parsed; one hex digit follows it */
	if (nf < 2 || e + 2 != vlen || val[e] != '.' || parse_hex4(val + e + 1, 1, &f[nf]) < 0)
		return -1;
	unsigned b = nf == 3 ? 1 : 0;
	if (f[b] > 0xff || f[b + 1] > 31 || f[b + 2] > 7)
		return -1;
	a->seg = (uint16_t)(nf == 3 ? f[0] : 0);
	a->bus = (uint8_t)f[b];
	a->dev = (uint8_t)f[b + 1];
	a->fn = (uint8_t)f[b + 2];
	return 0;
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

bool cfg_get_set(const struct cfg_key *k, const void *base)
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
 * set: parse the whole value, then write; returns CFG_W_OK or why it refused (*at: the
 * offending character of a list). fmt: the value as text set takes back. allowed: what
 * the key allows. */

static int set_list(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	if (n >= k->size)
		return CFG_W_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '*' ||
			 ch == '?' || ch == ',' || ch == '.' || ch == ' ';
		if (!ok) {
			*at = i;
			return CFG_W_BAD_CHAR;
		}
	}
	char *field = (char *)base + k->off;
	memcpy(field, v, n);
	field[n] = 0;
	return CFG_W_OK;
}

static void fmt_list(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	cfg_outf(o, "%s", (const char *)base + k->off);
}

static void allowed_list(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "names or globs of a-z 0-9 - _ . * ? separated by commas or spaces, at most %u characters",
	     k->size - 1u);
}

static int set_uint(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t x;
	int r = parse_u64(v, n, &x);
	if (r < 0)
		return r == -1 ? CFG_W_NOT_NUMBER : CFG_W_TOO_LARGE;
	if (x < k->min || x > k->max)
		return CFG_W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_uint(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	cfg_outf(o, k->flags & CFG_F_HEX ? "0x%llx" : "%llu", (unsigned long long)x);
}

static void allowed_uint(const struct cfg_key *k, struct cfg_out *o)
{
	unsigned bits = 0; /* a field's whole range (a seed, a mask): "below 2^bits" */
	for (unsigned b = 8; b <= 64 && !bits; b *= 2)
		if (k->max == (b == 64 ? UINT64_MAX : (1ull << b) - 1))
			bits = b;
	if (k->min == 0 && bits)
		cfg_outf(o, "a decimal or 0x-hex number below 2^%u", bits);
	else
		cfg_outf(o, "%llu..%llu%s%s", (unsigned long long)k->min, (unsigned long long)k->max, k->unit ? " " : "",
		     k->unit ? k->unit : "");
}

static uint64_t time_scale(const struct cfg_key *k) { return k->flags & CFG_F_MS ? 1 : 1000; }

static int set_time(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t ms;
	int r = config_parse_time(v, n, &ms);
	if (r < 0)
		return r == -1 ? CFG_W_NOT_DURATION : CFG_W_TOO_LARGE;
	if (ms % time_scale(k))
		return CFG_W_NOT_WHOLE_SECONDS;
	uint64_t x = ms / time_scale(k);
	if (x < k->min || x > k->max)
		return CFG_W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	return CFG_W_OK;
}

static void fmt_time(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	if (k->flags & CFG_F_SECONDS)
		cfg_outf(o, "%llu", (unsigned long long)(x * time_scale(k) / 1000));
	else if (k->flags & CFG_F_MS)
		format_time_ms(o, x);
	else
		o->at += (size_t)config_format_duration(x, o->at < o->len ? o->buf + o->at : NULL,
							o->at < o->len ? o->len - o->at : 0);
}

static void allowed_time(const struct cfg_key *k, struct cfg_out *o)
{
	char lo[40], hi[40];
	struct cfg_out l = {lo, sizeof lo, 0}, h = {hi, sizeof hi, 0};
	if (k->flags & CFG_F_MS) {
		format_time_ms(&l, k->min);
		format_time_ms(&h, k->max);
	} else {
		config_format_duration(k->min, lo, sizeof lo);
		config_format_duration(k->max, hi, sizeof hi);
	}
	cfg_outf(o, "%s..%s%s%s%s as a number of seconds or parts like %s90s, 15m, 8h, 2d, 1h30m", lo, hi,
	     k->unit ? " (" : "", k->unit ? k->unit : "", k->unit ? ")" : "", k->flags & CFG_F_MS ? "500ms, " : "");
}

static int set_size(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t x;
	int r = parse_size(v, n, &x);
	if (r < 0)
		return r == -1 ? CFG_W_NOT_SIZE : CFG_W_TOO_LARGE;
	if (x < k->min || x > k->max)
		return CFG_W_OUT_OF_RANGE;
	put_uint(base, k->off, k->size, x);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_size(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	format_size(o, get_uint(base, k->off, k->size));
}

static void allowed_size(const struct cfg_key *k, struct cfg_out *o)
{
	format_size(o, k->min);
	cfg_outf(o, "..");
	format_size(o, k->max);
	cfg_outf(o, " bytes, with an optional K/M/G suffix (e.g. 64M)");
}

static int set_enum(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	for (unsigned i = 0; k->choices[i]; i++) {
		if (cfg_key_is(k->choices[i], v, n)) {
			put_uint(base, k->off, k->size, i);
			return CFG_W_OK;
		}
	}
	return CFG_W_NOT_ALLOWED;
}

static void fmt_enum(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t i = get_uint(base, k->off, k->size), n = 0;
	while (k->choices[n])
		n++;
	cfg_outf(o, "%s", i < n ? k->choices[i] : "?");
}

static void allowed_enum(const struct cfg_key *k, struct cfg_out *o)
{
	for (unsigned i = 0; k->choices[i]; i++)
		cfg_outf(o, "%s%s", i ? "|" : "", k->choices[i]);
}

/* A threshold's word ("off", or "all" with CFG_F_ALL) and the value that stands for it. */
static const char *threshold_word(const struct cfg_key *k) { return k->flags & CFG_F_ALL ? "all" : "off"; }
static uint64_t threshold_none(const struct cfg_key *k) { return k->flags & CFG_F_ALL ? 0 : CFG_LIMIT_OFF; }

static int set_threshold(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	if (cfg_key_is(threshold_word(k), v, n)) {
		put_uint(base, k->off, k->size, threshold_none(k));
		return CFG_W_OK;
	}
	return set_uint(k, base, v, n, at);
}

static void fmt_threshold(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t x = get_uint(base, k->off, k->size);
	if (x == threshold_none(k))
		cfg_outf(o, "%s", threshold_word(k));
	else
		cfg_outf(o, "%llu", (unsigned long long)x);
}

static void allowed_threshold(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "%s or %llu..%llu %s", threshold_word(k), (unsigned long long)k->min, (unsigned long long)k->max,
		 k->unit);
}

static int set_range(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	/* quick (the default): unset, the case decides; all: offset 0, size 0 (to the end) */
	if (cfg_key_is("quick", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	if (cfg_key_is("all", v, n)) {
		put_uint(base, k->off, k->size, 0);
		put_uint(base, k->off2, k->size2, 0);
		put_set(k, base, true);
		return CFG_W_OK;
	}
	uint64_t off, size;
	size_t colon = cfg_find(v, n, ':');
	if (colon == n || parse_size(v, colon, &off) < 0 || parse_size(v + colon + 1, n - colon - 1, &size) < 0 ||
	    size == 0 || (off | size) & 7 || off + size < off)
		return CFG_W_NOT_RANGE;
	put_uint(base, k->off, k->size, off);
	put_uint(base, k->off2, k->size2, size);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_range(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	if (!cfg_get_set(k, base) || !get_uint(base, k->off2, k->size2)) {
		cfg_outf(o, cfg_get_set(k, base) ? "all" : "quick");
		return;
	}
	format_size(o, get_uint(base, k->off, k->size));
	cfg_outf(o, ":");
	format_size(o, get_uint(base, k->off2, k->size2));
}

static void allowed_range(const struct cfg_key *k, struct cfg_out *o)
{
	(void)k;
	cfg_outf(o, "all, or offset:size in bytes with an optional K/M/G suffix, both multiples of 8, size > 0 (e.g. "
		"0:64M, 128M:16M), or quick");
}

static int set_net_port(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	static const char a[] = "accel", p[] = ".port";
	const size_t al = sizeof a - 1, pl = sizeof p - 1;
	uint64_t x, y;
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	if (n <= al || strncmp(v, a, al))
		return CFG_W_NOT_ALLOWED;
	size_t dot = al + cfg_find(v + al, n - al, '.');
	if (parse_u64(v + al, dot - al, &x) < 0 || n - dot <= pl || strncmp(v + dot, p, pl) ||
	    parse_u64(v + dot + pl, n - dot - pl, &y) < 0 || x > k->max || y > k->aux)
		return CFG_W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, x);
	put_uint(base, k->off2, k->size2, y);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_net_port(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	if (!cfg_get_set(k, base))
		cfg_outf(o, "none");
	else
		cfg_outf(o, "accel%llu.port%llu", (unsigned long long)get_uint(base, k->off, k->size),
		     (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_net_port(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "none or accelN.portM with N 0..%llu and M 0..%llu", (unsigned long long)k->max,
	     (unsigned long long)k->aux);
}

static int set_ipv4_cidr(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t addr;
	uint64_t prefix;
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	size_t slash = cfg_find(v, n, '/');
	if (slash == n || parse_ipv4(v, slash, &addr) < 0 || parse_u64(v + slash + 1, n - slash - 1, &prefix) < 0 ||
	    prefix < k->min || prefix > k->max)
		return CFG_W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, addr);
	put_uint(base, k->off2, k->size2, prefix);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_ipv4_cidr(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	if (!cfg_get_set(k, base)) {
		cfg_outf(o, "none");
		return;
	}
	format_ipv4(o, (uint32_t)get_uint(base, k->off, k->size));
	cfg_outf(o, "/%llu", (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_ipv4_cidr(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "none or an IPv4 address with a prefix length %llu..%llu, e.g. 10.77.0.1/24", (unsigned long long)k->min,
	     (unsigned long long)k->max);
}

/* The field is an array of k->max uint32_t; off2 counts them. */
static int set_ipv4_list(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t got[64];
	unsigned count = 0;
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	if (!n || v[n - 1] == ',')
		return CFG_W_NOT_ALLOWED;
	for (size_t i = 0; i < n;) {
		size_t e = i + cfg_find(v + i, n - i, ',');
		if (count == k->max || count == sizeof got / sizeof got[0] || parse_ipv4(v + i, e - i, &got[count]) < 0)
			return CFG_W_NOT_ALLOWED;
		count++;
		i = e + 1;
	}
	clear(k, base);
	memcpy((char *)base + k->off, got, count * sizeof got[0]);
	put_uint(base, k->off2, k->size2, count);
	return CFG_W_OK;
}

static void fmt_ipv4_list(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t count = get_uint(base, k->off2, k->size2);
	const uint32_t *a = (const uint32_t *)((const char *)base + k->off);
	if (!count)
		cfg_outf(o, "none");
	for (uint64_t i = 0; i < count && i < k->max; i++) {
		if (i)
			cfg_outf(o, ",");
		format_ipv4(o, a[i]);
	}
}

static void allowed_ipv4_list(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "none or 1..%llu IPv4 addresses separated by commas", (unsigned long long)k->max);
}

static int set_ipv4_port(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint32_t addr;
	uint64_t port = k->aux;
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	size_t colon = cfg_find(v, n, ':');
	if (parse_ipv4(v, colon, &addr) < 0 || (colon == n && !k->aux) ||
	    (colon < n && (parse_u64(v + colon + 1, n - colon - 1, &port) < 0 || !port || port > 65535)))
		return CFG_W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, addr);
	put_uint(base, k->off2, k->size2, port);
	put_set(k, base, true);
	return CFG_W_OK;
}

static void fmt_ipv4_port(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	if (!cfg_get_set(k, base)) {
		cfg_outf(o, "none");
		return;
	}
	format_ipv4(o, (uint32_t)get_uint(base, k->off, k->size));
	cfg_outf(o, ":%llu", (unsigned long long)get_uint(base, k->off2, k->size2));
}

static void allowed_ipv4_port(const struct cfg_key *k, struct cfg_out *o)
{
	if (k->aux)
		cfg_outf(o, "none or an IPv4 address with an optional :port (default %llu)", (unsigned long long)k->aux);
	else
		cfg_outf(o, "none or an IPv4 address and port, e.g. 10.0.2.2:8080");
}

/* choices[] words, one of which may be "<prefix><BDF>" (console=pci:<BDF>, net.mgmt=<BDF>) */
static const char BDF_MARK[] = "<BDF>";

static size_t bdf_choice_prefix(const char *choice)
{
	size_t n = strlen(choice), m = sizeof BDF_MARK - 1;
	return n >= m && !strcmp(choice + n - m, BDF_MARK) ? n - m : SIZE_MAX;
}

static int set_pci_choice(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	struct cfg_pci_addr a = {0};
	for (unsigned i = 0; k->choices[i]; i++) {
		size_t p = bdf_choice_prefix(k->choices[i]);
		bool hit = p == SIZE_MAX ? cfg_key_is(k->choices[i], v, n)
					 : n > p && !strncmp(k->choices[i], v, p) && parse_bdf(v + p, n - p, &a) == 0;
		if (hit) {
			put_uint(base, k->off, k->size, i);
			memcpy((char *)base + k->off2, &a, sizeof a);
			return CFG_W_OK;
		}
	}
	return CFG_W_NOT_ALLOWED;
}

static void fmt_pci_choice(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t i = get_uint(base, k->off, k->size), n = 0;
	while (k->choices[n])
		n++;
	if (i >= n) {
		cfg_outf(o, "?");
		return;
	}
	size_t p = bdf_choice_prefix(k->choices[i]);
	if (p == SIZE_MAX) {
		cfg_outf(o, "%s", k->choices[i]);
		return;
	}
	struct cfg_pci_addr a;
	memcpy(&a, (const char *)base + k->off2, sizeof a);
	cfg_outf(o, "%.*s%04x:%02x:%02x.%x", (int)p, k->choices[i], a.seg, a.bus, a.dev, a.fn);
}

static void allowed_pci_choice(const struct cfg_key *k, struct cfg_out *o)
{
	allowed_enum(k, o);
	cfg_outf(o, " with <BDF> a PCI address [ssss:]bb:dd.f in hex, e.g. 00:03.0");
}

/* <N>x<size>: N in min..max, the size with M or G in 1..aux MiB */
static int set_modules(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	uint64_t count, size;
	size_t x = cfg_find(v, n, 'x');
	char unit = n ? v[n - 1] : 0;
	if (x == n || parse_u64(v, x, &count) < 0 || count < k->min || count > k->max || n < x + 3 ||
	    (unit != 'G' && unit != 'M') || parse_u64(v + x + 1, n - x - 2, &size) < 0 || !size ||
	    size > (unit == 'G' ? k->aux / 1024 : k->aux))
		return CFG_W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, count);
	put_uint(base, k->off2, k->size2, unit == 'G' ? size * 1024 : size);
	return CFG_W_OK;
}

static void fmt_modules(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t count = get_uint(base, k->off, k->size), mib = get_uint(base, k->off2, k->size2);
	if (!count)
		cfg_outf(o, "none");
	else if (mib % 1024)
		cfg_outf(o, "%llux%lluM", (unsigned long long)count, (unsigned long long)mib);
	else
		cfg_outf(o, "%llux%lluG", (unsigned long long)count, (unsigned long long)(mib / 1024));
}

static void allowed_modules(const struct cfg_key *k, struct cfg_out *o)
{
	(void)k;
	cfg_outf(o, "none or <modules>x<size> with size in M or G, e.g. 16x32G (at least 16 modules of at least 32 GiB "
		    "each)");
}

/* expect.pcie.<target>=genN[xW]: the target [ssss:]bb:dd.f or slotN in a-z 0-9 : . */
static int member_pcie_rule(const struct cfg_key *k, void *base, const char *t, size_t tlen, const char *v, size_t n,
			    size_t *at)
{
	(void)at;
	struct cfg_pcie_rule *rule = (struct cfg_pcie_rule *)((char *)base + k->off);
	size_t room = k->size / sizeof *rule;
	uint64_t speed = 0, width = 0, count = get_uint(base, k->off2, k->size2);
	size_t x = n > 3 ? 3 + cfg_find(v + 3, n - 3, 'x') : n;
	bool ok = n > 3 && !strncmp(v, "gen", 3) && parse_u64(v + 3, x - 3, &speed) == 0 && speed >= k->min &&
		  speed <= k->max && (x == n || (parse_u64(v + x + 1, n - x - 1, &width) == 0 && width >= 1 && width <= k->aux));
	for (size_t i = 0; i < tlen && ok; i++)
		ok = (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == ':' || t[i] == '.';
	if (!ok || !tlen || tlen >= sizeof rule->target)
		return CFG_W_NOT_ALLOWED;
	size_t i = 0;
	while (i < count && !cfg_key_is(rule[i].target, t, tlen))
		i++;
	if (i == room)
		return CFG_W_TOO_MANY;
	memset(&rule[i], 0, sizeof rule[i]);
	memcpy(rule[i].target, t, tlen);
	rule[i].speed = (uint8_t)speed;
	rule[i].width = (uint8_t)width;
	if (i == count)
		put_uint(base, k->off2, k->size2, count + 1);
	return CFG_W_OK;
}

static void fmt_pcie_rule(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	const struct cfg_pcie_rule *rule = (const struct cfg_pcie_rule *)((const char *)base + k->off);
	uint64_t count = get_uint(base, k->off2, k->size2);
	int p = (int)cfg_family_prefix(k);
	for (uint64_t i = 0; i < count && i < k->size / sizeof *rule; i++) {
		cfg_outf(o, "%s%.*s%s=gen%u", i ? " " : "", p, k->name, rule[i].target, rule[i].speed);
		if (rule[i].width)
			cfg_outf(o, "x%u", rule[i].width);
	}
}

static void allowed_pcie_rule(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "a key %.*s<[ssss:]bb:dd.f or slotN> and a value genN or genNxW (N %llu..%llu, W 1..%llu), e.g. "
		    "gen4x16; at most %zu such keys",
		 (int)cfg_family_prefix(k), k->name, (unsigned long long)k->min, (unsigned long long)k->max,
		 (unsigned long long)k->aux, k->size / sizeof(struct cfg_pcie_rule));
}

/* A decimal number of 1..2 digits at v[*i], below `below`; advances *i. */
static int fabric_num(const char *v, size_t n, size_t *i, uint64_t below, uint8_t *out)
{
	size_t s = *i;
	unsigned x = 0;
	while (*i < n && *i - s < 3 && v[*i] >= '0' && v[*i] <= '9')
		x = x * 10 + (unsigned)(v[(*i)++] - '0');
	if (*i == s || *i - s > 2 || x >= below)
		return -1;
	*out = (uint8_t)x;
	return 0;
}

/* "A.P-B.Q,...": every cable once, each port in at most one cable, no port cabled to itself. */
static int set_fabric_list(const struct cfg_key *k, struct cfg_fabric *f, const char *v, size_t n, size_t *at)
{
	uint32_t used[16] = {0}; /* ports named so far, a mask per accelerator (aux <= 32, max <= 16) */
	for (size_t i = 0; i < n;) {
		struct cfg_fabric_link l;
		*at = i;
		if (f->nlinks == CFG_FABRIC_LINKS_MAX || fabric_num(v, n, &i, k->max, &l.a) < 0 || i == n ||
		    v[i++] != '.' || fabric_num(v, n, &i, k->aux, &l.p) < 0 || i == n || v[i++] != '-' ||
		    fabric_num(v, n, &i, k->max, &l.b) < 0 || i == n || v[i++] != '.' ||
		    fabric_num(v, n, &i, k->aux, &l.q) < 0 || (i < n && v[i] != ','))
			return CFG_W_NOT_FABRIC;
		if ((l.a == l.b && l.p == l.q) || (used[l.a] >> l.p & 1) || (used[l.b] >> l.q & 1))
			return CFG_W_NOT_FABRIC;
		used[l.a] |= 1u << l.p;
		used[l.b] |= 1u << l.q;
		f->link[f->nlinks++] = l;
		if (i < n && ++i == n)
			return CFG_W_NOT_FABRIC; /* a trailing comma */
	}
	return f->nlinks ? CFG_W_OK : CFG_W_NOT_FABRIC;
}

static int set_fabric(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	static const char m[] = "mesh:";
	const size_t ml = sizeof m - 1;
	static struct cfg_fabric f; /* large: not on the stack; written to the config only when whole */
	memset(&f, 0, sizeof f);
	if (cfg_key_is("none", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	if (n > ml && !strncmp(v, m, ml)) {
		uint64_t cards, per;
		size_t x = ml + cfg_find(v + ml, n - ml, 'x');
		if (x == n || parse_u64(v + ml, x - ml, &cards) < 0 || parse_u64(v + x + 1, n - x - 1, &per) < 0 ||
		    cards < k->min || cards > k->max || per < 1 || per * (cards - 1) > k->aux)
			return CFG_W_NOT_FABRIC;
		f.accels = (uint32_t)cards;
		f.per_peer = (uint32_t)per;
	} else {
		size_t where = 0;
		int w = set_fabric_list(k, &f, v, n, &where);
		if (w != CFG_W_OK)
			return w;
	}
	memcpy((char *)base + k->off, &f, sizeof f);
	return CFG_W_OK;
}

static void fmt_fabric(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	const struct cfg_fabric *f = (const struct cfg_fabric *)((const char *)base + k->off);
	if (f->accels)
		cfg_outf(o, "mesh:%ux%u", f->accels, f->per_peer);
	else if (!f->nlinks)
		cfg_outf(o, "none");
	for (uint32_t i = 0; i < f->nlinks && i < CFG_FABRIC_LINKS_MAX; i++)
		cfg_outf(o, "%s%u.%u-%u.%u", i ? "," : "", f->link[i].a, f->link[i].p, f->link[i].b, f->link[i].q);
}

static void allowed_fabric(const struct cfg_key *k, struct cfg_out *o)
{
	cfg_outf(o, "none, or mesh:NxK (N = %llu..%llu accelerators, every pair joined by K cables, K x (N - 1) <= %llu "
		    "ports), or the cables as A.P-B.Q,... (accelerator A 0..%llu port P 0..%llu to accelerator B port Q, "
		    "e.g. 0.0-1.0,0.1-2.0; each port in one cable at most, at most %u cables)",
		 (unsigned long long)k->min, (unsigned long long)k->max, (unsigned long long)k->aux,
		 (unsigned long long)k->max - 1, (unsigned long long)k->aux - 1, CFG_FABRIC_LINKS_MAX);
}

/* The expected PCIe link: genN (Link Status speed code N: 2.5, 5, 8, 16, 32 GT/s) x width. */
static int set_pcie_link(const struct cfg_key *k, void *base, const char *v, size_t n, size_t *at)
{
	(void)at;
	uint64_t w = 0;
	if (cfg_key_is("off", v, n)) {
		clear(k, base);
		return CFG_W_OK;
	}
	if (n < 6 || v[0] != 'g' || v[1] != 'e' || v[2] != 'n' || v[3] < '1' || v[3] > '5' || v[4] != 'x' ||
	    parse_u64(v + 5, n - 5, &w) < 0 || w < 1 || w > 32 || (w & (w - 1)))
		return CFG_W_NOT_ALLOWED;
	put_uint(base, k->off, k->size, (uint64_t)(v[3] - '0'));
	put_uint(base, k->off2, k->size2, w);
	return CFG_W_OK;
}

static void fmt_pcie_link(const struct cfg_key *k, const void *base, struct cfg_out *o)
{
	uint64_t speed = get_uint(base, k->off, k->size), width = get_uint(base, k->off2, k->size2);
	if (!speed)
		cfg_outf(o, "off");
	else
		cfg_outf(o, "gen%llux%llu", (unsigned long long)speed, (unsigned long long)width);
}

static void allowed_pcie_link(const struct cfg_key *k, struct cfg_out *o)
{
	(void)k;
	cfg_outf(o, "off or genNxW with N 1..5 (2.5/5/8/16/32 GT/s) and W 1, 2, 4, 8, 16 or 32 (e.g. gen5x16)");
}

const struct cfg_type_ops cfg_types[] = {
	[CFG_T_LIST] = {.name = "list of globs", .set = set_list, .fmt = fmt_list, .allowed = allowed_list},
	[CFG_T_UINT] = {.name = "number", .set = set_uint, .fmt = fmt_uint, .allowed = allowed_uint},
	[CFG_T_TIME] = {.name = "duration", .set = set_time, .fmt = fmt_time, .allowed = allowed_time},
	[CFG_T_SIZE] = {.name = "size", .set = set_size, .fmt = fmt_size, .allowed = allowed_size},
	[CFG_T_ENUM] = {.name = "choice", .set = set_enum, .fmt = fmt_enum, .allowed = allowed_enum},
	[CFG_T_THRESHOLD] = {.name = "threshold", .set = set_threshold,
		.fmt = fmt_threshold, .allowed = allowed_threshold},
	[CFG_T_RANGE] = {.name = "range", .set = set_range, .fmt = fmt_range, .allowed = allowed_range},
	[CFG_T_NET_PORT] = {.name = "port", .set = set_net_port, .fmt = fmt_net_port, .allowed = allowed_net_port},
	[CFG_T_IPV4_CIDR] = {.name = "IPv4/prefix", .set = set_ipv4_cidr,
		.fmt = fmt_ipv4_cidr, .allowed = allowed_ipv4_cidr},
	[CFG_T_IPV4_LIST] = {.name = "IPv4 list", .set = set_ipv4_list,
		.fmt = fmt_ipv4_list, .allowed = allowed_ipv4_list},
	[CFG_T_IPV4_PORT] = {.name = "IPv4:port", .set = set_ipv4_port,
		.fmt = fmt_ipv4_port, .allowed = allowed_ipv4_port},
	[CFG_T_PCI_CHOICE] = {.name = "choice or PCI address", .set = set_pci_choice,
		.fmt = fmt_pci_choice, .allowed = allowed_pci_choice},
	[CFG_T_MODULES] = {.name = "modules", .set = set_modules, .fmt = fmt_modules, .allowed = allowed_modules},
	[CFG_T_PCIE_RULE] = {.name = "link rule", .fmt = fmt_pcie_rule,
		.allowed = allowed_pcie_rule, .member = member_pcie_rule},
	[CFG_T_FABRIC] = {.name = "fabric", .set = set_fabric, .fmt = fmt_fabric, .allowed = allowed_fabric},
	[CFG_T_PCIE_LINK] = {.name = "PCIe link", .set = set_pcie_link, .fmt = fmt_pcie_link, .allowed = allowed_pcie_link},
};

const char *config_type_name(const struct cfg_key *k)
{
	if (k->type == CFG_T_IPV4_PORT && k->aux)
		return "IPv4[:port]";
	if (k->type == CFG_T_THRESHOLD && (k->flags & CFG_F_ALL))
		return "number or all";
	return cfg_types[k->type].name;
}

int config_key_allowed(const struct cfg_key *k, char *buf, size_t len)
{
	struct cfg_out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	cfg_types[k->type].allowed(k, &o);
	return (int)o.at;
}

int config_format_key(const struct cfg_key *k, const void *base, char *buf, size_t len)
{
	struct cfg_out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	cfg_types[k->type].fmt(k, base, &o);
	return (int)o.at;
}
