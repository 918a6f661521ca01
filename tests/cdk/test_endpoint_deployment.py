"""``ModelEndpoint``'s deployment guardrails and serverless variants (docs/deploying-models.md).

One module-scoped stack, synthesized once, built by the guide's own examples (its "Safe
deployments" and "Serverless endpoints" blocks, executed as written) and by two more
endpoints; cfn-lint lints its template in the session's lint worker while the other tests
run (``tests/cdk/lint.py``), read by the module's last test. Refusals are built in another
stack, never synthesized: a constructor that raises takes its endpoint out of the tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    Deployment,
    ModelEndpoint,
    ServerlessConfig,
)
from cdk_sagemaker_pipelines.definition import ParameterInteger, PipelineDefinitionError
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    logical_id,
    pack_findings,
    resource,
    statements,
    template_json,
)
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.conftest import REPO
from tests.test_docs import code_blocks

GUIDE = REPO / "docs" / "deploying-models.md"
VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
IMPORTED_ALARM = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-latency"
SCALING_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling."
    "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def guide_functions(marker: str) -> dict[str, Any]:
    """The guide's Python block containing ``marker``, executed: its functions by name."""
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if marker in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:{marker}", "exec"), namespace)
    return namespace


class Built:
    """The guide's four endpoints, a linear one in instances with auto scaling, and an
    all-at-once one, in one stack."""

    def __init__(self) -> None:
        self.stack = new_stack()
        self.store = ArtifactStore(self.stack, "Artifacts")
        safe = guide_functions("def add_guarded_endpoint(")
        serverless = guide_functions("def add_dev_endpoint(")

        def build(function: Any, scope_id: str, *more: Any) -> ModelEndpoint:
            scope = Construct(self.stack, scope_id)
            endpoint: ModelEndpoint = function(scope, self.store, VERSION, *more)
            return endpoint

        self.alerts = sns.Topic(self.stack, "Alerts", master_key=self.store.key)
        self.guarded = build(safe["add_guarded_endpoint"], "Guarded", self.alerts)
        self.rolling = build(safe["add_rolling_endpoint"], "Rolling")
        self.dev = build(serverless["add_dev_endpoint"], "Dev")
        self.warm = build(serverless["add_warm_endpoint"], "Warm")
        self.imported = cloudwatch.Alarm.from_alarm_arn(self.stack, "Latency", IMPORTED_ALARM)
        self.linear = ModelEndpoint(
            self.stack,
            "Linear",
            model_package_arn=VERSION,
            artifact_store=self.store,
            endpoint_name="churn-linear",
            initial_instance_count=4,
            # 2 instances: at most half of 4 (the fewest) and at least 10% of 10 (the most).
            deployment=Deployment.linear(
                instances=2, wait=cdk.Duration.minutes(3), rollback_alarms=[self.imported]
            ),
        )
        self.linear.add_auto_scaling(
            min_capacity=4, max_capacity=10, target_invocations_per_instance=100
        )
        self.quick = ModelEndpoint(
            self.stack,
            "Quick",
            model_package_arn=VERSION,
            artifact_store=self.store,
            deployment=Deployment.all_at_once(
                wait=cdk.Duration.minutes(2),
                termination_wait=cdk.Duration.seconds(0),
                timeout=cdk.Duration.minutes(30),
            ),
        )
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="session")  # the lint test, last in the session, reads it too
def built() -> Built:
    return Built()


