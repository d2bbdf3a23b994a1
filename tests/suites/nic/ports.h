/* Every NIC port of every bound accelerator, opened for a case. */
#ifndef KILN_TESTS_NIC_PORTS_H
#define KILN_TESTS_NIC_PORTS_H

#include "drivers/accel/nic.h"
#include "kernel/harness/ktest.h"
#include "kernel/harness/lane.h"
#include "net/l2burst.h"

struct nic_set {
	unsigned n;
	struct nic_port *p[NET_L2_PORTS_MAX];
};

/* Open every port (MAC loopback if asked). Ports that fail to open fail the case and are
 * left out. Returns the number opened; 0 with a skip when there is no device or port. */
unsigned nic_set_open(struct kt *t, struct nic_set *s, bool loopback);
void nic_set_close(struct nic_set *s);
/* Hold (or release) every port's TX and RX interrupts while a burst polls the rings itself
 * (nic_irq_hold); a port whose device does not answer fails t. */
void nic_set_irq_hold(struct kt *t, const struct nic_set *s, bool hold);
/* This machine's id in L2 test frames: from accel0's serial number (DSN), so two machines
 * joined by a cable tell their frames apart. */
uint32_t nic_machine_id(void);
/* The port named by net.uplink (cabled to an outside network, not to a Kiln port). */
bool nic_is_uplink(const struct nic_port *n);
/* A run over the set's ports for net/l2burst, the uplink left out. */
void nic_set_l2run(const struct nic_set *s, struct net_l2_run *r);
void nic_port_diag(struct kt *t, struct nic_port *n);
/* L2 discovery over the set (for up to discover_ms), then fn for every port `from` that
 * heard a port `to` of this same machine on its cable (to_mac: what `from` heard). Returns
 * how many such pairs there were; each cable is seen from both ends. */
typedef void (*nic_pair_fn)(struct kt *t, struct nic_port *from, struct nic_port *to, const uint8_t to_mac[6],
			    void *ctx);
unsigned nic_set_local_pairs(const struct nic_set *s, uint32_t discover_ms, nic_pair_fn fn, struct kt *t, void *ctx);
/* Where the guest's cycles went in the run's last burst (issue 15 item 5): per frame sent,
 * per frame received, and what is left (polling empty rings, the control frames, the loop);
 * a diagnostic line and `profile-<what>-<size>B-<part>-cycles` measures. */
void nic_l2_profile(struct kt *t, const struct net_l2_run *r, unsigned size, const char *what);

/* A burst's sender on an idle AP (a lane), the receiver on this CPU; with no AP idle,
 * net_l2_burst_on interleaves both on this one. Set t and ms (the burst's deadline: the
 * lane gets a second more), then hand nic_sender_cpu() to net_l2_burst_on; a sender that
 * does not finish fails t, naming its CPU. */
struct nic_sender_lane {
	struct lane lane;
	struct kt *t;
	unsigned apic_id;
	uint32_t ms;
};
struct net_l2_cpu nic_sender_cpu(struct nic_sender_lane *s);

#endif
