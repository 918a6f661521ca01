"""LineageStep renders CreateAction, CreateArtifact and CreateContext requests and associations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ExecutionVariables,
    Join,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    MetadataProperties,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    PropertyPathError,
    TrainingStep,
    UnknownArgumentError,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.definition.steps.conftest import IMAGE

ACTION = LineageAction(
    action_name="training-run", source_uri="s3://b/runs/1", action_type="ModelTraining"
)
ARTIFACT = LineageArtifact(
    artifact_name="trained-model", source_uri="s3://b/model.tar.gz", artifact_type="Model"
)
CONTEXT = LineageContext(context_name="churn", source_uri="s3://b/churn", context_type="Project")
PRODUCED = LineageAssociation(
    source=LineageEntityReference(name="training-run", type="Action"),
    destination=LineageEntityReference(name="trained-model", type="Artifact"),
    association_type="Produced",
)


def record(**fields: object) -> LineageStep:
    settings: dict[str, object] = {
        "actions": [ACTION],
        "artifacts": [ARTIFACT],
        "contexts": [CONTEXT],
        "associations": [PRODUCED],
        **fields,
    }
    return LineageStep(name="Record", **settings)  # type: ignore[arg-type]


def test_minimal_step_renders_one_artifact(ctx: RenderContext) -> None:
    step = LineageStep(
        name="Record",
        artifacts=[LineageArtifact(source_uri="s3://b/data", artifact_type="DataSet")],
    )
    assert step.to_request(ctx) == {
        "Name": "Record",
        "Type": "Lineage",
        "Arguments": {
            "Artifacts": [{"Source": {"SourceUri": "s3://b/data"}, "ArtifactType": "DataSet"}]
        },
    }


def test_every_option(ctx: RenderContext) -> None:
    train = TrainingStep(name="Train", image=IMAGE)
    commit = ParameterString(name="CommitId")
    step = LineageStep(
        name="Record",
        display_name="Lineage",
        description="The run and its model",
        depends_on=[train],
        actions=[
            LineageAction(
                action_name=Join(
                    on="-", values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID]
                ),
                source_uri="s3://b/runs/1",
                source_type="S3ETag",
                source_id="abc",
                action_type="ModelTraining",
                description="Trains",
                status="Completed",
                properties={"job": train.properties.TrainingJobName},
                metadata_properties=MetadataProperties(commit_id=commit, repository="acme/churn"),
                tags={"team": "churn"},
            )
        ],
        artifacts=[
            LineageArtifact(
                artifact_name="trained-model",
                source_uri=train.properties.ModelArtifacts.S3ModelArtifacts,
                source_types={"Custom": "v1", "S3ETag": "etag"},
                artifact_type="Model",
                properties={"accuracy": "0.9"},
                metadata_properties=MetadataProperties(project_id="p-1"),
                tags={"team": "churn"},
            )
        ],
        contexts=[
            LineageContext(
                context_name="churn",
                source_uri="s3://b/churn",
                source_type="Project",
                source_id="p-1",
                context_type="Project",
                description="The project",
                properties={"owner": "ml"},
                tags={"team": "churn"},
            )
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="trained-model", type="Artifact"),
                destination=LineageEntityReference(name="churn", type="Context"),
                association_type="AssociatedWith",
            ),
            LineageAssociation(
                source=LineageEntityReference(
                    arn="arn:aws:sagemaker:us-east-1:111122223333:artifact/abc"
                ),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
            ),
        ],
    )
    run_name = {
        "Std:Join": {
            "On": "-",
            "Values": ["training-run", {"Get": "Execution.PipelineExecutionId"}],
        }
    }
    assert step.to_request(ctx) == {
        "Name": "Record",
        "Type": "Lineage",
        "Arguments": {
            "Actions": [
                {
                    "ActionName": run_name,
                    "Source": {
                        "SourceUri": "s3://b/runs/1",
                        "SourceType": "S3ETag",
                        "SourceId": "abc",
                    },
                    "ActionType": "ModelTraining",
                    "Description": "Trains",
                    "Status": "Completed",
                    "Properties": {"job": {"Get": "Steps.Train.TrainingJobName"}},
                    "MetadataProperties": {
                        "CommitId": {"Get": "Parameters.CommitId"},
                        "Repository": "acme/churn",
                    },
                    "Tags": [{"Key": "team", "Value": "churn"}],
                }
            ],
            "Artifacts": [
                {
                    "ArtifactName": "trained-model",
                    "Source": {
                        "SourceUri": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                        "SourceTypes": [
                            {"SourceIdType": "Custom", "Value": "v1"},
                            {"SourceIdType": "S3ETag", "Value": "etag"},
                        ],
                    },
                    "ArtifactType": "Model",
                    "Properties": {"accuracy": "0.9"},
                    "MetadataProperties": {"ProjectId": "p-1"},
                    "Tags": [{"Key": "team", "Value": "churn"}],
                }
            ],
            "Contexts": [
                {
                    "ContextName": "churn",
                    "Source": {
                        "SourceUri": "s3://b/churn",
                        "SourceType": "Project",
                        "SourceId": "p-1",
                    },
                    "ContextType": "Project",
                    "Description": "The project",
                    "Properties": {"owner": "ml"},
                    "Tags": [{"Key": "team", "Value": "churn"}],
                }
            ],
            "Associations": [
                {
                    "Source": {"Name": "trained-model", "Type": "Artifact"},
                    "Destination": {"Name": "churn", "Type": "Context"},
                    "AssociationType": "AssociatedWith",
                },
                {
                    "Source": {"Arn": "arn:aws:sagemaker:us-east-1:111122223333:artifact/abc"},
                    "Destination": {"Name": "trained-model", "Type": "Artifact"},
                },
            ],
        },
        "DependsOn": ["Train"],
        "DisplayName": "Lineage",
        "Description": "The run and its model",
    }
    # The properties it reads make the training step run first, as any reference does.
    assert train in ctx.referenced_steps


def test_properties_are_the_arns_of_what_the_step_creates_keyed_by_name() -> None:
    step = record()
    assert step.properties.ActionArns["training-run"].to_request() == {
        "Get": "Steps.Record.ActionArns['training-run']"
    }
    assert step.properties.ArtifactArns["trained-model"].value_type == "String"
    assert step.properties.ContextArns["churn"].to_request() == {
        "Get": "Steps.Record.ContextArns['churn']"
    }
    assert step.properties.Associations[0].SourceArn.to_request() == {
        "Get": "Steps.Record.Associations[0].SourceArn"
    }


def test_fails_an_arn_of_a_name_the_step_does_not_create_suggesting_close_ones() -> None:
    step = record()
    with pytest.raises(
        PropertyPathError,
        match=r"ActionArns has no entry 'training-rnu' \(did you mean 'training-run'\?\)",
    ):
        step.properties.ActionArns["training-rnu"]
    with pytest.raises(PropertyPathError, match=r"ContextArns has no entry 'x' \(declared: none\)"):
        LineageStep(name="Only", actions=[ACTION]).properties.ContextArns["x"]
    # An artifact without a name has no key.
    unnamed = LineageStep(
        name="Unnamed", artifacts=[LineageArtifact(source_uri="s3://b/d", artifact_type="DataSet")]
    )
    with pytest.raises(PropertyPathError, match=r"ArtifactArns has no entry 'd'"):
        unnamed.properties.ArtifactArns["d"]
    with pytest.raises(PropertyPathError, match=r"has no property 'ModelArtifacts'"):
        step.properties.ModelArtifacts  # type: ignore[attr-defined]  # noqa: B018


def test_a_name_known_only_at_run_time_takes_any_key() -> None:
    name = ParameterString(name="RunName")
    step = LineageStep(
        name="Record",
        actions=[LineageAction(action_name=name, source_uri="s3://b", action_type="T")],
    )
    assert step.properties.ActionArns["whatever"].to_request() == {
        "Get": "Steps.Record.ActionArns['whatever']"
    }
    # And an association may name the action by any name: the run decides.
    LineageStep(
        name="Associate",
        actions=[LineageAction(action_name=name, source_uri="s3://b", action_type="T")],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="other", type="Action"),
                destination=LineageEntityReference(name=name, type="Action"),
            )
        ],
    )


def test_compiles_and_validates_in_a_pipeline() -> None:
    first = record()
    later = LineageStep(
        name="Later",
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=first.properties.ArtifactArns["trained-model"]),
                destination=LineageEntityReference(arn=first.properties.ContextArns["churn"]),
            )
        ],
    )
    definition = PipelineDefinition(steps=[later]).to_definition()
    # The step it reads runs first: it is found through the reference, as any step is.
    assert [step["Name"] for step in definition["Steps"]] == ["Record", "Later"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: LineageStep(name="Record"),
            "LineageStep 'Record': give at least one of actions=, artifacts=, contexts= or "
            "associations=: a Lineage step of none records nothing",
        ),
        (
            lambda: record(actions=[ACTION, ACTION]),
            "LineageStep 'Record': field 'actions[1]': action name 'training-run' is already "
            "used by actions[0] (names are unique per kind in a step, and action names in the "
            "account and region)",
        ),
        (
            lambda: record(
                associations=[
                    LineageAssociation(
                        source=LineageEntityReference(name="training-rnu", type="Action"),
                        destination=LineageEntityReference(name="churn", type="Context"),
                    )
                ]
            ),
            "LineageStep 'Record': field 'associations[0].source': names Action 'training-rnu', "
            "which this step does not create (did you mean 'training-run'? An entity created "
            "elsewhere is named by its ARN: another Lineage step's ActionArns['<name>'])",
        ),
        (
            lambda: record(
                associations=[
                    LineageAssociation(
                        source=LineageEntityReference(name="training-run", type="Action"),
                        destination=LineageEntityReference(name="churn", type="Artifact"),
                    )
                ]
            ),
            "LineageStep 'Record': field 'associations[0].destination': names Artifact "
            "'churn', which this step does not create ('churn' is this step's context: Type "
            "'Context'; an entity created elsewhere is named by its ARN: another Lineage "
            "step's ArtifactArns['<name>'])",
        ),
        (
            lambda: record(
                artifacts=[LineageArtifact(source_uri="s3://b/m", artifact_type="Model")],
            ),
            "LineageStep 'Record': field 'associations[0].destination': names Artifact "
            "'trained-model', which this step does not create (this step creates no named "
            "artifacts; "
            "an entity created elsewhere is named by its ARN: another Lineage step's "
            "ArtifactArns['<name>'])",
        ),
        (
            lambda: record(actions=ACTION),
            "LineageStep 'Record': field 'actions' expects a list of LineageAction, got "
            "LineageAction",
        ),
        (
            lambda: record(actions=[ARTIFACT]),
            "LineageStep 'Record': field 'actions[0]' expects LineageAction, got LineageArtifact",
        ),
        (
            lambda: LineageEntityReference(name="training-run"),
            "LineageEntityReference: field 'type': give name= and type= (an entity of the same "
            "step), or arn= (any other entity)",
        ),
        (
            lambda: LineageEntityReference(arn="arn:aws:s3:::bucket", name="training-run"),
            "LineageEntityReference: give arn= (any entity), or name= and type= (an entity of "
            "the same step), not both",
        ),
        (
            lambda: LineageEntityReference(arn="arn:aws:s3:::bucket", type="Action"),
            "LineageEntityReference: give arn= (any entity), or name= and type= (an entity of "
            "the same step), not both",
        ),
        (
            lambda: LineageEntityReference(name="training-run", type="Actoin"),
            "LineageEntityReference: field 'type': 'Actoin' is no type of entity a Lineage step "
            "creates (did you mean 'Action'?)",
        ),
        (
            lambda: LineageAction(
                action_name="run", source_uri="s3://b", action_type="T", tags={"aws:team": "ml"}
            ),
            "LineageAction 'run': field 'tags': SageMaker would refuse key 'aws:team': the aws: "
            "prefix is reserved for AWS",
        ),
        (
            lambda: LineageArtifact(
                source_uri="s3://b",
                artifact_type="T",
                properties={"n": 1},  # type: ignore[dict-item]
            ),
            "LineageArtifact: field 'properties['n']' expects str or Expression, got int 1",
        ),
        (
            lambda: LineageAssociation(
                source="training-run",  # type: ignore[arg-type]
                destination=LineageEntityReference(name="churn", type="Context"),
            ),
            "LineageAssociation: field 'source' expects LineageEntityReference, got str "
            "'training-run'",
        ),
    ],
)
def test_fails_a_bad_step_naming_step_and_field(build: Callable[[], object], message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        build()
    assert str(raised.value).startswith(message)


def test_fails_values_the_service_refuses_when_compiled_naming_field_and_argument() -> None:
    step = LineageStep(
        name="Record",
        actions=[
            LineageAction(
                action_name="training_run", source_uri="s3://b", action_type="T", status="Done"
            )
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="training_run", type="Action"),
                destination=LineageEntityReference(arn="arn:aws:s3:::bucket"),
                association_type="Produces",
            )
        ],
    )
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).compile()
    assert [(p.field, p.argument) for p in raised.value.problems] == [
        ("Arguments.Actions[0].ActionName", "actions[0].action_name"),
        ("Arguments.Actions[0].Status", "actions[0].status"),
        ("Arguments.Associations[0].Destination.Arn", "associations[0].destination.arn"),
        ("Arguments.Associations[0].AssociationType", "associations[0].association_type"),
    ]
    status = raised.value.problems[1]
    assert status.message == (
        "expected one of 'Unknown', 'InProgress', 'Completed', 'Failed', 'Stopping', "
        "'Stopped', got 'Done'"
    )
    assert raised.value.problems[3].hint == "did you mean 'Produced'?"


@pytest.mark.parametrize(
    "keyword",
    [{"cache_config": CacheConfig(expire_after="P1D")}, {"retry_policies": []}],
    ids=["cache_config", "retry_policies"],
)
def test_fails_caching_and_retries_which_the_sdk_step_takes_neither(
    keyword: dict[str, object],
) -> None:
    with pytest.raises(UnknownArgumentError, match=rf"takes no argument '{next(iter(keyword))}'"):
        LineageStep(name="Record", actions=[ACTION], **keyword)  # type: ignore[arg-type]


def test_fails_the_sdks_association_arns_saying_what_to_write() -> None:
    with pytest.raises(UnknownArgumentError) as raised:
        LineageAssociation(  # type: ignore[call-arg]
            source_arn="arn:aws:sagemaker:us-east-1:111122223333:action/run",
            destination=LineageEntityReference(name="churn", type="Context"),
        )
    assert str(raised.value) == (
        "LineageAssociation takes no argument 'source_arn' (the SageMaker SDK's source_arn=; "
        "here: source=LineageEntityReference(arn=…), or name= and type= for an entity of the "
        "step)"
    )
