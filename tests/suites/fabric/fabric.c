/* Suite `fabric`: the cables between the accelerators of one box (TOPOLOGY=mesh in the model,
 * all-to-all on a Gaudi-class server). fabric-map finds who is wired to whom by itself (HELLO
 * frames carrying machine, device and port, net/l2burst.h), prints the map with each end's
 * device serial and fails on a port that hears nobody, a port of another machine, an
 * asymmetric or duplicated answer. fabric-links tests every discovered cable one at a time
 * (a raw L2 burst both ways, every frame verified) and then all of them at once, with per-link
 * and aggregate figures and the ratio of the two (make bench, docs/perf.md). */
#include "drivers/accel/accel.h"
#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "net/l2burst.h"
#include "net/l2frame.h"
#include "tests/suites/nic/ports.h"

#define DISCOVER_MS 15000u
#define LINK_FRAMES 500u             /* per direction, per burst */
#define FRAME_LEN 1514u
#define BURST_MS_BASE 10000u
#define BURST_MS_PER_DIRECTION 4000u /* TCG: a few hundred 1514-byte frames a second each */

static struct net_l2_run run;       /* large: not on the stack */
static int peer_of[NET_L2_PORTS_MAX]; /* index in run of the port at the other end, or -1 */

static const char *serial_of(const struct nic_port *n)
{
	return n->a->info_ok ? n->a->info.serial : "(serial unknown)";
}

/* Open every port, wait for links, discover; peer_of[] and the number of cables between two
 * different ports of this machine. Ports with a problem fail the case, named. */
static unsigned map(struct kt *t, struct nic_set *s, bool print)
{
	for (unsigned k = 0; k < s->n; k++)
		if (nic_link_wait(s->p[k], true, NIC_LINK_WAIT_MS) != ACCEL_OK)
			kt_fail(t, "%s (%s): link down after %u ms", nic_name(s->p[k]), serial_of(s->p[k]), NIC_LINK_WAIT_MS);
	nic_set_l2run(s, &run);
	net_l2_discover(&run, deadline_in_ms(DISCOVER_MS));
	unsigned cables = 0;
	for (unsigned k = 0; k < run.n; k++) {
		peer_of[k] = -1;
		struct nic_port *n = nic_of(run.port[k]);
		uint32_t who = run.nb[k].sender;
		if (!run.nb[k].heard) {
			kt_fail(t, "%s (%s): no port answered at the other end within %u ms (missing link)", nic_name(n),
				serial_of(n), DISCOVER_MS);
			continue;
		}
		if (who == run.id[k]) {
			if (print)
				kt_diag(t, "%-14s (%s)  MAC loopback, no cable (scale-out port)", nic_name(n), serial_of(n));
			continue;
		}
		if (NET_L2_SENDER_MACHINE(who) != NET_L2_SENDER_MACHINE(run.id[k])) {
			kt_fail(t, "%s (%s): hears accel%u.port%u of another machine (id %04x), not a port of this box: "
				   "not trusted", nic_name(n), serial_of(n), NET_L2_SENDER_ACCEL(who), NET_L2_SENDER_PORT(who),
				NET_L2_SENDER_MACHINE(who));
			continue;
		}
		int j = -1, dup = 0;
		for (unsigned i = 0; i < run.n; i++)
			if (run.id[i] == who)
				j = (int)i;
		for (unsigned i = 0; i < run.n; i++)
			if (i != k && run.nb[i].heard && run.nb[i].sender == who)
				dup++;
		if (j < 0) {
			kt_fail(t, "%s (%s): hears accel%u.port%u, which this machine does not have (unknown sender)",
				nic_name(n), serial_of(n), NET_L2_SENDER_ACCEL(who), NET_L2_SENDER_PORT(who));
			continue;
		}
		struct nic_port *m = nic_of(run.port[j]);
		if (dup) {
			kt_fail(t, "%s (%s): hears %s (%s), which %u other port(s) hear too (duplicate)", nic_name(n),
				serial_of(n), nic_name(m), serial_of(m), dup);
			continue;
		}
		if (!run.nb[j].heard || run.nb[j].sender != run.id[k]) {
			kt_fail(t, "%s (%s) hears %s (%s), but that port does not hear it back (asymmetric cable)", nic_name(n),
				serial_of(n), nic_name(m), serial_of(m));
			continue;
		}
		peer_of[k] = j;
		if ((int)k < j) {
			cables++;
			if (print)
				kt_diag(t, "%-14s (%s)  <->  %s (%s)", nic_name(n), serial_of(n), nic_name(m), serial_of(m));
		}
	}
	return cables;
}

