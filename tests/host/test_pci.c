// sources: kernel/pci/bar.c kernel/pci/cap.c kernel/lib/fmt.c
/* kernel/pci/bar.c and kernel/pci/cap.c: BAR decoding from sizing read-backs (every memory
 * and I/O flavour, the impossible masks a broken device returns, a random sweep of sizes
 * and bases), range overlap at the edges of the address space, and the capability walks
 * over a fake configuration space: clean lists, loops, pointers out of range, a vanished
 * function, random garbage that must still end, and the PCIe link/DSN/AER readers. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kernel/pci/pci.h"

/* ---- a fake function: 4 KiB of config space behind the accessors pci_cap.c calls ---- */

static struct {
	uint8_t cfg[PCIE_CFG_SIZE];
	bool gone;              /* every read returns all ones, like a surprise-removed device */
	uint16_t rw1c[4];       /* dword offsets whose writes clear bits (AER status) */
	unsigned reads;
} fake;

static void fake_reset(void) { memset(&fake, 0, sizeof fake); }

static uint32_t raw_read(uint16_t off, unsigned width)
{
	fake.reads++;
	assert_true(off + width <= PCIE_CFG_SIZE);
	assert_int_equal(off % width, 0);
	if (fake.gone)
		return width == 4 ? 0xffffffffu : width == 2 ? 0xffffu : 0xffu;
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)fake.cfg[off + i] << (8 * i);
	return v;
}

static void put(uint16_t off, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		fake.cfg[off + i] = (uint8_t)(v >> (8 * i));
}
static void put8(uint16_t off, uint8_t v) { put(off, v, 1); }
static void put16(uint16_t off, uint16_t v) { put(off, v, 2); }
static void put32(uint16_t off, uint32_t v) { put(off, v, 4); }

uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off) { (void)d; return (uint8_t)raw_read(off, 1); }
uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off) { (void)d; return (uint16_t)raw_read(off, 2); }
uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off) { (void)d; return raw_read(off, 4); }
void pci_cfg_write8(const struct pci_dev *d, uint16_t off, uint8_t v) { (void)d; put8(off, v); }
void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v) { (void)d; put16(off, v); }
void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	(void)d;
	for (unsigned i = 0; i < sizeof fake.rw1c / sizeof fake.rw1c[0]; i++)
		if (fake.rw1c[i] && fake.rw1c[i] == off) {
			put32(off, raw_read(off, 4) & ~v);
			return;
		}
	put32(off, v);
}
int pci_check_present(const struct pci_dev *d)
{
	uint32_t id = pci_cfg_read32(d, PCI_VENDOR_ID);
	return (id == 0xffffffffu || (id & 0xffffu) == PCI_VENDOR_NONE) ? PCI_EGONE : PCI_OK;
}

/* A present function with a capability list starting at `first`. */
static void fake_function(uint8_t first)
{
	fake_reset();
	put32(PCI_VENDOR_ID, 0x11e81234u);
	put16(PCI_STATUS, first ? PCI_STATUS_CAP_LIST : 0);
	put8(PCI_CAPABILITY_LIST, first);
}

static void cap(uint8_t off, uint8_t id, uint8_t next)
{
	put8(off + PCI_CAP_ID, id);
	put8(off + PCI_CAP_NEXT, next);
}

static void ext_cap(uint16_t off, uint16_t id, uint8_t ver, uint16_t next)
{
	put32(off, (uint32_t)id | ((uint32_t)ver << 16) | ((uint32_t)next << 20));
}

static struct pci_dev dev; /* the accessors ignore it; the walkers read its cached offsets */

/* ---- BAR decoding ---- */

static void decode_ok(uint32_t lo, uint32_t plo, uint32_t hi, uint32_t phi, uint64_t base, uint64_t size,
		      uint32_t flags)
{
	struct pci_bar b;
	int r = pci_bar_decode(lo, plo, hi, phi, &b);
	if (r != PCI_OK || b.base != base || b.size != size || b.flags != flags)
		fail_msg("decode(0x%08x, 0x%08x, 0x%08x, 0x%08x) = %d base 0x%llx size 0x%llx flags 0x%x; expected base "
			 "0x%llx size 0x%llx flags 0x%x",
			 lo, plo, hi, phi, r, (unsigned long long)b.base, (unsigned long long)b.size, b.flags,
			 (unsigned long long)base, (unsigned long long)size, flags);
	assert_int_equal(b.probe, plo);
}

