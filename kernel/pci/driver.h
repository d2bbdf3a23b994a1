/* PCI drivers: an id table plus probe. The core binds drivers to functions; drivers
 * never go looking for devices themselves (drivers/drivers.c lists every driver). */
#ifndef KILN_PCI_DRIVER_H
#define KILN_PCI_DRIVER_H

#include <stdint.h>

struct pci_dev;

#define PCI_ANY_ID 0xffffu

struct pci_id {
	uint16_t vendor, device;
	const char *name;
	uintptr_t driver_data;
};

struct pci_driver {
	const char *name;
	const struct pci_id *ids;   /* terminated by an entry with vendor 0 */
	/* 0 when bound; otherwise an error code (the driver has printed why). */
	int (*probe)(struct pci_dev *d, const struct pci_id *id);
};

extern const struct pci_driver *const kiln_pci_drivers[];
extern const unsigned kiln_pci_driver_count;

/* Probe every driver against every enumerated function; returns the number bound. */
unsigned pci_bind_drivers(void);

#endif
