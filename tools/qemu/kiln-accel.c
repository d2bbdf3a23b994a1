/*
 * Kiln accelerator device model: the PCI function (identity, BARs, capabilities,
 * properties, realize), interrupts, reset and the configuration BAR dispatch to the blocks.
 *
 * A Gaudi-class accelerator for Kiln's bare-metal validation harness: QMAN-fed DMA engines,
 * a sync manager, an event queue, a device-CPU channel and NIC ports. The register contract
 * is docs/device.md; offsets and fields come from the headers in drivers/accel/hw/.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "kiln-accel.h"
#include "trace.h"

uint64_t kiln_now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* Deterministic generator for the rate-based fault knobs (seeded by fault-seed). */
uint32_t kiln_rand32(KilnState *s)
{
    uint64_t x = s->rng ? s->rng : 0x9e3779b97f4a7c15ull;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

bool kiln_chance_ppm(KilnState *s, uint32_t ppm)
{
    if (ppm == 0) {
        return false;
    }
    if (ppm >= 1000000) {
        return true;
    }
    return kiln_rand32(s) % 1000000u < ppm;
}

/* ---- interrupts ---- */

void kiln_update_intx(KilnState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level = !msix_enabled(pdev) && !s->f.device_gone &&
                 (s->irq_status & ~s->irq_mask) != 0;

    pci_set_irq(pdev, level);
}

void kiln_irq_raise(KilnState *s, unsigned vec)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (vec >= KILN_MSIX_VECTORS || s->f.device_gone || s->in_reset) {
        return;
    }
    s->irq_status |= 1ull << vec;
    trace_kiln_irq(vec, !(s->f.irq_drop_mask & (1ull << vec)));
    if (s->f.irq_drop_mask & (1ull << vec)) {
        /* lost interrupt: status records it, no message is sent */
        return;
    }
    if (msix_enabled(pdev)) {
        msix_notify(pdev, vec);
    } else {
        kiln_update_intx(s);
    }
}

/* ---- reset ---- */

/* Every block back to its reset values (soft reset register, FLR, system reset). */
void kiln_blocks_reset(KilnState *s)
{
    s->in_reset = true;
    kiln_core_reset(s);
    kiln_eq_reset(s);
    kiln_sm_reset(s);
    kiln_qman_reset(s);
    kiln_cpucp_reset(s);
    kiln_hbm_reset(s);
    kiln_nic_reset(s);
    s->in_reset = false;
    kiln_update_intx(s);
}

/* ---- configuration BAR dispatch (also the KILN_DEV_CFG_BASE window) ---- */

static bool in_blk(uint32_t off, uint32_t base, uint32_t size)
{
    return off >= base && off - base < size;
}

static bool kiln_reg_read(KilnState *s, uint32_t off, uint32_t *val)
{
    if (in_blk(off, KILN_BLK_CORE, KILN_BLK_SIZE)) {
        *val = kiln_core_read(s, off - KILN_BLK_CORE);
    } else if (in_blk(off, KILN_BLK_EQ, KILN_BLK_SIZE)) {
        *val = kiln_eq_read(s, off - KILN_BLK_EQ);
    } else if (in_blk(off, KILN_BLK_CPUCP, KILN_BLK_SIZE)) {
        *val = kiln_cpucp_read(s, off - KILN_BLK_CPUCP);
    } else if (in_blk(off, KILN_BLK_HBM, KILN_BLK_SIZE)) {
        *val = kiln_hbm_read(s, off - KILN_BLK_HBM);
    } else if (in_blk(off, KILN_BLK_SM, KILN_BLK_QMAN(0) - KILN_BLK_SM)) {
        *val = kiln_sm_read(s, off - KILN_BLK_SM);
    } else if (in_blk(off, KILN_BLK_QMAN(0), KILN_NUM_DMA_ENGINES * KILN_BLK_SIZE)) {
        uint32_t rel = off - KILN_BLK_QMAN(0);
        *val = kiln_qman_read(s, rel / KILN_BLK_SIZE, rel % KILN_BLK_SIZE);
    } else if (in_blk(off, KILN_BLK_NIC(0), s->num_ports * KILN_BLK_SIZE)) {
        uint32_t rel = off - KILN_BLK_NIC(0);
        *val = kiln_nic_read(s, rel / KILN_BLK_SIZE, rel % KILN_BLK_SIZE);
    } else {
        *val = 0;
        return false;
    }
    return true;
}

