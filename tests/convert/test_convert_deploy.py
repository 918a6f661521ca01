"""``smpipe convert`` writes deployment steps as ``EndpointConfigStep``, ``EndpointStep``
and ``InferenceComponentStep``, proved by compiling the code back to the same definition."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.convert import convert_definition, definition_difference
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.conftest import ROLE

MODEL = {
    "Name": "CreateModel",
    "Type": "Model",
    "Arguments": {
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {
            "Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/churn:1",
            "Environment": {},
            "ModelDataUrl": "s3://b/model.tar.gz",
        },
    },
}
MODEL_NAME = {"Get": "Steps.CreateModel.ModelName"}


def definition(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": [MODEL, *steps]}


def converted(source_definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Python, and what it compiles to (convert_definition proved them equal)."""
    source = convert_definition(source_definition)
    namespace: dict[str, Any] = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    return source, namespace["definition"].to_definition(StaticBinder())


def test_one_variant_is_written_with_the_single_variant_keywords() -> None:
    config = {
        "Name": "Config",
        "Type": "EndpointConfig",
        "Arguments": {
            "EndpointConfigName": "churn",
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": MODEL_NAME,
                    "InitialVariantWeight": 1,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
            "Tags": [],
        },
    }
    source, compiled = converted(definition(config))
    assert (
        "config = EndpointConfigStep(\n"
        '    name="Config",\n'
        '    endpoint_config_name="churn",\n'
        "    model_name=create_model.properties.ModelName,\n"
        '    instance_type="ml.m5.large",\n'
        ")\n"
    ) in source
    # The SDK's empty Tags list tags nothing: no extra_arguments for it.
    assert definition_difference(compiled, definition(config)) is None


def test_a_variant_the_class_writes_otherwise_stays_a_mapping() -> None:
    # No InitialVariantWeight for a model: ProductionVariant would write 1.
    raw = {
        "VariantName": "Main",
        "ModelName": MODEL_NAME,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    config = {
        "Name": "Config",
        "Type": "EndpointConfig",
        "Arguments": {
            "EndpointConfigName": "churn",
            "ProductionVariants": [
                raw,
                {
                    "VariantName": "Serverless",
                    "ModelName": MODEL_NAME,
                    "InitialVariantWeight": 2,
                    "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 2},
                },
            ],
            "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": "s3://b/capture",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
            "MetricsConfig": {"EnableEnhancedMetrics": True},
        },
    }
    source, _ = converted(definition(config))
    assert '"VariantName": "Main"' in source  # the mapping, as the input has it
    assert (
        "        ProductionVariant(\n"
        "            model_name=create_model.properties.ModelName,\n"
        '            variant_name="Serverless",\n'
        "            initial_variant_weight=2,\n"
        "            serverless_config=ServerlessConfig(\n"
        "                memory_size_in_mb=1024,\n"
        "                max_concurrency=2,\n"
        "            ),\n"
        "        ),\n"
    ) in source
    assert "data_capture_config=DataCaptureConfig(" in source
    assert 'capture_options=["Input"]' in source
    assert "csv_content_types=None" in source
    # A member no keyword writes stays in extra_arguments.
    assert 'extra_arguments={"MetricsConfig": {"EnableEnhancedMetrics": True}}' in source


def test_an_endpoint_and_a_component_round_trip() -> None:
    endpoint = {
        "Name": "Deploy",
        "Type": "Endpoint",
        "Arguments": {
            "EndpointName": "components",
            "EndpointConfigName": "existing-config",
            "Tags": [{"Key": "team", "Value": "churn"}],
        },
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
    }
    component = {
        "Name": "Component",
        "Type": "InferenceComponent",
        "Arguments": {
            "InferenceComponentName": "churn-model",
            "EndpointName": {"Get": "Steps.Deploy.EndpointName"},
            # No VariantName: the keyword's default (AllTraffic) is left out with None.
            "Specification": {
                "ModelName": MODEL_NAME,
                "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024},
                "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600},
            },
            "RuntimeConfig": {"CopyCount": 3},
        },
    }
    source, compiled = converted(definition(endpoint, component))
    assert 'tags={"team": "churn"}' in source
    assert "variant_name=None" in source
    assert "copy_count=3" in source
    assert (
        'extra_arguments={\n        "Specification": {\n            "StartupParameters": '
        '{"ModelDataDownloadTimeoutInSeconds": 600},\n        },\n    },\n'
    ) in source
    assert definition_difference(compiled, definition(endpoint, component)) is None
