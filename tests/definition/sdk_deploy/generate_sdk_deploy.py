# mypy: ignore-errors
"""Generate ``sdk-deploy.json``: what the SageMaker SDK v2 writes for its deployment steps.

Not part of the project (which never imports the SDK) nor of its tests: run it with the
interpreter of an environment that has ``sagemaker`` (2.257.7 for the checked-in file),
offline (placeholder credentials; telemetry patched out; every socket connection and AWS API
call refused, and none is attempted)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python \
        tests/definition/sdk_deploy/generate_sdk_deploy.py \
        > tests/definition/sdk_deploy/sdk-deploy.json

It prints ``{"sdk": <version>, "definition": <pipeline.definition()>, "errors": {<case>:
<the SDK's error>}}``: one pipeline of a ``ModelStep`` and ``EndpointConfigStep``,
``EndpointStep`` and ``InferenceComponentStep`` steps built from
``PipelineSession.create_endpoint_config``, ``create_endpoint`` and
``create_inference_component`` (each step's name says what it was given), and, under
``errors``, what the SDK refuses (retry policies or caching where a step takes none).
``tests/definition/test_sdk_deploy.py`` builds the same steps in the language and compares
the entries.
"""

import json
import sys
from pathlib import Path

# Placeholder credentials and no logging before the SDK loads; no network, no AWS calls.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sdk_offline import BLOCKED, offline_session

# isort: split

import sagemaker
from sagemaker.model import Model
from sagemaker.workflow.endpoint_step import EndpointConfigStep, EndpointStep
from sagemaker.workflow.inference_component_step import InferenceComponentStep
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.retry import StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.workflow.steps import CacheConfig

REGION, ROLE, BUCKET = "us-east-1", "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
session = offline_session(REGION, BUCKET)

INSTANCE_TYPE = ParameterString(name="EndpointInstanceType", default_value="ml.m5.large")
INSTANCE_COUNT = ParameterInteger(name="EndpointInstanceCount", default_value=1)
ENDPOINT_NAME = ParameterString(name="EndpointName", default_value="churn-staging")
RETRY = StepRetryPolicy(exception_types=[StepExceptionTypeEnum.SERVICE_FAULT], max_attempts=3)
CACHE = CacheConfig(enable_caching=True, expire_after="P30D")
TAGS = [{"Key": "team", "Value": "churn"}]

model = Model(
    image_uri=IMAGE,
    model_data=f"s3://{BUCKET}/model/model.tar.gz",
    role=ROLE,
    sagemaker_session=session,
)
model_step = ModelStep(name="CreateModel", step_args=model.create(instance_type="ml.m5.large"))
model_name = model_step.properties.ModelName

