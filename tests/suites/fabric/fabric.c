/* Suite `fabric`: the cables between the accelerators of one box (TOPOLOGY=mesh in the model,
 * all-to-all on a Gaudi-class server). fabric-map finds who is wired to whom by itself (HELLO
 * frames carrying the sending device's serial and port, net/l2burst.h), prints the map with the
 * serials the frames named and fails on a port that hears nobody, a serial no device here
 * reports (another machine) or two devices claim, an asymmetric or duplicated answer.
 * fabric-links tests every discovered cable one at a time (a raw L2 burst both ways, every
 * frame verified) and then all of them at once, with per-link and aggregate figures and the
 * ratio of the two (make bench, docs/perf.md); the all-at-once burst runs one CPU lane per
 * accelerator when the APs are there. fabric-tcp runs lwIP TCP over one cable per pair of
 * cards, every byte verified. */
#include "drivers/accel/accel.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/harness/config.h"
#include "kernel/harness/ktest.h"
#include "kernel/harness/lane.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pmm.h"
#include "net/l2burst.h"
#include "net/l2frame.h"
#include "net/netif.h"
#include "net/stack.h"
#include "net/tcpbulk.h"
#include "tests/suites/net/traffic.h"
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

/* The accelerators of this machine reporting `serial`: how many, and the first in *first. */
static unsigned serial_owners(const char *serial, unsigned *first)
{
	unsigned n = 0;
	for (unsigned i = accel_count(); i-- > 0;) {
		struct accel *a = accel_get(i);
		if (a->info_ok && !strcmp(a->info.serial, serial)) {
			*first = i;
			n++;
		}
	}
	return n;
}

/* The accelerators claiming `serial`, as "accel1, accel2". */
static void owners_text(const char *serial, char *buf, size_t size)
{
	buf[0] = 0;
	size_t at = 0;
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		if (a->info_ok && !strcmp(a->info.serial, serial))
			at += (size_t)ksnprintf(buf + at, size - at, "%saccel%u", at ? ", " : "", i);
		if (at >= size)
			break;
	}
}

/* Who sent the HELLO port k heard, from the frame's serial: the run index of that port of
 * this machine, or -1 after failing the case naming why the frame is not trusted (no serial,
 * a serial no device here reports, one two devices here claim, one that does not match the
 * device the frame names, one that changed between frames). */
static int sender_of(struct kt *t, unsigned k)
{
	struct nic_port *n = nic_of(run.port[k]);
	const struct net_l2_neighbor *nb = &run.nb[k];
	uint32_t who = nb->sender;
	unsigned port = NET_L2_SENDER_PORT(who), accel = NET_L2_SENDER_ACCEL(who), mach = NET_L2_SENDER_MACHINE(who);
	bool ours = mach == NET_L2_SENDER_MACHINE(run.id[k]);
	if (!nb->serial[0]) {
		kt_fail(t, "%s (%s): hears port %u of a device that names no serial in its HELLO (accel%u of machine %04x): "
			   "not trusted", nic_name(n), serial_of(n), port, accel, mach);
		return -1;
	}
	if (nb->serial_changed) {
		kt_fail(t, "%s (%s): hears port %u of %s, whose HELLOs named different serials: not trusted", nic_name(n),
			serial_of(n), port, nb->serial);
		return -1;
	}
	unsigned owner = 0, owners = serial_owners(nb->serial, &owner);
	if (!owners) {
		kt_fail(t, "%s (%s): hears port %u of %s, a serial no accelerator of this machine reports (unknown serial; "
			   "accel%u of %s machine %04x): not trusted", nic_name(n), serial_of(n), port, nb->serial, accel,
			ours ? "this" : "another", mach);
		return -1;
	}
	if (owners > 1) {
		char who_text[96];
		owners_text(nb->serial, who_text, sizeof who_text);
		kt_fail(t, "%s (%s): hears port %u of %s, a serial %u accelerators of this machine claim (%s: duplicate "
			   "serial): not trusted", nic_name(n), serial_of(n), port, nb->serial, owners, who_text);
		return -1;
	}
	if (!ours || accel != owner) {
		kt_fail(t, "%s (%s): hears port %u of %s, which is accel%u here, but the frame comes from accel%u of %s "
			   "machine %04x (duplicate serial or a forged frame): not trusted", nic_name(n), serial_of(n), port,
			nb->serial, owner, accel, ours ? "this" : "another", mach);
		return -1;
	}
	for (unsigned i = 0; i < run.n; i++)
		if (nic_of(run.port[i])->a->index == owner && nic_of(run.port[i])->idx == port)
			return (int)i;
	kt_fail(t, "%s (%s): hears port %u of %s (accel%u), a port this run does not have (unknown sender)", nic_name(n),
		serial_of(n), port, nb->serial, owner);
	return -1;
}

