"""KTAP and TAP for every host tool (tools/kiln/ktap.py; tools/lab/ktap.py is a shim to it).

Three readers, one module:
  - parse(text) / parse_file(path): a Kiln console log as a lab reads it: KTAP v1 results,
    Kiln's own '# kiln:' lines, OCP LDJSON records (tools/lab/ktap2junit, ktap2html,
    ocp-validate, tests/lab);
  - read_flat_tap(text): a flat TAP results file of make test (build/results/<group>.tap),
    with every way it can be incomplete (tools/test-summary);
  - validate(text): the KTAP v1 specification (Documentation/dev-tools/ktap.rst of the
    Linux kernel) checked strictly: what a lenient parser forgives is an error here
    (tests/qemu/run-cases checks every regression boot with it);
plus the line shapes the runner watches for (START, EXIT_LINE, result_line()).
Python 3 standard library only.

The console parser:

    run = ktap.parse_file("build/run/run/console.log")
    run.verdict, run.exit_code, run.errors, run.passes, run.cases(), run.measurements()

What it understands (docs/output.md, docs/lab-tools.md):
  - the prelude before the first column-0 'KTAP version 1' is the firmware's and Kiln's
    start-up lines: only its '# kiln:' lines are read (the run header: version, config,
    seed, identity, bring-up); ANSI escapes and carriage returns are stripped everywhere;
  - nesting of any depth by indentation: a subtest opens with an indented 'KTAP version 1'
    (or, older style, just indented lines) and closes with the result line one level out;
  - result lines 'ok N name', 'not ok N name', with '# SKIP|TODO|TIMEOUT reason' directives;
  - '#' diagnostic lines attach to the next result line at the same indentation; among
    them '# measure <name> <value> <unit>' (a measurement) and '# crash: ...' (a crash
    record); a crash record that no case result claims is a crash outside any case;
  - burn-in: top-level subtests named 'pass-<n>' holding the suites (single-pass runs are
    pass 1 with the suites at top level); '# kiln: heartbeat k=v ...' lines at column 0
    anywhere in the stream; '# kiln: pass N done k=v ...' per-pass summaries (any
    indentation; '964ms' is read as 0.964 s);
  - '# kiln: result VERDICT passed=N failed=N skipped=N duration=S.Ds',
    '# kiln: exit N (meaning)', '# kiln: config error: ...', other '# kiln:' header lines;
  - '# ocp: {json}' lines at column 0: OCP Test & Validation LDJSON records (prefix stripped).
Anything the stream lacks (no exit line, a subtest cut off, fewer results than planned) is
recorded in run.errors, which makes the run an ERROR whatever the result line said.
"""
import json
import re

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")
VERSION = re.compile(r"^(?:KTAP version \d+|TAP version \d+)$")
PLAN = re.compile(r"^1\.\.(\d+)(?:\s*#.*)?$")
RESULT = re.compile(r"^(not ok|ok)\s+(\d+)(?:\s+-)?(?:\s+([^#]*?))?\s*(?:#\s*(.*))?$")
DIRECTIVE = re.compile(r"^(SKIP|TODO|TIMEOUT|XFAIL)\b\s*(.*)$", re.IGNORECASE)
SUBTEST = re.compile(r"^# Subtest:\s*(.*)$")
MEASURE = re.compile(r"^# measure\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$")
CRASH = re.compile(r"^# crash:\s?(.*)$")
KILN = re.compile(r"^# kiln:\s?(.*)$")
OCP_PREFIX = "# ocp: "
HEARTBEAT = re.compile(r"^heartbeat\b(.*)$")
KV = re.compile(r"(\w+)=(\S+)")
FINAL = re.compile(r"^result\s+(PASS|FAIL|ERROR)\b(.*)$")
EXIT = re.compile(r"^exit\s+(\d+)(?:\s+\((.*)\))?\s*$")
CONFIG_ERROR = re.compile(r"^config error:\s*(.*)$")
OUTSIDE = re.compile(r"harness crash outside any case")
PASS_NAME = re.compile(r"^pass-(\d+)$")
PASS_DONE = re.compile(r"^# kiln: pass (\d+) done\b(.*)$")
UNIT_VALUE = re.compile(r"^([-+]?\d+(?:\.\d+)?)(ms|us|s)?$")
DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


