#include "kernel/pci/pci.h"
#include "kernel/pci/driver.h"

static const struct pci_id *match(const struct pci_driver *drv, const struct pci_dev *d)
{
	for (const struct pci_id *id = drv->ids; id->vendor; id++)
		if (id->vendor == d->vendor && (id->device == PCI_ANY_ID || id->device == d->device))
			return id;
	return 0;
}

unsigned pci_bind_drivers(void)
{
	unsigned bound = 0;
	for (unsigned i = 0; i < pci_device_count(); i++) {
		struct pci_dev *d = pci_device(i);
		for (unsigned k = 0; k < kiln_pci_driver_count; k++) {
			const struct pci_id *id = match(kiln_pci_drivers[k], d);
			if (id && kiln_pci_drivers[k]->probe(d, id) == 0) {
				bound++;
				break;
			}
		}
	}
	return bound;
}
