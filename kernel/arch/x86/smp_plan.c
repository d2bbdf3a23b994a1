/* The CPU list's decisions and the start-up sequence (smp_plan.h). */
#include "kernel/arch/x86/smp_plan.h"

#include "kernel/arch/x86/atomic.h"
#include "kernel/lib/fmt.h"

static const char *const names[SMP_FATE_COUNT] = {
	[SMP_FATE_START] = "started",
	[SMP_FATE_SELF] = "boot CPU",
	[SMP_FATE_DISABLED] = "disabled",
	[SMP_FATE_ONLINE_CAPABLE] = "online-capable, not enabled",
	[SMP_FATE_DUPLICATE] = "duplicate APIC id",
	[SMP_FATE_UNREACHABLE] = "APIC id above 254 in xAPIC mode",
	[SMP_FATE_NOT_WANTED] = "beyond cpus=",
	[SMP_FATE_OVER_CAP] = "beyond Kiln's maximum",
};

const char *smp_fate_name(enum smp_fate f) { return f < SMP_FATE_COUNT ? names[f] : "?"; }

static bool enabled_before(const struct smp_entry *e, const uint8_t *fate, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (e[k].apic_id == e[i].apic_id && fate[k] != SMP_FATE_DISABLED && fate[k] != SMP_FATE_ONLINE_CAPABLE)
			return true;
	return false;
}

unsigned smp_plan(const struct smp_entry *e, unsigned n, uint32_t self, unsigned want, unsigned max, bool x2apic,
		  uint8_t *fate, unsigned count[SMP_FATE_COUNT])
{
	for (unsigned f = 0; f < SMP_FATE_COUNT; f++)
		count[f] = 0;
	unsigned used = 1; /* the boot CPU, listed or not */
	bool self_seen = false;
	for (unsigned i = 0; i < n; i++) {
		enum smp_fate f;
		if (!(e[i].flags & SMP_ENTRY_ENABLED))
			f = (e[i].flags & SMP_ENTRY_ONLINE_CAPABLE) ? SMP_FATE_ONLINE_CAPABLE : SMP_FATE_DISABLED;
		else if (e[i].apic_id == self && !self_seen)
			f = SMP_FATE_SELF, self_seen = true;
		else if (e[i].apic_id == self || enabled_before(e, fate, i))
			f = SMP_FATE_DUPLICATE;
		else if (!x2apic && e[i].apic_id > SMP_XAPIC_MAX_ID)
			f = SMP_FATE_UNREACHABLE;
		else if (want && used >= want)
			f = SMP_FATE_NOT_WANTED;
		else if (used >= max)
			f = SMP_FATE_OVER_CAP;
		else
			f = SMP_FATE_START, used++;
		fate[i] = (uint8_t)f;
		count[f]++;
	}
	return count[SMP_FATE_START];
}

unsigned smp_plan_ids(const struct smp_entry *e, const uint8_t *fate, unsigned n, enum smp_fate f, char *buf,
		      size_t len)
{
	unsigned found = 0;
	size_t at = 0;
	bool cut = false;
	if (len)
		buf[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		if (fate[i] != f)
			continue;
		found++;
		if (cut || !len)
			continue;
		char one[16];
		int w = ksnprintf(one, sizeof one, "%s%u", at ? ", " : "", e[i].apic_id);
		if (at + (size_t)w + 5 >= len) { /* room for ", ..." */
			ksnprintf(buf + at, len - at, "%s...", at ? ", " : "");
			cut = true;
			continue;
		}
		ksnprintf(buf + at, len - at, "%s", one);
		at += (size_t)w;
	}
	return found;
}

bool smp_start_one(volatile int *state, uint32_t apic_id, uint8_t page, const struct smp_hw *hw, uint64_t report_us)
{
	atomic_store(state, CPU_STARTING);
	atomic_fence();
	hw->send_init(apic_id);
	hw->delay_us(SMP_INIT_DELAY_US);
	for (int sipi = 0; sipi < 2 && atomic_load(state) != CPU_ONLINE; sipi++) {
		hw->send_sipi(apic_id, page);
		hw->delay_us(SMP_SIPI_DELAY_US);
	}
	uint64_t t0 = hw->now_us();
	while (atomic_load(state) != CPU_ONLINE && hw->now_us() - t0 < report_us)
		cpu_relax();
	/* Late is failed: the AP takes STARTING -> ONLINE with the same compare-and-swap, so
	 * exactly one of the two wins. */
	int starting = CPU_STARTING;
	if (!atomic_cas(state, &starting, CPU_FAILED))
		return true; /* it reported in at the last moment */
	hw->send_init(apic_id); /* park it */
	return false;
}
