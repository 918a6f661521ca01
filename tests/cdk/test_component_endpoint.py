"""``ComponentEndpoint``: several versions served as inference components of one endpoint.

One module-scoped stack, synthesized once: the guide's example run as written (two
components of support-llm, one scaled from 0) and an endpoint on EBS-backed instances in
a VPC. cfn-lint lints its template in the session's lint worker (``tests/cdk/lint.py``),
read by the module's last test. Refusals are built in other stacks, never synthesized.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    ComponentAdapter,
    ComponentCompute,
    ComponentEndpoint,
    EndpointComponent,
    ManagedInstanceScaling,
    ModelRegistry,
)
from cdk_sagemaker_pipelines.cdk._policy_size import MAX_MANAGED_POLICY_LENGTH, deployed_length
from cdk_sagemaker_pipelines.cdk.component_endpoint import MODEL_DATA_ROOM
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from cdk_sagemaker_pipelines.definition._service_model import shape
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, pack_findings, template_json
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.cdk.test_endpoint_large_models import GUIDE
from tests.test_docs import code_blocks

SUBNETS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"]


def version(number: int, group: str = "support-llm") -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{number}"


def _guide_function() -> Any:
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if "def add_support_llms(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:add_support_llms", "exec"), namespace)
    return namespace["add_support_llms"]


class Built:
    def __init__(self) -> None:
        self.stack = new_stack()
        stack = self.stack
        self.store = ArtifactStore(stack, "Artifacts")
        registry = ModelRegistry(
            stack, "Registry", model_package_group_name="support-llm", artifact_store=self.store
        )
        self.llms: ComponentEndpoint = _guide_function()(
            stack, self.store, registry, version(3), version(4)
        )
        self.vpc = ec2.Vpc.from_vpc_attributes(
            stack,
            "Vpc",
            vpc_id="vpc-0a1b2c3d4e5f60718",
            availability_zones=[f"{REGION}a", f"{REGION}b"],
            private_subnet_ids=SUBNETS,
            private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60711", "rtb-0a1b2c3d4e5f60722"],
        )
        self.cpu = ComponentEndpoint(
            stack,
            "Cpu",
            artifact_store=self.store,
            instance_type="ml.m5.xlarge",
            initial_instance_count=2,
            routing_strategy="RANDOM",
            volume_size_in_gb=100,  # EBS storage: sized
            vpc=self.vpc,
            require_approval=False,
        )
        self.small = self.cpu.add_component(
            "Small",
            model_package_arn=version(1, "churn"),
            copies=2,
            compute=ComponentCompute(
                min_memory_required_in_mb=1024, number_of_cpu_cores_required=1
            ),
            container_startup_health_check_timeout=Duration.minutes(5),
            # Over the version's own: the same version on fewer devices here.
            environment={"OPTION_TENSOR_PARALLEL_DEGREE": "1", "HF_TOKEN_ARN": "arn:aws:x"},
        )
        # LoRA adapters on the small component: one archive, one folder ending in a token.
        self.archive = self.small.add_adapter(
            "Fr", artifact=f"s3://{self.store.bucket.bucket_name}/adapters/fr/adapter.tar.gz"
        )
        self.folder = self.small.add_adapter(
            "De", artifact=f"s3://{self.store.bucket.bucket_name}/adapters/de/{cdk.Aws.STACK_NAME}"
        )
        # Many small models (and LoRA adapters) on one endpoint: the role's statements spill
        # over into as many managed policies as they need.
        self.twenty = _many(stack, "Twenty", self.store, 20)
        other = ArtifactStore(stack, "OtherArtifacts")
        self.mixed = _many(stack, "Mixed", self.store, 8, adapters=2, other_store=other)
        self.caller = iam.Role(
            stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
        )
        self.llms.grant_invoke(self.caller)
        # A team's alarm on one component's errors.
        self.errors = (
            self.llms.components["Returns"]
            .metric_invocation_5xx_errors()
            .create_alarm(stack, "ReturnsErrors", threshold=0.01, evaluation_periods=3)
        )
        self.template = template_json(cdk.assertions.Template.from_stack(stack))
        self.resources: dict[str, Any] = self.template["Resources"]

    def of(self, construct: Any) -> dict[str, Any]:
        found: dict[str, Any] = self.resources[logical_id(construct)]
        return found

    def statements(self, endpoint: ComponentEndpoint) -> dict[str, Any]:
        document = self.of(endpoint.role_policy)["Properties"]["PolicyDocument"]
        return {each["Sid"]: each for each in document["Statement"]}


def _many(
    stack: cdk.Stack,
    name: str,
    store: ArtifactStore,
    count: int,
    *,
    adapters: int = 0,
    other_store: ArtifactStore | None = None,
    **props: Any,
) -> ComponentEndpoint:
    """An endpoint of ``count`` components (every third from ``other_store``), each with
    ``adapters`` adapters."""
    endpoint = ComponentEndpoint(
        stack, name, artifact_store=store, instance_type="ml.g5.12xlarge", **props
    )
    for number in range(count):
        from_other = other_store is not None and number % 3 == 2
        component = endpoint.add_component(
            f"Model{number}",
            model_package_arn=version(number + 1, f"{name.lower()}-models"),
            compute=ComponentCompute(min_memory_required_in_mb=1024),
            model_store=other_store if from_other else None,
        )
        for each in range(adapters):
            component.add_adapter(
                f"Adapter{each}",
                artifact=f"s3://{store.bucket.bucket_name}/adapters/{number}/{each}/a.tar.gz",
            )
    return endpoint


@pytest.fixture(scope="session")  # the lint test, last in the session, reads it too
def built() -> Built:
    return Built()


@pytest.fixture(scope="session")
def lint(
    built: Built, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the built template (``tests/cdk/lint.py``, ``MODULE_LINT``)."""
    yield from lint_in_background(
        "component-endpoint",
        built.template,
        tmp_path_factory.mktemp("component-endpoint-lint"),
        lint_service,
    )


