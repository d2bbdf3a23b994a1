"""The one-line command that repeats a QEMU run: seed, selection, topology, injected knobs.

    make run ARGS='suites=hbm seed=0x11' ACCELS=2 INJECT='hbm-derr-addr=0x8000100'

`make run` builds what is needed and boots; tools/kiln-run takes the very same words and
returns Kiln's exit code unchanged (README). The seed is the one Kiln printed, so a run that
drew its own seed is repeated exactly too."""
import re
import shlex

# make run's variables, in the order the line shows them, and kiln-run's option for each
WORDS = (("ARGS", "args"), ("CFG", "cfg"), ("ACCELS", "accels"), ("PORTS", "ports"), ("HBM", "hbm"),
         ("TOPOLOGY", "topology"), ("UPLINK", "uplink"), ("INJECT", "inject"), ("INJECT_AT", "inject_at"), ("INJECT_ON", "inject_on"),
         ("QEMU_ARGS", "qemu_args"), ("TIMEOUT", "timeout"))
_SEED = re.compile(r"(^|\s)seed=\S*")


def with_seed(args, seed):
    """Kiln options with seed= set to the seed the run used (replacing any given)."""
    if not seed:
        return args.strip()
    return (_SEED.sub(" ", args).strip() + f" seed={seed}").strip()


def command(values, seed=None, prefix="make run"):
    """values: {kiln-run option name: value}; empty values are left out."""
    parts = [prefix]
    for word, opt in WORDS:
        v = values.get(opt) or ""
        if opt == "args":
            v = with_seed(v, seed)
        if opt == "timeout" and str(v) == "900":
            continue  # the default
        if v:
            parts.append(f"{word}={shlex.quote(str(v))}")
    return " ".join(parts)
