"""The deployment steps write what the SageMaker SDK v2 writes for its own.

``sdk_deploy/sdk-deploy.json`` holds sagemaker 2.257.7's definition of a pipeline of its
``EndpointConfigStep``, ``EndpointStep`` and ``InferenceComponentStep`` (see its README and
``generate_sdk_deploy.py``). The language builds each step the same way and must write the
same entry. One deliberate difference, documented in docs/language.md: the SDK writes an
empty ``"Tags": []`` on an endpoint configuration or endpoint given no tags, which tags
nothing; the language leaves the member out (``smpipe convert`` reads the two as one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ComputeResourceRequirements,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    InferenceComponentStep,
    ModelStep,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    ProductionVariant,
    ServerlessConfig,
    StaticBinder,
    Step,
    StepExceptionType,
    StepRetryPolicy,
    UnknownArgumentError,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition.permissions import plan_permissions

DATA = json.loads((Path(__file__).parent / "sdk_deploy" / "sdk-deploy.json").read_text())
SDK_STEPS = {entry["Name"]: entry for entry in DATA["definition"]["Steps"]}
ROLE = "arn:aws:iam::111122223333:role/SageMakerRole"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
INSTANCE_TYPE = ParameterString(name="EndpointInstanceType", default_value="ml.m5.large")
INSTANCE_COUNT = ParameterInteger(name="EndpointInstanceCount", default_value=1)
ENDPOINT_NAME = ParameterString(name="EndpointName", default_value="churn-staging")
RETRY = StepRetryPolicy(exception_types=[StepExceptionType.SERVICE_FAULT], max_attempts=3)
CACHE = CacheConfig(expire_after="P30D")
TAGS = {"team": "churn"}
BINDER = StaticBinder(region="us-east-1", role_arn=ROLE)

MODEL = ModelStep(
    name="CreateModel-CreateModel",
    image=IMAGE,
    model_data="s3://my-bucket/model/model.tar.gz",
    role=ROLE,
)
MODEL_NAME = MODEL.properties.ModelName
CONFIG_MINIMAL = EndpointConfigStep(
    name="ConfigMinimal",
    endpoint_config_name="churn-config",
    model_name=MODEL_NAME,
    instance_type="ml.m5.large",
)
CONFIG_EVERY_OPTION = EndpointConfigStep(
    name="ConfigEveryOption",
    display_name="Endpoint configuration",
    description="Two instances, encrypted, capturing data",
    endpoint_config_name="churn-config-full",
    production_variants=[
        ProductionVariant(
            model_name=MODEL_NAME,
            instance_type="ml.c5.xlarge",
            initial_instance_count=2,
            volume_size_in_gb=30,
            model_data_download_timeout_in_seconds=600,
            container_startup_health_check_timeout_in_seconds=300,
            routing_strategy="LEAST_OUTSTANDING_REQUESTS",
            inference_ami_version="al2-ami-sagemaker-inference-gpu-2",
        )
    ],
    tags=TAGS,
    kms_key_id=KEY,
    data_capture_config=DataCaptureConfig(
        destination="s3://my-bucket/data-capture", json_content_types=None
    ),
    cache_config=CACHE,
    retry_policies=[RETRY],
)
CONFIG_COMPONENTS = EndpointConfigStep(
    name="ConfigForComponents",
    endpoint_config_name="churn-components",
    production_variants=[
        ProductionVariant(
            instance_type="ml.g5.2xlarge", routing_strategy="LEAST_OUTSTANDING_REQUESTS"
        )
    ],
    role=ROLE,
)
ENDPOINT_COMPONENTS = EndpointStep(
    name="EndpointForComponents",
    endpoint_name="churn-components",
    endpoint_config_name=CONFIG_COMPONENTS.properties.EndpointConfigName,
)

# SDK step name -> the language's step.
CASES: dict[str, Callable[[], Step]] = {
    "CreateModel-CreateModel": lambda: MODEL,
    "ConfigMinimal": lambda: CONFIG_MINIMAL,
    "ConfigEveryOption": lambda: CONFIG_EVERY_OPTION,
    "ConfigParameters": lambda: EndpointConfigStep(
        name="ConfigParameters",
        endpoint_config_name="churn-config-parameters",
        model_name=MODEL_NAME,
        instance_type=INSTANCE_TYPE,
        initial_instance_count=INSTANCE_COUNT,
    ),
    "ConfigServerless": lambda: EndpointConfigStep(
        name="ConfigServerless",
        endpoint_config_name="churn-config-serverless",
        model_name=MODEL_NAME,
        serverless_config=ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5),
    ),
    "ConfigAsync": lambda: EndpointConfigStep(
        name="ConfigAsync",
        endpoint_config_name="churn-config-async",
        model_name=MODEL_NAME,
        instance_type="ml.m5.large",
        async_inference_config={
            "OutputConfig": {"S3OutputPath": "s3://my-bucket/async-out"},
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
        },
    ),
    "ConfigForComponents": lambda: CONFIG_COMPONENTS,
    "ConfigTwoVariants": lambda: EndpointConfigStep(
        name="ConfigTwoVariants",
        endpoint_config_name="churn-ab",
        production_variants=[
            ProductionVariant(
                variant_name="Blue",
                model_name=MODEL_NAME,
                instance_type="ml.m5.large",
                initial_variant_weight=3,
            ),
            ProductionVariant(
                variant_name="Green", model_name=MODEL_NAME, instance_type="ml.m5.xlarge"
            ),
        ],
        kms_key_id=KEY,
    ),
    "EndpointMinimal": lambda: EndpointStep(
        name="EndpointMinimal",
        endpoint_name="churn",
        endpoint_config_name=CONFIG_MINIMAL.properties.EndpointConfigName,
    ),
    "EndpointEveryOption": lambda: EndpointStep(
        name="EndpointEveryOption",
        display_name="Endpoint",
        description="Creates or updates the endpoint",
        depends_on=[CONFIG_MINIMAL],
        endpoint_name=ENDPOINT_NAME,
        endpoint_config_name=CONFIG_EVERY_OPTION.properties.EndpointConfigName,
        tags=TAGS,
        cache_config=CACHE,
    ),
    "EndpointForComponents": lambda: ENDPOINT_COMPONENTS,
    "ComponentMinimal": lambda: InferenceComponentStep(
        name="ComponentMinimal",
        inference_component_name="churn-model",
        endpoint_name=ENDPOINT_COMPONENTS.properties.EndpointName,
        model_name=MODEL_NAME,
        compute_resource_requirements=ComputeResourceRequirements(
            number_of_accelerator_devices_required=1, min_memory_required_in_mb=1024
        ),
    ),
    "ComponentEveryOption": lambda: InferenceComponentStep(
        name="ComponentEveryOption",
        display_name="Inference component",
        description="Two copies of the model",
        inference_component_name="churn-model-large",
        endpoint_name=ENDPOINT_COMPONENTS.properties.EndpointName,
        model_name=MODEL_NAME,
        compute_resource_requirements=ComputeResourceRequirements(
            number_of_cpu_cores_required=2,
            min_memory_required_in_mb=2048,
            max_memory_required_in_mb=4096,
        ),
        copy_count=2,
        tags=TAGS,
        extra_arguments={
            "Specification": {
                "StartupParameters": {
                    "ModelDataDownloadTimeoutInSeconds": 600,
                    "ContainerStartupHealthCheckTimeoutInSeconds": 300,
                }
            }
        },
    ),
}


def without_empty_tags(entry: dict[str, Any]) -> dict[str, Any]:
    """The SDK's entry without the empty ``Tags`` list it writes (see the module docstring)."""
    arguments = entry["Arguments"]
    if arguments.get("Tags") == []:
        entry = {**entry, "Arguments": {k: v for k, v in arguments.items() if k != "Tags"}}
    return entry


