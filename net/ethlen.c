/* Frame length from L2/L3 headers. */
#include "net/ethlen.h"

#include "net/l2frame.h"
#include "net/port.h"

#define ETH_8023_MAX 1500u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_ARP 0x0806u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88a8u
#define ETHERTYPE_QINQ_OLD 0x9100u
#define VLAN_TAG 4u
#define VLAN_MAX_TAGS 2u
#define IPV4_MIN_HDR 20u
#define IPV4_TOTLEN_OFF 2u
#define IPV6_HDR 40u
#define IPV6_PLEN_OFF 4u
#define ARP_FIXED 8u
#define ARP_HLEN_OFF 4u
#define ARP_PLEN_OFF 5u

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

long net_eth_frame_len(const uint8_t *buf, size_t avail)
{
	size_t off = NET_ETH_HDR;
	if (avail < off)
		return NET_ETHLEN_MALFORMED;
	unsigned type = be16(buf + NET_ETH_TYPE_OFF);
	for (unsigned tags = 0; type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD; tags++) {
		if (tags == VLAN_MAX_TAGS || avail < off + VLAN_TAG)
			return NET_ETHLEN_MALFORMED;
		type = be16(buf + off + 2);
		off += VLAN_TAG;
	}
	size_t len;
	const uint8_t *l3 = buf + off;
	if (type <= ETH_8023_MAX) {
		len = off + type;
	} else if (type == ETHERTYPE_IPV4) {
		if (avail < off + IPV4_MIN_HDR || (l3[0] >> 4) != 4)
			return NET_ETHLEN_MALFORMED;
		unsigned tot = be16(l3 + IPV4_TOTLEN_OFF);
		if (tot < IPV4_MIN_HDR || tot < (l3[0] & 0xfu) * 4u)
			return NET_ETHLEN_MALFORMED;
		len = off + tot;
	} else if (type == ETHERTYPE_IPV6) {
		if (avail < off + IPV6_HDR || (l3[0] >> 4) != 6)
			return NET_ETHLEN_MALFORMED;
		len = off + IPV6_HDR + be16(l3 + IPV6_PLEN_OFF);
	} else if (type == ETHERTYPE_ARP) {
		if (avail < off + ARP_FIXED)
			return NET_ETHLEN_MALFORMED;
		len = off + ARP_FIXED + 2u * ((size_t)l3[ARP_HLEN_OFF] + l3[ARP_PLEN_OFF]);
	} else if (type == NET_L2_ETHERTYPE) {
		if (avail < off + 2)
			return NET_ETHLEN_MALFORMED;
		len = be16(l3);
		if (len < off + sizeof(struct net_l2_hdr))
			return NET_ETHLEN_MALFORMED;
	} else {
		return NET_ETHLEN_UNKNOWN;
	}
	if (len > avail)
		return NET_ETHLEN_MALFORMED;
	return (long)len;
}
