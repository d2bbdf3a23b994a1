"""Tiny QMP client and the fault-injection helpers of the kiln-accel model.

Python 3 standard library only; imported by tools/kiln-run and tests/model/.

Injection spec (docs/device.md, "Fault knobs"): comma-separated entries

    [TIME:][accelN.]knob=value

  knob=value            set on accel0 before the first case
  accel1.knob=value     set on another instance
  30s:knob=value        set 30 seconds after the run starts (also 500ms:, 2m:)

Values: decimal or 0x-hex integers (negative allowed for int knobs), on/off/true/false/yes/no
for boolean knobs.
"""

import json
import os
import re
import socket
import threading
import time

# knob -> (type, effect). Must match the model's QOM properties (tests/model checks it).
KNOBS = {
    "queue-hang": ("u32", "queue id mask: those streams stop consuming their PQ"),
    "bad-cq-index": ("u32", "queue id mask: CQ entries carry shadow index + 1"),
    "bad-cq-ready": ("u32", "queue id mask: CQ entries lack the ready bit"),
    "dma-corrupt-ppm": ("u32", "per 4 KiB of LIN_DMA data, chance in 1e6 of one flipped bit"),
    "dma-error-addr": ("u64", "device address whose DMA access faults (0: off)"),
    "hbm-serr-addr": ("u64", "inject a corrected single-bit HBM error at this HBM offset"),
    "hbm-derr-addr": ("u64", "inject an uncorrected double-bit HBM error at this HBM offset"),
    "irq-drop-mask": ("u64", "vector mask: interrupts of these vectors are not sent"),
    "sync-stall-sob": ("i64", "SOB whose increments are dropped (-1 off, 65535 all)"),
    "temp-mc": ("u32", "temperature, millidegrees C"),
    "temp-limit-mc": ("u32", "thermal threshold, millidegrees C"),
    "power-mw": ("u32", "power, milliwatts"),
    "power-limit-mw": ("u32", "power threshold, milliwatts"),
    "voltage-mv": ("u32", "voltage, millivolts"),
    "current-ma": ("u32", "current, milliamps"),
    "fan-rpm": ("u32", "fan speed, rpm"),
    "voltage-min-mv": ("u32", "lowest allowed voltage the device reports, millivolts"),
    "voltage-max-mv": ("u32", "highest allowed voltage the device reports, millivolts"),
    "current-max-ma": ("u32", "highest allowed current the device reports, milliamps"),
    "fan-min-rpm": ("u32", "slowest allowed fan speed the device reports, rpm"),
    "cpucp-hang": ("bool", "the device CPU answers no request"),
    "clock-warp-s": ("u32", "seconds the device clock (cpucp UPTIME_GET) runs ahead"),
    "link-down": ("u32", "port mask: links held down"),
    "link-flap": ("u32", "port mask: each write takes those links down for 10 ms once"),
    "frame-drop-ppm": ("u32", "chance in 1e6 that a transmitted frame is lost"),
    "frame-corrupt-ppm": ("u32", "chance in 1e6 that a transmitted frame gets a flipped bit"),
    "frame-fault-ports": ("u32", "port mask the frame-*-ppm knobs apply to (default all)"),
    "tx-wb-stale": ("u32", "port mask: the TX write-back word is no longer written (TX_CI still moves)"),
    "device-gone": ("bool", "config BAR and config space read all-ones"),
    "pcie-link-speed": ("u32", "negotiated link speed reported (1..5 = 2.5..32 GT/s)"),
    "pcie-link-width": ("u32", "negotiated link width reported"),
    "aer-cor-status": ("u32", "bits ORed into AER Correctable Error Status"),
    "aer-uncor-status": ("u32", "bits ORed into AER Uncorrectable Error Status"),
    "pcie-replay-count": ("u32", "PCIe replay counter value"),
    "fault-seed": ("u64", "seed of the generator behind the *-ppm knobs"),
    "info-serial": ("str", "serial INFO_GET reports instead of the serial property (empty: off)"),
}
SERIAL_MAX = 31  # kiln_cpucp.h KILN_CPUCP_SERIAL_LEN - 1


class QMPError(Exception):
    """A QMP command failed, or the connection did."""


