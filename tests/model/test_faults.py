#!/usr/bin/env python3
"""kiln-accel model: every fault knob does what docs/device.md says, set over QMP mid-run;
and the QMP/injection helpers the runner uses."""

import os
import struct
import sys
import time

from kiln_qtest import (H, TOP, Accel, EventQueue, Machine, Ram, Stream, accel_device, cfg_addr, hbm_addr,
                        pkt_lin_dma, pkt_msg_long, pkt_msg_short, pkt_nop, run_group)
from test_sync_eq import arm_value, cpucp_request

sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import qmp as qmpmod  # noqa: E402

READY, SVALID = H["KILN_CQ_ENTRY_READY"], H["KILN_CQ_ENTRY_SHADOW_VALID"]


def test(t):
    m = Machine(accel_device(0) + accel_device(1, props="hbm-size=64M"))
    a = Accel(m, 4).setup()
    b = Accel(m, 5, 1, hbm_size=64 << 20).setup()
    m.enable_ecam()
    ram = Ram()
    eq = EventQueue(a, ram)
    s0 = Stream(a, ram, 0, 0)
    s1 = Stream(a, ram, 0, 1)

    # the knob list the runner knows matches the device
    props = {p["name"] for p in m.qmp.execute("qom-list", path="/machine/peripheral/accel0")}
    t.eq(sorted(k for k in qmpmod.KNOBS if k not in props), [], "every knob in tools/qemu/qmp.py exists on the device")

    # queue hang: the stream stops consuming its PQ
    a.knob("queue-hang", 1 << s0.qid)
    s0.submit(pkt_nop())
    m.settle()
    t.eq((s0.r("KILN_QM_PQ_CI"), s0.cq_entry(0)), (0, 0), "queue-hang: CI does not move, no completion")
    s1.submit(pkt_nop())
    m.settle()
    t.eq(s1.r("KILN_QM_PQ_CI"), 1, "queue-hang: other queues keep running")
    a.knob("queue-hang", 0)
    m.settle()
    t.eq((s0.r("KILN_QM_PQ_CI"), s0.next_cq()), (1, READY | SVALID | 0), "queue-hang cleared: the stream resumes")
    s1.next_cq()

    # bad completion
    a.knob("bad-cq-index", 1 << s0.qid)
    s0.submit(pkt_nop(), shadow=0x10)
    m.settle()
    t.eq(s0.next_cq(), READY | SVALID | 0x11, "bad-cq-index: CQ entry carries shadow index + 1")
    a.knob("bad-cq-index", 0)
    a.knob("bad-cq-ready", 1 << s0.qid)
    s0.submit(pkt_nop(), shadow=0x20)
    m.settle()
    t.eq(s0.next_cq(), SVALID | 0x20, "bad-cq-ready: CQ entry without the ready bit")
    a.knob("bad-cq-ready", 0)

    # DMA corruption
    n = 64 * 1024
    src, dst = ram.alloc(n), ram.alloc(n)
    m.write(src, bytes(range(256)) * (n // 256))
    a.knob("dma-corrupt-ppm", 1000000)
    s0.submit(pkt_lin_dma(src, dst, n))
    m.settle()
    out, ref = m.read(dst, n), m.read(src, n)
    flips = sum(bin(x ^ y).count("1") for x, y in zip(out, ref))
    t.eq(flips, n // 4096, "dma-corrupt-ppm=1e6: one flipped bit per 4 KiB of LIN_DMA data")
    # fault-seed makes the rate-based knobs reproducible
    flips = []
    for _ in range(2):
        a.knob("fault-seed", 1234)
        a.knob("dma-corrupt-ppm", 500000)
        s0.submit(pkt_lin_dma(src, dst, n))
        m.settle()
        out = m.read(dst, n)
        flips.append([i for i in range(n) if out[i] != ref[i]])
    t.ok(flips[0] == flips[1] and 0 < len(flips[0]) < n // 4096,
         "fault-seed: the same seed flips the same bits at a 50% rate", [len(f) for f in flips])
    a.knob("dma-corrupt-ppm", 0)
    s0.submit(pkt_lin_dma(src, dst, n))
    m.settle()
    t.ok(m.read(dst, n) == ref, "dma-corrupt-ppm=0: copies intact")
    s0.cq_read = s0.r("KILN_QM_CQ_PI")

    # DMA error at an address
    eq.drain()
    a.knob("dma-error-addr", dst + 0x1234)
    s0.submit(pkt_lin_dma(src, dst, n))
    m.settle()
    core = eq.wait(H["KILN_EVENT_DMA_CORE"](0))
    qm = [e for e in eq.drain() if e[0] == H["KILN_EVENT_DMA_QM"](0)]
    if core:
        stream, cause, s_, d_, fault = struct.unpack_from("<IIQQQ", core[2])
        t.eq((stream, cause, fault), (0, H["KILN_QM_ERR_DMA_INJECTED"], dst + 0x1234 - 0x1234 % 65536 + 0),
             "dma-error-addr: DMA core event names stream, cause and the faulting chunk")
    else:
        t.ok(False, "dma-error-addr: DMA core event")
    t.ok(core is not None and s0.r("KILN_QM_STATUS") & H["KILN_QM_STS_STOPPED"]
         and s0.r("KILN_QM_ERR_CAUSE") == H["KILN_QM_ERR_DMA_INJECTED"], "dma-error-addr: stream stopped with the cause")
    a.knob("dma-error-addr", 0)
    s0.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])
    s0.pi = 0
    s0.cq_read = 0
    m.memset(s0.cq, 64, 0)

    # HBM ECC
    eq.drain()
    m.writeq(a.hbm + 0x1230, 0x1111111111111111)
    a.knob("hbm-serr-addr", 0x1230)
    e = eq.wait(H["KILN_EVENT_HBM_SERR"](0))
    t.ok(e is not None and struct.unpack_from("<QII", e[2]) == (0x1230, 1, 0), "hbm-serr-addr: SERR event with address and count", e)
    t.eq(m.readq(a.hbm + 0x1230), 0x1111111111111111, "hbm-serr-addr: corrected, data intact")
    addr = 3 * (256 << 20) // 4 + 0x40
    m.writeq(a.hbm + addr, 0)
    a.knob("hbm-derr-addr", addr)
    e = eq.wait(H["KILN_EVENT_HBM_DERR"](3))
    t.ok(e is not None and struct.unpack_from("<QIII", e[2]) == (addr, 1, 1, 3), "hbm-derr-addr: DERR event on stack 3", e)
    t.eq(m.readq(a.hbm + addr), 0x3, "hbm-derr-addr: uncorrected, two data bits damaged")
    HB = H["KILN_BLK_HBM"]
    t.eq((a.r(HB + H["KILN_HBM_SERR_COUNT"]), a.r(HB + H["KILN_HBM_DERR_COUNT"]), a.r(HB + H["KILN_HBM_LAST_ADDR_LO"])),
         (1, 1, addr), "HBM ECC block: counts and last address")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_HBM_ECC_GET"])
    t.eq(res, (1 << 32) | 1, "cpucp HBM_ECC_GET: derr << 32 | serr")
    try:
        a.knob("hbm-serr-addr", 1 << 40)
        t.ok(False, "hbm-serr-addr beyond HBM is refused")
    except qmpmod.QMPError as ex:
        t.ok("beyond hbm-size" in str(ex), "hbm-serr-addr beyond HBM is refused with a clear error", ex)

    # lost interrupt
    v = H["KILN_VEC_CQ"](s1.qid)
    a.knob("irq-drop-mask", 1 << v)
    a.msi_clear()
    a.w(H["KILN_CORE_IRQ_STATUS"], 0xffffffff)
    s1.submit(pkt_nop())
    m.settle()
    t.ok(a.msi(v) == 0 and s1.next_cq() & READY, "irq-drop-mask: completion written, MSI-X message not sent")
    t.ok(a.r(H["KILN_CORE_IRQ_STATUS"]) & (1 << v), "irq-drop-mask: IRQ_STATUS still shows the vector (poll finds it)")
    a.knob("irq-drop-mask", 0)
    s1.submit(pkt_nop())
    m.settle()
    t.eq(a.msi(v), 0x1000 + v, "irq-drop-mask cleared: interrupts delivered")
    s1.next_cq()

    # sync stall
    SM = H["KILN_BLK_SM"]
    box = ram.alloc(64)
    m.memset(box, 64, 0)
    a.w(SM + H["KILN_SM_SOB"](80), 0)
    a.w64(SM + H["KILN_SM_MON"](20) + H["KILN_SM_MON_PAY_ADDR_LO"], box)
    a.w(SM + H["KILN_SM_MON"](20) + H["KILN_SM_MON_PAY_DATA"], 1)
    a.w(SM + H["KILN_SM_MON"](20) + H["KILN_SM_MON_ARM"], arm_value(10, 0xfe, 1))
    a.knob("sync-stall-sob", 80)
    a.w64(s1.base + H["KILN_QM_MSG_BASE_LO"](0), cfg_addr(SM))
    s1.submit(pkt_msg_short(0, H["KILN_SM_SOB"](80), H["KILN_SM_SOB_MOD_ADD"] | 1)
              + pkt_msg_short(0, H["KILN_SM_SOB"](81), H["KILN_SM_SOB_MOD_ADD"] | 1))
    m.settle()
    t.eq((a.r(SM + H["KILN_SM_SOB"](80)), a.r(SM + H["KILN_SM_SOB"](81)), m.readl(box)), (0, 1, 0),
         "sync-stall-sob: that SOB's increment is dropped, the monitor never fires, others count")
    a.knob("sync-stall-sob", -1)
    s1.submit(pkt_msg_short(0, H["KILN_SM_SOB"](80), H["KILN_SM_SOB_MOD_ADD"] | 1))
    m.settle()
    t.eq(m.readl(box), 1, "sync-stall-sob=-1: the monitor fires again")
    a.knob("sync-stall-sob", 65535)
    a.w(SM + H["KILN_SM_SOB"](90), H["KILN_SM_SOB_MOD_ADD"] | 1)
    t.eq(a.r(SM + H["KILN_SM_SOB"](90)), 0, "sync-stall-sob=65535: every SOB's increments dropped")
    a.knob("sync-stall-sob", -1)

    # thermal / power
    eq.drain()
    a.knob("temp-mc", 97000)
    e = eq.wait(H["KILN_EVENT_THERMAL_ENV_S"])
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (97000, 95000), "temp-mc above limit: THERMAL_ENV_S with value and limit", e)
    res, _, _ = cpucp_request(a, ram, H["KILN_CPUCP_TEMPERATURE_GET"])
    t.eq(res, 97000, "cpucp TEMPERATURE_GET reports the knob value")
    a.knob("temp-mc", 60000)
    e = eq.wait(H["KILN_EVENT_THERMAL_ENV_E"])
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (60000, 95000), "temp back below: THERMAL_ENV_E", e)
    a.knob("power-limit-mw", 100000)
    e = eq.wait(H["KILN_EVENT_POWER_ENV_S"])
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (150000, 100000), "power above power-limit-mw: POWER_ENV_S", e)
    a.knob("power-limit-mw", 350000)
    t.ok(eq.wait(H["KILN_EVENT_POWER_ENV_E"]) is not None, "power back below: POWER_ENV_E")
    for knob, op, val in (("voltage-mv", H["KILN_CPUCP_VOLTAGE_GET"], 700), ("current-ma", H["KILN_CPUCP_CURRENT_GET"], 1234),
                          ("fan-rpm", H["KILN_CPUCP_FAN_SPEED_GET"], 0), ("pcie-replay-count", H["KILN_CPUCP_PCIE_REPLAY_CNT_GET"], 77)):
        a.knob(knob, val)
        t.eq(cpucp_request(a, ram, op)[0], val, f"{knob}: reported by cpucp")
    # the device's own limits: cpucp attribute types (cpucp_in_min/max, cpucp_curr_max, cpucp_fan_min)
    for knob, op, typ, default, val in (("voltage-min-mv", "KILN_CPUCP_VOLTAGE_GET", "KILN_CPUCP_IN_MIN", 750, 700),
                                        ("voltage-max-mv", "KILN_CPUCP_VOLTAGE_GET", "KILN_CPUCP_IN_MAX", 950, 990),
                                        ("current-max-ma", "KILN_CPUCP_CURRENT_GET", "KILN_CPUCP_CURR_MAX", 400000, 1),
                                        ("fan-min-rpm", "KILN_CPUCP_FAN_SPEED_GET", "KILN_CPUCP_FAN_MIN", 1000, 1500)):
        t.eq(cpucp_request(a, ram, H[op], index=H[typ] << 16)[:2], (default, 0), f"{knob}: default limit reported")
        a.knob(knob, val)
        t.eq(cpucp_request(a, ram, H[op], index=H[typ] << 16)[:2], (val, 0), f"{knob}: reported by cpucp")
    t.eq(cpucp_request(a, ram, H["KILN_CPUCP_FAN_SPEED_GET"], index=5 << 16)[1], H["KILN_CPUCP_RC_INVALID_PARAMS"],
         "cpucp: a fan attribute the device has not -> invalid params")
    # the device clock runs ahead by clock-warp-s
    up0 = cpucp_request(a, ram, H["KILN_CPUCP_UPTIME_GET"])[0]
    a.knob("clock-warp-s", 7200)
    up1 = cpucp_request(a, ram, H["KILN_CPUCP_UPTIME_GET"])[0]
    t.ok(7200000 <= up1 - up0 < 7260000, "clock-warp-s: UPTIME_GET jumps by two hours", (up0, up1))
    # a hung device CPU answers nothing until the knob is cleared
    answered = a.r(H["KILN_BLK_CPUCP"] + H["KILN_CPUCP_ANSWERED"])
    a.knob("cpucp-hang", True)
    t.eq(cpucp_request(a, ram, H["KILN_CPUCP_TEST"], value=5)[2], 0, "cpucp-hang: no fence, no answer")
    a.knob("cpucp-hang", False)
    m.settle()
    t.eq(a.r(H["KILN_BLK_CPUCP"] + H["KILN_CPUCP_ANSWERED"]) - answered, 1, "cpucp-hang cleared: the waiting request is answered")

    # device gone
    a.knob("device-gone", True)
    t.eq((a.r(0), a.r(H["KILN_BLK_QMAN"](0)), a.cfg(0)), (0xffffffff, 0xffffffff, 0xffffffff),
         "device-gone: config BAR and config space read all-ones")
    t.eq(b.r(0), H["KILN_CORE_ID_VALUE"], "device-gone: the other instance still answers")
    a.knob("device-gone", False)
    t.eq(a.r(0), H["KILN_CORE_ID_VALUE"], "device-gone cleared: answers again")

    # PCIe degraded
    exp = H["KILN_PCI_CAP_EXP_OFFSET"]
    a.knob("pcie-link-speed", 2)
    a.knob("pcie-link-width", 4)
    sta = m.cfg_readw(4, exp + 0x12)
    cap = m.cfg_readl(4, exp + 0x0c)
    t.eq((sta & 0xf, (sta >> 4) & 0x3f, cap & 0xf, (cap >> 4) & 0x3f), (2, 4, 4, 16),
         "pcie-link-speed/width: Link Status degraded, Link Capabilities unchanged")
    try:
        a.knob("pcie-link-width", 3)
        t.ok(False, "pcie-link-width=3 refused")
    except qmpmod.QMPError:
        t.ok(True, "pcie-link-width=3 refused")
    # AER status bits
    aer = m.ECAM + (4 << 15) + H["KILN_PCI_EXT_AER_OFFSET"]
    a.knob("aer-cor-status", 0x40)
    a.knob("aer-uncor-status", 0x1000)
    t.eq((m.readl(aer + 0x10) & 0x40, m.readl(aer + 0x04) & 0x1000), (0x40, 0x1000), "aer-*-status: bits appear in the AER status registers")
    m.writel(aer + 0x10, 0x40)
    t.eq(m.readl(aer + 0x10) & 0x40, 0, "AER status stays write-1-to-clear")

    # link / frame knobs are exercised in model-nic; check they reject nothing and read back
    a.knob("frame-drop-ppm", 5)
    t.eq(a.knob_get("frame-drop-ppm"), 5, "knobs read back over qom-get")
    a.knob("frame-drop-ppm", 0)

    # injection helpers: spec parsing, targets, timed injection
    try:
        qmpmod.parse_inject("no-such-knob=1")
        t.ok(False, "unknown knob rejected")
    except ValueError as ex:
        t.ok("queue-hang" in str(ex) and "known knobs" in str(ex), "unknown knob: error lists the allowed knobs", ex)
    left = qmpmod.apply_inject(m.qmp, "temp-mc=50000,accel1.fan-rpm=4321,0.3s:accel1.fan-rpm=1111")
    t.eq((a.knob_get("temp-mc"), b.knob_get("fan-rpm"), len(left)), (50000, 4321, 1),
         "apply_inject: bare knob -> accel0, accel1.knob -> accel1, timed entry left for later")
    start = time.monotonic()
    th = qmpmod.schedule_inject(m.qmp, "0.3s:accel1.fan-rpm=1111", start)
    t.eq(b.knob_get("fan-rpm"), 4321, "schedule_inject: not applied before its time")
    th.join(5)
    t.ok(b.knob_get("fan-rpm") == 1111 and time.monotonic() - start >= 0.3, "schedule_inject: applied at its time")
    t.eq(qmpmod.parse_inject("2m:device-gone=on")[0], (120.0, "accel0", "device-gone", True), "spec: minutes and booleans")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly", log[-2000:])


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("faults", test)
