/* nic-link-up: every port comes up (a port without a cable is strapped to MAC loopback
 * and must come up that way), as the NIC status events report it. */
#include "tests/suites/nic/ports.h"

void nic_link_up(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	for (unsigned k = 0; k < s.n; k++) {
		struct nic_port *n = s.p[k];
		int r = nic_link_wait(n, true, NIC_LINK_WAIT_MS);
		uint32_t st = nic_status(n);
		if (r != ACCEL_OK) {
			kt_fail(t, "%s: link %s after %u ms (status 0x%x: link=%u wired=%u; %s)", nic_name(n),
				r == ACCEL_EGONE ? "unknown, device not responding" : "still down", NIC_LINK_WAIT_MS, st,
				!!(st & KILN_NIC_STS_LINK_UP), !!(st & KILN_NIC_STS_WIRED),
				n->strapped_loopback ? "no cable: strapped to MAC loopback" : "cabled");
			nic_port_diag(t, n);
			continue;
		}
		if (!(st & KILN_NIC_STS_LINK_UP))
			kt_fail(t, "%s: the events say link up but STATUS reads 0x%x", nic_name(n), st);
		kt_diag(t, "%s: link up (%s), mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u", nic_name(n),
			n->strapped_loopback ? "no cable: MAC loopback strap" : "cabled", n->port.mac[0], n->port.mac[1],
			n->port.mac[2], n->port.mac[3], n->port.mac[4], n->port.mac[5], n->port.mtu);
	}
	nic_set_close(&s);
}
