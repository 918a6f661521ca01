"""``ModelRegistry``: the group, grants, cross-account sharing and events."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline
from cdk_sagemaker_pipelines.definition import (
    Image,
    PipelineDefinition,
    PipelineDefinitionError,
    RegisterModel,
)
from cdk_sagemaker_pipelines.template import pipeline_definitions
from constructs import Construct
from tests.cdk.assembly import flatten, logical_id_paths, reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp, cdk_context, new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    grantee_statements,
    logical_id,
    resource,
    steps_by_name,
    synthesized,
)
from tests.cdk.test_policies import add_nag_packs

SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
READERS = ["444455556666", "777788889999"]
MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"


class Built:
    def __init__(self, stack: cdk.Stack, registry: ModelRegistry, **roles: iam.Role) -> None:
        self.stack = stack
        self.registry = registry
        self.roles = roles
        self.template = Template.from_stack(stack)
        self.group = resource(self.template, logical_id(registry.cfn_model_package_group))


@pytest.fixture(scope="module")
def default() -> Built:
    stack = new_stack()
    return Built(stack, ModelRegistry(stack, "Registry"))


@pytest.fixture(scope="module")
def shared() -> Built:
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    registry = ModelRegistry(
        stack,
        "Registry",
        model_package_group_name="churn-models",
        description="Churn classifiers",
        artifact_store=store,
        shared_with_accounts=[READERS[0]],
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    registry.share_with_account(READERS[1])
    registry.share_with_account(READERS[0])  # again: nothing changes
    roles = {
        name: iam.Role(stack, name, assumed_by=iam.AccountRootPrincipal())
        for name in ("Register", "Read", "Approve")
    }
    registry.grant_register(roles["Register"])
    registry.grant_read(roles["Read"])
    registry.grant_approve(roles["Approve"])
    registry.on_model_package_state_change("AnyChange")
    registry.on_model_package_state_change(
        "Rejected", approval_statuses=["Rejected"], description="rejected versions"
    )
    registry.on_model_approved("Approved")
    return Built(stack, registry, **roles)


def test_generated_name_is_lowercase_valid_and_stable(default: Built):
    name = default.group["Properties"]["ModelPackageGroupName"]
    assert name == default.registry.model_package_group_name == "test-registry-b774a839"
    assert re.fullmatch(r"[a-z0-9](-*[a-z0-9]){0,62}", name)
    assert ModelRegistry(new_stack(), "Registry").model_package_group_name == name


def test_generated_name_of_a_deep_construct_path_fits_the_63_characters_of_a_group_name():
    registry = ModelRegistry(Construct(new_stack(), "Models" * 20), "Registry" * 10)
    name = registry.model_package_group_name
    assert len(name) <= 63


def test_defaults_retain_the_group_without_policy_or_description(default: Built):
    assert default.group["DeletionPolicy"] == default.group["UpdateReplacePolicy"] == "Retain"
    assert set(default.group["Properties"]) == {"ModelPackageGroupName"}


def test_a_description_as_long_as_the_service_takes():
    registry = ModelRegistry(new_stack(), "Registry", description="d" * 1024)
    assert registry.cfn_model_package_group.model_package_group_description == "d" * 1024


def test_given_name_description_and_removal_policy(shared: Built):
    properties = shared.group["Properties"]
    assert properties["ModelPackageGroupName"] == "churn-models"
    assert properties["ModelPackageGroupDescription"] == "Churn classifiers"
    assert shared.group["DeletionPolicy"] == shared.group["UpdateReplacePolicy"] == "Delete"
    assert shared.registry.model_package_group_arn == f"{SM}:model-package-group/churn-models"
    assert shared.registry.model_packages_arn == f"{SM}:model-package/churn-models/*"


def test_grant_register_only_pending_manual_approval(shared: Built):
    assert grantee_statements(shared.template, shared.roles["Register"]) == [
        {
            "Action": "sagemaker:CreateModelPackage",
            "Condition": {
                "StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}
            },
            "Effect": "Allow",
            "Resource": [
                f"{SM}:model-package-group/churn-models",
                f"{SM}:model-package/churn-models/*",
            ],
        }
    ]


def test_grant_read(shared: Built):
    assert grantee_statements(shared.template, shared.roles["Read"]) == [
        {
            "Action": [
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:ListModelPackages",
            ],
            "Effect": "Allow",
            "Resource": [
                f"{SM}:model-package-group/churn-models",
                f"{SM}:model-package/churn-models/*",
            ],
        }
    ]


def test_grant_approve(shared: Built):
    assert grantee_statements(shared.template, shared.roles["Approve"]) == [
        {
            "Action": ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"],
            "Effect": "Allow",
            "Resource": f"{SM}:model-package/churn-models/*",
        }
    ]


APPROVERS_ARN = f"arn:aws:iam::{ACCOUNT}:role/people/ml-approvers"
IMMUTABLE_WARNING = (
    f"grant_approve was given role {APPROVERS_ARN} (Test/Approvers), imported with "
    "mutable=False (or without_policy_updates()), so its statement "
    "(sagemaker:UpdateModelPackage and sagemaker:DescribeModelPackage on the group's versions) "
    "is in managed policy Test/Registry/ApprovePolicy, not attached to it: attach that policy "
    "to the role (or its permission set), or make sure the role already allows the same, "
    "before it approves versions."
)


def test_grant_approve_to_an_immutable_role_puts_it_in_a_policy_to_attach_and_warns():
    # aws-cdk-lib drops a grant to a role imported with mutable=False (its Grant says it
    # succeeded): the statement must exist somewhere, named for whoever manages the role.
    stack = new_stack()
    app = stack.node.root
    assert isinstance(app, cdk.App)
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn-models")
    assert registry.approve_policy is None
    approvers = iam.Role.from_role_arn(stack, "Approvers", APPROVERS_ARN, mutable=False)
    registry.grant_approve(approvers)
    release = iam.Role.from_role_arn(stack, "Release", f"arn:aws:iam::{ACCOUNT}:role/release")
    registry.grant_approve(release)  # mutable: attached as before, not in the policy
    # Its inline policy's findings are the app's to acknowledge (docs/constructs.md).
    cdk.Validations.of(release).acknowledge(
        cdk.Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::{SM}:model-package/churn-models/*]",
            reason="versions of the group",
        ),
        cdk.Acknowledgment(id="NIST.800.53.R5-IAMNoInlinePolicy", reason="a test"),
    )
    store = ArtifactStore(stack, "Store")
    add_nag_packs(app, store)  # the policy's wildcard acknowledged: synth passes the packs
    template, annotations = synthesized(stack)

    assert registry.approve_policy is not None
    policy = resource(template, logical_id(registry.approve_policy))["Properties"]
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "ApproveModelVersions",
            "Action": ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"],
            "Effect": "Allow",
            "Resource": f"{SM}:model-package/churn-models/*",
        }
    ]
    assert not {"Roles", "Users", "Groups"} & set(policy)  # left for them to attach
    warnings = annotations.find_warning("/Test/Registry", Match.any_value())
    assert [w.entry.data for w in warnings] == [
        f"{IMMUTABLE_WARNING} [ack: cdk-sagemaker-pipelines:immutable-role]"
    ]
    inline = template.find_resources("AWS::IAM::Policy")
    assert [p["Properties"]["Roles"] for p in inline.values()] == [["release"]]


def _principals() -> dict[str, Any]:
    return {"AWS": [f"arn:aws:iam::{account}:root" for account in READERS]}


def test_sharing_writes_the_group_policy_once_per_account(shared: Built):
    assert shared.group["Properties"]["ModelPackageGroupPolicy"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ShareModelGroup",
                "Effect": "Allow",
                "Principal": _principals(),
                "Action": ["sagemaker:DescribeModelPackageGroup"],
                "Resource": f"{SM}:model-package-group/churn-models",
            },
            {
                "Sid": "ShareModelVersions",
                "Effect": "Allow",
                "Principal": _principals(),
                # What AWS's cross-account deployment guide lists for a consumer, bar
                # UpdateModelPackage: approving stays with the owning account.
                "Action": [
                    "sagemaker:DescribeModelPackage",
                    "sagemaker:ListModelPackages",
                    "sagemaker:CreateModel",
                ],
                "Resource": f"{SM}:model-package/churn-models/*",
            },
        ],
    }


def test_sharing_lets_the_accounts_read_models_and_decrypt_them(shared: Built):
    store = shared.registry.artifact_store
    assert store is not None
    bucket = logical_id(store.bucket)
    (policy,) = shared.template.find_resources(
        "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": bucket}}}
    ).values()
    arn = {"Fn::GetAtt": [bucket, "Arn"]}
    # models/ only: no listing of other keys, no bucket configuration or policy (after the
    # store's own TLS-only and KMS-only statements).
    # After the TLS, encryption and key denies.
    assert policy["Properties"]["PolicyDocument"]["Statement"][3:] == [
        {
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Effect": "Allow",
            "Principal": _principals(),
            "Resource": [
                {"Fn::Join": ["", [arn, "/models/*"]]},
                {"Fn::Join": ["", [arn, "/sealed/*"]]},
            ],
        },
        {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": ["models/*", "sealed/*"]}},
            "Effect": "Allow",
            "Principal": _principals(),
            "Resource": arn,
        },
        {
            "Action": "s3:GetBucketLocation",
            "Effect": "Allow",
            "Principal": _principals(),
            "Resource": arn,
        },
    ]
    key = resource(shared.template, logical_id(store.key))
    # Decrypt only through S3, which applies the bucket policy: not the key's other data.
    assert key["Properties"]["KeyPolicy"]["Statement"][1:] == [
        {
            "Action": "kms:Decrypt",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": {
                        "Fn::Join": [
                            "",
                            ["s3.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}],
                        ]
                    }
                }
            },
            "Effect": "Allow",
            "Principal": _principals(),
            "Resource": "*",
        },
        {
            "Action": "kms:DescribeKey",
            "Effect": "Allow",
            "Principal": _principals(),
            "Resource": "*",
        },
    ]


def test_sharing_with_the_account_of_the_registrys_store_leaves_the_store_as_it_is():
    # A central registry whose models live in the training account's store, shared with the
    # training account too (it deploys): that account reads its own store already.
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(training, "Store")
    models = cdk.Stack(app, "Models", env=cdk.Environment(account=READERS[1], region=REGION))
    registry = ModelRegistry(
        models, "Registry", artifact_store=store, shared_with_accounts=[ACCOUNT, READERS[0]]
    )
    (group, _versions) = _group_policy(registry)["Statement"]
    assert group["Principal"] == {
        "AWS": [f"arn:aws:iam::{account}:root" for account in (ACCOUNT, READERS[0])]
    }
    assert store.models_shared_with == [READERS[0]]


def test_sharing_without_an_artifact_store_only_shares_the_group():
    stack = new_stack()
    registry = ModelRegistry(stack, "Registry", shared_with_accounts=READERS)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::BucketPolicy", 0)
    group = resource(template, logical_id(registry.cfn_model_package_group))
    assert group["Properties"]["ModelPackageGroupPolicy"]["Statement"][0]["Principal"] == (
        _principals()
    )


# -- the registry's artifact store and the pipelines that register in it ------------------------

STORE_WARNING = "cdk-sagemaker-pipelines:registry-artifact-store"


def _registering(stack: cdk.Stack, group: str, store: ArtifactStore | None) -> Pipeline:
    register = RegisterModel(
        name="Register",
        model_package_group_name=group,
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
    )
    return Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[register]), artifact_store=store
    )


def _store_warnings(of: cdk.Stack | Annotations) -> list[str]:
    """The store warnings of a stack (synthesizing its app) or of annotations read already."""
    annotations = Annotations.from_stack(of) if isinstance(of, cdk.Stack) else of
    found = annotations.find_warning("*", Match.string_like_regexp(STORE_WARNING))
    return [f"{entry.id}: {entry.entry.data}" for entry in found]


def test_a_pipeline_with_another_store_than_its_registry_is_warned():
    # The Pipeline without artifact_store gets a store of its own; sharing the registry
    # would share the other store's models/.
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    registry = ModelRegistry(stack, "Registry", artifact_store=store)
    _registering(stack, registry.model_package_group_name, None)
    assert _store_warnings(stack) == [
        "/Test/Training: The pipeline registers versions in ModelRegistry Test/Registry, whose "
        "artifact_store is Test/Store, but writes its models to artifact store "
        "Test/Training/Artifacts: share_with_account shares models/ of Test/Store, so accounts "
        "the registry is shared with can't read this pipeline's models. Give the Pipeline and "
        "the ModelRegistry the same artifact_store (or share the pipeline's store with those "
        "accounts yourself, pipeline.artifact_store.share_models_with(account), and acknowledge "
        f"this). [ack: {STORE_WARNING}]"
    ]


def test_a_registry_created_after_its_pipeline_is_checked_too():
    stack = new_stack()
    _registering(stack, "churn-models", ArtifactStore(stack, "PipelineStore"))
    ModelRegistry(
        stack,
        "Registry",
        model_package_group_name="churn-models",
        artifact_store=ArtifactStore(stack, "Store"),
    )
    assert [warning.split(":")[0] for warning in _store_warnings(stack)] == ["/Test/Training"]


def test_a_pipeline_and_registry_sharing_a_store_are_not_warned():
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    registry = ModelRegistry(stack, "Registry", artifact_store=store, shared_with_accounts=READERS)
    _registering(stack, registry.model_package_group_name, store)
    # Another group: not this registry's pipeline.
    other = new_stack()
    ModelRegistry(other, "Registry", artifact_store=ArtifactStore(other, "Store"))
    _registering(other, "other-models", None)
    assert _store_warnings(stack) == []
    assert _store_warnings(other) == []


def test_a_pipeline_registering_by_name_is_linked_to_its_own_stacks_registry_only():
    # A team's dev stack left environment-agnostic and its prod stack, each with its own
    # store, registry (one group name per environment) and pipeline: a name means the
    # group of the pipeline's own stack, not the other environment's group of that name,
    # which the dev stack merely *may* share an account with.
    app = new_app()
    stacks = [
        cdk.Stack(app, "Dev"),
        cdk.Stack(app, "Prod", env=cdk.Environment(account=ACCOUNT, region=REGION)),
    ]
    for stack in stacks:
        store = ArtifactStore(stack, "Store")
        registry = ModelRegistry(
            stack,
            "Registry",
            artifact_store=store,
            model_package_group_name="team-churn",
            shared_with_accounts=READERS,
        )
        _registering(stack, registry.model_package_group_name, store)
    assert [_store_warnings(stack) for stack in stacks] == [[], []]


def test_a_registry_created_after_its_pipeline_in_another_environment_is_not_linked():
    # The prod registry of the same group name, created after the dev pipeline that
    # registers in its own stack's group: not the dev pipeline's registry.
    app = new_app()
    dev = cdk.Stack(app, "Dev")
    store = ArtifactStore(dev, "Store")
    ModelRegistry(dev, "Registry", artifact_store=store, model_package_group_name="team-churn")
    _registering(dev, "team-churn", store)
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=ACCOUNT, region=REGION))
    ModelRegistry(
        prod,
        "Registry",
        artifact_store=ArtifactStore(prod, "Store"),
        model_package_group_name="team-churn",
        shared_with_accounts=READERS,
    )
    assert _store_warnings(dev) == []


def test_a_shared_registry_without_a_store_is_warned_once_shared():
    stack = new_stack()
    registry = ModelRegistry(stack, "Registry")
    _registering(stack, registry.model_package_group_name, ArtifactStore(stack, "Store"))
    assert _store_warnings(stack) == []
    registry.share_with_account(READERS[0])
    registry.share_with_account(READERS[1])
    assert _store_warnings(stack) == [
        f"/Test/Registry: The registry is shared with {READERS[0]}, but has no artifact_store: "
        "those accounts can't read the models pipeline Test/Training writes to its artifact "
        "store Test/Store. Pass artifact_store= (the pipeline's) to the ModelRegistry. "
        f"[ack: {STORE_WARNING}]"
    ]


def test_a_registry_shared_with_an_adopted_imported_store_names_what_its_owner_must_add():
    # The store can't change an imported bucket's or key's policy: sharing the registry
    # still shares the group, and says which statements the bucket's owner must add.
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3

    stack = new_stack()
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    store = ArtifactStore.from_existing(
        stack,
        "Store",
        bucket=s3.Bucket.from_bucket_name(stack, "Central", "acme-ml-artifacts"),
        key=kms.Key.from_key_arn(stack, "CentralKey", key_arn),
    )
    registry = ModelRegistry(
        stack, "Registry", artifact_store=store, shared_with_accounts=READERS[:1]
    )
    _registering(stack, registry.model_package_group_name, store)
    assert store.models_shared_with == READERS[:1]
    annotations = Annotations.from_stack(stack)  # one synthesis for every read below
    found = annotations.find_warning(
        "/Test/Store", Match.string_like_regexp("adopted-store-not-shared")
    )
    (warning,) = [str(entry.entry.data) for entry in found]
    assert warning.startswith(
        f"share_models_with({READERS[0]}): the store's bucket and key are imported, and this "
        f"app can't change their policies: {READERS[0]} can't read models/ until their owner "
        "adds to the policy of bucket acme-ml-artifacts: "
    )
    assert f"to the policy of key {key_arn}: allow {READERS[0]} kms:Decrypt" in warning
    assert _store_warnings(annotations) == []  # the pipeline writes to the registry's store
    group = resource(Template.from_stack(stack), logical_id(registry.cfn_model_package_group))
    assert group["Properties"]["ModelPackageGroupPolicy"]["Statement"][0]["Principal"] == {
        "AWS": [f"arn:aws:iam::{READERS[0]}:root"]
    }


# -- a registry of another account ---------------------------------------------------------

SHARED_ENV = cdk.Environment(account="333344445555", region=REGION)


def _central_registry(
    dev_region: str = REGION, **props: Any
) -> tuple[cdk.App, ModelRegistry, cdk.Stack]:
    """A registry of group 'churn' in the shared account's stack, and a Dev stack of ACCOUNT."""
    app = new_app()
    models = cdk.Stack(app, "Models", env=SHARED_ENV)
    registry = ModelRegistry(models, "Registry", model_package_group_name="churn", **props)
    dev = cdk.Stack(app, "Dev", env=cdk.Environment(account=ACCOUNT, region=dev_region))
    return app, registry, dev


