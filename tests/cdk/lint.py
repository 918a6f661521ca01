"""cfn-lint over the reference app's templates, in a process that runs beside the tests.

Linting the three stacks for two regions is about 10 s of CPU, which the ``tests/cdk``
session would spend waiting on nothing else: ``reference_app`` starts ``lint_worker.py``
as soon as the app is synthesized, the lint tests run last in the session
(``pytest_collection_modifyitems`` in ``conftest.py``), and by then the findings are
usually there. The worker runs at a lower priority, so it takes the CPU the tests leave.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("lint_worker.py")
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


@dataclass(frozen=True)
class LintMatch:
    """One cfn-lint match: its rule, where in the template (keys and indexes), its message."""

    rule_id: str
    path: tuple[Any, ...]
    message: str


class BackgroundLint:
    """cfn-lint of some templates, started now, read when ``results()`` is called.

    ``directory`` (empty, the caller's: a ``tmp_path_factory`` directory, which pytest
    removes with its old sessions) holds the job, the result and the worker's output.
    """

    def __init__(self, templates: Mapping[str, str], directory: Path) -> None:
        self._directory = directory
        job = self._directory / "job.json"
        job.write_text(json.dumps({"regions": REGIONS, "templates": dict(templates)}))
        self._result = self._directory / "result.json"
        self._stderr = (self._directory / "stderr.txt").open("wb")
        self._process = subprocess.Popen(
            [sys.executable, str(WORKER), str(job), str(self._result)],
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
        )
        self._results: dict[str, list[LintMatch]] | None = None

    def results(self) -> dict[str, list[LintMatch]]:
        """Each template's matches, waiting for the worker if it is still linting."""
        if self._results is None:
            try:
                status = self._process.wait(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.stop()
                raise AssertionError(
                    f"cfn-lint took more than {TIMEOUT_SECONDS} s ({WORKER.name})"
                ) from None
            self._stderr.close()
            if status != 0 or not self._result.exists():
                output = (self._directory / "stderr.txt").read_text(errors="replace")
                raise AssertionError(f"cfn-lint's worker failed (exit {status}):\n{output}")
            loaded = json.loads(self._result.read_text())
            self._results = {
                name: [LintMatch(rule, tuple(path), message) for rule, path, message in matches]
                for name, matches in loaded.items()
            }
        return self._results

    def stop(self) -> None:
        """Stop the worker if it still runs (the session ended before reading it)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


def lint_in_background(
    name: str, template: dict[str, Any], directory: Path
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of ``template`` (as ``name``) in the background: a module fixture's body.

    Yields the template and its worker, and stops the worker when the fixture ends::

        yield from lint_in_background("endpoints", template, tmp_path_factory.mktemp("lint"))
    """
    worker = BackgroundLint({name: json.dumps(template)}, directory)
    try:
        yield template, worker
    finally:
        worker.stop()
