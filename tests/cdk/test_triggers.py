"""Schedules, the EventBridge pipeline target, new-data triggers and failure notifications."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    NewDataTrigger,
    Pipeline,
    PipelineFailureNotifications,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from cdk_sagemaker_pipelines.cdk._schedule import schedule_expression_problem, shortest_spacing
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ExecutionVariables,
    FailStep,
    Image,
    Join,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingOutput,
    ProcessingStep,
)
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    SharedPipeline,
    grantee_statements,
    logical_id,
    resource,
    synthesized,
)

NAME = "churn"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{NAME}"
EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"


def _definition(default_bucket: str = "data-bucket") -> PipelineDefinition:
    key = ParameterString(name="InputDataKey", default_value="curated/")
    bucket = ParameterString(name="InputBucket", default_value=default_bucket)
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
        parameter_locations={
            "InputBucket": "data-bucket",
            "InputDataKey": ["curated/*", "incoming/*", "drops/*"],
        },
    )


def _trust(service: str, **conditions: str) -> dict[str, Any]:
    return {
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT, **conditions}},
                "Effect": "Allow",
                "Principal": {"Service": service},
            }
        ],
        "Version": "2012-10-17",
    }


# Tests whose construct fails validation borrow a shared pipeline: building one per test takes
# ~70 jsii round trips. After each test, what it added is removed, and the app must be as built.


@pytest.fixture(scope="module")
def _shared_churn() -> SharedPipeline:
    return SharedPipeline(lambda: _pipeline(new_stack()))


@pytest.fixture
def churn(_shared_churn: SharedPipeline) -> Iterator[SharedPipeline]:
    """``_pipeline`` in stack Test, for constructs that must fail before adding anything."""
    yield _shared_churn
    _shared_churn.restore()


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
    # Confused-deputy protection as Scheduler documents it: this account's schedules, and of
    # those only the ones in the default group (where the schedule is), may assume the role.
    assert role["AssumeRolePolicyDocument"] == _trust(
        "scheduler.amazonaws.com",
        **{"aws:SourceArn": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default"},
    )
    assert grantee_statements(template, nightly.role) == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": ARN},
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [logical_id(nightly.dead_letter_queue), "Arn"]},
        },
    ]


def test_schedule_role_inline_policy_acknowledgment_names_what_it_allows(schedules):
    # The acknowledgment of NIST's IAMNoInlinePolicy is what a reviewer reads instead of the
    # inline policy: it must name every action the policy allows, the dead letters included.
    nightly = schedules["nightly"]
    reasons = [
        reason
        for entry in nightly.role.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
        if rule.endswith("NIST.800.53.R5-IAMNoInlinePolicy")
    ]
    actions = {
        action
        for statement in grantee_statements(schedules["template"], nightly.role)
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert len(reasons) == 1
    assert actions == {"sagemaker:StartPipelineExecution", "sqs:SendMessage"}
    assert [action for action in sorted(actions) if action not in reasons[0]] == []


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


def test_fails_a_schedule_setting_an_undeclared_parameter(churn: SharedPipeline):
    stack, pipeline = churn.stack, churn.pipeline
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/Nightly: sets parameter 'InputKey' \(parameters=\), which pipeline churn "
        r"does not declare \(did you mean 'InputDataKey' or 'InputBucket'\? declared: "
        r"InputDataKey, InputBucket\)$",
    ):
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            parameters={"InputKey": "curated/"},
        )


def _typed_pipeline(stack: cdk.Stack) -> Pipeline:
    """A pipeline with an integer, an enum and a required (no default) parameter."""
    key = ParameterString(name="InputDataKey", default_value="curated/")
    count = ParameterInteger(name="Count", default_value=1)
    mode = ParameterString(name="Mode", default_value="full", enum_values=["full", "delta"])
    owner = ParameterString(name="Owner")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
        environment={"COUNT": count, "MODE": mode, "OWNER": owner},
    )
    return Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[key, count, mode, owner], steps=[prep]),
        pipeline_name=NAME,
        parameter_locations={"InputDataKey": ["curated/*", "incoming/*"]},
    )


@pytest.fixture(scope="module")
def _shared_typed() -> SharedPipeline:
    return SharedPipeline(lambda: _typed_pipeline(new_stack()))


@pytest.fixture
def typed(_shared_typed: SharedPipeline) -> Iterator[SharedPipeline]:
    """``_typed_pipeline`` in stack Test, for constructs that must fail before adding anything."""
    yield _shared_typed
    _shared_typed.restore()


def test_fails_a_schedule_whose_values_would_fail_every_execution(typed: SharedPipeline):
    # StartPipelineExecution rejects these only at run time: each scheduled run would fail.
    stack = typed.stack
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=typed.pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            parameters={"Count": "1.5", "Mode": "Full", "InputDataKey": "raw/"},
        )
    assert str(raised.value).splitlines() == [
        "Test/Nightly: parameter 'Count' of pipeline churn: Integer parameter: expected an "
        "integer, got '1.5'",
        "Test/Nightly: parameter 'Mode' of pipeline churn: 'Full' is not one of 'full', "
        "'delta' (did you mean 'full'?)",
        "Test/Nightly: parameter 'Owner' of pipeline churn: has no default value and gets "
        "none here, so every execution would fail (set it in parameters={'Owner': …})",
        "Test/Nightly: parameter 'InputDataKey' of pipeline churn: gets 'raw/', outside its "
        "parameter_locations (curated/*, incoming/*): the step role may not access it, so "
        "those executions would fail (declare the location in the Pipeline's "
        "parameter_locations)",
    ]


def test_a_misspelled_parameter_does_not_hide_a_bad_value(typed: SharedPipeline):
    # Reported one at a time, the bad enum value surfaced only at the synth after the fix.
    stack = typed.stack
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=typed.pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            parameters={"Ownr": "ml", "Mode": "Full", "Owner": "ml"},
        )
    assert str(raised.value).splitlines() == [
        "Test/Nightly: sets parameter 'Ownr' (parameters=), which pipeline churn does not "
        "declare (did you mean 'Owner'? declared: InputDataKey, Count, Mode, Owner)",
        "Test/Nightly: parameter 'Mode' of pipeline churn: 'Full' is not one of 'full', "
        "'delta' (did you mean 'full'?)",
    ]


def test_a_schedule_passes_event_paths_as_they_are(typed: SharedPipeline):
    # EventBridge Scheduler has no event to read "$.detail…" from: the run gets the text.
    stack = typed.stack
    with pytest.raises(PipelineDefinitionError, match=r"'Count' .*got '\$\.detail\.count'"):
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=typed.pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            parameters={"Count": "$.detail.count", "Owner": "ml"},
        )


def test_a_schedule_with_values_the_pipeline_accepts():
    stack = new_stack()
    PipelineSchedule(
        stack,
        "Nightly",
        pipeline=_typed_pipeline(stack),
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
        parameters={"Count": "3", "Mode": "delta", "Owner": "ml", "InputDataKey": "incoming/"},
        description="d" * 512,  # the longest description Scheduler takes
    )


def test_fails_new_data_whose_keys_the_step_role_may_not_read(typed: SharedPipeline):
    stack = typed.stack
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/OnNewData: parameter 'InputDataKey' of pipeline churn: gets keys under "
        r"'raw/', outside its parameter_locations \(curated/\*, incoming/\*\): ",
    ):
        NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=typed.pipeline,
            bucket=s3.Bucket(stack, "Data"),
            prefix="raw/",
            key_parameter="InputDataKey",
            parameters={"Owner": "ml"},
        )


def test_fails_new_data_whose_prefix_is_a_location_but_whose_keys_are_not():
    # A location written without its '*' covers the prefix itself, no key under it: each
    # run would get a key such as 'incoming/data.csv', which the step role may not read.
    stack = new_stack()
    pipeline = _reading(
        stack, "data-bucket", parameter_locations={"InputDataKey": ["curated/", "incoming/"]}
    )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/OnNewData: parameter 'InputDataKey' of pipeline churn: gets keys under "
        r"'incoming/', outside its parameter_locations \(curated/, incoming/\): ",
    ):
        _watch(stack, pipeline, s3.Bucket.from_bucket_name(stack, "Data", "data-bucket"))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 6 * * *)", r"'cron\(0 6 \* \* \*\)' has 5 fields; cron needs six"),
        ("cron(0 6 * * * *)", r"exactly one of day-of-month and day-of-week must be '\?'"),
        ("cron(0 25 ? * * *)", r"hours '25' is not valid \(0-23, "),
        ("cron(0 6 ? * MONDAY *)", r"day-of-week 'MONDAY' is not valid \(1-7 or SUN-SAT, "),
        ("daily", r"expected rate\(<n> minutes\|hours\|days\), cron\(.*got 'daily'"),
        ("rate(0 days)", r"got 'rate\(0 days\)'"),
        ("rate(1 days)", r"singular for 1 and plural above \(rate\(1 day\)\)"),
        ("rate(5 minute)", r"singular for 1 and plural above \(rate\(5 minutes\)\)"),
        ("at(2025-13-01T06:00:00)", r"is not a valid date"),
    ],
)
def test_fails_a_schedule_expression_the_scheduler_would_reject(
    churn: SharedPipeline, expression: str, message: str
):
    stack = churn.stack
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^PipelineSchedule Test/Nightly has 1 problem:\n- prop 'schedule': ",
    ) as raised:
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=churn.pipeline,
            schedule=scheduler.ScheduleExpression.expression(expression),
        )
    assert re.search(message, str(raised.value))


@pytest.mark.skipif(not zoneinfo.available_timezones(), reason="no time zone database")
def test_fails_a_schedule_time_zone_the_scheduler_would_reject(churn: SharedPipeline):
    # aws-cdk-lib's TimeZone.of takes any text; CreateSchedule refuses it at deploy time.
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineSchedule(
            churn.stack,
            "Nightly",
            pipeline=churn.pipeline,
            schedule=scheduler.ScheduleExpression.expression(
                "cron(0 6 ? * MON *)", cdk.TimeZone.of("Europe/Londn")
            ),
        )
    assert str(raised.value) == (
        "PipelineSchedule Test/Nightly has 1 problem:\n"
        "- prop 'schedule': time zone 'Europe/Londn' is not an IANA time zone name (did you "
        "mean 'Europe/London' or 'Europe/Lisbon' or 'Europe/Vienna'?)"
    )
    # A zone of aws-cdk-lib's, and one of the time zone database's, are taken.
    stack = new_stack()
    pipeline = _pipeline(stack)
    for index, time_zone in enumerate((cdk.TimeZone.EUROPE_LONDON, cdk.TimeZone.of("Etc/GMT+5"))):
        PipelineSchedule(
            stack,
            f"Zoned{index}",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.expression("cron(0 6 ? * MON *)", time_zone),
        )


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 6 ? * MON-FRI *)",
        "cron(0/15 * * * ? *)",
        "cron(0 10 ? * 6L 2025-2030)",
        "cron(0 10 L * ? *)",
        "cron(0 10 15W * ? *)",
        "cron(0 10 ? * 2#1 *)",
        "cron(0 0 ? JAN,JUL SUN *)",
        "rate(1 day)",
        "rate(5 minutes)",
        "at(2030-06-01T10:00:00)",
        # Every name and the ends of every range.
        "cron(0 0 1 JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC ? *)",
        "cron(0 0 ? * SUN,MON,TUE,WED,THU,FRI,SAT *)",
        "cron(0-59 0-23 ? 1-12 1-7 1970-2199)",
        "cron(0/1 * 31 * ? *)",
        "cron(0 10 LW * ? *)",
        "cron(0 10 ? * L *)",
        "at(2030-12-31T23:59:59)",
        "at(2028-02-29T00:00:00)",
        "at(2030-01-01T00:00:00)",
    ],
)
def test_valid_schedule_expressions_are_accepted(expression: str):
    assert schedule_expression_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(60 6 ? * MON *)", "minutes '60' is not valid (0-59, "),
        ("cron(0 6-24 ? * MON *)", "hours '6-24' is not valid (0-23, "),
        ("cron(0 24-6 ? * MON *)", "hours '24-6' is not valid (0-23, "),
        ("cron(0 6 32 * ? *)", "day-of-month '32' is not valid (1-31, "),
        ("cron(0 6 ? 13 MON *)", "month '13' is not valid (1-12 or JAN-DEC, "),
        ("cron(0 6 ? * MON 2200)", "year '2200' is not valid (1970-2199, "),
        ("cron(0/0 * * * ? *)", "minutes '0/0' is not valid"),
        ("cron(0/x * * * ? *)", "minutes '0/x' is not valid"),
        ("cron(L 6 ? * MON *)", "minutes 'L' is not valid"),
        ("cron(0 6 ? * LW *)", "day-of-week 'LW' is not valid"),
        ("at(2030-06-32T10:00:00)", "is not a valid date"),
        ("at(2030-02-30T10:00:00)", "is not a valid date"),
        ("at(2030-00-01T10:00:00)", "is not a valid date"),
        ("at(2030-06-01T24:00:00)", "is not a valid date"),
        ("at(2030-06-01T10:60:00)", "is not a valid date"),
        ("at(2030-06-01T10:00:60)", "is not a valid date"),
    ],
)
def test_schedule_expression_problems_name_the_field_and_its_values(expression: str, message: str):
    assert message in (schedule_expression_problem(expression) or "")


def test_a_token_schedule_expression_is_not_checked():
    stack = new_stack()
    expression = cdk.CfnParameter(stack, "Schedule").value_as_string
    PipelineSchedule(
        stack,
        "Nightly",
        pipeline=_pipeline(stack),
        schedule=scheduler.ScheduleExpression.expression(expression),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::Scheduler::Schedule", {"ScheduleExpression": {"Ref": "Schedule"}}
    )


def test_a_token_retry_policy_is_not_checked_and_reaches_the_rule():
    # Numbers known only at deploy time: checking them would compare a token's placeholder.
    stack = new_stack()
    retries = cdk.CfnParameter(stack, "Retries", type="Number").value_as_number
    age = cdk.CfnParameter(stack, "MaxAge", type="Number").value_as_number
    rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    rule.add_target(
        SageMakerPipelineTarget(
            _pipeline(stack),
            retry_attempts=retries,  # type: ignore[arg-type]
            max_event_age=cdk.Duration.seconds(age),
        )
    )
    (target,) = resource(Template.from_stack(stack), logical_id(rule))["Properties"]["Targets"]
    assert target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": {"Ref": "MaxAge"},
        "MaximumRetryAttempts": {"Ref": "Retries"},
    }


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"pipeline": "churn"},
            r"'pipeline': expected an IPipeline, got str 'churn' \(a Pipeline, or "
            r"Pipeline.from_pipeline_name\(self, 'Pipeline', name\)\)",
        ),
        (
            {"schedule": "rate(1 day)"},
            r"'schedule': expected a scheduler.ScheduleExpression, got str 'rate\(1 day\)'",
        ),
        (
            {"parameters": {"InputDataKey": 5}},
            r"'parameters': expected a dict of parameter names to string values",
        ),
        ({"retry_attempts": -1}, r"'retry_attempts': must be 0-185, got -1"),
        ({"retry_attempts": "3"}, r"'retry_attempts': expected an int, got str '3'"),
        # A bool is an int to Python, and jsii would send True as 1.
        ({"retry_attempts": True}, r"'retry_attempts': expected an int, got bool True"),
        (
            {"max_event_age": cdk.Duration.days(2)},
            r"'max_event_age': must be 1 minute to 24 hours, got 2 days",
        ),
        (
            {"max_event_age": 3600},
            r"'max_event_age': expected a Duration, got int 3600 \(Duration.hours\(2\)\)",
        ),
        ({"description": "d" * 513}, r"'description': 513 characters, longer than 512"),
        ({"description": 5}, r"'description': expected a string, got int"),
        (
            {"enabled": "false"},
            r"'enabled': expected True or False, got str 'false' \(write False\)",
        ),
        # Used to fail in jsii: "Unable to deserialize value as …Props".
        (
            {"dead_letter_queue": "arn:aws:sqs:us-east-1:111122223333:dead-letters"},
            r"'dead_letter_queue': expected an sqs.IQueue, got str 'arn:aws:sqs:.*' \(an "
            r"sqs.Queue, or sqs.Queue.from_queue_arn\(self, 'DeadLetters', arn\)\)",
        ),
    ],
)
def test_fails_invalid_schedule_props_naming_the_construct(
    churn: SharedPipeline, props: dict[str, Any], message: str
):
    stack = churn.stack
    given: dict[str, Any] = {
        "pipeline": churn.pipeline,
        "schedule": scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
        **props,
    }
    with pytest.raises(
        PipelineDefinitionError, match=r"^PipelineSchedule Test/Nightly has 1 problem:\n- prop "
    ) as raised:
        PipelineSchedule(stack, "Nightly", **given)
    assert re.search(message, str(raised.value))


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


def test_fails_a_target_setting_an_undeclared_parameter(churn: SharedPipeline):
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget: sets parameter 'Nope' \(parameters=\), which pipeline "
        r"churn does not",
    ):
        SageMakerPipelineTarget(churn.pipeline, parameters={"Nope": "x"})


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"retry_attempts": 500, "max_event_age": cdk.Duration.days(3)},
            "SageMakerPipelineTarget has 2 problems:\n"
            "- prop 'retry_attempts': must be 0-185, got 500\n"
            "- prop 'max_event_age': must be 1 minute to 24 hours, got 3 days",
        ),
        (
            {"max_event_age": cdk.Duration.seconds(10)},
            "SageMakerPipelineTarget has 1 problem:\n"
            "- prop 'max_event_age': must be 1 minute to 24 hours, got 10 seconds",
        ),
        (
            {"max_event_age": cdk.Duration.seconds(59)},
            "SageMakerPipelineTarget has 1 problem:\n"
            "- prop 'max_event_age': must be 1 minute to 24 hours, got 59 seconds",
        ),
        (
            # MaximumEventAgeInSeconds is an integer (and to_seconds() raises inside jsii).
            {"max_event_age": cdk.Duration.millis(90_500)},
            "SageMakerPipelineTarget has 1 problem:\n"
            "- prop 'max_event_age': must be whole seconds, got 90.5 seconds "
            "(Duration.seconds(90))",
        ),
    ],
)
def test_fails_a_target_retry_policy_eventbridge_would_reject(
    churn: SharedPipeline, props: dict[str, Any], message
):
    with pytest.raises(PipelineDefinitionError) as raised:
        SageMakerPipelineTarget(churn.pipeline, **props)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "props",
    [
        {"max_event_age": cdk.Duration.minutes(1), "retry_attempts": 0},
        {"max_event_age": cdk.Duration.hours(24), "retry_attempts": 185},
    ],
)
def test_a_target_retry_policy_may_go_to_the_limits_eventbridge_accepts(
    churn: SharedPipeline, props: dict[str, Any]
):
    SageMakerPipelineTarget(churn.pipeline, **props)


def test_fails_a_target_keeping_events_a_second_longer_than_24_hours(churn: SharedPipeline):
    with pytest.raises(PipelineDefinitionError, match=r"'max_event_age': must be 1 minute to 24"):
        SageMakerPipelineTarget(churn.pipeline, max_event_age=cdk.Duration.seconds(86_401))


def test_fails_a_target_bound_to_a_rule_not_created_in_this_app(churn: SharedPipeline):
    stack = churn.stack
    target = SageMakerPipelineTarget(churn.pipeline)
    imported = events.Rule.from_event_rule_arn(
        stack, "Imported", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"
    )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget.bind has 1 problem:\n- prop 'rule': expected an "
        r"events.Rule created in this app, got imported Rule Test/Imported "
        r"\(rule.add_target\(target\) binds the target\)$",
    ):
        target.bind(imported)


def test_fails_parameters_for_a_target_bound_under_an_id_of_its_own():
    # events.Rule.add_target binds as Target<index>; the parameters are set at that index.
    stack = new_stack()
    target = SageMakerPipelineTarget(_pipeline(stack), parameters={"InputDataKey": "curated/"})
    rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget with parameters must be added with rule.add_target\(…\) "
        r"to an events.Rule created in this app \(got target id 'Nightly' on Test/Rule; "
        r"add_target binds it as Target<index>, where the parameters are set\)$",
    ):
        target.bind(rule, "Nightly")
    # Checked before the target's role and policy are created: the rule is left as it was.
    assert [child.node.id for child in rule.node.children] == ["Resource"]


def test_fails_a_target_for_what_is_not_a_pipeline():
    with pytest.raises(PipelineDefinitionError, match=r"'pipeline': expected an IPipeline, got"):
        SageMakerPipelineTarget({})  # type: ignore[arg-type]


def test_fails_a_target_with_a_parameter_value_that_is_not_a_string(churn: SharedPipeline):
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget has 1 problem:\n- prop 'parameters': expected a dict "
        r"of parameter names to string values, .* \(pipeline parameters are passed as strings",
    ):
        SageMakerPipelineTarget(churn.pipeline, parameters={"InputDataKey": 5})  # type: ignore[dict-item]


def test_a_wrong_parameter_value_is_named_even_after_right_ones(churn: SharedPipeline):
    # The dict's own description is cut short: the wrong entry must be named on its own,
    # with a hint of its own value.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"- prop 'parameters': expected a dict of parameter names to string values, "
        r"got int 3 for 'ModelPackageArn' \(pipeline parameters are passed as strings: "
        r"write '3' for 3\)$",
    ):
        SageMakerPipelineTarget(
            churn.pipeline,
            parameters={"InputDataKey": "incoming/a-long-enough-key/", "ModelPackageArn": 3},  # type: ignore[dict-item]
        )


# -- NewDataTrigger --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_data() -> dict[str, Any]:
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    data = store.add_bucket("Data")
    # Both triggers pass their bucket's name to InputBucket, which the step role may read.
    pipeline = Pipeline(
        stack,
        "Training",
        definition=_definition(default_bucket=data.bucket_name),
        pipeline_name=NAME,
        parameter_locations={
            "InputBucket": [data.bucket_name, "shared-landing-zone"],
            "InputDataKey": ["curated/*", "incoming/*", "drops/*"],
        },
    )
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
        bucket_parameter="InputBucket",
        retry_attempts=1,
    )
    template, annotations = synthesized(stack)  # one synthesis
    return {
        "template": template,
        "annotations": annotations,
        "trigger": trigger,
        "imported": from_imported,
        "data": data,
        "store": store,
    }


def test_an_imported_bucket_is_warned_as_its_event_bridge_notifications_are_unknown(new_data):
    # S3 sends EventBridge nothing until the bucket says so: the rule would never match.
    annotations = new_data["annotations"]
    annotations.has_warning(
        "/Test/OnSharedData",
        Match.string_like_regexp(
            r"^The watched bucket 'shared-landing-zone' is imported, so the trigger can't turn "
            r"on its EventBridge notifications: unless they are on, no new object starts the "
            r"pipeline\. Turn them on where the bucket is managed .*"
            r"\[ack: cdk-sagemaker-pipelines:trigger-imported-bucket\]$"
        ),
    )
    annotations.has_no_warning("/Test/OnNewData", Match.string_like_regexp("is imported"))


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
        "PipelineParameterList": [
            {"Name": "InputDataKey", "Value": "$.detail.object.key"},
            {"Name": "InputBucket", "Value": "$.detail.bucket.name"},
        ]
    }
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 1


@pytest.mark.parametrize(
    ("props", "named"),
    [
        (
            {"key_parameter": "DataKey"},
            r"'DataKey' \(key_parameter=\), which pipeline churn does not declare \(did you "
            r"mean 'InputDataKey'\? declared: InputDataKey, InputBucket\)$",
        ),
        (
            {"key_parameter": "InputDataKey", "bucket_parameter": "Bucket"},
            r"'Bucket' \(bucket_parameter=\), which pipeline churn does not declare \(did you "
            r"mean 'InputBucket'\? declared: InputDataKey, InputBucket\)$",
        ),
        (
            {"key_parameter": "InputDataKey", "parameters": {"Mode": "full"}},
            r"'Mode' \(parameters=\), which pipeline churn does not declare \(declared: ",
        ),
    ],
)
def test_fails_new_data_setting_an_undeclared_parameter_naming_the_prop(
    churn: SharedPipeline, props: dict[str, Any], named: str
):
    stack, pipeline = churn.stack, churn.pipeline
    bucket = s3.Bucket.from_bucket_name(stack, "Landing", "landing")
    # (?m): the prefix 'in/' lies outside the key parameter's locations too, a second line.
    with pytest.raises(
        PipelineDefinitionError, match=rf"(?m)\ATest/OnNewData: sets parameter {named}"
    ):
        NewDataTrigger(stack, "OnNewData", pipeline=pipeline, bucket=bucket, prefix="in/", **props)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"prefix": "/incoming/"},
            r"'prefix': '/incoming/' starts with '/', which no object key does "
            r"\(write 'incoming/'\)",
        ),
        (
            {"prefix": "s3://landing/incoming/"},
            r"'prefix': 's3://landing/incoming/' is a URI; the rule matches object keys",
        ),
        ({"bucket": "landing"}, r"'bucket': expected an s3.IBucket, got str 'landing'"),
        (
            {"bucket_parameter": "InputDataKey"},
            r"'bucket_parameter': 'InputDataKey' is also the key_parameter",
        ),
        (
            {"parameters": {"InputDataKey": "curated/"}},
            r"'parameters': sets 'InputDataKey', which gets its value from the event as "
            r"key_parameter \(leave 'InputDataKey' out of parameters\)",
        ),
        ({"max_event_age": cdk.Duration.days(2)}, r"'max_event_age': must be 1 minute"),
        ({"pipeline": "churn"}, r"'pipeline': expected an IPipeline, got str 'churn'"),
        ({"prefix": None}, r"'prefix': expected a string, got None"),
        ({"key_parameter": None}, r"'key_parameter': expected a string, got None"),
        ({"key_parameter": 5}, r"'key_parameter': expected a string, got int"),
        ({"bucket_parameter": 5}, r"'bucket_parameter': expected a string, got int"),
        ({"parameters": {"Mode": 5}}, r"'parameters': expected a dict of parameter names to str"),
        (
            {"bucket_parameter": "InputBucket", "parameters": {"InputBucket": "landing"}},
            r"'parameters': sets 'InputBucket', which gets its value from the event as "
            r"bucket_parameter",
        ),
        (
            {"dead_letter_queue": "arn:aws:sqs:us-east-1:111122223333:dead-letters"},
            r"'dead_letter_queue': expected an sqs.IQueue, got str",
        ),
    ],
)
def test_fails_new_data_props_that_would_never_match_or_be_overwritten(
    churn: SharedPipeline, props: dict[str, Any], message: str
):
    stack = churn.stack
    given: dict[str, Any] = {
        "pipeline": churn.pipeline,
        "bucket": s3.Bucket.from_bucket_name(stack, "Landing", "landing"),
        "prefix": "incoming/",
        "key_parameter": "InputDataKey",
        **props,
    }
    with pytest.raises(
        PipelineDefinitionError, match=r"^NewDataTrigger Test/OnNewData has 1 problem:\n- prop "
    ) as raised:
        NewDataTrigger(stack, "OnNewData", **given)
    assert re.search(message, str(raised.value))


def test_fails_new_data_passing_the_key_to_a_parameter_that_is_not_a_string():
    stack = new_stack()
    count = ParameterInteger(name="Count", default_value=1)
    key = ParameterString(name="InputDataKey", default_value="curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data/", key])},
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[key, count], steps=[prep]),
        pipeline_name=NAME,
        parameter_locations={"InputDataKey": "*"},
    )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/OnNewData: parameter 'Count' of pipeline churn is of type Integer, but "
        r"gets a string from the event \(declare it with ParameterString\)$",
    ):
        NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=pipeline,
            bucket=s3.Bucket(stack, "Data"),
            prefix="incoming/",
            key_parameter="Count",
        )


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
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    template = Template.from_stack(stack)
    return {
        "template": template,
        "annotations": annotations,
        "alerts": alerts,
        "only_failed": only_failed,
        "topic": topic,
    }


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


def test_notifications_topic_admits_eventbridge_for_its_rules_only(notifications):
    # One statement per construct, naming each of its rules: a statement per rule would
    # take three of SNS's 100 per pipeline.
    template = notifications["template"]
    alerts, only_failed = notifications["alerts"], notifications["only_failed"]
    for topic, rules in (
        (alerts.topic, [alerts.rule, alerts.status_rule, alerts.failed_step_rule]),
        (notifications["topic"], [only_failed.rule, only_failed.failed_step_rule]),
    ):
        (policy,) = template.find_resources(
            "AWS::SNS::TopicPolicy", {"Properties": {"Topics": [{"Ref": logical_id(topic)}]}}
        ).values()
        publishers = [
            statement
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Allow"
        ]
        # Without aws:SourceArn, any rule of any account could publish through EventBridge.
        assert [(s["Principal"], s["Action"], s.get("Condition")) for s in publishers] == [
            (
                {"Service": "events.amazonaws.com"},
                "sns:Publish",
                {
                    "ArnEquals": {
                        "aws:SourceArn": [
                            {"Fn::GetAtt": [logical_id(rule), "Arn"]} for rule in rules
                        ]
                    }
                },
            )
        ]
    assert only_failed.status_rule is None
    template.resource_count_is("AWS::Events::Rule", 5)


def test_notifications_to_a_given_encrypted_topic_let_eventbridge_use_its_key():
    stack = new_stack()
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Existing", master_key=key)
    PipelineFailureNotifications(stack, "Failures", pipeline=_pipeline(stack), topic=topic)
    key_policy = resource(Template.from_stack(stack), logical_id(key))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]


def test_notifications_to_a_topic_encrypted_through_an_alias_of_this_app_use_its_key():
    # The alias grants through its target key, whose policy this app writes: no warning.
    stack = new_stack()
    key = kms.Key(stack, "Key")
    alias = kms.Alias(stack, "Alias", alias_name="alias/alerts", target_key=key)
    topic = sns.Topic(stack, "Existing", master_key=alias)
    PipelineFailureNotifications(stack, "Failures", pipeline=_pipeline(stack), topic=topic)
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    key_policy = resource(Template.from_stack(stack), logical_id(key))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]
    annotations.has_no_warning("*", Match.string_like_regexp("key whose"))


def test_notifications_to_a_topic_with_a_key_this_app_cannot_change_are_reported():
    # grant() on an imported key adds nothing: EventBridge couldn't encrypt, and drops them.
    stack = new_stack()
    key = kms.Key.from_key_arn(
        stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    topic = sns.Topic(stack, "Existing", master_key=key)
    PipelineFailureNotifications(stack, "Failures", pipeline=_pipeline(stack), topic=topic)
    warnings = Annotations.from_stack(stack).find_warning(
        "/Test/Failures/Rule", Match.string_like_regexp(".*")
    )
    assert [str(warning.entry.data) for warning in warnings] == [
        "The notification topic is encrypted with a key whose policy this app can't change: "
        "allow events.amazonaws.com kms:Decrypt and kms:GenerateDataKey* in it, or the "
        "notifications are dropped. [ack: cdk-sagemaker-pipelines:notification-topic-key]"
    ]


NO_SUBSCRIBERS = "cdk-sagemaker-pipelines:no-subscribers"


def _no_subscribers_warnings(stack: cdk.Stack) -> dict[str, str]:
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(f"ack: {NO_SUBSCRIBERS}")
    )
    return {warning.id: str(warning.entry.data) for warning in found}


def test_notifications_whose_own_topic_nobody_subscribes_to_are_warned_at_synth():
    # A failure sent to a topic without subscribers reaches no one. Subscriptions count
    # wherever and whenever they are made before synth: emails=, the topic's
    # add_subscription after the construct (a queue's sits under the queue, in another
    # stack here), an L1 subscription; a given topic is not judged; an acknowledgment holds.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    other = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = _pipeline(stack)
    PipelineFailureNotifications(stack, "Nobody", pipeline=pipeline)
    PipelineFailureNotifications(stack, "Emailed", pipeline=pipeline, emails=["a@example.com"])
    queued = PipelineFailureNotifications(stack, "Queued", pipeline=pipeline)
    queued.topic.add_subscription(subscriptions.SqsSubscription(sqs.Queue(other, "Inbox")))
    raw = PipelineFailureNotifications(stack, "Raw", pipeline=pipeline)
    sns.CfnSubscription(
        stack, "Https", topic_arn=raw.topic.topic_arn, protocol="https", endpoint="https://x.io"
    )
    PipelineFailureNotifications(stack, "Given", pipeline=pipeline, topic=sns.Topic(stack, "T"))
    chatbot = PipelineFailureNotifications(stack, "Chatbot", pipeline=pipeline)
    cdk.Annotations.of(chatbot).acknowledge_warning(NO_SUBSCRIBERS, "AWS Chatbot subscribes")

    warnings = _no_subscribers_warnings(stack)
    assert list(warnings) == ["/Test/Nobody"]
    assert warnings["/Test/Nobody"].startswith(
        "Topic Test/Nobody/Topic has no subscription in this app: every failed or stopped "
        "execution it is sent would reach no one. Subscribe the on-call address with emails="
    )
    assert "add_subscription" in warnings["/Test/Nobody"]


def test_notifications_to_an_imported_topic_say_its_policy_must_admit_the_rule():
    # Its policy can't be changed from this app: without a warning, notifications are dropped.
    stack = new_stack()
    topic = sns.Topic.from_topic_arn(stack, "Existing", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts")
    PipelineFailureNotifications(stack, "Failures", pipeline=_pipeline(stack), topic=topic)
    warnings = Annotations.from_stack(stack).find_warning(
        "/Test/Failures/Rule", Match.string_like_regexp(".*")
    )
    assert [str(warning.entry.data) for warning in warnings] == [
        "The notification topic was not created in this app, so its policy can't be changed: "
        "allow events.amazonaws.com sns:Publish in it (condition aws:SourceArn = the ARNs of "
        "this construct's rules), or the notifications are dropped. "
        "[ack: cdk-sagemaker-pipelines:notification-topic-policy]"
    ]


def test_notifications_to_a_topic_of_another_stack_admit_the_rule_without_a_cycle():
    # A central alerts topic in its own stack: with the rule's ARN attribute in the topic's
    # policy, each stack would depend on the other and synth failed (DependencyCycle).
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    ops = cdk.Stack(app, "Ops", env=env)
    topic = sns.Topic(ops, "Alerts")
    team = cdk.Stack(app, "Team", env=env)
    alerts = PipelineFailureNotifications(team, "Failures", pipeline=_pipeline(team), topic=topic)
    app.synth()
    name = "Team-Failures-07F4ED47"
    template = Template.from_stack(team)
    named = {
        rule: resource(template, logical_id(rule))["Properties"]["Name"]
        for rule in (alerts.rule, alerts.status_rule, alerts.failed_step_rule)
    }
    # "Rule" keeps the name it had; the others are told apart by a suffix.
    assert list(named.values()) == [name, f"{name}-status", f"{name}-step"]
    (policy,) = Template.from_stack(ops).find_resources("AWS::SNS::TopicPolicy").values()
    assert [
        statement["Condition"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Principal"] == {"Service": "events.amazonaws.com"}
    ] == [
        {
            "ArnEquals": {
                "aws:SourceArn": [
                    f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule_name}"
                    for rule_name in named.values()
                ]
            }
        }
    ]
    assert team.dependencies == [ops]


def _in_dev_stage() -> Pipeline:
    dev = cdk.Stage(new_app(), "dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    return _pipeline(cdk.Stack(dev, "Team"))


@pytest.fixture(scope="module")
def _shared_in_dev_stage() -> SharedPipeline:
    return SharedPipeline(_in_dev_stage)


@pytest.fixture
def in_dev_stage(_shared_in_dev_stage: SharedPipeline) -> Iterator[SharedPipeline]:
    """``_pipeline`` in stack dev/Team of a Stage; tests may add stages to the app (root)."""
    yield _shared_in_dev_stage
    _shared_in_dev_stage.restore()


@pytest.mark.parametrize(
    ("topic_env", "message"),
    [
        (
            ("444455556666", REGION),
            "the topic is in account 444455556666, the rule in 111122223333: EventBridge "
            "delivers to another account's topic only through an execution role, which this "
            "construct does not create",
        ),
        (
            (ACCOUNT, "eu-west-1"),
            "the topic is in region eu-west-1, the rule in us-east-1: EventBridge delivers to "
            "topics of its own region only",
        ),
    ],
)
def test_fails_notifications_to_a_topic_eventbridge_cannot_reach(
    in_dev_stage: SharedPipeline, topic_env, message
):
    # Before, CDK tried to route through the other account's event bus and, inside a Stage,
    # failed synth with NoCrossStageDependency naming neither construct nor prop.
    app, team = in_dev_stage.root, in_dev_stage.stack
    account, region = topic_env
    tooling = cdk.Stage(app, "Tooling", env=cdk.Environment(account=account, region=region))
    topic = sns.Topic(cdk.Stack(tooling, "Ops"), "Alerts")
    with pytest.raises(PipelineDefinitionError) as error:
        PipelineFailureNotifications(team, "Failures", pipeline=in_dev_stage.pipeline, topic=topic)
    assert str(error.value) == (
        "PipelineFailureNotifications dev/Team/Failures has 1 problem:\n"
        f"- prop 'topic': {message} (leave topic unset: this stack gets its own encrypted "
        "topic (subscribe the on-call address with emails=); or give a PipelineMonitoring "
        "alarm_topic=, which CloudWatch may publish to from another account)"
    )


def test_fails_notifications_to_an_imported_topic_of_another_account(churn: SharedPipeline):
    stack = churn.stack
    topic = sns.Topic.from_topic_arn(stack, "Central", f"arn:aws:sns:{REGION}:444455556666:alerts")
    with pytest.raises(PipelineDefinitionError, match="the topic is in account 444455556666"):
        PipelineFailureNotifications(stack, "Failures", pipeline=churn.pipeline, topic=topic)


@pytest.mark.parametrize("imported", [False, True], ids=["created", "imported"])
@pytest.mark.parametrize(
    ("emails", "subscriptions"),
    [
        ([], ""),
        (["ml-oncall@example.com"], ", and a FIFO topic takes no email subscriptions (emails=)"),
    ],
    ids=["no-emails", "emails"],
)
def test_fails_notifications_to_a_fifo_topic(
    churn: SharedPipeline, imported: bool, emails: list[str], subscriptions: str
):
    # SNS Publish: "Every message must include a MessageGroupId" on a FIFO topic, and a rule
    # target (AWS::Events::Rule Target) has no SNS parameters to give one; the SNS guide
    # ("Message delivery for FIFO topics"): FIFO topics can't deliver to email addresses.
    stack = churn.stack
    topic = (
        sns.Topic.from_topic_arn(stack, "Central", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts.fifo")
        if imported
        else sns.Topic(stack, "Alerts", fifo=True, topic_name="alerts")
    )
    with pytest.raises(PipelineDefinitionError) as error:
        PipelineFailureNotifications(
            stack, "Failures", pipeline=churn.pipeline, topic=topic, emails=emails
        )
    assert str(error.value) == (
        "PipelineFailureNotifications Test/Failures has 1 problem:\n"
        "- prop 'topic': the topic is a FIFO topic: every message to it needs a "
        "MessageGroupId, which an EventBridge rule target can't give an SNS topic"
        f"{subscriptions} (give a standard topic, or leave topic unset: this stack gets its "
        "own encrypted topic)"
    )


def test_notifications_to_a_topic_of_this_app_need_no_warning(notifications):
    warnings = notifications["annotations"].find_warning(
        "*", Match.string_like_regexp(".*notification-topic-policy.*")
    )
    assert warnings == []


def test_notifications_subscribe_every_email(notifications):
    template = notifications["template"]
    topic = {"Ref": logical_id(notifications["alerts"].topic)}
    found = template.find_resources("AWS::SNS::Subscription")
    assert sorted(
        (entry["Properties"]["Endpoint"], entry["Properties"]["Protocol"])
        for entry in found.values()
        if entry["Properties"]["TopicArn"] == topic
    ) == [("lead@example.com", "email"), ("ml-oncall@example.com", "email")]


def _message(template: Template, rule: events.Rule) -> tuple[dict[str, str], list[str]]:
    """The rule's target's InputPathsMap and its InputTemplate's lines."""
    (target,) = resource(template, logical_id(rule))["Properties"]["Targets"]
    transformer = target["InputTransformer"]
    return transformer["InputPathsMap"], transformer["InputTemplate"].split("\n")


