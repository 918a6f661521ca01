"""Fail steps: end the execution as Failed with their message."""

from __future__ import annotations

from ...definition.entries import StepSpec
from .._errors import StepError
from ..evaluate import to_text
from ._base import StepContext, StepResult


class FailExecutor:
    """Fails with ``ErrorMessage`` (evaluated); nothing else starts afterwards.

    Example::

        FailExecutor().run(spec, ctx)  # raises StepError("Model accuracy 0.93 is below …")
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Fail the execution."""
        message = to_text((ctx.arguments or {}).get("ErrorMessage", ""))
        raise StepError(message, halts=True, metadata={"Fail": {"ErrorMessage": message}})
