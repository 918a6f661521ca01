"""``ModelStep`` (CreateModel) and ``RegisterModel`` (CreateModelPackage)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render, render_string_map
from .._tokens import is_token
from .._typecheck import checked
from ..bindables import Code
from ..expressions import Expression
from ..jobs import NetworkConfig, bad_tag_characters, check_tags, render_tags
from ..retry import StepRetryPolicy
from ._base import (
    ImageLike,
    RetryableStep,
    S3Like,
    add_job_tags,
    argument_with_extra,
    bind_code,
    bind_image,
    bind_role,
    bind_s3,
    effective_network,
    job_defaults,
    merge_extra_arguments,
)

if TYPE_CHECKING:
    from ..property_types import ModelStepProperties, RegisterModelProperties

# Environment variables SageMaker inference containers read to run a user script.
PROGRAM_VARIABLE = "SAGEMAKER_PROGRAM"
SUBMIT_DIRECTORY_VARIABLE = "SAGEMAKER_SUBMIT_DIRECTORY"
# The most containers a model (CreateModelInput.Containers) or a model package
# (InferenceSpecification.Containers) takes: the ``max`` of both lists in botocore's model.
MAX_CONTAINERS = 15
# ModelDataSource.S3DataSource's S3DataType and CompressionType (botocore's S3ModelDataType
# and ModelCompressionType).
MODEL_S3_DATA_TYPES = ("S3Prefix", "S3Object")
MODEL_COMPRESSION_TYPES = ("None", "Gzip")
# The keyword arguments of one container, which ``containers=`` replaces.
_SINGLE_CONTAINER_ARGUMENTS = ("image", "model_data", "code", "environment")


@checked
@dataclass(frozen=True, slots=True)
class ModelData:
    """Model data SageMaker reads as it is, not from a ``model.tar.gz``: ``ModelDataSource``.

    ``ModelData.uncompressed(prefix)`` is every object under ``prefix`` (``S3Prefix``,
    ``CompressionType: None``), copied to ``/opt/ml/model`` with its layout: what a
    ``TrainingStep(disable_output_compression=True)`` writes, and how models of hundreds
    of GB skip packing and unpacking an archive. Give it as ``model_data=`` of a
    ``ModelStep``, ``RegisterModel`` or ``Container``; it compiles to the container's
    ``ModelDataSource.S3DataSource`` instead of ``ModelDataUrl``. ``accept_eula`` accepts
    the end-user license of a model that has one (``ModelAccessConfig.AcceptEula``, e.g.
    a JumpStart Llama model). The SDK's ``model_data={"S3DataSource": {…}}``.

    Example::

        train = TrainingStep(name="FineTune", ..., disable_output_compression=True)
        ModelStep(name="CreateModel", image=image,
                  model_data=ModelData.uncompressed(train.model_data))
    """

    s3_uri: S3Like
    s3_data_type: str = "S3Prefix"
    compression_type: str = "None"
    accept_eula: bool | None = None

    @classmethod
    def uncompressed(cls, prefix: S3Like, *, accept_eula: bool | None = None) -> ModelData:
        """The objects under ``prefix``, as they are (``S3Prefix``, no compression)."""
        return cls(prefix, "S3Prefix", "None", accept_eula)

    def _validate(self) -> None:
        for argument, value, allowed in (
            ("s3_data_type", self.s3_data_type, MODEL_S3_DATA_TYPES),
            ("compression_type", self.compression_type, MODEL_COMPRESSION_TYPES),
        ):
            if value not in allowed:
                raise PipelineDefinitionError(
                    f"ModelData: {argument} {value!r} is not one of {', '.join(allowed)}"
                )
        if self.s3_data_type == "S3Prefix" and self.compression_type != "None":
            # botocore's S3ModelDataSource: Gzip is "an object that is a gzip-compressed TAR
            # archive" (S3Object); a prefix is read as its objects are.
            raise PipelineDefinitionError(
                "ModelData: an S3Prefix is read uncompressed (compression_type='None'); a "
                "model.tar.gz is one object: give it as model_data= (ModelDataUrl) instead"
            )
        uri = self.s3_uri
        if (
            self.s3_data_type == "S3Prefix"
            and isinstance(uri, str)
            and not is_token(uri)
            and not uri.endswith("/")
        ):
            # botocore's S3ModelDataSource: "A valid key name prefix identified by S3Uri
            # always ends with a forward slash (/)".
            raise PipelineDefinitionError(
                f"ModelData: the prefix {uri!r} must end with '/' (SageMaker's uncompressed "
                f"model data is the objects under a folder): give {uri + '/'!r}"
            )

    def to_request(self, uri: JsonValue) -> JsonValue:
        """The container's ``ModelDataSource``, its ``S3Uri`` already rendered as ``uri``."""
        source: dict[str, JsonValue] = {
            "S3Uri": uri,
            "S3DataType": self.s3_data_type,
            "CompressionType": self.compression_type,
        }
        if self.accept_eula is not None:
            source["ModelAccessConfig"] = {"AcceptEula": self.accept_eula}
        return {"S3DataSource": source}


