/* A copy for the hot paths (NIC frames, lwIP pbufs): 64-bit words, four per loop turn,
 * once the destination is word aligned (the source may not be: x86 loads it anyway). Under emulation
 * (QEMU TCG) `rep movsb` costs one translated-block turn per byte, this about one per 32
 * bytes. Same result as memcpy; the two areas must not overlap. Pure and freestanding. */
#ifndef KILN_LIB_COPY_H
#define KILN_LIB_COPY_H

#include <stddef.h>

void copy_fast(void *restrict d, const void *restrict s, size_t n);

#endif
