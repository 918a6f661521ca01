"""Pipeline parameters and the coercion of a run's parameter overrides.

Example::

    instance_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge",
                                    enum_values=["ml.m5.xlarge", "ml.m5.2xlarge"])
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
    coerce_parameter_values([instance_type, threshold], {"AccuracyThreshold": "0.95"})
    # {"TrainingInstanceType": "ml.m5.xlarge", "AccuracyThreshold": 0.95}
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._errors import PipelineDefinitionError, PipelineValidationError, Problem
from ._render import JsonValue, RenderContext
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
from ._typecheck import checked
from .expressions import Expression, ValueType

PARAMETER_TYPES = ("String", "Integer", "Float", "Boolean")
PARAMETER_NAME = re.compile(r"[A-Za-z0-9\-_]{1,64}")
MAX_PARAMETERS = 200
MAX_PARAMETER_VALUE_LENGTH = 1024
# An Integer parameter may stand for any integer member of a request, the 64-bit ones
# included (botocore's "long" shapes, such as a training job's Seed): wider than that, no
# member can take it.
INTEGER_RANGE = range(-(2**63), 2**63)
ParameterValue = str | int | float | bool


@dataclass(frozen=True, slots=True, eq=False)
class Parameter(Expression):
    """Base class of pipeline parameters; use one of the typed subclasses.

    A parameter renders as ``{"Get": "Parameters.<name>"}`` wherever it is used and
    as a ``Parameters`` entry of the definition once declared in the pipeline.

    Example::

        ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    """

    name: str
    parameter_type: ClassVar[str] = "String"

    @property
    def value_type(self) -> ValueType:
        """The declared type."""
        return self.parameter_type

    @property
    def default(self) -> ParameterValue | None:
        """The default value, if any."""
        return getattr(self, "default_value", None)

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Get": "Parameters.<name>"}``."""
        if ctx is not None:
            ctx.note_parameter(self)
        return {"Get": f"Parameters.{self.name}"}

    def to_definition(self) -> dict[str, JsonValue]:
        """Render the entry of the definition's ``Parameters`` list."""
        entry: dict[str, JsonValue] = {"Name": self.name, "Type": self.parameter_type}
        if self.default is not None:
            entry["DefaultValue"] = self.default
        enum_values = getattr(self, "enum_values", None)
        if enum_values is not None:
            entry["EnumValues"] = list(enum_values)
        return entry


@checked
@dataclass(frozen=True, slots=True, eq=False)
class ParameterString(Parameter):
    """A string parameter, optionally limited to ``enum_values``.

    Example::

        ParameterString(name="InputDataUrl", default_value="s3://my-bucket/raw/data.csv")
    """

    default_value: str | None = None
    enum_values: Sequence[str] | None = None
    parameter_type: ClassVar[str] = "String"


@checked
@dataclass(frozen=True, slots=True, eq=False)
class ParameterInteger(Parameter):
    """An integer parameter.

    Example::

        ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    """

    default_value: int | None = None
    parameter_type: ClassVar[str] = "Integer"


@checked
@dataclass(frozen=True, slots=True, eq=False)
class ParameterFloat(Parameter):
    """A floating-point parameter.

    Example::

        ParameterFloat(name="AccuracyThreshold", default_value=0.9)
    """

    default_value: float | None = None
    parameter_type: ClassVar[str] = "Float"


@checked
@dataclass(frozen=True, slots=True, eq=False)
class ParameterBoolean(Parameter):
    """A boolean parameter.

    Example::

        ParameterBoolean(name="SkipTraining", default_value=False)
    """

    default_value: bool | None = None
    parameter_type: ClassVar[str] = "Boolean"


