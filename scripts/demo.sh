#!/usr/bin/env bash
# The main job (`make demo`): start a local secure serving cluster on the simulated SGX platform
# (`s3ml up`: ECS + 2 model servers + HAProxy), attest the ECS like a client would, then classify
# the bundled images through HAProxy with TLS that ends inside the enclaves.
# The cluster is LEFT RUNNING so you can keep using it (curl, s3ml predict); stop it with
# `s3ml down` (build/bin/s3ml down). Re-running the demo reuses a running cluster.
# Environment: S3ML_DEMO_BASE_PORT (default 8443: service 8443, ECS 8444, servers from 8445),
# S3ML_DEMO_STATE_DIR (default: s3ml's default state directory).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) bin="$build/bin" ;; *) bin="$root/$build/bin" ;; esac
data=${S3ML_TESTDATA_DIR:-$root/../shared/testdata}/models/coral
state=${S3ML_DEMO_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/s3ml/cluster}
s3ml() { "$bin/s3ml" "$@"; }

# A member of cluster.json (written by `s3ml up`; one "key": value per line).
record() { sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$state/cluster.json" | head -n 1; }

echo "== 1. start the cluster (s3ml up)"
if s3ml status --state-dir "$state" >/dev/null 2>&1; then
  echo "a cluster is already running in $state; reusing it"
else
  s3ml down --state-dir "$state" >/dev/null 2>&1 || true  # leftovers of a crashed run
  s3ml up --state-dir "$state" --servers 2 --base-port "${S3ML_DEMO_BASE_PORT:-8443}"
fi
service_port=$(record service_port)
ecs_port=$(record ecs_port)
mrsigner=$(record ecs_mrsigner)
service="https://localhost:$service_port"
ecs="https://127.0.0.1:$ecs_port"

echo
echo "== 2. attest the ECS (quote, collateral, expected signer, binding) and pin its root CA"
pinned="$state/demo-root.pem"
s3ml attest --ecs "$ecs" --expect-mrsigner "$mrsigner" --expect-isvprodid 2 \
  --collateral "$state/sim/collateral" --allow-sim --sim-root "$state/sim/certs/root_ca.pem" --out "$pinned"

echo
echo "== 3. classify through HAProxy ($service), trusting only the attested root"
echo "   (the enclaves rank the classes and name them from the model's sealed labels file)"
for image in cat.bmp bird.rgb; do
  echo "-- $image"
  s3ml predict --service "$service" --cacert "$pinned" --model mobilenet_v2 --image "$data/$image" --top 3
done

echo
echo "== 4. the same service with plain curl"
echo "curl --cacert $pinned $service/v2/models/mobilenet_v2"
curl -sS --cacert "$pinned" "$service/v2/models/mobilenet_v2"
echo
echo
s3ml status --state-dir "$state" || true
echo
echo "The cluster is still running. Stop it with: $bin/s3ml down --state-dir $state"
