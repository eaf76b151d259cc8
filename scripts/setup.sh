#!/usr/bin/env bash
# Installs what Virt needs and is missing (QEMU, clang and libvirt's clients from Debian, NuGet packages), then builds,
# and publishes the native `virt`. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_apt+=(qemu-system-x86)
command -v qemu-img >/dev/null 2>&1 || need_apt+=(qemu-utils)
# Native AOT links with clang (it brings binutils and libc6-dev); zlib comes inside the .NET 10 AOT runtime pack.
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
# The real libvirt clients the tests drive virtd with (never libvirt's daemon): virsh, python3-libvirt (Debian's
# /usr/bin/python3 only), virt-install.
command -v virsh >/dev/null 2>&1 || need_apt+=(libvirt-clients)
/usr/bin/python3 -c 'import libvirt' >/dev/null 2>&1 || need_apt+=(python3-libvirt)
command -v virt-install >/dev/null 2>&1 || need_apt+=(virtinst)
# swtpm, for <tpm> with an emulator backend.
command -v swtpm >/dev/null 2>&1 || need_apt+=(swtpm)
# ip, for the tests' bridges inside network namespaces of their own.
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
# virt-manager under a virtual X server, clicked by xdotool, for the GUI tests (tests/Gui); without recommends, which
# would pull libvirt's daemon.
command -v virt-manager >/dev/null 2>&1 || need_apt+=(virt-manager)
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need_apt+=(xdotool)
# cockpit-machines in headless Chromium, for the GUI tests: cockpit's web server, bridge and shell, a session bus
# (dbus-run-session) and the libraries libvirt-dbus runs on. None starts a service without systemd.
[ -x /usr/lib/cockpit/cockpit-ws ] || need_apt+=(cockpit-ws)
command -v cockpit-bridge >/dev/null 2>&1 || need_apt+=(cockpit-bridge)
[ -d /usr/share/cockpit/shell ] || need_apt+=(cockpit-system)
command -v dbus-run-session >/dev/null 2>&1 || need_apt+=(dbus)
[ -x /usr/lib/chromium/chromium-headless-shell ] || need_apt+=(chromium-headless-shell)
dpkg -s libvirt-glib-1.0-0 >/dev/null 2>&1 || need_apt+=(libvirt-glib-1.0-0)
# UEFI firmware with its QEMU descriptors, for <os firmware='efi'>.
[ -e /usr/share/qemu/firmware/60-edk2-x86_64.json ] || need_apt+=(ovmf)
if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]} from Debian's packages" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# cockpit-machines and libvirt-dbus are unpacked, never installed: their packages depend on libvirt's daemon.
# cockpit-machines is static pages; libvirt-dbus is one binary on libvirt0 and libvirt-glib (tests/Gui/Support/Cockpit.cs).
cockpit_root=/var/cache/virt-test/cockpit
if [ ! -x "$cockpit_root/usr/sbin/libvirt-dbus" ] || [ ! -d "$cockpit_root/usr/share/cockpit/machines" ]; then
  echo "setup: unpacking cockpit-machines and libvirt-dbus into $cockpit_root" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" mkdir -p "$cockpit_root/debs"
  (cd "$cockpit_root/debs" && "${sudo_cmd[@]}" apt-get download -qq cockpit-machines libvirt-dbus)
  for deb in "$cockpit_root"/debs/*.deb; do "${sudo_cmd[@]}" dpkg -x "$deb" "$cockpit_root"; done
fi

dotnet build Virt.sln -c "${VIRT_CONFIGURATION:-Release}" -nologo -v quiet -clp:ErrorsOnly >&2
scripts/publish-virt.sh
scripts/publish-virtd.sh
