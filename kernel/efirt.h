/* The one wrapper around UEFI runtime services after ExitBootServices (physical mode,
 * no SetVirtualAddressMap): reset now, variables later. */
#ifndef KILN_EFIRT_H
#define KILN_EFIRT_H

#include <stdint.h>

enum efirt_reset { EFIRT_SHUTDOWN, EFIRT_REBOOT };

void efirt_init(uint64_t runtime_services);
/* Returns only if the firmware did not reset. */
void efirt_reset(enum efirt_reset how, int code);

#endif
