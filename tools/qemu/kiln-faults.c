/*
 * Kiln accelerator device model: fault knobs. Every knob is a QOM property settable at
 * run time (qom-set over QMP) as well as on -device; docs/device.md section 11 says what
 * each one does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/cutils.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-core.h"
#include "kiln-accel.h"
#include "trace.h"

typedef enum KilnKnobType { KNOB_U32, KNOB_U64, KNOB_I64, KNOB_BOOL } KilnKnobType;

typedef struct KilnKnob {
    const char *name;
    KilnKnobType type;
    size_t off;
    /* validate a new value (may be NULL) */
    bool (*check)(KilnState *s, uint64_t v, Error **errp);
    /* act on the new value once the device runs (may be NULL) */
    void (*apply)(KilnState *s, uint64_t v);
    const char *desc;
} KilnKnob;

#define F(field) offsetof(KilnState, f.field)

void kiln_pcie_link_update(KilnState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint8_t *cap = pdev->config + pdev->exp.exp_cap;
    uint32_t lnkcap2 = 0;

    pci_long_test_and_clear_mask(cap + PCI_EXP_LNKCAP, PCI_EXP_LNKCAP_SLS | PCI_EXP_LNKCAP_MLW);
    pci_long_test_and_set_mask(cap + PCI_EXP_LNKCAP,
                               s->link_speed | ((uint32_t)s->link_width << 4));
    for (unsigned sp = KILN_PCIE_SPEED_2_5GT; sp <= s->link_speed; sp++) {
        lnkcap2 |= 1u << sp;
    }
    pci_set_long(cap + PCI_EXP_LNKCAP2, lnkcap2);
    pci_word_test_and_clear_mask(cap + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_CLS | PCI_EXP_LNKSTA_NLW);
    pci_word_test_and_set_mask(cap + PCI_EXP_LNKSTA,
                               s->f.pcie_link_speed | (s->f.pcie_link_width << 4));
}

static bool check_hbm_addr(KilnState *s, uint64_t v, Error **errp)
{
    if (!DEVICE(s)->realized) {
        error_setg(errp, "kiln-accel: HBM ECC errors can only be injected into a running device");
        return false;
    }
    if (v >= s->hbm_size) {
        error_setg(errp, "kiln-accel: HBM offset 0x%" PRIx64 " is beyond hbm-size 0x%" PRIx64,
                   v, s->hbm_size);
        return false;
    }
    return true;
}

static bool check_speed(KilnState *s, uint64_t v, Error **errp)
{
    if (v < KILN_PCIE_SPEED_2_5GT || v > KILN_PCIE_SPEED_32GT) {
        error_setg(errp, "kiln-accel: pcie-link-speed must be 1..5 (2.5..32 GT/s)");
        return false;
    }
    return true;
}

static bool check_width(KilnState *s, uint64_t v, Error **errp)
{
    if (!is_power_of_2(v) || v > 32) {
        error_setg(errp, "kiln-accel: pcie-link-width must be 1, 2, 4, 8, 16 or 32");
        return false;
    }
    return true;
}

static bool check_queues(KilnState *s, uint64_t v, Error **errp)
{
    if (v >> KILN_NUM_QUEUES) {
        error_setg(errp, "kiln-accel: queue mask 0x%" PRIx64 " names queues beyond %u", v,
                   KILN_NUM_QUEUES - 1);
        return false;
    }
    return true;
}

static bool check_sob(KilnState *s, uint64_t v, Error **errp)
{
    int64_t i = (int64_t)v;

    if (i != -1 && i != KILN_SYNC_STALL_ALL && (i < 0 || i >= KILN_SM_NUM_SOBS)) {
        error_setg(errp, "kiln-accel: sync-stall-sob must be -1 (off), 0..%u or %u (all)",
                   KILN_SM_NUM_SOBS - 1, KILN_SYNC_STALL_ALL);
        return false;
    }
    return true;
}

