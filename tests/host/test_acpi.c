// sources: kernel/acpi.c
/* kernel/acpi.c on byte buffers: a synthetic RSDP v2 -> XSDT -> FADT (-> DSDT), MADT,
 * MCFG, SPCR and HPET placed in a fake physical memory, every parsed field checked; then
 * what goes wrong in the field (bad RSDP or table checksums, RSDT-only firmware,
 * malformed MADT entries, truncated tables, too many tables, a FADT pointing at itself),
 * and finally the tables captured from a real machine (tests/host/data/acpi/).
 *
 * Every table lives in its own exactly-sized heap block and the map callback only
 * returns ranges inside one block, so a read past a table's end is an ASan report. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/acpi.h"

/* ---- fake physical memory ------------------------------------------------------- */

struct region {
	uint64_t phys;
	size_t len;
	uint8_t *data;
};
static struct region regions[256];
static unsigned nregions;
static unsigned map_calls, map_misses;

static uint8_t *place(uint64_t phys, const void *bytes, size_t len)
{
	assert_true(nregions < sizeof regions / sizeof regions[0]);
	uint8_t *d = malloc(len ? len : 1);
	assert_non_null(d);
	memcpy(d, bytes, len);
	regions[nregions++] = (struct region){phys, len, d};
	return d;
}

static const void *map(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	map_calls++;
	for (unsigned i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
			return r->data + (phys - r->phys);
	}
	map_misses++;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	nregions = map_calls = map_misses = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < nregions; i++)
		free(regions[i].data);
	nregions = 0;
	return 0;
}

/* ---- table builders ------------------------------------------------------------- */

struct tb {
	uint8_t b[32768];
	size_t len;
};

static void at8(struct tb *t, size_t off, uint8_t v)
{
	assert_true(off < sizeof t->b);
	t->b[off] = v;
	if (off + 1 > t->len)
		t->len = off + 1;
}
static void at16(struct tb *t, size_t off, uint16_t v)
{
	at8(t, off, (uint8_t)v);
	at8(t, off + 1, (uint8_t)(v >> 8));
}
static void at32(struct tb *t, size_t off, uint32_t v)
{
	at16(t, off, (uint16_t)v);
	at16(t, off + 2, (uint16_t)(v >> 16));
}
static void at64(struct tb *t, size_t off, uint64_t v)
{
	at32(t, off, (uint32_t)v);
	at32(t, off + 4, (uint32_t)(v >> 32));
}
static void put8(struct tb *t, uint8_t v) { at8(t, t->len, v); }
static void put16(struct tb *t, uint16_t v) { at16(t, t->len, v); }
static void put32(struct tb *t, uint32_t v) { at32(t, t->len, v); }
static void put64(struct tb *t, uint64_t v) { at64(t, t->len, v); }
static void at_gas(struct tb *t, size_t off, uint8_t space, uint8_t width, uint8_t offset, uint8_t access,
		   uint64_t addr)
{
	at8(t, off, space);
	at8(t, off + 1, width);
	at8(t, off + 2, offset);
	at8(t, off + 3, access);
	at64(t, off + 4, addr);
}

