"""The role a pipeline that records lineage gets: derived, least privilege, nag-clean.

A Lineage step creates an action, an artifact and a context and associates them; a later
one associates what the first created, by the ARNs it reads off its properties. The
pipeline role gets each Create* call on the ARN of what it creates (any artifact: its ARN
names a hash of its source), AddAssociation on both ends of each association, AddTags on
what is created with tags, and cdk-nag's AwsSolutions and NIST 800-53 packs pass with only
the wildcards acknowledged.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.cdk._acknowledge import WILDCARD_RULE
from cdk_sagemaker_pipelines.definition import (
    ExecutionVariables,
    Join,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    ParameterString,
    PipelineDefinition,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import ACCOUNT, REGION, pipeline_under_nag, statements, synthesized
from tests.cdk.test_policies import _acknowledged

NAME = "churn"
SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
DATASET = f"{SM}:artifact/0123456789abcdef0123456789abcdef"


def lineage_definition() -> PipelineDefinition:
    record = LineageStep(
        name="Record",
        actions=[
            LineageAction(
                action_name=Join(
                    on="-", values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID]
                ),
                source_uri="s3://models-bucket/runs",
                action_type="ModelTraining",
                tags={"team": "churn"},
            )
        ],
        artifacts=[
            LineageArtifact(
                artifact_name="trained-model",
                source_uri="s3://models-bucket/model.tar.gz",
                artifact_type="Model",
            )
        ],
        contexts=[
            LineageContext(context_name="Churn", source_uri="s3://models-bucket", context_type="P")
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=DATASET),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
                association_type="ContributedTo",
            )
        ],
    )
    later = LineageStep(
        name="Associate",
        associations=[
            LineageAssociation(
                source=LineageEntityReference(arn=record.properties.ArtifactArns["trained-model"]),
                destination=LineageEntityReference(arn=record.properties.ContextArns["Churn"]),
            )
        ],
    )
    return PipelineDefinition(steps=[later])


class Recorded:
    def __init__(self) -> None:
        # cdk-nag fails synth on any finding not acknowledged.
        self.pipeline, template, self.annotations = pipeline_under_nag(lineage_definition(), NAME)
        assert self.pipeline.role_policy is not None
        self.role = statements(template, self.pipeline.role_policy)


@pytest.fixture(scope="module")
def recorded() -> Recorded:
    return Recorded()


def test_each_entity_is_created_on_its_arn_and_associated_on_both_ends(recorded: Recorded):
    role = recorded.role
    assert role["CreateLineageActions"] == {
        "Action": "sagemaker:CreateAction",
        "Effect": "Allow",
        # A name joined with the execution id: its literal start.
        "Resource": f"{SM}:action/training-run-*",
        "Sid": "CreateLineageActions",
    }
    # An artifact's ARN names a hash of its source, not its name.
    assert role["CreateLineageArtifacts"]["Resource"] == f"{SM}:artifact/*"
    # A name with capitals in both spellings, as hosting resources' are.
    assert sorted(role["CreateLineageContexts"]["Resource"]) == [
        f"{SM}:context/Churn",
        f"{SM}:context/churn",
    ]
    associate = role["AssociateLineageEntities"]
    assert associate["Action"] == "sagemaker:AddAssociation"
    # The dataset as named, the artifact as any, the context the later step reads.
    assert sorted(associate["Resource"]) == [
        f"{SM}:artifact/*",
        DATASET,
        f"{SM}:context/Churn",
        f"{SM}:context/churn",
    ]


def test_what_is_created_with_tags_is_tagged(recorded: Recorded):
    tagged = recorded.role["TagPipelineResources"]["Resource"]
    assert tagged == f"{SM}:action/training-run-*"


def test_no_lineage_step_is_warned(recorded: Recorded):
    recorded.annotations.has_no_warning("*", Match.string_like_regexp("get no permissions"))
    recorded.annotations.has_no_warning("*", Match.string_like_regexp("open-lineage-name"))


def test_the_lineage_wildcards_are_acknowledged_with_their_reason(recorded: Recorded):
    acknowledged = _acknowledged(recorded.pipeline.role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    assert "a hash of its source" in acknowledged[f"{prefix}{SM}:artifact/*]"]
    assert "joined with the execution id" in acknowledged[f"{prefix}{SM}:action/training-run-*]"]


def test_names_known_only_at_run_time_are_granted_on_any_and_warned():
    stack = new_stack()
    name = ParameterString(name="RunName", default_value="run")
    step = LineageStep(
        name="Record",
        actions=[LineageAction(action_name=name, source_uri="s3://b/r", action_type="T")],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[step], parameters=[name]),
        pipeline_name=NAME,
    )
    template, annotations = synthesized(stack)  # one synthesis
    assert statements(template, pipeline.role_policy)["CreateLineageActions"]["Resource"] == (
        f"{SM}:action/*"
    )
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The lineage name or ARN in step 'Record' field 'Arguments.Actions\[0\].ActionName' "
            r"is an expression known only at run time .*"
            r"\[ack: cdk-sagemaker-pipelines:open-lineage-name\]$"
        ),
    )
