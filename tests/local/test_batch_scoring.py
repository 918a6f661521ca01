"""The batch scoring example runs locally on a version of the local registry.

The example project's training run (once per session) registers a version; approved, the
scoring pipeline creates a model of it by its ARN (``ModelPackageName``) and scores new
rows with the registered serving code, as SageMaker would with the version's containers.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.local import (
    ExecutionResult,
    LoadedPipeline,
    LocalConfig,
    LocalRunner,
    ResourceMap,
)
from example_project.batch_scoring import SCORING_KEY, build_batch_scoring_pipeline
from example_project.local import BINDER, DATA_BUCKET, MODEL_PACKAGE_GROUP
from example_project.pipeline import DATASET

FUNCTION_ARN = "arn:aws:lambda:us-east-1:111122223333:function:latest-approved"


def _scoring_pipeline(data: Path) -> LoadedPipeline:
    definition = build_batch_scoring_pipeline(
        data_bucket=DATA_BUCKET,
        model_package_group_name=MODEL_PACKAGE_GROUP,
        resolve_function_arn=FUNCTION_ARN,
    ).to_definition(BINDER)
    resources = ResourceMap(
        s3={f"s3://{DATA_BUCKET}/{SCORING_KEY.strip('/')}": data}, pipeline_name="scoring"
    )
    return LoadedPipeline(definition, resources, "scoring")


def _runner(example_runs: Any, tmp_path: Path, package_arn: str) -> LocalRunner:
    """A runner of its own, with a copy of the session's registry (approved here)."""
    source, _, _ = example_runs
    root = tmp_path / ".smpipe"
    shutil.copytree(Path(source.config.root) / "registry", root / "registry")
    return LocalRunner(
        LocalConfig(
            root=root,
            # The function calls SageMaker's ListModelPackages: locally, its output is given.
            callback_outputs={"ResolveModel": {"ModelPackageArn": package_arn}},
        )
    )


@pytest.fixture
def rows(tmp_path: Path) -> Path:
    """Three rows of features (the dataset without its target column)."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    lines = DATASET.read_text().splitlines()[1:4]
    (folder / "batch.csv").write_text("".join(line.split(",", 1)[1] + "\n" for line in lines))
    return folder


def test_scores_new_data_with_an_approved_registered_version(
    example_runs: Any, tmp_path: Path, rows: Path
) -> None:
    source, registered, _ = example_runs
    assert registered.status == "Succeeded", registered.failure_reason
    package = source.registry.latest(MODEL_PACKAGE_GROUP)
    assert package is not None
    runner = _runner(example_runs, tmp_path, package.arn)
    runner.registry.approve(MODEL_PACKAGE_GROUP, package.version)

    result: ExecutionResult = runner.run(_scoring_pipeline(rows))

    assert result.status == "Succeeded", result.failure_reason
    model = result.properties("ApprovedModel")
    assert model["PrimaryContainer"] == {"ModelPackageName": package.arn}
    (predictions,) = result.output("BatchScore").glob("*.out")
    assert predictions.name == "batch.csv.out"
    labels = predictions.read_text().split()
    assert len(labels) == 3
    assert set(labels) <= {"0", "1"}


def test_fails_a_version_the_registry_does_not_have(
    example_runs: Any, tmp_path: Path, rows: Path
) -> None:
    missing = f"arn:aws:sagemaker:local:000000000000:model-package/{MODEL_PACKAGE_GROUP}/99"
    runner = _runner(example_runs, tmp_path, missing)

    result = runner.run(_scoring_pipeline(rows))

    assert result.status == "Failed"
    reason = result.step("ApprovedModel").failure_reason or ""
    assert f"PrimaryContainer.ModelPackageName {missing}" in reason
    assert f"model package group '{MODEL_PACKAGE_GROUP}' has no version 99" in reason


class _SageMaker:
    """ListModelPackages and DescribeModelPackage of a group's versions, newest last."""

    def __init__(self, versions: list[tuple[str, str]]) -> None:
        self.versions = versions  # (ARN, approval status)
        self.calls: list[dict[str, Any]] = []

    def list_model_packages(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        matching = [
            arn for arn, status in self.versions if status == request["ModelApprovalStatus"]
        ]
        return {"ModelPackageSummaryList": [{"ModelPackageArn": arn} for arn in matching[::-1]][:1]}

    def describe_model_package(self, ModelPackageName: str) -> dict[str, Any]:  # noqa: N803
        status = dict(self.versions)[ModelPackageName]
        return {"ModelPackageGroupName": "churn", "ModelApprovalStatus": status}


ARNS = [f"arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/{n}" for n in (1, 2, 3)]


def test_the_function_returns_the_latest_approved_version() -> None:
    from example_project.lambdas.latest_approved import handler

    client = _SageMaker([(ARNS[0], "Approved"), (ARNS[1], "Approved"), (ARNS[2], "Rejected")])
    event = {"ModelPackageGroupName": "churn", "ModelPackageArn": ""}

    assert handler(event, None, client) == {"ModelPackageArn": ARNS[1]}
    assert client.calls == [
        {
            "ModelPackageGroupName": "churn",
            "ModelApprovalStatus": "Approved",
            "ModelPackageType": "Versioned",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 1,
        }
    ]
    # The approval event's version is used as given, once checked.
    given = {"ModelPackageGroupName": "churn", "ModelPackageArn": ARNS[0]}
    assert handler(given, None, client) == {"ModelPackageArn": ARNS[0]}


def test_fails_the_function_without_an_approved_version() -> None:
    from example_project.lambdas.latest_approved import handler

    client = _SageMaker([(ARNS[2], "Rejected")])
    with pytest.raises(ValueError, match="model package group churn has no approved version"):
        handler({"ModelPackageGroupName": "churn", "ModelPackageArn": ""}, None, client)
    with pytest.raises(ValueError, match=f"{ARNS[2]} is Rejected, not Approved"):
        handler({"ModelPackageGroupName": "churn", "ModelPackageArn": ARNS[2]}, None, client)
