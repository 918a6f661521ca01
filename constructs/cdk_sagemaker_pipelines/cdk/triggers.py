"""Start pipelines on a schedule or when new data lands, and tell people when runs fail."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import Acknowledgment, CfnElement, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces import aws_events as events_refs

from constructs import Construct

from ..definition import PipelineDefinitionError
from ._kms import account_key
from .artifacts import enable_event_bridge_notifications
from .pipeline import arn_spellings


def _service_role(scope: Construct, construct_id: str, service: str, description: str) -> iam.Role:
    return iam.Role(
        scope,
        construct_id,
        description=description,
        assumed_by=iam.ServicePrincipal(
            service, conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
        ),
    )


def _dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    Validations.of(queue).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SQS3",
            reason="this queue is itself the dead-letter queue of an EventBridge target",
        )
    )
    return queue


def _check_parameters(pipeline: sagemaker.IPipeline, names: Sequence[str], where: str) -> None:
    """Fail synth when a trigger sets parameters the pipeline doesn't declare."""
    definition = getattr(pipeline, "definition", None)
    if not isinstance(definition, dict):
        return  # an imported pipeline: nothing to check against
    declared = {entry["Name"]: entry.get("Type") for entry in definition.get("Parameters", [])}
    for name in names:
        if name not in declared:
            raise PipelineDefinitionError(
                f"{where}: sets parameter '{name}', which pipeline {pipeline.pipeline_name} does "
                f"not declare (declared: {', '.join(declared) or 'none'})"
            )


class PipelineSchedule(Construct):
    """Start a pipeline on a schedule (EventBridge Scheduler) with parameter values.

    Failed deliveries are retried and then sent to an encrypted dead-letter queue.

    Example::

        PipelineSchedule(self, "Nightly", pipeline=pipeline,
                         schedule=scheduler.ScheduleExpression.expression("cron(0 6 * * ? *)"),
                         parameters={"InputDataKey": "curated/"})
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sagemaker.IPipeline,
        schedule: scheduler.ScheduleExpression,
        parameters: Mapping[str, str] | None = None,
        description: str | None = None,
        enabled: bool = True,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        values = dict(parameters or {})
        _check_parameters(pipeline, list(values), self.node.path)
        self.dead_letter_queue = dead_letter_queue or _dead_letter_queue(self, "DeadLetterQueue")
        self.role = _service_role(
            self, "Role", "scheduler.amazonaws.com", f"Starts {pipeline.pipeline_name} on schedule"
        )
        target = scheduler_targets.SageMakerStartPipelineExecution(
            pipeline,
            pipeline_parameter_list=[
                scheduler_targets.SageMakerPipelineParameter(name=name, value=value)
                for name, value in values.items()
            ],
            role=self.role,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age or Duration.hours(2),
        )
        # aws-cdk-lib's scheduler target grants StartPipelineExecution inline on our role.
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id="NIST.800.53.R5-IAMNoInlinePolicy",
                reason="the scheduler target adds one inline statement: StartPipelineExecution "
                "on this pipeline only",
            )
        )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule=schedule,
            target=target,
            description=description or f"Starts SageMaker pipeline {pipeline.pipeline_name}",
            enabled=enabled,
        )


@jsii.implements(events.IRuleTarget)
class SageMakerPipelineTarget:
    """An EventBridge rule target that starts a SageMaker pipeline with parameters.

    aws-cdk-lib has no such target (aws/aws-cdk#14887). Parameter values are literals or
    JSON paths into the event (a whole value, e.g. ``$.detail.object.key``). The target
    creates its role with a customer-managed policy allowing only
    ``sagemaker:StartPipelineExecution`` on the pipeline, and lets the rule write to the
    dead-letter queue.

    Example::

        rule.add_target(SageMakerPipelineTarget(pipeline,
                                                parameters={"InputDataKey": "$.detail.object.key"},
                                                dead_letter_queue=dlq, retry_attempts=3))
    """

    def __init__(
        self,
        pipeline: sagemaker.IPipeline,
        *,
        parameters: Mapping[str, str] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.parameters = dict(parameters or {})
        # Checked here, not in bind(): bind runs inside jsii, which would wrap our error.
        _check_parameters(pipeline, list(self.parameters), "SageMakerPipelineTarget")
        self.dead_letter_queue = dead_letter_queue
        self.retry_attempts = retry_attempts
        self.max_event_age = max_event_age or Duration.hours(2)

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        """Render the target (called by ``rule.add_target``)."""
        target_id = id or "Target0"
        if not isinstance(rule, Construct):
            raise PipelineDefinitionError(
                "SageMakerPipelineTarget needs an events.Rule created in this app"
            )
        rule_arn = rule.rule_ref.rule_arn
        role = _service_role(
            rule,
            f"{target_id}Role",
            "events.amazonaws.com",
            f"Starts SageMaker pipeline {self.pipeline.pipeline_name} from an event",
        )
        iam.ManagedPolicy(
            rule,
            f"{target_id}Policy",
            statements=[
                iam.PolicyStatement(
                    actions=["sagemaker:StartPipelineExecution"],
                    resources=arn_spellings(
                        self.pipeline.pipeline_arn, self.pipeline.pipeline_name
                    ),
                )
            ],
            roles=[role],
        )
        dead_letter_config = None
        if self.dead_letter_queue is not None:
            self.dead_letter_queue.add_to_resource_policy(
                iam.PolicyStatement(
                    # Unique per rule (one queue may be the DLQ of several rules' targets),
                    # from the rule's logical id: the same in every stage of the app.
                    sid=f"AllowEventRule{_logical_id(rule)}{target_id}",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[self.dead_letter_queue.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
                )
            )
            dead_letter_config = events.CfnRule.DeadLetterConfigProperty(
                arn=self.dead_letter_queue.queue_arn
            )
        _set_pipeline_parameters(rule, target_id, self.parameters)
        return events.RuleTargetConfig(
            arn=self.pipeline.pipeline_arn,
            role=role,
            dead_letter_config=dead_letter_config,
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=self.retry_attempts,
                maximum_event_age_in_seconds=int(self.max_event_age.to_seconds()),
            ),
            target_resource=self.pipeline,
        )


def _logical_id(construct: Construct) -> str:
    """The logical id of ``construct``'s CloudFormation resource, as a plain string."""
    element = construct.node.default_child
    assert isinstance(element, CfnElement)
    stack = Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(element)))


