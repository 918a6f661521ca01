"""Shared rendering helpers: turn definition objects into the definition JSON.

Every renderable object has ``to_request(ctx)``; ``render`` walks plain containers
and delegates to those. The ``RenderContext`` carries the binder (which turns code,
images and default locations into values) and records every step and parameter a
rendered value refers to, so compile can collect steps reachable by reference.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._errors import PipelineDefinitionError, Problem, UnrenderableValueError

if TYPE_CHECKING:
    from .bindables import Binder, BindingError
    from .parameters import Parameter
    from .steps._base import Step

JsonValue = Any
"""A JSON-compatible value (dict, list, str, int, float, bool or None)."""


@runtime_checkable
class Renderable(Protocol):
    """Anything that renders itself into definition JSON.

    Example::

        def render_all(items: list[Renderable], ctx: RenderContext) -> list[JsonValue]:
            return [item.to_request(ctx) for item in items]
    """

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Return the JSON fragment for this object."""


class RenderContext:
    """State shared while rendering one pipeline.

    Example::

        ctx = RenderContext(binder=StaticBinder(role_arn=ROLE))
        step.to_request(ctx)
        ctx.referenced_steps  # steps reached through references
    """

    def __init__(self, binder: Binder | None = None) -> None:
        if binder is None:
            from .bindables import StaticBinder

            binder = StaticBinder()
        missing = [name for name in _BINDER_METHODS if not callable(getattr(binder, name, None))]
        if missing:
            # Else the first step to bind something fails with an AttributeError.
            raise PipelineDefinitionError(
                f"binder= expects a Binder, got {type(binder).__name__} {binder!r:.60}, "
                f"which has no {', '.join(missing)} (pass StaticBinder(region=…, "
                "role_arn=…, default_bucket=…), or deploy with the CDK Pipeline construct)"
            )
        self.binder: Binder = binder
        self.referenced_steps: list[Step] = []
        self.referenced_parameters: list[Parameter] = []
        self._seen_steps: set[int] = set()
        self._seen_parameters: set[int] = set()
        self.problems: list[Problem] = []
        self._rendered_steps: dict[int, dict[str, JsonValue]] = {}
        self.branch_members: dict[int, Step] = {}
        self.branch_order: list[Step] = []
        # (step name, output name) -> rebinds that default output as retained, in place.
        self._retainable_outputs: dict[tuple[str, str], Callable[[], None]] = {}
        # Per step being rendered (innermost last): its name and the placeholders standing
        # for values that could not be rendered, each with its problem's message and hint.
        self._rendering: list[tuple[str, list[tuple[str, str, str | None]]]] = []
        self._placeholders = 0
        # Per S3 URI a binder placed a local file or directory at: that path, and the step
        # and field that placed it there first (two different files there would collide).
        self.local_files: dict[str, tuple[str, str, str]] = {}
        # Per step name, the binder's job defaults, asked once (see steps._base.job_defaults).
        self.job_defaults: dict[str, Any] = {}

    def note_step(self, step: Step) -> None:
        """Record that a rendered value refers to ``step``."""
        if id(step) not in self._seen_steps:
            self._seen_steps.add(id(step))
            self.referenced_steps.append(step)

    def note_parameter(self, parameter: Parameter) -> None:
        """Record that a rendered value refers to ``parameter``."""
        if id(parameter) not in self._seen_parameters:
            self._seen_parameters.add(id(parameter))
            self.referenced_parameters.append(parameter)

    def note_branch_member(self, step: Step) -> None:
        """Record that ``step`` sits in a condition branch (so it is not top level)."""
        if id(step) not in self.branch_members:
            self.branch_members[id(step)] = step
            self.branch_order.append(step)

    def note_default_output(
        self, step_name: str, output_name: str, retain: Callable[[], None]
    ) -> None:
        """Record a default output location that ``retain`` can rebind as retained."""
        self._retainable_outputs[(step_name, output_name)] = retain

    def retain_output(self, step_name: str, output_name: str) -> None:
        """Rebind a recorded default output as one that must outlive the execution (once)."""
        retain = self._retainable_outputs.pop((step_name, output_name), None)
        if retain is not None:
            retain()

    def render_step(self, step: Step) -> dict[str, JsonValue]:
        """Render ``step`` once per pipeline; later calls return the same entry."""
        entry = self._rendered_steps.get(id(step))
        if entry is None:
            entry = step.to_request(self)
            self._rendered_steps[id(step)] = entry
        return entry

    def enter_step(self, name: str) -> None:
        """Start rendering the entry of step ``name`` (see ``leave_step``)."""
        self._rendering.append((name, []))

    def leave_step(self, entry: Any) -> None:
        """Finish the step entered last: report its unrenderable values where they sit."""
        name, placeholders = self._rendering.pop()
        if not placeholders:
            return
        paths = _placeholder_paths(entry, {placeholder for placeholder, _, _ in placeholders})
        for placeholder, message, hint in placeholders:
            self.problems.append(Problem(name, paths.get(placeholder), message, hint))

    def unrenderable(self, message: str, hint: str | None = None) -> str | None:
        """Record a value that can't be rendered in the current step; return its placeholder.

        The placeholder is a token, so validation skips it and reports no second problem;
        ``None`` when no step is being rendered (the caller raises instead).
        """
        if not self._rendering:
            return None
        self._placeholders += 1
        placeholder = f"${{Token[Unrenderable.{self._placeholders}]}}"
        self._rendering[-1][1].append((placeholder, message, hint))
        return placeholder

    def bind(
        self,
        step_name: str,
        field: str,
        action: Callable[[], JsonValue],
        *,
        rendered: bool = False,
    ) -> JsonValue:
        """Run a binder call; a ``BindingError`` becomes a problem of ``step_name``/``field``.

        A binder may return an expression (``Image.from_uri(parameter)``); it is rendered
        here, with this context, so the steps and parameters it refers to are recorded.
        ``rendered`` says the call returns new, plain JSON, which rendering would only copy.
        """
        binding_error, unbound = _binding()
        try:
            value = action()
        except binding_error as error:
            problem = Problem(step_name, field, error.message, error.hint)
            if problem not in self.problems:  # the same binding, made again elsewhere
                self.problems.append(problem)
            return unbound
        if rendered or type(value) is str:
            return value
        return render(value, self)


