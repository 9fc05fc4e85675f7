#!/usr/bin/env bash
# Runs every benchmark binary of a build (`make bench`).
set -euo pipefail
build=${1:-build}
for b in "$build"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b" "${@:2}"
done
