"""What changed between two local executions: did my change improve the model?

Parameters are matched by name, steps by name, training metrics by ``MetricName`` and
property files' values by their JSON path. Only what differs is kept, in pipeline order
(the new execution's step order, then steps only the old one has), so two comparisons of
the same executions read the same.

Executions of different pipelines are compared too (a ``--pipeline-name`` given to one
run, or a pipeline renamed): steps are matched by name all the same, and
``same_pipeline`` is False so that the displays can say so.

Example::

    old, new = runner.execution("p1vuqbui9plu"), runner.execution("kqvqxhggasm0")
    comparison = old.compare(new)       # or compare_executions(old, new)
    print(render_comparison_text(comparison))
    # ...
    #   Evaluate (Processing)
    #     EvaluationReport metrics.accuracy.value: 0.91 → 0.94 (+0.03)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from ._errors import LocalRunError
from ._graph import StepGraph
from .result import NOT_EXECUTED, PENDING, ExecutionResult, StepRun

ChangeKind = Literal[
    "parameter", "status", "cache", "duration", "request", "metric", "property", "model"
]

DURATION_NOISE_SECONDS: Final = 1.0
DURATION_NOISE_SHARE: Final = 0.1
"""A step's duration is reported as changed only when it changed by at least a second and
a tenth: the same script takes a few milliseconds more or less from one run to the next."""

REASON_WIDTH: Final = 100
"""A failure reason is cut to this many characters in the displays (whole in the JSON)."""

VALUE_WIDTH: Final = 60
"""A request field's value is cut to this many characters in the displays (whole in the JSON)."""

REQUEST_LINES: Final = 5
"""At most this many changed request fields are shown per step in the displays; the JSON
has them all, and ``smpipe diff`` shows the definitions' differences in full."""

REQUEST_STEP_TYPES: Final = frozenset({"Training", "Processing", "Transform", "Tuning", "Model"})
"""Step types whose recorded properties hold the request as sent (a Describe* response
repeats its Create* request): their resolved requests are compared field by field."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")


class _Missing:
    """The side of a change that has no value (a step or metric only one execution has)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""``RunChange.old`` or ``.new`` when that execution has no such value (JSON ``null`` is one)."""


@dataclass(frozen=True, slots=True)
class RegisteredVersion:
    """A model package version a RegisterModel step registered, with its status now.

    Example::

        RegisteredVersion("breast-cancer", 4, "PendingManualApproval")
        # str(): 'breast-cancer v4 (PendingManualApproval)'
    """

    group: str
    version: int
    approval_status: str | None

    def __str__(self) -> str:
        status = self.approval_status or "deleted since"
        return f"{self.group} v{self.version} ({status})"


@dataclass(frozen=True, slots=True)
class RunChange:
    """One value that differs between two executions: ``old`` → ``new``.

    ``kind`` says what it is, ``step`` whose (None for a parameter) and ``name`` which:

    - ``parameter``: the parameter ``name``'s value;
    - ``status``: the step's ``StepStatus`` (``NotExecuted``, ``Pending``; ``MISSING``
      when one definition has no such step);
    - ``cache``: whether the step ran (``"ran"``), was a cache hit (``"hit <id>"``, the
      source execution) or reused by a selective run (``"reused <id>"``);
    - ``duration``: seconds, when it changed by at least ``DURATION_NOISE_SECONDS`` and
      ``DURATION_NOISE_SHARE`` of the old duration;
    - ``request``: a field of the step's resolved request (a job's ``Create*`` request
      with every parameter and property filled in), ``name`` its path
      (``HyperParameters.C``); compared for jobs and models that ran or were reused
      on both sides, with execution ids and job names left out of the comparison;
    - ``metric``: a ``FinalMetricDataList`` value (a tuning step's best training job's
      objective metric), ``name`` its ``MetricName``;
    - ``property``: a value of a property file, ``name`` the file's name and the
      value's JSON path (``EvaluationReport metrics.accuracy.value``);
    - ``model``: the ``RegisteredVersion`` of a RegisterModel step.

    ``delta`` is ``new - old`` when both are numbers. ``reason`` is a status change's
    ``FailureReason`` (the new side's, else the old side's): why it failed or stopped.

    Example::

        RunChange("property", "EvaluationReport metrics.accuracy.value", 0.91, 0.94,
                  step="Evaluate").delta  # 0.03
    """

    kind: ChangeKind
    name: str
    old: Any = MISSING
    new: Any = MISSING
    step: str | None = None
    reason: str | None = None

    @property
    def delta(self) -> int | float | None:
        """``new - old`` when both are numbers (booleans are not), else None."""
        if not (_is_number(self.old) and _is_number(self.new)):
            return None
        difference = self.new - self.old
        # 0.94 - 0.91 is 0.030000000000000027: the digits past the 12th are float noise.
        return difference if isinstance(difference, int) else round(difference, 12)

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-able data (a missing side left out).

        Example::

            {"kind": "metric", "step": "Train", "name": "validation:auc",
             "old": 0.91, "new": 0.94, "delta": 0.03}
        """
        data: dict[str, Any] = {"kind": self.kind}
        if self.step is not None:
            data["step"] = self.step
        data["name"] = self.name
        for key, value in (("old", self.old), ("new", self.new)):
            if value is not MISSING:
                data[key] = _jsonable(value)
        if self.delta is not None:
            data["delta"] = self.delta
        if self.reason is not None:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True, slots=True)
