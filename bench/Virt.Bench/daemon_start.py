# libvirtd's and virtd's restart after kill -9, timed by the same python3-libvirt client (bench/daemon-start-side-by-side.sh
# runs it). For each domain count, each daemon: start it, define COUNT tiny domains through defineXML, then RUNS times
# kill -9 it (and any child it has, by pid), spawn it again and time from the spawn to the first answered
# listAllDomains (libvirt.open retried every 5 ms), reading its VmRSS right then; then the same with `virsh list --all`
# as the first call (started once the socket accepts). The two daemons' restarts alternate, so both see the same load.
# Every domain it defined is undefined and both daemons stopped before it returns, also on an error.
#   daemon_start.py PIDFILE DLL RUNS COUNT...
#     PIDFILE: libvirtd in system mode (/run/libvirt/libvirt-sock) writes its pid there; - for no libvirtd
#     DLL: virtd as `dotnet DLL --root TMP`, a fresh tree per count; - for no virtd
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import libvirt

PREFIX = "dsb-"
POLL = 0.005


def domain_xml(name):
    # The daemon-start bench's guest (tests/TestSupport/SmallDomains.cs): nothing but what a definition needs.
    return ("<domain type='qemu'><name>%s</name><uuid>%s</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>" % (name, uuid.uuid4()))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry))
    return found


class Daemon:
    """One daemon under test: how to spawn it, where it listens, and its process while it runs."""

    def __init__(self, kind, arg):
        self.kind = kind
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="dsb-%s-" % kind, suffix=".log", delete=False)
        if kind == "libvirtd":
            self.pidfile = arg
            self.sock = "/run/libvirt/libvirt-sock"
            self.uri = "qemu+unix:///system?socket=" + self.sock
            self.argv = ["libvirtd", "--pid-file", self.pidfile]
            self.root = None
        else:
            self.dll = arg
            self.root = None

    def fresh(self):
        if self.kind == "virtd":
            if self.root:
                shutil.rmtree(self.root, ignore_errors=True)
            self.root = tempfile.mkdtemp(prefix="dsb-virtd-")  # 0700: the daemon refuses a tree others may read
            self.argv = ["dotnet", self.dll, "--root", os.path.join(self.root, "root")]
            self.sock = os.path.join(self.root, "root", "run", "virt-sock")
            self.uri = "qemu+unix:///session?socket=" + self.sock

    def spawn(self):
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                        start_new_session=True)

    def kill(self):
        """SIGKILL to the daemon and to every child it had, by pid; all reaped or gone before it returns."""
        if self.process is None:
            return []
        pid = self.process.pid
        kids = children(pid) if self.process.poll() is None else []
        for p in [pid] + kids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for p in kids:  # reparented to init, which reaps them; wait until they are gone
            for _ in range(1000):
                if not os.path.exists("/proc/%d" % p):
                    break
                time.sleep(0.001)
        self.process = None
        return kids

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def close(self):
        self.stop()
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
        self.log.close()
        os.unlink(self.log.name)


def first_list(daemon):
    """Spawn, then the first answered listAllDomains: (ms, domains listed, VmRSS KiB then)."""
    start = time.perf_counter()
    daemon.spawn()
    deadline = start + 120
    while True:
        try:
            conn = libvirt.open(daemon.uri)
            break
        except libvirt.libvirtError:
            if daemon.process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("%s did not answer; its log: %s" % (daemon.kind, tail(daemon.log.name)))
            time.sleep(POLL)
    listed = len(conn.listAllDomains(0))
    ms = (time.perf_counter() - start) * 1000
    kib = rss_kib(daemon.process.pid)
    conn.close()
    return ms, listed, kib


def first_virsh(daemon):
    """Spawn, wait until the socket accepts, then `virsh list --all` to its exit: (ms, domains listed)."""
    start = time.perf_counter()
    daemon.spawn()
    deadline = start + 120
    while True:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(daemon.sock)
            break
        except OSError:
            if daemon.process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("%s did not listen; its log: %s" % (daemon.kind, tail(daemon.log.name)))
            time.sleep(POLL)
        finally:
            probe.close()
    while True:
        out = subprocess.run(["virsh", "-c", daemon.uri, "list", "--all"], capture_output=True, text=True)
        if out.returncode == 0:
            break
        if time.perf_counter() > deadline:
            raise RuntimeError("virsh list failed: " + out.stderr)
    ms = (time.perf_counter() - start) * 1000
    rows = out.stdout.split("\n")
    table = next(i for i, row in enumerate(rows) if row.startswith("---")) + 1  # under the header and its rule
    return ms, len([row for row in rows[table:] if row.strip()])