def render(value: Any, ctx: RenderContext | None = None) -> JsonValue:
    """Render a value made of definition objects and plain containers into JSON.

    Example::

        render({"epochs": 10, "lr": Join(on="", values=[lr])}, ctx)
    """
    kind: Any = type(value)
    if kind in _PLAIN or value is None:
        return value
    if kind is dict or kind is list or kind is tuple:
        # Plain items are copied as they are, without a call (str(key) is key for a str).
        plain = _PLAIN_OR_NONE
        if kind is dict:
            return {
                (key if type(key) is str else str(key)): (
                    item if type(item) in plain else render(item, ctx)
                )
                for key, item in value.items()
            }
        return [item if type(item) in plain else render(item, ctx) for item in value]
    renders = _RENDERS.get(kind)
    if renders is None:
        renders = _renders(kind)
    if renders:
        if renders is _STEP:
            return _unrenderable(
                ctx,
                f"a step is not a value: {value!r} can't be rendered into another step; "
                "reference one of its properties (step.properties.…) or list it in depends_on",
            )
        return value.to_request(ctx)
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): render(item, ctx) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(item, ctx) for item in value]
    if type(value).__module__ == "numpy":
        # A notebook's numbers are often NumPy's (np.int64, np.float32, np.bool_), which
        # aren't int, float or bool: say how to make them Python's.
        return _unrenderable(
            ctx,
            f"cannot render a NumPy {type(value).__name__} into a pipeline definition: {value!r}",
            "convert it to a Python value: value.item() for a NumPy number, value.tolist() "
            "for an array",
        )
    from .bindables import S3Location  # here: bindables imports this module

    if isinstance(value, S3Location):
        # A binder turns it into a URI only where a step takes a location: a Join (say of
        # a checkpoint prefix and the execution id) or a mapping holds it unbound.
        return _unrenderable(
            ctx,
            f"cannot render an S3Location inside a Join, list or mapping: {value!r}",
            "a step binds an S3Location only where it takes a location itself (inputs=, "
            "output_path=, checkpoint_s3_uri=, …); to add parts to a location, join its "
            'bucket\'s name instead: Join(on="", values=["s3://", bucket.bucket_name, '
            '"/checkpoints/", ExecutionVariables.PIPELINE_EXECUTION_ID])',
        )
    return _unrenderable(
        ctx,
        f"cannot render a {type(value).__name__} into a pipeline definition: {value!r}",
        "use strings, numbers, booleans, lists, dicts and expressions (parameters, "
        "step properties, Join, JsonGet)",
    )


