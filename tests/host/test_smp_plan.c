// sources: kernel/arch/x86/smp_plan.c kernel/lib/fmt.c
/* kernel/arch/x86/smp_plan.c: which MADT processors Kiln starts, on crafted CPU lists
 * (QEMU's -smp 2,maxcpus=4 table with disabled entries, online-capable entries, duplicate
 * APIC ids, more CPUs than SMP_MAX_CPUS, x2APIC ids in xAPIC and x2APIC mode, cpus=, a
 * boot CPU the table does not list), and the INIT-SIPI-SIPI sequence against a fake
 * LAPIC and clock: CPUs that answer the first or the second SIPI, one that never answers
 * (its deadline ends the wait, it is parked with INIT and the next CPU still starts) and
 * one that reports in at the very moment the deadline passes. QEMU cannot make a CPU
 * that ignores SIPI, so this is the proof of that path. */
#include "host_test.h"

#include <stdbool.h>
#include <string.h>

#include "kernel/arch/x86/smp_plan.h"

#define EN SMP_ENTRY_ENABLED
#define OC SMP_ENTRY_ONLINE_CAPABLE
#define X2 SMP_ENTRY_X2APIC

static uint8_t fate[SMP_MAX_ENTRIES];
static unsigned count[SMP_FATE_COUNT];

static void expect_fates(const uint8_t *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fate[i] != want[i])
			fail_msg("entry %u: fate %s, expected %s", i, smp_fate_name(fate[i]), smp_fate_name(want[i]));
}

/* QEMU 7.2 with -smp 2,maxcpus=4: four Local APIC entries, the two possible-but-absent
 * CPUs with flags 0 (hw/i386/acpi-common.c, pc_madt_cpu_entry). */
static void qemu_maxcpus_table(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{0, EN}, {1, EN}, {2, 0}, {3, 0}};
	assert_int_equal(smp_plan(e, 4, 0, 0, SMP_MAX_CPUS, false, fate, count), 1);
	expect_fates((const uint8_t[]){SMP_FATE_SELF, SMP_FATE_START, SMP_FATE_DISABLED, SMP_FATE_DISABLED}, 4);
	assert_int_equal(count[SMP_FATE_DISABLED], 2);
	char ids[64];
	assert_int_equal(smp_plan_ids(e, fate, 4, SMP_FATE_DISABLED, ids, sizeof ids), 2);
	assert_string_equal(ids, "2, 3");
	assert_int_equal(smp_plan_ids(e, fate, 4, SMP_FATE_DUPLICATE, ids, sizeof ids), 0);
	assert_string_equal(ids, "");
}

/* ACPI 6.5 Table 5.40: Online Capable with Enabled clear means "can be enabled at
 * runtime": not running at boot, so not started (Kiln does no hot-add). */
static void online_capable_is_not_started(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{0, EN}, {1, OC}, {2, EN}, {3, EN | OC}};
	assert_int_equal(smp_plan(e, 4, 0, 0, SMP_MAX_CPUS, false, fate, count), 2);
	expect_fates((const uint8_t[]){SMP_FATE_SELF, SMP_FATE_ONLINE_CAPABLE, SMP_FATE_START, SMP_FATE_START}, 4);
	assert_int_equal(count[SMP_FATE_ONLINE_CAPABLE], 1);
}

/* A repeated APIC id (the boot CPU's too, and across LAPIC/x2APIC entries) is started
 * once; a disabled entry with a used id is only disabled, and does not make the enabled
 * one after it a duplicate. */
static void duplicate_apic_ids(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{0, EN}, {1, EN}, {1, EN}, {0, EN}, {5, 0}, {5, EN}, {1, EN | X2}, {6, EN}};
	assert_int_equal(smp_plan(e, 8, 0, 0, SMP_MAX_CPUS, false, fate, count), 3);
	expect_fates((const uint8_t[]){SMP_FATE_SELF, SMP_FATE_START, SMP_FATE_DUPLICATE, SMP_FATE_DUPLICATE,
				       SMP_FATE_DISABLED, SMP_FATE_START, SMP_FATE_DUPLICATE, SMP_FATE_START},
		     8);
	char ids[64];
	assert_int_equal(smp_plan_ids(e, fate, 8, SMP_FATE_DUPLICATE, ids, sizeof ids), 3);
	assert_string_equal(ids, "1, 0, 1");
}

/* 300 enabled CPUs: the boot CPU and 255 APs are used, 44 are over the cap; the id list
 * is cut with "..." rather than overflowing. */
static void more_cpus_than_kiln_supports(void **state)
{
	(void)state;
	static struct smp_entry e[300];
	for (unsigned i = 0; i < 300; i++)
		e[i] = (struct smp_entry){i, EN | (i > 254 ? X2 : 0)};
	assert_int_equal(smp_plan(e, 300, 0, 0, SMP_MAX_CPUS, true, fate, count), SMP_MAX_CPUS - 1);
	assert_int_equal(count[SMP_FATE_OVER_CAP], 300 - SMP_MAX_CPUS);
	assert_int_equal(fate[SMP_MAX_CPUS - 1], SMP_FATE_START);
	assert_int_equal(fate[SMP_MAX_CPUS], SMP_FATE_OVER_CAP);
	char ids[40];
	assert_int_equal(smp_plan_ids(e, fate, 300, SMP_FATE_OVER_CAP, ids, sizeof ids), 300 - SMP_MAX_CPUS);
	assert_true(strlen(ids) < sizeof ids);
	assert_true(!strncmp(ids, "256, 257, ", 10));
	assert_string_equal(ids + strlen(ids) - 3, "...");
	/* a small cap works the same */
	assert_int_equal(smp_plan(e, 10, 0, 0, 4, true, fate, count), 3);
	assert_int_equal(count[SMP_FATE_OVER_CAP], 6);
}

/* x2APIC ids above 254: an xAPIC ICR cannot name them (8-bit destination, 0xff is the
 * broadcast), so in xAPIC mode they are unreachable instead of an INIT sent to apic id
 * (id & 0xff); in x2APIC mode they start. */
static void x2apic_entries(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{0, EN}, {1, EN}, {0x100, EN | X2}, {0xff, EN | X2}, {0x101, X2}, {7, EN | X2}};
	assert_int_equal(smp_plan(e, 6, 0, 0, SMP_MAX_CPUS, false, fate, count), 2);
	expect_fates((const uint8_t[]){SMP_FATE_SELF, SMP_FATE_START, SMP_FATE_UNREACHABLE, SMP_FATE_UNREACHABLE,
				       SMP_FATE_DISABLED, SMP_FATE_START},
		     6);
	char ids[64];
	smp_plan_ids(e, fate, 6, SMP_FATE_UNREACHABLE, ids, sizeof ids);
	assert_string_equal(ids, "256, 255");
	assert_int_equal(smp_plan(e, 6, 0, 0, SMP_MAX_CPUS, true, fate, count), 4);
	assert_int_equal(count[SMP_FATE_UNREACHABLE], 0);
	/* the boot CPU itself in x2APIC mode with a large id */
	const struct smp_entry big[] = {{0x200, EN | X2}, {0x201, EN | X2}};
	assert_int_equal(smp_plan(big, 2, 0x200, 0, SMP_MAX_CPUS, true, fate, count), 1);
	assert_int_equal(fate[0], SMP_FATE_SELF);
}

/* cpus=N counts the boot CPU, wherever it is listed; cpus=1 starts nothing. */
static void cpus_wanted(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{4, EN}, {5, EN}, {0, EN}, {6, EN}};
	assert_int_equal(smp_plan(e, 4, 0, 2, SMP_MAX_CPUS, false, fate, count), 1);
	expect_fates((const uint8_t[]){SMP_FATE_START, SMP_FATE_NOT_WANTED, SMP_FATE_SELF, SMP_FATE_NOT_WANTED}, 4);
	assert_int_equal(smp_plan(e, 4, 0, 1, SMP_MAX_CPUS, false, fate, count), 0);
	assert_int_equal(count[SMP_FATE_NOT_WANTED], 3);
	assert_int_equal(smp_plan(e, 4, 0, 200, SMP_MAX_CPUS, false, fate, count), 3);
}

/* A boot CPU the MADT does not list (or lists disabled): no SELF entry, the others are
 * still started; the caller reports it. */
static void boot_cpu_not_listed(void **state)
{
	(void)state;
	const struct smp_entry e[] = {{0, 0}, {1, EN}, {2, EN}};
	assert_int_equal(smp_plan(e, 3, 0, 0, SMP_MAX_CPUS, false, fate, count), 2);
	assert_int_equal(count[SMP_FATE_SELF], 0);
	assert_int_equal(count[SMP_FATE_DISABLED], 1);
	assert_int_equal(smp_plan(e, 0, 0, 0, SMP_MAX_CPUS, false, fate, count), 0);
}

/* ---- the start-up sequence against a fake LAPIC and clock ------------------------- */

enum behaviour { ANSWER_FIRST_SIPI, ANSWER_SECOND_SIPI, NEVER, AT_DEADLINE };
static struct {
	enum behaviour how;
	volatile int *state;
	uint32_t apic_id;
	unsigned inits, sipis;
	uint8_t page;
	uint64_t clock_us, deadline_at;
} fake;

static int fake_init(uint32_t id)
{
	assert_int_equal(id, fake.apic_id);
	fake.inits++;
	return 0;
}

static int fake_sipi(uint32_t id, uint8_t page)
{
	assert_int_equal(id, fake.apic_id);
	assert_int_equal(fake.inits, 1); /* INIT came first */
	fake.page = page;
	fake.sipis++;
	if ((fake.how == ANSWER_FIRST_SIPI && fake.sipis == 1) || (fake.how == ANSWER_SECOND_SIPI && fake.sipis == 2)) {
		int starting = CPU_STARTING;
		assert_true(__atomic_compare_exchange_n(fake.state, &starting, CPU_ONLINE, false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST));
	}
	return 0;
}

static void fake_delay(uint64_t us) { fake.clock_us += us; }

static uint64_t fake_now(void)
{
	fake.clock_us += 1000; /* every look at the clock costs a millisecond */
	if (fake.how == AT_DEADLINE && fake.deadline_at && fake.clock_us >= fake.deadline_at) {
		int starting = CPU_STARTING;
		__atomic_compare_exchange_n(fake.state, &starting, CPU_ONLINE, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	return fake.clock_us;
}

static const struct smp_hw hw = {fake_init, fake_sipi, fake_delay, fake_now};
#define REPORT_US 2000000

static bool start(volatile int *st, uint32_t id, enum behaviour how)
{
	fake.how = how;
	fake.state = st;
	fake.apic_id = id;
	fake.inits = fake.sipis = 0;
	fake.deadline_at = 0;
	if (how == AT_DEADLINE)
		fake.deadline_at = fake.clock_us + SMP_INIT_DELAY_US + 2 * SMP_SIPI_DELAY_US + REPORT_US;
	return smp_start_one(st, id, 0x9f, &hw, REPORT_US);
}

static void start_sequence(void **state)
{
	(void)state;
	volatile int st[4] = {CPU_ABSENT, CPU_ABSENT, CPU_ABSENT, CPU_ABSENT};
	fake.clock_us = 0;

	assert_true(start(&st[0], 1, ANSWER_FIRST_SIPI));
	assert_int_equal(st[0], CPU_ONLINE);
	assert_int_equal(fake.inits, 1);
	assert_int_equal(fake.sipis, 1); /* no second SIPI once it is up */
	assert_int_equal(fake.page, 0x9f);

	assert_true(start(&st[1], 2, ANSWER_SECOND_SIPI));
	assert_int_equal(st[1], CPU_ONLINE);
	assert_int_equal(fake.sipis, 2);

	/* never answers: the deadline ends the wait, it is parked with a second INIT */
	uint64_t t0 = fake.clock_us;
	assert_false(start(&st[2], 3, NEVER));
	assert_int_equal(st[2], CPU_FAILED);
	assert_int_equal(fake.sipis, 2);
	assert_int_equal(fake.inits, 2);
	assert_true(fake.clock_us - t0 >= SMP_INIT_DELAY_US + 2 * SMP_SIPI_DELAY_US + REPORT_US);
	assert_true(fake.clock_us - t0 < SMP_INIT_DELAY_US + 2 * SMP_SIPI_DELAY_US + REPORT_US + 10000);
	printf("# a CPU that never answers: given up after %llu us of fake time, parked with INIT\n",
	       (unsigned long long)(fake.clock_us - t0));

	/* and the next CPU still starts */
	assert_true(start(&st[3], 4, ANSWER_FIRST_SIPI));
	assert_int_equal(st[3], CPU_ONLINE);

	/* reporting in as the deadline passes: exactly one side wins the compare-and-swap */
	volatile int late = CPU_ABSENT;
	bool up = start(&late, 5, AT_DEADLINE);
	assert_true(up ? late == CPU_ONLINE : late == CPU_FAILED);
	assert_int_equal(fake.inits, up ? 1 : 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_maxcpus_table),
		cmocka_unit_test(online_capable_is_not_started),
		cmocka_unit_test(duplicate_apic_ids),
		cmocka_unit_test(more_cpus_than_kiln_supports),
		cmocka_unit_test(x2apic_entries),
		cmocka_unit_test(cpus_wanted),
		cmocka_unit_test(boot_cpu_not_listed),
		cmocka_unit_test(start_sequence),
	};
	return cmocka_run_group_tests_name("smp_plan", tests, NULL, NULL);
}