@checked
@dataclass(frozen=True, slots=True)
class Container:
    """One container of a model: an inference pipeline (the SDK's ``PipelineModel``) lists several.

    Takes what a ``ModelStep`` or ``RegisterModel`` of one container takes: ``code`` sets
    ``SAGEMAKER_PROGRAM`` and ``SAGEMAKER_SUBMIT_DIRECTORY``, ``model_data`` is read by the
    model's role. A request passes through the containers in order, each one's response
    the next one's request.

    Example::

        ModelStep(name="CreateModel", containers=[
            Container(image=Image.sklearn("1.2-1", scope="inference"),
                      model_data=prep.output("model"), code=Code.from_asset("ml/featurize.py")),
            Container(image=Image.xgboost("1.7-1", scope="inference"), model_data=train.model_data),
        ])
    """

    image: ImageLike
    model_data: S3Like | ModelData | None = None
    code: Code | None = None
    environment: Mapping[str, Any] | None = None


class _ContainerFields(Protocol):
    """What a model container is made of: a ``Container``, or a step of one container."""

    @property
    def image(self) -> ImageLike | None: ...
    @property
    def model_data(self) -> S3Like | ModelData | None: ...
    @property
    def code(self) -> Code | None: ...
    @property
    def environment(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class _ContainerStep(RetryableStep):
    """Fields of the model's containers: one, or several (``containers``).

    One container is ``image``, ``model_data``, ``code`` and ``environment``; several (an
    inference pipeline) are ``containers``. No SageMaker job runs, so only
    ``StepRetryPolicy`` applies (service faults, throttling).
    """

    retry_policies: Sequence[StepRetryPolicy] = ()
    image: ImageLike | None = None
    model_data: S3Like | ModelData | None = None
    code: Code | None = None
    environment: Mapping[str, Any] | None = None
    containers: Sequence[Container] | None = None
    extra_arguments: Mapping[str, Any] | None = None
    # Where the model container is rendered, in ``Problem.field`` spelling.
    container_field: ClassVar[str] = ""
    # Where the containers of ``containers=`` are rendered, and the request member that
    # bounds their number (for the error message).
    containers_field: ClassVar[str] = ""
    containers_member: ClassVar[str] = ""

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _validate(self) -> None:
        owner = f"{type(self).__name__} '{self.name}'"
        if self.containers is None:
            if self.image is None:
                raise PipelineDefinitionError(
                    f"{owner}: give image= (a model of one container) or "
                    "containers=[Container(image=…), …] (an inference pipeline)"
                )
            return
        given = [name for name in _SINGLE_CONTAINER_ARGUMENTS if getattr(self, name) is not None]
        if given:
            listed = ", ".join(f"{name}=" for name in given)
            raise PipelineDefinitionError(
                f"{owner}: containers= takes the place of {listed}; give them to each "
                "Container(image=…, model_data=…, code=…, environment=…) instead"
            )
        if not self.containers:
            raise PipelineDefinitionError(
                f"{owner}: containers= is empty; give at least one Container(image=…)"
            )
        if len(self.containers) > MAX_CONTAINERS:
            raise PipelineDefinitionError(
                f"{owner}: containers= has {len(self.containers)} containers, more than the "
                f"{MAX_CONTAINERS} {self.containers_member} takes"
            )

    def _argument_fields(self) -> Mapping[str, str]:
        fields = dict(RetryableStep._argument_fields(self))
        if self.containers is None:
            if self.code is not None:
                fields.update(_code_argument_fields(self.container_field, "code"))
            return fields
        fields[self.containers_field] = "containers"
        for index, container in enumerate(self.containers):
            where = f"{self.containers_field}[{index}]"
            argument = f"containers[{index}]"
            fields.update(_container_argument_fields(where, f"{argument}."))
            fields[where] = argument
            if container.code is not None:
                fields.update(_code_argument_fields(where, f"{argument}.code"))
        return fields

    def _render_containers(self, ctx: RenderContext) -> list[JsonValue]:
        """The rendered containers of ``containers=``."""
        return [
            self._render_container(ctx, container, f"{self.containers_field}[{index}]")
            for index, container in enumerate(self.containers or ())
        ]

    def _render_container(
        self, ctx: RenderContext, container: _ContainerFields, field: str
    ) -> JsonValue:
        """One container, rendered at ``field``: its code, image and model data bound."""
        environment = dict(render_string_map(container.environment, ctx) or {})
        if container.code is not None:
            env_field = f"{field}.Environment['{SUBMIT_DIRECTORY_VARIABLE}']"
            bound = bind_code(ctx, self, container.code, env_field, archive=True)
            environment[PROGRAM_VARIABLE] = container.code.script_name
            environment[SUBMIT_DIRECTORY_VARIABLE] = bound.uri
        model_data = source = None
        data = container.model_data
        if isinstance(data, ModelData):
            uri_field = f"{field}.ModelDataSource.S3DataSource.S3Uri"
            source = data.to_request(bind_s3(ctx, self, data.s3_uri, uri_field, "read"))
        elif data is not None:
            model_data = bind_s3(ctx, self, data, f"{field}.ModelDataUrl", "read")
        image = container.image
        assert image is not None  # _validate: a step without containers= has an image
        return compact(
            Image=bind_image(ctx, self, image, f"{field}.Image"),
            Environment=environment,
            ModelDataUrl=model_data,
            ModelDataSource=source,
        )

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """Render the entry, merging ``extra_arguments`` into ``Arguments``, then job tags.

        Job tags go on a model (CreateModel's ``Tags``), not on a model version, which
        takes its group's.
        """
        entry = RetryableStep._render_entry(self, ctx)
        return add_job_tags(merge_extra_arguments(entry, self.extra_arguments, ctx), ctx, self)


def _container_argument_fields(container: str, prefix: str = "") -> dict[str, str]:
    """``argument_fields`` of the model container rendered at ``container``.

    ``prefix`` names the container's own arguments (``containers[1].``) when it is one of
    ``containers=``.
    """
    return {
        f"{container}.Image": f"{prefix}image",
        f"{container}.Environment": f"{prefix}environment",
        f"{container}.ModelDataUrl": f"{prefix}model_data",
        f"{container}.ModelDataSource": f"{prefix}model_data",
    }


def _code_argument_fields(container: str, argument: str) -> dict[str, str]:
    """The environment variables ``code`` sets in the container rendered at ``container``."""
    environment = f"{container}.Environment"
    return {
        f"{environment}['{PROGRAM_VARIABLE}']": argument,
        f"{environment}['{SUBMIT_DIRECTORY_VARIABLE}']": argument,
    }


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class ModelStep(_ContainerStep):
    """Creates a SageMaker model; ``properties.ModelName`` feeds a ``TransformStep``.

    A model of one container takes ``image``, ``model_data``, ``code`` and ``environment``
    (``PrimaryContainer``); an inference pipeline (the SDK's ``PipelineModel``) takes
    ``containers=[Container(…), …]`` instead (``Containers``, at most 15).
    ``inference_execution_mode`` (``"Serial"`` or ``"Direct"``) goes with ``containers``.
    Default: unset, which SageMaker runs as ``Serial``. A model of a registered version
    takes ``model_package_name`` (its ARN: a parameter, or a Lambda step's output, such as
    the latest approved version) instead of ``image``, ``model_data`` and ``code``: the
    version's containers are the model's (``PrimaryContainer.ModelPackageName``), and
    ``environment`` adds to theirs. ``tags`` (key → value; a value may be a pipeline
    parameter) tag the model, as the SDK's ``Model.create(tags=…)`` does, and so do the
    binder's job tags (the CDK ``Pipeline``'s ``job_tags``; the step's own win on a shared
    key). A ``RegisterModel`` step takes no tags: a version in a group has the group's.
    Default: no tags of the step's own.

    Example::

        model = ModelStep(name="CreateModel", image=Image.sklearn("1.2-1", scope="inference"),
                          model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
                          code=Code.from_asset("ml/inference.py"))
        pipeline_model = ModelStep(name="CreatePipelineModel", containers=[
            Container(image=Image.sklearn("1.2-1", scope="inference"),
                      model_data=prep_model_uri, code=Code.from_asset("ml/featurize.py")),
            Container(image=Image.xgboost("1.7-1", scope="inference"), model_data=train.model_data),
        ])
        approved = ModelStep(name="ApprovedModel",
                             model_package_name=ParameterString(name="ModelPackageArn"))
    """

    role: str | Expression | None = None
    network: NetworkConfig | None = None
    inference_execution_mode: str | None = None
    model_package_name: str | Expression | None = None
    tags: Mapping[str, Any] | None = None
    step_type: ClassVar[str] = "Model"
    container_field: ClassVar[str] = "Arguments.PrimaryContainer"
    containers_field: ClassVar[str] = "Arguments.Containers"
    containers_member: ClassVar[str] = "a model (CreateModel's Containers)"
    argument_fields: ClassVar[Mapping[str, str]] = {
        **_container_argument_fields(container_field),
        "Arguments.PrimaryContainer.ModelPackageName": "model_package_name",
        "Arguments.ExecutionRoleArn": "role",
        "Arguments.VpcConfig": "network",
        "Arguments.EnableNetworkIsolation": "network",
        "Arguments.InferenceExecutionConfig": "inference_execution_mode",
        "Arguments.Tags": "tags",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> ModelStepProperties: ...

    def _validate(self) -> None:
        check_tags(f"{type(self).__name__} '{self.name}'", self.tags)
        if self.model_package_name is not None:
            self._validate_model_package()
            return
        _ContainerStep._validate(self)
        if self.inference_execution_mode is not None and self.containers is None:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': "
                "inference_execution_mode= applies to a model of "
                "several containers; give containers=[Container(…), …] or leave it unset"
            )

    def _validate_model_package(self) -> None:
        """A model of a registered version takes its image, data and code from the version."""
        given = [
            f"{name}="
            for name in (*_SINGLE_CONTAINER_ARGUMENTS, "containers", "inference_execution_mode")
            if name != "environment" and getattr(self, name) is not None
        ]
        if given:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': model_package_name= takes the image, "
                f"model data and code from the registered version; leave out {', '.join(given)} "
                "(environment= adds to the version's environment)"
            )

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        role = bind_role(ctx, self, self.role, "Arguments.ExecutionRoleArn")
        # Tags after the containers and before the network, as the SDK writes them.
        tags = render_tags(self.tags, ctx)
        if self.model_package_name is not None:
            arguments = compact(
                ExecutionRoleArn=role,
                PrimaryContainer=compact(
                    ModelPackageName=render(self.model_package_name, ctx),
                    Environment=render_string_map(self.environment, ctx),
                ),
                Tags=tags,
            )
        elif self.containers is None:
            arguments = compact(
                ExecutionRoleArn=role,
                PrimaryContainer=self._render_container(ctx, self, self.container_field),
                Tags=tags,
            )
        else:
            mode = self.inference_execution_mode
            arguments = compact(
                ExecutionRoleArn=role,
                Containers=self._render_containers(ctx),
                Tags=tags,
                InferenceExecutionConfig={"Mode": mode} if mode is not None else None,
            )
        network = effective_network(self.network, job_defaults(ctx, self))
        if network is not None:
            arguments.update(
                compact(
                    VpcConfig=network.vpc_config(ctx),
                    EnableNetworkIsolation=network.enable_network_isolation,
                )
            )
        return arguments


