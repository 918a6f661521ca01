"""Turn a ``PermissionPlan`` into IAM statements for the pipeline, step and AutoML roles.

Every statement is scoped: job ARNs to the ``pipelines-`` name prefix the service uses
(or the custom job-name prefixes the definition gives),
S3 to the exact bucket and key patterns the definition reads or writes, registration to
the model package group with a ``PendingManualApproval`` condition. ``Resource: *`` only
appears for actions that have no resource type (see ``RESOURCELESS_ACTIONS``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from aws_cdk import Arn, ArnComponents, ArnFormat, Aws, CfnElement, Fn, Stack, Tokenization
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from ..definition._instance_caps import CAPPED_ACTIONS, DENY_SID, cap_condition
from ..definition._job_conditions import enforced_job_conditions
from ..definition.images import parse_image_uri
from ..definition.permissions import (
    AUTOML_ROLE_ACTIONS,
    AUTOML_ROLE_LIST_TAGS,
    CLARIFY_SHADOW_ENDPOINT_ACTIONS,
    DEPLOY_ACTIONS,
    DESCRIBE_PACKAGE_ACTIONS,
    EMR_CLUSTER_STATUS_RULE,
    EMR_CLUSTER_STATUS_RULE_AS_DOCUMENTED,
    EMR_STEP_STATUS_RULE,
    JOB_NAME_PREFIX,
    LINEAGE_ASSOCIATE_ACTION,
    LINEAGE_CREATE_ACTIONS,
    MODEL_FROM_PACKAGE_ACTIONS,
    PENDING_APPROVAL,
    REGISTER_ACTIONS,
    ROLLBACK_ALARM_ACTIONS,
    PermissionPlan,
    S3Access,
    sqs_queue_arn_parts,
)
from ._arns import format_arn
from ._props import is_unresolved, may_share_environment
from ._tree import fact_of, node_of, path_of, root_of, stack_of, stage_of

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
EMR_PRINCIPAL = "elasticmapreduce.amazonaws.com"
# The names EMR may give as iam:PassedToService. AWS's AmazonEMRFullAccessPolicy_v2 passes
# its service role under StringLike "elasticmapreduce.amazonaws.com*" and names EMR's
# iam:AWSServiceName as both "elasticmapreduce.amazonaws.com" and
# "elasticmapreduce.amazonaws.com.cn" (EMR management guide, "IAM managed policy for full
# access (v2 managed default policy)"); a service role trusting only the first failed its
# clusters in China (aws/aws-cdk#19867). Both exact names, so the StringEquals still names
# EMR alone, in every partition.
EMR_PASSED_TO_SERVICE = (EMR_PRINCIPAL, f"{EMR_PRINCIPAL}.cn")
# Actions that IAM can only grant on "*": they have no resource type.
RESOURCELESS_ACTIONS = frozenset(
    {
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "elasticmapreduce:RunJobFlow",
    }
)
_S3_READ = ["s3:GetObject", "s3:GetObjectVersion"]
_S3_WRITE = ["s3:PutObject", "s3:AbortMultipartUpload"]
# What jobs do with their keys: S3 server-side encryption (GenerateDataKey to write,
# Decrypt to read), kms:Encrypt (CreateTrainingJob's OutputDataConfig.KmsKeyId: "the
# SageMaker execution role must include permissions to call kms:Encrypt") and encrypted ML
# storage volumes. No kms:ReEncrypt*, which aws-cdk-lib's grant_encrypt_decrypt adds: no
# job re-encrypts (in SageMaker's API model only Feature Store's online store asks for it).
_KMS_USE = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
]
_ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
# Per bucket name (a token, as the plan spells it), key prefixes ending in "/" whose
# locations a role is granted as a whole (see _s3_statements).
PipelineWide = Mapping[str, Sequence[str]]


def _sid(text: str) -> str:
    """``text`` in PascalCase, letters and digits only: ``raw-data.v2`` -> ``RawDataV2``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


# What the S3 statements call the pipeline's artifact bucket and the CDK assets bucket
# (its scripts and files): ReadDataInArtifactsBucket, ReadDataInAssetsBucket.
ARTIFACTS_BUCKET_SID_NAME = "Artifacts"
ASSETS_BUCKET_SID_NAME = "Assets"
# The longest bucket name a Sid spells out; a longer one is cut and told apart by a hash.
_MAX_BUCKET_SID_NAME = 40
# Construct ids that say nothing of the bucket (an L2's ``Resource``, a construct's
# ``Bucket``): the bucket is called after the construct it is part of instead.
_GENERIC_IDS = frozenset({"Bucket", "Resource", "Default"})
# A name given to a token (its Ref's construct, its export) that would be empty.
_TOKEN_NAME = "Deployed"


def _short_hash(identity: str, length: int = 8) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:length].upper()


