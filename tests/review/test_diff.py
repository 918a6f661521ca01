"""The structural diff of two definitions: each kind of change, named lists, renames, output."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdk_sagemaker_pipelines.review import (
    ABSENT,
    Change,
    DefinitionDiff,
    diff_definitions,
    format_value,
    render_json,
    render_markdown,
    render_text,
    summary,
)
from cdk_sagemaker_pipelines.review import diff as diff_module
from cdk_sagemaker_pipelines.review.diff import (
    MAX_DEPTH,
    NAME_KEYS,
    RENAME_SIMILARITY,
    shorten_pair,
)
from tests.conftest import REPO, load_sdk_example

ROLE = "arn:aws:iam::111122223333:role/StepRole"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
SDK_GENERATED = sorted((REPO / "tests" / "definition" / "sdk_generated").glob("*.json"))
MODEL_DATA = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
ACCURACY = {
    "Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
        "Path": "metrics.accuracy",
    }
}


def processing_input(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
        },
    }


def base() -> dict[str, Any]:
    """Prep → Train → Evaluate → Check (if: Register, else: Stop)."""
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            {"Name": "InputUri", "Type": "String", "DefaultValue": "s3://data/raw/"},
            {"Name": "AccuracyThreshold", "Type": "Float", "DefaultValue": 0.9},
        ],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [
            {
                "Name": "Prep",
                "Type": "Processing",
                "Arguments": {
                    "AppSpecification": {
                        "ImageUri": IMAGE,
                        "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/prep.py"],
                        "ContainerArguments": ["--test-fraction", "0.2"],
                    },
                    "RoleArn": ROLE,
                    "ProcessingInputs": [
                        processing_input(
                            "raw", {"Get": "Parameters.InputUri"}, "/opt/ml/processing/input"
                        ),
                        processing_input("code", "s3://code/prep.py", "/opt/ml/processing/code"),
                    ],
                    "ProcessingOutputConfig": {
                        "Outputs": [
                            {
                                "OutputName": "train",
                                "S3Output": {
                                    "S3Uri": "s3://bucket/train",
                                    "LocalPath": "/opt/ml/processing/train",
                                    "S3UploadMode": "EndOfJob",
                                },
                            }
                        ]
                    },
                },
            },
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {
                        "TrainingImage": IMAGE,
                        "TrainingInputMode": "File",
                        "MetricDefinitions": [
                            {"Name": "train:accuracy", "Regex": "accuracy=([0-9.]+)"},
                            {"Name": "train:loss", "Regex": "loss=([0-9.]+)"},
                        ],
                    },
                    "ResourceConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 30,
                    },
                    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                    "RoleArn": ROLE,
                    "OutputDataConfig": {"S3OutputPath": "s3://bucket/model"},
                    "InputDataConfig": [
                        {
                            "ChannelName": "train",
                            "DataSource": {
                                "S3DataSource": {
                                    "S3DataType": "S3Prefix",
                                    "S3Uri": {
                                        "Get": "Steps.Prep.ProcessingOutputConfig."
                                        "Outputs['train'].S3Output.S3Uri"
                                    },
                                }
                            },
                        }
                    ],
                    "HyperParameters": {"n-estimators": "100"},
                },
            },
            {
                "Name": "Evaluate",
                "Type": "Processing",
                "Arguments": {
                    "AppSpecification": {"ImageUri": IMAGE},
                    "RoleArn": ROLE,
                    "ProcessingInputs": [
                        processing_input("model", MODEL_DATA, "/opt/ml/processing/model")
                    ],
                },
                "PropertyFiles": [
                    {
                        "PropertyFileName": "Report",
                        "OutputName": "evaluation",
                        "FilePath": "evaluation.json",
                    }
                ],
            },
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [
                        {
                            "Type": "GreaterThanOrEqualTo",
                            "LeftValue": ACCURACY,
                            "RightValue": {"Get": "Parameters.AccuracyThreshold"},
                        }
                    ],
                    "IfSteps": [
                        {
                            "Name": "Register",
                            "Type": "RegisterModel",
                            "Arguments": {
                                "ModelPackageGroupName": "churn",
                                "InferenceSpecification": {
                                    "Containers": [{"Image": IMAGE, "ModelDataUrl": MODEL_DATA}],
                                    "SupportedContentTypes": ["text/csv"],
                                    "SupportedResponseMIMETypes": ["text/csv"],
                                },
                                "ModelApprovalStatus": "PendingManualApproval",
                            },
                        }
                    ],
                    "ElseSteps": [
                        {
                            "Name": "Stop",
                            "Type": "Fail",
                            "Arguments": {"ErrorMessage": "accuracy too low"},
                        }
                    ],
                },
            },
        ],
    }


def step(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """The entry of step ``name``, branch steps included (to mutate in a test)."""
    entries = list(definition["Steps"])
    while entries:
        entry = entries.pop(0)
        if entry["Name"] == name:
            return entry  # type: ignore[no-any-return]
        if entry["Type"] == "Condition":
            entries += entry["Arguments"]["IfSteps"] + entry["Arguments"]["ElseSteps"]
    raise KeyError(name)


def changes_of(diff: DefinitionDiff) -> list[tuple[str, str, str | None, str]]:
    return [(c.subject, c.kind, c.name, c.path) for c in diff.changes]


def test_equal_definitions_have_no_changes() -> None:
    old, new = base(), base()
    new["Steps"].reverse()  # listing order is not a change: dependencies decide the run order
    new["PipelineExperimentConfig"] = dict(reversed(new["PipelineExperimentConfig"].items()))

    diff = diff_definitions(old, new)

    assert not diff
    assert diff.changes == ()
    assert render_text(diff, ("a.json", "b.json")) == "a.json → b.json: no changes\n"
    assert render_json(diff) == {"equal": True, "changes": []}


def test_a_field_change_is_named_by_its_path() -> None:
    new = base()
    step(new, "Train")["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.m5.2xlarge"

    diff = diff_definitions(base(), new)

    assert diff.changes == (
        Change(
            "step",
            "changed",
            "Train",
            "Arguments.ResourceConfig.InstanceType",
            "ml.m5.xlarge",
            "ml.m5.2xlarge",
            step_type="Training",
        ),
    )
    assert render_text(diff, ("main.json", "branch.json")) == (
        "main.json → branch.json: 1 step changed\n"
        "Steps changed:\n"
        "  Train (Training)\n"
        '    Arguments.ResourceConfig.InstanceType: "ml.m5.xlarge" → "ml.m5.2xlarge"\n'
    )


def test_parameters_added_removed_and_changed() -> None:
    new = base()
    new["Parameters"] = [
        {
            "Name": "InputUri",
            "Type": "String",
            "DefaultValue": "s3://data/raw/",
            "EnumValues": ["s3://data/raw/"],
        },
        {"Name": "AccuracyThreshold", "Type": "Float", "DefaultValue": 0.8},
        {"Name": "Epochs", "Type": "Integer", "DefaultValue": 10},
    ]
    step(new, "Check")["Arguments"]["Conditions"][0]["RightValue"] = 0.8
    old = base()
    old["Parameters"].append({"Name": "Unused", "Type": "Boolean", "DefaultValue": False})

    diff = diff_definitions(old, new)

    assert changes_of(diff)[:4] == [
        ("parameter", "added", "InputUri", "EnumValues"),
        ("parameter", "changed", "AccuracyThreshold", "DefaultValue"),
        ("parameter", "added", "Epochs", ""),
        ("parameter", "removed", "Unused", ""),
    ]
    text = render_text(diff)
    assert text.startswith(
        "1 parameter added, 1 parameter removed, 2 parameters changed, 1 step changed\n"
        "Parameters:\n"
        '  InputUri EnumValues added: ["s3://data/raw/"] '
        "(used by Prep: ProcessingInputs[raw].S3Input.S3Uri)\n"
        "  AccuracyThreshold DefaultValue: 0.9 → 0.8\n"
        "  Epochs added (Integer, default 10)\n"
        "  Unused removed (Boolean, default false)\n"
    )
    assert "    Arguments.Conditions[0].RightValue: Parameters.AccuracyThreshold → 0.8\n" in text


def test_a_parameter_added_or_removed_says_its_type_default_and_choices() -> None:
    new = base()
    new["Parameters"] += [
        {"Name": "Region", "Type": "String", "DefaultValue": "eu", "EnumValues": ["eu", "us"]},
        {"Name": "Untyped", "DefaultValue": "x"},
    ]

    text = render_text(diff_definitions(base(), new))

    assert text.splitlines()[2:4] == [
        '  Region added (String, default "eu", one of ["eu", "us"])',
        '  Untyped added (no Type, default "x")',
    ]


def test_a_parameter_type_change_is_reported() -> None:
    new = base()
    new["Parameters"][1] = {"Name": "AccuracyThreshold", "Type": "String", "DefaultValue": "0.9"}

    diff = diff_definitions(base(), new)

    assert [(c.path, c.old, c.new) for c in diff.changes] == [
        ("Type", "Float", "String"),
        ("DefaultValue", 0.9, "0.9"),
    ]


def test_parameters_added_to_a_definition_without_any_are_parameters_added() -> None:
    old = base()
    del old["Parameters"]

    diff = diff_definitions(old, base())

    assert changes_of(diff) == [
        ("parameter", "added", "InputUri", ""),
        ("parameter", "added", "AccuracyThreshold", ""),
    ]


def test_parameters_named_twice_are_compared_as_json() -> None:
    # Matched by name, the second would hide the first: compared as a list, nothing is lost.
    new = base()
    new["Parameters"].append({"Name": "InputUri", "Type": "String", "DefaultValue": "s3://x/"})

    diff = diff_definitions(base(), new)

    assert changes_of(diff) == [("definition", "added", None, "Parameters[2]")]


def test_steps_added_and_removed_say_type_placement_and_dependencies() -> None:
    new = base()
    new["Steps"].insert(
        3,
        {
            "Name": "Explain",
            "Type": "Processing",
            "Arguments": {
                "ProcessingInputs": [processing_input("model", MODEL_DATA, "/opt/ml/model")]
            },
        },
    )
    check = step(new, "Check")["Arguments"]
    check["IfSteps"].append({"Name": "Notify", "Type": "Lambda", "DependsOn": ["Explain"]})
    check["ElseSteps"].clear()

    diff = diff_definitions(base(), new)

    assert diff.changes[0] == Change(
        "step",
        "added",
        "Explain",
        step_type="Processing",
        placement="top level",
        dependencies=("Train",),
    )
    assert render_text(diff) == (
        "2 steps added, 1 step removed\n"
        "Steps added:\n"
        "  Explain (Processing, depends on Train)\n"
        "  Notify (Lambda, in the if-branch of Check, depends on Explain)\n"
        "Steps removed:\n"
        "  Stop (Fail, in the else-branch of Check)\n"
    )


def test_dependencies_are_listed_in_definition_order_and_never_the_step_itself() -> None:
    new = base()
    new["Steps"].append(
        {
            "Name": "Report",
            "Type": "Lambda",
            "DependsOn": ["Report", "Evaluate"],  # itself: a mistake, not a dependency
            "Arguments": {"Model": MODEL_DATA, "Data": {"Get": "Steps.Prep.ProcessingJobName"}},
        }
    )

    [change] = diff_definitions(base(), new).changes

    assert change.dependencies == ("Prep", "Train", "Evaluate")
    assert render_json(diff_definitions(base(), new))["changes"][0]["dependencies"] == [
        "Prep",
        "Train",
        "Evaluate",
    ]


def test_steps_listed_in_another_order_change_no_dependencies() -> None:
    old = base()
    step(old, "Evaluate")["DependsOn"] = ["Prep"]  # and Train, whose model it reads
    new = copy.deepcopy(old)
    new["Steps"][:2] = reversed(new["Steps"][:2])  # Train before Prep

    assert not diff_definitions(old, new)


def test_a_step_moved_out_of_a_branch_and_a_type_change() -> None:
    new = base()
    register = step(new, "Check")["Arguments"]["IfSteps"].pop()
    new["Steps"].append(register)
    step(new, "Stop")["Type"] = "Lambda"

    diff = diff_definitions(base(), new)

    assert render_text(diff) == (
        "2 steps changed\n"
        "Steps changed:\n"
        "  Stop (Lambda)\n"
        '    Type: "Fail" → "Lambda"\n'
        "  Register (RegisterModel)\n"
        "    moved: if-branch of Check → top level\n"
    )
    moved = diff.changes[1]
    assert (moved.kind, moved.old, moved.new) == ("moved", "if-branch of Check", "top level")


def test_dependencies_from_references_and_depends_on() -> None:
    new = base()
    evaluate = step(new, "Evaluate")
    evaluate["DependsOn"] = ["Prep"]
    evaluate["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = "s3://bucket/model"

    diff = diff_definitions(base(), new)

    assert diff.changes[0] == Change(
        "step", "dependencies", "Evaluate", "", ("Train",), ("Prep",), step_type="Processing"
    )
    # The DependsOn field stays in the data; the text says it once, as the dependencies line.
    assert ("step", "added", "Evaluate", "DependsOn") in changes_of(diff)
    assert render_text(diff).splitlines()[3:] == [
        "    dependencies: now on Prep; no longer on Train",
        "    Arguments.ProcessingInputs[model].S3Input.S3Uri: "
        'Steps.Train.ModelArtifacts.S3ModelArtifacts → "s3://bucket/model"',
    ]


def test_a_depends_on_change_is_one_line() -> None:
    old, new = base(), base()
    step(old, "Stop")["DependsOn"] = ["Train"]
    step(new, "Stop")["DependsOn"] = ["Prep"]
    kept = base()
    step(kept, "Evaluate")["DependsOn"] = ["Train"]  # no new dependency: the field is the news

    assert render_text(diff_definitions(old, new)).splitlines()[1:] == [
        "Steps changed:",
        "  Stop (Fail)",
        "    dependencies: now on Prep; no longer on Train",
    ]
    assert "- dependencies: now on Prep; no longer on Train\n" in render_markdown(
        diff_definitions(old, new)
    )
    assert render_text(diff_definitions(base(), kept)).splitlines()[3:] == [
        '    DependsOn added: ["Train"]'
    ]


OLD_HASH, NEW_HASH, OTHER_HASH = "a" * 64, "b" * 64, "c" * 64


def with_code(definition: dict[str, Any], asset_hash: str) -> dict[str, Any]:
    """Prep's code is the cdk.out file asset ``asset_hash`` (its entrypoint and its input)."""
    arguments = step(definition, "Prep")["Arguments"]
    script = f"/opt/ml/processing/code/{asset_hash}.py"
    arguments["AppSpecification"]["ContainerEntrypoint"] = ["python3", script]
    uri = f"s3://cdk-hnb659fds-assets-111122223333-us-east-1/{asset_hash}.py"
    arguments["ProcessingInputs"][1]["S3Input"]["S3Uri"] = uri
    return definition