class ExecutionSide:
    """One of the two compared executions, as the displays name it.

    Example::

        comparison.new.execution_id, comparison.new.status  # ('kqvqxhggasm0', 'Failed')
    """

    execution_id: str
    pipeline_name: str
    status: str
    definition_path: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able data."""
        return {
            "execution_id": self.execution_id,
            "pipeline_name": self.pipeline_name,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class ExecutionComparison:
    """What differs between two executions, in pipeline order. Falsy when nothing does.

    ``changes`` lists the parameters first, then each step's changes (status, cache,
    duration, request fields, metrics, property file values, registered version).
    ``definitions_differ`` says whether the two ran different definitions:
    ``diff_command`` is then the ``smpipe diff`` that shows how.

    Example::

        comparison = compare_executions(runner.execution("p1vu"), runner.execution("kqvq"))
        [c.delta for c in comparison.changes if c.kind == "metric"]
        # [0.03]
        comparison  # a table in a notebook
    """

    old: ExecutionSide
    new: ExecutionSide
    definitions_differ: bool
    changes: tuple[RunChange, ...]
    step_types: Mapping[str, str]

    def __bool__(self) -> bool:
        return bool(self.changes) or self.definitions_differ

    @property
    def same_pipeline(self) -> bool:
        """Whether both executions are of the same pipeline (by name)."""
        return self.old.pipeline_name == self.new.pipeline_name

    @property
    def diff_command(self) -> str | None:
        """``smpipe diff OLD/definition.json NEW/definition.json`` if the definitions differ."""
        if not self.definitions_differ:
            return None
        return f"smpipe diff {self.old.definition_path} {self.new.definition_path}"

    def to_dict(self) -> dict[str, Any]:
        """``{"old": …, "new": …, "same_pipeline": …, "definitions_differ": …, "changes": […]}``."""
        data: dict[str, Any] = {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "same_pipeline": self.same_pipeline,
            "definitions_differ": self.definitions_differ,
        }
        if self.diff_command is not None:
            data["diff_command"] = self.diff_command
        data["changes"] = [change.to_dict() for change in self.changes]
        return data

    def __repr__(self) -> str:
        # The step types are the rendering's business: a cell shows what was compared.
        return (
            f"ExecutionComparison(old={self.old.execution_id!r}, new={self.new.execution_id!r}, "
            f"definitions_differ={self.definitions_differ}, changes={len(self.changes)})"
        )

    def _repr_markdown_(self) -> str:
        """A notebook's view: ``render_comparison_markdown(self)``."""
        return render_comparison_markdown(self)


