"""What the deployment steps need of the pipeline role, read off the definition."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    InferenceComponentStep,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    ProductionVariant,
    StaticBinder,
    Step,
)
from cdk_sagemaker_pipelines.definition.permissions import (
    DEPLOY_ACTIONS,
    S3Access,
    plan_permissions,
)
from tests.conftest import ROLE

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/churn:1"
KEY = "arn:aws:kms:us-east-1:111122223333:key/volume"
CAPTURE_KEY = "arn:aws:kms:us-east-1:111122223333:key/capture"
BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b")


def plan(*steps: Step, parameters: Any = ()) -> Any:
    definition = PipelineDefinition(steps=list(steps), parameters=list(parameters))
    return plan_permissions(definition.to_definition(BINDER), pipeline_name="churn")


def model() -> ModelStep:
    return ModelStep(name="CreateModel", image=IMAGE, model_data="s3://b/model.tar.gz")


def test_a_configuration_and_its_endpoint_get_create_update_and_describe() -> None:
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model().properties.ModelName,
        instance_type="ml.m5.large",
        kms_key_id=KEY,
        data_capture_config=DataCaptureConfig(
            destination="s3://capture/churn", kms_key_id=CAPTURE_KEY
        ),
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="Churn",
        endpoint_config_name=config.properties.EndpointConfigName,
    )
    found = plan(endpoint)

    # The configuration carries an execution-unique suffix: <name>*.
    assert found.deploy_grants == {
        ("EndpointConfig", "endpoint-config"): ["churn*"],
        ("Endpoint", "endpoint"): ["Churn"],
        ("Endpoint", "endpoint-config"): ["churn*"],
    }
    assert found.deployed == {"endpoint-config": ["churn*"], "endpoint": ["Churn"]}
    assert DEPLOY_ACTIONS["Endpoint"]["endpoint"] == (
        "sagemaker:CreateEndpoint",
        "sagemaker:UpdateEndpoint",
        "sagemaker:DescribeEndpoint",
    )
    # The volume key (CreateEndpoint's caller makes a grant on it) and the capture key.
    assert found.kms_keys == [CAPTURE_KEY, KEY]
    # The endpoint writes what it captures, as its model's role (the step role here).
    assert found.writes == [S3Access("capture", "churn")]
    assert found.open_deploy_names == []
    assert found.external_endpoint_configs == []
    assert found.external_model_endpoints == []
    assert found.unplanned_steps == []


def test_names_known_only_at_run_time_are_open_and_listed() -> None:
    name = ParameterString(name="EndpointName", default_value="churn")
    config_name = ParameterString(name="ConfigName", default_value="churn")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name=config_name,
        model_name=model().properties.ModelName,
        instance_type="ml.m5.large",
    )
    endpoint = EndpointStep(
        name="Deploy", endpoint_name=name, endpoint_config_name=config.properties.EndpointConfigName
    )
    found = plan(endpoint, parameters=[name, config_name])
    assert found.deploy_grants[("EndpointConfig", "endpoint-config")] == ["*"]
    assert found.deploy_grants[("Endpoint", "endpoint")] == ["*"]
    # The endpoint's configuration is that step's: its openness is reported there.
    assert found.deploy_grants[("Endpoint", "endpoint-config")] == ["*"]
    assert found.open_deploy_names == [
        ("Config", "Arguments.EndpointConfigName"),
        ("Deploy", "Arguments.EndpointName"),
    ]


def test_an_endpoint_of_a_configuration_the_pipeline_does_not_create_is_listed() -> None:
    endpoint = EndpointStep(name="Deploy", endpoint_name="churn", endpoint_config_name="existing")
    found = plan(endpoint)
    # A configuration named as it is: exactly that one, but its key isn't known.
    assert found.deploy_grants[("Endpoint", "endpoint-config")] == ["existing"]
    assert found.external_endpoint_configs == [("Deploy", "existing")]


def test_an_inference_component_is_granted_on_its_endpoint_and_model() -> None:
    created = model()
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="components",
        endpoint_config_name=config.properties.EndpointConfigName,
    )
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=endpoint.properties.EndpointName,
        model_name=created.properties.ModelName,
    )
    found = plan(component)
    assert found.deploy_grants[("InferenceComponent", "inference-component")] == ["churn-model"]
    assert found.deploy_grants[("InferenceComponent", "endpoint")] == ["components"]
    # The model a Model step creates is named by the service: pipelines-*.
    assert found.deploy_grants[("InferenceComponent", "model")] == ["pipelines-*"]
    assert found.deployed["inference-component"] == ["churn-model"]
    # The endpoint of components runs as the configuration's role: passed to SageMaker.
    assert ("Config", "Arguments.ExecutionRoleArn", ROLE) in found.job_roles
    assert ROLE in found.passed_roles


def test_captured_data_of_a_model_the_pipeline_does_not_create_is_listed() -> None:
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="model-of-another-pipeline",
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination="s3://capture/churn"),
    )
    found = plan(config)
    assert found.external_model_endpoints == [("Config", "model-of-another-pipeline")]
    # Without anything written, whose role the model runs as doesn't matter here.
    quiet = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="model-of-another-pipeline",
        instance_type="ml.m5.large",
    )
    assert plan(quiet).external_model_endpoints == []


def test_every_step_type_validation_accepts_is_planned() -> None:
    # unplanned_steps (warned by the CDK Pipeline) is left for a type a newer SDK writes.
    from cdk_sagemaker_pipelines.definition.permissions import PLANNED_STEP_TYPES
    from cdk_sagemaker_pipelines.definition.validate import STEP_TYPES

    assert sorted(STEP_TYPES - PLANNED_STEP_TYPES) == []
