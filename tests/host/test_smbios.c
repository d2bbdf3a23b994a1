// sources: kernel/smbios.c kernel/lib/fmt.c
/* kernel/smbios.c (DMTF DSP0134): the 64-bit "_SM3_" and 32-bit "_SM_" entry points with
 * their checksums, and the structure table — BIOS, system (with the UUID byte order
 * that changed in 2.6) and baseboard strings, string edge cases, and malformed or
 * truncated tables, which must be refused without reading past the table (every
 * buffer is an exact-size heap block under ASan). Memory devices (type 17, with 19/20):
 * tables captured from QEMU 7.2 (tests/host/data/smbios/, dumped by a Kiln boot) and a
 * two-socket server-shaped SMBIOS 3.3 table built here from DSP0134 3.7 §7.18-7.20. */
#include "host_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/smbios.h"

static uint8_t csum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)(0x100 - s);
}

/* ---- entry points --------------------------------------------------------------- */

static void sm3(uint8_t *ep, uint8_t major, uint8_t minor, uint32_t max, uint64_t addr)
{
	memset(ep, 0, 24);
	memcpy(ep, "_SM3_", 5);
	ep[6] = 24;
	ep[7] = major;
	ep[8] = minor;
	ep[10] = 1; /* entry point revision */
	for (int i = 0; i < 4; i++)
		ep[12 + i] = (uint8_t)(max >> (8 * i));
	for (int i = 0; i < 8; i++)
		ep[16 + i] = (uint8_t)(addr >> (8 * i));
	ep[5] = csum(ep, 24);
}

static void sm2(uint8_t *ep, uint8_t major, uint8_t minor, uint16_t len, uint32_t addr)
{
	memset(ep, 0, 31);
	memcpy(ep, "_SM_", 4);
	ep[5] = 31;
	ep[6] = major;
	ep[7] = minor;
	memcpy(ep + 16, "_DMI_", 5);
	ep[22] = (uint8_t)len, ep[23] = (uint8_t)(len >> 8);
	for (int i = 0; i < 4; i++)
		ep[24 + i] = (uint8_t)(addr >> (8 * i));
	ep[28] = 12; /* number of structures */
	ep[21] = csum(ep + 16, 15);
	ep[4] = csum(ep, 31);
}

/* smbios_entry on an exact-size copy of the first `avail` bytes. */
static int entry(const uint8_t *ep, size_t avail, uint64_t *table, uint32_t *len, unsigned *maj, unsigned *min)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	memcpy(copy, ep, avail);
	int r = smbios_entry(copy, avail, table, len, maj, min);
	free(copy);
	return r;
}

static void entry_point_64(void **state)
{
	(void)state;
	uint8_t ep[24];
	uint64_t table = 0;
	uint32_t len = 0;
	unsigned maj = 0, min = 0;
	sm3(ep, 3, 6, 0x1234, 0x100007fff000ull);
	assert_int_equal(entry(ep, 24, &table, &len, &maj, &min), 0);
	assert_int_equal(table, 0x100007fff000ull);
	assert_int_equal(len, 0x1234);
	assert_int_equal(maj, 3);
	assert_int_equal(min, 6);
	assert_int_equal(entry(ep, 23, &table, &len, &maj, &min), -1); /* not all of it there */
	ep[5]++;
	assert_int_equal(entry(ep, 24, &table, &len, &maj, &min), -1); /* checksum */
	sm3(ep, 3, 0, 0x100, 0x1000);
	ep[6] = 23, ep[5]++;
	assert_int_equal(entry(ep, 24, &table, &len, &maj, &min), -1); /* length too small */
	sm3(ep, 3, 0, 0x100, 0x1000);
	ep[0] = '-';
	ep[5] = (uint8_t)(ep[5] + '_' - '-');
	assert_int_equal(entry(ep, 24, &table, &len, &maj, &min), -1); /* anchor */
}

