"""EndpointConfigStep and EndpointStep render CreateEndpointConfig and CreateEndpoint requests."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    JobDefaults,
    ModelStep,
    NetworkConfig,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProductionVariant,
    PropertyPathError,
    S3Location,
    ServerlessConfig,
    StaticBinder,
    StepExceptionType,
    StepRetryPolicy,
    TrainingStep,
    UnknownArgumentError,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE, OTHER_ROLE, OUTPUT_KEY, VOLUME_KEY

MODEL = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://b/model.tar.gz")


def config(**fields: Any) -> EndpointConfigStep:
    settings: dict[str, Any] = {
        "name": "Config",
        "endpoint_config_name": "churn",
        "model_name": MODEL.properties.ModelName,
        "instance_type": "ml.m5.large",
        **fields,
    }
    return EndpointConfigStep(**settings)


class KeyBinder(StaticBinder):
    """A binder with KMS defaults, as the CDK Pipeline gives its artifact key."""

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(volume_kms_key=VOLUME_KEY, output_kms_key=OUTPUT_KEY)


def test_minimal_config_renders_one_variant_as_the_sdk_writes_it(ctx: RenderContext) -> None:
    assert config().to_request(ctx) == {
        "Name": "Config",
        "Type": "EndpointConfig",
        "Arguments": {
            "EndpointConfigName": "churn",
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": {"Get": "Steps.CreateModel.ModelName"},
                    "InitialVariantWeight": 1,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        },
    }
    assert ctx.problems == []


def test_every_option(ctx: RenderContext) -> None:
    name = ParameterString(name="ConfigName", default_value="churn")
    step = EndpointConfigStep(
        name="Config",
        display_name="Configuration",
        description="Blue and green",
        depends_on=["Other"],
        endpoint_config_name=name,
        production_variants=[
            ProductionVariant(
                variant_name="Blue",
                model_name=MODEL.properties.ModelName,
                instance_type="ml.m5.large",
                initial_instance_count=2,
                initial_variant_weight=3,
                volume_size_in_gb=30,
                model_data_download_timeout_in_seconds=600,
                container_startup_health_check_timeout_in_seconds=300,
                routing_strategy="LEAST_OUTSTANDING_REQUESTS",
                inference_ami_version="al2-ami-sagemaker-inference-gpu-2",
            ),
            ProductionVariant(
                variant_name="Green",
                model_name="other-model",
                serverless_config=ServerlessConfig(
                    memory_size_in_mb=2048, max_concurrency=5, provisioned_concurrency=1
                ),
            ),
            # A mapping passes as it is, expressions rendered.
            {"VariantName": "Raw", "InstanceType": "ml.m5.large", "ModelName": name},
        ],
        kms_key_id=VOLUME_KEY,
        data_capture_config=DataCaptureConfig(
            destination=S3Location.from_bucket("capture-bucket", "churn"),
            sampling_percentage=100,
            capture_options=["Input"],
            csv_content_types=["text/csv"],
            json_content_types=None,
            kms_key_id=OUTPUT_KEY,
        ),
        async_inference_config={"OutputConfig": {"S3OutputPath": "s3://b/async"}},
        role=OTHER_ROLE,
        network=NetworkConfig(
            subnets=["subnet-1"], security_group_ids=["sg-1"], enable_network_isolation=True
        ),
        tags={"team": "churn", "stage": name},
        cache_config=CacheConfig(expire_after="P30D"),
        retry_policies=[StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING])],
        extra_arguments={"ExplainerConfig": {"ClarifyExplainerConfig": {}}},
    )
    config_name = {"Get": "Parameters.ConfigName"}
    assert step.to_request(ctx) == {
        "Name": "Config",
        "Type": "EndpointConfig",
        "Arguments": {
            "EndpointConfigName": config_name,
            "ProductionVariants": [
                {
                    "VariantName": "Blue",
                    "ModelName": {"Get": "Steps.CreateModel.ModelName"},
                    "InitialVariantWeight": 3,
                    "InitialInstanceCount": 2,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 30,
                    "ModelDataDownloadTimeoutInSeconds": 600,
                    "ContainerStartupHealthCheckTimeoutInSeconds": 300,
                    "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
                    "InferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-2",
                },
                {
                    "VariantName": "Green",
                    "ModelName": "other-model",
                    "InitialVariantWeight": 1,
                    "ServerlessConfig": {
                        "MemorySizeInMB": 2048,
                        "MaxConcurrency": 5,
                        "ProvisionedConcurrency": 1,
                    },
                },
                {"VariantName": "Raw", "InstanceType": "ml.m5.large", "ModelName": config_name},
            ],
            "ExecutionRoleArn": OTHER_ROLE,
            "Tags": [
                {"Key": "team", "Value": "churn"},
                {"Key": "stage", "Value": config_name},
            ],
            "KmsKeyId": VOLUME_KEY,
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": "s3://capture-bucket/churn",
                "CaptureOptions": [{"CaptureMode": "Input"}],
                "KmsKeyId": OUTPUT_KEY,
                "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
            },
            "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/async"}},
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
            "EnableNetworkIsolation": True,
            "ExplainerConfig": {"ClarifyExplainerConfig": {}},
        },
        "DependsOn": ["Other"],
        "DisplayName": "Configuration",
        "Description": "Blue and green",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "ExceptionType": ["Step.THROTTLING"],
            }
        ],
    }
    assert ctx.problems == []


def test_a_configuration_for_inference_components_runs_as_the_binders_role(
    ctx: RenderContext,
) -> None:
    step = EndpointConfigStep(
        name="Config",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    arguments = step.to_request(ctx)["Arguments"]
    assert arguments["ExecutionRoleArn"] == ROLE
    assert arguments["ProductionVariants"] == [
        {"VariantName": "AllTraffic", "InitialInstanceCount": 1, "InstanceType": "ml.g5.2xlarge"}
    ]


def test_fails_a_configuration_for_components_with_a_binder_of_no_role() -> None:
    step = EndpointConfigStep(
        name="Config",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    with pytest.raises(PipelineValidationError, match=r"field 'Arguments.ExecutionRoleArn'"):
        step.to_request()


def test_the_binders_volume_key_encrypts_instances_of_literal_types_with_ebs() -> None:
    binder = KeyBinder(role_arn=ROLE)
    ebs = config(data_capture_config=DataCaptureConfig(destination="s3://b/capture"))
    arguments = ebs.to_request(RenderContext(binder))["Arguments"]
    assert arguments["KmsKeyId"] == VOLUME_KEY
    assert arguments["DataCaptureConfig"]["KmsKeyId"] == OUTPUT_KEY
    # As the SDK applies its configured key: not to an NVMe store or serverless.
    for step in (
        config(instance_type="ml.g5.2xlarge"),
        config(instance_type=ParameterString(name="Type", default_value="ml.g5.xlarge")),
        config(
            instance_type=None,
            serverless_config=ServerlessConfig(memory_size_in_mb=1024, max_concurrency=1),
        ),
    ):
        assert "KmsKeyId" not in step.to_request(RenderContext(binder))["Arguments"]
    # The step's own key wins.
    mine = config(kms_key_id="arn:aws:kms:us-east-1:111122223333:key/mine")
    assert mine.to_request(RenderContext(binder))["Arguments"]["KmsKeyId"].endswith("/mine")


def test_a_variant_parameter_is_judged_by_its_default_as_a_jobs_instance_type() -> None:
    # Was: no key for any parameter, so a parameter defaulting to ml.m5.large deployed
    # unencrypted volumes and SMP-JobVolumeEncryption flagged a finding the binder's key
    # would have fixed (a job's parameter of an EBS default gets the key).
    binder = KeyBinder(role_arn=ROLE)
    for instance_type in (
        ParameterString(name="Type", default_value="ml.m5.large"),
        ParameterString(name="Type"),  # nothing shows it would fail, as for a job
    ):
        step = config(instance_type=instance_type)
        assert step.to_request(RenderContext(binder))["Arguments"]["KmsKeyId"] == VOLUME_KEY


def test_the_binders_output_key_encrypts_asynchronous_results_as_captured_data() -> None:
    # Was: async_inference_config= passed as written, its results unencrypted by default
    # while captured data got the binder's key.
    binder = KeyBinder(role_arn=ROLE)
    output = {"S3OutputPath": "s3://b/async", "S3FailurePath": "s3://b/async-failures"}
    step = config(async_inference_config={"OutputConfig": output, "ClientConfig": {}})
    arguments = step.to_request(RenderContext(binder))["Arguments"]
    assert arguments["AsyncInferenceConfig"] == {
        "OutputConfig": {**output, "KmsKeyId": OUTPUT_KEY},
        "ClientConfig": {},
    }
    assert step.async_inference_config == {"OutputConfig": output, "ClientConfig": {}}
    # The step's own key wins; a binder without a key adds none.
    mine = "arn:aws:kms:us-east-1:111122223333:key/mine"
    given = config(async_inference_config={"OutputConfig": {**output, "KmsKeyId": mine}})
    assert given.to_request(RenderContext(binder))["Arguments"]["AsyncInferenceConfig"] == {
        "OutputConfig": {**output, "KmsKeyId": mine}
    }
    plain = step.to_request(RenderContext(StaticBinder(role_arn=ROLE)))["Arguments"]
    assert plain["AsyncInferenceConfig"] == {"OutputConfig": output, "ClientConfig": {}}


class NetworkBinder(StaticBinder):
    """A binder with a VPC and network isolation, as the CDK Pipeline given vpc=."""

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(
            network=NetworkConfig(
                subnets=["subnet-1"], security_group_ids=["sg-1"], enable_network_isolation=True
            )
        )


def test_a_configuration_for_inference_components_takes_the_binders_network() -> None:
    # Was: only network= placed it, so under a VPC-only pipeline its components ran with
    # open network access (SMP-JobNetworkIsolation) while a Model step's model didn't.
    ctx = RenderContext(NetworkBinder(role_arn=ROLE))
    components = EndpointConfigStep(
        name="Config",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    arguments = components.to_request(ctx)["Arguments"]
    assert arguments["VpcConfig"] == {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}
    assert arguments["EnableNetworkIsolation"] is True
    # The step's own network wins (NetworkConfig() for none at all).
    own = NetworkConfig(enable_network_isolation=True)
    for network, expected in ((own, {"EnableNetworkIsolation": True}), (NetworkConfig(), {})):
        mine = EndpointConfigStep(
            name="Config",
            endpoint_config_name="components",
            production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
            network=network,
        )
        rendered = mine.to_request(ctx)["Arguments"]
        assert {
            key: rendered[key] for key in ("VpcConfig", "EnableNetworkIsolation") if key in rendered
        } == expected
    # A configuration of models: each model runs in its own network (its Model step's).
    of_models = config().to_request(ctx)["Arguments"]
    assert "VpcConfig" not in of_models
    assert "EnableNetworkIsolation" not in of_models


def test_endpoint_renders_create_endpoint(ctx: RenderContext) -> None:
    step_config = config()
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=step_config.properties.EndpointConfigName,
        deployment_config={"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]}},
        tags={"team": "churn"},
        cache_config=CacheConfig(expire_after="P1D"),
        extra_arguments={
            "DeploymentConfig": {"RollingUpdatePolicy": {"WaitIntervalInSeconds": 60}}
        },
    )
    assert endpoint.to_request(ctx) == {
        "Name": "Deploy",
        "Type": "Endpoint",
        "Arguments": {
            "EndpointName": "churn",
            "EndpointConfigName": {"Get": "Steps.Config.EndpointConfigName"},
            "DeploymentConfig": {
                "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
                "RollingUpdatePolicy": {"WaitIntervalInSeconds": 60},
            },
            "Tags": [{"Key": "team", "Value": "churn"}],
        },
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
    }


def test_job_tags_go_on_the_endpoint_and_its_configuration() -> None:
    binder = StaticBinder(role_arn=ROLE, job_tags={"cost-centre": "CC-1", "team": "ml"})
    endpoint = EndpointStep(
        name="Deploy", endpoint_name="churn", endpoint_config_name="c", tags={"team": "churn"}
    )
    ctx = RenderContext(binder)
    own_first = [{"Key": "team", "Value": "churn"}, {"Key": "cost-centre", "Value": "CC-1"}]
    assert endpoint.to_request(ctx)["Arguments"]["Tags"] == own_first
    # A configuration costs nothing itself, but an SCP may require tags on
    # CreateEndpointConfig as on every sagemaker:Create*.
    assert config(tags={"team": "churn"}).to_request(ctx)["Arguments"]["Tags"] == own_first
    assert config().to_request(ctx)["Arguments"]["Tags"] == [
        {"Key": "cost-centre", "Value": "CC-1"},
        {"Key": "team", "Value": "ml"},
    ]


def test_properties_follow_the_describe_responses() -> None:
    step_config = config()
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=step_config.properties.EndpointConfigName,
    )
    assert step_config.properties.EndpointConfigArn.to_request() == {
        "Get": "Steps.Config.EndpointConfigArn"
    }
    assert endpoint.properties.ProductionVariants[0].CurrentInstanceCount.to_request() == {
        "Get": "Steps.Deploy.ProductionVariants[0].CurrentInstanceCount"
    }
    assert endpoint.properties.EndpointStatus.value_type == "String"
    with pytest.raises(PropertyPathError, match=r"did you mean 'EndpointConfigName'"):
        _ = step_config.properties.EndpointConfigNam  # type: ignore[attr-defined]
    with pytest.raises(
        PropertyPathError,
        match=r"ModelName is a property of Transform and Model steps; an Endpoint step's "
        r"endpoint is EndpointName",
    ):
        _ = endpoint.properties.ModelName  # type: ignore[attr-defined]


def test_a_pipeline_of_model_config_and_endpoint_compiles_in_dependency_order() -> None:
    train = TrainingStep(name="Train", image=IMAGE, role=ROLE)
    model = ModelStep(name="CreateModel", image=IMAGE, model_data=train.model_data, role=ROLE)
    step_config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=step_config.properties.EndpointConfigName,
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b")
    compiled = PipelineDefinition(steps=[endpoint]).to_definition(binder)
    assert [entry["Name"] for entry in compiled["Steps"]] == [
        "Train",
        "CreateModel",
        "Config",
        "Deploy",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"instance_type": None},
            r"^EndpointConfigStep 'Config': give instance_type= \(and initial_instance_count=, "
            r"Default: 1\) for a variant on instances, or serverless_config=ServerlessConfig\(…\) "
            r"for a serverless one, or production_variants=\[…\]$",
        ),
        (
            {"serverless_config": ServerlessConfig(memory_size_in_mb=1024, max_concurrency=1)},
            r"^EndpointConfigStep 'Config': serverless_config= takes the place of "
            r"instance_type=: a serverless variant has no instances$",
        ),
        (
            {"production_variants": [ProductionVariant(instance_type="ml.m5.large")]},
            r"^EndpointConfigStep 'Config': production_variants= takes the place of "
            r"model_name=, instance_type=; give them to each ProductionVariant\(…\) instead$",
        ),
        (
            {
                "model_name": None,
                "instance_type": None,
                "variant_name": "Blue",
                "production_variants": [ProductionVariant(instance_type="ml.m5.large")],
            },
            r"^EndpointConfigStep 'Config': production_variants= takes the place of "
            r"variant_name=; give them to each ProductionVariant\(…\) instead$",
        ),
        (
            {"model_name": None, "instance_type": None, "production_variants": []},
            r"production_variants= is empty",
        ),
        (
            {
                "model_name": None,
                "instance_type": None,
                "production_variants": [
                    ProductionVariant(variant_name="A", instance_type="ml.m5.large"),
                    {"VariantName": "A", "InstanceType": "ml.m5.xlarge"},
                ],
            },
            r"names variant 'A' more than once",
        ),
        (
            {"instance_type": "ml.g5.2xlarge", "kms_key_id": VOLUME_KEY},
            r"^EndpointConfigStep 'Config': kms_key_id= can't encrypt ml.g5.2xlarge: its ML "
            r"storage is the instance's NVMe store",
        ),
        (
            {"tags": {"aws:team": "ml"}},
            r"^EndpointConfigStep 'Config': field 'tags': SageMaker would refuse key 'aws:team'",
        ),
        ({"model_name": 3}, r"field 'model_name' expects str or Expression, got int 3"),
    ],
)
def test_fails_a_configuration_sagemaker_would_refuse_naming_the_step(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        config(**fields)


def test_fails_sdk_spellings_with_what_to_write_instead() -> None:
    with pytest.raises(UnknownArgumentError, match=r"here: kms_key_id="):
        config(kms_key=VOLUME_KEY)
    with pytest.raises(
        UnknownArgumentError, match=r"here: production_variants=\[ProductionVariant\("
    ):
        config(volume_size=30)
    with pytest.raises(UnknownArgumentError, match=r"here: endpoint_config_name=, usually"):
        EndpointStep(name="Deploy", endpoint_name="churn", config_name="c")  # type: ignore[call-arg]
    with pytest.raises(UnknownArgumentError, match=r"takes no argument 'retry_policies'"):
        EndpointStep(  # type: ignore[call-arg]
            name="Deploy", endpoint_name="churn", endpoint_config_name="c", retry_policies=[]
        )


def test_fails_a_variant_without_instances_or_serverless() -> None:
    with pytest.raises(PipelineDefinitionError, match=r"^ProductionVariant: give instance_type= "):
        ProductionVariant(model_name="m")
    with pytest.raises(PipelineDefinitionError, match=r"capture_options=\[\] captures nothing"):
        DataCaptureConfig(destination="s3://b/c", capture_options=[])


def test_problems_of_a_compiled_step_name_its_argument() -> None:
    step = config(instance_type="ml.m5.lrge", model_name="bad_name")
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(StaticBinder(role_arn=ROLE))
    found = {(p.field, p.argument) for p in raised.value.problems}
    assert ("Arguments.ProductionVariants[0].InstanceType", "instance_type") in found
    assert ("Arguments.ProductionVariants[0].ModelName", "model_name") in found


def test_fails_an_endpoint_of_the_name_a_configuration_step_asks_for() -> None:
    # The configuration that step creates has an execution-unique suffix.
    endpoint = EndpointStep(
        name="Deploy", endpoint_name="churn", endpoint_config_name="churn", depends_on=[config()]
    )
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[endpoint]).to_definition(StaticBinder(role_arn=ROLE))
    (problem,) = raised.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "Deploy",
        "Arguments.EndpointConfigName",
        "endpoint_config_name",
    )
    assert problem.message.startswith(
        "'churn' is the name EndpointConfig step 'Config' gives, but the configuration that "
        "step creates carries an execution-unique suffix"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"memory_size_in_mb": 1500},
            "memory_size_in_mb 1500 is not a memory size of serverless endpoints: "
            "1024, 2048, 3072, 4096, 5120, 6144 (1 GB steps) (memory_size_in_mb=2048)",
        ),
        (
            {"memory_size_in_mb": 8192},
            "memory_size_in_mb 8192 is not a memory size of serverless endpoints: "
            "1024, 2048, 3072, 4096, 5120, 6144 (1 GB steps) (6144 MB is the most: use "
            "instances beyond)",
        ),
        (
            {"memory_size_in_mb": "2048"},
            "field 'memory_size_in_mb' expects int or Expression, got str '2048'",
        ),
        ({"max_concurrency": 0}, "max_concurrency must be 1-200 concurrent invocations, got 0"),
        ({"max_concurrency": 201}, "max_concurrency must be 1-200 concurrent invocations, got 201"),
        (
            {"provisioned_concurrency": 0},
            "provisioned_concurrency must be 1-200 concurrent invocations, got 0",
        ),
        (
            {"provisioned_concurrency": 6},
            "provisioned_concurrency 6 is more than max_concurrency 5: SageMaker provisions at "
            "most the concurrency the endpoint may serve (provisioned_concurrency=5 or less, or "
            "max_concurrency=6)",
        ),
    ],
)
def test_fails_a_serverless_config_sagemaker_refuses_naming_the_field(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        ServerlessConfig(**{"memory_size_in_mb": 2048, "max_concurrency": 5, **fields})  # type: ignore[arg-type]
    assert str(raised.value) == f"ServerlessConfig: {message}"


def test_a_serverless_config_may_provision_all_its_concurrency() -> None:
    config = ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5, provisioned_concurrency=5)
    assert config.to_request() == {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 5,
        "ProvisionedConcurrency": 5,
    }


def test_a_serverless_config_of_parameters_is_checked_at_run_time_only() -> None:
    memory = ParameterInteger("ServerlessMemory", default_value=1500)
    config = ServerlessConfig(memory_size_in_mb=memory, max_concurrency=5)
    assert config.to_request() == {
        "MemorySizeInMB": {"Get": "Parameters.ServerlessMemory"},
        "MaxConcurrency": 5,
    }
