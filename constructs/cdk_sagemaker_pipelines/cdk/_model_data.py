"""The model data an endpoint's role reads: the served versions', found at deploy time.

A version is a model package ARN; where its model data is (each container's
``ModelDataUrl`` or ``ModelDataSource``) is known only once it is registered, and the ARN
is often a token. So a custom resource of the endpoint (``Custom::ModelDataLocations``)
asks the stack's ``ModelDataReader`` function to describe the versions at deploy time; it
returns the objects (and uncompressed models' prefixes) as IAM resources joined by a
delimiter, which the template splits into the role's ``Resource``; and the uncompressed
models' prefixes alike, split into the ``s3:prefix`` condition of the role's listing (a
prefix no store writes when none is uncompressed). The function refuses
model data outside each version's store (its bucket, under ``models/`` or ``sealed/``),
so the read stays tied to the stores, as the store-wide grant it replaces was.

An update returns the old properties' versions' model data too: the role is shared by
the endpoint's models, and while SageMaker replaces version A's instances with B's (or
rolls back to A), A's may still scale out and download A. A's data stays readable until
the served versions next change.

The same call refuses a version whose approval status isn't what its ``Require`` says
(``APPROVED``, ``NOT_REJECTED`` or ``NO_REQUIREMENT``: the function's docstring has the
rule), and the endpoint's models wait for it: nothing is served before the check passes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import NamedTuple

from aws_cdk import (
    Aws,
    CustomResource,
    Duration,
    Fn,
    RemovalPolicy,
    Token,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs import Construct

from ..definition import PipelineDefinitionError
from ..definition._model_data_locations import (
    ATTRIBUTE,
    DELIMITER,
    LIST_ATTRIBUTE,
    RESOURCE_TYPE,
)
from ._acknowledge import acknowledge_wildcards
from ._own_function import encrypted_function_logs, own_python_function
from ._tree import node_of, path_of, stack_of
from ._warning_traces import record_warnings_without_traces
from .artifacts import MODELS_PREFIX, SEALED_PREFIX, ArtifactStore, records_removal_policy

FUNCTION_CODE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "_model_data_function")
"""The directory deployed as the reader's code (``index.handler``)."""

# The reader's id at the root of each stack that serves a version (one per stack).
READER_ID = "SageMakerModelDataReader"
MODEL_DATA_ID = "ModelData"
"""The custom resource's id under the endpoint (``model_data``'s ``scope``)."""
# A version's Require: the approval status it must have to be served.
APPROVED = "Approved"  # a production variant's: it answers callers
NOT_REJECTED = "NotRejected"  # a shadow variant's: its responses are discarded
NO_REQUIREMENT = "None"  # require_approval=False
_STRICTNESS = (NO_REQUIREMENT, NOT_REJECTED, APPROVED)
# How long CloudFormation waits for an answer (the function answers within its timeout, a
# minute: a function that fails to start would otherwise hold the stack for an hour).
SERVICE_TIMEOUT = Duration.minutes(5)

# Why the reader's function and logs leave findings of the compliance packs (rule -> reason).
_FUNCTION_REASONS = {
    "LambdaDLQ": "CloudFormation invokes the model data reader synchronously and reports "
    "its failure as the deployment's; a dead-letter queue receives only failed "
    "asynchronous invocations, and there are none",
    "LambdaConcurrency": "the model data reader runs once per endpoint deployment; "
    "reserving concurrency would fail the deploy in accounts whose quota is under the 100 "
    "unreserved executions Lambda keeps",
    "LambdaInsideVPC": "the model data reader calls SageMaker's DescribeModelPackage only; "
    "a VPC would add subnets and an interface endpoint, and no protection to that call",
}
# Removal policies from least to most kept: the logs keep the most any served store keeps.
_KEPT_LONGER = (
    RemovalPolicy.DESTROY,
    RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    RemovalPolicy.RETAIN,
)


