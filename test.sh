#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, tests with the real QEMU.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet test Virt.sln -c "${VIRT_CONFIGURATION:-Release}" --no-build -nologo \
  --logger "console;verbosity=normal" -- RunConfiguration.TestSessionTimeout=900000
