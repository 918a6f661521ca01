"""Loading what the review commands look at: definition files and pipelines of a cdk.out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.review import SourceError, load_source
from cdk_sagemaker_pipelines.review._sources import pipelines_of_both
from tests.local.test_assembly import PREP, TRAIN, cdk_out, file_asset  # noqa: F401 (a fixture)

DEFINITION = {"Version": "2020-12-01", "Parameters": [], "Steps": []}


def test_reads_a_definition_file_and_a_create_pipeline_request(tmp_path: Path) -> None:
    plain = tmp_path / "pipeline.json"
    plain.write_text(json.dumps(DEFINITION))
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"PipelineDefinitionBody": json.dumps(DEFINITION)}))

    assert load_source(plain).definition == DEFINITION
    assert load_source(plain).label == str(plain)
    assert load_source(request).definition == DEFINITION


def test_reads_the_deployed_definition_of_an_assembly(cdk_out: Path) -> None:  # noqa: F811
    source = load_source(cdk_out, pipeline="dev/Ml/Training")

    assert source.label == f"{cdk_out}:dev-ml-training"
    assert [step["Name"] for step in source.definition["Steps"]][:1] == ["Prep"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read: No such file or directory"),
        ("not json", "cannot read: Expecting value"),
        ("[1, 2]", "not a pipeline definition (no list of Steps)"),
        ('{"Steps": NaN}', "cannot read: NaN is not a JSON value"),
        ('{"PipelineDefinitionBody": {}}', "must be the definition as JSON text"),
    ],
)
def test_names_the_file_that_is_no_definition(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "pipeline.json"
    if content is not None:
        path.write_text(content)

    with pytest.raises(SourceError, match=f"^{path}: .*") as raised:
        load_source(path)
    assert message in str(raised.value)


def test_pipeline_choice_is_for_assemblies_and_must_exist(
    tmp_path: Path,
    cdk_out: Path,  # noqa: F811
) -> None:
    plain = tmp_path / "pipeline.json"
    plain.write_text(json.dumps(DEFINITION))

    with pytest.raises(SourceError, match="--pipeline chooses a pipeline of a cloud assembly"):
        load_source(plain, pipeline="Training")
    unknown = f"^{re.escape(str(cdk_out))}: no pipeline 'prod/Ml' in the assembly"
    with pytest.raises(SourceError, match=unknown):
        load_source(cdk_out, pipeline="prod/Ml")
    with pytest.raises(SourceError, match=f"^{re.escape(str(tmp_path))} is not a cloud assembly"):
        load_source(tmp_path)
    with pytest.raises(SourceError, match=r"^pipeline\.json: --old-pipeline chooses a pipeline"):
        load_source("pipeline.json", pipeline="Training", pipeline_option="--old-pipeline")
    # A path that doesn't exist, given a pipeline to choose: a cdk.out not synthesized yet,
    # not a definition file (was "--pipeline chooses a pipeline of a cloud assembly").
    missing = tmp_path / "base"
    with pytest.raises(SourceError) as raised:
        load_source(missing, pipeline="Training")
    expected = f"{missing} is not a cloud assembly (no such directory); run cdk synth"
    assert str(raised.value) == expected


def test_file_assets_of_an_assembly_by_hash(tmp_path: Path, cdk_out: Path) -> None:  # noqa: F811
    assets = load_source(cdk_out).assets

    assert assets[PREP] == f"{cdk_out}/asset.{PREP}.py"
    assert assets[TRAIN] == f"{cdk_out}/asset.{TRAIN}.tar.gz"
    plain = tmp_path / "pipeline.json"
    plain.write_text(json.dumps(DEFINITION))
    assert load_source(plain).assets == {}


def test_file_assets_are_named_from_the_assembly_as_given(
    cdk_out: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As a reviewer typed it (smpipe diff base cdk.out): not the absolute staging path.
    monkeypatch.chdir(cdk_out.parent)

    assets = load_source("cdk.out").assets

    assert assets[PREP] == f"cdk.out/asset.{PREP}.py"


def test_a_file_asset_without_an_extension_is_named_too(cdk_out: Path) -> None:  # noqa: F811
    script = "5" * 64
    (cdk_out / f"asset.{script}").write_text("#!/bin/sh\n")
    manifest = cdk_out / "assembly-dev" / "devMl.assets.json"
    assets = json.loads(manifest.read_text())
    assets["files"][script] = file_asset(script, f"../asset.{script}")
    manifest.write_text(json.dumps(assets))

    assert load_source(cdk_out).assets[script] == f"{cdk_out}/asset.{script}"


def test_a_source_of_another_type_is_named() -> None:
    with pytest.raises(SourceError, match=r"^load_source: source must be the path of"):
        load_source(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["diff", "access"])
def test_an_assembly_whose_manifest_is_no_json_is_named_not_a_traceback(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # smpipe diff let the JSON error through as a traceback; access said what was wrong.
    broken = tmp_path / "broken.out"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    assert pipelines_of_both(str(broken), str(broken), command) is None
    err = capsys.readouterr().err
    assert err.startswith(f"smpipe {command}: {broken}: can't be read as a cloud assembly: ")


@pytest.mark.parametrize(
    "wrapper",
    [
        # The CreatePipeline API's request (boto3, `aws sagemaker create-pipeline
        # --cli-input-json`) and describe-pipeline's response: the body is PipelineDefinition.
        {"PipelineName": "p", "RoleArn": "arn:aws:iam::1:role/r", "PipelineDefinition": "{}"},
        {"PipelineArn": "arn:aws:sagemaker:us-east-1:1:pipeline/p", "PipelineDefinition": "{}"},
    ],
)
def test_reads_the_definition_of_an_api_request_or_describe_pipeline(
    tmp_path: Path, wrapper: dict[str, str]
) -> None:
    path = tmp_path / "describe.json"
    path.write_text(json.dumps({**wrapper, "PipelineDefinition": json.dumps(DEFINITION)}))

    assert load_source(path).definition == DEFINITION


def test_reads_the_definition_of_the_cloudformation_resource_properties(tmp_path: Path) -> None:
    path = tmp_path / "properties.json"
    body = {"PipelineDefinitionBody": json.dumps(DEFINITION)}
    path.write_text(json.dumps({"PipelineName": "p", "PipelineDefinition": body}))

    assert load_source(path).definition == DEFINITION
