/* Descriptor tables: Kiln's own GDT (flat 64-bit code and data), a TSS with IST stacks,
 * and the IDT pointing every vector at its stub in isr.S. Built once at start-up,
 * before boot-services memory (where the firmware's tables live) is reused. */
#include <stdint.h>

#include "kernel/lib/string.h"
#include "kernel/arch/x86/paging.h"
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

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[256];

static void set_gate(unsigned vec, uint64_t handler, uint8_t ist)
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

int cpu_tables_init(arch_page_alloc_fn alloc)
{
	for (int i = 0; i < 3; i++) {
		void *stack = alloc(IST_PAGES);
		if (!stack)
			return -1;
		tss.ist[i] = (uint64_t)(uintptr_t)stack + IST_PAGES * PAGE_SIZE;
	}
	tss.iomap_base = sizeof tss;
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
	gdt[0] = 0;
	gdt[1] = GDT_CODE64;
	gdt[2] = GDT_DATA;
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAIL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	struct table_ptr gp = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
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

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_table[v], 0);
	idt[VEC_DF].ist = IST_DF;
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_MC].ist = IST_MC;
	struct table_ptr ip = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ip) : "memory");
	return 0;
}
