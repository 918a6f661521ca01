#!/usr/bin/env bash
# Set up (idempotent), then run the main job:
#  1. synthesize every environment of the reference app (cdk.out; no AWS credentials),
#     with cdk-nag and the definition checks enforced;
#  2. run the dev environment's pipeline *as synthesized* on this machine with the local
#     runner (no Docker, no AWS): preprocess, train a real model, evaluate, register it;
#  3. run it again with the accuracy threshold above what the model reaches: the else
#     branch runs and the execution ends Failed with the Fail step's message.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
source scripts/env.sh

echo "== cdk synth (all environments)" >&2
cdk synth --quiet

pipeline=(--assembly cdk.out --pipeline dev/MlOps/Training
          --s3-map "s3://dev-mlops-artifacts-data/curated=example_project/data")
echo "== local run of dev/MlOps/Training (the synthesized definition)" >&2
smpipe run "${pipeline[@]}"

echo "== local run with AccuracyThreshold=0.999 (expected to fail in the else branch)" >&2
if smpipe run "${pipeline[@]}" --param AccuracyThreshold=0.999; then
  echo "main: expected the execution to fail (AccuracyThreshold above the model's accuracy)" >&2
  exit 1
fi
smpipe registry list
