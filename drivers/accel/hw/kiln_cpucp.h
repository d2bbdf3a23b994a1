/* SPDX-License-Identifier: MIT */
/*
 * Kiln accelerator: device-CPU channel (cpucp). The host places a struct kiln_cpucp_packet in
 * memory, a BD (kiln_qman.h) pointing at it into the channel's PQ and writes the PI doorbell;
 * the device CPU answers in place: result, rc in ctl, then the fence word.
 * Offsets relative to KILN_BLK_CPUCP. Contract: docs/device.md section 9.
 *
 * Packet layout, opcode numbers, ctl fields, rc values, sensor attribute numbers and the
 * fence value follow include/common/cpucp_if.h of the Linux habanalabs driver
 * (struct cpucp_packet, enum cpucp_packet_id, CPUCP_PACKET_FENCE_VAL).
 */
#ifndef KILN_HW_CPUCP_H
#define KILN_HW_CPUCP_H

#include <stdint.h>
#include "kiln_bits.h"
#include "kiln_qman.h"

#define KILN_CPUCP_PQ_BASE_LO       0x00u   /* RW: device address of the PQ (host memory) */
#define KILN_CPUCP_PQ_BASE_HI       0x04u   /* RW */
#define KILN_CPUCP_PQ_SIZE          0x08u   /* RW: entries, power of two in [2, 4096] */
#define KILN_CPUCP_PQ_PI            0x0cu   /* RW doorbell: [0, 2*SIZE) */
#define KILN_CPUCP_PQ_CI            0x10u   /* RO: [0, 2*SIZE) */
#define KILN_CPUCP_STATUS           0x14u   /* RO: see KILN_CPUCP_STS_* */
#define KILN_CPUCP_ERR_CAUSE        0x18u   /* RO: KILN_CPUCP_ERR_* */
#define KILN_CPUCP_ANSWERED         0x1cu   /* RO: requests answered since reset (heartbeat) */
#define KILN_CPUCP_CTRL             0x20u   /* WO: bit 0 resume after an error (skips the slot) */

#define KILN_CPUCP_STS_STOPPED      KILN_BIT(0)

#define KILN_CPUCP_ERR_NONE         0u
#define KILN_CPUCP_ERR_PI_RANGE     1u
#define KILN_CPUCP_ERR_RING_CONFIG  2u
#define KILN_CPUCP_ERR_FETCH        3u  /* BD or packet could not be read */
#define KILN_CPUCP_ERR_BAD_LEN      4u  /* BD len < sizeof(struct kiln_cpucp_packet) */
#define KILN_CPUCP_ERR_WRITEBACK    5u  /* answer could not be written */
#define KILN_CPUCP_ERR_BUS_MASTER   6u

struct kiln_cpucp_packet {
	uint64_t value;                 /* SET: value; GET: result; INFO_GET: buffer address */
	uint32_t ctl;                   /* opcode [28:16], rc [15:12] */
	uint32_t fence;                 /* device writes KILN_CPUCP_FENCE_VAL last */
	union {
		struct { uint16_t sensor_index; uint16_t type; };
		uint32_t index;
		uint32_t data_max_size;
	};
	uint32_t port_index;
};
_Static_assert(sizeof(struct kiln_cpucp_packet) == 24, "cpucp packet is 24 bytes");

#define KILN_CPUCP_FENCE_VAL        0xfe8ce7a5u
#define KILN_CPUCP_CTL_RC           KILN_GENMASK(15, 12)
#define KILN_CPUCP_CTL_OPCODE       KILN_GENMASK(28, 16)

#define KILN_CPUCP_RC_SUCCESS       0u
#define KILN_CPUCP_RC_INVALID       1u  /* opcode not supported */
#define KILN_CPUCP_RC_FAULT         2u  /* the answer buffer could not be written */
#define KILN_CPUCP_RC_INVALID_PARAMS 4u /* sensor/port index or type out of range */

/* Opcodes answered by the model (Gaudi numbering). Others complete with RC_INVALID. */
#define KILN_CPUCP_TEMPERATURE_GET  3u  /* type 0 input, 6 max (limit); millidegrees C */
#define KILN_CPUCP_VOLTAGE_GET      4u  /* type 0 input; millivolts */
#define KILN_CPUCP_CURRENT_GET      5u  /* type 0 input; milliamps */
#define KILN_CPUCP_FAN_SPEED_GET    6u  /* type 0 input; rpm */
#define KILN_CPUCP_INFO_GET         14u /* writes struct kiln_cpucp_info at value */
#define KILN_CPUCP_TEST             18u /* result = value (heartbeat / connectivity) */
#define KILN_CPUCP_MAX_POWER_GET    20u /* milliwatts (power limit) */
#define KILN_CPUCP_PCIE_THROUGHPUT_GET 27u /* index 0 tx / 1 rx: bytes moved since reset */
#define KILN_CPUCP_PCIE_REPLAY_CNT_GET 28u /* replay counter (fault knob pcie-replay-count) */
#define KILN_CPUCP_NIC_STATUS       31u /* port_index: result = KILN_CPUCP_LINK_* bits */
#define KILN_CPUCP_POWER_GET        32u /* milliwatts */
/* Model-specific opcode (no Gaudi equivalent). */
#define KILN_CPUCP_HBM_ECC_GET      0x100u /* result = derr << 32 | serr; index = stack or ~0 all */

#define KILN_CPUCP_SENSOR_INPUT     0u  /* cpucp_temp_input / cpucp_in_input / ... */
#define KILN_CPUCP_SENSOR_MAX       6u  /* cpucp_temp_max: the threshold */

#define KILN_CPUCP_LINK_UP          KILN_BIT(0)
#define KILN_CPUCP_LINK_LOOPBACK    KILN_BIT(1)
#define KILN_CPUCP_LINK_SPEED_GBPS  KILN_GENMASK(31, 16)

#define KILN_CPUCP_CARD_NAME_LEN    16u
#define KILN_CPUCP_VERSION_LEN      32u
#define KILN_CPUCP_SERIAL_LEN       32u

/* INFO_GET answer (model layout, after the spirit of struct cpucp_info). */
struct kiln_cpucp_info {
	uint32_t struct_version;        /* KILN_CPUCP_INFO_VERSION */
	uint32_t num_ports;
	uint64_t hbm_size;
	uint64_t sram_size;
	uint64_t dsn;
	char card_name[KILN_CPUCP_CARD_NAME_LEN];
	char cpucp_version[KILN_CPUCP_VERSION_LEN];
	char fw_version[KILN_CPUCP_VERSION_LEN];
	char serial[KILN_CPUCP_SERIAL_LEN];
	uint8_t mac[24][8];             /* port p MAC in mac[p][0..5] (version 1 had 8) */
};
#define KILN_CPUCP_INFO_VERSION     2u
_Static_assert(sizeof(struct kiln_cpucp_info) == 336, "cpucp info layout");

#endif /* KILN_HW_CPUCP_H */
