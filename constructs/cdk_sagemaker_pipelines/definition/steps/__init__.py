"""One module per step type; this package only re-exports them."""

from ._base import JobStep, RetryableStep, Step
from ._outputs import CallbackOutput, LambdaOutput, OutputType, StepOutput
from .callback import CallbackStep
from .condition import ConditionStep
from .emr import EMRStep
from .fail import FailStep
from .lambda_ import LambdaStep
from .model import MetricsSource, ModelMetrics, ModelStep, RegisterModel
from .processing import ProcessingInput, ProcessingOutput, ProcessingStep
from .training import TrainingInput, TrainingStep
from .transform import TransformStep
from .tuning import CategoricalParameter, ContinuousParameter, IntegerParameter, TuningStep

__all__ = [
    "CallbackOutput",
    "CallbackStep",
    "CategoricalParameter",
    "ConditionStep",
    "ContinuousParameter",
    "EMRStep",
    "FailStep",
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
    "TuningStep",
]
