"""FailStep renders an ErrorMessage and has no properties."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.definition import (
    FailStep,
    Join,
    ParameterFloat,
    PropertyPathError,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.definition.steps.conftest import IMAGE


def test_minimal_step_renders_an_empty_message(ctx: RenderContext) -> None:
    assert FailStep(name="Stop").to_request(ctx) == {
        "Name": "Stop",
        "Type": "Fail",
        "Arguments": {"ErrorMessage": ""},
    }


def test_every_option(ctx: RenderContext) -> None:
    threshold = ParameterFloat(name="Threshold", default_value=0.9)
    train = TrainingStep(name="Train", image=IMAGE)
    step = FailStep(
        name="AccuracyTooLow",
        display_name="Accuracy too low",
        description="Stops the run below the threshold",
        depends_on=[train, "Evaluate"],
        error_message=Join(
            on=" ",
            values=["accuracy", train.properties.FinalMetricDataList["acc"].Value, "<", threshold],
        ),
    )

    assert step.to_request(ctx) == {
        "Name": "AccuracyTooLow",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": {
                "Std:Join": {
                    "On": " ",
                    "Values": [
                        "accuracy",
                        {"Get": "Steps.Train.FinalMetricDataList['acc'].Value"},
                        "<",
                        {"Get": "Parameters.Threshold"},
                    ],
                }
            }
        },
        "DependsOn": ["Train", "Evaluate"],
        "DisplayName": "Accuracy too low",
        "Description": "Stops the run below the threshold",
    }
    assert ctx.referenced_steps == [train]
    assert ctx.referenced_parameters == [threshold]


def test_fails_fail_step_has_no_properties() -> None:
    step = FailStep(name="Stop")

    with pytest.raises(
        PropertyPathError, match=r"^Fail step 'Stop' has no properties to reference$"
    ):
        step.properties  # noqa: B018
    # An AttributeError, so generic code can probe any step.
    assert not hasattr(step, "properties")
