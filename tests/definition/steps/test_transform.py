"""TransformStep renders a CreateTransformJob request."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ExecutionVariables,
    Join,
    ModelStep,
    Parameter,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    S3Location,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    TransformStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.expressions import data_processing_path_problem
from tests.definition.steps.conftest import IMAGE, OUTPUT_KEY, VOLUME_KEY, default_output


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = TransformStep(name="Score", model_name="my-model", input_data="s3://b/batch-in")

    assert step.to_request(ctx) == {
        "Name": "Score",
        "Type": "Transform",
        "Arguments": {
            "ModelName": "my-model",
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/batch-in"}
                }
            },
            # Without output_path the binder picks a per-execution location.
            "TransformOutput": {"S3OutputPath": default_output("Score", "transform")},
            "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
        },
    }
    assert ctx.problems == []


def every_option() -> tuple[TransformStep, ModelStep, list[Parameter]]:
    model = ModelStep(name="CreateModel", image=IMAGE)
    instance_type = ParameterString(name="TransformInstance", default_value="ml.c5.xlarge")
    batch = ParameterInteger(name="BatchSize", default_value=64)
    step = TransformStep(
        name="Score",
        display_name="Batch scoring",
        description="Scores the batch input",
        depends_on=[model, "CreateModel"],
        model_name=model.properties.ModelName,
        input_data=S3Location.from_bucket("batch", "in"),
        output_path=Join(
            on="/", values=["s3://batch/out", ExecutionVariables.PIPELINE_EXECUTION_ID]
        ),
        instance_type=instance_type,
        instance_count=2,
        content_type="text/csv",
        split_type="Line",
        compression_type="Gzip",
        s3_data_type="ManifestFile",
        accept="text/csv",
        assemble_with="Line",
        strategy="MultiRecord",
        max_payload_in_mb=6,
        max_concurrent_transforms=4,
        input_filter="$[1:]",
        output_filter="$[0,-1]",
        join_source="Input",
        environment={"BATCH_SIZE": batch, "MODE": "batch"},
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        cache_config=CacheConfig(expire_after="PT12H", enabled=False),
        retry_policies=[
            SageMakerJobStepRetryPolicy(
                exception_types=[
                    SageMakerJobExceptionType.RESOURCE_LIMIT,
                    SageMakerJobExceptionType.INTERNAL_ERROR,
                ],
                max_attempts=5,
            )
        ],
        extra_arguments={
            "TransformResources": {"InstanceCount": 3},
            "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix"}}},
        },
    )
    return step, model, [instance_type, batch]


def test_every_option(ctx: RenderContext) -> None:
    step, model, parameters = every_option()

    assert step.to_request(ctx) == {
        "Name": "Score",
        "Type": "Transform",
        "Arguments": {
            "ModelName": {"Get": "Steps.CreateModel.ModelName"},
            "TransformInput": {
                "DataSource": {
                    # three levels deep: extra_arguments replaced one member, kept the other
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://batch/in"}
                },
                "ContentType": "text/csv",
                "CompressionType": "Gzip",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath": {
                    "Std:Join": {
                        "On": "/",
                        "Values": ["s3://batch/out", {"Get": "Execution.PipelineExecutionId"}],
                    }
                },
                "Accept": "text/csv",
                "AssembleWith": "Line",
                "KmsKeyId": OUTPUT_KEY,
            },
            "TransformResources": {
                "InstanceCount": 3,
                "InstanceType": {"Get": "Parameters.TransformInstance"},
                "VolumeKmsKeyId": VOLUME_KEY,
            },
            "BatchStrategy": "MultiRecord",
            "MaxPayloadInMB": 6,
            "MaxConcurrentTransforms": 4,
            "Environment": {
                "BATCH_SIZE": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.BatchSize"}]}},
                "MODE": "batch",
            },
            "DataProcessing": {
                "InputFilter": "$[1:]",
                "OutputFilter": "$[0,-1]",
                "JoinSource": "Input",
            },
        },
        "DependsOn": ["CreateModel"],
        "DisplayName": "Batch scoring",
        "Description": "Scores the batch input",
        "CacheConfig": {"Enabled": False, "ExpireAfter": "PT12H"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 5,
                "ExceptionType": ["SageMaker.RESOURCE_LIMIT", "SageMaker.JOB_INTERNAL_ERROR"],
            }
        ],
    }
    assert ctx.problems == []
    assert ctx.referenced_steps == [model]
    assert ctx.referenced_parameters == parameters


def test_every_option_without_the_repeated_dependency_compiles(binder: StaticBinder) -> None:
    step, _, parameters = every_option()
    import dataclasses

    step = dataclasses.replace(step, depends_on=["CreateModel"])
    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"CreateModel", "Score"}


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "$[1:]",
        "$[0,2]",
        "$[:-1]",
        "$[0,5:]",
        "$[-1]",
        "$.features",
        "$['id','features']",
        "$.id.*",
        "$.field1.['child1','child2']",
        "$['id', 'SageMakerOutput']",
    ],
)
def test_data_processing_paths_of_the_documented_subset_pass(path: str) -> None:
    assert data_processing_path_problem(path) is None


@pytest.mark.parametrize("path", ["$", "$[1:]", "$[0,-1]", "$[:5]", "$[2:5]"])
def test_index_paths_pass_for_csv_records(path: str) -> None:
    assert data_processing_path_problem(path, csv=True) is None


@pytest.mark.parametrize(
    "path",
    ["features", "$..id", "$[?(@.x)]", "$.a[0]..b", "$[1:2:3]", "$." + "a" * 62, "$.a()"],
)
def test_data_processing_paths_outside_the_subset_are_problems(path: str) -> None:
    assert data_processing_path_problem(path) is not None
