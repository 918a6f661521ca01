"""Lineage steps: their entities and associations, recorded in the local lineage table."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.definition import (
    ConditionEquals,
    ConditionStep,
    ExecutionVariables,
    FailStep,
    Join,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    ParameterString,
)
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.lineage import LineageTable, artifact_id
from tests.local.conftest import Workspace, compile_steps

LOCAL = "arn:aws:sagemaker:local:000000000000"


def record_step(**fields: object) -> LineageStep:
    settings: dict[str, object] = {
        "actions": [
            LineageAction(
                action_name="training-run",
                source_uri="s3://b/runs/1",
                action_type="ModelTraining",
                status="Completed",
                tags={"team": "churn"},
            )
        ],
        "artifacts": [
            LineageArtifact(
                artifact_name="trained-model",
                source_uri="s3://b/model.tar.gz",
                artifact_type="Model",
            ),
            LineageArtifact(source_uri="s3://b/data.csv", artifact_type="DataSet"),
        ],
        "contexts": [
            LineageContext(
                context_name="churn-project", source_uri="s3://b", context_type="Project"
            )
        ],
        "associations": [
            LineageAssociation(
                source=LineageEntityReference(name="training-run", type="Action"),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
                association_type="Produced",
            )
        ],
        **fields,
    }
    return LineageStep(name="Record", **settings)  # type: ignore[arg-type]


def test_records_what_the_step_creates_and_later_steps_read_the_arns(ws: Workspace) -> None:
    record = record_step()
    later = LineageStep(
        name="Later",
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=record.properties.ArtifactArns["trained-model"]),
                destination=LineageEntityReference(
                    arn=record.properties.ContextArns["churn-project"]
                ),
                association_type="AssociatedWith",
            ),
            # An entity in AWS, which the local table can't know: recorded as given.
            LineageAssociation(
                source=LineageEntityReference(
                    arn="arn:aws:sagemaker:us-east-1:111122223333:artifact/0123abcd"
                ),
                destination=LineageEntityReference(
                    arn=record.properties.ActionArns["training-run"]
                ),
            ),
        ],
    )
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(
                left=record.properties.ActionArns["training-run"],
                right=f"{LOCAL}:action/training-run",
            )
        ],
        else_steps=[FailStep(name="Wrong", error_message="not the action's ARN")],
    )
    result = ws.runner().run(compile_steps([later, check]))

    assert result.status == "Succeeded", result.failure_reason
    model = f"{LOCAL}:artifact/{artifact_id({'SourceUri': 's3://b/model.tar.gz'})}"
    properties = result.properties("Record")
    assert properties == {
        "ActionArns": {"training-run": f"{LOCAL}:action/training-run"},
        # The unnamed artifact is created, but has no key.
        "ArtifactArns": {"trained-model": model},
        "ContextArns": {"churn-project": f"{LOCAL}:context/churn-project"},
        "Associations": [{"SourceArn": f"{LOCAL}:action/training-run", "DestinationArn": model}],
    }
    assert result.step("Record").metadata == {"Lineage": properties}
    assert result.properties("Later")["Associations"] == [
        {"SourceArn": model, "DestinationArn": f"{LOCAL}:context/churn-project"},
        {
            "SourceArn": "arn:aws:sagemaker:us-east-1:111122223333:artifact/0123abcd",
            "DestinationArn": f"{LOCAL}:action/training-run",
        },
    ]
    assert result.step("Check").outcome is True
    table = LineageTable(ws.root / ".smpipe")
    action = table.read("action", "training-run")
    assert action is not None
    assert action["ActionArn"] == f"{LOCAL}:action/training-run"
    assert action["Status"] == "Completed"
    assert action["Source"] == {"SourceUri": "s3://b/runs/1"}
    assert action["Tags"] == [{"Key": "team", "Value": "churn"}]
    assert action["Local"] == {"ExecutionId": result.execution_id, "Step": "Record"}
    assert len(list(table.records("artifact"))) == 2
    assert len(list(table.records("association"))) == 3
    assert table.find_arn(model) is not None


def test_a_second_execution_may_not_create_a_name_in_use(ws: Workspace) -> None:
    definition = compile_steps([record_step()])
    first = ws.runner().run(definition)
    assert first.status == "Succeeded", first.failure_reason
    second = ws.runner().run(definition)

    assert second.step("Record").failure_reason == (
        "Actions[0].ActionName: a local action named 'training-run' exists (created by step "
        f"'Record' of execution {first.execution_id}): action names are unique in an account "
        "and region, and CreateAction refuses one in use; make the name unique per execution "
        '(Join(on="-", values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID])), '
        "or delete <root>/lineage to start afresh"
    )
    # Nothing of the failed step was recorded.
    assert len(list(LineageTable(ws.root / ".smpipe").records("association"))) == 1


def test_names_unique_per_execution_run_again_and_again(ws: Workspace) -> None:
    name = Join(on="-", values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID])
    step = LineageStep(
        name="Record",
        actions=[LineageAction(action_name=name, source_uri="s3://b/run", action_type="T")],
        contexts=[
            LineageContext(
                context_name=Join(on="-", values=["run", ExecutionVariables.PIPELINE_EXECUTION_ID]),
                source_uri="s3://b",
                context_type="Run",
            )
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name=name, type="Action"),
                destination=LineageEntityReference(
                    name=Join(on="-", values=["run", ExecutionVariables.PIPELINE_EXECUTION_ID]),
                    type="Context",
                ),
            )
        ],
    )
    definition = compile_steps([step])
    for _ in range(2):
        result = ws.runner().run(definition)
        assert result.status == "Succeeded", result.failure_reason
        assert result.properties("Record")["ActionArns"] == {
            f"training-run-{result.execution_id}": (
                f"{LOCAL}:action/training-run-{result.execution_id}"
            )
        }


def test_fails_an_end_that_names_nothing(ws: Workspace) -> None:
    # A run-time name validation can't judge: the parameter's value names no action.
    name = ParameterString(name="RunName", default_value="other-run")
    step = record_step(
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name=name, type="Action"),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
            )
        ]
    )
    result = ws.runner().run(compile_steps([step], parameters=[name]))
    assert result.step("Record").failure_reason == (
        "Associations[0].Source.Name: this step creates no action named 'other-run' (its "
        "actions: 'training-run'); an entity created elsewhere is named by its ARN"
    )


def test_fails_a_local_arn_no_execution_recorded(ws: Workspace) -> None:
    arn = ParameterString(name="ModelArn", default_value=f"{LOCAL}:artifact/feedbeef")
    step = record_step(
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=arn),
                destination=LineageEntityReference(name="training-run", type="Action"),
            )
        ]
    )
    result = ws.runner().run(compile_steps([step], parameters=[arn]))
    assert result.step("Record").failure_reason == (
        f"Associations[0].Source.Arn: no local lineage entity has the ARN '{LOCAL}:artifact/"
        "feedbeef' (the local runner records those Lineage steps of local executions create)"
    )


def test_the_lineage_table_refuses_a_name_sagemaker_would(ws: Workspace) -> None:
    with pytest.raises(StepError, match=r"'\.\./x' is not a lineage action name"):
        LineageTable(ws.root).read("action", "../x")


def test_an_artifact_of_a_source_or_a_name_in_use_is_refused(ws: Workspace) -> None:
    first = ws.runner().run(
        compile_steps(
            [
                LineageStep(
                    name="Record",
                    artifacts=[
                        LineageArtifact(
                            artifact_name="model", source_uri="s3://b/m", artifact_type="Model"
                        )
                    ],
                )
            ]
        )
    )
    assert first.status == "Succeeded", first.failure_reason

    def again(artifact: LineageArtifact) -> str | None:
        result = ws.runner().run(compile_steps([LineageStep(name="Again", artifacts=[artifact])]))
        return result.step("Again").failure_reason

    by = f"(created by step 'Record' of execution {first.execution_id})"
    # The same source, unnamed: its ARN would be the first one's.
    assert again(LineageArtifact(source_uri="s3://b/m", artifact_type="Model")) == (
        f"Artifacts[0].Source: a local artifact of this source exists {by}: SageMaker names an "
        "artifact after its source and refuses to create one that exists; give the source a "
        "SourceTypes version (an S3ETag, S3Version or Custom id) or reference the existing "
        "artifact by its ARN (delete <root>/lineage to start afresh)"
    )
    # Another source, under the name in use.
    assert again(
        LineageArtifact(artifact_name="model", source_uri="s3://b/other", artifact_type="Model")
    ) == (
        f"Artifacts[0].ArtifactName: a local artifact named 'model' exists {by}: artifact "
        "names are unique in an account and region, and CreateArtifact refuses one in use; "
        'make the name unique per execution (Join(on="-", values=["training-run", '
        "ExecutionVariables.PIPELINE_EXECUTION_ID])), or delete <root>/lineage to start afresh"
    )
    # The same source in another version is another artifact.
    assert (
        again(
            LineageArtifact(
                source_uri="s3://b/m", source_types={"Custom": "v2"}, artifact_type="Model"
            )
        )
        is None
    )