def _registration_statements(pipeline: Pipeline) -> dict[str, Any]:
    stack = cdk.Stack.of(pipeline)
    assert pipeline.role_policy is not None
    document = stack.resolve(pipeline.role_policy.document.to_json())
    return {
        statement["Sid"]: statement["Resource"]
        for statement in document["Statement"]
        if statement["Sid"] in ("RegisterModelVersionsPendingApproval", "DescribeModelVersions")
    }


def test_a_group_given_by_the_arn_of_another_accounts_registry_is_granted_there():
    # Registering in another account's group takes its ARN. The ARN used to be put in
    # place of a name (…:111122223333:model-package-group/arn:…), which matches nothing:
    # every registration failed with AccessDenied.
    app = cdk.App()
    registry = ModelRegistry(
        cdk.Stack(app, "Models", env=SHARED_ENV), "Registry", model_package_group_name="churn"
    )
    stack = cdk.Stack(app, "Prod", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = _registering(stack, registry.model_package_group_arn, None)

    def arn(resource: str) -> dict[str, Any]:
        tail = f":sagemaker:us-east-1:333344445555:{resource}"
        return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, tail]]}

    found = _registration_statements(pipeline)
    assert sorted(map(json.dumps, found["RegisterModelVersionsPendingApproval"])) == sorted(
        map(json.dumps, [arn("model-package-group/churn"), arn("model-package/churn/*")])
    )
    assert found["DescribeModelVersions"] == arn("model-package/churn/*")