def number(text):
    """'12', '1.5e3', '0x1f' -> int/float; None if it is not a number."""
    try:
        if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", text):
            return int(text, 16)
        if re.fullmatch(r"[-+]?\d+", text):
            return int(text)
        return float(text)
    except ValueError:
        return None


class Measurement:
    def __init__(self, name, raw, unit, line):
        self.name, self.raw, self.unit, self.line = name, raw, unit or "", line
        self.value = number(raw)
        self.case = None   # the Node of the case it was printed under (set when the case ends)
        self.pass_no = None

    def __repr__(self):
        return f"Measurement({self.name} {self.raw} {self.unit})"


class Node:
    """A test: a leaf case, or a subtest (suite, pass) holding children."""

    def __init__(self, indent, line, parent=None):
        self.indent = indent          # indentation of the node's own lines (its children's results)
        self.line = line              # console line number where it opened
        self.parent = parent
        self.name = None
        self.number = None
        self.ok = None                # True / False; None while open
        self.directive = None         # 'SKIP', 'TODO', 'TIMEOUT', ... (upper case) or None
        self.reason = ""
        self.diag = []                # '#' lines printed above its result (without '# ')
        self.measures = []
        self.crash = []               # '# crash:' lines (without the prefix)
        self.output = []              # every '#' line above its result, in order (without '# ')
        self.children = []
        self.plan = None
        self.subtest_name = None
        self.is_subtest = False       # opened by 'KTAP version' / '# Subtest:' / an indented block
        self.trailing = []            # '#' lines after the last child result, unclaimed
        self.result_line = None
        self.time = None              # seconds, when known (from OCP step records)

    # verdict of this node: 'pass', 'fail', 'skip', 'timeout', 'todo', or 'missing'
    @property
    def status(self):
        if self.ok is None:
            return "missing"
        d = self.directive
        if d == "SKIP":
            return "skip"
        if d == "TODO":
            return "todo"
        if d == "TIMEOUT":
            return "timeout"
        return "pass" if self.ok else "fail"

    @property
    def is_leaf(self):
        return not self.children and not self.is_subtest

    def path(self):
        parts, n = [], self
        while n is not None and n.parent is not None:
            parts.append(n.name or f"#{n.number}")
            n = n.parent
        return list(reversed(parts))

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def __repr__(self):
        return f"Node({'/'.join(self.path())} {self.status})"


class Run:
    def __init__(self):
        self.root = Node(0, 0)
        self.root.is_subtest = True
        self.started = False
        self.header = []          # '# kiln:' lines before the first result (identity, config, seed...)
        self.footer = []          # other '# kiln:' lines after it (first failure, ...)
        self.pass_summaries = {}  # pass number -> {key: value} from '# kiln: pass N done k=v ...'
        self.kiln_lines = []      # every '# kiln:' line (text after the prefix), in order
        self.heartbeats = []      # dicts: elapsed, pass, ok, failed, eta (numbers where possible) + 'line'
        self.ocp = []             # (line number, text, parsed dict or None, json error or None)
        self.verdict = None       # from '# kiln: result'
        self.counts = {}          # passed/failed/skipped from the result line (ints)
        self.duration = None      # seconds, from the result line
        self.exit_code = None
        self.exit_meaning = None
        self.config_errors = []
        self.crash_outside = []   # crash lines not claimed by any case
        self.harness_crash = False
        self.errors = []          # problems with the stream itself (the run is an ERROR)
        self.prelude = []         # lines before 'KTAP version 1'

    # ---- derived views ------------------------------------------------------------------
    @property
    def burnin(self):
        tops = self.root.children
        return bool(tops) and all(n.name and PASS_NAME.match(n.name) and n.children for n in tops)

    @property
    def passes(self):
        """[(pass number, node holding that pass's suites)]. One entry for a single-pass run."""
        if self.burnin:
            return [(int(PASS_NAME.match(n.name).group(1)), n) for n in self.root.children]
        return [(1, self.root)] if self.started else []

    def cases(self):
        """Every leaf result: list of (pass number, suite path list, Node)."""
        out = []
        for pass_no, holder in self.passes:
            for n in holder.walk():
                if n is holder or not n.is_leaf:
                    continue
                rel = n.path()[len(holder.path()):]
                out.append((pass_no, rel[:-1], n))
        return out

    def suites(self):
        """Containers of leaf cases: list of (pass number, suite path list, Node)."""
        out = []
        for pass_no, holder in self.passes:
            for n in holder.walk():
                if any(c.is_leaf for c in n.children):
                    out.append((pass_no, n.path()[len(holder.path()):], n))
        return out

    def measurements(self):
        out = []
        for n in self.root.walk():
            out.extend(n.measures)
        return out

    @property
    def final_verdict(self):
        """PASS/FAIL/ERROR as a lab should treat the run: stream errors make it ERROR."""
        if self.errors or self.config_errors or self.harness_crash or self.crash_outside:
            return "ERROR"
        return self.verdict or "ERROR"

    def ocp_records(self):
        return [rec for _, _, rec, err in self.ocp if rec is not None]