def test_a_dependencies_change_is_json_lists() -> None:
    old, new = base(), base()
    step(new, "Stop")["DependsOn"] = ["Prep"]

    change = render_json(diff_definitions(old, new))["changes"][0]

    assert (change["kind"], change["old"], change["new"]) == ("dependencies", [], ["Prep"])


def test_a_replaced_asset_is_one_change_naming_its_staged_files() -> None:
    old, new = with_code(base(), OLD_HASH), with_code(base(), NEW_HASH)
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = ["--fast"]
    step(new, "Prep")["Arguments"]["Environment"] = {"MODE": "fast"}
    old_assets = {OLD_HASH: f"base/asset.{OLD_HASH}.py", OTHER_HASH: "base/asset.other"}
    new_assets = {NEW_HASH: f"cdk.out/asset.{NEW_HASH}.py"}

    diff = diff_definitions(old, new, old_assets=old_assets, new_assets=new_assets)

    entrypoint = "Arguments.AppSpecification.ContainerEntrypoint"
    code = "Arguments.ProcessingInputs[code].S3Input.S3Uri"
    assert diff.changes[0] == Change(
        "step",
        "asset",
        "Prep",
        old=f"base/asset.{OLD_HASH}.py",
        new=f"cdk.out/asset.{NEW_HASH}.py",
        step_type="Processing",
        fields=(entrypoint, code),
        asset_hashes=(OLD_HASH, NEW_HASH),
        asset_names=(f"asset.{OLD_HASH}.py", f"asset.{NEW_HASH}.py"),
    )
    assert changes_of(diff)[1:] == [
        ("step", "changed", "Prep", "Arguments.AppSpecification.ContainerArguments"),
        ("step", "added", "Prep", "Arguments.Environment"),
    ]
    assert render_text(diff).splitlines()[2:5] == [
        "  Prep (Processing)",
        # The staged files' names, their hashes shortened (--json has the full paths).
        "    asset changed: asset.aaaaaaaa.py → asset.bbbbbbbb.py",
        f"      in {entrypoint}, {code}",
    ]
    assert (
        "  - asset changed: `asset.aaaaaaaa.py` → `asset.bbbbbbbb.py`\n"
        f"    - in `{entrypoint}`, `{code}`\n"
    ) in render_markdown(diff)
    data = render_json(diff)["changes"][0]
    assert data["fields"] == [entrypoint, code]
    assert data["old"] == f"base/asset.{OLD_HASH}.py"
    assert data["new"] == f"cdk.out/asset.{NEW_HASH}.py"
    assert data["asset_hashes"] == [OLD_HASH, NEW_HASH]


def test_a_hash_is_an_asset_only_when_both_sides_stage_it_and_nothing_else_differs() -> None:
    old, new = with_code(base(), OLD_HASH), with_code(base(), NEW_HASH)
    staged = {OLD_HASH: "base/a.py"}, {NEW_HASH: "new/b.py"}
    moved = with_code(base(), NEW_HASH)
    code_input = step(moved, "Prep")["Arguments"]["ProcessingInputs"][1]["S3Input"]
    code_input["S3Uri"] = code_input["S3Uri"].replace("111122223333", "444455556666")

    def kinds(diff: DefinitionDiff) -> list[str]:
        return [change.kind for change in diff.changes]

    # From definition files (no staged assets), or a hash no asset has: the fields.
    assert kinds(diff_definitions(old, new)) == ["changed", "changed"]
    assert kinds(diff_definitions(old, new, old_assets=staged[0], new_assets={})) == [
        "changed",
        "changed",
    ]
    assert kinds(diff_definitions(old, new, old_assets=staged[0], new_assets=staged[1])) == [
        "asset"
    ]
    # A step whose one change is the asset (its entrypoint alone names it).
    only_entrypoint = with_code(base(), NEW_HASH)
    old_inputs = step(old, "Prep")["Arguments"]["ProcessingInputs"]
    step(only_entrypoint, "Prep")["Arguments"]["ProcessingInputs"] = copy.deepcopy(old_inputs)
    diff = diff_definitions(old, only_entrypoint, old_assets=staged[0], new_assets=staged[1])
    assert diff.changes == (
        Change(
            "step",
            "asset",
            "Prep",
            old="base/a.py",
            new="new/b.py",
            step_type="Processing",
            fields=("Arguments.AppSpecification.ContainerEntrypoint",),
            asset_hashes=(OLD_HASH, NEW_HASH),
            asset_names=("a.py", "b.py"),
        ),
    )
    # The code input also moved to another bucket: that field is a change of its own.
    diff = diff_definitions(old, moved, old_assets=staged[0], new_assets=staged[1])
    assert [(c.kind, c.path, c.fields) for c in diff.changes] == [
        ("asset", "", ("Arguments.AppSpecification.ContainerEntrypoint",)),
        ("changed", "Arguments.ProcessingInputs[code].S3Input.S3Uri", ()),
    ]


def test_a_field_naming_an_asset_twice_and_a_kept_one_is_one_asset_change() -> None:
    old, new = with_code(base(), OLD_HASH), with_code(base(), NEW_HASH)
    for definition, code in ((old, OLD_HASH), (new, NEW_HASH)):
        app = step(definition, "Prep")["Arguments"]["AppSpecification"]
        app["ContainerEntrypoint"] = ["python3", f"{code}.py", f"--lib={OTHER_HASH}.zip", code]
    old_assets = {OLD_HASH: "base/code.py", OTHER_HASH: "base/lib.zip"}
    new_assets = {NEW_HASH: "cdk.out/code.py", OTHER_HASH: "cdk.out/lib.zip"}

    diff = diff_definitions(old, new, old_assets=old_assets, new_assets=new_assets)

    assert [(c.kind, c.old, c.new, c.fields) for c in diff.changes] == [
        (
            "asset",
            "base/code.py",
            "cdk.out/code.py",
            (
                "Arguments.AppSpecification.ContainerEntrypoint",
                "Arguments.ProcessingInputs[code].S3Input.S3Uri",
            ),
        )
    ]


def test_a_step_without_a_type_says_so() -> None:
    old = {"Steps": [{"Name": "A"}, {"Name": "B", "Arguments": {"X": 1}}]}
    new = {"Steps": [{"Name": "B", "Arguments": {"X": 2}}]}

    assert render_text(diff_definitions(old, new)).splitlines()[1:] == [
        "Steps removed:",
        "  A (no Type)",
        "Steps changed:",
        "  B (no Type)",
        "    Arguments.X: 1 → 2",
    ]


def test_an_input_inserted_at_the_front_is_one_added_input() -> None:
    new = base()
    inputs = step(new, "Prep")["Arguments"]["ProcessingInputs"]
    inputs.insert(0, processing_input("extra", "s3://data/extra", "/opt/ml/processing/extra"))
    inputs[2]["S3Input"]["S3Uri"] = "s3://code/prep-v2.py"

    diff = diff_definitions(base(), new)

    assert [(c.kind, c.path) for c in diff.changes] == [
        ("added", "Arguments.ProcessingInputs[extra]"),
        ("changed", "Arguments.ProcessingInputs[code].S3Input.S3Uri"),
    ]
    assert diff.changes[0].new == inputs[0]
    # Where the new input reads from is said in full, not cut off in a one-line object.
    assert render_text(diff).splitlines()[3:10] == [
        "    Arguments.ProcessingInputs[extra] added:",
        '      InputName: "extra"',
        '      S3Input.S3Uri: "s3://data/extra"',
        '      S3Input.LocalPath: "/opt/ml/processing/extra"',
        '      S3Input.S3DataType: "S3Prefix"',
        '      S3Input.S3InputMode: "File"',
        '    Arguments.ProcessingInputs[code].S3Input.S3Uri: "s3://code/prep.py" → '
        '"s3://code/prep-v2.py"',
    ]
    removed = render_markdown(diff_definitions(new, base())).splitlines()
    assert removed[5:7] == [
        "  - `Arguments.ProcessingInputs[extra]` removed, was:",
        '    - `InputName`: `"extra"`',
    ]
    # A short object stays on one line.
    new["Steps"][0]["Arguments"]["Environment"] = {"A": "1"}
    assert '    Arguments.Environment added: {"A": "1"}' in render_text(
        diff_definitions(base(), new)
    )