def parameter_problems(entries: Sequence[Any], field: str = "Parameters") -> list[Problem]:
    """Check the definition's ``Parameters`` list (names, types, defaults, enums)."""
    problems: list[Problem] = []
    if not isinstance(entries, list):
        return [Problem(None, field, f"expected a list, got {type(entries).__name__}")]
    if len(entries) > MAX_PARAMETERS:
        problems.append(
            Problem(None, field, f"has {len(entries)} parameters, more than {MAX_PARAMETERS}")
        )
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(None, where, "expected an object with Name and Type"))
            continue
        name = entry.get("Name")
        if not isinstance(name, str) or PARAMETER_NAME.fullmatch(name) is None:
            problems.append(
                Problem(
                    None,
                    f"{where}.Name",
                    f"parameter name {name!r} must be 1-64 characters of A-Z, a-z, 0-9, - and _",
                )
            )
        elif name in seen:
            problems.append(Problem(None, f"{where}.Name", f"parameter '{name}' is declared twice"))
        else:
            seen.add(name)
        label = f"parameter '{name}'"
        unknown = set(entry) - {"Name", "Type", "DefaultValue", "EnumValues"}
        for key in sorted(unknown):
            hint = did_you_mean(key, ["Name", "Type", "DefaultValue", "EnumValues"])
            problems.append(Problem(None, f"{where}.{key}", f"unknown member of {label}", hint))
        kind = entry.get("Type")
        if kind not in PARAMETER_TYPES:
            problems.append(
                Problem(
                    None,
                    f"{where}.Type",
                    f"{label} has type {kind!r}; expected one of {one_of(PARAMETER_TYPES)}",
                    did_you_mean(str(kind), PARAMETER_TYPES),
                )
            )
            continue
        default = entry.get("DefaultValue")
        if default is not None and not _fits(default, kind):
            is_number = isinstance(default, (int, float)) and not isinstance(default, bool)
            if kind == "Float" and is_number:
                message = f"{label} default {_shorten(default)} is not a finite 64-bit number"
                hint = "NaN, infinities and numbers beyond ±1.8e308 can't be passed"
            elif kind == "Integer" and type(default) is int:
                message = f"{label} default {_shorten(default)} is not a 64-bit integer"
                hint = _INTEGER_HINT
            else:
                message = f"{label} is {kind} but its default is {_shorten(default)}"
                hint = _DEFAULT_HINTS[kind]
            problems.append(Problem(None, f"{where}.DefaultValue", message, hint))
        enum_values = entry.get("EnumValues")
        if enum_values is not None:
            if kind != "String":
                problems.append(
                    Problem(
                        None,
                        f"{where}.EnumValues",
                        f"{label}: only String parameters take EnumValues",
                    )
                )
            elif (
                not isinstance(enum_values, list)
                or not enum_values
                or not all(isinstance(value, str) for value in enum_values)
            ):
                problems.append(
                    Problem(
                        None,
                        f"{where}.EnumValues",
                        f"{label}: expected a non-empty list of strings",
                    )
                )
            elif (
                isinstance(default, str)
                and default not in enum_values
                # A default or value known only at deploy time (a CDK token) isn't judged.
                and not is_token(default)
                and not any(is_token(value) for value in enum_values)
            ):
                problems.append(
                    Problem(
                        None,
                        f"{where}.DefaultValue",
                        f"{label} default {default!r} is not one of its EnumValues "
                        f"{one_of(enum_values)}",
                        did_you_mean(default, enum_values),
                    )
                )
    return problems


def _shorten(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_INTEGER_HINT = "from -2**63 to 2**63 - 1, the widest integer a request member takes"
_DEFAULT_HINTS = {
    "String": "write the default as a JSON string",
    "Integer": "write the default as a JSON integer, without quotes",
    "Float": "write the default as a JSON number, without quotes",
    "Boolean": "write the default as true or false, without quotes",
}


def _fits(value: Any, kind: str) -> bool:
    if kind == "String":
        return isinstance(value, str)
    if kind == "Boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "Integer":
        return isinstance(value, int) and value in INTEGER_RANGE
    return isinstance(value, (int, float)) and _is_finite(value)


def _is_finite(number: int | float) -> bool:
    """True for a number a double holds: not NaN or infinite, no int beyond 1.8e308."""
    try:
        return math.isfinite(number)
    except OverflowError:  # an int too large for a double
        return False


# What the service parses: ASCII digits only, no Python extras such as '1_000' or '٣'.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE_TEXT = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_EXPECTED = {
    "String": "a string",
    "Integer": "an integer",
    "Float": "a number",
    "Boolean": "true or false",
}


def _parse(raw: Any, kind: str) -> ParameterValue:
    """Parse a value that arrived as a string (or already typed) into ``kind``."""
    if not isinstance(raw, str):
        if not _fits(raw, kind):
            is_number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            expected = "a finite number" if kind == "Float" and is_number else _EXPECTED[kind]
            if kind == "Integer" and type(raw) is int:
                expected = f"a 64-bit integer ({_INTEGER_HINT})"
            raise ValueError(f"expected {expected}, got {_shorten(raw)}")
        return float(raw) if kind == "Float" else raw
    text = raw.strip()
    if kind == "String":
        return raw
    if kind == "Integer":
        if _INTEGER_TEXT.fullmatch(text) is None:
            raise ValueError(f"expected an integer, got {raw!r}")
        integer = int(text)
        if integer not in INTEGER_RANGE:
            raise ValueError(f"expected a 64-bit integer ({_INTEGER_HINT}), got {_shorten(raw)}")
        return integer
    if kind == "Float":
        if _NON_FINITE_TEXT.fullmatch(text) is not None:
            raise ValueError(f"expected a finite number, got {raw!r}")
        if _FLOAT_TEXT.fullmatch(text) is None:
            raise ValueError(f"expected a number, got {raw!r}")
        number = float(text)
        if not math.isfinite(number):  # too large for a double, such as '1e999'
            raise ValueError(f"expected a finite number, got {raw!r}")
        return number
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ValueError(f"expected true or false, got {raw!r}")


