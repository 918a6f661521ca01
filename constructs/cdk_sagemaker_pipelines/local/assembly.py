"""Load a pipeline from a synthesized cloud assembly (``cdk.out``) for the local runner.

The result is exactly what deploys: the ``AWS::SageMaker::Pipeline`` resource's
``PipelineDefinition`` with its CloudFormation intrinsics resolved to local stand-ins,
plus a ``ResourceMap`` that serves the staged assets (``cdk.out/asset.<hash>…``) at the
S3 URIs the definition names. Nothing here imports ``aws_cdk``: it reads JSON files.

What it reads:

- ``manifest.json`` (recursively through ``cdk:cloud-assembly`` artifacts, i.e. Stages):
  ``aws:cloudformation:stack`` artifacts give the template, the environment
  (``aws://account/region``) and the construct-path metadata (inline ``metadata`` or
  ``additionalMetadataFile``); ``cdk:asset-manifest`` artifacts give the file assets
  (``files.<hash>.source.path``/``packaging`` and ``destinations.*.bucketName``/
  ``objectKey``, with ``${AWS::AccountId}``/``${AWS::Region}``/``${AWS::Partition}``).
- ``validation-report.json``: an assembly whose synth failed policy validation (a plugin's
  ``conclusion`` is ``failure``) is refused, as ``cdk deploy`` would refuse it.
- Each template's ``AWS::SageMaker::Pipeline`` resources: ``PipelineDefinition.
  PipelineDefinitionBody`` (a string or ``Fn::Join`` of strings and intrinsics, as
  ``Stack.to_json_string`` renders it) or ``PipelineDefinitionS3Location`` (an asset),
  ``PipelineName`` and ``ParallelismConfiguration``.

How intrinsics resolve (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``,
``Fn::FindInMap``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` and conditions,
``Fn::Base64``, ``Fn::GetAZs``, and ``Fn::ImportValue`` of another stack's export, resolved
in that stack of the assembly): pseudo parameters become account ``000000000000`` (or the
stack's account), the stack's region (for environment-agnostic stacks ``region=``, else
``us-east-1``), and that region's partition and domain (``aws-cn`` and
``amazonaws.com.cn`` in ``cn-north-1``); template parameters their ``Default``. An
``AWS::S3::Bucket`` without a literal ``BucketName`` is named after its construct path
(``dev/MlOps/Artifacts/Data`` → ``dev-mlops-artifacts-data``), else its lower-cased
logical id. Roles, functions, queues, keys and model package groups get names and
ARNs of the same kind; security groups, subnets and VPCs ids of EC2's form (``sg-…``), as
a job's ``VpcConfig`` must name them. Python ``AWS::Lambda::Function`` resources whose code is an
asset map to their staged directory and ``Handler``; ``Custom::CDKBucketDeployment``
sources map to their destination prefix.

Example::

    loaded = load_assembly("cdk.out", pipeline="dev/MlOps/Training")
    result = LocalRunner(LocalConfig()).run(loaded)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..definition._model_data_locations import ATTRIBUTE as MODEL_DATA_ATTRIBUTE
from ..definition._model_data_locations import DELIMITER as MODEL_DATA_DELIMITER
from ..definition._model_data_locations import LIST_ATTRIBUTE as MODEL_DATA_LIST_ATTRIBUTE
from ..definition._model_data_locations import PLACEHOLDER as MODEL_DATA_PLACEHOLDER
from ..definition._model_data_locations import RESOURCE_TYPE as MODEL_DATA_TYPE
from ..definition._service_model import partition_of
from ._errors import LocalRunError
from .iam import AssemblyRoles, ResourcePolicy, RolePolicies, Statement
from .resources import LambdaHandler, ResourceMap
from .runner import LoadedPipeline

DEFAULT_ACCOUNT = "000000000000"
# The report aws-cdk-lib writes at the assembly's root when the app has validation plugins.
VALIDATION_REPORT = "validation-report.json"
DEFAULT_REGION = "us-east-1"
_NO_VALUE = object()
# A registered version's ARN (a ModelEndpoint's model_package_arn).
_VERSION = re.compile(
    r"arn:[^:]+:sagemaker:(?P<region>[^:]+):(?P<account>\d{12}):"
    r"model-package/(?P<group>[^/]+)/(?P<version>\d+)"
)


class _DeployTime(str):
    """An attribute of a custom resource: its handler returns it at deploy time only.

    Shown as ``<logical id>.<attribute>``. Any part of it split out (``Fn::Select`` of
    ``Fn::Split``, as a role's policy splits a bucket and key out of an S3 URI that
    ``MonitorBaseline.from_model_package`` reads) is that same deploy-time value: the
    placeholder has none of the separators the real value has. ``parts``, when known, is
    what splitting it at ``DELIMITER`` gives instead: a ``ModelEndpoint``'s model data
    (``Custom::ModelDataLocations``), one pattern per version and prefix its function
    keeps the read under (``arn:aws:s3:::<bucket>/models/<model data of churn version 3>``).
    """

    parts: tuple[str, ...] | None = None


class _DeployTimeParts(list[str]):
    """``Fn::Split`` of a ``_DeployTime`` value: every index holds the value itself."""

    def __init__(self, value: _DeployTime) -> None:
        super().__init__([value])
        self.value = value

    def __getitem__(self, index: Any) -> Any:
        return self.value if isinstance(index, int) else super().__getitem__(index)


@dataclass
class _Stack:
    directory: Path
    artifact: str
    name: str
    display: str
    template: dict[str, Any]
    account: str
    region: str
    paths: dict[str, str] = field(default_factory=dict)  # logical id → construct path


@dataclass
class _Asset:
    path: Path
    packaging: str
    destinations: list[tuple[str, str]]  # (bucketName template, objectKey)


def load_assembly(
    directory: str | Path,
    pipeline: str | None = None,
    *,
    account: str | None = None,
    region: str | None = None,
) -> LoadedPipeline:
    """Read ``pipeline`` (name, construct path or logical id) from a cloud assembly.

    ``pipeline`` may be omitted when the assembly holds exactly one pipeline. Raises
    ``LocalRunError`` naming the candidates when it is ambiguous or unknown.
    """
    if not isinstance(directory, str | os.PathLike):
        raise LocalRunError(
            f"load_assembly: directory must be the path of a cloud assembly (cdk.out), got "
            f"{type(directory).__name__} {directory!r}"
        )
    if pipeline is not None and not isinstance(pipeline, str):
        raise LocalRunError(
            "load_assembly: pipeline must be a pipeline's name, construct path or logical id, "
            f"got {type(pipeline).__name__} {pipeline!r}"
        )
    root = Path(directory)
    stacks: list[_Stack] = []
    assets: list[_Asset] = []
    candidates = _candidates(root, stacks, assets, account, region)
    chosen = _choose(candidates, pipeline)
    stack, logical, resource = chosen
    resolver = _Resolver(stack, assets, stacks)
    properties = resource.get("Properties") or {}
    definition_property = properties.get("PipelineDefinition") or {}
    if "PipelineDefinitionBody" in definition_property:
        body = resolver.resolve(definition_property["PipelineDefinitionBody"])
        if not isinstance(body, str):
            raise LocalRunError(f"{logical}: PipelineDefinitionBody did not resolve to a string")
        try:
            definition = json.loads(body)
        except ValueError as error:
            raise LocalRunError(f"{logical}: PipelineDefinitionBody is not JSON: {error}") from None
    elif "PipelineDefinitionS3Location" in definition_property:
        location = resolver.resolve(definition_property["PipelineDefinitionS3Location"])
        uri = f"s3://{location.get('Bucket')}/{location.get('ObjectKey')}"
        source = resolver.asset_files().get(uri)
        if source is None or not source.is_file():
            raise LocalRunError(f"{logical}: the definition at {uri} is not a staged asset")
        definition = json.loads(source.read_text(encoding="utf-8"))
    else:
        raise LocalRunError(f"{logical}: the pipeline has no PipelineDefinition")
    name = resolver.resolve(properties.get("PipelineName", logical))
    parallelism = resolver.resolve(properties.get("ParallelismConfiguration") or {})
    s3 = dict(resolver.asset_files())
    s3.update(resolver.deployments())
    resources = ResourceMap(
        s3={uri: path for uri, path in s3.items()},
        lambdas=dict(resolver.lambdas()),
        pipeline_name=str(name),
        max_parallel=parallelism.get("MaxParallelExecutionSteps"),
    )
    roles = _roles(resolver, properties.get("RoleArn"))
    notes = tuple(
        f"bucket {path} (Ref {ref}) is s3://{bucket}"
        for ref, (path, bucket) in sorted(resolver.buckets.items())
    )
    notes += _unchecked_roles(roles, definition)
    buckets = {bucket: path for path, bucket in resolver.buckets.values()}
    return LoadedPipeline(
        definition,
        resources,
        str(name),
        notes,
        roles,
        buckets,
        resolver.function_paths(),
        resolver.function_roles(),
    )


def stacks_without_pipeline(
    directory: str | Path,
) -> dict[str, tuple[AssemblyRoles, dict[str, str]]]:
    """The roles and resource policies of each stack of the assembly that holds no pipeline.

    Keyed by the stack's path (its display name, ``StagingMl/Endpoint``), sorted; each with
    its buckets (name → construct path). Only stacks with a role or a resource policy are
    listed: an endpoint-only stack of another account, a shared data stack. ``smpipe
    access`` reads them; raises ``LocalRunError`` for a directory that is no assembly.

    Example::

        roles, buckets = stacks_without_pipeline("cdk.out")["StagingMl/Endpoint"]
    """
    root = Path(directory)
    stacks: list[_Stack] = []
    assets: list[_Asset] = []
    _open_assembly(root, stacks, assets, None, None)
    found: dict[str, tuple[AssemblyRoles, dict[str, str]]] = {}
    for stack in stacks:
        resources = stack.template.get("Resources") or {}
        kinds = {r.get("Type") for r in resources.values() if isinstance(r, Mapping)}
        if "AWS::SageMaker::Pipeline" in kinds:
            continue
        resolver = _Resolver(stack, assets, stacks)
        for logical, resource in resources.items():
            if isinstance(resource, Mapping) and resource.get("Type") == "AWS::S3::Bucket":
                resolver.name_of(logical)  # records the bucket's construct path
        roles = _roles(resolver, None)
        # A function's policy is listed for every function, with no statement if none.
        others = any(policy.statements for policy in roles.other_policies.values())
        if roles.roles or roles.bucket_policies or roles.key_policies or others:
            buckets = {bucket: path for path, bucket in resolver.buckets.values()}
            found[stack.display] = (roles, buckets)
    return dict(sorted(found.items()))


def _roles(resolver: _Resolver, pipeline_role: Any) -> AssemblyRoles:
    """The stack's roles with the statements of every policy attached to them.

    A role's policies: ``AWS::IAM::ManagedPolicy`` and ``AWS::IAM::Policy`` resources whose
    ``Roles`` name it, ``AWS::IAM::RolePolicy`` resources whose ``RoleName`` does, its inline
    ``Policies``, and its ``ManagedPolicyArns`` that are
    managed policies of the template; its ``PermissionsBoundary`` if it is one of those.
    A managed policy the template doesn't hold (an AWS managed one) can't be read offline:
    the role is marked unchecked, with the reason.
    """
    managed: dict[str, tuple[str, tuple[Statement, ...] | None]] = {}  # ARN → (label, statements)
    attached: dict[str, list[tuple[str, tuple[Statement, ...] | None]]] = {}  # role's name → …
    for logical, resource in resolver.resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        if kind not in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            continue
        properties = resource.get("Properties") or {}
        if kind == "AWS::IAM::RolePolicy":
            # An inline policy of the one role its RoleName names (CloudFormation's resource).
            label = f"role policy {logical}"
            role_name = _resolved(resolver, properties.get("RoleName"))
            policy = (label, _statements(resolver, properties.get("PolicyDocument"), label))
            attached.setdefault(str(role_name), []).append(policy)
            continue
        label = f"{'managed policy' if kind == 'AWS::IAM::ManagedPolicy' else 'policy'} {logical}"
        policy = (label, _statements(resolver, properties.get("PolicyDocument"), label))
        if kind == "AWS::IAM::ManagedPolicy":
            managed[str(resolver.ref(logical))] = policy
        for role in _resolved(resolver, properties.get("Roles")) or []:
            attached.setdefault(str(role), []).append(policy)
    roles: dict[str, RolePolicies] = {}
    for logical, resource in resolver.resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::IAM::Role":
            continue
        properties = resource.get("Properties") or {}
        policies = list(attached.get(resolver.name_of(logical), []))
        for inline in properties.get("Policies") or []:
            label = f"inline policy {inline.get('PolicyName')} of {logical}"
            policies.append((label, _statements(resolver, inline.get("PolicyDocument"), label)))
        # Every reason, not the last: a second AWS managed policy must change what is said.
        reasons: set[str] = set()
        for arn in _resolved(resolver, properties.get("ManagedPolicyArns")) or []:
            if arn in managed:
                policies.append(managed[arn])
            else:
                reasons.add(f"its managed policy {arn} is not in the template")
        boundary: tuple[Statement, ...] | None = None
        boundary_name = None
        if "PermissionsBoundary" in properties:
            arn = _resolved(resolver, properties["PermissionsBoundary"])
            if arn in managed:
                boundary_name, boundary = managed[arn]
            else:
                reasons.add(f"its permissions boundary {arn} is not in the template")
        statements: list[Statement] = []
        for label, found in policies:
            if found is None:
                reasons.add(f"its {label} holds an intrinsic the loader can't resolve")
            else:
                statements += found
        if boundary is None and boundary_name is not None:
            reasons.add(f"its permissions boundary {boundary_name} can't be resolved")
        path = resolver._path(logical)
        arn = str(resolver.get_att(logical, "Arn"))
        roles[arn] = RolePolicies(
            arn=arn,
            name=logical if path == logical else f"{logical} ({path})",
            statements=tuple(statements),
            boundary=boundary,
            boundary_name=boundary_name,
            unchecked="; ".join(sorted(reasons)) or None,
            trust=_statements(resolver, properties.get("AssumeRolePolicyDocument"), "trust") or (),
        )
    role = _resolved(resolver, pipeline_role)
    keys, bucket_keys = _kms_keys(resolver)
    bucket_policies, key_policies = _resource_policies(resolver)
    return AssemblyRoles(
        resolver.partition,
        roles,
        role if isinstance(role, str) else None,
        region=resolver.stack.region,
        account=resolver.stack.account,
        keys=keys,
        bucket_keys=bucket_keys,
        bucket_policies=bucket_policies,
        key_policies=key_policies,
        other_policies=_other_policies(resolver),
    )


def _resource_policies(
    resolver: _Resolver,
) -> tuple[dict[str, ResourcePolicy], dict[str, ResourcePolicy]]:
    """The template's bucket policies, by bucket name, and key policies, by key ARN.

    ``AWS::S3::BucketPolicy``: its ``Bucket`` (a bucket of the template, by its stand-in
    name, or one named literally) and ``PolicyDocument``. ``AWS::KMS::Key``: its
    ``KeyPolicy``. A key without one gets KMS's default policy, which allows the account
    (IAM policies decide, as for a key the template doesn't define); a policy with an
    intrinsic the loader can't resolve is left out too (read permissively). Each policy's
    ``account`` is the stack's: a policy applies to a resource of its own account (a bucket
    policy can only be put by the bucket's owner), so a role of another account needs it.
    """
    buckets: dict[str, ResourcePolicy] = {}
    keys: dict[str, ResourcePolicy] = {}
    for logical, resource in resolver.resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        properties = (resource.get("Properties") or {}) if kind else {}
        if kind == "AWS::S3::BucketPolicy":
            bucket = _resolved(resolver, properties.get("Bucket"))
            if not isinstance(bucket, str):
                continue
            paths = {name: path for path, name in resolver.buckets.values()}
            label = f"the bucket policy of {paths.get(bucket, bucket)}"
            statements = _statements(resolver, properties.get("PolicyDocument"), label)
            if statements is not None:
                earlier = buckets[bucket].statements if bucket in buckets else ()
                buckets[bucket] = ResourcePolicy(
                    label, earlier + statements, account=resolver.stack.account
                )
        elif kind == "AWS::KMS::Key" and "KeyPolicy" in properties:
            path = resolver._path(logical)
            name = logical if path == logical else f"{logical} ({path})"
            label = f"the key policy of {name}"
            statements = _statements(resolver, properties.get("KeyPolicy"), label)
            if statements is not None:
                arn = str(resolver.get_att(logical, "Arn"))
                keys[arn] = ResourcePolicy(
                    label, statements, key=True, account=resolver.stack.account
                )
    return buckets, keys


# Resource types whose policy ``_other_policies`` reads: (kind as shown, the policy's
# resource type, its property naming the resources it is for, its document's property).
# A model package group and a repository carry their policy themselves (no list).
_OTHER_POLICIES: tuple[tuple[str, str, str | None, str], ...] = (
    ("topic", "AWS::SNS::TopicPolicy", "Topics", "PolicyDocument"),
    ("queue", "AWS::SQS::QueuePolicy", "Queues", "PolicyDocument"),
    ("model package group", "AWS::SageMaker::ModelPackageGroup", None, "ModelPackageGroupPolicy"),
    ("repository", "AWS::ECR::Repository", None, "RepositoryPolicyText"),
)
# The resources those policies are for, by the type of their own resource.
_POLICY_TARGETS = {
    "AWS::SNS::TopicPolicy": "AWS::SNS::Topic",
    "AWS::SQS::QueuePolicy": "AWS::SQS::Queue",
}


def _other_policies(resolver: _Resolver) -> dict[str, ResourcePolicy]:
    """The template's topic, queue, model package group, repository and function policies.

    Not evaluated by the runner (no job touches these): ``smpipe access`` lists and
    compares them. ``name`` is ``the <kind> policy of <Logical> (<construct path>)`` (or of
    the ARN a policy names outside the template); a resource's several policies are merged.
    A policy with an intrinsic the loader can't resolve is left out. By ARN; a function's
    as ``_function_policies`` reads them.
    """
    # What a TopicPolicy's Topics or a QueuePolicy's Queues hold (a topic's ARN, a queue's
    # URL: their Ref) → the resource's logical id.
    targets: dict[str, str] = {}
    for logical, resource in resolver.resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        if kind in _POLICY_TARGETS.values():
            targets[str(_resolved(resolver, {"Ref": logical}))] = logical
    policies: dict[str, ResourcePolicy] = {}
    for logical, resource in resolver.resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        for shown, policy_type, listed, document in _OTHER_POLICIES:
            if kind != policy_type:
                continue
            properties = resource.get("Properties") or {}
            if document not in properties:
                continue
            if listed is None:
                owners = [(logical, str(resolver.get_att(logical, "Arn")))]
            else:
                owners = []
                for reference in _resolved(resolver, properties.get(listed)) or []:
                    owner = targets.get(str(reference))
                    arn = str(resolver.get_att(owner, "Arn")) if owner else str(reference)
                    owners.append((owner or arn, arn))
            label = f"the {shown} policy of {{}}"
            for owner, arn in owners:
                path = resolver._path(owner)
                name = label.format(owner if path == owner else f"{owner} ({path})")
                statements = _statements(resolver, properties.get(document), name, text=True)
                if statements is None:
                    continue
                earlier = policies[arn].statements if arn in policies else ()
                policies[arn] = ResourcePolicy(
                    name, earlier + statements, account=resolver.stack.account
                )
    policies.update(_function_policies(resolver))
    return policies


# An ``AWS::Lambda::Permission``'s properties that restrict its principal, as the
# condition Lambda writes into the function's policy for them.
_PERMISSION_CONDITIONS = (
    ("SourceArn", "ArnLike", "aws:SourceArn"),
    ("SourceAccount", "StringEquals", "aws:SourceAccount"),
    ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
    ("EventSourceToken", "StringEquals", "lambda:EventSourceToken"),
    ("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
)


def _function_policies(resolver: _Resolver) -> dict[str, ResourcePolicy]:
    """Each function's resource-based policy, by the function's ARN: its permissions.

    A function's policy is no property of its own: each ``AWS::Lambda::Permission`` adds
    a statement, read as Lambda writes it (``Principal``, ``Action`` on the function,
    ``SourceArn``, ``SourceAccount``… as its condition). Every function of the template
    is listed, with no statement when nothing grants it (``smpipe access`` adds the roles
    whose own policies let them invoke it); a permission on a function outside the
    template by the ARN (or name) it gives. One with an intrinsic the loader can't
    resolve is left out, as other resource policies are.
    """
    functions: dict[str, str] = {}  # a function's name, ARN (each as named) → logical id
    policies: dict[str, ResourcePolicy] = {}
    for logical, resource in resolver.resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == "AWS::Lambda::Function":
            arn = str(resolver.get_att(logical, "Arn"))
            functions[arn] = functions[str(resolver.ref(logical))] = logical
            path = resolver._path(logical)
            name = logical if path == logical else f"{logical} ({path})"
            policies[arn] = ResourcePolicy(
                f"the function policy of {name}", (), account=resolver.stack.account
            )
    for resource in resolver.resources.values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        properties = _resolved(resolver, resource.get("Properties") or {})
        if not isinstance(properties, Mapping):
            continue
        target, principal, action = (
            properties.get(key) for key in ("FunctionName", "Principal", "Action")
        )
        if not all(isinstance(value, str) for value in (target, principal, action)):
            continue
        # A version's or alias's ARN (``…:function:name:live``) is a grant on that
        # qualifier only: kept as its resource, listed under its function.
        unqualified = re.sub(r"(:function:[^:]+):[^:]+$", r"\1", str(target))
        owner = functions.get(unqualified)
        arn = str(resolver.get_att(owner, "Arn")) if owner else unqualified
        if owner is None and arn not in policies:
            policies[arn] = ResourcePolicy(
                f"the function policy of {arn}", (), account=resolver.stack.account
            )
        resource_arn = str(target) if unqualified != target else arn
        condition: dict[str, dict[str, str]] = {}
        for key, operator, context_key in _PERMISSION_CONDITIONS:
            if isinstance(properties.get(key), str):
                condition.setdefault(operator, {})[context_key] = properties[key]
        statement = Statement.from_json(
            {
                "Effect": "Allow",
                "Principal": _permission_principal(str(principal)),
                "Action": action,
                "Resource": resource_arn,
                "Condition": condition,
            },
            policies[arn].name,
        )
        policies[arn] = replace(policies[arn], statements=(*policies[arn].statements, statement))
    return policies


def _permission_principal(principal: str) -> Any:
    """A permission's ``Principal`` (one string) as a policy statement names it."""
    if principal == "*":
        return "*"
    if re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", principal):
        return {"Service": principal}
    return {"AWS": principal}  # an account id, or a role's, user's or account's ARN


def _kms_keys(resolver: _Resolver) -> tuple[dict[str, str], dict[str, str]]:
    """The template's KMS keys and the buckets they encrypt by default (SSE-KMS).

    Keys: each way a request can name one (its ``Ref``, the key id; its ARN; the name and
    ARN of each ``AWS::KMS::Alias`` of it) → the key's ARN. Buckets: name → the
    ``KMSMasterKeyID`` of an ``aws:kms`` (or ``aws:kms:dsse``) default encryption, as
    resolved. A bucket encrypted with the AWS managed key (no ``KMSMasterKeyID``), whose
    key policy lets the account's principals use it through S3, is left out.
    """
    keys: dict[str, str] = {}
    for logical, resource in resolver.resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == "AWS::KMS::Key":
            arn = str(resolver.get_att(logical, "Arn"))
            keys[arn] = keys[str(resolver.ref(logical))] = arn
    prefix = f"arn:{resolver.partition}:kms:{resolver.stack.region}:{resolver.stack.account}:"
    buckets: dict[str, str] = {}
    for logical, resource in resolver.resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        properties = (resource.get("Properties") or {}) if kind else {}
        if kind == "AWS::KMS::Alias":
            name, target = (
                _resolved(resolver, properties.get(k)) for k in ("AliasName", "TargetKeyId")
            )
            if isinstance(name, str) and isinstance(target, str) and target in keys:
                keys[name] = keys[f"{prefix}{name}"] = keys[target]
        elif kind == "AWS::S3::Bucket":
            encryption = _resolved(resolver, properties.get("BucketEncryption")) or {}
            for rule in encryption.get("ServerSideEncryptionConfiguration") or []:
                default = (
                    rule.get("ServerSideEncryptionByDefault") if isinstance(rule, Mapping) else None
                )
                if not isinstance(default, Mapping):
                    continue
                key = default.get("KMSMasterKeyID")
                if str(default.get("SSEAlgorithm")).startswith("aws:kms") and isinstance(key, str):
                    buckets[resolver.name_of(logical)] = key
    return keys, buckets


def _resolved(resolver: _Resolver, value: Any) -> Any:
    try:
        return resolver.resolve(value)
    except LocalRunError:
        return None


def _statements(
    resolver: _Resolver, document: Any, label: str, *, text: bool = False
) -> tuple[Statement, ...] | None:
    """A policy document's statements, resolved; None if an intrinsic can't be.

    ``text``: the document may be JSON text too (a ``Json`` property, such as a model
    package group's policy, takes either).
    """
    resolved = _resolved(resolver, document)
    if text and isinstance(resolved, str):
        try:
            resolved = json.loads(resolved)
        except ValueError:
            return None
    if not isinstance(resolved, Mapping):
        return None
    items = resolved.get("Statement") or []
    items = [items] if isinstance(items, Mapping) else items
    return tuple(Statement.from_json(item, label) for item in items if isinstance(item, Mapping))


def _unchecked_roles(roles: AssemblyRoles, definition: Any) -> tuple[str, ...]:
    """A note for each role the definition names whose S3 access the runner can't check."""
    named: list[str] = [roles.pipeline_role] if roles.pipeline_role else []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if key in ("RoleArn", "ExecutionRoleArn") and isinstance(item, str):
                    named.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(definition)
    notes = []
    for arn in dict.fromkeys(named):
        role = roles.role(arn)
        if role is None:
            notes.append(
                f"role {arn} is not a role of the pipeline's stack: the S3 access of what runs "
                "as it is not checked"
            )
        elif role.unchecked:
            notes.append(
                f"role {role.name} is not checked against its policies: {role.unchecked} (an "
                "AWS managed policy can't be read offline)"
            )
    return tuple(notes)


def pipeline_paths(directory: str | Path) -> list[str]:
    """The construct paths of the assembly's pipelines (``dev/MlOps/Training``), in order.

    Each one chooses its pipeline in ``load_assembly``. Raises ``LocalRunError`` for a
    directory that is no assembly, or one without pipelines.

    Example::

        pipeline_paths("cdk.out")  # ['dev/MlOps/Training', 'prod/MlOps/Training']
    """
    return [_label(candidate) for candidate in _candidates(Path(directory), [], [], None, None)]


_Candidate = tuple[_Stack, str, Mapping[str, Any]]


def _candidates(
    root: Path,
    stacks: list[_Stack],
    assets: list[_Asset],
    account: str | None,
    region: str | None,
) -> list[_Candidate]:
    """Read the assembly at ``root`` into ``stacks`` and ``assets``; its pipelines."""
    _open_assembly(root, stacks, assets, account, region)
    candidates = []
    for stack in stacks:
        for logical, resource in (stack.template.get("Resources") or {}).items():
            if isinstance(resource, Mapping) and resource.get("Type") == "AWS::SageMaker::Pipeline":
                candidates.append((stack, logical, resource))
    if not candidates:
        raise LocalRunError(f"no AWS::SageMaker::Pipeline resource in the assembly {root}")
    return candidates


def _open_assembly(
    root: Path,
    stacks: list[_Stack],
    assets: list[_Asset],
    account: str | None,
    region: str | None,
) -> None:
    """Read the assembly at ``root`` into ``stacks`` and ``assets``, once it is a valid one."""
    if not root.exists():
        raise LocalRunError(f"{root} is not a cloud assembly (no such directory); run cdk synth")
    if not (root / "manifest.json").is_file():
        raise LocalRunError(f"{root} is not a cloud assembly (no manifest.json); run cdk synth")
    failed = _failed_validation(root)
    if failed:
        raise LocalRunError(
            f"{root} was written by a synth that failed policy validation ({failed}): it is "
            "not what would deploy. Fix or acknowledge the findings (listed in "
            f"{root / VALIDATION_REPORT}) and run cdk synth again"
        )
    _read_assembly(root, stacks, assets, account, region)


def _failed_validation(root: Path) -> str | None:
    """The failed rules of the assembly's policy-validation report, or None if it passed.

    aws-cdk-lib writes the assembly (templates, manifest) before it fails synth on a
    finding of a validation plugin (cdk-nag's packs, ``SageMakerPipelineChecks``), so a
    ``cdk.out`` looks complete after a synth that the CLI reported as failed and that
    ``cdk deploy`` would refuse. Its ``validation-report.json`` says so: a plugin's
    ``conclusion`` is ``failure``. An assembly without the report (an app with no plugin,
    an older aws-cdk-lib) or with one that can't be read is not judged.
    """
    try:
        report = json.loads((root / VALIDATION_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    plugins = report.get("pluginReports") if isinstance(report, Mapping) else None
    failed: list[str] = []
    for plugin in plugins if isinstance(plugins, list) else []:
        if not isinstance(plugin, Mapping) or plugin.get("conclusion") != "failure":
            continue
        violations = plugin.get("violations")
        rules = [
            str(violation.get("ruleName"))
            for violation in (violations if isinstance(violations, list) else [])
            if isinstance(violation, Mapping) and violation.get("ruleName")
        ]
        shown = ", ".join(dict.fromkeys(rules)) or "findings"
        failed.append(f"{plugin.get('pluginName') or 'a plugin'}: {shown}")
    return "; ".join(failed) or None


def _label(candidate: _Candidate) -> str:
    """How a pipeline is named to users: its construct path, else ``<stack>/<logical id>``."""
    stack, logical, _ = candidate
    path = stack.paths.get(logical, "").strip("/")
    return (path or f"{stack.display}/{logical}").removesuffix("/Resource")


def _read_assembly(
    directory: Path,
    stacks: list[_Stack],
    assets: list[_Asset],
    account: str | None,
    region: str | None,
) -> None:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        kind = artifact.get("type")
        properties = artifact.get("properties") or {}
        if kind == "cdk:cloud-assembly":
            nested = directory / properties["directoryName"]
            _read_assembly(nested, stacks, assets, account, region)
        elif kind == "cdk:asset-manifest":
            _read_assets(directory / properties["file"], assets)
        elif kind == "aws:cloudformation:stack":
            template = json.loads(
                (directory / properties["templateFile"]).read_text(encoding="utf-8")
            )
            env_account, env_region = _environment(artifact.get("environment", ""))
            stack = _Stack(
                directory=directory,
                artifact=artifact_id,
                name=properties.get("stackName", artifact_id),
                display=artifact.get("displayName", artifact_id),
                template=template,
                account=account or env_account or DEFAULT_ACCOUNT,
                # --region is for environment-agnostic stacks: a stack's own region wins.
                region=env_region or region or DEFAULT_REGION,
            )
            metadata = artifact.get("metadata") or {}
            extra = artifact.get("additionalMetadataFile")
            if extra and (directory / extra).is_file():
                metadata = {
                    **metadata,
                    **json.loads((directory / extra).read_text(encoding="utf-8")),
                }
            for path, entries in metadata.items():
                for entry in entries or []:
                    if isinstance(entry, Mapping) and entry.get("type") == "aws:cdk:logicalId":
                        stack.paths[str(entry.get("data"))] = path
            stacks.append(stack)


def _read_assets(file: Path, assets: list[_Asset]) -> None:
    data = json.loads(file.read_text(encoding="utf-8"))
    for item in (data.get("files") or {}).values():
        source = item.get("source") or {}
        if "path" not in source:
            continue  # built by a command: nothing staged to read
        destinations = [
            (str(d.get("bucketName")), str(d.get("objectKey")))
            for d in (item.get("destinations") or {}).values()
        ]
        assets.append(
            _Asset(
                (file.parent / source["path"]).resolve(),
                str(source.get("packaging", "file")),
                destinations,
            )
        )


def _environment(text: str) -> tuple[str | None, str | None]:
    match = re.fullmatch(r"aws://([^/]+)/([^/]+)", text or "")
    if match is None:
        return None, None
    account, region = match.groups()
    return (
        None if account.startswith("unknown") else account,
        None if region.startswith("unknown") else region,
    )


def _choose(candidates: list[_Candidate], wanted: str | None) -> _Candidate:
    described = []
    for candidate in candidates:
        stack, logical, resource = candidate
        name = (resource.get("Properties") or {}).get("PipelineName")
        path = stack.paths.get(logical, "").strip("/")
        keys = {logical, f"{stack.display}/{logical}", f"{stack.name}/{logical}"}
        if isinstance(name, str):
            keys.add(name)
        if path:
            keys |= {path, path.removesuffix("/Resource")}
        described.append((candidate, keys, _label(candidate)))
    if wanted is None:
        if len(described) == 1:
            return described[0][0]
        raise LocalRunError(
            "the assembly has several pipelines; choose one with --pipeline: "
            + ", ".join(sorted(label for _, _, label in described))
        )
    target = wanted.strip("/")
    matches = [item for item, keys, _ in described if target in keys]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(label for _, _, label in described))
    if not matches:
        raise LocalRunError(f"no pipeline '{wanted}' in the assembly (pipelines: {known})")
    raise LocalRunError(f"pipeline '{wanted}' is ambiguous (pipelines: {known})")


class _Resolver:
    """Resolves one stack's intrinsics to local stand-in values."""

    def __init__(
        self, stack: _Stack, assets: list[_Asset], stacks: list[_Stack] | None = None
    ) -> None:
        self.stack = stack
        self.assets = assets
        # The assembly's stacks, whose exports Fn::ImportValue reads.
        self.stacks = stacks or []
        self.template = stack.template
        self.resources: Mapping[str, Any] = self.template.get("Resources") or {}
        self.buckets: dict[str, tuple[str, str]] = {}
        self._conditions: dict[str, bool] = {}
        # Export name → (the exporting stack's resolver, the output's Value), read once.
        self._exports: dict[str, tuple[_Resolver, Any]] | None = None

    # -- pseudo parameters and names -------------------------------------------------

    @property
    def partition(self) -> str:
        """The stack's partition: ``aws-cn`` in ``cn-north-1``, as ``AWS::Partition`` is."""
        return partition_of(self.stack.region)[0]

    @property
    def url_suffix(self) -> str:
        """The stack's domain: ``amazonaws.com.cn`` in ``cn-north-1``, as ``AWS::URLSuffix``."""
        return partition_of(self.stack.region)[1]

    def pseudo(self, name: str) -> str:
        values = {
            "AWS::AccountId": self.stack.account,
            "AWS::Region": self.stack.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackName": self.stack.name,
            "AWS::StackId": (
                f"arn:{self.partition}:cloudformation:{self.stack.region}:{self.stack.account}:stack/"
                f"{self.stack.name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::NotificationARNs": "",
        }
        if name not in values:
            raise LocalRunError(f"unknown pseudo parameter {name}")
        return values[name]

    def name_of(self, logical: str) -> str:
        """The physical name a resource gets locally."""
        resource = self.resources.get(logical) or {}
        kind = resource.get("Type", "")
        properties = resource.get("Properties") or {}
        for key in _NAME_PROPERTIES.get(kind, ()):
            if key in properties:
                value = self.resolve(properties[key])
                if isinstance(value, str):
                    if kind == "AWS::S3::Bucket":
                        self.buckets[logical] = (self._path(logical), value)
                    return value
        if kind == "AWS::S3::Bucket":
            path = self.stack.paths.get(logical, "").strip("/").removesuffix("/Resource")
            base = path or logical
            bucket = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:63].strip("-")
            self.buckets[logical] = (path or logical, bucket)
            return bucket
        return logical

    def _path(self, logical: str) -> str:
        return self.stack.paths.get(logical, logical).strip("/").removesuffix("/Resource")

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            if name == "AWS::NoValue":
                return _NO_VALUE
            return self.pseudo(name)
        parameters = self.template.get("Parameters") or {}
        if name in parameters:
            parameter = parameters[name]
            if "Default" not in parameter:
                raise LocalRunError(
                    f"template parameter {name} has no Default, so it can't be resolved locally"
                )
            default = parameter["Default"]
            if parameter.get("Type", "").startswith("AWS::SSM::Parameter"):
                return f"{name}-ssm-value"
            return default
        resource = self.resources.get(name)
        if resource is None:
            raise LocalRunError(f"Ref to unknown {name}")
        kind = resource.get("Type", "")
        if kind in _EC2_ID_PREFIXES:
            return self.ec2_id(name)
        physical = self.name_of(name)
        if kind == "AWS::SQS::Queue":
            host = f"sqs.{self.stack.region}.{self.url_suffix}"
            return f"https://{host}/{self.stack.account}/{physical}"
        if kind in (
            "AWS::SageMaker::ModelPackageGroup",
            "AWS::SNS::Topic",
            "AWS::IAM::ManagedPolicy",
        ):
            return self.arn(name, physical)
        return physical

    def arn(self, logical: str, physical: str) -> str:
        kind = (self.resources.get(logical) or {}).get("Type", "")
        region, account = self.stack.region, self.stack.account
        service, resource = _ARN_FORMS.get(kind, (None, None))
        partition = self.partition
        if kind == "AWS::S3::Bucket":
            return f"arn:{partition}:s3:::{physical}"
        if kind == "AWS::IAM::Role":
            return f"arn:{partition}:iam::{account}:role/{physical}"
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{partition}:iam::{account}:policy/{physical}"
        if service is None:
            service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
            resource = kind.split("::")[-1].lower() + "/"
        return f"arn:{partition}:{service}:{region}:{account}:{resource}{physical}"

    def ec2_id(self, logical: str) -> str:
        """An id of the form EC2 gives (``sg-…``), which the job request's patterns accept."""
        kind = self.resources[logical].get("Type", "")
        digest = hashlib.sha256(f"{self.stack.name}/{logical}".encode()).hexdigest()
        return f"{_EC2_ID_PREFIXES[kind]}-{digest[:17]}"

    def get_att(self, logical: str, attribute: str) -> Any:
        if logical not in self.resources:
            raise LocalRunError(f"Fn::GetAtt of unknown resource {logical}")
        kind = self.resources[logical].get("Type", "")
        if kind in _EC2_ID_PREFIXES and attribute in ("GroupId", "SubnetId", "VpcId"):
            own_id = {"AWS::EC2::SecurityGroup": "GroupId", "AWS::EC2::Subnet": "SubnetId"}
            if attribute == own_id.get(kind, "VpcId"):
                return self.ec2_id(logical)
            vpc = (self.resources[logical].get("Properties") or {}).get("VpcId")
            if vpc is not None:
                return self.resolve(vpc)
        physical = self.name_of(logical)
        if attribute.endswith("Arn"):
            return self.arn(logical, physical)
        if attribute in ("QueueUrl",):
            return self.ref(logical)
        # Before the names: a bucket's DomainName is a host name, not the bucket's name.
        if kind == "AWS::S3::Bucket" and attribute == "DomainName":
            return f"{physical}.s3.{self.url_suffix}"
        if kind == "AWS::S3::Bucket" and attribute == "RegionalDomainName":
            return f"{physical}.s3.{self.stack.region}.{self.url_suffix}"
        if attribute.endswith("Name"):
            return physical
        if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
            value = _DeployTime(f"{physical}.{attribute}")
            if kind == MODEL_DATA_TYPE and attribute == MODEL_DATA_ATTRIBUTE:
                value.parts = self._model_data(logical)
            elif kind == MODEL_DATA_TYPE and attribute == MODEL_DATA_LIST_ATTRIBUTE:
                value.parts = self._model_data(logical, listed=True)
            return value
        return f"{physical}.{attribute}"

    def _model_data(self, logical: str, *, listed: bool = False) -> tuple[str, ...]:
        """What a model data resource may return: each version's under each prefix.

        Its function refuses model data outside a version's store bucket and ``Prefixes``,
        so ``arn:…:s3:::<bucket>/<prefix><model data of …>`` bounds what the role reads.
        ``listed``: its ``s3:prefix`` patterns instead (the uncompressed models' among
        them), ``<prefix><model data of …>``, which bound too the prefix under ``models/``
        it returns when there are none.
        """
        properties = (self.resources.get(logical) or {}).get("Properties") or {}
        prefixes = properties.get("Prefixes")
        parts = []
        for version in properties.get("Versions") or []:
            if not isinstance(version, Mapping):
                continue
            bucket = _resolved(self, version.get("Bucket"))
            for prefix in prefixes if isinstance(prefixes, list) else []:
                shown = MODEL_DATA_PLACEHOLDER.format(self._version_text(version))
                if listed:
                    parts.append(f"{prefix}{shown}")
                else:
                    parts.append(f"arn:{self.partition}:s3:::{bucket}/{prefix}{shown}")
        return tuple(dict.fromkeys(parts))

    def _version_text(self, version: Mapping[str, Any]) -> str:
        """``churn version 3`` (``… of account 444455556666`` of another), or its parameter."""
        given = version.get("ModelPackageArn")
        parameters = self.template.get("Parameters") or {}
        if isinstance(given, Mapping) and given.get("Ref") in parameters:
            return f"the version in parameter {given['Ref']}"
        arn = _resolved(self, given)
        match = _VERSION.fullmatch(arn) if isinstance(arn, str) else None
        if match is None:
            return "the version given at deploy time"
        text = f"{match['group']} version {match['version']}"
        if (match["account"], match["region"]) != (self.stack.account, self.stack.region):
            text += f" of {match['account']} in {match['region']}"
        return text

    # -- intrinsics ------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, body),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, body)
        result = {}
        for key, item in value.items():
            resolved = self.resolve(item)
            if resolved is not _NO_VALUE:
                result[key] = resolved
        return result

    def sub(self, body: Any) -> str:
        if isinstance(body, list):
            text, variables = body[0], self.resolve(body[1] if len(body) > 1 else {})
        else:
            text, variables = body, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return str(self.get_att(logical, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))

    def import_value(self, name: Any) -> Any:
        """What a stack of the assembly exports as ``name``, resolved in that stack.

        Exports are per account and region, so only stacks of this one's are searched: a
        pipeline in one stack using the artifact store of another (``Fn::ImportValue`` of
        the bucket's name) resolves to the same local bucket as that stack's own references.
        """
        if self._exports is None:
            self._exports = {}
            for stack in self.stacks:
                if (stack.account, stack.region) != (self.stack.account, self.stack.region):
                    continue
                exporter = (
                    self if stack is self.stack else _Resolver(stack, self.assets, self.stacks)
                )
                for output in (stack.template.get("Outputs") or {}).values():
                    export = output.get("Export") if isinstance(output, Mapping) else None
                    if isinstance(export, Mapping) and "Name" in export:
                        exported = exporter.resolve(export["Name"])
                        if isinstance(exported, str):
                            self._exports.setdefault(exported, (exporter, output.get("Value")))
        found = self._exports.get(name) if isinstance(name, str) else None
        if found is None:
            raise LocalRunError(
                f"Fn::ImportValue {name!r} reads another stack's export, which no stack of the "
                f"assembly in account {self.stack.account}, region {self.stack.region} makes"
            )
        exporter, value = found
        resolved = exporter.resolve(value)
        for ref, bucket in exporter.buckets.items():
            self.buckets.setdefault(ref, bucket)
        return resolved

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise LocalRunError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    # -- assets ----------------------------------------------------------------------

    def _asset_uri(self, bucket: str, key: str) -> str:
        bucket = self.sub(bucket)
        return f"s3://{bucket}/{key}"

    def asset_files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for asset in self.assets:
            for bucket, key in asset.destinations:
                found[self._asset_uri(bucket, key)] = asset.path
        return found

    def lambdas(self) -> dict[str, LambdaHandler]:
        files = self.asset_files()
        handlers: dict[str, LambdaHandler] = {}
        for logical, resource in self.resources.items():
            if resource.get("Type") != "AWS::Lambda::Function":
                continue
            properties = resource.get("Properties") or {}
            code = self.resolve(properties.get("Code") or {})
            source = files.get(f"s3://{code.get('S3Bucket')}/{code.get('S3Key')}")
            if source is None or "Handler" not in properties:
                continue
            handler = LambdaHandler(
                code=source,
                handler=str(self.resolve(properties["Handler"])),
                runtime=str(self.resolve(properties.get("Runtime", ""))) or None,
            )
            handlers[str(self.get_att(logical, "Arn"))] = handler
        return handlers

    def function_paths(self) -> dict[str, str]:
        """Each function's construct path (``dev/MlOps/CheckQuality``) → its stand-in ARN."""
        return {
            self._path(logical): str(self.get_att(logical, "Arn"))
            for logical, resource in self.resources.items()
            if isinstance(resource, Mapping)
            and resource.get("Type") == "AWS::Lambda::Function"
            and logical in self.stack.paths
        }

    def function_roles(self) -> dict[str, str]:
        """Each function's stand-in ARN → the ARN of the role it runs as (resolved)."""
        found: dict[str, str] = {}
        for logical, resource in self.resources.items():
            if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Function":
                continue
            role = self.resolve((resource.get("Properties") or {}).get("Role"))
            if isinstance(role, str):
                found[str(self.get_att(logical, "Arn"))] = role
        return found

    def deployments(self) -> dict[str, Path]:
        files = self.asset_files()
        found: dict[str, Path] = {}
        for resource in self.resources.values():
            if resource.get("Type") != "Custom::CDKBucketDeployment":
                continue
            properties = self.resolve(resource.get("Properties") or {})
            buckets = properties.get("SourceBucketNames") or []
            keys = properties.get("SourceObjectKeys") or []
            destination = properties.get("DestinationBucketName")
            prefix = str(properties.get("DestinationBucketKeyPrefix") or "").strip("/")
            if len(keys) != 1 or not buckets or not destination:
                continue
            source = files.get(f"s3://{buckets[0]}/{keys[0]}")
            if source is not None and source.is_dir():
                found[f"s3://{destination}/{prefix}".rstrip("/")] = source
        return found


def _join(resolver: _Resolver, body: Any) -> str:
    separator, values = body
    items = resolver.resolve(values)
    return str(separator).join(_text(item) for item in items)


def _select(resolver: _Resolver, body: Any) -> Any:
    index, values = resolver.resolve(body)
    return values[int(index)]


def _split(resolver: _Resolver, body: Any) -> list[str]:
    separator, text = resolver.resolve(body)
    if isinstance(text, _DeployTime):
        if text.parts is not None and separator == MODEL_DATA_DELIMITER:
            return list(text.parts)
        return _DeployTimeParts(text)
    return str(text).split(str(separator))


def _find_in_map(resolver: _Resolver, body: Any) -> Any:
    name, first, second = resolver.resolve(body)
    mappings = resolver.template.get("Mappings") or {}
    try:
        return mappings[name][first][second]
    except KeyError:
        known = ", ".join(sorted((mappings.get(name) or {}).keys())[:12])
        raise LocalRunError(
            f"Fn::FindInMap {name}/{first}/{second} has no value (keys: {known}); for a "
            "region-keyed mapping, load the assembly with a region it lists"
        ) from None


def _if(resolver: _Resolver, body: Any) -> Any:
    name, when_true, when_false = body
    return resolver.resolve(when_true if resolver.condition(name) else when_false)


def _equals(resolver: _Resolver, body: Any) -> bool:
    first, second = resolver.resolve(body)
    return bool(first == second)


def _import_value(resolver: _Resolver, body: Any) -> Any:
    return resolver.import_value(resolver.resolve(body))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda r, body: r.ref(str(body)),
    "Fn::GetAtt": lambda r, body: r.get_att(
        *(body if isinstance(body, list) else str(body).split(".", 1))
    ),
    "Fn::Sub": lambda r, body: r.sub(body),
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": lambda r, body: all(r.resolve(item) for item in body),
    "Fn::Or": lambda r, body: any(r.resolve(item) for item in body),
    "Fn::Not": lambda r, body: not r.resolve(body[0]),
    "Condition": lambda r, body: r.condition(str(body)),
    "Fn::Base64": lambda r, body: base64.b64encode(_text(r.resolve(body)).encode()).decode(),
    "Fn::GetAZs": lambda r, body: [f"{r.stack.region}{x}" for x in "abc"],
    "Fn::ImportValue": _import_value,
}
_NAME_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::IAM::Role": ("RoleName",),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName",),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::SQS::Queue": ("QueueName",),
    "AWS::SNS::Topic": ("TopicName",),
    "AWS::SageMaker::ModelPackageGroup": ("ModelPackageGroupName",),
    "AWS::SageMaker::Pipeline": ("PipelineName",),
    "AWS::Events::Rule": ("Name",),
    # Ref of an alias is its name (alias/…), which a KmsKeyId may give.
    "AWS::KMS::Alias": ("AliasName",),
}
# Resources whose Ref (and id attribute) is an EC2 id: a job's VpcConfig names them, and the
# request's patterns ([-0-9a-zA-Z]+) refuse a logical id joined to an attribute name.
_EC2_ID_PREFIXES: dict[str, str] = {
    "AWS::EC2::SecurityGroup": "sg",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::VPC": "vpc",
}

_ARN_FORMS: dict[str, tuple[str, str]] = {
    "AWS::Lambda::Function": ("lambda", "function:"),
    "AWS::SQS::Queue": ("sqs", ""),
    "AWS::SNS::Topic": ("sns", ""),
    "AWS::KMS::Key": ("kms", "key/"),
    "AWS::SageMaker::ModelPackageGroup": ("sagemaker", "model-package-group/"),
    "AWS::SageMaker::Pipeline": ("sagemaker", "pipeline/"),
    "AWS::Events::Rule": ("events", "rule/"),
}
