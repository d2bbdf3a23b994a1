/* Internal: the trap path hands interrupt vectors to the dispatcher in kernel/arch/x86/irq.c. */
#ifndef KILN_IRQ_DISPATCH_H
#define KILN_IRQ_DISPATCH_H

void irq_dispatch(unsigned vector);

#endif
