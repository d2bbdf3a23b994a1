/* Every PCI driver in kiln.efi. The core (kernel/pci/bind.c) matches them against the
 * enumerated functions. */
#include "kernel/pci/driver.h"

extern const struct pci_driver accel_driver;
extern const struct pci_driver virtio_net_driver;
extern const struct pci_driver e1000e_driver;

const struct pci_driver *const kiln_pci_drivers[] = {
	&accel_driver,
	&virtio_net_driver,
	&e1000e_driver,
};
const unsigned kiln_pci_driver_count = sizeof kiln_pci_drivers / sizeof kiln_pci_drivers[0];
