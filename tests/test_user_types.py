"""A team's ``mypy --strict`` over code written from the docs finds nothing (README, Install).

The package ships ``py.typed``: the user code in ``tests/user_code/`` is checked as a team's CI
checks its own, strict and with none of this repository's overrides, against the package's
annotations. Its ``type: ignore`` lines are mistakes a checker must report, and its
``assert_type`` calls the types users index and pass on: were a parameter or a return
type ``Any``, mypy would report the ignore unused or the ``assert_type`` wrong.
"""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
USER_CODE = ROOT / "tests" / "user_code" / "definitions_from_the_docs.py"


def test_strict_mypy_finds_nothing_in_definition_code_from_the_docs(tmp_path: Path) -> None:
    # A config of the team's own: this repository's pyproject.toml would loosen tests.*.
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "python_version = 3.11\n"
        f"mypy_path = {ROOT / 'constructs'}\n"
        f"cache_dir = {tmp_path / 'cache'}\n"
    )
    stdout, stderr, status = api.run(["--config-file", str(config), str(USER_CODE)])
    assert (status, stdout, stderr) == (0, "Success: no issues found in 1 source file\n", "")
