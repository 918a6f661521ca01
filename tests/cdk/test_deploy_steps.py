"""The roles a pipeline that deploys from inside itself gets: derived, least privilege, nag-clean.

A Model step, an endpoint configuration (encrypted, capturing data), an endpoint created
or updated with it, and an endpoint of inference components with a component on it. The
pipeline role gets exactly the hosting actions each step needs, on the resources it names
(a configuration's name with the execution-unique suffix SageMaker Pipelines adds), and
cdk-nag's AwsSolutions and NIST 800-53 packs pass with only the wildcards acknowledged.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.cdk._acknowledge import WILDCARD_RULE
from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from cdk_sagemaker_pipelines.definition import (
    ComputeResourceRequirements,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    ExecutionVariables,
    InferenceComponentStep,
    Join,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    ProductionVariant,
)
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    definition_of,
    logical_id,
    pipeline_under_nag,
    s3_arn,
    statements,
    steps_by_name,
    synthesized,
)
from tests.cdk.test_pipeline import SUBNETS, _vpc
from tests.cdk.test_policies import _acknowledged, add_nag_packs

NAME = "churn"
SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/churn:1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def rollback_on(*alarms: Any) -> dict[str, Any]:
    """A blue/green deployment that rolls back when one of ``alarms`` goes off."""
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": alarm} for alarm in alarms]},
    }


def deploying_definition() -> PipelineDefinition:
    model = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        kms_key_id=KEY,
        data_capture_config=DataCaptureConfig(destination="s3://capture-bucket/churn"),
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="Churn",
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config=rollback_on("churn-errors", "churn-p99-latency"),
    )
    components_config = EndpointConfigStep(
        name="ComponentsConfig",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    components = EndpointStep(
        name="DeployComponents",
        endpoint_name="components",
        endpoint_config_name=components_config.properties.EndpointConfigName,
    )
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=components.properties.EndpointName,
        model_name=model.properties.ModelName,
        compute_resource_requirements=ComputeResourceRequirements(min_memory_required_in_mb=1024),
    )
    return PipelineDefinition(steps=[endpoint, component])


class Deployed:
    def __init__(self) -> None:
        # cdk-nag fails synth on any finding not acknowledged.
        self.pipeline, template, self.annotations = pipeline_under_nag(deploying_definition(), NAME)
        assert self.pipeline.role_policy is not None
        self.role = statements(template, self.pipeline.role_policy)
        self.step_role = statements(template, self.pipeline.step_role_policy)


@pytest.fixture(scope="module")
def deployed() -> Deployed:
    return Deployed()


def test_each_deployment_step_gets_its_hosting_actions_on_what_it_names(deployed: Deployed):
    role = deployed.role
    assert role["CreateEndpointConfigs"] == {
        "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig"],
        "Effect": "Allow",
        # The execution-unique suffix the service adds to the names the steps give.
        "Resource": [f"{SM}:endpoint-config/churn*", f"{SM}:endpoint-config/components*"],
        "Sid": "CreateEndpointConfigs",
    }
    assert role["CreateOrUpdateEndpoints"] == {
        "Action": [
            "sagemaker:CreateEndpoint",
            "sagemaker:DescribeEndpoint",
            "sagemaker:UpdateEndpoint",
        ],
        "Effect": "Allow",
        # An endpoint name with capitals: the ARN spells it in lowercase, requests as given.
        "Resource": [f"{SM}:endpoint/Churn", f"{SM}:endpoint/churn", f"{SM}:endpoint/components"],
        "Sid": "CreateOrUpdateEndpoints",
    }
    assert role["DeployEndpointConfigs"]["Resource"] == [
        f"{SM}:endpoint-config/churn*",
        f"{SM}:endpoint-config/components*",
    ]
    assert sorted(role["DeployEndpointConfigs"]["Action"]) == [
        "sagemaker:CreateEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:UpdateEndpoint",
    ]
    assert role["CreateOrUpdateInferenceComponents"]["Resource"] == (
        f"{SM}:inference-component/churn-model"
    )
    assert role["PlaceInferenceComponentsOnEndpoints"]["Resource"] == (f"{SM}:endpoint/components")
    assert role["PlaceInferenceComponentsOfModels"]["Resource"] == f"{SM}:model/pipelines-*"
    # A component is created, and updated by a later execution, on its endpoint and model.
    assert sorted(role["CreateOrUpdateInferenceComponents"]["Action"]) == [
        "sagemaker:CreateInferenceComponent",
        "sagemaker:DescribeInferenceComponent",
        "sagemaker:UpdateInferenceComponent",
    ]
    for sid in ("PlaceInferenceComponentsOnEndpoints", "PlaceInferenceComponentsOfModels"):
        assert sorted(role[sid]["Action"]) == [
            "sagemaker:CreateInferenceComponent",
            "sagemaker:UpdateInferenceComponent",
        ]


def test_what_the_steps_create_is_tagged_and_the_keys_are_granted(deployed: Deployed):
    role = deployed.role
    tagged = role["TagPipelineResources"]["Resource"]
    for arn in (
        f"{SM}:model/pipelines-*",
        f"{SM}:endpoint-config/churn*",
        f"{SM}:endpoint-config/components*",
        f"{SM}:endpoint/churn",
        f"{SM}:endpoint/Churn",
        f"{SM}:inference-component/churn-model",
    ):
        assert arn in tagged
    # CreateEndpoint makes a grant on the configuration's volume key.
    assert KEY in role["LetJobsUseTheirKeys"]["Resource"]
    assert role["LetJobsUseTheirKeys"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"}
    }
    assert KEY in role["DescribeJobKeys"]["Resource"]
    # The endpoint of components runs as the step role, which the pipeline role passes.
    assert role["PassStepRoleToSageMaker"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


def test_the_step_role_writes_what_the_endpoint_captures(deployed: Deployed):
    writes = deployed.step_role["WriteDataInCaptureBucket"]
    assert writes["Resource"] == s3_arn("capture-bucket/churn*")


def test_the_step_role_describes_the_alarms_a_deployment_rolls_back_on(deployed: Deployed):
    # The deployment guardrails guide asks it of the endpoint's execution role: the model's,
    # here the step role (a ModelStep without role=). Was: no cloudwatch:DescribeAlarms.
    assert deployed.step_role["DescribeRollbackAlarms"] == {
        "Action": "cloudwatch:DescribeAlarms",
        "Effect": "Allow",
        "Resource": [
            f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-errors",
            f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-p99-latency",
        ],
        "Sid": "DescribeRollbackAlarms",
    }
    # Nothing more of the pipeline role (UpdateEndpoint, already granted, is all it calls).
    assert not any("cloudwatch:" in str(entry["Action"]) for entry in deployed.role.values())
    deployed.annotations.has_no_warning("*", Match.string_like_regexp("rollback-alarm"))


def test_no_deployment_step_is_warned_as_unplanned(deployed: Deployed):
    deployed.annotations.has_no_warning("*", Match.string_like_regexp("get no permissions"))
    deployed.annotations.has_no_warning("*", Match.string_like_regexp("open-deploy-name"))


def test_the_configuration_wildcards_are_acknowledged_with_their_reason(deployed: Deployed):
    acknowledged = _acknowledged(deployed.pipeline.role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    assert "execution-unique suffix" in acknowledged[f"{prefix}{SM}:endpoint-config/churn*]"]
    assert "pipelines-<execution>" in acknowledged[f"{prefix}{SM}:model/pipelines-*]"]


def test_names_known_only_at_run_time_are_granted_on_any_and_warned():
    stack = new_stack()
    name = ParameterString(name="EndpointName", default_value="churn")
    endpoint = EndpointStep(name="Deploy", endpoint_name=name, endpoint_config_name="existing")
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[endpoint], parameters=[name]),
        pipeline_name=NAME,
    )
    annotations = Annotations.from_stack(stack)
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The name in step 'Deploy' field 'Arguments.EndpointName' is an expression known "
            r"only at run time .*\[ack: cdk-sagemaker-pipelines:open-deploy-name\]$"
        ),
    )
    # A configuration the pipeline doesn't create: its key, if any, isn't known.
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The Endpoint steps step 'Deploy' \(configuration 'existing'\) deploy an endpoint "
            r"configuration no EndpointConfig step of this pipeline creates.*"
            r"\[ack: cdk-sagemaker-pipelines:endpoint-of-external-config\]$"
        ),
    )


def test_captured_data_of_a_model_the_pipeline_does_not_create_is_warned():
    stack = new_stack()
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="model-of-another-stack",
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination="s3://capture-bucket/churn"),
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[config]), pipeline_name=NAME)
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The endpoints of step 'Config' \(model 'model-of-another-stack'\) write captured "
            r".*\[ack: cdk-sagemaker-pipelines:endpoint-of-external-model\]$"
        ),
    )


def test_rollback_alarms_named_at_run_time_are_granted_on_their_start_or_any_and_warned():
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store")
    alarm = ParameterString(name="RollbackAlarm", default_value="churn-errors")
    model = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config=rollback_on(
            alarm, Join(on="-", values=["churn-p99", ExecutionVariables.PIPELINE_EXECUTION_ID])
        ),
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[endpoint], parameters=[alarm]),
        pipeline_name=NAME,
        artifact_store=store,
    )
    add_nag_packs(app, store)  # the wildcards are acknowledged, with their reason
    template, annotations = synthesized(stack)  # one synthesis, under the packs
    step_role = statements(template, pipeline.step_role_policy)
    alarms = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
    assert step_role["DescribeRollbackAlarms"]["Resource"] == [
        f"{alarms}*",
        f"{alarms}churn-p99-*",
    ]
    acknowledged = _acknowledged(pipeline.step_role_policy)
    reason = acknowledged[f"Annotation::{WILDCARD_RULE}[Resource::{alarms}*]"]
    assert "cdk-sagemaker-pipelines:open-rollback-alarm" in reason
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The rollback alarm name in step 'Deploy' field 'Arguments.DeploymentConfig."
            r"AutoRollbackConfiguration.Alarms\[0\].AlarmName' is an expression known only at "
            r"run time .*any alarm in the account and region.*"
            r"\[ack: cdk-sagemaker-pipelines:open-rollback-alarm\]$"
        ),
    )


def test_rollback_alarms_watched_as_another_role_than_the_step_role_are_warned():
    stack = new_stack()
    other = f"arn:aws:iam::{ACCOUNT}:role/EndpointRole"
    model = ModelStep(
        name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz", role=other
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
    )
    of_other_role = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config=rollback_on("churn-errors"),
    )
    of_existing_config = EndpointStep(
        name="DeployExisting",
        endpoint_name="other",
        endpoint_config_name="existing",
        deployment_config=rollback_on("other-errors"),
    )
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[of_other_role, of_existing_config]),
        pipeline_name=NAME,
    )
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^SageMaker describes the rollback alarms .* as the endpoint's execution role, .*"
            r"but the endpoint of step 'Deploy' runs as "
            r"'arn:aws:iam::111122223333:role/EndpointRole' \(the ExecutionRoleArn of step "
            r"'CreateModel'\); step 'DeployExisting' runs as the role of configuration "
            r"'existing', which no EndpointConfig step of this pipeline creates\. Grant that "
            r"role cloudwatch:DescribeAlarms on the alarms .*"
            r"\[ack: cdk-sagemaker-pipelines:rollback-alarms-of-another-role\]$"
        ),
    )


def test_endpoints_of_components_and_async_results_get_the_pipelines_network_and_key():
    # A Pipeline in a VPC with network isolation, under SageMakerPipelineChecks requiring
    # it: the configuration of an endpoint of inference components takes the VPC and
    # isolation a Model step's model takes, and an asynchronous endpoint's results the
    # artifact key, neither given in the steps. Was: SMP-JobNetworkIsolation and
    # SMP-JobOutputEncryption findings, which failed synth.
    stack = new_stack()
    model = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz")
    components_config = EndpointConfigStep(
        name="ComponentsConfig",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    async_config = EndpointConfigStep(
        name="AsyncConfig",
        endpoint_config_name="churn-async",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        async_inference_config={"OutputConfig": {"S3OutputPath": "s3://async-bucket/churn"}},
    )
    steps = [
        EndpointStep(
            name=f"Deploy{index}",
            endpoint_name=f"endpoint-{index}",
            endpoint_config_name=config.properties.EndpointConfigName,
        )
        for index, config in enumerate((components_config, async_config))
    ]
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=steps),
        pipeline_name=NAME,
        vpc=_vpc(stack),
        enable_network_isolation=True,
    )
    cdk.Validations.of(stack.node.root).add_plugins(
        SageMakerPipelineChecks(require_network_isolation=True)
    )
    template = Template.from_stack(stack)  # synth: no finding, none acknowledged
    found = steps_by_name(definition_of(template))
    components = found["ComponentsConfig"]["Arguments"]
    assert components["VpcConfig"] == found["CreateModel"]["Arguments"]["VpcConfig"]
    assert components["VpcConfig"]["Subnets"] == SUBNETS
    assert components["EnableNetworkIsolation"] is True
    key = f"${{GetAtt:{logical_id(pipeline.artifact_store.key)}.Arn}}"
    assert found["AsyncConfig"]["Arguments"]["AsyncInferenceConfig"] == {
        "OutputConfig": {"S3OutputPath": "s3://async-bucket/churn", "KmsKeyId": key}
    }
    # The endpoint's network interfaces go in the VPC as the step role (its role).
    assert "ManageJobNetworkInterfaces" in statements(template, pipeline.step_role_policy)