/* A 32-bit register write; false if the offset belongs to no block (or is rejected). */
bool kiln_cfg_write(KilnState *s, uint32_t off, uint32_t val)
{
    if (off & 3) {
        return false;
    }
    if (in_blk(off, KILN_BLK_CORE, KILN_BLK_SIZE)) {
        kiln_core_write(s, off - KILN_BLK_CORE, val);
    } else if (in_blk(off, KILN_BLK_EQ, KILN_BLK_SIZE)) {
        kiln_eq_write(s, off - KILN_BLK_EQ, val);
    } else if (in_blk(off, KILN_BLK_CPUCP, KILN_BLK_SIZE)) {
        kiln_cpucp_write(s, off - KILN_BLK_CPUCP, val);
    } else if (in_blk(off, KILN_BLK_HBM, KILN_BLK_SIZE)) {
        kiln_hbm_write(s, off - KILN_BLK_HBM, val);
    } else if (in_blk(off, KILN_BLK_SM, KILN_BLK_QMAN(0) - KILN_BLK_SM)) {
        return kiln_sm_write(s, off - KILN_BLK_SM, val);
    } else if (in_blk(off, KILN_BLK_QMAN(0), KILN_NUM_DMA_ENGINES * KILN_BLK_SIZE)) {
        uint32_t rel = off - KILN_BLK_QMAN(0);
        return kiln_qman_write(s, rel / KILN_BLK_SIZE, rel % KILN_BLK_SIZE, val);
    } else if (in_blk(off, KILN_BLK_NIC(0), s->num_ports * KILN_BLK_SIZE)) {
        uint32_t rel = off - KILN_BLK_NIC(0);
        kiln_nic_write(s, rel / KILN_BLK_SIZE, rel % KILN_BLK_SIZE, val);
    } else {
        return false;
    }
    return true;
}

static uint64_t kiln_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    KilnState *s = opaque;
    uint32_t val;

    if (s->f.device_gone) {
        return UINT32_MAX;
    }
    if (!kiln_reg_read(s, (uint32_t)addr, &val)) {
        qemu_log_mask(LOG_GUEST_ERROR, "kiln: read of unmapped register 0x%" HWADDR_PRIx "\n",
                      addr);
    }
    trace_kiln_mmio_read(addr, val);
    return val;
}

static void kiln_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    KilnState *s = opaque;

    if (s->f.device_gone) {
        return;
    }
    trace_kiln_mmio_write(addr, (uint32_t)val);
    if (!kiln_cfg_write(s, (uint32_t)addr, (uint32_t)val)) {
        qemu_log_mask(LOG_GUEST_ERROR, "kiln: write of unmapped register 0x%" HWADDR_PRIx "\n",
                      addr);
    }
}

static const MemoryRegionOps kiln_mmio_ops = {
    .read = kiln_mmio_read,
    .write = kiln_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* ---- PCI config space ---- */

static uint32_t kiln_config_read(PCIDevice *pdev, uint32_t addr, int len)
{
    KilnState *s = KILN_ACCEL(pdev);

    if (s->f.device_gone) {
        return len >= 4 ? UINT32_MAX : (1u << (8 * len)) - 1;
    }
    return pci_default_read_config(pdev, addr, len);
}

static void kiln_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val, int len)
{
    KilnState *s = KILN_ACCEL(pdev);

    if (s->f.device_gone) {
        return;
    }
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
    kiln_update_intx(s);
}

/* ---- realize / exit / reset ---- */

