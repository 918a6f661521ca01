"""``AutoMLStep``: let SageMaker Autopilot train and pick a model (CreateAutoMLJob)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render
from .._typecheck import checked
from ..expressions import Expression
from ..jobs import JobDefaults, NetworkConfig, render_tags
from ._base import (
    JobStep,
    S3Like,
    bind_role,
    bind_s3,
    default_output,
    effective_network,
    job_defaults,
    pick,
)
from .model import Container, ModelStep

if TYPE_CHECKING:
    from ..property_types import AutoMLStepProperties

# "Currently, the AutoML step supports only ensembling training mode" (SageMaker guide, Add
# a step: AutoML); the compiler reports any other literal Mode, naming ``mode``.
ENSEMBLING = "ENSEMBLING"
# The environment variables of the best candidate's inference container that the SDK's
# AutoMLStep.get_best_auto_ml_model passes to the model it builds, in its order.
BEST_MODEL_ENVIRONMENT = (
    "MODEL_NAME",
    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT",
    "SAGEMAKER_SUBMIT_DIRECTORY",
    "SAGEMAKER_INFERENCE_SUPPORTED",
    "SAGEMAKER_INFERENCE_OUTPUT",
    "SAGEMAKER_PROGRAM",
)
# Where the job writes when the step names no output_path: retained, because models created
# or registered from its BestCandidate read their artifacts there.
DEFAULT_OUTPUT_NAME = "automl"
_SECURITY = "Arguments.AutoMLJobConfig.SecurityConfig"
_CRITERIA = "Arguments.AutoMLJobConfig.CompletionCriteria"
# A channel's members that the step's own arguments fill in when the channel sets none.
_CHANNEL_DEFAULTS = {
    "TargetAttributeName": ("target_attribute_name", "target_attribute_name"),
    "CompressionType": ("compression", "compression_type"),
    "ContentType": ("content_type", "content_type"),
    "DataSource.S3DataSource.S3DataType": ("s3_data_type", "s3_data_type"),
    "SampleWeightAttributeName": ("sample_weight_attribute_name", "sample_weight_attribute_name"),
}


@checked
@dataclass(frozen=True, slots=True)
class AutoMLInput:
    """Input channels of an ``AutoMLStep``: the SageMaker SDK's ``AutoMLInput``.

    ``inputs`` is one S3 location or several, each a channel of this configuration;
    ``channel_type`` is ``"training"`` or ``"validation"`` (unset: training, with
    Autopilot splitting off the validation data). Members left unset take the step's
    (``target_attribute_name``, ``compression_type`` as ``compression``, ``content_type``,
    ``s3_data_type``, ``sample_weight_attribute_name``).

    Example::

        AutoMLStep(name="AutoML", target_attribute_name="label", inputs=[
            AutoMLInput(inputs=prep.output("train"), channel_type="training"),
            AutoMLInput(inputs=prep.output("validation"), channel_type="validation"),
        ])
    """

    inputs: S3Like | Sequence[S3Like]
    target_attribute_name: str | Expression | None = None
    compression: str | Expression | None = None
    channel_type: str | Expression | None = None
    content_type: str | Expression | None = None
    s3_data_type: str | Expression | None = None
    sample_weight_attribute_name: str | Expression | None = None

    @property
    def locations(self) -> list[S3Like]:
        """``inputs`` as a list: one channel each."""
        if isinstance(self.inputs, (str, Expression)) or not isinstance(self.inputs, Sequence):
            return [self.inputs]
        return list(self.inputs)


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class AutoMLStep(JobStep):
    """Runs an Autopilot (AutoML) job over tabular data; the SDK's ``AutoMLStep``.

    ``inputs`` is an S3 location, several, or ``AutoMLInput`` channels, with the column to
    predict in ``target_attribute_name``. ``problem_type`` (``"BinaryClassification"``,
    ``"MulticlassClassification"``, ``"Regression"``) and ``job_objective`` (a metric
    name such as ``"F1"``) go together, or neither: Autopilot infers both. Only
    ``mode="ENSEMBLING"`` runs in a pipeline. Without ``output_path`` the binder picks a
    location that outlives the execution (the CDK ``Pipeline`` construct: ``models/`` in
    its artifact bucket), since the best candidate's model lives there. The binder's KMS
    key encrypts the job's volumes and outputs, and its network places the job in a VPC:
    an AutoML job has no network isolation, so ``network`` takes subnets, security groups
    and inter-container encryption only. Default: Autopilot's limits (250 candidates, 30
    days).

    ``properties`` follow ``DescribeAutoMLJob`` plus the SDK's ``BestCandidateProperties``
    (``properties.BestCandidate.InferenceContainers[0].ModelDataUrl``,
    ``properties.BestCandidateProperties.ModelInsightsJsonReportPath``).
    ``best_model(name)`` is a ``ModelStep`` of the best candidate, as the SDK's
    ``get_best_auto_ml_model``.

    Example::

        automl = AutoMLStep(
            name="AutoML",
            inputs=prep.output("train"),
            target_attribute_name="label",
            problem_type="BinaryClassification",
            job_objective="F1",
            max_candidates=10,
            total_job_runtime_in_seconds=3600,
        )
        model = automl.best_model("BestModel")
        TransformStep(name="Score", model_name=model.properties.ModelName, input_data=batch)
    """

    inputs: S3Like | AutoMLInput | Sequence[S3Like | AutoMLInput]
    target_attribute_name: str | Expression | None = None
    problem_type: str | Expression | None = None
    job_objective: str | Expression | None = None
    mode: str | Expression = ENSEMBLING
    max_candidates: int | Expression | None = None
    max_runtime_per_training_job_in_seconds: int | Expression | None = None
    total_job_runtime_in_seconds: int | Expression | None = None
    output_path: S3Like | None = None
    compression_type: str | Expression | None = None
    content_type: str | Expression | None = None
    s3_data_type: str | Expression | None = None
    sample_weight_attribute_name: str | Expression | None = None
    feature_specification_s3_uri: S3Like | None = None
    validation_fraction: float | Expression | None = None
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    step_type: ClassVar[str] = "AutoML"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.InputDataConfig": "inputs",
        "Arguments.OutputDataConfig.S3OutputPath": "output_path",
        "Arguments.OutputDataConfig.KmsKeyId": "output_kms_key",
        f"{_CRITERIA}.MaxCandidates": "max_candidates",
        f"{_CRITERIA}.MaxRuntimePerTrainingJobInSeconds": "max_runtime_per_training_job_in_seconds",
        f"{_CRITERIA}.MaxAutoMLJobRuntimeInSeconds": "total_job_runtime_in_seconds",
        f"{_SECURITY}.EnableInterContainerTrafficEncryption": "network",
        f"{_SECURITY}.VolumeKmsKeyId": "volume_kms_key",
        f"{_SECURITY}.VpcConfig": "network",
        "Arguments.AutoMLJobConfig.CandidateGenerationConfig.FeatureSpecificationS3Uri": (
            "feature_specification_s3_uri"
        ),
        "Arguments.AutoMLJobConfig.DataSplitConfig.ValidationFraction": "validation_fraction",
        "Arguments.AutoMLJobConfig.Mode": "mode",
        "Arguments.RoleArn": "role",
        "Arguments.AutoMLJobObjective": "job_objective",
        "Arguments.ProblemType": "problem_type",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> AutoMLStepProperties: ...

    def _validate(self) -> None:
        JobStep._validate(self)
        owner = f"{type(self).__name__} '{self.name}'"
        if (self.problem_type is None) != (self.job_objective is None):
            given, missing = (
                ("problem_type", "job_objective")
                if self.job_objective is None
                else ("job_objective", "problem_type")
            )
            raise PipelineDefinitionError(
                f"{owner}: {given}= without {missing}=; give both (e.g. "
                'problem_type="BinaryClassification", job_objective="F1") or neither, and '
                "Autopilot infers them"
            )
        if self.network is not None and self.network.enable_network_isolation:
            raise PipelineDefinitionError(
                f"{owner}: an AutoML job has no network isolation (CreateAutoMLJob's "
                "SecurityConfig takes a VPC only); give network=NetworkConfig(subnets=…, "
                "security_group_ids=…) to keep it in your VPC"
            )
        if not self._channels():
            raise PipelineDefinitionError(f"{owner}: inputs= names no S3 location")
        if self.target_attribute_name is None:
            untargeted = [
                index
                for index, (_, channel) in enumerate(self._channels())
                if channel is None or channel.target_attribute_name is None
            ]
            if untargeted:
                raise PipelineDefinitionError(
                    f"{owner}: no target_attribute_name (the column to predict) for "
                    f"channel {untargeted[0]}; give target_attribute_name= to the step or to "
                    "each AutoMLInput"
                )

    def _channels(self) -> list[tuple[S3Like, AutoMLInput | None]]:
        """Each channel's location and the ``AutoMLInput`` it came from, if any."""
        items: Sequence[S3Like | AutoMLInput]
        if isinstance(self.inputs, (str, Expression, AutoMLInput)) or not isinstance(
            self.inputs, Sequence
        ):
            items = [self.inputs]
        else:
            items = self.inputs
        channels: list[tuple[S3Like, AutoMLInput | None]] = []
        for item in items:
            if isinstance(item, AutoMLInput):
                channels += [(location, item) for location in item.locations]
            else:
                channels.append((item, None))
        return channels

    def _argument_fields(self) -> Mapping[str, str]:
        # A channel member the step filled in came from the step's argument.
        fields = dict(JobStep._argument_fields(self))
        for index, (_, channel) in enumerate(self._channels()):
            for member, (own, step_argument) in _CHANNEL_DEFAULTS.items():
                if channel is None or getattr(channel, own) is None:
                    fields[f"Arguments.InputDataConfig[{index}].{member}"] = step_argument
        return fields

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        output_field = "Arguments.OutputDataConfig.S3OutputPath"
        if self.output_path is None:
            output = default_output(ctx, self, DEFAULT_OUTPUT_NAME, output_field, retained=True)
        else:
            output = bind_s3(ctx, self, self.output_path, output_field, "write")
        objective = render(self.job_objective, ctx)
        return compact(
            InputDataConfig=[
                self._render_channel(ctx, index, location, channel)
                for index, (location, channel) in enumerate(self._channels())
            ],
            OutputDataConfig=compact(
                S3OutputPath=output,
                KmsKeyId=pick(self.output_kms_key, defaults.output_kms_key, ctx),
            ),
            AutoMLJobConfig=self._job_config(ctx, defaults),
            RoleArn=bind_role(ctx, self, self.role, "Arguments.RoleArn"),
            AutoMLJobObjective={"MetricName": objective} if objective is not None else None,
            ProblemType=render(self.problem_type, ctx),
            Tags=render_tags(self.tags, ctx),  # last, as the SDK writes it
        )

    def _render_channel(
        self, ctx: RenderContext, index: int, location: S3Like, channel: AutoMLInput | None
    ) -> JsonValue:
        def member(own: str, step_argument: str) -> JsonValue:
            value = getattr(channel, own) if channel is not None else None
            return render(value if value is not None else getattr(self, step_argument), ctx)

        field = f"Arguments.InputDataConfig[{index}].DataSource.S3DataSource.S3Uri"
        data_type = member("s3_data_type", "s3_data_type")
        # The SDK's key order (AutoMLInput.to_request_dict).
        return compact(
            DataSource={
                "S3DataSource": {
                    "S3DataType": data_type if data_type is not None else "S3Prefix",
                    "S3Uri": bind_s3(ctx, self, location, field, "read"),
                }
            },
            TargetAttributeName=member("target_attribute_name", "target_attribute_name"),
            CompressionType=member("compression", "compression_type"),
            ChannelType=render(channel.channel_type if channel is not None else None, ctx),
            ContentType=member("content_type", "content_type"),
            SampleWeightAttributeName=member(
                "sample_weight_attribute_name", "sample_weight_attribute_name"
            ),
        )

    def _job_config(self, ctx: RenderContext, defaults: JobDefaults) -> JsonValue:
        network = effective_network(self.network, defaults)
        encrypt = network.enable_inter_container_traffic_encryption if network else None
        features = None
        if self.feature_specification_s3_uri is not None:
            field = "Arguments.AutoMLJobConfig.CandidateGenerationConfig.FeatureSpecificationS3Uri"
            features = bind_s3(ctx, self, self.feature_specification_s3_uri, field, "read")
        return compact(
            CompletionCriteria=compact(
                MaxCandidates=render(self.max_candidates, ctx),
                MaxRuntimePerTrainingJobInSeconds=render(
                    self.max_runtime_per_training_job_in_seconds, ctx
                ),
                MaxAutoMLJobRuntimeInSeconds=render(self.total_job_runtime_in_seconds, ctx),
            ),
            # The SDK always writes the encryption flag (False unless asked for).
            SecurityConfig=compact(
                EnableInterContainerTrafficEncryption=bool(encrypt),
                VolumeKmsKeyId=pick(self.volume_kms_key, defaults.volume_kms_key, ctx),
                VpcConfig=network.vpc_config(ctx) if network is not None else None,
            ),
            CandidateGenerationConfig=(
                {"FeatureSpecificationS3Uri": features} if features is not None else None
            ),
            DataSplitConfig=(
                {"ValidationFraction": render(self.validation_fraction, ctx)}
                if self.validation_fraction is not None
                else None
            ),
            Mode=render(self.mode, ctx),
        )

    def best_model_container(self) -> Container:
        """The best candidate's inference container, for a ``ModelStep`` or ``RegisterModel``.

        Its image, model data and the environment variables the SDK's
        ``get_best_auto_ml_model`` passes on, all read from
        ``properties.BestCandidate.InferenceContainers[0]`` at run time.

        Example::

            RegisterModel(name="Register", model_package_group_name="churn",
                          containers=[automl.best_model_container()],
                          content_types=["text/csv"], response_types=["text/csv"])
        """
        container = self.properties.BestCandidate.InferenceContainers[0]
        return Container(
            image=container.Image,
            model_data=container.ModelDataUrl,
            environment={name: container.Environment[name] for name in BEST_MODEL_ENVIRONMENT},
        )

    def best_model(self, name: str, **options: Any) -> ModelStep:
        """A ``ModelStep`` of the best candidate: the SDK's ``get_best_auto_ml_model(role)``.

        ``options`` are the ``ModelStep``'s own (``role=``, ``network=``,
        ``retry_policies=``, …); without ``role`` the binder's job role runs the model.

        Example::

            model = automl.best_model("BestModel", role=model_role_arn)
        """
        container = self.best_model_container()
        return ModelStep(
            name=name,
            image=container.image,
            model_data=container.model_data,
            environment=container.environment,
            **options,
        )
