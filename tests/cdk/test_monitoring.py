"""``PipelineMonitoring``: the failed-executions and dead-letter alarms, the dashboard."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import Pipeline, PipelineFailureNotifications, PipelineMonitoring
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from cdk_sagemaker_pipelines.template import decode_text
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, prep_and_train, resource

NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    topic = sns.Topic(stack, "Alerts")
    default = PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    custom = PipelineMonitoring(
        stack,
        "Custom",
        pipeline=Pipeline.from_pipeline_name(stack, "Other", "other-pipeline"),
        failed_executions_threshold=3,
        period=cdk.Duration.hours(1),
        dashboard_name="other-pipeline-executions",
    )
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    return {
        "template": Template.from_stack(stack),
        "annotations": annotations,
        "default": default,
        "custom": custom,
        "topic": topic,
    }


def test_alarm_on_failed_executions_notifies_the_topic(built):
    monitoring = built["default"]
    alarm = resource(built["template"], logical_id(monitoring.failed_executions_alarm))
    topic = {"Ref": logical_id(built["topic"])}
    assert alarm["Properties"] == {
        "AlarmActions": [topic],
        "AlarmDescription": "Executions of SageMaker pipeline churn failed",
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Dimensions": [{"Name": "PipelineName", "Value": "churn"}],
        "EvaluationPeriods": 1,
        "MetricName": "ExecutionFailed",
        "Namespace": NAMESPACE,
        "OKActions": [topic],
        "Period": 300,
        "Statistic": "Sum",
        "Threshold": 1,
        "TreatMissingData": "notBreaching",
    }


def test_alarm_may_publish_to_its_topic_and_nothing_else_may(built):
    # The topic's own policy replaces SNS's default one: CloudWatch needs a statement.
    alarm = logical_id(built["default"].failed_executions_alarm)
    (policy,) = built["template"].find_resources("AWS::SNS::TopicPolicy").values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sns:Publish",
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [alarm, "Arn"]}}},
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Resource": {"Ref": logical_id(built["topic"])},
            "Sid": "0",
        }
    ]


def test_alarm_may_use_the_key_of_an_encrypted_topic():
    stack = new_stack()
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Alerts", master_key=key)
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    key_policy = resource(Template.from_stack(stack), logical_id(key))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]


def test_alarms_of_one_encrypted_topic_read_its_key_once_and_are_each_admitted(monkeypatch):
    # Each alarm read the topic's key and created two principals, a jsii round trip each:
    # a topic of several alarms (a pipeline's, its dead-letter queues') is read once.
    from jsii._kernel.providers import process

    requests: list[str] = []
    send = process._NodeProcess.send

    def counted(self: Any, request: Any, response_type: Any) -> Any:
        requests.append(str(getattr(request, "property", None) or getattr(request, "fqn", "")))
        return send(self, request, response_type)

    stack = new_stack()
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Alerts", master_key=key)
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    queues = [sqs.Queue(stack, f"DeadLetters{index}") for index in range(2)]
    monkeypatch.setattr(process._NodeProcess, "send", counted)
    monitoring = PipelineMonitoring(
        stack, "Monitoring", pipeline=pipeline, alarm_topic=topic, dead_letter_queues=queues
    )
    monkeypatch.undo()
    assert requests.count("masterKey") == 1
    assert requests.count("aws-cdk-lib.aws_iam.ServicePrincipal") == 1
    template = Template.from_stack(stack)
    alarms = [monitoring.failed_executions_alarm, *monitoring.dead_letter_alarms]
    assert [s["Condition"] for s in _publishers(template, "cloudwatch.amazonaws.com")] == [
        {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(alarm), "Arn"]}}}
        for alarm in alarms
    ]
    key_policy = resource(template, logical_id(key))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]


def test_alarm_may_use_the_key_behind_the_alias_of_an_encrypted_topic():
    # The alias grants through its target key, whose policy this app writes: no warning.
    stack = new_stack()
    key = kms.Key(stack, "Key")
    alias = kms.Alias(stack, "Alias", alias_name="alias/alerts", target_key=key)
    topic = sns.Topic(stack, "Alerts", master_key=alias)
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    key_policy = resource(Template.from_stack(stack), logical_id(key))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]
    annotations.has_no_warning("*", Match.string_like_regexp(".*key whose.*"))


def test_alarm_topic_with_a_key_this_app_cannot_change_is_reported():
    stack = new_stack()
    key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    topic = sns.Topic(stack, "Alerts", master_key=key)
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(".*"))
    assert any("cloudwatch.amazonaws.com kms:Decrypt" in str(w.entry.data) for w in warnings)


def test_alarm_topic_imported_into_this_app_is_reported():
    # Its policy can't be changed from this app: without a warning, notifications are dropped.
    stack = new_stack()
    topic = sns.Topic.from_topic_arn(stack, "Alerts", "arn:aws:sns:us-east-1:111122223333:alerts")
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(".*"))
    assert [str(warning.entry.data) for warning in warnings] == [
        "The alarm topic was not created in this app, so its policy can't be changed: allow "
        "cloudwatch.amazonaws.com sns:Publish in it (condition aws:SourceArn = this alarm's "
        "ARN), or the alarm's notifications are dropped. "
        "[ack: cdk-sagemaker-pipelines:alarm-topic-policy]"
    ]


def test_alarm_topic_of_this_app_needs_no_warning(built):
    warnings = built["annotations"].find_warning(
        "*", Match.string_like_regexp(".*alarm-topic-policy.*")
    )
    assert warnings == []


def _publishers(template: Template, principal: str) -> list[dict[str, Any]]:
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    return [
        statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Principal"] == {"Service": principal}
    ]


def central_topic_and_team_stack() -> tuple[cdk.App, sns.Topic, cdk.Stack, Any]:
    """A central alerts topic in an "Ops" stack, and a "Team" stack with a pipeline."""
    app = new_app()
    env = cdk.Environment(account="111122223333", region="us-east-1")
    ops = cdk.Stack(app, "Ops", env=env)
    topic = sns.Topic(ops, "Alerts")
    team = cdk.Stack(app, "Team", env=env)
    return app, topic, team, Pipeline.from_pipeline_name(team, "Other", "other-pipeline")


def test_alarm_topic_of_another_stack_admits_the_alarm_without_a_dependency_cycle():
    # A central alerts topic in its own stack: with the alarm's ARN attribute in the topic's
    # policy, each stack would depend on the other and synth failed (DependencyCycle).
    app, topic, team, pipeline = central_topic_and_team_stack()
    ops = cdk.Stack.of(topic)
    monitoring = PipelineMonitoring(team, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    app.synth()
    name = "Team-Monitoring-6F1D6BA9-executions-failed"
    alarm = resource(Template.from_stack(team), logical_id(monitoring.failed_executions_alarm))
    assert alarm["Properties"]["AlarmName"] == name
    publishers = _publishers(Template.from_stack(ops), "cloudwatch.amazonaws.com")
    assert [s["Condition"] for s in publishers] == [
        {"ArnEquals": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:111122223333:alarm:{name}"}}
    ]
    assert team.dependencies == [ops]


def test_alarm_named_for_a_topic_of_another_stack_fits_an_alarm_name_from_a_deep_path():
    app = new_app()
    topic = sns.Topic(cdk.Stack(app, "Ops"), "Alerts")
    team = cdk.Stack(app, "Team")
    pipeline = Pipeline.from_pipeline_name(team, "Other", "other-pipeline")
    monitoring = PipelineMonitoring(
        Construct(team, "Monitoring" * 30), "Monitoring" * 10, pipeline=pipeline, alarm_topic=topic
    )
    alarm = resource(Template.from_stack(team), logical_id(monitoring.failed_executions_alarm))
    name = alarm["Properties"]["AlarmName"]
    assert name.endswith("-executions-failed")
    assert len(name) <= 255


def test_alarm_topic_of_another_account_admits_each_stage_alarm():
    # CDK Pipelines: one Stage per account, the alerts topic in the tooling account.
    app = new_app()
    tooling = cdk.Stage(
        app, "Tooling", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    ops = cdk.Stack(tooling, "Ops")
    topic = sns.Topic(ops, "Alerts", topic_name=cdk.PhysicalName.GENERATE_IF_NEEDED)
    for stage_name, account in (("dev", "222222222222"), ("prod", "333333333333")):
        stage = cdk.Stage(app, stage_name, env=cdk.Environment(account=account, region="eu-west-1"))
        team = cdk.Stack(stage, "Team")
        pipeline = Pipeline.from_pipeline_name(team, "Other", "other-pipeline")
        PipelineMonitoring(team, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    app.synth()  # failed: cannot use the alarm in a cross-environment fashion
    publishers = _publishers(Template.from_stack(ops), "cloudwatch.amazonaws.com")
    assert [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in publishers] == [
        "arn:aws:cloudwatch:eu-west-1:222222222222:alarm:devTeam-Monitoring-28B8B3D5-executions-failed",
        "arn:aws:cloudwatch:eu-west-1:333333333333:alarm:prodTeam-Monitoring-C0A110E2-executions-failed",
    ]


def test_alarm_threshold_and_period_without_a_topic(built):
    alarm = resource(built["template"], logical_id(built["custom"].failed_executions_alarm))
    properties = alarm["Properties"]
    assert (properties["Threshold"], properties["Period"]) == (3, 3600)
    assert properties["Dimensions"] == [{"Name": "PipelineName", "Value": "other-pipeline"}]
    assert "AlarmActions" not in properties
    assert "OKActions" not in properties


def _body(built: dict[str, Any], key: str) -> dict[str, Any]:
    dashboard = resource(built["template"], logical_id(built[key].dashboard))
    body: dict[str, Any] = json.loads(decode_text(dashboard["Properties"]["DashboardBody"]))
    return body


def test_dashboard_shows_executions_duration_and_the_alarm(built):
    widgets = _body(built, "default")["widgets"]
    assert [(widget["type"], widget["properties"]["title"]) for widget in widgets] == [
        ("metric", "Executions"),
        ("metric", "Execution duration (ms)"),
        ("alarm", "Alarms"),
    ]
    assert [(widget["width"], widget["x"], widget["y"]) for widget in widgets] == [
        (12, 0, 0),
        (12, 12, 0),
        (24, 0, 6),
    ]
    assert widgets[0]["properties"]["metrics"] == [
        [NAMESPACE, name, "PipelineName", "churn", {"label": label, "stat": "Sum"}]
        for name, label in (
            ("ExecutionStarted", "Started"),
            ("ExecutionSucceeded", "Succeeded"),
            ("ExecutionFailed", "Failed"),
            ("ExecutionStopped", "Stopped"),
        )
    ]
    assert widgets[1]["properties"]["metrics"] == [
        [NAMESPACE, "ExecutionDuration", "PipelineName", "churn", {"label": "Average"}]
    ]
    alarm = logical_id(built["default"].failed_executions_alarm)
    assert widgets[2]["properties"]["alarms"] == [f"${{GetAtt:{alarm}.Arn}}"]


def test_dashboard_name_and_period(built):
    dashboard = resource(built["template"], logical_id(built["custom"].dashboard))
    assert dashboard["Properties"]["DashboardName"] == "other-pipeline-executions"
    default = resource(built["template"], logical_id(built["default"].dashboard))
    assert "DashboardName" not in default["Properties"]
    metrics = _body(built, "custom")["widgets"][0]["properties"]["metrics"]
    assert {metric[-1]["period"] for metric in metrics} == {3600}


def test_dashboard_duration_follows_the_period(built):
    # Its average over the alarm's window, as the executions graph beside it.
    (metric,) = _body(built, "custom")["widgets"][1]["properties"]["metrics"]
    assert metric[-1] == {"label": "Average", "period": 3600}


@pytest.mark.parametrize("name", ["a" * 255, "Name"])
def test_dashboard_names_up_to_255_characters_or_known_at_deploy_time_are_taken(name: str):
    stack = new_stack()
    dashboard_name = (
        cdk.CfnParameter(stack, name, type="String").value_as_string if name == "Name" else name
    )
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    monitoring = PipelineMonitoring(
        stack, "Monitoring", pipeline=pipeline, dashboard_name=dashboard_name
    )
    cfn = monitoring.dashboard.node.default_child
    assert isinstance(cfn, cloudwatch.CfnDashboard)
    assert cfn.dashboard_name == dashboard_name


def test_monitorings_given_one_dashboard_share_it_with_rows_titled_by_pipeline():
    stack = new_stack()
    shared = cloudwatch.Dashboard(stack, "Pipelines")
    monitorings = [
        PipelineMonitoring(
            stack,
            f"Monitoring{name}",
            pipeline=Pipeline.from_pipeline_name(stack, f"Pipeline{name}", name),
            dashboard=shared,
        )
        for name in ("churn", "fraud")
    ]
    template = Template.from_stack(stack)
    # One dashboard for the stack: CloudWatch bills each beyond an account's first three.
    assert list(template.find_resources("AWS::CloudWatch::Dashboard")) == [logical_id(shared)]
    assert all(monitoring.dashboard is shared for monitoring in monitorings)
    dashboard = resource(template, logical_id(shared))
    widgets = json.loads(decode_text(dashboard["Properties"]["DashboardBody"]))["widgets"]
    assert [widget["properties"]["title"] for widget in widgets] == [
        f"{name}: {title}"
        for name in ("churn", "fraud")
        for title in ("Executions", "Execution duration (ms)", "Alarms")
    ]
    alarms = [widget["properties"]["alarms"] for widget in widgets if widget["type"] == "alarm"]
    assert alarms == [
        [f"${{GetAtt:{logical_id(monitoring.failed_executions_alarm)}.Arn}}"]
        for monitoring in monitorings
    ]


def test_fails_a_shared_dashboard_of_another_stack_or_with_a_name():
    app = new_app()
    stack = cdk.Stack(app, "Team")
    other = cdk.Stack(app, "Central")
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(
            stack, "Monitoring", pipeline=pipeline, dashboard=cloudwatch.Dashboard(other, "D")
        )
    assert (
        "- prop 'dashboard': a dashboard of stack Central, not of this monitoring's stack "
        "Team: its body would refer to this stack's alarms, making each stack depend on the "
        "other's exports (share a dashboard among the monitorings of one stack)"
    ) in str(raised.value)
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(
            stack,
            "Monitoring",
            pipeline=pipeline,
            dashboard=cloudwatch.Dashboard(stack, "D"),
            dashboard_name="team",
        )
    assert "- prop 'dashboard_name': given with dashboard, which is named where it is created" in (
        str(raised.value)
    )
    with pytest.raises(PipelineDefinitionError, match="prop 'dashboard': expected a cloudwatch"):
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, dashboard="team")  # type: ignore[arg-type]


def test_fails_a_shared_dashboard_of_another_app():
    # A stack of the same path in another app (a test's, say): only the app tells them apart.
    stack = cdk.Stack(new_app(), "Team")
    elsewhere = cdk.Stack(new_app(), "Team")
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(
            stack, "Monitoring", pipeline=pipeline, dashboard=cloudwatch.Dashboard(elsewhere, "D")
        )
    assert "- prop 'dashboard': " in str(raised.value)
    assert "belongs to another CDK app" in str(raised.value)
    assert "(create it in this monitoring's stack)" in str(raised.value)


@pytest.mark.parametrize("period", [cdk.Duration.minutes(1), cdk.Duration.days(7)])
def test_an_alarm_period_may_be_up_to_seven_days(period: cdk.Duration):
    # The alarm evaluates one period: CloudWatch allows up to 7 days (a weekly pipeline).
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    monitoring = PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, period=period)
    alarm = resource(Template.from_stack(stack), logical_id(monitoring.failed_executions_alarm))
    assert alarm["Properties"]["Period"] == period.to_seconds()


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"pipeline": "churn"},
            "- prop 'pipeline': expected a Pipeline or an imported one, got str 'churn' "
            "(Pipeline.from_pipeline_name(self, 'Pipeline', name) for another app's)",
        ),
        # The class has the properties of a pipeline: it used to fail in a metric call.
        (
            {"pipeline": Pipeline},
            "- prop 'pipeline': expected a Pipeline or an imported one, got the class Pipeline "
            "itself, not an instance of it",
        ),
        (
            {"failed_executions_threshold": 0},
            "- prop 'failed_executions_threshold': expected a whole number of failed executions "
            "(at least 1), got int 0 (at 0 the alarm would always be in ALARM)",
        ),
        ({"alarm_topic": "alerts"}, "- prop 'alarm_topic': expected an sns.ITopic, got str"),
        # Both used to fail inside aws-cdk-lib, as a jsii error without the prop.
        (
            {"period": cdk.Duration.seconds(30)},
            "- prop 'period': expected whole minutes from 1 minute to 7 days, got 30 seconds "
            "(the pipeline metrics have one data point a minute; a shorter alarm period never "
            "has data)",
        ),
        (
            {"period": cdk.Duration.seconds(90)},
            "- prop 'period': expected whole minutes from 1 minute to 7 days, got 1 minute 30 "
            "seconds (the pipeline metrics have one data point a minute)",
        ),
        (
            {"period": cdk.Duration.days(8)},
            "- prop 'period': expected whole minutes from 1 minute to 7 days, got 8 days (an "
            "alarm evaluates at most 7 days: PutMetricAlarm's Period x EvaluationPeriods)",
        ),
        (
            {"period": cdk.Duration.minutes(7 * 24 * 60 + 1)},
            "(an alarm evaluates at most 7 days: PutMetricAlarm's Period x EvaluationPeriods)",
        ),
        # A fraction of a second: to_seconds() would raise inside jsii.
        (
            {"period": cdk.Duration.millis(60_500)},
            "- prop 'period': expected whole minutes from 1 minute to 7 days, got ",
        ),
        ({"period": 300}, "- prop 'period': expected a Duration, got int 300"),
        (
            {"notify_failed_executions": "no"},
            "- prop 'notify_failed_executions': expected True or False, got str 'no' (False "
            "keeps the failed-executions alarm off alarm_topic)",
        ),
        (
            {"success_expected_within": cdk.Duration.days(8)},
            "- prop 'success_expected_within': expected whole minutes from 1 minute to 7 days, "
            "got 8 days (an alarm evaluates at most 7 days: PutMetricAlarm's Period x "
            "EvaluationPeriods)",
        ),
        (
            {"success_expected_within": "2 days"},
            "- prop 'success_expected_within': expected a Duration, got str '2 days'",
        ),
        (
            {"dashboard_name": "churn executions"},
            "- prop 'dashboard_name': expected 1-255 letters, digits, '-' and '_', got str "
            "'churn executions'",
        ),
        (
            {"dashboard_name": "a" * 256},
            "- prop 'dashboard_name': expected 1-255 letters, digits, '-' and '_', got str 'aaa",
        ),
        (
            {"dashboard_name": 5},
            "- prop 'dashboard_name': expected 1-255 letters, digits, '-' and '_', got int 5",
        ),
    ],
)
def test_fails_invalid_props_naming_the_construct(props: dict[str, Any], message: str):
    stack = new_stack()
    given: dict[str, Any] = {
        "pipeline": Pipeline.from_pipeline_name(stack, "Other", "other-pipeline"),
        **props,
    }
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(stack, "Monitoring", **given)
    assert str(raised.value).startswith("PipelineMonitoring Test/Monitoring has 1 problem:\n")
    assert message in str(raised.value)


def test_a_scheduled_pipeline_that_stops_succeeding_raises_an_alarm_that_notifies():
    # A disabled schedule, starts refused, or every run ending in its quality gate fail no
    # execution: only the lack of a success tells. No data is no success: breaching.
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    topic = sns.Topic(stack, "Alerts")
    monitoring = PipelineMonitoring(
        stack,
        "Monitoring",
        pipeline=pipeline,
        alarm_topic=topic,
        success_expected_within=cdk.Duration.days(2),
    )
    template = Template.from_stack(stack)
    assert monitoring.no_success_alarm is not None
    alarm = resource(template, logical_id(monitoring.no_success_alarm))
    reference = {"Ref": logical_id(topic)}
    assert alarm["Properties"] == {
        "AlarmActions": [reference],
        "AlarmDescription": "No execution of SageMaker pipeline churn succeeded in the last 2 "
        "days: its schedule may be disabled or deleted, its starts refused (its dead-letter "
        "queue), or every run failed or stopped in its quality gate. List its recent runs: aws "
        "sagemaker list-pipeline-executions --pipeline-name churn --max-results 10",
        "ComparisonOperator": "LessThanThreshold",
        "Dimensions": [{"Name": "PipelineName", "Value": "churn"}],
        "EvaluationPeriods": 1,
        "MetricName": "ExecutionSucceeded",
        "Namespace": NAMESPACE,
        "OKActions": [reference],
        "Period": 2 * 24 * 60 * 60,
        "Statistic": "Sum",
        "Threshold": 1,
        "TreatMissingData": "breaching",
    }
    # The topic admits it (and the failed-executions alarm), and the dashboard shows it.
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    admitted = [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert {"Fn::GetAtt": [logical_id(monitoring.no_success_alarm), "Arn"]} in admitted
    dashboard = resource(template, logical_id(monitoring.dashboard))
    body = decode_text(json.dumps(dashboard["Properties"]["DashboardBody"]))
    assert logical_id(monitoring.no_success_alarm) in body


def test_no_success_alarm_is_named_for_a_topic_of_another_stack():
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    topic = sns.Topic(cdk.Stack(app, "Ops", env=env), "Alerts")
    team = cdk.Stack(app, "Team", env=env)
    pipeline = Pipeline.from_pipeline_name(team, "Other", "other-pipeline")
    monitoring = PipelineMonitoring(
        team,
        "Monitoring",
        pipeline=pipeline,
        alarm_topic=topic,
        success_expected_within=cdk.Duration.days(2),
    )
    assert monitoring.no_success_alarm is not None
    alarm = resource(Template.from_stack(team), logical_id(monitoring.no_success_alarm))
    assert alarm["Properties"]["AlarmName"].startswith("Team-Monitoring-NoSuccess-")
    assert alarm["Properties"]["AlarmName"].endswith("-no-success")


def test_no_success_alarm_only_when_asked(built):
    assert built["default"].no_success_alarm is None
    built["template"].resource_properties_count_is(
        "AWS::CloudWatch::Alarm", {"MetricName": "ExecutionSucceeded"}, 0
    )


DUPLICATE = "duplicate-failure-notifications"


def _duplicate_warnings(stack: cdk.Stack) -> list[tuple[str, str]]:
    return [
        (warning.id, str(warning.entry.data))
        for warning in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp(f".*{DUPLICATE}.*")
        )
    ]


@pytest.mark.parametrize("monitoring_first", [False, True])
def test_an_alarm_repeating_the_failure_notifications_on_their_topic_is_warned(
    monitoring_first: bool,
):
    # One failure would be three messages: the notification, ALARM and OK.
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Training", "churn")
    topic = sns.Topic(stack, "Alerts")

    def notify() -> None:
        PipelineFailureNotifications(stack, "Failures", pipeline=pipeline, topic=topic)

    if not monitoring_first:
        notify()
    PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    if monitoring_first:
        notify()

    [(path, message)] = _duplicate_warnings(stack)
    assert path == "/Test/Monitoring"
    assert message == (
        "Each failed execution is published to the alarm topic twice: by "
        "PipelineFailureNotifications Test/Failures (a message naming the execution and how "
        "to see why it failed) and by this failed-executions alarm (ALARM, then OK a period "
        "later), three messages for one failure. Pass notify_failed_executions=False to keep "
        "the alarm on the dashboard without notifying, or raise failed_executions_threshold to "
        f"be told of repeated failures only. [ack: cdk-sagemaker-pipelines:{DUPLICATE}]"
    )


@pytest.mark.parametrize(
    "variant",
    ["quiet-alarm", "threshold-3", "other-pipeline", "other-topic", "stopped-only"],
)
def test_failure_notifications_and_an_alarm_that_do_not_repeat_each_other_are_not_warned(
    variant: str,
):
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Training", "churn")
    notifications = PipelineFailureNotifications(
        stack,
        "Failures",
        pipeline=pipeline,
        statuses=["Stopped"] if variant == "stopped-only" else ["Failed", "Stopped"],
    )
    PipelineMonitoring(
        stack,
        "Monitoring",
        pipeline=(
            Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
            if variant == "other-pipeline"
            else pipeline
        ),
        alarm_topic=sns.Topic(stack, "Alerts") if variant == "other-topic" else notifications.topic,
        notify_failed_executions=variant != "quiet-alarm",
        failed_executions_threshold=3 if variant == "threshold-3" else 1,
    )

    assert _duplicate_warnings(stack) == []


def test_an_alarm_told_not_to_notify_stays_on_the_dashboard_and_dead_letters_still_notify():
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Training", "churn")
    notifications = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    queue = sqs.Queue(stack, "DeadLetterQueue")
    monitoring = PipelineMonitoring(
        stack,
        "Monitoring",
        pipeline=pipeline,
        alarm_topic=notifications.topic,
        notify_failed_executions=False,
        dead_letter_queues=[queue],
    )
    template = Template.from_stack(stack)

    executions = resource(template, logical_id(monitoring.failed_executions_alarm))
    assert "AlarmActions" not in executions["Properties"]
    assert "OKActions" not in executions["Properties"]
    [dead_letters] = monitoring.dead_letter_alarms
    topic = {"Ref": logical_id(notifications.topic)}
    assert resource(template, logical_id(dead_letters))["Properties"]["AlarmActions"] == [topic]
    # Only the dead-letter alarm may publish: the quiet alarm got no statement.
    [alarm_statement] = _publishers(template, "cloudwatch.amazonaws.com")
    assert alarm_statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(dead_letters), "Arn"]}}
    }
    dashboard = resource(template, logical_id(monitoring.dashboard))
    body = json.loads(decode_text(dashboard["Properties"]["DashboardBody"]))
    assert body["widgets"][2]["properties"]["alarms"] == [
        f"${{GetAtt:{logical_id(alarm)}.Arn}}"
        for alarm in (monitoring.failed_executions_alarm, dead_letters)
    ]


def test_fails_an_alarm_topic_of_another_app_naming_the_prop():
    # CDK used to fail at synth: "Cannot reference across apps", naming neither.
    topic = sns.Topic(new_stack(), "Alerts")
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    assert str(raised.value) == (
        "PipelineMonitoring Test/Monitoring has 1 problem:\n- prop 'alarm_topic': Topic "
        "Test/Alerts belongs to another CDK app: a template can only refer to the resources of "
        "its own app (create it in this app, or sns.Topic.from_topic_arn(self, 'Alerts', arn))"
    )


def test_fails_monitoring_a_pipeline_of_another_account():
    # The alarm would never fire: the metrics are in the pipeline's account and region.
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_arn(
        stack, "Other", "arn:aws:sagemaker:us-east-1:222233334444:pipeline/other-pipeline"
    )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^PipelineMonitoring Test/Monitoring has 1 problem:\n- prop 'pipeline': "
        r"imported Pipeline Test/Other is in account 222233334444, this stack in 111122223333: "
        r"SageMaker publishes the pipeline's metrics in its own account and region",
    ):
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline)


# -- Dead-letter queues: runs that never started ------------------------------------------

QUEUE_ARN = "arn:aws:sqs:us-east-1:111122223333:retrain-dead-letters"
DEAD_LETTERS_DESCRIPTION = (
    "Runs of SageMaker pipeline churn never started: the dead-letter queue {queue} holds "
    "events its trigger or schedule could not deliver (the start was refused or throttled "
    "past its retries). Read the message (its ERROR_CODE and ERROR_MESSAGE attributes say "
    "why), start the run by hand (aws sagemaker start-pipeline-execution, with the "
    "parameters the trigger or schedule passes), then delete the message: SQS can't "
    "redrive it, as its source is no SQS queue."
)


@pytest.fixture(scope="module")
def dead_letters() -> dict[str, Any]:
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    topic = sns.Topic(stack, "Alerts")
    queue = sqs.Queue(Construct(stack, "OnNewData"), "DeadLetterQueue")
    imported = sqs.Queue.from_queue_arn(stack, "Retrain", QUEUE_ARN)
    monitoring = PipelineMonitoring(
        stack,
        "Monitoring",
        pipeline=pipeline,
        alarm_topic=topic,
        period=cdk.Duration.minutes(10),
        dead_letter_queues=[queue, imported],
    )
    return {
        "template": Template.from_stack(stack),
        "monitoring": monitoring,
        "topic": topic,
        "queue": queue,
    }


def test_an_alarm_on_each_dead_letter_queue_notifies_the_topic(dead_letters):
    monitoring, template = dead_letters["monitoring"], dead_letters["template"]
    topic = {"Ref": logical_id(dead_letters["topic"])}
    queue_name = {"Fn::GetAtt": [logical_id(dead_letters["queue"]), "QueueName"]}
    common = {
        "AlarmActions": [topic],
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "EvaluationPeriods": 1,
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Namespace": "AWS/SQS",
        "OKActions": [topic],
        "Period": 600,
        "Statistic": "Maximum",
        "Threshold": 1,
        "TreatMissingData": "notBreaching",
    }
    created, imported = (
        resource(template, logical_id(alarm))["Properties"]
        for alarm in monitoring.dead_letter_alarms
    )
    before, after = DEAD_LETTERS_DESCRIPTION.split("{queue}")
    assert created == {
        **common,
        "AlarmDescription": {"Fn::Join": ["", [before, queue_name, after]]},
        "Dimensions": [{"Name": "QueueName", "Value": queue_name}],
    }
    assert imported == {
        **common,
        "AlarmDescription": DEAD_LETTERS_DESCRIPTION.format(queue="retrain-dead-letters"),
        "Dimensions": [{"Name": "QueueName", "Value": "retrain-dead-letters"}],
    }


def test_dead_letter_alarms_are_named_after_their_queues_path(dead_letters):
    # Not their position: removing or adding a queue leaves the others' logical ids.
    alarms = dead_letters["monitoring"].dead_letter_alarms
    assert [alarm.node.path for alarm in alarms] == [
        "Test/Monitoring/DeadLetters-OnNewData-DeadLetterQueue",
        "Test/Monitoring/DeadLetters-Retrain",
    ]
    assert logical_id(alarms[0]).startswith("MonitoringDeadLettersOnNewDataDeadLetterQueue")
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "churn")
    queue = sqs.Queue(Construct(stack, "OnNewData"), "DeadLetterQueue")
    alone = PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, dead_letter_queues=[queue])
    added = sqs.Queue(stack, "Added")
    both = PipelineMonitoring(stack, "Both", pipeline=pipeline, dead_letter_queues=[added, queue])
    assert logical_id(alone.dead_letter_alarms[0]) == logical_id(alarms[0])
    assert both.dead_letter_alarms[1].node.id == alone.dead_letter_alarms[0].node.id


def test_the_topic_admits_each_dead_letter_alarm(dead_letters):
    monitoring = dead_letters["monitoring"]
    alarms = [monitoring.failed_executions_alarm, *monitoring.dead_letter_alarms]
    publishers = _publishers(dead_letters["template"], "cloudwatch.amazonaws.com")
    assert [s["Condition"] for s in publishers] == [
        {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(alarm), "Arn"]}}}
        for alarm in alarms
    ]
    assert {s["Action"] for s in publishers} == {"sns:Publish"}


def test_dashboard_shows_the_dead_letter_alarms(dead_letters):
    monitoring = dead_letters["monitoring"]
    dashboard = resource(dead_letters["template"], logical_id(monitoring.dashboard))
    body = json.loads(decode_text(dashboard["Properties"]["DashboardBody"]))
    (widget,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    alarms = [monitoring.failed_executions_alarm, *monitoring.dead_letter_alarms]
    assert widget["properties"]["alarms"] == [
        f"${{GetAtt:{logical_id(alarm)}.Arn}}" for alarm in alarms
    ]


def test_dead_letter_alarms_without_a_topic_notify_nobody():
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "churn")
    queue = sqs.Queue(stack, "Queue")
    monitoring = PipelineMonitoring(
        stack, "Monitoring", pipeline=pipeline, dead_letter_queues=[queue]
    )
    (alarm,) = monitoring.dead_letter_alarms
    properties = resource(Template.from_stack(stack), logical_id(alarm))["Properties"]
    assert "AlarmActions" not in properties
    assert "OKActions" not in properties
    assert properties["Period"] == 300


def test_dead_letter_alarms_publish_to_a_topic_of_another_stack_without_a_cycle():
    app, topic, team, pipeline = central_topic_and_team_stack()
    ops = cdk.Stack.of(topic)
    queue = sqs.Queue(team, "DeadLetters")
    monitoring = PipelineMonitoring(
        team, "Monitoring", pipeline=pipeline, alarm_topic=topic, dead_letter_queues=[queue]
    )
    app.synth()
    (alarm,) = monitoring.dead_letter_alarms
    name = "Team-Monitoring-DeadLettersDeadLetters-10BD32EE-dead-letters"
    assert resource(Template.from_stack(team), logical_id(alarm))["Properties"]["AlarmName"] == name
    publishers = _publishers(Template.from_stack(ops), "cloudwatch.amazonaws.com")
    assert [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in publishers] == [
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:"
        "Team-Monitoring-6F1D6BA9-executions-failed",
        f"arn:aws:cloudwatch:us-east-1:111122223333:alarm:{name}",
    ]
    assert team.dependencies == [ops]


def test_dead_letter_queue_of_another_stack_of_the_environment_is_taken():
    app = new_app()
    env = cdk.Environment(account="111122223333", region="us-east-1")
    shared = cdk.Stack(app, "Shared", env=env)
    queue = sqs.Queue(shared, "DeadLetters")
    team = cdk.Stack(app, "Team", env=env)
    own = sqs.Queue(team, "DeadLetters")
    pipeline = Pipeline.from_pipeline_name(team, "Other", "other-pipeline")
    monitoring = PipelineMonitoring(
        team, "Monitoring", pipeline=pipeline, dead_letter_queues=[own, queue]
    )
    assert [alarm.node.id for alarm in monitoring.dead_letter_alarms] == [
        "DeadLetters-DeadLetters",
        "DeadLetters-Shared-DeadLetters",
    ]
    app.synth()


def test_dead_letter_alarm_ids_from_paths_that_only_differ_in_slashes_are_both_taken():
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "churn")
    nested = sqs.Queue(Construct(stack, "A"), "B")
    flat = sqs.Queue(stack, "A-B")
    monitoring = PipelineMonitoring(
        stack, "Monitoring", pipeline=pipeline, dead_letter_queues=[nested, flat]
    )
    assert [alarm.node.id for alarm in monitoring.dead_letter_alarms] == [
        "DeadLetters-A-B",
        "DeadLetters-A-B-1",
    ]


QUEUE_TYPE_HINT = "(an sqs.Queue, or sqs.Queue.from_queue_arn(self, 'DeadLetters', arn))"
NEVER_FIRES = (
    "SQS publishes the queue's metrics in its own account and region, where an alarm of this "
    "stack can't read them: it would never fire (alarm on it in a stack of the queue's account "
    "and region)"
)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda stack: "dead-letters",
            "- prop 'dead_letter_queues': expected a list of sqs.IQueue, got str 'dead-letters' "
            "(a list: [trigger.dead_letter_queue])",
        ),
        (
            lambda stack: None,
            "- prop 'dead_letter_queues': expected a list of sqs.IQueue, got None "
            "(a list: [trigger.dead_letter_queue])",
        ),
        # One queue given for the list.
        (
            lambda stack: sqs.Queue(stack, "Queue"),
            "- prop 'dead_letter_queues': expected a list of sqs.IQueue, got Queue Test/Queue "
            "(a list: [trigger.dead_letter_queue])",
        ),
        (
            lambda stack: [sqs.Queue(stack, "Queue"), sns.Topic(stack, "Alerts")],
            "- prop 'dead_letter_queues': [1] expected an sqs.IQueue, got Topic Test/Alerts "
            + QUEUE_TYPE_HINT,
        ),
        (
            lambda stack: [QUEUE_ARN],
            f"- prop 'dead_letter_queues': [0] expected an sqs.IQueue, got str '{QUEUE_ARN}' "
            + QUEUE_TYPE_HINT,
        ),
        (
            lambda stack: [sqs.Queue],
            "- prop 'dead_letter_queues': [0] expected an sqs.IQueue, got the class Queue "
            "itself, not an instance of it " + QUEUE_TYPE_HINT,
        ),
        (
            lambda stack: [
                sqs.Queue.from_queue_arn(
                    stack, "Queue", "arn:aws:sqs:us-east-1:222233334444:dead-letters"
                )
            ],
            "- prop 'dead_letter_queues': [0] imported Queue Test/Queue is in account "
            f"222233334444, this stack in 111122223333: {NEVER_FIRES}",
        ),
        (
            lambda stack: [
                sqs.Queue.from_queue_arn(
                    stack, "Queue", "arn:aws:sqs:eu-west-1:111122223333:dead-letters"
                )
            ],
            "- prop 'dead_letter_queues': [0] imported Queue Test/Queue is in region "
            f"eu-west-1, this stack in us-east-1: {NEVER_FIRES}",
        ),
        (
            lambda stack: [sqs.Queue(stack, "Queue")] * 2,
            "- prop 'dead_letter_queues': [1] is the same queue as [0] (Queue Test/Queue) "
            "(give each queue once: one alarm is enough)",
        ),
        (
            lambda stack: [sqs.Queue(new_stack(), "Queue")],
            "- prop 'dead_letter_queues': [0] Queue Test/Queue belongs to another CDK app: a "
            "template can only refer to the resources of its own app (create the queue in "
            "this app, or sqs.Queue.from_queue_arn(self, 'DeadLetters', arn))",
        ),
    ],
)
def test_fails_invalid_dead_letter_queues_naming_the_index(make: Any, message: str):
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    queues = make(stack)
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, dead_letter_queues=queues)
    assert str(raised.value) == "PipelineMonitoring Test/Monitoring has 1 problem:\n" + message


def test_fails_a_dead_letter_queue_of_another_stack_of_another_account():
    app = new_app()
    tooling = cdk.Stack(app, "Tooling", env=cdk.Environment(account=ACCOUNT, region=REGION))
    queue = sqs.Queue(tooling, "DeadLetters")
    team = cdk.Stack(app, "Team", env=cdk.Environment(account="222233334444", region=REGION))
    pipeline = Pipeline.from_pipeline_name(team, "Other", "other-pipeline")
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(team, "Monitoring", pipeline=pipeline, dead_letter_queues=[queue])
    assert str(raised.value) == (
        "PipelineMonitoring Team/Monitoring has 1 problem:\n- prop 'dead_letter_queues': [0] "
        f"Queue Tooling/DeadLetters is in account {ACCOUNT}, this stack in 222233334444: "
        + NEVER_FIRES
    )


def test_fails_a_dead_letter_queue_of_another_stage():
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stack = cdk.Stack(cdk.Stage(app, "Dev", env=env), "Test")
    queue = sqs.Queue(cdk.Stack(cdk.Stage(app, "Shared", env=env), "Other"), "DeadLetters")
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "other-pipeline")
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, dead_letter_queues=[queue])
    assert (
        "- prop 'dead_letter_queues': [0] Queue Shared/Other/DeadLetters is in stage Shared, "
        "the monitoring in stage Dev: " in str(raised.value)
    )


def _shared_topic(dead_letter_queues: int) -> tuple[cdk.Stack, sns.Topic]:
    """A topic that a pipeline's notifications and monitoring (with many alarms) publish to."""
    stack = new_stack()
    topic = sns.Topic(stack, "Alerts", enforce_ssl=True)  # enforce_ssl: one statement more
    pipeline = Pipeline.from_pipeline_name(stack, "Pipeline", "churn")
    PipelineFailureNotifications(stack, "Failures", pipeline=pipeline, topic=topic)
    queues = [
        sqs.Queue.from_queue_arn(stack, f"Queue{index}", f"{QUEUE_ARN}-{index}")
        for index in range(dead_letter_queues)
    ]
    PipelineMonitoring(
        stack, "Monitoring", pipeline=pipeline, alarm_topic=topic, dead_letter_queues=queues
    )
    return stack, topic


