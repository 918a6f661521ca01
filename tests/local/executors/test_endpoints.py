"""EndpointConfig, Endpoint and InferenceComponent steps: recorded in the local hosting table."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    ComputeResourceRequirements,
    ConditionEquals,
    ConditionStep,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    FailStep,
    Image,
    InferenceComponentStep,
    ModelStep,
    ParameterString,
    TrainingStep,
)
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.executors.endpoint import configuration_name
from cdk_sagemaker_pipelines.local.hosting import LocalHosting
from tests.definition.deployments import components_deployment
from tests.local.conftest import BINDER, SKLEARN, Workspace, compile_steps

TRAIN = """
import json, os
json.dump({"offset": 10}, open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w"))
"""


def model_steps(ws: Workspace) -> tuple[TrainingStep, ModelStep]:
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    return train, model


def deploy_steps(ws: Workspace, **config: Any) -> tuple[ConditionStep, EndpointStep, ModelStep]:
    """Train, create a model, configure and deploy it, and check the endpoint is in service."""
    _, model = model_steps(ws)
    settings: dict[str, Any] = {
        "model_name": model.properties.ModelName,
        "instance_type": "ml.m5.large",
        "initial_instance_count": 2,
        **config,
    }
    config_step = EndpointConfigStep(name="Config", endpoint_config_name="churn", **settings)
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=config_step.properties.EndpointConfigName,
    )
    # A later step reads the endpoint's properties, as after a deployment on SageMaker.
    check = ConditionStep(
        name="InService",
        conditions=[ConditionEquals(left=endpoint.properties.EndpointStatus, right="InService")],
        else_steps=[FailStep(name="NotInService", error_message="not in service")],
    )
    return check, endpoint, model


def test_deploys_a_model_to_a_recorded_endpoint_and_later_steps_read_its_properties(
    ws: Workspace,
) -> None:
    result = ws.runner().run(compile_steps([deploy_steps(ws)[0]]))

    assert result.status == "Succeeded", result.failure_reason
    execution = result.execution_id
    config = result.properties("Config")
    # The configuration the step asked for, with an execution-unique suffix.
    assert config["EndpointConfigName"] == f"churn-{execution}"
    assert config["EndpointConfigArn"].endswith(f":endpoint-config/churn-{execution}")
    model_name = result.properties("CreateModel")["ModelName"]
    assert config["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": model_name,
            "InitialVariantWeight": 1,
            "InitialInstanceCount": 2,
            "InstanceType": "ml.m5.large",
        }
    ]
    endpoint = result.properties("Deploy")
    assert endpoint["EndpointName"] == "churn"
    assert endpoint["EndpointConfigName"] == f"churn-{execution}"
    assert endpoint["EndpointStatus"] == "InService"
    (variant,) = endpoint["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 2
    assert variant["DeployedImages"][0]["SpecifiedImage"].endswith(
        "sagemaker-scikit-learn:1.2-1-cpu-py3"
    )
    assert result.step("Deploy").metadata == {"Endpoint": {"Arn": endpoint["EndpointArn"]}}
    assert result.step("Config").metadata == {
        "EndpointConfig": {"Arn": config["EndpointConfigArn"]}
    }
    assert result.step("InService").outcome is True
    hosting = LocalHosting(ws.root / ".smpipe")
    assert hosting.names("endpoint") == ["churn"]
    record = hosting.read("endpoint", "churn")
    assert record is not None
    assert record["Local"] == {
        "ExecutionId": execution,
        "Step": "Deploy",
        "History": [],
    }


def test_a_second_execution_updates_the_endpoint_the_first_created(ws: Workspace) -> None:
    definition = compile_steps([deploy_steps(ws)[0]])
    first = ws.runner().run(definition)
    second = ws.runner().run(definition)

    assert second.status == "Succeeded", second.failure_reason
    created = first.properties("Deploy")
    updated = second.properties("Deploy")
    assert updated["EndpointConfigName"] == f"churn-{second.execution_id}"
    assert updated["CreationTime"] == created["CreationTime"]
    assert updated["LastModifiedTime"] > created["LastModifiedTime"]
    record = LocalHosting(ws.root / ".smpipe").read("endpoint", "churn")
    assert record is not None
    (earlier,) = record["Local"]["History"]
    assert earlier["EndpointConfigName"] == f"churn-{first.execution_id}"
    assert earlier["ExecutionId"] == first.execution_id
    # Both configurations stay: an endpoint may roll back to the earlier one.
    assert len(LocalHosting(ws.root / ".smpipe").names("endpoint-config")) == 2


def test_data_capture_is_summarized_as_describe_endpoint_gives_it(ws: Workspace) -> None:
    capture = DataCaptureConfig(destination="s3://data-bucket/capture", sampling_percentage=50)
    result = ws.runner().run(compile_steps([deploy_steps(ws, data_capture_config=capture)[0]]))

    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("Deploy")["DataCaptureConfig"] == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 50,
        "DestinationS3Uri": "s3://data-bucket/capture",
    }


def test_deploys_an_inference_component_to_an_endpoint_of_components(ws: Workspace) -> None:
    _, model = model_steps(ws)
    component = components_deployment(
        model.properties.ModelName,
        compute_resource_requirements=ComputeResourceRequirements(min_memory_required_in_mb=1024),
        copy_count=2,
    )
    result = ws.runner().run(compile_steps([component]))

    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Component")
    assert properties["InferenceComponentName"] == "churn-model"
    assert properties["EndpointName"] == "components"
    assert properties["EndpointArn"] == result.properties("Deploy")["EndpointArn"]
    assert properties["VariantName"] == "AllTraffic"
    assert properties["Specification"] == {
        "ModelName": result.properties("CreateModel")["ModelName"],
        "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024},
    }
    assert properties["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    assert properties["InferenceComponentStatus"] == "InService"
    # The configuration runs as the binder's role: its variant names no model.
    assert result.properties("Config")["ExecutionRoleArn"].startswith("arn:aws:iam::")


def test_job_tags_are_recorded_on_the_configuration_endpoint_and_component(
    ws: Workspace,
) -> None:
    # The binder's job tags go into CreateEndpointConfig, CreateEndpoint and
    # CreateInferenceComponent; an update of the endpoint or the component takes no Tags,
    # so a second execution's tags reach only its new configuration.
    _, model = model_steps(ws)
    component = components_deployment(model.properties.ModelName, tags={"owner": "ana"})

    def run(team: str) -> dict[str, Any]:
        """The configuration record of an execution whose binder has job tags."""
        binder = dataclasses.replace(BINDER, job_tags={"team": team, "owner": "ops"})
        result = ws.runner().run(compile_steps([component], binder=binder))
        assert result.status == "Succeeded", result.failure_reason
        name = result.properties("Config")["EndpointConfigName"]
        return hosting.read("endpoint-config", name) or {}

    hosting = LocalHosting(ws.root / ".smpipe")
    first = [{"Key": "team", "Value": "ml"}, {"Key": "owner", "Value": "ops"}]
    assert run("ml")["Tags"] == first
    assert run("fraud")["Tags"] == [
        {"Key": "team", "Value": "fraud"},
        {"Key": "owner", "Value": "ops"},
    ]
    assert (hosting.read("endpoint", "components") or {})["Tags"] == first
    # The step's own tag wins on its key, and comes first.
    assert (hosting.read("inference-component", "churn-model") or {})["Tags"] == [
        {"Key": "owner", "Value": "ana"},
        {"Key": "team", "Value": "ml"},
    ]


def test_fails_a_component_on_a_variant_that_serves_a_model(ws: Workspace) -> None:
    check, endpoint, model = deploy_steps(ws)
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=endpoint.properties.EndpointName,
        model_name=model.properties.ModelName,
    )
    result = ws.runner().run(compile_steps([check, component]))

    model_name = result.properties("CreateModel")["ModelName"]
    assert result.step("Component").failure_reason == (
        f"VariantName: variant 'AllTraffic' of endpoint 'churn' serves model {model_name!r}: "
        "inference components go on a variant that names no model "
        "(ProductionVariant(model_name=None, …) in the endpoint configuration)"
    )


def test_fails_a_configuration_of_a_model_no_local_execution_created(ws: Workspace) -> None:
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="model-in-aws",
        instance_type="ml.m5.large",
    )
    result = ws.runner().run(compile_steps([config]))

    assert result.step("Config").failure_reason == (
        "ProductionVariants[0].ModelName: no local model named 'model-in-aws': the local "
        "runner deploys models created by a Model step of a local execution"
    )


def test_fails_an_endpoint_of_a_configuration_named_without_its_suffix(ws: Workspace) -> None:
    # A parameter's value is known at run time only (validation judges literal names): the
    # configuration the EndpointConfig step created carries the execution's suffix.
    name = ParameterString(name="ConfigName", default_value="churn")
    check, _, _ = deploy_steps(ws)
    by_name = EndpointStep(
        name="DeployByName", endpoint_name="other", endpoint_config_name=name, depends_on=[check]
    )
    result = ws.runner().run(compile_steps([check, by_name], parameters=[name]))

    assert result.step("DeployByName").failure_reason == (
        "EndpointConfigName: no local endpoint configuration named 'churn': the local runner "
        "deploys configurations an EndpointConfig step of a local execution created (read "
        "the name from its properties.EndpointConfigName: the configuration carries an "
        "execution-unique suffix)"
    )


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("churn", "churn-abcdefghijkl"),
        ("a" * 63, "a" * 50 + "-abcdefghijkl"),
        ("a" * 49 + "-b", "a" * 49 + "-abcdefghijkl"),
    ],
)
def test_configuration_names_keep_the_63_characters_of_the_api(
    requested: str, expected: str
) -> None:
    assert configuration_name(requested, "abcdefghijkl") == expected
    assert len(expected) <= 63


def test_the_hosting_table_refuses_a_name_sagemaker_would(ws: Workspace) -> None:
    # A name from a parameter could be a path: only a name of the API's pattern is a file.
    with pytest.raises(StepError, match=r"'\.\./x' is not an endpoint name"):
        LocalHosting(ws.root).read("endpoint", "../x")
