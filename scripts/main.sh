#!/usr/bin/env bash
# Set up (idempotent), then run the main job:
#  1. synthesize every environment of the reference app (cdk.out; no AWS credentials),
#     with cdk-nag and the definition checks enforced, recording the checkout's commit;
#  2. run the dev environment's pipeline *as synthesized* on this machine with the local
#     runner (no Docker, no AWS): preprocess, train a real model, evaluate, register it;
#  3. run it again with the accuracy threshold above what the model reaches: the else
#     branch runs and the execution ends Failed with the Fail step's message.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
source scripts/env.sh

# The commit each registered version records (its MetadataProperties.CommitId), given
# explicitly: the app never asks git itself, so a synth without it is the same anywhere.
# A tree with uncommitted changes isn't the commit: its versions then record none.
source_commit=()
if commit=$(git rev-parse HEAD 2>/dev/null); then
  if [ -z "$(git status --porcelain 2>/dev/null)" ]; then
    source_commit=(-c "source_commit=$commit")
  else
    echo "main: uncommitted changes, so the registered versions record no commit" >&2
  fi
fi
echo "== cdk synth (all environments)" >&2
cdk synth --quiet "${source_commit[@]}"

pipeline=(--assembly cdk.out --pipeline dev/MlOps/Training
          --s3-map "s3://dev-mlops-artifacts-data/curated=example_project/data")
echo "== local run of dev/MlOps/Training (the synthesized definition)" >&2
smpipe run "${pipeline[@]}"

echo "== local run with AccuracyThreshold=0.999 (expected to fail in the else branch)" >&2
if smpipe run "${pipeline[@]}" --param AccuracyThreshold=0.999; then
  echo "main: expected the execution to fail (AccuracyThreshold above the model's accuracy)" >&2
  exit 1
fi
# Its COMMIT column: the commit the synth recorded (smpipe registry show GROUP VERSION
# prints the rest: the execution, the InputDataKey it read).
smpipe registry list
