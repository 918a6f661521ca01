"""``_tree``'s cached facts of the construct tree are what aws-cdk-lib itself answers."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from cdk_sagemaker_pipelines.cdk import _tree
from cdk_sagemaker_pipelines.cdk._policy_size import _resource_type
from cdk_sagemaker_pipelines.cdk._tree import (
    account_region,
    is_instance,
    node_of,
    path_of,
    placed,
    resource_account_region,
    root_of,
    stack_of,
    stage_of,
)
from constructs import Construct
from tests.cdk.conftest import new_app

KEY_ARN = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class _PythonResource(cdk.CfnResource):
    """A CfnResource subclass of the app's own, whose type each instance is given."""


def _tree_of_every_kind() -> tuple[cdk.App, list[Any]]:
    """An app with stacks at the root, in a stage, in a stage in a stage, and a nested stack."""
    app = new_app()
    top = cdk.Stack(app, "Top", env=cdk.Environment(account="111122223333", region="us-east-1"))
    stage = cdk.Stage(app, "Dev")
    inner = cdk.Stage(stage, "Inner")
    agnostic = cdk.Stack(inner, "Agnostic")
    nested = cdk.NestedStack(agnostic, "Nested")
    group = Construct(nested, "Group")
    bucket = s3.Bucket(group, "Bucket", enforce_ssl=True)
    imported = kms.Key.from_key_arn(top, "Imported", KEY_ARN)
    # A stage in a stack, as CDK Pipelines apps make them: Stack.of stops at the stage.
    staged = cdk.Stage(top, "Staged")
    loose = Construct(staged, "Loose")
    deployed = cdk.Stack(staged, "Deployed")
    constructs = [
        *(top, stage, inner, agnostic, nested, group, bucket, imported),
        *(staged, loose, deployed),
    ]
    # Constructs aws-cdk-lib created (new proxies at each read), and the tree's own order.
    return app, [*constructs, *bucket.node.find_all(), *app.node.find_all()]


def _expected(construct: Any) -> dict[str, Any]:
    try:
        stack: Any = cdk.Stack.of(construct)
    except RuntimeError as error:
        stack = str(error)
    return {
        "root": construct.node.root,
        "stage": cdk.Stage.of(construct),
        "stack": stack,
        "path": construct.node.path,
    }


def _paths(value: Any) -> Any:
    """Stages and stacks by path: jsii gives a construct it created a new proxy at each read."""
    if isinstance(value, Construct) or hasattr(value, "node"):
        return ("construct", value.node.path)
    return value


@pytest.mark.parametrize("first", ["leaf", "root"], ids=["leaves-first", "root-first"])
def test_each_fact_is_what_aws_cdk_lib_answers(first: str) -> None:
    app, constructs = _tree_of_every_kind()
    # Whichever is asked first, the ancestors' facts come from the first one's read.
    ordered = constructs[::-1] if first == "leaf" else constructs
    for construct in ordered:
        expected = _expected(construct)
        try:
            stack: Any = stack_of(construct)
        except RuntimeError as error:
            stack = str(error)
        found = {
            "root": root_of(construct),
            "stage": stage_of(construct),
            "stack": stack,
            "path": path_of(construct),
        }
        assert {k: _paths(v) for k, v in found.items()} == {
            k: _paths(v) for k, v in expected.items()
        }, construct.node.path
        assert found["root"] is app


def test_a_construct_outside_any_stack_raises_as_stack_of_does() -> None:
    app = new_app()
    stage = cdk.Stage(app, "Dev")
    loose = Construct(stage, "Loose")
    outer = cdk.Stack(app, "Outer")
    staged = cdk.Stage(outer, "Staged")
    placed(staged, outer)  # a stage's scope says nothing of its stack
    for construct in (app, stage, loose, staged):
        with pytest.raises(RuntimeError) as expected:
            cdk.Stack.of(construct)
        with pytest.raises(RuntimeError) as found:
            stack_of(construct)
        assert str(found.value) == str(expected.value)


