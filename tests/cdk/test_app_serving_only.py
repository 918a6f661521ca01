"""An environment that only serves its model source's versions (``trains: false``), and the
``approvers`` of an environment's registry.

One extra synth: staging trains, with approvers; prod serves staging's versions and trains
nothing, before it serves one (its stack without an endpoint). Prod serving a version is
docs/multi-account.md's app (tests/cdk/test_docs.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import EnvironmentConfig
from stacks.mlops_stack import MlOpsStack
from tests.cdk.assembly import stack_metadata
from tests.cdk.conftest import SynthesizedApp, cdk_context, new_app, synthesize_reference_app

APPROVERS = "arn:aws:iam::333333333333:role/ml-approvers"
SSO_APPROVERS = (
    "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
    "AWSReservedSSO_MLApprovers_0123456789abcdef"
)
STAGING = {
    "account": "333333333333",
    "region": "eu-west-1",
    "retain_data": False,
    "schedule": "cron(0 6 ? * MON *)",
    "approvers": [APPROVERS, SSO_APPROVERS],
}
PROD = {
    "account": "444444444444",
    "region": "eu-west-1",
    "model_source": "staging",
    "trains": False,
    "retain_data": True,
}
# What only an environment that trains deploys: its pipeline (and its sealing function),
# registry, new-data rule, schedule, their dead-letter queues, the pipeline's dashboard.
TRAINING_TYPES = {
    "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::ModelPackageGroup",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::SQS::Queue",
    "AWS::Lambda::Function",
    "AWS::CloudWatch::Dashboard",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    context = {**cdk_context(), "environments": {"staging": STAGING, "prod": PROD}}
    return synthesize_reference_app(context, tmp_path_factory.mktemp("serving-only"))


def _types(template: dict[str, Any]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for resource in template["Resources"].values():
        counted[resource["Type"]] = counted.get(resource["Type"], 0) + 1
    return counted


def _warnings(app: SynthesizedApp, stack: str, warning: str) -> list[tuple[str, str]]:
    return [
        (path, str(entry["data"]))
        for path, entries in stack_metadata(app, stack).items()
        for entry in entries
        if entry.get("type") == "aws:cdk:warning" and warning in str(entry["data"])
    ]


def test_an_environment_that_doesnt_train_deploys_its_store_and_alarm_topic_only(
    app: SynthesizedApp,
):
    prod = app.templates["prod/MlOps"]
    # The artifact store (where the endpoint will capture its requests, and its monitor
    # write reports) and the topic of the endpoint's alarms: nothing of a pipeline.
    assert _types(prod) == {
        "AWS::KMS::Key": 2,
        "AWS::S3::Bucket": 2,  # the artifact bucket and its access logs: no data bucket
        "AWS::S3::BucketPolicy": 2,
        "AWS::SNS::Topic": 1,
        "AWS::SNS::TopicPolicy": 1,
    }
    assert set(_types(app.templates["staging/MlOps"])) >= TRAINING_TYPES
    assert list(prod["Outputs"]) == ["NotificationTopicArn"]
    # Retained as an environment that trains keeps its store (retain_data).
    buckets = [r for r in prod["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    assert {bucket["DeletionPolicy"] for bucket in buckets} == {"Retain"}


def test_an_environment_that_doesnt_train_warns_when_no_one_hears_its_alarms(
    app: SynthesizedApp,
):
    assert _warnings(app, "prod/MlOps", "reference-app:no-alarm-email") == [
        (
            "/prod/MlOps/EndpointAlarms/Topic",
            "environment 'prod' has no 'alarm_email': the endpoint's alarms (errors, latency, "
            "drift) reach no one. Set it, or subscribe to the output NotificationTopicArn and "
            "acknowledge this warning [ack: reference-app:no-alarm-email]",
        )
    ]


def test_approvers_get_a_named_policy_to_attach_which_the_registry_names(app: SynthesizedApp):
    staging = app.templates["staging/MlOps"]
    (policy,) = (
        resource["Properties"]
        for resource in staging["Resources"].values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        and resource["Properties"].get("ManagedPolicyName")
    )
    # Named: an IAM Identity Center permission set refers to a customer managed policy by
    # name. Attached to no role: the approvers' roles are managed elsewhere.
    assert policy["ManagedPolicyName"] == "staging-breast-cancer-classifier-approve"
    assert not {"Roles", "Users", "Groups"} & set(policy)
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"]
    assert statement["Resource"] == (
        "arn:aws:sagemaker:eu-west-1:333333333333:model-package/staging-breast-cancer-classifier/*"
    )
    assert "ApprovePolicyArn" in staging["Outputs"]
    warned = _warnings(app, "staging/MlOps", "cdk-sagemaker-pipelines:immutable-role")
    assert [path for path, _ in warned] == ["/staging/MlOps/Registry"] * 2
    assert [APPROVERS in text for _, text in warned] == [True, False]
    assert SSO_APPROVERS in warned[1][1]
    # Nothing attached to the approvers' roles, nor a policy naming them.
    assert "ml-approvers" not in str(staging["Resources"])


def test_the_stack_refuses_an_environment_that_doesnt_train_without_a_model_source():
    with pytest.raises(ValueError, match="trains is False, and no model_source names"):
        MlOpsStack(new_app(), "MlOps", config=EnvironmentConfig(name="prod", trains=False))
