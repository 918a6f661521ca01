"""Schedules, the EventBridge pipeline target, new-data triggers and failure notifications."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    NewDataTrigger,
    Pipeline,
    PipelineFailureNotifications,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from cdk_sagemaker_pipelines.definition import (
    Image,
    Join,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingStep,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import ACCOUNT, REGION, grantee_statements, logical_id, resource

NAME = "churn"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{NAME}"
EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"


def _definition() -> PipelineDefinition:
    key = ParameterString(name="InputDataKey", default_value="curated/")
    bucket = ParameterString(name="InputBucket", default_value="data-bucket")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", bucket, "/", key])},
    )
    return PipelineDefinition(parameters=[key, bucket], steps=[prep])


def _pipeline(stack: cdk.Stack) -> Pipeline:
    return Pipeline(
        stack,
        "Training",
        definition=_definition(),
        pipeline_name=NAME,
        parameter_locations={"InputBucket": "data-bucket", "InputDataKey": "curated/*"},
    )


def _trust(service: str) -> dict[str, Any]:
    return {
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                "Effect": "Allow",
                "Principal": {"Service": service},
            }
        ],
        "Version": "2012-10-17",
    }


# -- PipelineSchedule ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schedules() -> dict[str, Any]:
    stack = new_stack()
    pipeline = _pipeline(stack)
    nightly = PipelineSchedule(
        stack,
        "Nightly",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression("cron(0 6 * * ? *)"),
        parameters={"InputDataKey": "curated/"},
    )
    own_queue = sqs.Queue(stack, "OwnQueue")
    weekly = PipelineSchedule(
        stack,
        "Weekly",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(7)),
        description="weekly retraining",
        enabled=False,
        retry_attempts=0,
        max_event_age=cdk.Duration.minutes(30),
        dead_letter_queue=own_queue,
    )
    template = Template.from_stack(stack)
    return {"template": template, "nightly": nightly, "weekly": weekly, "queue": own_queue}


def test_schedule_starts_the_pipeline_with_parameters(schedules):
    nightly = schedules["nightly"]
    schedule = resource(schedules["template"], logical_id(nightly.schedule))["Properties"]
    queue = logical_id(nightly.dead_letter_queue)
    assert schedule == {
        "Description": f"Starts SageMaker pipeline {NAME}",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ScheduleExpression": "cron(0 6 * * ? *)",
        "ScheduleExpressionTimezone": "Etc/UTC",
        "State": "ENABLED",
        "Target": {
            "Arn": ARN,
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [queue, "Arn"]}},
            "RetryPolicy": {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 3},
            "RoleArn": {"Fn::GetAtt": [logical_id(nightly.role), "Arn"]},
            "SageMakerPipelineParameters": {
                "PipelineParameterList": [{"Name": "InputDataKey", "Value": "curated/"}]
            },
        },
    }


def test_schedule_role_trusts_the_scheduler_and_may_only_start_and_dead_letter(schedules):
    nightly = schedules["nightly"]
    template = schedules["template"]
    role = resource(template, logical_id(nightly.role))["Properties"]
    assert role["AssumeRolePolicyDocument"] == _trust("scheduler.amazonaws.com")
    assert grantee_statements(template, nightly.role) == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": ARN},
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [logical_id(nightly.dead_letter_queue), "Arn"]},
        },
    ]


def test_schedule_dead_letter_queue_is_encrypted_and_tls_only(schedules):
    nightly = schedules["nightly"]
    template = schedules["template"]
    queue = resource(template, logical_id(nightly.dead_letter_queue))
    assert queue["Properties"] == {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": logical_id(nightly.dead_letter_queue)}],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": "sqs:*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            "Effect": "Deny",
                        }
                    )
                ],
                "Version": "2012-10-17",
            },
        },
    )


def test_schedule_options(schedules):
    weekly = schedules["weekly"]
    schedule = resource(schedules["template"], logical_id(weekly.schedule))["Properties"]
    assert schedule["Description"] == "weekly retraining"
    assert schedule["State"] == "DISABLED"
    assert schedule["ScheduleExpression"] == "rate(7 days)"
    assert schedule["Target"]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 1800,
        "MaximumRetryAttempts": 0,
    }
    assert schedule["Target"]["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": [logical_id(schedules["queue"]), "Arn"]}
    }
    assert weekly.node.try_find_child("DeadLetterQueue") is None


def test_fails_a_schedule_setting_an_undeclared_parameter():
    stack = new_stack()
    pipeline = _pipeline(stack)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/Nightly: sets parameter 'InputKey', which pipeline churn does not declare "
        r"\(declared: InputDataKey, InputBucket\)$",
    ):
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            parameters={"InputKey": "curated/"},
        )


def test_a_schedule_for_an_imported_pipeline_is_not_checked():
    stack = new_stack()
    imported = Pipeline.from_pipeline_name(stack, "Imported", NAME)
    schedule = PipelineSchedule(
        stack,
        "Nightly",
        pipeline=imported,
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
        parameters={"Anything": "x"},
    )
    target = resource(Template.from_stack(stack), logical_id(schedule.schedule))["Properties"][
        "Target"
    ]
    assert target["Arn"] == ARN


# -- SageMakerPipelineTarget -----------------------------------------------------------------


@pytest.fixture(scope="module")
def targeted() -> dict[str, Any]:
    stack = new_stack()
    pipeline = _pipeline(stack)
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Dlq")
    rule = events.Rule(
        stack,
        "Rule",
        event_pattern=events.EventPattern(source=["my.app"]),
        targets=[targets.SnsTopic(topic)],
    )
    rule.add_target(
        SageMakerPipelineTarget(
            pipeline,
            parameters={"InputDataKey": "$.detail.key", "InputBucket": "data-bucket"},
            dead_letter_queue=queue,
            retry_attempts=5,
            max_event_age=cdk.Duration.hours(1),
        )
    )
    # The same queue as another rule's dead-letter queue.
    other = events.Rule(stack, "Other", event_pattern=events.EventPattern(source=["my.other"]))
    other.add_target(SageMakerPipelineTarget(pipeline, dead_letter_queue=queue))
    template = Template.from_stack(stack)
    return {"template": template, "rule": rule, "other": other, "queue": queue, "topic": topic}


def test_target_parameters_go_to_its_own_index(targeted):
    rule = resource(targeted["template"], logical_id(targeted["rule"]))["Properties"]
    first, second = rule["Targets"]
    assert first == {"Arn": {"Ref": logical_id(targeted["topic"])}, "Id": "Target0"}
    queue = {"Fn::GetAtt": [logical_id(targeted["queue"]), "Arn"]}
    role = targeted["rule"].node.find_child("Target1Role")
    assert second == {
        "Arn": ARN,
        "DeadLetterConfig": {"Arn": queue},
        "Id": "Target1",
        "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 5},
        "RoleArn": {"Fn::GetAtt": [logical_id(role), "Arn"]},
        "SageMakerPipelineParameters": {
            "PipelineParameterList": [
                {"Name": "InputDataKey", "Value": "$.detail.key"},
                {"Name": "InputBucket", "Value": "data-bucket"},
            ]
        },
    }


def test_target_without_parameters_has_none_and_default_retries(targeted):
    (target,) = resource(targeted["template"], logical_id(targeted["other"]))["Properties"][
        "Targets"
    ]
    assert "SageMakerPipelineParameters" not in target
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 3}


def test_target_role_may_only_start_the_pipeline_through_a_managed_policy(targeted):
    template = targeted["template"]
    rule = targeted["rule"]
    role = rule.node.find_child("Target1Role")
    properties = resource(template, logical_id(role))["Properties"]
    assert properties["AssumeRolePolicyDocument"] == _trust("events.amazonaws.com")
    assert "Policies" not in properties
    policy = resource(template, logical_id(rule.node.find_child("Target1Policy")))
    assert policy["Type"] == "AWS::IAM::ManagedPolicy"
    assert policy["Properties"]["Roles"] == [{"Ref": logical_id(role)}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": ARN}
    ]
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_dead_letter_queue_policy_is_scoped_to_each_rule(targeted):
    template = targeted["template"]
    queue = logical_id(targeted["queue"])
    (policy,) = template.find_resources(
        "AWS::SQS::QueuePolicy", {"Properties": {"Queues": [{"Ref": queue}]}}
    ).values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sqs:SendMessage",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(rule), "Arn"]}}
            },
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Resource": {"Fn::GetAtt": [queue, "Arn"]},
            "Sid": sid,
        }
        for rule, sid in (
            (targeted["rule"], f"AllowEventRule{logical_id(targeted['rule'])}Target1"),
            (targeted["other"], f"AllowEventRule{logical_id(targeted['other'])}Target0"),
        )
    ]
    sids = [entry["Sid"] for entry in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert sids == ["AllowEventRuleRule4C995B7FTarget1", "AllowEventRuleOther34654A52Target0"]


def test_fails_a_target_setting_an_undeclared_parameter():
    stack = new_stack()
    pipeline = _pipeline(stack)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget: sets parameter 'Nope', which pipeline churn does not",
    ):
        SageMakerPipelineTarget(pipeline, parameters={"Nope": "x"})


# -- NewDataTrigger --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_data() -> dict[str, Any]:
    stack = new_stack()
    pipeline = _pipeline(stack)
    store = ArtifactStore(stack, "Store")
    data = store.add_bucket("Data")
    trigger = NewDataTrigger(
        stack,
        "OnNewData",
        pipeline=pipeline,
        bucket=data,
        prefix="incoming/",
        key_parameter="InputDataKey",
        bucket_parameter="InputBucket",
    )
    imported = s3.Bucket.from_bucket_name(stack, "Imported", "shared-landing-zone")
    from_imported = NewDataTrigger(
        stack,
        "OnSharedData",
        pipeline=pipeline,
        bucket=imported,
        prefix="drops/",
        key_parameter="InputDataKey",
        retry_attempts=1,
    )
    template = Template.from_stack(stack)
    return {
        "template": template,
        "trigger": trigger,
        "imported": from_imported,
        "data": data,
        "store": store,
    }


def test_new_data_rule_matches_objects_created_under_the_prefix(new_data):
    trigger = new_data["trigger"]
    rule = resource(new_data["template"], logical_id(trigger.rule))["Properties"]
    assert rule["Description"] == "New data under incoming/ starts SageMaker pipeline"
    assert rule["EventPattern"] == {
        "detail": {
            "bucket": {"name": [{"Ref": logical_id(new_data["data"])}]},
            "object": {"key": [{"prefix": "incoming/"}]},
        },
        "detail-type": ["Object Created"],
        "source": ["aws.s3"],
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == ARN
    assert target["SageMakerPipelineParameters"] == {
        "PipelineParameterList": [
            {"Name": "InputDataKey", "Value": "$.detail.object.key"},
            {"Name": "InputBucket", "Value": "$.detail.bucket.name"},
        ]
    }
    assert target["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": [logical_id(trigger.dead_letter_queue), "Arn"]}
    }


def test_new_data_turns_on_event_bridge_notifications_of_its_bucket(new_data):
    template = new_data["template"]
    data = resource(template, logical_id(new_data["data"]))["Properties"]
    assert data["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    artifacts = resource(template, logical_id(new_data["store"].bucket))["Properties"]
    assert "NotificationConfiguration" not in artifacts
    template.resource_count_is("Custom::S3BucketNotifications", 0)


def test_new_data_from_an_imported_bucket(new_data):
    imported = new_data["imported"]
    rule = resource(new_data["template"], logical_id(imported.rule))["Properties"]
    assert rule["EventPattern"]["detail"] == {
        "bucket": {"name": ["shared-landing-zone"]},
        "object": {"key": [{"prefix": "drops/"}]},
    }
    (target,) = rule["Targets"]
    assert target["SageMakerPipelineParameters"] == {
        "PipelineParameterList": [{"Name": "InputDataKey", "Value": "$.detail.object.key"}]
    }
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 1


@pytest.mark.parametrize(
    ("props", "parameter"),
    [
        ({"key_parameter": "DataKey"}, "DataKey"),
        ({"key_parameter": "InputDataKey", "bucket_parameter": "Bucket"}, "Bucket"),
        ({"key_parameter": "InputDataKey", "parameters": {"Mode": "full"}}, "Mode"),
    ],
)
def test_fails_new_data_setting_an_undeclared_parameter(props: dict[str, Any], parameter: str):
    stack = new_stack()
    pipeline = _pipeline(stack)
    bucket = s3.Bucket.from_bucket_name(stack, "Landing", "landing")
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^Test/OnNewData: sets parameter '{parameter}', which pipeline churn does not",
    ):
        NewDataTrigger(stack, "OnNewData", pipeline=pipeline, bucket=bucket, prefix="in/", **props)


# -- PipelineFailureNotifications ------------------------------------------------------------


@pytest.fixture(scope="module")
def notifications() -> dict[str, Any]:
    stack = new_stack()
    pipeline = _pipeline(stack)
    alerts = PipelineFailureNotifications(
        stack, "Failures", pipeline=pipeline, emails=["ml-oncall@example.com", "lead@example.com"]
    )
    topic = sns.Topic(stack, "Existing")
    only_failed = PipelineFailureNotifications(
        stack, "OnlyFailed", pipeline=pipeline, topic=topic, statuses=["Failed"]
    )
    template = Template.from_stack(stack)
    return {"template": template, "alerts": alerts, "only_failed": only_failed, "topic": topic}


def test_notifications_topic_is_kms_encrypted_and_tls_only(notifications):
    template = notifications["template"]
    alerts = notifications["alerts"]
    topic = resource(template, logical_id(alerts.topic))["Properties"]
    assert topic == {
        "DisplayName": "SageMaker pipeline failures",
        "KmsMasterKeyId": {"Fn::GetAtt": [logical_id(alerts.key), "Arn"]},
    }
    (policy,) = template.find_resources(
        "AWS::SNS::TopicPolicy", {"Properties": {"Topics": [{"Ref": logical_id(alerts.topic)}]}}
    ).values()
    assert policy["Properties"]["PolicyDocument"]["Statement"][0] == {
        "Action": "sns:Publish",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": "*",
        "Resource": {"Ref": logical_id(alerts.topic)},
        "Sid": "AllowPublishThroughSSLOnly",
    }


def test_notifications_key_rotates_and_lets_eventbridge_encrypt(notifications):
    alerts = notifications["alerts"]
    key = resource(notifications["template"], logical_id(alerts.key))
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert not any(statement["Action"] == "kms:*" for statement in statements)
    assert statements[1:] == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Resource": "*",
        }
    ]


def test_notifications_subscribe_every_email(notifications):
    template = notifications["template"]
    topic = {"Ref": logical_id(notifications["alerts"].topic)}
    found = template.find_resources("AWS::SNS::Subscription")
    assert sorted(
        (entry["Properties"]["Endpoint"], entry["Properties"]["Protocol"])
        for entry in found.values()
        if entry["Properties"]["TopicArn"] == topic
    ) == [("lead@example.com", "email"), ("ml-oncall@example.com", "email")]


def test_notifications_rule_and_readable_message(notifications):
    alerts = notifications["alerts"]
    rule = resource(notifications["template"], logical_id(alerts.rule))["Properties"]
    assert rule["Description"] == f"Executions of {NAME} that end Failed or Stopped"
    assert rule["EventPattern"] == {
        "detail": {"currentPipelineExecutionStatus": ["Failed", "Stopped"]},
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": logical_id(alerts.topic)}
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"] == {
        "detail-currentPipelineExecutionStatus": "$.detail.currentPipelineExecutionStatus",
        "detail-pipelineArn": "$.detail.pipelineArn",
        "detail-pipelineExecutionArn": "$.detail.pipelineExecutionArn",
        "detail-executionStartTime": "$.detail.executionStartTime",
        "detail-executionEndTime": "$.detail.executionEndTime",
    }
    lines = transformer["InputTemplate"].split("\n")
    assert lines[:5] == [
        '"SageMaker pipeline execution ended <detail-currentPipelineExecutionStatus>."',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        '"Started: <detail-executionStartTime>"',
        '"Ended: <detail-executionEndTime>"',
    ]
    assert "FailureReason" in lines[5]


def test_notifications_to_a_given_topic_for_given_statuses(notifications):
    template = notifications["template"]
    only_failed = notifications["only_failed"]
    assert only_failed.topic is notifications["topic"]
    assert only_failed.node.try_find_child("Key") is None
    rule = resource(template, logical_id(only_failed.rule))["Properties"]
    assert rule["EventPattern"]["detail"] == {"currentPipelineExecutionStatus": ["Failed"]}
    assert rule["Targets"][0]["Arn"] == {"Ref": logical_id(notifications["topic"])}
    template.resource_count_is("AWS::KMS::Key", 2)  # the pipeline's and the alerts' topic key


def test_notifications_work_for_an_imported_pipeline():
    stack = new_stack()
    imported = Pipeline.from_pipeline_arn(stack, "Imported", ARN)
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=imported)
    rule = resource(Template.from_stack(stack), logical_id(alerts.rule))["Properties"]
    assert rule["EventPattern"]["resources"] == [ARN]
    assert rule["Description"] == f"Executions of {NAME} that end Failed or Stopped"


def test_target_role_may_start_a_pipeline_named_with_capitals_by_either_arn_spelling():
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Imported", "ChurnTraining")
    rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    rule.add_target(SageMakerPipelineTarget(pipeline))
    template = Template.from_stack(stack)
    (target,) = resource(template, logical_id(rule))["Properties"]["Targets"]
    service_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churntraining"
    assert target["Arn"] == service_arn
    policy = resource(template, logical_id(rule.node.find_child("Target0Policy")))
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sagemaker:StartPipelineExecution",
            "Effect": "Allow",
            "Resource": sorted(
                [service_arn, f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/ChurnTraining"]
            ),
        }
    ]
