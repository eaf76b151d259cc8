#!/usr/bin/env bash
# Regenerates the XML Debian's virt-install 4.1 writes for common invocations, asking a running virtd (TCG here) for
# its capabilities: virt-install --print-xml against qemu+unix:///session?socket=$1. Paths under @DIR@ are replaced
# by the tests with files they make. Each file here must define, dump back with nothing lost, and start.
set -euo pipefail
sock=${1:?usage: generate.sh VIRTD_SOCKET}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
truncate -s 1M "$work/install.iso"
qemu-img create -q -f qcow2 "$work/disk.qcow2" 1G
mkdir "$work/share"
gen() {
  local name=$1; shift
  HOME=$work virt-install --connect "qemu+unix:///session?socket=$sock" --print-xml --name "$name" --memory 256 "$@" \
    | awk '/<domain/{buf=""} {buf=buf $0 "\n"} /<\/domain>/{last=buf} END{printf "%s", last}' \
    | sed "s|$work/|@DIR@/|g" > "$here/$name.xml"
}
gen headless --osinfo debian11 --import --disk "$work/disk.qcow2" --graphics none --console pty
gen debian-iso --osinfo debian11 --cdrom "$work/install.iso" --disk "$work/disk.qcow2"
gen ubuntu --osinfo ubuntu22.04 --cdrom "$work/install.iso" --disk "$work/disk.qcow2"
gen uefi --osinfo debian11 --import --disk "$work/disk.qcow2" --boot uefi
gen q35-virtio --osinfo generic --import --disk "$work/disk.qcow2,bus=virtio" --machine q35 --network user,model=virtio
gen pc --osinfo generic --import --disk "$work/disk.qcow2" --machine pc --network user
gen vnc --osinfo generic --import --disk "$work/disk.qcow2" --network user --graphics vnc
gen spice --osinfo generic --import --disk "$work/disk.qcow2" --graphics spice
gen serial --osinfo generic --import --disk "$work/disk.qcow2" --graphics none --serial pty --channel unix,target.type=virtio,name=org.qemu.guest_agent.0
gen sound --osinfo generic --import --disk "$work/disk.qcow2" --sound ich9
gen windows --osinfo win10 --cdrom "$work/install.iso" --disk "$work/disk.qcow2,bus=sata" --video qxl
gen rng --osinfo generic --import --disk "$work/disk.qcow2" --rng /dev/urandom --watchdog i6300esb
gen cpu --osinfo generic --import --disk "$work/disk.qcow2" --vcpus 4,sockets=1,cores=2,threads=2
gen bridge --osinfo generic --import --disk "$work/disk.qcow2" --network bridge=virbr0,model=virtio
gen network --osinfo debian11 --import --disk "$work/disk.qcow2" --network network=default
gen tpm --osinfo win11 --cdrom "$work/install.iso" --disk "$work/disk.qcow2,bus=sata" --boot uefi
gen share --osinfo generic --import --disk "$work/disk.qcow2" --filesystem "$work/share,share"