def test_a_group_given_by_a_literal_arn_is_granted_in_its_account():
    pipeline = _registering(
        new_stack(), "arn:aws:sagemaker:us-east-1:333344445555:model-package-group/churn", None
    )
    found = _registration_statements(pipeline)
    assert sorted(found["RegisterModelVersionsPendingApproval"]) == [
        "arn:aws:sagemaker:us-east-1:333344445555:model-package-group/churn",
        "arn:aws:sagemaker:us-east-1:333344445555:model-package/churn/*",
    ]
    assert found["DescribeModelVersions"] == (
        "arn:aws:sagemaker:us-east-1:333344445555:model-package/churn/*"
    )


@pytest.mark.parametrize("registry_first", [True, False])
def test_fails_a_registration_by_name_in_another_accounts_registry(registry_first: bool):
    # The name means a group of the pipeline's own account, where there is none: every
    # registration would fail at run time.
    app = cdk.App()
    models = cdk.Stack(app, "Models", env=SHARED_ENV)
    stack = cdk.Stack(app, "Prod", env=cdk.Environment(account=ACCOUNT, region=REGION))

    if registry_first:
        registry = ModelRegistry(models, "Registry", model_package_group_name="churn")
        _registering(stack, registry.model_package_group_name, None)
    else:
        _registering(stack, "churn", None)
        ModelRegistry(models, "Registry", model_package_group_name="churn")

    # Judged at synth: a registry of the name may yet be created in the pipeline's account.
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert (
        "Pipeline Prod/Training has 1 problem:\n- step 'Register' field "
        "'Arguments.ModelPackageGroupName': 'churn' is the group of ModelRegistry "
        "Models/Registry, in account 333344445555 region us-east-1, but the pipeline's stack is "
        f"in account {ACCOUNT} region us-east-1: a group name means a group of account "
        f"{ACCOUNT} region us-east-1, which has none, so every registration would fail (give "
        "the group's ARN (model_package_group_name=registry.model_package_group_arn), and let "
        f"its account register: registry.allow_registration_from('{ACCOUNT}'))"
    ) in str(raised.value)


@pytest.mark.parametrize("registry_first", [True, False])
def test_each_environment_registers_in_its_own_registry_of_the_same_name(registry_first: bool):
    # One stage per environment, each with a registry of the same group name: each
    # pipeline's name means its own environment's group, not another stage's.
    app = cdk.App()
    stacks = []
    for name, account in (("dev", ACCOUNT), ("prod", SHARED_ENV.account)):
        stage = cdk.Stage(app, name, env=cdk.Environment(account=account, region=REGION))
        stack = cdk.Stack(stage, "MlOps")
        store = ArtifactStore(stack, "Store")
        if registry_first:
            ModelRegistry(stack, "Registry", model_package_group_name="churn", artifact_store=store)
            _registering(stack, "churn", store)
        else:
            _registering(stack, "churn", store)
            ModelRegistry(stack, "Registry", model_package_group_name="churn", artifact_store=store)
        stacks.append(stack)
    # Nor does another stage's registry, with another store, warn of a store mismatch.
    # (Annotations.from_stack synthesizes the app, as app.synth() would: it fails alike.)
    assert [_store_warnings(stack) for stack in stacks] == [[], []]


