"""How long a policy statement is once deployed, to keep managed policies within IAM's limit.

IAM refuses a managed policy document longer than 6,144 characters (whitespace not
counted): ``cdk deploy`` fails on it, long after synth. The template holds intrinsic
functions where the deployed document holds their values, so a statement's deployed length
is estimated from its rendered form, each reference counted at the longest value it can
take (an account id 12 characters, a bucket name 63, an ARN 128, …). A pipeline whose
derived statements don't fit one policy gets several (``pack``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from aws_cdk import CfnParameter, CfnResource, Stack
from aws_cdk import aws_iam as iam

from constructs import Construct

from ._tree import fact_of, is_instance, node_of

MAX_MANAGED_POLICY_LENGTH = 6_144
"""IAM's limit on a managed policy document, in characters other than whitespace."""
# IAM's default quota of managed policies attached to one role.
MAX_MANAGED_POLICIES_PER_ROLE = 10
# The most that quota can be raised to (Service Quotas): a role never takes more.
MAX_MANAGED_POLICIES_PER_ROLE_RAISED = 20
# {"Version":"2012-10-17","Statement":[…]} around the statements.
_DOCUMENT_OVERHEAD = len('{"Version":"2012-10-17","Statement":[]}')

# The longest value of each pseudo parameter (AWS::Partition "aws-iso-b", a region such as
# "ap-southeast-4", AWS::URLSuffix "amazonaws.com.cn", …).
_PSEUDO_PARAMETERS = {
    "AWS::AccountId": 12,
    "AWS::Region": 16,
    "AWS::Partition": 10,
    "AWS::URLSuffix": 16,
    "AWS::NoValue": 0,
}
# A resource's Ref (a bucket name: 63; a key id: 36; a role name: 64) and any attribute.
_REFERENCE = 64
# An ARN: arn:aws-iso-b:lambda:ap-southeast-4:111122223333:function:<64 characters> is 118
# (a function named by CloudFormation takes all 64), a queue's of 80 characters 126.
_ATTRIBUTE = 128
_EXPORT = 128
# The Ref of a function version or alias is its function's ARN with a qualifier: a version
# number, or an alias name of up to 128 characters.
_VERSION_REFERENCE = 118 + 1 + 10
_ALIAS_REFERENCE = 118 + 1 + 128
# A template parameter without MaxLength: as long as an ARN (a bucket name or a role ARN,
# say; counting each at CloudFormation's 4,096 would leave no room in a policy).
_PARAMETER = _ATTRIBUTE
# By their jsii names: importing aws_cdk.aws_lambda (and aws_ec2 with it) to tell them apart
# would cost every app that has no function a tenth of a second.
_LAMBDA_VERSION = "aws-cdk-lib.aws_lambda.CfnVersion"
_LAMBDA_ALIAS = "aws-cdk-lib.aws_lambda.CfnAlias"
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
# The prefix of the longest ARN, arn:<partition>:<service>:<region>:111122223333:, at the
# longest partition and region counted for the pseudo parameters (us-isof-south-1 has 15).
_ARN_PREFIX = (
    len("arn:")
    + _PSEUDO_PARAMETERS["AWS::Partition"]
    + 2
    + _PSEUDO_PARAMETERS["AWS::Region"]
    + len(":111122223333:")
)
# Resource types whose Ref or attributes can be longer than a name (64) or an ARN (128),
# each counted at its longest value: a topic or repository name takes up to 256 characters.
_LONG_REFERENCES: dict[str, int] = {
    "AWS::SNS::Topic": _ARN_PREFIX + len("sns") + 256,  # Ref: the topic's ARN
    "AWS::ECR::Repository": 256,  # Ref: the repository's name
    # Ref: the queue's URL, https://sqs.<region>.<domain>/<account>/<name of 80>
    "AWS::SQS::Queue": len("https://sqs..amazonaws.com.cn/111122223333/")
    + _PSEUDO_PARAMETERS["AWS::Region"]
    + 80,
    "AWS::SageMaker::ModelPackageGroup": _ARN_PREFIX
    + len("sagemaker")
    + len("model-package-group/")
    + 63,  # Ref: the group's ARN
    "AWS::SageMaker::Pipeline": _ARN_PREFIX + len("sagemaker") + len("pipeline/") + 256,
}
_LONG_ATTRIBUTES: dict[tuple[str, str], int] = {
    ("AWS::SNS::Topic", "TopicArn"): _LONG_REFERENCES["AWS::SNS::Topic"],
    ("AWS::SNS::Topic", "TopicName"): 256,
    ("AWS::ECR::Repository", "Arn"): _ARN_PREFIX + len("ecr") + len("repository/") + 256,
    ("AWS::ECR::Repository", "RepositoryUri"): len("111122223333.dkr.ecr..amazonaws.com.cn/")
    + _PSEUDO_PARAMETERS["AWS::Region"]
    + 256,
    ("AWS::SQS::Queue", "QueueUrl"): _LONG_REFERENCES["AWS::SQS::Queue"],
}

