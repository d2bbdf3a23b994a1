/* SMBIOS (DMTF DSP0134 3.x): the entry point and the structures Kiln reports in its
 * identity block — BIOS (type 0), system (type 1), baseboard (type 2). Pure parsing of
 * byte buffers, host-tested. */
#ifndef KILN_SMBIOS_H
#define KILN_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_STR_MAX 64

struct smbios_info {
	unsigned major, minor;
	char bios_vendor[SMBIOS_STR_MAX], bios_version[SMBIOS_STR_MAX], bios_date[SMBIOS_STR_MAX];
	char sys_manufacturer[SMBIOS_STR_MAX], sys_product[SMBIOS_STR_MAX], sys_version[SMBIOS_STR_MAX];
	char sys_serial[SMBIOS_STR_MAX], sys_uuid[40];
	char board_manufacturer[SMBIOS_STR_MAX], board_product[SMBIOS_STR_MAX], board_serial[SMBIOS_STR_MAX];
	unsigned structures;
};

/* Parse an entry point ("_SM3_" 64-bit or "_SM_" 32-bit); gives the table's address and
 * length. Returns 0, or -1 for a bad anchor, length or checksum. */
int smbios_entry(const uint8_t *ep, size_t avail, uint64_t *table, uint32_t *table_len, unsigned *major,
		 unsigned *minor);
/* Parse the structure table; never reads past len. Returns 0, or -1 if malformed. */
int smbios_parse(const uint8_t *table, size_t len, unsigned major, unsigned minor, struct smbios_info *out);

#endif
