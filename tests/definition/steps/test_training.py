"""TrainingStep renders a CreateTrainingJob request."""

from __future__ import annotations

import json
import re
import warnings
from importlib import metadata
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    FileSystemInput,
    Image,
    InstanceGroup,
    IntegerParameter,
    JobDefaults,
    LambdaStep,
    NetworkConfig,
    OutputType,
    Parameter,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    S3Location,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    StepOutput,
    StepRetryPolicy,
    TrainingInput,
    TrainingStep,
    TuningStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.conftest import ROLE
from tests.definition.steps.conftest import (
    IMAGE,
    OTHER_ROLE,
    OUTPUT_KEY,
    VOLUME_KEY,
    default_output,
)

PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:gate"


def channel(name: str, uri: object) -> dict[str, object]:
    """An InputDataConfig entry with the default S3 settings."""
    return {
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ChannelName": name,
    }


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = TrainingStep(name="Train", image=IMAGE)

    assert step.to_request(ctx) == {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": IMAGE},
            "OutputDataConfig": {"S3OutputPath": default_output("Train", "model")},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "ResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 30,
            },
            "RoleArn": ROLE,
            "ProfilerConfig": {"DisableProfiler": True},
        },
    }
    assert ctx.problems == []


def every_option(
    source_dir: Path,
) -> tuple[TrainingStep, ProcessingStep, LambdaStep, list[Parameter]]:
    prep = ProcessingStep(
        name="Prep",
        image=IMAGE,
        role=ROLE,
        outputs=[
            ProcessingOutput(
                output_name="train", source="/opt/ml/processing/train", destination="s3://b/t"
            )
        ],
    )
    gate = LambdaStep(name="Gate", function_arn=LAMBDA_ARN)
    instance_type = ParameterString(name="TrainingInstance", default_value="ml.g5.xlarge")
    epochs = ParameterInteger(name="Epochs", default_value=10)
    dropout = ParameterFloat(name="Dropout", default_value=0.1)
    step = TrainingStep(
        name="Train",
        display_name="Train model",
        description="Fine-tunes the model",
        depends_on=[gate, "Prep"],
        image=Image.pytorch("2.1", processor="gpu"),
        code=Code.from_asset(source_dir, entry_point="run.py"),
        inputs={
            "train": TrainingInput(
                s3_data=prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri,
                content_type="application/x-recordio",
                distribution="ShardedByS3Key",
                s3_data_type="S3Prefix",
                input_mode="Pipe",
                compression="Gzip",
                record_wrapping="RecordIO",
                shuffle_seed=42,
            ),
            "test": S3Location.from_bucket("data", "test"),
            "extra": "s3://b/extra",
        },
        output_path=S3Location.from_bucket("models"),
        instance_type=instance_type,
        instance_count=2,
        volume_size_in_gb=50,
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        environment={"DROPOUT": dropout, "MODE": "train"},
        metric_definitions={"train:loss": "loss=([0-9.]+)", "val:acc": "acc=([0-9.]+)"},
        input_mode="FastFile",
        max_runtime_in_seconds=7200,
        network=NetworkConfig(
            subnets=["subnet-1", "subnet-2"],
            security_group_ids=["sg-1"],
            enable_network_isolation=True,
            enable_inter_container_traffic_encryption=True,
        ),
        role=OTHER_ROLE,
        hyperparameters={"epochs": epochs, "lr": 0.01, "fast": True, "optimizer": "adam"},
        disable_profiler=False,
        checkpoint_s3_uri="s3://b/checkpoints",
        use_spot_instances=True,
        max_wait_in_seconds=10800,
        cache_config=CacheConfig(expire_after="P30D"),
        retry_policies=[
            StepRetryPolicy(max_attempts=2),
            SageMakerJobStepRetryPolicy(
                exception_types=[
                    SageMakerJobExceptionType.CAPACITY_ERROR,
                    SageMakerJobExceptionType.RESOURCE_LIMIT,
                ],
                expire_after_mins=120,
                interval_seconds=30,
            ),
        ],
        extra_arguments={
            "ResourceConfig": {"KeepAlivePeriodInSeconds": 60},
            "HyperParameters": {"lr": "0.02"},
        },
    )
    return step, prep, gate, [instance_type, epochs, dropout]


def test_every_option(ctx: RenderContext, source_dir: Path) -> None:
    step, prep, gate, parameters = every_option(source_dir)

    assert step.to_request(ctx) == {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {
                "TrainingInputMode": "FastFile",
                "TrainingImage": PYTORCH_GPU,
                "MetricDefinitions": [
                    {"Name": "train:loss", "Regex": "loss=([0-9.]+)"},
                    {"Name": "val:acc", "Regex": "acc=([0-9.]+)"},
                ],
            },
            "OutputDataConfig": {"S3OutputPath": "s3://models", "KmsKeyId": OUTPUT_KEY},
            "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 10800},
            "ResourceConfig": {
                "InstanceCount": 2,
                "InstanceType": {"Get": "Parameters.TrainingInstance"},
                "VolumeSizeInGB": 50,
                "VolumeKmsKeyId": VOLUME_KEY,
                "KeepAlivePeriodInSeconds": 60,
            },
            "RoleArn": OTHER_ROLE,
            "InputDataConfig": [
                {
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": {
                                "Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train']"
                                ".S3Output.S3Uri"
                            },
                            "S3DataDistributionType": "ShardedByS3Key",
                        }
                    },
                    "ContentType": "application/x-recordio",
                    "CompressionType": "Gzip",
                    "RecordWrapperType": "RecordIO",
                    "InputMode": "Pipe",
                    # The SDK's TrainingInput(shuffle_config=ShuffleConfig(42)).
                    "ShuffleConfig": {"Seed": 42},
                    "ChannelName": "train",
                },
                channel("test", "s3://data/test"),
                channel("extra", "s3://b/extra"),
                # Script mode: the code archive travels as one more channel.
                channel("code", "s3://b/code/src.tar.gz"),
            ],
            "HyperParameters": {
                "epochs": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}},
                "lr": "0.02",
                "fast": "true",
                "optimizer": "adam",
                "sagemaker_program": "run.py",
                "sagemaker_submit_directory": "/opt/ml/input/data/code/src.tar.gz",
            },
            "Environment": {
                "DROPOUT": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Dropout"}]}},
                "MODE": "train",
            },
            "CheckpointConfig": {"S3Uri": "s3://b/checkpoints"},
            "EnableManagedSpotTraining": True,
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1", "subnet-2"]},
            "EnableNetworkIsolation": True,
            "EnableInterContainerTrafficEncryption": True,
        },
        "DependsOn": ["Gate", "Prep"],
        "DisplayName": "Train model",
        "Description": "Fine-tunes the model",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 2,
                "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"],
            },
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 30,
                "ExpireAfterMin": 120,
                "ExceptionType": ["SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"],
            },
        ],
    }
    assert ctx.problems == []
    assert ctx.referenced_steps == [prep, gate]
    assert {id(item) for item in ctx.referenced_parameters} == {id(item) for item in parameters}


