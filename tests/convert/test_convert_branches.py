"""``smpipe convert`` of a condition's branch steps that name the condition step itself.

A ``ConditionStep`` is built from its branch steps, so the converter writes them first: a
branch step can only name its condition step by its name, never by its variable.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import ConversionError, convert_definition
from tests.convert.test_convert import SDK_GENERATED, assert_round_trips


def _lambda_callback_condition() -> dict[str, Any]:
    """Notify → Approve → IsApproved, whose branches are Prep (if) and Rejected (else)."""
    definition: dict[str, Any] = json.loads(
        (SDK_GENERATED / "sdk-lambda-callback-emr-fail.json").read_text()
    )
    assert definition["Steps"][2]["Name"] == "IsApproved"
    return definition


def test_a_branch_step_that_depends_on_its_condition_names_it() -> None:
    # Written as depends_on=[is_approved] it read a variable not yet assigned: a NameError
    # escaped instead of a module.
    definition = _lambda_callback_condition()
    [prep] = definition["Steps"][2]["Arguments"]["IfSteps"]
    prep["DependsOn"] = ["Approve", "IsApproved"]
    source = assert_round_trips(definition)
    assert 'depends_on=[approve, "IsApproved"]' in source


def test_a_branch_step_reading_its_conditions_properties_fails_naming_the_step() -> None:
    definition = _lambda_callback_condition()
    [rejected] = definition["Steps"][2]["Arguments"]["ElseSteps"]
    rejected["Arguments"]["ErrorMessage"] = {"Get": "Steps.IsApproved.Outcome"}
    with pytest.raises(ConversionError) as caught:
        convert_definition(definition)
    [problem] = caught.value.problems
    assert problem.step == "Rejected"
    assert "step 'IsApproved', which is built after it" in problem.message
