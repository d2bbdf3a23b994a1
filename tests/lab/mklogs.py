#!/usr/bin/env python3
"""Hand-made Kiln console logs for the lab-tool tests, in the layouts Kiln prints
(docs/output.md, burn-in layout from issue 7): written into a folder given on the command
line. Each log is built line by line here so the tests know exactly what is in it.

  burnin-passes.log    passes=6: top plan 1..6, pass-<n> subtests holding two suites, cases
                       at 4 spaces, heartbeats at column 0 in the middle of suites,
                       measurements each pass (throughput, two temperatures), a failure in
                       pass 3 and a timeout in pass 5, firmware prelude with ANSI and CRs
  burnin-duration.log  duration=: the same shape without a top-level plan, 3 passes
  config-error.log     1..0, config error, result ERROR, exit 2
  crash-outside.log    a harness crash outside any case, exit 3
  truncated.log        the console ends in the middle of pass 2 (no result, no exit line)
  plain.log            one suite, single pass, every directive; the case diag lines
"""
import os
import sys

PRELUDE = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: starting Boot0001\r\nkiln: leaving boot services\r\n\r\nkiln: kernel started\r\n"

HEADER = [
    "# kiln: Kiln 1a2b3c4",
    "# kiln: system QEMU Standard PC (Q35 + ICH9, 2009) serial KILN-SN-0042 uuid 8c1d0a52-5f3e-4e8e-9d5b-1f4c7e2a9b10",
    "# kiln: firmware EDK II rev 0x10000, UEFI 2.7",
    "# kiln: accel 0000:01:00.0 1da3:1020 dsn 0x00112233445566aa link 16GT/s x16 (capable 16GT/s x16) hbm 1024 MiB",
    "# kiln: effective suites=platform,dma seed=0x7 timeout=60 passes={passes} duration={duration}",
    "# kiln: seed 0x7 (seed=0x7 repeats this run)",
]


def burnin(passes, plan=True, duration="(none)", fail_pass=3, timeout_pass=5):
    out = [PRELUDE + HEADER[0].format(passes=passes if plan else "(none)", duration=duration)]
    out += [h.format(passes=passes if plan else "(none)", duration=duration) for h in HEADER[1:]]
    out.append("KTAP version 1")
    if plan:
        out.append(f"1..{passes}")
    ok_total = failed_total = 0
    for p in range(1, passes + 1):
        out += ["  KTAP version 1", f"  # Subtest: pass-{p}", "  1..2"]
        # suite platform
        out += ["    KTAP version 1", "    # Subtest: platform", "    1..3"]
        out += [f"    # platform-memory-map: 128 entries, pass {p}", "    ok 1 platform-memory-map"]
        ok_total += 1
        temp = 55.0 + 1.5 * p
        out += [f"    # measure asic-temp {temp:.1f} C", f"    # measure board-temp {40 + p * 0.5:.1f} C",
                "    ok 2 platform-sensors"]
        ok_total += 1
        out.append(f"# kiln: heartbeat elapsed={p * 60 - 30}s pass={p} ok={ok_total} failed={failed_total} "
                   f"eta={(passes - p) * 60 + 30}s")
        out += ["    ok 3 platform-skip-me # SKIP no second socket"]
        out.append("  ok 1 platform")
        # suite dma
        out += ["    KTAP version 1", "    # Subtest: dma", "    1..2"]
        bw = 11800.0 - 40 * p
        out += [f"    # measure dma-h2d-bw {bw:.1f} MB/s"]
        if p == fail_pass:
            out += ["    # dma-h2d-64m: mismatch at hbm+0x3f2a1000 expected 0xa5a5a5a5 got 0xa5a4a5a5 (bit 16)",
                    "    not ok 1 dma-h2d-64m"]
            failed_total += 1
        else:
            out += ["    ok 1 dma-h2d-64m"]
            ok_total += 1
        if p == timeout_pass:
            out += ["    # dma-d2h-64m: waiting for fence 0x3", "    not ok 2 dma-d2h-64m # TIMEOUT no result after 60 s"]
            failed_total += 1
        else:
            out += [f"    # measure dma-d2h-bw {bw - 300:.1f} MB/s", "    ok 2 dma-d2h-64m"]
            ok_total += 1
        bad = p in (fail_pass, timeout_pass)
        out.append(f"  {'not ok' if bad else 'ok'} 2 dma")
        out.append(f"  # kiln: pass {p} done passed={4 - bad} failed={int(bad)} skipped=1 "
                   f"duration={59000 + 250 * p}ms free_pages={126900 - 3 * p}")
        out.append(f"{'not ok' if bad else 'ok'} {p} pass-{p}")
    skipped = passes
    verdict = "FAIL" if failed_total else "PASS"
    out.append(f"# kiln: result {verdict} passed={ok_total} failed={failed_total} skipped={skipped} "
               f"duration={passes * 60}.0s")
    out.append(f"# kiln: exit {1 if failed_total else 0} ({'case failed' if failed_total else 'pass'})")
    return "\r\n".join(out) + "\r\n"


