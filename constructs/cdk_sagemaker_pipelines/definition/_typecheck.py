"""Run-time checks of constructor arguments against the dataclass annotations.

Typed constructors are how the language rejects ``parameters=["ml.m5.large"]`` at
definition time, naming the class and field, instead of deep inside compile.
Decorate a dataclass with ``@checked``; a ``_validate(self)`` method, if present,
runs after the type check for rules that involve several fields.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, NamedTuple, TypeVar, Union, get_args, get_origin

from ._errors import (
    MissingArgumentError,
    PipelineDefinitionError,
    UnknownArgumentError,
    missing_argument_message,
    missing_arguments,
    positional_overflow_message,
)
from ._sdk_names import sdk_argument_hint
from ._suggest import did_you_mean
from ._tokens import is_token

_T = TypeVar("_T", bound=type)
_REGISTRY: dict[str, type] = {}


def register(cls: _T) -> _T:
    """Make ``cls`` resolvable by name in annotations of checked classes."""
    _REGISTRY[cls.__name__] = cls
    return cls


def checked(cls: _T) -> _T:
    """Class decorator: check every field's type after ``__init__``.

    The checks also run for subclasses that are not decorated themselves, as a team's
    ``class AcmeTrainingStep(TrainingStep)`` with defaults of its own: a dataclass
    subclass (its generated ``__init__`` calls the ``__post_init__`` installed here), or
    a plain one whose ``__init__`` calls ``super().__init__(...)``. Without that, such a
    subclass took any value and skipped ``_validate``.

    Example::

        @checked
        @dataclass(frozen=True, slots=True)
        class Thing:
            count: int
    """
    register(cls)
    _CHECKED.add(cls)
    original_init: Callable[..., None] = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if type(self) is cls:
            _check_argument_names(cls, kwargs)
            if args:
                _check_positional_count(cls, original_init, args, kwargs)
            try:
                original_init(self, *args, **kwargs)
            except TypeError as error:
                _raise_if_missing(error, cls, kwargs)
                raise
            try:
                _check_instance(self)
            except PipelineDefinitionError as error:
                # Raised from here: each message names the class and field, and the
                # frames of the checks under the caller's line would only bury it.
                raise error.with_traceback(None) from None
            return
        if type(self) in _CHECKED or id(self) in _CONSTRUCTING:
            # A checked subclass's wrapper (or an outer call for this object) checks it.
            original_init(self, *args, **kwargs)
            return
        # A subclass of the user's, not itself checked, whose __init__ calls this one (or
        # which has none of its own): it takes the same arguments, named after it.
        _check_argument_names(cls, kwargs, type(self))
        _CONSTRUCTING.add(id(self))
        try:
            original_init(self, *args, **kwargs)
        except TypeError as error:
            _raise_if_missing(error, type(self), kwargs)
            raise
        finally:
            _CONSTRUCTING.discard(id(self))
        try:
            _check_instance(self)
        except PipelineDefinitionError as error:
            raise error.with_traceback(None) from None

    inherited = getattr(cls, "__post_init__", None)
    # The class's own __post_init__ (or an inherited one of the user's), never the one
    # installed on a checked base: that would check the object twice.
    original_post_init: Callable[[Any], None] | None = getattr(
        inherited, "_checked_original", inherited
    )

    def __post_init__(self: Any) -> None:  # noqa: N807
        if original_post_init is not None:
            original_post_init(self)
        if type(self) in _CHECKED or id(self) in _CONSTRUCTING:
            return  # a wrapper above checks the object once it is built
        # A dataclass subclass that isn't checked itself: its generated __init__ ran alone.
        _check_instance(self)

    __post_init__._checked_original = original_post_init  # type: ignore[attr-defined]
    __init__.__doc__ = original_init.__doc__
    __init__.__wrapped__ = original_init  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[misc]
    cls.__post_init__ = __post_init__  # type: ignore[attr-defined]
    return cls


# The classes decorated with @checked, and the objects a wrapper of a subclass not itself
# checked is building (their __post_init__ leaves the checks to that wrapper).
_CHECKED: set[type] = set()
_CONSTRUCTING: set[int] = set()


def _check_instance(instance: Any) -> None:
    """The field types, then the class's ``_validate`` rules, of a newly built object."""
    check_fields(instance)
    validate = getattr(instance, "_validate", None)
    if validate is not None:
        validate()