def test_every_option_compiles_to_a_valid_definition(
    binder: StaticBinder, source_dir: Path
) -> None:
    step, _, _, parameters = every_option(source_dir)

    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Gate", "Prep", "Train"}


def test_code_file_is_archived_and_shipped_as_the_code_channel(
    ctx: RenderContext, script: Path
) -> None:
    step = TrainingStep(name="Train", image=IMAGE, code=Code.from_asset(script))

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["InputDataConfig"] == [channel("code", "s3://b/code/prep.py.tar.gz")]
    assert arguments["HyperParameters"] == {
        "sagemaker_program": "prep.py",
        "sagemaker_submit_directory": "/opt/ml/input/data/code/prep.py.tar.gz",
    }


def test_code_archive_in_s3_keeps_its_name(ctx: RenderContext) -> None:
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/source.tar.gz", entry_point="train.py"),
        inputs={"train": "s3://b/train"},
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["InputDataConfig"] == [
        channel("train", "s3://b/train"),
        channel("code", "s3://b/code/source.tar.gz"),
    ]
    assert arguments["HyperParameters"] == {
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": "/opt/ml/input/data/code/source.tar.gz",
    }


def test_code_location_from_a_parameter_is_rendered_and_recorded(ctx: RenderContext) -> None:
    code_uri = ParameterString(name="CodeUri", default_value="s3://b/code/train.py")
    step = TrainingStep(
        name="Train", image=IMAGE, code=Code.from_s3(code_uri, entry_point="train.py")
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["InputDataConfig"] == [channel("code", {"Get": "Parameters.CodeUri"})]
    assert ctx.referenced_parameters == [code_uri]


def test_fails_local_code_without_code_prefix_names_the_code_channel(script: Path) -> None:
    ctx = RenderContext(StaticBinder(role_arn=ROLE, default_bucket="b"))
    step = TrainingStep(
        name="Train", image=IMAGE, code=Code.from_asset(script), inputs={"train": "s3://b/t"}
    )

    step.to_request(ctx)

    [problem] = ctx.problems
    assert (problem.step, problem.field, problem.message) == (
        "Train",
        "Arguments.InputDataConfig[1].DataSource.S3DataSource.S3Uri",
        f"local code {str(script)!r} needs a place in S3",
    )


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (
            [0.1, 0.2],
            "write it as text, such as its JSON (json.dumps in Python), and parse it in the job",
        ),
        (
            {"depth": 3},
            "write it as text, such as its JSON (json.dumps in Python), and parse it in the job",
        ),
    ],
    ids=["list", "dict"],
)
def test_fails_a_hyperparameter_that_is_no_text_saying_how_to_write_it(
    binder: StaticBinder, value: object, hint: str
) -> None:
    # The SDK's framework estimators JSON-encode such values; here they are the user's to write.
    step = TrainingStep(name="Train", image=IMAGE, hyperparameters={"lr": value})

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field) == ("Train", "Arguments.HyperParameters['lr']")
    assert problem.message.startswith("expected a string, got ")
    assert problem.hint == hint


def test_fails_input_channel_named_code_clashes_with_the_code_channel(script: Path) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^TrainingStep 'Train': the input channel 'code' carries the step's code",
    ):
        TrainingStep(
            name="Train", image=IMAGE, code=Code.from_asset(script), inputs={"code": "s3://b/c"}
        )


def test_fails_spot_training_needs_max_wait() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^TrainingStep 'Train': use_spot_instances needs max_wait_in_seconds",
    ):
        TrainingStep(name="Train", image=IMAGE, use_spot_instances=True)


def test_fails_the_sdk_shuffle_config_says_what_to_write() -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        TrainingInput(s3_data="s3://b/train", shuffle_config=42)  # type: ignore[call-arg]

    assert str(caught.value) == (
        "TrainingInput takes no argument 'shuffle_config' (the SageMaker SDK's "
        "shuffle_config=; here: shuffle_seed= (the ShuffleConfig's seed))"
    )


FSX = FileSystemInput(
    file_system_id="fs-0123456789abcdef0",
    file_system_type="FSxLustre",
    directory_path="/abcd1234/train",
    content_type="text/csv",
)
VPC = NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"])


def test_file_system_input_renders_as_the_sdk_writes_it(ctx: RenderContext) -> None:
    # What SageMaker SDK 2.257.7 writes for estimator.fit({"train": FileSystemInput(…),
    # "val": TrainingInput("s3://b/val")}) with subnets and security groups.
    step = TrainingStep(
        name="Train", image=IMAGE, inputs={"train": FSX, "val": "s3://b/val"}, network=VPC
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["InputDataConfig"] == [
        {
            "DataSource": {
                "FileSystemDataSource": {
                    "FileSystemId": "fs-0123456789abcdef0",
                    "FileSystemType": "FSxLustre",
                    "DirectoryPath": "/abcd1234/train",
                    "FileSystemAccessMode": "ro",
                }
            },
            "ContentType": "text/csv",
            "ChannelName": "train",
        },
        channel("val", "s3://b/val"),
    ]
    assert arguments["VpcConfig"] == {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}


def test_a_file_system_channel_gets_no_s3_permissions(binder: StaticBinder) -> None:
    # The job mounts the file system over the VPC's network (NFS or Lustre), not through
    # an API the role calls: the plan grants S3 for the S3 channel only, and the VPC's
    # network-interface permissions.
    file_system = ParameterString(name="FileSystem", default_value="fs-0123456789abcdef0")
    directory = FileSystemInput(
        file_system_id=file_system,
        file_system_type="EFS",
        directory_path="/train",
        file_system_access_mode="rw",
    )
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        inputs={"train": directory, "val": "s3://data-bucket/val"},
        output_path="s3://models-bucket/train",
        network=VPC,
    )
    definition = PipelineDefinition(steps=[step], parameters=[file_system])
    compiled = definition.to_definition(binder)

    plan = plan_permissions(compiled)

    assert plan.reads == [S3Access("data-bucket", "val")]
    assert plan.unattributed == []
    assert (plan.uses_vpc, plan.vpc_subnets, plan.vpc_security_groups) == (
        True,
        ["subnet-1"],
        ["sg-1"],
    )
    assert compiled["Steps"][0]["Arguments"]["InputDataConfig"][0]["DataSource"] == {
        "FileSystemDataSource": {
            "FileSystemId": {"Get": "Parameters.FileSystem"},
            "FileSystemType": "EFS",
            "DirectoryPath": "/train",
            "FileSystemAccessMode": "rw",
        }
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"file_system_type": "efs"},
            "FileSystemInput: file_system_type 'efs' is not one of 'EFS', 'FSxLustre' "
            "(did you mean 'EFS'?)",
        ),
        (
            {"file_system_access_mode": "read"},
            "FileSystemInput: file_system_access_mode 'read' is not one of 'ro', 'rw'",
        ),
        (
            {"file_system_id": "fs-12345"},
            "FileSystemInput: file_system_id 'fs-12345' is not a file system id ('fs-' and 8 "
            "to 18 hexadecimal digits, as EFS and FSx write them)",
        ),
        (
            {"file_system_id": "arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1234abcd"},
            "FileSystemInput: file_system_id 'arn:aws:elasticfilesystem:us-east-1:1:file-"
            "system/fs-1234abcd' is not a file system id",
        ),
        (
            {"directory_path": "train"},
            "FileSystemInput: directory_path 'train' is not a full path in the file system "
            "(one starting with '/', at most 4096 characters; for FSx for Lustre, "
            "'/<mount name>/…')",
        ),
        (
            {"file_system_type": None},
            "FileSystemInput: field 'file_system_type' expects str, got NoneType None",
        ),
    ],
    ids=["type", "access-mode", "short-id", "arn", "relative-path", "no-type"],
)
def test_fails_file_system_input_values_when_built(
    options: dict[str, object], message: str
) -> None:
    # The API's FileSystemDataSource shapes (and the SDK's own checks of type and mode).
    arguments: dict[str, object] = {
        "file_system_id": "fs-0123456789abcdef0",
        "file_system_type": "EFS",
        "directory_path": "/train",
        **options,
    }
    with pytest.raises(PipelineDefinitionError) as caught:
        FileSystemInput(**arguments)  # type: ignore[arg-type]

    assert str(caught.value).startswith(message)


