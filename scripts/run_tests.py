#!/usr/bin/env python
"""Run the whole test suite as two pytest sessions side by side, one per core.

``tests/cdk`` is the only part of the suite that drives jsii (``aws_cdk``, ``cdk_nag``):
it runs in one session, with the run's one Node process. Everything else (the definition
language, the local runner, the review tools, the checks) runs in the other session, which
fails any test that starts jsii (``tests/jsii_guard.py``), so the run never has two Node
processes. The two halves take about as long, and on 2 cores the suite takes about half
the wall time of a single ``pytest``.

Usage::

    python scripts/run_tests.py               # both sessions; exit 0 when both pass
    python scripts/run_tests.py -x -q         # options go to both sessions
    python scripts/run_tests.py tests/review  # test paths: one ordinary pytest session

The session without jsii prints as it runs; the ``tests/cdk`` session's output follows when
it ends. A session that selects no test (``-k``, ``-m``) doesn't fail the run when the other
ran some. The two sessions' last failures (``--lf``) are kept together in
``.pytest_cache``, as one session keeps them, and ``--junitxml`` writes one report with
both sessions' tests. ``pytest`` alone still runs the whole suite, in one session.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JSII_TESTS = "tests/cdk"
# Read by tests/jsii_guard.py: tests of this session must not start jsii.
WITHOUT_JSII_VARIABLE = "SMPIPE_TESTS_WITHOUT_JSII"
STOP_SECONDS = 10
# pytest.ExitCode's, without importing pytest here
INTERRUPTED = 2
USAGE_ERROR = 4
NO_TESTS_COLLECTED = 5

# Options of pytest (and of its plugins installed here) whose value may be the next
# argument, as in ``-k docs``: that value is no test path, even where ``docs/`` exists.
# tests/test_run_tests.py checks the lists against the parser of its own session.
VALUE_OPTIONS = frozenset(
    {
        *("--assert", "--basetemp", "--capture", "--code-highlight", "--color"),
        *("--confcutdir", "--config-file", "--deselect", "--doctest-glob", "--doctest-report"),
        *("--durations", "--durations-min", "--hypothesis-profile", "--hypothesis-seed"),
        *("--hypothesis-verbosity", "--ignore", "--ignore-glob", "--import-mode"),
        *("--junit-prefix", "--junit-xml", "--junitprefix", "--junitxml"),
        *("--last-failed-no-failures", "--lfnf", "--log-auto-indent", "--log-cli-date-format"),
        *("--log-cli-format", "--log-cli-level", "--log-date-format", "--log-disable"),
        *("--log-file", "--log-file-date-format", "--log-file-format", "--log-file-level"),
        *("--log-file-mode", "--log-format", "--log-level", "--max-warnings", "--maxfail"),
        *("--override-ini", "--pastebin", "--pdbcls", "--pythonwarnings", "--report-chars"),
        *("--rootdir", "--runpytest", "--show-capture", "--snapshot-default-extension"),
        *("--snapshot-diff-mode", "--snapshot-dirname", "--snapshot-file-lock-timeout"),
        *("--snapshot-ignore-file-extensions", "--tb", "--typeguard-packages", "--verbosity"),
    }
)
# Options whose value is optional: the next argument is theirs unless it is an option.
OPTIONAL_VALUE_OPTIONS = frozenset({"--cache-show", "--debug"})
SHORT_VALUE_OPTIONS = "ckmoprW"


def _test_paths(options: Sequence[str]) -> list[str]:
    """The arguments that pytest reads as test paths: neither options nor their values."""
    paths: list[str] = []
    value_next = optional_value_next = False
    for option in options:
        if value_next:
            value_next = False
            continue
        if optional_value_next:
            optional_value_next = False
            if not option.startswith("-"):
                continue
        if option.startswith("--"):
            whole = "=" not in option
            value_next = whole and option in VALUE_OPTIONS
            optional_value_next = whole and option in OPTIONAL_VALUE_OPTIONS
        elif option.startswith("-") and len(option) > 1:
            # Short options may be grouped (-xk): the first taking a value takes the rest.
            letters = option[1:]
            taking = next(
                (i for i, letter in enumerate(letters) if letter in SHORT_VALUE_OPTIONS), None
            )
            value_next = taking == len(letters) - 1
        else:
            paths.append(option)
    return paths


def _run_status(other_status: int, jsii_status: int) -> int:
    """The run's exit code: the first failing session's, or 0.

    A session without tests to run (all deselected) fails the run only when the other had
    none either.
    """
    statuses = [status for status in (other_status, jsii_status) if status != NO_TESTS_COLLECTED]
    if not statuses:
        return NO_TESTS_COLLECTED
    return next((status for status in statuses if status != 0), 0)


# pytest's cache: the tests/cdk session keeps its own (two sessions writing one file would
# each overwrite the other's last failures), merged back into this one when both end.
CACHE_DIR = ".pytest_cache"
JSII_CACHE_DIR = f"{CACHE_DIR}/tests-cdk-session"
LAST_FAILED = Path("v", "cache", "lastfailed")


def _read_last_failed(cache: Path) -> dict[str, bool]:
    try:
        last_failed = json.loads((cache / LAST_FAILED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return last_failed if isinstance(last_failed, dict) else {}


def _write_last_failed(cache: Path, last_failed: dict[str, bool]) -> None:
    (cache / LAST_FAILED).parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(last_failed, indent=2, sort_keys=True)  # as pytest writes it
    (cache / LAST_FAILED).write_text(text, encoding="utf-8")


def _in_jsii_tests(node_id: str) -> bool:
    return node_id == JSII_TESTS or node_id.startswith((f"{JSII_TESTS}/", f"{JSII_TESTS}::"))


def _merge_last_failed(cache: Path, jsii_cache: Path) -> None:
    """Each session's last failures, for its own tests, into the one cache."""
    merged = {
        **{node: v for node, v in _read_last_failed(cache).items() if not _in_jsii_tests(node)},
        **{node: v for node, v in _read_last_failed(jsii_cache).items() if _in_jsii_tests(node)},
    }
    if merged or (cache / LAST_FAILED).exists():
        _write_last_failed(cache, merged)