def test_placed_constructs_take_their_facts_from_their_scope_without_a_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = new_app()
    stage = cdk.Stage(app, "Prod")
    stack = cdk.Stack(stage, "Ml", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    assert stack_of(stack) is stack  # the scope's facts, read once
    group = Construct(stack, "Group")
    placed(group, stack)
    topic = sns.Topic(group, "Topic")
    placed(topic, group)
    in_stage = Construct(stage, "InStage")
    placed(in_stage, stage)  # Stage.of a construct made in a stage is that stage

    def no_read(construct: Any) -> None:
        raise AssertionError(f"read the ancestors of {construct.node.path}")

    monkeypatch.setattr(_tree, "_learn_ancestors", no_read)
    assert (root_of(topic), stage_of(topic), stack_of(topic)) == (app, stage, stack)
    assert stage_of(group) is stage
    assert account_region(topic) == ("111122223333", "eu-west-1")
    assert (root_of(in_stage), stage_of(in_stage)) == (app, stage)


def test_each_constructs_facts_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack")
    imported = kms.Key.from_key_arn(stack, "Imported", KEY_ARN)  # a jsii dynamic proxy
    bucket = s3.Bucket(stack, "Bucket")
    for construct in (imported, bucket, stack):
        assert (root_of(construct), stage_of(construct), stack_of(construct)) == (app, app, stack)

    def no_read(construct: Any) -> None:
        raise AssertionError(f"read the ancestors of {construct.node.path} again")

    monkeypatch.setattr(_tree, "_learn_ancestors", no_read)
    for construct in (imported, bucket, stack):
        assert (root_of(construct), stage_of(construct), stack_of(construct)) == (app, app, stack)
    assert (root_of(app), stage_of(app)) == (app, None)


def test_account_region_is_the_stacks() -> None:
    app = new_app()
    pinned = cdk.Stack(
        app, "Pinned", env=cdk.Environment(account="111122223333", region="us-east-1")
    )
    agnostic = cdk.Stack(app, "Agnostic")
    for stack in (pinned, agnostic):
        bucket = s3.Bucket(stack, "Bucket")
        assert account_region(bucket) == (stack.account, stack.region)


def test_resource_account_region_is_the_resources_env_read_once() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack", env=cdk.Environment(account="111122223333", region="us-east-1"))
    bucket = s3.Bucket(stack, "Bucket")
    imported = kms.Key.from_key_arn(stack, "Imported", KEY_ARN)  # env from the ARN
    for resource in (bucket, imported):
        assert resource_account_region(resource) == (resource.env.account, resource.env.region)
    assert resource_account_region(imported) == ("444455556666", "eu-west-1")

    class Counted:
        """A resource whose env counts its reads (each a jsii round trip on a real one)."""

        reads = 0

        @property
        def env(self) -> Any:
            Counted.reads += 1
            return cdk.Environment(account="111122223333", region="eu-west-1")

    counted = Counted()
    for _ in range(3):
        assert resource_account_region(counted) == ("111122223333", "eu-west-1")
    assert Counted.reads == 1
    assert resource_account_region(object()) is None  # no env: not a resource


def test_is_instance_answers_as_isinstance() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack")
    s3.Bucket(stack, "Bucket", enforce_ssl=True)
    cdk.CfnParameter(stack, "Name")
    kinds: list[type] = [cdk.CfnResource, cdk.CfnParameter, cdk.CfnElement, s3.Bucket, cdk.Stack]
    for construct in stack.node.find_all():
        for kind in kinds:
            assert is_instance(construct, kind) == isinstance(construct, kind)
        assert is_instance(construct, "aws-cdk-lib.aws_s3.CfnBucket") == isinstance(
            construct, s3.CfnBucket
        )
        # A type name answers for its subclasses too, as isinstance does.
        assert is_instance(construct, "aws-cdk-lib.CfnResource") == isinstance(
            construct, cdk.CfnResource
        )


def test_resource_types_are_each_resources_own() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack")
    s3.Bucket(stack, "One")
    s3.Bucket(stack, "Two", enforce_ssl=True)
    sns.Topic(stack, "Topic")
    cdk.CfnResource(stack, "Custom", type="Custom::Thing")
    cdk.CfnResource(stack, "Other", type="AWS::SNS::Topic")
    _PythonResource(stack, "Mine", type="Custom::Mine")  # a subclass's instances may differ
    _PythonResource(stack, "Yours", type="Custom::Yours")
    resources = [c for c in stack.node.find_all() if isinstance(c, cdk.CfnResource)]
    assert len(resources) >= 8
    for resource in resources:
        assert _resource_type(resource) == resource.cfn_resource_type


class _Slotted:
    """A value with a node that can't be weakly referenced (a Python class with slots)."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node


def test_a_value_that_cannot_be_weakly_referenced_is_read_each_time() -> None:
    app = new_app()
    bucket = s3.Bucket(cdk.Stack(app, "Stack"), "Bucket")
    value = _Slotted(bucket.node)

    assert path_of(value) == "Stack/Bucket"  # type: ignore[arg-type]
    assert root_of(value) is app  # type: ignore[arg-type]


def test_a_placed_stack_is_its_own_stack() -> None:
    app = new_app()
    outer = cdk.Stack(app, "Outer")
    nested = cdk.NestedStack(outer, "Nested")
    placed(nested, outer)

    assert stack_of(nested) is nested
    assert cdk.Stack.of(nested) is nested


def test_facts_are_kept_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    app = new_app()
    stage = cdk.Stage(app, "Dev")
    stack = cdk.Stack(stage, "Ml", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    one, two = s3.Bucket(stack, "One"), s3.Bucket(stack, "Two")

    def asked(construct: Any) -> None:
        raise AssertionError(f"asked aws-cdk-lib about {construct.node.path}")

    # One read of a construct's ancestors answers; aws-cdk-lib is not asked after it.
    monkeypatch.setattr(cdk.Stack, "of", staticmethod(asked))
    monkeypatch.setattr(cdk.Stage, "of", staticmethod(asked))
    assert (root_of(one), stage_of(one), stack_of(one)) == (app, stage, stack)
    assert (stack_of(two), stage_of(two), root_of(two)) == (stack, stage, app)  # stack first
    # jsii gives a new proxy of a node at each read: the one kept is the one read.
    assert node_of(one) is node_of(one)
    # The environment is the stack's: read once for all its constructs.
    assert account_region(one) == ("111122223333", "eu-west-1")
    assert account_region(one) is account_region(two)
