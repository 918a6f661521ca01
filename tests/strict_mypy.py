"""A team's ``mypy --strict`` over user code, with mypy's cache kept between runs."""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mypy import api
from mypy.version import __version__ as mypy_version

ROOT = Path(__file__).resolve().parent.parent


def cache_dir(name: str) -> Path:
    """mypy's incremental cache for the check ``name``, kept between runs.

    A cold check takes seconds; reusing the cache is safe: mypy compares every cached
    module with its source (size and mtime, and the content's hash where the mtime
    differs) and rechecks what changed and what depends on it (a changed annotation in the
    package rechecks the user code); it keeps a module's errors with it, so a cached error
    is reported again; each entry records the options and mypy version it was written with
    and is ignored under others. Its writes are atomic (a temporary file renamed), so runs
    at the same time share it safely. One directory per checkout, mypy version and Python:
    the entries record the files' paths, so checkouts sharing one would invalidate each
    other's.
    """
    key = hashlib.sha256(f"{ROOT}\n{mypy_version}\n{sys.version}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"smpipe-{name}-mypy-{key}"


def run_strict_mypy(paths: Sequence[Path], config_dir: Path, name: str) -> tuple[str, str, int]:
    """``mypy --strict`` on ``paths`` against the package, as a team's CI runs it.

    The config is a team's own (this repository's pyproject.toml would loosen ``tests.*``),
    written into ``config_dir``. Returns mypy's (stdout, stderr, exit status).
    """
    config = config_dir / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "python_version = 3.11\n"
        f"mypy_path = {ROOT / 'constructs'}\n"
        f"cache_dir = {cache_dir(name)}\n"
    )
    limit = sys.getrecursionlimit()
    try:
        return api.run(["--config-file", str(config), *map(str, paths)])
    finally:
        # mypy raises the interpreter's recursion limit for itself: the tests after this one
        # (the checks of definitions nested too deeply) need the usual one.
        sys.setrecursionlimit(limit)
