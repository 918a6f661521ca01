"""Every ``grant_*`` given a role imported with ``mutable=False``: kept, not dropped.

aws-cdk-lib attaches nothing to such a role and its ``Grant`` says it succeeded. Each
grant of the constructs puts what a mutable role would have got in an unattached managed
policy of the construct, and warns (``immutable-role``) naming it and the role. The
policy's wildcards are acknowledged to cdk-nag one by one, and a typed property of the
construct returns it. A role of another account gets no policy (its account couldn't
attach it): a warning (``other-account-role``) says what to do instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    ComponentCompute,
    ComponentEndpoint,
    ModelEndpoint,
    ModelRegistry,
    Pipeline,
)
from cdk_sagemaker_pipelines.cdk._acknowledge import COMPLIANCE_PACKS, WILDCARD_RULE
from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, prep_and_train, synthesized

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
    # The construct's typed way to the policy kept for the grant.
    kept: Callable[[Any], iam.ManagedPolicy | None]
    # The policy's wildcards, each acknowledged on it ("Resource::…", "Action::…"):
    # {bucket} is the store bucket's ARN as cdk-nag writes it, {pipeline} the pipeline's name.
    wildcards: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return f"{self.build.__name__.lstrip('_')}.{self.method}"

    def grant(self, subject: Construct, role: iam.IRole) -> iam.Grant:
        grant: iam.Grant = getattr(subject, self.method)(role, *self.args)
        return grant


SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
# aws-cdk-lib's Bucket.grant_read actions.
BUCKET_READ = ("Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*")
VERSIONS = (f"Resource::{SM}:model-package/churn/*",)
EXECUTIONS = (f"Resource::{SM}:pipeline/{{pipeline}}/execution/*",)

CASES = [
    Case(
        _store,
        "grant_read",
        "ReadPolicy",
        lambda store: store.read_policies.get("*"),
        (*BUCKET_READ, "Resource::{bucket}/*"),
    ),
    Case(
        _store,
        "grant_read_models",
        "ReadModelsPolicy",
        lambda store: store.read_models_policy,
        (*BUCKET_READ, "Resource::{bucket}/models/*", "Resource::{bucket}/sealed/*"),
    ),
    Case(_registry, "grant_read", "ReadPolicy", lambda r: r.read_policy, VERSIONS),
    Case(_registry, "grant_register", "RegisterPolicy", lambda r: r.register_policy, VERSIONS),
    Case(_registry, "grant_approve", "ApprovePolicy", lambda r: r.approve_policy, VERSIONS),
    Case(_endpoint, "grant_invoke", "InvokePolicy", lambda e: e.invoke_policy),
    Case(
        _async_endpoint,
        "grant_invoke_async",
        "InvokeAsyncPolicy",
        lambda e: e.invoke_async_policy,
        tuple(
            f"Resource::{{bucket}}/async-inference/churn-async/{folder}/*"
            for folder in ("input", "output", "failures")
        ),
    ),
    Case(_component_endpoint, "grant_invoke", "InvokePolicy", lambda e: e.invoke_policy),
    Case(
        _pipeline,
        "grant_start_pipeline_execution",
        "StartPipelineExecutionPolicy",
        lambda p: p.start_pipeline_execution_policy,
    ),
    Case(
        _pipeline,
        "grant_stop_pipeline_execution",
        "StopPipelineExecutionPolicy",
        lambda p: p.stop_pipeline_execution_policy,
        EXECUTIONS,
    ),
    Case(
        _pipeline,
        "grant_complete_callback_steps",
        "CompleteCallbackStepsPolicy",
        lambda p: p.complete_callback_steps_policy,
        EXECUTIONS,
    ),
    Case(_pipeline, "grant_read", "ReadPolicy", lambda p: p.read_policy, EXECUTIONS),
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


# -- cdk-nag: the kept policies' wildcards, acknowledged one by one -------------------------

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


def _acknowledged(construct: Construct) -> dict[str, str]:
    """The acknowledgments on ``construct`` itself: id -> reason."""
    found: dict[str, str] = {}
    for entry in construct.node.metadata:
        if entry.type == ACKNOWLEDGED:
            found.update(entry.data)
    return found


@pytest.fixture(scope="module")
def under_the_packs() -> dict[str, Construct]:
    """Every grant given one immutable role per construct, synthesized under every rule pack.

    cdk-nag's AwsSolutions, NIST 800-53, HIPAA and PCI DSS packs and the library's own
    checks fail ``app.synth()`` on any finding not acknowledged. The buckets' replication
    (no second region here) is acknowledged bucket by bucket: not these tests' subject.
    Returns each construct by the name of the function that built it.
    """
    app = new_app()
    subjects: dict[str, tuple[Construct, iam.IRole]] = {}
    for case in CASES:
        kind = case.build.__name__.lstrip("_")
        if kind not in subjects:
            stack = cdk.Stack(
                app,
                kind.title().replace("_", ""),
                env=cdk.Environment(account=ACCOUNT, region=REGION),
            )
            role = iam.Role.from_role_arn(stack, "Locked", LOCKED_ARN, mutable=False)
            subjects[kind] = (case.build(stack), role)
        subject, role = subjects[kind]
        case.grant(subject, role)
    for bucket in (c for c in app.node.find_all() if isinstance(c, s3.CfnBucket)):
        cdk.Validations.of(bucket).acknowledge(
            *(
                cdk.Acknowledgment(
                    id=f"{pack}-S3BucketReplicationEnabled",
                    reason="no second region in this test; the reference app says why",
                )
                for pack in COMPLIANCE_PACKS
            )
        )
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        NIST80053R5Checks(app),
        HIPAASecurityChecks(app),
        PCIDSS321Checks(app),
        SageMakerPipelineChecks(),
    )
    # Without the acknowledgments, each kept policy's wildcards (execution/*, the bucket's
    # objects, s3:GetObject*) fail here: AwsSolutions-IAM5.
    app.synth()
    return {kind: subject for kind, (subject, _) in subjects.items()}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_kept_policy_acknowledges_exactly_its_own_wildcards(
    under_the_packs: dict[str, Construct], case: Case
):
    subject: Any = under_the_packs[case.build.__name__.lstrip("_")]
    kept = subject.node.find_child(case.policy_id)
    acknowledged = _acknowledged(kept)
    store = subject if isinstance(subject, ArtifactStore) else subject.artifact_store
    names = {
        "bucket": f"<{logical_id(store.bucket)}.Arn>" if store is not None else "",
        "pipeline": getattr(subject, "pipeline_name", ""),
    }
    # Each wildcard item alone (never the whole rule), and none the policy doesn't hold.
    assert sorted(acknowledged) == sorted(
        f"Annotation::{WILDCARD_RULE}[{wildcard.format(**names)}]" for wildcard in case.wildcards
    )
    for reason in acknowledged.values():
        assert len(reason) > 80
        if case.policy_id != "ApprovePolicy":  # a Sid names its reason (REASONS)
            assert reason.startswith(f"policy {kept.node.path} ({case.method} for roles")


def test_an_action_wildcard_is_acknowledged_only_where_a_reason_covers_it():
    # The registry's kept read policy gives a reason for its resources only: a wildcard
    # action added to it stays a finding.
    from cdk_sagemaker_pipelines.cdk._acknowledge import acknowledge_wildcards

    stack = new_stack()
    statement = iam.PolicyStatement(
        actions=["sagemaker:Describe*"], resources=[f"{SM}:model-package/churn/*"]
    )
    policy = iam.ManagedPolicy(stack, "Policy", statements=[statement])
    ids = acknowledge_wildcards(policy, [statement], "a test", resources="versions")
    assert ids == [f"{WILDCARD_RULE}[Resource::{SM}:model-package/churn/*]"]


def test_a_statement_added_to_a_kept_policy_keeps_its_wildcards_findings():
    # The properties hand out the kept policy, to which a user may add statements of their
    # own. An acknowledgment names a wildcard, not a statement: one made for the grant's
    # model-package/churn/* (or the bucket's objects) would hide the same wildcard in a
    # statement deleting versions (or writing objects). Those findings must stay findings,
    # failing synth under cdk-nag; the wildcards only the grant holds stay acknowledged.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    role = iam.Role.from_role_arn(stack, "Locked", LOCKED_ARN, mutable=False)
    registry = _registry(stack)
    registry.grant_approve(role)
    registry.grant_read(role)
    store = ArtifactStore(stack, "Store")
    store.grant_read(role)
    store.grant_read_models(role)
    versions = f"{SM}:model-package/churn/*"
    assert registry.read_policy is not None
    assert registry.approve_policy is not None
    assert store.read_models_policy is not None
    delete = ["sagemaker:DeleteModelPackage"]
    registry.approve_policy.add_statements(
        iam.PolicyStatement(actions=delete, resources=[versions])
    )
    # The grant's resources exactly: aws-cdk-lib merges it into the grant's statement
    # (minimizePolicies), which then allows deleting too.
    group = f"{SM}:model-package-group/churn"
    registry.read_policy.add_statements(
        iam.PolicyStatement(actions=delete, resources=[group, versions])
    )
    read = store.read_policies["*"]
    read.add_statements(
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[store.bucket.arn_for_objects("*")])
    )
    store.read_models_policy.add_statements(
        iam.PolicyStatement(
            actions=["s3:DeleteObject"], resources=[store.bucket.arn_for_objects("models/*")]
        ),
        # A deny names no finding of its own: the grant's wildcards stay acknowledged.
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["s3:GetObject*"],
            resources=[store.bucket.arn_for_objects("sealed/*")],
        ),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    bucket = f"<{logical_id(store.bucket)}.Arn>"
    for _ in range(2):  # a second synth (Template.from_stack after Annotations) as the first
        with pytest.raises(RuntimeError, match="ValidationFailed") as raised:
            app.synth(force=True)
        findings = re.findall(r"(\S+/Resource) .*\n.*'AwsSolutions::(.*)'", str(raised.value))
        assert sorted(findings) == [
            (
                "Test/Store/ReadModelsPolicy/Resource",
                f"{WILDCARD_RULE}[Resource::{bucket}/models/*]",
            ),
            ("Test/Store/ReadPolicy/Resource", f"{WILDCARD_RULE}[Resource::{bucket}/*]"),
            ("Test/Subject/ApprovePolicy/Resource", f"{WILDCARD_RULE}[Resource::{versions}]"),
            ("Test/Subject/ReadPolicy/Resource", f"{WILDCARD_RULE}[Resource::{versions}]"),
        ]
    # The wildcards the grant alone holds (s3:GetObject* …) stay acknowledged.
    assert sorted(_acknowledged(read)) == sorted(
        f"Annotation::{WILDCARD_RULE}[{wildcard}]" for wildcard in BUCKET_READ
    )
    assert f"Annotation::{WILDCARD_RULE}[Resource::{bucket}/sealed/*]" in _acknowledged(
        store.read_models_policy
    )


# -- the typed way to each kept policy -------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_kept_policy_has_a_typed_property(case: Case):
    stack = new_stack()
    subject = case.build(stack)
    assert case.kept(subject) is None  # nothing kept before a grant
    case.grant(subject, iam.Role.from_role_arn(stack, "Mutable", LOCKED_ARN))
    assert case.kept(subject) is None  # a mutable role got the statements
    case.grant(subject, iam.Role.from_role_arn(stack, "Locked", LOCKED_ARN, mutable=False))
    kept = case.kept(subject)
    assert isinstance(kept, iam.ManagedPolicy)
    assert kept.node.path == subject.node.find_child(case.policy_id).node.path


def test_artifact_store_read_policies_are_by_key_pattern():
    stack = new_stack()
    store = _store(stack)
    for name, pattern in (("All", "*"), ("Reports", "reports/*")):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        store.grant_read(iam.Role.from_role_arn(stack, name, arn, mutable=False), pattern)
    assert {pattern: p.node.id for pattern, p in store.read_policies.items()} == {
        "*": "ReadPolicy",
        "reports/*": "ReadPolicy" + hashlib.sha256(b"reports/*").hexdigest()[:8],
    }


# -- a role of another account ----------------------------------------------------------------

OTHER_ACCOUNT = "444455556666"
OTHER_ARN = f"arn:aws:iam::{OTHER_ACCOUNT}:role/ml-readers"


def _warnings(construct: Construct, warning_id: str) -> list[str]:
    return [
        str(entry.data)
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:warning" and f"cdk-sagemaker-pipelines:{warning_id}" in entry.data
    ]


@pytest.mark.parametrize("mutable", [True, False], ids=["mutable", "immutable"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_role_of_another_account_gets_no_policy_and_a_warning_saying_what_to_do(
    case: Case, mutable: bool
):
    # aws-cdk-lib imports any role of another account as immutable, whatever mutable says:
    # a policy of this account could never be attached to it.
    stack = new_stack()
    subject = case.build(stack)
    case.grant(subject, iam.Role.from_role_arn(stack, "Other", OTHER_ARN, mutable=mutable))
    assert subject.node.try_find_child(case.policy_id) is None
    assert case.kept(subject) is None
    assert _warnings(subject, "immutable-role") == []
    (warning,) = _warnings(subject, "other-account-role")
    assert warning.startswith(
        f"{case.method} was given role {OTHER_ARN} (Test/Other) of account {OTHER_ACCOUNT}, "
        f"but this stack deploys to account {ACCOUNT}, whose managed policies IAM can't "
        f"attach to it: no policy is made for it. A policy of account {OTHER_ACCOUNT} must "
        "allow the role the same ("
    )
    # What the resource side needs, or what to do instead, by construct.
    instead = {
        "store": "the bucket's and the key's policies must name it too",
        "registry": {
            "grant_read": f"share_with_account('{OTHER_ACCOUNT}')",
            "grant_register": f"allow_registration_from('{OTHER_ACCOUNT}')",
            "grant_approve": "give grant_approve a role of this account",
        }.get(case.method, ""),
        "endpoint": "a SageMaker endpoint has no resource policy",
        "async_endpoint": "a SageMaker endpoint has no resource policy",
        "component_endpoint": "a SageMaker endpoint has no resource policy",
        "pipeline": f"share the pipeline with account {OTHER_ACCOUNT} through AWS RAM",
    }[case.build.__name__.lstrip("_")]
    assert instead in warning


def test_a_role_of_the_imported_pipelines_own_account_needs_no_resource_side():
    # A pipeline imported by ARN from the role's account: a policy of that account is all
    # the role needs. Sharing the pipeline with its own account through AWS RAM is no advice.
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_arn(
        stack, "Imported", f"arn:aws:sagemaker:{REGION}:{OTHER_ACCOUNT}:pipeline/churn"
    )
    pipeline.grant_start_pipeline_execution(iam.Role.from_role_arn(stack, "Other", OTHER_ARN))
    assert pipeline.start_pipeline_execution_policy is None
    (warning,) = _warnings(pipeline, "other-account-role")
    assert "AWS RAM" not in warning
    assert warning.endswith(
        f"before it starts executions; and nothing more: Test/Imported is of account "
        f"{OTHER_ACCOUNT} too. [ack: cdk-sagemaker-pipelines:other-account-role]"
    )


def test_a_role_of_an_unknown_account_is_taken_for_this_accounts():
    # An environment-agnostic stack's account is known only at deploy: the policy is kept,
    # as for a role of this account (aws-cdk-lib takes it so too).
    stack = new_stack(account=None, region=None)
    registry = _registry(stack)
    registry.grant_read(iam.Role.from_role_arn(stack, "Other", OTHER_ARN, mutable=False))
    assert registry.read_policy is not None
    assert len(_warnings(registry, "immutable-role")) == 1
    assert _warnings(registry, "other-account-role") == []
