/* Intel 82574L (e1000e) as a management NIC: legacy descriptors, one RX and one TX ring,
 * MAC from the receive address register (checked against the NVM at probe), link from
 * STATUS.LU after CTRL.SLU, MSI-X with one vector for every cause (polling when it cannot
 * be had), statistics registers as hardware counters. Every wait is bounded.
 *
 * Self-test at probe: reset completes; a register write/read-back pattern test on the
 * ring registers; the NVM checksum (words 0..0x3f sum to 0xbaba); the NVM's MAC equals
 * the one the device loaded into RAL0/RAH0. */
#include "drivers/e1000e/hw.h"
#include "drivers/mgmt/mgmt.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/irq.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/pci/dma.h"
#include "kernel/pci/driver.h"
#include "kernel/pci/msi.h"
#include "kernel/time.h"

#define E1000E_RING 256u          /* descriptors per ring (16 bytes each: one page) */
#define E1000E_BUF 2048u          /* RCTL.BSIZE 00 */
#define E1000E_MTU 1500u
#define E1000E_MAX 4

struct e1000e {
	struct mgmt_nic m;        /* first */
	uintptr_t mmio;
	struct pci_dma rxring, txring, rxbufs, txbufs;
	uint32_t rx_next;         /* next RX descriptor to look at */
	uint32_t tx_tail, tx_clean, tx_doorbell; /* [0, E1000E_RING) */
	int vector;
	bool link;
};

static struct e1000e devs[E1000E_MAX];
static unsigned ndevs;

static uint32_t rd(const struct e1000e *e, uint32_t off) { return mmio_read32(e->mmio + off); }
static void wr(struct e1000e *e, uint32_t off, uint32_t v) { mmio_write32(e->mmio + off, v); }
static struct e1000e *of(struct net_port *p) { return (struct e1000e *)p; }
static uint32_t next(uint32_t i) { return (i + 1) % E1000E_RING; }
static volatile struct e1000_tx_desc *txd(struct e1000e *e, uint32_t i) { return (volatile struct e1000_tx_desc *)e->txring.host + i; }
static volatile struct e1000_rx_desc *rxd(struct e1000e *e, uint32_t i) { return (volatile struct e1000_rx_desc *)e->rxring.host + i; }

static void on_irq(void *ctx, uint8_t vec)
{
	(void)vec;
	struct e1000e *e = ctx;
	e->m.cnt.irqs++;
}

static int reset(struct e1000e *e, char *why, unsigned len)
{
	wr(e, E1000_IMC, 0xffffffffu);
	wr(e, E1000_RCTL, 0);
	wr(e, E1000_TCTL, 0);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_RST);
	udelay(1000); /* the datasheet asks for 1 ms before the next access after RST */
	struct deadline d = deadline_in_ms(E1000_RESET_WAIT_MS);
	uint32_t c;
	while ((c = rd(e, E1000_CTRL)) & E1000_CTRL_RST) {
		if (deadline_passed(d)) {
			ksnprintf(why, len, "reset: CTRL.RST still set after %u ms (CTRL 0x%08x)%s", E1000_RESET_WAIT_MS, c,
				  c == 0xffffffffu ? " (function not responding)" : "");
			return -1;
		}
		cpu_relax();
	}
	wr(e, E1000_IMC, 0xffffffffu);
	(void)rd(e, E1000_ICR);
	return 0;
}

static int nvm_read(struct e1000e *e, uint32_t word, uint16_t *out, char *why, unsigned len)
{
	wr(e, E1000_EERD, word << E1000_EERD_ADDR_SHIFT | E1000_EERD_START);
	struct deadline d = deadline_in_ms(E1000_NVM_WAIT_MS);
	uint32_t v;
	while (!((v = rd(e, E1000_EERD)) & E1000_EERD_DONE)) {
		if (deadline_passed(d)) {
			ksnprintf(why, len, "NVM word 0x%x: no DONE within %u ms", word, E1000_NVM_WAIT_MS);
			return -1;
		}
		cpu_relax();
	}
	*out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
	return 0;
}

