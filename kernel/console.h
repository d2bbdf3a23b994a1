/* The serial console: a 16550-compatible UART at an I/O port or MMIO address (from ACPI
 * SPCR, else COM1 at 0x3F8), 115200 8N1. Everything Kiln says goes through here. */
#ifndef KILN_CONSOLE_H
#define KILN_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

enum console_space { CONSOLE_IO, CONSOLE_MMIO32, CONSOLE_MMIO8 };

struct console_port {
	enum console_space space;
	uint64_t base;    /* I/O port or physical address */
	uint32_t baud;    /* 0: leave the firmware's divisor alone */
};

#define CONSOLE_COM1 0x3f8

void console_init(const struct console_port *port);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
/* From interrupt context: a whole line, written now if the console is between lines,
 * otherwise as soon as the line being written ends (never inside it). */
void console_write_async(const char *s, size_t n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Before the APs start: from here on each CPU's lines are gathered per CPU and written
 * whole, so lines from different CPUs never mix. */
void console_smp_on(void);
/* 1 when the last character this CPU wrote ended a line. */
int console_at_line_start(void);

#endif
