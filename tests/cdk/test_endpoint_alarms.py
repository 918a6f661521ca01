"""``ModelEndpoint.add_error_alarms``: the share of failed requests, every fleet, notify-only."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    EndpointErrorAlarms,
    EndpointVariant,
    ModelEndpoint,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, resource

VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
CHALLENGER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/4"


def _endpoint(stack: cdk.Stack, **props: Any) -> ModelEndpoint:
    return ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        endpoint_name="churn-prod",
        **props,
    )


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    endpoint = _endpoint(
        stack,
        variants=[EndpointVariant(name="Challenger", model_package_arn=CHALLENGER)],
    )
    topic = sns.Topic(stack, "Alerts")
    alarms = endpoint.add_error_alarms(topic=topic)
    challenger = endpoint.add_error_alarms(
        variant="Challenger",
        server_error_rate=0.02,
        model_error_rate=0.1,
        min_invocations=100,
        period=cdk.Duration.minutes(1),
        evaluation_periods=5,
    )
    return {
        "template": Template.from_stack(stack),
        "endpoint": endpoint,
        "topic": topic,
        "alarms": alarms,
        "challenger": challenger,
    }


def _metric(name: str, statistic: str, period: int, variant: str = "AllTraffic") -> dict[str, Any]:
    return {
        "MetricStat": {
            "Metric": {
                "Dimensions": [
                    {"Name": "EndpointName", "Value": "churn-prod"},
                    {"Name": "VariantName", "Value": variant},
                ],
                "MetricName": name,
                "Namespace": "AWS/SageMaker",
            },
            "Period": period,
            "Stat": statistic,
        },
        "ReturnData": False,
    }


def test_server_errors_alarm_on_their_share_of_enough_requests_and_notify(built):
    # Every fleet (no EndpointConfigName), at any time; a handful of requests pages nobody.
    alarms: EndpointErrorAlarms = built["alarms"]
    assert alarms.server_errors.node.path == "Test/Endpoint/ServerErrorRate"
    properties = resource(built["template"], logical_id(alarms.server_errors))["Properties"]
    topic = {"Ref": logical_id(built["topic"])}
    assert properties == {
        "AlarmActions": [topic],
        "AlarmDescription": "More than 1% of the requests to endpoint churn-prod (variant "
        "AllTraffic, all its fleets) answered with a 5xx error, 3 periods of 5 minutes running "
        "(periods of at least 20 requests). Nothing rolls back by itself: read its log "
        "(/aws/sagemaker/Endpoints/churn-prod) and, if a new version brought it, deploy the "
        "previous one",
        "ComparisonOperator": "GreaterThanThreshold",
        "EvaluationPeriods": 3,
        "Metrics": [
            {
                "Expression": "IF(invocations >= 20, errors / invocations, 0)",
                "Id": "expr_1",
                "Label": "Share of requests answered with Invocation5XXErrors",
                "ReturnData": True,
            },
            {"Id": "invocations", **_metric("Invocations", "Sum", 300)},
            {"Id": "errors", **_metric("Invocation5XXErrors", "Sum", 300)},
        ],
        "OKActions": [topic],
        "Threshold": 0.01,
        "TreatMissingData": "notBreaching",
    }


def test_model_errors_alarm_alike_at_their_own_rate(built):
    alarms: EndpointErrorAlarms = built["alarms"]
    properties = resource(built["template"], logical_id(alarms.model_errors))["Properties"]
    assert alarms.model_errors.node.path == "Test/Endpoint/ModelErrorRate"
    assert properties["Threshold"] == 0.05
    assert properties["Metrics"][2] == {
        "Id": "errors",
        **_metric("InvocationModelErrors", "Sum", 300),
    }
    assert "answered with a model error (not 2xx" in properties["AlarmDescription"]


def test_the_topic_admits_exactly_the_alarms_that_notify_it(built):
    (policy,) = built["template"].find_resources("AWS::SNS::TopicPolicy").values()
    admitted = [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    alarms: EndpointErrorAlarms = built["alarms"]
    assert admitted == [
        {"Fn::GetAtt": [logical_id(alarms.server_errors), "Arn"]},
        {"Fn::GetAtt": [logical_id(alarms.model_errors), "Arn"]},
    ]


def test_a_variants_alarms_are_its_own_with_the_arguments_given(built):
    challenger: EndpointErrorAlarms = built["challenger"]
    assert challenger.server_errors.node.path == "Test/Endpoint/ChallengerServerErrorRate"
    properties = resource(built["template"], logical_id(challenger.model_errors))["Properties"]
    assert "AlarmActions" not in properties  # no topic given
    assert (properties["Threshold"], properties["EvaluationPeriods"]) == (0.1, 5)
    assert properties["Metrics"][0]["Expression"] == (
        "IF(invocations >= 100, errors / invocations, 0)"
    )
    assert properties["Metrics"][1] == {
        "Id": "invocations",
        **_metric("Invocations", "Sum", 60, variant="Challenger"),
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"server_error_rate": 1},
            None,  # 100%: taken
        ),
        (
            {"server_error_rate": 5},
            "- argument 'server_error_rate': expected a share of the requests above 0 and at "
            "most 1, got int 5 (0.01 for 1%)",
        ),
        (
            {"model_error_rate": 0},
            "- argument 'model_error_rate': expected a share of the requests above 0 and at most "
            "1, got int 0",
        ),
        (
            {"min_invocations": 0},
            "- argument 'min_invocations': expected a whole number from 1, got int 0",
        ),
        (
            {"period": cdk.Duration.seconds(90)},
            "- argument 'period': expected whole minutes, got 1 minute 30 seconds",
        ),
        (
            {"period": cdk.Duration.minutes(30), "evaluation_periods": 49},
            "- argument 'evaluation_periods': 49 periods of 1800 seconds exceed the day an alarm "
            "may evaluate",
        ),
        (
            {"variant": "Challenjer"},
            "- argument 'variant': 'Challenjer' is no variant of the endpoint (its variants: "
            "'AllTraffic', 'Challenger')",
        ),
    ],
)
def test_fails_wrong_arguments_naming_the_method(arguments: dict[str, Any], message: str | None):
    stack = new_stack()
    endpoint = _endpoint(
        stack, variants=[EndpointVariant(name="Challenger", model_package_arn=CHALLENGER)]
    )
    if message is None:
        endpoint.add_error_alarms(**arguments)
        return
    with pytest.raises(PipelineDefinitionError) as raised:
        endpoint.add_error_alarms(**arguments)
    assert str(raised.value).startswith(
        "ModelEndpoint Test/Endpoint.add_error_alarms has 1 problem:\n"
    )
    assert message in str(raised.value)


def test_fails_a_topic_of_another_stage_naming_the_alarms():
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    topic = sns.Topic(cdk.Stack(cdk.Stage(app, "Tooling", env=env), "Alerts"), "Topic")
    endpoint = _endpoint(cdk.Stack(cdk.Stage(app, "Prod", env=env), "Ml"))
    with pytest.raises(PipelineDefinitionError) as raised:
        endpoint.add_error_alarms(topic=topic)
    assert str(raised.value) == (
        "ModelEndpoint Prod/Ml/Endpoint.add_error_alarms has 1 problem:\n"
        "- argument 'topic': Topic Tooling/Alerts/Topic is in stage Tooling, the alarms of "
        "Prod/Ml/Endpoint in stage Prod: a stack can refer to resources of its own stage only "
        "(each stage is deployed as a cloud assembly of its own) (create the topic in a stack "
        "of this stage, or import the resource in this one by its literal name or ARN "
        "(sns.Topic.from_topic_arn))"
    )
    assert endpoint.node.try_find_child("ServerErrorRate") is None


def test_fails_an_asynchronous_endpoint_which_publishes_no_invocations():
    stack = new_stack()
    endpoint = _endpoint(stack, async_inference=AsyncInference())
    with pytest.raises(PipelineDefinitionError, match="no Invocations for an asynchronous"):
        endpoint.add_error_alarms()
