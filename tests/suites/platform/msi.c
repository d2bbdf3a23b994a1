/* platform-msi-edu: MSI delivered end to end with QEMU's edu test device
 * (docs/specs/edu.rst in QEMU): the device raises, the handler runs and sees the device's
 * interrupt status, the acknowledgement clears it; and an MSI that is disabled (or masked,
 * where the capability can mask) never arrives. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/harness/ktest.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"
#include "kernel/time.h"

/* QEMU hw/misc/edu.c: ids and BAR0 registers (32-bit accesses only) */
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_BAR 0
#define EDU_IDENT 0x00
#define EDU_IDENT_MAGIC_MASK 0xffu
#define EDU_IDENT_MAGIC 0xedu
#define EDU_LIVENESS 0x04 /* reads back the bitwise inverse of what was written */
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_STATUS_COMPUTING 0x01u
#define EDU_STATUS_IRQFACT 0x80u /* raise an interrupt when a factorial is done */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_FACT_IRQ 0x00000001u /* what the device ORs into the status for a factorial */

#define ARRIVE_MS 1000  /* an MSI in TCG arrives within microseconds; this is generous */
#define SILENCE_MS 50   /* how long a blocked interrupt must stay away */
#define FACT_INPUT 10u
#define FACT_RESULT 3628800u

struct edu {
	struct pci_dev *d;
	uintptr_t regs;
	int vector;
	volatile uint32_t calls;
	volatile uint32_t seen; /* the device's interrupt status as the handler read it */
};

static uint32_t rd(const struct edu *e, unsigned reg) { return mmio_read32(e->regs + reg); }
static void wr(const struct edu *e, unsigned reg, uint32_t v) { mmio_write32(e->regs + reg, v); }

/* What a driver's handler does: read the cause, acknowledge it. */
static void edu_irq(void *ctx, uint8_t vector)
{
	struct edu *e = ctx;
	(void)vector;
	uint32_t st = rd(e, EDU_IRQ_STATUS);
	e->seen = st;
	wr(e, EDU_IRQ_ACK, st);
	e->calls++;
}

static bool wait_calls(struct edu *e, uint32_t want, uint64_t ms)
{
	struct deadline dl = deadline_in_ms(ms);
	while (e->calls < want && !deadline_passed(dl))
		cpu_relax();
	return e->calls >= want;
}

static void msi_state(struct kt *t, const struct edu *e, const char *when)
{
	const struct pci_dev *d = e->d;
	uint16_t flags = pci_cfg_read16(d, d->cap_msi + PCI_MSI_FLAGS);
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;
	kt_diag(t, "%s: MSI control 0x%04x address 0x%08x%08x data 0x%04x, command 0x%04x status 0x%04x, "
		   "edu irq status 0x%08x, handler calls %u, irq_count %llu",
		when, flags, is64 ? pci_cfg_read32(d, d->cap_msi + PCI_MSI_ADDRESS_HI) : 0u,
		pci_cfg_read32(d, d->cap_msi + PCI_MSI_ADDRESS_LO),
		pci_cfg_read16(d, d->cap_msi + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32)), pci_cfg_read16(d, PCI_COMMAND),
		pci_cfg_read16(d, PCI_STATUS), rd(e, EDU_IRQ_STATUS), e->calls, (unsigned long long)irq_count(e->vector));
}

/* Raise with MSI blocked: nothing may arrive, yet the device must show it raised. */
/* With MSI off, edu signals INTx instead; INTx disable blocks the pin but the Interrupt
 * Status bit still shows it (PCI 3.0 §6.2.3), which proves the device did raise. */
static void expect_silence(struct kt *t, struct edu *e, uint32_t val, const char *why, bool intx_fallback)
{
	uint32_t before = e->calls;
	uint64_t count_before = irq_count(e->vector);
	wr(e, EDU_IRQ_RAISE, val);
	wait_calls(e, before + 1, SILENCE_MS);
	if (e->calls != before || irq_count(e->vector) != count_before) {
		kt_fail(t, "an interrupt arrived with MSI %s: handler calls %u -> %u, irq_count %llu -> %llu", why, before,
			e->calls, (unsigned long long)count_before, (unsigned long long)irq_count(e->vector));
		msi_state(t, e, "after the raise");
	}
	uint32_t st = rd(e, EDU_IRQ_STATUS);
	if (e->calls == before && (st & val) != val)
		kt_fail(t, "edu irq status 0x%08x lacks the raised bits 0x%08x: the raise did not happen, so the "
			   "silence proves nothing",
			st, val);
	else
		kt_diag(t, "with MSI %s the raise (status 0x%08x) stayed silent for %u ms", why, st, SILENCE_MS);
	uint16_t pst = pci_cfg_read16(e->d, PCI_STATUS);
	if (intx_fallback && !(pst & PCI_STATUS_INTERRUPT))
		kt_fail(t, "PCI status 0x%04x: Interrupt Status clear although the device raised with MSI off", pst);
	wr(e, EDU_IRQ_ACK, st);
	if (rd(e, EDU_IRQ_STATUS))
		kt_fail(t, "edu irq status 0x%08x after acknowledging 0x%08x, expected 0", rd(e, EDU_IRQ_STATUS), st);
	pst = pci_cfg_read16(e->d, PCI_STATUS);
	if (intx_fallback && (pst & PCI_STATUS_INTERRUPT))
		kt_fail(t, "PCI status 0x%04x: Interrupt Status still set after the acknowledgement", pst);
}