static void bar_memory_32(void **state)
{
	(void)state;
	decode_ok(0xfebf0000u, 0xfffff000u, 0, 0, 0xfebf0000u, 0x1000, 0);
	decode_ok(0xc0000008u, 0xff000008u, 0, 0, 0xc0000000u, 16u << 20, PCI_BARF_PREFETCH);
	decode_ok(0x80000000u, 0x80000000u, 0, 0, 0x80000000u, 2u << 30, 0);   /* 2 GiB, the largest 32-bit */
	decode_ok(0xfebf1230u, 0xfffffff0u, 0, 0, 0xfebf1230u, 16, 0);          /* the smallest memory BAR */
	decode_ok(0, 0xfff00000u, 0, 0, 0, 1u << 20, 0);                        /* implemented, unassigned */
}

static void bar_memory_64(void **state)
{
	(void)state;
	decode_ok(0x6000000cu, 0xfc00000cu, 0xe0, 0xffffffffu, 0xe060000000ull, 64u << 20,
		  PCI_BARF_MEM64 | PCI_BARF_PREFETCH);
	/* 16 GiB: every low address bit is read-only zero, the size lives in the upper dword */
	decode_ok(0x0000000cu, 0x0000000cu, 0x4, 0xfffffffcu, 0x400000000ull, 16ull << 30,
		  PCI_BARF_MEM64 | PCI_BARF_PREFETCH);
	decode_ok(0xc1200004u, 0xffffc004u, 0, 0xffffffffu, 0xc1200000u, 16u << 10, PCI_BARF_MEM64);
	decode_ok(0x4u, 0x4u, 0x80000000u, 0x80000000u, 0x8000000000000000ull, 1ull << 63, PCI_BARF_MEM64);
}

static void bar_io(void **state)
{
	(void)state;
	decode_ok(0x6041u, 0xffffffe1u, 0, 0, 0x6040, 32, PCI_BARF_IO);
	decode_ok(0x6001u, 0x0000ffc1u, 0, 0, 0x6000, 64, PCI_BARF_IO); /* a 16-bit decoder */
	decode_ok(0xc001u, 0xfffffffdu, 0, 0, 0xc000, 4, PCI_BARF_IO);
}

static void bar_not_implemented(void **state)
{
	(void)state;
	decode_ok(0, 0, 0, 0, 0, 0, 0);
	decode_ok(0x4u, 0x4u, 0, 0, 0, 0, PCI_BARF_MEM64); /* type bits only, nothing writable */
}

static void decode_err(uint32_t lo, uint32_t plo, uint32_t hi, uint32_t phi, int want)
{
	struct pci_bar b;
	int r = pci_bar_decode(lo, plo, hi, phi, &b);
	if (r != want)
		fail_msg("decode(0x%08x, 0x%08x, 0x%08x, 0x%08x) = %d (%s), expected %d (%s)", lo, plo, hi, phi, r,
			 pci_strerror(r), want, pci_strerror(want));
	assert_int_equal(b.size, 0);
}

static void bar_impossible(void **state)
{
	(void)state;
	decode_err(0x2u, 0xfff00002u, 0, 0, PCI_EBARTYPE);         /* "below 1 MiB" */
	decode_err(0x6u, 0xfff00006u, 0, 0, PCI_EBARTYPE);         /* reserved type */
	decode_err(0xc0000000u, 0xff0ff000u, 0, 0, PCI_EBARSIZE);  /* a hole in the writable bits */
	decode_err(0xc0000008u, 0xff000000u, 0, 0, PCI_EBARSIZE);  /* prefetch bit changed when written */
	decode_err(0x0000000cu, 0xfc00000cu, 0, 0xfff0ffffu, PCI_EBARSIZE); /* hole in the upper dword */
	decode_err(0x6001u, 0xff00ffc1u, 0, 0, PCI_EBARSIZE);      /* I/O mask with a hole */
	decode_err(0x6001u, 0xfffffff0u, 0, 0, PCI_EBARSIZE);      /* I/O space bit lost on write */
}

