#!/usr/bin/env bash
# Publishes virtd compiled ahead of time (ReadyToRun, framework-dependent) to src/Host/bin/CONFIG/ready/virtd: its
# start-up does not wait for the JIT, which roughly halves the time to the first answered call (bench daemon-start).
set -euo pipefail
cd "$(dirname "$0")/.."
config="${VIRT_CONFIGURATION:-Release}"
out="src/Host/bin/$config/ready"
staging="src/Host/obj/$config/ready-publish"
dotnet publish src/Host/Virt.Host.csproj -c "$config" -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$staging" -nologo -v quiet -clp:ErrorsOnly >&2
rm -rf "$out.new"
cp -a "$staging" "$out.new"
rm -rf "$out"
mv "$out.new" "$out"
