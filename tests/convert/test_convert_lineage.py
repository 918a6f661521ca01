"""``smpipe convert`` writes Lineage steps as ``LineageStep``s of their entity classes, proved
by compiling the code back to the same definition."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.convert.test_convert import why_raw

SOURCE = {"SourceUri": "s3://b/run"}


def definition(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": list(steps)}


def lineage(arguments: dict[str, Any], name: str = "Record") -> dict[str, Any]:
    return {"Name": name, "Type": "Lineage", "Arguments": arguments}


def converted(source_definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Python, and what it compiles to (convert_definition proved them equal)."""
    source = convert_definition(source_definition)
    namespace: dict[str, Any] = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    return source, namespace["definition"].to_definition(StaticBinder())


def test_entities_and_associations_are_written_as_their_classes() -> None:
    record = lineage(
        {
            "Actions": [
                {
                    "ActionName": "training-run",
                    "Source": {"SourceUri": "s3://b/run", "SourceId": "run-1"},
                    "ActionType": "ModelTraining",
                    "MetadataProperties": {"CommitId": "abc123"},
                    "Tags": [{"Key": "team", "Value": "churn"}],
                }
            ],
            "Artifacts": [
                {
                    "Source": {
                        "SourceUri": "s3://b/model.tar.gz",
                        "SourceTypes": [{"SourceIdType": "Custom", "Value": "v1"}],
                    },
                    "ArtifactType": "Model",
                    "ArtifactName": "model",
                }
            ],
            "Associations": [
                {
                    "Source": {"Name": "training-run", "Type": "Action"},
                    "Destination": {"Name": "model", "Type": "Artifact"},
                    "AssociationType": "Produced",
                }
            ],
        }
    )
    later = lineage(
        {
            "Associations": [
                {
                    "Source": {"Arn": {"Get": "Steps.Record.ArtifactArns['model']"}},
                    "Destination": {
                        "Arn": "arn:aws:sagemaker:us-east-1:111122223333:context/churn"
                    },
                }
            ]
        },
        name="Later",
    )
    source, compiled = converted(definition(record, later))
    assert (
        "        LineageAction(\n"
        '            action_name="training-run",\n'
        '            source_uri="s3://b/run",\n'
        '            source_id="run-1",\n'
        '            action_type="ModelTraining",\n'
        '            metadata_properties=MetadataProperties(commit_id="abc123"),\n'
        '            tags={"team": "churn"},\n'
        "        ),\n"
    ) in source
    assert (
        "        LineageArtifact(\n"
        '            artifact_name="model",\n'
        '            source_uri="s3://b/model.tar.gz",\n'
        '            source_types={"Custom": "v1"},\n'
        '            artifact_type="Model",\n'
        "        ),\n"
    ) in source
    assert 'source=LineageEntityReference(name="training-run", type="Action"),' in source
    assert 'source=LineageEntityReference(arn=record.properties.ArtifactArns["model"]),' in source
    # The members in the language's order; the same requests.
    assert compiled["Steps"][0]["Arguments"]["Artifacts"] == record["Arguments"]["Artifacts"]
    assert compiled["Steps"][1] == later


ARTIFACT = {"Source": {"SourceUri": "s3://b/m"}, "ArtifactType": "Model"}


@pytest.mark.parametrize(
    ("arguments", "what"),
    [
        (
            {"Actions": [{"ActionName": "a", "Source": SOURCE, "ActionType": "T", "Tags": []}]},
            "a lineage action's tags other than distinct literal keys",
        ),
        (
            {
                "Artifacts": [
                    {
                        "Source": {
                            "SourceUri": "s3://b/m",
                            "SourceTypes": [
                                {"SourceIdType": "Custom", "Value": "v1"},
                                {"SourceIdType": "Custom", "Value": "v2"},
                            ],
                        },
                        "ArtifactType": "Model",
                    }
                ]
            },
            "an artifact's source types naming one id type twice",
        ),
        ({"Actions": [], "Artifacts": [ARTIFACT]}, "Actions that are no list of actions"),
    ],
)
def test_what_the_classes_cannot_write_is_a_raw_step_saying_why(
    arguments: dict[str, Any], what: str
) -> None:
    source_definition = definition(lineage(arguments))
    source, compiled = converted(source_definition)
    assert compiled == source_definition
    assert why_raw(source, "record") == (
        f"record is its entry, as no step class writes it: the language can't write {what}."
    )
