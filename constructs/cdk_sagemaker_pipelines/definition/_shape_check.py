"""Check a rendered ``Arguments`` value against a botocore request shape.

Expressions (``Get``, ``Std:Join``, ``Std:JsonGet``) are accepted wherever a literal
is, provided their type fits the field; CDK tokens are skipped, never guessed.

Shapes are compiled once per process into ``CompiledShape`` objects (members with their
field-path segments, enums as frozensets, patterns compiled), and field paths are kept
as ``(parent, segment)`` pairs that are joined into text only when a problem is
recorded. A validator can walk the same value for its own checks in the same pass: the
checker hands it every expression it meets and every part it does not descend into
(see ``ReferenceWalker``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Protocol

from ._errors import Problem
from ._service_model import Shape, botocore_version, shapes
from ._suggest import did_you_mean, one_of
from ._tokens import _INTRINSIC_KEYS, _STRING_TOKEN, _STRINGIFIED_NUMBER_TOKEN, is_token
from .images import image_digest_problem

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
# The service reads "integer" members as 32-bit and "long" members as 64-bit integers: a
# larger number fails to parse when the pipeline is created or run, whatever botocore's
# (often absent) maximum says.
_WORD_LIMITS = {"integer": (32, 2**31 - 1), "long": (64, 2**63 - 1)}
_NO_MEMBERS: frozenset[str] = frozenset()
_UNCOMPILED = object()
# Strings known to pass a string shape's checks are remembered, up to this many per shape.
_OK_CACHE_LIMIT = 2048

Path = Any
"""A field path: a string, or a ``(parent path, segment)`` pair joined by ``field_text``."""


def field_text(path: Path) -> str:
    """Join a lazily built field path into its text, e.g. ``Arguments.RoleArn``."""
    if type(path) is str:
        return path
    segments: list[str] = []
    while type(path) is not str:
        path, segment = path
        segments.append(segment)
    segments.append(path)
    segments.reverse()
    return "".join(segments)


_INDEX_SEGMENTS = tuple(f"[{index}]" for index in range(256))


def index_segment(index: int) -> str:
    """``[index]``, pre-built for small indexes."""
    return _INDEX_SEGMENTS[index] if index < 256 else f"[{index}]"


def is_expression(value: Any) -> bool:
    """Return True for a definition expression such as ``{"Get": "Parameters.X"}``."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSION_KEYS


def misspells(value: Any, shape_name: str, members: Collection[str]) -> bool:
    """Whether the object ``value`` has an unknown member close to one of ``members``.

    The shape check reports such a member as unknown and names the one meant
    (``InstanceCounts``: did you mean 'InstanceCount'?), so a rule that finds one of
    ``members`` missing stays silent rather than report the same slip twice.

    Example::

        misspells({"InstanceCounts": 1}, "ResourceConfig", ["InstanceCount"])  # True
    """
    if not isinstance(value, Mapping) or is_expression(value):
        return False
    known = shapes()[shape_name].get("members", {})
    return any(
        isinstance(name, str) and name not in known and did_you_mean(name, members) is not None
        for name in value
    )


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

    def property_shape(self, expression: Mapping[str, Any]) -> tuple[str, str] | None:
        """Return the botocore shape (service, name) of a step property leaf, if known."""


class ReferenceWalker(Protocol):
    """Receives, during a check, what a validator walks for its own (reference) checks."""

    def reference_expression(self, value: Mapping[str, Any], path: Path) -> None:
        """An expression at ``path`` (checked by the validator, typed by the checker)."""

    def reference_walk(self, value: Any, path: Path, shape: CompiledShape | None) -> None:
        """A value the checker does not descend into, with the shape it was checked against."""


