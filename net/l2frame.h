/* Kiln's raw L2 test frames (bypassing lwIP): ethertype 0x88B5 (IEEE 802 local
 * experimental 1), then a 24-byte header carrying the frame's own length (so a receiver
 * whose NIC reports none can find it), the kind, a sequence number, the sender's
 * identity and a CRC-32; then (frames of NET_L2_MIN_FRAME + 8 bytes or more) an 8-byte
 * payload key, little endian, and to the end of the frame the seeded pattern of that key
 * (kernel/lib/pattern.h) at the frame's own byte offsets. The CRC covers the headers and
 * the key (the whole frame when it is shorter); the pattern is checked word by word
 * against what the key says it must be. A HELLO instead carries, in the 32 bytes after
 * the header, the sending device's serial, and its CRC covers the whole frame (docs/net.md). */
#ifndef KILN_NET_L2FRAME_H
#define KILN_NET_L2FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_L2_ETHERTYPE 0x88b5u
#define NET_L2_MAGIC 0x4b494c4eu /* "KILN" */

enum net_l2_kind {
	NET_L2_HELLO = 1, /* discovery: who is at the other end of this port */
	NET_L2_DATA = 2,  /* burst payload */
	NET_L2_DONE = 3,  /* burst over: the sender's count */
	NET_L2_READY = 4, /* ready for burst round `seq` */
};

struct net_l2_hdr {            /* after the 14-byte Ethernet header, big endian */
	uint16_t frame_len;        /* whole frame, Ethernet header included */
	uint16_t kind;
	uint32_t magic;
	uint32_t seq;              /* DATA: sequence; DONE, READY: round */
	uint32_t sender;           /* NET_L2_SENDER(machine, accel, port) */
	uint32_t aux;              /* HELLO: heard-you flags; DATA: round; DONE: frames sent */
	uint32_t crc;              /* CRC-32 of the headers and key with this field zero */
};
#define NET_L2_HDR_OFF 14u
#define NET_L2_MIN_FRAME (NET_L2_HDR_OFF + sizeof(struct net_l2_hdr))

/* HELLO: the sender's device serial (ASCII, NUL-padded) right after the header. */
#define NET_L2_SERIAL_LEN 32u
#define NET_L2_HELLO_LEN (NET_L2_MIN_FRAME + NET_L2_SERIAL_LEN)

#define NET_L2_SENDER(machine, accel, port) (((uint32_t)(machine) << 16) | ((uint32_t)(accel) << 8) | (uint32_t)(port))
#define NET_L2_SENDER_MACHINE(s) ((s) >> 16)
#define NET_L2_SENDER_ACCEL(s) (((s) >> 8) & 0xffu)
#define NET_L2_SENDER_PORT(s) ((s) & 0xffu)

struct net_l2_info {
	uint16_t kind;
	uint32_t seq, sender, aux;
	size_t len;
	char serial[NET_L2_SERIAL_LEN]; /* HELLO: the sender's serial, NUL-terminated; "": none */
};

/* Build a frame of `len` bytes (>= NET_L2_MIN_FRAME) into buf. */
void net_l2_build(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6], uint16_t kind, uint32_t seq,
		  uint32_t sender, uint32_t aux, uint64_t seed);
/* A HELLO (NET_L2_HELLO_LEN bytes) naming the sender's device serial (truncated to 31
 * characters; NULL or "" when the device did not report one). */
void net_l2_build_hello(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint32_t sender, uint32_t aux,
			const char *serial);
/* Check a received frame: true when it carries the Kiln test ethertype; *crc_ok says
 * whether it is intact (magic, length, CRC-32 and every payload byte). The fields of a damaged frame are not
 * to be trusted. */
bool net_l2_parse(const uint8_t *buf, size_t len, struct net_l2_info *info, bool *crc_ok);

#endif