EXECUTION_PATHS = {
    "detail-pipelineArn": "$.detail.pipelineArn",
    "detail-pipelineExecutionArn": "$.detail.pipelineExecutionArn",
    "detail-executionStartTime": "$.detail.executionStartTime",
    "detail-executionEndTime": "$.detail.executionEndTime",
    "region": "$.region",
}


def test_notifications_of_failed_executions_point_at_the_step_messages(notifications):
    alerts = notifications["alerts"]
    template = notifications["template"]
    rule = resource(template, logical_id(alerts.rule))["Properties"]
    assert rule["Description"] == f"Executions of {NAME} that end Failed"
    assert rule["EventPattern"] == {
        "detail": {"currentPipelineExecutionStatus": ["Failed"]},
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    assert rule["Targets"][0]["Arn"] == {"Ref": logical_id(alerts.topic)}
    paths, lines = _message(template, alerts.rule)
    assert paths == EXECUTION_PATHS
    # The last line is a command to paste: every step's status and FailureReason.
    # Secondary to the step's message, which carries the reason: it says so first. It comes
    # for every failed run (its event can't tell whether a step failed): what to do when
    # it comes alone.
    assert lines == [
        "\"SageMaker pipeline run FAILED: the run's end. Why is in its failed step's message, "
        'sent apart."',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        '"Started: <detail-executionStartTime>"',
        '"Ended: <detail-executionEndTime>"',
        "\"(A Fail step's message is the pipeline stopping the run on purpose, not an "
        "outage.) If no step's message came, every step's status and reason:\"",
        '"aws sagemaker list-pipeline-execution-steps --region <region> '
        "--pipeline-execution-arn <detail-pipelineExecutionArn> --query "
        '\\"PipelineExecutionSteps[].[StepName,StepStatus,FailureReason]\\" --output table"',
    ]


def test_notifications_of_stopped_executions_say_no_step_failed(notifications):
    # A stopped run has no failed step to look for: its message says who stops runs.
    alerts = notifications["alerts"]
    template = notifications["template"]
    rule = resource(template, logical_id(alerts.status_rule))["Properties"]
    assert rule["Description"] == f"Executions of {NAME} that are Stopped"
    assert rule["EventPattern"]["detail"] == {"currentPipelineExecutionStatus": ["Stopped"]}
    paths, lines = _message(template, alerts.status_rule)
    assert paths == {
        "detail-currentPipelineExecutionStatus": "$.detail.currentPipelineExecutionStatus",
        **EXECUTION_PATHS,
    }
    assert lines == [
        '"SageMaker pipeline run <detail-currentPipelineExecutionStatus>: no step failed."',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        '"Started: <detail-executionStartTime>"',
        '"Ended: <detail-executionEndTime>"',
        '"A Stopped run was stopped by a StopPipelineExecution call (CloudTrail names who '
        'made it). Its parameters, to start it again:"',
        '"aws sagemaker list-pipeline-parameters-for-execution --region <region> '
        '--pipeline-execution-arn <detail-pipelineExecutionArn>"',
    ]


STEP_PATHS = {
    "detail-stepName": "$.detail.stepName",
    "detail-failureReason": "$.detail.failureReason",
    "detail-pipelineArn": "$.detail.pipelineArn",
    "detail-pipelineExecutionArn": "$.detail.pipelineExecutionArn",
    "region": "$.region",
}


def test_notifications_of_failed_steps_name_the_step_its_reason_and_its_job(notifications):
    # The execution's event carries no step and no reason; the step's event carries both
    # (SageMaker guide, "Events that Amazon SageMaker sends to EventBridge").
    alerts = notifications["alerts"]
    template = notifications["template"]
    rule = resource(template, logical_id(alerts.failed_step_rule))["Properties"]
    assert rule["Description"] == f"Failed steps of {NAME}"
    assert rule["EventPattern"] == {
        "detail": {"currentStepStatus": ["Failed"]},
        "detail-type": ["SageMaker Model Building Pipeline Execution Step Status Change"],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    paths, lines = _message(template, alerts.failed_step_rule)
    assert paths == {"detail-stepType": "$.detail.stepType", **STEP_PATHS}
    assert lines == [
        '"SageMaker pipeline step <detail-stepName> (<detail-stepType>) FAILED."',
        '"Reason: <detail-failureReason>"',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        "\"The step's job (Metadata: the job's name ends its ARN, and names its log stream):\"",
        '"aws sagemaker list-pipeline-execution-steps --region <region> '
        "--pipeline-execution-arn <detail-pipelineExecutionArn> --query "
        "\\\"PipelineExecutionSteps[?StepName=='<detail-stepName>'].[FailureReason,Metadata]"
        '\\""',
        '"Once the cause is fixed, run the failed step and those after it again:"',
        '"aws sagemaker retry-pipeline-execution --region <region> '
        '--pipeline-execution-arn <detail-pipelineExecutionArn>"',
    ]


def test_a_fail_step_reads_as_the_quality_gate_stopping_the_run_not_as_an_outage():
    stack = new_stack()
    gate = FailStep(name="AccuracyTooLow", error_message="Model accuracy is below the threshold")
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=ParameterInteger(name="Score"), right=1)],
        if_steps=[],
        else_steps=[gate],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[ParameterInteger(name="Score")], steps=[check]),
        pipeline_name=NAME,
    )
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    template = Template.from_stack(stack)
    steps = resource(template, logical_id(alerts.failed_step_rule))["Properties"]
    # Each failure once: the job steps' rule leaves the Fail steps to their own.
    assert steps["EventPattern"]["detail"] == {
        "currentStepStatus": ["Failed"],
        "stepName": [{"anything-but": ["AccuracyTooLow"]}],
    }
    assert alerts.fail_step_rule is not None
    gate_rule = resource(template, logical_id(alerts.fail_step_rule))["Properties"]
    assert gate_rule["Description"] == f"The Fail steps of {NAME} (AccuracyTooLow) stopping a run"
    assert gate_rule["EventPattern"]["detail"] == {
        "currentStepStatus": ["Failed"],
        "stepName": ["AccuracyTooLow"],
    }
    paths, lines = _message(template, alerts.fail_step_rule)
    assert paths == STEP_PATHS
    assert lines == [
        '"The quality gate <detail-stepName> stopped the SageMaker pipeline run: not an outage."',
        '"Why: <detail-failureReason>"',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        '"<detail-stepName> is a Fail step: a condition of the pipeline chose to end the run '
        "there (such as a model scoring below its threshold). No job failed and nothing is "
        'broken; a retry on the same inputs stops the same way. The inputs it ran on:"',
        '"aws sagemaker list-pipeline-parameters-for-execution --region <region> '
        '--pipeline-execution-arn <detail-pipelineExecutionArn>"',
    ]