@pytest.mark.parametrize(
    ("name", "mutate", "path"),
    [
        (
            "Train",
            lambda e: e["Arguments"]["InputDataConfig"].insert(
                0, {"ChannelName": "code", "DataSource": {}}
            ),
            "Arguments.InputDataConfig[code]",
        ),
        (
            "Train",
            lambda e: e["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"].reverse(),
            None,
        ),
        (
            "Train",
            lambda e: e["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"].pop(0),
            "Arguments.AlgorithmSpecification.MetricDefinitions[train:accuracy]",
        ),
        (
            "Evaluate",
            lambda e: e["PropertyFiles"][0].update(FilePath="report.json"),
            "PropertyFiles[Report].FilePath",
        ),
        (
            "Prep",
            lambda e: e["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"].update(
                S3UploadMode="Continuous"
            ),
            "Arguments.ProcessingOutputConfig.Outputs[train].S3Output.S3UploadMode",
        ),
        (
            "Check",
            lambda e: e["Arguments"]["Conditions"].insert(
                0, {"Type": "Equals", "LeftValue": 1, "RightValue": 1}
            ),
            "Arguments.Conditions[0].Type",
        ),
        (
            "Train",
            lambda e: e["Arguments"]["HyperParameters"].update({"max depth": "5"}),
            'Arguments.HyperParameters["max depth"]',
        ),
    ],
    ids=["channel", "reordered", "metric", "property-file", "output", "condition", "odd-key"],
)
def test_named_list_items_are_matched_by_name(name: str, mutate: Any, path: str | None) -> None:
    new = base()
    mutate(step(new, name))

    paths = [change.path for change in diff_definitions(base(), new).changes]

    assert paths[:1] == ([path] if path else [])


def test_an_object_added_to_a_list_of_unnamed_objects_is_reported() -> None:
    new = base()
    conditions = step(new, "Check")["Arguments"]["Conditions"]
    conditions.append({"Type": "Equals", "LeftValue": 1, "RightValue": 1})

    diff = diff_definitions(base(), new)

    assert [(c.kind, c.path, c.new) for c in diff.changes] == [
        ("added", "Arguments.Conditions[1]", conditions[1])
    ]
    assert render_text(diff, ("a", "b")).startswith("a → b: 1 step changed\n")


