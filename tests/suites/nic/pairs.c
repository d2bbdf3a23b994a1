/* nic-pair-burst: every port finds the port at the other end of its cable (HELLO frames),
 * then every pair bursts Kiln test frames both ways at once, at the smallest and the
 * largest frame size. Per direction: frames sent, received, lost, duplicated, reordered,
 * corrupted, and the rate. Pairs on one device, across devices, and to another machine
 * (two QEMUs joined by a socket) are all found the same way. */
#include "kernel/harness/config.h"
#include "kernel/harness/lane.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 30000u
#define BURST_FRAMES 3000u
/* Every active direction bursts from this one CPU at once: the deadline grows with them
 * (TCG moves some 10000 frames a second in all; a 4 x 10 mesh has 36 directions of 3000). */
#define BURST_MS_BASE 20000u
#define BURST_MS_PER_DIRECTION 1000u

static const unsigned sizes[] = {NET_ETH_MIN_FRAME, KILN_NIC_MTU_DEFAULT + NET_ETH_HDR};

static void sender_name(uint32_t id, char *buf, size_t len)
{
	if (NET_L2_SENDER_MACHINE(id) == nic_machine_id())
		ksnprintf(buf, len, "accel%u.port%u", NET_L2_SENDER_ACCEL(id), NET_L2_SENDER_PORT(id));
	else
		ksnprintf(buf, len, "machine %04x accel%u.port%u", NET_L2_SENDER_MACHINE(id), NET_L2_SENDER_ACCEL(id),
			  NET_L2_SENDER_PORT(id));
}

static void report(struct kt *t, struct net_l2_run *r, unsigned k, unsigned size)
{
	const struct net_l2_stats *s = &r->st[k];
	char from[48];
	sender_name(r->nb[k].sender, from, sizeof from);
	const char *to = r->port[k]->name;
	uint32_t lost = net_l2_lost(s);
	uint32_t loss_max = kiln_cfg ? kiln_cfg->nic_loss_max_ppm : 0;
	uint64_t ppm = s->peer_sent ? (uint64_t)lost * 1000000u / s->peer_sent : (lost ? 1000000u : 0);
	bool bad = !s->peer_done || s->peer_sent != BURST_FRAMES || ppm > loss_max || (lost && !loss_max) ||
		   s->duplicates || s->reordered || s->corrupt || s->sent != BURST_FRAMES;
	uint64_t ns = s->last_rx_ns - s->first_rx_ns;
	uint64_t kpps = ns && s->unique > 1 ? (uint64_t)(s->unique - 1) * NS_PER_S / 1000u / ns : 0;
	uint64_t mbps = ns ? s->rx_bytes * 8u * 1000u / ns : 0;
	if (bad)
		kt_fail(t, "%s -> %s (%u B): sent=%u intact=%u lost=%u corrupt=%u duplicates=%u reordered=%u%s", from, to,
			size, s->peer_sent, s->unique, lost, s->corrupt, s->duplicates, s->reordered,
			s->peer_done ? "" : " (the sender's DONE never came: its count is unknown)");
	else
		kt_diag(t, "%s -> %s (%u B): sent=%u intact=%u lost=%u corrupt=0 duplicates=0 reordered=0 %llu kpps %llu Mb/s",
			from, to, size, s->peer_sent, s->unique, lost, (unsigned long long)kpps, (unsigned long long)mbps);
	if (lost)
		kt_diag(t, "%s -> %s (%u B): loss %llu ppm, %s nic.loss_max_ppm=%u", from, to, size, (unsigned long long)ppm,
			ppm > loss_max || !loss_max ? "above" : "within", loss_max);
	if (s->corrupt)
		kt_diag(t, "%s -> %s: %u frames failed their CRC or payload check (first claiming sequence %lld); %llu frames on %s had no "
			"recoverable length", from, to, s->corrupt, (long long)s->first_corrupt_seq,
			(unsigned long long)nic_of(r->port[k])->sw.rx_unparsed, to);
	if (s->tx_err)
		kt_diag(t, "%s: sending stopped after %u frames: %s", to, s->sent, net_strerror(s->tx_err));
	if (!bad) {
		struct nic_port *rx = nic_of(r->port[k]);
		kt_cover(t, KT_COVER_PORT, rx->a->index, rx->idx);
		char name[64];
		ksnprintf(name, sizeof name, "burst-%s-to-%s-%uB-kpps", from, to, size);
		for (char *c = name; *c; c++)
			if (*c == ' ')
				*c = '-';
		kt_measure(t, name, (int64_t)kpps, 0, "kpps");
		ksnprintf(name, sizeof name, "burst-%s-to-%s-%uB-mbps", from, to, size);
		for (char *c = name; *c; c++)
			if (*c == ' ')
				*c = '-';
		kt_measure(t, name, (int64_t)mbps, 0, "Mb/s");
	}
}

