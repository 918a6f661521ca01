"""Every ``grant_*`` given a role imported with ``mutable=False``: kept, not dropped.

aws-cdk-lib attaches nothing to such a role and its ``Grant`` says it succeeded. Each
grant of the constructs puts what a mutable role would have got in an unattached managed
policy of the construct, and warns (``immutable-role``) naming it and the role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    ComponentCompute,
    ComponentEndpoint,
    ModelEndpoint,
    ModelRegistry,
    Pipeline,
)
from constructs import Construct
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import ACCOUNT, REGION, prep_and_train, synthesized

VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
LOCKED_ARN = f"arn:aws:iam::{ACCOUNT}:role/platform/ml-readers"


def _store(stack: cdk.Stack) -> ArtifactStore:
    return ArtifactStore(stack, "Subject")


def _registry(stack: cdk.Stack) -> ModelRegistry:
    return ModelRegistry(stack, "Subject", model_package_group_name="churn")


def _endpoint(stack: cdk.Stack) -> ModelEndpoint:
    store = ArtifactStore(stack, "Store")
    return ModelEndpoint(
        stack, "Subject", model_package_arn=VERSION, artifact_store=store, endpoint_name="churn"
    )


def _async_endpoint(stack: cdk.Stack) -> ModelEndpoint:
    store = ArtifactStore(stack, "Store")
    return ModelEndpoint(
        stack,
        "Subject",
        model_package_arn=VERSION,
        artifact_store=store,
        endpoint_name="churn-async",
        async_inference=AsyncInference(max_concurrent_invocations_per_instance=4),
    )


def _component_endpoint(stack: cdk.Stack) -> ComponentEndpoint:
    store = ArtifactStore(stack, "Store")
    endpoint = ComponentEndpoint(
        stack, "Subject", artifact_store=store, instance_type="ml.g5.12xlarge"
    )
    endpoint.add_component(
        "Model",
        model_package_arn=VERSION,
        compute=ComponentCompute(min_memory_required_in_mb=1024),
    )
    return endpoint


def _pipeline(stack: cdk.Stack) -> Pipeline:
    store = ArtifactStore(stack, "Store")
    return Pipeline(stack, "Subject", definition=prep_and_train(), artifact_store=store)


@dataclass(frozen=True)
class Case:
    build: Callable[[cdk.Stack], Construct]
    method: str
    policy_id: str
    args: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return f"{self.build.__name__.lstrip('_')}.{self.method}"

    def grant(self, subject: Construct, role: iam.IRole) -> iam.Grant:
        grant: iam.Grant = getattr(subject, self.method)(role, *self.args)
        return grant


CASES = [
    Case(_store, "grant_read", "ReadPolicy"),
    Case(_store, "grant_read_models", "ReadModelsPolicy"),
    Case(_registry, "grant_read", "ReadPolicy"),
    Case(_registry, "grant_register", "RegisterPolicy"),
    Case(_registry, "grant_approve", "ApprovePolicy"),
    Case(_endpoint, "grant_invoke", "InvokePolicy"),
    Case(_async_endpoint, "grant_invoke_async", "InvokeAsyncPolicy"),
    Case(_component_endpoint, "grant_invoke", "InvokePolicy"),
    Case(_pipeline, "grant_start_pipeline_execution", "StartPipelineExecutionPolicy"),
    Case(_pipeline, "grant_stop_pipeline_execution", "StopPipelineExecutionPolicy"),
    Case(_pipeline, "grant_complete_callback_steps", "CompleteCallbackStepsPolicy"),
    Case(_pipeline, "grant_read", "ReadPolicy"),
]


def _granted(case: Case, *, mutable: bool) -> tuple[dict[str, Any], list[str], Construct]:
    """The stack's IAM policies by logical id, its immutable-role warnings, the subject."""
    stack = new_stack()
    subject = case.build(stack)
    role = iam.Role.from_role_arn(stack, "Locked", LOCKED_ARN, mutable=mutable)
    grant = case.grant(subject, role)
    assert grant.success
    template, annotations = synthesized(stack)
    policies = {
        **template.find_resources("AWS::IAM::Policy"),
        **template.find_resources("AWS::IAM::ManagedPolicy"),
    }
    warnings = annotations.find_warning(
        "*", Match.string_like_regexp("cdk-sagemaker-pipelines:immutable-role")
    )
    return policies, [str(w.entry.data) for w in warnings], subject


