"""What Lineage steps need of the pipeline role, read off the definition."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    ExecutionVariables,
    Join,
    LambdaStep,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    OutputType,
    ParameterString,
    PipelineDefinition,
    StaticBinder,
    Step,
    StepOutput,
)
from cdk_sagemaker_pipelines.definition.permissions import (
    LINEAGE_ASSOCIATE_ACTION,
    LINEAGE_CREATE_ACTIONS,
    PLANNED_STEP_TYPES,
    plan_permissions,
)
from tests.conftest import ROLE

BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b")
DATASET = "arn:aws:sagemaker:us-east-1:111122223333:artifact/0123456789abcdef0123456789abcdef"


def plan(*steps: Step, parameters: Any = ()) -> Any:
    definition = PipelineDefinition(steps=list(steps), parameters=list(parameters))
    return plan_permissions(definition.to_definition(BINDER), pipeline_name="churn")


def test_each_entity_is_created_on_its_arn_and_each_association_on_both_ends() -> None:
    step = LineageStep(
        name="Record",
        actions=[
            LineageAction(
                action_name="Training-Run",
                source_uri="s3://b/run",
                action_type="ModelTraining",
                tags={"team": "churn"},
            )
        ],
        artifacts=[
            LineageArtifact(artifact_name="model", source_uri="s3://b/m", artifact_type="Model")
        ],
        contexts=[
            LineageContext(context_name="churn", source_uri="s3://b", context_type="Project")
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="Training-Run", type="Action"),
                destination=LineageEntityReference(name="model", type="Artifact"),
            ),
            LineageAssociation(
                source=LineageEntityReference(arn=DATASET),
                destination=LineageEntityReference(name="churn", type="Context"),
            ),
        ],
    )
    found = plan(step)
    assert LINEAGE_CREATE_ACTIONS == {
        "action": "sagemaker:CreateAction",
        "artifact": "sagemaker:CreateArtifact",
        "context": "sagemaker:CreateContext",
    }
    assert found.lineage_grants == {
        "sagemaker:CreateAction": [("action", "Training-Run")],
        # SageMaker names an artifact's ARN after a hash of its source: any artifact.
        "sagemaker:CreateArtifact": [("artifact", "*")],
        "sagemaker:CreateContext": [("context", "churn")],
        LINEAGE_ASSOCIATE_ACTION: [
            ("action", "Training-Run"),
            ("artifact", "*"),
            ("", DATASET),
            ("context", "churn"),
        ],
    }
    # Only what is created with tags is tagged.
    assert found.lineage_tagged == [("action", "Training-Run")]
    assert found.open_lineage_names == []
    assert found.unplanned_steps == []
    assert "Lineage" in PLANNED_STEP_TYPES


def test_a_run_time_name_is_narrowed_to_its_literal_start_or_open() -> None:
    name = ParameterString(name="RunName", default_value="run")
    step = LineageStep(
        name="Record",
        actions=[
            LineageAction(
                action_name=Join(
                    on="-", values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID]
                ),
                source_uri="s3://b/run",
                action_type="ModelTraining",
            ),
            LineageAction(action_name=name, source_uri="s3://b/run", action_type="Approval"),
        ],
    )
    found = plan(step, parameters=[name])
    assert found.lineage_grants["sagemaker:CreateAction"] == [
        ("action", "training-run-*"),
        ("action", "*"),
    ]
    assert found.open_lineage_names == [("Record", "Arguments.Actions[1].ActionName")]


def test_an_arn_of_another_lineage_step_is_that_entitys_and_any_other_is_open() -> None:
    record = LineageStep(
        name="Record",
        actions=[LineageAction(action_name="run", source_uri="s3://b", action_type="T")],
        artifacts=[LineageArtifact(artifact_name="m", source_uri="s3://b/m", artifact_type="M")],
        contexts=[LineageContext(context_name="c", source_uri="s3://b", context_type="P")],
    )
    lookup = LambdaStep(
        name="Lookup",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:lookup",
        outputs=[StepOutput(output_name="arn", output_type=OutputType.STRING)],
    )
    later = LineageStep(
        name="Later",
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=record.properties.ActionArns["run"]),
                destination=LineageEntityReference(arn=record.properties.ContextArns["c"]),
            ),
            LineageAssociation(
                source=LineageEntityReference(arn=record.properties.ArtifactArns["m"]),
                destination=LineageEntityReference(arn=lookup.properties.OutputParameters["arn"]),
            ),
        ],
    )
    found = plan(later)
    assert found.lineage_grants[LINEAGE_ASSOCIATE_ACTION] == [
        ("action", "run"),
        ("context", "c"),
        ("artifact", "*"),
        # A Lambda step's output may be any lineage entity (AddAssociation's entity ARNs).
        ("action", "*"),
        ("context", "*"),
        ("experiment", "*"),
        ("experiment-trial-component", "*"),
    ]
    assert found.open_lineage_names == [("Later", "Arguments.Associations[1].Destination.Arn")]
