#include "kernel/harness/identity.h"

#include "boot/boot_info.h"
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "boot/efi_memtype.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

#define SMBIOS_EP_MAX 32

static struct identity id;

static const uint8_t *map_bytes(uint64_t phys, uint64_t len)
{
	if (!phys || paging_map(phys, len, MAP_UC) < 0)
		return 0;
	return (const uint8_t *)(uintptr_t)phys;
}

static void collect_smbios(const struct boot_info *bi)
{
	uint64_t ep_phys = bi->smbios3 ? bi->smbios3 : bi->smbios;
	const uint8_t *ep = map_bytes(ep_phys, SMBIOS_EP_MAX);
	uint64_t table;
	uint32_t len;
	unsigned major, minor;
	if (!ep || smbios_entry(ep, SMBIOS_EP_MAX, &table, &len, &major, &minor) < 0) {
		/* a 3.x entry point may be unusable while a 2.x one is fine */
		ep = bi->smbios3 && bi->smbios ? map_bytes(bi->smbios, SMBIOS_EP_MAX) : 0;
		if (!ep || smbios_entry(ep, SMBIOS_EP_MAX, &table, &len, &major, &minor) < 0)
			return;
	}
	const uint8_t *t = map_bytes(table, len);
	if (t && smbios_parse(t, len, major, minor, &id.smbios) == 0)
		id.smbios_ok = 1;
}

static void collect_cpu(void)
{
	uint32_t r[4];
	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000004) {
		memcpy(id.cpu_brand, "(no brand string)", 18);
		return;
	}
	for (uint32_t leaf = 0; leaf < 3; leaf++) {
		cpuid(0x80000002 + leaf, 0, r);
		memcpy(id.cpu_brand + leaf * 16, r, 16);
	}
	id.cpu_brand[48] = 0;
	char *s = id.cpu_brand; /* brand strings are often right-justified */
	while (*s == ' ')
		s++;
	memmove(id.cpu_brand, s, strlen(s) + 1);
}

void identity_collect(const struct boot_info *bi)
{
	collect_smbios(bi);
	collect_cpu();
	id.cpus = kernel_acpi.cpu_count;
	memcpy(id.fw_vendor, bi->fw_vendor, sizeof id.fw_vendor);
	id.fw_revision = bi->fw_revision;
	id.uefi_revision = bi->uefi_revision;
	uint64_t pages = 0;
	for (uint64_t off = 0; off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + off);
		if ((d->type >= EFI_LOADER_CODE && d->type <= EFI_CONVENTIONAL) || d->type == EFI_ACPI_RECLAIM ||
		    d->type == EFI_ACPI_NVS || d->type == EFI_PERSISTENT)
			pages += d->pages;
	}
	id.memory_mib = pages * PAGE_SIZE >> 20;
}

const struct identity *identity_get(void) { return &id; }

void identity_print(void)
{
	const struct smbios_info *s = &id.smbios;
	if (id.smbios_ok) {
		kprintf("# kiln: identity system manufacturer=\"%s\" product=\"%s\" version=\"%s\" serial=\"%s\" uuid=%s\n",
			s->sys_manufacturer, s->sys_product, s->sys_version, s->sys_serial,
			s->sys_uuid[0] ? s->sys_uuid : "(none)");
		kprintf("# kiln: identity baseboard manufacturer=\"%s\" product=\"%s\" serial=\"%s\"\n",
			s->board_manufacturer, s->board_product, s->board_serial);
		kprintf("# kiln: identity bios vendor=\"%s\" version=\"%s\" date=\"%s\" smbios=%u.%u\n", s->bios_vendor,
			s->bios_version, s->bios_date, s->major, s->minor);
	} else {
		kprintf("# kiln: identity system (no usable SMBIOS table)\n");
	}
	kprintf("# kiln: identity firmware vendor=\"%s\" revision=0x%x uefi=%u.%u\n", id.fw_vendor, id.fw_revision,
		id.uefi_revision >> 16, (id.uefi_revision & 0xffff) / 10);
	kprintf("# kiln: identity cpu \"%s\" count=%u\n", id.cpu_brand, id.cpus);
	kprintf("# kiln: identity memory %llu MiB\n", (unsigned long long)id.memory_mib);
	if (!id.smbios_ok)
		return;
	uint64_t dimm_mib = 0;
	for (unsigned i = 0; i < s->dimm_slots && i < SMBIOS_DIMM_MAX; i++) {
		const struct smbios_dimm *d = &s->dimm[i];
		char tb[12];
		dimm_mib += d->size_mib;
		if (!d->size_mib && !d->size_unknown) {
			kprintf("# kiln: identity dimm \"%s\" bank=\"%s\" empty\n", d->locator, d->bank);
			continue;
		}
		char size[24];
		if (d->size_unknown)
			ksnprintf(size, sizeof size, "unknown");
		else
			ksnprintf(size, sizeof size, "%lluMiB", (unsigned long long)d->size_mib);
		kprintf("# kiln: identity dimm \"%s\" bank=\"%s\" size=%s type=%s speed=%uMT/s configured=%uMT/s "
			"manufacturer=\"%s\" part=\"%s\" serial=\"%s\"\n",
			d->locator, d->bank, size, smbios_mem_type_name(d->type, tb), d->speed_mts, d->configured_mts,
			d->manufacturer, d->part, d->serial);
	}
	if (s->dimm_slots)
		kprintf("# kiln: identity dimms %u of %u slots populated, %llu MiB in modules, %u mapped range(s) of %llu "
			"MiB%s\n",
			smbios_dimms_populated(s), s->dimm_slots, (unsigned long long)dimm_mib, s->arrays_mapped,
			(unsigned long long)(s->array_bytes >> 20), s->dimm_dropped ? " (table has more slots than listed)" : "");
	else
		kprintf("# kiln: identity dimms none described (no SMBIOS type 17)\n");
}
