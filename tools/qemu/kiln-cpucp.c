/*
 * Kiln accelerator device model: the device-CPU channel (cpucp-style requests: info,
 * sensors, PCIe counters, HBM ECC, link status) and the thermal/power environment events.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "kiln-accel.h"
#include "trace.h"

#define KILN_CPUCP_BUDGET 32
#define KILN_CARD_NAME "kiln-accel"
#define KILN_CPUCP_FW_VERSION "kiln-model-1.0"

static bool cp_ring_ok(KilnState *s)
{
    return KILN_IS_POW2(s->cp_size) && s->cp_size >= KILN_QM_RING_MIN &&
           s->cp_size <= KILN_QM_RING_MAX && !(s->cp_base & (sizeof(struct kiln_bd) - 1));
}

static void kiln_cpucp_fail(KilnState *s, uint32_t cause, uint64_t addr)
{
    struct kiln_ev_cpucp_err ev = { .cause = cause, .index = s->cp_ci, .addr = addr };

    qemu_log_mask(LOG_GUEST_ERROR, "kiln: device-CPU channel error %u at 0x%" PRIx64 "\n",
                  cause, addr);
    s->cp_err = cause;
    s->cp_status |= KILN_CPUCP_STS_STOPPED;
    kiln_eq_post(s, KILN_EVENT_CPUCP_ERR, &ev, sizeof(ev));
}

static void kiln_cpucp_info(KilnState *s, struct kiln_cpucp_info *info)
{
    memset(info, 0, sizeof(*info));
    info->struct_version = cpu_to_le32(KILN_CPUCP_INFO_VERSION);
    info->num_ports = cpu_to_le32(s->num_ports);
    info->hbm_size = cpu_to_le64(s->hbm_size);
    info->sram_size = cpu_to_le64(s->sram_size);
    info->dsn = cpu_to_le64(s->dsn);
    pstrcpy(info->card_name, sizeof(info->card_name), KILN_CARD_NAME);
    pstrcpy(info->cpucp_version, sizeof(info->cpucp_version), KILN_CPUCP_FW_VERSION);
    pstrcpy(info->fw_version, sizeof(info->fw_version), KILN_CPUCP_FW_VERSION);
    pstrcpy(info->serial, sizeof(info->serial), s->f.info_serial[0] ? s->f.info_serial : s->serial);
    for (unsigned p = 0; p < s->num_ports; p++) {
        memcpy(info->mac[p], s->port[p].mac, sizeof(s->port[p].mac));
    }
}

/* Answer one request: returns rc, sets *result. */
static uint32_t kiln_cpucp_answer(KilnState *s, struct kiln_cpucp_packet *pkt,
                                  uint64_t *result)
{
    uint32_t op = KILN_FIELD_GET(KILN_CPUCP_CTL_OPCODE, le32_to_cpu(pkt->ctl));
    uint16_t sensor = le16_to_cpu(pkt->sensor_index);
    uint16_t type = le16_to_cpu(pkt->type);
    uint32_t index = le32_to_cpu(pkt->index);
    uint32_t port = le32_to_cpu(pkt->port_index);
    uint64_t value = le64_to_cpu(pkt->value);

    *result = 0;
    switch (op) {
    case KILN_CPUCP_TEMPERATURE_GET:
        if (sensor != 0 || (type != KILN_CPUCP_SENSOR_INPUT && type != KILN_CPUCP_SENSOR_MAX)) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = type == KILN_CPUCP_SENSOR_MAX ? s->f.temp_limit_mc : s->f.temp_mc;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_VOLTAGE_GET:
        if (sensor != 0 || (type != KILN_CPUCP_SENSOR_INPUT && type != KILN_CPUCP_IN_MIN &&
                            type != KILN_CPUCP_IN_MAX)) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = type == KILN_CPUCP_IN_MIN ? s->f.voltage_min_mv :
                  type == KILN_CPUCP_IN_MAX ? s->f.voltage_max_mv : s->f.voltage_mv;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_CURRENT_GET:
        if (sensor != 0 || (type != KILN_CPUCP_SENSOR_INPUT && type != KILN_CPUCP_CURR_MAX)) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = type == KILN_CPUCP_CURR_MAX ? s->f.current_max_ma : s->f.current_ma;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_FAN_SPEED_GET:
        if (sensor != 0 || (type != KILN_CPUCP_SENSOR_INPUT && type != KILN_CPUCP_FAN_MIN)) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = type == KILN_CPUCP_FAN_MIN ? s->f.fan_min_rpm : s->f.fan_rpm;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_POWER_GET:
        *result = s->f.power_mw;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_MAX_POWER_GET:
        *result = s->f.power_limit_mw;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_TEST:
        *result = value;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_INFO_GET: {
        struct kiln_cpucp_info info;
        uint32_t n = MIN(index, (uint32_t)sizeof(info));

        kiln_cpucp_info(s, &info);
        if (n && kiln_mem_write(s, value, &info, n) != KILN_MEM_OK) {
            return KILN_CPUCP_RC_FAULT;
        }
        *result = n;
        return KILN_CPUCP_RC_SUCCESS;
    }
    case KILN_CPUCP_PCIE_THROUGHPUT_GET:
        if (index > 1) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = index == 0 ? s->pcie_tx_bytes : s->pcie_rx_bytes;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_PCIE_REPLAY_CNT_GET:
        *result = s->f.pcie_replay_count;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_NIC_STATUS:
        if (port >= s->num_ports) {
            return KILN_CPUCP_RC_INVALID_PARAMS;
        }
        *result = (s->port[port].link_up ? KILN_CPUCP_LINK_UP : 0) |
                  ((s->port[port].cfg & KILN_NIC_CFG_LOOPBACK) ? KILN_CPUCP_LINK_LOOPBACK : 0) |
                  KILN_FIELD_PREP(KILN_CPUCP_LINK_SPEED_GBPS, KILN_NIC_SPEED_GBPS);
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_UPTIME_GET:
        /* the virtual clock since the machine started, plus the clock-warp-s knob */
        *result = (uint64_t)qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + (uint64_t)s->f.clock_warp_s * 1000;
        return KILN_CPUCP_RC_SUCCESS;
    case KILN_CPUCP_HBM_ECC_GET:
        /* the model keeps device-wide counts; any stack index (or ~0) reads them */
        *result = ((uint64_t)s->hbm_derr << 32) | s->hbm_serr;
        return KILN_CPUCP_RC_SUCCESS;
    default:
        return KILN_CPUCP_RC_INVALID;
    }
}