config_minimal = EndpointConfigStep(
    name="ConfigMinimal",
    step_args=session.create_endpoint_config(
        name="churn-config",
        model_name=model_name,
        initial_instance_count=1,
        instance_type="ml.m5.large",
    ),
)
config_every_option = EndpointConfigStep(
    name="ConfigEveryOption",
    display_name="Endpoint configuration",
    description="Two instances, encrypted, capturing data",
    step_args=session.create_endpoint_config(
        name="churn-config-full",
        model_name=model_name,
        initial_instance_count=2,
        instance_type="ml.c5.xlarge",
        tags=TAGS,
        kms_key=KEY,
        data_capture_config_dict={
            "EnableCapture": True,
            "InitialSamplingPercentage": 20,
            "DestinationS3Uri": f"s3://{BUCKET}/data-capture",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
        volume_size=30,
        model_data_download_timeout=600,
        container_startup_health_check_timeout=300,
        routing_config={"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        inference_ami_version="al2-ami-sagemaker-inference-gpu-2",
    ),
    cache_config=CACHE,
    retry_policies=[RETRY],
)
config_parameters = EndpointConfigStep(
    name="ConfigParameters",
    step_args=session.create_endpoint_config(
        name="churn-config-parameters",
        model_name=model_name,
        initial_instance_count=INSTANCE_COUNT,
        instance_type=INSTANCE_TYPE,
    ),
)
config_serverless = EndpointConfigStep(
    name="ConfigServerless",
    step_args=session.create_endpoint_config(
        name="churn-config-serverless",
        model_name=model_name,
        serverless_inference_config_dict={"MemorySizeInMB": 2048, "MaxConcurrency": 5},
    ),
)
config_async = EndpointConfigStep(
    name="ConfigAsync",
    step_args=session.create_endpoint_config(
        name="churn-config-async",
        model_name=model_name,
        initial_instance_count=1,
        instance_type="ml.m5.large",
        async_inference_config_dict={
            "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/async-out"},
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
        },
    ),
)
# An endpoint for inference components: a variant with no model, and the role the endpoint
# config then carries instead.
config_components = EndpointConfigStep(
    name="ConfigForComponents",
    step_args=session.create_endpoint_config(
        name="churn-components",
        production_variants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 1,
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
        role=ROLE,
    ),
)
# Two variants of one model, traffic split 3:1, given as the service's variants.
config_variants = EndpointConfigStep(
    name="ConfigTwoVariants",
    step_args=session.create_endpoint_config(
        name="churn-ab",
        production_variants=[
            {
                "VariantName": "Blue",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 3,
            },
            {
                "VariantName": "Green",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "InitialVariantWeight": 1,
            },
        ],
        kms_key=KEY,
    ),
)

endpoint_minimal = EndpointStep(
    name="EndpointMinimal",
    step_args=session.create_endpoint(
        endpoint_name="churn", config_name=config_minimal.properties.EndpointConfigName
    ),
)
endpoint_every_option = EndpointStep(
    name="EndpointEveryOption",
    display_name="Endpoint",
    description="Creates or updates the endpoint",
    depends_on=[config_minimal],
    step_args=session.create_endpoint(
        endpoint_name=ENDPOINT_NAME,
        config_name=config_every_option.properties.EndpointConfigName,
        tags=TAGS,
    ),
    cache_config=CACHE,
)
endpoint_components = EndpointStep(
    name="EndpointForComponents",
    step_args=session.create_endpoint(
        endpoint_name="churn-components",
        config_name=config_components.properties.EndpointConfigName,
    ),
)

component_minimal = InferenceComponentStep(
    name="ComponentMinimal",
    step_args=session.create_inference_component(
        inference_component_name="churn-model",
        endpoint_name=endpoint_components.properties.EndpointName,
        variant_name="AllTraffic",
        specification={
            "ModelName": model_name,
            "ComputeResourceRequirements": {
                "NumberOfAcceleratorDevicesRequired": 1,
                "MinMemoryRequiredInMb": 1024,
            },
        },
    ),
)
component_every_option = InferenceComponentStep(
    name="ComponentEveryOption",
    display_name="Inference component",
    description="Two copies of the model",
    step_args=session.create_inference_component(
        inference_component_name="churn-model-large",
        endpoint_name=endpoint_components.properties.EndpointName,
        variant_name="AllTraffic",
        specification={
            "ModelName": model_name,
            "StartupParameters": {
                "ModelDataDownloadTimeoutInSeconds": 600,
                "ContainerStartupHealthCheckTimeoutInSeconds": 300,
            },
            "ComputeResourceRequirements": {
                "NumberOfCpuCoresRequired": 2,
                "MinMemoryRequiredInMb": 2048,
                "MaxMemoryRequiredInMb": 4096,
            },
        },
        runtime_config={"CopyCount": 2},
        tags=TAGS,
    ),
)

STEPS = [
    model_step,
    config_minimal,
    config_every_option,
    config_parameters,
    config_serverless,
    config_async,
    config_components,
    config_variants,
    endpoint_minimal,
    endpoint_every_option,
    endpoint_components,
    component_minimal,
    component_every_option,
]


def _error(make):
    try:
        make()
    except (TypeError, ValueError) as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())}"
    return None


def _endpoint_args():
    return session.create_endpoint(endpoint_name="e", config_name="c")


def _component_args():
    return session.create_inference_component(
        inference_component_name="c", endpoint_name="e", variant_name="v", specification={}
    )


# The SDK's refusals: what each step takes, and step arguments of another producer.
ERRORS = {
    "endpoint-retry-policies": lambda: EndpointStep(
        name="E", step_args=_endpoint_args(), retry_policies=[RETRY]
    ),
    "component-retry-policies": lambda: InferenceComponentStep(
        name="C", step_args=_component_args(), retry_policies=[RETRY]
    ),
    "component-cache-config": lambda: InferenceComponentStep(
        name="C", step_args=_component_args(), cache_config=CACHE
    ),
    "endpoint-of-config-arguments": lambda: EndpointStep(
        name="E",
        step_args=session.create_endpoint_config(
            name="c", model_name="m", initial_instance_count=1, instance_type="ml.m5.large"
        ),
    ),
}

pipeline = Pipeline(
    name="deploy-steps",
    parameters=[INSTANCE_TYPE, INSTANCE_COUNT, ENDPOINT_NAME],
    steps=STEPS,
    sagemaker_session=session,
)
result = {
    "sdk": f"sagemaker {sagemaker.__version__}",
    "definition": json.loads(pipeline.definition()),
    "errors": {case: _error(make) for case, make in ERRORS.items()},
}
if BLOCKED:
    sys.exit(f"the SDK tried to reach AWS: {BLOCKED}")
json.dump(result, sys.stdout, indent=1, sort_keys=True)
print()