@pytest.mark.parametrize("same_environment", [True, False])
def test_fails_two_registries_of_one_group_name_in_one_environment(same_environment: bool):
    # Group names are unique per account and region: the second would fail at deploy time.
    app = new_app()
    first = cdk.Stack(app, "Models", env=cdk.Environment(account=ACCOUNT, region=REGION))
    ModelRegistry(first, "Registry", model_package_group_name="churn")
    env = cdk.Environment(account=ACCOUNT if same_environment else "333344445555", region=REGION)
    second = cdk.Stack(app, "More", env=env)
    if not same_environment:  # one group per environment, as in an app of one stage each
        ModelRegistry(second, "Registry", model_package_group_name="churn")
        return
    with pytest.raises(PipelineDefinitionError) as raised:
        ModelRegistry(second, "Registry", model_package_group_name="churn")
    assert str(raised.value) == (
        "ModelRegistry More/Registry has 1 problem:\n- prop 'model_package_group_name': "
        f"'churn' is also the group of ModelRegistry Models/Registry, in the same account "
        f"{ACCOUNT} and region {REGION}: the second group would fail to create at deploy time "
        "(give each registry its own name, or share one registry (pass it around, or register "
        "in it by name from the other pipelines))"
    )


def test_two_registries_of_one_group_name_in_stacks_of_unknown_regions_are_not_judged():
    # One account, regions known only at deploy time: maybe two regions, each with its group.
    app = new_app()
    for stack_id in ("Models", "More"):
        stack = cdk.Stack(app, stack_id, env=cdk.Environment(account=ACCOUNT))
        ModelRegistry(stack, "Registry", model_package_group_name="churn")


def test_the_registries_of_a_name_are_found_in_the_app_without_searching_its_tree(
    monkeypatch: pytest.MonkeyPatch,
):
    # Each pipeline asks for the registries of its groups twice while it is built and once
    # at synth: a search of the whole app (node.find_all(), a reference per construct) for
    # each made an app of many pipelines spend time quadratic in them (0.57 s of 8.5 s for
    # 20 pipelines of one registry).
    from cdk_sagemaker_pipelines.cdk.registry import registries_named
    from constructs import Node

    app = new_app()
    stack = cdk.Stack(app, "Models", env=cdk.Environment(account=ACCOUNT, region=REGION))
    churn = ModelRegistry(stack, "Churn", model_package_group_name="churn")
    bad: Any = 42
    with pytest.raises(PipelineDefinitionError):  # taken out of the tree again
        ModelRegistry(stack, "Failed", model_package_group_name="churn", removal_policy=bad)
    other_app = new_app()
    ModelRegistry(cdk.Stack(other_app, "Models"), "Churn", model_package_group_name="churn")

    def no_search(self: Node) -> list[Any]:
        raise AssertionError("the tree was searched")

    with monkeypatch.context() as patched:
        patched.setattr(Node, "find_all", no_search)
        assert registries_named(stack, ["churn"]) == [churn]
        assert registries_named(stack, ["fraud"]) == []
    # Several of the names: as the tree lists them, which it is searched for.
    fraud = ModelRegistry(cdk.Stack(app, "Fraud"), "Registry", model_package_group_name="fraud")
    assert registries_named(stack, ["fraud", "churn"]) == [churn, fraud]


def _group_policy(registry: ModelRegistry) -> Any:
    stack = cdk.Stack.of(registry)
    return stack.resolve(registry.cfn_model_package_group.model_package_group_policy)


def test_allow_registration_from_lets_the_account_register_pending_versions_only():
    app = new_app()
    registry = ModelRegistry(
        cdk.Stack(app, "Models", env=SHARED_ENV),
        "Registry",
        model_package_group_name="churn",
        registering_accounts=[ACCOUNT],
    )
    registry.allow_registration_from(ACCOUNT)  # once per account
    registry.share_with_account(READERS[0])
    group = "arn:aws:sagemaker:us-east-1:333344445555:model-package-group/churn"
    versions = "arn:aws:sagemaker:us-east-1:333344445555:model-package/churn/*"
    registrant = {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}
    reader = {"AWS": [f"arn:aws:iam::{READERS[0]}:root"]}
    assert _group_policy(registry)["Statement"] == [
        {
            "Sid": "ShareModelGroup",
            "Effect": "Allow",
            "Principal": reader,
            "Action": ["sagemaker:DescribeModelPackageGroup"],
            "Resource": group,
        },
        {
            "Sid": "ShareModelVersions",
            "Effect": "Allow",
            "Principal": reader,
            "Action": [
                "sagemaker:DescribeModelPackage",
                "sagemaker:ListModelPackages",
                "sagemaker:CreateModel",
            ],
            "Resource": versions,
        },
        {
            # Approving stays with the registry's account: no UpdateModelPackage.
            "Sid": "RegisterModelVersionsPendingApproval",
            "Effect": "Allow",
            "Principal": registrant,
            "Action": ["sagemaker:CreateModelPackage"],
            "Resource": [group, versions],
            "Condition": {
                "StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}
            },
        },
        {
            "Sid": "DescribeRegisteredVersions",
            "Effect": "Allow",
            "Principal": registrant,
            "Action": ["sagemaker:DescribeModelPackage"],
            "Resource": versions,
        },
    ]


def test_a_registry_that_allows_registration_only_shares_nothing_else():
    registry = ModelRegistry(
        cdk.Stack(new_app(), "Models", env=SHARED_ENV), "Registry", artifact_store=None
    )
    registry.allow_registration_from(ACCOUNT)
    assert [statement["Sid"] for statement in _group_policy(registry)["Statement"]] == [
        "RegisterModelVersionsPendingApproval",
        "DescribeRegisteredVersions",
    ]


@pytest.mark.parametrize("allowed", [True, False])
def test_fails_synth_when_another_accounts_pipeline_may_not_register(allowed: bool):
    # Both the pipeline's role and the group's policy must allow a cross-account
    # registration: without the policy, every registration is denied at run time.
    app = new_app()
    registry = ModelRegistry(
        cdk.Stack(app, "Models", env=SHARED_ENV), "Registry", model_package_group_name="churn"
    )
    stack = cdk.Stack(app, "Prod", env=cdk.Environment(account=ACCOUNT, region=REGION))
    _registering(stack, registry.model_package_group_arn, None)
    if allowed:
        registry.allow_registration_from(ACCOUNT)  # after the pipeline: judged at synth
        app.synth()
        return
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert (
        f"Pipeline Prod/Training of account {ACCOUNT} registers versions in this group (step "
        f"'Register'), but the group's policy doesn't let account {ACCOUNT} register: every "
        f"registration would be denied (call registry.allow_registration_from('{ACCOUNT}'), "
        f"or give registering_accounts=['{ACCOUNT}'])"
    ) in str(raised.value)
    assert "Models/Registry" in str(raised.value)


@pytest.mark.parametrize("approver", ["role", "step_role", "release"])
def test_fails_synth_when_a_registering_pipelines_role_may_approve(approver: str):
    # Separation of duties: the pipeline registers pending approval only; granting approval
    # to a role it runs as (before the pipeline exists, too) would let its jobs approve their
    # own models.
    app = new_app()
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn")
    release = iam.Role(stack, "Release", assumed_by=iam.AccountRootPrincipal())
    step_role = iam.Role(stack, "Jobs", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    if approver == "step_role":
        registry.grant_approve(step_role)
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[register]), step_role=step_role
    )
    registry.grant_approve(pipeline.role if approver == "role" else release)
    if approver == "release":
        app.synth()
        return
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert (
        f"grant_approve was given the {approver} of Pipeline Ml/Training, which registers "
        "versions in this group: its jobs could approve their own models"
    ) in str(raised.value)
    assert "Ml/Registry" in str(raised.value)


