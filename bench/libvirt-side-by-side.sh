#!/usr/bin/env bash
# Installs Debian's libvirt 9.0 daemon, runs libvirt-side-by-side against it and a private virtd with the same virsh
# and python3-libvirt, then stops it and puts its config back. Needs root. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "error: run as root (libvirtd in system mode)" >&2; exit 1; }

if ! command -v libvirtd >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu
fi
bash scripts/setup.sh >/dev/null
# libvirtd resolves its built-in QEMU user and group before it reads qemu.conf; libvirt-daemon-system would make them.
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd --system --no-create-home --gid libvirt-qemu libvirt-qemu
getent group kvm >/dev/null || groupadd --system kvm

# QEMU as root with no security driver and its output in plain files, so libvirtd runs the same guest image from
# /tmp as virtd does, with nothing else in the way (no virtlogd, no AppArmor, no DAC relabelling).
conf=/etc/libvirt/qemu.conf
mkdir -p /etc/libvirt /var/log/libvirt /var/lib/libvirt
if [ -f "$conf" ]; then cp "$conf" "$conf.virt-bench"; else : > "$conf.virt-bench.none"; fi
printf 'user = "root"\ngroup = "root"\nswtpm_user = "root"\nswtpm_group = "root"\nsecurity_driver = "none"\nstdio_handler = "file"\n' >> "$conf"
pidfile=$(mktemp -u /run/libvirtd-bench.XXXXXX.pid)
restore() {
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$pidfile" ] || break; sleep 0.1; done
  fi
  if [ -f "$conf.virt-bench" ]; then mv "$conf.virt-bench" "$conf"; else rm -f "$conf" "$conf.virt-bench.none"; fi
}
trap restore EXIT
libvirtd --daemon --pid-file "$pidfile"
for _ in $(seq 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done

cd bench/Virt.Bench
VIRT_BENCH_LIBVIRT_URI=qemu:///system dotnet bin/Release/net10.0/Virt.Bench.dll libvirt-side-by-side