@pytest.fixture(scope="session")
def lint(
    built: Built, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the built template, queued as the module's first test starts.

    Its test runs last in the session (``tests/cdk/lint.py``, ``MODULE_LINT``).
    """
    yield from lint_in_background(
        "endpoints",
        template_json(built.template),
        tmp_path_factory.mktemp("endpoint-lint"),
        lint_service,
    )


def _properties(built: Built, construct: Any) -> dict[str, Any]:
    found: dict[str, Any] = resource(built.template, logical_id(construct))["Properties"]
    return found


# -- Safe deployments ----------------------------------------------------------------------


def test_the_canary_deployment_watches_the_alarms_added(built: Built) -> None:
    endpoint = built.guarded
    errors, slow = endpoint.rollback_alarms
    assert [alarm.node.path for alarm in (errors, slow)] == [
        "Test/Guarded/ServerErrors",
        "Test/Guarded/SlowModel",
    ]
    assert _properties(built, endpoint.cfn_endpoint)["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25},
                "WaitIntervalInSeconds": 600,
            },
            "TerminationWaitInSeconds": 300,
            "MaximumExecutionTimeoutInSeconds": 3600,
        },
        "AutoRollbackConfiguration": {
            "Alarms": [
                {"AlarmName": {"Ref": logical_id(errors)}},
                {"AlarmName": {"Ref": logical_id(slow)}},
            ]
        },
    }


def test_rollback_alarms_watch_the_new_fleet_by_the_endpoints_literal_name(
    built: Built,
) -> None:
    endpoint = built.guarded
    # The literal name (a default from the construct path), not a reference to the endpoint.
    name = _properties(built, endpoint.cfn_endpoint)["EndpointName"]
    assert isinstance(name, str)
    assert name.startswith("Test-Guarded-Endpoint")
    scope = built.stack.node.find_child("Guarded")
    alarms = {
        alarm_id: _properties(built, scope.node.find_child(alarm_id))
        for alarm_id in ("ServerErrors", "SlowModel")
    }
    for alarm_id, metric_name, threshold in (
        ("ServerErrors", "Invocation5XXErrors", 0.01),
        ("SlowModel", "ModelLatency", 200_000),
    ):
        assert alarms[alarm_id] == {
            "Namespace": "AWS/SageMaker",
            "MetricName": metric_name,
            "Dimensions": [
                {
                    "Name": "EndpointConfigName",
                    "Value": {
                        "Fn::GetAtt": [
                            logical_id(endpoint.cfn_endpoint_config),
                            "EndpointConfigName",
                        ]
                    },
                },
                {"Name": "EndpointName", "Value": name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Statistic": "Average",
            "Period": 60,
            "EvaluationPeriods": 3,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": logical_id(built.alerts)}],
        }


def test_the_role_may_describe_exactly_the_rollback_alarms(built: Built) -> None:
    endpoint = built.guarded
    policy = endpoint.rollback_alarms_policy
    assert policy is not None
    assert statements(built.template, policy) == {
        "EndpointDescribesRollbackAlarms": {
            "Sid": "EndpointDescribesRollbackAlarms",
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": [
                {"Fn::GetAtt": [logical_id(alarm), "Arn"]} for alarm in endpoint.rollback_alarms
            ],
        }
    }
    assert _properties(built, policy)["Roles"] == [{"Ref": logical_id(endpoint.role)}]
    # A policy of its own, attached before the endpoint: in RolePolicy, which the model
    # depends on, the new fleet's alarms would close a dependency cycle.
    endpoint_resource = resource(built.template, logical_id(endpoint.cfn_endpoint))
    assert endpoint_resource["DependsOn"] == [logical_id(policy)]
    assert "EndpointDescribesRollbackAlarms" not in statements(built.template, endpoint.role_policy)


def test_the_rolling_deployment_replaces_gpu_instances_one_at_a_time(built: Built) -> None:
    endpoint = built.rolling
    assert _properties(built, endpoint.cfn_endpoint)["DeploymentConfig"] == {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
            "WaitIntervalInSeconds": 300,
            "RollbackMaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-errors"}]},
    }
    assert endpoint.rollback_alarms_policy is not None
    assert (
        statements(built.template, endpoint.rollback_alarms_policy)[
            "EndpointDescribesRollbackAlarms"
        ]["Resource"]
        == f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-errors"
    )
    # ml.g5: NVMe instance storage, no volume key (as without a deployment).
    assert "KmsKeyId" not in _properties(built, endpoint.cfn_endpoint_config)


def test_a_linear_deployment_in_instances_with_auto_scaling(built: Built) -> None:
    endpoint = built.linear
    properties = _properties(built, endpoint.cfn_endpoint)
    assert properties["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "LINEAR",
                "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": 2},
                "WaitIntervalInSeconds": 180,
            }
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-latency"}]},
    }
    assert properties["RetainAllVariantProperties"] is True
    assert endpoint.rollback_alarms_policy is not None
    assert (
        statements(built.template, endpoint.rollback_alarms_policy)[
            "EndpointDescribesRollbackAlarms"
        ]["Resource"]
        == IMPORTED_ALARM
    )


def test_all_at_once_without_alarms_adds_no_policy(built: Built) -> None:
    endpoint = built.quick
    assert _properties(built, endpoint.cfn_endpoint)["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 120},
            "TerminationWaitInSeconds": 0,
            "MaximumExecutionTimeoutInSeconds": 1800,
        }
    }
    assert endpoint.rollback_alarms == ()
    assert endpoint.rollback_alarms_policy is None
    assert endpoint.node.try_find_child("RollbackAlarmsPolicy") is None


# -- Serverless endpoints --------------------------------------------------------------------


def test_a_serverless_variant_has_memory_and_concurrency_instead_of_instances(
    built: Built,
) -> None:
    endpoint = built.dev
    assert _properties(built, endpoint.cfn_endpoint_config) == {
        "KmsKeyId": STORE_KEY,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": {"Fn::GetAtt": [logical_id(endpoint.cfn_model), "ModelName"]},
                "InitialVariantWeight": 1,
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
            }
        ],
    }
    assert endpoint.instance_type is None
    assert endpoint.initial_instance_count is None
    assert "DeploymentConfig" not in _properties(built, endpoint.cfn_endpoint)


def test_provisioned_concurrency_is_scaled_on_its_utilization(built: Built) -> None:
    endpoint = built.warm
    (variant,) = _properties(built, endpoint.cfn_endpoint_config)["ProductionVariants"]
    assert variant["ServerlessConfig"] == {
        "MemorySizeInMB": 4096,
        "MaxConcurrency": 20,
        "ProvisionedConcurrency": 2,
    }
    target = endpoint.scalable_target
    assert target is not None
    name = _properties(built, endpoint.cfn_endpoint)["EndpointName"]
    assert resource(built.template, logical_id(target)) == {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "MaxCapacity": 10,
            "MinCapacity": 1,
            "ResourceId": f"endpoint/{name}/variant/AllTraffic",
            "RoleARN": SCALING_ROLE,
            "ScalableDimension": "sagemaker:variant:DesiredProvisionedConcurrency",
            "ServiceNamespace": "sagemaker",
        },
        "DependsOn": [logical_id(endpoint.cfn_endpoint)],
    }
    policy = target.node.find_child("ProvisionedConcurrencyUtilization")
    assert _properties(built, policy)["TargetTrackingScalingPolicyConfiguration"] == {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantProvisionedConcurrencyUtilization"
        },
        "TargetValue": 0.7,
    }
    endpoint_properties = _properties(built, endpoint.cfn_endpoint)
    # No variant property to retain for provisioned concurrency: none is asked for.
    assert "RetainAllVariantProperties" not in endpoint_properties
    assert endpoint_properties["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "LINEAR",
                "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
                "WaitIntervalInSeconds": 300,
            }
        }
    }


def test_cdk_nag_finds_nothing_of_the_endpoints(built: Built) -> None:
    findings = pack_findings(built.stack)
    ours = ("Guarded", "Rolling", "Dev", "Warm", "Linear", "Quick")
    assert [f for f in findings if any(f"Test/{scope}/" in f for scope in ours)] == []


# -- Metrics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "metric_name", "statistic"),
    [
        ("metric_invocations", "Invocations", "Sum"),
        ("metric_invocation_4xx_errors", "Invocation4XXErrors", "Average"),
        ("metric_invocation_5xx_errors", "Invocation5XXErrors", "Average"),
        ("metric_model_latency", "ModelLatency", "Average"),
        ("metric_overhead_latency", "OverheadLatency", "Average"),
    ],
)
def test_the_metrics_are_the_variants_in_aws_sagemaker(
    built: Built, method: str, metric_name: str, statistic: str
) -> None:
    endpoint = built.linear
    metric = getattr(endpoint, method)()
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/SageMaker",
        metric_name,
        statistic,
    )
    assert metric.period.to_minutes() == 5
    assert built.stack.resolve(metric.dimensions) == {
        "EndpointName": "churn-linear",
        "VariantName": "AllTraffic",
    }
    new_fleet = getattr(endpoint, method)(new_fleet_only=True)
    assert built.stack.resolve(new_fleet.dimensions) == {
        "EndpointName": "churn-linear",
        "VariantName": "AllTraffic",
        "EndpointConfigName": {
            "Fn::GetAtt": [logical_id(endpoint.cfn_endpoint_config), "EndpointConfigName"]
        },
    }


def test_metric_takes_a_name_of_its_namespace_and_the_metric_options(built: Built) -> None:
    metric = built.dev.metric(
        "ModelSetupTime",
        statistic="p90",
        period=cdk.Duration.minutes(1),
        unit=cloudwatch.Unit.MICROSECONDS,
        dimensions_map={"Extra": "x"},
    )
    assert (metric.metric_name, metric.statistic, metric.unit) == (
        "ModelSetupTime",
        "p90",
        cloudwatch.Unit.MICROSECONDS,
    )
    assert metric.period.to_seconds() == 60
    assert set(built.stack.resolve(metric.dimensions)) == {"EndpointName", "VariantName", "Extra"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"perod": cdk.Duration.minutes(1)},
            r"prop 'options': perod is not among .*did you mean 'period'",
        ),
        ({"period": 60}, r"prop 'period': expected a Duration, got int 60"),
        ({"label": 42}, r"prop 'label': expected a string, got int 42"),
        ({"new_fleet_only": "yes"}, r"prop 'new_fleet_only': expected True or False"),
        # Published once a minute: an alarm of 30 seconds would mostly lack data, one of 90
        # would fail in aws-cdk-lib's create_alarm (or at deploy), naming no endpoint.
        (
            {"period": cdk.Duration.seconds(30)},
            r"prop 'period': expected whole minutes, got 30 seconds \(SageMaker publishes the "
            r"endpoint's metrics once a minute: Duration.minutes\(1\) or more\)",
        ),
        (
            {"period": cdk.Duration.seconds(90)},
            r"prop 'period': expected whole minutes, got 1 minute 30 seconds",
        ),
    ],
)
def test_fails_wrong_metric_options_naming_the_option(
    built: Built, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Linear.metric\('Invocations'\) has 1 problem:\n- " + message,
    ):
        built.linear.metric("Invocations", **arguments)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Invocation5xxErrors",
            r"prop 'metric_name': 'Invocation5xxErrors' is no metric SageMaker publishes in "
            r"AWS/SageMaker \(metric names are case-sensitive\): this metric would have no "
            r"data, and an alarm on it would never fire \(did you mean 'Invocation5XXErrors'\?\)",
        ),
        (
            "ModelLatancy",
            r"prop 'metric_name': 'ModelLatancy' is no metric .*\(did you mean 'ModelLatency'\?\)",
        ),
        (
            "invocations",
            r"prop 'metric_name': 'invocations' is no metric .*\(did you mean 'Invocations'\?\)",
        ),
        (
            "CPUUtilization",
            r"prop 'metric_name': CPUUtilization is a metric of the endpoint's instances, which "
            r"SageMaker publishes in /aws/sagemaker/Endpoints, not in AWS/SageMaker: .* "
            r"\(cloudwatch.Metric\(namespace='/aws/sagemaker/Endpoints', "
            r"metric_name='CPUUtilization', dimensions_map=\{'EndpointName': 'churn-linear', "
            r"'VariantName': 'AllTraffic'\}\)\)",
        ),
    ],
)
def test_fails_a_metric_name_sagemaker_does_not_publish_there(
    built: Built, name: str, message: str
) -> None:
    # An alarm on such a metric has no data: as a rollback alarm, it never rolls back.
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"ModelEndpoint Test/Linear.metric\('{name}'\) has 1 problem:\n- " + message,
    ):
        built.linear.metric(name)


@pytest.mark.parametrize("name", ["ModelSetupTime", "InvocationsPerCopy", "SomeNewMetric"])
def test_a_metric_name_unlike_any_known_one_is_taken_as_given(built: Built, name: str) -> None:
    # SageMaker adds metrics: a name that is no slip of a known one isn't refused.
    assert built.linear.metric(name).metric_name == name


# -- Deployment and ServerlessConfig check their arguments -------------------------------------

MINUTES_5 = cdk.Duration.minutes(5)


def _alarms(count: int) -> list[cloudwatch.IAlarm]:
    stack = new_stack()
    return [cloudwatch.Alarm.from_alarm_name(stack, f"A{n}", f"alarm-{n}") for n in range(count)]


@pytest.mark.parametrize(
    ("factory", "arguments", "message"),
    [
        (
            "canary",
            {"percent": 60},
            r"argument 'percent': SageMaker takes a canary of 1-50% of the variant's capacity, "
            r"got 60% \(percent=50 or less\)",
        ),
        (
            "linear",
            {"percent": 5},
            r"argument 'percent': SageMaker takes a linear step of 10-50% .*\(percent=10 or more\)",
        ),
        (
            "rolling",
            {"percent": 55},
            r"argument 'percent': SageMaker takes a rolling batch of 5-50%",
        ),
        (
            "canary",
            {},
            r"argument 'percent': the canary's size is missing: give percent \(of the variant's "
            r"capacity\) or instances \(Deployment.canary\(percent=25, …\)\)",
        ),
        (
            "linear",
            {"percent": 20, "instances": 1},
            r"argument 'instances': percent and instances both given",
        ),
        ("canary", {"instances": 0}, r"argument 'instances': expected at least 1 instance, got 0"),
        ("canary", {"percent": 12.5}, r"argument 'percent': expected a whole number of percent"),
        (
            "canary",
            {"percent": 10, "wait": cdk.Duration.hours(2)},
            r"argument 'wait': expected 0 seconds to 1 hour, got 2 hours",
        ),
        (
            "canary",
            {"percent": 10, "wait": 300},
            r"argument 'wait': expected a Duration, got int 300 \(Duration.minutes\(5\)\)",
        ),
        (
            "linear",
            {"percent": 10, "wait": cdk.Duration.millis(1500)},
            r"argument 'wait': SageMaker counts it in whole seconds, got 1 second 500 millis",
        ),
        (
            "canary",
            {"percent": 10, "termination_wait": cdk.Duration.minutes(61)},
            r"argument 'termination_wait': expected 0 seconds to 1 hour, got 1 hour 1 minute",
        ),
        (
            "canary",
            {"percent": 10, "timeout": cdk.Duration.minutes(5)},
            r"argument 'timeout': expected 10 minutes to 8 hours, got 5 minutes",
        ),
        (
            "canary",
            {
                "percent": 10,
                "wait": cdk.Duration.minutes(10),
                "termination_wait": cdk.Duration.minutes(5),
                "timeout": cdk.Duration.minutes(15),
            },
            r"argument 'timeout': 900 seconds is not longer than wait and termination_wait "
            r"together \(900 seconds\).*\(timeout=Duration.seconds\(901\) or more\)",
        ),
        (
            "rolling",
            {"percent": 10, "rollback_percent": 150},
            r"argument 'rollback_percent': SageMaker takes a rollback batch of 1-100%",
        ),
        (
            "rolling",
            {"percent": 10, "rollback_percent": 50, "rollback_instances": 1},
            r"argument 'rollback_instances': rollback_percent and rollback_instances both given",
        ),
        (
            "canary",
            {"percent": 10, "rollback_alarms": ["churn-errors"]},
            r"argument 'rollback_alarms': expected a cloudwatch.IAlarm, got str 'churn-errors'",
        ),
        (
            "canary",
            {"percent": 10, "rollback_alarms": "churn-errors"},
            r"argument 'rollback_alarms': expected a list of cloudwatch.IAlarm",
        ),
    ],
)
def test_fails_wrong_deployment_arguments_naming_the_factory_and_argument(
    factory: str, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"Deployment.{factory} has 1 problem:\n- " + message,
    ):
        getattr(Deployment, factory)(**{"wait": MINUTES_5, **arguments})


def test_fails_more_than_ten_or_repeated_rollback_alarms() -> None:
    alarms = _alarms(11)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'rollback_alarms': 11 alarms, more than SageMaker's 10 \(combine",
    ):
        Deployment.canary(percent=10, wait=MINUTES_5, rollback_alarms=alarms)
    with pytest.raises(PipelineDefinitionError, match=r"is listed twice as a rollback alarm"):
        Deployment.canary(percent=10, wait=MINUTES_5, rollback_alarms=[alarms[0], alarms[0]])
    # Two imports of one alarm name are the same alarm to SageMaker.
    again = cloudwatch.Alarm.from_alarm_name(new_stack(), "Again", "alarm-0")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'rollback_alarms': imported Alarm .*/Again is listed twice as a "
        r"rollback alarm",
    ):
        Deployment.canary(percent=10, wait=MINUTES_5, rollback_alarms=[alarms[0], again])
    # Ten different alarms: SageMaker's most.
    assert (
        len(
            Deployment.canary(
                percent=10, wait=MINUTES_5, rollback_alarms=alarms[:10]
            ).rollback_alarms
        )
        == 10
    )


def test_fails_arguments_a_strategy_does_not_take() -> None:
    # The factories take what their strategy has; a typo or another strategy's argument
    # fails with a suggestion.
    with pytest.raises(TypeError, match=r"Deployment.all_at_once takes no argument 'percent'"):
        Deployment.all_at_once(wait=MINUTES_5, percent=10)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"Deployment.canary takes no argument 'percnt' \(did you mean 'percent'"
    ):
        Deployment.canary(wait=MINUTES_5, percnt=10)  # type: ignore[call-arg]
    # Built directly, the same checks hold.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"Deployment.linear has 1 problem:\n- argument 'rollback_percent': a blue/green "
        r"rollback moves all traffic back",
    ):
        Deployment("LINEAR", MINUTES_5, percent=20, rollback_percent=50)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"Deployment.rolling has 1 problem:\n- argument 'termination_wait': a rolling "
        r"deployment terminates the old instances batch by batch",
    ):
        Deployment("ROLLING", MINUTES_5, percent=20, termination_wait=MINUTES_5)
    with pytest.raises(
        PipelineDefinitionError, match=r"Deployment has 1 problem:\n- argument 'strategy'"
    ):
        Deployment("BLUE_GREEN", MINUTES_5)


def test_a_deployment_keeps_its_alarms_as_given() -> None:
    alarms = _alarms(2)
    deployment = Deployment.canary(instances=1, wait=MINUTES_5, rollback_alarms=alarms)
    assert deployment.rollback_alarms == tuple(alarms)
    assert deployment.is_blue_green
    assert not Deployment.rolling(percent=10, wait=MINUTES_5).is_blue_green


# -- What SageMaker refuses of them with the endpoint's other props ----------------------------


class Refusals:
    """A stack to build wrong endpoints in, and endpoints for wrong method calls."""

    def __init__(self) -> None:
        self.app = new_app()
        self.stack = cdk.Stack(
            self.app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION)
        )
        self.store = ArtifactStore(self.stack, "Artifacts")
        self.alarms = [
            cloudwatch.Alarm.from_alarm_name(self.stack, f"Alarm{n}", f"alarm-{n}")
            for n in range(11)
        ]
        self.plain = self.endpoint("Plain")
        # Ten alarms already: SageMaker's most.
        self.full = self.endpoint(
            "Full",
            deployment=Deployment.all_at_once(wait=MINUTES_5, rollback_alarms=self.alarms[:10]),
        )
        self.canary = self.endpoint(
            "Canary",
            initial_instance_count=4,
            deployment=Deployment.canary(instances=2, wait=MINUTES_5),
        )
        self.linear = self.endpoint(
            "Linear",
            initial_instance_count=4,
            deployment=Deployment.linear(instances=1, wait=MINUTES_5),
        )
        self.on_demand = self.endpoint(
            "OnDemand", serverless=ServerlessConfig(memory_size_in_mb=1024, max_concurrency=5)
        )
        self.provisioned = self.endpoint(
            "Provisioned",
            serverless=ServerlessConfig(
                memory_size_in_mb=1024, max_concurrency=10, provisioned_concurrency=2
            ),
        )

    def endpoint(self, construct_id: str, **props: Any) -> ModelEndpoint:
        return ModelEndpoint(
            self.stack,
            construct_id,
            **{"model_package_arn": VERSION, "artifact_store": self.store, **props},
        )


@pytest.fixture(scope="module")
def refusals() -> Refusals:
    return Refusals()


SERVERLESS = {"serverless": ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)}


def _far_alarm(refusals: Refusals) -> cloudwatch.IAlarm:
    return cloudwatch.Alarm.from_alarm_arn(
        refusals.stack,
        f"Far{len(refusals.stack.node.children)}",
        f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:churn-errors",
    )


def _other_apps_alarm() -> cloudwatch.IAlarm:
    other = cdk.Stack(new_app(), "Other", env=cdk.Environment(account=ACCOUNT, region=REGION))
    return cloudwatch.Alarm.from_alarm_name(other, "A", "churn")


def _vpc(refusals: Refusals) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        refusals.stack,
        f"Vpc{len(refusals.stack.node.children)}",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
    )


def _canary(**arguments: Any) -> Deployment:
    return Deployment.canary(wait=MINUTES_5, **arguments)


# Each case's props, built when its test runs (some need the refusals' stack).
PROPS: dict[str, Callable[[Refusals], dict[str, Any]]] = {
    "instance_type": lambda _: {**SERVERLESS, "instance_type": "ml.m5.large"},
    "initial_instance_count": lambda _: {**SERVERLESS, "initial_instance_count": 1},
    "data_capture": lambda _: {**SERVERLESS, "data_capture": DataCapture()},
    "vpc": lambda refusals: {**SERVERLESS, "vpc": _vpc(refusals)},
    "isolation": lambda _: {**SERVERLESS, "enable_network_isolation": True},
    "serverless_type": lambda _: {"serverless": {"memory_size_in_mb": 2048, "max_concurrency": 5}},
    "serverless_parameter": lambda _: {
        "serverless": ServerlessConfig(
            memory_size_in_mb=2048, max_concurrency=ParameterInteger("Concurrency", default_value=5)
        )
    },
    "deployment_type": lambda _: {"deployment": "canary"},
    "serverless_rolling": lambda _: {
        **SERVERLESS,
        "deployment": Deployment.rolling(percent=20, wait=MINUTES_5),
    },
    "serverless_instances": lambda _: {**SERVERLESS, "deployment": _canary(instances=1)},
    "inf1": lambda _: {"instance_type": "ml.inf1.xlarge", "deployment": _canary(percent=10)},
    "big_canary": lambda _: {"initial_instance_count": 4, "deployment": _canary(instances=3)},
    "lone_canary": lambda _: {"deployment": _canary(instances=1)},
    "small_step": lambda _: {
        "initial_instance_count": 20,
        "deployment": Deployment.linear(instances=1, wait=MINUTES_5),
    },
    "other_region": lambda refusals: {
        "deployment": _canary(percent=10, rollback_alarms=[_far_alarm(refusals)])
    },
    "other_app": lambda _: {
        "deployment": _canary(percent=10, rollback_alarms=[_other_apps_alarm()])
    },
}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "instance_type",
            r"prop 'instance_type': a serverless endpoint has no instances: serverless= gives "
            r"its memory and concurrency instead \(leave it out, or leave serverless out",
        ),
        ("initial_instance_count", r"prop 'initial_instance_count': a serverless endpoint has no"),
        (
            "data_capture",
            r"prop 'data_capture': SageMaker Serverless Inference doesn't support data capture",
        ),
        ("vpc", r"prop 'vpc': SageMaker Serverless Inference doesn't support a VPC configuration"),
        (
            "isolation",
            r"prop 'enable_network_isolation': SageMaker Serverless Inference doesn't support "
            r"network isolation",
        ),
        ("serverless_type", r"prop 'serverless': expected a ServerlessConfig, got dict"),
        (
            "serverless_parameter",
            r"prop 'serverless': max_concurrency is a pipeline expression, which only a "
            r"pipeline's steps resolve: an endpoint of the app takes numbers",
        ),
        ("deployment_type", r"prop 'deployment': expected a Deployment, got str 'canary'"),
        (
            "serverless_rolling",
            r"prop 'deployment': SageMaker's rolling deployments exclude serverless endpoints",
        ),
        (
            "serverless_instances",
            r"prop 'deployment': a serverless endpoint has no instances to count a step in",
        ),
        (
            "inf1",
            r"prop 'deployment': SageMaker applies no deployment guardrails to ml.inf1.xlarge "
            r"\(Inferentia 1\) instances",
        ),
        (
            "big_canary",
            r"prop 'deployment': a canary of 3 instances is more than 50% of the variant's 4 "
            r"instances \(initial_instance_count\): SageMaker takes 50% at most "
            r"\(instances=2 or fewer\)",
        ),
        (
            "lone_canary",
            r"prop 'deployment': a canary of 1 instance is more than 50% of the variant's 1 "
            r"instance \(initial_instance_count\).*\(percent=50 or less\)",
        ),
        (
            "small_step",
            r"prop 'deployment': a linear step of 1 instance is less than 10% of the variant's "
            r"20 instances \(initial_instance_count\): SageMaker takes 10-50% of them "
            r"\(instances=2 or more\)",
        ),
        (
            "other_region",
            r"prop 'deployment': imported Alarm Test/Far\d+ is an alarm of region eu-west-1 "
            r"\(arn:aws:cloudwatch:eu-west-1:111122223333:alarm:churn-errors\), this stack in "
            r"us-east-1: SageMaker watches alarms of the endpoint's own account and region",
        ),
        ("other_app", r"prop 'deployment': imported Alarm Other/A belongs to another CDK app"),
    ],
)
def test_fails_what_sagemaker_refuses_naming_the_construct_and_prop(
    refusals: Refusals, case: str, message: str
) -> None:
    props = PROPS[case](refusals)
    with pytest.raises(
        PipelineDefinitionError, match=r"ModelEndpoint Test/Endpoint has 1 problem:\n- " + message
    ):
        refusals.endpoint("Endpoint", **props)
    assert refusals.stack.node.try_find_child("Endpoint") is None


@pytest.mark.parametrize(
    ("endpoint", "alarm", "message"),
    [
        (
            "plain",
            0,
            r"prop 'deployment': the endpoint has no deployment for the alarm to roll back",
        ),
        ("full", 3, r"argument 'alarm': imported Alarm Test/Alarm3 is listed twice"),
        ("full", 10, r"argument 'alarm': the endpoint has 10 rollback alarms already"),
        ("full", None, r"argument 'alarm': expected a cloudwatch.IAlarm, got None"),
    ],
)
def test_fails_wrong_rollback_alarms_naming_the_method(
    refusals: Refusals, endpoint: str, alarm: int | None, message: str
) -> None:
    target: ModelEndpoint = getattr(refusals, endpoint)
    before = target.rollback_alarms
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"ModelEndpoint Test/{endpoint.title()}.add_rollback_alarm has 1 problem:\n- "
        + message,
    ):
        target.add_rollback_alarm(None if alarm is None else refusals.alarms[alarm])  # type: ignore[arg-type]
    assert target.rollback_alarms == before


def test_accepts_step_sizes_at_sagemakers_bounds(refusals: Refusals) -> None:
    # A linear step of exactly 10%, a rolling batch of exactly 5%: SageMaker's least.
    linear = refusals.endpoint(
        "LinearAtTenPercent",
        initial_instance_count=10,
        deployment=Deployment.linear(instances=1, wait=MINUTES_5),
    )
    rolling = refusals.endpoint(
        "RollingAtFivePercent",
        initial_instance_count=20,
        deployment=Deployment.rolling(instances=1, wait=MINUTES_5),
    )
    # A canary has no least size: 1 instance of up to 200 scaled ones is a canary.
    canary = refusals.endpoint(
        "SmallCanary",
        initial_instance_count=2,
        deployment=Deployment.canary(instances=1, wait=MINUTES_5),
    )
    canary.add_auto_scaling(min_capacity=2, max_capacity=200, target_invocations_per_instance=50)
    assert canary.scalable_target is not None
    # Scaled from 2 up to the 20 instances it starts with: 1 is still at least 5% of them.
    rolling.add_auto_scaling(min_capacity=2, max_capacity=20, target_invocations_per_instance=50)
    assert rolling.scalable_target is not None
    for endpoint in (linear, rolling, canary):
        assert endpoint.cfn_endpoint.deployment_config is not None


@pytest.mark.parametrize(
    ("endpoint", "arguments", "message"),
    [
        (
            "on_demand",
            {},
            r"prop 'serverless': a serverless endpoint has no instances to scale.*"
            r"\(add_provisioned_concurrency_scaling\(…\) scales",
        ),
        (
            "canary",
            {"min_capacity": 3, "max_capacity": 6},
            r"argument 'min_capacity': the deployment's canary of 2 instances is more than 50% "
            r"of the variant's 3-6 instances \(min_capacity to max_capacity\): SageMaker takes "
            r"50% at most \(min_capacity=4 or more, the deployment's instances=1 or fewer, or "
            r"its size in percent=\)$",
        ),
        (
            # No canary in instances fits 1 instance: a larger minimum, or a percentage.
            "canary",
            {"min_capacity": 1, "max_capacity": 6},
            r"argument 'min_capacity': the deployment's canary of 2 instances is more than 50% "
            r"of the variant's 1-6 instances \(min_capacity to max_capacity\): SageMaker takes "
            r"50% at most \(min_capacity=4 or more, or the deployment's size in percent "
            r"\(percent=50 or less\)\)$",
        ),
        (
            "linear",
            {"min_capacity": 2, "max_capacity": 20},
            r"argument 'max_capacity': the deployment's linear step of 1 instance is less than "
            r"10% of the variant's 2-20 instances .*\(the deployment's instances=2 or more, or "
            r"its size in percent=\)",
        ),
    ],
)
def test_fails_instance_scaling_sagemaker_refuses(
    refusals: Refusals, endpoint: str, arguments: dict[str, Any], message: str
) -> None:
    target: ModelEndpoint = getattr(refusals, endpoint)
    name = "".join(part.title() for part in endpoint.split("_"))
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"ModelEndpoint Test/{name}.add_auto_scaling has 1 problem:\n- " + message,
    ):
        target.add_auto_scaling(
            **{
                "min_capacity": 1,
                "max_capacity": 4,
                "target_invocations_per_instance": 50,
                **arguments,
            }
        )
    assert target.scalable_target is None


@pytest.mark.parametrize(
    ("endpoint", "arguments", "message"),
    [
        (
            "plain",
            {},
            r"prop 'serverless': the endpoint has no provisioned concurrency to scale \(it runs "
            r"on instances\) \(add_auto_scaling\(…\) scales an endpoint's instances\)",
        ),
        (
            "on_demand",
            {},
            r"prop 'serverless': the endpoint has no provisioned concurrency to scale "
            r"\(ServerlessConfig\(…, provisioned_concurrency=…\)\)",
        ),
        (
            "provisioned",
            {"min_capacity": 3},
            r"argument 'min_capacity': 3 is more than the ServerlessConfig's "
            r"provisioned_concurrency 2",
        ),
        (
            "provisioned",
            {"max_capacity": 1},
            r"argument 'max_capacity': 1 is less than the ServerlessConfig's "
            r"provisioned_concurrency 2",
        ),
        (
            "provisioned",
            {"max_capacity": 11},
            r"argument 'max_capacity': 11 is more than the ServerlessConfig's max_concurrency 10",
        ),
        (
            "provisioned",
            {"target_utilization": 70},
            r"argument 'target_utilization': expected a share of the provisioned concurrency in "
            r"use, more than 0 and at most 1, got 70 \(target_utilization=0.7\)",
        ),
        (
            "provisioned",
            {"target_utilization": "0.7"},
            r"argument 'target_utilization': expected a share of the provisioned concurrency, "
            r"got str",
        ),
        (
            "provisioned",
            {"min_capacity": 0},
            r"argument 'min_capacity': expected at least 1, got 0",
        ),
    ],
)
def test_fails_provisioned_concurrency_scaling_naming_the_argument(
    refusals: Refusals, endpoint: str, arguments: dict[str, Any], message: str
) -> None:
    target: ModelEndpoint = getattr(refusals, endpoint)
    name = "".join(part.title() for part in endpoint.split("_"))
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"ModelEndpoint Test/{name}.add_provisioned_concurrency_scaling has 1 problem:\n- "
        + message,
    ):
        target.add_provisioned_concurrency_scaling(
            **{"min_capacity": 1, "max_capacity": 5, "target_utilization": 0.5, **arguments}
        )
    assert target.scalable_target is None


@pytest.mark.parametrize(
    ("least", "most", "utilization"),
    [
        # From the provisioned concurrency up to max_concurrency, all of it in use.
        (2, 10, 1),
        # Down to 1 and up to the provisioned concurrency only.
        (1, 2, 0.5),
    ],
)
def test_provisioned_concurrency_scales_up_to_sagemakers_bounds(
    refusals: Refusals, least: int, most: int, utilization: float
) -> None:
    # ServerlessConfig(max_concurrency=10, provisioned_concurrency=2).
    endpoint = refusals.endpoint(
        f"Provisioned{least}To{most}", serverless=refusals.provisioned.serverless
    )
    target = endpoint.add_provisioned_concurrency_scaling(
        min_capacity=least, max_capacity=most, target_utilization=utilization
    )
    assert endpoint.scalable_target is target


def test_fails_a_second_scalable_target(built: Built) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Warm/Endpoint.add_provisioned_concurrency_scaling has 1 "
        r"problem:\n- argument 'max_capacity': the variant has a scalable target already",
    ):
        built.warm.add_provisioned_concurrency_scaling(max_capacity=5, target_utilization=0.5)


# -- cfn-lint (run last in the session: the worker lints while the other tests run) -----------


def test_cfn_lint_finds_nothing_in_the_endpoints(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    matches = worker.results()["endpoints"]
    problems = [
        _describe(match) for match in matches if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []
    # The store's key is what FALSE_POSITIVES excuses; the endpoints themselves have none.
    assert all(
        re.fullmatch(r"Artifacts.*", str(match.path[1])) for match in matches if len(match.path) > 1
    )
