/* kernel_main: from the hand-off to the end of the run. Order matters: our own
 * descriptor tables and page tables must be live before boot-services memory (where
 * the firmware's live) is handed to the allocator. */
#include "boot/boot_info.h"
#include "kernel/acpi.h"
#include "kernel/harness/config.h"
#include "kernel/harness/crash.h"
#include "kernel/harness/lane.h"
#include "kernel/console.h"
#include "kernel/console_log.h"
#include "kernel/arch/x86/cpu.h"
#include "boot/efi_memtype.h"
#include "kernel/efirt.h"
#include "kernel/harness/exit.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/heartbeat.h"
#include "kernel/harness/identity.h"
#include "kernel/harness/persist.h"
#include "kernel/harness/report.h"
#include "kernel/wallclock.h"
#include "drivers/accel/accel.h"
#include "drivers/mgmt/mgmt.h"
#include "kernel/harness/ktap.h"
#include "kernel/harness/upload.h"
#include "kernel/pci/driver.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/smp.h"
#include "kernel/pci/pci.h"
#include "kernel/harness/platform_console.h"
#include "kernel/pmm.h"
#include "kernel/harness/runner.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "kernel/arch/x86/trap.h"
#include "kernel/harness/version.h"
#include "kernel/harness/watch.h"

#define LOW_MEMORY_LIMIT 0x100000ull /* legacy area and AP trampolines stay untouched */
#define TIMER_HZ 100

struct boot_info *kiln_boot_info;
const char kiln_version_string[] = KILN_GIT_VERSION;
uint64_t kiln_kernel_entry_tsc;

/* Every timer tick: the heartbeat, then the running case's deadline (may not return). */
static void on_tick(void)
{
	if (this_cpu()->index != 0) {
		lane_tick(); /* an AP: its lane's deadline (may not return) */
		return;
	}
	heartbeat_tick();
	lane_tick();   /* the boot CPU's own lane, when it drives a device beside the APs */
	runner_tick();
}

/* Before any case: a KTAP document with no tests (report_document_empty). */
static _Noreturn void early_fatal(const char *what)
{
	report_document_empty();
	kprintf("# kiln: fatal: %s\n", what);
	kiln_exit(KILN_EXIT_CRASH);
}

static void add_memory(const struct boot_info *bi, int boot_services)
{
	for (uint64_t off = 0; off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + off);
		int take = boot_services ? (d->type == EFI_BS_CODE || d->type == EFI_BS_DATA) : d->type == EFI_CONVENTIONAL;
		if (take && !(d->attr & EFI_MEMORY_RUNTIME))
			pmm_add(&kernel_pmm, d->phys, d->pages);
	}
}

static const void *acpi_map_identity(uint64_t phys, size_t len, void *ctx)
{
	for (uint64_t a = phys & ~(PAGE_SIZE - 1); a < phys + len; a += PAGE_SIZE)
		if (!paging_is_mapped(a) && paging_map(a, PAGE_SIZE, MAP_WB) < 0)
			return 0;
	return (const void *)(uintptr_t)phys;
}

static uint64_t pick_seed(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint64_t s = rdtsc();
	if (r[2] & (1u << 30)) { /* RDRAND */
		uint64_t v;
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			s ^= v;
	}
	return s ? s : 1;
}

static void print_run_header(const struct boot_info *bi, const struct kiln_config *cfg)
{
	char b[1200]; /* every key, net.* and the set limit and expect.* keys included */
	kprintf("# kiln: Kiln %s\n", kiln_version_string);
	kprintf("# kiln: firmware %s rev 0x%x, UEFI %u.%u, image %s at 0x%llx\n", bi->fw_vendor, bi->fw_revision,
		bi->uefi_revision >> 16, (bi->uefi_revision & 0xffff) / 10, bi->image_path[0] ? bi->image_path : "(unknown)",
		(unsigned long long)bi->image_base);
	kprintf("# kiln: memory %llu MiB free of the allocator, cpus %u, acpi tables %u (%u with bad checksums)\n",
		(unsigned long long)(kernel_pmm.free_pages * PMM_PAGE >> 20), kernel_acpi.cpu_count,
		kernel_acpi.table_count, kernel_acpi.bad_checksums);
	kprintf("# kiln: config %s%s, load options \"%s\"\n", bi->config_path[0] ? "from " : "none",
		bi->config_path, bi->cmdline);
	config_format(cfg, b, sizeof b);
	kprintf("# kiln: effective %s\n", b);
	kprintf("# kiln: seed 0x%llx (seed=0x%llx repeats this run)\n", (unsigned long long)cfg->seed,
		(unsigned long long)cfg->seed);
}

