#include "kernel/harness/config.h"

#include <stdint.h>

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

enum key_type { K_LIST, K_U64, K_U32_RANGE, K_ENUM, K_DURATION, K_LIMIT, K_RANGE, K_NET_PORT, K_IPV4_CIDR, K_IPV4_LIST,
		K_IPV4_SERVER, K_IPV4_ENDPOINT, K_NET_MGMT, K_MEMORY };
/* K_LIMIT: "off" or a number in min..max (unit); K_RANGE: "all" or offset:size with
 * optional K/M/G suffixes (the HBM memory test range). */

const struct kiln_config *kiln_cfg;

struct key_def {
	const char *name;
	enum key_type type;
	size_t offset;        /* into struct kiln_config */
	uint64_t min, max;    /* K_U32_RANGE */
	const char *const *choices; /* K_ENUM, NULL-terminated, index = enum value */
	const char *unit;
};

static const char *const exit_choices[] = {"auto", "debug-port", "shutdown", "reboot", "halt", NULL};
static const char *const console_choices[] = {"auto", "spcr", "com1", "com2", "com3", "com4", "pci:<BDF>", NULL};
static const char *const on_failure_choices[] = {"continue", "stop", "halt", NULL};
static const char *const switch_choices[] = {"off", "on", NULL};
static const char *const accel_irq_choices[] = {"msix", "shared", "poll", NULL};

#define OFF(f) offsetof(struct kiln_config, f)
#define PCIE_RULE_PREFIX "expect.pcie."
static const struct key_def keys[] = {
	{"suites", K_LIST, OFF(suites), 0, 0, NULL, NULL},
	{"cases", K_LIST, OFF(cases), 0, 0, NULL, NULL},
	{"exclude", K_LIST, OFF(exclude), 0, 0, NULL, NULL},
	{"seed", K_U64, OFF(seed), 0, UINT64_MAX, NULL, NULL},
	{"timeout", K_U32_RANGE, OFF(timeout_s), 1, 86400, NULL, "seconds"},
	{"exit", K_ENUM, OFF(exit_mode), 0, 0, exit_choices, NULL},
	{"console", K_ENUM, OFF(console), 0, 0, console_choices, NULL},
	{"passes", K_U32_RANGE, OFF(passes), 1, CFG_PASSES_MAX, NULL, NULL},
	{"duration", K_DURATION, OFF(duration_s), 1, CFG_DURATION_MAX_S, NULL, NULL},
	{"on_failure", K_ENUM, OFF(on_failure), 0, 0, on_failure_choices, NULL},
	{"heartbeat", K_U32_RANGE, OFF(heartbeat_s), 0, 86400, NULL, "seconds (0: off)"},
	{"ldjson", K_ENUM, OFF(ldjson), 0, 0, switch_choices, NULL},
	{"persist", K_ENUM, OFF(persist), 0, 0, switch_choices, NULL},
	{"accel_irq", K_ENUM, OFF(accel_irq), 0, 0, accel_irq_choices, NULL},
	{"temp_max", K_LIMIT, OFF(temp_max_c), 1, 200, NULL, "degrees C"},
	{"power_max", K_LIMIT, OFF(power_max_w), 1, 5000, NULL, "watts"},
	{"ecc_serr_max", K_LIMIT, OFF(ecc_serr_max), 0, 1000000, NULL, "corrected errors per device"},
	{"ecc_serr_rate_max", K_LIMIT, OFF(ecc_serr_rate_max), 0, 1000000, NULL, "corrected errors per hour per device"},
	{"hbm_range", K_RANGE, OFF(hbm_range_off), 0, 0, NULL, NULL},
	{"net.uplink", K_NET_PORT, OFF(net), 0, 0, NULL, NULL},
	{"net.addr", K_IPV4_CIDR, OFF(net), 0, 0, NULL, NULL},
	{"net.peers", K_IPV4_LIST, OFF(net), 0, 0, NULL, NULL},
	{"net.iperf_server", K_IPV4_SERVER, OFF(net), 0, 0, NULL, NULL},
	{"net.iperf_listen", K_ENUM, OFF(net.iperf_listen), 0, 0, switch_choices, NULL},
	{"net.collector", K_IPV4_ENDPOINT, OFF(net), 0, 0, NULL, NULL},
	{"net.mgmt", K_NET_MGMT, OFF(net), 0, 0, NULL, NULL},
	{"expect.memory", K_MEMORY, OFF(memory), 0, 0, NULL, NULL},
	{"pcie.aer_cor_mask", K_U32_RANGE, OFF(pcie.aer_cor_mask), 0, UINT32_MAX, NULL, "(AER correctable status bits)"},
	{"pcie.aer_uncor_mask", K_U32_RANGE, OFF(pcie.aer_uncor_mask), 0, UINT32_MAX, NULL, "(AER uncorrectable status bits)"},
};
#define NKEYS (sizeof keys / sizeof keys[0])

