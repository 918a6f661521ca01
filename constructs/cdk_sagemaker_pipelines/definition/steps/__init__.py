"""One module per step type; this package only re-exports them."""

from typing import TYPE_CHECKING, Any

from ._base import JobStep, RetryableStep, Step
from ._outputs import CallbackOutput, LambdaOutput, OutputType, StepOutput
from .automl import AutoMLInput, AutoMLStep
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
    ModelMetrics,
    ModelStep,
    RegisterModel,
)
from .processing import ProcessingInput, ProcessingOutput, ProcessingStep
from .training import FileSystemInput, InstanceGroup, TrainingInput, TrainingStep
from .transform import TransformStep
from .tuning import (
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    IntegerParameter,
    TuningJobCompletionCriteria,
    TuningStep,
    WarmStartConfig,
)

if TYPE_CHECKING:
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

# Imported on first use: few pipelines have check steps, and their module's classes take
# about a tenth of the package's import time.
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


def __getattr__(name: str) -> Any:
    if name in CHECK_STEP_NAMES:
        from . import check

        return getattr(check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AutoMLInput",
    "AutoMLStep",
    "CallbackOutput",
    "CallbackStep",
    "CategoricalParameter",
    "ClarifyCheckStep",
    "ConditionStep",
    "Container",
    "ContinuousParameter",
    "DataBiasCheckConfig",
    "DataQualityCheckConfig",
    "DatasetFormat",
    "DriftCheckBaselines",
    "EMRStep",
    "FailStep",
    "FileSource",
    "FileSystemInput",
    "HyperbandStrategyConfig",
    "InstanceGroup",
    "IntegerParameter",
    "JobStep",
    "LambdaOutput",
    "LambdaStep",
    "MetadataProperties",
    "MetricsSource",
    "ModelBiasCheckConfig",
    "ModelExplainabilityCheckConfig",
    "ModelMetrics",
    "ModelQualityCheckConfig",
    "ModelStep",
    "OutputType",
    "ProcessingInput",
    "ProcessingOutput",
    "ProcessingStep",
    "QualityCheckStep",
    "RegisterModel",
    "RetryableStep",
    "Step",
    "StepOutput",
    "TrainingInput",
    "TrainingStep",
    "TransformStep",
    "TuningJobCompletionCriteria",
    "TuningStep",
    "WarmStartConfig",
]
