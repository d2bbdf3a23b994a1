/* platform-acpi-tables: the firmware's ACPI tables are present, checksummed and agree
 * with the CPU Kiln runs on. */
#include "kernel/acpi.h"
#include "kernel/harness/ktest.h"
#include "kernel/arch/x86/lapic.h"

static const char *const required[] = {"FACP", "APIC", "MCFG", "DSDT"};

void platform_acpi_tables(struct kt *t)
{
	const struct acpi_info *ai = &kernel_acpi;
	if (!ai->rsdp_ok) {
		kt_fail(t, "RSDP signature or checksum is bad");
		return;
	}
	kt_diag(t, "RSDP revision %d, OEM '%s', root table %s", ai->rsdp_revision, ai->rsdp_oem,
		ai->use_xsdt ? "XSDT" : "RSDT");
	for (unsigned i = 0; i < ai->table_count; i++) {
		const struct acpi_table_ref *r = &ai->tables[i];
		kt_diag(t, "%s rev %u at 0x%llx, %u bytes, OEM '%s' '%s', checksum %s", r->sig, r->revision,
			(unsigned long long)r->phys, r->length, r->oem_id, r->oem_table_id, r->checksum_ok ? "ok" : "BAD");
		if (!r->checksum_ok)
			kt_fail(t, "table %s at 0x%llx fails its checksum", r->sig, (unsigned long long)r->phys);
	}
	if (ai->rsdp_revision >= 2 && !ai->use_xsdt)
		kt_fail(t, "ACPI %d RSDP without an XSDT", ai->rsdp_revision);
	for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!acpi_find(ai, required[i]))
			kt_fail(t, "required table %s is missing", required[i]);
	if (!ai->pm_timer_port && !ai->pm_timer_mmio && !ai->hpet_base)
		kt_fail(t, "neither the FADT PM timer nor an HPET is described");
	if (!ai->mcfg_count)
		kt_fail(t, "MCFG lists no ECAM region");
	if (!ai->cpu_count) {
		kt_fail(t, "MADT lists no enabled CPU");
		return;
	}
	uint32_t me = lapic_id();
	int found = 0;
	for (unsigned i = 0; i < ai->cpu_entries && i < ACPI_MAX_CPUS; i++)
		found |= ai->cpu_apic_ids[i] == me && (ai->cpu_flags[i] & ACPI_CPU_ENABLED);
	if (!found)
		kt_fail(t, "the boot CPU's APIC id %u is not among the MADT's %u enabled CPUs", me, ai->cpu_count);
	kt_diag(t, "%u CPUs, %u I/O APICs, LAPIC at 0x%llx, %u ECAM region(s)", ai->cpu_count, ai->ioapic_count,
		(unsigned long long)ai->lapic_base, ai->mcfg_count);
}
