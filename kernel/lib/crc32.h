/* CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320, as zlib's crc32): the traffic apps'
 * frame and datagram checksums. Pure and freestanding. */
#ifndef KILN_LIB_CRC32_H
#define KILN_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order, passing the previous result. */
uint32_t crc32_ieee(uint32_t crc, const void *data, size_t n);

#endif
