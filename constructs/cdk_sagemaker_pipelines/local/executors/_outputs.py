"""Typed output parameters of Lambda and Callback steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import StepError


def declared_outputs(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, type) of each ``OutputParameters`` declaration."""
    return [
        (str(item.get("OutputName")), str(item.get("OutputType", "String")))
        for item in entry.get("OutputParameters") or []
        if isinstance(item, Mapping)
    ]


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
        raise StepError(f"output '{name}' is declared {kind} but {source} gave {value!r}") from None
    if isinstance(value, (dict, list)):
        raise StepError(f"output '{name}' is declared {kind} but {source} gave {value!r}")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
