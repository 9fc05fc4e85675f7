#!/usr/bin/env bash
# The main job (`make demo`). For now: classify the bundled images with `s3ml infer` on MobileNet v2.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
data=${S3ML_TESTDATA_DIR:-$root/../shared/testdata}/models/coral
for image in bird.rgb cat.bmp; do
  echo "== $image"
  "$root/$build/bin/s3ml" infer --model "$data/mobilenet_v2_1.0_224_quant.tflite" --input "$data/$image" \
    --labels "$data/imagenet_labels.txt" --top 3
done