def coerce_parameter_values(
    parameters: Iterable[Parameter | Mapping[str, Any]],
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, ParameterValue]:
    """Validate a run's parameter overrides and return every parameter's typed value.

    ``parameters`` are ``Parameter`` objects or the definition's ``Parameters`` entries.
    Override values may be strings (as they arrive from a command line or
    ``StartPipelineExecution``) or already typed. Unknown names, unparsable values,
    values outside ``EnumValues`` and parameters with neither a default nor a value
    are all reported in one ``PipelineValidationError``.

    Example::

        coerce_parameter_values(definition["Parameters"], {"AccuracyThreshold": "0.95"})
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise PipelineDefinitionError(
            "parameter values must be a mapping of parameter names to values, "
            f"got {type(overrides).__name__} {_shorten(overrides)}"
        )
    if isinstance(parameters, (str, Mapping)) or not isinstance(parameters, Iterable):
        raise PipelineDefinitionError(
            "parameters must be a list of Parameter objects or of the definition's "
            f"Parameters entries, got {type(parameters).__name__} {_shorten(parameters)}"
        )
    problems: list[Problem] = []
    declared: dict[str, Mapping[str, Any]] = {}
    for index, parameter in enumerate(parameters):
        entry = parameter.to_definition() if isinstance(parameter, Parameter) else parameter
        if not isinstance(entry, Mapping) or not isinstance(entry.get("Name"), str):
            problems.append(
                Problem(
                    None,
                    f"Parameters[{index}]",
                    f"expected a Parameter or an object with Name and Type, got {_shorten(entry)}",
                )
            )
            continue
        declared[entry["Name"]] = entry
    given = dict(overrides or {})
    if len(given) > MAX_PARAMETERS:
        problems.append(
            Problem(None, "Parameters", f"{len(given)} values, more than {MAX_PARAMETERS}")
        )
    for name in list(given):
        if not isinstance(name, str):
            problems.append(
                Problem(None, "Parameters", f"parameter names are strings, got {_shorten(name)}")
            )
            del given[name]
        elif name not in declared:
            hint = did_you_mean(name, declared) or f"declared: {one_of(declared, 20) or 'none'}"
            problems.append(Problem(None, f"Parameters.{name}", "no such parameter", hint))
    values: dict[str, ParameterValue] = {}
    for name, entry in declared.items():
        kind = str(entry.get("Type", "String"))
        if kind not in _EXPECTED:
            problems.append(
                Problem(
                    None,
                    f"Parameters.{name}",
                    f"unknown parameter type {kind!r}",
                    did_you_mean(kind, _EXPECTED) or f"expected one of {one_of(_EXPECTED)}",
                )
            )
            continue
        if name in given:
            raw = given[name]
            if isinstance(raw, str) and len(raw) > MAX_PARAMETER_VALUE_LENGTH:
                problems.append(
                    Problem(None, f"Parameters.{name}", "value longer than 1024 characters")
                )
                continue
            try:
                value = _parse(raw, kind)
            except ValueError as error:
                problems.append(Problem(None, f"Parameters.{name}", f"{kind} parameter: {error}"))
                continue
        elif entry.get("DefaultValue") is not None:
            try:
                # A definition read from JSON may hold a default of the wrong type.
                value = _parse(entry["DefaultValue"], kind)
            except ValueError as error:
                problems.append(
                    Problem(None, f"Parameters.{name}", f"{kind} parameter default: {error}")
                )
                continue
        else:
            problems.append(
                Problem(None, f"Parameters.{name}", "has no default, so a value is required")
            )
            continue
        enum_values = entry.get("EnumValues")
        if enum_values and value not in enum_values:
            suggestion: str | None = did_you_mean(str(value), enum_values)
            # A hint naming every value (a few alike, 'ml.g5.2xlarge' and 'ml.g5.12xlarge')
            # repeats the list the message just gave: no hint then.
            if suggestion is not None and all(repr(each) in suggestion for each in enum_values):
                suggestion = None
            problems.append(
                Problem(
                    None,
                    f"Parameters.{name}",
                    f"{value!r} is not one of {one_of(enum_values)}",
                    suggestion,
                )
            )
            continue
        values[name] = value
    if problems:
        raise PipelineValidationError(problems, subject="parameter set")
    return values