def _raise_if_missing(error: TypeError, cls: type, kwargs: dict[str, Any]) -> None:
    """Raise ``MissingArgumentError`` if ``error`` is Python's for a required argument left out.

    Python's words (``__init__() missing 1 required keyword-only argument: 'image'``) name
    neither the step nor what the argument takes; this names both. Any other error is left
    to propagate as it is.
    """
    names = missing_arguments(error)
    if names is None:
        return
    hints = _hints(cls) if dataclasses.is_dataclass(cls) else {}
    types = {name: type_name(hints[name]) for name in names if name in hints}
    name = kwargs.get("name") if "name" in _argument_names(cls) else None
    raise MissingArgumentError(
        missing_argument_message(_owner_of(cls, name), names, types)
    ) from None


def _check_argument_names(cls: type, kwargs: dict[str, Any], named: type | None = None) -> None:
    """Raise ``UnknownArgumentError`` for a keyword ``cls`` does not take, with a hint.

    Python's own message names neither the step nor what to write instead (and 3.11
    suggests nothing for a misspelt keyword). ``named`` is the class the message names
    (a subclass of ``cls``). Default: ``cls``.
    """
    taken = _argument_names(cls)
    for name in kwargs:
        if name in taken:
            continue
        # A class without a name field (PipelineDefinition) is not named by a stray name=.
        owner = _owner_of(named or cls, kwargs.get("name") if "name" in taken else None)
        # An SDK spelling gets what to write instead: a close match may be wrong there.
        hint = sdk_argument_hint(cls.__name__, name) or did_you_mean(name, taken)
        if hint is None and getattr(cls, "step_type", None):
            # A step argument of other step types (cache_config=, retry_policies=, …).
            # The check, AutoML, deployment and lineage steps register on first use: without
            # these imports the list would depend on whether the program had touched one yet.
            from .steps import automl, check, endpoint, inference_component, lineage  # noqa: F401

            others = sorted(
                other.__name__
                for other in set(_REGISTRY.values())
                if other is not cls
                and bool(getattr(other, "step_type", None))
                and name in _argument_names(other)
            )
            hint = f"{name}= is taken by {', '.join(others)}" if others else None
        raise UnknownArgumentError(
            f"{owner} takes no argument '{name}'" + (f" ({hint})" if hint else "")
        )


def _check_positional_count(
    cls: type, init: Callable[..., None], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Raise ``UnknownArgumentError`` for more positional arguments than ``cls`` takes.

    The language's classes take their fields by keyword (``ProcessingStep(name=…,
    image=…)``); Python's own error counts ``self`` and names no field to write.
    """
    message = positional_overflow_message(
        _owner_of(cls, kwargs.get("name")),
        cls.__name__,
        _init_parameters(init),
        args,
    )
    if message is not None:
        raise UnknownArgumentError(message)


@cache
def _init_parameters(init: Callable[..., None]) -> tuple[inspect.Parameter, ...]:
    return tuple(inspect.signature(init).parameters.values())


@cache
def _argument_names(cls: type) -> tuple[str, ...]:
    """The keyword arguments of a dataclass's constructor."""
    if not dataclasses.is_dataclass(cls):
        return ()
    return tuple(item.name for item in dataclasses.fields(cls) if item.init)


def _owner_of(cls: type, name: Any) -> str:
    label = cls.__name__
    return f"{label} '{name}'" if isinstance(name, str) else label


