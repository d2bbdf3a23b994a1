#include "kernel/arch/x86/lapic.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/median.h"

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + offset/16), Intel SDM vol. 3 ch. 11. */
#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_SVR_ENABLE 0x100
#define LAPIC_LVT_MASKED 0x10000
#define LAPIC_TIMER_PERIODIC 0x20000
#define LAPIC_DIV_16 0x3
#define ICR_FIXED 0x000u
#define ICR_INIT 0x500u
#define ICR_STARTUP 0x600u
#define ICR_PENDING 0x1000u
#define ICR_LEVEL_ASSERT 0x4000u
#define ICR_POLLS 1000000
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xffffffffff000ull
#define X2APIC_MSR(off) (0x800u + ((off) >> 4))
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define CALIBRATE_MS 40
#define CALIBRATE_ROUNDS 5
#define NS_PER_S 1000000000ull

static uintptr_t base;
static int x2;
static volatile uint64_t ticks;
static unsigned timer_hz;
static uint64_t counts_per_sec;
static lapic_tick_fn tick_hook;
static int timer_vec;

static uint32_t rd(uint32_t off) { return x2 ? (uint32_t)rdmsr(X2APIC_MSR(off)) : mmio_read32(base + off); }
static void wr(uint32_t off, uint32_t v)
{
	if (x2)
		wrmsr(X2APIC_MSR(off), v);
	else
		mmio_write32(base + off, v);
}

int lapic_init(uint64_t madt_base)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	x2 = (msr & APIC_BASE_X2APIC) != 0;
	uint64_t phys = madt_base ? madt_base : (msr & APIC_BASE_ADDR_MASK);
	if (!x2) {
		base = (uintptr_t)mmio_map(phys, PAGE_SIZE);
		if (!base)
			return -1;
	}
	/* The legacy PICs stay silent: every interrupt Kiln takes is MSI or the LAPIC's own. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | IRQ_VEC_SPURIOUS);
	wr(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	return 0;
}

uint32_t lapic_id(void) { return x2 ? rd(LAPIC_ID) : rd(LAPIC_ID) >> 24; }
void lapic_eoi(void) { wr(LAPIC_EOI, 0); }
int lapic_x2apic(void) { return x2; }
uint64_t lapic_ticks(void) { return ticks; }
uint32_t lapic_timer_current(void) { return rd(LAPIC_TIMER_CUR); }
uint32_t lapic_timer_initial(void) { return rd(LAPIC_TIMER_INIT); }
uint64_t lapic_timer_counts_per_sec(void) { return counts_per_sec; }
unsigned lapic_timer_hz(void) { return timer_hz; }

static void on_tick(void *ctx, uint8_t vec)
{
	struct cpu *c = this_cpu();
	c->ticks++;
	if (c->index == 0)
		ticks++;
	if (tick_hook)
		tick_hook(); /* may not return: the runner aborts a case past its deadline */
}

int lapic_timer_start(unsigned hz, uint64_t tsc_hz, lapic_tick_fn tick)
{
	if (!tsc_hz)
		return -1;
	tick_hook = tick;
	int vec = irq_alloc(on_tick, 0);
	if (vec < 0)
		return -1;
	/* Count the LAPIC timer down over TSC-measured windows to learn its rate. Each
	 * window is bracketed by the reads themselves, and the median of several is taken,
	 * so a vCPU preempted mid-window (emulation, SMIs) does not skew the result. */
	wr(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	uint64_t rate[CALIBRATE_ROUNDS];
	uint64_t window = tsc_hz / 1000 * CALIBRATE_MS / CALIBRATE_ROUNDS;
	uint64_t ns_mult = (NS_PER_S << 32) / tsc_hz;
	for (unsigned i = 0; i < CALIBRATE_ROUNDS; i++) {
		wr(LAPIC_TIMER_INIT, 0xffffffffu);
		uint32_t c0 = rd(LAPIC_TIMER_CUR);
		uint64_t t0 = rdtsc(), t1;
		while ((t1 = rdtsc()) - t0 < window)
			cpu_relax();
		uint32_t c1 = rd(LAPIC_TIMER_CUR);
		uint64_t ns = (uint64_t)(((unsigned __int128)(t1 - t0) * ns_mult) >> 32); /* as kernel/time.c */
		rate[i] = ns ? (uint64_t)(c0 - c1) * NS_PER_S / ns : 0;
	}
	wr(LAPIC_TIMER_INIT, 0);
	uint64_t per_sec = u64_median(rate, CALIBRATE_ROUNDS);
	if (per_sec < hz)
		return -1;
	timer_hz = hz;
	counts_per_sec = per_sec;
	timer_vec = vec;
	wr(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | (uint32_t)vec);
	wr(LAPIC_TIMER_INIT, (uint32_t)(per_sec / hz));
	return 0;
}

/* ---- other CPUs -------------------------------------------------------------------- */

static int icr_send(uint32_t apic_id, uint32_t lo)
{
	if (x2) {
		wrmsr(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)apic_id << 32) | lo);
		return 0;
	}
	int on = irq_save(); /* the two halves must not be split by a handler's own IPI */
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, lo);
	int r = -1;
	for (int i = 0; i < ICR_POLLS; i++) {
		if (!(rd(LAPIC_ICR_LO) & ICR_PENDING)) {
			r = 0;
			break;
		}
		cpu_relax();
	}
	irq_restore(on);
	return r;
}

int lapic_send_init(uint32_t apic_id) { return icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT); }
int lapic_send_sipi(uint32_t apic_id, uint8_t page) { return icr_send(apic_id, ICR_STARTUP | page); }
int lapic_send_ipi(uint32_t apic_id, uint8_t vector) { return icr_send(apic_id, ICR_FIXED | vector); }

int lapic_ap_init(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	uint64_t want = msr | APIC_BASE_ENABLE | (x2 ? APIC_BASE_X2APIC : 0);
	if (want != msr) {
		if (x2 && !(msr & APIC_BASE_ENABLE))
			wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE); /* xAPIC before x2APIC (SDM §11.12.5) */
		wrmsr(MSR_APIC_BASE, want);
	}
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | IRQ_VEC_SPURIOUS);
	wr(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	if (!timer_vec || !timer_hz)
		return -1;
	wr(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	wr(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | (uint32_t)timer_vec);
	wr(LAPIC_TIMER_INIT, (uint32_t)(counts_per_sec / timer_hz));
	return 0;
}
