"""InferenceComponentStep renders a CreateInferenceComponent request."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.definition import (
    ComputeResourceRequirements,
    EndpointStep,
    InferenceComponentStep,
    ModelStep,
    ParameterInteger,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    StaticBinder,
    UnknownArgumentError,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE

MODEL = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://b/model.tar.gz")
ENDPOINT = EndpointStep(name="Deploy", endpoint_name="components", endpoint_config_name="c")


def test_minimal_step_renders_one_copy_on_all_traffic(ctx: RenderContext) -> None:
    step = InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=ENDPOINT.properties.EndpointName,
        model_name=MODEL.properties.ModelName,
    )
    assert step.to_request(ctx) == {
        "Name": "Component",
        "Type": "InferenceComponent",
        "Arguments": {
            "InferenceComponentName": "churn-model",
            "EndpointName": {"Get": "Steps.Deploy.EndpointName"},
            "VariantName": "AllTraffic",
            "Specification": {"ModelName": {"Get": "Steps.CreateModel.ModelName"}},
            "RuntimeConfig": {"CopyCount": 1},
        },
    }


def test_every_option(ctx: RenderContext) -> None:
    copies = ParameterInteger(name="Copies", default_value=2)
    step = InferenceComponentStep(
        name="Component",
        display_name="Component",
        description="The churn model on the shared endpoint",
        depends_on=[ENDPOINT],
        inference_component_name="churn-model",
        endpoint_name="components",
        model_name="churn",
        variant_name=None,
        compute_resource_requirements=ComputeResourceRequirements(
            min_memory_required_in_mb=1024,
            max_memory_required_in_mb=2048,
            number_of_cpu_cores_required=0.5,
            number_of_accelerator_devices_required=1,
        ),
        copy_count=copies,
        tags={"team": "churn"},
        extra_arguments={
            "Specification": {"StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600}}
        },
    )
    assert step.to_request(ctx) == {
        "Name": "Component",
        "Type": "InferenceComponent",
        "Arguments": {
            "InferenceComponentName": "churn-model",
            "EndpointName": "components",
            "Specification": {
                "ModelName": "churn",
                "ComputeResourceRequirements": {
                    "NumberOfCpuCoresRequired": 0.5,
                    "NumberOfAcceleratorDevicesRequired": 1,
                    "MinMemoryRequiredInMb": 1024,
                    "MaxMemoryRequiredInMb": 2048,
                },
                "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600},
            },
            "RuntimeConfig": {"CopyCount": {"Get": "Parameters.Copies"}},
            "Tags": [{"Key": "team", "Value": "churn"}],
        },
        "DependsOn": ["Deploy"],
        "DisplayName": "Component",
        "Description": "The churn model on the shared endpoint",
    }
    assert ctx.problems == []


def test_a_component_of_a_container_takes_its_specification_from_extra_arguments(
    ctx: RenderContext,
) -> None:
    step = InferenceComponentStep(
        name="Component",
        inference_component_name="adapter",
        endpoint_name="components",
        extra_arguments={"Specification": {"BaseInferenceComponentName": "base"}},
    )
    arguments = step.to_request(ctx)["Arguments"]
    assert arguments["Specification"] == {"BaseInferenceComponentName": "base"}


def test_properties_follow_describe_inference_component() -> None:
    step = InferenceComponentStep(
        name="Component", inference_component_name="c", endpoint_name="e", model_name="m"
    )
    assert step.properties.RuntimeConfig.CurrentCopyCount.to_request() == {
        "Get": "Steps.Component.RuntimeConfig.CurrentCopyCount"
    }
    assert step.properties.InferenceComponentStatus.value_type == "String"


def test_fails_a_component_without_a_model_or_specification() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^InferenceComponentStep 'Component': give model_name= \(the model the "
        r"component runs",
    ):
        InferenceComponentStep(name="Component", inference_component_name="c", endpoint_name="e")


def test_fails_what_the_sdks_step_takes_no_more_than_it_does() -> None:
    with pytest.raises(UnknownArgumentError, match=r"takes no argument 'cache_config'"):
        InferenceComponentStep(  # type: ignore[call-arg]
            name="Component",
            inference_component_name="c",
            endpoint_name="e",
            model_name="m",
            cache_config=None,
        )
    with pytest.raises(UnknownArgumentError, match=r"here: copy_count="):
        InferenceComponentStep(  # type: ignore[call-arg]
            name="Component",
            inference_component_name="c",
            endpoint_name="e",
            model_name="m",
            runtime_config={"CopyCount": 2},
        )


def test_fails_a_component_named_onto_an_endpoint_it_may_run_before() -> None:
    endpoint = EndpointStep(
        name="Deploy", endpoint_name="components", endpoint_config_name="existing-config"
    )
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="c",
        endpoint_name="components",
        model_name="m",
    )
    binder = StaticBinder(role_arn=ROLE)
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[endpoint, component]).to_definition(binder)
    (problem,) = raised.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "Component",
        "Arguments.EndpointName",
        "endpoint_name",
    )
    assert "nothing makes this step run after it" in problem.message
    # Ordered by depends_on (or by reading endpoint.properties.EndpointName), it is fine.
    ordered = InferenceComponentStep(
        name="Component",
        inference_component_name="c",
        endpoint_name="components",
        model_name="m",
        depends_on=[endpoint],
    )
    PipelineDefinition(steps=[endpoint, ordered]).to_definition(binder)