void config_defaults(struct kiln_config *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_s = 60;
	c->exit_mode = CFG_EXIT_AUTO;
	c->console = CFG_CONSOLE_AUTO;
	c->heartbeat_s = 60;
	c->persist = CFG_ON;
	c->temp_max_c = CFG_LIMIT_OFF;
	c->power_max_w = CFG_LIMIT_OFF;
	c->ecc_serr_max = CFG_LIMIT_OFF;
	c->ecc_serr_rate_max = CFG_LIMIT_OFF;
}

int config_parse_duration(const char *s, size_t n, uint64_t *seconds)
{
	uint64_t total = 0;
	size_t i = 0;
	if (n == 0)
		return -1;
	while (i < n) {
		uint64_t v = 0;
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(s[i++] - '0');
		}
		if (i == start)
			return -1;
		uint64_t unit = 1;
		if (i < n) {
			switch (s[i++]) {
			case 's': unit = 1; break;
			case 'm': unit = 60; break;
			case 'h': unit = 3600; break;
			case 'd': unit = 86400; break;
			default: return -1;
			}
		} else if (start != 0) {
			return -1; /* "1h30" is ambiguous: every part after the first needs a unit */
		}
		if (v > UINT64_MAX / unit || total + v * unit < total)
			return -1;
		total += v * unit;
	}
	*seconds = total;
	return 0;
}

int config_format_duration(uint64_t sec, char *buf, size_t len)
{
	uint64_t d = sec / 86400, h = sec / 3600 % 24, m = sec / 60 % 60, x = sec % 60;
	int n = 0;
	if (!len)
		return 0;
	buf[0] = 0;
	if (d)
		n += ksnprintf(buf + n, len - (size_t)n, "%llud", (unsigned long long)d);
	if (h && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, "%lluh", (unsigned long long)h);
	if (m && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, "%llum", (unsigned long long)m);
	if ((x || !sec) && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, "%llus", (unsigned long long)x);
	return n;
}

static int key_is(const char *name, const char *key, size_t klen)
{
	return strlen(name) == klen && !strncmp(name, key, klen);
}

/* Parse an unsigned decimal or 0x-hex number that must fill the whole text. */
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
			return -2;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* A size with an optional K, M or G suffix (binary units). */
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
	if (parse_u64(s, shift ? n - 1 : n, &v) < 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static void list_keys(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NKEYS && n < len; i++)
		n += (size_t)ksnprintf(buf + n, len - n, "%s%s", i ? ", " : "", keys[i].name);
}

static void list_choices(const char *const *ch, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; ch[i] && n < len; i++)
		n += (size_t)ksnprintf(buf + n, len - n, "%s%s", i ? "|" : "", ch[i]);
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

