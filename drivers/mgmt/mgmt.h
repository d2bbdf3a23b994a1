/* Management NICs: the machine's own network interfaces (virtio-net, Intel e1000e), which
 * carry DHCP and the results upload while the accelerator's ports stay for validation
 * traffic. Each driver binds through kernel/pci, resets its function, reads the MAC and
 * runs its self-test at probe, and registers the NIC here; net.mgmt picks one (docs/net.md).
 * A NIC is a net_port (its first member), so lwIP runs over it like over any port.
 *
 * Every wait in a driver is bounded: a NIC whose link never comes up, or whose rings the
 * device stops consuming, gives an error value and a reason, never a hang. */
#ifndef KILN_MGMT_H
#define KILN_MGMT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/pci/pci.h"
#include "net/port.h"

#define MGMT_NIC_MAX 8
#define MGMT_LINK_WAIT_MS 3000u  /* how long net.mgmt waits for a NIC's link */
#define MGMT_TX_WAIT_MS 200u     /* a full TX ring must make room within this */
#define MGMT_WHY_MAX 160

enum mgmt_irq { MGMT_IRQ_POLL, MGMT_IRQ_MSIX };

/* What the driver itself counted since the NIC was opened. */
struct mgmt_counters {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t tx_busy;         /* frames refused: the device consumed no TX entry before the deadline */
	uint64_t rx_errors;       /* received buffers the device marked bad or too short */
	uint64_t link_changes;
	uint64_t irqs;            /* MSI-X interrupts taken */
};

struct mgmt_nic;
struct mgmt_nic_ops {
	/* Reset, program the rings, enable TX/RX. 0, or -1 with why. */
	int (*open)(struct mgmt_nic *m, char *why, unsigned len);
	/* Stop and reset: the device touches no memory afterwards. */
	void (*close)(struct mgmt_nic *m);
	/* Hardware statistics as "name=value ..." text (NULL: none). */
	void (*hw_counters)(struct mgmt_nic *m, char *buf, unsigned len);
};

struct mgmt_nic {
	struct net_port port;     /* first: lwIP and net/ see the NIC as this */
	const struct mgmt_nic_ops *ops;
	struct pci_dev *pci;
	char bdf[PCI_BDF_LEN];
	const char *model;        /* from the id table: "virtio-net", "82574L" */
	enum mgmt_irq irq;
	char irq_note[80];        /* why polling, when polling */
	bool open;
	struct mgmt_counters cnt;
	char selftest[MGMT_WHY_MAX]; /* what the probe's self-test checked */
	void *priv;
};

static inline struct mgmt_nic *mgmt_of(struct net_port *p) { return (struct mgmt_nic *)p; }

/* Drivers: add a NIC that passed its self-test (names it "mgmtN"). 0, or -1 when full. */
int mgmt_register(struct mgmt_nic *m);
unsigned mgmt_count(void);
struct mgmt_nic *mgmt_get(unsigned i);
/* Poll the link until up or the deadline: true when up. */
bool mgmt_link_wait(struct mgmt_nic *m, uint32_t timeout_ms);
/* One identity line per NIC ("# kiln: identity mgmt0 ..."). */
void mgmt_identity_print(void);

#endif
