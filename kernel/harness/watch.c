#include "kernel/harness/watch.h"

#include "drivers/accel/accel.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pci/pci.h"
#include "kernel/time.h"

#define FINDINGS 16
#define FINDING_LEN 300
#define HOUR_NS (3600ull * NS_PER_S)

struct dev_state {
	bool gone;                  /* reported */
	bool has_link;
	uint8_t speed, width;       /* last link state seen (reported when it changed) */
	bool aer_ok;
	uint32_t aer_cor, aer_uncor; /* bits left set at the last read: a bit set since is a new error */
	uint32_t cor_count, uncor_count; /* AER errors counted in the run (bits seen set, then cleared) */
	uint32_t derr;              /* uncorrected ECC errors already accounted for */
	bool serr_over, rate_over;  /* reported */
	bool over[ACCEL_CHECKS];    /* out of bounds at the last read (at the start: left to the sensor cases) */
};

static struct dev_state st[ACCEL_MAX];
static struct accel_limits limits;
static uint32_t serr_max = CFG_LIMIT_OFF, serr_rate_max = CFG_LIMIT_OFF;
static uint32_t aer_cor_max, aer_uncor_max;
static volatile bool started, busy;
static volatile bool sensors_due;
static char findings[FINDINGS][FINDING_LEN];
static volatile unsigned f_head, f_tail, f_lost;

static void add(const char *when, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(const char *when, const char *fmt, ...)
{
	int on = irq_save();
	if (f_head - f_tail >= FINDINGS) {
		f_lost++;
		irq_restore(on);
		return;
	}
	char *b = findings[f_head % FINDINGS];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(b, FINDING_LEN, fmt, ap);
	va_end(ap);
	if (n > 0 && (unsigned)n < FINDING_LEN)
		ksnprintf(b + n, FINDING_LEN - (unsigned)n, "; first seen %s", when);
	f_head++;
	irq_restore(on);
}

static void link_read(struct accel *a, bool *have, uint8_t *speed, uint8_t *width)
{
	struct pci_link l;
	*have = pci_link_info(a->pci, &l) == PCI_OK && l.has_link;
	*speed = *have ? l.cur_speed : 0;
	*width = *have ? l.cur_width : 0;
}

/* Presence, link, AER, ECC: plain register reads, safe from the timer interrupt. */
static void read_registers(const char *when, bool baseline)
{
	for (unsigned i = 0; i < accel_count_all(); i++) {
		struct accel *a = accel_get_all(i);
		struct dev_state *s = &st[i];
		if (s->gone)
			continue;
		if (pci_check_present(a->pci) != PCI_OK || accel_check_alive(a) != ACCEL_OK) {
			s->gone = true;
			if (!baseline)
				add(when, "health: accel%u %s: device presence: not responding (configuration reads all-ones)", i, a->bdf);
			continue;
		}
		bool have;
		uint8_t speed, width;
		link_read(a, &have, &speed, &width);
		if (baseline) {
			s->has_link = have;
			s->speed = speed;
			s->width = width;
		} else if (have != s->has_link || speed != s->speed || width != s->width) {
			add(when, "health: accel%u %s: PCIe link changed from x%u at %s to x%u at %s", i, a->bdf, s->width,
			    pci_link_speed_name(s->speed), width, pci_link_speed_name(speed));
			s->has_link = have;
			s->speed = speed;
			s->width = width;
		}
		struct pci_aer_status aer;
		if (pci_aer_read(a->pci, &aer) == PCI_OK) {
			uint32_t nu = aer.uncor_status & ~s->aer_uncor, nc = aer.cor_status & ~s->aer_cor;
			if (!baseline && s->aer_ok && (nu | nc)) {
				/* each bit newly set is one error; cleared (RW1C) so its next occurrence
				 * counts again. Bits set at the start are pci-aer's to judge and clear. */
				struct pci_aer_status clr = {.uncor_status = nu, .cor_status = nc};
				pci_aer_clear(a->pci, &clr);
				aer.uncor_status &= ~nu;
				aer.cor_status &= ~nc;
				s->uncor_count += (uint32_t)__builtin_popcount(nu);
				s->cor_count += (uint32_t)__builtin_popcount(nc);
			}
			if (!baseline && s->aer_ok && nu && s->uncor_count > aer_uncor_max)
				add(when, "health: accel%u %s: PCIe AER uncorrectable error status bits 0x%08x newly set: %u "
					  "uncorrectable error(s) in this run, above the limit %u (pcie.aer_uncor_max)",
				    i, a->bdf, nu, s->uncor_count, aer_uncor_max);
			if (!baseline && s->aer_ok && nc && s->cor_count > aer_cor_max)
				add(when, "health: accel%u %s: PCIe AER correctable error status bits 0x%08x newly set: %u "
					  "correctable error(s) in this run, above the limit %u (pcie.aer_cor_max)",
				    i, a->bdf, nc, s->cor_count, aer_cor_max);
			s->aer_uncor = aer.uncor_status;
			s->aer_cor = aer.cor_status;
			s->aer_ok = true;
		}
		if (a->resetting)
			continue; /* the ECC totals are being folded: read them next time */
		struct accel_ecc e;
		accel_ecc_read(a, &e);
		if (a->gone)
			continue;
		if (baseline) {
			s->derr = e.derr;
			continue;
		}
		if (e.derr > s->derr) {
			add(when, "health: accel%u %s: HBM ECC: %u new uncorrected (double-bit) error(s), %u in this run; last at hbm+0x%llx",
			    i, a->bdf, e.derr - s->derr, e.derr, (unsigned long long)e.last_addr);
			s->derr = e.derr;
		}
		if (serr_max != CFG_LIMIT_OFF && e.serr > serr_max && !s->serr_over) {
			s->serr_over = true;
			add(when, "health: accel%u %s: HBM ECC: %u corrected errors in this run, above the limit %u (ecc_serr_max)",
			    i, a->bdf, e.serr, serr_max);
		}
	}
}

/* The device-CPU sensors: thread context only. A reading that goes out of bounds is a
 * finding; one out of bounds from the start is the sensor cases' to judge. */
static void read_sensors(const char *when, bool baseline)
{
	for (unsigned i = 0; i < accel_count_all(); i++) {
		struct accel *a = accel_get_all(i);
		if (st[i].gone || a->gone)
			continue;
		for (unsigned c = 0; c < ACCEL_CHECKS; c++) {
			char why[240];
			int r = accel_check(a, (enum accel_check)c, &limits, why, sizeof why);
			if (r < 0)
				break; /* a device CPU that does not answer: the sensor cases (and presence) report it */
			bool over = r == 1;
			if (over && !st[i].over[c] && !baseline)
				add(when, "health: accel%u %s", i, why);
			st[i].over[c] = over;
		}
		/* the corrected-error rate: its clock may be the device's (accel_elapsed_ns) */
		if (serr_rate_max != CFG_LIMIT_OFF && !st[i].rate_over && !baseline && !a->resetting) {
			struct accel_ecc e;
			accel_ecc_read(a, &e);
			uint64_t elapsed = accel_elapsed_ns(a), window = elapsed > HOUR_NS ? elapsed : HOUR_NS;
			uint64_t allowed = (uint64_t)serr_rate_max * (window / NS_PER_S) / 3600;
			if (!a->gone && e.serr > allowed) {
				st[i].rate_over = true;
				add(when, "health: accel%u %s: HBM ECC: %u corrected errors in %llu s, above %u per hour "
					  "(ecc_serr_rate_max; %llu allowed over a window of %llu s)",
				    i, a->bdf, e.serr, (unsigned long long)(elapsed / NS_PER_S), serr_rate_max,
				    (unsigned long long)allowed, (unsigned long long)(window / NS_PER_S));
			}
		}
	}
}

static void fmt_when(char *b, unsigned len, const char *how, const char *case_name)
{
	uint64_t ms = time_ns() / NS_PER_MS;
	ksnprintf(b, len, "at %llu.%03llu s (%s %s)", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000), how,
		  case_name);
}