@checked
@dataclass(frozen=True, slots=True)
class MetricsSource:
    """A metrics or constraints file in S3 attached to a model package.

    Example::

        MetricsSource(s3_uri=Join(on="/", values=[eval_uri, "evaluation.json"]))
    """

    s3_uri: S3Like
    content_type: str = "application/json"


@checked
@dataclass(frozen=True, slots=True)
class FileSource:
    """A configuration file in S3 attached to a model package (a drift check's config).

    Unlike ``MetricsSource``, its content type is optional.

    Example::

        FileSource(s3_uri="s3://my-bucket/baselines/bias-config.json")
    """

    s3_uri: S3Like
    content_type: str | None = None


def _render_source(
    ctx: RenderContext, step: RegisterModel, item: MetricsSource | FileSource | None, field: str
) -> JsonValue:
    """A metrics or file source of ``step`` at ``field``, its location bound for reading."""
    if item is None:
        return None
    uri = bind_s3(ctx, step, item.s3_uri, f"{field}.S3Uri", "read")
    if isinstance(item, FileSource):
        # The SageMaker SDK's FileSource order: S3Uri first, ContentType only when given.
        return compact(S3Uri=uri, ContentType=item.content_type)
    return {"ContentType": item.content_type, "S3Uri": uri}


def _group(**members: JsonValue) -> JsonValue:
    """An object of the given members, or ``None`` when none is set."""
    return compact(**members) or None


