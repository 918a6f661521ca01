"""LambdaStep renders FunctionArn, OutputParameters and its inputs as Arguments."""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    LambdaStep,
    OutputType,
    ParameterString,
    PipelineDefinition,
    StaticBinder,
    StepOutput,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.definition.steps.conftest import IMAGE

FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:prep"


def test_minimal_step_renders_empty_arguments(ctx: RenderContext) -> None:
    assert LambdaStep(name="Prep", function_arn=FUNCTION).to_request(ctx) == {
        "Name": "Prep",
        "Type": "Lambda",
        "Arguments": {},
        "FunctionArn": FUNCTION,
    }


def every_option() -> tuple[LambdaStep, TrainingStep, ParameterString]:
    env = ParameterString(name="Env", default_value="dev")
    train = TrainingStep(name="Train", image=IMAGE, output_path="s3://b/models")
    step = LambdaStep(
        name="Prep",
        display_name="Prep lambda",
        description="Splits the data",
        depends_on=[train, "Train"],
        function_arn=FUNCTION,
        inputs={
            "bucket": "my-bucket",
            "env": env,
            # Lambda arguments are JSON: numbers, booleans and nesting stay as they are.
            "n": 5,
            "ratio": 0.2,
            "dry_run": False,
            "model": {"uri": train.properties.ModelArtifacts.S3ModelArtifacts, "tags": ["a", 1]},
        },
        outputs=[
            StepOutput(output_name="uri"),
            StepOutput(output_name="rows", output_type=OutputType.INTEGER),
            StepOutput(output_name="score", output_type=OutputType.FLOAT),
            StepOutput(output_name="ok", output_type=OutputType.BOOLEAN),
        ],
        cache_config=CacheConfig(expire_after="P1D"),
    )
    return step, train, env


def test_every_option(ctx: RenderContext) -> None:
    step, train, env = every_option()

    assert step.to_request(ctx) == {
        "Name": "Prep",
        "Type": "Lambda",
        "Arguments": {
            "bucket": "my-bucket",
            "env": {"Get": "Parameters.Env"},
            "n": 5,
            "ratio": 0.2,
            "dry_run": False,
            "model": {
                "uri": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                "tags": ["a", 1],
            },
        },
        "DependsOn": ["Train"],
        "DisplayName": "Prep lambda",
        "Description": "Splits the data",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
        "FunctionArn": FUNCTION,
        "OutputParameters": [
            {"OutputName": "uri", "OutputType": "String"},
            {"OutputName": "rows", "OutputType": "Integer"},
            {"OutputName": "score", "OutputType": "Float"},
            {"OutputName": "ok", "OutputType": "Boolean"},
        ],
    }
    assert ctx.referenced_steps == [train]
    assert ctx.referenced_parameters == [env]


def test_outputs_feed_other_steps(binder: StaticBinder) -> None:
    step, _, env = every_option()
    import dataclasses

    step = dataclasses.replace(step, depends_on=[])
    consumer = LambdaStep(
        name="Consume",
        function_arn=FUNCTION,
        inputs={
            "rows": step.properties.OutputParameters["rows"],
            "uri": step.properties.Outputs["uri"],
        },
    )

    definition = PipelineDefinition(parameters=[env], steps=[consumer]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Train", "Prep", "Consume"}
    [consumer_entry] = [entry for entry in definition["Steps"] if entry["Name"] == "Consume"]
    assert consumer_entry["Arguments"] == {
        "rows": {"Get": "Steps.Prep.OutputParameters['rows']"},
        "uri": {"Get": "Steps.Prep.OutputParameters['uri']"},
    }