static void entry_point_32(void **state)
{
	(void)state;
	uint8_t ep[31];
	uint64_t table = 0;
	uint32_t len = 0;
	unsigned maj = 0, min = 0;
	sm2(ep, 2, 8, 0x2a5, 0xf0000);
	assert_int_equal(entry(ep, 31, &table, &len, &maj, &min), 0);
	assert_int_equal(table, 0xf0000);
	assert_int_equal(len, 0x2a5);
	assert_int_equal(maj, 2);
	assert_int_equal(min, 8);
	assert_int_equal(entry(ep, 30, &table, &len, &maj, &min), -1);
	sm2(ep, 2, 8, 0x2a5, 0xf0000);
	ep[4]++; /* outer checksum */
	assert_int_equal(entry(ep, 31, &table, &len, &maj, &min), -1);
	sm2(ep, 2, 8, 0x2a5, 0xf0000);
	ep[22]++, ep[4]--; /* intermediate checksum wrong, outer right */
	assert_int_equal(entry(ep, 31, &table, &len, &maj, &min), -1);
	sm2(ep, 2, 8, 0x2a5, 0xf0000);
	ep[16] = 'X', ep[21] = (uint8_t)(ep[21] + '_' - 'X'), ep[4] = 0, ep[4] = csum(ep, 31);
	assert_int_equal(entry(ep, 31, &table, &len, &maj, &min), -1); /* no _DMI_ */
	assert_int_equal(entry((const uint8_t *)"garbage garbage garbage garbage", 31, &table, &len, &maj, &min), -1);
	assert_int_equal(entry(ep, 0, &table, &len, &maj, &min), -1);
}

/* ---- structure tables ----------------------------------------------------------- */

struct tbl {
	uint8_t b[8192];
	size_t len;
};

/* One structure: formatted area (type, length, handle, then `fields`), then strings. */
static void structure(struct tbl *t, uint8_t type, const uint8_t *fields, size_t nf, const char *const *strs,
		      size_t ns)
{
	uint8_t *s = t->b + t->len;
	s[0] = type;
	s[1] = (uint8_t)(4 + nf);
	s[2] = (uint8_t)t->len, s[3] = 0;
	if (nf)
		memcpy(s + 4, fields, nf);
	t->len += 4 + nf;
	for (size_t i = 0; i < ns; i++) {
		size_t l = strlen(strs[i]) + 1;
		memcpy(t->b + t->len, strs[i], l);
		t->len += l;
	}
	if (!ns)
		t->b[t->len++] = 0;
	t->b[t->len++] = 0;
	assert_true(t->len < sizeof t->b);
}

