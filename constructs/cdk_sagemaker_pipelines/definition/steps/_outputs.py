"""Declared outputs of Lambda and Callback steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import PropertyPathError
from .._render import JsonValue, RenderContext
from .._typecheck import checked


class _OutputTypeMeta(enum.EnumMeta):
    if not TYPE_CHECKING:  # mypy keeps flagging misspelt names; this is for run time

        def __getattr__(cls, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            # The SDK's LambdaOutputTypeEnum and CallbackOutputTypeEnum spell them String, ….
            names = [member.name for member in cls]
            if name.upper() in names:
                hint = (
                    "the constants are upper case, unlike the SageMaker SDK's "
                    f"LambdaOutputTypeEnum.{name}: did you mean {cls.__name__}.{name.upper()}?"
                )
            else:
                hint = f"expected one of {', '.join(f'{cls.__name__}.{n}' for n in names)}"
            raise PropertyPathError(f"{cls.__name__} has no member {name!r} ({hint})")


class OutputType(enum.Enum, metaclass=_OutputTypeMeta):
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

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"OutputName": …, "OutputType": …}`` (``ctx`` unused: no expressions)."""
        return {"OutputName": self.output_name, "OutputType": self.output_type.value}


LambdaOutput = StepOutput
CallbackOutput = StepOutput
