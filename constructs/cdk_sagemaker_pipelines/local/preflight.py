"""What an execution will need that nothing stands in for, found before any step runs.

A Callback step without ``--callback-output`` values, a Lambda step whose function has
no local handler, or a step the runner can't run at all (EMR, AutoML, a Clarify check or
a model quality check, a built-in algorithm's Training or Tuning step) without values
standing in, fails when its turn comes: after every step before it has run, which may
take an hour. The runner checks for them before it starts (``LocalRunner.run`` and
``resume``): a step that will certainly be reached stops the run at once, naming the
options it needs; one inside a Condition's branch, which may not run, gets a notice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..definition._seal_entries import is_seal_entry
from ._graph import StepGraph
from .executors import EXTERNAL_TYPES, external, stand_in
from .executors._outputs import declared_outputs, expected_value
from .executors.quality_check import runs_locally
from .resources import ResourceMap

# How the check names the option that lets a run go on to the first missing step.
STOP_AT_MISSING = "stop_at_missing (--stop-at-missing)"


@dataclass(frozen=True, slots=True)
class MissingStandIn:
    """A step the execution could reach with nothing to stand in for it.

    ``options`` are the ``smpipe run`` options that supply it (a Lambda step's first is
    its handler, the rest its outputs instead); ``certain`` is True when the step is in
    no Condition's branch, so it runs unless a step before it fails.

    Example::

        MissingStandIn("Approve", "Callback", ("--callback-output Approve.ok=…",), True)
    """

    step: str
    step_type: str
    options: tuple[str, ...]
    certain: bool
    alternatives: tuple[str, ...] = ()

    def describe(self) -> str:
        """``Approve (Callback): --callback-output Approve.ok=… (Boolean: true or false)``."""
        text = f"{self.step} ({self.step_type}): {' '.join(self.options)}"
        if self.alternatives:
            text += f", or instead its outputs: {' '.join(self.alternatives)}"
        return text


def missing_stand_ins(
    graph: StepGraph,
    resources: ResourceMap,
    supplied: Mapping[str, Mapping[str, Any]],
    *,
    settled: Mapping[str, bool | None] | None = None,
    excluded: Collection[str] = (),
    functions: Mapping[str, str] | None = None,
) -> list[MissingStandIn]:
    """The steps of ``graph`` that would fail for want of a stand-in.

    Callback and Lambda steps, and those the executors can't run without one
    (``EXTERNAL_TYPES``, ``stand_in.needs_stand_in``), with the properties later steps
    read as the options (as the executors' own failures list them).

    ``settled`` are the steps that won't run again (a resume's succeeded steps, a
    selective run's reused ones) with a Condition's outcome; a branch a settled
    condition didn't take is left out, the one it took is certain. ``excluded`` steps
    don't run. ``functions`` (construct path -> ARN) names a function by its path, as
    ``--lambda`` takes it. A Lambda step whose ``FunctionArn`` is known only at run time
    is not judged.
    """
    settled = settled or {}
    paths = {arn: path for path, arn in (functions or {}).items()}
    found = []
    for name, spec in graph.steps.items():
        if name in settled or name in excluded:
            continue
        reached = _reached(graph, name, settled)
        if reached is None:
            continue
        declared = declared_outputs(spec.entry)
        given = supplied.get(name)
        if spec.step_type == "Callback":
            names = [(n, kind) for n, kind in declared if given is None or n not in given]
            if given is not None and not names:
                continue
            options = _output_options(name, names if declared else [])
            found.append(MissingStandIn(name, "Callback", options, reached))
        elif spec.step_type == "Lambda" and given is None:
            if is_seal_entry(spec.entry):
                continue  # a SealStep: the runner copies natively
            arn = spec.entry.get("FunctionArn")
            if not isinstance(arn, str):
                continue  # a parameter or another step's output: known at run time
            handler = resources.lambda_handler(arn)
            runnable = handler is not None and (
                not handler.runtime or handler.runtime.startswith("python")
            )
            if runnable:
                continue
            outputs = _output_options(name, declared)
            if handler is not None:
                # A function of another runtime: only its outputs can stand in for it.
                found.append(MissingStandIn(name, "Lambda", outputs, reached))
                continue
            handler_option = f"--lambda {paths.get(arn, arn)}=FILE.py:FUNCTION"
            found.append(MissingStandIn(name, "Lambda", (handler_option,), reached, outputs))
        elif (
            given is None
            and not runs_locally(spec.step_type, spec.entry)
            and (
                spec.step_type in EXTERNAL_TYPES
                or stand_in.needs_stand_in(spec.step_type, spec.entry.get("Arguments"))
            )
        ):
            example = (
                external.example_property(spec.step_type)
                if spec.step_type in EXTERNAL_TYPES
                else stand_in.example_property(spec.step_type)
            )
            options = external.stand_in_options(name, graph, example)
            found.append(MissingStandIn(name, spec.step_type, options, reached))
    return found


def _output_options(step: str, declared: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    if not declared:
        # A step that declares no outputs completes with any value.
        return (f"--callback-output {step}.done=true",)
    return tuple(
        f"--callback-output {step}.{name}=… ({kind}: {expected_value(kind)})"
        for name, kind in declared
    )


def _reached(graph: StepGraph, name: str, settled: Mapping[str, bool | None]) -> bool | None:
    """True if the step runs unless a step before it fails, False if a branch decides it.

    None when it won't run at all: a settled Condition already took the other branch, or
    it waits on steps of both branches of one Condition (one of them is always skipped).
    """
    certain = True
    branches: dict[str, set[bool]] = {}
    for step in {name} | graph.upstream(name):
        spec = graph.steps[step]
        if spec.condition is None:
            continue
        taken = branches.setdefault(spec.condition, set())
        taken.add(bool(spec.branch))
        if len(taken) == 2:
            return None
        if spec.condition in settled and settled[spec.condition] is not None:
            if settled[spec.condition] is not spec.branch:
                return None
            continue
        certain = False
    return certain


def preflight_error(missing: Sequence[MissingStandIn]) -> str | None:
    """The error for the steps that will certainly be reached, or None if there is none."""
    certain = [item for item in missing if item.certain]
    if not certain:
        return None
    lines = "\n".join(f"  {item.describe()}" for item in certain)
    return (
        f"nothing stands in for {_count(len(certain))} this execution will reach, which "
        "would fail there after the steps before them have run; give:\n"
        f"{lines}\n"
        f"or, to run the steps before them anyway, {STOP_AT_MISSING}"
    )


def preflight_notice(missing: Sequence[MissingStandIn]) -> str | None:
    """A notice for the steps that may be reached, or None if there is none."""
    if not missing:
        return None
    lines = "\n".join(
        f"  {item.describe()}" + ("" if item.certain else " [in a Condition's branch]")
        for item in missing
    )
    return (
        f"nothing stands in for {_count(len(missing))} this execution may reach, which "
        f"would fail there; to run them, give:\n{lines}"
    )


def _count(number: int) -> str:
    return "a step" if number == 1 else f"{number} steps"
