#!/usr/bin/env bash
# Row (c) of bench/serving: a local cluster (`s3ml up --servers 2`, HAProxy in front) serving the
# benchmark's two models, measured through HAProxy by `serving_bench --target`, which also prints
# the CPU per request of the servers, HAProxy and itself (all on this machine's cores). The cluster
# lives in a temporary state directory and is stopped at the end.
#   scripts/bench_cluster.sh [BUILD_DIR] [serving_bench flags, e.g. --seconds 3 --binary-only --clients 16]
set -euo pipefail
build=${1:-build}
shift || true
testdata=$(sed -n 's/^S3ML_TESTDATA_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
coral="$testdata/models/coral"
work=$(mktemp -d)
trap '"$build/bin/s3ml" down --state-dir "$work/state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The served names are the ones serving_bench asks for.
mkdir "$work/models"
ln -s "$coral/mobilenet_v2_1.0_224_quant.tflite" "$work/models/mobilenet_v2.tflite"
ln -s "$coral/mobilenet_v1_0.25_128_quant.tflite" "$work/models/mobilenet_v1_025.tflite"
ln -s "$coral/imagenet_labels.txt" "$work/models/labels.txt"
"$build/bin/s3ml" up --servers 2 --models "$work/models" --state-dir "$work/state" --base-port 0 >/dev/null

port=$(sed -n 's/^ *"service_port": *\([0-9]*\).*/\1/p' "$work/state/cluster.json")
pids=()
for f in "$work/state"/run/server-*.pid; do
  read -r pid _ <"$f"
  pids+=(--server-pid "$pid")
done
read -r haproxy _ <"$work/state/run/haproxy.pid"
"$build/bench/serving_bench" --target "https://localhost:$port" --cacert "$work/state/root-ca.pem" \
  "${pids[@]}" --balancer-pid "$haproxy" "$@"
