"""scripts/run_tests.py: tests/cdk and the other tests as two pytest sessions side by side."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
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


# The report options, as scripts/run_tests.py takes them out of the options of both sessions.
JUNIT_OPTIONS = ("--junitxml", "--junit-xml")


def prepare_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A project in ``root`` with one test in tests/cdk and one outside it, and its runner.

    Each test says where it ran.
    """
    (root / "tests" / "cdk").mkdir(parents=True)
    (root / "tests" / "cdk" / "test_stack.py").write_text(
        "import os\n\ndef test_cdk():\n    assert 'SMPIPE_TESTS_WITHOUT_JSII' not in os.environ\n"
    )
    (root / "tests" / "test_language.py").write_text(
        "import os\n\ndef test_language():\n"
        "    assert os.environ['SMPIPE_TESTS_WITHOUT_JSII'] == '1'\n"
    )
    runner = load_runner()
    monkeypatch.setattr(runner, "ROOT", root)
    monkeypatch.delenv("SMPIPE_TESTS_WITHOUT_JSII", raising=False)
    # The sessions these tests start need no plugin: without them each starts in half the time.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # As on a CI runner, which doesn't set it (a developer's shell or container may).
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    return runner


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, Path]:
    """``prepare_project`` in ``tmp_path``: the runner and the project's folder."""
    return prepare_project(tmp_path, monkeypatch), tmp_path


def run_once(
    tmp_path_factory: pytest.TempPathFactory, options: list[str], files: dict[str, str]
) -> tuple[int, str]:
    """The status and output of a run in a project of ``prepare_project`` and ``files``.

    For the tests that each read what one run printed: each run starts two sessions.
    """
    root = tmp_path_factory.mktemp("project")
    with pytest.MonkeyPatch.context() as monkeypatch:
        runner = prepare_project(root, monkeypatch)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = runner.main(options)
    return status, printed.getvalue()


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    """A run without options, whose tests/cdk session prints at exit (atexit, a conftest)."""
    conftest = "import atexit\n\natexit.register(print, 'printed at exit')\n"
    return run_once(
        tmp_path_factory, ["-p", "no:cacheprovider"], {"tests/cdk/conftest.py": conftest}
    )


@pytest.fixture(scope="module")
def language_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    """A run of ``-k language`` (only the other session's test), with a folder ``language``."""
    options = ["-p", "no:cacheprovider", "-k", "language"]
    return run_once(tmp_path_factory, options, {"language/README": "a folder named as -k's value"})


def test_the_tests_cdk_session_runs_without_hypothesis_unless_an_option_is_its_own(
    reported_run: tuple[int, str, Path, Path],
) -> None:
    # tests/cdk uses no hypothesis; its plugin would import it (about 0.8 s of CPU) only
    # for its end-of-session summary. The other session, whose tests use it, keeps it.
    # reported_run's file tests assert which session has it blocked: only test_broken fails.
    _, printed, _, _ = reported_run
    assert "tests/cdk: 1 failed, 2 passed in" in printed
    assert "other tests: 2 passed in" in printed
    runner = load_runner()
    assert runner._without_hypothesis(["-q"]) == ["-q", "-p", "no:hypothesispytest"]
    assert runner._without_hypothesis(["--hypothesis-seed=3", "-q"]) == [
        "--hypothesis-seed=3",
        "-q",
    ]


def test_each_half_runs_once_in_its_own_session(plain_run: tuple[int, str]) -> None:
    status, printed = plain_run
    assert status == 0
    assert "tests/test_language.py ." in printed  # streamed as it ran
    assert "tests/cdk/test_stack.py ." in printed  # printed after it
    assert "other tests: 1 passed" in printed
    assert "tests/cdk: 1 passed" in printed


@pytest.fixture(scope="module")
def reported_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path, Path]:
    """A run with a failing test in tests/cdk, ``--junitxml PATH`` and ``--basetemp=PATH``.

    Returns the status, the output, the report's path and the base. A test of each session
    writes a file in its ``tmp_path``. One run for the tests of failures, reports and
    temporary folders: each run starts two sessions (the forms of the options are
    ``test_the_report_and_basetemp_options_are_taken_in_every_form``'s).
    """
    out = tmp_path_factory.mktemp("reported")
    report, base = out / "reports" / "junit.xml", out / "base"
    files = {"tests/cdk/test_broken.py": "def test_broken():\n    assert False\n"}
    # Each also says whether its session runs with hypothesis's plugin blocked (tests/cdk's).
    for where, name, blocked in (
        ("tests/cdk", "test_cdk_files", ""),
        ("tests", "test_language_files", "not "),
    ):
        files[f"{where}/{name}.py"] = (
            f"def {name}(tmp_path, request):\n"
            "    (tmp_path / 'kept').write_text('x')\n"
            f"    assert {blocked}request.config.pluginmanager.is_blocked('hypothesispytest')\n"
        )
    options = ["-q", "-p", "no:cacheprovider", "--junitxml", str(report), f"--basetemp={base}"]
    status, printed = run_once(tmp_path_factory, options, files)
    return status, printed, report, base