@checked
@dataclass(frozen=True, slots=True)
class ModelMetrics:
    """Quality, data quality, bias and explainability reports of a model package.

    ``bias_report``, ``bias_pre_training_report`` and ``bias_post_training_report`` are the
    SageMaker SDK's ``bias``, ``bias_pre_training`` and ``bias_post_training``.

    Example::

        ModelMetrics(model_statistics=MetricsSource(s3_uri=report_uri),
                     bias_pre_training_report=MetricsSource(s3_uri=pre_training_uri))
    """

    model_statistics: MetricsSource | None = None
    model_constraints: MetricsSource | None = None
    data_statistics: MetricsSource | None = None
    data_constraints: MetricsSource | None = None
    bias_report: MetricsSource | None = None
    explainability_report: MetricsSource | None = None
    bias_pre_training_report: MetricsSource | None = None
    bias_post_training_report: MetricsSource | None = None

    def render_for(self, ctx: RenderContext, step: RegisterModel) -> JsonValue:
        """Render the ``ModelMetrics`` member, binding each location for reading."""
        field = "Arguments.ModelMetrics"

        def source(item: MetricsSource | None, member: str) -> JsonValue:
            return _render_source(ctx, step, item, f"{field}.{member}")

        return compact(
            ModelQuality=_group(
                Statistics=source(self.model_statistics, "ModelQuality.Statistics"),
                Constraints=source(self.model_constraints, "ModelQuality.Constraints"),
            ),
            ModelDataQuality=_group(
                Statistics=source(self.data_statistics, "ModelDataQuality.Statistics"),
                Constraints=source(self.data_constraints, "ModelDataQuality.Constraints"),
            ),
            Bias=_group(
                Report=source(self.bias_report, "Bias.Report"),
                PreTrainingReport=source(self.bias_pre_training_report, "Bias.PreTrainingReport"),
                PostTrainingReport=source(
                    self.bias_post_training_report, "Bias.PostTrainingReport"
                ),
            ),
            Explainability=_group(
                Report=source(self.explainability_report, "Explainability.Report")
            ),
        )


@checked
@dataclass(frozen=True, slots=True)
class DriftCheckBaselines:
    """The baselines Model Monitor and Clarify checks compare a model package's data with.

    The SageMaker SDK's ``DriftCheckBaselines``; its ``model_data_statistics`` and
    ``model_data_constraints`` are ``data_statistics`` and ``data_constraints`` here, as in
    ``ModelMetrics``. Its files are granted for reading as ``ModelMetrics``' are.

    Example::

        DriftCheckBaselines(
            model_statistics=MetricsSource(s3_uri="s3://my-bucket/baselines/statistics.json"),
            model_constraints=MetricsSource(s3_uri="s3://my-bucket/baselines/constraints.json"),
            bias_config_file=FileSource(s3_uri="s3://my-bucket/baselines/bias-config.json"),
        )
    """

    model_statistics: MetricsSource | None = None
    model_constraints: MetricsSource | None = None
    data_statistics: MetricsSource | None = None
    data_constraints: MetricsSource | None = None
    bias_config_file: FileSource | None = None
    bias_pre_training_constraints: MetricsSource | None = None
    bias_post_training_constraints: MetricsSource | None = None
    explainability_constraints: MetricsSource | None = None
    explainability_config_file: FileSource | None = None

    def _validate(self) -> None:
        if all(getattr(self, name) is None for name in _DRIFT_CHECK_BASELINE_FIELDS):
            raise PipelineDefinitionError(
                "DriftCheckBaselines: give at least one baseline (model_statistics=, "
                "model_constraints=, data_statistics=, bias_config_file=, …)"
            )

    def render_for(self, ctx: RenderContext, step: RegisterModel) -> JsonValue:
        """Render the ``DriftCheckBaselines`` member, binding each location for reading."""
        field = "Arguments.DriftCheckBaselines"

        def source(item: MetricsSource | FileSource | None, member: str) -> JsonValue:
            return _render_source(ctx, step, item, f"{field}.{member}")

        return compact(
            ModelQuality=_group(
                Statistics=source(self.model_statistics, "ModelQuality.Statistics"),
                Constraints=source(self.model_constraints, "ModelQuality.Constraints"),
            ),
            ModelDataQuality=_group(
                Statistics=source(self.data_statistics, "ModelDataQuality.Statistics"),
                Constraints=source(self.data_constraints, "ModelDataQuality.Constraints"),
            ),
            Bias=_group(
                ConfigFile=source(self.bias_config_file, "Bias.ConfigFile"),
                PreTrainingConstraints=source(
                    self.bias_pre_training_constraints, "Bias.PreTrainingConstraints"
                ),
                PostTrainingConstraints=source(
                    self.bias_post_training_constraints, "Bias.PostTrainingConstraints"
                ),
            ),
            Explainability=_group(
                Constraints=source(self.explainability_constraints, "Explainability.Constraints"),
                ConfigFile=source(self.explainability_config_file, "Explainability.ConfigFile"),
            ),
        )


