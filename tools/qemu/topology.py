"""QEMU arguments for the kiln-accel instances of a run (topology and NIC wiring).

Python 3 standard library only; imported by tools/kiln-run and tests/model/.

Topologies (docs/device.md, "Topology"):
- "pairs" (default): in each instance, ports are paired in order (0-1, 2-3, ...), each pair
  joined back to back by a pair of unix datagram sockets (or a QEMU hub), so every port has a
  peer. An odd port out is strapped to MAC loopback (device property loopback-ports).
- "mesh" / "mesh:K": every pair of instances is joined by K ports (default: as many as PORTS
  allows, PORTS // (ACCELS - 1)); the S = PORTS - K * (ACCELS - 1) ports left on each instance
  are its scale-out ports, strapped to MAC loopback unless wired elsewhere.
A port named in `external` is connected to the given netdev instead (for example a socket
netdev to a second QEMU, or the host) and is left out of the wiring.
"""

import hashlib
import os
import re
import shutil
import zlib

MAX_PORTS = 24
TOPOLOGIES = ("pairs", "mesh", "mesh:K")


def _tag_hash(tag):
    return zlib.crc32(tag.encode()) & 0xFFFFFFFF


def instance_mac(tag, index):
    """Base MAC of instance `index` (port p uses base + p): locally administered, unique per tag."""
    h = _tag_hash(tag)
    return "52:54:%02x:%02x:%02x:00" % ((h >> 8) & 0xFF, h & 0xFF, index & 0xFF)


def instance_serial(tag, index):
    return f"KILN-{tag[:16]}-{index}"


def instance_dsn(tag, index):
    return (0x4B4C << 48) | ((_tag_hash(tag) & 0xFFFFFFFF) << 16) | (index & 0xFFFF)


_SIZE = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def size_bytes(text):
    """QEMU-style size ("256M", "32G", "1073741824") in bytes."""
    text = str(text).strip().upper().rstrip("B")
    unit = text[-1] if text and text[-1] in _SIZE else ""
    return int(text[:len(text) - len(unit)], 0) * _SIZE[unit]


HBM_WINDOW_DEFAULT = 256 << 20  # device property hbm-window (kiln_pci.h KILN_HBM_WINDOW_DEFAULT)


def ovmf_mmio64_args(accels, hbm, hbm_window=None):
    """OVMF's 64-bit PCI aperture sized for the HBM BARs: fw_cfg opt/ovmf/X-PciMmio64Mb.

    BAR4 is the HBM window (hbm-window, at most hbm-size), not the whole HBM, so the default
    aperture (64 GiB) is enough unless the windows are made huge. Measured with Debian's OVMF
    2022.11 when BAR4 was the whole HBM: the default aperture held two 32 GiB BARs; with four,
    OVMF left every BAR4 unassigned unless the aperture was raised.
    """
    bar = min(size_bytes(hbm), size_bytes(hbm_window) if hbm_window else HBM_WINDOW_DEFAULT)
    need_mb = accels * (bar + (16 << 20)) * 2 >> 20
    mb = 65536
    while mb < need_mb:
        mb <<= 1
    if mb == 65536:
        return []
    return ["-fw_cfg", f"name=opt/ovmf/X-PciMmio64Mb,string={mb}"]


_UNIX_PATH_MAX = 107


