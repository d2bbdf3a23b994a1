/* The application processors' way in (Intel SDM vol. 3 §9.4.4, §10.4.4): a SIPI starts an
 * AP in real mode at vector << 12. kernel/arch/x86/smp.c copies this blob to a page below
 * 1 MiB, fills the data at its end, and sends INIT-SIPI-SIPI. The AP enters protected mode
 * with the blob's own GDT, turns on PAE and long mode with a copy of the kernel's top-level
 * page table that lies below 4 GiB (CR3 is 32 bits wide until long mode), then loads the
 * kernel's real CR3, its stack and per-CPU argument and jumps to the C entry.
 * Everything is addressed relative to the blob's start, so it runs wherever it is copied;
 * %ebx holds that linear base from the first instructions on. */
	.text
	.code16
	.balign 16
	.globl smp_trampoline, smp_trampoline_end
	.globl smp_tr_gdtr_base, smp_tr_pm_off, smp_tr_cr3_low, smp_tr_cr3, smp_tr_stack, smp_tr_arg, smp_tr_entry
smp_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx
	/* lgdtl ds:(smp_tr_gdtr - smp_trampoline) */
	.byte 0x66, 0x0f, 0x01, 0x16
	.word smp_tr_gdtr - smp_trampoline
	movl %cr0, %eax
	orl $0x1, %eax                  /* PE */
	movl %eax, %cr0
	/* ljmpl *ds:(smp_tr_pm_off - smp_trampoline): selector 0x08, 32-bit code */
	.byte 0x66, 0xff, 0x2e
	.word smp_tr_pm_off - smp_trampoline

	.code32
tr_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x620, %eax                /* PAE | OSFXSR | OSXMMEXCPT */
	movl %eax, %cr4
	movl (smp_tr_cr3_low - smp_trampoline)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* IA32_EFER */
	rdmsr
	orl $0x100, %eax                /* LME */
	wrmsr
	movl %cr0, %eax
	andl $~0x4, %eax                /* no EM: SSE is used by compiled C */
	orl $0x80010022, %eax           /* PG | WP | NE | MP */
	movl %eax, %cr0
	leal (tr_lm64 - smp_trampoline)(%ebx), %eax
	movl %eax, (tr_lm_ptr - smp_trampoline)(%ebx)
	ljmpl *(tr_lm_ptr - smp_trampoline)(%ebx)

	.code64
tr_lm64:
	movl %ebx, %ebx                 /* upper half undefined after the mode switch */
	movq (smp_tr_cr3 - smp_trampoline)(%rbx), %rax
	movq %rax, %cr3
	movq (smp_tr_stack - smp_trampoline)(%rbx), %rsp
	movq (smp_tr_arg - smp_trampoline)(%rbx), %rdi
	movq (smp_tr_entry - smp_trampoline)(%rbx), %rax
	xorl %ebp, %ebp
	fninit
	pushq $0                        /* no return: keeps the ABI's stack alignment */
	jmpq *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
smp_tr_gdtr:
	.word 4 * 8 - 1                  /* four descriptors */
smp_tr_gdtr_base:
	.long 0                         /* filled: base + (tr_gdt - smp_trampoline) */
smp_tr_pm_off:
	.long 0                         /* filled: base + (tr_pm32 - smp_trampoline) */
	.word 0x08
tr_lm_ptr:
	.long 0
	.word 0x18
	.balign 8
smp_tr_cr3_low: .quad 0                 /* a copy of the top-level table below 4 GiB */
smp_tr_cr3:     .quad 0                 /* the kernel's own */
smp_tr_stack:   .quad 0
smp_tr_arg:     .quad 0
smp_tr_entry:   .quad 0
smp_tr_gdt_off: .quad tr_gdt - smp_trampoline
smp_tr_pm32_off: .quad tr_pm32 - smp_trampoline
	.globl smp_tr_gdt_off, smp_tr_pm32_off
smp_trampoline_end:

	.section .note.GNU-stack,"",@progbits