def _bucket_word(name: str) -> str:
    """``name`` as a Sid part without a trailing ``Bucket`` (``DataBucketName`` -> ``Data``)."""
    name = _sid(name)
    for suffix in ("BucketName", "Bucket"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _construct_name(construct: Any) -> str:
    """A bucket's name from its construct id (its parent's, where the id is generic)."""
    # From the path, which is kept once read (node.id and node.scope are a round trip each).
    ids = path_of(construct).split("/")
    if len(ids) > 1 and ids[-1] in _GENERIC_IDS:
        return _bucket_word(ids[-2])
    return _bucket_word(ids[-1])


def _token_name(token: str, identity: Callable[[str], str]) -> str:
    """The name of a bucket known only at deploy time, from what its token refers to.

    The construct of a ``Ref`` or ``Fn::GetAtt`` (a ``CfnParameter``: ``InputBucket``), the
    export an ``Fn::ImportValue`` names; anything else (a name joined from parts) the hash
    of its resolved form, ``identity(token)``, which stays the same while the token does.
    """
    fragments = Tokenization.reverse_string(token)
    whole = fragments.first_token if fragments.length == 1 else None
    target = getattr(whole, "target", None)
    if isinstance(target, CfnElement):
        return _construct_name(target)
    resolved = json.loads(identity(token))
    if isinstance(resolved, dict) and len(resolved) == 1:
        ((function, argument),) = resolved.items()
        if function in ("Ref", "Fn::ImportValue") and isinstance(argument, str):
            return _bucket_word(argument)
    return _short_hash(identity(token))


def bucket_sid_names(
    buckets: Sequence[str],
    *,
    given: Mapping[str, str],
    name: Callable[[str], str],
    identity: Callable[[str], str],
) -> dict[str, str]:
    """What the S3 statements call each of ``buckets`` (bucket names, literal or tokens).

    A bucket of ``given`` gets its name there (the artifact store's ``Artifacts``, the CDK
    assets bucket's ``Assets``); any other the readable ``name(bucket)``: a literal name in
    PascalCase (``raw-data`` -> ``RawData``), a bucket of the app by its construct id, a
    parameter by its id; a hash of its identity when it has none. ``identity(bucket)``
    says which bucket it is the same way in every synth (its literal name, its token's
    resolved form): only asked for where names collide.

    Names depend on the bucket alone, not on its position, so a bucket added or removed
    leaves the others' names alone, unless the added one takes the same readable name (a
    second ``raw_data`` beside ``raw-data``): both are then hashed. Where names collide, a
    given name stays as it is and every other bucket of that name gets the start of its
    identity's hash appended (``Data3F9A1C``), in whatever order they come; names that
    still collide (the same bucket spelt twice) are numbered in order. A name is at most
    ``_MAX_BUCKET_SID_NAME`` characters (a longer one is cut, and told apart by a hash of
    the whole).

    Example::

        bucket_sid_names(
            ["raw-data", artifacts_token],
            given={artifacts_token: "Artifacts"},
            name=..., identity=...,
        )  # {"raw-data": "RawData", artifacts_token: "Artifacts"}
    """
    names: dict[str, str] = {}
    for bucket in buckets:
        readable = given.get(bucket) or name(bucket) or _TOKEN_NAME
        if len(readable) > _MAX_BUCKET_SID_NAME:
            readable = readable[: _MAX_BUCKET_SID_NAME - 8] + _short_hash(readable)
        names[bucket] = readable
    sharing: dict[str, list[str]] = defaultdict(list)
    for bucket, readable in names.items():
        sharing[readable].append(bucket)
    result: dict[str, str] = {}
    for readable, group in sharing.items():
        kept = group if len(group) == 1 else [bucket for bucket in group if bucket in given]
        keep = kept[0] if len(kept) == 1 else None
        for bucket in group:
            # identity() only here: for a token it is a round trip to jsii.
            told_apart = readable if bucket == keep else None
            result[bucket] = told_apart or f"{readable}{_short_hash(identity(bucket), 6)}"
    # The same identity twice (or a hashed name another bucket has): numbered in order.
    used: set[str] = set()
    for bucket in buckets:
        final, number = result[bucket], 1
        while final in used:
            number += 1
            final = f"{result[bucket]}{number}"
        result[bucket] = final
        used.add(final)
    return result


def _sagemaker_arn(stack: Stack, resource: str, name: str) -> str:
    return format_arn(
        stack,
        service="sagemaker",
        resource=resource,
        resource_name=name,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


@cache
def _partition() -> str:
    return Aws.PARTITION


def _s3_bucket_arn(bucket: str) -> str:
    # Plain formatting (no jsii round trip per ARN): S3 ARNs have no region or account.
    return f"arn:{_partition()}:s3:::{bucket}"


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


def _key_arn(stack: Stack, key: Any) -> Any:
    if not isinstance(key, str) or is_unresolved(key) or key.startswith("arn:"):
        return key
    return stack.format_arn(service="kms", resource="key", resource_name=key)


def _is_alias(key: Any) -> bool:
    return isinstance(key, str) and (key.startswith("alias/") or ":alias/" in key)


def _plan_keys(stack: Stack, plan: PermissionPlan, key_arns: Collection[str] = ()) -> list[Any]:
    """The jobs' keys, with an alias of this app (``kms.Alias``) replaced by its key's ARN.

    A key of this app given by id (``key.key_id``) becomes its ARN too. ``key_arns`` are
    tokens known to be key ARNs (the artifact key's): kept as they are, without a lookup.

    ``alias.alias_name`` and ``alias.alias_arn`` are tokens that don't say they are aliases,
    and a grant on them never matches the key. They refer to the alias resource, or (where
    CDK resolves the name to its literal) to nothing: only then is the construct tree
    searched, comparing resolved values.
    """
    keys: list[Any] = []
    aliases: list[tuple[Any, Any, str]] | None = None  # resolved name and ARN, key ARN
    for key in plan.kms_keys:
        if isinstance(key, str) and is_unresolved(key) and key not in key_arns:
            fragments = Tokenization.reverse_string(key)
            targets = [getattr(reference, "target", None) for reference in fragments.tokens]
            whole = fragments.first_token if fragments.length == 1 else None
            if isinstance(getattr(whole, "target", None), kms.CfnKey) and (
                getattr(whole, "display_name", None) in ("Ref", "KeyId")
            ):
                # key.key_id (or CfnKey.attr_key_id) is the key's id, which no statement can
                # name (IAM rejects a Resource that is not an ARN): its ARN instead.
                keys.append(whole.target.attr_arn)  # type: ignore[union-attr]
                continue
            found = next(
                (
                    target.node.scope
                    for target in targets
                    if isinstance(target, kms.CfnAlias) and isinstance(target.node.scope, kms.Alias)
                ),
                None,
            )
            if isinstance(found, kms.Alias):
                key = found.alias_target_key.key_arn
            elif all(target is None for target in targets):
                if aliases is None:
                    # Compared resolved: each read of alias_arn formats a new token string.
                    aliases = [
                        (
                            stack.resolve(alias.alias_name),
                            stack.resolve(alias.alias_arn),
                            alias.alias_target_key.key_arn,
                        )
                        for alias in stack.node.find_all()
                        if isinstance(alias, kms.Alias)
                    ]
                resolved = stack.resolve(key)
                key = next(
                    (arn for name, alias_arn, arn in aliases if resolved in (name, alias_arn)), key
                )
        keys.append(key)
    return keys


def _job_keys(stack: Stack, plan_keys: list[Any]) -> list[Any]:
    """The ARNs of the jobs' keys given by id or ARN (aliases: see ``_alias_key_statements``)."""
    return _unique(_key_arn(stack, key) for key in plan_keys if not _is_alias(key))


def _alias_key_statements(
    stack: Stack, plan_keys: list[Any], sid: str, actions: list[str], condition: dict[str, Any]
) -> list[iam.PolicyStatement]:
    """``actions`` on the keys the jobs name by alias, one statement per account and region.

    IAM can't name a key by its alias: an alias ARN in Resource applies to the alias itself,
    not to its key ("Use aliases to control access to KMS keys", KMS developer guide), so
    such a grant never matched and the jobs were denied their key at run time. The
    statement allows the keys of that account and region that carry the alias instead.
    """
    aliases: dict[str, list[str]] = defaultdict(list)
    for key in plan_keys:
        if not _is_alias(key):
            continue
        if key.startswith("alias/"):
            keys = stack.format_arn(service="kms", resource="key", resource_name="*")
            aliases[keys].append(key)
        else:
            where, name = key.split(":alias/", 1)
            aliases[f"{where}:key/*"].append(f"alias/{name}")
    return [
        iam.PolicyStatement(
            sid=f"{sid}{index + 1}ByAlias" if len(aliases) > 1 else f"{sid}ByAlias",
            actions=actions,
            resources=[keys],
            conditions={
                **condition,
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": _unique(names)},
            },
        )
        for index, (keys, names) in enumerate(aliases.items())
    ]


class Lookups:
    """What one pipeline's role statements look up in the construct tree, each looked up once.

    Both roles name the jobs' KMS keys, and the keys of buckets they use; finding what a
    token refers to takes jsii round trips (several per token), so each is found once per
    pipeline. Tokens the pipeline already knows (its artifact bucket and key) aren't looked up.
    """

    def __init__(
        self,
        stack: Stack,
        plan: PermissionPlan,
        *,
        buckets: dict[str, s3.IBucket],
        bucket_key_arns: Mapping[str, Any],
        bucket_names: Mapping[str, str] | None = None,
    ) -> None:
        """``bucket_key_arns``: known buckets' key ARNs, by bucket name (token).

        ``bucket_names``: what the statements of the buckets the pipeline itself knows call
        them, by bucket name (token): ``{artifact_bucket: "Artifacts", assets_bucket:
        "Assets"}`` (see ``bucket_sid_name``).
        """
        self.buckets = buckets
        self._stack = stack
        self._bucket_key_arns: dict[str, Any] = dict(bucket_key_arns)
        self._imported_buckets: dict[str, s3.IBucket] | None = None
        # Tokens known to be KMS key ARNs: the artifact store's key (see _job_condition_statements).
        self.key_arn_tokens = frozenset(bucket_key_arns.values())
        self.plan_keys = _plan_keys(stack, plan, key_arns=self.key_arn_tokens)
        self._kms_keys = list(plan.kms_keys)
        self._given_names = {
            bucket: _sid(name) for bucket, name in (bucket_names or {}).items() if _sid(name)
        }
        # Every bucket the plan grants, named together (collisions are told apart among
        # them all), so a bucket is called the same in every role's statements.
        self._named: list[str] = list(
            dict.fromkeys(
                access.bucket for access in (*plan.reads, *plan.writes, *plan.property_file_reads)
            )
        )
        self._sid_names: dict[str, str] | None = None
        self._identities: dict[str, str] = {}

    def narrowed(self, plan: PermissionPlan) -> Lookups:
        """These lookups for ``plan``, a plan of some of the steps of this one's.

        What was looked up is shared, and buckets are called the same in every role's
        statements; ``plan_keys`` holds the planned form of ``plan``'s keys, in its order.

        Example::

            lookups.narrowed(plan_permissions(definition, steps=frozenset({"Prep"})))
        """
        narrowed = copy.copy(self)
        narrowed.plan_keys = [self.plan_keys[self._kms_keys.index(key)] for key in plan.kms_keys]
        narrowed._kms_keys = list(plan.kms_keys)
        return narrowed

    def bucket_sid_name(self, bucket: str) -> str:
        """What the statements of the bucket named ``bucket`` call it (``RawData``).

        A valid part of a Sid (letters and digits), the same in every synth and unchanged
        when the pipeline starts or stops using another bucket, unlike a position. See
        ``bucket_sid_names`` for where the names come from and how collisions are handled.
        """
        if self._sid_names is None or bucket not in self._sid_names:
            if bucket not in self._named:
                self._named.append(bucket)
            self._sid_names = bucket_sid_names(
                self._named,
                given=self._given_names,
                name=self._readable_name,
                identity=self._identity,
            )
        return self._sid_names[bucket]

    def _readable_name(self, bucket: str) -> str:
        """A literal name as it is; a token after its bucket's or reference's construct."""
        if not is_unresolved(bucket):
            return _bucket_word(bucket)
        known = self.buckets.get(bucket) or _bucket_behind(bucket)
        if known is not None:
            return _construct_name(known)
        return _token_name(bucket, self._identity)

    def _identity(self, bucket: str) -> str:
        """What ``bucket`` is in every synth: its literal name, or its resolved token."""
        if not is_unresolved(bucket):
            return bucket
        if bucket not in self._identities:
            self._identities[bucket] = json.dumps(self._stack.resolve(bucket), sort_keys=True)
        return self._identities[bucket]

    def bucket_key_arn(self, bucket: str) -> Any:
        """The ARN of the KMS key of the bucket named ``bucket``, if it has one we know of."""
        if bucket not in self._bucket_key_arns:
            known = (
                self.buckets.get(bucket) or _bucket_behind(bucket) or self._imported_bucket(bucket)
            )
            key = known.encryption_key if known is not None else None
            self._bucket_key_arns[bucket] = key.key_arn if key is not None else None
        return self._bucket_key_arns[bucket]

    def _imported_bucket(self, name: str) -> s3.IBucket | None:
        """A bucket of the app imported under the literal ``name`` with its key.

        ``s3.Bucket.from_bucket_attributes(…, encryption_key=key)`` has a literal name, which
        a definition writes out (``Join(…, [bucket.bucket_name, …])``, an f-string): the
        name is all the plan sees. The app is searched once per pipeline, and only for a
        bucket the pipeline doesn't already know.

        Only the pipeline's stage, in its account and region, is searched, its own stack
        first: in an app of one stage per environment, each stage imports the bucket with
        its own environment's key, and another stage's key is neither the one the pipeline
        needs nor one its template can refer to.
        """
        if is_unresolved(name):
            return None
        if self._imported_buckets is None:
            self._imported_buckets = {}
            stage = stage_of(self._stack)
            search = stage or root_of(self._stack)
            found = [
                construct
                for construct in node_of(search).find_all()
                # Imported buckets are BucketBase, not Bucket (whose name is a token).
                if isinstance(construct, s3.BucketBase)
                and not isinstance(construct, s3.Bucket)
                # Read once per bucket: each asset imports the assets bucket (an s3.Asset's
                # AssetBucket), and every pipeline of the stage searches it.
                and fact_of(search, "has-key", construct, _has_key)
                and stage_of(construct) is stage
                and may_share_environment(construct, self._stack)
            ]
            found.sort(key=lambda bucket: stack_of(bucket) is not self._stack)  # stable
            for bucket in found:
                self._imported_buckets.setdefault(bucket.bucket_name, bucket)
        return self._imported_buckets.get(name)


def _has_key(bucket: s3.BucketBase) -> bool:
    """Whether the imported ``bucket`` has an ``encryption_key`` (fixed when it is imported)."""
    return bucket.encryption_key is not None


_GROUP_ARN_RESOURCE = ":model-package-group/"


def _model_package_group_arns(stack: Stack, group: str) -> tuple[str, str]:
    """The ARNs of a model package group and of its versions (``model-package/<group>/*``).

    ``ModelPackageGroupName`` takes a name (a group of the pipeline's account and region)
    or a group's ARN, which is how a pipeline registers in another account's group: its
    versions are that account's resources, so both ARNs keep the ARN's account and region.

    The name is granted as given, not also in lowercase as a pipeline's: IAM checks a
    version by its group's name as created (aws-samples/ml-edge-getting-started#18: a
    role denied ``sagemaker:DescribeModelPackage`` on
    ``model-package/modelPackageGroupTurbine/1``, fixed by #19, "remove .lower() to match
    model package group name"), and a lowercase twin could be another group.
    """
    if group.startswith("arn:") and _GROUP_ARN_RESOURCE in group:
        prefix, name = group.split(_GROUP_ARN_RESOURCE, 1)
        return group, f"{prefix}:model-package/{name}/*"
    return (
        _sagemaker_arn(stack, "model-package-group", group),
        _sagemaker_arn(stack, "model-package", f"{group}/*"),
    )


def _registration_statements(
    sids: tuple[str, str], packages: list[Any], groups: list[Any]
) -> list[iam.PolicyStatement]:
    """Register versions of ``groups`` pending approval only, and describe them."""
    register, describe_versions = sids
    return [
        iam.PolicyStatement(
            sid=register,
            actions=list(REGISTER_ACTIONS),
            resources=[*packages, *groups],
            # The pipeline may only register versions a person still has to approve.
            conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": PENDING_APPROVAL}},
        ),
        iam.PolicyStatement(
            sid=describe_versions, actions=list(DESCRIBE_PACKAGE_ACTIONS), resources=packages
        ),
    ]


def ecr_pull_statements(repository_arns: Sequence[str]) -> list[iam.PolicyStatement]:
    """Pull images of ``repository_arns`` (``PullImages``), and the registry's token.

    None for no repository: SageMaker's framework images are pulled from its own accounts,
    which need no grant.
    """
    if not repository_arns:
        return []
    return [
        iam.PolicyStatement(sid="PullImages", actions=_ECR_PULL, resources=list(repository_arns)),
        iam.PolicyStatement(
            sid="AuthenticateToEcr", actions=["ecr:GetAuthorizationToken"], resources=["*"]
        ),
    ]


def _model_package_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """Create the models of Model steps from the registered versions they name.

    A version given literally (its ARN, or a name of this account and region) is allowed
    alone; one known only at run time (a parameter, a Lambda step's output such as the
    latest approved version) or at deploy time may be any version of the account and region.
    """
    named: list[Any] = []
    any_version = False
    for _, _, package in plan.model_packages:
        if not isinstance(package, str) or is_unresolved(package):
            any_version = True
        elif package.startswith("arn:"):
            named.append(package)
        else:
            named.append(_sagemaker_arn(stack, "model-package", package))
    statements = []
    if named:
        statements.append(
            iam.PolicyStatement(
                sid="CreateModelsFromModelVersions",
                actions=list(MODEL_FROM_PACKAGE_ACTIONS),
                resources=_unique(named),
            )
        )
    if any_version:
        statements.append(
            iam.PolicyStatement(
                sid="CreateModelsFromModelVersionsOfAnyGroup",
                actions=list(MODEL_FROM_PACKAGE_ACTIONS),
                # model-package/<group>/<n> of any group (and unversioned packages).
                resources=[_sagemaker_arn(stack, "model-package", "*")],
            )
        )
    return statements


def pipeline_role_statements(
    plan: PermissionPlan,
    stack: Stack,
    lookups: Lookups,
    *,
    pipeline_wide: PipelineWide | None = None,
    instance_type_cap: Sequence[str] = (),
) -> list[iam.PolicyStatement]:
    """What the service needs, acting as the pipeline: start, watch and stop its jobs.

    ``pipeline_wide``: the key prefixes whose property files are granted as a whole (see
    ``_s3_statements``); None for each file's own location, as for any pipeline whose
    policies fit. ``instance_type_cap``: the instance types (patterns) its jobs may run
    on, denied otherwise (``_instance_cap_statements``); empty for no cap.
    """
    statements: list[iam.PolicyStatement] = []
    tagged: list[str] = []
    job_arns: dict[str, list[str]] = {}
    for kind in sorted(plan.job_actions):
        resource_type, actions = plan.job_actions[kind]
        prefixes = plan.job_name_prefixes.get(kind) or [JOB_NAME_PREFIX]
        arns = [_sagemaker_arn(stack, resource_type, f"{prefix}*") for prefix in prefixes]
        tagged += arns
        job_arns[kind] = arns
        statements.append(
            iam.PolicyStatement(sid=f"{_sid(kind)}Jobs", actions=list(actions), resources=arns)
        )
    statements += _job_condition_statements(plan, stack, job_arns, lookups)
    statements += _instance_cap_statements(plan, stack, job_arns, instance_type_cap)
    groups = _unique(plan.model_package_groups)
    if groups:
        packages = [_model_package_group_arns(stack, group)[1] for group in groups]
        group_arns = [_model_package_group_arns(stack, group)[0] for group in groups]
        statements += _registration_statements(
            ("RegisterModelVersionsPendingApproval", "DescribeModelVersions"), packages, group_arns
        )
        tagged += packages
    if plan.open_registrations:
        # Any group's versions and any unversioned package (model-package/* matches both
        # model-package/<group>/<n> and model-package/<name>), still pending approval only.
        packages = [_sagemaker_arn(stack, "model-package", "*")]
        group_arns = [_sagemaker_arn(stack, "model-package-group", "*")]
        statements += _registration_statements(
            ("RegisterModelVersionsOfAnyGroup", "DescribeModelVersionsOfAnyGroup"),
            packages,
            group_arns,
        )
        tagged += packages
    statements += _model_package_statements(plan, stack)
    deploy, created = _deploy_statements(plan, stack)
    statements += deploy
    tagged += created
    statements += _lineage_statements(plan, stack)
    tagged += _lineage_arns(stack, plan.lineage_tagged)
    plan_keys = lookups.plan_keys
    keys = _job_keys(stack, plan_keys)
    # (Sid, actions, resources, conditions): a statement only when it has resources.
    table: list[tuple[str, list[str], list[Any], dict[str, Any] | None]] = [
        # CreateX calls tag their resources; AddTags can't sit under request conditions.
        ("TagPipelineResources", ["sagemaker:AddTags"], tagged, None),
        (
            "PassStepRoleToSageMaker",
            ["iam:PassRole"],
            _unique(plan.passed_roles),
            {"StringEquals": {"iam:PassedToService": SAGEMAKER_PRINCIPAL}},
        ),
        (
            "LetJobsUseTheirKeys",
            ["kms:CreateGrant"],
            keys,
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
        # Not under the grant condition: DescribeKey requests carry no
        # kms:GrantIsForAWSResource key, so that statement would never allow it.
        ("DescribeJobKeys", ["kms:DescribeKey"], keys, None),
        ("InvokeLambdaSteps", ["lambda:InvokeFunction"], _unique(plan.lambda_functions), None),
        (
            "SendCallbackMessages",
            ["sqs:SendMessage"],
            _unique(_queue_arn(stack, url) for url in plan.sqs_queue_urls),
            None,
        ),
    ]
    statements += [
        iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
        for sid, actions, resources, conditions in table
        if resources
    ]
    statements += _alias_key_statements(
        stack,
        plan_keys,
        "LetJobsUseTheirKeys",
        ["kms:CreateGrant"],
        {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    )
    statements += _alias_key_statements(
        stack, plan_keys, "DescribeJobKeys", ["kms:DescribeKey"], {}
    )
    queue_keys = _unique(_queue_key_arn(stack, url) for url in plan.sqs_queue_urls)
    if queue_keys:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptCallbackMessages",
                # A producer of an SSE-KMS queue needs these on its key ("Amazon SQS key
                # management", SQS developer guide); SendMessage alone is denied.
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=queue_keys,
            )
        )
    statements += _emr_statements(plan, stack)
    if plan.property_file_reads:
        statements += _s3_statements(
            "PropertyFiles",
            plan.property_file_reads,
            [],
            lookups,
            list_prefixes=False,
            pipeline_wide=pipeline_wide,
        )
    return statements


def _job_condition_statements(
    plan: PermissionPlan, stack: Stack, job_arns: Mapping[str, list[str]], lookups: Lookups
) -> list[iam.PolicyStatement]:
    """Deny the Create calls of jobs that drop what every job of the definition states.

    Defence in depth: whoever may start the pipeline with parameter overrides, or change its
    definition, could otherwise have the role create jobs with another KMS key, without
    network isolation or inter-container encryption, or outside the VPC. The keys and the
    actions taking them are the Service Authorization Reference's ("Actions, resources, and
    condition keys for Amazon SageMaker"; see definition/_job_conditions.py).

    Separate Deny statements rather than conditions on the Allow: the Allow statements hold
    the Describe/Stop actions too, whose requests carry none of these keys, and a Deny per
    concern names it in the template (and in a denial's message). Each guards a key that a
    request may lack (Null, BoolIfExists) as its comment in ``enforced_job_conditions`` says.
    """
    if not plan.job_condition_values:
        return []

    def is_key_arn(value: Any) -> bool:
        # A literal key ARN, or the artifact store's key (key.key_arn). Another token may
        # be a key id or an alias (key.key_id, alias.alias_name), which the request carries
        # as it is: an ARN condition on it would deny the pipeline's own jobs.
        if not isinstance(value, str):
            return False
        if is_unresolved(value):
            return value in lookups.key_arn_tokens
        return value.startswith("arn:") and ":key/" in value

    def is_fixed(value: Any) -> bool:
        # A literal or a deploy-time token (subnet.subnet_id); never a parameter or a
        # step property, which an execution may change.
        return isinstance(value, str)

    conditions = list(enforced_job_conditions(plan.job_condition_values, is_key_arn, is_fixed))
    # Each step's copy of a token (the store key's ARN) is its own string: one per resolved
    # value, or a pipeline of 45 steps would list the key 45 times. enforced_job_conditions
    # lists each string once already, so only a list of two or more, one a token, can
    # still hold two alike (a literal string resolves to itself). Their tokens are resolved
    # together, in one round trip (one per value cost 18 per synth of the reference app).
    # The lists hold strings only: is_key_arn and is_fixed take nothing else.
    lists = [
        values
        for condition in conditions
        for tests in condition.condition.values()
        for values in tests.values()
        if isinstance(values, list) and len(values) > 1
    ]
    tokens = list(
        dict.fromkeys(
            value
            for values in lists
            for value in values
            if isinstance(value, str) and is_unresolved(value)
        )
    )
    rendered = dict(zip(tokens, stack.resolve(tokens), strict=True)) if tokens else {}

    def resolved_once(values: Any) -> Any:
        if not isinstance(values, list) or len(values) < 2:
            return values
        unique: dict[str, Any] = {}
        for value in values:
            resolved = rendered.get(value, value) if isinstance(value, str) else value
            unique.setdefault(json.dumps(resolved, sort_keys=True), value)
        return list(unique.values())

    statements = []
    for condition in conditions:
        actions = [plan.job_actions[kind][1][0] for kind in condition.kinds]
        resources = [arn for kind in condition.kinds for arn in job_arns[kind]]
        statement_conditions = {
            operator: {key: resolved_once(values) for key, values in tests.items()}
            for operator, tests in condition.condition.items()
        }
        statements.append(
            iam.PolicyStatement(
                sid=condition.sid,
                effect=iam.Effect.DENY,
                actions=actions,
                resources=resources,
                conditions=statement_conditions,
            )
        )
    return statements


def _instance_cap_statements(
    plan: PermissionPlan, stack: Stack, job_arns: Mapping[str, list[str]], cap: Sequence[str]
) -> list[iam.PolicyStatement]:
    """Deny the Create calls that take ``sagemaker:InstanceTypes`` outside ``cap``.

    One statement, as each job condition is (see ``_job_condition_statements``), on the
    Create action of each step type the pipeline has whose request takes the key
    (``CAPPED_ACTIONS``: its jobs, and the endpoint configurations of EndpointConfig steps),
    scoped to what the Allow statements grant. Whoever starts the pipeline with a parameter
    naming another instance type, or changes its definition, is refused by IAM; the
    ``Pipeline`` construct has already checked every instance type it can read at synth.
    A request without the key isn't denied (``ForAnyValue``): it names no instance type.
    """
    if not cap:
        return []
    actions: list[str] = []
    resources: list[Any] = []
    for kind, action in CAPPED_ACTIONS.items():
        if kind in job_arns:
            arns = job_arns[kind]
        else:
            names = plan.deploy_grants.get((kind, "endpoint-config"), [])
            arns = [arn for name in names for arn in _hosting_arns(stack, "endpoint-config", name)]
        if arns:
            actions.append(action)
            resources += arns
    if not actions:
        return []
    return [
        iam.PolicyStatement(
            sid=DENY_SID,
            effect=iam.Effect.DENY,
            actions=actions,
            resources=_unique(resources),
            conditions=cap_condition(cap),
        )
    ]


# The Sid of each deployment statement, by (step type, IAM resource type): see DEPLOY_ACTIONS.
_DEPLOY_SIDS = {
    ("EndpointConfig", "endpoint-config"): "CreateEndpointConfigs",
    ("Endpoint", "endpoint"): "CreateOrUpdateEndpoints",
    ("Endpoint", "endpoint-config"): "DeployEndpointConfigs",
    ("InferenceComponent", "inference-component"): "CreateOrUpdateInferenceComponents",
    ("InferenceComponent", "endpoint"): "PlaceInferenceComponentsOnEndpoints",
    ("InferenceComponent", "model"): "PlaceInferenceComponentsOfModels",
}


def _hosting_arns(stack: Stack, resource_type: str, name: Any) -> list[Any]:
    """The ARNs of a hosting resource (or pattern) a deployment step names.

    SageMaker spells these ARNs with the name in lowercase (as a CloudFormation endpoint's
    ARN shows, and aws-cdk-lib's SageMaker tasks grant), while requests name the resource as
    given: a name with capitals is granted in both spellings. A token is used as given.
    """
    if not isinstance(name, str) or is_unresolved(name) or name == name.lower():
        return [_sagemaker_arn(stack, resource_type, name)]
    return [_sagemaker_arn(stack, resource_type, spelling) for spelling in (name.lower(), name)]


def _deploy_statements(
    plan: PermissionPlan, stack: Stack
) -> tuple[list[iam.PolicyStatement], list[Any]]:
    """What deployment steps need, and the ARNs of what they create (tagged as created).

    One statement per step type and resource type (``DEPLOY_ACTIONS``), in the order the
    definition first needs them. A name known only at run time is ``*``: any resource of
    the type in the account and region (warned by the ``Pipeline`` construct).
    """
    statements = []
    for (kind, resource_type), names in plan.deploy_grants.items():
        resources = _unique(
            arn for name in names for arn in _hosting_arns(stack, resource_type, name)
        )
        statements.append(
            iam.PolicyStatement(
                sid=_DEPLOY_SIDS[(kind, resource_type)],
                actions=list(DEPLOY_ACTIONS[kind][resource_type]),
                resources=resources,
            )
        )
    created = _unique(
        arn
        for resource_type, names in plan.deployed.items()
        for name in names
        for arn in _hosting_arns(stack, resource_type, name)
    )
    return statements, created


# The Sid of each Lineage statement, by IAM action: see LINEAGE_CREATE_ACTIONS.
_LINEAGE_SIDS = {
    LINEAGE_CREATE_ACTIONS["action"]: "CreateLineageActions",
    LINEAGE_CREATE_ACTIONS["artifact"]: "CreateLineageArtifacts",
    LINEAGE_CREATE_ACTIONS["context"]: "CreateLineageContexts",
    LINEAGE_ASSOCIATE_ACTION: "AssociateLineageEntities",
}


def _lineage_arns(stack: Stack, grants: list[tuple[str, Any]]) -> list[Any]:
    """The ARNs of lineage resources: ``(resource type, name pattern)``, or ``("", ARN)``.

    A name with capitals is granted in both spellings, as a hosting resource's is (see
    ``_hosting_arns``); a type granted ``*`` needs none of its names.
    """
    anything = {resource_type for resource_type, name in grants if name == "*"}
    return _unique(
        arn
        for resource_type, name in grants
        if resource_type == "" or name == "*" or resource_type not in anything
        for arn in ([name] if resource_type == "" else _hosting_arns(stack, resource_type, name))
    )


def _lineage_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """What Lineage steps call: each Create* on what it creates, AddAssociation on both ends.

    Any artifact (``artifact/*``): SageMaker names an artifact's ARN after a hash of its
    source, not its name, so no statement can name the one a step creates. A name known
    only at run time is ``<prefix>*`` or ``*`` (warned by the ``Pipeline`` construct).
    """
    return [
        iam.PolicyStatement(
            sid=_LINEAGE_SIDS[action], actions=[action], resources=_lineage_arns(stack, grants)
        )
        for action, grants in plan.lineage_grants.items()
    ]


def _emr_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """What SageMaker calls for EMR steps, as AWS's AmazonSageMakerPipelinesIntegrations grants.

    That managed policy (what the SageMaker guide's EMR step section tells you to attach)
    grants the EMR actions on clusters, the events actions on the two status rules and
    iam:PassRole to EMR and EC2; here scoped to this account and region, the clusters and
    rules the steps use, and per EMR runtime role.
    """
    if not plan.emr_submissions:
        return []

    def cluster_arn(cluster: Any) -> str:
        return stack.format_arn(
            service="elasticmapreduce", resource="cluster", resource_name=cluster
        )

    statements: list[iam.PolicyStatement] = []
    plain = _unique(cluster for cluster, role in plan.emr_submissions if role is None)
    if plain:
        statements.append(
            iam.PolicyStatement(
                sid="RunEmrSteps",
                actions=["elasticmapreduce:AddJobFlowSteps"],
                resources=[cluster_arn(cluster) for cluster in plain],
                # Without it, the pipeline could run steps as any runtime role the clusters'
                # instance profiles may assume: EMR's guide says to always condition
                # AddJobFlowSteps on elasticmapreduce:ExecutionRoleArn.
                conditions={"Null": {"elasticmapreduce:ExecutionRoleArn": "true"}},
            )
        )
    runtime_roles = _unique(role for _, role in plan.emr_submissions)
    for index, role in enumerate(runtime_roles):
        clusters = _unique(cluster for cluster, used in plan.emr_submissions if used == role)
        statements.append(
            iam.PolicyStatement(
                sid=f"RunEmrStepsAsRuntimeRole{index + 1}",
                actions=["elasticmapreduce:AddJobFlowSteps"],
                resources=[cluster_arn(cluster) for cluster in clusters],
                conditions={"StringEquals": {"elasticmapreduce:ExecutionRoleArn": role}},
            )
        )
    clusters = [cluster_arn(cluster) for cluster in _unique(plan.emr_clusters)]
    statements.append(
        iam.PolicyStatement(
            sid="FollowEmrSteps",
            # DescribeCluster: the step checks the cluster's state; ListSteps and
            # DescribeStep follow the step; CancelSteps stops it when the execution stops.
            actions=[
                "elasticmapreduce:DescribeCluster",
                "elasticmapreduce:DescribeStep",
                "elasticmapreduce:ListSteps",
                "elasticmapreduce:CancelSteps",
            ],
            resources=clusters,
        )
    )
    # "The EMR step relies on Amazon EventBridge to monitor changes in the EMR step or
    # cluster state" (SageMaker guide, EMR step): SageMaker creates these rules itself.
    rules = [EMR_STEP_STATUS_RULE]
    if plan.emr_new_cluster_steps:
        rules += [EMR_CLUSTER_STATUS_RULE, EMR_CLUSTER_STATUS_RULE_AS_DOCUMENTED]
    statements.append(
        iam.PolicyStatement(
            sid="WatchEmrStatusChanges",
            actions=["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            resources=[
                stack.format_arn(service="events", resource="rule", resource_name=rule)
                for rule in rules
            ],
        )
    )
    if plan.emr_new_cluster_steps:
        statements.append(
            iam.PolicyStatement(
                sid="CreateEmrClusters",
                # RunJobFlow has no resource type (service authorization reference).
                actions=["elasticmapreduce:RunJobFlow"],
                resources=["*"],
            )
        )
        statements.append(
            iam.PolicyStatement(
                sid="TerminateEmrClusters",
                # The step terminates the cluster it created once it is done.
                actions=["elasticmapreduce:TerminateJobFlows"],
                resources=[cluster_arn("*")],
            )
        )
    service_roles = [
        arn for role in _unique(plan.emr_service_roles) for arn in _role_arns(stack, role)
    ]
    if service_roles:
        statements.append(
            iam.PolicyStatement(
                sid="PassClusterRolesToEmr",
                actions=["iam:PassRole"],
                resources=service_roles,
                conditions={"StringEquals": {"iam:PassedToService": list(EMR_PASSED_TO_SERVICE)}},
            )
        )
    return statements


def _role_arns(stack: Stack, role: Any) -> list[Any]:
    """The ARN of a role given by ARN, or the ARNs a role name may have (any path)."""
    if not isinstance(role, str) or role.startswith("arn:"):
        return [role]
    if is_unresolved(role):
        return [_role_token_arn(role)]
    return [
        stack.format_arn(service="iam", region="", resource="role", resource_name=name)
        for name in (role, f"*/{role}")
    ]


def _role_token_arn(token: str) -> str:
    """The ARN for a role token: the role's ARN when it is a role's name, else the token.

    RunJobFlow takes a role by name (``role.role_name``) as well as by ARN; a name in
    iam:PassRole's Resource would fail the deployment (a Resource must be an ARN).
    """
    for reference in Tokenization.reverse_string(token).tokens:
        target = getattr(reference, "target", None)
        if not isinstance(target, iam.CfnRole):
            continue
        role = target.node.scope
        names = [target.ref, *([role.role_name] if isinstance(role, iam.Role) else [])]
        if token in names:
            return target.attr_arn
    return token


# The log group (under /aws/sagemaker/) each step type's jobs write: "Log groups and
# streams that Amazon SageMaker AI sends to Amazon CloudWatch Logs" (SageMaker guide).
# Check steps run processing jobs; a tuning job's trials are training jobs.
JOB_LOG_GROUPS: dict[str, str] = {
    "Processing": "ProcessingJobs",
    "QualityCheck": "ProcessingJobs",
    "ClarifyCheck": "ProcessingJobs",
    "Training": "TrainingJobs",
    "Tuning": "TrainingJobs",
    "Transform": "TransformJobs",
}
# Step types whose jobs log nowhere the plan can name: AutoML (Autopilot starts processing,
# training and transform jobs, and maybe endpoints, of its choosing) and any type the plan
# doesn't know. Their roles keep every /aws/sagemaker/ group.
_ANY_LOG_GROUP_TYPES = frozenset({"AutoML"})


def job_log_groups(plan: PermissionPlan) -> list[Any]:
    """The log groups under ``/aws/sagemaker/`` the jobs of ``plan`` write, as IAM patterns.

    A Model step's model logs to ``Endpoints/<endpoint name>`` when an endpoint serves it;
    endpoints the definition doesn't name serve it too (a Clarify check's shadow endpoint,
    one a Lambda step creates), so it gets ``Endpoints/*``; Endpoint and InferenceComponent
    steps without a Model step get the groups of the endpoints they name. Steps that run
    no job (Lambda, Condition, RegisterModel, EMR…) write none.

    Example::

        job_log_groups(plan_permissions(definition))  # ["ProcessingJobs", "TrainingJobs"]
    """
    if plan.unplanned_steps or plan.step_types & _ANY_LOG_GROUP_TYPES:
        return ["*"]
    groups = [JOB_LOG_GROUPS[kind] for kind in sorted(plan.step_types) if kind in JOB_LOG_GROUPS]
    if "Model" in plan.step_types:
        groups.append("Endpoints/*")
    else:
        for kind in ("Endpoint", "InferenceComponent"):
            for name in plan.deploy_grants.get((kind, "endpoint"), []):
                groups.append(f"Endpoints/{name}")
    return _unique(groups)


def step_role_statements(
    plan: PermissionPlan,
    stack: Stack,
    lookups: Lookups,
    *,
    repositories: Iterable[Any],
    network: list[iam.PolicyStatement] | None = None,
    automl_roles: Collection[Any] = (),
    pipeline_wide: PipelineWide | None = None,
) -> list[iam.PolicyStatement]:
    """What the jobs need: their data, keys, images, logs and metrics.

    ``network`` holds the statements for jobs placed in a VPC; the caller passes them only
    when the plan places some, so they are added as given. ``automl_roles`` are the roles
    of the AutoML jobs this role stands for (see ``automl_role_statements``): none when
    they run with a role of their own. ``pipeline_wide``: the key prefixes whose locations
    are granted as a whole (see ``_s3_statements``); None for each location exactly.
    """
    statements = _s3_statements(
        "Data", plan.reads, plan.writes, lookups, list_prefixes=True, pipeline_wide=pipeline_wide
    )
    plan_keys = lookups.plan_keys
    keys = _job_keys(stack, plan_keys)
    if keys:
        statements.append(
            iam.PolicyStatement(sid="EncryptJobVolumesAndOutputs", actions=_KMS_USE, resources=keys)
        )
    statements += _alias_key_statements(
        stack, plan_keys, "EncryptJobVolumesAndOutputs", _KMS_USE, {}
    )
    # "If you specify a volume KMS key in the resource configuration of your processing
    # [training, hyperparameter tuning] job", the role the job runs with needs kms:CreateGrant
    # on it: the SageMaker guide's policies for that role ("How to use SageMaker AI execution
    # roles"), as aws-cdk-lib's SageMakerCreateTrainingJob and SageMakerCreateProcessingJob
    # tasks grant it. The caller (the pipeline role) needs it only "if ... the associated
    # role does not have a policy that permits this action" (SageMaker API permissions
    # reference, CreateTrainingJob and the other Create*Job rows). Without a
    # kms:GrantIsForAWSResource condition: the guide's policies have none.
    volume_keys = _planned_keys(plan, lookups, plan.job_volume_keys)
    job_volume_keys = _job_keys(stack, volume_keys)
    if job_volume_keys:
        statements.append(
            iam.PolicyStatement(
                sid="LetJobVolumesUseTheirKeys",
                actions=["kms:CreateGrant"],
                resources=job_volume_keys,
            )
        )
    statements += _alias_key_statements(
        stack, volume_keys, "LetJobVolumesUseTheirKeys", ["kms:CreateGrant"], {}
    )
    repository_arns = _unique(
        [repo.repository_arn for repo in repositories] + _image_repositories(plan, stack)
    )
    statements += ecr_pull_statements(repository_arns)
    log_groups = [
        format_arn(
            stack,
            service="logs",
            resource="log-group",
            resource_name=f"/aws/sagemaker/{group}",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for group in job_log_groups(plan)
    ]
    if log_groups:
        statements.append(
            iam.PolicyStatement(
                sid="WriteJobLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                # Any stream of those groups: streams begin with the job's name, which
                # is pipelines-<random> or a name of the definition's, and for a tuning
                # job's training jobs one SageMaker derives (not a reliable prefix).
                resources=[arn for group in log_groups for arn in (group, f"{group}:log-stream:*")],
            )
        )
    statements.append(
        iam.PolicyStatement(
            sid="PublishJobMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
        )
    )
    statements += _rollback_alarm_statements(plan, stack)
    statements += _shadow_endpoint_statements(plan, stack)
    statements += _notification_statements(plan, stack)
    if network:
        statements += network
    statements += automl_role_statements(plan, stack, lookups, automl_roles)
    return statements


def _rollback_alarm_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """``cloudwatch:DescribeAlarms`` on the alarms Endpoint steps' deployments roll back on.

    "Ensure that your IAM execution role has permission to perform the
    cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify" (SageMaker
    guide, Auto-Rollback Configuration and Monitoring): the endpoint's execution role, which
    a Model step's model runs as (the step role, unless the step names another: the
    ``Pipeline`` construct warns then). Each alarm's ARN in the stack's account and region
    (``arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>``); a name joined at run
    time is ``<literal start>*``, one known only at run time ``*`` (warned).
    """
    if not plan.rollback_alarms:
        return []
    alarms = [
        format_arn(
            stack,
            service="cloudwatch",
            resource="alarm",
            resource_name=name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for name in plan.rollback_alarms
    ]
    return [
        iam.PolicyStatement(
            sid="DescribeRollbackAlarms",
            actions=list(ROLLBACK_ALARM_ACTIONS),
            resources=alarms,
        )
    ]


def _shadow_endpoint_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """The shadow endpoints the Clarify jobs of ``MODEL_BIAS``/``MODEL_EXPLAINABILITY`` checks run.

    The Clarify job, as the check's role, creates an endpoint configuration and an endpoint
    serving the check's model, invokes it and deletes both; it names them
    ``<endpoint_name_prefix>-<suffix>``, the prefix the analysis configuration's predictor
    sets (Clarify's default ``sm-clarify``). Both in the stack's account and region.
    """
    if not plan.shadow_endpoint_prefixes:
        return []
    resources = [
        format_arn(stack, service="sagemaker", resource=kind, resource_name=f"{prefix}*")
        for prefix in plan.shadow_endpoint_prefixes
        for kind in ("endpoint", "endpoint-config")
    ]
    return [
        iam.PolicyStatement(
            sid="ManageClarifyShadowEndpoints",
            actions=list(CLARIFY_SHADOW_ENDPOINT_ACTIONS),
            resources=resources,
        )
    ]


def _notification_statements(plan: PermissionPlan, stack: Stack) -> list[iam.PolicyStatement]:
    """``sns:Publish`` on the topics asynchronous endpoints notify of their results.

    "In order to receive Amazon SNS notifications, your IAM role must have sns:Publish
    permissions" (SageMaker guide, Asynchronous inference, Check prediction results): the
    endpoint's execution role, its models'. A topic of this app encrypted with a key
    (``sns.Topic(master_key=…)``) needs that key too: a publisher of an encrypted topic
    needs ``kms:GenerateDataKey`` and ``kms:Decrypt`` on it ("Encryption at rest", SNS
    developer guide).
    """
    topics = _unique(plan.notification_topics)
    if not topics:
        return []
    statements = [
        iam.PolicyStatement(
            sid="PublishAsyncInferenceNotifications", actions=["sns:Publish"], resources=topics
        )
    ]
    keys = _unique(
        key for key in (_topic_key_arn(stack, topic) for topic in topics) if key is not None
    )
    if keys:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptAsyncInferenceNotifications",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=keys,
            )
        )
    return statements


def _topic_key_arn(stack: Stack, arn: Any) -> Any:
    """The ARN of the key of the topic of this app whose ARN ``arn`` is (None: no such key).

    A topic created in the app (``sns.Topic``) is found through its ARN token (its ``Ref``);
    an imported one's key isn't known.
    """
    if not isinstance(arn, str) or not is_unresolved(arn):
        return None
    for token in Tokenization.reverse_string(arn).tokens:
        target = getattr(token, "target", None)
        scope = target.node.scope if isinstance(target, sns.CfnTopic) else None
        if isinstance(scope, sns.Topic):
            key = scope.master_key
            return key.key_arn if key is not None else None
    return None


def automl_role_statements(
    plan: PermissionPlan, stack: Stack, lookups: Lookups, roles: Collection[Any]
) -> list[iam.PolicyStatement]:
    """What an AutoML job's role does itself, beyond any job's data, keys, logs and network.

    The SageMaker guide's "CreateAutoMLJob API: Execution Role Permissions" (How to use
    SageMaker AI execution roles) lists, besides those: iam:PassRole to SageMaker, the
    model, endpoint configuration and endpoint actions of AUTOML_ROLE_ACTIONS and
    sagemaker:ListTags, all on "*", and kms:CreateGrant on a volume key. Autopilot names the
    models and endpoints it creates itself (not documented), so they are scoped to this
    account and region, the roles to the jobs' own: ``roles``, the AutoML jobs' roles (their
    ``RoleArn``) that the policy is for. None: no statement, as no AutoML job runs with it.
    """
    if "AutoML" not in plan.step_types or not roles:
        return []

    def sagemaker_resources(resource_type: str) -> str:
        return _sagemaker_arn(stack, resource_type, "*")

    statements: list[iam.PolicyStatement] = []
    passed = [arn for role in _unique(roles) for arn in _role_arns(stack, role)]
    if passed:
        statements.append(
            iam.PolicyStatement(
                sid="AutoMLJobsPassTheirRole",
                actions=["iam:PassRole"],
                resources=passed,
                conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER_PRINCIPAL}},
            )
        )
    statements.append(
        iam.PolicyStatement(
            sid="AutoMLCandidateModelsAndEndpoints",
            actions=[
                *(action for actions in AUTOML_ROLE_ACTIONS.values() for action in actions),
                # Creating a SageMaker resource with tags needs AddTags ("Provide
                # permissions for tagging SageMaker AI resources", SageMaker guide).
                "sagemaker:AddTags",
            ],
            resources=[sagemaker_resources(resource_type) for resource_type in AUTOML_ROLE_ACTIONS],
        )
    )
    statements.append(
        iam.PolicyStatement(
            sid="AutoMLListTags",
            actions=[AUTOML_ROLE_LIST_TAGS],
            # Any SageMaker resource type: the guide doesn't say whose tags Autopilot reads.
            resources=[
                stack.format_arn(
                    service="sagemaker", resource="*", arn_format=ArnFormat.NO_RESOURCE_NAME
                )
            ],
        )
    )
    volume_keys = _planned_keys(plan, lookups, plan.automl_volume_keys)
    keys = _job_keys(stack, volume_keys)
    # Without the kms:GrantIsForAWSResource condition the pipeline role's grant has: the
    # guide's policy has none, and doesn't say how Autopilot makes the grant.
    if keys:
        statements.append(
            iam.PolicyStatement(
                sid="LetAutoMLJobVolumesUseTheirKeys", actions=["kms:CreateGrant"], resources=keys
            )
        )
    statements += _alias_key_statements(
        stack, volume_keys, "LetAutoMLJobVolumesUseTheirKeys", ["kms:CreateGrant"], {}
    )
    return statements


