/* The HBM BAR window: BAR4 shows hbm_win_size bytes of the HBM from a base the driver sets
 * in the HBM block (docs/device.md sections 1 and 8), as silicon does, so eight cards with
 * tens of GiB of HBM each need only a small 64-bit PCI aperture. CPU access to any HBM
 * offset goes through accel_hbm_at(), which moves the window when the offset is outside. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_hbm.h"

void accel_hbm_window_init(struct accel *a)
{
	a->hbm_win_size = accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_SIZE_LO) |
			  (uint64_t)accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_SIZE_HI) << 32;
	a->hbm_win_base = accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_LO) |
			  (uint64_t)accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_HI) << 32;
}

volatile uint8_t *accel_hbm_window(struct accel *a, uint64_t off, uint64_t len)
{
	uint64_t win = a->hbm_win_size;
	if (!win || off >= a->hbm_size || len > a->hbm_size - off)
		return 0;
	uint64_t base = off & ~(win - 1);
	if (len > win - (off - base))
		return 0; /* the range crosses a window boundary: the caller splits it */
	/* LO is latched, the HI write moves the window (kiln_hbm.h); read back so the move is done */
	accel_wr(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_LO, lo32(base));
	accel_wr(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_HI, hi32(base));
	uint64_t now = accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_LO) |
		       (uint64_t)accel_rd(a, KILN_BLK_HBM + KILN_HBM_WINDOW_BASE_HI) << 32;
	if (now != base)
		return 0;
	a->hbm_win_base = base;
	return a->hbm + (off - base);
}
