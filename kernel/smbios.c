#include "kernel/smbios.h"

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

#define T_BIOS 0
#define T_SYSTEM 1
#define T_BASEBOARD 2
#define T_MEM_DEVICE 17
#define T_MEM_ARRAY_MAP 19
#define T_MEM_DEVICE_MAP 20
/* type 17 field offsets (DSP0134 3.7 §7.18) and the version that added them */
#define T17_DATA_WIDTH 0x0a
#define T17_SIZE 0x0c
#define T17_LOCATOR 0x10
#define T17_BANK 0x11
#define T17_TYPE 0x12          /* 2.1 */
#define T17_SPEED 0x15         /* 2.3 */
#define T17_MANUFACTURER 0x17
#define T17_SERIAL 0x18
#define T17_PART 0x1a
#define T17_EXT_SIZE 0x1c      /* 2.7 */
#define T17_CONF_SPEED 0x20
#define T17_EXT_SPEED 0x54     /* 3.3 */
#define T17_EXT_CONF_SPEED 0x58
#define T17_SIZE_UNKNOWN 0xffffu
#define T17_SIZE_EXTENDED 0x7fffu
#define T17_SIZE_KB 0x8000u    /* granularity bit: KiB instead of MiB */
#define T17_SPEED_EXTENDED 0xffffu
#define T17_EXT_SIZE_MASK 0x7fffffffu
/* types 19 and 20: starting/ending address in KiB, 0xFFFFFFFF: the 64-bit extended ones */
#define T19_START 0x04
#define T19_END 0x08
#define T19_EXT_START 0x0f
#define T19_EXT_END 0x17
#define T20_START 0x04
#define T20_END 0x08
#define T20_DEVICE 0x0c
#define T20_EXT_START 0x13
#define T20_EXT_END 0x1b
#define ADDR_EXTENDED 0xffffffffu
#define T_END 127

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

int smbios_entry(const uint8_t *ep, size_t avail, uint64_t *table, uint32_t *table_len, unsigned *major,
		 unsigned *minor)
{
	if (avail >= 24 && !memcmp(ep, "_SM3_", 5)) {
		uint8_t len = ep[6];
		if (len < 24 || len > avail || sum(ep, len))
			return -1;
		*major = ep[7];
		*minor = ep[8];
		*table_len = rd32(ep + 12);
		*table = rd64(ep + 16);
		return 0;
	}
	if (avail >= 31 && !memcmp(ep, "_SM_", 4)) {
		uint8_t len = ep[5];
		if (len < 31 || len > avail || sum(ep, len) || memcmp(ep + 16, "_DMI_", 5) || sum(ep + 16, 15))
			return -1;
		*major = ep[6];
		*minor = ep[7];
		*table_len = rd16(ep + 22);
		*table = rd32(ep + 24);
		return 0;
	}
	return -1;
}

