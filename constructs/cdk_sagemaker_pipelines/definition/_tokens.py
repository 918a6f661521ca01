"""Recognise CDK tokens without importing aws_cdk.

Values in a definition may be CDK tokens (a bucket name, a role ARN) that resolve
only at deploy time. Validation must skip them, never guess: this mirrors
``Token.isUnresolved`` for the encodings aws-cdk-lib uses.
"""

from __future__ import annotations

import re
from typing import Any

# String tokens look like ``${Token[Bucket.Name.123]}``; list tokens ``#{Token[...]}``.
_STRING_TOKEN = re.compile(r"[$#]\{Token\[[^\]]+\]\}")
# aws-cdk-lib encodes number tokens as doubles in this narrow range (encoding.ts).
_NUMBER_TOKEN_LOW = -1.9e289
_NUMBER_TOKEN_HIGH = -1.8e289
# CloudFormation intrinsics that a rendered template may carry inside a definition.
_INTRINSIC_KEYS = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Sub",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::ImportValue",
        "Fn::If",
        "Fn::Base64",
        "Fn::GetAZs",
    }
)


def is_token(value: Any) -> bool:
    """Return True if ``value`` is (or contains, for strings) an unresolved deploy-time value.

    Example::

        is_token("s3://${Token[Bucket.Name.12]}/x")  # True
        is_token("s3://bucket/x")  # False
    """
    if isinstance(value, str):
        return "{Token[" in value and _STRING_TOKEN.search(value) is not None
    if isinstance(value, float):
        return _NUMBER_TOKEN_LOW < value < _NUMBER_TOKEN_HIGH
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value)) in _INTRINSIC_KEYS
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0].startswith("#{Token[")
    return False
