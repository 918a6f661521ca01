"""scripts/env.sh: the project's tools on PATH, and a CDK CLI that contacts nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_the_cdk_cli_sends_no_telemetry(tmp_path: Path) -> None:
    # The README: synth needs no credentials and makes no AWS calls. The CLI's telemetry,
    # on by default, looked up and posted to cdk-cli-telemetry.us-east-1.api.aws on every
    # `cdk synth` of ./scripts/main.sh and CI (strace showed the lookup).
    if not (REPO / "node_modules" / ".bin" / "cdk").exists():
        pytest.skip("no CDK CLI: run ./scripts/bootstrap.sh")
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith("CDK_DISABLE_")
    }
    environ["HOME"] = str(tmp_path)  # no ~/.cdk.json of the machine's user
    status = subprocess.run(
        ["bash", "-c", "source scripts/env.sh && cdk cli-telemetry --status"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "CLI Telemetry is disabled" in status.stdout + status.stderr, status
