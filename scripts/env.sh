# Source this to use the project's tools: .venv's Python and node_modules' Node 22 + cdk.
# shellcheck shell=bash
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_root/node_modules/.bin:$_root/.venv/bin:$PATH"
export JSII_NODE="$_root/node_modules/.bin/node"
# Synth and tests never touch AWS; CDK's CLI must not try to either.
export CDK_DISABLE_VERSION_CHECK=1
unset _root
