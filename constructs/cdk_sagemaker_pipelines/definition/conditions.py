"""Conditions evaluated by a ``ConditionStep``; a list of conditions is ANDed.

Example::

    ConditionGreaterThanOrEqualTo(left=JsonGet(step=evaluate, property_file=report,
                                               json_path="metrics.accuracy.value"),
                                  right=threshold)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._render import JsonValue, RenderContext, render
from ._typecheck import checked

Operand = Any
"""A literal (str, int, float, bool) or an expression (parameter, property, JsonGet, Join)."""

COMPARISON_TYPES = (
    "Equals",
    "GreaterThan",
    "GreaterThanOrEqualTo",
    "LessThan",
    "LessThanOrEqualTo",
)
CONDITION_TYPES = (*COMPARISON_TYPES, "In", "Not", "Or")


class Condition:
    """Base class of conditions: what ``ConditionStep(conditions=[…])`` takes (ANDed).

    Example::

        conditions: list[Condition] = [
            ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold),
            ConditionNot(expression=ConditionEquals(left=ExecutionVariables.PIPELINE_NAME,
                                                    right="test")),
        ]
    """

    __slots__ = ()
    condition_type: ClassVar[str]

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the condition object."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Comparison(Condition):
    left: Operand
    right: Operand

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Type": …, "LeftValue": …, "RightValue": …}``."""
        return {
            "Type": self.condition_type,
            "LeftValue": render(self.left, ctx),
            "RightValue": render(self.right, ctx),
        }


@checked
@dataclass(frozen=True, slots=True)
class ConditionEquals(_Comparison):
    """True when both values are equal.

    Example::

        ConditionEquals(left=env, right="prod")
    """

    condition_type: ClassVar[str] = "Equals"


@checked
@dataclass(frozen=True, slots=True)
class ConditionGreaterThan(_Comparison):
    """True when ``left > right``; both must be numbers (or date-times).

    Example::

        ConditionGreaterThan(left=train.properties.FinalMetricDataList["val:acc"].Value, right=0.8)
    """

    condition_type: ClassVar[str] = "GreaterThan"


@checked
@dataclass(frozen=True, slots=True)
class ConditionGreaterThanOrEqualTo(_Comparison):
    """True when ``left >= right``; both must be numbers (or date-times).

    Example::

        ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)
    """

    condition_type: ClassVar[str] = "GreaterThanOrEqualTo"


@checked
@dataclass(frozen=True, slots=True)
class ConditionLessThan(_Comparison):
    """True when ``left < right``; both must be numbers (or date-times).

    Example::

        ConditionLessThan(left=rmse, right=1.5)
    """

    condition_type: ClassVar[str] = "LessThan"


@checked
@dataclass(frozen=True, slots=True)
class ConditionLessThanOrEqualTo(_Comparison):
    """True when ``left <= right``; both must be numbers (or date-times).

    Example::

        ConditionLessThanOrEqualTo(left=rmse, right=1.5)
    """

    condition_type: ClassVar[str] = "LessThanOrEqualTo"


@checked
@dataclass(frozen=True, slots=True)
class ConditionIn(Condition):
    """True when ``value`` is one of ``in_values``.

    Example::

        ConditionIn(value=env, in_values=["dev", "prod"])
    """

    value: Operand
    in_values: Sequence[Operand]
    condition_type: ClassVar[str] = "In"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Type": "In", "QueryValue": …, "Values": […]}``."""
        return {
            "Type": "In",
            "QueryValue": render(self.value, ctx),
            "Values": [render(value, ctx) for value in self.in_values],
        }


@checked
@dataclass(frozen=True, slots=True)
class ConditionNot(Condition):
    """Negates a condition.

    Example::

        ConditionNot(expression=ConditionEquals(left=ok, right=False))
    """

    expression: Condition
    condition_type: ClassVar[str] = "Not"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Type": "Not", "Condition": …}``."""
        return {"Type": "Not", "Condition": self.expression.to_request(ctx)}


@checked
@dataclass(frozen=True, slots=True)
class ConditionOr(Condition):
    """True when any of ``conditions`` is.

    Example::

        ConditionOr(conditions=[ConditionLessThan(left=rmse, right=1.5),
                                ConditionEquals(left=rows, right=0)])
    """

    conditions: Sequence[Condition]
    condition_type: ClassVar[str] = "Or"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Type": "Or", "Conditions": […]}``."""
        return {"Type": "Or", "Conditions": [c.to_request(ctx) for c in self.conditions]}