def compare_executions(old: ExecutionResult, new: ExecutionResult) -> ExecutionComparison:
    """Compare two executions (``runner.execution(id)`` or ``runner.run(...)`` results).

    A running or stopped execution is compared as far as it got: its steps not run yet
    are ``Pending`` or ``NotExecuted`` and have no metrics or property files.

    Example::

        comparison = compare_executions(runner.execution("p1vu"), result)
        print(render_comparison_text(comparison))
    """
    for side, given in (("old", old), ("new", new)):
        if not isinstance(given, ExecutionResult):
            raise TypeError(
                f"compare_executions: the {side} execution must be an ExecutionResult "
                f"(runner.execution(id)), got {type(given).__name__}"
            )
    old_types, new_types = _step_types(old), _step_types(new)
    changes = list(_parameter_changes(old.parameters, new.parameters))
    for name in _ordered(new.record.step_order, old.record.step_order):
        old_run = _run(old, name)
        new_run = _run(new, name)
        changes.extend(_step_changes(name, old, old_run, new, new_run))
    return ExecutionComparison(
        old=_side(old),
        new=_side(new),
        definitions_differ=_canonical(old.definition) != _canonical(new.definition),
        changes=tuple(changes),
        step_types={**old_types, **new_types},
    )


def _side(result: ExecutionResult) -> ExecutionSide:
    from ._paths import shown_path

    return ExecutionSide(
        execution_id=result.execution_id,
        pipeline_name=result.record.pipeline_name,
        status=result.status,
        definition_path=shown_path(result.directory / "definition.json"),
    )


def _step_types(result: ExecutionResult) -> dict[str, str]:
    graph = StepGraph.from_definition(result.definition)
    return {name: spec.step_type for name, spec in graph.steps.items()}


def _ordered(first: Sequence[str], then: Sequence[str]) -> list[str]:
    """``first``'s names, then ``then``'s not among them, each once."""
    return list(dict.fromkeys([*first, *then]))


def _run(result: ExecutionResult, name: str) -> StepRun | None:
    try:
        return result.step(name)
    except KeyError:
        return None


def _parameter_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[RunChange]:
    for name in _ordered(list(new), list(old)):
        before, after = old.get(name, MISSING), new.get(name, MISSING)
        if not _same(before, after):
            yield RunChange("parameter", name, before, after)


def _step_changes(
    name: str,
    old: ExecutionResult,
    old_run: StepRun | None,
    new: ExecutionResult,
    new_run: StepRun | None,
) -> Iterator[RunChange]:
    old_status = MISSING if old_run is None else old_run.status
    new_status = MISSING if new_run is None else new_run.status
    if old_status != new_status:
        reasons = [run.failure_reason for run in (new_run, old_run) if run is not None]
        reason = next((text for text in reasons if text), None)
        yield RunChange("status", "status", old_status, new_status, step=name, reason=reason)
    old_cache, new_cache = _cache(old_run), _cache(new_run)
    if old_cache is not None and new_cache is not None and old_cache != new_cache:
        yield RunChange("cache", "cache", old_cache, new_cache, step=name)
    old_duration = None if old_run is None else old_run.duration
    new_duration = None if new_run is None else new_run.duration
    if (
        old_duration is not None
        and new_duration is not None
        and _notable(old_duration, new_duration)
    ):
        yield RunChange("duration", "duration", old_duration, new_duration, step=name)
    for path, before, after in _request_changes(old, old_run, new, new_run):
        yield RunChange("request", path, before, after, step=name)
    for metric, before, after in _paired(_metrics(old_run), _metrics(new_run)):
        yield RunChange("metric", metric, before, after, step=name)
    for path, before, after in _paired(_property_values(old, name), _property_values(new, name)):
        yield RunChange("property", path, before, after, step=name)
    before, after = _registered(old, old_run), _registered(new, new_run)
    if before != after and not (before is MISSING and after is MISSING):
        yield RunChange("model", "registered", before, after, step=name)


def _cache(run: StepRun | None) -> str | None:
    """``ran``, ``hit <id>`` or ``reused <id>``; None for a step that didn't run."""
    if run is None or run.status in (NOT_EXECUTED, PENDING) or run.entry is None:
        return None
    if run.cache_hit:
        return "hit " + run.cache_hit.rsplit("/", 1)[-1]
    if run.reused_from:
        return "reused " + run.reused_from.rsplit("/", 1)[-1]
    return "ran"


def _notable(old: float, new: float) -> bool:
    change = abs(new - old)
    return change >= DURATION_NOISE_SECONDS and change >= DURATION_NOISE_SHARE * old


