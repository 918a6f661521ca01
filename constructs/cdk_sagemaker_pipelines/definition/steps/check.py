"""``QualityCheckStep`` and ``ClarifyCheckStep``: baselines and drift checks.

Each runs one processing job (the Model Monitor analyzer, or SageMaker Clarify) and
compares what it calculates with a baseline: the one supplied, or the latest approved
model version's in ``model_package_group_name``. Their ``Arguments`` are the
CreateProcessingJob request of that job, as the SageMaker SDK writes them; the check's
settings (``CheckType``, ``SkipCheck``, …) sit beside ``Arguments``.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render, render_string
from .._tokens import is_token
from .._typecheck import checked
from ..bindables import Code, Image, S3Location
from ..expressions import Expression
from ..jobs import NetworkConfig, check_tags, render_tags
from ..retry import CacheConfig
from ._base import (
    ImageLike,
    S3Like,
    Step,
    add_job_tags,
    argument_with_extra,
    bind_code,
    bind_image,
    bind_role,
    bind_s3,
    default_output,
    effective_network,
    job_defaults,
    merge_extra_arguments,
    pick,
    volume_key,
)
from .processing import _input_entry

if TYPE_CHECKING:
    from ..property_types import ClarifyCheckStepProperties, QualityCheckStepProperties

LOCAL_ROOT = "/opt/ml/processing"
OUTPUT_PATH = f"{LOCAL_ROOT}/output"
# The SDK's names and container paths (sagemaker.workflow.quality_check_step, clarify).
QUALITY_OUTPUT_NAME = "quality_check_output"
BASELINE_DATASET_INPUT = "baseline_dataset_input"
POST_ANALYTICS_INPUT = "post_analytics_processor_script_input"
RECORD_PREPROCESSOR_INPUT = "record_preprocessor_script_input"
CLARIFY_OUTPUT_NAME = "analysis_result"
CLARIFY_CONFIG_INPUT = "analysis_config"
CLARIFY_CONFIG_PATH = f"{LOCAL_ROOT}/input/config"
# The file Clarify reads in its config input (the name the SDK uploads it under).
CLARIFY_CONFIG_FILE = "analysis_config.json"
CLARIFY_DATASET_INPUT = "dataset"
CLARIFY_DATASET_PATH = f"{LOCAL_ROOT}/input/data"
PROBLEM_TYPES = ("Regression", "BinaryClassification", "MulticlassClassification")
# The Model Monitor analyzer's environment the step writes, and what sets each.
_ANALYZER_VARIABLES = {
    "output_path": "output_s3_uri=",
    "publish_cloudwatch_metrics": "nothing (a check publishes no metrics)",
    "dataset_format": "dataset_format=",
    "dataset_source": "baseline_dataset=",
    "record_preprocessor_script": "record_preprocessor_script=",
    "post_analytics_processor_script": "post_analytics_processor_script=",
    "analysis_type": "quality_check_config= (its check type)",
    "problem_type": "problem_type=",
    "inference_attribute": "inference_attribute=",
    "probability_attribute": "probability_attribute=",
    "ground_truth_attribute": "ground_truth_attribute=",
    "probability_threshold_attribute": "probability_threshold_attribute=",
}


@checked
@dataclass(frozen=True, slots=True)
class DatasetFormat:
    """The format of a quality check's dataset, as the Model Monitor analyzer reads it.

    The SDK's ``DatasetFormat.csv``/``json``, and Parquet, which the analyzer also reads.

    Example::

        DatasetFormat.csv(header=False)
        DatasetFormat.json(lines=True)
        DatasetFormat.parquet()
    """

    kind: Literal["csv", "json", "parquet"]
    header: bool = True
    output_columns_position: Literal["START", "END"] = "START"
    lines: bool = True

    @staticmethod
    def csv(
        header: bool = True, output_columns_position: Literal["START", "END"] = "START"
    ) -> DatasetFormat:
        """CSV files; ``header``: whether they start with a header row. Default: True.

        ``output_columns_position``: where a model's output columns are, ``START`` or ``END``.
        """
        return DatasetFormat("csv", header=header, output_columns_position=output_columns_position)

    @staticmethod
    def json(lines: bool = True) -> DatasetFormat:
        """JSON files; ``lines``: one JSON object per line (JSON Lines). Default: True."""
        return DatasetFormat("json", lines=lines)

    @staticmethod
    def parquet() -> DatasetFormat:
        """Parquet files."""
        return DatasetFormat("parquet")

    def to_environment(self) -> str:
        """The ``dataset_format`` environment variable, spelt as the SDK writes it."""
        body: dict[str, Any] = {"parquet": {}}
        if self.kind == "csv":
            body = {
                "csv": {
                    "header": self.header,
                    "output_columns_position": self.output_columns_position,
                }
            }
        elif self.kind == "json":
            body = {"json": {"lines": self.lines}}
        return json.dumps(body)


@checked
@dataclass(frozen=True, slots=True)
class DataQualityCheckConfig:
    """A data quality check (``DATA_QUALITY``): statistics and constraints of a dataset.

    ``output_s3_uri`` receives ``statistics.json`` and ``constraints.json``. Default: the
    binder's per-execution location of the step's output ``quality_check_output`` (the CDK
    ``Pipeline`` construct: its artifact bucket), as for processing outputs.
    ``record_preprocessor_script`` and ``post_analytics_processor_script`` are single
    Python files (``Code.from_asset("ml/preprocess_record.py")`` or ``Code.from_s3(…)``).

    Example::

        DataQualityCheckConfig(baseline_dataset=prep.output("train"),
                               dataset_format=DatasetFormat.csv(header=True))
    """

    baseline_dataset: S3Like
    dataset_format: DatasetFormat
    output_s3_uri: S3Like | None = None
    record_preprocessor_script: Code | None = None
    post_analytics_processor_script: Code | None = None
    check_type: ClassVar[str] = "DATA_QUALITY"


@checked
@dataclass(frozen=True, slots=True)
class ModelQualityCheckConfig:
    """A model quality check (``MODEL_QUALITY``): metrics of predictions against labels.

    ``baseline_dataset`` holds the predictions with their ground truth (a batch transform's
    output joined with its input, for example). ``problem_type``: ``Regression``,
    ``BinaryClassification`` or ``MulticlassClassification``. The attributes are column
    indexes or JSON paths locating the prediction, its probability and the label;
    ``probability_threshold_attribute`` turns probabilities into labels. Output as for
    ``DataQualityCheckConfig``.

    Example::

        ModelQualityCheckConfig(baseline_dataset=transform.properties.TransformOutput.S3OutputPath,
                                dataset_format=DatasetFormat.csv(header=False),
                                problem_type="BinaryClassification",
                                inference_attribute="_c0", ground_truth_attribute="_c1")
    """

    baseline_dataset: S3Like
    dataset_format: DatasetFormat
    problem_type: str | Expression
    inference_attribute: str | int | Expression | None = None
    probability_attribute: str | int | Expression | None = None
    ground_truth_attribute: str | int | Expression | None = None
    probability_threshold_attribute: float | str | Expression | None = None
    output_s3_uri: S3Like | None = None
    post_analytics_processor_script: Code | None = None
    check_type: ClassVar[str] = "MODEL_QUALITY"

    def _validate(self) -> None:
        problem = self.problem_type
        if isinstance(problem, str) and not is_token(problem) and problem not in PROBLEM_TYPES:
            raise PipelineDefinitionError(
                f"ModelQualityCheckConfig: problem_type {problem!r} is not one of "
                f"{', '.join(PROBLEM_TYPES)}"
            )
        # The values go into the analyzer's environment as text, read only when it runs.
        for member in ("inference_attribute", "probability_attribute", "ground_truth_attribute"):
            value = getattr(self, member)
            if isinstance(value, int) and value < 0:
                raise PipelineDefinitionError(
                    f"ModelQualityCheckConfig: {member} {value} is not a column index "
                    "(columns count from 0)"
                )
            if isinstance(value, str) and not value.strip():
                raise PipelineDefinitionError(
                    f"ModelQualityCheckConfig: {member} is {value!r} (give a column index, "
                    "e.g. 0, a CSV column name such as '_c0', or a JSON path such as "
                    "'prediction')"
                )
        threshold = self.probability_threshold_attribute
        if (
            isinstance(threshold, (int, float, str))
            and not is_token(threshold)
            and _finite_number(threshold) is None
        ):
            raise PipelineDefinitionError(
                f"ModelQualityCheckConfig: probability_threshold_attribute "
                f"{reprlib.repr(threshold)} is "
                "not a finite number (give the probability above which a prediction counts "
                "as positive, e.g. 0.5)"
            )


def _finite_number(value: float | str) -> float | None:
    """``value`` (a number or its text) as a finite float, or ``None`` when it is not one."""
    try:
        number = float(value)
    except (ValueError, OverflowError):  # not a number, or an int beyond a double
        return None
    return number if math.isfinite(number) else None


@checked
@dataclass(frozen=True, slots=True)
class DataBiasCheckConfig:
    """A pre-training bias check (``DATA_BIAS``) of a dataset, by SageMaker Clarify.

    ``analysis_config`` is the S3 URI of the Clarify analysis configuration (JSON: the
    label, facets, ``methods``, …; see "Analysis Configuration Files" in the SageMaker
    guide). Put the file in S3 (``S3Location.from_bucket`` of a bucket your stack deploys
    it to, or a parameter) and name the object ``analysis_config.json``, as the SDK does:
    Clarify reads that name, so ``S3Location.from_asset`` (an object named by its content
    hash) is refused by the ``Pipeline`` construct. ``output_s3_uri`` receives the analysis
    (``analysis.json``, the report); default: the binder's per-execution location of the
    step's output ``analysis_result``. ``s3_upload_mode`` is ``Continuous`` for image
    datasets (as the SDK sets it), else ``EndOfJob``.

    Example::

        DataBiasCheckConfig(dataset=prep.output("train"),
                            analysis_config="s3://my-bucket/clarify/bias/analysis_config.json")
    """

    dataset: S3Like
    analysis_config: S3Like
    output_s3_uri: S3Like | None = None
    s3_data_distribution_type: Literal["FullyReplicated", "ShardedByS3Key"] = "FullyReplicated"
    s3_compression_type: Literal["None", "Gzip"] = "None"
    s3_upload_mode: Literal["EndOfJob", "Continuous"] = "EndOfJob"
    check_type: ClassVar[str] = "DATA_BIAS"


@checked
@dataclass(frozen=True, slots=True)
class ModelBiasCheckConfig:
    """A post-training bias check (``MODEL_BIAS``) of a model's predictions, by Clarify.

    Clarify serves ``model_name`` on a shadow endpoint it creates and deletes; the
    analysis configuration names its ``predictor`` (instance type and count, content
    types) and the ``post_training_bias`` methods. Otherwise as ``DataBiasCheckConfig``.

    Example::

        ModelBiasCheckConfig(
            dataset=test_uri,
            model_name=create_model.properties.ModelName,
            analysis_config=S3Location.from_bucket(bucket, "bias/analysis_config.json"),
        )
    """

    dataset: S3Like
    analysis_config: S3Like
    model_name: str | Expression
    output_s3_uri: S3Like | None = None
    s3_data_distribution_type: Literal["FullyReplicated", "ShardedByS3Key"] = "FullyReplicated"
    s3_compression_type: Literal["None", "Gzip"] = "None"
    s3_upload_mode: Literal["EndOfJob", "Continuous"] = "EndOfJob"
    check_type: ClassVar[str] = "MODEL_BIAS"


@checked
@dataclass(frozen=True, slots=True)
class ModelExplainabilityCheckConfig:
    """A model explainability check (``MODEL_EXPLAINABILITY``: SHAP or PDP), by Clarify.

    As ``ModelBiasCheckConfig``; the analysis configuration's ``methods`` hold ``shap``
    or ``pdp``.

    Example::

        ModelExplainabilityCheckConfig(dataset=test_uri, model_name="churn-model",
                                       analysis_config="s3://my-bucket/explain/analysis_config.json")
    """

    dataset: S3Like
    analysis_config: S3Like
    model_name: str | Expression
    output_s3_uri: S3Like | None = None
    s3_data_distribution_type: Literal["FullyReplicated", "ShardedByS3Key"] = "FullyReplicated"
    s3_compression_type: Literal["None", "Gzip"] = "None"
    s3_upload_mode: Literal["EndOfJob", "Continuous"] = "EndOfJob"
    check_type: ClassVar[str] = "MODEL_EXPLAINABILITY"


QualityCheckConfig = DataQualityCheckConfig | ModelQualityCheckConfig
ClarifyCheckConfig = DataBiasCheckConfig | ModelBiasCheckConfig | ModelExplainabilityCheckConfig
CheckConfig = QualityCheckConfig | ClarifyCheckConfig
_QUALITY_CONFIGS = (DataQualityCheckConfig, ModelQualityCheckConfig)
_CLARIFY_CONFIGS = (DataBiasCheckConfig, ModelBiasCheckConfig, ModelExplainabilityCheckConfig)
_FLAGS = ("skip_check", "fail_on_violation", "register_new_baseline")


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class _CheckStep(Step):
    """What both check steps take: the job's settings, the check's flags and baselines.

    ``tags`` (key → value; a value may be a pipeline parameter) tag the check's processing
    job, as the SDK's ``CheckJobConfig(tags=…)`` does.
    """

    image: ImageLike | None = None
    instance_type: str | Expression = "ml.m5.xlarge"
    instance_count: int | Expression = 1
    volume_size_in_gb: int | Expression = 30
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    environment: Mapping[str, Any] | None = None
    max_runtime_in_seconds: int | Expression | None = None
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    skip_check: bool | Expression = False
    fail_on_violation: bool | Expression = True
    register_new_baseline: bool | Expression = False
    model_package_group_name: str | Expression | None = None
    supplied_baseline_constraints: S3Like | None = None
    cache_config: CacheConfig | None = None
    extra_arguments: Mapping[str, Any] | None = None
    tags: Mapping[str, Any] | None = None
    config_argument: ClassVar[str] = ""
    check_output_name: ClassVar[str] = ""
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.ProcessingResources.ClusterConfig.InstanceType": "instance_type",
        "Arguments.ProcessingResources.ClusterConfig.InstanceCount": "instance_count",
        "Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB": "volume_size_in_gb",
        "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId": "volume_kms_key",
        "Arguments.AppSpecification.ImageUri": "image",
        "Arguments.RoleArn": "role",
        "Arguments.ProcessingOutputConfig.KmsKeyId": "output_kms_key",
        "Arguments.Environment": "environment",
        "Arguments.StoppingCondition": "max_runtime_in_seconds",
        "Arguments.NetworkConfig": "network",
        "Arguments.Tags": "tags",
        "CacheConfig": "cache_config",
        "SkipCheck": "skip_check",
        "FailOnViolation": "fail_on_violation",
        "RegisterNewBaseline": "register_new_baseline",
        "ModelPackageGroupName": "model_package_group_name",
        "SuppliedBaselineConstraints": "supplied_baseline_constraints",
    }

    @property
    def config(self) -> CheckConfig:
        """The check's configuration (``quality_check_config`` or ``clarify_check_config``)."""
        raise NotImplementedError

    def _validate_check(self, family: tuple[type, ...], other: str) -> None:
        owner = f"{type(self).__name__} '{self.name}'"
        check_tags(owner, self.tags)
        config: Any = self.config
        if not isinstance(config, family):
            names = " or ".join(kind.__name__ for kind in family)
            raise PipelineDefinitionError(
                f"{owner}: {self.config_argument}= takes {names}, got {type(config).__name__} "
                f"(a {config.check_type} check: use {other})"
            )
        for flag in _FLAGS:
            value = getattr(self, flag)
            if isinstance(value, Expression) and value.value_type not in ("Boolean", None):
                named = getattr(value, "name", None)
                shown = f"{type(value).__name__} '{named}'" if named else repr(value)
                raise PipelineDefinitionError(
                    f"{owner}: {flag}= takes True, False or a Boolean parameter, got "
                    f"{shown} (a {value.value_type})"
                )
        for argument, value in self._s3_arguments():
            _check_s3_uri(owner, argument, value)

    def _s3_arguments(self) -> list[tuple[str, Any]]:
        """(argument, value) of every S3 URI the step takes, for the construction checks."""
        config: Any = self.config
        prefix = self.config_argument
        found = [("supplied_baseline_constraints", self.supplied_baseline_constraints)]
        for member in ("baseline_dataset", "dataset", "analysis_config", "output_s3_uri"):
            if hasattr(config, member):
                found.append((f"{prefix}.{member}", getattr(config, member)))
        return found

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _argument_fields(self) -> Mapping[str, str]:
        prefix = self.config_argument
        fields = {
            **Step._argument_fields(self),
            "CheckType": prefix,
            "Arguments.ProcessingInputs": prefix,
            "Arguments.ProcessingOutputConfig.Outputs": f"{prefix}.output_s3_uri",
        }
        for index, argument in enumerate(self._input_arguments()):
            fields[f"Arguments.ProcessingInputs[{index}]"] = f"{prefix}.{argument}"
        return fields

    def _input_arguments(self) -> list[str]:
        """The config member behind each rendered input, in order."""
        raise NotImplementedError

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry = merge_extra_arguments(Step._render_entry(self, ctx), self.extra_arguments, ctx)
        return add_job_tags(entry, ctx, self)  # a processing job's request

    def _job_arguments(
        self,
        ctx: RenderContext,
        default_image: Image,
        inputs: list[JsonValue],
        s3_upload_mode: str,
        environment: Mapping[str, Any] | None,
    ) -> JsonValue:
        """The CreateProcessingJob request of the check's job."""
        defaults = job_defaults(ctx, self)
        network = effective_network(self.network, defaults)
        image = self.image if self.image is not None else default_image
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
            AppSpecification={
                "ImageUri": bind_image(ctx, self, image, "Arguments.AppSpecification.ImageUri")
            },
            RoleArn=bind_role(ctx, self, self.role, "Arguments.RoleArn"),
            ProcessingInputs=inputs,
            ProcessingOutputConfig=compact(
                Outputs=[self._render_output(ctx, s3_upload_mode)],
                KmsKeyId=pick(self.output_kms_key, defaults.output_kms_key, ctx),
            ),
            Environment=(
                {str(key): render_string(value, ctx) for key, value in environment.items()}
                if environment
                else None
            ),
            NetworkConfig=network.processing_request(ctx) if network is not None else None,
            StoppingCondition=(
                {"MaxRuntimeInSeconds": render(self.max_runtime_in_seconds, ctx)}
                if self.max_runtime_in_seconds is not None
                else None
            ),
            Tags=render_tags(self.tags, ctx),  # last, as the SDK writes it
        )

    def _render_output(self, ctx: RenderContext, s3_upload_mode: str) -> JsonValue:
        config: Any = self.config
        field = "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"
        s3_output: dict[str, JsonValue] = {"LocalPath": OUTPUT_PATH, "S3UploadMode": s3_upload_mode}
        if config.output_s3_uri is None:
            s3_output["S3Uri"] = default_output(ctx, self, self.check_output_name, field)

            def retain() -> None:
                # A registered model version refers to the baselines in this output.
                s3_output["S3Uri"] = default_output(
                    ctx, self, self.check_output_name, field, retained=True
                )

            ctx.note_default_output(self.name, self.check_output_name, retain)
        else:
            s3_output["S3Uri"] = bind_s3(ctx, self, config.output_s3_uri, field, "write")
        s3_output = {key: s3_output[key] for key in ("S3Uri", "LocalPath", "S3UploadMode")}
        return {"OutputName": self.check_output_name, "AppManaged": False, "S3Output": s3_output}

    def _input(
        self,
        ctx: RenderContext,
        index: int,
        name: str,
        source: S3Like | str,
        local_path: str,
        distribution: str = "FullyReplicated",
        compression: str = "None",
    ) -> JsonValue:
        field = f"Arguments.ProcessingInputs[{index}].S3Input.S3Uri"
        uri = bind_s3(ctx, self, source, field, "read")
        return _input_entry(
            name, uri, local_path, distribution=distribution, compression=compression
        )

    def _script_input(
        self, ctx: RenderContext, index: int, name: str, code: Code
    ) -> tuple[JsonValue, str]:
        """The input carrying a script, and the script's path in the container."""
        field = f"Arguments.ProcessingInputs[{index}].S3Input.S3Uri"
        bound = bind_code(ctx, self, code, field, archive=False)
        local_path = f"{LOCAL_ROOT}/input/{name}"
        return _input_entry(name, bound.uri, local_path), f"{local_path}/{bound.file_name}"

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        fields: dict[str, JsonValue] = {}
        if self.cache_config is not None:
            fields["CacheConfig"] = self.cache_config.to_request(ctx)
        fields.update(
            compact(
                CheckType=self.config.check_type,
                ModelPackageGroupName=render(self.model_package_group_name, ctx),
                SkipCheck=render(self.skip_check, ctx),
                FailOnViolation=render(self.fail_on_violation, ctx),
                RegisterNewBaseline=render(self.register_new_baseline, ctx),
            )
        )
        fields.update(self._baseline_fields(ctx))
        return fields

    def _baseline_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(
            SuppliedBaselineConstraints=self._baseline(
                ctx, self.supplied_baseline_constraints, "SuppliedBaselineConstraints"
            )
        )

    def _baseline(self, ctx: RenderContext, value: S3Like | None, field: str) -> JsonValue:
        return bind_s3(ctx, self, value, field, "read") if value is not None else None


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class QualityCheckStep(_CheckStep):
    """Calculates data or model quality baselines and checks them for drift (Model Monitor).

    ``quality_check_config`` is a ``DataQualityCheckConfig`` (``DATA_QUALITY``) or a
    ``ModelQualityCheckConfig`` (``MODEL_QUALITY``). The job runs the Model Monitor
    analyzer (``image``, default ``Image.model_monitor()``). Default: 1 × ml.m5.xlarge,
    30 GiB, as the SDK's ``CheckJobConfig``.

    The check compares with ``supplied_baseline_statistics``/``_constraints`` (S3 URIs),
    else with the latest approved version in ``model_package_group_name``; ``skip_check``
    only calculates, ``register_new_baseline`` makes the new baseline the one
    ``BaselineUsedForDriftCheck*`` returns, and ``fail_on_violation=False`` reports
    violations without failing. The flags take ``True``/``False`` or a ``ParameterBoolean``.
    ``tags`` (key → value) tag the job, as the binder's job tags do (the step's own win).

    ``properties.CalculatedBaselineStatistics`` and ``…Constraints`` (and
    ``BaselineUsedForDriftCheck…``) are S3 URIs for ``ModelMetrics``/``DriftCheckBaselines``.

    Example::

        check = QualityCheckStep(
            name="DataQualityCheck",
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset=prep.output("train"), dataset_format=DatasetFormat.csv()),
            skip_check=skip_check, register_new_baseline=register_baseline,
            model_package_group_name="churn-models",
        )
        RegisterModel(..., model_metrics=ModelMetrics(
            data_statistics=MetricsSource(s3_uri=check.properties.CalculatedBaselineStatistics)))
    """

    quality_check_config: CheckConfig
    supplied_baseline_statistics: S3Like | None = None
    step_type: ClassVar[str] = "QualityCheck"
    config_argument: ClassVar[str] = "quality_check_config"
    check_output_name: ClassVar[str] = QUALITY_OUTPUT_NAME
    argument_fields: ClassVar[Mapping[str, str]] = {
        "SuppliedBaselineStatistics": "supplied_baseline_statistics",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> QualityCheckStepProperties: ...

    @property
    def config(self) -> CheckConfig:
        """``quality_check_config``."""
        return self.quality_check_config

    def _validate(self) -> None:
        self._validate_check(_QUALITY_CONFIGS, "ClarifyCheckStep(clarify_check_config=…)")
        config: Any = self.quality_check_config
        # The step writes these from its config; a value here would be silently replaced.
        taken = sorted(set(self.environment or {}) & set(_ANALYZER_VARIABLES))
        if taken:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': "
                f"environment sets {', '.join(map(repr, taken))}, "
                f"which the step writes from {self.config_argument}= (give "
                f"{', '.join(_ANALYZER_VARIABLES[name] for name in taken)} instead)"
            )
        for member in ("record_preprocessor_script", "post_analytics_processor_script"):
            code: Code | None = getattr(config, member, None)
            if code is None:
                continue
            if code.is_directory:
                raise PipelineDefinitionError(
                    f"{type(self).__name__} '{self.name}': {self.config_argument}.{member} is the "
                    f"directory {code.path!r}; the analyzer runs one Python file: give the file"
                )
            # A processing input copies S3 objects as they are: an archive is not unpacked,
            # and a prefix names no file for the analyzer to run.
            uri = code.s3_uri
            if isinstance(uri, str) and (code.is_s3_archive or uri.endswith("/")):
                what = "the archive" if code.is_s3_archive else "the prefix"
                raise PipelineDefinitionError(
                    f"{type(self).__name__} '{self.name}': {self.config_argument}.{member} is "
                    f"{what} {uri!r}; the analyzer runs one Python file, copied as it is: give "
                    "the file (Code.from_s3('s3://…/script.py') or Code.from_asset('script.py'))"
                )

    def _s3_arguments(self) -> list[tuple[str, Any]]:
        return [
            *_CheckStep._s3_arguments(self),
            ("supplied_baseline_statistics", self.supplied_baseline_statistics),
        ]

    def _input_arguments(self) -> list[str]:
        config: Any = self.quality_check_config
        found = ["baseline_dataset"]
        for member in ("post_analytics_processor_script", "record_preprocessor_script"):
            if getattr(config, member, None) is not None:
                found.append(member)
        return found

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        config: Any = self.quality_check_config
        dataset_path = f"{LOCAL_ROOT}/input/{BASELINE_DATASET_INPUT}"
        inputs = [
            self._input(ctx, 0, BASELINE_DATASET_INPUT, config.baseline_dataset, dataset_path)
        ]
        scripts: dict[str, str] = {}
        # The SDK's order: the post-analytics script's input, then the preprocessor's.
        for member, name, variable in (
            (
                "post_analytics_processor_script",
                POST_ANALYTICS_INPUT,
                "post_analytics_processor_script",
            ),
            ("record_preprocessor_script", RECORD_PREPROCESSOR_INPUT, "record_preprocessor_script"),
        ):
            code = getattr(config, member, None)
            if code is not None:
                entry, path = self._script_input(ctx, len(inputs), name, code)
                inputs.append(entry)
                scripts[variable] = path
        # The SDK's ModelMonitor._generate_env_map, in its order.
        environment: dict[str, Any] = dict(self.environment or {})
        environment["output_path"] = OUTPUT_PATH
        environment["publish_cloudwatch_metrics"] = "Disabled"  # only for monitoring schedules
        environment["dataset_format"] = config.dataset_format.to_environment()
        if "record_preprocessor_script" in scripts:
            environment["record_preprocessor_script"] = scripts["record_preprocessor_script"]
        if "post_analytics_processor_script" in scripts:
            environment["post_analytics_processor_script"] = scripts[
                "post_analytics_processor_script"
            ]
        environment["dataset_source"] = dataset_path
        if isinstance(config, ModelQualityCheckConfig):
            environment["analysis_type"] = config.check_type
            environment["problem_type"] = config.problem_type
            for member in (
                "inference_attribute",
                "probability_attribute",
                "ground_truth_attribute",
                "probability_threshold_attribute",
            ):
                value = getattr(config, member)
                if value is not None:
                    environment[member] = value
        return self._job_arguments(ctx, Image.model_monitor(), inputs, "EndOfJob", environment)

    def _argument_fields(self) -> Mapping[str, str]:
        prefix = self.config_argument
        environment = {
            f"Arguments.Environment['{variable}']": f"{prefix}.{variable}"
            for variable in (
                "dataset_format",
                "problem_type",
                "inference_attribute",
                "probability_attribute",
                "ground_truth_attribute",
                "probability_threshold_attribute",
                "record_preprocessor_script",
                "post_analytics_processor_script",
            )
        }
        # What the analyzer is told about its container follows from the config as a whole.
        for variable in ("output_path", "publish_cloudwatch_metrics", "dataset_source"):
            environment[f"Arguments.Environment['{variable}']"] = prefix
        environment["Arguments.Environment['analysis_type']"] = prefix
        return {**_CheckStep._argument_fields(self), **environment}

    def _baseline_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(
            SuppliedBaselineStatistics=self._baseline(
                ctx, self.supplied_baseline_statistics, "SuppliedBaselineStatistics"
            ),
            **_CheckStep._baseline_fields(self, ctx),
        )


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class ClarifyCheckStep(_CheckStep):
    """Calculates bias or explainability baselines and checks them for drift (SageMaker Clarify).

    ``clarify_check_config`` is a ``DataBiasCheckConfig`` (``DATA_BIAS``), a
    ``ModelBiasCheckConfig`` (``MODEL_BIAS``) or a ``ModelExplainabilityCheckConfig``
    (``MODEL_EXPLAINABILITY``); the two model checks serve their model on a shadow endpoint
    while the job runs. The job runs the Clarify image (``image``, default
    ``Image.clarify()``). Default: 1 × ml.m5.xlarge, 30 GiB. Flags, registry baselines and
    ``tags`` as for ``QualityCheckStep``; there are constraints only (no statistics).

    ``properties.CalculatedBaselineConstraints`` and ``BaselineUsedForDriftCheckConstraints``
    are S3 URIs for ``ModelMetrics``/``DriftCheckBaselines``.

    Example::

        bias = ClarifyCheckStep(
            name="DataBiasCheck",
            clarify_check_config=DataBiasCheckConfig(
                dataset=prep.output("train"),
                analysis_config="s3://my-bucket/clarify/bias/analysis_config.json"),
            model_package_group_name="churn-models",
        )
        ModelMetrics(bias_pre_training_report=MetricsSource(
            s3_uri=bias.properties.CalculatedBaselineConstraints))
    """

    clarify_check_config: CheckConfig
    step_type: ClassVar[str] = "ClarifyCheck"
    config_argument: ClassVar[str] = "clarify_check_config"
    check_output_name: ClassVar[str] = CLARIFY_OUTPUT_NAME
    argument_fields: ClassVar[Mapping[str, str]] = {}

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> ClarifyCheckStepProperties: ...

    @property
    def config(self) -> CheckConfig:
        """``clarify_check_config``."""
        return self.clarify_check_config

    def _validate(self) -> None:
        self._validate_check(_CLARIFY_CONFIGS, "QualityCheckStep(quality_check_config=…)")
        config: Any = self.clarify_check_config
        _check_analysis_config_name(
            f"{type(self).__name__} '{self.name}'",
            f"{self.config_argument}.analysis_config",
            config.analysis_config,
        )

    def _input_arguments(self) -> list[str]:
        return ["analysis_config", "dataset"]

    def _argument_fields(self) -> Mapping[str, str]:
        return {
            **_CheckStep._argument_fields(self),
            "ModelName": f"{self.config_argument}.model_name",
        }

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        config: Any = self.clarify_check_config
        inputs = [
            self._input(ctx, 0, CLARIFY_CONFIG_INPUT, config.analysis_config, CLARIFY_CONFIG_PATH),
            self._input(
                ctx,
                1,
                CLARIFY_DATASET_INPUT,
                config.dataset,
                CLARIFY_DATASET_PATH,
                config.s3_data_distribution_type,
                config.s3_compression_type,
            ),
        ]
        return self._job_arguments(
            ctx, Image.clarify(), inputs, config.s3_upload_mode, self.environment
        )

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        fields = _CheckStep._extra_fields(self, ctx)
        model_name = getattr(self.clarify_check_config, "model_name", None)
        if model_name is not None:
            fields["ModelName"] = render(model_name, ctx)
        return fields