@checked
@dataclass(frozen=True, slots=True)
class MetadataProperties:
    """Where a model package came from: the commit, repository and project that produced it.

    The SageMaker SDK's ``MetadataProperties``, shown with each version in SageMaker Studio's
    model registry. Values may be parameters (a CI system passes the commit it built) or CDK
    tokens.

    Example::

        MetadataProperties(commit_id=ParameterString(name="CommitId"),
                           repository="https://github.com/acme/churn", generated_by="ci")
    """

    commit_id: str | Expression | None = None
    repository: str | Expression | None = None
    generated_by: str | Expression | None = None
    project_id: str | Expression | None = None

    def _validate(self) -> None:
        if all(getattr(self, name) is None for name in _METADATA_PROPERTY_MEMBERS):
            raise PipelineDefinitionError(
                "MetadataProperties: give at least one of commit_id=, repository=, "
                "generated_by=, project_id="
            )

    def render(self, ctx: RenderContext) -> JsonValue:
        """The ``MetadataProperties`` member of a CreateModelPackage request."""
        return compact(
            **{
                member: render(getattr(self, name), ctx)
                for name, member in _METADATA_PROPERTY_MEMBERS.items()
            }
        )


_METADATA_PROPERTY_MEMBERS = {
    "commit_id": "CommitId",
    "repository": "Repository",
    "generated_by": "GeneratedBy",
    "project_id": "ProjectId",
}

# RegisterModel arguments for Inference Recommender that the SageMaker SDK's
# ``Model.register`` writes into every container of the model package.
_RECOMMENDER_CONTAINER_MEMBERS = {
    "framework": "Framework",
    "framework_version": "FrameworkVersion",
    "nearest_model_name": "NearestModelName",
}


