/* virtio-net as a management NIC (VIRTIO 1.2 §5.1): one receive and one transmit queue,
 * no offloads, MAC and link status from the device configuration. MSI-X (one CPU vector
 * for configuration changes and both queues) when the function has it and the device
 * accepts the entries; polling otherwise. Every wait is bounded. */
#include "drivers/mgmt/mgmt.h"
#include "drivers/virtio_net/virtio_pci.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pci/driver.h"
#include "kernel/pci/msi.h"
#include "kernel/pmm.h"
#include "kernel/time.h"

#define VNET_BUF 2048u            /* per descriptor: header + the largest frame at MTU 1500 */
#define VNET_MTU 1500u
#define VNET_MSIX_CONFIG 0u       /* MSI-X table entries */
#define VNET_MSIX_RX 1u
#define VNET_MSIX_TX 2u
#define VNET_MAX 4

struct vnet {
	struct mgmt_nic m;        /* first */
	struct virtio_pci v;
	struct virtq rx, tx;
	struct pci_dma rxbufs, txbufs;
	int vector;               /* CPU vector, or -1 */
	bool link;
};

static struct vnet vnets[VNET_MAX];
static unsigned nvnets;

static struct vnet *of(struct net_port *p) { return (struct vnet *)p; }

static void on_irq(void *ctx, uint8_t vec)
{
	(void)vec;
	struct vnet *n = ctx;
	n->m.cnt.irqs++;
}

