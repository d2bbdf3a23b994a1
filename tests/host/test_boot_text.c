// sources: boot/boot_text.c
/* boot/boot_text.c, the firmware-free text helpers of boot/: UEFI load options (UCS-2)
 * to ASCII with the shell's argv[0] dropped and binary optional data refused, the path
 * of kiln.cfg beside the image, the boot error line, and truncation everywhere. Output
 * buffers are exact-size heap blocks, so a write past `max` is an ASan report. */
#include "host_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_text.h"

/* ASCII text as UCS-2 little-endian bytes, as LoadOptions holds it. */
static uint8_t *ucs2(const char *s, size_t n, uint32_t *bytes)
{
	uint8_t *b = malloc(2 * n + 1);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)s[i];
		b[2 * i + 1] = 0;
	}
	*bytes = (uint32_t)(2 * n);
	return b;
}

/* Convert `text` (as UCS-2 with its terminating NUL) into a fresh buffer of max bytes. */
static int options(const char *text, size_t max, char **out)
{
	uint32_t bytes;
	uint8_t *u = ucs2(text, strlen(text) + 1, &bytes);
	char *dst = malloc(max ? max : 1);
	assert_non_null(dst);
	memset(dst, 0x5a, max ? max : 1);
	int r = boot_text_load_options(dst, max, u, bytes);
	free(u);
	*out = dst;
	return r;
}

static void expect_options(const char *text, const char *want)
{
	char *out, got[256];
	int r = options(text, 256, &out);
	snprintf(got, sizeof got, "%s", r >= 0 ? out : "");
	free(out);
	if (r != (int)strlen(want) || strcmp(got, want))
		fail_msg("load options \"%s\" -> %d \"%s\", expected %d \"%s\"", text, r, got, (int)strlen(want), want);
}

static void plain_options(void **state)
{
	(void)state;
	expect_options("suites=platform seed=7", "suites=platform seed=7");
	expect_options("", "");
	expect_options("   ", ""); /* leading spaces go, as before an argv[0] */
	expect_options("  a=1 ", "a=1 ");
	/* tabs and line breaks become spaces: the config parser splits on spaces */
	expect_options("a=1\tb=2\r\nc=3", "a=1 b=2  c=3");
}

static void absent_options(void **state)
{
	(void)state;
	char dst[8] = "junk";
	assert_int_equal(boot_text_load_options(dst, sizeof dst, NULL, 100), 0);
	assert_string_equal(dst, "");
	static const uint8_t one[1] = {'a'};
	strcpy(dst, "junk");
	assert_int_equal(boot_text_load_options(dst, sizeof dst, one, 1), 0); /* half a character */
	assert_string_equal(dst, "");
	strcpy(dst, "junk");
	assert_int_equal(boot_text_load_options(dst, sizeof dst, one, 0), 0);
	assert_string_equal(dst, "");
	/* no room at all: refused, nothing written */
	assert_int_equal(boot_text_load_options(NULL, 0, one, 1), -1);
}

/* The UEFI shell passes the image's own name first; a boot entry does not. */
static void argv0_is_dropped(void **state)
{
	(void)state;
	expect_options("kiln.efi suites=platform", " suites=platform");
	expect_options("KILN.EFI seed=1", " seed=1");
	expect_options("Kiln.Efi seed=1", " seed=1");
	expect_options("fs0:\\EFI\\kiln\\kiln.efi seed=1", " seed=1");
	expect_options("\\EFI\\BOOT\\BOOTX64.EFI seed=1", " seed=1");
	expect_options("   kiln.efi   seed=1", "   seed=1");
	expect_options("kiln.efi", "");
	expect_options("kiln.efi\tseed=1", " seed=1");
	/* not argv[0]: a key=value word, a later word, a name that only contains .efi */
	expect_options("image=kiln.efi seed=1", "image=kiln.efi seed=1");
	expect_options("seed=1 kiln.efi", "seed=1 kiln.efi");
	expect_options("kiln.efix seed=1", "kiln.efix seed=1");
	expect_options("kiln.ef seed=1", "kiln.ef seed=1");
	expect_options("kilnefi seed=1", "kilnefi seed=1");
}

