#!/usr/bin/env bash
# Warning gate for the project's C that QEMU's own build does not apply:
#  - drivers/accel/hw/*.h: clang, freestanding C11, -Wall -Wextra -Werror;
#  - tools/qemu/*.c: QEMU's exact compile command (compile_commands.json) plus
#    -Wall -Wextra -Werror, QEMU's headers read as system headers (they are not -Wextra
#    clean). -Wno-unused-parameter only: QEMU callback signatures (MemoryRegionOps,
#    property visitors, class_init) fix parameters the model ignores.
# Prints TAP (group model-lint) and writes build/results/model-lint.tap.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/results/model-lint.tap
mkdir -p "$top/build/results"
n=0
fail=0
lines=()
tap() { # status name [diagnostics]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		lines+=("ok $n $2")
		echo "ok $n $2"
	else
		fail=1
		lines+=("not ok $n $2")
		echo "not ok $n $2"
		while IFS= read -r l; do lines+=("# $l"); echo "# $l"; done <<<"$3"
	fi
}
for h in "$top"/drivers/accel/hw/*.h; do
	# included, as users do: a header's unused static inline helpers (kiln_ring.h) are not an error
	msg=$(printf '#include "%s"\n' "$h" | clang -std=c11 -Wall -Wextra -Werror -pedantic -ffreestanding -fsyntax-only -x c - 2>&1)
	tap $? "header $(basename "$h"): clang -std=c11 -ffreestanding -Wall -Wextra -Werror" "$msg"
	msg=$(printf '#include "%s"\n' "$h" | gcc -std=c11 -Wall -Wextra -Werror -ffreestanding -fsyntax-only -x c - 2>&1)
	tap $? "header $(basename "$h"): gcc -std=c11 -ffreestanding -Wall -Wextra -Werror" "$msg"
done
msg=$(python3 - "$top" <<'PY' 2>&1
import json, shlex, subprocess, sys, os
top = sys.argv[1]
cc = json.load(open(os.path.join(top, "build/qemu-build/compile_commands.json")))
bad = 0
seen = 0
for e in cc:
    if "/hw/misc/kiln/" not in e["file"]:
        continue
    seen += 1
    args, skip = [], False
    for a in shlex.split(e["command"]):
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ"):
            skip = True
            continue
        if a == "-MD":
            continue
        # QEMU's own headers are not -Wextra clean: read them as system headers so that
        # only the model's files (and drivers/accel/hw) are held to the warning set
        if a.startswith("-I") and "drivers/accel/hw" not in a and "hw/misc/kiln" not in a:
            a = "-isystem" + a[2:]
        if args and args[-1] == "-iquote" and "hw/misc/kiln" not in a:
            args[-1] = "-isystem"
        args.append(a)
    args += ["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]
    r = subprocess.run(args, cwd=e["directory"], capture_output=True, text=True)
    if r.returncode:
        bad += 1
        print(r.stderr)
if not seen:
    print("no model files in compile_commands.json (build QEMU first)")
    bad = 1
sys.exit(1 if bad else 0)
PY
)
tap $? "model sources: QEMU flags + -Wall -Wextra -Werror" "$msg"
{ echo "TAP version 13"; printf '%s\n' "${lines[@]}"; echo "1..$n"; } >"$out"
echo "1..$n"
exit $fail