_T = TypeVar("_T")


def deployed_length(rendered: Any, references: Mapping[str, int] | None = None) -> int:
    """The estimated length of ``rendered`` (a resolved template value) as deployed JSON.

    ``references``: the longest value of the ``Ref`` of some logical ids, where it is not
    that of a resource name (a parameter, a function version's ARN), and of some attributes
    (``"<logical id>.<attribute>"``) longer than an ARN of 128 characters.

    Example::

        deployed_length({"Ref": "AWS::AccountId"})  # 14: a quoted 12-digit id
    """
    known = references or {}
    if isinstance(rendered, dict):
        if is_intrinsic(rendered):
            return _text_length(rendered, known) + 2  # a JSON string, quoted
        return (
            2
            + max(len(rendered) - 1, 0)
            + sum(
                len(json.dumps(key)) + 1 + deployed_length(item, known)
                for key, item in rendered.items()
            )
        )
    if isinstance(rendered, list):
        return (
            2 + max(len(rendered) - 1, 0) + sum(deployed_length(item, known) for item in rendered)
        )
    return len(json.dumps(rendered, ensure_ascii=False))


def document_lengths(stack: Stack, rendered: Sequence[Any]) -> list[int]:
    """``deployed_length`` of each of ``rendered`` (documents resolved in ``stack``).

    Each ``Ref`` at its longest, as ``statement_lengths`` counts statements beside many:
    parameters, function versions, topics and queues at the longest value they can take
    (the stack searched once for them all).

    Example::

        document_lengths(stack, [stack.resolve(policy.document.to_json())])
    """
    references = _reference_lengths(stack) if rendered else {}
    return [deployed_length(document, references) for document in rendered]


def is_intrinsic(value: dict[str, Any]) -> bool:
    """Whether ``value`` is a CloudFormation intrinsic (``{"Ref": …}``, ``{"Fn::Join": …}``)."""
    if len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


def _text_length(value: Any, references: Mapping[str, int]) -> int:
    """The length of the string an intrinsic (or a literal) becomes."""
    if isinstance(value, str):
        return len(json.dumps(value, ensure_ascii=False)) - 2  # as escaped in the document
    if not isinstance(value, dict) or len(value) != 1:
        return len(json.dumps(value))
    ((function, argument),) = value.items()
    if function == "Ref":
        return _reference_length(str(argument), references)
    if function == "Fn::GetAtt":
        if isinstance(argument, list) and len(argument) == 2:
            return references.get(f"{argument[0]}.{argument[1]}", _ATTRIBUTE)
        return _ATTRIBUTE
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        separator, parts = argument
        if isinstance(parts, list):
            gaps = len(str(separator)) * max(len(parts) - 1, 0)
            return gaps + sum(_text_length(part, references) for part in parts)
    if function == "Fn::Sub":
        template = argument[0] if isinstance(argument, list) else argument
        values = argument[1] if isinstance(argument, list) and len(argument) > 1 else {}
        if isinstance(template, str) and isinstance(values, dict):
            variables = _SUB_VARIABLE.findall(template)
            literal = len(_SUB_VARIABLE.sub("", template))
            return literal + sum(
                _text_length(values[name], references)
                if name in values
                else (
                    references.get(name, _ATTRIBUTE)
                    if "." in name
                    else _reference_length(name, references)
                )
                for name in variables
            )
    if function == "Fn::ImportValue":
        return _EXPORT
    if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
        return max(_text_length(branch, references) for branch in argument[1:])
    if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
        choices = argument[1]
        if isinstance(choices, list) and choices:
            return max(_text_length(choice, references) for choice in choices)
        split = choices.get("Fn::Split") if isinstance(choices, dict) else None
        if isinstance(split, list) and len(split) == 2:
            return _text_length(split[1], references)  # a piece is no longer than the whole
    # Fn::FindInMap, …: as long as the longest reference.
    return _ATTRIBUTE


