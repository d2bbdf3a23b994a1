/* platform-exceptions: deliberate faults are caught with the right vector, address and
 * error code, and Kiln goes on; the stack guard page really is unmapped. */
#include "boot/boot_info.h"
#include "kernel/harness/ktest.h"
#include "kernel/arch/x86/paging.h"
#include "kernel/arch/x86/trap.h"

extern struct boot_info *kiln_boot_info;

#define PF_ERR_PRESENT 1u
#define PF_ERR_WRITE 2u

extern const char kiln_ud2_site[], kiln_pf_site[], kiln_de_site[];

/* The faulting instructions carry labels so the test knows the exact rip to expect. */
static __attribute__((noinline)) void do_ud2(void) { __asm__ volatile(".globl kiln_ud2_site\nkiln_ud2_site: ud2"); }
static __attribute__((noinline)) void do_read(uint64_t addr)
{
	uint64_t v;
	__asm__ volatile(".globl kiln_pf_site\nkiln_pf_site: mov (%1), %0" : "=r"(v) : "r"(addr) : "memory");
}
static __attribute__((noinline)) void do_div0(void)
{
	__asm__ volatile("xor %%ecx, %%ecx\n\tmov $1, %%eax\n\txor %%edx, %%edx\n\t"
			 ".globl kiln_de_site\nkiln_de_site: div %%ecx" ::: "eax", "ecx", "edx");
}

static void expect(struct kt *t, const char *what, const struct trap_catch *c, uint64_t vec, const void *site)
{
	if (c->vector != vec)
		kt_fail(t, "%s: caught vector %llu (%s), expected %llu (%s)", what, (unsigned long long)c->vector,
			trap_name((unsigned)c->vector), (unsigned long long)vec, trap_name((unsigned)vec));
	if (c->rip != (uint64_t)(uintptr_t)site)
		kt_fail(t, "%s: rip 0x%llx, expected the faulting instruction at 0x%llx", what, (unsigned long long)c->rip,
			(unsigned long long)(uintptr_t)site);
}

void platform_exceptions(struct kt *t)
{
	struct trap_catch c;

	if (TRAP_CATCH(&c) == 0) {
		do_ud2();
		trap_catch_end();
		kt_fail(t, "ud2 did not raise #UD");
	} else {
		expect(t, "ud2", &c, VEC_UD, kiln_ud2_site);
		kt_diag(t, "#UD caught at rip 0x%llx", (unsigned long long)c.rip);
	}

	if (TRAP_CATCH(&c) == 0) {
		do_read(8); /* page 0 is unmapped so null-pointer bugs fault */
		trap_catch_end();
		kt_fail(t, "a read of address 0x8 did not fault: page 0 is mapped");
	} else {
		expect(t, "null read", &c, VEC_PF, kiln_pf_site);
		if (c.cr2 != 8)
			kt_fail(t, "null read: cr2 0x%llx, expected 0x8", (unsigned long long)c.cr2);
		if (c.error & (PF_ERR_PRESENT | PF_ERR_WRITE))
			kt_fail(t, "null read: #PF error 0x%llx, expected a not-present read", (unsigned long long)c.error);
		kt_diag(t, "#PF caught at rip 0x%llx cr2 0x%llx error 0x%llx", (unsigned long long)c.rip,
			(unsigned long long)c.cr2, (unsigned long long)c.error);
	}

	uint64_t guard = kiln_boot_info->stack_base - PAGE_SIZE;
	if (TRAP_CATCH(&c) == 0) {
		do_read(guard);
		trap_catch_end();
		kt_fail(t, "the stack guard page at 0x%llx is readable: an overflow would go unnoticed",
			(unsigned long long)guard);
	} else {
		expect(t, "guard page read", &c, VEC_PF, kiln_pf_site);
		if (c.cr2 != guard)
			kt_fail(t, "guard page read: cr2 0x%llx, expected 0x%llx", (unsigned long long)c.cr2,
				(unsigned long long)guard);
	}

	if (TRAP_CATCH(&c) == 0) {
		do_div0();
		trap_catch_end();
		kt_fail(t, "division by zero did not raise #DE");
	} else {
		expect(t, "div by 0", &c, VEC_DE, kiln_de_site);
	}
}
