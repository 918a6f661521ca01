"""``notify_topic``: an alarm's action on a topic, with what lets CloudWatch deliver to it."""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import notify_topic
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import logical_id, resource

TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:alerts"
CLOUDWATCH = {"Service": "cloudwatch.amazonaws.com"}


def _alarm(scope: Any, construct_id: str = "Errors", **props: Any) -> cloudwatch.Alarm:
    metric = cloudwatch.Metric(namespace="AWS/SageMaker", metric_name="Invocation5XXErrors")
    return metric.create_alarm(scope, construct_id, threshold=0.01, evaluation_periods=3, **props)


def _topic_policy(template: Template) -> list[dict[str, Any]]:
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_an_encrypted_topic_with_its_own_policy_gets_the_action_statement_and_key_grant():
    # enforce_ssl gives the topic a policy of its own, which admits no alarm by itself, and
    # CloudWatch may not use the key: with add_alarm_action alone, notifications are dropped.
    stack = new_stack()
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Alerts", master_key=key, enforce_ssl=True)
    errors, latency = _alarm(stack), _alarm(stack, "Latency")
    notify_topic(errors, topic)
    notify_topic([latency], topic, ok=True)
    template = Template.from_stack(stack)
    ref = {"Ref": logical_id(topic)}
    assert resource(template, logical_id(errors))["Properties"]["AlarmActions"] == [ref]
    assert "OKActions" not in resource(template, logical_id(errors))["Properties"]
    latency_props = resource(template, logical_id(latency))["Properties"]
    assert (latency_props["AlarmActions"], latency_props["OKActions"]) == ([ref], [ref])
    publishers = [s for s in _topic_policy(template) if s.get("Principal") == CLOUDWATCH]
    assert [{k: v for k, v in s.items() if k != "Sid"} for s in publishers] == [
        {
            "Action": "sns:Publish",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(alarm), "Arn"]}}
            },
            "Effect": "Allow",
            "Principal": CLOUDWATCH,
            "Resource": ref,
        }
        for alarm in (errors, latency)
    ]
    key_policy = resource(template, logical_id(key))["Properties"]["KeyPolicy"]["Statement"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": CLOUDWATCH,
        "Resource": "*",
    } in key_policy
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_an_imported_topic_gets_the_action_and_a_warning():
    stack = new_stack()
    alarm = _alarm(stack)
    notify_topic(alarm, sns.Topic.from_topic_arn(stack, "Alerts", TOPIC_ARN))
    warnings = Annotations.from_stack(stack).find_warning(
        f"/{alarm.node.path}", Match.string_like_regexp(".*alarm-topic-policy.*")
    )
    assert len(warnings) == 1
    props = resource(Template.from_stack(stack), logical_id(alarm))["Properties"]
    assert props["AlarmActions"] == [TOPIC_ARN]


def test_a_topic_of_another_stack_names_the_alarm_without_a_dependency_cycle():
    app = new_app()
    env = cdk.Environment(account="111122223333", region="us-east-1")
    ops, team = cdk.Stack(app, "Ops", env=env), cdk.Stack(app, "Team", env=env)
    topic = sns.Topic(ops, "Alerts", enforce_ssl=True)
    unnamed, named = _alarm(team), _alarm(team, "Latency", alarm_name="churn-latency")
    notify_topic([unnamed, named], topic)
    app.synth()
    name = resource(Template.from_stack(team), logical_id(unnamed))["Properties"]["AlarmName"]
    assert re.fullmatch(r"Team-Errors-[0-9A-F]{8}", name)
    conditions = [
        s["Condition"] for s in _topic_policy(Template.from_stack(ops)) if "Condition" in s
    ]
    arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:"
    assert {"ArnEquals": {"aws:SourceArn": arn + name}} in conditions
    assert {"ArnEquals": {"aws:SourceArn": arn + "churn-latency"}} in conditions
    assert team.dependencies == [ops]


def test_fails_an_alarm_named_at_deploy_time_for_a_topic_of_another_stack():
    app = new_app()
    ops, team = cdk.Stack(app, "Ops"), cdk.Stack(app, "Team")
    name = cdk.CfnParameter(team, "AlarmName").value_as_string
    with pytest.raises(PipelineDefinitionError, match=r"is named at deploy time \(\{'Ref'"):
        notify_topic(_alarm(team, alarm_name=name), sns.Topic(ops, "Alerts"))


def test_a_composite_alarm_is_taken():
    stack = new_stack()
    topic = sns.Topic(stack, "Alerts")
    composite = cloudwatch.CompositeAlarm(
        stack, "Either", alarm_rule=cloudwatch.AlarmRule.any_of(_alarm(stack))
    )
    notify_topic(composite, topic)
    template = Template.from_stack(stack)
    props = resource(template, logical_id(composite))["Properties"]
    assert props["AlarmActions"] == [{"Ref": logical_id(topic)}]
    assert len(_topic_policy(template)) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda stack: (cloudwatch.Alarm.from_alarm_name(stack, "Imported", "churn"), None),
            r"argument 'alarms': expected a cloudwatch.Alarm or cloudwatch.CompositeAlarm "
            r"created in this app, got .*\(an imported alarm's actions can only be set where "
            r"it is defined",
        ),
        (
            lambda stack: ([_alarm(stack), "churn-errors"], None),
            r"argument 'alarms': \[1\] expected a cloudwatch.Alarm .*got str 'churn-errors'",
        ),
        (
            lambda stack: ([], None),
            r"argument 'alarms': expected at least one alarm, got an empty list",
        ),
        (
            lambda stack: (_alarm(stack), TOPIC_ARN),
            r"argument 'topic': expected an sns.ITopic, got str 'arn:aws:sns:.*' \(import the "
            r"topic by its ARN: sns.Topic.from_topic_arn\(self, 'Alerts', arn\)\)",
        ),
        (
            lambda stack: (_alarm(stack), sns.Topic(new_stack(), "Alerts")),
            r"argument 'topic': Topic Test/Alerts belongs to another CDK app",
        ),
    ],
)
def test_fails_wrong_arguments_naming_them(make: Any, message: str):
    stack = new_stack()
    alarms, topic = make(stack)
    with pytest.raises(
        PipelineDefinitionError, match=r"(?s)notify_topic has 1 problem:.*" + message
    ):
        notify_topic(alarms, topic if topic is not None else sns.Topic(stack, "Alerts"))


def test_fails_an_ok_flag_that_is_no_bool():
    stack = new_stack()
    with pytest.raises(PipelineDefinitionError, match=r"argument 'ok': expected True or False"):
        notify_topic(_alarm(stack), sns.Topic(stack, "Alerts"), ok="yes")  # type: ignore[arg-type]


def test_the_same_alarm_and_topic_twice_add_one_action_and_one_statement():
    # A helper notifying the on-call, called again for an alarm already notified: CloudWatch
    # refuses an alarm whose actions repeat, and the policy would grow a statement per call.
    stack = new_stack()
    topic = sns.Topic(stack, "Alerts", enforce_ssl=True)
    alarm = _alarm(stack)
    notify_topic(alarm, topic, ok=True)
    notify_topic([alarm, alarm], topic, ok=True)
    template = Template.from_stack(stack)
    properties = resource(template, logical_id(alarm))["Properties"]
    ref = {"Ref": logical_id(topic)}
    assert (properties["AlarmActions"], properties["OKActions"]) == ([ref], [ref])
    assert [s["Principal"] for s in _topic_policy(template)].count(CLOUDWATCH) == 1
