"""How long a policy statement is once deployed, to keep managed policies within IAM's limit.

IAM refuses a managed policy document longer than 6,144 characters (whitespace not
counted): ``cdk deploy`` fails on it, long after synth. The template holds intrinsic
functions where the deployed document holds their values, so a statement's deployed length
is estimated from its rendered form, each reference counted at the longest value it can
take (an account id 12 characters, a bucket name 63, an ARN 100, …). A pipeline whose
derived statements don't fit one policy gets several (``pack``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

MAX_MANAGED_POLICY_LENGTH = 6_144
"""IAM's limit on a managed policy document, in characters other than whitespace."""
# IAM's default quota of managed policies attached to one role.
MAX_MANAGED_POLICIES_PER_ROLE = 10
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
_ATTRIBUTE = 100  # an ARN: arn:aws:iam::111122223333:role/<64 characters>, say
_EXPORT = 128
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")

_T = TypeVar("_T")


def deployed_length(rendered: Any) -> int:
    """The estimated length of ``rendered`` (a resolved template value) as deployed JSON.

    Example::

        deployed_length({"Ref": "AWS::AccountId"})  # 14: a quoted 12-digit id
    """
    if isinstance(rendered, dict):
        if _is_intrinsic(rendered):
            return _text_length(rendered) + 2  # a JSON string, quoted
        return (
            2
            + max(len(rendered) - 1, 0)
            + sum(
                len(json.dumps(key)) + 1 + deployed_length(item) for key, item in rendered.items()
            )
        )
    if isinstance(rendered, list):
        return 2 + max(len(rendered) - 1, 0) + sum(deployed_length(item) for item in rendered)
    return len(json.dumps(rendered, ensure_ascii=False))


def _is_intrinsic(value: dict[str, Any]) -> bool:
    if len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


def _text_length(value: Any) -> int:
    """The length of the string an intrinsic (or a literal) becomes."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, dict) or len(value) != 1:
        return len(json.dumps(value))
    ((function, argument),) = value.items()
    if function == "Ref":
        return _PSEUDO_PARAMETERS.get(str(argument), _REFERENCE)
    if function == "Fn::GetAtt":
        return _ATTRIBUTE
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        separator, parts = argument
        if isinstance(parts, list):
            gaps = len(str(separator)) * max(len(parts) - 1, 0)
            return gaps + sum(_text_length(part) for part in parts)
    if function == "Fn::Sub":
        template = argument[0] if isinstance(argument, list) else argument
        if isinstance(template, str):
            variables = _SUB_VARIABLE.findall(template)
            literal = len(_SUB_VARIABLE.sub("", template))
            return literal + sum(
                _PSEUDO_PARAMETERS.get(name, _ATTRIBUTE if "." in name else _REFERENCE)
                for name in variables
            )
    if function == "Fn::ImportValue":
        return _EXPORT
    # Fn::Select, Fn::If, …: as long as the longest reference.
    return _ATTRIBUTE


def pack(statements: Sequence[_T], lengths: Sequence[int]) -> list[list[_T]]:
    """Split ``statements`` (of the given deployed lengths), in order, into policies that fit.

    One group when all fit one managed policy, as for most pipelines. A statement longer
    than a policy can hold gets a group of its own (and fails at deploy, as it would anyway).

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


def statement_lengths(stack: Stack, statements: Sequence[iam.PolicyStatement]) -> list[int]:
    """The estimated deployed length of each of ``statements`` (one round trip to jsii)."""
    if not statements:
        return []
    resolved = stack.resolve(iam.PolicyDocument(statements=list(statements)).to_json())
    rendered: list[Any] = resolved.get("Statement", []) if resolved else []
    if len(rendered) != len(statements):  # merged: count them as one policy would
        total = deployed_length(rendered)
        return [total // len(statements) + 1] * len(statements)
    return [deployed_length(statement) for statement in rendered]
