"""The sdist and the wheel hold the library, all of it and only it (built offline, ~3 s).

Built as pip would from the sdist: its wheel is built from the unpacked sdist, so a file the
sdist lacks is missing from the wheel too. And the requirement ranges a team installs with
hold the app's pins, which the suite runs on, and keep out the releases known to break it.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import cdk_sagemaker_pipelines
from tests.conftest import REPO, extract_all

PACKAGE = REPO / "constructs" / "cdk_sagemaker_pipelines"
# What a checkout holds that is never built: the environments, outputs and caches.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "cdk.out", "build", "dist", "*.egg-info", "__pycache__",
    ".*_cache", ".hypothesis", ".smpipe",
)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel built from it: ``(sdist, wheel)``."""
    # pyproject.toml's `license` is an SPDX expression, which setuptools reads from 77 on.
    pytest.importorskip("setuptools", minversion="77", reason="needs requirements-dev.txt's")
    tmp = tmp_path_factory.mktemp("packaging")
    checkout, dist = tmp / "checkout", tmp / "dist"
    # A copy, as setuptools writes build/ and *.egg-info into the tree it builds.
    shutil.copytree(REPO, checkout, ignore=NOT_SOURCES, symlinks=True)
    sdist = dist / build("build_sdist", checkout, dist)
    with tarfile.open(sdist) as archive:
        extract_all(archive, tmp / "unpacked")
    (unpacked,) = (tmp / "unpacked").iterdir()
    return sdist, dist / build("build_wheel", unpacked, dist)


def build(hook: str, source: Path, dist: Path) -> str:
    """Run setuptools' PEP 517 ``hook`` in ``source``: the name of what it wrote in ``dist``."""
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(dist)!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()[-1]


def package_files() -> set[str]:
    """The files of the package in the checkout, as paths inside a wheel."""
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(
    built: tuple[Path, Path],
) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    dist_info = f"cdk_sagemaker_pipelines-{cdk_sagemaker_pipelines.__version__}.dist-info/"
    assert {name for name in names if not name.startswith(dist_info)} == package_files()
    # The data files and the marker that makes the annotations visible to type checkers.
    assert f"{dist_info}licenses/LICENSE" in names  # the licence text travels with it
    assert "cdk_sagemaker_pipelines/py.typed" in names
    assert "cdk_sagemaker_pipelines/definition/property_types.pyi" in names  # typed properties
    assert "cdk_sagemaker_pipelines/definition/data/framework_images.json" in names


def test_the_sdist_holds_the_library_but_not_the_app_or_the_tests(
    built: tuple[Path, Path],
) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    assert {"pyproject.toml", "README.md", "LICENSE"} <= names
    assert {f"constructs/{name}" for name in package_files()} <= names
    top_level = {name.partition("/")[0] for name in names if "/" in name}
    assert top_level == {"constructs"}, "only the source root: no tests/, stacks/, examples/, …"
    assert not any(name.startswith("constructs/constructs") for name in names)


def test_the_metadata_describes_the_package(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers, _, description = archive.read(metadata_name).decode().partition("\n\n")
        (entry_points,) = [n for n in archive.namelist() if n.endswith("/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    metadata = email.message_from_string(headers)
    assert metadata["Name"] == "cdk-sagemaker-pipelines"
    assert metadata["Version"] == cdk_sagemaker_pipelines.__version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata.get_all("Provides-Extra") == ["cdk"]
    requirements: list[str] = metadata.get_all("Requires-Dist", [])
    assert [r for r in requirements if "extra ==" not in r] == ["botocore>=1.43.105"]
    assert any(r.startswith("aws-cdk-lib") and 'extra == "cdk"' in r for r in requirements)
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert description.strip() == (REPO / "README.md").read_text().strip()
    assert "smpipe = cdk_sagemaker_pipelines.cli:main" in scripts


def declared_ranges() -> dict[str, SpecifierSet]:
    """The library's requirements (the `cdk` extra's included), by canonical name."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for r in project["optional-dependencies"]["cdk"]]
    return {canonicalize_name(r.name): r.specifier for r in requirements}


def app_pins() -> dict[str, str]:
    """requirements.txt's exact pins, by canonical name."""
    pins: dict[str, str] = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        requirement = line.partition("#")[0].strip()
        if requirement:
            name, equals, version = requirement.partition("==")
            assert equals, f"requirements.txt pins exact versions: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_apps_pins_lie_within_the_librarys_ranges() -> None:
    # The suite runs on the pins: a range that excludes them declares versions nobody tested.
    ranges, pins = declared_ranges(), app_pins()
    assert set(ranges) <= set(pins), "each requirement of the library is pinned for the app"
    outside = [
        f"{name} {pins[name]} not in {spec}"
        for name, spec in ranges.items()
        if pins[name] not in spec
    ]
    assert outside == []


def test_the_ranges_keep_out_the_releases_known_to_break_the_library() -> None:
    ranges = declared_ranges()
    # cdk-nag 3.0.0 and 3.0.1 ignore every acknowledgment under aws-cdk-lib 2.262.1 or newer
    # (pyproject.toml says why): our constructs' acknowledged findings would fail synth.
    assert not ranges["cdk-nag"].contains("3.0.1")
    assert not ranges["cdk-nag"].contains("3.0.0")
    assert ranges["cdk-nag"].contains("3.0.2")
    # cdk-nag 3.0.2 needs constructs 10.5.1: a lower floor promises what can't be installed.
    assert not ranges["constructs"].contains("10.5.0")
