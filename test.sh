#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, tests with the real QEMU.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Virt.sln -c "${VIRT_CONFIGURATION:-Release}" --no-build -nologo \
  --logger "console;verbosity=normal" -- RunConfiguration.TestSessionTimeout=900000 2>&1 | tee "$log" || status=$?
# One closing line over all test projects, in the form CI reads.
awk '/^ +Passed: [0-9]+$/ { p += $2 } /^ +Failed: [0-9]+$/ { f += $2 } /^ +Skipped: [0-9]+$/ { s += $2 }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