def test_fails_allowing_registration_from_the_registrys_own_account():
    registry = ModelRegistry(cdk.Stack(new_app(), "Models", env=SHARED_ENV), "Registry")
    with pytest.raises(PipelineDefinitionError) as raised:
        registry.allow_registration_from("333344445555")
    assert str(raised.value) == (
        "ModelRegistry Models/Registry.allow_registration_from has 1 problem:\n"
        "- prop 'account_id': 333344445555 is this stack's own account, which owns the "
        "registry (roles of this account need no group policy: grant_register)"
    )
    with pytest.raises(PipelineDefinitionError, match=r"prop 'registering_accounts': "):
        ModelRegistry(new_stack(), "Registry", registering_accounts=["4444"])


LITERAL_GROUP_ARN = f"arn:aws:sagemaker:{REGION}:333344445555:model-package-group/churn"


@pytest.mark.parametrize("partition_literals", [True, False])
@pytest.mark.parametrize("registry_first", [True, False])
def test_a_group_arn_written_out_names_the_registry_of_this_app(
    registry_first: bool, partition_literals: bool
):
    # The ARN copied as a string from the shared-services stack used to match no
    # ModelRegistry (its own ARN has a token for the partition): the pipeline's models and
    # images weren't shared with the registry's readers, and a missing
    # allow_registration_from passed synth, to be denied at run time. Without the
    # partition-literals feature flag (cdk.json sets it), the registry's own ARN is no string
    # equal to it: the ARN's region, account and name tell.
    app = new_app(**{"@aws-cdk/core:enablePartitionLiterals": partition_literals})
    models = cdk.Stack(app, "Models", env=SHARED_ENV)

    def registry() -> ModelRegistry:
        return ModelRegistry(
            models, "Registry", model_package_group_name="churn", shared_with_accounts=READERS
        )

    if registry_first:
        registry()
    stack = cdk.Stack(app, "Dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = _registering(stack, LITERAL_GROUP_ARN, ArtifactStore(stack, "Store"))
    if not registry_first:
        registry()
    assert pipeline.artifact_store.models_shared_with == READERS
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert (
        f"[Models/Registry] Pipeline Dev/Training of account {ACCOUNT} registers versions in "
        "this group (step 'Register'), but the group's policy doesn't let account "
        f"{ACCOUNT} register"
    ) in str(raised.value)


def test_a_group_arn_of_another_account_or_name_is_not_the_registrys():
    app, _registry, stack = _central_registry(shared_with_accounts=READERS)
    for construct_id, arn in (
        ("Other", LITERAL_GROUP_ARN.replace("333344445555", "999988887777")),
        ("Named", LITERAL_GROUP_ARN.replace("/churn", "/fraud")),
    ):
        register = RegisterModel(
            name="Register",
            model_package_group_name=arn,
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data="s3://models-bucket/model.tar.gz",
        )
        pipeline = Pipeline(stack, construct_id, definition=PipelineDefinition(steps=[register]))
        assert pipeline.artifact_store.models_shared_with == []
    app.synth()


@pytest.mark.parametrize("by", ["registry", "literal"])
def test_fails_a_registration_by_arn_in_a_group_of_another_region(by: str):
    # Model package groups are regional, and the step registers through SageMaker in the
    # pipeline's region: this passed synth, and every registration failed at run time.
    app, registry, stack = _central_registry(registering_accounts=[ACCOUNT], dev_region="eu-west-1")
    # A literal ARN of this registry is shown as the registry's; one of another app as is.
    other_app = LITERAL_GROUP_ARN.replace("/churn", "/fraud")
    group = registry.model_package_group_arn if by == "registry" else other_app
    _registering(stack, group, None)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    shown = "the ARN of ModelRegistry Models/Registry" if by == "registry" else repr(group)
    assert (
        "Pipeline Dev/Training has 1 problem:\n- step 'Register' field "
        f"'Arguments.ModelPackageGroupName': {shown} is a group of region us-east-1, but the "
        "pipeline's stack is in region eu-west-1: the step registers through SageMaker in "
        "eu-west-1, and model package groups are regional, so every registration would fail "
        "(register in a group of eu-west-1 (a ModelRegistry in a stack of that region), or "
        "deploy the pipeline in us-east-1)"
    ) in str(raised.value)


def test_fails_a_registration_by_the_arn_of_an_environment_agnostic_registry():
    # The ARN holds the registry stack's AWS::AccountId and AWS::Region, which resolve in
    # the pipeline's stack to its own: the pipeline registered in a group of its own
    # account (none, or another of that name), silently.
    app = new_app()
    registry = ModelRegistry(cdk.Stack(app, "Models"), "Registry", model_package_group_name="churn")
    stack = cdk.Stack(app, "Dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    _registering(stack, registry.model_package_group_arn, None)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert (
        "- step 'Register' field 'Arguments.ModelPackageGroupName': the ARN of ModelRegistry "
        "Models/Registry is in stack Models, which has no account and no region "
        "(environment-agnostic): the ARN holds that stack's AWS::AccountId and AWS::Region, "
        f"which the pipeline's stack resolves to its own account {ACCOUNT} and region "
        f"{REGION}, so the step would register in a group there, not in the registry's (give "
        "stack Models an env=cdk.Environment(account=…, region=…), or, if the registry is "
        "deployed to the pipeline's account and region, name the group: "
        "model_package_group_name=registry.model_package_group_name)"
    ) in str(raised.value)


def test_an_environment_agnostic_registrys_arn_in_its_own_stack_or_another_agnostic_one():
    # In its own stack the pseudo parameters are the registry's; between two
    # environment-agnostic stacks nothing is known to differ.
    app = new_app()
    models = cdk.Stack(app, "Models")
    registry = ModelRegistry(models, "Registry", model_package_group_name="churn")
    _registering(models, registry.model_package_group_arn, None)
    _registering(cdk.Stack(app, "Dev"), registry.model_package_group_arn, None)
    app.synth()


def _models_readers(stack: cdk.Stack, store: ArtifactStore) -> list[str]:
    """The accounts the bucket policy of ``store`` lets get objects under ``models/``."""
    (policy,) = (
        Template.from_stack(stack)
        .find_resources(
            "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": logical_id(store.bucket)}}}
        )
        .values()
    )
    return [
        principal.split(":")[4]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow" and statement["Action"][0] == "s3:GetObject"
        for principal in (
            [statement["Principal"]["AWS"]]
            if isinstance(statement["Principal"]["AWS"], str)
            else statement["Principal"]["AWS"]
        )
    ]


