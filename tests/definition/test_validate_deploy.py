"""The validator checks deployment steps in definition JSON, as ``smpipe validate`` does.

They were passed unchecked before: now their ``Arguments`` are checked against botocore's
CreateEndpointConfig, CreateEndpoint and CreateInferenceComponent requests (expressions
accepted), their properties against the Describe* responses, and what the shapes don't say
(a model, configuration or endpoint named by the wrong property, a configuration named
without its suffix, a component that may run before its endpoint) names step and field.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import validate_definition

SDK = json.loads((Path(__file__).parent / "sdk_deploy" / "sdk-deploy.json").read_text())[
    "definition"
]


def mutated() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    definition = copy.deepcopy(SDK)
    return definition, {entry["Name"]: entry for entry in definition["Steps"]}


def problems(definition: Any) -> dict[tuple[str | None, str | None], str]:
    return {(p.step, p.field): p.message for p in validate_definition(definition)}


def test_the_sdks_deployment_steps_are_valid() -> None:
    assert validate_definition(SDK) == []


def test_requests_are_checked_against_botocores_shapes() -> None:
    definition, steps = mutated()
    variant = steps["ConfigMinimal"]["Arguments"]["ProductionVariants"][0]
    variant["ModelNme"] = variant.pop("ModelName")
    variant["InstanceType"] = "ml.m5.lrge"
    steps["ComponentMinimal"]["Arguments"]["RuntimeConfig"]["CopyCont"] = 1
    del steps["EndpointMinimal"]["Arguments"]["EndpointConfigName"]
    found = problems(definition)
    where = "Arguments.ProductionVariants[0]"
    assert found[("ConfigMinimal", f"{where}.ModelNme")] == "unknown member 'ModelNme'"
    assert found[("ConfigMinimal", f"{where}.InstanceType")].startswith("expected one of the ")
    assert found[("ComponentMinimal", "Arguments.RuntimeConfig.CopyCont")] == (
        "unknown member 'CopyCont'"
    )
    assert found[("EndpointMinimal", "Arguments.EndpointConfigName")] == (
        "missing required member 'EndpointConfigName'"
    )


def test_retry_and_caching_only_where_the_sdk_writes_them() -> None:
    definition, steps = mutated()
    steps["EndpointMinimal"]["RetryPolicies"] = []
    steps["ComponentMinimal"]["CacheConfig"] = {"Enabled": True}
    found = problems(definition)
    assert found[("EndpointMinimal", "RetryPolicies")] == "not a field of an Endpoint step"
    assert found[("ComponentMinimal", "CacheConfig")] == (
        "not a field of an InferenceComponent step"
    )


def test_properties_follow_the_describe_responses() -> None:
    definition, steps = mutated()
    steps["EndpointMinimal"]["Arguments"]["EndpointConfigName"] = {
        "Get": "Steps.ConfigMinimal.EndpointConfigNme"
    }
    found = problems(definition)
    message = found[("EndpointMinimal", "Arguments.EndpointConfigName")]
    assert "no property 'EndpointConfigNme'" in message


def test_what_the_shapes_do_not_say_names_step_and_field() -> None:
    definition, steps = mutated()
    steps["EndpointMinimal"]["Arguments"]["EndpointConfigName"] = "churn-config"
    steps["ConfigTwoVariants"]["Arguments"]["ProductionVariants"][1]["VariantName"] = "Blue"
    steps["ConfigTwoVariants"]["Arguments"]["ProductionVariants"][1]["InstanceType"] = (
        "ml.g5.xlarge"
    )
    del steps["ConfigForComponents"]["Arguments"]["ExecutionRoleArn"]
    steps["EndpointForComponents"]["Arguments"]["EndpointConfigName"] = {
        "Get": "Steps.ConfigForComponents.EndpointConfigArn"
    }
    specification = steps["ComponentEveryOption"]["Arguments"]["Specification"]
    specification["ModelName"] = {"Get": "Steps.EndpointMinimal.EndpointName"}
    steps["ComponentEveryOption"]["Arguments"]["EndpointName"] = {
        "Get": "Steps.ConfigForComponents.EndpointConfigName"
    }
    steps["ComponentMinimal"]["Arguments"]["EndpointName"] = "churn-components"
    found = problems(definition)
    assert found[("EndpointMinimal", "Arguments.EndpointConfigName")].startswith(
        "'churn-config' is the name EndpointConfig step 'ConfigMinimal' gives, but the "
        "configuration that step creates carries an execution-unique suffix"
    )
    assert found[("ConfigTwoVariants", "Arguments.ProductionVariants[1].VariantName")] == (
        "variant name 'Blue' is already used by Arguments.ProductionVariants[0]"
    )
    assert found[("ConfigTwoVariants", "Arguments.KmsKeyId")].startswith(
        "ml.g5.xlarge (Arguments.ProductionVariants[1].InstanceType) keeps its ML storage on "
        "the instance's NVMe store"
    )
    assert found[("ConfigForComponents", "Arguments.ExecutionRoleArn")].startswith(
        "no variant names a model (an endpoint for inference components)"
    )
    assert found[("EndpointForComponents", "Arguments.EndpointConfigName")] == (
        "'Steps.ConfigForComponents.EndpointConfigArn' is not an endpoint configuration's "
        "name: an endpoint deploys a configuration that an EndpointConfig step created"
    )
    assert found[("ComponentEveryOption", "Arguments.Specification.ModelName")] == (
        "'Steps.EndpointMinimal.EndpointName' is not a model name: an inference component "
        "runs a model that a Model step created"
    )
    assert found[("ComponentEveryOption", "Arguments.EndpointName")] == (
        "'Steps.ConfigForComponents.EndpointConfigName' is not an endpoint's name: an "
        "inference component is deployed to an endpoint"
    )
    assert found[("ComponentMinimal", "Arguments.EndpointName")].startswith(
        "endpoint 'churn-components' is the one Endpoint step 'EndpointForComponents' creates "
        "or updates, but nothing makes this step run after it"
    )
    # Ordered by DependsOn, the literal name is fine.
    steps["ComponentMinimal"]["DependsOn"] = ["EndpointForComponents"]
    assert ("ComponentMinimal", "Arguments.EndpointName") not in problems(definition)


def test_a_model_named_after_its_model_step_is_reported() -> None:
    definition, steps = mutated()
    variant = steps["ConfigMinimal"]["Arguments"]["ProductionVariants"][0]
    variant["ModelName"] = "CreateModel-CreateModel"  # the step's name, not its model's
    found = problems(definition)
    assert found[("ConfigMinimal", "Arguments.ProductionVariants[0].ModelName")] == (
        "'CreateModel-CreateModel' is the name of Model step 'CreateModel-CreateModel', not "
        "of the model it creates: SageMaker names that model when the execution runs, so an "
        "endpoint variant runs no model of this name"
    )
    # A literal name of a model the pipeline doesn't create is its own business.
    variant["ModelName"] = "churn-model-7"
    assert ("ConfigMinimal", "Arguments.ProductionVariants[0].ModelName") not in problems(
        definition
    )


def test_guardrails_out_of_sagemakers_bounds_are_reported() -> None:
    definition, steps = mutated()
    steps["EndpointMinimal"]["Arguments"]["DeploymentConfig"] = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 60},
                "WaitIntervalInSeconds": 600,
            },
            "TerminationWaitInSeconds": 600,
            "MaximumExecutionTimeoutInSeconds": 1200,
        }
    }
    steps["EndpointEveryOption"]["Arguments"]["DeploymentConfig"] = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 4},
            "WaitIntervalInSeconds": 300,
        }
    }
    found = problems(definition)
    canary = "Arguments.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration"
    assert found[("EndpointMinimal", f"{canary}.CanarySize.Value")] == (
        "60% is not a canary SageMaker deploys: 1-50% of the variant's instances"
    )
    assert found[
        (
            "EndpointMinimal",
            "Arguments.DeploymentConfig.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds",
        )
    ] == (
        "1200 seconds is not longer than the wait interval and the termination wait together "
        "(1200 seconds): SageMaker asks for a timeout larger than the waits it includes"
    )
    rolling = "Arguments.DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize.Value"
    assert found[("EndpointEveryOption", rolling)] == (
        "4% is not a rolling batch SageMaker deploys: 5-50% of the variant's instances"
    )
    # At the bounds, and in instances (judged by the service against the variant), fine.
    policy = steps["EndpointMinimal"]["Arguments"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    policy["TrafficRoutingConfiguration"]["CanarySize"]["Value"] = 50
    policy["MaximumExecutionTimeoutInSeconds"] = 1201
    steps["EndpointEveryOption"]["Arguments"]["DeploymentConfig"]["RollingUpdatePolicy"][
        "MaximumBatchSize"
    ] = {"Type": "INSTANCE_COUNT", "Value": 1}
    assert not [key for key in problems(definition) if "DeploymentConfig" in str(key[1])]


def test_a_variant_on_no_instances_is_reported() -> None:
    definition, steps = mutated()
    del steps["ConfigMinimal"]["Arguments"]["ProductionVariants"][0]["InstanceType"]
    found = problems(definition)
    assert found[("ConfigMinimal", "Arguments.ProductionVariants[0]")] == (
        "the variant has neither InstanceType nor ServerlessConfig: it runs on no instances"
    )


def test_smpipe_validate_checks_deployment_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = tmp_path / "deploy.json"
    valid.write_text(json.dumps(SDK))
    assert main(["validate", str(valid)]) == 0
    definition, steps = mutated()
    steps["EndpointMinimal"]["Arguments"]["EndpointConfigName"] = "churn-config"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(definition))
    capsys.readouterr()
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert (
        "- step 'EndpointMinimal' field 'Arguments.EndpointConfigName': 'churn-config' is the "
        "name EndpointConfig step 'ConfigMinimal' gives" in out
    )
