/* Interrupts: one MSI-X vector per source (EQ, device CPU, sync manager, self-test, each
 * CQ, each NIC ring). When that is impossible — no MSI-X capability, a short table, no
 * free CPU vectors, or accel_irq=shared|poll — one shared vector demultiplexed through
 * IRQ_STATUS, or polling; the reason is kept in irq_note and printed. Waiters always
 * poll their rings with a deadline, so a lost interrupt is noticed, never waited on.
 * Every entry delivers to one CPU, the one that drives the device (accel_irq_steer): the
 * boot CPU, or a parallel lane's AP while the lane runs, so the waiter takes its own
 * interrupts and never depends on another CPU being scheduled. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_core.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"
#include "kernel/time.h"

static enum accel_irq_mode accel_irq_wanted = ACCEL_IRQ_MSIX;

void accel_set_irq_mode(enum accel_irq_mode mode)
{
	accel_irq_wanted = mode;
}

struct src_ctx {
	struct accel *a;
	unsigned src;
};
static struct src_ctx ctx[ACCEL_MAX][KILN_MSIX_VECTORS];

/* The CPU that took the source is stored before the count moves: a waiter that sees the
 * count sees who took it. */
static void took(struct accel *a, unsigned src)
{
	atomic_store(&a->irq_last_apic[src], this_cpu()->apic_id);
	atomic_add(&a->irq_count[src], 1);
}

static void on_source(void *c, uint8_t vec)
{
	struct src_ctx *s = c;
	took(s->a, s->src);
}

static void on_shared(void *c, uint8_t vec)
{
	struct accel *a = c;
	uint32_t st = accel_rd(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS);
	if (st == 0xffffffffu)
		return; /* gone: nothing to demultiplex */
	accel_wr(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS, st);
	uint32_t hi = 0;
	if (accel_irq_sources(a) > 32) { /* vectors 32..63: ports 10 and up */
		hi = accel_rd(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS_HI);
		accel_wr(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS_HI, hi);
	}
	uint64_t all = (uint64_t)hi << 32 | st;
	for (unsigned v = 0; v < KILN_MSIX_VECTORS; v++)
		if (all & (1ull << v))
			took(a, v);
}

void accel_irq_teardown(struct accel *a)
{
	if (a->irq_mode == ACCEL_IRQ_POLL)
		return;
	pci_msix_disable(a->pci);
	int last = -1;
	for (unsigned v = 0; v < KILN_MSIX_VECTORS; v++) {
		if (a->vector[v] > 0 && a->vector[v] != last)
			irq_free(a->vector[v]);
		last = a->vector[v];
		a->vector[v] = 0;
	}
}

/* Point entry v at CPU vector vec, delivered to the CPU that drives the device. */
static void program(struct accel *a, unsigned v, int vec)
{
	a->vector[v] = vec;
	pci_msix_set_vector(a->pci, v, vec);
	if (a->irq_apic != irq_boot_apic_id())
		pci_msix_set_dest(a->pci, v, a->irq_apic);
}

int accel_irq_steer(struct accel *a, uint32_t apic_id)
{
	if (!irq_msi_reachable(apic_id))
		return ACCEL_EINVAL;
	a->irq_apic = apic_id;
	a->irq_apic_set = true;
	if (a->irq_mode == ACCEL_IRQ_POLL)
		return ACCEL_OK;
	unsigned table = pci_msix_table_size(a->pci);
	for (unsigned v = 0; v < table && v < KILN_MSIX_VECTORS; v++)
		if (a->vector[v] > 0 && pci_msix_set_dest(a->pci, v, apic_id) == PCI_EGONE)
			return ACCEL_EGONE;
	return ACCEL_OK;
}

bool accel_irq_own_vector(const struct accel *a, unsigned src)
{
	return a->irq_mode == ACCEL_IRQ_MSIX && src < KILN_MSIX_VECTORS && a->vector[src] > 0;
}

int accel_irq_hold(struct accel *a, unsigned src, bool hold)
{
	if (!accel_irq_own_vector(a, src))
		return ACCEL_EINVAL;
	return pci_msix_mask(a->pci, src, hold) == PCI_OK ? ACCEL_OK : ACCEL_EGONE;
}

static int setup_shared(struct accel *a, unsigned table)
{
	int vec = irq_alloc(on_shared, a);
	if (vec < 0)
		return -1;
	for (unsigned v = 0; v < table && v < KILN_MSIX_VECTORS; v++)
		program(a, v, vec);
	a->irq_mode = ACCEL_IRQ_SHARED;
	return 0;
}

