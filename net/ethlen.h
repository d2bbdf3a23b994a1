/* The length of an Ethernet frame from its own headers. The accelerator's RX ring reports
 * no length (as on silicon), so the NIC driver recovers it here: 802.3 length field, IPv4
 * total length, IPv6 payload length, ARP sizes, Kiln's L2 test frames (net/l2frame.h), each
 * behind up to two VLAN tags. Pure code. */
#ifndef KILN_NET_ETHLEN_H
#define KILN_NET_ETHLEN_H

#include <stddef.h>
#include <stdint.h>

enum net_ethlen_err {
	NET_ETHLEN_UNKNOWN = -1,   /* an ethertype whose length cannot be known */
	NET_ETHLEN_MALFORMED = -2, /* headers inconsistent or longer than the buffer */
};

/* Length in bytes (>= 14, <= avail), or a negative enum net_ethlen_err. */
long net_eth_frame_len(const uint8_t *buf, size_t avail);

#endif