def _planned_keys(plan: PermissionPlan, lookups: Lookups, given: Collection[Any]) -> list[Any]:
    """The planned form (an alias of this app as its key's ARN) of the ``given`` job keys."""
    return [
        planned
        for key, planned in zip(plan.kms_keys, lookups.plan_keys, strict=True)
        if key in given
    ]


# The tag ECR pulls when an image URI names none.
_DEFAULT_IMAGE_TAG = "latest"


def _image_repositories(plan: PermissionPlan, stack: Stack) -> list[str]:
    """Repositories of literal image URIs that aren't SageMaker framework images."""
    arns: list[str] = []
    for image in plan.images:
        if not isinstance(image, str) or is_unresolved(image):
            continue
        # An untagged URI pulls the repository's "latest" image: the SDK writes the model
        # monitor analyzer of a QualityCheck step without a tag.
        parsed = parse_image_uri(image) or parse_image_uri(f"{image}:{_DEFAULT_IMAGE_TAG}")
        if parsed is None or parsed.framework is not None:
            continue
        # ArnComponents, not a dict: jsii passes a dict's keys as they are, and the
        # snake_case "resource_name" would be dropped (an ARN of no repository).
        arns.append(
            Arn.format(
                ArnComponents(
                    partition=Aws.PARTITION,
                    service="ecr",
                    region=parsed.region,
                    account=parsed.account,
                    resource="repository",
                    resource_name=parsed.repository,
                )
            )
        )
    return arns


