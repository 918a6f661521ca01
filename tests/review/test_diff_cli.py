"""``smpipe diff``: exit codes as diff(1), output formats, files and cdk.out pipelines."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from tests.conftest import REPO
from tests.local.test_assembly import PREP, cdk_out  # noqa: F401 (a fixture)
from tests.review.test_diff import base, step


def write(path: Path, definition: Any) -> str:
    path.write_text(json.dumps(definition))
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    """``main.json`` and ``branch.json``: Train's instance type changed."""
    new = base()
    step(new, "Train")["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.m5.2xlarge"
    return write(tmp_path / "main.json", base()), write(tmp_path / "branch.json", new)


@pytest.fixture
def base_out(tmp_path: Path, cdk_out: Path) -> Path:  # noqa: F811
    """A copy of the ``cdk_out`` assembly: the one before the change (tests edit ``cdk_out``)."""
    base = tmp_path / "base"
    shutil.copytree(cdk_out, base)
    return base


def test_equal_definitions_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "a.json", base())
    request = write(tmp_path / "b.json", {"PipelineDefinitionBody": json.dumps(base())})

    assert main(["diff", old, request]) == 0
    assert capsys.readouterr().out == f"{old} → {request}: no changes\n"


def test_different_definitions_exit_1_with_the_changes(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *files]) == 1
    assert capsys.readouterr().out == (
        f"{files[0]} → {files[1]}: 1 step changed\n"
        "Steps changed:\n"
        "  Train (Training)\n"
        '    Arguments.ResourceConfig.InstanceType: "ml.m5.xlarge" → "ml.m5.2xlarge"\n'
    )


