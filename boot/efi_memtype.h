/* UEFI memory types (UEFI 2.10 §7.2, EFI_MEMORY_TYPE) and attribute bits, for walking the map. */
#ifndef KILN_EFI_MEMTYPE_H
#define KILN_EFI_MEMTYPE_H

enum efi_memtype {
	EFI_RESERVED = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BS_CODE = 3,
	EFI_BS_DATA = 4,
	EFI_RT_CODE = 5,
	EFI_RT_DATA = 6,
	EFI_CONVENTIONAL = 7,
	EFI_UNUSABLE = 8,
	EFI_ACPI_RECLAIM = 9,
	EFI_ACPI_NVS = 10,
	EFI_MMIO = 11,
	EFI_MMIO_PORT = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT = 14,
	EFI_UNACCEPTED = 15,
};

#define EFI_MEMORY_RUNTIME (1ull << 63)

static inline const char *efi_memtype_name(unsigned t)
{
	static const char *const n[] = {"reserved", "loader-code", "loader-data", "bs-code", "bs-data",
					"rt-code", "rt-data", "conventional", "unusable", "acpi-reclaim",
					"acpi-nvs", "mmio", "mmio-port", "pal-code", "persistent", "unaccepted"};
	return t < sizeof n / sizeof n[0] ? n[t] : "oem";
}

#endif