def test_fields_are_listed_in_the_new_entrys_order_then_those_removed() -> None:
    old = {"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"X": 1, "Y": 1, "Gone": 1}}]}
    new = {"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"Y": 2, "New": 2, "X": 2}}]}

    paths = [change.path for change in diff_definitions(old, new).changes]

    assert paths == ["Arguments.Y", "Arguments.New", "Arguments.X", "Arguments.Gone"]


def test_a_list_of_values_is_shown_whole() -> None:
    new = base()
    arguments = step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"]
    arguments.insert(0, "--verbose")

    diff = diff_definitions(base(), new)

    assert render_text(diff).splitlines()[-1] == (
        "    Arguments.AppSpecification.ContainerArguments: "
        '["--test-fraction", "0.2"] → ["--verbose", "--test-fraction", "0.2"]'
    )


def renamed(definition: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    text = json.dumps(definition).replace(f'"{old}"', f'"{new}"')
    return json.loads(text.replace(f"Steps.{old}.", f"Steps.{new}."))  # type: ignore[no-any-return]


def test_a_list_of_values_and_expressions_is_shown_whole() -> None:
    old, new = base(), base()
    for definition, parameter in ((old, "Parameters.InputUri"), (new, "Parameters.Other")):
        app = step(definition, "Prep")["Arguments"]["AppSpecification"]
        app["ContainerArguments"] = ["--input", {"Get": parameter}]

    diff = diff_definitions(old, new)

    assert render_text(diff).splitlines()[-1] == (
        "    Arguments.AppSpecification.ContainerArguments: "
        '["--input", Parameters.InputUri] → ["--input", Parameters.Other]'
    )


def test_a_renamed_step_is_a_rename_and_references_to_it_follow() -> None:
    new = renamed(base(), "Train", "Fit")

    diff = diff_definitions(base(), new)

    assert diff.changes == (
        Change("step", "renamed", "Fit", old_name="Train", step_type="Training"),
    )
    assert render_text(diff) == "1 step renamed\nSteps renamed:\n  Train → Fit\n"


def test_steps_renamed_together_and_a_renamed_condition() -> None:
    new = renamed(renamed(renamed(base(), "Prep", "Preprocess"), "Train", "Fit"), "Check", "Gate")
    new["Steps"].append(step(new, "Gate")["Arguments"]["ElseSteps"].pop())

    diff = diff_definitions(base(), new)

    assert changes_of(diff) == [
        ("step", "renamed", "Preprocess", ""),
        ("step", "renamed", "Fit", ""),
        ("step", "renamed", "Gate", ""),
        ("step", "moved", "Stop", ""),
    ]
    assert (diff.changes[-1].old, diff.changes[-1].new) == ("else-branch of Gate", "top level")


def test_steps_renamed_together_are_found_without_scoring_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Evaluate, which reads Train, is listed first: it is equal apart from names only once
    # Train's rename is known, on a second look.
    monkeypatch.setattr(diff_module, "MAX_RENAME_PAIRS", 0)
    old = base()
    old["Steps"][1:3] = reversed(old["Steps"][1:3])
    new = renamed(renamed(old, "Train", "Fit"), "Evaluate", "Assess")

    assert changes_of(diff_definitions(old, new)) == [
        ("step", "renamed", "Assess", ""),
        ("step", "renamed", "Fit", ""),
    ]


def test_a_step_removed_and_added_twice_is_one_rename_and_one_step_added() -> None:
    fail = {"Type": "Fail", "Arguments": {"ErrorMessage": "no"}}
    old = {"Steps": [{"Name": "Stop", **fail}]}
    new = {"Steps": [{"Name": "Halt", **fail}, {"Name": "Quit", **fail}]}
    # A search that matched the removed step again would never end: fail, don't hang.
    found: list[Any] = []
    worker = threading.Thread(target=lambda: found.append(diff_definitions(old, new)), daemon=True)
    worker.start()
    worker.join(timeout=30)

    assert found, "the rename search did not finish"
    assert changes_of(found[0]) == [
        ("step", "renamed", "Halt", ""),
        ("step", "added", "Quit", ""),
    ]


def test_a_step_another_one_depends_on_is_renamed_without_changing_it() -> None:
    old = base()
    step(old, "Stop")["DependsOn"] = ["Train"]

    diff = diff_definitions(old, renamed(old, "Train", "Fit"))

    assert changes_of(diff) == [("step", "renamed", "Fit", "")]


def test_a_renamed_step_whose_output_location_names_it_is_a_rename() -> None:
    # The language's default output location is …/<step>/<output>: renaming the step
    # changes it too. That is reported, under the new name, and the rename is found.
    def output_path(name: str) -> dict[str, Any]:
        execution = [{"Get": "Execution.PipelineName"}, {"Get": "Execution.PipelineExecutionId"}]
        return {"Std:Join": {"On": "/", "Values": ["s3://bucket", *execution, name, "model"]}}

    old = base()
    step(old, "Train")["Arguments"]["OutputDataConfig"]["S3OutputPath"] = output_path("Train")
    new = renamed(old, "Train", "Fit")
    assert step(new, "Fit")["Arguments"]["OutputDataConfig"]["S3OutputPath"] == output_path("Fit")

    diff = diff_definitions(old, new)

    assert changes_of(diff) == [
        ("step", "renamed", "Fit", ""),
        ("step", "changed", "Fit", "Arguments.OutputDataConfig.S3OutputPath"),
    ]
    assert diff.changes[0].similarity is None  # its name is all that changed


def test_a_value_holding_the_old_name_in_a_longer_text_is_no_change_of_a_rename() -> None:
    old = base()
    step(old, "Train")["Arguments"]["OutputDataConfig"]["S3OutputPath"] = "s3://b/Train/model"
    new = renamed(old, "Train", "Fit")
    assert step(new, "Fit")["Arguments"]["OutputDataConfig"]["S3OutputPath"] == (
        "s3://b/Train/model"
    )

    [change] = diff_definitions(old, new).changes

    assert (change.kind, change.similarity) == ("renamed", None)


def test_a_small_step_whose_values_name_it_is_still_a_rename() -> None:
    # Half of a Fail step's values are its message: named for the step, it changes with it.
    old = {"Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "Stop"}}]}
    new = {"Steps": [{"Name": "Halt", "Type": "Fail", "Arguments": {"ErrorMessage": "Halt"}}]}

    assert changes_of(diff_definitions(old, new)) == [
        ("step", "renamed", "Halt", ""),
        ("step", "changed", "Halt", "Arguments.ErrorMessage"),
    ]


def test_a_renamed_step_with_other_changes_is_a_rename_with_those_changes() -> None:
    new = renamed(base(), "Train", "Fit")
    step(new, "Fit")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200

    diff = diff_definitions(base(), new)

    assert changes_of(diff) == [
        ("step", "renamed", "Fit", ""),
        ("step", "changed", "Fit", "Arguments.StoppingCondition.MaxRuntimeInSeconds"),
    ]  # Evaluate, which reads Train's model, follows the rename
    similarity = diff.changes[0].similarity
    assert similarity is not None
    assert RENAME_SIMILARITY <= similarity < 1
    assert render_text(diff).splitlines()[1:4] == [
        "Steps renamed:",
        f"  Train → Fit ({similarity:.0%} similar)",
        "Steps changed:",
    ]
    assert diff.to_dict()["changes"][0]["similarity"] == similarity


def test_a_renamed_cached_step_says_the_old_names_cache_is_lost() -> None:
    # SageMaker looks up a cached run by the step's name: after a rename, the next execution
    # reruns the step, which a reviewer of a "pure rename" would not expect.
    old = base()
    step(old, "Train")["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P30D"}

    diff = diff_definitions(old, renamed(old, "Train", "Fit"))

    assert diff.changes == (
        Change("step", "renamed", "Fit", old_name="Train", step_type="Training", cached=True),
    )
    assert render_text(diff).splitlines()[2] == (
        "  Train → Fit; cached: no cache hit on Train's runs"
    )
    assert "`Train` → `Fit`; cached: no cache hit on `Train`'s runs" in render_markdown(diff)
    assert diff.to_dict()["changes"][0]["cached"] is True
    # Not cached on either side: nothing to say.
    assert not diff_definitions(base(), renamed(base(), "Train", "Fit")).changes[0].cached


def test_a_rename_just_60_percent_similar_is_a_rename() -> None:
    # Type, a and b kept; c and d changed: 2 x 3 values in common of 10.
    arguments = {"a": 1, "b": 2, "c": 3, "d": 4}
    old = {"Steps": [{"Name": "A", "Type": "Processing", "Arguments": arguments}]}
    changed = {**arguments, "c": 0, "d": 0}
    new = {"Steps": [{"Name": "B", "Type": "Processing", "Arguments": changed}]}

    diff = diff_definitions(old, new)

    assert RENAME_SIMILARITY == 0.6
    assert (diff.changes[0].kind, diff.changes[0].similarity) == ("renamed", 0.6)
    assert "  A → B (60% similar)" in render_text(diff).splitlines()


def test_a_rename_with_changes_is_found_at_the_limit_of_pairs_to_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diff_module, "MAX_RENAME_PAIRS", 1)  # Train → Fit is the one pair
    new = renamed(base(), "Train", "Fit")
    step(new, "Fit")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200

    assert changes_of(diff_definitions(base(), new))[0] == ("step", "renamed", "Fit", "")


def test_inputs_inserted_at_the_head_of_a_renamed_step_keep_it_a_rename() -> None:
    # Named list items are scored by name, as the diff matches them: two inputs put in
    # front of the others are two values more, not every input changed.
    new = renamed(base(), "Prep", "Preprocess")
    inputs = step(new, "Preprocess")["Arguments"]["ProcessingInputs"]
    inputs.insert(0, processing_input("labels", "s3://data/labels/", "/opt/ml/processing/labels"))
    inputs.insert(0, processing_input("extra", "s3://data/extra/", "/opt/ml/processing/extra"))

    diff = diff_definitions(base(), new)

    assert changes_of(diff) == [
        ("step", "renamed", "Preprocess", ""),
        ("step", "added", "Preprocess", "Arguments.ProcessingInputs[extra]"),
        ("step", "added", "Preprocess", "Arguments.ProcessingInputs[labels]"),
    ]


def test_an_otherwise_equal_rename_has_no_similarity() -> None:
    diff = diff_definitions(base(), renamed(base(), "Train", "Fit"))

    assert diff.changes[0].similarity is None
    assert "similarity" not in diff.changes[0].to_dict()


def test_a_removed_step_and_an_unlike_added_one_are_not_a_rename() -> None:
    new = base()
    new["Steps"][0] = {**step(new, "Evaluate"), "Name": "Score"}  # Prep gone, Score added
    gate = step(new, "Check")["Arguments"]
    gate["ElseSteps"] = [{"Name": "Halt", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]

    kinds = {(kind, name) for _, kind, name, path in changes_of(diff_definitions(base(), new))}

    assert {("added", "Score"), ("removed", "Prep"), ("added", "Halt"), ("removed", "Stop")} <= (
        kinds
    )
    assert not any(kind == "renamed" for kind, _ in kinds)


def test_the_most_similar_added_step_is_the_rename() -> None:
    new = renamed(base(), "Train", "Fit")
    step(new, "Fit")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200
    other = copy.deepcopy(step(new, "Fit"))
    other["Name"] = "FitAgain"
    other["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.c5.xlarge"
    other["Arguments"]["HyperParameters"] = {"n-estimators": "500"}
    new["Steps"].insert(0, other)  # listed first, and similar enough on its own

    diff = diff_definitions(base(), new)

    assert ("step", "renamed", "Fit", "") in changes_of(diff)
    assert ("step", "added", "FitAgain", "") in changes_of(diff)


def test_steps_of_different_types_are_never_a_rename() -> None:
    new = base()
    register = step(new, "Register")
    register.update(Name="Package", Type="Model")  # same arguments, another step type

    kinds = [(kind, name) for _, kind, name, path in changes_of(diff_definitions(base(), new))]

    assert kinds == [("added", "Package"), ("removed", "Register")]


def test_too_many_candidate_pairs_leave_renames_with_changes_unfound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diff_module, "MAX_RENAME_PAIRS", 0)
    new = renamed(base(), "Train", "Fit")
    step(new, "Fit")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200

    changes = changes_of(diff_definitions(base(), new))

    assert ("step", "added", "Fit", "") in changes
    assert ("step", "removed", "Train", "") in changes
    # Renames of otherwise equal steps are still found.
    assert changes_of(diff_definitions(base(), renamed(base(), "Train", "Fit"))) == [
        ("step", "renamed", "Fit", "")
    ]


def test_a_step_named_for_its_type_is_a_plain_rename_either_way() -> None:
    named_for_type = renamed(base(), "Register", "RegisterModel")  # Type is RegisterModel

    for old, new in ((base(), named_for_type), (named_for_type, base())):
        [change] = diff_definitions(old, new).changes

        assert (change.kind, change.similarity) == ("renamed", None)


def test_a_step_equal_once_a_renamed_step_it_reads_is_paired_is_a_plain_rename() -> None:
    new = renamed(renamed(base(), "Train", "Fit"), "Evaluate", "Assess")
    step(new, "Fit")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200

    diff = diff_definitions(base(), new)

    similarities = {c.name: c.similarity for c in diff.changes if c.kind == "renamed"}
    assert similarities["Fit"] is not None
    assert similarities["Assess"] is None  # its only difference is the reference to Fit
    assert [c.name for c in diff.changes if c.kind == "changed"] == ["Fit"]


def test_a_value_equal_to_the_new_name_in_the_old_entry_still_makes_a_plain_rename() -> None:
    old = base()
    step(old, "Train")["Arguments"]["HyperParameters"]["tag"] = "Fit"

    [change] = diff_definitions(old, renamed(old, "Train", "Fit")).changes

    assert (change.kind, change.similarity) == ("renamed", None)


def test_a_rename_with_changes_never_shows_as_100_percent_similar() -> None:
    old = base()
    step(old, "Train")["Arguments"]["HyperParameters"] = {f"h{i}": "1" for i in range(400)}
    new = renamed(old, "Train", "Fit")
    step(new, "Fit")["Arguments"]["HyperParameters"]["h0"] = "2"

    diff = diff_definitions(old, new)

    assert diff.changes[0].similarity == 0.99
    assert "(99% similar)" in render_text(diff)


def test_a_rename_whose_values_are_all_kept_in_another_shape_is_99_percent_similar() -> None:
    # {"a.b": 1} and {"a": {"b": 1}} have the same values at the same dotted paths.
    old = {"Steps": [{"Name": "A", "Type": "Lambda", "Arguments": {"a.b": 1}}]}
    new = {"Steps": [{"Name": "B", "Type": "Lambda", "Arguments": {"a": {"b": 1}}}]}

    diff = diff_definitions(old, new)

    assert (diff.changes[0].kind, diff.changes[0].similarity) == ("renamed", 0.99)
    assert len(diff.changes) == 3  # the rename, a.b removed, a added


def test_a_renamed_step_whose_named_inputs_are_reordered_is_a_plain_rename() -> None:
    # Named items are matched by name, so their order is no change to report, nor a
    # similarity below 100% that no listed change explains.
    new = renamed(base(), "Prep", "Preprocess")
    step(new, "Preprocess")["Arguments"]["ProcessingInputs"].reverse()

    diff = diff_definitions(base(), new)

    assert diff.changes == (
        Change("step", "renamed", "Preprocess", old_name="Prep", step_type="Processing"),
    )


def test_nan_on_both_sides_is_no_change_and_no_obstacle_to_a_rename() -> None:
    old = base()
    step(old, "Train")["Arguments"]["HyperParameters"]["eta"] = float("nan")

    assert not diff_definitions(old, copy.deepcopy(old))
    [change] = diff_definitions(old, renamed(old, "Train", "Fit")).changes
    assert (change.kind, change.similarity) == ("renamed", None)


class Opaque:
    """A value that isn't JSON, as a definition built in Python may hold."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque)

    __hash__ = object.__hash__


def test_a_step_holding_a_value_that_is_not_json_can_be_a_plain_rename() -> None:
    old, new = base(), renamed(base(), "Train", "Fit")
    step(old, "Train")["Arguments"]["HyperParameters"]["odd"] = Opaque()
    step(new, "Fit")["Arguments"]["HyperParameters"]["odd"] = Opaque()

    [change] = diff_definitions(old, new).changes

    assert (change.kind, change.similarity) == ("renamed", None)


def test_fails_a_definition_nested_too_deeply_to_compare() -> None:
    nested: Any = 1
    for _ in range(MAX_DEPTH):
        nested = {"a": nested}
    deep = base()
    step(deep, "Prep")["Arguments"]["Environment"] = nested

    with pytest.raises(ValueError, match="the old definition is nested more than 300 levels"):
        diff_definitions(deep, base())


def test_a_definition_nested_as_deeply_as_allowed_is_compared() -> None:
    def nested(levels: int) -> Any:  # a definition of ``levels`` levels of objects
        value: Any = 1
        for _ in range(levels - 1):
            value = {"a": value}
        return {"Steps": [], "Metadata": value}

    deepest = nested(MAX_DEPTH)
    assert changes_of(diff_definitions(deepest, {"Steps": []})) == [
        ("definition", "removed", None, "Metadata")
    ]
    with pytest.raises(ValueError, match="the new definition is nested more than 300 levels"):
        diff_definitions({"Steps": []}, nested(MAX_DEPTH + 1))


def test_top_level_fields_are_compared() -> None:
    new = base()
    new["Version"] = "2021-01-01"
    new["Metadata"] = {"Owner": "ml-platform"}
    new["PipelineExperimentConfig"]["TrialName"] = "fixed"

    diff = diff_definitions(base(), new)

    assert render_text(diff) == (
        "3 top-level changes\n"
        "Definition:\n"
        '  Version: "2020-12-01" → "2021-01-01"\n'
        '  Metadata.Owner added: "ml-platform"\n'
        '  PipelineExperimentConfig.TrialName: Execution.PipelineExecutionId → "fixed"\n'
    )


def test_order_is_the_new_definitions_then_what_was_removed() -> None:
    new = base()
    new["Steps"] = [new["Steps"][1], new["Steps"][0]]  # Train, Prep; Evaluate, Check gone
    for entry in new["Steps"]:
        entry["Arguments"]["RoleArn"] = "arn:aws:iam::111122223333:role/Other"

    names = [(c.kind, c.name) for c in diff_definitions(base(), new).changes]

    assert names == [
        ("changed", "Train"),
        ("changed", "Prep"),
        ("removed", "Evaluate"),
        ("removed", "Check"),
        ("removed", "Register"),
        ("removed", "Stop"),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"Get": "Parameters.InputUri"}, "Parameters.InputUri"),
        (MODEL_DATA, "Steps.Train.ModelArtifacts.S3ModelArtifacts"),
        (
            {"Std:Join": {"On": "/", "Values": ["s3://b", {"Get": "Execution.PipelineName"}]}},
            'Join(on="/", values=["s3://b", Execution.PipelineName])',
        ),
        (
            ACCURACY,
            'JsonGet(property_file=Steps.Evaluate.PropertyFiles.Report, path="metrics.accuracy")',
        ),
        (
            {
                "Std:JsonGet": {
                    "S3Uri": {"Std:Join": {"On": "", "Values": ["s3://x/"]}},
                    "Path": "a",
                }
            },
            'JsonGet(s3_uri=Join(on="", values=["s3://x/"]), path="a")',
        ),
        ({"Std:Upper": "x"}, 'Upper("x")'),
        ({"Get": 3}, '{"Get": 3}'),
        (
            {"S3Uri": MODEL_DATA, "Mode": None},
            '{"S3Uri": Steps.Train.ModelArtifacts.S3ModelArtifacts, "Mode": null}',
        ),
        (["a", 1, 1.5, True], '["a", 1, 1.5, true]'),
        (ABSENT, "(absent)"),
    ],
)
def test_values_are_written_readably(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_long_values_that_differ_late_still_differ() -> None:
    prefix = "s3://my-bucket/" + "very-long-prefix/" * 8
    new = base()
    step(new, "Prep")["Arguments"]["ProcessingInputs"][1]["S3Input"]["S3Uri"] = prefix + "v2.py"
    old = base()
    step(old, "Prep")["Arguments"]["ProcessingInputs"][1]["S3Input"]["S3Uri"] = prefix + "v1.py"

    line = render_text(diff_definitions(old, new)).splitlines()[-1]

    before, after = line.split(": ", 1)[1].split(" → ")
    assert before != after
    assert before.startswith("…")
    assert before.endswith('v1.py"')
    assert after.startswith("…")
    assert after.endswith('v2.py"')
    assert len(before) <= 60


def test_a_long_value_added_or_removed_is_cut_to_the_value_width() -> None:
    new = base()
    step(new, "Train")["Arguments"]["Environment"] = {"NOTE": "n" * 100}
    step(new, "Train")["Arguments"]["HyperParameters"]["fits"] = "f" * 58  # 60 with quotes

    lines = render_text(diff_definitions(base(), new)).splitlines()

    assert f'    Arguments.HyperParameters.fits added: "{"f" * 58}"' in lines
    assert f'      NOTE: "{"n" * 58}…' in lines  # 60 characters, the last an ellipsis


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a" * 100 + "1" + "b" * 100, "a" * 100 + "2" + "b" * 100),
        ("x" * 200, "x" * 201),
        ("1" + "z" * 150, "2" + "z" * 150),
        ("short", "q" * 300),
    ],
    ids=["middle", "longer", "first", "one-long"],
)
def test_shortened_pairs_are_short_and_different(old: str, new: str) -> None:
    before, after = shorten_pair(old, new, 40)

    assert before != after
    assert len(before) <= 40
    assert len(after) <= 40


def test_values_that_differ_early_are_cut_at_the_end_only_and_short_ones_not_at_all() -> None:
    assert shorten_pair("1" + "z" * 150, "2" + "z" * 150, 40) == (
        "1" + "z" * 38 + "…",
        "2" + "z" * 38 + "…",
    )
    assert shorten_pair("a" * 60, "a" * 50 + "b" * 9) == ("a" * 60, "a" * 50 + "b" * 9)


def test_values_that_differ_in_the_middle_keep_some_text_before_the_difference() -> None:
    old, new = (
        "s3://bucket/" + "a" * 40 + "1" + "b" * 40,
        "s3://bucket/" + "a" * 40 + "2" + "b" * 40,
    )

    assert shorten_pair(old, new, 30) == (
        "…" + "a" * 10 + "1" + "b" * 17 + "…",
        "…" + "a" * 10 + "2" + "b" * 17 + "…",
    )


def test_an_added_object_as_long_as_the_value_width_stays_on_one_line() -> None:
    new = base()
    environment = {"NOTE": "n" * 48}  # {"NOTE": "nn…n"}: 60 characters
    step(new, "Train")["Arguments"]["Environment"] = environment
    assert len(format_value(environment)) == 60

    lines = render_text(diff_definitions(base(), new)).splitlines()

    assert lines[-1] == f'    Arguments.Environment added: {{"NOTE": "{"n" * 48}"}}'


def test_numbers_booleans_and_strings_are_different_values() -> None:
    new = base()
    resources = step(new, "Train")["Arguments"]["ResourceConfig"]
    resources.update(InstanceCount=True, VolumeSizeInGB="30")

    diff = diff_definitions(base(), new)

    assert render_text(diff).splitlines()[-2:] == [
        "    Arguments.ResourceConfig.InstanceCount: 1 → true",
        '    Arguments.ResourceConfig.VolumeSizeInGB: 30 → "30"',
    ]


def test_an_integer_written_as_a_float_is_no_change() -> None:
    # 10 and 10.0 are one number to the service (and to convert's definition_difference).
    new = base()
    step(new, "Train")["Arguments"]["ResourceConfig"]["VolumeSizeInGB"] = 30.0

    assert not diff_definitions(base(), new)
    step(new, "Train")["Arguments"]["ResourceConfig"]["VolumeSizeInGB"] = 30.5
    assert changes_of(diff_definitions(base(), new)) == [
        ("step", "changed", "Train", "Arguments.ResourceConfig.VolumeSizeInGB")
    ]


def test_a_float_in_a_join_is_a_change() -> None:
    # Std:Join prints its values: 30 and 30.0 (or 3e1, read as 30.0) give "size-30" and
    # "size-30.0" (as the local runner's to_text has the service print them): another job
    # argument or S3 key.
    old, new = base(), json.loads(json.dumps(base()))
    for definition, size in ((old, 30), (new, json.loads("3e1"))):
        join = {"Std:Join": {"On": "-", "Values": ["size", size]}}
        step(definition, "Stop")["Arguments"]["ErrorMessage"] = join

    assert changes_of(diff_definitions(old, new)) == [
        ("step", "changed", "Stop", "Arguments.ErrorMessage")
    ]


def conditions_step(conditions: list[Any]) -> dict[str, Any]:
    return {
        "Steps": [
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {"Conditions": conditions, "IfSteps": [], "ElseSteps": []},
            }
        ]
    }


EQUALS_A = {"Type": "Equals", "LeftValue": {"Get": "Parameters.A"}, "RightValue": 1}
EQUALS_B = {"Type": "Equals", "LeftValue": {"Get": "Parameters.B"}, "RightValue": 2}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ([EQUALS_A, EQUALS_B], [EQUALS_B, EQUALS_A]),
        (
            [{"Type": "Or", "Conditions": [EQUALS_A, EQUALS_B]}],
            [{"Type": "Or", "Conditions": [EQUALS_B, EQUALS_A]}],
        ),
        (
            [{"Type": "In", "QueryValue": {"Get": "Parameters.A"}, "Values": [1, 2, 3]}],
            [{"Type": "In", "QueryValue": {"Get": "Parameters.A"}, "Values": [3, 1, 2]}],
        ),
    ],
    ids=["and", "or", "in"],
)
def test_reordered_conditions_are_no_change(old: list[Any], new: list[Any]) -> None:
    # A Condition step's conditions all must hold, an Or's one must, In tests membership:
    # in any order.
    assert not diff_definitions(conditions_step(old), conditions_step(new))


def test_a_reordered_condition_list_with_a_changed_item_is_a_change() -> None:
    changed = {**EQUALS_A, "RightValue": 5}

    diff = diff_definitions(
        conditions_step([EQUALS_A, EQUALS_B]), conditions_step([EQUALS_B, changed])
    )

    assert diff
    assert all(change.path.startswith("Arguments.Conditions[") for change in diff.changes)


def test_ordered_lists_stay_ordered() -> None:
    new = base()
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"].reverse()

    assert changes_of(diff_definitions(base(), new)) == [
        ("step", "changed", "Prep", "Arguments.AppSpecification.ContainerArguments")
    ]


def test_a_tuple_is_the_list_it_deploys_as() -> None:
    # A definition built in Python may hold a tuple where the other holds a list: both are
    # the same JSON, so nothing changes on deploy.
    old, new = base(), base()
    arguments = step(old, "Prep")["Arguments"]["AppSpecification"]
    arguments["ContainerArguments"] = ["--test-fraction", "0.2"]
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = (
        "--test-fraction",
        "0.2",
    )
    new["Steps"] = tuple(new["Steps"])

    assert diff_definitions(old, new).changes == ()


def test_a_tuple_that_differs_is_shown_as_the_list_it_deploys_as() -> None:
    old, new = base(), base()
    step(old, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = ["--seed", "1"]
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = ("--seed", "2")

    assert render_text(diff_definitions(old, new)).splitlines()[-1] == (
        '    Arguments.AppSpecification.ContainerArguments: ["--seed", "1"] → ["--seed", "2"]'
    )


def test_the_summary_counts_steps_not_their_changes() -> None:
    new = base()
    resources = step(new, "Train")["Arguments"]["ResourceConfig"]
    resources.update(InstanceCount=2, InstanceType="ml.m5.2xlarge")

    assert render_text(diff_definitions(base(), new)).splitlines()[0] == "1 step changed"


def test_markdown_output_for_a_pull_request_comment() -> None:
    new = base()
    step(new, "Train")["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.m5.2xlarge"
    new["Parameters"][1]["DefaultValue"] = 0.8
    step(new, "Check")["Arguments"]["IfSteps"].clear()

    markdown = render_markdown(diff_definitions(base(), new), ("main", "`branch`"))

    assert markdown == (
        "**Pipeline definition diff** `main` → `` `branch` ``: 1 parameter changed, "
        "1 step removed, 1 step changed\n"
        "\n"
        "**Parameters**\n"
        "- `AccuracyThreshold` `DefaultValue`: `0.9` → `0.8` "
        "(used by `Check`: `Conditions[0].RightValue`)\n"
        "\n"
        "**Steps removed**\n"
        "- `Register` (RegisterModel, in the if-branch of Check, depends on Train)\n"
        "\n"
        "**Steps changed**\n"
        "- `Train` (Training)\n"
        '  - `Arguments.ResourceConfig.InstanceType`: `"ml.m5.xlarge"` → `"ml.m5.2xlarge"`\n'
    )


def test_markdown_code_holding_backticks_is_fenced_with_more() -> None:
    old = {"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"ErrorMessage": "use ``x``"}}]}
    new = {"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"ErrorMessage": "use `y`"}}]}

    markdown = render_markdown(diff_definitions(old, new))

    assert markdown.splitlines()[-1] == (
        '  - `Arguments.ErrorMessage`: ```"use ``x``"``` → ``"use `y`"``'
    )


def test_json_output_has_full_values_and_is_json() -> None:
    new = base()
    step(new, "Prep")["Arguments"]["ProcessingInputs"].pop()
    new["Steps"].append({"Name": "Explain", "Type": "Processing", "DependsOn": ["Train"]})

    data = render_json(diff_definitions(base(), new), ("a", "b"))

    assert json.loads(json.dumps(data)) == data
    assert data == {
        "old": "a",
        "new": "b",
        "equal": False,
        "changes": [
            {
                "subject": "step",
                "kind": "removed",
                "name": "Prep",
                "path": "Arguments.ProcessingInputs[code]",
                "old": processing_input("code", "s3://code/prep.py", "/opt/ml/processing/code"),
                "step_type": "Processing",
            },
            {
                "subject": "step",
                "kind": "added",
                "name": "Explain",
                "step_type": "Processing",
                "placement": "top level",
                "dependencies": ["Train"],
            },
        ],
    }


@pytest.mark.parametrize(
    "odd",
    [
        {"Steps": [{"Name": "C", "Type": "Condition", "Arguments": [1]}]},
        {"Steps": [{"Name": "A", "DependsOn": 3}]},
        {"Steps": [{"Name": "A", "DependsOn": [{"x": 1}], "Arguments": {"L": [[1], {"a": 2}]}}]},
        {"Steps": [{"Name": "A"}, {"Name": "A", "Type": "X"}]},
        {"Steps": [{"Type": "X"}, 5]},
        {"Steps": "none", "Parameters": {"a": 1}},
        {"Steps": [], "Parameters": [{"Name": "A"}, {"Name": "A"}, 3]},
        {"Steps": [{"Name": "A", "Arguments": {"L": [{"Name": "x"}, {"Name": 1}], "": 2}}]},
        {"Steps": [{"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": [{"Name": 1}]}}]},
    ],
)
def test_odd_but_readable_definitions_are_compared_without_a_traceback(odd: Any) -> None:
    for old, new in ((base(), odd), (odd, base()), (odd, copy.deepcopy(odd))):
        diff = diff_definitions(old, new)
        render_text(diff)
        render_markdown(diff)
        json.dumps(render_json(diff))
    assert not diff_definitions(odd, copy.deepcopy(odd))


def test_steps_without_unique_names_are_compared_as_json() -> None:
    old = {"Steps": [{"Name": "A", "Type": "Fail"}, {"Name": "A", "Type": "Fail"}]}
    new = {"Steps": [{"Name": "A", "Type": "Fail"}, {"Name": "A", "Type": "Lambda"}]}

    diff = diff_definitions(old, new)

    assert changes_of(diff) == [("definition", "changed", None, "Steps[1].Type")]
    # One side named uniquely is not enough to compare step by step.
    unique = {"Steps": [{"Name": "A", "Type": "Fail"}, {"Name": "B", "Type": "Fail"}]}
    for before, after in ((unique, old), (old, unique)):
        assert changes_of(diff_definitions(before, after)) == [
            ("definition", "changed", None, "Steps[1].Name")
        ]


def test_parameters_that_are_not_a_list_are_compared_as_json() -> None:
    # An empty object is no empty list of parameters: the change is reported.
    old: dict[str, Any] = {"Parameters": [], "Steps": []}
    new: dict[str, Any] = {"Parameters": {}, "Steps": []}

    diff = diff_definitions(old, new)

    assert changes_of(diff) == [("definition", "changed", None, "Parameters")]


def test_a_definition_that_is_not_a_mapping_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"the new definition must be a mapping .* got list"):
        diff_definitions(base(), [])  # type: ignore[arg-type]


@pytest.mark.parametrize("path", SDK_GENERATED, ids=lambda path: path.stem)
def test_sdk_generated_definitions_compare_with_themselves_and_a_mutated_copy(
    path: Path,
) -> None:
    old = json.loads(path.read_text())
    assert not diff_definitions(old, json.loads(path.read_text()))

    new = copy.deepcopy(old)
    first = new["Steps"][0]
    first.setdefault("Description", "")
    first["Description"] += " (changed)"
    new["Parameters"] = new.get("Parameters", [])[1:]
    diff = diff_definitions(old, new)

    expected = [("parameter", "removed", p["Name"], "") for p in old.get("Parameters", [])[:1]]
    expected.append(
        (
            "step",
            "added" if not old["Steps"][0].get("Description") else "changed",
            first["Name"],
            "Description",
        )
    )
    assert changes_of(diff) == expected
    render_text(diff)
    render_markdown(diff)


@pytest.mark.parametrize(
    "name",
    [
        "lambda-callback-emr-tuning-model-transform-conditions",
        "process-train-evaluate-condition-register-fail",
        "training-int-parameter-hyperparameter-no-experiment",
    ],
)
def test_reference_sdk_examples_compare_with_themselves_and_a_renamed_copy(name: str) -> None:
    old = load_sdk_example(name)
    first = old["Steps"][0]["Name"]

    assert not diff_definitions(old, load_sdk_example(name))
    diff = diff_definitions(old, renamed(old, first, f"{first}Renamed"))
    assert changes_of(diff)[0] == ("step", "renamed", f"{first}Renamed", "")


# --- a property: random field mutations are reported at their paths -----------------------


def mutable_leaves(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of scalars in objects (not lists of values, expressions or names) to mutate."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Get" or next(iter(value)).startswith("Std:")):
            return []
        for key, item in value.items():
            if key in (*NAME_KEYS, "Type", "IfSteps", "ElseSteps", "DependsOn"):
                continue
            if isinstance(item, dict | list):
                found += mutable_leaves(item, (*where, key))
            else:
                found.append((*where, key))
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            found += mutable_leaves(item, (*where, index))
    return found


def all_steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [step(definition, name) for name in steps_named(definition["Steps"])]


def steps_named(entries: list[Any]) -> list[str]:
    names: list[str] = []
    for entry in entries:
        names.append(entry["Name"])
        if entry["Type"] == "Condition":
            names += steps_named(entry["Arguments"]["IfSteps"] + entry["Arguments"]["ElseSteps"])
    return names


def last_key(path: str) -> str:
    """``Z`` of ``X.Y[name].Z`` (or of ``X["Z"]``)."""
    if path.endswith('"]'):
        return json.loads(path[path.rindex('["') + 1 : -1])  # type: ignore[no-any-return]
    return path.rsplit(".", 1)[-1]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_field_mutations_are_reported_where_they_were_made(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(SDK_GENERATED), label="definition")
    old = json.loads(path.read_text())
    new = copy.deepcopy(old)
    candidates = [
        (entry["Name"], leaf) for entry in all_steps(new) for leaf in mutable_leaves(entry)
    ]
    chosen = data.draw(
        st.lists(st.sampled_from(candidates), min_size=1, max_size=4, unique=True),
        label="leaves",
    )
    expected = set()
    for number, (name, leaf) in enumerate(chosen):
        holder = step(new, name)
        for key in leaf[:-1]:
            holder = holder[key]
        original = holder[leaf[-1]]
        holder[leaf[-1]] = f"mutated-{number}"
        expected.add((name, leaf[-1], json.dumps(original), f"mutated-{number}"))

    diff = diff_definitions(old, new)

    found = {(c.name, last_key(c.path), json.dumps(c.old), c.new) for c in diff.changes}
    assert found == expected
    assert all(c.kind == "changed" for c in diff.changes)
    assert not diff_definitions(new, copy.deepcopy(new))
    render_text(diff)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # A string is unpacked letter by letter: "main" was shown as `m` → `a`.
        (
            lambda diff: render_markdown(diff, labels="main"),  # type: ignore[arg-type]
            "render_markdown: labels must be two strings",
        ),
        (lambda diff: render_json(diff, labels=("main",)), "render_json: labels must be two"),  # type: ignore[arg-type]
        (lambda diff: render_text(diff.changes), "render_text: diff must be what diff_definitions"),
        (lambda diff: summary(None), "summary: diff must be what diff_definitions returns"),  # type: ignore[arg-type]
        (
            lambda diff: diff_definitions(base(), base(), new_assets=["asset.1a2b"]),  # type: ignore[arg-type]
            "diff_definitions: new_assets must map asset hashes to staged files",
        ),
    ],
    ids=["labels-string", "labels-one", "changes-for-diff", "none", "assets-list"],
)
def test_a_wrong_argument_is_named_by_the_function(call: Any, message: str) -> None:
    diff = diff_definitions(base(), base())

    with pytest.raises(TypeError, match=f"^{message}"):
        call(diff)


def test_an_asset_with_a_display_name_is_shown_by_it_and_a_short_hash() -> None:
    old, new = with_code(base(), OLD_HASH), with_code(base(), NEW_HASH)
    staged = {OLD_HASH: f"/tmp/base.out/asset.{OLD_HASH}.py"}, {NEW_HASH: "cdk.out/x.py"}
    names = {OLD_HASH: "Training/CodePrepPy"}

    same = diff_definitions(
        old,
        new,
        old_assets=staged[0],
        new_assets=staged[1],
        old_asset_names=names,
        new_asset_names={NEW_HASH: "Training/CodePrepPy"},
    )
    renamed = diff_definitions(
        old, new, old_assets=staged[0], new_assets=staged[1], old_asset_names=names
    )

    assert render_text(same).splitlines()[3] == (
        "    asset changed: Training/CodePrepPy aaaaaaaa → bbbbbbbb"
    )
    assert "  - asset changed: `Training/CodePrepPy` `aaaaaaaa` → `bbbbbbbb`\n" in (
        render_markdown(same)
    )
    # A side without a display name: its staged file's name.
    assert render_text(renamed).splitlines()[3] == (
        "    asset changed: Training/CodePrepPy aaaaaaaa → x.py bbbbbbbb"
    )
    data = render_json(same)["changes"][0]
    assert data["asset_names"] == ["Training/CodePrepPy", "Training/CodePrepPy"]
    assert (data["old"], data["new"]) == (staged[0][OLD_HASH], staged[1][NEW_HASH])


def test_fails_asset_names_that_are_not_a_mapping_of_strings() -> None:
    with pytest.raises(
        TypeError,
        match="diff_definitions: old_asset_names must map asset "
        r"hashes to display names, both strings \(ReviewSource.asset_names\)",
    ):
        diff_definitions(base(), base(), old_asset_names=["x"])  # type: ignore[arg-type]


def test_an_added_job_step_shows_what_it_costs_and_may_do() -> None:
    new = base()
    train = copy.deepcopy(step(new, "Train"))
    train["Name"] = "TrainMore"
    arguments = train["Arguments"]
    arguments["ResourceConfig"] = {
        "InstanceType": {"Get": "Parameters.TrainingInstanceType"},
        "InstanceCount": 2,
        "VolumeSizeInGB": 50,
    }
    arguments["StoppingCondition"] = {"MaxRuntimeInSeconds": 5400, "MaxWaitTimeInSeconds": 7200}
    arguments["EnableManagedSpotTraining"] = True
    arguments["AlgorithmSpecification"]["TrainingImage"] = (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1-cpu-py3-extra-long"
    )
    arguments["RoleArn"] = "arn:aws:iam::111122223333:role/StepRole"
    new["Steps"].append(train)

    diff = diff_definitions(base(), new)

    assert diff.changes[-1].job == {
        "instance_type": {"Get": "Parameters.TrainingInstanceType"},
        "instance_count": 2,
        "volume_size_gb": 50,
        "max_runtime_seconds": 5400,
        "managed_spot": True,
        "max_wait_seconds": 7200,
        "image": arguments["AlgorithmSpecification"]["TrainingImage"],
        "role": "arn:aws:iam::111122223333:role/StepRole",
    }
    lines = render_text(diff).splitlines()
    added = lines.index("  TrainMore (Training, depends on Prep)")
    assert lines[added + 1 : added + 4] == [
        "    Parameters.TrainingInstanceType × 2, 50 GB volume, at most 1 h 30 min, "
        "managed spot, waits at most 2 h",
        # Cut at the start: the repository and tag stay.
        "    image …-1.amazonaws.com/sagemaker-xgboost:1.7-1-cpu-py3-extra-long",
        "    role arn:aws:iam::111122223333:role/StepRole",
    ]
    assert (
        "- `TrainMore` (Training, depends on Prep)\n"
        "  - `Parameters.TrainingInstanceType` × `2`, `50` GB volume, at most `1 h 30 min`, "
        "managed spot, waits at most `2 h`\n"
    ) in render_markdown(diff)
    assert render_json(diff)["changes"][-1]["job"]["instance_count"] == 2
    # A removed step, and a step that runs no job, have none.
    assert [c.job for c in diff_definitions(new, base()).changes] == [None]


def test_an_added_registration_shows_its_group_and_approval_and_a_model_its_image() -> None:
    # What a registration puts before the approvers (an approved one deploys at once), and
    # which image a model serves.
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/serve:1"
    register = {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": "churn",
            "ModelApprovalStatus": {"Get": "Parameters.ModelApprovalStatus"},
            "InferenceSpecification": {"Containers": [{"Image": image}]},
        },
    }
    model = {
        "Name": "Make",
        "Type": "Model",
        "Arguments": {
            "PrimaryContainer": {"Image": image},
            "ExecutionRoleArn": "arn:aws:iam::111122223333:role/ModelRole",
        },
    }
    new = {"Version": "2020-12-01", "Steps": [register, model]}

    diff = diff_definitions({"Version": "2020-12-01", "Steps": []}, new)

    assert [change.job for change in diff.changes] == [
        {
            "group": "churn",
            "approval": {"Get": "Parameters.ModelApprovalStatus"},
            "image": [image],
        },
        {"image": image, "role": "arn:aws:iam::111122223333:role/ModelRole"},
    ]
    text = render_text(diff)
    assert "    registers in group churn, as Parameters.ModelApprovalStatus\n" in text
    assert f"    image {image}\n" in text
    assert "    role arn:aws:iam::111122223333:role/ModelRole\n" in text
    assert "  - registers in group `churn`, as `Parameters.ModelApprovalStatus`\n" in (
        render_markdown(diff)
    )


def test_an_added_processing_job_without_a_run_time_limit_says_so() -> None:
    # A reviewer's cost question: SageMaker's reference gives processing jobs no default.
    def processing(name: str, **arguments: Any) -> dict[str, Any]:
        cluster = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}
        arguments["ProcessingResources"] = {"ClusterConfig": cluster}
        return {"Name": name, "Type": "Processing", "Arguments": arguments}

    transform = {
        "Name": "Score",
        "Type": "Transform",
        "Arguments": {"TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}},
    }
    new = {
        "Version": "2020-12-01",
        "Steps": [
            processing("Open"),
            processing("Bounded", StoppingCondition={"MaxRuntimeInSeconds": 600}),
            transform,
        ],
    }

    text = render_text(diff_definitions({"Version": "2020-12-01", "Steps": []}, new))

    assert "    ml.m5.large × 1, 30 GB volume, no run-time limit of its own\n" in text
    assert "    ml.m5.large × 1, 30 GB volume, at most 10 min\n" in text
    assert "    ml.m5.large × 1\n" in text  # a transform job takes no limit: nothing said
    assert text.count("no run-time limit") == 1


def test_an_added_tuning_or_automl_step_shows_its_limits() -> None:
    tuning = {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "ResourceLimits": {
                    "MaxNumberOfTrainingJobs": 20,
                    "MaxParallelTrainingJobs": 4,
                    "MaxRuntimeInSeconds": 86400,
                }
            },
            "TrainingJobDefinitions": [
                {
                    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
                    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                },
                {
                    "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 2},
                    "StoppingCondition": {"MaxRuntimeInSeconds": 5400},
                    "EnableManagedSpotTraining": True,
                },
            ],
        },
    }
    automl = {
        "Name": "AutoPilot",
        "Type": "AutoML",
        "Arguments": {
            "AutoMLJobConfig": {
                "CompletionCriteria": {
                    "MaxCandidates": 10,
                    "MaxRuntimePerTrainingJobInSeconds": 600,
                    "MaxAutoMLJobRuntimeInSeconds": 7200,
                }
            },
            "RoleArn": "arn:aws:iam::111122223333:role/AutoML",
        },
    }
    new = {"Version": "2020-12-01", "Steps": [tuning, automl, {"Name": "X", "Type": "Fail"}]}

    diff = diff_definitions({"Version": "2020-12-01", "Steps": []}, new)

    assert [change.job for change in diff.changes] == [
        {
            "max_jobs": 20,
            "max_parallel_jobs": 4,
            "max_tuning_seconds": 86400,
            "instance_type": ["ml.m5.xlarge", "ml.c5.xlarge"],
            "instance_count": [1, 2],
            "max_runtime_seconds": [3600, 5400],
            "managed_spot": [True],
        },
        {
            "max_candidates": 10,
            "max_runtime_seconds": 600,
            "max_job_seconds": 7200,
            "role": "arn:aws:iam::111122223333:role/AutoML",
        },
        None,
    ]
    assert render_text(diff).splitlines()[2:8] == [
        "  Tune (Tuning)",
        # One instance type and count per training job definition, paired.
        "    ml.m5.xlarge × 1, ml.c5.xlarge × 2, at most 20 jobs, 4 in parallel, "
        "at most 1 h, 1 h 30 min, tuning at most 24 h, managed spot",
        "  AutoPilot (AutoML)",
        "    at most 10 candidates, at most 10 min, job at most 2 h",
        "    role arn:aws:iam::111122223333:role/AutoML",
        "  X (Fail)",
    ]


def test_a_changed_parameter_names_the_steps_using_it() -> None:
    new = base()
    new["Parameters"][1]["DefaultValue"] = 0.8

    diff = diff_definitions(base(), new)

    assert diff.changes[0].used_by == (("Check", "Arguments.Conditions[0].RightValue"),)
    assert render_json(diff)["changes"][0]["used_by"] == [
        {"step": "Check", "path": "Arguments.Conditions[0].RightValue"}
    ]
    assert render_text(diff).splitlines()[2] == (
        "  AccuracyThreshold DefaultValue: 0.9 → 0.8 (used by Check: Conditions[0].RightValue)"
    )


def test_a_diff_shows_as_its_markdown_in_a_notebook() -> None:
    # Jupyter calls _repr_markdown_ for a cell's value: the diff as a PR comment shows it.
    new = base()
    new["Parameters"][0]["DefaultValue"] = 0.95
    diff = diff_definitions(base(), new)
    assert diff._repr_markdown_() == render_markdown(diff)
    assert diff._repr_markdown_().startswith("**Pipeline definition diff**: 1 parameter changed\n")


def test_an_added_tuning_step_of_several_definitions_shows_each_volume_and_managed_spot() -> None:
    # Each training job definition's volume, and managed spot when the definitions use it
    # (all of them, or how many of them).
    def definition(kind: str, volume: int, spot: bool) -> dict[str, Any]:
        return {
            "ResourceConfig": {"InstanceType": kind, "InstanceCount": 1, "VolumeSizeInGB": volume},
            "EnableManagedSpotTraining": spot,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
        }

    def tuning(name: str, *spots: bool) -> dict[str, Any]:
        kinds = ("ml.m5.xlarge", "ml.c5.xlarge")
        return {
            "Name": name,
            "Type": "Tuning",
            "Arguments": {
                "HyperParameterTuningJobConfig": {
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2}
                },
                "TrainingJobDefinitions": [
                    definition(kind, volume, spot)
                    for kind, volume, spot in zip(kinds, (30, 50), spots, strict=True)
                ],
            },
        }

    new = {
        "Version": "2020-12-01",
        "Steps": [
            tuning("Spot", True, True),
            tuning("Some", True, False),
            tuning("No", False, False),
        ],
    }

    lines = render_text(diff_definitions({"Version": "2020-12-01", "Steps": []}, new)).splitlines()

    limits = "ml.m5.xlarge × 1, ml.c5.xlarge × 1, 30, 50 GB volume, at most 4 jobs, 2 in parallel"
    assert lines[2:8] == [
        "  Spot (Tuning)",
        f"    {limits}, at most 1 h, 1 h, managed spot",
        "  Some (Tuning)",
        f"    {limits}, at most 1 h, 1 h, managed spot (1 of 2)",
        "  No (Tuning)",
        f"    {limits}, at most 1 h, 1 h",
    ]


SDK_DEPLOY = REPO / "tests" / "definition" / "sdk_deploy" / "sdk-deploy.json"
EMPTY: dict[str, Any] = {"Version": "2020-12-01", "Steps": []}


def deployment_steps() -> dict[str, dict[str, Any]]:
    """The steps the SageMaker SDK writes for its deployment steps, by name."""
    sdk = json.loads(SDK_DEPLOY.read_text())["definition"]
    return {entry["Name"]: entry for entry in sdk["Steps"]}


def added(*names: str) -> DefinitionDiff:
    steps = deployment_steps()
    return diff_definitions(EMPTY, {"Version": "2020-12-01", "Steps": [steps[n] for n in names]})


def test_an_added_endpoint_configuration_shows_what_each_variant_runs() -> None:
    # Instances × count (and volume), serverless memory and concurrency, the model, the
    # traffic split of several variants, what is captured and where async results go.
    diff = added(
        "ConfigEveryOption",
        "ConfigParameters",
        "ConfigServerless",
        "ConfigAsync",
        "ConfigForComponents",
        "ConfigTwoVariants",
    )

    model = {"Get": "Steps.CreateModel-CreateModel.ModelName"}
    assert [change.job for change in diff.changes] == [
        {
            "variants": [
                {
                    "name": "AllTraffic",
                    "instance_type": "ml.c5.xlarge",
                    "instance_count": 2,
                    "volume_size_gb": 30,
                    "weight": 1,
                    "model": model,
                }
            ],
            "data_capture_percent": 20,
            "data_capture_enabled": True,
            "data_capture_modes": ["Input", "Output"],
            "data_capture_destination": "s3://my-bucket/data-capture",
        },
        {
            "variants": [
                {
                    "name": "AllTraffic",
                    "instance_type": {"Get": "Parameters.EndpointInstanceType"},
                    "instance_count": {"Get": "Parameters.EndpointInstanceCount"},
                    "weight": 1,
                    "model": model,
                }
            ]
        },
        {
            "variants": [
                {
                    "name": "AllTraffic",
                    "serverless": {"memory_size_mb": 2048, "max_concurrency": 5},
                    "weight": 1,
                    "model": model,
                }
            ]
        },
        {
            "variants": [
                {
                    "name": "AllTraffic",
                    "instance_type": "ml.m5.large",
                    "instance_count": 1,
                    "weight": 1,
                    "model": model,
                }
            ],
            "async_output": "s3://my-bucket/async-out",
        },
        {
            "variants": [
                {"name": "AllTraffic", "instance_type": "ml.g5.2xlarge", "instance_count": 1}
            ],
            "role": "arn:aws:iam::111122223333:role/SageMakerRole",
        },
        {
            "variants": [
                {
                    "name": "Blue",
                    "instance_type": "ml.m5.large",
                    "instance_count": 1,
                    "weight": 3,
                    "model": model,
                },
                {
                    "name": "Green",
                    "instance_type": "ml.m5.xlarge",
                    "instance_count": 1,
                    "weight": 1,
                    "model": model,
                },
            ]
        },
    ]
    reads = "model Steps.CreateModel-CreateModel.ModelName"
    assert render_text(diff).splitlines()[2:] == [
        "  ConfigEveryOption (EndpointConfig)",
        f"    variant AllTraffic: ml.c5.xlarge × 2, 30 GB volume, {reads}",
        "    captures 20% of requests and responses to s3://my-bucket/data-capture",
        "  ConfigParameters (EndpointConfig)",
        "    variant AllTraffic: Parameters.EndpointInstanceType × "
        f"Parameters.EndpointInstanceCount, {reads}",
        "  ConfigServerless (EndpointConfig)",
        f"    variant AllTraffic: serverless, 2048 MB, at most 5 concurrent invocations, {reads}",
        "  ConfigAsync (EndpointConfig)",
        f"    variant AllTraffic: ml.m5.large × 1, {reads}",
        "    asynchronous inference, results to s3://my-bucket/async-out",
        "  ConfigForComponents (EndpointConfig)",
        "    variant AllTraffic: ml.g5.2xlarge × 1, for inference components",
        "    role arn:aws:iam::111122223333:role/SageMakerRole",
        "  ConfigTwoVariants (EndpointConfig)",
        # Several variants split the traffic by weight.
        f"    variant Blue: ml.m5.large × 1, weight 3, {reads}",
        f"    variant Green: ml.m5.xlarge × 1, weight 1, {reads}",
    ]
    assert (
        "- `ConfigEveryOption` (EndpointConfig)\n"
        "  - variant `AllTraffic`: `ml.c5.xlarge` × `2`, `30` GB volume, model "
        "`Steps.CreateModel-CreateModel.ModelName`\n"
        "  - captures `20`% of requests and responses to `s3://my-bucket/data-capture`\n"
    ) in render_markdown(diff)
    assert render_json(diff)["changes"][2]["job"]["variants"][0]["serverless"] == {
        "memory_size_mb": 2048,
        "max_concurrency": 5,
    }


def test_an_added_endpoint_configuration_shows_its_shadow_variants_unweighted() -> None:
    # A shadow variant gets a copy of the traffic: it runs (and bills) beside the variants.
    config = copy.deepcopy(deployment_steps()["ConfigEveryOption"])
    config["Arguments"]["ShadowProductionVariants"] = [
        {
            "VariantName": "Shadow",
            "ModelName": "churn-candidate",
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 1,
        }
    ]

    diff = diff_definitions(EMPTY, {"Version": "2020-12-01", "Steps": [config]})

    [change] = diff.changes
    assert change.job is not None
    assert change.job["shadow_variants"] == [
        {
            "name": "Shadow",
            "instance_type": "ml.m5.large",
            "instance_count": 1,
            "weight": 1,
            "model": "churn-candidate",
        }
    ]
    assert "    shadow variant Shadow: ml.m5.large × 1, model churn-candidate\n" in render_text(
        diff
    )


def test_an_added_endpoint_says_which_configuration_it_runs_and_that_it_bills() -> None:
    steps = deployment_steps()
    guarded = copy.deepcopy(steps["EndpointMinimal"])
    guarded["Name"] = "DeploySafely"
    guarded["Arguments"]["DeploymentConfig"] = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": 600},
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "5xx"}, {"AlarmName": "p99"}]},
    }
    rolling = copy.deepcopy(steps["EndpointMinimal"])
    rolling["Name"] = "DeployRolling"
    rolling["Arguments"]["DeploymentConfig"] = {"RollingUpdatePolicy": {"MaximumBatchSize": {}}}
    new = {"Version": "2020-12-01", "Steps": [steps["EndpointEveryOption"], guarded, rolling]}

    diff = diff_definitions(EMPTY, new)

    assert diff.changes[0].job == {
        "endpoint": {"Get": "Parameters.EndpointName"},
        "endpoint_config": {"Get": "Steps.ConfigEveryOption.EndpointConfigName"},
    }
    assert diff.changes[1].job == {
        "endpoint": "churn",
        "endpoint_config": {"Get": "Steps.ConfigMinimal.EndpointConfigName"},
        "deployment": guarded["Arguments"]["DeploymentConfig"],
    }
    bills = "    bills until deleted: the endpoint outlives the pipeline's executions"
    assert render_text(diff).splitlines()[2:] == [
        "  EndpointEveryOption (Endpoint)",
        "    endpoint Parameters.EndpointName, configuration "
        "Steps.ConfigEveryOption.EndpointConfigName",
        bills,
        "  DeploySafely (Endpoint)",
        "    endpoint churn, configuration Steps.ConfigMinimal.EndpointConfigName",
        "    blue/green update, canary, rolls back on 2 alarms",
        bills,
        "  DeployRolling (Endpoint)",
        "    endpoint churn, configuration Steps.ConfigMinimal.EndpointConfigName",
        "    rolling update",
        bills,
    ]
    assert render_json(diff)["changes"][0]["job"]["endpoint"] == {"Get": "Parameters.EndpointName"}


def test_a_removed_endpoint_step_says_its_endpoint_stays() -> None:
    # Neither a pipeline's executions nor a change to it deletes the endpoint it deployed.
    steps = deployment_steps()
    old = {"Version": "2020-12-01", "Steps": [steps["EndpointMinimal"], steps["ConfigMinimal"]]}

    diff = diff_definitions(old, EMPTY)

    assert [change.job for change in diff.changes] == [None, None]
    assert render_text(diff).splitlines()[1:] == [
        "Steps removed:",
        "  EndpointMinimal (Endpoint, depends on ConfigMinimal)",
        "    the endpoint it deployed stays, and bills, until deleted",
        "  ConfigMinimal (EndpointConfig)",
    ]


def test_an_added_inference_component_shows_its_compute() -> None:
    steps = deployment_steps()
    from_image = {
        "Name": "FromImage",
        "Type": "InferenceComponent",
        "Arguments": {
            "InferenceComponentName": "c",
            "EndpointName": "shared",
            "Specification": {
                "Container": {"Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/llm:1"},
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 2,
                    "MaxMemoryRequiredInMb": 8192,
                },
            },
            "RuntimeConfig": {"CopyCount": {"Get": "Parameters.Copies"}},
        },
    }
    new = {
        "Version": "2020-12-01",
        "Steps": [steps["ComponentMinimal"], steps["ComponentEveryOption"], from_image],
    }

    diff = diff_definitions(EMPTY, new)

    endpoint = {"Get": "Steps.EndpointForComponents.EndpointName"}
    model = {"Get": "Steps.CreateModel-CreateModel.ModelName"}
    assert [change.job for change in diff.changes] == [
        {
            "copies": 1,
            "accelerators": 1,
            "min_memory_mb": 1024,
            "endpoint": endpoint,
            "variant": "AllTraffic",
            "model": model,
        },
        {
            "copies": 2,
            "cpu_cores": 2,
            "min_memory_mb": 2048,
            "max_memory_mb": 4096,
            "endpoint": endpoint,
            "variant": "AllTraffic",
            "model": model,
        },
        {
            "copies": {"Get": "Parameters.Copies"},
            "accelerators": 2,
            "max_memory_mb": 8192,
            "endpoint": "shared",
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/llm:1",
        },
    ]
    on = "    on endpoint Steps.EndpointForComponents.EndpointName, variant AllTraffic"
    assert render_text(diff).splitlines()[2:] == [
        "  ComponentMinimal (InferenceComponent)",
        "    1 copy, each 1 accelerator, 1024 MB memory",
        on,
        "    model Steps.CreateModel-CreateModel.ModelName",
        "  ComponentEveryOption (InferenceComponent)",
        "    2 copies, each 2 CPU cores, 2048 MB memory (up to 4096 MB)",
        on,
        "    model Steps.CreateModel-CreateModel.ModelName",
        "  FromImage (InferenceComponent)",
        "    Parameters.Copies copies, each 2 accelerators, up to 8192 MB memory",
        "    on endpoint shared",
        "    image 111122223333.dkr.ecr.us-east-1.amazonaws.com/llm:1",
    ]
    assert "  - `2` copies, each `2` CPU cores, `2048` MB memory (up to `4096` MB)\n" in (
        render_markdown(diff)
    )


def test_data_capture_turned_off_or_on_at_run_time_says_so() -> None:
    config = deployment_steps()["ConfigEveryOption"]
    off = copy.deepcopy(config)
    off["Name"] = "Off"
    off["Arguments"]["DataCaptureConfig"]["EnableCapture"] = False
    requests = copy.deepcopy(config)
    requests["Name"] = "Requests"
    capture = requests["Arguments"]["DataCaptureConfig"]
    capture["EnableCapture"] = {"Get": "Parameters.Capture"}
    capture["CaptureOptions"] = [{"CaptureMode": "Input"}]

    text = render_text(diff_definitions(EMPTY, {"Version": "2020-12-01", "Steps": [off, requests]}))

    assert "    data capture off\n" in text
    assert (
        "    captures 20% of requests to s3://my-bucket/data-capture, when Parameters.Capture\n"
    ) in text


# Keys of the members the summaries read, at any depth, holding any JSON.
DEPLOYMENT_KEYS = [
    "Get",
    "VariantName",
    "ModelName",
    "InstanceType",
    "InitialInstanceCount",
    "ServerlessConfig",
    "MemorySizeInMB",
    "InitialVariantWeight",
    "CaptureOptions",
    "CaptureMode",
    "EnableCapture",
    "InitialSamplingPercentage",
    "OutputConfig",
    "BlueGreenUpdatePolicy",
    "TrafficRoutingConfiguration",
    "Type",
    "AutoRollbackConfiguration",
    "Alarms",
    "CopyCount",
    "ComputeResourceRequirements",
    "MinMemoryRequiredInMb",
    "Container",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(DEPLOYMENT_KEYS), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["EndpointConfig", "Endpoint", "InferenceComponent"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "ProductionVariants",
                "ShadowProductionVariants",
                "DataCaptureConfig",
                "AsyncInferenceConfig",
                "DeploymentConfig",
                "EndpointName",
                "RuntimeConfig",
                "Specification",
            ]
        ),
        JSON_VALUES,
        max_size=4,
    ),
)
def test_added_deployment_steps_of_any_shape_render(kind: str, fields: dict[str, Any]) -> None:
    # A definition validation refuses still diffs: its summary lines never raise.
    new = {"Version": "2020-12-01", "Steps": [{"Name": "S", "Type": kind, "Arguments": fields}]}
    diff = diff_definitions(EMPTY, new)
    assert render_text(diff).startswith("1 step added\n")
    assert render_markdown(diff)
    json.dumps(render_json(diff))


LONG_ARGUMENTS = ["--input", "s3://bucket/data/train.csv", "--output", "s3://bucket/out"]


def test_a_long_changed_list_is_shown_item_by_item() -> None:
    old, new = base(), base()
    step(old, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = LONG_ARGUMENTS
    changed = [*LONG_ARGUMENTS[:3], "s3://bucket/out2", "--verbose"]
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = changed

    diff = diff_definitions(old, new)

    assert render_text(diff).splitlines()[-3:] == [
        "    Arguments.AppSpecification.ContainerArguments changed, 4 → 5 items, item by item:",
        '      [3]: "s3://bucket/out" → "s3://bucket/out2"',
        '      [4] added: "--verbose"',
    ]
    assert render_markdown(diff).splitlines()[-2:] == [
        '    - [3]: `"s3://bucket/out"` → `"s3://bucket/out2"`',
        '    - [4] added: `"--verbose"`',
    ]


def test_a_reversed_long_list_shows_each_position() -> None:
    old, new = base(), base()
    step(old, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = LONG_ARGUMENTS
    reversed_ = list(reversed(LONG_ARGUMENTS))
    step(new, "Prep")["Arguments"]["AppSpecification"]["ContainerArguments"] = reversed_

    lines = render_text(diff_definitions(old, new)).splitlines()

    assert lines[-5:] == [
        "    Arguments.AppSpecification.ContainerArguments changed, item by item:",
        '      [0]: "--input" → "s3://bucket/out"',
        '      [1]: "s3://bucket/data/train.csv" → "--output"',
        '      [2]: "--output" → "s3://bucket/data/train.csv"',
        '      [3]: "s3://bucket/out" → "--input"',
    ]


def test_a_long_changed_join_is_shown_value_by_value() -> None:
    arn = {"Get": "Execution.PipelineExecutionArn"}
    old, new = base(), base()
    for definition, values in (
        (old, ["good", arn, "--flag", "s3://bucket/prefix/long/path"]),
        (new, ["bad", arn, "s3://bucket/prefix/long/path"]),
    ):
        join = {"Std:Join": {"On": " ", "Values": values}}
        step(definition, "Stop")["Arguments"]["ErrorMessage"] = join

    lines = render_text(diff_definitions(old, new)).splitlines()

    assert lines[-3:] == [
        '    Arguments.ErrorMessage Join(on=" ") values changed, 4 → 3 items, item by item:',
        '      [0]: "good" → "bad"',
        '      [2] removed (was "--flag")',
    ]