def clean(line):
    return ANSI.sub("", line).replace("\r", "").rstrip()


def parse_file(path):
    with open(path, "rb") as f:
        return parse(f.read().decode("utf-8", "replace"))


def parse(text):
    run = Run()
    lines = text.split("\n")
    stack = [run.root]              # open nodes; stack[-1] is the innermost
    pending = {}                    # indent -> list of (kind, payload, line) awaiting a result

    def take_pending(indent):
        return pending.pop(indent, [])

    def attach(node, items):
        for kind, payload, ln in items:
            node.output.append(payload if kind == "diag" else
                               f"crash: {payload}" if kind == "crash" else
                               f"measure {payload.name} {payload.raw} {payload.unit}".rstrip())
            if kind == "diag":
                node.diag.append(payload)
            elif kind == "measure":
                node.measures.append(payload)
                node.diag.append(f"measure {payload.name} {payload.raw} {payload.unit}".rstrip())
            elif kind == "crash":
                node.crash.append(payload)

    def unclaimed(node, items):
        for kind, payload, ln in items:
            if kind == "crash":
                run.crash_outside.append(payload)
            elif kind == "measure":
                node.measures.append(payload)
            else:
                node.trailing.append(payload)

    def open_child(indent, ln, explicit):
        parent = stack[-1]
        child = Node(indent, ln, parent)
        child.is_subtest = True
        child.explicit = explicit
        stack.append(child)
        return child

    def close_into(result_indent, ln):
        """Pop subtests deeper than result_indent; the shallowest popped is the one the
        result line names. Returns it, or None if the result is a leaf."""
        named = None
        while len(stack) > 1 and stack[-1].indent > result_indent:
            node = stack.pop()
            unclaimed(node, take_pending(node.indent))
            if named is not None:          # a deeper level the stream never closed
                run.errors.append(f"line {named.line}: subtest '{named.subtest_name or '?'}' "
                                  f"has no result line")
                node.children.append(named)
            named = node
        return named

    for ln, raw in enumerate(lines, 1):
        line = clean(raw)
        if not run.started:
            if VERSION.match(line):
                run.started = True
            elif line.startswith(OCP_PREFIX):
                add_ocp(run, ln, line)
            else:
                run.prelude.append(line)
                # Kiln's start-up lines come before its document opens (version line and
                # plan once the selection and the devices are known): the run header
                m = KILN.match(line)
                if m and kiln_line(run, m.group(1), ln) == "other":
                    run.header.append(m.group(1))
            continue
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()

        # Column-0 side channels, valid at any nesting depth.
        if indent == 0 and line.startswith(OCP_PREFIX):
            add_ocp(run, ln, line)
            continue
        m = KILN.match(body) if indent == 0 else None
        if m:
            kind = kiln_line(run, m.group(1), ln)
            if kind != "other":
                continue
            if not run.root.children and len(stack) == 1:
                run.header.append(m.group(1))
            else:
                run.footer.append(m.group(1))
            continue

        if VERSION.match(body):
            if indent > stack[-1].indent:
                open_child(indent, ln, True)
            elif indent == stack[-1].indent and stack[-1] is not run.root and not stack[-1].children \
                    and stack[-1].plan is None:
                pass  # '# Subtest:' came first (old order): same subtest
            else:
                run.errors.append(f"line {ln}: unexpected '{body}' at indentation {indent}")
            continue

        m = RESULT.match(body)
        if m:
            status, num, name, rest = m.groups()
            if indent > stack[-1].indent:        # results of a subtest that had no header
                open_child(indent, ln, False)
            node = close_into(indent, ln)
            if node is None:
                node = Node(indent + 2, ln, stack[-1])
            node.parent = stack[-1]
            node.name = (name or "").strip() or None
            node.number = int(num)
            node.ok = status == "ok"
            node.result_line = ln
            if rest:
                d = DIRECTIVE.match(rest.strip())
                if d:
                    node.directive = d.group(1).upper()
                    node.reason = d.group(2).strip()
                else:
                    node.reason = rest.strip()
            attach(node, take_pending(indent))
            stack[-1].children.append(node)
            continue

        m = PLAN.match(body)
        if m:
            if indent > stack[-1].indent:
                open_child(indent, ln, False)
            else:
                close_into(indent, ln) and run.errors.append(f"line {ln}: plan after unclosed subtest")
            stack[-1].plan = int(m.group(1))
            continue

        if body.startswith("#"):
            if indent > stack[-1].indent:
                m = SUBTEST.match(body)
                if m:
                    open_child(indent, ln, True).subtest_name = m.group(1).strip()
                    continue
                # a '#' line deeper than any open subtest: it belongs to a subtest about
                # to open, or is just indented text; keep it for that depth.
            m = SUBTEST.match(body)
            if m and indent == stack[-1].indent and stack[-1] is not run.root:
                stack[-1].subtest_name = m.group(1).strip()
                continue
            if indent == 0:
                m = CRASH.match(body)
                if m:
                    # a crash record at column 0 is outside any case by construction
                    run.crash_outside.append(m.group(1))
                    continue
            m = PASS_DONE.match(body)
            if m:
                run.pass_summaries[int(m.group(1))] = kv_numbers(m.group(2))
            m = MEASURE.match(body)
            if m:
                item = ("measure", Measurement(m.group(1), m.group(2), m.group(3), ln), ln)
            else:
                m = CRASH.match(body)
                item = ("crash", m.group(1), ln) if m else ("diag", body[1:].strip(), ln)
            pending.setdefault(indent, []).append(item)
            continue

        run.errors.append(f"line {ln}: not a KTAP line: {body[:120]!r}")

    # End of stream: anything still open was cut off.
    if not run.started:
        run.errors.append("no 'KTAP version 1' line: Kiln never started its report "
                          "(the firmware did not reach it, or this is not a Kiln console)")
    while len(stack) > 1:
        node = stack.pop()
        unclaimed(node, take_pending(node.indent))
        run.errors.append(f"line {node.line}: subtest '{node.subtest_name or '?'}' was cut off "
                          f"(no result line before the console ended)")
        node.name = node.name or node.subtest_name
        stack[-1].children.append(node)
    unclaimed(run.root, take_pending(0))
    for ind in sorted(pending):
        unclaimed(run.root, pending[ind])

    finish(run)
    return run


