#!/usr/bin/env python3
"""kiln-accel model: malformed programming -> an error event and a stopped queue, never a
QEMU crash. Bad opcodes, ring indices out of range, DMA to nowhere, absurd sizes, bus
mastering off, nesting, truncation, and random garbage."""

import os
import random
import struct

from kiln_qtest import (H, Accel, EventQueue, Machine, Ram, Stream, accel_device, cfg_addr, hbm_addr, pkt_cp_dma,
                        pkt_lin_dma, pkt_msg_long, pkt_msg_prot, pkt_nop, pkt_raw, pkt_repeat, pkt_wait, pkt_wreg32,
                        pkt_wreg_bulk, run_group, sram_addr)


def qm_event(eq, eng=0):
    e = eq.wait(H["KILN_EVENT_DMA_QM"](eng))
    if e is None:
        return None
    return struct.unpack_from("<IIIIQI", e[2])  # stream, cause, pq_index, cb_offset, addr, opcode


def test(t):
    m = Machine(accel_device(0))
    a = Accel(m, 4).setup()
    ram = Ram()
    eq = EventQueue(a, ram, size=256)
    s = Stream(a, ram, 0, 2)
    box = ram.alloc(64)

    def expect_stop(name, cb, cause, offset=None, stream=s, submit=True):
        eq.drain()
        if callable(cb):
            cb()
        elif submit:
            stream.submit(cb)
        m.settle()
        ev = qm_event(eq, stream.eng)
        st = stream.r("KILN_QM_STATUS")
        ok = (ev is not None and ev[0] == stream.idx and ev[1] == cause and st & H["KILN_QM_STS_STOPPED"]
              and stream.r("KILN_QM_ERR_CAUSE") == cause)
        if ok and offset is not None:
            ok = ev[3] == offset and stream.r("KILN_QM_ERR_CB_OFFSET") == offset
        t.ok(ok, f"{name}: error event (cause {cause}) and stopped stream", f"event={ev} status={st:#x}")
        stream.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
        m.settle()
        return ev

    for op in (0x0, 0xE, 0x10, 0x1F):
        expect_stop(f"bad opcode {op:#x}", pkt_nop() + pkt_raw(op), H["KILN_QM_ERR_BAD_OPCODE"], offset=8)
    ev = expect_stop("bad opcode reports its PQ index", pkt_raw(0x13), H["KILN_QM_ERR_BAD_OPCODE"])
    t.eq(ev[2] if ev else None, s.pi - 1, "error event carries the PQ index of the failing CB")
    m.memset(box, 8, 0)
    s.submit(pkt_msg_long(box, 0x600d))
    m.settle()
    t.eq(m.readl(box), 0x600d, "after RESUME the stream skips the bad CB and runs the next")

    # ring indices
    eq.drain()
    s.w("KILN_QM_PQ_PI", 2 * s.pq_size + 3)
    ev = qm_event(eq)
    t.ok(ev is not None and ev[1] == H["KILN_QM_ERR_PI_RANGE"], "PI >= 2*PQ_SIZE: PI_RANGE event, stream stopped", ev)
    s.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
    ci = s.r("KILN_QM_PQ_CI")
    s.w("KILN_QM_PQ_PI", (ci + s.pq_size + 1) % (2 * s.pq_size))
    ev = qm_event(eq)
    t.ok(ev is not None and ev[1] == H["KILN_QM_ERR_PQ_OVERRUN"], "PI more than PQ_SIZE ahead of CI: PQ_OVERRUN", ev)
    s.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
    t.eq(s.r("KILN_QM_PQ_CI"), ci, "a bad doorbell does not skip a CB on RESUME")
    s3 = Stream(a, ram, 0, 3, pq_size=12)
    s3.pi = 0
    expect_stop("PQ_SIZE not a power of two", pkt_nop(), H["KILN_QM_ERR_RING_CONFIG"], stream=s3)

    # DMA to nowhere / absurd sizes
    src = ram.alloc(4096)
    cases = [
        ("LIN_DMA to unmapped host memory", pkt_lin_dma(src, 0x7f0000000000, 4096), H["KILN_QM_ERR_DMA_DST"]),
        ("LIN_DMA from unmapped host memory", pkt_lin_dma(0x7f0000000000, src, 4096), H["KILN_QM_ERR_DMA_SRC"]),
        ("LIN_DMA to a window that does not exist", pkt_lin_dma(src, 0x0040000000000000, 64), H["KILN_QM_ERR_DMA_DST"]),
        ("LIN_DMA past the end of HBM", pkt_lin_dma(src, hbm_addr((256 << 20) - 16), 64), H["KILN_QM_ERR_DMA_DST"]),
        ("LIN_DMA of 4 GiB into SRAM", pkt_lin_dma(src, sram_addr(0), 0xffffffff), H["KILN_QM_ERR_DMA_DST"]),
        ("LIN_DMA into the register window", pkt_lin_dma(src, cfg_addr(0), 64), H["KILN_QM_ERR_DMA_DST"]),
        ("LIN_DMA beyond 2^48 host", pkt_lin_dma(0xfffffffff000, src, 0x2000), H["KILN_QM_ERR_DMA_SRC"]),
        ("LIN_DMA without the lin bit", pkt_lin_dma(src, src, 64, lin=False), H["KILN_QM_ERR_BAD_FIELD"]),
        ("MSG_LONG to an unmapped register", pkt_msg_long(cfg_addr(0xE0000), 1), H["KILN_QM_ERR_MSG_ADDR"]),
        ("MSG_LONG into the MSI-X table", pkt_msg_long(cfg_addr(H["KILN_MSIX_TABLE_OFFSET"]), 1), H["KILN_QM_ERR_MSG_ADDR"]),
        ("MSG_PROT to device memory", pkt_msg_prot(hbm_addr(0), 1), H["KILN_QM_ERR_MSG_ADDR"]),
        ("MSG_LONG with op 3", pkt_msg_long(box, 1, op=3), H["KILN_QM_ERR_BAD_FIELD"]),
        ("WREG_32 outside the engine block", pkt_wreg32(0x1000 - 2, 1), H["KILN_QM_ERR_REG_OFFSET"]),
        ("WREG_32 to an unknown register", pkt_wreg32(0x900, 1), H["KILN_QM_ERR_REG_OFFSET"]),
        ("WREG_BULK of size 0", pkt_wreg_bulk(0x90, [], size64=0), H["KILN_QM_ERR_BAD_FIELD"]),
        ("WREG_BULK absurd size", pkt_wreg_bulk(0x90, [0] * 4, size64=0xffffffff), H["KILN_QM_ERR_CB_TRUNCATED"]),
        ("CP_DMA of 1 GiB", pkt_cp_dma(src, 1 << 30), H["KILN_QM_ERR_CB_SIZE"]),
        ("CP_DMA from nowhere", pkt_cp_dma(0x0050000000000000, 64), H["KILN_QM_ERR_CB_FETCH"]),
        ("REPEAT count 0", pkt_repeat(0) + pkt_nop() + pkt_repeat(end=True), H["KILN_QM_ERR_BAD_FIELD"]),
        ("REPEAT without END", pkt_repeat(3) + pkt_nop(), H["KILN_QM_ERR_BAD_FIELD"]),
        ("REPEAT END without START", pkt_repeat(end=True), H["KILN_QM_ERR_BAD_FIELD"]),
        ("REPEAT inside REPEAT", pkt_repeat(2) + pkt_repeat(2), H["KILN_QM_ERR_NESTING"]),
        ("packet cut by the end of the CB", pkt_lin_dma(src, src, 8)[:16], H["KILN_QM_ERR_CB_TRUNCATED"]),
        ("ARB_POINT with reserved cfg bits", pkt_raw(H["KILN_PKT_ARB_POINT"], 5), H["KILN_QM_ERR_BAD_FIELD"]),
        ("LOAD_AND_EXE with reserved cfg bits", pkt_raw(H["KILN_PKT_LOAD_AND_EXE"], 6, struct.pack("<Q", src)), H["KILN_QM_ERR_BAD_FIELD"]),
    ]
    for name, cb, cause in cases:
        expect_stop(name, cb, cause)
    # DMA aimed at the device's own registers through their host (BAR0) address: refused,
    # never re-entered (QEMU's re-entrancy guard), never a crash
    cases2 = [
        ("LIN_DMA onto its own BAR0", pkt_lin_dma(src, a.bar0 + 0x10000, 64), H["KILN_QM_ERR_DMA_DST"]),
        ("MSG_LONG onto its own BAR0 doorbell", pkt_msg_long(a.bar0 + s.base + H["KILN_QM_PQ_PI"], 1), H["KILN_QM_ERR_MSG_ADDR"]),
    ]
    for name, cb, cause in cases2:
        expect_stop(name, cb, cause)
    nested = ram.alloc(64)
    m.write(nested, pkt_cp_dma(src, 8))
    expect_stop("CP_DMA inside CP_DMA", pkt_cp_dma(nested, 16), H["KILN_QM_ERR_NESTING"])
    # LIN_DMA faults also raise the DMA core event with the addresses
    eq.drain()
    s.submit(pkt_lin_dma(src, 0x7f0000000000, 4096))
    m.settle()
    core = eq.wait(H["KILN_EVENT_DMA_CORE"](0))
    t.ok(core is not None and struct.unpack_from("<IIQQQI", core[2])[1:] == (H["KILN_QM_ERR_DMA_DST"], src, 0x7f0000000000, 0x7f0000000000, 4096),
         "LIN_DMA fault: DMA core event with src, dst, faulting address and size", core)
    s.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
    # BD problems
    def bd(ptr, length):
        return lambda: (s.put_bd(ptr, length, 0), s.doorbell())

    expect_stop("BD with length 0", bd(src, 0), H["KILN_QM_ERR_CB_SIZE"])
    expect_stop("BD with absurd length", bd(src, 0x7ffffff8), H["KILN_QM_ERR_CB_SIZE"])
    expect_stop("BD pointing at unmapped memory", bd(0x7f0000000000, 64), H["KILN_QM_ERR_CB_FETCH"])

    # rings reprogrammed under a running CB (a WAIT holds it): stop, no crash
    for reg, val, cause in (("KILN_QM_PQ_SIZE", 0, H["KILN_QM_ERR_RING_CONFIG"]),
                            ("KILN_QM_CQ_SIZE", 0, H["KILN_QM_ERR_RING_CONFIG"]),
                            ("KILN_QM_PQ_SIZE", 3, H["KILN_QM_ERR_RING_CONFIG"])):
        sw = Stream(a, ram, 1, 3)
        eq.drain()
        sw.submit(pkt_wait(1000) + pkt_nop())
        m.settle()
        sw.w(reg, val)
        m.clock_step(2000)
        m.settle()
        ev = qm_event(eq, 1)
        t.ok(m.alive() and ev is not None and ev[1] == cause, f"{reg}={val} while a CB runs: RING_CONFIG stop, QEMU alive", ev)
        sw.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])

    # bus mastering off: the device refuses DMA and says so (EQ placed in SRAM to be seen)
    eqs = EventQueue(a, ram, size=16, base=sram_addr(0x10000))
    m.memset(a.sram + 0x10000, 16 * 64, 0)
    eqs.base = a.sram + 0x10000
    a.command(mem=True, master=False)
    s.submit(pkt_msg_long(box, 0xbad))
    m.settle()
    e = eqs.wait(H["KILN_EVENT_DMA_QM"](0))
    got = struct.unpack_from("<II", e[2]) if e else None
    t.eq(got, (s.idx, H["KILN_QM_ERR_BUS_MASTER"]), "bus master off: no DMA, BUS_MASTER error event, stream stopped")
    a.command(mem=True, master=True)
    s.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
    eq = EventQueue(a, ram, size=256)

    # random garbage CBs on every stream of both engines: QEMU survives, errors are reported
    rng = random.Random(4)
    streams = [Stream(a, ram, e, i, pq_size=64) for e in range(2) for i in range(4)]
    stopped = 0
    for rnd in range(12):
        for st in streams:
            body = bytearray(rng.randrange(256) for _ in range(8 * rng.randrange(1, 12)))
            if rng.random() < 0.5:
                struct.pack_into("<I", body, 4, (rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xf]) << 24))
            st.submit(bytes(body))
        m.settle(3)
        for st in streams:
            if st.r("KILN_QM_STATUS") & H["KILN_QM_STS_STOPPED"]:
                stopped += 1
                st.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
            a.w(st.base + H["KILN_QM_FENCE_CNT"](0), 255)
        m.clock_step(1 << 24)
        eq.drain()
    t.ok(m.alive(), "random garbage CBs on 8 streams: QEMU alive", m.proc.poll())
    t.ok(stopped > 0, "random garbage CBs: streams stop with errors", stopped)
    # random register writes over the whole configuration BAR (no soft-reset key)
    for _ in range(3000):
        off = rng.randrange(0, H["KILN_MSIX_TABLE_OFFSET"]) & ~3
        if off == H["KILN_CORE_SOFT_RESET"]:
            continue
        a.w(off, rng.getrandbits(32))
    m.settle(5)
    m.clock_step(1 << 26)
    t.ok(m.alive(), "3000 random register writes: QEMU alive")
    # soft reset brings a clean device back
    a.soft_reset()
    a.setup_msix()
    eq = EventQueue(a, ram, size=16)
    s = Stream(a, ram, 0, 0)
    m.writel(box, 0)
    s.submit(pkt_msg_long(box, 0x1234))
    m.settle()
    t.eq(m.readl(box), 0x1234, "after soft reset the device works again")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly (no crash, no assert)", log[-3000:])
    t.ok("Assertion" not in log and "core dumped" not in log, "no assertion in the QEMU log")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("malformed", test)
