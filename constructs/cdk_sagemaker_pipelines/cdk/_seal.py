"""The function a pipeline's ``SealStep``s run, its role, and the bucket policy that seals.

The function copies what a model version will record to ``sealed/<pipeline>/…`` of the
artifact bucket. Its role reads exactly the seal steps' inputs and writes only that
prefix; the bucket policy denies every principal but the store's seal roles any write or
delete under ``sealed/``, every other principal any under ``sealed/<pipeline>/``, and
the function itself any write that could replace a key (``If-None-Match``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import (
    Aws,
    Duration,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from constructs import Construct

from ..definition import PipelineDefinitionError
from ..definition._seal_entries import SEALED_PREFIX
from ..definition.permissions import S3Access
from ._acknowledge import NIST, _acknowledge
from ._own_function import encrypted_function_logs, own_python_function
from ._roles import role_arn
from ._tree import path_of, placed, stack_of
from ._warning_traces import record_warnings_without_traces
from .artifacts import records_removal_policy

if TYPE_CHECKING:
    from .artifacts import ArtifactStore

FUNCTION_CODE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "_seal_function")
"""The directory deployed as the sealing function's code (``index.handler``)."""

# Every action that creates, replaces or deletes an object or what guards it: none but
# the sealing function may take them under sealed/. The Replicate* actions are what S3
# replication writes with (the replication role's permissions on the destination, not
# s3:PutObject): without them, any role of the account that a replication rule of another
# bucket names would overwrite sealed keys, or hide them behind delete markers. The
# destination bucket's policy decides them: S3's guide grants s3:ReplicateObject and
# s3:ReplicateDelete there, and denies s3:ReplicateTags there to keep tags out ("Setting
# up permissions for live replication", https://docs.aws.amazon.com/AmazonS3/latest/
# userguide/setting-repl-config-perm-overview.html).
SEALED_WRITE_ACTIONS = (
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
    "s3:RestoreObject",
    "s3:ReplicateObject",
    "s3:ReplicateDelete",
    "s3:ReplicateTags",
)


def _retention_environment(store: ArtifactStore) -> dict[str, str]:
    """What the function reads to lock each copy: nothing when the store locks none."""
    retention = store.sealed_retention
    if retention is None:
        return {}
    return {"SEALED_RETENTION_MODE": retention.mode, "SEALED_RETENTION_DAYS": str(retention.days)}


# Why the sealing function leaves findings of NIST 800-53 (rule -> reason).
_FUNCTION_REASONS = {
    "LambdaDLQ": "the pipeline's Lambda step invokes the function synchronously and reads "
    "its return value: a failed invocation fails the step; a dead-letter queue "
    "receives only failed asynchronous invocations, and there are none",
    "LambdaConcurrency": "a run invokes the function once per seal step; reserving "
    "concurrency would fail the deploy in accounts whose quota is under the 100 "
    "unreserved executions Lambda keeps",
    "LambdaInsideVPC": "the function calls S3 only, under the bucket policy's conditions; a "
    "VPC would add subnets and an S3 endpoint, and no protection to these calls",
}