def test_a_failure_in_either_session_fails_the_run(
    reported_run: tuple[int, str, Path, Path],
) -> None:
    status, printed, _, _ = reported_run  # a test of tests/cdk fails, none of the others
    assert status == pytest.ExitCode.TESTS_FAILED
    assert "other tests: 2 passed in" in printed
    assert "tests/cdk: 1 failed, 2 passed in" in printed
    assert printed.count("(exit 0)") == 1
    assert printed.count("(exit 1)") == 1


def test_test_paths_run_one_ordinary_session(
    project: tuple[ModuleType, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, _ = project
    status = runner.main(["-p", "no:cacheprovider", "tests/cdk/test_stack.py::test_cdk"])
    assert status == 0
    assert "both sessions" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "paths"),
    [
        (["-k", "docs"], []),  # docs/ exists: still the value of -k
        (["-xk", "docs"], []),
        (["-m", "slow", "--durations", "5", "-p", "no:cacheprovider"], []),
        (["--deselect", "tests/test_docs.py::test_readme"], []),
        (["--lf", "--snapshot-update", "-q", "--tb=short"], []),
        (["-kdocs", "tests/review"], ["tests/review"]),
        (["--durations=5", "tests/cdk/test_docs.py::test_x"], ["tests/cdk/test_docs.py::test_x"]),
    ],
)
def test_test_paths_are_the_arguments_that_are_no_option_or_option_value(
    arguments: list[str], paths: list[str]
) -> None:
    assert load_runner()._test_paths(arguments) == paths


def test_an_option_value_naming_a_directory_still_runs_two_sessions(
    language_run: tuple[int, str],
) -> None:
    status, printed = language_run  # -k language, beside a folder named language
    assert status == 0
    assert "both sessions" in printed


def test_a_session_whose_tests_are_all_deselected_does_not_fail_the_run(
    language_run: tuple[int, str],
) -> None:
    status, printed = language_run
    assert status == 0
    assert "tests/cdk: 1 deselected" in printed


@pytest.mark.parametrize(
    ("other", "tests_cdk", "run"),
    [
        (pytest.ExitCode.NO_TESTS_COLLECTED, pytest.ExitCode.NO_TESTS_COLLECTED, 5),
        (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED, 0),
        (pytest.ExitCode.NO_TESTS_COLLECTED, pytest.ExitCode.TESTS_FAILED, 1),
        (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.INTERRUPTED, 1),
        (pytest.ExitCode.OK, pytest.ExitCode.INTERRUPTED, 2),
    ],
)
def test_the_run_fails_as_its_first_failing_session_or_when_neither_had_tests(
    other: int, tests_cdk: int, run: int
) -> None:
    # A run that selects nothing at all (-k nothing_is_named_so) still says so: exit 5.
    assert load_runner()._run_status(other, tests_cdk) == run