static void mac_from_device(struct e1000e *e)
{
	uint32_t lo = rd(e, E1000_RAL0), hi = rd(e, E1000_RAH0);
	for (unsigned k = 0; k < 4; k++)
		e->m.port.mac[k] = (uint8_t)(lo >> (8 * k));
	e->m.port.mac[4] = (uint8_t)hi;
	e->m.port.mac[5] = (uint8_t)(hi >> 8);
}

static int selftest(struct e1000e *e, char *why, unsigned len)
{
	if (reset(e, why, len))
		return -1;
	/* register test: patterns through the ring base/length registers (writable, no side
	 * effect while RX and TX are off) */
	static const struct { uint32_t reg, mask; } regs[] = {
		{E1000_RDBAL, 0xfffffff0u}, {E1000_RDBAH, 0xffffffffu}, {E1000_RDLEN, 0x000fff80u},
		{E1000_TDBAL, 0xfffffff0u}, {E1000_TDBAH, 0xffffffffu}, {E1000_TDLEN, 0x000fff80u},
	};
	static const uint32_t pats[] = {0x5a5a5a5au, 0xa5a5a5a5u, 0x00000000u, 0xffffffffu};
	for (unsigned r = 0; r < sizeof regs / sizeof regs[0]; r++)
		for (unsigned p = 0; p < sizeof pats / sizeof pats[0]; p++) {
			wr(e, regs[r].reg, pats[p] & regs[r].mask);
			uint32_t got = rd(e, regs[r].reg) & regs[r].mask;
			if (got != (pats[p] & regs[r].mask)) {
				ksnprintf(why, len, "register 0x%04x reads 0x%08x after writing 0x%08x", regs[r].reg, got,
					  pats[p] & regs[r].mask);
				return -1;
			}
			wr(e, regs[r].reg, 0);
		}
	uint16_t sum = 0, w, nvm_mac[3];
	for (uint32_t k = 0; k < E1000_NVM_WORDS_CHECKSUM; k++) {
		if (nvm_read(e, k, &w, why, len))
			return -1;
		if (k < 3)
			nvm_mac[k] = w;
		sum = (uint16_t)(sum + w);
	}
	if (sum != E1000_NVM_SUM) {
		ksnprintf(why, len, "NVM checksum: words 0..0x%x sum to 0x%04x, expected 0x%04x", E1000_NVM_WORDS_CHECKSUM - 1,
			  sum, E1000_NVM_SUM);
		return -1;
	}
	mac_from_device(e);
	const uint8_t *m = e->m.port.mac;
	for (unsigned k = 0; k < 3; k++)
		if (nvm_mac[k] != (uint16_t)(m[2 * k] | m[2 * k + 1] << 8)) {
			ksnprintf(why, len, "MAC %02x:%02x:%02x:%02x:%02x:%02x in RAL0/RAH0 differs from the NVM's (word %u 0x%04x)",
				  m[0], m[1], m[2], m[3], m[4], m[5], k, nvm_mac[k]);
			return -1;
		}
	if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) {
		ksnprintf(why, len, "MAC %02x:%02x:%02x:%02x:%02x:%02x is not a unicast address", m[0], m[1], m[2], m[3], m[4],
			  m[5]);
		return -1;
	}
	ksnprintf(e->m.selftest, sizeof e->m.selftest, "reset ok, ring registers ok, NVM checksum 0x%04x, MAC matches NVM",
		  sum);
	return 0;
}

static bool e_link(struct net_port *p)
{
	struct e1000e *e = of(p);
	bool up = rd(e, E1000_STATUS) & E1000_STATUS_LU;
	if (up != e->link) {
		e->link = up;
		e->m.cnt.link_changes++;
	}
	return up && e->m.open;
}

static void tx_reclaim(struct e1000e *e)
{
	while (e->tx_clean != e->tx_tail && (txd(e, e->tx_clean)->status & E1000_TXD_STAT_DD))
		e->tx_clean = next(e->tx_clean);
}