/* "accelN.portM". */
static int parse_net_port(const char *s, size_t n, uint8_t *accel, uint8_t *port)
{
	static const char a[] = "accel", p[] = ".port";
	size_t i = sizeof a - 1;
	uint64_t x, y;
	if (n <= i || strncmp(s, a, i))
		return -1;
	size_t dot = i;
	while (dot < n && s[dot] != '.')
		dot++;
	if (parse_u64(s + i, dot - i, &x) < 0 || n - dot <= sizeof p - 1 || strncmp(s + dot, p, sizeof p - 1) ||
	    parse_u64(s + dot + sizeof p - 1, n - dot - (sizeof p - 1), &y) < 0 || x > CFG_NET_ACCEL_MAX ||
	    y > CFG_NET_PORT_MAX)
		return -1;
	*accel = (uint8_t)x;
	*port = (uint8_t)y;
	return 0;
}

/* 1..4 hex digits (lower case) */
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

/* [ssss:]bb:dd.f in lower-case hex */
static int parse_bdf(const char *val, size_t vlen, uint16_t *seg, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	uint64_t f[4];
	unsigned nf = 0;
	size_t i = 0;
	size_t e = 0;
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
	*seg = (uint16_t)(nf == 3 ? f[0] : 0);
	*bus = (uint8_t)f[b];
	*dev = (uint8_t)f[b + 1];
	*fn = (uint8_t)f[b + 2];
	return 0;
}

static int set_net(struct cfg_net *net, enum key_type type, const char *val, size_t vlen)
{
	if (key_is("none", val, vlen)) {
		if (type == K_NET_PORT)
			net->uplink_set = false;
		else if (type == K_IPV4_CIDR)
			net->addr_set = false;
		else if (type == K_IPV4_LIST)
			net->npeers = 0;
		else if (type == K_IPV4_ENDPOINT)
			net->collector_set = false;
		else if (type == K_NET_MGMT)
			net->mgmt = CFG_MGMT_NONE;
		else
			net->iperf_server_set = false;
		return 0;
	}
	switch (type) {
	case K_NET_PORT:
		if (parse_net_port(val, vlen, &net->uplink_accel, &net->uplink_port) < 0)
			return -1;
		net->uplink_set = true;
		return 0;
	case K_IPV4_CIDR: {
		size_t slash = 0;
		uint64_t prefix;
		while (slash < vlen && val[slash] != '/')
			slash++;
		if (slash == vlen || parse_ipv4(val, slash, &net->addr) < 0 ||
		    parse_u64(val + slash + 1, vlen - slash - 1, &prefix) < 0 || prefix < 1 || prefix > 30)
			return -1;
		net->prefix = (uint8_t)prefix;
		net->addr_set = true;
		return 0;
	}
	case K_IPV4_LIST: {
		unsigned n = 0;
		size_t i = 0;
		while (i < vlen) {
			size_t e = i;
			while (e < vlen && val[e] != ',')
				e++;
			if (n == CFG_NET_PEERS_MAX || parse_ipv4(val + i, e - i, &net->peers[n]) < 0)
				return -1;
			n++;
			i = e + 1;
			if (e + 1 == vlen)
				return -1; /* a trailing comma */
		}
		net->npeers = n;
		return n ? 0 : -1;
	}
	case K_IPV4_SERVER: {
		size_t colon = 0;
		uint64_t port = CFG_NET_IPERF_PORT_DEFAULT;
		while (colon < vlen && val[colon] != ':')
			colon++;
		if (parse_ipv4(val, colon, &net->iperf_server) < 0 ||
		    (colon < vlen && (parse_u64(val + colon + 1, vlen - colon - 1, &port) < 0 || !port || port > 65535)))
			return -1;
		net->iperf_port = (uint16_t)port;
		net->iperf_server_set = true;
		return 0;
	}
	case K_IPV4_ENDPOINT: {
		size_t colon = 0;
		uint64_t port;
		uint32_t ip;
		while (colon < vlen && val[colon] != ':')
			colon++;
		if (colon == vlen || parse_ipv4(val, colon, &ip) < 0 ||
		    parse_u64(val + colon + 1, vlen - colon - 1, &port) < 0 || !port || port > 65535)
			return -1;
		net->collector = ip;
		net->collector_port = (uint16_t)port;
		net->collector_set = true;
		return 0;
	}
	case K_NET_MGMT: /* auto, or [ssss:]bb:dd.f in hex */
		if (key_is("auto", val, vlen)) {
			net->mgmt = CFG_MGMT_AUTO;
			return 0;
		}
		if (parse_bdf(val, vlen, &net->mgmt_seg, &net->mgmt_bus, &net->mgmt_dev, &net->mgmt_fn) < 0)
			return -1;
		net->mgmt = CFG_MGMT_BDF;
		return 0;
	default:
		return -1;
	}
}