static const uint8_t uuid_bytes[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

static void typical_table(struct tbl *t)
{
	memset(t, 0, sizeof *t);
	/* type 0: vendor 1, version 2, start segment, release date 3, ROM size, ... */
	static const uint8_t bios[] = {1, 2, 0x00, 0xe8, 3, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const char *const bios_s[] = {"EFI Development Kit II / OVMF", "0.0.0", "02/06/2015"};
	structure(t, 0, bios, sizeof bios, bios_s, 3);
	/* type 1: manufacturer 1, product 2, version 3, serial 4, UUID, wake-up, SKU, family */
	uint8_t sys[21] = {1, 2, 3, 4};
	memcpy(sys + 4, uuid_bytes, 16);
	sys[20] = 6;
	static const char *const sys_s[] = {"QEMU", "Standard PC (Q35 + ICH9, 2009)  ", "pc-q35-8.2", "KILN-0001"};
	structure(t, 1, sys, sizeof sys, sys_s, 4);
	/* type 4 (processor): not reported, skipped by its length and strings */
	static const uint8_t cpu[] = {1, 3, 0xfe, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const char *const cpu_s[] = {"CPU 0", "QEMU"};
	structure(t, 4, cpu, sizeof cpu, cpu_s, 2);
	/* type 2: manufacturer 1, product 2, version 0 (none), serial 3 */
	static const uint8_t board[] = {1, 2, 0, 3, 0, 0x09, 0, 0, 0, 0, 0};
	static const char *const board_s[] = {"Kiln Labs", "Burn Board", "BB-42\x01\xff"};
	structure(t, 2, board, sizeof board, board_s, 3);
	structure(t, 127, NULL, 0, NULL, 0);
}

static int parse(const struct tbl *t, size_t len, unsigned maj, unsigned min, struct smbios_info *o)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, t->b, len);
	int r = smbios_parse(copy, len, maj, min, o);
	free(copy);
	return r;
}

static struct tbl tb;

static void typical_structures(void **state)
{
	(void)state;
	struct smbios_info o;
	typical_table(&tb);
	assert_int_equal(parse(&tb, tb.len, 3, 0, &o), 0);
	assert_int_equal(o.major, 3);
	assert_int_equal(o.minor, 0);
	assert_int_equal(o.structures, 5);
	assert_string_equal(o.bios_vendor, "EFI Development Kit II / OVMF");
	assert_string_equal(o.bios_version, "0.0.0");
	assert_string_equal(o.bios_date, "02/06/2015");
	assert_string_equal(o.sys_manufacturer, "QEMU");
	assert_string_equal(o.sys_product, "Standard PC (Q35 + ICH9, 2009)"); /* trailing spaces trimmed */
	assert_string_equal(o.sys_version, "pc-q35-8.2");
	assert_string_equal(o.sys_serial, "KILN-0001");
	/* since 2.6 the first three UUID fields are little-endian */
	assert_string_equal(o.sys_uuid, "33221100-5544-7766-8899-aabbccddeeff");
	assert_string_equal(o.board_manufacturer, "Kiln Labs");
	assert_string_equal(o.board_product, "Burn Board");
	assert_string_equal(o.board_serial, "BB-42??"); /* not printable: replaced */
}

static void uuid_byte_order_and_special_values(void **state)
{
	(void)state;
	struct smbios_info o;
	typical_table(&tb);
	assert_int_equal(parse(&tb, tb.len, 2, 5, &o), 0); /* before 2.6: as stored */
	assert_string_equal(o.sys_uuid, "00112233-4455-6677-8899-aabbccddeeff");
	assert_int_equal(parse(&tb, tb.len, 2, 6, &o), 0);
	assert_string_equal(o.sys_uuid, "33221100-5544-7766-8899-aabbccddeeff");
	/* the UUID starts at byte 8 of the type 1 structure, which is the second one */
	size_t sys = 4 + 20; /* past the type 0 formatted area, then its strings */
	while (tb.b[sys] || tb.b[sys + 1])
		sys++;
	sys += 2;
	assert_int_equal(tb.b[sys], 1);
	memset(tb.b + sys + 8, 0, 16);
	assert_int_equal(parse(&tb, tb.len, 3, 0, &o), 0);
	assert_string_equal(o.sys_uuid, "(not set)");
	memset(tb.b + sys + 8, 0xff, 16);
	assert_int_equal(parse(&tb, tb.len, 3, 0, &o), 0);
	assert_string_equal(o.sys_uuid, "(not present)");
}

static void string_edge_cases(void **state)
{
	(void)state;
	struct smbios_info o;
	memset(&tb, 0, sizeof tb);
	char longest[200];
	memset(longest, 'L', sizeof longest - 1);
	longest[sizeof longest - 1] = 0;
	/* vendor: index 5 of 2 strings (missing), version: index 0 (none), date: 2 */
	static const uint8_t bios[] = {5, 0, 0, 0, 2};
	const char *const strs[] = {longest, "   "};
	structure(&tb, 0, bios, sizeof bios, strs, 2);
	/* a type 1 too short for a UUID (2.0 layout: 8 bytes) */
	static const uint8_t sys[] = {1, 1, 1, 1};
	const char *const sys_s[] = {"only"};
	structure(&tb, 1, sys, sizeof sys, sys_s, 1);
	assert_int_equal(parse(&tb, tb.len, 3, 2, &o), 0);
	assert_string_equal(o.bios_vendor, "");
	assert_string_equal(o.bios_version, "");
	assert_string_equal(o.bios_date, ""); /* all spaces: trimmed to nothing */
	assert_string_equal(o.sys_manufacturer, "only");
	assert_string_equal(o.sys_serial, "only");
	assert_string_equal(o.sys_uuid, "");
	assert_int_equal(o.structures, 2); /* no end-of-table structure: the length ends it */

	/* the long string is cut to SMBIOS_STR_MAX - 1 */
	static const uint8_t bios2[] = {1, 1, 0, 0, 1};
	const char *const strs2[] = {longest};
	memset(&tb, 0, sizeof tb);
	structure(&tb, 0, bios2, sizeof bios2, strs2, 1);
	assert_int_equal(parse(&tb, tb.len, 3, 2, &o), 0);
	assert_int_equal(strlen(o.bios_vendor), SMBIOS_STR_MAX - 1);
	assert_memory_equal(o.bios_vendor, longest, SMBIOS_STR_MAX - 1);
}

static void end_of_table_stops_the_walk(void **state)
{
	(void)state;
	struct smbios_info o;
	typical_table(&tb);
	size_t end = tb.len;
	/* garbage after the end-of-table structure is not looked at */
	memset(tb.b + end, 0xee, 64);
	assert_int_equal(parse(&tb, end + 64, 3, 0, &o), 0);
	assert_int_equal(o.structures, 5);
	assert_string_equal(o.board_product, "Burn Board");
}

static void malformed_tables_are_refused(void **state)
{
	(void)state;
	struct smbios_info o;
	typical_table(&tb);
	/* a structure length below 4 */
	uint8_t saved = tb.b[1];
	tb.b[1] = 3;
	assert_int_equal(parse(&tb, tb.len, 3, 0, &o), -1);
	/* a formatted area running past the table */
	tb.b[1] = 0xff;
	assert_int_equal(parse(&tb, 200, 3, 0, &o), -1);
	tb.b[1] = saved;
	/* strings with no double-NUL before the end */
	memset(&tb, 0, sizeof tb);
	static const uint8_t bios[] = {1, 0, 0, 0, 0};
	const char *const s[] = {"vendor"};
	structure(&tb, 0, bios, sizeof bios, s, 1);
	assert_int_equal(parse(&tb, tb.len - 1, 3, 0, &o), -1);
	/* a table that is only a formatted area */
	assert_int_equal(parse(&tb, 9, 3, 0, &o), -1);
	/* fewer than 4 bytes: no structure at all, nothing refused */
	assert_int_equal(parse(&tb, 3, 3, 0, &o), 0);
	assert_int_equal(o.structures, 0);
	assert_int_equal(parse(&tb, 0, 3, 0, &o), 0);
}

/* Every truncation of a good table, and random tables: an answer, never an overread. */
static void truncations_and_random_tables(void **state)
{
	(void)state;
	struct smbios_info o;
	typical_table(&tb);
	size_t full = tb.len;
	unsigned ok = 0;
	for (size_t len = 0; len <= full; len++) {
		int r = parse(&tb, len, 3, 0, &o);
		assert_true(r == 0 || r == -1);
		ok += r == 0;
	}
	assert_int_equal(parse(&tb, full, 3, 0, &o), 0);
	printf("# %u of %zu truncations parse (at structure boundaries)\n", ok, full + 1);
	uint64_t rng = host_test_seed(0x736d62ull);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = host_rand(&rng) % 300;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = host_rand(&rng);
			/* mostly small values, zeros and plausible lengths, so walks get somewhere */
			tb.b[i] = (uint8_t)(r % 4 == 0 ? 0 : r % 4 == 1 ? 4 + (r >> 8) % 24 : r % 4 == 2 ? (r >> 8) % 4 : r >> 16);
		}
		int r = parse(&tb, len, 3, (unsigned)(host_rand(&rng) % 10), &o);
		assert_true(r == 0 || r == -1);
		assert_true(strlen(o.sys_uuid) < sizeof o.sys_uuid);
		assert_true(strlen(o.bios_vendor) < SMBIOS_STR_MAX);
	}
}

/* ---- memory devices -------------------------------------------------------------- */

static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, "tests/host/data/smbios/%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t buf[4096];
	*len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	uint8_t *b = malloc(*len); /* exact size: ASan catches a read past the table */
	memcpy(b, buf, *len);
	return b;
}

/* QEMU 7.2 q35 -m 2G: one "DIMM 0", type RAM, manufacturer "QEMU", speed unknown. */
static void qemu_captured_default(void **state)
{
	(void)state;
	static struct smbios_info o;
	size_t len;
	uint8_t *t = load("qemu-7.2-q35-2g.bin", &len);
	assert_int_equal(smbios_parse(t, len, 2, 8, &o), 0);
	free(t);
	assert_int_equal(o.dimm_slots, 1);
	assert_int_equal(smbios_dimms_populated(&o), 1);
	assert_string_equal(o.dimm[0].locator, "DIMM 0");
	assert_string_equal(o.dimm[0].manufacturer, "QEMU");
	assert_int_equal(o.dimm[0].size_mib, 2048);
	assert_int_equal(o.dimm[0].type, 0x07);
	char b[12];
	assert_string_equal(smbios_mem_type_name(o.dimm[0].type, b), "RAM");
	assert_int_equal(o.dimm[0].speed_mts, 0);
	assert_int_equal(o.arrays_mapped, 1);
	assert_int_equal(o.array_bytes, 2048ull << 20);
	assert_string_equal(o.sys_manufacturer, "QEMU");
}

