/* Exceptions and interrupts: the IDT, the register frame every stub saves, the hook the
 * harness registers for the crash record, and a way for a test to catch a fault it provokes. */
#ifndef KILN_TRAP_H
#define KILN_TRAP_H

#include <stdint.h>

#include "kernel/arch/x86/jump.h"
#include "kernel/arch/x86/paging.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18

/* GDT with a TSS whose IST stacks take #DF, NMI and #MC (so a stack overflow is still
 * reported), and an IDT whose 256 stubs all enter trap_entry. */
int cpu_tables_init(arch_page_alloc_fn alloc);
const char *trap_name(unsigned vector);

/* Catching an expected fault: TRAP_CATCH returns 0 when armed, and 1 when the fault
 * happened (then c->vector, c->error, c->rip and c->cr2 describe it). Disarm with
 * trap_catch_end on the path where no fault came. */
struct trap_catch {
	struct kjmp jmp;
	uint64_t vector, error, rip, cr2;
};
void trap_catch_arm(struct trap_catch *c);
void trap_catch_end(void);
#define TRAP_CATCH(c) (trap_catch_arm(c), kjmp_set(&(c)->jmp))

/* What happens to a fault no test asked for is the harness's policy: it registers a
 * handler that gets the saved frame and CR2 and does not return. */
typedef void (*trap_fault_fn)(const struct trap_frame *f, uint64_t cr2);
void trap_set_fault_handler(trap_fault_fn fn);

#endif
