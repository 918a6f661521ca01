"""KMS keys whose policy names every action instead of ``kms:*``."""

from __future__ import annotations

from functools import cache

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from constructs import Construct

from ..definition._service_model import service_model
from ._tree import placed

# IAM actions that differ from the API's operations: the ReEncrypt call is authorized as
# ReEncryptFrom (source key) and ReEncryptTo (destination key), and the
# SynchronizeMultiRegionKey permission has no API operation of its own.
_IAM_ONLY = {"ReEncrypt": ("ReEncryptFrom", "ReEncryptTo")}
_PERMISSION_ONLY = ("SynchronizeMultiRegionKey",)


@cache
def kms_actions() -> tuple[str, ...]:
    """Every KMS IAM action, from botocore's KMS model (no wildcards)."""
    names: set[str] = set(_PERMISSION_ONLY)
    for operation in service_model("kms")["operations"]:
        names.update(_IAM_ONLY.get(operation, (operation,)))
    return tuple(sorted(f"kms:{name}" for name in names))


def account_key(
    scope: Construct, construct_id: str, *, description: str, removal_policy: RemovalPolicy
) -> kms.Key:
    """A rotating key administered by the account, through IAM policies.

    The key policy lets the account (and so the roles its IAM policies allow) manage and
    use the key, listing the actions one by one, as policy reviews require; resource
    policies of services that must use the key are added with ``key.grant``.

    Example::

        key = account_key(self, "Key", description="…", removal_policy=RemovalPolicy.RETAIN)
    """
    policy = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="AccountManagesAndUsesTheKeyThroughIam",
                principals=[iam.AccountRootPrincipal()],
                actions=list(kms_actions()),
                resources=["*"],  # in a key policy, "*" means this key
            )
        ]
    )
    key = kms.Key(
        scope,
        construct_id,
        description=description,
        enable_key_rotation=True,
        policy=policy,
        removal_policy=removal_policy,
    )
    placed(key, scope)
    return key
