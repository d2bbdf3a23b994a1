"""The Linux kernel's own KTAP parser (tools/testing/kunit/kunit_parser.py), the consumer
Kiln's KTAP is proven against. It is not copied into this repository: tools/deps.sh unpacks
it from Debian's linux-source package into build/src/kunit/ (see docs/testing.md).

    from kiln import kunit
    res = kunit.parse(text)     # None when the parser is not installed
    res.errors                  # the parser's own '[ERROR] Test: ...' complaints
    res.status, res.counts      # 'SUCCESS', 'FAILURE', ...; passed/failed/skipped/crashed/errors
    res.plan, res.subtests      # the top-level plan it saw (None: none) and the results it read
"""
import glob
import io
import os
import re
import sys

from kiln import TOP

KUNIT_DIR = os.path.join(TOP, "build", "src", "kunit")
_ERROR = re.compile(r"\[ERROR\] Test: (.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Result:
    def __init__(self, test, output):
        self.status = test.status.name
        c = test.counts
        self.counts = {"passed": c.passed, "failed": c.failed, "skipped": c.skipped, "crashed": c.crashed,
                       "errors": c.errors}
        self.errors = [m.group(1) for m in (_ERROR.search(_ANSI.sub("", l)) for l in output.splitlines()) if m]
        self.output = output
        self.plan = test.expected_count      # the top-level plan the parser saw (None: none)
        self.subtests = len(test.subtests)   # top-level results it read


def available():
    return os.path.exists(os.path.join(KUNIT_DIR, "kunit_parser.py"))


def version():
    """Where the parser came from (the linux-source package version), for messages."""
    found = glob.glob(os.path.join(KUNIT_DIR, "VERSION"))
    if found:
        with open(found[0]) as f:
            return f.read().strip()
    return "unknown"


def _modules():
    if KUNIT_DIR not in sys.path:
        sys.path.insert(0, KUNIT_DIR)
    import kunit_parser   # noqa: E402  (the kernel's, from build/src/kunit)
    import kunit_printer  # noqa: E402
    return kunit_parser, kunit_printer


def parse(text):
    """Run the kernel's parser over a console log; None if it is not installed."""
    if not available():
        return None
    parser, printer = _modules()
    out = io.StringIO()
    saved = printer.stdout._output
    printer.stdout._output = out
    try:
        test = parser.parse_run_tests(text.splitlines())
    finally:
        printer.stdout._output = saved
    return Result(test, out.getvalue())