/* The run index of accelA.portP, or -1. */
static int port_index(unsigned a, unsigned p)
{
	for (unsigned k = 0; k < run.n; k++)
		if (nic_of(run.port[k])->a->index == a && nic_of(run.port[k])->idx == p)
			return (int)k;
	return -1;
}

/* expect.fabric=mesh:NxK against the discovered map: the wiring of tools/qemu/topology.py's
 * mesh (card i's ports facing card j: (j < i ? j : j - 1) * K ..+ K-1, the rest scale-out,
 * uncabled). Missing, crossed and extra cables fail naming both ends. */
static void check_expected(struct kt *t, uint32_t n, uint32_t per)
{
	if (accel_count() != n) {
		kt_fail(t, "expect.fabric=mesh:%ux%u: %u accelerators expected, %u bound", n, per, n, accel_count());
		return;
	}
	unsigned wrong = 0;
	for (unsigned k = 0; k < run.n; k++) {
		struct nic_port *x = nic_of(run.port[k]);
		unsigned i = x->a->index, p = x->idx;
		int want = -1;
		unsigned wj = 0, wq = 0;
		if (p < per * (n - 1)) {
			wj = p / per >= i ? p / per + 1 : p / per;
			wq = (i < wj ? i : i - 1) * per + p % per;
			want = port_index(wj, wq);
		}
		int got = peer_of[k];
		if (got == want && (want >= 0 || p >= per * (n - 1)))
			continue;
		wrong++;
		if (got < 0 && p < per * (n - 1)) {
			if (want < 0 || (int)k < want || peer_of[want] >= 0)
				kt_fail(t, "missing link: accel%u.port%u <-> accel%u.port%u (expect.fabric=mesh:%ux%u) not found", i,
					p, wj, wq, n, per);
		} else if (got >= 0 && p >= per * (n - 1)) {
			kt_fail(t, "extra link: accel%u.port%u <-> %s: a scale-out port, no cable expected (expect.fabric=mesh:%ux%u)",
				i, p, nic_name(nic_of(run.port[got])), n, per);
		} else if (got >= 0) {
			kt_fail(t, "crossed link: accel%u.port%u is cabled to %s, expected accel%u.port%u (expect.fabric=mesh:%ux%u)",
				i, p, nic_name(nic_of(run.port[got])), wj, wq, n, per);
		}
	}
	if (!wrong)
		kt_diag(t, "the map matches expect.fabric=mesh:%ux%u", n, per);
}

static void fabric_map(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	unsigned cables = map(t, &s, true);
	if (kiln_cfg && kiln_cfg->fabric_accels)
		check_expected(t, kiln_cfg->fabric_accels, kiln_cfg->fabric_per_peer);
	kt_diag(t, "%u cable(s) between %u port(s) of %u accelerator(s)", cables, s.n, accel_count());
	kt_measure(t, "fabric-cables", cables, 0, "cables");
	nic_set_close(&s);
}

/* One burst over the active ports; per direction: verified or failed naming both ends.
 * Returns the bytes received intact and the span of the burst in ns. */