/* Options that are not printable ASCII text are refused, not guessed at. */
static void binary_data_is_refused(void **state)
{
	(void)state;
	char dst[64];
	/* a boot entry's optional data: arbitrary bytes */
	static const uint8_t blob[] = {0x01, 0x00, 0x00, 0x00, 0x2a, 0x00, 0xde, 0xad};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, blob, sizeof blob), -1);
	/* ASCII bytes that are not UCS-2: "ab" read as one character 0x6261 */
	static const uint8_t ascii[] = {'a', 'b', 'c', 'd'};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, ascii, sizeof ascii), -1);
	/* one non-ASCII character (é, U+00E9), one control character, DEL */
	static const uint16_t accented[] = {'s', '=', 0xe9};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, accented, sizeof accented), -1);
	static const uint16_t control[] = {'s', 0x1b, 'x'};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, control, sizeof control), -1);
	static const uint16_t del[] = {'s', 0x7f};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, del, sizeof del), -1);
	/* the characters after the terminating NUL are not looked at */
	static const uint16_t tail[] = {'a', '=', '1', 0, 0xdead, 0x01};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, tail, sizeof tail), 3);
	assert_string_equal(dst, "a=1");
	/* an odd byte count: the last half character is ignored */
	static const uint16_t odd[] = {'a', '=', '2', 0x4141};
	assert_int_equal(boot_text_load_options(dst, sizeof dst, odd, sizeof odd - 1), 3);
	assert_string_equal(dst, "a=2");
}

/* Options that do not fit are refused whole, never cut (a cut value would be a guess). */
static void overlong_options(void **state)
{
	(void)state;
	char text[100];
	memset(text, 'x', 99);
	text[0] = 'k', text[1] = '=';
	text[99] = 0;
	char *out;
	assert_int_equal(options(text, 100, &out), 99); /* exactly fits: 99 characters and the NUL */
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(options(text, 99, &out), -2); /* too long is its own error, not "not text" */
	free(out);
	assert_int_equal(options(text, 1, &out), -2);
	free(out);
	/* with the argv[0] word counted against the space before it is dropped */
	assert_int_equal(options("kiln.efi a=1", 13, &out), 4);
	assert_string_equal(out, " a=1");
	free(out);
	assert_int_equal(options("kiln.efi a=1", 12, &out), -2);
	free(out);
}

/* ---- kiln.cfg beside the image -------------------------------------------------- */

static void expect_sibling(const char *image, const char *want)
{
	char dst[256];
	boot_text_sibling_path(dst, sizeof dst, image, "kiln.cfg");
	if (strcmp(dst, want))
		fail_msg("sibling of \"%s\" is \"%s\", expected \"%s\"", image, dst, want);
}

static void sibling_path(void **state)
{
	(void)state;
	expect_sibling("\\EFI\\BOOT\\BOOTX64.EFI", "\\EFI\\BOOT\\kiln.cfg");
	expect_sibling("\\EFI\\kiln\\kiln.efi", "\\EFI\\kiln\\kiln.cfg");
	expect_sibling("\\kiln.efi", "\\kiln.cfg");
	expect_sibling("kiln.efi", "\\kiln.cfg");
	expect_sibling("", "\\kiln.cfg");
	expect_sibling("EFI\\kiln\\kiln.efi", "\\EFI\\kiln\\kiln.cfg");
	expect_sibling("\\EFI\\kiln\\", "\\EFI\\kiln\\kiln.cfg");
	/* forward slashes, as some loaders write them, become UEFI's backslashes */
	expect_sibling("\\EFI/kiln/kiln.efi", "\\EFI\\kiln\\kiln.cfg");
	expect_sibling("EFI/kiln/kiln.efi", "\\EFI\\kiln\\kiln.cfg");
	expect_sibling("/EFI/kiln/kiln.efi", "\\EFI\\kiln\\kiln.cfg");
	expect_sibling("/kiln.efi", "\\kiln.cfg");
}

