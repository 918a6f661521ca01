"""Typed output parameters of Lambda and Callback steps, and supplied check-step properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...definition.properties import PathStepError, resolve, root_node
from .._errors import StepError, UnmappableS3UriError
from ..resources import split_s3_uri


def declared_outputs(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, type) of each ``OutputParameters`` declaration."""
    return [
        (str(item.get("OutputName")), str(item.get("OutputType", "String")))
        for item in entry.get("OutputParameters") or []
        if isinstance(item, Mapping)
    ]


# What each declared type takes, said in the refusal: "declared Boolean but … gave 'yes'"
# left the accepted spelling to guess.
_EXPECTED = {
    "Integer": "a whole number",
    "Float": "a number",
    "Boolean": "true or false",
    "String": "text, not an object or a list",
}


def coerce_output(name: str, kind: str, value: Any, source: str) -> Any:
    """Convert a returned or supplied value to the declared ``OutputType``."""
    try:
        if kind == "Integer":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind == "Float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise ValueError
    except (TypeError, ValueError):
        raise _refused(name, kind, value, source) from None
    if isinstance(value, (dict, list)):
        raise _refused(name, kind, value, source)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expected_value(kind: str) -> str:
    """What a value of the declared ``OutputType`` looks like: ``true or false``."""
    return _EXPECTED.get(kind, f"a {kind}")


def _refused(name: str, kind: str, value: Any, source: str) -> StepError:
    expected = expected_value(kind)
    return StepError(
        f"output '{name}' is declared {kind} but {source} gave {value!r} (expected {expected})"
    )


def output_metadata(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """``OutputParameters`` as ListPipelineExecutionSteps shows them (strings)."""
    shown = []
    for name, value in values.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        shown.append({"Name": name, "Value": text})
    return shown


def supplied(external: Mapping[str, Mapping[str, Any]], step: str) -> Mapping[str, Any] | None:
    """Values the user supplied for a step (``--callback-output Step.Name=Value``)."""
    values = external.get(step)
    return values if values is not None else None


def check_step_properties(step_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Supplied properties of a check step: the S3 URIs of its baseline files.

    The names are the properties the SageMaker SDK gives the step (a Clarify check has no
    statistics); a misspelled one would surface only when a later step reads the property,
    so it raises ``StepError`` with the closest names. A value that isn't
    ``s3://bucket/key`` raises too: a later step would read it as a baseline's location.
    """
    root = root_node(step_type)
    assert root is not None  # both check step types have a property tree
    for name, value in values.items():
        try:
            resolve(root, str(name))
        except PathStepError as error:
            known = "its properties: " + ", ".join(sorted(root.members))
            raise StepError(
                f"a {step_type} step has no property '{name}' ({error.hint or known})"
            ) from None
        try:
            is_object = _is_object_uri(value)
        except UnmappableS3UriError as error:  # a later step reads the baseline there
            raise error.named(f"property '{name}'") from None
        if not is_object:
            raise StepError(
                f"property '{name}' of a {step_type} step is the S3 URI of a baseline file "
                f"(s3://bucket/key), but --callback-output gave {value!r}"
            )
    return dict(values)


def _is_object_uri(value: Any) -> bool:
    """True for ``s3://bucket/key`` with a key (a baseline is a file, not a bucket)."""
    try:
        _bucket, key = split_s3_uri(value) if isinstance(value, str) else ("", "")
    except ValueError:
        return False
    return bool(key)
