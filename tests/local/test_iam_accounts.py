"""evaluate() across accounts: the identity policies and the resource's policy must both allow.

"Cross-account policy evaluation logic": within one account a bucket policy naming the role
is enough on its own (tests/local/test_iam.py); a role of account 1 acting on a resource of
account 2 needs an Allow of its own policies and one of the resource's policy.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.local import load_assembly
from cdk_sagemaker_pipelines.local.iam import AssemblyRoles, Decision, ResourcePolicy, evaluate
from tests.local.test_iam import (
    KEY,
    OBJECT,
    ROOT,
    R,
    _bucket_policy,
    _edit_policy,
    _key_policy,
    allow,
    bucket_policy,
    cdk_out,  # noqa: F401 (the fixture)
    grant,
    key_policy,
    refuse,
    role,
)

OTHER = "2"  # the resource's account; role() is of account 1
OTHER_KEY = "arn:aws:kms:us-east-1:2:key/K"


def foreign(policy: ResourcePolicy) -> ResourcePolicy:
    """The policy of a resource of account 2 (as the loader marks a stack's policies)."""
    return replace(policy, account=OTHER)


def test_a_bucket_of_another_account_needs_its_policy_to_allow_the_role_too() -> None:
    identity = role(allow("s3:GetObject", "*"))
    # No bucket policy: the role's own Allow is not enough across accounts.
    assert evaluate(identity, "s3:GetObject", OBJECT, {}, owner=OTHER) == Decision(
        False,
        "the resource is account 2's and has no policy allowing the role or its account "
        f"({ROOT}): across accounts its policy must allow it too",
    )
    # A bucket policy that allows someone else (its own account, another role).
    for principal in ({"AWS": "arn:aws:iam::2:root"}, {"AWS": "arn:aws:iam::3:role/R"}):
        policy = foreign(bucket_policy(grant(principal)))
        assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy) == Decision(
            False,
            "the bucket policy of dev/Data, of account 2, allows it neither to the role nor "
            f"to its account ({ROOT}): across accounts it must, as well as the role's own "
            "policies",
        )
    # Both allow: the role's ARN, its account (root or bare id), everyone.
    everyone: list[Any] = [{"AWS": R}, {"AWS": ROOT}, {"AWS": "1"}, "*"]
    for principal in everyone:
        policy = foreign(bucket_policy(grant(principal)))
        assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy).allowed, principal


def test_across_accounts_a_bucket_policy_naming_the_role_is_not_enough_alone() -> None:
    policy = bucket_policy(grant({"AWS": R}))
    # Within the account (the policy's account is the role's, or unknown): enough.
    assert evaluate(role(), "s3:GetObject", OBJECT, {}, policy=policy).allowed
    assert evaluate(role(), "s3:GetObject", OBJECT, {}, policy=replace(policy, account="1")).allowed
    # Across accounts: the role's own policies must allow it too.
    assert evaluate(role(), "s3:GetObject", OBJECT, {}, policy=foreign(policy)) == Decision(
        False,
        "no statement of its policies allows it: across accounts (the resource is account "
        "2's) the bucket policy of dev/Data allowing it is not enough",
    )
    # The owner given explicitly wins over the policy's (same account: allowed again).
    assert evaluate(role(), "s3:GetObject", OBJECT, {}, policy=foreign(policy), owner="1").allowed


def test_across_accounts_explicit_denies_and_the_boundary_still_win() -> None:
    identity = role(allow("s3:*", "*"))
    policy = foreign(bucket_policy(grant({"AWS": ROOT}), refuse({"AWS": R}, Sid="NotThem")))
    assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy) == Decision(
        False, "an explicit Deny in the bucket policy of dev/Data (Sid NotThem) denies it"
    )
    bounded = role(allow("s3:*", "*"), boundary=(allow("s3:PutObject", "*"),))
    both = foreign(bucket_policy(grant({"AWS": R})))
    assert evaluate(bounded, "s3:GetObject", OBJECT, {}, policy=both) == Decision(
        False, "its permissions boundary Boundary does not allow it"
    )