static void e_flush(struct net_port *p)
{
	struct e1000e *e = of(p);
	if (e->tx_doorbell == e->tx_tail)
		return;
	__asm__ volatile("" ::: "memory"); /* descriptors and frames before the tail */
	wr(e, E1000_TDT, e->tx_tail);
	e->tx_doorbell = e->tx_tail;
}

static int e_tx(struct net_port *p, const void *frame, size_t len, unsigned flags)
{
	struct e1000e *e = of(p);
	if (!e->m.open)
		return NET_EIO;
	if (len < NET_ETH_HDR || len > net_port_max_frame(p) || len > E1000E_BUF)
		return NET_ELEN;
	tx_reclaim(e);
	if (next(e->tx_tail) == e->tx_clean) { /* full: one slot stays empty so tail != head */
		e_flush(p);
		struct deadline d = deadline_in_ms(MGMT_TX_WAIT_MS);
		while (tx_reclaim(e), next(e->tx_tail) == e->tx_clean) {
			if (deadline_passed(d)) {
				e->m.cnt.tx_busy++;
				return NET_EBUSY;
			}
			cpu_relax();
		}
	}
	uint32_t slot = e->tx_tail;
	memcpy((uint8_t *)e->txbufs.host + (size_t)slot * E1000E_BUF, frame, len);
	volatile struct e1000_tx_desc *d = txd(e, slot);
	d->addr = e->txbufs.dev + (uint64_t)slot * E1000E_BUF;
	d->length = (uint16_t)len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	e->tx_tail = next(slot);
	e->m.cnt.tx_frames++;
	e->m.cnt.tx_bytes += len;
	if (!(flags & NET_TX_MORE))
		e_flush(p);
	return NET_OK;
}

static unsigned e_rx_poll(struct net_port *p, unsigned budget, net_rx_fn fn, void *ctx)
{
	struct e1000e *e = of(p);
	if (!e->m.open)
		return 0;
	unsigned got = 0;
	uint32_t last = E1000E_RING;
	while (got < budget) {
		volatile struct e1000_rx_desc *d = rxd(e, e->rx_next);
		uint8_t st = d->status;
		if (!(st & E1000_RXD_STAT_DD))
			break;
		__asm__ volatile("" ::: "memory"); /* the status before the data it covers */
		uint16_t len = d->length;
		if (!(st & E1000_RXD_STAT_EOP) || (d->errors & E1000_RXD_ERR_FRAME) || len < NET_ETH_HDR || len > E1000E_BUF) {
			e->m.cnt.rx_errors++;
		} else {
			e->m.cnt.rx_frames++;
			e->m.cnt.rx_bytes += len;
			fn(ctx, (const uint8_t *)e->rxbufs.host + (size_t)e->rx_next * E1000E_BUF, len);
		}
		d->status = 0;
		d->errors = 0;
		last = e->rx_next;
		e->rx_next = next(e->rx_next);
		got++;
	}
	if (last != E1000E_RING) {
		__asm__ volatile("" ::: "memory");
		wr(e, E1000_RDT, last); /* the buffers handed up go back to the device */
	}
	return got;
}

static int e_rx_irq_pending(struct net_port *p)
{
	struct e1000e *e = of(p);
	if (e->m.irq != MGMT_IRQ_MSIX || !e->m.open)
		return -1;
	return (rxd(e, e->rx_next)->status & E1000_RXD_STAT_DD) ? 1 : 0;
}

static const struct net_port_ops e_port_ops = {
	.tx = e_tx,
	.flush = e_flush,
	.rx_poll = e_rx_poll,
	.link_up = e_link,
	.rx_irq_pending = e_rx_irq_pending,
};

static void irq_off(struct e1000e *e)
{
	wr(e, E1000_IMC, 0xffffffffu);
	if (e->vector >= 0) {
		pci_msix_disable(e->m.pci);
		irq_free(e->vector);
		e->vector = -1;
	}
	e->m.irq = MGMT_IRQ_POLL;
}