/* String `idx` (1-based) of a structure whose strings start at s and end before end. */
static void get_string(const uint8_t *s, const uint8_t *end, uint8_t idx, char *out)
{
	out[0] = 0;
	if (!idx)
		return;
	for (uint8_t i = 1; s < end && *s; i++) {
		const uint8_t *e = s;
		while (e < end && *e)
			e++;
		if (i == idx) {
			size_t n = 0;
			/* trim trailing spaces, replace what is not printable ASCII */
			size_t l = (size_t)(e - s);
			while (l && s[l - 1] == ' ')
				l--;
			for (; n < l && n + 1 < SMBIOS_STR_MAX; n++)
				out[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? (char)s[n] : '?';
			out[n] = 0;
			return;
		}
		s = e + 1;
	}
}

static void format_uuid(const uint8_t *u, unsigned major, unsigned minor, char *out)
{
	int all_ff = 1, all_00 = 1;
	for (int i = 0; i < 16; i++) {
		all_ff &= u[i] == 0xff;
		all_00 &= u[i] == 0;
	}
	if (all_ff || all_00) {
		ksnprintf(out, 40, "%s", all_00 ? "(not set)" : "(not present)");
		return;
	}
	/* Since SMBIOS 2.6 the first three fields are little-endian (DSP0134 §7.2.1). */
	int le = major > 2 || (major == 2 && minor >= 6);
	uint8_t b[16];
	memcpy(b, u, 16);
	if (le) {
		uint8_t t;
		t = b[0], b[0] = b[3], b[3] = t;
		t = b[1], b[1] = b[2], b[2] = t;
		t = b[4], b[4] = b[5], b[5] = t;
		t = b[6], b[6] = b[7], b[7] = t;
	}
	ksnprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
		  b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

const char *smbios_mem_type_name(uint8_t type, char *buf)
{
	static const struct { uint8_t t; const char *n; } names[] = {
		{0x01, "Other"}, {0x02, "Unknown"}, {0x03, "DRAM"}, {0x07, "RAM"}, {0x0f, "SDRAM"}, {0x12, "DDR"},
		{0x13, "DDR2"}, {0x18, "DDR3"}, {0x1a, "DDR4"}, {0x1b, "LPDDR"}, {0x1c, "LPDDR2"}, {0x1d, "LPDDR3"},
		{0x1e, "LPDDR4"}, {0x1f, "Logical non-volatile"}, {0x20, "HBM"}, {0x21, "HBM2"}, {0x22, "DDR5"},
		{0x23, "LPDDR5"}, {0x24, "HBM3"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].t == type)
			return names[i].n;
	ksnprintf(buf, 12, "type 0x%02x", type);
	return buf;
}

unsigned smbios_dimms_populated(const struct smbios_info *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->dimm_slots && i < SMBIOS_DIMM_MAX; i++)
		n += s->dimm[i].size_mib || s->dimm[i].size_unknown;
	return n;
}

/* Like get_string, into a smaller field. */
static void get_short(const uint8_t *s, const uint8_t *end, uint8_t idx, char *out)
{
	char tmp[SMBIOS_STR_MAX];
	get_string(s, end, idx, tmp);
	size_t n = strlen(tmp);
	if (n >= SMBIOS_DIMM_STR_MAX)
		n = SMBIOS_DIMM_STR_MAX - 1;
	memcpy(out, tmp, n);
	out[n] = 0;
}

static bool ver_at_least(unsigned major, unsigned minor, unsigned m, unsigned n)
{
	return major > m || (major == m && minor >= n);
}

static void parse_dimm(const uint8_t *f, uint8_t slen, const uint8_t *strs, const uint8_t *end, unsigned major,
		       unsigned minor, struct smbios_info *o)
{
	if (slen < T17_BANK + 1)
		return;
	o->dimm_slots++;
	if (o->dimm_slots > SMBIOS_DIMM_MAX) {
		o->dimm_dropped++;
		return;
	}
	struct smbios_dimm *d = &o->dimm[o->dimm_slots - 1];
	d->handle = rd16(f + 2);
	d->data_width = rd16(f + T17_DATA_WIDTH);
	uint16_t size = rd16(f + T17_SIZE);
	if (size == T17_SIZE_UNKNOWN)
		d->size_unknown = true;
	else if (size == T17_SIZE_EXTENDED && slen >= T17_EXT_SIZE + 4)
		d->size_mib = rd32(f + T17_EXT_SIZE) & T17_EXT_SIZE_MASK;
	else if (size & T17_SIZE_KB)
		d->size_mib = (size & ~T17_SIZE_KB) / 1024u;
	else
		d->size_mib = size;
	get_short(strs, end, f[T17_LOCATOR], d->locator);
	get_short(strs, end, f[T17_BANK], d->bank);
	if (slen > T17_TYPE && ver_at_least(major, minor, 2, 1))
		d->type = f[T17_TYPE];
	if (slen >= T17_PART + 1) {
		d->speed_mts = rd16(f + T17_SPEED);
		get_short(strs, end, f[T17_MANUFACTURER], d->manufacturer);
		get_short(strs, end, f[T17_SERIAL], d->serial);
		get_short(strs, end, f[T17_PART], d->part);
	}
	if (slen >= T17_CONF_SPEED + 2)
		d->configured_mts = rd16(f + T17_CONF_SPEED);
	if (d->speed_mts == T17_SPEED_EXTENDED)
		d->speed_mts = slen >= T17_EXT_SPEED + 4 ? rd32(f + T17_EXT_SPEED) : 0;
	if (d->configured_mts == T17_SPEED_EXTENDED)
		d->configured_mts = slen >= T17_EXT_CONF_SPEED + 4 ? rd32(f + T17_EXT_CONF_SPEED) : 0;
}

/* [start, end] of a type 19/20 range in bytes; 0 when empty or malformed. */
static uint64_t range_bytes(const uint8_t *f, uint8_t slen, unsigned start, unsigned end_off, unsigned ext_start,
			    unsigned ext_end)
{
	uint32_t s = rd32(f + start), e = rd32(f + end_off);
	if (s == ADDR_EXTENDED) {
		if (slen < ext_end + 8)
			return 0;
		uint64_t xs = rd64(f + ext_start), xe = rd64(f + ext_end);
		return xe >= xs ? xe - xs + 1 : 0;
	}
	return e >= s ? ((uint64_t)e - s + 1) * 1024u : 0;
}

int smbios_parse(const uint8_t *t, size_t len, unsigned major, unsigned minor, struct smbios_info *o)
{
	memset(o, 0, sizeof *o);
	o->major = major;
	o->minor = minor;
	size_t off = 0;
	while (off + 4 <= len) {
		uint8_t type = t[off], slen = t[off + 1];
		if (slen < 4 || off + slen > len)
			return -1;
		const uint8_t *f = t + off, *strs = t + off + slen, *end = t + len;
		/* the string-set ends with two NULs */
		const uint8_t *p = strs;
		while (p + 1 < end && !(p[0] == 0 && p[1] == 0))
			p++;
		if (p + 1 >= end)
			return -1;
		o->structures++;
		if (type == T_BIOS && slen >= 9) {
			get_string(strs, p + 1, f[4], o->bios_vendor);
			get_string(strs, p + 1, f[5], o->bios_version);
			get_string(strs, p + 1, f[8], o->bios_date);
		} else if (type == T_SYSTEM && slen >= 8) {
			get_string(strs, p + 1, f[4], o->sys_manufacturer);
			get_string(strs, p + 1, f[5], o->sys_product);
			get_string(strs, p + 1, f[6], o->sys_version);
			get_string(strs, p + 1, f[7], o->sys_serial);
			if (slen >= 24)
				format_uuid(f + 8, major, minor, o->sys_uuid);
		} else if (type == T_BASEBOARD && slen >= 8) {
			get_string(strs, p + 1, f[4], o->board_manufacturer);
			get_string(strs, p + 1, f[5], o->board_product);
			get_string(strs, p + 1, f[7], o->board_serial);
		} else if (type == T_MEM_DEVICE) {
			parse_dimm(f, slen, strs, p + 1, major, minor, o);
		} else if (type == T_MEM_ARRAY_MAP && slen >= T19_END + 4) {
			o->arrays_mapped++;
			o->array_bytes += range_bytes(f, slen, T19_START, T19_END, T19_EXT_START, T19_EXT_END);
		} else if (type == T_MEM_DEVICE_MAP && slen >= T20_DEVICE + 2) {
			o->device_maps++;
			uint64_t b = range_bytes(f, slen, T20_START, T20_END, T20_EXT_START, T20_EXT_END);
			uint16_t h = rd16(f + T20_DEVICE);
			/* tables list type 17 before the type 20 that names it (DSP0134 §6.2 order) */
			for (unsigned i = 0; i < o->dimm_slots && i < SMBIOS_DIMM_MAX; i++)
				if (o->dimm[i].handle == h)
					o->dimm[i].mapped_bytes += b;
		}
		off = (size_t)(p + 2 - t);
		if (type == T_END)
			break;
	}
	return 0;
}