def config_error():
    return PRELUDE + "\n".join([
        "# kiln: Kiln 1a2b3c4", "KTAP version 1", "1..0",
        "# kiln: config error: load options: unknown key 'suite'; known keys: suites, cases",
        "# kiln: result ERROR passed=0 failed=0 skipped=0 duration=0.0s",
        "# kiln: exit 2 (config error)"]) + "\n"


def crash_outside():
    return PRELUDE + "\n".join([
        "# kiln: Kiln 1a2b3c4", "KTAP version 1", "1..1",
        "  KTAP version 1", "  # Subtest: platform", "  1..2",
        "  ok 1 platform-memory-map",
        "  # crash: exception #PF page fault (vector 14) error 0x2 outside any case",
        "  # crash: rip 0x000000001e4c99e2 (image+0xc9e2) cs 0x8 rflags 0x202",
        "# kiln: harness crash outside any case",
        "not ok 1 platform",
        "# kiln: result ERROR passed=1 failed=0 skipped=0 duration=1.2s",
        "# kiln: exit 3 (harness crash)"]) + "\n"


def truncated():
    text = burnin(4)
    lines = text.split("\r\n")
    cut = next(i for i, l in enumerate(lines) if l == "  # Subtest: pass-2") + 9
    return "\r\n".join(lines[:cut]) + "\r\n"


def plain():
    return PRELUDE + "\n".join([
        "# kiln: Kiln 1a2b3c4", "KTAP version 1", "1..1",
        "  KTAP version 1", "  # Subtest: selftest", "  1..5",
        "  # selftest-pass: this case passes on purpose", "  ok 1 selftest-pass",
        "  # selftest-fail: this case fails on purpose: expected 1, got 2", "  not ok 2 selftest-fail",
        "  # selftest-fault: executing ud2 on purpose",
        "  # crash: exception #UD invalid opcode (vector 6) error 0x0 in case selftest-fault",
        "  # crash: rip 0x000000001e4c99e2 (image+0xc9e2) cs 0x8 rflags 0x202",
        "  # selftest-fault: crashed: #UD invalid opcode at rip 0x1e4c99e2", "  not ok 3 selftest-fault",
        "  # selftest-hang: spinning forever <on purpose> & \"quoted\"",
        "  not ok 4 selftest-hang # TIMEOUT no result after 3 s",
        "  ok 5 selftest-skip # SKIP skipped on purpose",
        "not ok 1 selftest",
        "# kiln: result FAIL passed=1 failed=3 skipped=1 duration=5.0s",
        "# kiln: exit 1 (case failed)"]) + "\n"


LOGS = {
    "burnin-passes.log": lambda: burnin(6),
    "burnin-duration.log": lambda: burnin(3, plan=False, duration="3m", fail_pass=2, timeout_pass=0),
    "config-error.log": config_error,
    "crash-outside.log": crash_outside,
    "truncated.log": truncated,
    "plain.log": plain,
}


def main(folder):
    os.makedirs(folder, exist_ok=True)
    for name, make in LOGS.items():
        with open(os.path.join(folder, name), "w", newline="") as f:
            f.write(make())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