# pytest's JUnit XML report: each session writes its own, merged into the one asked for.
JUNIT_OPTIONS = ("--junitxml", "--junit-xml")


def _without_junit(options: Sequence[str]) -> tuple[list[str], str | None]:
    """``options`` without the JUnit XML report option, and the report's path (or None).

    Both sessions given one ``--junitxml`` would each write the file, the last to end
    overwriting the other: a CI's test report would hold half of the suite.
    """
    return _without(options, JUNIT_OPTIONS)


# tests/cdk uses no hypothesis: its pytest plugin would import it only to end the session
# (its summary reads hypothesis's observability), about 0.8 s of CPU, since pytest
# rewrites the asserts of a plugin's package on import. Left loaded where an option is
# hypothesis's own (``--hypothesis-seed``), which the session would otherwise refuse.
HYPOTHESIS_PLUGIN = "hypothesispytest"


def _without_hypothesis(options: Sequence[str]) -> list[str]:
    """The tests/cdk session's ``options``: without hypothesis's plugin, unless they use it."""
    if any(option.startswith("--hypothesis") for option in options):
        return list(options)
    return [*options, "-p", f"no:{HYPOTHESIS_PLUGIN}"]


def _without(options: Sequence[str], names: Sequence[str]) -> tuple[list[str], str | None]:
    """``options`` without the option of ``names`` (``--x=v`` or ``--x v``), and its value."""
    kept: list[str] = []
    path: str | None = None
    value_next = False
    for option in options:
        if value_next:
            path, value_next = option, False
            continue
        name, equals, value = option.partition("=")
        if name in names:
            if equals:
                path = value
            else:
                value_next = True
            continue
        kept.append(option)
    return kept, path


def _merge_junit(parts: Sequence[Path], target: Path) -> None:
    """Write one JUnit XML report with the test suites of ``parts`` (those written)."""
    merged = ElementTree.Element("testsuites", name="pytest tests")
    for part in parts:
        if part.is_file():
            merged.extend(ElementTree.parse(part).getroot().iter("testsuite"))
    target.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(merged).write(target, encoding="utf-8", xml_declaration=True)


# pytest's result line, as _summary reads it: "3 passed, 1 skipped in 0.52s (0:00:00)".
RESULT_LINE = re.compile(
    r"\b(?:passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?|no tests ran)\b"
    r".* in \d+(?:\.\d+)?s\b"
)


def _last_line(text: str) -> str:
    """The session's result line: pytest's last, else the last line that isn't blank.

    What a session prints after its result (jsii's Node process relays what it printed
    late, and without PYTHONUNBUFFERED it comes out at exit) doesn't hide the result.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    results = [line for line in lines if RESULT_LINE.search(re.sub(r"\x1b\[[0-9;]*m", "", line))]
    return (results or lines or ["(no output)"])[-1]


def _summary(last_line: str, status: int) -> str:
    """Pytest's result line (without its '=' frame and colours) and the exit code."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", last_line).strip().strip("=").strip()
    return f"{plain} (exit {status})"


