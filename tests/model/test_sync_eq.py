#!/usr/bin/env python3
"""kiln-accel model: sync manager (SOBs, monitors, payloads, fence wake-up), event queue,
device-CPU channel."""

import os
import struct

from kiln_qtest import (H, Accel, EventQueue, Machine, Ram, Stream, accel_device, cfg_addr, field_prep,
                        pkt_fence, pkt_msg_long, pkt_msg_short, run_group)

SM = H["KILN_BLK_SM"]


def sob(i):
    return SM + H["KILN_SM_SOB"](i)


def mon(i, reg):
    return SM + H["KILN_SM_MON"](i) + H[reg]


def arm_value(gid, mask, target, eq=False):
    return (field_prep(H["KILN_SM_MON_ARM_GID"], gid) | field_prep(H["KILN_SM_MON_ARM_MASK"], mask)
            | field_prep(H["KILN_SM_MON_ARM_VAL"], target) | (H["KILN_SM_MON_ARM_MODE"] if eq else 0))


def cpucp_request(a, ram, opcode, value=0, index=0, port=0, pq=[None]):
    """Send one cpucp packet through the channel; returns (result, rc, fence)."""
    m = a.m
    B = H["KILN_BLK_CPUCP"]
    if pq[0] is None:
        pq[0] = {"base": ram.alloc(16 * 8), "pi": 0}
        a.w64(B + H["KILN_CPUCP_PQ_BASE_LO"], pq[0]["base"])
        a.w(B + H["KILN_CPUCP_PQ_SIZE"], 8)
    q = pq[0]
    pkt = ram.alloc(64)
    ctl = field_prep(H["KILN_CPUCP_CTL_OPCODE"], opcode)
    m.write(pkt, struct.pack("<QIIII", value, ctl, 0, index, port))
    m.write(q["base"] + 16 * (q["pi"] % 8), struct.pack("<QII", pkt, 24, 0))
    q["pi"] = (q["pi"] + 1) % 16
    a.w(B + H["KILN_CPUCP_PQ_PI"], q["pi"])
    m.settle()
    result, ctl, fence = struct.unpack("<QII", m.read(pkt, 16))
    return result, (ctl & H["KILN_CPUCP_CTL_RC"]) >> 12, fence


