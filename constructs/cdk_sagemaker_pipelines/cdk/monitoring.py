"""``PipelineMonitoring``: alarms on failed executions and dead letters, a small dashboard."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aws_cdk import ArnFormat, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs import Construct

from ..definition import Problem
from ._acknowledge import HIPAA, NIST, acknowledge_in_packs
from ._failure_pages import note_failure_alarm
from ._props import (
    ArgumentProblem,
    PropProblem,
    check_keywords,
    check_new_child,
    describe,
    environment_problem,
    expect_bool,
    expect_interface,
    expect_same_app,
    is_unresolved,
    other_stage_problem,
    raise_for,
)
from ._topics import (
    PublishWarnings,
    arn_in_topic_stack,
    in_another_stack,
    let_service_publish,
    topic_argument_problem,
    unique_name,
)
from ._tree import path_of, placed, root_of, stack_of
from ._warning_traces import record_warnings_without_traces
from .pipeline import WARNING_PREFIX, PipelineBase

CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
MINUTE = 60
# PutMetricAlarm: Period x EvaluationPeriods (1 here) is at most 7 days.
MAX_ALARM_PERIOD = 7 * 24 * 60 * 60
# PutMetricAlarm's AlarmName.
MAX_ALARM_NAME = 255
ALARM_NAME_SUFFIX = "-executions-failed"
DEAD_LETTERS_NAME_SUFFIX = "-dead-letters"
NO_SUCCESS_NAME_SUFFIX = "-no-success"
# What the app can't change for an alarm to publish (let_alarm_publish).
_WARNINGS = PublishWarnings(
    policy=(
        f"{WARNING_PREFIX}:alarm-topic-policy",
        "The alarm topic was not created in this app, so its policy can't be changed: "
        f"allow {CLOUDWATCH_PRINCIPAL} sns:Publish in it (condition aws:SourceArn = this "
        "alarm's ARN), or the alarm's notifications are dropped.",
    ),
    key=(
        f"{WARNING_PREFIX}:alarm-topic-key",
        "The alarm topic is encrypted with a key whose policy this app can't change: "
        f"allow {CLOUDWATCH_PRINCIPAL} kms:Decrypt and kms:GenerateDataKey* in it, or the "
        "alarm's notifications are dropped.",
    ),
)
QUEUE_INTERFACE = ("queue_arn", "queue_url", "metric_approximate_number_of_messages_visible")
QUEUE_HINT = "an sqs.Queue, or sqs.Queue.from_queue_arn(self, 'DeadLetters', arn)"
# PutDashboard's DashboardName.
DASHBOARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")


class PipelineMonitoring(Construct):
    """Alarm when executions fail or runs never start; a dashboard of executions and alarms.

    The pipeline is in this stack's account and region, where SageMaker publishes its
    metrics; the ``alarm_topic`` may be another stack's or account's.

    A run that never started (a ``NewDataTrigger`` or ``PipelineSchedule`` whose start was
    refused, or throttled past its retries) is no failed execution: it waits as a message
    in the trigger's ``dead_letter_queue``. Each of ``dead_letter_queues`` gets an alarm
    (``dead_letter_alarms``, in the order given) that is in ALARM while the queue holds a
    message: read the message (its ``ERROR_CODE`` and ``ERROR_MESSAGE`` attributes say
    why), start the run by hand, then delete the message. SQS can't redrive it: its
    redrive (``StartMessageMoveTask``) takes dead-letter queues of SQS queues only, and
    these are EventBridge's or Scheduler's. It notifies ``alarm_topic`` once when the
    first message arrives, and OK when the queue is empty again (its messages deleted or
    expired): a second message while the first still waits raises no new notification.
    The queues must be in this stack's account and region, where SQS publishes their
    metrics.

    Each monitoring creates a dashboard of its own, which CloudWatch bills per month
    beyond the first three of an account: for a stack of many pipelines, pass one
    ``cloudwatch.Dashboard`` of the stack as ``dashboard`` to each, and each adds its
    pipeline's rows to it instead (titled with the pipeline's name).

    A pipeline that runs on a schedule can stop succeeding without a failure to tell:
    its schedule was disabled or deleted, every start is refused, or every run ends in its
    quality gate. ``success_expected_within=Duration.days(2)`` adds an alarm
    (``no_success_alarm``) that is in ALARM when no execution succeeded (``ExecutionSucceeded``
    Sum < 1) over that window, missing data counting as none; it notifies ``alarm_topic``
    (ALARM, and OK on the next success). Give a window longer than the schedule's period
    plus a run's duration: a daily run, two days.

    The failed-executions alarm notifies ``alarm_topic`` too (ALARM, then OK a period
    later). When that topic is a ``PipelineFailureNotifications``' of the same pipeline,
    which already sends a message for each failed execution, pass
    ``notify_failed_executions=False``: the alarm stays on the dashboard, and each failure
    is one message, not three (at threshold 1 a warning says so).

    Example::

        PipelineMonitoring(
            self,
            "Monitoring",
            pipeline=pipeline,
            alarm_topic=alerts.topic,
            notify_failed_executions=False,  # alerts already sends each failure
            dead_letter_queues=[trigger.dead_letter_queue, schedule.dead_letter_queue],
            success_expected_within=Duration.days(2),  # a daily schedule
        )
        # Ten pipelines, one dashboard: PipelineMonitoring(…, dashboard=team_dashboard)
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: PipelineBase,
        alarm_topic: sns.ITopic | None = None,
        failed_executions_threshold: int = 1,
        period: Duration | None = None,
        dashboard_name: str | None = None,
        dead_letter_queues: Sequence[sqs.IQueue] = (),
        notify_failed_executions: bool = True,
        dashboard: cloudwatch.Dashboard | None = None,
        success_expected_within: Duration | None = None,
    ) -> None:
        """Create the alarms and the dashboard rows.

        :param dashboard_name: the name of the dashboard this construct creates.
            Default: a name CloudFormation generates.
        :param dashboard: a dashboard of this stack to add the pipeline's rows to (its
            executions, their duration and its alarms, titled with the pipeline's name),
            shared by the pipelines of the stack. Default: a dashboard of its own.
        :param success_expected_within: alarm when no execution succeeded over this window
            (whole minutes, up to 7 days: one alarm period). Default: no such alarm.
        """
        check_new_child("PipelineMonitoring", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        threshold = failed_executions_threshold
        raise_for(
            [
                expect_interface(
                    "pipeline",
                    pipeline,
                    "a Pipeline or an imported one",
                    ("pipeline_name", "metric_execution_failed"),
                    "Pipeline.from_pipeline_name(self, 'Pipeline', name) for another app's",
                ),
                expect_interface("alarm_topic", alarm_topic, "an sns.ITopic", ("topic_arn",))
                or expect_same_app(
                    "alarm_topic",
                    alarm_topic,
                    root_of(self),
                    "create it in this app, or sns.Topic.from_topic_arn(self, 'Alerts', arn)",
                )
                or other_stage_problem(
                    "alarm_topic",
                    alarm_topic,
                    self,
                    "the monitoring",
                    "create the topic in a stack of this stage",
                    "sns.Topic.from_topic_arn",
                )
                if alarm_topic is not None
                else None,
                None
                if isinstance(threshold, int) and not isinstance(threshold, bool) and threshold >= 1
                else Problem(
                    None,
                    "failed_executions_threshold",
                    f"expected a whole number of failed executions (at least 1), got "
                    f"{describe(threshold)}",
                    "at 0 the alarm would always be in ALARM",
                ),
                environment_problem(
                    "pipeline",
                    pipeline,
                    self,
                    "SageMaker publishes the pipeline's metrics in its own account and region, "
                    "where an alarm of this stack can't read them: it would never fire",
                    "create the monitoring in a stack of the pipeline's account and region",
                )
                if hasattr(pipeline, "pipeline_arn")
                else None,
                None
                if type(notify_failed_executions) is bool
                else Problem(
                    None,
                    "notify_failed_executions",
                    f"expected True or False, got {describe(notify_failed_executions)}",
                    "False keeps the failed-executions alarm off alarm_topic",
                ),
                _period_problem(period),
                _period_problem(success_expected_within, "success_expected_within"),
                _dashboard_name_problem(dashboard_name),
                _shared_dashboard_problem(self, dashboard, dashboard_name),
                *_dead_letter_queues_problems(dead_letter_queues, self),
            ],
            lambda: f"PipelineMonitoring {self.node.path}",
        )
        window = period or Duration.minutes(5)
        failed = pipeline.metric_execution_failed(period=window)
        pipeline_name = pipeline.pipeline_name  # read once: a jsii round trip
        executions_topic = alarm_topic if notify_failed_executions else None
        executions_name = _name_for_topic(self, executions_topic, ALARM_NAME_SUFFIX)
        self.failed_executions_alarm = cloudwatch.Alarm(
            self,
            "ExecutionsFailed",
            alarm_name=executions_name,
            alarm_description=f"Executions of SageMaker pipeline {pipeline_name} failed",
            metric=failed,
            threshold=failed_executions_threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if executions_topic is not None:
            _notify(self.failed_executions_alarm, executions_topic, executions_name)
            if threshold == 1:
                note_failure_alarm(self, executions_topic, pipeline)
        elif alarm_topic is not None:
            # Asked not to notify: only the dashboard shows it, by the user's choice.
            acknowledge_in_packs(
                self.failed_executions_alarm,
                "CloudWatchAlarmAction",
                "notify_failed_executions=False: failed executions are notified otherwise "
                "(PipelineFailureNotifications); this alarm shows them on the dashboard",
                packs=(NIST, HIPAA),  # PCI DSS 3.2.1 has no such rule
            )
        self.dead_letter_alarms: list[cloudwatch.Alarm] = []
        """One alarm per queue of ``dead_letter_queues``, in their order."""
        taken: set[str] = set()
        for index, queue in enumerate(dead_letter_queues):
            construct_id = _dead_letters_id(queue, index, self, taken)
            taken.add(construct_id)
            alarm = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=(
                    f"Runs of SageMaker pipeline {pipeline_name} never started: the "
                    f"dead-letter queue {queue.queue_name} holds events its trigger or "
                    "schedule could not deliver (the start was refused or throttled past its "
                    "retries). Read the message (its ERROR_CODE and ERROR_MESSAGE attributes "
                    "say why), start the run by hand (aws sagemaker "
                    "start-pipeline-execution, with the parameters the trigger or schedule "
                    "passes), then delete the message: SQS can't redrive it, as its source is "
                    "no SQS queue."
                ),
                metric=queue.metric_approximate_number_of_messages_visible(
                    statistic=cloudwatch.Stats.MAXIMUM, period=window
                ),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            if alarm_topic is not None:
                _name_and_notify(alarm, alarm_topic, DEAD_LETTERS_NAME_SUFFIX)
            self.dead_letter_alarms.append(alarm)
        self.no_success_alarm: cloudwatch.Alarm | None = None
        """With ``success_expected_within``, the alarm of no execution succeeding in it."""
        if success_expected_within is not None:
            self.no_success_alarm = self._no_success_alarm(
                pipeline, pipeline_name, success_expected_within, alarm_topic
            )
        shared = dashboard is not None

        def title(text: str) -> str:
            # In a shared dashboard, each pipeline's rows say whose they are.
            return f"{pipeline_name}: {text}" if shared else text

        rows = [
            cloudwatch.GraphWidget(
                title=title("Executions"),
                left=[
                    pipeline.metric_execution_started(period=window, label="Started"),
                    pipeline.metric_execution_succeeded(period=window, label="Succeeded"),
                    pipeline.metric_execution_failed(period=window, label="Failed"),
                    pipeline.metric_execution_stopped(period=window, label="Stopped"),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title=title("Execution duration (ms)"),
                left=[pipeline.metric_execution_duration(period=window, label="Average")],
                width=12,
            ),
        ]
        alarms = [
            cloudwatch.AlarmStatusWidget(
                title=title("Alarms"),
                alarms=[
                    self.failed_executions_alarm,
                    *self.dead_letter_alarms,
                    *([self.no_success_alarm] if self.no_success_alarm is not None else []),
                ],
                width=24,
            )
        ]
        if dashboard is None:
            dashboard = cloudwatch.Dashboard(
                self, "Dashboard", dashboard_name=dashboard_name, widgets=[rows, alarms]
            )
        else:
            dashboard.add_widgets(*rows)
            dashboard.add_widgets(*alarms)
        self.dashboard: cloudwatch.Dashboard = dashboard
        """The dashboard showing the pipeline: its own, or the shared ``dashboard``."""

    def _no_success_alarm(
        self,
        pipeline: PipelineBase,
        pipeline_name: str,
        window: Duration,
        topic: sns.ITopic | None,
    ) -> cloudwatch.Alarm:
        """In ALARM while no execution succeeded over ``window`` (no data: none did)."""
        alarm = cloudwatch.Alarm(
            self,
            "NoSuccess",
            alarm_description=(
                f"No execution of SageMaker pipeline {pipeline_name} succeeded in the last "
                f"{window.to_human_string()}: its schedule may be disabled or deleted, its "
                "starts refused (its dead-letter queue), or every run failed or stopped in its "
                "quality gate. List its recent runs: aws sagemaker list-pipeline-executions "
                f"--pipeline-name {pipeline_name} --max-results 10"
            ),
            metric=pipeline.metric_execution_succeeded(period=window),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            # SageMaker publishes no ExecutionSucceeded without a success: none is the alarm.
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        if topic is not None:
            _name_and_notify(alarm, topic, NO_SUCCESS_NAME_SUFFIX)
        return alarm


def _name_for_topic(scope: Construct, topic: sns.ITopic | None, suffix: str) -> str | None:
    """A name for the alarm of ``scope`` that publishes to a topic of another stack, or None.

    A topic of another stack (a central alerts topic) can't refer to the alarm's ARN
    attribute without a dependency cycle: the alarm is named, its ARN written out.
    """
    if topic is None or not in_another_stack(scope, topic):
        return None
    return f"{unique_name(scope, MAX_ALARM_NAME - len(suffix))}{suffix}"


def _notify(alarm: cloudwatch.Alarm, topic: sns.ITopic, name: str | None) -> None:
    """Publish ``alarm``'s ALARM and OK notifications to ``topic``, and let it.

    ``name``: the alarm's name when the topic is of another stack (``_name_for_topic``),
    whose policy then writes out the alarm's ARN. OK is sent too: it closes what the ALARM
    opened (executions succeed again; the dead-letter queue was emptied).
    """
    alarm.add_alarm_action(actions.SnsAction(topic))
    alarm.add_ok_action(actions.SnsAction(topic))
    source_arn = None
    if name is not None:
        source_arn = arn_in_topic_stack(
            topic,
            alarm,
            service="cloudwatch",
            resource="alarm",
            name=name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
    let_alarm_publish(alarm, topic, source_arn=source_arn)


def _name_and_notify(alarm: cloudwatch.Alarm, topic: sns.ITopic, suffix: str) -> None:
    """``_notify`` for an alarm already created: named from its own path when it must be.

    For a topic of another stack (``_name_for_topic``): the name can't be given before the
    alarm exists, its path being what names it.
    """
    name = _name_for_topic(alarm, topic, suffix)
    if name is not None:
        cfn = alarm.node.default_child
        assert isinstance(cfn, cloudwatch.CfnAlarm)
        cfn.alarm_name = name
    _notify(alarm, topic, name)


def _dead_letters_id(queue: object, index: int, scope: Construct, taken: set[str]) -> str:
    """``DeadLetters-OnNewData-DeadLetterQueue``: the alarm's id, from the queue's path.

    From the queue's path in its stack rather than its position in the list, so an alarm
    keeps its logical id when other queues are added or removed; a queue of another stack
    than ``scope``'s is prefixed with that stack's path. An id taken already (paths that
    only differ in where the ``/`` are) gets the queue's index.
    """
    if isinstance(queue, Construct):
        stack = stack_of(queue)
        path, stack_path = path_of(queue), path_of(stack)
        if stack is stack_of(scope) or stack_path == path_of(stack_of(scope)):
            path = path[len(stack_path) + 1 :]
        construct_id = "DeadLetters-" + path.replace("/", "-")
    else:
        construct_id = "DeadLetters"
    return construct_id if construct_id not in taken else f"{construct_id}-{index}"


def _dead_letter_queues_problems(queues: object, scope: Construct) -> list[Problem | None]:
    """A list of ``sqs.IQueue`` of this app and stage, in ``scope``'s environment, each once."""
    prop = "dead_letter_queues"
    if isinstance(queues, (str, bytes, Mapping)) or not isinstance(queues, Sequence):
        return [
            PropProblem(
                None,
                prop,
                f"expected a list of sqs.IQueue, got {describe(queues)}",
                "a list: [trigger.dead_letter_queue]",
            )
        ]
    problems: list[Problem | None] = []
    first: dict[object, int] = {}
    for index, queue in enumerate(queues):
        problem = (
            expect_interface(prop, queue, "an sqs.IQueue", QUEUE_INTERFACE, QUEUE_HINT)
            or expect_same_app(
                prop,
                queue,
                root_of(scope),
                "create the queue in this app, or sqs.Queue.from_queue_arn(self, 'DeadLetters', "
                "arn)",
            )
            or other_stage_problem(
                prop,
                queue,
                scope,
                "the monitoring",
                "create the queue in a stack of this stage",
                "sqs.Queue.from_queue_arn",
            )
            or environment_problem(
                prop,
                queue,
                scope,
                "SQS publishes the queue's metrics in its own account and region, where an "
                "alarm of this stack can't read them: it would never fire",
                "alarm on it in a stack of the queue's account and region",
            )
        )
        if problem is None:
            key = path_of(queue) if isinstance(queue, Construct) else id(queue)
            if key in first:
                problem = Problem(
                    None,
                    prop,
                    f"is the same queue as [{first[key]}] ({describe(queue)})",
                    "give each queue once: one alarm is enough",
                )
            first.setdefault(key, index)
        if problem is not None:
            problems.append(PropProblem(None, prop, f"[{index}] {problem.message}", problem.hint))
    return problems


def _period_problem(period: object, prop: str = "period") -> Problem | None:
    """Pipeline metrics are published per minute: an alarm period is whole minutes, ≤ 7 days."""
    if period is None:
        return None
    if not isinstance(period, Duration):
        return Problem(
            None, prop, f"expected a Duration, got {describe(period)}", "Duration.minutes(5)"
        )
    if period.is_unresolved():
        return None
    seconds = period.to_seconds(integral=False)
    if seconds % MINUTE == 0 and MINUTE <= seconds <= MAX_ALARM_PERIOD:
        return None
    if seconds > MAX_ALARM_PERIOD:
        hint = "an alarm evaluates at most 7 days: PutMetricAlarm's Period x EvaluationPeriods"
    else:
        hint = "the pipeline metrics have one data point a minute" + (
            "; a shorter alarm period never has data" if seconds < MINUTE else ""
        )
    return Problem(
        None,
        prop,
        f"expected whole minutes from 1 minute to 7 days, got {period.to_human_string()}",
        hint,
    )


def _dashboard_name_problem(name: object) -> Problem | None:
    if name is None or (isinstance(name, str) and is_unresolved(name)):
        return None
    if isinstance(name, str) and DASHBOARD_NAME.fullmatch(name):
        return None
    return Problem(
        None,
        "dashboard_name",
        f"expected 1-255 letters, digits, '-' and '_', got {describe(name)}",
    )


def _shared_dashboard_problem(
    scope: Construct, dashboard: object, dashboard_name: object
) -> Problem | None:
    """A ``dashboard`` to add rows to must be a ``cloudwatch.Dashboard`` of this stack."""
    if dashboard is None:
        return None
    if not isinstance(dashboard, cloudwatch.Dashboard):
        return Problem(
            None,
            "dashboard",
            f"expected a cloudwatch.Dashboard, got {describe(dashboard)}",
            "cloudwatch.Dashboard(stack, 'Pipelines'), shared by the stack's monitorings",
        )
    if dashboard_name is not None:
        return Problem(
            None,
            "dashboard_name",
            "given with dashboard, which is named where it is created",
            "leave dashboard_name out: the rows go to the dashboard given",
        )
    other_app = expect_same_app(
        "dashboard", dashboard, root_of(scope), "create it in this monitoring's stack"
    )
    if other_app is not None:
        return other_app
    if path_of(stack_of(dashboard)) != path_of(stack_of(scope)):
        return Problem(
            None,
            "dashboard",
            f"a dashboard of stack {stack_of(dashboard).node.path}, not of this "
            f"monitoring's stack {stack_of(scope).node.path}: its body would refer to this "
            "stack's alarms, making each stack depend on the other's exports",
            "share a dashboard among the monitorings of one stack",
        )
    return None


# An alarm whose actions this app writes (an imported one's are set where it is defined).
Notifier = cloudwatch.Alarm | cloudwatch.CompositeAlarm


def notify_topic(
    alarms: cloudwatch.Alarm
    | cloudwatch.CompositeAlarm
    | Sequence[cloudwatch.Alarm | cloudwatch.CompositeAlarm],
    topic: sns.ITopic,
    *,
    ok: bool = False,
) -> None:
    """Send ``alarms``' notifications to ``topic``, and let CloudWatch deliver them there.

    ``alarm.add_alarm_action(SnsAction(topic))`` alone is not enough: a topic with a policy
    of its own (``enforce_ssl`` creates one) no longer admits CloudWatch, and CloudWatch may
    not use the key of an encrypted topic, and either way the notifications are dropped
    without an error. Besides the action (and the OK action when ``ok``), this adds a
    statement to the topic's policy letting CloudWatch publish for each alarm (condition
    ``aws:SourceArn``) and grants CloudWatch the topic's key (a ``kms.Key`` or ``kms.Alias``
    of the app). What the app can't change is warned: the policy of an imported topic
    (``cdk-sagemaker-pipelines:alarm-topic-policy``), an imported key
    (``cdk-sagemaker-pipelines:alarm-topic-key``). An alarm of another stack than the
    topic's that has no ``alarm_name`` is named from its path, so that the topic's policy
    names it without a reference cycle between the stacks.

    ``alarms``: a ``cloudwatch.Alarm`` or ``cloudwatch.CompositeAlarm`` created in this
    app, or a list of them. ``ok``: send the OK notification too (it closes what the ALARM
    opened). Wrong arguments fail naming them.

    Example::

        errors = endpoint.metric_invocation_5xx_errors().create_alarm(
            self, "ServerErrors", threshold=0.01, evaluation_periods=3
        )
        notify_topic(errors, alerts.topic)  # alerts: PipelineFailureNotifications
        notify_topic([drift, latency], alarm_topic, ok=True)
    """
    several = isinstance(alarms, (list, tuple))
    listed: Sequence[Notifier] = alarms if several else [alarms]  # type: ignore[assignment, list-item]
    raise_for(_notify_topic_problems(listed, topic, ok, several), "notify_topic")
    for alarm in listed:
        # Once per alarm, topic and action: called again (a helper notifying the on-call),
        # the alarm would list the topic twice and its policy get a statement per call.
        done: set[tuple[str, str]] = getattr(alarm, _NOTIFIED, set())
        setattr(alarm, _NOTIFIED, done)
        target = topic.node.path
        if (target, "ok") not in done and ok:
            done.add((target, "ok"))
            alarm.add_ok_action(actions.SnsAction(topic))
        if (target, "alarm") in done:
            continue
        done.add((target, "alarm"))
        alarm.add_alarm_action(actions.SnsAction(topic))
        source_arn = None
        # An imported topic's policy isn't written here (warned): the alarm needs no name.
        if isinstance(topic, sns.Topic) and in_another_stack(alarm, topic):
            source_arn = arn_in_topic_stack(
                topic,
                alarm,
                service="cloudwatch",
                resource="alarm",
                name=_literal_alarm_name(alarm),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
        let_alarm_publish(alarm, topic, source_arn=source_arn)


# The (topic path, "alarm" or "ok") actions notify_topic gave an alarm, on the alarm.
_NOTIFIED = "_cdk_sagemaker_pipelines_notified"


def _literal_alarm_name(alarm: Notifier) -> str:
    """The alarm's name as given, or one from its path, which it is given now.

    The topic's stack writes the alarm's ARN from its name: the alarm's ARN attribute
    would make that stack depend on the alarm's, which depends on the topic's.
    """
    cfn = alarm.node.default_child
    assert isinstance(cfn, (cloudwatch.CfnAlarm, cloudwatch.CfnCompositeAlarm))
    # Unnamed, the name is a token CloudFormation fills in, which resolves to nothing here.
    given = stack_of(alarm).resolve(cfn.alarm_name)
    if given is None:
        cfn.alarm_name = unique_name(alarm, MAX_ALARM_NAME)
        return cfn.alarm_name
    if not isinstance(given, str):  # a parameter's, say: the topic's stack would refer to it
        raise_for(
            [
                ArgumentProblem(
                    None,
                    "alarms",
                    f"{describe(alarm)} is named at deploy time ({given}), and the topic's "
                    "stack, another one, can't name it in its policy without a dependency cycle",
                    "give the alarm a literal alarm_name, or create the topic in its stack",
                )
            ],
            "notify_topic",
        )
    return str(given)


def _notify_topic_problems(
    alarms: Sequence[object], topic: object, ok: object, several: bool
) -> list[ArgumentProblem]:
    """``notify_topic``'s arguments: alarms of this app, a topic of their app and stage."""
    problems: list[Problem | None] = []
    if not alarms:
        problems.append(Problem(None, "alarms", "expected at least one alarm, got an empty list"))
    created = []
    for index, alarm in enumerate(alarms):
        if isinstance(alarm, (cloudwatch.Alarm, cloudwatch.CompositeAlarm)):
            created.append(alarm)
            continue
        # An imported alarm (Alarm.from_alarm_arn) takes add_alarm_action, and drops it.
        imported = hasattr(type(alarm), "alarm_arn") or hasattr(alarm, "alarm_arn")
        problems.append(
            Problem(
                None,
                "alarms",
                f"{f'[{index}] ' if several else ''}expected a cloudwatch.Alarm or "
                f"cloudwatch.CompositeAlarm created in this app, got {describe(alarm)}",
                "an imported alarm's actions can only be set where it is defined: add the "
                "topic to its AlarmActions there, or create the alarm in this app "
                "(metric.create_alarm(self, 'Errors', …))"
                if imported
                else "metric.create_alarm(self, 'Errors', …), or a list of such alarms",
            )
        )
    topic_problem = expect_interface(
        "topic",
        topic,
        "an sns.ITopic",
        ("topic_arn", "add_to_resource_policy"),
        "import the topic by its ARN: sns.Topic.from_topic_arn(self, 'Alerts', arn)",
    )
    for alarm in created if topic_problem is None else ():
        topic_problem = expect_same_app(
            "topic",
            topic,
            root_of(alarm),
            "create it in the alarms' app, or sns.Topic.from_topic_arn(self, 'Alerts', arn)",
        ) or other_stage_problem(
            "topic",
            topic,
            alarm,
            f"the alarm {path_of(alarm)}",
            "create the topic in a stack of the alarm's stage",
            "sns.Topic.from_topic_arn",
        )
        if topic_problem is not None:
            break
    problems += [topic_problem, expect_bool("ok", ok)]
    return [ArgumentProblem(None, p.field, p.message, p.hint) for p in problems if p is not None]


def alarm_topic_problem(topic: object, scope: Construct) -> ArgumentProblem | None:
    """A ``topic`` argument for alarms created under ``scope``, checked before they are.

    What ``notify_topic`` would refuse once the alarms exist: checked first, a wrong topic
    leaves no alarm behind.
    """
    problem = topic_argument_problem(topic, scope, "alarms")
    if problem is None:
        return None
    return ArgumentProblem(None, problem.field, problem.message, problem.hint)


def let_alarm_publish(alarm: Notifier, topic: sns.ITopic, *, source_arn: str | None = None) -> None:
    """Let CloudWatch deliver ``alarm``'s notifications to ``topic``, and use its key.

    Without both, alarm notifications are dropped without an error (``let_service_publish``).
    ``source_arn`` is the alarm's ARN as the topic's stack must write it, for a topic of
    another stack (default: the alarm's ARN attribute).
    """
    source_arns = [source_arn or alarm.alarm_arn]
    let_service_publish(topic, alarm, CLOUDWATCH_PRINCIPAL, source_arns, _WARNINGS)