def test_the_last_failures_of_both_sessions_are_kept_for_lf(
    project: tuple[ModuleType, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, root = project
    # With one cache for both, the session ending last would keep only its own failures.
    failing = "def test_{}():\n    assert False\n"
    (root / "tests" / "cdk" / "test_broken.py").write_text(failing.format("cdk"))
    (root / "tests" / "test_broken.py").write_text(failing.format("other"))

    assert runner.main(["-q"]) == pytest.ExitCode.TESTS_FAILED

    last_failed = json.loads((root / ".pytest_cache" / "v" / "cache" / "lastfailed").read_text())
    assert set(last_failed) == {
        "tests/cdk/test_broken.py::test_cdk",
        "tests/test_broken.py::test_other",
    }
    capsys.readouterr()
    assert runner.main(["-q", "--lf"]) == pytest.ExitCode.TESTS_FAILED
    printed = capsys.readouterr().out
    assert "other tests: 1 failed in" in printed
    assert "tests/cdk: 1 failed in" in printed


def test_a_python_without_pytest_gets_a_hint_instead_of_two_failing_sessions(
    project: tuple[ModuleType, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, _ = project
    monkeypatch.setattr(runner.importlib.util, "find_spec", lambda name: None)

    assert runner.main([]) == pytest.ExitCode.USAGE_ERROR

    assert "has no pytest: run the tests with the project's Python" in capsys.readouterr().err


def start_runner_script(root: Path, *, start_new_session: bool = False) -> subprocess.Popen[str]:
    """Run a copy of scripts/run_tests.py in ``root`` (its ROOT), output to a pipe."""
    (root / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "run_tests.py", root / "scripts")
    return subprocess.Popen(
        [sys.executable, "scripts/run_tests.py", "-p", "no:cacheprovider"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=start_new_session,
    )


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (exited ones not yet waited for included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[bool, int, str]:
    """A run of the script, as a terminal's job, given Ctrl-C once only tests/cdk still runs.

    Returns whether the run was still going when the other session's result line came
    through the pipe, the run's exit code and everything it printed.
    """
    root = tmp_path_factory.mktemp("interrupted")
    started, slept = root / "started", root / "slept"
    with pytest.MonkeyPatch.context() as monkeypatch:
        prepare_project(root, monkeypatch)  # its environment is the script's
        (root / "tests" / "cdk" / "test_slow.py").write_text(
            "import pathlib, time\n\n"
            "def test_slow():\n"
            f"    pathlib.Path({str(started)!r}).touch()\n"
            "    time.sleep(30)\n"
            f"    pathlib.Path({str(slept)!r}).touch()\n"
        )
        # A process group of its own, as a terminal's job.
        run = start_runner_script(root, start_new_session=True)
    assert run.stdout is not None
    try:
        for line in run.stdout:  # the other session's result line
            if " passed" in line:
                break
        still_running = not slept.exists()  # tests/cdk is in its slow test
        if not still_running:
            printed = run.stdout.read()
            return False, run.wait(), printed
        # Waited for, not guessed with a sleep: tests/cdk is in its slow test, and the run
        # has reaped the other session (its one child left), so it waits for tests/cdk alone.
        deadline = time.monotonic() + 30
        while not started.exists() or len(children(run.pid)) != 1:
            assert time.monotonic() < deadline, (started.exists(), children(run.pid))
            time.sleep(0.01)
        os.killpg(run.pid, signal.SIGINT)
        printed = run.stdout.read()
        status = run.wait(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    return still_running, status, printed


def test_ctrl_c_after_the_other_session_ended_still_shows_the_tests_cdk_session(
    interrupted_run: tuple[bool, int, str],
) -> None:
    _, status, printed = interrupted_run
    assert status != 0
    assert "Traceback" not in printed
    assert "KeyboardInterrupt" in printed  # the tests/cdk session's own report
    assert "tests/cdk: " in printed


def test_the_other_sessions_output_reaches_a_pipe_while_tests_cdk_still_runs(
    interrupted_run: tuple[bool, int, str],
) -> None:
    # A CI log is a pipe, where Python's stdout is block-buffered: the other session's
    # progress showed only when both sessions had ended (a stuck tests/cdk session then
    # showed nothing at all), unless PYTHONUNBUFFERED happened to be set (the script's
    # environment has it unset, as a CI runner's).
    still_running, _, printed = interrupted_run
    assert still_running, printed


def test_a_junit_report_holds_the_tests_of_both_sessions(
    reported_run: tuple[int, str, Path, Path],
) -> None:
    # Each session wrote the file given, the last to end over the other's: a CI's test
    # report held tests/cdk alone (or the rest alone), and said nothing of the others.
    _, _, report, _ = reported_run
    root = ElementTree.parse(report).getroot()
    cases = sorted(case.get("classname", "") for case in root.iter("testcase"))
    assert cases == [
        *("tests.cdk.test_broken", "tests.cdk.test_cdk_files", "tests.cdk.test_stack"),
        *("tests.test_language", "tests.test_language_files"),
    ]
    assert [suite.get("tests") for suite in root.iter("testsuite")] == ["2", "3"]


def test_each_session_gets_a_basetemp_of_its_own(
    reported_run: tuple[int, str, Path, Path],
) -> None:
    # pytest empties --basetemp when a session starts: given to both, each deleted the
    # other's temporary files (a test's tmp_path) under it.
    _, _, _, base = reported_run
    kept = sorted(path.relative_to(base).parts[0] for path in base.rglob("kept"))
    assert kept == ["other", "tests-cdk"]


@pytest.mark.parametrize(
    ("form", "names"),
    [
        ("--junitxml=PATH", JUNIT_OPTIONS),
        ("--junitxml PATH", JUNIT_OPTIONS),
        ("--junit-xml=PATH", JUNIT_OPTIONS),
        ("--basetemp=PATH", ("--basetemp",)),
        ("--basetemp PATH", ("--basetemp",)),
    ],
)
def test_the_report_and_basetemp_options_are_taken_in_every_form(
    form: str, names: tuple[str, ...]
) -> None:
    # Each session gets one of its own instead (reported_run's run, with one form of each).
    runner = load_runner()
    options = ["-q", *form.split(), "-k", "docs"]
    assert runner._without(options, names) == (["-q", "-k", "docs"], "PATH")
    if names == JUNIT_OPTIONS:
        assert runner.JUNIT_OPTIONS == JUNIT_OPTIONS
        assert runner._without_junit(options) == (["-q", "-k", "docs"], "PATH")


def test_the_ci_entry_point_passes_its_options_to_the_test_command(tmp_path: Path) -> None:
    # `.ci/run --junitxml=report.xml` ran the suite without them, saying nothing.
    (tmp_path / ".ci").mkdir()
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / ".ci" / "run", tmp_path / ".ci" / "run")
    stub = tmp_path / "scripts" / "test.sh"
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    stub.chmod(0o755)

    run = subprocess.run(
        [str(tmp_path / ".ci" / "run"), "--junitxml=report.xml", "-k", "two words"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert run.stdout.splitlines() == ["--junitxml=report.xml", "-k", "two words"]


def test_output_after_a_sessions_result_line_leaves_the_result_in_the_summary(
    plain_run: tuple[int, str],
) -> None:
    # On a runner without PYTHONUNBUFFERED, what jsii's Node process printed (a validation
    # report) came out at exit, after pytest's result: the summary said "tests/cdk: A copy
    # of this report can be found in: /tmp/cdk.out…/validation-report.json (exit 0)".
    status, printed = plain_run  # tests/cdk's conftest prints at exit
    assert status == 0
    assert "printed at exit" in printed
    assert re.search(r"^tests/cdk: 1 passed in [0-9.]+s \(exit 0\)$", printed, re.M), printed


def test_the_summary_is_pytests_result_line_without_frame_or_colours() -> None:
    runner = load_runner()
    line = (
        "\x1b[32m===== \x1b[32m\x1b[1m3 passed\x1b[0m\x1b[32m in 0.01s"
        "\x1b[0m\x1b[32m =====\x1b[0m\n"
    )
    assert runner._summary(line, 0) == "3 passed in 0.01s (exit 0)"


def test_the_value_options_are_those_of_pytest_and_its_installed_plugins(
    pytestconfig: pytest.Config,
) -> None:
    # The runner tells option values from test paths with its own lists: this session's
    # parser (pytest, the installed plugins, the conftests) says which options take a value,
    # so a plugin added with `--opt value` options fails here, naming them. (A plugin this
    # session disabled, `-p no:…`, only leaves options out: the lists may hold more.)
    actions = [
        action for action in pytestconfig._parser.optparser._actions if action.option_strings
    ]

    def options(nargs: set[object]) -> set[str]:
        return {
            option
            for action in actions
            if action.nargs in nargs
            for option in action.option_strings
            if option.startswith("--")
        }

    runner = load_runner()
    assert sorted(options({None, 1}) - runner.VALUE_OPTIONS) == []
    assert sorted(options({"?"}) - runner.OPTIONAL_VALUE_OPTIONS) == []
    short = {
        option[1]
        for action in actions
        if action.nargs != 0
        for option in action.option_strings
        if len(option) == 2
    }
    assert sorted(short - set(runner.SHORT_VALUE_OPTIONS)) == []


@pytest.mark.parametrize(
    ("arguments", "paths"),
    [
        (["--debug", "tests/review"], []),
        (["--debug", "-x", "tests/review"], ["tests/review"]),
        (["--cache-show", "-q"], []),
        (["--report-chars", "fE", "tests/local"], ["tests/local"]),
    ],
)
def test_an_optional_option_value_is_taken_unless_an_option_follows(
    arguments: list[str], paths: list[str]
) -> None:
    assert load_runner()._test_paths(arguments) == paths
