"""Every wrong value given to a public construct or method fails in Python, naming it.

Systematic rather than case by case: each public callable of ``cdk_sagemaker_pipelines.cdk``
(its ``__all__``: the constructs, their static constructors and public methods, the
functions) is called from a valid baseline with, in turn, each parameter given the wrong
values its annotation (``inspect.signature``) calls for: a value of an unrelated type, a
string where a list is expected (iterated as one-character values), a list where a mapping
is, ``None`` where the parameter isn't optional, a construct of the wrong kind (an
``s3.Bucket`` for an ``iam.IRole``), a class instead of an instance. Each call must raise
``PipelineDefinitionError`` naming the construct (or the method) and the parameter: not a
jsii error, not an ``AttributeError`` of our own code, and not pass to fail at synth or
deploy.

A parameter added later is covered through its annotation: one whose annotation this
module doesn't know, or a public method not listed here, fails
``test_every_public_callable_and_parameter_is_covered`` until it is added.

The wrong calls share one app (``SharedPipeline``): after each callable's (one test, listing
every leak it finds), what they added under the app and the stack is removed and the app
must be exactly as built (no construct deeper in the tree, no grant, no statement), so a
wrong value leaves nothing behind.
``test_valid_call_after_wrong_ones`` makes each baseline call under the id the wrong ones
were given just before, as a corrected call in a notebook would be.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

import cdk_sagemaker_pipelines.cdk as public
from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    ComponentCompute,
    ComponentEndpoint,
    DataCapture,
    DataQualityMonitor,
    Deployment,
    EndpointVariant,
    ManagedInstanceScaling,
    ModelEndpoint,
    ModelRegistry,
    MonitorBaseline,
    MonitorSchedule,
    NewDataTrigger,
    Pipeline,
    PipelineFailureNotifications,
    PipelineMonitoring,
    PipelineSchedule,
    SageMakerPipelineChecks,
    SageMakerPipelineTarget,
    ServerlessConfig,
    enable_event_bridge_notifications,
    notify_topic,
    schedule_expression_problem,
    synth_app,
)
from cdk_sagemaker_pipelines.checks import BASELINE, Finding, Rule
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    Image,
    Join,
    LambdaStep,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingStep,
    RegisterModel,
    StepExceptionType,
    StepRetryPolicy,
    UnknownArgumentError,
)
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, SharedPipeline

OTHER_ACCOUNT = "444455556666"
PIPELINE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/imported"
VERSION_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
MONITOR_BASELINE = MonitorBaseline(
    statistics_uri="s3://ml-artifacts/models/churn/e1/statistics.json",
    constraints_uri="s3://ml-artifacts/models/churn/e1/constraints.json",
)
PARAMETER_LOCATIONS = {"InputBucket": "data-bucket", "InputDataKey": ["curated/*", "incoming/*"]}


def _compute() -> ComponentCompute:
    return ComponentCompute(min_memory_required_in_mb=1024)


def _challenger() -> EndpointVariant:
    """A valid production variant beside an endpoint's own."""
    return EndpointVariant(name="Challenger", model_package_arn=VERSION_ARN)


def _definition() -> PipelineDefinition:
    key = ParameterString(name="InputDataKey", default_value="curated/")
    bucket = ParameterString(name="InputBucket", default_value="data-bucket")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", bucket, "/", key])},
    )
    return PipelineDefinition(parameters=[key, bucket], steps=[prep])


class World:
    """One app: a pipeline and what the baseline calls take (and some wrong values are)."""

    def __init__(self) -> None:
        stack = new_stack()
        self.stack = stack
        self.pipeline = Pipeline(
            stack,
            "Training",
            definition=_definition(),
            pipeline_name="churn",
            parameter_locations=PARAMETER_LOCATIONS,
        )
        self.imported_pipeline = Pipeline.from_pipeline_arn(stack, "Imported", PIPELINE_ARN)
        self.store = ArtifactStore(stack, "Store")
        self.registry = ModelRegistry(stack, "Registry", artifact_store=self.store)
        self.role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
        self.bucket = s3.Bucket(stack, "Data", bucket_name="data-bucket")
        self.imported_bucket = s3.Bucket.from_bucket_name(stack, "Landing", "landing-bucket")
        self.imported_key = kms.Key.from_key_arn(
            stack, "LandingKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/landing"
        )
        self.topic = sns.Topic(stack, "Topic")
        self.queue = sqs.Queue(stack, "Queue")
        self.vpc = ec2.Vpc.from_vpc_attributes(
            stack,
            "Vpc",
            vpc_id="vpc-1",
            availability_zones=[f"{REGION}a"],
            private_subnet_ids=["subnet-1"],
        )
        self.security_group = ec2.SecurityGroup.from_security_group_id(stack, "Jobs", "sg-1")
        self.rule = events.Rule(
            stack, "Rule", event_pattern=events.EventPattern(source=["aws.sagemaker"])
        )
        self.target = targets.SqsQueue(self.queue)
        self.repository = ecr.Repository.from_repository_name(stack, "Serving", "serving")
        self.endpoint = ModelEndpoint(
            stack, "Endpoint", model_package_arn=VERSION_ARN, artifact_store=self.store
        )
        self.alarm = cloudwatch.Alarm.from_alarm_name(stack, "Errors", "churn-errors")
        self.guarded_endpoint = ModelEndpoint(
            stack,
            "Guarded",
            model_package_arn=VERSION_ARN,
            artifact_store=self.store,
            deployment=Deployment.all_at_once(wait=cdk.Duration.minutes(5)),
        )
        self.serverless_endpoint = ModelEndpoint(
            stack,
            "Serverless",
            model_package_arn=VERSION_ARN,
            artifact_store=self.store,
            serverless=ServerlessConfig(
                memory_size_in_mb=1024, max_concurrency=5, provisioned_concurrency=2
            ),
        )
        self.async_endpoint = ModelEndpoint(
            stack,
            "Async",
            model_package_arn=VERSION_ARN,
            artifact_store=self.store,
            async_inference=AsyncInference(),
        )
        self.monitored = ModelEndpoint(
            stack,
            "Monitored",
            model_package_arn=VERSION_ARN,
            artifact_store=self.store,
            data_capture=DataCapture(),
        )
        self.component_endpoint = ComponentEndpoint(
            stack, "Components", artifact_store=self.store, instance_type="ml.g5.xlarge"
        )
        self.component = self.component_endpoint.add_component(
            "Support", model_package_arn=VERSION_ARN, compute=_compute(), copies=2
        )
        self.monitor = DataQualityMonitor(
            stack, "Monitor", endpoint=self.monitored, baseline=MONITOR_BASELINE
        )


# -- The public API, each callable with a valid baseline call -----------------------------

