/* The stress suite's NIC load: every port finds the port at the other end of its cable
 * (HELLO frames, before the load starts), then, round after round while the stress runs,
 * every cabled pair bursts Kiln test frames both ways at once (net/l2burst.c: sequence
 * numbers and CRC-32, every frame accounted for), alternating the smallest and the
 * largest frame. Runs on the boot CPU between sensor samples. */
#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"
#include "tests/suites/stress/stress.h"

#define DISCOVER_MS 30000u
#define ROUND_FRAMES 256u
#define ROUND_MS 20000u

static const unsigned sizes[] = {NET_ETH_MIN_FRAME, KILN_NIC_MTU_DEFAULT + NET_ETH_HDR};

struct stress_nic {
	struct nic_set set;
	struct net_l2_run run;
	unsigned active, rounds;
	uint64_t rng;
	uint64_t frames[NET_L2_PORTS_MAX], bytes[NET_L2_PORTS_MAX]; /* verified, per receiving port */
	uint64_t down0[NET_L2_PORTS_MAX];                             /* link-down events at the start */
};
static struct stress_nic nic; /* large: not on the stack */

static void sender_name(uint32_t id, char *buf, size_t len)
{
	ksnprintf(buf, len, "accel%u.port%u", NET_L2_SENDER_ACCEL(id), NET_L2_SENDER_PORT(id));
}

struct stress_nic *stress_nic_up(struct kt *t)
{
	unsigned ports = 0;
	for (unsigned i = 0; i < accel_count(); i++)
		ports += accel_get(i)->ports;
	if (!ports) {
		kt_diag(t, "nic: no NIC ports: no frames in this stress");
		return 0;
	}
	struct stress_nic *n = &nic;
	memset(n, 0, sizeof *n);
	n->rng = kt_rand(t);
	if (!nic_set_open(t, &n->set, false))
		return 0;
	for (unsigned k = 0; k < n->set.n; k++)
		if (nic_link_wait(n->set.p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_diag(t, "nic: %s: link down after %u ms; left out of the stress", nic_name(n->set.p[k]),
				NIC_LINK_WAIT_MS);
	nic_set_l2run(&n->set, &n->run);
	net_l2_discover(&n->run, deadline_in_ms(DISCOVER_MS));
	for (unsigned k = 0; k < n->run.n; k++) {
		struct nic_port *p = nic_of(n->run.port[k]);
		n->down0[k] = p->sw.link_down_events;
		if (!n->run.nb[k].heard || n->run.nb[k].sender == n->run.id[k] ||
		    NET_L2_SENDER_MACHINE(n->run.nb[k].sender) != nic_machine_id())
			continue;
		char nb[32];
		sender_name(n->run.nb[k].sender, nb, sizeof nb);
		kt_diag(t, "nic: %s cabled to %s", nic_name(p), nb);
		n->run.active[k] = true;
		n->active++;
	}
	if (!n->active) {
		kt_diag(t, "nic: no port is cabled to another port of this machine: no frames in this stress");
		nic_set_close(&n->set);
		return 0;
	}
	return n;
}

bool stress_nic_round(struct kt *t, struct stress_nic *n)
{
	unsigned size = sizes[n->rounds % (sizeof sizes / sizeof sizes[0])];
	uint64_t ms = stress_ms();
	int r = net_l2_burst(&n->run, ROUND_FRAMES, size, rand_next(&n->rng), deadline_in_ms(ROUND_MS));
	uint32_t loss_max = kiln_cfg ? kiln_cfg->nic_loss_max_ppm : 0;
	bool ok = true;
	for (unsigned k = 0; k < n->run.n; k++) {
		if (!n->run.active[k])
			continue;
		const struct net_l2_stats *s = &n->run.st[k];
		char from[32];
		sender_name(n->run.nb[k].sender, from, sizeof from);
		uint32_t lost = net_l2_lost(s);
		uint64_t ppm = s->peer_sent ? (uint64_t)lost * 1000000u / s->peer_sent : (lost ? 1000000u : 0);
		bool bad = !s->peer_done || s->peer_sent != ROUND_FRAMES || (lost && ppm > loss_max) || s->duplicates ||
			   s->reordered || s->corrupt || s->sent != ROUND_FRAMES;
		if (bad) {
			kt_fail(t, "%s -> %s (%u B, round %u): sent=%u intact=%u lost=%u corrupt=%u duplicates=%u reordered=%u%s, "
				"at %llu.%03llu s into the stress", from, nic_name(nic_of(n->run.port[k])), size, n->rounds + 1,
				s->peer_sent, s->unique, lost, s->corrupt, s->duplicates, s->reordered,
				s->peer_done ? "" : " (the sender's DONE never came)", (unsigned long long)(ms / 1000),
				(unsigned long long)(ms % 1000));
			ok = false;
			continue;
		}
		n->frames[k] += s->unique;
		n->bytes[k] += s->rx_bytes;
	}
	if (r < 0 && ok) {
		kt_fail(t, "nic: burst round %u (%u x %u B): not every pair finished within %u ms, at %llu.%03llu s into the "
			"stress", n->rounds + 1, ROUND_FRAMES, size, ROUND_MS, (unsigned long long)(ms / 1000),
			(unsigned long long)(ms % 1000));
		ok = false;
	}
	n->rounds++;
	return ok;
}

unsigned stress_nic_links_up(struct stress_nic *n, unsigned dev, const char **down)
{
	unsigned up = 0;
	uint32_t flaps = kiln_cfg ? kiln_cfg->nic_flaps_max : 0;
	for (unsigned k = 0; k < n->run.n; k++) {
		struct nic_port *p = nic_of(n->run.port[k]);
		if (p->a->index != dev || !n->run.active[k])
			continue;
		bool link = nic_link(p);
		up += link;
		if (down && !*down && (!link || p->sw.link_down_events - n->down0[k] > flaps))
			*down = nic_name(p);
	}
	return up;
}

void stress_nic_down(struct kt *t, struct stress_nic *n, uint64_t ns)
{
	uint64_t frames = 0, bytes = 0;
	char name[80];
	for (unsigned k = 0; k < n->run.n; k++) {
		if (!n->run.active[k])
			continue;
		struct nic_port *p = nic_of(n->run.port[k]);
		ksnprintf(name, sizeof name, "stress-%s-rx-frames", nic_name(p));
		kt_measure(t, name, (int64_t)n->frames[k], 0, "frames");
		ksnprintf(name, sizeof name, "stress-%s-rx-mbps", nic_name(p));
		kt_measure(t, name, ns ? (int64_t)(n->bytes[k] * 80000u / ns) : 0, 1, "Mb/s");
		kt_cover(t, KT_COVER_PORT, p->a->index, p->idx);
		frames += n->frames[k];
		bytes += n->bytes[k];
	}
	kt_diag(t, "nic: %u burst round(s) on %u port(s): %llu frames (%llu bytes) verified", n->rounds, n->active,
		(unsigned long long)frames, (unsigned long long)bytes);
	kt_measure(t, "stress-nic-frames", (int64_t)frames, 0, "frames");
	kt_measure(t, "stress-nic-mbps", ns ? (int64_t)(bytes * 80000u / ns) : 0, 1, "Mb/s");
	nic_set_close(&n->set);
}
