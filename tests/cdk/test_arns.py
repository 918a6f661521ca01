"""``_arns.format_arn`` writes what ``Stack.format_arn`` writes, without a jsii round trip."""

from __future__ import annotations

import pytest
from aws_cdk import ArnFormat

from cdk_sagemaker_pipelines.cdk._arns import format_arn
from tests.cdk.conftest import new_stack


@pytest.mark.parametrize(
    ("account", "region"),
    [("111122223333", "us-east-1"), ("111122223333", "cn-north-1"), (None, None)],
    ids=["pinned", "china", "env-agnostic"],
)
@pytest.mark.parametrize(
    "arn_format", [ArnFormat.SLASH_RESOURCE_NAME, ArnFormat.COLON_RESOURCE_NAME]
)
def test_matches_the_stacks_own_arn(
    account: str | None, region: str | None, arn_format: ArnFormat
) -> None:
    stack = new_stack(account=account, region=region)
    options = {"service": "sagemaker", "resource": "pipeline", "resource_name": "train-*"}

    ours = format_arn(stack, arn_format=arn_format, **options)

    assert stack.resolve(ours) == stack.resolve(stack.format_arn(arn_format=arn_format, **options))


def test_other_formats_are_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match=r"use stack\.format_arn"):
        format_arn(
            new_stack(),
            service="s3",
            resource="bucket",
            resource_name="x",
            arn_format=ArnFormat.NO_RESOURCE_NAME,
        )