Arguments = dict[str, Any]
Valid = Callable[[World], Any]


@dataclass(frozen=True)
class Api:
    """A public callable, and how to call it with valid arguments in a ``World``.

    ``baseline(world, construct_id)`` gives valid arguments by parameter name (the id, for
    what takes one, is the one given); ``call(world, arguments)`` calls it. Its errors must
    name the parameter and each of ``subject`` (``{id}``: the construct id given).
    """

    name: str
    function: Callable[..., Any]
    call: Callable[[World, Arguments], Any]
    baseline: Callable[[World, str], Arguments]
    subject: tuple[str, ...]


def _props(**valid: Valid) -> Callable[[World, str], Arguments]:
    """Valid arguments of a construct (or a factory): the world's stack, the id, ``valid``."""

    def baseline(world: World, construct_id: str) -> Arguments:
        given = {name: make(world) for name, make in valid.items()}
        return {"scope": world.stack, "construct_id": construct_id, **given}

    return baseline


def _construct(
    name: str, function: Callable[..., Any], *, subject: str | None = None, **valid: Valid
) -> Api:
    """A construct class or static constructor, called as ``function(scope, id, **props)``.

    Its errors name ``subject`` (Default: ``name``) and the construct id.
    """

    def call(world: World, arguments: Arguments) -> Any:
        given = dict(arguments)
        return function(given.pop("scope"), given.pop("construct_id"), **given)

    signature = cast(Any, function).__init__ if isinstance(function, type) else function
    return Api(name, signature, call, _props(**valid), (subject or name, "{id}"))


def _method(
    name: str,
    owner: Callable[[World], Any],
    path: str,
    *,
    positional: str | None = None,
    subject: str | None = None,
    **valid: Valid,
) -> Api:
    """A method of ``owner`` (the construct at ``path``); ``construct_id`` is given as needed."""
    cls, method = name.rsplit(".", 1)
    function = getattr(getattr(public, cls.split("(")[0].split(".")[0]), method)

    def call(world: World, arguments: Arguments) -> Any:
        given = dict(arguments)
        first = [given.pop(positional)] if positional in given else []
        return getattr(owner(world), method)(*first, **given)

    def baseline(world: World, construct_id: str) -> Arguments:
        given = {name: make(world) for name, make in valid.items()}
        if "construct_id" in inspect.signature(function).parameters:
            given["construct_id"] = construct_id
        return given

    return Api(name, function, call, baseline, (path, subject or method))


def _pipeline_methods(label: str, owner: Callable[[World], Any], path: str) -> list[Api]:
    """The grants, metrics and rules of a pipeline."""
    grants = (
        "grant_start_pipeline_execution",
        "grant_stop_pipeline_execution",
        "grant_read",
        "grant_complete_callback_steps",
    )
    metrics = (
        "metric_execution_started",
        "metric_execution_failed",
        "metric_execution_succeeded",
        "metric_execution_stopped",
        "metric_execution_duration",
    )
    rules = ("on_event", "on_execution_status_change", "on_execution_failed")
    return [
        *(
            _method(f"{label}.{grant}", owner, path, grantee=lambda world: world.role)
            for grant in grants
        ),
        _method(
            f"{label}.metric",
            owner,
            path,
            positional="metric_name",
            metric_name=lambda world: "ExecutionFailed",
        ),
        *(_method(f"{label}.{metric}", owner, path, subject="metric") for metric in metrics),
        *(
            _method(f"{label}.{rule}", owner, path, target=lambda world: world.target)
            for rule in rules
        ),
        *_step_methods(label, owner, path),
    ]


def _step_methods(label: str, owner: Callable[[World], Any], path: str) -> list[Api]:
    """The methods that take step names: a ``Pipeline`` knows its steps, an imported one not."""
    return [
        _method(
            f"{label}.metric_step_failed",
            owner,
            path,
            positional="step_name",
            subject="metric",
            step_name=lambda world: "Prep",
        ),
        _method(f"{label}.on_step_status_change", owner, path, target=lambda world: world.target),
    ]


def _store(world: World) -> ArtifactStore:
    return world.store


def _registry(world: World) -> ModelRegistry:
    return world.registry


def _endpoint(world: World) -> ModelEndpoint:
    return world.endpoint


def _component_endpoint(world: World) -> ComponentEndpoint:
    return world.component_endpoint


def _component(world: World) -> Any:
    return world.component


def _guarded_endpoint(world: World) -> ModelEndpoint:
    return world.guarded_endpoint


def _serverless_endpoint(world: World) -> ModelEndpoint:
    return world.serverless_endpoint


def _async_endpoint(world: World) -> ModelEndpoint:
    return world.async_endpoint


def _deployment_factory(name: str, **valid: Any) -> Api:
    """A ``Deployment`` factory, called with ``valid`` arguments (and the world's alarm)."""
    factory = getattr(Deployment, name)
    return Api(
        f"Deployment.{name}",
        factory,
        lambda world, arguments: factory(**arguments),
        lambda world, _: {
            "wait": cdk.Duration.minutes(5),
            "timeout": cdk.Duration.hours(1),
            "rollback_alarms": [world.alarm],
            **valid,
        },
        (f"Deployment.{name}",),
    )


def _monitor(world: World) -> DataQualityMonitor:
    return world.monitor


def _pipeline(world: World) -> Any:
    return world.pipeline


def _imported(world: World) -> Any:
    return world.imported_pipeline


def _schedule_factory(factory: str, **valid: Any) -> Api:
    """A static constructor of ``MonitorSchedule``, with valid arguments."""
    function = getattr(MonitorSchedule, factory)

    def call(world: World, arguments: Arguments) -> Any:
        return function(**arguments)

    def baseline(world: World, construct_id: str) -> Arguments:
        return dict(valid)

    return Api(
        f"MonitorSchedule.{factory}", function, call, baseline, (f"MonitorSchedule.{factory}",)
    )