def _component(built: Built, endpoint: ComponentEndpoint, name: str) -> EndpointComponent:
    return endpoint.components[name]


# -- What the guide's endpoint renders ---------------------------------------------------


def test_the_config_names_no_model_and_runs_as_the_role(built: Built) -> None:
    config = built.of(built.llms.cfn_endpoint_config)["Properties"]
    assert config == {
        "ExecutionRoleArn": {"Fn::GetAtt": [logical_id(built.llms.role), "Arn"]},
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.12xlarge",
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {
                    "Status": "ENABLED",
                    "MinInstanceCount": 0,
                    "MaxInstanceCount": 2,
                },
            }
        ],
    }  # ml.g5: NVMe storage, no key (CreateEndpointConfig refuses one)


def test_an_ebs_instance_type_is_encrypted_with_the_stores_key(built: Built) -> None:
    config = built.of(built.cpu.cfn_endpoint_config)["Properties"]
    assert config["KmsKeyId"] == {"Fn::GetAtt": [logical_id(built.store.key), "Arn"]}
    assert config["ProductionVariants"][0]["RoutingConfig"] == {"RoutingStrategy": "RANDOM"}
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 2
    assert config["ProductionVariants"][0]["VolumeSizeInGB"] == 100
    group = {"Fn::GetAtt": [logical_id(built.cpu.security_groups[0]), "GroupId"]}
    assert config["VpcConfig"] == {"Subnets": SUBNETS, "SecurityGroupIds": [group]}
    model = built.of(built.small.cfn_model)["Properties"]
    assert model["VpcConfig"] == config["VpcConfig"]


def test_grant_invoke_allows_invoking_this_endpoint_only(built: Built) -> None:
    policy = built.of(built.caller.node.find_child("DefaultPolicy"))
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sagemaker:InvokeEndpoint",
            "Effect": "Allow",
            "Resource": {"Ref": logical_id(built.llms.cfn_endpoint)},
        }
    ]


def test_the_endpoint_is_an_aws_sagemaker_iendpoint(built: Built) -> None:
    endpoint = built.llms
    assert built.stack.resolve(endpoint.endpoint_ref.endpoint_arn) == {
        "Ref": logical_id(endpoint.cfn_endpoint)
    }


def test_each_component_serves_its_version_after_the_endpoint(built: Built) -> None:
    billing = _component(built, built.llms, "Billing")
    component = built.of(billing.cfn_inference_component)
    assert component["Properties"] == {
        "EndpointName": {"Fn::GetAtt": [logical_id(built.llms.cfn_endpoint), "EndpointName"]},
        "InferenceComponentName": billing.component_name,
        "VariantName": "AllTraffic",
        "Specification": {
            "ModelName": {"Fn::GetAtt": [logical_id(billing.cfn_model), "ModelName"]},
            "ComputeResourceRequirements": {
                "MinMemoryRequiredInMb": 24576,
                "NumberOfAcceleratorDevicesRequired": 1,
            },
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200},
        },
        "RuntimeConfig": {"CopyCount": 1},
    }
    model = built.of(billing.cfn_model)
    assert model["Properties"] == {
        "ExecutionRoleArn": {"Fn::GetAtt": [logical_id(built.llms.role), "Arn"]},
        "PrimaryContainer": {"ModelPackageName": version(3)},
    }
    # The model waits for its version's check (and the policy): nothing is served before.
    assert model["DependsOn"] == sorted(
        [logical_id(built.llms.role_policy), logical_id(billing.node.find_child("ModelData"))]
    )
    returns = built.of(_component(built, built.llms, "Returns").cfn_inference_component)
    assert "StartupParameters" not in returns["Properties"]["Specification"]
    # A component's environment is set beside the version; none given, none rendered.
    assert built.small.environment == {
        "OPTION_TENSOR_PARALLEL_DEGREE": "1",
        "HF_TOKEN_ARN": "arn:aws:x",
    }
    assert built.of(built.small.cfn_model)["Properties"]["PrimaryContainer"] == {
        "ModelPackageName": version(1, "churn"),
        "Environment": {"OPTION_TENSOR_PARALLEL_DEGREE": "1", "HF_TOKEN_ARN": "arn:aws:x"},
    }
    small = built.of(built.small.cfn_inference_component)["Properties"]
    assert small["RuntimeConfig"] == {"CopyCount": 2}
    assert small["Specification"]["StartupParameters"] == {
        "ContainerStartupHealthCheckTimeoutInSeconds": 300
    }
    assert small["Specification"]["ComputeResourceRequirements"] == {
        "MinMemoryRequiredInMb": 1024,
        "NumberOfCpuCoresRequired": 1,
    }


