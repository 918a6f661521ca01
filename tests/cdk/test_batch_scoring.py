"""The batch scoring example (docs/batch-scoring.md): a model of the latest approved version.

One stack, synthesized once for the module: a training registry, the scoring pipeline
(Lambda → Model of a registered version → Transform), the approval rule passing the
version's ARN into the pipeline, the nightly schedule, and what the roles get.
"""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry
from examples.batch_scoring_stack import BatchScoring
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import (
    definition_of,
    grantee_statements,
    logical_id,
    statements,
    steps_by_name,
)


@pytest.fixture(scope="module")
def scoring() -> tuple[Stack, BatchScoring, Template]:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    data = store.add_bucket("Data")
    registry = ModelRegistry(
        stack, "Registry", model_package_group_name="churn", artifact_store=store
    )
    scoring = BatchScoring(
        stack, "Scoring", artifact_store=store, data_bucket=data, registry=registry
    )
    return stack, scoring, Template.from_stack(stack)


def test_the_model_is_the_version_the_lambda_step_returns(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, _, template = scoring
    steps = steps_by_name(definition_of(template))
    assert steps["ApprovedModel"]["Arguments"]["PrimaryContainer"] == {
        "ModelPackageName": {"Get": "Steps.ResolveModel.OutputParameters['ModelPackageArn']"}
    }
    assert steps["BatchScore"]["Arguments"]["ModelName"] == {"Get": "Steps.ApprovedModel.ModelName"}


def test_the_pipeline_role_may_create_models_of_registered_versions(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, built, template = scoring
    policy = statements(template, built.pipeline.role_policy)
    assert policy["CreateModelsFromModelVersionsOfAnyGroup"] == {
        "Sid": "CreateModelsFromModelVersionsOfAnyGroup",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"],
        # Any version of the account and region: the version is known only at run time.
        "Resource": "arn:aws:sagemaker:us-east-1:111122223333:model-package/*",
    }


def test_a_model_of_a_registered_version_is_warned_and_acknowledged(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # The example grants the model's role the store's models/ and acknowledges the warning.
    scoring_stack, built, template = scoring
    assert (
        Annotations.from_stack(scoring_stack).find_warning(
            "*", Match.string_like_regexp("model-from-model-package")
        )
        == []
    )
    model_role = cast(iam.Role, built.pipeline.dedicated_roles["ApprovedModel"])
    reads = [
        statement
        for statement in grantee_statements(template, model_role)
        if "s3:GetObject*" in statement["Action"] and "/models/*" in json.dumps(statement)
    ]
    assert len(reads) == 1
    # Without the acknowledgment: what the step role still needs, said once.
    from cdk_sagemaker_pipelines.cdk import Pipeline
    from example_project.batch_scoring import build_batch_scoring_pipeline

    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Scoring",
        definition=build_batch_scoring_pipeline(
            data_bucket="scoring-data",
            model_package_group_name="churn",
            resolve_function_arn="arn:aws:lambda:us-east-1:111122223333:function:latest",
        ),
        parameter_locations={"ScoringDataKey": ["scoring/*"]},
        dedicated_step_roles="*",
    )
    warnings = Annotations.from_stack(stack).find_warning(
        f"/{pipeline.node.path}", Match.string_like_regexp("model-from-model-package")
    )
    (warning,) = warnings
    text = str(warning.entry.data)
    assert text.startswith(
        "The models of step 'ApprovedModel' field 'Arguments.PrimaryContainer.ModelPackageName' "
        "('Steps.ResolveModel.OutputParameters['ModelPackageArn']') are created from a "
        "registered model version"
    )
    assert "artifact_store.grant_read_models(pipeline.step_role)" in text
    # A step's own role runs its model; another account's version needs that account's say.
    assert "(pipeline.step_role, unless the step gives a role of its own)" in text
    assert "ModelRegistry.share_with_account does both" in text
    # The model has a role of its own here: that role is the one to grant.
    assert text.endswith(
        "Step(s) 'ApprovedModel' run as pipeline.dedicated_roles['ApprovedModel'] "
        "(dedicated_step_roles): grant that role instead. "
        "[ack: cdk-sagemaker-pipelines:model-from-model-package]"
    )


def test_the_model_and_its_transform_jobs_run_as_a_role_of_their_own(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # dedicated_step_roles="*": the model's role reads the scoring data and writes the
    # scores; no job runs as the step role, which gets no policy and isn't passed.
    _, built, template = scoring
    pipeline = built.pipeline
    assert list(pipeline.dedicated_roles) == ["ApprovedModel"]
    model_role = logical_id(pipeline.dedicated_roles["ApprovedModel"])
    steps = steps_by_name(definition_of(template))
    assert steps["ApprovedModel"]["Arguments"]["ExecutionRoleArn"] == (
        f"${{GetAtt:{model_role}.Arn}}"
    )
    (policy,) = pipeline.dedicated_role_policies["ApprovedModel"]
    derived = statements(template, policy)
    assert "scoring/incoming/*" in json.dumps(derived["ReadDataInDataBucket"])
    assert "/BatchScore/" in json.dumps(derived["WriteDataInArtifactsBucket"])
    step_role_policy = template.to_json()["Resources"][logical_id(pipeline.step_role_policy)]
    assert "Roles" not in step_role_policy["Properties"]
    passed = statements(template, pipeline.role_policy)["PassStepRoleToSageMaker"]
    assert passed["Resource"] == {"Fn::GetAtt": [model_role, "Arn"]}


def test_approval_starts_the_pipeline_with_the_approved_version(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, built, template = scoring
    rule = template.to_json()["Resources"][logical_id(built.on_approved)]["Properties"]
    assert rule["EventPattern"]["detail"] == {
        "ModelPackageGroupName": ["churn"],
        "ModelApprovalStatus": ["Approved"],
    }
    (target,) = rule["Targets"]
    assert target["SageMakerPipelineParameters"] == {
        "PipelineParameterList": [{"Name": "ModelPackageArn", "Value": "$.detail.ModelPackageArn"}]
    }


def test_the_nightly_run_scores_with_the_latest_approved_version(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, _, template = scoring
    (schedule,) = template.find_resources("AWS::Scheduler::Schedule").values()
    parameters: Any = schedule["Properties"]["Target"]["SageMakerPipelineParameters"]
    # ModelPackageArn is left to its default, "": the function finds the latest approved.
    assert parameters == {
        "PipelineParameterList": [{"Name": "ScoringDataKey", "Value": "scoring/incoming/"}]
    }