static void header(struct tb *t, const char *sig, uint8_t rev, const char *oem)
{
	memset(t, 0, sizeof *t);
	memcpy(t->b, sig, 4);
	t->b[8] = rev;
	memcpy(t->b + 10, oem, 6);
	memcpy(t->b + 16, "KILNTEST", 8);
	at32(t, 24, 1);           /* OEM revision */
	memcpy(t->b + 28, "KILN", 4); /* creator id */
	at32(t, 32, 0x20250101);
	t->len = 36;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Length and checksum into the header. */
static void finish(struct tb *t)
{
	at32(t, 4, (uint32_t)t->len);
	t->b[9] = 0;
	t->b[9] = (uint8_t)(0x100 - sum(t->b, t->len));
}

static uint8_t *place_table(uint64_t phys, struct tb *t)
{
	finish(t);
	return place(phys, t->b, t->len);
}

/* An RSDP of revision rev (0: ACPI 1.0, 20 bytes; 2: 36 bytes). */
static uint8_t *place_rsdp(uint64_t phys, uint8_t rev, uint32_t rsdt, uint64_t xsdt, const char *oem)
{
	uint8_t r[36] = "RSD PTR ";
	memcpy(r + 9, oem, 6);
	r[15] = rev;
	for (int i = 0; i < 4; i++)
		r[16 + i] = (uint8_t)(rsdt >> (8 * i));
	r[8] = (uint8_t)(0x100 - sum(r, 20));
	if (rev < 2)
		return place(phys, r, 20);
	r[20] = 36;
	for (int i = 0; i < 8; i++)
		r[24 + i] = (uint8_t)(xsdt >> (8 * i));
	r[32] = (uint8_t)(0x100 - sum(r, 36));
	return place(phys, r, 36);
}

/* Physical addresses of the synthetic machine. */
#define RSDP 0xf5a40ull
#define XSDT 0x7fe10000ull
#define RSDT 0x7fe11000ull
#define FADT 0x7fe12000ull
#define DSDT 0x7fe13000ull
#define MADT 0x7fe14000ull
#define MCFG 0x7fe15000ull
#define SPCR 0x7fe16000ull
#define HPET 0x7fe17000ull
#define SSDT 0x1007fe18000ull /* above 4 GiB: only an XSDT can point here */

static void build_fadt(struct tb *t, uint64_t dsdt)
{
	header(t, "FACP", 6, "KILNOE");
	at32(t, 36, 0x7fe19000);    /* FACS */
	at32(t, 40, (uint32_t)dsdt); /* DSDT */
	at32(t, 76, 0x608);         /* PM_TMR_BLK */
	at8(t, 91, 4);              /* PM_TMR_LEN */
	at32(t, 112, (1u << 8) | (1u << 10)); /* TMR_VAL_EXT | RESET_REG_SUP */
	at_gas(t, 116, 1, 8, 0, 1, 0xcf9);   /* RESET_REG: I/O port 0xcf9 */
	at8(t, 128, 0x06);                   /* RESET_VALUE */
	at8(t, 131, 5);                      /* minor version */
	at64(t, 140, dsdt);                  /* X_DSDT */
	at_gas(t, 208, 1, 32, 0, 3, 0x608);  /* X_PM_TMR_BLK */
	at8(t, 275, 0);                      /* ACPI 6: 276 bytes */
}

static void build_madt(struct tb *t)
{
	header(t, "APIC", 5, "KILNOE");
	put32(t, 0xfee00000); /* local APIC address */
	put32(t, 1);          /* PCAT_COMPAT */
	/* LAPIC: type 0, len 8, uid, apic id, flags */
	put8(t, 0), put8(t, 8), put8(t, 0), put8(t, 0), put32(t, 1);    /* cpu 0 enabled */
	put8(t, 0), put8(t, 8), put8(t, 1), put8(t, 2), put32(t, 1);    /* apic id 2 enabled */
	put8(t, 0), put8(t, 8), put8(t, 2), put8(t, 4), put32(t, 0);    /* disabled: not counted */
	put8(t, 0), put8(t, 8), put8(t, 3), put8(t, 6), put32(t, 2);    /* online capable: counted */
	/* IOAPIC: type 1, len 12 */
	put8(t, 1), put8(t, 12), put8(t, 0), put8(t, 0), put32(t, 0xfec00000), put32(t, 0);
	put8(t, 1), put8(t, 12), put8(t, 1), put8(t, 0), put32(t, 0xfec01000), put32(t, 24);
	/* interrupt source override: type 2, len 10 */
	put8(t, 2), put8(t, 10), put8(t, 0), put8(t, 0), put32(t, 2), put16(t, 0);
	/* local APIC NMI: type 4, len 6 */
	put8(t, 4), put8(t, 6), put8(t, 0xff), put16(t, 5), put8(t, 1);
	/* LAPIC address override: type 5, len 12 */
	put8(t, 5), put8(t, 12), put16(t, 0), put64(t, 0xfee0000000ull);
	/* x2APIC: type 9, len 16, reserved, x2apic id, flags, uid */
	put8(t, 9), put8(t, 16), put16(t, 0), put32(t, 0x100), put32(t, 1), put32(t, 4);
	put8(t, 9), put8(t, 16), put16(t, 0), put32(t, 0x101), put32(t, 0), put32(t, 5); /* disabled */
	/* an unknown future entry type, skipped by its length */
	put8(t, 0x7f), put8(t, 5), put8(t, 0xaa), put8(t, 0xbb), put8(t, 0xcc);
}

static void build_mcfg(struct tb *t)
{
	header(t, "MCFG", 1, "KILNOE");
	put64(t, 0); /* reserved */
	put64(t, 0xb0000000), put16(t, 0), put8(t, 0), put8(t, 0xff), put32(t, 0);
	put64(t, 0), put16(t, 1), put8(t, 0), put8(t, 0xff), put32(t, 0);         /* base 0: unusable */
	put64(t, 0x4000000000ull), put16(t, 2), put8(t, 0x10), put8(t, 0x1f), put32(t, 0);
	put64(t, 0xc0000000), put16(t, 3), put8(t, 9), put8(t, 8), put32(t, 0); /* end < start */
}

static void build_spcr(struct tb *t)
{
	header(t, "SPCR", 2, "KILNOE");
	at8(t, 36, 0);                       /* interface: full 16550 */
	at_gas(t, 40, 0, 8, 0, 1, 0xfe001000); /* MMIO UART */
	at8(t, 52, 2);                       /* interrupt type */
	at8(t, 58, 6);                       /* 57600 */
	at8(t, 59, 0), at8(t, 60, 1), at8(t, 61, 1), at8(t, 62, 2); /* parity, stop, flow, terminal */
	at16(t, 64, 0xffff), at16(t, 66, 0xffff);                 /* not a PCI device */
	at8(t, 79, 0);                                              /* ACPI 80 bytes */
}

static void build_hpet(struct tb *t)
{
	header(t, "HPET", 1, "KILNOE");
	put32(t, 0x8086a201);
	at_gas(t, 40, 0, 64, 0, 0, 0xfed00000);
	at8(t, 52, 0), at16(t, 53, 0x80), at8(t, 55, 0);
}

static void build_dsdt(struct tb *t)
{
	header(t, "DSDT", 2, "KILNOE");
	static const uint8_t aml[] = {0x10, 0x0b, 0x5c, 0x5f, 0x53, 0x42, 0x5f, 0x5b, 0x82, 0x05, 0x50, 0x43, 0x49, 0x30};
	for (size_t i = 0; i < sizeof aml; i++)
		put8(t, aml[i]);
}

static void build_sdt(struct tb *t, const char *sig, unsigned width, const uint64_t *ptrs, size_t n)
{
	header(t, sig, 1, "KILNOE");
	for (size_t i = 0; i < n; i++) {
		if (width == 8)
			put64(t, ptrs[i]);
		else
			put32(t, (uint32_t)ptrs[i]);
	}
}

static struct tb tbuf; /* large: static, not on the stack */

/* The whole synthetic machine. */
static void place_machine(void)
{
	static const uint64_t ptrs[] = {FADT, MADT, MCFG, SPCR, HPET, SSDT};
	build_sdt(&tbuf, "XSDT", 8, ptrs, 6);
	place_table(XSDT, &tbuf);
	build_sdt(&tbuf, "RSDT", 4, ptrs, 5);
	place_table(RSDT, &tbuf);
	build_fadt(&tbuf, DSDT);
	place_table(FADT, &tbuf);
	build_dsdt(&tbuf);
	place_table(DSDT, &tbuf);
	build_madt(&tbuf);
	place_table(MADT, &tbuf);
	build_mcfg(&tbuf);
	place_table(MCFG, &tbuf);
	build_spcr(&tbuf);
	place_table(SPCR, &tbuf);
	build_hpet(&tbuf);
	place_table(HPET, &tbuf);
	header(&tbuf, "SSDT", 2, "KILNOE");
	put32(&tbuf, 0xdeadbeef);
	place_table(SSDT, &tbuf);
}

static struct acpi_info *ai;

static int setup_ai(void **state)
{
	setup(state);
	ai = malloc(sizeof *ai);
	if (!ai)
		return -1;
	memset(ai, 0x5a, sizeof *ai); /* acpi_parse must clear what it does not set */
	return 0;
}

static int teardown_ai(void **state)
{
	free(ai);
	return teardown(state);
}

static void expect_table(unsigned i, const char *sig, uint64_t phys, int ok)
{
	assert_true(i < ai->table_count);
	assert_string_equal(ai->tables[i].sig, sig);
	assert_int_equal(ai->tables[i].phys, phys);
	assert_int_equal(ai->tables[i].checksum_ok, ok);
}

/* ---- the synthetic machine, every field ---------------------------------------- */

static void full_machine_every_field(void **state)
{
	(void)state;
	place_machine();
	place_rsdp(RSDP, 2, RSDT, XSDT, "KILNOE");
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_true(ai->rsdp_ok);
	assert_int_equal(ai->rsdp_revision, 2);
	assert_true(ai->use_xsdt);
	assert_string_equal(ai->rsdp_oem, "KILNOE");
	/* the XSDT, then its tables in order, the DSDT right after the FADT that names it */
	assert_int_equal(ai->table_count, 8);
	expect_table(0, "XSDT", XSDT, 1);
	expect_table(1, "FACP", FADT, 1);
	expect_table(2, "DSDT", DSDT, 1);
	expect_table(3, "APIC", MADT, 1);
	expect_table(4, "MCFG", MCFG, 1);
	expect_table(5, "SPCR", SPCR, 1);
	expect_table(6, "HPET", HPET, 1);
	expect_table(7, "SSDT", SSDT, 1);
	assert_int_equal(ai->bad_checksums, 0);
	assert_int_equal(ai->tables[1].length, 276);
	assert_int_equal(ai->tables[1].revision, 6);
	assert_string_equal(ai->tables[3].oem_id, "KILNOE");
	assert_string_equal(ai->tables[3].oem_table_id, "KILNTEST");
	assert_ptr_equal(acpi_find(ai, "APIC"), &ai->tables[3]);
	assert_ptr_equal(acpi_find(ai, "DSDT"), &ai->tables[2]);
	assert_null(acpi_find(ai, "DMAR"));
	assert_false(acpi_is_qemu(ai));

	/* FADT */
	assert_true(ai->have_fadt);
	assert_int_equal(ai->pm_timer_port, 0x608);
	assert_int_equal(ai->pm_timer_mmio, 0);
	assert_true(ai->pm_timer_32bit);
	assert_true(ai->have_reset_reg);
	assert_int_equal(ai->reset_reg.space, ACPI_GAS_IO);
	assert_int_equal(ai->reset_reg.bit_width, 8);
	assert_int_equal(ai->reset_reg.access_size, 1);
	assert_int_equal(ai->reset_reg.address, 0xcf9);
	assert_int_equal(ai->reset_value, 6);

	/* MADT: two enabled LAPICs, one disabled, one online-capable, one enabled x2APIC and
	 * one disabled x2APIC; every entry kept with its flags, the enabled ones counted; the
	 * override wins */
	assert_int_equal(ai->lapic_base, 0xfee0000000ull);
	assert_int_equal(ai->cpu_count, 3);
	assert_int_equal(ai->cpu_online_capable, 1);
	assert_int_equal(ai->cpu_entries, 6);
	static const uint32_t ids[] = {0, 2, 4, 6, 0x100, 0x101};
	static const uint32_t flags[] = {ACPI_CPU_ENABLED, ACPI_CPU_ENABLED, 0, ACPI_CPU_ONLINE_CAPABLE,
					 ACPI_CPU_ENABLED | ACPI_CPU_X2APIC, ACPI_CPU_X2APIC};
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(ai->cpu_apic_ids[i], ids[i]);
		assert_int_equal(ai->cpu_flags[i], flags[i]);
	}
	assert_int_equal(ai->ioapic_count, 2);

	/* MCFG: the entries with no base or an empty bus range are dropped */
	assert_int_equal(ai->mcfg_count, 2);
	assert_int_equal(ai->mcfg[0].base, 0xb0000000);
	assert_int_equal(ai->mcfg[0].segment, 0);
	assert_int_equal(ai->mcfg[0].bus_start, 0);
	assert_int_equal(ai->mcfg[0].bus_end, 0xff);
	assert_int_equal(ai->mcfg[1].base, 0x4000000000ull);
	assert_int_equal(ai->mcfg[1].segment, 2);
	assert_int_equal(ai->mcfg[1].bus_start, 0x10);
	assert_int_equal(ai->mcfg[1].bus_end, 0x1f);

	/* SPCR */
	assert_true(ai->have_spcr);
	assert_int_equal(ai->spcr_interface, 0);
	assert_int_equal(ai->spcr_addr.space, ACPI_GAS_MEMORY);
	assert_int_equal(ai->spcr_addr.bit_width, 8);
	assert_int_equal(ai->spcr_addr.address, 0xfe001000);
	assert_int_equal(ai->spcr_baud, 57600);

	/* HPET */
	assert_int_equal(ai->hpet_base, 0xfed00000);
}

