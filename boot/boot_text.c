#include "boot/boot_text.h"

void boot_text_copy(char *dst, size_t max, const char *src)
{
	size_t i = 0;
	if (!max)
		return;
	for (; src[i] && i + 1 < max; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static size_t append(char *dst, size_t max, size_t n, const char *s)
{
	for (; *s && n + 1 < max; s++)
		dst[n++] = *s;
	if (max)
		dst[n < max ? n : max - 1] = 0;
	return n;
}

void boot_text_error_line(char *dst, size_t max, const char *msg, uint64_t status)
{
	static const char hex[] = "0123456789abcdef";
	char num[19] = "0x";
	int digits = 1;
	while (digits < 16 && (status >> (4 * digits)))
		digits++;
	for (int i = 0; i < digits; i++)
		num[2 + i] = hex[(status >> (4 * (digits - 1 - i))) & 0xf];
	num[2 + digits] = 0;
	size_t n = append(dst, max, 0, "kiln: ");
	n = append(dst, max, n, msg);
	n = append(dst, max, n, " (EFI status ");
	n = append(dst, max, n, num);
	append(dst, max, n, ")\r\n");
}

void boot_text_sibling_path(char *dst, size_t max, const char *image, const char *name)
{
	size_t dir = 0;
	for (size_t i = 0; image[i]; i++)
		if (image[i] == '\\' || image[i] == '/')
			dir = i + 1;
	size_t n = 0;
	if (dir == 0 || (image[0] != '\\' && image[0] != '/'))
		n = append(dst, max, 0, "\\");
	for (size_t i = 0; i < dir && n + 1 < max; i++)
		dst[n++] = image[i] == '/' ? '\\' : image[i];
	if (max)
		dst[n < max ? n : max - 1] = 0;
	append(dst, max, n, name);
}

static int ends_with_efi(const char *s, size_t len)
{
	if (len < 4)
		return 0;
	const char *e = s + len - 4;
	return e[0] == '.' && (e[1] | 0x20) == 'e' && (e[2] | 0x20) == 'f' && (e[3] | 0x20) == 'i';
}

int boot_text_load_options(char *dst, size_t max, const void *opts, uint32_t bytes)
{
	if (!max)
		return -1;
	dst[0] = 0;
	if (!opts || bytes < 2)
		return 0;
	const uint8_t *p = opts;
	size_t n = 0;
	for (uint32_t i = 0; i + 1 < bytes; i += 2) {
		uint16_t c = (uint16_t)(p[i] | (p[i + 1] << 8));
		if (c == 0)
			break;
		if (c == '\t' || c == '\r' || c == '\n')
			c = ' ';
		if (c < 0x20 || c > 0x7e)
			return -1;
		if (n + 1 >= max)
			return -2;
		dst[n++] = (char)c;
	}
	dst[n] = 0;
	/* drop a leading "kiln.efi"-style argv[0] */
	size_t s = 0;
	while (s < n && dst[s] == ' ')
		s++;
	size_t e = s;
	while (e < n && dst[e] != ' ')
		e++;
	int has_eq = 0;
	for (size_t i = s; i < e; i++)
		has_eq |= dst[i] == '=';
	if (!has_eq && ends_with_efi(dst + s, e - s))
		s = e;
	size_t out = 0;
	for (size_t i = s; i < n; i++)
		dst[out++] = dst[i];
	dst[out] = 0;
	return (int)out;
}
