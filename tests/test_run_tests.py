"""scripts/run_tests.py: tests/cdk and the other tests as two pytest sessions side by side."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_tests", REPO / "scripts" / "run_tests.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, Path]:
    """A project with one test in tests/cdk and one outside it, each saying where it ran."""
    (tmp_path / "tests" / "cdk").mkdir(parents=True)
    (tmp_path / "tests" / "cdk" / "test_stack.py").write_text(
        "import os\n\ndef test_cdk():\n    assert 'SMPIPE_TESTS_WITHOUT_JSII' not in os.environ\n"
    )
    (tmp_path / "tests" / "test_language.py").write_text(
        "import os\n\ndef test_language():\n"
        "    assert os.environ['SMPIPE_TESTS_WITHOUT_JSII'] == '1'\n"
    )
    runner = load_runner()
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    monkeypatch.delenv("SMPIPE_TESTS_WITHOUT_JSII", raising=False)
    return runner, tmp_path


def test_each_half_runs_once_in_its_own_session(
    project: tuple[ModuleType, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, _ = project
    assert runner.main(["-p", "no:cacheprovider"]) == 0
    printed = capsys.readouterr().out
    assert "tests/test_language.py ." in printed  # streamed as it ran
    assert "tests/cdk/test_stack.py ." in printed  # printed after it
    assert "other tests: 1 passed" in printed
    assert "tests/cdk: 1 passed" in printed


def test_a_failure_in_either_session_fails_the_run(
    project: tuple[ModuleType, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, root = project
    (root / "tests" / "cdk" / "test_broken.py").write_text("def test_broken():\n    assert False\n")
    assert runner.main(["-q", "-p", "no:cacheprovider"]) == pytest.ExitCode.TESTS_FAILED
    printed = capsys.readouterr().out
    assert "other tests: 1 passed in" in printed
    assert "tests/cdk: 1 failed, 1 passed in" in printed
    assert printed.count("(exit 0)") == 1
    assert printed.count("(exit 1)") == 1


def test_test_paths_run_one_ordinary_session(
    project: tuple[ModuleType, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, _ = project
    status = runner.main(["-p", "no:cacheprovider", "tests/cdk/test_stack.py::test_cdk"])
    assert status == 0
    assert "both sessions" not in capsys.readouterr().out


def test_the_summary_is_pytests_result_line_without_frame_or_colours() -> None:
    runner = load_runner()
    line = (
        "\x1b[32m===== \x1b[32m\x1b[1m3 passed\x1b[0m\x1b[32m in 0.01s"
        "\x1b[0m\x1b[32m =====\x1b[0m\n"
    )
    assert runner._summary(line, 0) == "3 passed in 0.01s (exit 0)"
