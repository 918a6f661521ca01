"""ConditionStep renders its conditions and nests its branch steps."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    ConditionEquals,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
    ConditionNot,
    ConditionOr,
    ConditionStep,
    FailStep,
    JsonGet,
    LambdaStep,
    OutputType,
    Parameter,
    ParameterFloat,
    ParameterString,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    StaticBinder,
    StepOutput,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE

FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:notify"


def test_minimal_step_renders_empty_branches(ctx: RenderContext) -> None:
    env = ParameterString(name="Env", default_value="dev")
    step = ConditionStep(name="IsProd", conditions=[ConditionEquals(left=env, right="prod")])

    assert step.to_request(ctx) == {
        "Name": "IsProd",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {"Type": "Equals", "LeftValue": {"Get": "Parameters.Env"}, "RightValue": "prod"}
            ],
            "IfSteps": [],
            "ElseSteps": [],
        },
    }


def every_option() -> tuple[ConditionStep, ProcessingStep, list[Parameter], list[object]]:
    env = ParameterString(name="Env", default_value="dev", enum_values=["dev", "prod"])
    threshold = ParameterFloat(name="Threshold", default_value=0.9)
    report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        image=IMAGE,
        role=ROLE,
        outputs=[
            ProcessingOutput(
                output_name="evaluation",
                source="/opt/ml/processing/evaluation",
                destination="s3://b/eval",
            )
        ],
        property_files=[report],
    )
    check = LambdaStep(
        name="Check",
        function_arn=FUNCTION,
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    notify = LambdaStep(name="Notify", function_arn=FUNCTION)
    stop = FailStep(name="Stop", error_message="accuracy too low")
    step = ConditionStep(
        name="Gate",
        display_name="Quality gate",
        description="Registers good models only",
        depends_on=[check, "Other"],
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=JsonGet(step=evaluate, property_file=report, json_path="metrics.acc.value"),
                right=threshold,
            ),
            ConditionIn(value=env, in_values=["dev", "prod"]),
            ConditionNot(expression=ConditionEquals(left=env, right="test")),
            ConditionOr(
                conditions=[
                    ConditionLessThan(left=check.properties.OutputParameters["rows"], right=100),
                    ConditionEquals(left=env, right="prod"),
                ]
            ),
        ],
        if_steps=[notify],
        else_steps=[stop],
    )
    return step, evaluate, [env, threshold], [check, notify, stop]


def test_every_option(ctx: RenderContext) -> None:
    step, evaluate, parameters, (check, notify, stop) = every_option()
    env = {"Get": "Parameters.Env"}

    assert step.to_request(ctx) == {
        "Name": "Gate",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": {
                        "Std:JsonGet": {
                            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                            "Path": "metrics.acc.value",
                        }
                    },
                    "RightValue": {"Get": "Parameters.Threshold"},
                },
                {"Type": "In", "QueryValue": env, "Values": ["dev", "prod"]},
                {
                    "Type": "Not",
                    "Condition": {"Type": "Equals", "LeftValue": env, "RightValue": "test"},
                },
                {
                    "Type": "Or",
                    "Conditions": [
                        {
                            "Type": "LessThan",
                            "LeftValue": {"Get": "Steps.Check.OutputParameters['rows']"},
                            "RightValue": 100,
                        },
                        {"Type": "Equals", "LeftValue": env, "RightValue": "prod"},
                    ],
                },
            ],
            "IfSteps": [
                {"Name": "Notify", "Type": "Lambda", "Arguments": {}, "FunctionArn": FUNCTION}
            ],
            "ElseSteps": [
                {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "accuracy too low"}}
            ],
        },
        "DependsOn": ["Check", "Other"],
        "DisplayName": "Quality gate",
        "Description": "Registers good models only",
    }
    # Referenced steps are collected; branch steps are recorded as branch members.
    assert ctx.referenced_steps == [evaluate, check]
    assert ctx.branch_order == [notify, stop]
    # JsonGet's right-hand threshold is met first; Env comes from the later conditions.
    assert ctx.referenced_parameters == [parameters[1], parameters[0]]


def test_branch_steps_are_nested_not_listed_at_top_level(binder: StaticBinder) -> None:
    import dataclasses

    step, _, parameters, _ = every_option()
    step = dataclasses.replace(step, depends_on=[])

    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Evaluate", "Check", "Gate"}
    [gate] = [entry["Arguments"] for entry in definition["Steps"] if entry["Name"] == "Gate"]
    assert [entry["Name"] for entry in gate["IfSteps"]] == ["Notify"]
    assert [entry["Name"] for entry in gate["ElseSteps"]] == ["Stop"]


def test_a_branch_step_listed_in_steps_too_still_runs_only_in_its_branch(
    binder: StaticBinder,
) -> None:
    # steps= collects what the pipeline holds, as references do; a branch says when a step
    # runs. (The SageMaker SDK refuses a branch step listed again: "duplicate names".)
    import dataclasses

    step, _, parameters, _ = every_option()
    step = dataclasses.replace(step, depends_on=[])
    branch_steps = [*step.if_steps, *step.else_steps]

    listed = PipelineDefinition(parameters=parameters, steps=[*branch_steps, step])

    nested = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)
    assert listed.to_definition(binder) == nested
    assert {entry["Name"] for entry in nested["Steps"]}.isdisjoint({"Notify", "Stop"})


def test_a_branch_step_renders_once_per_context(ctx: RenderContext) -> None:
    notify = LambdaStep(name="Notify", function_arn=FUNCTION)
    step = ConditionStep(
        name="Gate", conditions=[ConditionEquals(left=1, right=1)], if_steps=[notify]
    )

    nested = step.to_request(ctx)["Arguments"]["IfSteps"][0]

    assert ctx.render_step(notify) is nested


def test_fails_a_parameters_name_given_as_text_in_a_condition(binder: StaticBinder) -> None:
    # The name where the parameter object belongs compared two literals: an If branch that
    # could never run, accepted without a word.
    env = ParameterString(name="Env", default_value="dev")
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.8)
    notify = LambdaStep(
        name="Notify",
        function_arn=FUNCTION,
        outputs=[StepOutput(output_name="score", output_type=OutputType.FLOAT)],
    )
    gate = ConditionStep(
        name="Gate",
        conditions=[
            ConditionEquals(left="Env", right="prod"),
            ConditionNot(expression=ConditionIn(value="Parameters.Env", in_values=["dev"])),
            ConditionGreaterThanOrEqualTo(
                left=notify.properties.OutputParameters["score"], right="AccuracyThreshold"
            ),
        ],
        if_steps=[FailStep(name="Stop")],
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(parameters=[env, threshold], steps=[gate]).compile(binder)

    assert [(p.step, p.field, p.message, p.hint) for p in caught.value.problems] == [
        (
            "Gate",
            "Arguments.Conditions[0].LeftValue",
            "'Env' is text, not the parameter 'Env': the condition compares literals, so its "
            "outcome is fixed before the pipeline runs",
            'pass the ParameterString object rather than its name; in JSON, {"Get": '
            '"Parameters.Env"}',
        ),
        (
            "Gate",
            "Arguments.Conditions[1].Condition.QueryValue",
            "'Parameters.Env' is text, not the parameter 'Env': the condition compares "
            "literals, so its outcome is fixed before the pipeline runs",
            'pass the ParameterString object rather than its name; in JSON, {"Get": '
            '"Parameters.Env"}',
        ),
        (
            # Was "ordering comparisons need numbers, got a String", with no word of the cause.
            "Gate",
            "Arguments.Conditions[2].RightValue",
            "'AccuracyThreshold' is text, not the parameter 'AccuracyThreshold': an ordering "
            "comparison needs a number",
            'pass the ParameterFloat object rather than its name; in JSON, {"Get": '
            '"Parameters.AccuracyThreshold"}',
        ),
    ]


def _env_gate(env: ParameterString, *conditions: Any) -> PipelineDefinition:
    """A definition of parameter ``env`` and a Condition step 'Gate' of ``conditions``."""
    gate = ConditionStep(name="Gate", conditions=list(conditions), if_steps=[FailStep(name="Stop")])
    return PipelineDefinition(parameters=[env], steps=[gate])


def test_text_equal_to_a_parameters_name_is_compared_with_an_expression(
    binder: StaticBinder,
) -> None:
    # Equality of a run-time value with such text may be meant; literals that name no
    # parameter are not judged either.
    env = ParameterString(name="Env", default_value="dev")
    definition = _env_gate(
        env, ConditionEquals(left=env, right="Env"), ConditionEquals(left="a", right="b")
    )

    definition.compile(binder)


def test_fails_a_parameters_name_given_as_text_among_the_values_of_an_in_condition(
    binder: StaticBinder,
) -> None:
    # Only the QueryValue used to be judged: a literal In whose Values named the parameter
    # was accepted, with an outcome fixed before the pipeline runs.
    env = ParameterString(name="Env", default_value="dev")
    definition = _env_gate(env, ConditionIn(value="prod", in_values=["dev", "Env"]))

    with pytest.raises(PipelineValidationError) as caught:
        definition.compile(binder)

    assert [(p.step, p.field, p.message) for p in caught.value.problems] == [
        (
            "Gate",
            "Arguments.Conditions[0].Values[1]",
            "'Env' is text, not the parameter 'Env': the condition compares literals, so its "
            "outcome is fixed before the pipeline runs",
        )
    ]


def test_text_equal_to_a_parameters_name_among_in_values_with_a_run_time_query_is_not_judged(
    binder: StaticBinder,
) -> None:
    # Whether a run-time value is one of some texts may be meant, whatever they spell.
    env = ParameterString(name="Env", default_value="dev")
    definition = _env_gate(env, ConditionIn(value=env, in_values=["dev", "Env"]))

    definition.compile(binder)
