/* nic-interrupts: each port raises its own TX and RX MSI-X vectors. The driver never
 * waits on an interrupt (it polls its rings with deadlines), so a lost interrupt does not
 * hang anything: this case is where it is reported, per port. */
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define FRAMES 8u
#define IRQ_WAIT_MS 200u

static unsigned got;
static void count(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx, (void)f, (void)len;
	got++;
}

void nic_interrupts(struct kt *t)
{
	if (accel_count() && accel_get(0)->irq_mode == ACCEL_IRQ_POLL) {
		kt_skip(t, "accel0 runs without interrupts %s", accel_get(0)->irq_note);
		return;
	}
	struct nic_set s;
	if (!nic_set_open(t, &s, true))
		return;
	static uint8_t frame[NET_ETH_MIN_FRAME];
	for (unsigned k = 0; k < s.n; k++) {
		struct nic_port *n = s.p[k];
		struct net_port *p = &n->port;
		if (nic_link_wait(n, true, NIC_LINK_WAIT_MS) != ACCEL_OK) {
			kt_fail(t, "%s: no link in MAC loopback after %u ms", nic_name(n), NIC_LINK_WAIT_MS);
			continue;
		}
		got = 0;
		for (unsigned f = 0; f < FRAMES; f++) {
			net_l2_build(frame, sizeof frame, p->mac, p->mac, NET_L2_DATA, f, 0, 0, kt_seed(t));
			p->ops->tx(p, frame, sizeof frame, 0);
		}
		struct deadline d = deadline_in_ms(IRQ_WAIT_MS);
		while ((got < FRAMES || !nic_irq_rx(n) || !nic_irq_tx(n)) && !deadline_passed(d))
			p->ops->rx_poll(p, FRAMES, count, 0);
		if (got < FRAMES)
			kt_fail(t, "%s: %u of %u looped-back frames arrived within %u ms", nic_name(n), got, FRAMES,
				IRQ_WAIT_MS);
		if (!nic_irq_rx(n) || !nic_irq_tx(n)) {
			kt_fail(t, "%s: interrupt fault: %u frames sent and %u received by polling, but TX vector %u "
				"raised %llu and RX vector %u raised %llu interrupts within %u ms", nic_name(n), FRAMES, got,
				KILN_VEC_NIC_TX(n->idx), (unsigned long long)nic_irq_tx(n), KILN_VEC_NIC_RX(n->idx),
				(unsigned long long)nic_irq_rx(n), IRQ_WAIT_MS);
		} else {
			kt_diag(t, "%s: TX vector %u: %llu interrupts, RX vector %u: %llu interrupts for %u frames",
				nic_name(n), KILN_VEC_NIC_TX(n->idx), (unsigned long long)nic_irq_tx(n),
				KILN_VEC_NIC_RX(n->idx), (unsigned long long)nic_irq_rx(n), FRAMES);
		}
	}
	nic_set_close(&s);
}
