"""QEMU arguments for the kiln-accel instances of a run (topology and NIC wiring).

Python 3 standard library only; imported by tools/kiln-run and tests/model/.

Default wiring (docs/device.md, "Topology"): in each instance, ports are paired in order
(0-1, 2-3, ...), each pair joined back to back by a pair of unix datagram sockets in the run
directory (or a QEMU hub), so every port has a peer. An odd port
out is strapped to MAC loopback (device property loopback-ports). A port named in `external`
is connected to the given netdev instead (for example a socket netdev to a second QEMU) and
is left out of the pairing.
"""

import os
import zlib

MAX_PORTS = 8


def _tag_hash(tag):
    return zlib.crc32(tag.encode()) & 0xFFFFFFFF


def instance_mac(tag, index):
    """Base MAC of instance `index` (port p uses base + p): locally administered, unique per tag."""
    h = _tag_hash(tag)
    return "52:54:%02x:%02x:%02x:00" % ((h >> 8) & 0xFF, h & 0xFF, (index * MAX_PORTS) & 0xFF)


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


def ovmf_mmio64_args(accels, hbm):
    """OVMF's 64-bit PCI aperture sized for the HBM BARs: fw_cfg opt/ovmf/X-PciMmio64Mb.

    Measured with Debian's OVMF 2022.11: the default aperture (64 GiB) holds two 32 GiB HBM
    BARs; with four, OVMF leaves every BAR4 unassigned unless the aperture is raised.
    """
    need_mb = accels * (size_bytes(hbm) + (16 << 20)) * 2 >> 20
    mb = 65536
    while mb < need_mb:
        mb <<= 1
    if mb == 65536:
        return []
    return ["-fw_cfg", f"name=opt/ovmf/X-PciMmio64Mb,string={mb}"]


_UNIX_PATH_MAX = 107


def _pair_netdevs(dev, pair, run_dir, hub, link):
    """Netdevs joining two ports of one instance back to back.

    "dgram": a pair of unix datagram sockets in run_dir (a point-to-point cable; stale socket
    files from an earlier run are removed here, since QEMU binds them at start).
    "hub": a QEMU hub (QEMU warns that the hub has no host network; harmless).
    """
    a, b = (f"{dev}p{p}" for p in pair)
    sa, sb = (os.path.join(os.path.abspath(run_dir), f"{n}.sock") for n in (a, b))
    if link == "dgram" and len(sa) <= _UNIX_PATH_MAX and len(sb) <= _UNIX_PATH_MAX:
        os.makedirs(run_dir, exist_ok=True)
        for s in (sa, sb):
            if os.path.exists(s):
                os.unlink(s)
        return ["-netdev", f"dgram,id={a},local.type=unix,local.path={sa},remote.type=unix,remote.path={sb}",
                "-netdev", f"dgram,id={b},local.type=unix,local.path={sb},remote.type=unix,remote.path={sa}"]
    return ["-netdev", f"hubport,id={a},hubid={hub}", "-netdev", f"hubport,id={b},hubid={hub}"]


def accel_args(accels, ports, hbm, tag, run_dir, external=None, pcap=False, extra=None,
               ovmf=True, root_ports=False, link="dgram"):
    """Arguments for `accels` kiln-accel devices (ids accel0..), `ports` NIC ports each.

    hbm:      HBM size as QEMU reads it ("256M", "32G").
    tag:      distinguishes QEMU processes of one test: MACs, serials and DSNs derive from it.
    run_dir:  the run's directory (pcap files go there when pcap=True).
    external: {"accel0.port1": "socket,id=ID,connect=127.0.0.1:5000", ...}: netdev options
              (without -netdev) for ports wired outside this QEMU; the id= in them is
              replaced by the port's own netdev id.
    extra:    {"accel0": "temp-mc=90000,...", ...}: more -device properties per instance.
    ovmf:     add the OVMF fw_cfg option that makes room for large HBM BARs when needed.
    link:     how the two ports of a pair are joined: "dgram" (unix datagram sockets in
              run_dir; falls back to a hub when the path is too long) or "hub".
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
    args = []
    for i in range(accels):
        dev = f"accel{i}"
        port = []
        if root_ports:
            port = ["-device", f"pcie-root-port,id=rp{i},bus=pcie.0,chassis={i + 1},slot={i + 1}"]
        props = [f"kiln-accel,id={dev}"] + ([f"bus=rp{i}"] if root_ports else []) + [
                 f"ports={ports}", f"hbm-size={hbm}",
                 f"serial={instance_serial(tag, i)}", f"dsn={instance_dsn(tag, i)}",
                 f"mac={instance_mac(tag, i)}"]
        netdevs = []
        local = []
        for p in range(ports):
            nid = f"{dev}p{p}"
            ext = external.pop(f"{dev}.port{p}", None)
            if ext is not None:
                opts = [o for o in ext.split(",") if not o.startswith("id=")]
                netdevs += ["-netdev", ",".join(opts[:1] + [f"id={nid}"] + opts[1:])]
                props.append(f"netdev{p}={nid}")
            else:
                local.append(p)
        loopback = 0
        for k in range(0, len(local) - 1, 2):
            pair = local[k:k + 2]
            netdevs += _pair_netdevs(dev, pair, run_dir, i * MAX_PORTS + k, link)
            for p in pair:
                props.append(f"netdev{p}={dev}p{p}")
        if len(local) % 2:
            loopback |= 1 << local[-1]
        if loopback:
            props.append(f"loopback-ports={loopback}")
        if dev in extra and extra[dev]:
            props.append(extra[dev])
        if pcap:
            for p in range(ports):
                if f"netdev{p}={dev}p{p}" in props:
                    netdevs += ["-object", f"filter-dump,id={dev}d{p},netdev={dev}p{p},"
                                f"file={os.path.join(run_dir, f'{dev}-port{p}.pcap')}"]
        args += port + netdevs + ["-device", ",".join(props)]
    if external:
        raise ValueError("external wiring names unknown ports: " + ", ".join(sorted(external)))
    if ovmf:
        args += ovmf_mmio64_args(accels, hbm)
    return args


if __name__ == "__main__":
    import shlex
    import sys
    a = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    p = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(shlex.join(accel_args(a, p, "256M", "demo", "build/run/demo")))
