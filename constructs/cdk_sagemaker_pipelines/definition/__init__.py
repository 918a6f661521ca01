"""The pipeline definition language: typed steps that compile to SageMaker's definition JSON.

Imports only the standard library and botocore's data files, never ``aws_cdk``.

Example::

    from cdk_sagemaker_pipelines.definition import (
        ParameterFloat, PipelineDefinition, ProcessingStep, StaticBinder, ...)
"""

from typing import TYPE_CHECKING, Any

from ._errors import (
    ExpressionOperatorError,
    ExpressionTextError,
    MissingArgumentError,
    PipelineDefinitionError,
    PipelineValidationError,
    Problem,
    PropertyPathError,
    UnknownArgumentError,
)
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
from .bindables import (
    Binder,
    BindingError,
    BoundCode,
    Code,
    Image,
    S3Location,
    SealTarget,
    StaticBinder,
)
from .conditions import (
    Condition,
    ConditionEquals,
    ConditionGreaterThan,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
    ConditionLessThanOrEqualTo,
    ConditionNot,
    ConditionOr,
)
from .distribution import Distribution
from .expressions import (
    ExecutionVariable,
    ExecutionVariables,
    Expression,
    Join,
    JsonGet,
    PropertyFile,
)
from .images import framework_image, framework_image_uri, parse_image_uri
from .instances import instance_types
from .jobs import JobDefaults, NetworkConfig
from .parameters import (
    Parameter,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    coerce_parameter_values,
)
from .pipeline import CompiledPipeline, PipelineDefinition, PipelineExperimentConfig
from .properties import Properties
from .retry import (
    CacheConfig,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    StepExceptionType,
    StepRetryPolicy,
)
from .steps import (
    LAZY_STEP_NAMES,
    CallbackOutput,
    CallbackStep,
    CategoricalParameter,
    ConditionStep,
    Container,
    ContinuousParameter,
    DriftCheckBaselines,
    EMRStep,
    FailStep,
    FileSource,
    FileSystemInput,
    HyperbandStrategyConfig,
    InstanceGroup,
    IntegerParameter,
    LambdaOutput,
    LambdaStep,
    MetadataProperties,
    MetricsSource,
    ModelData,
    ModelMetrics,
    ModelStep,
    OutputType,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    RegisterModel,
    SealStep,
    Step,
    StepOutput,
    TrainingInput,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningJobCompletionCriteria,
    TuningStep,
    WarmStartConfig,
)
from .validate import check_definition, validate_definition, validate_pipeline_name

if TYPE_CHECKING:
    from .steps.automl import AutoMLInput, AutoMLStep
    from .steps.check import (
        ClarifyCheckStep,
        DataBiasCheckConfig,
        DataQualityCheckConfig,
        DatasetFormat,
        ModelBiasCheckConfig,
        ModelExplainabilityCheckConfig,
        ModelQualityCheckConfig,
        QualityCheckStep,
    )
    from .steps.endpoint import (
        DataCaptureConfig,
        EndpointConfigStep,
        EndpointStep,
        ProductionVariant,
        ServerlessConfig,
    )
    from .steps.inference_component import ComputeResourceRequirements, InferenceComponentStep
    from .steps.lineage import (
        LineageAction,
        LineageArtifact,
        LineageAssociation,
        LineageContext,
        LineageEntityReference,
        LineageStep,
    )
    from .steps.raw import RawStep


def __getattr__(name: str) -> Any:
    # The check, AutoML, deployment, lineage and raw steps are imported on first use (see
    # steps.LAZY_STEP_NAMES).
    if name in LAZY_STEP_NAMES:
        from . import steps

        return getattr(steps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AutoMLInput",
    "AutoMLStep",
    "Binder",
    "BindingError",
    "BoundCode",
    "CacheConfig",
    "CallbackOutput",
    "CallbackStep",
    "CategoricalParameter",
    "ClarifyCheckStep",
    "Code",
    "CompiledPipeline",
    "ComputeResourceRequirements",
    "Condition",
    "ConditionEquals",
    "ConditionGreaterThan",
    "ConditionGreaterThanOrEqualTo",
    "ConditionIn",
    "ConditionLessThan",
    "ConditionLessThanOrEqualTo",
    "ConditionNot",
    "ConditionOr",
    "ConditionStep",
    "Container",
    "ContinuousParameter",
    "DataBiasCheckConfig",
    "DataCaptureConfig",
    "DataQualityCheckConfig",
    "DatasetFormat",
    "Distribution",
    "DriftCheckBaselines",
    "EMRStep",
    "EndpointConfigStep",
    "EndpointStep",
    "ExecutionVariable",
    "ExecutionVariables",
    "Expression",
    "ExpressionOperatorError",
    "ExpressionTextError",
    "FailStep",
    "FileSource",
    "FileSystemInput",
    "HyperbandStrategyConfig",
    "Image",
    "InferenceComponentStep",
    "InstanceGroup",
    "IntegerParameter",
    "JobDefaults",
    "Join",
    "JsonGet",
    "LambdaOutput",
    "LambdaStep",
    "LineageAction",
    "LineageArtifact",
    "LineageAssociation",
    "LineageContext",
    "LineageEntityReference",
    "LineageStep",
    "MetadataProperties",
    "MetricsSource",
    "MissingArgumentError",
    "ModelBiasCheckConfig",
    "ModelData",
    "ModelExplainabilityCheckConfig",
    "ModelMetrics",
    "ModelQualityCheckConfig",
    "ModelStep",
    "NetworkConfig",
    "OutputType",
    "Parameter",
    "ParameterBoolean",
    "ParameterFloat",
    "ParameterInteger",
    "ParameterString",
    "PipelineDefinition",
    "PipelineDefinitionError",
    "PipelineExperimentConfig",
    "PipelineValidationError",
    "Problem",
    "ProcessingInput",
    "ProcessingOutput",
    "ProcessingStep",
    "ProductionVariant",
    "Properties",
    "PropertyFile",
    "PropertyPathError",
    "QualityCheckStep",
    "RawStep",
    "RegisterModel",
    "S3Location",
    "SageMakerJobExceptionType",
    "SageMakerJobStepRetryPolicy",
    "SealStep",
    "SealTarget",
    "ServerlessConfig",
    "StaticBinder",
    "Step",
    "StepExceptionType",
    "StepOutput",
    "StepRetryPolicy",
    "TrainingInput",
    "TrainingJobDefinition",
    "TrainingStep",
    "TransformStep",
    "TuningJobCompletionCriteria",
    "TuningStep",
    "UnknownArgumentError",
    "WarmStartConfig",
    "check_definition",
    "coerce_parameter_values",
    "did_you_mean",
    "framework_image",
    "framework_image_uri",
    "instance_types",
    "is_token",
    "one_of",
    "parse_image_uri",
    "validate_definition",
    "validate_pipeline_name",
]


# Tracebacks and reprs name the error classes where users import them, not the private
# module (cdk_sagemaker_pipelines.definition._errors.PropertyPathError). Pickle finds them
# here too.
for _name in __all__:
    _public = globals().get(_name)  # None: imported on first use (__getattr__)
    if getattr(_public, "__module__", None) == f"{__name__}._errors":
        _public.__module__ = __name__
del _name, _public
