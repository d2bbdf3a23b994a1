/* Interrupt vectors and their handlers. Vectors 0..31 are exceptions (kernel/arch/x86/trap.c);
 * IRQ_VEC_FIRST..IRQ_VEC_LAST are handed out to MSI/MSI-X and the LAPIC timer. */
#ifndef KILN_IRQ_H
#define KILN_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_VEC_FIRST 0x30
#define IRQ_VEC_LAST 0xef
#define IRQ_VEC_SPURIOUS 0xff

typedef void (*irq_handler_fn)(void *ctx, uint8_t vector);

/* Allocate a free vector and attach a handler; returns the vector or -1 when none is left. */
int irq_alloc(irq_handler_fn fn, void *ctx);
void irq_free(int vector);
/* Number of times a vector fired since boot (for tests and diagnostics). */
uint64_t irq_count(int vector);

/* The MSI address/data that deliver `vector` to the boot CPU (Intel SDM vol. 3 §11.11). */
uint64_t irq_msi_address(void);
uint32_t irq_msi_data(int vector);
/* The boot CPU's APIC id: where device interrupts go unless steered elsewhere. */
uint32_t irq_boot_apic_id(void);
/* Without interrupt remapping an MSI names its CPU in the 8-bit destination ID field of
 * the address (SDM vol. 3 §11.11.1, physical destination mode), so only APIC ids up to
 * 255 can be reached; larger x2APIC ids would need remapping (or the hypervisor's
 * extended destination ID, which QEMU 7.2's APIC does not read). */
#define IRQ_MSI_DEST_MAX 0xffu
bool irq_msi_reachable(uint32_t apic_id);
/* The MSI address that delivers to the CPU with this APIC id (fixed, physical mode);
 * 0 when irq_msi_reachable() says no. */
uint64_t irq_msi_address_to(uint32_t apic_id);
/* The APIC id an MSI address delivers to. */
uint32_t irq_msi_address_dest(uint64_t address);

#endif
