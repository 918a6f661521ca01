"""ProcessingStep renders a CreateProcessingJob request."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    Image,
    LambdaStep,
    NetworkConfig,
    Parameter,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    PropertyPathError,
    S3Location,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    StepExceptionType,
    StepRetryPolicy,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE
from tests.definition.steps.conftest import (
    IMAGE,
    OTHER_ROLE,
    OUTPUT_KEY,
    SKLEARN_IMAGE,
    VOLUME_KEY,
    default_output,
)

LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:gate"


def s3_input(name: str, uri: object, local_path: str) -> dict[str, object]:
    """A ProcessingInputs entry with the default S3 settings."""
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None",
        },
    }


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = ProcessingStep(name="Prep", image=IMAGE)

    assert step.to_request(ctx) == {
        "Name": "Prep",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.large",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {"ImageUri": IMAGE},
            "RoleArn": ROLE,
        },
    }
    assert ctx.problems == []


def every_option(script: Path) -> tuple[ProcessingStep, TrainingStep, LambdaStep, list[Parameter]]:
    """A processing step that sets every option; also returns what it refers to."""
    train = TrainingStep(name="Train", image=IMAGE, role=ROLE, output_path="s3://b/models")
    gate = LambdaStep(name="Gate", function_arn=LAMBDA_ARN)
    instance_type = ParameterString(name="InstanceType", default_value="ml.m5.xlarge")
    count = ParameterInteger(name="InstanceCount", default_value=1)
    epochs = ParameterInteger(name="Epochs", default_value=3)
    step = ProcessingStep(
        name="Prep",
        display_name="Prepare data",
        description="Splits the raw data",
        depends_on=[train, "Gate"],
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(script),
        arguments=["--epochs", epochs, "--ratio", 0.2, "--shuffle", True],
        inputs=[
            ProcessingInput(
                source=S3Location.from_bucket("raw-bucket", "/data/"),
                destination="/opt/ml/processing/input",
                input_name="raw",
                s3_data_type="ManifestFile",
                s3_input_mode="Pipe",
                s3_data_distribution_type="ShardedByS3Key",
                s3_compression_type="Gzip",
            ),
            ProcessingInput(
                source=train.properties.ModelArtifacts.S3ModelArtifacts,
                destination="/opt/ml/processing/model",
            ),
        ],
        outputs=[
            ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
            ProcessingOutput(
                output_name="test",
                source="/opt/ml/processing/test",
                destination=S3Location.from_uri("s3://out/test"),
                s3_upload_mode="Continuous",
            ),
        ],
        property_files=[PropertyFile(name="Stats", output_name="train", path="stats.json")],
        instance_type=instance_type,
        instance_count=count,
        volume_size_in_gb=100,
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        environment={"MODE": "prep", "EPOCHS": epochs, "SEED": 7},
        max_runtime_in_seconds=3600,
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_network_isolation=True,
            enable_inter_container_traffic_encryption=True,
        ),
        role=OTHER_ROLE,
        cache_config=CacheConfig(expire_after="P30D"),
        retry_policies=[
            StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING], max_attempts=3),
            SageMakerJobStepRetryPolicy(expire_after_mins=60, interval_seconds=5, backoff_rate=1.5),
        ],
        extra_arguments={
            "ProcessingResources": {"ClusterConfig": {"VolumeSizeInGB": 200}},
            "Environment": {"EXTRA": "1"},
            "NetworkConfig": {"VpcConfig": {"Subnets": ["subnet-2", "subnet-3"]}},
        },
    )
    return step, train, gate, [instance_type, count, epochs]


def test_every_option(ctx: RenderContext, script: Path) -> None:
    step, train, _, parameters = every_option(script)
    epochs_string = {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}}

    assert step.to_request(ctx) == {
        "Name": "Prep",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": {"Get": "Parameters.InstanceType"},
                    "InstanceCount": {"Get": "Parameters.InstanceCount"},
                    # extra_arguments replaced this member and kept its siblings
                    "VolumeSizeInGB": 200,
                    "VolumeKmsKeyId": VOLUME_KEY,
                }
            },
            "AppSpecification": {
                "ImageUri": SKLEARN_IMAGE,
                "ContainerArguments": [
                    "--epochs",
                    epochs_string,
                    "--ratio",
                    "0.2",
                    "--shuffle",
                    "true",
                ],
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/prep.py"],
            },
            "RoleArn": OTHER_ROLE,
            "ProcessingInputs": [
                {
                    "InputName": "raw",
                    "AppManaged": False,
                    "S3Input": {
                        "S3Uri": "s3://raw-bucket/data/",
                        "LocalPath": "/opt/ml/processing/input",
                        "S3DataType": "ManifestFile",
                        "S3InputMode": "Pipe",
                        "S3DataDistributionType": "ShardedByS3Key",
                        "S3CompressionType": "Gzip",
                    },
                },
                s3_input(
                    "input-2",
                    {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                    "/opt/ml/processing/model",
                ),
                s3_input("code", "s3://b/code/prep.py", "/opt/ml/processing/input/code"),
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "train",
                        "AppManaged": False,
                        "S3Output": {
                            "S3Uri": default_output("Prep", "train"),
                            "LocalPath": "/opt/ml/processing/train",
                            "S3UploadMode": "EndOfJob",
                        },
                    },
                    {
                        "OutputName": "test",
                        "AppManaged": False,
                        "S3Output": {
                            "S3Uri": "s3://out/test",
                            "LocalPath": "/opt/ml/processing/test",
                            "S3UploadMode": "Continuous",
                        },
                    },
                ],
                "KmsKeyId": OUTPUT_KEY,
            },
            "Environment": {"MODE": "prep", "EPOCHS": epochs_string, "SEED": "7", "EXTRA": "1"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "NetworkConfig": {
                "EnableInterContainerTrafficEncryption": True,
                "EnableNetworkIsolation": True,
                # lists are replaced, not merged
                "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-2", "subnet-3"]},
            },
        },
        "DependsOn": ["Train", "Gate"],
        "DisplayName": "Prepare data",
        "Description": "Splits the raw data",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "ExceptionType": ["Step.THROTTLING"],
            },
            {
                "BackoffRate": 1.5,
                "IntervalSeconds": 5,
                "ExpireAfterMin": 60,
                "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
            },
        ],
        "PropertyFiles": [
            {"PropertyFileName": "Stats", "OutputName": "train", "FilePath": "stats.json"}
        ],
    }
    assert ctx.problems == []
    # The step object in depends_on and the property reference are recorded once; the
    # dependency given by name is not an object to collect.
    assert ctx.referenced_steps == [train]
    assert ctx.referenced_parameters == parameters


def test_every_option_compiles_to_a_valid_definition(binder: StaticBinder, script: Path) -> None:
    step, _, gate, parameters = every_option(script)
    definition = PipelineDefinition(parameters=parameters, steps=[gate, step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Gate", "Train", "Prep"}


def test_code_directory_is_unpacked_before_the_entry_point_runs(
    ctx: RenderContext, source_dir: Path
) -> None:
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        code=Code.from_asset(source_dir, entry_point="run.py"),
        arguments=["--n", 3],
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["AppSpecification"] == {
        "ImageUri": IMAGE,
        "ContainerArguments": ["--n", "3"],
        "ContainerEntrypoint": [
            "/bin/sh",
            "-c",
            'cd /opt/ml/processing/input/code && tar -xzf src.tar.gz && exec python3 run.py "$@"',
            "sh",
        ],
    }
    assert arguments["ProcessingInputs"] == [
        s3_input("code", "s3://b/code/src.tar.gz", "/opt/ml/processing/input/code")
    ]


def test_code_archive_in_s3_is_unpacked_before_the_entry_point_runs(ctx: RenderContext) -> None:
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/source.tar.gz", entry_point="pkg/run.py"),
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["AppSpecification"]["ContainerEntrypoint"] == [
        "/bin/sh",
        "-c",
        "cd /opt/ml/processing/input/code && tar -xzf source.tar.gz && "
        'exec python3 pkg/run.py "$@"',
        "sh",
    ]
    assert arguments["ProcessingInputs"] == [
        s3_input("code", "s3://b/code/source.tar.gz", "/opt/ml/processing/input/code")
    ]


def test_code_script_in_s3_runs_with_python3(ctx: RenderContext) -> None:
    step = ProcessingStep(name="Prep", image=IMAGE, code=Code.from_s3("s3://b/code/evaluate.py"))

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/evaluate.py",
    ]
    assert arguments["ProcessingInputs"] == [
        s3_input("code", "s3://b/code/evaluate.py", "/opt/ml/processing/input/code")
    ]


def test_code_location_from_a_parameter_is_rendered_and_recorded(ctx: RenderContext) -> None:
    code_uri = ParameterString(name="CodeUri", default_value="s3://b/code/evaluate.py")
    step = ProcessingStep(
        name="Prep", image=IMAGE, code=Code.from_s3(code_uri, entry_point="evaluate.py")
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["ProcessingInputs"] == [
        s3_input("code", {"Get": "Parameters.CodeUri"}, "/opt/ml/processing/input/code")
    ]
    assert arguments["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/evaluate.py",
    ]
    assert ctx.referenced_parameters == [code_uri]


def test_an_explicit_entrypoint_wins_over_the_code_script(ctx: RenderContext, script: Path) -> None:
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        code=Code.from_asset(script),
        entrypoint=["python3", "-u", "/opt/ml/processing/input/code/prep.py"],
    )

    app = step.to_request(ctx)["Arguments"]["AppSpecification"]

    assert app["ContainerEntrypoint"] == ["python3", "-u", "/opt/ml/processing/input/code/prep.py"]


def test_binder_defaults_fill_in_image_role_and_output(ctx: RenderContext) -> None:
    step = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["AppSpecification"] == {"ImageUri": SKLEARN_IMAGE}
    assert arguments["RoleArn"] == ROLE
    assert arguments["ProcessingOutputConfig"] == {
        "Outputs": [
            {
                "OutputName": "out",
                "AppManaged": False,
                "S3Output": {
                    "S3Uri": default_output("Prep", "out"),
                    "LocalPath": "/opt/ml/processing/out",
                    "S3UploadMode": "EndOfJob",
                },
            }
        ]
    }


def test_fails_local_code_without_a_code_prefix_names_step_and_field(script: Path) -> None:
    ctx = RenderContext(StaticBinder(role_arn=ROLE))
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        inputs=[ProcessingInput(source="s3://b/raw", destination="/opt/ml/processing/input")],
        code=Code.from_asset(script),
    )

    step.to_request(ctx)

    [problem] = ctx.problems
    assert (problem.step, problem.field) == ("Prep", "Arguments.ProcessingInputs[1].S3Input.S3Uri")
    assert problem.message == f"local code {str(script)!r} needs a place in S3"
    assert "code_prefix" in str(problem.hint)


@pytest.mark.parametrize(
    ("uri", "hint"),
    [
        ("s3:/my-data/raw", "did you mean 's3://my-data/raw'?"),
        ("S3://my-data/raw", "did you mean 's3://my-data/raw'?"),
        (
            "data/raw.csv",
            "expected an S3 URI such as 's3://my-bucket/prefix'; a local file is not uploaded "
            "for you: give S3Location.from_asset(path) to ship it with the pipeline",
        ),
    ],
    ids=["one-slash", "upper-case", "local-path"],
)
def test_fails_an_input_that_is_no_s3_uri_saying_what_was_meant(
    binder: StaticBinder, uri: str, hint: str
) -> None:
    step = ProcessingStep(name="Prep", image=IMAGE, inputs={"raw": uri})

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field) == ("Prep", "Arguments.ProcessingInputs[0].S3Input.S3Uri")
    assert problem.message == f"{uri!r} does not match the pattern (https|s3)://([^/]+)/?(.*)"
    assert problem.hint == hint


def test_fails_an_output_destination_that_is_no_s3_uri_without_the_asset_hint(
    binder: StaticBinder,
) -> None:
    # An asset is read-only: S3Location.from_asset would be the wrong advice for an output.
    output = ProcessingOutput(output_name="x", source="/opt/ml/processing/x", destination="out/x")
    step = ProcessingStep(name="Prep", image=IMAGE, outputs=[output])

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.hint == "expected an S3 URI such as 's3://my-bucket/prefix'"


def test_fails_to_request_without_context_raises_what_it_could_not_bind() -> None:
    step = ProcessingStep(name="Prep", image=IMAGE)

    with pytest.raises(PipelineValidationError, match=r"step 'Prep' field 'Arguments.RoleArn'"):
        step.to_request()


def test_short_forms_expand_to_named_folders(ctx: RenderContext) -> None:
    data = ParameterString(name="Data", default_value="s3://b/raw/")
    step = ProcessingStep(
        name="Prep", image=IMAGE, inputs={"raw": data, "extra": "s3://b/x"}, outputs=["train"]
    )
    arguments = step.to_request(ctx)["Arguments"]
    assert arguments["ProcessingInputs"] == [
        s3_input("raw", {"Get": "Parameters.Data"}, "/opt/ml/processing/raw"),
        s3_input("extra", "s3://b/x", "/opt/ml/processing/extra"),
    ]
    assert arguments["ProcessingOutputConfig"]["Outputs"] == [
        {
            "OutputName": "train",
            "AppManaged": False,
            "S3Output": {
                "S3Uri": default_output("Prep", "train"),
                "LocalPath": "/opt/ml/processing/train",
                "S3UploadMode": "EndOfJob",
            },
        }
    ]


def test_short_and_long_output_forms_mix() -> None:
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        outputs=["a", ProcessingOutput(output_name="b", source="/opt/ml/processing/out/b")],
    )
    assert [(o.output_name, o.source) for o in step.output_list] == [
        ("a", "/opt/ml/processing/a"),
        ("b", "/opt/ml/processing/out/b"),
    ]


def test_output_returns_the_uploaded_uri_and_checks_the_name() -> None:
    step = ProcessingStep(name="Prep", image=IMAGE, outputs=["train", "test"])
    assert step.output("test").to_request() == {
        "Get": "Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"
    }
    with pytest.raises(PropertyPathError, match=r"has no entry 'tset' \(did you mean 'test'\?\)"):
        step.output("tset")


def test_model_data_is_the_training_jobs_model_artifacts() -> None:
    train = TrainingStep(name="Train", image=IMAGE)
    assert train.model_data.to_request() == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    assert train.model_data.value_type == "String"


def test_fails_when_an_input_takes_the_code_inputs_name() -> None:
    with pytest.raises(PipelineDefinitionError, match="the input 'code' carries the step's code"):
        ProcessingStep(
            name="Prep",
            image=IMAGE,
            code=Code.from_s3("s3://b/prep.py"),
            inputs={"code": "s3://b/other/"},
        )


def test_fails_an_output_key_for_a_step_without_outputs() -> None:
    # Was dropped from the request without a word: nothing was encrypted with it.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^ProcessingStep 'Prep': output_kms_key= encrypts the step's outputs, but it has "
        r"none \(add outputs=, or remove output_kms_key=\)$",
    ):
        ProcessingStep(name="Prep", image=IMAGE, output_kms_key=OUTPUT_KEY)


def test_an_output_key_encrypts_outputs_given_as_extra_arguments(ctx: RenderContext) -> None:
    output = {
        "OutputName": "report",
        "S3Output": {
            "S3Uri": "s3://b/report",
            "LocalPath": "/opt/ml/processing/report",
            "S3UploadMode": "EndOfJob",
        },
    }
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        output_kms_key=OUTPUT_KEY,
        extra_arguments={"ProcessingOutputConfig": {"Outputs": [output]}},
    )

    config = step.to_request(ctx)["Arguments"]["ProcessingOutputConfig"]

    assert config == {"KmsKeyId": OUTPUT_KEY, "Outputs": [output]}


def test_the_same_dependency_by_object_and_by_name_is_listed_once(ctx: RenderContext) -> None:
    first = ProcessingStep(name="First", image=IMAGE)
    second = ProcessingStep(name="Second", image=IMAGE, depends_on=[first, "First"])
    assert second.to_request(ctx)["DependsOn"] == ["First"]
