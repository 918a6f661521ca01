"""Simulated IAM: do the roles of a pipeline allow the requests made as them?

A pipeline loaded from a cloud assembly carries the policies of the template's roles
(``AssemblyRoles``, built by ``local/assembly.py``). The runner gives each job's store
view an ``AccessGuard`` for the role it runs as (its ``RoleArn``, a Transform job its
model's ``ExecutionRoleArn``; SageMaker Pipelines itself, reading a property file for a
``JsonGet``, the pipeline's ``RoleArn``), and every S3 read (``s3:GetObject``, and
``s3:ListBucket`` for a prefix it lists) and every published write (``s3:PutObject``) is
evaluated against the role's statements. Before each job step's job starts, the calls
SageMaker Pipelines makes for it as the pipeline's role (``ServiceCall``, listed by
``local/_service_calls.py``: ``sagemaker:Create…Job``, ``sagemaker:AddTags``,
``iam:PassRole``, ``sagemaker:CreateModelPackage``, ``lambda:InvokeFunction``,
``sqs:SendMessage``, …) are checked the same way. IAM's rules, as simulated (AWS's
"Policy evaluation logic"; across accounts, see the last item):

- an explicit ``Deny`` in any applicable policy wins: the role's identity policies, its
  permissions boundary, the bucket's policy or the key's policy (``ResourcePolicy``,
  applying when its ``Principal`` is ``*``, the role's ARN or its account);
- a permissions boundary that is a managed policy of the template must allow it, also
  what a resource policy grants the role's ARN;
- then an ``Allow`` of the identity policies, or of a bucket policy naming the role (its
  ARN or ``*``), is enough; a key policy must allow it itself, naming the role, or
  allowing the account, which enables the identity policies (which must then allow it);
- ``Action``/``NotAction`` with IAM's wildcards, case-insensitive; ``Resource``/
  ``NotResource`` with wildcards, case-sensitive; ``NotPrincipal`` permissively;
- conditions whose keys are known offline (``s3:prefix``, ``aws:SecureTransport``,
  ``aws:PrincipalArn``, ``aws:PrincipalAccount``, a KMS request's ``kms:CallerAccount``,
  an upload's ``s3:x-amz-server-side-encryption`` keys when its job names the key; for
  the pipeline role's calls ``iam:PassedToService``, ``sagemaker:ModelApprovalStatus``,
  ``aws:RequestTag/…``, and a job's Create call's ``sagemaker:VolumeKmsKey``,
  ``OutputKmsKey``, ``NetworkIsolation``, ``InterContainerTrafficEncryption``,
  ``VpcSubnets`` and ``VpcSecurityGroupIds``, read off its request, and
  ``sagemaker:InstanceTypes`` of a job's or an endpoint configuration's, every instance
  type the request names) are evaluated
  (``ForAnyValue:``/``ForAllValues:`` too, a single-valued key being a set of one value or
  none); any other one is read permissively: it matches for an ``Allow`` and not for a
  ``Deny``, except those job keys on a request they can't be read off (a tuning job's),
  whose ``Deny`` is taken to apply (``evaluate``'s ``strict``).
  So does a policy variable (``${aws:userid}``) of a ``Resource`` or a condition's value;
  ``${*}``, ``${?}``, ``${$}`` are those characters;
- across accounts (the role's account, from its ARN, is not the resource's: the policy's
  ``ResourcePolicy.account``, the stack's for a policy of the template, else the account
  of the resource's ARN, or ``evaluate``'s ``owner``), both must allow it: an ``Allow``
  of the identity policies *and* one of the resource's policy naming the role, ``*`` or
  the role's account. A resource whose policy isn't known (a bucket or key of another
  account that the template doesn't define) is left to the identity policies.

SSE-KMS, as simulated: an object a job publishes is encrypted with the job's output key
(``ProcessingOutputConfig.KmsKeyId``, ``OutputDataConfig.KmsKeyId``,
``TransformOutput.KmsKeyId``; ``output_keys``), else with its bucket's default key (the
template's ``BucketEncryption``, ``aws:kms``); data served from mappings and assets with
its bucket's default key. A write needs ``kms:GenerateDataKey`` and a read ``kms:Decrypt``
on that key's ARN (``AssemblyRoles.key_arn``), as its key policy and the role's policies
allow (a key without a policy in the template: the identity policies alone).

A role with an AWS managed policy (or another policy the template doesn't hold) can't be
read offline and is not checked.

Example::

    roles = load_assembly("cdk.out").roles
    guard = AccessGuard([roles.role(arn)], "the job of step 'Train'", roles.partition, roles)
    guard.read("s3://bucket/key", "input 'train'")   # raises AccessDeniedError if denied
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition._instance_caps import INSTANCE_TYPES
from ..definition._job_conditions import JOB_CONDITION_KEYS
from ._errors import AccessDeniedError
from .resources import normalize_s3_uri

# The request context a job's S3 call has, as far as it is known offline: the AWS SDKs
# use TLS. Every other global key (aws:SourceVpc, aws:PrincipalTag/…) is unknown.
_SECURE_TRANSPORT = "aws:securetransport"
_PREFIX = "s3:prefix"
# The requester: the role's ARN (resource policies restrict with it).
_PRINCIPAL_ARN = "aws:principalarn"
# The requester's account, the role's: aws:PrincipalAccount on every request ("AWS global
# condition context keys"), kms:CallerAccount on a KMS request ("AWS KMS condition keys":
# the account of the caller; S3 calls KMS as the requester).
_PRINCIPAL_ACCOUNT = "aws:principalaccount"
_CALLER_ACCOUNT = "kms:calleraccount"
# An upload's SSE-KMS headers, when the job's request names its key.
_SSE = "s3:x-amz-server-side-encryption"
_SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"
# Keys of the pipeline role's calls (ServiceCall.known says which a request is known to
# have or lack): iam:PassRole's, CreateModelPackage's, and the tags a Create call sends.
PASSED_TO_SERVICE = "iam:passedtoservice"
APPROVAL_STATUS = "sagemaker:modelapprovalstatus"
REQUEST_TAG = "aws:requesttag/"
# A request's value of a condition key: one string, or the strings of a multivalued key
# (sagemaker:VpcSubnets), which only ForAnyValue:/ForAllValues: operators compare.
ContextValue = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a policy, its intrinsics resolved.

    ``negate_actions`` says ``actions`` came from ``NotAction``; ``negate_resources``,
    ``resources`` from ``NotResource``. ``source`` names the policy (and ``Sid``).

    Example::

        Statement("Allow", ("s3:GetObject",), ("arn:aws:s3:::b/data/*",), source="Policy")
    """

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    negate_actions: bool = False
    negate_resources: bool = False
    condition: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    # A resource policy's Principal (or NotPrincipal, negate_principals), by kind ("AWS",
    # "Service", …; "*" is {"AWS": ("*",)}); None for an identity policy's statement.
    principals: Mapping[str, tuple[str, ...]] | None = None
    negate_principals: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: str = "its policy") -> Statement:
        """A statement of a policy document (resolved), ``source`` naming the policy."""
        sid = data.get("Sid")
        named = data.get("Source") or (f"{source} (Sid {sid})" if sid else source)
        negate_actions = "NotAction" in data
        negate_resources = "NotResource" in data
        negate_principals = "NotPrincipal" in data
        principal = data.get("NotPrincipal" if negate_principals else "Principal")
        principals = None
        if principal is not None:
            principals = (
                {str(kind): _strings(value) for kind, value in principal.items()}
                if isinstance(principal, Mapping)
                else {"AWS": _strings(principal)}  # "*": everyone
            )
        return cls(
            effect=str(data.get("Effect", "Allow")),
            actions=_strings(data.get("NotAction" if negate_actions else "Action")),
            resources=_strings(data.get("NotResource" if negate_resources else "Resource")),
            negate_actions=negate_actions,
            negate_resources=negate_resources,
            condition=dict(data.get("Condition") or {}),
            source=str(named),
            principals=principals,
            negate_principals=negate_principals,
        )

    def to_json(self) -> dict[str, Any]:
        """The statement as a policy document holds it (``Source`` added)."""
        data: dict[str, Any] = {
            "Effect": self.effect,
            "NotAction" if self.negate_actions else "Action": list(self.actions),
            "NotResource" if self.negate_resources else "Resource": list(self.resources),
            "Source": self.source,
        }
        if self.condition:
            data["Condition"] = dict(self.condition)
        if self.principals is not None:
            data["NotPrincipal" if self.negate_principals else "Principal"] = {
                kind: list(values) for kind, values in self.principals.items()
            }
        return data

    def covers(self, action: str, resource: str, permissive: bool = True) -> bool:
        """Whether the statement's actions and resources (not its condition) take the request.

        A policy variable of a ``Resource`` (``${aws:PrincipalTag/team}``) has a value not
        known offline: ``permissive`` (an Allow) reads the statement as taking the request,
        otherwise (a Deny) as not taking it.
        """
        action_match = any(_pattern(item, True).fullmatch(action) for item in self.actions)
        if action_match == self.negate_actions:
            return False
        # A NotResource takes the request when no pattern matches: an unknown variable
        # then reads as not matching to be permissive.
        unknown_matches = permissive != self.negate_resources
        resource_match = any(
            _pattern(item, False, unknown_matches).fullmatch(resource) for item in self.resources
        )
        return resource_match != self.negate_resources


