#!/usr/bin/env python3
"""kiln-accel model: PCI identity, BARs and capabilities, core registers and reset values,
self-test hooks, several instances, misconfiguration refused at realize."""

import atexit
import os
import shutil
import tempfile
import subprocess
import sys

from kiln_qtest import H, TOP, Accel, Machine, QEMU, accel_device, field_get, run_group

HBM_BIG = 32 << 30


def bar_size(m, slot, bar):
    off = 0x10 + 4 * bar
    lo, hi = m.cfg_readl(slot, off), m.cfg_readl(slot, off + 4)
    m.cfg_writel(slot, off, 0xffffffff)
    m.cfg_writel(slot, off + 4, 0xffffffff)
    slo, shi = m.cfg_readl(slot, off), m.cfg_readl(slot, off + 4)
    m.cfg_writel(slot, off, lo)
    m.cfg_writel(slot, off + 4, hi)
    mask = ((shi << 32) | (slo & ~0xf)) & 0xffffffffffffffff
    return (~mask + 1) & 0xffffffffffffffff, lo & 0xf


def find_cap(m, slot, cid):
    ptr = m.cfg_readl(slot, 0x34) & 0xff
    while ptr:
        v = m.cfg_readl(slot, ptr)
        if v & 0xff == cid:
            return ptr
        ptr = (v >> 8) & 0xff
    return None


def find_ext_cap(m, slot, cid):
    """Walk extended capabilities through the MMCONFIG window (q35 ECAM at 0xb0000000)."""
    base = m.ECAM + (slot << 15)
    off = 0x100
    while off:
        v = m.readl(base + off)
        if v & 0xffff == cid:
            return off, base
        off = v >> 20
    return None, base


RUN_DIR = tempfile.mkdtemp(prefix="kiln-model-run-")
atexit.register(shutil.rmtree, RUN_DIR, True)


