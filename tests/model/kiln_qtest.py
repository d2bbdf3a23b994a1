"""Host-side harness for the kiln-accel model tests: a qtest client, QEMU process control,
a PCI/BAR/MSI-X setup done by hand (no firmware runs under -accel qtest), a guest-RAM
allocator, TAP output, and register names read from the shared C headers.

Python 3 standard library only.
"""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import qmp as qmpmod  # noqa: E402

QEMU = os.environ.get("KILN_QEMU", os.path.join(TOP, "build/qemu/bin/qemu-system-x86_64"))
HW = os.path.join(TOP, "drivers/accel/hw")
RESULTS = os.path.join(TOP, "build/results")


# ---- constants from the shared headers (the contract the driver also uses) ----

def _load_headers():
    """Evaluate the simple #defines of drivers/accel/hw/*.h into a namespace."""
    defs = {}
    raw = {}
    fn = re.compile(r"^#define\s+(KILN_\w+)(\([\w, ]*\))?\s+(.+?)\s*(/\*.*)?$")
    for name in sorted(os.listdir(HW)):
        if not name.endswith(".h"):
            continue
        for line in open(os.path.join(HW, name)):
            m = fn.match(line.strip())
            if m and m.group(3):
                raw[m.group(1)] = (m.group(2), m.group(3))

    def expr(text):
        text = re.sub(r"(0x[0-9a-fA-F]+|\d+)(ull|ul|u|ll)\b", r"\1", text)
        text = text.replace("~0", "0xffffffff")
        text = re.sub(r"\(uint64_t\)|\(unsigned\)|\(uint32_t\)", "", text)
        return text

    ns = {}

    def genmask(hi, lo):
        return ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)

    ns["KILN_BIT"] = lambda n: 1 << n
    ns["KILN_BIT64"] = lambda n: 1 << n
    ns["KILN_GENMASK"] = genmask
    ns["KILN_GENMASK64"] = genmask
    for name, (params, body) in raw.items():
        if name in ns or "__builtin" in body or name.startswith("KILN_FIELD") or name == "KILN_IS_POW2":
            continue
        if params:
            src = f"lambda {params.strip('()')}: {expr(body)}"
        else:
            src = expr(body)
        ns[name] = src
    # resolve lazily in dependency order
    done = {k: v for k, v in ns.items() if not isinstance(v, str)}
    pending = {k: v for k, v in ns.items() if isinstance(v, str)}
    for _ in range(10):
        for k in list(pending):
            try:
                done[k] = eval(pending[k], {}, done)
                del pending[k]
            except Exception:
                pass
    for k, v in done.items():
        defs[k] = v
    return defs


H = _load_headers()


def field_get(mask, v):
    shift = (mask & -mask).bit_length() - 1
    return (v & mask) >> shift


def field_prep(mask, v):
    shift = (mask & -mask).bit_length() - 1
    return (v << shift) & mask


# ---- TAP ----

class Tap:
    def __init__(self, group):
        self.group = group
        self.lines = []
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        line = f"{'ok' if cond else 'not ok'} {self.n} {name}"
        if not cond:
            self.failed += 1
            if diag:
                line += "\n" + "\n".join("# " + d for d in str(diag).splitlines())
        self.lines.append(line)
        print(line, flush=True)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, f"got {got!r}, want {want!r}" if got != want else None)

    def finish(self):
        os.makedirs(RESULTS, exist_ok=True)
        body = "TAP version 13\n" + "\n".join(self.lines) + f"\n1..{self.n}\n"
        with open(os.path.join(RESULTS, f"model-{self.group}.tap"), "w") as f:
            f.write(body)
        print(f"1..{self.n}", flush=True)
        return 1 if self.failed or self.n == 0 else 0


# ---- QEMU under qtest ----

class QtestError(Exception):
    pass


