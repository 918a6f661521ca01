"""A team's ``mypy --strict`` over code written from the docs finds nothing (README, Install).

The package ships ``py.typed``: the user code in ``tests/user_code/`` is checked as a team's CI
checks its own, strict and with none of this repository's overrides, against the package's
annotations. Its ``type: ignore`` lines are mistakes a checker must report, and its
``assert_type`` calls the types users index and pass on: were a parameter or a return
type ``Any``, mypy would report the ignore unused or the ``assert_type`` wrong.
"""

import hashlib
import sys
import tempfile
from pathlib import Path

from mypy import api
from mypy.version import __version__ as mypy_version

ROOT = Path(__file__).resolve().parent.parent
USER_CODE = ROOT / "tests" / "user_code" / "definitions_from_the_docs.py"


def _cache_dir() -> Path:
    """mypy's incremental cache for this check, kept between runs (a cold check takes ~1.7 s).

    Reusing it is safe: mypy compares every cached module with its source (size and
    mtime, and the content's hash where the mtime differs) and rechecks what changed and
    what depends on it (a changed annotation in the package rechecks the user code); it
    keeps a module's errors with it, so a cached error is reported again; each entry
    records the options and mypy version it was written with and is ignored under
    others. Its writes are atomic (a temporary file renamed), so runs at the same time
    share it safely. One directory per checkout, mypy version and Python: the entries
    record the files' paths, so checkouts sharing one would invalidate each other's.
    """
    key = hashlib.sha256(f"{ROOT}\n{mypy_version}\n{sys.version}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"smpipe-user-types-mypy-{key}"


def test_strict_mypy_finds_nothing_in_definition_code_from_the_docs(tmp_path: Path) -> None:
    # A config of the team's own: this repository's pyproject.toml would loosen tests.*.
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "python_version = 3.11\n"
        f"mypy_path = {ROOT / 'constructs'}\n"
        f"cache_dir = {_cache_dir()}\n"
    )
    limit = sys.getrecursionlimit()
    try:
        stdout, stderr, status = api.run(["--config-file", str(config), str(USER_CODE)])
    finally:
        sys.setrecursionlimit(limit)  # mypy raises it for itself; later tests need the usual
    assert (status, stdout, stderr) == (0, "Success: no issues found in 1 source file\n", "")