def _set_pipeline_parameters(
    rule: Construct, target_id: str, parameters: Mapping[str, str]
) -> None:
    """The one escape hatch: ``RuleTargetConfig`` has no SageMaker parameters yet.

    aws/aws-cdk#14887 tracks a SageMaker pipeline target; until then the parameters are
    set on the L1 rule, at this target's index only (other targets are untouched).
    """
    if not parameters:
        return
    match = re.fullmatch(r"Target(\d+)", target_id)
    cfn_rule = rule.node.default_child
    if match is None or not isinstance(cfn_rule, events.CfnRule):
        raise PipelineDefinitionError(
            f"SageMakerPipelineTarget needs an events.Rule created in this app (got target id "
            f"{target_id!r} on {rule.node.path})"
        )
    cfn_rule.add_property_override(
        f"Targets.{match.group(1)}.SageMakerPipelineParameters",
        {"PipelineParameterList": [{"Name": k, "Value": v} for k, v in parameters.items()]},
    )


class NewDataTrigger(Construct):
    """Start a pipeline when an object is created under ``prefix`` in ``bucket``.

    The object's key goes to the pipeline parameter ``key_parameter`` (and the bucket name
    to ``bucket_parameter`` if given); EventBridge can only pass whole values from the
    event, so pipelines build the URI with ``Join``. Deliveries are retried, then sent to
    an encrypted dead-letter queue. For a bucket created in this app, EventBridge
    notifications are switched on through the bucket's own properties (no custom
    resource); an imported bucket must have them on already.

    Example::

        NewDataTrigger(self, "OnNewData", pipeline=pipeline, bucket=data_bucket,
                       prefix="incoming/", key_parameter="InputDataKey")
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sagemaker.IPipeline,
        bucket: s3.IBucket,
        prefix: str,
        key_parameter: str,
        bucket_parameter: str | None = None,
        parameters: Mapping[str, str] | None = None,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        values = dict(parameters or {})
        values[key_parameter] = "$.detail.object.key"
        if bucket_parameter is not None:
            values[bucket_parameter] = "$.detail.bucket.name"
        _check_parameters(pipeline, list(values), self.node.path)
        if isinstance(bucket, s3.Bucket):
            enable_event_bridge_notifications(bucket)
        self.dead_letter_queue = dead_letter_queue or _dead_letter_queue(self, "DeadLetterQueue")
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"New data under {prefix} starts SageMaker pipeline",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [bucket.bucket_name]},
                    "object": {"key": [{"prefix": prefix}]},
                },
            ),
        )
        self.rule.add_target(
            SageMakerPipelineTarget(
                pipeline,
                parameters=values,
                dead_letter_queue=self.dead_letter_queue,
                retry_attempts=retry_attempts,
                max_event_age=max_event_age,
            )
        )


class PipelineFailureNotifications(Construct):
    """Publish a readable message to an encrypted, TLS-only SNS topic when a run fails or stops.

    Example::

        notifications = PipelineFailureNotifications(self, "Alerts", pipeline=pipeline,
                                                     emails=["ml-oncall@example.com"])
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: Any,
        topic: sns.ITopic | None = None,
        emails: Sequence[str] = (),
        statuses: Sequence[str] = ("Failed", "Stopped"),
    ) -> None:
        super().__init__(scope, construct_id)
        if topic is None:
            self.key = account_key(
                self,
                "Key",
                description="Encrypts SageMaker pipeline notifications",
                removal_policy=RemovalPolicy.DESTROY,
            )
            # EventBridge encrypts what it publishes: it needs the key (key policy).
            self.key.grant(
                iam.ServicePrincipal("events.amazonaws.com"), "kms:GenerateDataKey*", "kms:Decrypt"
            )
            topic = sns.Topic(
                self,
                "Topic",
                master_key=self.key,
                enforce_ssl=True,
                display_name="SageMaker pipeline failures",
            )
        self.topic = topic
        for address in emails:
            topic.add_subscription(subscriptions.EmailSubscription(address))
        name = events.EventField.from_path("$.detail.pipelineArn")
        status = events.EventField.from_path("$.detail.currentPipelineExecutionStatus")
        message = events.RuleTargetInput.from_multiline_text(
            f"SageMaker pipeline execution ended {status}.\n"
            f"Pipeline: {name}\n"
            f"Execution: {events.EventField.from_path('$.detail.pipelineExecutionArn')}\n"
            f"Started: {events.EventField.from_path('$.detail.executionStartTime')}\n"
            f"Ended: {events.EventField.from_path('$.detail.executionEndTime')}\n"
            "See the failed step's FailureReason in SageMaker Studio or with "
            "aws sagemaker list-pipeline-execution-steps."
        )
        self.rule = pipeline.on_execution_status_change(
            f"{construct_id}Rule",
            statuses=list(statuses),
            description=f"Executions of {pipeline.pipeline_name} that end " + " or ".join(statuses),
        )
        self.rule.add_target(events_targets.SnsTopic(topic, message=message))
