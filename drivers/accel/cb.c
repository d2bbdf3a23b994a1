#include "drivers/accel/cb.h"

#include "kernel/lib/string.h"

void cb_init(struct cb *c, void *buf, uint32_t cap)
{
	c->buf = buf;
	c->cap = cap;
	c->len = 0;
	c->overflow = false;
	c->in_repeat = false;
}

bool cb_ok(const struct cb *c) { return !c->overflow && !c->in_repeat; }
uint32_t cb_len(const struct cb *c) { return c->len; }

static uint32_t ctl(uint32_t opcode, uint32_t extra)
{
	return (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, opcode) | extra;
}

static void emit(struct cb *c, const void *pkt, uint32_t size)
{
	if (c->overflow || c->len + size > c->cap || c->len + size < c->len) {
		c->overflow = true;
		return;
	}
	memcpy(c->buf + c->len, pkt, size);
	c->len += size;
}

static void short_pkt(struct cb *c, uint32_t word0, uint32_t ctlw)
{
	uint32_t p[2] = {word0, ctlw};
	emit(c, p, sizeof p);
}

void cb_raw(struct cb *c, uint32_t word0, uint32_t ctlw) { short_pkt(c, word0, ctlw); }

void cb_nop(struct cb *c, uint32_t barriers) { short_pkt(c, 0, ctl(KILN_PKT_NOP, barriers)); }
void cb_stop(struct cb *c) { short_pkt(c, 0, ctl(KILN_PKT_STOP, 0)); }
void cb_arb_point(struct cb *c) { short_pkt(c, 0, ctl(KILN_PKT_ARB_POINT, 0)); }

void cb_wreg32(struct cb *c, uint32_t reg, uint32_t value, uint32_t barriers)
{
	short_pkt(c, value, ctl(KILN_PKT_WREG_32, barriers | (uint32_t)KILN_FIELD_PREP(KILN_PKT_WREG_CTL_REG, reg)));
}

void cb_wreg_bulk(struct cb *c, uint32_t reg, const uint64_t *values, uint32_t count)
{
	short_pkt(c, count, ctl(KILN_PKT_WREG_BULK, (uint32_t)KILN_FIELD_PREP(KILN_PKT_WREG_CTL_REG, reg)));
	for (uint32_t i = 0; i < count; i++)
		emit(c, &values[i], sizeof values[i]);
}

static void long_pkt(struct cb *c, uint32_t opcode, uint32_t word0, uint32_t extra, uint64_t addr)
{
	struct kiln_pkt_msg_long p = {word0, ctl(opcode, extra), addr};
	emit(c, &p, sizeof p);
}

void cb_msg_long(struct cb *c, uint64_t addr, uint32_t value, uint32_t barriers)
{
	long_pkt(c, KILN_PKT_MSG_LONG, value, barriers | (uint32_t)KILN_FIELD_PREP(KILN_PKT_MSG_CTL_OP, KILN_PKT_MSG_OP_WRITE),
		 addr);
}

void cb_msg_long_timestamp(struct cb *c, uint64_t addr)
{
	long_pkt(c, KILN_PKT_MSG_LONG, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_MSG_CTL_OP, KILN_PKT_MSG_OP_TIMESTAMP), addr);
}

void cb_msg_prot(struct cb *c, uint64_t addr, uint32_t value)
{
	long_pkt(c, KILN_PKT_MSG_PROT, value, (uint32_t)KILN_FIELD_PREP(KILN_PKT_MSG_CTL_OP, KILN_PKT_MSG_OP_WRITE), addr);
}

void cb_msg_short(struct cb *c, unsigned base, uint32_t off, uint32_t value, uint32_t barriers)
{
	short_pkt(c, value,
		  ctl(KILN_PKT_MSG_SHORT, barriers | (uint32_t)KILN_FIELD_PREP(KILN_PKT_SHORT_CTL_ADDR, off) |
						 (uint32_t)KILN_FIELD_PREP(KILN_PKT_SHORT_CTL_BASE, base)));
}

uint32_t cb_sob_value_set(uint32_t v) { return (uint32_t)KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_SOB_VAL, v); }
uint32_t cb_sob_value_add(uint32_t v)
{
	return (uint32_t)KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_SOB_VAL, v) | KILN_PKT_SHORT_VAL_SOB_MOD;
}

