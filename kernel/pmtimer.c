#include "kernel/pmtimer.h"

#include "kernel/acpi.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/paging.h"

#define HPET_CAP 0x000
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0f0
#define HPET_ENABLE 1ull
#define HPET_FS_PER_S 1000000000000000ull

static uint16_t pm_port;
static uintptr_t pm_mmio;
static uintptr_t hpet;

static uint64_t pm_read_io(void) { return inl(pm_port); }
static uint64_t pm_read_mmio(void) { return mmio_read32(pm_mmio); }
static uint64_t hpet_read(void) { return mmio_read64(hpet + HPET_COUNTER); }

int pmtimer_get(struct refclock *rc)
{
	const struct acpi_info *ai = &kernel_acpi;
	rc->name = "acpi-pm-timer";
	rc->hz = PM_TIMER_HZ;
	rc->mask = ai->pm_timer_32bit ? 0xffffffffull : 0xffffffull;
	if (ai->pm_timer_port) {
		pm_port = (uint16_t)ai->pm_timer_port;
		rc->read = pm_read_io;
		return 0;
	}
	if (ai->pm_timer_mmio) {
		pm_mmio = (uintptr_t)mmio_map(ai->pm_timer_mmio, 4);
		if (!pm_mmio)
			return -1;
		rc->read = pm_read_mmio;
		return 0;
	}
	return -1;
}

int hpet_get(struct refclock *rc)
{
	if (!kernel_acpi.hpet_base)
		return -1;
	hpet = (uintptr_t)mmio_map(kernel_acpi.hpet_base, PAGE_SIZE);
	if (!hpet)
		return -1;
	uint64_t period_fs = mmio_read64(hpet + HPET_CAP) >> 32;
	if (period_fs == 0 || period_fs > 100000000ull) /* the spec caps the period at 100 ns */
		return -1;
	mmio_write64(hpet + HPET_CONFIG, mmio_read64(hpet + HPET_CONFIG) | HPET_ENABLE);
	rc->name = "hpet";
	rc->hz = HPET_FS_PER_S / period_fs;
	rc->mask = ~0ull;
	rc->read = hpet_read;
	return 0;
}
