/* A non-local jump for the runner: how a timed-out or faulting case hands control back.
 * Saves callee-saved registers, stack pointer and return address (System V x86-64). */
#ifndef KILN_JUMP_H
#define KILN_JUMP_H

#include <stdint.h>

struct kjmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int kjmp_set(struct kjmp *j) __attribute__((returns_twice));
_Noreturn void kjmp_go(struct kjmp *j, int val);

#endif