APIS: list[Api] = [
    _construct(
        "Pipeline",
        Pipeline,
        definition=lambda world: _definition(),
        parameter_locations=lambda world: PARAMETER_LOCATIONS,
        # With a VPC, so vpc_subnets and security_groups are judged for what they are.
        vpc=lambda world: world.vpc,
    ),
    _construct(
        "Pipeline.from_pipeline_name",
        Pipeline.from_pipeline_name,
        pipeline_name=lambda world: "imported-by-name",
    ),
    _construct(
        "Pipeline.from_pipeline_arn",
        Pipeline.from_pipeline_arn,
        pipeline_arn=lambda world: PIPELINE_ARN,
    ),
    *_pipeline_methods("Pipeline", _pipeline, "Test/Training"),
    # What an imported pipeline does differently: it doesn't know its steps.
    *_step_methods("Pipeline.from_pipeline_arn()", _imported, "Test/Imported"),
    _construct("ArtifactStore", ArtifactStore),
    _construct(
        "ArtifactStore.from_existing",
        ArtifactStore.from_existing,
        subject="ArtifactStore",  # the store it makes
        bucket=lambda world: world.imported_bucket,
        key=lambda world: world.imported_key,
    ),
    _method("ArtifactStore.add_bucket", _store, "Test/Store", positional="construct_id"),
    _method(
        "ArtifactStore.grant_read",
        _store,
        "Test/Store",
        grantee=lambda world: world.role,
        key_pattern=lambda world: "models/*",
    ),
    _method("ArtifactStore.grant_read_models", _store, "Test/Store", grantee=lambda w: w.role),
    _method(
        "ArtifactStore.share_models_with", _store, "Test/Store", account_id=lambda w: OTHER_ACCOUNT
    ),
    _construct("ModelRegistry", ModelRegistry, artifact_store=_store),
    *(
        _method(f"ModelRegistry.{grant}", _registry, "Test/Registry", grantee=lambda w: w.role)
        for grant in ("grant_register", "grant_read", "grant_approve")
    ),
    *(
        _method(
            f"ModelRegistry.{method}",
            _registry,
            "Test/Registry",
            account_id=lambda world: OTHER_ACCOUNT,
        )
        for method in ("share_with_account", "allow_registration_from")
    ),
    *(
        _method(f"ModelRegistry.{method}", _registry, "Test/Registry", target=lambda w: w.target)
        for method in ("on_model_approved", "on_model_package_state_change")
    ),
    _construct(
        "ModelEndpoint",
        ModelEndpoint,
        model_package_arn=lambda world: VERSION_ARN,
        artifact_store=_store,
        model_store=_store,
        registry=lambda world: None,
        data_capture=lambda world: DataCapture(sampling_percentage=10),
        role=lambda world: world.role,
        image_repositories=lambda world: [world.repository],
        volume_key=lambda world: world.imported_key,
        model_data_download_timeout=lambda world: cdk.Duration.minutes(20),
        container_startup_health_check_timeout=lambda world: cdk.Duration.minutes(15),
        volume_size_in_gb=lambda world: 100,
        inference_ami_version=lambda world: "al2-ami-sagemaker-inference-gpu-3-1",
        # With a VPC, so vpc_subnets and security_groups are judged for what they are.
        vpc=lambda world: world.vpc,
        initial_weight=lambda world: 3,
        # No async_inference: SageMaker takes it with a single production variant only
        # (its wrong values are still judged, before the props are judged together).
        variants=lambda world: [_challenger()],
    ),
    Api(
        "EndpointVariant",
        EndpointVariant.__init__,
        lambda world, arguments: EndpointVariant(**arguments),
        lambda world, _: {
            "name": "Challenger",
            "model_package_arn": VERSION_ARN,
            "instance_type": "ml.c5.xlarge",
            "initial_instance_count": 2,
            "initial_weight": 0.5,
            "model_store": world.store,
            "registry": world.registry,
            "image_repositories": [world.repository],
            "model_data_download_timeout": cdk.Duration.minutes(20),
            "container_startup_health_check_timeout": cdk.Duration.minutes(15),
            "volume_size_in_gb": 100,
            "inference_ami_version": "al2-ami-sagemaker-inference-gpu-3-1",
        },
        ("EndpointVariant",),
    ),
    _construct(
        "ComponentEndpoint",
        ComponentEndpoint,
        artifact_store=_store,
        instance_type=lambda world: "ml.g5.xlarge",
        initial_instance_count=lambda world: 1,
        managed_instance_scaling=lambda world: ManagedInstanceScaling(max_instance_count=2),
        routing_strategy=lambda world: "RANDOM",
        # ml.g5 keeps its storage on NVMe: no volume size (refused for it)
        volume_size_in_gb=lambda world: None,
        inference_ami_version=lambda world: "al2-ami-sagemaker-inference-gpu-3-1",
        endpoint_name=lambda world: None,
        role=lambda world: world.role,
        require_approval=lambda world: False,
        image_repositories=lambda world: [world.repository],
        # With a VPC, so vpc_subnets and security_groups are judged for what they are.
        vpc=lambda world: world.vpc,
    ),
    _method(
        "ComponentEndpoint.add_component",
        _component_endpoint,
        "Test/Components",
        positional="construct_id",
        model_package_arn=lambda world: VERSION_ARN,
        compute=lambda world: _compute(),
        copies=lambda world: 1,
        model_store=_store,
        registry=lambda world: None,
        model_data_download_timeout=lambda world: cdk.Duration.minutes(20),
        container_startup_health_check_timeout=lambda world: cdk.Duration.minutes(15),
    ),
    _method(
        "ComponentEndpoint.grant_invoke",
        _component_endpoint,
        "Test/Components",
        grantee=lambda w: w.role,
    ),
    _method(
        "ComponentEndpoint.notify_on_rejection",
        _component_endpoint,
        "Test/Components",
        topic=lambda world: world.topic,
    ),
    _method(
        "EndpointComponent.add_copy_scaling",
        _component,
        "Test/Components/Support",
        max_copies=lambda world: 4,
        target_invocations_per_copy=lambda world: 10.0,
        min_copies=lambda world: 0,
        scale_in_cooldown=lambda world: cdk.Duration.minutes(10),
        scale_out_cooldown=lambda world: cdk.Duration.minutes(1),
    ),
    _method(
        "EndpointComponent.add_adapter",
        _component,
        "Test/Components/Support",
        positional="construct_id",
        artifact=lambda world: f"s3://{world.store.bucket.bucket_name}/adapters/a/adapter.tar.gz",
        store=_store,
    ),
    _method(
        "EndpointComponent.metric",
        _component,
        "Test/Components/Support",
        positional="metric_name",
        metric_name=lambda world: "Invocations",
    ),
    *(
        _method(
            f"EndpointComponent.{metric}", _component, "Test/Components/Support", subject="metric"
        )
        for metric in (
            "metric_invocations",
            "metric_invocation_4xx_errors",
            "metric_invocation_5xx_errors",
            "metric_model_latency",
            "metric_no_capacity_invocation_failures",
        )
    ),
    Api(
        "ComponentCompute",
        ComponentCompute.__init__,
        lambda world, arguments: ComponentCompute(**arguments),
        lambda world, _: {
            "min_memory_required_in_mb": 1024,
            "number_of_accelerator_devices_required": 1,
            "number_of_cpu_cores_required": 0.5,
        },
        ("ComponentCompute",),
    ),
    Api(
        "ManagedInstanceScaling",
        ManagedInstanceScaling.__init__,
        lambda world, arguments: ManagedInstanceScaling(**arguments),
        lambda world, _: {"max_instance_count": 2, "min_instance_count": 0},
        ("ManagedInstanceScaling",),
    ),
    _method("ModelEndpoint.grant_invoke", _endpoint, "Test/Endpoint", grantee=lambda w: w.role),
    _method(
        "ModelEndpoint.add_auto_scaling",
        _endpoint,
        "Test/Endpoint",
        max_capacity=lambda world: 4,
        target_invocations_per_instance=lambda world: 50.0,
        min_capacity=lambda world: 1,
        scale_in_cooldown=lambda world: cdk.Duration.minutes(10),
        scale_out_cooldown=lambda world: cdk.Duration.minutes(1),
        variant=lambda world: "AllTraffic",
    ),
    _method(
        "ModelEndpoint.grant_invoke_async", _async_endpoint, "Test/Async", grantee=lambda w: w.role
    ),
    _method(
        "ModelEndpoint.add_async_auto_scaling",
        _async_endpoint,
        "Test/Async",
        max_capacity=lambda world: 4,
        target_backlog_per_instance=lambda world: 5.0,
        min_capacity=lambda world: 0,
        scale_in_cooldown=lambda world: cdk.Duration.minutes(10),
        scale_out_cooldown=lambda world: cdk.Duration.minutes(1),
    ),
    *(
        _method(f"ModelEndpoint.{metric}", _async_endpoint, "Test/Async", subject="metric")
        for metric in (
            "metric_approximate_backlog_size",
            "metric_approximate_backlog_size_per_instance",
            "metric_approximate_age_of_oldest_request",
            "metric_has_backlog_without_capacity",
        )
    ),
    Api(
        "AsyncInference",
        AsyncInference.__init__,
        lambda world, arguments: AsyncInference(**arguments),
        lambda world, _: {
            "max_concurrent_invocations_per_instance": 4,
            "success_topic": world.topic,
            "error_topic": world.topic,
            "include_inference_response": True,
            "retention": cdk.Duration.days(3),
        },
        ("AsyncInference",),
    ),
    _method(
        "ModelEndpoint.add_provisioned_concurrency_scaling",
        _serverless_endpoint,
        "Test/Serverless",
        max_capacity=lambda world: 4,
        target_utilization=lambda world: 0.5,
        min_capacity=lambda world: 1,
        scale_in_cooldown=lambda world: cdk.Duration.minutes(10),
        scale_out_cooldown=lambda world: cdk.Duration.minutes(1),
    ),
    _method(
        "ModelEndpoint.add_rollback_alarm",
        _guarded_endpoint,
        "Test/Guarded",
        positional="alarm",
        alarm=lambda world: world.alarm,
    ),
    _method(
        "ModelEndpoint.add_error_alarms",
        _endpoint,
        "Test/Endpoint",
        topic=lambda world: world.topic,
        server_error_rate=lambda world: 0.01,
        model_error_rate=lambda world: 0.05,
        min_invocations=lambda world: 20,
        period=lambda world: cdk.Duration.minutes(5),
        evaluation_periods=lambda world: 3,
        variant=lambda world: "AllTraffic",
    ),
    _method(
        "ModelEndpoint.notify_on_rejection",
        _endpoint,
        "Test/Endpoint",
        topic=lambda world: world.topic,
    ),
    _method(
        "ModelEndpoint.metric",
        _endpoint,
        "Test/Endpoint",
        positional="metric_name",
        metric_name=lambda world: "Invocations",
        variant=lambda world: "AllTraffic",
    ),
    *(
        _method(f"ModelEndpoint.{metric}", _endpoint, "Test/Endpoint", subject="metric")
        for metric in (
            "metric_invocations",
            "metric_invocation_4xx_errors",
            "metric_invocation_5xx_errors",
            "metric_model_latency",
            "metric_overhead_latency",
        )
    ),
    Api(
        "Deployment",
        Deployment.__init__,
        lambda world, arguments: Deployment(**arguments),
        lambda world, _: {
            "strategy": "ROLLING",
            "wait": cdk.Duration.minutes(5),
            "percent": 20,
            "timeout": cdk.Duration.hours(1),
            "rollback_percent": 50,
            "rollback_alarms": [world.alarm],
        },
        ("Deployment",),
    ),
    _deployment_factory("all_at_once", termination_wait=cdk.Duration.minutes(1)),
    _deployment_factory("canary", percent=10, termination_wait=cdk.Duration.minutes(1)),
    _deployment_factory("linear", instances=1, termination_wait=cdk.Duration.minutes(1)),
    _deployment_factory("rolling", percent=20, rollback_instances=1),
    _construct(
        "DataQualityMonitor",
        DataQualityMonitor,
        endpoint=lambda world: world.monitored,
        baseline=lambda world: MONITOR_BASELINE,
        schedule=lambda world: MonitorSchedule.daily(hour=2),
        max_runtime=lambda world: cdk.Duration.minutes(50),
        role=lambda world: world.role,
    ),
    _method(
        "DataQualityMonitor.metric",
        _monitor,
        "Test/Monitor",
        positional="metric_name",
        metric_name=lambda world: "feature_data_age",
    ),
    _method(
        "DataQualityMonitor.add_missing_results_alarm",
        _monitor,
        "Test/Monitor",
        positional="feature_name",
        feature_name=lambda world: "age",
        missed_runs=lambda world: 2,
        topic=lambda world: world.topic,
    ),
    _method(
        "DataQualityMonitor.metric_feature_baseline_drift",
        _monitor,
        "Test/Monitor",
        positional="feature_name",
        subject="metric",
        feature_name=lambda world: "age",
    ),
    Api(
        "MonitorBaseline",
        MonitorBaseline.__init__,
        lambda world, arguments: MonitorBaseline(**arguments),
        lambda world, _: {
            "statistics_uri": MONITOR_BASELINE.statistics_uri,
            "constraints_uri": MONITOR_BASELINE.constraints_uri,
        },
        ("MonitorBaseline",),
    ),
    _construct(
        "MonitorBaseline.from_model_package",
        MonitorBaseline.from_model_package,
        model_package_arn=lambda world: VERSION_ARN,
        source=lambda world: "model_metrics",
    ),
    Api(
        "MonitorSchedule",
        MonitorSchedule.__init__,
        lambda world, arguments: MonitorSchedule(**arguments),
        lambda world, _: {"expression": "cron(0 * ? * * *)"},
        ("MonitorSchedule",),
    ),
    _schedule_factory("hourly"),
    _schedule_factory("daily", hour=2),
    _schedule_factory("every", hours=6, starting_hour=1),
    Api(
        "DataCapture",
        DataCapture.__init__,
        lambda world, arguments: DataCapture(**arguments),
        lambda world, _: {"sampling_percentage": 10, "csv_content_types": ["text/csv"]},
        ("DataCapture",),
    ),
    _construct(
        "PipelineSchedule",
        PipelineSchedule,
        pipeline=_pipeline,
        schedule=lambda world: scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
        dead_letter_queue=lambda world: world.queue,
        max_event_age=lambda world: cdk.Duration.hours(1),
    ),
    _construct(
        "NewDataTrigger",
        NewDataTrigger,
        pipeline=_pipeline,
        bucket=lambda world: world.bucket,
        prefix=lambda world: "incoming/",
        key_parameter=lambda world: "InputDataKey",
        bucket_parameter=lambda world: "InputBucket",
        dead_letter_queue=lambda world: world.queue,
        max_event_age=lambda world: cdk.Duration.hours(1),
    ),
    Api(
        "SageMakerPipelineTarget",
        SageMakerPipelineTarget.__init__,
        lambda world, arguments: SageMakerPipelineTarget(**arguments),
        lambda world, _: {
            "pipeline": world.pipeline,
            "dead_letter_queue": world.queue,
            "max_event_age": cdk.Duration.hours(1),
        },
        ("SageMakerPipelineTarget",),
    ),
    Api(
        "SageMakerPipelineTarget.bind",
        SageMakerPipelineTarget.bind,
        lambda world, arguments: SageMakerPipelineTarget(world.pipeline).bind(**arguments),
        lambda world, construct_id: {"rule": world.rule, "id": construct_id},
        ("SageMakerPipelineTarget.bind",),
    ),
    _construct(
        "PipelineFailureNotifications",
        PipelineFailureNotifications,
        pipeline=_pipeline,
        topic=lambda world: world.topic,
        notify_failed_steps=lambda world: True,
    ),
    _construct(
        "PipelineMonitoring",
        PipelineMonitoring,
        pipeline=_pipeline,
        alarm_topic=lambda world: world.topic,
        period=lambda world: cdk.Duration.minutes(5),
        dead_letter_queues=lambda world: [world.queue],
        success_expected_within=lambda world: cdk.Duration.days(2),
    ),
    Api(
        "SageMakerPipelineChecks",
        SageMakerPipelineChecks.__init__,
        lambda world, arguments: SageMakerPipelineChecks(**arguments),
        lambda world, _: {
            "require_network_isolation": True,
            "extra_rules": [COMPANY_RULE],
            "scope": world.stack,
        },
        ("SageMakerPipelineChecks",),
    ),
    Api(
        "enable_event_bridge_notifications",
        enable_event_bridge_notifications,
        lambda world, arguments: enable_event_bridge_notifications(**arguments),
        lambda world, _: {"bucket": world.bucket},
        ("enable_event_bridge_notifications",),
    ),
    Api(
        "schedule_expression_problem",
        schedule_expression_problem,
        lambda world, arguments: schedule_expression_problem(**arguments),
        lambda world, _: {"expression": "rate(1 day)"},
        ("schedule_expression_problem",),
    ),
    Api(
        "notify_topic",
        notify_topic,
        lambda world, arguments: notify_topic(**arguments),
        # An alarm and a topic of their own, new for each call (the world's would keep the
        # action and statement a valid call adds).
        lambda world, _: {
            "alarms": world.pipeline.metric_execution_failed().create_alarm(
                world.stack, f"NotifyAlarm{next(_IDS)}", threshold=1, evaluation_periods=1
            ),
            "topic": sns.Topic(world.stack, f"NotifyTopic{next(_IDS)}"),
        },
        ("notify_topic",),
    ),
    Api(
        "synth_app",
        synth_app,
        lambda world, arguments: synth_app(**arguments),
        lambda world, _: {"app": new_app()},
        ("synth_app",),
    ),
]

