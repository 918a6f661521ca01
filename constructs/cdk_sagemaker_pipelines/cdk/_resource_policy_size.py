"""Whether an artifact store's bucket and key policies fit S3's and KMS's size limits.

Pipelines add to the policies of the store they share: each with a ``SealStep`` adds a
statement and its sealing role's ARN to its bucket's policy (about 600 characters) and a
statement to its key's (about 450); ``share_models_with`` adds to both. S3 refuses a
bucket policy over 20 KB and KMS a key policy over 32 KB, but only when CloudFormation
deploys it, long after synth: a store shared by some thirty sealed pipelines fails to
deploy on its bucket policy.

The template holds references (a role's ARN, the bucket's name) where the deployed policy
holds their values, so the deployed length is known only within bounds. Synth fails when
even the least it can be, each reference counted at its shortest value, is over the
limit; it warns when the estimate (each reference at its longest, ``deployed_length``)
is.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import Any, cast

import jsii
from aws_cdk import Annotations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs import Construct, IValidation

from ._policy_size import deployed_length, is_intrinsic
from ._tree import node_of, path_of, stack_of

# "Bucket policies are limited to 20 KB in size" (Amazon S3 User Guide, "Bucket policies
# and user policies").
MAX_BUCKET_POLICY_BYTES = 20 * 1024
# "Up to 32 kilobytes (32,768 bytes)" (AWS KMS Developer Guide, "Key policy format").
MAX_KEY_POLICY_BYTES = 32 * 1024

# The shortest value of each pseudo parameter: partition "aws", a region such as
# "us-east-1", AWS::URLSuffix "amazonaws.com".
_SHORTEST_PSEUDO = {
    "AWS::AccountId": 12,
    "AWS::Partition": 3,
    "AWS::Region": 9,
    "AWS::URLSuffix": 13,
    "AWS::NoValue": 0,
}
# The shortest ARN: arn:aws:s3:::<a bucket name of 3>.
_SHORTEST_ARN = len("arn:aws:s3:::abc")


def least_length(rendered: Any) -> int:
    """The least length ``rendered`` (a resolved policy document) can take once deployed.

    Compact JSON, each reference counted at its shortest value: a ``Ref`` at one character
    (a pseudo parameter at its shortest value), an ``Fn::GetAtt`` of an ``Arn`` at the
    shortest ARN, anything else at nothing.

    Example::

        least_length({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]})  # 9
    """
    if isinstance(rendered, dict):
        if is_intrinsic(rendered):
            return _least_text(rendered) + 2  # a JSON string, quoted
        return (
            2
            + max(len(rendered) - 1, 0)
            + sum(len(json.dumps(key)) + 1 + least_length(item) for key, item in rendered.items())
        )
    if isinstance(rendered, list):
        return 2 + max(len(rendered) - 1, 0) + sum(least_length(item) for item in rendered)
    return len(json.dumps(rendered, ensure_ascii=False))


def _least_text(value: Any) -> int:
    if isinstance(value, str):
        return len(json.dumps(value, ensure_ascii=False)) - 2
    if not isinstance(value, dict) or len(value) != 1:
        return 0
    ((function, argument),) = value.items()
    if function == "Ref":
        return _SHORTEST_PSEUDO.get(str(argument), 1)
    if function == "Fn::GetAtt":
        attribute = argument[1] if isinstance(argument, list) and len(argument) == 2 else ""
        return _SHORTEST_ARN if str(attribute).endswith("Arn") else 1
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        separator, parts = argument
        if isinstance(parts, list):
            gaps = len(str(separator)) * max(len(parts) - 1, 0)
            return gaps + sum(_least_text(part) for part in parts)
    return 0


@jsii.implements(IValidation)
class _PolicySize:
    """Fails synth when a store's bucket or key policy is surely over its service's limit."""

    def __init__(
        self,
        owner: Construct,
        kind: str,
        limit: int,
        document: Callable[[], Any],
        warning_id: str,
    ) -> None:
        self._owner = owner
        self._kind = kind  # "bucket" or "key"
        self._warning_id = warning_id
        self._limit = limit
        self._document = document  # the policy as the template holds it, read at synth

    def validate(self) -> list[str]:
        """One message when even the least length the policy can take is over the limit."""
        resolved = stack_of(self._owner).resolve(self._document()) or {}
        statements = resolved.get("Statement", [])
        count = len(statements) if isinstance(statements, list) else 1
        least = least_length(resolved)
        estimate = deployed_length(resolved)
        service = "S3" if self._kind == "bucket" else "KMS"
        size = f"{self._limit // 1024} KB"
        hint = (
            "give each group of pipelines an ArtifactStore of its own (a store per team, "
            "or per few teams): each Pipeline with a SealStep adds statements to its "
            f"store's {self._kind} policy, as does each account of share_models_with"
        )
        if least > self._limit:
            return [
                f"the policy of {self._kind} {path_of(self._owner)} takes at least "
                f"{least:,} characters ({count} statements), more than the "
                f"{self._limit:,} bytes ({size}) {service} allows, so the stack would fail "
                f"to deploy: {hint}"
            ]
        if estimate > self._limit:
            Annotations.of(self._owner).add_warning_v2(
                self._warning_id,
                f"The policy of this {self._kind} takes about {estimate:,} characters "
                f"({count} statements; at least {least:,}), more than the "
                f"{self._limit:,} bytes ({size}) {service} allows: deploying may fail. "
                f"To stay within it, {hint}.",
            )
        return []


_WATCHED: weakref.WeakKeyDictionary[Construct, _PolicySize] = weakref.WeakKeyDictionary()


def watch_bucket_policy(bucket: s3.Bucket) -> None:
    """Check at synth that the policy of ``bucket`` (a store's) fits S3's 20 KB."""
    policy = bucket.policy
    if policy is None or bucket in _WATCHED:
        return
    from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports a lot

    document = policy.document
    check = _PolicySize(
        bucket,
        "bucket",
        MAX_BUCKET_POLICY_BYTES,
        # The document itself, not its to_json(): resolving it runs the post-processing
        # the template gets (duplicate statements dropped, minimizePolicies' merges), which
        # to_json() skips, counting each duplicate as if it deployed.
        lambda: document,
        f"{WARNING_PREFIX}:bucket-policy-size",
    )
    _WATCHED[bucket] = check
    node_of(bucket).add_validation(check)


def watch_key_policy(key: kms.IKey) -> None:
    """Check at synth that the policy of ``key`` (a store's, created in the app) fits 32 KB."""
    if not isinstance(key, kms.Key) or key in _WATCHED:
        return
    from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports a lot

    # node_of: the node read once, for add_validation below too.
    resource = cast(kms.CfnKey, node_of(key).default_child)
    check = _PolicySize(
        key,
        "key",
        MAX_KEY_POLICY_BYTES,
        lambda: resource.key_policy,
        f"{WARNING_PREFIX}:key-policy-size",
    )
    _WATCHED[key] = check
    node_of(key).add_validation(check)
