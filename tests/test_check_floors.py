"""scripts/check_floors.py: the suite on the oldest releases the library's ranges allow."""

from __future__ import annotations

import importlib.util
import subprocess
import tomllib
from types import ModuleType

import pytest

from tests.conftest import REPO


def load_script() -> ModuleType:
    path = REPO / "scripts" / "check_floors.py"
    spec = importlib.util.spec_from_file_location("check_floors", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_floors = load_script()


def test_the_floors_are_read_from_the_project_and_its_cdk_extra():
    with (REPO / "pyproject.toml").open("rb") as file:
        pyproject = tomllib.load(file)
    lowest = check_floors.floors(pyproject)
    assert set(lowest) == {"botocore", "aws-cdk-lib", "constructs", "cdk-nag", "jsii"}
    dependencies = (
        pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["cdk"]
    )
    for name, version in lowest.items():
        assert any(r.startswith(f"{name}>={version}") for r in dependencies)


def test_each_floored_pin_is_replaced_and_boto3_follows_botocore():
    lowest = {"botocore": "1.43.105", "aws-cdk-lib": "2.275.0"}
    lines = check_floors.requirement_lines(
        ["# runtime", "aws-cdk-lib==2.276.1", "boto3==1.44.8", "botocore==1.44.8", ""],
        ["-r requirements.txt", "pytest==9.2.0  # tests"],
        lowest,
    )
    assert lines == [
        "aws-cdk-lib==2.275.0",
        "boto3==1.43.105",
        "botocore==1.43.105",
        "pytest==9.2.0",
    ]


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ("botocore", "states no single >= floor"),
        ("botocore<2", "states no single >= floor"),
        ("botocore>=1,>=2", "states no single >= floor"),
        ("botocore>=1; python_version < '3.12'", "can't read a floor"),
        ("botocore>1", "states no single >= floor"),  # above 1: no release to name
    ],
)
def test_a_requirement_without_one_floor_is_refused(requirement: str, message: str):
    with pytest.raises(ValueError, match=message):
        check_floors.floors({"project": {"dependencies": [requirement]}}, extras=())


def test_a_floored_package_requirements_txt_does_not_pin_is_refused():
    with pytest.raises(ValueError, match="pins no version of jsii"):
        check_floors.requirement_lines(["botocore==1.44.8"], [], {"botocore": "1", "jsii": "1"})
    with pytest.raises(ValueError, match="expected an exact pin"):
        check_floors.requirement_lines(["botocore>=1.44"], [], {"botocore": "1"})


def test_the_pins_printed_are_the_repository_s_with_the_floors(
    capsys: pytest.CaptureFixture[str],
):
    assert check_floors.main(["--print"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "botocore==1.43.105" in printed
    assert "boto3==1.43.105" in printed
    assert "pytest==9.2.0" in printed
    assert not any(line.startswith("-r") for line in printed)


def test_names_and_extras_are_read_as_pip_reads_them():
    pyproject = {
        "project": {
            "dependencies": ["CDK_Nag>=2.30", "Foo.Bar [extra1,extra2] >=1.2,<2"],
            "optional-dependencies": {"cdk": []},
        }
    }
    lowest = check_floors.floors(pyproject)
    assert lowest == {"cdk-nag": "2.30", "foo-bar": "1.2"}
    lines = check_floors.requirement_lines(["cdk_nag==2.37.1", "foo.bar==1.9"], [], lowest)
    assert lines == ["cdk_nag==2.30", "foo.bar==1.2"]


def test_a_pyproject_without_the_project_table_or_the_extra_is_refused():
    with pytest.raises(ValueError, match=r"no \[project\] table"):
        check_floors.floors({"tool": {}})
    with pytest.raises(ValueError, match="no optional dependency group 'cdk'"):
        check_floors.floors({"project": {"dependencies": ["botocore>=1"]}})


def test_the_suite_runs_in_the_floors_environment_without_the_pinned_output_tests(
    tmp_path, monkeypatch: pytest.MonkeyPatch
):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("")
    commands: list[list[str]] = []

    def run(command, **options):
        commands.append([str(part) for part in command])
        return subprocess.CompletedProcess(command, 0, stderr="")

    monkeypatch.setattr(check_floors.subprocess, "run", run)
    assert check_floors.main(["--venv", str(tmp_path), "--", "-x"]) == 0
    install, suite = commands
    assert install[-4:] == ["-r", str(tmp_path / "floors.txt"), "-e", str(REPO)]
    assert "botocore==1.43.105" in (tmp_path / "floors.txt").read_text().splitlines()
    assert suite[:2] == [str(python), "scripts/run_tests.py"]
    assert suite[-1] == "-x"
    for test in (
        "tests/cdk/test_app_snapshots.py::test_stack_template_matches_snapshot",
        "tests/definition/test_property_types.py::test_the_committed_stub_is_the_generated_one",
    ):
        assert suite[suite.index(test) - 1] == "--deselect"
    # The stub's tests that hold on any botocore still run on the floor's.
    assert "tests/definition/test_property_types.py" not in suite
