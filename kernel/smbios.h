/* SMBIOS (DMTF DSP0134 3.x): the entry point and the structures Kiln reports in its
 * identity block — BIOS (type 0), system (type 1), baseboard (type 2), memory devices
 * (type 17) with the address ranges of the arrays (19) and devices (20). Pure parsing of
 * byte buffers, host-tested. */
#ifndef KILN_SMBIOS_H
#define KILN_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMBIOS_STR_MAX 64

#define SMBIOS_DIMM_MAX 64
#define SMBIOS_DIMM_STR_MAX 40

/* One type 17 structure: a memory device slot, populated or not. */
struct smbios_dimm {
	uint16_t handle;
	uint64_t size_mib;          /* 0: slot empty */
	bool size_unknown;          /* the table says 0xFFFF */
	uint8_t type;               /* Memory Type (DSP0134 7.18.2), see smbios_mem_type_name */
	uint32_t speed_mts, configured_mts; /* 0: unknown */
	uint16_t data_width;
	char locator[SMBIOS_DIMM_STR_MAX], bank[SMBIOS_DIMM_STR_MAX];
	char manufacturer[SMBIOS_DIMM_STR_MAX], part[SMBIOS_DIMM_STR_MAX], serial[SMBIOS_DIMM_STR_MAX];
	uint64_t mapped_bytes;      /* from the type 20 structures that name this device */
};

struct smbios_info {
	unsigned major, minor;
	char bios_vendor[SMBIOS_STR_MAX], bios_version[SMBIOS_STR_MAX], bios_date[SMBIOS_STR_MAX];
	char sys_manufacturer[SMBIOS_STR_MAX], sys_product[SMBIOS_STR_MAX], sys_version[SMBIOS_STR_MAX];
	char sys_serial[SMBIOS_STR_MAX], sys_uuid[40];
	char board_manufacturer[SMBIOS_STR_MAX], board_product[SMBIOS_STR_MAX], board_serial[SMBIOS_STR_MAX];
	unsigned structures;
	unsigned dimm_slots;        /* type 17 structures (at most SMBIOS_DIMM_MAX kept) */
	unsigned dimm_dropped;      /* type 17 structures beyond SMBIOS_DIMM_MAX */
	struct smbios_dimm dimm[SMBIOS_DIMM_MAX];
	unsigned arrays_mapped;     /* type 19 structures */
	uint64_t array_bytes;       /* the bytes they map */
	unsigned device_maps;       /* type 20 structures */
};

/* "DDR4", "DDR5", "LPDDR5", "RAM", ... for a type 17 Memory Type; "type 0xNN" into buf
 * (at least 12 bytes) when unknown. */
const char *smbios_mem_type_name(uint8_t type, char *buf);
/* Populated modules (size_mib > 0 or unknown). */
unsigned smbios_dimms_populated(const struct smbios_info *s);

/* Parse an entry point ("_SM3_" 64-bit or "_SM_" 32-bit); gives the table's address and
 * length. Returns 0, or -1 for a bad anchor, length or checksum. */
int smbios_entry(const uint8_t *ep, size_t avail, uint64_t *table, uint32_t *table_len, unsigned *major,
		 unsigned *minor);
/* Parse the structure table; never reads past len. Returns 0, or -1 if malformed. */
int smbios_parse(const uint8_t *table, size_t len, unsigned major, unsigned minor, struct smbios_info *out);

#endif
