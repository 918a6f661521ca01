"""Execution records: one directory per execution with a JSON record of the run.

Layout of ``<root>/executions/<id>/``::

    execution.json   DescribePipelineExecution-like, with PipelineExecutionSteps in the
                     shape of ListPipelineExecutionSteps and the steps that never started
    definition.json  the definition that ran
    resources.json   the ResourceMap it ran with
    store/<Step>.json  each step's properties and published outputs (resume, selective runs)
    logs/<Step>.log  each step's output (all attempts)
    outputs/<Step>/  each succeeded step's published outputs
    work/<Step>/     attempt directories (kept when the attempt failed)

Example::

    record = ExecutionRecord.load(root / "executions" / "p4jn9xou8a8s")
    record.status, record.steps["Train"]["StepStatus"]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import LocalRunError
from ._paths import EXECUTION_ID
from .registry import ACCOUNT, REGION

_ID_ALPHABET = string.ascii_lowercase + string.digits


def no_failure_reason(step_type: str) -> str:
    """What stands for the ``FailureReason`` of a failed step that has none.

    SageMaker records none for a Fail step whose ErrorMessage is empty; the summary and the
    execution's reason say so rather than print nothing.

    Example::

        no_failure_reason("Fail")  # '(no ErrorMessage)'
    """
    return "(no ErrorMessage)" if step_type == "Fail" else "(no FailureReason)"


def executions_dir(root: Path) -> Path:
    """``<root>/executions``."""
    return root / "executions"


def pipeline_arn(name: str) -> str:
    """The local ARN of a pipeline."""
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{name.lower()}"


def new_execution_dir(root: Path) -> tuple[str, Path]:
    """Allocate a fresh execution id and directory (atomically, so ids never collide)."""
    parent = executions_dir(root)
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        execution_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
        directory = parent / execution_id
        try:
            directory.mkdir()
        except FileExistsError:
            continue
        return execution_id, directory


def find_execution(root: Path, execution_id: str) -> Path:
    """The directory of an execution (a unique prefix of its id is enough).

    An id is letters and digits: anything else (``../x``, an absolute path) would name
    a directory outside ``<root>/executions``, and raises ``LocalRunError``.
    """
    if not isinstance(execution_id, str) or EXECUTION_ID.fullmatch(execution_id) is None:
        raise LocalRunError(
            f"{execution_id!r} is not an execution id: ids are letters and digits, as "
            "smpipe executions lists them (a unique prefix is enough)"
        )
    parent = executions_dir(root)
    exact = parent / execution_id
    if (exact / "execution.json").exists():
        return exact
    matches = (
        [p for p in parent.iterdir() if p.name.startswith(execution_id)]
        if parent.is_dir() and execution_id
        else []
    )
    matches = [p for p in matches if (p / "execution.json").exists()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise LocalRunError(
            f"execution id prefix '{execution_id}' is ambiguous: "
            + ", ".join(sorted(p.name for p in matches))
        )
    raise LocalRunError(f"no execution '{execution_id}' under {parent}")


def write_json(path: Path, data: Any, indent: int | None = 2) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(data, indent=indent, default=str), encoding="utf-8")
    os.replace(temporary, path)


@dataclass
class ExecutionRecord:
    """The mutable record of one execution, saved as ``execution.json``.

    ``steps`` holds ListPipelineExecutionSteps entries for every step that started (or
    was reused); ``not_executed`` the others, with the reason. ``options`` (stored as
    ``RunOptions``) are the options the last run or resume was given that nothing else
    here keeps, such as its callback outputs: a resume doesn't reuse them, so the command
    that continues the execution repeats them.

    Example::

        record.steps["Train"]["AttemptCount"]
    """

    directory: Path
    execution_id: str
    pipeline_name: str
    status: str = "Executing"
    failure_reason: str | None = None
    created: str = ""
    ended: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_executed: dict[str, str] = field(default_factory=dict)
    isolation: str = ""
    selective: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    step_order: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        """The execution's local ARN."""
        return f"{pipeline_arn(self.pipeline_name)}/execution/{self.execution_id}"

    def __repr__(self) -> str:
        # The steps and history run to pages (each step's whole entry): a notebook listing
        # runner.executions() shows a line per execution; the fields hold the rest.
        parts = [
            f"execution_id={self.execution_id!r}",
            f"pipeline_name={self.pipeline_name!r}",
            f"status={self.status!r}",
            f"created={self.created!r}",
        ]
        if self.failure_reason:
            parts.append(f"failure_reason={self.failure_reason!r}")
        if self.parameters:
            parts.append(f"parameters={self.parameters!r}")
        parts.append(f"steps={len(self.steps)}")
        return f"ExecutionRecord({', '.join(parts)})"

    def stop_unfinished(self, reason: str, *, ended: str | None = None) -> None:
        """End an execution that can't go on: ``Stopped``, with its running steps ``Stopped``.

        Steps that never started are recorded as not executed, so the record accounts for
        every step and ``--resume`` can continue it.
        """
        for entry in self.steps.values():
            if entry.get("StepStatus") in ("Starting", "Executing", "Stopping"):
                entry["StepStatus"] = "Stopped"
                entry.setdefault("FailureReason", reason)
                if ended is not None:
                    entry.setdefault("EndTime", ended)
        for name in self.step_order:
            if name not in self.steps and name not in self.not_executed:
                self.not_executed[name] = "the execution was stopped"
        self.status, self.failure_reason = "Stopped", reason
        self.ended = ended or _now()

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        ordered = [self.steps[name] for name in self.step_order if name in self.steps]
        ordered += [entry for name, entry in self.steps.items() if name not in self.step_order]
        data: dict[str, Any] = {
            "PipelineArn": pipeline_arn(self.pipeline_name),
            "PipelineName": self.pipeline_name,
            "PipelineExecutionArn": self.arn,
            "PipelineExecutionId": self.execution_id,
            "PipelineExecutionStatus": self.status,
            "CreationTime": self.created,
            "LastModifiedTime": self.ended or _now(),
            "PipelineParameters": [
                {"Name": name, "Value": _text(value)} for name, value in self.parameters.items()
            ],
            "PipelineExecutionSteps": ordered,
            "NotExecutedSteps": [
                {"StepName": name, "Reason": reason} for name, reason in self.not_executed.items()
            ],
            "Isolation": self.isolation,
            "StepOrder": self.step_order,
        }
        if self.ended:
            data["EndTime"] = self.ended
        if self.failure_reason:
            data["FailureReason"] = self.failure_reason
        if self.selective:
            data["SelectiveExecutionConfig"] = self.selective
        if self.history:
            data["History"] = self.history
        if self.options:
            data["RunOptions"] = self.options
        data["TypedParameters"] = self.parameters
        return data

    def save(self, *, compact: bool = False) -> None:
        """Write ``execution.json`` (``compact`` while the run goes on, indented at the end)."""
        write_json(self.directory / "execution.json", self.to_json(), indent=None if compact else 2)

    @staticmethod
    def load(directory: Path) -> ExecutionRecord:
        """Read ``execution.json`` of an execution directory."""
        path = directory / "execution.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LocalRunError(f"can't read the record of {directory.name}: {error}") from None
        try:
            if not isinstance(data, dict):
                raise TypeError(f"a JSON {type(data).__name__}, not an object")
            return ExecutionRecord.from_json(directory, data)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            # Hand-edited or truncated by something else: name the file, not a traceback.
            detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise LocalRunError(
                f"can't read the record of {directory.name}: {path} is not an execution "
                f"record ({detail})"
            ) from None

    @staticmethod
    def from_json(directory: Path, data: Mapping[str, Any]) -> ExecutionRecord:
        """Rebuild a record from its stored form."""
        return ExecutionRecord(
            directory=directory,
            execution_id=data["PipelineExecutionId"],
            pipeline_name=data["PipelineName"],
            status=data["PipelineExecutionStatus"],
            failure_reason=data.get("FailureReason"),
            created=data.get("CreationTime", ""),
            ended=data.get("EndTime"),
            parameters=dict(data.get("TypedParameters") or {}),
            steps={entry["StepName"]: dict(entry) for entry in data["PipelineExecutionSteps"]},
            not_executed={
                item["StepName"]: item["Reason"] for item in data.get("NotExecutedSteps") or []
            },
            isolation=data.get("Isolation", ""),
            selective=data.get("SelectiveExecutionConfig"),
            history=list(data.get("History") or []),
            step_order=list(data.get("StepOrder") or []),
            options=dict(data.get("RunOptions") or {}),
        )


