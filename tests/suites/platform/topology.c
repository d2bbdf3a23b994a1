/* Suite `topology`: what this unit has against what it must have (expect.* keys,
 * docs/config.md). Every case prints what it found, as the unit's inventory; a key that is
 * set turns a shortfall into `not ok` with expected vs found, naming the device's BDF.
 * An accelerator that matched the driver but failed its bring-up fails topology-accels
 * with the reason, whatever else is selected (the runner always adds that case then).
 * The suite runs last, after every suite that was there before it (labs key on the order). */
#include "drivers/accel/accel.h"
#include "drivers/accel/nic.h"
#include "kernel/harness/config.h"
#include "kernel/harness/identity.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/pci/pci.h"

#define MIB (1024ull * 1024ull)
#define PORT_UP_WAIT_MS 2000u /* a link still training after the port is opened */

static const struct kiln_config *cfg(void) { return kiln_cfg; }

static void topology_accels(struct kt *t)
{
	unsigned n = accel_count(), bad = accel_failed_count();
	for (unsigned i = 0; i < bad; i++)
		kt_fail(t, "not under test: %s", accel_failed_get(i)->why);
	char list[400];
	unsigned pos = 0;
	list[0] = 0;
	for (unsigned i = 0; i < n && pos < sizeof list; i++)
		pos += (unsigned)ksnprintf(list + pos, sizeof list - pos, "%saccel%u %s", i ? ", " : "", i, accel_get(i)->bdf);
	uint32_t want = cfg() ? cfg()->expect_accels : CFG_LIMIT_OFF;
	if (want != CFG_LIMIT_OFF && n != want)
		kt_fail(t, "expected %u accelerator(s) (expect.accels), found %u bound%s%s%s", want, n, n ? ": " : "", list,
			bad ? " (the others failed bring-up, above)" : "");
	else
		kt_diag(t, "%u accelerator(s) under test%s%s%s", n, n ? ": " : "", list,
			want == CFG_LIMIT_OFF ? " (expect.accels not set)" : "");
}

static void topology_pcie(struct kt *t)
{
	const struct kiln_config *c = cfg();
	bool judge = c && c->expect_pcie_speed;
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		struct pci_link l;
		int r = pci_link_info(a->pci, &l);
		if (r || !l.has_link) {
			if (judge)
				kt_fail(t, "%s: expected a PCIe link x%u at %s (expect.pcie), found %s", a->bdf, c->expect_pcie_width,
					pci_link_speed_name(c->expect_pcie_speed), r ? pci_strerror(r) : "no link registers");
			else
				kt_diag(t, "%s: no PCIe link information%s%s", a->bdf, r ? ": " : "", r ? pci_strerror(r) : "");
			continue;
		}
		if (judge && (l.cur_speed < c->expect_pcie_speed || l.cur_width < c->expect_pcie_width))
			kt_fail(t, "%s: PCIe link x%u at %s, expected x%u at %s (expect.pcie)", a->bdf, l.cur_width,
				pci_link_speed_name(l.cur_speed), c->expect_pcie_width, pci_link_speed_name(c->expect_pcie_speed));
		else
			kt_diag(t, "%s: PCIe link x%u at %s (capable x%u at %s)%s", a->bdf, l.cur_width,
				pci_link_speed_name(l.cur_speed), l.max_width, pci_link_speed_name(l.max_speed),
				judge ? "" : ", expect.pcie not set");
	}
}

/* A port counts as up when, opened, its link comes up over a cable (a port strapped to
 * MAC loopback hears only itself). */
static bool port_up(struct kt *t, struct nic_port *n)
{
	char why[160];
	struct nic_open_cfg oc = {0, false, false};
	if (nic_open(n, &oc, why, sizeof why) != ACCEL_OK) {
		kt_diag(t, "%s: cannot open: %s", nic_name(n), why);
		return false;
	}
	bool up = nic_link_wait(n, true, PORT_UP_WAIT_MS) == ACCEL_OK && !n->strapped_loopback;
	nic_close(n);
	return up;
}

static void topology_ports(struct kt *t)
{
	uint32_t want = cfg() ? cfg()->expect_ports : CFG_LIMIT_OFF;
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		unsigned up = 0;
		char down[200];
		unsigned pos = 0;
		down[0] = 0;
		for (unsigned p = 0; p < a->ports; p++) {
			struct nic_port *n = nic_port_get(a, p);
			if (n && port_up(t, n))
				up++;
			else if (pos < sizeof down)
				pos += (unsigned)ksnprintf(down + pos, sizeof down - pos, "%sport%u", pos ? ", " : "", p);
		}
		if (want != CFG_LIMIT_OFF && up < want)
			kt_fail(t, "%s: %u of %u NIC port(s) up, expected %u (expect.ports); down: %s", a->bdf, up, a->ports, want,
				down[0] ? down : "none");
		else
			kt_diag(t, "%s: %u of %u NIC port(s) up%s%s%s", a->bdf, up, a->ports, down[0] ? "; down: " : "", down,
				want == CFG_LIMIT_OFF ? " (expect.ports not set)" : "");
	}
}

static void topology_hbm(struct kt *t)
{
	uint64_t want = cfg() ? cfg()->expect_hbm : 0;
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		if (want && a->hbm_size < want)
			kt_fail(t, "%s: HBM %llu MiB, expected at least %llu MiB (expect.hbm)", a->bdf,
				(unsigned long long)(a->hbm_size / MIB), (unsigned long long)(want / MIB));
		else
			kt_diag(t, "%s: HBM %llu MiB%s", a->bdf, (unsigned long long)(a->hbm_size / MIB),
				want ? "" : " (expect.hbm not set)");
	}
}

static void topology_cpus(struct kt *t)
{
	uint32_t want = cfg() ? cfg()->expect_cpus : CFG_LIMIT_OFF;
	unsigned n = identity_get()->cpus;
	if (want != CFG_LIMIT_OFF && n != want)
		kt_fail(t, "%u CPU(s) in the ACPI MADT, expected %u (expect.cpus)", n, want);
	else
		kt_diag(t, "%u CPU(s)%s", n, want == CFG_LIMIT_OFF ? " (expect.cpus not set)" : "");
}

static void topology_memory(struct kt *t)
{
	uint64_t want = cfg() ? cfg()->expect_memory : 0;
	uint64_t mib = identity_get()->memory_mib;
	if (want && mib < want / MIB)
		kt_fail(t, "host memory %llu MiB, expected at least %llu MiB (expect.memory)", (unsigned long long)mib,
			(unsigned long long)(want / MIB));
	else
		kt_diag(t, "host memory %llu MiB%s", (unsigned long long)mib, want ? "" : " (expect.memory not set)");
}

static const struct kt_case cases[] = {
	{"topology-accels", topology_accels, 0},
	{"topology-pcie", topology_pcie, 0},
	{"topology-ports", topology_ports, 0},
	{"topology-hbm", topology_hbm, 0},
	{"topology-cpus", topology_cpus, 0},
	{"topology-memory", topology_memory, 0},
};

KT_SUITE(topology, 0);
