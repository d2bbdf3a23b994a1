#include "kernel/console.h"

#include <stdarg.h>

#include "kernel/console_log.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/arch/x86/io.h"

/* 16550 register indices and bits (PC16550D datasheet). */
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THRE 0x20
#define UART_CLOCK 1843200u
/* A wedged UART must not hang the harness: give up on a character after this many polls. */
#define UART_TX_POLLS 100000

static struct console_port port = {CONSOLE_IO, CONSOLE_COM1, 115200};
static volatile int at_line_start = 1;
static volatile int busy;            /* a console_write is under way */
static char pending[256];            /* a line from interrupt context, waiting for a line end */
static volatile size_t pending_len;
/* Several CPUs (after console_smp_on): each CPU gathers its line in its own buffer and
 * writes it whole, under one lock, when the line ends; two CPUs' lines never mix and no
 * CPU waits on another's unfinished line. A line longer than the buffer goes out in
 * buffer-sized parts. */
#define LINE_BUF 400
struct line {
	char b[LINE_BUF];
	size_t n;
};
static int multi;
static struct spinlock lock = SPINLOCK_INIT;
static volatile int lock_owner = -1; /* the CPU holding `lock`: an NMI or a fault on that CPU
					 while it writes must not wait for itself */
static struct line lines[SMP_MAX_CPUS];

/* Take the console lock; false when this CPU already holds it (re-entered from an NMI or an
 * exception in the middle of a write): the caller writes without it rather than hang. */
static bool console_lock(void)
{
	int me = (int)this_cpu()->index;
	if (lock_owner == me)
		return false;
	spin_lock(&lock);
	lock_owner = me;
	return true;
}

static void console_unlock(bool held)
{
	if (!held)
		return;
	lock_owner = -1;
	spin_unlock(&lock);
}

static void reg_write(unsigned r, uint8_t v)
{
	switch (port.space) {
	case CONSOLE_IO: outb((uint16_t)(port.base + r), v); break;
	case CONSOLE_MMIO32: mmio_write32(port.base + 4 * r, v); break;
	case CONSOLE_MMIO8: mmio_write8(port.base + r, v); break;
	}
}

static uint8_t reg_read(unsigned r)
{
	switch (port.space) {
	case CONSOLE_IO: return inb((uint16_t)(port.base + r));
	case CONSOLE_MMIO32: return (uint8_t)mmio_read32(port.base + 4 * r);
	case CONSOLE_MMIO8: return mmio_read8(port.base + r);
	}
	return 0;
}

void console_init(const struct console_port *p)
{
	port = *p;
	reg_write(UART_IER, 0);
	if (port.baud) {
		uint32_t div = UART_CLOCK / (16 * port.baud);
		reg_write(UART_LCR, UART_LCR_DLAB);
		reg_write(UART_DLL, (uint8_t)div);
		reg_write(UART_DLM, (uint8_t)(div >> 8));
	}
	reg_write(UART_LCR, UART_LCR_8N1);
	reg_write(UART_FCR, UART_FCR_ENABLE_CLEAR);
	reg_write(UART_MCR, UART_MCR_DTR_RTS);
}

static void put_char(char c)
{
	for (int i = 0; i < UART_TX_POLLS && !(reg_read(UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	reg_write(UART_THR, (uint8_t)c);
}

static void raw_write(const char *s, size_t n)
{
	console_log_append(s, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_char('\r');
		put_char(s[i]);
		at_line_start = s[i] == '\n';
	}
}

static void flush_pending(void)
{
	if (!pending_len || !at_line_start)
		return;
	size_t n = pending_len;
	raw_write(pending, n);
	pending_len = 0;
}

void console_smp_on(void) { multi = 1; }

static void emit_line(struct line *l)
{
	bool held = console_lock();
	busy++;
	raw_write(l->b, l->n);
	flush_pending();
	busy--;
	console_unlock(held);
	l->n = 0;
}

static void write_lines(const char *s, size_t n)
{
	int on = irq_save(); /* this CPU's buffer is also written from its interrupt handlers */
	struct line *l = &lines[this_cpu()->index];
	for (size_t i = 0; i < n; i++) {
		l->b[l->n++] = s[i];
		if (s[i] == '\n' || l->n == sizeof l->b)
			emit_line(l);
	}
	irq_restore(on);
}

void console_write(const char *s, size_t n)
{
	if (multi) {
		write_lines(s, n);
		return;
	}
	busy++;
	raw_write(s, n);
	flush_pending();
	busy--;
}

void console_write_async(const char *s, size_t n)
{
	int on = irq_save();
	bool held = multi && console_lock(); /* never held with interrupts on: no deadlock with this CPU */
	if (!busy && at_line_start) {
		busy++;
		raw_write(s, n);
		busy--;
		console_unlock(held);
		irq_restore(on);
		return;
	}
	/* Mid-line: keep the newest such line until the current one ends. */
	if (n > sizeof pending)
		n = sizeof pending;
	pending_len = 0;
	for (size_t i = 0; i < n; i++)
		pending[i] = s[i];
	pending_len = n;
	console_unlock(held);
	irq_restore(on);
}

void console_puts(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	console_write(s, n);
}

int console_at_line_start(void) { return multi ? lines[this_cpu()->index].n == 0 : at_line_start; }

int kprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
	return n;
}
