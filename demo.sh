#!/usr/bin/env bash
# The main job: build, then show Virt running the tiny test guest end to end through virtd and virt:
# define, start, its serial line, the lifecycle events, a graceful ACPI shutdown, the final state.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh

work="$(mktemp -d /tmp/virt-demo.XXXXXX)"
daemon_pid=""
events_pid=""
cleanup() {
  [ -n "$events_pid" ] && kill "$events_pid" 2>/dev/null || true
  if [ -n "$daemon_pid" ]; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Writing the test guest (a 512-byte boot sector in a 1 MiB raw image)"
./virt test-guest-image "$work/guest.img"
cat > "$work/demo.xml" <<XML
<domain type='qemu'>
  <name>demo</name>
  <memory unit='MiB'>16</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$work/guest.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='file'><source path='$work/serial.log'/></serial>
  </devices>
</domain>
XML

step "Starting virtd on a private tree ($work/root)"
./virtd --root "$work/root" > "$work/virtd.log" 2>&1 &
daemon_pid=$!
socket="$work/root/run/virt-sock"
for _ in $(seq 1 300); do [ -S "$socket" ] && grep -q "ready on" "$work/virtd.log" && break; sleep 0.1; done
export VIRT_DEFAULT_URI="qemu:///session?socket=$socket"
echo "virtd pid $daemon_pid, URI $VIRT_DEFAULT_URI"

./virt event --all --loop --timestamp > "$work/events.log" 2>&1 &
events_pid=$!
sleep 1

step "virt define / start"
./virt define "$work/demo.xml"
time ./virt start demo

step "The guest's serial line"
for _ in $(seq 1 300); do grep -q READY "$work/serial.log" 2>/dev/null && break; sleep 0.05; done
cat "$work/serial.log"; echo

step "virt list / dominfo"
./virt list --all
./virt dominfo demo

step "virt shutdown (ACPI power button; the guest powers off)"
./virt shutdown demo
for _ in $(seq 1 300); do [ "$(./virt domstate demo)" = "shut off" ] && break; sleep 0.1; done

step "Final state"
./virt domstate demo --reason

step "Lifecycle events seen by 'virt event --loop'"
sleep 0.5
cat "$work/events.log"
