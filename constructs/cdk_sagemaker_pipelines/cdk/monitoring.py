"""``PipelineMonitoring``: an alarm on failed executions and a small dashboard."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns

from constructs import Construct

from ..definition import Problem
from ._props import describe, expect_interface, raise_for


class PipelineMonitoring(Construct):
    """Alarm when executions fail; a dashboard of executions and their duration.

    Example::

        PipelineMonitoring(self, "Monitoring", pipeline=pipeline, alarm_topic=alerts.topic)
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: Any,
        alarm_topic: sns.ITopic | None = None,
        failed_executions_threshold: int = 1,
        period: Duration | None = None,
        dashboard_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
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
            ],
            f"PipelineMonitoring {self.node.path}",
        )
        window = period or Duration.minutes(5)
        failed = pipeline.metric_execution_failed(period=window)
        self.failed_executions_alarm = cloudwatch.Alarm(
            self,
            "ExecutionsFailed",
            alarm_description=f"Executions of SageMaker pipeline {pipeline.pipeline_name} failed",
            metric=failed,
            threshold=failed_executions_threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if alarm_topic is not None:
            self.failed_executions_alarm.add_alarm_action(actions.SnsAction(alarm_topic))
            self.failed_executions_alarm.add_ok_action(actions.SnsAction(alarm_topic))
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            widgets=[
                [
                    cloudwatch.GraphWidget(
                        title="Executions",
                        left=[
                            pipeline.metric_execution_started(period=window, label="Started"),
                            pipeline.metric_execution_succeeded(period=window, label="Succeeded"),
                            pipeline.metric_execution_failed(period=window, label="Failed"),
                            pipeline.metric_execution_stopped(period=window, label="Stopped"),
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Execution duration (ms)",
                        left=[pipeline.metric_execution_duration(period=window, label="Average")],
                        width=12,
                    ),
                ],
                [
                    cloudwatch.AlarmStatusWidget(
                        title="Alarms", alarms=[self.failed_executions_alarm], width=24
                    )
                ],
            ],
        )