static _Noreturn void config_error(const char *msg)
{
	report_document_empty();
	kprintf("# kiln: config error: %s\n", msg);
	report_error("config-error", msg);
	kiln_exit(KILN_EXIT_CONFIG);
}

/* The unit's name for a lab collector: the system serial, else the first device's. */
/* The accel_irq= key, in the driver's own terms. */
static enum accel_irq_mode accel_irq_mode_of(enum cfg_accel_irq c)
{
	switch (c) {
	case CFG_ACCEL_IRQ_SHARED:
		return ACCEL_IRQ_SHARED;
	case CFG_ACCEL_IRQ_POLL:
		return ACCEL_IRQ_POLL;
	case CFG_ACCEL_IRQ_MSIX:
		break;
	}
	return ACCEL_IRQ_MSIX;
}

static void unit_name(char *out, size_t len)
{
	const struct smbios_info *s = &identity_get()->smbios;
	const char *src = s->sys_serial[0] ? s->sys_serial : (accel_count() && accel_get(0)->info_ok ? accel_get(0)->info.serial : "unknown");
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++) {
		char ch = src[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
			 ch == '_' || ch == ':' || ch == '-';
		out[i] = ok ? ch : '_';
	}
	out[i] = 0;
}

/* net.collector: the run's log goes to the lab collector before the run ends. An upload
 * that fails is said loudly but does not change the verdict on the hardware. */
static void upload(const struct kiln_config *c, int code)
{
	char unit[64], why[300];
	report_finish(code);
	unit_name(unit, sizeof unit);
	if (net_upload_results(c, unit, code == KILN_EXIT_PASS ? "PASS" : "FAIL", code, why, sizeof why) == 0)
		kprintf("# kiln: upload: %s\n", why);
	else
		kprintf("# kiln: upload failed: %s\n", why);
}

/* The APs (cpus=): started before any device, so every later lane can use them. Every
 * MADT processor entry not started gets a line naming its APIC ids and why. */
_Static_assert(ACPI_CPU_ENABLED == SMP_ENTRY_ENABLED && ACPI_CPU_ONLINE_CAPABLE == SMP_ENTRY_ONLINE_CAPABLE &&
		       ACPI_CPU_X2APIC == SMP_ENTRY_X2APIC,
	       "the MADT's processor flags and the CPU list's are the same bits");
static struct smp_entry cpu_entries[SMP_MAX_ENTRIES];