def test_a_fail_step_without_a_message_reads_as_giving_no_reason_not_an_empty_one():
    # SageMaker leaves FailureReason out for a Fail step whose ErrorMessage is empty (the
    # SDK's test_fail_steps.py): "Why:" would be followed by nothing. Such steps get a rule
    # whose message says there is no reason, where the step sits and how to see the
    # condition that chose it; the others keep theirs.
    stack = new_stack()
    score = ParameterInteger(name="Score")
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=1)],
        if_steps=[FailStep(name="Stop")],
        else_steps=[FailStep(name="AccuracyTooLow", error_message="Model accuracy is low")],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            parameters=[score], steps=[check, FailStep(name="Halt", error_message=" ")]
        ),
        pipeline_name=NAME,
    )
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    template = Template.from_stack(stack)
    steps = resource(template, logical_id(alerts.failed_step_rule))["Properties"]
    assert steps["EventPattern"]["detail"]["stepName"] == [
        {"anything-but": ["Stop", "AccuracyTooLow", "Halt"]}
    ]
    assert alerts.fail_step_rule is not None
    gate_rule = resource(template, logical_id(alerts.fail_step_rule))["Properties"]
    assert gate_rule["EventPattern"]["detail"]["stepName"] == ["AccuracyTooLow"]
    assert alerts.fail_step_without_message_rule is not None
    silent = resource(template, logical_id(alerts.fail_step_without_message_rule))["Properties"]
    assert silent["Description"] == (
        f"The Fail steps of {NAME} without ErrorMessage (Stop, Halt) stopping a run"
    )
    assert silent["EventPattern"] == {
        "detail": {"currentStepStatus": ["Failed"], "stepName": ["Stop", "Halt"]},
        "detail-type": ["SageMaker Model Building Pipeline Execution Step Status Change"],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    paths, lines = _message(template, alerts.fail_step_without_message_rule)
    assert "detail-failureReason" not in paths
    assert lines == [
        '"The quality gate <detail-stepName> stopped the SageMaker pipeline run: not an outage."',
        '"Why: not given. <detail-stepName> is a Fail step without ErrorMessage, so SageMaker '
        'records no reason: the condition that chose it is the reason."',
        '"Pipeline: <detail-pipelineArn>"',
        '"Execution: <detail-pipelineExecutionArn>"',
        '"Where each such step sits: Stop (in the IfSteps of CheckAccuracy); Halt (at the top '
        'level)."',
        '"<detail-stepName> is a Fail step: a condition of the pipeline chose to end the run '
        "there (such as a model scoring below its threshold). No job failed and nothing is "
        "broken; a retry on the same inputs stops the same way. Each step's status and "
        'condition outcome:"',
        '"aws sagemaker list-pipeline-execution-steps --region <region> '
        "--pipeline-execution-arn <detail-pipelineExecutionArn> --query "
        '\\"PipelineExecutionSteps[].[StepName,StepStatus,Metadata.Condition.Outcome]\\" '
        '--output table"',
        '"The inputs it ran on:"',
        '"aws sagemaker list-pipeline-parameters-for-execution --region <region> '
        '--pipeline-execution-arn <detail-pipelineExecutionArn>"',
    ]
    # The topic admits each rule.
    (policy,) = template.find_resources(
        "AWS::SNS::TopicPolicy", {"Properties": {"Topics": [{"Ref": logical_id(alerts.topic)}]}}
    ).values()
    (publish,) = [
        statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]
    assert {"Fn::GetAtt": [logical_id(alerts.fail_step_without_message_rule), "Arn"]} in (
        publish["Condition"]["ArnEquals"]["aws:SourceArn"]
    )
    template.resource_count_is("AWS::Events::Rule", 5)


def test_many_long_fail_step_names_keep_each_rules_description_within_eventbridges_512():
    # EventBridge takes a rule description of 512 characters at most: eight Fail steps of
    # 64-character names listed in it made synth fail (CloudFormation's validation, on by
    # cdk.json's flags) or, without that flag, the deployment. As many names as fit are
    # listed, then how many more; the patterns still name every step.
    stack = new_stack()
    score = ParameterInteger(name="Score")
    gates = [f"QualityGate{i:02d}".ljust(64, "x") for i in range(8)]
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=1)],
        if_steps=[FailStep(name=name, error_message="low") for name in gates[:4]],
        else_steps=[FailStep(name=name) for name in gates[4:]],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[score], steps=[check]),
        pipeline_name=NAME,
    )
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    template = Template.from_stack(stack)
    rules = {
        "steps": (alerts.failed_step_rule, gates),
        "gates": (alerts.fail_step_rule, gates[:4]),
        "silent": (alerts.fail_step_without_message_rule, gates[4:]),
    }
    for kind, (rule, names) in rules.items():
        assert rule is not None
        properties = resource(template, logical_id(rule))["Properties"]
        description = properties["Description"]
        assert len(description) <= 512, kind
        listed = [name for name in names if name in description]
        assert listed, kind
        assert listed == names[: len(listed)], kind
        if len(listed) < len(names):
            assert f"and {len(names) - len(listed)} more" in description, kind
        step_name = properties["EventPattern"]["detail"]["stepName"]
        assert step_name == ([{"anything-but": names}] if kind == "steps" else names)
    description = resource(template, logical_id(alerts.failed_step_rule))["Properties"][
        "Description"
    ]
    assert description == (
        f"Failed steps of {NAME} other than its Fail steps ({gates[0]}, {gates[1]}, "
        f"{gates[2]}, {gates[3]}, {gates[4]}, {gates[5]} and 2 more)"
    )