/* Every truncation of a sibling path is a terminated prefix of the whole one. */
static void sibling_path_truncated(void **state)
{
	(void)state;
	static const char *const images[] = {"\\EFI\\BOOT\\BOOTX64.EFI", "kiln.efi", "EFI/a/b.efi", ""};
	for (size_t k = 0; k < sizeof images / sizeof images[0]; k++) {
		char whole[256];
		boot_text_sibling_path(whole, sizeof whole, images[k], "kiln.cfg");
		size_t len = strlen(whole);
		for (size_t max = 0; max <= len + 2; max++) {
			char *dst = malloc(max ? max : 1);
			memset(dst, 0x5a, max ? max : 1);
			boot_text_sibling_path(max ? dst : NULL, max, images[k], "kiln.cfg");
			if (max) {
				size_t keep = len < max - 1 ? len : max - 1;
				assert_memory_equal(dst, whole, keep);
				assert_int_equal(dst[keep], 0);
			}
			free(dst);
		}
	}
}

/* ---- the boot error line and plain copies ------------------------------------------ */

static void error_line(void **state)
{
	(void)state;
	char b[128];
	boot_text_error_line(b, sizeof b, "cannot read kiln.cfg", 0x8000000000000002ull);
	assert_string_equal(b, "kiln: cannot read kiln.cfg (EFI status 0x8000000000000002)\r\n");
	boot_text_error_line(b, sizeof b, "x", 0);
	assert_string_equal(b, "kiln: x (EFI status 0x0)\r\n");
	boot_text_error_line(b, sizeof b, "x", 0xe);
	assert_string_equal(b, "kiln: x (EFI status 0xe)\r\n");
	boot_text_error_line(b, sizeof b, "x", 0x10);
	assert_string_equal(b, "kiln: x (EFI status 0x10)\r\n");
	boot_text_error_line(b, sizeof b, "", UINT64_MAX);
	assert_string_equal(b, "kiln:  (EFI status 0xffffffffffffffff)\r\n");
	boot_text_error_line(b, sizeof b, "x", 0x0fffffffffffffffull);
	assert_string_equal(b, "kiln: x (EFI status 0xfffffffffffffff)\r\n");

	/* every truncation: a terminated prefix, nothing written past max */
	char whole[128];
	boot_text_error_line(whole, sizeof whole, "no loaded-image protocol", 0x800000000000000eull);
	size_t len = strlen(whole);
	for (size_t max = 0; max <= len + 2; max++) {
		char *dst = malloc(max ? max : 1);
		memset(dst, 0x5a, max ? max : 1);
		boot_text_error_line(max ? dst : NULL, max, "no loaded-image protocol", 0x800000000000000eull);
		if (max) {
			size_t keep = len < max - 1 ? len : max - 1;
			assert_memory_equal(dst, whole, keep);
			assert_int_equal(dst[keep], 0);
		}
		free(dst);
	}
}

static void copy(void **state)
{
	(void)state;
	char *dst = malloc(5);
	boot_text_copy(dst, 5, "kiln");
	assert_string_equal(dst, "kiln");
	boot_text_copy(dst, 5, "kiln.efi");
	assert_string_equal(dst, "kiln");
	boot_text_copy(dst, 1, "kiln");
	assert_string_equal(dst, "");
	boot_text_copy(dst, 5, "");
	assert_string_equal(dst, "");
	boot_text_copy(NULL, 0, "kiln"); /* no room: nothing written */
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_options),
		cmocka_unit_test(absent_options),
		cmocka_unit_test(argv0_is_dropped),
		cmocka_unit_test(binary_data_is_refused),
		cmocka_unit_test(overlong_options),
		cmocka_unit_test(sibling_path),
		cmocka_unit_test(sibling_path_truncated),
		cmocka_unit_test(error_line),
		cmocka_unit_test(copy),
	};
	return cmocka_run_group_tests_name("boot_text", tests, NULL, NULL);
}
