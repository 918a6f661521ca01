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

from ._errors import (
    ExpressionOperatorError,
    ExpressionTextError,
    PipelineDefinitionError,
    PropertyPathError,
)
from ._render import JsonValue, RenderContext, render
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
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
    can't be known before, as for ``JsonGet``). It has no text before then: ``str()``,
    f-strings and ``%`` raise ``ExpressionTextError``, and ``+``, ``<``, ``<=``, ``>``,
    ``>=`` and truth tests (``if value:``) raise ``ExpressionOperatorError``; ``Join`` and
    the ``Condition…`` classes do that work when the pipeline runs.

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

    def __str__(self) -> str:
        # f"s3://{bucket}/data" would otherwise put "ParameterString(name='bucket', …)" into
        # the definition as literal text, which fails only when the pipeline runs.
        raise ExpressionTextError(
            f"{self!r} has no text until the pipeline runs, so str(), f-strings and % "
            "formatting can't use it (build the string at run time instead: "
            'Join(on="", values=["s3://", value, "/data"]), or value.to_string() '
            "for the value alone)"
        )

    # Python's own errors for these ("unsupported operand type(s) for +") don't say what to
    # use instead: the value only exists when the pipeline runs, so the service must do it.
    def __add__(self, other: object) -> Any:
        raise ExpressionOperatorError(_concatenation_message(self, other, "{self} + {other}"))

    def __radd__(self, other: object) -> Any:
        raise ExpressionOperatorError(_concatenation_message(self, other, "{other} + {self}"))

    def __lt__(self, other: object) -> Any:
        raise ExpressionOperatorError(_comparison_message(self, "<", other))

    def __bool__(self) -> bool:
        # Every object is true by default: `if use_gpu:` on a ParameterBoolean would always
        # take its branch, whatever value the run is given.
        # Compared with a value of its own type: ConditionEquals of a String and True is
        # never true, and validation would reject the hint's own advice.
        right = _TRUTH_TEST_OPERANDS.get(self.value_type or "Boolean", "True")
        raise ExpressionOperatorError(
            f"{self!r} has no truth value until the pipeline runs, so `if`, `while`, `and`, "
            "`or`, `not` and bool() can't test it while the pipeline is defined (branch when "
            "the pipeline runs: ConditionStep(conditions=[ConditionEquals(left=value, "
            f"right={right})], if_steps=[…], else_steps=[…]); test `value is None` to ask "
            "whether one was given)"
        )

    def __le__(self, other: object) -> Any:
        raise ExpressionOperatorError(_comparison_message(self, "<=", other))

    def __gt__(self, other: object) -> Any:
        raise ExpressionOperatorError(_comparison_message(self, ">", other))

    def __ge__(self, other: object) -> Any:
        raise ExpressionOperatorError(_comparison_message(self, ">=", other))


# What a truth test's ConditionEquals compares a value of each type with.
_TRUTH_TEST_OPERANDS = {"Boolean": "True", "String": '"yes"', "Integer": "1", "Float": "1.0"}


# The Condition class for ``value <op> other`` (Python calls a reflected operator on the
# right operand, so ``5 < value`` arrives here as ``value > 5``, which reads the same).
_CONDITION_CLASSES = {
    "<": "ConditionLessThan",
    "<=": "ConditionLessThanOrEqualTo",
    ">": "ConditionGreaterThan",
    ">=": "ConditionGreaterThanOrEqualTo",
}


def _comparison_message(value: Expression, operator: str, other: object) -> str:
    condition = _CONDITION_CLASSES[operator]
    return (
        f"{value!r} {operator} {other!r}: a run-time value can't be compared while the "
        f"pipeline is defined (compare it when the pipeline runs: "
        f"ConditionStep(conditions=[{condition}(left=value, right={other!r})], …))"
    )


def _concatenation_message(value: Expression, other: object, shape: str) -> str:
    written = shape.format(self=repr(value), other=repr(other))
    values = shape.replace(" + ", ", ").format(self="value", other=repr(other))
    return (
        f"{written}: a run-time value has no text to add to while the pipeline is defined "
        f'(join it when the pipeline runs: Join(on="", values=[{values}]))'
    )


