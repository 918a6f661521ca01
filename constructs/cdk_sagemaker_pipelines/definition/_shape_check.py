"""Check a rendered ``Arguments`` value against a botocore request shape.

Expressions (``Get``, ``Std:Join``, ``Std:JsonGet``) are accepted wherever a literal
is, provided their type fits the field; CDK tokens are skipped, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from ._errors import Problem
from ._service_model import Shape, shapes
from ._suggest import did_you_mean, one_of
from ._tokens import is_token

EXPRESSION_KEYS = frozenset({"Get", "Std:Join", "Std:JsonGet"})

_NUMBER_TYPES = {"integer", "long", "float", "double"}
_WANTED_TYPES = {
    "string": {"String", "Timestamp"},
    "integer": {"Integer"},
    "long": {"Integer"},
    "float": {"Integer", "Float"},
    "double": {"Integer", "Float"},
    "boolean": {"Boolean"},
    "timestamp": {"String", "Timestamp"},
    "blob": {"String"},
}
_TYPE_NOUNS = {
    "structure": "an object",
    "map": "an object",
    "list": "a list",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "blob": "a string",
}


def is_expression(value: Any) -> bool:
    """Return True for a definition expression such as ``{"Get": "Parameters.X"}``."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSION_KEYS


def _is_function_call(value: Any) -> bool:
    """True for ``{"Std:<anything>": …}``, known function or not."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and key.startswith("Std:")


class ExpressionTyper(Protocol):
    """Tells the checker what type an expression has and which literal values it may take."""

    def type_of(self, expression: Mapping[str, Any]) -> str | None:
        """Return ``String``/``Integer``/``Float``/``Boolean``/``Timestamp``, or None if unknown."""

    def candidate_values(self, expression: Mapping[str, Any]) -> list[Any]:
        """Return literal values known in advance (a parameter's default and enum values)."""


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # Java-only syntax such as \p{L}: skip rather than guess
        return None


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


@dataclass(slots=True)
class ShapeChecker:
    """Walk a value and a shape side by side, yielding every problem found.

    Example::

        checker = ShapeChecker(step="Train", typer=typer)
        problems = list(checker.check(arguments, "CreateTrainingJobRequest", "Arguments",
                                      service_supplied={"TrainingJobName"}))
    """

    step: str | None
    typer: ExpressionTyper
    service: str = "sagemaker"

    def check(
        self,
        value: Any,
        shape_name: str,
        field: str,
        service_supplied: Collection[str] = (),
    ) -> Iterator[Problem]:
        """Check ``value`` against the named shape; ``service_supplied`` members must be absent."""
        table = shapes(self.service)
        shape = table[shape_name]
        if isinstance(value, dict) and not is_expression(value) and not is_token(value):
            for member in service_supplied:
                if member in value:
                    yield Problem(
                        self.step,
                        f"{field}.{member}",
                        f"'{member}' is set by SageMaker Pipelines at run time",
                        "remove it",
                    )
        yield from self._check(value, shape, field, table, frozenset(service_supplied))

    def _problem(self, field: str, message: str, hint: str | None = None) -> Problem:
        return Problem(self.step, field, message, hint)

    def _check(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str] = frozenset(),
    ) -> Iterator[Problem]:
        if value is None or is_token(value):
            return
        kind = shape["type"]
        if is_expression(value):
            yield from self._check_expression(value, shape, field)
            return
        if _is_function_call(value):
            return  # an unknown ``Std:`` function: reported where expressions are checked
        checker = _CHECKS.get(kind)
        if checker is not None:
            yield from checker(self, value, shape, field, table, skip_members)

    def _check_expression(
        self, value: Mapping[str, Any], shape: Shape, field: str
    ) -> Iterator[Problem]:
        kind = shape["type"]
        if kind in ("structure", "map", "list"):
            yield self._problem(
                field,
                f"expected {_TYPE_NOUNS[kind]}, got an expression",
                "expressions stand only where a single value is expected",
            )
            return
        expression_type = self.typer.type_of(value)
        wanted = _WANTED_TYPES.get(kind)
        if expression_type is not None and wanted is not None and expression_type not in wanted:
            yield self._problem(
                field,
                f"expected {_TYPE_NOUNS[kind]}, got {_expression_text(value)}, "
                f"{_article(expression_type)} {expression_type}",
                _type_hint(value, kind, wanted),
            )
            return
        # A parameter's default and enum values are known now: check them like literals.
        for candidate in self.typer.candidate_values(value):
            for problem in self._check(candidate, shape, field, {}):
                yield Problem(
                    self.step,
                    field,
                    f"{_expression_text(value)} may be {candidate!r}: {problem.message}",
                    problem.hint,
                )

    def _check_structure(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, dict):
            yield self._problem(field, f"expected an object, got {_describe(value)}")
            return
        members: Mapping[str, Any] = shape.get("members", {})
        for name in shape.get("required", ()):
            if name in skip_members:
                continue
            if name not in value:
                yield self._problem(f"{field}.{name}", f"missing required member '{name}'")
            elif value[name] is None:
                yield self._problem(
                    f"{field}.{name}", f"required member '{name}' is null", "give it a value"
                )
        for name, member_value in value.items():
            member = members.get(name)
            if member is None:
                if name in skip_members:
                    continue
                hint = did_you_mean(name, members) or f"valid members: {one_of(members, 12)}"
                yield self._problem(f"{field}.{name}", f"unknown member '{name}'", hint)
                continue
            yield from self._check(member_value, table[member["shape"]], f"{field}.{name}", table)

    def _check_list(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, list):
            yield self._problem(field, f"expected a list, got {_describe(value)}")
            return
        yield from self._check_size(len(value), shape, field, "items")
        item_shape = table[shape["member"]["shape"]]
        for index, item in enumerate(value):
            yield from self._check(item, item_shape, f"{field}[{index}]", table)

    def _check_map(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, dict):
            yield self._problem(field, f"expected an object, got {_describe(value)}")
            return
        yield from self._check_size(len(value), shape, field, "entries")
        key_shape = table[shape["key"]["shape"]]
        value_shape = table[shape["value"]["shape"]]
        for key, item in value.items():
            item_field = f"{field}['{key}']"
            yield from self._check(key, key_shape, f"{item_field} (key)", table)
            yield from self._check(item, value_shape, item_field, table)

    def _check_string(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, str):
            yield self._problem(field, f"expected a string, got {_describe(value)}")
            return
        enum = shape.get("enum")
        if enum is not None:
            if value not in enum:
                hint = did_you_mean(value, enum) or _enum_examples(value, enum)
                yield self._problem(field, f"expected one of {one_of(enum)}, got {value!r}", hint)
            return
        pattern = shape.get("pattern")
        compiled = _compiled(pattern) if pattern is not None else None
        if compiled is not None and compiled.fullmatch(value) is None:
            # The pattern says more than the length limits do: report it alone.
            yield self._problem(
                field,
                f"{_shorten(value)!r} does not match the pattern {pattern}",
                _PATTERN_EXAMPLES.get(str(pattern)),
            )
            return
        yield from self._check_size(len(value), shape, field, "characters")

    def _check_number(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        kind = shape["type"]
        integral = kind in ("integer", "long")
        ok = isinstance(value, int) if integral else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            yield self._problem(field, f"expected {_TYPE_NOUNS[kind]}, got {_describe(value)}")
            return
        minimum, maximum = shape.get("min"), shape.get("max")
        if minimum is not None and value < minimum:
            yield self._problem(field, f"{value} is below the minimum {minimum}")
        if maximum is not None and value > maximum:
            yield self._problem(field, f"{value} is above the maximum {maximum}")

    def _check_boolean(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, bool):
            yield self._problem(field, f"expected a boolean, got {_describe(value)}")

    def _check_timestamp(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            yield self._problem(field, f"expected a timestamp, got {_describe(value)}")

    def _check_blob(
        self,
        value: Any,
        shape: Shape,
        field: str,
        table: Mapping[str, Shape],
        skip_members: frozenset[str],
    ) -> Iterator[Problem]:
        if not isinstance(value, str):
            yield self._problem(field, f"expected a string, got {_describe(value)}")

    def _check_size(self, size: int, shape: Shape, field: str, unit: str) -> Iterator[Problem]:
        minimum, maximum = shape.get("min"), shape.get("max")
        if minimum is not None and size < minimum:
            yield self._problem(field, f"has {size} {unit}, fewer than the minimum {minimum}")
        if maximum is not None and size > maximum:
            yield self._problem(field, f"has {size} {unit}, more than the maximum {maximum}")


_Check = Callable[
    [ShapeChecker, Any, Shape, str, Mapping[str, Shape], frozenset[str]], Iterator[Problem]
]
_CHECKS: dict[str, _Check] = {
    "structure": ShapeChecker._check_structure,
    "list": ShapeChecker._check_list,
    "map": ShapeChecker._check_map,
    "string": ShapeChecker._check_string,
    "integer": ShapeChecker._check_number,
    "long": ShapeChecker._check_number,
    "float": ShapeChecker._check_number,
    "double": ShapeChecker._check_number,
    "boolean": ShapeChecker._check_boolean,
    "timestamp": ShapeChecker._check_timestamp,
    "blob": ShapeChecker._check_blob,
}


# Examples shown with a pattern mismatch, for the patterns users most often miss.
_PATTERN_EXAMPLES = {
    r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+": (
        "expected an IAM role ARN such as 'arn:aws:iam::111122223333:role/SageMakerRole'"
    ),
    "(https|s3)://([^/]+)/?(.*)": "expected an S3 URI such as 's3://my-bucket/prefix'",
}


def _enum_examples(value: str, enum: Collection[str]) -> str | None:
    """For long enums without a close match: values of the same family or size, or a few."""
    if len(enum) <= 12 or "." not in value:
        return None
    family, _, size = value.rpartition(".")
    for similar in (
        [item for item in enum if item.startswith(family + ".")],
        [item for item in enum if item.endswith("." + size)],
    ):
        if similar:
            shown = ", ".join(repr(item) for item in similar[:6])
            return f"valid here: {shown}{', …' if len(similar) > 6 else ''}"
    common = [item for item in _COMMON_INSTANCE_TYPES if item in enum]
    return f"for example {', '.join(map(repr, common))}" if common else None


_COMMON_INSTANCE_TYPES = ("ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.g5.xlarge")


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _expression_text(value: Mapping[str, Any]) -> str:
    if "Get" in value:
        return f"'{value['Get']}'"
    if "Std:Join" in value:
        return "a Std:Join"
    return "the expression"


def _type_hint(value: Mapping[str, Any], kind: str, wanted: Collection[str]) -> str:
    """How to fix an expression of the wrong type in a field of shape type ``kind``."""
    if kind in ("string", "blob"):
        return (
            'convert it to a string: Join(on="", values=[...]) in Python, '
            '{"Std:Join": {"On": "", "Values": [...]}} in JSON'
        )
    reference = value.get("Get")
    if isinstance(reference, str) and reference.startswith("Parameters."):
        name = reference[len("Parameters.") :]
        return f"declare parameter '{name}' with Type {' or '.join(sorted(wanted))}"
    return f"use a value of type {' or '.join(sorted(wanted))}"
