"""Helpers for the local runner's tests: small scripts in tmp dirs, compiled definitions."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    Parameter,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    StaticBinder,
    Step,
)
from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner, ResourceMap
from tests.conftest import ROLE

CODE_PREFIX = "s3://code-bucket/scripts"
BUCKET = "art-bucket"
BINDER = StaticBinder(
    region="us-east-1", role_arn=ROLE, default_bucket=BUCKET, code_prefix=CODE_PREFIX
)
SKLEARN = Image.sklearn("1.2-1")


@dataclass
class Workspace:
    """A tmp project: ``scripts/`` (mapped to the code prefix), ``data/`` and a runner root."""

    root: Path
    scripts: Path
    data: Path

    def script(self, name: str, body: str) -> Path:
        path = self.scripts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip())
        return path

    def file(self, relative: str, text: str) -> Path:
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def resources(self, **s3: str | Path) -> ResourceMap:
        mapping: dict[str, str | Path] = {CODE_PREFIX: self.scripts, "s3://data-bucket": self.data}
        mapping.update(s3)
        return ResourceMap(s3=mapping)

    def config(self, **options: Any) -> LocalConfig:
        base = LocalConfig(
            root=self.root / ".smpipe",
            resources=self.resources(),
            retry_interval_scale=0.0,
            max_parallel=2,
        )
        return replace(base, **options)

    def runner(self, **options: Any) -> LocalRunner:
        return LocalRunner(self.config(**options))


def workspace(root: Path) -> Workspace:
    """A ``Workspace`` in ``root``: for a module-scoped fixture's runs, which tests share."""
    scripts, data = root / "scripts", root / "data"
    scripts.mkdir()
    data.mkdir()
    return Workspace(root, scripts, data)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return workspace(tmp_path)


def compile_steps(
    steps: Sequence[Step], parameters: Sequence[Parameter] = (), binder: Any = BINDER
) -> dict[str, Any]:
    """Compile steps with the definition language (validated, as they would deploy)."""
    return PipelineDefinition(steps=list(steps), parameters=list(parameters)).to_definition(binder)


def processing(
    name: str,
    script: Path,
    *,
    outputs: Sequence[str] = (),
    **options: Any,
) -> ProcessingStep:
    """A Processing step running ``script`` with outputs at ``/opt/ml/processing/<name>``."""
    return ProcessingStep(
        name=name,
        image=SKLEARN,
        code=Code.from_asset(script),
        outputs=[
            ProcessingOutput(output_name=output, source=f"/opt/ml/processing/{output}")
            for output in outputs
        ],
        **options,
    )


WRITE_OUTPUT = """
import os, sys
name = sys.argv[1] if len(sys.argv) > 1 else "out"
os.makedirs(f"/opt/ml/processing/{name}", exist_ok=True)
with open(f"/opt/ml/processing/{name}/data.txt", "w") as handle:
    handle.write(os.environ.get("CONTENT", "hello"))
print("wrote", name)
"""