def test_fails_a_file_system_channel_outside_a_vpc_naming_step_and_channel(
    binder: StaticBinder,
) -> None:
    # The developer guide: a job reading EFS or FSx for Lustre "must connect to a VPC". The
    # SDK writes the channel without one, and the job fails once the execution runs.
    step = TrainingStep(name="Train", image=IMAGE, inputs={"val": "s3://b/val", "train": FSX})

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "Train",
        "Arguments.VpcConfig",
        "network",
    )
    assert problem.message == (
        "channel 'train' (FSxLustre fs-0123456789abcdef0) reads a file system, which a "
        "training job reaches only from inside a VPC, and the job has no VpcConfig"
    )
    assert problem.hint == (
        "give the step network=NetworkConfig(subnets=[…], security_group_ids=[…]) with subnets "
        "and security groups that reach the file system's mount targets, or the Pipeline "
        "construct vpc= for every job (VpcConfig in JSON)"
    )


def test_a_binder_network_puts_a_file_system_channel_in_a_vpc() -> None:
    class VpcBinder(StaticBinder):
        def job_defaults(self, *, step_name: str) -> JobDefaults:
            return JobDefaults(network=VPC)

    step = TrainingStep(name="Train", image=IMAGE, inputs={"train": FSX})
    binder = VpcBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")

    compiled = PipelineDefinition(steps=[step]).to_definition(binder)

    assert compiled["Steps"][0]["Arguments"]["VpcConfig"] == {
        "SecurityGroupIds": ["sg-1"],
        "Subnets": ["subnet-1"],
    }


def test_fails_an_efs_channel_in_pipe_mode(binder: StaticBinder) -> None:
    # The SDK's "Use File Systems as Training Inputs": "Pipe mode is not supported if using
    # EFS as data source".
    efs = FileSystemInput(
        file_system_id="fs-0123456789abcdef0", file_system_type="EFS", directory_path="/d"
    )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^TrainingStep 'Train': the input channel 'train' reads an EFS file system, "
        r"which Pipe input mode can't stream; use input_mode='File'$",
    ):
        TrainingStep(name="Train", image=IMAGE, inputs={"train": efs}, input_mode="Pipe")
    # A definition written as JSON (or by the SDK) is checked by the validator.
    step = TrainingStep(name="Train", image=IMAGE, inputs={"train": efs}, network=VPC)
    compiled = PipelineDefinition(steps=[step]).to_definition(binder)
    compiled["Steps"][0]["Arguments"]["InputDataConfig"][0]["InputMode"] = "Pipe"

    problems = validate_definition(compiled)

    assert [(p.step, p.field, p.message, p.hint) for p in problems] == [
        (
            "Train",
            "Arguments.InputDataConfig[0].InputMode",
            "channel 'train' (EFS fs-0123456789abcdef0) reads an EFS file system, which Pipe "
            "input mode can't stream",
            "use File input mode (input_mode='File' in Python)",
        )
    ]


DATA = InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2)
GPU = InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1)


def hetero_step(**options: object) -> TrainingStep:
    arguments: dict[str, object] = {
        "name": "Train",
        "image": PYTORCH_GPU,
        "instance_groups": [DATA, GPU],
        "inputs": {
            "images": TrainingInput(s3_data="s3://data-bucket/images", instance_groups=["data"]),
            "labels": "s3://data-bucket/labels",
        },
        **options,
    }
    return TrainingStep(**arguments)  # type: ignore[arg-type]


def test_instance_groups_render_as_the_sdk_writes_them(ctx: RenderContext) -> None:
    # SDK 2.257.7: Estimator(instance_groups=[InstanceGroup("data", "ml.c5.xlarge", 2), …])
    # and TrainingInput(…, instance_groups=["data"]) (sdk_generated/heterogeneous-cluster.json).
    arguments = hetero_step(volume_size_in_gb=50).to_request(ctx)["Arguments"]

    assert arguments["ResourceConfig"] == {
        "VolumeSizeInGB": 50,
        "InstanceGroups": [
            {"InstanceGroupName": "data", "InstanceType": "ml.c5.xlarge", "InstanceCount": 2},
            {"InstanceGroupName": "gpu", "InstanceType": "ml.p3.2xlarge", "InstanceCount": 1},
        ],
    }
    images = channel("images", "s3://data-bucket/images")
    images["DataSource"]["S3DataSource"]["InstanceGroupNames"] = ["data"]  # type: ignore[index]
    assert arguments["InputDataConfig"] == [images, channel("labels", "s3://data-bucket/labels")]


