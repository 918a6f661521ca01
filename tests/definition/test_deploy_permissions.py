"""What the deployment steps need of the pipeline role, read off the definition."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    Join,
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
from tests.definition.deployments import components_deployment
from tests.definition.test_job_tags import TAGS, deployment_steps

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
    component = components_deployment(model().properties.ModelName)
    found = plan(component)
    assert found.deploy_grants[("InferenceComponent", "inference-component")] == ["churn-model"]
    assert found.deploy_grants[("InferenceComponent", "endpoint")] == ["components"]
    # The model a Model step creates is named by the service: pipelines-*.
    assert found.deploy_grants[("InferenceComponent", "model")] == ["pipelines-*"]
    # Only what each step creates is tagged as created: not the endpoint nor the model a
    # component names.
    assert found.deployed == {
        "endpoint-config": ["components*"],
        "endpoint": ["components"],
        "inference-component": ["churn-model"],
    }
    # The endpoint of components runs as the configuration's role: passed to SageMaker.
    assert ("Config", "Arguments.ExecutionRoleArn", ROLE) in found.job_roles
    assert ROLE in found.passed_roles


def test_what_job_tags_tag_is_what_the_role_may_tag() -> None:
    # The binder's job tags go on the model, the configuration, the endpoint and the
    # component: each Create* call then needs sagemaker:AddTags on what it creates (the
    # model's job name prefix and plan.deployed, which the CDK Pipeline grants it on in
    # TagPipelineResources, without request conditions).
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b", job_tags=TAGS)
    definition = deployment_steps({}).to_definition(binder)
    tagged = {
        entry["Type"]
        for entry in definition["Steps"]
        if any(tag["Key"] == "cost-centre" for tag in entry["Arguments"].get("Tags") or [])
    }
    assert tagged == {"Model", "EndpointConfig", "Endpoint", "InferenceComponent"}
    found = plan_permissions(definition, pipeline_name="churn")
    assert found.job_actions["Model"][0] == "model"
    assert found.deployed == {
        "endpoint-config": ["components*"],
        "endpoint": ["components"],
        "inference-component": ["churn-model"],
    }


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


OTHER_ROLE = "arn:aws:iam::111122223333:role/EndpointRole"


def rolling_out(config_name: Any, *alarms: Any, name: str = "Deploy") -> EndpointStep:
    """An Endpoint step whose deployments roll back on ``alarms``."""
    return EndpointStep(
        name=name,
        endpoint_name="churn",
        endpoint_config_name=config_name,
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": alarm} for alarm in alarms]},
        },
    )


def config_of(created: ModelStep) -> EndpointConfigStep:
    return EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=created.properties.ModelName,
        instance_type="ml.m5.large",
    )


def test_rollback_alarms_are_described_by_the_role_the_endpoints_models_run_as() -> None:
    # The deployment guardrails guide: the endpoint's execution role needs
    # cloudwatch:DescribeAlarms on the auto-rollback alarms. Was: nothing derived.
    config = config_of(model())
    found = plan(rolling_out(config.properties.EndpointConfigName, "churn-errors", "churn-p99"))
    assert found.rollback_alarms == ["churn-errors", "churn-p99"]
    # The model's role, the binder's (the CDK Pipeline's step role).
    assert found.rollback_alarm_roles == [("Deploy", "CreateModel", ROLE)]
    assert found.open_rollback_alarms == []
    assert found.external_rollback_endpoints == []
    # An endpoint without rollback alarms needs none.
    quiet = plan(EndpointStep(name="Deploy", endpoint_name="churn", endpoint_config_name="c"))
    assert (quiet.rollback_alarms, quiet.rollback_alarm_roles) == ([], [])
    assert quiet.external_rollback_endpoints == []


def test_rollback_alarms_named_at_run_time_are_narrowed_to_their_literal_start() -> None:
    alarm = ParameterString(name="RollbackAlarm", default_value="churn-errors")
    run = ParameterString(name="Run", default_value="a")
    config = config_of(model())
    endpoint = rolling_out(
        config.properties.EndpointConfigName, alarm, Join(on="-", values=["churn-p99", run])
    )
    found = plan(endpoint, parameters=[alarm, run])
    assert found.rollback_alarms == ["*", "churn-p99-*"]
    assert found.open_rollback_alarms == [
        ("Deploy", "Arguments.DeploymentConfig.AutoRollbackConfiguration.Alarms[0].AlarmName")
    ]


def test_the_role_of_rollback_alarms_is_each_model_s_or_the_components_configuration_s() -> None:
    blue = ModelStep(name="Blue", image=IMAGE, model_data="s3://b/blue.tar.gz", role=OTHER_ROLE)
    green = model()
    split = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        production_variants=[
            ProductionVariant(
                variant_name="Blue",
                model_name=blue.properties.ModelName,
                instance_type="ml.m5.large",
            ),
            ProductionVariant(
                variant_name="Green",
                model_name=green.properties.ModelName,
                instance_type="ml.m5.large",
            ),
        ],
    )
    components = EndpointConfigStep(
        name="ComponentsConfig",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
        role=OTHER_ROLE,
    )
    found = plan(
        rolling_out(split.properties.EndpointConfigName, "a"),
        rolling_out(components.properties.EndpointConfigName, "b", name="DeployComponents"),
    )
    assert found.rollback_alarm_roles == [
        ("Deploy", "Blue", OTHER_ROLE),
        ("Deploy", "CreateModel", ROLE),
        ("DeployComponents", "ComponentsConfig", OTHER_ROLE),
    ]


def test_the_models_of_shadow_variants_describe_the_rollback_alarms_too() -> None:
    shadow = ModelStep(
        name="Shadow", image=IMAGE, model_data="s3://b/shadow.tar.gz", role=OTHER_ROLE
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model().properties.ModelName,
        instance_type="ml.m5.large",
        extra_arguments={
            "ShadowProductionVariants": [
                {
                    "VariantName": "Shadow",
                    "ModelName": shadow.properties.ModelName,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ]
        },
    )
    found = plan(shadow, rolling_out(config.properties.EndpointConfigName, "churn-errors"))
    assert found.rollback_alarm_roles == [
        ("Deploy", "CreateModel", ROLE),
        ("Deploy", "Shadow", OTHER_ROLE),
    ]


def test_rollback_alarms_of_a_configuration_or_model_the_pipeline_does_not_create() -> None:
    external_model = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="model-of-another-pipeline",
        instance_type="ml.m5.large",
    )
    found = plan(
        rolling_out("existing-config", "a", name="DeployExisting"),
        rolling_out(external_model.properties.EndpointConfigName, "b"),
    )
    # In the definition's order: the configuration's steps first.
    assert found.rollback_alarms == ["b", "a"]
    assert found.rollback_alarm_roles == []
    assert found.external_rollback_endpoints == [
        ("Deploy", "model", "model-of-another-pipeline"),
        ("DeployExisting", "configuration", "existing-config"),
    ]


def test_every_step_type_validation_accepts_is_planned() -> None:
    # unplanned_steps (warned by the CDK Pipeline) is left for a type a newer SDK writes.
    from cdk_sagemaker_pipelines.definition.permissions import PLANNED_STEP_TYPES
    from cdk_sagemaker_pipelines.definition.validate import STEP_TYPES

    assert sorted(STEP_TYPES - PLANNED_STEP_TYPES) == []