static bool burst(struct kt *t, unsigned dirs, uint64_t seed, uint64_t *bytes, uint64_t *ns)
{
	uint32_t ms = BURST_MS_BASE + BURST_MS_PER_DIRECTION * dirs;
	bool ok = true;
	if (net_l2_burst(&run, LINK_FRAMES, FRAME_LEN, seed, deadline_in_ms(ms)) < 0) {
		kt_fail(t, "burst of %u x %u B on %u direction(s): not finished within %u ms", LINK_FRAMES, FRAME_LEN, dirs, ms);
		ok = false;
	}
	uint64_t first = UINT64_MAX, last = 0;
	*bytes = 0;
	for (unsigned k = 0; k < run.n; k++) {
		if (!run.active[k])
			continue;
		const struct net_l2_stats *st = &run.st[k];
		struct nic_port *to = nic_of(run.port[k]), *from = nic_of(run.port[peer_of[k]]);
		uint32_t lost = net_l2_lost(st);
		if (!st->peer_done || st->peer_sent != LINK_FRAMES || lost || st->corrupt || st->duplicates || st->reordered) {
			kt_fail(t, "%s (%s) -> %s (%s): sent=%u intact=%u lost=%u corrupt=%u duplicates=%u reordered=%u%s",
				nic_name(from), serial_of(from), nic_name(to), serial_of(to), st->peer_sent, st->unique, lost,
				st->corrupt, st->duplicates, st->reordered, st->peer_done ? "" : " (no DONE from the sender)");
			ok = false;
		}
		*bytes += st->rx_bytes;
		if (st->first_rx_ns && st->first_rx_ns < first)
			first = st->first_rx_ns;
		if (st->last_rx_ns > last)
			last = st->last_rx_ns;
	}
	*ns = last > first ? last - first : 0;
	return ok;
}

static uint64_t mbps(uint64_t bytes, uint64_t ns) { return ns ? bytes * 8u * 1000u / ns : 0; }

static void fabric_links(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	unsigned cables = map(t, &s, false);
	if (!cables) {
		if (!kt_failed(t))
			kt_skip(t, "no cable between two ports of this machine (TOPOLOGY=mesh wires them)");
		nic_set_close(&s);
		return;
	}
	uint64_t sum_single = 0;
	unsigned bad = 0;
	for (unsigned k = 0; k < run.n; k++) {
		if (peer_of[k] < 0 || (int)k > peer_of[k])
			continue;
		memset(run.active, 0, sizeof run.active);
		run.active[k] = run.active[peer_of[k]] = true;
		uint64_t bytes, ns;
		struct nic_port *a = nic_of(run.port[k]), *b = nic_of(run.port[peer_of[k]]);
		if (!burst(t, 2, kt_rand(t), &bytes, &ns)) {
			bad++;
			continue;
		}
		kt_diag(t, "link %s <-> %s alone: %u x %u B each way verified, %llu Mb/s", nic_name(a), nic_name(b),
			LINK_FRAMES, FRAME_LEN, (unsigned long long)mbps(bytes, ns));
		sum_single += mbps(bytes, ns);
	}
	memset(run.active, 0, sizeof run.active);
	unsigned dirs = 0;
	for (unsigned k = 0; k < run.n; k++)
		if (peer_of[k] >= 0) {
			run.active[k] = true;
			dirs++;
		}
	uint64_t bytes, ns;
	bool all_ok = burst(t, dirs, kt_rand(t), &bytes, &ns);
	uint64_t all = mbps(bytes, ns);
	kt_diag(t, "%u of %u link(s) verified alone; all %u at once: %s, %llu Mb/s aggregate, sum of single links %llu Mb/s",
		cables - bad, cables, cables, all_ok ? "every frame verified" : "FAILED", (unsigned long long)all,
		(unsigned long long)sum_single);
	kt_measure(t, "fabric-links", cables, 0, "links");
	kt_measure(t, "fabric-all-links-mbps", (int64_t)all, 0, "Mb/s");
	kt_measure(t, "fabric-sum-single-links-mbps", (int64_t)sum_single, 0, "Mb/s");
	kt_measure(t, "fabric-all-vs-sum-pct", sum_single ? (int64_t)(all * 100u / sum_single) : 0, 0, "%");
	nic_set_close(&s);
}

static const struct kt_case cases[] = {
	{"fabric-map", fabric_map, 60},
	{"fabric-links", fabric_links, 900},
};

/* explicit: suites=fabric (a default run keeps its case count; nic-pair-burst covers cables there) */
KT_SUITE(fabric, KT_SUITE_EXPLICIT);
