/* The local APIC of each CPU (xAPIC over MMIO, or x2APIC over MSRs when firmware left it
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

/* Other CPUs (Intel SDM vol. 3 §11.6): INIT, start-up (the real-mode page number) and a
 * fixed-vector IPI to the CPU with this APIC id. 0, or -1 when the xAPIC never took it. */
int lapic_send_init(uint32_t apic_id);
int lapic_send_sipi(uint32_t apic_id, uint8_t page);
int lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* On an AP: its local APIC in the boot CPU's mode, and the same periodic timer. */
int lapic_ap_init(void);

#endif
