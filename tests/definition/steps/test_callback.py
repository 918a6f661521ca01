"""CallbackStep renders SqsQueueUrl, OutputParameters and its inputs as Arguments."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    LambdaStep,
    OutputType,
    ParameterInteger,
    StepOutput,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.permissions import sqs_queue_arn_parts

QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/approvals"
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:prep"


def test_minimal_step_renders_empty_arguments(ctx: RenderContext) -> None:
    assert CallbackStep(name="Approve", sqs_queue_url=QUEUE).to_request(ctx) == {
        "Name": "Approve",
        "Type": "Callback",
        "Arguments": {},
        "SqsQueueUrl": QUEUE,
    }


def test_every_option(ctx: RenderContext) -> None:
    limit = ParameterInteger(name="Limit", default_value=10)
    prep = LambdaStep(name="Prep", function_arn=FUNCTION, outputs=[StepOutput(output_name="uri")])
    step = CallbackStep(
        name="Approve",
        display_name="Manual approval",
        description="Waits for a reviewer",
        depends_on=[prep, "Other"],
        sqs_queue_url=QUEUE,
        inputs={"uri": prep.properties.OutputParameters["uri"], "limit": limit, "urgent": True},
        outputs=[
            StepOutput(output_name="approved", output_type=OutputType.BOOLEAN),
            StepOutput(output_name="reviewer"),
        ],
    )

    assert step.to_request(ctx) == {
        "Name": "Approve",
        "Type": "Callback",
        "Arguments": {
            "uri": {"Get": "Steps.Prep.OutputParameters['uri']"},
            "limit": {"Get": "Parameters.Limit"},
            "urgent": True,
        },
        "DependsOn": ["Prep", "Other"],
        "DisplayName": "Manual approval",
        "Description": "Waits for a reviewer",
        "SqsQueueUrl": QUEUE,
        "OutputParameters": [
            {"OutputName": "approved", "OutputType": "Boolean"},
            {"OutputName": "reviewer", "OutputType": "String"},
        ],
    }
    assert ctx.referenced_steps == [prep]
    assert ctx.referenced_parameters == [limit]


def test_cache_config_renders_as_the_sdk_writes_it(ctx: RenderContext) -> None:
    # The SDK's CallbackStep(cache_config=CacheConfig(enable_caching=True, expire_after="P1D")).
    step = CallbackStep(
        name="Approve", sqs_queue_url=QUEUE, cache_config=CacheConfig(expire_after="P1D")
    )

    assert step.to_request(ctx) == {
        "Name": "Approve",
        "Type": "Callback",
        "Arguments": {},
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
        "SqsQueueUrl": QUEUE,
    }


def test_sdk_definition_of_a_cached_callback_step_is_valid() -> None:
    # Written by sagemaker 2.257.7 (CallbackStep(..., cache_config=CacheConfig(
    # enable_caching=True, expire_after="P1D"))); it used to fail with "not a field of a
    # Callback step (Callback steps can't be cached)".
    definition: dict[str, Any] = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "PipelineExperimentConfig": None,
        "Steps": [
            {
                "Name": "Approve",
                "Type": "Callback",
                "Arguments": {"a": 1},
                "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
                "SqsQueueUrl": QUEUE,
                "OutputParameters": [{"OutputName": "ok", "OutputType": "Boolean"}],
            }
        ],
    }

    assert validate_definition(definition) == []
    definition["Steps"][0]["CacheConfig"]["ExpireAfter"] = "1 day"
    (problem,) = validate_definition(definition)
    assert (problem.step, problem.field) == ("Approve", "CacheConfig.ExpireAfter")


def test_queue_urls_of_every_partition_validate_with_their_own_domain(ctx: RenderContext) -> None:
    for region, domain in [
        ("eu-west-1", "amazonaws.com"),
        ("cn-north-1", "amazonaws.com.cn"),
        ("us-gov-west-1", "amazonaws.com"),
        ("eusc-de-east-1", "amazonaws.eu"),
        ("us-iso-east-1", "c2s.ic.gov"),
    ]:
        url = f"https://sqs.{region}.{domain}/111122223333/approvals.fifo"
        step = CallbackStep(name="Approve", sqs_queue_url=url)
        definition = {"Version": "2020-12-01", "Steps": [step.to_request(ctx)]}
        assert validate_definition(definition) == [], region
        assert sqs_queue_arn_parts(url) == (region, "111122223333", "approvals.fifo")
        # The commercial domain in China (or China's elsewhere) names no queue.
        other = "amazonaws.com" if domain != "amazonaws.com" else "amazonaws.com.cn"
        assert sqs_queue_arn_parts(url.replace(domain, other, 1)) is None, region


@pytest.mark.parametrize(
    "url",
    [
        "https://sqs.us-east-1.amazonaws.com/11112222333/approvals",  # an account of 11 digits
        f"https://sqs.us-east-1.amazonaws.com/111122223333/{'q' * 81}",  # names are 1-80
        "https://sqs.us-east-1.amazonaws.com/111122223333/appro.vals",  # only .fifo has a dot
        # A FIFO queue's name counts its .fifo suffix in the 80 (CreateQueue's QueueName).
        f"https://sqs.us-east-1.amazonaws.com/111122223333/{'q' * 76}.fifo",
    ],
)
def test_fails_a_queue_url_sqs_gives_no_queue(ctx: RenderContext, url: str) -> None:
    assert sqs_queue_arn_parts(url) is None
    step = CallbackStep(name="Approve", sqs_queue_url=url)
    [problem] = validate_definition({"Version": "2020-12-01", "Steps": [step.to_request(ctx)]})
    assert (problem.step, problem.field) == ("Approve", "SqsQueueUrl")
    assert problem.message == f"{url!r} is not an SQS queue URL"


def test_a_queue_name_of_80_characters_is_a_queue(ctx: RenderContext) -> None:
    fifo = f"https://sqs.us-east-1.amazonaws.com/111122223333/{'q' * 75}.fifo"
    assert sqs_queue_arn_parts(fifo) == ("us-east-1", "111122223333", f"{'q' * 75}.fifo")
    url = f"https://sqs.us-east-1.amazonaws.com/111122223333/{'q' * 80}"
    assert sqs_queue_arn_parts(url) == ("us-east-1", "111122223333", "q" * 80)
    step = CallbackStep(name="Approve", sqs_queue_url=url)
    assert validate_definition({"Version": "2020-12-01", "Steps": [step.to_request(ctx)]}) == []