def test_markdown_and_json_output(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *files, "--markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith(f"**Pipeline definition diff** `{files[0]}` → `{files[1]}`")
    assert "- `Train` (Training)\n" in markdown

    assert main(["diff", *files, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == files[0]
    assert data["equal"] is False
    assert [(c["path"], c["old"], c["new"]) for c in data["changes"]] == [
        ("Arguments.ResourceConfig.InstanceType", "ml.m5.xlarge", "ml.m5.2xlarge")
    ]


def test_markdown_and_json_are_exclusive(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["diff", *files, "--markdown", "--json"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read: No such file or directory"),
        ("{", "cannot read: Expecting property name"),
        ('{"Version": "2020-12-01"}', "not a pipeline definition (no list of Steps)"),
    ],
)
def test_an_unreadable_source_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    good = write(tmp_path / "good.json", base())
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)

    assert main(["diff", good, str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"smpipe diff: {bad}: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_both_unreadable_sources_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 2
    assert capsys.readouterr().err.count("smpipe diff: ") == 2


# What smpipe diff says of _raise_training_run_time_limit, after its summary line.
RAISED_RUN_TIME_LIMIT = (
    "Steps changed:\n"
    "  Train (Training)\n"
    "    Arguments.StoppingCondition.MaxRuntimeInSeconds: 600 → 900\n"
)


def _raise_training_run_time_limit(
    assembly: Path, *, pipelines: int = 1, changed: int = -1
) -> None:
    """The branch's change in the assembly: Train may run 900 s instead of 600 s.

    ``pipelines``: how many pipelines of the assembly have that Train; ``changed``: in how
    many of them (the first ones) it changes, -1 for all.
    """
    template = assembly / "assembly-dev" / "devMl.template.json"
    text = template.read_text()
    assert text.count('MaxRuntimeInSeconds\\":600') == pipelines
    limits = ('MaxRuntimeInSeconds\\":600', 'MaxRuntimeInSeconds\\":900')
    template.write_text(text.replace(*limits, changed))


def test_two_assemblies(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _raise_training_run_time_limit(cdk_out)

    assert main(["diff", str(base_out), str(base_out), "--pipeline", "dev/Ml/Training"]) == 0
    capsys.readouterr()
    assert main(["diff", str(base_out), str(cdk_out), "--pipeline", "Pipeline99887766"]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev-ml-training → {cdk_out}:dev-ml-training: 1 step changed\n"
        + RAISED_RUN_TIME_LIMIT
    )


def test_pipeline_choice_per_side_and_for_assemblies_only(
    tmp_path: Path,
    cdk_out: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cdk_sagemaker_pipelines.review import load_source

    deployed = load_source(cdk_out).definition
    file = write(tmp_path / "deployed.json", deployed)

    # --pipeline chooses in the assembly; the file side holds one pipeline.
    assert main(["diff", file, str(cdk_out), "--pipeline", "dev/Ml/Training"]) == 0
    assert main(["diff", str(cdk_out), file, "--old-pipeline", "dev-ml-training"]) == 0
    assert main(["diff", str(cdk_out), file, "--pipeline", "dev/Ml/Training"]) == 0
    # An assembly of one pipeline needs no choice, on either side of a file.
    assert main(["diff", file, str(cdk_out)]) == 0
    assert main(["diff", str(cdk_out), file]) == 0
    capsys.readouterr()
    assert main(["diff", file, str(cdk_out), "--new-pipeline", "prod/Ml"]) == 2
    assert "no pipeline 'prod/Ml' in the assembly" in capsys.readouterr().err
    assert main(["diff", file, str(cdk_out), "--old-pipeline", "dev/Ml/Training"]) == 2
    assert capsys.readouterr().err == (
        f"smpipe diff: {file}: --old-pipeline chooses a pipeline of a cloud assembly "
        "(a cdk.out directory); a definition file holds one pipeline\n"
    )
    assert main(["diff", str(cdk_out), file, "--new-pipeline", "dev/Ml/Training"]) == 2
    assert f"{file}: --new-pipeline chooses a pipeline" in capsys.readouterr().err


def test_pipeline_for_two_definition_files_is_an_error(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *files, "--pipeline", "dev/Ml/Training"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "smpipe diff: --pipeline chooses the pipeline of a cloud assembly (a cdk.out "
        "directory); neither OLD nor NEW is one\n"
    )


def test_a_side_that_does_not_exist_is_named_as_unreadable(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A cdk.out not synthesized yet: was "--pipeline chooses the pipeline of a cloud
    # assembly …; neither OLD nor NEW is one", which named neither the path nor the cause.
    file, _ = files
    missing = tmp_path / "cdk.out"
    assert main(["diff", file, str(missing), "--pipeline", "dev/Ml/Training"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"smpipe diff: {missing} is not a cloud assembly (no such directory); run cdk synth\n"
    )
    assert main(["diff", str(missing), file]) == 2
    assert capsys.readouterr().err == (
        f"smpipe diff: {missing}: cannot read: No such file or directory\n"
    )


def test_assembly_errors_name_the_assembly(
    tmp_path: Path,
    cdk_out: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = tmp_path / "other"
    shutil.copytree(cdk_out, other)

    assert main(["diff", str(cdk_out), str(other), "--pipeline", "prod/Ml"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"smpipe diff: {cdk_out}: no pipeline 'prod/Ml' in the assembly "
        "(pipelines: dev/Ml/Training)",
        f"smpipe diff: {other}: no pipeline 'prod/Ml' in the assembly (pipelines: dev/Ml/Training)",
    ]


def change_prep_script(assembly: Path) -> str:
    """Give Prep's staged script a new hash in ``assembly`` (a branch that edited it)."""
    new_hash = "5" * 64
    (assembly / f"asset.{PREP}.py").rename(assembly / f"asset.{new_hash}.py")
    for name in ("devMl.template.json", "devMl.assets.json"):
        file = assembly / "assembly-dev" / name
        file.write_text(file.read_text().replace(PREP, new_hash))
    return new_hash


def test_a_changed_script_is_an_asset_change_naming_the_staged_files(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The branch's cdk.out: Prep's script changed, so its asset hash did.
    new_hash = change_prep_script(cdk_out)

    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    # The staged files' names with their hashes shortened: no temporary paths in a comment.
    assert capsys.readouterr().out.splitlines()[1:] == [
        "Steps changed:",
        "  Prep (Processing)",
        "    asset changed: asset.11111111.py → asset.55555555.py",
        "      in Arguments.AppSpecification.ContainerEntrypoint, "
        "Arguments.ProcessingInputs[code].S3Input.S3Uri",
    ]
    # --json has the staged files, ready for diff(1), and the full hashes.
    assert main(["diff", str(base_out), str(cdk_out), "--json"]) == 1
    change = json.loads(capsys.readouterr().out)["changes"][0]
    assert (change["old"], change["new"]) == (
        f"{base_out}/asset.{PREP}.py",
        f"{cdk_out}/asset.{new_hash}.py",
    )
    assert change["asset_hashes"] == [PREP, new_hash]
    assert change["asset_names"] == [f"asset.{PREP}.py", f"asset.{new_hash}.py"]


def test_a_changed_script_is_named_by_its_display_name(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_hash = change_prep_script(cdk_out)
    # The asset manifests of a CDK that names its assets (Training/CodePrepPy).
    for assembly, asset_hash in ((base_out, PREP), (cdk_out, new_hash)):
        manifest = assembly / "assembly-dev" / "devMl.assets.json"
        assets = json.loads(manifest.read_text())
        assets["files"][asset_hash]["displayName"] = "Ml/CodePrepPy"
        manifest.write_text(json.dumps(assets))

    assert main(["diff", str(base_out), str(cdk_out), "--markdown"]) == 1
    assert capsys.readouterr().out.splitlines()[3:5] == [
        "- `Prep` (Processing)",
        "  - asset changed: `Ml/CodePrepPy` `11111111` → `55555555`",
    ]
    assert main(["diff", str(base_out), str(cdk_out), "--json"]) == 1
    change = json.loads(capsys.readouterr().out)["changes"][0]
    assert change["asset_names"] == ["Ml/CodePrepPy", "Ml/CodePrepPy"]
    assert change["new"] == f"{cdk_out}/asset.{new_hash}.py"


def _add_scoring_pipeline(assembly: Path) -> None:
    """A second pipeline in the assembly's one stack, at construct path dev/Ml/Scoring."""
    nested = assembly / "assembly-dev"
    template_file = nested / "devMl.template.json"
    template = json.loads(template_file.read_text())
    scoring = json.loads(json.dumps(template["Resources"]["Pipeline99887766"]))
    scoring["Properties"]["PipelineName"] = "dev-ml-scoring"
    template["Resources"]["Scoring11223344"] = scoring
    template_file.write_text(json.dumps(template))
    metadata_file = nested / "devMl.metadata.json"
    metadata = json.loads(metadata_file.read_text())
    metadata["/dev/Ml/Scoring/Resource"] = [
        {"type": "aws:cdk:logicalId", "data": "Scoring11223344"}
    ]
    metadata_file.write_text(json.dumps(metadata))


def test_two_assemblies_of_several_pipelines_compare_pipeline_by_pipeline(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_scoring_pipeline(base_out)
    # The branch: Training's run time limit changed, Scoring removed, nothing else.
    _raise_training_run_time_limit(cdk_out)

    assert main(["diff", str(base_out), str(base_out)]) == 0
    assert capsys.readouterr().out == (
        f"{base_out}:dev/Ml/Training → {base_out}:dev/Ml/Training: no changes "
        "(the same in dev/Ml/Scoring)\n"
    )
    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev/Ml/Training → {cdk_out}:dev/Ml/Training: 1 step changed\n"
        + RAISED_RUN_TIME_LIMIT
        + "\n"
        f"pipeline dev/Ml/Scoring removed (in {base_out})\n"
    )
    assert main(["diff", str(cdk_out), str(base_out), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(item["pipeline"], item["kind"]) for item in report["pipelines"]] == [
        ("dev/Ml/Training", "compared"),
        ("dev/Ml/Scoring", "added"),
    ]
    assert report["pipelines"][0]["equal"] is False
    assert main(["diff", str(cdk_out), str(base_out), "--markdown"]) == 1
    assert f"**Pipeline added** `dev/Ml/Scoring` (in `{base_out}`)" in capsys.readouterr().out
    # Naming one pipeline compares that one only, as before.
    assert main(["diff", str(base_out), str(cdk_out), "--pipeline", "dev/Ml/Scoring"]) == 2
    assert "no pipeline 'dev/Ml/Scoring'" in capsys.readouterr().err


def test_several_pipelines_differ_when_any_does(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The exit code says whether any pipeline changed, not whether the last one compared did.
    _add_scoring_pipeline(base_out)
    _add_scoring_pipeline(cdk_out)
    # The branch changed Training (compared first), not Scoring (compared last).
    _raise_training_run_time_limit(cdk_out, pipelines=2, changed=1)

    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev/Ml/Training → {cdk_out}:dev/Ml/Training: 1 step changed\n"
        + RAISED_RUN_TIME_LIMIT
        + "\n"
        f"{base_out}:dev/Ml/Scoring → {cdk_out}:dev/Ml/Scoring: no changes\n"
    )


def test_pipelines_changed_the_same_way_are_reported_once(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Three environments of one app: a PR comment should say a shared change once.
    _add_scoring_pipeline(base_out)
    _add_scoring_pipeline(cdk_out)
    _raise_training_run_time_limit(cdk_out, pipelines=2)

    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev/Ml/Training → {cdk_out}:dev/Ml/Training: 1 step changed "
        "(the same in dev/Ml/Scoring)\n" + RAISED_RUN_TIME_LIMIT
    )
    assert main(["diff", str(base_out), str(cdk_out), "--markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.count("MaxRuntimeInSeconds") == 1
    assert markdown.splitlines()[0].endswith(": 1 step changed (the same in `dev/Ml/Scoring`)")
    # JSON, for tools, still has one report per pipeline.
    assert main(["diff", str(base_out), str(cdk_out), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [item["pipeline"] for item in report["pipelines"]] == [
        "dev/Ml/Training",
        "dev/Ml/Scoring",
    ]
    assert all(len(item["changes"]) == 1 for item in report["pipelines"])


def test_a_pipeline_added_or_removed_is_a_difference_when_the_others_are_equal(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_scoring_pipeline(cdk_out)  # the branch adds Scoring, and changes nothing else

    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev/Ml/Training → {cdk_out}:dev/Ml/Training: no changes\n"
        "\n"
        f"pipeline dev/Ml/Scoring added (in {cdk_out})\n"
    )
    assert main(["diff", str(cdk_out), str(base_out)]) == 1
    assert capsys.readouterr().out.endswith(f"pipeline dev/Ml/Scoring removed (in {cdk_out})\n")


def test_an_unreadable_assembly_is_named_when_comparing_every_pipeline(
    tmp_path: Path,
    cdk_out: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    assert main(["diff", str(empty), str(cdk_out)]) == 2
    assert capsys.readouterr().err == (
        f"smpipe diff: {empty} is not a cloud assembly (no manifest.json); run cdk synth\n"
    )


def test_one_pipeline_on_each_side_is_compared_whatever_its_construct_path(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The branch renamed the pipeline's construct: its content is still what to compare.
    metadata_file = cdk_out / "assembly-dev" / "devMl.metadata.json"
    metadata_file.write_text(
        metadata_file.read_text().replace("/dev/Ml/Training/", "/dev/Ml/Retraining/")
    )
    _raise_training_run_time_limit(cdk_out)

    assert main(["diff", str(base_out), str(cdk_out)]) == 1
    assert capsys.readouterr().out == (
        f"{base_out}:dev-ml-training → {cdk_out}:dev-ml-training: 1 step changed\n"
        + RAISED_RUN_TIME_LIMIT
    )


def test_definitions_too_deeply_nested_to_compare_exit_2_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Readable JSON (below the parser's limit), but deeper than the comparison recurses.
    nested: Any = "leaf"
    for _ in range(600):
        nested = [nested]
    deep = base()
    step(deep, "Train")["Arguments"]["HyperParameters"] = {"layers": nested}
    old, new = write(tmp_path / "main.json", base()), write(tmp_path / "deep.json", deep)

    assert main(["diff", old, new]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"smpipe diff: cannot compare {old} → {new}: the new definition is nested more than "
        "300 levels deep, too deep to compare\n"
    )


def test_a_side_left_unnamed_beside_old_pipeline_is_asked_for_with_new_pipeline(
    cdk_out: Path,  # noqa: F811
    base_out: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The user names the old side's pipeline: the error for the new side's several
    # pipelines suggests its own option, not --pipeline (which would name both sides).
    _add_scoring_pipeline(cdk_out)
    old = ["--old-pipeline", "dev/Ml/Training"]
    assert main(["diff", str(base_out), str(cdk_out), *old]) == 2
    assert "--new-pipeline" in capsys.readouterr().err
    assert (
        main(["diff", str(base_out), str(cdk_out), *old, "--new-pipeline", "dev/Ml/Training"]) == 0
    )


def test_a_change_that_breaks_validation_is_noted_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A parameter removed that a step still uses: the diff shows the removal, and says the
    # new file no longer validates (a cdk.out's synth would have refused it).
    valid = json.loads((REPO / "tests/definition/sdk_generated/sdk-abalone.json").read_text())
    broken = copy.deepcopy(valid)
    broken["Parameters"] = [p for p in broken["Parameters"] if p["Name"] != "MseThreshold"]
    old, new = write(tmp_path / "main.json", valid), write(tmp_path / "branch.json", broken)

    assert main(["diff", old, new]) == 1
    captured = capsys.readouterr()
    assert "MseThreshold" in captured.out
    assert captured.err.startswith(
        f"smpipe diff: note: {new} doesn't validate, where {old} did (2 problems; the first: "
        "step 'AbaloneMSECond' field 'Arguments.Conditions[0].RightValue': refers to "
        "parameter 'MseThreshold', which is not declared"
    ), captured.err
    assert captured.err.endswith(f"): smpipe validate {new} lists them\n")
    # Back again, or a change between two invalid files: nothing to note.
    assert main(["diff", new, old]) == 1
    assert capsys.readouterr().err == ""