class CompiledShape:
    """A botocore shape prepared for checking (one object per shape, built once).

    ``members`` maps a structure's member names to their ``.Name`` path segment and
    compiled shape; ``item``, ``key`` and ``value`` are a list's and a map's parts. They
    are built on first use (``linked`` says whether they are): a request shape reaches
    many shapes that a given request never uses.
    """

    __slots__ = (
        "enum",
        "enum_set",
        "image",
        "item",
        "key",
        "kind",
        "linked",
        "maximum",
        "members",
        "minimum",
        "ok",
        "pattern",
        "regex",
        "required",
        "service",
        "shape",
        "value",
    )

    def __init__(self, shape: Shape, service: str, name: str = "") -> None:
        self.shape = shape
        self.service = service
        self.kind: str = shape["type"]
        self.linked = False
        self.members: dict[str, tuple[str, CompiledShape]] = {}
        self.required: tuple[str, ...] = tuple(shape.get("required", ()))
        self.item: CompiledShape | None = None
        self.key: CompiledShape | None = None
        self.value: CompiledShape | None = None
        self.enum: Any = shape.get("enum")
        self.enum_set: Any = _UNCOMPILED if self.enum is not None else None
        self.pattern: Any = shape.get("pattern")
        # Compiled on first use: most shapes reachable from a request are never visited.
        self.regex: Any = _UNCOMPILED if self.pattern is not None else None
        self.minimum: Any = _MINIMUM_OVERRIDES.get((service, name), shape.get("min"))
        self.maximum: Any = shape.get("max")
        self.image = (service, name) in _IMAGE_SHAPES
        # Strings (of string shapes) and ints (of number shapes) known to pass the checks.
        self.ok: set[str | int] = set()

    def link(self) -> CompiledShape:
        """Build the compiled members, item, key and value shapes (once)."""
        if not self.linked:
            shape, service = self.shape, self.service
            if self.kind == "structure":
                self.members = {
                    member: ("." + member, compiled_shape(spec["shape"], service))
                    for member, spec in shape.get("members", {}).items()
                }
            elif self.kind == "list":
                self.item = compiled_shape(shape["member"]["shape"], service)
            elif self.kind == "map":
                self.key = compiled_shape(shape["key"]["shape"], service)
                self.value = compiled_shape(shape["value"]["shape"], service)
            self.linked = True
        return self

    def in_enum(self, value: str) -> bool:
        """``value in enum``, through a frozenset built on first use."""
        enum_set = self.enum_set
        if enum_set is _UNCOMPILED:
            try:
                enum_set = frozenset(self.enum)
            except TypeError:  # an unhashable enum value: use the list as it is
                enum_set = None
            self.enum_set = enum_set
        return value in (enum_set if enum_set is not None else self.enum)


_COMPILED: dict[tuple[str, str], CompiledShape] = {}
# Where the service model is laxer than the service: an empty processing or training
# image URI passes botocore (min 0) and fails only when the job starts.
_MINIMUM_OVERRIDES: dict[tuple[str, str], int] = {
    ("sagemaker", "ImageUri"): 1,
    ("sagemaker", "AlgorithmImage"): 1,
}
# The image URIs of a definition (a job's, a model's, a model package's containers): their
# patterns take any text, so a malformed digest ('…@sha256:abc') would pass botocore and
# fail only when the job or endpoint pulls the image.
_IMAGE_SHAPES = frozenset(
    {("sagemaker", "ImageUri"), ("sagemaker", "AlgorithmImage"), ("sagemaker", "ContainerImage")}
)


def compiled_shape(name: str, service: str = "sagemaker") -> CompiledShape:
    """The compiled form of botocore shape ``name`` (one object per shape and process)."""
    found = _COMPILED.get((service, name))
    if found is None:
        found = _COMPILED[(service, name)] = CompiledShape(shapes(service)[name], service, name)
    return found


def shape_regex(name: str, service: str = "sagemaker") -> re.Pattern[str] | None:
    """Botocore shape ``name``'s pattern, compiled once per process (None: it has none).

    Example::

        shape_regex("ArnOrName").fullmatch("churn-models")[2]  # 'churn-models'
    """
    pattern = compiled_shape(name, service).pattern
    return None if pattern is None else _compiled(pattern)


_PATTERNS: dict[str, re.Pattern[str] | None] = {}


def _compiled(pattern: str) -> re.Pattern[str] | None:
    if pattern in _PATTERNS:
        return _PATTERNS[pattern]
    try:
        compiled: re.Pattern[str] | None = re.compile(pattern)
    except re.error:  # Java-only syntax such as \p{L}: skip rather than guess
        compiled = None
    _PATTERNS[pattern] = compiled
    return compiled


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _as_text_hint(value: Any) -> str | None:
    """How to write a value that a text member (a hyperparameter, say) needs as text."""
    if isinstance(value, bool):
        return "write it as text, such as 'true', in the spelling the job parses"
    if isinstance(value, (int, float)):
        return f"write it as text: {json.dumps(str(value))}"
    if isinstance(value, (list, dict)):
        # The SDK's framework estimators JSON-encode such hyperparameters for the script.
        return "write it as text, such as its JSON (json.dumps in Python), and parse it in the job"
    return None