@cache
def _hints(cls: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        if module is not None:
            namespace.update(vars(module))
    namespace.update(_REGISTRY)
    hints = typing.get_type_hints(cls, globalns=namespace, localns=dict(_REGISTRY))
    fields = getattr(cls, "__dataclass_fields__", {})
    return {name: hint for name, hint in hints.items() if name in fields}


def _owner(instance: Any) -> str:
    name = getattr(instance, "name", None)
    label = type(instance).__name__
    return f"{label} '{name}'" if isinstance(name, str) else label


def check_fields(instance: Any) -> None:
    """Raise ``PipelineDefinitionError`` for the first field whose value has the wrong type."""
    klass: Any = type(instance)
    checks = _CHECKS.get(klass)
    if checks is None:
        checks = _CHECKS[klass] = _field_checks(klass)
    for field_name, hint, fits, default in checks:
        value = getattr(instance, field_name)
        if value is default or fits(value):
            continue
        problem = _mismatch(value, hint, field_name)  # says where and what, for the message
        if problem is not None:
            path, expected, got, hint_text = problem
            # A subclass of the user's gets the hints of the library class it extends.
            shorthand = next(
                (
                    found
                    for kind in klass.__mro__
                    if (found := _SDK_SHORTHANDS.get((kind.__name__, field_name))) is not None
                ),
                None,
            )
            hint_text = hint_text or cdk_object_hint(got, field_name, expected)
            raise PipelineDefinitionError(
                f"{_owner(instance)}: field '{path}' expects {expected}, got {show_value(got)}"
                + (f" ({hint_text})" if hint_text else "")
                + (_NUMBER_TOKEN_HINT if isinstance(got, float) and is_token(got) else "")
                + ((shorthand(value) or "") if shorthand is not None and path == field_name else "")
            )


def field_fits(cls: type, name: str) -> Callable[[Any], bool]:
    """The test ``check_fields`` applies to field ``name`` of the checked class ``cls``.

    For a caller that must know whether a value would pass before it constructs (as
    ``RawStep.from_json``, which keeps what wouldn't for validation to report).

    Example::

        field_fits(RawStep, "depends_on")(["Prep"])  # True
    """
    return _fits(_hints(cls)[name])


def _code_shorthand(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return (
        " (the SageMaker SDK takes a path or URI here; give Code.from_s3(uri) for code in S3, "
        "or Code.from_asset(path) for a local file or folder)"
    )


def _channel_shorthand(value: Any) -> str | None:
    # The SDK's fit(inputs=…) takes a mapping or one input; a list is no shorthand of it.
    if isinstance(value, (Mapping, list, tuple)):
        return None
    return (
        " (the SageMaker SDK's fit(inputs=…) makes one channel named 'training' of a lone "
        "input: write inputs={'training': …})"
    )


def _metric_definitions_shorthand(value: Any) -> str | None:
    # The SDK's estimators take metric_definitions=[{"Name": …, "Regex": …}, …].
    if not isinstance(value, (list, tuple)):
        return None
    pairs = [
        (item.get("Name"), item.get("Regex"))
        for item in value
        if isinstance(item, Mapping) and set(item) == {"Name", "Regex"}
    ]
    if not pairs or len(pairs) != len(value):
        return None
    shown = ", ".join(f"{name!r}: {regex!r}" for name, regex in pairs[:2])
    more = ", …" if len(pairs) > 2 else ""
    return (
        " (the SageMaker SDK's list of {'Name': …, 'Regex': …}: write a mapping of each "
        f"metric's name to its regex, {{{shown}{more}}})"
    )


# The SDK's ``distribution=`` keys that are a ``Distribution`` factory of the same name.
_DISTRIBUTION_FACTORIES = (
    "torch_distributed",
    "mpi",
    "parameter_server",
    "multi_worker_mirrored_strategy",
)


def _distribution_shorthand(value: Any) -> str | None:
    # The SDK's distribution={"mpi": {"enabled": True, …}}: one Distribution factory per key.
    if not isinstance(value, Mapping):
        return None
    smdistributed = value.get("smdistributed")
    factory: str | None
    if isinstance(smdistributed, Mapping) and "modelparallel" in smdistributed:
        launcher = ", launcher='mpi'" if "mpi" in value else ""
        factory = f"smdistributed_model_parallel(parameters{launcher})"
    elif isinstance(smdistributed, Mapping) and "dataparallel" in smdistributed:
        factory = "smdistributed_data_parallel()"
    else:
        key = next((key for key in _DISTRIBUTION_FACTORIES if key in value), None)
        factory = f"{key}(…)" if key is not None else None
    if factory is None:
        return (
            " (the SageMaker SDK's dictionary: write Distribution.torch_distributed(), "
            ".mpi(…), .smdistributed_data_parallel(…), .smdistributed_model_parallel(…), "
            ".parameter_server() or .multi_worker_mirrored_strategy())"
        )
    return f" (the SageMaker SDK's dictionary: write distribution=Distribution.{factory})"


# The shorthands SageMaker SDK users write, by (class, field): what to write here instead.
_SDK_SHORTHANDS: dict[tuple[str, str], Callable[[Any], str | None]] = {
    **{
        (kind, "metric_definitions"): _metric_definitions_shorthand
        for kind in ("TrainingStep", "TuningStep", "TrainingJobDefinition")
    },
    **{
        (kind, "code"): _code_shorthand for kind in ("ProcessingStep", "TrainingStep", "TuningStep")
    },
    **{(kind, "inputs"): _channel_shorthand for kind in ("TrainingStep", "TuningStep")},
    **{
        (kind, "distribution"): _distribution_shorthand
        for kind in ("TrainingStep", "TuningStep", "TrainingJobDefinition")
    },
}


# A CDK number token (CfnParameter.value_as_number, Token.as_number) is a float that only
# deploy time resolves: the message would otherwise show a meaningless -1.888e+289.
_NUMBER_TOKEN_HINT = (
    " (a CDK number token, known only at deploy time); give a literal, or a pipeline "
    "parameter (ParameterInteger, ParameterFloat) for a value chosen per execution"
)
_CHECKS: dict[type, list[tuple[str, Any, Callable[[Any], bool], Any]]] = {}
_FITS: dict[Any, Callable[[Any], bool]] = {}
_NO_DEFAULT = object()


def _field_checks(klass: Any) -> list[tuple[str, Any, Callable[[Any], bool], Any]]:
    """The checks of ``klass``'s fields: (name, hint, predicate, default) each.

    ``default`` is the field's default when it is immutable and fits the hint (the very
    same object then needs no check), else a sentinel.
    """
    fields = getattr(klass, "__dataclass_fields__", {})
    checks = []
    for name, hint in _hints(klass).items():
        fits = _fits(hint)
        default = getattr(fields.get(name), "default", _NO_DEFAULT)
        if not (_immutable(default) and fits(default)):
            default = _NO_DEFAULT
        checks.append((name, hint, fits, default))
    return checks


def _immutable(value: Any) -> bool:
    """True for None, bools, numbers, strings, enum members and tuples of them."""
    if value is None or type(value) in (bool, int, float, str) or isinstance(value, enum.Enum):
        return True
    return type(value) is tuple and all(_immutable(item) for item in value)


def _fits(hint: Any) -> Callable[[Any], bool]:
    """A predicate true exactly when ``_mismatch(value, hint, …)`` is None (built once)."""
    try:
        found = _FITS.get(hint)
    except TypeError:  # an unhashable hint: build it every time
        return _build_fits(hint)
    if found is None:
        found = _FITS[hint] = _build_fits(hint)
    return found


def _always(value: Any) -> bool:
    return True


def _build_fits(hint: Any) -> Callable[[Any], bool]:
    """Mirror ``_mismatch``'s rules, branch for branch, as a fast predicate."""
    if hint is Any:
        return _always
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        args = get_args(hint)
        simple = tuple(arg for arg in args if _is_plain_class(arg))
        others = [_fits(arg) for arg in args if not _is_plain_class(arg)]
        if not others:
            return lambda value: isinstance(value, simple)
        if not simple:
            return lambda value: any(fits(value) for fits in others)
        return lambda value: isinstance(value, simple) or any(fits(value) for fits in others)
    if hint is type(None):
        return lambda value: value is None
    if hint is float:
        return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if origin in (collections.abc.Sequence, list, tuple):
        args = get_args(hint)
        item = _fits(args[0]) if args else _always

        def fits_sequence(value: Any) -> bool:
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                return False
            return item is _always or all(item(entry) for entry in value)

        return fits_sequence
    if origin in (collections.abc.Mapping, dict):
        args = get_args(hint)
        key, item = (_fits(args[0]), _fits(args[1])) if args else (_always, _always)

        def fits_mapping(value: Any) -> bool:
            if not isinstance(value, collections.abc.Mapping):
                return False
            if key is _always and item is _always:
                return True
            return all(key(k) and item(v) for k, v in value.items())

        return fits_mapping
    if origin is typing.Literal:
        allowed = get_args(hint)
        return lambda value: value in allowed
    if origin is not None:
        hint = origin
    if isinstance(hint, type):
        target = hint
        return lambda value: isinstance(value, target)
    return _always


def _is_plain_class(hint: Any) -> bool:
    """A class checked by ``isinstance`` alone (not int/float, whose rules exclude bool)."""
    return isinstance(hint, type) and get_origin(hint) is None and hint not in (int, float)


def show_value(value: Any) -> str:
    """A value for an error message: its type and its repr, shortened (``str 'abc'``).

    An aws-cdk-lib object is named by its class as the user wrote it
    (``aws_lambda.Function``), not by jsii's proxy and address.
    """
    kind = cdk_class_name(value)
    if kind is not None:
        library = type(value).__module__.split(".")[0] == "aws_cdk"
        return f"{kind} ({'an aws-cdk-lib object' if library else 'a CDK construct'})"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def cdk_class_name(value: Any) -> str | None:
    """``aws_lambda.Function`` for an aws-cdk-lib (jsii) object, else None.

    jsii gives an imported resource as a private proxy class (``_FunctionBaseProxy`` for
    ``Function.from_function_name``): it is named by the class the user knows. Constructs of
    this library (``ModelRegistry``) are jsii objects too, named by their class alone.
    No aws_cdk import: the definition layer only looks at the value's class.
    """
    cls = type(value)
    if getattr(cls, "__jsii_type__", None) is None:
        return None
    name = cls.__name__
    for suffix in ("BaseProxy", "Proxy"):
        if name.startswith("_") and name.endswith(suffix):
            name = name[1 : -len(suffix)]
            break
    module = cls.__module__
    if module.startswith("aws_cdk."):
        return f"{module.split('.', 1)[1]}.{name}"
    return name


# What a definition field takes of an aws-cdk-lib resource, by the end of the field's name:
# the attribute holding that string (a token the Pipeline construct resolves at deploy).
_CDK_ATTRIBUTES = (
    ("function_arn", "function_arn"),
    ("queue_url", "queue_url"),
    ("model_package_group_name", "model_package_group_name"),
    ("kms_key", "key_arn"),
    ("topic_arn", "topic_arn"),
    ("role", "role_arn"),
    ("role_arn", "role_arn"),
)


def cdk_object_hint(value: Any, field_name: str, expected: str) -> str | None:
    """What to write instead of an aws-cdk-lib object given to a definition field, or None.

    The language takes plain values and its own bindables: a resource's name or ARN (its
    token), ``S3Location.from_bucket(bucket, …)``, ``Image.from_ecr_repository(repo, …)``,
    a ``Duration`` as the number or text the API takes.

    Example::

        cdk_object_hint(queue, "sqs_queue_url", "str or Expression")
        # "give the queue's URL: queue.queue_url"
    """
    kind = cdk_class_name(value)
    if kind is None:
        return None
    cls = type(value)
    takes_text = "str" in expected.split(" or ")
    if takes_text:
        for suffix, attribute in _CDK_ATTRIBUTES:
            if field_name.endswith(suffix) and _has(value, attribute):
                return f"give its {attribute}: {_variable(kind)}.{attribute}"
    if hasattr(cls, "value_as_string") and takes_text:
        # A CfnParameter: its value is a token the template resolves at deploy.
        return (
            "give the CfnParameter's value_as_string (known only at deploy time), or a "
            "pipeline parameter (ParameterString) for a value chosen per execution"
        )
    if hasattr(cls, "bucket_name") and "S3Location" in expected:
        return f"give S3Location.from_bucket({_variable(kind)}, 'prefix/')"
    if hasattr(cls, "repository_uri_for_tag") and "Image" in expected:
        return f"give Image.from_ecr_repository({_variable(kind)}, tag='…')"
    if hasattr(cls, "image_uri") and "Image" in expected:
        return (
            "give Image.from_asset(directory): the Pipeline construct builds it and lets the "
            "jobs pull it"
        )
    if hasattr(cls, "to_iso_string"):
        return _duration_hint(value, field_name, expected)
    return None


def _has(value: Any, attribute: str) -> bool:
    """Whether ``value`` has ``attribute``, a property of its class or set on the object.

    A construct of this library sets its names in ``__init__`` (``ModelRegistry``).
    """
    return hasattr(type(value), attribute) or attribute in getattr(value, "__dict__", {})


def _variable(kind: str) -> str:
    """``model_registry`` for ``ModelRegistry``: the name an example writes the value as."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.rsplit(".", 1)[-1]).lower()


def _duration_hint(duration: Any, field_name: str, expected: str) -> str | None:
    """The number or ISO 8601 text a field takes for a ``Duration`` given to it."""
    try:
        if field_name.endswith("seconds"):
            return f"give a number of seconds: duration.to_seconds(), {duration.to_seconds():g}"
        if field_name.endswith(("mins", "minutes")):
            return f"give a number of minutes: duration.to_minutes(), {duration.to_minutes():g}"
        if "str" in expected.split(" or "):
            iso = duration.to_iso_string()
            return f"give an ISO 8601 duration: duration.to_iso_string(), {iso!r}"
    except RuntimeError:  # jsii's error: a token, or a fraction to_minutes refuses
        return None
    return None


def type_name(hint: Any) -> str:
    """Readable name of a type hint, e.g. ``int or Expression``."""
    origin = get_origin(hint)
    if hint is Any:
        return "any value"
    if hint is type(None):
        return "None"
    if origin in (Union, types.UnionType):
        names = [type_name(arg) for arg in get_args(hint) if arg is not type(None)]
        return " or ".join(dict.fromkeys(names))
    if origin in (collections.abc.Sequence, list, tuple):
        args = get_args(hint)
        return f"a list of {type_name(args[0])}" if args else "a list"
    if origin in (collections.abc.Mapping, dict):
        args = get_args(hint)
        return f"a mapping of {type_name(args[1])}" if args else "a mapping"
    if origin is typing.Literal:
        return " or ".join(repr(arg) for arg in get_args(hint))
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return "a function"
    if isinstance(hint, type):
        return hint.__name__
    return str(hint)


class _Mismatch(NamedTuple):
    """Where a value doesn't fit its field's type, what was expected and what was given."""

    path: str
    expected: str
    got: Any
    hint: str | None = None  # what to write instead, when the value says


def _mismatch(value: Any, hint: Any, path: str) -> _Mismatch | None:
    """The first mismatch of ``value`` against ``hint``, or None when it fits."""
    if hint is Any:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        deepest: _Mismatch | None = None
        advice: str | None = None
        for arg in get_args(hint):
            found = _mismatch(value, arg, path)
            if found is None:
                return None
            # Report the inner mismatch of a container the value does look like.
            if found[0] != path:
                deepest = found
            advice = advice or found.hint  # a member's advice (a list of one) still fits
        return deepest or _Mismatch(path, type_name(hint), value, advice)
    if hint is type(None):
        return None if value is None else _Mismatch(path, "None", value)
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else _Mismatch(path, "a number", value)
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _Mismatch(path, "an integer", value)
    if origin in (collections.abc.Sequence, list, tuple):
        if isinstance(value, str) and origin is not tuple:
            # A one-item list written as the item (inference_instances="ml.m5.large"): a
            # string is a sequence too, so the mistake would pass as a list of letters.
            # Advised only where a string is an item the list takes: [value] must pass.
            args = get_args(hint)
            fits = not args or _mismatch(value, args[0], f"{path}[0]") is None
            advice = _one_item_list(value) if fits else None
            return _Mismatch(path, type_name(hint), value, advice)
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            return _Mismatch(path, type_name(hint), value)
        args = get_args(hint)
        item_hint = args[0] if args else Any
        for index, item in enumerate(value):
            found = _mismatch(item, item_hint, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if origin in (collections.abc.Mapping, dict):
        if not isinstance(value, collections.abc.Mapping):
            return _Mismatch(path, type_name(hint), value)
        args = get_args(hint)
        key_hint, value_hint = args if args else (Any, Any)
        for key, item in value.items():
            found = _mismatch(key, key_hint, f"{path} key {key!r}") or _mismatch(
                item, value_hint, f"{path}[{key!r}]"
            )
            if found is not None:
                return found
        return None
    if origin is typing.Literal:
        return None if value in get_args(hint) else _Mismatch(path, type_name(hint), value)
    if origin is not None:
        hint = origin
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum) and isinstance(value, hint):
            return None
        if issubclass(hint, enum.Enum) and isinstance(value, str):
            return _Mismatch(path, hint.__name__, value, _enum_member_for(hint, value))
        return None if isinstance(value, hint) else _Mismatch(path, type_name(hint), value)
    return None


def _one_item_list(text: str) -> str:
    """``write ['ml.m5.large'] for a list of one``: the hint for a string given as a list."""
    shown = repr(text) if len(text) <= 60 else "'…'"
    return f"write [{shown}] for a list of one"


def _enum_member_for(hint: type[enum.Enum], text: str) -> str | None:
    """``did you mean OutputType.STRING?`` for text naming a member of ``hint``, else None.

    The SDK takes some of these as strings or spells its members otherwise
    (``LambdaOutputTypeEnum.String``); the member to write is the fix.
    """

    def normal(name: str) -> str:
        return name.replace("_", "").lower()

    for member in hint:
        if normal(text) in (normal(member.name), normal(str(member.value))):
            return f"did you mean {hint.__name__}.{member.name}?"
    return None
