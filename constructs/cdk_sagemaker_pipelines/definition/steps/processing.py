"""``ProcessingStep``: run a script or container over data (CreateProcessingJob)."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import (
    JsonValue,
    RenderContext,
    compact,
    render,
    render_string_list,
    render_string_map,
)
from .._typecheck import checked
from ..bindables import Code
from ..expressions import Expression, PropertyFile
from ..jobs import NetworkConfig, render_tags
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
    from ..property_types import ProcessingStepProperties

CODE_INPUT_NAME = "code"
CODE_LOCAL_PATH = "/opt/ml/processing/input/code"
LOCAL_ROOT = "/opt/ml/processing"


@checked
@dataclass(frozen=True, slots=True)
class ProcessingInput:
    """Data copied into the container at ``destination`` before the script runs.

    Example::

        ProcessingInput(input_name="raw", source=input_data_url,
                        destination="/opt/ml/processing/input")
    """

    source: S3Like
    destination: str
    input_name: str | None = None
    s3_data_type: str = "S3Prefix"
    s3_input_mode: str = "File"
    s3_data_distribution_type: str = "FullyReplicated"
    s3_compression_type: str = "None"


@checked
@dataclass(frozen=True, slots=True)
class ProcessingOutput:
    """Files the script writes under ``source``, uploaded to ``destination``.

    Without ``destination`` the binder picks a per-execution location (the CDK
    ``Pipeline`` construct: its artifact bucket).

    Example::

        ProcessingOutput(output_name="train", source="/opt/ml/processing/train")
    """

    output_name: str
    source: str
    destination: S3Like | None = None
    s3_upload_mode: str = "EndOfJob"


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class ProcessingStep(JobStep):
    """Runs a processing job: a script (``code``) or a container command (``entrypoint``).

    With ``code``, the script is staged as input ``code`` under
    ``/opt/ml/processing/input/code`` and run with ``python3`` (a directory is shipped
    as an archive and unpacked first). Default: 1 × ml.m5.large, 30 GiB.

    ``inputs`` takes ``ProcessingInput`` objects or a mapping ``{name: source}``, and
    ``outputs`` takes ``ProcessingOutput`` objects or names; the short forms use the
    container folder ``/opt/ml/processing/<name>``. ``output(name)`` is the S3 URI an
    output was uploaded to, for later steps.

    Example::

        prep = ProcessingStep(
            name="Preprocess",
            image=Image.sklearn("1.2-1"),
            code=Code.from_asset("ml/preprocess.py"),
            inputs={"input": input_data},           # /opt/ml/processing/input
            outputs=["train", "test"],              # /opt/ml/processing/train, …/test
        )
        TrainingStep(..., inputs={"train": prep.output("train")})
    """

    image: ImageLike
    code: Code | None = None
    entrypoint: Sequence[str | Expression] | None = None
    arguments: Sequence[Any] | None = None
    inputs: Sequence[ProcessingInput] | Mapping[str, S3Like] = ()
    outputs: Sequence[ProcessingOutput | str] = ()
    property_files: Sequence[PropertyFile] = ()
    instance_type: str | Expression = "ml.m5.large"
    instance_count: int | Expression = 1
    volume_size_in_gb: int | Expression = 30
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    environment: Mapping[str, Any] | None = None
    max_runtime_in_seconds: int | Expression | None = None
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    step_type: ClassVar[str] = "Processing"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.ProcessingResources.ClusterConfig.InstanceType": "instance_type",
        "Arguments.ProcessingResources.ClusterConfig.InstanceCount": "instance_count",
        "Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB": "volume_size_in_gb",
        "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId": "volume_kms_key",
        "Arguments.AppSpecification.ImageUri": "image",
        "Arguments.AppSpecification.ContainerArguments": "arguments",
        "Arguments.AppSpecification.ContainerEntrypoint": "entrypoint",
        "Arguments.RoleArn": "role",
        "Arguments.ProcessingInputs": "inputs",
        "Arguments.ProcessingOutputConfig": "outputs",
        "Arguments.ProcessingOutputConfig.KmsKeyId": "output_kms_key",
        "Arguments.Environment": "environment",
        "Arguments.StoppingCondition": "max_runtime_in_seconds",
        "Arguments.NetworkConfig": "network",
        "PropertyFiles": "property_files",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> ProcessingStepProperties: ...

    def _validate(self) -> None:
        JobStep._validate(self)
        if self.output_kms_key is not None and not self.outputs and not self._raw_outputs:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': "
                "output_kms_key= encrypts the step's outputs, "
                "but it has none (add outputs=, or remove output_kms_key=)"
            )
        if self.code is not None and any(
            item.input_name == CODE_INPUT_NAME for item in self.input_list
        ):
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': the input '{CODE_INPUT_NAME}' carries the "
                "step's code; name your input differently"
            )

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        inputs = [
            self._render_input(item, index, ctx) for index, item in enumerate(self.input_list)
        ]
        entrypoint = render_string_list(self.entrypoint, ctx)
        if self.code is not None:
            # A directory is uploaded as one archive; an S3 archive arrives as it is.
            archive = self.code.is_directory or self.code.is_s3_archive
            field = f"Arguments.ProcessingInputs[{len(inputs)}].S3Input.S3Uri"
            bound = bind_code(ctx, self, self.code, field, archive=archive)
            inputs.append(_input_entry(CODE_INPUT_NAME, bound.uri, CODE_LOCAL_PATH))
            if entrypoint is None:
                file_name = bound.file_name
                if self.code.is_s3_archive:
                    file_name = posixpath.basename(str(self.code.s3_uri))
                entrypoint = _script_entrypoint(self.code, file_name, archive)
        network = effective_network(self.network, defaults)
        return compact(
            ProcessingResources={
                "ClusterConfig": compact(
                    InstanceType=render(self.instance_type, ctx),
                    InstanceCount=render(self.instance_count, ctx),
                    VolumeSizeInGB=render(self.volume_size_in_gb, ctx),
                    VolumeKmsKeyId=volume_key(
                        self.volume_kms_key, defaults.volume_kms_key, [self.instance_type], ctx
                    ),
                )
            },
            AppSpecification=compact(
                ImageUri=bind_image(ctx, self, self.image, "Arguments.AppSpecification.ImageUri"),
                ContainerArguments=render_string_list(self.arguments, ctx),
                ContainerEntrypoint=entrypoint,
            ),
            RoleArn=bind_role(ctx, self, self.role, "Arguments.RoleArn"),
            ProcessingInputs=inputs or None,
            ProcessingOutputConfig=self._render_outputs(ctx, defaults.output_kms_key),
            Environment=render_string_map(self.environment, ctx),
            StoppingCondition=(
                {"MaxRuntimeInSeconds": render(self.max_runtime_in_seconds, ctx)}
                if self.max_runtime_in_seconds is not None
                else None
            ),
            NetworkConfig=network.processing_request(ctx) if network is not None else None,
            Tags=render_tags(self.tags, ctx),  # last, as the SDK writes it
        )

    def _argument_fields(self) -> Mapping[str, str]:
        fields = JobStep._argument_fields(self)
        if self.code is None:
            return fields
        # The code travels as the input after the step's own, and runs as the entry point
        # unless the step names one.
        code_fields = {f"Arguments.ProcessingInputs[{len(self.input_list)}]": "code"}
        if self.entrypoint is None:
            code_fields["Arguments.AppSpecification.ContainerEntrypoint"] = "code"
        return {**fields, **code_fields}

    def declared_keys(self, path: str) -> Sequence[str] | None:
        """The declared output names, for ``properties.ProcessingOutputConfig.Outputs['…']``."""
        if path != "ProcessingOutputConfig.Outputs":
            return None
        if self._raw_outputs:
            return None  # outputs given as raw request members: not ours to know
        return [item.output_name for item in self.output_list]

    @property
    def input_list(self) -> list[ProcessingInput]:
        """``inputs`` as ``ProcessingInput`` objects (short forms expanded)."""
        if isinstance(self.inputs, Mapping):
            return [
                ProcessingInput(input_name=name, source=source, destination=f"{LOCAL_ROOT}/{name}")
                for name, source in self.inputs.items()
            ]
        return list(self.inputs)

    @property
    def output_list(self) -> list[ProcessingOutput]:
        """``outputs`` as ``ProcessingOutput`` objects (names expanded)."""
        return [
            ProcessingOutput(output_name=item, source=f"{LOCAL_ROOT}/{item}")
            if isinstance(item, str)
            else item
            for item in self.outputs
        ]

    def output(self, name: str) -> Properties:
        """The S3 URI the output ``name`` was uploaded to (checked against ``outputs``).

        Example::

            TrainingStep(..., inputs={"train": prep.output("train")})
        """
        return self.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri

    def _render_input(self, item: ProcessingInput, index: int, ctx: RenderContext) -> JsonValue:
        field = f"Arguments.ProcessingInputs[{index}].S3Input.S3Uri"
        uri = bind_s3(ctx, self, item.source, field, "read")
        name = item.input_name if item.input_name is not None else f"input-{index + 1}"
        return _input_entry(
            name,
            uri,
            item.destination,
            item.s3_data_type,
            item.s3_input_mode,
            item.s3_data_distribution_type,
            item.s3_compression_type,
        )

    @property
    def _raw_outputs(self) -> bool:
        """Whether ``extra_arguments`` gives ``ProcessingOutputConfig`` (outputs as raw members)."""
        return "ProcessingOutputConfig" in (self.extra_arguments or {})

    def _render_outputs(self, ctx: RenderContext, default_key: JsonValue) -> JsonValue:
        output_list = self.output_list
        if not output_list:
            # Raw outputs from extra_arguments merge with the key; with no outputs at all a
            # pipeline-wide default key has nothing to encrypt (a step's own is refused).
            if self._raw_outputs:
                return compact(KmsKeyId=pick(self.output_kms_key, default_key, ctx)) or None
            return None
        outputs = []
        for index, item in enumerate(output_list):
            field = f"Arguments.ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri"
            if item.destination is None:
                uri = default_output(ctx, self, item.output_name, field)
            else:
                uri = bind_s3(ctx, self, item.destination, field, "write")
            s3_output = {
                "S3Uri": uri,
                "LocalPath": item.source,
                "S3UploadMode": item.s3_upload_mode,
            }
            if item.destination is None:
                ctx.note_default_output(
                    self.name, item.output_name, self._retainer(ctx, s3_output, item, field)
                )
            outputs.append(
                {"OutputName": item.output_name, "AppManaged": False, "S3Output": s3_output}
            )
        return compact(Outputs=outputs, KmsKeyId=pick(self.output_kms_key, default_key, ctx))

    def _retainer(
        self,
        ctx: RenderContext,
        s3_output: dict[str, JsonValue],
        item: ProcessingOutput,
        field: str,
    ) -> Callable[[], None]:
        """Rebind the default output ``item`` as retained (a registered version refers to it)."""

        def retain() -> None:
            s3_output["S3Uri"] = default_output(ctx, self, item.output_name, field, retained=True)

        return retain

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        fields = JobStep._extra_fields(self, ctx)
        if self.property_files:
            fields["PropertyFiles"] = [item.to_request(ctx) for item in self.property_files]
        return fields


def _input_entry(
    name: str,
    uri: JsonValue,
    local_path: str,
    data_type: str = "S3Prefix",
    input_mode: str = "File",
    distribution: str = "FullyReplicated",
    compression: str = "None",
) -> dict[str, JsonValue]:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": data_type,
            "S3InputMode": input_mode,
            "S3DataDistributionType": distribution,
            "S3CompressionType": compression,
        },
    }


def _script_entrypoint(code: Code, file_name: str, archive: bool) -> list[str]:
    if not archive:
        return ["python3", posixpath.join(CODE_LOCAL_PATH, file_name)]
    # A directory arrives as one archive: unpack it, then run the entry point with the
    # container arguments, which Docker appends after "sh" (so they land in "$@").
    script = (
        f"cd {CODE_LOCAL_PATH} && tar -xzf {shlex.quote(file_name)} && "
        f'exec python3 {shlex.quote(code.script_name)} "$@"'
    )
    return ["/bin/sh", "-c", script, "sh"]
