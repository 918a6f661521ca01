"""cfn-lint over the reference app's templates, in a process that runs beside the tests.

Linting the three stacks for two regions is about 10 s of CPU, which the ``tests/cdk``
session would spend waiting on nothing else: ``reference_app`` starts ``lint_worker.py``
as soon as the app is synthesized, the lint tests run last in the session
(``pytest_collection_modifyitems`` in ``conftest.py``), and by then the findings are
usually there. The worker runs at a lower priority, so it takes the CPU the tests leave.

The session's lint jobs (the reference app's, and the modules' that lint a template of
their own) go to one worker, a ``LintService`` (the ``lint_service`` fixture): a worker
per job would import cfn-lint and build its rules again, about a second of CPU each.

A module that gives the worker a job of its own (a template to lint, with
``lint_in_background``; a question for cfn-lint's resource schemas,
``create_only_properties``) does it in a session-scoped fixture named ``lint``
(``MODULE_LINT``), whose inputs come from session-scoped fixtures too: ``conftest.py``
queues it as the module's first test starts and runs the tests that read it last in the
session, with the reference app's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

WORKER = Path(__file__).with_name("lint_worker.py")
# The fixture name of a module's own lint (see above).
MODULE_LINT = "lint"
REGIONS = ["us-east-1", "eu-west-1"]


def _key_allowing(*actions: str) -> dict[str, Any]:
    """A KMS key whose policy allows ``actions`` to anyone (a probe for cfn-lint's IAM check)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Resource": "*",
        "Action": list(actions),
    }
    return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [statement]}}}


# Templates of the lint tests' own, linted with the app's (see test_app_cfn_lint.py).
PROBES: dict[str, dict[str, Any]] = {
    # A key policy listing actions cfn-lint wrongly reports (FALSE_POSITIVES there).
    "probe:false-positives": {
        "Resources": {"Key": _key_allowing("kms:Decrypt", "kms:Decapsulate", "kms:Encapsulate")}
    },
    # An unknown IAM action and an unknown property: cfn-lint must report both.
    "probe:problems": {
        "Resources": {
            "Key": _key_allowing("kms:Decrypt", "kms:NoSuchAction"),
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Retention": 1}},
        }
    },
}
# Far longer than the lint takes on a slow machine (about 25 s): a worker that hangs fails.
TIMEOUT_SECONDS = 600
# How often a reader of the shared worker looks for its result.
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class LintMatch:
    """One cfn-lint match: its rule, where in the template (keys and indexes), its message."""

    rule_id: str
    path: tuple[Any, ...]
    message: str


class LintService:
    """One ``lint_worker.py --serve`` for the session's lint jobs, started with the first.

    ``directory`` (the caller's, as ``BackgroundLint``'s) holds the worker's output. Jobs
    run in the order given; ``stop()`` ends the worker (killing it if it still lints).
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def submit(self, job: Path, result: Path) -> None:
        """Queue ``job``: the worker writes ``result`` (or ``result`` + ``.error``) once done."""
        if self._process is None:
            self._stderr = (self._directory / "stderr.txt").open("wb")
            self._process = subprocess.Popen(
                [sys.executable, str(WORKER), "--serve"],
                stdin=subprocess.PIPE,
                stdout=self._stderr,
                stderr=self._stderr,
            )
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps([str(job), str(result)]).encode() + b"\n")
        self._process.stdin.flush()

    def exit_status(self) -> int | None:
        """The worker's exit status once it ended (None while it runs, or before it starts)."""
        return None if self._process is None else self._process.poll()

    def output(self) -> str:
        """What the worker printed (a traceback if it failed outside a job)."""
        path = self._directory / "stderr.txt"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """End the worker: at once, whatever it still has to lint (the session is over)."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            assert self._process.stdin is not None
            self._process.stdin.close()
        if self._stderr is not None:
            self._stderr.close()


class BackgroundJob:
    """A job of the worker's (``lint_worker.py``), queued now to ``service``; ``result()`` reads it.

    ``directory`` (empty, the caller's: a ``tmp_path_factory`` directory, which pytest
    removes with its old sessions) holds the job and its result.
    """

    def __init__(self, job: Mapping[str, Any], directory: Path, service: LintService) -> None:
        self._service = service
        path = directory / "job.json"
        path.write_text(json.dumps(job))
        self._result = directory / "result.json"
        self._loaded: Any = None
        service.submit(path, self._result)

    def result(self) -> Any:
        """What the worker wrote (JSON), waiting for it if it is still at work."""
        if self._loaded is None:
            self._wait()
            self._loaded = json.loads(self._result.read_text())
        return self._loaded

    def _wait(self) -> None:
        # The worker writes the result file whole (renamed into place): its existence is
        # the signal. Polled, as a shared worker has no end of its own to wait for.
        error = self._result.with_name(self._result.name + ".error")
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not self._result.exists():
            if error.exists():
                raise AssertionError(f"cfn-lint's worker failed:\n{error.read_text()}")
            status = self._service.exit_status()
            if status is not None and not self._result.exists():
                raise AssertionError(
                    f"cfn-lint's worker failed (exit {status}):\n{self._service.output()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"cfn-lint took more than {TIMEOUT_SECONDS} s ({WORKER.name})")
            time.sleep(POLL_SECONDS)


class BackgroundLint(BackgroundJob):
    """cfn-lint of some templates, queued now to ``service``, read when ``results()`` is called."""

    def __init__(self, templates: Mapping[str, str], directory: Path, service: LintService) -> None:
        super().__init__({"regions": REGIONS, "templates": dict(templates)}, directory, service)
        self._results: dict[str, list[LintMatch]] | None = None

    def results(self) -> dict[str, list[LintMatch]]:
        """Each template's matches, waiting for the worker if it is still linting."""
        if self._results is None:
            self._results = {
                name: [LintMatch(rule, tuple(path), message) for rule, path, message in matches]
                for name, matches in self.result().items()
            }
        return self._results


def create_only_properties(
    resource_types: Iterable[str], directory: Path, service: LintService
) -> BackgroundJob:
    """The ``createOnlyProperties`` of each of ``resource_types`` in cfn-lint's schemas.

    Of us-east-1, as JSON pointers (``/properties/BucketName``), read by the worker, which
    imports cfn-lint anyway: imported in the tests/cdk session, that is about 0.5 s of its
    CPU (its rules load SymPy). ``result()`` maps each type to its list.
    """
    request = {"region": "us-east-1", "types": sorted(set(resource_types))}
    return BackgroundJob({"create_only": request}, directory, service)


def lint_in_background(
    name: str, template: dict[str, Any], directory: Path, service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of ``template`` (as ``name``) in the background: a module fixture's body.

    Yields the template and its lint, queued to the session's worker ``service``::

        yield from lint_in_background(
            "endpoints", template, tmp_path_factory.mktemp("lint"), lint_service
        )
    """
    yield template, BackgroundLint({name: json.dumps(template)}, directory, service)