def test_an_adapter_is_loaded_by_its_base_component_after_it(built: Built) -> None:
    assert built.small.adapters == {"Fr": built.archive, "De": built.folder}
    adapter = built.of(built.archive.cfn_inference_component)
    bucket = {"Ref": logical_id(built.store.bucket)}
    # No compute, copies nor variant: the base's copies load it.
    assert adapter["Properties"] == {
        "EndpointName": {"Fn::GetAtt": [logical_id(built.cpu.cfn_endpoint), "EndpointName"]},
        "InferenceComponentName": built.archive.component_name,
        "Specification": {
            "BaseInferenceComponentName": built.small.component_name,
            "Container": {
                "ArtifactUrl": {"Fn::Join": ["", ["s3://", bucket, "/adapters/fr/adapter.tar.gz"]]}
            },
        },
    }
    assert adapter["DependsOn"] == sorted(
        [logical_id(built.small.cfn_inference_component), logical_id(built.cpu.role_policy)]
    )


def test_the_role_reads_exactly_each_adapters_artifact(built: Built) -> None:
    found = built.statements(built.cpu)
    bucket_arn = {"Fn::GetAtt": [logical_id(built.store.bucket), "Arn"]}
    # An archive: that object only, not listed.
    assert found["EndpointReadsAdapterSmallFr"]["Resource"] == {
        "Fn::Join": ["", [bucket_arn, "/adapters/fr/adapter.tar.gz"]]
    }
    assert "EndpointListsAdapterSmallFr" not in found
    # A key ending in a token: the literal folder before it, listed.
    assert found["EndpointReadsAdapterSmallDe"]["Resource"] == {
        "Fn::Join": ["", [bucket_arn, "/adapters/de/*"]]
    }
    assert found["EndpointListsAdapterSmallDe"]["Resource"] == bucket_arn
    assert found["EndpointListsAdapterSmallDe"]["Condition"] == {
        "StringLike": {"s3:prefix": ["adapters/de/", "adapters/de/*"]}
    }
    assert found["EndpointDecryptsAdapterSmallDe"]["Resource"] == {
        "Fn::GetAtt": [logical_id(built.store.key), "Arn"]
    }


def test_one_model_data_check_per_component_requiring_approval(built: Built) -> None:
    def versions(component: EndpointComponent) -> Any:
        check = built.of(component.node.find_child("ModelData"))
        return [each["Require"] for each in check["Properties"]["Versions"]], check["Properties"][
            "Versions"
        ][0]["ModelPackageArn"]

    assert versions(_component(built, built.llms, "Billing")) == (["Approved"], version(3))
    assert versions(_component(built, built.llms, "Returns")) == (["Approved"], version(4))
    assert versions(built.small) == (["None"], version(1, "churn"))  # require_approval=False


def test_the_role_reads_each_components_model_data_and_writes_its_logs(built: Built) -> None:
    found = built.statements(built.llms)
    billing = _component(built, built.llms, "Billing")
    assert found["EndpointReadsModelArtifactsBilling"]["Resource"] == {
        "Fn::Split": [
            "$$",
            {"Fn::GetAtt": [logical_id(billing.node.find_child("ModelData")), "ObjectArns"]},
        ]
    }
    # Listed: the uncompressed models' prefixes of this component's versions only.
    assert found["EndpointListsModelArtifactsBilling"]["Condition"] == {
        "StringLike": {
            "s3:prefix": {
                "Fn::Split": [
                    "$$",
                    {
                        "Fn::GetAtt": [
                            logical_id(billing.node.find_child("ModelData")),
                            "ListPrefixes",
                        ]
                    },
                ]
            }
        }
    }
    assert found["EndpointDecryptsModelArtifactsReturns"]["Resource"] == {
        "Fn::GetAtt": [logical_id(built.store.key), "Arn"]
    }
    log_group = (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/InferenceComponents/"
        f"{billing.component_name}"
    )
    assert found["EndpointWritesLogsBilling"]["Resource"] == [
        log_group,
        f"{log_group}:log-stream:*",
    ]
    assert sorted(found) == sorted(
        [
            "EndpointWritesLogs",
            "EndpointPublishesMetrics",
            *(
                f"{sid}{name}"
                for name in ("Billing", "Returns")
                for sid in (
                    "EndpointReadsModelArtifacts",
                    "EndpointListsModelArtifacts",
                    "EndpointDecryptsModelArtifacts",
                    "EndpointWritesLogs",
                )
            ),
        ]
    )
    # With a VPC: the network interfaces of its subnets and group.
    assert "ManageEndpointNetworkInterfaces" in built.statements(built.cpu)


