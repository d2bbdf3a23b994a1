"""Fault-injection specs as the runner (tools/kiln-run, `make run`) takes them.

    INJECT='knob=value,accel1.knob=value,30s:knob=value'   docs/device.md section 11
    INJECT_AT='30s:knob=value[,knob=value...]'              one time for every entry
    INJECT_ON='REGEX=>knob=value[,...]'                     when a console line first matches

Besides the model's knobs, the entry `nmi` sends the machine a non-maskable interrupt (QMP
inject-nmi), as a BMC or a watchdog can: Kiln must report it as a crash, in the case that
was running or, outside any case, as a harness crash (exit 3).

Times: a number of seconds (`30`, `1.5`) or a number with a unit: `500ms`, `30s`, `2m`, `1h`,
counted from Kiln's 'KTAP version 1' line. Knob names, targets and values are checked by
tools/qemu/qmp.py (the model's own list), before QEMU starts: a bad spec is one line naming
it, never a traceback.

Some knobs act only on a running device (docs/device.md section 11: "each write injects ...",
"running device only"): set before the first instruction they would do nothing, or be undone
by the driver's reset. Untimed entries of those knobs are held until the driver has bound
the devices (Kiln's '# kiln: N device(s) under test' line) and then applied; if the targeted
device was not bound they are refused with a message, never reported as injected.
"""
import os
import re
import sys

from kiln import TOP

sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import qmp  # noqa: E402  (tools/qemu/qmp.py: the knob list and the QOM setter)

# docs/device.md section 11: knobs whose effect is an event at the moment of the write.
RUNNING_ONLY = {
    "hbm-serr-addr": "each write injects one corrected error into the running device",
    "hbm-derr-addr": "each write injects one uncorrected error into the running device",
    "link-flap": "each write flaps the link once, which only a running port can show",
}
# Kiln prints this once the driver has bound (and reset) every device it found.
BOUND_LINE = re.compile(r"^# kiln: (\d+) device\(s\) under test$")
_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


class SpecError(ValueError):
    """A bad injection spec; str() is the one-line message for the user."""


class Entry:
    def __init__(self, at, dev, knob, value, text):
        self.at, self.dev, self.knob, self.value, self.text = at, dev, knob, value, text

    @property
    def running_only(self):
        return self.knob in RUNNING_ONLY

    @property
    def accel_index(self):
        return int(self.dev[len("accel"):])

    def __repr__(self):
        return f"Entry({self.text})"


def parse_time(text, what="time"):
    """'30', '30s', '500ms', '2m', '1h', '1.5' -> seconds (float)."""
    m = _TIME.match(text.strip())
    if not m:
        raise SpecError(f"{what} '{text}' is not a time: use seconds (30) or a number with a unit "
                        f"(500ms, 30s, 2m, 1h)")
    return float(m.group(1)) * _UNIT[m.group(2)]


NMI = "nmi"


def _one(entry, at, where):
    """'[accelN.]knob=value' or 'nmi' -> Entry, checked by qmp.parse_inject (the model's knob list)."""
    if entry.strip() == NMI:
        return Entry(at, None, NMI, None, NMI if at is None else f"{at:g}s:{NMI}")
    try:
        ((_, dev, knob, value),) = qmp.parse_inject(entry)
    except ValueError as e:
        raise SpecError(f"{where}: {e}") from None
    return Entry(at, dev, knob, value, entry if at is None else f"{at:g}s:{entry}")


def _entries(spec):
    return [e.strip() for e in spec.split(",") if e.strip()]


def parse_inject(spec, where="INJECT"):
    """INJECT: '[TIME:][accelN.]knob=value,...' -> [Entry]."""
    out = []
    for e in _entries(spec):
        at = None
        target = e.split("=", 1)[0]
        if ":" in target:
            when, e = e.split(":", 1)
            at = parse_time(when, f"{where} entry '{when}:{e}': time")
        if "=" not in e and e.strip() != NMI:
            raise SpecError(f"{where} entry '{e}' is not knob=value (or nmi)")
        out.append(_one(e, at, f"{where} entry '{e}'"))
    return out


def parse_inject_at(spec, where="INJECT_AT"):
    """INJECT_AT: 'TIME:knob=value[,...]' -> [Entry] all at TIME."""
    if not spec.strip():
        return []
    when, sep, rest = spec.partition(":")
    if not sep or not rest.strip():
        raise SpecError(f"{where} '{spec}': expected TIME:knob=value[,...], e.g. 30s:temp-mc=99000")
    at = parse_time(when, f"{where} '{spec}': time")
    return [_one(e, at, f"{where} entry '{e}'") for e in _entries(rest)]


def parse_inject_on(spec, where="INJECT_ON"):
    """INJECT_ON: 'REGEX=>knob=value[,...]' -> (compiled regex, [Entry])."""
    if not spec.strip():
        return None
    rx, sep, rest = spec.partition("=>")
    if not sep or not rest.strip() or not rx:
        raise SpecError(f"{where} '{spec}': expected REGEX=>knob=value[,...]")
    try:
        pattern = re.compile(rx)
    except re.error as e:
        raise SpecError(f"{where} '{spec}': bad regex: {e}") from None
    entries = []
    for e in _entries(rest):
        if ":" in e.split("=", 1)[0]:
            raise SpecError(f"{where} entry '{e}': a line-triggered entry takes no time")
        entries.append(_one(e, None, f"{where} entry '{e}'"))
    return pattern, entries


def apply(conn, entries):
    """Set each entry's knob over QMP now."""
    for e in entries:
        if e.knob == NMI:
            conn.execute("inject-nmi")
        else:
            conn.qom_set(qmp.device_path(e.dev), e.knob, e.value)


def describe(entries):
    return ",".join(e.text for e in entries)
