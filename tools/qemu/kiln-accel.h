/*
 * Kiln accelerator device model: state shared by the model's files.
 *
 * The register contract is docs/device.md; every offset, field and id comes from the
 * block headers in drivers/accel/hw/ (shared with Kiln's driver).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_KILN_ACCEL_H
#define HW_MISC_KILN_ACCEL_H

#include "hw/pci/pci.h"
#include "net/net.h"
#include "qom/object.h"

#include "kiln_bits.h"
#include "kiln_pci.h"
#include "kiln_core.h"
#include "kiln_eq.h"
#include "kiln_qman.h"
#include "kiln_ring.h"
#include "kiln_packets.h"
#include "kiln_sync.h"
#include "kiln_cpucp.h"
#include "kiln_hbm.h"
#include "kiln_nic.h"

#define TYPE_KILN_ACCEL "kiln-accel"
OBJECT_DECLARE_SIMPLE_TYPE(KilnState, KILN_ACCEL)

/* Outcome of a device-address access (kiln-mem.c). */
typedef enum KilnMemResult {
    KILN_MEM_OK = 0,
    KILN_MEM_NOWHERE,       /* address in no window, or past the end of one */
    KILN_MEM_BUS_MASTER,    /* host memory with bus mastering disabled */
    KILN_MEM_HOST_FAULT,    /* the host bus returned an error */
    KILN_MEM_INJECTED,      /* fault knob dma-error-addr */
} KilnMemResult;

/* One level of packet execution: a CB, or the buffer of a CP_DMA. */
typedef struct KilnExecBuf {
    uint8_t *data;
    uint32_t len;
    uint32_t off;
    uint64_t addr;
    bool rep_active;
    uint32_t rep_left;
    uint32_t rep_start;
} KilnExecBuf;

typedef struct KilnEngine KilnEngine;

typedef struct KilnStream {
    KilnEngine *eng;
    unsigned idx;                   /* stream within the engine */
    unsigned qid;                   /* engine * 4 + stream */
    /* registers */
    uint64_t pq_base;
    uint32_t pq_size, pi, ci;
    uint64_t cq_base;
    uint32_t cq_size, cq_pi;
    uint32_t cfg, status;
    uint32_t err_cause, err_pq_index, err_cb_offset;
    uint64_t err_addr;
    uint32_t last_shadow, cb_count;
    uint32_t fence[KILN_QM_FENCES];
    uint64_t msg_base[KILN_QM_MSG_BASES];
    uint64_t wrcomp_addr;
    uint32_t wrcomp_data;
    uint32_t pred;
    uint32_t scalar[KILN_QM_SCALARS];
    uint64_t shadow;                /* PQ_SHADOW: the shadow doorbell pair, 0 = off */
    /* execution state */
    bool event_valid;               /* `event` of the shadow pair holds event_at */
    uint32_t event_at;
    uint32_t gen;                   /* bumped by every reset: aborts work in flight */
    bool in_cb;
    bool stop_after_cb;
    bool failed_cb;                 /* the stop was caused by the CB at CI */
    uint32_t cur_shadow;
    unsigned depth;                 /* 0: CB, 1: inside CP_DMA */
    KilnExecBuf lvl[2];
    bool dma_active;
    uint64_t dma_src, dma_dst;
    uint32_t dma_tsize, dma_done, dma_ctl;
    QEMUTimer *wait_timer;
} KilnStream;

struct KilnEngine {
    struct KilnState *s;
    unsigned idx;
    KilnStream st[KILN_STREAMS_PER_ENGINE];
    QEMUBH *bh;
    unsigned rr;
    uint64_t dma_bytes;
    uint8_t bounce[64 * 1024];      /* LIN_DMA chunk buffer */
};

typedef struct KilnMonitor {
    uint64_t pay_addr;
    uint32_t pay_data, arm, cfg, status;
} KilnMonitor;

#define KILN_NIC_NUM_COUNTERS 11
#define KILN_NIC_TX_INLINE 8    /* default of nic-tx-inline: frames sent in the TX_PI write itself */