static void checksum_function(void **state)
{
	(void)state;
	static const uint8_t zero[8];
	assert_int_equal(acpi_checksum(zero, 0), 0);
	assert_int_equal(acpi_checksum(zero, sizeof zero), 0);
	static const uint8_t b[] = {0xff, 0x01, 0x80, 0x80, 0x7f};
	assert_int_equal(acpi_checksum(b, sizeof b), 0x7f);
	assert_int_equal(acpi_checksum(b, 2), 0);
}

static void qemu_is_recognised(void **state)
{
	(void)state;
	place_machine();
	place_rsdp(RSDP, 2, RSDT, XSDT, "BOCHS ");
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_true(acpi_is_qemu(ai));
}

/* ---- the RSDP ----------------------------------------------------------------- */

static void rsdp_refusals(void **state)
{
	(void)state;
	place_machine();
	assert_int_equal(acpi_parse(ai, 0, map, NULL), -1); /* firmware gave none */
	assert_false(ai->rsdp_ok);
	assert_int_equal(acpi_parse(ai, 0xe0000, map, NULL), -1); /* nothing mapped there */
	assert_false(ai->rsdp_ok);

	uint8_t *r = place_rsdp(0x10000, 2, RSDT, XSDT, "KILNOE");
	r[0] = 'r'; /* wrong signature (and checksum fixed up to match) */
	r[8] = (uint8_t)(r[8] - ('r' - 'R'));
	assert_int_equal(acpi_parse(ai, 0x10000, map, NULL), -1);

	r = place_rsdp(0x20000, 2, RSDT, XSDT, "KILNOE");
	r[8]++; /* first 20 bytes do not sum to zero */
	assert_int_equal(acpi_parse(ai, 0x20000, map, NULL), -1);
	assert_false(ai->rsdp_ok);

	r = place_rsdp(0x30000, 2, RSDT, XSDT, "KILNOE");
	r[32]++; /* extended checksum wrong */
	assert_int_equal(acpi_parse(ai, 0x30000, map, NULL), -1);
	assert_false(ai->rsdp_ok);

	r = place_rsdp(0x40000, 2, RSDT, XSDT, "KILNOE");
	r[20] = 20; /* length too small for a v2 RSDP */
	r[32] = (uint8_t)(r[32] + 16);
	assert_int_equal(acpi_parse(ai, 0x40000, map, NULL), -1);

	r = place_rsdp(0x50000, 2, RSDT, XSDT, "KILNOE");
	r[22] = 1; /* length 64 KiB + 36: more than is mapped */
	r[32]--;
	assert_int_equal(acpi_parse(ai, 0x50000, map, NULL), -1);
	assert_true(map_misses > 0);
}