def test_instance_groups_compile_to_a_valid_definition_and_plan(binder: StaticBinder) -> None:
    count = ParameterInteger(name="GpuCount", default_value=1)
    gpu = InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=count)
    compiled = PipelineDefinition(
        steps=[hetero_step(instance_groups=[DATA, gpu])], parameters=[count]
    ).to_definition(binder)

    assert validate_definition(compiled) == []
    groups = compiled["Steps"][0]["Arguments"]["ResourceConfig"]["InstanceGroups"]
    assert groups[1]["InstanceCount"] == {"Get": "Parameters.GpuCount"}
    # The groups change who reads a channel, not what the role reads.
    reads = plan_permissions(compiled).reads
    assert {S3Access("data-bucket", "images"), S3Access("data-bucket", "labels")} <= set(reads)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"instance_type": "ml.p3.2xlarge"},
            "TrainingStep 'Train': instance_groups sets each group's instance type and count; "
            "leave out instance_type",
        ),
        (
            {"instance_type": "ml.p3.2xlarge", "instance_count": 2},
            "TrainingStep 'Train': instance_groups sets each group's instance type and count; "
            "leave out instance_type and instance_count",
        ),
        (
            {"instance_groups": [DATA, GPU, DATA]},
            "TrainingStep 'Train': instance_groups has more than one group named 'data'; "
            "channels name groups, so each name is used once",
        ),
        (
            {"instance_groups": []},
            "TrainingStep 'Train': instance_groups takes 1 to 5 instance groups (botocore's "
            "InstanceGroups), got 0",
        ),
        (
            {
                "instance_groups": [
                    InstanceGroup(name=f"g{index}", instance_type="ml.c5.xlarge", instance_count=1)
                    for index in range(6)
                ]
            },
            "TrainingStep 'Train': instance_groups takes 1 to 5 instance groups (botocore's "
            "InstanceGroups), got 6",
        ),
        (
            {"inputs": {"images": TrainingInput(s3_data="s3://b/i", instance_groups=["dta"])}},
            "TrainingStep 'Train': the input channel 'images' names the instance group 'dta', "
            "which is not one of the step's instance_groups ('data', 'gpu'); did you mean "
            "'data'?",
        ),
        (
            {
                "instance_groups": None,
                "inputs": {"images": TrainingInput(s3_data="s3://b/i", instance_groups=["data"])},
            },
            "TrainingStep 'Train': the input channel 'images' sets instance_groups, but the step "
            "runs on one instance type, not a heterogeneous cluster; give the step "
            "instance_groups=[InstanceGroup(…), …]",
        ),
        (
            {"instance_groups": [("data", "ml.c5.xlarge", 2)]},
            "TrainingStep 'Train': field 'instance_groups[0]' expects InstanceGroup, got tuple",
        ),
    ],
    ids=[
        "and-instance-type",
        "and-type-and-count",
        "duplicate-name",
        "no-groups",
        "six-groups",
        "unknown-channel-group",
        "channel-group-without-groups",
        "sdk-positional-tuple",
    ],
)
def test_fails_instance_groups_naming_step_and_argument(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        hetero_step(**options)

    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: InstanceGroup(name="", instance_type="ml.c5.xlarge", instance_count=1),
            "InstanceGroup: name: '' is not an instance group name (1 to 64 characters, no "
            "line breaks)",
        ),
        (
            lambda: InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=-1),
            "InstanceGroup 'data': instance_count must be at least 1, got -1",
        ),
        (
            lambda: InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=0),
            "InstanceGroup 'data': instance_count must be at least 1, got 0; leave out a group "
            "without instances",
        ),
        (
            lambda: TrainingInput(s3_data="s3://b/i", instance_groups="data"),
            "TrainingInput: field 'instance_groups' expects a list of str, got str 'data'",
        ),
        (
            lambda: TrainingInput(s3_data="s3://b/i", instance_groups=[]),
            "TrainingInput: instance_groups names 1 to 5 instance groups of the step, got 0; "
            "leave it out for a channel every instance gets",
        ),
        (
            lambda: TrainingInput(s3_data="s3://b/i", instance_groups=["data", "data"]),
            "TrainingInput: instance_groups names 'data' more than once",
        ),
        (
            lambda: TrainingInput(s3_data="s3://b/i", instance_groups=["x" * 65]),
            "TrainingInput: instance_groups: 'xxxxx",
        ),
    ],
    ids=[
        "empty-name",
        "negative-count",
        "no-instances",
        "name-not-list",
        "no-names",
        "repeated",
        "long-name",
    ],
)
def test_fails_instance_group_values_when_built(build: object, message: str) -> None:
    # botocore's InstanceGroup (name 1 to 64 of '.+') and InstanceGroupNames; a group of no
    # instances (botocore's count starts at 0) runs nothing.
    with pytest.raises(PipelineDefinitionError) as caught:
        build()  # type: ignore[operator]

    assert str(caught.value).startswith(message)


def test_fails_instance_groups_on_a_tuning_step_saying_why() -> None:
    # The SDK's tuner writes an estimator's instance_groups as InstanceType and
    # InstanceCount null, keeping the channels' InstanceGroupNames: nothing to port.
    tuning: dict[str, object] = {
        "name": "Tune",
        "image": PYTORCH_GPU,
        "objective_metric_name": "validation:auc",
        "hyperparameter_ranges": {"depth": IntegerParameter(min_value=2, max_value=8)},
    }
    with pytest.raises(PipelineDefinitionError, match="the SageMaker SDK's instance_groups="):
        TuningStep(**tuning, instance_groups=[DATA])  # type: ignore[arg-type,call-arg]
    with pytest.raises(PipelineDefinitionError) as caught:
        TuningStep(
            **tuning,  # type: ignore[arg-type]
            inputs={"train": TrainingInput(s3_data="s3://b/t", instance_groups=["data"])},
        )
    assert str(caught.value) == (
        "TuningStep 'Tune': the input channel 'train' sets instance_groups, but the step runs "
        "on one instance type, not a heterogeneous cluster (TuningStep takes none: the SDK's "
        "tuner drops an estimator's instance_groups too); leave instance_groups out"
    )


def test_deploy_time_group_names_leave_channel_groups_unjudged() -> None:
    # A CDK token resolves at deploy time, to any name: as the validator does for JSON, the
    # step can't tell a channel's group unknown.
    token = "${Token[TOKEN.12]}"
    from_parameter = InstanceGroup(name=token, instance_type="ml.c5.xlarge", instance_count=2)

    hetero_step(inputs={"images": TrainingInput(s3_data="s3://b/i", instance_groups=[token])})
    hetero_step(
        instance_groups=[from_parameter, GPU],
        inputs={"images": TrainingInput(s3_data="s3://b/i", instance_groups=["data"])},
    )


def test_an_instance_group_problem_names_the_argument(binder: StaticBinder) -> None:
    step = hetero_step(
        instance_groups=[
            InstanceGroup(name="data", instance_type="ml.c5.xlarg", instance_count=2),
        ]
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.field, problem.argument) == (
        "Arguments.ResourceConfig.InstanceGroups[0].InstanceType",
        "instance_groups",
    )


@pytest.mark.parametrize(
    ("hyperparameters", "field", "message"),
    [
        (
            {"sagemaker_distributed_dataparallel_enabled": True},
            "Arguments.HyperParameters['sagemaker_distributed_dataparallel_enabled']",
            "distributed training (sagemaker_distributed_dataparallel_enabled) on a "
            "heterogeneous cluster of 2 instance groups runs in one of them, and the job names "
            "none",
        ),
        (
            {"sagemaker_mpi_enabled": True, "sagemaker_distribution_instance_groups": '["gpux"]'},
            "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
            "names instance group 'gpux', which is not one of the job's InstanceGroups "
            "('data', 'gpu')",
        ),
        (
            {
                "sagemaker_mpi_enabled": True,
                "sagemaker_distribution_instance_groups": '["data", "gpu"]',
            },
            "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
            "names 2 instance groups; distributed training runs in one (the SDK refuses "
            'others: "Distribution should only contain one instance group name")',
        ),
        (
            {"sagemaker_mpi_enabled": True, "sagemaker_distribution_instance_groups": "gpu"},
            "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
            "expected a JSON list of instance group names, got 'gpu'",
        ),
    ],
    ids=["no-group", "unknown-group", "two-groups", "not-json"],
)
def test_fails_distributed_training_on_instance_groups_when_compiled(
    binder: StaticBinder, hyperparameters: dict[str, object], field: str, message: str
) -> None:
    # The SDK's distribution={…, "instance_groups": [group]} on a heterogeneous cluster:
    # one group of the estimator's, named when there are several.
    step = hetero_step(hyperparameters=hyperparameters)

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.field, problem.argument, problem.message) == (
        field,
        "hyperparameters",
        message,
    )


