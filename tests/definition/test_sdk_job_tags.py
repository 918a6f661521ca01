"""The job steps' ``tags=`` is written as SageMaker SDK 2.257.7 writes its jobs' tags.

``sdk_job_tags/sdk-job-tags.json`` is what the SDK writes for the ``tags`` of a processor,
an estimator (a value a pipeline parameter), a tuner, a transformer, a model, an AutoML job
and a check job config (its README and generator say how it was made). The language builds
the same steps with ``tags={…}`` and writes the same ``Tags``, where the SDK writes them in
each request; ``smpipe convert`` reads them back into ``tags=``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    ClarifyCheckStep,
    ContinuousParameter,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    ProcessingStep,
    QualityCheckStep,
    StaticBinder,
    TrainingInput,
    TrainingStep,
    TransformStep,
    TuningStep,
    validate_definition,
)
from tests.definition.test_sdk_reference import differences

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent / "sdk_job_tags" / "sdk-job-tags.json").read_text(encoding="utf-8")
)
ROLE, BUCKET = "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/job:1"
TEAM = ParameterString(name="Team", default_value="churn")
TAGS = {"cost-centre": "CC-1234", "team": "churn"}
TRAIN = {"train": TrainingInput(s3_data=f"s3://{BUCKET}/train/", content_type="text/csv")}
JOB: dict[str, Any] = {
    "image": IMAGE,
    "role": ROLE,
    "instance_type": "ml.m5.xlarge",
    "output_path": f"s3://{BUCKET}/models",
    "inputs": TRAIN,
}


def ours(tagged: bool = True) -> dict[str, Any]:
    """The generator's pipeline in the language; ``tagged=False``: the same without tags."""

    def tags(values: dict[str, Any]) -> dict[str, Any] | None:
        return values if tagged else None

    steps = [
        ProcessingStep(
            name="Prep",
            image=IMAGE,
            role=ROLE,
            entrypoint=["python3", "/opt/ml/code/prep.py"],
            tags=tags(TAGS),
        ),
        TrainingStep(name="Train", **JOB, tags=tags({"cost-centre": "CC-1234", "team": TEAM})),
        # The SDK's tuner appends its estimator's tags to its own: the language's tuning
        # step has one job, and one tags=.
        TuningStep(
            name="Tune",
            **JOB,
            objective_metric_name="val:auc",
            metric_definitions={"val:auc": "val_auc=([0-9.]+)"},
            hyperparameter_ranges={"lr": ContinuousParameter(min_value=1e-4, max_value=1e-1)},
            max_jobs=2,
            tags=tags({**TAGS, "owner": "ml-platform"}),
        ),
        ModelStep(
            name="CreateModel-CreateModel",
            image=IMAGE,
            model_data=f"s3://{BUCKET}/models/model.tar.gz",
            role=ROLE,
            tags=tags(TAGS),
        ),
        TransformStep(
            name="Score",
            model_name="churn-model",
            input_data=f"s3://{BUCKET}/batch/",
            output_path=f"s3://{BUCKET}/scores",
            content_type="text/csv",
            tags=tags(TAGS),
        ),
        AutoMLStep(
            name="Auto",
            inputs=f"s3://{BUCKET}/automl/train.csv",
            target_attribute_name="churn",
            output_path=f"s3://{BUCKET}/automl",
            role=ROLE,
            tags=tags(TAGS),
        ),
        QualityCheckStep(
            name="Quality",
            role=ROLE,
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset=f"s3://{BUCKET}/train/",
                dataset_format=DatasetFormat.csv(header=True),
                output_s3_uri=f"s3://{BUCKET}/dq",
            ),
            supplied_baseline_statistics=f"s3://{BUCKET}/stats.json",
            supplied_baseline_constraints=f"s3://{BUCKET}/constraints.json",
            tags=tags(TAGS),
        ),
        ClarifyCheckStep(
            name="Bias",
            role=ROLE,
            clarify_check_config=DataBiasCheckConfig(
                dataset=f"s3://{BUCKET}/train/",
                # The SDK uploads the analysis config it builds next to the output.
                analysis_config=f"s3://{BUCKET}/bias/analysis_config.json",
                output_s3_uri=f"s3://{BUCKET}/bias",
            ),
            supplied_baseline_constraints=f"s3://{BUCKET}/bias-constraints.json",
            tags=tags(TAGS),
        ),
    ]
    return PipelineDefinition(parameters=[TEAM], steps=steps).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket=BUCKET)
    )


THEIRS = {step["Name"]: step for step in DATA["definition"]["Steps"]}
MINE = {step["Name"]: step for step in ours()["Steps"]}
UNTAGGED = {step["Name"]: step for step in ours(tagged=False)["Steps"]}


def test_the_sdks_definition_is_valid() -> None:
    assert DATA["sdk"] == "2.257.7"
    assert validate_definition(DATA["definition"]) == []


def test_every_job_step_type_is_covered() -> None:
    job_types = {"Processing", "Training", "Tuning", "Model", "Transform", "AutoML"}
    assert {step["Type"] for step in THEIRS.values()} == {
        *job_types,
        "QualityCheck",
        "ClarifyCheck",
    }
    assert sorted(MINE) == sorted(THEIRS)


@pytest.mark.parametrize("name", list(THEIRS))
def test_tags_render_as_the_sdk_writes_them(name: str) -> None:
    mine, theirs = MINE[name], THEIRS[name]
    assert mine["Arguments"]["Tags"] == theirs["Arguments"]["Tags"]
    # The step's other members are what it writes without tags (their differences from
    # the SDK's, its defaults, are those of the other SDK fixtures).
    found = differences(mine, theirs)
    assert not [path for path in found if path.startswith("Arguments.Tags")], found
    assert differences(mine, UNTAGGED[name]) == {"Arguments.Tags": "extra in ours"}


@pytest.mark.parametrize("name", list(THEIRS))
def test_tags_are_written_where_the_sdk_writes_them(name: str) -> None:
    mine, theirs = list(MINE[name]["Arguments"]), list(THEIRS[name]["Arguments"])
    shared = set(mine) & set(theirs)

    def before_tags(members: list[str]) -> set[str]:
        return set(members[: members.index("Tags")]) & shared

    assert before_tags(mine) == before_tags(theirs)


def test_the_sdks_definition_converts_back_to_tags() -> None:
    source = convert_definition(DATA["definition"])  # proves itself: it compiles to the input

    assert '    tags={"cost-centre": "CC-1234", "team": "churn"},\n' in source
    assert '    tags={"cost-centre": "CC-1234", "team": team},\n' in source
    assert (
        '    tags={"cost-centre": "CC-1234", "team": "churn", "owner": "ml-platform"},\n' in source
    )
    assert source.count("    tags={") == len(THEIRS)
    assert '"Tags"' not in source
