"""Keep a grant to a role imported with ``mutable=False`` instead of losing it.

aws-cdk-lib attaches nothing to a role imported with ``iam.Role.from_role_arn(...,
mutable=False)`` (or ``role.without_policy_updates()``), whose policies are managed
elsewhere (a platform team's, an IAM Identity Center permission set's), and its
``Grant`` says it succeeded: the statement would exist nowhere. Every ``grant_*`` of the
constructs passes its grant through ``keep_for_locked_role``, which puts the statements
in a managed policy of the construct, left unattached for whoever manages the role to
attach, and warns (``cdk-sagemaker-pipelines:immutable-role``) naming it and the role.
The policy's wildcards are acknowledged to cdk-nag one finding at a time, with the
reason the grant gives; a wildcard that a statement added to the policy holds too (through
the construct's property) stays a finding.

A role of another account (``from_role_arn`` makes any such role immutable, whatever
``mutable`` says) can't have a policy of this account attached: no policy is made, and
the construct warns (``cdk-sagemaker-pipelines:other-account-role``) what that account
must allow, and what the resource side needs.
"""

from __future__ import annotations

import weakref

from aws_cdk import Annotations
from aws_cdk import aws_iam as iam

from constructs import Construct, IConstruct

from ._acknowledge import acknowledge_policy_wildcards
from ._roles import other_account_of, role_named
from ._tree import node_of, resource_account_region

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
    other_account: str,
    statements: list[iam.PolicyStatement] | None = None,
    acknowledge: str | None = None,
    resource_wildcards: str | None = None,
    action_wildcards: str | None = None,
) -> iam.ManagedPolicy | None:
    """Put ``grant``'s statements in ``scope``'s policy ``policy_id`` if the role refuses them.

    Returns that managed policy (created with the first such grant, and shared by every
    locked role ``method`` is given, as its statements are the same for each) and warns
    whom to attach it to; None, doing nothing, for any other grantee. ``statements``
    replace the grant's own (one with a ``Sid``, say), ``acknowledge`` names the subject
    of their wildcards' acknowledgement (``_acknowledge.REASONS`` gives the reason by
    ``Sid``). ``allows`` says what the statements allow (``its statement (…)`` or ``its
    statements (…)``), ``when`` by when the role needs them.

    ``resource_wildcards`` and ``action_wildcards`` say why the statements' wildcard
    resources and actions are what the grant needs: each is acknowledged on the policy
    with that reason (``AwsSolutions-IAM5[Resource::…]``, ``[Action::…]``), one finding at
    a time, as the template names it, at synth. Wildcards of a kind given no reason (a
    wildcard action where only resources have one), and any that a statement added to the
    policy afterwards holds too, stay findings, failing synth under cdk-nag.

    A role of another account than the stack's (both known) gets no policy, which that
    account couldn't attach: None, and a warning saying that its account must allow the
    same, and ``other_account``: what the resource side needs, or what to do instead
    (``{account}`` in it stands for the role's account); nothing, for a resource imported
    from the role's own account (a pipeline by ARN).

    Example::

        grant = iam.Grant.add_to_principal(grantee=grantee, actions=[...], resource_arns=[...])
        keep_for_locked_role(
            self, grantee, grant, method="grant_read", policy_id="ReadPolicy",
            description="Read model package group churn", allows="…", when="before it reads",
            other_account="share the group with its account: share_with_account(…)",
            resource_wildcards="the registry numbers versions itself",
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
    named = role_named(role)
    verb = "are" if allows.startswith("its statements") else "is"
    other = other_account_of(scope, role)
    if other is not None:
        role_account, own_account = other
        # "(…)": what the statements allow, without "its statement(s)".
        what = allows.removeprefix("its statements ").removeprefix("its statement ")
        # A resource imported from the role's own account (a pipeline by ARN) needs nothing
        # on its side: a policy of that account is all.
        environment = resource_account_region(scope)
        resource_side = (
            f"nothing more: {node_of(scope).path} is of account {role_account} too"
            if environment is not None and environment[0] == role_account
            else other_account.replace("{account}", role_account)
        )
        Annotations.of(scope).add_warning_v2(
            f"{WARNING_PREFIX}:other-account-role",
            f"{method} was given role {named} of account {role_account}, but this stack "
            f"deploys to account {own_account}, whose managed policies IAM can't attach to "
            f"it: no policy is made for it. A policy of account {role_account} must allow the "
            f"role the same {what} {when}; and {resource_side}.",
        )
        return None
    policy = node_of(scope).try_find_child(policy_id)
    if not isinstance(policy, iam.ManagedPolicy):
        kept = statements if statements is not None else list(grant.principal_statements)
        policy = iam.ManagedPolicy(scope, policy_id, description=description, statements=kept)
        # At synth, of the statements written here only: the properties hand the policy out,
        # and a statement added to it keeps the findings of its wildcards.
        if acknowledge is not None:
            acknowledge_policy_wildcards(policy, kept, acknowledge)
        elif resource_wildcards is not None or action_wildcards is not None:
            subject = f"policy {node_of(policy).path} ({method} for roles that refuse updates)"
            acknowledge_policy_wildcards(
                policy, kept, subject, resources=resource_wildcards, actions=action_wildcards
            )
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:immutable-role",
        f"{method} was given role {named}, imported with mutable=False (or "
        f"without_policy_updates()), so {allows} {verb} in managed policy "
        f"{node_of(policy).path}, not attached to it: attach that policy to the role (or its "
        f"permission set), or make sure the role already allows the same, {when}.",
    )
    return policy


def kept_policy(scope: IConstruct, policy_id: str) -> iam.ManagedPolicy | None:
    """``scope``'s policy ``policy_id`` that ``keep_for_locked_role`` made, if it made one.

    Example::

        kept_policy(registry, "ReadPolicy")  # None until a grant_read to a locked role
    """
    policy = node_of(scope).try_find_child(policy_id)
    return policy if isinstance(policy, iam.ManagedPolicy) else None
