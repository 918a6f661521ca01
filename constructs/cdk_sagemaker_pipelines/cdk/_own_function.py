"""A Python Lambda function of the library's own, with its role, policy and logs wired.

The model data reader and the sealing function are built alike: a role Lambda assumes, a
managed policy that starts with writing the function's own log group, the function from a
code directory of the package, and the acknowledgements of the compliance packs' findings
a function of theirs leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import NamedTuple, cast

from aws_cdk import ArnFormat, CfnElement, CfnResource, Duration, Names, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from constructs import Construct

from ._acknowledge import COMPLIANCE_PACKS, acknowledge_in_packs
from ._roles import created_role_arn
from ._tree import path_of, stack_account_region, stack_of


class OwnFunction(NamedTuple):
    """What ``own_python_function`` created: the role, its managed policy, the function."""

    role: iam.Role
    policy: iam.ManagedPolicy
    function: lambda_.Function


def encrypted_function_logs(
    scope: Construct,
    *,
    key: kms.IKey,
    sid_prefix: str,
    removal_policy: RemovalPolicy,
    imported_key_reason: str | None = None,
) -> logs.LogGroup:
    """``Logs`` under ``scope``: the log group of a function of ``scope``, encrypted with ``key``.

    Named ``/aws/lambda/<scope's unique name>`` and kept a year. ``key``'s policy lets
    CloudWatch Logs of the stack's region use it for this log group only (the encryption
    context names its ARN), in a statement ``<sid_prefix><hash of scope's path>``: the key
    policy CloudWatch Logs checks when the group is created, so the group waits for the key.

    An imported key's policy is its owner's, which synth can't extend: with
    ``imported_key_reason`` the group is then left to CloudWatch Logs' own encryption (the
    compliance packs' finding acknowledged with that reason) rather than fail its creation
    at deploy; without it, the group names the key all the same.

    Example::

        self.logs = encrypted_function_logs(
            self, key=store.key, sid_prefix="CloudWatchLogsEncryptsSealFunctionLogs",
            removal_policy=RemovalPolicy.DESTROY)
    """
    stack = stack_of(scope)
    log_group_name = f"/aws/lambda/{Names.unique_resource_name(scope)}"
    log_group_arn = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=log_group_name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    added = key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid_prefix + hashlib.sha256(path_of(scope).encode()).hexdigest()[:8],
            principals=[
                iam.ServicePrincipal(f"logs.{stack_account_region(stack)[1]}.amazonaws.com")
            ],
            actions=[
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            resources=["*"],  # in a key policy, "*" means this key
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        )
    ).statement_added
    encrypt = added or imported_key_reason is None
    group = logs.LogGroup(
        scope,
        "Logs",
        log_group_name=log_group_name,
        encryption_key=key if encrypt else None,
        retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=removal_policy,
    )
    if not encrypt:
        acknowledge_in_packs(group, "CloudWatchLogGroupEncrypted", str(imported_key_reason))
    return group


def own_python_function(
    scope: Construct,
    *,
    code: str,
    description: str,
    role_description: str,
    policy_description: str,
    timeout: Duration,
    memory_size: int,
    logs: logs.ILogGroup,
    reasons: Mapping[str, str],
    packs: Sequence[str] = COMPLIANCE_PACKS,
    environment: Mapping[str, str] | None = None,
) -> OwnFunction:
    """``Role``, ``Policy`` and ``Function`` under ``scope``: ``code``'s ``index.handler``.

    The policy lets the function write ``logs`` (``WriteOwnLogs``); add the rest to it.
    ``reasons`` (rule -> reason) acknowledge the function's findings in each of ``packs``.

    Example::

        own = own_python_function(
            self, code=FUNCTION_CODE, description="Finds …", role_description="Reads …",
            policy_description="What … may do", timeout=Duration.minutes(1),
            memory_size=128, logs=self.logs, reasons={"LambdaDLQ": "invoked synchronously"})
        own.policy.add_statements(statement)
    """
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=role_description,
    )
    policy = iam.ManagedPolicy(
        scope,
        "Policy",
        description=policy_description,
        roles=[role],
        statements=[
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[logs.log_group_arn],
            ),
        ],
    )
    function = lambda_.Function(
        scope,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(code),
        timeout=timeout,
        memory_size=memory_size,
        description=description,
        role=role,
        log_group=logs,
        environment=dict(environment) if environment is not None else None,
    )
    # Under customize_roles(prevent_synthesis=False) aws-cdk-lib's role ARN names no role.
    created = created_role_arn(role)
    function_resource = cast(CfnResource, function.node.default_child)
    if created is not None:
        function_resource.add_property_override("Role", created)
    # The function waits for its policy (its logs; see examples/batch_scoring_stack.py), not
    # for the role its Role attribute already waits for; a policy customize_roles keeps from
    # synthesis has no resource to wait for.
    policy_resource = policy.node.default_child
    if policy_resource is not None:
        function_resource.add_override(
            "DependsOn", [stack_of(scope).get_logical_id(cast(CfnElement, policy_resource))]
        )
    for rule, reason in reasons.items():
        acknowledge_in_packs(function, rule, reason, packs)
    return OwnFunction(role, policy, function)