static const char *net_allowed(enum key_type type)
{
	switch (type) {
	case K_NET_MGMT: return "auto, none or a PCI address [ssss:]bb:dd.f in hex, e.g. 00:03.0";
	case K_IPV4_ENDPOINT: return "none or an IPv4 address and port, e.g. 10.0.2.2:8080";
	case K_NET_PORT: return "none or accelN.portM";
	case K_IPV4_CIDR: return "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24";
	case K_IPV4_LIST: return "none or 1..8 IPv4 addresses separated by commas";
	default: return "none or an IPv4 address with an optional :port (default 5001)";
	}
}

/* expect.pcie.<target>=genN[xW]: target [ssss:]bb:dd.f or slotN (a-z 0-9 : .). */
static int set_pcie_rule(struct cfg_pcie *p, const char *t, size_t tlen, const char *val, size_t vlen, const char *origin,
			 char *err)
{
	uint64_t speed = 0, width = 0;
	size_t x = 3;
	while (x < vlen && val[x] != 'x')
		x++;
	bool ok = vlen > 3 && !strncmp(val, "gen", 3) && parse_u64(val + 3, x - 3, &speed) == 0 && speed >= 1 &&
		  speed <= 6 && (x == vlen || (parse_u64(val + x + 1, vlen - x - 1, &width) == 0 && width >= 1 && width <= 32));
	for (size_t i = 0; i < tlen && ok; i++)
		ok = (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == ':' || t[i] == '.';
	if (!ok || !tlen || tlen >= CFG_PCIE_TARGET_MAX) {
		ksnprintf(err, CFG_ERR_MAX,
			  "%s: key '" PCIE_RULE_PREFIX "%.*s' value '%.*s' is not allowed; allowed: a key "
			  PCIE_RULE_PREFIX "<[ssss:]bb:dd.f or slotN> and a value genN or genNxW (N 1..6, W 1..32), e.g. gen4x16",
			  origin, (int)tlen, t, (int)vlen, val);
		return -1;
	}
	unsigned i = 0;
	while (i < p->nrules && !key_is(p->rule[i].target, t, tlen))
		i++;
	if (i == CFG_PCIE_RULES_MAX) {
		ksnprintf(err, CFG_ERR_MAX, "%s: key '" PCIE_RULE_PREFIX "%.*s': at most %u expect.pcie rules", origin, (int)tlen,
			  t, CFG_PCIE_RULES_MAX);
		return -1;
	}
	memcpy(p->rule[i].target, t, tlen);
	p->rule[i].target[tlen] = 0;
	p->rule[i].speed = (uint8_t)speed;
	p->rule[i].width = (uint8_t)width;
	if (i == p->nrules)
		p->nrules++;
	return 0;
}

int config_set(struct kiln_config *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *origin, char *err)
{
	const struct key_def *k = NULL;
	if (key_is("console", key, klen) && vlen > 4 && !strncmp(val, "pci:", 4) &&
	    parse_bdf(val + 4, vlen - 4, &c->console_seg, &c->console_bus, &c->console_dev, &c->console_fn) == 0) {
		c->console = CFG_CONSOLE_PCI;
		return 0;
	}
	if (klen > sizeof PCIE_RULE_PREFIX - 1 && !strncmp(key, PCIE_RULE_PREFIX, sizeof PCIE_RULE_PREFIX - 1))
		return set_pcie_rule(&c->pcie, key + sizeof PCIE_RULE_PREFIX - 1, klen - (sizeof PCIE_RULE_PREFIX - 1), val,
				     vlen, origin, err);
	for (size_t i = 0; i < NKEYS; i++)
		if (key_is(keys[i].name, key, klen))
			k = &keys[i];
	if (!k) {
		char known[CFG_ERR_MAX]; /* every key name fits; the message is cut at CFG_ERR_MAX */
		list_keys(known, sizeof known);
		ksnprintf(err, CFG_ERR_MAX, "%s: unknown key '%.*s'; known keys: %s", origin, (int)klen, key, known);
		return -1;
	}
	void *field = (char *)c + k->offset;
	switch (k->type) {
	case K_LIST:
		if (vlen >= CFG_LIST_MAX) {
			ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value is %zu characters; allowed: at most %d", origin,
				  k->name, vlen, CFG_LIST_MAX - 1);
			return -1;
		}
		for (size_t i = 0; i < vlen; i++) {
			char ch = val[i];
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
				 ch == '*' || ch == '?' || ch == ',' || ch == '.' || ch == ' ';
			if (!ok) {
				ksnprintf(err, CFG_ERR_MAX,
					  "%s: key '%s' value '%.*s' has '%c'; allowed: names or globs of a-z 0-9 - _ . * ? "
					  "separated by commas or spaces",
					  origin, k->name, (int)vlen, val, ch);
				return -1;
			}
		}
		memcpy(field, val, vlen);
		((char *)field)[vlen] = 0;
		return 0;
	case K_U64:
	case K_U32_RANGE: {
		uint64_t v;
		int r = parse_u64(val, vlen, &v);
		if (r < 0 || (k->type == K_U32_RANGE && (v < k->min || v > k->max))) {
			const char *why = r == -1 ? "is not a number" : (r == -2 ? "is too large" : "is out of range");
			if (k->type == K_U32_RANGE)
				ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' %s; allowed: %llu..%llu%s%s", origin,
					  k->name, (int)vlen, val, why, (unsigned long long)k->min,
					  (unsigned long long)k->max, k->unit ? " " : "", k->unit ? k->unit : "");
			else
				ksnprintf(err, CFG_ERR_MAX,
					  "%s: key '%s' value '%.*s' %s; allowed: a decimal or 0x-hex number below 2^64",
					  origin, k->name, (int)vlen, val, why);
			return -1;
		}
		if (k->type == K_U64) {
			*(uint64_t *)field = v;
			if (k->offset == OFF(seed))
				c->seed_set = true;
		} else {
			*(uint32_t *)field = (uint32_t)v;
		}
		return 0;
	}
	case K_DURATION: {
		uint64_t v;
		if (config_parse_duration(val, vlen, &v) < 0 || v < k->min || v > k->max) {
			ksnprintf(err, CFG_ERR_MAX,
				  "%s: key '%s' value '%.*s' is not a duration; allowed: 1s..30d as a number of seconds or "
				  "parts like 90s, 15m, 8h, 2d, 1h30m",
				  origin, k->name, (int)vlen, val);
			return -1;
		}
		*(uint64_t *)field = v;
		return 0;
	}
	case K_MEMORY: { /* none, or <N>x<size> with size in M or G */
		struct cfg_memory *m = field;
		uint64_t n = 0, sz = 0;
		size_t x = 0;
		while (x < vlen && val[x] != 'x')
			x++;
		char unit = vlen ? val[vlen - 1] : 0;
		if (key_is("none", val, vlen)) {
			m->modules = 0;
			return 0;
		}
		if (x == vlen || parse_u64(val, x, &n) < 0 || !n || n > 4096 || vlen < x + 3 || (unit != 'G' && unit != 'M') ||
		    parse_u64(val + x + 1, vlen - x - 2, &sz) < 0 || !sz || sz > (1u << 24)) {
			ksnprintf(err, CFG_ERR_MAX,
				  "%s: key '%s' value '%.*s' is not allowed; allowed: none or <modules>x<size> with size in M "
				  "or G, e.g. 16x32G (at least 16 modules of at least 32 GiB each)",
				  origin, k->name, (int)vlen, val);
			return -1;
		}
		m->modules = (uint32_t)n;
		m->module_mib = unit == 'G' ? sz * 1024u : sz;
		return 0;
	}
	case K_LIMIT: {
		uint64_t v;
		if (key_is("off", val, vlen)) {
			*(uint32_t *)field = CFG_LIMIT_OFF;
			return 0;
		}
		int r = parse_u64(val, vlen, &v);
		if (r < 0 || v < k->min || v > k->max) {
			ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' %s; allowed: off or %llu..%llu %s", origin, k->name,
				  (int)vlen, val, r == -1 ? "is not a number" : (r == -2 ? "is too large" : "is out of range"),
				  (unsigned long long)k->min, (unsigned long long)k->max, k->unit);
			return -1;
		}
		*(uint32_t *)field = (uint32_t)v;
		return 0;
	}
	case K_RANGE: {
		uint64_t off, size;
		size_t colon = 0;
		while (colon < vlen && val[colon] != ':')
			colon++;
		if (key_is("all", val, vlen)) {
			c->hbm_range_set = false;
			c->hbm_range_off = c->hbm_range_size = 0;
			return 0;
		}
		if (colon == vlen || parse_size(val, colon, &off) < 0 || parse_size(val + colon + 1, vlen - colon - 1, &size) < 0 ||
		    size == 0 || (off | size) & 7 || off + size < off) {
			ksnprintf(err, CFG_ERR_MAX,
				  "%s: key '%s' value '%.*s' is not a range; allowed: all, or offset:size in bytes with an "
				  "optional K/M/G suffix, both multiples of 8, size > 0 (e.g. 0:64M, 128M:16M)",
				  origin, k->name, (int)vlen, val);
			return -1;
		}
		c->hbm_range_set = true;
		c->hbm_range_off = off;
		c->hbm_range_size = size;
		return 0;
	}
	case K_NET_PORT:
	case K_IPV4_CIDR:
	case K_IPV4_LIST:
	case K_IPV4_SERVER:
	case K_IPV4_ENDPOINT:
	case K_NET_MGMT:
		if (set_net(&c->net, k->type, val, vlen) < 0) {
			ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' is not allowed; allowed: %s", origin, k->name,
				  (int)vlen, val, net_allowed(k->type));
			return -1;
		}
		return 0;
	case K_ENUM:
		for (int i = 0; k->choices[i]; i++) {
			if (key_is(k->choices[i], val, vlen)) {
				*(int *)field = i;
				return 0;
			}
		}
		char allowed[120];
		list_choices(k->choices, allowed, sizeof allowed);
		ksnprintf(err, CFG_ERR_MAX, "%s: key '%s' value '%.*s' is not allowed; allowed: %s", origin, k->name,
			  (int)vlen, val, allowed);
		return -1;
	}
	return -1;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

