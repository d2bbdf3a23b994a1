/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: event queue block, entry layout, event ids and payloads.
 * Offsets relative to KILN_BLK_EQ. Contract: docs/device.md section 7.
 *
 * Entry header and event ids follow the Linux habanalabs driver's public headers:
 * include/common/cpucp_if.h (struct hl_eq_header, EQ_CTL_*) and
 * include/gaudi/gaudi_async_events.h (enum gaudi_async_event_id).
 */
#ifndef KILN_HW_EQ_H
#define KILN_HW_EQ_H

#include <stdint.h>
#include "kiln_bits.h"

#define KILN_EQ_BASE_LO             0x000u  /* RW: device address of the ring (host memory) */
#define KILN_EQ_BASE_HI             0x004u  /* RW */
#define KILN_EQ_SIZE                0x008u  /* RW: entries, power of two in [4, 4096] */
#define KILN_EQ_CI                  0x00cu  /* RW: consumer index in [0, SIZE): driver ack */
#define KILN_EQ_PI                  0x010u  /* RO: next slot the device writes, [0, SIZE) */
#define KILN_EQ_CFG                 0x014u  /* RW: see KILN_EQ_CFG_* */
#define KILN_EQ_STATUS              0x018u  /* RW1C: see KILN_EQ_STATUS_* */
#define KILN_EQ_LOST                0x01cu  /* RO: events dropped (ring full/disabled/DMA fault) */

#define KILN_EQ_CFG_ENABLE          KILN_BIT(0)
#define KILN_EQ_STATUS_OVERFLOW     KILN_BIT(0) /* an event was dropped because the ring was full */
#define KILN_EQ_STATUS_DMA_FAULT    KILN_BIT(1) /* an entry could not be written */

#define KILN_EQ_SIZE_MIN            4u
#define KILN_EQ_SIZE_MAX            4096u

/* 64-byte entry. */
struct kiln_eq_entry {
	uint32_t reserved;
	uint32_t ctl;
	uint64_t data[7];
};
_Static_assert(sizeof(struct kiln_eq_entry) == 64, "EQ entry is 64 bytes");

#define KILN_EQ_CTL_READY           KILN_BIT(31)
#define KILN_EQ_CTL_TYPE            KILN_GENMASK(25, 16)    /* event id */
#define KILN_EQ_CTL_INDEX           KILN_GENMASK(15, 0)     /* event sequence number, low 16 bits */

/* Event ids (Gaudi numbering where Gaudi has the event). */
#define KILN_EVENT_HBM_SERR(stack)  (185u + (stack))    /* GAUDI_EVENT_HBM_0_SERR.. */
#define KILN_EVENT_HBM_DERR(stack)  (189u + (stack))    /* GAUDI_EVENT_HBM_0_DERR.. */
#define KILN_EVENT_DMA_QM(e)        (583u + (e))        /* GAUDI_EVENT_DMA0_QM.. */
/* NIC events of ports 0..9 keep Gaudi 1's ten ids; ports 10..23 (Gaudi 2 sizes) use model ids
 * 710..723 and 740..753 (written without ?: so the Python tests can read the header). */
#define KILN_EVENT_NIC_QM(p)        (594u + (p) + ((p) >= 10u) * 106u) /* GAUDI_EVENT_NIC0_QM0.. (port p) */
#define KILN_EVENT_DMA_CORE(e)      (604u + (e))        /* GAUDI_EVENT_DMA0_CORE.. */
#define KILN_EVENT_NIC_STATUS(p)    (648u + (p) + ((p) >= 10u) * 82u) /* GAUDI_EVENT_STATUS_NIC0_ENG0.. */
#define KILN_EVENT_NIC_GAUDI_PORTS  10u /* ports with Gaudi ids */
#define KILN_EVENT_NIC_PORTS        24u /* ports with an id */