def test_copy_scaling_tracks_invocations_per_copy_and_scales_out_from_zero(built: Built) -> None:
    returns = _component(built, built.llms, "Returns")
    assert returns.scalable_target is not None
    target = built.of(returns.scalable_target)
    assert target["Properties"]["ResourceId"] == f"inference-component/{returns.component_name}"
    assert (
        target["Properties"]["ScalableDimension"]
        == "sagemaker:inference-component:DesiredCopyCount"
    )
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (0, 2)
    assert target["DependsOn"] == [logical_id(returns.cfn_inference_component)]
    by_type = {
        each["Properties"]["PolicyType"]: each["Properties"]
        for each in built.resources.values()
        if each["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
        and each["Properties"]["ScalingTargetId"] == {"Ref": logical_id(returns.scalable_target)}
    }
    tracking = by_type["TargetTrackingScaling"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking == {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
        },
        "TargetValue": 20,
    }
    assert by_type["StepScaling"]["StepScalingPolicyConfiguration"]["StepAdjustments"] == [
        {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}
    ]
    alarm = built.of(returns.node.find_child("NoCapacity"))["Properties"]
    assert (alarm["MetricName"], alarm["Namespace"], alarm["Dimensions"]) == (
        "NoCapacityInvocationFailures",
        "AWS/SageMaker",
        [{"Name": "InferenceComponentName", "Value": returns.component_name}],
    )
    # min_copies=1 (Billing): no step policy, no alarm.
    billing = _component(built, built.llms, "Billing")
    assert billing.node.try_find_child("NoCapacity") is None


def test_an_alarm_of_a_component_watches_its_inference_component(built: Built) -> None:
    returns = _component(built, built.llms, "Returns")
    alarm = built.of(built.errors)["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "AWS/SageMaker",
        "Invocation5XXErrors",
        "Average",
        300,
    )
    # By its literal name: the alarm depends on no resource.
    assert alarm["Dimensions"] == [
        {"Name": "InferenceComponentName", "Value": returns.component_name}
    ]


@pytest.mark.parametrize(
    ("method", "metric_name", "statistic"),
    [
        ("metric_invocations", "Invocations", "Sum"),
        ("metric_invocation_4xx_errors", "Invocation4XXErrors", "Average"),
        ("metric_invocation_5xx_errors", "Invocation5XXErrors", "Average"),
        ("metric_model_latency", "ModelLatency", "Average"),
        ("metric_no_capacity_invocation_failures", "NoCapacityInvocationFailures", "Sum"),
    ],
)
def test_the_metrics_of_a_component(
    built: Built, method: str, metric_name: str, statistic: str
) -> None:
    small = _component(built, built.cpu, "Small")
    metric = getattr(small, method)()
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/SageMaker",
        metric_name,
        statistic,
    )
    assert metric.dimensions == {"InferenceComponentName": small.component_name}
    assert metric.period.to_seconds() == 300
    # Options pass through, and dimensions_map adds to the component's.
    given = getattr(small, method)(
        statistic="Maximum", period=Duration.minutes(1), dimensions_map={"ContainerId": "c-1"}
    )
    assert (given.statistic, given.period.to_seconds()) == ("Maximum", 60)
    assert given.dimensions == {
        "InferenceComponentName": small.component_name,
        "ContainerId": "c-1",
    }


def test_metric_takes_a_components_other_metrics(built: Built) -> None:
    small = _component(built, built.cpu, "Small")
    for name in ("InvocationsPerCopy", "ConcurrentRequestsPerCopy", "SomeNewMetric"):
        assert small.metric(name).metric_name == name


def test_metric_fails_misspelt_and_instance_metrics(built: Built) -> None:
    small = _component(built, built.cpu, "Small")
    subject = r"(?s)EndpointComponent Test/Cpu/Small\.metric"
    with pytest.raises(
        PipelineDefinitionError,
        match=subject + r".*'Invocation5xxErrors' is no metric .*case-sensitive"
        r".*did you mean 'Invocation5XXErrors'",
    ):
        small.metric("Invocation5xxErrors")
    with pytest.raises(
        PipelineDefinitionError, match=r"did you mean 'NoCapacityInvocationFailures'"
    ):
        small.metric("NoCapacityInvocationFailure")
    with pytest.raises(
        PipelineDefinitionError,
        match=subject + r".*'period': expected whole minutes, got 1 minute 30 seconds",
    ):
        small.metric("Invocations", period=Duration.seconds(90))
    with pytest.raises(PipelineDefinitionError, match=r"did you mean 'InvocationsPerCopy'"):
        small.metric("InvocationPerCopy")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"CPUUtilization is a metric of the endpoint's instances.*"
        r"'VariantName': 'AllTraffic'",
    ):
        small.metric("CPUUtilization")
    with pytest.raises(PipelineDefinitionError, match=r"perod is not among the options"):
        small.metric("Invocations", perod=Duration.minutes(1))  # type: ignore[call-arg]


def test_cdk_nag_finds_nothing_of_the_component_endpoints(built: Built) -> None:
    findings = pack_findings(built.stack)
    assert [f for f in findings if "Test/SupportLlms" in f or "Test/Cpu" in f] == []
    # Each of the many endpoints' policies: its log streams' wildcards acknowledged.
    assert [f for f in findings if any(f"Test/{n}/" in f for n in ("Twenty", "Mixed"))] == []


# -- Refusals ------------------------------------------------------------------------------


def _bound(name: str) -> Any:
    return shape(name)["min"]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: ComponentCompute(min_memory_required_in_mb=_bound("MemoryInMb") - 1),
            "min_memory_required_in_mb",
        ),
        (
            lambda: ComponentCompute(
                min_memory_required_in_mb=1024, number_of_cpu_cores_required=0.1
            ),
            "number_of_cpu_cores_required",
        ),
        (
            lambda: ComponentCompute(
                min_memory_required_in_mb=1024, number_of_accelerator_devices_required=0
            ),
            "number_of_accelerator_devices_required",
        ),
        (lambda: ComponentCompute(min_memory_required_in_mb=1024.5), "whole number of MB"),  # type: ignore[arg-type]
        (lambda: ManagedInstanceScaling(max_instance_count=0), "max_instance_count"),
        (
            lambda: ManagedInstanceScaling(max_instance_count=2, min_instance_count=-1),
            "min_instance_count",
        ),
        (
            lambda: ManagedInstanceScaling(max_instance_count=1, min_instance_count=2),
            "is less than min_instance_count",
        ),
    ],
)
def test_fails_values_out_of_botocores_bounds(make: Any, match: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=match):
        make()