def _queue_arn(stack: Stack, url: Any) -> Any:
    if isinstance(url, str) and not is_unresolved(url):
        parts = sqs_queue_arn_parts(url)
        if parts is None:
            return None
        region, account, name = parts
        return Arn.format(
            {
                "partition": Aws.PARTITION,
                "service": "sqs",
                "region": region,
                "account": account,
                "resource": name,
            }
        )
    # A token (queue.queue_url): https://sqs.<region>.<domain>/<account>/<name>
    pieces = Fn.split("/", url)
    host = Fn.split(".", Fn.select(2, pieces))
    return Fn.join(
        ":",
        [
            "arn",
            Aws.PARTITION,
            "sqs",
            Fn.select(1, host),
            Fn.select(3, pieces),
            Fn.select(4, pieces),
        ],
    )


def _queue_key_arn(stack: Stack, url: Any) -> Any:
    """The ARN of the customer managed key of the queue whose URL token ``url`` is.

    A queue of this app (``sqs.Queue``) is found through the token; an imported one
    (``Queue.from_queue_attributes(..., key_arn=...)``) by its URL among the stack's
    constructs, as its URL is built from pseudo parameters (or is the literal
    ``queue_url=`` it was imported with), not from a resource.
    """
    if not isinstance(url, str):
        return None
    for token in Tokenization.reverse_string(url).tokens if is_unresolved(url) else []:
        target = getattr(token, "target", None)
        scope = target.node.scope if isinstance(target, sqs.CfnQueue) else None
        if isinstance(scope, sqs.Queue):
            key = scope.encryption_master_key
            return key.key_arn if key is not None else None
    for construct in stack.node.find_all():
        if getattr(construct, "queue_url", None) == url and hasattr(construct, "queue_arn"):
            key = getattr(construct, "encryption_master_key", None)
            if key is not None:
                return key.key_arn
    return None


