"""The validator checks Lineage steps in definition JSON, as ``smpipe validate`` does.

It refused them before ("unknown step type"): now each entity is checked against botocore's
CreateActionRequest, CreateArtifactRequest or CreateContextRequest (expressions accepted),
each association's ends and type against AddAssociation's members, a name and type against
the step's own entities, and the step's properties (``ActionArns['<name>']``, …) against the
names it creates, naming step and field.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import validate_definition

SDK = json.loads((Path(__file__).parent / "sdk_lineage" / "sdk-lineage.json").read_text())[
    "definition"
]


def mutated() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    definition = copy.deepcopy(SDK)
    return definition, {entry["Name"]: entry for entry in definition["Steps"]}


def problems(definition: Any) -> dict[tuple[str | None, str | None], str]:
    return {(p.step, p.field): p.message for p in validate_definition(definition)}


def hints(definition: Any) -> dict[tuple[str | None, str | None], str | None]:
    return {(p.step, p.field): p.hint for p in validate_definition(definition)}


def test_the_sdks_lineage_steps_are_valid() -> None:
    assert validate_definition(SDK) == []


def test_entities_are_checked_against_botocores_create_requests() -> None:
    definition, steps = mutated()
    arguments = steps["LineageEveryOption"]["Arguments"]
    arguments["Actions"][0]["Status"] = "Done"
    arguments["Actions"][1]["ActionNme"] = arguments["Actions"][1].pop("ActionName")
    arguments["Artifacts"][0]["Source"]["SourceTypes"][0]["SourceIdType"] = "ETag"
    del arguments["Contexts"][0]["ContextType"]
    arguments["Contexts"][0]["Properties"]["owner"] = 1
    found = problems(definition)
    step = "LineageEveryOption"
    assert found[(step, "Arguments.Actions[0].Status")] == (
        "expected one of 'Unknown', 'InProgress', 'Completed', 'Failed', 'Stopping', "
        "'Stopped', got 'Done'"
    )
    assert found[(step, "Arguments.Actions[1].ActionNme")] == "unknown member 'ActionNme'"
    assert found[(step, "Arguments.Actions[1].ActionName")] == (
        "missing required member 'ActionName'"
    )
    assert found[(step, "Arguments.Artifacts[0].Source.SourceTypes[0].SourceIdType")].startswith(
        "expected one of 'MD5Hash', 'S3ETag', 'S3Version', 'Custom', got 'ETag'"
    )
    assert found[(step, "Arguments.Contexts[0].ContextType")] == (
        "missing required member 'ContextType'"
    )
    assert (step, "Arguments.Contexts[0].Properties['owner']") in found


def test_what_the_shapes_do_not_say_names_step_and_field() -> None:
    definition, steps = mutated()
    arguments = steps["LineageEveryOption"]["Arguments"]
    arguments["Actions"][1]["ActionName"] = "training-run"
    associations = arguments["Associations"]
    associations[0]["Destination"]["Name"] = "trained-modle"
    associations[1]["Source"]["Arn"] = "arn:aws:s3:::my-bucket"
    associations[1]["AssociationType"] = "Produces"
    associations[2]["Destination"]["Type"] = "Contxt"
    arguments["Associations"].append(
        {"Source": {"Name": "churn-project", "Type": "Artifact"}, "Destination": {"Arn": "x"}}
    )
    arguments["Associations"].append({"Source": {"Name": "trained-model", "Type": "Artifact"}})
    arguments["Associations"].append(
        {
            "Source": {"Name": "trained-model", "Type": "Artifact", "Arn": "x"},
            "Destination": {"Name": "training-run"},
            "Kind": "Produced",
        }
    )
    arguments["Extras"] = []
    found = problems(definition)
    found_hints = hints(definition)
    step = "LineageEveryOption"
    assert found[(step, "Arguments.Actions[1].ActionName")] == (
        "action name 'training-run' is already used by Arguments.Actions[0]"
    )
    where = "Arguments.Associations"
    assert found[(step, f"{where}[0].Destination.Name")] == (
        "names Artifact 'trained-modle', which this step does not create: the service looks "
        "a name and type up among the step's own entities"
    )
    assert found_hints[(step, f"{where}[0].Destination.Name")] == (
        "did you mean 'trained-model'? An entity created elsewhere is named by its ARN: "
        "another Lineage step's ArtifactArns['<name>']"
    )
    assert found[(step, f"{where}[1].Source.Arn")].startswith(
        "'arn:aws:s3:::my-bucket' does not match the pattern"
    )
    assert found[(step, f"{where}[1].AssociationType")] == (
        "expected one of 'ContributedTo', 'AssociatedWith', 'DerivedFrom', 'Produced', "
        "'SameAs', got 'Produces'"
    )
    assert found[(step, f"{where}[2].Destination.Type")] == (
        "expected one of 'Action', 'Artifact', 'Context', got 'Contxt'"
    )
    assert found_hints[(step, f"{where}[3].Source.Name")].startswith(  # type: ignore[union-attr]
        "'churn-project' is this step's context: Type 'Context'"
    )
    assert found[(step, f"{where}[4].Destination")] == "missing required member 'Destination'"
    assert found[(step, f"{where}[5].Source")].startswith(
        "an entity is named by Arn (any entity) or by Name and Type"
    )
    assert found[(step, f"{where}[5].Destination.Type")] == "missing required member 'Type'"
    assert found[(step, f"{where}[5].Kind")] == "unknown member"
    assert found[(step, "Arguments.Extras")] == "unknown member"


def test_a_step_of_nothing_and_members_of_the_wrong_kind_are_reported() -> None:
    definition, steps = mutated()
    steps["LineageMinimal"]["Arguments"] = {"Artifacts": []}
    steps["LineageParameters"]["Arguments"]["Actions"] = {"ActionName": "x"}
    found = problems(definition)
    assert found[("LineageMinimal", "Arguments")] == (
        "a Lineage step creates no action, artifact or context and adds no association"
    )
    assert found[("LineageParameters", "Arguments.Actions")] == (
        "expected a list of CreateActionRequest objects"
    )
    # A list known only at run time is not judged, nor is the step said to create nothing.
    steps["LineageMinimal"]["Arguments"] = {"Artifacts": {"Get": "Parameters.RunName"}}
    assert ("LineageMinimal", "Arguments") not in problems(definition)


def test_a_name_known_only_at_run_time_is_not_judged() -> None:
    # LineageParameters names its action by a parameter and associates it by the same one;
    # a literal name beside a run-time one may be it.
    definition, steps = mutated()
    steps["LineageParameters"]["Arguments"]["Associations"][0]["Destination"]["Name"] = "other"
    assert validate_definition(definition) == []
    # A run-time name of a kind the step creates none of can't be one of them.
    steps["LineageMinimal"]["Arguments"]["Associations"] = [
        {
            "Source": {"Name": {"Get": "Parameters.RunName"}, "Type": "Context"},
            "Destination": {"Arn": "arn:aws:sagemaker:us-east-1:111122223333:action/x"},
        }
    ]
    found = problems(definition)
    assert found[("LineageMinimal", "Arguments.Associations[0].Source.Name")] == (
        'names Context {"Get": "Parameters.RunName"}, which this step does not create: the '
        "service looks a name and type up among the step's own entities"
    )


def test_retry_and_caching_are_refused_as_the_sdk_writes_neither() -> None:
    definition, steps = mutated()
    steps["LineageMinimal"]["RetryPolicies"] = []
    steps["LineageMinimal"]["CacheConfig"] = {"Enabled": True}
    found = problems(definition)
    assert found[("LineageMinimal", "RetryPolicies")] == "not a field of a Lineage step"
    assert found[("LineageMinimal", "CacheConfig")] == "not a field of a Lineage step"


def test_properties_are_the_arns_of_the_entities_the_step_names() -> None:
    definition, steps = mutated()
    associations = steps["LineageAssociationsOnly"]["Arguments"]["Associations"]
    associations[0]["Source"]["Arn"] = {
        "Get": "Steps.LineageEveryOption.ArtifactArns['trained-modle']"
    }
    associations[0]["Destination"]["Arn"] = {"Get": "Steps.LineageMinimal.ContextArns['x']"}
    associations[1]["Source"]["Arn"] = {"Get": "Steps.LineageEveryOption.ActionArn"}
    associations[1]["Destination"]["Arn"] = {"Get": "Steps.LineageEveryOption.ContextArns"}
    # LineageMinimal's one artifact has no name: nothing can read its ARN by one.
    associations.append(
        {
            "Source": {"Arn": {"Get": "Steps.LineageMinimal.ArtifactArns['model']"}},
            "Destination": {"Arn": {"Get": "Steps.LineageEveryOption.ActionArns['approval']"}},
        }
    )
    found = problems(definition)
    found_hints = hints(definition)
    step, where = "LineageAssociationsOnly", "Arguments.Associations"
    assert found[(step, f"{where}[0].Source.Arn")] == (
        "'Steps.LineageEveryOption.ArtifactArns['trained-modle']': ArtifactArns has no entry "
        "'trained-modle'"
    )
    assert found_hints[(step, f"{where}[0].Source.Arn")] == "did you mean 'trained-model'?"
    assert found_hints[(step, f"{where}[0].Destination.Arn")] == (
        "step 'LineageMinimal' creates no contexts"
    )
    assert found_hints[(step, f"{where}[2].Source.Arn")] == (
        "step 'LineageMinimal' creates no named artifacts"
    )
    assert "has no property 'ActionArn'" in found[(step, f"{where}[1].Source.Arn")]
    assert found[(step, f"{where}[1].Destination.Arn")] == (
        "'Steps.LineageEveryOption.ContextArns' is a map, not a value"
    )


def test_a_run_time_name_makes_any_key_of_its_kind_valid() -> None:
    definition, steps = mutated()
    steps["LineageAssociationsOnly"]["Arguments"]["Associations"][0]["Source"]["Arn"] = {
        "Get": "Steps.LineageParameters.ActionArns['anything']"
    }
    assert validate_definition(definition) == []


def test_smpipe_validate_checks_lineage_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = tmp_path / "lineage.json"
    valid.write_text(json.dumps(SDK))
    assert main(["validate", str(valid)]) == 0
    definition, steps = mutated()
    steps["LineageEveryOption"]["Arguments"]["Associations"][0]["Destination"]["Name"] = (
        "trained-modle"
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(definition))
    capsys.readouterr()
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert (
        "- step 'LineageEveryOption' field 'Arguments.Associations[0].Destination.Name': names "
        "Artifact 'trained-modle', which this step does not create" in out
    )