typedef struct KilnPort {
    struct KilnState *s;
    unsigned idx;
    NICConf conf;
    NICState *nic;
    uint8_t mac[6];
    uint8_t reset_mac[6];
    uint32_t mtu, cfg, status, err_cause;
    uint64_t tx_base, tx_wb;
    uint32_t tx_size, tx_pi, tx_ci;
    uint64_t rx_base, rx_wb;
    uint32_t rx_size, rx_pi, rx_ci, rx_buf_size;
    uint32_t cnt[KILN_NIC_NUM_COUNTERS];
    bool link_up;                   /* last state reported */
    bool flapping;
    bool tx_blocked;                /* loopback frame waits for an RX buffer */
    uint32_t flaps;
    QEMUBH *tx_bh;
    QEMUTimer *flap_timer;
} KilnPort;

/* Fault knobs: runtime QOM properties (kiln-faults.c), docs/device.md section 11. */
typedef struct KilnFaults {
    uint32_t queue_hang;            /* queue id mask */
    uint32_t bad_cq_index;          /* queue id mask */
    uint32_t bad_cq_ready;          /* queue id mask */
    uint32_t dma_corrupt_ppm;
    uint64_t dma_error_addr;        /* 0: off */
    uint64_t hbm_serr_addr;         /* last injected, ~0: none */
    uint64_t hbm_derr_addr;
    uint64_t irq_drop_mask;         /* vector mask */
    int64_t sync_stall_sob;         /* -1: off, KILN_SYNC_STALL_ALL: every SOB */
    uint32_t temp_mc, temp_limit_mc;
    uint32_t power_mw, power_limit_mw;
    uint32_t voltage_mv, current_ma, fan_rpm;
    uint32_t voltage_min_mv, voltage_max_mv, current_max_ma, fan_min_rpm; /* device limits */
    bool cpucp_hang;            /* the device CPU answers nothing */
    uint32_t clock_warp_s;      /* seconds the device clock (UPTIME_GET) runs ahead */
    uint32_t link_down;             /* port mask */
    uint32_t link_flap;             /* last port mask flapped */
    uint32_t frame_drop_ppm, frame_corrupt_ppm;
    uint32_t frame_fault_ports;     /* port mask the *-ppm knobs apply to */
    uint32_t tx_wb_stale;           /* port mask: TX write-back word no longer written */
    bool device_gone;
    uint32_t pcie_link_speed, pcie_link_width;
    uint32_t aer_cor_status, aer_uncor_status;
    uint32_t pcie_replay_count;
    uint64_t seed;
    char info_serial[KILN_CPUCP_SERIAL_LEN]; /* INFO_GET's serial instead of the property; "": off */
} KilnFaults;

#define KILN_SYNC_STALL_ALL 65535

struct KilnState {
    PCIDevice parent_obj;

    MemoryRegion cfg_bar;
    MemoryRegion sram;
    MemoryRegion hbm;
    MemoryRegion hbm_bar;           /* BAR4: a container of hbm_window bytes */
    MemoryRegion hbm_alias;         /* in hbm_bar: hbm from hbm_win_base */
    uint8_t *sram_ptr;
    uint8_t *hbm_ptr;

    /* properties */
    uint64_t hbm_size;
    uint64_t hbm_window;            /* property hbm-window, clamped to hbm_size at realize */
    uint64_t sram_size;
    uint32_t num_ports;
    char *serial;
    uint64_t dsn;
    MACAddr mac;
    uint8_t link_speed;
    uint8_t link_width;
    uint32_t loopback_ports;        /* ports strapped to MAC loopback at reset */
    uint32_t nic_tx_inline;         /* TX frames sent in the TX_PI write itself (0: all in the BH) */

    bool in_reset;

    /* core */
    uint64_t irq_status, irq_mask;  /* bit v: vector v (0..63) */
    uint32_t scratch;
    uint32_t ts_hi_latch;
    uint64_t test_dma_addr;
    uint32_t test_dma_size, test_dma_pattern, test_dma_op, test_dma_status;
    uint64_t test_events;
    QEMUBH *test_dma_bh;

    /* event queue */
    uint64_t eq_base;
    uint32_t eq_size, eq_ci, eq_pi, eq_cfg, eq_status, eq_lost;
    uint32_t event_seq;

    /* sync manager */
    uint32_t sob[KILN_SM_NUM_SOBS];
    KilnMonitor mon[KILN_SM_NUM_MONITORS];
    uint32_t sm_fire_count, sm_err_cause, sm_err_info;
    unsigned sm_chain;

    /* device-CPU channel */
    uint64_t cp_base;
    uint32_t cp_size, cp_pi, cp_ci, cp_status, cp_err, cp_answered;
    QEMUBH *cp_bh;
    bool temp_over, power_over;

