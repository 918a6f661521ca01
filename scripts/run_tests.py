#!/usr/bin/env python
"""Run the whole test suite as two pytest sessions side by side, one per core.

``tests/cdk`` is the only part of the suite that drives jsii (``aws_cdk``, ``cdk_nag``):
it runs in one session, with the run's one Node process. Everything else (the definition
language, the local runner, the review tools, the checks) runs in the other session, which
fails any test that starts jsii (``tests/conftest.py``), so the run never has two Node
processes. The two halves take about as long, and on 2 cores the suite takes about half
the wall time of a single ``pytest``.

Usage::

    python scripts/run_tests.py               # both sessions; exit 0 when both pass
    python scripts/run_tests.py -x -q         # options go to both sessions
    python scripts/run_tests.py tests/review  # test paths: one ordinary pytest session

The session without jsii prints as it runs; the ``tests/cdk`` session's output follows when
it ends. ``pytest`` alone still runs the whole suite, in one session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JSII_TESTS = "tests/cdk"
# Read by tests/conftest.py: tests of this session must not start jsii.
WITHOUT_JSII_VARIABLE = "SMPIPE_TESTS_WITHOUT_JSII"


STOP_SECONDS = 10


def _is_path(argument: str) -> bool:
    return (ROOT / argument.split("::")[0]).exists()


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


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
    pytest = [sys.executable, "-m", "pytest"]
    if any(not option.startswith("-") and _is_path(option) for option in options):
        # A chosen part of the suite: one ordinary session.
        return subprocess.call([*pytest, *options], cwd=ROOT)
    if sys.stdout.isatty():
        options.append("--color=yes")  # both sessions write through pipes
    started = time.perf_counter()
    other_last_line = "(no output)"
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as jsii_log:
        jsii_session = subprocess.Popen(
            [*pytest, *options, JSII_TESTS], cwd=ROOT, stdout=jsii_log, stderr=subprocess.STDOUT
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
        try:
            for line in other_session.stdout:
                sys.stdout.write(line)
                if line.strip():
                    other_last_line = line
        except KeyboardInterrupt:
            # Ctrl-C reached both sessions too: they print their summaries and stop.
            for session in (other_session, jsii_session):
                _stop(session)
            for line in other_session.stdout.read().splitlines(keepends=True):
                sys.stdout.write(line)
                if line.strip():
                    other_last_line = line
        sys.stdout.flush()
        other_status = other_session.wait()
        jsii_status = jsii_session.wait()
        elapsed = time.perf_counter() - started
        jsii_log.seek(0)
        jsii_output = jsii_log.read()
    print(f"\n===== {JSII_TESTS} (the session with jsii) =====", flush=True)
    print(jsii_output, end="", flush=True)
    print(f"\n===== {elapsed:.1f}s for both sessions, side by side =====")
    print(f"other tests: {_summary(other_last_line, other_status)}")
    print(f"{JSII_TESTS}: {_summary(_last_line(jsii_output), jsii_status)}", flush=True)
    return other_status or jsii_status


if __name__ == "__main__":
    sys.exit(main())
