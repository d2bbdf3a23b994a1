#!/usr/bin/env python3
"""kiln-accel model: NIC ports - MAC loopback, two wired ports, RX without lengths,
filtering, MTU, backpressure, counters, link events, frame faults, topology wiring."""

import atexit
import os
import shutil
import tempfile
import struct
import sys

from kiln_qtest import H, TOP, Accel, EventQueue, Machine, Ram, run_group

sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import topology  # noqa: E402

NIC_CFG_ALL = H["KILN_NIC_CFG_TX_EN"] | H["KILN_NIC_CFG_RX_EN"]


def ipv4_frame(dst, src, payload, ttl=64):
    total = 20 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0, ttl, 253, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return dst + src + b"\x08\x00" + ip + payload


def parse_len(buf):
    """What the driver does: learn the frame length from L2/L3."""
    etype = struct.unpack_from(">H", buf, 12)[0]
    if etype == 0x0800:
        return 14 + struct.unpack_from(">H", buf, 16)[0]
    raise ValueError(f"ethertype {etype:#x}")


class Port:
    def __init__(self, a, ram, p, tx_size=16, rx_size=8, bufsz=2048, post=True):
        self.a, self.ram, self.p = a, ram, p
        self.blk = H["KILN_BLK_NIC"](p)
        self.tx = ram.alloc(16 * tx_size)
        self.rx = ram.alloc(8 * rx_size)
        self.wb = ram.alloc(64)
        self.txwb = ram.alloc(64)
        self.tx_size, self.rx_size, self.bufsz = tx_size, rx_size, bufsz
        self.bufs = [ram.alloc(bufsz) for _ in range(rx_size)]
        m = a.m
        for i, b in enumerate(self.bufs):
            m.write(self.rx + 8 * i, struct.pack("<Q", b))
        a.w64(self.blk + H["KILN_NIC_TX_BASE_LO"], self.tx)
        a.w(self.blk + H["KILN_NIC_TX_SIZE"], tx_size)
        a.w64(self.blk + H["KILN_NIC_RX_BASE_LO"], self.rx)
        a.w(self.blk + H["KILN_NIC_RX_SIZE"], rx_size)
        a.w(self.blk + H["KILN_NIC_RX_BUF_SIZE"], bufsz)
        a.w64(self.blk + H["KILN_NIC_RX_WB_LO"], self.wb)
        a.w64(self.blk + H["KILN_NIC_TX_WB_LO"], self.txwb)
        self.tx_pi = 0
        self.rx_pi = 0
        self.rx_seen = 0
        if post:
            self.post(rx_size)

    def r(self, name):
        return self.a.r(self.blk + H[name])

    def w(self, name, v):
        self.a.w(self.blk + H[name], v)

    def mac(self):
        return struct.pack("<IH", self.r("KILN_NIC_MAC_LO"), self.r("KILN_NIC_MAC_HI") & 0xffff)

    def post(self, n):
        self.rx_pi = (self.rx_pi + n) % (2 * self.rx_size)
        self.w("KILN_NIC_RX_PI", self.rx_pi)

    def send(self, frames):
        m = self.a.m
        for f in frames:
            buf = self.ram.alloc(max(len(f), 64), 64)
            m.write(buf, f)
            m.write(self.tx + 16 * (self.tx_pi % self.tx_size), struct.pack("<QII", buf, len(f), 0))
            self.tx_pi = (self.tx_pi + 1) % (2 * self.tx_size)
        self.w("KILN_NIC_TX_PI", self.tx_pi)
        m.settle()

    def received(self):
        """Frames filled since last call, lengths recovered by parsing."""
        out = []
        ci = self.r("KILN_NIC_RX_CI")
        while self.rx_seen != ci:
            b = self.bufs[self.rx_seen % self.rx_size]
            head = self.a.m.read(b, 64)
            n = parse_len(head)
            out.append(self.a.m.read(b, n))
            self.rx_seen = (self.rx_seen + 1) % (2 * self.rx_size)
        return out

    def cnt(self, name):
        return self.r("KILN_NIC_CNT_" + name)

    def tx_word(self):
        return struct.unpack("<I", self.a.m.read(self.txwb, 4))[0]


