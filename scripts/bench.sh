#!/usr/bin/env bash
# Runs every benchmark binary of a build (`make bench`), then the serving benchmark through
# HAProxy in front of a local cluster (scripts/bench_cluster.sh).
set -euo pipefail
build=${1:-build}
for b in "$build"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b" "${@:2}"
done
echo "== $build/bench/serving_bench through a local cluster (scripts/bench_cluster.sh)"
"$(dirname "$0")/bench_cluster.sh" "$build"