@pytest.mark.parametrize(
    "switch",
    [
        # The hyperparameters each of the SDK's distribution= strategies writes.
        "sagemaker_torch_distributed_enabled",
        "sagemaker_mpi_enabled",
        "sagemaker_distributed_dataparallel_enabled",
        "sagemaker_parameter_server_enabled",
    ],
)
def test_fails_every_distribution_strategy_on_instance_groups_without_a_group(
    binder: StaticBinder, switch: str
) -> None:
    step = hetero_step(hyperparameters={switch: True})

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.field == f"Arguments.HyperParameters['{switch}']"


def test_distributed_training_in_one_instance_group_compiles(binder: StaticBinder) -> None:
    step = hetero_step(
        hyperparameters={
            "sagemaker_distributed_dataparallel_enabled": True,
            "sagemaker_distribution_instance_groups": '["gpu"]',
        }
    )

    compiled = PipelineDefinition(steps=[step]).to_definition(binder)

    assert validate_definition(compiled) == []


def test_unset_instance_type_and_count_render_the_defaults(ctx: RenderContext) -> None:
    # They default to None (so instance_groups can tell them unset) and render as before.
    resources = TrainingStep(name="Train", image=IMAGE).to_request(ctx)["Arguments"][
        "ResourceConfig"
    ]
    assert (resources["InstanceType"], resources["InstanceCount"]) == ("ml.m5.large", 1)


def test_checkpoints_are_read_back_as_well_as_written(binder: StaticBinder) -> None:
    # A resumed job (a spot restart) copies its checkpoints back from S3: the role needs to
    # read them too. Before, only writes were planned and a resume failed with AccessDenied.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        checkpoint_s3_uri="s3://ckpt-bucket/checkpoints",
        use_spot_instances=True,
        max_runtime_in_seconds=3600,
        max_wait_in_seconds=7200,
    )
    plan = plan_permissions(PipelineDefinition(steps=[step]).to_definition(binder))
    checkpoints = S3Access("ckpt-bucket", "checkpoints")
    assert checkpoints in plan.reads
    assert checkpoints in plan.writes


def test_a_spot_wait_parameter_whose_default_covers_the_run_compiles(binder: StaticBinder) -> None:
    wait = ParameterInteger(name="SpotWait", default_value=90000)
    step = TrainingStep(
        name="Train", image=IMAGE, use_spot_instances=True, max_wait_in_seconds=wait
    )
    compiled = PipelineDefinition(parameters=[wait], steps=[step]).to_definition(binder)
    stopping = compiled["Steps"][0]["Arguments"]["StoppingCondition"]
    assert stopping["MaxWaitTimeInSeconds"] == {"Get": "Parameters.SpotWait"}


def test_a_spot_wait_known_only_at_run_time_is_not_compared(binder: StaticBinder) -> None:
    # A Lambda step's output, not a parameter: nothing to compare before the execution.
    prep = LambdaStep(
        name="Prep",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:prep",
        outputs=[StepOutput(output_name="wait", output_type=OutputType.INTEGER)],
    )
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        use_spot_instances=True,
        max_runtime_in_seconds=3600,
        max_wait_in_seconds=prep.properties.OutputParameters["wait"],
    )
    assert PipelineDefinition(steps=[step]).validate(binder) == []


# -- how a job names its instances (instance_settings_problems) ------------------------------


def compiled_resources(binder: StaticBinder, **resources: object) -> dict[str, object]:
    """A one-step definition whose training job's ResourceConfig is ``resources``."""
    step = TrainingStep(name="Train", image=IMAGE)
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    definition["Steps"][0]["Arguments"]["ResourceConfig"] = resources
    return definition


def problems_of(definition: dict[str, object]) -> list[tuple[str | None, str | None, str]]:
    return [(p.step, p.field, p.message) for p in validate_definition(definition)]


def test_fails_a_job_that_sets_no_instance_type(binder: StaticBinder) -> None:
    problems = validate_definition(compiled_resources(binder, VolumeSizeInGB=30))

    assert [(p.step, p.field, p.message, p.hint) for p in problems] == [
        (
            "Train",
            "Arguments.ResourceConfig",
            "sets no instance type: not InstanceType, InstanceGroups nor InstancePreferences",
            "give InstanceType and InstanceCount (instance_type and instance_count in "
            "Python), or InstanceGroups for a heterogeneous cluster",
        )
    ]


def test_a_misspelled_instance_type_is_one_unknown_member(binder: StaticBinder) -> None:
    definition = compiled_resources(
        binder, InstanceTypes="ml.m5.xlarge", InstanceCount=1, VolumeSizeInGB=30
    )

    [(step, field, message)] = problems_of(definition)

    assert (step, field) == ("Train", "Arguments.ResourceConfig.InstanceTypes")
    assert message.startswith("unknown member 'InstanceTypes'")


def test_an_unknown_member_unlike_any_says_which_botocore_model_judged_it(
    binder: StaticBinder,
) -> None:
    # A member SageMaker added after the installed botocore reads as a typo of the user's:
    # the hint says whose model knows no such member, and what to do.
    step = TrainingStep(name="Train", image=IMAGE, extra_arguments={"BrandNewMember": {"A": 1}})

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).compile(binder)

    [problem] = raised.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message) == (
        "Train",
        "Arguments.BrandNewMember",
        "extra_arguments",
        "unknown member 'BrandNewMember'",
    )
    assert problem.hint is not None
    assert problem.hint.startswith("valid members: 'TrainingJobName', ")
    assert problem.hint.endswith(
        f"; a member the API gained after botocore {metadata.version('botocore')} needs a "
        "newer botocore"
    )


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ({"InstanceType": "ml.m5.xlarge", "InstanceCounts": 1}, "InstanceCounts"),
        ({"InstanceType": "ml.m5.xlarge", "instanceCount": 1}, "instanceCount"),
        (
            {
                "InstancePreferences": [
                    {"InstanceType": "ml.p4d.24xlarge", "InstanceCounts": 1},
                    {"InstanceType": "ml.p5.48xlarge", "InstanceCount": 1},
                ]
            },
            "InstancePreferences[0].InstanceCounts",
        ),
        (
            {"InstancePreferences": [{"InstanceType": "ml.p4d.24xlarge"}], "InstanceCounts": 1},
            "InstanceCounts",
        ),
        ({"InstancePreferences": [], "InstanceCount": 1}, "InstancePreferences"),
    ],
    ids=["count", "count-case", "preference-count", "job-count-with-preferences", "no-prefs"],
)
def test_a_misspelled_or_empty_instance_member_is_one_problem(
    binder: StaticBinder, resources: dict[str, object], field: str
) -> None:
    definition = compiled_resources(binder, VolumeSizeInGB=30, **resources)

    assert [field for _, field, _ in problems_of(definition)] == [
        f"Arguments.ResourceConfig.{field}"
    ]