def add_ocp(run, ln, line):
    text = line[len(OCP_PREFIX):]
    try:
        rec = json.loads(text)
        run.ocp.append((ln, text, rec, None))
    except ValueError as e:
        run.ocp.append((ln, text, None, str(e)))


def kv_numbers(text):
    """'k=v ...' -> dict; numbers become numbers, '964ms'/'5s'/'20us' become seconds."""
    out = {}
    for k, v in KV.findall(text):
        m = UNIT_VALUE.match(v)
        if m:
            n = number(m.group(1))
            out[k] = n * {"ms": 1e-3, "us": 1e-6}.get(m.group(2), 1) if m.group(2) in ("ms", "us") else n
        else:
            out[k] = v
    return out


def kiln_line(run, text, ln):
    """Record a column-0 '# kiln:' line; returns its kind."""
    run.kiln_lines.append(text)
    m = HEARTBEAT.match(text)
    if m:
        hb = kv_numbers(m.group(1))
        hb["line"] = ln
        run.heartbeats.append(hb)
        return "heartbeat"
    m = FINAL.match(text)
    if m:
        run.verdict = m.group(1)
        for k, v in KV.findall(m.group(2)):
            if k == "duration":
                d = DURATION.match(v)
                run.duration = float(d.group(1)) if d else None
            else:
                n = number(v)
                run.counts[k] = n if n is not None else v
        return "result"
    m = EXIT.match(text)
    if m:
        run.exit_code = int(m.group(1))
        run.exit_meaning = m.group(2)
        return "exit"
    m = CONFIG_ERROR.match(text)
    if m:
        run.config_errors.append(m.group(1))
        return "config"
    if OUTSIDE.search(text):
        run.harness_crash = True
    m = PASS_DONE.match("# kiln: " + text)
    if m:
        run.pass_summaries[int(m.group(1))] = kv_numbers(m.group(2))
        return "pass"
    return "other"