int config_parse_file(struct kiln_config *c, const char *text, size_t len, const char *name, char *err)
{
	size_t pos = 0;
	unsigned line = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		char origin[96];
		ksnprintf(origin, sizeof origin, "%s line %u", name, line);
		size_t s = pos, e = end;
		for (size_t i = s; i < e; i++)
			if (text[i] == '#') {
				e = i;
				break;
			}
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
		size_t eq = s;
		while (eq < e && text[eq] != '=')
			eq++;
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

static void format_ipv4(uint32_t a, char *buf, size_t len)
{
	ksnprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xffu, (a >> 8) & 0xffu, a & 0xffu);
}

/* The net.* keys that are set, each as " key=value" (none set: nothing, so the line of a
 * run without networking keys stays as it was). */
static int format_net(const struct cfg_net *n, char *buf, size_t len)
{
	int at = 0;
	char one[24];
	buf[0] = 0;
	if (n->uplink_set)
		at += ksnprintf(buf + at, len - (size_t)at, " net.uplink=accel%u.port%u", n->uplink_accel, n->uplink_port);
	if (n->addr_set) {
		format_ipv4(n->addr, one, sizeof one);
		at += ksnprintf(buf + at, len - (size_t)at, " net.addr=%s/%u", one, n->prefix);
	}
	for (unsigned i = 0; i < n->npeers; i++) {
		format_ipv4(n->peers[i], one, sizeof one);
		at += ksnprintf(buf + at, len - (size_t)at, "%s%s", i ? "," : " net.peers=", one);
	}
	if (n->iperf_server_set) {
		format_ipv4(n->iperf_server, one, sizeof one);
		at += ksnprintf(buf + at, len - (size_t)at, " net.iperf_server=%s:%u", one, n->iperf_port);
	}
	if (n->iperf_listen == CFG_ON)
		at += ksnprintf(buf + at, len - (size_t)at, " net.iperf_listen=on");
	if (n->collector_set) {
		format_ipv4(n->collector, one, sizeof one);
		at += ksnprintf(buf + at, len - (size_t)at, " net.collector=%s:%u", one, n->collector_port);
	}
	if (n->mgmt != CFG_MGMT_AUTO)
		at += n->mgmt == CFG_MGMT_NONE ? ksnprintf(buf + at, len - (size_t)at, " net.mgmt=none")
					       : ksnprintf(buf + at, len - (size_t)at, " net.mgmt=%04x:%02x:%02x.%x", n->mgmt_seg,
							   n->mgmt_bus, n->mgmt_dev, n->mgmt_fn);
	return at;
}