def test_a_serverless_job_s_instances_are_not_judged(binder: StaticBinder) -> None:
    # SageMaker picks a serverless job's instances; what its ResourceConfig must hold is
    # not documented.
    definition = compiled_resources(binder, VolumeSizeInGB=30)
    definition["Steps"][0]["Arguments"]["ServerlessJobConfig"] = {  # type: ignore[index]
        "BaseModelArn": "arn:aws:sagemaker:us-east-1:aws:hub-content/SageMakerPublicHub/Model/"
        "meta-textgeneration-llama-3-2-1b/1.0.0",
        "JobType": "FineTuning",
    }

    assert problems_of(definition) == []


def test_fails_an_instance_type_without_a_count(binder: StaticBinder) -> None:
    definition = compiled_resources(binder, InstanceType="ml.m5.xlarge", VolumeSizeInGB=30)

    assert problems_of(definition) == [
        (
            "Train",
            "Arguments.ResourceConfig.InstanceCount",
            "is missing: the job has an InstanceType but no number of instances",
        )
    ]


def test_fails_an_instance_type_with_no_instances(binder: StaticBinder) -> None:
    # botocore's TrainingInstanceCount starts at 0, for a heterogeneous cluster's groups.
    step = TrainingStep(name="Train", image=IMAGE, instance_count=0)

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    assert [(p.step, p.field, p.message, p.hint) for p in caught.value.problems] == [
        (
            "Train",
            "Arguments.ResourceConfig.InstanceCount",
            "is 0: the job has an InstanceType but no instances to run on",
            "give at least 1 (instance_count in Python; more only for distributed training)",
        )
    ]


def test_an_instance_count_from_a_parameter_is_not_judged(binder: StaticBinder) -> None:
    count = ParameterInteger("TrainingInstances", default_value=1)
    step = TrainingStep(name="Train", image=IMAGE, instance_count=count)
    definition = PipelineDefinition(steps=[step], parameters=[count]).to_definition(binder)

    assert problems_of(definition) == []


def test_instance_preferences_with_one_count_for_the_job_are_valid(binder: StaticBinder) -> None:
    preferences = [{"InstanceType": "ml.p4d.24xlarge"}, {"InstanceType": "ml.p5.48xlarge"}]
    definition = compiled_resources(
        binder, InstancePreferences=preferences, InstanceCount=2, VolumeSizeInGB=100
    )

    assert problems_of(definition) == []


@pytest.mark.parametrize(
    ("resources", "job", "expected"),
    [
        (
            {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            {},
            [("ResourceConfig.InstanceType", "InstancePreferences and InstanceType can't")],
        ),
        (
            {"InstanceCount": 1, "InstancePlacementConfig": {"EnableMultipleJobs": True}},
            {},
            [("ResourceConfig.InstancePlacementConfig", "InstancePreferences and Instance")],
        ),
        (
            {"InstanceCount": 1},
            {"EnableManagedSpotTraining": True},
            [("EnableManagedSpotTraining", "spot training can't be used with")],
        ),
        (
            {},
            {},
            [("ResourceConfig.InstanceCount", "is missing, and no preference has")],
        ),
        (
            {"InstanceCount": 1, "Preferences": [{"InstanceCount": 1}, {"InstanceCount": 1}]},
            {},
            [("ResourceConfig.InstanceCount", "is set, and so is each preference's")],
        ),
        (
            {"Preferences": [{"InstanceCount": 1}, {}]},
            {},
            [("ResourceConfig.InstancePreferences[1].InstanceCount", "is missing, and pref")],
        ),
        (
            {"InstanceCount": 1, "Types": ["ml.p4d.24xlarge", "ml.p4d.24xlarge"]},
            {},
            [("ResourceConfig.InstancePreferences[1].InstanceType", "ml.p4d.24xlarge is alr")],
        ),
        (
            {
                "InstanceCount": 1,
                "TrainingPlanArn": "arn:aws:sagemaker:us-east-1:111122223333:training-plan/a",
                "Preferences": [
                    {
                        "TrainingPlanArns": [
                            "arn:aws:sagemaker:us-east-1:111122223333:training-plan/b"
                        ]
                    },
                    {},
                ],
            },
            {},
            [("ResourceConfig.InstancePreferences[0].TrainingPlanArns", "is set, and so is")],
        ),
    ],
    ids=[
        "with-type",
        "with-placement",
        "with-spot",
        "no-count",
        "both-counts",
        "some-counts",
        "type-twice",
        "two-plans",
    ],
)
def test_fails_instance_preferences_breaking_the_apis_rules(
    binder: StaticBinder,
    resources: dict[str, object],
    job: dict[str, object],
    expected: list[tuple[str, str]],
) -> None:
    types = resources.pop("Types", ["ml.p4d.24xlarge", "ml.p5.48xlarge"])
    extras = resources.pop("Preferences", [{}, {}])
    preferences = [
        {"InstanceType": instance_type, **extra}
        for instance_type, extra in zip(types, extras, strict=True)  # type: ignore[call-overload]
    ]
    definition = compiled_resources(
        binder, InstancePreferences=preferences, VolumeSizeInGB=100, **resources
    )
    arguments = definition["Steps"][0]["Arguments"]  # type: ignore[index]
    arguments.update(job)
    if job.get("EnableManagedSpotTraining"):
        stopping = arguments["StoppingCondition"]
        stopping["MaxWaitTimeInSeconds"] = stopping["MaxRuntimeInSeconds"]

    problems = problems_of(definition)

    starts = [start for _, start in expected]
    assert [
        (field, message[: len(start)])
        for (_, field, message), start in zip(problems, starts, strict=False)
    ] == [(f"Arguments.{field}", start) for field, start in expected]
    assert len(problems) == len(expected), problems


@pytest.mark.parametrize(
    "uri",
    [
        "s3://my-bucket",
        "s3://my-bucket/models:v2/",
        "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/models/output/",
        {"Std:Join": {"On": "/", "Values": ["s3://my-bucket", "a:b", {"Get": "Parameters.Run"}]}},
        {
            "Std:Join": {
                "On": "/",
                "Values": [
                    "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/models",
                    {"Get": "Parameters.Run"},
                ],
            }
        },
    ],
    ids=["bucket-alone", "colon-in-key", "access-point", "joined-colon-in-key", "joined-ap"],
)
def test_an_output_uri_whose_key_holds_a_colon_or_of_an_access_point_is_valid(
    binder: StaticBinder, uri: object
) -> None:
    # Only a bucket's name or ARN in the bucket's place is judged; whether SageMaker reads
    # an access point's ARN there is not documented either way.
    definition = compiled_resources(
        binder, InstanceType="ml.m5.xlarge", InstanceCount=1, VolumeSizeInGB=30
    )
    definition["Parameters"] = [{"Name": "Run", "Type": "String", "DefaultValue": "r1"}]
    definition["Steps"][0]["Arguments"]["OutputDataConfig"]["S3OutputPath"] = uri  # type: ignore[index]

    assert problems_of(definition) == []


@pytest.mark.parametrize(
    "regex",
    [
        # Sets of other regex dialects: Python's re compiles them with a FutureWarning.
        r"loss=([[:digit:].]+)",
        r"acc=([0-9.&&[^,]]+)",
    ],
)
def test_metric_regexes_of_other_dialects_compile_without_warnings(
    binder: StaticBinder, regex: str
) -> None:
    # Under -W error (pytest's filterwarnings, an app's own setting) validation ended in a
    # FutureWarning traceback instead of accepting the regex, whose dialect isn't Python's.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/source.tar.gz", entry_point="train.py"),
        metric_definitions={"train:loss": regex},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        definition = PipelineDefinition(steps=[step]).to_definition(binder)

    [entry] = definition["Steps"]
    assert entry["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "train:loss", "Regex": regex}
    ]


def test_debugger_profiler_and_tensorboard_outputs_are_written(binder: StaticBinder) -> None:
    # The job uploads them with its role, as it does its model: before, only the output path
    # was planned, and a TensorBoardOutputConfig given through extra_arguments (as
    # docs/sdk-comparison.md says to) or the SDK's profiler_config= failed to upload.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        output_path="s3://models-bucket/train",
        extra_arguments={
            "TensorBoardOutputConfig": {"S3OutputPath": "s3://logs-bucket/tensorboard"},
            "DebugHookConfig": {"S3OutputPath": "s3://logs-bucket/debug"},
            "ProfilerConfig": {"S3OutputPath": "s3://logs-bucket/profiler"},
        },
    )
    plan = plan_permissions(PipelineDefinition(steps=[step]).to_definition(binder))
    for key in ("tensorboard", "debug", "profiler"):
        assert S3Access("logs-bucket", key) in plan.writes, key
        assert S3Access("logs-bucket", key) not in plan.reads, key