def tail(path):
    with open(path, errors="replace") as f:
        return f.read()[-2000:]


def measure(daemons, count, runs):
    """Both daemons at one domain count, their restarts alternating so that both see the same load."""
    started = []
    try:
        figures = {}
        for daemon in daemons:
            daemon.fresh()
            started.append(daemon)
            ms, listed, new = first_list(daemon)
            conn = libvirt.open(daemon.uri)
            try:
                foreign = [d.name() for d in conn.listAllDomains(0) if not d.name().startswith(PREFIX)]
                if foreign:
                    raise RuntimeError("%s already has domains (%s): refusing to measure over them" % (daemon.kind, ", ".join(foreign[:5])))
                for d in conn.listAllDomains(0):  # left by an interrupted run of this script
                    d.undefine()
                clock = time.perf_counter()
                for i in range(count):
                    conn.defineXML(domain_xml("%s%05d" % (PREFIX, i)))
                rate = count / (time.perf_counter() - clock) if count else 0
                figures[daemon] = {"new": new, "defined": rss_kib(daemon.process.pid), "rate": rate,
                                   "restart": [], "rss": [], "virsh": [], "kids": set()}
            finally:
                conn.close()
        for run in range(runs + max(3, runs // 2)):
            for daemon in (daemons if run % 2 == 0 else daemons[::-1]):
                f = figures[daemon]
                f["kids"].update(daemon.kill())
                if run < runs:
                    ms, listed, kib = first_list(daemon)
                    f["restart"].append(ms)
                    f["rss"].append(kib)
                else:
                    ms, listed = first_virsh(daemon)
                    f["virsh"].append(ms)
                if listed != count:
                    raise RuntimeError("%s listed %d domains, expected %d" % (daemon.kind, listed, count))
        for daemon in daemons:
            f = figures[daemon]
            print("%-9s %7d %8.0f %8.0f %9.0f %9.1f %9.1f %9.1f %9.0f %9.0f %7.0f %s" % (
                daemon.kind, count, min(f["restart"]), statistics.median(f["restart"]), max(f["restart"]),
                f["new"] / 1024, f["defined"] / 1024, statistics.median(f["rss"]) / 1024,
                min(f["virsh"]), statistics.median(f["virsh"]), f["rate"],
                ("children killed: %d" % len(f["kids"])) if f["kids"] else ""), flush=True)
    finally:
        errors = []
        for daemon in started:
            try:
                cleanup(daemon)
            except Exception as e:  # the other daemon's domains are still to be undefined
                errors.append(e)
        if errors:
            raise errors[0]


def cleanup(daemon):
    """Undefine every domain this script defined, through a daemon started for it if need be, then stop it."""
    try:
        if daemon.process is None or daemon.process.poll() is not None:
            daemon.kill()
            daemon.spawn()
        deadline = time.perf_counter() + 120
        while True:
            try:
                conn = libvirt.open(daemon.uri)
                break
            except libvirt.libvirtError:
                if daemon.process.poll() is not None or time.perf_counter() > deadline:
                    raise
                time.sleep(POLL)
        for d in conn.listAllDomains(0):
            if d.name().startswith(PREFIX):
                d.undefine()
        left = [d.name() for d in conn.listAllDomains(0) if d.name().startswith(PREFIX)]
        conn.close()
        if left:
            raise RuntimeError("still defined: %s" % ", ".join(left[:5]))
    finally:
        daemon.stop()


def stop_requested(signum, _frame):
    # Once: the cleanup that follows (undefine, stop) must not be cut short by a second signal.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(128 + signum)


def main():
    pidfile, dll, runs, counts = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(c) for c in sys.argv[4:]]
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)  # refused connects while it restarts are expected
    signal.signal(signal.SIGTERM, stop_requested)
    signal.signal(signal.SIGINT, stop_requested)
    daemons = ([Daemon("libvirtd", pidfile)] if pidfile != "-" else []) + ([Daemon("virtd", dll)] if dll != "-" else [])
    print("%-9s %7s %8s %8s %9s %9s %9s %9s %9s %9s %7s" % (
        "daemon", "domains", "best ms", "median", "worst", "RSS new", "defined", "restart", "virsh best", "median",
        "def/s"), flush=True)
    try:
        for count in counts:
            measure(daemons, count, runs)
    finally:
        for daemon in daemons:
            daemon.close()


if __name__ == "__main__":
    main()
