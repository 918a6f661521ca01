"""Roles given to constructs: the ARN to write (under ``customize_roles`` too), the account.

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

A service takes a role ARN its caller passes with ``iam:PassRole``, which passes roles of
the caller's own account only (IAM User Guide, "Grant a user permissions to pass a role to
an AWS service": "You can only use the PassRole permission to pass an IAM role to a service
that shares the same AWS account"). ``passed_role_problem`` fails a construct given a role
of another account where it passes the role on (CreatePipeline, CreateModel, a job's or a
schedule's ``RoleArn``); ``other_account_of`` tells such a role.
"""

from __future__ import annotations

import re
from typing import cast

import jsii
from aws_cdk import IResolveContext, IStableStringProducer, Lazy
from aws_cdk import aws_iam as iam

from constructs import IConstruct

from ..definition import Problem
from ._props import PropProblem, is_unresolved
from ._tree import account_region, node_of

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


# How a role of the stack's account may still reach another account's resources (``reach``
# of passed_role_problem; {account} is that account): by assuming one of its roles where
# code of yours runs as it, or by that account's resource policies naming it.
JOB_REACH = (
    "that role may assume a role of {account} in the jobs' code, or {account}'s resource "
    "policies (a bucket's, a key's) may admit it"
)
MODEL_REACH = (
    "that role may assume a role of {account} in the model's code, or {account}'s resource "
    "policies (a bucket's, a key's, an image repository's) may admit it"
)
RESOURCE_POLICY_REACH = "{account}'s resource policies (a bucket's, a key's) may admit that role"

# An IAM role's ARN, its account captured: what a definition's RoleArn holds.
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/.+")


def other_account_of(scope: IConstruct, role: object) -> tuple[str, str] | None:
    """``(role's account, scope's stack's account)`` when both are known and differ.

    The role's account is the one its ARN names (``principal_account``, as aws-cdk-lib
    reads it for a role imported by ARN; a role created in a stack of the app is of that
    stack's account). Either may be a token (an ARN given as a parameter, an
    environment-agnostic stack): then nothing is known, and the role is taken for one of
    this account, as aws-cdk-lib takes it. A value that is no role (a wrong type, which
    the prop's own check reports) is none.

    Example::

        role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::999988887777:role/jobs")
        other_account_of(pipeline, role)  # ("999988887777", "111122223333")
    """
    role_account = None if isinstance(role, type) else getattr(role, "principal_account", None)
    if not isinstance(role_account, str) or is_unresolved(role_account):
        return None
    own_account = account_region(scope)[0]
    if is_unresolved(own_account) or role_account == own_account:
        return None
    return role_account, own_account


def role_named(role: iam.IRole) -> str:
    """The role for a message: its ARN and construct path, or the path for an ARN token."""
    arn = role.role_arn
    path = node_of(role).path
    return path if is_unresolved(arn) else f"{arn} ({path})"


def passed_role_problem(
    prop: str,
    role: object,
    scope: IConstruct,
    *,
    service: str,
    passes: str,
    fails: str = "the deploy would fail",
    reach: str | None = None,
) -> PropProblem | None:
    """A role prop of another account than ``scope``'s stack, which ``service`` can't take.

    ``passes`` says what passes the role to ``service`` (``CreateModel passes it``), with
    ``iam:PassRole``, which can't pass another account's role; ``fails`` what follows. The
    hint: a role of the stack's account (or the prop left out, for a role the construct
    creates), and ``reach``, how that role may still reach what the other account holds
    (``{account}`` stands for that account). Tokens (either account) are not judged.

    Example::

        raise_for([passed_role_problem("role", role, self, service="SageMaker",
                                       passes="CreateModel passes it")], subject)
        # prop 'role': role arn:aws:iam::999988887777:role/m (Stack/M) is of account …
    """
    accounts = other_account_of(scope, role)
    if accounts is None:
        return None
    theirs, ours = accounts
    hint = f"give a role of account {ours}, or leave {prop} out to get one"
    if reach is not None:
        hint += f"; to reach account {theirs}'s resources, " + reach.replace("{account}", theirs)
    # A value with an account of its own is a role here (the prop's type is checked first).
    named = role_named(cast(iam.IRole, role))
    return PropProblem(
        None,
        prop,
        f"role {named} is of account {theirs}, but this stack deploys to account {ours}: "
        f"{_passed_text(service, passes)}: {fails}",
        hint,
    )


def passed_role_arn_problem(
    step: str,
    field: str,
    arn: object,
    scope: IConstruct,
    *,
    passes: str,
    fails: str,
    instead: str,
    reach: str,
    argument: str | None = None,
) -> Problem | None:
    """A definition's role ARN (``RoleArn``, ``ExecutionRoleArn``) of another account.

    The pipeline role passes it to SageMaker when the step runs. Only a literal ARN of a
    role is judged, against a stack of a known account: not a token, an expression, a
    name. ``passes``, ``fails`` and ``reach`` as for ``passed_role_problem``; ``instead``
    names a role of the stack's account to give (the step role, and how).

    Example::

        passed_role_arn_problem("Train", "Arguments.RoleArn", arn, pipeline,
                                passes="the pipeline role passes it to the step's job",
                                fails="every execution would fail at this step",
                                instead="the step role (leave the step's role= out)",
                                reach=JOB_REACH)
    """
    if not isinstance(arn, str) or is_unresolved(arn):
        return None
    match = _ROLE_ARN.fullmatch(arn)
    ours = account_region(scope)[0]
    if match is None or is_unresolved(ours) or match.group(1) == ours:
        return None
    theirs = match.group(1)
    return Problem(
        step,
        field,
        f"role {arn} is of account {theirs}, but the pipeline's stack deploys to account "
        f"{ours}: {_passed_text('SageMaker', passes)}: {fails}",
        f"give a role of account {ours}, such as {instead}; to reach account {theirs}'s "
        "resources, " + reach.replace("{account}", theirs),
        argument,
    )


def _passed_text(service: str, passes: str) -> str:
    return (
        f"{service} takes only a role of its own account, and {passes} with iam:PassRole, "
        "which passes roles of the caller's own account only"
    )