@pytest.mark.parametrize("order", ["shared-first", "pipeline-first", "shared-at-construction"])
def test_a_registry_shares_the_models_another_accounts_pipeline_registers(order: str):
    # The version's model stays in the registering account's store: the accounts the
    # registry is shared with deploy versions, so they must read it there. Before, only the
    # registry's own store was shared, and those accounts couldn't create a model from a
    # version registered from another account.
    app = new_app()
    models_stack = cdk.Stack(app, "Models", env=SHARED_ENV)
    registry = ModelRegistry(
        models_stack,
        "Registry",
        # A name no other test's pipeline registers in: a pipeline of this process that
        # registers by the name would let a registry find this one without its ARN.
        model_package_group_name="churn-registered-by-arn",
        artifact_store=ArtifactStore(models_stack, "Store"),
        registering_accounts=[ACCOUNT],
        shared_with_accounts=READERS if order == "shared-at-construction" else (),
    )
    if order == "shared-first":
        for account in READERS:
            registry.share_with_account(account)
    stack = cdk.Stack(app, "Dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    repository = ecr.Repository(stack, "Images")
    pipeline = _registering_with(
        stack,
        registry.model_package_group_arn,
        Image.from_ecr_repository(repository, tag="v1"),
        ArtifactStore(stack, "Store"),
    )
    if order == "pipeline-first":
        for account in READERS:
            registry.share_with_account(account)
    assert pipeline.artifact_store.models_shared_with == READERS
    # Annotations first: the templates below are that synthesis's (Template.from_stack
    # synthesizes only where the tree changed since), so the app is synthesized once.
    warnings = _store_warnings(stack)
    assert _models_readers(stack, pipeline.artifact_store) == READERS
    statements = _pull_statements(Template.from_stack(stack), repository)
    assert [statement["Sid"] for statement in statements] == [
        f"PullRegisteredModelImages{account}" for account in READERS
    ]
    # Not warned as "another store than the registry's": it can't use a store of another account.
    assert warnings == []
    app.synth()


def test_a_registry_does_not_share_a_pipelines_models_with_the_pipelines_own_account():
    _app, registry, stack = _central_registry(
        registering_accounts=[ACCOUNT],
        shared_with_accounts=[ACCOUNT, READERS[0]],  # the training account deploys too
    )
    pipeline = _registering(stack, registry.model_package_group_arn, None)
    assert pipeline.artifact_store.models_shared_with == [READERS[0]]


def test_an_unshared_registry_shares_no_registering_pipelines_models():
    _app, registry, stack = _central_registry(registering_accounts=[ACCOUNT])
    pipeline = _registering(stack, registry.model_package_group_arn, None)
    assert pipeline.artifact_store.models_shared_with == []


def test_a_pipeline_of_the_registrys_account_registering_by_arn_is_checked_like_by_name():
    # The ARN names the same group as the name does: a store other than the registry's is
    # warned, as sharing the registry shares the registry's store only.
    stack = new_stack()
    registry = ModelRegistry(
        stack,
        "Registry",
        artifact_store=ArtifactStore(stack, "Store"),
        shared_with_accounts=READERS,
    )
    pipeline = _registering(stack, registry.model_package_group_arn, None)
    assert pipeline.artifact_store.models_shared_with == []
    assert len(_store_warnings(stack)) == 1


def _pattern(shared: Built, construct_id: str) -> dict[str, Any]:
    rule = shared.registry.node.find_child(construct_id)
    properties: dict[str, Any] = resource(shared.template, logical_id(rule))["Properties"]
    return properties


def test_on_model_package_state_change(shared: Built):
    assert _pattern(shared, "AnyChange")["EventPattern"] == {
        "account": [ACCOUNT],
        "detail": {"ModelPackageGroupName": ["churn-models"]},
        "detail-type": [MODEL_PACKAGE_STATE_CHANGE],
        "region": [REGION],
        "source": ["aws.sagemaker"],
    }
    rejected = _pattern(shared, "Rejected")
    assert rejected["Description"] == "rejected versions"
    assert rejected["EventPattern"]["detail"] == {
        "ModelApprovalStatus": ["Rejected"],
        "ModelPackageGroupName": ["churn-models"],
    }


def test_on_model_approved(shared: Built):
    assert _pattern(shared, "Approved")["EventPattern"] == {
        "account": [ACCOUNT],
        "detail": {"ModelApprovalStatus": ["Approved"], "ModelPackageGroupName": ["churn-models"]},
        "detail-type": [MODEL_PACKAGE_STATE_CHANGE],
        "region": [REGION],
        "source": ["aws.sagemaker"],
    }


@pytest.mark.parametrize(
    ("account", "region", "expected_account", "expected_region"),
    [
        (ACCOUNT, REGION, ACCOUNT, REGION),
        (None, None, {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}),
    ],
    ids=["known-environment", "environment-agnostic"],
)
def test_state_change_rules_match_only_the_registrys_own_account_and_region(
    account: str | None, region: str | None, expected_account: Any, expected_region: Any
):
    # A group name is unique only per account and region: an app of one stage per
    # environment has a group of the same name in dev and prod. Events of another account's
    # group that reach this bus (forwarded by a central or organization bus) must not match,
    # or approving a version in dev would start the prod deployment.
    stack = new_stack(account=account, region=region)
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn-models")
    rules = [
        registry.on_model_approved("Deploy"),
        registry.on_model_package_state_change("Changes", approval_statuses=["Rejected"]),
    ]
    template = Template.from_stack(stack)
    for rule in rules:
        pattern = resource(template, logical_id(rule))["Properties"]["EventPattern"]
        assert pattern["account"] == [expected_account]
        assert pattern["region"] == [expected_region]


def test_on_model_approved_starts_its_target():
    stack = new_stack()
    registry = ModelRegistry(stack, "Registry")
    queue = sqs.Queue(stack, "Deployments")
    rule = registry.on_model_approved("Deploy", target=targets.SqsQueue(queue))
    (target,) = resource(Template.from_stack(stack), logical_id(rule))["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [logical_id(queue), "Arn"]}


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"model_package_group_name": "churn models"},
            "- prop 'model_package_group_name': 'churn models' must be 1-63 letters, digits and "
            "hyphens, starting and ending with a letter or digit",
        ),
        ({"model_package_group_name": "m" * 64}, "must be 1-63 letters"),
        # The service's pattern admits any number of hyphens; its length limit does not.
        ({"model_package_group_name": "m" + "-" * 62 + "m"}, "must be 1-63 letters"),
        ({"model_package_group_name": "-churn"}, "starting and ending with a letter or digit"),
        ({"model_package_group_name": "churn-"}, "starting and ending with a letter or digit"),
        ({"model_package_group_name": 5}, "'model_package_group_name': expected a string, got int"),
        ({"description": "d" * 1025}, "- prop 'description': 1025 characters, longer than 1024"),
        ({"artifact_store": {}}, "- prop 'artifact_store': expected an ArtifactStore, got dict"),
        (
            {"shared_with_accounts": READERS[0]},
            f"- prop 'shared_with_accounts': expected a list of strings, got str '{READERS[0]}' "
            f"(write ['{READERS[0]}'])",
        ),
        (
            {"shared_with_accounts": ["4444"]},
            "- prop 'shared_with_accounts': expected 12-digit account ids, got '4444'",
        ),
        (
            {"removal_policy": "retain"},
            "- prop 'removal_policy': expected a RemovalPolicy, got str",
        ),
        (
            {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
            "- prop 'removal_policy': RemovalPolicy.SNAPSHOT applies to resources with snapshots",
        ),
    ],
)
def test_fails_invalid_props_naming_the_construct(props: dict[str, Any], message: str):
    with pytest.raises(PipelineDefinitionError) as raised:
        ModelRegistry(new_stack(), "Registry", **props)
    assert str(raised.value).startswith("ModelRegistry Test/Registry has 1 problem:\n")
    assert message in str(raised.value)


def test_fails_sharing_with_the_stacks_own_account():
    registry = ModelRegistry(new_stack(), "Registry")
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^ModelRegistry Test/Registry.share_with_account has 1 problem:\n- prop "
        rf"'account_id': {ACCOUNT} is this stack's own account",
    ):
        registry.share_with_account(ACCOUNT)


def test_fails_sharing_with_an_environment_agnostic_stacks_account():
    app = cdk.App()
    registry = ModelRegistry(cdk.Stack(app, "Models"), "Registry")
    other = cdk.Stack(app, "Consumer")  # no env: its account is AWS::AccountId, as is ours
    with pytest.raises(
        PipelineDefinitionError,
        match=r"- prop 'account_id': the account of an environment-agnostic stack "
        r"\(AWS::AccountId\) is the one deploying this stack",
    ):
        registry.share_with_account(other.account)


def test_fails_sharing_a_registry_with_an_env_with_an_environment_agnostic_stacks_account():
    # AWS::AccountId in the registry's template is the registry's account: a self-share.
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    registry = ModelRegistry(cdk.Stack(app, "Models", env=env), "Registry")
    other = cdk.Stack(app, "Consumer")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"- prop 'account_id': the account of an environment-agnostic stack "
        r"\(AWS::AccountId\) is the one deploying this stack",
    ):
        registry.share_with_account(other.account)


