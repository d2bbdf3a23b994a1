#include "kernel/efirt.h"

#include <efi.h>

static EFI_RUNTIME_SERVICES *rt;

void efirt_init(uint64_t runtime_services) { rt = (EFI_RUNTIME_SERVICES *)(uintptr_t)runtime_services; }

void efirt_reset(enum efirt_reset how, int code)
{
	if (!rt)
		return;
	rt->ResetSystem(how == EFIRT_REBOOT ? EfiResetCold : EfiResetShutdown, code ? EFI_ABORTED : EFI_SUCCESS, 0,
			NULL);
}
