/* The event queue: a ring of 64-byte entries in host memory that the device fills (ready
 * bit 31 of ctl, event id in [25:16]); the driver consumes them in order, clears the
 * ready bit and acknowledges by writing its consumer index. Consumed events go to a log
 * the suites read, with a count per event id. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_ring.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

int accel_eq_setup(struct accel *a)
{
	int r = accel_ring_alloc(&a->eq, ACCEL_EQ_ENTRIES, sizeof(struct kiln_eq_entry));
	if (r)
		return r;
	a->eq_ci = 0;
	a->ev_lost_seen = 0;
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_CFG, 0);
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_BASE_LO, lo32(a->eq.dev));
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_BASE_HI, hi32(a->eq.dev));
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_SIZE, ACCEL_EQ_ENTRIES);
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_CI, 0);
	accel_wr(a, KILN_BLK_EQ + KILN_EQ_CFG, KILN_EQ_CFG_ENABLE);
	return accel_check_alive(a);
}

int accel_eq_poll(struct accel *a)
{
	int n = 0;
	volatile struct kiln_eq_entry *ring = a->eq.mem;
	for (;;) {
		volatile struct kiln_eq_entry *e = &ring[a->eq_ci];
		uint32_t ctl = e->ctl;
		if (!(ctl & KILN_EQ_CTL_READY))
			break;
		struct accel_event *ev = &a->ev_log[a->ev_seq % ACCEL_EVENT_LOG];
		ev->type = (uint32_t)KILN_FIELD_GET(KILN_EQ_CTL_TYPE, ctl);
		ev->index = (uint32_t)KILN_FIELD_GET(KILN_EQ_CTL_INDEX, ctl);
		for (unsigned i = 0; i < 7; i++)
			ev->data[i] = e->data[i];
		ev->seq = ++a->ev_seq;
		a->ev_count[ev->type]++;
		e->ctl = 0;
		a->eq_ci = kiln_cring_next(a->eq_ci, a->eq.entries);
		n++;
	}
	if (n)
		accel_wr(a, KILN_BLK_EQ + KILN_EQ_CI, a->eq_ci);
	return n;
}

const struct accel_event *accel_event_find(struct accel *a, uint32_t type, uint64_t after)
{
	uint64_t oldest = a->ev_seq > ACCEL_EVENT_LOG ? a->ev_seq - ACCEL_EVENT_LOG + 1 : 1;
	for (uint64_t s = a->ev_seq; s >= oldest && s > after; s--) {
		const struct accel_event *ev = &a->ev_log[(s - 1) % ACCEL_EVENT_LOG];
		if (ev->type == type)
			return ev;
	}
	return 0;
}

int accel_event_wait(struct accel *a, uint32_t type, uint64_t after, uint32_t timeout_ms, struct accel_event *out)
{
	struct deadline d = deadline_in_ms(timeout_ms);
	for (;;) {
		accel_eq_poll(a);
		const struct accel_event *ev = accel_event_find(a, type, after);
		if (ev) {
			if (out)
				*out = *ev;
			return ACCEL_OK;
		}
		if (accel_check_alive(a))
			return ACCEL_EGONE;
		if (deadline_passed(d))
			return ACCEL_ETIMEDOUT;
		cpu_relax();
	}
}
