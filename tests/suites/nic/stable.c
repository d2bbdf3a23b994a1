/* nic-link-stable: every link stays up for a whole window. Any link-down event (a flap the
 * links recover from by themselves is the case a lab misses most easily) fails the case
 * with the port, how many times it went down and came back, why the device says it did,
 * and the port's own link-down counter. */
#include "tests/suites/nic/ports.h"

#define WINDOW_MS 3000u

static const char *reason_name(uint32_t r)
{
	switch (r) {
	case KILN_NIC_LINK_REASON_PEER: return "the link partner";
	case KILN_NIC_LINK_REASON_FAULT: return "a fault";
	case KILN_NIC_LINK_REASON_RESET: return "a reset";
	default: return "unknown";
	}
}

void nic_link_stable(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	uint64_t down0[NET_L2_PORTS_MAX], up0[NET_L2_PORTS_MAX];
	for (unsigned k = 0; k < s.n; k++) {
		if (nic_link_wait(s.p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_fail(t, "%s: link down at the start of the window (waited %u ms)", nic_name(s.p[k]), NIC_LINK_WAIT_MS);
		down0[k] = s.p[k]->sw.link_down_events;
		up0[k] = s.p[k]->sw.link_up_events;
	}
	struct deadline d = deadline_in_ms(WINDOW_MS);
	while (!deadline_passed(d))
		for (unsigned k = 0; k < s.n; k++)
			nic_link(s.p[k]);
	for (unsigned k = 0; k < s.n; k++) {
		struct nic_port *n = s.p[k];
		uint64_t down = n->sw.link_down_events - down0[k], up = n->sw.link_up_events - up0[k];
		struct nic_hw_counters c;
		nic_hw_counters(n, &c);
		if (down || !n->link)
			kt_fail(t, "%s: link went down %llu time(s) and came back %llu time(s) in %u ms, now %s; last change "
				"caused by %s; port link_down counter %u", nic_name(n), (unsigned long long)down,
				(unsigned long long)up, WINDOW_MS, n->link ? "up" : "down", reason_name(n->last_link_reason),
				c.link_down);
		else
			kt_diag(t, "%s: link up for the whole %u ms window", nic_name(n), WINDOW_MS);
	}
	nic_set_close(&s);
}
