"""The executor protocol and what an executor gets to work with."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from ...definition.entries import StepSpec
from .._errors import StepError
from .._paths import shown_path
from ..evaluate import Evaluator, ExecutionVariables
from ..isolation import IsolationMode, Sandbox, describe_exit, setup_failed
from ..registry import ACCOUNT, REGION, ModelRegistry
from ..resources import ResourceMap
from ..store import StepStore, read_text_tail

# A failed job's log line saying where its code came from, in the runner's format
# (``[smpipe 12:00:01.250] code: /opt/ml/code = scripts``): ``progress.code_origins``
# reads it, and readers of a script's output skip it as a runner line.
CODE_LINE = re.compile(r"^\[smpipe [0-9:.]+\] code: (.+)$")


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The parts of ``LocalConfig`` executors use, read once per run.

    Example::

        RunSettings(root=Path(".smpipe"), python=sys.executable, isolation=mode)
    """

    root: Path
    python: str
    isolation: IsolationMode
    strict_outputs: bool = True
    external_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepResult:
    """What a successful step attempt produced.

    ``outputs`` maps S3 URIs to files or directories under the attempt's staging
    directory; the runner publishes them atomically after the step succeeded.
    ``metadata`` is the step's ``Metadata`` in ListPipelineExecutionSteps.

    Example::

        StepResult(properties={"ProcessingJobStatus": "Completed", …},
                   outputs={"s3://b/p/train": staging / "train"},
                   metadata={"ProcessingJob": {"Arn": arn}})
    """

    properties: Mapping[str, Any]
    outputs: Mapping[str, Path] = field(default_factory=dict)
    output_names: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    outcome: bool | None = None
    # What the local run didn't reproduce, printed once under the step's success line.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepContext:
    """Everything one attempt of one step may use.

    ``arguments`` are the step's ``Arguments`` with every expression evaluated.
    ``attempt_dir`` is private to this attempt; ``staging`` is where outputs go.

    Example::

        sandbox = ctx.sandbox(ctx.interpreter(arguments["AppSpecification"]["ImageUri"]))
    """

    spec: StepSpec
    arguments: Any
    evaluator: Evaluator
    store: StepStore
    resources: ResourceMap
    settings: RunSettings
    execution: ExecutionVariables
    registry: ModelRegistry
    job_name: str
    attempt: int
    attempt_dir: Path
    log: Path
    stop: threading.Event

    @property
    def name(self) -> str:
        """The step's name."""
        return self.spec.name

    @property
    def staging(self) -> Path:
        """Where outputs are staged before publication."""
        return self.attempt_dir / "publish"

    def arn(self, resource: str, name: str | None = None) -> str:
        """A local ARN, e.g. ``arn:aws:sagemaker:local:000000000000:training-job/<name>``."""
        return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{(name or self.job_name).lower()}"

    def interpreter(self, image: Any) -> str:
        """The local Python for an image URI (``StepError`` naming the mapping option)."""
        return self.resources.interpreter(
            image, step=self.name, default_python=self.settings.python
        )

    def sandbox(self, interpreter: str, name: str = "sandbox") -> Sandbox:
        """A fresh private ``/opt`` tree under the attempt directory."""
        return Sandbox(self.attempt_dir / name, self.settings.isolation, interpreter=interpreter)

    def run_process(
        self,
        sandbox: Sandbox,
        argv: list[str],
        *,
        env: Mapping[str, str],
        cwd: str,
        timeout: float | None,
        what: str,
        log: Path | None = None,
        failure_files: tuple[str, ...] = (),
        code: Sequence[tuple[str, Path]] = (),
    ) -> float:
        """Run a step's program; raise ``StepError`` with a precise reason if it fails.

        Returns the run time in seconds. ``failure_files`` are container paths whose
        content (SageMaker's failure-reason convention) is quoted in the reason. ``code``
        pairs a container path of the code with the local file or folder it came from:
        on a failure each is logged (``code: /opt/ml/code = scripts/model``), as the
        traceback names the container's path, not the file to open.
        """
        log_file = log or self.log
        outcome = sandbox.run(argv, env=env, cwd=cwd, log=log_file, timeout=timeout, stop=self.stop)
        if setup_failed(outcome, log_file):
            raise StepError(
                "could not set up the private /opt/ml mount for the step: "
                + read_text_tail(log_file, 2)
                + " (run with --isolation redirect)"
            )
        reason = describe_exit(outcome, timeout=timeout, what=what)
        if reason is None:
            return outcome.seconds
        if code:
            stamp = self.now().strftime("%H:%M:%S.%f")[:-3]
            with log_file.open("a", encoding="utf-8") as handle:
                for container, local in code:
                    handle.write(f"[smpipe {stamp}] code: {container} = {shown_path(local)}\n")
        detail = ""
        for container_path in failure_files:
            file = sandbox.host_path(container_path)
            if file.is_file():
                detail = file.read_text(encoding="utf-8", errors="replace").strip()[:600]
                break
        if not detail and not outcome.timed_out and not outcome.stopped:
            detail = _last_error_line(read_text_tail(log_file, 200, limit=16000))
        prefix = "AlgorithmError: " if outcome.returncode > 0 and not outcome.timed_out else ""
        message = prefix + reason + (f": {detail}" if detail else "")
        message += _missing_module_hint(detail, sandbox.interpreter, code)
        raise StepError(message[:1024])

    def now(self) -> dt.datetime:
        """The current UTC time."""
        return dt.datetime.now(dt.UTC)