# Warm pools, retries and the checkpoints' local path: the SDK estimator's
# keep_alive_period_in_seconds, max_retry_attempts and checkpoint_local_path.


def test_warm_pool_retries_and_checkpoint_path_render_as_request_members(
    ctx: RenderContext,
) -> None:
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=1800,
        max_retry_attempts=3,
        checkpoint_s3_uri="s3://b/checkpoints",
        checkpoint_local_path="/opt/ml/checkpoints/run",
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["ResourceConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.large",
        "VolumeSizeInGB": 30,
        "KeepAlivePeriodInSeconds": 1800,
    }
    assert arguments["RetryStrategy"] == {"MaximumRetryAttempts": 3}
    assert arguments["CheckpointConfig"] == {
        "S3Uri": "s3://b/checkpoints",
        "LocalPath": "/opt/ml/checkpoints/run",
    }


def test_warm_pool_retries_and_checkpoint_path_take_parameters(binder: StaticBinder) -> None:
    keep_alive = ParameterInteger(name="KeepAlive", default_value=600)
    attempts = ParameterInteger(name="RetryAttempts", default_value=2)
    local_path = ParameterString(name="CheckpointPath", default_value="/opt/ml/checkpoints")
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=keep_alive,
        max_retry_attempts=attempts,
        checkpoint_s3_uri="s3://b/checkpoints",
        checkpoint_local_path=local_path,
    )

    definition = PipelineDefinition(
        parameters=[keep_alive, attempts, local_path], steps=[step]
    ).to_definition(binder)

    arguments = definition["Steps"][0]["Arguments"]
    assert arguments["ResourceConfig"]["KeepAlivePeriodInSeconds"] == {
        "Get": "Parameters.KeepAlive"
    }
    retries = {"MaximumRetryAttempts": {"Get": "Parameters.RetryAttempts"}}
    assert arguments["RetryStrategy"] == retries
    assert arguments["CheckpointConfig"]["LocalPath"] == {"Get": "Parameters.CheckpointPath"}
    assert validate_definition(definition) == []


def test_without_them_no_warm_pool_retry_strategy_or_local_path_is_written(
    ctx: RenderContext,
) -> None:
    arguments = TrainingStep(
        name="Train", image=IMAGE, checkpoint_s3_uri="s3://b/checkpoints"
    ).to_request(ctx)["Arguments"]

    assert "KeepAlivePeriodInSeconds" not in arguments["ResourceConfig"]
    assert "RetryStrategy" not in arguments
    assert arguments["CheckpointConfig"] == {"S3Uri": "s3://b/checkpoints"}


def test_a_warm_pool_on_instance_groups_is_written_before_the_groups(ctx: RenderContext) -> None:
    # Refused when compiled (below), but written where the SDK writes it.
    resources = hetero_step(keep_alive_period_in_seconds=60)._resources(ctx, JobDefaults())
    assert list(resources) == ["VolumeSizeInGB", "KeepAlivePeriodInSeconds", "InstanceGroups"]


@pytest.mark.parametrize(
    ("argument", "value", "expected"),
    [
        ("keep_alive_period_in_seconds", "600", "int or Expression, got str '600'"),
        ("keep_alive_period_in_seconds", 60.0, "int or Expression, got float 60.0"),
        ("max_retry_attempts", True, "int or Expression, got bool True"),
        ("max_retry_attempts", "2", "int or Expression, got str '2'"),
        ("checkpoint_local_path", 3, "str or Expression, got int 3"),
    ],
)
def test_fails_wrong_types_naming_step_and_keyword(
    argument: str, value: object, expected: str
) -> None:
    message = f"TrainingStep 'Train': field '{argument}' expects {expected}"
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        TrainingStep(
            name="Train",
            image=IMAGE,
            checkpoint_s3_uri="s3://b/checkpoints",
            **{argument: value},  # type: ignore[arg-type]
        )


def test_fails_a_checkpoint_local_path_without_its_s3_uri() -> None:
    # The SDK writes no CheckpointConfig then, dropping the path without a word
    # (tests/definition/sdk_training_settings/: local_path_only).
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape(
            "TrainingStep 'Train': checkpoint_local_path needs checkpoint_s3_uri (where "
            "SageMaker syncs the checkpoints written there)"
        ),
    ):
        TrainingStep(name="Train", image=IMAGE, checkpoint_local_path="/opt/ml/ckpt")