/* XSDT address 0 in a v2 RSDP, or a v1 RSDP (20 bytes, nothing after it mapped): the
 * RSDT's 32-bit entries are used. */
static void rsdt_fallback(void **state)
{
	(void)state;
	place_machine();
	place_rsdp(RSDP, 2, RSDT, 0, "KILNOE");
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_false(ai->use_xsdt);
	assert_int_equal(ai->table_count, 7); /* RSDT, FADT, DSDT, MADT, MCFG, SPCR, HPET */
	expect_table(0, "RSDT", RSDT, 1);
	expect_table(6, "HPET", HPET, 1);
	assert_null(acpi_find(ai, "SSDT"));
	assert_int_equal(ai->cpu_count, 3);

	place_rsdp(0x9fc00, 0, RSDT, 0, "OLDOEM");
	assert_int_equal(acpi_parse(ai, 0x9fc00, map, NULL), 0);
	assert_int_equal(ai->rsdp_revision, 0);
	assert_false(ai->use_xsdt);
	assert_string_equal(ai->rsdp_oem, "OLDOEM");
	assert_int_equal(ai->table_count, 7);
	assert_int_equal(ai->mcfg_count, 2);
}

/* ---- tables that fail their checks -------------------------------------------- */

static void bad_table_checksum_is_recorded_not_parsed(void **state)
{
	(void)state;
	place_machine();
	place_rsdp(RSDP, 2, RSDT, XSDT, "KILNOE");
	regions[4].data[50] ^= 0x01; /* one bit of the MADT (the fifth region placed) */
	assert_int_equal(regions[4].phys, MADT);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->bad_checksums, 1);
	expect_table(3, "APIC", MADT, 0);
	assert_int_equal(ai->cpu_count, 0); /* never trusted */
	assert_int_equal(ai->lapic_base, 0);
	assert_int_equal(ai->mcfg_count, 2); /* the others still are */
	assert_true(ai->have_fadt);

	/* a bad FADT: no PM timer, no reset register, and its DSDT is not followed */
	regions[4].data[50] ^= 0x01;
	regions[2].data[100] ^= 0x80;
	assert_int_equal(regions[2].phys, FADT);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->bad_checksums, 1);
	assert_false(ai->have_fadt);
	assert_int_equal(ai->pm_timer_port, 0);
	assert_false(ai->have_reset_reg);
	assert_null(acpi_find(ai, "DSDT"));
	assert_int_equal(ai->cpu_count, 3);
}

