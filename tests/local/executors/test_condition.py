"""Condition and Fail steps, with property files that go wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    FailStep,
    Join,
    JsonGet,
    ParameterFloat,
    PropertyFile,
)
from tests.local.conftest import Workspace, compile_steps, processing

EVALUATE = """
import os, sys
os.makedirs("/opt/ml/processing/evaluation", exist_ok=True)
if os.environ["REPORT"] != "missing":
    with open("/opt/ml/processing/evaluation/evaluation.json", "w") as handle:
        handle.write(os.environ["REPORT"])
open("/opt/ml/processing/evaluation/other.txt", "w").write("x")
"""
GOOD = '{"metrics": {"accuracy": {"value": 0.93}}}'


def build(ws: Workspace, report: str) -> tuple[dict[str, Any], ParameterFloat]:
    threshold = ParameterFloat(name="Threshold", default_value=0.9)
    file = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    evaluate = processing(
        "Evaluate",
        ws.script("evaluate.py", EVALUATE),
        outputs=["evaluation"],
        environment={"REPORT": report},
        property_files=[file],
    )
    accuracy = JsonGet(step=evaluate, property_file=file, json_path="metrics.accuracy.value")
    register = processing(
        "Register", ws.script("register.py", "print('registered')\n"), depends_on=[evaluate]
    )
    check = ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
        if_steps=[register],
        else_steps=[
            FailStep(
                name="TooLow",
                error_message=Join(on=" ", values=["Accuracy", accuracy, "is below", threshold]),
            )
        ],
    )
    return compile_steps([check], [threshold]), threshold


def test_the_if_branch_runs_when_the_condition_holds(ws: Workspace) -> None:
    definition, _ = build(ws, GOOD)
    result = ws.runner().run(definition)
    assert result.status == "Succeeded"
    assert result.step("Check").outcome is True
    assert result.step("Check").metadata == {"Condition": {"Outcome": "True"}}
    assert result.step("Register").status == "Succeeded"
    assert result.step("TooLow").reason == "in the ElseSteps of 'Check', whose outcome was True"
    assert result.property_file("Evaluate", "Report")["metrics"]["accuracy"]["value"] == 0.93


def test_the_else_branch_fails_the_execution_with_the_message(ws: Workspace) -> None:
    definition, _ = build(ws, GOOD)
    result = ws.runner().run(definition, {"Threshold": "0.95"})
    assert result.status == "Failed"
    # SageMaker's execution reason is the same for a Fail step as for any failed step (the
    # SDK's integration test test_fail_steps.py): the message is the step's FailureReason.
    assert result.failure_reason == (
        "Step failure: One or multiple steps failed. Step 'TooLow': Accuracy 0.93 is below 0.95"
    )
    too_low = result.step("TooLow")
    assert (too_low.status, too_low.failure_reason) == ("Failed", "Accuracy 0.93 is below 0.95")
    assert too_low.metadata == {"Fail": {"ErrorMessage": "Accuracy 0.93 is below 0.95"}}
    assert result.step("Check").outcome is False
    assert result.step("Register").status == "NotExecuted"


def test_a_fail_step_without_a_message_has_no_failure_reason(ws: Workspace) -> None:
    # As on SageMaker: Metadata.Fail.ErrorMessage "" and no FailureReason field at all
    # (was: FailureReason "", and no reason for the execution).
    threshold = ParameterFloat(name="Threshold", default_value=0.9)
    check = ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=0.5, right=threshold)],
        else_steps=[FailStep(name="Stop")],
    )
    result = ws.runner().run(compile_steps([check], [threshold]))
    assert result.status == "Failed"
    stop = result.step("Stop")
    assert stop.status == "Failed"
    assert stop.entry is not None
    assert "FailureReason" not in stop.entry
    assert stop.failure_reason is None
    assert stop.metadata == {"Fail": {"ErrorMessage": ""}}
    assert result.failure_reason == (
        "Step failure: One or multiple steps failed. Step 'Stop': (no ErrorMessage)"
    )
    shown = result._repr_markdown_()  # smpipe show's summary
    assert "\nStop: (no ErrorMessage)\n" in shown
    assert re.search(r"\nStop +Fail +Failed .* \(no ErrorMessage\)\n", shown)


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        (
            "missing",
            "property file 'Report' of step 'Evaluate': the step did not write evaluation.json "
            "into output 'evaluation' (/opt/ml/processing/evaluation/evaluation.json)",
        ),
        (
            "{not json",
            "property file 'Report' of step 'Evaluate' (evaluation.json) is not valid JSON: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            '{"metrics": {"acc": 0.9}}',
            "property file 'Report' of step 'Evaluate': JsonPath 'metrics.accuracy.value' not "
            "found: $.metrics has no member 'accuracy' (members: acc)",
        ),
        (
            '{"metrics": {"accuracy": {"value": "high"}}}',
            # Named as the other messages name it (was the JsonGet's JSON, cut at 120
            # characters, which cut a long JsonPath).
            "GreaterThanOrEqualTo LeftValue 'high' is not a number (from property file "
            "'Report' of step 'Evaluate', JsonPath 'metrics.accuracy.value'); ordering "
            "comparisons need numbers",
        ),
    ],
)
def test_fails_the_condition_when_the_property_file_is_unusable(
    ws: Workspace, report: str, reason: str
) -> None:
    definition, _ = build(ws, report)
    result = ws.runner().run(definition)
    assert result.status == "Failed"
    check = result.step("Check")
    assert (check.status, check.failure_reason, check.outcome) == ("Failed", reason, None)
    for branch in ("Register", "TooLow"):
        assert result.step(branch).status == "NotExecuted"
        assert result.step(branch).reason == "condition 'Check' failed"
    assert result.step("Evaluate").status == "Succeeded"
    assert (result.output("Evaluate", "evaluation") / "other.txt").exists()