def finish(run):
    """Cross-checks after the whole stream is read."""
    if run.started:
        if run.verdict is None:
            run.errors.append("no '# kiln: result' line: the run did not finish")
        if run.exit_code is None:
            run.errors.append("no '# kiln: exit' line: the run did not finish (crash, reset or cut-off console)")
    for n in run.root.walk():
        if n.is_subtest and n.plan is not None and len(n.children) != n.plan and n.ok is not None:
            where = n.name or n.subtest_name or "top level"
            run.errors.append(f"line {n.line}: '{where}' planned {n.plan} results, reported {len(n.children)}")
        if n.is_subtest and n.name is None and n.subtest_name:
            n.name = n.subtest_name
    if run.root.plan is not None and len(run.root.children) != run.root.plan and run.exit_code is not None \
            and not run.config_errors:
        run.errors.append(f"top level planned {run.root.plan} results, reported {len(run.root.children)}")
    # Pass numbers and case links for measurements.
    for pass_no, holder in run.passes:
        for n in holder.walk():
            for m in n.measures:
                m.pass_no = pass_no
                m.case = n
    attach_times(run)


def attach_times(run):
    """Case times from OCP testStep records (start/end timestamps), in order, when present."""
    starts, ends = {}, []
    for rec in run.ocp_records():
        step = rec.get("testStepArtifact") if isinstance(rec, dict) else None
        if not isinstance(step, dict):
            continue
        sid = step.get("testStepId")
        ts = parse_time(rec.get("timestamp"))
        if isinstance(step.get("testStepStart"), dict):
            starts[sid] = (step["testStepStart"].get("name"), ts)
        elif isinstance(step.get("testStepEnd"), dict) and sid in starts:
            name, t0 = starts.pop(sid)
            if t0 is not None and ts is not None:
                ends.append((name, ts - t0))
    queue = {}
    for name, secs in ends:
        queue.setdefault(name, []).append(secs)
    for _, _, n in run.cases():
        q = queue.get(n.name)
        if q:
            n.time = max(0.0, q.pop(0))


RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_time(text):
    """RFC 3339 timestamp -> seconds since the epoch (float); None if it is not one."""
    import datetime
    if not isinstance(text, str):
        return None
    m = RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = float(m.group(7)) if m.group(7) else 0.0
    tz = m.group(8)
    try:
        if tz in ("Z", "z"):
            off = datetime.timezone.utc
        else:
            sign = 1 if tz[0] == "+" else -1
            hh, mm = int(tz[1:3]), int(tz[4:6])
            if hh > 23 or mm > 59:
                return None
            off = datetime.timezone(sign * datetime.timedelta(hours=hh, minutes=mm))
        # RFC 3339 allows a leap second (:60); count it as :59.
        dt = datetime.datetime(y, mo, d, h, mi, min(s, 59), tzinfo=off)
    except ValueError:
        return None
    if s > 60:
        return None
    return dt.timestamp() + frac


# ---- line shapes the host tools watch for ------------------------------------------------
START = "KTAP version 1"                                   # Kiln's report starts here, at column 0
EXIT_LINE = re.compile(r"^# kiln: exit (\d+)(?: \((.*)\))?\s*$")  # Kiln's last word: its exit code
SEED_LINE = re.compile(r"^# kiln: seed (0x[0-9a-f]+)\b")
TAP_RESULT = re.compile(r"^(not ok|ok)\b(?:\s+(\d+))?(?:\s+-)?(?:\s+([^#]*?))?\s*(?:#\s*(.*))?$")
DIRECTIVES = ("SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR")


