"""Recognise CDK tokens without importing aws_cdk.

Values in a definition may be CDK tokens (a bucket name, a role ARN) that resolve
only at deploy time. Validation must skip them, never guess: this mirrors
``Token.isUnresolved`` for the encodings aws-cdk-lib uses, and also finds a number token
written as text, which aws-cdk-lib resolves inside strings as well.
"""

from __future__ import annotations

import re
from typing import Any

# String tokens look like ``${Token[Bucket.Name.123]}``; list tokens ``#{Token[...]}``.
_STRING_TOKEN = re.compile(r"[$#]\{Token\[[^\]]+\]\}")
# A number token written as text (``str(parameter.value_as_number)``, as a string member such as
# a tuning range bound renders a number): aws-cdk-lib resolves it inside strings too
# (encoding.ts, STRINGIFIED_NUMBER_PATTERN), although Token.isUnresolved doesn't say so.
_STRINGIFIED_NUMBER_TOKEN = re.compile(r"-1\.\d{10,16}e\+289")
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
        return is_string_token(value)
    if isinstance(value, float):
        return _NUMBER_TOKEN_LOW < value < _NUMBER_TOKEN_HIGH
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value)) in _INTRINSIC_KEYS
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0].startswith("#{Token[")
    return False


def is_string_token(text: str) -> bool:
    """Return True if ``text`` holds a string token or a number token written as text.

    Example::

        is_string_token("s3://${Token[Bucket.Name.12]}/x")  # True
        is_string_token(str(-1.8881545897087626e289))  # True: CfnParameter.value_as_number
        is_string_token("-1.5")  # False
    """
    if "{Token[" in text and _STRING_TOKEN.search(text) is not None:
        return True
    return "e+289" in text and _STRINGIFIED_NUMBER_TOKEN.search(text) is not None
