/* Command-buffer packet encoders: typed builders for every Gaudi 1 packet the QMAN runs
 * (drivers/accel/hw/kiln_packets.h). Pure code, shared with the host unit tests.
 * Overflow is sticky: cb_ok() tells whether every packet fit. */
#ifndef KILN_ACCEL_CB_H
#define KILN_ACCEL_CB_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/accel/hw/kiln_packets.h"

struct cb {
	uint8_t *buf;
	uint32_t cap, len;
	bool overflow;
	bool in_repeat;
};

/* Barrier bits for the ctl word of any packet. */
#define CB_EB KILN_PKT_CTL_EB
#define CB_RB KILN_PKT_CTL_RB
#define CB_MB KILN_PKT_CTL_MB

void cb_init(struct cb *c, void *buf, uint32_t cap);
bool cb_ok(const struct cb *c);
uint32_t cb_len(const struct cb *c);

void cb_nop(struct cb *c, uint32_t barriers);
void cb_stop(struct cb *c);
/* reg: byte offset in the engine's QMAN block */
void cb_wreg32(struct cb *c, uint32_t reg, uint32_t value, uint32_t barriers);
void cb_wreg_bulk(struct cb *c, uint32_t reg, const uint64_t *values, uint32_t count);
void cb_msg_long(struct cb *c, uint64_t addr, uint32_t value, uint32_t barriers);
void cb_msg_long_timestamp(struct cb *c, uint64_t addr);
void cb_msg_prot(struct cb *c, uint64_t addr, uint32_t value);
/* address = MSG_BASE[base] + off */
void cb_msg_short(struct cb *c, unsigned base, uint32_t off, uint32_t value, uint32_t barriers);
/* SOB values for MSG_SHORT/MSG_LONG to a SOB register */
uint32_t cb_sob_value_set(uint32_t v);
uint32_t cb_sob_value_add(uint32_t v);
/* Monitor ARM value (MSG_SHORT to a monitor's ARM register) */
uint32_t cb_mon_arm_value(unsigned gid, uint8_t mask, unsigned mode, uint32_t target);
void cb_cp_dma(struct cb *c, uint64_t src, uint32_t tsize);
void cb_repeat_start(struct cb *c, uint32_t count);
void cb_repeat_end(struct cb *c);
void cb_fence(struct cb *c, unsigned id, uint32_t target, uint32_t dec, unsigned pred);
void cb_lin_dma(struct cb *c, uint64_t src, uint64_t dst, uint32_t size, bool wrcomp, uint32_t barriers);
void cb_memset(struct cb *c, uint64_t dst, uint64_t pattern, uint32_t size, bool wrcomp);
void cb_arb_point(struct cb *c);
void cb_wait(struct cb *c, uint32_t cycles, uint32_t inc, unsigned id);
/* dst 0: PRED (4 bytes at src), dst 1: SCALAR0..3 (16 bytes) */
void cb_load_and_exe(struct cb *c, uint64_t src, unsigned dst);
/* A raw packet word pair, for malformed-input tests only. */
void cb_raw(struct cb *c, uint32_t word0, uint32_t ctl);

#endif