def _statements(policy: dict[str, Any]) -> list[Any]:
    statements: list[Any] = policy["Properties"]["PolicyDocument"]["Statement"]
    # grant_approve's kept statement has a Sid (its wildcard's acknowledgement): not the rest.
    return [{k: v for k, v in each.items() if k != "Sid"} for each in statements]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_grant_to_an_immutable_role_lands_in_an_unattached_policy_and_warns(case: Case):
    # Without the fix aws-cdk-lib's Grant succeeds and the statements exist nowhere.
    mutable_policies, mutable_warnings, _ = _granted(case, mutable=True)
    (inline,) = (
        p for p in mutable_policies.values() if p["Properties"].get("Roles") == ["ml-readers"]
    )
    locked_policies, warnings, subject = _granted(case, mutable=False)
    kept = subject.node.find_child(case.policy_id)
    assert isinstance(kept, iam.ManagedPolicy)
    (policy,) = (
        p for key, p in locked_policies.items() if key not in mutable_policies
    )  # the one policy the mutable role's grant did not need
    # What the mutable role got, unattached: for whoever manages the role to attach.
    assert _statements(policy) == _statements(inline)
    assert not {"Roles", "Users", "Groups"} & set(policy["Properties"])
    assert not any(
        "ml-readers" in p["Properties"].get("Roles", []) for p in locked_policies.values()
    )
    path = f"Test/Subject/{case.policy_id}"
    assert mutable_warnings == []
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"{case.method} was given role {LOCKED_ARN} (Test/Locked), imported with "
        "mutable=False (or without_policy_updates()), so its statement"
    )
    kept_in = f" (is|are) in managed policy {path}, not attached to it: attach that policy"
    assert re.search(kept_in, warnings[0])


def test_roles_given_the_same_grant_share_its_policy_each_named_in_a_warning():
    stack = new_stack()
    registry = _registry(stack)
    for name in ("Readers", "Auditors"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        registry.grant_read(iam.Role.from_role_arn(stack, name, arn, mutable=False))
    template, annotations = synthesized(stack)
    assert len(template.find_resources("AWS::IAM::ManagedPolicy")) == 1
    warnings = annotations.find_warning("/Test/Subject", Match.string_like_regexp("grant_read"))
    assert [str(w.entry.data).split(" (")[0] for w in warnings] == [
        f"grant_read was given role arn:aws:iam::{ACCOUNT}:role/Readers",
        f"grant_read was given role arn:aws:iam::{ACCOUNT}:role/Auditors",
    ]


def test_artifact_store_read_keeps_a_policy_per_key_pattern():
    # A role granted executions/* must not get models/* by attaching the same policy.
    stack = new_stack()
    store = _store(stack)
    for name, pattern in (("All", "*"), ("Executions", "executions/*"), ("Reports", "reports/*")):
        role = iam.Role.from_role_arn(
            stack, name, f"arn:aws:iam::{ACCOUNT}:role/{name}", mutable=False
        )
        store.grant_read(role, pattern)
    kept = [
        child
        for child in store.node.children
        if isinstance(child, iam.ManagedPolicy) and child.node.id.startswith("ReadPolicy")
    ]
    assert len(kept) == 3
    assert kept[0].node.id == "ReadPolicy"
    template, _ = synthesized(stack)
    objects = [
        str(p["Properties"]["PolicyDocument"]["Statement"])
        for p in template.find_resources("AWS::IAM::ManagedPolicy").values()
    ]
    assert sum("/executions/*" in each for each in objects) == 1
    assert sum("/reports/*" in each for each in objects) == 1