def _pattern_size(properties: dict[str, Any]) -> int:
    """A rule's event pattern as PutRule gets it: JSON text, as CloudFormation writes it."""
    return len(json.dumps(properties["EventPattern"], separators=(",", ":")))


def test_many_long_fail_step_names_are_cut_into_rules_within_eventbridges_2048():
    # EventBridge takes an event pattern of 2,048 characters (its "Event pattern size"
    # quota): 30 Fail steps of 64-character names listed in one pattern failed the deploy.
    # Each list is cut into rules that fit, named and described in order, and every Fail
    # step still pages; the other failed steps are told apart by their type, as an
    # anything-but list can't be split over rules.
    stack = new_stack()
    score = ParameterInteger(name="Score")
    gates = [f"QualityGate{i:02d}".ljust(64, "x") for i in range(30)]
    silent = [f"SilentGate{i:02d}".ljust(64, "y") for i in range(30)]
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=1)],
        if_steps=[FailStep(name=name, error_message="low") for name in gates],
        else_steps=[FailStep(name=name) for name in silent],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[score], steps=[check]),
        pipeline_name=NAME,
    )
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    template = Template.from_stack(stack)
    rules = template.find_resources("AWS::Events::Rule")
    assert len(rules) == 7  # Rule, StatusRule, StepFailedRule, two pages of each list
    for rule_id, rule in rules.items():
        assert _pattern_size(rule["Properties"]) <= 2048, rule_id
    for pages, names, first_id, lead in (
        (alerts.fail_step_rules, gates, "FailStepRule", f"The Fail steps of {NAME}"),
        (
            alerts.fail_step_without_message_rules,
            silent,
            "FailStepWithoutMessageRule",
            f"The Fail steps of {NAME} without ErrorMessage",
        ),
    ):
        assert [rule.node.id for rule in pages] == [first_id, f"{first_id}2"]
        listed = [resource(template, logical_id(rule))["Properties"] for rule in pages]
        paged = [name for each in listed for name in each["EventPattern"]["detail"]["stepName"]]
        assert paged == names  # each once, in order
        for number, properties in enumerate(listed, start=1):
            assert properties["Description"].startswith(
                f"{lead} ({paged[0]}" if number == 1 else lead
            )
            assert properties["Description"].endswith(f") stopping a run (rule {number} of 2)")
    assert alerts.fail_step_rule is alerts.fail_step_rules[0]
    assert alerts.fail_step_without_message_rule is alerts.fail_step_without_message_rules[0]
    # The silent pages' messages list where their own steps sit.
    _, lines = _message(template, alerts.fail_step_without_message_rules[1])
    (places,) = [line for line in lines if line.startswith('"Where each such step sits: ')]
    assert silent[-1] in places
    assert silent[0] not in places
    assert alerts.failed_step_rule is not None
    steps = resource(template, logical_id(alerts.failed_step_rule))["Properties"]
    assert steps["EventPattern"]["detail"] == {
        "currentStepStatus": ["Failed"],
        "stepType": [{"anything-but": ["Fail"]}],
    }
    assert steps["Description"] == f"Failed steps of {NAME} whose type is not Fail"
    # Should a Fail step's event name another type, its message says what a Fail step is.
    _, lines = _message(template, alerts.failed_step_rule)
    assert lines[4].startswith('"A step of type Fail is the pipeline stopping the run on purpose')
    # The topic admits every rule.
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    (publish,) = [
        statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]
    assert publish["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Fn::GetAtt": [rule_id, "Arn"]} for rule_id in rules
    ]