class ShapeChecker:
    """Walk a value and a shape side by side, collecting every problem found.

    With ``refs``, the walk also hands the validator each expression it meets and each
    part it does not check (unknown members, mismatched types, tokens), so one pass
    serves both checks.

    Example::

        checker = ShapeChecker(step="Train", typer=typer)
        problems = list(checker.check(arguments, "CreateModelPackageInput", "Arguments",
                                      service_supplied={"CertifyForMarketplace"}))
    """

    __slots__ = ("memo", "problems", "refs", "service", "step", "typer")

    def __init__(
        self,
        step: str | None,
        typer: ExpressionTyper,
        service: str = "sagemaker",
        refs: ReferenceWalker | None = None,
        memo: dict[Any, list[tuple[str, str | None]]] | None = None,
    ) -> None:
        self.step = step
        self.typer = typer
        self.service = service
        self.refs = refs
        # Problems of ``{"Get": …}`` expressions per (shape, reference), shared by the
        # checkers of one typer (the typer answers the same for the same reference).
        self.memo = memo
        self.problems: list[Problem] = []

    def check(
        self,
        value: Any,
        shape_name: str,
        field: str,
        service_supplied: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> Iterator[Problem]:
        """Check ``value`` against the named shape.

        ``service_supplied`` members must be absent; ``optional`` members are checked when
        present, though the shape requires them.
        """
        return iter(self.run(value, shape_name, field, service_supplied, optional))

    def run(
        self,
        value: Any,
        shape_name: str,
        field: Path,
        service_supplied: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> list[Problem]:
        """Like ``check``, returning the list of problems."""
        shape = compiled_shape(shape_name, self.service)
        problems: list[Problem] = []
        self.problems = problems
        if isinstance(value, dict) and not is_expression(value) and not is_token(value):
            for member in service_supplied:
                if member in value:
                    problems.append(
                        Problem(
                            self.step,
                            f"{field_text(field)}.{member}",
                            f"'{member}' is set by SageMaker Pipelines at run time",
                            "remove it",
                        )
                    )
        skip = frozenset(service_supplied).union(optional)
        if (
            skip
            and shape.kind == "structure"
            and isinstance(value, dict)
            and not is_token(value)
            and not is_expression(value)
            and not _is_function_call(value)
        ):
            self._structure(value, shape, field, skip)
        else:
            self._check(value, shape, field)
        return problems

    def _problem(self, field: Path, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.step, field_text(field), message, hint))

    def _unchecked(self, value: Any, field: Path, shape: CompiledShape | None) -> None:
        refs = self.refs
        if refs is not None:
            refs.reference_walk(value, field, shape)

    def _check(self, value: Any, shape: CompiledShape, field: Path) -> None:
        kind = type(value)
        if kind is str:
            if value in shape.ok:
                return
            if "{Token[" in value and _STRING_TOKEN.search(value) is not None:
                return
            if "e+289" in value and _STRINGIFIED_NUMBER_TOKEN.search(value) is not None:
                return  # a number token written as text (render_string of value_as_number)
            if shape.kind == "string":
                self._string(value, shape, field)
            elif shape.kind not in ("timestamp", "blob"):
                self._generic(value, shape, field)
            return
        if kind is dict:
            if len(value) == 1:
                key = next(iter(value))
                if key in EXPRESSION_KEYS:
                    if self.refs is not None:
                        self.refs.reference_expression(value, field)
                    self._check_expression(value, shape, field)
                    return
                if key in _INTRINSIC_KEYS or (isinstance(key, str) and key.startswith("Std:")):
                    # A token, or an unknown ``Std:`` function (reported where expressions
                    # are checked): not ours to check.
                    self._unchecked(value, field, shape)
                    return
            if shape.kind == "structure":
                self._structure(value, shape, field, _NO_MEMBERS)
            elif shape.kind == "map":
                self._map(value, shape, field)
            else:
                self._generic(value, shape, field)
            return
        if kind is list:
            if len(value) == 1 and isinstance(value[0], str) and value[0].startswith("#{Token["):
                return  # a list token: strings only, nothing for the validator either
            if shape.kind == "list":
                self._list(value, shape, field)
            else:
                self._generic(value, shape, field)
            return
        if kind is int:
            shape_kind = shape.kind
            if shape_kind in _NUMBER_TYPES:
                if self._range(value, shape, field) and len(shape.ok) < _OK_CACHE_LIMIT:
                    shape.ok.add(value)
            elif shape_kind != "timestamp":
                self._generic(value, shape, field)
            return
        if value is None or (kind is bool and shape.kind == "boolean"):
            return
        self._generic(value, shape, field)

    def _generic(self, value: Any, shape: CompiledShape, field: Path) -> None:
        """Any other value (bools, floats, subclasses, non-JSON types), as the rules say."""
        if is_token(value):
            self._unchecked(value, field, shape)
            return
        if is_expression(value):
            if self.refs is not None:
                self.refs.reference_expression(value, field)
            self._check_expression(value, shape, field)
            return
        if _is_function_call(value):
            self._unchecked(value, field, shape)
            return
        kind = shape.kind
        if kind == "structure":
            if isinstance(value, dict):
                self._structure(value, shape, field, _NO_MEMBERS)
                return
            self._problem(field, f"expected an object, got {_describe(value)}")
        elif kind == "map":
            if isinstance(value, dict):
                self._map(value, shape, field)
                return
            self._problem(field, f"expected an object, got {_describe(value)}")
        elif kind == "list":
            if isinstance(value, list):
                self._list(value, shape, field)
                return
            self._problem(field, f"expected a list, got {_describe(value)}")
        elif kind == "string":
            if isinstance(value, str):
                self._string(value, shape, field)
            else:
                self._problem(
                    field, f"expected a string, got {_describe(value)}", _as_text_hint(value)
                )
        elif kind in _NUMBER_TYPES:
            integral = kind in ("integer", "long")
            ok = isinstance(value, int) if integral else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok:
                self._problem(field, f"expected {_TYPE_NOUNS[kind]}, got {_describe(value)}")
            else:
                self._range(value, shape, field)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self._problem(field, f"expected a boolean, got {_describe(value)}")
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                self._problem(field, f"expected a timestamp, got {_describe(value)}")
        elif kind == "blob" and not isinstance(value, str):
            self._problem(field, f"expected a string, got {_describe(value)}")
        self._unchecked(value, field, shape)

    def _check_expression(
        self, value: Mapping[str, Any], shape: CompiledShape, field: Path
    ) -> None:
        memo = self.memo
        reference = value.get("Get") if memo is not None else None
        if memo is not None and type(reference) is str:
            # Same shape, same reference, same typer: same problems.
            key = (shape, reference)
            found = memo.get(key)
            if found is None:
                found = memo[key] = self._expression_problems(value, shape)
        else:
            found = self._expression_problems(value, shape)
        if found:
            text = field_text(field)
            for message, hint in found:
                self.problems.append(Problem(self.step, text, message, hint))

    def _expression_problems(
        self, value: Mapping[str, Any], shape: CompiledShape
    ) -> list[tuple[str, str | None]]:
        """The (message, hint) of each problem of an expression in a field of ``shape``."""
        kind = shape.kind
        if kind in ("structure", "map", "list"):
            return [
                (
                    f"expected {_TYPE_NOUNS[kind]}, got an expression",
                    "expressions stand only where a single value is expected",
                )
            ]
        expression_type = self.typer.type_of(value)
        wanted = _WANTED_TYPES.get(kind)
        if expression_type is not None and wanted is not None and expression_type not in wanted:
            return [
                (
                    f"expected {_TYPE_NOUNS[kind]}, got {_expression_text(value)}, "
                    f"{_article(expression_type)} {expression_type}",
                    _type_hint(value, kind, wanted),
                )
            ]
        if shape.pattern in _URI_PATTERNS:
            found_uri = _uri_problem(value) or self._property_uri_problem(value, shape)
            if found_uri is not None:
                return [found_uri]
        # A parameter's default and enum values are known now: check them like literals.
        candidates = self.typer.candidate_values(value)
        if not candidates:
            return []
        found: list[tuple[str, str | None]] = []
        literal = ShapeChecker(self.step, self.typer, self.service)
        for candidate in candidates:
            literal.problems = []
            literal._check(candidate, shape, "")
            for problem in literal.problems:
                found.append(
                    (
                        f"{_expression_text(value)} may be {candidate!r}: {problem.message}",
                        problem.hint,
                    )
                )
        return found

    def _property_uri_problem(
        self, value: Mapping[str, Any], shape: CompiledShape
    ) -> tuple[str, str | None] | None:
        """Why a step property given for an S3 URI can never be one, if its shape says so.

        So too a ``Std:Join`` whose first value is such a property: what it builds begins
        with that property's value. A Join of that property alone is judged as the
        property; one followed by more values by whether the property's value, then the
        separator, may begin a URI (``s3:`` then ``/`` would).
        """
        body = value.get("Std:Join")
        if isinstance(body, Mapping):
            separator, values = body.get("On", ""), body.get("Values")
            if type(separator) is not str or is_token(separator) or type(values) is not list:
                return None
            first: Any = values[0] if values else None
            reference = first.get("Get") if isinstance(first, Mapping) else None
            if type(reference) is not str or not reference.startswith("Steps."):
                return None  # a literal first value is _uri_problem's
            source = self.typer.property_shape(first)
            if source is None:
                return None
            if len(values) == 1:
                never = _never_uri(source, shape)
            else:
                never = _never_uri_start(source, separator, shape)
            if not never:
                return None
            return (
                f"a Std:Join beginning with '{reference}', {_shape_noun(source[1])}, is "
                "never an S3 URI",
                "begin it with 's3://…', or with a property that holds an S3 URI, such as "
                "ModelArtifacts.S3ModelArtifacts or "
                "ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri",
            )
        reference = value.get("Get")
        if type(reference) is not str or not reference.startswith("Steps."):
            return None
        source = self.typer.property_shape(value)
        if source is None or not _never_uri(source, shape):
            return None
        return (
            f"'{reference}' is {_shape_noun(source[1])}, never an S3 URI",
            "use a property that holds one, such as ModelArtifacts.S3ModelArtifacts or "
            "ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri",
        )

    def _structure(
        self,
        value: dict[Any, Any],
        shape: CompiledShape,
        field: Path,
        skip_members: frozenset[str],
    ) -> None:
        if not shape.linked:
            shape.link()
        for name in shape.required:
            if value.get(name) is not None or name in skip_members:
                continue
            if name not in value:
                self._problem((field, "." + name), f"missing required member '{name}'")
            else:
                self._problem(
                    (field, "." + name), f"required member '{name}' is null", "give it a value"
                )
        members = shape.members
        check = self._check
        for name, member_value in value.items():
            member = members.get(name)
            if member is None:
                if name not in skip_members:
                    # No close match: perhaps a member the API gained after the installed
                    # botocore, whose model is all validation knows.
                    hint = did_you_mean(name, members) or (
                        f"valid members: {one_of(members, 12)}; a member the API gained after "
                        f"botocore {botocore_version()} needs a newer botocore"
                    )
                    self._problem((field, f".{name}"), f"unknown member '{name}'", hint)
                self._unchecked_member(member_value, field, str(name))
                continue
            child = member[1]
            kind = type(member_value)
            if kind is str or kind is int:
                if member_value in child.ok:
                    continue  # checked before: same shape, same value
            elif kind is dict:
                if len(member_value) != 1 and child.kind == "structure":
                    self._structure(member_value, child, (field, member[0]), _NO_MEMBERS)
                    continue
            elif member_value is None or (kind is bool and child.kind == "boolean"):
                continue
            check(member_value, child, (field, member[0]))

    def _unchecked_member(self, value: Any, field: Path, name: str) -> None:
        """A member the shape does not know: walked by the validator, with no shape."""
        refs = self.refs
        if refs is not None:
            child = (field, "." + name) if (type(field) is not str or field) else name
            refs.reference_walk(value, child, None)

    def _list(self, value: list[Any], shape: CompiledShape, field: Path) -> None:
        size = len(value)
        if (shape.minimum is not None and size < shape.minimum) or (
            shape.maximum is not None and size > shape.maximum
        ):
            self._check_size(size, shape, field, "items")
        item_shape = shape.item if shape.linked else shape.link().item
        assert item_shape is not None
        check = self._check
        ok = item_shape.ok
        structures = item_shape.kind == "structure"
        for index, item in enumerate(value):
            kind = type(item)
            if kind is str or kind is int:
                if item in ok:
                    continue  # checked before: same shape, same value
            elif kind is dict:
                if structures and len(item) != 1:
                    self._structure(item, item_shape, (field, index_segment(index)), _NO_MEMBERS)
                    continue
            elif item is None:
                self._null(item_shape, (field, index_segment(index)), "the item")
                continue
            check(item, item_shape, (field, index_segment(index)))

    def _map(self, value: dict[Any, Any], shape: CompiledShape, field: Path) -> None:
        size = len(value)
        if (shape.minimum is not None and size < shape.minimum) or (
            shape.maximum is not None and size > shape.maximum
        ):
            self._check_size(size, shape, field, "entries")
        if not shape.linked:
            shape.link()
        key_shape, value_shape = shape.key, shape.value
        assert key_shape is not None
        assert value_shape is not None
        check = self._check
        for key, item in value.items():
            item_field = (field, f"['{key}']")
            check(key, key_shape, (item_field, " (key)"))
            if item is not None:
                check(item, value_shape, item_field)
            else:
                self._null(value_shape, item_field, "the entry")

    def _null(self, shape: CompiledShape, field: Path, what: str) -> None:
        """A null list item or map value: unlike a null member, it does not mean 'absent'."""
        self._problem(
            field,
            f"expected {_TYPE_NOUNS.get(shape.kind, 'a value')}, got null",
            f"remove {what} or give it a value (None in Python renders as null)",
        )

    def _string(self, value: str, shape: CompiledShape, field: Path) -> None:
        enum = shape.enum
        if enum is not None:
            if not shape.in_enum(value):
                hint = did_you_mean(value, enum) or _enum_examples(value, enum)
                self._problem(field, f"expected one of {one_of(enum)}, got {value!r}", hint)
            elif len(shape.ok) < _OK_CACHE_LIMIT:
                shape.ok.add(value)
            return
        regex = shape.regex
        if regex is _UNCOMPILED:
            regex = shape.regex = _compiled(shape.pattern)
        if regex is not None and regex.fullmatch(value) is None:
            # The pattern says more than the length limits do: report it alone.
            hint = _PATTERN_EXAMPLES.get(str(shape.pattern))
            if shape.pattern in _URI_PATTERNS:
                hint = _uri_pattern_hint(value, field_text(field)) or hint
            self._problem(
                field, f"{_shorten(value)!r} does not match the pattern {shape.pattern}", hint
            )
            return
        if shape.pattern in _URI_PATTERNS:
            found_bucket = _uri_bucket_problem(value, complete=True)
            if found_bucket is not None:
                self._problem(field, *found_bucket)
                return
        if shape.image and "@" in value:
            digest = image_digest_problem(value)
            if digest is not None:
                self._problem(field, digest)
                return
        size = len(value)
        if (shape.minimum is not None and size < shape.minimum) or (
            shape.maximum is not None and size > shape.maximum
        ):
            self._check_size(size, shape, field, "characters")
        elif len(shape.ok) < _OK_CACHE_LIMIT:
            shape.ok.add(value)

    def _range(self, value: Any, shape: CompiledShape, field: Path) -> bool:
        """Check a number against the shape's limits; True if it is within them."""
        minimum, maximum = shape.minimum, shape.maximum
        ok = True
        if minimum is not None and value < minimum:
            self._problem(field, f"{value} is below the minimum {minimum}")
            ok = False
        if maximum is not None and value > maximum:
            self._problem(field, f"{value} is above the maximum {maximum}")
            ok = False
        word = _WORD_LIMITS.get(shape.kind)
        if ok and word is not None and not -word[1] - 1 <= value <= word[1]:
            bits, limit = word
            shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:27]}..."
            self._problem(
                field,
                f"{shown} does not fit the field's {bits}-bit integer ({-limit - 1}..{limit})",
            )
            ok = False
        return ok

    def _check_size(self, size: int, shape: CompiledShape, field: Path, unit: str) -> None:
        minimum, maximum = shape.minimum, shape.maximum
        if minimum is not None and size < minimum:
            self._problem(field, f"has {size} {unit}, fewer than the minimum {minimum}")
        if maximum is not None and size > maximum:
            self._problem(field, f"has {size} {unit}, more than the maximum {maximum}")


