/* The hand-off from boot/ (UEFI boot services alive) to kernel/ (we own the machine).
 * Plain data only: the kernel never calls boot services, so everything it needs from
 * the firmware is gathered here before ExitBootServices. */
#ifndef KILN_BOOT_INFO_H
#define KILN_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC 0x4b494c4e424f4f54ull /* "KILNBOOT" */
#define BOOT_CMDLINE_MAX 2048
#define BOOT_CONFIG_MAX (64 * 1024)
#define BOOT_PATH_MAX 256

/* UEFI memory descriptor layout (UEFI 2.10 §7.2, EFI_MEMORY_DESCRIPTOR). Walk the map
 * with desc_size, never sizeof: firmware may append fields. */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys;
	uint64_t virt;
	uint64_t pages;
	uint64_t attr;
};

struct boot_info {
	uint64_t magic;
	/* memory map as returned by the final GetMemoryMap */
	uint64_t mmap;         /* physical address of the descriptors */
	uint64_t mmap_size;    /* bytes */
	uint64_t mmap_desc_size;
	uint32_t mmap_desc_version;
	uint32_t pad0;
	/* firmware tables (physical addresses, 0 if absent) */
	uint64_t acpi_rsdp;    /* ACPI 2.0+ RSDP, or the 1.0 one if that is all there is */
	uint64_t smbios;       /* SMBIOS 2.x entry point */
	uint64_t smbios3;      /* SMBIOS 3.x entry point */
	uint64_t runtime_services; /* EFI_RUNTIME_SERVICES *, physical mode */
	char fw_vendor[64];
	uint32_t fw_revision;
	uint32_t uefi_revision;
	/* where we were loaded */
	uint64_t image_base;
	uint64_t image_size;
	char image_path[BOOT_PATH_MAX];
	/* the kernel's stack, allocated by boot/ as loader data; a guard page lies below */
	uint64_t stack_base;
	uint64_t stack_size;
	/* TSC at efi_main entry, for boot-time figures */
	uint64_t entry_tsc;
	/* UEFI load options as ASCII (NUL terminated), and kiln.cfg's text */
	char cmdline[BOOT_CMDLINE_MAX];
	char config_path[BOOT_PATH_MAX]; /* empty: no kiln.cfg found */
	uint64_t config_len;
	char config[BOOT_CONFIG_MAX + 1];
	/* problems boot/ met that the kernel must report (NUL terminated, may be empty) */
	char boot_error[256];
	/* wall-clock time at efi_main from UEFI GetTime (UTC after tz), valid=0 if unknown */
	struct {
		uint16_t year;
		uint8_t month, day, hour, minute, second, valid;
		uint32_t nanosecond;
		int16_t tz_minutes; /* 2047: unspecified (UEFI), treated as UTC */
	} start_time;
	/* GOP framebuffer, 0 if none */
	uint64_t fb_base;
	uint32_t fb_width, fb_height, fb_stride, fb_format;
};

/* The kernel's entry point, called once on its own stack with interrupts disabled. */
_Noreturn void kernel_main(struct boot_info *bi);

#endif