@pytest.fixture(scope="module")
def refusing() -> Any:
    stack = new_stack()
    return stack, ArtifactStore(stack, "Artifacts")


def test_fails_endpoint_props(refusing: Any) -> None:
    stack, store = refusing
    with pytest.raises(
        PipelineDefinitionError,
        match=r"(?s)ComponentEndpoint Test/Bad.*'routing_strategy'.*did you mean 'RANDOM'",
    ):
        ComponentEndpoint(
            stack,
            "Bad",
            artifact_store=store,
            instance_type="ml.g5.xlarge",
            routing_strategy="RANDOMLY",
        )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'managed_instance_scaling': 2-3 instances, but initial_instance_count is 1",
    ):
        ComponentEndpoint(
            stack,
            "Bad",
            artifact_store=store,
            instance_type="ml.g5.xlarge",
            managed_instance_scaling=ManagedInstanceScaling(
                min_instance_count=2, max_instance_count=3
            ),
        )
    with pytest.raises(PipelineDefinitionError, match=r"'instance_type'"):
        ComponentEndpoint(stack, "Bad", artifact_store=store, instance_type="m5.large")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'volume_size_in_gb': ml.g5.xlarge keeps its ML storage on the instance's NVMe",
    ):
        ComponentEndpoint(
            stack, "Bad", artifact_store=store, instance_type="ml.g5.xlarge", volume_size_in_gb=100
        )
    with pytest.raises(PipelineDefinitionError, match=r"'volume_size_in_gb': expected 1-512 GB"):
        ComponentEndpoint(
            stack, "Bad", artifact_store=store, instance_type="ml.m5.xlarge", volume_size_in_gb=0
        )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'inference_ami_version': .*did you mean 'al2-ami-sagemaker-inference-gpu-3-1'",
    ):
        ComponentEndpoint(
            stack,
            "Bad",
            artifact_store=store,
            instance_type="ml.g5.xlarge",
            inference_ami_version="al2-ami-sagemaker-inference-gpu-3.1",
        )


def test_the_variant_takes_the_inference_ami_version(refusing: Any) -> None:
    stack, store = refusing
    endpoint = ComponentEndpoint(
        stack,
        "Ami",
        artifact_store=store,
        instance_type="ml.g5.12xlarge",
        inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1",
    )
    (variant,) = stack.resolve(endpoint.cfn_endpoint_config.production_variants)
    assert variant["inferenceAmiVersion"] == "al2-ami-sagemaker-inference-gpu-3-1"


def test_fails_component_arguments(refusing: Any) -> None:
    stack, store = refusing
    endpoint = ComponentEndpoint(stack, "Ok", artifact_store=store, instance_type="ml.g5.xlarge")
    compute = ComponentCompute(min_memory_required_in_mb=1024)
    subject = r"ComponentEndpoint Test/Ok\.add_component"
    with pytest.raises(
        PipelineDefinitionError,
        match="(?s)" + subject + r".*argument 'copies': expected at least 0",
    ):
        endpoint.add_component("A", model_package_arn=version(1), compute=compute, copies=-1)
    with pytest.raises(PipelineDefinitionError, match=r"argument 'construct_id'"):
        endpoint.add_component("a-b", model_package_arn=version(1), compute=compute)
    with pytest.raises(
        PipelineDefinitionError, match=r"argument 'model_package_arn': .*region eu-west-1"
    ):
        endpoint.add_component(
            "A", model_package_arn=version(1).replace(REGION, "eu-west-1"), compute=compute
        )
    with pytest.raises(PipelineDefinitionError, match=r"argument 'model_data_download_timeout'"):
        endpoint.add_component(
            "A",
            model_package_arn=version(1),
            compute=compute,
            model_data_download_timeout=Duration.hours(2),
        )
    with pytest.raises(
        PipelineDefinitionError, match=r"argument 'compute': expected a ComponentCompute"
    ):
        endpoint.add_component(
            "A",
            model_package_arn=version(1),
            compute={"min_memory_required_in_mb": 1024},  # type: ignore[arg-type]
        )
    for environment, match in [
        (["A=1"], r"argument 'environment': expected a mapping, got list"),
        ({"1ST": "x"}, r"argument 'environment': '1ST': a variable's name is letters"),
        ({"DEGREE": 1}, r"argument 'environment': 'DEGREE': expected a string name and value"),
        (
            {"X": "v" * 1025},
            r"'X': 1025 characters, more than the 1024 of botocore's",
        ),
        ({f"V{i}": "1" for i in range(101)}, r"101 variables, more than the 100"),
        ({f"V{i}": "v" * 1000 for i in range(33)}, r"more than the 32 KB"),
        ({"HF_TOKEN": "hf_abc"}, r"'environment': 'HF_TOKEN': looks like a literal secret"),
        ({"ID": "AKIAABCDEFGHIJKLMNOP"}, r"'environment': 'ID': looks like a literal secret"),
    ]:
        with pytest.raises(PipelineDefinitionError, match=match):
            endpoint.add_component(
                "A",
                model_package_arn=version(1),
                compute=compute,
                environment=environment,  # type: ignore[arg-type]
            )
    assert endpoint.components == {}  # nothing half built
    component = endpoint.add_component("A", model_package_arn=version(1), compute=compute, copies=2)
    scaling = r"EndpointComponent Test/Ok/A\.add_copy_scaling"
    with pytest.raises(
        PipelineDefinitionError,
        match="(?s)"
        + scaling
        + r".*argument 'min_copies': 3 is more than the component's copies 2",
    ):
        component.add_copy_scaling(min_copies=3, max_copies=4, target_invocations_per_copy=10)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'max_copies': 1 is less than the component's copies 2",
    ):
        component.add_copy_scaling(max_copies=1, target_invocations_per_copy=10)
    with pytest.raises(PipelineDefinitionError, match=r"argument 'target_invocations_per_copy'"):
        component.add_copy_scaling(max_copies=4, target_invocations_per_copy=0)
    component.add_copy_scaling(max_copies=4, target_invocations_per_copy=10)
    with pytest.raises(PipelineDefinitionError, match=r"has a scalable target already"):
        component.add_copy_scaling(max_copies=4, target_invocations_per_copy=10)


