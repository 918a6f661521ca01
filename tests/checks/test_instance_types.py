"""``instance_types``: each instance type a step asks for, for a rule of one's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdk_sagemaker_pipelines.checks import (
    Finding,
    InstanceTypeUse,
    Rule,
    all_steps,
    instance_types,
    run_rules,
)
from tests.checks.helpers import condition, definition, step

PARAMETERS = [
    {"Name": "PrepType", "Type": "String", "DefaultValue": "ml.c5.xlarge"},
    {"Name": "NoDefault", "Type": "String"},
]


def _all(pipeline: Mapping[str, Any]) -> dict[str, list[InstanceTypeUse]]:
    return {
        str(found.get("Name")): list(instance_types(found, pipeline))
        for found in all_steps(pipeline)
    }


def test_every_job_kind_names_its_instance_types_a_parameter_by_its_default() -> None:
    pipeline = definition(
        step(
            "Prep",
            "Processing",
            ProcessingResources={"ClusterConfig": {"InstanceType": {"Get": "Parameters.PrepType"}}},
        ),
        step(
            "Train",
            "Training",
            ResourceConfig={
                "InstanceGroups": [
                    {"InstanceGroupName": "a", "InstanceType": "ml.p3.2xlarge"},
                    {"InstanceGroupName": "b", "InstanceType": {"Get": "Parameters.NoDefault"}},
                ]
            },
        ),
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[
                {"ResourceConfig": {"InstanceType": "ml.m5.xlarge"}},
                {"HyperParameterTuningResourceConfig": {"InstanceType": "ml.g5.xlarge"}},
            ],
        ),
        condition(
            "Check",
            [step("Score", "Transform", TransformResources={"InstanceType": "ml.m5.large"})],
            [],
        ),
        step(
            "Config",
            "EndpointConfig",
            ProductionVariants=[
                {"VariantName": "a", "InstanceType": "ml.m5.large"},
                {"VariantName": "b", "ServerlessConfig": {"MemorySizeInMB": 2048}},
            ],
            ShadowProductionVariants=[
                {"VariantName": "s", "InstanceType": {"Get": "Steps.Prep.Whatever"}}
            ],
        ),
        step("Fail", "Fail", ErrorMessage="no"),
        parameters=PARAMETERS,
    )
    assert _all(pipeline) == {
        "Prep": [
            InstanceTypeUse(
                "Arguments.ProcessingResources.ClusterConfig.InstanceType",
                "ml.c5.xlarge",
                "PrepType",
            )
        ],
        "Train": [
            InstanceTypeUse(
                "Arguments.ResourceConfig.InstanceGroups[0].InstanceType", "ml.p3.2xlarge"
            ),
            InstanceTypeUse(
                "Arguments.ResourceConfig.InstanceGroups[1].InstanceType", None, "NoDefault"
            ),
        ],
        "Tune": [
            InstanceTypeUse(
                "Arguments.TrainingJobDefinitions[0].ResourceConfig.InstanceType", "ml.m5.xlarge"
            ),
            InstanceTypeUse(
                "Arguments.TrainingJobDefinitions[1].HyperParameterTuningResourceConfig."
                "InstanceType",
                "ml.g5.xlarge",
            ),
        ],
        "Check": [],
        "Score": [InstanceTypeUse("Arguments.TransformResources.InstanceType", "ml.m5.large")],
        "Config": [
            InstanceTypeUse("Arguments.ProductionVariants[0].InstanceType", "ml.m5.large"),
            InstanceTypeUse("Arguments.ShadowProductionVariants[0].InstanceType", None),
        ],
        "Fail": [],
    }


def test_an_allow_list_rule_built_on_it_names_step_and_field() -> None:
    allowed = {"ml.m5.large", "ml.m5.xlarge"}

    def allow_list(pipeline: Mapping[str, Any]) -> list[Finding]:
        return [
            Finding(str(found.get("Name")), use.field, f"{use.instance_type} is not allowed")
            for found in all_steps(pipeline)
            for use in instance_types(found, pipeline)
            if use.instance_type is not None and use.instance_type not in allowed
        ]

    pipeline = definition(
        step("Train", "Training", ResourceConfig={"InstanceType": "ml.p4d.24xlarge"}),
        step("Score", "Transform", TransformResources={"InstanceType": "ml.m5.large"}),
    )
    rule = Rule("ACME-InstanceTypes", "Error", "Only allowed types.", "Use ml.m5.", allow_list)
    (result,) = run_rules([rule], pipeline)
    assert result.finding_id == "ACME-InstanceTypes[Train]"
    assert result.finding == Finding(
        "Train", "Arguments.ResourceConfig.InstanceType", "ml.p4d.24xlarge is not allowed"
    )
