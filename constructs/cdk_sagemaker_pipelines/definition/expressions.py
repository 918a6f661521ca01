"""Expressions: values the service resolves while a pipeline runs.

``Get`` references (parameters, execution variables, step properties), ``Join`` and
``JsonGet`` render to the definition's expression objects::

    {"Get": "Parameters.InputData"}
    {"Std:Join": {"On": "/", "Values": ["s3://bucket", {"Get": "Execution.PipelineExecutionId"}]}}
    {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                     "Path": "metrics.accuracy.value"}}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ._render import JsonValue, RenderContext, render
from ._typecheck import checked

if TYPE_CHECKING:
    from .steps._base import Step

ValueType = str
"""One of ``String``, ``Integer``, ``Float``, ``Boolean``, ``Timestamp``."""

NUMERIC_TYPES = frozenset({"Integer", "Float"})
ORDERED_TYPES = frozenset({"Integer", "Float", "Timestamp"})


class Expression:
    """Base class of every run-time value.

    ``value_type`` is the type the value has when the pipeline runs (``None`` when it
    can't be known before, as for ``JsonGet``).

    Example::

        Join(on="/", values=["s3://bucket", ExecutionVariables.PIPELINE_EXECUTION_ID])
    """

    __slots__ = ()

    @property
    def value_type(self) -> ValueType | None:
        """The run-time type of the value, or ``None`` when unknown."""
        return None

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the expression object."""
        raise NotImplementedError

    @property
    def expr(self) -> JsonValue:
        """The rendered expression (SageMaker SDK spelling)."""
        return self.to_request()

    def to_string(self) -> Join:
        """Return this value as a string expression (``Join`` with an empty separator)."""
        return Join(on="", values=[self])


@checked
@dataclass(frozen=True, slots=True)
class ExecutionVariable(Expression):
    """A value of the running execution, such as its id; see ``ExecutionVariables``.

    Example::

        ExecutionVariables.PIPELINE_EXECUTION_ID.to_request()
        # {"Get": "Execution.PipelineExecutionId"}
    """

    name: str

    @property
    def value_type(self) -> ValueType:
        """``Timestamp`` for the date-time variables, ``String`` for the others."""
        return "Timestamp" if self.name.endswith("DateTime") else "String"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Get": "Execution.<name>"}``."""
        return {"Get": f"Execution.{self.name}"}


class ExecutionVariables:
    """The execution variables the service provides.

    Example::

        Join(on="/", values=["s3://bucket", ExecutionVariables.PIPELINE_EXECUTION_ID])
    """

    START_DATETIME: ClassVar[ExecutionVariable] = ExecutionVariable("StartDateTime")
    CURRENT_DATETIME: ClassVar[ExecutionVariable] = ExecutionVariable("CurrentDateTime")
    PIPELINE_NAME: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineName")
    PIPELINE_ARN: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineArn")
    PIPELINE_EXECUTION_ID: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineExecutionId")
    PIPELINE_EXECUTION_ARN: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineExecutionArn")


EXECUTION_VARIABLE_NAMES = frozenset(
    {
        "StartDateTime",
        "CurrentDateTime",
        "PipelineName",
        "PipelineArn",
        "PipelineExecutionId",
        "PipelineExecutionArn",
    }
)


@checked
@dataclass(frozen=True, slots=True)
class Join(Expression):
    """Join values into one string at run time.

    Example::

        Join(on="/", values=["s3://my-bucket", ExecutionVariables.PIPELINE_EXECUTION_ID, "train"])
    """

    on: str = ""
    values: Sequence[Any] = ()

    @property
    def value_type(self) -> ValueType:
        """Always ``String``."""
        return "String"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Std:Join": {"On": …, "Values": […]}}``."""
        return {
            "Std:Join": {"On": self.on, "Values": [render(value, ctx) for value in self.values]}
        }


_PROPERTY_FILE_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")


@checked
@dataclass(frozen=True, slots=True)
class PropertyFile:
    """A JSON file a Processing step writes into one of its outputs, read with ``JsonGet``.

    Example::

        report = PropertyFile(name="EvaluationReport", output_name="evaluation",
                              path="evaluation.json")
        ProcessingStep(..., property_files=[report])
    """

    name: str
    output_name: str
    path: str

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the ``PropertyFiles`` entry of the step."""
        return {
            "PropertyFileName": self.name,
            "OutputName": self.output_name,
            "FilePath": self.path,
        }


@checked
@dataclass(frozen=True, slots=True)
class JsonGet(Expression):
    """Read a value from a step's property file at run time (JsonPath syntax).

    ``step`` is the Processing step (or its name) that declares ``property_file``.

    Example::

        accuracy = JsonGet(step=evaluate, property_file=report,
                           json_path="metrics.accuracy.value")
    """

    step: Step | str
    property_file: PropertyFile | str
    json_path: str

    @property
    def step_name(self) -> str:
        """Name of the step that writes the file."""
        return self.step if isinstance(self.step, str) else self.step.name

    @property
    def property_file_name(self) -> str:
        """Name of the property file."""
        pf = self.property_file
        return pf if isinstance(pf, str) else pf.name

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Std:JsonGet": {"PropertyFile": {"Get": …}, "Path": …}}``."""
        if ctx is not None and not isinstance(self.step, str):
            ctx.note_step(self.step)
        reference = f"Steps.{self.step_name}.PropertyFiles.{self.property_file_name}"
        return {"Std:JsonGet": {"PropertyFile": {"Get": reference}, "Path": self.json_path}}


# JsonPath as the service reads it: dotted names with [index] or ['key'] parts.
_JSON_NAME = r"[A-Za-z0-9_\-:@]+"
_JSON_INDEX = r"\[(?:\d+|'[^']*'|\"[^\"]*\")\]"
_JSON_PART = rf"(?:{_JSON_NAME}(?:{_JSON_INDEX})*|(?:{_JSON_INDEX})+)"
JSON_PATH = re.compile(rf"(?:\$\.?)?{_JSON_PART}(?:\.{_JSON_PART})*")


def is_valid_json_path(path: str) -> bool:
    """Return True if ``path`` is a JsonPath ``JsonGet`` accepts (``metrics.acc.value``)."""
    return JSON_PATH.fullmatch(path) is not None
