"""Behaviour a mutation audit of session 18's code found no test holding.

Each test names what it holds: the pipeline role's grants on the registered versions a
``ModelStep`` creates models of, and what is (not) judged about a given key's or trigger
role's account and region when this stack's, or the key's, are known only at deploy time.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline, PipelineSchedule
from cdk_sagemaker_pipelines.cdk.triggers import _as_sub
from cdk_sagemaker_pipelines.definition import (
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import statements

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
VERSION_OF_ANOTHER_ACCOUNT = f"arn:aws:sagemaker:us-east-1:{OTHER_ACCOUNT}:model-package/churn/3"
ANY_VERSION_HERE = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/*"
MODEL_WARNING = "model-from-model-package"


def _models_of(stack: cdk.Stack, *packages: Any) -> Pipeline:
    """A pipeline of one ModelStep per registered version given."""
    steps = [
        ModelStep(name=f"Model{index}", model_package_name=package)
        for index, package in enumerate(packages)
    ]
    parameters = [package for package in packages if isinstance(package, ParameterString)]
    return Pipeline(
        stack, "Scoring", definition=PipelineDefinition(parameters=parameters, steps=steps)
    )


def _model_statements(stack: cdk.Stack, pipeline: Pipeline) -> dict[str, Any]:
    found = statements(Template.from_stack(stack), pipeline.role_policy)
    return {sid: entry for sid, entry in found.items() if sid.startswith("CreateModelsFrom")}


def test_versions_given_literally_are_granted_each_alone() -> None:
    # An ARN as it is (of any account), a name as this account's and region's version;
    # a version named twice is granted once, and no statement grants any other version.
    stack = new_stack()
    # (A group may be named arn…: only "arn:" starts an ARN.)
    pipeline = _models_of(stack, VERSION_OF_ANOTHER_ACCOUNT, "arnold/4", VERSION_OF_ANOTHER_ACCOUNT)

    (named,) = _model_statements(stack, pipeline).values()
    assert named["Sid"] == "CreateModelsFromModelVersions"
    assert named["Action"] == ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"]
    assert sorted(named["Resource"]) == [
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/arnold/4",
        VERSION_OF_ANOTHER_ACCOUNT,
    ]


def test_a_version_known_at_deploy_time_may_be_any_version_beside_those_named() -> None:
    # A token (another stack's export, say) may stand for any version of the account and
    # region; the version named literally keeps its own statement (it is of another account,
    # which model-package/* of this one doesn't cover).
    stack = new_stack()
    exported = cdk.Fn.import_value("LatestApprovedModelArn")
    pipeline = _models_of(stack, exported, VERSION_OF_ANOTHER_ACCOUNT)

    # Annotations first: the template is then that synthesis's (one synthesis, not two).
    (warning,) = Annotations.from_stack(stack).find_warning(
        f"/{pipeline.node.path}", Match.string_like_regexp(MODEL_WARNING)
    )
    found = _model_statements(stack, pipeline)
    assert {sid: entry["Resource"] for sid, entry in found.items()} == {
        "CreateModelsFromModelVersions": VERSION_OF_ANOTHER_ACCOUNT,
        "CreateModelsFromModelVersionsOfAnyGroup": ANY_VERSION_HERE,
    }
    assert str(warning.entry.data).startswith(
        "The models of step 'Model0' field 'Arguments.PrimaryContainer.ModelPackageName' "
        "(known at deploy time); step 'Model1' field "
        f"'Arguments.PrimaryContainer.ModelPackageName' ('{VERSION_OF_ANOTHER_ACCOUNT}') are "
        "created from a registered model version"
    )


# -- A key or trigger role whose account or region, or this stack's, is known only at deploy --


def test_a_key_of_any_region_and_account_is_taken_by_an_environment_agnostic_store() -> None:
    # This stack's account and region are known only at deploy time: no region problem,
    # no warning of another account (neither can be judged).
    stack = new_stack(account=None, region=None)
    key = kms.Key.from_key_arn(
        stack,
        "Key",
        f"arn:aws:kms:eu-west-1:{OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )

    ArtifactStore(stack, "Artifacts", encryption_key=key)

    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_a_key_imported_from_a_deploy_time_arn_is_not_judged() -> None:
    # The key's account and region are tokens (another stack's export): nothing to judge.
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", cdk.Fn.import_value("CentralKeyArn"))

    ArtifactStore(stack, "Artifacts", encryption_key=key)

    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def _schedule(stack: cdk.Stack, role: Any) -> PipelineSchedule:
    return PipelineSchedule(
        stack,
        "Weekly",
        pipeline=Pipeline.from_pipeline_name(stack, "Training", "churn"),
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(7)),
        role=role,
    )


def _role_warnings(stack: cdk.Stack) -> list[str]:
    return [
        str(found.entry.data)
        for found in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp("given-role-permissions")
        )
    ]


def test_a_trigger_role_of_any_account_is_taken_in_an_environment_agnostic_stack() -> None:
    stack = new_stack(account=None, region=None)
    role = iam.Role.from_role_arn(
        stack, "Central", f"arn:aws:iam::{OTHER_ACCOUNT}:role/ml/events", mutable=False
    )

    _schedule(stack, role)

    # What the role must trust is written as Fn::Sub would: this stack's account, region and
    # partition are known at deploy time only.
    (warning,) = _role_warnings(stack)
    assert (
        "condition StringEquals aws:SourceAccount = ${AWS::AccountId} and aws:SourceArn = "
        "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default"
    ) in warning


def test_a_trigger_role_imported_from_a_deploy_time_arn_is_not_judged() -> None:
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Central", cdk.Fn.import_value("EventsRoleArn"))

    _schedule(stack, role)

    (warning,) = _role_warnings(stack)
    assert warning.startswith("prop 'role': the role ")


def test_fails_a_trigger_role_of_another_app() -> None:
    stack = new_stack()
    other = new_stack()
    role = iam.Role(other, "Events", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"))

    with pytest.raises(PipelineDefinitionError) as raised:
        _schedule(stack, role)

    assert str(raised.value) == (
        "PipelineSchedule Test/Weekly has 1 problem:\n- prop 'role': Role Test/Events belongs "
        "to another CDK app: a template can only refer to the resources of its own app "
        "(create the role in this app, or iam.Role.from_role_arn(self, 'Role', arn))"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ({"Ref": "AWS::Region"}, "${AWS::Region}"),
        ({"Fn::GetAtt": ["Queue4A7E3555", "Arn"]}, "${Queue4A7E3555.Arn}"),
        (
            {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "sqs"]]},
            "arn:${AWS::Partition}:sqs",
        ),
        ({"Fn::ImportValue": "Arn"}, '{"Fn::ImportValue": "Arn"}'),
    ],
    ids=["ref", "get-att", "join", "other"],
)
def test_a_resolved_value_is_written_in_sub_syntax(value: Any, written: str) -> None:
    assert _as_sub(value) == written


def test_a_version_in_a_container_of_an_inference_pipeline_is_granted() -> None:
    # A definition's Model step of several containers (Containers), one a registered version.
    stack = new_stack()
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Serve",
                "Type": "Model",
                "Arguments": {
                    "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/StepRole",
                    "Containers": [
                        {"Image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pre:1"},
                        {"ModelPackageName": VERSION_OF_ANOTHER_ACCOUNT},
                    ],
                },
            }
        ],
    }
    pipeline = Pipeline(stack, "Scoring", definition=definition)

    assert {
        sid: entry["Resource"] for sid, entry in _model_statements(stack, pipeline).items()
    } == {"CreateModelsFromModelVersions": VERSION_OF_ANOTHER_ACCOUNT}