def test_fails_adapter_arguments(refusing: Any) -> None:
    stack, store = refusing
    endpoint = ComponentEndpoint(
        stack, "Adapted", artifact_store=store, instance_type="ml.g5.xlarge"
    )
    base = endpoint.add_component(
        "Base",
        model_package_arn=version(1),
        compute=ComponentCompute(min_memory_required_in_mb=1024),
    )
    subject = r"(?s)EndpointComponent Test/Adapted/Base\.add_adapter.*"
    in_store = f"s3://{store.bucket.bucket_name}/adapters"
    with pytest.raises(
        PipelineDefinitionError,
        match=subject + r"argument 'artifact': 's3://elsewhere/a\.tar\.gz' is not an S3 URI "
        r"in the store's bucket",
    ):
        base.add_adapter("A", artifact="s3://elsewhere/a.tar.gz")
    with pytest.raises(PipelineDefinitionError, match=subject + r"argument 'artifact': is a token"):
        base.add_adapter("A", artifact=cdk.Fn.import_value("AdapterUri"))
    with pytest.raises(
        PipelineDefinitionError,
        match=subject + r"argument 'artifact': the key of .* starts with a token",
    ):
        base.add_adapter(
            "A", artifact=f"s3://{store.bucket.bucket_name}/{cdk.Aws.STACK_NAME}/a.tar.gz"
        )
    with pytest.raises(PipelineDefinitionError, match=r"argument 'artifact': .*names no object"):
        base.add_adapter("A", artifact=f"s3://{store.bucket.bucket_name}/")
    with pytest.raises(PipelineDefinitionError, match=r"argument 'artifact': expected a str"):
        base.add_adapter("A", artifact=None)  # type: ignore[arg-type]
    with pytest.raises(PipelineDefinitionError, match=subject + r"argument 'construct_id'"):
        base.add_adapter("a-b", artifact=f"{in_store}/a.tar.gz")
    with pytest.raises(PipelineDefinitionError, match=r"argument 'store'"):
        base.add_adapter("A", artifact=f"{in_store}/a.tar.gz", store="bucket")  # type: ignore[arg-type]
    # A literal URI in an imported store's bucket, named literally.
    imported = ArtifactStore.from_existing(
        stack,
        "Imported",
        bucket=s3.Bucket.from_bucket_name(stack, "Models", "acme-models"),
        key=kms.Key.from_key_arn(
            stack,
            "ModelsKey",
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{'0' * 8}-0000-0000-0000-{'0' * 12}",
        ),
    )
    assert base.adapters == {}  # nothing half built
    base.add_adapter("A", artifact="s3://acme-models/adapters/a/adapter.tar.gz", store=imported)
    with pytest.raises(PipelineDefinitionError, match=r"is not a \.tar\.gz archive"):
        base.add_adapter("C", artifact="s3://acme-models/adapters/c/", store=imported)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"'s3://acme-ml/a\.tar\.gz' is not an S3 "
        r"URI in bucket acme-models",
    ):
        base.add_adapter("B", artifact="s3://acme-ml/a.tar.gz", store=imported)


def test_fails_synth_of_an_endpoint_without_components() -> None:
    stack = new_stack()
    ComponentEndpoint(
        stack,
        "Empty",
        artifact_store=ArtifactStore(stack, "Artifacts"),
        instance_type="ml.g5.xlarge",
    )
    with pytest.raises(
        Exception, match=r"ComponentEndpoint Test/Empty: no inference component was added"
    ):
        cdk.assertions.Template.from_stack(stack)


