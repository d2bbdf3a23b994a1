/* Kiln L2 test frames: build and check. The CRC-32 covers the Ethernet and Kiln headers and
 * the payload key; the payload after the key is the seeded pattern (kernel/lib/pattern.h)
 * of that key at the frame's own offsets, checked a word at a time against what it must
 * be. A flipped bit anywhere fails one of the two; a word-wise compare costs a fraction of
 * a byte-wise CRC under emulation (docs/net.md "Raw L2 frames"). */
#include "net/l2frame.h"

#include "kernel/lib/crc32.h"
#include "kernel/lib/pattern.h"
#include "kernel/lib/string.h"
#include "net/port.h"

#define CRC_OFF (NET_L2_HDR_OFF + offsetof(struct net_l2_hdr, crc))
#define CRC_LEN 4u
#define KEY_OFF NET_L2_MIN_FRAME         /* the payload key, 8 bytes little endian */
#define KEY_LEN 8u
#define PAT_OFF (KEY_OFF + KEY_LEN)      /* the pattern, to the end of the frame */

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

static void put64le(uint8_t *p, uint64_t v)
{
	for (unsigned k = 0; k < KEY_LEN; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}
static uint64_t get64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < KEY_LEN; k++)
		v |= (uint64_t)p[k] << (8 * k);
	return v;
}

/* The bytes the CRC covers: the headers and the key, or the whole of a frame too short
 * for a payload key; a HELLO's CRC covers all of it (its serial field, no pattern). */
static size_t crc_len(size_t len) { return len < PAT_OFF ? len : PAT_OFF; }

static uint32_t crc_over(const uint8_t *buf, size_t len)
{
	static const uint8_t zero[CRC_LEN];
	uint32_t c = crc32_ieee(0, buf, CRC_OFF);
	c = crc32_ieee(c, zero, CRC_LEN);
	return crc32_ieee(c, buf + CRC_OFF + CRC_LEN, len - CRC_OFF - CRC_LEN);
}

static uint32_t frame_crc(const uint8_t *buf, size_t len) { return crc_over(buf, crc_len(len)); }

void net_l2_build(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6], uint16_t kind, uint32_t seq,
		  uint32_t sender, uint32_t aux, uint64_t seed)
{
	memcpy(buf, dst, NET_MAC_LEN);
	memcpy(buf + NET_MAC_LEN, src, NET_MAC_LEN);
	put16(buf + NET_ETH_TYPE_OFF, NET_L2_ETHERTYPE);
	uint8_t *h = buf + NET_L2_HDR_OFF;
	put16(h + offsetof(struct net_l2_hdr, frame_len), (uint32_t)len);
	put16(h + offsetof(struct net_l2_hdr, kind), kind);
	put32(h + offsetof(struct net_l2_hdr, magic), NET_L2_MAGIC);
	put32(h + offsetof(struct net_l2_hdr, seq), seq);
	put32(h + offsetof(struct net_l2_hdr, sender), sender);
	put32(h + offsetof(struct net_l2_hdr, aux), aux);
	if (len >= PAT_OFF) {
		uint64_t key = seed ^ ((uint64_t)sender << 32 | seq);
		put64le(buf + KEY_OFF, key);
		pattern_fill(buf + PAT_OFF, len - PAT_OFF, key, PAT_OFF);
	} else {
		memset(buf + NET_L2_MIN_FRAME, 0, len - NET_L2_MIN_FRAME);
	}
	put32(buf + CRC_OFF, frame_crc(buf, len));
}

void net_l2_build_hello(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint32_t sender, uint32_t aux,
			const char *serial)
{
	net_l2_build(buf, NET_L2_HELLO_LEN, dst, src, NET_L2_HELLO, 0, sender, aux, 0);
	uint8_t *field = buf + NET_L2_MIN_FRAME;
	memset(field, 0, NET_L2_HELLO_LEN - NET_L2_MIN_FRAME);
	for (size_t i = 0; serial && serial[i] && i < NET_L2_SERIAL_LEN - 1; i++)
		field[i] = (uint8_t)serial[i];
	put32(buf + CRC_OFF, crc_over(buf, NET_L2_HELLO_LEN));
}

bool net_l2_parse(const uint8_t *buf, size_t len, struct net_l2_info *info, bool *crc_ok)
{
	if (len < NET_L2_MIN_FRAME || get16(buf + NET_ETH_TYPE_OFF) != NET_L2_ETHERTYPE)
		return false;
	const uint8_t *h = buf + NET_L2_HDR_OFF;
	info->serial[0] = 0;
	if (get32(h + offsetof(struct net_l2_hdr, magic)) != NET_L2_MAGIC) {
		/* our ethertype with a damaged header: a corrupted test frame */
		info->kind = 0;
		info->seq = info->sender = info->aux = 0;
		info->len = len;
		*crc_ok = false;
		return true;
	}
	info->len = get16(h + offsetof(struct net_l2_hdr, frame_len));
	info->kind = (uint16_t)get16(h + offsetof(struct net_l2_hdr, kind));
	info->seq = get32(h + offsetof(struct net_l2_hdr, seq));
	info->sender = get32(h + offsetof(struct net_l2_hdr, sender));
	info->aux = get32(h + offsetof(struct net_l2_hdr, aux));
	if (info->kind == NET_L2_HELLO) {
		*crc_ok = info->len == len && get32(buf + CRC_OFF) == crc_over(buf, len);
		if (*crc_ok && len >= NET_L2_HELLO_LEN) {
			const uint8_t *field = buf + NET_L2_MIN_FRAME;
			size_t i = 0;
			for (; i < NET_L2_SERIAL_LEN - 1 && field[i]; i++)
				info->serial[i] = field[i] >= 0x20 && field[i] < 0x7f ? (char)field[i] : '?';
			info->serial[i] = 0;
		}
		return true;
	}
	*crc_ok = info->len == len && get32(buf + CRC_OFF) == frame_crc(buf, len) &&
		  (len < PAT_OFF || !pattern_check(buf + PAT_OFF, len - PAT_OFF, get64le(buf + KEY_OFF), PAT_OFF, 0, 0));
	return true;
}
