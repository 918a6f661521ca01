"""``ArtifactStore``: the encrypted S3 home of a pipeline's code, data and outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import jsii
from aws_cdk import (
    Annotations,
    Aws,
    Duration,
    IResolveContext,
    IStableListProducer,
    Lazy,
    RemovalPolicy,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs import Construct, IValidation

from ..definition import PipelineDefinitionError, Problem
from ._acknowledge import acknowledge_in_packs
from ._kms import account_key
from ._locked_grants import keep_for_locked_role, kept_policy
from ._props import (
    PropProblem,
    check_grantee,
    check_keywords,
    check_new_child,
    describe,
    environment_problem,
    expect_bool,
    expect_interface,
    expect_removal_policy,
    expect_same_app,
    expect_str,
    grantee_problem,
    is_unresolved,
    other_account_problem,
    other_stage_problem,
    raise_for,
)
from ._resource_policy_size import watch_bucket_policy, watch_key_policy
from ._tree import account_region, node_of, placed, root_of
from ._values import block_all, days
from ._warning_traces import record_warnings_without_traces

EXECUTIONS_PREFIX = "executions/"
"""Where pipeline steps write per-execution outputs; expired by the lifecycle rule."""
MODELS_PREFIX = "models/"
"""Where training steps write models, and steps the outputs a registered model version
refers to (its metrics reports); kept, and shared by ``ArtifactStore.share_models_with``."""
SEALED_PREFIX = "sealed/"
"""Where ``SealStep``s copy what model versions record (``sealed/<pipeline>/<execution>/…``):
written once by the pipeline's sealing function alone; kept, and shared like ``models/``."""
DATA_CAPTURE_PREFIX = "data-capture/"
"""Where an endpoint's captured requests and responses go in its store's bucket
(``data-capture/<endpoint name>/``); expired by the store's lifecycle rule."""
DATA_CAPTURE_RETENTION = days(90)
"""How long ``ArtifactStore`` keeps captured requests and responses by default."""
# Without this feature flag, aws-cdk-lib lets S3 deliver access logs through the bucket's
# ACL, which buckets with ObjectOwnership BUCKET_OWNER_ENFORCED can't have: Bucket() fails.
ACCESS_LOGS_USE_BUCKET_POLICY = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"
SEALED_RETENTION_MAX_DAYS = 36_500
"""The longest ``SealedRetention``: 100 years, what aws-cdk-lib's ``ObjectLockRetention``
takes for a bucket's default retention (S3 documents no longer one)."""


@dataclass(frozen=True)
class SealedRetention:
    """How long S3 Object Lock keeps each sealed copy from being overwritten or deleted.

    ``compliance``: no one, the account's root user included, can shorten the retention or
    delete the sealed version before it ends. ``governance``: a principal allowed
    ``s3:BypassGovernanceRetention`` (and sending the bypass header) can; the store's
    bucket policy still denies everyone but the sealing functions any write under
    ``sealed/``, but an administrator who removes that policy could then bypass.

    Example::

        store = ArtifactStore(self, "Artifacts",
                              sealed_retention=SealedRetention.compliance(Duration.days(3650)))
    """

    mode: str
    """``COMPLIANCE`` or ``GOVERNANCE`` (S3's ``ObjectLockMode``)."""
    duration: Duration
    """How long after sealing each copy stays locked: whole days, 1 to 36,500."""

    @classmethod
    def compliance(cls, duration: Duration) -> SealedRetention:
        """Locked for ``duration``: no principal can delete or overwrite, nor shorten it."""
        return cls("COMPLIANCE", duration)

    @classmethod
    def governance(cls, duration: Duration) -> SealedRetention:
        """Locked for ``duration``, except to principals with ``s3:BypassGovernanceRetention``."""
        return cls("GOVERNANCE", duration)

    @property
    def days(self) -> int:
        """The retention in whole days (checked by the ``ArtifactStore`` given it)."""
        return int(self.duration.to_days())