_URI_PATTERN = "(https|s3)://([^/]+)/?(.*)"
# Examples shown with a pattern mismatch, for the patterns users most often miss.
_PATTERN_EXAMPLES = {
    r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+": (
        "expected an IAM role ARN such as 'arn:aws:iam::111122223333:role/SageMakerRole'"
    ),
    _URI_PATTERN: "expected an S3 URI such as 's3://my-bucket/prefix'",
    # ArnOrName: model package groups, models, and others named by name or ARN.
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?"
    r"([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)": (
        "expected a name of 1-63 letters, digits and hyphens, not starting or ending with a "
        "hyphen (such as 'churn-models'), or its ARN"
    ),
    # EntityName: endpoints, endpoint configurations, variants, and others.
    r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}": (
        "expected a name of 1-63 letters, digits and hyphens, not starting or ending with a "
        "hyphen (such as 'churn-endpoint')"
    ),
    # ModelName, InferenceComponentName: the same characters (their length is checked apart).
    r"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?": (
        "expected a name of letters, digits and hyphens, not starting or ending with a "
        "hyphen (such as 'churn-model')"
    ),
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


# Patterns of S3 URIs (and of model data URLs, which may also be https).
_URI_PATTERNS = frozenset({"(https|s3)://([^/]+)/?(.*)", "(s3)://([^/]+)/?(.*)"})
_URI_SCHEMES = ("s3://", "https://")
_URI_JOIN_HINT = (
    'join it into one: Join(on="/", values=["s3://my-bucket", ...]) in Python, '
    '{"Std:Join": {"On": "/", "Values": ["s3://my-bucket", ...]}} in JSON'
)


