/* The accelerator's NIC ports (raw Ethernet path): per port a TX send queue and an RX ring
 * in host memory, MAC, MTU, MAC loopback, promiscuous mode, link state followed from the
 * NIC status events on the event queue, hardware counters, and the RX frame length
 * recovered by parsing L2/L3 (the ring reports none). A port is a net_port (net/port.h), so
 * lwIP and the raw L2 burst run over it. Interrupts: the core gives each port a TX and an
 * RX MSI-X vector; every wait here polls its ring with a deadline, so it works (and says
 * so) when the interrupt never comes. The fast path reads no register: RX and TX progress
 * come from the device's write-back words in host memory. Contract: docs/device.md section 10. */
#ifndef KILN_NIC_H
#define KILN_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/accel/accel.h"
#include "drivers/accel/hw/kiln_nic.h"
#include "net/port.h"

#define NIC_TX_ENTRIES 256u
#define NIC_RX_ENTRIES 256u
#define NIC_TX_WAIT_MS 200u      /* a full TX queue must drain within this */
#define NIC_TX_FULL_POLL_US 5u   /* registers read at most this often once a TX wait is slow */
#define NIC_TX_SLOW_CHECK_US 50u /* a TX wait looks at the registers after this long without progress */
#define NIC_RX_REFILL_BATCH 32u  /* RX buffers given back per RX_PI write (fewer when short) */
#define NIC_RX_SPARES 64u        /* RX buffers beyond the ring's, for frames lwIP keeps (zero copy) */
#define NIC_RX_BUFS (NIC_RX_ENTRIES + NIC_RX_SPARES)
#define NIC_LINK_WAIT_MS 2000u

struct nic_open_cfg {
	uint16_t mtu;             /* 0: KILN_NIC_MTU_DEFAULT */
	bool loopback;            /* MAC loopback: TX to own RX, nothing on the wire */
	bool promisc;
};

/* Hardware counters (32-bit on the device; read as a snapshot). */
struct nic_hw_counters {
	uint32_t tx_frames, tx_bytes, rx_frames, rx_bytes, rx_crc_err, rx_drop, tx_drop, rx_pause, tx_pause,
		link_down, rx_filtered;
};

/* What the driver itself saw. */
struct nic_sw_counters {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t rx_unparsed;     /* RX buffers whose frame length could not be recovered */
	uint64_t rx_kept;         /* frames whose buffer the stack kept (zero copy) */
	uint64_t tx_busy;         /* frames refused: queue full past NIC_TX_WAIT_MS */
	uint64_t link_up_events, link_down_events;
	uint64_t events_missed;   /* status events that left the driver's log before it read them */
};

struct nic_port {
	struct net_port port;     /* first: a struct net_port * of a NIC port is a struct nic_port * */
	struct accel *a;
	unsigned idx;
	bool open, link, strapped_loopback, loopback;
	bool irq_held;            /* nic_irq_hold: its TX and RX vectors are masked */
	uint32_t cfg;             /* CFG register as programmed */
	uint32_t buf_size;        /* bytes per TX and RX buffer */
	struct accel_buf tx_ring, rx_ring, tx_bufs, rx_bufs, wb;
	uint32_t tx_pi, tx_ci;    /* [0, 2 * NIC_TX_ENTRIES); tx_ci from the TX write-back word */
	uint32_t tx_doorbell;     /* last PI written to the device */
	bool tx_wb_bad;           /* the TX write-back word disagreed with TX_CI (a slow path found it) */
	uint32_t tx_wb_word, tx_wb_reg; /* ... what each said then */
	uint32_t rx_ci, rx_pi;    /* consumed by us / given back (posted once written) */
	uint32_t rx_pi_dev;       /* last RX_PI written to the device */
	uint16_t rx_spare[NIC_RX_SPARES]; /* buffers in no ring slot and not kept: a stack */
	uint32_t rx_nspare;
	uint32_t rx_gen;          /* opens so far: the tag of kept buffers */
	uint64_t ev_seen;         /* driver event sequence up to which status events were read */
	uint64_t irq_tx0, irq_rx0; /* interrupt counts at open */
	struct nic_sw_counters sw;
	uint32_t last_link_reason;
	int err;                  /* a stop the port reported (KILN_NIC_ERR_*), 0 if none */
};

/* The NIC port behind a net_port that is one (its first member). */
static inline struct nic_port *nic_of(struct net_port *p) { return (struct nic_port *)p; }

/* The port object (allocated once per device and port, kept across opens). */
struct nic_port *nic_port_get(struct accel *a, unsigned port);
/* Reset the port, program rings and buffers, enable TX/RX. ACCEL_OK or an accel_err with why. */
int nic_open(struct nic_port *n, const struct nic_open_cfg *cfg, char *why, unsigned whylen);
void nic_close(struct nic_port *n);
/* Link state as the status events left it (the EQ is polled first). */
bool nic_link(struct nic_port *n);
/* Wait until the link is up (or down); ACCEL_OK or ACCEL_ETIMEDOUT. */
int nic_link_wait(struct nic_port *n, bool up, uint32_t timeout_ms);
/* Raw STATUS register (link, stopped, wired). */
uint32_t nic_status(struct nic_port *n);
bool nic_wired(struct nic_port *n);
void nic_hw_counters(struct nic_port *n, struct nic_hw_counters *c);
void nic_hw_counters_clear(struct nic_port *n);
/* Program the port's MAC address (the receive filter follows it). */
void nic_set_mac(struct nic_port *n, const uint8_t mac[NET_MAC_LEN]);
/* Accept every destination (true) or only the port's MAC, broadcast (and multicast with
 * ALLMULTI) (false). */
void nic_set_promisc(struct nic_port *n, bool on);
/* Ring the TX doorbell for frames queued with NET_TX_MORE. */
void nic_tx_flush(struct nic_port *n);
/* Wait until the device consumed every queued TX entry (its TX write-back word, then TX_CI
 * must agree). ACCEL_OK or ACCEL_ETIMEDOUT/ESTOPPED/EGONE, ACCEL_EDEVICE when the word
 * disagrees with TX_CI (tx_wb_bad says what each read). */
int nic_tx_drain(struct nic_port *n, uint32_t timeout_ms);
/* Free TX entries as the device's TX write-back word says (host memory, no register read):
 * that many frames can be queued without waiting. */
uint32_t nic_tx_room(struct nic_port *n);
/* Give every taken RX buffer back to the device now (rx_poll batches them: a case that
 * needs the whole ring free, like the ceiling, calls this after draining). */
void nic_rx_refill(struct nic_port *n);
/* Frames the device has put in the RX ring that the driver has not taken yet. */
uint32_t nic_rx_pending(struct nic_port *n);
/* Interrupts seen on the port's TX / RX vectors since it was opened. */
uint64_t nic_irq_tx(const struct nic_port *n);
uint64_t nic_irq_rx(const struct nic_port *n);
/* Hold (mask) or release the port's TX and RX MSI-X entries while a caller polls the rings
 * itself (as NAPI does): the device sets their pending bits instead of interrupting, the
 * release delivers what is pending. Under emulation every interrupt a CPU takes costs the
 * device model's lock. A no-op without vectors of the port's own. */
int nic_irq_hold(struct nic_port *n, bool hold);
/* "accel0.port1" */
const char *nic_name(const struct nic_port *n);

#endif