EXECUTION_VARIABLE_NAMES = frozenset(
    {
        "StartDateTime",
        "CurrentDateTime",
        "PipelineName",
        "PipelineArn",
        "PipelineExecutionId",
        "PipelineExecutionArn",
        "TrainingJobName",
        "ProcessingJobName",
    }
)
# The execution variables that name the job of the step they are written in, and the step
# type whose Arguments they may appear in (the SageMaker SDK's ExecutionVariables
# TRAINING_JOB_NAME and PROCESSING_JOB_NAME): no other step has such a job to name.
JOB_NAME_VARIABLES = {"TrainingJobName": "Training", "ProcessingJobName": "Processing"}


@checked
@dataclass(frozen=True, slots=True)
class ExecutionVariable(Expression):
    """A value of the running execution, such as its id; see ``ExecutionVariables``.

    Example::

        ExecutionVariables.PIPELINE_EXECUTION_ID.to_request()
        # {"Get": "Execution.PipelineExecutionId"}
    """

    name: str

    def _validate(self) -> None:
        if self.name not in EXECUTION_VARIABLE_NAMES:
            valid = sorted(EXECUTION_VARIABLE_NAMES)
            hint = did_you_mean(self.name, valid) or f"expected one of {one_of(valid)}"
            raise PipelineDefinitionError(
                f"ExecutionVariable: unknown execution variable {self.name!r} (use the "
                "constants of ExecutionVariables, e.g. ExecutionVariables.PIPELINE_EXECUTION_ID; "
                f"{hint})"
            )

    @property
    def value_type(self) -> ValueType:
        """``Timestamp`` for the date-time variables, ``String`` for the others."""
        return "Timestamp" if self.name.endswith("DateTime") else "String"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Get": "Execution.<name>"}``."""
        return {"Get": f"Execution.{self.name}"}


class _ExecutionVariablesType(type):
    if not TYPE_CHECKING:  # mypy keeps flagging misspelt names; this is for run time

        def __getattr__(cls, name: str) -> ExecutionVariable:
            if name.startswith("__"):
                raise AttributeError(name)
            constants = sorted(
                key for key, value in vars(cls).items() if isinstance(value, ExecutionVariable)
            )
            # The service's spelling (PipelineExecutionId) or a case slip: the constant it means.
            wanted = name.replace("_", "").lower()
            same = [key for key in constants if key.replace("_", "").lower() == wanted]
            hint = (
                f"did you mean ExecutionVariables.{same[0]}?"
                if same
                else did_you_mean(name, constants) or f"expected one of {one_of(constants)}"
            )
            raise PropertyPathError(
                f"ExecutionVariables has no variable {name!r} (the constants are upper case, "
                f"as in the SageMaker SDK: {hint})"
            )