def _request_changes(
    old: ExecutionResult,
    old_run: StepRun | None,
    new: ExecutionResult,
    new_run: StepRun | None,
) -> Iterator[tuple[str, Any, Any]]:
    """The request fields (``HyperParameters.C``) that differ, with their values as sent."""
    old_request, new_request = _request(old, old_run), _request(new, new_run)
    if old_request is None or new_request is None:
        return  # not run on one side (failed, not reached, not a job): nothing to compare
    old_names, new_names = _run_names(old), _run_names(new)
    old_leaves, new_leaves = dict(_flatten(old_request, "")), dict(_flatten(new_request, ""))
    for path in _ordered(list(new_leaves), list(old_leaves)):
        before, after = old_leaves.get(path, MISSING), new_leaves.get(path, MISSING)
        if not _same(_anonymous(before, old_names), _anonymous(after, new_names)):
            yield path, before, after


def _request(result: ExecutionResult, run: StepRun | None) -> dict[str, Any] | None:
    """The step's resolved request: its properties' members that its ``Arguments`` name."""
    if run is None or run.properties is None:
        return None
    spec = StepGraph.from_definition(result.definition).steps.get(run.name)
    if spec is None or spec.step_type not in REQUEST_STEP_TYPES:
        return None
    arguments = spec.entry.get("Arguments")
    if not isinstance(arguments, Mapping):
        return None
    # A Describe* response is the request plus what the job did (name, times, status):
    # the definition's argument names pick out the request.
    return {key: run.properties[key] for key in arguments if key in run.properties}


def _run_names(result: ExecutionResult) -> list[tuple[str, str]]:
    """What differs from run to run by construction, with a stand-in for each.

    Execution ids (this one's and those whose results a cache hit or selective run
    reused) and job names (random tokens) find their way into output paths and model
    URLs; a field that differs only by them did not change. Job names come first: they
    hold the execution id.
    """
    jobs: dict[str, str] = {}
    executions = {result.execution_id}
    steps = StepGraph.from_definition(result.definition).steps
    for run in result.steps:
        for source in (run.cache_hit, run.reused_from):
            if source:
                executions.add(source.rsplit("/", 1)[-1])
        properties = run.properties or {}
        best = properties.get("BestTrainingJob")
        named = [properties.get(key) for key in properties if str(key).endswith("JobName")]
        spec = steps.get(run.name)
        if spec is not None and spec.step_type == "Model":
            # Only the name a Model step's run made: a Transform's ModelName is what it
            # was given (a literal model's name too), and a change of it is a change.
            named.append(properties.get("ModelName"))
        if isinstance(best, Mapping):
            named.append(best.get("TrainingJobName"))
        for name in named:
            if isinstance(name, str) and name:
                jobs.setdefault(name, f"<{run.name} job>")
    ordered = sorted(jobs.items(), key=lambda item: -len(item[0]))
    return ordered + [(execution, "<execution>") for execution in sorted(executions)]


def _anonymous(value: Any, names: Sequence[tuple[str, str]]) -> Any:
    """``value`` with the run's names replaced by stand-ins (ARNs spell them lowercase)."""
    if not isinstance(value, str):
        return value
    for name, stand_in in names:
        if name.lower() in value.lower():
            value = re.sub(re.escape(name), stand_in, value, flags=re.IGNORECASE)
    return value


def _metrics(run: StepRun | None) -> dict[str, Any]:
    properties = (run.properties if run is not None else None) or {}
    found: dict[str, Any] = {}
    items = list(properties.get("FinalMetricDataList") or [])
    # A tuning step has no metrics of its own: its best training job's objective is what
    # says whether the change improved the model.
    best = properties.get("BestTrainingJob")
    if isinstance(best, Mapping):
        items.append(best.get("FinalHyperParameterTuningJobObjectiveMetric"))
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("MetricName"), str):
            found[item["MetricName"]] = item.get("Value")
    return found


def _property_values(result: ExecutionResult, step: str) -> dict[str, Any]:
    """Each property file of the step, flattened: ``"<file> <json path>"`` → value."""
    spec = StepGraph.from_definition(result.definition).steps.get(step)
    if spec is None or step not in result.store.properties:
        return {}
    values: dict[str, Any] = {}
    for declared in spec.entry.get("PropertyFiles") or []:
        file = declared.get("PropertyFileName") if isinstance(declared, Mapping) else None
        if not isinstance(file, str):
            continue
        try:
            content = result.property_file(step, file)
        except LocalRunError:
            continue  # not written (a failed step): nothing of it to compare
        for path, value in _flatten(content, ""):
            values[f"{file} {path}" if path else file] = value
    return values


