"""A team's ``mypy --strict`` over code written from the docs finds nothing (docs/own-project.md).

The package ships ``py.typed``: the user code in ``tests/user_code/`` is checked as a team's CI
checks its own, strict and with none of this repository's overrides, against the package's
annotations. Its ``type: ignore`` lines are mistakes a checker must report, and its
``assert_type`` calls the types users index and pass on: were a parameter or a return
type ``Any``, mypy would report the ignore unused or the ``assert_type`` wrong.
"""

from pathlib import Path

from tests.strict_mypy import ROOT, run_strict_mypy

USER_CODE = ROOT / "tests" / "user_code" / "definitions_from_the_docs.py"


def test_strict_mypy_finds_nothing_in_definition_code_from_the_docs(tmp_path: Path) -> None:
    stdout, stderr, status = run_strict_mypy([USER_CODE], tmp_path, "user-types")
    assert (status, stdout, stderr) == (0, "Success: no issues found in 1 source file\n", "")
