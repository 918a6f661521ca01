"""The code ``smpipe convert`` writes passes a team's ``mypy --strict``.

Teams commit the converted module and type-check it with the rest of their code: every
SDK-generated definition the converter writes is checked, strict, against the package's
annotations (the typed property stub included, so every ``step.properties.…`` path it
writes is one a checker knows).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from mypy import api
from mypy.version import __version__ as mypy_version

from cdk_sagemaker_pipelines.convert import convert_definition
from tests.convert.test_convert import CONVERTIBLE, SDK_GENERATED

ROOT = Path(__file__).resolve().parents[2]


def _cache_dir() -> Path:
    """mypy's cache for this check, kept between runs (see tests/test_user_types.py)."""
    key = hashlib.sha256(f"{ROOT}\n{mypy_version}\n{sys.version}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"smpipe-convert-types-mypy-{key}"


def test_converted_modules_pass_strict_mypy(tmp_path: Path) -> None:
    modules = []
    for name in CONVERTIBLE:
        source = convert_definition(json.loads((SDK_GENERATED / name).read_text()))
        module = tmp_path / f"converted_{Path(name).stem.replace('-', '_')}.py"
        module.write_text(source)
        modules.append(str(module))
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
        stdout, stderr, status = api.run(["--config-file", str(config), *modules])
    finally:
        # mypy raises the interpreter's recursion limit for itself: the tests after this one
        # (the checks of definitions nested too deeply) need the usual one.
        sys.setrecursionlimit(limit)
    assert (status, stderr) == (0, ""), stdout
    assert stdout == f"Success: no issues found in {len(modules)} source files\n"
