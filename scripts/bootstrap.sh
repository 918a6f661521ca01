#!/usr/bin/env bash
# Set up the project on a fresh machine, idempotently: a .venv with the pinned Python
# packages and this library (editable), and node_modules with the pinned CDK CLI and
# Node 22 (the machine's Node may be end-of-life; jsii and the CLI use ours).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bootstrap: Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r requirements-dev.txt -c constraints.txt -e . 2> >(grep -v '^WARNING: Location' >&2)
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "bootstrap: npm (Node.js) is required for the CDK CLI" >&2
  exit 1
fi
lock_stamp="node_modules/.installed-$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  echo "bootstrap: installing the CDK CLI and Node 22 into node_modules" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi
