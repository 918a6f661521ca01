"""``EndpointConfigStep`` (CreateEndpointConfig), ``EndpointStep`` (CreateEndpoint, UpdateEndpoint).

Deploying from inside the pipeline, as the SageMaker SDK's ``EndpointConfigStep`` and
``EndpointStep`` do: a Model step's model goes into an endpoint configuration, which an
endpoint is created with, or updated to when the endpoint already exists (the service
chooses). The configuration SageMaker Pipelines creates carries an execution-unique suffix
on the name the step gives, so a later step reads its name from
``config.properties.EndpointConfigName``; an endpoint keeps its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render
from .._shape_check import is_expression
from .._tokens import is_token
from .._typecheck import checked
from ..expressions import Expression
from ..instances import has_instance_store
from ..jobs import NetworkConfig, check_tags, render_tags
from ..parameters import Parameter
from ..retry import CacheConfig, StepRetryPolicy
from ._base import (
    RetryableStep,
    S3Like,
    Step,
    add_job_tags,
    argument_with_extra,
    bind_role,
    bind_s3,
    effective_network,
    job_defaults,
    merge_extra_arguments,
    pick,
)

if TYPE_CHECKING:
    from ..property_types import EndpointConfigStepProperties, EndpointStepProperties

# The variant name the SageMaker SDK gives a model deployed alone.
DEFAULT_VARIANT_NAME = "AllTraffic"
# The single-variant keyword arguments of an EndpointConfigStep, which production_variants=
# takes the place of.
_SINGLE_VARIANT_ARGUMENTS = (
    "model_name",
    "instance_type",
    "initial_instance_count",
    "serverless_config",
)
# ProductionVariant keyword argument -> ProductionVariant member (Problem.field spelling).
_VARIANT_MEMBERS = {
    "variant_name": "VariantName",
    "model_name": "ModelName",
    "initial_variant_weight": "InitialVariantWeight",
    "serverless_config": "ServerlessConfig",
    "initial_instance_count": "InitialInstanceCount",
    "instance_type": "InstanceType",
    "volume_size_in_gb": "VolumeSizeInGB",
    "model_data_download_timeout_in_seconds": "ModelDataDownloadTimeoutInSeconds",
    "container_startup_health_check_timeout_in_seconds": (
        "ContainerStartupHealthCheckTimeoutInSeconds"
    ),
    "routing_strategy": "RoutingConfig",
    "inference_ami_version": "InferenceAmiVersion",
}
# What serverless_config= leaves out: the SDK drops these for a serverless variant.
_INSTANCE_ONLY = (
    "instance_type",
    "initial_instance_count",
    "volume_size_in_gb",
    "model_data_download_timeout_in_seconds",
    "container_startup_health_check_timeout_in_seconds",
    "routing_strategy",
)


@checked
@dataclass(frozen=True, slots=True)
class ServerlessConfig:
    """A serverless variant: memory and concurrency instead of instances.

    The production variant's ``ServerlessConfig``, for an ``EndpointConfigStep`` and for
    the CDK ``ModelEndpoint(serverless=…)`` alike: SageMaker runs the model on demand and
    bills per request (and per hour of ``provisioned_concurrency``), scaling to zero
    between requests, with cold starts. Literal values are checked as CreateEndpointConfig
    would check them: ``memory_size_in_mb`` one of 1024, 2048, 3072, 4096, 5120 or 6144
    (vCPUs come in proportion; at least the model's size), ``max_concurrency`` (the most
    invocations served at once; the region's serverless quota is shared by the account's
    serverless endpoints) and ``provisioned_concurrency`` (kept warm, at most
    ``max_concurrency``; Default: none, on demand only) 1-200.

    Example::

        EndpointConfigStep(name="Config", endpoint_config_name="churn",
                           model_name=model.properties.ModelName,
                           serverless_config=ServerlessConfig(memory_size_in_mb=2048,
                                                              max_concurrency=5))
    """

    memory_size_in_mb: int | Expression
    max_concurrency: int | Expression
    provisioned_concurrency: int | Expression | None = None

    def _validate(self) -> None:
        problems = [
            problem
            for problem in (
                _memory_problem(self.memory_size_in_mb),
                _concurrency_problem("max_concurrency", self.max_concurrency),
                _concurrency_problem("provisioned_concurrency", self.provisioned_concurrency),
            )
            if problem is not None
        ]
        provisioned, most = self.provisioned_concurrency, self.max_concurrency
        if (
            not problems
            and isinstance(provisioned, int)
            and isinstance(most, int)
            and provisioned > most
        ):
            problems.append(
                f"provisioned_concurrency {provisioned} is more than max_concurrency "
                f"{most}: SageMaker provisions at most the concurrency the endpoint may "
                f"serve (provisioned_concurrency={most} or less, or "
                f"max_concurrency={provisioned})"
            )
        if problems:
            raise PipelineDefinitionError("ServerlessConfig: " + "; ".join(problems))

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """``{"MemorySizeInMB": …, "MaxConcurrency": …, "ProvisionedConcurrency": …}``."""
        return compact(
            MemorySizeInMB=render(self.memory_size_in_mb, ctx),
            MaxConcurrency=render(self.max_concurrency, ctx),
            ProvisionedConcurrency=render(self.provisioned_concurrency, ctx),
        )


# ServerlessConfig.MemorySizeInMB: 1-6 GB in 1 GB steps; MaxConcurrency and
# ProvisionedConcurrency: 1-200 (the API's bounds; the steps are the guide's).
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200


def _memory_problem(value: object) -> str | None:
    """What is wrong with a literal ``memory_size_in_mb``, if anything (an expression: nothing)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None  # an expression or a token, or a type the field check reports
    if value in SERVERLESS_MEMORY_SIZES:
        return None
    above = [size for size in SERVERLESS_MEMORY_SIZES if size >= value]
    sizes = ", ".join(str(size) for size in SERVERLESS_MEMORY_SIZES)
    return (
        f"memory_size_in_mb {value} is not a memory size of serverless endpoints: {sizes} "
        "(1 GB steps)"
        + (
            f" (memory_size_in_mb={above[0]})"
            if above
            else " (6144 MB is the most: use instances beyond)"
        )
    )


def _concurrency_problem(argument: str, value: object) -> str | None:
    """What is wrong with a literal concurrency, if anything."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if 1 <= value <= MAX_SERVERLESS_CONCURRENCY:
        return None
    return f"{argument} must be 1-{MAX_SERVERLESS_CONCURRENCY} concurrent invocations, got {value}"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ProductionVariant:
    """One variant of an endpoint configuration: a model on instances, or serverless.

    Give ``instance_type`` (with ``initial_instance_count``, Default: 1) or
    ``serverless_config``. A variant without ``model_name`` hosts inference components
    (``InferenceComponentStep``). ``initial_variant_weight`` splits traffic between variants
    (Default: 1 for a variant of a model, as the SageMaker SDK writes it).

    Example::

        ProductionVariant(variant_name="Blue", model_name=model.properties.ModelName,
                          instance_type="ml.m5.large", initial_variant_weight=3)
    """

    instance_type: str | Expression | None = None
    model_name: str | Expression | None = None
    variant_name: str | Expression = DEFAULT_VARIANT_NAME
    initial_instance_count: int | Expression | None = None
    initial_variant_weight: int | float | Expression | None = None
    serverless_config: ServerlessConfig | None = None
    volume_size_in_gb: int | Expression | None = None
    model_data_download_timeout_in_seconds: int | Expression | None = None
    container_startup_health_check_timeout_in_seconds: int | Expression | None = None
    routing_strategy: str | Expression | None = None
    inference_ami_version: str | Expression | None = None

    def _validate(self) -> None:
        problem = _variant_problem(self)
        if problem is not None:
            raise PipelineDefinitionError(f"ProductionVariant: {problem}")

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The ``ProductionVariant`` member, in the order the SageMaker SDK writes it."""
        weight = self.initial_variant_weight
        if weight is None and self.model_name is not None:
            weight = 1
        variant: dict[str, JsonValue] = compact(
            VariantName=render(self.variant_name, ctx),
            ModelName=render(self.model_name, ctx),
            InitialVariantWeight=render(weight, ctx),
        )
        if self.serverless_config is not None:
            variant["ServerlessConfig"] = self.serverless_config.to_request(ctx)
        else:
            count = self.initial_instance_count
            variant.update(
                compact(
                    InitialInstanceCount=render(count if count is not None else 1, ctx),
                    InstanceType=render(self.instance_type, ctx),
                    VolumeSizeInGB=render(self.volume_size_in_gb, ctx),
                    ModelDataDownloadTimeoutInSeconds=render(
                        self.model_data_download_timeout_in_seconds, ctx
                    ),
                    ContainerStartupHealthCheckTimeoutInSeconds=render(
                        self.container_startup_health_check_timeout_in_seconds, ctx
                    ),
                    RoutingConfig=(
                        {"RoutingStrategy": render(self.routing_strategy, ctx)}
                        if self.routing_strategy is not None
                        else None
                    ),
                )
            )
        if self.inference_ami_version is not None:
            variant["InferenceAmiVersion"] = render(self.inference_ami_version, ctx)
        return variant


def _variant_problem(variant: ProductionVariant | EndpointConfigStep) -> str | None:
    """What makes ``variant`` (or a step's single variant) one SageMaker can't host, if anything."""
    if variant.serverless_config is not None:
        given = [name for name in _INSTANCE_ONLY if getattr(variant, name, None) is not None]
        if given:
            return (
                f"serverless_config= takes the place of {', '.join(f'{n}=' for n in given)}: "
                "a serverless variant has no instances"
            )
        return None
    if variant.instance_type is None:
        return (
            "give instance_type= (and initial_instance_count=, Default: 1) for a variant on "
            "instances, or serverless_config=ServerlessConfig(…) for a serverless one"
        )
    return None


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class DataCaptureConfig:
    """What an endpoint captures of its requests and responses, for Model Monitor.

    The SageMaker SDK's ``DataCaptureConfig``: ``sampling_percentage`` of the requests
    (Default: 20), their requests and responses (``capture_options``, Default: both),
    written under ``destination``. ``csv_content_types`` and ``json_content_types`` are
    captured as text rather than base64 (Default: ``text/csv`` and ``application/json``).
    ``kms_key_id`` encrypts the captured data. Default: the binder's output key (the CDK
    ``Pipeline``'s artifact key).

    Example::

        DataCaptureConfig(destination="s3://my-bucket/data-capture", sampling_percentage=100)
    """

    destination: S3Like
    sampling_percentage: int | Expression = 20
    capture_options: Sequence[str] = ("Input", "Output")
    csv_content_types: Sequence[str] | None = ("text/csv",)
    json_content_types: Sequence[str] | None = ("application/json",)
    kms_key_id: str | Expression | None = None
    enable_capture: bool | Expression = True

    def _validate(self) -> None:
        if not self.capture_options:
            raise PipelineDefinitionError(
                "DataCaptureConfig: capture_options=[] captures nothing; give 'Input', "
                "'Output' or both, or leave data_capture_config out"
            )

    def render_for(self, ctx: RenderContext, step: Step) -> JsonValue:
        """The ``DataCaptureConfig`` member, its destination bound for writing."""
        defaults = job_defaults(ctx, step)
        field = "Arguments.DataCaptureConfig.DestinationS3Uri"
        header = compact(
            CsvContentTypes=render(self.csv_content_types, ctx),
            JsonContentTypes=render(self.json_content_types, ctx),
        )
        return compact(
            EnableCapture=render(self.enable_capture, ctx),
            InitialSamplingPercentage=render(self.sampling_percentage, ctx),
            DestinationS3Uri=bind_s3(ctx, step, self.destination, field, "write"),
            CaptureOptions=[{"CaptureMode": mode} for mode in self.capture_options],
            KmsKeyId=pick(self.kms_key_id, defaults.output_kms_key, ctx),
            CaptureContentTypeHeader=header or None,
        )


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class EndpointConfigStep(RetryableStep):
    """Creates an endpoint configuration (CreateEndpointConfig), as the SDK's step of that name.

    A model on instances takes ``model_name`` (usually a ``ModelStep``'s ``ModelName``),
    ``instance_type`` and ``initial_instance_count`` (Default: 1), as one variant named
    ``variant_name`` (Default: ``AllTraffic``); ``serverless_config`` hosts it serverless
    instead. Several variants (traffic split between models), or a variant's other
    settings, are ``production_variants=[ProductionVariant(…), …]``.

    SageMaker Pipelines adds an execution-unique suffix to ``endpoint_config_name``: an
    ``EndpointStep`` reads the configuration's name from ``properties.EndpointConfigName``.
    ``kms_key_id`` encrypts the instances' ML storage. Default: the binder's volume key
    (the CDK ``Pipeline``'s artifact key) when every variant is on instances of a literal
    type with EBS storage, as the SDK applies its configured key; none otherwise.
    ``async_inference_config`` (CreateEndpointConfig's ``AsyncInferenceConfig``) is
    written as given, but an ``OutputConfig`` without a ``KmsKeyId`` gets the binder's
    output key, as captured data does. Variants without a model (an endpoint for inference
    components) run as ``role`` (Default: the binder's job role) in ``network`` (its
    ``VpcConfig`` and ``EnableNetworkIsolation``; Default: the binder's network, the CDK
    ``Pipeline``'s ``vpc=`` and ``enable_network_isolation=``, as a Model step's model
    runs in it; ``NetworkConfig()`` for none). A configuration whose variants name models
    gets no default network: each model runs in its own, its Model step's. ``tags`` (key →
    value) tag the configuration, and so do the binder's job tags (the CDK ``Pipeline``'s
    ``job_tags``; the step's own win on a shared key). ``extra_arguments`` merge into the
    request like a job step's (``ExplainerConfig``, ``ShadowProductionVariants``, …).
    Cached and retried (``Step.*`` exceptions) as the SDK's step is.

    Example::

        config = EndpointConfigStep(name="CreateEndpointConfig",
                                    endpoint_config_name="churn",
                                    model_name=model.properties.ModelName,
                                    instance_type="ml.m5.large", initial_instance_count=2,
                                    data_capture_config=DataCaptureConfig(
                                        destination="s3://my-bucket/data-capture"))
    """

    endpoint_config_name: str | Expression
    model_name: str | Expression | None = None
    instance_type: str | Expression | None = None
    initial_instance_count: int | Expression | None = None
    variant_name: str | Expression = DEFAULT_VARIANT_NAME
    serverless_config: ServerlessConfig | None = None
    production_variants: Sequence[ProductionVariant | Mapping[str, Any]] | None = None
    kms_key_id: str | Expression | None = None
    data_capture_config: DataCaptureConfig | None = None
    async_inference_config: Mapping[str, Any] | None = None
    role: str | Expression | None = None
    network: NetworkConfig | None = None
    tags: Mapping[str, Any] | None = None
    cache_config: CacheConfig | None = None
    retry_policies: Sequence[StepRetryPolicy] = ()
    extra_arguments: Mapping[str, Any] | None = None
    step_type: ClassVar[str] = "EndpointConfig"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.EndpointConfigName": "endpoint_config_name",
        "Arguments.KmsKeyId": "kms_key_id",
        "Arguments.DataCaptureConfig": "data_capture_config",
        "Arguments.DataCaptureConfig.DestinationS3Uri": "data_capture_config.destination",
        "Arguments.DataCaptureConfig.InitialSamplingPercentage": (
            "data_capture_config.sampling_percentage"
        ),
        "Arguments.DataCaptureConfig.CaptureOptions": "data_capture_config.capture_options",
        "Arguments.DataCaptureConfig.KmsKeyId": "data_capture_config.kms_key_id",
        "Arguments.AsyncInferenceConfig": "async_inference_config",
        "Arguments.ExecutionRoleArn": "role",
        "Arguments.VpcConfig": "network",
        "Arguments.EnableNetworkIsolation": "network",
        "Arguments.Tags": "tags",
        "CacheConfig": "cache_config",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> EndpointConfigStepProperties: ...

    def _validate(self) -> None:
        owner = f"{type(self).__name__} '{self.name}'"
        check_tags(owner, self.tags)
        if self.production_variants is not None:
            given = [name for name in _SINGLE_VARIANT_ARGUMENTS if getattr(self, name) is not None]
            if self.variant_name != DEFAULT_VARIANT_NAME:
                given.append("variant_name")
            if given:
                raise PipelineDefinitionError(
                    f"{owner}: production_variants= takes the place of "
                    f"{', '.join(f'{name}=' for name in given)}; give them to each "
                    "ProductionVariant(…) instead"
                )
            if not self.production_variants:
                raise PipelineDefinitionError(
                    f"{owner}: production_variants= is empty; give at least one "
                    "ProductionVariant(instance_type=…, model_name=…)"
                )
        else:
            problem = _variant_problem(self)
            if problem is not None:
                several = ", or production_variants=[…]" if self.serverless_config is None else ""
                raise PipelineDefinitionError(f"{owner}: {problem}{several}")
        self._check_variant_names(owner)
        self._check_volume_key(owner)

    def _single_variant(self) -> ProductionVariant:
        """The variant of the single-variant arguments (``production_variants`` unset)."""
        return ProductionVariant(
            instance_type=self.instance_type,
            model_name=self.model_name,
            variant_name=self.variant_name,
            initial_instance_count=self.initial_instance_count,
            serverless_config=self.serverless_config,
        )

    def variants(self) -> list[ProductionVariant | Mapping[str, Any]]:
        """The configuration's variants: ``production_variants``, or the single one.

        Example::

            EndpointConfigStep(name="C", endpoint_config_name="c", model_name="m",
                               instance_type="ml.m5.large").variants()[0].variant_name
            # "AllTraffic"
        """
        if self.production_variants is not None:
            return list(self.production_variants)
        return [self._single_variant()]

    def _check_variant_names(self, owner: str) -> None:
        names = [
            _member(variant, "variant_name", "VariantName")
            for variant in self.production_variants or ()
        ]
        literal = [name for name in names if isinstance(name, str) and not is_token(name)]
        repeated = sorted({name for name in literal if literal.count(name) > 1})
        if repeated:
            raise PipelineDefinitionError(
                f"{owner}: production_variants= names variant {repeated[0]!r} more than once; "
                "each variant of an endpoint needs a name of its own"
            )

    def _check_volume_key(self, owner: str) -> None:
        """A key for instances whose ML storage is their NVMe store: SageMaker refuses it."""
        if self.kms_key_id is None:
            return
        for variant in self.variants():
            instance_type = _member(variant, "instance_type", "InstanceType")
            if (
                isinstance(instance_type, str)
                and not is_token(instance_type)
                and has_instance_store(instance_type)
            ):
                raise PipelineDefinitionError(
                    f"{owner}: kms_key_id= can't encrypt {instance_type}: its ML storage is the "
                    "instance's NVMe store, encrypted by the instance's hardware, and "
                    "CreateEndpointConfig refuses a KmsKeyId for it (leave kms_key_id out, or "
                    "choose an instance type with EBS storage)"
                )

    def _argument_fields(self) -> Mapping[str, str]:
        fields = dict(RetryableStep._argument_fields(self))
        if self.production_variants is None:
            where = "Arguments.ProductionVariants[0]"
            for name in (*_SINGLE_VARIANT_ARGUMENTS, "variant_name"):
                fields[f"{where}.{_VARIANT_MEMBERS[name]}"] = name
            # The weight a variant of a model gets (1), as the SDK writes it.
            fields[f"{where}.InitialVariantWeight"] = "model_name"
            return fields
        fields["Arguments.ProductionVariants"] = "production_variants"
        for index, variant in enumerate(self.production_variants):
            where = f"Arguments.ProductionVariants[{index}]"
            fields[where] = f"production_variants[{index}]"
            if isinstance(variant, ProductionVariant):
                for name, member in _VARIANT_MEMBERS.items():
                    fields[f"{where}.{member}"] = f"production_variants[{index}].{name}"
        return fields

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry = merge_extra_arguments(Step._render_entry(self, ctx), self.extra_arguments, ctx)
        return add_job_tags(entry, ctx, self)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        variants = self.variants()
        rendered = [render(variant, ctx) for variant in variants]
        serves_models = any(
            isinstance(item, dict) and item.get("ModelName") is not None for item in rendered
        )
        role = None
        network = self.network
        if not serves_models:
            # An endpoint of inference components runs as the role its configuration
            # names, in the configuration's network: the binder's by default, as a Model
            # step's model runs in it.
            role = bind_role(ctx, self, self.role, "Arguments.ExecutionRoleArn")
            network = effective_network(self.network, defaults)
        elif self.role is not None:
            role = render(self.role, ctx)
        key = self.kms_key_id
        if key is None and self._takes_volume_key(variants):
            key = defaults.volume_kms_key
        arguments = compact(
            EndpointConfigName=render(self.endpoint_config_name, ctx),
            ProductionVariants=rendered,
            ExecutionRoleArn=role,
            Tags=render_tags(self.tags, ctx),
            KmsKeyId=render(key, ctx),
            DataCaptureConfig=(
                self.data_capture_config.render_for(ctx, self)
                if self.data_capture_config is not None
                else None
            ),
            AsyncInferenceConfig=self._async_inference(ctx, defaults.output_kms_key),
        )
        if network is not None:
            arguments.update(
                compact(
                    VpcConfig=network.vpc_config(ctx),
                    EnableNetworkIsolation=network.enable_network_isolation,
                )
            )
        return arguments

    def _async_inference(self, ctx: RenderContext, output_key: JsonValue) -> JsonValue:
        """``async_inference_config``, its results encrypted with ``output_key`` by default.

        As captured data is: an ``OutputConfig`` without a ``KmsKeyId`` gets the binder's
        output key (none when the binder has none). An ``OutputConfig`` given as an
        expression is left as it is.
        """
        rendered = render(self.async_inference_config, ctx)
        if output_key is None or not isinstance(rendered, dict):
            return rendered
        output = rendered.get("OutputConfig")
        if not isinstance(output, dict) or is_expression(output):
            return rendered  # none (validation says so), or known only at run time
        if output.get("KmsKeyId") is not None:
            return rendered
        return {**rendered, "OutputConfig": {**output, "KmsKeyId": output_key}}

    @staticmethod
    def _takes_volume_key(variants: Sequence[ProductionVariant | Mapping[str, Any]]) -> bool:
        """Whether every variant runs on instances with EBS storage, as a job's key is judged.

        A parameter is judged by its default, as ``volume_key`` judges a job's: an EBS
        default gets the key (a run on the defaults has a volume to encrypt), an NVMe one
        none (CreateEndpointConfig would refuse it), so SMP-JobVolumeEncryption judges
        endpoints and jobs alike. A token is known only later, as the SDK judges.
        """
        if not variants:
            return False
        for variant in variants:
            if _member(variant, "serverless_config", "ServerlessConfig") is not None:
                return False
            instance_type = _member(variant, "instance_type", "InstanceType")
            if isinstance(instance_type, Parameter):
                instance_type = instance_type.default
                if instance_type is None:
                    continue  # no default: nothing shows it would fail, as for a job
            if not isinstance(instance_type, str) or is_token(instance_type):
                return False
            if has_instance_store(instance_type):
                return False
        return True

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return {
            **compact(CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None),
            **RetryableStep._extra_fields(self, ctx),
        }


def _member(variant: ProductionVariant | Mapping[str, Any], name: str, member: str) -> Any:
    """A variant's setting: an attribute of a ``ProductionVariant``, a member of a mapping."""
    if isinstance(variant, ProductionVariant):
        return getattr(variant, name)
    return variant.get(member)


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class EndpointStep(Step):
    """Creates an endpoint, or updates it if it exists, as the SageMaker SDK's ``EndpointStep``.

    The endpoint ``endpoint_name`` runs the configuration ``endpoint_config_name``: usually
    an ``EndpointConfigStep``'s ``properties.EndpointConfigName`` (the name that step gives
    gets an execution-unique suffix). SageMaker Pipelines calls CreateEndpoint for an
    endpoint that doesn't exist and UpdateEndpoint for one that does, so each execution
    deploys its model to the same endpoint. ``deployment_config`` (CreateEndpoint's
    ``DeploymentConfig``: blue/green or rolling, auto-rollback on alarms) governs an
    update; the endpoint's execution role (its models' role) must be allowed to describe
    the rollback alarms, which the CDK ``Pipeline`` grants its step role, or the Model
    step's dedicated role (``cloudwatch:DescribeAlarms`` on those alarms). ``tags`` (key →
    value) tag a new endpoint, as the binder's job tags do. Cached as the SDK's step is;
    not retried (the SDK's ``EndpointStep`` takes no retry policies).

    Example::

        endpoint = EndpointStep(name="Deploy", endpoint_name="churn",
                                endpoint_config_name=config.properties.EndpointConfigName)
    """

    endpoint_name: str | Expression
    endpoint_config_name: str | Expression
    deployment_config: Mapping[str, Any] | None = None
    tags: Mapping[str, Any] | None = None
    cache_config: CacheConfig | None = None
    extra_arguments: Mapping[str, Any] | None = None
    step_type: ClassVar[str] = "Endpoint"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.EndpointName": "endpoint_name",
        "Arguments.EndpointConfigName": "endpoint_config_name",
        "Arguments.DeploymentConfig": "deployment_config",
        "Arguments.Tags": "tags",
        "CacheConfig": "cache_config",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> EndpointStepProperties: ...

    def _validate(self) -> None:
        check_tags(f"{type(self).__name__} '{self.name}'", self.tags)

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry = merge_extra_arguments(Step._render_entry(self, ctx), self.extra_arguments, ctx)
        return add_job_tags(entry, ctx, self)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        return compact(
            EndpointName=render(self.endpoint_name, ctx),
            EndpointConfigName=render(self.endpoint_config_name, ctx),
            DeploymentConfig=render(self.deployment_config, ctx),
            Tags=render_tags(self.tags, ctx),
        )

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None)


__all__ = [
    "DataCaptureConfig",
    "EndpointConfigStep",
    "EndpointStep",
    "ProductionVariant",
    "ServerlessConfig",
]