static void bad_root_table_is_fatal(void **state)
{
	(void)state;
	place_machine();
	place_rsdp(RSDP, 2, RSDT, XSDT, "KILNOE");
	regions[0].data[40] ^= 0xff;
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), -1);
	assert_true(ai->rsdp_ok);
	assert_int_equal(ai->table_count, 1);
	assert_int_equal(ai->bad_checksums, 1);
	assert_int_equal(ai->cpu_count, 0);
	/* and an XSDT that is not there at all */
	place_rsdp(0x20000, 2, RSDT, 0xdead0000, "KILNOE");
	assert_int_equal(acpi_parse(ai, 0x20000, map, NULL), -1);
	assert_int_equal(ai->table_count, 0);
}

/* The table's length field says more than there is, or less than a header. */
static void truncated_tables(void **state)
{
	(void)state;
	static const uint64_t ptrs[] = {0x100000, 0x101000, 0x102000, 0x103000, 0x104000, 0x105000};
	build_sdt(&tbuf, "XSDT", 8, ptrs, 6);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	/* a MADT whose header claims 200 bytes, of which 60 exist */
	build_madt(&tbuf);
	finish(&tbuf);
	at32(&tbuf, 4, 200);
	place(0x100000, tbuf.b, 60);
	/* a table whose length field is 20 */
	header(&tbuf, "SSDT", 1, "KILNOE");
	finish(&tbuf);
	at32(&tbuf, 4, 20);
	place(0x101000, tbuf.b, 36);
	/* only 16 bytes exist: not even a header; not a table */
	place(0x102000, "MCFG\x3c\0\0\0\x01\0KILNOE", 16);
	/* an ACPI 1.0 FADT (116 bytes): no reset register, no X_ fields, 32-bit DSDT */
	build_fadt(&tbuf, DSDT);
	tbuf.len = 116;
	place_table(0x103000, &tbuf);
	build_dsdt(&tbuf);
	place_table(DSDT, &tbuf);
	/* an SPCR cut before its baud rate, an HPET before its address */
	build_spcr(&tbuf);
	tbuf.len = 58;
	place_table(0x104000, &tbuf);
	/* an MCFG with one whole entry and 10 bytes of a second */
	header(&tbuf, "MCFG", 1, "KILNOE");
	put64(&tbuf, 0);
	put64(&tbuf, 0xb0000000), put16(&tbuf, 0), put8(&tbuf, 0), put8(&tbuf, 0xff), put32(&tbuf, 0);
	put64(&tbuf, 0xc0000000), put16(&tbuf, 1);
	place_table(0x105000, &tbuf);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->table_count, 7); /* XSDT, APIC, SSDT, FACP, DSDT, SPCR, MCFG */
	assert_int_equal(ai->mcfg_count, 1);
	assert_int_equal(ai->mcfg[0].base, 0xb0000000);
	expect_table(1, "APIC", 0x100000, 0);
	assert_int_equal(ai->tables[1].length, 200);
	expect_table(2, "SSDT", 0x101000, 0);
	expect_table(3, "FACP", 0x103000, 1);
	expect_table(4, "DSDT", DSDT, 1);
	expect_table(5, "SPCR", 0x104000, 1);
	assert_int_equal(ai->bad_checksums, 2);
	assert_int_equal(ai->cpu_count, 0);
	assert_true(ai->have_fadt);
	assert_int_equal(ai->pm_timer_port, 0x608); /* from PM_TMR_BLK */
	assert_true(ai->pm_timer_32bit);            /* flags (112..115) are inside 116 bytes */
	assert_false(ai->have_reset_reg);           /* RESET_REG and RESET_VALUE are not */
	assert_false(ai->have_spcr);
}