void watch_start(const struct kiln_config *c)
{
	limits = (struct accel_limits){c->temp_max_c, c->power_max_w, c->fan_min_rpm, c->voltage_min_mv,
				       c->voltage_max_mv, c->current_max_a, c->pcie_replay_max};
	serr_max = c->ecc_serr_max;
	serr_rate_max = c->ecc_serr_rate_max;
	aer_cor_max = c->pcie.aer_cor_max;
	aer_uncor_max = c->pcie.aer_uncor_max;
	busy = true;
	read_registers("", true);
	read_sensors("", true);
	busy = false;
	started = true;
}

void watch_tick(const char *running_case)
{
	if (!started || busy)
		return;
	busy = true;
	char when[96];
	fmt_when(when, sizeof when, "heartbeat during", running_case ? running_case : "no case");
	read_registers(when, false);
	sensors_due = true;
	busy = false;
}

void watch_case_end(const char *case_name, bool pass_end, unsigned pass, void (*fail)(const char *text))
{
	if (!started)
		return;
	int on = irq_save();
	bool mine = !busy;
	busy = true;
	irq_restore(on);
	if (!mine)
		return;
	char when[96];
	if (pass_end) {
		char how[40];
		ksnprintf(how, sizeof how, "at the end of pass %u, after", pass);
		fmt_when(when, sizeof when, how, case_name);
	} else {
		fmt_when(when, sizeof when, "after", case_name);
	}
	read_registers(when, false);
	if (pass_end || sensors_due) {
		sensors_due = false;
		read_sensors(when, false);
	}
	busy = false;
	for (;;) {
		char text[FINDING_LEN];
		on = irq_save();
		if (f_tail == f_head) {
			irq_restore(on);
			break;
		}
		memcpy(text, findings[f_tail % FINDINGS], sizeof text);
		f_tail++;
		irq_restore(on);
		fail(text);
	}
	if (f_lost) {
		char text[80];
		ksnprintf(text, sizeof text, "health: %u more finding(s) not kept (the watch holds %u)", f_lost, FINDINGS);
		f_lost = 0;
		fail(text);
	}
}

void watch_aer_add(unsigned dev, uint32_t cor_bits, uint32_t uncor_bits, uint32_t *cor_total, uint32_t *uncor_total)
{
	if (dev >= ACCEL_MAX) {
		*cor_total = (uint32_t)__builtin_popcount(cor_bits);
		*uncor_total = (uint32_t)__builtin_popcount(uncor_bits);
		return;
	}
	int on = irq_save();
	struct dev_state *s = &st[dev];
	s->cor_count += (uint32_t)__builtin_popcount(cor_bits);
	s->uncor_count += (uint32_t)__builtin_popcount(uncor_bits);
	*cor_total = s->cor_count;
	*uncor_total = s->uncor_count;
	irq_restore(on);
}
