"""A permissions boundary IAM would refuse fails synth, not the deployment.

aws-cdk-lib writes a boundary to every role it synthesizes when it is set by
``Stage``/``Stack(permissions_boundary=PermissionsBoundary.from_arn(…))`` or the
``@aws-cdk/core:permissionsBoundary`` context key (``cdk.json``): both keep it in that
context. A typo (``…:polcy/ml-boundary``) or a policy of another account (IAM takes a
boundary of the role's own account, or an AWS managed policy) passes synth, then fails the
deployment of every role, deep in a delivery pipeline. The constructs read the context
where they create a role (one lookup) and fail with the construct's path instead. A
boundary applied with ``PermissionsBoundary.of(scope).apply(policy)`` is an aspect's, not
in the context: it isn't judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Token

from constructs import Construct

from ..definition import PipelineDefinitionError
from ._tree import account_region, node_of

BOUNDARY_CONTEXT = "@aws-cdk/core:permissionsBoundary"
# A placeholder aws-cdk-lib fills in at synth (${AWS::AccountId}, ${AWS::Partition}, …).
_PLACEHOLDER = r"\$\{[A-Za-z:]+\}"
# IAM's managed policy ARN: a partition, an account (or 'aws': AWS managed policies),
# 'policy/', an optional path and the name (IAM's name characters).
_POLICY_ARN = re.compile(
    rf"arn:(?:aws(?:-[a-z0-9]+)*|{_PLACEHOLDER}):iam::(?P<account>\d{{12}}|aws|{_PLACEHOLDER}):"
    rf"policy/(?:(?:[\w+=,.@-]|{_PLACEHOLDER})+/)*(?:[\w+=,.@-]|{_PLACEHOLDER})+"
)


def check_permissions_boundary(scope: Construct) -> None:
    """Raise if the boundary set for the roles under ``scope`` is an ARN IAM would refuse.

    Example::

        check_permissions_boundary(pipeline)
        # PipelineDefinitionError: dev/MlOps/Training: the permissions boundary of its
        # roles, 'arn:aws:iam::111122223333:polcy/b' is not the ARN of a managed policy …
    """
    given = node_of(scope).try_get_context(BOUNDARY_CONTEXT)
    arn = given.get("arn") if isinstance(given, Mapping) else None
    if not isinstance(arn, str) or Token.is_unresolved(arn):
        return
    problem = _arn_problem(arn, account_region(scope)[0])
    if problem is not None:
        raise PipelineDefinitionError(
            f"{node_of(scope).path}: the permissions boundary of its roles, {problem}: IAM "
            "would refuse every role at deployment (correct Stage/Stack(permissions_boundary="
            f"PermissionsBoundary.from_arn(…)) or cdk.json's {BOUNDARY_CONTEXT!r})"
        )


def _arn_problem(arn: str, account: str) -> str | None:
    """Why IAM would refuse ``arn`` as a boundary of a role of ``account``; None if it wouldn't."""
    match = _POLICY_ARN.fullmatch(arn)
    if match is None:
        return (
            f"{arn!r} is not the ARN of a managed policy "
            "(arn:<partition>:iam::<12-digit account or aws>:policy/<path/name>)"
        )
    owner = match["account"]
    if owner.isdigit() and not Token.is_unresolved(account) and owner != account:
        return (
            f"{arn!r} is a policy of account {owner}, not of the stack's account {account} "
            "(IAM takes a boundary of the role's own account, or an AWS managed policy)"
        )
    return None
