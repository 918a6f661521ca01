"""Warm pools, retries and a checkpoint's local path are written as SageMaker SDK 2.257.7 does.

``sdk_training_settings/sdk-training-settings.json`` is what the SDK writes for an estimator's
``keep_alive_period_in_seconds``, ``max_retry_attempts`` and ``checkpoint_local_path`` in a
``TrainingStep``, a ``TuningStep`` and a ``TuningStep`` of ``HyperparameterTuner.create``
(its README and generator say how it was made). The language builds the same steps with its
keywords of the same names and writes the same entries, but for the SDK defaults
docs/sdk-comparison.md lists; ``smpipe convert`` reads the members back into the keywords.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import (
    ContinuousParameter,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    StaticBinder,
    TrainingInput,
    TrainingJobDefinition,
    TrainingStep,
    TuningStep,
    validate_definition,
)
from tests.definition.test_sdk_reference import differences

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent / "sdk_training_settings" / "sdk-training-settings.json").read_text(
        encoding="utf-8"
    )
)
ROLE, BUCKET = "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1"
KEEP_ALIVE = ParameterInteger(name="KeepAlive", default_value=600)
RETRIES = ParameterInteger(name="RetryAttempts", default_value=2)
CHECKPOINTS = ParameterString(name="CheckpointUri", default_value=f"s3://{BUCKET}/checkpoints")
LOCAL_PATH = ParameterString(name="CheckpointPath", default_value="/opt/ml/checkpoints")
METRICS = {"val:auc": "val_auc=([0-9.]+)"}
RANGES = {"lr": ContinuousParameter(min_value=1e-4, max_value=1e-1)}
# What every estimator of the generator has.
JOB: dict[str, Any] = {
    "image": IMAGE,
    "role": ROLE,
    "instance_type": "ml.m5.xlarge",
    "instance_count": 1,
    "output_path": f"s3://{BUCKET}/models",
    "metric_definitions": METRICS,
    "inputs": {"train": TrainingInput(s3_data=f"s3://{BUCKET}/train/", content_type="text/csv")},
}


def ours() -> dict[str, Any]:
    train = TrainingStep(
        name="Train",
        hyperparameters={"epochs": 10},
        keep_alive_period_in_seconds=1800,
        max_retry_attempts=3,
        checkpoint_s3_uri=f"s3://{BUCKET}/checkpoints",
        checkpoint_local_path="/opt/ml/checkpoints/run",
        **JOB,
    )
    train_parameters = TrainingStep(
        name="TrainParameters",
        hyperparameters={"epochs": 10},
        keep_alive_period_in_seconds=KEEP_ALIVE,
        max_retry_attempts=RETRIES,
        checkpoint_s3_uri=CHECKPOINTS,
        checkpoint_local_path=LOCAL_PATH,
        **JOB,
    )
    tune = TuningStep(
        name="Tune",
        static_hyperparameters={"epochs": 10},
        objective_metric_name="val:auc",
        hyperparameter_ranges=RANGES,
        max_jobs=2,
        max_retry_attempts=3,
        checkpoint_s3_uri=f"s3://{BUCKET}/tune-checkpoints",
        checkpoint_local_path="/opt/ml/checkpoints/tune",
        **JOB,
    )
    definition = {
        "static_hyperparameters": {"epochs": 10},
        "objective_metric_name": "val:auc",
        "hyperparameter_ranges": RANGES,
        **JOB,
    }
    tune_algorithms = TuningStep(
        name="TuneAlgorithms",
        training_job_definitions=[
            TrainingJobDefinition(name="plain", **definition),
            TrainingJobDefinition(
                name="retried",
                max_retry_attempts=RETRIES,
                checkpoint_s3_uri=f"s3://{BUCKET}/tune-checkpoints",
                checkpoint_local_path=LOCAL_PATH,
                **definition,
            ),
        ],
        max_jobs=2,
    )
    return PipelineDefinition(
        parameters=[KEEP_ALIVE, RETRIES, CHECKPOINTS, LOCAL_PATH],
        steps=[train, train_parameters, tune, tune_algorithms],
    ).to_definition(StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket=BUCKET))


def test_the_sdks_definition_is_valid() -> None:
    assert DATA["sdk"] == "2.257.7"
    assert validate_definition(DATA["definition"]) == []


def test_the_steps_render_as_the_sdk_writes_them() -> None:
    mine, theirs = ours(), DATA["definition"]

    assert mine["Parameters"] == theirs["Parameters"]
    assert [step["Name"] for step in mine["Steps"]] == [step["Name"] for step in theirs["Steps"]]
    for left, right in zip(mine["Steps"], theirs["Steps"], strict=True):
        # Only the SDK defaults of docs/sdk-comparison.md differ: a training job's debugger
        # hook and enabled profiler; the tuning jobs are the same, member for member.
        expected = (
            {"Arguments.DebugHookConfig", "Arguments.ProfilerConfig.S3OutputPath"}
            if left["Type"] == "Training"
            else set()
        )
        found = differences(left, right)
        assert set(found) - {"Arguments.ProfilerConfig.DisableProfiler"} == expected, found


def test_the_members_are_written_where_the_sdk_writes_them() -> None:
    mine, theirs = ours()["Steps"], DATA["definition"]["Steps"]
    for left, right in zip(mine, theirs, strict=True):
        arguments = left["Arguments"]
        sdk = right["Arguments"]
        if left["Type"] == "Training":
            for member in ("RetryStrategy", "CheckpointConfig"):
                assert json.dumps(arguments[member]) == json.dumps(sdk[member])
            keep_alive = arguments["ResourceConfig"]["KeepAlivePeriodInSeconds"]
            assert keep_alive == sdk["ResourceConfig"]["KeepAlivePeriodInSeconds"]
        for index, job in enumerate(arguments.get("TrainingJobDefinitions", [])):
            # The members in the SDK's order: RetryStrategy after the ranges.
            sdk_job = sdk["TrainingJobDefinitions"][index]
            assert list(job) == list(sdk_job)
            for member in ("RetryStrategy", "CheckpointConfig"):
                assert json.dumps(job.get(member)) == json.dumps(sdk_job.get(member))


def test_the_tuner_drops_the_keep_alive_period_as_the_language_has_none() -> None:
    tune = DATA["definition"]["Steps"][2]["Arguments"]["TrainingJobDefinition"]
    assert "KeepAlivePeriodInSeconds" not in tune["HyperParameterTuningResourceConfig"]
    assert tune["RetryStrategy"] == {"MaximumRetryAttempts": 3}


def test_the_sdk_drops_a_local_path_given_alone_which_the_language_refuses() -> None:
    # The refusal: tests/definition/steps/test_training.py
    # (test_fails_a_checkpoint_local_path_without_its_s3_uri).
    assert "CheckpointConfig" not in DATA["local_path_only"]


def test_the_sdks_definition_converts_back_to_the_keywords() -> None:
    source = convert_definition(DATA["definition"])  # proves itself: it compiles to the input

    for line in (
        "    keep_alive_period_in_seconds=1800,\n",
        "    keep_alive_period_in_seconds=keep_alive,\n",
        "    max_retry_attempts=3,\n",
        "    max_retry_attempts=retry_attempts,\n",
        '    checkpoint_local_path="/opt/ml/checkpoints/run",\n',
        '    checkpoint_local_path="/opt/ml/checkpoints/tune",\n',
        "    checkpoint_local_path=checkpoint_path,\n",
    ):
        assert line in source, line
    assert "KeepAlivePeriodInSeconds" not in source
    assert "RetryStrategy" not in source
    assert "LocalPath" not in source