    /* HBM ECC */
    uint32_t hbm_serr, hbm_derr, hbm_last_info;
    uint64_t hbm_last_addr;
    uint64_t hbm_win_base;          /* HBM offset BAR4 shows */
    uint32_t hbm_win_lo;            /* WINDOW_BASE_LO as written, applied by the HI write */

    /* bytes moved over PCIe since reset (cpucp PCIE_THROUGHPUT_GET) */
    uint64_t pcie_tx_bytes, pcie_rx_bytes;

    KilnEngine eng[KILN_NUM_DMA_ENGINES];
    KilnPort port[KILN_MAX_PORTS];

    KilnFaults f;
    uint64_t rng;
};

/* kiln-accel.c: PCI function, interrupts, reset, dispatch */
void kiln_irq_raise(KilnState *s, unsigned vec);
void kiln_blocks_reset(KilnState *s);
bool kiln_cfg_write(KilnState *s, uint32_t off, uint32_t val);
uint64_t kiln_now_ns(void);
bool kiln_chance_ppm(KilnState *s, uint32_t ppm);
uint32_t kiln_rand32(KilnState *s);
void kiln_update_intx(KilnState *s);

/* kiln-core.c: core block and self-test hooks */
void kiln_core_init(KilnState *s);
void kiln_core_exit(KilnState *s);
void kiln_core_reset(KilnState *s);
uint32_t kiln_core_read(KilnState *s, uint32_t off);
void kiln_core_write(KilnState *s, uint32_t off, uint32_t val);

/* kiln-mem.c: device address space and HBM ECC */
KilnMemResult kiln_mem_read(KilnState *s, uint64_t addr, void *buf, uint64_t len);
KilnMemResult kiln_mem_write(KilnState *s, uint64_t addr, const void *buf, uint64_t len);
KilnMemResult kiln_mem_check(KilnState *s, uint64_t addr, uint64_t len);
KilnMemResult kiln_mem_write32(KilnState *s, uint64_t addr, uint32_t val);
bool kiln_bus_master(KilnState *s);
void kiln_hbm_inject(KilnState *s, uint64_t addr, bool derr);
uint32_t kiln_hbm_read(KilnState *s, uint32_t off);
void kiln_hbm_write(KilnState *s, uint32_t off, uint32_t val);
void kiln_hbm_reset(KilnState *s);

/* kiln-eq.c */
void kiln_eq_post(KilnState *s, uint32_t type, const void *payload, size_t len);
uint32_t kiln_eq_read(KilnState *s, uint32_t off);
void kiln_eq_write(KilnState *s, uint32_t off, uint32_t val);
void kiln_eq_reset(KilnState *s);

/* kiln-qman.c */
void kiln_qman_init(KilnState *s);
void kiln_qman_exit(KilnState *s);
void kiln_qman_reset(KilnState *s);
uint32_t kiln_qman_read(KilnState *s, unsigned eng, uint32_t off);
bool kiln_qman_write(KilnState *s, unsigned eng, uint32_t off, uint32_t val);
void kiln_qman_kick_all(KilnState *s);

/* kiln-sync.c */
uint32_t kiln_sm_read(KilnState *s, uint32_t off);
bool kiln_sm_write(KilnState *s, uint32_t off, uint32_t val);
void kiln_sm_reset(KilnState *s);

/* kiln-cpucp.c */
void kiln_cpucp_kick(KilnState *s);
void kiln_cpucp_init(KilnState *s);
void kiln_cpucp_exit(KilnState *s);
uint32_t kiln_cpucp_read(KilnState *s, uint32_t off);
void kiln_cpucp_write(KilnState *s, uint32_t off, uint32_t val);
void kiln_cpucp_reset(KilnState *s);
void kiln_env_update(KilnState *s);

/* kiln-nic.c, kiln-nic-regs.c */
bool kiln_nic_realize(KilnState *s, Error **errp);
void kiln_nic_exit(KilnState *s);
uint32_t kiln_nic_read(KilnState *s, unsigned port, uint32_t off);
void kiln_nic_write(KilnState *s, unsigned port, uint32_t off, uint32_t val);
void kiln_nic_reset(KilnState *s);
void kiln_nic_update_links(KilnState *s);
void kiln_nic_flap(KilnState *s, uint32_t mask);

/* kiln-faults.c */
void kiln_faults_class_init(ObjectClass *oc);
void kiln_faults_defaults(KilnState *s);
void kiln_pcie_link_update(KilnState *s);

#endif /* HW_MISC_KILN_ACCEL_H */
