"""Kiln's exit codes, read from the C header that defines them (kernel/harness/exit.h),
the way tests/model reads register names from drivers/accel/hw/: one definition, no copy.

    from kiln import exitcodes as ec
    ec.PASS, ec.FAIL, ec.CONFIG, ec.CRASH, ec.NO_DEVICE, ec.BUDGET   # 0..5
    ec.name(3) -> 'CRASH'; ec.meaning(3) -> 'harness crash outside any case'
"""
import os
import re

from kiln import TOP

HEADER = os.path.join(TOP, "kernel", "harness", "exit.h")
_ENTRY = re.compile(r"^\s*KILN_EXIT_([A-Z_]+)\s*=\s*(\d+)\s*,?\s*(?:/\*\s*(.*?)\s*\*/)?\s*$")


def read_header(path=HEADER):
    """{code: (NAME, meaning)} from the enum kiln_exit_code entries of the header."""
    codes = {}
    with open(path) as f:
        for line in f:
            m = _ENTRY.match(line)
            if m:
                name, code, meaning = m.group(1), int(m.group(2)), m.group(3) or ""
                if code in codes:
                    raise ValueError(f"{path}: exit code {code} defined twice")
                codes[code] = (name, meaning)
    if not codes:
        raise ValueError(f"{path}: no KILN_EXIT_* entries found")
    return codes


CODES = read_header()
globals().update({name: code for code, (name, _) in CODES.items()})


def name(code):
    return CODES[code][0] if code in CODES else f"UNKNOWN({code})"


def meaning(code):
    return CODES[code][1] if code in CODES else "not a Kiln exit code"
