"""``ArtifactStore``: the encrypted S3 home of a pipeline's code, data and outputs."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Duration, RemovalPolicy, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs import Construct

from ..definition import PipelineDefinitionError, Problem
from ._kms import account_key
from ._props import (
    check_grantee,
    check_keywords,
    check_new_child,
    describe,
    expect_bool,
    expect_removal_policy,
    expect_str,
    grantee_problem,
    is_unresolved,
    other_account_problem,
    raise_for,
)

EXECUTIONS_PREFIX = "executions/"
"""Where pipeline steps write per-execution outputs; expired by the lifecycle rule."""
MODELS_PREFIX = "models/"
"""Where training steps write models, and steps the outputs a registered model version
refers to (its metrics reports); kept, and shared by ``ArtifactStore.share_models_with``."""
# Without this feature flag, aws-cdk-lib lets S3 deliver access logs through the bucket's
# ACL, which buckets with ObjectOwnership BUCKET_OWNER_ENFORCED can't have: Bucket() fails.
ACCESS_LOGS_USE_BUCKET_POLICY = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"


class ArtifactStore(Construct):
    """A KMS key with rotation and an artifacts bucket locked down for ML artifacts.

    The bucket is SSE-KMS with a bucket key, blocks public access, refuses non-TLS
    requests and uploads that ask for non-KMS encryption, keeps versions, logs access to
    a separate bucket, and expires execution outputs (``executions/``) after
    ``execution_output_retention``; models (``models/``) stay, as registered model
    versions point at them; ``share_models_with`` lets another account read them, to
    deploy registered versions there. Stateful resources follow ``removal_policy``
    (Default: retain; not ``SNAPSHOT``, which keys and buckets don't support).

    Example::

        store = ArtifactStore(self, "Artifacts", removal_policy=RemovalPolicy.RETAIN,
                              execution_output_retention=Duration.days(30))
        data = store.add_bucket("Data", event_bridge_enabled=True)
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        execution_output_retention: Duration | None = None,
        noncurrent_version_retention: Duration | None = None,
        access_log_retention: Duration | None = None,
    ) -> None:
        check_new_child("ArtifactStore", scope, construct_id)
        super().__init__(scope, construct_id)
        raise_for(
            [
                expect_removal_policy("removal_policy", removal_policy),
                *(
                    _whole_days_problem(prop, value)
                    for prop, value in (
                        ("execution_output_retention", execution_output_retention),
                        ("noncurrent_version_retention", noncurrent_version_retention),
                        ("access_log_retention", access_log_retention),
                    )
                ),
            ],
            lambda: f"ArtifactStore {self.node.path}",
        )
        # Set on this construct (context must be set before it has children), so the store
        # works in apps whose cdk.json predates the flag, and only its own buckets see it.
        self.node.set_context(ACCESS_LOGS_USE_BUCKET_POLICY, True)
        self._removal_policy = removal_policy
        self._noncurrent = noncurrent_version_retention or Duration.days(30)
        self.execution_output_retention = execution_output_retention or Duration.days(90)
        """How long outputs under ``executions/`` are kept."""
        self.key = account_key(
            self,
            "Key",
            description="Encrypts SageMaker pipeline artifacts, data and job volumes",
            removal_policy=removal_policy,
        )
        # Each bucket add_bucket made, with the key it encrypts it with: read in Python, so a
        # Pipeline knows its artifact bucket's key without looking it up through jsii.
        self._bucket_keys: list[tuple[s3.IBucket, kms.IKey]] = []
        self._models_shared_with: list[str] = []
        # Access-log prefix (the lowercased id) -> the id of the bucket that writes there.
        self._log_prefixes: dict[str, str] = {}
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logs can only be delivered to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireAccessLogs",
                    expiration=access_log_retention or Duration.days(365),
                    noncurrent_version_expiration=self._noncurrent,
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
        )
        # No AwsSolutions-S1 acknowledgment: cdk-nag exempts a bucket that receives other
        # buckets' access logs, so it has no such finding to acknowledge.
        Validations.of(self.access_logs_bucket).acknowledge(
            Acknowledgment(
                id="NIST.800.53.R5-S3DefaultEncryptionKMS",
                reason="S3 server access logs can only be delivered to SSE-S3 encrypted buckets",
            ),
        )
        self.bucket = self.add_bucket(
            "Bucket",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireExecutionOutputs",
                    prefix=EXECUTIONS_PREFIX,
                    expiration=self.execution_output_retention,
                ),
            ],
        )

    def add_bucket(
        self,
        construct_id: str,
        *,
        event_bridge_enabled: bool = False,
        lifecycle_rules: list[s3.LifecycleRule] | None = None,
    ) -> s3.Bucket:
        """Create another bucket with the same protections (e.g. for incoming data).

        ``event_bridge_enabled`` turns on EventBridge notifications through the bucket's
        CloudFormation properties, so no custom-resource Lambda is needed. ``construct_id``
        must be new in this store (``Key``, ``Bucket`` and ``AccessLogs`` are taken) and
        differ from the other buckets' ids in more than case: each bucket logs its access
        under its lowercased id. ``lifecycle_rules`` come after the store's own
        (``CleanUpVersionsAndUploads``); each needs an action and an id of its own.

        Example::

            raw = store.add_bucket("Raw", lifecycle_rules=[
                s3.LifecycleRule(prefix="incoming/", expiration=Duration.days(30))])
        """
        raise_for(
            [
                expect_str("construct_id", construct_id, optional=False)
                or self._taken_id_problem(construct_id),
                expect_bool("event_bridge_enabled", event_bridge_enabled),
                _lifecycle_rules_problem(lifecycle_rules),
            ],
            lambda: f"ArtifactStore {self.node.path}.add_bucket",
        )
        rules = [
            s3.LifecycleRule(
                id=CLEAN_UP_RULE,
                noncurrent_version_expiration=self._noncurrent,
                abort_incomplete_multipart_upload_after=Duration.days(7),
            ),
            *(lifecycle_rules or []),
        ]
        bucket = s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=f"{construct_id.lower()}/",
            removal_policy=self._removal_policy,
            lifecycle_rules=rules,
        )
        self._bucket_keys.append((bucket, self.key))
        self._log_prefixes[construct_id.lower()] = construct_id
        deny_encryption_downgrade(bucket)
        if event_bridge_enabled:
            enable_event_bridge_notifications(bucket)
        return bucket

    def _key_of(self, bucket: s3.IBucket) -> kms.IKey | None:
        """The key encrypting ``bucket`` if ``add_bucket`` made it, else None (don't know).

        Example::

            store._key_of(store.bucket)  # store.key
        """
        return next((key for made, key in self._bucket_keys if made is bucket), None)

    def _taken_id_problem(self, construct_id: str) -> Problem | None:
        if not construct_id:
            return Problem(None, "construct_id", "expected a non-empty id", "e.g. 'Data'")
        # One lookup: listing every child's id takes a jsii round trip per child.
        if self.node.try_find_child(construct_id) is not None:
            taken = [child.node.id for child in self.node.children]
            return Problem(
                None,
                "construct_id",
                f"{construct_id!r} is already taken in this store (taken: {', '.join(taken)})",
                "give each bucket its own id; to use an existing bucket, keep a reference to it",
            )
        same_logs = self._log_prefixes.get(construct_id.lower())
        if same_logs is not None:
            # Each bucket's access logs go under its lowercased id in the access-log bucket.
            return Problem(
                None,
                "construct_id",
                f"{construct_id!r} differs from bucket {same_logs!r} in case only, so both "
                f"would write their access logs under '{construct_id.lower()}/'",
                "give each bucket an id that differs in more than case",
            )
        return None

    def grant_read(self, grantee: iam.IGrantable, key_pattern: str = "*") -> iam.Grant:
        """Let ``grantee`` read artifacts (and decrypt them).

        ``key_pattern`` is a pattern of object keys in the bucket, not a URI, without a
        leading ``/`` (either would match no object).

        Example::

            store.grant_read(analyst_role, "executions/*")
        """
        raise_for(
            [grantee_problem(grantee, self), _key_pattern_problem(key_pattern)],
            lambda: f"ArtifactStore {self.node.path}.grant_read",
        )
        return self.bucket.grant_read(grantee, key_pattern)

    def grant_read_models(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the trained models under ``models/``."""
        check_grantee(grantee, self, lambda: f"ArtifactStore {self.node.path}.grant_read_models")
        return self.bucket.grant_read(grantee, f"{MODELS_PREFIX}*")

    def share_models_with(self, account_id: str) -> None:
        """Let another account read the models under ``models/``, to deploy them there.

        Adds the account to the bucket policy (get and list objects under ``models/`` only)
        and to the key policy (decrypt through S3 only): not ``grant_read``, which would let
        it list the whole bucket and decrypt anything the key protects. Its roles still
        need these actions in their own policies. A ``ModelRegistry`` shared with an account
        calls this on its ``artifact_store``, and on the stores of this app's pipelines of
        other accounts that register in it (by the group's ARN); call it
        yourself for a registry of another app, or for the registry's own account when it
        deploys versions registered from another account.

        Example::

            store.share_models_with("444455556666")  # the production account deploys
        """
        raise_for(
            [
                other_account_problem(
                    account_id,
                    self,
                    "the store",
                    "share only with other accounts; grant_read_models gives roles of this one",
                )
            ],
            lambda: f"ArtifactStore {self.node.path}.share_models_with",
        )
        if account_id in self._models_shared_with:
            return
        self._models_shared_with.append(account_id)
        principal = iam.AccountPrincipal(account_id)
        bucket = self.bucket
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[bucket.arn_for_objects(f"{MODELS_PREFIX}*")],
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{MODELS_PREFIX}*"]}},
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:GetBucketLocation"],
                resources=[bucket.bucket_arn],
            )
        )
        # Through S3 only (which applies the bucket policy above). An encryption-context
        # condition on the bucket's ARN would be tighter still, but the bucket's encryption
        # refers to the key: the key policy can't refer back to the bucket.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.{Aws.URL_SUFFIX}"}
                },
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal], actions=["kms:DescribeKey"], resources=["*"]
            )
        )

    @property
    def models_shared_with(self) -> list[str]:
        """The accounts ``share_models_with`` let read ``models/``, in the order they were added."""
        return list(self._models_shared_with)


def _key_pattern_problem(key_pattern: object) -> Problem | None:
    """An object key pattern of the bucket (``models/*``): not a URI, not starting with '/'.

    Either would be granted as written, matching no object of the bucket: the grant would
    silently give nothing.
    """
    problem = expect_str("key_pattern", key_pattern, optional=False)
    if problem is not None or not isinstance(key_pattern, str) or is_unresolved(key_pattern):
        return problem
    if key_pattern.startswith("s3://"):
        return Problem(
            None,
            "key_pattern",
            f"{key_pattern!r} is a URI; the grant takes keys of the store's bucket",
            "give the key pattern alone, e.g. 'models/*'",
        )
    if key_pattern.startswith("/"):
        return Problem(
            None,
            "key_pattern",
            f"{key_pattern!r} starts with '/', which no object key does",
            f"write {key_pattern.lstrip('/')!r}",
        )
    if not key_pattern:
        return Problem(None, "key_pattern", "expected a key pattern, got ''", "'*' for every key")
    return None


# The rule add_bucket gives every bucket; S3 refuses two rules with one id.
CLEAN_UP_RULE = "CleanUpVersionsAndUploads"
# A lifecycle rule's actions: S3 (and aws-cdk-lib, at synth) refuse a rule without one.
_RULE_ACTIONS = (
    "abort_incomplete_multipart_upload_after",
    "expiration",
    "expiration_date",
    "expired_object_delete_marker",
    "noncurrent_version_expiration",
    "noncurrent_version_transitions",
    "transitions",
)


def _lifecycle_rules_problem(rules: object) -> Problem | None:
    """A list of ``s3.LifecycleRule``, each doing something, with ids of their own."""
    if rules is None:
        return None
    if not isinstance(rules, (list, tuple)) or not all(
        isinstance(rule, s3.LifecycleRule) for rule in rules
    ):
        return Problem(
            None,
            "lifecycle_rules",
            f"expected a list of s3.LifecycleRule, got {describe(rules)}",
            "[s3.LifecycleRule(prefix='incoming/', expiration=Duration.days(30))]",
        )
    for index, rule in enumerate(rules):
        if not any(getattr(rule, action) for action in _RULE_ACTIONS):
            return Problem(
                None,
                "lifecycle_rules",
                f"rule [{index}] has no action, which S3 refuses",
                "give it an expiration, transitions or another action",
            )
    ids = [rule.id for rule in rules if rule.id is not None]
    taken = sorted(
        {rule_id for rule_id in ids if ids.count(rule_id) > 1 or rule_id == CLEAN_UP_RULE}
    )
    if taken:
        return Problem(
            None,
            "lifecycle_rules",
            f"rule id {', '.join(repr(rule_id) for rule_id in taken)} is used twice in the "
            f"bucket ({CLEAN_UP_RULE!r} is the store's own rule), which S3 refuses",
            "give each rule its own id",
        )
    return None


def _whole_days_problem(prop: str, value: object) -> Problem | None:
    """S3 lifecycle rules count whole days, at least one."""
    if value is None:
        return None
    if not isinstance(value, Duration):
        return Problem(
            None, prop, f"expected a Duration, got {describe(value)}", "Duration.days(30)"
        )
    if value.is_unresolved():
        return None
    days = value.to_days(integral=False)
    if days < 1 or days != int(days):
        return Problem(
            None,
            prop,
            f"S3 lifecycle rules count whole days (at least 1), got {value.to_human_string()}",
            f"Duration.days({max(1, round(days))})",
        )
    return None


SSE_HEADER = "s3:x-amz-server-side-encryption"
KMS_ENCRYPTIONS = ["aws:kms", "aws:kms:dsse"]


def deny_encryption_downgrade(bucket: s3.Bucket) -> None:
    """Refuse uploads that ask for encryption other than KMS (``--sse AES256``).

    Such a header overrides the bucket's default: the object would be SSE-S3, readable by
    anyone with ``s3:GetObject`` without the key, outside the key's policy and audit trail.
    Uploads without the header (default encryption) and SSE-KMS uploads are unaffected.
    """
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyUploadsNotEncryptedWithKms",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects("*")],
            conditions={
                # Only requests that carry the header: a negated operator on a missing key
                # is true, which would deny every upload relying on default encryption.
                "Null": {SSE_HEADER: "false"},
                "StringNotEquals": {SSE_HEADER: KMS_ENCRYPTIONS},
            },
        )
    )


def enable_event_bridge_notifications(bucket: s3.Bucket) -> None:
    """Send the bucket's events to EventBridge, through its own CloudFormation properties.

    Unlike ``Bucket(event_bridge_enabled=True)`` this needs no custom-resource Lambda.
    Notification configurations already set on the L1 bucket are kept.
    """
    cfn = bucket.node.default_child if isinstance(bucket, Construct) else None
    if not isinstance(cfn, s3.CfnBucket):
        raise PipelineDefinitionError(
            f"enable_event_bridge_notifications: {describe(bucket)} is not an s3.Bucket created "
            "in this app (switch EventBridge notifications on where the bucket is defined)"
        )
    existing = cfn.notification_configuration
    kept: dict[str, object] = {}
    if isinstance(existing, s3.CfnBucket.NotificationConfigurationProperty):
        kept = {
            "lambda_configurations": existing.lambda_configurations,
            "queue_configurations": existing.queue_configurations,
            "topic_configurations": existing.topic_configurations,
        }
    elif existing is not None:
        raise PipelineDefinitionError(
            f"{bucket.node.path}: set NotificationConfiguration as a "
            "CfnBucket.NotificationConfigurationProperty to combine it with EventBridge"
        )
    cfn.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
            event_bridge_enabled=True
        ),
        **kept,  # type: ignore[arg-type]
    )