/* Raise with MSI live: the handler runs once and sees exactly the raised value. The
 * counts are taken by the caller before it starts whatever raises the interrupt (the
 * factorial's MSI can come before this function would otherwise look). */
struct irq_snapshot {
	uint32_t calls;
	uint64_t count;
	uint64_t t0;
};

static struct irq_snapshot snapshot(const struct edu *e)
{
	return (struct irq_snapshot){e->calls, irq_count(e->vector), time_ns()};
}

static bool expect_delivery(struct kt *t, struct edu *e, uint32_t val, struct irq_snapshot snap, const char *what)
{
	uint32_t before = snap.calls;
	uint64_t count_before = snap.count;
	uint64_t t0 = snap.t0;
	if (val)
		wr(e, EDU_IRQ_RAISE, val);
	if (!wait_calls(e, before + 1, ARRIVE_MS)) {
		kt_fail(t, "%s: no MSI on vector 0x%x within %u ms", what, e->vector, ARRIVE_MS);
		msi_state(t, e, "at the deadline");
		return false;
	}
	uint64_t lat = time_ns() - t0;
	uint32_t want = val ? val : EDU_FACT_IRQ;
	if (e->seen != want)
		kt_fail(t, "%s: the handler saw edu irq status 0x%08x, expected 0x%08x", what, e->seen, want);
	if (irq_count(e->vector) != count_before + 1)
		kt_fail(t, "%s: irq_count(0x%x) went %llu -> %llu, expected exactly one interrupt", what, e->vector,
			(unsigned long long)count_before, (unsigned long long)irq_count(e->vector));
	if (rd(e, EDU_IRQ_STATUS))
		kt_fail(t, "%s: edu irq status 0x%08x after the handler acknowledged 0x%08x, expected 0", what,
			rd(e, EDU_IRQ_STATUS), e->seen);
	kt_diag(t, "%s: handler ran on vector 0x%x %llu us after the raise, saw 0x%08x", what, e->vector,
		(unsigned long long)(lat / NS_PER_US), e->seen);
	return true;
}

static bool edu_alive(struct kt *t, struct edu *e, const char *bdf)
{
	uint32_t id = rd(e, EDU_IDENT);
	if ((id & EDU_IDENT_MAGIC_MASK) != EDU_IDENT_MAGIC) {
		kt_fail(t, "edu %s ident register (BAR0+0x%02x) reads 0x%08x, expected 0x..%02x: the BAR does not decode",
			bdf, EDU_IDENT, id, EDU_IDENT_MAGIC);
		return false;
	}
	uint32_t pat = (uint32_t)kt_rand(t);
	for (unsigned i = 0; i < 2; i++, pat = ~pat) { /* both polarities: a stuck bus cannot pass */
		wr(e, EDU_LIVENESS, pat);
		uint32_t got = rd(e, EDU_LIVENESS);
		if (got != ~pat) {
			kt_fail(t, "edu %s liveness register (BAR0+0x%02x): wrote 0x%08x, read 0x%08x, expected 0x%08x "
				   "(bits 0x%08x differ)",
				bdf, EDU_LIVENESS, pat, got, ~pat, got ^ ~pat);
			return false;
		}
	}
	kt_diag(t, "edu %s ident 0x%08x (version %u.%u), liveness ok", bdf, id, id >> 24, (id >> 16) & 0xffu);
	return true;
}

