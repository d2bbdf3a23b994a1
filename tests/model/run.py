#!/usr/bin/env python3
"""Run every kiln-accel model test group (each writes build/results/model-<group>.tap).

Usage: tests/model/run.py [group ...]   groups: lint regs qman sync-eq nic faults malformed
Exit status is non-zero if any group fails.
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
from kiln import ktap  # noqa: E402  (TAP result lines, one reader for every tool)

GROUPS = {
    "lint": [os.path.join(HERE, "lint.sh")],
    "regs": [sys.executable, os.path.join(HERE, "test_regs.py")],
    "qman": [sys.executable, os.path.join(HERE, "test_qman.py")],
    "sync-eq": [sys.executable, os.path.join(HERE, "test_sync_eq.py")],
    "nic": [sys.executable, os.path.join(HERE, "test_nic.py")],
    "faults": [sys.executable, os.path.join(HERE, "test_faults.py")],
    "malformed": [sys.executable, os.path.join(HERE, "test_malformed.py")],
}
TIMEOUT = 120


def main(argv):
    names = argv or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        sys.exit(f"unknown group(s) {', '.join(unknown)}; groups: {', '.join(GROUPS)}")
    failed = []
    summary = []
    for name in names:
        print(f"# model-{name}", flush=True)
        t0 = time.monotonic()
        try:
            p = subprocess.run(GROUPS[name], capture_output=True, text=True, timeout=TIMEOUT)
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), 124
            out += f"\nnot ok - model-{name} timed out after {TIMEOUT}s\n"
        sys.stdout.write(out)
        results = [r for r in map(ktap.result_line, out.splitlines()) if r]
        passed = sum(1 for r in results if r[0] and r[3] not in ("TIMEOUT", "ERROR"))
        bad = len(results) - passed
        summary.append(f"# model-{name}: {passed} ok, {bad} not ok, {time.monotonic() - t0:.1f}s")
        if rc != 0:
            failed.append(name)
    print("\n".join(summary))
    if failed:
        print(f"# FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