def records_removal_policy(store_policy: RemovalPolicy) -> RemovalPolicy:
    """The removal policy of a record of a store's artifacts (a log group), from the store's.

    A retained store's records are kept when the stack is deleted or replaces them, but not
    when the deploy that creates them fails: such a group, left behind under its fixed name,
    would fail the retry ("already exists"). CloudFormation's ``RetainExceptOnCreate``.

    Example::

        records_removal_policy(RemovalPolicy.RETAIN)  # RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
    """
    return (
        RemovalPolicy.DESTROY
        if store_policy == RemovalPolicy.DESTROY
        else (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
    )


# Why the actions of aws-cdk-lib's Bucket.grant_read, which the store's read grants are,
# end in wildcards: acknowledged on the policies kept for roles that refuse updates.
_BUCKET_READ_ACTIONS = (
    "aws-cdk-lib's Bucket.grant_read actions, each a read: s3:GetObject* (the objects, "
    "their versions, tags and retention), s3:GetBucket* (the bucket's settings) and "
    "s3:List* (its keys, versions and uploads)"
)
# What a role of another account needs besides a policy of its own account.
_STORE_OTHER_ACCOUNT = (
    "the bucket's and the key's policies must name it too: aws-cdk-lib's grant has added "
    "that to those this app owns, and the owner of a bucket or key adopted with "
    "ArtifactStore.from_existing must add it"
)


class ArtifactStore(Construct):
    """A KMS key with rotation and an artifacts bucket locked down for ML artifacts.

    The bucket is SSE-KMS with a bucket key, blocks public access, refuses non-TLS
    requests and uploads that ask for non-KMS encryption, keeps versions, logs access to
    a separate bucket, and expires execution outputs (``executions/``) after
    ``execution_output_retention``; models (``models/``) stay, as registered model
    versions point at them; endpoints' captured requests and responses (``data-capture/``,
    which may hold personal data) expire after ``data_capture_retention`` (Default: 90
    days; None keeps them); ``share_models_with`` lets another account read them, to
    deploy registered versions there. Stateful resources follow ``removal_policy``, and the
    buckets' policies and the sealing functions' log groups with them (Default: retain; not
    ``SNAPSHOT``, which keys and buckets don't support).

    ``sealed_retention`` (a ``SealedRetention``) enables S3 Object Lock on the artifact
    bucket (no default retention: only what ``SealStep``s seal is locked) and has the
    sealing functions lock each copy they write: an administrator who removes the bucket
    policy still can't overwrite or delete it. Only on a new store: CloudFormation replaces
    a deployed bucket to enable it (``cdk-sagemaker-pipelines:sealed-retention-new-bucket``
    says so at each synth: see the docs' limitations for what a deployed store must do).

    ``encryption_key`` gives the store a customer-managed key of your own (a central
    security account's, imported with ``kms.Key.from_key_arn``) instead of creating one;
    Default: a new key with rotation. To use a bucket and key that exist already (a
    platform team's), adopt them with ``ArtifactStore.from_existing``: the store then
    creates nothing. A key of another account (same region) is warned
    (``cdk-sagemaker-pipelines:key-of-another-account``): its policy must let this
    account's roles use it, which synth can't see.

    Example::

        store = ArtifactStore(self, "Artifacts", removal_policy=RemovalPolicy.RETAIN,
                              execution_output_retention=Duration.days(30))
        data = store.add_bucket("Data", event_bridge_enabled=True)
    """

    bucket: s3.IBucket
    """The bucket the pipelines write their outputs to (``executions/``, ``models/``)."""
    key: kms.IKey
    """The KMS key the bucket and the pipelines' jobs (outputs and volumes) encrypt with."""
    data_capture_retention: Duration | None
    """How long what endpoints capture under ``data-capture/`` is kept; None: until deleted."""
    sealed_retention: SealedRetention | None
    """The Object Lock retention of sealed copies; None: the bucket policy alone seals them."""
    execution_output_retention: Duration | None
    """How long outputs under ``executions/`` are kept; None: as long as the bucket's owner
    keeps them (an adopted store given none), which the store doesn't know."""

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
        encryption_key: kms.IKey | None = None,
        data_capture_retention: Duration | None = DATA_CAPTURE_RETENTION,
        sealed_retention: SealedRetention | None = None,
    ) -> None:
        """Create the key, the bucket and its access-log bucket.

        :param data_capture_retention: how long the lifecycle keeps what endpoints capture
            under ``data-capture/`` (``ModelEndpoint(data_capture=…)``), whole days.
            Default: 90 days; None: until deleted by hand.
        :param sealed_retention: lock each sealed copy with S3 Object Lock for this long
            (``SealedRetention.compliance(Duration.days(3650))``); enables Object Lock on
            the artifact bucket, which CloudFormation can do only as it creates the bucket.
            Default: None, the bucket policy alone seals.
        """
        check_new_child("ArtifactStore", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        raise_for(
            [
                expect_removal_policy("removal_policy", removal_policy),
                None
                if encryption_key is None
                else _key_problem("encryption_key", encryption_key, scope),
                *(
                    _whole_days_problem(prop, value)
                    for prop, value in (
                        ("execution_output_retention", execution_output_retention),
                        ("noncurrent_version_retention", noncurrent_version_retention),
                        ("access_log_retention", access_log_retention),
                        ("data_capture_retention", data_capture_retention),
                    )
                ),
                _sealed_retention_problem(sealed_retention),
            ],
            lambda: f"ArtifactStore {self.node.path}",
        )
        # Set on this construct (context must be set before it has children), so the store
        # works in apps whose cdk.json predates the flag, and only its own buckets see it.
        # (Its node is read once and kept: the tree's later reads of the store reuse it.)
        node_of(self).set_context(ACCESS_LOGS_USE_BUCKET_POLICY, True)
        # Also what records of the store's artifacts follow (a seal function's logs).
        self._removal_policy = removal_policy
        # Whether grants must name the key besides the bucket (whose grants cover its own
        # encryption_key only): a bucket adopted without one.
        self._key_granted_apart = False
        self._noncurrent = noncurrent_version_retention or days(30)
        self.execution_output_retention = execution_output_retention or days(90)
        if encryption_key is None:
            self.key = account_key(
                self,
                "Key",
                description="Encrypts SageMaker pipeline artifacts, data and job volumes",
                removal_policy=removal_policy,
            )
        else:
            self.key = encryption_key
            _warn_key_of_another_account(self, "encryption_key", encryption_key)
        # Sealed pipelines and shared accounts add to the key's policy: KMS takes 32 KB.
        watch_key_policy(self.key)
        # Each bucket add_bucket made, with the key it encrypts it with: read in Python, so a
        # Pipeline knows its artifact bucket's key without looking it up through jsii.
        self._bucket_keys: list[tuple[s3.IBucket, kms.IKey]] = []
        # The names (tokens) of the buckets whose policy refuses uploads naming another key
        # than the store's (deny_other_kms_keys): a Pipeline warns of steps that would.
        self._key_named_buckets: list[str] = []
        self._models_shared_with: list[str] = []
        self._init_users()
        # Access-log prefix (the lowercased id) -> the id of the bucket that writes there.
        self._log_prefixes: dict[str, str] = {}
        self._access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logs can only be delivered to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=block_all(),
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireAccessLogs",
                    expiration=access_log_retention or days(365),
                    noncurrent_version_expiration=self._noncurrent,
                    abort_incomplete_multipart_upload_after=days(7),
                ),
                # S3 refuses this beside an expiration in one rule.
                s3.LifecycleRule(id=DELETE_MARKERS_RULE, expired_object_delete_marker=True),
            ],
        )
        placed(self._access_logs_bucket, self)
        self._keep_policy_with(self._access_logs_bucket)
        # No AwsSolutions-S1 acknowledgment: cdk-nag exempts a bucket that receives other
        # buckets' access logs, so it has no such finding to acknowledge.
        acknowledge_in_packs(
            self._access_logs_bucket,
            "S3DefaultEncryptionKMS",
            "S3 server access logs can only be delivered to SSE-S3 encrypted buckets",
        )
        self.sealed_retention = sealed_retention
        self.bucket = self._new_bucket(
            "Bucket",
            object_lock_enabled=sealed_retention is not None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireExecutionOutputs",
                    prefix=EXECUTIONS_PREFIX,
                    expiration=self.execution_output_retention,
                ),
                # Captured requests may hold personal data: kept no longer than needed.
                *(
                    [
                        s3.LifecycleRule(
                            id="ExpireDataCapture",
                            prefix=DATA_CAPTURE_PREFIX,
                            expiration=data_capture_retention,
                        )
                    ]
                    if data_capture_retention is not None
                    else []
                ),
            ],
        )
        self.data_capture_retention = data_capture_retention
        if sealed_retention is not None:
            _warn_sealed_retention_new_bucket(self, sealed_retention)

    @classmethod
    @check_keywords
    def from_existing(
        cls,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        key: kms.IKey | None = None,
        execution_output_retention: Duration | None = None,
    ) -> ArtifactStore:
        """A store of a bucket and KMS key that exist already: it creates no resource.

        For buckets and customer-managed keys a platform team owns (imported with
        ``s3.Bucket.from_bucket_name`` / ``from_bucket_attributes`` and
        ``kms.Key.from_key_arn``), or created in another stack of this app's stage. Both
        must be in the region of the store's stack, where its pipelines run, and the bucket
        in its account (checked where known: a bucket imported by name or S3 ARN names
        neither). A key of another account (a central security account's) is warned
        (``cdk-sagemaker-pipelines:key-of-another-account``): its policy must let this
        account's roles use it.
        Pipelines write under ``executions/`` and ``models/`` of the bucket; their roles'
        identity policies get exactly the access they need to it and to the key;
        ``Pipeline`` and ``ModelRegistry`` take the store as they take a new one. Those
        policies take effect only if the key's policy lets this account's IAM policies
        grant its use (the default key policy does; one naming principals instead must name
        the pipelines' roles), and the bucket's policy doesn't deny them: synth can't see
        an imported key's or bucket's policy.

        :param bucket: the bucket (not its name: import it).
        :param key: the customer-managed KMS key the jobs encrypt their outputs and volumes
            with, and that the pipelines' roles may use. Default: the bucket's
            ``encryption_key`` (an in-app bucket's, or one imported with
            ``from_bucket_attributes(…, encryption_key=key)``); a bucket without one (an
            SSE-S3 bucket, or imported by name) needs ``key``: the jobs' outputs are
            always KMS-encrypted. An alias won't do: IAM grants use of a key by its ARN.
        :param execution_output_retention: how long the bucket's lifecycle keeps
            ``executions/`` (declared, not enforced: the store adds no lifecycle rule to a
            bucket it didn't make). A ``Pipeline`` checks that cached steps don't outlive
            their outputs against it. Default: unknown, assumed kept.

        What the store can't do on a bucket it didn't make: ``add_bucket`` fails (it would
        need an access-log bucket, and keys it owns: create further buckets where the
        bucket is defined); there is no ``access_logs_bucket``; the deny of uploads asking
        for non-KMS encryption is the owner's to add; ``share_models_with`` adds its
        statements where the policies are this app's (a bucket or key created in it) and
        otherwise warns (``cdk-sagemaker-pipelines:adopted-store-not-shared``), naming the
        statements the owner must add.

        Example::

            bucket = s3.Bucket.from_bucket_name(self, "MlBucket", "acme-ml-artifacts-dev")
            key = kms.Key.from_key_arn(self, "MlKey", platform_key_arn)
            store = ArtifactStore.from_existing(self, "Artifacts", bucket=bucket, key=key,
                                                execution_output_retention=Duration.days(30))
            Pipeline(self, "Training", definition=definition, artifact_store=store)
        """
        return _AdoptedArtifactStore(
            scope,
            construct_id,
            bucket=bucket,
            key=key,
            execution_output_retention=execution_output_retention,
        )

    def _init_users(self) -> None:
        # Who uses the store, read at synth to word the key-of-another-account warning:
        # the paths of constructs whose roles encrypt with the key (pipelines, registries,
        # endpoints' artifact stores), and of endpoints reading models only (model_store).
        self._encrypting_users: list[str] = []
        self._model_readers: list[str] = []
        # The roles of the pipelines' sealing functions, which alone write under sealed/.
        self._seal_roles: list[str] = []
        # What grant_read kept for roles that refuse policy updates, by key pattern.
        self._read_policies: dict[str, iam.ManagedPolicy] = {}

    def _add_seal_role(self, arn: str, write_actions: Sequence[str]) -> None:
        """Let the seal role ``arn`` (of a pipeline's ``SealFunction``) write ``sealed/``.

        The first one adds the store-wide denies: no principal but the store's seal roles
        writes anywhere under ``sealed/``, so no key there (``sealed/<unused pipeline>/``
        included) is written by a step role, an administrator or another pipeline's role;
        and no object there is created without ``If-None-Match``, so none is replaced.
        The pipelines register as they bind their first ``SealStep``, after the store was
        made: the deny names them lazily, as the list stands at synth. Each seal role's
        own prefix is the only one its identity policy lets it write, and each pipeline's
        deny keeps the other seal roles off its prefix.
        """
        first = not self._seal_roles
        if arn not in self._seal_roles:
            self._seal_roles.append(arn)
        if not first:
            return
        sealed_objects = self.bucket.arn_for_objects(f"{SEALED_PREFIX}*")
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlySealFunctionsWriteSealed",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(write_actions),
                resources=[sealed_objects],
                # aws:PrincipalArn of a role's session is the role's ARN.
                conditions={
                    "ArnNotEquals": {"aws:PrincipalArn": Lazy.list(_Listed(self._seal_roles))}
                },
            )
        )
        # S3's documented enforcement of conditional writes: an object-creating request
        # (PutObject, CompleteMultipartUpload; s3:ObjectCreationOperation true) without
        # If-None-Match is refused, so a key, once written, never changes. The multipart
        # steps that take no conditional header (CreateMultipartUpload, UploadPartCopy)
        # are exempt by s3:ObjectCreationOperation false.
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SealedKeysAreWrittenOnce",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:PutObject"],
                resources=[sealed_objects],
                conditions={
                    "Null": {"s3:if-none-match": "true"},
                    "Bool": {"s3:ObjectCreationOperation": "true"},
                },
            )
        )

    def _used_by(self, user: Construct, *, models_only: bool = False) -> None:
        """Record ``user`` (its path), which encrypts with the key, or reads models only."""
        # Model readers by kind too: the key warning names them (ModelEndpoint, Pipeline).
        entry = f"{type(user).__name__} {user.node.path}" if models_only else user.node.path
        users = self._model_readers if models_only else self._encrypting_users
        if entry not in users:
            users.append(entry)

    def _keep_policy_with(self, bucket: s3.Bucket) -> None:
        """Give the bucket's policy the bucket's removal policy.

        CDK leaves a bucket policy at its default, deleted with the stack, while a retained
        bucket stays with its data: without its policy it would accept plain HTTP and
        uploads asking for other encryption, and accounts it was shared with lose access.
        """
        policy = bucket.policy  # read once: a jsii round trip
        if policy is not None:
            policy.apply_removal_policy(self._removal_policy)

    @property
    def access_logs_bucket(self) -> s3.Bucket:
        """The SSE-S3 bucket the store's buckets log their access to."""
        return self._access_logs_bucket

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
        return self._new_bucket(
            construct_id, event_bridge_enabled=event_bridge_enabled, lifecycle_rules=lifecycle_rules
        )

    def _new_bucket(
        self,
        construct_id: str,
        *,
        event_bridge_enabled: bool = False,
        lifecycle_rules: list[s3.LifecycleRule] | None = None,
        object_lock_enabled: bool = False,
    ) -> s3.Bucket:
        """A bucket with the store's protections (``add_bucket``'s, its props checked)."""
        rules = [
            s3.LifecycleRule(
                id=CLEAN_UP_RULE,
                noncurrent_version_expiration=self._noncurrent,
                abort_incomplete_multipart_upload_after=days(7),
                # An object expired (executions/, or by a rule of the caller's) leaves a
                # delete marker, which outlives its noncurrent versions: remove it then.
                expired_object_delete_marker=True,
            ),
            *(lifecycle_rules or []),
        ]
        bucket = s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=block_all(),
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=f"{construct_id.lower()}/",
            removal_policy=self._removal_policy,
            lifecycle_rules=rules,
            # Object Lock with no default retention (no objectLockDefaultRetention): only
            # the versions the sealing functions upload with a retention are locked, not
            # executions/ nor models/, which the lifecycle rules expire as before. None (not
            # False) otherwise: False would add ObjectLockEnabled: false to every template.
            object_lock_enabled=True if object_lock_enabled else None,
        )
        placed(bucket, self)
        self._bucket_keys.append((bucket, self.key))
        self._log_prefixes[construct_id.lower()] = construct_id
        deny_encryption_downgrade(bucket)
        deny_other_kms_keys(bucket, self.key.key_arn)
        self._key_named_buckets.append(bucket.bucket_name)
        self._keep_policy_with(bucket)
        # Sealed pipelines and shared accounts add to the bucket's policy: S3 takes 20 KB.
        watch_bucket_policy(bucket)
        if event_bridge_enabled:
            enable_event_bridge_notifications(bucket)
        return bucket

    def _key_of(self, bucket: s3.IBucket) -> kms.IKey | None:
        """The key encrypting ``bucket`` if the store made (or adopted) it, else None.

        Example::

            store._key_of(store.bucket)  # store.key
        """
        return next((key for made, key in self._bucket_keys if made is bucket), None)

    def _taken_id_problem(self, construct_id: str) -> Problem | None:
        if not construct_id:
            return Problem(None, "construct_id", "expected a non-empty id", "e.g. 'Data'")
        # One lookup: listing every child's id takes a jsii round trip per child.
        if node_of(self).try_find_child(construct_id) is not None:
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

        A role imported with ``mutable=False`` gets nothing attached: the statements go
        into the store's managed policy ``ReadPolicy`` (``ReadPolicy<hash of the pattern>``
        for a ``key_pattern`` other than ``*``; ``read_policies[key_pattern]``), left
        unattached, named in a warning (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            store.grant_read(analyst_role, "executions/*")
        """
        raise_for(
            [grantee_problem(grantee, self), _key_pattern_problem(key_pattern)],
            lambda: f"ArtifactStore {self.node.path}.grant_read",
        )
        grant = self._grant_read(grantee, key_pattern)
        # One policy per pattern: a role granted one pattern must not get another's.
        suffix = "" if key_pattern == "*" else hashlib.sha256(key_pattern.encode()).hexdigest()[:8]
        kept = keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_read",
            policy_id=f"ReadPolicy{suffix}",
            statements=self._read_statements(grant),
            description=f"Read artifacts of ArtifactStore {self.node.path}",
            allows=f"its statements (read objects {key_pattern} of the store's bucket, and "
            "decrypt them)",
            when="before it reads them",
            other_account=_STORE_OTHER_ACCOUNT,
            resource_wildcards="the objects of the key pattern grant_read was given "
            + ("(known at deploy time)" if is_unresolved(key_pattern) else f"({key_pattern})")
            + ", in the store's bucket only, whose keys hold execution ids and job names "
            "known only at run time",
            action_wildcards=_BUCKET_READ_ACTIONS,
        )
        if kept is not None:
            self._read_policies[key_pattern] = kept
        return grant

    def grant_read_models(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the trained models under ``models/`` and their sealed copies.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the store's managed policy ``ReadModelsPolicy`` (``read_models_policy``), left
        unattached, named in a warning (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            store.grant_read_models(scoring_role)
        """
        check_grantee(grantee, self, lambda: f"ArtifactStore {self.node.path}.grant_read_models")
        grant = self._grant_read(grantee, f"{MODELS_PREFIX}*").combine(
            self._grant_read(grantee, f"{SEALED_PREFIX}*")
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_read_models",
            policy_id="ReadModelsPolicy",
            statements=self._read_statements(grant),
            description=f"Read the models of ArtifactStore {self.node.path}",
            allows=f"its statements (read objects {MODELS_PREFIX}* and {SEALED_PREFIX}* of the "
            "store's bucket, and decrypt them)",
            when="before it reads models",
            other_account=f"{_STORE_OTHER_ACCOUNT}; or share_models_with('{{account}}') "
            f"shares {MODELS_PREFIX} and {SEALED_PREFIX} with that account instead",
            resource_wildcards=f"every trained model under {MODELS_PREFIX} and sealed copy "
            f"under {SEALED_PREFIX} of the store's bucket, under keys holding pipeline, step "
            "and execution ids known only at run time: those two prefixes only",
            action_wildcards=_BUCKET_READ_ACTIONS,
        )
        return grant

    @property
    def read_policies(self) -> Mapping[str, iam.ManagedPolicy]:
        """What ``grant_read`` kept for roles that refuse policy updates, by key pattern.

        A role imported with ``mutable=False`` (or ``without_policy_updates()``) gets
        nothing attached: each key pattern it is granted has a managed policy of the store
        (``ReadPolicy``, or ``ReadPolicy<hash of the pattern>``) holding the statements,
        left for whoever manages the role to attach. Empty until such a grant.

        Example::

            store.grant_read(platform_role, "reports/*")  # imported with mutable=False
            CfnOutput(self, "ReportsReadPolicy",
                      value=store.read_policies["reports/*"].managed_policy_arn)
        """
        return MappingProxyType(self._read_policies)

    @property
    def read_models_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_read_models`` kept for roles that refuse policy updates.

        The managed policy ``ReadModelsPolicy``, unattached, for whoever manages such a
        role to attach; None until ``grant_read_models`` is given one.

        Example::

            store.grant_read_models(platform_role)  # imported with mutable=False
            policy = store.read_models_policy  # attach it where the role is managed
        """
        return kept_policy(self, "ReadModelsPolicy")

    def _read_statements(self, grant: iam.Grant) -> list[iam.PolicyStatement]:
        """What a read grant gives a role: its statements, and the key's when the bucket's.

        A bucket's grant names its own key in a grant of its own that it doesn't return,
        so that statement is missing from ``grant``: written here as aws-cdk-lib writes it.
        """
        statements = list(grant.principal_statements)
        if not self._key_granted_apart:
            statements.append(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:DescribeKey"], resources=[self.key.key_arn]
                )
            )
        return statements

    def _grant_read(self, grantee: iam.IGrantable, key_pattern: str) -> iam.Grant:
        grant = self.bucket.grant_read(grantee, key_pattern)
        if not self._key_granted_apart:
            return grant
        return grant.combine(self.key.grant(grantee, "kms:Decrypt", "kms:DescribeKey"))

    def share_models_with(self, account_id: str) -> None:
        """Let another account read the models under ``models/``, to deploy them there.

        Adds the account to the bucket policy (get and list objects under ``models/`` only)
        and to the key policy (decrypt through S3 only): not ``grant_read``, which would let
        it list the whole bucket and decrypt anything the key protects. Its roles still
        need these actions in their own policies. A ``ModelRegistry`` shared with an account
        calls this on its ``artifact_store``, and on the stores of this app's pipelines of
        other accounts that register in it (by the group's ARN); call it
        yourself for a registry of another app, or for the registry's own account when it
        deploys versions registered from another account. A store whose bucket or key is
        imported (adopted with ``from_existing``, or given an imported ``encryption_key``)
        can't change their policies: it warns, naming the statements their owner must add.

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
        bucket_statements = [
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                # A version's model and files: trained, or sealed (see SealStep).
                resources=[
                    bucket.arn_for_objects(f"{MODELS_PREFIX}*"),
                    bucket.arn_for_objects(f"{SEALED_PREFIX}*"),
                ],
            ),
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [f"{MODELS_PREFIX}*", f"{SEALED_PREFIX}*"]}
                },
            ),
            iam.PolicyStatement(
                principals=[principal],
                actions=["s3:GetBucketLocation"],
                resources=[bucket.bucket_arn],
            ),
        ]
        # Through S3 only (which applies the bucket policy above). An encryption-context
        # condition on the bucket's ARN would be tighter still, but the bucket's encryption
        # refers to the key: the key policy can't refer back to the bucket.
        key_statements = [
            iam.PolicyStatement(
                principals=[principal],
                actions=["kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.{Aws.URL_SUFFIX}"}
                },
            ),
            iam.PolicyStatement(
                principals=[principal], actions=["kms:DescribeKey"], resources=["*"]
            ),
        ]
        # Lists, not all(): each statement is added even when one isn't. An imported
        # bucket or key has no policy this app could change (statement_added is False).
        bucket_added = [bucket.add_to_resource_policy(s).statement_added for s in bucket_statements]
        key_added = [self.key.add_to_resource_policy(s).statement_added for s in key_statements]
        if not all(bucket_added) or not all(key_added):
            self._warn_not_shared(account_id, bucket=not all(bucket_added), key=not all(key_added))

    def _warn_not_shared(self, account_id: str, *, bucket: bool, key: bool) -> None:
        """Name the statements the owner of an imported bucket or key must add for a share."""
        from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

        asks = []
        if bucket:
            name = self.bucket.bucket_name
            shown = f"bucket {name}" if not is_unresolved(name) else "the store's bucket"
            asks.append(
                f"to the policy of {shown}: allow {account_id} s3:GetObject and "
                f"s3:GetObjectVersion on objects under {MODELS_PREFIX}, s3:ListBucket with "
                f"s3:prefix {MODELS_PREFIX}*, and s3:GetBucketLocation"
            )
        if key:
            arn = self.key.key_arn
            shown = f"key {arn}" if not is_unresolved(arn) else "the store's key"
            region = account_region(self)[1]
            service = (
                "s3.<region>.amazonaws.com (.com.cn in China)"
                if is_unresolved(region)
                else f"s3.{region}.amazonaws.com{'.cn' if region.startswith('cn-') else ''}"
            )
            asks.append(
                f"to the policy of {shown}: allow {account_id} kms:Decrypt with "
                f"kms:ViaService {service}, and kms:DescribeKey"
            )
        both = bucket and key
        imported = "bucket and key are" if both else "bucket is" if bucket else "key is"
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:adopted-store-not-shared",
            f"share_models_with({account_id}): the store's {imported} imported, and this app "
            f"can't change {'their policies' if both else 'its policy'}: {account_id} can't "
            f"read {MODELS_PREFIX} until their owner adds {'; and '.join(asks)}. Acknowledge "
            "this warning once they have.",
        )

    @property
    def models_shared_with(self) -> list[str]:
        """The accounts ``share_models_with`` let read ``models/``, in the order they were added."""
        return list(self._models_shared_with)