/* The mask a device of this size returns, for every size and a random aligned base. */
static void bar_random_sweep(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x70c1ba5e);
	for (unsigned shift = 4; shift < 64; shift++) {
		for (unsigned k = 0; k < 64; k++) {
			uint64_t size = 1ull << shift, base = host_rand(&rng) & ~(size - 1);
			bool pf = host_rand(&rng) & 1;
			uint32_t type = PCI_BAR_MEM_TYPE_64 | (pf ? PCI_BAR_MEM_PREFETCH : 0);
			uint64_t mask = ~(size - 1);
			decode_ok((uint32_t)base | type, ((uint32_t)mask & PCI_BAR_MEM_ADDR_MASK) | type, (uint32_t)(base >> 32),
				  (uint32_t)(mask >> 32), base, size, PCI_BARF_MEM64 | (pf ? PCI_BARF_PREFETCH : 0));
			if (shift < 32) {
				uint32_t b32 = (uint32_t)base, m32 = (uint32_t)mask;
				decode_ok(b32, m32 & PCI_BAR_MEM_ADDR_MASK, 0, 0, b32, size, 0);
			}
			if (shift >= 2 && shift < 32) {
				uint32_t io = (uint32_t)base & PCI_BAR_IO_ADDR_MASK;
				decode_ok(io | PCI_BAR_SPACE_IO, ((uint32_t)mask & PCI_BAR_IO_ADDR_MASK) | PCI_BAR_SPACE_IO, 0, 0,
					  io, size, PCI_BARF_IO);
			}
		}
	}
}

static void ranges(void **state)
{
	(void)state;
	assert_true(pci_bar_is_pow2(1));
	assert_true(pci_bar_is_pow2(1ull << 63));
	assert_false(pci_bar_is_pow2(0));
	assert_false(pci_bar_is_pow2(0x3000));
	assert_false(pci_ranges_overlap(0x1000, 0x1000, 0x2000, 0x1000)); /* adjacent */
	assert_true(pci_ranges_overlap(0x1000, 0x1001, 0x2000, 0x1000));
	assert_true(pci_ranges_overlap(0x2000, 0x10, 0x1000, 0x4000));    /* contained */
	assert_false(pci_ranges_overlap(0x1000, 0, 0x1000, 0x1000));      /* empty */
	assert_true(pci_ranges_overlap(0xfffffffffffff000ull, 0x1000, 0xfffffffffffffff0ull, 0x10)); /* ends at 2^64 */
	assert_false(pci_ranges_overlap(0xfffffffffffff000ull, 0x1000, 0, 0x1000));
}

static void describe(void **state)
{
	(void)state;
	char buf[48];
	struct pci_bar b;
	pci_bar_decode(0x6000000cu, 0xfc00000cu, 0xe0, 0xffffffffu, &b);
	assert_string_equal(pci_bar_describe(&b, buf, sizeof buf), "mem64 pf 0xe060000000+64M");
	pci_bar_decode(0x6041u, 0xffffffe1u, 0, 0, &b);
	assert_string_equal(pci_bar_describe(&b, buf, sizeof buf), "io 0x6040+32");
	pci_bar_decode(0xfebf0000u, 0xfffff000u, 0, 0, &b);
	assert_string_equal(pci_bar_describe(&b, buf, sizeof buf), "mem32 0xfebf0000+4K");
	b = (struct pci_bar){.flags = PCI_BARF_UPPER};
	assert_string_equal(pci_bar_describe(&b, buf, sizeof buf), "(upper half)");
	for (int e = PCI_OK; e >= PCI_ERANGE; e--)
		assert_string_not_equal(pci_strerror(e), "unknown PCI error");
	assert_string_equal(pci_strerror(PCI_ERANGE - 1), "unknown PCI error");
}

/* ---- capability walks ---- */

struct seen {
	unsigned n;
	uint16_t off[64], id[64];
};

static int record(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	struct seen *s = arg;
	(void)version;
	if (s->n < 64) {
		s->off[s->n] = off;
		s->id[s->n] = id;
	}
	s->n++;
	return 0;
}

static void walk_expect(int want, uint16_t want_bad)
{
	uint16_t bad = 0xdead;
	int r = pci_cap_walk(&dev, 0, 0, &bad);
	if (r != want)
		fail_msg("pci_cap_walk = %d (%s), expected %d (%s)", r, r < 0 ? pci_strerror(r) : "count", want,
			 want < 0 ? pci_strerror(want) : "count");
	if (want < 0)
		assert_int_equal(bad, want_bad);
}