@dataclass(frozen=True, slots=True)
class RolePolicies:
    """A role of the assembly and the statements of every policy attached to it.

    ``name`` is how failures name it (logical id and construct path). ``boundary`` holds
    the statements of its permissions boundary, if it has one the template defines.
    ``unchecked`` says why the role can't be checked offline (an AWS managed policy).
    ``trust`` holds its trust policy's statements (who may assume it): ``smpipe access``
    compares them; the runner doesn't use them, so ``to_json`` leaves them out.

    Example::

        RolePolicies("arn:aws:iam::000000000000:role/StepRole", "StepRole (dev/Ml/StepRole)",
                     (Statement("Allow", ("s3:*",), ("*",)),))
    """

    arn: str
    name: str
    statements: tuple[Statement, ...]
    boundary: tuple[Statement, ...] | None = None
    boundary_name: str | None = None
    unchecked: str | None = None
    trust: tuple[Statement, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RolePolicies:
        """A role as ``to_json`` writes it."""
        boundary = data.get("Boundary")
        return cls(
            arn=str(data["Arn"]),
            name=str(data["Name"]),
            statements=tuple(Statement.from_json(item) for item in data.get("Statements") or []),
            boundary=(
                tuple(Statement.from_json(item) for item in boundary)
                if isinstance(boundary, list)
                else None
            ),
            boundary_name=data.get("BoundaryName"),
            unchecked=data.get("Unchecked"),
        )

    def to_json(self) -> dict[str, Any]:
        """The role as JSON (an execution's ``iam.json`` keeps it for ``--resume``)."""
        data: dict[str, Any] = {
            "Arn": self.arn,
            "Name": self.name,
            "Statements": [_source_kept(item) for item in self.statements],
        }
        if self.boundary is not None:
            data["Boundary"] = [_source_kept(item) for item in self.boundary]
            data["BoundaryName"] = self.boundary_name
        if self.unchecked:
            data["Unchecked"] = self.unchecked
        return data


@dataclass(frozen=True, slots=True)
class ObjectKey:
    """The KMS key objects are encrypted with (SSE-KMS), and why that key.

    ``arn`` is the key's ARN as IAM evaluates it; ``why`` says where it comes from, as a
    denial names it. ``requested``: the upload names the key (a job's ``KmsKeyId``), so
    its ``s3:x-amz-server-side-encryption`` condition keys are known; a bucket's default
    key is S3's choice, and whether SageMaker sends the headers then is not documented.

    Example::

        ObjectKey("arn:aws:kms:us-east-1:000000000000:key/Key", "the default key of bucket b")
    """

    arn: str
    why: str
    requested: bool = False

    @classmethod
    def from_json(cls, data: Any) -> ObjectKey | None:
        """A key as ``to_json`` writes it (None for anything else)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("Arn"), str):
            return None
        return cls(str(data["Arn"]), str(data.get("Why", "")), data.get("Requested") is True)

    def to_json(self) -> dict[str, Any]:
        """The key as JSON (the store's records keep it beside the outputs)."""
        data: dict[str, Any] = {"Arn": self.arn, "Why": self.why}
        if self.requested:
            data["Requested"] = True
        return data


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """A resource's own policy: a bucket policy, or a KMS key policy.

    ``name`` says which, as a denial names it ("the bucket policy of dev/Ml/Data");
    ``key`` is true for a key policy, which IAM policies need to be enabled by (its
    statement allowing the account) where a bucket policy only adds to them. ``account``
    owns the resource (the stack's, for a policy of the template); a role of another
    account needs the policy to allow it as well as its own policies (``evaluate``).

    Example::

        ResourcePolicy("the bucket policy of dev/Ml/Data", (Statement.from_json({
            "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),))
    """

    name: str
    statements: tuple[Statement, ...]
    key: bool = False
    account: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourcePolicy:
        """A policy as ``to_json`` writes it."""
        account = data.get("Account")
        return cls(
            name=str(data["Name"]),
            statements=tuple(Statement.from_json(item) for item in data.get("Statements") or []),
            key=data.get("Key") is True,
            account=str(account) if account else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The policy as JSON (an execution's ``iam.json`` keeps it for ``--resume``)."""
        data: dict[str, Any] = {
            "Name": self.name,
            "Statements": [_source_kept(item) for item in self.statements],
        }
        if self.key:
            data["Key"] = True
        if self.account:
            data["Account"] = self.account
        return data


@dataclass(frozen=True, slots=True)
class AssemblyRoles:
    """The roles of a pipeline's stack, by ARN as the definition names them.

    ``pipeline_role`` is the ARN of the ``AWS::SageMaker::Pipeline``'s ``RoleArn``, the
    role SageMaker Pipelines itself reads property files as. ``keys`` maps each way the
    template's KMS keys can be named (key id, key ARN, alias name, alias ARN) to the key's
    ARN; ``bucket_keys`` the template's buckets encrypted by default with a key (SSE-KMS)
    to that key as the template names it. ``bucket_policies`` maps a bucket's name to its
    ``AWS::S3::BucketPolicy``, ``key_policies`` a key's ARN to its ``KeyPolicy``;
    ``other_policies`` the ARN of a topic, queue, model package group, ECR repository or
    Lambda function (its ``AWS::Lambda::Permission`` resources) to its policy (``smpipe
    access`` reads them; the runner doesn't, no job touches them).

    Example::

        roles = load_assembly("cdk.out").roles
        roles.role(roles.pipeline_role).name  # 'TrainingRole4C1607BC (dev/MlOps/Training/Role)'
    """

    partition: str = "aws"
    roles: Mapping[str, RolePolicies] = field(default_factory=dict)
    pipeline_role: str | None = None
    # The stack's region and account, as the ARNs of what its pipeline creates name them.
    region: str = "us-east-1"
    account: str = "000000000000"
    keys: Mapping[str, str] = field(default_factory=dict)
    bucket_keys: Mapping[str, str] = field(default_factory=dict)
    bucket_policies: Mapping[str, ResourcePolicy] = field(default_factory=dict)
    key_policies: Mapping[str, ResourcePolicy] = field(default_factory=dict)
    other_policies: Mapping[str, ResourcePolicy] = field(default_factory=dict)

    def resource_policy(self, arn: str) -> ResourcePolicy | None:
        """The policy of the bucket (of an object) or key ``arn`` names, if the template has one."""
        if arn.startswith(f"arn:{self.partition}:s3:::"):
            bucket = arn.split(":", 5)[5].partition("/")[0]
            return self.bucket_policies.get(bucket)
        return self.key_policies.get(arn)

    def role(self, arn: object) -> RolePolicies | None:
        """The role of that ARN, if the assembly defines it."""
        return self.roles.get(arn) if isinstance(arn, str) else None

    def key_arn(self, reference: object) -> str | None:
        """The ARN of the key a ``KmsKeyId`` names (key id, key ARN, alias or alias ARN).

        A key or alias of the template: its key's ARN. Any other key ARN: as written; a bare
        key id: the key of that id in the stack's account and region. An alias the template
        doesn't define: None (its key can't be known offline, so it is not checked).
        """
        if not isinstance(reference, str) or not reference:
            return None
        if reference in self.keys:
            return self.keys[reference]
        if reference.startswith("alias/") or ":alias/" in reference:
            return None
        if reference.startswith("arn:"):
            return reference
        return f"arn:{self.partition}:kms:{self.region}:{self.account}:key/{reference}"

    def bucket_key(self, bucket: str) -> ObjectKey | None:
        """The key objects of ``bucket`` get by default (its SSE-KMS default), if any."""
        arn = self.key_arn(self.bucket_keys.get(bucket))
        return None if arn is None else ObjectKey(arn, f"the default key of bucket {bucket}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssemblyRoles:
        """Roles as ``to_json`` writes them."""
        roles = [RolePolicies.from_json(item) for item in data.get("Roles") or []]
        return cls(
            partition=str(data.get("Partition", "aws")),
            roles={role.arn: role for role in roles},
            pipeline_role=data.get("PipelineRole"),
            region=str(data.get("Region", "us-east-1")),
            account=str(data.get("Account", "000000000000")),
            keys=dict(data.get("Keys") or {}),
            bucket_keys=dict(data.get("BucketKeys") or {}),
            bucket_policies={
                name: ResourcePolicy.from_json(item)
                for name, item in (data.get("BucketPolicies") or {}).items()
            },
            key_policies={
                arn: ResourcePolicy.from_json(item)
                for arn, item in (data.get("KeyPolicies") or {}).items()
            },
            other_policies={
                arn: ResourcePolicy.from_json(item)
                for arn, item in (data.get("OtherPolicies") or {}).items()
            },
        )

    def to_json(self) -> dict[str, Any]:
        """The roles as JSON."""
        return {
            "Partition": self.partition,
            "PipelineRole": self.pipeline_role,
            "Region": self.region,
            "Account": self.account,
            "Keys": dict(self.keys),
            "BucketKeys": dict(self.bucket_keys),
            "BucketPolicies": {name: item.to_json() for name, item in self.bucket_policies.items()},
            "KeyPolicies": {arn: item.to_json() for arn, item in self.key_policies.items()},
            "OtherPolicies": {arn: item.to_json() for arn, item in self.other_policies.items()},
            "Roles": [role.to_json() for role in self.roles.values()],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of evaluating one request: allowed, or why not."""

    allowed: bool
    reason: str = ""


def evaluate(
    role: RolePolicies,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue],
    known: Collection[str] = (),
    policy: ResourcePolicy | None = None,
    *,
    owner: str | None = None,
    strict: Collection[str] = (),
) -> Decision:
    """Evaluate ``action`` on ``resource`` for ``role``, as AWS does (also across accounts).

    ``context`` holds the request's condition keys known offline (lower-case names;
    ``aws:PrincipalArn`` is added: the role's ARN). ``known`` names keys (or, ending in
    ``/``, key prefixes) the request is known to lack when ``context`` doesn't hold them;
    a condition on any other key is read permissively (see the module's docstring), except
    one on a key of ``strict`` (keys a Deny may use to deny this very request, such as the
    SageMaker job keys of a Create call whose request can't be read): a Deny conditioned on
    it is taken to apply, so what can't be evaluated is never silently allowed.
    ``policy`` is the resource's own policy (a bucket policy, a key policy), if any.

    IAM's "Policy evaluation logic" (requests within a single account): an explicit
    ``Deny`` in any policy denies; the permissions boundary must allow it (also what a
    resource policy grants the role's ARN: "Permissions boundaries for IAM entities");
    then an ``Allow`` of the identity policies or of a bucket policy naming the role (its
    ARN, or ``*``) is enough. A bucket policy allowing the account (``…:root``, the account
    id) delegates to IAM, so adds nothing. A key policy must allow it itself: by naming the
    role, or by allowing the account, which enables the IAM policies ("Key policies in AWS
    KMS": without that, IAM policies that allow have no effect).

    Across accounts ("Cross-account policy evaluation logic"): when the resource's owner
    (``owner``; else ``policy.account``; else, with a policy, the account of ``resource``'s
    ARN) is not the role's account, the identity policies must allow it *and* the
    resource's policy must, naming the role, ``*`` or the role's account (``…:root``);
    ``owner`` given without a ``policy`` says the resource has none, so it is denied. Without
    ``owner`` nor ``policy`` the resource's policy is unknown: the identity policies decide.

    Example::

        evaluate(role, "s3:GetObject", "arn:aws:s3:::b/k", {}).allowed
        evaluate(role, "s3:GetObject", "arn:aws:s3:::b/k", {}, owner="111122223333").allowed
    """
    account = _arn_part(role.arn, 4)
    requester = {_PRINCIPAL_ARN: role.arn, _PRINCIPAL_ACCOUNT: account}
    if action.lower().startswith("kms:"):
        requester[_CALLER_ACCOUNT] = account
    request = _Request(
        action, resource, {**requester, **context}, tuple(known), role, tuple(strict)
    )
    denied = _matching(role.statements, "Deny", request)
    if denied is None and policy is not None:
        denied = _matching(policy.statements, "Deny", request)
    if denied is not None:
        unknown = _unknown_strict_keys(denied, request)
        taken = (
            f" (its condition on {', '.join(unknown)} can't be evaluated offline for this "
            "request, so it is taken to apply)"
            if unknown
            else ""
        )
        return Decision(False, f"an explicit Deny in {denied.source} denies it{taken}")
    if role.boundary is not None:
        name = role.boundary_name or "its permissions boundary"
        denied = _matching(role.boundary, "Deny", request)
        if denied is not None:
            return Decision(False, f"an explicit Deny in its permissions boundary {name} denies it")
        if _matching(role.boundary, "Allow", request) is None:
            return Decision(False, f"its permissions boundary {name} does not allow it")
    owned_by = _owner(resource, policy, owner)
    if owned_by is not None and owned_by != account:
        return _cross_account(role, request, policy, owned_by)
    if policy is not None and _matching(policy.statements, "Allow", request, "role"):
        return Decision(True)
    enabled = None if policy is None else _matching(policy.statements, "Allow", request, "account")
    if policy is not None and policy.key and enabled is None:
        root = f"arn:{_arn_part(role.arn, 1)}:iam::{_arn_part(role.arn, 4)}:root"
        return Decision(
            False,
            f"{policy.name} allows it neither to the role nor to the account ({root}), "
            "so no IAM policy can",
        )
    if _matching(role.statements, "Allow", request) is None:
        if policy is not None and not policy.key:
            return Decision(False, f"no statement of its policies nor of {policy.name} allows it")
        return Decision(False, "no statement of its policies allows it")
    return Decision(True)


def _owner(resource: str, policy: ResourcePolicy | None, owner: str | None) -> str | None:
    """The account owning ``resource``, if known (``evaluate``'s rule)."""
    if owner:
        return owner
    if policy is None:
        return None
    # An S3 ARN names no account: the policy's (its stack's), or none known.
    return policy.account or _arn_part(resource, 4) or None


def _cross_account(
    role: RolePolicies, request: _Request, policy: ResourcePolicy | None, owner: str
) -> Decision:
    """A request of ``role`` on a resource of account ``owner``: both sides must allow it.

    "Cross-account policy evaluation logic": the resource's policy must allow the role (its
    ARN, ``*``, a session of it) or its account (which then delegates to the account's
    IAM), and the role's identity policies must allow it too; a key policy is no different
    here. The explicit denies and the permissions boundary are decided before.
    """
    caller = _arn_part(role.arn, 4)
    root = f"arn:{_arn_part(role.arn, 1)}:iam::{caller}:root"
    if policy is None:
        return Decision(
            False,
            f"the resource is account {owner}'s and has no policy allowing the role or its "
            f"account ({root}): across accounts its policy must allow it too",
        )
    granted = _matching(policy.statements, "Allow", request, "role") or _matching(
        policy.statements, "Allow", request, "account"
    )
    if granted is None:
        return Decision(
            False,
            f"{policy.name}, of account {owner}, allows it neither to the role nor to its "
            f"account ({root}): across accounts it must, as well as the role's own policies",
        )
    if _matching(role.statements, "Allow", request) is None:
        return Decision(
            False,
            f"no statement of its policies allows it: across accounts (the resource is account "
            f"{owner}'s) {policy.name} allowing it is not enough",
        )
    return Decision(True)


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":", 5)
    return parts[index] if len(parts) > index else ""


def _principal_scope(statement: Statement, role: RolePolicies) -> str | None:
    """Whom a resource policy's statement names of ``role``: "role", "account" or None.

    "role": its ARN or everyone (``*``); "account": its account (``arn:…:iam::<id>:root``
    or the bare id), which includes the role but, in an Allow, only delegates to IAM;
    "session": a session of the role (``arn:…:sts::<id>:assumed-role/<name>/<session>``),
    which the job's may be or not (SageMaker names it): an Allow takes it, a Deny doesn't.
    Service principals and other accounts' are not the role.
    """
    partition, account = _arn_part(role.arn, 1), _arn_part(role.arn, 4)
    values = (statement.principals or {}).get("AWS", ())
    if "*" in values or role.arn in values:
        return "role"
    # "AWS JSON policy elements: Principal": a role session principal names the role by
    # its name, without its path.
    name = role.arn.rpartition("/")[2]
    session = f"arn:{partition}:sts::{account}:assumed-role/{name}/"
    if any(value.startswith(session) for value in values):
        return "session"
    if account in values or f"arn:{partition}:iam::{account}:root" in values:
        return "account"
    return None


def _applies(statement: Statement, request: _Request, scope: str | None) -> bool:
    """Whether a statement's principal takes the request's role (always, for IAM's own).

    ``scope`` "role": an Allow must name the role (or everyone); "account": the account.
    A Deny applies to the role named, everyone, or its account. A ``NotPrincipal``
    (which AWS advises against) is read permissively: it takes everyone it doesn't name,
    the role's account or ARN naming it; a Deny of it always applies to a role with a
    permissions boundary ("Permissions boundaries for IAM entities").
    """
    role = request.role
    if statement.principals is None or role is None:
        return statement.principals is None
    named = _principal_scope(statement, role)
    if statement.negate_principals:
        if statement.effect == "Deny":
            return role.boundary is not None or named is None
        return scope == "role" and named is None
    if statement.effect == "Deny":
        return named is not None and named != "session"
    return named == scope or (named == "session" and scope == "role")


@dataclass(frozen=True, slots=True)
class _Request:
    action: str
    resource: str
    context: Mapping[str, ContextValue]
    known: tuple[str, ...]
    role: RolePolicies | None = None
    strict: tuple[str, ...] = ()

    def knows(self, key: str) -> bool:
        """Whether the request's value of ``key`` (or its absence) is known offline."""
        if key in self.context or key == _PREFIX:
            return True
        return any(
            key == item or (item.endswith("/") and key.startswith(item)) for item in self.known
        )


def _matching(
    statements: Iterable[Statement], effect: str, request: _Request, scope: str | None = None
) -> Statement | None:
    """The first statement of ``effect`` that takes the request (``scope``: ``_applies``)."""
    for statement in statements:
        if statement.effect != effect or not statement.covers(
            request.action, request.resource, permissive=effect == "Allow"
        ):
            continue
        if not _applies(statement, request, scope):
            continue
        verdict = _condition(statement.condition, request)
        # A condition not known offline: permissive, so matching for Allow, not for Deny;
        # but a Deny on a strict key (see ``evaluate``) applies.
        if verdict is True or (
            verdict is None
            and (effect == "Allow" or bool(_unknown_strict_keys(statement, request)))
        ):
            return statement
    return None


def _unknown_strict_keys(statement: Statement, request: _Request) -> list[str]:
    """The keys of ``request.strict`` that ``statement``'s condition uses, unknown offline."""
    keys = [
        str(key)
        for tests in statement.condition.values()
        if isinstance(tests, Mapping)
        for key in tests
    ]
    return [key for key in keys if key.lower() in request.strict and not request.knows(key.lower())]


_STRING_OPERATORS = {
    "StringEquals": (False, False, False),  # (negated, like, ignore case)
    "StringNotEquals": (True, False, False),
    "StringEqualsIgnoreCase": (False, False, True),
    "StringNotEqualsIgnoreCase": (True, False, True),
    "StringLike": (False, True, False),
    "StringNotLike": (True, True, False),
    # ARN operators match IAM's wildcards too (aws:PrincipalArn, known offline).
    "ArnEquals": (False, True, False),
    "ArnLike": (False, True, False),
    "ArnNotEquals": (True, True, False),
    "ArnNotLike": (True, True, False),
}


def _condition(condition: Mapping[str, Any], request: _Request) -> bool | None:
    """True/False when every operator's keys are known, None if one can't be evaluated."""
    unknown = False
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            return None
        for key, values in tests.items():
            verdict = _test(str(operator), str(key).lower(), _strings(values), request)
            if verdict is False:
                return False  # the operators are ANDed: one known False decides
            unknown = unknown or verdict is None
    return None if unknown else True


def _test(operator: str, key: str, values: Sequence[str], request: _Request) -> bool | None:
    if not request.knows(key):
        return None  # not a key known offline
    context = request.context
    present = key in context
    actual = context.get(key)
    qualifier, _, base = operator.rpartition(":")
    if qualifier:
        # "Set operators for multivalued context keys": a single-valued key is a set of one
        # value, or of none when the request lacks it; ForAnyValue is then false and
        # ForAllValues true.
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            return None
        items = () if actual is None else (actual,) if isinstance(actual, str) else actual
        verdicts = [_compare(base.removesuffix("IfExists"), values, item) for item in items]
        if qualifier == "ForAnyValue":
            return True if True in verdicts else None if None in verdicts else False
        return False if False in verdicts else None if None in verdicts else True
    if operator == "Null":
        return (not present) == any(value.lower() == "true" for value in values[:1])
    if not present:
        base = operator.removesuffix("IfExists")
        if base != "Bool" and base not in _STRING_OPERATORS:
            return None  # ArnLike, NumericLessThan, …: not evaluated offline
        if operator.endswith("IfExists"):
            return True
        # A key the request doesn't have (s3:prefix of a GetObject): IAM's rules, a negated
        # operator matches.
        return base != "Bool" and _STRING_OPERATORS[base][0]
    if not isinstance(actual, str):
        return None  # a multivalued key: IAM compares it with ForAnyValue/ForAllValues only
    return _compare(operator.removesuffix("IfExists"), values, actual)


def _compare(operator: str, values: Sequence[str], actual: str) -> bool | None:
    """``operator`` on a value the request has; None when it can't be known offline."""
    if operator == "Bool":
        return any(actual.lower() == value.lower() for value in values)
    if operator not in _STRING_OPERATORS:
        return None  # ArnLike, NumericLessThan, …: not evaluated offline
    negated, like, ignore_case = _STRING_OPERATORS[operator]
    # The values are ORed; one holding a policy variable (unknown offline) may match.
    matched: bool | None = False
    for value in values:
        if like:
            pattern = _pattern(value, False, False)
            if pattern.fullmatch(actual):
                return not negated
        else:
            literal = _literal(value)
            if literal is not None and (
                actual.lower() == literal.lower() if ignore_case else actual == literal
            ):
                return not negated
        if _has_variable(value):
            matched = None
    return None if matched is None else negated


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# "IAM policy elements: Variables and tags": ${*}, ${?} and ${$} are the characters
# themselves; any other ${…} is replaced with the request's value of that key.
_LITERALS = {"*": "*", "?": "?", "$": "$"}


def _has_variable(text: str) -> bool:
    return any(match.group(1) not in _LITERALS for match in _VARIABLE.finditer(text))


def _literal(text: str) -> str | None:
    """``text`` with ``${*}``/``${?}``/``${$}`` replaced; None if it has another variable."""
    if _has_variable(text):
        return None
    return _VARIABLE.sub(lambda match: _LITERALS[match.group(1)], text)


@functools.lru_cache(maxsize=4096)
def _pattern(text: str, ignore_case: bool, unknown_matches: bool = False) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters (``/`` too), ``?`` one character.

    A policy variable whose value isn't known offline matches anything when
    ``unknown_matches``, else nothing (the whole pattern then never matches).
    """
    parts: list[str] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        parts += [_wildcards(text[position : match.start()])]
        name = match.group(1)
        if name in _LITERALS:
            parts.append(re.escape(_LITERALS[name]))
        elif unknown_matches:
            parts.append(".*")
        else:
            return re.compile("(?!)")
        position = match.end()
    parts.append(_wildcards(text[position:]))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _wildcards(text: str) -> str:
    return "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text
    )


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(_string(item) for item in value)
    return (_string(value),)


def _string(value: Any) -> str:
    # A JSON boolean ({"Null": {"s3:prefix": true}}, as the CDK writes Python's True) is
    # the string IAM compares: "true"/"false".
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _source_kept(statement: Statement) -> dict[str, Any]:
    data = statement.to_json()
    data["Sid"] = None
    return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """One request SageMaker Pipelines makes as the pipeline's role to run a step.

    ``context`` holds the request's condition keys (lower-case names); ``known`` the keys
    (or ``/``-ended prefixes) it is known to lack when ``context`` doesn't hold them.
    ``what`` says what the call is for, as a denial names it.

    Example::

        ServiceCall("iam:PassRole", "arn:aws:iam::1:role/Step",
                    {"iam:passedtoservice": "sagemaker.amazonaws.com"}, what="RoleArn")
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    known: tuple[str, ...] = ()
    what: str = ""
    # Keys whose Deny applies when the request's value can't be read (see ``evaluate``).
    strict: tuple[str, ...] = ()


class AccessGuard:
    """Checks one principal's requests against the roles it runs as; raises when one is denied.

    ``roles`` is one role (a tuning job of several definitions may have one per
    definition: a request must be allowed for each). ``policies``, the assembly's, gives
    the bucket and key policies the requests are evaluated against too. Decisions are
    cached per request.

    Example::

        guard = AccessGuard([role], "the job of step 'Train'", "aws")
        guard.read("s3://b/data/x.csv", "channel 'train'")
        guard.write_tree("s3://b/model", Path("staging/model"), "output")
    """

    def __init__(
        self,
        roles: Sequence[RolePolicies],
        who: str,
        partition: str,
        policies: AssemblyRoles | None = None,
    ) -> None:
        self.roles = tuple(roles)
        self.who = who  # "the job of step 'Train'", as failures name the requester
        self.partition = partition
        self.policies = policies
        self._decided: dict[tuple[str, str, tuple[tuple[str, ContextValue], ...]], None] = {}

    def read(self, uri: str, what: str, key: ObjectKey | None = None) -> None:
        """``s3:GetObject`` on the object ``uri``; ``kms:Decrypt`` on ``key`` (SSE-KMS)."""
        self._check("s3:GetObject", self._object_arn(uri), {}, what)
        if key is not None:
            self._use_key("kms:Decrypt", key, uri, what)

    def write(self, uri: str, what: str, key: ObjectKey | None = None) -> None:
        """``s3:PutObject`` on the object ``uri``; ``kms:GenerateDataKey`` on ``key``."""
        headers = {_SSE: "aws:kms", _SSE_KEY: key.arn} if key is not None and key.requested else {}
        self._check("s3:PutObject", self._object_arn(uri), headers, what)
        if key is not None:
            self._use_key("kms:GenerateDataKey", key, uri, what)

    def list(self, uri: str, what: str, action: str = "s3:ListBucket") -> None:
        """``action`` on ``uri``'s bucket, ``s3:prefix`` its key as written.

        ``s3:ListBucketVersions`` is what ListObjectVersions asks (a SealStep's manifest).
        """
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        self._check(action, f"arn:{self.partition}:s3:::{bucket}", {_PREFIX: key}, what)

    def read_tree(self, uri: str, path: Path, what: str, key: ObjectKey | None = None) -> None:
        """``s3:GetObject`` on each object of a local folder served at the prefix ``uri``."""
        for relative in _files(path):
            self.read(f"{uri.rstrip('/')}/{relative}", what, key)

    def write_tree(self, uri: str, path: Path, what: str, key: ObjectKey | None = None) -> None:
        """``s3:PutObject`` on each file published at ``uri`` (a file, or a folder's files)."""
        if path.is_file():
            self.write(uri, what, key)
            return
        for relative in _files(path):
            self.write(f"{uri.rstrip('/')}/{relative}", what, key)

    def _use_key(self, action: str, key: ObjectKey, uri: str, what: str) -> None:
        """S3 calls KMS as the requester: the object's key must be usable by the role."""
        verb = "written" if action == "kms:GenerateDataKey" else "read"
        grant = "key.grant_encrypt(role)" if verb == "written" else "key.grant_decrypt(role)"

        def denied(role: RolePolicies, decision: Decision) -> str:
            return (
                f"AccessDenied (simulated from the assembly's IAM policies): role {role.name} "
                f"may not {action} on {key.arn}: {decision.reason} ({what} {uri}, encrypted "
                f"with {key.why} (SSE-KMS), {verb} by {self.who}). Grant it to the role (for "
                f"example {grant} or a statement allowing {action} on {key.arn}), or run "
                "with --no-iam-check (LocalConfig(iam_check=False))"
            )

        self._check(action, key.arn, {}, what, describe=denied)

    def call(self, call: ServiceCall) -> None:
        """A call the service makes as this role (``iam:PassRole``, ``sagemaker:Create…``)."""
        self._check(
            call.action, call.resource, call.context, call.what, call.known, strict=call.strict
        )

    def _object_arn(self, uri: str) -> str:
        return f"arn:{self.partition}:s3:::{normalize_s3_uri(uri).removeprefix('s3://')}"

    def _check(
        self,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue],
        what: str,
        known: tuple[str, ...] = (),
        describe: Callable[[RolePolicies, Decision], str] | None = None,
        *,
        strict: tuple[str, ...] = (),
    ) -> None:
        key = (action, resource, tuple(sorted(context.items())))
        if key in self._decided:
            return
        policy = self.policies.resource_policy(resource) if self.policies else None
        for role in self.roles:
            full = {_SECURE_TRANSPORT: "true", **context}
            decision = evaluate(role, action, resource, full, known, policy, strict=strict)
            if not decision.allowed:
                if describe is not None:
                    message = describe(role, decision)
                elif action.startswith("s3:"):
                    message = self._denied(role, action, resource, context, what, decision)
                else:
                    message = self._call_denied(
                        role, action, resource, context, what, decision, bool(strict)
                    )
                raise AccessDeniedError(message)
        self._decided[key] = None  # threads of a tuning step may race here: harmless

    def _denied(
        self,
        role: RolePolicies,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue],
        what: str,
        decision: Decision,
    ) -> str:
        listed = f" (s3:prefix {context[_PREFIX]!r})" if _PREFIX in context else ""
        if _SSE_KEY in context:
            listed = f" (SSE-KMS with {context[_SSE_KEY]})"
        verb = "written" if action == "s3:PutObject" else "read"
        return (
            f"AccessDenied (simulated from the assembly's IAM policies): role {role.name} may "
            f"not {action} on {resource}{listed}: {decision.reason} ({what}, {verb} by "
            f"{self.who}). Grant it to the role, narrowed to what the job needs (for a "
            "location a parameter gives, the parameter's prefixes in the Pipeline's "
            "parameter_locations; else a grant of the prefix, bucket.grant_read(role, "
            f"'prefix/*'), or a statement allowing {action} on {resource}), or run with "
            "--no-iam-check (LocalConfig(iam_check=False))"
        )

    def _call_denied(
        self,
        role: RolePolicies,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue],
        what: str,
        decision: Decision,
        job_request: bool = False,
    ) -> str:
        # The condition values the request carried, as IAM spells the keys.
        values = ", ".join(
            f"{_KEY_SPELLINGS.get(name, name)}={value!r}" for name, value in sorted(context.items())
        )
        carried = f" (with {values})" if values else ""
        # A job request denied by a Deny (the derived role's job conditions: another key,
        # no network isolation, another subnet) isn't lifted by a grant.
        fix = (
            "Make the job's request match the Deny's condition (as the deployed definition "
            "states it)"
            if job_request and decision.reason.startswith("an explicit Deny")
            else "Grant it to the pipeline's role"
        )
        return (
            f"AccessDenied (simulated from the assembly's IAM policies): role {role.name} may "
            f"not {action} on {resource}{carried}: {decision.reason} ({what}, called by "
            f"{self.who}). {fix}, or run with --no-iam-check "
            "(LocalConfig(iam_check=False))"
        )


_KEY_SPELLINGS = {
    **{key.lower(): key for key in (*JOB_CONDITION_KEYS, INSTANCE_TYPES)},
    PASSED_TO_SERVICE: "iam:PassedToService",
    APPROVAL_STATUS: "sagemaker:ModelApprovalStatus",
}


def _files(path: Path) -> Iterable[str]:
    """Relative POSIX paths of the files under ``path``, links followed (as reads do)."""
    for folder, _, names in os.walk(path, followlinks=True):
        relative = os.path.relpath(folder, path)
        for name in names:
            yield name if relative == "." else f"{Path(relative).as_posix()}/{name}"


def job_roles(step_type: str, arguments: Any, models: Path) -> list[str] | None:
    """The role ARNs a job step's job runs as, from its evaluated ``Arguments``.

    None for a step that runs no job reading S3 locally. A Transform job runs as its
    model's ``ExecutionRoleArn``, read from the local model record (``<models>/<name>.json``).

    Example::

        job_roles("Training", {"RoleArn": "arn:aws:iam::1:role/R"}, models)  # ['arn:…:role/R']
    """
    if not isinstance(arguments, Mapping):
        return None
    if step_type in ("Processing", "Training", "AutoML", "QualityCheck", "ClarifyCheck"):
        return [str(arguments.get("RoleArn"))]
    if step_type == "Model":
        return [str(arguments.get("ExecutionRoleArn"))]
    if step_type == "Tuning":
        definitions = [arguments.get("TrainingJobDefinition")]
        definitions += list(arguments.get("TrainingJobDefinitions") or [])
        roles = [str(item.get("RoleArn")) for item in definitions if isinstance(item, Mapping)]
        return list(dict.fromkeys(roles))
    if step_type == "Transform":
        name = arguments.get("ModelName")
        # Only a file of models/ (the executor refuses any other name, with its reason).
        if not isinstance(name, str) or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", name) is None:
            return None
        try:
            record = json.loads((models / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [str(record.get("ExecutionRoleArn"))]
    return None


# Where each job request names the key of what it writes to S3 (SSE-KMS).
_OUTPUT_KEY_FIELDS: dict[str, tuple[str, str]] = {
    "Processing": ("ProcessingOutputConfig", "KmsKeyId"),
    "QualityCheck": ("ProcessingOutputConfig", "KmsKeyId"),
    "ClarifyCheck": ("ProcessingOutputConfig", "KmsKeyId"),
    "Training": ("OutputDataConfig", "KmsKeyId"),
    "AutoML": ("OutputDataConfig", "KmsKeyId"),
    "Transform": ("TransformOutput", "KmsKeyId"),
}


def output_keys(
    step_type: str, arguments: Any, uris: Iterable[str], roles: AssemblyRoles, step: str
) -> dict[str, ObjectKey | None]:
    """The key each output URI of a job step is encrypted with (None: not SSE-KMS).

    The job's output key if its request names one (a tuning job: the key of the training
    job definition whose ``S3OutputPath`` holds the URI), else the bucket's default key.

    Example::

        output_keys("Training", {"OutputDataConfig": {"KmsKeyId": "alias/ml"}},
                    ["s3://b/model"], roles, "Train")
        # {'s3://b/model': ObjectKey('arn:aws:kms:…:key/MlKey', "the output key of step 'Train' …")}
    """
    arguments = arguments if isinstance(arguments, Mapping) else {}
    candidates: list[tuple[str, Any, str]] = []  # (S3 prefix or "", KmsKeyId, its field)
    if step_type in _OUTPUT_KEY_FIELDS:
        parent, name = _OUTPUT_KEY_FIELDS[step_type]
        config = arguments.get(parent)
        if isinstance(config, Mapping) and config.get(name):
            candidates.append(("", config.get(name), f"{parent}.{name}"))
    elif step_type == "Tuning":
        definitions = [("TrainingJobDefinition", arguments.get("TrainingJobDefinition"))]
        definitions += [
            (f"TrainingJobDefinitions[{index}]", item)
            for index, item in enumerate(arguments.get("TrainingJobDefinitions") or [])
        ]
        for where, definition in definitions:
            config = definition.get("OutputDataConfig") if isinstance(definition, Mapping) else None
            if isinstance(config, Mapping) and config.get("KmsKeyId"):
                prefix = str(config.get("S3OutputPath") or "").rstrip("/")
                candidates.append(
                    (prefix, config["KmsKeyId"], f"{where}.OutputDataConfig.KmsKeyId")
                )
    found: dict[str, ObjectKey | None] = {}
    for uri in uris:
        chosen = next(
            (
                (reference, where)
                for prefix, reference, where in candidates
                if not prefix or uri == prefix or uri.startswith(f"{prefix}/")
            ),
            None,
        )
        if chosen is None:
            found[uri] = roles.bucket_key(uri.removeprefix("s3://").partition("/")[0])
            continue
        reference, where = chosen
        arn = roles.key_arn(reference)
        found[uri] = (
            None
            if arn is None
            else ObjectKey(
                arn, f"the output key of step '{step}' ({where} {reference})", requested=True
            )
        )
    return found