int accel_irq_setup(struct accel *a, char *why, unsigned len)
{
	a->irq_note[0] = 0;
	for (unsigned v = 0; v < KILN_MSIX_VECTORS; v++) {
		a->vector[v] = 0;
		a->irq_count[v] = 0;
		a->irq_last_apic[v] = 0;
	}
	if (!a->irq_apic_set) {
		a->irq_apic = irq_boot_apic_id();
		a->irq_apic_set = true;
	}
	if (accel_irq_wanted == ACCEL_IRQ_POLL || !a->pci->cap_msix) {
		a->irq_mode = ACCEL_IRQ_POLL;
		ksnprintf(a->irq_note, sizeof a->irq_note, "(polling: %s)",
			  a->pci->cap_msix ? "accel_irq=poll" : "the function has no MSI-X capability");
		return ACCEL_OK;
	}
	unsigned table = pci_msix_table_size(a->pci);
	int r = pci_msix_enable(a->pci);
	if (r) {
		a->irq_mode = ACCEL_IRQ_POLL;
		ksnprintf(a->irq_note, sizeof a->irq_note, "(polling: MSI-X cannot be enabled: %s)", pci_strerror(r));
		return ACCEL_OK;
	}
	pci_msix_function_mask(a->pci, true);
	if (accel_irq_wanted == ACCEL_IRQ_SHARED || table < KILN_MSIX_VECTORS) {
		if (setup_shared(a, table) < 0)
			goto no_vectors;
		ksnprintf(a->irq_note, sizeof a->irq_note, "(one shared vector: %s)",
			  accel_irq_wanted == ACCEL_IRQ_SHARED ? "accel_irq=shared" : "the MSI-X table is too short");
	} else {
		a->irq_mode = ACCEL_IRQ_MSIX;
		/* one CPU vector per source this device has (12 + 2 per port); the rest stay masked */
		for (unsigned v = 0; v < accel_irq_sources(a); v++) {
			ctx[a->index][v] = (struct src_ctx){a, v};
			int vec = irq_alloc(on_source, &ctx[a->index][v]);
			if (vec < 0) {
				/* out of CPU vectors (many devices): give back what we took, share one */
				for (unsigned k = 0; k < v; k++) {
					irq_free(a->vector[k]);
					a->vector[k] = 0;
				}
				if (setup_shared(a, table) < 0)
					goto no_vectors;
				ksnprintf(a->irq_note, sizeof a->irq_note, "(one shared vector: CPU vectors exhausted)");
				break;
			}
			program(a, v, vec);
		}
	}
	for (unsigned v = 0; v < table && v < accel_irq_sources(a); v++)
		pci_msix_mask(a->pci, v, false);
	pci_msix_function_mask(a->pci, false);
	(void)why;
	(void)len;
	return ACCEL_OK;
no_vectors:
	pci_msix_disable(a->pci);
	a->irq_mode = ACCEL_IRQ_POLL;
	ksnprintf(a->irq_note, sizeof a->irq_note, "(polling: no free CPU interrupt vector)");
	return ACCEL_OK;
}

int accel_irq_selftest(struct accel *a, unsigned source, char *why, unsigned len)
{
	if (a->irq_mode == ACCEL_IRQ_POLL) {
		ksnprintf(why, len, "interrupts are not in use %s", a->irq_note);
		return ACCEL_EINVAL;
	}
	uint64_t before = a->irq_count[source];
	accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_IRQ, source);
	struct deadline d = deadline_in_ms(ACCEL_SELFTEST_TIMEOUT_MS);
	while (a->irq_count[source] == before) {
		if (accel_check_alive(a)) {
			ksnprintf(why, len, "%s", accel_strerror(ACCEL_EGONE));
			return ACCEL_EGONE;
		}
		if (deadline_passed(d)) {
			bool pending = false;
			pci_msix_pending(a->pci, source, &pending);
			ksnprintf(why, len,
				  "interrupt fault: MSI-X vector %u raised by the self-test hook never arrived within %u ms "
				  "(CPU vector 0x%x, pending bit %u, IRQ_STATUS 0x%08x)",
				  source, ACCEL_SELFTEST_TIMEOUT_MS, a->vector[source], pending,
				  accel_rd(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS));
			return ACCEL_EIRQ;
		}
		cpu_relax();
	}
	/* It arrived: on the CPU its entry names, and that is the CPU driving the device. */
	uint32_t got = atomic_load(&a->irq_last_apic[source]), me = this_cpu()->apic_id, dest = 0;
	pci_msix_dest(a->pci, source, &dest);
	if (got != dest || dest != me) {
		ksnprintf(why, len,
			  "interrupt fault: MSI-X vector %u was taken by the CPU with APIC id %u; its entry names APIC id %u "
			  "and the device is driven from APIC id %u",
			  source, got, dest, me);
		return ACCEL_EIRQ;
	}
	return ACCEL_OK;
}
