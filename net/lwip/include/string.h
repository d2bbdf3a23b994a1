/* libc shim for lwIP only (net/lwip/include is on no other include path). */
#ifndef KILN_LWIP_SHIM_STRING_H
#define KILN_LWIP_SHIM_STRING_H
#include "kernel/lib/string.h"
#endif
