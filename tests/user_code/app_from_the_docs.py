"""A team's CDK app written from docs/constructs.md, for type checkers: never imported or run.

The repository's own ``mypy`` run (``files`` includes ``tests/``) checks it; checking
aws_cdk takes a minute or more, too slow for a test (tests/test_user_types.py checks the
definition code). Lines marked ``# type: ignore[…]`` are mistakes a checker must report:
were the parameter typed ``Any``, ``warn_unused_ignores`` would report the ignore.
"""

from typing import Any, assert_type

from aws_cdk import App, Duration, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler

from cdk_sagemaker_pipelines.cdk import (
    FAIL_SYNTH_ON_VALIDATION_ERRORS,
    ArtifactStore,
    ModelRegistry,
    NewDataTrigger,
    Pipeline,
    PipelineBase,
    PipelineFailureNotifications,
    PipelineMonitoring,
    PipelineSchedule,
    SageMakerPipelineChecks,
)
from cdk_sagemaker_pipelines.definition import S3Location
from constructs import Construct
from tests.user_code.definitions_from_the_docs import MAX_RUNTIME_RULE, build_pipeline

COST_TAGS = {"cost-centre": "CC-1234", "team": "fraud"}


def alarm_on_failures(scope: Construct, pipeline: PipelineBase) -> cloudwatch.Alarm:
    """A function of the team's that takes a pipeline of the app or an imported one."""
    return pipeline.metric_execution_failed(period=Duration.minutes(15)).create_alarm(
        scope, "Failures", threshold=1, evaluation_periods=1
    )


class TeamStack(Stack):
    """docs/constructs.md's TeamStack and add_operations."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        store = ArtifactStore(self, "Artifacts")
        data = store.add_bucket("Data", event_bridge_enabled=True)
        registry = ModelRegistry(self, "Registry", artifact_store=store)
        pipeline = Pipeline(
            self,
            "Training",
            definition=build_pipeline(registry.model_package_group_name),
            artifact_store=store,
            parameter_locations={"InputDataKey": ["curated/*", "incoming/*"]},
            tags=COST_TAGS,
            job_tags=COST_TAGS,
        )
        S3Location.from_bucket(data, "raw/")
        NewDataTrigger(
            self,
            "OnNewData",
            pipeline=pipeline,
            bucket=data,
            prefix="incoming/",
            key_parameter="InputDataKey",
        )
        weekly = PipelineSchedule(
            self,
            "Weekly",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.expression("cron(0 6 ? * MON *)"),
            parameters={"InputDataKey": "curated/"},
        )
        alerts = PipelineFailureNotifications(
            self, "Alerts", pipeline=pipeline, emails=["ml-oncall@example.com"]
        )
        PipelineMonitoring(
            self,
            "Monitoring",
            pipeline=pipeline,
            alarm_topic=alerts.topic,
            notify_failed_executions=False,
            dead_letter_queues=[weekly.dead_letter_queue],
        )
        other = Pipeline.from_pipeline_name(self, "Other", "other-pipeline")
        assert_type(other, PipelineBase)
        PipelineMonitoring(self, "OtherMonitoring", pipeline=other)
        alarm_on_failures(self, other)
        ci_role = iam.Role(
            self, "CiRole", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com")
        )
        assert_type(pipeline.grant_start_pipeline_execution(ci_role), iam.Grant)
        pipeline.metric("StepDuration", step_name="Train", statistic="Maximum")
        # Mistakes a checker must report.
        PipelineMonitoring(self, "Wrong", pipeline=store)  # type: ignore[arg-type]
        pipeline.metric_execution_failed(perod=Duration.minutes(5))  # type: ignore[call-arg]
        pipeline.metric_step_failed("Train", label=42)  # type: ignore[arg-type]


def build_app() -> App:
    """The app, with the package's checks and a rule of the team's."""
    app = App(post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    Validations.of(app).add_plugins(
        SageMakerPipelineChecks(require_network_isolation=True, extra_rules=[MAX_RUNTIME_RULE])
    )
    TeamStack(app, "Team")
    return app
