/* UEFI entry: the only code that calls boot services. It gathers everything later
 * phases need into one struct boot_info, exits boot services and jumps to the kernel
 * on a stack of its own. GNU-EFI's crt0 relocates the image and calls efi_main with
 * the System V convention, so efi_main is not EFIAPI; calls into firmware go through
 * EFIAPI (MS ABI) function pointers directly. */
#include <efi.h>
#include <efilib.h>

#include "boot/boot_info.h"
#include "boot/boot_text.h"

#define KERNEL_STACK_PAGES 32 /* 128 KiB; one more page below it stays unmapped as a guard */
#define EXIT_BS_TRIES 8
#define MMAP_SLACK_DESCS 32

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;

static void say(const char *msg)
{
	CHAR16 buf[256];
	UINTN i = 0;
	for (; msg[i] && i < 254; i++)
		buf[i] = (CHAR16)(unsigned char)msg[i];
	buf[i] = 0;
	st->ConOut->OutputString(st->ConOut, buf);
}

static __attribute__((noreturn)) void fail_boot(const char *msg, EFI_STATUS s)
{
	char line[200];
	boot_text_error_line(line, sizeof line, msg, (uint64_t)s);
	say(line);
	/* Nothing is ours yet: give control back to firmware in a way that stops the
	 * run instead of letting the boot manager try the next option silently. */
	st->RuntimeServices->ResetSystem(EfiResetShutdown, s, 0, NULL);
	for (;;)
		__asm__ volatile("hlt");
}

static void *alloc_pages(UINTN pages, const char *what)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS s = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(s))
		fail_boot(what, s);
	return (void *)(UINTN)addr;
}

static void find_config_tables(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	EFI_GUID smb = SMBIOS_TABLE_GUID, smb3 = SMBIOS3_TABLE_GUID;
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
		uint64_t p = (uint64_t)(UINTN)t->VendorTable;
		if (!CompareMem(&t->VendorGuid, &acpi20, sizeof(EFI_GUID)))
			bi->acpi_rsdp = p;
		else if (!CompareMem(&t->VendorGuid, &acpi10, sizeof(EFI_GUID)) && !bi->acpi_rsdp)
			bi->acpi_rsdp = p;
		else if (!CompareMem(&t->VendorGuid, &smb, sizeof(EFI_GUID)))
			bi->smbios = p;
		else if (!CompareMem(&t->VendorGuid, &smb3, sizeof(EFI_GUID)))
			bi->smbios3 = p;
	}
}

/* The image's own path, from the file-path nodes of its device path. */
static void image_path(EFI_DEVICE_PATH *dp, char *out, UINTN max)
{
	UINTN n = 0;
	out[0] = 0;
	while (dp && !IsDevicePathEnd(dp)) {
		if (DevicePathType(dp) == MEDIA_DEVICE_PATH && DevicePathSubType(dp) == MEDIA_FILEPATH_DP) {
			FILEPATH_DEVICE_PATH *fp = (FILEPATH_DEVICE_PATH *)dp;
			UINTN chars = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);
			if (n && out[n - 1] != '\\' && fp->PathName[0] != '\\' && n + 1 < max)
				out[n++] = '\\';
			for (UINTN i = 0; i < chars && fp->PathName[i] && n + 1 < max; i++)
				out[n++] = (char)(fp->PathName[i] < 0x80 ? fp->PathName[i] : '?');
			out[n] = 0;
		}
		dp = NextDevicePathNode(dp);
	}
}

