#include "kernel/efirt.h"

#include <efi.h>

#include "kernel/arch/x86/cpu.h"

#define NAME_MAX_CHARS 64

static EFI_RUNTIME_SERVICES *rt;

void efirt_init(uint64_t runtime_services) { rt = (EFI_RUNTIME_SERVICES *)(uintptr_t)runtime_services; }

void efirt_reset(enum efirt_reset how, int code)
{
	if (!rt)
		return;
	irq_disable();
	rt->ResetSystem(how == EFIRT_REBOOT ? EfiResetCold : EfiResetShutdown, code ? EFI_ABORTED : EFI_SUCCESS, 0,
			NULL);
}

static void wide(const char *name, CHAR16 *w)
{
	unsigned i = 0;
	for (; name[i] && i + 1 < NAME_MAX_CHARS; i++)
		w[i] = (CHAR16)(unsigned char)name[i];
	w[i] = 0;
}

uint64_t efirt_get_variable(const char *name, const struct efirt_guid *g, void *data, size_t *size)
{
	if (!rt)
		return EFI_UNSUPPORTED;
	CHAR16 w[NAME_MAX_CHARS];
	wide(name, w);
	EFI_GUID guid;
	__builtin_memcpy(&guid, g, sizeof guid);
	UINT32 attrs;
	UINTN sz = *size;
	int on = irq_save();
	EFI_STATUS s = rt->GetVariable(w, &guid, &attrs, &sz, data);
	irq_restore(on);
	*size = sz;
	return s;
}

uint64_t efirt_set_variable(const char *name, const struct efirt_guid *g, uint32_t attrs, const void *data, size_t size)
{
	if (!rt)
		return EFI_UNSUPPORTED;
	CHAR16 w[NAME_MAX_CHARS];
	wide(name, w);
	EFI_GUID guid;
	__builtin_memcpy(&guid, g, sizeof guid);
	int on = irq_save();
	EFI_STATUS s = rt->SetVariable(w, &guid, attrs, size, (void *)data);
	irq_restore(on);
	return s;
}
