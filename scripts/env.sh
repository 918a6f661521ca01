# Source this to use the project's tools: .venv's Python and node_modules' Node 22 + cdk.
# shellcheck shell=bash
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_root/node_modules/.bin:$_root/.venv/bin:$PATH"
export JSII_NODE="$_root/node_modules/.bin/node"
# Synth and tests never touch AWS; CDK's CLI must not try to either: no version check, and
# no telemetry (on by default, each command posts to cdk-cli-telemetry.us-east-1.api.aws).
export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=1
unset _root