/* QEMU 7.2 -m 3G with -smbios type=17,loc_pfx=CPU0_DIMM,bank=P0_CH0,manufacturer=Samsung,
 * serial=0x3AB5C1D2,part=M393A4K40DB3-CWE,speed=3200: memory split below and above 4 GiB
 * (two type 19 ranges). */
static void qemu_captured_type17_options(void **state)
{
	(void)state;
	static struct smbios_info o;
	size_t len;
	uint8_t *t = load("qemu-7.2-q35-3g-type17-options.bin", &len);
	assert_int_equal(smbios_parse(t, len, 2, 8, &o), 0);
	free(t);
	assert_int_equal(o.dimm_slots, 1);
	const struct smbios_dimm *d = &o.dimm[0];
	assert_string_equal(d->locator, "CPU0_DIMM 0");
	assert_string_equal(d->bank, "P0_CH0");
	assert_string_equal(d->manufacturer, "Samsung");
	assert_string_equal(d->part, "M393A4K40DB3-CWE");
	assert_string_equal(d->serial, "0x3AB5C1D2");
	assert_int_equal(d->size_mib, 3072);
	assert_int_equal(d->speed_mts, 3200);
	assert_int_equal(d->configured_mts, 3200);
	assert_int_equal(o.arrays_mapped, 2);
	assert_int_equal(o.array_bytes, 3072ull << 20);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32)); }

/* One structure with an explicit handle; `f` is the whole formatted area from offset 4. */
static void raw(struct tbl *t, uint8_t type, uint16_t handle, const uint8_t *f, size_t nf, const char *const *strs,
		size_t ns)
{
	uint8_t *s = t->b + t->len;
	s[0] = type;
	s[1] = (uint8_t)(4 + nf);
	put16(s + 2, handle);
	if (nf)
		memcpy(s + 4, f, nf);
	t->len += 4 + nf;
	for (size_t i = 0; i < ns; i++) {
		size_t l = strlen(strs[i]) + 1;
		memcpy(t->b + t->len, strs[i], l);
		t->len += l;
	}
	if (!ns)
		t->b[t->len++] = 0;
	t->b[t->len++] = 0;
	assert_true(t->len < sizeof t->b);
}

#define SERVER_SLOTS 16
#define SERVER_T17_LEN 0x5c /* SMBIOS 3.3 */

/* Two sockets x 8 channels, one slot each; what a BMC-era server firmware writes:
 * SMBIOS 3.3 type 17 of 0x5c bytes, "NO DIMM" strings in empty slots, extended size
 * (0x7FFF) for the 32 and 64 GiB modules, extended speed (0xFFFF) for an 8000 MT/s one, one module
 * whose size is given in KiB, type 19 with 64-bit extended addresses, one type 20 per module. */