@pytest.mark.parametrize(
    ("options", "message", "hint"),
    [
        (
            {"use_spot_instances": True, "max_wait_in_seconds": 90000},
            "SageMaker managed warm pools can't be used with spot instances (use_spot_instances)",
            "leave out keep_alive_period_in_seconds, or use_spot_instances",
        ),
        (
            {
                "instance_groups": [
                    InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2)
                ]
            },
            "SageMaker managed warm pools can't be used with heterogeneous cluster training "
            "(instance_groups)",
            "leave out keep_alive_period_in_seconds, or train on one instance_type",
        ),
    ],
    ids=["spot", "instance-groups"],
)
def test_fails_a_warm_pool_with_spot_or_instance_groups_naming_step_and_field(
    binder: StaticBinder, options: dict[str, object], message: str, hint: str
) -> None:
    # The SageMaker guide's "SageMaker AI Managed Warm Pools", Considerations.
    parameter = ParameterInteger(name="KeepAlive", default_value=600)
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=parameter,
        **options,  # type: ignore[arg-type]
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(parameters=[parameter], steps=[step]).to_definition(binder)

    [problem] = raised.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message, problem.hint) == (
        "Train",
        "Arguments.ResourceConfig.KeepAlivePeriodInSeconds",
        "keep_alive_period_in_seconds",
        message,
        hint,
    )


def test_a_keep_alive_period_of_0_asks_for_no_warm_pool(binder: StaticBinder) -> None:
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=0,
        use_spot_instances=True,
        max_wait_in_seconds=90000,
    )
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    assert validate_definition(definition) == []


def test_extra_arguments_win_over_the_keywords_naming_themselves(binder: StaticBinder) -> None:
    # The rule of every keyword: extra_arguments merge into what the step renders, objects
    # merging and other values replacing it.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=600,
        max_retry_attempts=2,
        checkpoint_s3_uri="s3://b/checkpoints",
        checkpoint_local_path="/opt/ml/ckpt",
        extra_arguments={
            "RetryStrategy": {"MaximumRetryAttempts": 5},
            "ResourceConfig": {"KeepAlivePeriodInSeconds": 1200},
            "CheckpointConfig": {"LocalPath": "/opt/ml/other"},
        },
    )

    arguments = PipelineDefinition(steps=[step]).to_definition(binder)["Steps"][0]["Arguments"]

    assert arguments["RetryStrategy"] == {"MaximumRetryAttempts": 5}
    assert arguments["ResourceConfig"]["KeepAlivePeriodInSeconds"] == 1200
    assert arguments["CheckpointConfig"] == {
        "S3Uri": "s3://b/checkpoints",
        "LocalPath": "/opt/ml/other",
    }
    for field in (
        "Arguments.RetryStrategy.MaximumRetryAttempts",
        "Arguments.ResourceConfig.KeepAlivePeriodInSeconds",
        "Arguments.CheckpointConfig.LocalPath",
    ):
        assert step.argument_for(field) == "extra_arguments"


def test_problems_of_the_new_members_name_their_keywords(binder: StaticBinder) -> None:
    # botocore's limits: KeepAlivePeriodInSeconds 0 to 21600 (botocore 1.44; the warm-pool
    # guide once said 3600), MaximumRetryAttempts 1 to 30, LocalPath up to 4096 characters.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        keep_alive_period_in_seconds=21601,
        max_retry_attempts=0,
        checkpoint_s3_uri="s3://b/checkpoints",
        checkpoint_local_path="/opt/ml/" + "x" * 4096,
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)

    assert {(problem.field, problem.argument) for problem in raised.value.problems} == {
        ("Arguments.ResourceConfig.KeepAlivePeriodInSeconds", "keep_alive_period_in_seconds"),
        ("Arguments.RetryStrategy.MaximumRetryAttempts", "max_retry_attempts"),
        ("Arguments.CheckpointConfig.LocalPath", "checkpoint_local_path"),
    }


@pytest.mark.parametrize(("mode", "code_mode"), [("Pipe", "File"), ("FastFile", None)])
def test_the_code_channel_of_a_pipe_job_is_read_in_file_mode(
    binder: StaticBinder, script: Path, mode: str, code_mode: str | None
) -> None:
    # sagemaker_submit_directory names a file under the code channel's directory: a Pipe
    # channel is streamed through a named pipe instead, so the code channel says File. A
    # FastFile channel presents its objects as files: the job's mode serves it.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        code=Code.from_asset(script),
        inputs={"train": "s3://b/train"},
        input_mode=mode,
    )

    definition = PipelineDefinition(steps=[step]).to_definition(binder)

    arguments = definition["Steps"][0]["Arguments"]
    assert arguments["AlgorithmSpecification"]["TrainingInputMode"] == mode
    train, code = arguments["InputDataConfig"]
    assert "InputMode" not in train
    assert code.get("InputMode") == code_mode
    assert code["ChannelName"] == "code"
    assert validate_definition(definition) == []


@pytest.mark.parametrize("where", ["job", "channel"])
def test_fails_a_json_code_channel_in_pipe_mode_naming_step_and_field(
    binder: StaticBinder, script: Path, where: str
) -> None:
    step = TrainingStep(name="Train", image=IMAGE, code=Code.from_asset(script))
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    if where == "job":
        arguments["AlgorithmSpecification"]["TrainingInputMode"] = "Pipe"
        field = "Arguments.AlgorithmSpecification.TrainingInputMode"
    else:
        arguments["InputDataConfig"][0]["InputMode"] = "Pipe"
        field = "Arguments.InputDataConfig[0].InputMode"

    problems = validate_definition(definition)

    assert [(p.step, p.field, p.message, p.hint) for p in problems] == [
        (
            "Train",
            field,
            "sagemaker_submit_directory names '/opt/ml/input/data/code/prep.py.tar.gz' in "
            "channel 'code', which Pipe input mode streams through a named pipe: the archive "
            "is no file there, and the training toolkit can't unpack the code",
            'give channel \'code\' "InputMode": "File" (TrainingStep(code=…) does so for a '
            "Pipe job)",
        )
    ]


def test_fails_a_pipe_code_channel_named_as_the_sagemaker_sdk_quotes_it(
    binder: StaticBinder, script: Path
) -> None:
    # The SageMaker SDK writes each hyperparameter JSON-encoded: a network-isolated
    # estimator's sagemaker_submit_directory is '"/opt/ml/input/data/code/sourcedir.tar.gz"'.
    step = TrainingStep(name="Train", image=IMAGE, code=Code.from_asset(script))
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    arguments["AlgorithmSpecification"]["TrainingInputMode"] = "Pipe"
    hyperparameters = arguments["HyperParameters"]
    hyperparameters["sagemaker_submit_directory"] = json.dumps(
        hyperparameters["sagemaker_submit_directory"]
    )

    problems = validate_definition(definition)

    assert [(p.step, p.field) for p in problems] == [
        ("Train", "Arguments.AlgorithmSpecification.TrainingInputMode")
    ]
    assert "names '/opt/ml/input/data/code/prep.py.tar.gz' in channel 'code'" in (
        problems[0].message
    )
