"""Condition steps: evaluate the conditions (ANDed) and pick a branch."""

from __future__ import annotations

from ...definition.entries import StepSpec
from .._errors import EvaluationError, StepError
from ._base import StepContext, StepResult


class ConditionExecutor:
    """Evaluates ``Arguments.Conditions``; the outcome selects ``IfSteps`` or ``ElseSteps``.

    A value that can't be evaluated (a missing property file, a JsonGet path that is
    absent, a non-numeric operand of an ordering comparison) fails the step with the
    precise reason, and neither branch runs.

    Example::

        ConditionExecutor().run(spec, ctx).outcome  # True
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Evaluate the conditions."""
        conditions = (step.entry.get("Arguments") or {}).get("Conditions") or []
        try:
            outcome = all(ctx.evaluator.condition(item) for item in conditions)
        except EvaluationError as error:
            raise StepError(error.message) from None
        return StepResult(
            properties={"Outcome": outcome},
            metadata={"Condition": {"Outcome": "True" if outcome else "False"}},
            outcome=outcome,
        )
