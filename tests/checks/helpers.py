"""Small definition dicts for the check tests."""

from __future__ import annotations

from typing import Any

KEY = "arn:aws:kms:us-east-1:111122223333:key/k"


def definition(*steps: dict[str, Any], parameters: list[Any] | None = None) -> dict[str, Any]:
    """A definition holding ``steps``."""
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}


def step(name: str, kind: str, **arguments: Any) -> dict[str, Any]:
    """A step of type ``kind`` with ``arguments``."""
    return {"Name": name, "Type": kind, "Arguments": arguments}


def condition(name: str, if_steps: list[Any], else_steps: list[Any]) -> dict[str, Any]:
    """A condition step with branches."""
    return step(name, "Condition", Conditions=[], IfSteps=if_steps, ElseSteps=else_steps)
