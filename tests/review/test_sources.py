"""Loading what the review commands look at: definition files and pipelines of a cdk.out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.review import SourceError, load_source
from tests.local.test_assembly import cdk_out  # noqa: F401 (a fixture)

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
    with pytest.raises(SourceError, match="no pipeline 'prod/Ml' in the assembly"):
        load_source(cdk_out, pipeline="prod/Ml")
    with pytest.raises(SourceError, match="is not a cloud assembly"):
        load_source(tmp_path)
