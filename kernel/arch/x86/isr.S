/* The 256 interrupt entry stubs and the common path into trap_entry (kernel/arch/x86/trap.c).
 * Each stub leaves the same frame: an error code (0 where the CPU pushes none), the
 * vector, then all general registers; the FPU/SSE state is saved around the C call so
 * interrupted code that uses XMM registers is not corrupted. */
	.text

/* Vectors where the CPU pushes an error code (Intel SDM vol. 3 §6.13). */
.macro stub vec
	.align 16
isr_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.set i, 0
.rept 256
	stub %i
	.set i, i+1
.endr

isr_common:
	cld
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rbx		/* frame pointer survives the call (callee-saved) */
	sub $512, %rsp
	and $-16, %rsp
	fxsave64 (%rsp)
	mov %rbx, %rdi
	call trap_entry
	fxrstor64 (%rsp)
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp		/* vector and error code */
	iretq

/* The stub addresses, for the IDT. */
.macro stubaddr vec
	.quad isr_\vec
.endm
	.section .data.rel.ro, "aw"
	.align 8
	.globl isr_table
isr_table:
.set i, 0
.rept 256
	stubaddr %i
	.set i, i+1
.endr

	.section .note.GNU-stack,"",@progbits
