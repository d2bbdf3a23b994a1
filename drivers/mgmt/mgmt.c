/* The list of management NICs the drivers bound (drivers/mgmt/mgmt.h). */
#include "drivers/mgmt/mgmt.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pci/msi.h"
#include "kernel/time.h"

static struct mgmt_nic *nics[MGMT_NIC_MAX];
static unsigned nnics;

int mgmt_register(struct mgmt_nic *m)
{
	if (nnics == MGMT_NIC_MAX)
		return -1;
	ksnprintf(m->port.name, sizeof m->port.name, "mgmt%u", nnics);
	nics[nnics++] = m;
	return 0;
}

unsigned mgmt_count(void) { return nnics; }
struct mgmt_nic *mgmt_get(unsigned i) { return i < nnics ? nics[i] : 0; }

bool mgmt_link_wait(struct mgmt_nic *m, uint32_t timeout_ms)
{
	struct deadline d = deadline_in_ms(timeout_ms);
	while (!m->port.ops->link_up(&m->port)) {
		if (deadline_passed(d))
			return false;
		cpu_relax();
	}
	return true;
}

void mgmt_identity_print(void)
{
	for (unsigned i = 0; i < nnics; i++) {
		const struct mgmt_nic *m = nics[i];
		const uint8_t *a = m->port.mac;
		unsigned msix = pci_msix_table_size(m->pci);
		kprintf("# kiln: identity %s bdf=%s ids=%04x:%04x model=\"%s\" mac=%02x:%02x:%02x:%02x:%02x:%02x msix=%u "
			"selftest=\"%s\"\n",
			m->port.name, m->bdf, m->pci->vendor, m->pci->device, m->model, a[0], a[1], a[2], a[3], a[4], a[5], msix,
			m->selftest);
	}
}