def test_fail_step_pages_of_a_pipeline_known_at_deploy_count_its_arn_at_its_longest():
    # In an env-agnostic stack the ARN's partition, Region and account are tokens: each is
    # counted at the longest it resolves to, so the pages fit in every Region.
    stack = new_stack(account=None, region=None)
    names = [f"QualityGate{i:02d}".ljust(64, "x") for i in range(27)]
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            steps=[FailStep(name=name, error_message="low") for name in names]
        ),
        pipeline_name=NAME,
    )
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=pipeline)
    longest_arn = len("arn:aws-us-gov:sagemaker:us-isob-east-1:111122223333:pipeline/churn")
    template = Template.from_stack(stack)
    for rule in alerts.fail_step_rules:
        properties = dict(resource(template, logical_id(rule))["Properties"])
        properties["EventPattern"] = {
            **properties["EventPattern"],
            "resources": ["-" * longest_arn],
        }
        assert _pattern_size(properties) <= 2048
    # 27 names fit one pattern of this ARN in us-east-1 (2,045 characters), not in every Region.
    assert len(alerts.fail_step_rules) == 2


def test_notifications_without_step_messages_say_how_to_find_the_failed_step():
    stack = new_stack()
    pipeline = _pipeline(stack)
    alerts = PipelineFailureNotifications(
        stack, "Failures", pipeline=pipeline, notify_failed_steps=False
    )
    stopped = PipelineFailureNotifications(
        stack, "Stopped", pipeline=pipeline, statuses=["Stopped"]
    )
    template = Template.from_stack(stack)
    assert (alerts.failed_step_rule, alerts.fail_step_rule) == (None, None)
    assert alerts.fail_step_without_message_rule is None
    _, lines = _message(template, alerts.rule)
    assert lines[5] == '"Which step failed, and why (every step\'s status and reason):"'
    # Without Failed, "Rule" is the rule of the statuses given, and no step is watched.
    assert stopped.failed_step_rule is None
    assert stopped.status_rule is None
    rule = resource(template, logical_id(stopped.rule))["Properties"]
    assert rule["EventPattern"]["detail"] == {"currentPipelineExecutionStatus": ["Stopped"]}
    template.resource_count_is("AWS::Events::Rule", 3)  # Failures' Rule and StatusRule


def test_fails_notify_failed_steps_that_is_no_bool():
    stack = new_stack()
    with pytest.raises(PipelineDefinitionError, match="notify_failed_steps"):
        PipelineFailureNotifications(
            stack,
            "Failures",
            pipeline=_pipeline(stack),
            notify_failed_steps="yes",  # type: ignore[arg-type]
        )


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
    # Its steps are unknown: one rule of failed steps, whose message says what a Fail step is.
    stack = new_stack()
    imported = Pipeline.from_pipeline_arn(stack, "Imported", ARN)
    alerts = PipelineFailureNotifications(stack, "Failures", pipeline=imported)
    template = Template.from_stack(stack)
    rule = resource(template, logical_id(alerts.rule))["Properties"]
    assert rule["EventPattern"]["resources"] == [ARN]
    assert rule["Description"] == f"Executions of {NAME} that end Failed"
    assert alerts.fail_step_rule is None
    assert alerts.failed_step_rule is not None
    steps = resource(template, logical_id(alerts.failed_step_rule))["Properties"]
    assert steps["EventPattern"]["detail"] == {"currentStepStatus": ["Failed"]}
    _, lines = _message(template, alerts.failed_step_rule)
    # Its Fail steps' messages are unknown: one without (no failureReason) is explained.
    assert lines[4] == (
        '"A step of type Fail is the pipeline stopping the run on purpose (a quality gate): '
        'not an outage. One without ErrorMessage gives no reason: the Reason line is then empty."'
    )


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


def test_notifications_rule_belongs_to_the_notifications_not_the_pipeline():
    stack = new_stack()
    pipeline = _pipeline(stack)
    # The same id under two parents: each rule lives in its own notifications construct.
    first = PipelineFailureNotifications(Construct(stack, "TeamA"), "Alerts", pipeline=pipeline)
    second = PipelineFailureNotifications(Construct(stack, "TeamB"), "Alerts", pipeline=pipeline)
    assert first.rule.node.path == "Test/TeamA/Alerts/Rule"
    assert second.rule.node.path == "Test/TeamB/Alerts/Rule"
    assert pipeline.node.try_find_child("AlertsRule") is None


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"emails": "ml-oncall@example.com"},
            r"'emails': expected a list of strings, got str 'ml-oncall@example.com' "
            r"\(write \['ml-oncall@example.com'\]\)",
        ),
        ({"emails": ["ml-oncall"]}, r"'emails': expected email addresses, got 'ml-oncall'"),
        ({"emails": ("ml-oncall",)}, r"'emails': expected email addresses, got 'ml-oncall'"),
        ({"statuses": "Failed"}, r"'statuses': expected a list of strings, got str 'Failed'"),
        (
            {"statuses": ["Failure"]},
            r"'statuses': 'Failure' is not one of .* \(did you mean 'Failed'\?\)",
        ),
        # PutRule rejects an event pattern with an empty list.
        ({"statuses": []}, r"'statuses': expected at least one of Executing, .*, got an empty"),
        ({"pipeline": "churn"}, r"'pipeline': expected an IPipeline, got str 'churn'"),
        ({"topic": "alerts"}, r"'topic': expected an sns.ITopic, got str 'alerts'"),
        # Each address is a subscription whose id is the address: jsii failed on the second.
        (
            {"emails": ["ml-oncall@example.com", "ml-oncall@example.com"]},
            r"'emails': lists 'ml-oncall@example.com' more than once \(list each address once\)",
        ),
    ],
)
def test_fails_notifications_that_would_never_fire_or_reach_anyone(
    churn: SharedPipeline, props: dict[str, Any], message: str
):
    stack = churn.stack
    given: dict[str, Any] = {"pipeline": churn.pipeline, **props}
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^PipelineFailureNotifications Test/Failures has 1 problem:\n- prop ",
    ) as raised:
        PipelineFailureNotifications(stack, "Failures", **given)
    assert re.search(message, str(raised.value))


# -- NewDataTrigger: the bucket the runs read from --------------------------------------------


def _reading(stack: cdk.Stack, bucket: Any, *, as_uri: bool = False, **props: Any) -> Pipeline:
    """A pipeline reading s3://<bucket>/<InputDataKey> (or InputDataKey as a whole URI)."""
    default = "s3://data-bucket/curated/" if as_uri else "curated/"
    key = ParameterString(name="InputDataKey", default_value=default)
    bucket_parameter = ParameterString(name="InputBucket", default_value="data-bucket")
    source = bucket_parameter if bucket == "InputBucket" else bucket
    raw = key if as_uri else Join(on="", values=["s3://", source, "/", key])
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), inputs={"raw": raw})
    return Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[key, bucket_parameter], steps=[prep]),
        pipeline_name=NAME,
        **props,
    )


def _watch(
    stack: cdk.Stack, pipeline: Pipeline, bucket: s3.IBucket, id: str = "OnNewData", **props: Any
) -> None:
    NewDataTrigger(
        stack,
        id,
        pipeline=pipeline,
        bucket=bucket,
        prefix="incoming/",
        key_parameter="InputDataKey",
        **props,
    )


LOCATION = "step 'Prep' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri'"
WRONG_BUCKET_HINT = (
    "(trigger on the bucket the pipeline reads, or join a bucket parameter into the location "
    "and name it in bucket_parameter=)"
)


def test_fails_new_data_in_a_bucket_the_pipeline_does_not_read():
    # Every run would read the new object's key in the pipeline's own bucket.
    stack = new_stack()
    data = s3.Bucket(stack, "Data")
    pipeline = _reading(stack, data.bucket_name, parameter_locations={"InputDataKey": "*"})
    other = s3.Bucket.from_bucket_name(stack, "Other", "other-bucket")
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(stack, pipeline, other)
    assert str(raised.value) == (
        "NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'bucket': the trigger watches "
        f"bucket 'other-bucket', but {LOCATION} reads the object's key from bucket Test/Data: "
        f"runs would look for the new object in the wrong bucket {WRONG_BUCKET_HINT}"
    )
    with pytest.raises(PipelineDefinitionError, match=r"watches bucket Test/Landing, but "):
        _watch(stack, pipeline, s3.Bucket(stack, "Landing"), "OnLanding")