def _stop(session: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Give an interrupted session a few seconds to report, then kill it."""
    try:
        session.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        session.kill()
        session.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Start both sessions, wait for both, and return the first failing exit code (or 0)."""
    options = list(sys.argv[1:] if argv is None else argv)
    if importlib.util.find_spec("pytest") is None:
        print(
            f"{sys.executable} has no pytest: run the tests with the project's Python "
            "(source scripts/env.sh, or ./scripts/bootstrap.sh first)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    pytest = [sys.executable, "-m", "pytest"]
    if _test_paths(options):
        # A chosen part of the suite: one ordinary session.
        return subprocess.call([*pytest, *options], cwd=ROOT)
    if sys.stdout.isatty():
        options.append("--color=yes")  # both sessions write through pipes
    options, junit = _without_junit(options)
    # pytest empties --basetemp when a session starts: one directory for both, and each
    # would delete the other's files under it. Each session gets a directory of its own.
    options, basetemp = _without(options, ("--basetemp",))
    reports = Path(tempfile.mkdtemp(prefix="run-tests-junit-")) if junit else None
    jsii_options = _without_hypothesis(options)
    if basetemp is not None:
        Path(basetemp).mkdir(parents=True, exist_ok=True)  # pytest makes only the last level
        options.append(f"--basetemp={Path(basetemp) / 'other'}")
        jsii_options.append(f"--basetemp={Path(basetemp) / 'tests-cdk'}")
    if reports is not None:
        options.append(f"--junitxml={reports / 'other.xml'}")
        jsii_options.append(f"--junitxml={reports / 'tests-cdk.xml'}")
    cached = not any("no:cacheprovider" in option for option in options)
    if cached:
        _write_last_failed(ROOT / JSII_CACHE_DIR, _read_last_failed(ROOT / CACHE_DIR))
        jsii_options += ["-o", f"cache_dir={JSII_CACHE_DIR}"]
    started = time.perf_counter()
    other_output: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as jsii_log:
        jsii_session = subprocess.Popen(
            [*pytest, *jsii_options, JSII_TESTS],
            cwd=ROOT,
            stdout=jsii_log,
            stderr=subprocess.STDOUT,
        )
        other_session = subprocess.Popen(
            [*pytest, *options, f"--ignore={JSII_TESTS}"],
            cwd=ROOT,
            env={**os.environ, WITHOUT_JSII_VARIABLE: "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert other_session.stdout is not None
        interrupted = False
        try:
            for line in other_session.stdout:
                sys.stdout.write(line)
                # As it comes: through a pipe (a CI log) Python's stdout is block-buffered,
                # and the session's progress would only show when the run ends.
                sys.stdout.flush()
                other_output.append(line)
            other_session.wait()
            jsii_session.wait()
        except KeyboardInterrupt:
            # Ctrl-C (while either session runs) reached both sessions too: they print
            # their summaries and stop.
            interrupted = True
            for session in (other_session, jsii_session):
                _stop(session)
            for line in other_session.stdout.read().splitlines(keepends=True):
                sys.stdout.write(line)
                other_output.append(line)
        sys.stdout.flush()
        other_status, jsii_status = other_session.wait(), jsii_session.wait()
        elapsed = time.perf_counter() - started
        jsii_log.seek(0)
        jsii_output = jsii_log.read()
    if cached:
        _merge_last_failed(ROOT / CACHE_DIR, ROOT / JSII_CACHE_DIR)
    if junit is not None and reports is not None:
        _merge_junit([reports / "other.xml", reports / "tests-cdk.xml"], ROOT / junit)
        shutil.rmtree(reports, ignore_errors=True)
    print(f"\n===== {JSII_TESTS} (the session with jsii) =====", flush=True)
    print(jsii_output, end="", flush=True)
    print(f"\n===== {elapsed:.1f}s for both sessions, side by side =====")
    print(f"other tests: {_summary(_last_line(''.join(other_output)), other_status)}")
    print(f"{JSII_TESTS}: {_summary(_last_line(jsii_output), jsii_status)}", flush=True)
    return _run_status(other_status, jsii_status) or (INTERRUPTED if interrupted else 0)


if __name__ == "__main__":
    sys.exit(main())
