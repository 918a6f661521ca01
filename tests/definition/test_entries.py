"""Reading compiled step entries: every step, branch steps included, and what each uses."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition.entries import count_entries, step_references, walk_steps

PREP_TRAIN = {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}


def steps() -> list[Any]:
    return [
        {"Name": "Prep", "Type": "Processing", "Arguments": {}},
        {
            "Name": "Check",
            "Type": "Condition",
            "Arguments": {
                "Conditions": [
                    {
                        "Type": "GreaterThanOrEqualTo",
                        "LeftValue": {
                            "Std:JsonGet": {
                                "PropertyFile": {"Get": "Steps.Prep.PropertyFiles.Report"},
                                "Path": "accuracy",
                            }
                        },
                        "RightValue": 0.9,
                    }
                ],
                "IfSteps": [
                    {
                        "Name": "Fit",
                        "Type": "Training",
                        "DependsOn": ["Audit"],
                        "Arguments": {"InputDataConfig": [{"S3Uri": PREP_TRAIN}]},
                    }
                ],
                "ElseSteps": [{"Name": "TooLow", "Type": "Fail"}, {"Type": "Fail"}],
            },
        },
        "not an entry",
    ]


def test_walks_every_named_step_with_its_condition_and_branch() -> None:
    found = [(s.name, s.step_type, s.condition, s.branch) for s in walk_steps(steps())]

    assert found == [
        ("Prep", "Processing", None, None),
        ("Check", "Condition", None, None),
        ("Fit", "Training", "Check", True),
        ("TooLow", "Fail", "Check", False),
    ]


def test_counts_every_entry_named_or_not() -> None:
    assert count_entries(steps()) == 6
    assert count_entries(None) == 0
    assert count_entries({"Name": "Prep"}) == 0


def test_a_step_uses_its_references_json_get_files_and_depends_on_but_not_its_branches() -> None:
    prep, check, *_ = steps()
    fit = check["Arguments"]["IfSteps"][0]

    assert step_references(prep) == set()
    assert step_references(check) == {"Prep"}
    assert step_references(fit) == {"Audit", "Prep"}
    assert step_references({"Name": "X", "DependsOn": "Prep"}) == set()