def _reference_length(name: str, references: Mapping[str, int]) -> int:
    if name in _PSEUDO_PARAMETERS:
        return _PSEUDO_PARAMETERS[name]
    return references.get(name, _REFERENCE)


def pack(statements: Sequence[_T], lengths: Sequence[int]) -> list[list[_T]]:
    """Split ``statements`` (of the given deployed lengths), in order, into policies that fit.

    One group when all fit one managed policy, as for most pipelines. A statement longer
    than a policy can hold (one ``split_long_statements`` couldn't split) gets a group of
    its own, and fails at deploy.

    Example::

        pack(["a", "b", "c"], [3000, 3000, 3000])  # [["a", "b"], ["c"]]
    """
    budget = MAX_MANAGED_POLICY_LENGTH - _DOCUMENT_OVERHEAD
    groups: list[list[_T]] = []
    used = 0
    for statement, length in zip(statements, lengths, strict=True):
        if groups and used + 1 + length <= budget:  # 1: the comma before it
            groups[-1].append(statement)
            used += 1 + length
        else:
            groups.append([statement])
            used = length
    return groups


def managed_policy(
    scope: Construct,
    construct_id: str,
    description: str,
    index: int,
    statements: Sequence[iam.PolicyStatement],
    role: iam.IRole | None,
) -> iam.ManagedPolicy:
    """The ``index``-th managed policy of a role's statements: ``<id>``, ``<id>2``, ….

    The first keeps ``construct_id`` (so its logical id and ARN when a role's statements
    grow into a second), the others are described "… (part <n>)". ``role``: the role to
    attach it to; None leaves it unattached (a role imported with ``mutable=False``).

    Example::

        managed_policy(self, "RolePolicy", "What the endpoint reads", 1, statements, role)
        # RolePolicy2, described "What the endpoint reads (part 2)"
    """
    return iam.ManagedPolicy(
        scope,
        construct_id if index == 0 else f"{construct_id}{index + 1}",
        description=description + part(index),
        statements=list(statements),
        roles=None if role is None else [role],
    )


def managed_policies(
    scope: Construct,
    construct_id: str,
    description: str,
    groups: list[list[iam.PolicyStatement]],
    role: iam.IRole | None,
) -> list[iam.ManagedPolicy]:
    """One managed policy per group of statements (``RolePolicy``, ``RolePolicy2``, …)."""
    return [
        managed_policy(scope, construct_id, description, index, group, role)
        for index, group in enumerate(groups)
    ]


def part(index: int) -> str:
    """`` (part 2)`` for the second policy on, nothing for the first.

    Not "part 1 of 2": a managed policy's ``Description`` is create-only, so a count in it
    would replace the first policy (a new ARN, which a role attached by hand loses) when the
    permissions grow into a second one.
    """
    return f" (part {index + 1})" if index else ""


def split_long_statements(
    stack: Stack,
    statements: Sequence[iam.PolicyStatement],
    rendered: Sequence[Any],
    lengths: Sequence[int],
) -> list[iam.PolicyStatement]:
    """``statements``, each one too long for a managed policy split into parts that fit.

    A statement lists every location of a bucket the jobs read or write (every output of
    every step, every script): a pipeline of a few dozen steps makes one longer than IAM's
    6,144 characters, which no managed policy can hold, and ``cdk deploy`` failed on it.
    Its ``Resource`` list (or, for a statement of one resource, the values of its one
    list-valued condition key, as ``s3:prefix`` of a ``ListBucket``) is split, in order, into
    statements that each fit a policy: ``ReadDataInArtifactsBucket``,
    ``ReadDataInArtifactsBucketPart2``, …
    (IAM allows what any of them allows, so together they allow what the one did).
    ``rendered`` and ``lengths``: what ``render_statements`` and ``statement_lengths``
    returned for ``statements``. The list given is returned when nothing needs splitting.
    """
    budget = MAX_MANAGED_POLICY_LENGTH - _DOCUMENT_OVERHEAD
    if len(rendered) != len(statements) or all(length <= budget for length in lengths):
        return list(statements)
    references = _reference_lengths(stack)
    result: list[iam.PolicyStatement] = []
    for statement, shown, length in zip(statements, rendered, lengths, strict=True):
        parts = _split(statement, shown, length, budget, references) if length > budget else []
        result += parts or [statement]
    return result


