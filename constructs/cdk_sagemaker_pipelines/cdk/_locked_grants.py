"""Keep a grant to a role imported with ``mutable=False`` instead of losing it.

aws-cdk-lib attaches nothing to a role imported with ``iam.Role.from_role_arn(...,
mutable=False)`` (or ``role.without_policy_updates()``), whose policies are managed
elsewhere (a platform team's, an IAM Identity Center permission set's), and its
``Grant`` says it succeeded: the statement would exist nowhere. Every ``grant_*`` of the
constructs passes its grant through ``keep_for_locked_role``, which puts the statements
in a managed policy of the construct, left unattached for whoever manages the role to
attach, and warns (``cdk-sagemaker-pipelines:immutable-role``) naming it and the role.
"""

from __future__ import annotations

import weakref

from aws_cdk import Annotations
from aws_cdk import aws_iam as iam

from constructs import Construct, IConstruct

from ._acknowledge import acknowledge_wildcards
from ._props import is_unresolved
from ._tree import node_of

# The locked roles whose grants of a construct another construct already warns about (a
# schedule's role: given-role-permissions, with its trust too), by construct: no second
# warning, nor a policy nobody is told to attach.
_WARNED_ELSEWHERE: weakref.WeakKeyDictionary[IConstruct, set[str]] = weakref.WeakKeyDictionary()


def warned_elsewhere(scope: IConstruct, role: iam.IRole) -> None:
    """Leave the grants of ``scope`` to ``role`` as aws-cdk-lib does: another warning has them.

    Example::

        warned_elsewhere(pipeline, schedule_role)  # the schedule warns what it must allow
    """
    _WARNED_ELSEWHERE.setdefault(scope, set()).add(node_of(role).path)


def keep_for_locked_role(
    scope: Construct,
    grantee: iam.IGrantable,
    grant: iam.Grant,
    *,
    method: str,
    policy_id: str,
    description: str,
    allows: str,
    when: str,
    statements: list[iam.PolicyStatement] | None = None,
    acknowledge: str | None = None,
) -> iam.ManagedPolicy | None:
    """Put ``grant``'s statements in ``scope``'s policy ``policy_id`` if the role refuses them.

    Returns that managed policy (created with the first such grant, and shared by every
    locked role ``method`` is given, as its statements are the same for each) and warns
    whom to attach it to; None, doing nothing, for any other grantee. ``statements``
    replace the grant's own (one with a ``Sid``, say), ``acknowledge`` names the subject
    of their wildcards' acknowledgement (``_acknowledge.REASONS`` gives the reason by
    ``Sid``). ``allows`` says what the statements allow (``its statement (…)`` or ``its
    statements (…)``), ``when`` by when the role needs them.

    Example::

        grant = iam.Grant.add_to_principal(grantee=grantee, actions=[...], resource_arns=[...])
        keep_for_locked_role(
            self, grantee, grant, method="grant_read", policy_id="ReadPolicy",
            description="Read model package group churn", allows="…", when="before it reads",
        )
        return grant
    """
    # Not at the top: pipeline.py imports the modules that import this one.
    from .pipeline import WARNING_PREFIX, _refuses_policy_updates

    principal = grantee.grant_principal
    # A role (a user or group has no role_arn) that refuses the statements.
    if not hasattr(principal, "role_arn"):
        return None
    role: iam.IRole = principal  # type: ignore[assignment]
    if not _refuses_policy_updates(role):
        return None
    if node_of(role).path in _WARNED_ELSEWHERE.get(scope, set()):
        return None
    policy = node_of(scope).try_find_child(policy_id)
    if not isinstance(policy, iam.ManagedPolicy):
        kept = statements if statements is not None else list(grant.principal_statements)
        policy = iam.ManagedPolicy(scope, policy_id, description=description, statements=kept)
        if acknowledge is not None:
            acknowledge_wildcards(policy, kept, acknowledge)
    verb = "are" if allows.startswith("its statements") else "is"
    arn = role.role_arn
    named = f"{node_of(role).path}" if is_unresolved(arn) else f"{arn} ({node_of(role).path})"
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:immutable-role",
        f"{method} was given role {named}, imported with mutable=False (or "
        f"without_policy_updates()), so {allows} {verb} in managed policy "
        f"{node_of(policy).path}, not attached to it: attach that policy to the role (or its "
        f"permission set), or make sure the role already allows the same, {when}.",
    )
    return policy