def _unrenderable(ctx: RenderContext | None, message: str, hint: str | None = None) -> str:
    """A problem of the step being rendered, with a placeholder value; else raise."""
    placeholder = ctx.unrenderable(message, hint) if ctx is not None else None
    if placeholder is None:
        raise UnrenderableValueError(message)
    return placeholder


def _non_finite(ctx: RenderContext | None, value: float) -> str:
    """A problem for NaN or ±infinity given for a string field.

    JSON has no such number, and ``str()`` of one would send the job ``"nan"`` or
    ``"inf"``: the service rejects some fields' values, a script misreads the rest. (A NaN
    left a number is the validator's: "nan is not a JSON number".)
    """
    return _unrenderable(
        ctx,
        f"{value!r} is not a JSON number: it would be sent as the string {str(value)!r}",
        "give a finite number (a NaN often comes from a computation on empty or missing "
        f'data); if the script itself parses it, pass the string "{value}"',
    )


def _placeholder_paths(entry: Any, wanted: set[str]) -> dict[str, str]:
    """Field paths (``Arguments.Environment['A']``) of the ``wanted`` strings in ``entry``."""
    found: dict[str, str] = {}
    stack: list[tuple[Any, str]] = [(entry, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if value in wanted:
                found.setdefault(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if not path:
                    child = name
                elif _MEMBER_NAME.fullmatch(name):
                    child = f"{path}.{name}"
                else:
                    child = f"{path}[{name!r}]"
                stack.append((item, child))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return found


# API member names (``ProcessingInputs``) and function keys (``Std:Join``) read as ``.Name``;
# user-chosen keys (environment variables, hyperparameters) as ``['key']``.
_MEMBER_NAME = re.compile(r"(?:Std:)?[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")


# The methods of the ``bindables.Binder`` protocol.
_BINDER_METHODS = (
    "bind_code",
    "bind_image",
    "bind_s3",
    "default_role_arn",
    "default_output_uri",
    "job_defaults",
)
_PLAIN = frozenset({str, bool, int, float})
_PLAIN_OR_NONE = frozenset({str, bool, int, float, type(None)})
_STEP = 2
# Per type: 0 (renders as a plain value), 1 (renders itself) or _STEP (a step: an error).
_RENDERS: dict[type, int] = {}


def _renders(kind: Any) -> int:
    """How instances of ``kind`` render (cached: Protocol checks are slow)."""
    from .steps._base import Step

    found = 0
    if callable(getattr(kind, "to_request", None)) and not issubclass(kind, enum.Enum):
        found = _STEP if issubclass(kind, Step) else 1
    _RENDERS[kind] = found
    return found


@functools.cache
def _binding() -> tuple[type[BindingError], str]:
    """``BindingError`` and ``UNBOUND`` (imported on first use: bindables imports this)."""
    from .bindables import UNBOUND, BindingError

    return BindingError, UNBOUND


@functools.cache
def _expression_type() -> Any:
    from .expressions import Expression

    return Expression


def render_string(value: Any, ctx: RenderContext | None = None) -> JsonValue:
    """Render a value for a string-typed field (hyperparameters, environment, arguments).

    Python numbers become strings; non-string expressions are wrapped in
    ``{"Std:Join": {"On": "", "Values": [expr]}}``, which is how the service turns a
    value into a string.
    """
    kind = type(value)
    if kind is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return _non_finite(ctx, value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, _expression_type()) and value.value_type not in ("String", "Timestamp"):
        return {"Std:Join": {"On": "", "Values": [value.to_request(ctx)]}}
    return render(value, ctx)


def render_string_map(values: Mapping[str, Any] | None, ctx: RenderContext | None) -> JsonValue:
    """Render a map of string values (``HyperParameters``, ``Environment``)."""
    if values is None:
        return None
    return {str(key): render_string(item, ctx) for key, item in values.items()}


def render_string_list(values: Iterable[Any] | None, ctx: RenderContext | None) -> JsonValue:
    """Render a list of string values (``ContainerArguments``)."""
    if values is None:
        return None
    return [render_string(item, ctx) for item in values]


def compact(**fields: Any) -> dict[str, Any]:
    """Build a dict in the given key order, dropping members whose value is ``None``.

    Example::

        compact(InstanceType="ml.m5.large", VolumeKmsKeyId=None)  # {"InstanceType": ...}
    """
    return {key: value for key, value in fields.items() if value is not None}


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base``: nested objects merge, anything else is replaced.

    Used for the ``extra_arguments`` escape hatch of job steps.
    """
    merged: dict[str, Any] = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged
