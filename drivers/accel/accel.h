/* The accelerator driver's API for test suites: every bound device, its memory windows,
 * compute queues, sync manager, event queue, device-CPU channel and identity.
 * Register contract: docs/device.md and the block headers in drivers/accel/hw/. */
#ifndef KILN_ACCEL_H
#define KILN_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/accel/hw/kiln_cpucp.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_pci.h"
#include "drivers/accel/hw/kiln_qman.h"

#define ACCEL_MAX 8
/* PQ depth: deep enough that the device, once rung, runs many bottom-half slices before it
 * drains and the next doorbell has to wake QEMU's main loop again (docs/perf.md "Fast
 * paths"); the CQ is as deep (the device does not flow-control it). */
#define ACCEL_PQ_ENTRIES 512
#define ACCEL_CQ_ENTRIES 512
#define ACCEL_EQ_ENTRIES 256
#define ACCEL_EVENT_LOG 128
#define ACCEL_CPUCP_ENTRIES 8

enum accel_err {
	ACCEL_OK = 0,
	ACCEL_ETIMEDOUT = -1,   /* no answer by the deadline */
	ACCEL_EGONE = -2,       /* the configuration BAR reads all-ones: device not responding */
	ACCEL_ECOMPLETION = -3, /* a completion entry is wrong (not ready, wrong index) */
	ACCEL_ESTOPPED = -4,    /* the queue stopped on an error (see the error event) */
	ACCEL_EINVAL = -5,
	ACCEL_ENOMEM = -6,
	ACCEL_EIRQ = -7,        /* work completed but its interrupt never came */
	ACCEL_ERC = -8,         /* the device CPU answered with an error code */
	ACCEL_EFULL = -9,       /* no room in a ring */
	ACCEL_EDEVICE = -10,    /* the device failed a self-test or answered wrongly */
};
const char *accel_strerror(int err);

enum accel_irq_mode { ACCEL_IRQ_MSIX, ACCEL_IRQ_SHARED, ACCEL_IRQ_POLL };
/* How the driver takes interrupts from the devices it binds after this call (accel_irq=). */
void accel_set_irq_mode(enum accel_irq_mode mode);

struct accel_ring {             /* a ring in host memory the device reads or writes */
	void *mem;
	uint64_t dev;               /* device address (physical: host memory is identity mapped) */
	uint32_t entries;
};

/* Where the submit path's time goes, in TSC cycles, gathered while `on` is set (the bench
 * case's breakdown, docs/perf.md "Fast paths"). Off, it costs one branch per phase. */
struct accel_queue_prof {
	bool on;
	uint64_t post_cyc;          /* writing PQ entries (BDs) */
	uint64_t doorbell_cyc;      /* PI doorbell writes */
	uint64_t cq_wait_cyc;       /* waiting for CQ entries: from the wait's start to the entry seen */
	uint64_t reap_cyc;          /* checking and consuming CQ entries */
	uint64_t irq_cyc;           /* waiting for completion interrupts after the CQ showed the CB */
	uint32_t posts, doorbells, reaped, waits, spins;
	uint32_t reg_reads;         /* register reads on the wait path (slow checks) */
	uint32_t rings;             /* doorbells that wrote PQ_PI (with a shadow doorbell: the device was idle) */
};

struct accel_queue {
	struct accel_ring pq, cq;
	uint32_t pi;                /* producer index in [0, 2*entries) as the doorbell wants it */
	uint32_t pi_rung;           /* the PI the last doorbell carried (pi != pi_rung: CBs posted, not rung) */
	uint32_t cq_ci;             /* next CQ slot we expect, [0, entries) */
	uint32_t submitted, completed; /* tickets: CB sequence numbers */
	uint32_t rung;              /* the last ticket a doorbell announced */
	/* the shadow doorbell pair (docs/device.md section 5), 0 when the device has none: PIs
	 * are published there and PQ_PI is written only when the device may be idle */
	volatile struct kiln_qm_shadow *shadow;
	bool irq_held;              /* accel_cq_irq_hold: the CQ vector is masked */
	uint32_t last_shadow;       /* shadow index of the last good completion */
	bool stopped;
	/* the CQ vector's interrupt count when each outstanding CB was rung (by ticket %
	 * entries): its completion interrupt may come before anyone waits for it */
	uint64_t irq_mark[ACCEL_PQ_ENTRIES];
	/* Interrupt check of reaped CBs, settled later (accel_irq_settle): the oldest CB whose
	 * interrupt has not been seen (0: none owed), the count that must be passed and when it
	 * was reaped; and the same for the newest reaped CB, whose interrupt covers all before. */
	uint32_t irq_owed, irq_newest;
	uint64_t irq_owed_mark, irq_owed_tsc, irq_newest_mark, irq_newest_tsc;
	struct accel_queue_prof prof;
};

