"""The pipeline role's Deny conditions on the Create calls of its jobs (defence in depth)."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.cdk._policies import _job_condition_statements
from cdk_sagemaker_pipelines.definition._job_conditions import VOLUME_KMS_KEY
from cdk_sagemaker_pipelines.definition.permissions import JOB_ACTIONS, PermissionPlan
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import ACCOUNT, REGION, literal_definition, prep_and_train, statements

SUBNETS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"]
JOBS = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _denies(template: Template, pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    return {
        sid: statement
        for sid, statement in statements(template, pipeline.role_policy).items()
        if statement.get("Effect") == "Deny"
    }


def test_jobs_with_another_key_or_outside_the_vpc_are_denied():
    stack = new_stack()
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=SUBNETS,
    )
    store = ArtifactStore(stack, "Store")
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), artifact_store=store, vpc=vpc
    )
    template = Template.from_stack(stack)
    denies = _denies(template, pipeline)
    key = {"Fn::GetAtt": [next(iter(template.find_resources("AWS::KMS::Key"))), "Arn"]}
    group = {
        "Fn::GetAtt": [
            next(iter(template.find_resources("AWS::EC2::SecurityGroup"))),
            "GroupId",
        ]
    }
    jobs = [f"{JOBS}:processing-job/pipelines-*", f"{JOBS}:training-job/pipelines-*"]

    def deny(sid: str, condition: dict[str, Any]) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Deny",
            "Action": ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"],
            "Resource": jobs,
            "Condition": condition,
        }

    volume, output = "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"
    # The store's key on every job; inter-container encryption, which the library sets on
    # jobs in a VPC; the pipeline's subnets and the security group it creates.
    assert denies == {
        "DenyJobsWithAnotherVolumeKey": deny(
            "DenyJobsWithAnotherVolumeKey",
            {"Null": {volume: "false"}, "ArnNotEquals": {volume: [key]}},
        ),
        "DenyJobsWithAnotherOutputKey": deny(
            "DenyJobsWithAnotherOutputKey",
            {"Null": {output: "false"}, "ArnNotEquals": {output: [key]}},
        ),
        "DenyJobsWithoutInterContainerEncryption": deny(
            "DenyJobsWithoutInterContainerEncryption",
            {"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": "false"}},
        ),
        "DenyJobsOutsideTheVpc": deny(
            "DenyJobsOutsideTheVpc", {"Null": {"sagemaker:VpcSubnets": "true"}}
        ),
        "DenyJobsInOtherSubnets": deny(
            "DenyJobsInOtherSubnets",
            {"ForAnyValue:StringNotEquals": {"sagemaker:VpcSubnets": SUBNETS}},
        ),
        "DenyJobsWithOtherSecurityGroups": deny(
            "DenyJobsWithOtherSecurityGroups",
            {"ForAnyValue:StringNotEquals": {"sagemaker:VpcSecurityGroupIds": [group]}},
        ),
    }


def test_network_isolation_every_job_of_a_type_sets_is_enforced_on_that_type():
    definition = literal_definition()
    definition["Steps"][0]["Arguments"]["NetworkConfig"] = {
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
    }
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name="churn")
    denies = _denies(Template.from_stack(stack), pipeline)
    # One action and one resource: CDK writes them as strings.
    creates = "sagemaker:CreateProcessingJob"
    jobs = f"{JOBS}:processing-job/pipelines-*"
    # (The definition's literal key ARNs are enforced too: see the test below.)
    assert {sid for sid in denies if "Key" in sid} == {
        "DenyJobsWithAnotherVolumeKey",
        "DenyJobsWithAnotherOutputKey",
    }
    assert {sid: value for sid, value in denies.items() if "Key" not in sid} == {
        "DenyJobsWithoutNetworkIsolation": {
            "Sid": "DenyJobsWithoutNetworkIsolation",
            "Effect": "Deny",
            "Action": creates,
            "Resource": jobs,
            "Condition": {"BoolIfExists": {"sagemaker:NetworkIsolation": "false"}},
        },
        "DenyJobsWithoutInterContainerEncryption": {
            "Sid": "DenyJobsWithoutInterContainerEncryption",
            "Effect": "Deny",
            "Action": creates,
            "Resource": jobs,
            "Condition": {"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": "false"}},
        },
    }


def test_what_an_execution_may_change_or_a_key_not_given_by_arn_is_not_enforced():
    definition = literal_definition()
    definition.setdefault("Parameters", []).append(
        {"Name": "Isolate", "Type": "Boolean", "DefaultValue": True}
    )
    arguments = definition["Steps"][0]["Arguments"]
    arguments["NetworkConfig"] = {"EnableNetworkIsolation": {"Get": "Parameters.Isolate"}}
    # A key id: the request carries it as it is, so an ARN condition would deny the job.
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = (
        "1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name="churn")
    # Only the output key, a literal key ARN, is enforced.
    output = "sagemaker:OutputKmsKey"
    assert _denies(Template.from_stack(stack), pipeline) == {
        "DenyJobsWithAnotherOutputKey": {
            "Sid": "DenyJobsWithAnotherOutputKey",
            "Effect": "Deny",
            "Action": "sagemaker:CreateProcessingJob",
            "Resource": f"{JOBS}:processing-job/pipelines-*",
            "Condition": {
                "Null": {output: "false"},
                "ArnNotEquals": {output: ["arn:aws:kms:us-east-1:111122223333:key/output-key"]},
            },
        }
    }


def _resolves_of_job_conditions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the job conditions resolve (a jsii round trip each), recorded from now on."""
    calls: list[Any] = []
    resolve = cdk.Stack.resolve

    def recording(self: cdk.Stack, obj: Any) -> Any:
        if sys._getframe(1).f_code.co_name in ("_job_condition_statements", "resolved_once"):
            calls.append(obj)
        return resolve(self, obj)

    monkeypatch.setattr(cdk.Stack, "resolve", recording)
    return calls