def test(t):
    m = Machine(accel_device(0, props="serial=SN-0042,dsn=0x99,mac=52:54:00:11:22:30,temp-mc=51000"))
    a = Accel(m, 4).setup()
    ram = Ram()
    eq = EventQueue(a, ram, size=16)

    # SOB write semantics
    a.w(sob(3), 100)
    a.w(sob(3), H["KILN_SM_SOB_MOD_ADD"] | 5)
    t.eq(a.r(sob(3)), 105, "SOB: set, then add (bit 31)")
    a.w(sob(3), 0x7fff)
    a.w(sob(3), H["KILN_SM_SOB_MOD_ADD"] | 2)
    t.eq(a.r(sob(3)), 1, "SOB: 15-bit value wraps")
    a.w(sob(3), 0xffff)
    t.eq(a.r(sob(3)), 0x7fff, "SOB: set keeps bits [14:0] only")

    # monitor: group 2 (SOBs 16..23), watch SOB 17 only, >= 3, payload to host memory
    box = ram.alloc(64)
    m.memset(box, 64, 0)
    a.w(sob(17), 0)
    a.w64(mon(5, "KILN_SM_MON_PAY_ADDR_LO"), box)
    a.w(mon(5, "KILN_SM_MON_PAY_DATA"), 0xfeedf00d)
    a.w(mon(5, "KILN_SM_MON_CFG"), H["KILN_SM_MON_CFG_IRQ"])
    a.w(mon(5, "KILN_SM_MON_ARM"), arm_value(2, 0xff & ~(1 << 1), 3))
    t.eq(a.r(mon(5, "KILN_SM_MON_STATUS")), H["KILN_SM_MON_STS_ARMED"], "monitor: armed and waiting")
    s0 = Stream(a, ram, 0, 0)
    a.w64(s0.base + H["KILN_QM_MSG_BASE_LO"](0), cfg_addr(SM))
    a.msi_clear()
    s0.submit(pkt_msg_short(0, H["KILN_SM_SOB"](17), H["KILN_SM_SOB_MOD_ADD"] | 1) * 2)
    m.settle()
    t.eq(m.readl(box), 0, "monitor: below target, no payload")
    s0.submit(pkt_msg_short(0, H["KILN_SM_SOB"](17), H["KILN_SM_SOB_MOD_ADD"] | 1))
    m.settle()
    t.eq(m.readl(box), 0xfeedf00d, "monitor: SOB reaching target writes PAY_DATA to PAY_ADDR")
    t.eq(a.r(mon(5, "KILN_SM_MON_STATUS")), H["KILN_SM_MON_STS_FIRED"], "monitor: FIRED, no longer armed")
    t.eq(a.msi(H["KILN_VEC_SM"]), 0x1000 + H["KILN_VEC_SM"], "monitor: CFG.IRQ raises the SM vector")
    t.eq(a.r(SM + H["KILN_SM_FIRE_COUNT"]), 1, "SM: FIRE_COUNT")
    # equal mode: 4 watched SOBs must all equal 2
    m.writel(box + 4, 0)
    a.w64(mon(6, "KILN_SM_MON_PAY_ADDR_LO"), box + 4)
    a.w(mon(6, "KILN_SM_MON_PAY_DATA"), 6)
    for i in range(24, 32):
        a.w(sob(i), 0)
    a.w(mon(6, "KILN_SM_MON_ARM"), arm_value(3, 0xf0, 2, eq=True))
    for i in range(24, 27):
        a.w(sob(i), 2)
    a.w(sob(27), 3)
    t.eq(m.readl(box + 4), 0, "monitor ==: not fired while one SOB differs")
    a.w(sob(27), 2)
    t.eq(m.readl(box + 4), 6, "monitor ==: fires when every unmasked SOB equals the target")

    # signal -> wait chain across engines: DMA1 stream waits on a FENCE woken by a monitor
    # whose payload targets DMA1's fence counter; DMA0 signals the SOB.
    s5 = Stream(a, ram, 1, 1)
    a.w(sob(40), 0)
    a.w64(mon(7, "KILN_SM_MON_PAY_ADDR_LO"), cfg_addr(s5.base + H["KILN_QM_FENCE_CNT"](0)))
    a.w(mon(7, "KILN_SM_MON_PAY_DATA"), 1)
    a.w(mon(7, "KILN_SM_MON_ARM"), arm_value(5, 0xfe, 1))
    s5.submit(pkt_fence(0, 1, 1) + pkt_msg_long(box + 8, 0x5a5a))
    m.settle()
    t.eq(m.readl(box + 8), 0, "chain: waiter blocked before the signal")
    s0.submit(pkt_msg_short(0, H["KILN_SM_SOB"](40), H["KILN_SM_SOB_MOD_ADD"] | 1))
    m.settle()
    t.eq(m.readl(box + 8), 0x5a5a, "chain: SOB signal -> monitor payload -> FENCE wakes on the other engine")
    # monitor arming through MSG_SHORT from a CB (arm fields in the packet value)
    a.w64(s0.base + H["KILN_QM_MSG_BASE_LO"](1), cfg_addr(SM + H["KILN_SM_MON"](8)))
    a.w64(mon(8, "KILN_SM_MON_PAY_ADDR_LO"), box + 12)
    a.w(mon(8, "KILN_SM_MON_PAY_DATA"), 8)
    a.w(sob(48), 0)
    s0.submit(pkt_msg_short(1, H["KILN_SM_MON_ARM"], arm_value(6, 0xfe, 2))
              + pkt_msg_short(0, H["KILN_SM_SOB"](48), H["KILN_SM_SOB_MOD_ADD"] | 2))
    m.settle()
    t.eq(m.readl(box + 12), 8, "MSG_SHORT arms a monitor and MSG_SHORT signals it")
    # SM programming errors -> event 700
    eq.drain()
    a.w(mon(9, "KILN_SM_MON_ARM"), arm_value(200, 0, 1))
    e = eq.wait(H["KILN_EVENT_SM_ERR"])
    t.ok(e is not None and struct.unpack_from("<II", e[2])[0] == H["KILN_SM_ERR_BAD_GID"],
         "SM: arming a group beyond the SOBs raises SM_ERR (bad gid)", e)
    t.eq(a.r(SM + H["KILN_SM_ERR_CAUSE"]), H["KILN_SM_ERR_BAD_GID"], "SM: ERR_CAUSE register")
    # payload loop: monitor re-arms itself forever -> bounded, error
    a.w(sob(56), 1)
    a.w64(mon(10, "KILN_SM_MON_PAY_ADDR_LO"), cfg_addr(SM + H["KILN_SM_MON"](10) + H["KILN_SM_MON_ARM"]))
    a.w(mon(10, "KILN_SM_MON_PAY_DATA"), arm_value(7, 0xfe, 1))
    a.w(mon(10, "KILN_SM_MON_ARM"), arm_value(7, 0xfe, 1))
    e = eq.wait(H["KILN_EVENT_SM_ERR"])
    t.ok(e is not None and struct.unpack_from("<I", e[2])[0] == H["KILN_SM_ERR_RECURSION"],
         "SM: a self-re-arming monitor is cut at the chain limit with SM_ERR", e)

    # event queue
    eq.drain()
    a.msi_clear()
    a.w(H["KILN_CORE_TEST_EVENT"], H["KILN_EVENT_TEST"])
    e = eq.pop()
    t.ok(e is not None and e[0] == H["KILN_EVENT_TEST"], "EQ: TEST_EVENT posts an entry with the event type", e)
    if e:
        magic, count = struct.unpack_from("<QQ", e[2])
        t.eq(magic, H["KILN_EV_TEST_MAGIC"], "EQ: entry payload (test magic)")
    raw = eq.read_raw((eq.ci - 1) % eq.size)
    t.eq(len(raw), 64, "EQ: entries are 64 bytes")
    t.eq(a.msi(H["KILN_VEC_EQ"]), 0x1000 + H["KILN_VEC_EQ"], "EQ: interrupt on the EQ vector")
    idx0 = e[1] if e else 0
    a.w(H["KILN_CORE_TEST_EVENT"], 583)
    e2 = eq.pop()
    t.ok(e2 is not None and e2[0] == 583 and e2[1] == (idx0 + 1) & 0xffff, "EQ: index counts events", (e, e2))
    t.eq(a.r(H["KILN_BLK_EQ"] + H["KILN_EQ_PI"]), eq.ci, "EQ: PI register follows")
    # overflow: 16 entries, driver does not ack
    lost0 = a.r(H["KILN_BLK_EQ"] + H["KILN_EQ_LOST"])
    for _ in range(20):
        a.w(H["KILN_CORE_TEST_EVENT"], H["KILN_EVENT_TEST"])
    t.eq(a.r(H["KILN_BLK_EQ"] + H["KILN_EQ_LOST"]) - lost0, 5, "EQ full (size-1 entries pending): further events are counted LOST")
    t.ok(a.r(H["KILN_BLK_EQ"] + H["KILN_EQ_STATUS"]) & H["KILN_EQ_STATUS_OVERFLOW"], "EQ: STATUS.OVERFLOW")
    t.eq(len(eq.drain()), 15, "EQ: the 15 queued entries are intact")
    a.w(H["KILN_BLK_EQ"] + H["KILN_EQ_STATUS"], H["KILN_EQ_STATUS_OVERFLOW"])
    t.eq(a.r(H["KILN_BLK_EQ"] + H["KILN_EQ_STATUS"]), 0, "EQ: STATUS is write-1-to-clear")

    # device-CPU channel
    a.msi_clear()
    res, rc, fence = cpucp_request(a, ram, H["KILN_CPUCP_TEST"], value=0x1234567890)
    t.eq((res, rc, fence), (0x1234567890, 0, H["KILN_CPUCP_FENCE_VAL"]), "cpucp TEST: echo, rc 0, fence 0xFE8CE7A5")
    t.eq(a.msi(H["KILN_VEC_CPUCP"]), 0x1000 + H["KILN_VEC_CPUCP"], "cpucp: answer interrupt")
    info = ram.alloc(512)
    m.memset(info, 512, 0xee)
    res, rc, fence = cpucp_request(a, ram, H["KILN_CPUCP_INFO_GET"], value=info, index=512)
    raw = m.read(info, 336)
    ver, ports, hbm, sram, dsn = struct.unpack_from("<IIQQQ", raw)
    name = raw[32:48].split(b"\0")[0]
    serial = raw[112:144].split(b"\0")[0]
    t.eq((res, rc, ver, ports, hbm, dsn), (336, 0, 2, 2, 256 << 20, 0x99), "cpucp INFO_GET: sizes, ports, dsn")
    t.eq((name, serial), (b"kiln-accel", b"SN-0042"), "cpucp INFO_GET: card name and serial")
    t.eq(raw[144 + 8:144 + 14], bytes.fromhex("525400112231"), "cpucp INFO_GET: port MACs")
    t.eq(m.read(info + 336, 4), b"\xee" * 4, "cpucp INFO_GET: writes no more than the structure")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_INFO_GET"], value=info, index=16)
    t.eq(res, 16, "cpucp INFO_GET: honours data_max_size")
    for op, want, name in ((H["KILN_CPUCP_TEMPERATURE_GET"], 51000, "temperature"),
                           (H["KILN_CPUCP_VOLTAGE_GET"], 850, "voltage"),
                           (H["KILN_CPUCP_CURRENT_GET"], 176000, "current"),
                           (H["KILN_CPUCP_FAN_SPEED_GET"], 3000, "fan"),
                           (H["KILN_CPUCP_POWER_GET"], 150000, "power")):
        res, rc, _ = cpucp_request(a, ram, op)
        t.eq((res, rc), (want, 0), f"cpucp sensor: {name}")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_TEMPERATURE_GET"], index=H["KILN_CPUCP_SENSOR_MAX"] << 16)
    t.eq((res, rc), (95000, 0), "cpucp: temperature max attribute is the limit")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_NIC_STATUS"], port=1)
    t.eq((res & 1, res >> 16, rc), (0, 100, 0), "cpucp NIC_STATUS: unwired port is down, 100 Gb/s")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_NIC_STATUS"], port=7)
    t.eq(rc, H["KILN_CPUCP_RC_INVALID_PARAMS"], "cpucp NIC_STATUS: bad port -> invalid params")
    res, rc, _ = cpucp_request(a, ram, H["KILN_CPUCP_PCIE_THROUGHPUT_GET"], index=1)
    t.ok(rc == 0 and res > 0, "cpucp PCIE_THROUGHPUT_GET: bytes read by the device", res)
    res, rc, fence = cpucp_request(a, ram, 0x77)
    t.eq((rc, fence), (H["KILN_CPUCP_RC_INVALID"], H["KILN_CPUCP_FENCE_VAL"]), "cpucp: unknown opcode completes with rc INVALID")
    t.eq(a.r(H["KILN_BLK_CPUCP"] + H["KILN_CPUCP_ANSWERED"]), 13, "cpucp: ANSWERED counts requests (heartbeat)")
    # info-serial: the serial INFO_GET reports instead of the property (two devices claiming one)
    a.knob("info-serial", "KILN-DUP")
    cpucp_request(a, ram, H["KILN_CPUCP_INFO_GET"], value=info, index=512)
    t.eq((m.read(info + 112, 32).split(b"\0")[0], a.knob_get("info-serial")), (b"KILN-DUP", "KILN-DUP"),
         "knob info-serial: INFO_GET reports it")
    try:
        a.knob("info-serial", "X" * 32)
        t.ok(False, "knob info-serial: 32 characters refused")
    except Exception as e:  # QMP error
        t.ok("longer than 31" in str(e), "knob info-serial: 32 characters refused", str(e))
    a.knob("info-serial", "")
    cpucp_request(a, ram, H["KILN_CPUCP_INFO_GET"], value=info, index=512)
    t.eq(m.read(info + 112, 32).split(b"\0")[0], b"SN-0042", "knob info-serial: empty gives the property back")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly", log[-2000:])


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("sync-eq", test)