_MISSPELLED_SCHEME = re.compile(r"(?i)s3:/*(?P<rest>[^/].*)")


def _uri_pattern_hint(value: str, field: str) -> str | None:
    """A hint for text that isn't an S3 URI: a misspelled scheme, or a local path.

    Newcomers from the SageMaker SDK give a local path where it uploads one for them;
    here that is ``S3Location.from_asset`` (for what a job reads, never for an output).
    """
    misspelled = _MISSPELLED_SCHEME.fullmatch(value)
    if misspelled is not None and not value.startswith("s3://"):
        return f"did you mean 's3://{_shorten(misspelled.group('rest'))}'?"
    if "://" in value or "Output" in field:
        return None
    return (
        f"{_PATTERN_EXAMPLES[_URI_PATTERN]}; a local file is not uploaded for you: "
        "give S3Location.from_asset(path) to ship it with the pipeline"
    )


# What a field that takes an S3 URI may be given: a property whose shape admits none of
# these (that the field admits) never holds an S3 URI.
_SAMPLE_URIS = ("s3://bucket/key", "s3://bucket/prefix/", "https://bucket.s3.amazonaws.com/key")
# Verdicts per (property shape, field shape): few pairs occur, each is judged once.
_NEVER_URI: dict[tuple[tuple[str, str], CompiledShape], bool] = {}