static bool kiln_check_size(const char *name, uint64_t v, uint64_t min, uint64_t max,
                            Error **errp)
{
    if (!is_power_of_2(v) || v < min || v > max) {
        error_setg(errp, "kiln-accel: %s=%" PRIu64 " must be a power of two in [%" PRIu64
                   ", %" PRIu64 "] bytes", name, v, min, max);
        return false;
    }
    return true;
}

static void kiln_realize(PCIDevice *pdev, Error **errp)
{
    KilnState *s = KILN_ACCEL(pdev);
    uint8_t bar64 = PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64;

    if (s->hbm_size < KILN_HBM_SIZE_MIN || s->hbm_size > KILN_HBM_SIZE_MAX ||
        s->hbm_size % KILN_HBM_SIZE_MIN) {
        error_setg(errp, "kiln-accel: hbm-size=%" PRIu64 " must be a multiple of %" PRIu64
                   " in [%" PRIu64 ", %" PRIu64 "] bytes", s->hbm_size, (uint64_t)KILN_HBM_SIZE_MIN,
                   (uint64_t)KILN_HBM_SIZE_MIN, (uint64_t)KILN_HBM_SIZE_MAX);
        return;
    }
    if (!kiln_check_size("sram-size", s->sram_size, KILN_SRAM_SIZE_MIN, KILN_SRAM_SIZE_MAX,
                         errp)) {
        return;
    }
    if (!is_power_of_2(s->hbm_window) || s->hbm_window < KILN_HBM_WINDOW_MIN) {
        error_setg(errp, "kiln-accel: hbm-window=%" PRIu64 " must be a power of two of at least"
                   " %" PRIu64 " bytes", s->hbm_window, (uint64_t)KILN_HBM_WINDOW_MIN);
        return;
    }
    s->hbm_window = MIN(s->hbm_window, pow2floor(s->hbm_size));
    if (s->hbm_size % s->hbm_window) {
        error_setg(errp, "kiln-accel: hbm-size=%" PRIu64 " must be a multiple of the HBM window"
                   " (hbm-window, here %" PRIu64 " bytes)", s->hbm_size, s->hbm_window);
        return;
    }
    if (s->num_ports > KILN_MAX_PORTS) {
        error_setg(errp, "kiln-accel: ports=%u, at most %u", s->num_ports, KILN_MAX_PORTS);
        return;
    }
    if (s->link_speed < KILN_PCIE_SPEED_2_5GT || s->link_speed > KILN_PCIE_SPEED_32GT) {
        error_setg(errp, "kiln-accel: link-speed=%u must be 1..5 (2.5..32 GT/s)",
                   s->link_speed);
        return;
    }
    if (!is_power_of_2(s->link_width) || s->link_width > 32) {
        error_setg(errp, "kiln-accel: link-width=%u must be 1, 2, 4, 8, 16 or 32",
                   s->link_width);
        return;
    }
    if (!s->serial) {
        s->serial = g_strdup("KILN-000000");
    }
    if (strlen(s->serial) >= KILN_CPUCP_SERIAL_LEN) {
        error_setg(errp, "kiln-accel: serial is longer than %u characters",
                   KILN_CPUCP_SERIAL_LEN - 1);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);

    memory_region_init_io(&s->cfg_bar, OBJECT(s), &kiln_mmio_ops, s, "kiln-cfg",
                          KILN_CFG_BAR_SIZE);
    memory_region_init_ram_flags_nomigrate(&s->sram, OBJECT(s), "kiln-sram", s->sram_size, 0,
                                           errp);
    if (*errp) {
        return;
    }
    memory_region_init_ram_flags_nomigrate(&s->hbm, OBJECT(s), "kiln-hbm", s->hbm_size,
                                           RAM_NORESERVE, errp);
    if (*errp) {
        return;
    }
    s->sram_ptr = memory_region_get_ram_ptr(&s->sram);
    s->hbm_ptr = memory_region_get_ram_ptr(&s->hbm);
    pci_register_bar(pdev, KILN_BAR_CFG, bar64, &s->cfg_bar);
    pci_register_bar(pdev, KILN_BAR_SRAM, bar64 | PCI_BASE_ADDRESS_MEM_PREFETCH, &s->sram);
    /* BAR4 is a window onto the HBM that the HBM block's WINDOW_BASE moves (silicon style) */
    memory_region_init(&s->hbm_bar, OBJECT(s), "kiln-hbm-bar", s->hbm_window);
    memory_region_init_alias(&s->hbm_alias, OBJECT(s), "kiln-hbm-window", &s->hbm, 0,
                             s->hbm_window);
    memory_region_add_subregion(&s->hbm_bar, 0, &s->hbm_alias);
    pci_register_bar(pdev, KILN_BAR_HBM, bar64 | PCI_BASE_ADDRESS_MEM_PREFETCH, &s->hbm_bar);

    if (pcie_endpoint_cap_init(pdev, KILN_PCI_CAP_EXP_OFFSET) < 0) {
        error_setg(errp, "kiln-accel: cannot add the PCI Express capability");
        return;
    }
    pcie_cap_flr_init(pdev);
    if (msix_init(pdev, KILN_MSIX_VECTORS, &s->cfg_bar, KILN_BAR_CFG, KILN_MSIX_TABLE_OFFSET,
                  &s->cfg_bar, KILN_BAR_CFG, KILN_MSIX_PBA_OFFSET, KILN_PCI_CAP_MSIX_OFFSET,
                  errp) < 0) {
        return;
    }
    for (unsigned v = 0; v < KILN_MSIX_VECTORS; v++) {
        msix_vector_use(pdev, v);
    }
    if (pcie_aer_init(pdev, PCI_ERR_VER, KILN_PCI_EXT_AER_OFFSET, PCI_ERR_SIZEOF, errp) < 0) {
        return;
    }
    pcie_dev_ser_num_init(pdev, KILN_PCI_EXT_DSN_OFFSET, s->dsn);
    if (s->f.pcie_link_speed == 0) {
        s->f.pcie_link_speed = s->link_speed;
    }
    if (s->f.pcie_link_width == 0) {
        s->f.pcie_link_width = s->link_width;
    }
    kiln_pcie_link_update(s);

    kiln_core_init(s);
    kiln_qman_init(s);
    kiln_cpucp_init(s);
    if (!kiln_nic_realize(s, errp)) {
        return;
    }
    s->rng = s->f.seed;
    kiln_blocks_reset(s);
    s->temp_over = s->f.temp_mc > s->f.temp_limit_mc;
    s->power_over = s->f.power_mw > s->f.power_limit_mw;
}

