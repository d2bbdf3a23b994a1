/*
 * Kiln accelerator device model: the device address space (host memory through PCI DMA,
 * HBM, SRAM, configuration registers) and the HBM ECC block.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "hw/pci/pci.h"
#include "kiln-accel.h"

bool kiln_bus_master(KilnState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* Resolve [addr, addr + len) to a window; sets *ptr for HBM/SRAM. */
static KilnMemResult kiln_mem_resolve(KilnState *s, uint64_t addr, uint64_t len,
                                      uint8_t **ptr, bool *host)
{
    uint64_t win = addr & KILN_DEV_WINDOW_MASK;
    uint64_t off = addr & KILN_DEV_OFFSET_MASK;
    uint64_t size;
    uint8_t *base;

    *ptr = NULL;
    *host = false;
    if (addr > KILN_DEV_ADDR_MASK || len > KILN_DEV_ADDR_MASK) {
        return KILN_MEM_NOWHERE;
    }
    if (s->f.dma_error_addr && s->f.dma_error_addr >= addr &&
        s->f.dma_error_addr - addr < MAX(len, 1)) {
        return KILN_MEM_INJECTED;
    }
    if (addr < KILN_DEV_HOST_LIMIT) {
        if (len > KILN_DEV_HOST_LIMIT - addr) {
            return KILN_MEM_NOWHERE;
        }
        *host = true;
        return kiln_bus_master(s) ? KILN_MEM_OK : KILN_MEM_BUS_MASTER;
    }
    if (win == KILN_DEV_HBM_BASE) {
        size = s->hbm_size;
        base = s->hbm_ptr;
    } else if (win == KILN_DEV_SRAM_BASE) {
        size = s->sram_size;
        base = s->sram_ptr;
    } else {
        return KILN_MEM_NOWHERE;
    }
    if (off >= size || len > size - off) {
        return KILN_MEM_NOWHERE;
    }
    *ptr = base + off;
    return KILN_MEM_OK;
}

KilnMemResult kiln_mem_check(KilnState *s, uint64_t addr, uint64_t len)
{
    uint8_t *ptr;
    bool host;

    return kiln_mem_resolve(s, addr, len, &ptr, &host);
}

KilnMemResult kiln_mem_read(KilnState *s, uint64_t addr, void *buf, uint64_t len)
{
    uint8_t *ptr;
    bool host;
    KilnMemResult r = kiln_mem_resolve(s, addr, len, &ptr, &host);

    if (r != KILN_MEM_OK) {
        return r;
    }
    if (host) {
        if (pci_dma_read(PCI_DEVICE(s), addr, buf, len) != MEMTX_OK) {
            return KILN_MEM_HOST_FAULT;
        }
        s->pcie_rx_bytes += len;
        return KILN_MEM_OK;
    }
    memcpy(buf, ptr, len);
    return KILN_MEM_OK;
}

/*
 * A naturally aligned 4- or 8-byte write lands whole and once, as one PCIe write does.
 * memcpy (pci_dma_write's copy) does not promise that: glibc writes a 4- or 8-byte buffer
 * as two overlapping stores of the same bytes, and a driver that read the word between
 * them and cleared it (a CQ entry it reaped) had its clear undone by the second store, so
 * a lap later it found a stale ready entry (docs/device.md section 3, "Writes").
 */
static bool kiln_word_size(uint64_t addr, uint64_t len)
{
    return (len == 4 || len == 8) && !(addr & (len - 1));
}

static MemTxResult kiln_host_write(KilnState *s, uint64_t addr, const void *buf, uint64_t len)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    MemTxResult r = MEMTX_OK;

    if (!kiln_word_size(addr, len)) {
        return pci_dma_write(pdev, addr, buf, len);
    }
    /* address_space_st*: one store into RAM (QEMU 7.2's st*_pci_dma go through memcpy
     * too); the barrier is pci_dma_write's: earlier writes are seen first */
    smp_mb();
    if (len == 4) {
        address_space_stl_le(pci_get_address_space(pdev), addr, ldl_le_p(buf), MEMTXATTRS_UNSPECIFIED, &r);
    } else {
        address_space_stq_le(pci_get_address_space(pdev), addr, ldq_le_p(buf), MEMTXATTRS_UNSPECIFIED, &r);
    }
    return r;
}

KilnMemResult kiln_mem_write(KilnState *s, uint64_t addr, const void *buf, uint64_t len)
{
    uint8_t *ptr;
    bool host;
    KilnMemResult r = kiln_mem_resolve(s, addr, len, &ptr, &host);

    if (r != KILN_MEM_OK) {
        return r;
    }
    if (host) {
        if (kiln_host_write(s, addr, buf, len) != MEMTX_OK) {
            return KILN_MEM_HOST_FAULT;
        }
        s->pcie_tx_bytes += len;
        return KILN_MEM_OK;
    }
    if (kiln_word_size(addr, len)) {
        if (len == 4) {
            stl_he_p(ptr, ldl_he_p(buf));
        } else {
            stq_he_p(ptr, ldq_he_p(buf));
        }
    } else {
        memcpy(ptr, buf, len);
    }
    if (ptr >= s->hbm_ptr && ptr < s->hbm_ptr + s->hbm_size) {
        memory_region_set_dirty(&s->hbm, ptr - s->hbm_ptr, len);
    } else {
        memory_region_set_dirty(&s->sram, ptr - s->sram_ptr, len);
    }
    return KILN_MEM_OK;
}