static void apply_kick(KilnState *s, uint64_t v)
{
    kiln_qman_kick_all(s);
}

static void apply_serr(KilnState *s, uint64_t v)
{
    kiln_hbm_inject(s, v, false);
}

static void apply_derr(KilnState *s, uint64_t v)
{
    kiln_hbm_inject(s, v, true);
}

static void apply_env(KilnState *s, uint64_t v)
{
    kiln_env_update(s);
}

static void apply_links(KilnState *s, uint64_t v)
{
    kiln_nic_update_links(s);
}

static void apply_flap(KilnState *s, uint64_t v)
{
    kiln_nic_flap(s, (uint32_t)v);
}

static void apply_gone(KilnState *s, uint64_t v)
{
    kiln_update_intx(s);
    kiln_nic_update_links(s);
    kiln_qman_kick_all(s);
}

static void apply_pcie(KilnState *s, uint64_t v)
{
    kiln_pcie_link_update(s);
}

static void apply_aer_cor(KilnState *s, uint64_t v)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    pci_long_test_and_set_mask(pdev->config + pdev->exp.aer_cap + PCI_ERR_COR_STATUS,
                               (uint32_t)v);
}

static void apply_aer_uncor(KilnState *s, uint64_t v)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    pci_long_test_and_set_mask(pdev->config + pdev->exp.aer_cap + PCI_ERR_UNCOR_STATUS,
                               (uint32_t)v);
}

static void apply_cpucp(KilnState *s, uint64_t v)
{
    kiln_cpucp_kick(s);
}

static void apply_seed(KilnState *s, uint64_t v)
{
    s->rng = v;
}

