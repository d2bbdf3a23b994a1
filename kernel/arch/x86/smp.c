/* AP start-up and the AP idle loop (see smp.h; Intel SDM vol. 3 §9.4 "Multiple-processor
 * initialization", and the universal start-up algorithm of §9.4.4.1). */
#include "kernel/arch/x86/smp.h"

#include "boot/boot_info.h"
#include "boot/efi_memtype.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/trap.h"
#include "kernel/lib/string.h"

#define LOW_LIMIT 0xa0000ull       /* below the legacy video/ROM area */
#define TRAMPOLINE_PAGES 2         /* the code and data, then the top-level table copy */
#define AP_STACK_PAGES 32          /* 128 KiB like the boot CPU's, plus a guard page below */
#define AP_REPORT_US 2000000       /* an AP reports in within 2 s, even under emulation */

extern const char smp_trampoline[], smp_trampoline_end[];
extern uint32_t smp_tr_gdtr_base, smp_tr_pm_off;
extern uint64_t smp_tr_cr3_low, smp_tr_cr3, smp_tr_stack, smp_tr_arg, smp_tr_entry;
extern const uint64_t smp_tr_gdt_off, smp_tr_pm32_off;

struct cpu smp_cpus[SMP_MAX_CPUS];
static unsigned count = 1, online = 1;
static uint8_t fates[SMP_MAX_ENTRIES];
static unsigned fate_count[SMP_FATE_COUNT];
static struct smp_entry entries[SMP_MAX_ENTRIES];
static unsigned nentries;
static uint64_t tr_page, tsc_hz, tsc_t0;
static int wake_vec = -1;

unsigned smp_count(void) { return count; }
unsigned smp_online(void) { return atomic_load(&online); }
struct cpu *smp_cpu(unsigned i) { return i < count ? &smp_cpus[i] : 0; }
unsigned smp_fate_count(enum smp_fate f) { return f < SMP_FATE_COUNT ? fate_count[f] : 0; }
unsigned smp_fate_ids(enum smp_fate f, char *buf, size_t len) { return smp_plan_ids(entries, fates, nentries, f, buf, len); }
uint64_t smp_trampoline_page(void) { return tr_page; }

static void delay_us(uint64_t us)
{
	uint64_t t0 = rdtsc(), cycles = tsc_hz / 1000000 * us;
	while (rdtsc() - t0 < cycles)
		cpu_relax();
}

/* A field of the copied trampoline: its offset in the blob, applied to the low page. */
#define TR_FIELD(type, sym) ((type *)(uintptr_t)(tr_page + (uint64_t)((const char *)&(sym) - smp_trampoline)))

static uint64_t find_low_pages(const struct boot_info *bi, uint64_t pages)
{
	for (uint64_t off = 0; off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct efi_mem_desc *d = (const void *)(uintptr_t)(bi->mmap + off);
		if (d->type != EFI_CONVENTIONAL)
			continue;
		uint64_t a = d->phys < PAGE_SIZE ? PAGE_SIZE : d->phys, end = d->phys + d->pages * PAGE_SIZE;
		if (end > LOW_LIMIT)
			end = LOW_LIMIT;
		if (a + pages * PAGE_SIZE <= end)
			return a;
	}
	return 0;
}

static void on_wake(void *ctx, uint8_t vec) {}

/* For cpu_sleep_unless: the boot CPU posted work this AP has not done. */
static bool work_posted(void *arg)
{
	struct cpu *c = arg;
	return atomic_load(&c->work_posted) != c->work_done;
}

static _Noreturn void ap_main(struct cpu *c)
{
	cpu_tables_load(c);
	lapic_ap_init();
	int starting = CPU_STARTING;
	if (!atomic_cas(&c->state, &starting, CPU_ONLINE))
		for (;;) /* too late: the boot CPU gave up on it and parks it with INIT */
			__asm__ volatile("cli; hlt");
	atomic_add(&online, 1);
	for (;;) {
		if (!cpu_sleep_unless(work_posted, c)) /* woken by the wake IPI or a tick */
			continue;
		uint32_t posted = atomic_load(&c->work_posted);
		c->work(c->work_arg);
		atomic_store(&c->work_done, posted);
	}
}

static int hw_init(uint32_t id) { return lapic_send_init(id); }
static int hw_sipi(uint32_t id, uint8_t page) { return lapic_send_sipi(id, page); }
static uint64_t now_us(void) { return (rdtsc() - tsc_t0) / (tsc_hz >= 1000000 ? tsc_hz / 1000000 : 1); }
static const struct smp_hw hw = {hw_init, hw_sipi, delay_us, now_us};