static void kiln_cpucp_bh(void *opaque)
{
    KilnState *s = opaque;

    for (int n = 0; n < KILN_CPUCP_BUDGET; n++) {
        struct kiln_bd bd;
        struct kiln_cpucp_packet pkt;
        uint64_t addr, result;
        uint32_t rc, ctl;
        uint8_t le[4];
        KilnMemResult r;

        if (s->f.device_gone || s->f.cpucp_hang || (s->cp_status & KILN_CPUCP_STS_STOPPED) ||
            s->cp_ci == s->cp_pi) {
            return;
        }
        if (!kiln_bus_master(s)) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_BUS_MASTER, s->cp_base);
            return;
        }
        addr = s->cp_base + (uint64_t)kiln_ring_slot(s->cp_ci, s->cp_size) * sizeof(bd);
        if (kiln_mem_read(s, addr, &bd, sizeof(bd)) != KILN_MEM_OK) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_FETCH, addr);
            return;
        }
        addr = le64_to_cpu(bd.ptr);
        if (le32_to_cpu(bd.len) < sizeof(pkt)) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_BAD_LEN, addr);
            return;
        }
        if (kiln_mem_read(s, addr, &pkt, sizeof(pkt)) != KILN_MEM_OK) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_FETCH, addr);
            return;
        }
        rc = kiln_cpucp_answer(s, &pkt, &result);
        trace_kiln_cpucp(KILN_FIELD_GET(KILN_CPUCP_CTL_OPCODE, le32_to_cpu(pkt.ctl)), rc, result);
        ctl = (le32_to_cpu(pkt.ctl) & ~KILN_CPUCP_CTL_RC) | KILN_FIELD_PREP(KILN_CPUCP_CTL_RC, rc);
        pkt.value = cpu_to_le64(result);
        pkt.ctl = cpu_to_le32(ctl);
        /* result and rc first, the fence last: the host polls the fence */
        r = kiln_mem_write(s, addr, &pkt, offsetof(struct kiln_cpucp_packet, fence));
        stl_le_p(le, KILN_CPUCP_FENCE_VAL);
        if (r == KILN_MEM_OK) {
            r = kiln_mem_write(s, addr + offsetof(struct kiln_cpucp_packet, fence), le,
                               sizeof(le));
        }
        if (r != KILN_MEM_OK) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_WRITEBACK, addr);
            return;
        }
        s->cp_ci = kiln_ring_next(s->cp_ci, s->cp_size);
        s->cp_answered++;
        kiln_irq_raise(s, KILN_VEC_CPUCP);
    }
    qemu_bh_schedule(s->cp_bh);
}