@cache
def _bucket_behind(name: str) -> s3.IBucket | None:
    """The ``s3.Bucket`` whose name token ``name`` is, if it is one (for its KMS key)."""
    if not is_unresolved(name):
        return None
    for token in Tokenization.reverse_string(name).tokens:
        target = getattr(token, "target", None)
        scope = target.node.scope if isinstance(target, s3.CfnBucket) else None
        if isinstance(scope, s3.Bucket):
            return scope
    return None


def _pipeline_wide_prefix(access: S3Access, pipeline_wide: PipelineWide) -> str | None:
    """The prefix of ``pipeline_wide`` that ``access`` lies under, if any."""
    for prefix in pipeline_wide.get(access.bucket, ()):
        if access.key_pattern.startswith(prefix):
            return prefix
    return None


def pipeline_wide_locations(
    accesses: Iterable[S3Access], pipeline_wide: PipelineWide
) -> list[tuple[str, str]]:
    """``(bucket, prefix)`` of each of ``pipeline_wide`` that some of ``accesses`` lie under.

    In the order ``pipeline_wide`` gives them: what granting them as a whole would widen.

    Example::

        pipeline_wide_locations(
            [S3Access("artifacts", "executions/churn/Prep/*/train")],
            {"artifacts": ["executions/churn/", "models/churn/"]},
        )  # [("artifacts", "executions/churn/")]
    """
    used = {
        (access.bucket, prefix)
        for access in accesses
        if (prefix := _pipeline_wide_prefix(access, pipeline_wide)) is not None
    }
    return [
        (bucket, prefix)
        for bucket, prefixes in pipeline_wide.items()
        for prefix in prefixes
        if (bucket, prefix) in used
    ]


