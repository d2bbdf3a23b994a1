/* platform-memory-modules: the memory modules SMBIOS describes (type 17), and with
 * expect.dimms=<N>x<size> at least N populated modules of at least that size: a missing
 * module is named by its empty slot, a smaller one by its locator. */
#include "kernel/harness/config.h"
#include "kernel/harness/identity.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"

void platform_memory_modules(struct kt *t)
{
	const struct identity *id = identity_get();
	const struct smbios_info *s = &id->smbios;
	const struct cfg_memory *want = kiln_cfg ? &kiln_cfg->memory : 0;
	if (!id->smbios_ok || !s->dimm_slots) {
		if (want && want->modules)
			kt_fail(t, "expect.dimms=%ux%lluM but the firmware's SMBIOS describes no memory device (type 17)",
				want->modules, (unsigned long long)want->module_mib);
		else
			kt_skip(t, "the firmware's SMBIOS describes no memory device (type 17)");
		return;
	}
	unsigned populated = smbios_dimms_populated(s), kept = s->dimm_slots < SMBIOS_DIMM_MAX ? s->dimm_slots : SMBIOS_DIMM_MAX;
	uint64_t total = 0;
	for (unsigned i = 0; i < kept; i++)
		total += s->dimm[i].size_mib;
	kt_diag(t, "%u of %u slots populated, %llu MiB in modules; %u mapped range(s) of %llu MiB", populated, s->dimm_slots,
		(unsigned long long)total, s->arrays_mapped, (unsigned long long)(s->array_bytes >> 20));
	if (!want || !want->modules)
		return;
	char empty[400] = "";
	size_t n = 0;
	for (unsigned i = 0; i < kept; i++) {
		const struct smbios_dimm *d = &s->dimm[i];
		if (!d->size_mib && !d->size_unknown) {
			if (n < sizeof empty)
				n += (size_t)ksnprintf(empty + n, sizeof empty - n, "%s\"%s\"", n ? ", " : "", d->locator);
			continue;
		}
		if (d->size_unknown)
			kt_fail(t, "module \"%s\" (bank \"%s\", serial \"%s\"): size unknown to the firmware, expected at least %llu MiB",
				d->locator, d->bank, d->serial, (unsigned long long)want->module_mib);
		else if (d->size_mib < want->module_mib)
			kt_fail(t, "module \"%s\" (bank \"%s\", part \"%s\", serial \"%s\"): %llu MiB, expected at least %llu MiB",
				d->locator, d->bank, d->part, d->serial, (unsigned long long)d->size_mib,
				(unsigned long long)want->module_mib);
	}
	if (populated < want->modules)
		kt_fail(t, "%u modules populated, expected at least %u; empty slots: %s", populated, want->modules,
			empty[0] ? empty : "(none described: the table lists only populated slots)");
	else
		kt_diag(t, "expect.dimms=%ux%lluM: %u modules present", want->modules, (unsigned long long)want->module_mib,
			populated);
}
