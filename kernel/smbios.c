#include "kernel/smbios.h"

#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

#define T_BIOS 0
#define T_SYSTEM 1
#define T_BASEBOARD 2
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
		}
		off = (size_t)(p + 2 - t);
		if (type == T_END)
			break;
	}
	return 0;
}
