/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: ring index arithmetic, the one place it is written, used by the driver
 * (drivers/accel) and the model (tools/qemu) alike. Contract: docs/device.md sections 5, 7,
 * 9 and 10. Freestanding C11: <stdint.h> only. Host-tested in tests/host/test_ring.c.
 *
 * Two kinds of ring:
 * - PQ-style rings (QMAN PQ, device-CPU PQ, NIC TX and RX): producer and consumer indices run
 *   over [0, 2 * entries), as hl_hw_queue_add_ptr() of the Linux habanalabs driver does
 *   (common/hw_queue.c), so an empty ring (PI == CI) and a full one (PI - CI == entries)
 *   differ. The slot of index i is i & (entries - 1).
 * - plain rings (QMAN CQ, event queue): indices run over [0, entries); the device keeps one
 *   slot free (EQ) or is not flow controlled (CQ).
 * entries is a power of two the caller has validated (KILN_IS_POW2); 0 is never passed.
 */
#ifndef KILN_HW_RING_H
#define KILN_HW_RING_H

#include <stdint.h>

/* PQ-style: number of distinct index values (twice the entries). */
static inline uint32_t kiln_ring_span(uint32_t entries)
{
	return 2u * entries;
}

/* PQ-style: ring slot of index idx. */
static inline uint32_t kiln_ring_slot(uint32_t idx, uint32_t entries)
{
	return idx & (entries - 1u);
}

/* PQ-style: the index after idx, wrapping at 2 * entries. */
static inline uint32_t kiln_ring_next(uint32_t idx, uint32_t entries)
{
	return (idx + 1u) % kiln_ring_span(entries);
}

/* PQ-style: entries produced and not yet consumed, 0..entries for valid indices. */
static inline uint32_t kiln_ring_used(uint32_t pi, uint32_t ci, uint32_t entries)
{
	return (pi - ci + kiln_ring_span(entries)) % kiln_ring_span(entries);
}

/* PQ-style: the ring holds entries entries (the producer must wait). */
static inline int kiln_ring_full(uint32_t pi, uint32_t ci, uint32_t entries)
{
	return kiln_ring_used(pi, ci, entries) == entries;
}

/* PQ-style: pi is in range for a doorbell (< 2 * entries). */
static inline int kiln_ring_pi_in_range(uint32_t pi, uint32_t entries)
{
	return pi < kiln_ring_span(entries);
}

/* PQ-style: a doorbell pi in range that is at most entries ahead of ci (no overrun). */
static inline int kiln_ring_pi_no_overrun(uint32_t pi, uint32_t ci, uint32_t entries)
{
	return kiln_ring_used(pi, ci, entries) <= entries;
}

/* Plain ring: the index after idx, wrapping at entries. */
static inline uint32_t kiln_cring_next(uint32_t idx, uint32_t entries)
{
	return (idx + 1u) % entries;
}

/* Plain ring that keeps one slot free: writing at pi would catch up with ci. ci may be any
 * value the consumer wrote; only its slot counts. */
static inline int kiln_cring_full(uint32_t pi, uint32_t ci, uint32_t entries)
{
	return kiln_cring_next(pi, entries) == ci % entries;
}

#endif /* KILN_HW_RING_H */