class SealFunction(Construct):
    """The sealing function of one ``Pipeline`` (created when a ``SealStep`` is bound).

    Example::

        seal = SealFunction(pipeline, "SealFunction", store=store, pipeline_name="churn")
        seal.function.function_arn
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, store: ArtifactStore, pipeline_name: str
    ) -> None:
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        # Stacks, paths and the region through _tree: each a round trip to jsii, read once.
        stack = stack_of(self)
        # An adopted store's bucket made in another stack of the app has its policy there
        # (an imported bucket has none the app writes, so its stack doesn't matter).
        bucket_elsewhere = (
            isinstance(store.bucket, s3.Bucket) and stack_of(store.bucket) is not stack
        )
        if stack_of(store) is not stack or bucket_elsewhere:
            # The bucket policy names the function's role: from another stack, a reference
            # back to the pipeline's stack, which already depends on the store's.
            raise PipelineDefinitionError(
                f"Pipeline {scope.node.path}: a SealStep needs the pipeline in the stack of "
                f"its ArtifactStore ({store.node.path}"
                + (f", its bucket {store.bucket.node.path}" if bucket_elsewhere else "")
                + "), whose bucket policy names the sealing function's role"
            )
        self._store = store
        self.prefix = f"{SEALED_PREFIX}{pipeline_name}/"
        # The objects under the prefix, named in the bucket policy and the function's own.
        self._objects = store.bucket.arn_for_objects(f"{self.prefix}*")
        # What was sealed, and when: an audit reads it beside the sealed copies, so it stays
        # as long as the store keeps them (and the key that encrypts it), but goes with a
        # failed deploy that creates it (else its name would fail the retry).
        self.logs = encrypted_function_logs(
            self,
            key=store.key,
            sid_prefix="CloudWatchLogsEncryptsSealFunctionLogs",
            removal_policy=records_removal_policy(store._removal_policy),
        )
        self.role, self.policy, self.function = own_python_function(
            self,
            code=FUNCTION_CODE,
            description=f"Copies {pipeline_name}'s registered artifacts to write-once keys",
            role_description=f"Seals the artifacts model versions of {pipeline_name} record",
            policy_description="What the sealing function may read and write",
            # A multipart copy of a multi-GB archive takes minutes; the step waits for it.
            timeout=Duration.minutes(15),
            memory_size=256,
            logs=self.logs,
            reasons=_FUNCTION_REASONS,
            packs=(NIST,),
            environment={
                "SEALED_BUCKET": store.bucket.bucket_name,
                "SEALED_PREFIX": self.prefix,
                **_retention_environment(store),
            },
        )
        self._deny_other_writers()

    def _deny_other_writers(self) -> None:
        """Only this function writes ``sealed/<pipeline>/``.

        That no key under ``sealed/`` is ever replaced is the store's statement
        (``SealedKeysAreWrittenOnce``), one for all its pipelines: S3 takes a bucket
        policy of 20 KB, which a statement per pipeline would fill sooner.
        """
        bucket = self._store.bucket
        objects = self._objects
        sealing_role = role_arn(self.role)
        # Anywhere under sealed/: the store's seal roles alone (this one among them).
        self._store._add_seal_role(sealing_role, SEALED_WRITE_ACTIONS)
        # Under this pipeline's prefix: its own seal role alone, not another pipeline's.
        digest = hashlib.sha256(self.prefix.encode()).hexdigest()[:8]
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"OnlyTheSealFunctionWritesSealed{digest}",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(SEALED_WRITE_ACTIONS),
                resources=[objects],
                # aws:PrincipalArn of a role's session is the role's ARN.
                conditions={"ArnNotEquals": {"aws:PrincipalArn": sealing_role}},
            )
        )

    def grant(self, reads: Sequence[S3Access], lists: Sequence[S3Access] = ()) -> None:
        """Let the function read ``reads`` (the seal steps' inputs) and write its prefix.

        ``lists`` are what the steps' manifests list: ``s3:ListBucketVersions`` (what
        ListObjectVersions asks for) on their exact prefixes, and no object read.
        """
        partition = Aws.PARTITION  # a round trip at each read
        read_objects = sorted({f"arn:{partition}:s3:::{access.objects}" for access in reads})
        statements = [
            iam.PolicyStatement(
                sid="WriteSealedCopies",
                # GetObject: a retry reads what an earlier attempt sealed (HeadObject
                # after a 412) to tell its own copy from another object's.
                actions=["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
                resources=[self._objects],
            ),
            iam.PolicyStatement(
                sid="UseTheArtifactKey",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self._store.key.key_arn],
            ),
        ]
        if self._store.sealed_retention is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="LockSealedCopies",
                    # What S3 checks of an upload naming an Object Lock mode and date
                    # (CreateMultipartUpload, PutObject), besides s3:PutObject.
                    actions=["s3:PutObjectRetention"],
                    resources=[self._objects],
                )
            )
        if read_objects:
            statements.append(
                iam.PolicyStatement(
                    sid="ReadArtifactsToSeal",
                    actions=["s3:GetObject"],
                    resources=read_objects,
                )
            )
            for index, (name, prefixes) in enumerate(_prefixes_by_bucket(reads)):
                statements.append(
                    iam.PolicyStatement(
                        sid=f"ListArtifactsToSeal{index}",
                        actions=["s3:ListBucket"],
                        resources=[f"arn:{partition}:s3:::{name}"],
                        conditions={"StringLike": {"s3:prefix": prefixes}},
                    )
                )
        for index, (name, prefixes) in enumerate(_prefixes_by_bucket(lists)):
            statements.append(
                iam.PolicyStatement(
                    sid=f"ListManifestSources{index}",
                    actions=["s3:ListBucketVersions"],
                    resources=[f"arn:{partition}:s3:::{name}"],
                    conditions={"StringLike": {"s3:prefix": prefixes}},
                )
            )
        self.policy.add_statements(*statements)
        resolved = stack_of(self).resolve([statement.to_json() for statement in statements])
        _acknowledge(self.policy, resolved, f"SealFunction {path_of(self)}")


def _prefixes_by_bucket(accesses: Sequence[S3Access]) -> list[tuple[str, list[str]]]:
    """Each bucket of ``accesses`` (sorted) with the ``s3:prefix`` values that list them."""
    by_bucket: dict[str, list[str]] = {}
    for access in accesses:
        prefixes = by_bucket.setdefault(access.bucket, [])
        for prefix in access.list_prefixes or ("*",):
            if prefix not in prefixes:
                prefixes.append(prefix)
    return sorted(by_bucket.items())
