"""``ModelEndpoint(async_inference=AsyncInference(…))``: asynchronous inference.

One module-scoped stack, synthesized once: an asynchronous endpoint notifying an encrypted
topic of its results and a plain one of its failures, a caller granted asynchronous
invocation, and scaling to 0 on the backlog (docs/deploying-models.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    EndpointVariant,
    ModelEndpoint,
    ServerlessConfig,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, pack_findings, resource, statements

VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
BUCKET_ARN = {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]}


def _objects(path: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [BUCKET_ARN, f"/async-inference/churn-async/{path}"]]}


def _uri(path: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            ["s3://", {"Ref": "ArtifactsBucket88671897"}, f"/async-inference/churn-async/{path}"],
        ]
    }


class Async:
    def __init__(self) -> None:
        self.stack = new_stack()
        self.store = ArtifactStore(self.stack, "Artifacts")
        self.topic_key = kms.Key(self.stack, "TopicKey")
        self.results = sns.Topic(self.stack, "Results", master_key=self.topic_key)
        self.errors = sns.Topic(self.stack, "Errors")
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=VERSION,
            artifact_store=self.store,
            endpoint_name="churn-async",
            async_inference=AsyncInference(
                max_concurrent_invocations_per_instance=4,
                success_topic=self.results,
                error_topic=self.errors,
                include_inference_response=True,
            ),
        )
        self.caller = iam.Role(self.stack, "Caller", assumed_by=iam.AccountRootPrincipal())
        self.endpoint.grant_invoke_async(self.caller)
        self.endpoint.add_async_auto_scaling(max_capacity=4, target_backlog_per_instance=5)
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def built() -> Async:
    return Async()


def _of_type(template: Template, kind: str) -> list[Any]:
    return list(template.find_resources(kind).values())


def test_the_config_writes_results_and_failures_under_the_store_encrypted(built: Async) -> None:
    (config,) = _of_type(built.template, "AWS::SageMaker::EndpointConfig")
    assert config["Properties"]["AsyncInferenceConfig"] == {
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
        "OutputConfig": {
            "KmsKeyId": STORE_KEY,
            "S3OutputPath": _uri("output"),
            "S3FailurePath": _uri("failures"),
            "NotificationConfig": {
                "SuccessTopic": {"Ref": logical_id(built.results)},
                "ErrorTopic": {"Ref": logical_id(built.errors)},
                "IncludeInferenceResponseIn": [
                    "SUCCESS_NOTIFICATION_TOPIC",
                    "ERROR_NOTIFICATION_TOPIC",
                ],
            },
        },
    }
    assert built.endpoint.async_inference_prefix == "async-inference/churn-async/"


def test_the_role_gets_exactly_the_async_statements(built: Async) -> None:
    policy = statements(built.template, built.endpoint.role_policy)
    async_sids = [sid for sid in policy if "Async" in sid]
    assert {sid: policy[sid] for sid in async_sids} == {
        "EndpointReadsAsyncRequests": {
            "Sid": "EndpointReadsAsyncRequests",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": _objects("input/*"),
        },
        "EndpointWritesAsyncResults": {
            "Sid": "EndpointWritesAsyncResults",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": [_objects("failures/*"), _objects("output/*")],
        },
        "EndpointUsesAsyncInferenceKey": {
            "Sid": "EndpointUsesAsyncInferenceKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": STORE_KEY,
        },
        "EndpointPublishesAsyncNotifications": {
            "Sid": "EndpointPublishesAsyncNotifications",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": [{"Ref": logical_id(built.errors)}, {"Ref": logical_id(built.results)}],
        },
        "EndpointEncryptsAsyncNotifications": {
            "Sid": "EndpointEncryptsAsyncNotifications",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": {"Fn::GetAtt": [logical_id(built.topic_key), "Arn"]},
        },
    }
    # And nothing else beyond a real-time endpoint's own statements.
    assert sorted(set(policy) - set(async_sids)) == [
        "EndpointDecryptsModelArtifacts",
        "EndpointListsModelArtifacts",
        "EndpointPublishesMetrics",
        "EndpointReadsModelArtifacts",
        "EndpointWritesLogs",
    ]


def test_grant_invoke_async_puts_inputs_invokes_and_reads_results(built: Async) -> None:
    policy = resource(built.template, logical_id(built.caller.node.find_child("DefaultPolicy")))
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sagemaker:InvokeEndpointAsync",
            "Effect": "Allow",
            "Resource": {"Ref": logical_id(built.endpoint.cfn_endpoint)},
        },
        {"Action": "s3:PutObject", "Effect": "Allow", "Resource": _objects("input/*")},
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": [_objects("failures/*"), _objects("output/*")],
        },
        {
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": STORE_KEY,
        },
    ]


def test_the_store_expires_the_endpoints_requests_and_results(built: Async) -> None:
    bucket = resource(built.template, logical_id(built.store.bucket))
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    (rule,) = [rule for rule in rules if rule["Id"].startswith("ExpireAsyncInference")]
    assert rule["Prefix"] == "async-inference/churn-async/"
    assert rule["ExpirationInDays"] == 7
    assert rule["Status"] == "Enabled"


def test_scaling_tracks_the_backlog_and_scales_out_from_zero(built: Async) -> None:
    (target,) = _of_type(built.template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert target["Properties"]["MinCapacity"] == 0
    assert target["Properties"]["MaxCapacity"] == 4
    policies = {
        p["Properties"]["PolicyType"]: p["Properties"]
        for p in _of_type(built.template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    }
    tracking = policies["TargetTrackingScaling"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking == {
        "CustomizedMetricSpecification": {
            "Dimensions": [{"Name": "EndpointName", "Value": "churn-async"}],
            "MetricName": "ApproximateBacklogSizePerInstance",
            "Namespace": "AWS/SageMaker",
            "Statistic": "Average",
        },
        "TargetValue": 5,
    }
    assert policies["StepScaling"]["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity",
        "Cooldown": 300,
        "MetricAggregationType": "Average",
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
    }
    (alarm,) = _of_type(built.template, "AWS::CloudWatch::Alarm")
    props = alarm["Properties"]
    assert {k: props[k] for k in props if k != "AlarmDescription"} == {
        "AlarmActions": [{"Ref": logical_id(built.endpoint.node.find_child("ScaleOutFromZero"))}],
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "DatapointsToAlarm": 2,
        "Dimensions": [{"Name": "EndpointName", "Value": "churn-async"}],
        "EvaluationPeriods": 2,
        "MetricName": "HasBacklogWithoutCapacity",
        "Namespace": "AWS/SageMaker",
        "Period": 60,
        "Statistic": "Average",
        "Threshold": 1,
        "TreatMissingData": "missing",
    }
    (endpoint,) = _of_type(built.template, "AWS::SageMaker::Endpoint")
    assert endpoint["Properties"]["RetainAllVariantProperties"] is True


def test_the_async_metrics_name_the_endpoint_alone(built: Async) -> None:
    metric = built.endpoint.metric_approximate_age_of_oldest_request()
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/SageMaker",
        "ApproximateAgeOfOldestRequest",
        "Maximum",
    )
    assert metric.dimensions == {"EndpointName": "churn-async"}
    assert built.endpoint.metric_approximate_backlog_size().metric_name == (
        "ApproximateBacklogSize"
    )


def _endpoint(stack: cdk.Stack | None = None, **props: Any) -> ModelEndpoint:
    stack = stack or new_stack()
    return ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        **props,
    )


def test_retention_none_adds_no_rule_and_no_topics_no_notification() -> None:
    endpoint = _endpoint(async_inference=AsyncInference(retention=None))
    template = Template.from_stack(cdk.Stack.of(endpoint))
    bucket = resource(template, logical_id(endpoint.artifact_store.bucket))
    ids = [rule["Id"] for rule in bucket["Properties"]["LifecycleConfiguration"]["Rules"]]
    assert not [id_ for id_ in ids if id_.startswith("ExpireAsyncInference")]
    (config,) = _of_type(template, "AWS::SageMaker::EndpointConfig")
    output = config["Properties"]["AsyncInferenceConfig"]["OutputConfig"]
    assert "NotificationConfig" not in output
    assert "ClientConfig" not in config["Properties"]["AsyncInferenceConfig"]


def test_a_topic_of_another_account_is_warned() -> None:
    stack = new_stack()
    topic = sns.Topic.from_topic_arn(stack, "Central", f"arn:aws:sns:{REGION}:444455556666:ml")
    _endpoint(stack, async_inference=AsyncInference(error_topic=topic))
    warnings = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("async-topic-of-another-environment")
    )
    assert len(warnings) == 1
    assert "account 444455556666" in str(warnings[0].entry.data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"max_concurrent_invocations_per_instance": 0},
            r"AsyncInference has 1 problem:\n- prop 'max_concurrent_invocations_per_instance': "
            r"expected 1-1000 requests per instance, got 0",
        ),
        (
            {"max_concurrent_invocations_per_instance": 1001},
            r"'max_concurrent_invocations_per_instance': expected 1-1000",
        ),
        ({"success_topic": "arn:aws:sns:x"}, r"prop 'success_topic': expected an sns.ITopic"),
        (
            {"include_inference_response": True},
            r"prop 'include_inference_response': no success_topic or error_topic",
        ),
        ({"retention": cdk.Duration.hours(5)}, r"prop 'retention': S3 lifecycle rules count"),
    ],
)
def test_fails_wrong_async_inference_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        AsyncInference(**fields)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"serverless": ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)},
            r"prop 'serverless': SageMaker's asynchronous inference runs on instances",
        ),
        (
            {"shadow": EndpointVariant(name="Shadow", model_package_arn=VERSION)},
            r"prop 'shadow': SageMaker's shadow tests exclude endpoints with asynchronous",
        ),
        (
            # aws-cdk-rfcs 0431 (SageMaker endpoint L2): "asynchronous endpoints are only
            # capable of supporting a single instance-based production variant".
            {"variants": [EndpointVariant(name="Challenger", model_package_arn=VERSION)]},
            r"prop 'variants': SageMaker's asynchronous inference takes a single production",
        ),
        ({"async_inference": {"success_topic": None}}, r"prop 'async_inference': expected an"),
    ],
)
def test_fails_what_sagemaker_refuses_beside_async_inference(
    props: dict[str, Any], message: str
) -> None:
    props.setdefault("async_inference", AsyncInference())
    with pytest.raises(PipelineDefinitionError, match=message):
        _endpoint(**props)


def test_fails_real_time_scaling_and_async_methods_on_the_wrong_endpoint() -> None:
    endpoint = _endpoint(async_inference=AsyncInference())
    with pytest.raises(
        PipelineDefinitionError, match=r"add_auto_scaling has 1 problem:\n- prop 'async_inference'"
    ):
        endpoint.add_auto_scaling(max_capacity=2, target_invocations_per_instance=10)
    with pytest.raises(PipelineDefinitionError, match=r"metric_approximate_backlog_size\(\)"):
        endpoint.metric("ApproximateBacklogSize")
    # Not published for an asynchronous endpoint (SageMaker's guide, its metrics): an alarm
    # on them would never fire.
    calls: list[tuple[str, Callable[[], object]]] = [
        ("Invocations", endpoint.metric_invocations),
        ("OverheadLatency", endpoint.metric_overhead_latency),
        ("InvocationsPerInstance", lambda: endpoint.metric("InvocationsPerInstance")),
    ]
    for unpublished, call in calls:
        with pytest.raises(
            PipelineDefinitionError,
            match=rf"prop 'metric_name': SageMaker publishes no {unpublished} for an asynchronous",
        ):
            call()
    endpoint.metric("Invocation5XXErrors")  # published: the rollback alarms' metrics
    real_time = _endpoint()
    with pytest.raises(
        PipelineDefinitionError,
        match=r"grant_invoke_async has 1 problem:\n- prop 'async_inference': the endpoint has no",
    ):
        real_time.grant_invoke_async(iam.AccountRootPrincipal())
    with pytest.raises(PipelineDefinitionError, match=r"prop 'async_inference'"):
        real_time.add_async_auto_scaling(max_capacity=2, target_backlog_per_instance=5)
    with pytest.raises(PipelineDefinitionError, match=r"prop 'async_inference'"):
        real_time.metric_has_backlog_without_capacity()


def test_fails_wrong_async_scaling_arguments() -> None:
    endpoint = _endpoint(async_inference=AsyncInference())
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'target_backlog_per_instance': expected more than 0",
    ):
        endpoint.add_async_auto_scaling(max_capacity=2, target_backlog_per_instance=0)
    with pytest.raises(PipelineDefinitionError, match=r"argument 'min_capacity': 2 is more than"):
        endpoint.add_async_auto_scaling(
            min_capacity=2, max_capacity=3, target_backlog_per_instance=5
        )


def test_the_guides_async_example_synthesizes() -> None:
    from tests.cdk.test_endpoint import _guide_functions

    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    role = iam.Role(stack, "Batch", assumed_by=iam.AccountRootPrincipal())
    endpoint = _guide_functions("def add_async_endpoint(")["add_async_endpoint"](
        stack, store, VERSION, role
    )
    assert endpoint.scalable_target is not None
    Template.from_stack(stack)


def test_cdk_nag_finds_nothing_of_the_async_endpoint(built: Async) -> None:
    # Its role's statements, scaling policies and alarm are the construct's: each wildcard
    # acknowledged with its reason, as for a real-time endpoint.
    findings = pack_findings(built.stack)
    assert [finding for finding in findings if "Test/Endpoint" in finding] == []
