"""The result record of a check, and helpers shared by the checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    """One non-compliant place: the step, the field and what was found there."""

    step: str
    field: str
    info: str


def all_steps(definition: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every step, branch steps included."""
    pending = list(definition.get("Steps") or [])
    while pending:
        step = pending.pop(0)
        if not isinstance(step, Mapping):
            continue
        yield step
        if step.get("Type") == "Condition":
            arguments = step.get("Arguments") or {}
            pending += list(arguments.get("IfSteps") or []) + list(arguments.get("ElseSteps") or [])


def dig(value: Any, path: str) -> Any:
    """``dig(arguments, "ResourceConfig.VolumeKmsKeyId")`` or ``None``."""
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
