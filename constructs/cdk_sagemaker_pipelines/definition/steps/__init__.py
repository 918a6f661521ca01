"""One module per step type; this package only re-exports them."""

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
    MetricsSource,
    ModelMetrics,
    ModelStep,
    RegisterModel,
)
from .processing import ProcessingInput, ProcessingOutput, ProcessingStep
from .training import FileSystemInput, TrainingInput, TrainingStep
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

__all__ = [
    "CallbackOutput",
    "CallbackStep",
    "CategoricalParameter",
    "ConditionStep",
    "Container",
    "ContinuousParameter",
    "DriftCheckBaselines",
    "EMRStep",
    "FailStep",
    "FileSource",
    "FileSystemInput",
    "HyperbandStrategyConfig",
    "IntegerParameter",
    "JobStep",
    "LambdaOutput",
    "LambdaStep",
    "MetricsSource",
    "ModelMetrics",
    "ModelStep",
    "OutputType",
    "ProcessingInput",
    "ProcessingOutput",
    "ProcessingStep",
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