RUN_DIR = tempfile.mkdtemp(prefix="kiln-model-run-")
atexit.register(shutil.rmtree, RUN_DIR, True)


def test(t):
    args = topology.accel_args(1, 3, "64M", "model-nic", RUN_DIR, extra={"accel0": "addr=0x4"})
    t.ok("loopback-ports=4" in " ".join(args) and args.count("-netdev") == 2 and "dgram" in " ".join(args),
         "topology: 3 ports -> one back-to-back pair + the odd port strapped to MAC loopback", " ".join(args))
    m = Machine(args)
    a = Accel(m, 4, hbm_size=64 << 20).setup()
    ram = Ram()
    eq = EventQueue(a, ram)
    p0, p1, p2 = (Port(a, ram, i) for i in range(3))
    st = [p.r("KILN_NIC_STATUS") for p in (p0, p1, p2)]
    UP, WIRED = H["KILN_NIC_STS_LINK_UP"], H["KILN_NIC_STS_WIRED"]
    t.eq([s & (UP | WIRED) for s in st], [UP | WIRED, UP | WIRED, UP], "links: paired ports up and wired; strapped port up")
    t.eq(p2.r("KILN_NIC_CFG"), H["KILN_NIC_CFG_LOOPBACK"], "loopback-ports strap: CFG.LOOPBACK after reset")
    t.eq(p0.r("KILN_NIC_MTU"), 1500, "MTU resets to 1500")
    macs = [p.mac() for p in (p0, p1, p2)]
    t.ok(len(set(macs)) == 3 and macs[1][5] == macs[0][5] + 1, "ports get base MAC + port index",
         [x.hex(":") for x in macs])

    # MAC loopback on port 2
    p2.w("KILN_NIC_CFG", H["KILN_NIC_CFG_LOOPBACK"] | NIC_CFG_ALL)
    a.msi_clear()
    frames = [ipv4_frame(macs[2], macs[2], bytes([i]) * (40 + 97 * i)) for i in range(5)]
    p2.send(frames)
    got = p2.received()
    t.ok(got == frames, "MAC loopback: 5 frames come back intact, lengths parsed from L3",
         [len(g) for g in got])
    t.eq((p2.r("KILN_NIC_TX_CI"), p2.r("KILN_NIC_RX_CI")), (5, 5), "MAC loopback: TX_CI and RX_CI advance")
    t.eq(struct.unpack("<I", m.read(p2.wb, 4))[0], 5, "RX_CI write-back word")
    t.eq((p2.tx_word(), p2.r("KILN_NIC_TX_WB_LO") | p2.r("KILN_NIC_TX_WB_HI") << 32), (5, p2.txwb),
         "TX_CI write-back word: 5 after 5 frames; TX_WB reads back")
    t.eq((a.msi(H["KILN_VEC_NIC_TX"](2)), a.msi(H["KILN_VEC_NIC_RX"](2))),
         (0x1000 + H["KILN_VEC_NIC_TX"](2), 0x1000 + H["KILN_VEC_NIC_RX"](2)), "TX and RX vectors of the port")
    t.eq((p2.cnt("TX_FRAMES"), p2.cnt("RX_FRAMES"), p2.cnt("TX_BYTES")),
         (5, 5, sum(len(f) for f in frames)), "counters: frames and bytes")
    # backpressure in loopback: 8 RX buffers, 3 left; send 6 -> 3 wait until buffers are posted
    more = [ipv4_frame(macs[2], macs[2], bytes([0x40 + i]) * 60) for i in range(6)]
    p2.send(more)
    got = p2.received()
    t.eq(len(got), 3, "no free RX buffer: the rest wait (TX does not complete)")
    t.eq((p2.r("KILN_NIC_TX_CI"), p2.tx_word()), (8, 8), "TX_CI stops at the waiting frame, and so does its write-back word")
    p2.post(3)
    m.settle()
    got += p2.received()
    t.ok(got == more, "posting RX buffers releases the waiting frames in order")
    t.eq(p2.tx_word(), 11, "TX write-back word follows once the waiting frames go")

    # TX write-back: the fault knob tx-wb-stale leaves the word behind TX_CI (a lying device)
    p2.post(8)
    a.knob("tx-wb-stale", 0x4)
    p2.send([ipv4_frame(macs[2], macs[2], b"s" * 60) for _ in range(2)])
    p2.received()
    t.eq((p2.r("KILN_NIC_TX_CI"), p2.tx_word()), (13, 11), "tx-wb-stale: TX_CI moves, the word stays behind")
    a.knob("tx-wb-stale", 0)
    p2.send([ipv4_frame(macs[2], macs[2], b"t" * 60)])
    p2.received()
    t.eq(p2.tx_word(), 14, "tx-wb-stale cleared: the word is written again")
    # a write-back the device cannot write stops TX with TX_WRITE; RESUME skips nothing
    eq.drain()
    a.knob("dma-error-addr", p2.txwb)
    f_wb = ipv4_frame(macs[2], macs[2], b"w" * 60)
    p2.send([f_wb])
    e = eq.wait(H["KILN_EVENT_NIC_QM"](2))
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (2, H["KILN_NIC_ERR_TX_WRITE"]),
         "TX write-back fails: NIC error event with TX_WRITE", e)
    t.ok(p2.r("KILN_NIC_STATUS") & H["KILN_NIC_STS_TX_STOPPED"] and p2.received() == [f_wb],
         "TX write-back fails: TX stopped after the frame went (CI 15)", p2.r("KILN_NIC_TX_CI"))
    a.knob("dma-error-addr", 0)
    p2.w("KILN_NIC_CTRL", H["KILN_NIC_CTRL_RESUME"])
    m.settle()
    t.eq((p2.r("KILN_NIC_TX_CI"), p2.tx_word(), p2.r("KILN_NIC_STATUS") & H["KILN_NIC_STS_TX_STOPPED"]), (15, 15, 0),
         "RESUME after TX_WRITE: the word is written, no entry skipped")
    p2.w("KILN_NIC_CTRL", H["KILN_NIC_CTRL_RESET"])
    t.eq((p2.r("KILN_NIC_TX_WB_LO"), p2.r("KILN_NIC_TX_WB_HI"), p2.r("KILN_NIC_TX_CI")), (0, 0, 0),
         "CTRL.RESET clears TX_WB (zero: no write-back)")

    # two wired ports: port 0 -> hub -> port 1
    for p in (p0, p1):
        p.w("KILN_NIC_CFG", NIC_CFG_ALL)
    f1 = [ipv4_frame(macs[1], macs[0], b"hello port one" * 10)]
    p0.send(f1)
    t.ok(p1.received() == f1, "wired pair: port 0 frame arrives on port 1")
    f2 = [ipv4_frame(macs[0], macs[1], b"and back" * 30)]
    p1.send(f2)
    t.ok(p0.received() == f2, "wired pair: port 1 frame arrives on port 0")
    # filtering
    other = bytes.fromhex("020000000001")
    p0.send([ipv4_frame(other, macs[0], b"x" * 50)])
    t.eq((p1.received(), p1.cnt("RX_FILTERED")), ([], 1), "filter: frame for another MAC is refused and counted")
    p0.send([ipv4_frame(b"\xff" * 6, macs[0], b"b" * 50)])
    t.eq(len(p1.received()), 1, "filter: broadcast accepted")
    p0.send([ipv4_frame(bytes.fromhex("01005e000001"), macs[0], b"m" * 50)])
    t.eq(len(p1.received()), 0, "filter: multicast refused without ALLMULTI")
    p1.w("KILN_NIC_CFG", NIC_CFG_ALL | H["KILN_NIC_CFG_PROMISC"])
    p0.send([ipv4_frame(other, macs[0], b"p" * 50)])
    t.eq(len(p1.received()), 1, "filter: PROMISC accepts every destination")
    # pause frames
    p0.send([macs[1] + macs[0] + b"\x88\x08" + bytes(46)])
    t.eq((p0.cnt("TX_PAUSE"), p1.cnt("RX_PAUSE"), len(p1.received())), (1, 1, 0), "pause frames counted, not delivered")
    # MTU: RX oversize dropped, TX oversize is a programming error
    p1.w("KILN_NIC_MTU", 1000)
    p0.send([ipv4_frame(macs[1], macs[0], bytes(1200))])
    t.eq((len(p1.received()), p1.cnt("RX_DROP")), (0, 1), "RX frame above MTU+18 dropped and counted")
    p0.w("KILN_NIC_MTU", 200)
    eq.drain()
    p0.send([ipv4_frame(macs[1], macs[0], bytes(400))])
    e = eq.wait(H["KILN_EVENT_NIC_QM"](0))
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (0, H["KILN_NIC_ERR_TX_LEN"]),
         "TX frame above MTU: NIC error event, TX stopped", e)
    t.ok(p0.r("KILN_NIC_STATUS") & H["KILN_NIC_STS_TX_STOPPED"], "STATUS.TX_STOPPED")
    p0.w("KILN_NIC_MTU", 1500)
    p0.w("KILN_NIC_CTRL", H["KILN_NIC_CTRL_RESUME"])
    p0.send([ipv4_frame(macs[1], macs[0], b"after resume" * 5)])
    t.eq(len(p1.received()), 1, "RESUME skips the bad entry and transmits again")
    p0.w("KILN_NIC_CTRL", H["KILN_NIC_CTRL_CLEAR_COUNTERS"])
    t.eq(p0.cnt("TX_FRAMES"), 0, "CTRL.CLEAR_COUNTERS")

    # link down / up through the fault knob: events with the port, drops counted
    eq.drain()
    a.knob("link-down", 0x1)
    e = eq.wait(H["KILN_EVENT_NIC_STATUS"](0))
    t.ok(e is not None and struct.unpack_from("<III", e[2])[:2] == (0, 0), "link-down: EQ NIC status event, link 0", e)
    t.eq(p0.r("KILN_NIC_STATUS") & UP, 0, "link-down: STATUS.LINK_UP clear")
    p0.send([ipv4_frame(macs[1], macs[0], b"lost" * 20)])
    t.eq((p0.cnt("TX_DROP"), len(p1.received())), (1, 0), "link down: frames dropped and counted")
    a.knob("link-down", 0)
    e = eq.wait(H["KILN_EVENT_NIC_STATUS"](0))
    t.ok(e is not None and struct.unpack_from("<II", e[2]) == (0, 1), "link back up: event, link 1", e)
    t.eq(p0.cnt("LINK_DOWN"), 1, "LINK_DOWN counter")
    # link flap: down now, up after 10 ms of device time
    eq.drain()
    a.knob("link-flap", 0x2)
    downs = [e for e in eq.drain() if e[0] == H["KILN_EVENT_NIC_STATUS"](1)]
    m.clock_step(20 * 1000 * 1000)
    ups = [e for e in eq.drain() if e[0] == H["KILN_EVENT_NIC_STATUS"](1)]
    t.eq((len(downs), len(ups), struct.unpack_from("<II", ups[0][2])[1] if ups else None), (1, 1, 1),
         "link-flap: one down event, one up event 10 ms later")
    t.eq(struct.unpack_from("<I", ups[0][2], 12)[0] if ups else None, 1, "link event carries the flap count")

    # frame faults on the wire
    a.knob("frame-drop-ppm", 1000000)
    p0.send([ipv4_frame(macs[1], macs[0], b"d" * 64) for _ in range(4)])
    t.eq((len(p1.received()), p0.cnt("TX_FRAMES")), (0, 4), "frame-drop-ppm=1e6: every frame lost on the wire, sender counts them sent")
    a.knob("frame-drop-ppm", 0)
    a.knob("frame-corrupt-ppm", 1000000)
    sent = ipv4_frame(macs[1], macs[0], bytes(range(200)))
    p0.send([sent])
    got = p1.received()
    diff = sum(bin(x ^ y).count("1") for x, y in zip(got[0], sent)) if got else None
    t.eq(diff, 1, "frame-corrupt-ppm=1e6: the frame arrives with exactly one payload bit flipped")
    t.eq(got[0][:14] if got else None, sent[:14], "frame corruption leaves the L2 header intact")
    a.knob("frame-fault-ports", 0x2)
    back = ipv4_frame(macs[0], macs[1], bytes(range(200)))
    p0.send([sent])
    p1.send([back])
    got0, got1 = p0.received(), p1.received()
    t.ok(got1 == [sent] and len(got0) == 1 and got0[0] != back,
         "frame-fault-ports=0x2: port 0's frames arrive intact, port 1's are corrupted (a fault on one port)")
    a.knob("frame-fault-ports", 0xffffffff)
    a.knob("frame-corrupt-ppm", 0)
    p0.send([sent])
    t.eq(p1.received(), [sent], "knobs back at 0: frames intact")
    t.eq(p1.cnt("RX_CRC_ERR"), 0, "no CRC errors on a clean link")
    # bus mastering off: the doorbell (which sends in the write itself) refuses, as the BH did
    a.command(mem=True, master=False)
    p0.send([ipv4_frame(macs[1], macs[0], b"no master" * 8)])
    t.eq((bool(p0.r("KILN_NIC_STATUS") & H["KILN_NIC_STS_TX_STOPPED"]), p0.r("KILN_NIC_ERR_CAUSE"), len(p1.received())),
         (True, H["KILN_NIC_ERR_BUS_MASTER"], 0), "bus master off: TX_PI sends nothing, TX stopped with BUS_MASTER")
    a.command(mem=True, master=True)
    p0.w("KILN_NIC_CTRL", H["KILN_NIC_CTRL_RESUME"])
    p0.send([sent])
    t.eq(p1.received(), [sent], "bus master back on, RESUME: frames go again")
    # TX disabled: the doorbell records PI and sends nothing until TX_EN
    p1.post(p1.rx_size)  # port 1 has used its 8 buffers by now
    p0.w("KILN_NIC_CFG", H["KILN_NIC_CFG_RX_EN"])
    p0.send([sent])
    t.eq((len(p1.received()), p0.r("KILN_NIC_TX_CI") != p0.tx_pi), (0, True), "TX_EN clear: nothing sent, TX_CI waits")
    p0.w("KILN_NIC_CFG", NIC_CFG_ALL)
    m.settle()
    t.eq((p1.received(), p0.tx_word()), ([sent], p0.tx_pi), "TX_EN set: the waiting frame goes, the word catches up")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly", log[-2000:])
    t.ok("hub" not in log, "datagram pairs: no hub warnings", log[-500:])

    # the hub alternative wires a pair too
    args = topology.accel_args(1, 2, "64M", "model-hub", RUN_DIR, link="hub", extra={"accel0": "addr=0x4"})
    m = Machine(args)
    a = Accel(m, 4, hbm_size=64 << 20).setup()
    ram = Ram()
    h0, h1 = Port(a, ram, 0), Port(a, ram, 1)
    for p in (h0, h1):
        p.w("KILN_NIC_CFG", NIC_CFG_ALL)
    f = ipv4_frame(h1.mac(), h0.mac(), b"through a hub" * 3)
    h0.send([f])
    t.eq(h1.received(), [f], "link=hub: port 0 frame arrives on port 1")
    m.close()

    # ports wired across two instances and a strapped single port
    args = topology.accel_args(2, 1, "64M", "model-nic2", RUN_DIR,
                               extra={"accel0": "addr=0x4", "accel1": "addr=0x5"})
    t.ok(args.count("-netdev") == 0 and " ".join(args).count("loopback-ports=1") == 2, "topology: ports=1 -> MAC loopback strap")
    ext = {"accel0.port1": "hubport,hubid=77", "accel1.port1": "hubport,hubid=77"}
    args = topology.accel_args(2, 2, "64M", "model-nic3", RUN_DIR, external=ext,
                               extra={"accel0": "addr=0x4", "accel1": "addr=0x5"})
    m = Machine(args)
    a0 = Accel(m, 4, 0, hbm_size=64 << 20).setup()
    a1 = Accel(m, 5, 1, hbm_size=64 << 20).setup()
    ram = Ram()
    q0, q1 = Port(a0, ram, 1), Port(a1, ram, 1)
    for q in (q0, q1):
        q.w("KILN_NIC_CFG", NIC_CFG_ALL)
    t.ok(q0.mac() != q1.mac(), "two instances get distinct MACs", (q0.mac().hex(), q1.mac().hex()))
    f = ipv4_frame(q1.mac(), q0.mac(), b"between instances" * 4)
    q0.send([f])
    t.eq(q1.received(), [f], "external wiring: accel0 port 1 reaches accel1 port 1")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly (two instances)", log[-2000:])

    # mesh: 3 instances x (2 per peer + 1 scale-out) ports; every cable joins the ports the
    # wiring table names, in both directions, and the scale-out port is strapped to loopback
    devs = {f"accel{i}": f"addr={4 + i:#x}" for i in range(3)}
    args = topology.accel_args(3, 5, "64M", "model-mesh", RUN_DIR, topology="mesh", extra=devs)
    table = open(os.path.join(RUN_DIR, "wiring.txt")).read()
    t.ok("2 per peer, 1 scale-out" in table and "6 link(s)" in table and "accel1.port4  MAC loopback" in table,
         "topology mesh: 3 x 5 ports -> 6 links, 2 per peer, one scale-out port each (wiring.txt)", table)
    links, loopback, _ = topology.plan("mesh", 3, 5)
    t.ok("expect.fabric=0.0-1.0,0.1-1.1,0.2-2.0,0.3-2.1,1.2-2.2,1.3-2.3\n" in table,
         "topology mesh: wiring.txt ends with the cables as Kiln's expect.fabric list", table)
    m = Machine(args)
    acc = [Accel(m, 4 + i, i, hbm_size=64 << 20).setup() for i in range(3)]
    ram = Ram()
    ports = {(i, p): Port(acc[i], ram, p) for i in range(3) for p in range(5)}
    for q in ports.values():
        q.w("KILN_NIC_CFG", NIC_CFG_ALL)
    bad = []
    for (i, p), (j, q) in links:
        for (src, dst) in (((i, p), (j, q)), ((j, q), (i, p))):
            f = ipv4_frame(ports[dst].mac(), ports[src].mac(), f"{src}->{dst}".encode() * 4)
            ports[src].send([f])
            if ports[dst].received() != [f]:
                bad.append(f"{src}->{dst}")
    t.eq(bad, [], "topology mesh: a frame on every cable, both directions, arrives at the far end named in the table")
    t.eq([loopback[i] for i in range(3)], [0x10] * 3, "topology mesh: port 4 of each instance is the scale-out port")
    log = m.close()
    t.ok(m.proc.returncode in (0, -15), "QEMU exited cleanly (mesh)", log[-2000:])
    for topo, accels, nports, word in (("ring", 3, 4, "unknown"), ("mesh", 3, 1, "PORTS >= 2"),
                                       ("mesh:3", 3, 5, "PORTS >= 6"), ("mesh", 1, 4, "ACCELS >= 2")):
        try:
            topology.accel_args(accels, nports, "64M", "model-bad", RUN_DIR, topology=topo)
            t.ok(False, f"topology {topo} x{accels}x{nports} refused")
        except ValueError as e:
            t.ok(word in str(e) and "allowed" in str(e) or "PORTS" in str(e), f"topology {topo} with {accels} x {nports} "
                 f"ports refused naming what is allowed", str(e))
    long_dir = os.path.join(RUN_DIR, "d" * 90)
    args = topology.accel_args(8, 24, "64M", "model-long", long_dir, topology="mesh:3")
    paths = [o.split("=", 1)[1] for a in args for o in a.split(",") if o.startswith("local.path=")]
    t.ok(len(paths) == 8 * 21 and max(len(p) for p in paths) <= 107,
         "topology mesh 8 x 24 ports: 168 link sockets, every path within the unix limit", max(paths, key=len))
    topology.remove_sockets(long_dir, 8, 24)
    t.ok(not os.path.exists(topology.socket_dir(long_dir, 8, 24)), "topology: remove_sockets() removes the /tmp "
         "socket directory of a long run directory")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    run_group("nic", test)