def parse_topology(topology, accels, ports):
    """(kind, per_peer, scale_out) for a TOPOLOGY value; ValueError naming what is allowed."""
    allowed = "allowed: pairs, mesh (every pair of accelerators joined by PORTS // (ACCELS-1) ports), " \
              "mesh:K (K ports per pair, the rest scale-out)"
    topology = (topology or "pairs").strip()
    if topology == "pairs":
        return "pairs", 0, 0
    kind, _, k = topology.partition(":")
    if kind != "mesh":
        raise ValueError(f"TOPOLOGY={topology}: unknown; {allowed}")
    if accels < 2:
        raise ValueError(f"TOPOLOGY={topology} needs ACCELS >= 2 (got {accels}); {allowed}")
    peers = accels - 1
    if k:
        if not k.isdigit() or int(k) < 1:
            raise ValueError(f"TOPOLOGY={topology}: K must be a number >= 1; {allowed}")
        per_peer = int(k)
    else:
        per_peer = ports // peers
    if per_peer < 1 or per_peer * peers > ports:
        least = max(per_peer, 1) * peers
        raise ValueError(f"TOPOLOGY={topology} with ACCELS={accels} needs PORTS >= {least} "
                         f"({max(per_peer, 1)} per peer x {peers} peers), got PORTS={ports} "
                         f"(at most {MAX_PORTS} per accelerator)")
    return "mesh", per_peer, ports - per_peer * peers


def plan(topology, accels, ports, external=()):
    """The wiring of a run: (links, loopback, notes).

    links:    [((i, p), (j, q)), ...]: accel i port p cabled to accel j port q;
    loopback: {i: port mask} of ports strapped to MAC loopback (no cable);
    notes:    {(i, p): text} for ports that are neither (external netdevs).
    """
    kind, per_peer, scale_out = parse_topology(topology, accels, ports)
    external = set(external)
    links, loopback, notes = [], {}, {}
    for e in sorted(external):
        dev, _, port = e.partition(".port")
        notes[(int(dev[len("accel"):]), int(port))] = "external"
    if kind == "pairs":
        for i in range(accels):
            local = [p for p in range(ports) if f"accel{i}.port{p}" not in external]
            for k in range(0, len(local) - 1, 2):
                links.append(((i, local[k]), (i, local[k + 1])))
            if len(local) % 2:
                loopback[i] = loopback.get(i, 0) | 1 << local[-1]
        return links, loopback, notes

    def first(i, j):  # first port of accel i that faces accel j
        return (j if j < i else j - 1) * per_peer

    for i in range(accels):
        for j in range(i + 1, accels):
            for k in range(per_peer):
                a, b = (i, first(i, j) + k), (j, first(j, i) + k)
                for dev, port in (a, b):
                    if f"accel{dev}.port{port}" in external:
                        raise ValueError(f"accel{dev}.port{port} is a mesh link (accel{a[0]}.port{a[1]} <-> "
                                         f"accel{b[0]}.port{b[1]}); wire a scale-out port instead "
                                         f"(ports {ports - scale_out}..{ports - 1})" if scale_out else
                                         f"accel{dev}.port{port} is a mesh link and this mesh has no "
                                         f"scale-out port to wire elsewhere")
                links.append((a, b))
    for i in range(accels):
        for p in range(ports - scale_out, ports):
            if f"accel{i}.port{p}" not in external:
                loopback[i] = loopback.get(i, 0) | 1 << p
    return links, loopback, notes


def fabric_line(links):
    """The cables as Kiln's expect.fabric key takes them (docs/config.md): 'expect.fabric=A.P-B.Q,...'
    (accelerator A port P to accelerator B port Q), or 'expect.fabric=none' without a cable. A lab
    pastes it into kiln.cfg; fabric-map then fails on any missing, crossed or extra cable."""
    return "expect.fabric=" + (",".join(f"{i}.{p}-{j}.{q}" for (i, p), (j, q) in links) or "none")


