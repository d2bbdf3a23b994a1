/* How a run ends. The codes are an API (docs/exit-codes.md): labs script against them. */
#ifndef KILN_EXIT_H
#define KILN_EXIT_H

#include "kernel/harness/config.h"

enum kiln_exit_code {
	KILN_EXIT_PASS = 0,      /* every selected case passed (or was skipped) */
	KILN_EXIT_FAIL = 1,      /* one or more cases failed */
	KILN_EXIT_CONFIG = 2,    /* configuration error: nothing was run */
	KILN_EXIT_CRASH = 3,     /* harness crash outside any case */
	KILN_EXIT_NO_DEVICE = 4, /* no device under test for the selected suites */
	KILN_EXIT_BUDGET = 5,    /* the run exceeded its budget (host runner / watchdog) */
};

const char *kiln_exit_name(int code);
/* Choose how to end: debug-port (QEMU isa-debug-exit at 0xf4), or UEFI ResetSystem. */
void exit_configure(enum cfg_exit mode, int running_in_qemu);
/* Print the final "# kiln: result ..." line (once) and end the run with `code`. */
_Noreturn void kiln_exit(int code);

#endif