class QMP:
    """Synchronous QMP client over a unix socket. Thread-safe per command."""

    def __init__(self, path, timeout=10.0):
        self.path = path
        self.events = []
        self._lock = threading.Lock()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QMPError(f"cannot connect to QMP socket {path}: {e}") from e
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self._buf = b""
        greeting = self._recv()
        if "QMP" not in greeting:
            raise QMPError(f"not a QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _recv(self):
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QMPError("QMP connection closed")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        """Run a command; return its result or raise QMPError with QEMU's message."""
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        with self._lock:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
            while True:
                resp = self._recv()
                if "event" in resp:
                    self.events.append(resp)
                    continue
                if "error" in resp:
                    raise QMPError(f"{command}: {resp['error'].get('desc', resp['error'])}")
                return resp.get("return")

    def qom_set(self, path, prop, value):
        return self.execute("qom-set", path=path, property=prop, value=value)

    def qom_get(self, path, prop):
        return self.execute("qom-get", path=path, property=prop)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def device_path(dev):
    """QOM path of a -device with id=dev."""
    return f"/machine/peripheral/{dev}"


_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)$")


def _parse_time(text):
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"bad injection time '{text}': use e.g. 500ms, 30s or 2m")
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000.0 if unit == "ms" else n * 60.0 if unit == "m" else n


def _parse_value(knob, text):
    kind = KNOBS[knob][0]
    if kind == "str":
        if len(text) > SERIAL_MAX or not all(33 <= ord(c) < 127 for c in text):
            raise ValueError(f"knob {knob} takes up to {SERIAL_MAX} printable characters without spaces, "
                             f"not '{text}'")
        return text
    if kind == "bool":
        low = text.lower()
        if low in ("1", "on", "true", "yes"):
            return True
        if low in ("0", "off", "false", "no"):
            return False
        raise ValueError(f"knob {knob} takes on/off, not '{text}'")
    try:
        v = int(text, 0)
    except ValueError:
        raise ValueError(f"knob {knob} takes an integer, not '{text}'") from None
    if kind != "i64" and v < 0:
        raise ValueError(f"knob {knob} takes a non-negative integer, not '{text}'")
    return v


def parse_inject(spec):
    """Parse an injection spec into [(seconds or None, device id, knob, value)]."""
    out = []
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        at = None
        if ":" in entry.split("=", 1)[0]:
            when, entry = entry.split(":", 1)
            at = _parse_time(when.strip())
        if "=" not in entry:
            raise ValueError(f"injection '{entry}' is not knob=value")
        target, value = (x.strip() for x in entry.split("=", 1))
        dev, knob = ("accel0", target)
        if "." in target:
            dev, knob = target.split(".", 1)
            if not re.fullmatch(r"accel\d+", dev):
                raise ValueError(f"injection target '{dev}' is not accelN")
        if knob not in KNOBS:
            raise ValueError(f"unknown fault knob '{knob}'; known knobs: "
                             + ", ".join(sorted(KNOBS)))
        out.append((at, dev, knob, _parse_value(knob, value)))
    return out


def apply_inject(qmp, spec):
    """Apply the untimed entries of spec now; return the timed ones (for schedule_inject)."""
    timed = []
    for at, dev, knob, value in parse_inject(spec):
        if at is None:
            qmp.qom_set(device_path(dev), knob, value)
        else:
            timed.append((at, dev, knob, value))
    return timed


def schedule_inject(qmp, spec, start_time, on_error=None):
    """Apply the timed entries of spec at start_time + TIME (time.monotonic() base).

    Runs in a daemon thread; returns it. Untimed entries are ignored here (apply_inject
    applies them). Errors go to on_error(exc) if given, else are raised in the thread.
    """
    plan = sorted(e for e in parse_inject(spec) if e[0] is not None)

    def run():
        for at, dev, knob, value in plan:
            delay = start_time + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                qmp.qom_set(device_path(dev), knob, value)
            except (QMPError, OSError) as e:
                if on_error:
                    on_error(e)
                    return
                raise

    t = threading.Thread(target=run, name="kiln-inject", daemon=True)
    t.start()
    return t


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3:
        sys.exit("usage: qmp.py QMP_SOCKET SPEC   (applies the untimed entries)")
    q = QMP(sys.argv[1])
    left = apply_inject(q, sys.argv[2])
    if left:
        print(f"{len(left)} timed entries not applied", file=sys.stderr)
    q.close()
    os._exit(0)
