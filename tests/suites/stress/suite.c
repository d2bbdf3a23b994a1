/* Suite `stress` (run when named): one case, stress-all, loads every accelerator's DMA
 * streams, every cabled NIC pair and the host memory at once for stress.time, with the
 * sensors sampled throughout (stress.h says who does what). The CPUs are shared out
 * before the load: one AP per accelerator (with fewer APs than accelerators, each AP
 * interleaves several devices round by round, and the plan line says so), the host memory
 * test on every AP left over, the NIC bursts and the sensor samples on the boot CPU (which
 * also takes the devices when there is no AP at all). Every worker has a deadline (its
 * lane, kernel/harness/lane.c): a hung or crashed worker is named with its devices. The
 * first failure anywhere stops the load and fails the case naming device (BDF),
 * engine/stream or port and the time into the stress; the figures per device and in
 * total come at the end. */
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/harness/config.h"
#include "kernel/harness/lane.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pmm.h"
#include "tests/suites/stress/stress.h"

#define MIB (1024ull * 1024ull)
#define STRESS_TIME_DEFAULT_S 60
#define SAMPLE_DEFAULT_MS 1000
#define CASE_TIMEOUT_S (86400 + 1800) /* stress.time is at most a day; every wait inside has its own deadline */
#define LANE_GRACE_S 120              /* a worker's last round after the end, under emulation */
#define MEM_SHARE_DIV 2               /* the host memory test takes this part of the free RAM ... */
#define MEM_PER_CPU_MAX (4096 * MIB)  /* ... split over its CPUs, at most this much each */
#define MEM_BOOT (16 * MIB)           /* ... when the boot CPU has nothing else to do */

struct stress_clock stress_clock;

uint64_t stress_ms(void) { return (time_ns() - stress_clock.start_ns) / NS_PER_MS; }

enum job_kind { JOB_DEVS, JOB_MEM };

struct job {
	enum job_kind kind;
	unsigned ndev;
	struct stress_dev *dev[ACCEL_MAX];
	struct stress_mem *mem;
	struct cpu *cpu;
	bool started;
	enum lane_result result;
	struct lane lane;
};

/* Page-allocated once and kept: an AP may still use them if the case is aborted. */
static struct {
	struct stress_dev *dev;  /* ACCEL_MAX */
	struct stress_mem *mem;  /* SMP_MAX_CPUS */
	struct job *job;         /* SMP_MAX_CPUS */
} S;

static void *alloc_once(uint64_t bytes) { return page_alloc((bytes + PMM_PAGE - 1) / PMM_PAGE); }

static void job_run(void *arg)
{
	struct job *j = arg;
	while (!stress_over()) {
		if (j->kind == JOB_MEM) {
			stress_mem_round(j->mem);
			continue;
		}
		for (unsigned k = 0; k < j->ndev && !stress_over(); k++)
			stress_dev_round(j->dev[k]);
	}
}

/* Sleep until `until_ns` or the end of the stress, woken by every tick. */
static void idle_until(uint64_t until_ns)
{
	while (!stress_over() && time_ns() < until_ns) {
		if (irq_enabled())
			__asm__ volatile("hlt" ::: "memory");
		else
			cpu_relax();
	}
}

/* A progress line every tenth of the stress (1 s .. 60 s apart): how far, and what each
 * worker has verified so far (read while they run: a snapshot, not a total). */
#define PROGRESS_MIN_MS 1000u
#define PROGRESS_MAX_MS 60000u

static void progress(struct kt *t, unsigned n, unsigned ndev, unsigned nmem, uint64_t time_s)
{
	char b[300];
	uint64_t ms = stress_ms();
	size_t used = (size_t)ksnprintf(b, sizeof b, "progress %u, %llu.%03llu s of %llu:", n, (unsigned long long)(ms / 1000),
					(unsigned long long)(ms % 1000), (unsigned long long)time_s);
	for (unsigned i = 0; i < ndev && used < sizeof b; i++)
		used += (size_t)ksnprintf(b + used, sizeof b - used, " accel%u %llu MiB,", i,
					  (unsigned long long)(stress_dev_total(&S.dev[i]) >> 20));
	uint64_t moved = 0;
	for (unsigned k = 0; k < nmem; k++)
		moved += S.mem[k].run.bytes;
	if (used < sizeof b)
		ksnprintf(b + used, sizeof b - used, " host memory %llu MiB moved", (unsigned long long)(moved >> 20));
	kt_diag(t, "%s", b);
}

static int64_t mbps(uint64_t bytes, uint64_t ns) { return ns ? (int64_t)(bytes * 1000u / ns) : 0; }