struct accel_event {
	uint32_t type;              /* event id (KILN_EVENT_*) */
	uint32_t index;             /* device sequence (low 16 bits) */
	uint64_t seq;               /* driver sequence: 1, 2, ... */
	uint64_t data[7];
};

struct accel {
	unsigned index;
	struct pci_dev *pci;
	char bdf[16];
	volatile uint8_t *cfg, *sram, *hbm; /* hbm: BAR4, the HBM window (use accel_hbm_at) */
	uint64_t hbm_size, sram_size;
	uint64_t hbm_win_size, hbm_win_base; /* BAR4 bytes; HBM offset it shows now */
	unsigned engines, streams, ports, sobs, monitors;
	uint32_t version;
	bool gone;                  /* all-ones seen: every call fails fast with ACCEL_EGONE */
	/* interrupts */
	enum accel_irq_mode irq_mode;
	char irq_note[120];         /* why not MSI-X per source, if not */
	int vector[KILN_MSIX_VECTORS];
	volatile uint64_t irq_count[KILN_MSIX_VECTORS];    /* atomic: any CPU may take a source */
	uint32_t irq_apic;          /* APIC id every MSI-X entry delivers to (accel_irq_steer) */
	bool irq_apic_set;          /* irq_apic chosen (the boot CPU's until steered) */
	volatile uint32_t irq_last_apic[KILN_MSIX_VECTORS]; /* who took each source last */
	/* queues */
	struct accel_queue q[KILN_NUM_QUEUES];
	/* event queue */
	struct accel_ring eq;
	struct accel_ring qshadow;  /* one shadow doorbell pair per queue */
	uint32_t eq_ci;
	uint64_t ev_seq;            /* events consumed so far */
	struct accel_event ev_log[ACCEL_EVENT_LOG];
	uint64_t ev_count[KILN_EVENT_MAX + 1];
	uint64_t ev_lost_seen;
	/* device CPU channel */
	struct accel_ring cpucp;
	struct kiln_cpucp_packet *cpucp_pkt; /* ACCEL_CPUCP_ENTRIES packets, one per slot */
	uint32_t cpucp_pi;
	struct kiln_cpucp_info info;
	bool info_ok;
	uint64_t dsn;
	uint64_t reset_ns;          /* time_ns() of the last soft reset: the device's counters start here */
	uint64_t bound_ns;          /* time_ns() when the driver bound it: the run's ECC totals start here */
	uint64_t ecc_serr_base, ecc_derr_base; /* ECC counts of earlier resets within this run */
	volatile bool resetting;    /* accel_reset under way: the ECC totals are being folded */
	bool dev_clock;             /* the device CPU answers UPTIME_GET */
	uint64_t dev_clock_bound_ms; /* its answer when the driver bound the device */
};

/* A matched function the driver could not bind (BARs, identity, bring-up). */
struct accel_failed {
	char bdf[16];
	char why[200];              /* "0000:01:00.0 (kiln-accel ...): bring-up failed: ..." */
};

/* Bound devices, in PCI order. */
unsigned accel_count(void);
struct accel *accel_get(unsigned i);
/* Parallel device lanes: on CPU `cpu` (struct cpu index), accel_count() is 1 and
 * accel_get(0) is device `dev`; dev < 0 restores the view of every device. */
void accel_view_only(unsigned cpu, int dev);
/* Every bound device whatever this CPU's view (the health watch on the boot CPU's tick,
 * which may come while the boot CPU drives one device's lane). */
unsigned accel_count_all(void);
struct accel *accel_get_all(unsigned i);
/* Why no device was bound ("" if one was, or if none was found at all). */
const char *accel_probe_note(void);
/* Functions that matched the id table and failed to come up, in PCI order. */
unsigned accel_failed_count(void);
const struct accel_failed *accel_failed_get(unsigned i);
/* Print "# kiln: identity accel ..." lines for every device. */
void accel_identity_print(void);

/* Register access: every access goes through these. A read of all-ones from a register
 * that cannot be all-ones marks the device gone. */
uint32_t accel_rd(struct accel *a, uint32_t off);
void accel_wr(struct accel *a, uint32_t off, uint32_t v);
/* ACCEL_OK, or ACCEL_EGONE when the identity register reads all-ones. */
int accel_check_alive(struct accel *a);

/* Steer every MSI-X entry of the device to the CPU with this APIC id: the CPU that drives
 * it, a parallel lane's while the lane runs, the boot CPU's for serial work. Kept across
 * device resets. ACCEL_OK (also in polling mode, where there is nothing to steer), or
 * ACCEL_EINVAL for an APIC id an MSI cannot name (the entries stay where they were). */
int accel_irq_steer(struct accel *a, uint32_t apic_id);
/* Source src has an MSI-X entry of its own (not a shared vector, not polling). */
bool accel_irq_own_vector(const struct accel *a, unsigned src);
/* Mask (hold) or unmask (release) source src's MSI-X entry: while held, the device sets
 * the entry's pending bit instead of interrupting; the release delivers what is pending.
 * ACCEL_EINVAL without an entry of its own, ACCEL_EGONE when the device does not answer. */
int accel_irq_hold(struct accel *a, unsigned src, bool hold);

/* Soft reset and bring-up again (rings, interrupts, channels): after a fatal error. */
int accel_reset(struct accel *a, char *why, unsigned whylen);

/* ---- compute queues (drivers/accel/queue.c) ---- */
/* q = KILN_QUEUE_ID(engine, stream); "dma1.s2" */
const char *accel_queue_name(unsigned q, char buf[16]);
/* MSG_SHORT bases every stream is programmed with (queue.c) */
#define ACCEL_MSG_BASE_SM 0         /* the sync manager block: SOBs and monitors */
#define ACCEL_MSG_BASE_QMAN 1       /* the issuing engine's QMAN block */
/* Submit a CB (device address and length); *ticket identifies it for accel_wait. */
int accel_submit(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t *ticket);
/* Batches: post CBs into the PQ (no register access), then one doorbell announces every
 * CB posted since the last one. ACCEL_EFULL when the PQ holds ACCEL_PQ_ENTRIES CBs not yet
 * reaped. accel_submit is accel_post + accel_doorbell. */
int accel_post(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t *ticket);
void accel_doorbell(struct accel *a, unsigned q);
/* Wait for the completion of `ticket` (and all before it) and for its interrupt. On failure
 * `why` says which queue, the last completed CB, the queue's status and the error event if
 * any; ACCEL_EIRQ when the CQ showed the CB but its MSI-X never came. */
int accel_wait(struct accel *a, unsigned q, uint32_t ticket, uint32_t timeout_ms, char *why, unsigned whylen);
/* The fast path of accel_wait: polls the CQ in host memory alone (the queue's registers are
 * read only after ACCEL_SLOW_CHECK_US without progress: stop, hang, device gone) and only
 * notes which interrupts are owed. A later accel_reap fails with ACCEL_EIRQ once an owed
 * interrupt is overdue; accel_irq_settle waits for them all (end of a batch or a case). */
int accel_reap(struct accel *a, unsigned q, uint32_t ticket, uint32_t timeout_ms, char *why, unsigned whylen);
int accel_irq_settle(struct accel *a, unsigned q, char *why, unsigned whylen);
/* Reap whatever the CQ shows complete, without waiting (host memory only); the tickets up
 * to accel_completed() are done. Fails as accel_reap does (a bad entry, an overdue interrupt). */
int accel_reap_ready(struct accel *a, unsigned q, char *why, unsigned whylen);
static inline uint32_t accel_completed(const struct accel *a, unsigned q) { return a->q[q].completed; }
/* While a caller keeps a queue busy and polls its CQ (the way Linux's NAPI polls a NIC), it
 * may hold the CQ's interrupt: the vector's MSI-X entry is masked, so completions set its
 * pending bit instead of interrupting the CPU; the release unmasks it and the pending
 * interrupt arrives then. Every CB reaped meanwhile still owes its interrupt, due within
 * ACCEL_IRQ_GRACE_MS of the release (a device that never raised it still fails). A no-op
 * without a vector of the queue's own (shared vector or polling). Under emulation an
 * interrupt costs the device model's lock, so a held burst leaves the model to run. */
