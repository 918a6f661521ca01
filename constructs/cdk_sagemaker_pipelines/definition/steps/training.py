"""``TrainingStep``: train a model (CreateTrainingJob), script mode or any container."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._channel_rules import (
    FILE_SYSTEM_ACCESS_MODES,
    FILE_SYSTEM_ID,
    FILE_SYSTEM_ID_LENGTH,
    FILE_SYSTEM_TYPES,
    MAX_DIRECTORY_PATH,
)
from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render, render_string_map
from .._suggest import did_you_mean, one_of
from .._tokens import is_token
from .._typecheck import checked
from ..bindables import Code, S3Location
from ..expressions import Expression
from ..jobs import JobDefaults, NetworkConfig
from ..properties import Properties
from ._base import (
    ImageLike,
    JobStep,
    S3Like,
    bind_code,
    bind_image,
    bind_role,
    bind_s3,
    default_output,
    effective_network,
    job_defaults,
    pick,
)

# Hyperparameters the SageMaker training toolkit reads to run a user script.
PROGRAM_HYPERPARAMETER = "sagemaker_program"
SUBMIT_DIRECTORY_HYPERPARAMETER = "sagemaker_submit_directory"
CODE_CHANNEL = "code"
CODE_CHANNEL_PATH = "/opt/ml/input/data/code"


@checked
@dataclass(frozen=True, slots=True)
class TrainingInput:
    """One input channel of a training job.

    ``shuffle_seed`` shuffles the order of the channel's S3 objects (or manifest entries)
    with that seed, in Pipe input mode at each epoch: the SDK's
    ``shuffle_config=ShuffleConfig(seed)``.

    Example::

        TrainingInput(s3_data=prep.properties.ProcessingOutputConfig.Outputs["train"]
                      .S3Output.S3Uri, content_type="text/csv", shuffle_seed=42)
    """

    s3_data: S3Like
    content_type: str | Expression | None = None
    distribution: str = "FullyReplicated"
    s3_data_type: str = "S3Prefix"
    input_mode: str | None = None
    compression: str | None = None
    record_wrapping: str | None = None
    shuffle_seed: int | Expression | None = None


@checked
@dataclass(frozen=True, slots=True)
class FileSystemInput:
    """An input channel read from an EFS or FSx for Lustre file system, not from S3.

    The SageMaker SDK's ``sagemaker.inputs.FileSystemInput``. SageMaker mounts
    ``directory_path`` of the file system into the training container, so the job must run
    in a VPC that reaches the file system's mount targets: give the step
    ``network=NetworkConfig(subnets=…, security_group_ids=…)`` (or a binder's default
    network). ``file_system_type`` is ``EFS`` or ``FSxLustre`` (FSx paths start with the
    file system's mount name); ``file_system_access_mode`` is ``ro`` (Default) or ``rw``.
    EFS channels can't use Pipe input mode. The local runner can't mount file systems:
    such a step fails there.

    Example::

        TrainingStep(
            ...,
            inputs={"train": FileSystemInput(file_system_id="fs-0123456789abcdef0",
                                             file_system_type="FSxLustre",
                                             directory_path="/fsx1234/train")},
            network=NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"]),
        )
    """

    file_system_id: str | Expression
    file_system_type: str
    directory_path: str | Expression
    file_system_access_mode: str = "ro"
    content_type: str | Expression | None = None

    def _validate(self) -> None:
        for argument, value, allowed in (
            ("file_system_type", self.file_system_type, FILE_SYSTEM_TYPES),
            ("file_system_access_mode", self.file_system_access_mode, FILE_SYSTEM_ACCESS_MODES),
        ):
            if value not in allowed:
                hint = did_you_mean(value, allowed)
                raise PipelineDefinitionError(
                    f"FileSystemInput: {argument} {value!r} is not one of {one_of(allowed)}"
                    + (f" ({hint})" if hint else "")
                )
        file_system = self.file_system_id
        shortest, longest = FILE_SYSTEM_ID_LENGTH
        if (
            isinstance(file_system, str)
            and not is_token(file_system)
            and not (
                FILE_SYSTEM_ID.fullmatch(file_system) and shortest <= len(file_system) <= longest
            )
        ):
            raise PipelineDefinitionError(
                f"FileSystemInput: file_system_id {file_system!r} is not a file system id "
                "('fs-' and 8 to 18 hexadecimal digits, as EFS and FSx write them)"
            )
        path = self.directory_path
        if (
            isinstance(path, str)
            and not is_token(path)
            and (not path.startswith("/") or len(path) > MAX_DIRECTORY_PATH)
        ):
            raise PipelineDefinitionError(
                f"FileSystemInput: directory_path {path[:80]!r} is not a full path in the "
                f"file system (one starting with '/', at most {MAX_DIRECTORY_PATH} "
                "characters; for FSx for Lustre, '/<mount name>/…')"
            )

    def data_source(self, ctx: RenderContext | None = None) -> JsonValue:
        """The channel's ``DataSource``: ``{"FileSystemDataSource": {…}}``."""
        return {
            "FileSystemDataSource": {
                "FileSystemId": render(self.file_system_id, ctx),
                "FileSystemType": self.file_system_type,
                "DirectoryPath": render(self.directory_path, ctx),
                "FileSystemAccessMode": self.file_system_access_mode,
            }
        }


def training_job_argument_fields(job: str, resources: str) -> dict[str, str]:
    """``argument_fields`` of a training job's members under ``job`` (``TrainingJobStep``)."""
    return {
        f"{job}.AlgorithmSpecification.TrainingInputMode": "input_mode",
        f"{job}.AlgorithmSpecification.TrainingImage": "image",
        f"{job}.AlgorithmSpecification.MetricDefinitions": "metric_definitions",
        f"{job}.OutputDataConfig.S3OutputPath": "output_path",
        f"{job}.OutputDataConfig.KmsKeyId": "output_kms_key",
        f"{job}.StoppingCondition.MaxRuntimeInSeconds": "max_runtime_in_seconds",
        f"{job}.{resources}.InstanceCount": "instance_count",
        f"{job}.{resources}.InstanceType": "instance_type",
        f"{job}.{resources}.VolumeSizeInGB": "volume_size_in_gb",
        f"{job}.{resources}.VolumeKmsKeyId": "volume_kms_key",
        f"{job}.RoleArn": "role",
        f"{job}.InputDataConfig": "inputs",
        f"{job}.Environment": "environment",
        f"{job}.VpcConfig": "network",
        f"{job}.EnableNetworkIsolation": "network",
        f"{job}.EnableInterContainerTrafficEncryption": "network",
    }


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TrainingJobStep(JobStep):
    """Fields shared by ``TrainingStep`` and ``TuningStep``: what one training job runs.

    With ``code``, the job runs in script mode: the script (or directory) is shipped as
    an archive and named by the ``sagemaker_program`` and ``sagemaker_submit_directory``
    hyperparameters, which SageMaker framework images read. Default: 1 × ml.m5.large,
    30 GiB, File input mode, 1 day maximum runtime.
    """

    image: ImageLike
    code: Code | None = None
    inputs: Mapping[str, TrainingInput | FileSystemInput | S3Like] | None = None
    output_path: S3Like | None = None
    instance_type: str | Expression = "ml.m5.large"
    instance_count: int | Expression = 1
    volume_size_in_gb: int | Expression = 30
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    environment: Mapping[str, Any] | None = None
    metric_definitions: Mapping[str, str] | None = None
    input_mode: str = "File"
    max_runtime_in_seconds: int | Expression = 86400
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    # Where the job's members sit: TrainingStep's Arguments, or a tuning job's
    # TrainingJobDefinition; and the member naming the instances.
    job_field: ClassVar[str] = "Arguments"
    resources_member: ClassVar[str] = "ResourceConfig"
    hyperparameters_member: ClassVar[str] = "HyperParameters"

    def _argument_fields(self) -> Mapping[str, str]:
        fields = JobStep._argument_fields(self)
        if self.code is None:
            return fields
        # Script mode: the code travels as the channel after the step's own and is named
        # by two hyperparameters.
        job, hyperparameters = self.job_field, f"{self.job_field}.{self.hyperparameters_member}"
        return {
            **fields,
            f"{job}.InputDataConfig[{len(self.inputs or {})}]": "code",
            f"{hyperparameters}['{PROGRAM_HYPERPARAMETER}']": "code",
            f"{hyperparameters}['{SUBMIT_DIRECTORY_HYPERPARAMETER}']": "code",
        }

    def _channels(
        self, ctx: RenderContext, field: str, code_channel: JsonValue = None
    ) -> JsonValue:
        if not self.inputs and code_channel is None:
            return None
        channels = []
        for index, (name, value) in enumerate((self.inputs or {}).items()):
            uri_field = f"{field}[{index}].DataSource.S3DataSource.S3Uri"
            if isinstance(value, FileSystemInput):
                channels.append(
                    compact(
                        DataSource=value.data_source(ctx),
                        ContentType=render(value.content_type, ctx),
                        ChannelName=name,
                    )
                )
                continue
            if not isinstance(value, (TrainingInput, str, Expression, S3Location)):
                value = TrainingInput(s3_data=value)  # raises, naming the value's type
            if not isinstance(value, TrainingInput):
                # A bare location: TrainingInput(s3_data=value)'s channel, without building it.
                channels.append(
                    compact(
                        DataSource={
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": bind_s3(ctx, self, value, uri_field, "read"),
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                        ChannelName=name,
                    )
                )
                continue
            channel = value
            channels.append(
                compact(
                    DataSource={
                        "S3DataSource": {
                            "S3DataType": channel.s3_data_type,
                            "S3Uri": bind_s3(ctx, self, channel.s3_data, uri_field, "read"),
                            "S3DataDistributionType": channel.distribution,
                        }
                    },
                    ContentType=render(channel.content_type, ctx),
                    CompressionType=channel.compression,
                    RecordWrapperType=channel.record_wrapping,
                    InputMode=channel.input_mode,
                    ShuffleConfig=(
                        {"Seed": render(channel.shuffle_seed, ctx)}
                        if channel.shuffle_seed is not None
                        else None
                    ),
                    ChannelName=name,
                )
            )
        if code_channel is not None:
            channels.append(code_channel)
        return channels

    def _output_config(self, ctx: RenderContext, defaults: JobDefaults, field: str) -> JsonValue:
        path_field = f"{field}.S3OutputPath"
        if self.output_path is None:
            path = default_output(ctx, self, "model", path_field, retained=True)
        else:
            path = bind_s3(ctx, self, self.output_path, path_field, "write")
        return compact(
            S3OutputPath=path,
            KmsKeyId=pick(self.output_kms_key, defaults.output_kms_key, ctx),
        )

    def _algorithm(self, ctx: RenderContext, field: str) -> JsonValue:
        metrics = None
        if self.metric_definitions:
            metrics = [
                {"Name": name, "Regex": regex} for name, regex in self.metric_definitions.items()
            ]
        return compact(
            TrainingInputMode=self.input_mode,
            TrainingImage=bind_image(ctx, self, self.image, f"{field}.TrainingImage"),
            MetricDefinitions=metrics,
        )

    def _resources(self, ctx: RenderContext, defaults: JobDefaults) -> JsonValue:
        return compact(
            InstanceCount=render(self.instance_count, ctx),
            InstanceType=render(self.instance_type, ctx),
            VolumeSizeInGB=render(self.volume_size_in_gb, ctx),
            VolumeKmsKeyId=pick(self.volume_kms_key, defaults.volume_kms_key, ctx),
        )

    def _script_mode(
        self, ctx: RenderContext, channels_field: str
    ) -> tuple[dict[str, JsonValue], JsonValue]:
        """Hyperparameters and input channel that ship ``code`` to the training toolkit.

        The archive travels as the input channel ``code`` and ``sagemaker_submit_directory``
        names its local path, as the SageMaker SDK does for network-isolated jobs: the
        container never downloads code itself, so it works with network isolation too.
        """
        if self.code is None:
            return {}, None
        index = len(self.inputs or {})
        field = f"{channels_field}[{index}].DataSource.S3DataSource.S3Uri"
        bound = bind_code(ctx, self, self.code, field, archive=True)
        channel = {
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": bound.uri,
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
            "ChannelName": CODE_CHANNEL,
        }
        # The file as it lands in the channel: an S3 archive keeps its own name.
        file_name = bound.file_name
        if self.code.is_s3_archive:
            file_name = posixpath.basename(str(self.code.s3_uri))
        hyperparameters = {
            PROGRAM_HYPERPARAMETER: self.code.script_name,
            SUBMIT_DIRECTORY_HYPERPARAMETER: f"{CODE_CHANNEL_PATH}/{file_name}",
        }
        return hyperparameters, channel

    def _validate(self) -> None:
        if self.code is not None and self.inputs and CODE_CHANNEL in self.inputs:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': the input channel '{CODE_CHANNEL}' "
                "carries the step's code; name your channel differently"
            )
        for name, value in (self.inputs or {}).items():
            if (
                isinstance(value, FileSystemInput)
                and value.file_system_type == "EFS"
                and self.input_mode == "Pipe"
            ):
                # The SDK's "Use File Systems as Training Inputs": "Pipe mode is not
                # supported if using EFS as data source".
                raise PipelineDefinitionError(
                    f"{type(self).__name__} '{self.name}': the input channel '{name}' reads "
                    "an EFS file system, which Pipe input mode can't stream; use "
                    "input_mode='File'"
                )

    def _network_fields(self, ctx: RenderContext, defaults: JobDefaults) -> dict[str, JsonValue]:
        network = effective_network(self.network, defaults)
        if network is None:
            return {}
        return compact(
            VpcConfig=network.vpc_config(ctx),
            EnableNetworkIsolation=network.enable_network_isolation,
            EnableInterContainerTrafficEncryption=network.enable_inter_container_traffic_encryption,
        )


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TrainingStep(TrainingJobStep):
    """Runs a training job; its model lands at ``properties.ModelArtifacts.S3ModelArtifacts``.

    ``metric_definitions`` maps metric names to regexes applied to the job's log; their
    last values appear as ``properties.FinalMetricDataList['<name>'].Value``.

    Example::

        train = TrainingStep(
            name="Train",
            image=Image.sklearn("1.2-1"),
            code=Code.from_asset("ml/train.py"),
            inputs={"train": prep.properties.ProcessingOutputConfig.Outputs["train"]
                    .S3Output.S3Uri},
            hyperparameters={"n_estimators": 100},
            metric_definitions={"train:accuracy": "train_accuracy=([0-9.]+)"},
        )
    """

    hyperparameters: Mapping[str, Any] | None = None
    disable_profiler: bool = True
    checkpoint_s3_uri: S3Like | None = None
    use_spot_instances: bool = False
    max_wait_in_seconds: int | Expression | None = None
    step_type: ClassVar[str] = "Training"
    argument_fields: ClassVar[Mapping[str, str]] = {
        **training_job_argument_fields("Arguments", "ResourceConfig"),
        "Arguments.HyperParameters": "hyperparameters",
        "Arguments.StoppingCondition.MaxWaitTimeInSeconds": "max_wait_in_seconds",
        "Arguments.CheckpointConfig": "checkpoint_s3_uri",
        "Arguments.EnableManagedSpotTraining": "use_spot_instances",
        "Arguments.ProfilerConfig": "disable_profiler",
    }

    @property
    def model_data(self) -> Properties:
        """Where the trained model was written (``ModelArtifacts.S3ModelArtifacts``).

        Example::

            RegisterModel(..., model_data=train.model_data)
        """
        return self.properties.ModelArtifacts.S3ModelArtifacts

    def declared_keys(self, path: str) -> Sequence[str] | None:
        """The metric names, for ``properties.FinalMetricDataList['…']``, if the step defines them.

        A job with ``metric_definitions`` (a script or a custom image) reports only those;
        without them a built-in algorithm reports its own, which botocore can't list.
        """
        if path != "FinalMetricDataList" or not self.metric_definitions:
            return None
        algorithm = (self.extra_arguments or {}).get("AlgorithmSpecification")
        if isinstance(algorithm, Mapping) and "MetricDefinitions" in algorithm:
            return None  # metrics given as raw request members: not ours to know
        return list(self.metric_definitions)

    def _validate(self) -> None:
        TrainingJobStep._validate(self)
        if self.use_spot_instances and self.max_wait_in_seconds is None:
            raise PipelineDefinitionError(
                f"TrainingStep '{self.name}': use_spot_instances needs max_wait_in_seconds "
                "(how long to wait for spot capacity plus the run, at least "
                "max_runtime_in_seconds)"
            )

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        hyperparameters = dict(render_string_map(self.hyperparameters, ctx) or {})
        script_hyperparameters, code_channel = self._script_mode(ctx, "Arguments.InputDataConfig")
        hyperparameters.update(script_hyperparameters)
        stopping = {"MaxRuntimeInSeconds": render(self.max_runtime_in_seconds, ctx)}
        if self.max_wait_in_seconds is not None:
            stopping["MaxWaitTimeInSeconds"] = render(self.max_wait_in_seconds, ctx)
        checkpoint = None
        if self.checkpoint_s3_uri is not None:
            field = "Arguments.CheckpointConfig.S3Uri"
            checkpoint = {"S3Uri": bind_s3(ctx, self, self.checkpoint_s3_uri, field, "write")}
        arguments = compact(
            AlgorithmSpecification=self._algorithm(ctx, "Arguments.AlgorithmSpecification"),
            OutputDataConfig=self._output_config(ctx, defaults, "Arguments.OutputDataConfig"),
            StoppingCondition=stopping,
            ResourceConfig=self._resources(ctx, defaults),
            RoleArn=bind_role(ctx, self, self.role, "Arguments.RoleArn"),
            InputDataConfig=self._channels(ctx, "Arguments.InputDataConfig", code_channel),
            HyperParameters=hyperparameters or None,
            Environment=render_string_map(self.environment, ctx),
            CheckpointConfig=checkpoint,
            EnableManagedSpotTraining=True if self.use_spot_instances else None,
            ProfilerConfig={"DisableProfiler": True} if self.disable_profiler else None,
        )
        arguments.update(self._network_fields(ctx, defaults))
        return arguments
