"""What a local execution returns: statuses, outcomes, properties, property files, models.

Example::

    result = runner.run(definition, parameters={"AccuracyThreshold": "0.99"})
    assert result.status == "Failed"
    assert result.step("CheckAccuracy").outcome is False
    report = result.property_file("Evaluate", "EvaluationReport")
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..definition._suggest import did_you_mean
from ._errors import EvaluationError, LocalRunError, StepError
from ._graph import StepGraph
from .evaluate import Evaluator, ExecutionVariables
from .records import ExecutionRecord
from .registry import ModelRegistry
from .resources import ResourceMap
from .store import StepStore, load_snapshot

if TYPE_CHECKING:
    from .compare import ExecutionComparison

NOT_EXECUTED = "NotExecuted"
# The columns of a notebook's summary table: the width `smpipe show` assumes off a terminal.
_NOTEBOOK_WIDTH = 200
PENDING = "Pending"


@dataclass(frozen=True, slots=True)
class StepRun:
    """One step of an execution, in the vocabulary of ListPipelineExecutionSteps.

    ``status`` is the service's ``StepStatus`` (``Succeeded``, ``Failed``,
    ``Stopped``, …) or ``NotExecuted`` for a step that never started (``reason``
    says why: branch not taken, upstream failed, not selected, …). While the
    execution still runs, a step that has not started yet is ``Pending``.

    Example::

        run = result.step("Train")
        run.status, run.attempt_count, run.cache_hit, run.failure_reason, run.duration
    """

    name: str
    status: str
    entry: Mapping[str, Any] | None
    reason: str | None
    properties: Mapping[str, Any] | None
    log: Path | None
    # The /opt/ml of the step's last kept attempt (failed or stopped, or with keep_work);
    # the attempt's directory when it ran several programs, each with its own /opt/ml.
    work: Path | None = None

    def __repr__(self) -> str:
        # The entry and properties run to pages (a job's whole description): a notebook
        # cell shows what the summary table says of the step, the fields hold the rest.
        parts = [f"name={self.name!r}", f"status={self.status!r}"]
        if self.attempt_count:
            parts.append(f"attempt_count={self.attempt_count}")
        if self.cache_hit:
            # The source execution's id: its ARN differs only by a fixed prefix.
            parts.append(f"cache_hit={self.cache_hit.rsplit('/', 1)[-1]!r}")
        if self.failure_reason:
            parts.append(f"failure_reason={self.failure_reason!r}")
        if self.reason:
            parts.append(f"reason={self.reason!r}")
        if self.outcome is not None:
            parts.append(f"outcome={self.outcome}")
        if self.log is not None:
            parts.append(f"log={str(self.log)!r}")
        return f"StepRun({', '.join(parts)})"

    @property
    def failure_reason(self) -> str | None:
        """``FailureReason`` of a failed step (a Fail step's message; None when it's empty)."""
        return None if self.entry is None else self.entry.get("FailureReason")

    @property
    def attempt_count(self) -> int:
        """``AttemptCount`` (0 for cache hits and steps that never started)."""
        return 0 if self.entry is None else int(self.entry.get("AttemptCount", 0))

    @property
    def cache_hit(self) -> str | None:
        """The source execution ARN of a cache hit, else None."""
        if self.entry is None:
            return None
        hit = self.entry.get("CacheHitResult")
        return None if hit is None else str(hit["SourcePipelineExecutionArn"])

    @property
    def reused_from(self) -> str | None:
        """The source execution ARN when a selective run reused this step's results."""
        if self.entry is None:
            return None
        reused = self.entry.get("SelectiveExecutionResult")
        return None if reused is None else str(reused["SourcePipelineExecutionArn"])

    @property
    def metadata(self) -> Mapping[str, Any]:
        """The step's ``Metadata``."""
        return {} if self.entry is None else self.entry.get("Metadata", {})

    @property
    def outcome(self) -> bool | None:
        """A condition step's outcome (None for other steps or if it did not succeed)."""
        condition = self.metadata.get("Condition")
        if condition is None:
            return None
        return str(condition.get("Outcome")) == "True"

    @property
    def start_time(self) -> dt.datetime | None:
        """``StartTime``."""
        return _time(None if self.entry is None else self.entry.get("StartTime"))

    @property
    def end_time(self) -> dt.datetime | None:
        """``EndTime``."""
        return _time(None if self.entry is None else self.entry.get("EndTime"))

    @property
    def duration(self) -> float | None:
        """Seconds between start and end."""
        if self.start_time is None or self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """A finished (or recorded) local execution.

    Example::

        result = LocalRunner(LocalConfig(root=tmp_path)).run(definition)
        assert result.succeeded
        result.step("CheckAccuracy").outcome
        result.property_file("Evaluate", "EvaluationReport")["metrics"]["accuracy"]["value"]
        result.registry.latest("breast-cancer").approval_status
        result.output("Preprocess", "train")          # local directory of that output
    """

    record: ExecutionRecord
    definition: Mapping[str, Any]
    store: StepStore
    root: Path

    def __repr__(self) -> str:
        # The record, definition and store run to pages: what a notebook cell should show.
        return (
            f"ExecutionResult(execution_id={self.execution_id!r}, "
            f"pipeline_name={self.record.pipeline_name!r}, status={self.status!r}, "
            f"directory={str(self.directory)!r})"
        )

    def _repr_markdown_(self) -> str:
        """A notebook's view: ``smpipe show``'s summary, each failure with its traceback.

        A bold status line, then the table of steps (status, duration, attempts, cache
        hit, note), the last frames of each failed script and where its log and records
        are, as ``smpipe run`` ends.
        """
        from .progress import summary  # progress imports this module

        graph = StepGraph.from_definition(self.definition)
        types = {name: spec.step_type for name, spec in graph.steps.items()}
        # A notebook scrolls a wide code block instead of wrapping it: notes as long as
        # `smpipe show` prints them off a terminal, or a branch's note loses its outcome.
        text = summary(self, types, width=_NOTEBOOK_WIDTH)
        header = f"**Execution `{self.execution_id}` ({self.record.pipeline_name}): {self.status}**"
        # A fence longer than any run of backticks in the text (a script's message).
        runs = [len(run) for run in re.findall("`+", text)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        return f"{header}\n\n{fence}text\n{text}\n{fence}\n"

    @property
    def execution_id(self) -> str:
        """``PipelineExecutionId``."""
        return self.record.execution_id

    @property
    def arn(self) -> str:
        """``PipelineExecutionArn``."""
        return self.record.arn

    @property
    def status(self) -> str:
        """``PipelineExecutionStatus``: ``Succeeded``, ``Failed``, ``Stopped`` or ``Executing``."""
        return self.record.status

    @property
    def succeeded(self) -> bool:
        """True when the status is ``Succeeded``."""
        return self.record.status == "Succeeded"

    @property
    def failure_reason(self) -> str | None:
        """``FailureReason`` of a failed execution, as SageMaker words it for any failed step.

        ``Step failure: One or multiple steps failed.``, then (the runner's addition) the
        first failed step and its reason. A Fail step's message is that step's
        ``failure_reason``, as on the service: ``result.step("AccuracyTooLow").failure_reason``.
        """
        return self.record.failure_reason

    @property
    def directory(self) -> Path:
        """The execution's directory."""
        return self.record.directory

    @property
    def parameters(self) -> dict[str, Any]:
        """The typed parameter values the execution ran with."""
        return dict(self.record.parameters)

    @property
    def registry(self) -> ModelRegistry:
        """The runner root's model registry."""
        return ModelRegistry(self.root)

    @property
    def steps(self) -> list[StepRun]:
        """Every step of the definition, in definition order."""
        return [self.step(name) for name in self.record.step_order]

    def step(self, name: str) -> StepRun:
        """One step by name (``KeyError`` naming the known steps)."""
        entry = self.record.steps.get(name)
        known = name in self.record.not_executed or name in self.record.step_order
        if entry is None and not known:
            hint = did_you_mean(name, self.record.step_order)
            raise KeyError(
                f"no step '{name}' in execution {self.execution_id}"
                + (f" ({hint})" if hint else "")
            )
        reason = self.record.not_executed.get(name)
        status = NOT_EXECUTED
        if entry is not None:
            status = str(entry.get("StepStatus", ""))
        elif reason is None:
            # Only a running execution (watched from another process) has these.
            status, reason = PENDING, "not started yet"
        log = self.directory / "logs" / f"{name}.log"
        return StepRun(
            name=name,
            status=status,
            entry=entry,
            reason=reason,
            properties=self.store.properties.get(name),
            log=log if log.exists() else None,
            work=_kept_opt_ml(self.directory / "work" / name),
        )

    def properties(self, step: str) -> Mapping[str, Any]:
        """A finished step's properties (Describe*-shaped)."""
        properties = self.store.properties.get(step)
        if properties is None:
            raise LocalRunError(f"step '{step}' has no properties in {self.execution_id}")
        return properties

    def property_file(self, step: str, name: str) -> Any:
        """The parsed JSON of a Processing step's property file."""
        try:
            return self._evaluator().property_file(step, name)
        except EvaluationError as error:
            raise LocalRunError(error.message) from None

    def property_file_path(self, step: str, name: str) -> Path:
        """The local path of a Processing step's property file (the file a JsonGet reads)."""
        try:
            return self._evaluator().property_file_path(step, name)
        except EvaluationError as error:
            raise LocalRunError(error.message) from None

    def evaluate(self, expression: Any) -> Any:
        """Evaluate a definition expression against this execution (e.g. a ``JsonGet``)."""
        if hasattr(expression, "to_request"):
            expression = expression.to_request()
        try:
            return self._evaluator().resolve(expression)
        except EvaluationError as error:
            raise LocalRunError(error.message) from None

    def output(self, step: str, output_name: str | None = None) -> Path:
        """The local path of a published output (by ``OutputName`` for Processing)."""
        outputs = self.store.outputs_of(step)
        if not outputs:
            raise LocalRunError(f"step '{step}' published no outputs in {self.execution_id}")
        if output_name is None:
            if len(outputs) != 1:
                raise LocalRunError(f"step '{step}' has several outputs: name one")
            return Path(next(iter(outputs.values())))
        properties = self.store.properties.get(step) or {}
        configured = (properties.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        for item in configured:
            if item.get("OutputName") == output_name:
                uri = item["S3Output"]["S3Uri"]
                try:
                    located = self.store.locate(uri, f"output '{output_name}' of step '{step}'")
                except StepError as error:
                    raise LocalRunError(error.reason) from None
                if located is not None:
                    return located.path
        names = sorted(str(item.get("OutputName")) for item in configured)
        if names:
            raise LocalRunError(
                f"step '{step}' has no output '{output_name}' (its outputs: {', '.join(names)})"
            )
        raise LocalRunError(
            f"step '{step}' has no output '{output_name}': only a Processing step's outputs "
            f"have names; result.output('{step}') is the folder it published (a Training "
            "step's holds output/model.tar.gz)"
        )

    def compare(self, other: ExecutionResult) -> ExecutionComparison:
        """What changed from this execution to ``other``: ``compare_executions(self, other)``.

        Example::

            runner.execution("p1vu").compare(result)  # a table in a notebook
        """
        from .compare import compare_executions  # compare imports this module

        return compare_executions(self, other)

    def list_steps(self, sort_order: str = "Descending") -> dict[str, Any]:
        """The ListPipelineExecutionSteps response (``StartTime`` order)."""
        entries = list(self.record.steps.values())
        entries.sort(key=lambda e: e.get("StartTime") or "", reverse=sort_order == "Descending")
        return {"PipelineExecutionSteps": entries}

    def describe(self) -> dict[str, Any]:
        """The stored record (DescribePipelineExecution plus the steps)."""
        return self.record.to_json()

    def _evaluator(self) -> Evaluator:
        started = _time(self.record.created) or dt.datetime.now(dt.UTC)
        variables = ExecutionVariables(
            self.record.pipeline_name,
            self.record.arn.rsplit("/execution/", 1)[0],
            self.execution_id,
            self.record.arn,
            started,
        )
        return Evaluator(
            parameters=self.record.parameters,
            execution=variables,
            store=self.store,
            graph=StepGraph.from_definition(self.definition),
        )

    @staticmethod
    def load(directory: Path, root: Path) -> ExecutionResult:
        """Read an execution directory."""
        record = ExecutionRecord.load(directory)
        definition = _read_json(directory / "definition.json")
        if not isinstance(definition, dict):
            raise LocalRunError(
                f"can't read the definition of {directory.name}: "
                f"{directory / 'definition.json'} is missing or not a JSON object"
            )
        resources = _read_json(directory / "resources.json")
        mappings = ResourceMap.from_json({"s3": (resources or {}).get("s3") or {}}).s3_mappings()
        store = StepStore(root / "s3", mappings)
        snapshot = load_snapshot(directory)
        store.restore(snapshot, (snapshot.get("Properties") or {}).keys(), "recorded")
        return ExecutionResult(record, definition, store, root)


def _kept_opt_ml(step_work: Path) -> Path | None:
    """The ``/opt/ml`` of the step's last kept attempt: its inputs, code and what it wrote."""
    attempts = [
        (int(path.name.removeprefix("attempt-")), path)
        for path in step_work.glob("attempt-*")
        if path.name.removeprefix("attempt-").isdigit()
    ]
    if not attempts:
        return None
    last = max(attempts)[1]
    trees = sorted(path for path in last.glob("*/opt/ml") if path.is_dir())
    if not trees:
        return None  # the step runs no program (a condition, a registration)
    # A tuning step's trials and an inference pipeline's containers each have their own.
    return trees[0] if len(trees) == 1 else last


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
