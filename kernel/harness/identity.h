/* The identity block: what machine this run was on, keyed for a records database
 * (SMBIOS system/baseboard, firmware, CPUs, memory; devices add their own lines). */
#ifndef KILN_IDENTITY_H
#define KILN_IDENTITY_H

#include <stdint.h>

#include "kernel/smbios.h"

struct identity {
	struct smbios_info smbios;
	int smbios_ok;
	char cpu_brand[49];
	unsigned cpus;
	uint64_t memory_mib;
	char fw_vendor[64];
	uint32_t fw_revision;
	uint32_t uefi_revision;
};

struct boot_info;
void identity_collect(const struct boot_info *bi);
const struct identity *identity_get(void);
/* Print the "# kiln: identity ..." lines. */
void identity_print(void);

#endif