@pytest.mark.parametrize(
    ("account_id", "problem"),
    [
        (444455556666, "got int 444455556666 (write '444455556666')"),
        # An id with a leading zero loses it as a number: the hint puts it back.
        (12345678901, "got int 12345678901 (write '012345678901')"),
        (10**12, "got int 1000000000000"),  # 13 digits: no account id to write
        (444455556666.0, "got float 444455556666.0"),
        (True, "got bool True"),
    ],
)
def test_fails_sharing_with_an_account_id_that_is_not_a_string(account_id: object, problem: str):
    registry = ModelRegistry(new_stack(), "Registry")
    with pytest.raises(PipelineDefinitionError) as raised:
        registry.share_with_account(account_id)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "ModelRegistry Test/Registry.share_with_account has 1 problem:\n- prop 'account_id': "
        f"expected a 12-digit account id string, {problem}"
    )


@pytest.mark.parametrize("grant", ["grant_register", "grant_read", "grant_approve"])
def test_fails_grants_to_something_that_is_not_a_grantable(grant: str):
    registry = ModelRegistry(new_stack(), "Registry")
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^ModelRegistry Test/Registry.{grant} has 1 problem:\n- prop 'grantee': "
        r"expected an iam.IGrantable, got str 'arn:aws:iam::111122223333:role/ci' ",
    ):
        getattr(registry, grant)("arn:aws:iam::111122223333:role/ci")


@pytest.mark.parametrize("grant", ["grant_register", "grant_read", "grant_approve"])
def test_fails_grants_to_a_role_of_another_app(grant: str):
    registry = ModelRegistry(new_stack(), "Registry")
    role = iam.Role(new_stack(), "Ci", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^ModelRegistry Test/Registry.{grant} has 1 problem:\n- prop 'grantee': Role "
        r"Test/Ci belongs to another CDK app",
    ):
        getattr(registry, grant)(role)


def test_an_environment_agnostic_stack_may_share_with_any_account():
    registry = ModelRegistry(new_stack(account=None, region=None), "Registry")
    registry.share_with_account(READERS[0])


def test_fails_state_change_rules_for_statuses_that_do_not_exist(shared: Built):
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'approval_statuses': 'approved' is not one of Approved, Rejected, "
        r"PendingManualApproval \(did you mean 'Approved'\?\)",
    ):
        shared.registry.on_model_package_state_change("Bad", approval_statuses=["approved"])


def test_fails_state_change_rules_for_no_status(shared: Built):
    # Left out of the pattern, an empty list would match every status, not none.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'approval_statuses': expected at least one of Approved, .*, got an empty list",
    ):
        shared.registry.on_model_package_state_change("Bad", approval_statuses=[])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # Both used to fail in jsii: "Unable to deserialize value as IRuleTarget", typeguard.
        (
            lambda r: r.on_model_approved("Deploy", target="arn:aws:states:::deploy"),
            r"^Test/Registry\.on_model_approved\('Deploy'\) has 1 problem:\n- prop 'target': "
            r"expected an events.IRuleTarget, got str",
        ),
        (
            lambda r: r.on_model_package_state_change("Changes", description=5),
            r"^Test/Registry\.on_model_package_state_change\('Changes'\) has 1 problem:\n- prop "
            r"'description': expected a string, got int 5",
        ),
        (
            lambda r: r.on_model_approved("Resource"),
            r"- prop 'construct_id': 'Resource' is already taken in ModelRegistry Test/Registry",
        ),
    ],
)
def test_fails_state_change_rule_options_naming_the_method(shared: Built, call: Any, message):
    with pytest.raises(PipelineDefinitionError, match=message):
        call(shared.registry)


# -- the reference app: a registered version is deployable where the registry is shared --


def _location(value: Any, steps: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """(bucket, first key segment) of an S3 URI value of a decoded definition.

    Step properties resolve to where their step writes: a processing output's S3Uri, a
    training job's model under its S3OutputPath.
    """
    if isinstance(value, str):
        match = re.fullmatch(r"s3://([^/]+)/?([^/]*).*", value)
        assert match is not None, f"not an S3 URI: {value!r}"
        return match[1], match[2]
    if "Std:Join" in value:
        join = value["Std:Join"]
        assert join["On"] == "/", join
        first, *rest = join["Values"]
        bucket, segment = _location(first, steps)
        return (bucket, segment) if segment or not rest else (bucket, str(rest[0]))
    reference = value["Get"]
    output = re.fullmatch(
        r"Steps\.(\w+)\.ProcessingOutputConfig\.Outputs\['(\w+)'\]\.S3Output\.S3Uri", reference
    )
    if output is not None:
        step, name = output.groups()
        (found,) = [
            item["S3Output"]["S3Uri"]
            for item in steps[step]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
            if item["OutputName"] == name
        ]
        return _location(found, steps)
    sealed = re.fullmatch(r"Steps\.(\w+)\.OutputParameters\['(\w+)'\]", reference)
    if sealed is not None:  # a SealStep's copy: under its Destination
        arguments = steps[sealed[1]]["Arguments"]
        assert arguments["Action"] == "cdk-sagemaker-pipelines:seal", arguments
        return _location(arguments["Destination"], steps)
    model = re.fullmatch(r"Steps\.(\w+)\.ModelArtifacts\.S3ModelArtifacts", reference)
    assert model is not None, f"a reference this test can't follow: {reference}"
    return _location(steps[model[1]]["Arguments"]["OutputDataConfig"]["S3OutputPath"], steps)


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_everything_a_registered_version_points_at_is_under_shared_and_kept_models(
    reference_app: SynthesizedApp, stack: str
):
    # sealed/ (and models/) is what share_with_account shares and what the lifecycle never
    # expires: not executions/ (expired after execution_output_retention_days), not the CDK
    # assets bucket. The reference app registers sealed copies (SealStep).
    template = reference_app.templates[stack]
    paths = logical_id_paths(reference_app, stack)
    (artifacts,) = [
        lid for lid, path in paths.items() if path.endswith("/Artifacts/Bucket/Resource")
    ]
    ((_, definition),) = list(pipeline_definitions(template))
    steps = steps_by_name(definition)
    (register,) = [step for step in steps.values() if step["Type"] == "RegisterModel"]
    arguments = register["Arguments"]
    (container,) = arguments["InferenceSpecification"]["Containers"]
    locations = [_location(container["ModelDataUrl"], steps)]
    locations += [
        _location(source["S3Uri"], steps)
        for reports in arguments["ModelMetrics"].values()
        for source in reports.values()
    ]
    assert len(locations) == 2
    assert set(locations) == {(f"${{Ref:{artifacts}}}", "sealed")}
    # The serving code is packed in the model artifact.
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    assert "s3://" not in json.dumps(container["Environment"])


def test_the_prod_registry_lets_its_reader_accounts_create_models_from_versions(
    reference_app: SynthesizedApp,
):
    template = reference_app.templates["prod/MlOps"]
    (group,) = [
        entry
        for entry in template["Resources"].values()
        if entry["Type"] == "AWS::SageMaker::ModelPackageGroup"
    ]
    statements = {
        statement["Sid"]: statement
        for statement in group["Properties"]["ModelPackageGroupPolicy"]["Statement"]
    }
    readers = [
        f"arn:${{Ref:AWS::Partition}}:iam::{account}:root"
        for account in cdk_context()["environments"]["prod"]["registry_reader_accounts"]
    ]
    versions = statements["ShareModelVersions"]
    assert [flatten(principal) for principal in versions["Principal"]["AWS"]] == readers
    assert "sagemaker:CreateModel" in versions["Action"]
    assert "sagemaker:UpdateModelPackage" not in versions["Action"]
    assert flatten(versions["Resource"]).endswith(":model-package/prod-breast-cancer-classifier/*")


# -- custom images of shared versions ----------------------------------------------------

IMAGE_WARNINGS = "cdk-sagemaker-pipelines:(registered-asset-image|unshared-registered-image)"


def _registering_with(stack: cdk.Stack, group: str, image: Image, store: ArtifactStore) -> Pipeline:
    register = RegisterModel(
        name="Register",
        model_package_group_name=group,
        image=image,
        model_data="s3://models-bucket/model.tar.gz",
    )
    return Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[register]), artifact_store=store
    )