def _never_uri(source: tuple[str, str], target: CompiledShape) -> bool:
    """Whether property shape ``source`` can never hold a URI that field ``target`` accepts.

    Judged from the source's enum, or else its pattern; a source with neither (or a
    pattern Python can't compile) may hold anything and is never judged.
    """
    key = (source, target)
    found = _NEVER_URI.get(key)
    if found is None:
        found = _NEVER_URI[key] = _judge_never_uri(source, target)
    return found


def _target_regex(target: CompiledShape) -> re.Pattern[str] | None:
    """Field ``target``'s pattern, compiled once (None if Python can't compile it)."""
    if target.regex is _UNCOMPILED:
        target.regex = _compiled(target.pattern)
    regex: re.Pattern[str] | None = target.regex
    return regex


def _judge_never_uri(source: tuple[str, str], target: CompiledShape) -> bool:
    target_regex = _target_regex(target)
    if target_regex is None:
        return False
    accepted = [uri for uri in _SAMPLE_URIS if target_regex.fullmatch(uri) is not None]
    if not accepted:
        return False
    spec = shapes(source[0]).get(source[1])
    if spec is None or spec.get("type") != "string":
        return False
    enum = spec.get("enum")
    if enum is not None:
        return not any(target_regex.fullmatch(str(item)) is not None for item in enum)
    pattern = spec.get("pattern")
    source_regex = _compiled(pattern) if isinstance(pattern, str) else None
    if source_regex is None:
        return False
    return not any(source_regex.fullmatch(uri) is not None for uri in accepted)