static void server_table(struct tbl *t)
{
	memset(t, 0, sizeof *t);
	uint16_t handle = 0x1100;
	uint64_t at = 0;
	for (unsigned i = 0; i < SERVER_SLOTS; i++) {
		uint8_t f[SERVER_T17_LEN - 4] = {0};
		char loc[32], bank[48], serial[16];
		snprintf(loc, sizeof loc, "CPU%u_DIMM_%c1", i / 8, 'A' + i % 8);
		snprintf(bank, sizeof bank, "P%u_Node%u_Channel%u_Dimm0", i / 8, i / 8, i % 8);
		snprintf(serial, sizeof serial, "8A%06X", 0x100000 + i);
		bool empty = i == 5 || i == 13;
		put16(f + 0x04 - 4, 0x1000);             /* physical memory array handle */
		put16(f + 0x06 - 4, 0xfffe);             /* no error information */
		put16(f + 0x08 - 4, 80), put16(f + 0x0a - 4, 64); /* total/data width: ECC */
		/* 32 GiB and up do not fit the 15-bit MiB field: Extended Size (0x7FFF) */
		uint16_t size = empty ? 0 : 0x7fff;
		if (i == 9)
			size = 0x8000 | 16384;            /* 16 MiB given in KiB granularity */
		put16(f + 0x0c - 4, size);
		f[0x0e - 4] = 0x09;                      /* DIMM */
		f[0x10 - 4] = 1, f[0x11 - 4] = 2;        /* locator, bank */
		f[0x12 - 4] = 0x22;                      /* DDR5 */
		put16(f + 0x15 - 4, empty ? 0 : (i == 3 ? 0xffff : 4800));
		f[0x17 - 4] = 3, f[0x18 - 4] = 4, f[0x19 - 4] = 5, f[0x1a - 4] = 6;
		f[0x1b - 4] = 2;                         /* rank */
		put32(f + 0x1c - 4, empty || i == 9 ? 0 : (i == 7 ? 65536 : 32768));
		put16(f + 0x20 - 4, empty ? 0 : (i == 3 ? 0xffff : 4400));
		if (i == 3) {
			put32(f + 0x54 - 4, 8000);
			put32(f + 0x58 - 4, 6400);
		}
		const char *mfr = i % 3 == 0 ? "Samsung" : (i % 3 == 1 ? "SK Hynix" : "Micron Technology");
		const char *part = i % 3 == 0 ? "M321R4GA3BB6-CQKET" : (i % 3 == 1 ? "HMCG88AEBRA168N" : "MTC40F2046S1RC48BA1");
		const char *strs_full[] = {loc, bank, mfr, serial, "Asset", part};
		const char *strs_empty[] = {loc, bank, "NO DIMM", "NO DIMM", "NO DIMM", "NO DIMM"};
		raw(t, 17, (uint16_t)(handle + i), f, sizeof f, empty ? strs_empty : strs_full, 6);
	}
	/* type 19: one array mapping everything, in the 64-bit extended fields */
	uint8_t a[0x1f - 4] = {0};
	put32(a, 0xffffffffu), put32(a + 4, 0xffffffffu);
	put16(a + 0x0c - 4, 0x1000);
	a[0x0e - 4] = 14;
	put64(a + 0x0f - 4, 0), put64(a + 0x17 - 4, (512ull << 30) - 1);
	raw(t, 19, 0x1300, a, sizeof a, NULL, 0);
	/* type 20 per populated module, after the type 17 it names */
	for (unsigned i = 0; i < SERVER_SLOTS; i++) {
		if (i == 5 || i == 13)
			continue;
		uint64_t bytes = (i == 7 ? 64ull << 30 : (i == 9 ? 16ull << 20 : 32ull << 30));
		uint8_t m[0x23 - 4] = {0};
		put32(m, 0xffffffffu), put32(m + 4, 0xffffffffu);
		put16(m + 0x0c - 4, (uint16_t)(0x1100 + i));
		put16(m + 0x0e - 4, 0x1300);
		m[0x10 - 4] = 0xff, m[0x11 - 4] = 0xff, m[0x12 - 4] = 0xff;
		put64(m + 0x13 - 4, at), put64(m + 0x1b - 4, at + bytes - 1);
		at += bytes;
		raw(t, 20, (uint16_t)(0x1400 + i), m, sizeof m, NULL, 0);
	}
	raw(t, 127, 0xfeff, NULL, 0, NULL, 0);
}