def _pull_statements(template: Template, repository: ecr.Repository) -> list[dict[str, Any]]:
    properties = resource(template, logical_id(repository)).get("Properties", {})
    statements: list[dict[str, Any]] = properties.get("RepositoryPolicyText", {}).get(
        "Statement", []
    )
    return statements


def _image_warnings(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(IMAGE_WARNINGS)
    )
    return [f"{entry.id}: {entry.entry.data}" for entry in found]


@pytest.mark.parametrize("share_first", [True, False])
def test_sharing_lets_the_accounts_pull_the_custom_images_of_registered_versions(
    share_first: bool,
):
    # A shared version whose image the other account can't pull can't be deployed there.
    # Before, sharing covered model artifacts only.
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    repository = ecr.Repository(stack, "Images")
    registry = ModelRegistry(
        stack,
        "Registry",
        artifact_store=store,
        shared_with_accounts=READERS[:1] if share_first else (),
    )
    image = Image.from_ecr_repository(repository, tag="v1")
    _registering_with(stack, registry.model_package_group_name, image, store)
    if not share_first:
        registry.share_with_account(READERS[0])
    registry.share_with_account(READERS[1])
    registry.share_with_account(READERS[1])  # once per account
    # Annotations first: the template is then that synthesis's (one synthesis, not two).
    assert _image_warnings(stack) == []
    statements = _pull_statements(Template.from_stack(stack), repository)
    assert [statement["Sid"] for statement in statements] == [
        f"PullRegisteredModelImages{account}" for account in READERS
    ]
    for statement, account in zip(statements, READERS, strict=True):
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        assert f":iam::{account}:root" in json.dumps(statement["Principal"])


def test_sharing_lets_the_accounts_pull_from_each_repository_of_registered_images():
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    registry = ModelRegistry(stack, "Registry", artifact_store=store)
    repositories = [ecr.Repository(stack, "Images"), ecr.Repository(stack, "OtherImages")]
    steps = [
        RegisterModel(
            name=f"Register{index}",
            model_package_group_name=registry.model_package_group_name,
            image=Image.from_ecr_repository(repository, tag="v1"),
            model_data="s3://models-bucket/model.tar.gz",
        )
        for index, repository in enumerate(repositories)
    ]
    definition = PipelineDefinition(steps=steps)
    Pipeline(stack, "Training", definition=definition, artifact_store=store)
    registry.share_with_account(READERS[0])
    template = Template.from_stack(stack)
    for repository in repositories:
        statements = _pull_statements(template, repository)
        assert [statement["Sid"] for statement in statements] == [
            f"PullRegisteredModelImages{READERS[0]}"
        ]


def test_a_registry_of_the_name_in_another_region_gets_none_of_the_pipelines_images():
    # A group name means the group of the pipeline's own account and region: the registry of
    # that name here may be the environment-agnostic one, never the other region's, whose
    # readers must not be let pull this pipeline's images.
    app = new_app()
    stack = cdk.Stack(app, "Dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    ModelRegistry(cdk.Stack(app, "Agnostic"), "Registry", model_package_group_name="churn")
    ModelRegistry(
        cdk.Stack(app, "Dr", env=cdk.Environment(account=ACCOUNT, region="eu-west-1")),
        "Registry",
        model_package_group_name="churn",
        shared_with_accounts=READERS,
    )
    repository = ecr.Repository(stack, "Images")
    image = Image.from_ecr_repository(repository, tag="v1")
    _registering_with(stack, "churn", image, ArtifactStore(stack, "Store"))
    assert _pull_statements(Template.from_stack(stack), repository) == []


def test_images_of_unshared_registries_and_unregistered_steps_stay_private():
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    repository = ecr.Repository(stack, "Images")
    registry = ModelRegistry(stack, "Registry", artifact_store=store)
    _registering_with(
        stack,
        registry.model_package_group_name,
        Image.from_ecr_repository(repository, tag="v1"),
        store,
    )
    assert _pull_statements(Template.from_stack(stack), repository) == []


def _asset_image(stack: cdk.Stack, directory: Path) -> Image:
    (directory / "Dockerfile").write_text("FROM python:3.11-slim\n")
    return Image.from_asset(directory)


def _imported_image(stack: cdk.Stack, directory: Path) -> Image:
    repository = ecr.Repository.from_repository_name(stack, "Imported", "team-images")
    return Image.from_ecr_repository(repository, tag="v1")


@pytest.mark.parametrize(
    ("image_of", "warning"),
    [
        (_asset_image, "with a Docker image asset"),
        (_imported_image, "with an image of repository Test/Imported, imported into this app"),
    ],
)
def test_shared_versions_with_an_asset_or_imported_image_are_warned(
    image_of: Callable[[cdk.Stack, Path], Image], warning: str, tmp_path: Path
):
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    registry = ModelRegistry(stack, "Registry", artifact_store=store)
    _registering_with(stack, registry.model_package_group_name, image_of(stack, tmp_path), store)
    registry.share_with_account(READERS[0])
    [found] = _image_warnings(stack)
    assert found.startswith(
        "/Test/Training: Step 'Register' registers versions in ModelRegistry Test/Registry, "
        f"which is shared with {READERS[0]}, {warning}"
    )


def _registering_churn(stack: cdk.Stack, name: str = "Training", **props: Any) -> Pipeline:
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
    )
    return Pipeline(stack, name, definition=PipelineDefinition(steps=[register]), **props)


def test_self_approval_check_tells_roles_apart_under_customize_roles():
    # Role.customize_roles gives every role of the stack one ARN without a name
    # ("arn:…:iam::111122223333:role") until precreated names are given: an unrelated
    # release role is no pipeline role (the registry's own validation, without synth).
    app = new_app()
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    iam.Role.customize_roles(stack)
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn")
    _registering_churn(stack)
    registry.grant_approve(iam.Role(stack, "Release", assumed_by=iam.AccountRootPrincipal()))
    assert registry.node.validate() == []


def test_self_approval_is_one_message_per_pipeline_naming_each_prop():
    app = new_app()
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn")
    role = iam.Role(stack, "Runs", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    _registering_churn(stack, role=role, step_role=role)
    registry.grant_approve(role)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert str(raised.value).count("grant_approve was given") == 1
    assert "grant_approve was given the role and step_role of Pipeline Ml/Training" in str(
        raised.value
    )


def test_self_approval_sees_an_imported_role_by_its_name():
    # IAM role names are unique in an account whatever their path, and case-insensitive:
    # the role imported by name is the pipeline's role imported by its ARN with a path.
    app = new_app()
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    registry = ModelRegistry(stack, "Registry", model_package_group_name="churn")
    runs_as = iam.Role.from_role_arn(stack, "Runs", f"arn:aws:iam::{ACCOUNT}:role/ml/Pipeline")
    _registering_churn(stack, role=runs_as)
    registry.grant_approve(iam.Role.from_role_name(stack, "Approver", "pipeline"))
    with pytest.raises(Exception) as raised:  # noqa: PT011 - CDK's validation error
        app.synth()
    assert "grant_approve was given the role of Pipeline Ml/Training" in str(raised.value)
