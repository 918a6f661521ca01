"""Console output of the local runner: live progress and the summary tables."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..definition.validate import STEP_TYPES
from ._errors import LocalRunError
from .executors._base import CODE_LINE
from .records import ExecutionRecord, no_failure_reason
from .registry import ModelPackage
from .result import ExecutionResult, StepRun

__all__ = [
    "ConsoleProgress",
]

TRACEBACK_FRAMES = 3
# How much of the end of a step's log is searched for the script's last traceback.
_LOG_TAIL_BYTES = 256 * 1024
# A frame in the standard library or an installed package: not the script's own code.
_LIBRARY_FRAME = re.compile(r'^  File "[^"]*(/lib/python[0-9.]+/|[/\\](site|dist)-packages[/\\])')
# A frame of the step's code: under its /opt/ml (the container's path, or the sandbox's).
_CONTAINER_FRAME = re.compile(r'^  File "[^"]*/opt/ml/')
_PROPERTY_FILE = re.compile(r"property file '([^']+)' of step '([^']+)'")
_TRACEBACK_HEADER = "Traceback (most recent call last):"
_RUNNER_LINE = "[smpipe "
# The runner's line starting an attempt (``runner._log``): the code lines after the last
# one are the last attempt's.
_ATTEMPT_LINE = re.compile(r"\[smpipe [0-9:.]+\] attempt [0-9]+: ")
# The width of a progress line's step-type column: the longest type the language knows
# ("InferenceComponent"), so every label starts in the same column.
TYPE_WIDTH = max(len(step_type) for step_type in STEP_TYPES)
# The width of a progress line's step-name column: the pipeline's longest step name, at
# least STEP_WIDTH (short names print as they always have) and at most STEP_WIDTH_CAP
# (a 256-character name would push every label off a terminal). A longer name keeps its
# start and its end, with "…" in the middle, so the columns still align.
STEP_WIDTH = 24
STEP_WIDTH_CAP = 48

_LABELS = {
    "step-started": "Executing",
    "step-succeeded": "Succeeded",
    "step-cached": "Succeeded (cache hit)",
    "step-failed": "Failed",
    "step-stopped": "Stopped",
    "step-retrying": "Retrying",
    "step-not-executed": "Not executed",
}


class ConsoleProgress:
    """Prints one line per step event; on a terminal, also a live "running" status line.

    The step-name column is as wide as the pipeline's longest step name (the
    ``execution-started`` event lists them), between ``STEP_WIDTH`` and ``STEP_WIDTH_CAP``
    characters; a name longer than the column is shortened in the middle
    (``Evaluate…ForRegion``).

    Example::

        progress = ConsoleProgress(sys.stdout)
        LocalRunner(LocalConfig(progress=progress)).run(definition)
        progress.close()
    """

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.running: dict[str, float] = {}
        self.elapsed = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started_at: float | None = None
        self._ticker: threading.Thread | None = None
        self._status_shown = False
        self._step_width = STEP_WIDTH

    def __call__(self, event: Any) -> None:
        """Handle a ``ProgressEvent``."""
        with self._lock:
            self._clear()
            self.elapsed = event.elapsed
            if event.kind == "execution-started":
                self._step_width = _step_column_width(event.step_names)
                self._write(f"smpipe: execution {event.execution_id}  [{event.message}]\n")
                if self.live and self._ticker is None:
                    self._ticker = threading.Thread(target=self._tick, daemon=True)
                    self._ticker.start()
            elif event.kind == "execution-notice":
                first, *rest = (event.message or "").split("\n")
                self._write("".join(f"{line}\n" for line in [f"smpipe: note: {first}", *rest]))
            elif event.kind == "execution-finished":
                self._stop.set()
            elif event.kind in _LABELS:
                if event.kind == "step-started":
                    self.running[event.step] = event.elapsed
                else:
                    self.running.pop(event.step, None)
                label = _LABELS[event.kind]
                # A message's first line is the detail; the lines after it are notes, each
                # printed whole under it (they name paths, which a cut would lose).
                first, *notes = (event.message or "").split("\n")
                detail = f"  {_shorten(first, 100)}" if first else ""
                step_type = event.step_type or ""
                width = self._step_width
                name = _shorten_middle(event.step or "", width)
                self._write(
                    f"{event.elapsed:7.2f}s  {name:<{width}} {step_type:<{TYPE_WIDTH}} "
                    f"{label}{detail}\n"
                )
                for note in notes:
                    self._write(f"{'':10}{note}\n")
            self._status()

    def close(self) -> None:
        """Stop the live line."""
        self._stop.set()
        with self._lock:
            self._clear()

    def _tick(self) -> None:
        import time

        start = time.monotonic() - self.elapsed
        while not self._stop.wait(0.5):
            with self._lock:
                self.elapsed = time.monotonic() - start
                self._clear()
                self._status()

    def _status(self) -> None:
        if not self.live or not self.running or self._stop.is_set():
            return
        names = ", ".join(
            f"{name} ({self.elapsed - since:.0f}s)" for name, since in self.running.items()
        )
        self._write(_shorten(f"  running: {names}", shutil.get_terminal_size().columns - 1))
        self._status_shown = True

    def _clear(self) -> None:
        if self.live and self._status_shown:
            self._write("\r\033[K")
            self._status_shown = False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _step_column_width(names: Sequence[str]) -> int:
    """The progress lines' step-name column for a pipeline with these step names."""
    longest = max((len(name) for name in names), default=0)
    return min(max(longest, STEP_WIDTH), STEP_WIDTH_CAP)


