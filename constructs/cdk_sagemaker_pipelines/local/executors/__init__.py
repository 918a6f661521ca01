"""One executor per step type behind ``StepExecutor.run(step, ctx) -> StepResult``."""

from ._base import RunSettings, StepContext, StepExecutor, StepResult
from ._table import EXTERNAL_TYPES, LAZY_ARGUMENTS, executor_for

__all__ = [
    "EXTERNAL_TYPES",
    "LAZY_ARGUMENTS",
    "RunSettings",
    "StepContext",
    "StepExecutor",
    "StepResult",
    "executor_for",
]