def test_a_key_listed_once_is_not_resolved(monkeypatch: pytest.MonkeyPatch):
    # Every job of the pipeline states the store's key: each condition lists one value,
    # which has nothing to be told apart from (a round trip per value cost the reference
    # app 18 per synth).
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    calls = _resolves_of_job_conditions(monkeypatch)
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), artifact_store=store)
    monkeypatch.undo()
    assert calls == []
    denies = _denies(Template.from_stack(stack), pipeline)
    assert denies["DenyJobsWithAnotherVolumeKey"]["Condition"]["ArnNotEquals"] == {
        "sagemaker:VolumeKmsKey": [stack.resolve(store.key.key_arn)]
    }


def test_copies_of_a_token_resolving_alike_are_listed_once(monkeypatch: pytest.MonkeyPatch):
    # Two strings for one key ARN (each a token of its own) and a literal: the tokens are
    # resolved together, in one round trip, and the key is listed once.
    stack = new_stack()
    key = kms.Key(stack, "Key")
    copy = cdk.Fn.get_att(stack.get_logical_id(cast(kms.CfnKey, key.node.default_child)), "Arn")
    literal = "arn:aws:kms:us-east-1:111122223333:key/output-key"
    tokens = [key.key_arn, copy.to_string()]
    assert tokens[0] != tokens[1]
    plan = PermissionPlan(
        job_actions={"Processing": JOB_ACTIONS["Processing"]},
        job_condition_values={
            "Processing": [{VOLUME_KMS_KEY: value} for value in (*tokens, literal)]
        },
    )
    calls = _resolves_of_job_conditions(monkeypatch)
    (deny,) = _job_condition_statements(
        plan,
        stack,
        {"Processing": ["arn:aws:sagemaker:*"]},
        SimpleNamespace(key_arn_tokens=frozenset(tokens)),  # type: ignore[arg-type]
    )
    monkeypatch.undo()
    assert calls == [tokens]
    assert stack.resolve(deny.to_statement_json())["Condition"]["ArnNotEquals"] == {
        VOLUME_KMS_KEY: [stack.resolve(key.key_arn), literal]
    }
