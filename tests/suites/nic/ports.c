/* Opening every port for the nic and net suites. */
#include "tests/suites/nic/ports.h"

#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "net/l2frame.h"

#define MACHINE_ID_MASK 0xffffu

_Static_assert(NET_L2_SERIAL_LEN == KILN_CPUCP_SERIAL_LEN, "a HELLO carries the whole device serial");

unsigned nic_set_open(struct kt *t, struct nic_set *s, bool loopback)
{
	memset(s, 0, sizeof *s);
	unsigned total = 0;
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		for (unsigned p = 0; p < a->ports; p++) {
			total++;
			struct nic_port *n = nic_port_get(a, p);
			char why[160];
			struct nic_open_cfg cfg = {.loopback = loopback};
			if (!n || s->n == NET_L2_PORTS_MAX) {
				kt_fail(t, "accel%u.port%u: more ports than a run handles (%u)", i, p, NET_L2_PORTS_MAX);
				continue;
			}
			if (nic_open(n, &cfg, why, sizeof why) != ACCEL_OK) {
				kt_fail(t, "%s", why);
				continue;
			}
			s->p[s->n++] = n;
		}
	}
	if (!total)
		kt_skip(t, accel_count() ? "the accelerators have no NIC ports" : "no accelerator bound");
	return s->n;
}

void nic_set_close(struct nic_set *s)
{
	for (unsigned k = 0; k < s->n; k++)
		nic_close(s->p[k]);
	s->n = 0;
}

uint32_t nic_machine_id(void)
{
	if (!accel_count())
		return 0;
	uint64_t d = accel_get(0)->dsn;
	return (uint32_t)((d ^ (d >> 16) ^ (d >> 32) ^ (d >> 48)) & MACHINE_ID_MASK);
}

bool nic_is_uplink(const struct nic_port *n)
{
	const struct cfg_net *c = kiln_cfg ? &kiln_cfg->net : 0;
	return c && c->uplink_set && c->uplink_accel == n->a->index && c->uplink_port == n->idx;
}

void nic_set_l2run(const struct nic_set *s, struct net_l2_run *r)
{
	memset(r, 0, sizeof *r);
	uint32_t m = nic_machine_id();
	for (unsigned k = 0; k < s->n; k++) {
		if (nic_is_uplink(s->p[k]))
			continue;
		r->port[r->n] = &s->p[k]->port;
		r->id[r->n] = NET_L2_SENDER(m, s->p[k]->a->index, s->p[k]->idx);
		r->serial[r->n] = s->p[k]->a->info_ok ? s->p[k]->a->info.serial : 0;
		r->n++;
	}
}

unsigned nic_set_local_pairs(const struct nic_set *s, uint32_t discover_ms, nic_pair_fn fn, struct kt *t, void *ctx)
{
	static struct net_l2_run r; /* large: not on the stack */
	nic_set_l2run(s, &r);
	net_l2_discover(&r, deadline_in_ms(discover_ms));
	unsigned pairs = 0;
	for (unsigned k = 0; k < r.n; k++) {
		if (!r.nb[k].heard || r.nb[k].sender == r.id[k] || NET_L2_SENDER_MACHINE(r.nb[k].sender) != nic_machine_id())
			continue;
		for (unsigned j = 0; j < r.n; j++)
			if (r.id[j] == r.nb[k].sender) {
				fn(t, nic_of(r.port[k]), nic_of(r.port[j]), r.nb[k].mac, ctx);
				pairs++;
			}
	}
	return pairs;
}

