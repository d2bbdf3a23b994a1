/* Descriptor tables: Kiln's own GDT (flat 64-bit code and data), a TSS with IST stacks,
 * and the IDT pointing every vector at its stub in isr.S; one set per CPU (its own TSS
 * and IST stacks). The boot CPU's are built at start-up, before boot-services memory
 * (where the firmware's tables live) is reused. */
#include <stdint.h>

#include "kernel/lib/string.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/arch/x86/trap.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define GDT_CODE64 0x00af9a000000ffffull /* present, ring 0, code, L=1 */
#define GDT_DATA 0x00cf92000000ffffull   /* present, ring 0, data, writable */
#define TSS_TYPE_AVAIL 0x89ull
#define IDT_GATE_INTR 0x8e
#define IST_PAGES 4
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

struct __attribute__((packed)) tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
};

struct __attribute__((packed)) idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
};

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint64_t base;
};

struct cpu_tables {
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	struct idt_gate idt[256] __attribute__((aligned(16)));
};

static struct cpu_tables boot_tables;
extern const uint64_t isr_table[256];

static void set_gate(struct idt_gate *idt, unsigned vec, uint64_t handler, uint8_t ist)
{
	idt[vec] = (struct idt_gate){
		.off_lo = (uint16_t)handler,
		.sel = SEL_CODE,
		.ist = ist,
		.type = IDT_GATE_INTR,
		.off_mid = (uint16_t)(handler >> 16),
		.off_hi = (uint32_t)(handler >> 32),
	};
}

static int tables_build(struct cpu_tables *t, arch_page_alloc_fn alloc)
{
	for (int i = 0; i < 3; i++) {
		void *stack = alloc(IST_PAGES);
		if (!stack)
			return -1;
		t->tss.ist[i] = (uint64_t)(uintptr_t)stack + IST_PAGES * PAGE_SIZE;
	}
	t->tss.iomap_base = sizeof t->tss;
	uint64_t base = (uint64_t)(uintptr_t)&t->tss, limit = sizeof t->tss - 1;
	t->gdt[0] = 0;
	t->gdt[1] = GDT_CODE64;
	t->gdt[2] = GDT_DATA;
	t->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAIL << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	t->gdt[4] = base >> 32;
	for (unsigned v = 0; v < 256; v++)
		set_gate(t->idt, v, isr_table[v], 0);
	t->idt[VEC_DF].ist = IST_DF;
	t->idt[VEC_NMI].ist = IST_NMI;
	t->idt[VEC_MC].ist = IST_MC;
	return 0;
}

void cpu_tables_load(struct cpu *c)
{
	struct cpu_tables *t = c->tables;
	struct table_ptr gp = {sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %3, %%ax\n\t"
			 "ltr %%ax"
			 :
			 : "m"(gp), "i"(SEL_CODE), "i"(SEL_DATA), "i"(SEL_TSS)
			 : "rax", "memory");
	struct table_ptr ip = {sizeof t->idt - 1, (uint64_t)(uintptr_t)t->idt};
	__asm__ volatile("lidt %0" : : "m"(ip) : "memory");
	c->self = c;
	cpu_set_gs_base(c); /* after the selector loads, which clear it */
}

int cpu_tables_build(struct cpu *c, arch_page_alloc_fn alloc)
{
	uint64_t pages = (sizeof(struct cpu_tables) + PAGE_SIZE - 1) / PAGE_SIZE;
	struct cpu_tables *t = alloc(pages);
	if (!t || tables_build(t, alloc) < 0)
		return -1;
	c->tables = t;
	return 0;
}

int cpu_tables_init(struct cpu *boot, arch_page_alloc_fn alloc)
{
	if (tables_build(&boot_tables, alloc) < 0)
		return -1;
	boot->tables = &boot_tables;
	cpu_tables_load(boot);
	return 0;
}