# Public callables not called here, with the reason.
NOT_CALLED = {
    "EndpointErrorAlarms": "what ModelEndpoint.add_error_alarms returns, which is called here",
    "EndpointComponent": "made by ComponentEndpoint.add_component, which is called here",
    "ComponentAdapter": "made by EndpointComponent.add_adapter, which is called here",
    "SageMakerPipelineChecks.validate": "aws-cdk-lib calls it, with its validation context",
    "PipelineBase": "the type of a Pipeline or an imported one, never made itself",
    "ServerlessConfig": "the language's class, re-exported: its fields are checked by the "
    "language (tests/definition/steps/test_endpoint.py), and ModelEndpoint's serverless= here",
    "ServerlessConfig.to_request": "the language's class: renders a pipeline step's variant",
    # A value, like a Duration: the ArtifactStore given it checks it and names its prop
    # (sealed_retention: tests/cdk/test_artifacts.py, and wrong values of the type below).
    "SealedRetention": "a value the ArtifactStore given it checks (sealed_retention)",
    "SealedRetention.compliance": "a value the ArtifactStore given it checks",
    "SealedRetention.governance": "a value the ArtifactStore given it checks",
}
# PipelineBase's methods are Pipeline's: each is called above as Pipeline.<method>, which
# test_every_public_callable_and_parameter_is_covered checks.
BASE_OF_PIPELINE = "PipelineBase."