int accel_cq_irq_hold(struct accel *a, unsigned q);
int accel_cq_irq_release(struct accel *a, unsigned q);
#define ACCEL_SLOW_CHECK_US 50
#define ACCEL_IRQ_GRACE_MS 200      /* how long an MSI-X may trail its CQ entry before it counts as lost */
/* Submit and wait. */
int accel_run(struct accel *a, unsigned q, uint64_t cb, uint32_t len, uint32_t timeout_ms, char *why, unsigned whylen);
/* Reset one stream (after a stop) and reprogram its rings. */
int accel_queue_reset(struct accel *a, unsigned q);
uint32_t accel_queue_status(struct accel *a, unsigned q);

/* ---- sync manager (drivers/accel/sync.c) ---- */
void accel_sob_set(struct accel *a, unsigned sob, uint32_t v);
void accel_sob_add(struct accel *a, unsigned sob, uint32_t v);
uint32_t accel_sob_get(struct accel *a, unsigned sob);
/* Arm monitor m on SOB group gid (mask: ignored SOBs), mode KILN_SM_MON_MODE_*, writing
 * pay_data to pay_addr (a device address) when it fires. */
void accel_mon_arm(struct accel *a, unsigned m, unsigned gid, uint8_t mask, unsigned mode, uint32_t target,
		   uint64_t pay_addr, uint32_t pay_data, bool irq);
uint32_t accel_mon_status(struct accel *a, unsigned m);
/* Device address of a register in the configuration BAR (for MSG_LONG / payloads). */
static inline uint64_t accel_reg_dev_addr(uint32_t off) { return KILN_DEV_CFG_BASE + off; }

/* ---- events (drivers/accel/events.c) ---- */
/* Consume every ready EQ entry into the log; returns how many. */
int accel_eq_poll(struct accel *a);
/* Wait for the next event of `type` after driver sequence `after` (0: any time). */
int accel_event_wait(struct accel *a, uint32_t type, uint64_t after, uint32_t timeout_ms, struct accel_event *out);
/* The most recent logged event of `type` after `after`, or NULL. */
const struct accel_event *accel_event_find(struct accel *a, uint32_t type, uint64_t after);
const char *accel_event_name(uint32_t type);
/* One line describing an event with its payload decoded. */
int accel_event_describe(const struct accel_event *e, char *buf, unsigned len);
const char *accel_qm_err_name(uint32_t cause);

/* ---- device CPU (drivers/accel/cpucp.c) ---- */
/* Send one request; *result gets the answer's value. ACCEL_ERC with *rc set when the
 * device answered with an error code. */
int accel_cpucp(struct accel *a, uint32_t opcode, uint64_t value, uint32_t index, uint32_t port, uint64_t *result,
		uint32_t *rc);
int accel_cpucp_info(struct accel *a, struct kiln_cpucp_info *out);

/* ---- DMA-able host memory ---- */
struct accel_buf {
	void *host;
	uint64_t dev;
	uint64_t size;
};
/* Zeroed, page aligned, physically contiguous; ACCEL_ENOMEM when the allocator is out. */
int accel_buf_alloc(struct accel_buf *b, uint64_t size);
void accel_buf_free(struct accel_buf *b);
static inline uint64_t accel_hbm_addr(uint64_t off) { return KILN_DEV_HBM_BASE + off; }

/* ---- CPU access to HBM through the BAR window (drivers/accel/hbm_window.c) ---- */
/* Move the window so [off, off + len) is visible; a pointer to HBM byte off, or 0 when the
 * range is outside the HBM, crosses a window boundary or the device refused the move. */
volatile uint8_t *accel_hbm_window(struct accel *a, uint64_t off, uint64_t len);
/* The same, without a register access while the range is inside the current window. */
static inline volatile uint8_t *accel_hbm_at(struct accel *a, uint64_t off, uint64_t len)
{
	uint64_t rel = off - a->hbm_win_base;
	if (off >= a->hbm_win_base && rel < a->hbm_win_size && len <= a->hbm_win_size - rel)
		return a->hbm + rel;
	return accel_hbm_window(a, off, len);
}
static inline uint64_t accel_sram_addr(uint64_t off) { return KILN_DEV_SRAM_BASE + off; }

/* ---- linear DMA through a queue (drivers/accel/dma.c) ---- */
struct accel_dma_job {
	unsigned q;
	uint32_t ticket;
	uint64_t ev_before;         /* events consumed before the start */
	uint64_t src, dst, size;
	struct accel_buf cb;        /* the CB: freed by accel_dma_finish unless it timed out */
};
/* Queue a CB copying size bytes src -> dst (device addresses), or with memset_op filling
 * dst with the 64-bit pattern `src`. */