static void kiln_exit(PCIDevice *pdev)
{
    KilnState *s = KILN_ACCEL(pdev);

    kiln_nic_exit(s);
    kiln_cpucp_exit(s);
    kiln_qman_exit(s);
    kiln_core_exit(s);
    msix_unuse_all_vectors(pdev);
    msix_uninit(pdev, &s->cfg_bar, &s->cfg_bar);
    pcie_aer_exit(pdev);
    pcie_cap_exit(pdev);
}

static void kiln_reset(DeviceState *dev)
{
    KilnState *s = KILN_ACCEL(dev);

    kiln_blocks_reset(s);
}

static void kiln_instance_init(Object *obj)
{
    KilnState *s = KILN_ACCEL(obj);

    kiln_faults_defaults(s);
}

static Property kiln_properties[] = {
    DEFINE_PROP_SIZE("hbm-size", KilnState, hbm_size, KILN_HBM_SIZE_DEFAULT),
    DEFINE_PROP_SIZE("hbm-window", KilnState, hbm_window, KILN_HBM_WINDOW_DEFAULT),
    DEFINE_PROP_SIZE("sram-size", KilnState, sram_size, KILN_SRAM_SIZE_DEFAULT),
    DEFINE_PROP_UINT32("ports", KilnState, num_ports, KILN_PORTS_DEFAULT),
    DEFINE_PROP_STRING("serial", KilnState, serial),
    DEFINE_PROP_UINT64("dsn", KilnState, dsn, 0x4b494c4e00000001ull),
    DEFINE_PROP_MACADDR("mac", KilnState, mac),
    DEFINE_PROP_UINT8("link-speed", KilnState, link_speed, KILN_PCIE_SPEED_DEFAULT),
    DEFINE_PROP_UINT8("link-width", KilnState, link_width, KILN_PCIE_WIDTH_DEFAULT),
    DEFINE_PROP_UINT32("loopback-ports", KilnState, loopback_ports, 0),
    DEFINE_PROP_UINT32("nic-tx-inline", KilnState, nic_tx_inline, KILN_NIC_TX_INLINE),
    DEFINE_PROP_NETDEV("netdev0", KilnState, port[0].conf.peers),
    DEFINE_PROP_NETDEV("netdev1", KilnState, port[1].conf.peers),
    DEFINE_PROP_NETDEV("netdev2", KilnState, port[2].conf.peers),
    DEFINE_PROP_NETDEV("netdev3", KilnState, port[3].conf.peers),
    DEFINE_PROP_NETDEV("netdev4", KilnState, port[4].conf.peers),
    DEFINE_PROP_NETDEV("netdev5", KilnState, port[5].conf.peers),
    DEFINE_PROP_NETDEV("netdev6", KilnState, port[6].conf.peers),
    DEFINE_PROP_NETDEV("netdev7", KilnState, port[7].conf.peers),
    DEFINE_PROP_NETDEV("netdev8", KilnState, port[8].conf.peers),
    DEFINE_PROP_NETDEV("netdev9", KilnState, port[9].conf.peers),
    DEFINE_PROP_NETDEV("netdev10", KilnState, port[10].conf.peers),
    DEFINE_PROP_NETDEV("netdev11", KilnState, port[11].conf.peers),
    DEFINE_PROP_NETDEV("netdev12", KilnState, port[12].conf.peers),
    DEFINE_PROP_NETDEV("netdev13", KilnState, port[13].conf.peers),
    DEFINE_PROP_NETDEV("netdev14", KilnState, port[14].conf.peers),
    DEFINE_PROP_NETDEV("netdev15", KilnState, port[15].conf.peers),
    DEFINE_PROP_NETDEV("netdev16", KilnState, port[16].conf.peers),
    DEFINE_PROP_NETDEV("netdev17", KilnState, port[17].conf.peers),
    DEFINE_PROP_NETDEV("netdev18", KilnState, port[18].conf.peers),
    DEFINE_PROP_NETDEV("netdev19", KilnState, port[19].conf.peers),
    DEFINE_PROP_NETDEV("netdev20", KilnState, port[20].conf.peers),
    DEFINE_PROP_NETDEV("netdev21", KilnState, port[21].conf.peers),
    DEFINE_PROP_NETDEV("netdev22", KilnState, port[22].conf.peers),
    DEFINE_PROP_NETDEV("netdev23", KilnState, port[23].conf.peers),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription kiln_vmstate = {
    .name = TYPE_KILN_ACCEL,
    .unmigratable = 1,
};

static void kiln_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = kiln_realize;
    k->exit = kiln_exit;
    k->config_read = kiln_config_read;
    k->config_write = kiln_config_write;
    k->vendor_id = KILN_PCI_VENDOR_ID;
    k->device_id = KILN_PCI_DEVICE_ID;
    k->subsystem_vendor_id = KILN_PCI_SUBSYS_VENDOR_ID;
    k->subsystem_id = KILN_PCI_SUBSYS_ID;
    k->revision = KILN_PCI_REVISION;
    k->class_id = KILN_PCI_CLASS;
    dc->desc = "Kiln Gaudi-class accelerator model (compute queues + NIC ports)";
    dc->reset = kiln_reset;
    dc->vmsd = &kiln_vmstate;
    device_class_set_props(dc, kiln_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    kiln_faults_class_init(oc);
}

static const TypeInfo kiln_info = {
    .name = TYPE_KILN_ACCEL,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(KilnState),
    .instance_init = kiln_instance_init,
    .class_init = kiln_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { },
    },
};

static void kiln_register_types(void)
{
    type_register_static(&kiln_info);
}

type_init(kiln_register_types)