def _s3_statements(
    label: str,
    reads: list[S3Access],
    writes: list[S3Access],
    lookups: Lookups,
    *,
    list_prefixes: bool,
    pipeline_wide: PipelineWide | None = None,
) -> list[iam.PolicyStatement]:
    """Read, write and list statements per bucket, and the use of its key.

    ``pipeline_wide``: per bucket, key prefixes (a pipeline's ``executions/<pipeline>/``)
    whose locations are granted as the prefix as a whole rather than one by one, in
    statements of their own (``ReadPipelineWideDataInArtifactsBucket``: what they allow
    differs from, and is acknowledged apart from, ``ReadDataInArtifactsBucket``'s exact
    locations); the ``s3:prefix`` values of the bucket's listing likewise. Only for a role
    whose statements don't fit the managed policies IAM attaches to it (see ``Pipeline``).

    Each statement's Sid says which bucket: ``<Verb><label>In<Name>Bucket``, ``<Name>`` as
    ``Lookups.bucket_sid_name`` gives it (``ReadDataInRawDataBucket``, ``ListDataInAssetsBucket``,
    ``UseKeyOfDataInArtifactsBucket``), the same whichever other buckets the role uses.
    """
    wide = pipeline_wide or {}
    read_objects: dict[str, list[str]] = defaultdict(list)
    write_objects: dict[str, list[str]] = defaultdict(list)
    wide_reads: dict[str, list[str]] = defaultdict(list)
    wide_writes: dict[str, list[str]] = defaultdict(list)
    prefixes: dict[str, list[str]] = defaultdict(list)
    buckets: list[str] = []
    for accesses, objects, wide_objects in (
        (reads, read_objects, wide_reads),
        (writes, write_objects, wide_writes),
    ):
        for access in accesses:
            buckets.append(access.bucket)
            prefix = _pipeline_wide_prefix(access, wide) if wide else None
            if prefix is None:
                objects[access.bucket].append(access.objects)
                prefixes[access.bucket] += access.list_prefixes
            else:
                wide_objects[access.bucket].append(f"{access.bucket}/{prefix}*")
                prefixes[access.bucket].append(f"{prefix}*")
    statements: list[iam.PolicyStatement] = []
    for bucket in dict.fromkeys(buckets):
        # Ends in "Bucket": the bucket's name can't make the Sid end like another kind's.
        suffix = f"{label}In{lookups.bucket_sid_name(bucket)}Bucket"
        for sid, actions, objects in (
            (f"Read{suffix}", _S3_READ, read_objects),
            (f"ReadPipelineWide{suffix}", _S3_READ, wide_reads),
            (f"Write{suffix}", _S3_WRITE, write_objects),
            (f"WritePipelineWide{suffix}", _S3_WRITE, wide_writes),
        ):
            if objects.get(bucket):
                statements.append(
                    iam.PolicyStatement(
                        sid=sid,
                        actions=actions,
                        resources=[_s3_bucket_arn(obj) for obj in _unique(objects[bucket])],
                    )
                )
        if list_prefixes:
            listing = _unique(prefixes.get(bucket, []))
            whole_bucket = any(
                not access.key_pattern for access in [*reads, *writes] if access.bucket == bucket
            )
            statements.append(
                iam.PolicyStatement(
                    sid=f"List{suffix}",
                    actions=["s3:ListBucket"],
                    resources=[_s3_bucket_arn(bucket)],
                    conditions=(None if whole_bucket else {"StringLike": {"s3:prefix": listing}}),
                )
            )
        key_arn = lookups.bucket_key_arn(bucket)
        if key_arn is not None:
            actions = ["kms:Decrypt"]
            if write_objects.get(bucket) or wide_writes.get(bucket):
                actions += ["kms:Encrypt", "kms:GenerateDataKey"]
            statements.append(
                iam.PolicyStatement(sid=f"UseKeyOf{suffix}", actions=actions, resources=[key_arn])
            )
    return statements
