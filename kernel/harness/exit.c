#include "kernel/harness/exit.h"

#include "kernel/console.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/efirt.h"
#include "kernel/arch/x86/io.h"
#include "kernel/harness/report.h"

/* QEMU's isa-debug-exit device as the runner configures it: writing c ends QEMU with
 * status (c << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

static enum cfg_exit mode = CFG_EXIT_AUTO;
static int in_qemu;

const char *kiln_exit_name(int code)
{
	switch (code) {
	case KILN_EXIT_PASS: return "pass";
	case KILN_EXIT_FAIL: return "case failed";
	case KILN_EXIT_CONFIG: return "config error";
	case KILN_EXIT_CRASH: return "harness crash";
	case KILN_EXIT_NO_DEVICE: return "no device under test";
	case KILN_EXIT_BUDGET: return "run budget exceeded";
	}
	return "unknown";
}

void exit_configure(enum cfg_exit m, int running_in_qemu)
{
	mode = m;
	in_qemu = running_in_qemu;
}

_Noreturn void kiln_exit(int code)
{
	irq_disable();
	if (!console_at_line_start())
		console_puts("\n");
	report_run_end(code);
	enum cfg_exit m = mode;
	if (m == CFG_EXIT_AUTO)
		m = in_qemu ? CFG_EXIT_DEBUG_PORT : CFG_EXIT_SHUTDOWN;
	switch (m) {
	case CFG_EXIT_DEBUG_PORT:
		outb(DEBUG_EXIT_PORT, (uint8_t)code);
		/* Still here: no debug-exit device. Fall back to a firmware shutdown. */
		kprintf("# kiln: no isa-debug-exit device at 0x%x; shutting down\n", DEBUG_EXIT_PORT);
		efirt_reset(EFIRT_SHUTDOWN, code);
		break;
	case CFG_EXIT_SHUTDOWN: efirt_reset(EFIRT_SHUTDOWN, code); break;
	case CFG_EXIT_REBOOT: efirt_reset(EFIRT_REBOOT, code); break;
	case CFG_EXIT_HALT:
	case CFG_EXIT_AUTO: break;
	}
	kprintf("# kiln: halted; power-cycle the machine to continue\n");
	for (;;)
		cpu_halt();
}