static int config_format_main(const struct kiln_config *c, char *buf, size_t len);

int config_format(const struct kiln_config *c, char *buf, size_t len)
{
	char net[CFG_NET_FORMAT_MAX];
	int n = config_format_main(c, buf, len);
	int m = format_net(&c->net, net, sizeof net);
	if (n >= 0 && (size_t)n < len)
		ksnprintf(buf + n, len - (size_t)n, "%s", net);
	n += m;
	/* pcie keys only when set, like the net.* keys */
	const struct cfg_pcie *p = &c->pcie;
	if (p->aer_cor_mask && n >= 0 && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, " pcie.aer_cor_mask=0x%x", p->aer_cor_mask);
	if (p->aer_uncor_mask && n >= 0 && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, " pcie.aer_uncor_mask=0x%x", p->aer_uncor_mask);
	if (c->memory.modules && n >= 0 && (size_t)n < len)
		n += ksnprintf(buf + n, len - (size_t)n, " expect.memory=%ux%lluM", c->memory.modules,
			       (unsigned long long)c->memory.module_mib);
	for (unsigned i = 0; i < p->nrules && n >= 0 && (size_t)n < len; i++) {
		n += ksnprintf(buf + n, len - (size_t)n, " " PCIE_RULE_PREFIX "%s=gen%u", p->rule[i].target, p->rule[i].speed);
		if (p->rule[i].width && (size_t)n < len)
			n += ksnprintf(buf + n, len - (size_t)n, "x%u", p->rule[i].width);
	}
	return n;
}

