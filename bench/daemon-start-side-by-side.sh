#!/usr/bin/env bash
# Daemon start against libvirt 9.0's libvirtd in the same run: restart after kill -9 to the first answered list and
# the daemon's RSS, with 0, 1,000 and 10,000 defined domains, the same python3-libvirt client (and virsh) for libvirtd
# and for virtd's ReadyToRun publish (bench/Virt.Bench/daemon_start.py), then virtd's own daemon-start bench. Needs
# root; installs libvirtd as bench/libvirt-side-by-side.sh does, undefines every domain it defined, stops libvirtd and
# puts its config back. Never part of the test suite. DSB_RUNS (default 7) restarts per count, DSB_COUNTS (default
# "0 1000 10000"); VIRT_BENCH_NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "error: run as root (libvirtd in system mode)" >&2; exit 1; }
runs="${DSB_RUNS:-7}"
counts="${DSB_COUNTS:-0 1000 10000}"

if ! command -v libvirtd >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu
fi
if [ -z "${VIRT_BENCH_NO_BUILD:-}" ]; then
  # The bench and the two virtd builds it spawns: src/Host/bin/Release/net10.0 (JIT) and .../ready (ReadyToRun).
  dotnet build bench/Virt.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  scripts/publish-virtd.sh
fi
ready=src/Host/bin/Release/ready/virtd.dll
[ -f "$ready" ] || { echo "error: $ready missing (scripts/publish-virtd.sh makes it)" >&2; exit 1; }
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd --system --no-create-home --gid libvirt-qemu libvirt-qemu
getent group kvm >/dev/null || groupadd --system kvm
if pgrep -x libvirtd >/dev/null || pgrep -x virtqemud >/dev/null; then
  echo "error: libvirtd or virtqemud is already running; this script starts and kills its own" >&2
  exit 1
fi

# The same qemu.conf as bench/libvirt-side-by-side.sh: QEMU as root, no security driver, no virtlogd.
conf=/etc/libvirt/qemu.conf
mkdir -p /etc/libvirt /var/log/libvirt /var/lib/libvirt
if [ -f "$conf" ]; then cp "$conf" "$conf.virt-bench"; else : > "$conf.virt-bench.none"; fi
printf 'user = "root"\ngroup = "root"\nswtpm_user = "root"\nswtpm_group = "root"\nsecurity_driver = "none"\nstdio_handler = "file"\n' >> "$conf"
pidfile=$(mktemp -u /run/libvirtd-bench.XXXXXX.pid)
py_pid=
restore() {
  # daemon_start.py undefines its domains and stops both daemons on SIGTERM and on errors: let it finish first.
  if [ -n "$py_pid" ] && kill -0 "$py_pid" 2>/dev/null; then
    kill -TERM "$py_pid" 2>/dev/null || true
    for _ in $(seq 1200); do kill -0 "$py_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # Then the backstop, for a libvirtd it could not stop.
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
  # What a libvirtd killed before the script's undefine left on disk: its definitions are named dsb-NNNNN.
  rm -f /etc/libvirt/qemu/dsb-[0-9]*.xml
  if [ -f "$conf.virt-bench" ]; then mv "$conf.virt-bench" "$conf"; else rm -f "$conf" "$conf.virt-bench.none"; fi
}
trap restore EXIT

echo "## daemon start, libvirtd 9.0 and virtd (ReadyToRun) through python3-libvirt, $runs restarts after kill -9 each"
echo "load: $(uptime)"
# shellcheck disable=SC2086
/usr/bin/python3 bench/Virt.Bench/daemon_start.py "$pidfile" "$ready" "$runs" $counts &
py_pid=$!
wait "$py_pid"
py_pid=
echo "load: $(uptime)"
(cd bench/Virt.Bench && dotnet bin/Release/net10.0/Virt.Bench.dll daemon-start)
echo "load: $(uptime)"
