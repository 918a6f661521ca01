"""Fixtures of the per-step tests: a binder with every default, a render context, local code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import StaticBinder
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
OTHER_ROLE = "arn:aws:iam::111122223333:role/OtherRole"
VOLUME_KEY = "arn:aws:kms:us-east-1:111122223333:key/volume"
OUTPUT_KEY = "arn:aws:kms:us-east-1:111122223333:key/output"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def replace_members(request: dict[str, Any], **members: object) -> None:
    """Set ``request``'s ``members`` in place; a member given ``None`` is removed."""
    for member, value in members.items():
        if value is None:
            request.pop(member, None)
        else:
            request[member] = value


def default_output(step: str, output: str, bucket: str = "s3://my-bucket") -> dict[str, object]:
    """The per-execution location a binder gives an output without destination."""
    return {
        "Std:Join": {
            "On": "/",
            "Values": [
                bucket,
                {"Get": "Execution.PipelineName"},
                step,
                {"Get": "Execution.PipelineExecutionId"},
                output,
            ],
        }
    }


@pytest.fixture
def binder() -> StaticBinder:
    return StaticBinder(
        region="us-east-1", role_arn=ROLE, default_bucket="my-bucket", code_prefix="s3://b/code"
    )


@pytest.fixture
def ctx(binder: StaticBinder) -> RenderContext:
    return RenderContext(binder)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    """A local script, as for ``Code.from_asset("ml/prep.py")``."""
    path = tmp_path / "prep.py"
    path.write_text("print('prep')\n")
    return path


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    """A local source directory holding the entry point and a helper module."""
    path = tmp_path / "src"
    path.mkdir()
    (path / "run.py").write_text("import helper\n")
    (path / "helper.py").write_text("")
    return path