# -- Wrong values, by annotation -----------------------------------------------------------


@dataclass(frozen=True)
class Wrong:
    """A wrong value for a parameter: ``make(world)`` gives it; ``label`` names it."""

    label: str
    make: Callable[[World], Any]


def _value(label: str, value: Any) -> Wrong:
    return Wrong(label, lambda world: value)


UNRELATED = _value("object", object())
AN_INT = _value("int", 42)
A_STRING = _value("str", "abc")
A_LIST = _value("list", ["abc"])
A_DICT = _value("dict", {"abc": "def"})
NONE = _value("None", None)
# Constructs of another kind than expected, and a class given for an instance.
A_BUCKET = Wrong("s3.Bucket", lambda world: world.bucket)
A_ROLE = Wrong("iam.Role", lambda world: world.role)
A_TOPIC = Wrong("sns.Topic", lambda world: world.topic)
A_CLASS = _value("class", iam.Role)


# A rule of a platform team's own, for SageMakerPipelineChecks(extra_rules=[…]).
def _no_findings(definition: Any) -> list[Finding]:
    return []


COMPANY_RULE: Rule = Rule(
    "ACME-CostCenter", "Error", "No cost-center tag.", "Tag it.", _no_findings
)


def _arn(service: str, resource: str) -> Wrong:
    return _value("ARN", f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}")


