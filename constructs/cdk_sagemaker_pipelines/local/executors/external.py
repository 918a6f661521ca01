"""Steps that run on other services (EMR, AutoML, Clarify, …): user-supplied results."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from ...definition.entries import StepSpec
from ...definition.permissions import CHECK_STEP_TYPES, get_references
from ...definition.properties import PathStepError, parse_path
from .._errors import StepError
from .._graph import StepGraph
from ._base import StepContext, StepResult
from ._outputs import check_step_properties, supplied


class ExternalExecutor:
    """Completes a step the local runner can't run, with properties the user supplies.

    ``--callback-output Spark.Status.State=COMPLETED`` sets the property
    ``Status.State`` of step ``Spark``; any supplied value marks the step done. Without
    values, the step fails saying so.

    Example::

        LocalConfig(callback_outputs={"Spark": {"Status.State": "COMPLETED"}})
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Complete the step from supplied values."""
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is None:
            example = f"{step.name}.{example_property(step.step_type)}"
            raise StepError(
                f"{_why_not_here(step)}; mark it done by supplying "
                f"{supply_hint(step, ctx, example)}"
            )
        if step.step_type in CHECK_STEP_TYPES:
            given = check_step_properties(step.step_type, given)
        properties: dict[str, Any] = {}
        place_properties(properties, given)
        return StepResult(properties=properties, metadata={})


def _why_not_here(step: StepSpec) -> str:
    """Why the runner can't run ``step`` itself, the start of its failure."""
    check = step.entry.get("CheckType")
    if step.step_type == "QualityCheck" and isinstance(check, str):
        # Only DATA_QUALITY baselines are computed here (executors/quality_check.py).
        return (
            f"a {check} check needs the Model Monitor analyzer's {check.lower()} metrics, "
            "which the local runner doesn't compute (it computes DATA_QUALITY baselines only)"
        )
    if step.step_type == "ClarifyCheck":
        return (
            f"a {check or 'Clarify'} check runs SageMaker Clarify (its bias or SHAP analysis, "
            "and for a model check a shadow endpoint), which the local runner doesn't "
            "reproduce (it computes DATA_QUALITY baselines only)"
        )
    return f"{step.step_type} steps run on another AWS service, which the local runner can't reach"


def example_property(step_type: str) -> str:
    """A property to suggest supplying for a step of ``step_type`` no later step reads.

    Example::

        example_property("EMR")  # 'Status.State=COMPLETED'
    """
    if step_type in CHECK_STEP_TYPES:
        # A check step's properties are its baselines' URIs, which later steps read.
        return "CalculatedBaselineConstraints=s3://…"
    return _EXAMPLES.get(step_type, "Status.State=COMPLETED")


def stand_in_options(name: str, graph: StepGraph, example: str) -> tuple[str, ...]:
    """The ``--callback-output`` options that stand in for step ``name``: those later steps read.

    ``example`` (``Path=value``) when no step reads any, as ``supply_hint`` suggests.

    Example::

        stand_in_options("Spark", graph, "Status.State=COMPLETED")
        # ('--callback-output Spark.Status.State=…',)
    """
    read = properties_read_later(name, graph)
    if read:
        return tuple(f"--callback-output {name}.{path}=…" for path in read)
    return (f"--callback-output {name}.{example}",)


def supply_hint(step: StepSpec, ctx: StepContext, example: str) -> str:
    """The ``--callback-output`` values to supply for ``step``: those later steps read.

    Every property later steps read, or the next one fails in turn; ``example``
    (``Step.Path=value``) when no step reads any.

    Example::

        supply_hint(spec, ctx, "Spark.Status.State=COMPLETED")
        # 'the properties later steps read: --callback-output Spark.Status.State=…'
    """
    read = properties_read_later(step.name, ctx.evaluator.graph)
    if read:
        return "the properties later steps read: " + " ".join(
            f"--callback-output {step.name}.{path}=…" for path in read
        )
    return f"its properties, e.g. --callback-output {example}"


def place_properties(properties: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Set each supplied ``path: value`` in ``properties`` (see ``_place``)."""
    for path, value in given.items():
        _place(properties, str(path), value)


def properties_read_later(name: str, graph: StepGraph) -> list[str]:
    """The property paths of step ``name`` that the definition's other steps read."""
    prefix = f"Steps.{name}."
    paths = [
        reference[len(prefix) :]
        for spec in graph.steps.values()
        if spec.name != name
        for reference in get_references(spec.entry)
        if reference.startswith(prefix)
    ]
    return list(dict.fromkeys(paths))


# What a step type's failure suggests supplying: a property later steps commonly read.
_EXAMPLES = {"AutoML": "BestCandidate.InferenceContainers[0].ModelDataUrl=s3://…"}


def _place(properties: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``A.B[0].C['k']``, as step properties are read) in ``properties``.

    Members and keys become objects, indexes list items (earlier items empty objects), so
    ``BestCandidate.InferenceContainers[0].Environment['MODEL_NAME']`` reads back.
    """
    try:
        segments = parse_path(path)
    except PathStepError as error:
        raise StepError(f"supplied property {path!r}: {error}") from None
    keys = [segment[0] if isinstance(segment, tuple) else segment for segment in segments]
    target: Any = properties
    for key, following in itertools.pairwise(keys):
        _make_room(target, key, path)
        current = target[key] if isinstance(key, int) else target.get(key)
        if current is None or (current == {} and isinstance(following, int)):
            current = target[key] = [] if isinstance(following, int) else {}
        target = current
    _make_room(target, keys[-1], path)
    target[keys[-1]] = value


def _make_room(container: Any, key: str | int, path: str) -> None:
    """Check ``container`` takes ``key``; pad a list up to an index."""
    if isinstance(key, int):
        if not isinstance(container, list):
            raise StepError(f"supplied property {path!r}: [{key}] indexes no list")
        container.extend({} for _ in range(key + 1 - len(container)))
    elif not isinstance(container, dict):
        raise StepError(f"supplied property {path!r}: {key!r} is inside a value, not an object")