/* The device's own path: a factorial computed, then the completion interrupt. */
static void factorial_irq(struct kt *t, struct edu *e)
{
	wr(e, EDU_STATUS, EDU_STATUS_IRQFACT);
	struct irq_snapshot snap = snapshot(e);
	wr(e, EDU_FACTORIAL, FACT_INPUT);
	if (expect_delivery(t, e, 0, snap, "factorial completion")) {
		uint32_t r = rd(e, EDU_FACTORIAL), st = rd(e, EDU_STATUS);
		if (r != FACT_RESULT || (st & EDU_STATUS_COMPUTING))
			kt_fail(t, "factorial of %u: device says %u (status 0x%08x), expected %u and not computing", FACT_INPUT,
				r, st, FACT_RESULT);
	}
	wr(e, EDU_STATUS, 0);
}

static void masked_msi(struct kt *t, struct edu *e)
{
	if (!pci_msi_maskable(e->d)) {
		kt_diag(t, "edu's MSI capability has no per-vector masking; the disabled-MSI checks stand for it");
		return;
	}
	pci_msi_mask(e->d, true);
	expect_silence(t, e, 0x4u, "masked", false);
	bool pending = false;
	pci_msi_pending(e->d, &pending);
	kt_diag(t, "pending bit while masked: %u", pending);
	pci_msi_mask(e->d, false);
}

void platform_msi_edu(struct kt *t)
{
	static struct edu e; /* the handler may see it after a timed-out case returns */
	char bdf[PCI_BDF_LEN];
	int err = pci_init_status();
	if (err < 0) {
		kt_fail(t, "cannot look for the edu device: PCI enumeration failed: %s", pci_strerror(err));
		return;
	}
	e = (struct edu){.d = pci_find(EDU_VENDOR, EDU_DEVICE, 0), .vector = -1};
	if (!e.d) {
		kt_skip(t, "no QEMU edu device (%04x:%04x) among %u functions; add -device edu", EDU_VENDOR, EDU_DEVICE,
			pci_device_count());
		return;
	}
	pci_bdf(e.d, bdf);
	if (pci_check_present(e.d) != PCI_OK) {
		kt_fail(t, "edu %s: %s", bdf, pci_strerror(PCI_EGONE));
		return;
	}
	volatile void *regs = pci_bar_map(e.d, EDU_BAR, &err);
	if (!regs) {
		kt_fail(t, "edu %s BAR%u: %s", bdf, EDU_BAR, pci_strerror(err));
		return;
	}
	e.regs = (uintptr_t)regs;
	pci_enable_memory(e.d, true);
	if (!edu_alive(t, &e, bdf))
		return;
	if (!e.d->cap_msi) {
		kt_fail(t, "edu %s has no MSI capability (status 0x%04x, capability pointer 0x%02x)", bdf,
			pci_cfg_read16(e.d, PCI_STATUS), pci_cfg_read8(e.d, PCI_CAPABILITY_LIST));
		return;
	}
	wr(&e, EDU_IRQ_ACK, rd(&e, EDU_IRQ_STATUS)); /* start from a quiet device */
	e.vector = irq_alloc(edu_irq, &e);
	if (e.vector < 0) {
		kt_fail(t, "no free interrupt vector for the edu handler");
		return;
	}

	pci_msi_disable(e.d);
	pci_intx_disable(e.d, true);
	pci_set_master(e.d, true);
	expect_silence(t, &e, 0x100u, "disabled (INTx disabled too)", true);
	if (!(pci_cfg_read16(e.d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE))
		kt_fail(t, "edu %s command 0x%04x: INTx disable did not stick", bdf, pci_cfg_read16(e.d, PCI_COMMAND));

	err = pci_msi_enable(e.d, e.vector);
	if (err) {
		kt_fail(t, "edu %s: enabling MSI on vector 0x%x: %s", bdf, e.vector, pci_strerror(err));
	} else {
		uint16_t cmd = pci_cfg_read16(e.d, PCI_COMMAND);
		if (!(cmd & PCI_COMMAND_INTX_DISABLE) || !(cmd & PCI_COMMAND_MASTER))
			kt_fail(t, "edu %s command 0x%04x with MSI on: expected INTx disable and bus master set", bdf, cmd);
		msi_state(t, &e, "MSI enabled");
		uint32_t val = ((uint32_t)kt_rand(t) | 0x2u) & ~EDU_FACT_IRQ;
		if (expect_delivery(t, &e, val, snapshot(&e), "raise via 0x60")) {
			factorial_irq(t, &e);
			masked_msi(t, &e);
		}
		pci_msi_disable(e.d);
		expect_silence(t, &e, 0x200u, "disabled again after use", true);
	}
	pci_msi_disable(e.d);
	pci_set_master(e.d, false);
	irq_free(e.vector);
	kt_diag(t, "vector 0x%x fired %llu times in all", e.vector, (unsigned long long)irq_count(e.vector));
}