/* The port of a NIC_QM / NIC_STATUS event id, or -1 if t is not one. */
static inline int kiln_event_nic_port(uint32_t t, int status)
{
	for (uint32_t p = 0; p < KILN_EVENT_NIC_PORTS; p++)
		if (t == (status ? KILN_EVENT_NIC_STATUS(p) : KILN_EVENT_NIC_QM(p)))
			return (int)p;
	return -1;
}
#define KILN_EVENT_POWER_ENV_S      658u                /* GAUDI_EVENT_FIX_POWER_ENV_S */
#define KILN_EVENT_POWER_ENV_E      659u                /* GAUDI_EVENT_FIX_POWER_ENV_E */
#define KILN_EVENT_THERMAL_ENV_S    660u                /* GAUDI_EVENT_FIX_THERMAL_ENV_S */
#define KILN_EVENT_THERMAL_ENV_E    661u                /* GAUDI_EVENT_FIX_THERMAL_ENV_E */
/* Model-specific ids (no Gaudi equivalent), above Gaudi's GAUDI_EVENT_SIZE (663). */
#define KILN_EVENT_SM_ERR           700u                /* sync manager programming error */
#define KILN_EVENT_CPUCP_ERR        701u                /* device-CPU channel error */
#define KILN_EVENT_TEST             702u                /* default id of TEST_EVENT posts */
#define KILN_EVENT_MAX              1023u

/* Payloads: the data[] words of each event kind. */
struct kiln_ev_qman_err {           /* KILN_EVENT_DMA_QM(e) */
	uint32_t stream;                /* 0..3 */
	uint32_t cause;                 /* KILN_QM_ERR_* (kiln_qman.h) */
	uint32_t pq_index;              /* PQ slot of the failing CB (CI at failure) */
	uint32_t cb_offset;             /* byte offset of the failing packet in its buffer */
	uint64_t addr;                  /* faulting device address, or 0 */
	uint32_t opcode;                /* opcode of the failing packet, or 0 */
	uint32_t pad;
};
struct kiln_ev_dma_core {           /* KILN_EVENT_DMA_CORE(e): a LIN_DMA faulted */
	uint32_t stream;
	uint32_t cause;                 /* KILN_QM_ERR_DMA_* */
	uint64_t src;
	uint64_t dst;
	uint64_t fault_addr;            /* the device address that faulted */
	uint32_t tsize;
	uint32_t pad;
};
struct kiln_ev_hbm_ecc {            /* KILN_EVENT_HBM_SERR/DERR(stack) */
	uint64_t addr;                  /* HBM offset of the error */
	uint32_t serr_count;            /* corrected errors so far */
	uint32_t derr_count;            /* uncorrected errors so far */
	uint32_t stack;
	uint32_t pad;
};
struct kiln_ev_nic_status {         /* KILN_EVENT_NIC_STATUS(p) */
	uint32_t port;
	uint32_t link_up;               /* 1 up, 0 down */
	uint32_t reason;                /* KILN_NIC_LINK_REASON_* (kiln_nic.h) */
	uint32_t flap_count;            /* link transitions to down on this port since reset */
};
struct kiln_ev_nic_err {            /* KILN_EVENT_NIC_QM(p) */
	uint32_t port;
	uint32_t cause;                 /* KILN_NIC_ERR_* (kiln_nic.h) */
	uint32_t index;                 /* ring index at failure */
	uint32_t pad;
	uint64_t addr;
};
struct kiln_ev_env {                /* THERMAL/POWER_ENV_S (crossed above) and _E (back below) */
	uint32_t value;                 /* millidegrees C or milliwatts */
	uint32_t limit;                 /* the threshold crossed */
	uint32_t sensor;                /* sensor index (0) */
	uint32_t pad;
};
struct kiln_ev_sm_err {             /* KILN_EVENT_SM_ERR */
	uint32_t cause;                 /* KILN_SM_ERR_* (kiln_sync.h) */
	uint32_t monitor;               /* monitor or SOB index concerned */
	uint64_t addr;                  /* payload address, or 0 */
};
struct kiln_ev_cpucp_err {          /* KILN_EVENT_CPUCP_ERR */
	uint32_t cause;                 /* KILN_CPUCP_ERR_* (kiln_cpucp.h) */
	uint32_t index;                 /* PQ slot */
	uint64_t addr;
};
struct kiln_ev_test {               /* TEST_EVENT posts */
	uint64_t magic;                 /* KILN_EV_TEST_MAGIC */
	uint64_t count;                 /* test events posted since reset */
};
#define KILN_EV_TEST_MAGIC          0x4b494c4e54455354ull /* "KILNTEST" */

/* Every payload fits the 56 data bytes of an entry. */
_Static_assert(sizeof(struct kiln_ev_qman_err) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_dma_core) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_hbm_ecc) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_nic_status) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_nic_err) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_env) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_sm_err) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_cpucp_err) <= 56, "payload fits an EQ entry");
_Static_assert(sizeof(struct kiln_ev_test) <= 56, "payload fits an EQ entry");

#endif /* KILN_HW_EQ_H */