void nic_port_diag(struct kt *t, struct nic_port *n)
{
	struct nic_hw_counters c;
	nic_hw_counters(n, &c);
	kt_diag(t, "%s: hw tx=%u/%uB rx=%u/%uB rx_drop=%u tx_drop=%u crc=%u filtered=%u link_down=%u; driver "
		"unparsed=%llu tx_busy=%llu link events up=%llu down=%llu; irq tx=%llu rx=%llu; status=0x%x",
		nic_name(n), c.tx_frames, c.tx_bytes, c.rx_frames, c.rx_bytes, c.rx_drop, c.tx_drop, c.rx_crc_err,
		c.rx_filtered, c.link_down, (unsigned long long)n->sw.rx_unparsed, (unsigned long long)n->sw.tx_busy,
		(unsigned long long)n->sw.link_up_events, (unsigned long long)n->sw.link_down_events,
		(unsigned long long)nic_irq_tx(n), (unsigned long long)nic_irq_rx(n), nic_status(n));
	if (n->tx_wb_bad)
		kt_diag(t, "%s: the TX write-back word read %u while TX_CI read %u: the device's write-back lies", nic_name(n),
			n->tx_wb_word, n->tx_wb_reg);
}

void nic_l2_profile(struct kt *t, const struct net_l2_run *r, unsigned size, const char *what)
{
	const struct net_l2_prof *p = &r->prof;
	if (!p->built || !p->received || !p->total)
		return;
	uint64_t tx = p->build + p->queue + p->doorbell, rx = p->rx_driver + p->verify + p->account;
	uint64_t rest = p->total > tx + rx ? p->total - tx - rx : 0;
	struct {
		const char *name;
		uint64_t cycles, frames;
	} part[] = {
		{"build", p->build, p->built},       {"queue", p->queue, p->built},   {"doorbell", p->doorbell, p->built},
		{"rx-driver", p->rx_driver, p->received}, {"verify", p->verify, p->received},
		{"account", p->account, p->received}, {"rest", rest, p->built},
	};
	char line[256];
	size_t at = 0;
	for (unsigned k = 0; k < sizeof part / sizeof part[0]; k++) {
		uint64_t per = part[k].cycles / part[k].frames;
		at += (size_t)ksnprintf(line + at, sizeof line - at, "%s%s %llu (%llu%%)", k ? ", " : "", part[k].name,
					(unsigned long long)per, (unsigned long long)(part[k].cycles * 100u / p->total));
		char name[64];
		ksnprintf(name, sizeof name, "profile-%s-%uB-%s-cycles", what, size, part[k].name);
		kt_measure(t, name, (int64_t)per, 0, "cycles/frame");
	}
	kt_diag(t, "profile (%u B, %llu frames sent, %llu received, %llu us, %s): TSC cycles per frame: %s", size,
		(unsigned long long)p->built, (unsigned long long)p->received, (unsigned long long)(tsc_to_ns(p->total) / NS_PER_US),
		p->split ? "sender on another CPU" : "one CPU", line);
}

static int sender_start(void *ctx, void (*fn)(void *), void *arg)
{
	struct nic_sender_lane *s = ctx;
	/* no MSI reachability needed: the sender polls its TX ring and never waits on an
	 * interrupt (its deadline is its own CPU's LAPIC timer tick, not an MSI) */
	struct cpu *c = lane_usable_cpu(false);
	if (!c || lane_start(&s->lane, c, fn, arg, (uint64_t)(s->ms + 1000u) * NS_PER_MS) < 0)
		return -1;
	s->apic_id = c->apic_id;
	return 0;
}

static int sender_wait(void *ctx)
{
	struct nic_sender_lane *s = ctx;
	if (lane_wait(&s->lane) == LANE_DONE)
		return 0;
	kt_fail(s->t, "the burst's sender on CPU (APIC id %u) did not finish: %s", s->apic_id, s->lane.why);
	return -1;
}

struct net_l2_cpu nic_sender_cpu(struct nic_sender_lane *s)
{
	return (struct net_l2_cpu){sender_start, sender_wait, s};
}

void nic_set_irq_hold(struct kt *t, const struct nic_set *s, bool hold)
{
	for (unsigned k = 0; k < s->n; k++)
		if (nic_irq_hold(s->p[k], hold) != ACCEL_OK)
			kt_fail(t, "%s: %s its interrupts: device not responding", nic_name(s->p[k]),
				hold ? "holding" : "releasing");
}