def test_fails_new_data_in_another_bucket_than_the_bucket_parameter_default():
    stack = new_stack()
    pipeline = _reading(stack, "InputBucket", parameter_locations={"InputDataKey": "*"})
    other = s3.Bucket.from_bucket_name(stack, "Other", "other-bucket")
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(stack, pipeline, other)
    assert (
        "reads the object's key from the bucket in parameter InputBucket (parameter InputBucket "
        "= 'data-bucket'): runs would look for the new object in the wrong bucket"
    ) in str(raised.value)
    # Given the bucket as a value, the runs read from it.
    stack = new_stack()
    pipeline = _reading(stack, "InputBucket")
    landing = s3.Bucket.from_bucket_name(stack, "Landing", "landing")
    _watch(stack, pipeline, landing, parameters={"InputBucket": "landing"})
    # So they do given the event's bucket (a JSON path, as bucket_parameter= would pass it).
    _watch(
        stack, pipeline, landing, "FromEvent", parameters={"InputBucket": "$.detail.bucket.name"}
    )


def test_new_data_in_the_bucket_the_pipeline_reads_passes():
    stack = new_stack()
    data = s3.Bucket(stack, "Data")
    _watch(stack, _reading(stack, data.bucket_name), data)
    named = new_stack()
    landing = s3.Bucket.from_bucket_name(named, "Landing", "landing")
    _watch(named, _reading(named, "landing"), landing)
    Annotations.from_stack(named).has_no_warning("*", Match.string_like_regexp("trigger watches"))


def test_new_data_in_an_app_bucket_given_a_name_is_compared_by_that_name():
    # A bucket of this app with a bucket_name is known at synth: it is that name.
    stack = new_stack()
    landing = s3.Bucket(stack, "Landing", bucket_name="landing")
    _watch(stack, _reading(stack, "landing"), landing)
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("trigger watches"))
    other = new_stack()
    pipeline = _reading(other, "data-bucket", parameter_locations={"InputDataKey": "*"})
    with pytest.raises(
        PipelineDefinitionError,
        match=r"watches bucket 'landing', but .* reads the object's key from bucket 'data-bucket'",
    ):
        _watch(other, pipeline, s3.Bucket(other, "Landing", bucket_name="landing"))


def test_new_data_passes_the_key_to_a_parameter_without_a_default():
    # It gets its value from every event: no "has no default value" problem.
    stack = new_stack()
    key = ParameterString(name="InputDataKey")
    raw = Join(on="", values=["s3://", "data-bucket", "/", key])
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), inputs={"raw": raw})
    definition = PipelineDefinition(parameters=[key], steps=[prep])
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    _watch(stack, pipeline, s3.Bucket.from_bucket_name(stack, "Data", "data-bucket"))


def test_fails_passing_the_key_to_a_parameter_used_as_a_whole_uri():
    stack = new_stack()
    pipeline = _reading(stack, None, as_uri=True)
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(stack, pipeline, s3.Bucket(stack, "Data"))
    assert str(raised.value) == (
        "NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'key_parameter': 'InputDataKey' "
        "gets the new object's key (e.g. 'incoming/data.csv'), but step 'Prep' field "
        "'Arguments.ProcessingInputs[0].S3Input.S3Uri' uses it as a whole S3 URI (join the key "
        "into a URI: Join(on='', values=['s3://', bucket, '/', key]))"
    )


def test_fails_passing_the_key_to_a_parameter_used_as_the_bucket():
    stack = new_stack()
    key = ParameterString(name="InputDataKey", default_value="data-bucket")
    raw = Join(on="", values=["s3://", key, "/incoming/data.csv"])
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), inputs={"raw": raw})
    definition = PipelineDefinition(parameters=[key], steps=[prep])
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(stack, pipeline, s3.Bucket(stack, "Data"))
    assert str(raised.value) == (
        "NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'key_parameter': 'InputDataKey' "
        f"gets the new object's key (e.g. 'incoming/data.csv'), but {LOCATION} uses it as the "
        "bucket after 's3://' (join the key into a URI: Join(on='', values=['s3://', bucket, "
        "'/', key]))"
    )


def test_fails_a_bucket_parameter_the_location_does_not_use():
    stack = new_stack()
    pipeline = _reading(stack, "data-bucket")
    landing = s3.Bucket.from_bucket_name(stack, "Landing", "data-bucket")
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(stack, pipeline, landing, bucket_parameter="InputBucket")
    assert str(raised.value) == (
        "NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'bucket_parameter': 'InputBucket' "
        f"gets the bucket's name, but {LOCATION} reads the key from bucket 'data-bucket', not "
        "from InputBucket: the name passed is ignored there (join InputBucket into that "
        "location as its bucket)"
    )


def test_a_bucket_parameter_whose_locations_may_include_an_app_bucket_passes():
    # A wildcard location and a bucket named at deploy: it can't be told, so no problem.
    stack = new_stack()
    locations = {"InputBucket": ["data-bucket", "raw-*"], "InputDataKey": "*"}
    pipeline = _reading(stack, "InputBucket", parameter_locations=locations)
    _watch(stack, pipeline, s3.Bucket(stack, "Landing"), bucket_parameter="InputBucket")


def test_new_data_for_an_imported_pipeline_is_not_checked():
    stack = new_stack()
    pipeline = Pipeline.from_pipeline_name(stack, "Imported", NAME)
    trigger = NewDataTrigger(
        stack,
        "OnNewData",
        pipeline=pipeline,
        bucket=s3.Bucket(stack, "Data"),
        prefix="incoming/",
        key_parameter="AnyName",
    )
    (target,) = resource(Template.from_stack(stack), logical_id(trigger.rule))["Properties"][
        "Targets"
    ]
    assert target["SageMakerPipelineParameters"] == {
        "PipelineParameterList": [{"Name": "AnyName", "Value": "$.detail.object.key"}]
    }


def test_fails_a_bucket_parameter_whose_locations_leave_out_the_bucket():
    stack = new_stack()
    pipeline = _reading(
        stack,
        "InputBucket",
        parameter_locations={"InputBucket": ["data-bucket", "raw-*"], "InputDataKey": "*"},
    )
    with pytest.raises(PipelineDefinitionError) as raised:
        _watch(
            stack,
            pipeline,
            s3.Bucket.from_bucket_name(stack, "Landing", "landing"),
            bucket_parameter="InputBucket",
        )
    assert str(raised.value) == (
        "NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'bucket': the trigger passes "
        "bucket 'landing' to 'InputBucket', whose parameter_locations (data-bucket, raw-*) don't "
        "include it: the step role may not read it, so the runs would fail (add the bucket's "
        "name to the Pipeline's parameter_locations for 'InputBucket')"
    )
    _watch(
        stack,
        pipeline,
        s3.Bucket.from_bucket_name(stack, "Raw", "raw-eu"),
        "OnRaw",
        bucket_parameter="InputBucket",
    )


def test_new_data_in_an_app_bucket_the_definition_names_by_its_deployed_name_is_a_warning():
    # A definition JSON may hold the name CloudFormation gave the bucket on a first deploy.
    stack = new_stack()
    data = s3.Bucket(stack, "Data")
    deployed = f"{stack.stack_name.lower()}-data1234abcd-a1b2c3d4e5f6"
    pipeline = _reading(stack, deployed, parameter_locations={"InputDataKey": "*"})
    _watch(stack, pipeline, data)
    Annotations.from_stack(stack).has_warning(
        "/Test/OnNewData",
        Match.string_like_regexp(r"can't be told at synth whether they are the same bucket"),
    )


def test_new_data_in_an_app_bucket_named_by_a_cut_stack_name_is_a_warning():
    # CloudFormation cuts a long stack name to fit the 63 characters of a bucket name.
    stack = cdk.Stack(new_app(), "ChineseboostAnalyticsStack")
    logs = s3.Bucket(stack, "RainlyticsLogsBucket")
    deployed = "chineseboostanalyticsstac-rainlyticslogsbucket8df4-hdst4ohfvdif"
    pipeline = _reading(stack, deployed, parameter_locations={"InputDataKey": "*"})
    _watch(stack, pipeline, logs)
    Annotations.from_stack(stack).has_warning(
        "/ChineseboostAnalyticsStack/OnNewData",
        Match.string_like_regexp(r"can't be told at synth whether they are the same bucket"),
    )
    # Another stack's name is no deployed name of this bucket.
    other = cdk.Stack(new_app(), "ChineseboostAnalyticsStack")
    pipeline = _reading(other, "otherstack-logs-hdst4ohfvdif")
    with pytest.raises(PipelineDefinitionError, match="in the wrong bucket"):
        _watch(other, pipeline, s3.Bucket(other, "RainlyticsLogsBucket"))
    # A stack name of 25 characters or fewer is kept whole, followed by '-': a name that
    # goes on with another letter is another stack's bucket.
    whole = cdk.Stack(new_app(), "ChineseboostAnalyticsStac")
    pipeline = _reading(whole, "chineseboostanalyticsstack-logs-hdst4ohfvdif")
    with pytest.raises(PipelineDefinitionError, match="in the wrong bucket"):
        _watch(whole, pipeline, s3.Bucket(whole, "RainlyticsLogsBucket"))


def test_new_data_in_a_bucket_named_at_deploy_time_is_a_warning():
    # Maybe the same bucket, maybe not: only known at deploy time.
    stack = new_stack()
    name = cdk.CfnParameter(stack, "DataBucketName").value_as_string
    pipeline = _reading(stack, name, parameter_locations={"InputDataKey": "*"})
    _watch(stack, pipeline, s3.Bucket.from_bucket_name(stack, "Other", "other-bucket"))
    # The bucket of that very name is the same bucket, whatever the name turns out to be.
    _watch(stack, pipeline, s3.Bucket.from_bucket_name(stack, "Same", name), "OnSameData")
    annotations = Annotations.from_stack(stack)
    annotations.has_no_warning("/Test/OnSameData", Match.string_like_regexp(r"trigger watches"))
    annotations.has_warning(
        "/Test/OnNewData",
        Match.string_like_regexp(
            r"^The trigger watches bucket 'other-bucket', but step 'Prep' field .* reads from a "
            r"bucket named at deploy time, and it can't be told at synth whether they are the "
            r"same bucket: .*\[ack: cdk-sagemaker-pipelines:trigger-bucket\]$"
        ),
    )


# -- props jsii or CDK used to refuse without naming them ---------------------------------------


def test_fails_a_target_with_a_dead_letter_queue_that_is_no_queue(churn: SharedPipeline):
    # Used to fail once bound, in jsii: "'Topic' object has no attribute 'queue_arn'".
    topic = sns.Topic(churn.stack, "Alerts")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^SageMakerPipelineTarget has 1 problem:\n- prop 'dead_letter_queue': expected an "
        r"sqs.IQueue, got Topic Test/Alerts",
    ):
        SageMakerPipelineTarget(churn.pipeline, dead_letter_queue=topic)  # type: ignore[arg-type]


def test_fails_queues_and_topics_of_another_app_naming_the_prop(churn: SharedPipeline):
    # CDK used to fail at synth: "Cannot reference across apps", naming neither.
    other = new_stack()
    queue = sqs.Queue(other, "DeadLetters")
    topic = sns.Topic(other, "Alerts")
    stack = churn.stack
    other_app = r"belongs to another CDK app: a template can only refer to the resources of its"
    with pytest.raises(
        PipelineDefinitionError, match=rf"'dead_letter_queue': Queue Test/Dead\w+ {other_app}"
    ):
        PipelineSchedule(
            stack,
            "Nightly",
            pipeline=churn.pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            dead_letter_queue=queue,
        )
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^NewDataTrigger Test/OnNewData has 1 problem:\n- prop 'dead_letter_queue'",
    ):
        NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=churn.pipeline,
            bucket=s3.Bucket.from_bucket_name(stack, "Landing", "data-bucket"),
            prefix="incoming/",
            key_parameter="InputDataKey",
            dead_letter_queue=queue,
        )
    with pytest.raises(PipelineDefinitionError, match=rf"'topic': Topic Test/Alerts {other_app}"):
        PipelineFailureNotifications(stack, "Failures", pipeline=churn.pipeline, topic=topic)
    target = SageMakerPipelineTarget(churn.pipeline, dead_letter_queue=queue)
    rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    with pytest.raises(PipelineDefinitionError, match=rf"'dead_letter_queue': .* {other_app}"):
        target.bind(rule, "Target0")