/* The hardware counters of each port agree with what the driver handed it and took from it
 * (a neighbour may still be sending: frames in the ring, not yet taken, are allowed for). */
static void check_counters(struct kt *t, struct nic_port *n)
{
	int drained = nic_tx_drain(n, NIC_TX_WAIT_MS);
	struct nic_hw_counters c;
	nic_hw_counters(n, &c);
	uint32_t rx_taken = (uint32_t)(n->sw.rx_frames + n->sw.rx_unparsed), pending = nic_rx_pending(n);
	if (drained != ACCEL_OK)
		kt_fail(t, "%s: the TX queue did not drain within %u ms: %s", nic_name(n), NIC_TX_WAIT_MS,
			accel_strerror(drained));
	if (c.tx_frames + c.tx_drop != (uint32_t)n->sw.tx_frames || c.rx_frames - rx_taken > pending)
		kt_fail(t, "%s: counters disagree with the driver: hw tx %u (+%u dropped) vs %llu handed over, hw rx %u vs "
			"%u taken from the ring (+%u waiting in it)", nic_name(n), c.tx_frames, c.tx_drop,
			(unsigned long long)n->sw.tx_frames, c.rx_frames, rx_taken, pending);
}

void nic_pair_burst(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	for (unsigned k = 0; k < s.n; k++)
		if (nic_link_wait(s.p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_fail(t, "%s: link down after %u ms; its pair is not tested", nic_name(s.p[k]), NIC_LINK_WAIT_MS);
	static struct net_l2_run r;
	nic_set_l2run(&s, &r);
	net_l2_discover(&r, deadline_in_ms(DISCOVER_MS));
	unsigned active = 0;
	for (unsigned k = 0; k < r.n; k++) {
		struct nic_port *n = nic_of(r.port[k]);
		if (!r.nb[k].heard) {
			kt_fail(t, "%s: no Kiln port answered at the other end within %u ms", nic_name(n), DISCOVER_MS);
			nic_port_diag(t, n);
		} else if (r.nb[k].sender == r.id[k]) {
			kt_diag(t, "%s: hears itself (MAC loopback strap, no cable): covered by nic-mac-loopback", nic_name(n));
		} else {
			char nb[48];
			sender_name(r.nb[k].sender, nb, sizeof nb);
			if (!r.nb[k].acked)
				kt_diag(t, "%s: heard %s, which never said it heard us", nic_name(n), nb);
			kt_diag(t, "%s: cabled to %s", nic_name(n), nb);
			r.active[k] = true;
			active++;
		}
	}
	if (!active) {
		if (!kt_failed(t))
			kt_skip(t, "no port is cabled to another port");
		nic_set_close(&s);
		return;
	}
	nic_set_irq_hold(t, &s, true); /* the burst polls every ring: nic-interrupts covers the vectors */
	for (unsigned z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		uint32_t ms = BURST_MS_BASE + BURST_MS_PER_DIRECTION * active;
		static struct nic_sender_lane sl;
		sl.t = t;
		sl.ms = ms;
		struct net_l2_cpu cpu = nic_sender_cpu(&sl);
		if (net_l2_burst_on(&r, BURST_FRAMES, sizes[z], kt_rand(t), deadline_in_ms(ms), &cpu) < 0)
			kt_fail(t, "burst of %u x %u B on %u direction(s): not every pair finished within %u ms", BURST_FRAMES,
				sizes[z], active, ms);
		for (unsigned k = 0; k < r.n; k++)
			if (r.active[k])
				report(t, &r, k, sizes[z]);
		nic_l2_profile(t, &r, sizes[z], "burst");
	}
	nic_set_irq_hold(t, &s, false);
	for (unsigned k = 0; k < r.n; k++) {
		check_counters(t, s.p[k]);
		if (kt_failed(t))
			nic_port_diag(t, s.p[k]);
	}
	nic_set_close(&s);
}
