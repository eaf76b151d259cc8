#!/usr/bin/env bash
# Publishes the native `virt` (Native AOT) to src/Cli/bin/CONFIG/native/virt. Its companion, the JIT build that
# `virt run` and embedded URIs are handed to, is src/Cli/bin/CONFIG/net10.0/virt (dotnet build). Needs clang (setup.sh).
# Any trim or AOT warning fails the publish: the native binary must not carry code it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${VIRT_CONFIGURATION:-Release}"
out="src/Cli/bin/$config/native"
staging="src/Cli/obj/$config/native-publish"
dotnet publish src/Cli/Virt.Cli.csproj -c "$config" -r linux-x64 -o "$staging" -nologo -v quiet -clp:ErrorsOnly -warnaserror >&2
mkdir -p "$out"
# Only the program: the publish also copies the referenced virtd's files, which belong to the JIT build.
cp "$staging/virt" "$out/virt.new"
mv -f "$out/virt.new" "$out/virt"