def _flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """The leaves of a JSON value with their paths: ``metrics.accuracy.value``, ``a[0]``."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            text = str(key)
            child = (
                (f"{path}.{text}" if path else text)
                if _PLAIN_KEY.fullmatch(text)
                else f"{path}[{json.dumps(text)}]"
            )
            yield from _flatten(item, child)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def _registered(result: ExecutionResult, run: StepRun | None) -> Any:
    properties = (run.properties if run is not None else None) or {}
    group = properties.get("ModelPackageGroupName")
    version = properties.get("ModelPackageVersion")
    if not isinstance(group, str) or not isinstance(version, int):
        return MISSING
    try:
        status: str | None = result.registry.get(group, version).approval_status  # as it is now
    except LocalRunError:
        status = None  # the version was deleted since
    return RegisteredVersion(group, version, status)


def _paired(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    for key in _ordered(list(new), list(old)):
        before, after = old.get(key, MISSING), new.get(key, MISSING)
        if not _same(before, after):
            yield key, before, after


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 are the same number; True and 1 are not the same value.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    # NaN != NaN, but a loss that diverged in both runs did not change.
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _canonical(definition: Mapping[str, Any]) -> str:
    return json.dumps(definition, sort_keys=True, default=str)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        # Bare NaN/Infinity is not JSON (jq and JSON.parse refuse it): the JavaScript names.
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, RegisteredVersion):
        return {
            "group": value.group,
            "version": value.version,
            "approval_status": value.approval_status,
        }
    return value


# --- rendering -----------------------------------------------------------------------------


def format_run_value(value: Any, kind: ChangeKind | None = None) -> str:
    """A compared value as the displays show it: ``(none)`` when missing, seconds for a duration.

    Example::

        format_run_value(0.94)  # '0.94'
        format_run_value("ml.m5.large")  # 'ml.m5.large'
        format_run_value(MISSING)  # '(none)'
    """
    if value is MISSING:
        return "(none)"
    if kind == "duration" and _is_number(value):
        return f"{value:.2f}s" if value < 60 else f"{value / 60:.1f}m"
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, RegisteredVersion):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _delta_text(change: RunChange) -> str:
    delta = change.delta
    if delta is None:
        return ""
    if change.kind == "duration":
        return f"{delta:+.2f}s"
    if isinstance(delta, int):
        return f"{delta:+d}"  # a count is shown whole, as its values are: not +2.5e+06
    return format(delta, "+.6g")


def _line(change: RunChange) -> str:
    label = change.name
    if change.kind == "metric":
        label = f"metric {change.name}"
    old, new = _shown_value(change, change.old), _shown_value(change, change.new)
    delta = _delta_text(change)
    line = f"{label}: {old} → {new}" + (f" ({delta})" if delta else "")
    if change.reason:
        # `smpipe show` has the traceback: a line's worth says which failure it is.
        line += f": {_shorten(change.reason, REASON_WIDTH)}"
    return line


def _shown_value(change: RunChange, value: Any) -> str:
    """A value for a display line; a request field's is cut to ``VALUE_WIDTH``.

    A whole ``Environment`` or command line would take the screen.
    """
    text = format_run_value(value, change.kind)
    return _shorten(text, VALUE_WIDTH) if change.kind == "request" else text


def _capped(changes: Sequence[RunChange]) -> list[RunChange | str]:
    """A step's changes with at most ``REQUEST_LINES`` request fields.

    After the last one shown comes a note of how many more there are (the JSON has them).
    """
    requests = [change for change in changes if change.kind == "request"]
    if len(requests) <= REQUEST_LINES:
        return list(changes)
    kept = requests[:REQUEST_LINES]
    hidden = len(requests) - REQUEST_LINES
    shown: list[RunChange | str] = []
    for change in changes:
        if change.kind != "request":
            shown.append(change)
        elif change in kept:
            shown.append(change)
            if change is kept[-1]:
                shown.append(f"… {hidden} more request fields (smpipe compare --json)")
    return shown


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _header(comparison: ExecutionComparison, code: str = "") -> str:
    """The first line; ``code`` quotes the ids (a backtick in Markdown)."""
    old, new = comparison.old, comparison.new
    if comparison.same_pipeline:
        pipeline = old.pipeline_name
    else:
        pipeline = f"different pipelines: {old.pipeline_name} → {new.pipeline_name}"
    return (
        f"Executions {code}{old.execution_id}{code} → {code}{new.execution_id}{code} ({pipeline}): "
        f"{old.status} → {new.status}"
    )


def _definition_line(comparison: ExecutionComparison) -> str:
    if comparison.diff_command is None:
        return "Same definition"
    return f"Definitions differ: {comparison.diff_command}"


def render_comparison_text(comparison: ExecutionComparison) -> str:
    """The comparison for a terminal (``smpipe compare``): a header, then what differs.

    Example output::

        Executions p1vuqbui9plu → kqvqxhggasm0 (local-pipeline): Succeeded → Succeeded
        Same definition
        Parameters:
          MaxDepth: 3 → 5 (+2)
        Steps:
          Train (Training)
            metric validation:auc: 0.91 → 0.94 (+0.03)
    """
    lines = [_header(comparison), _definition_line(comparison)]
    parameters = [c for c in comparison.changes if c.kind == "parameter"]
    if parameters:
        lines.append("Parameters:")
        lines.extend(f"  {_line(change)}" for change in parameters)
    steps = _by_step(comparison)
    if steps:
        lines.append("Steps:")
        for step, changes in steps:
            step_type = comparison.step_types.get(step)
            lines.append(f"  {step}" + (f" ({step_type})" if step_type else ""))
            lines.extend(
                f"    {item if isinstance(item, str) else _line(item)}" for item in _capped(changes)
            )
    if not comparison.changes:
        lines.append("No differences in parameters, steps, metrics, property files or models")
    return "\n".join(lines) + "\n"


def _by_step(comparison: ExecutionComparison) -> list[tuple[str, list[RunChange]]]:
    grouped: dict[str, list[RunChange]] = {}
    for change in comparison.changes:
        if change.step is not None:
            grouped.setdefault(change.step, []).append(change)
    return list(grouped.items())


def render_comparison_markdown(comparison: ExecutionComparison) -> str:
    """The comparison as Markdown (a notebook's view): a bold header and one table.

    Example output::

        **Executions `p1vuqbui9plu` → `kqvqxhggasm0` (local-pipeline): Succeeded → Succeeded**

        Same definition

        | Step | Value | `p1vuqbui9plu` | `kqvqxhggasm0` | Change |
        |---|---|---|---|---|
        | *parameter* | `MaxDepth` | 3 | 5 | +2 |
        | Train | metric `validation:auc` | 0.91 | 0.94 | +0.03 |
    """
    old, new = comparison.old, comparison.new
    header = _header(comparison, code="`")
    definition = _definition_line(comparison)
    if comparison.diff_command is not None:
        definition = f"Definitions differ: `{comparison.diff_command}`"
    lines = [f"**{header}**", "", definition, ""]
    if not comparison.changes:
        lines.append("No differences in parameters, steps, metrics, property files or models.")
        return "\n".join(lines) + "\n"
    lines.append(f"| Step | Value | `{old.execution_id}` | `{new.execution_id}` | Change |")
    lines.append("|---|---|---|---|---|")
    parameters = [change for change in comparison.changes if change.step is None]
    for change in parameters:
        lines.append(_row(change))
    for step, changes in _by_step(comparison):
        for item in _capped(changes):
            if isinstance(item, str):
                lines.append(f"| {_cell(step)} | {_cell(item)} |  |  |  |")
            else:
                lines.append(_row(item))
    return "\n".join(lines) + "\n"


def _row(change: RunChange) -> str:
    """One change as a table row."""
    where = "*parameter*" if change.step is None else _cell(change.step)
    if change.kind == "metric":
        label = f"metric {_code(_cell(change.name))}"
    elif change.kind in ("parameter", "property", "request"):
        label = _code(_cell(change.name))
    else:
        label = change.name
    cells = [
        where,
        label,
        _cell(_shown_value(change, change.old)),
        _cell(_shown_value(change, change.new)),
        _delta_text(change),
    ]
    if change.reason:
        cells[-1] = _cell(_shorten(change.reason, REASON_WIDTH))
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    """A Markdown code span of ``text``, fenced by more backticks than it holds in a row."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick needs a space between it and the fence.
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