static void server_memory_devices(void **state)
{
	(void)state;
	static struct smbios_info o;
	server_table(&tb);
	assert_int_equal(parse(&tb, tb.len, 3, 3, &o), 0);
	assert_int_equal(o.dimm_slots, SERVER_SLOTS);
	assert_int_equal(smbios_dimms_populated(&o), SERVER_SLOTS - 2);
	const struct smbios_dimm *d = &o.dimm[0];
	assert_string_equal(d->locator, "CPU0_DIMM_A1");
	assert_string_equal(d->bank, "P0_Node0_Channel0_Dimm0");
	assert_string_equal(d->manufacturer, "Samsung");
	assert_string_equal(d->part, "M321R4GA3BB6-CQKET");
	assert_string_equal(d->serial, "8A100000");
	assert_int_equal(d->size_mib, 32768);
	assert_int_equal(d->speed_mts, 4800);
	assert_int_equal(d->configured_mts, 4400);
	assert_int_equal(d->data_width, 64);
	assert_int_equal(d->mapped_bytes, 32ull << 30);
	char b[12];
	assert_string_equal(smbios_mem_type_name(d->type, b), "DDR5");
	assert_string_equal(o.dimm[3].locator, "CPU0_DIMM_D1");
	assert_int_equal(o.dimm[3].speed_mts, 8000);      /* extended speed */
	assert_int_equal(o.dimm[3].configured_mts, 6400);
	assert_int_equal(o.dimm[5].size_mib, 0);           /* empty slot */
	assert_false(o.dimm[5].size_unknown);
	assert_string_equal(o.dimm[5].manufacturer, "NO DIMM");
	assert_int_equal(o.dimm[7].size_mib, 65536);
	assert_int_equal(o.dimm[7].mapped_bytes, 64ull << 30);
	assert_int_equal(o.dimm[9].size_mib, 16);          /* KiB granularity */
	assert_string_equal(o.dimm[13].locator, "CPU1_DIMM_F1");
	assert_int_equal(o.dimm[13].size_mib, 0);
	assert_string_equal(o.dimm[15].bank, "P1_Node1_Channel7_Dimm0");
	assert_string_equal(o.dimm[15].manufacturer, "Samsung");
	assert_int_equal(o.arrays_mapped, 1);
	assert_int_equal(o.array_bytes, 512ull << 30);
	assert_int_equal(o.device_maps, SERVER_SLOTS - 2);
	assert_string_equal(smbios_mem_type_name(0x99, b), "type 0x99");
}

/* An SMBIOS 2.3-length type 17 (no extended fields), an unknown size, a structure too
 * short to hold the bank locator (ignored), and more slots than Kiln keeps. */
static void memory_device_edges(void **state)
{
	(void)state;
	static struct smbios_info o;
	memset(&tb, 0, sizeof tb);
	uint8_t f23[0x1b - 4] = {0};
	put16(f23 + 0x0c - 4, 0xffff);
	f23[0x10 - 4] = 1;
	f23[0x12 - 4] = 0x1a;
	put16(f23 + 0x15 - 4, 2666);
	static const char *const s23[] = {"DIMM_A"};
	raw(&tb, 17, 1, f23, sizeof f23, s23, 1);
	uint8_t f_short[0x10 - 4] = {0};
	raw(&tb, 17, 2, f_short, sizeof f_short, NULL, 0);
	assert_int_equal(parse(&tb, tb.len, 2, 3, &o), 0);
	assert_int_equal(o.dimm_slots, 1);
	assert_true(o.dimm[0].size_unknown);
	assert_int_equal(smbios_dimms_populated(&o), 1);
	assert_int_equal(o.dimm[0].speed_mts, 2666);
	assert_int_equal(o.dimm[0].configured_mts, 0); /* not in a 2.3 structure */
	assert_string_equal(o.dimm[0].bank, "");
	/* a type before 2.1 has no Memory Type field */
	assert_int_equal(parse(&tb, tb.len, 2, 0, &o), 0);
	assert_int_equal(o.dimm[0].type, 0);
	/* more slots than SMBIOS_DIMM_MAX: counted, the rest dropped, nothing overruns */
	memset(&tb, 0, sizeof tb);
	for (unsigned i = 0; i < SMBIOS_DIMM_MAX + 3; i++)
		raw(&tb, 17, (uint16_t)i, f23, sizeof f23, s23, 1);
	assert_int_equal(parse(&tb, tb.len, 3, 0, &o), 0);
	assert_int_equal(o.dimm_slots, SMBIOS_DIMM_MAX + 3);
	assert_int_equal(o.dimm_dropped, 3);
	/* every truncation of the server table is survived */
	server_table(&tb);
	for (size_t n = 0; n < tb.len; n += 7)
		(void)parse(&tb, n, 3, 3, &o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_point_64),
		cmocka_unit_test(entry_point_32),
		cmocka_unit_test(typical_structures),
		cmocka_unit_test(uuid_byte_order_and_special_values),
		cmocka_unit_test(string_edge_cases),
		cmocka_unit_test(end_of_table_stops_the_walk),
		cmocka_unit_test(malformed_tables_are_refused),
		cmocka_unit_test(truncations_and_random_tables),
		cmocka_unit_test(qemu_captured_default),
		cmocka_unit_test(qemu_captured_type17_options),
		cmocka_unit_test(server_memory_devices),
		cmocka_unit_test(memory_device_edges),
	};
	return cmocka_run_group_tests_name("smbios", tests, NULL, NULL);
}
