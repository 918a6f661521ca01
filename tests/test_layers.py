"""The definition language and the local runner never import aws_cdk (a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "module",
    [
        "cdk_sagemaker_pipelines.definition",
        "cdk_sagemaker_pipelines.cli",
        "cdk_sagemaker_pipelines.local",
    ],
)
def test_module_does_not_import_aws_cdk(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "roots = ('aws_cdk', 'jsii', 'constructs')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(heavy)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_constructs_folder_does_not_shadow_the_constructs_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import constructs; print(constructs.__file__)"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert "site-packages" in result.stdout