static void start_one(struct cpu *c)
{
	*TR_FIELD(uint64_t, smp_tr_stack) = c->stack_top;
	*TR_FIELD(uint64_t, smp_tr_arg) = (uint64_t)(uintptr_t)c;
	smp_start_one(&c->state, c->apic_id, (uint8_t)(tr_page >> PAGE_SHIFT), &hw, AP_REPORT_US);
}

static int prepare(struct cpu *c, arch_page_alloc_fn alloc)
{
	uint8_t *stack = alloc(AP_STACK_PAGES + 1);
	if (!stack || cpu_tables_build(c, alloc) < 0)
		return -1;
	paging_unmap_page((uint64_t)(uintptr_t)stack); /* the guard page */
	c->stack_top = (uint64_t)(uintptr_t)stack + (AP_STACK_PAGES + 1) * PAGE_SIZE;
	return 0;
}

int smp_start(const struct smp_start *s, const char **why)
{
	tsc_hz = s->tsc_hz;
	tsc_t0 = rdtsc();
	uint32_t self = lapic_id();
	smp_cpus[0].apic_id = self;
	smp_cpus[0].state = CPU_ONLINE;
	nentries = s->present < SMP_MAX_ENTRIES ? s->present : SMP_MAX_ENTRIES;
	memcpy(entries, s->entries, nentries * sizeof entries[0]);
	unsigned to_start = smp_plan(entries, nentries, self, s->want, SMP_MAX_CPUS, lapic_x2apic(), fates, fate_count);
	if (!to_start)
		return (int)online;
	tr_page = find_low_pages(s->bi, TRAMPOLINE_PAGES);
	if (!tr_page) {
		*why = "no free conventional memory below 640 KiB for the AP start-up trampoline";
		return -1;
	}
	wake_vec = irq_alloc(on_wake, 0);
	if (wake_vec < 0) {
		*why = "no interrupt vector left for waking APs";
		return -1;
	}
	size_t len = (size_t)(smp_trampoline_end - smp_trampoline);
	memcpy((void *)(uintptr_t)tr_page, smp_trampoline, len);
	memcpy((void *)(uintptr_t)(tr_page + PAGE_SIZE), (const void *)(uintptr_t)(read_cr3() & ~(PAGE_SIZE - 1)),
	       PAGE_SIZE);
	*TR_FIELD(uint32_t, smp_tr_gdtr_base) = (uint32_t)(tr_page + smp_tr_gdt_off);
	*TR_FIELD(uint32_t, smp_tr_pm_off) = (uint32_t)(tr_page + smp_tr_pm32_off);
	*TR_FIELD(uint64_t, smp_tr_cr3_low) = tr_page + PAGE_SIZE;
	*TR_FIELD(uint64_t, smp_tr_cr3) = read_cr3();
	*TR_FIELD(uint64_t, smp_tr_entry) = (uint64_t)(uintptr_t)ap_main;

	for (unsigned i = 0; i < nentries; i++) {
		if (fates[i] != SMP_FATE_START)
			continue;
		struct cpu *c = &smp_cpus[count];
		c->index = count;
		c->apic_id = entries[i].apic_id;
		count++;
		if (prepare(c, s->alloc) < 0) {
			c->state = CPU_FAILED;
			continue;
		}
		start_one(c);
	}
	return (int)smp_online();
}

int smp_post(struct cpu *c, void (*fn)(void *), void *arg)
{
	if (!c || c->index == 0 || atomic_load(&c->state) != CPU_ONLINE || !smp_idle(c))
		return -1;
	c->work = fn;
	c->work_arg = arg;
	atomic_add(&c->work_posted, 1);
	lapic_send_ipi(c->apic_id, (uint8_t)wake_vec);
	return 0;
}

void smp_wake(const struct cpu *c)
{
	if (wake_vec >= 0)
		lapic_send_ipi(c->apic_id, (uint8_t)wake_vec);
}

bool smp_idle(const struct cpu *c) { return atomic_load(&c->work_posted) == atomic_load(&c->work_done); }

void smp_mark_lost(struct cpu *c)
{
	if (c->index == 0)
		return;
	if (atomic_xchg(&c->state, CPU_LOST) == CPU_ONLINE)
		atomic_sub(&online, 1);
	if (c != this_cpu())
		lapic_send_init(c->apic_id); /* stop it where it is: parked, waiting for a SIPI */
}
