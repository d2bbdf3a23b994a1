/* The crash record: what the harness does with a fault no test asked for. It prints the
 * record (vector, error, rip, cr2, registers, the running case) and fails the running
 * case, or ends the run with the "harness crash" code when no case is running. The CPU
 * layer (kernel/arch/x86/trap.c) captures the frame and calls the handler registered here. */
#ifndef KILN_CRASH_H
#define KILN_CRASH_H

#include <stdint.h>

/* Register the handler with the trap layer; image_base is for the record's rip offsets. */
void crash_init(uint64_t image_base);

#endif
