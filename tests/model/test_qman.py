#!/usr/bin/env python3
"""kiln-accel model: QMAN streams and the Gaudi 1 packet set, CQ entries and interrupts."""

import os
import random
import struct

from kiln_qtest import (H, Accel, EventQueue, Machine, Ram, Stream, accel_device, cfg_addr, field_get,
                        hbm_addr, pkt_arb_point, pkt_cp_dma, pkt_fence, pkt_lin_dma, pkt_load_and_exe,
                        pkt_msg_long, pkt_msg_prot, pkt_msg_short, pkt_nop, pkt_repeat, pkt_stop, pkt_wait,
                        pkt_wreg32, pkt_wreg_bulk, run_group, sram_addr)

READY, SVALID = H["KILN_CQ_ENTRY_READY"], H["KILN_CQ_ENTRY_SHADOW_VALID"]


def cq_ok(shadow):
    return READY | SVALID | shadow


def test(t):
    m = Machine(accel_device(0), extra=["-trace", "kiln_qm_complete"])
    a = Accel(m, 4).setup()
    ram = Ram()
    eq = EventQueue(a, ram)
    s0 = Stream(a, ram, 0, 0)

    # NOP CB through a queue: CQ entry, CI, counters, interrupt
    a.msi_clear()
    sh = s0.submit(pkt_nop() * 4, shadow=0x123)
    m.settle()
    t.eq(s0.next_cq(), cq_ok(0x123), "NOP CB: CQ entry has ready, shadow-valid and the BD shadow index")
    t.eq(s0.r("KILN_QM_PQ_CI"), 1, "NOP CB: CI advanced")
    t.eq((s0.r("KILN_QM_CB_COUNT"), s0.r("KILN_QM_LAST_SHADOW")), (1, sh), "NOP CB: CB_COUNT and LAST_SHADOW")
    t.eq(a.msi(H["KILN_VEC_CQ"](0)), 0x1000 + H["KILN_VEC_CQ"](0), "NOP CB: CQ interrupt on the stream's vector")
    t.eq(s0.r("KILN_QM_STATUS"), 0, "NOP CB: stream idle, not stopped")

    # LIN_DMA host -> host
    src, dst = ram.alloc(8192), ram.alloc(8192)
    data = bytes(random.Random(1).randrange(256) for _ in range(8192))
    m.write(src, data)
    m.memset(dst, 8192, 0)
    s0.submit(pkt_lin_dma(src, dst, 8192))
    m.settle()
    t.eq(s0.next_cq(), cq_ok(1), "LIN_DMA CB completes with its CQ entry")
    t.ok(m.read(dst, 8192) == data, "LIN_DMA copies host to host")
    # host -> HBM -> SRAM -> host, one CB
    out = ram.alloc(8192)
    m.memset(out, 8192, 0)
    s0.submit(pkt_lin_dma(src, hbm_addr(0x100000), 8192) + pkt_lin_dma(hbm_addr(0x100000), sram_addr(0x1000), 8192)
              + pkt_lin_dma(sram_addr(0x1000), out, 8192))
    m.settle()
    t.ok(m.read(out, 8192) == data and m.read(a.hbm + 0x100000, 64) == data[:64]
         and m.read(a.sram + 0x1000, 64) == data[:64], "LIN_DMA host->HBM->SRAM->host, visible through the BARs")
    # memset
    s0.submit(pkt_lin_dma(0x1122334455667788, hbm_addr(0x200000), 4096 + 3, memset=True))
    m.settle()
    t.eq(m.read(a.hbm + 0x200000, 11), bytes.fromhex("8877665544332211887766"), "LIN_DMA memset replicates the 64-bit pattern")
    t.eq(m.read(a.hbm + 0x200000 + 4096, 4), bytes.fromhex("887766") + b"\0", "LIN_DMA memset stops at tsize")
    # big copy in chunks, and write-completion
    big = 3 << 20
    m.write(a.hbm + 0x400000, bytes(range(256)) * (big // 256))
    flag = ram.alloc(64)
    m.writel(flag, 0)
    s0.w64("KILN_QM_WR_COMP_ADDR_LO", flag)
    s0.w("KILN_QM_WR_COMP_DATA", 0xc0ffee)
    s0.submit(pkt_lin_dma(hbm_addr(0x400000), hbm_addr(0x800000), big, wrcomp=True))
    m.settle(10)
    t.ok(m.read(a.hbm + 0x800000 + big - 256, 256) == bytes(range(256)), "LIN_DMA of 3 MiB HBM->HBM completes")
    t.eq(m.readl(flag), 0xc0ffee, "LIN_DMA wrcomp writes WR_COMP_DATA to WR_COMP_ADDR")
    eng_bytes = a.r(H["KILN_BLK_QMAN"](0) + H["KILN_QM_ENG_DMA_BYTES_LO"])
    t.ok(eng_bytes >= big, "engine DMA byte counter counts LIN_DMA bytes", eng_bytes)
    s0.cq_read = s0.r("KILN_QM_CQ_PI")

    # WREG_32 / WREG_BULK into the engine's own block
    sc = H["KILN_QM_STREAM"](0) + H["KILN_QM_SCALAR"](0)
    s0.submit(pkt_wreg32(sc, 0xabcd1234) + pkt_wreg_bulk(sc + 4, [0x3333333322222222]))
    m.settle()
    t.eq([s0.reg(H["KILN_QM_SCALAR"](i)) for i in range(3)], [0xabcd1234, 0x22222222, 0x33333333],
         "WREG_32 and WREG_BULK write engine registers")

    # MSG_LONG / MSG_PROT / MSG_SHORT
    m.clock_step(12345)
    box = ram.alloc(64)
    m.memset(box, 64, 0)
    a.w64(s0.base + H["KILN_QM_MSG_BASE_LO"](0), box)
    s0.submit(pkt_msg_long(box, 0x11111111) + pkt_msg_prot(box + 4, 0x22222222) + pkt_msg_short(0, 8, 0x33333333)
              + pkt_msg_long(box + 16, 0, op=1))
    m.settle()
    got = struct.unpack("<IIIIQ", m.read(box, 24))
    t.eq(got[:3], (0x11111111, 0x22222222, 0x33333333), "MSG_LONG, MSG_PROT and MSG_SHORT (base 0 + offset) write 32-bit values")
    t.ok(got[4] >= 12345, "MSG_LONG op=1 writes the 64-bit device timestamp", got[4])

    # CP_DMA: packets executed from another buffer, then the CB continues
    inner = ram.alloc(64)
    m.write(inner, pkt_msg_long(box + 32, 0x44444444) + pkt_nop())
    s0.submit(pkt_cp_dma(inner, 24) + pkt_msg_long(box + 36, 0x55555555))
    m.settle()
    t.eq(struct.unpack("<II", m.read(box + 32, 8)), (0x44444444, 0x55555555), "CP_DMA runs a nested buffer, then the CB resumes")

    # REPEAT: a block run N times (SOB increments through MSG_SHORT on the SM window)
    sob = 40
    a.w64(s0.base + H["KILN_QM_MSG_BASE_LO"](0), cfg_addr(H["KILN_BLK_SM"]))
    s0.submit(pkt_repeat(5) + pkt_msg_short(0, H["KILN_SM_SOB"](sob), H["KILN_SM_SOB_MOD_ADD"] | 2) + pkt_repeat(end=True))
    m.settle()
    t.eq(a.r(H["KILN_BLK_SM"] + H["KILN_SM_SOB"](sob)), 10, "REPEAT runs its block COUNT times (5 x add 2)")

    # FENCE: blocks until the fence counter reaches target, then decrements
    s1 = Stream(a, ram, 0, 1)
    s1.submit(pkt_fence(2, 3, 2) + pkt_msg_long(box + 40, 0x66666666))
    m.settle()
    t.ok(s1.r("KILN_QM_STATUS") & H["KILN_QM_STS_FENCE_WAIT"] and m.readl(box + 40) == 0,
         "FENCE blocks the stream below its target", hex(s1.r("KILN_QM_STATUS")))
    t.eq(field_get(H["KILN_QM_STS_FENCE_ID"], s1.r("KILN_QM_STATUS")), 2, "STATUS names the fence counter waited on")
    a.w(s1.base + H["KILN_QM_FENCE_CNT"](2), 2)
    m.settle()
    t.eq(m.readl(box + 40), 0, "FENCE still blocked at 2 of 3")
    # another stream (other engine) signals the fence through the config window
    s4 = Stream(a, ram, 1, 0)
    s4.submit(pkt_msg_long(cfg_addr(s1.base + H["KILN_QM_FENCE_CNT"](2)), 1))
    m.settle()
    t.eq(m.readl(box + 40), 0x66666666, "a message from another engine wakes the FENCE")
    t.eq(s1.reg(H["KILN_QM_FENCE_CNT"](2)), 1, "FENCE subtracts its dec value (3 - 2)")
    # predicated FENCE (pred bit clear) is skipped; LOAD_AND_EXE loads predicates and scalars
    pv = ram.alloc(64)
    m.write(pv, struct.pack("<I", 1 << 5) + bytes(12))
    m.write(pv + 16, struct.pack("<4I", 7, 8, 9, 10))
    s1.submit(pkt_fence(0, 9, 1, pred=3) + pkt_load_and_exe(pv, 0) + pkt_load_and_exe(pv + 16, 1) + pkt_nop())
    m.settle()
    t.eq(s1.r("KILN_QM_PRED"), 1 << 5, "LOAD_AND_EXE dst 0 loads the predicate register")
    t.eq([s1.reg(H["KILN_QM_SCALAR"](i)) for i in range(4)], [7, 8, 9, 10], "LOAD_AND_EXE dst 1 loads SCALAR0..3")
    t.eq(s1.r("KILN_QM_CB_COUNT"), 2, "a FENCE predicated on a clear PRED bit is skipped")

    # WAIT: stalls for device cycles (virtual ns), then increments a fence counter
    s1.submit(pkt_wait(50000, inc=3, fid=1) + pkt_msg_long(box + 44, 0x77777777))
    m.settle()
    t.ok(s1.r("KILN_QM_STATUS") & H["KILN_QM_STS_TIMER_WAIT"] and m.readl(box + 44) == 0, "WAIT stalls the stream")
    m.clock_step(60000)
    m.settle()
    t.eq((m.readl(box + 44), s1.reg(H["KILN_QM_FENCE_CNT"](1))), (0x77777777, 3), "after the cycles WAIT resumes and adds INC to the fence")

    # STOP: completes the CB, stops the stream; RESUME continues with the next CB
    s2 = Stream(a, ram, 0, 2)
    s2.submit(pkt_msg_long(box + 48, 1) + pkt_stop() + pkt_msg_long(box + 52, 2))
    s2.submit(pkt_msg_long(box + 56, 3))
    m.settle()
    t.eq((m.readl(box + 48), m.readl(box + 52), m.readl(box + 56)), (1, 0, 0), "STOP halts the CB at the packet")
    t.eq(s2.r("KILN_QM_ERR_CAUSE"), H["KILN_QM_ERR_STOP_PACKET"], "STOP: ERR_CAUSE says stopped by packet")
    t.ok(s2.r("KILN_QM_STATUS") & H["KILN_QM_STS_STOPPED"], "STOP: STATUS.STOPPED")
    t.eq(s2.next_cq(), cq_ok(0), "STOP: the stopped CB still completes")
    t.eq(eq.drain(), [], "STOP raises no error event")
    s2.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESUME"])
    m.settle()
    t.eq(m.readl(box + 56), 3, "RESUME runs the next CB")

    # ARB_POINT: streams interleave
    s3 = Stream(a, ram, 0, 3)
    order = ram.alloc(64)
    m.memset(order, 64, 0)
    seq = cfg_addr(H["KILN_BLK_SM"] + H["KILN_SM_SOB"](60))
    cbs = {}
    for st, tag in ((s2, 0x100), (s3, 0x200)):
        cb = b""
        for i in range(3):
            cb += pkt_msg_long(order + 4 * (tag // 0x100 - 1) * 3 + 4 * i, tag + i) + pkt_arb_point()
        cbs[st] = cb
        st.submit(cb)
    m.settle(5)
    vals = struct.unpack("<6I", m.read(order, 24))
    t.eq(vals, (0x100, 0x101, 0x102, 0x200, 0x201, 0x202), "ARB_POINT: both streams complete their CBs")

    # both engines, all streams, PQ wrap
    streams = [s0, s1, s2, s3, s4] + [Stream(a, ram, 1, i) for i in (1, 2, 3)]
    for st in streams:
        st.cq_read = st.r("KILN_QM_CQ_PI")
    ctr = ram.alloc(4 * 8)
    m.memset(ctr, 32, 0)
    for rnd in range(5):
        for k, st in enumerate(streams):
            for _ in range(5):
                st.submit(pkt_nop(), doorbell=False)
            st.doorbell()
        m.settle(3)
    counts = [st.r("KILN_QM_CB_COUNT") for st in streams]
    cis = [st.r("KILN_QM_PQ_CI") == st.pi for st in streams]
    t.ok(all(cis), "8 streams on 2 engines drain 25 CBs each through a wrapping 16-entry PQ", counts)
    entries = [streams[5].cq_entry(i) for i in range(16)]
    t.ok(all(e & READY for e in entries), "CQ wraps: every slot rewritten with ready")
    # PQ and CB in device memory (SRAM / HBM)
    st = streams[6]
    m.write(a.hbm + 0x10000, pkt_msg_long(box + 60, 0x88888888))
    m.write(a.sram + 0x8000, struct.pack("<QII", hbm_addr(0x10000), 16, 0x42) * 16)
    st.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])
    st.w64("KILN_QM_PQ_BASE_LO", sram_addr(0x8000))
    st.w("KILN_QM_PQ_PI", 1)
    m.settle()
    t.eq(m.readl(box + 60), 0x88888888, "PQ in SRAM with a CB in HBM")
    t.eq(eq.drain(), [], "no error events in normal operation")

    # shadow doorbell (docs/device.md section 5): PIs published in host memory, PQ_PI rung
    # only for an idle stream, which says where it stopped in the pair's event word
    st = streams[7]
    st.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])
    st.pi = 0
    pair, sbox = ram.alloc(8, 8), ram.alloc(64)
    m.write(pair, bytes(8))
    m.memset(sbox, 64, 0)
    st.w64("KILN_QM_PQ_SHADOW_LO", pair)
    t.eq((st.r("KILN_QM_PQ_SHADOW_LO"), st.r("KILN_QM_PQ_SHADOW_HI")), (pair & 0xffffffff, pair >> 32),
         "PQ_SHADOW reads back")
    st.submit(pkt_msg_long(sbox, 1), doorbell=False)
    m.writel(pair, st.pi)
    m.settle()
    t.eq(st.r("KILN_QM_PQ_CI"), 0, "shadow doorbell: a PI published in memory alone does not wake an idle stream")
    st.doorbell()
    m.settle()
    t.eq((st.r("KILN_QM_PQ_CI"), m.readl(sbox)), (1, 1), "shadow doorbell: PQ_PI starts the idle stream")
    t.eq(m.readl(pair + 4), 1, "shadow doorbell: going idle, the stream writes the PI it stopped at to event")
    fence_wait = H["KILN_QM_STS_FENCE_WAIT"]
    st.submit(pkt_fence(3, 1, 1) + pkt_nop())
    m.settle()
    t.ok(st.r("KILN_QM_STATUS") & fence_wait, "shadow doorbell: the stream is held behind a FENCE")
    for k in range(3):
        st.submit(pkt_msg_long(sbox + 4 + 4 * k, 2 + k), doorbell=False)
    m.writel(pair, st.pi)
    st.wreg(H["KILN_QM_FENCE_CNT"](3), 1)
    m.settle()
    t.eq(st.r("KILN_QM_PQ_CI"), 5, "shadow doorbell: a busy stream takes the PI published in memory, no PQ_PI write")
    t.eq([m.readl(sbox + 4 + 4 * k) for k in range(3)], [2, 3, 4], "shadow doorbell: the CBs it announced ran in order")
    t.eq((st.r("KILN_QM_PQ_PI"), m.readl(pair + 4)), (5, 5),
         "shadow doorbell: PQ_PI reads the PI taken from memory; event says where the stream stopped")
    st.submit(pkt_fence(3, 1, 1) + pkt_nop())
    m.settle()
    bad = 2 * st.pq_size + 1
    m.writel(pair, bad)
    st.wreg(H["KILN_QM_FENCE_CNT"](3), 1)
    m.settle()
    t.eq((bool(st.r("KILN_QM_STATUS") & H["KILN_QM_STS_STOPPED"]), st.r("KILN_QM_ERR_CAUSE"), st.r("KILN_QM_ERR_ADDR_LO")),
         (True, H["KILN_QM_ERR_PI_RANGE"], bad), "shadow doorbell: a PI out of range in memory stops the stream as PQ_PI would")
    qm = [e for e in eq.drain() if e[0] == H["KILN_EVENT_DMA_QM"](1)]
    t.eq(len(qm), 1, "shadow doorbell: the bad PI posts one DMA_QM error event")
    st.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])
    st.pi = 0
    st.w64("KILN_QM_PQ_SHADOW_LO", pair + 4)
    st.submit(pkt_nop())
    m.settle()
    t.eq((st.r("KILN_QM_PQ_CI"), st.r("KILN_QM_ERR_CAUSE"), st.r("KILN_QM_ERR_ADDR_LO")),
         (1, H["KILN_QM_ERR_RING_CONFIG"], (pair + 4) & 0xffffffff),
         "shadow doorbell: a misaligned pair stops the stream with RING_CONFIG once it has to look")
    eq.drain()
    st.w64("KILN_QM_PQ_SHADOW_LO", 0)
    st.w("KILN_QM_CTRL", H["KILN_QM_CTRL_RESET"])
    st.pi = 0
    st.submit(pkt_msg_long(sbox + 32, 9))
    m.settle()
    t.eq((m.readl(sbox + 32), m.readl(pair + 4)), (9, 5), "shadow doorbell off (0): PQ_PI alone, the pair untouched")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly", log[-2000:])
    t.ok("kiln_qm_complete DMA0 stream 0 CB 0 done, shadow 0x123" in log, "trace events: -trace kiln_* logs the model's work",
         log[:500])


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("qman", test)