def test_a_resource_of_unknown_policy_is_left_to_the_identity_policies() -> None:
    # A bucket the template doesn't define: its owner and policy aren't known offline.
    assert evaluate(role(allow("s3:GetObject", "*")), "s3:GetObject", OBJECT, {}).allowed
    # A key ARN of another account without its key policy: as before, IAM decides.
    assert evaluate(role(allow("kms:Decrypt", "*")), "kms:Decrypt", OTHER_KEY, {}).allowed


def test_a_key_of_another_account_needs_its_key_policy_to_allow_the_callers_account() -> None:
    identity = role(allow("kms:Decrypt", "*"))
    # CDK's default key policy: its own account only. The key's ARN says it is account 2's.
    own = key_policy(grant({"AWS": "arn:aws:iam::2:root"}, "kms:*"))
    assert evaluate(identity, "kms:Decrypt", OTHER_KEY, {}, policy=own) == Decision(
        False,
        "the key policy of K (dev/Key), of account 2, allows it neither to the role nor to "
        f"its account ({ROOT}): across accounts it must, as well as the role's own policies",
    )
    # Allowing account 1 (or the role) and the role's own policy allowing it: allowed.
    for principal in ({"AWS": ROOT}, {"AWS": R}):
        shared = key_policy(
            grant({"AWS": "arn:aws:iam::2:root"}, "kms:*"), grant(principal, "kms:Decrypt")
        )
        assert evaluate(identity, "kms:Decrypt", OTHER_KEY, {}, policy=shared).allowed
        # Without the role's own Allow: denied, even with the key policy naming the role.
        assert not evaluate(role(), "kms:Decrypt", OTHER_KEY, {}, policy=shared).allowed
    # kms:CallerAccount is the role's account across accounts too.
    conditioned = key_policy(
        grant("*", "kms:Decrypt", Condition={"StringEquals": {"kms:CallerAccount": "1"}})
    )
    assert evaluate(identity, "kms:Decrypt", OTHER_KEY, {}, policy=conditioned).allowed
    elsewhere = key_policy(
        grant("*", "kms:Decrypt", Condition={"StringEquals": {"kms:CallerAccount": "2"}})
    )
    assert not evaluate(identity, "kms:Decrypt", OTHER_KEY, {}, policy=elsewhere).allowed


def test_a_key_of_the_same_account_keeps_its_rules() -> None:
    # The key policy naming the role is enough; allowing the account enables IAM, which
    # must allow it; allowing neither denies whatever IAM allows ("Key policies in AWS KMS").
    named = key_policy(grant({"AWS": R}, "kms:Decrypt"))
    assert evaluate(role(), "kms:Decrypt", KEY, {}, policy=named).allowed
    delegated = replace(key_policy(grant({"AWS": ROOT}, "kms:*")), account="1")
    assert evaluate(
        role(allow("kms:Decrypt", KEY)), "kms:Decrypt", KEY, {}, policy=delegated
    ).allowed
    assert not evaluate(role(), "kms:Decrypt", KEY, {}, policy=delegated).allowed
    nobody = key_policy(grant({"AWS": "arn:aws:iam::1:role/Admin"}, "kms:*"))
    assert not evaluate(role(allow("kms:*", "*")), "kms:Decrypt", KEY, {}, policy=nobody).allowed


def test_the_assemblys_resource_policies_are_of_their_stacks_account(cdk_out: Path) -> None:  # noqa: F811
    read: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::2:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    _edit_policy(cdk_out, _bucket_policy("DataBucket11AA22BB", {**read, "Action": "s3:*"}))
    _edit_policy(cdk_out, _key_policy(read))
    roles = load_assembly(cdk_out, account="111122223333").roles
    assert roles is not None
    policies = [*roles.bucket_policies.values(), *roles.key_policies.values()]
    assert len(policies) == 2
    assert {policy.account for policy in policies} == {"111122223333"}
    # An execution's iam.json keeps it for --resume.
    assert AssemblyRoles.from_json(roles.to_json()) == roles
