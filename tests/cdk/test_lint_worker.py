"""The background cfn-lint (``tests/cdk/lint.py``): where it writes, and how it fails."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cdk.lint import BackgroundLint, LintService


def test_a_worker_that_dies_is_reported_with_its_status_and_leaves_no_files_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its directory was a tempfile.mkdtemp() nobody removed: one more in /dev/shm (memory)
    # for every session. Now the caller's, which pytest removes with its old sessions.
    scratch, worker, directory = tmp_path / "tempfile", tmp_path / "worker", tmp_path / "lint"
    for folder in (scratch, worker, directory):
        folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    service = LintService(worker)
    lint = BackgroundLint({"probe:empty": '{"Resources": {}}'}, directory, service)
    service.stop()  # killed while it still imports cfn-lint (about a second)
    with pytest.raises(AssertionError, match=r"cfn-lint's worker failed \(exit -9\):\n"):
        lint.results()
    assert list(scratch.iterdir()) == []
    assert sorted(path.name for path in directory.iterdir()) == ["job.json"]
    assert sorted(path.name for path in worker.iterdir()) == ["stderr.txt"]


@pytest.fixture(scope="session")
def lint(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LintService, BackgroundLint, BackgroundLint]]:
    """A worker of its own given two jobs, a broken one first: the module's ``MODULE_LINT``.

    Queued as the module's first test starts and read by a test that runs last in the
    session (``tests/cdk/lint.py``): the worker imports cfn-lint (about a second) while the
    other tests run, where the test used to wait for it.
    """
    root = tmp_path_factory.mktemp("shared-worker")
    service = LintService(root / "worker")
    (root / "worker").mkdir()
    jobs = {name: root / name for name in ("broken", "queue")}
    for directory in jobs.values():
        directory.mkdir()
    try:
        broken = BackgroundLint({"probe:broken": '{"Resources": '}, jobs["broken"], service)
        queue = {
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Retention": 1}}}
        }
        linted = BackgroundLint({"probe:queue": json.dumps(queue)}, jobs["queue"], service)
        yield service, broken, linted
    finally:
        service.stop()


def test_the_sessions_jobs_share_one_worker_and_a_failing_job_leaves_the_next_one_alone(
    lint: tuple[LintService, BackgroundLint, BackgroundLint],
) -> None:
    # One worker for the session's lint jobs: each would otherwise import cfn-lint and build
    # its rules again. A job that fails reports its traceback; the jobs after it still run.
    service, broken, linted = lint
    try:
        with pytest.raises(AssertionError, match=r"cfn-lint's worker failed:\n") as caught:
            broken.results()
        assert "template probe:broken can't be decoded" in str(caught.value)
        assert any(match.rule_id == "E3002" for match in linted.results()["probe:queue"])
        assert service.exit_status() is None  # still serving, one process for both
    finally:
        service.stop()
    assert service.exit_status() is not None
