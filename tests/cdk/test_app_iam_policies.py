"""No IAM wildcards in the reference app's policies, except where IAM leaves no choice.

Every policy document of every template is read: identity policies (``AWS::IAM::Policy``,
``AWS::IAM::ManagedPolicy``, a role's inline policies), trust policies and resource
policies (key, bucket, topic, queue, model package group). Only Allow statements count:
Deny statements only take access away (CDK's enforce-SSL statements deny ``s3:*``).

* No policy allows the action ``*`` or a whole service (``sagemaker:*``), nor uses
  ``NotAction`` in an Allow.
* Identity policies allow ``Resource: *`` (or ``NotResource``) only for actions that have
  no resource type. In a resource policy ``*`` means the resource the policy is on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cdk._policies import RESOURCELESS_ACTIONS
from tests.cdk.assembly import PolicyDocument, policy_documents, reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp

# Actions the Service Authorization Reference lists with no resource types: IAM can only
# grant them on "*". Adding one here needs that page as evidence.
ACTIONS_WITHOUT_RESOURCE_TYPE = frozenset(
    {
        "cloudwatch:PutMetricData",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ecr:GetAuthorizationToken",
        # "Resource types: (none)" in the service authorization reference for Amazon EMR.
        "elasticmapreduce:RunJobFlow",
    }
)
_SERVICE_WILDCARD = re.compile(r"[A-Za-z0-9-]+:\*")


def wildcard_action_problems(document: PolicyDocument) -> list[str]:
    """Allow statements of any policy that grant ``*`` or a whole service."""
    problems: list[str] = []
    for index, statement in enumerate(document.statements):
        if not statement.allows:
            continue
        where = f"{document} statement {statement.sid or index}"
        for action in statement.actions:
            if action == "*" or _SERVICE_WILDCARD.fullmatch(action):
                problems.append(f"{where}: allows {action}")
        if statement.not_actions:
            problems.append(f"{where}: NotAction {list(statement.not_actions)} allows the rest")
    return problems


def resource_star_problems(document: PolicyDocument) -> list[str]:
    """Allow statements of identity policies on ``*`` for actions that have resources."""
    if document.kind != "identity":
        return []
    problems: list[str] = []
    for index, statement in enumerate(document.statements):
        if not statement.allows:
            continue
        where = f"{document} statement {statement.sid or index}"
        if "*" in statement.resources or statement.not_resources:
            scoped = sorted(set(statement.actions) - ACTIONS_WITHOUT_RESOURCE_TYPE)
            if scoped:
                problems.append(f"{where}: Resource * for {scoped}, which have resource types")
    return problems


def test_the_construct_library_uses_resource_star_only_for_actions_listed_here():
    assert sorted(RESOURCELESS_ACTIONS - ACTIONS_WITHOUT_RESOURCE_TYPE) == []


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_no_policy_allows_every_action_or_a_whole_service(
    reference_app: SynthesizedApp, stack: str
):
    documents = policy_documents(reference_app.templates[stack])
    assert [
        problem for document in documents for problem in wildcard_action_problems(document)
    ] == []


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_identity_policies_use_resource_star_only_for_actions_without_resource_types(
    reference_app: SynthesizedApp, stack: str
):
    documents = policy_documents(reference_app.templates[stack])
    assert [problem for document in documents for problem in resource_star_problems(document)] == []


def test_every_kind_of_policy_of_the_app_is_read(reference_app: SynthesizedApp):
    kinds = Counter(
        (document.resource_type, document.kind)
        for document in policy_documents(reference_app.templates["prod/MlOps"])
    )

    assert kinds[("AWS::IAM::ManagedPolicy", "identity")] >= 3  # pipeline, steps, rule target
    assert kinds[("AWS::IAM::Policy", "identity")] >= 1  # the schedule's default policy
    assert kinds[("AWS::IAM::Role", "trust")] >= 4
    assert kinds[("AWS::KMS::Key", "resource")] >= 1
    assert kinds[("AWS::S3::BucketPolicy", "resource")] >= 3
    assert kinds[("AWS::SageMaker::ModelPackageGroup", "resource")] == 1  # shared in prod


def _document(template: Mapping[str, Any]) -> list[PolicyDocument]:
    return policy_documents({"Resources": template})


def test_checks_report_wildcard_actions_in_any_allow_statement():
    documents = _document(
        {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "KeyPolicy": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                            {"Effect": "Deny", "Action": "*", "Resource": "*"},
                        ]
                    }
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "sts:*"}]
                    },
                    "Policies": [
                        {
                            "PolicyName": "Inline",
                            "PolicyDocument": {
                                "Statement": [
                                    {"Sid": "All", "Effect": "Allow", "Action": "*"},
                                    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                                    {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
                                ]
                            },
                        }
                    ],
                },
            },
        }
    )

    assert [
        problem for document in documents for problem in wildcard_action_problems(document)
    ] == [
        "Key (AWS::KMS::Key) KeyPolicy statement 0: allows kms:*",
        "Role (AWS::IAM::Role) AssumeRolePolicyDocument statement 0: allows sts:*",
        "Role (AWS::IAM::Role) Policies[0].PolicyDocument statement All: allows *",
        "Role (AWS::IAM::Role) Policies[0].PolicyDocument statement 1: NotAction ['iam:*'] "
        "allows the rest",
    ]


def test_checks_report_resource_star_in_identity_policies_only():
    star = {"Fn::Join": ["", ["*"]]}  # an intrinsic that flattens to "*" counts too
    documents = _document(
        {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "ecr:GetAuthorizationToken",
                                "Resource": "*",
                            },
                            {
                                "Sid": "Mixed",
                                "Effect": "Allow",
                                "Action": ["cloudwatch:PutMetricData", "s3:GetObject"],
                                "Resource": ["arn:aws:s3:::b/*", "*"],
                            },
                            {"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "x"},
                            {"Effect": "Allow", "Action": "sns:Publish", "Resource": star},
                            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"},
                        ]
                    }
                },
            },
            "Bucket": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
                        ]
                    }
                },
            },
        }
    )

    assert [problem for document in documents for problem in resource_star_problems(document)] == [
        "Policy (AWS::IAM::ManagedPolicy) PolicyDocument statement Mixed: Resource * for "
        "['s3:GetObject'], which have resource types",
        "Policy (AWS::IAM::ManagedPolicy) PolicyDocument statement 2: Resource * for "
        "['sqs:SendMessage'], which have resource types",
        "Policy (AWS::IAM::ManagedPolicy) PolicyDocument statement 3: Resource * for "
        "['sns:Publish'], which have resource types",
    ]