static const KilnKnob kiln_knobs[] = {
    { "queue-hang", KNOB_U32, F(queue_hang), check_queues, apply_kick,
      "queue id mask: those streams stop consuming their PQ" },
    { "bad-cq-index", KNOB_U32, F(bad_cq_index), check_queues, NULL,
      "queue id mask: CQ entries carry shadow index + 1" },
    { "bad-cq-ready", KNOB_U32, F(bad_cq_ready), check_queues, NULL,
      "queue id mask: CQ entries are written without the ready bit" },
    { "dma-corrupt-ppm", KNOB_U32, F(dma_corrupt_ppm), NULL, NULL,
      "per 4 KiB of LIN_DMA data, chance in 1e6 of one flipped bit" },
    { "dma-error-addr", KNOB_U64, F(dma_error_addr), NULL, NULL,
      "device address whose DMA access faults (0: off)" },
    { "hbm-serr-addr", KNOB_U64, F(hbm_serr_addr), check_hbm_addr, apply_serr,
      "inject a corrected single-bit HBM error at this HBM offset" },
    { "hbm-derr-addr", KNOB_U64, F(hbm_derr_addr), check_hbm_addr, apply_derr,
      "inject an uncorrected double-bit HBM error at this HBM offset (data damaged)" },
    { "irq-drop-mask", KNOB_U64, F(irq_drop_mask), NULL, NULL,
      "vector mask: MSI-X/INTx messages of these vectors are not sent" },
    { "sync-stall-sob", KNOB_I64, F(sync_stall_sob), check_sob, NULL,
      "SOB whose increments are dropped (-1 off, 65535 all)" },
    { "temp-mc", KNOB_U32, F(temp_mc), NULL, apply_env, "temperature, millidegrees C" },
    { "temp-limit-mc", KNOB_U32, F(temp_limit_mc), NULL, apply_env,
      "thermal threshold, millidegrees C" },
    { "power-mw", KNOB_U32, F(power_mw), NULL, apply_env, "power, milliwatts" },
    { "power-limit-mw", KNOB_U32, F(power_limit_mw), NULL, apply_env,
      "power threshold, milliwatts" },
    { "voltage-mv", KNOB_U32, F(voltage_mv), NULL, NULL, "voltage, millivolts" },
    { "current-ma", KNOB_U32, F(current_ma), NULL, NULL, "current, milliamps" },
    { "fan-rpm", KNOB_U32, F(fan_rpm), NULL, NULL, "fan speed, rpm" },
    { "voltage-min-mv", KNOB_U32, F(voltage_min_mv), NULL, NULL,
      "lowest allowed voltage the device reports (VOLTAGE_GET min), millivolts" },
    { "voltage-max-mv", KNOB_U32, F(voltage_max_mv), NULL, NULL,
      "highest allowed voltage the device reports (VOLTAGE_GET max), millivolts" },
    { "current-max-ma", KNOB_U32, F(current_max_ma), NULL, NULL,
      "highest allowed current the device reports (CURRENT_GET max), milliamps" },
    { "fan-min-rpm", KNOB_U32, F(fan_min_rpm), NULL, NULL,
      "slowest allowed fan speed the device reports (FAN_SPEED_GET min), rpm" },
    { "link-down", KNOB_U32, F(link_down), NULL, apply_links,
      "port mask: links held down" },
    { "link-flap", KNOB_U32, F(link_flap), NULL, apply_flap,
      "port mask: each write takes those links down for 10 ms once" },
    { "frame-drop-ppm", KNOB_U32, F(frame_drop_ppm), NULL, NULL,
      "chance in 1e6 that a transmitted frame is lost on the wire" },
    { "frame-corrupt-ppm", KNOB_U32, F(frame_corrupt_ppm), NULL, NULL,
      "chance in 1e6 that a transmitted frame has one payload bit flipped" },
    { "frame-fault-ports", KNOB_U32, F(frame_fault_ports), NULL, NULL,
      "port mask whose transmitted frames frame-drop-ppm/frame-corrupt-ppm affect (default all)" },
    { "tx-wb-stale", KNOB_U32, F(tx_wb_stale), NULL, NULL,
      "port mask: the TX write-back word is no longer written (TX_CI still moves)" },
    { "device-gone", KNOB_BOOL, F(device_gone), NULL, apply_gone,
      "the device stops answering: config BAR and config space read all-ones" },
    { "pcie-link-speed", KNOB_U32, F(pcie_link_speed), check_speed, apply_pcie,
      "negotiated link speed reported in Link Status (1..5)" },
    { "pcie-link-width", KNOB_U32, F(pcie_link_width), check_width, apply_pcie,
      "negotiated link width reported in Link Status" },
    { "aer-cor-status", KNOB_U32, F(aer_cor_status), NULL, apply_aer_cor,
      "bits ORed into the AER Correctable Error Status register" },
    { "aer-uncor-status", KNOB_U32, F(aer_uncor_status), NULL, apply_aer_uncor,
      "bits ORed into the AER Uncorrectable Error Status register" },
    { "pcie-replay-count", KNOB_U32, F(pcie_replay_count), NULL, NULL,
      "value of the PCIe replay counter (cpucp PCIE_REPLAY_CNT_GET)" },
    { "cpucp-hang", KNOB_BOOL, F(cpucp_hang), NULL, apply_cpucp,
      "the device CPU answers no request (hung firmware); clearing answers what waited" },
    { "clock-warp-s", KNOB_U32, F(clock_warp_s), NULL, NULL,
      "seconds the device clock (cpucp UPTIME_GET) runs ahead of the machine's: simulated time" },
    { "fault-seed", KNOB_U64, F(seed), NULL, apply_seed,
      "seed of the generator behind the *-ppm knobs" },
};

static void kiln_knob_get(Object *obj, Visitor *v, const char *name, void *opaque,
                          Error **errp)
{
    const KilnKnob *k = opaque;
    void *p = (uint8_t *)KILN_ACCEL(obj) + k->off;

    switch (k->type) {
    case KNOB_U32:
        visit_type_uint32(v, name, p, errp);
        break;
    case KNOB_U64:
        visit_type_uint64(v, name, p, errp);
        break;
    case KNOB_I64:
        visit_type_int64(v, name, p, errp);
        break;
    case KNOB_BOOL:
        visit_type_bool(v, name, p, errp);
        break;
    }
}