/* MSI-X: RX queue 0, TX queue 0 and "other" (link) all on table entry 0, one CPU vector. */
static void irq_on(struct e1000e *e)
{
	if (!pci_msix_table_size(e->m.pci)) {
		ksnprintf(e->m.irq_note, sizeof e->m.irq_note, "(polling: the function has no MSI-X capability)");
		return;
	}
	int r = pci_msix_enable(e->m.pci);
	if (r) {
		ksnprintf(e->m.irq_note, sizeof e->m.irq_note, "(polling: MSI-X cannot be enabled: %s)", pci_strerror(r));
		return;
	}
	e->vector = irq_alloc(on_irq, e);
	if (e->vector < 0) {
		pci_msix_disable(e->m.pci);
		ksnprintf(e->m.irq_note, sizeof e->m.irq_note, "(polling: no free CPU vector)");
		return;
	}
	pci_msix_set_vector(e->m.pci, 0, e->vector);
	pci_msix_mask(e->m.pci, 0, false);
	wr(e, E1000_IVAR, E1000_IVAR_VALID << E1000_IVAR_RXQ0_SHIFT | E1000_IVAR_VALID << E1000_IVAR_TXQ0_SHIFT |
				  E1000_IVAR_VALID << E1000_IVAR_OTHER_SHIFT | E1000_IVAR_INT_ON_WB);
	wr(e, E1000_EIAC, E1000_ICR_RXQ0 | E1000_ICR_TXQ0 | E1000_ICR_OTHER);
	wr(e, E1000_CTRL_EXT, rd(e, E1000_CTRL_EXT) | E1000_CTRL_EXT_EIAME | E1000_CTRL_EXT_PBA_CLR);
	wr(e, E1000_IMS, E1000_ICR_RXQ0 | E1000_ICR_TXQ0 | E1000_ICR_OTHER | E1000_ICR_LSC | E1000_ICR_RXT0);
	e->m.irq = MGMT_IRQ_MSIX;
	e->m.irq_note[0] = 0;
}

static void e_close(struct mgmt_nic *m)
{
	struct e1000e *e = (struct e1000e *)m;
	char why[MGMT_WHY_MAX];
	if (!m->open && e->vector < 0)
		return;
	m->open = false;
	irq_off(e);
	if (reset(e, why, sizeof why))
		kprintf("# kiln: %s (%s): %s\n", m->port.name, m->bdf, why);
}

static int e_open(struct mgmt_nic *m, char *why, unsigned len)
{
	struct e1000e *e = (struct e1000e *)m;
	e_close(m);
	memset(&m->cnt, 0, sizeof m->cnt);
	if (reset(e, why, len))
		return -1;
	if (pci_dma_alloc(&e->rxring, E1000E_RING * sizeof(struct e1000_rx_desc)) ||
	    pci_dma_alloc(&e->txring, E1000E_RING * sizeof(struct e1000_tx_desc)) ||
	    pci_dma_alloc(&e->rxbufs, (uint64_t)E1000E_RING * E1000E_BUF) ||
	    pci_dma_alloc(&e->txbufs, (uint64_t)E1000E_RING * E1000E_BUF)) {
		ksnprintf(why, len, "no memory for rings and buffers");
		return -1;
	}
	mac_from_device(e);
	wr(e, E1000_RAH0, rd(e, E1000_RAH0) | E1000_RAH_AV);
	for (uint32_t k = 0; k < E1000_MTA_WORDS; k++)
		wr(e, E1000_MTA + 4 * k, 0);
	for (uint32_t k = 0; k < E1000E_RING; k++)
		rxd(e, k)->addr = e->rxbufs.dev + (uint64_t)k * E1000E_BUF;
	wr(e, E1000_RDBAL, (uint32_t)e->rxring.dev);
	wr(e, E1000_RDBAH, (uint32_t)(e->rxring.dev >> 32));
	wr(e, E1000_RDLEN, E1000E_RING * sizeof(struct e1000_rx_desc));
	wr(e, E1000_RDH, 0);
	wr(e, E1000_RDT, E1000E_RING - 1); /* every buffer but one posted: head == tail means none */
	wr(e, E1000_TDBAL, (uint32_t)e->txring.dev);
	wr(e, E1000_TDBAH, (uint32_t)(e->txring.dev >> 32));
	wr(e, E1000_TDLEN, E1000E_RING * sizeof(struct e1000_tx_desc));
	wr(e, E1000_TDH, 0);
	wr(e, E1000_TDT, 0);
	e->rx_next = e->tx_tail = e->tx_clean = e->tx_doorbell = 0;
	(void)rd(e, E1000_GPRC); /* statistics clear on read: start from zero */
	(void)rd(e, E1000_GPTC);
	(void)rd(e, E1000_CRCERRS);
	(void)rd(e, E1000_MPC);
	(void)rd(e, E1000_RNBC);
	irq_on(e);
	wr(e, E1000_TIPG, E1000_TIPG_DEFAULT);
	wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(E1000_TCTL_CT_DEFAULT) |
				  E1000_TCTL_COLD(E1000_TCTL_COLD_FD));
	wr(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE);
	if (rd(e, E1000_STATUS) == 0xffffffffu) {
		ksnprintf(why, len, "function stopped responding during set-up");
		m->open = true;
		e_close(m);
		return -1;
	}
	m->open = true;
	e->link = false;
	e_link(&m->port);
	return 0;
}

