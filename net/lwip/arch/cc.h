/* lwIP's compiler/architecture header for Kiln: freestanding clang on x86_64, no libc.
 * Diagnostics go to the console; a failed lwIP assertion traps (#UD), which the runner
 * turns into a crash record and a "not ok" for the running case. */
#ifndef KILN_LWIP_ARCH_CC_H
#define KILN_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

/* clang's freestanding headers give stddef/stdint/limits; nothing else of a libc. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1

#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define LWIP_PLATFORM_DIAG(x) do { net_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert((x), __FILE__, __LINE__)

#define LWIP_RAND() net_lwip_rand()

#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)

void net_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void net_lwip_assert(const char *what, const char *file, int line);
uint32_t net_lwip_rand(void);

#endif