def test_fails_a_topic_policy_of_more_statements_than_sns_takes():
    # Each alarm and rule publishing to a topic adds a statement to its policy: a topic
    # shared by some 25 pipelines passed synth, and SNS refused its 101 statements at deploy.
    # 98 dead-letter alarms, the failed-executions alarm, the rule and enforce_ssl's deny.
    stack, _ = _shared_topic(98)
    with pytest.raises(RuntimeError) as raised:
        Template.from_stack(stack)
    assert (
        "[Test/Alerts] the policy of topic Test/Alerts has 101 statements, more than the 100 "
        "SNS allows, so the stack would fail to deploy (100 of them let alarms and rules of "
        "pipelines publish, e.g. Test/Failures/Rule): give each group of pipelines a topic of "
        "its own (PipelineFailureNotifications without topic= makes one), and pass "
        "notify_failed_executions=False to PipelineMonitoring where "
        "PipelineFailureNotifications already sends each failure"
    ) in str(raised.value)


def test_a_topic_policy_larger_than_sns_takes_is_warned(built):
    # 30 KB: about 350 characters a statement, so some 87 statements; estimated, so warned.
    stack, topic = _shared_topic(88)  # 91 statements
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("topic-policy-size")
    )
    assert [entry.id for entry in found] == ["/Test/Alerts"]
    message = str(found[0].entry.data)
    assert message.startswith("The policy of this topic takes about ")
    assert "characters (91 statements; 90 of them let alarms and rules of pipelines publish)" in (
        message
    )
    assert "more than the 30,720 bytes (30 KB) SNS allows: deploying may fail." in message
    assert topic_policy_statements(Template.from_stack(stack), logical_id(topic)) == 91
    # A topic of a few publishers is not.
    assert not built["annotations"].find_warning("*", Match.string_like_regexp("topic-policy"))


def topic_policy_statements(template: Template, topic: str) -> int:
    """The number of statements in the policy of the topic ``topic`` (a logical id)."""
    policies = template.find_resources("AWS::SNS::TopicPolicy")
    (policy,) = [
        found for found in policies.values() if found["Properties"]["Topics"] == [{"Ref": topic}]
    ]
    return len(policy["Properties"]["PolicyDocument"]["Statement"])
