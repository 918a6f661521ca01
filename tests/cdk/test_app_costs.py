"""What the reference app bills when nothing runs, and the tags that attribute it.

The table of docs/reference-app.md ("What it costs", per environment) is
counted from the templates by ``scripts/cost_table.py``: a change that adds a key, an alarm
or an instance fails here until the table is regenerated. One extra synth: every
environment serving a version, as ``cdk deploy -c model_package_arn:<environment>=…`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.checks import JobRuntimeLimit
from cdk_sagemaker_pipelines.template import pipeline_definitions
from tests.cdk.assembly import policy_documents, stack_metadata
from tests.cdk.conftest import SynthesizedApp, cdk_context, synthesize_reference_app
from tests.conftest import load_script

# The resources of the stacks that bill (or hold what bills), which cost allocation must see.
BILLED_TYPES = (
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::SageMaker::Endpoint",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Model",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::ModelPackageGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
)
# The step types whose Create* request starts instances or creates what bills.
JOB_STEP_TYPES = ("Processing", "Training", "Tuning", "Transform", "QualityCheck", "ClarifyCheck")


costs = load_script("cost_table")


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The app with every environment serving a version of its group."""
    context = costs.serving_context(cdk_context())
    return synthesize_reference_app(context, tmp_path_factory.mktemp("serving"))


def _by_environment(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    return {name: app.templates[f"{name}/MlOps"] for name in cdk_context()["environments"]}


def test_the_docs_cost_table_is_what_the_templates_bill(
    reference_app: SynthesizedApp, serving: SynthesizedApp
) -> None:
    table = costs.render(_by_environment(reference_app), _by_environment(serving))
    text = Path(costs.DOC).read_text()
    assert costs.replace_table(text, table) == text, (
        "docs/reference-app.md's cost table is stale: run python scripts/cost_table.py\n" + table
    )


def test_serving_adds_the_endpoint_and_its_monitor_to_every_environment(
    reference_app: SynthesizedApp, serving: SynthesizedApp
) -> None:
    # The table's second figures are of endpoints: the committed cdk.json deploys none.
    endpoint = "Endpoint instances (billed per hour, at zero traffic too)"
    committed = {n: costs.inventory(t)[endpoint] for n, t in _by_environment(reference_app).items()}
    served = {n: costs.inventory(t)[endpoint] for n, t in _by_environment(serving).items()}
    assert set(committed.values()) == {costs.NONE}
    assert served == {
        "dev": "1 × ml.m5.large",
        "staging": "1 × ml.m5.large",
        "prod": "2 × ml.m5.large, scaling to 4",
    }


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _steps(step["Arguments"].get("IfSteps", []))
            yield from _steps(step["Arguments"].get("ElseSteps", []))


def test_every_billed_resource_and_job_carries_the_cost_allocation_tags(
    serving: SynthesizedApp,
) -> None:
    for name, template in _by_environment(serving).items():
        expected = {"environment": name, "project": "breast-cancer-classifier"}
        untagged = [
            logical_id
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] in BILLED_TYPES
            and not expected.items()
            <= {tag["Key"]: tag["Value"] for tag in resource["Properties"].get("Tags", [])}.items()
        ]
        assert untagged == [], name
        # SageMaker doesn't give a pipeline's tags to the jobs it starts: job_tags does.
        ((_, definition),) = pipeline_definitions(template)
        jobs = [step for step in _steps(definition["Steps"]) if step["Type"] in JOB_STEP_TYPES]
        assert jobs
        for job in jobs:
            tags = {tag["Key"]: tag["Value"] for tag in job["Arguments"]["Tags"]}
            assert expected.items() <= tags.items(), job["Name"]


def test_every_job_states_a_run_time_limit_fitting_its_work(reference_app: SynthesizedApp) -> None:
    # Without one a stuck processing job bills until SageMaker stops it, days later; the
    # stages' SageMakerPipelineChecks fail synth on a job without (SMP-JobRuntimeLimit).
    for name, template in _by_environment(reference_app).items():
        ((_, definition),) = pipeline_definitions(template)
        limits = {
            step["Name"]: step["Arguments"].get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
            for step in _steps(definition["Steps"])
            if step["Type"] in JOB_STEP_TYPES
        }
        assert limits == {
            "Preprocess": 1800,
            "Train": 3600,
            "DataQualityCheck": 3600,
            "Evaluate": 1800,
        }, name
        assert JobRuntimeLimit.check(definition) == [], name


def test_the_pipeline_role_denies_every_instance_type_its_parameters_dont_offer(
    reference_app: SynthesizedApp,
) -> None:
    # A run started with TrainingInstanceType=ml.p4d.24xlarge is refused at its start (the
    # parameters' EnumValues), and its jobs denied to the role (allowed_instance_types).
    for name, template in _by_environment(reference_app).items():
        ((_, definition),) = pipeline_definitions(template)
        offered = {
            value
            for parameter in definition["Parameters"]
            if parameter["Name"].endswith("InstanceType")
            for value in parameter["EnumValues"]
        }
        (deny,) = [
            statement
            for document in policy_documents(template)
            for statement in document.statements
            if statement.sid == "DenyOtherInstanceTypes"
        ]
        assert deny.effect == "Deny"
        assert set(deny.actions) == {"sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"}
        condition = deny.conditions["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"]
        assert set(condition) == offered, name
        # Every instance type of the definition is within the cap at synth: nothing is open.
        warned = [
            path
            for path, entries in stack_metadata(reference_app, f"{name}/MlOps").items()
            for entry in entries
            if entry.get("type") == "aws:cdk:warning"
            and "open-instance-type" in str(entry.get("data"))
        ]
        assert warned == [], name


def test_inventory_counts_alarm_metrics_unexpiring_logs_and_unexpired_versions() -> None:
    # An alarm on metric math bills per metric it reads; a log group without a retention
    # and a versioned bucket without a noncurrent-version rule keep what they get for ever.
    template = {
        "Resources": {
            "One": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "X"}},
            "Math": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Metrics": [
                        {"Id": "e", "Expression": "MAX([a, b, c])"},
                        *({"Id": i, "MetricStat": {}} for i in "abc"),
                    ]
                },
            },
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
            "Kept": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
            },
            "Hourly": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {"ScheduleExpression": "rate(1 hour)"},
            },
        }
    }
    cells = costs.inventory(template)
    assert cells["CloudWatch alarms (alarm metrics: $0.10/month each)"] == "2 (4)"
    assert cells["Log groups (retention)"] == "1 (never expire)"
    assert cells["S3 buckets (versioned; with noncurrent versions expiring)"] == "1 (1; 0)"
    assert cells["Pipeline runs on a schedule"] == "`rate(1 hour)`"
    assert cells["KMS customer-managed keys ($1/month each)"] == costs.NONE
