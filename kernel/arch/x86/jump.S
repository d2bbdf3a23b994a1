/* kjmp_set / kjmp_go: see kernel/arch/x86/jump.h. */
	.text
	.globl kjmp_set
	.type kjmp_set, @function
kjmp_set:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax	/* the caller's stack pointer after return */
	mov %rax, 48(%rdi)
	mov (%rsp), %rax	/* return address */
	mov %rax, 56(%rdi)
	xor %eax, %eax
	ret
	.size kjmp_set, .-kjmp_set

	.globl kjmp_go
	.type kjmp_go, @function
kjmp_go:
	mov %esi, %eax
	test %eax, %eax
	jnz 1f
	inc %eax		/* like longjmp: 0 becomes 1 */
1:	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	jmp *56(%rdi)
	.size kjmp_go, .-kjmp_go

	.section .note.GNU-stack,"",@progbits