def result_line(body):
    """'ok 3 name # SKIP why' (indentation stripped) -> (ok, number or None, name, directive or
    None, reason), or None when it is not a result line. Directives are the KTAP spec's."""
    m = TAP_RESULT.match(body)
    if not m:
        return None
    status, num, name, rest = m.groups()
    directive, reason = None, (rest or "").strip()
    if rest:
        d = re.match(r"^(\w+)\b\s*(.*)$", rest.strip())
        if d and d.group(1).upper() in DIRECTIVES:
            directive, reason = d.group(1).upper(), d.group(2).strip()
    return status == "ok", int(num) if num else None, (name or "").strip(), directive, reason


# ---- flat TAP files (build/results/<group>.tap) ------------------------------------------
class FlatTap:
    """What one group's flat TAP file says, and everything wrong with it as a record."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []        # names (with reason) of the failed results
        self.problems = []        # the file itself is not a complete record: each one fails the group
        self.plan = None

    @property
    def results(self):
        return self.passed + self.failed + self.skipped


def read_flat_tap(text):
    """Count a flat TAP file: one plan ('1..N', first or last), results numbered 1..N.
    A missing plan, a plan that disagrees with the results, numbers out of order, a
    'Bail out!' or no result at all are problems (the group crashed or was cut off)."""
    t = FlatTap()
    plans, expect_num, results_seen = [], 1, 0
    lines = text.split("\n")
    if text and not text.endswith("\n"):
        t.problems.append("the last line has no newline: the file was cut off")
    for ln, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#") or VERSION.match(line):
            continue
        if line.startswith("Bail out!"):
            t.problems.append(f"line {ln}: {line}")
            continue
        m = re.match(r"^1\.\.(\d+)(\s+#.*)?$", line)
        if m:
            plans.append((ln, int(m.group(1)), results_seen))
            continue
        r = result_line(line)
        if r is None:
            continue  # free text (a tool's own output): not a result, not a problem
        ok, num, name, directive, reason = r
        results_seen += 1
        if num is not None and num != expect_num:
            t.problems.append(f"line {ln}: result number {num}, expected {expect_num}")
        expect_num = (num or expect_num) + 1
        label = f"{name}{' # ' + directive if directive else ''}{(' ' + reason) if reason else ''}".strip()
        if directive in ("SKIP",):
            t.skipped += 1
        elif directive in ("TODO", "XFAIL") and not ok:
            t.skipped += 1            # an expected failure: neither a pass nor a failure
        elif ok and directive not in ("TIMEOUT", "ERROR"):
            t.passed += 1
        else:
            t.failed += 1
            t.failures.append(label or f"result {num}")
    if not plans:
        t.problems.append(f"no plan line (1..N) after {results_seen} result(s): the group's runner did not finish")
    elif len(plans) > 1:
        t.problems.append(f"{len(plans)} plan lines (lines {', '.join(str(p[0]) for p in plans)})")
    else:
        ln, n, before = plans[0]
        t.plan = n
        if before not in (0, results_seen):
            t.problems.append(f"line {ln}: the plan stands between results")
        if n != results_seen:
            t.problems.append(f"plan 1..{n} but {results_seen} result(s): "
                              f"{'cut off' if results_seen < n else 'more results than planned'}")
    if results_seen == 0 and not t.problems:
        t.problems.append("no test results")
    return t


# ---- strict KTAP v1 ----------------------------------------------------------------------
def validate(text):
    """Check a console log against the KTAP v1 specification; returns a list of problems
    ('line N: ...'), empty when the document is valid. Lines before the first column-0
    version line are the firmware's and ignored. Rules (ktap.rst): one version line opens
    the document and each subtest, indented two spaces per level; a plan, when present,
    follows the version line (or the '# Subtest:' line) right away, before any other line
    of its level (where the kernel's parser looks for it; a column-0 '# kiln:' heartbeat
    inside a subtest is not of its level), and equals the number of results; results are
    numbered 1, 2, ... per level; a result line is '<ok|not ok> <n>
    [<description>][ # [<directive>] [<data>]]' with no '#' in the description; TIMEOUT
    and ERROR only on 'not ok'; a subtest ends with its result line one level out, whose
    description is the subtest's name. Diagnostic and unknown lines may be anywhere."""
    problems = []
    lines = [clean(l) for l in text.split("\n")]
    start = next((i for i, l in enumerate(lines) if l == START), None)
    if start is None:
        return ["no column-0 'KTAP version 1' line: no KTAP document"]

    class Level:
        def __init__(self, depth, ln):
            self.depth, self.ln = depth, ln
            self.plan = None
            self.name = None
            self.results = 0
            self.header_done = False   # a plan, a result or a subtest came: no more header lines
            self.plan_slot = True      # the next line at this level may be the plan

    stack = [Level(0, start + 1)]
    for i in range(start + 1, len(lines)):
        ln, line = i + 1, lines[i]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        cur = stack[-1]
        if VERSION.match(body):
            if body != START:
                problems.append(f"line {ln}: '{body}': Kiln writes KTAP version 1 only")
            if indent == 2 * (cur.depth + 1):
                cur.header_done = True
                stack.append(Level(cur.depth + 1, ln))
            elif indent == 2 * cur.depth:
                problems.append(f"line {ln}: a second version line at the same level (the version line of "
                                f"line {cur.ln} already opened it)")
            else:
                problems.append(f"line {ln}: version line indented {indent}, expected {2 * (cur.depth + 1)} "
                                f"(a subtest) inside the level opened at line {cur.ln}")
            continue
        m = re.match(r"^1\.\.(\d+)(.*)$", body)
        if m:
            if m.group(2):
                problems.append(f"line {ln}: plan '{body}': a plan line is exactly 1..N")
            if indent != 2 * cur.depth:
                problems.append(f"line {ln}: plan indented {indent}, expected {2 * cur.depth}")
            elif cur.plan is not None or cur.header_done:
                problems.append(f"line {ln}: plan after {'another plan' if cur.plan is not None else 'results'}"
                                f" at this level (the plan follows the version line)")
            elif not cur.plan_slot:
                problems.append(f"line {ln}: plan after other lines at this level: the plan comes right after "
                                f"the version line (and '# Subtest:' line), where a parser looks for it")
            cur.plan = int(m.group(1))
            cur.header_done = True
            cur.plan_slot = False
            continue
        if re.match(r"^(not ok|ok)\b", body):
            r = result_line(body)
            ok, num, name, directive, reason = r
            if num is None:
                problems.append(f"line {ln}: result without a number: {body[:80]!r}")
            if directive in ("TIMEOUT", "ERROR") and ok:
                problems.append(f"line {ln}: '# {directive}' on an 'ok' result (the spec wants 'not ok')")
            if not name:
                problems.append(f"line {ln}: result without a description")
            if indent == 2 * cur.depth:
                target = cur
            elif indent == 2 * (cur.depth - 1) and len(stack) > 1:
                # closes the subtest: its own result, one level out
                sub = stack.pop()
                target = stack[-1]
                if sub.plan is not None and sub.plan != sub.results:
                    problems.append(f"line {sub.ln}: subtest '{sub.name or name}' planned {sub.plan}, "
                                    f"reported {sub.results}")
                if sub.name is not None and sub.name != name:
                    problems.append(f"line {ln}: result '{name}' closes the subtest '{sub.name}'")
            else:
                problems.append(f"line {ln}: result indented {indent} at depth {cur.depth} "
                                f"(expected {2 * cur.depth}): {body[:80]!r}")
                continue
            target.results += 1
            target.header_done = True
            target.plan_slot = False
            if num is not None and num != target.results:
                problems.append(f"line {ln}: result number {num}, expected {target.results}")
            continue
        if body.startswith("#"):
            s = SUBTEST.match(body)
            if s and indent == 2 * cur.depth and cur.depth > 0:
                if cur.header_done or cur.name is not None:
                    problems.append(f"line {ln}: '# Subtest:' must follow the subtest's version line")
                cur.name = s.group(1).strip()
                continue
            if indent == 2 * cur.depth:
                cur.plan_slot = False
            d = re.match(r"^#\s*(SKIP|TODO|XFAIL|TIMEOUT|ERROR)\b", body)
            if d:
                problems.append(f"line {ln}: directive '{d.group(1)}' on a diagnostic line: directives "
                                f"belong to result lines")
            continue
        # an unknown line: allowed anywhere by the spec (but no longer before the plan)
        if indent == 2 * cur.depth:
            cur.plan_slot = False
    if len(stack) > 1:
        for lv in stack[1:]:
            problems.append(f"line {lv.ln}: subtest '{lv.name or '?'}' never got its result line")
    top = stack[0]
    if top.plan is not None and top.plan != top.results:
        problems.append(f"top level planned {top.plan} results, reported {top.results}")
    return problems
