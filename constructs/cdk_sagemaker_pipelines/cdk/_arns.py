"""ARNs of a stack's resources, written in Python as ``Stack.format_arn`` writes them.

``format_arn`` is a jsii round trip per ARN, and a pipeline's roles, its registry and its
triggers name a dozen per stack; here the stack's partition, region and account are read
once per stack (region and account shared with ``_tree.account_region``), and each ARN
is joined from them as aws-cdk-lib's ``Arn.format`` joins its components
(``arn:<partition>:<service>:<region>:<account>:<resource><sep><name>``).
"""

from __future__ import annotations

import weakref

from aws_cdk import ArnFormat, Stack

from ._tree import stack_account_region

# Per stack: constant once the stack exists (its environment is fixed, and context, which
# decides partition literals, can't change once the stack has children).
_PARTITIONS: weakref.WeakKeyDictionary[Stack, str] = weakref.WeakKeyDictionary()


def format_arn(
    stack: Stack,
    *,
    service: str,
    resource: str,
    resource_name: str,
    arn_format: ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
) -> str:
    """``stack.format_arn(service=…, resource=…, resource_name=…, arn_format=…)``.

    Only for the slash and colon formats, with the stack's own partition, region and
    account (pass other components to ``stack.format_arn`` itself).

    Example::

        format_arn(stack, service="sagemaker", resource="pipeline", resource_name="train")
        # arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:pipeline/train
    """
    partition = _PARTITIONS.get(stack)
    if partition is None:
        partition = _PARTITIONS[stack] = stack.partition
    # Shared with the constructs' other reads of the stack's environment (``_tree``).
    account, region = stack_account_region(stack)
    if arn_format == ArnFormat.COLON_RESOURCE_NAME:
        separator = ":"
    elif arn_format == ArnFormat.SLASH_RESOURCE_NAME:
        separator = "/"
    else:
        raise ValueError(f"format_arn: unsupported {arn_format}; use stack.format_arn")
    return f"arn:{partition}:{service}:{region}:{account}:{resource}{separator}{resource_name}"
