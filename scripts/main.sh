#!/usr/bin/env bash
# Set up (idempotent), then run the main job: compile and validate the example pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
source scripts/env.sh
mkdir -p build
python -m examples.seed_pipeline > build/seed-pipeline.json
smpipe validate build/seed-pipeline.json
