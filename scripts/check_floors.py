#!/usr/bin/env python
"""Run the test suite on the oldest releases the library's ranges allow (its floors).

``pyproject.toml`` promises ranges (``botocore>=1.43.105``, the ``cdk`` extra's
``aws-cdk-lib>=2.275.0,<3``, …) while ``requirements.txt`` pins the newest releases, on which
CI runs. This script installs every floor at once, with the pinned test tools, into a
virtual environment of its own (``.venv-floors`` by default) and runs
``scripts/run_tests.py`` there, so a floor that no longer holds shows before a team that
pinned it does. It is slower than CI (a second environment to install), so it runs when a
range or a pin changes, not on every commit.

Usage::

    python scripts/check_floors.py                 # install the floors, run the whole suite
    python scripts/check_floors.py --venv /tmp/f   # another environment directory
    python scripts/check_floors.py --print         # only print the pins it would install
    python scripts/check_floors.py -- -x -q        # options after -- go to run_tests.py

The reference app's stack snapshots are left out: they record the pinned botocore's KMS
actions in key policies (docs/own-project.md), so they differ on older
botocore by design. So are the tests that compare the typed property stub
(``definition/property_types.pyi``), generated from the pinned botocore's shapes, with the
installed botocore's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Pinned to the botocore floor: each boto3 release requires the botocore of its own number.
PAIRED_WITH_BOTOCORE = "boto3"
# Tests whose expected output records the pinned versions' behaviour (see the docstring).
PINNED_OUTPUT_TESTS = (
    "tests/cdk/test_app_snapshots.py::test_stack_template_matches_snapshot",
    # The typed property stub is generated from the pinned botocore's shapes: these compare
    # it with the installed botocore's (the file's other tests hold on any botocore).
    *(
        f"tests/definition/test_property_types.py::{name}"
        for name in (
            "test_the_committed_stub_is_the_generated_one",
            "test_the_stub_names_the_botocore_it_comes_from",
            "test_every_stub_member_is_one_the_run_time_has_and_the_reverse",
            "test_the_tree_walk_reaches_deep_and_recursive_paths",
        )
    ),
)
_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def floors(pyproject: dict[str, object], extras: Iterable[str] = ("cdk",)) -> dict[str, str]:
    """The lowest version each requirement of the project and ``extras`` allows (``>=``).

    Every requirement must state a floor: one without a ``>=`` bound (or with an
    environment marker) can't be tested at its lowest release and raises ``ValueError``.

    Example::

        floors({"project": {"dependencies": ["botocore>=1.43.105"]}}, extras=())
        # {'botocore': '1.43.105'}
    """
    project = pyproject.get("project")
    if not isinstance(project, dict):
        raise ValueError("pyproject.toml has no [project] table")
    requirements = list(project.get("dependencies") or [])
    optional = project.get("optional-dependencies") or {}
    for extra in extras:
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no optional dependency group {extra!r}")
        requirements += optional[extra]
    found: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is None or ";" in requirement:
            raise ValueError(f"can't read a floor from requirement {requirement!r}")
        name, specifiers = match.groups()
        lower = [
            spec.strip()[2:].strip()
            for spec in specifiers.split(",")
            if spec.strip().startswith(">=")
        ]
        if len(lower) != 1:
            raise ValueError(f"requirement {requirement!r} states no single >= floor to test")
        found[_normalize(name)] = lower[0]
    return found


def requirement_lines(
    requirements: Sequence[str], dev_requirements: Sequence[str], lowest: dict[str, str]
) -> list[str]:
    """``requirements.txt`` and ``requirements-dev.txt`` with each floored package at its floor.

    Example::

        requirement_lines(["botocore==1.44.8"], ["pytest==9.2.0"], {"botocore": "1.43.105"})
        # ['botocore==1.43.105', 'pytest==9.2.0']
    """
    lines: list[str] = []
    seen: set[str] = set()
    for line in [*requirements, *dev_requirements]:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-r"):
            continue
        match = _PIN.match(text)
        if match is None:
            raise ValueError(f"expected an exact pin (name==version), got {text!r}")
        name = _normalize(match.group(1))
        if name == PAIRED_WITH_BOTOCORE and "botocore" in lowest:
            lines.append(f"{match.group(1)}=={lowest['botocore']}")
        elif name in lowest:
            lines.append(f"{match.group(1)}=={lowest[name]}")
        else:
            lines.append(text)
        seen.add(name)
    missing = sorted(set(lowest) - seen)
    if missing:
        raise ValueError(f"requirements.txt pins no version of {', '.join(missing)}")
    return lines


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def main(arguments: Sequence[str] | None = None) -> int:
    """Install the floors into ``--venv`` and run the suite there; its exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-floors")
    parser.add_argument("--print", action="store_true", help="print the pins and stop")
    parser.add_argument("pytest_options", nargs="*", help="after --: options for run_tests.py")
    args = parser.parse_args(arguments)

    with (ROOT / "pyproject.toml").open("rb") as file:
        lowest = floors(tomllib.load(file))
    pins = requirement_lines(
        _read_lines(ROOT / "requirements.txt"), _read_lines(ROOT / "requirements-dev.txt"), lowest
    )
    if args.print:
        print("\n".join(pins))
        return 0

    python = args.venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    pins_file = args.venv / "floors.txt"
    pins_file.write_text("\n".join(pins) + "\n", encoding="utf-8")
    print(f"check_floors: installing {', '.join(f'{n}=={v}' for n, v in lowest.items())}")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run(
        [*pip, "-r", str(pins_file), "-e", str(ROOT)], stderr=subprocess.PIPE, text=True
    )
    # As scripts/bootstrap.sh does: pip's notes on the machine's own index configuration.
    for line in installed.stderr.splitlines():
        if not line.startswith("WARNING: Location"):
            print(line, file=sys.stderr)
    if installed.returncode:
        return installed.returncode
    environment = dict(os.environ)
    environment["VIRTUAL_ENV"] = str(args.venv)
    environment["PATH"] = os.pathsep.join(
        [str(args.venv / "bin"), str(ROOT / "node_modules" / ".bin"), environment["PATH"]]
    )
    deselected = [option for test in PINNED_OUTPUT_TESTS for option in ("--deselect", test)]
    command = [str(python), "scripts/run_tests.py", *deselected, *args.pytest_options]
    return subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