# By annotation (as written, ``| None`` removed); ``None`` is added where it isn't optional.
WRONG_BY_TYPE: dict[str, list[Wrong]] = {
    "Construct": [AN_INT, A_STRING, _value("class", cdk.Stack)],
    "str": [AN_INT, A_LIST, UNRELATED],
    "bool": [A_STRING, _value("int", 1), UNRELATED],
    "int": [A_STRING, _value("float", 2.5), _value("bool", True), UNRELATED],
    "float": [A_STRING, _value("bool", True), _value("list", [1.0]), UNRELATED],
    "Duration": [AN_INT, A_STRING, UNRELATED],
    "SealedRetention": [AN_INT, A_STRING, UNRELATED],
    "RemovalPolicy": [_value("str", "retain"), UNRELATED],
    "Sequence[str]": [A_STRING, _value("ints", [1, 2]), A_DICT, UNRELATED],
    # dedicated_step_roles: names, or "*" alone (not in a list) for every job step.
    "Sequence[str] | Literal['*']": [
        A_STRING,
        _value("star in a list", ["*"]),
        _value("ints", [1, 2]),
        A_DICT,
        UNRELATED,
    ],
    "Mapping[str, str]": [_value("pairs", [("a", "b")]), A_STRING, _value("int values", {"a": 1})],
    "Mapping[str, str | Sequence[str]]": [_value("pairs", [("a", "b")]), A_STRING, UNRELATED],
    # model_stores: Model step names to the stores of other accounts' registries.
    "Mapping[str, ArtifactStore]": [
        _value("pairs", [("Score", "store")]),
        A_STRING,
        _value("bucket name values", {"Score": "dev-ml-artifacts"}),
        Wrong("bucket values", lambda world: {"Score": world.bucket}),
        UNRELATED,
    ],
    "list[s3.LifecycleRule]": [A_DICT, _value("dicts", [{"id": "x"}]), UNRELATED],
    "iam.IRole": [AN_INT, _value("ARN", f"arn:aws:iam::{ACCOUNT}:role/r"), A_BUCKET, A_CLASS],
    "iam.IGrantable": [AN_INT, _value("ARN", f"arn:aws:iam::{ACCOUNT}:role/r"), A_BUCKET, A_CLASS],
    "s3.IBucket": [AN_INT, _value("name", "data-bucket"), A_ROLE, A_CLASS],
    "s3.Bucket": [AN_INT, _value("name", "data-bucket"), A_ROLE, A_CLASS],
    "kms.IKey": [AN_INT, _arn("kms", "key/k"), A_BUCKET],
    "sqs.IQueue": [AN_INT, _arn("sqs", "q"), A_TOPIC, A_CLASS],
    "Sequence[sqs.IQueue]": [
        A_STRING,
        Wrong("one queue", lambda world: world.queue),
        _value("ARNs", [f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"]),
        Wrong("topics", lambda world: [world.topic]),
        _value("classes", [sqs.Queue]),
        UNRELATED,
    ],
    "sns.ITopic": [AN_INT, _arn("sns", "t"), A_BUCKET, A_CLASS],
    "cloudwatch.Dashboard": [AN_INT, _value("name", "team"), A_BUCKET, A_CLASS],
    "sagemaker.IPipeline": [AN_INT, _value("name", "churn"), A_BUCKET, A_CLASS],
    # PipelineMonitoring's pipeline: a Pipeline or an imported one.
    "PipelineBase": [AN_INT, _value("name", "churn"), A_BUCKET, A_CLASS],
    "ArtifactStore": [AN_INT, A_BUCKET, A_CLASS],
    "ModelRegistry": [AN_INT, _value("name", "churn"), A_BUCKET, A_CLASS],
    "AsyncInference": [AN_INT, _value("dict", {"retention": None}), A_CLASS],
    "ComponentCompute": [AN_INT, _value("dict", {"min_memory_required_in_mb": 1024}), A_CLASS],
    "ManagedInstanceScaling": [AN_INT, _value("dict", {"max_instance_count": 2}), A_CLASS],
    "DataCapture": [AN_INT, _value("dict", {"sampling_percentage": 10}), A_CLASS],
    "ServerlessConfig": [AN_INT, _value("dict", {"memory_size_in_mb": 2048}), A_CLASS],
    "EndpointVariant": [
        AN_INT,
        _value("dict", {"name": "Shadow"}),
        _value("class", EndpointVariant),
    ],
    "Sequence[EndpointVariant]": [
        A_STRING,
        Wrong("one variant", lambda world: _challenger()),
        _value("dicts", [{"name": "Challenger"}]),
        _value("classes", [EndpointVariant]),
        UNRELATED,
    ],
    "Deployment": [_value("str", "canary"), AN_INT, _value("class", Deployment)],
    "cloudwatch.IAlarm": [AN_INT, _value("name", "churn-errors"), A_BUCKET, A_CLASS],
    "Sequence[cloudwatch.IAlarm]": [
        A_STRING,
        _value("names", ["churn-errors"]),
        Wrong("one alarm", lambda world: world.alarm),
        Wrong("buckets", lambda world: [world.bucket]),
        UNRELATED,
    ],
    # notify_topic's alarms: created in this app (an imported one's actions are dropped).
    "cloudwatch.Alarm | cloudwatch.CompositeAlarm | Sequence[cloudwatch.Alarm | "
    "cloudwatch.CompositeAlarm]": [
        AN_INT,
        _value("name", "churn-errors"),
        Wrong("imported", lambda world: world.alarm),
        Wrong("imported in a list", lambda world: [world.alarm]),
        _value("empty list", []),
        A_BUCKET,
        A_CLASS,
        UNRELATED,
    ],
    "ModelEndpoint": [AN_INT, A_BUCKET, A_CLASS],
    "MonitorBaseline": [AN_INT, _value("URI", "s3://b/statistics.json"), A_DICT, A_CLASS],
    "MonitorSchedule": [_value("expression", "cron(0 * ? * * *)"), AN_INT, UNRELATED],
    "BaselineSource": [_value("a member's name", "ModelMetrics"), AN_INT, UNRELATED],
    "Sequence[ecr.IRepository]": [
        A_STRING,
        _value("names", ["serving"]),
        Wrong("one repository", lambda world: world.repository),
        Wrong("buckets", lambda world: [world.bucket]),
        UNRELATED,
    ],
    "ec2.IVpc": [AN_INT, _value("id", "vpc-1"), A_BUCKET],
    "ec2.SubnetSelection": [A_DICT, _value("ids", ["subnet-1"]), UNRELATED],
    "Sequence[ec2.ISecurityGroup]": [
        _value("id", "sg-1"),
        _value("ids", ["sg-1"]),
        Wrong("one group", lambda world: world.security_group),
        UNRELATED,
    ],
    "events.IRuleTarget": [AN_INT, A_TOPIC, A_CLASS],
    "events.EventPattern": [A_DICT, UNRELATED],
    "events_refs.IRuleRef": [AN_INT, _arn("events", "rule/r"), A_BUCKET],
    "scheduler.ScheduleExpression": [_value("str", "rate(1 day)"), UNRELATED],
    "DefinitionSource": [AN_INT, A_LIST, UNRELATED],
    "Sequence[Rule]": [
        A_STRING,
        _value("one rule", COMPANY_RULE),
        _value("functions", [lambda definition: []]),
        _value("rule of a taken id", [replace(COMPANY_RULE, id=BASELINE[0].id)]),
        UNRELATED,
    ],
    "App | Callable[[], App]": [
        AN_INT,
        Wrong("stack", lambda world: world.stack),
        _value("function returning 42", lambda: 42),
    ],
}

# By parameter name, beyond those of its type.
EXTRA: dict[str, list[Wrong]] = {
    "construct_id": [_value("empty", "")],
    "account_id": [_value("int", 444455556666), _value("short", "12345")],
}


def _type_of(annotation: str) -> tuple[str, bool]:
    """The annotation without ``| None`` (outside brackets), and whether it had it."""
    parts = [part.strip() for part in re.split(r"\|(?![^\[]*\])", annotation)]
    return " | ".join(part for part in parts if part != "None"), "None" in parts


def _signature(api: Api) -> list[inspect.Parameter]:
    parameters = inspect.signature(api.function).parameters.values()
    return [parameter for parameter in parameters if parameter.name not in ("self", "cls")]


def _named(api: Api) -> list[inspect.Parameter]:
    """The parameters of ``api`` but ``**options``."""
    return [p for p in _signature(api) if p.kind is not inspect.Parameter.VAR_KEYWORD]


def _wrong_values(parameter: inspect.Parameter) -> list[Wrong]:
    kind, optional = _type_of(str(parameter.annotation))
    wrong = WRONG_BY_TYPE[kind] + EXTRA.get(parameter.name, [])
    if not optional and parameter.default is not None:
        wrong.append(NONE)
    return wrong


# ``metric(name, **options)`` takes cloudwatch.MetricOptions' keywords: their wrong values
# by the keyword's (jsii) annotation; others get object().
WRONG_OPTION: dict[str, list[Wrong]] = {
    "typing.Optional[builtins.str]": [AN_INT, A_LIST],
    "typing.Optional[builtins.bool]": [A_STRING],
    "typing.Optional[aws_cdk.Duration]": [AN_INT, A_STRING],
    "typing.Optional[aws_cdk.aws_cloudwatch.Unit]": [_value("str", "Seconds")],
    "typing.Optional[typing.Mapping[builtins.str, builtins.str]]": [A_LIST, A_STRING],
}
# Every option is tried on metric(), which the other metric methods call with their options;
# on those, one (and a misspelt one) shows that they are passed on.
ALL_OPTIONS = "Pipeline.metric"
MISSPELT_OPTION = "statistc"


def _metric_options() -> dict[str, str]:
    parameters = inspect.signature(cloudwatch.MetricOptions.__init__).parameters.values()
    return {p.name: str(p.annotation) for p in parameters if p.name != "self"}


def _cases(api: Api) -> list[tuple[str, list[Wrong]]]:
    """Each parameter of ``api`` (and metric option) with its wrong values."""
    found = [(parameter.name, _wrong_values(parameter)) for parameter in _named(api)]
    if len(_named(api)) < len(_signature(api)):  # **options
        if api.name == ALL_OPTIONS:
            options = _metric_options()
            found += [(name, WRONG_OPTION.get(kind, [UNRELATED])) for name, kind in options.items()]
        else:
            found.append(("label", [AN_INT]))
        found.append((MISSPELT_OPTION, [_value("misspelt", "Sum")]))
    return found


def _public_callables() -> list[str]:
    """``Class``, ``Class.method`` and ``function`` for everything callable in ``__all__``.

    Methods are those this library defines: ``node``, ``with_`` and the like are
    aws-cdk-lib's.
    """
    found: list[str] = []
    for name in public.__all__:
        value = getattr(public, name)
        if inspect.isfunction(value):
            found.append(name)
        if not inspect.isclass(value):
            continue
        found.append(name)
        for attribute in dir(value):
            if attribute.startswith("_"):
                continue
            member = inspect.getattr_static(value, attribute)
            if isinstance(member, property) or not callable(getattr(value, attribute)):
                continue
            owner = next(c for c in value.__mro__ if attribute in vars(c))
            if owner.__module__.startswith("cdk_sagemaker_pipelines"):
                found.append(f"{name}.{attribute}")
    return found


def test_every_public_callable_and_parameter_is_covered() -> None:
    called = {api.name for api in APIS}
    for name in _public_callables():
        if name.startswith(BASE_OF_PIPELINE):
            name = "Pipeline." + name.removeprefix(BASE_OF_PIPELINE)
        assert name in called or name in NOT_CALLED, (
            f"{name} is public: add it to APIS with a valid baseline call (or to NOT_CALLED, "
            "saying why)"
        )
    for api in APIS:
        for parameter in _named(api):
            kind, _ = _type_of(str(parameter.annotation))
            assert kind in WRONG_BY_TYPE, (
                f"{api.name}({parameter.name}: {parameter.annotation}): add the wrong values "
                f"of {kind!r} to WRONG_BY_TYPE"
            )


@pytest.fixture(scope="module")
def shared_world() -> tuple[SharedPipeline, dict[str, World]]:
    """The world, built anew by ``SharedPipeline`` when a test changed it."""
    worlds: dict[str, World] = {}

    def build() -> Pipeline:
        worlds["current"] = World()
        return worlds["current"].pipeline

    return SharedPipeline(build), worlds


@pytest.fixture
def world(shared_world: tuple[SharedPipeline, dict[str, World]]) -> Iterator[World]:
    """The shared world; after the test, what it added is removed and must be all it did."""
    shared, worlds = shared_world
    yield worlds["current"]
    shared.restore()


_IDS: Iterator[int] = itertools.count()


def _leak(api: Api, world: World, arguments: Arguments, parameter: str, label: str) -> str | None:
    """How the call with ``arguments`` fails to fail as it should; None when it does."""
    case = f"{api.name}({parameter}={label})"
    try:
        api.call(world, arguments)
    except PipelineDefinitionError as error:
        message = str(error)
    except Exception as error:  # the leak being looked for
        return f"{case} raised {type(error).__name__}: {error}"
    else:
        return f"{case} passed"
    # A misspelt option is reported against 'options', naming the option.
    expected = [f"'{'options' if parameter == MISSPELT_OPTION else parameter}'", parameter]
    construct_id = arguments.get("construct_id")
    expected += [part.format(id=construct_id) for part in api.subject]
    missing = [part for part in expected if part not in message]
    return f"{case}: the error doesn't name {missing}: {message}" if missing else None


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.name)
def test_fails_wrong_values_naming_the_parameter(world: World, api: Api) -> None:
    """Each wrong value of each parameter; the world is restored once per callable."""
    leaks = [
        _leak(
            api,
            world,
            {**api.baseline(world, f"Case{next(_IDS)}"), parameter: wrong.make(world)},
            parameter,
            wrong.label,
        )
        for parameter, wrong_values in _cases(api)
        for wrong in wrong_values
    ]
    assert [leak for leak in leaks if leak] == []


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.name)
def test_valid_call_after_wrong_ones(
    shared_world: tuple[SharedPipeline, dict[str, World]], api: Api
) -> None:
    """The baseline call is valid, also under the id wrong values were just given with.

    A wrong value must leave nothing that fails the corrected call: a construct half built
    under the id, a grant or rule made before the check. Last: it leaves the world changed.
    """
    world = shared_world[1]["current"]
    construct_id = f"Again{next(_IDS)}"
    leaks = [
        _leak(
            api,
            world,
            {**api.baseline(world, construct_id), parameter.name: UNRELATED.make(world)},
            parameter.name,
            UNRELATED.label,
        )
        for parameter in _named(api)
        if parameter.name not in ("scope", "construct_id")
    ]
    assert [leak for leak in leaks if leak] == []
    api.call(world, api.baseline(world, construct_id))


# -- aws-cdk-lib objects given to the definition language -------------------------------------


def _definition_cases(stack: cdk.Stack) -> list[tuple[Callable[[], Any], str]]:
    """(a step built with a CDK object where the language takes a value, what it says).

    The objects are typed ``Any``: what mypy would refuse is what a user without it writes.
    """
    sklearn = Image.sklearn("1.2-1")
    function: Any = lambda_.Function.from_function_name(stack, "Fn", "notify")
    queue: Any = sqs.Queue(stack, "Approvals")
    registry: Any = ModelRegistry(stack, "Models", artifact_store=ArtifactStore(stack, "Models0"))
    key: Any = kms.Key(stack, "JobKey")
    bucket: Any = s3.Bucket(stack, "Raw")
    repository: Any = ecr.Repository.from_repository_name(stack, "Repo", "prep")
    parameter: Any = cdk.CfnParameter(stack, "InstanceType", default="ml.m5.large")
    two_hours: Any = cdk.Duration.hours(2)
    one_hour: Any = cdk.Duration.hours(1)
    thirty_days: Any = cdk.Duration.days(30)
    return [
        (
            lambda: LambdaStep(name="Notify", function_arn=function),
            "LambdaStep 'Notify': field 'function_arn' expects str or Expression, got "
            "aws_lambda.Function (an aws-cdk-lib object) (give its function_arn: "
            "function.function_arn)",
        ),
        (
            lambda: CallbackStep(name="Approve", sqs_queue_url=queue),
            "got aws_sqs.Queue (an aws-cdk-lib object) (give its queue_url: queue.queue_url)",
        ),
        (
            lambda: RegisterModel(
                name="Register",
                model_package_group_name=registry,
                image=sklearn,
                model_data="s3://models-bucket/model.tar.gz",
                inference_instances=["ml.m5.large"],
            ),
            "got ModelRegistry (a CDK construct) (give its model_package_group_name: "
            "model_registry.model_package_group_name)",
        ),
        (
            lambda: ProcessingStep(name="Prep", image=sklearn, output_kms_key=key),
            "got aws_kms.Key (an aws-cdk-lib object) (give its key_arn: key.key_arn)",
        ),
        (
            lambda: ProcessingStep(name="Prep", image=sklearn, inputs={"raw": bucket}),
            "field 'inputs['raw']' expects str or Expression or S3Location, got aws_s3.Bucket "
            "(an aws-cdk-lib object) (give S3Location.from_bucket(bucket, 'prefix/'))",
        ),
        (
            lambda: ProcessingStep(name="Prep", image=repository),
            "got aws_ecr.Repository (an aws-cdk-lib object) (give "
            "Image.from_ecr_repository(repository, tag='…'))",
        ),
        (
            lambda: ProcessingStep(name="Prep", image=sklearn, instance_type=parameter),
            "got CfnParameter (an aws-cdk-lib object) (give the CfnParameter's value_as_string",
        ),
        (
            lambda: ProcessingStep(name="Prep", image=sklearn, max_runtime_in_seconds=two_hours),
            "got Duration (an aws-cdk-lib object) (give a number of seconds: "
            "duration.to_seconds(), 7200)",
        ),
        (
            lambda: StepRetryPolicy(
                exception_types=[StepExceptionType.THROTTLING], expire_after_mins=one_hour
            ),
            "(give a number of minutes: duration.to_minutes(), 60)",
        ),
        (
            lambda: CacheConfig(expire_after=thirty_days),
            "(give an ISO 8601 duration: duration.to_iso_string(), 'P30D')",
        ),
    ]