static int config_format_main(const struct kiln_config *c, char *buf, size_t len)
{
	char dur[32] = "(none)", con[24];
	if (c->console == CFG_CONSOLE_PCI)
		ksnprintf(con, sizeof con, "pci:%04x:%02x:%02x.%x", c->console_seg, c->console_bus, c->console_dev,
			  c->console_fn);
	else
		ksnprintf(con, sizeof con, "%s", console_choices[c->console]);
	if (c->duration_s)
		config_format_duration(c->duration_s, dur, sizeof dur);
	return ksnprintf(buf, len,
			 "suites=%s cases=%s exclude=%s seed=0x%llx timeout=%u exit=%s console=%s passes=%u duration=%s "
			 "on_failure=%s heartbeat=%u ldjson=%s persist=%s accel_irq=%s",
			 c->suites[0] ? c->suites : "(default)", c->cases[0] ? c->cases : "*",
			 c->exclude[0] ? c->exclude : "(none)", (unsigned long long)c->seed, c->timeout_s,
			 exit_choices[c->exit_mode], con, c->passes ? c->passes : 1, dur,
			 on_failure_choices[c->on_failure], c->heartbeat_s, switch_choices[c->ldjson],
			 switch_choices[c->persist], accel_irq_choices[c->accel_irq]);
}