def test_cfn_lint_finds_nothing_in_the_component_endpoints(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    matches = worker.results()["component-endpoint"]
    problems = [
        _describe(match) for match in matches if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []


# -- Many components: the role's statements in several managed policies ------------------


def _deployed(document: Any) -> Any:
    """``document`` with each component's model data as long as its ``ModelData`` may make it.

    The read's ``ObjectArns``: ARNs of 20 characters (the shortest, so the most quotes and
    commas) filling ``MODEL_DATA_ROOM`` bytes joined; the listing's one prefix.
    """
    if isinstance(document, list):
        return [_deployed(each) for each in document]
    if not isinstance(document, dict):
        return document
    split = document.get("Fn::Split")
    if split is not None:
        attribute = split[1]["Fn::GetAtt"][1]
        if attribute == "ObjectArns":
            return ["arn:aws:s3:::b/k1234"] * ((MODEL_DATA_ROOM + 2) // 22)
        assert attribute == "ListPrefixes"
        return ["models/.no-uncompressed-model/"]
    return {key: _deployed(value) for key, value in document.items()}


@pytest.fixture(scope="module")
def thirty() -> ComponentEndpoint:
    """30 components: resolved, not synthesized (as the 20 of ``built`` are, and linted)."""
    stack = new_stack()
    return _many(stack, "Thirty", ArtifactStore(stack, "Artifacts"), 30)


def _endpoint(built: Built, thirty: ComponentEndpoint, name: str) -> ComponentEndpoint:
    return thirty if name == "thirty" else cast(ComponentEndpoint, getattr(built, name))


def _policies_of(built: Built, endpoint: ComponentEndpoint) -> list[dict[str, Any]]:
    if endpoint.node.id != "Thirty":
        return [built.of(policy)["Properties"] for policy in endpoint.role_policies]
    # Each policy's properties as the template renders them.
    stack = cdk.Stack.of(endpoint)
    return [
        stack.resolve(
            {
                "Description": policy.node.default_child.description,  # type: ignore[union-attr]
                "PolicyDocument": policy.document,
                "Roles": policy.node.default_child.roles,  # type: ignore[union-attr]
            }
        )
        for policy in endpoint.role_policies
    ]


@pytest.mark.parametrize(("name", "count"), [("twenty", 7), ("thirty", 10), ("mixed", 4)])
def test_many_components_fit_policies_iam_takes(
    built: Built, thirty: ComponentEndpoint, name: str, count: int
) -> None:
    endpoint = _endpoint(built, thirty, name)
    policies = _policies_of(built, endpoint)
    assert len(policies) == count  # within IAM's default quota of 10 per role
    role = {"Ref": logical_id(endpoint.role)}
    for index, properties in enumerate(policies):
        assert deployed_length(_deployed(properties["PolicyDocument"])) <= (
            MAX_MANAGED_POLICY_LENGTH
        )
        assert properties["Roles"] == [role]
        # The first keeps its description (create-only) and construct id: its ARN.
        part = f" (part {index + 1})" if index else ""
        assert properties["Description"] == (
            f"What the inference components of a SageMaker endpoint read and write{part}"
        )
    assert logical_id(endpoint.role_policy).startswith(f"{endpoint.node.id}RolePolicy")
    assert endpoint.role_policies[0] is endpoint.role_policy
    # Each updated after the next: statements moving on are granted before they leave.
    for first, then in zip(endpoint.role_policies, endpoint.role_policies[1:], strict=False):
        assert [logical_id(each) for each in first.node.dependencies] == [logical_id(then)]


@pytest.mark.parametrize("name", ["twenty", "mixed"])
def test_the_role_reads_each_components_and_adapters_data_wherever_its_statements_are(
    built: Built, name: str
) -> None:
    endpoint: ComponentEndpoint = getattr(built, name)
    by_sid = {
        statement["Sid"]: (policy, statement)
        for policy in endpoint.role_policies
        for statement in built.of(policy)["Properties"]["PolicyDocument"]["Statement"]
    }
    for component in endpoint.components.values():
        check = logical_id(component.node.find_child("ModelData"))
        policy, read = by_sid[f"EndpointReadsModelArtifacts{component.node.id}"]
        assert read["Resource"] == {"Fn::Split": ["$$", {"Fn::GetAtt": [check, "ObjectArns"]}]}
        assert policy is component.role_policy  # all of a component's statements in one
        for sid in ("Lists", "Decrypts"):
            assert by_sid[f"Endpoint{sid}ModelArtifacts{component.node.id}"][0] is policy
        assert by_sid[f"EndpointWritesLogs{component.node.id}"][0] is policy
        assert built.of(component.node.find_child("ModelData"))["Properties"]["MaxData"] == (
            MODEL_DATA_ROOM
        )
        # Its model waits for the endpoint's statements (images) and its own.
        after = built.of(component.cfn_model)["DependsOn"]
        assert logical_id(endpoint.role_policy) in after
        assert logical_id(policy) in after
        for adapter in component.adapters.values():
            sid = f"EndpointReadsAdapter{component.node.id}{adapter.node.id}"
            assert by_sid[sid][0] is adapter.role_policy
            assert (
                logical_id(adapter.role_policy)
                in (built.of(adapter.cfn_inference_component)["DependsOn"])
            )


def test_a_component_added_later_moves_no_earlier_statements() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    endpoint = _many(stack, "Llms", store, 19, adapters=1)
    before = {
        path_of_unit: unit.role_policy.node.id for path_of_unit, unit in _units(endpoint).items()
    }
    endpoint.add_component(
        "Late",
        model_package_arn=version(99),
        compute=ComponentCompute(min_memory_required_in_mb=1024),
    ).add_adapter("Late", artifact=f"s3://{store.bucket.bucket_name}/adapters/late/a.tar.gz")
    after = {path: unit.role_policy.node.id for path, unit in _units(endpoint).items()}
    assert {path: after[path] for path in before} == before
    assert len(endpoint.role_policies) == 10


def _units(endpoint: ComponentEndpoint) -> dict[str, EndpointComponent | ComponentAdapter]:
    found: dict[str, EndpointComponent | ComponentAdapter] = {}
    for component in endpoint.components.values():
        found[component.node.path] = component
        found.update({adapter.node.path: adapter for adapter in component.adapters.values()})
    return found


def test_fails_synth_past_the_roles_quota_naming_what_fits() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    endpoint = _many(stack, "Llms", store, 31)
    (error,) = endpoint.node.validate()
    assert error.startswith(
        "ComponentEndpoint Test/Llms: its role's statements for 31 components and 0 adapters "
        "need 11 managed policies"
    )
    assert "more than the 10 IAM attaches to a role (managed_policies_per_role=10)" in error
    assert "The first 30 components and 0 adapters fit" in error
    assert "pass managed_policies_per_role= the new quota" in error
    # The quota raised: 31 fit.
    raised = _many(stack, "Raised", store, 31, managed_policies_per_role=20)
    assert raised.node.validate() == []
    # A role of the app with policies of its own: counted.
    role = iam.Role(
        stack,
        "Role",
        assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
    )
    iam.ManagedPolicy(stack, "Extra", statements=[_any_statement()], roles=[role])
    shared = _many(stack, "Shared", store, 27, role=role)
    (error,) = shared.node.validate()
    assert "need 9 managed policies" in error
    assert "besides the 2 this app attaches to it otherwise" in error
    assert "The first 24 components and 0 adapters fit" in error
    with pytest.raises(PipelineDefinitionError, match=r"'managed_policies_per_role': expected a"):
        _many(stack, "Bad", store, 0, managed_policies_per_role=21)


@pytest.mark.parametrize("role_in", ["another stack", "imported"])
def test_endpoints_sharing_a_role_count_each_others_policies(role_in: str) -> None:
    # Each endpoint's 6 policies fit the quota of 10, not the role's 12: only the role's
    # own stack was searched for policies naming it, and an imported role counted none.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    roles = cdk.Stack(app, "Roles", env=env)
    serving = cdk.Stack(app, "Serving", env=env)
    role = (
        iam.Role(roles, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        if role_in == "another stack"
        else iam.Role.from_role_arn(serving, "Role", f"arn:aws:iam::{ACCOUNT}:role/serving")
    )
    store = ArtifactStore(serving, "Artifacts")
    first = _many(serving, "First", store, 18, role=role)
    second = _many(serving, "Second", store, 18, role=role)
    for endpoint in (first, second):
        assert len(endpoint.role_policies) == 6
        (error,) = endpoint.node.validate()
        assert "besides the 6 this app attaches to it otherwise" in error
    # Another role: nothing in common.
    alone = _many(serving, "Alone", store, 18)
    assert alone.node.validate() == []


def _any_statement() -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"])


@pytest.mark.parametrize("adapters", [1, 2, 3])
def test_policies_are_packed_as_the_check_measures_them(adapters: int) -> None:
    # The repositories' ARNs (of names up to 256 characters) are longer than most ARNs: the
    # endpoint's statements were packed counting them at 128, which the check didn't, and
    # synth failed on a policy the packer had filled ("add statements of your own…").
    stack = new_stack()
    repositories = [ecr.Repository(stack, f"Images{n}") for n in range(3)]
    endpoint = _many(
        stack,
        "Llms",
        ArtifactStore(stack, "Artifacts"),
        2,
        adapters=adapters,
        image_repositories=repositories,
    )
    assert endpoint.node.validate() == []


def test_fails_synth_of_a_policy_grown_past_iams_limit_by_hand() -> None:
    stack = new_stack()
    endpoint = _many(stack, "Llms", ArtifactStore(stack, "Artifacts"), 3)
    endpoint.role_policy.add_statements(
        iam.PolicyStatement(
            actions=["s3:GetObject"],
            resources=[f"arn:aws:s3:::bucket/{'k' * 100}/{n}" for n in range(10)],
        )
    )
    (error,) = endpoint.node.validate()
    assert re.search(
        r"^ComponentEndpoint Test/Llms: managed policy Test/Llms/RolePolicy of its role is "
        r"[0-9,]+ characters once deployed, more than the 6,144 IAM takes",
        error,
    )


def test_an_immutable_role_is_told_every_policy_to_attach() -> None:
    stack = new_stack()
    role = iam.Role.from_role_arn(
        stack, "Imported", f"arn:aws:iam::{ACCOUNT}:role/serving", mutable=False
    )
    endpoint = _many(stack, "Llms", ArtifactStore(stack, "Artifacts"), 5, role=role)
    assert len(endpoint.role_policies) == 2
    template = cdk.assertions.Template.from_stack(stack)
    for policy in endpoint.role_policies:
        assert "Roles" not in template.to_json()["Resources"][logical_id(policy)]["Properties"]
    (warning,) = [
        str(entry.data)
        for entry in endpoint.node.metadata
        if entry.type == "aws:cdk:warning" and "immutable-role" in str(entry.data)
    ]
    assert (
        "is in managed policies Test/Llms/RolePolicy, Test/Llms/RolePolicy2, not attached to "
        "it: attach those policies to the role" in warning
    )