class _AdoptedArtifactStore(ArtifactStore):
    """An ``ArtifactStore`` of an existing bucket and key (``ArtifactStore.from_existing``).

    It creates no resource: no key, no bucket, no access-log bucket, no lifecycle rule or
    bucket policy statement of its own.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        key: kms.IKey | None,
        execution_output_retention: Duration | None,
    ) -> None:
        check_new_child("ArtifactStore", scope, construct_id)
        path = "/".join(part for part in (scope.node.path, construct_id) if part)
        problems, adopted_key = _adoption_problems(scope, bucket, key)
        problems.append(
            _whole_days_problem("execution_output_retention", execution_output_retention)
        )
        raise_for(problems, lambda: f"ArtifactStore {path}")
        assert adopted_key is not None  # no problems: a key was given or the bucket's taken
        # Construct's, not ArtifactStore's: that one creates the key and buckets.
        Construct.__init__(self, scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        self.bucket = bucket
        self.key = adopted_key
        _warn_key_of_another_account(self, "key" if key is not None else "bucket", adopted_key)
        self.execution_output_retention = execution_output_retention
        self.data_capture_retention = None  # the bucket's owner's lifecycle, unknown here
        self.sealed_retention = None  # Object Lock is the bucket owner's to enable
        # The bucket's grants name its encryption_key: the store's key too only if it's that.
        bucket_key = bucket.encryption_key
        self._key_granted_apart = bucket_key is None or not _same_key(bucket_key, adopted_key)
        self._bucket_keys = [(bucket, adopted_key)]
        self._key_named_buckets = []  # its policy is its owner's: no deny of other keys
        self._models_shared_with = []
        self._init_users()
        self._log_prefixes = {}
        # The bucket and key outlive this app (their owner's), and so do records of what
        # is in them: a seal function's logs.
        self._removal_policy = RemovalPolicy.RETAIN

    @property
    def access_logs_bucket(self) -> s3.Bucket:
        """Refused: an adopted bucket's access logging is its owner's."""
        raise PipelineDefinitionError(
            f"ArtifactStore {self.node.path} adopts an existing bucket "
            "(ArtifactStore.from_existing), so it has no access-log bucket: the bucket's "
            "access logging is its owner's"
        )

    def add_bucket(
        self,
        construct_id: str,
        *,
        event_bridge_enabled: bool = False,
        lifecycle_rules: list[s3.LifecycleRule] | None = None,
    ) -> s3.Bucket:
        """Refused: an adopted store creates no bucket (it has no access-log bucket)."""
        raise PipelineDefinitionError(
            f"ArtifactStore {self.node.path}.add_bucket({construct_id!r}): the store adopts an "
            "existing bucket and key (ArtifactStore.from_existing), so it creates no buckets: "
            "it has no access-log bucket for one, and no removal policy. Create the bucket "
            "where your buckets are defined (s3.Bucket(…, encryption_key=store.key, "
            "enforce_ssl=True, …)); steps read and write any bucket they name"
        )


# Why a bucket or key of another account or region can't be adopted.
_ADOPTED_ENVIRONMENT = (
    "the store's pipelines run their jobs in this stack's account and region, writing to the "
    "bucket and encrypting with the key: a KMS key works in its own region only, and the "
    "pipelines' roles get identity policies only, which another account's bucket and key "
    "policies don't admit"
)
_ADOPTED_ENVIRONMENT_HINT = (
    "adopt a bucket and key of the stack's account and region, or create the store (and "
    "its pipelines) in a stack of theirs"
)
# How to use a bucket or key of another stage instead.
_CREATE_THERE = "create the store (and its pipelines) in a stack of that stage"
_IMPORT_HOW = "s3.Bucket.from_bucket_name, kms.Key.from_key_arn"
_KEY_HINT = "kms.Key.from_key_arn(self, 'ArtifactKey', 'arn:aws:kms:<region>:<account>:key/<id>')"


def _adoption_problems(
    scope: Construct, bucket: object, key: object
) -> tuple[list[Problem | None], kms.IKey | None]:
    """Problems with a bucket and key to adopt, and the key to use (``key`` or the bucket's)."""
    problems: list[Problem | None] = []
    root = root_of(scope)
    bucket_problem = (
        expect_interface(
            "bucket",
            bucket,
            "an s3.IBucket",
            ("bucket_name", "bucket_arn", "arn_for_objects", "encryption_key"),
            _bucket_hint(bucket),
        )
        or expect_same_app("bucket", bucket, root)
        or other_stage_problem("bucket", bucket, scope, "the store", _CREATE_THERE, _IMPORT_HOW)
        or environment_problem(
            "bucket", bucket, scope, _ADOPTED_ENVIRONMENT, _ADOPTED_ENVIRONMENT_HINT
        )
    )
    problems.append(bucket_problem)
    bucket_key: kms.IKey | None = (
        None if bucket_problem is not None else bucket.encryption_key  # type: ignore[attr-defined]
    )
    key_from_bucket = key is None
    if key is None:
        if bucket_problem is not None:
            return problems, None
        if bucket_key is None:
            problems.append(
                PropProblem(
                    None,
                    "key",
                    f"{describe(bucket)} has no encryption_key to take, and the jobs encrypt "
                    "their outputs and volumes with the store's KMS key",
                    f"give the customer-managed key the bucket encrypts with: key={_KEY_HINT} "
                    "(for an SSE-S3 bucket, a key of your own: the jobs' outputs are then "
                    "encrypted with it)",
                )
            )
            return problems, None
        key = bucket_key
    key_problem = _key_problem("key", key, scope)
    if key_problem is not None and key_from_bucket:
        # Not given: the problem is the bucket's, whose encryption_key was taken as the key.
        key_problem = PropProblem(
            None,
            "bucket",
            f"its encryption_key, which the store takes as its key: {key_problem.message}",
            key_problem.hint,
        )
    problems.append(key_problem)
    if key_problem is not None:
        return problems, None
    adopted: kms.IKey = key  # type: ignore[assignment]  # checked above
    if bucket_key is not None and _different_keys(adopted, bucket_key):
        problems.append(
            PropProblem(
                None,
                "key",
                f"the bucket encrypts with another key (its encryption_key, "
                f"{_shown_key(bucket_key)}) than key ({_shown_key(adopted)}): the pipelines' "
                "roles would get this one only, and fail reading objects encrypted with the "
                "bucket's",
                "leave key out to use the bucket's encryption_key, or give that key",
            )
        )
    return problems, adopted


def _key_problem(prop: str, key: object, scope: Construct) -> Problem | None:
    """A problem with the store's key: not a key, an alias, another app, stage or region.

    A key of another account is no problem: the identity policies the pipelines' roles get
    count when the key's policy lets their account use it (``_warn_key_of_another_account``).
    """
    return (
        expect_interface(
            prop, key, "a kms.IKey", ("key_arn", "key_id", "grant_decrypt"), _key_hint(key)
        )
        or expect_same_app(prop, key, root_of(scope))
        or _alias_problem(key, prop)
        or other_stage_problem(prop, key, scope, "the store", _CREATE_THERE, _IMPORT_HOW)
        or _key_region_problem(prop, key, scope)
    )


def _key_region_problem(prop: str, key: object, scope: Construct) -> Problem | None:
    """A key of another region than the store's stack (KMS keys work in their own region)."""
    env = getattr(key, "env", None)
    theirs, ours = getattr(env, "region", None), account_region(scope)[1]
    if theirs is None or is_unresolved(theirs) or is_unresolved(ours) or theirs == ours:
        return None
    # Not _ADOPTED_ENVIRONMENT: a key of another account is allowed (warned), so the fix is
    # a key of this region, such as the central key's multi-Region replica, not "your own".
    return PropProblem(
        None,
        prop,
        f"{describe(key)} is in region {theirs}, this stack in {ours}: a KMS key works in its "
        f"own region only, and the store's buckets and its pipelines' jobs encrypt in {ours}",
        f"give a key of region {ours}: a multi-Region key's replica there "
        f"(kms.Key.from_key_arn(self, 'ArtifactKey', "
        f"'arn:aws:kms:{ours}:<account>:key/mrk-<id>')), or a key created in {ours}",
    )


def _key_account(key: kms.IKey, scope: Construct) -> str | None:
    """The key's account when it is known to differ from the stack's, else None."""
    theirs, ours = key.env.account, account_region(scope)[0]
    if is_unresolved(theirs) or is_unresolved(ours) or theirs == ours:
        return None
    return str(theirs)


def _warn_key_of_another_account(store: ArtifactStore, prop: str, key: kms.IKey) -> None:
    """Warn, at synth, that a key of another account works only if its policy admits this one.

    KMS lets a principal use another account's key when both the key's policy (there) and
    the principal's identity policy (here) allow it. The constructs write the identity
    policies; the key policy is its owner's, and synth can't see it. The warning is added
    at synth, when the store's users are known: what the key's policy must allow depends
    on them (see ``_KeyOfAnotherAccount``).
    """
    owner = _key_account(key, store)
    if owner is None:
        return
    node_of(store).add_validation(_KeyOfAnotherAccount(store, prop, key, owner))


@jsii.implements(IStableListProducer)
class _Listed:
    """A token of a list filled in until synth: resolves to the list as it stands then."""

    def __init__(self, items: list[str]) -> None:
        self.items = items

    def produce(self, context: IResolveContext | None = None) -> list[str]:
        return list(self.items)


@jsii.implements(IValidation)
class _KeyOfAnotherAccount:
    """Adds the ``key-of-another-account`` warning, worded for the store's users.

    A store only endpoints read models from (their ``model_store``: a central registry's,
    adopted) needs kms:Decrypt and kms:DescribeKey, through S3; any other use (pipelines,
    registries, an endpoint's ``artifact_store``, buckets added to the store, or no known
    user) needs what the pipelines' jobs do, encrypting their outputs and volumes.
    """

    def __init__(self, store: ArtifactStore, prop: str, key: kms.IKey, owner: str) -> None:
        self._store = store
        self._prop = prop
        self._key = key
        self._owner = owner
        self._warned = False

    def validate(self) -> list[str]:
        """Add the warning once (each synth validates again); never reports an error."""
        if self._warned:
            return []
        self._warned = True
        from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

        store, account = self._store, account_region(self._store)[0]
        shown = _shown_key(self._key)
        subject = f"its encryption_key, {shown}," if self._prop == "bucket" else shown
        readers = store._model_readers
        models_only = bool(readers) and not store._encrypting_users
        # Buckets added to the store encrypt with its key, for whoever uses them.
        models_only = models_only and len(store._bucket_keys) <= 1
        if models_only:
            who = ", ".join(readers)
            needs = (
                f"the execution role of {who} (model_store) gets an identity policy to read "
                "the model data with it, which counts only if the key's policy lets account "
                f"{account} (or that role) use it through S3: kms:Decrypt and "
                "kms:DescribeKey (as ArtifactStore.share_models_with grants on a key of "
                "this app)"
            )
        else:
            needs = (
                "the pipelines' roles get identity policies to use it, which count only if "
                f"the key's policy lets account {account} (or those roles) use it: "
                "kms:Decrypt, kms:Encrypt, kms:GenerateDataKey, "
                "kms:GenerateDataKeyWithoutPlaintext and kms:DescribeKey, and "
                "kms:CreateGrant with kms:GrantIsForAWSResource true (the jobs' volumes)"
            )
        Annotations.of(store).add_warning_v2(
            f"{WARNING_PREFIX}:key-of-another-account",
            f"prop '{self._prop}': {subject} is in account {self._owner}, this stack in "
            f"{account}: {needs}. Synth can't see that policy: acknowledge this warning "
            "once its owner has added them.",
        )
        return []


def _bucket_hint(bucket: object) -> str:
    """How to turn what was given as the bucket into an ``s3.IBucket``."""
    if isinstance(bucket, str):
        if bucket.startswith("arn:"):
            return f"import it: s3.Bucket.from_bucket_arn(self, 'ArtifactBucket', {bucket!r})"
        if bucket.startswith("s3://"):
            name = bucket.removeprefix("s3://").split("/", 1)[0]
            return (
                f"import it by name: s3.Bucket.from_bucket_name(self, 'ArtifactBucket', "
                f"{name!r}); the store uses the whole bucket"
            )
        return f"import it: s3.Bucket.from_bucket_name(self, 'ArtifactBucket', {bucket!r})"
    return (
        "an s3.Bucket of this app, or one imported: "
        "s3.Bucket.from_bucket_name(self, 'ArtifactBucket', name)"
    )


def _key_hint(key: object) -> str:
    """How to turn what was given as the key into a ``kms.IKey``."""
    if isinstance(key, str) and key.startswith("arn:") and ":alias/" not in key:
        return f"import it: kms.Key.from_key_arn(self, 'ArtifactKey', {key!r})"
    return f"a kms.Key of this app, or one imported by its key ARN: {_KEY_HINT}"


def _alias_problem(key: object, prop: str = "key") -> Problem | None:
    """An alias (``kms.Alias``, or a key imported by an alias ARN) where a key is needed.

    SageMaker would take it, but IAM grants use of a key by the key's ARN: statements on
    the alias's ARN grant no access, and every job would fail to encrypt its outputs.
    """
    arn = getattr(key, "key_arn", None)
    if not hasattr(key, "alias_name") and not (isinstance(arn, str) and ":alias/" in arn):
        return None
    return PropProblem(
        None,
        prop,
        f"{describe(key)} is a KMS alias: IAM grants use of a key by the key's ARN, so the "
        "pipelines' roles would get no use of the key behind it",
        # An alias of this app knows its key; an imported one doesn't.
        "give the key it points to: key=alias.alias_target_key"
        if isinstance(key, kms.Alias)
        else f"import the key by its key ARN: {_KEY_HINT}",
    )


def _shown_key(key: kms.IKey) -> str:
    arn = key.key_arn
    return arn if not is_unresolved(arn) else describe(key)


def _same_key(first: kms.IKey, second: kms.IKey) -> bool:
    """Whether two key objects are known to be one key (one object, or one ARN)."""
    # jsii hands out a new proxy for an imported key each time: the same key has one ref.
    refs = {getattr(getattr(key, "__jsii_ref__", None), "ref", id(key)) for key in (first, second)}
    if first is second or len(refs) == 1:
        return True
    first_arn, second_arn = first.key_arn, second.key_arn
    return bool(first_arn == second_arn)


def _different_keys(first: kms.IKey, second: kms.IKey) -> bool:
    """Whether two keys are known to differ (ARNs only known at deploy time may be one key)."""
    if _same_key(first, second):
        return False
    if isinstance(first, kms.Key) and isinstance(second, kms.Key):
        return True  # two keys created in this app
    first_arn, second_arn = first.key_arn, second.key_arn
    if is_unresolved(first_arn) or is_unresolved(second_arn):
        return False
    # An alias ARN (a bucket imported with its key by alias) may name this very key.
    if ":alias/" in first_arn or ":alias/" in second_arn:
        return False
    return bool(first_arn != second_arn)


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
# The access-log bucket's rule that removes the delete markers its expired logs leave.
DELETE_MARKERS_RULE = "RemoveExpiredDeleteMarkers"
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


def _sealed_retention_problem(value: object) -> Problem | None:
    """A ``SealedRetention`` of whole days, 1 to ``SEALED_RETENTION_MAX_DAYS``."""
    if value is None:
        return None
    if not isinstance(value, SealedRetention):
        return Problem(
            None,
            "sealed_retention",
            f"expected a SealedRetention, got {describe(value)}",
            "SealedRetention.compliance(Duration.days(3650))",
        )
    hint = f"SealedRetention.{value.mode.lower()}(Duration.days(3650))"
    if not isinstance(value.duration, Duration):
        return Problem(
            None, "sealed_retention", f"expected a Duration, got {describe(value.duration)}", hint
        )
    if value.duration.is_unresolved():
        # The sealing function computes each retain-until date from a number of days.
        return Problem(
            None, "sealed_retention", "the duration must be known at synth, got a token", hint
        )
    days = value.duration.to_days(integral=False)
    if days < 1 or days != int(days) or days > SEALED_RETENTION_MAX_DAYS:
        return Problem(
            None,
            "sealed_retention",
            "S3 Object Lock retains for whole days, 1 to 36,500 (100 years), got "
            f"{value.duration.to_human_string()}",
            f"SealedRetention.{value.mode.lower()}"
            f"(Duration.days({min(SEALED_RETENTION_MAX_DAYS, max(1, round(days)))}))",
        )
    return None


def _warn_sealed_retention_new_bucket(store: ArtifactStore, retention: SealedRetention) -> None:
    """Warn that Object Lock is enabled only on a bucket CloudFormation creates.

    Synth can't tell a new store from a deployed one (only the deployed template knows):
    enabling ``ObjectLockEnabled`` on a deployed bucket makes CloudFormation replace it.
    """
    from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

    Annotations.of(store).add_warning_v2(
        f"{WARNING_PREFIX}:sealed-retention-new-bucket",
        f"sealed_retention ({retention.mode}, {retention.days} days) enables S3 Object Lock "
        "on the artifact bucket, which CloudFormation does only as it creates the bucket: on "
        "a store already deployed without it, the deploy replaces the bucket with a new, "
        "empty one (the old one, its objects and the registered versions' model data, "
        "leaves the stack and follows the removal policy). Acknowledge this warning for a "
        "store not yet deployed; for a deployed one, create a new store instead (see "
        "docs/limitations.md, 'Object Lock on a deployed artifact store').",
    )


SSE_HEADER = "s3:x-amz-server-side-encryption"
SSE_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"
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


def deny_other_kms_keys(bucket: s3.Bucket, key_arn: str) -> None:
    """Refuse uploads that name a KMS key other than the store's (``--sse-kms-key-id``).

    The algorithm deny alone lets an upload be encrypted with any key, the uploader's own
    in another account included: the store's readers then can't decrypt it, and the object
    escapes the store key's policy. S3 compares the header's value as a string, and its
    guide asks for the key's ARN in this condition; the jobs of the store's pipelines name
    the key by that ARN (``KmsKeyId`` is ``key.key_arn``). The condition covers PutObject,
    CopyObject and CreateMultipartUpload, which carry the header (UploadPart doesn't, and
    isn't denied). Uploads without the header get the bucket's default, the store key.

    Example::

        deny_other_kms_keys(bucket, key.key_arn)
    """
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyUploadsWithAnotherKmsKey",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects("*")],
            conditions={
                # Only requests that name a key: see deny_encryption_downgrade. A key id or
                # alias in the header is refused too, as S3 compares it as sent.
                "Null": {SSE_KEY_HEADER: "false"},
                "StringNotEquals": {SSE_KEY_HEADER: key_arn},
            },
        )
    )


def enable_event_bridge_notifications(bucket: s3.Bucket) -> None:
    """Send the bucket's events to EventBridge, through its own CloudFormation properties.

    Unlike ``Bucket(event_bridge_enabled=True)`` this needs no custom-resource Lambda.
    Notification configurations already set on the L1 bucket are kept.
    """
    cfn = node_of(bucket).default_child if isinstance(bucket, Construct) else None
    if not isinstance(cfn, s3.CfnBucket):
        raise_for(
            [
                PropProblem(
                    None,
                    "bucket",
                    f"expected an s3.Bucket created in this app, got {describe(bucket)}",
                    "switch EventBridge notifications on where the bucket is defined",
                )
            ],
            "enable_event_bridge_notifications",
        )
    assert isinstance(cfn, s3.CfnBucket)  # raise_for raised otherwise
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