# Room for the "Part<n>" a part's Sid gets.
_PART_SUFFIX = len("Part999")


def _split(
    statement: iam.PolicyStatement,
    shown: Mapping[str, Any],
    length: int,
    budget: int,
    references: Mapping[str, int],
) -> list[iam.PolicyStatement]:
    """``statement`` as parts that each fit ``budget``; empty when it can't be split."""
    resources = shown.get("Resource")
    if isinstance(resources, list) and len(resources) > 1:
        chunks = _chunks(resources, length, budget, references)
        given = list(statement.resources)  # the tokens, in the order rendered
        if len(chunks) < 2 or len(given) != len(resources):
            return []
        return _parts(statement, resources=[given[start:end] for start, end in chunks])
    conditions: Mapping[str, Any] = shown.get("Condition") or {}
    listed = [
        (operator, key, value)
        for operator, values in conditions.items()
        if isinstance(values, dict)
        for key, value in values.items()
        if isinstance(value, list) and len(value) > 1
    ]
    if len(listed) != 1:
        return []
    ((operator, key, values),) = listed
    chunks = _chunks(values, length, budget, references)
    given_conditions = dict(statement.conditions or {})
    given = list(given_conditions.get(operator, {}).get(key, []))
    if len(chunks) < 2 or len(given) != len(values):
        return []
    return _parts(
        statement,
        conditions=[
            {**given_conditions, operator: {**given_conditions[operator], key: given[start:end]}}
            for start, end in chunks
        ],
    )


def _chunks(
    values: list[Any], length: int, budget: int, references: Mapping[str, int]
) -> list[tuple[int, int]]:
    """``(start, end)`` of runs of ``values`` (a list in a statement of ``length``) that fit."""
    sizes = [deployed_length(value, references) for value in values]
    # The statement without the list's values (its "[]" kept), and the Sid's "Part<n>".
    rest = length - (len(sizes) - 1 + sum(sizes)) + _PART_SUFFIX
    chunks: list[tuple[int, int]] = []
    start, used = 0, rest
    for index, size in enumerate(sizes):
        if index > start and used + 1 + size > budget:
            chunks.append((start, index))
            start, used = index, rest
        used += size + (1 if index > start else 0)
    chunks.append((start, len(sizes)))
    return chunks