def wiring_table(topology, accels, ports, links, loopback, notes):
    """The wiring as text, one port per line and the expect.fabric line last (printed by kiln-run,
    written to wiring.txt)."""
    kind, per_peer, scale_out = parse_topology(topology, accels, ports)
    head = f"wiring: {kind}, {accels} accelerator(s) x {ports} port(s)"
    if kind == "mesh":
        head += f", {per_peer} per peer, {scale_out} scale-out"
    lines = [head, f"{len(links)} link(s)"]
    w = len(f"accel{accels - 1}.port{ports - 1}") if accels and ports else 0
    for (i, p), (j, q) in links:
        lines.append(f"  {f'accel{i}.port{p}':<{w}}  <->  accel{j}.port{q}")
    for i in sorted(loopback):
        for p in range(ports):
            if loopback[i] >> p & 1:
                lines.append(f"  {f'accel{i}.port{p}':<{w}}  MAC loopback" + (" (scale-out)" if kind == "mesh" else ""))
    for (i, p), what in sorted(notes.items()):
        lines.append(f"  {f'accel{i}.port{p}':<{w}}  {what}")
    lines.append(fabric_line(links) + (" (external ports not included)" if notes else ""))
    return "\n".join(lines) + "\n"


def socket_dir(run_dir, accels, ports):
    """Where the link sockets live: the run directory, or a short directory under /tmp when the
    longest socket path there would exceed the unix path limit (107 bytes)."""
    run_dir = os.path.abspath(run_dir)
    longest = f"accel{max(accels - 1, 0)}p{max(ports - 1, 0)}.sock"
    if len(os.path.join(run_dir, longest)) <= _UNIX_PATH_MAX:
        return run_dir
    return os.path.join("/tmp", "kiln-sock-" + hashlib.sha1(run_dir.encode()).hexdigest()[:12])


def remove_sockets(run_dir, accels, ports):
    """After QEMU has ended: remove the link sockets of a run (socket_dir()); a /tmp/kiln-sock-*
    directory goes entirely, so runs leave nothing behind in /tmp."""
    sock_dir = socket_dir(run_dir, accels, ports)
    if sock_dir != os.path.abspath(run_dir):
        shutil.rmtree(sock_dir, ignore_errors=True)
        return
    for name in os.listdir(sock_dir) if os.path.isdir(sock_dir) else ():
        if re.fullmatch(r"accel\d+p\d+\.sock", name):
            try:
                os.unlink(os.path.join(sock_dir, name))
            except OSError:
                pass


def _link_netdevs(a, b, sock_dir, hub, link):
    """Netdevs of one cable between port a and port b ((instance, port) each).

    "dgram": a pair of unix datagram sockets in sock_dir (a point-to-point cable; stale socket
    files from an earlier run are removed here, since QEMU binds them at start).
    "hub": a QEMU hub (QEMU warns that the hub has no host network; harmless).
    """
    na, nb = (f"accel{i}p{p}" for i, p in (a, b))
    if link == "dgram":
        sa, sb = (os.path.join(sock_dir, f"{n}.sock") for n in (na, nb))
        os.makedirs(sock_dir, exist_ok=True)
        for s in (sa, sb):
            if os.path.exists(s):
                os.unlink(s)
        return ["-netdev", f"dgram,id={na},local.type=unix,local.path={sa},remote.type=unix,remote.path={sb}",
                "-netdev", f"dgram,id={nb},local.type=unix,local.path={sb},remote.type=unix,remote.path={sa}"]
    return ["-netdev", f"hubport,id={na},hubid={hub}", "-netdev", f"hubport,id={nb},hubid={hub}"]