/* MADT entries with impossible lengths: the walk stops without reading past the table
 * (the table is an exact heap block: ASan would report the overread). */
static void malformed_madt_entries(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint8_t entry[16];
		size_t n;
		unsigned cpus_before_stop;
	} cases[] = {
		{"length 0", {0, 0, 0, 9, 1, 0, 0, 0}, 8, 1},
		{"length 1", {0, 1, 0, 9, 1, 0, 0, 0}, 8, 1},
		{"length past the end", {0, 200, 0, 9, 1, 0, 0, 0}, 8, 1},
		{"LAPIC of 4 bytes", {0, 4, 0, 9}, 4, 1},
		{"x2APIC of 8 bytes", {9, 8, 0, 0, 9, 0, 0, 0}, 8, 1},
		{"a lone type byte at the end", {0}, 1, 1},
		{"LAPIC of 7 bytes ending the table", {0, 7, 0, 9, 1, 0, 0}, 7, 1},
		{"override of 11 bytes", {5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 11, 1},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		teardown(NULL);
		setup(NULL);
		static const uint64_t ptrs[] = {MADT};
		build_sdt(&tbuf, "XSDT", 8, ptrs, 1);
		place_table(XSDT, &tbuf);
		place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
		header(&tbuf, "APIC", 5, "KILNOE");
		put32(&tbuf, 0xfee00000);
		put32(&tbuf, 0);
		put8(&tbuf, 0), put8(&tbuf, 8), put8(&tbuf, 0), put8(&tbuf, 3), put32(&tbuf, 1);
		for (size_t i = 0; i < cases[k].n; i++)
			put8(&tbuf, cases[k].entry[i]);
		place_table(MADT, &tbuf);
		assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
		if (ai->cpu_count != cases[k].cpus_before_stop || ai->cpu_apic_ids[0] != 3)
			fail_msg("MADT with %s: cpu_count %u", cases[k].what, ai->cpu_count);
		assert_int_equal(ai->lapic_base, 0xfee00000);
	}
	/* a MADT shorter than its fixed part is not walked at all */
	teardown(NULL);
	setup(NULL);
	static const uint64_t ptrs[] = {MADT};
	build_sdt(&tbuf, "XSDT", 8, ptrs, 1);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	header(&tbuf, "APIC", 5, "KILNOE");
	put32(&tbuf, 0xfee00000);
	place_table(MADT, &tbuf);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->lapic_base, 0);
	assert_int_equal(ai->cpu_count, 0);
}

/* Limits: more tables, MCFG entries and CPUs than the arrays hold. */
static void more_than_the_arrays_hold(void **state)
{
	(void)state;
	static uint64_t ptrs[100];
	for (int i = 0; i < 100; i++)
		ptrs[i] = 0x200000 + (uint64_t)i * 0x10000; /* the MADT is 17 KiB */
	build_sdt(&tbuf, "XSDT", 8, ptrs, 100);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	/* the first table: a MADT with 1100 x2APICs; the second an MCFG with 20 segments */
	header(&tbuf, "APIC", 5, "KILNOE");
	put32(&tbuf, 0xfee00000);
	put32(&tbuf, 0);
	for (uint32_t i = 0; i < 1100; i++)
		put8(&tbuf, 9), put8(&tbuf, 16), put16(&tbuf, 0), put32(&tbuf, 1000 + i), put32(&tbuf, 1),
			put32(&tbuf, i);
	place_table(ptrs[0], &tbuf);
	header(&tbuf, "MCFG", 1, "KILNOE");
	put64(&tbuf, 0);
	for (uint16_t i = 0; i < 20; i++)
		put64(&tbuf, 0x100000000ull * (i + 1)), put16(&tbuf, i), put8(&tbuf, 0), put8(&tbuf, 0xff), put32(&tbuf, 0);
	place_table(ptrs[1], &tbuf);
	for (int i = 2; i < 100; i++) {
		header(&tbuf, "SSDT", 1, "KILNOE");
		put32(&tbuf, (uint32_t)i);
		place_table(ptrs[i], &tbuf);
	}
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->table_count, ACPI_MAX_TABLES);
	assert_int_equal(ai->cpu_count, 1100); /* counted, though only the first 1024 ids are kept */
	assert_int_equal(ai->cpu_entries, 1100);
	assert_int_equal(ai->cpu_flags[ACPI_MAX_CPUS - 1], ACPI_CPU_ENABLED | ACPI_CPU_X2APIC);
	assert_int_equal(ai->cpu_apic_ids[ACPI_MAX_CPUS - 1], 1000 + ACPI_MAX_CPUS - 1);
	assert_int_equal(ai->mcfg_count, ACPI_MAX_MCFG);
	assert_int_equal(ai->mcfg[ACPI_MAX_MCFG - 1].segment, ACPI_MAX_MCFG - 1);
}