int accel_dma_start(struct accel *a, unsigned q, struct accel_dma_job *j, uint64_t src, uint64_t dst, uint64_t size,
		    bool memset_op);
/* Wait for it; on a stop, `why` carries the queue's and the DMA core's error events. */
int accel_dma_finish(struct accel *a, struct accel_dma_job *j, uint32_t timeout_ms, char *why, unsigned len);
/* A deadline that no working engine misses for `size` bytes. */
uint32_t accel_dma_timeout_ms(uint64_t size);
/* Start and finish. */
int accel_dma(struct accel *a, unsigned q, uint64_t src, uint64_t dst, uint64_t size, char *why, unsigned len);
int accel_dma_memset(struct accel *a, unsigned q, uint64_t dst, uint64_t pattern, uint64_t size, char *why,
		     unsigned len);

/* ---- health: sensors and HBM ECC (drivers/accel/health.c) ---- */
struct accel_ecc {
	uint32_t serr, derr;        /* corrected / uncorrected errors since the driver bound the device,
				     * device resets within the run included */
	uint32_t serr_dev, derr_dev; /* the ECC block's own counts, since its last reset */
	uint64_t last_addr;         /* HBM offset of the last error */
	bool last_valid, last_derr;
	unsigned last_stack;
};
void accel_ecc_read(struct accel *a, struct accel_ecc *e);
/* Time since the driver bound the device, for rates: the host's clock, or the device's own
 * (cpucp UPTIME_GET) when it offers one and says more time went by. Thread context only. */
uint64_t accel_elapsed_ns(struct accel *a);
/* Before a reset: add the ECC block's counts to the run's totals. */
void accel_ecc_fold(struct accel *a);
enum accel_sensor {
	ACCEL_SENSOR_TEMP, ACCEL_SENSOR_TEMP_LIMIT, ACCEL_SENSOR_VOLTAGE, ACCEL_SENSOR_CURRENT, ACCEL_SENSOR_POWER,
	ACCEL_SENSOR_POWER_LIMIT, ACCEL_SENSOR_FAN, ACCEL_SENSOR_PCIE_TX, ACCEL_SENSOR_PCIE_RX,
	ACCEL_SENSOR_PCIE_REPLAY, ACCEL_SENSOR_HBM_ECC, ACCEL_SENSOR_FAN_MIN, ACCEL_SENSOR_VOLTAGE_MIN,
	ACCEL_SENSOR_VOLTAGE_MAX, ACCEL_SENSOR_CURRENT_MAX,
	ACCEL_SENSOR_COUNT
};
struct accel_sensor_def {
	enum accel_sensor id;
	const char *name;           /* "temperature", ... */
	uint32_t opcode;            /* KILN_CPUCP_* */
	bool sensor;                /* index is sensor_index + attribute type */
	uint32_t index;
	uint32_t type;              /* KILN_CPUCP_SENSOR_* */
	const char *unit;
};
/* Every reading the device CPU offers, in a fixed order (id == position). */
const struct accel_sensor_def *accel_sensor_defs(unsigned *count);
int accel_sensor_read(struct accel *a, const struct accel_sensor_def *d, uint64_t *value, uint32_t *rc);

/* The health signals judged against the device's own limit and a configured one. */
enum accel_check {
	ACCEL_CHECK_TEMP, ACCEL_CHECK_POWER, ACCEL_CHECK_FAN, ACCEL_CHECK_VOLTAGE, ACCEL_CHECK_CURRENT,
	ACCEL_CHECK_REPLAY, ACCEL_CHECKS
};
#define ACCEL_LIMIT_OFF UINT32_MAX
struct accel_limits {           /* configured limits, ACCEL_LIMIT_OFF: only the device's own */
	uint32_t temp_max_c, power_max_w, fan_min_rpm, voltage_min_mv, voltage_max_mv, current_max_a;
	uint32_t replay_max;        /* the device's PCIe replay count (devices report no limit of their own) */
};
const char *accel_check_name(enum accel_check c);
/* Read signal c and judge it: 1 out of bounds (why: value, limit and whose limit), 0 within
 * (why: value and limits), or an accel_err (why: which read failed). A limit the device
 * does not report (rc 4) leaves only the configured one. */
int accel_check(struct accel *a, enum accel_check c, const struct accel_limits *l, char *why, unsigned len);

#endif