def settle_abandoned(record: ExecutionRecord) -> ExecutionRecord:
    """Mark an ``Executing`` record whose process is gone as ``Stopped`` (and save it).

    A run holds the execution's ``.lock`` until its record is final, so an ``Executing``
    record whose lock is free was left by a process that was killed (SIGKILL, out of
    memory, a closed terminal). Its time of death is the record's last write.
    """
    if record.status != "Executing":
        return record
    try:
        handle = (record.directory / ".lock").open("a")
    except OSError:
        return record
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return record  # still running
        current = ExecutionRecord.load(record.directory)
        if current.status != "Executing":
            return current
        path = record.directory / "execution.json"
        ended = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat()
        current.stop_unfinished(
            "the process running the execution ended before it finished "
            f"(smpipe show {current.execution_id} prints the command that continues it)",
            ended=ended,
        )
        with contextlib.suppress(OSError):
            current.save()
        return current


def list_records(
    root: Path, skipped: list[tuple[Path, LocalRunError]] | None = None
) -> list[ExecutionRecord]:
    """Every execution under ``root``, oldest first.

    Unreadable records are left out; ``skipped`` (if given) collects them with the error.
    """
    parent = executions_dir(root)
    if not parent.is_dir():
        return []
    records = []
    for directory in parent.iterdir():
        if (directory / "execution.json").exists():
            try:
                records.append(settle_abandoned(ExecutionRecord.load(directory)))
            except LocalRunError as error:
                if skipped is not None:
                    skipped.append((directory, error))
    return sorted(records, key=lambda record: record.created)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