static void cap_clean_list(void **state)
{
	(void)state;
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_PM, 0x50);
	cap(0x50, PCI_CAP_ID_MSI, 0x60);
	cap(0x60, PCI_CAP_ID_EXP, 0x70);
	cap(0x70, PCI_CAP_ID_MSIX, 0);
	struct seen s = {0};
	assert_int_equal(pci_cap_walk(&dev, record, &s, 0), 4);
	assert_int_equal(s.off[0], 0x40);
	assert_int_equal(s.id[3], PCI_CAP_ID_MSIX);
	dev = (struct pci_dev){0};
	pci_caps_scan(&dev);
	assert_int_equal(dev.cap_err, PCI_OK);
	assert_int_equal(dev.cap_count, 4);
	assert_int_equal(dev.cap_pm, 0x40);
	assert_int_equal(dev.cap_msi, 0x50);
	assert_int_equal(dev.cap_exp, 0x60);
	assert_int_equal(dev.cap_msix, 0x70);
	assert_int_equal(pci_cap_find(&dev, PCI_CAP_ID_MSI), 0x50);
	assert_int_equal(pci_cap_find(&dev, PCI_CAP_ID_VNDR), 0);
	/* PCIe capability with an empty extended list */
	assert_int_equal(dev.ext_err, PCI_OK);
	assert_int_equal(dev.ext_count, 0);
}

static void cap_no_list(void **state)
{
	(void)state;
	fake_function(0);
	walk_expect(0, 0);
	fake_function(0x40);
	put16(PCI_STATUS, 0); /* a pointer without the status bit means nothing */
	walk_expect(0, 0);
}

static void cap_reserved_bits_masked(void **state)
{
	(void)state;
	fake_function(0x43); /* bits 1:0 reserved: this is 0x40 */
	cap(0x40, PCI_CAP_ID_MSI, 0x52);
	cap(0x50, PCI_CAP_ID_PM, 0);
	struct seen s = {0};
	assert_int_equal(pci_cap_walk(&dev, record, &s, 0), 2);
	assert_int_equal(s.off[1], 0x50);
}

static void cap_loops(void **state)
{
	(void)state;
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_PM, 0x40); /* points at itself */
	walk_expect(PCI_ECAPLOOP, 0x40);
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_PM, 0x80);
	cap(0x80, PCI_CAP_ID_MSI, 0xc0);
	cap(0xc0, PCI_CAP_ID_EXP, 0x80); /* back to the second */
	walk_expect(PCI_ECAPLOOP, 0x80);
	dev = (struct pci_dev){0};
	pci_caps_scan(&dev);
	assert_int_equal(dev.cap_err, PCI_ECAPLOOP);
	assert_int_equal(dev.cap_err_off, 0x80);
	assert_int_equal(dev.cap_pm, 0); /* a broken list gives nothing, not even what came before the break */
	assert_int_equal(dev.cap_exp, 0);
	assert_int_equal(pci_cap_find(&dev, PCI_CAP_ID_PM), 0);
	assert_int_equal(pci_cap_find(&dev, PCI_CAP_ID_EXP), 0);
}

static void cap_out_of_range(void **state)
{
	(void)state;
	fake_function(0x20); /* into the header */
	walk_expect(PCI_ECAPRANGE, PCI_CAPABILITY_LIST);
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_PM, 0x3c);
	walk_expect(PCI_ECAPRANGE, 0x41); /* reported at the next pointer that was wrong */
	fake_function(0xfc); /* the last dword is a legal place for a header */
	cap(0xfc, PCI_CAP_ID_VNDR, 0);
	walk_expect(1, 0);
}

static void cap_longest_list(void **state)
{
	(void)state;
	fake_function(0x40);
	for (unsigned off = 0x40; off <= 0xfc; off += 4)
		cap((uint8_t)off, PCI_CAP_ID_VNDR, off == 0xfc ? 0 : (uint8_t)(off + 4));
	walk_expect((0x100 - 0x40) / 4, 0);
}

static void cap_vanished(void **state)
{
	(void)state;
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_EXP, 0);
	fake.gone = true;
	walk_expect(PCI_EGONE, PCI_STATUS);
	dev = (struct pci_dev){.cap_exp = 0x40, .cap_msi = 0x50};
	struct pci_link l;
	assert_int_equal(pci_link_info(&dev, &l), PCI_EGONE);
	/* gone in the middle of the list: the header reads all ones */
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_PM, 0x50);
	put32(0x50, 0xffffffffu);
	put32(PCI_VENDOR_ID, 0xffffffffu);
	put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
	walk_expect(PCI_EGONE, 0x50);
}