def _check_analysis_config_name(owner: str, argument: str, value: Any) -> None:
    """Raise for a literal analysis configuration file not named ``analysis_config.json``.

    The config input copies one object under its own name, and Clarify reads
    ``analysis_config.json`` there: another name fails only when the job runs. A prefix
    (a last segment not ending in ``.json``) may hold the file, and a location known only
    at run time can't be told: both are left alone.
    """
    key: Any = value
    if isinstance(value, S3Location):
        if value.path is not None:
            return  # a local file: the Pipeline construct refuses it as an asset
        key = value.uri if value.uri is not None else value.key_prefix
    if not isinstance(key, str):
        return
    name = key.rsplit("/", 1)[-1]
    if is_token(name) or not name.lower().endswith(".json") or name == CLARIFY_CONFIG_FILE:
        return
    raise PipelineDefinitionError(
        f"{owner}: {argument} {key!r} is a file named {name!r}, but Clarify reads its "
        f"analysis configuration as {CLARIFY_CONFIG_FILE} (name the object "
        f"…/{CLARIFY_CONFIG_FILE}, or give the prefix holding it)"
    )


def _check_s3_uri(owner: str, argument: str, value: Any) -> None:
    """Raise for a literal that isn't an S3 URI (a local path is not uploaded)."""
    if not isinstance(value, str) or is_token(value) or value.startswith("s3://"):
        return
    raise PipelineDefinitionError(
        f"{owner}: {argument} {value!r} is not an S3 URI (give s3://bucket/key, an "
        "S3Location or an expression; the check's job reads it from S3, nothing is uploaded)"
    )


__all__ = [
    "ClarifyCheckStep",
    "DataBiasCheckConfig",
    "DataQualityCheckConfig",
    "DatasetFormat",
    "ModelBiasCheckConfig",
    "ModelExplainabilityCheckConfig",
    "ModelQualityCheckConfig",
    "QualityCheckStep",
]