# Verdicts per (property shape, Join separator, field shape), as _NEVER_URI's.
_NEVER_URI_START: dict[tuple[tuple[str, str], str, CompiledShape], bool] = {}


def _never_uri_start(source: tuple[str, str], separator: str, target: CompiledShape) -> bool:
    """Whether a Join of property shape ``source``, ``separator`` and more never builds a URI.

    What the Join builds begins with the property's value then the separator: that must
    begin with a scheme field ``target`` accepts, or be the start of one (``s3:`` joined
    on ``/``). Judged from the source's enum, or else its pattern against sample URIs and
    the starts of schemes; a source with neither may hold anything and is never judged.
    """
    key = (source, separator, target)
    found = _NEVER_URI_START.get(key)
    if found is None:
        found = _NEVER_URI_START[key] = _judge_never_uri_start(source, separator, target)
    return found


def _judge_never_uri_start(source: tuple[str, str], separator: str, target: CompiledShape) -> bool:
    target_regex = _target_regex(target)
    if target_regex is None:
        return False
    accepted = [uri for uri in _SAMPLE_URIS if target_regex.fullmatch(uri) is not None]
    schemes = {uri[: uri.index("://") + 3] for uri in accepted}
    if not schemes:
        return False

    def may_begin_uri(text: str) -> bool:
        joined = text + separator
        return any(joined.startswith(scheme) or scheme.startswith(joined) for scheme in schemes)

    spec = shapes(source[0]).get(source[1])
    if spec is None or spec.get("type") != "string":
        return False
    enum = spec.get("enum")
    if enum is not None:
        return not any(may_begin_uri(str(item)) for item in enum)
    pattern = spec.get("pattern")
    source_regex = _compiled(pattern) if isinstance(pattern, str) else None
    if source_regex is None:
        return False
    starts = [
        scheme[:length]
        for scheme in schemes
        for length in range(len(scheme) + 1)
        if may_begin_uri(scheme[:length])
    ]
    samples = [*accepted, *(f"{scheme}bucket" for scheme in schemes), *starts]
    return not any(source_regex.fullmatch(sample) is not None for sample in samples)