uint32_t cb_mon_arm_value(unsigned gid, uint8_t mask, unsigned mode, uint32_t target)
{
	return (uint32_t)(KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_MON_GID, gid) | KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_MON_MASK, mask) |
			  KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_MON_MODE, mode) |
			  KILN_FIELD_PREP(KILN_PKT_SHORT_VAL_MON_VAL, target));
}

void cb_cp_dma(struct cb *c, uint64_t src, uint32_t tsize)
{
	struct kiln_pkt_cp_dma p = {tsize, ctl(KILN_PKT_CP_DMA, 0), src};
	emit(c, &p, sizeof p);
}

void cb_repeat_start(struct cb *c, uint32_t count)
{
	if (c->in_repeat || count == 0 || count > KILN_PKT_REPEAT_CFG_COUNT) {
		c->overflow = true; /* nesting or a bad count: refuse to build it */
		return;
	}
	short_pkt(c, (uint32_t)KILN_FIELD_PREP(KILN_PKT_REPEAT_CFG_COUNT, count), ctl(KILN_PKT_REPEAT, 0));
	c->in_repeat = true;
}

void cb_repeat_end(struct cb *c)
{
	if (!c->in_repeat) {
		c->overflow = true;
		return;
	}
	short_pkt(c, KILN_PKT_REPEAT_CFG_END, ctl(KILN_PKT_REPEAT, 0));
	c->in_repeat = false;
}

void cb_fence(struct cb *c, unsigned id, uint32_t target, uint32_t dec, unsigned pred)
{
	uint32_t cfg = (uint32_t)(KILN_FIELD_PREP(KILN_PKT_FENCE_CFG_DEC_VAL, dec) |
				  KILN_FIELD_PREP(KILN_PKT_FENCE_CFG_TARGET, target) |
				  KILN_FIELD_PREP(KILN_PKT_FENCE_CFG_ID, id));
	short_pkt(c, cfg, ctl(KILN_PKT_FENCE, (uint32_t)KILN_FIELD_PREP(KILN_PKT_FENCE_CTL_PRED, pred)));
}

void cb_lin_dma(struct cb *c, uint64_t src, uint64_t dst, uint32_t size, bool wrcomp, uint32_t barriers)
{
	struct kiln_pkt_lin_dma p = {size, ctl(KILN_PKT_LIN_DMA, barriers | KILN_PKT_LIN_DMA_CTL_LIN |
								 (wrcomp ? KILN_PKT_LIN_DMA_CTL_WRCOMP : 0)),
				     src, dst & KILN_PKT_LIN_DMA_DST_ADDR};
	emit(c, &p, sizeof p);
}

void cb_memset(struct cb *c, uint64_t dst, uint64_t pattern, uint32_t size, bool wrcomp)
{
	struct kiln_pkt_lin_dma p = {size,
				     ctl(KILN_PKT_LIN_DMA, KILN_PKT_LIN_DMA_CTL_LIN | KILN_PKT_LIN_DMA_CTL_MEMSET |
							       (wrcomp ? KILN_PKT_LIN_DMA_CTL_WRCOMP : 0)),
				     pattern, dst & KILN_PKT_LIN_DMA_DST_ADDR};
	emit(c, &p, sizeof p);
}

void cb_wait(struct cb *c, uint32_t cycles, uint32_t inc, unsigned id)
{
	uint32_t cfg = (uint32_t)(KILN_FIELD_PREP(KILN_PKT_WAIT_CFG_CYCLES, cycles) |
				  KILN_FIELD_PREP(KILN_PKT_WAIT_CFG_INC, inc) | KILN_FIELD_PREP(KILN_PKT_WAIT_CFG_ID, id));
	short_pkt(c, cfg, ctl(KILN_PKT_WAIT, 0));
}

void cb_load_and_exe(struct cb *c, uint64_t src, unsigned dst)
{
	struct kiln_pkt_load_and_exe p = {dst ? KILN_PKT_LOAD_AND_EXE_CFG_DST : 0, ctl(KILN_PKT_LOAD_AND_EXE, 0), src};
	emit(c, &p, sizeof p);
}