static void figures(struct kt *t, unsigned ndev, unsigned nmem, struct stress_mem *boot_mem, uint64_t ns)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < ndev; i++) {
		struct stress_dev *d = &S.dev[i];
		uint64_t b = stress_dev_total(d);
		char name[64], streams[200];
		size_t used = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char qn[16];
			used += (size_t)ksnprintf(streams + used, sizeof streams - used, "%s%s %llu", q ? ", " : "",
						  accel_queue_name(q, qn), (unsigned long long)(d->bytes[q] / MIB));
			if (d->bytes[q])
				kt_cover(t, KT_COVER_QUEUE, i, q);
		}
		kt_diag(t, "%s: %llu MiB verified in %u rounds (%llu transfers, %llu MiB of them HBM pattern fills), "
			"%lld MB/s; MiB per stream: %s", d->a->bdf, (unsigned long long)(b / MIB), d->round,
			(unsigned long long)d->transfers, (unsigned long long)(d->hbm_pattern_bytes / MIB),
			(long long)mbps(b, ns), streams);
		kt_cover(t, KT_COVER_HBM, i, stress_dev_hbm_walked(d));
		ksnprintf(name, sizeof name, "stress-accel%u-dma-verified", i);
		kt_measure(t, name, (int64_t)(b / MIB), 0, "MiB");
		ksnprintf(name, sizeof name, "stress-accel%u-dma-bw", i);
		kt_measure(t, name, mbps(b, ns), 0, "MB/s");
		/* the same bytes over the time the engines had them (start to completion), without the
		 * CPU's fills and checks */
		ksnprintf(name, sizeof name, "stress-accel%u-dma-engine-bw", i);
		kt_measure(t, name, mbps(b, d->engine_ns), 0, "MB/s");
		total += b;
	}
	if (ndev) {
		kt_measure(t, "stress-dma-verified", (int64_t)(total / MIB), 0, "MiB");
		kt_measure(t, "stress-dma-bw", mbps(total, ns), 0, "MB/s");
	}
	uint64_t moved = 0, tested = 0;
	unsigned cpus = 0;
	for (unsigned k = 0; k <= nmem; k++) {
		struct stress_mem *m = k < nmem ? &S.mem[k] : boot_mem;
		if (!m || !m->rounds)
			continue;
		kt_diag(t, "host memory: cpu %u (apic id %u): %llu of its %llu MiB region tested, %u algorithm round(s) of "
			"up to %llu MiB, %llu MiB moved, %lld MB/s", m->cpu, m->apic_id, (unsigned long long)(m->covered / MIB),
			(unsigned long long)(m->bytes_region / MIB), m->rounds, (unsigned long long)(STRESS_MEM_CHUNK / MIB),
			(unsigned long long)(m->run.bytes / MIB), (long long)mbps(m->run.bytes, ns));
		moved += m->run.bytes;
		tested += m->covered;
		cpus++;
	}
	if (cpus) {
		kt_cover(t, KT_COVER_HOST_RAM, 0, tested);
		kt_measure(t, "stress-host-memory-tested", (int64_t)(tested / MIB), 0, "MiB");
		kt_measure(t, "stress-host-memory-bw", mbps(moved, ns), 0, "MB/s");
	}
}

static void stress_all(struct kt *t)
{
	const struct kiln_config *c = kiln_cfg;
	uint64_t time_s = c && c->stress_time_s ? c->stress_time_s : STRESS_TIME_DEFAULT_S;
	uint64_t sample_ms = c && c->stress_sample_ms ? c->stress_sample_ms : SAMPLE_DEFAULT_MS;
	if (!S.dev) {
		S.dev = alloc_once(ACCEL_MAX * sizeof *S.dev);
		S.mem = alloc_once(SMP_MAX_CPUS * sizeof *S.mem);
		S.job = alloc_once(SMP_MAX_CPUS * sizeof *S.job);
		if (!S.dev || !S.mem || !S.job) {
			kt_fail(t, "no memory for the stress workers' state");
			return;
		}
	}
	/* the CPUs: idle online APs, first those a device's MSI-X can reach (they drive the
	 * accelerators, whose interrupts are steered to them), then the rest (host memory) */
	struct cpu *aps[SMP_MAX_CPUS];
	unsigned nap = 0, nreach = 0;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 1; i < smp_count(); i++) {
			struct cpu *cp = smp_cpu(i);
			bool reach = lane_cpu_usable(cp, true);
			if (pass == 0 ? reach : !reach && lane_cpu_usable(cp, false))
				aps[nap++] = cp;
			if (!pass && nap > nreach)
				nreach = nap;
		}
	unsigned ndev = accel_count() < ACCEL_MAX ? accel_count() : ACCEL_MAX;
	unsigned dev_cpus = ndev < nreach ? ndev : nreach;
	unsigned njob = 0, nboot = 0;
	struct stress_dev *boot_dev[ACCEL_MAX];
	memset(S.job, 0, SMP_MAX_CPUS * sizeof *S.job);
	for (unsigned i = 0; i < ndev; i++) {
		struct stress_dev *d = &S.dev[i];
		if (!stress_dev_init(d, accel_get(i), kt_rand(t))) {
			kt_fail(t, "%s", d->why);
			for (unsigned k = 0; k < i; k++)
				stress_dev_fini(&S.dev[k]);
			return;
		}
		if (dev_cpus) {
			struct job *j = &S.job[i % dev_cpus];
			j->kind = JOB_DEVS;
			j->cpu = aps[i % dev_cpus];
			j->dev[j->ndev++] = d;
		} else {
			boot_dev[nboot++] = d;
		}
	}
	njob = dev_cpus;
	/* the host memory test on every AP left over */
	unsigned nmem = 0;
	uint64_t per_cpu = nap > dev_cpus ? kernel_pmm.free_pages * PMM_PAGE / MEM_SHARE_DIV / (nap - dev_cpus) : 0;
	if (per_cpu > MEM_PER_CPU_MAX)
		per_cpu = MEM_PER_CPU_MAX;
	for (unsigned k = dev_cpus; k < nap; k++) {
		struct stress_mem *m = &S.mem[nmem];
		if (!stress_mem_init(m, per_cpu, kt_rand(t))) {
			kt_diag(t, "host memory: no region left for cpu %u; it stays idle", aps[k]->index);
			continue;
		}
		m->cpu = aps[k]->index;
		m->apic_id = aps[k]->apic_id;
		struct job *j = &S.job[njob++];
		j->kind = JOB_MEM;
		j->cpu = aps[k];
		j->mem = m;
		nmem++;
	}
	struct stress_nic *nic = stress_nic_up(t);
	if (kt_failed(t))
		goto out_fini;
	/* the boot CPU tests memory itself only when it has nothing else to drive */
	static struct stress_mem boot_mem_store;
	struct stress_mem *boot_mem = 0;
	if (!nboot && !nic && !nmem && stress_mem_init(&boot_mem_store, MEM_BOOT, kt_rand(t))) {
		boot_mem = &boot_mem_store;
		boot_mem->cpu = 0;
		boot_mem->apic_id = this_cpu()->apic_id;
	}

	kt_diag(t, "plan: %u s; %u accelerator(s): %s; host memory test on %u CPU(s)%s; NIC bursts %s; sensors every "
		"%llu ms on the boot CPU", (unsigned)time_s, ndev,
		!ndev ? "none" : !dev_cpus ? "all driven by the boot CPU, interleaved round by round (no AP)"
		: dev_cpus < ndev ? "interleaved round by round, fewer APs than accelerators"
				  : "one AP each",
		nmem + (boot_mem != 0), boot_mem ? " (the boot CPU: no AP left)" : !nmem && nap ? " (no AP left over)" : "",
		nic ? "on the boot CPU between samples" : "none", (unsigned long long)sample_ms);
	for (unsigned k = 0; k < dev_cpus; k++) {
		char devs[120];
		size_t used = 0;
		for (unsigned i = 0; i < S.job[k].ndev; i++)
			used += (size_t)ksnprintf(devs + used, sizeof devs - used, "%s%s", i ? ", " : "", S.job[k].dev[i]->a->bdf);
		kt_diag(t, "plan: cpu %u (apic id %u) drives %s: every stream of both DMA engines", S.job[k].cpu->index,
			S.job[k].cpu->apic_id, devs);
	}

	struct stress_sensors *sens = stress_sensors_start(t, nic);
	stress_clock.stop = 0;
	stress_clock.start_ns = time_ns();
	stress_clock.end_ns = stress_clock.start_ns + time_s * NS_PER_S;
	kt_diag(t, "load started");
	if (!stress_sensors_sample(t, sens))
		stress_stop();
	for (unsigned k = 0; k < njob; k++) {
		struct job *j = &S.job[k];
		/* a device's interrupts go to the CPU that drives it (as on the device lanes) */
		for (unsigned i = 0; i < j->ndev; i++)
			if (accel_irq_steer(j->dev[i]->a, j->cpu->apic_id) != ACCEL_OK)
				kt_fail(t, "%s: its MSI-X cannot be steered to cpu %u (apic id %u)", j->dev[i]->a->bdf,
					j->cpu->index, j->cpu->apic_id);
		j->started = lane_start(&j->lane, j->cpu, job_run, j, (time_s + LANE_GRACE_S) * NS_PER_S) == 0;
		if (!j->started)
			kt_fail(t, "cpu %u (apic id %u) did not take its share of the stress", j->cpu->index, j->cpu->apic_id);
	}
	uint64_t next = stress_clock.start_ns + sample_ms * NS_PER_MS;
	uint64_t every_ms = time_s * 1000 / 10;
	every_ms = every_ms < PROGRESS_MIN_MS ? PROGRESS_MIN_MS : every_ms > PROGRESS_MAX_MS ? PROGRESS_MAX_MS : every_ms;
	uint64_t next_progress = stress_clock.start_ns + every_ms * NS_PER_MS;
	unsigned progressed = 0;
	while (!stress_over()) {
		for (unsigned i = 0; i < nboot && !stress_over(); i++)
			stress_dev_round(boot_dev[i]);
		if (nic && !stress_over() && !stress_nic_round(t, nic))
			stress_stop();
		if (boot_mem && !stress_over())
			stress_mem_round(boot_mem);
		if (!nboot && !nic && !boot_mem)
			idle_until(next < next_progress ? next : next_progress);
		if (time_ns() >= next_progress && !stress_over()) {
			progress(t, ++progressed, ndev, nmem, time_s);
			next_progress += every_ms * NS_PER_MS;
		}
		if (time_ns() >= next) {
			if (!stress_sensors_sample(t, sens))
				stress_stop();
			next += sample_ms * NS_PER_MS;
			if (next < time_ns())
				next = time_ns() + sample_ms * NS_PER_MS;
		}
	}
	uint64_t ns = time_ns() - stress_clock.start_ns;
	bool stopped = stress_clock.stop;
	stress_stop();
	for (unsigned k = 0; k < njob; k++) {
		struct job *j = &S.job[k];
		j->result = j->started ? lane_wait(&j->lane) : LANE_HUNG;
		for (unsigned i = 0; i < j->ndev; i++)
			accel_irq_steer(j->dev[i]->a, irq_boot_apic_id()); /* serial work again: the boot CPU */
		if (!j->started || j->result == LANE_DONE)
			continue;
		char devs[120] = "host memory";
		size_t used = 0;
		for (unsigned i = 0; i < j->ndev; i++)
			used += (size_t)ksnprintf(devs + used, sizeof devs - used, "%s%s", i ? ", " : "", j->dev[i]->a->bdf);
		kt_fail(t, "%s: the worker %s: %s, at %llu.%03llu s into the stress", devs,
			j->result == LANE_CRASHED ? "crashed" : "did not finish its round by its deadline", j->lane.why,
			(unsigned long long)(stress_ms() / 1000), (unsigned long long)(stress_ms() % 1000));
	}
	if (!stopped && stress_sensors_sample(t, sens))
		kt_diag(t, "load ended after %llu ms", (unsigned long long)(ns / NS_PER_MS));
	stress_sensors_end(t, sens);
	for (unsigned i = 0; i < ndev; i++)
		if (S.dev[i].failed)
			kt_fail(t, "%s", S.dev[i].why);
	for (unsigned k = 0; k < nmem; k++)
		if (S.mem[k].failed)
			kt_fail(t, "%s", S.mem[k].why);
	if (boot_mem && boot_mem->failed)
		kt_fail(t, "%s", boot_mem->why);
	figures(t, ndev, nmem, boot_mem, ns);
	if (nic)
		stress_nic_down(t, nic, ns);
	if (boot_mem)
		stress_mem_fini(boot_mem);
out_fini:
	/* a worker that did not come back on its own keeps its buffers: its CPU, or a DMA it had
	 * started, may yet write them (a small leak in a run that failed already) */
	for (unsigned k = 0; k < njob; k++) {
		struct job *j = &S.job[k];
		if (j->started && j->result != LANE_DONE)
			continue;
		for (unsigned i = 0; i < j->ndev; i++)
			stress_dev_fini(j->dev[i]);
		if (j->mem)
			stress_mem_fini(j->mem);
	}
	for (unsigned i = 0; i < nboot; i++)
		stress_dev_fini(boot_dev[i]);
}

static const struct kt_case cases[] = {
	{"stress-all", stress_all, CASE_TIMEOUT_S},
};

KT_SUITE(stress, KT_SUITE_EXPLICIT);
