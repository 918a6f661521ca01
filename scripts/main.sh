#!/usr/bin/env bash
# Set up (idempotent), then run the main job: compile and validate the example pipeline,
# then run it locally.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
source scripts/env.sh
mkdir -p build
python -m examples.seed_pipeline > build/seed-pipeline.json
smpipe validate build/seed-pipeline.json

# The example ML project end to end on this machine (local runner, no Docker, no AWS):
# preprocess → train a real model → evaluate → register it in the local registry (.smpipe).
python -m example_project.local build
smpipe run build/example-pipeline.json --resources build/example-pipeline.resources.json
# With the threshold above what the model reaches, the else branch fails the execution.
if smpipe run build/example-pipeline.json --resources build/example-pipeline.resources.json \
    --param AccuracyThreshold=0.999; then
  echo "main: expected the execution to fail (AccuracyThreshold above the model's accuracy)" >&2
  exit 1
fi
smpipe registry list