/* Read one file into bi->config; returns 1 if the file exists. */
static int read_config(EFI_FILE_HANDLE root, const char *path, struct boot_info *bi)
{
	CHAR16 wpath[BOOT_PATH_MAX];
	UINTN i = 0;
	for (; path[i] && i + 1 < BOOT_PATH_MAX; i++)
		wpath[i] = (CHAR16)(unsigned char)path[i];
	wpath[i] = 0;
	EFI_FILE_HANDLE f;
	if (EFI_ERROR(root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0)))
		return 0;
	UINTN size = BOOT_CONFIG_MAX + 1;
	EFI_STATUS s = f->Read(f, &size, bi->config);
	f->Close(f);
	for (i = 0; path[i] && i + 1 < BOOT_PATH_MAX; i++)
		bi->config_path[i] = path[i];
	bi->config_path[i] = 0;
	if (EFI_ERROR(s)) {
		boot_text_error_line(bi->boot_error, sizeof bi->boot_error, "cannot read kiln.cfg", (uint64_t)s);
		size = 0;
	} else if (size > BOOT_CONFIG_MAX) {
		boot_text_copy(bi->boot_error, sizeof bi->boot_error, "kiln.cfg is larger than 64 KiB");
		size = 0;
	}
	bi->config_len = size;
	bi->config[size] = 0;
	return 1;
}

static EFI_FILE_HANDLE open_volume(EFI_HANDLE h)
{
	EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_FILE_IO_INTERFACE *sfs;
	EFI_FILE_HANDLE root;
	if (EFI_ERROR(bs->HandleProtocol(h, &sfs_guid, (void **)&sfs)))
		return NULL;
	if (EFI_ERROR(sfs->OpenVolume(sfs, &root)))
		return NULL;
	return root;
}

/* kiln.cfg beside the image; where the image came from no file system (network boot,
 * QEMU -kernel), the first file system holding \kiln.cfg. */
static void find_config(EFI_LOADED_IMAGE *li, struct boot_info *bi)
{
	char path[BOOT_PATH_MAX];
	boot_text_sibling_path(path, sizeof path, bi->image_path, "kiln.cfg");
	EFI_FILE_HANDLE root = open_volume(li->DeviceHandle);
	if (root) {
		int found = read_config(root, path, bi);
		root->Close(root);
		if (found)
			return;
	}
	/* Fast-boot firmware (and OVMF booting -kernel) may not have connected every
	 * disk's drivers yet: connect everything once, then look at each file system. */
	EFI_HANDLE *all = NULL;
	UINTN nall = 0;
	if (!EFI_ERROR(bs->LocateHandleBuffer(AllHandles, NULL, NULL, &nall, &all))) {
		for (UINTN i = 0; i < nall; i++)
			bs->ConnectController(all[i], NULL, NULL, TRUE);
		bs->FreePool(all);
	}
	EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_HANDLE *handles = NULL;
	UINTN count = 0;
	if (EFI_ERROR(bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &count, &handles)))
		return;
	for (UINTN i = 0; i < count; i++) {
		root = open_volume(handles[i]);
		if (!root)
			continue;
		int found = read_config(root, "\\kiln.cfg", bi);
		root->Close(root);
		if (found)
			break;
	}
	bs->FreePool(handles);
}

