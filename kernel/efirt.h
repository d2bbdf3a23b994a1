/* The one wrapper around UEFI runtime services after ExitBootServices (physical mode,
 * no SetVirtualAddressMap): reset, and variables for the persistent run record.
 * Interrupts are masked around every call. */
#ifndef KILN_EFIRT_H
#define KILN_EFIRT_H

#include <stddef.h>
#include <stdint.h>

enum efirt_reset { EFIRT_SHUTDOWN, EFIRT_REBOOT };

struct efirt_guid {
	uint32_t d1;
	uint16_t d2, d3;
	uint8_t d4[8];
};

#define EFIRT_VAR_NON_VOLATILE 0x1u
#define EFIRT_VAR_BOOTSERVICE 0x2u
#define EFIRT_VAR_RUNTIME 0x4u

void efirt_init(uint64_t runtime_services);
/* Returns only if the firmware did not reset. */
void efirt_reset(enum efirt_reset how, int code);
/* name is ASCII (converted to UCS-2). Return the EFI status (0 success). */
uint64_t efirt_get_variable(const char *name, const struct efirt_guid *g, void *data, size_t *size);
uint64_t efirt_set_variable(const char *name, const struct efirt_guid *g, uint32_t attrs, const void *data, size_t size);

#endif