class Machine:
    """One QEMU process: qtest socket (QEMU connects to us) and QMP socket."""

    def __init__(self, devices, mem="512M", extra=None):
        self.dir = tempfile.mkdtemp(prefix="kiln-model-")
        qpath = os.path.join(self.dir, "qtest.sock")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(qpath)
        lsock.listen(1)
        lsock.settimeout(15)
        self.log = open(os.path.join(self.dir, "qemu.log"), "w+")
        cmd = [QEMU, "-machine", "q35", "-accel", "qtest", "-nodefaults", "-display", "none",
               "-m", mem, "-qtest", f"unix:{qpath}",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off", "-d", "guest_errors"]
        cmd += devices + (extra or [])
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        try:
            self.sock, _ = lsock.accept()
        except socket.timeout:
            self.proc.kill()
            self.log.seek(0)
            raise QtestError("QEMU did not connect: " + self.log.read())
        finally:
            lsock.close()
        self.sock.settimeout(30)
        self.buf = b""
        _machines.append(self)
        self.qmp = qmpmod.QMP(self.qmp_path)

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise QtestError("qtest connection closed (QEMU died?)")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd_(self, text):
        self.sock.sendall(text.encode() + b"\n")
        while True:
            line = self._line()
            if line.startswith("IRQ"):
                continue
            if not line.startswith("OK"):
                raise QtestError(f"{text!r}: {line}")
            return line[3:].strip()

    def alive(self):
        if self.proc.poll() is not None:
            return False
        try:
            self.cmd_("readl 0x0")
            return True
        except (QtestError, OSError):
            return False

    # memory and I/O
    def readl(self, addr):
        return int(self.cmd_(f"readl 0x{addr:x}"), 16)

    def writel(self, addr, val):
        self.cmd_(f"writel 0x{addr:x} 0x{val & 0xffffffff:x}")

    def readq(self, addr):
        return int(self.cmd_(f"readq 0x{addr:x}"), 16)

    def writeq(self, addr, val):
        self.cmd_(f"writeq 0x{addr:x} 0x{val & 0xffffffffffffffff:x}")

    def read(self, addr, size):
        if size == 0:
            return b""
        out = b""
        for off in range(0, size, 65536):
            n = min(65536, size - off)
            out += bytes.fromhex(self.cmd_(f"read 0x{addr + off:x} 0x{n:x}")[2:])
        return out

    def write(self, addr, data):
        for off in range(0, len(data), 65536):
            chunk = data[off:off + 65536]
            self.cmd_(f"write 0x{addr + off:x} 0x{len(chunk):x} 0x{chunk.hex()}")

    def memset(self, addr, size, val=0):
        self.cmd_(f"memset 0x{addr:x} 0x{size:x} 0x{val:x}")

    def outl(self, port, val):
        self.cmd_(f"outl 0x{port:x} 0x{val:x}")

    def inl(self, port):
        return int(self.cmd_(f"inl 0x{port:x}"), 16)

    def clock_step(self, ns=None):
        return int(self.cmd_("clock_step" + (f" {ns}" if ns else "")))

    # PCI configuration mechanism #1
    def cfg_addr(self, slot, off):
        return 0x80000000 | (slot << 11) | (off & 0xfc)

    def cfg_readl(self, slot, off):
        self.outl(0xcf8, self.cfg_addr(slot, off))
        return self.inl(0xcfc)

    def cfg_writel(self, slot, off, val):
        self.outl(0xcf8, self.cfg_addr(slot, off))
        self.outl(0xcfc, val)

    def cfg_readw(self, slot, off):
        return (self.cfg_readl(slot, off & ~3) >> (8 * (off & 2))) & 0xffff

    def cfg_writew(self, slot, off, val):
        cur = self.cfg_readl(slot, off & ~3)
        sh = 8 * (off & 2)
        self.cfg_writel(slot, off & ~3, (cur & ~(0xffff << sh)) | ((val & 0xffff) << sh))

    ECAM = 0xB0000000

    def enable_ecam(self):
        """Map PCIe extended config space: q35 MCH PCIEXBAR (0:0.0 offset 0x60), 256 MiB."""
        self.cfg_writel(0, 0x64, 0)
        self.cfg_writel(0, 0x60, self.ECAM | 1)

    def settle(self, rounds=3):
        """Let bottom halves run: each qtest command is one main-loop iteration."""
        for _ in range(rounds):
            self.readl(0)

    def close(self):
        try:
            self.qmp.close()
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.seek(0)
        text = self.log.read()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _machines:
            _machines.remove(self)
        return text


_machines = []


@atexit.register
def _kill_leftovers():
    """Never leave a QEMU behind, even when a test group dies half-way."""
    for m in list(_machines):
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
        shutil.rmtree(m.dir, ignore_errors=True)


class Ram:
    """Bump allocator over guest RAM (nothing else runs in the guest)."""

    def __init__(self, base=0x1000000, limit=0x1f000000):
        self.next = base
        self.limit = limit

    def alloc(self, size, align=4096):
        addr = (self.next + align - 1) & ~(align - 1)
        if addr + size > self.limit:
            raise MemoryError("test guest RAM exhausted")
        self.next = addr + size
        return addr


MSIX_PAGE_BASE = 0x800000   # MSI-X messages of device i land at +i*0x1000, vector v at +4v


class Accel:
    """One kiln-accel instance on bus 0, slot `slot`, set up as firmware would."""

    def __init__(self, m, slot, index=0, hbm_size=256 << 20, sram_size=4 << 20, dev_id=None):
        self.m = m
        self.slot = slot
        self.index = index
        self.id = dev_id or f"accel{index}"
        self.bar0 = 0xC0000000 + index * 0x100000
        self.sram = 0xC8000000 + index * 0x1000000
        self.hbm = 0x1000000000 + index * 0x1000000000
        self.hbm_size = hbm_size
        self.sram_size = sram_size
        self.msix = MSIX_PAGE_BASE + index * 0x1000

    def cfg(self, off):
        return self.m.cfg_readl(self.slot, off)

    def assign_bars(self):
        m, s = self.m, self.slot
        for bar, addr in ((0, self.bar0), (2, self.sram), (4, self.hbm)):
            off = 0x10 + 4 * bar
            m.cfg_writel(s, off, addr & 0xffffffff)
            m.cfg_writel(s, off + 4, addr >> 32)
        self.command(mem=True, master=True)

    def command(self, mem=True, master=True):
        cmd = self.m.cfg_readw(self.slot, 0x04) & ~0x6
        self.m.cfg_writew(self.slot, 0x04, cmd | (2 if mem else 0) | (4 if master else 0))

    def setup_msix(self):
        m = self.m
        m.memset(self.msix, 0x1000, 0)
        for v in range(H["KILN_MSIX_VECTORS"]):
            e = self.bar0 + H["KILN_MSIX_TABLE_OFFSET"] + 16 * v
            m.writel(e + 0, self.msix + 4 * v)
            m.writel(e + 4, 0)
            m.writel(e + 8, 0x1000 + v)
            m.writel(e + 12, 0)
        cap = H["KILN_PCI_CAP_MSIX_OFFSET"]
        ctl = m.cfg_readw(self.slot, cap + 2)
        m.cfg_writew(self.slot, cap + 2, (ctl | 0x8000) & ~0x4000)

    def setup(self):
        self.assign_bars()
        self.setup_msix()
        return self

    def msi(self, v):
        """Data word of vector v's last MSI-X message (0 if none since clear)."""
        return self.m.readl(self.msix + 4 * v)

    def msi_clear(self, v=None):
        if v is None:
            self.m.memset(self.msix, 0x1000, 0)
        else:
            self.m.writel(self.msix + 4 * v, 0)

    def r(self, off):
        return self.m.readl(self.bar0 + off)

    def w(self, off, val):
        self.m.writel(self.bar0 + off, val)

    def w64(self, lo_off, val):
        self.w(lo_off, val & 0xffffffff)
        self.w(lo_off + 4, val >> 32)

    def knob(self, name, value):
        return self.m.qmp.qom_set(qmpmod.device_path(self.id), name, value)

    def knob_get(self, name):
        return self.m.qmp.qom_get(qmpmod.device_path(self.id), name)

    def soft_reset(self):
        self.w(H["KILN_BLK_CORE"] + H["KILN_CORE_SOFT_RESET"], H["KILN_CORE_SOFT_RESET_KEY"])


def accel_device(index=0, slot=None, props=""):
    slot = 4 + index if slot is None else slot
    return ["-device", f"kiln-accel,id=accel{index},addr={slot:#x}" + (("," + props) if props else "")]


def run_group(group, fn):
    """Run fn(tap) and exit with the TAP status."""
    tap = Tap(group)
    try:
        fn(tap)
    except Exception as e:  # a crash in the harness is a failed test, not a silent pass
        import traceback
        tap.ok(False, f"{group}: harness exception", traceback.format_exc())
    sys.exit(tap.finish())


# ---- packets (kiln_packets.h) ----

import struct  # noqa: E402


def _ctl(op, extra=0):
    return field_prep(H["KILN_PKT_CTL_OPCODE"], op) | extra


def pkt_nop():
    return struct.pack("<II", 0, _ctl(H["KILN_PKT_NOP"]))


def pkt_stop():
    return struct.pack("<II", 0, _ctl(H["KILN_PKT_STOP"]))


def pkt_raw(op, w0=0, extra=b""):
    return struct.pack("<II", w0, _ctl(op)) + extra


def pkt_wreg32(reg, val):
    return struct.pack("<II", val, _ctl(H["KILN_PKT_WREG_32"], reg))


def pkt_wreg_bulk(reg, values, size64=None):
    n = len(values) if size64 is None else size64
    return struct.pack("<II", n, _ctl(H["KILN_PKT_WREG_BULK"], reg)) + struct.pack(f"<{len(values)}Q", *values)


def _msg_op(op):
    return field_prep(H["KILN_PKT_MSG_CTL_OP"], op)


def pkt_msg_long(addr, val, op=0):
    return struct.pack("<IIQ", val, _ctl(H["KILN_PKT_MSG_LONG"], _msg_op(op)), addr)


def pkt_msg_prot(addr, val, op=0):
    return struct.pack("<IIQ", val, _ctl(H["KILN_PKT_MSG_PROT"], _msg_op(op)), addr)


def pkt_msg_short(base, off, val, op=0):
    extra = field_prep(H["KILN_PKT_SHORT_CTL_BASE"], base) | field_prep(H["KILN_PKT_SHORT_CTL_ADDR"], off)
    return struct.pack("<II", val, _ctl(H["KILN_PKT_MSG_SHORT"], extra | _msg_op(op)))


def pkt_cp_dma(src, tsize):
    return struct.pack("<IIQ", tsize, _ctl(H["KILN_PKT_CP_DMA"]), src)


def pkt_repeat(count=0, end=False):
    return struct.pack("<II", (H["KILN_PKT_REPEAT_CFG_END"] if end else 0) | count, _ctl(H["KILN_PKT_REPEAT"]))


def pkt_fence(fid, target, dec, pred=0):
    cfg = (field_prep(H["KILN_PKT_FENCE_CFG_ID"], fid) | field_prep(H["KILN_PKT_FENCE_CFG_TARGET"], target)
           | field_prep(H["KILN_PKT_FENCE_CFG_DEC_VAL"], dec))
    return struct.pack("<II", cfg, _ctl(H["KILN_PKT_FENCE"], pred))


def pkt_lin_dma(src, dst, size, wrcomp=False, memset=False, lin=True):
    extra = ((H["KILN_PKT_LIN_DMA_CTL_WRCOMP"] if wrcomp else 0) | (H["KILN_PKT_LIN_DMA_CTL_MEMSET"] if memset else 0)
             | (H["KILN_PKT_LIN_DMA_CTL_LIN"] if lin else 0))
    return struct.pack("<IIQQ", size, _ctl(H["KILN_PKT_LIN_DMA"], extra), src, dst)


def pkt_arb_point(cfg=0):
    return struct.pack("<II", cfg, _ctl(H["KILN_PKT_ARB_POINT"]))


def pkt_wait(cycles, inc=0, fid=0):
    cfg = (field_prep(H["KILN_PKT_WAIT_CFG_CYCLES"], cycles) | field_prep(H["KILN_PKT_WAIT_CFG_INC"], inc)
           | field_prep(H["KILN_PKT_WAIT_CFG_ID"], fid))
    return struct.pack("<II", cfg, _ctl(H["KILN_PKT_WAIT"]))


def pkt_load_and_exe(src, dst):
    return struct.pack("<IIQ", dst, _ctl(H["KILN_PKT_LOAD_AND_EXE"]), src)


def cfg_addr(off):
    """Device address of a configuration-BAR register (for MSG_LONG / monitor payloads)."""
    return H["KILN_DEV_CFG_BASE"] + off


def hbm_addr(off):
    return H["KILN_DEV_HBM_BASE"] + off


def sram_addr(off):
    return H["KILN_DEV_SRAM_BASE"] + off


# ---- driver-side helpers: streams, EQ, cpucp ----

class Stream:
    """One QMAN stream with a PQ and a CQ in guest RAM."""

    def __init__(self, accel, ram, eng, idx, pq_size=16, cq_size=16, enable=True):
        self.a, self.ram, self.eng, self.idx = accel, ram, eng, idx
        self.qid = eng * 4 + idx
        self.base = H["KILN_BLK_QMAN"](eng) + H["KILN_QM_STREAM"](idx)
        self.pq_size, self.cq_size = pq_size, cq_size
        self.pq = ram.alloc(16 * pq_size)
        self.cq = ram.alloc(4 * cq_size)
        accel.m.memset(self.cq, 4 * cq_size, 0)
        self.w64("KILN_QM_PQ_BASE_LO", self.pq)
        self.w("KILN_QM_PQ_SIZE", pq_size)
        self.w64("KILN_QM_CQ_BASE_LO", self.cq)
        self.w("KILN_QM_CQ_SIZE", cq_size)
        self.pi = 0
        self.cq_read = 0
        if enable:
            self.w("KILN_QM_CFG", H["KILN_QM_CFG_ENABLE"] | H["KILN_QM_CFG_CQ_ENABLE"])

    def off(self, name):
        v = H[name]
        return self.base + v

    def r(self, name):
        return self.a.r(self.off(name))

    def w(self, name, val):
        self.a.w(self.off(name), val)

    def w64(self, name, val):
        self.a.w64(self.off(name), val)

    def reg(self, off):
        return self.a.r(self.base + off)

    def wreg(self, off, val):
        self.a.w(self.base + off, val)

    def put_bd(self, ptr, length, ctl):
        slot = self.pi % self.pq_size
        self.a.m.write(self.pq + 16 * slot, struct.pack("<QII", ptr, length, ctl))
        self.pi = (self.pi + 1) % (2 * self.pq_size)

    def submit(self, cb, shadow=None, doorbell=True):
        """Queue a CB (bytes) with a shadow index; ring the doorbell."""
        addr = self.ram.alloc(max(len(cb), 8), 64)
        self.a.m.write(addr, cb)
        shadow = (self.pi & 0xfff) if shadow is None else shadow
        self.put_bd(addr, len(cb), shadow)
        if doorbell:
            self.doorbell()
        return shadow

    def doorbell(self, pi=None):
        self.w("KILN_QM_PQ_PI", self.pi if pi is None else pi)

    def cq_entry(self, i):
        return self.a.m.readl(self.cq + 4 * (i % self.cq_size))

    def next_cq(self):
        e = self.cq_entry(self.cq_read)
        self.cq_read += 1
        return e


class EventQueue:
    def __init__(self, accel, ram, size=64, base=None):
        self.a, self.size = accel, size
        self.base = base if base is not None else ram.alloc(64 * size)
        self.mem_base = self.base
        self.ci = 0
        E = H["KILN_BLK_EQ"]
        self.blk = E
        if base is None:
            accel.m.memset(self.base, 64 * size, 0)
        accel.w64(E + H["KILN_EQ_BASE_LO"], self.base)
        accel.w(E + H["KILN_EQ_SIZE"], size)
        accel.w(E + H["KILN_EQ_CFG"], H["KILN_EQ_CFG_ENABLE"])

    def read_raw(self, slot):
        return self.a.m.read(self.base + 64 * slot, 64)

    def pop(self):
        """Next event as (type, index, data bytes) or None; clears ready and acks."""
        raw = self.read_raw(self.ci % self.size)
        ctl = struct.unpack_from("<I", raw, 4)[0]
        if not ctl & H["KILN_EQ_CTL_READY"]:
            return None
        self.a.m.write(self.base + 64 * (self.ci % self.size) + 4, b"\0\0\0\0")
        self.ci = (self.ci + 1) % self.size
        self.a.w(self.blk + H["KILN_EQ_CI"], self.ci)
        return (field_get(H["KILN_EQ_CTL_TYPE"], ctl), field_get(H["KILN_EQ_CTL_INDEX"], ctl), raw[8:])

    def drain(self):
        out = []
        while True:
            e = self.pop()
            if e is None:
                return out
            out.append(e)

    def wait(self, etype, tries=20):
        """First pending event of type etype (others are dropped)."""
        for _ in range(tries):
            for e in self.drain():
                if e[0] == etype:
                    return e
            self.a.m.settle(1)
        return None
