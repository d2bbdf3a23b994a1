#include "kernel/acpi.h"

#include "kernel/lib/string.h"

/* Offsets into the tables (ACPI 6.5 §5.2). */
#define SDT_HDR_LEN 36
#define RSDP_V1_LEN 20
#define RSDP_REV_OFF 15
#define RSDP_RSDT_OFF 16
#define RSDP_LEN_OFF 20
#define RSDP_XSDT_OFF 24
#define FADT_DSDT 40
#define FADT_X_DSDT 140
#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_PM_TMR_BLK 208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define MADT_LAPIC_ADDR 36
#define MADT_ENTRIES 44
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_CPU_ENABLED 1u
#define MADT_CPU_ONLINE_CAPABLE 2u
#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16
#define SPCR_INTERFACE 36
#define SPCR_BASE 40
#define SPCR_BAUD 58
#define HPET_BASE 40
#define GAS_LEN 12

struct acpi_info kernel_acpi;

static void add_table(struct acpi_info *ai, uint64_t phys, acpi_map_fn map, void *ctx);

static uint8_t rd8(const uint8_t *p) { return p[0]; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void rd_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = rd64(p + 4);
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + b[i]);
	return s;
}

static void copy_str(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = 0;
}

static void parse_fadt(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	ai->have_fadt = 1;
	uint32_t flags = len >= FADT_FLAGS + 4 ? rd32(t + FADT_FLAGS) : 0;
	ai->pm_timer_32bit = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	if (len >= FADT_X_PM_TMR_BLK + GAS_LEN) {
		struct acpi_gas g;
		rd_gas(t + FADT_X_PM_TMR_BLK, &g);
		if (g.address && g.space == ACPI_GAS_IO)
			ai->pm_timer_port = (uint32_t)g.address;
		else if (g.address && g.space == ACPI_GAS_MEMORY)
			ai->pm_timer_mmio = g.address;
	}
	if (!ai->pm_timer_port && !ai->pm_timer_mmio && len >= FADT_PM_TMR_BLK + 4)
		ai->pm_timer_port = rd32(t + FADT_PM_TMR_BLK);
	if ((flags & FADT_FLAG_RESET_REG_SUP) && len >= FADT_RESET_VALUE + 1) {
		rd_gas(t + FADT_RESET_REG, &ai->reset_reg);
		ai->reset_value = rd8(t + FADT_RESET_VALUE);
		ai->have_reset_reg = ai->reset_reg.address != 0;
	}
}

/* Every processor entry is kept with its flags (disabled ones too: they are listed, and
 * the start-up says what became of each); cpu_count counts the enabled ones. */
static void add_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t flags, uint32_t kind)
{
	flags &= MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE;
	if (ai->cpu_entries < ACPI_MAX_CPUS) {
		ai->cpu_apic_ids[ai->cpu_entries] = apic_id;
		ai->cpu_flags[ai->cpu_entries] = flags | kind;
	}
	ai->cpu_entries++;
	if (flags & MADT_CPU_ENABLED)
		ai->cpu_count++;
	else if (flags & MADT_CPU_ONLINE_CAPABLE)
		ai->cpu_online_capable++;
}

static void parse_madt(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	if (len < MADT_ENTRIES)
		return;
	ai->lapic_base = rd32(t + MADT_LAPIC_ADDR);
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || off + elen > len)
			break; /* malformed entry: stop rather than read past the table */
		const uint8_t *e = t + off;
		if (type == MADT_LAPIC && elen >= 8)
			add_cpu(ai, e[3], rd32(e + 4), 0);
		else if (type == MADT_X2APIC && elen >= 16)
			add_cpu(ai, rd32(e + 4), rd32(e + 8), ACPI_CPU_X2APIC);
		else if (type == MADT_IOAPIC)
			ai->ioapic_count++;
		else if (type == MADT_LAPIC_OVERRIDE && elen >= 12)
			ai->lapic_base = rd64(e + 4);
		off += elen;
	}
}

static void parse_mcfg(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	for (uint32_t off = MCFG_ENTRIES; off + MCFG_ENTRY_LEN <= len && ai->mcfg_count < ACPI_MAX_MCFG;
	     off += MCFG_ENTRY_LEN) {
		struct acpi_mcfg_entry *m = &ai->mcfg[ai->mcfg_count];
		m->base = rd64(t + off);
		m->segment = rd16(t + off + 8);
		m->bus_start = t[off + 10];
		m->bus_end = t[off + 11];
		if (m->base && m->bus_end >= m->bus_start)
			ai->mcfg_count++;
	}
}