def _dead_letter_users(stack: cdk.Stack, pipeline: Any, queue: Any) -> dict[str, Any]:
    """Each construct taking ``dead_letter_queue``, as a call that builds it with ``queue``."""

    def target() -> None:
        rule = events.Rule(stack, "Rule", schedule=events.Schedule.rate(cdk.Duration.days(1)))
        SageMakerPipelineTarget(pipeline, dead_letter_queue=queue).bind(rule, "Target0")

    return {
        "PipelineSchedule Test/Nightly": lambda: PipelineSchedule(
            stack,
            "Nightly",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            dead_letter_queue=queue,
        ),
        "NewDataTrigger Test/OnNewData": lambda: NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=pipeline,
            bucket=s3.Bucket.from_bucket_name(stack, "Landing", "data-bucket"),
            prefix="incoming/",
            key_parameter="InputDataKey",
            dead_letter_queue=queue,
        ),
        "SageMakerPipelineTarget of rule Test/Rule": target,
    }


@pytest.mark.parametrize("imported", [True, False])
def test_fails_a_dead_letter_queue_of_another_region(imported: bool):
    # EventBridge and EventBridge Scheduler send dead letters only to a queue of their own
    # region (aws-cdk-lib's own targets refuse others); the queue was accepted, and a queue
    # of this app failed synth with "Cannot use resource … in a cross-environment fashion".
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    other = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    queue = (
        sqs.Queue.from_queue_arn(other, "DeadLetters", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:dlq")
        if imported
        else sqs.Queue(other, "DeadLetters")
    )
    for subject, build in _dead_letter_users(stack, _pipeline(stack), queue).items():
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        service = "EventBridge Scheduler" if "Schedule " in subject else "EventBridge"
        assert str(raised.value) == (
            f"{subject} has 1 problem:\n- prop 'dead_letter_queue': "
            f"{'imported Queue' if imported else 'Queue'} Other/DeadLetters is in region "
            "eu-west-1, "
            f"this stack in us-east-1: {service} sends undeliverable events only to a queue "
            "of its own region (use a queue of us-east-1)"
        )


def test_fails_a_dead_letter_queue_or_watched_bucket_of_another_stage():
    # Each stage is an assembly of its own: CDK failed the synth with
    # NoCrossStageDependency, naming stacks but neither the construct nor the prop.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    stack = cdk.Stack(cdk.Stage(app, "Dev", env=env), "Test")
    other = cdk.Stack(cdk.Stage(app, "Shared", env=env), "Other")
    queue = sqs.Queue(other, "DeadLetters", enforce_ssl=True)
    pipeline = _pipeline(stack)
    for subject, build in _dead_letter_users(stack, pipeline, queue).items():
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        sender = "schedule" if "Schedule " in subject else "rule"
        assert (
            "- prop 'dead_letter_queue': Queue Shared/Other/DeadLetters is in stage Shared, "
            f"the {sender} in stage Dev: a stack can refer to resources of its own stage only"
        ) in str(raised.value), subject
    with pytest.raises(PipelineDefinitionError) as raised:
        NewDataTrigger(
            stack,
            "OnData",
            pipeline=pipeline,
            bucket=s3.Bucket(other, "Landing", bucket_name="data-bucket"),
            prefix="incoming/",
            key_parameter="InputDataKey",
        )
    assert "- prop 'bucket': Bucket Shared/Other/Landing is in stage Shared, the trigger in " in (
        str(raised.value)
    )
    # Imported by name in the other stage, the bucket refers to nothing there: taken.
    imported = s3.Bucket.from_bucket_name(other, "Imported", "data-bucket")
    assert NewDataTrigger(
        stack,
        "OnImported",
        pipeline=pipeline,
        bucket=imported,
        prefix="incoming/",
        key_parameter="InputDataKey",
    )


def test_fails_a_notification_or_alarm_topic_of_another_stage():
    from cdk_sagemaker_pipelines.cdk import PipelineMonitoring

    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    stack = cdk.Stack(cdk.Stage(app, "Dev", env=env), "Test")
    topic = sns.Topic(cdk.Stack(cdk.Stage(app, "Shared", env=env), "Other"), "Alerts")
    pipeline = _pipeline(stack)
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineFailureNotifications(stack, "Failures", pipeline=pipeline, topic=topic)
    assert "- prop 'topic': Topic Shared/Other/Alerts is in stage Shared, the notifications " in (
        str(raised.value)
    )
    with pytest.raises(PipelineDefinitionError) as raised:
        PipelineMonitoring(stack, "Monitoring", pipeline=pipeline, alarm_topic=topic)
    assert (
        "- prop 'alarm_topic': Topic Shared/Other/Alerts is in stage Shared, the monitoring "
        in (str(raised.value))
    )


def test_fails_a_watched_bucket_of_another_app(churn: SharedPipeline):
    with pytest.raises(PipelineDefinitionError) as raised:
        NewDataTrigger(
            churn.stack,
            "OnData",
            pipeline=churn.pipeline,
            bucket=s3.Bucket(new_stack(), "Landing", bucket_name="data-bucket"),
            prefix="incoming/",
            key_parameter="InputDataKey",
        )
    assert "- prop 'bucket': Bucket Test/Landing belongs to another CDK app" in str(raised.value)


def test_fails_a_dead_letter_queue_of_this_app_in_another_account():
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    other = cdk.Stack(app, "Other", env=cdk.Environment(account="444455556666", region="us-east-1"))
    queue = sqs.Queue(other, "DeadLetters")
    for subject, build in _dead_letter_users(stack, _pipeline(stack), queue).items():
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        sender = "the schedule's role" if "Schedule " in subject else "events.amazonaws.com"
        assert str(raised.value).endswith(
            "- prop 'dead_letter_queue': Queue Other/DeadLetters is a queue of this app in "
            f"account 444455556666, this stack in {ACCOUNT}: its policy would have to name this "
            f"stack's {'role' if 'Schedule ' in subject else 'rule'}, which a template of "
            "another environment can't refer to (import it here by ARN "
            "(sqs.Queue.from_queue_arn(self, 'DeadLetters', arn)) and allow "
            f"{sender} sqs:SendMessage in its policy there)"
        ), subject


def test_fails_a_fifo_dead_letter_queue(churn: SharedPipeline):
    # Neither EventBridge Scheduler nor EventBridge takes a FIFO dead-letter queue (their
    # user guides; a rule's PutTargets fails with "SQS FIFO is not supported by Dead Letter
    # Queues"): a rule target's FIFO queue used to pass synth and fail the deploy.
    stack = churn.stack
    queue = sqs.Queue(stack, "DeadLetters", fifo=True)
    for subject, build in _dead_letter_users(stack, churn.pipeline, queue).items():
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        service = "EventBridge Scheduler" if "Schedule " in subject else "EventBridge"
        assert str(raised.value) == (
            f"{subject} has 1 problem:\n- prop 'dead_letter_queue': Queue "
            f"Test/DeadLetters is a FIFO queue, which {service} doesn't support as a "
            "dead-letter queue (use a standard queue)"
        )


QUEUE_POLICY_WARNING = "cdk-sagemaker-pipelines:dead-letter-queue-policy"


@pytest.mark.parametrize("account", [ACCOUNT, "444455556666"])
def test_an_imported_dead_letter_queue_whose_policy_would_need_a_statement_is_warned(account: str):
    # EventBridge may send to a rule's dead-letter queue only if the queue's policy allows
    # it; an imported queue's policy isn't this app's to write. A schedule's role sends with
    # its own permissions, which a queue of another account must also admit.
    stack = new_stack()
    queue = sqs.Queue.from_queue_arn(stack, "DeadLetters", f"arn:aws:sqs:us-east-1:{account}:dlq")
    for build in _dead_letter_users(stack, _pipeline(stack), queue).values():
        build()
    # One synthesis for both reads (Annotations.from_stack synthesizes anew each call).
    annotations = Annotations.from_stack(stack)
    warned = {
        entry.id
        for entry in annotations.find_warning("*", Match.string_like_regexp(QUEUE_POLICY_WARNING))
    }
    assert warned == (
        {"/Test/Rule", "/Test/OnNewData/Rule"}
        | ({"/Test/Nightly"} if account != ACCOUNT else set())
    )
    (message,) = _warnings(annotations, QUEUE_POLICY_WARNING)[:1]
    assert "The dead-letter queue Test/DeadLetters was not created in this app" in message


def _warnings(of: cdk.Stack | Annotations, warning: str) -> list[str]:
    """The messages of the warnings matching ``warning``, of a stack (synthesized anew) or
    of its annotations."""
    annotations = Annotations.from_stack(of) if isinstance(of, cdk.Stack) else of
    found = annotations.find_warning("*", Match.string_like_regexp(warning))
    return [str(entry.entry.data) for entry in found]


def test_notifications_of_a_pipeline_in_another_region_are_warned(churn: SharedPipeline):
    # SageMaker's events stay in the pipeline's account and region unless that bus forwards
    # them here (a documented pattern): a warning, not an error.
    stack = churn.stack
    imported = Pipeline.from_pipeline_arn(
        stack, "Imported", f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:pipeline/churn"
    )
    try:
        PipelineFailureNotifications(stack, "Failures", pipeline=imported)
        assert _warnings(stack, "rule-of-another-environment") == [
            "prop 'pipeline': imported Pipeline Test/Imported is in region eu-west-1, this stack "
            "in us-east-1: SageMaker sends its execution events to EventBridge in the "
            "pipeline's own account and region: this stack's rule sees them only if they are "
            "forwarded to this account and region's default event bus (create the "
            "notifications in a stack of the pipeline's account and region, or forward them, "
            "then acknowledge this warning) [ack: cdk-sagemaker-pipelines:"
            "rule-of-another-environment]"
        ]
    finally:
        stack.node.try_remove_child("Failures")
        stack.node.try_remove_child("Imported")


def test_new_data_in_an_imported_bucket_of_another_account_is_warned(churn: SharedPipeline):
    stack = churn.stack
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Landing", bucket_name="data-bucket", account="222233334444"
    )
    try:
        NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=churn.pipeline,
            bucket=bucket,
            prefix="incoming/*.csv",
            key_parameter="InputDataKey",
        )
        annotations = Annotations.from_stack(stack)  # one synthesis for both reads
        [environment] = _warnings(annotations, "rule-of-another-environment")
        assert environment.startswith(
            "prop 'bucket': imported Bucket Test/Landing is in account 222233334444, this stack "
            f"in {ACCOUNT}: S3 sends its events to EventBridge in the bucket's own account and "
            "region: this stack's rule sees them only if they are forwarded"
        )
        # EventBridge matches a prefix letter for letter: most likely a glob, never matched.
        assert _warnings(annotations, "trigger-prefix-wildcard") == [
            "prop 'prefix': 'incoming/*.csv' holds '*', which the rule matches literally, not "
            "as a wildcard (give the literal beginning of the keys, e.g. 'incoming/'; if the "
            "keys do hold it, acknowledge this warning) [ack: cdk-sagemaker-pipelines:"
            "trigger-prefix-wildcard]"
        ]
    finally:
        stack.node.try_remove_child("OnNewData")
        stack.node.try_remove_child("Landing")


def test_new_data_under_a_prefix_holding_a_question_mark_is_warned(churn: SharedPipeline):
    # '?' is no more a wildcard to EventBridge's prefix matching than '*' is.
    stack = churn.stack
    try:
        NewDataTrigger(
            stack,
            "OnNewData",
            pipeline=churn.pipeline,
            bucket=s3.Bucket.from_bucket_name(stack, "Landing", "data-bucket"),
            prefix="incoming/day-??/",
            key_parameter="InputDataKey",
        )
        assert _warnings(stack, "trigger-prefix-wildcard") == [
            "prop 'prefix': 'incoming/day-??/' holds '?', which the rule matches literally, not "
            "as a wildcard (give the literal beginning of the keys, e.g. 'incoming/day-'; if "
            "the keys do hold it, acknowledge this warning) [ack: cdk-sagemaker-pipelines:"
            "trigger-prefix-wildcard]"
        ]
    finally:
        stack.node.try_remove_child("OnNewData")
        stack.node.try_remove_child("Landing")


# -- scheduled-cache-hit -------------------------------------------------------------------

CACHE_HIT = "cdk-sagemaker-pipelines:scheduled-cache-hit"


def _cached_definition() -> PipelineDefinition:
    """Prep, cached, reads a parameter's prefix; Fit, cached, reads Prep's output."""
    key = ParameterString(name="InputDataKey", default_value="incoming/")
    cache = CacheConfig(expire_after="P30D")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
        cache_config=cache,
    )
    fit = ProcessingStep(
        name="Fit",
        image=Image.sklearn("1.2-1"),
        inputs={"train": prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri},
        cache_config=cache,
    )
    return PipelineDefinition(parameters=[key], steps=[prep, fit])


def _varying_definition() -> PipelineDefinition:
    """Cached steps whose key changes per run, and an uncached one reading a parameter."""
    key = ParameterString(name="InputDataKey", default_value="curated/")
    cache = CacheConfig(expire_after="P30D")
    uncached = ProcessingStep(
        name="Uncached",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
    )
    dated = ProcessingStep(
        name="Dated",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="/", values=["s3://data-bucket", key])},
        environment={"RUN_STARTED": ExecutionVariables.START_DATETIME},
        cache_config=cache,
    )
    fed = ProcessingStep(
        name="Fed",
        image=Image.sklearn("1.2-1"),
        inputs={
            "train": uncached.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri
        },
        cache_config=cache,
    )
    return PipelineDefinition(parameters=[key], steps=[uncached, dated, fed])


