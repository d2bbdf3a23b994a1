/* The boot CPU's local APIC (xAPIC over MMIO, or x2APIC over MSRs when firmware left it
 * enabled): EOI, id, and the periodic timer that drives deadlines and the heartbeat. */
#ifndef KILN_LAPIC_H
#define KILN_LAPIC_H

#include <stdint.h>

int lapic_init(uint64_t madt_base);
uint32_t lapic_id(void);
void lapic_eoi(void);
int lapic_x2apic(void);
/* Start the periodic timer at `hz`, calibrated against the TSC running at tsc_hz (from
 * kernel/time.c); every tick calls `tick` (registered by the harness: heartbeat and case
 * deadlines; it may not return). Returns 0 or -1. */
typedef void (*lapic_tick_fn)(void);
int lapic_timer_start(unsigned hz, uint64_t tsc_hz, lapic_tick_fn tick);
uint64_t lapic_ticks(void);
unsigned lapic_timer_hz(void);
/* The timer's count registers and the rate calibrated at start (counts per second,
 * after the divider), for checking the calibration. */
uint32_t lapic_timer_current(void);
uint32_t lapic_timer_initial(void);
uint64_t lapic_timer_counts_per_sec(void);

#endif
