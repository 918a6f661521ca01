"""``ConditionStep``: run ``if_steps`` or ``else_steps`` depending on conditions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .._render import JsonValue, RenderContext
from .._typecheck import checked
from ..conditions import Condition
from ._base import Step

if TYPE_CHECKING:
    from ..property_types import ConditionStepProperties


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class ConditionStep(Step):
    """Evaluates ``conditions`` (all must hold) and runs one branch.

    Branch steps are nested in the definition (``IfSteps``/``ElseSteps``), not listed
    at top level; they may not contain another ``ConditionStep``. ``properties.Outcome``
    is the boolean result.

    Example::

        ConditionStep(
            name="CheckAccuracy",
            conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
            if_steps=[register],
            else_steps=[FailStep(name="AccuracyTooLow", error_message="accuracy too low")],
        )
    """

    conditions: Sequence[Condition]
    if_steps: Sequence[Step] = ()
    else_steps: Sequence[Step] = ()
    step_type: ClassVar[str] = "Condition"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.Conditions": "conditions",
        "Arguments.IfSteps": "if_steps",
        "Arguments.ElseSteps": "else_steps",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> ConditionStepProperties: ...

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        for branch in (self.if_steps, self.else_steps):
            for step in branch:
                ctx.note_branch_member(step)
        return {
            "Conditions": [condition.to_request(ctx) for condition in self.conditions],
            "IfSteps": [ctx.render_step(step) for step in self.if_steps],
            "ElseSteps": [ctx.render_step(step) for step in self.else_steps],
        }
