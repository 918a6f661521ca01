"""CallbackStep renders SqsQueueUrl, OutputParameters and its inputs as Arguments."""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    CallbackStep,
    LambdaStep,
    OutputType,
    ParameterInteger,
    StepOutput,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext

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