/* Open every port, wait for links, discover; peer_of[] and the number of cables between two
 * different ports of this machine. Each end is named by the serial its HELLOs carry; ports
 * with a problem fail the case, named. */
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
		if (!run.nb[k].heard) {
			kt_fail(t, "%s (%s): no port answered at the other end within %u ms (missing link)", nic_name(n),
				serial_of(n), DISCOVER_MS);
			continue;
		}
		if (run.nb[k].sender == run.id[k]) {
			if (print)
				kt_diag(t, "%-14s (%s)  MAC loopback, no cable (scale-out port)", nic_name(n), serial_of(n));
			continue;
		}
		int j = sender_of(t, k);
		if (j < 0)
			continue;
		int dup = 0;
		for (unsigned i = 0; i < run.n; i++)
			if (i != k && run.nb[i].heard && run.nb[i].sender == run.id[j])
				dup++;
		struct nic_port *m = nic_of(run.port[j]);
		if (dup) {
			kt_fail(t, "%s (%s): hears %s (%s), which %u other port(s) hear too (duplicate)", nic_name(n),
				serial_of(n), nic_name(m), run.nb[k].serial, dup);
			continue;
		}
		if (!run.nb[j].heard || run.nb[j].sender != run.id[k]) {
			kt_fail(t, "%s (%s) hears %s (%s), but that port does not hear it back (asymmetric cable)", nic_name(n),
				serial_of(n), nic_name(m), run.nb[k].serial);
			continue;
		}
		peer_of[k] = j;
	}
	/* A cable is used only when both ends trust each other's frames; printed once, the far
	 * end named by the serial its frames carried. */
	for (unsigned k = 0; k < run.n; k++)
		if (peer_of[k] >= 0 && peer_of[peer_of[k]] != (int)k)
			peer_of[k] = -1;
	for (unsigned k = 0; k < run.n; k++) {
		int j = peer_of[k];
		if (j < 0 || (int)k > j)
			continue;
		cables++;
		if (print)
			kt_diag(t, "%-14s (%s)  <->  %s (%s)", nic_name(nic_of(run.port[k])), serial_of(nic_of(run.port[k])),
				nic_name(nic_of(run.port[j])), run.nb[k].serial);
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

/* The port expect.fabric cables accelA.portP to (true, *b, *q), or false: no cable there.
 * mesh:NxK is tools/qemu/topology.py's mesh: card i's ports facing card j are
 * (j < i ? j : j - 1) * K ..+ K-1, the rest scale-out, uncabled. */
static bool expected_peer(const struct cfg_fabric *f, unsigned a, unsigned p, unsigned *b, unsigned *q)
{
	if (f->accels) {
		unsigned n = f->accels, per = f->per_peer;
		if (a >= n || p >= per * (n - 1))
			return false;
		*b = p / per >= a ? p / per + 1 : p / per;
		*q = (a < *b ? a : a - 1) * per + p % per;
		return true;
	}
	for (uint32_t i = 0; i < f->nlinks; i++) {
		const struct cfg_fabric_link *l = &f->link[i];
		if (l->a == a && l->p == p) {
			*b = l->b, *q = l->q;
			return true;
		}
		if (l->b == a && l->q == p) {
			*b = l->a, *q = l->p;
			return true;
		}
	}
	return false;
}

/* expect.fabric against the discovered map: missing, crossed and extra cables fail naming
 * both ends; a listed port this machine does not have is a missing cable. */
static void check_expected(struct kt *t, const struct cfg_fabric *f)
{
	char what[48];
	if (f->accels)
		ksnprintf(what, sizeof what, "expect.fabric=mesh:%ux%u", f->accels, f->per_peer);
	else
		ksnprintf(what, sizeof what, "expect.fabric: %u cable(s) listed", f->nlinks);
	if (f->accels && accel_count() != f->accels) {
		kt_fail(t, "%s: %u accelerators expected, %u bound", what, f->accels, accel_count());
		return;
	}
	unsigned wrong = 0;
	for (uint32_t i = 0; i < f->nlinks; i++) {
		const struct cfg_fabric_link *l = &f->link[i];
		bool ha = port_index(l->a, l->p) >= 0, hb = port_index(l->b, l->q) >= 0;
		if (!ha || !hb) {
			wrong++;
			kt_fail(t, "missing link: accel%u.port%u <-> accel%u.port%u (%s): accel%u.port%u is not a port of this "
				   "machine's run", l->a, l->p, l->b, l->q, what, ha ? l->b : l->a, ha ? l->q : l->p);
		}
	}
	for (unsigned k = 0; k < run.n; k++) {
		struct nic_port *x = nic_of(run.port[k]);
		unsigned i = x->a->index, p = x->idx, wj = 0, wq = 0;
		bool cabled = expected_peer(f, i, p, &wj, &wq);
		int want = cabled ? port_index(wj, wq) : -1;
		int got = peer_of[k];
		if (got == want && (want >= 0 || !cabled))
			continue;
		if (cabled && want < 0) {
			if (!f->nlinks) { /* a list names these above */
				wrong++;
				kt_fail(t, "missing link: accel%u.port%u <-> accel%u.port%u (%s): accel%u.port%u is not a port "
					   "of this machine's run", i, p, wj, wq, what, wj, wq);
			}
			continue;
		}
		wrong++;
		if (got < 0) {
			if ((int)k < want || peer_of[want] >= 0)
				kt_fail(t, "missing link: accel%u.port%u <-> accel%u.port%u (%s) not found", i, p, wj, wq, what);
		} else if (!cabled) {
			struct nic_port *y = nic_of(run.port[got]);
			unsigned yj, yq;
			if (!expected_peer(f, y->a->index, y->idx, &yj, &yq) && (int)k > got)
				continue; /* both ends uncabled: named once, from the first */
			kt_fail(t, "extra link: accel%u.port%u <-> %s: %s, no cable expected (%s)", i, p, nic_name(y),
				f->accels ? "a scale-out port" : "a port not in the list", what);
		} else {
			kt_fail(t, "crossed link: accel%u.port%u is cabled to %s, expected accel%u.port%u (%s)", i, p,
				nic_name(nic_of(run.port[got])), wj, wq, what);
		}
	}
	if (!wrong)
		kt_diag(t, "the map matches %s", what);
}

static void fabric_map(struct kt *t)
{
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	unsigned cables = map(t, &s, true);
	if (kiln_cfg && (kiln_cfg->fabric.accels || kiln_cfg->fabric.nlinks))
		check_expected(t, &kiln_cfg->fabric);
	kt_diag(t, "%u cable(s) between %u port(s) of %u accelerator(s)", cables, s.n, accel_count());
	kt_measure(t, "fabric-cables", cables, 0, "cables");
	nic_set_close(&s);
}

/* The all-links burst on the SMP lanes: when an idle AP is online for every accelerator with
 * active ports, each accelerator's ports are a run of their own (sub[]) driven by its own CPU
 * (kernel/harness/lane.h); the far ends are on other lanes, the rounds and DONE exchange go over
 * the cables as before. The stats come back into `run` for the same per-link report. */
#define LANE_GRACE_MS 5000u /* past the burst's own deadline and linger */

struct burst_lane {
	struct net_l2_run *r;
	uint32_t ms;
	uint64_t seed;
	int rc;
	struct lane lane;
};
static struct net_l2_run *sub[ACCEL_MAX]; /* from the page allocator, kept with their scratch */
static struct burst_lane lanes[ACCEL_MAX];
static int sub_slot[NET_L2_PORTS_MAX];

static void burst_lane_run(void *arg)
{
	struct burst_lane *b = arg;
	b->rc = net_l2_burst(b->r, LINK_FRAMES, FRAME_LEN, b->seed, deadline_in_ms(b->ms));
}

/* Returns the number of lanes used (0: not enough idle CPUs or memory; run it here), and in
 * *rc the burst's result. */
static unsigned burst_on_lanes(struct kt *t, uint64_t seed, uint32_t ms, int *rc)
{
	bool dev_active[ACCEL_MAX] = {false};
	unsigned devs = 0;
	for (unsigned k = 0; k < run.n; k++) {
		unsigned d = nic_of(run.port[k])->a->index;
		if (run.active[k] && d < ACCEL_MAX && !dev_active[d]) {
			dev_active[d] = true;
			devs++;
		}
	}
	struct cpu *cpu[ACCEL_MAX];
	unsigned m = 0;
	for (unsigned i = 1; i < smp_count() && m < devs; i++)
		if (lane_cpu_usable(smp_cpu(i), false)) /* the burst polls its rings */
			cpu[m++] = smp_cpu(i);
	if (devs < 2 || m < devs)
		return 0;
	unsigned used = 0, dev_of_lane[ACCEL_MAX];
	for (unsigned d = 0; d < ACCEL_MAX; d++) {
		if (!dev_active[d])
			continue;
		if (!sub[d] && !(sub[d] = page_alloc((sizeof(struct net_l2_run) + PMM_PAGE - 1) / PMM_PAGE)))
			return 0;
		struct net_l2_run *r = sub[d];
		r->n = 0;
		r->round = run.round;
		for (unsigned k = 0; k < run.n; k++) {
			if (nic_of(run.port[k])->a->index != d)
				continue;
			sub_slot[k] = (int)r->n;
			r->port[r->n] = run.port[k];
			r->id[r->n] = run.id[k];
			r->serial[r->n] = run.serial[k];
			r->nb[r->n] = run.nb[k];
			r->active[r->n] = run.active[k];
			r->n++;
		}
		if (net_l2_prepare(r) < 0)
			return 0;
		dev_of_lane[used++] = d;
	}
	bool started[ACCEL_MAX];
	for (unsigned i = 0; i < used; i++) {
		struct burst_lane *b = &lanes[i];
		b->r = sub[dev_of_lane[i]];
		b->ms = ms;
		b->seed = seed;
		b->rc = -1;
		started[i] = lane_start(&b->lane, cpu[i], burst_lane_run, b, (uint64_t)(ms + LANE_GRACE_MS) * NS_PER_MS) == 0;
	}
	*rc = 0;
	for (unsigned i = 0; i < used; i++) {
		enum lane_result lr = started[i] ? lane_wait(&lanes[i].lane) : LANE_HUNG;
		if (!started[i])
			kt_fail(t, "accel%u: its CPU lane could not be started", dev_of_lane[i]);
		else if (lr != LANE_DONE)
			kt_fail(t, "accel%u: the burst's CPU lane: %s", dev_of_lane[i], lanes[i].lane.why);
		if (!started[i] || lr != LANE_DONE || lanes[i].rc < 0)
			*rc = -1;
	}
	for (unsigned k = 0; k < run.n; k++) {
		struct net_l2_run *r = sub[nic_of(run.port[k])->a->index];
		if (dev_active[nic_of(run.port[k])->a->index]) {
			run.st[k] = r->st[sub_slot[k]];
			run.round = r->round;
		}
	}
	return used;
}

/* One burst over the active ports (on the SMP lanes when `on_lanes` and they are there); per
 * direction: verified or failed naming both ends. Returns the bytes received intact and the
 * span of the burst in ns. */
static bool burst(struct kt *t, unsigned dirs, uint64_t seed, uint64_t *bytes, uint64_t *ns, bool on_lanes)
{
	uint32_t ms = BURST_MS_BASE + BURST_MS_PER_DIRECTION * dirs;
	bool ok = true;
	int rc = 0;
	unsigned lanes_used = on_lanes ? burst_on_lanes(t, seed, ms, &rc) : 0;
	if (lanes_used)
		kt_diag(t, "all links at once on %u CPU lane(s), one per accelerator", lanes_used);
	else if (on_lanes)
		kt_diag(t, "all links at once on this CPU (no idle CPU for every accelerator)");
	if (!lanes_used)
		rc = net_l2_burst(&run, LINK_FRAMES, FRAME_LEN, seed, deadline_in_ms(ms));
	if (rc < 0) {
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
		if (!burst(t, 2, kt_rand(t), &bytes, &ns, false)) {
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
	bool all_ok = burst(t, dirs, kt_rand(t), &bytes, &ns, true);
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

/* fabric-tcp: lwIP over a sample of the cables, one per pair of accelerators (the first the
 * map found between them), so every card talks TCP to every other card. lwIP interfaces are
 * NET_IF_MAX (20) at once, two per cable: the sample goes in batches of TCP_BATCH cables, the
 * interfaces of one batch removed (net_reset) before the next. Each cable: TCP_BYTES each way
 * over one connection, every byte verified at its stream offset, the rate per direction. */
#define TCP_BATCH (NET_IF_MAX / 2u)
#define TCP_BYTES (4ull << 20)
#define TCP_SEND_MS 40000u
#define TCP_NET_A 198u /* 198.51.100.0/24, TEST-NET-2 (RFC 5737): a /30 per cable of a batch */
#define TCP_NET_B 51u
#define TCP_NET_C 100u
#define TCP_SUBNET 4u

struct tcp_link {
	int k, j; /* run indexes of the two ends */
	struct net_if *ik, *ij;
	ip4_addr_t ip_k, ip_j;
	char tag_kj[2 * NET_PORT_NAME_MAX + 8], tag_jk[2 * NET_PORT_NAME_MAX + 8];
};
static struct tcp_link tcp_links[NET_L2_PORTS_MAX / 2];

/* One cable per pair of accelerators: the first found between them. */
static unsigned tcp_sample(void)
{
	unsigned n = 0;
	for (unsigned k = 0; k < run.n; k++) {
		int j = peer_of[k];
		if (j < 0 || (int)k > j)
			continue;
		unsigned a = nic_of(run.port[k])->a->index, b = nic_of(run.port[j])->a->index;
		if (a == b)
			continue; /* two ports of one card: not a fabric cable between cards */
		bool have = false;
		for (unsigned i = 0; i < n && !have; i++) {
			unsigned x = nic_of(run.port[tcp_links[i].k])->a->index, y = nic_of(run.port[tcp_links[i].j])->a->index;
			have = (x == a && y == b) || (x == b && y == a);
		}
		if (!have)
			tcp_links[n++] = (struct tcp_link){.k = (int)k, .j = j};
	}
	return n;
}

/* The last traffic_tcp() delivered every byte, verified, and the connection ended cleanly. */
static bool tcp_verified(void)
{
	const struct net_tcpbulk_rx *r = net_tcpbulk_rx_stats();
	return r->bytes == TCP_BYTES && r->finished && !r->err && !r->mismatch.bad_bytes && !r->refused;
}

static int tcp_link_up(struct kt *t, struct tcp_link *l, unsigned slot)
{
	const char *why = "";
	struct nic_port *a = nic_of(run.port[l->k]), *b = nic_of(run.port[l->j]);
	IP4_ADDR(&l->ip_k, TCP_NET_A, TCP_NET_B, TCP_NET_C, (u8_t)(slot * TCP_SUBNET + 1));
	IP4_ADDR(&l->ip_j, TCP_NET_A, TCP_NET_B, TCP_NET_C, (u8_t)(slot * TCP_SUBNET + 2));
	struct net_if_cfg ca = {.dhcp = false}, cb = {.dhcp = false};
	ca.ip = l->ip_k;
	cb.ip = l->ip_j;
	IP4_ADDR(&ca.mask, 255, 255, 255, 256 - TCP_SUBNET);
	cb.mask = ca.mask;
	if (net_if_add(&a->port, &ca, &l->ik, &why) < 0 || net_if_add(&b->port, &cb, &l->ij, &why) < 0) {
		kt_fail(t, "link %s <-> %s: lwIP interface: %s", nic_name(a), nic_name(b), why);
		return -1;
	}
	net_if_allow_only(l->ik, &l->ip_j, 1);
	net_if_allow_only(l->ij, &l->ip_k, 1);
	ksnprintf(l->tag_kj, sizeof l->tag_kj, "%s-to-%s", nic_name(a), nic_name(b));
	ksnprintf(l->tag_jk, sizeof l->tag_jk, "%s-to-%s", nic_name(b), nic_name(a));
	return 0;
}

static void fabric_tcp(struct kt *t)
{
	const char *why = "";
	if (net_stack_init(&why) < 0) {
		kt_fail(t, "lwIP could not start: %s", why);
		return;
	}
	net_reset();
	struct nic_set s;
	if (!nic_set_open(t, &s, false))
		return;
	map(t, &s, false);
	unsigned n = tcp_sample();
	if (!n) {
		if (!kt_failed(t))
			kt_skip(t, "no cable between two accelerators of this machine (TOPOLOGY=mesh wires them)");
		nic_set_close(&s);
		return;
	}
	unsigned ok = 0;
	for (unsigned first = 0; first < n; first += TCP_BATCH) {
		unsigned last = first + TCP_BATCH < n ? first + TCP_BATCH : n;
		net_reset();
		bool up = true;
		for (unsigned i = first; i < last && up; i++)
			up = tcp_link_up(t, &tcp_links[i], i - first) == 0;
		for (unsigned i = first; i < last && up; i++) {
			struct tcp_link *l = &tcp_links[i];
			struct nic_port *a = nic_of(run.port[l->k]), *b = nic_of(run.port[l->j]);
			struct path f = {nic_name(a), nic_name(b), l->tag_kj, &l->ip_k, &l->ip_j};
			struct path r = {nic_name(b), nic_name(a), l->tag_jk, &l->ip_j, &l->ip_k};
			traffic_tcp(t, &f, TCP_BYTES, TCP_SEND_MS);
			bool good = tcp_verified();
			traffic_tcp(t, &r, TCP_BYTES, TCP_SEND_MS);
			good = tcp_verified() && good;
			if (good)
				ok++;
			else
				kt_fail(t, "link %s (%s) <-> %s (%s): TCP not verified both ways (above)", nic_name(a), serial_of(a),
					nic_name(b), serial_of(b));
		}
	}
	kt_diag(t, "TCP over %u of %u sampled link(s) verified (one per pair of accelerators, %u MiB each way)", ok, n,
		(unsigned)(TCP_BYTES >> 20));
	kt_measure(t, "fabric-tcp-links", ok, 0, "links");
	net_reset();
	nic_set_close(&s);
}

static const struct kt_case cases[] = {
	{"fabric-map", fabric_map, 60},
	{"fabric-links", fabric_links, 900},
	{"fabric-tcp", fabric_tcp, 600},
};

/* explicit: suites=fabric (a default run keeps its case count; nic-pair-burst covers cables there) */
KT_SUITE(fabric, KT_SUITE_EXPLICIT);