def _fixed_definition() -> PipelineDefinition:
    """For a new-data trigger: cached steps reading fixed prefixes, and the new object."""
    key = ParameterString(name="InputDataKey", default_value="incoming/")
    bucket = ParameterString(name="InputBucket", default_value="data-bucket")
    cache = CacheConfig(expire_after="P30D")
    train = ProcessingOutput(output_name="train", source="/opt/ml/processing/train")

    def step(name: str, cached: bool, **inputs: Any) -> ProcessingStep:
        return ProcessingStep(
            name=name,
            image=Image.sklearn("1.2-1"),
            inputs=inputs,
            outputs=[train],
            cache_config=cache if cached else None,
        )

    def output(of: ProcessingStep) -> Any:
        return of.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri

    prep = step("Prep", True, raw="s3://data-bucket/reference/")  # the same every run
    fit = step("Fit", True, train=output(prep))  # fed only by Prep: hit with it
    lookup = step("Lookup", False, raw="s3://data-bucket/lookup/")  # uncached: runs each time
    # The reference app's shape: the new object's location, a new cache key per object.
    new = step("New", True, raw=Join(on="", values=["s3://", bucket, "/", key]))
    score = step("Score", True, new=output(new), reference=output(prep))
    return PipelineDefinition(parameters=[key, bucket], steps=[prep, fit, lookup, new, score])


def _bucket_parameter_definition() -> PipelineDefinition:
    """For a new-data trigger: a cached step reading a fixed prefix of the bucket parameter."""
    key = ParameterString(name="InputDataKey", default_value="incoming/")
    bucket = ParameterString(name="InputBucket", default_value="data-bucket")
    cache = CacheConfig(expire_after="P30D")
    # The watched bucket every run: the same location, however often new objects arrive.
    curated = ProcessingStep(
        name="Curated",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", bucket, "/curated/"])},
        cache_config=cache,
    )
    new = ProcessingStep(
        name="New",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", bucket, "/", key])},
        cache_config=cache,
    )
    return PipelineDefinition(parameters=[key, bucket], steps=[curated, new])


@pytest.fixture(scope="module")
def cache_hits() -> dict[str, Any]:
    stack = new_stack()
    cached = Pipeline(stack, "Cached", definition=_cached_definition(), pipeline_name="cached")
    varying = Pipeline(stack, "Varying", definition=_varying_definition(), pipeline_name="vary")
    fixed = Pipeline(stack, "Fixed", definition=_fixed_definition(), pipeline_name="fixed")
    by_bucket = Pipeline(stack, "ByBucket", definition=_bucket_parameter_definition())
    data = s3.Bucket.from_bucket_name(stack, "Data", "data-bucket")
    owned = s3.Bucket(stack, "Owned")  # named by CloudFormation: a token at synth

    def trigger(
        name: str,
        pipeline: Pipeline,
        bucket_parameter: str | None = None,
        bucket: s3.IBucket = data,
    ) -> None:
        NewDataTrigger(
            stack,
            name,
            pipeline=pipeline,
            bucket=bucket,
            prefix="incoming/",
            key_parameter="InputDataKey",
            bucket_parameter=bucket_parameter,
        )

    trigger("OnFixed", fixed, bucket_parameter="InputBucket")
    trigger("OnCurated", by_bucket, bucket_parameter="InputBucket")
    trigger("OnOwned", by_bucket, bucket_parameter="InputBucket", bucket=owned)
    trigger("OnCached", cached)  # Prep's key holds InputDataKey, and Fit is fed by it
    trigger("OnVarying", varying)

    def schedule(name: str, pipeline: Pipeline, expression: str) -> None:
        PipelineSchedule(
            stack,
            name,
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.expression(expression),
            parameters={"InputDataKey": "curated/"},
        )

    schedule("Daily", cached, "rate(1 day)")
    schedule("Nightly", cached, "cron(0 6 * * ? *)")
    schedule("Once", cached, "at(2030-01-01T06:00:00)")
    schedule("Bimonthly", cached, "rate(60 days)")  # the cached runs have expired by then
    # Each run comes as the last one's results expire: the earlier step started (and ended)
    # after its execution did, so the next run's step may still find it within 30 days.
    schedule("Monthly", cached, "rate(30 days)")
    schedule("Acknowledged", cached, "rate(1 day)")
    cdk.Annotations.of(stack.node.find_child("Acknowledged")).acknowledge_warning(
        CACHE_HIT, "the data under curated/ never changes"
    )
    schedule("VaryingDaily", varying, "rate(1 day)")
    return {"annotations": Annotations.from_stack(stack)}


def _cache_hit_warnings(cache_hits: dict[str, Any], name: str) -> list[str]:
    found = cache_hits["annotations"].find_warning(
        f"/Test/{name}", Match.string_like_regexp("holds only literals and parameters")
    )
    return [entry.entry.data for entry in found]


@pytest.mark.parametrize("name", ["Daily", "Nightly", "Monthly"])
def test_a_recurring_schedule_of_a_cached_parameter_only_step_is_warned(cache_hits, name):
    [message] = _cache_hit_warnings(cache_hits, name)
    assert message.startswith(f"Schedule Test/{name} (")
    assert "pipeline Test/Cached" in message
    # The step, its expiry and what it reads, with the schedule's value for the parameter.
    assert "step(s) 'Prep' (ExpireAfter P30D; reads s3://data-bucket/curated/)" in message
    assert "(and so those of Fit, fed only by cached steps)" in message
    assert "Remove the step's cache_config" in message
    assert f"[ack: {CACHE_HIT}]" in message


@pytest.mark.parametrize(
    "name",
    [
        "Once",  # at(): a single run
        "Bimonthly",  # each run comes after the last one's results expired
        "Acknowledged",
        "VaryingDaily",  # an execution variable, another step's property, an uncached step
    ],
)
def test_no_scheduled_cache_hit_warning(cache_hits, name):
    assert _cache_hit_warnings(cache_hits, name) == []


def test_a_new_data_trigger_of_a_cached_step_reading_a_fixed_prefix_is_warned(cache_hits):
    # New data arrived, and the step that doesn't read it was a hit on every run: only the
    # key (and bucket) the event passes change per run.
    [message] = _cache_hit_warnings(cache_hits, "OnFixed")
    assert message.startswith(
        "Trigger Test/OnFixed (new objects under incoming/) starts pipeline Test/Fixed with "
        "the new object's key in InputDataKey and its bucket in InputBucket, the same values "
        "for the other parameters, and the cache key of step(s) 'Prep' (ExpireAfter P30D; "
        "reads s3://data-bucket/reference/) holds only literals and parameters other than "
        "InputDataKey: each run within that time reuses the step's results "
        "(and so those of Fit, fed only by cached steps), even when the data at those "
        "locations changed."
    )
    # Not Lookup (uncached), New (keyed on the new object) nor Score (fed by New).
    assert re.findall(r"'(\w+)'", message) == ["Prep"]
    assert "or join InputDataKey into the location the step reads." in message
    assert f"[ack: {CACHE_HIT}]" in message


@pytest.mark.parametrize(
    ("name", "location"),
    [
        ("OnCurated", "s3://data-bucket/curated/"),  # the imported bucket's name
        ("OnOwned", "s3://<Test/Owned>/curated/"),  # named at deploy time: its path
    ],
)
def test_a_new_data_trigger_of_a_cached_step_reading_a_fixed_prefix_of_its_bucket_is_warned(
    cache_hits, name, location
):
    # The bucket parameter was taken to change per run, but the rule watches one bucket:
    # Join(["s3://", InputBucket, "/curated/"]) is the same location, and cache key, each run.
    [message] = _cache_hit_warnings(cache_hits, name)
    assert f"step(s) 'Curated' (ExpireAfter P30D; reads {location}) holds only" in message
    assert "parameters other than InputDataKey:" in message
    assert re.findall(r"'(\w+)'", message) == ["Curated"]  # not New, keyed on the new object


@pytest.mark.parametrize("name", ["OnCached", "OnVarying"])
def test_no_cache_hit_warning_for_a_trigger_whose_cached_steps_read_the_new_object(
    cache_hits, name
):
    # OnCached: Prep's key joins InputDataKey, Fit is fed by it. OnVarying: an uncached
    # step, an execution variable, a step fed by the uncached one.
    assert _cache_hit_warnings(cache_hits, name) == []


def test_a_scheduled_cache_hit_names_an_expiry_known_at_deploy_time_as_such():
    # A token ExpireAfter (a context value, an import) went into the message as it is: a
    # "${Token[…]}" placeholder, which synth resolves into the warning's text.
    stack = new_stack()
    key = ParameterString(name="InputDataKey", default_value="incoming/")
    expiry = cdk.Fn.import_value("CacheExpiry")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
        cache_config=CacheConfig(expire_after=expiry),
    )
    pipeline = Pipeline(
        stack, "Cached", definition=PipelineDefinition(parameters=[key], steps=[prep])
    )
    PipelineSchedule(
        stack,
        "Daily",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression("rate(1 day)"),
    )
    found = Annotations.from_stack(stack).find_warning("/Test/Daily", Match.any_value())
    [message] = [entry.entry.data for entry in found if CACHE_HIT in str(entry.entry.data)]
    assert isinstance(message, str)
    assert "'Prep' (ExpireAfter known at deploy time; reads s3://data-bucket/incoming/)" in message


@pytest.mark.parametrize(
    ("expression", "expire_after", "warned"),
    [
        ("cron(0 6 * * ? *)", "PT1H", False),  # once a day: the hour-long cache has expired
        ("cron(0 6 * * ? *)", "PT23H", True),  # 23 hours apart across a daylight-saving change
        ("cron(15 * * * ? *)", "PT30M", False),  # hourly
        ("cron(0/10 * * * ? *)", "PT30M", True),  # every 10 minutes
    ],
)
def test_a_cron_schedule_is_warned_only_when_its_runs_may_come_within_the_expiry(
    expression, expire_after, warned
):
    # Every cron() was taken to run at any spacing: a daily one was warned of a cache
    # that had expired hours before its next run.
    stack = new_stack()
    key = ParameterString(name="InputDataKey", default_value="incoming/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
        cache_config=CacheConfig(expire_after=expire_after),
    )
    pipeline = Pipeline(
        stack, "Cached", definition=PipelineDefinition(parameters=[key], steps=[prep])
    )
    PipelineSchedule(
        stack,
        "Cron",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression(expression),
    )
    found = Annotations.from_stack(stack).find_warning("/Test/Cron", Match.any_value())
    assert any(CACHE_HIT in str(entry.entry.data) for entry in found) is warned


FREQUENT = "cdk-sagemaker-pipelines:frequent-schedule"


@pytest.mark.parametrize(
    ("expression", "minutes"),
    [
        ("rate(1 minute)", 1),
        ("rate(4 minutes)", 4),
        ("rate(5 minutes)", 5),
        ("cron(* * * * ? *)", 1),
        ("cron(0/2 8-18 ? * MON-FRI *)", 2),
        ("cron(*/10 * * * ? *)", 10),
        ("cron(0,30 * * * ? *)", 30),
        ("cron(55,1 * * * ? *)", 6),  # 55 then 1 of the next hour
        ("cron(10-12 6 * * ? *)", 1),
    ],
)
def test_shortest_spacing_reads_rates_and_cron_minutes(expression: str, minutes: int):
    assert shortest_spacing(expression) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "expression", ["cron(0 6 * * ? *)", "cron(15 * * * ? *)", "at(2030-01-01T00:00:00)", "x"]
)
def test_shortest_spacing_of_a_minute_an_hour_or_a_single_run_is_unknown(expression: str):
    assert shortest_spacing(expression) is None


@pytest.mark.parametrize(
    ("expression", "warned"),
    [
        ("rate(1 minute)", "every 1 minute:"),
        ("cron(0/2 * * * ? *)", "every 2 minutes:"),
        ("rate(5 minutes)", None),
        ("cron(0 2 * * ? *)", None),
    ],
)
def test_a_schedule_running_more_often_than_every_five_minutes_is_warned(
    expression: str, warned: str | None
):
    # Every minute compiled silently: executions pile up faster than any finishes.
    stack = new_stack()
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"))
    pipeline = Pipeline(stack, "Scored", definition=PipelineDefinition(steps=[prep]))
    PipelineSchedule(
        stack,
        "Often",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression(expression),
    )
    found = [
        str(entry.entry.data)
        for entry in Annotations.from_stack(stack).find_warning("/Test/Often", Match.any_value())
        if FREQUENT in str(entry.entry.data)
    ]
    if warned is None:
        assert found == []
    else:
        [message] = found
        assert message.startswith(f"Schedule Test/Often ({expression}) starts pipeline Test/Scored")
        assert warned in message
