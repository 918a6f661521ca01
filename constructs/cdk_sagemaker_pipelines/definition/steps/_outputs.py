"""Declared outputs of Lambda and Callback steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .._render import JsonValue
from .._typecheck import checked


class OutputType(enum.Enum):
    """The type of a Lambda or Callback output parameter.

    Example::

        StepOutput(output_name="rows", output_type=OutputType.INTEGER)
    """

    STRING = "String"
    INTEGER = "Integer"
    FLOAT = "Float"
    BOOLEAN = "Boolean"


@checked
@dataclass(frozen=True, slots=True)
class StepOutput:
    """An output parameter a Lambda function returns or a callback sends back.

    Example::

        StepOutput(output_name="rows", output_type=OutputType.INTEGER)
    """

    output_name: str
    output_type: OutputType = OutputType.STRING

    def to_request(self) -> JsonValue:
        """Render ``{"OutputName": …, "OutputType": …}``."""
        return {"OutputName": self.output_name, "OutputType": self.output_type.value}


LambdaOutput = StepOutput
CallbackOutput = StepOutput
