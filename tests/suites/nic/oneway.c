/* nicbench-burst-oneway (suite `nicbench`): the real verified burst of nic-pair-burst (the
 * same net_l2_burst_on: every frame built with its key, pattern and CRC, every frame
 * verified and accounted, the sender on an idle AP when there is one) in ONE direction of
 * a cable at a time, so it compares like with like against nicbench-ceiling's one-way
 * figure (ceiling-*). nic-pair-burst sends both ways at once and the model moves every
 * port's frames in one thread, which caps a direction there at about half the one-way
 * ceiling. The far end is an active port that only receives (net_l2_run.rx_only): it says
 * READY and DONE but sends no DATA. Measures burst1-<from>-to-<to>-<size>B-kpps / -mbps
 * and the guest's cycle profile (profile-burst1-<size>B-<part>-cycles). Fails like
 * nic-pair-burst on any frame lost, corrupt, duplicated or reordered. */
#include "kernel/harness/lane.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 10000u
#define BURST_FRAMES 3000u /* as nic-pair-burst */
#define BURST_MS 30000u

static const unsigned sizes[] = {NET_ETH_MIN_FRAME, KILN_NIC_MTU_DEFAULT + NET_ETH_HDR};

static void measure(struct kt *t, const char *from, const char *to, unsigned size, const char *unit, uint64_t v)
{
	char name[96];
	ksnprintf(name, sizeof name, "burst1-%s-to-%s-%uB-%s", from, to, size, unit);
	kt_measure(t, name, (int64_t)v, 0, unit[0] == 'k' ? "kpps" : "Mb/s");
}

/* One direction: port k sends, its neighbour j only receives. */
static void oneway(struct kt *t, struct net_l2_run *r, unsigned k, unsigned j, unsigned size)
{
	memset(r->active, 0, sizeof r->active);
	memset(r->rx_only, 0, sizeof r->rx_only);
	r->active[k] = r->active[j] = true;
	r->rx_only[j] = true;
	static struct nic_sender_lane sl;
	sl.t = t;
	sl.ms = BURST_MS;
	struct net_l2_cpu cpu = nic_sender_cpu(&sl);
	const char *from = r->port[k]->name, *to = r->port[j]->name;
	if (net_l2_burst_on(r, BURST_FRAMES, size, kt_rand(t), deadline_in_ms(BURST_MS), &cpu) < 0)
		kt_fail(t, "%s -> %s (%u B): the burst of %u frames did not finish within %u ms", from, to, size,
			BURST_FRAMES, BURST_MS);
	const struct net_l2_stats *s = &r->st[j];
	uint32_t lost = net_l2_lost(s);
	if (!s->peer_done || s->peer_sent != BURST_FRAMES || lost || s->duplicates || s->reordered || s->corrupt ||
	    r->st[k].sent != BURST_FRAMES) {
		kt_fail(t, "%s -> %s (%u B): sent=%u intact=%u lost=%u corrupt=%u duplicates=%u reordered=%u%s", from, to,
			size, s->peer_sent, s->unique, lost, s->corrupt, s->duplicates, s->reordered,
			s->peer_done ? "" : " (the sender's DONE never came: its count is unknown)");
		nic_port_diag(t, nic_of(r->port[k]));
		nic_port_diag(t, nic_of(r->port[j]));
		return;
	}
	uint64_t ns = s->last_rx_ns - s->first_rx_ns;
	uint64_t kpps = ns && s->unique > 1 ? (uint64_t)(s->unique - 1) * NS_PER_S / 1000u / ns : 0;
	uint64_t mbps = ns ? s->rx_bytes * 8u * 1000u / ns : 0;
	kt_diag(t, "%s -> %s (%u B, one way): sent=%u intact=%u lost=0 corrupt=0 duplicates=0 reordered=0 %llu kpps %llu Mb/s",
		from, to, size, s->peer_sent, s->unique, (unsigned long long)kpps, (unsigned long long)mbps);
	measure(t, from, to, size, "kpps", kpps);
	measure(t, from, to, size, "mbps", mbps);
	nic_l2_profile(t, r, size, "burst1");
}

void nicbench_burst_oneway(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	for (unsigned k = 0; k < s.n; k++)
		if (nic_link_wait(s.p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_fail(t, "%s: link down after %u ms", nic_name(s.p[k]), NIC_LINK_WAIT_MS);
	static struct net_l2_run r;
	nic_set_l2run(&s, &r);
	net_l2_discover(&r, deadline_in_ms(DISCOVER_MS));
	unsigned directions = 0;
	nic_set_irq_hold(t, &s, true); /* as nic-pair-burst */
	for (unsigned z = 0; z < sizeof sizes / sizeof sizes[0] && !kt_failed(t); z++)
		for (unsigned k = 0; k < r.n && !kt_failed(t); k++) {
			if (!r.nb[k].heard || !r.nb[k].acked || r.nb[k].sender == r.id[k])
				continue;
			for (unsigned j = 0; j < r.n; j++)
				if (r.id[j] == r.nb[k].sender) {
					oneway(t, &r, k, j, sizes[z]);
					directions++;
					break;
				}
		}
	nic_set_irq_hold(t, &s, false);
	if (!directions && !kt_failed(t))
		kt_skip(t, "no two ports of this machine are cabled to each other");
	nic_set_close(&s);
}
