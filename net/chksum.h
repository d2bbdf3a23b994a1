/* The Internet checksum (RFC 1071) for lwIP (LWIP_CHKSUM in net/lwip/lwipopts.h): the
 * 16-bit one's-complement sum of the data, not complemented, as lwIP's own
 * lwip_standard_chksum returns it (16-bit words read in the CPU's byte order). Eight bytes
 * per step with an end-around carry instead of two: under emulation each step is what
 * costs. */
#ifndef KILN_NET_CHKSUM_H
#define KILN_NET_CHKSUM_H

#include <stdint.h>

uint16_t net_chksum(const void *data, int len);

#endif