def test(t):
    dsn = 0x1122334455667788
    m = Machine(accel_device(0, props=f"dsn={dsn},serial=UNIT-7,mac=52:54:00:aa:bb:00")
                + accel_device(1, props=f"hbm-size={HBM_BIG},ports=1"))
    a = Accel(m, 4, 0)
    b = Accel(m, 5, 1, hbm_size=HBM_BIG)
    # -- PCI identity --
    t.eq(a.cfg(0x00), (H["KILN_PCI_DEVICE_ID"] << 16) | H["KILN_PCI_VENDOR_ID"], "pci: vendor/device id 1234:4b4c")
    t.ok(a.cfg(0x00) & 0xffff != 0x1da3, "pci: vendor id is not Habana's")
    t.eq(a.cfg(0x08) >> 16, H["KILN_PCI_CLASS"], "pci: class 0x1200 (processing accelerator)")
    t.eq(a.cfg(0x08) & 0xff, H["KILN_PCI_REVISION"], "pci: revision")
    t.eq(a.cfg(0x2c), (H["KILN_PCI_SUBSYS_ID"] << 16) | H["KILN_PCI_SUBSYS_VENDOR_ID"], "pci: subsystem ids")
    size, flags = bar_size(m, 4, 0)
    t.eq((size, flags), (H["KILN_CFG_BAR_SIZE"], 0x4), "pci: BAR0 config, 64-bit, 1 MiB")
    size, flags = bar_size(m, 4, 2)
    t.eq((size, flags), (H["KILN_SRAM_SIZE_DEFAULT"], 0xc), "pci: BAR2 SRAM, 64-bit prefetchable, sram-size")
    size, flags = bar_size(m, 4, 4)
    t.eq((size, flags), (H["KILN_HBM_WINDOW_DEFAULT"], 0xc), "pci: BAR4 HBM window, 64-bit prefetchable, hbm-window")
    size, _ = bar_size(m, 5, 4)
    t.eq(size, H["KILN_HBM_WINDOW_DEFAULT"], "pci: hbm-size=32G still gives a 256 MiB BAR4 (the window)")
    a.setup()
    b.setup()
    m.enable_ecam()
    # -- capabilities --
    exp = find_cap(m, 4, 0x10)
    t.eq(exp, H["KILN_PCI_CAP_EXP_OFFSET"], "cap: PCI Express capability")
    t.eq(find_cap(m, 4, 0x11), H["KILN_PCI_CAP_MSIX_OFFSET"], "cap: MSI-X capability")
    msix = m.cfg_readl(4, H["KILN_PCI_CAP_MSIX_OFFSET"])
    t.eq(((msix >> 16) & 0x7ff) + 1, H["KILN_MSIX_VECTORS"], "cap: MSI-X table size 64")
    tbl = m.cfg_readl(4, H["KILN_PCI_CAP_MSIX_OFFSET"] + 4)
    t.eq(tbl, H["KILN_MSIX_TABLE_OFFSET"] | 0, "cap: MSI-X table in BAR0 at 0xf0000")
    lnkcap = m.cfg_readl(4, exp + 0x0c)
    lnksta = m.cfg_readw(4, exp + 0x12)
    t.eq((lnkcap & 0xf, (lnkcap >> 4) & 0x3f), (4, 16), "cap: link capability 16 GT/s x16")
    t.eq((lnksta & 0xf, (lnksta >> 4) & 0x3f), (4, 16), "cap: link status 16 GT/s x16")
    aer, ecam = find_ext_cap(m, 4, 0x0001)
    t.eq(aer, H["KILN_PCI_EXT_AER_OFFSET"], "ext cap: AER at 0x100")
    dsn_off, _ = find_ext_cap(m, 4, 0x0003)
    t.eq(dsn_off, H["KILN_PCI_EXT_DSN_OFFSET"], "ext cap: DSN at 0x148")
    if dsn_off:
        got = m.readl(ecam + dsn_off + 4) | (m.readl(ecam + dsn_off + 8) << 32)
        t.eq(got, dsn, "ext cap: DSN carries the dsn property")
    # -- core registers --
    C = H["KILN_BLK_CORE"]
    t.eq(a.r(C + H["KILN_CORE_ID"]), H["KILN_CORE_ID_VALUE"], "core: ID reads 'KILN'")
    t.eq(a.r(C + H["KILN_CORE_VERSION"]), H["KILN_CORE_VERSION_VALUE"], "core: VERSION 1.0")
    caps = a.r(C + H["KILN_CORE_CAPS"])
    t.eq((field_get(H["KILN_CORE_CAPS_DMA_ENGINES"], caps), field_get(H["KILN_CORE_CAPS_STREAMS"], caps),
          field_get(H["KILN_CORE_CAPS_PORTS"], caps)), (2, 4, 2), "core: CAPS engines/streams/ports")
    t.eq(field_get(H["KILN_CORE_CAPS_PORTS"], b.r(C + H["KILN_CORE_CAPS"])), 1, "core: CAPS ports of a ports=1 instance")
    t.eq(b.r(C + H["KILN_CORE_HBM_SIZE_LO"]) | (b.r(C + H["KILN_CORE_HBM_SIZE_HI"]) << 32), HBM_BIG,
         "core: HBM_SIZE reports 32 GiB")
    t.eq(a.r(C + H["KILN_CORE_SRAM_SIZE"]), 4 << 20, "core: SRAM_SIZE")
    t.eq(a.r(C + H["KILN_CORE_STATUS"]), H["KILN_CORE_STATUS_READY"], "core: STATUS ready")
    t.eq(a.r(C + H["KILN_CORE_TEST_SCRATCH"]), 0, "core: TEST_SCRATCH resets to 0")
    a.w(C + H["KILN_CORE_TEST_SCRATCH"], 0x5a5aa5a5)
    t.eq((a.r(C + H["KILN_CORE_TEST_SCRATCH"]), a.r(C + H["KILN_CORE_TEST_SCRATCH_INV"])),
         (0x5a5aa5a5, 0xa5a55a5a), "self-test: scratch register and its inverse")
    b.w(C + H["KILN_CORE_TEST_SCRATCH"], 0x1)
    t.eq(a.r(C + H["KILN_CORE_TEST_SCRATCH"]), 0x5a5aa5a5, "two instances keep separate state")
    t1 = a.r(C + H["KILN_CORE_TIMESTAMP_LO"]) | (a.r(C + H["KILN_CORE_TIMESTAMP_HI"]) << 32)
    m.clock_step(1000)
    t2 = a.r(C + H["KILN_CORE_TIMESTAMP_LO"]) | (a.r(C + H["KILN_CORE_TIMESTAMP_HI"]) << 32)
    t.ok(t2 - t1 >= 1000, "core: TIMESTAMP follows device time", f"{t1} -> {t2}")
    # -- interrupt self-test: every vector --
    a.msi_clear()
    for v in range(H["KILN_MSIX_VECTORS"]):
        a.w(C + H["KILN_CORE_TEST_IRQ"], v)
    missing = [v for v in range(H["KILN_MSIX_VECTORS"]) if a.msi(v) != 0x1000 + v]
    t.eq(missing, [], "self-test: TEST_IRQ sends the MSI-X message of every vector")
    t.eq((a.r(C + H["KILN_CORE_IRQ_STATUS"]), a.r(C + H["KILN_CORE_IRQ_STATUS_HI"])), (0xffffffff, 0xffffffff),
         "core: IRQ_STATUS and IRQ_STATUS_HI record raised vectors 0..63")
    a.w(C + H["KILN_CORE_IRQ_STATUS"], 0x0000ffff)
    a.w(C + H["KILN_CORE_IRQ_STATUS_HI"], 0xffff0000)
    t.eq((a.r(C + H["KILN_CORE_IRQ_STATUS"]), a.r(C + H["KILN_CORE_IRQ_STATUS_HI"])), (0xffff0000, 0x0000ffff),
         "core: IRQ_STATUS and IRQ_STATUS_HI are write-1-to-clear, each its own half")
    a.w(C + H["KILN_CORE_IRQ_STATUS_HI"], 0xffffffff)
    # -- INTx fallback (one vector) while MSI-X is off: PCI Status bit 3 follows the line --
    cap = H["KILN_PCI_CAP_MSIX_OFFSET"]
    ctl = m.cfg_readw(4, cap + 2)
    m.cfg_writew(4, cap + 2, ctl & ~0x8000)
    a.w(C + H["KILN_CORE_IRQ_STATUS"], 0xffffffff)
    intx = lambda: (m.cfg_readw(4, 0x06) >> 3) & 1  # noqa: E731
    t.eq(intx(), 0, "INTx: deasserted with nothing pending")
    a.msi_clear()
    a.w(C + H["KILN_CORE_TEST_IRQ"], H["KILN_VEC_EQ"])
    t.eq((intx(), a.msi(H["KILN_VEC_EQ"])), (1, 0), "INTx: asserted (no MSI-X message) when MSI-X is off")
    a.w(C + H["KILN_CORE_IRQ_MASK"], 1 << H["KILN_VEC_EQ"])
    t.eq(intx(), 0, "INTx: IRQ_MASK masks the source")
    a.w(C + H["KILN_CORE_IRQ_MASK"], 0)
    a.w(C + H["KILN_CORE_IRQ_STATUS"], 1 << H["KILN_VEC_EQ"])
    t.eq(intx(), 0, "INTx: clearing IRQ_STATUS deasserts")
    m.cfg_writew(4, cap + 2, ctl)
    # -- DMA self-test --
    buf = 0x2000000
    m.memset(buf, 256, 0x11)
    a.w64(C + H["KILN_CORE_TEST_DMA_ADDR_LO"], buf)
    a.w(C + H["KILN_CORE_TEST_DMA_SIZE"], 256)
    a.w(C + H["KILN_CORE_TEST_DMA_PATTERN"], 0xa1b2c3d4)
    a.msi_clear(H["KILN_VEC_TEST"])
    a.w(C + H["KILN_CORE_TEST_DMA_CTRL"], H["KILN_CORE_TEST_DMA_OP_FILL"])
    m.settle()
    t.eq(m.read(buf, 8), bytes.fromhex("d4c3b2a1d4c3b2a1"), "self-test DMA: FILL writes the pattern")
    t.eq(a.r(C + H["KILN_CORE_TEST_DMA_STATUS"]), H["KILN_CORE_TEST_DMA_STS_DONE"], "self-test DMA: DONE without ERROR")
    t.eq(a.msi(H["KILN_VEC_TEST"]), 0x1000 + H["KILN_VEC_TEST"], "self-test DMA: completion interrupt")
    a.w(C + H["KILN_CORE_TEST_DMA_CTRL"], H["KILN_CORE_TEST_DMA_OP_INVERT"])
    m.settle()
    t.eq(m.read(buf, 4), bytes.fromhex("2b3c4d5e"), "self-test DMA: INVERT reads, inverts, writes back")
    a.w(C + H["KILN_CORE_TEST_DMA_CTRL"], H["KILN_CORE_TEST_DMA_OP_CLEAR"])
    m.settle()
    t.eq(m.read(buf, 256), bytes(256), "self-test DMA: CLEAR zeroes the buffer")
    a.w64(C + H["KILN_CORE_TEST_DMA_ADDR_LO"], 0x7f0000000000)
    a.w(C + H["KILN_CORE_TEST_DMA_CTRL"], H["KILN_CORE_TEST_DMA_OP_CLEAR"])
    m.settle()
    t.eq(a.r(C + H["KILN_CORE_TEST_DMA_STATUS"]),
         H["KILN_CORE_TEST_DMA_STS_DONE"] | H["KILN_CORE_TEST_DMA_STS_ERROR"], "self-test DMA: unmapped address reports ERROR")
    # -- device memory through the BARs --
    m.writeq(a.hbm + 0x1000, 0x0123456789abcdef)
    m.writeq(a.sram + 0x10, 0xfedcba9876543210)
    t.eq((m.readq(a.hbm + 0x1000), m.readq(a.sram + 0x10)), (0x0123456789abcdef, 0xfedcba9876543210),
         "HBM and SRAM are readable/writable through BAR4/BAR2")
    # -- the HBM window: BAR4 shows hbm-window bytes from WINDOW_BASE (docs/device.md section 8) --
    HB, WIN = H["KILN_BLK_HBM"], H["KILN_HBM_WINDOW_DEFAULT"]
    t.eq(b.r(HB + H["KILN_HBM_WINDOW_SIZE_LO"]) | (b.r(HB + H["KILN_HBM_WINDOW_SIZE_HI"]) << 32), WIN,
         "HBM window: WINDOW_SIZE reads hbm-window")
    t.eq(a.r(HB + H["KILN_HBM_WINDOW_SIZE_LO"]), H["KILN_HBM_SIZE_DEFAULT"], "HBM window: never larger than the HBM")
    m.writel(b.hbm + 8, 0x11111111)
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], HBM_BIG - WIN)
    t.eq(b.r(HB + H["KILN_HBM_WINDOW_BASE_LO"]) | (b.r(HB + H["KILN_HBM_WINDOW_BASE_HI"]) << 32), HBM_BIG - WIN,
         "HBM window: WINDOW_BASE moved to the last window")
    t.eq(m.readl(b.hbm + 8), 0, "HBM window: BAR4 shows other memory after the move")
    m.writel(b.hbm + WIN - 4, 0xdeadbeef)
    t.eq(m.readl(b.hbm + WIN - 4), 0xdeadbeef, "last word of a 32 GiB HBM is reachable through the window")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], WIN + 4096)
    t.eq(b.r(HB + H["KILN_HBM_WINDOW_BASE_LO"]) | (b.r(HB + H["KILN_HBM_WINDOW_BASE_HI"]) << 32), HBM_BIG - WIN,
         "HBM window: a base not a multiple of the window is ignored")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], HBM_BIG)
    t.eq(m.readl(b.hbm + WIN - 4), 0xdeadbeef, "HBM window: a base beyond the HBM is ignored")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], 0)
    t.eq(m.readl(b.hbm + 8), 0x11111111, "HBM window: moved back, the first window's data is there")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], HBM_BIG - WIN)
    b.w(C + H["KILN_CORE_SOFT_RESET"], H["KILN_CORE_SOFT_RESET_KEY"])
    t.eq(b.r(HB + H["KILN_HBM_WINDOW_BASE_HI"]), 0, "HBM window: soft reset puts it back at 0")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], HBM_BIG - WIN)
    t.eq(m.readl(b.hbm + WIN - 4), 0xdeadbeef, "HBM window: the HBM keeps its data over a soft reset")
    b.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], 0)
    rss = 0
    for line in open(f"/proc/{m.proc.pid}/status"):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    t.ok(rss < (1 << 30), "32 GiB HBM costs no host memory until touched", f"RSS {rss >> 20} MiB")
    # -- soft reset: every block back to reset values --
    EQ, QM, NIC, SM = H["KILN_BLK_EQ"], H["KILN_BLK_QMAN"](1), H["KILN_BLK_NIC"](1), H["KILN_BLK_SM"]
    dirty = [
        (C + H["KILN_CORE_IRQ_MASK"], 0xff), (EQ + H["KILN_EQ_SIZE"], 16), (EQ + H["KILN_EQ_BASE_LO"], 0x1000),
        (QM + H["KILN_QM_STREAM"](2) + H["KILN_QM_PQ_BASE_LO"], 0x4000),
        (QM + H["KILN_QM_STREAM"](2) + H["KILN_QM_PQ_SIZE"], 8),
        (QM + H["KILN_QM_STREAM"](2) + H["KILN_QM_FENCE_CNT"](1), 3),
        (QM + H["KILN_QM_STREAM"](3) + H["KILN_QM_MSG_BASE_HI"](3), 0x77),
        (NIC + H["KILN_NIC_MTU"], 9000), (NIC + H["KILN_NIC_RX_BUF_SIZE"], 4096), (NIC + H["KILN_NIC_MAC_LO"], 0x01020304),
        (SM + H["KILN_SM_SOB"](17), 5), (SM + H["KILN_SM_MON"](3) + H["KILN_SM_MON_PAY_DATA"], 9),
        (H["KILN_BLK_CPUCP"] + H["KILN_CPUCP_PQ_SIZE"], 4),
    ]
    for off, val in dirty:
        a.w(off, val)
    a.soft_reset()
    expect = {
        C + H["KILN_CORE_TEST_SCRATCH"]: 0, C + H["KILN_CORE_IRQ_STATUS"]: 0, C + H["KILN_CORE_IRQ_MASK"]: 0,
        C + H["KILN_CORE_TEST_DMA_STATUS"]: 0, NIC + H["KILN_NIC_MTU"]: H["KILN_NIC_MTU_DEFAULT"],
        NIC + H["KILN_NIC_RX_BUF_SIZE"]: H["KILN_NIC_RX_BUF_DEFAULT"],
        NIC + H["KILN_NIC_MAC_LO"]: 0xaa005452,  # port 1 of 52:54:00:aa:bb:00 -> bytes 0..3
        NIC + H["KILN_NIC_MAC_HI"]: 0x01bb,
    }
    for off, val in dirty:
        expect.setdefault(off, 0)
    bad = {hex(o): (a.r(o), v) for o, v in expect.items() if a.r(o) != v}
    t.eq(bad, {}, "soft reset returns every written register to its reset value")
    t.eq(a.r(C + H["KILN_CORE_ID"]), H["KILN_CORE_ID_VALUE"], "device answers after soft reset")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly", log[-2000:])

    # -- behind root ports (topology root_ports=True): every instance in its own slot --
    sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
    import topology
    m = Machine(topology.accel_args(2, 2, "64M", "model-rp", RUN_DIR, root_ports=True))
    buses = [m.qmp.qom_get(f"/machine/peripheral/accel{i}", "parent_bus") for i in range(2)]
    t.ok(buses[0].startswith("/machine/peripheral/rp0/") and buses[1].startswith("/machine/peripheral/rp1/"),
         "root_ports=True: each instance behind its own pcie-root-port", buses)
    m.close()

    # -- 24 ports (Gaudi 2 size): CAPS, the last NIC block, its MAC, its vectors above 31 --
    m = Machine(accel_device(0, props="ports=24,mac=52:54:00:aa:00:00,hbm-size=96G"))
    a = Accel(m, 4, 0, hbm_size=96 << 30).setup()
    HB, WIN = H["KILN_BLK_HBM"], H["KILN_HBM_WINDOW_DEFAULT"]
    a.w64(HB + H["KILN_HBM_WINDOW_BASE_LO"], (96 << 30) - WIN)
    m.writel(a.hbm + WIN - 4, 0x96969696)
    t.eq((a.r(HB + H["KILN_HBM_WINDOW_BASE_HI"]), m.readl(a.hbm + WIN - 4)), (((96 << 30) - WIN) >> 32, 0x96969696),
         "hbm-size=96G (not a power of two): the last window is reachable")
    C, last = H["KILN_BLK_CORE"], H["KILN_BLK_NIC"](23)
    t.eq(field_get(H["KILN_CORE_CAPS_PORTS"], a.r(C + H["KILN_CORE_CAPS"])), 24, "ports=24: CAPS reports 24 ports")
    t.eq((a.r(last + H["KILN_NIC_MAC_LO"]), a.r(last + H["KILN_NIC_MAC_HI"])), (0xaa005452, 0x1700),
         "ports=24: port 23 has its block and MAC base + 23")
    a.msi_clear()
    a.w(C + H["KILN_CORE_IRQ_STATUS_HI"], 0xffffffff)
    a.w(C + H["KILN_CORE_TEST_IRQ"], H["KILN_VEC_NIC_RX"](23))
    t.eq((a.msi(H["KILN_VEC_NIC_RX"](23)), a.r(C + H["KILN_CORE_IRQ_STATUS_HI"])),
         (0x1000 + H["KILN_VEC_NIC_RX"](23), 1 << (H["KILN_VEC_NIC_RX"](23) - 32)),
         "ports=24: port 23's RX vector 59 sent and recorded in IRQ_STATUS_HI")
    t.eq(len({H["KILN_EVENT_NIC_QM"](p) for p in range(24)} | {H["KILN_EVENT_NIC_STATUS"](p) for p in range(24)}
             | {H["KILN_EVENT_DMA_CORE"](e) for e in range(8)} | {H["KILN_EVENT_POWER_ENV_S"], H["KILN_EVENT_TEST"]}),
         24 * 2 + 8 + 2, "ports=24: every port's event ids are distinct from every other event id")
    m.close()

    # -- misconfiguration refused with a clear error --
    cases = [
        ("two ports on one netdev", ["-netdev", "hubport,id=n0,hubid=0", "-device",
                                      "kiln-accel,netdev0=n0,netdev1=n0"], "same netdev"),
        ("hbm-size not a multiple of the window", ["-device", "kiln-accel,hbm-size=3M"], "hbm-size"),
        ("sram-size too small", ["-device", "kiln-accel,sram-size=4K"], "sram-size"),
        ("too many ports", ["-device", "kiln-accel,ports=25"], "ports=25"),
        ("hbm-window not a power of two", ["-device", "kiln-accel,hbm-window=3M"], "hbm-window"),
        ("netdev beyond ports", ["-netdev", "hubport,id=n0,hubid=0", "-device",
                                 "kiln-accel,ports=1,netdev3=n0"], "netdev3"),
        ("bad link width", ["-device", "kiln-accel,link-width=3"], "link-width"),
    ]
    for name, args, word in cases:
        p = subprocess.run([QEMU, "-M", "q35", "-accel", "qtest", "-nodefaults", "-display", "none"] + args,
                           capture_output=True, text=True, timeout=30)
        t.ok(p.returncode == 1 and word in p.stderr and "kiln-accel" in p.stderr,
             f"realize refuses: {name}", f"rc={p.returncode} {p.stderr.strip()}")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("regs", test)