static bool vnet_link(struct net_port *p)
{
	struct vnet *n = of(p);
	bool up = true; /* without VIRTIO_NET_F_STATUS the link is always up (§5.1.4) */
	if (n->v.features & (1ull << VIRTIO_NET_F_STATUS))
		up = virtio_dev_read16(&n->v, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
	if (up != n->link) {
		n->link = up;
		n->m.cnt.link_changes++;
	}
	return up && n->m.open;
}

/* Take back TX descriptors the device has finished with. */
static void tx_reclaim(struct vnet *n) { n->tx.used_seen = virtq_used_idx(&n->tx); }

static int vnet_tx(struct net_port *p, const void *frame, size_t len, unsigned flags)
{
	struct vnet *n = of(p);
	if (!n->m.open)
		return NET_EIO;
	if (len < NET_ETH_HDR || len > net_port_max_frame(p) || len + VIRTIO_NET_HDR_LEN > VNET_BUF)
		return NET_ELEN;
	tx_reclaim(n);
	if (virtq_in_flight(&n->tx) == n->tx.size) {
		virtq_kick(&n->tx);
		struct deadline d = deadline_in_ms(MGMT_TX_WAIT_MS);
		while (tx_reclaim(n), virtq_in_flight(&n->tx) == n->tx.size) {
			if (virtio_status(&n->v) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
				return NET_EIO;
			if (deadline_passed(d)) {
				n->m.cnt.tx_busy++;
				return NET_EBUSY;
			}
			cpu_relax();
		}
	}
	uint16_t slot = n->tx.avail_idx & (n->tx.size - 1);
	uint8_t *buf = (uint8_t *)n->txbufs.host + (size_t)slot * VNET_BUF;
	memset(buf, 0, VIRTIO_NET_HDR_LEN);
	memcpy(buf + VIRTIO_NET_HDR_LEN, frame, len);
	volatile struct virtq_desc *dsc = &n->tx.desc[slot];
	dsc->addr = n->txbufs.dev + (uint64_t)slot * VNET_BUF;
	dsc->len = (uint32_t)(VIRTIO_NET_HDR_LEN + len);
	dsc->flags = 0;
	dsc->next = 0;
	virtq_post(&n->tx, slot);
	n->m.cnt.tx_frames++;
	n->m.cnt.tx_bytes += len;
	if (!(flags & NET_TX_MORE))
		virtq_kick(&n->tx);
	return NET_OK;
}

static void vnet_flush(struct net_port *p) { virtq_kick(&of(p)->tx); }

static unsigned vnet_rx_poll(struct net_port *p, unsigned budget, net_rx_fn fn, void *ctx)
{
	struct vnet *n = of(p);
	if (!n->m.open)
		return 0;
	uint16_t used = virtq_used_idx(&n->rx);
	unsigned got = 0;
	while (got < budget && n->rx.used_seen != used) {
		volatile struct virtq_used_elem *e = &n->rx.used_ring[n->rx.used_seen & (n->rx.size - 1)];
		uint32_t id = e->id, len = e->len;
		n->rx.used_seen++;
		got++;
		if (id >= n->rx.size) {
			n->m.cnt.rx_errors++; /* a descriptor we never posted: cannot give it back */
			continue;
		}
		if (len < VIRTIO_NET_HDR_LEN + NET_ETH_HDR || len > VNET_BUF) {
			n->m.cnt.rx_errors++;
		} else {
			const uint8_t *buf = (const uint8_t *)n->rxbufs.host + (size_t)id * VNET_BUF;
			n->m.cnt.rx_frames++;
			n->m.cnt.rx_bytes += len - VIRTIO_NET_HDR_LEN;
			fn(ctx, buf + VIRTIO_NET_HDR_LEN, len - VIRTIO_NET_HDR_LEN);
		}
		virtq_post(&n->rx, (uint16_t)id); /* the buffer goes back once the frame was handed up */
	}
	if (got)
		virtq_kick(&n->rx);
	return got;
}

static int vnet_rx_irq_pending(struct net_port *p)
{
	struct vnet *n = of(p);
	if (n->m.irq != MGMT_IRQ_MSIX || !n->m.open)
		return -1;
	return (uint16_t)(virtq_used_idx(&n->rx) - n->rx.used_seen);
}

static const struct net_port_ops vnet_port_ops = {
	.tx = vnet_tx,
	.flush = vnet_flush,
	.rx_poll = vnet_rx_poll,
	.link_up = vnet_link,
	.rx_irq_pending = vnet_rx_irq_pending,
};

static void irq_off(struct vnet *n)
{
	if (n->vector >= 0) {
		pci_msix_disable(n->m.pci);
		irq_free(n->vector);
		n->vector = -1;
	}
	n->m.irq = MGMT_IRQ_POLL;
}

/* MSI-X: entries for configuration changes, RX and TX, all on one CPU vector. Returns
 * the entries to give the queues (VIRTIO_MSI_NO_VECTOR when polling, with irq_note). */
static void irq_on(struct vnet *n, uint16_t *rx_entry, uint16_t *tx_entry)
{
	*rx_entry = *tx_entry = VIRTIO_MSI_NO_VECTOR;
	unsigned table = pci_msix_table_size(n->m.pci);
	if (!table) {
		ksnprintf(n->m.irq_note, sizeof n->m.irq_note, "(polling: the function has no MSI-X capability)");
		return;
	}
	int r = pci_msix_enable(n->m.pci);
	if (r) {
		ksnprintf(n->m.irq_note, sizeof n->m.irq_note, "(polling: MSI-X cannot be enabled: %s)", pci_strerror(r));
		return;
	}
	n->vector = irq_alloc(on_irq, n);
	if (n->vector < 0) {
		pci_msix_disable(n->m.pci);
		ksnprintf(n->m.irq_note, sizeof n->m.irq_note, "(polling: no free CPU vector)");
		return;
	}
	for (unsigned e = 0; e < table && e <= VNET_MSIX_TX; e++) {
		pci_msix_set_vector(n->m.pci, e, n->vector);
		pci_msix_mask(n->m.pci, e, false);
	}
	if (virtio_config_msix(&n->v, VNET_MSIX_CONFIG) != VNET_MSIX_CONFIG) {
		irq_off(n);
		ksnprintf(n->m.irq_note, sizeof n->m.irq_note, "(polling: the device refused MSI-X entry %u)",
			  VNET_MSIX_CONFIG);
		return;
	}
	*rx_entry = (uint16_t)(table > VNET_MSIX_RX ? VNET_MSIX_RX : VNET_MSIX_CONFIG);
	*tx_entry = (uint16_t)(table > VNET_MSIX_TX ? VNET_MSIX_TX : VNET_MSIX_CONFIG);
	n->m.irq = MGMT_IRQ_MSIX;
	n->m.irq_note[0] = 0;
}

static void vnet_close(struct mgmt_nic *m)
{
	struct vnet *n = (struct vnet *)m;
	char why[MGMT_WHY_MAX];
	if (!m->open && n->vector < 0)
		return;
	m->open = false;
	if (virtio_reset(&n->v, why, sizeof why))
		kprintf("# kiln: %s (%s): %s\n", m->port.name, m->bdf, why);
	irq_off(n);
}

static int setup(struct vnet *n, char *why, unsigned len)
{
	if (virtio_reset(&n->v, why, len))
		return -1;
	uint64_t want = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
	if (virtio_negotiate(&n->v, want, 1ull << VIRTIO_F_VERSION_1, why, len))
		return -1;
	return 0;
}

static int vnet_open(struct mgmt_nic *m, char *why, unsigned len)
{
	struct vnet *n = (struct vnet *)m;
	vnet_close(m);
	memset(&m->cnt, 0, sizeof m->cnt);
	if (setup(n, why, len))
		return -1;
	uint16_t rx_entry, tx_entry;
	irq_on(n, &rx_entry, &tx_entry);
	if (virtq_setup(&n->v, &n->rx, VIRTIO_NET_RXQ, rx_entry, why, len) ||
	    virtq_setup(&n->v, &n->tx, VIRTIO_NET_TXQ, tx_entry, why, len))
		goto fail;
	if (m->irq == MGMT_IRQ_MSIX && (n->rx.msix != rx_entry || n->tx.msix != tx_entry)) {
		/* the device could not take the entries: it interrupts nobody, so poll */
		irq_off(n);
		ksnprintf(m->irq_note, sizeof m->irq_note, "(polling: the device refused a queue's MSI-X entry)");
		if (setup(n, why, len) || virtq_setup(&n->v, &n->rx, VIRTIO_NET_RXQ, VIRTIO_MSI_NO_VECTOR, why, len) ||
		    virtq_setup(&n->v, &n->tx, VIRTIO_NET_TXQ, VIRTIO_MSI_NO_VECTOR, why, len))
			goto fail;
	}
	if (pci_dma_alloc(&n->rxbufs, (uint64_t)n->rx.size * VNET_BUF) ||
	    pci_dma_alloc(&n->txbufs, (uint64_t)n->tx.size * VNET_BUF)) {
		ksnprintf(why, len, "no memory for packet buffers");
		goto fail;
	}
	for (uint16_t k = 0; k < n->rx.size; k++) {
		n->rx.desc[k].addr = n->rxbufs.dev + (uint64_t)k * VNET_BUF;
		n->rx.desc[k].len = VNET_BUF;
		n->rx.desc[k].flags = VIRTQ_DESC_F_WRITE;
		virtq_post(&n->rx, k);
	}
	virtio_status_set(&n->v, VIRTIO_STATUS_DRIVER_OK);
	uint8_t st = virtio_status(&n->v);
	if (st & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED) || !(st & VIRTIO_STATUS_DRIVER_OK)) {
		ksnprintf(why, len, "device status 0x%02x after DRIVER_OK", st);
		goto fail;
	}
	m->open = true;
	virtq_kick(&n->rx);
	n->link = false;
	vnet_link(&m->port);
	return 0;
fail:
	m->open = true; /* so that close resets and frees the vector */
	vnet_close(m);
	return -1;
}

static const struct mgmt_nic_ops vnet_ops = {.open = vnet_open, .close = vnet_close, .hw_counters = 0};

/* Self-test at probe: the transport negotiates VERSION_1, both queues exist, the MAC is a
 * unicast address, and the device reports no error after a reset. */
static int selftest(struct vnet *n, char *why, unsigned len)
{
	if (setup(n, why, len))
		return -1;
	uint16_t rxmax = virtio_queue_max(&n->v, VIRTIO_NET_RXQ), txmax = virtio_queue_max(&n->v, VIRTIO_NET_TXQ);
	if (!rxmax || !txmax) {
		ksnprintf(why, len, "queue sizes rx %u tx %u: a queue is missing", rxmax, txmax);
		return -1;
	}
	uint8_t *mac = n->m.port.mac;
	if (n->v.features & (1ull << VIRTIO_NET_F_MAC)) {
		for (unsigned k = 0; k < NET_MAC_LEN; k++)
			mac[k] = virtio_dev_read8(&n->v, VIRTIO_NET_CFG_MAC + k);
	} else {
		/* no MAC from the device: a locally administered one from the BDF */
		const uint8_t made[NET_MAC_LEN] = {0x02, 0x4b, 0x4c, n->m.pci->bus, n->m.pci->dev, n->m.pci->fn};
		memcpy(mac, made, NET_MAC_LEN);
	}
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		ksnprintf(why, len, "device MAC %02x:%02x:%02x:%02x:%02x:%02x is not a unicast address", mac[0], mac[1],
			  mac[2], mac[3], mac[4], mac[5]);
		return -1;
	}
	uint8_t st = virtio_status(&n->v);
	if (st & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		ksnprintf(why, len, "device status 0x%02x during the self-test", st);
		return -1;
	}
	ksnprintf(n->m.selftest, sizeof n->m.selftest, "features 0x%llx, queues rx %u tx %u, reset ok",
		  (unsigned long long)n->v.features, rxmax, txmax);
	return virtio_reset(&n->v, why, len);
}

