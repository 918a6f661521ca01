"""The background cfn-lint (``tests/cdk/lint.py``): where it writes, and how it fails."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.cdk.lint import BackgroundLint


def test_a_failing_worker_is_reported_with_its_output_and_leaves_no_files_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its directory was a tempfile.mkdtemp() nobody removed: one more in /dev/shm (memory)
    # for every session. Now the caller's, which pytest removes with its old sessions.
    scratch, directory = tmp_path / "tempfile", tmp_path / "lint"
    scratch.mkdir()
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    lint = BackgroundLint({"probe:broken": '{"Resources": '}, directory)
    with pytest.raises(AssertionError, match=r"cfn-lint's worker failed \(exit 1\):\n") as caught:
        lint.results()
    assert "template probe:broken can't be decoded" in str(caught.value)
    lint.stop()
    assert list(scratch.iterdir()) == []
    assert sorted(path.name for path in directory.iterdir()) == ["job.json", "stderr.txt"]