_DRIFT_CHECK_BASELINE_FIELDS = (
    "model_statistics",
    "model_constraints",
    "data_statistics",
    "data_constraints",
    "bias_config_file",
    "bias_pre_training_constraints",
    "bias_post_training_constraints",
    "explainability_constraints",
    "explainability_config_file",
)


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class RegisterModel(_ContainerStep):
    """Registers a model version in a model package group (the model registry).

    ``approval_status`` defaults to ``PendingManualApproval``: a person (or a separate
    process) approves, never the pipeline itself. A model of one container takes
    ``image``, ``model_data``, ``code`` and ``environment``; an inference pipeline (the SDK's
    ``PipelineModel.register``) takes ``containers=[Container(…), …]`` instead (at most 15).
    ``content_types`` and ``response_types``, the MIME types the model reads and writes,
    default to ``["text/csv"]``; ``None`` leaves them out.

    Example::

        register = RegisterModel(
            name="RegisterModel",
            model_package_group_name="churn-models",
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            content_types=["text/csv"], response_types=["text/csv"],
            inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"],
            model_metrics=ModelMetrics(model_statistics=MetricsSource(s3_uri=report_uri)),
            drift_check_baselines=DriftCheckBaselines(
                model_constraints=MetricsSource(s3_uri="s3://my-bucket/baselines/constraints.json")
            ),
            metadata_properties=MetadataProperties(commit_id=commit, repository=repo_url),
            customer_metadata={"execution": ExecutionVariables.PIPELINE_EXECUTION_ARN},
            framework="SAGEMAKER-SCIKIT-LEARN", framework_version="1.2",
        )

    ``framework``, ``framework_version``, ``nearest_model_name`` and ``data_input_config``
    describe the model to SageMaker Inference Recommender; as the SDK's ``Model.register``
    does, they are written into every container of the model package. Each may be a
    parameter, as in the SDK (``data_input_config``'s value is then the JSON text).
    """

    model_package_group_name: str | Expression
    content_types: Sequence[str] | None = ("text/csv",)
    response_types: Sequence[str] | None = ("text/csv",)
    inference_instances: Sequence[str | Expression] | None = None
    transform_instances: Sequence[str | Expression] | None = None
    approval_status: str | Expression = "PendingManualApproval"
    model_metrics: ModelMetrics | None = None
    drift_check_baselines: DriftCheckBaselines | None = None
    model_package_description: str | None = None
    customer_metadata: Mapping[str, str | Expression] | None = None
    domain: str | None = None
    task: str | None = None
    sample_payload_url: str | Expression | None = None
    metadata_properties: MetadataProperties | None = None
    framework: str | Expression | None = None
    framework_version: str | Expression | None = None
    nearest_model_name: str | Expression | None = None
    data_input_config: str | Mapping[str, Any] | Expression | None = None
    step_type: ClassVar[str] = "RegisterModel"
    container_field: ClassVar[str] = "Arguments.InferenceSpecification.Containers[0]"
    containers_field: ClassVar[str] = "Arguments.InferenceSpecification.Containers"
    containers_member: ClassVar[str] = (
        "a model package (CreateModelPackage's InferenceSpecification.Containers)"
    )
    argument_fields: ClassVar[Mapping[str, str]] = {
        **_container_argument_fields(container_field),
        "Arguments.InferenceSpecification.SupportedContentTypes": "content_types",
        "Arguments.InferenceSpecification.SupportedResponseMIMETypes": "response_types",
        "Arguments.InferenceSpecification.SupportedRealtimeInferenceInstanceTypes": (
            "inference_instances"
        ),
        "Arguments.InferenceSpecification.SupportedTransformInstanceTypes": ("transform_instances"),
        "Arguments.ModelPackageGroupName": "model_package_group_name",
        "Arguments.ModelPackageDescription": "model_package_description",
        "Arguments.ModelMetrics": "model_metrics",
        "Arguments.DriftCheckBaselines": "drift_check_baselines",
        "Arguments.ModelApprovalStatus": "approval_status",
        "Arguments.CustomerMetadataProperties": "customer_metadata",
        "Arguments.Domain": "domain",
        "Arguments.Task": "task",
        "Arguments.SamplePayloadUrl": "sample_payload_url",
        "Arguments.MetadataProperties": "metadata_properties",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> RegisterModelProperties: ...

    def _validate(self) -> None:
        _ContainerStep._validate(self)
        for argument in ("content_types", "response_types"):
            if getattr(self, argument) is not None and not getattr(self, argument):
                # The lists are optional, and an empty one says no more than leaving it out.
                raise PipelineDefinitionError(
                    f"{type(self).__name__} '{self.name}': {argument}=[] lists no MIME types (list "
                    f"them, e.g. ['text/csv'], or pass {argument}=None to leave them out)"
                )
        if self.data_input_config is not None and not isinstance(
            self.data_input_config, Expression
        ):
            self._data_input_config_text()
        self._check_customer_metadata_characters()

    def _check_customer_metadata_characters(self) -> None:
        """CreateModelPackage refuses a key or value outside a tag's characters.

        botocore's CustomerMetadataKey/Value pattern (letters, separators, numbers and
        ``_.:/=+-@``) is one Python's ``re`` can't compile, so the shape check leaves it
        out: a literal ``#`` would fail the execution at its RegisterModel step, not at
        synth. An expression's value is known at run time only.
        """
        for key, value in (self.customer_metadata or {}).items():
            for text, what in ((key, f"key {key!r}"), (value, f"value of {key!r}")):
                if not isinstance(text, str) or is_token(text):
                    continue
                bad = bad_tag_characters(text)
                if bad:
                    raise PipelineDefinitionError(
                        f"{type(self).__name__} '{self.name}': customer_metadata {what}: "
                        f"{bad!r} not allowed (letters, spaces, numbers and _ . : / = + - @ "
                        "only, as in tags)"
                    )

    def _argument_fields(self) -> Mapping[str, str]:
        fields = dict(_ContainerStep._argument_fields(self))
        count = 1 if self.containers is None else len(self.containers)
        for index in range(count):
            where = f"{self.containers_field}[{index}]"
            for name, member in _RECOMMENDER_CONTAINER_MEMBERS.items():
                fields[f"{where}.{member}"] = name
            fields[f"{where}.ModelInput"] = "data_input_config"
        return fields

    def _recommender_members(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """What every container gets for Inference Recommender (empty when unset)."""
        members: dict[str, JsonValue] = compact(
            **{
                member: render(getattr(self, name), ctx)
                for name, member in _RECOMMENDER_CONTAINER_MEMBERS.items()
            }
        )
        if isinstance(self.data_input_config, Expression):
            members["ModelInput"] = {"DataInputConfig": render(self.data_input_config, ctx)}
        elif self.data_input_config is not None:
            members["ModelInput"] = {"DataInputConfig": self._data_input_config_text()}
        return members

    def _data_input_config_text(self) -> str:
        """``data_input_config`` as the JSON text of an object, which the service takes."""
        config = self.data_input_config
        if isinstance(config, str) and is_token(config):
            return config  # known at deploy time only: skipped, never guessed
        text: str | None = None
        try:
            if isinstance(config, str):
                text = config if isinstance(json.loads(config), dict) else None
            else:
                text = json.dumps(config, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            text = None
        if text is None:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': "
                "data_input_config= must be a JSON object naming "
                "each input and its shape, e.g. '{\"input_1\": [1, 28, 28, 1]}', or a dict; "
                f"got {config!r}"
            )
        return text

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        containers = (
            [self._render_container(ctx, self, self.container_field)]
            if self.containers is None
            else self._render_containers(ctx)
        )
        recommender = self._recommender_members(ctx)
        if recommender:
            containers = [
                {**container, **recommender} if isinstance(container, dict) else container
                for container in containers
            ]
        specification = compact(
            Containers=containers,
            SupportedContentTypes=render(self.content_types, ctx),
            SupportedResponseMIMETypes=render(self.response_types, ctx),
            SupportedRealtimeInferenceInstanceTypes=render(self.inference_instances, ctx),
            SupportedTransformInstanceTypes=render(self.transform_instances, ctx),
        )
        return compact(
            ModelPackageGroupName=render(self.model_package_group_name, ctx),
            ModelPackageDescription=self.model_package_description,
            ModelMetrics=(
                self.model_metrics.render_for(ctx, self) if self.model_metrics is not None else None
            ),
            InferenceSpecification=specification,
            DriftCheckBaselines=(
                self.drift_check_baselines.render_for(ctx, self)
                if self.drift_check_baselines is not None
                else None
            ),
            ModelApprovalStatus=render(self.approval_status, ctx),
            MetadataProperties=(
                self.metadata_properties.render(ctx)
                if self.metadata_properties is not None
                else None
            ),
            SamplePayloadUrl=render(self.sample_payload_url, ctx),
            # Values may be expressions, as in the SDK: the execution, a parameter (the data
            # a run read) recorded with the version; a number is joined into a string.
            CustomerMetadataProperties=(
                render_string_map(self.customer_metadata, ctx) if self.customer_metadata else None
            ),
            Domain=self.domain,
            Task=self.task,
        )
