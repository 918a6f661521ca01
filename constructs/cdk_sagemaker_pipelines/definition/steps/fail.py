"""``FailStep``: end the execution as Failed with a message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from .._render import JsonValue, RenderContext, render
from .._typecheck import checked
from ..expressions import Expression
from ._base import Step


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class FailStep(Step):
    """Stops the execution with status Failed and ``error_message``.

    No step may reference or depend on a Fail step.

    Example::

        FailStep(name="AccuracyTooLow",
                 error_message=Join(on=" ", values=["Accuracy below", threshold]))
    """

    error_message: str | Expression = ""
    step_type: ClassVar[str] = "Fail"
    argument_fields: ClassVar[Mapping[str, str]] = {"Arguments.ErrorMessage": "error_message"}

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        return {"ErrorMessage": render(self.error_message, ctx)}
