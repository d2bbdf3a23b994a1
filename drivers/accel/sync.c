/* Sync manager: sync objects (15-bit counters) and monitors that write a payload when
 * their SOB group reaches a target. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_sync.h"

void accel_sob_set(struct accel *a, unsigned sob, uint32_t v)
{
	accel_wr(a, KILN_BLK_SM + KILN_SM_SOB(sob), (uint32_t)KILN_FIELD_PREP(KILN_SM_SOB_VAL, v));
}

void accel_sob_add(struct accel *a, unsigned sob, uint32_t v)
{
	accel_wr(a, KILN_BLK_SM + KILN_SM_SOB(sob), (uint32_t)KILN_FIELD_PREP(KILN_SM_SOB_VAL, v) | KILN_SM_SOB_MOD_ADD);
}

uint32_t accel_sob_get(struct accel *a, unsigned sob)
{
	return (uint32_t)KILN_FIELD_GET(KILN_SM_SOB_VAL, accel_rd(a, KILN_BLK_SM + KILN_SM_SOB(sob)));
}

void accel_mon_arm(struct accel *a, unsigned m, unsigned gid, uint8_t mask, unsigned mode, uint32_t target,
		   uint64_t pay_addr, uint32_t pay_data, bool irq)
{
	uint32_t base = KILN_BLK_SM + KILN_SM_MON(m);
	accel_wr(a, base + KILN_SM_MON_PAY_ADDR_LO, lo32(pay_addr));
	accel_wr(a, base + KILN_SM_MON_PAY_ADDR_HI, hi32(pay_addr));
	accel_wr(a, base + KILN_SM_MON_PAY_DATA, pay_data);
	accel_wr(a, base + KILN_SM_MON_CFG, irq ? KILN_SM_MON_CFG_IRQ : 0);
	accel_wr(a, base + KILN_SM_MON_ARM,
		 (uint32_t)(KILN_FIELD_PREP(KILN_SM_MON_ARM_GID, gid) | KILN_FIELD_PREP(KILN_SM_MON_ARM_MASK, mask) |
			    KILN_FIELD_PREP(KILN_SM_MON_ARM_MODE, mode) | KILN_FIELD_PREP(KILN_SM_MON_ARM_VAL, target)));
}

uint32_t accel_mon_status(struct accel *a, unsigned m) { return accel_rd(a, KILN_BLK_SM + KILN_SM_MON(m) + KILN_SM_MON_STATUS); }
