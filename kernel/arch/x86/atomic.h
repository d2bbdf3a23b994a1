/* Atomics and spin locks: the one place Kiln's CPUs synchronise (C11 __atomic builtins,
 * which clang lowers to lock-prefixed instructions; no libc needed). */
#ifndef KILN_ATOMIC_H
#define KILN_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/x86/cpu.h"

#define atomic_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define atomic_add(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)  /* returns the new value */
#define atomic_sub(p, v) __atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_cas(p, expected_ptr, v)                                                                  \
	__atomic_compare_exchange_n((p), (expected_ptr), (v), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define atomic_fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* A ticket lock: CPUs get it in the order they asked. Taken with interrupts masked
 * (spin_lock_irqsave) wherever an interrupt handler on the same CPU may want it too. */
struct spinlock {
	volatile uint32_t next, owner;
};
#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}
static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t o = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint32_t n = o;
	return __atomic_compare_exchange_n(&l->next, &n, o + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}
static inline int spin_lock_irqsave(struct spinlock *l)
{
	int on = irq_save();
	spin_lock(l);
	return on;
}
static inline void spin_unlock_irqrestore(struct spinlock *l, int on)
{
	spin_unlock(l);
	irq_restore(on);
}

#endif