static void kiln_knob_set(Object *obj, Visitor *v, const char *name, void *opaque,
                          Error **errp)
{
    const KilnKnob *k = opaque;
    KilnState *s = KILN_ACCEL(obj);
    void *p = (uint8_t *)s + k->off;
    uint32_t u32;
    uint64_t u64, val;
    int64_t i64;
    bool b;

    switch (k->type) {
    case KNOB_U32:
        if (!visit_type_uint32(v, name, &u32, errp)) {
            return;
        }
        val = u32;
        break;
    case KNOB_U64:
        if (!visit_type_uint64(v, name, &u64, errp)) {
            return;
        }
        val = u64;
        break;
    case KNOB_I64:
        if (!visit_type_int64(v, name, &i64, errp)) {
            return;
        }
        val = (uint64_t)i64;
        break;
    case KNOB_BOOL:
    default:
        if (!visit_type_bool(v, name, &b, errp)) {
            return;
        }
        val = b;
        break;
    }
    if (k->check && !k->check(s, val, errp)) {
        return;
    }
    switch (k->type) {
    case KNOB_U32:
        *(uint32_t *)p = (uint32_t)val;
        break;
    case KNOB_U64:
        *(uint64_t *)p = val;
        break;
    case KNOB_I64:
        *(int64_t *)p = (int64_t)val;
        break;
    case KNOB_BOOL:
        *(bool *)p = val;
        break;
    }
    trace_kiln_knob(k->name, val);
    if (k->apply && DEVICE(s)->realized) {
        k->apply(s, val);
    }
}

/* info-serial: a string knob beside the numeric ones (two devices claiming one serial, a
 * card of another box) */
static char *kiln_info_serial_get(Object *obj, Error **errp)
{
    return g_strdup(KILN_ACCEL(obj)->f.info_serial);
}

static void kiln_info_serial_set(Object *obj, const char *value, Error **errp)
{
    KilnState *s = KILN_ACCEL(obj);

    if (strlen(value) >= sizeof(s->f.info_serial)) {
        error_setg(errp, "kiln-accel: info-serial is longer than %zu characters",
                   sizeof(s->f.info_serial) - 1);
        return;
    }
    pstrcpy(s->f.info_serial, sizeof(s->f.info_serial), value);
}

void kiln_faults_class_init(ObjectClass *oc)
{
    static const char *const types[] = {
        [KNOB_U32] = "uint32", [KNOB_U64] = "uint64", [KNOB_I64] = "int64", [KNOB_BOOL] = "bool",
    };

    for (size_t i = 0; i < ARRAY_SIZE(kiln_knobs); i++) {
        const KilnKnob *k = &kiln_knobs[i];
        ObjectProperty *op = object_class_property_add(oc, k->name, types[k->type],
                                                       kiln_knob_get, kiln_knob_set, NULL,
                                                       (void *)k);
        (void)op;
        object_class_property_set_description(oc, k->name, k->desc);
    }
    object_class_property_add_str(oc, "info-serial", kiln_info_serial_get, kiln_info_serial_set);
    object_class_property_set_description(oc, "info-serial",
        "serial INFO_GET reports instead of the serial property (empty: off)");
}

void kiln_faults_defaults(KilnState *s)
{
    s->f = (KilnFaults) {
        .hbm_serr_addr = UINT64_MAX,
        .frame_fault_ports = UINT32_MAX,
        .hbm_derr_addr = UINT64_MAX,
        .sync_stall_sob = -1,
        .temp_mc = 45000,
        .temp_limit_mc = 95000,
        .power_mw = 150000,
        .power_limit_mw = 350000,
        .voltage_mv = 850,
        .current_ma = 176000,
        .fan_rpm = 3000,
        .voltage_min_mv = 750,
        .voltage_max_mv = 950,
        .current_max_ma = 400000,
        .fan_min_rpm = 1000,
        .seed = 1,
    };
}