class ModelData(NamedTuple):
    """What ``ModelDataReader.model_data`` found, as tokens of lists for a role's statements.

    Example::

        found = ModelDataReader.of(endpoint).model_data(endpoint, versions)
        iam.PolicyStatement(actions=["s3:GetObject"], resources=found.resources)
        iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
                            conditions={"StringLike": {"s3:prefix": found.list_prefixes}})
    """

    resources: list[str]
    """The model data's objects and prefixes, as IAM resources (the whole ``Resource``)."""
    list_prefixes: list[str]
    """The uncompressed models' prefixes, as ``s3:prefix`` patterns (the whole value)."""


class ModelDataReader(Construct):
    """The function finding served versions' model data at deploy time (one per stack).

    ``ModelEndpoint`` uses it: ``ModelDataReader.of(stack).model_data(endpoint, versions)``
    adds the endpoint's custom resource and returns the role's ``Resource`` and the
    listing's ``s3:prefix`` (``ModelData``: tokens of lists). The function's role may
    describe the versions of the served versions' groups (``DescribeModelPackage``, nothing
    else), write its own log group and describe its stack (to let a rollback through). The
    log group records which model data each deployment let the endpoints read: it follows
    the removal policy of the stores holding the served versions (the one that keeps the
    most; retained for an adopted store), deleted with the stack only if they all are, and
    with a failed deploy that creates it (``records_removal_policy``). It is encrypted, as
    a sealing function's is, with the key of the store the reader is created for (the
    first endpoint's ``artifact_store``), whose policy lets CloudWatch Logs use it for
    this log group only; an adopted store's imported key, whose policy the app can't
    extend, leaves it to CloudWatch Logs' own encryption.

    Example::

        found = ModelDataReader.of(endpoint, endpoint.artifact_store).model_data(
            endpoint, [(version_arn, store, APPROVED)])
        iam.PolicyStatement(actions=["s3:GetObject"], resources=found.resources)
    """

    @staticmethod
    def of(scope: Construct, store: ArtifactStore | None = None) -> ModelDataReader:
        """The reader of ``scope``'s stack, created at its root the first time.

        ``store``: whose key encrypts the logs of a reader created now (required then).
        """
        stack = stack_of(scope)
        found = node_of(stack).try_find_child(READER_ID)
        if isinstance(found, ModelDataReader):
            return found
        if found is not None:
            raise PipelineDefinitionError(
                f"{node_of(scope).path}: the stack's child {READER_ID!r} is not the model data "
                "reader the endpoints of the stack share: give that construct another id"
            )
        if store is None:
            raise PipelineDefinitionError(
                f"{node_of(scope).path}: the stack has no model data reader yet: give the "
                "store whose key encrypts its logs"
            )
        return ModelDataReader(stack, READER_ID, key=store.key)

    def __init__(self, scope: Construct, construct_id: str, *, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        record_warnings_without_traces(self)
        # What each deployment let the endpoints read: encrypted as the sealing function's
        # logs are, so that neither record of the stores is readable without their key.
        self.logs = encrypted_function_logs(
            self,
            key=key,
            sid_prefix="CloudWatchLogsEncryptsModelDataReaderLogs",
            # Until an endpoint names the stores it serves from (model_data).
            removal_policy=RemovalPolicy.DESTROY,
            # An adopted store's imported key: its owner's policy may not let CloudWatch
            # Logs use it, and the group (so the endpoint's deploy) would fail on it.
            imported_key_reason="the model data reader logs the versions it describes and "
            "the S3 locations it returns, no data; the store's key is imported, and its "
            "policy (its owner's) can't be made to let CloudWatch Logs use it: CloudWatch "
            "Logs encrypts them at rest with its own key",
        )
        self._logs_removal_policy = RemovalPolicy.DESTROY
        self.role, self.policy, self.function = own_python_function(
            self,
            code=FUNCTION_CODE,
            description="Finds the model data of the versions the stack's endpoints serve",
            role_description="Reads where the versions the stack's endpoints serve keep their "
            "model data",
            policy_description="What the model data reader may describe and log",
            timeout=Duration.minutes(1),
            memory_size=128,
            logs=self.logs,
            reasons=_FUNCTION_REASONS,
        )
        self._describes_stack = False

    def model_data(
        self,
        scope: Construct,
        versions: Sequence[tuple[str, ArtifactStore, str]],
        max_data: int | None = None,
    ) -> ModelData:
        """Where ``versions``' model data is: ``(version ARN, store, Require)`` each.

        ``max_data``: the bytes the two attributes may take together (the resource's
        ``MaxData``), for a role policy that counts on no more; beyond it the previous
        versions' data is left out, and data of the served versions alone beyond it fails
        the deploy. Default: what a custom resource's response holds.

        Adds ``ModelData`` (the custom resource) under ``scope``, and lets the function
        describe the versions of their groups: on an update it describes the versions
        served before too, whose ARNs the template no longer holds. A version given twice
        (one store) requires the stricter of its requirements. The log group is kept at
        least as long as the stores are.
        """
        unique: list[tuple[str, s3.IBucket, str]] = []
        for arn, store, require in versions:
            bucket = store.bucket
            self._keep_logs_with(store)
            same = [
                i for i, (seen, other, _) in enumerate(unique) if seen == arn and other is bucket
            ]
            if not same:
                unique.append((arn, bucket, require))
            elif _STRICTNESS.index(require) > _STRICTNESS.index(unique[same[0]][2]):
                unique[same[0]] = (arn, bucket, require)
        resource = CustomResource(
            scope,
            MODEL_DATA_ID,
            service_token=self.function.function_arn,
            resource_type=RESOURCE_TYPE,
            service_timeout=SERVICE_TIMEOUT,
            properties={
                "Versions": [
                    {"ModelPackageArn": arn, "Bucket": bucket.bucket_name, "Require": require}
                    for arn, bucket, require in unique
                ],
                "Prefixes": [MODELS_PREFIX, SEALED_PREFIX],
                "Partition": Aws.PARTITION,
                **({} if max_data is None else {"MaxData": max_data}),
            },
        )
        # Described once the function may: its policy first.
        resource.node.add_dependency(self.policy)
        if not self._describes_stack:
            # A rollback is let through when a version put back fails its check, or can't be
            # described any more (deleted since): the function reads the stack's status, with
            # require_approval=False too, else such a rollback fails (UPDATE_ROLLBACK_FAILED).
            self._describes_stack = True
            self.policy.add_statements(
                iam.PolicyStatement(
                    sid="DescribeOwnStack",
                    actions=["cloudformation:DescribeStacks"],
                    resources=[Aws.STACK_ID],
                )
            )
        groups = list(dict.fromkeys(_group_versions(arn) for arn, _, _ in unique))
        statement = iam.PolicyStatement(
            sid="DescribeServedVersions" + hashlib.sha256(path_of(scope).encode()).hexdigest()[:8],
            actions=["sagemaker:DescribeModelPackage"],
            resources=groups,
        )
        self.policy.add_statements(statement)
        acknowledge_wildcards(self.policy, [statement], f"model data reader {path_of(self)}")
        return ModelData(
            Fn.split(DELIMITER, resource.get_att_string(ATTRIBUTE)),
            Fn.split(DELIMITER, resource.get_att_string(LIST_ATTRIBUTE)),
        )

    def _keep_logs_with(self, store: ArtifactStore) -> None:
        """Keep the logs at least as long as ``store``: they record what of it was read."""
        policy = records_removal_policy(store._removal_policy)
        if _KEPT_LONGER.index(policy) > _KEPT_LONGER.index(self._logs_removal_policy):
            self._logs_removal_policy = policy
            self.logs.apply_removal_policy(policy)


def _group_versions(arn: str) -> str:
    """``…:model-package/<group>/*``: the versions of ``arn``'s group, a token's too.

    Example::

        _group_versions("arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3")
        # 'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/*'
    """
    if not Token.is_unresolved(arn):
        return arn.rsplit("/", 1)[0] + "/*"
    # model-package/<group>/<version>: the parts before the last "/" (CloudFormation can't
    # split at the last one of a string, but a version's ARN has exactly two).
    parts = Fn.split("/", arn)
    return Fn.join("", [Fn.select(0, parts), "/", Fn.select(1, parts), "/*"])