/*
 * A 32-bit message write (MSG_LONG, MSG_SHORT, MSG_PROT, LIN_DMA write-completion, monitor
 * payload): memory, or a register through the KILN_DEV_CFG_BASE window.
 */
KilnMemResult kiln_mem_write32(KilnState *s, uint64_t addr, uint32_t val)
{
    uint8_t le[4];

    if ((addr & KILN_DEV_WINDOW_MASK) == KILN_DEV_CFG_BASE && addr <= KILN_DEV_ADDR_MASK) {
        uint64_t off = addr & KILN_DEV_OFFSET_MASK;

        if (s->f.dma_error_addr && s->f.dma_error_addr == addr) {
            return KILN_MEM_INJECTED;
        }
        if (off >= KILN_MSIX_TABLE_OFFSET || !kiln_cfg_write(s, (uint32_t)off, val)) {
            return KILN_MEM_NOWHERE;
        }
        return KILN_MEM_OK;
    }
    stl_le_p(le, val);
    return kiln_mem_write(s, addr, le, sizeof(le));
}

/* ---- HBM ECC ---- */

void kiln_hbm_inject(KilnState *s, uint64_t addr, bool derr)
{
    uint32_t stack = (uint32_t)(addr / (s->hbm_size / KILN_HBM_STACKS));
    struct kiln_ev_hbm_ecc ev;

    if (derr) {
        /* uncorrected: the data really is damaged (two bits of the byte flip) */
        s->hbm_ptr[addr] ^= 0x3;
        memory_region_set_dirty(&s->hbm, addr, 1);
        s->hbm_derr++;
    } else {
        s->hbm_serr++;
    }
    s->hbm_last_addr = addr;
    s->hbm_last_info = KILN_HBM_INFO_VALID | (derr ? KILN_HBM_INFO_DERR : 0) |
                       KILN_FIELD_PREP(KILN_HBM_INFO_STACK, stack);
    ev = (struct kiln_ev_hbm_ecc) {
        .addr = addr,
        .serr_count = s->hbm_serr,
        .derr_count = s->hbm_derr,
        .stack = stack,
    };
    kiln_eq_post(s, derr ? KILN_EVENT_HBM_DERR(stack) : KILN_EVENT_HBM_SERR(stack),
                 &ev, sizeof(ev));
}

uint32_t kiln_hbm_read(KilnState *s, uint32_t off)
{
    switch (off) {
    case KILN_HBM_SERR_COUNT:
        return s->hbm_serr;
    case KILN_HBM_DERR_COUNT:
        return s->hbm_derr;
    case KILN_HBM_LAST_ADDR_LO:
        return (uint32_t)s->hbm_last_addr;
    case KILN_HBM_LAST_ADDR_HI:
        return (uint32_t)(s->hbm_last_addr >> 32);
    case KILN_HBM_LAST_INFO:
        return s->hbm_last_info;
    case KILN_HBM_WINDOW_BASE_LO:
        return (uint32_t)s->hbm_win_base;
    case KILN_HBM_WINDOW_BASE_HI:
        return (uint32_t)(s->hbm_win_base >> 32);
    case KILN_HBM_WINDOW_SIZE_LO:
        return (uint32_t)s->hbm_window;
    case KILN_HBM_WINDOW_SIZE_HI:
        return (uint32_t)(s->hbm_window >> 32);
    default:
        return 0;
    }
}

/* Point BAR4 at HBM offset base (a multiple of the window inside the HBM). */
static void kiln_hbm_window_move(KilnState *s, uint64_t base)
{
    s->hbm_win_base = base;
    memory_region_set_alias_offset(&s->hbm_alias, base);
}

void kiln_hbm_write(KilnState *s, uint32_t off, uint32_t val)
{
    uint64_t base;

    switch (off) {
    case KILN_HBM_WINDOW_BASE_LO:
        s->hbm_win_lo = val;
        break;
    case KILN_HBM_WINDOW_BASE_HI:
        base = (uint64_t)val << 32 | s->hbm_win_lo;
        if (base & (s->hbm_window - 1) || base >= s->hbm_size) {
            qemu_log_mask(LOG_GUEST_ERROR, "kiln: HBM window base 0x%" PRIx64 " is not a multiple"
                          " of the window (0x%" PRIx64 ") inside the HBM (0x%" PRIx64 "); ignored\n",
                          base, s->hbm_window, s->hbm_size);
            break;
        }
        kiln_hbm_window_move(s, base);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "kiln: write to read-only HBM register 0x%x\n", off);
        break;
    }
}

void kiln_hbm_reset(KilnState *s)
{
    s->hbm_win_lo = 0;
    kiln_hbm_window_move(s, 0);
    s->hbm_serr = 0;
    s->hbm_derr = 0;
    s->hbm_last_addr = 0;
    s->hbm_last_info = 0;
}