/* A FADT whose DSDT pointer leads back to the FADT: the chase ends. */
static void fadt_pointing_at_itself(void **state)
{
	(void)state;
	static const uint64_t ptrs[] = {FADT};
	build_sdt(&tbuf, "XSDT", 8, ptrs, 1);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	build_fadt(&tbuf, FADT);
	place_table(FADT, &tbuf);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_true(ai->table_count <= ACPI_MAX_TABLES);
	assert_true(ai->have_fadt);
	assert_null(acpi_find(ai, "DSDT"));
}

/* X_PM_TMR_BLK in memory space (hardware-reduced platforms), and no timer at all. */
static void pm_timer_variants(void **state)
{
	(void)state;
	static const uint64_t ptrs[] = {FADT};
	build_sdt(&tbuf, "XSDT", 8, ptrs, 1);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	build_fadt(&tbuf, 0);
	at_gas(&tbuf, 208, 0, 32, 0, 3, 0xfe000408);
	uint8_t *f = place_table(FADT, &tbuf);
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_int_equal(ai->pm_timer_mmio, 0xfe000408);
	assert_int_equal(ai->pm_timer_port, 0);
	assert_int_equal(ai->table_count, 2); /* DSDT 0: not followed */

	memset(f + 76, 0, 4);   /* no PM_TMR_BLK */
	memset(f + 208, 0, 12); /* no X_PM_TMR_BLK */
	memset(f + 112, 0, 4);  /* no flags: no reset register either */
	f[9] = 0;
	f[9] = (uint8_t)(0x100 - sum(f, 276));
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
	assert_true(ai->have_fadt);
	assert_int_equal(ai->pm_timer_port, 0);
	assert_int_equal(ai->pm_timer_mmio, 0);
	assert_false(ai->have_reset_reg);
}

/* ---- captured tables ------------------------------------------------------------ */