static void parse_spcr(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	if (len < SPCR_BAUD + 1)
		return;
	ai->have_spcr = 1;
	ai->spcr_interface = t[SPCR_INTERFACE];
	rd_gas(t + SPCR_BASE, &ai->spcr_addr);
	static const uint32_t baud[8] = {0, 0, 0, 9600, 19200, 0, 57600, 115200};
	uint8_t b = t[SPCR_BAUD];
	ai->spcr_baud = b < 8 ? baud[b] : 0;
}

static void parse_hpet(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	if (len < HPET_BASE + GAS_LEN)
		return;
	struct acpi_gas g;
	rd_gas(t + HPET_BASE, &g);
	if (g.space == ACPI_GAS_MEMORY)
		ai->hpet_base = g.address;
}

static void add_table(struct acpi_info *ai, uint64_t phys, acpi_map_fn map, void *ctx)
{
	const uint8_t *h = map(phys, SDT_HDR_LEN, ctx);
	if (!h || ai->table_count >= ACPI_MAX_TABLES)
		return;
	uint32_t len = rd32(h + 4);
	struct acpi_table_ref *r = &ai->tables[ai->table_count++];
	copy_str(r->sig, h, 4);
	copy_str(r->oem_id, h + 10, 6);
	copy_str(r->oem_table_id, h + 16, 8);
	r->phys = phys;
	r->length = len;
	r->revision = h[8];
	const uint8_t *t = len >= SDT_HDR_LEN ? map(phys, len, ctx) : 0;
	r->checksum_ok = t && acpi_checksum(t, len) == 0;
	if (!r->checksum_ok) {
		ai->bad_checksums++;
		return; /* a table that fails its checksum is reported, never trusted */
	}
	if (!memcmp(r->sig, "FACP", 4)) {
		parse_fadt(ai, t, len);
		/* The DSDT hangs off the FADT, not the XSDT: check it too. */
		uint64_t dsdt = len >= FADT_X_DSDT + 8 ? rd64(t + FADT_X_DSDT) : 0;
		if (!dsdt && len >= FADT_DSDT + 4)
			dsdt = rd32(t + FADT_DSDT);
		if (dsdt && !acpi_find(ai, "DSDT"))
			add_table(ai, dsdt, map, ctx);
	}
	else if (!memcmp(r->sig, "APIC", 4))
		parse_madt(ai, t, len);
	else if (!memcmp(r->sig, "MCFG", 4))
		parse_mcfg(ai, t, len);
	else if (!memcmp(r->sig, "SPCR", 4))
		parse_spcr(ai, t, len);
	else if (!memcmp(r->sig, "HPET", 4))
		parse_hpet(ai, t, len);
}

int acpi_parse(struct acpi_info *ai, uint64_t rsdp_phys, acpi_map_fn map, void *ctx)
{
	memset(ai, 0, sizeof *ai);
	const uint8_t *rsdp = rsdp_phys ? map(rsdp_phys, RSDP_V1_LEN, ctx) : 0;
	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) || acpi_checksum(rsdp, RSDP_V1_LEN))
		return -1;
	ai->rsdp_revision = rsdp[RSDP_REV_OFF];
	copy_str(ai->rsdp_oem, rsdp + 9, 6);
	uint64_t root = rd32(rsdp + RSDP_RSDT_OFF);
	unsigned entry = 4;
	if (ai->rsdp_revision >= 2) {
		const uint8_t *full = map(rsdp_phys, 36, ctx);
		uint32_t len = full ? rd32(full + RSDP_LEN_OFF) : 0;
		if (!full || len < 36 || !(full = map(rsdp_phys, len, ctx)) || acpi_checksum(full, len))
			return -1;
		if (rd64(full + RSDP_XSDT_OFF)) {
			root = rd64(full + RSDP_XSDT_OFF);
			entry = 8;
			ai->use_xsdt = 1;
		}
	}
	ai->rsdp_ok = 1;
	add_table(ai, root, map, ctx);
	if (!ai->table_count || !ai->tables[0].checksum_ok)
		return -1;
	const uint8_t *rt = map(root, ai->tables[0].length, ctx);
	uint32_t rlen = ai->tables[0].length;
	for (uint32_t off = SDT_HDR_LEN; off + entry <= rlen; off += entry) {
		uint64_t p = entry == 8 ? rd64(rt + off) : rd32(rt + off);
		if (p)
			add_table(ai, p, map, ctx);
	}
	return 0;
}

const struct acpi_table_ref *acpi_find(const struct acpi_info *ai, const char *sig)
{
	for (unsigned i = 0; i < ai->table_count; i++)
		if (!memcmp(ai->tables[i].sig, sig, 4))
			return &ai->tables[i];
	return 0;
}

int acpi_is_qemu(const struct acpi_info *ai)
{
	return !memcmp(ai->rsdp_oem, "BOCHS ", 6) || (ai->table_count && !memcmp(ai->tables[0].oem_id, "BOCHS ", 6));
}