def _shorten_middle(name: str, width: int) -> str:
    """``name`` in at most ``width`` characters: its start and its end around "…"."""
    if len(name) <= width:
        return name
    tail = (width - 1) // 2
    head = width - 1 - tail
    return f"{name[:head]}…{name[len(name) - tail :]}"


def _shorten(text: str | None, width: int) -> str:
    if text is None:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(width - 1, 0)] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain left-aligned text table."""
    widths = [len(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.2f}s" if seconds < 60 else f"{seconds / 60:.1f}m"


def _step_note(run: StepRun, step_type: str) -> str:
    if run.status in ("NotExecuted", "Pending"):
        return run.reason or ""
    if run.failure_reason:
        return run.failure_reason
    if run.status == "Failed":
        return no_failure_reason(step_type)
    if run.outcome is not None:
        return f"Outcome: {run.outcome}"
    if run.reused_from:
        return "reused from " + run.reused_from.rsplit("/", 1)[-1]
    return ""


def summary(result: ExecutionResult, types: Mapping[str, str], width: int | None = None) -> str:
    """The final table: status, duration, attempts, cache hit and failure reason per step."""
    width = width or shutil.get_terminal_size((200, 20)).columns
    rows = []
    for run in result.steps:
        cache = "hit " + run.cache_hit.rsplit("/", 1)[-1] if run.cache_hit else "-"
        rows.append(
            [
                run.name,
                types.get(run.name, ""),
                run.status,
                _duration(run.duration),
                str(run.attempt_count),
                cache,
                _shorten(_step_note(run, types.get(run.name, "")), max(40, width - 75)),
            ]
        )
    text = table(["STEP", "TYPE", "STATUS", "DURATION", "ATTEMPTS", "CACHE", "NOTE"], rows)
    failures = [run for run in result.steps if run.status in ("Failed", "Stopped")]
    details = []
    for run in failures:
        reason = run.failure_reason or no_failure_reason(types.get(run.name, ""))
        details.append(f"\n{run.name}: {reason}")
        if run.log is not None:
            details.extend(f"  {line}" for line in last_traceback(run.log))
            details.extend(f"  code: {line}" for line in code_origins(run.log))
            details.append(f"  log: {run.log}")
        details.extend(_property_files_read(result, run.failure_reason or ""))
        if run.work is not None:
            details.append(f"  work (its /opt/ml: inputs, code, what it wrote): {run.work}")
    results = _results(result, types)
    if results:
        details.append("")
        details.extend(results)
    record = result.record
    total = _elapsed(record)
    status = f"\nExecution {record.execution_id} ({record.pipeline_name}): {record.status}"
    if total is not None:
        status += f" in {_duration(total)}"
    if record.failure_reason:
        status += f"\n  {record.failure_reason}"
    parts = [text, *details, f"\nrecords: {record.directory}", status.lstrip("\n")]
    return "\n".join(parts)


def _log_tail(log: Path) -> list[str]:
    """The lines of the end of a step's log (none if it can't be read)."""
    try:
        with log.open("rb") as file:
            # The end of the log only: a long training log may run to gigabytes.
            size = file.seek(0, 2)
            file.seek(max(0, size - _LOG_TAIL_BYTES))
            tail = file.read()
    except OSError:
        return []
    return tail.decode("utf-8", errors="replace").splitlines()


def last_traceback(log: Path, max_frames: int = TRACEBACK_FRAMES) -> list[str]:
    """The last Python traceback a script wrote to ``log``: its own frames and the exception.

    The failure reason quotes only the exception line; the script's frames say where it
    was raised, which is what a reader fixes first. Frames inside installed packages and
    the standard library (numpy's, pandas') are counted, not shown, and so are all but the
    last ``max_frames`` of the script's own. When some frames are under ``/opt/ml`` (a
    job's code), those are the script's own, and all the others are counted.
    """
    lines = _log_tail(log)
    starts = [i for i, line in enumerate(lines) if line.startswith(_TRACEBACK_HEADER)]
    if not starts:
        return []
    frames: list[list[str]] = []
    exception: list[str] = []
    for line in lines[starts[-1] + 1 :]:
        if line.startswith(_RUNNER_LINE):  # the runner's own lines end the script's output
            break
        if exception or not line.startswith(" "):
            exception.append(line)
        elif line.startswith('  File "'):
            frames.append([line])
        elif frames and line.strip(" ^~") != "":  # not a caret line under the code
            frames[-1].append(line)
    # A job's code is under /opt/ml: beside it, every frame is a library's, wherever it is
    # installed here (pandas from a PYTHONPATH folder too, as pip puts it on SageMaker).
    # Without one (a Lambda handler, a transform's default handlers), site-packages and the
    # standard library are the libraries.
    own = [frame for frame in frames if _CONTAINER_FRAME.search(frame[0])] or [
        frame for frame in frames if not _LIBRARY_FRAME.search(frame[0])
    ]
    shown = own[-max_frames:]
    excerpt = [_TRACEBACK_HEADER]
    if len(own) > len(shown):
        excerpt.append(f"  … {len(own) - len(shown)} earlier frame(s)")
    for frame in shown:
        excerpt.extend(frame)
    if len(frames) > len(own):
        excerpt.append(f"  … {len(frames) - len(own)} frame(s) in libraries")
    return [*excerpt, *exception]


def _results(result: ExecutionResult, types: Mapping[str, str]) -> list[str]:
    """A line per succeeded step whose result a reader looks for first.

    A training job's final metrics; a registered version's folder (its model data and
    reports) and approval status, read now (``smpipe registry approve`` changes it).
    """
    lines = []
    for run in result.steps:
        properties = run.properties or {}
        if run.status != "Succeeded" or not properties:
            continue
        step_type = types.get(run.name)
        if step_type == "Training":
            metrics = [
                f"{item.get('MetricName')}={item.get('Value')}"
                for item in properties.get("FinalMetricDataList") or []
                if isinstance(item, Mapping)
            ]
            if metrics:
                lines.append(f"{run.name}: final metrics {', '.join(metrics)}")
        elif step_type == "RegisterModel":
            group = properties.get("ModelPackageGroupName")
            version = properties.get("ModelPackageVersion")
            if not isinstance(group, str) or not isinstance(version, int):
                continue  # a record edited by hand: nothing to point at
            try:
                package = result.registry.get(group, version)  # its status now
            except LocalRunError:
                continue  # the version was deleted since
            lines.append(
                f"{run.name}: {group} version {version} ({package.approval_status}): "
                f"{package.directory}"
            )
    return lines


def code_origins(log: Path) -> list[str]:
    """Where the code of the log's last failed attempt came from: ``/opt/ml/code = scripts``.

    A traceback names the container's path (``/opt/ml/code/train.py``); the executor logs
    the local file or folder each code path came from when the script fails (``CODE_LINE``).
    """
    lines = _log_tail(log)
    attempts = [i for i, line in enumerate(lines) if _ATTEMPT_LINE.match(line)]
    after = lines[attempts[-1] :] if attempts else lines
    found = [match[1] for line in after if (match := CODE_LINE.match(line))]
    return list(dict.fromkeys(found))  # a tuning job's training jobs share their code


def _property_files_read(result: ExecutionResult, reason: str) -> list[str]:
    """Where the property files a failure names are on disk, to open them."""
    lines = []
    for name, step in dict.fromkeys(re.findall(_PROPERTY_FILE, reason)):
        try:
            path = result.property_file_path(step, name)
        except LocalRunError:  # not written, or the step did not run: the reason says so
            continue
        lines.append(f"  property file '{name}' of step '{step}': {path}")
    return lines


def _elapsed(record: ExecutionRecord) -> float | None:
    try:
        start = dt.datetime.fromisoformat(record.created)
        end = dt.datetime.fromisoformat(record.ended) if record.ended else None
    except ValueError:
        return None
    return None if end is None else (end - start).total_seconds()


def executions_table(records: Sequence[ExecutionRecord]) -> str:
    """``smpipe executions``."""
    rows = []
    for record in records:
        finished = sum(1 for e in record.steps.values() if e.get("StepStatus") == "Succeeded")
        rows.append(
            [
                record.execution_id,
                record.pipeline_name,
                record.status,
                record.created[:19].replace("T", " "),
                _duration(_elapsed(record)),
                f"{finished}/{len(record.step_order) - _not_selected(record)}",
                _shorten(record.failure_reason, 60),
            ]
        )
    return table(
        ["EXECUTION", "PIPELINE", "STATUS", "STARTED (UTC)", "DURATION", "SUCCEEDED", "REASON"],
        rows,
    )


def _not_selected(record: ExecutionRecord) -> int:
    return sum(1 for reason in record.not_executed.values() if reason == "not selected")


def _model_quality_values(statistics: object) -> list[tuple[str, object]]:
    """The single values of a model quality report, as ``(name, value)`` pairs.

    Reads SageMaker's model quality format, each metric an object with a ``value`` under
    ``regression_metrics``, ``binary_classification_metrics`` or
    ``multiclass_classification_metrics`` (what Model Monitor writes, and the AWS examples'
    evaluation scripts), and a report's own group of them under ``metrics``. Curves and
    matrices (objects without a single ``value``) are left out, and a name given in two
    groups is shown once, with the first group's value.
    """
    if not isinstance(statistics, Mapping):
        return []
    values: dict[str, object] = {}
    for group, metrics in statistics.items():
        if group != "metrics" and not (isinstance(group, str) and group.endswith("_metrics")):
            continue
        if not isinstance(metrics, Mapping):
            continue
        for name, metric in metrics.items():
            value = metric.get("value") if isinstance(metric, Mapping) else None
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                values.setdefault(str(name), value)
    return list(values.items())


def registry_table(packages: Sequence[ModelPackage]) -> str:
    """``smpipe registry list``."""
    rows = []
    for package in packages:
        statistics = package.metrics.get("ModelQuality", {}).get("Statistics")
        shown = ", ".join(f"{name}={value}" for name, value in _model_quality_values(statistics))
        generated = str(
            package.description.get("LocalExecutionArn")
            # Registries written before LocalExecutionArn: the runner set GeneratedBy to it.
            or (package.description.get("MetadataProperties") or {}).get("GeneratedBy")
        )
        # The commit the version was built from (MetadataProperties.CommitId), shortened as
        # git shortens it.
        commit = str((package.description.get("MetadataProperties") or {}).get("CommitId") or "")
        reports = "; ".join(
            f"{label} {', '.join(kinds)}"
            for label, kinds in (
                ("metrics", list(package.metrics)),
                ("baselines", list(package.drift_check_baselines)),
            )
            if kinds
        )
        rows.append(
            [
                package.group,
                str(package.version),
                package.approval_status,
                package.created[:19].replace("T", " "),
                generated.rsplit("/", 1)[-1],
                commit[:12],
                _shorten(shown, 60),
                reports,
            ]
        )
    return table(
        [
            "GROUP",
            "VERSION",
            "STATUS",
            "CREATED (UTC)",
            "EXECUTION",
            "COMMIT",
            "METRICS",
            "REPORTS",
        ],
        rows,
    )
