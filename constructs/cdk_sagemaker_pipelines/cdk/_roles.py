"""The ARN to write for a role, under aws-cdk-lib's ``iam.Role.customize_roles`` too.

``iam.Role.customize_roles(scope, use_precreated_roles={path: name})`` replaces each
``iam.Role`` in ``scope`` by a precreated role: ``role.role_arn`` is then
``arn:<partition>:iam::<account>:role/<name>``, which the constructs write as they would
any role's ARN. Two cases leave aws-cdk-lib's ARN without a name,
``arn:<partition>:iam::<account>:role``, which no service takes:

- ``prevent_synthesis=False``: aws-cdk-lib creates the role (its ``AWS::IAM::Role`` is in
  the template) and writes the policy report, but ignores ``use_precreated_roles``, and
  ``role_arn`` is the precreated role's, of no name. The created role's own ARN
  (``Fn::GetAtt <role>.Arn``, path included) is the one to write.
- ``prevent_synthesis=True`` (the default) and a role not listed in
  ``use_precreated_roles``: aws-cdk-lib fails synth naming the role's construct path, once
  it has written its report of the roles to create. Written as a token, the nameless ARN
  is left to that error: the definition's checks skip tokens, so they don't fail first
  with a traceback of their own (before the report exists).
"""

from __future__ import annotations

import jsii
from aws_cdk import IResolveContext, IStableStringProducer, Lazy
from aws_cdk import aws_iam as iam

# aws-cdk-lib's context key of customize_roles (core/lib/helpers-internal/customize-roles).
CUSTOMIZE_ROLES_CONTEXT_KEY = "@aws-cdk/iam:customizeRoles"


@jsii.implements(IStableStringProducer)
class _Produce:
    """A token of a string known now: resolves to ``value``."""

    def __init__(self, value: str) -> None:
        self.value = value

    def produce(self, context: IResolveContext | None = None) -> str:
        return self.value


def role_arn(role: iam.IRole) -> str:
    """``role.role_arn``, or the ARN to write where aws-cdk-lib's names no role.

    Only an ``iam.Role`` under ``customize_roles`` can have an ARN without a name: the
    ARN of its ``AWS::IAM::Role`` when it creates one (``prevent_synthesis=False``), or the
    nameless ARN as a token (a role not listed, which aws-cdk-lib's synth fails on). Read
    once per role and reused: each call makes a new token in the second case.

    Example::

        iam.Role.customize_roles(stage, use_precreated_roles={"Ml/Training/StepRole": "ml-steps"})
        role_arn(pipeline.step_role)  # arn:aws:iam::111122223333:role/ml-steps
    """
    arn = role.role_arn
    return _instead_of(role, arn) or arn


def created_role_arn(role: iam.IRole) -> str | None:
    """The created role's ARN for a role whose ARN ``customize_roles`` left nameless.

    That of its ``AWS::IAM::Role`` under ``prevent_synthesis=False``; None for any other
    role (a precreated one's ARN is right, a missing one's fails synth anyway). For the
    ``RoleArn`` aws-cdk-lib renders from ``role.role_arn`` (a rule target's, a
    schedule's), overridden with it.
    """
    arn = _instead_of(role, role.role_arn)
    return arn if arn is not None and isinstance(role, iam.Role) and _created(role) else None


def _created(role: iam.Role) -> iam.CfnRole | None:
    resource = role.node.try_find_child("Resource")
    return resource if isinstance(resource, iam.CfnRole) else None


def _instead_of(role: iam.IRole, arn: str) -> str | None:
    """What to write instead of ``arn``, the role's ARN: None when it names the role."""
    # A name (after 'role/', with its path, if any) or a token of one: nothing to fix.
    if not arn.endswith(":role") or not isinstance(role, iam.Role):
        return None
    if role.node.try_get_context(CUSTOMIZE_ROLES_CONTEXT_KEY) is None:
        return None
    resource = _created(role)
    if resource is not None:
        return resource.attr_arn
    return Lazy.string(_Produce(arn))