static void e_hw_counters(struct mgmt_nic *m, char *buf, unsigned len)
{
	struct e1000e *e = (struct e1000e *)m;
	ksnprintf(buf, len, "gprc=%u gptc=%u crcerrs=%u mpc=%u rnbc=%u", rd(e, E1000_GPRC), rd(e, E1000_GPTC),
		  rd(e, E1000_CRCERRS), rd(e, E1000_MPC), rd(e, E1000_RNBC));
}

static const struct mgmt_nic_ops e_ops = {.open = e_open, .close = e_close, .hw_counters = e_hw_counters};

static int probe(struct pci_dev *d, const struct pci_id *id)
{
	char why[MGMT_WHY_MAX], bdf[PCI_BDF_LEN];
	pci_bdf(d, bdf);
	if (ndevs == E1000E_MAX) {
		kprintf("# kiln: e1000e %s: not bound, the driver handles %u devices at most\n", bdf, E1000E_MAX);
		return -1;
	}
	struct e1000e *e = &devs[ndevs];
	memset(e, 0, sizeof *e);
	e->vector = -1;
	e->m.pci = d;
	e->m.model = id->name;
	e->m.ops = &e_ops;
	e->m.priv = e;
	e->m.port.ops = &e_port_ops;
	e->m.port.mtu = E1000E_MTU;
	memcpy(e->m.bdf, bdf, sizeof e->m.bdf);
	ksnprintf(e->m.irq_note, sizeof e->m.irq_note, "(not opened yet)");
	int err;
	e->mmio = (uintptr_t)pci_bar_map(d, E1000E_BAR_MMIO, &err);
	if (!e->mmio) {
		kprintf("# kiln: e1000e %s: not bound: BAR%u cannot be mapped: %s\n", bdf, E1000E_BAR_MMIO, pci_strerror(err));
		return -1;
	}
	pci_enable_memory(d, true);
	pci_set_master(d, true);
	if (selftest(e, why, sizeof why)) {
		kprintf("# kiln: e1000e %s: not bound: self-test: %s\n", bdf, why);
		return -1;
	}
	if (mgmt_register(&e->m)) {
		kprintf("# kiln: e1000e %s: not bound, %u management NICs at most\n", bdf, MGMT_NIC_MAX);
		return -1;
	}
	ndevs++;
	return 0;
}

static const struct pci_id ids[] = {
	{E1000E_VENDOR_INTEL, E1000E_DEVICE_82574L, "82574L", 0},
	{0, 0, 0, 0},
};

const struct pci_driver e1000e_driver = {"e1000e", ids, probe};