class ExecutionVariables(metaclass=_ExecutionVariablesType):
    """The execution variables the service provides.

    The constants are upper case, as in the SageMaker SDK; any other name (the service's
    ``PipelineExecutionId`` included) raises ``PropertyPathError`` naming the constant.

    Example::

        Join(on="/", values=["s3://bucket", ExecutionVariables.PIPELINE_EXECUTION_ID])
    """

    START_DATETIME: ClassVar[ExecutionVariable] = ExecutionVariable("StartDateTime")
    CURRENT_DATETIME: ClassVar[ExecutionVariable] = ExecutionVariable("CurrentDateTime")
    PIPELINE_NAME: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineName")
    PIPELINE_ARN: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineArn")
    PIPELINE_EXECUTION_ID: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineExecutionId")
    PIPELINE_EXECUTION_ARN: ClassVar[ExecutionVariable] = ExecutionVariable("PipelineExecutionArn")
    # The name of the job the step starts: only in a TrainingStep's (a ProcessingStep's)
    # own arguments, e.g. output_path=Join(on="/", values=["s3://b", TRAINING_JOB_NAME]).
    TRAINING_JOB_NAME: ClassVar[ExecutionVariable] = ExecutionVariable("TrainingJobName")
    PROCESSING_JOB_NAME: ClassVar[ExecutionVariable] = ExecutionVariable("ProcessingJobName")


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
    """Read a value from a JSON file at run time (JsonPath syntax).

    The file is a step's property file (``step`` is the Processing step, or its name, that
    declares ``property_file``), or any JSON object in S3 named by ``s3_uri``. SageMaker
    reads it with the pipeline's role. A URI built from a step's property (a ``Join`` over
    a processing output) makes that step a dependency of the step that reads the value.
    A URI that is not a ``Join`` is rendered as a one-value ``Join``, the only form the
    SageMaker SDK writes.

    Example::

        accuracy = JsonGet(step=evaluate, property_file=report,
                           json_path="metrics.accuracy.value")
        accuracy = JsonGet(s3_uri=Join(on="/", values=[evaluate.output("evaluation"),
                                                       "evaluation.json"]),
                           json_path="metrics.accuracy.value")
    """

    step: Step | str | None = None
    property_file: PropertyFile | str | None = None
    json_path: str | None = None
    s3_uri: str | Expression | None = None

    def _validate(self) -> None:
        if self.json_path is None:
            raise PipelineDefinitionError(
                "JsonGet: json_path= is required (the JsonPath of the value in the file, "
                "e.g. 'metrics.accuracy.value')"
            )
        if self.s3_uri is None and self.property_file is None:
            raise PipelineDefinitionError(
                "JsonGet: give property_file= (with step=) or s3_uri= (a JSON file in S3)"
            )
        if self.s3_uri is not None and self.property_file is not None:
            raise PipelineDefinitionError(
                "JsonGet: give property_file= or s3_uri=, not both (a property file is read "
                "from its step's output; s3_uri= names the file itself)"
            )
        if self.property_file is not None and self.step is None:
            raise PipelineDefinitionError(
                "JsonGet: property_file= needs step= (the Processing step, or its name, that "
                "declares the property file)"
            )
        if self.s3_uri is not None and self.step is not None:
            raise PipelineDefinitionError(
                "JsonGet: step= goes with property_file=; with s3_uri= the steps the URI "
                "refers to are dependencies already (add depends_on= to the reading step "
                "for a step that only writes the file)"
            )
        uri = self.s3_uri
        if isinstance(uri, str) and not is_token(uri) and not uri.startswith("s3://"):
            raise PipelineDefinitionError(
                f"JsonGet: s3_uri {uri!r} is not an S3 URI (expected 's3://<bucket>/<key>')"
            )

    @property
    def step_name(self) -> str | None:
        """Name of the step that writes the property file (``None`` for ``s3_uri``)."""
        return self.step if isinstance(self.step, str) or self.step is None else self.step.name

    @property
    def property_file_name(self) -> str | None:
        """Name of the property file (``None`` for ``s3_uri``)."""
        pf = self.property_file
        return pf if isinstance(pf, str) or pf is None else pf.name

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Std:JsonGet": {"PropertyFile": {"Get": …}, "Path": …}}``.

        With ``s3_uri``: ``{"Std:JsonGet": {"S3Uri": {"Std:Join": …}, "Path": …}}``.
        """
        if self.s3_uri is not None:
            uri = self.s3_uri if isinstance(self.s3_uri, Join) else Join(values=[self.s3_uri])
            return {"Std:JsonGet": {"S3Uri": uri.to_request(ctx), "Path": self.json_path}}
        if ctx is not None and self.step is not None and not isinstance(self.step, str):
            ctx.note_step(self.step)
        reference = f"Steps.{self.step_name}.PropertyFiles.{self.property_file_name}"
        return {"Std:JsonGet": {"PropertyFile": {"Get": reference}, "Path": self.json_path}}


# JsonPath as the service reads it: dotted names with [index] or ['key'] parts. An index
# may count from the end ([-1]), as JsonPath's do: the SDK writes one for a DelayedReturn
# indexed so (``result[-1]``).
_JSON_NAME = r"[A-Za-z0-9_\-:@]+"
_JSON_INDEX = r"\[(?:-?\d+|'[^']*'|\"[^\"]*\")\]"
_JSON_PART = rf"(?:{_JSON_NAME}(?:{_JSON_INDEX})*|(?:{_JSON_INDEX})+)"
JSON_PATH = re.compile(rf"(?:\$\.?)?{_JSON_PART}(?:\.{_JSON_PART})*")


def is_valid_json_path(path: str) -> bool:
    """Return True if ``path`` is a JsonPath ``JsonGet`` accepts (``metrics.acc.value``)."""
    return JSON_PATH.fullmatch(path) is not None


# The JSONPath subset a batch transform's DataProcessing filters take, as SageMaker's guide
# "Associate Prediction Results with Input Records" lists it: `$` first, then `.name`,
# `*`, `['a','b']`, `[1,-1]` (negative indexes count from the end) and `[start:end]`
# (either end may be omitted; the API reference's own example `$[0,5:]` mixes the two).
_DP_NAME = r"[^.\[\]'\",*\s()?@$]+"  # no other operator's character
_DP_QUOTED = r"'[^']*'"
_DP_INDEX = r"-?\d+|-?\d*:-?\d*"
_DP_INDEXES = rf"\[\s*(?:{_DP_INDEX})(?:\s*,\s*(?:{_DP_INDEX}))*\s*\]"
_DP_BRACKET = rf"\[\s*(?:\*|{_DP_QUOTED}(?:\s*,\s*{_DP_QUOTED})*)\s*\]|{_DP_INDEXES}"
DATA_PROCESSING_PATH = re.compile(rf"\$(?:\.(?:\*|{_DP_NAME})|\.?(?:{_DP_BRACKET}))*")
# "For CSV data, each row is taken as a JSON array, so only index based JSONPaths can be
# applied, e.g. $[0], $[1:]" (the same guide).
CSV_DATA_PROCESSING_PATH = re.compile(rf"\$(?:{_DP_INDEXES})?")
# DataProcessing's InputFilter and OutputFilter: "Length Constraints: Maximum length of 63".
DATA_PROCESSING_PATH_MAX = 63


def data_processing_path_problem(path: str, *, csv: bool = False) -> str | None:
    """What SageMaker's batch transform won't take in an ``InputFilter``/``OutputFilter``.

    ``None`` when ``path`` is in the documented JSONPath subset (for ``csv`` records,
    indexes only: a CSV row is a JSON array).

    Example::

        data_processing_path_problem("$[1:]", csv=True)  # None
        data_processing_path_problem("$.features", csv=True)  # "… index based …"
    """
    if len(path) > DATA_PROCESSING_PATH_MAX:
        return f"{path!r} is {len(path)} characters, more than {DATA_PROCESSING_PATH_MAX}"
    if DATA_PROCESSING_PATH.fullmatch(path) is None:
        return (
            f"{path!r} is outside the JSONPath subset batch transform supports: '$' first, "
            "then .name, .*, ['name','name'], [index,index] (negative from the end) or "
            "[start:end], e.g. '$', '$[1:]', '$[0,-1]', '$.features', \"$['id','features']\""
        )
    # "additional nesting of children within brackets is not supported":
    # $.field1.['child1','child2'] is, $.field1.['child1','child2.grandchild'] is not.
    for bracket in re.findall(rf"\[\s*{_DP_QUOTED}(?:\s*,\s*{_DP_QUOTED})+\s*\]", path):
        if "." in bracket:
            return (
                f"{path!r}: names in brackets can't nest children ({bracket}); select the "
                "parent's children with one bracket of plain names"
            )
    if csv and CSV_DATA_PROCESSING_PATH.fullmatch(path) is None:
        return (
            f"{path!r} selects by name, but a CSV record is an array of columns: use indexes "
            "only, such as '$[1:]' or '$[0,-1]'"
        )
    return None