uint32_t kiln_cpucp_read(KilnState *s, uint32_t off)
{
    switch (off) {
    case KILN_CPUCP_PQ_BASE_LO:
        return (uint32_t)s->cp_base;
    case KILN_CPUCP_PQ_BASE_HI:
        return (uint32_t)(s->cp_base >> 32);
    case KILN_CPUCP_PQ_SIZE:
        return s->cp_size;
    case KILN_CPUCP_PQ_PI:
        return s->cp_pi;
    case KILN_CPUCP_PQ_CI:
        return s->cp_ci;
    case KILN_CPUCP_STATUS:
        return s->cp_status;
    case KILN_CPUCP_ERR_CAUSE:
        return s->cp_err;
    case KILN_CPUCP_ANSWERED:
        return s->cp_answered;
    default:
        return 0;
    }
}

void kiln_cpucp_write(KilnState *s, uint32_t off, uint32_t val)
{
    switch (off) {
    case KILN_CPUCP_PQ_BASE_LO:
        s->cp_base = deposit64(s->cp_base, 0, 32, val);
        break;
    case KILN_CPUCP_PQ_BASE_HI:
        s->cp_base = deposit64(s->cp_base, 32, 32, val);
        break;
    case KILN_CPUCP_PQ_SIZE:
        s->cp_size = val;
        s->cp_pi = 0;
        s->cp_ci = 0;
        break;
    case KILN_CPUCP_PQ_PI:
        if (s->cp_status & KILN_CPUCP_STS_STOPPED) {
            break;
        }
        if (!cp_ring_ok(s)) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_RING_CONFIG, s->cp_base);
        } else if (!kiln_ring_pi_in_range(val, s->cp_size) ||
                   !kiln_ring_pi_no_overrun(val, s->cp_ci, s->cp_size)) {
            kiln_cpucp_fail(s, KILN_CPUCP_ERR_PI_RANGE, val);
        } else {
            s->cp_pi = val;
            qemu_bh_schedule(s->cp_bh);
        }
        break;
    case KILN_CPUCP_CTRL:
        if ((val & 1) && (s->cp_status & KILN_CPUCP_STS_STOPPED)) {
            if (s->cp_ci != s->cp_pi && s->cp_size &&
                s->cp_err != KILN_CPUCP_ERR_PI_RANGE && s->cp_err != KILN_CPUCP_ERR_RING_CONFIG) {
                s->cp_ci = kiln_ring_next(s->cp_ci, s->cp_size);
            }
            s->cp_status &= ~KILN_CPUCP_STS_STOPPED;
            s->cp_err = 0;
            qemu_bh_schedule(s->cp_bh);
        }
        break;
    default:
        break;
    }
}

void kiln_cpucp_reset(KilnState *s)
{
    if (s->cp_bh) {
        qemu_bh_cancel(s->cp_bh);
    }
    s->cp_base = 0;
    s->cp_size = 0;
    s->cp_pi = 0;
    s->cp_ci = 0;
    s->cp_status = 0;
    s->cp_err = 0;
    s->cp_answered = 0;
}

/* cpucp-hang cleared: answer what waited. */
void kiln_cpucp_kick(KilnState *s)
{
    if (s->cp_bh && !s->f.cpucp_hang) {
        qemu_bh_schedule(s->cp_bh);
    }
}

void kiln_cpucp_init(KilnState *s)
{
    s->cp_bh = qemu_bh_new_guarded(kiln_cpucp_bh, s, &DEVICE(s)->mem_reentrancy_guard);
}

void kiln_cpucp_exit(KilnState *s)
{
    if (s->cp_bh) {
        qemu_bh_delete(s->cp_bh);
        s->cp_bh = NULL;
    }
}

/* Thermal / power threshold crossings: _S when a value goes above its limit, _E back. */
void kiln_env_update(KilnState *s)
{
    bool temp_over = s->f.temp_mc > s->f.temp_limit_mc;
    bool power_over = s->f.power_mw > s->f.power_limit_mw;

    if (temp_over != s->temp_over) {
        struct kiln_ev_env ev = { .value = s->f.temp_mc, .limit = s->f.temp_limit_mc };

        s->temp_over = temp_over;
        kiln_eq_post(s, temp_over ? KILN_EVENT_THERMAL_ENV_S : KILN_EVENT_THERMAL_ENV_E,
                     &ev, sizeof(ev));
    }
    if (power_over != s->power_over) {
        struct kiln_ev_env ev = { .value = s->f.power_mw, .limit = s->f.power_limit_mw };

        s->power_over = power_over;
        kiln_eq_post(s, power_over ? KILN_EVENT_POWER_ENV_S : KILN_EVENT_POWER_ENV_E,
                     &ev, sizeof(ev));
    }
}
