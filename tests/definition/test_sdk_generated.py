"""Definitions the SageMaker SDK v2 writes are valid (no false positives of the validator).

Each file in ``sdk_generated/`` is ``pipeline.definition()`` of sagemaker 2.257.7, unedited:

- ``custom-job-prefix.json``: ``PipelineDefinitionConfig(use_custom_job_prefix=True)`` keeps
  each job's name (``base_job_name``, ``Model(name=)``, ...) as the prefix of the names
  Pipelines gives the jobs (SageMaker guide, "Customize access management for Pipelines jobs").
- ``quality-and-clarify-checks.json``: ``QualityCheckStep`` and ``ClarifyCheckStep`` carry their
  settings (``CheckType``, ``SkipCheck``, ...) beside ``Arguments``; a registration reads their
  baselines.
- ``emr-runtime-role.json``: ``EMRStep(execution_role_arn=...)``, the step's runtime role on a
  running cluster (``AddJobFlowSteps``' ``ExecutionRoleArn``).
- ``parameters-in-checked-fields.json``: pipeline parameters where the validator compares
  literals: spot training's ``max_run``/``max_wait``, a tag key, a tuner's ``strategy`` and
  ``early_stopping_type`` (with a Hyperband ``strategy_config``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import validate_definition
from cdk_sagemaker_pipelines.definition.permissions import plan_permissions

SDK_GENERATED = Path(__file__).parent / "sdk_generated"


def load(name: str) -> Any:
    return json.loads((SDK_GENERATED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(SDK_GENERATED.glob("*.json")), ids=lambda p: p.stem)
def test_sdk_definition_is_valid(path: Path) -> None:
    assert validate_definition(json.loads(path.read_text(encoding="utf-8"))) == []


def test_custom_job_name_prefix_is_checked_against_the_job_name_pattern() -> None:
    definition = load("custom-job-prefix")
    definition["Steps"][0]["Arguments"]["ProcessingJobName"] = "team a"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("Prep", "Arguments.ProcessingJobName")
    assert "does not match the pattern" in problem.message


def test_job_names_stay_optional() -> None:
    definition = load("custom-job-prefix")
    for step in definition["Steps"]:
        for member in ("ProcessingJobName", "TrainingJobName", "HyperParameterTuningJobName"):
            step["Arguments"].pop(member, None)
    assert validate_definition(definition) == []


def test_custom_job_name_prefixes_scope_the_job_permissions() -> None:
    plan = plan_permissions(load("custom-job-prefix"))
    assert plan.job_name_prefixes == {
        "Processing": ["team-a-prep-"],
        "Training": ["team-a-train-"],
        "Tuning": ["tunea-"],
        "Model": ["team-a-model-"],
        "Transform": ["team-a-batch-"],
    }


def test_jobs_without_a_custom_prefix_keep_the_pipelines_prefix() -> None:
    definition = load("custom-job-prefix")
    del definition["Steps"][1]["Arguments"]["TrainingJobName"]
    assert plan_permissions(definition).job_name_prefixes["Training"] == ["pipelines-"]


def test_check_step_settings_are_still_walked_for_references() -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][0]["SkipCheck"] = {"Get": "Parameters.SkipChek"}
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("DataQualityCheck", "SkipCheck")


def test_check_steps_take_only_their_own_settings() -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][1]["SuppliedBaselineStatistics"] = "s3://my-ml-bucket/stats.json"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("DataBiasCheck", "SuppliedBaselineStatistics")
    assert problem.message == "not a field of a ClarifyCheck step"


def test_emr_runtime_role_is_checked_as_an_arn() -> None:
    definition = load("emr-runtime-role")
    definition["Steps"][0]["Arguments"]["ExecutionRoleArn"] = "EmrRuntimeRole"
    [problem] = validate_definition(definition)
    assert problem.field == "Arguments.ExecutionRoleArn"
    assert "fewer than the minimum 20" in problem.message


def test_emr_runtime_role_needs_a_running_cluster() -> None:
    definition = load("emr-runtime-role")
    arguments = definition["Steps"][0]["Arguments"]
    del arguments["ClusterId"]
    arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.10.0",
        "Instances": {
            "InstanceGroups": [
                {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}
            ]
        },
    }
    [problem] = validate_definition(definition)
    assert problem.field == "Arguments.ExecutionRoleArn"
    assert problem.message == "a runtime role needs a running cluster (ClusterId)"


def test_check_steps_are_listed_as_unplanned() -> None:
    # The planner derives nothing for check steps: the Pipeline construct says so.
    plan = plan_permissions(load("quality-and-clarify-checks"))
    assert plan.unplanned_steps == [
        ("DataQualityCheck", "QualityCheck"),
        ("DataBiasCheck", "ClarifyCheck"),
    ]
    assert plan_permissions(load("custom-job-prefix")).unplanned_steps == []


def test_a_custom_job_name_prefix_given_as_an_expression_is_open() -> None:
    definition = load("custom-job-prefix")
    definition["Steps"][1]["Arguments"]["TrainingJobName"] = {
        "Std:Join": {"On": "-", "Values": ["team", {"Get": "Execution.PipelineExecutionId"}]}
    }
    plan = plan_permissions(definition)
    assert plan.job_name_prefixes["Training"] == [""]
    assert plan.open_job_name_prefixes == [("Train", "Arguments.TrainingJobName")]
    assert plan_permissions(load("custom-job-prefix")).open_job_name_prefixes == []


def test_hyperband_early_stopping_is_compared_only_when_literal() -> None:
    # A parameter's value is known only when the execution runs: it was reported as
    # "the Hyperband strategy needs early stopping Off, got {'Get': ...}".
    definition = load("parameters-in-checked-fields")
    config = definition["Steps"][1]["Arguments"]["HyperParameterTuningJobConfig"]
    assert config["TrainingJobEarlyStoppingType"] == {"Get": "Parameters.EarlyStopping"}
    assert validate_definition(definition) == []
    config["TrainingJobEarlyStoppingType"] = "Auto"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == (
        "TuneHyperband",
        "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
    )
