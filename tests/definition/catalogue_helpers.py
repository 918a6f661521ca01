"""Builders and assertions shared by the invalid-definition catalogue and the graph properties."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.definition import (
    ConditionEquals,
    ConditionStep,
    FailStep,
    Problem,
    ProcessingOutput,
    ProcessingStep,
    StaticBinder,
    Step,
    TrainingStep,
)
from tests.conftest import ROLE

BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b")
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
INVALID_DIR = Path(__file__).resolve().parent / "invalid"


def processing(name: str = "Prep", **fields: Any) -> ProcessingStep:
    """A valid Processing step with one output, ``out``; ``fields`` override or add."""
    fields.setdefault("image", IMAGE)
    fields.setdefault(
        "outputs", [ProcessingOutput(output_name="out", source="/opt/ml/processing/out")]
    )
    return ProcessingStep(name=name, **fields)


def training(name: str = "Train", **fields: Any) -> TrainingStep:
    """A valid Training step; ``fields`` override or add."""
    fields.setdefault("image", IMAGE)
    return TrainingStep(name=name, **fields)


def condition(
    name: str = "Check",
    *,
    conditions: Sequence[Any] | None = None,
    if_steps: Sequence[Step] = (),
    else_steps: Sequence[Step] = (),
    **fields: Any,
) -> ConditionStep:
    """A Condition step; without ``conditions`` it tests ``1 == 1``."""
    return ConditionStep(
        name=name,
        conditions=list(conditions)
        if conditions is not None
        else [ConditionEquals(left=1, right=1)],
        if_steps=if_steps,
        else_steps=else_steps,
        **fields,
    )


def fail(name: str = "Stop", **fields: Any) -> FailStep:
    """A Fail step."""
    fields.setdefault("error_message", "stopped")
    return FailStep(name=name, **fields)


@dataclass(frozen=True)
class Expected:
    """A problem a catalogue case must report: exact step and field, a message substring.

    The substring is looked for in the message followed by its hint, as printed:
    ``message (hint)``.
    """

    step: str | None
    field: str | None
    message: str

    def matches(self, problem: Problem) -> bool:
        return (
            problem.step == self.step
            and problem.field == self.field
            and self.message in printed(problem)
        )

    def pattern(self) -> str:
        """A ``pytest.raises(match=…)`` pattern for the message."""
        return re.escape(self.message)


def printed(problem: Problem) -> str:
    """A problem's message and hint as the error prints them."""
    return f"{problem.message} ({problem.hint})" if problem.hint else problem.message


def assert_exactly(problems: Sequence[Problem], expected: Sequence[Expected]) -> None:
    """Each expectation is met by its own problem, and there is no other problem."""
    remaining = list(problems)
    missing = []
    for expectation in expected:
        match = next((p for p in remaining if expectation.matches(p)), None)
        if match is None:
            missing.append(expectation)
        else:
            remaining.remove(match)
    report = "\n".join(f"  {p.step!r} {p.field!r}: {p}" for p in problems)
    assert not missing, f"expected problems not reported: {missing}\nreported:\n{report}"
    assert not remaining, f"unexpected problems: {remaining}\nreported:\n{report}"