static void start_cpus(const struct boot_info *bi, const struct kiln_config *cfg)
{
	unsigned n = kernel_acpi.cpu_entries < ACPI_MAX_CPUS ? kernel_acpi.cpu_entries : ACPI_MAX_CPUS;
	if (n > SMP_MAX_ENTRIES)
		n = SMP_MAX_ENTRIES;
	for (unsigned i = 0; i < n; i++)
		cpu_entries[i] = (struct smp_entry){kernel_acpi.cpu_apic_ids[i], kernel_acpi.cpu_flags[i]};
	struct smp_start s = {bi, cpu_entries, n, cfg->cpus, time_tsc_hz(), page_alloc};
	const char *why = 0;
	console_smp_on();
	int r = smp_start(&s, &why);
	char want[16] = "all";
	if (cfg->cpus)
		ksnprintf(want, sizeof want, "%u", cfg->cpus);
	kprintf("# kiln: cpus %u online of %u present (cpus=%s)%s%s\n", smp_online(), kernel_acpi.cpu_count, want,
		r < 0 ? ": APs not started: " : "", r < 0 ? why : "");
	for (unsigned i = 1; i < smp_count(); i++)
		if (smp_cpu(i)->state != CPU_ONLINE)
			kprintf("# kiln: cpu %u (apic id %u) did not start: no answer to INIT-SIPI-SIPI\n", i,
				smp_cpu(i)->apic_id);
	static const struct {
		enum smp_fate fate;
		const char *what;
	} lines[] = {
		{SMP_FATE_DISABLED, "disabled in the MADT (not present); not started"},
		{SMP_FATE_ONLINE_CAPABLE, "online-capable but not enabled in the MADT (hot-add only); not started"},
		{SMP_FATE_DUPLICATE, "repeat an APIC id listed before; not started"},
		{SMP_FATE_UNREACHABLE, "have an APIC id above 254 and the firmware left the LAPIC in xAPIC mode; not started"},
		{SMP_FATE_OVER_CAP, 0},
	};
	char cap[64];
	ksnprintf(cap, sizeof cap, "are beyond the %u CPUs Kiln supports; not started", SMP_MAX_CPUS);
	for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
		char ids[160];
		unsigned c = smp_fate_ids(lines[k].fate, ids, sizeof ids);
		if (c)
			kprintf("# kiln: cpus: %u MADT entr%s (apic id %s) %s\n", c, c == 1 ? "y" : "ies", ids,
				lines[k].what ? lines[k].what : cap);
	}
	if (kernel_acpi.cpu_entries > n)
		kprintf("# kiln: cpus: %u MADT processor entries beyond the first %u were not read\n",
			kernel_acpi.cpu_entries - n, n);
	if (!smp_fate_count(SMP_FATE_SELF))
		kprintf("# kiln: cpus: the boot CPU (apic id %u) is not an enabled MADT entry\n", smp_cpu(0)->apic_id);
}

/* on_failure=halt: nothing is reset or torn down; the machine waits for a person. */
static _Noreturn void halt_for_inspection(void)
{
	const char *f = report_first_failure();
	kprintf("# kiln: on_failure=halt: stopped after the first failure (%s); no device was reset\n", f);
	kprintf("# kiln: inspect: devices keep the state the failing case left; read them over the BMC or a "
		"debugger (under QEMU: the runner's QMP socket, qom-get on the device), then power-cycle\n");
	report_run_halted(KILN_EXIT_FAIL);
	heartbeat_state("halted");
	for (;;)
		cpu_halt(); /* interrupts stay on: the heartbeat says we are halted, not hung */
}

_Noreturn void kernel_main(struct boot_info *bi)
{
	kiln_kernel_entry_tsc = rdtsc();
	kiln_boot_info = bi;
	struct console_port com1 = {CONSOLE_IO, CONSOLE_COM1, 115200};
	console_init(&com1);
	efirt_init(bi->runtime_services);
	crash_init(bi->image_base);
	kprintf("\nkiln: kernel started\n");
	if (bi->magic != BOOT_INFO_MAGIC)
		early_fatal("boot_info magic is wrong: boot/ and kernel/ disagree");

	pmm_init(&kernel_pmm, LOW_MEMORY_LIMIT);
	add_memory(bi, 0);
	if (cpu_tables_init(&smp_cpus[0], page_alloc) < 0)
		early_fatal("no memory for the interrupt stacks");
	if (paging_init(bi, page_alloc) < 0)
		early_fatal("no memory for the page tables");
	add_memory(bi, 1); /* the firmware's tables and stack are no longer in use */

	/* Configuration before anything that depends on it; errors are reported once the
	 * console is settled. */
	static struct kiln_config cfg;
	static char cfg_err[CFG_ERR_MAX];
	config_defaults(&cfg);
	int cfg_bad = 0;
	if (bi->boot_error[0]) {
		ksnprintf(cfg_err, sizeof cfg_err, "%s", bi->boot_error);
		cfg_bad = 1;
	}
	if (!cfg_bad && bi->config_path[0] &&
	    config_parse_file(&cfg, bi->config, bi->config_len, bi->config_path, cfg_err) < 0)
		cfg_bad = 1;
	if (!cfg_bad && config_parse_cmdline(&cfg, bi->cmdline, cfg_err) < 0)
		cfg_bad = 1;
	if (!cfg.seed_set)
		cfg.seed = pick_seed();
	kiln_cfg = &cfg;

	int acpi_ok = acpi_parse(&kernel_acpi, bi->acpi_rsdp, acpi_map_identity, 0) == 0;
	exit_configure(cfg.exit_mode, acpi_ok && acpi_is_qemu(&kernel_acpi));
	const char *console_note = platform_console_select(&cfg, &kernel_acpi);

	console_log_start(); /* from here on the run's log is kept for a collector */
	/* The start-up lines: the KTAP document opens (version line, then its plan) once the
	 * selection and the devices under test are known, below. */
	print_run_header(bi, &cfg);
	identity_collect(bi);
	identity_print();
	if (console_note)
		kprintf("# kiln: console: %s\n", console_note);
	bool burn = runner_burn_in(&cfg);
	report_configure(&cfg, burn);
	wallclock_init(bi);
	report_run_start(&cfg, bi->cmdline);
	if (cfg_bad)
		config_error(cfg_err);
	if (!acpi_ok)
		early_fatal("no usable ACPI RSDP/XSDT: Kiln needs ACPI to find timers, CPUs and PCI");

	const char *why;
	if (time_init(&why) < 0)
		early_fatal(why);
	if (lapic_init(kernel_acpi.lapic_base) < 0 || lapic_timer_start(TIMER_HZ, time_tsc_hz(), on_tick) < 0)
		early_fatal("cannot start the local APIC timer that enforces case deadlines");
	kprintf("# kiln: tsc %llu kHz calibrated against %s, lapic %s id %u\n",
		(unsigned long long)(time_tsc_hz() / 1000), time_reference(), lapic_x2apic() ? "x2apic" : "xapic",
		lapic_id());
	start_cpus(bi, &cfg);
	if (cfg.persist == CFG_ON)
		persist_print_previous();
	heartbeat_configure(cfg.heartbeat_s);
	irq_enable();
	int npci = pci_init();
	if (npci < 0)
		kprintf("# kiln: pci enumeration failed: %s; the pci cases will fail\n", pci_strerror(npci));
	else
		kprintf("# kiln: pci %d functions on %u segment(s)\n", npci, pci_segment_count());
	char sel_err[400];
	if (!runner_select_count(&cfg, sel_err, sizeof sel_err))
		config_error(sel_err);
	accel_set_irq_mode(accel_irq_mode_of(cfg.accel_irq));
	unsigned bound = npci > 0 ? pci_bind_drivers() : 0;
	kprintf("# kiln: %u device(s) under test\n", bound - mgmt_count()); /* management NICs are not */
	if (cfg.parallel == CFG_PARALLEL_DEVICES && accel_count() > 1) {
		unsigned aps = smp_online() - 1;
		if (aps >= accel_count())
			kprintf("# kiln: parallel=devices: each device case runs on %u lanes at once, one AP per device\n",
				accel_count());
		else if (aps + 1 >= accel_count())
			kprintf("# kiln: parallel=devices: each device case runs on %u lanes at once, the boot CPU driving "
				"the first device and one AP each the others\n",
				accel_count());
		else
			kprintf("# kiln: parallel=devices: %u accelerator(s) but %u AP(s) online: device cases run one device "
				"after another\n", accel_count(), aps);
	}
	accel_identity_print();
	mgmt_identity_print();
	if (runner_selection_needs_device(&cfg) && accel_count() == 0) {
		char why[400];
		const char *note = accel_probe_note();
		ksnprintf(why, sizeof why, "no device under test: the selected suites need an accelerator and none was bound (%s)",
			  note[0] ? note : "no PCI function matches the driver's id table");
		report_document_empty();
		kprintf("# kiln: %s\n", why);
		report_error("no-device", why);
		kiln_exit(KILN_EXIT_NO_DEVICE);
	}
	if (accel_failed_count())
		runner_force_case("topology-accels"); /* a device dropped at bring-up is a failed case */
	unsigned plan;
	bool has_plan = runner_plan(&cfg, &plan);
	report_document_begin(has_plan, plan);
	watch_start(&cfg);
	kprintf("# kiln: boot-to-first-case %llu us since efi_main\n",
		(unsigned long long)tsc_to_ns(rdtsc() - bi->entry_tsc) / 1000);
	struct run_totals tot;
	runner_run(&cfg, &tot);
	if (tot.halted)
		halt_for_inspection();
	int code = tot.failed ? KILN_EXIT_FAIL : KILN_EXIT_PASS;
	if (cfg.net.collector_set)
		upload(&cfg, code);
	kiln_exit(code);
}
