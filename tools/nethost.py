"""Host side of Kiln's network tests, for tools/kiln-run.

uplink_netdev(): the QEMU user-mode network (slirp) a port marked `net.uplink` is cabled
to: DHCP and a gateway at 10.0.2.2, restricted (the guest reaches nothing outside), one
forward from a loopback port on the host to the guest's iperf port, one from the guest to
a loopback port where the host's iperf server listens.

NetHost: serves the "kiln-host: ..." requests Kiln prints while a case runs, with the
real iperf 2 (Debian's `iperf`), listening on 127.0.0.1 only and only between a case's
start and stop requests. Whatever iperf prints goes into the console log as "# host: ..."
lines, so a run's log holds both sides of the interop.
"""
import os
import re
import shutil
import socket
import subprocess
import sys

SLIRP_NET = "10.0.2.0/24"
GUEST_IP = "10.0.2.15"           # slirp's first DHCP lease
GUEST_IPERF_TARGET = "10.0.2.100"  # where the guest finds the host's iperf server
IPERF_PORT = 5001
RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "net-relay")
REQUEST = re.compile(r"kiln-host: ([a-z-]+)((?: [a-z]+=[0-9]+)*)\s*$")


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Uplink:
    def __init__(self):
        self.host_to_guest = free_port()  # host iperf -c connects here
        self.guest_to_host = free_port()  # host iperf -s listens here

    def netdev(self):
        return (f"user,net={SLIRP_NET},restrict=on,"
                f"hostfwd=tcp:127.0.0.1:{self.host_to_guest}-{GUEST_IP}:{IPERF_PORT},"
                f"guestfwd=tcp:{GUEST_IPERF_TARGET}:{IPERF_PORT}-cmd:{sys.executable} {RELAY} {self.guest_to_host}")

    def kiln_args(self):
        return f"net.iperf_server={GUEST_IPERF_TARGET}:{IPERF_PORT} net.iperf_listen=on"


class NetHost:
    def __init__(self, uplink, run_dir, log):
        self.uplink = uplink
        self.run_dir = run_dir
        self.log = log
        self.server = None
        self.client = None
        self.iperf = shutil.which("iperf")

    def _start(self, argv, what):
        if not self.iperf:
            return None, [f"# host: {what}: no iperf on this host (tools/deps.sh installs it)"]
        p = subprocess.Popen([self.iperf] + argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True)
        self.log(f"host {what}: {' '.join(['iperf'] + argv)} (pid {p.pid})")
        return p, [f"# host: {what}: started: iperf {' '.join(argv)}"]

    @staticmethod
    def _finish(p, what, kill):
        if p is None:
            return []
        if kill:
            p.terminate()
        try:
            out, _ = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        lines = [f"# host: {what}: {l.rstrip()}" for l in out.splitlines() if l.strip()]
        return lines + [f"# host: {what}: ended (status {p.returncode})"]

    def on_line(self, text):
        """Lines to add to the console log for this console line (requests served)."""
        m = REQUEST.search(text)
        if not m:
            return self.poll()
        req = m.group(1)
        args = dict(kv.split("=") for kv in m.group(2).split())
        if req == "iperf-server-start" and self.server is None:
            self.server, out = self._start(["-s", "-B", "127.0.0.1", "-p", str(self.uplink.guest_to_host)],
                                           "iperf server")
            return out
        if req == "iperf-server-stop":
            out = self._finish(self.server, "iperf server", kill=True)
            self.server = None
            return out
        if req == "iperf-client-start" and self.client is None:
            secs = args.get("seconds", "5")
            self.client, out = self._start(["-c", "127.0.0.1", "-p", str(self.uplink.host_to_guest), "-t", secs],
                                           "iperf client")
            return out
        return [f"# host: unknown or repeated request {text.strip()!r}"]

    def poll(self):
        """The client ends by itself: report it when it has."""
        if self.client is not None and self.client.poll() is not None:
            out = self._finish(self.client, "iperf client", kill=False)
            self.client = None
            return out
        return []

    def close(self):
        out = self._finish(self.server, "iperf server", kill=True) + self._finish(self.client, "iperf client",
                                                                                  kill=True)
        self.server = self.client = None
        return out