def test_fails_cdk_objects_in_definition_fields_saying_what_to_write() -> None:
    """A resource where the language takes its name or ARN, a Duration where a number is.

    Each is refused where the step is built, naming the class as the user wrote it (not
    jsii's proxy and its address) and the attribute, bindable or number to write instead.
    """
    stack = new_stack()
    for build, message in _definition_cases(stack):
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        assert message in str(raised.value)
        assert " object at 0x" not in str(raised.value)


def test_fails_positional_props_naming_the_keywords_to_write() -> None:
    """Props given by position, as ``AwsSolutionsChecks(app)`` takes its app.

    Python's own error counts ``self`` and names no prop; the construct, left unbuilt,
    keeps its id free. The callables are typed ``Any``, as for a user without mypy.
    """
    stack = new_stack()
    pipeline: Any = Pipeline
    checks: Any = SageMakerPipelineChecks
    canary: Any = Deployment.canary
    calls: list[tuple[Callable[[], Any], str]] = [
        (
            lambda: pipeline(stack, "Training", _definition()),
            "Pipeline 'Training' takes 2 positional arguments (scope, construct_id), got 3 "
            "(PipelineDefinition after them): name the others, as in Pipeline(scope, "
            "construct_id, definition=…)",
        ),
        (
            lambda: checks(stack.node.root),
            "SageMakerPipelineChecks takes no positional argument, got 1 (App): give them by "
            "name: require_network_isolation=, require_job_runtime_limits=, extra_rules=, scope=",
        ),
        (
            lambda: canary(25, cdk.Duration.minutes(5)),
            "Deployment.canary takes no positional argument, got 2 (int, Duration): name them, "
            "as in Deployment.canary(wait=…)",
        ),
    ]
    for call, message in calls:
        with pytest.raises(UnknownArgumentError) as raised:
            call()
        assert str(raised.value) == message
    Pipeline(stack, "Training", definition=_definition())
