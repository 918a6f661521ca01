"""The instance-type cap of a pipeline, judged on its definition (``_instance_caps``).

What ``Pipeline(allowed_instance_types=…)`` fails synth on and warns of, without jsii: see
tests/cdk/test_instance_type_cap.py for the construct, tests/local/test_instance_type_cap.py
for the Deny on local runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition._instance_caps import (
    OpenInstanceType,
    cap_condition,
    cap_option_problems,
    capped_definition_problems,
    instance_type_fields,
    known_instance_types,
    request_instance_types,
    within_cap,
)

CAP = ["ml.m5.*", "ml.c5.xlarge"]
PROCESSING_TYPE = "Arguments.ProcessingResources.ClusterConfig.InstanceType"


def _processing(name: str, instance_type: Any, kind: str = "Processing") -> dict[str, Any]:
    return {
        "Name": name,
        "Type": kind,
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": instance_type,
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            }
        },
    }


def _definition(*steps: dict[str, Any], parameters: list[Any] | None = None) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}


def test_patterns_match_as_iam_string_like_does() -> None:
    assert within_cap("ml.m5.2xlarge", CAP)
    assert within_cap("ml.c5.xlarge", CAP)
    assert not within_cap("ml.c5.2xlarge", CAP)
    assert not within_cap("ML.M5.LARGE", CAP)  # case-sensitive, as StringLike is
    assert within_cap("ml.g5.xlarge", ["ml.g?.*"])
    assert not within_cap("ml.g6e.xlarge", ["ml.g?.*"])


@pytest.mark.parametrize(
    ("cap", "expected"),
    [
        (["ml.m5.*", "ml.g5.2xlarge", "ml.p?.*"], []),
        (
            ["ml.g5x.*"],
            [("pattern 'ml.g5x.*' matches no instance type SageMaker takes", "ml.g5.*")],
        ),
        (
            ["ml.m5.lrge"],
            [("'ml.m5.lrge' is no instance type SageMaker takes", "ml.m5.large")],
        ),
        ([], [("an empty cap would deny every job", "['ml.m5.*']")]),
        (
            ["${Token[TOKEN.12]}"],
            [("known only at deploy time", "write the instance types out")],
        ),
    ],
)
def test_a_cap_must_name_instance_types_sagemaker_takes(
    cap: list[str], expected: list[tuple[str, str]]
) -> None:
    problems = cap_option_problems(cap)
    assert len(problems) == len(expected)
    for (message, hint), (wanted, suggested) in zip(problems, expected, strict=True):
        assert wanted in message
        assert hint is not None
        assert suggested in hint


def test_every_instance_type_a_request_names_is_found_however_deep() -> None:
    training = {
        "ResourceConfig": {
            "InstanceGroups": [
                {"InstanceGroupName": "data", "InstanceType": "ml.c5.xlarge"},
                {"InstanceGroupName": "gpu", "InstanceType": "ml.p3.2xlarge"},
            ]
        },
        # A Debugger rule runs a processing job of its own: an instance the request starts.
        "DebugRuleConfigurations": [
            {"RuleConfigurationName": "loss", "InstanceType": "ml.t3.medium"}
        ],
    }
    assert instance_type_fields("Training", training) == [
        ("ResourceConfig.InstanceGroups[0].InstanceType", "ml.c5.xlarge"),
        ("ResourceConfig.InstanceGroups[1].InstanceType", "ml.p3.2xlarge"),
        ("DebugRuleConfigurations[0].InstanceType", "ml.t3.medium"),
    ]
    assert request_instance_types("Training", training) == (
        "ml.c5.xlarge",
        "ml.p3.2xlarge",
        "ml.t3.medium",
    )
    # A member given as an expression may name any instance type at run time.
    expression = {"Get": "Parameters.Resources"}
    assert instance_type_fields("Training", {"ResourceConfig": expression}) == [
        ("ResourceConfig", expression)
    ]
    # Requests that take no sagemaker:InstanceTypes: a model, a registered version.
    assert instance_type_fields("Model", {"PrimaryContainer": {}}) == []
    assert instance_type_fields("RegisterModel", {}) == []


def test_a_cap_judges_literals_defaults_and_enum_values_of_every_capped_step() -> None:
    train_type = {"Name": "TrainType", "Type": "String", "DefaultValue": "ml.m5.xlarge"}
    score_type = {
        "Name": "ScoreType",
        "Type": "String",
        "DefaultValue": "ml.p3.2xlarge",
        "EnumValues": ["ml.m5.large", "ml.p3.2xlarge"],
    }
    condition = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [],
            # A branch step, and a check step (a processing job): judged.
            "IfSteps": [_processing("Big", "ml.g5.xlarge")],
            "ElseSteps": [_processing("Quality", "ml.r5.large", kind="QualityCheck")],
        },
    }
    register = {
        "Name": "Register",
        "Type": "RegisterModel",
        # Where a version may be deployed: metadata, no instance started. Not judged.
        "Arguments": {
            "InferenceSpecification": {"SupportedTransformInstanceTypes": ["ml.p3.2xlarge"]}
        },
    }
    definition = _definition(
        _processing("Prep", {"Get": "Parameters.TrainType"}),
        _processing("Score", {"Get": "Parameters.ScoreType"}),
        # The same parameter again: its values are reported once.
        _processing("Rescore", {"Get": "Parameters.ScoreType"}),
        # A step property, a deploy-time value: known only later.
        _processing("Follow", {"Get": "Steps.Prep.ProcessingResources.ClusterConfig.InstanceType"}),
        _processing("Deployed", "${Token[TOKEN.42]}"),
        condition,
        register,
        parameters=[train_type, score_type],
    )
    problems, open_types = capped_definition_problems(definition, CAP)
    assert [(problem.step, problem.field) for problem in problems] == [
        (None, "Parameters[1].DefaultValue"),
        (None, "Parameters[1].EnumValues"),
        ("Big", PROCESSING_TYPE),
        ("Quality", PROCESSING_TYPE),
    ]
    assert str(problems[1]) == (
        "pipeline field 'Parameters[1].EnumValues': parameter 'ScoreType' value "
        "'ml.p3.2xlarge' (the instance type of step 'Score' field "
        f"'{PROCESSING_TYPE}') is outside allowed_instance_types ('ml.m5.*', 'ml.c5.xlarge') "
        "(an execution may start it: drop it from the EnumValues, or widen the cap)"
    )
    assert open_types == [
        OpenInstanceType("Prep", PROCESSING_TYPE, "TrainType"),
        OpenInstanceType("Follow", PROCESSING_TYPE, None),
        OpenInstanceType("Deployed", PROCESSING_TYPE, None),
    ]


def test_serverless_variants_name_no_instance_type() -> None:
    config = {
        "Name": "Config",
        "Type": "EndpointConfig",
        "Arguments": {
            "ProductionVariants": [
                {"VariantName": "AllTraffic", "ServerlessConfig": {"MemorySizeInMB": 2048}}
            ],
            "ShadowProductionVariants": [{"VariantName": "Shadow", "InstanceType": "ml.g5.xlarge"}],
        },
    }
    problems, open_types = capped_definition_problems(_definition(config), CAP)
    assert [(problem.step, problem.field) for problem in problems] == [
        ("Config", "Arguments.ShadowProductionVariants[0].InstanceType")
    ]
    assert open_types == []


def test_the_deny_condition_lists_each_pattern_once() -> None:
    assert cap_condition(["ml.m5.*", "ml.m5.*", "ml.c5.xlarge"]) == {
        "ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.m5.*", "ml.c5.xlarge"]}
    }


def test_the_known_instance_types_are_botocores_enums_together() -> None:
    known = known_instance_types()
    # Training only (ml.p5), processing and the rest: the union of the four enums.
    assert {"ml.p5.48xlarge", "ml.m5.large", "ml.c5.xlarge"} <= known
    assert all(value.startswith("ml.") for value in known)
