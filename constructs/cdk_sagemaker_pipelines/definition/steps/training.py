"""``TrainingStep``: train a model (CreateTrainingJob), script mode or any container."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._channel_rules import (
    FILE_SYSTEM_ACCESS_MODES,
    FILE_SYSTEM_ID,
    FILE_SYSTEM_ID_LENGTH,
    FILE_SYSTEM_TYPES,
    MAX_DIRECTORY_PATH,
)
from .._distribution_names import DISTRIBUTION_HYPERPARAMETERS
from .._errors import PipelineDefinitionError, Problem
from .._render import JsonValue, RenderContext, compact, render, render_string_map
from .._suggest import did_you_mean, one_of
from .._tokens import is_token
from .._typecheck import checked
from ..bindables import Code, S3Location
from ..distribution import Distribution, check_distribution
from ..expressions import Expression
from ..jobs import JobDefaults, NetworkConfig, render_tags
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
    volume_key,
)

if TYPE_CHECKING:
    from ..property_types import TrainingStepProperties

# Hyperparameters the SageMaker training toolkit reads to run a user script.
PROGRAM_HYPERPARAMETER = "sagemaker_program"
SUBMIT_DIRECTORY_HYPERPARAMETER = "sagemaker_submit_directory"
CODE_CHANNEL = "code"
CODE_CHANNEL_PATH = "/opt/ml/input/data/code"
# The input mode that streams channels instead of presenting files, and the one the code
# channel of such a job takes so that its archive is a file (``_script_mode``).
PIPE_MODE = "Pipe"
CODE_INPUT_MODE = "File"
# What a job runs on without instance_type, instance_count or instance_groups.
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
DEFAULT_INSTANCE_COUNT = 1


# CreateTrainingJob's ResourceConfig.InstanceGroups holds up to 5 groups, and a channel's
# S3DataSource.InstanceGroupNames up to 5 names (botocore's InstanceGroups and
# InstanceGroupNames); a name is 1 to 64 characters of the pattern '.+' (InstanceGroupName).
MAX_INSTANCE_GROUPS = 5
INSTANCE_GROUP_NAME = re.compile(r".{1,64}")


def check_instance_group_name(where: str, name: str) -> None:
    """Raise ``PipelineDefinitionError`` unless ``name`` is an instance group name."""
    if not INSTANCE_GROUP_NAME.fullmatch(name):
        raise PipelineDefinitionError(
            f"{where}: {name[:80]!r} is not an instance group name (1 to 64 characters, "
            "no line breaks)"
        )


@checked
@dataclass(frozen=True, slots=True)
class TrainingInput:
    """One input channel of a training job.

    ``shuffle_seed`` shuffles the order of the channel's S3 objects (or manifest entries)
    with that seed, in Pipe input mode at each epoch: the SDK's
    ``shuffle_config=ShuffleConfig(seed)``. ``instance_groups`` names the groups of a
    ``TrainingStep``'s heterogeneous cluster (``instance_groups=[InstanceGroup(…)]``) whose
    instances get the channel; without it, every instance does.

    Example::

        TrainingInput(s3_data=prep.properties.ProcessingOutputConfig.Outputs["train"]
                      .S3Output.S3Uri, content_type="text/csv", shuffle_seed=42)
        TrainingInput(s3_data="s3://bucket/images/", instance_groups=["data"])
    """

    s3_data: S3Like
    content_type: str | Expression | None = None
    distribution: str = "FullyReplicated"
    s3_data_type: str = "S3Prefix"
    input_mode: str | None = None
    compression: str | None = None
    record_wrapping: str | None = None
    shuffle_seed: int | Expression | None = None
    instance_groups: Sequence[str] | None = None

    def _validate(self) -> None:
        groups = self.instance_groups
        if groups is None:
            return
        if not 1 <= len(groups) <= MAX_INSTANCE_GROUPS:
            raise PipelineDefinitionError(
                f"TrainingInput: instance_groups names 1 to {MAX_INSTANCE_GROUPS} instance "
                f"groups of the step, got {len(groups)}; leave it out for a channel every "
                "instance gets"
            )
        for name in groups:
            check_instance_group_name("TrainingInput: instance_groups", name)
        repeated = sorted({name for name in groups if list(groups).count(name) > 1})
        if repeated:
            raise PipelineDefinitionError(
                f"TrainingInput: instance_groups names {', '.join(map(repr, repeated))} "
                "more than once"
            )


@checked
@dataclass(frozen=True, slots=True)
class InstanceGroup:
    """One group of a heterogeneous cluster: ``instance_count`` instances of ``instance_type``.

    The SageMaker SDK's ``sagemaker.instance_group.InstanceGroup``. Give a ``TrainingStep``
    up to 5 of them as ``instance_groups`` (instead of ``instance_type`` and
    ``instance_count``); every instance runs the same image and script, which reads its
    group from ``SM_CURRENT_INSTANCE_GROUP`` (the SageMaker guide's "Train using a
    heterogeneous cluster"). ``TrainingInput(instance_groups=[…])`` sends a channel to
    some groups only.

    Example::

        TrainingStep(
            ...,
            instance_groups=[
                InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
                InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1),
            ],
            inputs={"train": TrainingInput(s3_data=train_uri, instance_groups=["data"])},
        )
    """

    name: str
    instance_type: str | Expression
    instance_count: int | Expression

    def _validate(self) -> None:
        check_instance_group_name("InstanceGroup: name", self.name)
        if isinstance(self.instance_count, int) and self.instance_count < 1:
            # botocore's TrainingInstanceCount starts at 0, but a group of no instances runs
            # nothing, and the channels sent to it reach no instance.
            raise PipelineDefinitionError(
                f"InstanceGroup '{self.name}': instance_count must be at least 1, got "
                f"{self.instance_count}; leave out a group without instances"
            )

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The group's entry of ``ResourceConfig.InstanceGroups``."""
        return {
            "InstanceGroupName": self.name,
            "InstanceType": render(self.instance_type, ctx),
            "InstanceCount": render(self.instance_count, ctx),
        }


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
        f"{job}.OutputDataConfig.CompressionType": "disable_output_compression",
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
        f"{job}.StoppingCondition.MaxWaitTimeInSeconds": "max_wait_in_seconds",
        f"{job}.CheckpointConfig": "checkpoint_s3_uri",
        f"{job}.CheckpointConfig.LocalPath": "checkpoint_local_path",
        f"{job}.EnableManagedSpotTraining": "use_spot_instances",
        f"{job}.RetryStrategy": "max_retry_attempts",
    }


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TrainingJobStep(JobStep):
    """Fields shared by ``TrainingStep`` and ``TuningStep``: what one training job runs.

    With ``code``, the job runs in script mode: the script (or directory) is shipped as
    an archive and named by the ``sagemaker_program`` and ``sagemaker_submit_directory``
    hyperparameters, which SageMaker framework images read. Default: 1 × ml.m5.large,
    30 GiB, File input mode, 1 day maximum runtime (``instance_type`` and
    ``instance_count`` left unset render those defaults). Each subclass declares ``image``
    itself: a ``TrainingStep`` requires it, a ``TuningStep`` of several
    ``TrainingJobDefinition``s leaves it to them.

    ``checkpoint_local_path`` is where the job writes the checkpoints SageMaker syncs with
    ``checkpoint_s3_uri`` (Default: ``/opt/ml/checkpoints``); it needs ``checkpoint_s3_uri``.
    ``max_retry_attempts`` retries the job on an ``InternalServerError`` up to that many
    times (CreateTrainingJob's ``RetryStrategy``; Default: no retry). Both are the SDK
    estimator's settings of the same names, as is ``disable_output_compression``: the job
    uploads ``/opt/ml/model`` as it is (``OutputDataConfig.CompressionType: NONE``), not as
    ``model.tar.gz``, so ``model_data`` is a prefix; give it to a model as
    ``ModelData.uncompressed(train.model_data)``. Worth it for models of many GB.

    Example::

        TrainingStep(name="Train", image=Image.sklearn("1.2-1"),
                     code=Code.from_asset("ml/train.py"), inputs={"train": train_uri},
                     checkpoint_s3_uri="s3://bucket/checkpoints",
                     checkpoint_local_path="/opt/ml/checkpoints/run", max_retry_attempts=2)
    """

    code: Code | None = None
    inputs: Mapping[str, TrainingInput | FileSystemInput | S3Like] | None = None
    output_path: S3Like | None = None
    instance_type: str | Expression | None = None
    instance_count: int | Expression | None = None
    volume_size_in_gb: int | Expression = 30
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    environment: Mapping[str, Any] | None = None
    metric_definitions: Mapping[str, str] | None = None
    input_mode: str = "File"
    max_runtime_in_seconds: int | Expression = 86400
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    checkpoint_s3_uri: S3Like | None = None
    checkpoint_local_path: str | Expression | None = None
    use_spot_instances: bool = False
    max_wait_in_seconds: int | Expression | None = None
    max_retry_attempts: int | Expression | None = None
    distribution: Distribution | None = None
    disable_output_compression: bool = False
    # Where the job's members sit: TrainingStep's Arguments, or a tuning job's
    # TrainingJobDefinition; and the member naming the instances.
    job_field: ClassVar[str] = "Arguments"
    resources_member: ClassVar[str] = "ResourceConfig"
    hyperparameters_member: ClassVar[str] = "HyperParameters"

    def _argument_fields(self) -> Mapping[str, str]:
        fields = JobStep._argument_fields(self)
        if self.distribution is not None:
            hyperparameters = f"{self.job_field}.{self.hyperparameters_member}"
            fields = {
                **fields,
                **{
                    f"{hyperparameters}['{name}']": "distribution"
                    for name in DISTRIBUTION_HYPERPARAMETERS
                },
            }
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

    def _stopping_condition(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """``StoppingCondition``: the run's limit, and the wait for spot capacity if given."""
        stopping = {"MaxRuntimeInSeconds": render(self.max_runtime_in_seconds, ctx)}
        if self.max_wait_in_seconds is not None:
            stopping["MaxWaitTimeInSeconds"] = render(self.max_wait_in_seconds, ctx)
        return stopping

    def _checkpoint_config(self, ctx: RenderContext, field: str) -> JsonValue:
        """``CheckpointConfig`` at ``field``, which the job writes and reads back, or None."""
        if self.checkpoint_s3_uri is None:
            return None  # _validate refuses a checkpoint_local_path alone
        uri = bind_s3(ctx, self, self.checkpoint_s3_uri, f"{field}.S3Uri", "write")
        return compact(S3Uri=uri, LocalPath=render(self.checkpoint_local_path, ctx))

    def _retry_strategy(self, ctx: RenderContext) -> JsonValue:
        """``RetryStrategy``: retries of the job on internal server errors, or None."""
        if self.max_retry_attempts is None:
            return None
        return {"MaximumRetryAttempts": render(self.max_retry_attempts, ctx)}

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
                            **(
                                {"InstanceGroupNames": list(channel.instance_groups)}
                                if channel.instance_groups is not None
                                else {}
                            ),
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
            # The API's default is GZIP: written only when it isn't, as the SDK does.
            CompressionType="NONE" if self.disable_output_compression else None,
        )

    def _algorithm(self, ctx: RenderContext, field: str, image: ImageLike) -> JsonValue:
        metrics = None
        if self.metric_definitions:
            metrics = [
                {"Name": name, "Regex": regex} for name, regex in self.metric_definitions.items()
            ]
        return compact(
            TrainingInputMode=self.input_mode,
            TrainingImage=bind_image(ctx, self, image, f"{field}.TrainingImage"),
            MetricDefinitions=metrics,
        )

    def _resources(self, ctx: RenderContext, defaults: JobDefaults) -> JsonValue:
        count = DEFAULT_INSTANCE_COUNT if self.instance_count is None else self.instance_count
        kind = DEFAULT_INSTANCE_TYPE if self.instance_type is None else self.instance_type
        return compact(
            InstanceCount=render(count, ctx),
            InstanceType=render(kind, ctx),
            VolumeSizeInGB=render(self.volume_size_in_gb, ctx),
            VolumeKmsKeyId=volume_key(self.volume_kms_key, defaults.volume_kms_key, [kind], ctx),
        )

    def _script_mode(
        self, ctx: RenderContext, channels_field: str
    ) -> tuple[dict[str, JsonValue], JsonValue]:
        """Hyperparameters and input channel that ship ``code`` to the training toolkit.

        The archive travels as the input channel ``code`` and ``sagemaker_submit_directory``
        names its local path, as the SageMaker SDK does for network-isolated jobs: the
        container never downloads code itself, so it works with network isolation too.

        A channel without ``InputMode`` takes the job's. In Pipe mode SageMaker streams a
        channel through a named pipe (``/opt/ml/input/data/code_<epoch>``), so the archive
        ``sagemaker_submit_directory`` names would not exist: the code channel of a Pipe
        job says ``File``. FastFile keeps the job's mode: it "provides file system access
        to an Amazon S3 data source" (the SageMaker guide's "Setting up training jobs to
        access datasets"), so the archive is a file at that path there too.
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
            **({"InputMode": CODE_INPUT_MODE} if self.input_mode == PIPE_MODE else {}),
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

    def _instance_group_names(self) -> list[str] | None:
        """The names of the job's heterogeneous cluster groups; None for one instance type."""
        return None

    def _check_channel_groups(self) -> None:
        """Each ``TrainingInput(instance_groups=…)`` names groups of the step's cluster."""
        kind = type(self).__name__
        groups = self._instance_group_names()
        for name, value in (self.inputs or {}).items():
            if not isinstance(value, TrainingInput) or value.instance_groups is None:
                continue
            if groups is None:
                raise PipelineDefinitionError(
                    f"{kind} '{self.name}': the input channel '{name}' sets instance_groups, "
                    "but the step runs on one instance type, not a heterogeneous cluster"
                    + (
                        "; give the step instance_groups=[InstanceGroup(…), …]"
                        if kind == "TrainingStep"
                        else " (TuningStep takes none: the SDK's tuner drops an estimator's "
                        "instance_groups too); leave instance_groups out"
                    )
                )
            if any(is_token(known) for known in groups):
                continue  # a group named at deploy time: any channel's name may be it
            for group in value.instance_groups:
                if group not in groups and not is_token(group):
                    hint = did_you_mean(group, groups)
                    raise PipelineDefinitionError(
                        f"{kind} '{self.name}': the input channel '{name}' names the instance "
                        f"group {group!r}, which is not one of the step's instance_groups "
                        f"({one_of(groups)})" + (f"; {hint}" if hint else "")
                    )

    def _given_hyperparameters(self) -> Mapping[str, Any] | None:
        """The hyperparameters the user gives: ``hyperparameters`` or ``static_hyperparameters``."""
        return None

    def _cluster(self) -> Mapping[str, str | Expression] | None:
        """A heterogeneous cluster's instance type per group name; None for one instance type."""
        return None

    def _check_distribution(self) -> None:
        if self.distribution is None:
            return
        cluster = self._cluster()
        check_distribution(
            f"{type(self).__name__} '{self.name}'",
            self.distribution,
            image=getattr(self, "image", None),
            instance_type=(
                None
                if cluster is not None
                else (DEFAULT_INSTANCE_TYPE if self.instance_type is None else self.instance_type)
            ),
            cluster=cluster,
            hyperparameters=self._given_hyperparameters(),
            script_name=self.code.script_name if self.code is not None else None,
            tuning=self.step_type == "Tuning",
        )
        # A tuned launcher setting would be written static too (the SDK drops the static
        # one); how the script is launched isn't a hyperparameter to search over.
        tuned = [
            name
            for name in getattr(self, "hyperparameter_ranges", None) or {}
            if name in DISTRIBUTION_HYPERPARAMETERS
        ]
        if tuned:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': hyperparameter_ranges tunes "
                f"{', '.join(map(repr, tuned))}, which distribution= writes (how the script is "
                "launched); set it in the Distribution (e.g. Distribution.mpi("
                "processes_per_host=…)) and leave it out of hyperparameter_ranges"
            )

    def _distribution_hyperparameters(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """What ``distribution`` writes into the job's hyperparameters, as the SDK does."""
        if self.distribution is None:
            return {}
        cluster = self._cluster()
        instance_type = None
        if cluster is None:
            instance_type = (
                DEFAULT_INSTANCE_TYPE if self.instance_type is None else self.instance_type
            )
        return self.distribution.hyperparameters(
            instance_type, list(cluster) if cluster is not None else None, ctx
        )

    def _validate(self) -> None:
        self._check_channel_groups()
        self._check_distribution()
        if self.checkpoint_local_path is not None and self.checkpoint_s3_uri is None:
            # The SDK writes no CheckpointConfig without an S3 URI, dropping the path
            # silently; CreateTrainingJob requires CheckpointConfig.S3Uri.
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': checkpoint_local_path needs "
                "checkpoint_s3_uri (where SageMaker syncs the checkpoints written there); "
                "give checkpoint_s3_uri=, or leave checkpoint_local_path out (the SageMaker "
                "SDK drops a local path given alone)"
            )
        if self.use_spot_instances and self.max_wait_in_seconds is None:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': use_spot_instances needs "
                "max_wait_in_seconds (how long to wait for spot capacity plus the run, at "
                "least max_runtime_in_seconds)"
            )
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

    ``keep_alive_period_in_seconds`` keeps the instances in a SageMaker managed warm pool
    for that many seconds after the job (the SDK estimator's setting of the same name;
    botocore bounds it), so a later matching job starts without provisioning. Warm pools
    work neither with spot instances nor on a heterogeneous cluster: compiling fails on
    either::

        TrainingStep(name="Train", image=image, code=code, keep_alive_period_in_seconds=1800)

    ``instance_groups`` runs the job on a heterogeneous cluster (the SDK estimator's
    ``instance_groups``), in place of ``instance_type`` and ``instance_count``; channels go
    to every group unless ``TrainingInput(instance_groups=[…])`` names some::

        TrainingStep(
            name="TrainHetero",
            image=Image.pytorch("2.1", processor="gpu", py_version="py310"),
            code=code,
            instance_groups=[
                InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
                InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1),
            ],
            inputs={"images": TrainingInput(s3_data=images_uri, instance_groups=["data"])},
        )
    """

    image: ImageLike
    hyperparameters: Mapping[str, Any] | None = None
    instance_groups: Sequence[InstanceGroup] | None = None
    disable_profiler: bool = True
    keep_alive_period_in_seconds: int | Expression | None = None
    step_type: ClassVar[str] = "Training"
    argument_fields: ClassVar[Mapping[str, str]] = {
        **training_job_argument_fields("Arguments", "ResourceConfig"),
        "Arguments.HyperParameters": "hyperparameters",
        "Arguments.ProfilerConfig": "disable_profiler",
        "Arguments.ResourceConfig.InstanceGroups": "instance_groups",
        "Arguments.ResourceConfig.KeepAlivePeriodInSeconds": "keep_alive_period_in_seconds",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> TrainingStepProperties: ...

    @property
    def model_data(self) -> Properties:
        """Where the trained model was written (``ModelArtifacts.S3ModelArtifacts``).

        A ``model.tar.gz``; with ``disable_output_compression=True``, the prefix of the
        model's files, for ``ModelData.uncompressed(train.model_data)``.

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

    def _instance_group_names(self) -> list[str] | None:
        if self.instance_groups is None:
            return None
        return [group.name for group in self.instance_groups]

    def _given_hyperparameters(self) -> Mapping[str, Any] | None:
        return self.hyperparameters

    def _cluster(self) -> Mapping[str, str | Expression] | None:
        if self.instance_groups is None:
            return None
        return {group.name: group.instance_type for group in self.instance_groups}

    def _validate(self) -> None:
        JobStep._validate(self)
        self._check_instance_groups()
        TrainingJobStep._validate(self)

    def _check_instance_groups(self) -> None:
        groups = self.instance_groups
        if groups is None:
            return
        where = f"{type(self).__name__} '{self.name}'"
        given = [
            argument
            for argument in ("instance_type", "instance_count")
            if getattr(self, argument) is not None
        ]
        if given:
            # The SDK refuses it too: "instance_count and instance_type cannot be set when
            # instance_groups is set"; CreateTrainingJob takes one form or the other.
            raise PipelineDefinitionError(
                f"{where}: instance_groups sets each group's instance type and count; "
                f"leave out {' and '.join(given)}"
            )
        if not 1 <= len(groups) <= MAX_INSTANCE_GROUPS:
            raise PipelineDefinitionError(
                f"{where}: instance_groups takes 1 to {MAX_INSTANCE_GROUPS} instance groups "
                f"(botocore's InstanceGroups), got {len(groups)}"
            )
        names = [group.name for group in groups]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise PipelineDefinitionError(
                f"{where}: instance_groups has more than one group named "
                f"{', '.join(map(repr, repeated))}; channels name groups, so each name is "
                "used once"
            )

    def _resources(self, ctx: RenderContext, defaults: JobDefaults) -> JsonValue:
        keep_alive = render(self.keep_alive_period_in_seconds, ctx)
        if self.instance_groups is None:
            resources = TrainingJobStep._resources(self, ctx, defaults)
            assert isinstance(resources, dict)
            return {**resources, **compact(KeepAlivePeriodInSeconds=keep_alive)}
        # Where the SDK puts them: the volume settings, then the groups.
        return compact(
            VolumeSizeInGB=render(self.volume_size_in_gb, ctx),
            # One key for every group's volumes: none when a group has an NVMe store.
            VolumeKmsKeyId=volume_key(
                self.volume_kms_key,
                defaults.volume_kms_key,
                [group.instance_type for group in self.instance_groups],
                ctx,
            ),
            KeepAlivePeriodInSeconds=keep_alive,
            InstanceGroups=[group.to_request(ctx) for group in self.instance_groups],
        )

    def _check_warm_pool(self, ctx: RenderContext) -> None:
        """A warm pool neither with spot instances nor on a heterogeneous cluster.

        The SageMaker guide's "SageMaker AI Managed Warm Pools", Considerations: warm pools
        "cannot be used with heterogeneous cluster training" and "cannot be used with spot
        instances". A period of 0 asks for no warm pool; a parameter may hold one at run
        time. The SDK writes either combination and what the service then does isn't
        documented, so only the language refuses it: ``validate_definition`` takes the
        SDK's definitions as they are.
        """
        keep_alive = self.keep_alive_period_in_seconds
        if keep_alive is None or keep_alive == 0:
            return
        field = "Arguments.ResourceConfig.KeepAlivePeriodInSeconds"
        for given, what, hint in (
            (
                self.use_spot_instances,
                "spot instances (use_spot_instances)",
                "leave out keep_alive_period_in_seconds, or use_spot_instances",
            ),
            (
                self.instance_groups is not None,
                "heterogeneous cluster training (instance_groups)",
                "leave out keep_alive_period_in_seconds, or train on one instance_type",
            ),
        ):
            if given:
                message = f"SageMaker managed warm pools can't be used with {what}"
                ctx.problems.append(Problem(self.name, field, message, hint))

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        self._check_warm_pool(ctx)
        defaults = job_defaults(ctx, self)
        hyperparameters = dict(render_string_map(self.hyperparameters, ctx) or {})
        script_hyperparameters, code_channel = self._script_mode(ctx, "Arguments.InputDataConfig")
        hyperparameters.update(script_hyperparameters)
        hyperparameters.update(self._distribution_hyperparameters(ctx))
        arguments = compact(
            AlgorithmSpecification=self._algorithm(
                ctx, "Arguments.AlgorithmSpecification", self.image
            ),
            OutputDataConfig=self._output_config(ctx, defaults, "Arguments.OutputDataConfig"),
            StoppingCondition=self._stopping_condition(ctx),
            ResourceConfig=self._resources(ctx, defaults),
            RoleArn=bind_role(ctx, self, self.role, "Arguments.RoleArn"),
            InputDataConfig=self._channels(ctx, "Arguments.InputDataConfig", code_channel),
            HyperParameters=hyperparameters or None,
            Environment=render_string_map(self.environment, ctx),
            Tags=render_tags(self.tags, ctx),  # before the network, as the SDK writes it
            CheckpointConfig=self._checkpoint_config(ctx, "Arguments.CheckpointConfig"),
            EnableManagedSpotTraining=True if self.use_spot_instances else None,
            ProfilerConfig={"DisableProfiler": True} if self.disable_profiler else None,
            RetryStrategy=self._retry_strategy(ctx),
        )
        arguments.update(self._network_fields(ctx, defaults))
        return arguments
