/* printf-style formatting into a buffer, for a kernel without libc. Pure code, shared
 * with the host unit tests, which compare it with the C library's snprintf. */
#ifndef KILN_FMT_H
#define KILN_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* C99 snprintf semantics: always NUL-terminates when n > 0 and returns the length the
 * full output would have. Supports flags - + space 0 #, width and precision (also *),
 * length hh h l ll z j t, conversions d i u o x X c s p %. No floating point. */
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* value / 10^decimals as a decimal number ("-12.345" for (-12345, 3)); any decimals,
 * also more than the 19 digits a 64-bit value has. Returns what ksnprintf returns. */
int kfmt_fixed(char *buf, size_t n, int64_t value, unsigned decimals);

#endif