static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, "tests/host/data/acpi/%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	*len = n;
	uint8_t *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, buf, n);
	return copy;
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void captured_tables(void **state)
{
	(void)state;
	size_t apic_len, facp_len, mcfg_len, dsdt_len;
	uint8_t *apic = load("APIC", &apic_len), *facp = load("FACP", &facp_len), *mcfg = load("MCFG", &mcfg_len),
		*dsdt = load("DSDT", &dsdt_len);
	/* each file is one whole table that sums to zero */
	assert_int_equal(le32(apic + 4), apic_len);
	assert_int_equal(le32(facp + 4), facp_len);
	assert_int_equal(le32(mcfg + 4), mcfg_len);
	assert_int_equal(le32(dsdt + 4), dsdt_len);
	assert_int_equal(sum(apic, apic_len) | sum(facp, facp_len) | sum(mcfg, mcfg_len) | sum(dsdt, dsdt_len), 0);

	/* the DSDT goes where the FADT says it is (X_DSDT, else DSDT) */
	uint64_t dsdt_phys = facp_len >= 148 ? le64(facp + 140) : 0;
	if (!dsdt_phys)
		dsdt_phys = le32(facp + 40);
	printf("# captured: FADT rev %u, %zu bytes, DSDT at 0x%llx (%zu bytes); MADT %zu bytes; MCFG %zu bytes\n", facp[8],
	       facp_len, (unsigned long long)dsdt_phys, dsdt_len, apic_len, mcfg_len);
	assert_true(dsdt_phys != 0);
	static const uint64_t ptrs[] = {0x3000000, 0x3001000, 0x3002000};
	place(ptrs[0], facp, facp_len);
	place(ptrs[1], apic, apic_len);
	place(ptrs[2], mcfg, mcfg_len);
	assert_true(dsdt_phys + dsdt_len <= ptrs[0] || dsdt_phys >= ptrs[2] + 0x1000);
	place(dsdt_phys, dsdt, dsdt_len);
	build_sdt(&tbuf, "XSDT", 8, ptrs, 3);
	place_table(XSDT, &tbuf);
	place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
	assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);

	assert_int_equal(ai->bad_checksums, 0);
	assert_int_equal(ai->table_count, 5);
	expect_table(1, "FACP", ptrs[0], 1);
	expect_table(2, "DSDT", dsdt_phys, 1);
	expect_table(3, "APIC", ptrs[1], 1);
	expect_table(4, "MCFG", ptrs[2], 1);
	for (unsigned i = 1; i < 5; i++) {
		const uint8_t *raw = i == 1 ? facp : i == 2 ? dsdt : i == 3 ? apic : mcfg;
		assert_memory_equal(ai->tables[i].oem_id, raw + 10, 6);
		assert_memory_equal(ai->tables[i].oem_table_id, raw + 16, 8);
		assert_int_equal(ai->tables[i].revision, raw[8]);
	}

	/* MADT, walked here by the spec (§5.2.12) */
	unsigned cpus = 0, entries = 0, ioapics = 0;
	uint64_t lapic = le32(apic + 36);
	for (size_t off = 44; off + 2 <= apic_len && apic[off + 1] >= 2; off += apic[off + 1]) {
		const uint8_t *e = apic + off;
		if (e[0] == 0 || e[0] == 9) {
			uint32_t id = e[0] == 0 ? e[3] : le32(e + 4), fl = le32(e + (e[0] == 0 ? 4 : 8)) & 3;
			assert_int_equal(ai->cpu_apic_ids[entries], id);
			assert_int_equal(ai->cpu_flags[entries] & 3, fl);
			entries++;
			cpus += fl & 1;
		}
		else if (e[0] == 1)
			ioapics++;
		else if (e[0] == 5)
			lapic = le64(e + 4);
	}
	printf("# captured MADT: %u CPUs, %u I/O APICs, local APIC at 0x%llx\n", cpus, ioapics, (unsigned long long)lapic);
	assert_true(ai->cpu_count >= 1);
	assert_int_equal(ai->cpu_count, cpus);
	assert_int_equal(ai->cpu_entries, entries);
	assert_int_equal(ai->ioapic_count, ioapics);
	assert_int_equal(ai->lapic_base, lapic);
	assert_int_equal(lapic & 0xfff, 0);

	/* MCFG (PCI Firmware spec 4.1.2): 16-byte entries from offset 44 */
	unsigned n = 0;
	for (size_t off = 44; off + 16 <= mcfg_len; off += 16) {
		uint64_t base = le64(mcfg + off);
		if (!base || mcfg[off + 11] < mcfg[off + 10])
			continue;
		assert_int_equal(ai->mcfg[n].base, base);
		assert_int_equal(ai->mcfg[n].segment, mcfg[off + 8] | mcfg[off + 9] << 8);
		assert_int_equal(ai->mcfg[n].bus_start, mcfg[off + 10]);
		assert_int_equal(ai->mcfg[n].bus_end, mcfg[off + 11]);
		printf("# captured MCFG: segment %u buses %u..%u ECAM at 0x%llx\n", ai->mcfg[n].segment,
		       ai->mcfg[n].bus_start, ai->mcfg[n].bus_end, (unsigned long long)base);
		n++;
	}
	assert_int_equal(ai->mcfg_count, n);
	assert_true(n >= 1);
	assert_int_equal(ai->mcfg[0].base % (1 << 20), 0); /* ECAM is 1 MiB per bus, aligned */

	/* FADT (§5.2.9) */
	assert_true(ai->have_fadt);
	uint32_t flags = le32(facp + 112);
	assert_int_equal(ai->pm_timer_32bit, (flags >> 8) & 1);
	uint64_t x_tmr = facp_len >= 220 ? le64(facp + 212) : 0;
	uint32_t tmr = le32(facp + 76);
	if (x_tmr && facp[208] == ACPI_GAS_IO)
		assert_int_equal(ai->pm_timer_port, x_tmr);
	else if (x_tmr && facp[208] == ACPI_GAS_MEMORY)
		assert_int_equal(ai->pm_timer_mmio, x_tmr);
	else
		assert_int_equal(ai->pm_timer_port, tmr);
	if ((flags & (1u << 10)) && le64(facp + 120)) {
		assert_true(ai->have_reset_reg);
		assert_int_equal(ai->reset_reg.address, le64(facp + 120));
		assert_int_equal(ai->reset_value, facp[128]);
	} else {
		assert_false(ai->have_reset_reg);
	}
	printf("# captured FADT: flags 0x%x, PM timer port 0x%x mmio 0x%llx, reset register %s\n", flags,
	       ai->pm_timer_port, (unsigned long long)ai->pm_timer_mmio, ai->have_reset_reg ? "yes" : "no");
	free(apic);
	free(facp);
	free(mcfg);
	free(dsdt);
}

/* Captured tables with one byte flipped: each is recorded bad, nothing read from it. */
static void captured_tables_corrupted(void **state)
{
	(void)state;
	static const char *const names[] = {"APIC", "FACP", "MCFG", "DSDT"};
	for (unsigned k = 0; k < 4; k++) {
		teardown(NULL);
		setup(NULL);
		size_t len;
		uint8_t *t = load(names[k], &len);
		t[len / 2] ^= 0x10;
		static const uint64_t ptrs[] = {0x3000000};
		place(ptrs[0], t, len);
		build_sdt(&tbuf, "XSDT", 8, ptrs, 1);
		place_table(XSDT, &tbuf);
		place_rsdp(RSDP, 2, 0, XSDT, "KILNOE");
		assert_int_equal(acpi_parse(ai, RSDP, map, NULL), 0);
		assert_int_equal(ai->table_count, 2);
		assert_int_equal(ai->bad_checksums, 1);
		assert_false(ai->tables[1].checksum_ok);
		assert_int_equal(ai->cpu_count + ai->mcfg_count + (unsigned)ai->have_fadt, 0);
		free(t);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_ai, teardown_ai)
	const struct CMUnitTest tests[] = {
		T(full_machine_every_field),
		T(checksum_function),
		T(qemu_is_recognised),
		T(rsdp_refusals),
		T(rsdt_fallback),
		T(bad_table_checksum_is_recorded_not_parsed),
		T(bad_root_table_is_fatal),
		T(truncated_tables),
		T(malformed_madt_entries),
		T(more_than_the_arrays_hold),
		T(fadt_pointing_at_itself),
		T(pm_timer_variants),
		T(captured_tables),
		T(captured_tables_corrupted),
	};
	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
