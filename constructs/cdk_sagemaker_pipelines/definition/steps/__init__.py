"""One module per step type; this package only re-exports them."""

import importlib
from typing import TYPE_CHECKING, Any

from ._base import JobStep, RetryableStep, Step
from ._outputs import CallbackOutput, LambdaOutput, OutputType, StepOutput
from .callback import CallbackStep
from .condition import ConditionStep
from .emr import EMRStep
from .fail import FailStep
from .lambda_ import LambdaStep
from .model import (
    Container,
    DriftCheckBaselines,
    FileSource,
    MetadataProperties,
    MetricsSource,
    ModelData,
    ModelMetrics,
    ModelStep,
    RegisterModel,
)
from .processing import ProcessingInput, ProcessingOutput, ProcessingStep
from .seal import SealStep
from .training import FileSystemInput, InstanceGroup, TrainingInput, TrainingStep
from .transform import TransformStep
from .tuning import (
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    IntegerParameter,
    TrainingJobDefinition,
    TuningJobCompletionCriteria,
    TuningStep,
    WarmStartConfig,
)

if TYPE_CHECKING:
    from .automl import AutoMLInput, AutoMLStep
    from .check import (
        ClarifyCheckStep,
        DataBiasCheckConfig,
        DataQualityCheckConfig,
        DatasetFormat,
        ModelBiasCheckConfig,
        ModelExplainabilityCheckConfig,
        ModelQualityCheckConfig,
        QualityCheckStep,
    )
    from .endpoint import (
        DataCaptureConfig,
        EndpointConfigStep,
        EndpointStep,
        ProductionVariant,
        ServerlessConfig,
    )
    from .inference_component import ComputeResourceRequirements, InferenceComponentStep
    from .lineage import (
        LineageAction,
        LineageArtifact,
        LineageAssociation,
        LineageContext,
        LineageEntityReference,
        LineageStep,
    )
    from .raw import RawStep

# Imported on first use: few pipelines have check, AutoML, deployment, lineage or raw steps,
# and their modules' classes take a tenth of the package's import time (check) and a few ms
# (AutoML, endpoints, lineage).
CHECK_STEP_NAMES = frozenset(
    {
        "ClarifyCheckStep",
        "DataBiasCheckConfig",
        "DataQualityCheckConfig",
        "DatasetFormat",
        "ModelBiasCheckConfig",
        "ModelExplainabilityCheckConfig",
        "ModelQualityCheckConfig",
        "QualityCheckStep",
    }
)


# Each name imported on first use, with the module that defines it.
LAZY_STEP_NAMES: dict[str, str] = {
    **dict.fromkeys(CHECK_STEP_NAMES, "check"),
    "AutoMLInput": "automl",
    "AutoMLStep": "automl",
    **dict.fromkeys(
        (
            "DataCaptureConfig",
            "EndpointConfigStep",
            "EndpointStep",
            "ProductionVariant",
            "ServerlessConfig",
        ),
        "endpoint",
    ),
    "ComputeResourceRequirements": "inference_component",
    "InferenceComponentStep": "inference_component",
    **dict.fromkeys(
        (
            "LineageAction",
            "LineageArtifact",
            "LineageAssociation",
            "LineageContext",
            "LineageEntityReference",
            "LineageStep",
        ),
        "lineage",
    ),
    "RawStep": "raw",
}


def __getattr__(name: str) -> Any:
    module = LAZY_STEP_NAMES.get(name)
    if module is not None:
        return getattr(importlib.import_module(f".{module}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AutoMLInput",
    "AutoMLStep",
    "CallbackOutput",
    "CallbackStep",
    "CategoricalParameter",
    "ClarifyCheckStep",
    "ComputeResourceRequirements",
    "ConditionStep",
    "Container",
    "ContinuousParameter",
    "DataBiasCheckConfig",
    "DataCaptureConfig",
    "DataQualityCheckConfig",
    "DatasetFormat",
    "DriftCheckBaselines",
    "EMRStep",
    "EndpointConfigStep",
    "EndpointStep",
    "FailStep",
    "FileSource",
    "FileSystemInput",
    "HyperbandStrategyConfig",
    "InferenceComponentStep",
    "InstanceGroup",
    "IntegerParameter",
    "JobStep",
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
    "ModelBiasCheckConfig",
    "ModelData",
    "ModelExplainabilityCheckConfig",
    "ModelMetrics",
    "ModelQualityCheckConfig",
    "ModelStep",
    "OutputType",
    "ProcessingInput",
    "ProcessingOutput",
    "ProcessingStep",
    "ProductionVariant",
    "QualityCheckStep",
    "RawStep",
    "RegisterModel",
    "RetryableStep",
    "SealStep",
    "ServerlessConfig",
    "Step",
    "StepOutput",
    "TrainingInput",
    "TrainingJobDefinition",
    "TrainingStep",
    "TransformStep",
    "TuningJobCompletionCriteria",
    "TuningStep",
    "WarmStartConfig",
]
