"""``TransformStep``: batch inference over a dataset (CreateTransformJob)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._render import JsonValue, RenderContext, compact, render, render_string_map
from .._typecheck import checked
from ..expressions import Expression
from ..jobs import render_tags
from ._base import JobStep, S3Like, bind_s3, default_output, job_defaults, pick, volume_key

if TYPE_CHECKING:
    from ..property_types import TransformStepProperties


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TransformStep(JobStep):
    """Runs a batch transform job with a model (usually a ``ModelStep``'s ``ModelName``).

    Without ``output_path`` the binder picks a per-execution location. Default:
    1 × ml.m5.large.

    Example::

        TransformStep(name="BatchScore", model_name=model.properties.ModelName,
                      input_data="s3://my-bucket/batch-in", content_type="text/csv",
                      split_type="Line")
    """

    model_name: str | Expression
    input_data: S3Like
    output_path: S3Like | None = None
    instance_type: str | Expression = "ml.m5.large"
    instance_count: int | Expression = 1
    content_type: str | Expression | None = None
    split_type: str | None = None
    compression_type: str | None = None
    s3_data_type: str = "S3Prefix"
    accept: str | Expression | None = None
    assemble_with: str | None = None
    strategy: str | None = None
    max_payload_in_mb: int | None = None
    max_concurrent_transforms: int | None = None
    input_filter: str | None = None
    output_filter: str | None = None
    join_source: str | None = None
    environment: Mapping[str, Any] | None = None
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    step_type: ClassVar[str] = "Transform"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.ModelName": "model_name",
        "Arguments.TransformInput.DataSource": "input_data",
        "Arguments.TransformInput.DataSource.S3DataSource.S3DataType": "s3_data_type",
        "Arguments.TransformInput.ContentType": "content_type",
        "Arguments.TransformInput.CompressionType": "compression_type",
        "Arguments.TransformInput.SplitType": "split_type",
        "Arguments.TransformOutput.S3OutputPath": "output_path",
        "Arguments.TransformOutput.Accept": "accept",
        "Arguments.TransformOutput.AssembleWith": "assemble_with",
        "Arguments.TransformOutput.KmsKeyId": "output_kms_key",
        "Arguments.TransformResources.InstanceCount": "instance_count",
        "Arguments.TransformResources.InstanceType": "instance_type",
        "Arguments.TransformResources.VolumeKmsKeyId": "volume_kms_key",
        "Arguments.BatchStrategy": "strategy",
        "Arguments.MaxPayloadInMB": "max_payload_in_mb",
        "Arguments.MaxConcurrentTransforms": "max_concurrent_transforms",
        "Arguments.Environment": "environment",
        "Arguments.DataProcessing.InputFilter": "input_filter",
        "Arguments.DataProcessing.OutputFilter": "output_filter",
        "Arguments.DataProcessing.JoinSource": "join_source",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> TransformStepProperties: ...

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        output_field = "Arguments.TransformOutput.S3OutputPath"
        if self.output_path is None:
            output = default_output(ctx, self, "transform", output_field)
        else:
            output = bind_s3(ctx, self, self.output_path, output_field, "write")
        input_field = "Arguments.TransformInput.DataSource.S3DataSource.S3Uri"
        data_processing = compact(
            InputFilter=self.input_filter,
            OutputFilter=self.output_filter,
            JoinSource=self.join_source,
        )
        return compact(
            ModelName=render(self.model_name, ctx),
            TransformInput=compact(
                DataSource={
                    "S3DataSource": {
                        "S3DataType": self.s3_data_type,
                        "S3Uri": bind_s3(ctx, self, self.input_data, input_field, "read"),
                    }
                },
                ContentType=render(self.content_type, ctx),
                CompressionType=self.compression_type,
                SplitType=self.split_type,
            ),
            TransformOutput=compact(
                S3OutputPath=output,
                Accept=render(self.accept, ctx),
                AssembleWith=self.assemble_with,
                KmsKeyId=pick(self.output_kms_key, defaults.output_kms_key, ctx),
            ),
            TransformResources=compact(
                InstanceCount=render(self.instance_count, ctx),
                InstanceType=render(self.instance_type, ctx),
                VolumeKmsKeyId=volume_key(
                    self.volume_kms_key, defaults.volume_kms_key, [self.instance_type], ctx
                ),
            ),
            BatchStrategy=self.strategy,
            MaxPayloadInMB=self.max_payload_in_mb,
            MaxConcurrentTransforms=self.max_concurrent_transforms,
            Environment=render_string_map(self.environment, ctx),
            Tags=render_tags(self.tags, ctx),  # before DataProcessing, as the SDK writes it
            DataProcessing=data_processing or None,
        )