_ACRONYMS = {"Arn": "ARN", "Id": "ID", "Uri": "URI", "Url": "URL", "Kms": "KMS", "Vpc": "VPC"}


def _shape_noun(shape_name: str) -> str:
    """A shape name as a noun: ``TrainingJobName`` → ``a training job name``."""
    words = re.findall(r"[A-Z0-9]+(?![a-z])|[A-Z]?[a-z0-9]+", shape_name) or [shape_name]
    text = " ".join(_ACRONYMS.get(word, word if word.isupper() else word.lower()) for word in words)
    return f"{_article(text)} {text}"


def _uri_problem(value: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """Why an expression given for an S3 URI can never be one, if it can't.

    An execution variable is an id, a name, an ARN or a date, never a URI; a ``Std:Join``
    whose leading literal values don't begin with a URI scheme builds none (the SDK's
    ``["s3:/", bucket, …]`` on ``/`` does). Values that only run time knows are not judged.
    """
    reference = value.get("Get")
    if isinstance(reference, str):
        if reference.startswith("Execution."):
            return (f"'{reference}' is not an S3 URI", _URI_JOIN_HINT)
        return None
    body = value.get("Std:Join")
    if not isinstance(body, Mapping):
        return None
    separator, values = body.get("On", ""), body.get("Values")
    if type(separator) is not str or is_token(separator) or type(values) is not list:
        return None
    literals: list[str] = []
    for item in values:
        if type(item) not in (str, int, float) or is_token(item):
            break
        literals.append(str(item))
    prefix = separator.join(literals)
    complete = len(literals) == len(values)
    if 0 < len(literals) < len(values):
        prefix += separator  # a run-time value follows
    if prefix.startswith("s3://"):
        return _uri_bucket_problem(prefix, complete=complete, joined=True)
    if not prefix or any(
        prefix.startswith(scheme) or scheme.startswith(prefix) for scheme in _URI_SCHEMES
    ):
        return None
    return (
        f"a Std:Join beginning {_shorten(prefix)!r} is not an S3 URI",
        "begin its first value with 's3://', such as 's3://my-bucket'",
    )


# A bucket's ARN (not an access point's, nor an Outposts bucket's): arn:<partition>:s3:::<name>.
_BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::([^:/]+)")


def _uri_bucket_problem(
    uri: str, *, complete: bool, joined: bool = False
) -> tuple[str, str | None] | None:
    """Why the bucket of ``s3://<bucket>/…`` can't be one: a URI or an ARN given for a name.

    ``uri`` may be only the start of what a Join builds: its bucket is judged once the
    literal text has ended it (with ``/``), or when ``complete``. Bucket names never hold
    ``:`` (legacy names may have capitals and underscores, so only that is judged), so
    ``s3://s3://data/…`` and ``s3://arn:aws:s3:::data/…`` are a bucket *name* parameter
    given a URI or an ARN, found here rather than when the job fails to read it. Other
    ARNs in the bucket's place (an access point's, ``s3://arn:aws:s3:us-east-1:…:accesspoint/
    name/key``, which S3 clients take where a bucket name goes) are not judged: whether
    SageMaker reads them is not documented either way.
    """
    if not uri.startswith("s3://") or is_token(uri):
        return None
    rest = uri[len("s3://") :]
    bucket, slash, _ = rest.partition("/")
    if not (slash or complete) or ":" not in bucket:
        return None
    if bucket.startswith("arn:"):
        bucket_arn = _BUCKET_ARN.fullmatch(bucket)
        if bucket_arn is None:
            return None
        what, name = "an ARN", bucket_arn.group(1)
    elif bucket.endswith(":"):  # s3://s3://data/…: the text after the scheme is a URI
        what, name = "a URI", rest.partition("://")[2].partition("/")[0]
    else:
        what, name = None, bucket
    built = "builds" if joined else "is"
    message = f"{_shorten(uri)!r} {built} an S3 URI whose bucket {bucket!r} is not a bucket name"
    if what is None:
        return (message, "a bucket name has no ':'; write 's3://<bucket>/<key>'")
    return (
        f"{message}: {what} was given where the bucket's name belongs",
        f"give the bucket name alone ({name!r}, e.g. bucket.bucket_name), not {what}",
    )


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