def accel_args(accels, ports, hbm, tag, run_dir, external=None, pcap=False, extra=None,
               ovmf=True, root_ports=False, link="dgram", topology="pairs", hbm_window=None):
    """Arguments for `accels` kiln-accel devices (ids accel0..), `ports` NIC ports each.

    hbm:      HBM size as QEMU reads it ("256M", "32G").
    tag:      distinguishes QEMU processes of one test: MACs, serials and DSNs derive from it.
    run_dir:  the run's directory (pcap files and wiring.txt go there).
    external: {"accel0.port1": "socket,id=ID,connect=127.0.0.1:5000", ...}: netdev options
              (without -netdev) for ports wired outside this QEMU; the id= in them is
              replaced by the port's own netdev id.
    extra:    {"accel0": "temp-mc=90000,...", ...}: more -device properties per instance.
    ovmf:     add the OVMF fw_cfg option that makes room for large HBM BARs when needed.
    link:     how the two ends of a cable are joined: "dgram" (unix datagram sockets in
              run_dir, or in a short /tmp directory when run_dir is too long) or "hub".
    topology: "pairs", "mesh" or "mesh:K" (module docstring, parse_topology()).
    hbm_window: the HBM BAR window per instance (device property hbm-window), None: the
              device default.
    root_ports: put each instance behind its own pcie-root-port (id rpN) instead of on pcie.0,
              so it is a PCIe endpoint with a real link (speed/width in Link Status); on
              pcie.0 q35 makes it a root-complex integrated endpoint, which has no link.
    """
    if not 1 <= accels <= 16:
        raise ValueError(f"accels={accels}: 1..16")
    if not 0 <= ports <= MAX_PORTS:
        raise ValueError(f"ports={ports}: 0..{MAX_PORTS}")
    if link not in ("dgram", "hub"):
        raise ValueError(f"link={link}: dgram or hub")
    external = dict(external or {})
    extra = extra or {}
    unknown = [e for e in external if e not in {f"accel{i}.port{p}" for i in range(accels) for p in range(ports)}]
    if unknown:
        raise ValueError("external wiring names unknown ports: " + ", ".join(sorted(unknown)))
    links, loopback, notes = plan(topology, accels, ports, external)
    sock_dir = socket_dir(run_dir, accels, ports)
    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, "wiring.txt"), "w") as f:
        f.write(wiring_table(topology, accels, ports, links, loopback, notes))
    netdevs = {i: [] for i in range(accels)}
    wired = {i: [] for i in range(accels)}
    for n, (a, b) in enumerate(links):
        netdevs[min(a[0], b[0])] += _link_netdevs(a, b, sock_dir, n, link)
        wired[a[0]].append(a[1])
        wired[b[0]].append(b[1])
    args = []
    for i in range(accels):
        dev = f"accel{i}"
        port = []
        if root_ports:
            port = ["-device", f"pcie-root-port,id=rp{i},bus=pcie.0,chassis={i + 1},slot={i + 1}"]
        props = [f"kiln-accel,id={dev}"] + ([f"bus=rp{i}"] if root_ports else []) + [
                 f"ports={ports}", f"hbm-size={hbm}"] + ([f"hbm-window={hbm_window}"] if hbm_window else []) + [
                 f"serial={instance_serial(tag, i)}", f"dsn={instance_dsn(tag, i)}",
                 f"mac={instance_mac(tag, i)}"]
        devnet = list(netdevs[i])
        for p in range(ports):
            nid = f"{dev}p{p}"
            ext = external.get(f"{dev}.port{p}")
            if ext is not None:
                opts = [o for o in ext.split(",") if not o.startswith("id=")]
                devnet += ["-netdev", ",".join(opts[:1] + [f"id={nid}"] + opts[1:])]
                props.append(f"netdev{p}={nid}")
            elif p in wired[i]:
                props.append(f"netdev{p}={nid}")
        if loopback.get(i):
            props.append(f"loopback-ports={loopback[i]}")
        if dev in extra and extra[dev]:
            props.append(extra[dev])
        if pcap:
            for p in range(ports):
                if f"netdev{p}={dev}p{p}" in props:
                    devnet += ["-object", f"filter-dump,id={dev}d{p},netdev={dev}p{p},"
                               f"file={os.path.join(run_dir, f'{dev}-port{p}.pcap')}"]
        args += port + devnet + ["-device", ",".join(props)]
    if ovmf:
        args += ovmf_mmio64_args(accels, hbm, hbm_window)
    return args


if __name__ == "__main__":
    import shlex
    import sys
    a = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    p = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(shlex.join(accel_args(a, p, "256M", "demo", "build/run/demo")))
