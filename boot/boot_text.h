/* Small text helpers for boot/ that need no firmware: pure, host-testable. */
#ifndef KILN_BOOT_TEXT_H
#define KILN_BOOT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Copy a NUL-terminated string, truncating to fit. */
void boot_text_copy(char *dst, size_t max, const char *src);
/* "kiln: <msg> (EFI status 0x...)\r\n" */
void boot_text_error_line(char *dst, size_t max, const char *msg, uint64_t status);
/* The path of `name` in the directory of `image` (UEFI '\' separators). */
void boot_text_sibling_path(char *dst, size_t max, const char *image, const char *name);
/* UEFI load options (UCS-2, `bytes` long, may be NULL) to ASCII. A leading word naming
 * an .efi image (the UEFI shell passes argv[0]) is dropped. Returns the length, -1 when
 * the options are not printable text (a boot entry's binary optional data), or -2 when
 * they do not fit in max - 1 characters. */
int boot_text_load_options(char *dst, size_t max, const void *opts, uint32_t bytes);

#endif