static void pcie_function(void)
{
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_EXP, 0);
	put16(0x40 + PCI_EXP_FLAGS, 0x0002); /* v2 endpoint */
	dev = (struct pci_dev){0};
}

static void ext_clean_list(void **state)
{
	(void)state;
	pcie_function();
	ext_cap(0x100, PCI_EXT_CAP_ID_ERR, 2, 0x140);
	ext_cap(0x140, PCI_EXT_CAP_ID_DSN, 1, 0x150);
	ext_cap(0x150, 0x000b, 1, 0);
	put32(0x140 + PCI_DSN_LOW, 0xffff123456u & 0xffffffffu);
	put32(0x140 + PCI_DSN_HIGH, 0x525400ffu);
	pci_caps_scan(&dev);
	assert_int_equal(dev.ext_err, PCI_OK);
	assert_int_equal(dev.ext_count, 3);
	assert_int_equal(dev.ext_aer, 0x100);
	assert_int_equal(dev.ext_dsn, 0x140);
	assert_int_equal(pci_ext_cap_find(&dev, 0x000b), 0x150);
	assert_int_equal(pci_ext_cap_find(&dev, 0x0010), 0);
	uint64_t sn;
	assert_int_equal(pci_dsn_read(&dev, &sn), PCI_OK);
	assert_int_equal(sn, 0x525400ffff123456ull);
}

static void ext_broken(void **state)
{
	(void)state;
	pcie_function();
	ext_cap(0x100, PCI_EXT_CAP_ID_ERR, 2, 0x140);
	ext_cap(0x140, PCI_EXT_CAP_ID_DSN, 1, 0x100);
	uint16_t bad = 0;
	assert_int_equal(pci_ext_cap_walk(&dev, 0, 0, &bad), PCI_ECAPLOOP);
	assert_int_equal(bad, 0x100);
	ext_cap(0x140, PCI_EXT_CAP_ID_DSN, 1, 0x0c0); /* back into conventional space */
	assert_int_equal(pci_ext_cap_walk(&dev, 0, 0, &bad), PCI_ECAPRANGE);
	assert_int_equal(bad, 0x140);
	ext_cap(0x140, PCI_EXT_CAP_ID_DSN, 1, 0xfff); /* reserved bits masked: 0xffc */
	ext_cap(0xffc, 0x0001, 1, 0);
	assert_int_equal(pci_ext_cap_walk(&dev, 0, 0, &bad), 3);
	/* a conventional function never gets its extended space walked */
	fake_function(0x40);
	cap(0x40, PCI_CAP_ID_MSI, 0);
	ext_cap(0x100, PCI_EXT_CAP_ID_ERR, 1, 0x100);
	dev = (struct pci_dev){0};
	pci_caps_scan(&dev);
	assert_int_equal(dev.ext_err, PCI_OK);
	assert_int_equal(dev.ext_aer, 0);
	uint64_t sn;
	assert_int_equal(pci_dsn_read(&dev, &sn), PCI_ENOCAP);
}

/* Whatever bytes a function returns, both walks end, quickly. */
static void walks_end_on_garbage(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x9a7b);
	for (unsigned round = 0; round < 2000; round++) {
		fake_reset();
		for (unsigned i = 0; i < PCIE_CFG_SIZE; i += 8) {
			uint64_t r = host_rand(&rng);
			memcpy(&fake.cfg[i], &r, 8);
		}
		put16(PCI_VENDOR_ID, 0x1234);
		put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
		if (round % 2) { /* make the ext list long: every pointer lands higher up */
			for (unsigned off = 0x100; off < PCIE_CFG_SIZE; off += 4)
				if (host_rand(&rng) % 4)
					put32((uint16_t)off, (uint32_t)(host_rand(&rng) % (PCIE_CFG_SIZE / 4)) << 22);
		}
		fake.reads = 0;
		int n = pci_cap_walk(&dev, 0, 0, 0);
		assert_true(n <= (int)((PCI_CFG_SIZE - PCI_CAP_FIRST_OFFSET) / 4));
		assert_true(n >= PCI_ECAPRANGE);
		assert_true(fake.reads < 4 * PCI_CFG_SIZE);
		fake.reads = 0;
		n = pci_ext_cap_walk(&dev, 0, 0, 0);
		assert_true(n <= (int)((PCIE_CFG_SIZE - PCI_EXT_CAP_FIRST_OFFSET) / 4));
		assert_true(n >= PCI_ECAPRANGE);
		assert_true(fake.reads < 4 * PCIE_CFG_SIZE);
	}
}