def test_the_sdk_file_covers_every_case() -> None:
    assert DATA["sdk"] == "sagemaker 2.257.7"
    assert set(SDK_STEPS) == set(CASES)
    # Only the SDK's endpoint configurations and endpoints carry an empty Tags list.
    empty = sorted(
        name for name, entry in SDK_STEPS.items() if entry["Arguments"].get("Tags") == []
    )
    assert {SDK_STEPS[name]["Type"] for name in empty} == {"EndpointConfig", "Endpoint"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_step_renders_as_the_sdk_writes_it(name: str) -> None:
    definition = PipelineDefinition(
        steps=[CASES[name]()], parameters=[INSTANCE_TYPE, INSTANCE_COUNT, ENDPOINT_NAME]
    )
    compiled = {entry["Name"]: entry for entry in definition.to_definition(BINDER)["Steps"]}
    assert compiled[name] == without_empty_tags(SDK_STEPS[name])


def test_the_whole_pipeline_compiles_to_the_sdks_definition() -> None:
    steps = [build() for build in CASES.values()]
    ours = PipelineDefinition(
        steps=steps, parameters=[INSTANCE_TYPE, INSTANCE_COUNT, ENDPOINT_NAME]
    ).to_definition(BINDER)
    theirs = DATA["definition"]
    assert ours["Parameters"] == theirs["Parameters"]
    assert {e["Name"]: e for e in ours["Steps"]} == {
        e["Name"]: without_empty_tags(e) for e in theirs["Steps"]
    }


def test_the_sdks_definition_is_valid_and_converts_back_to_the_deployment_steps() -> None:
    definition = DATA["definition"]
    assert validate_definition(definition) == []
    source = convert_definition(definition)  # proves itself: it compiles to the input
    for name in ("EndpointConfigStep(", "EndpointStep(", "InferenceComponentStep("):
        assert name in source
    # The empty Tags lists are read as none: no extra_arguments={"Tags": []}.
    assert '"Tags": []' not in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    steps = {step.name: step for step in namespace["definition"].steps}
    assert isinstance(steps["EndpointMinimal"], EndpointStep)
    assert steps["ConfigMinimal"].instance_type == "ml.m5.large"


def test_the_sdks_definition_gets_its_grants_derived() -> None:
    plan = plan_permissions(DATA["definition"])
    assert plan.unplanned_steps == []
    assert plan.deploy_grants[("EndpointConfig", "endpoint-config")] == [
        "churn-config*",
        "churn-config-full*",
        "churn-config-parameters*",
        "churn-config-serverless*",
        "churn-config-async*",
        "churn-components*",
        "churn-ab*",
    ]
    # The endpoint named by a parameter may be any endpoint: said so.
    assert plan.deploy_grants[("Endpoint", "endpoint")] == ["churn", "*", "churn-components"]
    assert plan.open_deploy_names == [("EndpointEveryOption", "Arguments.EndpointName")]
    assert plan.deploy_grants[("InferenceComponent", "model")] == ["pipelines-*"]


@pytest.mark.parametrize(
    ("case", "build"),
    [
        (
            "endpoint-retry-policies",
            lambda: EndpointStep(  # type: ignore[call-arg]
                name="E", endpoint_name="e", endpoint_config_name="c", retry_policies=[RETRY]
            ),
        ),
        (
            "component-retry-policies",
            lambda: InferenceComponentStep(  # type: ignore[call-arg]
                name="C",
                inference_component_name="c",
                endpoint_name="e",
                model_name="m",
                retry_policies=[RETRY],
            ),
        ),
        (
            "component-cache-config",
            lambda: InferenceComponentStep(  # type: ignore[call-arg]
                name="C",
                inference_component_name="c",
                endpoint_name="e",
                model_name="m",
                cache_config=CACHE,
            ),
        ),
    ],
)
def test_fails_what_the_sdk_refuses_naming_the_step_and_argument(
    case: str, build: Callable[[], Step]
) -> None:
    # The SDK's own refusal is a TypeError of the same keyword.
    sdk_error = DATA["errors"][case]
    keyword = sdk_error.rsplit("'", 2)[-2]
    with pytest.raises(UnknownArgumentError, match=rf"takes no argument '{keyword}'"):
        build()
