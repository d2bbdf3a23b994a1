#!/usr/bin/env python3
"""Tests of the tools/kiln package and of the host commands built on it, without QEMU:
exit-code names from the C header, the strict KTAP validator (each rule made to bite), flat
TAP counting, injection specs, the reproduce line, tools/test-summary on groups that crash,
write nothing or get cut off, and tools/kiln-run's one-line errors (exit 2, no traceback).

    python3 tests/lab/test_kiln.py [--results build/results/tools.tap]

Writes flat TAP (one line per test) and exits 1 if any test failed (`make test-tools`)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
from kiln import exitcodes, inject, ktap, kunit, repro  # noqa: E402

GOOD = textwrap.dedent("""\
    BdsDxe: loading Boot0001
    # kiln: Kiln v1
    # kiln: seed 0x7 (seed=0x7 repeats this run)
    KTAP version 1
    1..2
      KTAP version 1
      # Subtest: selftest
      1..3
      ok 1 selftest-pass
      # selftest-fail: this case fails on purpose
      not ok 2 selftest-fail
      not ok 3 selftest-hang # TIMEOUT no result after 3 s
    not ok 1 selftest
    # kiln: heartbeat elapsed=5s
      KTAP version 1
      # Subtest: platform
      1..1
      ok 1 platform-skip # SKIP skipped on purpose
    ok 2 platform
    # kiln: result FAIL passed=1 failed=2 skipped=1 duration=1.0s
    # kiln: exit 1 (case failed)
    """)


def validate(text):
    return ktap.validate(text)


class ExitCodes(unittest.TestCase):
    def test_read_from_header(self):
        self.assertEqual((exitcodes.PASS, exitcodes.FAIL, exitcodes.CONFIG, exitcodes.CRASH, exitcodes.NO_DEVICE,
                          exitcodes.BUDGET), (0, 1, 2, 3, 4, 5))
        self.assertEqual(exitcodes.name(4), "NO_DEVICE")
        self.assertIn("outside any case", exitcodes.meaning(3))
        self.assertEqual(exitcodes.name(9), "UNKNOWN(9)")

    def test_header_is_the_source(self):
        with tempfile.NamedTemporaryFile("w", suffix=".h", delete=False) as f:
            f.write("enum x {\n\tKILN_EXIT_PASS = 0, /* fine */\n\tKILN_EXIT_NEW = 7, /* new */\n};\n")
        try:
            self.assertEqual(exitcodes.read_header(f.name), {0: ("PASS", "fine"), 7: ("NEW", "new")})
        finally:
            os.unlink(f.name)

    def test_docs_table_lists_every_code(self):
        with open(os.path.join(TOP, "docs", "exit-codes.md")) as f:
            documented = {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \|", f.read(), re.M)}
        self.assertEqual(documented, set(exitcodes.CODES))


class Validator(unittest.TestCase):
    def test_good_document(self):
        self.assertEqual(validate(GOOD), [])

    def test_config_error_document(self):
        self.assertEqual(validate("# kiln: x\nKTAP version 1\n1..0\n# kiln: config error: y\n"), [])

    def test_plan_after_header(self):  # the order before: the kernel's parser never saw the plan
        p = validate("KTAP version 1\n# kiln: x\n1..0\n# kiln: config error: y\n")
        self.assertTrue(any("plan after other lines" in x for x in p), p)
        p = validate(GOOD.replace("  # Subtest: platform\n  1..1\n", "  # Subtest: platform\n  # x\n  1..1\n"))
        self.assertTrue(any("plan after other lines" in x for x in p), p)

    def test_kernel_parser_sees_plan(self):
        res = kunit.parse(GOOD)
        if res is None:
            self.skipTest("the kernel's parser is not installed (tools/deps.sh)")
        self.assertEqual((res.plan, res.subtests), (2, 2))
        self.assertEqual(ktap.parse(GOOD).header[:1], ["Kiln v1"])

    def test_duration_run_without_top_plan(self):
        self.assertEqual(validate("KTAP version 1\n  KTAP version 1\n  # Subtest: pass-1\n  1..1\n  ok 1 a\n"
                                  "ok 1 pass-1\n"), [])

    def test_second_version_line(self):  # what early_fatal printed after the header
        p = validate("KTAP version 1\n# kiln: Kiln v1\nKTAP version 1\n1..0\n# kiln: fatal: no ACPI\n")
        self.assertTrue(any("second version line" in x for x in p), p)

    def test_no_document(self):
        self.assertEqual(len(validate("firmware only\n")), 1)

    def test_plan_mismatch(self):
        p = validate(GOOD.replace("  1..3", "  1..4"))
        self.assertTrue(any("planned 4, reported 3" in x for x in p), p)
        p = validate(GOOD.replace("1..2\n", "1..3\n", 1))
        self.assertTrue(any("top level planned 3" in x for x in p), p)

    def test_numbering(self):
        p = validate(GOOD.replace("not ok 2 selftest-fail", "not ok 5 selftest-fail"))
        self.assertTrue(any("result number 5, expected 2" in x for x in p), p)

    def test_directive_rules(self):
        p = validate(GOOD.replace("not ok 3 selftest-hang # TIMEOUT", "ok 3 selftest-hang # TIMEOUT"))
        self.assertTrue(any("'# TIMEOUT' on an 'ok' result" in x for x in p), p)
        p = validate(GOOD.replace("1..2\n", "1..2 # SKIP\n", 1))
        self.assertTrue(any("exactly 1..N" in x for x in p), p)
        p = validate(GOOD.replace("# selftest-fail: this", "# SKIP this"))
        self.assertTrue(any("directive 'SKIP' on a diagnostic line" in x for x in p), p)

    def test_subtest_structure(self):
        p = validate(GOOD.replace("not ok 1 selftest\n", "not ok 1 other\n"))
        self.assertTrue(any("closes the subtest 'selftest'" in x for x in p), p)
        p = validate(GOOD.split("not ok 1 selftest")[0])
        self.assertTrue(any("never got its result line" in x for x in p), p)
        p = validate(GOOD.replace("  ok 1 selftest-pass", "   ok 1 selftest-pass"))
        self.assertTrue(any("indented 3" in x for x in p), p)
        p = validate(GOOD.replace("  1..3\n", "  1..3\n  # Subtest: late\n"))
        self.assertTrue(any("must follow the subtest's version line" in x for x in p), p)

    @unittest.skipUnless(kunit.available(), "the kernel's parser is not installed (tools/deps.sh)")
    def test_kernel_parser_agrees_on_good(self):
        r = kunit.parse(GOOD)
        self.assertEqual(r.errors, [])
        self.assertEqual((r.counts["passed"], r.counts["failed"], r.counts["skipped"]), (1, 2, 1))

    @unittest.skipUnless(kunit.available(), "the kernel's parser is not installed (tools/deps.sh)")
    def test_kernel_parser_sees_plan_mismatch(self):
        self.assertTrue(kunit.parse(GOOD.replace("  1..3", "  1..4")).errors)


class FlatTap(unittest.TestCase):
    def test_counts(self):
        t = ktap.read_flat_tap("TAP version 13\n1..5\nok 1 a\nnot ok 2 b\nok 3 c # SKIP no\n"
                               "not ok 4 d # TODO later\nok 5 e # 1.2 s\n")
        self.assertEqual((t.passed, t.failed, t.skipped, t.problems), (2, 1, 2, []))
        self.assertEqual(t.failures, ["b"])

    def test_plan_last(self):
        self.assertEqual(ktap.read_flat_tap("ok 1 a\nok 2 b\n1..2\n").problems, [])

    def test_truncated(self):
        self.assertTrue(ktap.read_flat_tap("1..3\nok 1 a\nok 2 b\n").problems)
        self.assertTrue(ktap.read_flat_tap("ok 1 a\nok 2 b\n").problems)        # plan-last file cut off
        self.assertTrue(ktap.read_flat_tap("1..2\nok 1 a\nok 2 b").problems)    # no final newline
        self.assertTrue(ktap.read_flat_tap("").problems)

    def test_broken(self):
        self.assertTrue(ktap.read_flat_tap("1..2\nok 1 a\nok 3 b\n").problems)
        self.assertTrue(ktap.read_flat_tap("1..2\nok 1 a\n1..2\nok 2 b\n").problems)
        self.assertTrue(ktap.read_flat_tap("1..1\nok 1 a\nBail out! disk gone\n").problems)
        t = ktap.read_flat_tap("1..1\nok 1 a # TIMEOUT\n")
        self.assertEqual(t.failed, 1)


class Inject(unittest.TestCase):
    def test_times(self):
        for text, secs in (("30", 30), ("30s", 30), ("500ms", 0.5), ("2m", 120), ("1h", 3600), ("1.5", 1.5)):
            self.assertEqual(inject.parse_time(text), secs, text)
        for bad in ("", "s", "30x", "-1", "1m30s"):
            with self.assertRaises(inject.SpecError):
                inject.parse_time(bad)

    def test_inject_timed_entries_kept(self):
        e = inject.parse_inject("temp-mc=99000,accel1.link-down=0x1,45s:queue-hang=0x4,30:power-mw=1")
        self.assertEqual([(x.at, x.dev, x.knob, x.value) for x in e],
                         [(None, "accel0", "temp-mc", 99000), (None, "accel1", "link-down", 1),
                          (45.0, "accel0", "queue-hang", 4), (30.0, "accel0", "power-mw", 1)])

    def test_inject_at(self):
        e = inject.parse_inject_at("500ms:temp-mc=1,accel1.power-mw=2")
        self.assertEqual([(x.at, x.dev, x.knob) for x in e], [(0.5, "accel0", "temp-mc"), (0.5, "accel1", "power-mw")])
        for spec in ("30", "30s:", "abc:temp-mc=1", "30s:nope=1"):
            with self.assertRaises(inject.SpecError) as cm:
                inject.parse_inject_at(spec)
            self.assertNotIn("\n", str(cm.exception))
            self.assertIn("INJECT_AT", str(cm.exception))

    def test_inject_on(self):
        rx, e = inject.parse_inject_on("^# kiln: 1 device\\(s\\) under test$=>hbm-serr-addr=0x1230")
        self.assertTrue(rx.search("# kiln: 1 device(s) under test"))
        self.assertTrue(e[0].running_only)
        for spec in ("no-arrow", "(=>temp-mc=1", "x=>30s:temp-mc=1"):
            with self.assertRaises(inject.SpecError):
                inject.parse_inject_on(spec)

    def test_running_only_matches_the_docs(self):
        """docs/device.md section 11: a knob whose effect happens 'each write' needs a running device."""
        with open(os.path.join(TOP, "docs", "device.md")) as f:
            rows = re.findall(r"^\| `([a-z-]+)` \| [^|]*\| each write", f.read(), re.M)
        self.assertEqual(set(rows), set(inject.RUNNING_ONLY))
        self.assertTrue(set(inject.RUNNING_ONLY) <= set(inject.qmp.KNOBS))


class Repro(unittest.TestCase):
    def test_line(self):
        line = repro.command({"args": "suites=hbm seed=5", "accels": "2", "inject": "hbm-derr-addr=0x8000100",
                              "timeout": "900", "inject_on": "^x y$=>temp-mc=1"}, seed="0x11")
        self.assertEqual(line, "make run ARGS='suites=hbm seed=0x11' ACCELS=2 INJECT=hbm-derr-addr=0x8000100 "
                               "INJECT_ON='^x y$=>temp-mc=1'")

    def test_seed_added(self):
        self.assertEqual(repro.with_seed("suites=platform", "0x7"), "suites=platform seed=0x7")


def sh(cmd, **kw):
    return subprocess.run(cmd, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


class Commands(unittest.TestCase):
    def test_kiln_run_bad_specs(self):
        for words, needle in ((["INJECT_AT=30x:temp-mc=1"], "INJECT_AT"), (["INJECT=nope=1"], "unknown fault knob"),
                              (["INJECT_ON=bad"], "INJECT_ON"), (["BOGUS=1"], "BOGUS"),
                              (["TIMEOUT=soon"], "TIMEOUT"), (["--collector", "x"], "--collector")):
            p = sh([sys.executable, "tools/kiln-run", "--efi", "/nonexistent.efi"] + words)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertEqual(len(p.stdout.strip().splitlines()), 1, p.stdout)
            self.assertIn(needle, p.stdout)
            self.assertNotIn("Traceback", p.stdout)

    def test_kiln_run_missing_image(self):
        p = sh([sys.executable, "tools/kiln-run", "--efi", "/nonexistent.efi", "ARGS=suites=platform"])
        self.assertEqual((p.returncode, len(p.stdout.strip().splitlines())), (2, 1), p.stdout)

    def test_kiln_run_removes_link_sockets(self):
        """A run whose link sockets went to /tmp/kiln-sock-* (run directory too long for a unix
        socket path) leaves no such directory once QEMU has ended (here: killed by its budget)."""
        sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
        import topology  # noqa: E402
        # a run directory too long for accel1p23.sock, short enough for QEMU's own qmp.sock
        base = os.path.join(TOP, "build", "run", "")
        if len(base) > 80:
            self.skipTest(f"{base}: too long for a QMP socket with room for a name")
        name = "sock-cleanup-".ljust(96 - len(base), "x")
        run_dir = os.path.join(TOP, "build", "run", name)
        sock_dir = topology.socket_dir(run_dir, 2, 24)
        self.assertTrue(sock_dir.startswith("/tmp/kiln-sock-"), sock_dir)
        built = os.path.join(TOP, "build", "qemu", "bin", "qemu-system-x86_64")
        efi = os.path.join(TOP, "build", "kiln.efi")  # without it QEMU ends at once: the check still holds
        with tempfile.NamedTemporaryFile(suffix=".efi") as empty:
            p = sh([sys.executable, "tools/kiln-run", "--quiet", "--name", name, "--timeout", "3",
                    "--efi", efi if os.path.exists(efi) else empty.name, "ACCELS=2", "PORTS=24", "TOPOLOGY=mesh"]
                   + (["--qemu", built] if os.path.exists(built) else []))
        self.assertNotIn("Traceback", p.stdout)
        self.assertIn(p.returncode, (exitcodes.BUDGET, exitcodes.CRASH), p.stdout)
        self.assertIn("expect.fabric=0.0-1.0,", p.stdout)
        self.assertFalse(os.path.exists(sock_dir), f"{sock_dir} left behind")
        shutil.rmtree(run_dir, ignore_errors=True)

    def test_summary_counts_every_broken_group(self):
        with tempfile.TemporaryDirectory() as d:
            res = os.path.join(d, "results")
            os.makedirs(res)
            with open(os.path.join(d, "Makefile"), "w") as f:
                f.write(textwrap.dedent(f"""\
                    R := {res}
                    good: ; @printf '1..2\\nok 1 a\\nok 2 b # SKIP x\\n' > $(R)/good.tap
                    silent: ; @true
                    crashed: ; @printf '1..1\\nok 1 a\\n' > $(R)/crashed.tap; exit 3
                    truncated: ; @printf '1..3\\nok 1 a\\n' > $(R)/truncated.tap
                    failing: ; @printf '1..1\\nnot ok 1 broken\\n' > $(R)/failing.tap; exit 1
                    """))
            p = sh([sys.executable, "tools/test-summary", "--make", f"make -s -C {d}", "--targets",
                    "good silent crashed truncated failing", res])
            self.assertEqual(p.returncode, 1, p.stdout)
            last = p.stdout.strip().splitlines()[-1]
            self.assertEqual(last, "3 passed, 4 failed, 1 skipped", p.stdout)
            for needle in ("silent: wrote no result file", "crashed: exited 2 but crashed.tap records no failure", "truncated: plan 1..3 but 1",
                           "failing: broken"):
                self.assertIn(needle, p.stdout)
            self.assertNotIn("FAILED good", p.stdout)
            p = sh([sys.executable, "tools/test-summary", "--make", f"make -s -C {d}", "--targets", "good", res])
            self.assertEqual(p.returncode, 1, p.stdout)  # the folder still holds the broken files
            os.remove(os.path.join(res, "truncated.tap"))
            os.remove(os.path.join(res, "failing.tap"))
            os.remove(os.path.join(res, "crashed.tap"))
            p = sh([sys.executable, "tools/test-summary", "--make", f"make -s -C {d}", "--targets", "good", res])
            self.assertEqual((p.returncode, p.stdout.strip().splitlines()[-1]), (0, "1 passed, 0 failed, 1 skipped"),
                             p.stdout)

    def test_lab_shim_is_the_package(self):
        p = sh([sys.executable, "-c", "import sys; sys.path.insert(0, 'tools/lab'); import ktap; "
                "sys.path.insert(0, 'tools'); from kiln import ktap as k; print(ktap is k, ktap.validate is k.validate)"])
        self.assertEqual(p.stdout.strip(), "True True", p.stdout)


class TapResult(unittest.TextTestResult):
    """unittest -> flat TAP lines."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.tap = []

    def _name(self, test):
        return f"tools-{test.__class__.__name__}.{test._testMethodName}"

    def addSuccess(self, test):
        super().addSuccess(test)
        self.tap.append((True, self._name(test), ""))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.tap.append((False, self._name(test), self._exc_info_to_string(err, test)))

    def addError(self, test, err):
        super().addError(test, err)
        self.tap.append((False, self._name(test), self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.tap.append((True, self._name(test) + " # SKIP " + reason, ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", default=os.path.join(TOP, "build", "results", "tools.tap"))
    a = ap.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(resultclass=TapResult, verbosity=0, stream=sys.stderr)
    r = runner.run(suite)
    lines = []
    for i, (ok, name, why) in enumerate(r.tap, 1):
        if not ok:
            lines += [f"# {l}" for l in why.strip().splitlines()[-12:]]
        lines.append(f"{'ok' if ok else 'not ok'} {i} {name}")
    lines.append(f"1..{len(r.tap)}")
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    with open(a.results, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if r.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