static int probe(struct pci_dev *d, const struct pci_id *id)
{
	char why[MGMT_WHY_MAX], bdf[PCI_BDF_LEN];
	pci_bdf(d, bdf);
	if (nvnets == VNET_MAX) {
		kprintf("# kiln: virtio-net %s: not bound, the driver handles %u devices at most\n", bdf, VNET_MAX);
		return -1;
	}
	struct vnet *n = &vnets[nvnets];
	memset(n, 0, sizeof *n);
	n->vector = -1;
	n->m.pci = d;
	n->m.model = id->name;
	n->m.ops = &vnet_ops;
	n->m.priv = n;
	n->m.port.ops = &vnet_port_ops;
	n->m.port.mtu = VNET_MTU;
	memcpy(n->m.bdf, bdf, sizeof n->m.bdf);
	ksnprintf(n->m.irq_note, sizeof n->m.irq_note, "(not opened yet)");
	if (virtio_pci_attach(&n->v, d, why, sizeof why) || selftest(n, why, sizeof why)) {
		kprintf("# kiln: virtio-net %s: not bound: %s\n", bdf, why);
		return -1;
	}
	if (mgmt_register(&n->m)) {
		kprintf("# kiln: virtio-net %s: not bound, %u management NICs at most\n", bdf, MGMT_NIC_MAX);
		return -1;
	}
	nvnets++;
	return 0;
}

static const struct pci_id ids[] = {
	{VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_NET_MODERN, "virtio-net", 0},
	{VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_NET_TRANSITIONAL, "virtio-net (transitional)", 0},
	{0, 0, 0, 0},
};

const struct pci_driver virtio_net_driver = {"virtio-net", ids, probe};
