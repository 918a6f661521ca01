"""A local Model step's container given as a registered version (``ModelPackageName``).

``_from_package`` reads the version from the local registry: the model runs the version's
image and model data, with the version's environment and the model's own on top.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from cdk_sagemaker_pipelines.local._errors import LocalRunError, StepError
from cdk_sagemaker_pipelines.local.executors._base import StepContext
from cdk_sagemaker_pipelines.local.executors.model import _from_package
from cdk_sagemaker_pipelines.local.registry import ModelPackage

ARN = "arn:aws:sagemaker:local:000000000000:model-package/churn/3"
WHERE = "PrimaryContainer"


class _Registry:
    """The local registry's ``get``: one version, churn/3, of the given containers."""

    def __init__(self, directory: Path, containers: list[dict[str, Any]]) -> None:
        self.package = ModelPackage(
            group="churn",
            version=3,
            directory=directory,
            description={
                "ModelPackageArn": ARN,
                "InferenceSpecification": {"Containers": containers},
            },
        )
        self.asked: list[tuple[str, int]] = []

    def get(self, group: str, version: int) -> ModelPackage:
        self.asked.append((group, version))
        if (group, version) != ("churn", 3):
            raise LocalRunError(f"model package group '{group}' has no version {version}")
        return self.package


def _context(registry: _Registry) -> StepContext:
    return cast(StepContext, SimpleNamespace(registry=registry))


def test_the_model_runs_the_version_s_container_with_its_own_environment_on_top(
    tmp_path: Path,
) -> None:
    registry = _Registry(
        tmp_path,
        [
            {
                "Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/serve:1",
                "ModelDataUrl": "s3://models/churn/3/model.tar.gz",
                "Environment": {"LOG_LEVEL": "info", "THRESHOLD": "0.5"},
            }
        ],
    )
    container = {"ModelPackageName": ARN, "Environment": {"LOG_LEVEL": "debug"}}

    local, served = _from_package(container, WHERE, _context(registry))

    assert registry.asked == [("churn", 3)]
    assert served == {
        "ModelPackageName": ARN,
        "Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/serve:1",
        # The model's own environment is added over the version's.
        "Environment": {"LOG_LEVEL": "debug", "THRESHOLD": "0.5"},
        "ModelDataUrl": "s3://models/churn/3/model.tar.gz",
    }
    assert local is not None
    assert local.environment == {"LOG_LEVEL": "debug", "THRESHOLD": "0.5"}


def test_a_container_of_its_own_is_not_a_version(tmp_path: Path) -> None:
    registry = _Registry(tmp_path, [])
    assert _from_package({"Image": "img"}, WHERE, _context(registry)) == (None, None)
    assert registry.asked == []


@pytest.mark.parametrize("count", [0, 2])
def test_fails_a_version_of_other_than_one_container(tmp_path: Path, count: int) -> None:
    registry = _Registry(tmp_path, [{"Image": f"img{index}"} for index in range(count)])
    with pytest.raises(StepError) as raised:
        _from_package({"ModelPackageName": ARN}, WHERE, _context(registry))
    assert str(raised.value) == (
        f"{WHERE}.ModelPackageName {ARN}: the version has {count} containers; the local "
        "runner creates models of versions of one container"
    )


@pytest.mark.parametrize(
    "name",
    [
        "churn/3",  # a name: the local registry is found by ARN
        "arn:aws:sagemaker:local:000000000000:model-package/churn",  # unversioned
        f"{ARN}/extra",
        f"x{ARN}",
    ],
)
def test_fails_a_name_that_is_no_version_arn(tmp_path: Path, name: str) -> None:
    registry = _Registry(tmp_path, [{"Image": "img"}])
    with pytest.raises(StepError) as raised:
        _from_package({"ModelPackageName": name}, WHERE, _context(registry))
    assert str(raised.value).startswith(
        f"{WHERE}.ModelPackageName {name!r} is not a model version's ARN "
        "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>)"
    )
    assert registry.asked == []