static void link_info(void **state)
{
	(void)state;
	pcie_function();
	dev.cap_exp = 0x40;
	put32(0x40 + PCI_EXP_LNKCAP, 0x00000104u); /* x16 (0x10 << 4), 16 GT/s */
	put16(0x40 + PCI_EXP_LNKSTA, 0x2083u);     /* DLL active, x8, 8 GT/s */
	struct pci_link l;
	assert_int_equal(pci_link_info(&dev, &l), PCI_OK);
	assert_true(l.has_link);
	assert_int_equal(l.port_type, PCI_EXP_TYPE_ENDPOINT);
	assert_int_equal(l.max_width, 16);
	assert_int_equal(l.max_speed, 4);
	assert_int_equal(l.cur_width, 8);
	assert_int_equal(l.cur_speed, 3);
	assert_true(l.dll_active);
	assert_false(l.training);
	assert_string_equal(pci_link_speed_name(l.cur_speed), "8 GT/s");
	assert_string_equal(pci_link_speed_name(15), "unknown");
	put16(0x40 + PCI_EXP_FLAGS, 0x0092); /* root complex integrated endpoint */
	assert_int_equal(pci_link_info(&dev, &l), PCI_OK);
	assert_false(l.has_link);
	assert_int_equal(l.cur_width, 0);
	dev.cap_exp = 0;
	assert_int_equal(pci_link_info(&dev, &l), PCI_ENOCAP);
}

static void aer_status_and_clear(void **state)
{
	(void)state;
	pcie_function();
	ext_cap(0x100, PCI_EXT_CAP_ID_ERR, 2, 0);
	put32(0x100 + PCI_ERR_UNCOR_STATUS, 0x00100000u); /* unsupported request */
	put32(0x100 + PCI_ERR_UNCOR_MASK, 0x00400000u);
	put32(0x100 + PCI_ERR_COR_STATUS, 0x00000041u);   /* receiver error, bad TLP */
	fake.rw1c[0] = 0x100 + PCI_ERR_UNCOR_STATUS;
	fake.rw1c[1] = 0x100 + PCI_ERR_COR_STATUS;
	pci_caps_scan(&dev);
	struct pci_aer_status s;
	assert_int_equal(pci_aer_read(&dev, &s), PCI_OK);
	assert_int_equal(s.uncor_status, 0x00100000u);
	assert_int_equal(s.uncor_mask, 0x00400000u);
	assert_int_equal(s.cor_status, 0x41u);
	put32(0x100 + PCI_ERR_COR_STATUS, 0x000000c1u); /* a new error arrives after the read */
	assert_int_equal(pci_aer_clear(&dev, &s), PCI_OK);
	assert_int_equal(pci_aer_read(&dev, &s), PCI_OK);
	assert_int_equal(s.uncor_status, 0);
	assert_int_equal(s.cor_status, 0x80u); /* only what was reported is cleared */
	fake.gone = true;
	assert_int_equal(pci_aer_read(&dev, &s), PCI_EGONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bar_memory_32),
		cmocka_unit_test(bar_memory_64),
		cmocka_unit_test(bar_io),
		cmocka_unit_test(bar_not_implemented),
		cmocka_unit_test(bar_impossible),
		cmocka_unit_test(bar_random_sweep),
		cmocka_unit_test(ranges),
		cmocka_unit_test(describe),
		cmocka_unit_test(cap_clean_list),
		cmocka_unit_test(cap_no_list),
		cmocka_unit_test(cap_reserved_bits_masked),
		cmocka_unit_test(cap_loops),
		cmocka_unit_test(cap_out_of_range),
		cmocka_unit_test(cap_longest_list),
		cmocka_unit_test(cap_vanished),
		cmocka_unit_test(ext_clean_list),
		cmocka_unit_test(ext_broken),
		cmocka_unit_test(walks_end_on_garbage),
		cmocka_unit_test(link_info),
		cmocka_unit_test(aer_status_and_clear),
	};
	return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