def _parts(
    statement: iam.PolicyStatement,
    *,
    resources: list[list[str]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
) -> list[iam.PolicyStatement]:
    """Copies of ``statement`` with each of ``resources`` or ``conditions``, Sids ``…Part<n>``."""
    sid = statement.sid
    count = len(resources if resources is not None else conditions or [])
    return [
        statement.copy(
            sid=f"{sid}Part{index + 1}" if index and sid else None,
            resources=resources[index] if resources is not None else None,
            conditions=conditions[index] if conditions is not None else None,
        )
        for index in range(count)
    ]


def render_statements(stack: Stack, statements: Sequence[iam.PolicyStatement]) -> list[Any]:
    """``statements`` as ``stack``'s template renders them, in one policy document.

    One statement rendered per statement given, in order, unless IAM's policy minimization
    merged some. Resolving takes three round trips to jsii and Node's work of merging: a
    pipeline renders its derived statements once, for their lengths and for the wildcards
    it acknowledges (``statement_lengths`` and ``acknowledge_wildcards_of`` take the result).
    """
    if not statements:
        return []
    resolved = stack.resolve(iam.PolicyDocument(statements=list(statements)).to_json())
    return list(resolved.get("Statement", [])) if resolved else []


def statement_lengths(
    stack: Stack,
    statements: Sequence[iam.PolicyStatement],
    rendered: Sequence[Any] | None = None,
) -> list[int]:
    """The estimated deployed length of each of ``statements`` (one document resolved by jsii).

    ``rendered``: what ``render_statements(stack, statements)`` returned, if already known.
    """
    if not statements:
        return []
    if rendered is None:
        rendered = render_statements(stack, statements)
    if len(rendered) != len(statements):  # merged: count them as one policy would
        total = deployed_length(rendered, _reference_lengths(stack))
        return [total // len(statements) + 1] * len(statements)
    lengths = [deployed_length(statement) for statement in rendered]
    # Searching the stack for parameters and function versions takes a round trip to jsii
    # per construct: only worth it when their longer values could outgrow a policy (a Ref
    # counted at 64 is at most 247 characters: 4 times as long).
    if sum(lengths) * 4 > MAX_MANAGED_POLICY_LENGTH:
        references = _reference_lengths(stack)
        if references:
            lengths = [deployed_length(statement, references) for statement in rendered]
    return lengths


# The resource type of each of aws-cdk-lib's L1 classes met (by jsii name), read from its
# first instance: every instance of an L1 class has its type (unlike a CfnResource's).
_L1_TYPES: dict[str, str] = {}


def _resource_type(resource: CfnResource) -> str:
    """``resource.cfn_resource_type``, read once per aws-cdk-lib L1 class (CfnBucket, …)."""
    jsii_type = next(
        (
            vars(cls)["__jsii_type__"]
            for cls in type(resource).__mro__
            if "__jsii_type__" in vars(cls)
        ),
        None,
    )
    if (
        not isinstance(jsii_type, str)
        or not jsii_type.startswith("aws-cdk-lib.")
        or jsii_type == "aws-cdk-lib.CfnResource"
    ):
        return resource.cfn_resource_type
    known = _L1_TYPES.get(jsii_type)
    if known is None:
        known = _L1_TYPES[jsii_type] = resource.cfn_resource_type
    return known


_Reference = tuple[str, int, str | None]


def _resource_reference(resource: CfnResource) -> _Reference | None:
    """``(logical id token, longest Ref, type with long attributes)`` of a long-``Ref`` resource.

    None for a resource whose ``Ref`` is no longer than a name. Its type and logical id (the
    token) never change.
    """
    resource_type = _resource_type(resource)
    reference: _Reference | None = None
    if resource_type in _LONG_REFERENCES:
        reference = (resource.logical_id, _LONG_REFERENCES[resource_type], resource_type)
    elif is_instance(resource, _LAMBDA_VERSION):
        reference = (resource.logical_id, _VERSION_REFERENCE, None)
    elif is_instance(resource, _LAMBDA_ALIAS):
        reference = (resource.logical_id, _ALIAS_REFERENCE, None)
    return reference


def _reference_lengths(stack: Stack) -> dict[str, int]:
    """The longest value of each ``Ref`` in ``stack`` that isn't a resource name.

    A parameter can hold anything (a role ARN for a bucket name); ``fn.current_version``
    and aliases, a ``LambdaStep``'s usual ``function_arn``, are ARNs referenced by ``Ref``;
    a topic's ``Ref`` is its ARN and a queue's its URL. Attributes longer than an ARN of
    128 characters (a repository's ARN with a name of 256) are keyed
    ``"<logical id>.<attribute>"``.
    """
    # (the logical id's token, the longest value of its Ref, the resource type when it is
    # one with long attributes too): the tokens are resolved at once, in one round trip.
    found: list[tuple[str, int, str | None]] = []
    for construct in node_of(stack).find_all():
        if is_instance(construct, CfnResource):
            # Read once per resource: every pipeline of a stack searches it, and a stack of
            # many pipelines holds many queues, topics and pipelines.
            reference = fact_of(stack, "reference", construct, _resource_reference)
            if reference is not None:
                found.append(reference)
        elif is_instance(construct, CfnParameter):
            # Read every time: a parameter's MaxLength may be set after it is created.
            length = construct.max_length
            longest = int(length) if length is not None else _PARAMETER
            found.append((construct.logical_id, longest, None))
    logical_ids: list[str] = stack.resolve([token for token, _, _ in found]) if found else []
    lengths: dict[str, int] = {}
    for logical_id, (_, longest, with_attributes) in zip(logical_ids, found, strict=True):
        lengths[logical_id] = longest
        for (of_type, attribute), longest_attribute in _LONG_ATTRIBUTES.items():
            if of_type == with_attributes:
                lengths[f"{logical_id}.{attribute}"] = longest_attribute
    return lengths