static void find_framebuffer(struct boot_info *bi)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	if (EFI_ERROR(bs->LocateProtocol(&gop_guid, NULL, (void **)&gop)) || !gop->Mode || !gop->Mode->Info)
		return;
	bi->fb_base = gop->Mode->FrameBufferBase;
	bi->fb_width = gop->Mode->Info->HorizontalResolution;
	bi->fb_height = gop->Mode->Info->VerticalResolution;
	bi->fb_stride = gop->Mode->Info->PixelsPerScanLine;
	bi->fb_format = (uint32_t)gop->Mode->Info->PixelFormat;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t entry_tsc = rdtsc();
	st = systab;
	bs = systab->BootServices;
	bs->SetWatchdogTimer(0, 0, 0, NULL); /* a long boot-phase must not reset us */

	UINTN bi_pages = (sizeof(struct boot_info) + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
	struct boot_info *bi = alloc_pages(bi_pages, "cannot allocate boot_info");
	SetMem(bi, bi_pages * EFI_PAGE_SIZE, 0);
	bi->magic = BOOT_INFO_MAGIC;
	bi->entry_tsc = entry_tsc;
	bi->runtime_services = (uint64_t)(UINTN)systab->RuntimeServices;
	bi->fw_revision = systab->FirmwareRevision;
	bi->uefi_revision = systab->Hdr.Revision;
	for (UINTN i = 0; systab->FirmwareVendor && systab->FirmwareVendor[i] && i + 1 < sizeof bi->fw_vendor; i++)
		bi->fw_vendor[i] = (char)(systab->FirmwareVendor[i] < 0x80 ? systab->FirmwareVendor[i] : '?');

	EFI_GUID lip_guid = LOADED_IMAGE_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	EFI_STATUS s = bs->HandleProtocol(image, &lip_guid, (void **)&li);
	if (EFI_ERROR(s))
		fail_boot("no loaded-image protocol", s);
	bi->image_base = (uint64_t)(UINTN)li->ImageBase;
	bi->image_size = li->ImageSize;
	image_path(li->FilePath, bi->image_path, sizeof bi->image_path);
	int opt = boot_text_load_options(bi->cmdline, sizeof bi->cmdline, li->LoadOptions, li->LoadOptionsSize);
	if (opt == -1)
		boot_text_copy(bi->boot_error, sizeof bi->boot_error,
			       "UEFI load options are not text (expected UCS-2 key=value words)");
	else if (opt == -2)
		boot_text_copy(bi->boot_error, sizeof bi->boot_error,
			       "UEFI load options are longer than 2047 characters; put long settings in kiln.cfg");

	EFI_TIME now;
	if (!EFI_ERROR(systab->RuntimeServices->GetTime(&now, NULL))) {
		bi->start_time.year = now.Year;
		bi->start_time.month = now.Month;
		bi->start_time.day = now.Day;
		bi->start_time.hour = now.Hour;
		bi->start_time.minute = now.Minute;
		bi->start_time.second = now.Second;
		bi->start_time.nanosecond = now.Nanosecond;
		bi->start_time.tz_minutes = now.TimeZone;
		bi->start_time.valid = 1;
	}
	find_config_tables(bi);
	find_config(li, bi);
	find_framebuffer(bi);

	/* The guard page is allocated with the stack and unmapped later by the kernel. */
	uint8_t *stack = alloc_pages(KERNEL_STACK_PAGES + 1, "cannot allocate the kernel stack");
	bi->stack_base = (uint64_t)(UINTN)stack + EFI_PAGE_SIZE;
	bi->stack_size = KERNEL_STACK_PAGES * EFI_PAGE_SIZE;

	say("kiln: leaving boot services\r\n");

	/* The memory map buffer is allocated once, with slack for the descriptors the
	 * allocation itself adds; then GetMemoryMap -> ExitBootServices is retried while
	 * the map key goes stale (UEFI 2.10 §7.4.6). No allocation happens in the loop. */
	UINTN map_size = 0, key, desc_size;
	UINT32 desc_ver;
	bs->GetMemoryMap(&map_size, NULL, &key, &desc_size, &desc_ver);
	UINTN buf_size = map_size + MMAP_SLACK_DESCS * (desc_size ? desc_size : sizeof(EFI_MEMORY_DESCRIPTOR));
	void *map = alloc_pages((buf_size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE, "cannot allocate the memory map");
	for (int tries = 0;; tries++) {
		map_size = buf_size;
		s = bs->GetMemoryMap(&map_size, map, &key, &desc_size, &desc_ver);
		if (EFI_ERROR(s))
			fail_boot("GetMemoryMap failed", s);
		s = bs->ExitBootServices(image, key);
		if (!EFI_ERROR(s))
			break;
		if (s != EFI_INVALID_PARAMETER || tries + 1 >= EXIT_BS_TRIES)
			fail_boot("ExitBootServices failed", s);
	}
	__asm__ volatile("cli");
	bi->mmap = (uint64_t)(UINTN)map;
	bi->mmap_size = map_size;
	bi->mmap_desc_size = desc_size;
	bi->mmap_desc_version = desc_ver;

	/* Firmware's stack is boot-services memory, which the kernel will reuse: move off it. */
	uint64_t top = bi->stack_base + bi->stack_size;
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%2\n\t"
			 "ud2"
			 :
			 : "r"(top), "D"(bi), "r"(kernel_main)
			 : "memory");
	__builtin_unreachable();
}