def _missing_module_hint(
    detail: str, interpreter: str, code: Sequence[tuple[str, Path]] = ()
) -> str:
    """Where to install a module the script could not import, "" for any other failure.

    The job's image would have had it, or its ``requirements.txt`` installed it; here the
    step ran on a local interpreter that stands in for the image, and which one is not in
    the traceback: name it, so the fix is one ``pip install`` away. Unless the module is
    the user's own, beside a script shipped alone (``Code.from_asset("scripts/train.py")``
    ships ``train.py`` only, not ``utils.py`` next to it): then the code is what to fix,
    on SageMaker too.
    """
    missing = _MISSING_MODULE.match(detail)
    if missing is None:
        return ""
    module = missing.group(1)
    for _, local in code:
        if not local.is_file():
            continue
        folder = local.parent
        if (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file():
            return (
                f" (the job's code is {shown_path(local)} alone; {module!r} is next to it "
                "locally but not in the job, here or on SageMaker: ship the folder, "
                f"Code.from_asset({shown_path(folder)!r}, entry_point={local.name!r}))"
            )
    return (
        f" (the step ran on {interpreter}, which stands in for the job's image and installs "
        f"nothing: install the package of {module!r} into it, or map the image to "
        "a Python that has it with --image-map IMAGE_URI=PYTHON)"
    )


def _last_error_line(tail: str) -> str:
    """What went wrong: the exception of the last Python traceback, else the last line.

    An exception's message may run on over many lines (XGBoost's ends in a C++ stack trace,
    scikit-learn's NaN error in advice): its first line, after the frames, names it.
    """
    raw = [line for line in tail.splitlines() if not line.startswith("[smpipe ")]
    headers = [i for i, line in enumerate(raw) if line.startswith("Traceback (most recent")]
    if headers:
        for line in raw[headers[-1] + 1 :]:
            if line.strip() and not line[0].isspace():
                return line.strip()
    lines = [
        line.strip()
        for line in tail.splitlines()
        if line.strip() and not line.startswith("[smpipe ")
    ]
    if not lines:
        return ""
    for line in reversed(lines):
        if line.startswith(("Traceback", "File ", "^")):
            continue
        return line
    return lines[-1]


class StepExecutor(Protocol):
    """Runs one step type: ``run(step, ctx) -> StepResult``, raising ``StepError``.

    Example::

        class FailExecutor:
            def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
                raise StepError(ctx.arguments["ErrorMessage"], halts=True)
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Execute one attempt."""


def timestamp(value: dt.datetime) -> str:
    """ISO 8601 as stored in properties and records."""
    return value.isoformat()


def stopping_timeout(arguments: Mapping[str, Any]) -> float | None:
    """``StoppingCondition.MaxRuntimeInSeconds`` as a timeout, if set."""
    condition = arguments.get("StoppingCondition") or {}
    value = condition.get("MaxRuntimeInSeconds")
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise StepError(
            f"StoppingCondition.MaxRuntimeInSeconds {value!r} is not a number"
        ) from None
    return seconds


def require_output_written(
    path: Path,
    *,
    strict: bool,
    step: str,
    description: str,
    written_elsewhere: Callable[[], Sequence[str]] | None = None,
) -> None:
    """Fail when an output directory holds no file (unless strict outputs are off).

    ``written_elsewhere`` lists where the script wrote instead (container paths), so a
    mistyped output folder is named in the reason.
    """
    if not strict:
        return
    if not path.exists() or not any(p.is_file() for p in path.rglob("*")):
        stray = list(written_elsewhere()) if written_elsewhere is not None else []
        instead = ""
        if stray:
            shown = ", ".join(stray[:_STRAY_SHOWN]) + (", …" if len(stray) > _STRAY_SHOWN else "")
            instead = f" and wrote {shown} instead, which no output collects (a mistyped path?)"
        raise StepError(
            f"{description} was never written: the script left it empty{instead}, so there is "
            "nothing to publish (smpipe run --allow-empty-outputs or "
            "LocalConfig(strict_outputs=False) publishes empty outputs as the service does)"
        )


_STRAY_SHOWN = 3
# The exception line of a failed import; the top-level package is what to install.
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^'.]+)")


def stray_writes(sandbox: Sandbox, expected: Iterable[str], base: str = "/opt/ml") -> list[str]:
    """Container paths under ``base`` holding files that none of ``expected`` covers.

    ``expected`` are the container paths the job itself provides or collects (inputs,
    outputs, code, config). What is left is where the script wrote by mistake.

    Example::

        stray_writes(sandbox, ["/opt/ml/processing/train"])  # ['/opt/ml/processing/out']
    """
    covered = [PurePosixPath(os.path.normpath(path)) for path in expected]
    found: list[str] = []

    def visit(container: PurePosixPath) -> None:
        try:
            entries = sorted(sandbox.host_path(str(container)).iterdir())
        except (OSError, StepError):
            return
        for entry in entries:
            child = container / entry.name
            if any(child == path or path in child.parents for path in covered):
                continue
            if any(child in path.parents for path in covered):
                if entry.is_dir() and not entry.is_symlink():
                    visit(child)
                continue
            if entry.is_file() or any(item.is_file() for item in entry.rglob("*")):
                found.append(str(child))

    visit(PurePosixPath(base))
    return found
