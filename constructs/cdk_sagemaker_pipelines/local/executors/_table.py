"""Which executor runs which step type."""

from __future__ import annotations

from .._errors import LocalRunError
from ._base import StepExecutor
from .callback import CallbackExecutor
from .condition import ConditionExecutor
from .endpoint import EndpointConfigExecutor, EndpointExecutor
from .external import ExternalExecutor
from .fail import FailExecutor
from .inference_component import InferenceComponentExecutor
from .lambda_ import LambdaExecutor
from .lineage import LineageExecutor
from .model import ModelExecutor
from .processing import ProcessingExecutor
from .quality_check import QualityCheckExecutor
from .register_model import RegisterModelExecutor
from .training import TrainingExecutor
from .transform import TransformExecutor
from .tuning import TuningExecutor

EXECUTORS: dict[str, StepExecutor] = {
    "Processing": ProcessingExecutor(),
    "Training": TrainingExecutor(),
    "Tuning": TuningExecutor(),
    "Model": ModelExecutor(),
    "RegisterModel": RegisterModelExecutor(),
    "Transform": TransformExecutor(),
    "Lambda": LambdaExecutor(),
    "Callback": CallbackExecutor(),
    "Condition": ConditionExecutor(),
    "Fail": FailExecutor(),
    "EndpointConfig": EndpointConfigExecutor(),
    "Endpoint": EndpointExecutor(),
    "InferenceComponent": InferenceComponentExecutor(),
    "Lineage": LineageExecutor(),
    # A DATA_QUALITY check runs here; other checks (and supplied values) go to ExternalExecutor.
    "QualityCheck": QualityCheckExecutor(),
}
EXTERNAL_TYPES = frozenset({"EMR", "AutoML", "ClarifyCheck", "QualityCheck"})
# Steps whose Arguments the runner must not evaluate up front (they evaluate them lazily).
LAZY_ARGUMENTS = frozenset({"Condition"})


def executor_for(step_type: str) -> StepExecutor:
    """The executor of ``step_type`` (``LocalRunError`` for unknown types)."""
    executor = EXECUTORS.get(step_type)
    if executor is not None:
        return executor
    if step_type in EXTERNAL_TYPES:
        return ExternalExecutor()
    raise LocalRunError(f"step type {step_type!r} can't run locally")
