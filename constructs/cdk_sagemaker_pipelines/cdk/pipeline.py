"""``Pipeline``: the SageMaker Pipelines L2 construct aws-cdk-lib doesn't have."""

from __future__ import annotations

import datetime as dt
import enum
import fnmatch
import functools
import json
import os
import re
import typing
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypedDict, Unpack, cast

import jsii
from aws_cdk import (
    Annotations,
    ArnFormat,
    Aws,
    Duration,
    IResolveContext,
    IStableStringProducer,
    Lazy,
    Names,
    RemovalPolicy,
    Resource,
    Stack,
    Tags,
    Tokenization,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.interfaces import aws_sagemaker as sagemaker_refs

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_s3 as s3

from constructs import Construct, Dependable, IValidation

from ..checks._finding import dig, job_arguments
from ..definition import (
    NetworkConfig,
    PipelineDefinition,
    PipelineValidationError,
    Problem,
    validate_definition,
    validate_pipeline_name,
)
from ..definition._instance_caps import DENY_SID, cap_option_problems, capped_definition_problems
from ..definition._job_warnings import job_warnings
from ..definition._output_prefixes import output_prefix_overlaps
from ..definition._seal_entries import is_seal_entry
from ..definition._suggest import did_you_mean
from ..definition.bindables import AUTOML_STEP_TYPE
from ..definition.entries import walk_steps
from ..definition.jobs import bad_tag_characters, tag_problems, with_job_tags
from ..definition.permissions import (
    CHECK_STEP_TYPES,
    CLARIFY_ENDPOINT_NAME_PREFIX,
    CLARIFY_SHADOW_ENDPOINT_ACTIONS,
    MODEL_FROM_PACKAGE_ACTIONS,
    PENDING_APPROVAL,
    ModelRoles,
    PermissionPlan,
    S3Access,
    _may_overlap,
    describe_value,
    model_roles,
    parameter_location_problems,
    plan_permissions,
    plan_role_permissions,
    resolve_locations,
    step_output_keys,
    step_writes,
)
from ..definition.retry import is_expire_after, parse_expire_after
from ..definition.steps.raw import RawStep
from ._acknowledge import acknowledge_in_packs, acknowledge_wildcards_of
from ._arns import format_arn
from ._binder import CdkBinder
from ._boundary import check_permissions_boundary
from ._frozen import freeze
from ._locked_grants import keep_for_locked_role, kept_policy
from ._network import allow_all_outbound_problems, https_only_egress, other_vpc_group_problems
from ._policies import (
    ARTIFACTS_BUCKET_SID_NAME,
    ASSETS_BUCKET_SID_NAME,
    SAGEMAKER_PRINCIPAL,
    Lookups,
    PipelineWide,
    automl_role_statements,
    pipeline_role_statements,
    pipeline_wide_locations,
    step_role_statements,
)
from ._policy_size import (
    MAX_MANAGED_POLICIES_PER_ROLE,
    MAX_MANAGED_POLICIES_PER_ROLE_RAISED,
    MAX_MANAGED_POLICY_LENGTH,
    managed_policies,
    pack,
    render_statements,
    split_long_statements,
    statement_lengths,
)
from ._props import (
    PIPELINE_EXECUTION_STATUSES,
    STEP_STATUSES,
    PropProblem,
    as_prop,
    check_grantee,
    check_keywords,
    check_new_child,
    check_status_rule,
    describe,
    environment_problem,
    environment_text,
    expect_bool,
    expect_interface,
    expect_names,
    expect_removal_policy,
    expect_same_app,
    expect_str,
    expect_strings,
    is_unresolved,
    other_stage_problem,
    raise_for,
    refers_across_environments,
    rule_problems,
    warn_forwarded_events,
)
from ._roles import (
    JOB_REACH,
    MODEL_REACH,
    RESOURCE_POLICY_REACH,
    passed_role_arn_problem,
    passed_role_problem,
)
from ._roles import role_arn as bound_role_arn
from ._seal import SealFunction
from ._template_size import (
    MAX_TEMPLATE_BYTES,
    MEASURE_FROM_BYTES,
    TOO_BIG_HINT,
    DefinitionSize,
    count_in_stack,
    definition_size,
    measured_size,
    too_big_message,
)
from ._tree import account_region, is_instance, node_of, path_of, placed, root_of, stack_of
from ._warning_traces import record_warnings_without_traces
from .artifacts import (
    EXECUTIONS_PREFIX,
    MODELS_PREFIX,
    SEALED_PREFIX,
    ArtifactStore,
    _AdoptedArtifactStore,
)
from .registry import (
    RegistryEnvironments,
    link_registering_pipeline,
    pipelines_named,
    registered_in_by_name,
    registers_by_arn,
    registries_named,
    remember_pipeline,
)

# "Sagemaker", not "SageMaker": the namespace as SageMaker's guide spells it ("SageMaker
# pipelines metrics", https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html).
METRICS_NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
# The detail types of source aws.sagemaker, as "Events that Amazon SageMaker sends to Amazon
# EventBridge" gives them (pipeline execution and pipeline step state change,
# https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html).
EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Step Status Change"
WARNING_PREFIX = "cdk-sagemaker-pipelines"
# What SageMaker publishes in METRICS_NAMESPACE: per pipeline (PipelineName), and per step
# (PipelineName, StepName), as the same guide lists them.
EXECUTION_METRICS = (
    "ExecutionStarted",
    "ExecutionFailed",
    "ExecutionSucceeded",
    "ExecutionStopped",
    "ExecutionDuration",
)
STEP_METRICS = ("StepStarted", "StepFailed", "StepSucceeded", "StepStopped", "StepDuration")
# Metric periods found to be whole minutes (or tokens), each checked once.
_WHOLE_MINUTES: weakref.WeakSet[Duration] = weakref.WeakSet()

DefinitionSource = PipelineDefinition | Mapping[str, Any] | str | os.PathLike[str]
# CreatePipeline's PipelineDisplayName and PipelineDescription constraints.
MAX_DISPLAY_NAME = 256
DISPLAY_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
MAX_DESCRIPTION = 3072
_PIPELINE_ARN = re.compile(r"arn:[a-z-]+:sagemaker:[a-z0-9-]+:\d{12}:pipeline/[a-zA-Z0-9-]+")


# A Clarify analysis configuration given as an asset (S3Location.from_asset).
_ASSET_ANALYSIS_CONFIG = (
    "an asset's object is named by its content hash, but Clarify reads the analysis "
    "configuration as analysis_config.json"
)
_ASSET_ANALYSIS_CONFIG_HINT = (
    "deploy the file with aws_s3_deployment.BucketDeployment (keeping its name) and give "
    "S3Location.from_bucket(bucket, '…/analysis_config.json')"
)


class _MetricOptions(TypedDict, total=False):
    """The keywords of ``cloudwatch.MetricOptions``, for the ``metric_…`` methods.

    A type checker then catches a misspelled option (``perod=``) or a wrong type
    (``label=42``); the methods still check them at synth for untyped callers.
    """

    account: str | None
    color: str | None
    dimensions_map: Mapping[str, str] | None
    id: str | None
    label: str | None
    period: Duration | None
    region: str | None
    stack_account: str | None
    stack_region: str | None
    statistic: str | None
    unit: cloudwatch.Unit | None
    visible: bool | None


class _StepMetricOptions(_MetricOptions, total=False):
    """``_MetricOptions`` plus the ``step_name`` of a step metric (``StepDuration``)."""

    step_name: str | None


# Why the grants on a pipeline's executions end in a wildcard: acknowledged on the policies
# kept for roles that refuse policy updates.
_EXECUTIONS_OF_THE_PIPELINE = (
    "an execution's ARN ends in the id SageMaker gives it as it starts "
    "(pipeline/<name>/execution/<id>): the wildcard covers this pipeline's executions only"
)
# What a role of another account needs besides a policy of its own account.
_PIPELINE_OTHER_ACCOUNT = (
    "the pipeline has no resource policy to name it: share the pipeline with account "
    "{account} through AWS RAM (SageMaker Pipelines' read-only or extended execution "
    "permission), or give the grant to a role of this account that the role may assume"
)


@jsii.implements(sagemaker.IPipeline)
class PipelineBase(Resource):
    """Grants, metrics and events shared by ``Pipeline`` and imported pipelines.

    The type of "a pipeline of this app or an imported one", as ``PipelineMonitoring``
    takes it and ``Pipeline.from_pipeline_name`` returns it (aws-cdk-lib's ``QueueBase``,
    ``TopicBase``): annotate a function of yours that takes either with it. Create one
    with ``Pipeline(…)`` or ``Pipeline.from_pipeline_name``/``from_pipeline_arn``.

    Example::

        def alarm_on_failures(scope: Construct, pipeline: PipelineBase) -> cloudwatch.Alarm:
            return pipeline.metric_execution_failed().create_alarm(
                scope, "Failures", threshold=1, evaluation_periods=1
            )
    """

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        raise NotImplementedError

    @property
    def pipeline_arn(self) -> str:
        """The pipeline's ARN."""
        raise NotImplementedError

    @property
    def pipeline_ref(self) -> sagemaker_refs.PipelineReference:
        """A reference to the pipeline (``IPipelineRef``)."""
        return sagemaker_refs.PipelineReference(pipeline_name=self.pipeline_name)

    @property
    def _arn_spellings(self) -> list[str]:
        return arn_spellings(self.pipeline_arn, self.pipeline_name)

    @property
    def _executions_arns(self) -> list[str]:
        return [f"{arn}/execution/*" for arn in self._arn_spellings]

    # -- grants ----------------------------------------------------------------------

    def grant_start_pipeline_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start executions: ``sagemaker:StartPipelineExecution``.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the pipeline's managed policy ``StartPipelineExecutionPolicy``
        (``start_pipeline_execution_policy``), left unattached, named in a warning
        (``cdk-sagemaker-pipelines:immutable-role``).
        """
        check_grantee(
            grantee, self, lambda: f"Pipeline {self.node.path}.grant_start_pipeline_execution"
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:StartPipelineExecution"],
            resource_arns=self._arn_spellings,
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_start_pipeline_execution",
            policy_id="StartPipelineExecutionPolicy",
            description=f"Start executions of SageMaker pipeline {self.pipeline_name}",
            allows="its statement (sagemaker:StartPipelineExecution on the pipeline)",
            when="before it starts executions",
            other_account=_PIPELINE_OTHER_ACCOUNT,
        )
        return grant

    def grant_stop_pipeline_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` stop and retry executions.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the pipeline's managed policy ``StopPipelineExecutionPolicy``
        (``stop_pipeline_execution_policy``), left unattached, named in a warning
        (``cdk-sagemaker-pipelines:immutable-role``).
        """
        check_grantee(
            grantee, self, lambda: f"Pipeline {self.node.path}.grant_stop_pipeline_execution"
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:StopPipelineExecution", "sagemaker:RetryPipelineExecution"],
            resource_arns=self._executions_arns,
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_stop_pipeline_execution",
            policy_id="StopPipelineExecutionPolicy",
            description=f"Stop and retry executions of SageMaker pipeline {self.pipeline_name}",
            allows="its statement (sagemaker:StopPipelineExecution and "
            "sagemaker:RetryPipelineExecution on the pipeline's executions)",
            when="before it stops executions",
            other_account=_PIPELINE_OTHER_ACCOUNT,
            resource_wildcards=_EXECUTIONS_OF_THE_PIPELINE,
        )
        return grant

    def grant_complete_callback_steps(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` complete this pipeline's Callback steps.

        Actions: SendPipelineExecutionStepSuccess, SendPipelineExecutionStepFailure, on
        this pipeline's executions (their IAM resource type is ``pipeline-execution``: the
        callback token names one, so another pipeline's tokens are refused). Give it to
        whatever reads a ``CallbackStep``'s queue, which also needs to consume it
        (``queue.grant_consume_messages(grantee)``, which grants the queue's KMS key too;
        a function's ``SqsEventSource`` grants that itself).

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the pipeline's managed policy ``CompleteCallbackStepsPolicy``
        (``complete_callback_steps_policy``), left unattached, named in a warning
        (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            fn.add_event_source(lambda_event_sources.SqsEventSource(queue))
            queue.grant_consume_messages(fn)
            pipeline.grant_complete_callback_steps(fn)
        """
        check_grantee(
            grantee, self, lambda: f"Pipeline {self.node.path}.grant_complete_callback_steps"
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[
                "sagemaker:SendPipelineExecutionStepSuccess",
                "sagemaker:SendPipelineExecutionStepFailure",
            ],
            resource_arns=self._executions_arns,
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_complete_callback_steps",
            policy_id="CompleteCallbackStepsPolicy",
            description=f"Complete the Callback steps of SageMaker pipeline {self.pipeline_name}",
            allows="its statement (sagemaker:SendPipelineExecutionStepSuccess and "
            "sagemaker:SendPipelineExecutionStepFailure on the pipeline's executions)",
            when="before it completes Callback steps",
            other_account=_PIPELINE_OTHER_ACCOUNT,
            resource_wildcards=_EXECUTIONS_OF_THE_PIPELINE,
        )
        return grant

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the pipeline and its executions.

        Actions: DescribePipeline, DescribePipelineDefinitionForExecution,
        DescribePipelineExecution, ListPipelineExecutions, ListPipelineExecutionSteps,
        ListPipelineParametersForExecution.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the pipeline's managed policy ``ReadPolicy`` (``read_policy``), left unattached,
        named in a warning (``cdk-sagemaker-pipelines:immutable-role``).
        """
        check_grantee(grantee, self, lambda: f"Pipeline {self.node.path}.grant_read")
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[
                "sagemaker:DescribePipeline",
                "sagemaker:DescribePipelineDefinitionForExecution",
                "sagemaker:DescribePipelineExecution",
                "sagemaker:ListPipelineExecutions",
                "sagemaker:ListPipelineExecutionSteps",
                "sagemaker:ListPipelineParametersForExecution",
            ],
            resource_arns=[*self._arn_spellings, *self._executions_arns],
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_read",
            policy_id="ReadPolicy",
            description=f"Read SageMaker pipeline {self.pipeline_name}",
            allows="its statement (describe and list the pipeline and its executions)",
            when="before it reads them",
            other_account=_PIPELINE_OTHER_ACCOUNT,
            resource_wildcards=_EXECUTIONS_OF_THE_PIPELINE,
        )
        return grant

    @property
    def start_pipeline_execution_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_start_pipeline_execution`` kept for roles that refuse policy updates.

        A role imported with ``mutable=False`` (or ``without_policy_updates()``) gets
        nothing attached: the statement is in this managed policy of the pipeline
        (``StartPipelineExecutionPolicy``), left for whoever manages the role to attach.
        None until ``grant_start_pipeline_execution`` is given one.

        Example::

            pipeline.grant_start_pipeline_execution(ci_role)  # imported with mutable=False
            CfnOutput(self, "StartPolicyArn",
                      value=pipeline.start_pipeline_execution_policy.managed_policy_arn)
        """
        return kept_policy(self, "StartPipelineExecutionPolicy")

    @property
    def stop_pipeline_execution_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_stop_pipeline_execution`` kept for roles that refuse policy updates.

        The managed policy ``StopPipelineExecutionPolicy``, unattached, for whoever manages
        such a role to attach; None until ``grant_stop_pipeline_execution`` is given one.

        Example::

            pipeline.grant_stop_pipeline_execution(operator_role)  # imported mutable=False
            policy = pipeline.stop_pipeline_execution_policy
        """
        return kept_policy(self, "StopPipelineExecutionPolicy")

    @property
    def complete_callback_steps_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_complete_callback_steps`` kept for roles that refuse policy updates.

        The managed policy ``CompleteCallbackStepsPolicy``, unattached, for whoever manages
        such a role to attach; None until ``grant_complete_callback_steps`` is given one.

        Example::

            pipeline.grant_complete_callback_steps(worker_role)  # imported mutable=False
            policy = pipeline.complete_callback_steps_policy
        """
        return kept_policy(self, "CompleteCallbackStepsPolicy")

    @property
    def read_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_read`` kept for roles that refuse policy updates (``ReadPolicy``).

        Not the role's policy (that is ``role_policy``): the managed policy holding
        ``grant_read``'s statement, unattached, for whoever manages such a role to attach;
        None until ``grant_read`` is given one.

        Example::

            pipeline.grant_read(dashboard_role)  # imported with mutable=False
            policy = pipeline.read_policy
        """
        return kept_policy(self, "ReadPolicy")

    # -- metrics ---------------------------------------------------------------------

    def metric(self, metric_name: str, **options: Unpack[_StepMetricOptions]) -> cloudwatch.Metric:
        """A metric of this pipeline in ``AWS/Sagemaker/ModelBuildingPipeline``.

        ``metric_name`` is one of the execution metrics (``ExecutionStarted``,
        ``ExecutionFailed``, ``ExecutionSucceeded``, ``ExecutionStopped``,
        ``ExecutionDuration``) or, with a ``step_name`` option, of the step metrics
        (``StepStarted``, ``StepFailed``, ``StepSucceeded``, ``StepStopped``,
        ``StepDuration``). The other ``options`` are ``cloudwatch.MetricOptions`` (period,
        statistic, …). Any other name, step or option fails: its alarm would never fire.

        Example::

            pipeline.metric("StepDuration", step_name="Train", statistic="Maximum")
        """
        # A plain dict from here: an untyped caller may have given anything (checked below).
        given: dict[str, Any] = dict(options)
        step_name = given.pop("step_name", None)
        raise_for(
            self._metric_problems(metric_name, step_name, given),
            lambda: f"{self.node.path}.metric({metric_name!r})",
        )
        dimensions = {"PipelineName": self.pipeline_name}
        if step_name is not None:
            dimensions["StepName"] = step_name
        if "period" not in given:
            # Not setdefault(): its default would be created (a jsii round trip) every call.
            given["period"] = Duration.minutes(5)
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={**dimensions, **given.pop("dimensions_map", {})},
            **given,
        )

    def _metric_problems(
        self, metric_name: object, step_name: object, options: Mapping[str, object]
    ) -> list[Problem | None]:
        """The metric must exist, with the dimensions SageMaker publishes it with.

        Any other name or dimension gives a metric without data: an alarm on it never fires.
        """
        problems: list[Problem | None] = [expect_str("metric_name", metric_name, optional=False)]
        if not isinstance(metric_name, str) or is_unresolved(metric_name):
            pass
        elif metric_name not in (*EXECUTION_METRICS, *STEP_METRICS):
            problems.append(
                PropProblem(
                    None,
                    "metric_name",
                    f"{metric_name!r} is not a metric of {METRICS_NAMESPACE} (execution "
                    f"metrics: {', '.join(EXECUTION_METRICS)}; step metrics, with step_name: "
                    f"{', '.join(STEP_METRICS)})",
                    did_you_mean(metric_name, (*EXECUTION_METRICS, *STEP_METRICS)),
                )
            )
        elif metric_name in STEP_METRICS and step_name is None:
            problems.append(
                PropProblem(
                    None,
                    "step_name",
                    f"{metric_name} is published per step: without step_name the metric has "
                    "no data",
                    f"metric({metric_name!r}, step_name='Train')",
                )
            )
        elif metric_name in EXECUTION_METRICS and step_name is not None:
            problems.append(
                PropProblem(
                    None,
                    "step_name",
                    f"{metric_name} is published per pipeline, without a StepName dimension: "
                    "with step_name the metric has no data",
                    f"leave step_name out, or use {metric_name.replace('Execution', 'Step')}",
                )
            )
        if step_name is not None:
            known = self._known_step_names()
            problem = expect_str("step_name", step_name)
            if problem is None and known and not is_unresolved(step_name):
                assert isinstance(step_name, str)
                if step_name not in known:
                    problem = PropProblem(
                        None,
                        "step_name",
                        f"{step_name!r} is not a step of this pipeline (steps: {', '.join(known)})",
                        did_you_mean(step_name, known),
                    )
            problems.append(problem)
        problems += metric_options_problems(options, "Duration.minutes(5)")
        problems.append(
            whole_minutes_problem(
                options.get("period"),
                "the pipeline metrics have one data point a minute: Duration.minutes(1) or more",
            )
        )
        problems += _metric_option_type_problems(options)
        dimensions = options.get("dimensions_map")
        if dimensions is not None and not (
            isinstance(dimensions, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in dimensions.items())
        ):
            problems.append(
                PropProblem(
                    None,
                    "dimensions_map",
                    f"expected a dict of strings to strings, got {describe(dimensions)}",
                )
            )
        return problems

    def _metric_of_statistic(
        self, metric_name: str, statistic: str, options: _MetricOptions
    ) -> cloudwatch.Metric:
        """``metric(metric_name)`` with ``statistic`` unless ``options`` give another."""
        merged: _MetricOptions = {"statistic": statistic, **options}
        return self.metric(metric_name, **merged)

    def metric_execution_started(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Executions started (Sum over 5 minutes by default)."""
        return self._metric_of_statistic("ExecutionStarted", "Sum", options)

    def metric_execution_failed(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Executions that failed (Sum over 5 minutes by default)."""
        return self._metric_of_statistic("ExecutionFailed", "Sum", options)

    def metric_execution_succeeded(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Executions that succeeded (Sum over 5 minutes by default)."""
        return self._metric_of_statistic("ExecutionSucceeded", "Sum", options)

    def metric_execution_stopped(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Executions that were stopped (Sum over 5 minutes by default)."""
        return self._metric_of_statistic("ExecutionStopped", "Sum", options)

    def metric_execution_duration(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Execution duration in milliseconds (Average over 5 minutes by default)."""
        return self._metric_of_statistic("ExecutionDuration", "Average", options)

    def metric_step_failed(
        self, step_name: str, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """Failures of one step (Sum over 5 minutes by default)."""
        merged: _StepMetricOptions = {"statistic": "Sum", **options, "step_name": step_name}
        return self.metric("StepFailed", **merged)

    # -- events ----------------------------------------------------------------------

    def on_event(
        self,
        construct_id: str,
        *,
        target: events.IRuleTarget | None = None,
        description: str | None = None,
        rule_name: str | None = None,
        event_pattern: events.EventPattern | None = None,
    ) -> events.Rule:
        """A rule for any SageMaker event about this pipeline (source ``aws.sagemaker``).

        ``event_pattern`` narrows the rule (detail type, detail, account, region, id, time,
        version); its source and resources are this pipeline's, and giving them fails.

        Example::

            pipeline.on_event("OnStepFailed", target=targets.SnsTopic(topic),
                              event_pattern=events.EventPattern(
                                  detail={"currentStepStatus": ["Failed"]}))
        """
        raise_for(
            [
                *rule_problems(self, construct_id, target, description, rule_name),
                _event_pattern_problem(event_pattern),
            ],
            lambda: f"{self.node.path}.on_event({construct_id!r})",
        )
        return self._rule(
            construct_id,
            target=target,
            description=description,
            rule_name=rule_name,
            event_pattern=event_pattern or events.EventPattern(),
        )

    def _rule(
        self,
        construct_id: str,
        *,
        target: events.IRuleTarget | None,
        description: str | None,
        event_pattern: events.EventPattern,
        rule_name: str | None = None,
    ) -> events.Rule:
        """The rule of ``event_pattern`` with this pipeline's source and ARN (props checked)."""
        if isinstance(self, _ImportedPipeline):
            # A Pipeline of this app is in the stack of its rules.
            warn_forwarded_events(
                self,
                f"{WARNING_PREFIX}:rule-of-another-environment",
                environment_problem(
                    "pipeline",
                    self,
                    self,
                    "SageMaker sends its events to EventBridge in the pipeline's own account "
                    "and region",
                    "create the rule in a stack of the pipeline's account and region",
                ),
            )
        pattern = event_pattern
        rule = events.Rule(
            self,
            construct_id,
            description=description,
            rule_name=rule_name,
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                resources=self._arn_spellings,
                detail_type=pattern.detail_type,
                detail=pattern.detail,
                account=pattern.account,
                region=pattern.region,
                id=pattern.id,
                time=pattern.time,
                version=pattern.version,
            ),
        )
        if target is not None:
            rule.add_target(target)
        return rule

    def on_execution_status_change(
        self,
        construct_id: str,
        *,
        statuses: Sequence[str] | None = None,
        target: events.IRuleTarget | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule for execution status changes (optionally only to ``statuses``)."""
        return self._on_execution_status_change(
            "on_execution_status_change", construct_id, statuses, target, description
        )

    def _on_execution_status_change(
        self,
        method: str,
        construct_id: str,
        statuses: Sequence[str] | None,
        target: events.IRuleTarget | None,
        description: str | None,
    ) -> events.Rule:
        check_status_rule(
            self,
            method,
            construct_id,
            ("statuses", statuses, PIPELINE_EXECUTION_STATUSES),
            target,
            description,
        )
        detail = {"currentPipelineExecutionStatus": list(statuses)} if statuses else None
        return self._rule(
            construct_id,
            target=target,
            description=description,
            event_pattern=events.EventPattern(detail_type=[EXECUTION_STATUS_CHANGE], detail=detail),
        )

    def on_execution_failed(
        self,
        construct_id: str,
        *,
        target: events.IRuleTarget | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule for executions that end Failed."""
        return self._on_execution_status_change(
            "on_execution_failed", construct_id, ["Failed"], target, description
        )

    def on_step_status_change(
        self,
        construct_id: str,
        *,
        statuses: Sequence[str] | None = None,
        step_names: Sequence[str] | None = None,
        target: events.IRuleTarget | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule for step status changes, optionally filtered by status and step."""
        raise_for(
            [
                expect_names("statuses", statuses, STEP_STATUSES) if statuses is not None else None,
                self._expect_step_names(step_names) if step_names is not None else None,
                *rule_problems(self, construct_id, target, description),
            ],
            lambda: f"{self.node.path}.on_step_status_change({construct_id!r})",
        )
        detail: dict[str, Any] = {}
        if statuses:
            detail["currentStepStatus"] = list(statuses)
        if step_names:
            detail["stepName"] = list(step_names)
        return self._rule(
            construct_id,
            target=target,
            description=description,
            event_pattern=events.EventPattern(
                detail_type=[STEP_STATUS_CHANGE], detail=detail or None
            ),
        )

    def _known_step_names(self) -> list[str]:
        """The names of the pipeline's steps; empty for an imported pipeline (unknown)."""
        definition = getattr(self, "definition", None)
        steps = definition.get("Steps") if isinstance(definition, dict) else None
        return [step["Name"] for step in _all_steps(steps or [])]

    def _expect_step_names(self, step_names: object) -> Problem | None:
        """A list of strings; a ``Pipeline`` also knows which steps it has."""
        known = self._known_step_names()
        if isinstance(step_names, (list, tuple)) and not step_names:
            # Left out of the pattern, an empty list would match every step.
            return PropProblem(
                None,
                "step_names",
                "expected at least one step name, got an empty list",
                "leave step_names out to match every step",
            )
        return (
            expect_names("step_names", step_names, known)
            if known
            else expect_strings("step_names", step_names)
        )


class _ImportedPipeline(PipelineBase):
    def __init__(self, scope: Construct, construct_id: str, name: str, arn: str) -> None:
        # The resource's environment is the ARN's (another account or region stays so).
        super().__init__(scope, construct_id, environment_from_arn=arn)
        self._name = name
        self._arn = arn

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._name

    @property
    def pipeline_arn(self) -> str:
        """The pipeline's ARN."""
        return self._arn


# A reference to a parameter, as json.dumps writes it.
_PARAMETER_GET = re.compile(r'"Get": "Parameters\.([^"\\]+)"')


class Pipeline(PipelineBase):
    """A SageMaker pipeline with least-privilege roles derived from its definition.

    ``definition`` is a ``PipelineDefinition`` (compiled here with a CDK binder: local
    code becomes content-hashed assets, framework images resolve per region, outputs
    without destination go to the artifact bucket, every job gets the artifact KMS key)
    or a definition JSON (a dict, JSON text or a file), validated the same way. Invalid
    definitions fail synth with ``PipelineValidationError`` listing every problem, and so
    does a definition too big for the CloudFormation template that holds it (1 MB).

    Two roles are derived from the definition, each with a customer-managed policy: the
    pipeline role (Create/Describe/Stop on ``pipelines-*`` jobs of the step types used,
    ``iam:PassRole`` for the jobs' roles only, registration limited to the model package
    groups used with ``PendingManualApproval``, the Lambda functions and queues used) and
    the step role (exactly the S3 locations read and written, the keys, images, logs and
    metrics). AutoML steps of a ``PipelineDefinition`` run with a third, the AutoML role
    (``automl_role``): the step role's policies plus the model and endpoint actions
    Autopilot takes, which the other jobs' role doesn't get. S3 locations the construct
    can't attribute (a free-form parameter) are reported as a warning: declare them with
    ``parameter_locations``.

    The steps named in ``dedicated_step_roles`` (Processing, Training, Tuning, check and
    Model steps), or every such step with ``"*"``, each run with a role of their own
    (``dedicated_roles``, by step name), whose policies are derived from that step alone (a
    Model step's, the model's execution role, from the model and the Transform jobs and
    endpoints of it): a job that handles untrusted input can't read the other steps' inputs
    nor overwrite their outputs. The step role's are then derived from the other steps::

        pipeline = Pipeline(self, "Training", definition=build_pipeline(...),
                            dedicated_step_roles=["Preprocess"])
        raw_bucket.grant_read(pipeline.dedicated_roles["Preprocess"], "incoming/*")
        # Or a role for every job step, kept in step with the definition as it grows:
        Pipeline(self, "Scoring", definition=build_scoring(...), dedicated_step_roles="*")

    The pipeline is retained by default (``removal_policy``): SageMaker deletes a
    pipeline's execution history with it, and a new ``pipeline_name`` or construct path
    replaces the pipeline.

    Example::

        store = ArtifactStore(self, "Artifacts")
        pipeline = Pipeline(self, "Training", definition=build_pipeline(...),
                            artifact_store=store, max_parallel_execution_steps=4,
                            parameter_locations={"InputDataKey": ["incoming/*", "curated/*"]})
        pipeline.grant_start_pipeline_execution(ci_role)
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition: DefinitionSource,
        pipeline_name: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        artifact_store: ArtifactStore | None = None,
        role: iam.IRole | None = None,
        step_role: iam.IRole | None = None,
        automl_role: iam.IRole | None = None,
        dedicated_step_roles: Sequence[str] | Literal["*"] | None = None,
        model_stores: Mapping[str, ArtifactStore] | None = None,
        max_parallel_execution_steps: int | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        allow_all_outbound: bool = False,
        enable_network_isolation: bool = False,
        encrypt_inter_container_traffic: bool = True,
        parameter_locations: Mapping[str, str | Sequence[str]] | None = None,
        tags: Mapping[str, str] | None = None,
        job_tags: Mapping[str, str] | None = None,
        allowed_instance_types: Sequence[str] | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the pipeline. See the class docstring for what each part becomes.

        :param definition: ``PipelineDefinition``, a definition dict, JSON text or a JSON file.
        :param pipeline_name: Default: a unique name derived from the construct path.
        :param artifact_store: where outputs go and whose key encrypts jobs: one of the
            pipeline's account and region (another stack's is fine), new or adopting an
            existing bucket and key (``ArtifactStore.from_existing``).
            Default: a new ``ArtifactStore`` in this construct, retained whatever
            ``removal_policy`` says (give a store of your own to choose its removal policy);
            its key and buckets get new logical ids, as the pipeline does, when the
            construct is renamed or moved (new, empty ones are created).
        :param role: the pipeline's role. Default: a least-privilege role derived from the steps.
        :param step_role: the jobs' role. Default: a least-privilege role derived from the steps.
        :param automl_role: the role AutoML jobs run with, which gets the step role's
            policies and what Autopilot does with it (create, invoke and delete models and
            endpoints). The AutoML steps of a ``PipelineDefinition`` that name no ``role``
            run with it; those of a definition JSON whose ``RoleArn`` is its ARN too.
            Default: for a ``PipelineDefinition`` with such AutoML steps, a least-privilege
            role derived from the steps; otherwise none (a definition JSON's AutoML steps
            run as their ``RoleArn`` says, and its Autopilot permissions go to the step role).
        :param dedicated_step_roles: names of job steps of a ``PipelineDefinition``
            (Processing, Training, Tuning, QualityCheck, ClarifyCheck and Model steps that
            name no ``role``, ``RawStep``s of those types whose arguments name none) that
            each run with a role of their own, created here and derived from that step alone
            (``dedicated_roles``): a job that handles untrusted input then can't read the
            other steps' inputs nor overwrite their outputs, and the step role no longer
            gets that step's reads and writes (unless another step needs them). A Model
            step's role is its model's execution role, which the Transform jobs of the model
            and the endpoints serving it run as too: it is derived from them all (the
            model's data, code and images, the jobs' inputs, outputs and keys, the
            endpoints' captured data and rollback alarms). Not a Model step whose model
            other steps name where what runs as its role can't be derived (a Lambda step's
            input, an inference component: give it ``role=``), nor AutoML steps (see
            ``automl_role``), nor a definition JSON (its ``RoleArn`` values are fixed).
            ``"*"``: every step that can have one, branch steps included, as if each were
            listed; the others (AutoML steps, such Model steps, steps given a ``role``, a
            ``TuningStep`` some of whose training job definitions have one, steps of no
            job role) are left as they are. The step role then runs only the jobs of those
            others; when it runs none (nor stands for the role of a model no Model step
            creates, which Transform and endpoint steps may run as), its policies are
            attached to no role (the AutoML role only, for AutoML steps) and the pipeline
            role can't pass it.
            Default: none (every job runs as the step role).
        :param model_stores: per Model step of a registered version of another account
            (shared with ``ModelRegistry.share_with_account``), the store of that account
            holding the version's model data, usually adopted with
            ``ArtifactStore.from_existing``: the model's execution role (the step's
            dedicated role, else the step role), which the model and its Transform jobs
            run as, may read ``models/`` and ``sealed/`` of its bucket and decrypt with its
            key through S3, and the pipeline role create models of that account's versions
            when the version is known only at run time. A step that isn't such a Model
            step, a store of the pipeline's own account (grant
            ``artifact_store.grant_read_models`` instead) or of another region, a version
            ARN (or a parameter's default) of another account than the store's or of another
            region, or a step whose model runs as a
            ``role`` of its own fails synth naming ``model_stores[<step>]``.
            Default: none.
        :param max_parallel_execution_steps: Default: no limit beyond the service's.
        :param vpc: run jobs in this VPC, in ``vpc_subnets`` (Default: what
            ``vpc.select_subnets()`` picks, its private subnets if it has any; public ones
            get a warning, as job instances get no public IP) with
            ``security_groups`` (Default: a new group that admits inbound traffic from its
            own members only, which the instances of a distributed job need, and sends
            to them and to TCP 443 only: see ``allow_all_outbound``).
        :param allow_all_outbound: let the group created for ``vpc`` (none is created with
            ``security_groups``) send anything anywhere (IPv4), as aws-cdk-lib's
            ``SecurityGroup`` does by default: for jobs that reach a database, say, on a
            port other than 443. Default: False (outbound TCP 443 to anywhere, IPv6 too for
            an ``ec2.Vpc`` with IPv6, and all traffic to the group's own members: S3, the
            interface endpoints jobs use, HTTPS package indexes and a distributed job's
            other instances).
        :param enable_network_isolation: block all network access from job containers.
        :param encrypt_inter_container_traffic: encrypt traffic between the instances of a
            distributed job. Applies with ``vpc`` (jobs outside a VPC get no such setting).
        :param parameter_locations: per parameter that names S3 data, the IAM patterns of the
            values it may take: URIs for a parameter that is a whole location, the part it
            fills (a key pattern, a bucket name) for one joined into a location.
        :param tags: tags of the CloudFormation resources this construct creates (the
            pipeline, its roles, policies and store), as ``Tags.of(self)`` adds them. Not
            the jobs the pipeline starts: see ``job_tags``.
        :param job_tags: tags of every SageMaker job the pipeline's executions start
            (processing, training, tuning, transform, AutoML, and the check steps'
            processing jobs) and every model, endpoint configuration, endpoint and
            inference component its Model, EndpointConfig, Endpoint and InferenceComponent
            steps create, written into each Create* request in the definition, for cost
            allocation and for SCPs that require tags on ``sagemaker:Create*``: SageMaker
            doesn't copy the pipeline's tags to them. A tag the step sets itself
            (``tags=``, ``extra_arguments={"Tags": [...]}``, or ``Tags`` in a definition
            JSON) wins on the same key. Checked as SageMaker would: keys of 1-128 and
            values of up to 256 letters, spaces, numbers and ``_.:/=+-@``, no ``aws:`` key,
            at most 50 tags on a job. Default: none (the definition is left as it is).
        :param allowed_instance_types: the instance types the pipeline's jobs (processing,
            check, training, tuning, transform) and its ``EndpointConfig`` steps' variants
            may run on, as instance types or IAM patterns (``["ml.m5.*", "ml.g5.2xlarge"]``;
            each must name a type of botocore's SageMaker instance type enums). Checked at
            synth: a literal instance type outside the cap fails naming the step and field,
            an instance-type parameter's default or ``EnumValues`` naming the parameter; one
            without ``EnumValues`` (any value at run time) is warned,
            ``cdk-sagemaker-pipelines:open-instance-type``. Enforced at run time by a
            ``Deny`` of the pipeline role (``DenyOtherInstanceTypes``, on
            ``sagemaker:InstanceTypes``), so an execution started with another instance type
            fails its step. Per pipeline: an SCP caps a whole account. Default: no cap.
        :param removal_policy: what becomes of the pipeline when it leaves the stack (the
            construct removed, ``cdk destroy``) or is replaced (a new ``pipeline_name``,
            or a new construct path, which makes a new logical id): SageMaker deletes a
            pipeline's executions with it. Default: retain (the old pipeline stays, with
            its history, until you delete it: ``aws sagemaker delete-pipeline``; until
            then, a stack deployed again after ``cdk destroy`` fails on its name). Not
            ``SNAPSHOT``: a pipeline has no snapshots.
        """
        check_new_child("Pipeline", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        remember_pipeline(self)
        name = pipeline_name if pipeline_name is not None else _default_name(self)
        problems = _check_props(name, display_name, description, max_parallel_execution_steps)
        problems += _definition_type_problems(definition)
        roles = {"role": role, "step_role": step_role, "automl_role": automl_role}
        problems += _check_collaborators(
            artifact_store, roles, vpc, vpc_subnets, security_groups, tags
        )
        problems += _job_tags_problems(job_tags)
        problems += _instance_cap_prop_problems(allowed_instance_types)
        problems += _dedicated_prop_problems(dedicated_step_roles, definition)
        problems += _model_stores_type_problems(model_stores)
        if not problems:
            problems += _other_app_problems(self, artifact_store, roles, vpc, security_groups)
        if not problems:
            problems += _same_name_problems(self, name)
        if not problems and artifact_store is not None:
            problems += _store_environment_problems(stack_of(self), artifact_store)
        if not problems and any(given is not None for given in roles.values()):
            problems += _passed_role_problems(self, roles)
            # Judged at synth: trust may be added to a role after it is given here
            # (role.assume_role_policy.add_statements(...)).
            node_of(self).add_validation(_RoleTrust(stack_of(self), roles))
        problems += [
            problem
            for problem in (
                expect_bool("enable_network_isolation", enable_network_isolation),
                expect_bool("encrypt_inter_container_traffic", encrypt_inter_container_traffic),
                *allow_all_outbound_problems(allow_all_outbound, vpc, security_groups),
                expect_removal_policy("removal_policy", removal_policy, "pipelines have"),
            )
            if problem is not None
        ]
        if not problems and not isinstance(definition, PipelineDefinition):
            # A definition JSON (a dict, JSON text or a file): the type is checked above.
            problems += _json_network_problems(
                vpc, vpc_subnets, security_groups, enable_network_isolation, allow_all_outbound
            )
        if not problems:
            problems += other_vpc_group_problems(vpc, security_groups, "the jobs run")
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")
        self._warn_of_a_name_that_may_clash(name)
        self._name = name
        stack = stack_of(self)
        self.artifact_store = artifact_store or ArtifactStore(self, "Artifacts")
        self.artifact_store._used_by(self)
        self.role = role or _service_role(self, "Role", f"Runs SageMaker pipeline {name}", stack)
        self.step_role = step_role or _service_role(
            self, "StepRole", f"Jobs of SageMaker pipeline {name}", stack
        )
        self.automl_role: iam.IRole | None = automl_role
        """The role AutoML jobs run with: ``automl_role``, or the one created for the AutoML
        steps of a ``PipelineDefinition``; None when there is neither."""
        self._automl_role_arn: str | None = None
        self._automl_role_matcher: Callable[[str], bool] | None = None
        # "*": every step that can have a role of its own, found as the steps are bound.
        self._every_step_dedicated = dedicated_step_roles == EVERY_JOB_STEP
        # Created as the steps are bound (see _bind_dedicated_role), in the prop's order
        # (for "*", the definition's: see _settle_every_step).
        self._dedicated_names: tuple[str, ...] = (
            () if self._every_step_dedicated else tuple(dedicated_step_roles or ())
        )
        self._dedicated_roles: dict[str, iam.IRole] = {}
        self._dedicated_role_arns: dict[str, str] = {}
        # Per step, the dedicated steps whose roles run its jobs: itself, or a Model step
        # whose model it runs (a Transform step, an endpoint). Known once they are settled.
        self._runs_as_dedicated: dict[str, list[str]] = {}
        # "*": what the binder wrote for each step's jobs, until the step's role is settled.
        self._unsettled_role_arns: dict[str, str] = {}
        self.dedicated_roles: Mapping[str, iam.IRole] = MappingProxyType(self._dedicated_roles)
        """The role each step of ``dedicated_step_roles`` runs with, by step name (read-only)."""
        self._compiled_steps: Mapping[str, Any] = {}
        network = self._network(
            vpc,
            vpc_subnets,
            security_groups,
            enable_network_isolation,
            encrypt_inter_container_traffic,
            allow_all_outbound,
        )
        key_arn = self.artifact_store.key.key_arn
        # As written into the definition (and so into the pipeline role's iam:PassRole):
        # see _roles.py for the roles of aws-cdk-lib's customize_roles.
        self._step_role_arn = bound_role_arn(self.step_role)
        self._binder = CdkBinder(
            self,
            step_role_arn=self._step_role_arn,
            bucket=self.artifact_store.bucket,
            key_arn=key_arn,
            network=network,
            automl_role_arn=self._bind_automl_role,
            job_tags=job_tags,
            dedicated_role_arn=(
                self._bind_dedicated_role
                if self._dedicated_names or self._every_step_dedicated
                else None
            ),
            seal_function_arn=lambda: self._bind_seal_function(name),
        )
        self.seal_function: lambda_.IFunction | None = None
        """The function the pipeline's ``SealStep``s run (None without one)."""
        self._seal: SealFunction | None = None
        compiled = self._compile(definition)
        # Which steps run as the roles of the models the Model steps create: a Model step's
        # dedicated role is derived from them all (the role fields don't matter here).
        self._model_roles: ModelRoles = model_roles(compiled)
        if self._every_step_dedicated:
            self._settle_every_step(compiled)
        self.definition: dict[str, Any] = freeze(compiled)
        """The compiled definition, read-only: changing it after the construct exists raises."""
        problems = self._dedicated_step_problems()
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")
        if self._every_step_dedicated and not self._dedicated_roles:
            self._warn_no_dedicated_step()
        # Rendered for the template once: the size check measures the same rendering (for
        # a definition of hundreds of steps, each rendering sends it all to jsii).
        body = stack.to_json_string(self.definition)
        size_in_template = self._checked_definition_size(stack, body)
        self._check_parameter_locations(parameter_locations)
        self._parameter_locations: Mapping[str, str | Sequence[str]] = dict(
            parameter_locations or {}
        )
        self.plan: PermissionPlan = plan_permissions(
            self.definition, pipeline_name=name, parameter_locations=parameter_locations
        )
        problems = [
            as_prop(problem, "parameter_locations") if problem.step is None else problem
            for problem in parameter_location_problems(self.plan, self._parameter_locations)
        ]
        self._model_stores: dict[str, ArtifactStore] = dict(model_stores or {})
        problems += self._model_store_problems()
        problems += self._passed_role_arn_problems(isinstance(definition, PipelineDefinition))
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")
        for store in dict.fromkeys(self._model_stores.values()):
            store._used_by(self, models_only=True)
        # Each dedicated role is planned from the steps that run as it: its own step, and for
        # a Model step the Transform jobs and endpoints of its model. The step role runs
        # every job but those: planned without them (a step that also runs as another role,
        # an endpoint serving a model of the step role too, stays with it).
        for dedicated in self._dedicated_names:
            for step in self._model_roles.steps_of(dedicated):
                self._runs_as_dedicated.setdefault(step, []).append(dedicated)
        # Planned together: the steps each role leaves out are planned once for all roles.
        role_steps: dict[str | None, frozenset[str]] = {
            step: frozenset(self._model_roles.steps_of(step)) for step in self._dedicated_names
        }
        if role_steps:
            role_steps[None] = frozenset(  # the step role's
                spec.name
                for spec in walk_steps(self.definition.get("Steps") or [])
                if spec.name not in role_steps
                and not self._model_roles.runs_only_as(spec.name, self._dedicated_names)
            )
        role_plans = plan_role_permissions(
            self.definition,
            role_steps,
            pipeline_name=name,
            parameter_locations=parameter_locations,
        )
        step_role_plan = role_plans.pop(None, self.plan)
        dedicated_plans = {str(step): plan for step, plan in role_plans.items()}
        self._warn_dedicated_roles_reaching_other_steps(
            dedicated_plans, name, parameter_locations or {}
        )
        self._instance_type_cap: tuple[str, ...] = tuple(allowed_instance_types or ())
        self._check_instance_type_cap()
        self._check_defaults_in_locations()
        self._check_run_time_resources()
        self._check_invoked_resource_attributes(python=isinstance(definition, PipelineDefinition))
        self._check_self_approval()
        self._check_clarify_asset_configs()
        self._check_bucket_environments(stack)
        self._check_cache_outlives_outputs()
        self._warn_unattributed()
        self._warn_unused_parameters()
        self._warn_output_location_prefixes()
        self._warn_unplanned_steps()
        self._warn_open_deploy_names()
        self._warn_open_lineage_names()
        self._warn_external_endpoint_configs()
        self._warn_external_model_endpoints()
        self._warn_open_rollback_alarms()
        self._warn_rollback_alarms_of_another_role()
        self._warn_debugger_rules()
        self._warn_spot_training_without_checkpoints()
        self._warn_job_traps()
        self._warn_check_steps()
        self._warn_open_job_name_prefixes()
        self._warn_open_emr_clusters()
        self._warn_open_vpc_configs()
        self._warn_raw_steps_outside_network(network)
        self._warn_jobs_not_run_as_step_role()
        self._warn_manifest_inputs()
        self._warn_output_keys_not_the_stores()
        self._warn_unattributed_images()
        self._warn_external_model_transforms()
        self._warn_models_from_model_packages()
        self._warn_open_registrations()
        self._warn_registered_artifacts_writable()
        self._warn_lambda_reads_artifacts()
        self._warn_emr_steps_creating_clusters()
        self._warn_registered_asset_code()
        self._warn_registered_asset_files()
        self.registered_images = self._registered_images()
        self._warn_registry_store()
        # The store's own bucket is encrypted with the key the store made it with; a bucket
        # the store didn't make (replaced after construction) is looked up like any other.
        bucket_key = self.artifact_store._key_of(self.artifact_store.bucket)
        lookups = Lookups(
            stack,
            self.plan,
            buckets=self._binder.buckets,
            # What the statements of these buckets call them: ReadDataInArtifactsBucket.
            bucket_names={
                **dict.fromkeys(self._binder.asset_bucket_names, ASSETS_BUCKET_SID_NAME),
                self._binder.bucket_name: ARTIFACTS_BUCKET_SID_NAME,
            },
            bucket_key_arns=(
                {}
                if bucket_key is None
                else {
                    self._binder.bucket_name: key_arn
                    if bucket_key is self.artifact_store.key
                    else bucket_key.key_arn
                }
            ),
        )
        # The AutoML jobs that run as the AutoML role get Autopilot's statements there; any
        # other AutoML job's go to the step role, which stands for the jobs' roles (a
        # definition JSON's, and a step given role=: see _warn_jobs_not_run_as_step_role).
        is_automl_role = self._runs_as_automl_role()
        on_automl_role = [arn for arn in self.plan.automl_roles if is_automl_role(arn)]
        step_role_automl_roles = [
            arn for arn in self.plan.automl_roles if arn not in on_automl_role
        ]
        # Beside dedicated roles, a step role no job runs as ("*" may leave it none) gets no
        # policy: what the remaining steps need (a registration's model data) would only
        # widen a role nothing uses. Its policies are still made (step_role_policies),
        # for the AutoML role, which gets them, or for whoever attaches them.
        step_role_idle = bool(dedicated_plans) and self._step_role_runs_no_job(is_automl_role)
        self._step_role_idle = step_role_idle

        step_role_lookups = lookups if not dedicated_plans else lookups.narrowed(step_role_plan)
        step_role_repositories = (
            self._binder.repositories
            if not dedicated_plans
            else self._repositories_of(step_role_plan, shared=True)
        )

        def derive_step_statements(
            pipeline_wide: PipelineWide | None = None,
        ) -> list[iam.PolicyStatement]:
            return step_role_statements(
                step_role_plan,
                stack,
                step_role_lookups,
                repositories=step_role_repositories,
                network=self._vpc_statements(network) if step_role_plan.uses_vpc else None,
                automl_roles=step_role_automl_roles,
                pipeline_wide=pipeline_wide,
            ) + self._model_store_statements(
                [step for step in self._model_stores if step not in dedicated_plans]
            )

        # Statements the pipeline role gets beside its plan's, kept when the plan's are
        # derived again (collapsed, below).
        invoke_seal: list[iam.PolicyStatement] = []
        if self._seal is not None:
            self._seal.grant(self.plan.sealed_reads, self.plan.manifest_lists)
            invoke_seal.append(
                iam.PolicyStatement(
                    sid="InvokeSealFunction",
                    actions=["lambda:InvokeFunction"],
                    resources=[self._seal.function.function_arn],
                )
            )
        pipeline_statements = (
            pipeline_role_statements(
                self.plan, stack, lookups, instance_type_cap=self._instance_type_cap
            )
            + self._model_store_version_statements(stack)
            + invoke_seal
        )
        step_statements = derive_step_statements()
        automl_statements = automl_role_statements(self.plan, stack, lookups, on_automl_role)
        if automl_role is not None and not on_automl_role:
            self._warn_unused_automl_role()
        # Roles imported with mutable=False (or without_policy_updates()) stay untouched:
        # their policies are someone else's, and attaching may fail the deployment.
        locked = {
            prop
            for prop, given in roles.items()
            if given is not None and _refuses_policy_updates(given)
        }
        sized = _sized(stack, pipeline_statements, step_statements)
        # Rendered apart: the same statements may be in the step role's policy too (AutoML
        # jobs of another role), which one document would merge.
        automl_rendered = render_statements(stack, automl_statements)
        automl_lengths = statement_lengths(stack, automl_statements, automl_rendered)
        automl_split = split_long_statements(
            stack, automl_statements, automl_rendered, automl_lengths
        )
        if len(automl_split) != len(automl_statements):
            automl_statements = automl_split
            automl_rendered = render_statements(stack, automl_statements)
            automl_lengths = statement_lengths(stack, automl_statements, automl_rendered)
        automl_groups = pack(automl_statements, automl_lengths)
        # More policies than a role takes by default: the role's locations under this
        # pipeline's own prefixes of the artifact bucket are granted on those prefixes as a
        # whole, which the jobs of its one step role could already reach step by step, and
        # nothing else (see _collapse_message). Any other pipeline is left as it was.
        pipeline_wide: PipelineWide = {
            self._binder.bucket_name: [f"{EXECUTIONS_PREFIX}{name}/", f"{MODELS_PREFIX}{name}/"]
        }
        collapsed: dict[str, list[tuple[str, str]]] = {}
        before = {"role": len(sized.role_groups), "step_role": len(sized.step_groups)}
        # The AutoML role gets the step role's policies too: when they are what make it
        # overflow, the step role's are collapsed (the AutoML role's own hold no locations
        # of the pipeline's steps).
        automl_before = len(automl_groups) + before["step_role"] if automl_groups else 0
        if before["role"] > MAX_MANAGED_POLICIES_PER_ROLE:
            used = pipeline_wide_locations(self.plan.property_file_reads, pipeline_wide)
            if used:
                collapsed["role"] = used
                pipeline_statements = (
                    pipeline_role_statements(
                        self.plan,
                        stack,
                        lookups,
                        pipeline_wide=pipeline_wide,
                        instance_type_cap=self._instance_type_cap,
                    )
                    + self._model_store_version_statements(stack)
                    + invoke_seal
                )
        # Not beside dedicated roles: the prefixes as a whole would give the step role back
        # the dedicated steps' outputs (too many policies is then reported as it is).
        if (
            max(before["step_role"], automl_before) > MAX_MANAGED_POLICIES_PER_ROLE
            and not dedicated_plans
        ):
            used = pipeline_wide_locations(
                [*step_role_plan.reads, *step_role_plan.writes], pipeline_wide
            )
            if used:
                collapsed["step_role"] = used
                step_statements = derive_step_statements(pipeline_wide)
        if collapsed:
            sized = _sized(stack, pipeline_statements, step_statements)
        rendered = sized.rendered
        role_groups, step_groups = sized.role_groups, sized.step_groups
        counts = (
            ("role", len(role_groups)),
            ("step_role", len(step_groups)),
            # The AutoML role gets the step role's policies too.
            ("automl_role", len(automl_groups) + len(step_groups) if automl_groups else 0),
        )
        # More than IAM attaches to a role even with its quota raised: no deploy can work.
        bucket = self.artifact_store.bucket
        widened = {
            prop: _collapsed_locations(bucket, self._binder.bucket_name, used)
            for prop, used in collapsed.items()
        }
        widened_for = {**widened, "automl_role": widened.get("step_role")}
        problems = [
            PropProblem(None, prop, *_too_many_policies(count, widened_for.get(prop)))
            for prop, count in counts
            if count > MAX_MANAGED_POLICIES_PER_ROLE_RAISED
        ]
        # Each dedicated role: its step's data, keys, images, logs and network, sized apart.
        dedicated_sized = {
            step: _sized_alone(
                stack,
                step_role_statements(
                    plan,
                    stack,
                    lookups.narrowed(plan),
                    repositories=self._repositories_of(plan),
                    network=self._vpc_statements(network) if plan.uses_vpc else None,
                )
                + self._model_store_statements([step] if step in self._model_stores else []),
            )
            for step, plan in dedicated_plans.items()
        }
        for step, (_, _, groups) in dedicated_sized.items():
            if len(groups) > MAX_MANAGED_POLICIES_PER_ROLE_RAISED:
                message, hint = _too_many_policies(len(groups))
                problems.append(
                    PropProblem(
                        None,
                        "dedicated_step_roles",
                        f"the role of step '{step}' (pipeline.dedicated_roles[{step!r}]): "
                        + message.replace("derived for it", "derived for that step"),
                        hint,
                    )
                )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")
        for prop, locations in widened.items():
            automl = None
            if prop == "step_role" and automl_groups:
                automl = (automl_before, dict(counts)["automl_role"])
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:permissions-collapsed",
                _collapse_message(prop, before[prop], dict(counts)[prop], locations, automl),
            )
        for prop, count in counts:
            if count > MAX_MANAGED_POLICIES_PER_ROLE:
                # A warning: the quota can be raised (to 20), and what else the role has
                # attached is not known here.
                Annotations.of(self).add_warning_v2(
                    f"{WARNING_PREFIX}:too-many-role-policies",
                    _policy_count_message(prop, count),
                )
        for step, (_, _, groups) in dedicated_sized.items():
            if len(groups) > MAX_MANAGED_POLICIES_PER_ROLE:
                Annotations.of(self).add_warning_v2(
                    f"{WARNING_PREFIX}:too-many-role-policies",
                    _policy_count_message(
                        f"the role of step '{step}' (pipeline.dedicated_roles[{step!r}])",
                        len(groups),
                    ),
                )
        self.role_policies: list[iam.ManagedPolicy] = managed_policies(
            self,
            "RolePolicy",
            f"What SageMaker pipeline {name} may do (derived from its steps)",
            role_groups,
            None if "role" in locked else self.role,
        )
        """The managed policies of the permissions derived for ``role`` (several for a
        pipeline whose permissions don't fit one; none when its steps need nothing)."""
        self.role_policy: iam.ManagedPolicy | None = (
            self.role_policies[0] if self.role_policies else None
        )
        """The (first) managed policy of the permissions derived for ``role``."""
        self.step_role_policies: list[iam.ManagedPolicy] = managed_policies(
            self,
            "StepRolePolicy",
            f"What the jobs of SageMaker pipeline {name} may do",
            step_groups,
            None if "step_role" in locked or step_role_idle else self.step_role,
        )
        """The managed policies of the permissions derived for ``step_role`` (attached to no
        role when no job runs as it: see ``dedicated_step_roles``)."""
        self.step_role_policy = self.step_role_policies[0]
        """The (first) managed policy of the permissions derived for ``step_role``."""
        attach_to_automl_role = (
            self.automl_role if automl_groups and "automl_role" not in locked else None
        )
        self.automl_role_policies: list[iam.ManagedPolicy] = managed_policies(
            self,
            "AutoMLRolePolicy",
            f"What the AutoML jobs of SageMaker pipeline {name} may do besides the other jobs",
            automl_groups,
            attach_to_automl_role,
        )
        """The managed policies of what ``automl_role`` may do besides the step role: the
        model and endpoint actions of Autopilot (none without AutoML jobs running as it)."""
        self.automl_role_policy: iam.ManagedPolicy | None = (
            self.automl_role_policies[0] if self.automl_role_policies else None
        )
        """The (first) managed policy of what ``automl_role`` may do besides the step role."""
        if attach_to_automl_role is not None and attach_to_automl_role is not self.step_role:
            # Autopilot's own processing, training and transform jobs run with it too:
            # they need the jobs' data, keys, images, logs and network.
            for policy in self.step_role_policies:
                policy.attach_to_role(attach_to_automl_role)
        self._dedicated_role_policies: dict[str, Sequence[iam.ManagedPolicy]] = {
            step: tuple(
                managed_policies(
                    self,
                    f"{_dedicated_role_id(step)}-Policy",
                    f"What the jobs of step {step} of SageMaker pipeline {name} may do",
                    groups,
                    self._dedicated_roles[step],
                )
            )
            for step, (_, _, groups) in dedicated_sized.items()
        }
        self.dedicated_role_policies: Mapping[str, Sequence[iam.ManagedPolicy]] = MappingProxyType(
            self._dedicated_role_policies
        )
        """The managed policies of each dedicated role (``dedicated_roles``), by step name."""
        self._warn_locked_roles(locked)
        self._resource = sagemaker.CfnPipeline(
            self,
            "Resource",
            pipeline_name=name,
            role_arn=bound_role_arn(self.role),
            # A raw dict: the typed property renders the wrong key casing (aws/aws-cdk#25774).
            pipeline_definition={"PipelineDefinitionBody": body},
            pipeline_description=description,
            pipeline_display_name=display_name,
            # Raw dict too: the typed property renders "maxParallelExecutionSteps".
            parallelism_configuration=(
                {"MaxParallelExecutionSteps": max_parallel_execution_steps}
                if max_parallel_execution_steps is not None
                else None
            ),
        )
        # Deleting a pipeline deletes its executions: the history of which run trained
        # which registered version.
        self._resource.apply_removal_policy(removal_policy)
        policies = [
            *(
                (policy, group, f"pipeline {name}")
                for policy, group in zip(self.role_policies, role_groups, strict=True)
            ),
            *(
                (policy, group, f"jobs of pipeline {name}")
                for policy, group in zip(self.step_role_policies, step_groups, strict=True)
            ),
        ]
        for policy in self.role_policies:
            # The role must be able to run jobs as soon as the pipeline exists.
            self._resource.node.add_dependency(policy)
        acknowledge_wildcards_of(stack, policies, rendered)
        if self.automl_role_policies:
            # Apart, as they were rendered (see automl_rendered).
            acknowledge_wildcards_of(
                stack,
                [
                    (policy, group, f"AutoML jobs of pipeline {name}")
                    for policy, group in zip(self.automl_role_policies, automl_groups, strict=True)
                ],
                automl_rendered,
            )
        for step, (_, dedicated_rendered, groups) in dedicated_sized.items():
            acknowledge_wildcards_of(
                stack,
                [
                    (policy, group, f"jobs of step {step} of pipeline {name}")
                    for policy, group in zip(
                        self._dedicated_role_policies[step], groups, strict=True
                    )
                ],
                dedicated_rendered,
            )
        self._arn = _name_arn(self, name, stack)
        for key, value in (tags or {}).items():
            Tags.of(self).add(key, value)
        # Counted once the pipeline is complete: one that failed (and was caught) isn't deployed.
        count_in_stack(stack, path_of(self), size_in_template, body)

    @staticmethod
    def from_pipeline_name(scope: Construct, construct_id: str, pipeline_name: str) -> PipelineBase:
        """Reference an existing pipeline by name (in the scope's account and region)."""
        check_new_child("Pipeline.from_pipeline_name", scope, construct_id)
        subject = f"Pipeline.from_pipeline_name {scope.node.path}/{construct_id}"
        if not isinstance(pipeline_name, str):
            raise PipelineValidationError(
                [
                    PropProblem(
                        None, "pipeline_name", f"expected a string, got {describe(pipeline_name)}"
                    )
                ],
                subject=subject,
            )
        if not is_unresolved(pipeline_name):
            problems = [
                as_prop(problem, "pipeline_name")
                for problem in validate_pipeline_name(pipeline_name)
            ]
            if problems and pipeline_name.startswith("arn:"):
                problems = [
                    PropProblem(
                        None,
                        "pipeline_name",
                        f"{pipeline_name!r} is an ARN, not a name",
                        "use Pipeline.from_pipeline_arn",
                    )
                ]
            if problems:
                raise PipelineValidationError(problems, subject=subject)
        return _ImportedPipeline(
            scope, construct_id, pipeline_name, _name_arn(scope, pipeline_name)
        )

    @staticmethod
    def from_pipeline_arn(scope: Construct, construct_id: str, pipeline_arn: str) -> PipelineBase:
        """Reference an existing pipeline by ARN (in any account and region)."""
        check_new_child("Pipeline.from_pipeline_arn", scope, construct_id)
        subject = f"Pipeline.from_pipeline_arn {scope.node.path}/{construct_id}"
        not_an_arn = PipelineValidationError(
            [
                PropProblem(
                    None,
                    "pipeline_arn",
                    f"{pipeline_arn!r} is not a pipeline ARN",
                    "expected arn:<partition>:sagemaker:<region>:<account>:pipeline/<name>",
                )
            ],
            subject=subject,
        )
        if not isinstance(pipeline_arn, str):
            raise not_an_arn
        if not is_unresolved(pipeline_arn) and not _PIPELINE_ARN.fullmatch(pipeline_arn):
            # Checked before split_arn, whose own error is a jsii RuntimeError.
            raise not_an_arn
        components = Stack.of(scope).split_arn(pipeline_arn, ArnFormat.SLASH_RESOURCE_NAME)
        assert components.resource_name is not None
        return _ImportedPipeline(scope, construct_id, components.resource_name, pipeline_arn)

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._name

    @property
    def pipeline_arn(self) -> str:
        """The pipeline's ARN."""
        return self._arn

    @property
    def cfn_pipeline(self) -> sagemaker.CfnPipeline:
        """The underlying ``AWS::SageMaker::Pipeline`` resource."""
        return self._resource

    def _undeclared_location(
        self, parameter: str, value: str, *, any_suffix: bool = False
    ) -> list[str]:
        """The ``parameter_locations`` of ``parameter`` when ``value`` matches none of them.

        The step role may only read or write the declared patterns, so an execution
        started with any other value fails with AccessDenied. ``any_suffix`` checks every
        value that starts with ``value`` (an S3 key prefix) instead. Empty when the value
        is covered, the parameter has no declared locations, or ``value`` or a pattern it
        doesn't match is a token (a bucket name known at deploy time may be the value's).
        """
        declared = self._parameter_locations.get(parameter)
        if declared is None or is_unresolved(value):
            return []
        patterns = [declared] if isinstance(declared, str) else list(declared)
        # A character no pattern contains: only a wildcard matches "anything after".
        candidate = value + ("\x00" if any_suffix else "")
        if any(_iam_pattern(pattern).fullmatch(candidate) for pattern in patterns):
            return []
        if any(is_unresolved(pattern) for pattern in patterns):
            return []
        return patterns

    # -- internals -------------------------------------------------------------------

    def _compile(self, source: DefinitionSource) -> dict[str, Any]:
        def subject() -> str:  # only read on errors: the path takes jsii round trips
            return f"pipeline definition of {self.node.path}"

        if isinstance(source, PipelineDefinition):
            try:
                compiled = source.compile(self._binder)
                self._compiled_steps = compiled.steps
                return compiled.definition
            except PipelineValidationError as error:
                problems = self._asset_config_problems(error.problems)
                raise PipelineValidationError(problems, subject=subject()) from None
        if isinstance(source, str) and source.lstrip().startswith("{"):
            # JSON text, as the SageMaker Python SDK's Pipeline.definition() returns it.
            try:
                loaded = json.loads(source)
            except ValueError as error:
                raise PipelineValidationError(
                    [Problem(None, None, f"the definition is not valid JSON: {error}")],
                    subject=subject(),
                ) from None
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise PipelineValidationError(
                    [Problem(None, None, f"can't read {path}: {error}")], subject=subject()
                ) from None
        else:
            try:
                loaded = json.loads(json.dumps(source))  # a private copy of plain JSON
            except (TypeError, ValueError):
                raise PipelineValidationError(
                    [
                        Problem(
                            None,
                            None,
                            "expected a PipelineDefinition, a definition dict, JSON text or a "
                            f"JSON file path, got {describe(source)}",
                            "for a SageMaker Python SDK pipeline, pass its definition()",
                        )
                    ],
                    subject=subject(),
                ) from None
        # The binder's, as a PipelineDefinition's steps get them (the same for every step).
        job_tags = self._binder.job_defaults(step_name="").tags
        if job_tags and isinstance(loaded, Mapping):
            # Before validation: a job whose tags and these pass 50 fails, naming the step.
            loaded = with_job_tags(loaded, job_tags)
        problems = validate_definition(loaded)
        if problems:
            raise PipelineValidationError(problems, subject=subject())
        return dict(loaded)

    def _checked_definition_size(self, stack: Stack, body: str) -> DefinitionSize:
        """The definition's size; it must fit the CloudFormation template that holds it.

        Checked here for the definition alone; with the other pipelines of its stack at
        synth (``count_in_stack``). Estimated, and measured when the estimate is large: a
        definition fails on what it takes at least, never on an estimate.
        """
        size = definition_size(self.definition)
        if size.template_bytes > MEASURE_FROM_BYTES:
            size = measured_size(stack, body, size)
        if size.template_bytes > MAX_TEMPLATE_BYTES:
            raise PipelineValidationError(
                [PropProblem(None, "definition", too_big_message(size), TOO_BIG_HINT)],
                subject=f"Pipeline {self.node.path}",
            )
        return size

    def _network(
        self,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        isolation: bool,
        encrypt: bool,
        allow_all_outbound: bool,
    ) -> NetworkConfig | None:
        if vpc is None:
            return NetworkConfig(enable_network_isolation=True) if isolation else None
        groups = list(security_groups or [])
        if not groups:
            # Imported only with a VPC: the module alone takes about 0.1 s to import.
            from aws_cdk import aws_ec2 as ec2

            group = ec2.SecurityGroup(
                self,
                "JobSecurityGroup",
                vpc=vpc,
                description="SageMaker pipeline jobs (inbound from each other only)",
                allow_all_outbound=allow_all_outbound,
            )
            # The instances of a distributed job talk to each other (and with inter-container
            # traffic encryption, over IPsec): the SageMaker guide asks for inbound traffic
            # from the group itself, without which a job of several instances fails.
            group.add_ingress_rule(
                group, ec2.Port.all_traffic(), "Between the instances of a distributed job"
            )
            if not allow_all_outbound:
                # Secure by default: HTTPS reaches everything a job needs (S3, the
                # interface endpoints, package indexes); the rest stays in the group.
                https_only_egress(group, vpc)
                group.add_egress_rule(
                    group, ec2.Port.all_traffic(), "Between the instances of a distributed job"
                )
            acknowledge_in_packs(
                group,
                "EC2RestrictedCommonPorts",
                "inbound traffic from this group's own members only (the instances of a "
                "distributed job), on the ports their framework picks at run time",
            )
            groups.append(group)
        self.security_groups = groups
        try:
            subnets = vpc.select_subnets(
                **({} if vpc_subnets is None else _subnet_selection(vpc_subnets))
            ).subnet_ids
        except RuntimeError as error:  # aws-cdk-lib's, through jsii: no such subnets
            raise PipelineValidationError(
                [
                    PropProblem(
                        None,
                        "vpc_subnets" if vpc_subnets is not None else "vpc",
                        f"selects no subnets of {describe(vpc)}: "
                        + re.sub(r"^\w+: ", "", str(error).splitlines()[0]),
                        "select subnets the VPC has (ec2.SubnetSelection(subnet_type=…) of one "
                        "of its types)",
                    )
                ],
                subject=f"Pipeline {self.node.path}",
            ) from None
        self._warn_public_subnets(vpc, subnets)
        return NetworkConfig(
            subnets=subnets,
            security_group_ids=[group.security_group_id for group in groups],
            enable_network_isolation=isolation or None,
            enable_inter_container_traffic_encryption=encrypt,
        )

    def _warn_public_subnets(self, vpc: Any, subnets: Sequence[str]) -> None:
        """Jobs placed in public subnets (all or some): their instances get no public IP.

        A VPC without private subnets makes ``select_subnets()`` pick its public ones; there
        the jobs reach neither the internet nor S3, ECR and CloudWatch Logs without VPC
        endpoints, and fail (or hang) at run time.
        """
        public = {subnet.subnet_id for subnet in vpc.public_subnets}
        placed_publicly = [subnet for subnet in subnets if subnet in public]
        if not placed_publicly:
            return
        # SageMaker spreads a job's instances over the subnets it is given: with some of
        # them public, some jobs (or some instances of one) fail where others run.
        where = (
            "The jobs run in public subnets of the VPC"
            if len(placed_publicly) == len(subnets)
            else f"{len(placed_publicly)} of the {len(subnets)} subnets the jobs run in are "
            f"public subnets of the VPC ({', '.join(placed_publicly)})"
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:public-subnets",
            f"{where}: SageMaker gives job instances no "
            "public IP, so they reach neither the internet nor S3, ECR and CloudWatch Logs "
            "unless the VPC has endpoints for them. Give the VPC private subnets with a NAT "
            "gateway (vpc_subnets=ec2.SubnetSelection(subnet_type="
            "ec2.SubnetType.PRIVATE_WITH_EGRESS)), or add the VPC endpoints the jobs need.",
        )

    def _vpc_statements(self, network: NetworkConfig | None) -> list[iam.PolicyStatement]:
        """ENI permissions in the construct's subnets and those the definition's jobs name."""
        subnets = dict.fromkeys([*(network.subnets if network else []), *self.plan.vpc_subnets])
        groups = dict.fromkeys(
            [*(network.security_group_ids if network else []), *self.plan.vpc_security_groups]
        )
        return network_interface_statements(stack_of(self), "Job", list(subnets), list(groups))

    def _check_parameter_locations(
        self, parameter_locations: Mapping[str, str | Sequence[str]] | None
    ) -> None:
        """Each key a declared parameter, each value a pattern or a list of them."""
        if parameter_locations is None:
            return
        if not isinstance(parameter_locations, Mapping):
            raise PipelineValidationError(
                [
                    PropProblem(
                        None,
                        "parameter_locations",
                        f"expected a dict of parameter name to patterns, got "
                        f"{describe(parameter_locations)}",
                    )
                ],
                subject=f"Pipeline {self.node.path}",
            )
        declared = [entry.get("Name") for entry in self.definition.get("Parameters", [])]
        problems: list[Problem] = []
        for parameter, patterns in parameter_locations.items():
            if parameter not in declared:
                hint = did_you_mean(str(parameter), declared)
                problems.append(
                    PropProblem(
                        None,
                        "parameter_locations",
                        f"names parameter {parameter!r}, which the definition doesn't declare "
                        f"(declared: {', '.join(declared) or 'none'})",
                        hint,
                    )
                )
            elif not isinstance(patterns, str) and not (
                isinstance(patterns, (list, tuple))
                and patterns
                and all(isinstance(pattern, str) for pattern in patterns)
            ):
                problems.append(
                    PropProblem(
                        None,
                        "parameter_locations",
                        f"{parameter!r}: expected an S3 pattern or a list of them, got "
                        f"{describe(patterns)}",
                    )
                )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _check_defaults_in_locations(self) -> None:
        """A run with a parameter's default value must be able to access that location."""
        problems: list[Problem] = []
        for entry in self.definition.get("Parameters", []):
            name, default = entry.get("Name"), entry.get("DefaultValue")
            if not isinstance(default, str) or not default:
                continue
            patterns = self._undeclared_location(name, default)
            if patterns:
                problems.append(
                    PropProblem(
                        None,
                        "parameter_locations",
                        f"{name!r}: its default value {default!r} is outside the declared "
                        f"locations ({', '.join(patterns)}), so the step role may not access "
                        "it and a run with the default fails",
                        f"add a pattern that matches {default!r}",
                    )
                )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _check_clarify_asset_configs(self) -> None:
        """A Clarify analysis configuration must reach the job as ``analysis_config.json``.

        Clarify reads that file name (the name the SDK uploads it under) in its config
        input, while an asset's object is named by its content hash: the job would fail.
        """
        asset_uris = set(self._binder.asset_files.values())
        if not asset_uris:
            return
        problems: list[Problem] = []
        for step in _all_steps(self.definition.get("Steps") or []):
            if step.get("Type") != "ClarifyCheck":
                continue
            inputs = (step.get("Arguments") or {}).get("ProcessingInputs") or []
            for index, entry in enumerate(inputs):
                uri = ((entry or {}).get("S3Input") or {}).get("S3Uri")
                if entry.get("InputName") == "analysis_config" and uri in asset_uris:
                    problems.append(
                        Problem(
                            str(step["Name"]),
                            f"Arguments.ProcessingInputs[{index}].S3Input.S3Uri",
                            _ASSET_ANALYSIS_CONFIG,
                            _ASSET_ANALYSIS_CONFIG_HINT,
                        )
                    )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _asset_config_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        """``problems``, a misnamed analysis configuration that is an asset said as such.

        The definition's validation refuses any analysis configuration file not named
        ``analysis_config.json``; for an asset (``S3Location.from_asset``), whose object
        is named by its content hash whatever the file's name, the way out differs.
        """
        asset_uris = set(self._binder.asset_files.values())
        explained = []
        for problem in problems:
            if (
                problem.field is not None
                and problem.field.endswith(".S3Input.S3Uri")
                and "Clarify reads it as analysis_config.json" in problem.message
                and any(repr(uri) in problem.message for uri in asset_uris)
            ):
                problem = Problem(
                    problem.step, problem.field, _ASSET_ANALYSIS_CONFIG, _ASSET_ANALYSIS_CONFIG_HINT
                )
            explained.append(problem)
        return explained

    def _check_bucket_environments(self, stack: Stack) -> None:
        """A bucket of ``S3Location.from_bucket`` created in a stack of another environment.

        CloudFormation refers to a resource of another account or region by its physical
        name only; a bucket without one otherwise fails later, in jsii, with
        'Cannot use resource … in a cross-environment fashion' and a traceback that names
        neither the pipeline nor the step reading the bucket.
        """
        ours = account_region(stack)
        store_bucket = self.artifact_store.bucket
        problems: list[Problem] = []
        for bucket in self._binder.buckets.values():
            if bucket is store_bucket or node_of(bucket).default_child is None:
                continue  # imported by name or ARN: CloudFormation needs no reference
            theirs = account_region(bucket)
            if theirs == ours:
                continue
            if not refers_across_environments(stack, bucket.bucket_name):
                continue  # a physical name of its own: CloudFormation can refer to it
            where = f"stack {stack_of(bucket).node.path} ({environment_text(theirs)})"
            message = (
                f"bucket {bucket.node.path} (S3Location.from_bucket) is created in {where}, "
                f"the pipeline in {environment_text(ours)}: CloudFormation refers "
                "to a resource of another environment by its physical name only, and this "
                "bucket has none"
            )
            hint = (
                "give the bucket an explicit bucket_name, or import it in the pipeline's stack "
                "with s3.Bucket.from_bucket_name, and let its bucket policy admit the "
                "pipeline's roles"
            )
            token = str(bucket.bucket_name)
            steps = [
                (spec.name, field)
                for spec in walk_steps(self.definition.get("Steps") or [])
                # A condition's entry holds its branch steps, which are listed themselves.
                if spec.step_type != "Condition"
                for field in [_field_containing(spec.entry, token)]
                if field is not None
            ]
            problems += [Problem(step, field, message, hint) for step, field in steps] or [
                Problem(None, None, message, hint)
            ]
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _check_self_approval(self) -> None:
        problems: list[Problem] = []
        parameters = {entry["Name"]: entry for entry in self.definition.get("Parameters", [])}
        for step, status in self.plan.approval_statuses:
            if status is None:
                # Left out, the service registers the version pending approval, but the
                # request then has no sagemaker:ModelApprovalStatus for the role's condition
                # to match: IAM denies CreateModelPackage, and every run fails at this step.
                problems.append(
                    Problem(
                        step,
                        "Arguments.ModelApprovalStatus",
                        f"missing: the pipeline role may only register {PENDING_APPROVAL} "
                        "versions (IAM condition sagemaker:ModelApprovalStatus), and a "
                        "request without the field is denied",
                        f'set "ModelApprovalStatus": "{PENDING_APPROVAL}"',
                    )
                )
                continue
            value = status
            if isinstance(status, dict) and str(status.get("Get", "")).startswith("Parameters."):
                name = status["Get"].split(".", 1)[1]
                value = parameters.get(name, {}).get("DefaultValue")
                # A run may choose any of its enum values: one the role may not register
                # fails every run given it, at this step, with AccessDenied.
                choices = parameters.get(name, {}).get("EnumValues")
                refused = [
                    choice
                    for choice in (choices if isinstance(choices, list) else [])
                    if isinstance(choice, str)
                    and not is_unresolved(choice)
                    and choice not in (PENDING_APPROVAL, value)
                ]
                if refused:
                    problems.append(
                        Problem(
                            step,
                            "Arguments.ModelApprovalStatus",
                            f"parameter {name!r} may be {' or '.join(map(repr, refused))} "
                            "(its EnumValues), but the pipeline role may only register "
                            f"{PENDING_APPROVAL} versions: a run given that value fails here",
                            f"keep only {PENDING_APPROVAL!r} in its EnumValues, and approve "
                            "versions outside the pipeline (ModelRegistry.grant_approve)",
                        )
                    )
            if isinstance(value, str) and not is_unresolved(value) and value != PENDING_APPROVAL:
                problems.append(
                    Problem(
                        step,
                        "Arguments.ModelApprovalStatus",
                        f"the pipeline would register its model as {value!r}, but its role may "
                        f"only register {PENDING_APPROVAL} versions",
                        "approve versions outside the pipeline (ModelRegistry.grant_approve)",
                    )
                )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _check_cache_outlives_outputs(self) -> None:
        """A cached step must not outlive its outputs under ``executions/``.

        A cache hit hands the earlier run's output locations to the steps that follow; once
        the artifact store's lifecycle has deleted them, those steps fail reading nothing.
        A store adopted without a declared retention (``ArtifactStore.from_existing``) is
        taken to keep them.
        """
        retention = self.artifact_store.execution_output_retention
        if retention is None:
            return
        seconds = retention.to_seconds()
        if is_unresolved(seconds):
            return
        kept = dt.timedelta(seconds=seconds)
        problems: list[Problem] = []
        for entry in _all_steps(self.definition.get("Steps") or []):
            config = entry.get("CacheConfig")
            name = entry.get("Name")
            expiring = self._binder.expiring_outputs.get(name) if isinstance(name, str) else None
            if not isinstance(config, Mapping) or not config.get("Enabled") or not expiring:
                continue
            expire_after = config.get("ExpireAfter")
            if is_unresolved(expire_after):
                continue
            if expire_after is None:
                reuse = "without a time limit (no ExpireAfter)"
            elif is_expire_after(expire_after) and parse_expire_after(expire_after) > kept:
                reuse = f"for {expire_after}"
            else:
                continue  # within the retention, or malformed (validation reports that)
            days = retention.to_days()
            problems.append(
                Problem(
                    name,
                    "CacheConfig.ExpireAfter",
                    f"the step may reuse a run {reuse}, but its outputs "
                    f"{', '.join(sorted(expiring))} under {EXECUTIONS_PREFIX} are deleted "
                    f"after {days:g} days (the artifact store's execution_output_retention): "
                    "a cache hit after that hands later steps outputs that no longer exist",
                    f"cache for at most P{days:g}D, keep execution outputs longer, or give "
                    "the outputs a destination",
                    argument="cache_config",
                )
            )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _bind_automl_role(self) -> str:
        """The ARN AutoML steps of a ``PipelineDefinition`` that name no role are bound to.

        ``automl_role``, or a role created on the first such step: a pipeline without one
        gets none, and its template stays as it was before AutoML roles existed.
        """
        if self._automl_role_arn is None:
            if self.automl_role is None:
                self.automl_role = _service_role(
                    self,
                    "AutoMLRole",
                    f"AutoML jobs of SageMaker pipeline {self._name}",
                    stack_of(self),
                )
            self._automl_role_arn = bound_role_arn(self.automl_role)
        return self._automl_role_arn

    def _bind_dedicated_role(self, step_name: str, step_type: str | None) -> str | None:
        """The ARN of the role of a step of ``dedicated_step_roles``, created on first call.

        None for any other step, and for a named step of a type that takes no dedicated
        role (refused once the definition is compiled: see ``_dedicated_step_problems``).
        With ``"*"``, every step of such a type that asks (one given a ``role`` doesn't).
        """
        listed = self._every_step_dedicated or step_name in self._dedicated_names
        if not listed or step_type not in DEDICATED_STEP_TYPES:
            return None
        if self._every_step_dedicated:
            # Whether the step gets a role is known once it is compiled (a TuningStep asks
            # per definition: see _settle_every_step), so none is made yet: a role made and
            # then removed would stay in aws-cdk-lib's customize_roles report.
            unsettled = self._unsettled_role_arns.get(step_name)
            if unsettled is None:
                unsettled = self._unsettled_role_arns[step_name] = Lazy.string(
                    _SettledRoleArn(self, step_name)
                )
            return unsettled
        arn = self._dedicated_role_arns.get(step_name)
        if arn is None:
            arn = self._new_dedicated_role(step_name)
        return arn

    def _new_dedicated_role(self, step_name: str) -> str:
        """Create ``step_name``'s dedicated role; its ARN as written into the definition."""
        role = _service_role(
            self,
            _dedicated_role_id(step_name),
            f"Jobs of step {step_name} of SageMaker pipeline {self._name}",
            stack_of(self),
        )
        self._dedicated_roles[step_name] = role
        # As written into the definition (and so into the pipeline role's iam:PassRole).
        arn = self._dedicated_role_arns[step_name] = bound_role_arn(role)
        return arn

    def _settled_role_arn(self, step_name: str) -> str:
        """The role ``"*"`` settled on for ``step_name``'s jobs: its own, or the step role."""
        return self._dedicated_role_arns.get(step_name, self._step_role_arn)

    def _settle_every_step(self, definition: dict[str, Any]) -> None:
        """Create the roles ``dedicated_step_roles="*"`` gives steps, in definition order.

        The binder asked for a role for every job of a step of ``DEDICATED_STEP_TYPES``
        given none, and wrote a placeholder (``_bind_dedicated_role``), but a ``TuningStep``
        asks once per training job definition given none: one whose other definitions have
        roles of their own can't have a dedicated role (see ``_dedicated_step_problems``),
        nor can a raw Tuning step some of whose definitions name roles, nor a Model step
        whose model other steps name where what runs as its role can't be derived
        (``ModelRoles.unattributed``: a Lambda step's input, an inference component), so
        ``"*"`` leaves it as it would be without: its jobs that asked run as the step role.
        Each placeholder is then replaced by the ARN of the role the step settled on.
        Called on the compiled definition before it is frozen.
        """
        for spec in walk_steps(definition.get("Steps") or []):
            step = self._compiled_steps.get(spec.name)
            if (
                spec.name in self._unsettled_role_arns
                and not _definitions_with_roles(step)
                and not _raw_step_roles(step)
                and spec.name not in self._model_roles.unattributed
            ):
                self._new_dedicated_role(spec.name)
        self._dedicated_names = tuple(self._dedicated_roles)
        settled = {
            placeholder: self._settled_role_arn(step)
            for step, placeholder in self._unsettled_role_arns.items()
        }
        if settled:
            definition["Steps"] = _replaced(definition.get("Steps"), settled)

    def _warn_dedicated_roles_reaching_other_steps(
        self,
        dedicated_plans: Mapping[str, PermissionPlan],
        pipeline_name: str,
        parameter_locations: Mapping[str, str | Sequence[str]],
    ) -> None:
        """A dedicated role that may write under another step's output location.

        IAM's ``*`` matches ``/`` too: a write grant with a wildcard before the step's name
        (``s3://b/*/Evaluate/report*``, a layout with the execution id first: the caller's,
        or the SDK's ``@step`` functions') takes keys under another step's output
        (``s3://b/<id>/Prep/train/x/Evaluate/report``), where the role can plant objects
        that a reader of that output downloads with its data: what dedicated roles are
        for is lost. Default outputs are laid out step first and never do.
        """
        if not dedicated_plans:
            return
        names = [spec.name for spec in walk_steps(self.definition.get("Steps") or [])]
        owners = {
            member: step for step in dedicated_plans for member in self._model_roles.steps_of(step)
        }
        # Each step's own writes, whichever role it runs as. A dedicated role's plan has its
        # step's already (a model role's, those of the steps that run as it too); the other
        # steps are planned together, in one pass (none but Lambda, Fail, … under "*").
        writes: dict[str, tuple[S3Access, ...]] = {
            step: tuple(plan.writes) for step, plan in dedicated_plans.items()
        }
        writes |= step_writes(
            self.definition,
            [step for step in names if step not in dedicated_plans and step not in owners],
            pipeline_name=pipeline_name,
            parameter_locations=parameter_locations,
        )
        for step, plan in dedicated_plans.items():
            own = {step, *self._model_roles.steps_of(step)}
            for other, outputs in writes.items():
                if other in own or owners.get(other) == step:
                    continue
                found = next(
                    (
                        (write, output)
                        for write in plan.writes
                        if write not in outputs
                        for output in outputs
                        if _may_overlap(write, output)
                    ),
                    None,
                )
                if found is not None:
                    self._warn_dedicated_role_reaches(step, other, *found)

    def _warn_dedicated_role_reaches(
        self, step: str, other: str, write: S3Access, output: S3Access
    ) -> None:
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:dedicated-role-reaches-another-step",
            f"The role of step '{step}' (pipeline.dedicated_roles[{step!r}]) may write "
            f"s3://{write.objects}, which takes keys under the output of step '{other}' "
            f"(s3://{output.objects}), as IAM's * matches '/' too: that step's job can plant "
            f"objects a reader of {other}'s output then downloads. Lay the outputs out step "
            "first (<step>/<execution id>/<output>, as default outputs are), so that no "
            "wildcard comes before the step's name",
        )

    def _warn_no_dedicated_step(self) -> None:
        """``dedicated_step_roles="*"`` found no step to give a role of its own."""
        job_steps = [
            f"'{spec.name}' ({spec.step_type})"
            for spec in walk_steps(self.definition.get("Steps") or [])
            if spec.step_type in DEDICATED_STEP_TYPES
            or spec.step_type in ("Model", AUTOML_STEP_TYPE)
        ]
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:no-dedicated-step",
            f"dedicated_step_roles={EVERY_JOB_STEP!r} gives no step a role of its own: "
            + (
                f"the job steps {', '.join(job_steps)} are given a role (role=), are AutoML "
                "steps, or are Model steps whose model other steps name where what runs as "
                "its role can't be derived (a Lambda step's input, an inference component), "
                "which can't have one"
                if job_steps
                else "the definition has no Processing, Training, Tuning, check or Model step"
            )
            + ". Every job runs as it did without the prop.",
        )

    def _dedicated_step_problems(self) -> list[Problem]:
        """The steps of ``dedicated_step_roles`` that can't run with a role of their own.

        Judged on the compiled definition (every step, those reached through references
        and branches included) and the step objects (a ``role=`` of their own). With
        ``"*"``, only the construct ids of the roles of the steps found (which must not be
        those of each other's policies).
        """
        if self._every_step_dedicated:
            return _policy_id_clashes(self._dedicated_names, every=True)
        if not self._dedicated_names:
            return []
        kinds = {
            spec.name: spec.step_type for spec in walk_steps(self.definition.get("Steps") or [])
        }
        problems: list[Problem] = []
        for step in self._dedicated_names:
            kind = kinds.get(step)
            if kind is None:
                candidates = [
                    name for name, found in kinds.items() if found in DEDICATED_STEP_TYPES
                ]
                message = f"the definition has no step '{step}'"
                hint = did_you_mean(step, candidates) or (
                    "name one of its job steps: " + ", ".join(map(repr, candidates))
                    if candidates
                    else "the definition has no Processing, Training, Tuning, check or Model step"
                )
            elif kind == AUTOML_STEP_TYPE:
                message = (
                    f"step '{step}' is an AutoML step, which runs with the AutoML role "
                    "(pipeline.automl_role) and Autopilot's permissions"
                )
                hint = "give AutoML jobs a role of their own with automl_role="
            elif kind not in DEDICATED_STEP_TYPES:
                why = {
                    "Transform": "its job runs as its model's execution role",
                    "EndpointConfig": "its endpoint runs as its models' execution roles",
                    "Endpoint": "it runs as its configuration's models' execution roles",
                }.get(kind, "it runs no job with a role the pipeline gives")
                message = f"step '{step}' is a {kind} step: {why}"
                models = [
                    model for model in self._model_roles.runners.get(step, ()) if model is not None
                ]
                hint = (
                    f"name its Model step{'s' if len(models) > 1 else ''} "
                    + ", ".join(map(repr, models))
                    + ": a model's role runs its Transform jobs and endpoints too"
                    if models
                    else "name Processing, Training, Tuning, QualityCheck, ClarifyCheck or Model "
                    "steps"
                )
            elif written := _raw_step_roles(self._compiled_steps.get(step)):
                message = (
                    f"step '{step}' is a RawStep whose arguments name the role its jobs run as "
                    f"({', '.join(written)}): they run as that role, not a dedicated one"
                )
                hint = (
                    "leave the role out of the step's arguments (the dedicated role's ARN is "
                    "written in), or the step out of dedicated_step_roles"
                )
            elif step not in self._dedicated_roles:
                given = getattr(self._compiled_steps.get(step), "role", None)
                message = (
                    f"step '{step}' is given a role of its own (role="
                    + (describe_value(given) if given is not None else "...")
                    + "), which its jobs run as: it can't also run with a dedicated role"
                )
                hint = "leave the step's role= out, or the step out of dedicated_step_roles"
            elif own := _definitions_with_roles(self._compiled_steps.get(step)):
                # Their jobs would run as those roles, not the dedicated one.
                message = (
                    f"step '{step}' has training job definitions given a role of their own "
                    f"({', '.join(own)}): their jobs run as those roles, not a dedicated one"
                )
                hint = (
                    "leave role= out of the step's TrainingJobDefinitions, or the step out of "
                    "dedicated_step_roles"
                )
            elif uses := self._model_roles.unattributed.get(step):
                # A role of its own is derived from everything that runs as it: what these
                # steps run with the model (an endpoint a Lambda function creates, an
                # inference component) can't be read off the definition.
                message = (
                    f"step '{step}' is a Model step whose model is also named in "
                    + _step_fields(uses)
                    + ", where what runs as the model's role can't be derived: its role "
                    "would miss it"
                )
                hint = (
                    "give the Model step a role of its own (ModelStep(..., role=...)) and grant "
                    "that role what the model needs there, or leave the step out of "
                    "dedicated_step_roles"
                )
            else:
                continue
            problems.append(PropProblem(None, "dedicated_step_roles", message, hint))
        # In the prop's order, not the order the steps were bound in.
        created = dict(self._dedicated_roles)
        self._dedicated_roles.clear()
        self._dedicated_roles.update(
            (step, created[step]) for step in self._dedicated_names if step in created
        )
        return problems

    def _step_role_runs_no_job(self, is_automl_role: Callable[[str], bool]) -> bool:
        """Whether every job runs as a dedicated role or the AutoML role, none as ``step_role``.

        A job of another role (a step given ``role=``) keeps the step role standing for it,
        as ``_warn_jobs_not_run_as_step_role`` says, and so does one of a model no Model step
        of the pipeline creates (a Transform job, an endpoint writing captured data, one
        watching rollback alarms): its role is unknown, may be the step role, and the
        warnings of such steps say their permissions go to the step role.
        """
        plan = self.plan
        if (
            plan.external_model_transforms
            or plan.external_model_endpoints
            or plan.external_rollback_endpoints
        ):
            return False
        is_step_role = _role_matcher(self.step_role, self._step_role_arn)
        dedicated = set(self._dedicated_role_arns.values())
        return all(
            isinstance(role, str)
            and (role in dedicated or (is_automl_role(role) and not is_step_role(role)))
            for _, _, role in plan.job_roles
        )

    def _repositories_of(self, plan: PermissionPlan, *, shared: bool = False) -> list[Any]:
        """The ECR repositories of the images bound for the steps of ``plan``.

        ``shared``: for the step role, every repository the binder bound except those of
        images only dedicated steps run (the binder's list holds no step).
        """
        planned = {image for image in plan.images if isinstance(image, str)}
        if shared:
            dedicated_only = {
                image
                for step, _, image in self.plan.image_uses
                if step in self._dedicated_roles and isinstance(image, str)
            } - planned
            return [
                repository
                for uri, (repository, _) in self._binder.image_repositories.items()
                if uri not in dedicated_only
            ]
        return [
            repository
            for uri, (repository, _) in self._binder.image_repositories.items()
            if uri in planned
        ]

    def _dedicated_role_note(self, steps: Iterable[str], advice: str = "grant that role") -> str:
        """Which of ``steps`` run as a dedicated role, which a grant to the step role misses.

        A Transform or deployment step of a Model step's model runs as that step's role;
        an endpoint also serving a model of another role runs partly as the step role,
        which keeps what it needs: ``advice`` then ends with "too", else with "instead".
        """
        runs_as = self._runs_as_dedicated
        named = [step for step in dict.fromkeys(steps) if step in runs_as]
        shared = [
            step
            for step in named
            if step in self._model_roles.runners
            and not self._model_roles.runs_only_as(step, self._dedicated_roles)
        ]

        def sentence(group: list[str], also: str, end: str) -> str:
            roles = ", ".join(
                dict.fromkeys(
                    f"pipeline.dedicated_roles[{role!r}]"
                    for step in group
                    for role in runs_as[step]
                )
            )
            return (
                f" Step(s) {', '.join(repr(step) for step in group)} {also}run as {roles} "
                f"(dedicated_step_roles): {advice} {end}."
            )

        only = [step for step in named if step not in shared]
        return (sentence(only, "", "instead") if only else "") + (
            sentence(shared, "also ", "too") if shared else ""
        )

    def _runs_as_automl_role(self) -> Callable[[str], bool]:
        """Whether a job's role ARN is ``automl_role``'s (never, without one).

        Made once the definition is compiled (the role is known then), and kept: its ARN
        and name are read from jsii once.
        """
        if self._automl_role_matcher is None:
            role = self.automl_role
            self._automl_role_matcher = (
                _never if role is None else _role_matcher(role, self._automl_role_arn)
            )
        return self._automl_role_matcher

    def _automl_steps(self) -> list[str]:
        """The names of the definition's AutoML steps, branch steps included, in order."""
        return [
            spec.name
            for spec in walk_steps(self.definition.get("Steps") or [])
            if spec.entry.get("Type") == AUTOML_STEP_TYPE
        ]

    def _automl_role_grant_note(self, steps: Iterable[str]) -> str:
        """What to grant ``automl_role`` too, for the AutoML ``steps`` that run as it.

        It gets the step role's derived policies, not what is granted to ``step_role`` by
        hand (a grant adds to that role's own policy). ``""`` when no such step is among them.
        """
        is_automl_role = self._runs_as_automl_role()
        automl_steps = self._automl_steps()
        on_role = {
            step
            for step, _, role in self.plan.job_roles
            if step in automl_steps and isinstance(role, str) and is_automl_role(role)
        }
        named = [f"'{step}'" for step in dict.fromkeys(steps) if step in on_role]
        if not named:
            return ""
        return (
            f" AutoML step(s) {', '.join(named)} run as pipeline.automl_role, which a grant to "
            "pipeline.step_role doesn't reach: grant pipeline.automl_role the same."
        )

    def _warn_unused_automl_role(self) -> None:
        """``automl_role`` given, but no AutoML step runs with it: it gets nothing."""
        steps = [f"'{step}'" for step in self._automl_steps()]
        found = (
            f"the AutoML step(s) {', '.join(steps)} run as another role (their RoleArn), "
            "whose Autopilot permissions go to pipeline.step_role"
            if steps
            else "the definition has no AutoML step"
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:automl-role-unused",
            f"automl_role is given, but {found}: nothing is attached to automl_role. Put its "
            "ARN in the AutoML steps' RoleArn (or leave their role= out), or leave "
            "automl_role out.",
        )

    def _warn_locked_roles(self, locked: set[str]) -> None:
        """Name the unattached policy a role imported with ``mutable=False`` must be given.

        Not the step role's when no job runs as it (see ``dedicated_step_roles``).
        """
        for prop, policies in (
            ("role", self.role_policies),
            ("step_role", self.step_role_policies),
            (
                "automl_role",
                [*self.automl_role_policies, *self.step_role_policies]
                if self.automl_role_policies
                else [],
            ),
        ):
            if prop not in locked or not policies:
                continue
            if prop == "step_role" and self._step_role_idle:
                continue  # no job runs as it: its policies would only widen it
            where = (
                f"managed policy {policies[0].node.path}"
                if len(policies) == 1
                else "managed policies " + ", ".join(policy.node.path for policy in policies)
            )
            that = "that policy" if len(policies) == 1 else "those policies"
            # A role that "already allows the same" has no Deny: the cap would not hold.
            cap = (
                f" {that.capitalize()} also {'holds' if len(policies) == 1 else 'hold'} "
                f"the {DENY_SID} statement, which "
                f"enforces allowed_instance_types: unless {that} is attached, an execution "
                "may start any instance type its parameters give."
                if prop == "role" and self._instance_type_cap
                else ""
            )
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:immutable-role",
                f"{prop} was imported with mutable=False (or without_policy_updates()), so the "
                f"permissions derived from the steps are in {where}, not attached to it: "
                f"attach {that} to the role, or make sure the role already allows the same, "
                f"before the pipeline runs.{cap}",
            )

    def _warn_unattributed(self) -> None:
        if self.plan.unattributed_json_reads:
            lines = "; ".join(str(item) for item in self.plan.unattributed_json_reads)
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:unattributed-json-get",
                f"The pipeline role gets no S3 access for the JSON files JsonGet reads: {lines}. "
                "These URIs are only known at run time: declare the locations their "
                "parameters may take with parameter_locations=, or grant the pipeline role "
                "(pipeline.role) read access yourself.",
            )
        if not self.plan.unattributed:
            return
        lines = "; ".join(str(item) for item in self.plan.unattributed)
        declare = (
            "declare the locations they may take with parameter_locations=, or grant the "
            "step role (pipeline.step_role) access yourself."
        )
        # parameter_locations declares parameters: it can't reach a value a step gives, nor
        # a Join whose beginning isn't a URI's text (an Fn.join token, say) before its
        # run-time parts (an execution id). A field both read and written is named once.
        from_steps = [item for item in self.plan.unattributed if not item.parameters]
        if from_steps:
            fields = ", ".join(
                dict.fromkeys(f"step '{item.step}' field '{item.field}'" for item in from_steps)
            )
            given = (
                f"for the values no parameter gives ({fields}: a JsonGet, a Lambda or "
                "Callback output, or a Join whose bucket isn't text before its run-time parts, "
                'such as an Fn.join token: write it f"s3://{bucket.bucket_name}/prefix"), '
                "which parameter_locations= can't declare, grant the step role "
                "(pipeline.step_role) access to where they point yourself."
            )
            partly = len(from_steps) < len(self.plan.unattributed)
            declare = f"{declare[:-1]}; {given}" if partly else given
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:unattributed-s3-location",
            f"The step role gets no S3 access for: {lines}. These values are only known at run "
            f"time: {declare}"
            + self._automl_role_grant_note(item.step for item in self.plan.unattributed)
            + self._dedicated_role_note(item.step for item in self.plan.unattributed),
        )

    def _check_run_time_resources(self) -> None:
        """Roles and KMS keys must be known at synth: grants have to name them."""
        hints = {
            "role": (
                "a role known only at run time can't be passed under least privilege: the "
                "pipeline role would need iam:PassRole on every role",
                "give the role ARN itself, or leave it to the construct's step role",
            ),
            "key": (
                "a KMS key known only at run time can't be granted to the jobs",
                "give the key ARN (or alias) itself",
            ),
            "emr service role": (
                "an EMR service role known only at run time can't be passed under least "
                "privilege: the pipeline role would need iam:PassRole on every role",
                "give the role's name or ARN itself (EMR_DefaultRole_V2, role.role_name)",
            ),
            "runtime role": (
                "an EMR runtime role known only at run time can't be named in the "
                "elasticmapreduce:ExecutionRoleArn condition: the pipeline role would need to "
                "submit steps as any role",
                "give the runtime role ARN itself",
            ),
        }
        problems = [
            Problem(step, where, *hints[kind]) for step, where, kind in self.plan.run_time_resources
        ]
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _check_invoked_resource_attributes(self, *, python: bool) -> None:
        """A Lambda step's function is given by its ARN, a Callback step's queue by its URL.

        ``fn.function_name`` or ``queue.queue_arn`` is a token that validation can't judge:
        the pipeline role's grant would name the function by name (IAM refuses a policy
        that does) or split the queue URL out of an ARN (CloudFormation fails on it), so
        the deployment would fail, far from the line that caused it. ``python``: the
        definition was a ``PipelineDefinition``, whose problems name the keyword argument.
        """
        problems: list[Problem] = []
        for entry in _all_steps(self.definition.get("Steps") or []):
            expected = _INVOKED_RESOURCE_ATTRIBUTES.get(str(entry.get("Type")))
            if expected is None:
                continue
            field, argument, cfn_type, kind, wanted, wrong, hint = expected
            value = entry.get(field)
            if not isinstance(value, str) or not is_unresolved(value):
                continue
            for token in Tokenization.reverse_string(value).tokens:
                target = getattr(token, "target", None)
                given = wrong.get(getattr(token, "display_name", None) or "")
                if given is None or target is None or not is_instance(target, cfn_type):
                    continue
                # The L2 (lambda_.Function, sqs.Queue) the user holds, else the L1 itself.
                owner = node_of(target).scope or target
                problems.append(
                    Problem(
                        entry.get("Name"),
                        field,
                        f"got the {given} of {kind} {path_of(owner)}, not its {wanted}: the "
                        "pipeline role's grant can't be derived from it, and the deployment "
                        "would fail",
                        hint,
                        argument=self._argument_of(entry.get("Name"), field, argument)
                        if python
                        else None,
                    )
                )
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")

    def _argument_of(self, step: Any, field: str, typed: str) -> str | None:
        """The keyword argument behind ``field`` of a compiled step; ``typed`` for its class's.

        A ``RawStep`` gives the field in other keywords than the typed class of its type.
        """
        compiled = self._compiled_steps.get(step) if isinstance(step, str) else None
        return compiled.argument_for(field) if isinstance(compiled, RawStep) else typed

    def _warn_unused_parameters(self) -> None:
        """Parameters nothing reads: a value a run, schedule or trigger gives them is lost.

        Read means referenced by a step or by the ``PipelineExperimentConfig``.

        Legal (SageMaker accepts them), and a common slip: a trigger's ``key_parameter``
        declared, but the job still reading a fixed URI, so new data is never read.
        """
        declared = [
            entry["Name"]
            for entry in self.definition.get("Parameters") or []
            if isinstance(entry, Mapping) and isinstance(entry.get("Name"), str)
        ]
        if not declared:
            return
        # Dumped, the definition's own references are the only unescaped "Get" members.
        # The experiment config takes expressions too: naming a run's experiment is a use.
        readers = [self.definition.get("Steps"), self.definition.get("PipelineExperimentConfig")]
        read = set(_PARAMETER_GET.findall(json.dumps(readers)))
        unused = [name for name in declared if name not in read]
        if not unused:
            return
        names = ", ".join(f"'{name}'" for name in unused)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:unused-parameter",
            f"No step reads parameter(s) {names}: a value an execution, a schedule or a "
            "trigger gives them changes nothing. Use each in a step (a job's input "
            'location, say: Join(on="", values=["s3://bucket/", parameter])) or remove it.',
        )

    def _warn_output_location_prefixes(self) -> None:
        """Outputs whose locations are text prefixes of each other, in a step or across.

        SageMaker reads an S3Prefix input as every key that starts with its URI: a reader
        of ``…/evaluation`` downloads ``…/evaluation_report``'s objects too, whichever
        step wrote them. Legal (the SDK's layout has the same trap), so a warning, not an
        error.
        """
        for overlap in output_prefix_overlaps(self.definition):
            readers = ", ".join(f"'{reader}'" for reader in overlap.readers)
            read = (
                f"step(s) {readers} read it, and so download both"
                if readers
                else "a step reading it would download both"
            )
            if overlap.across_steps:
                # Only literal destinations overlap across steps (a default location has
                # the step's name as a folder): the fix is the destination, not the name.
                where = (
                    f"Across steps: the location of output '{overlap.shorter}' of step "
                    f"'{overlap.step}' is a prefix of that of output '{overlap.longer}' of "
                    f"step '{overlap.longer_step}'"
                )
                fix = (
                    "Give one output a destination that the other's doesn't start with "
                    "(…/evaluation and …/report, not …/evaluation and …/evaluation_report), "
                    "or end it in a folder (destination=…/evaluation/data)."
                )
            else:
                where = (
                    f"Step '{overlap.step}': the location of output '{overlap.shorter}' is a "
                    f"prefix of that of output '{overlap.longer}'"
                )
                fix = (
                    "Rename one output so that neither name starts with the other "
                    "(evaluation and report, not evaluation and evaluation_report), or end "
                    "its location in a folder (destination=…/evaluation/data)."
                )
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:output-location-prefix",
                f"{where}, and SageMaker reads an S3Prefix input as every key that starts "
                f"with its URI: {read} ('{overlap.longer}' as '{overlap.lands_as}/…' in the "
                f"input directory). {fix}",
            )

    def _warn_unplanned_steps(self) -> None:
        """Steps the roles get nothing for: accepted, they would fail at run time."""
        if not self.plan.unplanned_steps:
            return
        steps = ", ".join(f"'{name}' ({kind})" for name, kind in self.plan.unplanned_steps)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:unplanned-step-permissions",
            f"The pipeline role and the step role get no permissions for step(s) {steps}: "
            "this construct doesn't derive them for these step types, so the step fails at "
            "run time with AccessDenied unless you grant pipeline.role (the service's calls "
            "for the step) and pipeline.step_role (its data) what they need yourself.",
        )

    def _warn_open_deploy_names(self) -> None:
        """A deployment name known only at run time: the grants allow any of that type."""
        if not self.plan.open_deploy_names:
            return
        fields = _step_fields(self.plan.open_deploy_names)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-deploy-name",
            f"The name in {fields} is an expression known only at run time (a parameter, "
            "another step's output), so the pipeline role may create, update and describe "
            "endpoint configurations, endpoints, inference components or models of that "
            "name's kind with any name in the account and region. Write the name as a "
            "string, or read it from the step that creates the resource (config.properties."
            "EndpointConfigName, endpoint.properties.EndpointName), to scope the grants.",
        )

    def _warn_open_lineage_names(self) -> None:
        """A lineage name or association ARN known only at run time: grants of any of the type."""
        if not self.plan.open_lineage_names:
            return
        fields = _step_fields(self.plan.open_lineage_names)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-lineage-name",
            f"The lineage name or ARN in {fields} is an expression known only at run time (a "
            "parameter, another step's output) with no literal start, so the pipeline role may "
            "create and associate lineage actions or contexts of any name (for an ARN: any "
            "action, artifact, context, experiment or trial component) in the account and "
            'region. Write the name as a string, or start it with one (Join(on="-", '
            'values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID]) is granted '
            "training-run-*), or read an ARN from the Lineage step that creates the entity "
            "(record.properties.ActionArns['<name>']), to scope the grants.",
        )

    def _warn_external_endpoint_configs(self) -> None:
        """An endpoint of a configuration the pipeline doesn't create: its key isn't known."""
        if not self.plan.external_endpoint_configs:
            return
        endpoints = "; ".join(
            f"step '{step}' (configuration {describe_value(config)})"
            for step, config in self.plan.external_endpoint_configs
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:endpoint-of-external-config",
            f"The Endpoint steps {endpoints} deploy an endpoint configuration no "
            "EndpointConfig step of this pipeline creates. If that configuration has a "
            "KmsKeyId, CreateEndpoint and UpdateEndpoint need kms:CreateGrant on the key, "
            "which pipeline.role isn't granted: grant it, or create the configuration in the "
            "pipeline (EndpointConfigStep, then endpoint_config_name=config.properties."
            "EndpointConfigName).",
        )

    def _warn_external_model_endpoints(self) -> None:
        """Captured data and async results written as a model's role the pipeline doesn't know."""
        if not self.plan.external_model_endpoints:
            return
        configs = _steps_and_models(self.plan.external_model_endpoints)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:endpoint-of-external-model",
            f"The endpoints of {configs} write captured requests and responses (or "
            "asynchronous results) as the execution role of a model no Model step of this "
            "pipeline creates, which gets none of the permissions derived from these steps "
            "(their locations and keys go to pipeline.step_role). Grant that role what the "
            "endpoint writes, or create the model in the pipeline (ModelStep, then "
            "model_name=model.properties.ModelName).",
        )

    def _warn_open_rollback_alarms(self) -> None:
        """A rollback alarm named only at run time: the step role may describe any alarm."""
        if not self.plan.open_rollback_alarms:
            return
        fields = _step_fields(self.plan.open_rollback_alarms)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-rollback-alarm",
            f"The rollback alarm name in {fields} is an expression known only at run time (a "
            "parameter, another step's output) with no literal start, so pipeline.step_role, "
            "which the endpoint's models run as and which must describe the alarms its "
            "deployments watch, may call cloudwatch:DescribeAlarms (read-only) on any alarm "
            "in the account and region. Write the alarm's name as a string (an alarm of "
            'your app: alarm.alarm_name), or start it with one (Join(on="-", '
            'values=["churn-errors", …]) is granted alarm:churn-errors-*), to scope it.'
            + self._dedicated_role_note(
                (step for step, _ in self.plan.open_rollback_alarms),
                advice="that role gets it",
            ),
        )

    def _warn_rollback_alarms_of_another_role(self) -> None:
        """Rollback alarms watched as an endpoint role that isn't the step role, or unknown."""
        plan = self.plan
        if not plan.rollback_alarm_roles and not plan.external_rollback_endpoints:
            return
        is_step_role = _role_matcher(self.step_role, self._step_role_arn)
        is_automl_role = self._runs_as_automl_role()
        if not any(is_automl_role(role) for role in plan.automl_roles):
            is_automl_role = _never  # it gets nothing (automl-role-unused)
        # A dedicated model role is granted the alarms of the endpoints serving its model.
        dedicated = set(self._dedicated_role_arns.values())
        found = [
            f"step '{endpoint}' runs as "
            + (repr(role) if not is_unresolved(role) else "a role known at deploy time")
            + f" (the ExecutionRoleArn of step '{step}')"
            for endpoint, step, role in plan.rollback_alarm_roles
            if isinstance(role, str)
            and role not in dedicated
            and not is_step_role(role)
            and not is_automl_role(role)
        ]
        found += [
            f"step '{endpoint}' runs as the role of {what} {describe_value(value)}, which "
            + (
                "no EndpointConfig step of this pipeline creates"
                if what == "configuration"
                else "no Model step of this pipeline creates (or names no role of)"
            )
            for endpoint, what, value in plan.external_rollback_endpoints
        ]
        if not found:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:rollback-alarms-of-another-role",
            "SageMaker describes the rollback alarms of an endpoint's deployments "
            "(DeploymentConfig.AutoRollbackConfiguration) as the endpoint's execution role, "
            "which needs cloudwatch:DescribeAlarms on them (SageMaker's deployment guardrails "
            "guide). pipeline.step_role is granted that, but the endpoint of "
            + "; ".join(found)
            + ". Grant that role cloudwatch:DescribeAlarms on the alarms "
            "(arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>), or deploy models "
            "of this pipeline that run as its step role (a ModelStep without role=, then "
            "model_name=model.properties.ModelName in an EndpointConfigStep).",
        )

    def _warn_debugger_rules(self) -> None:
        """Debugger and profiler rules of training jobs: their rule jobs get nothing derived."""
        if not self.plan.debugger_rules:
            return
        fields = _step_fields(self.plan.debugger_rules, separator=", ")
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:debugger-rule-permissions",
            f"SageMaker Debugger rules ({fields}) run as processing jobs SageMaker starts for "
            "the training job; no document says with which role, so no permissions are derived "
            "for what they read (the DebugHookConfig and ProfilerConfig outputs) and write "
            "(each rule's S3OutputPath, by default under the training job's output path): if "
            "a rule ends in an error, grant pipeline.step_role those locations. (SageMaker "
            "Debugger is closed to new customers since 2026-07-30: AWS's Debugger guide, "
            '"Debugger availability change".)'
            + self._dedicated_role_note(step for step, _ in self.plan.debugger_rules),
        )

    def _warn_spot_training_without_checkpoints(self) -> None:
        """Managed spot training without checkpoints: an interruption starts training over.

        A job's ``EnableManagedSpotTraining`` given as an expression may be true at run time,
        so it counts; only a literal false doesn't. Each training job definition of a tuning
        step is judged on its own.
        """
        fields: list[str] = []
        for entry in _all_steps(self.definition.get("Steps") or []):
            kind = entry.get("Type")
            if kind not in ("Training", "Tuning"):
                continue
            prefix = "TrainingJobDefinition." if kind == "Tuning" else ""
            for arguments, name in job_arguments(entry):
                spot = dig(arguments, f"{prefix}EnableManagedSpotTraining")
                if spot is None or spot is False:
                    continue
                if dig(arguments, f"{prefix}CheckpointConfig") is None:
                    field = name(f"{prefix}EnableManagedSpotTraining")
                    fields.append(f"step '{entry.get('Name')}' field 'Arguments.{field}'")
        if not fields:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:spot-training-without-checkpoints",
            f"Managed spot training without a CheckpointConfig ({', '.join(fields)}): when "
            "EC2 reclaims the spot capacity, the job starts training again from the beginning "
            "once capacity returns, repeating (and billing) the work done before the "
            "interruption, and may run out of its MaxWaitTimeInSeconds. Give the step (or "
            "each TrainingJobDefinition of a tuning step of several) checkpoint_s3_uri= (in a "
            "definition JSON, the job's CheckpointConfig.S3Uri), and have the training code "
            "save its state under /opt/ml/checkpoints and resume from what it finds there. A "
            "short job may accept restarting: acknowledge this warning then.",
        )

    def _warn_job_traps(self) -> None:
        """Legal settings that silently cost money, train wrongly or hide why a run failed.

        One warning per step and kind (``job_warnings``): a shared checkpoint location, a
        warm pool, a cached step whose key changes every run, a framework image built for
        the other processor, caching on a Lambda or Callback step, a RegisterModel reading
        a seal that runs outside its Condition branch, a Fail step without ErrorMessage.
        """
        ids = {
            "shared-checkpoint-location": f"{WARNING_PREFIX}:shared-checkpoint-location",
            "warm-pool-cost": f"{WARNING_PREFIX}:warm-pool-cost",
            "uncacheable-step": f"{WARNING_PREFIX}:uncacheable-step",
            "image-processor-mismatch": f"{WARNING_PREFIX}:image-processor-mismatch",
            "cache-ignored": f"{WARNING_PREFIX}:cache-ignored",
            "seal-outside-branch": f"{WARNING_PREFIX}:seal-outside-branch",
            "fail-step-without-message": f"{WARNING_PREFIX}:fail-step-without-message",
        }
        for warning in job_warnings(self.definition):
            Annotations.of(self).add_warning_v2(ids[warning.kind], warning.message)

    def _warn_check_steps(self) -> None:
        """The parts of check steps the plan can't derive: registry baselines, shadow endpoints."""
        plan = self.plan
        if plan.registry_baseline_checks:
            steps = ", ".join(
                f"'{name}' (group {describe_value(group)})"
                for name, group in plan.registry_baseline_checks
            )
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:check-baselines-from-registry",
                f"Check step(s) {steps} compare with the baselines of the latest approved "
                "model version in the group, as no supplied baseline is given (or its "
                "parameter defaults to the empty string): the roles get "
                "no permissions for that lookup nor for the baseline files, known only at run "
                "time. Give the step the baseline files (SuppliedBaselineConstraints, and "
                "SuppliedBaselineStatistics for a QualityCheck step), or grant pipeline.role "
                "sagemaker:ListModelPackages and sagemaker:DescribeModelPackage and "
                "pipeline.step_role read access to the files yourself."
                + self._dedicated_role_note(name for name, _ in plan.registry_baseline_checks),
            )
        if plan.shadow_endpoint_checks:
            steps = ", ".join(
                f"'{name}' (model {describe_value(model)})"
                for name, model in plan.shadow_endpoint_checks
            )
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:clarify-shadow-endpoint",
                f"ClarifyCheck step(s) {steps} check a model, which the Clarify job serves on a "
                "shadow endpoint it creates, invokes and deletes with the step role: the step "
                f"role may do so ({', '.join(CLARIFY_SHADOW_ENDPOINT_ACTIONS)}) on the "
                f"endpoints and endpoint configurations named {CLARIFY_ENDPOINT_NAME_PREFIX}* "
                "of this account and region, Clarify's default endpoint_name_prefix. The "
                "analysis configuration file is read only at run time: if its predictor sets "
                "another endpoint_name_prefix, add to pipeline.step_role a statement allowing "
                "those actions on arn:<partition>:sagemaker:<region>:<account>:endpoint/<prefix>* "
                "and arn:<partition>:sagemaker:<region>:<account>:endpoint-config/<prefix>*."
                + self._dedicated_role_note(name for name, _ in plan.shadow_endpoint_checks),
            )

    def _check_instance_type_cap(self) -> None:
        """Every instance type of the definition within ``allowed_instance_types``, or warned.

        Fails synth for a literal outside the cap (naming the step and field) and for an
        instance-type parameter whose default or ``EnumValues`` are outside it (naming the
        parameter): an execution could start those only to have its step denied. An
        instance type the definition leaves open (a parameter without ``EnumValues``, a step
        property, a deploy-time value) is warned: only the pipeline role's ``Deny`` guards it.
        """
        if not self._instance_type_cap:
            return
        problems, open_types = capped_definition_problems(self.definition, self._instance_type_cap)
        if problems:
            raise PipelineValidationError(problems, subject=f"Pipeline {self.node.path}")
        if not open_types:
            return
        parameters = list(dict.fromkeys(use.parameter for use in open_types if use.parameter))
        others = [(use.step, use.field) for use in open_types if use.parameter is None]
        parts = []
        if parameters:
            named = ", ".join(f"'{name}'" for name in parameters)
            parts.append(
                f"the instance-type parameter{'s' if len(parameters) > 1 else ''} {named} "
                "(no EnumValues: an execution may give any value)"
            )
        if others:
            parts.append(f"{_step_fields(others)} (known only at run or deploy time)")
        fix = (
            "Give the parameter EnumValues within the cap (ParameterString(..., "
            "enum_values=[...])) to refuse such a value when the execution starts."
            if parameters
            else "Give a literal instance type, or a parameter with EnumValues within the cap."
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-instance-type",
            f"allowed_instance_types can't check {' and '.join(parts)} at synth: only the "
            f"pipeline role's {DENY_SID} statement guards them, and an execution started "
            f"with an instance type outside the cap fails at that step rather than at its "
            f"start. {fix}",
        )

    def _warn_open_job_name_prefixes(self) -> None:
        """A job-name prefix known only at run time can't scope the job ARNs: they are ``*``."""
        if not self.plan.open_job_name_prefixes:
            return
        fields = _step_fields(self.plan.open_job_name_prefixes)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-job-name-prefix",
            f"The job-name prefix of {fields} is an expression, known only at run time, so the "
            "pipeline role may create, describe and stop jobs of that type with any name in "
            "the account and region. Write the prefix as a string to scope it to <prefix>-*.",
        )

    def _warn_open_emr_clusters(self) -> None:
        """An EMR cluster id known only at run time: the steps may run on any cluster."""
        if not self.plan.open_emr_clusters:
            return
        fields = _step_fields(self.plan.open_emr_clusters)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-emr-cluster",
            f"The EMR cluster of {fields} is an expression, known only at run time, so the "
            "pipeline role may add, describe and cancel steps on any EMR cluster in the account "
            "and region. Give the cluster id (j-…) itself to scope it to that cluster.",
        )

    def _warn_open_vpc_configs(self) -> None:
        """Subnets or security groups known only at run time: the ENI grants can't name them."""
        if not self.plan.open_vpc_configs:
            return
        fields = _step_fields(self.plan.open_vpc_configs)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-vpc-config",
            f"The VPC subnets or security groups of {fields} are known only at run time, so "
            "the step role may create job network interfaces in any subnet and security group "
            "in the account and region. Give the subnet and security group ids (subnet-…, "
            "sg-…) themselves, or the construct's vpc= props, to scope them.",
        )

    def _warn_raw_steps_outside_network(self, network: NetworkConfig | None) -> None:
        """Raw job steps the construct's network settings don't reach: they run as written.

        The binder writes ``vpc=`` and ``enable_network_isolation=`` into the typed steps'
        requests only; a ``RawStep`` that writes no network member of its own runs its jobs
        outside them. One that writes any chose its network itself.
        """
        if network is None:
            return
        outside = [
            f"'{name}' ({step.type})"
            for name, step in self._compiled_steps.items()
            if isinstance(step, RawStep) and _lacks_network_members(step, network)
        ]
        if not outside:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:raw-step-network",
            f"RawStep(s) {', '.join(outside)} write no network settings, and the construct "
            "writes its own (vpc=, enable_network_isolation=) into the typed steps' jobs only: "
            "these jobs run outside them. Write them into each step's arguments "
            "(NetworkConfig of a Processing or check job, VpcConfig and "
            "EnableNetworkIsolation of a training job or model, VpcConfig in the "
            "AutoMLJobConfig.SecurityConfig of an AutoML job).",
        )

    def _warn_jobs_not_run_as_step_role(self) -> None:
        """Jobs that run as another role than ``step_role``, which gets the step permissions.

        A SageMaker SDK definition names the role it was generated with (its ``RoleArn``):
        given as JSON, the construct passes that role, but attaches what the steps need to
        ``step_role``, which then no job uses. A role given as an expression fails synth
        elsewhere (no statement could name it). The AutoML role gets the step role's
        policies when AutoML jobs run as it: jobs running as it aren't warned then.
        """
        is_step_role = _role_matcher(self.step_role, self._step_role_arn)
        is_automl_role = self._runs_as_automl_role()
        if not any(is_automl_role(role) for role in self.plan.automl_roles):
            is_automl_role = _never  # it gets nothing (automl-role-unused)
        # Each gets the permissions derived from its own step.
        dedicated = set(self._dedicated_role_arns.values())
        others: dict[str, list[str]] = {}
        automl_steps = self._automl_steps()
        automl_others: list[str] = []
        for step, field_path, role in self.plan.job_roles:
            if (
                isinstance(role, str)
                and role not in dedicated
                and not is_step_role(role)
                and not is_automl_role(role)
            ):
                others.setdefault(role, []).append(f"'{step}' ({field_path})")
                if step in automl_steps:
                    automl_others.append(f"'{step}'")
        if not others:
            return
        runs = "; ".join(
            f"Step(s) {', '.join(steps)} run as "
            + (repr(role) if not is_unresolved(role) else "a role known at deploy time")
            for role, steps in others.items()
        )
        literal = [role for role in others if not is_unresolved(role)]
        example = (
            f"step_role=iam.Role.from_role_arn(self, 'StepRole', {literal[0]!r})"
            if len(others) == 1 and literal
            else "step_role=<that role>"
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:job-role-not-step-role",
            f"{runs}, not pipeline.step_role: the permissions derived from the steps are "
            "attached to pipeline.step_role only, so that role gets none of them from this "
            "construct (the pipeline role may still pass it). Replace the role in the "
            "definition with your step role's ARN (e.g. step_role.role_arn, with the role "
            f"given as step_role=), or give {example} to attach them to it."
            + (
                f" AutoML step(s) {', '.join(automl_others)}: give their role as automl_role= "
                "instead, which gets these permissions and Autopilot's model and endpoint "
                "actions (here on pipeline.step_role, which the other jobs run with)."
                if automl_others
                else ""
            ),
        )

    def _bind_seal_function(self, name: str) -> str:
        """The sealing function's ARN, the function made when a ``SealStep`` first asks."""
        if self._seal is None:
            self._seal = SealFunction(
                self, "SealFunction", store=self.artifact_store, pipeline_name=name
            )
            self.seal_function = self._seal.function
        return self._seal.function.function_arn

    def _warn_lambda_reads_artifacts(self) -> None:
        """Lambda and Callback step inputs that are locations in the artifact store.

        The construct grants the pipeline's roles only: the function a Lambda step invokes,
        or whatever consumes a Callback step's queue, runs with a role of its own, which
        gets no read of the artifact bucket and no decrypt on its key, and fails at run
        time. Whether the user granted it can't be told from here (the function may be
        another app's), so the warning says what to grant and may be acknowledged.
        """
        steps = {spec.name: spec.entry for spec in walk_steps(self.definition.get("Steps") or [])}
        bucket = f"s3://{self.artifact_store.bucket.bucket_name}"
        found: list[str] = []
        prefixes: set[str] = set()
        for name, entry in steps.items():
            if entry.get("Type") not in ("Lambda", "Callback") or is_seal_entry(entry):
                continue  # a SealStep: the construct grants its function what it reads
            inputs = entry.get("Arguments")
            for key, value in inputs.items() if isinstance(inputs, Mapping) else ():
                prefix = _artifact_prefix(value, steps, bucket)
                if prefix is None:
                    continue
                prefixes.add(prefix)
                reader = "its function" if entry["Type"] == "Lambda" else "its queue's consumer"
                found.append(f"{entry['Type']} step '{name}' input '{key}' ({reader})")
        if not found:
            return
        grants = " and ".join(
            f"pipeline.artifact_store.grant_read(fn, '{prefix}/*')"
            if prefix != "*"
            else "pipeline.artifact_store.grant_read(fn)"
            for prefix in sorted(prefixes)
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:lambda-reads-artifacts",
            f"{'; '.join(found)}: a location in the artifact store, which only the "
            "pipeline's roles are granted; the function (or the queue's consumer) runs with "
            f"a role of its own and fails at run time reading it. Grant that role {grants} "
            "(it grants the key's decrypt too; or artifact_store.bucket.grant_read and "
            "artifact_store.key.grant_decrypt), then acknowledge this warning.",
        )

    def _warn_open_registrations(self) -> None:
        """Registrations no statement can scope to a model package group."""
        if not self.plan.open_registrations:
            return
        steps = ", ".join(f"'{step}' ({why})" for step, why in self.plan.open_registrations)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:open-model-package-group",
            f"RegisterModel step(s) {steps} name no model package group the pipeline role "
            "can be scoped to, so it may register (PendingManualApproval only) and describe "
            "versions of any model package group in the account and region. Give the group's "
            "name itself in ModelPackageGroupName to scope them.",
        )

    def _warn_registered_artifacts_writable(self) -> None:
        """RegisterModel fields that name a job step's output, which its role may rewrite.

        A version records keys, not object versions: the next execution's job (its code
        untrusted) may overwrite what an approved version serves. One warning per
        RegisterModel step, naming its fields; a ``SealStep``'s outputs are write-once.
        """
        steps = {spec.name: spec.entry for spec in walk_steps(self.definition.get("Steps") or [])}
        writable: list[S3Access] | None = None  # planned once, at the first literal
        for name, entry in steps.items():
            if entry.get("Type") != "RegisterModel":
                continue
            found: list[str] = []
            for where, value in _registered_locations(entry.get("Arguments")):
                references = _step_references(value)
                if references:
                    found += [
                        f"{where} ({reference})"
                        for reference in references
                        if (steps.get(reference.split(".")[1]) or {}).get("Type")
                        in _WRITING_JOB_TYPES
                    ]
                    continue
                if writable is None:
                    writable = self._writable_locations()
                # A literal URI, or a parameter by its declared locations or its default.
                if self._writable_location(value, writable):
                    found.append(f"{where} ({describe_value(value)})")
            if not found:
                continue
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:registered-artifact-writable",
                f"RegisterModel step '{name}' records {', '.join(found)}: a location a role "
                "of the pipeline may write again in a later execution (a job's output, or "
                "under the pipeline's prefixes), and the version names the key, not an "
                "object version, so what an approved version serves can change. Register "
                "sealed copies instead: seal = SealStep(name='Seal', "
                "artifacts={'model': train.properties.ModelArtifacts.S3ModelArtifacts, …}), "
                "then model_data=seal.sealed('model') (docs/language.md, Sealing what a "
                "version records); or acknowledge this warning saying why.",
            )

    def _writable_locations(self) -> list[S3Access]:
        """Where the pipeline's roles may write: every step's outputs, and its prefixes.

        The prefixes (``executions/<pipeline>/``, ``models/<pipeline>/``) as a whole too:
        the step role gets them when its policies collapse, and a default output lies there.
        """
        bucket, name = self._binder.bucket_name, self.pipeline_name
        return [
            *self.plan.writes,
            S3Access(bucket, f"{EXECUTIONS_PREFIX}{name}/"),
            S3Access(bucket, f"{MODELS_PREFIX}{name}/"),
        ]

    def _writable_location(self, value: Any, writable: Sequence[S3Access]) -> bool:
        """Whether ``value`` (a literal, or a parameter's locations or default) is writable.

        ``sealed/`` is written once, by the sealing function alone: never writable here.
        """
        parameters = {
            str(entry.get("Name")): entry.get("DefaultValue")
            for entry in self.definition.get("Parameters") or []
            if isinstance(entry, Mapping)
        }
        # A parameter's declared locations, else its default: what a run given none reads.
        locations: dict[str, str | Sequence[str]] = {
            parameter: default
            for parameter, default in parameters.items()
            if isinstance(default, str) and default
        }
        locations |= self._parameter_locations
        return any(
            not location.key_pattern.startswith(SEALED_PREFIX)
            and any(_may_overlap(location, write) for write in writable)
            for location in resolve_locations(
                self.definition,
                value,
                pipeline_name=self.pipeline_name,
                parameter_locations=locations,
            )
        )

    def _warn_output_keys_not_the_stores(self) -> None:
        """Steps writing to the store's buckets with an output key other than its key's ARN.

        Those buckets refuse an upload naming another key (``DenyUploadsWithAnotherKmsKey``,
        comparing the header as sent, so the store key by id or alias too): the job would
        fail at run time, once its work is done. A key known only at run time isn't judged.
        """
        store = self.artifact_store
        buckets = set(store._key_named_buckets)
        if not buckets:
            return  # an adopted bucket: the store added no such deny
        store_key = store.key.key_arn
        keyed = {
            spec.name: [
                (where, key)
                for where, key in step_output_keys(spec.entry.get("Arguments") or {})
                if key != store_key
            ]
            for spec in walk_steps(self.definition.get("Steps") or [])
        }
        keyed = {name: keys for name, keys in keyed.items() if keys}
        if not keyed:
            return
        writes = step_writes(
            self.definition,
            keyed,
            pipeline_name=self.pipeline_name,
            parameter_locations=self._parameter_locations,
        )
        found = [
            f"step '{name}' {where} ({describe_value(key)})"
            for name, keys in keyed.items()
            if any(write.bucket in buckets for write in writes.get(name, ()))
            for where, key in keys
        ]
        if not found:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:output-key-not-the-stores",
            f"{'; '.join(found)}: an output key other than the artifact store's, named by "
            "its ARN, for outputs written to the store's buckets, whose policy refuses such "
            "uploads (DenyUploadsWithAnotherKmsKey; S3 compares the key as sent, so the "
            "store's own key by id or alias is refused too): the job would fail once its "
            "work is done. Leave the output key out (the store key is the default), give "
            "store.key.key_arn, or write those outputs to a bucket of your own.",
        )

    def _warn_manifest_inputs(self) -> None:
        """Inputs given as manifests: the objects they list are named only in the file."""
        if not self.plan.manifest_inputs:
            return
        inputs = "; ".join(
            f"step '{step}' field '{field_path}' ({describe_value(uri)})"
            for step, field_path, uri in self.plan.manifest_inputs
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:manifest-input-objects",
            f"The step role may read the manifest files of {inputs}, but not the objects "
            "they list, which only the files name: grant pipeline.step_role read access to "
            "them yourself (e.g. bucket.grant_read(pipeline.step_role, 'images/*')), or the "
            "job fails with AccessDenied."
            + self._automl_role_grant_note(step for step, _, _ in self.plan.manifest_inputs)
            + self._dedicated_role_note(step for step, _, _ in self.plan.manifest_inputs),
        )

    def _warn_unattributed_images(self) -> None:
        """Images no statement can name: known only at run time, or at deploy time.

        A parameter or ``Join`` (the SDK's ``image_uri=ParameterString(…)``), or a token of a
        definition JSON (``repository.repository_uri_for_tag(…)`` written into it): the
        repository is unknown here, so the step role gets no ECR pull for it. Images the
        binder rendered (framework images, ``Image.from_ecr_repository``, Docker assets) are
        granted where they are bound, and the images an AutoML step's best candidate names
        are Autopilot's own, which need no grant either.
        """
        automl = set(self._automl_steps())
        unattributed = [
            (step, field_path, image)
            for step, field_path, image in self.plan.image_uses
            if (isinstance(image, Mapping) and not _autopilot_image(image, automl))
            or (
                isinstance(image, str)
                and is_unresolved(image)
                and not self._binder.bound_image(image)
            )
        ]
        images = [
            f"step '{step}' field '{field_path}' ("
            + (describe_value(image) if not isinstance(image, str) else "known at deploy time")
            + ")"
            for step, field_path, image in unattributed
        ]
        if not images:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:unattributed-image",
            f"The step role gets no ECR pull for the image of {'; '.join(images)}, whose "
            "repository synth can't name: grant pipeline.step_role pull access to the "
            "repositories it may name yourself (repository.grant_pull(pipeline.step_role)), or "
            "the jobs and models that run it fail to pull it. SageMaker's framework images need "
            "no grant." + self._dedicated_role_note(step for step, _, _ in unattributed),
        )

    def _warn_external_model_transforms(self) -> None:
        """Transform jobs of a model the pipeline doesn't create run as that model's role."""
        if not self.plan.external_model_transforms:
            return
        transforms = _steps_and_models(self.plan.external_model_transforms)
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:transform-of-external-model",
            f"The transform jobs of {transforms} run as the execution role of a model no "
            "Model step of this pipeline creates, which gets none of the permissions derived "
            "from these steps (their input, output and keys go to pipeline.step_role). Grant "
            "that role what the jobs read and write, or create the model in the pipeline "
            "(ModelStep, then model_name=model.properties.ModelName).",
        )

    def _passed_role_arn_problems(self, python: bool) -> list[Problem]:
        """Roles of another account that the definition's jobs and models run as.

        A step's ``role=`` (or a definition JSON's ``RoleArn``, ``ExecutionRoleArn``): the
        pipeline role passes it to SageMaker when the step runs, which ``iam:PassRole``
        can't do for another account's role, so every execution would fail there. The
        roles given as props are judged before (``_passed_role_problems``); those the
        construct creates, and roles given as tokens or parameters, aren't judged.
        """
        if not self.plan.job_roles:
            return []
        instead = (
            "the step role (leave the step's role= out)"
            if python
            else "the step role (`smpipe convert --without-roles` drafts the definition in "
            "Python without the SDK's roles)"
        )
        types = {
            spec.name: spec.step_type for spec in walk_steps(self.definition.get("Steps") or [])
        }
        found = [
            passed_role_arn_problem(
                step,
                field,
                role,
                self,
                passes=f"the pipeline role passes it to the step's {runs_as}",
                fails="every execution would fail at this step",
                instead=instead,
                reach=JOB_REACH if runs_as == "job" else MODEL_REACH,
                argument=self._argument_of(step, field, "role") if python else None,
            )
            for step, field, role in self.plan.job_roles
            for runs_as in [_RUNS_AS.get(types.get(step) or "", "job")]
        ]
        return [problem for problem in found if problem is not None]

    def _model_store_problems(self) -> list[Problem]:
        """``model_stores`` judged against the plan: Model steps of versions of its account.

        A store of the pipeline's own account needs no share (``grant_read_models``); one
        of another region has a key KMS won't use here; a version ARN of a third account
        lies in neither store. The model must run as a role this pipeline grants: the step
        role or the step's dedicated role, not a ``role=`` of its own.
        """
        packages: dict[str, list[tuple[str, Any]]] = {}
        for step, where, package in self.plan.model_packages:
            packages.setdefault(step, []).append((where, package))
        roles = {spec.name: spec.entry for spec in walk_steps(self.definition.get("Steps") or [])}
        here_account, here_region = account_region(self)
        problems: list[Problem] = []
        for step, store in self._model_stores.items():
            prop = f"model_stores[{step!r}]"
            if step not in packages:
                model_steps = sorted(packages)
                problems.append(
                    PropProblem(
                        None,
                        prop,
                        f"the pipeline has no Model step {step!r} of a registered version",
                        f"name one of {', '.join(map(repr, model_steps))}"
                        if model_steps
                        else "give model_stores the Model steps of versions "
                        "(ModelStep(model_package_name=…)) only",
                    )
                )
                continue
            account, region = _model_store_account_region(store)
            if (
                not is_unresolved(region)
                and not is_unresolved(here_region)
                and region != here_region
            ):
                problems.append(
                    PropProblem(
                        None,
                        prop,
                        f"ArtifactStore {store.node.path} is in region {region}, the pipeline's "
                        f"stack in region {here_region}: SageMaker creates models only from "
                        "versions of its own region, and a KMS key works in its region only",
                        "give the store of the registry of this region",
                    )
                )
                continue
            if not is_unresolved(account) and account == here_account:
                problems.append(
                    PropProblem(
                        None,
                        prop,
                        f"ArtifactStore {store.node.path} is of the pipeline's own account "
                        f"{account}: model_stores is for versions of another account's registry",
                        "leave the step out of model_stores and grant the model's role "
                        "yourself: store.grant_read_models(<the role>)",
                    )
                )
                continue
            if (
                not isinstance(store, _AdoptedArtifactStore)
                and not is_unresolved(account)
                and not is_unresolved(here_account)
            ):
                # CloudFormation refers to another environment's resources by physical name
                # only: CDK would fail the synth naming no prop.
                problems.append(
                    PropProblem(
                        None,
                        prop,
                        f"ArtifactStore {store.node.path} is created in another stack's "
                        "environment, whose bucket and key this stack can't refer to",
                        "adopt it in this stack: ArtifactStore.from_existing(self, "
                        "'RegistryArtifacts', bucket=s3.Bucket.from_bucket_name(…), "
                        "key=kms.Key.from_key_arn(…))",
                    )
                )
                continue
            for where, given in packages[step]:
                # A parameter is judged by its default: the run nobody can forget to start.
                package, shown = _parameter_default(given, self.definition), f"field '{where}'"
                if package is not given:
                    shown += f" (the default of parameter {given['Get'].split('.', 1)[1]!r})"
                theirs = _version_account(package)
                if theirs is not None and not is_unresolved(account) and theirs != account:
                    problems.append(
                        PropProblem(
                            None,
                            prop,
                            f"step {step!r} {shown} is a version of account {theirs}, "
                            f"but ArtifactStore {store.node.path} is of account {account}: "
                            "the model data lies in the store of the version's account",
                            f"give the store of the registry of account {theirs}",
                        )
                    )
                version_region = _version_region(package)
                if (
                    version_region is not None
                    and not is_unresolved(here_region)
                    and version_region != here_region
                ):
                    problems.append(
                        PropProblem(
                            None,
                            prop,
                            f"step {step!r} {shown} is a version of region {version_region}, "
                            f"the pipeline's stack in region {here_region}: SageMaker creates "
                            "models only from versions of its own region",
                            "register (or copy) the version in this region's registry",
                        )
                    )
            entry = roles.get(step) or {}
            arguments = entry.get("Arguments")
            role_arn = arguments.get("ExecutionRoleArn") if isinstance(arguments, Mapping) else None
            if role_arn not in (self._step_role_arn, self._dedicated_role_arns.get(step)):
                problems.append(
                    PropProblem(
                        None,
                        prop,
                        f"the model of step {step!r} runs as a role of its own (role=), to "
                        "which this pipeline grants nothing",
                        "leave the step's role= out (dedicated_step_roles gives it a role of "
                        "its own that the pipeline grants), or grant that role the store's "
                        "models/ and key yourself and leave the step out of model_stores",
                    )
                )
        return problems

    def _model_store_statements(self, steps: Sequence[str]) -> list[iam.PolicyStatement]:
        """What the model role of ``steps`` (of ``model_stores``) needs of their stores.

        The version's model data, trained under ``models/`` or sealed under ``sealed/`` (an
        uncompressed model's prefix listed too), and its key, through S3 only, as
        ``share_models_with`` lets the other account: both sides must allow a request
        across accounts. No encryption-context condition: its ``aws:s3:arn`` is the
        bucket's with S3 Bucket Keys, the object's without, and an adopted bucket's setting
        can't be seen.
        """
        stores = list(dict.fromkeys(self._model_stores[step] for step in steps))
        if not stores:
            return []
        keys = [store.key.key_arn for store in stores]
        return [
            iam.PolicyStatement(
                sid="ReadModelsOfModelStores",
                actions=["s3:GetObject"],
                resources=[
                    store.bucket.arn_for_objects(f"{prefix}*")
                    for store in stores
                    for prefix in (MODELS_PREFIX, SEALED_PREFIX)
                ],
            ),
            # An uncompressed model (ModelDataSource of an S3Prefix) is listed before it is
            # read: SageMaker lists the prefix with the model's role (as share_models_with
            # lets the other account, under these prefixes only).
            iam.PolicyStatement(
                sid="ListModelsOfModelStores",
                actions=["s3:ListBucket"],
                resources=list(dict.fromkeys(store.bucket.bucket_arn for store in stores)),
                conditions={
                    "StringLike": {"s3:prefix": [f"{MODELS_PREFIX}*", f"{SEALED_PREFIX}*"]}
                },
            ),
            iam.PolicyStatement(
                sid="DecryptModelsOfModelStores",
                actions=["kms:Decrypt"],
                resources=list(dict.fromkeys(keys)),
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.{Aws.URL_SUFFIX}"}
                },
            ),
            iam.PolicyStatement(
                sid="DescribeKeysOfModelStores",
                actions=["kms:DescribeKey"],
                resources=list(dict.fromkeys(keys)),
            ),
        ]

    def _model_store_version_statements(self, stack: Stack) -> list[iam.PolicyStatement]:
        """The pipeline role creates models of versions of a store's account, known at run time.

        A version named literally is granted alone already (``CreateModelsFromModelVersions``);
        one known only at run time gets any version of this account, not of the store's.
        """
        accounts: list[str] = []
        for step, _, package in self.plan.model_packages:
            store = self._model_stores.get(step)
            if store is None or (isinstance(package, str) and not is_unresolved(package)):
                continue
            account = _model_store_account_region(store)[0]
            if account not in accounts:
                accounts.append(account)
        if not accounts:
            return []
        return [
            iam.PolicyStatement(
                sid="CreateModelsFromModelVersionsOfModelStores",
                actions=list(MODEL_FROM_PACKAGE_ACTIONS),
                resources=[
                    stack.format_arn(
                        service="sagemaker",
                        resource="model-package",
                        resource_name="*",
                        account=account,
                    )
                    for account in accounts
                ],
            )
        ]

    def _warn_models_from_model_packages(self) -> None:
        """Models of registered versions: their data and image only the version names.

        The model runs with its ``ExecutionRoleArn`` (the step role unless the step gives
        one), as do the transform
        jobs of it: that role downloads the version's model data and pulls its image, which
        the definition doesn't name (the version's containers are read when the model is
        created), so nothing is derived for them. A version a RegisterModel step of the
        pipeline registers names them there: they are derived, and not warned; nor is one
        whose store ``model_stores`` gives (its data is granted). The warning names first
        the role that needs the grant: a Model step's dedicated role, not the step role.
        """
        derived = {(step, where) for step, where, _ in self.plan.pipeline_model_packages}
        unknown = [
            (step, field_path, package)
            for step, field_path, package in self.plan.model_packages
            if (step, field_path) not in derived and step not in self._model_stores
        ]
        if not unknown:
            return
        entries = {spec.name: spec.entry for spec in walk_steps(self.definition.get("Steps") or [])}

        def role_of(step: str) -> str:
            if step in self._dedicated_roles:
                return f"pipeline.dedicated_roles[{step!r}]"
            arguments = entries.get(step, {}).get("Arguments")
            role_arn = arguments.get("ExecutionRoleArn") if isinstance(arguments, Mapping) else None
            if role_arn == self._step_role_arn:
                return "pipeline.step_role"
            return f"the role step {step!r} gives (role=)"

        roles = list(dict.fromkeys(role_of(step) for step, _, _ in unknown))
        role = roles[0] if len(roles) == 1 else "<the role>"
        models = "; ".join(
            f"step '{step}' field '{field_path}' ("
            + (
                describe_value(package)
                if not isinstance(package, str) or not is_unresolved(package)
                else "known at deploy time"
            )
            + ")"
            for step, field_path, package in unknown
        )
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:model-from-model-package",
            f"The models of {models} are created from a registered model version, whose model "
            f"data and image only the version names: the model's execution role "
            f"({', '.join(roles)}), which the model and its transform jobs run as, gets no "
            "read of that data nor pull of that image. Grant them to "
            f"{' and '.join(roles)} where the versions are kept: for versions registered by "
            f"a pipeline of this app, artifact_store.grant_read_models({role}) (and "
            f"repository.grant_pull({role}) for an image of your own; SageMaker's "
            "framework images need none); for a version of another account's group, shared "
            "with this account (ModelRegistry.share_with_account, there), give the pipeline "
            f"that account's store: model_stores={{{unknown[0][0]!r}: "
            "ArtifactStore.from_existing(…)}. "
            "Then acknowledge this warning.",
        )

    def _warn_emr_steps_creating_clusters(self) -> None:
        """A cluster an EMR step creates: any cluster id, and roles the plan can't pass."""
        if not self.plan.emr_new_cluster_steps:
            return
        steps = ", ".join(f"'{name}'" for name in self.plan.emr_new_cluster_steps)
        message = (
            f"EMR step(s) {steps} create their own cluster (Arguments.ClusterConfig), whose id "
            "is known only at run time, so the pipeline role may add steps to, describe and "
            "terminate any EMR cluster in the account and region."
        )
        if self.plan.emr_underived_roles:
            fields = "; ".join(
                f"step '{step}' field '{where}' ({value!r})"
                for step, where, value in self.plan.emr_underived_roles
            )
            message += (
                f" The pipeline role gets no iam:PassRole for {fields}: an instance profile "
                "(JobFlowRole) names no role, so grant pipeline.role iam:PassRole on the role "
                "in it (iam:PassedToService ec2.amazonaws.com) and on the AutoScalingRole "
                "yourself, or the step fails at run time with AccessDenied."
            )
        Annotations.of(self).add_warning_v2(f"{WARNING_PREFIX}:emr-step-creates-cluster", message)

    def _warn_registry_store(self) -> None:
        """The registries this pipeline registers in should share its artifact store."""
        groups = [name for name in self.plan.model_package_groups if isinstance(name, str)]
        if not groups:
            return
        # A registry of another environment (or created later) is judged at synth.
        node_of(self).add_validation(RegistryEnvironments(self, groups))
        for registry in registries_named(self, groups):
            if registers_by_arn(groups, registry) or registered_in_by_name(self, registry):
                link_registering_pipeline(self, registry)

    def _warn_of_a_name_that_may_clash(self, name: str) -> None:
        """Warn when another pipeline of the app has this name and may share the environment."""
        other = _may_share_the_name(self, name)
        if other is None:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:pipeline-name-may-clash",
            f"{name!r} is also the name (in any case) of Pipeline {other.node.path}, in a stack "
            "whose account or region (or this one's) is known only at deploy time: deployed "
            "to one account and region, the second pipeline would fail to create. Give each "
            "its own pipeline_name, or give both stacks an env= (a clash in one environment "
            "then fails synth; in two it is no clash).",
        )

    def _registered_images(self) -> list[tuple[str, ecr.IRepository, bool]]:
        """(step, repository, is a Docker asset) of the custom images of registered versions."""
        repositories = self._binder.image_repositories
        if not repositories:
            return []
        return [
            (str(step["Name"]), *repositories[image])
            for step in _all_steps(self.definition.get("Steps") or [])
            if step.get("Type") == "RegisterModel"
            for container in (
                (step.get("Arguments") or {}).get("InferenceSpecification") or {}
            ).get("Containers")
            or []
            if isinstance(image := container.get("Image"), str) and image in repositories
        ]

    def _warn_registered_asset_code(self) -> None:
        """Registered versions whose inference code is a CDK asset can't be shared or kept."""
        submit_directories = {
            step["Name"]: [
                (container.get("Environment") or {}).get("SAGEMAKER_SUBMIT_DIRECTORY")
                for container in (
                    (step.get("Arguments") or {}).get("InferenceSpecification") or {}
                ).get("Containers")
                or []
            ]
            for step in _all_steps(self.definition.get("Steps") or [])
            if step.get("Type") == "RegisterModel"
        }
        # The URIs the binder gave code assets (read once, when it bound them).
        assets = {bound.uri for bound in self._binder.asset_code.values()}
        steps = [
            name
            for name, uris in submit_directories.items()
            if any(isinstance(uri, str) and uri in assets for uri in uris)
        ]
        if not steps:
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:registered-asset-code",
            f"RegisterModel {', '.join(repr(name) for name in steps)}: inference code from "
            "Code.from_asset(…) (code=, or a Container's code=) points every registered "
            "version at the CDK assets bucket, which accounts the "
            "model registry is shared with can't read and which `cdk gc` empties of assets no "
            "deployed template uses. Pack the inference code in the model artifact instead "
            "(code/ in model.tar.gz, environment SAGEMAKER_PROGRAM and "
            "SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code).",
        )

    def _warn_registered_asset_files(self) -> None:
        """Model metrics and drift baselines from assets stay in the CDK assets bucket."""
        assets = set(self._binder.asset_files.values())
        if not assets:
            return
        entries = _all_steps(self.definition.get("Steps") or [])
        # A check step's BaselineUsedForDriftCheck* is its supplied baseline unless it
        # registers a new one: an asset supplied there reaches the version that reads it.
        drift_from_assets = {
            f"Steps.{step['Name']}.BaselineUsedForDriftCheck{kind}": str(step["Name"])
            for step in entries
            if step.get("Type") in CHECK_STEP_TYPES and step.get("RegisterNewBaseline") is not True
            for kind in ("Statistics", "Constraints")
            if _is_one_of(step.get(f"SuppliedBaseline{kind}"), assets)
        }
        steps: list[str] = []
        checks: list[str] = []
        for step in entries:
            if step.get("Type") != "RegisterModel":
                continue
            uris = [
                uri
                for field in ("ModelMetrics", "DriftCheckBaselines")
                for uri in _s3_uris((step.get("Arguments") or {}).get(field))
            ]
            read = [
                drift_from_assets[uri["Get"]]
                for uri in uris
                if isinstance(uri, dict) and _is_one_of(uri.get("Get"), drift_from_assets)
            ]
            if read or any(_is_one_of(uri, assets) for uri in uris):
                steps.append(str(step["Name"]))
                checks.extend(name for name in read if name not in checks)
        if not steps:
            return
        through = ""
        instead = "Copy them into the version's retained outputs (a processing step's output)"
        if checks:
            named = ", ".join(repr(name) for name in checks)
            through = (
                f" (the supplied baselines of check step(s) {named}, which their "
                "BaselineUsedForDriftCheck* properties return)"
            )
            instead += ", or supply the checks' baselines from a bucket of yours"
            instead += " (S3Location.from_bucket)"
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:registered-asset-file",
            f"RegisterModel {', '.join(repr(name) for name in steps)}: model metrics or drift "
            f"baselines from S3Location.from_asset(…){through} point every registered version "
            "at the CDK assets bucket, which accounts the model registry is shared with can't "
            f"read and which `cdk gc` empties of assets no deployed template uses. {instead} "
            "instead.",
        )


@functools.cache
def _metric_options() -> frozenset[str]:
    """The keyword arguments ``cloudwatch.MetricOptions`` takes (``period``, ``statistic``, …)."""
    return frozenset(_metric_option_types())


@functools.cache
def _metric_option_types() -> dict[str, object]:
    """Each ``cloudwatch.MetricOptions`` keyword and the type it takes (``Optional`` removed)."""
    hints = typing.get_type_hints(cloudwatch.MetricOptions.__init__)
    return {
        name: next((t for t in typing.get_args(hint) if t is not type(None)), hint)
        for name, hint in hints.items()
        if name not in ("self", "return")
    }


def whole_minutes_problem(period: object, hint: str) -> Problem | None:
    """A metric ``period`` that isn't whole minutes, for a metric published once a minute.

    A shorter or fractional period has no data point of its own: CloudWatch takes 10 and
    30 seconds (its alarm then mostly without data, so it never fires) and refuses others
    (90 seconds) only at deploy, or in aws-cdk-lib's ``create_alarm``, naming neither the
    metric nor its construct. ``hint`` says what the metric publishes. A token passes, as
    does what isn't a ``Duration`` (reported as such).

    Example::

        whole_minutes_problem(Duration.seconds(30), "one data point a minute")
        # prop 'period': expected whole minutes, got 30 seconds (one data point a minute)
    """
    if not isinstance(period, Duration) or period in _WHOLE_MINUTES:
        return None
    seconds = None if period.is_unresolved() else period.to_seconds(integral=False)
    if seconds is None or (seconds >= 60 and seconds % 60 == 0):
        # Two jsii round trips per check; a dashboard asks for one period many times.
        _WHOLE_MINUTES.add(period)
        return None
    return PropProblem(
        None, "period", f"expected whole minutes, got {period.to_human_string()}", hint
    )


def metric_options_problems(options: Mapping[str, object], period_hint: str) -> list[Problem]:
    """Options ``cloudwatch.MetricOptions`` doesn't take, and a ``period`` not a ``Duration``.

    Example::

        metric_options_problems({"perod": Duration.minutes(5)}, "Duration.minutes(5)")
    """
    problems: list[Problem] = []
    valid = sorted(_metric_options())
    unknown = sorted(set(options) - set(valid))
    if unknown:
        problems.append(
            PropProblem(
                None,
                "options",
                f"{', '.join(unknown)} {'is not' if len(unknown) == 1 else 'are not'} "
                f"among the options of cloudwatch.MetricOptions ({', '.join(valid)})",
                did_you_mean(unknown[0], valid),
            )
        )
    period = options.get("period")
    if period is not None and not isinstance(period, Duration):
        problems.append(
            PropProblem(None, "period", f"expected a Duration, got {describe(period)}", period_hint)
        )
    return problems


def _metric_option_type_problems(options: Mapping[str, object]) -> list[Problem | None]:
    """Options of a string, flag or enum type given another value (``label=42``).

    jsii would refuse them in ``cloudwatch.Metric`` with a TypeError naming neither the
    pipeline nor the metric. ``period`` and ``dimensions_map`` are checked on their own.
    """
    types = _metric_option_types()
    problems: list[Problem | None] = []
    for name, value in options.items():
        expected = types.get(name)
        if value is None or expected is None:
            continue
        if expected is str:
            problems.append(expect_str(name, value))
        elif expected is bool:
            problems.append(expect_bool(name, value))
        elif (
            isinstance(expected, type)
            and issubclass(expected, enum.Enum)
            and not isinstance(value, expected)
        ):
            # unit="Seconds": the member it spells, by value or by name.
            member = next(
                (m for m in expected if value in (m.value, str(m.name).lower(), m.name)), None
            )
            problems.append(
                PropProblem(
                    None,
                    name,
                    f"expected a cloudwatch.{expected.__name__}, got {describe(value)}",
                    f"cloudwatch.{expected.__name__}.{member.name}" if member else None,
                )
            )
    return problems


def _event_pattern_problem(pattern: object) -> Problem | None:
    """An ``on_event`` pattern: an ``events.EventPattern`` leaving source and resources out.

    ``on_event`` sets both (SageMaker, this pipeline's ARN): others would be ignored.
    """
    if pattern is None:
        return None
    if not isinstance(pattern, events.EventPattern):
        return PropProblem(
            None,
            "event_pattern",
            f"expected an events.EventPattern, got {describe(pattern)}",
            "events.EventPattern(detail={'currentPipelineExecutionStatus': ['Failed']})",
        )
    ignored = [
        name
        for name, value in (("source", pattern.source), ("resources", pattern.resources))
        if value is not None and not (name == "source" and list(value) == ["aws.sagemaker"])
    ]
    if not ignored:
        return None
    return PropProblem(
        None,
        "event_pattern",
        f"sets {' and '.join(ignored)}, which on_event sets itself (source aws.sagemaker, "
        "resources this pipeline's ARN), so the value given would be ignored",
        "leave them out; for events of other sources or resources, create an events.Rule",
    )


def _is_one_of(value: Any, names: Collection[str]) -> bool:
    """True for a string among ``names``; an expression (a dict) is none of them."""
    return isinstance(value, str) and value in names


def _s3_uris(value: Any) -> list[Any]:
    """Every ``S3Uri`` value nested in a request fragment: a URI or an expression (a dict)."""
    if isinstance(value, dict):
        found = [value["S3Uri"]] if "S3Uri" in value else []
        return found + [uri for item in value.values() for uri in _s3_uris(item)]
    if isinstance(value, list):
        return [uri for item in value for uri in _s3_uris(item)]
    return []


# Job steps whose role writes their outputs (and so may write them again).
_WRITING_JOB_TYPES = frozenset(
    {
        "Training",
        "Processing",
        "Tuning",
        "Transform",
        "QualityCheck",
        "ClarifyCheck",
        "AutoML",
        "EMR",
    }
)
# The RegisterModel fields that name what a version records: its model data, and the
# files of its metrics and drift baselines.
_RECORDED_FIELDS = ("ModelDataUrl", "S3Uri")


def _registered_locations(arguments: Any, path: str = "") -> list[tuple[str, Any]]:
    """(field, value) of each recorded location of a RegisterModel step."""
    found: list[tuple[str, Any]] = []
    if isinstance(arguments, Mapping):
        for key, value in arguments.items():
            where = f"{path}.{key}" if path else str(key)
            if key in _RECORDED_FIELDS and (
                key == "ModelDataUrl" or "ModelMetrics" in where or "DriftCheckBaselines" in where
            ):
                found.append((where, value))
            else:
                found += _registered_locations(value, where)
    elif isinstance(arguments, list):
        for index, item in enumerate(arguments):
            found += _registered_locations(item, f"{path}[{index}]")
    return found


def _step_references(value: Any) -> list[str]:
    """The ``Steps.…`` references in an expression (a Get, or the values of a Join)."""
    if isinstance(value, Mapping):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Steps."):
            return [reference]
        return [ref for item in value.values() for ref in _step_references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _step_references(item)]
    return []


def walk_register_steps(definition: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(step name, ``ModelPackageGroupName``) of every RegisterModel step of a definition."""
    return [
        (str(step.get("Name")), (step.get("Arguments") or {}).get("ModelPackageGroupName"))
        for step in _all_steps(definition.get("Steps") or [])
        if step.get("Type") == "RegisterModel"
    ]


# Per step type: the field, its keyword argument, the resource type it names (jsii type
# name), what that is, the attribute the field takes, the attributes (a reference's display
# name) that are something else, and the hint.
_INVOKED_RESOURCE_ATTRIBUTES: dict[str, tuple[str, str, str, str, str, dict[str, str], str]] = {
    "Lambda": (
        "FunctionArn",
        "function_arn",
        "aws-cdk-lib.aws_lambda.CfnFunction",
        "Lambda function",
        "ARN",
        {"Ref": "name"},  # a function's Ref is its name; a version's or alias's, its ARN
        "pass function_arn=fn.function_arn",
    ),
    "Callback": (
        "SqsQueueUrl",
        "sqs_queue_url",
        "aws-cdk-lib.aws_sqs.CfnQueue",
        "SQS queue",
        "URL",
        {"Arn": "ARN", "QueueName": "name"},  # a queue's Ref is its URL
        "pass sqs_queue_url=queue.queue_url",
    ),
}


def _all_steps(steps: list[Any]) -> list[Mapping[str, Any]]:
    """Every step entry of a definition, condition branches included."""
    return [spec.entry for spec in walk_steps(steps)]


def _iam_pattern(pattern: str) -> re.Pattern[str]:
    """An IAM resource pattern as a regular expression: ``*`` any characters, ``?`` one."""
    wildcards = {"*": ".*", "?": "."}
    return re.compile("".join(wildcards.get(char, re.escape(char)) for char in pattern), re.DOTALL)


def _name_arn(scope: Construct, name: str, stack: Stack | None = None) -> str:
    """The ARN SageMaker gives the pipeline named ``name``: with the name in lowercase.

    ``stack``: ``scope``'s stack, when the caller has it (finding it is a jsii round trip).
    """
    if stack is None:
        stack = stack_of(scope)
    if is_unresolved(name):
        # CloudFormation can't lowercase a value: a name known only at deploy time is used
        # as given, which matches the service's ARN only if it is lowercase.
        Annotations.of(scope).add_warning_v2(
            f"{WARNING_PREFIX}:pipeline-name-token",
            "A pipeline name known only at deploy time is used as given in ARNs, grants and "
            "event rules, but SageMaker spells pipeline ARNs with the name in lowercase: make "
            "sure the value is lowercase.",
        )
        return format_arn(
            stack,
            service="sagemaker",
            resource="pipeline",
            resource_name=name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
    return format_arn(
        stack,
        service="sagemaker",
        resource="pipeline",
        resource_name=name.lower(),
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def arn_spellings(arn: str, name: str) -> list[str]:
    """Every spelling of a pipeline's ARN that IAM and EventBridge may compare with.

    SageMaker reports pipeline ARNs with the name in lowercase (``ListPipelines`` shows
    ``pipeline/abalonepipeline`` for ``AbalonePipeline``: README.md of
    alfredcs/SM_Pipeline_Demo), while requests name the pipeline as it was created, and
    AWS's own examples disagree (the EventBridge guide's pipeline events carry
    ``pipeline/myPipeline-123``). IAM and event patterns compare ARNs case-sensitively, so
    for a name with capitals both spellings are granted and matched.
    """
    if is_unresolved(name) or name == name.lower():
        return [arn]
    prefix = arn[: len(arn) - len(name)]
    if arn[len(prefix) :].lower() != name.lower():
        return [arn]
    return list(dict.fromkeys([prefix + name.lower(), prefix + name]))


def _may_share_the_name(pipeline: Pipeline, name: str) -> Pipeline | None:
    """Another ``Pipeline`` of this app named ``name`` (any case) that may share its environment.

    Only where ``_same_name_problems`` can't tell: in another stack, when either stack's
    account or region is known only at deploy time.
    """
    if is_unresolved(name):
        return None
    stack = stack_of(pipeline)
    root = root_of(pipeline)
    for other in pipelines_named(name):
        other_stack = stack_of(other)
        if other is pipeline or root_of(other) is not root or other_stack is stack:
            continue
        parts = (*account_region(stack), *account_region(other_stack))
        if any(is_unresolved(part) for part in parts):
            return cast(Pipeline, other)
    return None


def _same_name_problems(pipeline: Pipeline, name: str) -> list[Problem]:
    """Another ``Pipeline`` of this app named ``name``, in any case, in its stack or environment.

    Pipeline names are unique per account and region: the second pipeline would fail to
    create at deploy time (a copied block, or a pipeline moved to a new construct path
    while the old one still exists in the app). Stacks whose environment is known only at
    deploy time are compared only with themselves.
    """
    if is_unresolved(name):
        return []
    others = [other for other in pipelines_named(name) if other is not pipeline]
    if not others:
        return []
    stack = stack_of(pipeline)
    environment = account_region(stack)
    known = not any(is_unresolved(part) for part in environment)
    root = root_of(pipeline)
    for other in others:
        other_stack = stack_of(other)
        if root_of(other) is not root:
            continue
        if other_stack is stack:
            where = f"in the same stack {stack.node.path}"
        elif known and account_region(other_stack) == environment:
            where = f"in the same account {environment[0]} and region {environment[1]}"
        else:
            continue
        other_name = other._name
        clash = (
            f"is also the name of Pipeline {other.node.path}, {where}: the second pipeline "
            "would fail to create at deploy time"
            if other_name == name
            else f"differs only in case from {other_name!r}, the name of Pipeline "
            f"{other.node.path}, {where}: SageMaker spells the name in lowercase in a "
            "pipeline's ARN, so the second pipeline would fail to create, or share the first's "
            "ARN and permissions"
        )
        return [
            PropProblem(
                None,
                "pipeline_name",
                f"{name!r} {clash}",
                "give each pipeline its own pipeline_name, or leave it out for one "
                "derived from the construct path",
            )
        ]
    return []


def _check_props(
    name: str,
    display_name: str | None,
    description: str | None,
    max_parallel_execution_steps: int | None,
) -> list[Problem]:
    """The CreatePipeline constraints on the construct's own props (tokens are skipped)."""
    typed = [
        problem
        for problem in (
            expect_str("pipeline_name", name, optional=False),
            expect_str("display_name", display_name),
            expect_str("description", description),
        )
        if problem is not None
    ]
    if typed:
        return typed
    problems: list[Problem] = (
        [as_prop(problem, "pipeline_name") for problem in validate_pipeline_name(name)]
        if not is_unresolved(name)
        else []
    )
    if (
        display_name is not None
        and not is_unresolved(display_name)
        and DISPLAY_NAME.fullmatch(display_name) is None
    ):
        problems.append(
            PropProblem(
                None,
                "display_name",
                f"display name {display_name!r} must be 1-{MAX_DISPLAY_NAME} letters, digits "
                "and hyphens, starting and ending with a letter or digit",
            )
        )
    if (
        description is not None
        and not is_unresolved(description)
        and len(description) > MAX_DESCRIPTION
    ):
        problems.append(
            PropProblem(
                None,
                "description",
                f"{len(description)} characters, longer than {MAX_DESCRIPTION}",
            )
        )
    steps = max_parallel_execution_steps
    if steps is not None and not is_unresolved(steps):
        if isinstance(steps, bool) or not isinstance(steps, int):
            problems.append(
                PropProblem(None, "max_parallel_execution_steps", f"expects an int, got {steps!r}")
            )
        elif steps < 1:
            problems.append(
                PropProblem(
                    None, "max_parallel_execution_steps", f"must be at least 1, got {steps}"
                )
            )
    return problems


def _definition_type_problems(definition: object) -> list[Problem]:
    """A ``definition`` of none of the kinds the construct takes.

    Checked before anything is created, and before the props a definition JSON can't
    take are judged: those would name ``vpc`` for a ``definition`` that is no JSON at all.
    """
    if isinstance(definition, (PipelineDefinition, Mapping, str, os.PathLike)):
        return []
    return [
        PropProblem(
            None,
            "definition",
            "expected a PipelineDefinition, a definition dict, JSON text or a JSON file path, "
            f"got {describe(definition)}",
            "for a SageMaker Python SDK pipeline, pass its definition()",
        )
    ]


def _json_network_problems(
    vpc: object,
    vpc_subnets: object,
    security_groups: object,
    isolation: bool,
    allow_all_outbound: bool,
) -> list[Problem]:
    """Network props a definition JSON can't take: the construct deploys it as written.

    They place the jobs of a compiled ``PipelineDefinition``; a JSON definition's jobs keep
    the ``VpcConfig`` and ``EnableNetworkIsolation`` it names, so the props would be accepted
    and ignored.
    """
    given = [
        prop
        for prop, value in (
            ("vpc", vpc),
            ("vpc_subnets", vpc_subnets),
            ("security_groups", security_groups),
            ("allow_all_outbound", allow_all_outbound or None),
            ("enable_network_isolation", isolation or None),
        )
        if value is not None
    ]
    return [
        PropProblem(
            None,
            prop,
            "a definition JSON is deployed as written: the construct applies the network "
            "props to the jobs of a PipelineDefinition only, and would ignore this one",
            "write each job's VpcConfig or EnableNetworkIsolation in the definition (the "
            "SageMaker SDK's subnets=, security_group_ids= and enable_network_isolation=), "
            "or pass a PipelineDefinition",
        )
        for prop in given
    ]


# A literal IAM role ARN: its account and its name (the last part of its path).
_ROLE_ARN = re.compile(r"arn:[\w-]+:iam::(?P<account>\d{12}):role/(?:[^/]+/)*(?P<name>[^/]+)")


def _autopilot_image(image: Mapping[str, Any], automl_steps: Collection[str]) -> bool:
    """Whether ``image`` is a property of an AutoML step's best candidate (Autopilot's image)."""
    reference = image.get("Get")
    if not isinstance(reference, str) or not reference.startswith("Steps."):
        return False
    producer, _, path = reference.removeprefix("Steps.").partition(".")
    return producer in automl_steps and path.startswith("BestCandidate.")


# The request members a job writes its network settings in, per step type (a Tuning
# step's are in each training job definition): see _warn_raw_steps_outside_network.
_NETWORK_MEMBERS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("Processing", *CHECK_STEP_TYPES), frozenset({"NetworkConfig"})),
    **dict.fromkeys(
        ("Training", "Model", "Tuning"), frozenset({"VpcConfig", "EnableNetworkIsolation"})
    ),
    # CreateAutoMLJob's is in AutoMLJobConfig.SecurityConfig, a VPC only (no isolation);
    # its encryption flag is no network setting (the SDK always writes it).
    AUTOML_STEP_TYPE: frozenset({"VpcConfig"}),
}


def _lacks_network_members(step: RawStep, network: NetworkConfig) -> bool:
    """Whether a raw job step writes none of its job's network members (any of them).

    An AutoML job takes a VPC only: the construct's network isolation alone doesn't reach
    a typed AutoML step's job either, so a raw one lacks nothing then.
    """
    members = _NETWORK_MEMBERS.get(step.type)
    if members is None:
        return False  # runs no job of its own network (Transform runs as its model's, …)
    requests: list[Any] = [step.arguments]
    if step.type == "Tuning":
        several = step.arguments.get("TrainingJobDefinitions")
        requests = [step.arguments.get("TrainingJobDefinition")]
        requests += several if isinstance(several, list | tuple) else []
    elif step.type == AUTOML_STEP_TYPE:
        if not network.subnets:
            return False
        config = step.arguments.get("AutoMLJobConfig")
        security = config.get("SecurityConfig") if isinstance(config, Mapping) else None
        requests = [security if isinstance(security, Mapping) else {}]
    return any(isinstance(request, Mapping) and not members & set(request) for request in requests)


# The step types whose jobs run as the role the binder gives them (their RoleArn, a Model
# step's ExecutionRoleArn): a dedicated role (``dedicated_step_roles``) is derived from such
# a step, and for a Model step from the Transform jobs and endpoints of its model, which run
# as its role too (``ModelRoles``). Check steps run one processing job. Not AutoML steps
# (automl_role), nor the steps that run no job with a role the pipeline gives (Transform
# and deployment steps run as their model's, Lambda, Callback, EMR, ...).
DEDICATED_STEP_TYPES = frozenset({"Processing", "Training", "Tuning", "Model", *CHECK_STEP_TYPES})
# ``dedicated_step_roles="*"``: a role of its own for every step of DEDICATED_STEP_TYPES that
# can have one (no step is named so: names are letters, digits, '-' and '_').
EVERY_JOB_STEP: Literal["*"] = "*"


def _raw_step_roles(step: object) -> list[str]:
    """The fields where a ``RawStep``'s arguments name its jobs' role (none for other steps).

    A raw job step that names none runs as the role the binder gives, a dedicated one
    included; one that does runs as what it names, as a definition JSON's step.
    """
    if not isinstance(step, RawStep):
        return []
    return [field for field, role in step.role_fields().items() if role is not None]


def _artifact_prefix(value: Any, steps: Mapping[str, Mapping[str, Any]], bucket: str) -> str | None:
    """The top prefix (``executions``, ``models``) of an artifact-store location, or ``None``.

    ``value`` is a step input of the definition: a literal URI, a ``Std:Join`` such as a
    default output location, or a ``Get`` of another step's output property, looked up in
    that step's arguments (a Training step's ``ModelArtifacts.S3ModelArtifacts`` is under
    its ``OutputDataConfig.S3OutputPath``).
    """
    if isinstance(value, str):
        if value == bucket or value.startswith(f"{bucket}/"):
            rest = value[len(bucket) :].strip("/")
            return rest.split("/", 1)[0] or "*"
        return None
    if not isinstance(value, Mapping):
        return None
    join = value.get("Std:Join")
    if isinstance(join, Mapping):
        values = join.get("Values") or []
        first = values[0] if values else None
        if first != bucket:
            # A literal URI or another step's location (a file under its output, a tuning
            # job's best model under its output path) at the head of the join.
            return _artifact_prefix(first, steps, bucket)
        # A default output location: [s3://bucket, "executions", PipelineName, …].
        second = values[1] if len(values) > 1 else None
        return second.strip("/").split("/", 1)[0] or "*" if isinstance(second, str) else "*"
    get = value.get("Get")
    if not isinstance(get, str) or not get.startswith("Steps."):
        return None
    step_name, _, path = get[len("Steps.") :].partition(".")
    path = path.replace("ModelArtifacts.S3ModelArtifacts", "OutputDataConfig.S3OutputPath")
    node: Any = (steps.get(step_name) or {}).get("Arguments")
    for token in re.findall(r"\w+|\['[^']*'\]|\[\d+\]", path):
        if token.startswith("['") and isinstance(node, list):
            wanted = token[2:-2]
            node = next(
                (
                    item
                    for item in node
                    if isinstance(item, Mapping)
                    and wanted in (item.get("OutputName"), item.get("ChannelName"))
                ),
                None,
            )
        elif token.startswith("[") and isinstance(node, list):
            index = int(token[1:-1])
            node = node[index] if index < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(token)
        else:
            return None
    if node is None or node is value:
        return None
    return _artifact_prefix(node, steps, bucket)


def _definitions_with_roles(step: object) -> list[str]:
    """The names of a ``TuningStep``'s ``training_job_definitions`` given their own ``role``."""
    definitions = getattr(step, "training_job_definitions", None) or ()
    return [
        repr(getattr(definition, "name", "?"))
        for definition in definitions
        if getattr(definition, "role", None) is not None
    ]


def _dedicated_role_id(step: str) -> str:
    """``StepRole-<step>``: the construct id of a step's dedicated role.

    The hyphen (which no other child of the construct has) keeps it apart from them all
    (a step named ``Policy`` would otherwise make ``StepRolePolicy``); logical ids drop it.
    Not from its policies' (``StepRole-<step>-Policy``, ``…-Policy2``): a step named so
    beside ``<step>`` is refused (``_dedicated_prop_problems``).
    """
    return f"StepRole-{step}"


def _model_stores_type_problems(model_stores: object) -> list[Problem]:
    """``model_stores`` judged before anything is built: step names to ``ArtifactStore``s."""
    if model_stores is None:
        return []
    if not isinstance(model_stores, Mapping):
        return [
            PropProblem(
                None,
                "model_stores",
                f"expected a mapping of Model step names to ArtifactStores, got "
                f"{type(model_stores).__name__}",
                "model_stores={'Score': registry_store}",
            )
        ]
    return [
        PropProblem(
            None,
            "model_stores",  # the prop itself, as other mappings' entries are reported
            f"entry {step!r}: expected a step name and an ArtifactStore, got "
            f"{type(step).__name__} and {type(store).__name__}",
            "adopt the registry's store: ArtifactStore.from_existing(self, "
            "'RegistryArtifacts', bucket=…, key=…)",
        )
        for step, store in model_stores.items()
        if not isinstance(step, str) or not isinstance(store, ArtifactStore)
    ]


def _model_store_account_region(store: ArtifactStore) -> tuple[str, str]:
    """The account and region of a store's data: its key's (an adopted key names its own)."""
    env = store.key.env
    return str(env.account), str(env.region)


def _parameter_default(package: object, definition: Mapping[str, Any]) -> object:
    """``package``, or the default of the parameter it is (``{"Get": "Parameters.V"}``)."""
    reference = package.get("Get") if isinstance(package, Mapping) and len(package) == 1 else None
    if not isinstance(reference, str) or not reference.startswith("Parameters."):
        return package
    name = reference.split(".", 1)[1]
    for parameter in definition.get("Parameters") or []:
        if isinstance(parameter, Mapping) and parameter.get("Name") == name:
            default = parameter.get("DefaultValue")
            return default if isinstance(default, str) else package
    return package


def _version_region(package: object) -> str | None:
    """The region of a literal model package ARN, else None (a name, a parameter)."""
    if _version_account(package) is None:
        return None
    region = str(package).split(":")[3]
    return region if region and not is_unresolved(region) else None


def _version_account(package: object) -> str | None:
    """The account of a literal model package ARN, else None (a name, a parameter)."""
    if not isinstance(package, str) or is_unresolved(package):
        return None
    parts = package.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "sagemaker":
        return None
    return parts[4]


def _dedicated_prop_problems(values: object, definition: object) -> list[Problem]:
    """``dedicated_step_roles`` judged before anything is built: its type, repeats, the source.

    The steps themselves are judged once compiled (``Pipeline._dedicated_step_problems``).
    """
    if values is None:
        return []
    every = values == EVERY_JOB_STEP
    if not every and (
        isinstance(values, str) or expect_strings("dedicated_step_roles", values) is not None
    ):
        # A lone name would be iterated as one-letter steps.
        return [
            PropProblem(
                None,
                "dedicated_step_roles",
                f"expected a list of step names or {EVERY_JOB_STEP!r}, got {describe(values)}",
                f"write [{values!r}] for that step, or {EVERY_JOB_STEP!r} for every job step"
                if isinstance(values, str)
                else None,
            )
        ]
    listed = [] if every else list(cast(Sequence[str], values))
    if not every and not listed:
        return []
    problems: list[Problem] = []
    if EVERY_JOB_STEP in listed:
        # No step is named '*' (names are letters, digits, '-' and '_'): "every step" is meant.
        problems.append(
            PropProblem(
                None,
                "dedicated_step_roles",
                f"{EVERY_JOB_STEP!r} in a list is no step name",
                f"write dedicated_step_roles={EVERY_JOB_STEP!r} (not in a list) for every "
                "job step" + (", or list step names only" if len(set(listed)) > 1 else ""),
            )
        )
    names = [name for name in listed if name != EVERY_JOB_STEP]
    problems += [
        PropProblem(
            None,
            "dedicated_step_roles",
            f"step '{name}' is listed {names.count(name)} times",
            "list each step once",
        )
        for name in dict.fromkeys(names)
        if names.count(name) > 1
    ]
    problems += _policy_id_clashes(names)
    json_source = not isinstance(definition, PipelineDefinition) and not (
        _definition_type_problems(definition)
    )
    if json_source and (every or names):
        shown = (
            f"every job step ({EVERY_JOB_STEP!r})"
            if every
            else "step(s) " + ", ".join(f"'{name}'" for name in dict.fromkeys(names))
        )
        problems.append(
            PropProblem(
                None,
                "dedicated_step_roles",
                f"{shown} of a definition JSON (a dict, JSON text or a file): its "
                "steps run as the RoleArn the JSON gives them, fixed in it, so this construct "
                "can't give them a role of their own",
                "build the definition as a PipelineDefinition, or write the role's ARN into "
                "the steps' RoleArn and grant that role what they need yourself",
            )
        )
    return problems


def _policy_id_clashes(names: Sequence[str], *, every: bool = False) -> list[Problem]:
    """Steps whose dedicated role's construct id is that of another's role's policy.

    Step X's role's policies are StepRole-X-Policy, StepRole-X-Policy2, …: the construct ids
    of the roles of steps named X-Policy, X-Policy2, … (which synth couldn't create).
    ``every``: the names are those ``"*"`` found, which can't leave one of them out.
    """
    return [
        PropProblem(
            None,
            "dedicated_step_roles",
            f"step '{name}': its role's construct id {_dedicated_role_id(name)!r} is that of "
            f"a managed policy of step '{other}''s role",
            f"rename step '{name}'"
            + (
                f", or list the steps to give roles of their own instead of {EVERY_JOB_STEP!r}"
                if every
                else ", or leave one of the two out of dedicated_step_roles"
            ),
        )
        for name in dict.fromkeys(names)
        for other in dict.fromkeys(names)
        if re.fullmatch(rf"{re.escape(other)}-Policy[0-9]*", name)
    ]


def _replaced(value: Any, replacements: Mapping[str, str]) -> Any:
    """``value`` (plain JSON) with each string that is a key of ``replacements`` replaced."""
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, dict):
        return {key: _replaced(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, replacements) for item in value]
    return value


@jsii.implements(IStableStringProducer)
class _SettledRoleArn:
    """The ARN a step's jobs run as under ``dedicated_step_roles="*"``, once it is settled.

    What the binder writes before the role exists; ``Pipeline._settle_every_step`` replaces
    it in the definition, so this only resolves where it was copied elsewhere.
    """

    def __init__(self, pipeline: Pipeline, step_name: str) -> None:
        self._pipeline = pipeline
        self._step_name = step_name

    def produce(self, context: IResolveContext | None = None) -> str:
        return self._pipeline._settled_role_arn(self._step_name)


def _sized_alone(
    stack: Stack, statements: list[iam.PolicyStatement]
) -> tuple[list[iam.PolicyStatement], list[Any], list[list[iam.PolicyStatement]]]:
    """One role's statements, split to fit managed policies: (statements, rendered, groups).

    As ``_sized`` does for the pipeline and step roles: a statement too long for a policy
    is split, and all are rendered again.
    """
    rendered = render_statements(stack, statements)
    lengths = statement_lengths(stack, statements, rendered)
    split = split_long_statements(stack, statements, rendered, lengths)
    if len(split) != len(statements):
        statements = split
        rendered = render_statements(stack, statements)
        lengths = statement_lengths(stack, statements, rendered)
    return statements, rendered, pack(statements, lengths)


def _never(role: str) -> bool:
    """A role matcher that matches no role."""
    return False


def _role_matcher(role: iam.IRole, arn: str | None = None) -> Callable[[str], bool]:
    """Whether a job's role ARN is ``role``'s, written as the definition writes it.

    ``arn``: the role's ARN as the binder wrote it (``_roles.role_arn``), if it did.

    The same token, or the same literal ARN; or, for a role given by name
    (``iam.Role.from_role_name``, whose ARN holds the partition as a token), a literal ARN
    of that name in its account (any account when the stack's is known only at deploy time).
    """
    if arn is None:
        arn = bound_role_arn(role)  # jsii round trips: each read once, and only when needed
    known: dict[str, str | None] = {}

    def name_and_account() -> tuple[str | None, str | None]:
        if not known:
            name = role.role_name
            account = role.env.account
            known["name"] = None if is_unresolved(name) else name
            known["account"] = None if is_unresolved(account) else account
        return known["name"], known["account"]

    def matches(candidate: str) -> bool:
        if candidate == arn:
            return True
        parsed = _ROLE_ARN.fullmatch(candidate) if not is_unresolved(candidate) else None
        if parsed is None:
            return False
        name, account = name_and_account()
        return parsed["name"] == name and account in (None, parsed["account"])

    return matches


def network_interface_statements(
    stack: Stack, subject: str, subnets: Sequence[str], group_ids: Sequence[str]
) -> list[iam.PolicyStatement]:
    """What SageMaker does with a role to put its jobs (or a model) in a VPC.

    ``Manage<subject>NetworkInterfaces``: create and delete network interfaces (any, as
    their ids are SageMaker's) in ``subnets`` and ``group_ids`` only;
    ``Describe<subject>Network``: the EC2 Describe actions, which take no resource.

    Example::

        network_interface_statements(stack, "Job", ["subnet-1"], ["sg-1"])
    """

    def ec2_arn(resource: str, name: str) -> str:
        return stack.format_arn(service="ec2", resource=resource, resource_name=name)

    return [
        iam.PolicyStatement(
            sid=f"Manage{subject}NetworkInterfaces",
            actions=[
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            resources=[
                ec2_arn("network-interface", "*"),
                *(ec2_arn("subnet", subnet) for subnet in dict.fromkeys(subnets)),
                *(ec2_arn("security-group", group) for group in dict.fromkeys(group_ids)),
            ],
        ),
        iam.PolicyStatement(
            sid=f"Describe{subject}Network",
            actions=[
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            resources=["*"],
        ),
    ]


class _Sized(NamedTuple):
    """A pipeline's role statements, split to fit managed policies, and their policies."""

    pipeline_statements: list[iam.PolicyStatement]
    step_statements: list[iam.PolicyStatement]
    rendered: list[Any]
    """Both roles' statements as the template renders them, the pipeline role's first."""
    role_groups: list[list[iam.PolicyStatement]]
    step_groups: list[list[iam.PolicyStatement]]


def _sized(
    stack: Stack,
    pipeline_statements: list[iam.PolicyStatement],
    step_statements: list[iam.PolicyStatement],
) -> _Sized:
    """The managed policies the pipeline and step roles' statements need.

    IAM refuses a managed policy over 6,144 characters: a pipeline of many steps gets its
    derived statements in several (most get one). None for the pipeline role when the steps
    need nothing of it (only Condition and Fail steps): IAM rejects an empty managed
    policy. Rendered once: for their lengths here and for the wildcards acknowledged later,
    whose groups hold the same statements in the same order.
    """
    rendered = render_statements(stack, [*pipeline_statements, *step_statements])
    lengths = statement_lengths(stack, [*pipeline_statements, *step_statements], rendered)
    # A statement too long for any managed policy (the locations of a bucket, for a
    # pipeline of a few dozen steps) is split into parts that fit, and all rendered again.
    first = len(pipeline_statements)  # the step role's statements come after them
    split = (
        split_long_statements(stack, pipeline_statements, rendered[:first], lengths[:first]),
        split_long_statements(stack, step_statements, rendered[first:], lengths[first:]),
    )
    if len(split[0]) + len(split[1]) != first + len(step_statements):
        pipeline_statements, step_statements = split
        rendered = render_statements(stack, [*pipeline_statements, *step_statements])
        lengths = statement_lengths(stack, [*pipeline_statements, *step_statements], rendered)
    return _Sized(
        pipeline_statements,
        step_statements,
        rendered,
        pack(pipeline_statements, lengths[: len(pipeline_statements)]),
        pack(step_statements, lengths[len(pipeline_statements) :]) or [[]],
    )


def _collapsed_locations(bucket: s3.IBucket, name: str, used: list[tuple[str, str]]) -> str:
    """``executions/churn/* and models/churn/* of the artifact bucket <path>``: what was widened.

    ``name``: the bucket's name as the plan spells it (a token for a bucket of the app).
    """
    prefixes = " and ".join(f"{prefix}*" for _, prefix in used)
    where = f"the artifact bucket {path_of(bucket)}" if is_unresolved(name) else f"bucket {name}"
    return f"{prefixes} of {where}"


def _collapse_message(
    prop: str, before: int, after: int, locations: str, automl: tuple[int, int] | None = None
) -> str:
    """The warning for a role whose locations under the pipeline's prefixes were collapsed.

    ``automl``: the AutoML role's policy counts before and after, for a step role whose
    policies that role gets too.
    """
    why = (
        "Every job of the pipeline runs as this one role, which could already reach each "
        "step's locations; any job may now also reach objects of this pipeline under those "
        "prefixes that no step names."
        if prop == "step_role"
        else "The role reads the steps' property files there; it may now read any object of "
        "this pipeline under those prefixes."
    )
    also, now_also = "", ""
    if automl is not None and automl[0] > MAX_MANAGED_POLICIES_PER_ROLE:
        also = f", and automl_role, which gets them too, {automl[0]}"
        now_also = f" (automl_role: {automl[1]})"
    return (
        f"The permissions derived for {prop} needed {before} managed policies of at most "
        f"{MAX_MANAGED_POLICY_LENGTH:,} characters (IAM's limit){also}, more than the "
        f"{MAX_MANAGED_POLICIES_PER_ROLE} IAM attaches to a role by default: its access to "
        f"this pipeline's own locations under {locations} is granted on those prefixes as a "
        "whole (statements ReadPipelineWide…, WritePipelineWide…, and their s3:prefix in "
        "List…) instead of location by location, now in "
        f"{after} managed polic{'y' if after == 1 else 'ies'}{now_also}. {why} Locations "
        "outside them (data buckets, code assets, other pipelines' prefixes) stay exact. "
        "To keep every "
        "location exact, let steps share code and data locations, or split the pipeline."
    )


def _too_many_policies(count: int, widened: str | None = None) -> tuple[str, str]:
    """The message and hint of the error for more managed policies than a role ever takes.

    ``widened``: the locations already granted as a whole (``_collapsed_locations``).
    """
    return (
        f"the permissions derived for it need {count} managed policies of at most "
        f"{MAX_MANAGED_POLICY_LENGTH:,} characters (IAM's limit), more than the "
        f"{MAX_MANAGED_POLICIES_PER_ROLE_RAISED} IAM attaches to a role even with its quota "
        "raised: deploying would fail"
        + (
            ""
            if widened is None
            else f", even with this pipeline's locations under {widened} granted on those "
            "prefixes as a whole rather than one by one"
        ),
        "split the pipeline into several Pipelines, or let steps share code (one "
        "Code.from_asset folder for several steps) and data locations: each script, input "
        "and output location adds to the statements",
    )


def _policy_count_message(prop: str, count: int) -> str:
    """The warning for more managed policies on a role than IAM attaches by default."""
    return (
        f"The permissions derived for {prop} need {count} managed policies of at most "
        f"{MAX_MANAGED_POLICY_LENGTH:,} characters (IAM's limit), more than the "
        f"{MAX_MANAGED_POLICIES_PER_ROLE} IAM attaches to a role by default (counting those "
        "it has already; Service Quotas can raise it to 20): deploying fails unless the quota "
        "is raised. Split the pipeline, or let steps share code and data locations (one "
        "Code.from_asset folder for several steps: each asset and bucket adds statements)."
    )


def _field_containing(value: object, text: str, path: str = "") -> str | None:
    """The path of the first string under ``value`` containing ``text`` (``None``: none does)."""
    if isinstance(value, str):
        return path if text in value else None
    items: Iterable[tuple[str, object]] = ()
    if isinstance(value, Mapping):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    for where, item in items:
        found = _field_containing(item, text, where)
        if found is not None:
            return found
    return None


def _store_environment_problems(stack: Stack, store: ArtifactStore) -> list[Problem]:
    """An artifact store of another account or region than the pipeline's.

    The jobs write to the store's bucket and encrypt with its key: a KMS key works in its
    own region only, and the derived grants are identity policies of the pipeline's account,
    which another account's bucket and key policies don't admit. (CDK would also fail the
    synth with 'Cannot use resource … in a cross-environment fashion'.)
    """
    theirs = stack_of(store)
    if theirs is stack:
        return []
    for part, ours, other in zip(
        ("account", "region"), account_region(stack), account_region(theirs), strict=True
    ):
        if is_unresolved(ours) or is_unresolved(other) or ours == other:
            continue
        why = (
            "a KMS key works in its own region only"
            if part == "region"
            else "the pipeline's roles get identity policies only, which another account's "
            "bucket and key policies don't admit"
        )
        return [
            PropProblem(
                None,
                "artifact_store",
                f"ArtifactStore {store.node.path} is in {part} {other}, but the pipeline's "
                f"stack is in {part} {ours}: its jobs write to the store's bucket and encrypt "
                f"with its key, and {why}",
                f"give an ArtifactStore of the pipeline's {part} (create one in its stack), "
                "or leave artifact_store out to get one",
            )
        ]
    return []


# What runs as the role a step of each type names, where it isn't a job.
_RUNS_AS = {"Model": "model", "EndpointConfig": "endpoint configuration"}

# What passes each role prop of a Pipeline to SageMaker, what fails then, and how a role of
# the pipeline's account may reach another account's resources instead.
_PASSED_ROLES = {
    "role": ("CreatePipeline passes it", "the deploy would fail", RESOURCE_POLICY_REACH),
    "step_role": (
        "the pipeline role passes it to each job it creates",
        "every execution would fail at its first job",
        JOB_REACH,
    ),
    "automl_role": (
        "the pipeline role passes it to each AutoML job it creates",
        "every execution would fail at its first AutoML step",
        JOB_REACH,
    ),
}


def _passed_role_problems(pipeline: Construct, roles: Mapping[str, object]) -> list[Problem]:
    """A given role of another account than the pipeline's, which SageMaker can't take.

    ``iam:PassRole`` passes only roles of the caller's own account (see ``_roles.py``): the
    pipeline's own role (CreatePipeline), and the roles its jobs run with, which the
    pipeline role passes to each job.
    """
    found = [
        passed_role_problem(
            prop, value, pipeline, service="SageMaker", passes=passes, fails=fails, reach=reach
        )
        for prop, value in roles.items()
        if value is not None
        for passes, fails, reach in [_PASSED_ROLES[prop]]
    ]
    return [problem for problem in found if problem is not None]


@jsii.implements(IValidation)
class _RoleTrust:
    """Fails synth when a role given to a construct, of this app, doesn't trust its service.

    The Pipeline's ``role``, ``step_role`` and ``automl_role`` (SageMaker), a trigger's
    ``role`` (EventBridge or its Scheduler). A validation, not a check when the construct
    is created: the trust policy is read once the app is complete, with the statements
    added to it after the construct.
    """

    def __init__(
        self,
        stack: Stack,
        roles: Mapping[str, object],
        principal: str = SAGEMAKER_PRINCIPAL,
        service: str = "SageMaker",
        fails: str = "every execution would fail",
    ) -> None:
        self._stack = stack
        self._roles = tuple(roles.items())
        self._trust = (principal, service, fails)

    def validate(self) -> list[str]:
        """One message per role the service can't assume (``prop 'role': …``)."""
        problems = _role_trust_problems(self._stack, self._roles, *self._trust)
        return [str(problem) for problem in problems]


def _role_trust_problems(
    stack: Stack,
    roles: Sequence[tuple[str, object]],
    principal: str = SAGEMAKER_PRINCIPAL,
    service: str = "SageMaker",
    fails: str = "every execution would fail",
) -> list[Problem]:
    """A role of this app whose trust policy doesn't let ``principal`` assume it.

    SageMaker assumes each role (the pipeline role to start jobs, the step and AutoML roles
    to run them); CloudFormation creates the pipeline all the same, and every execution fails
    (``fails``). A trigger's role is assumed by EventBridge or its Scheduler the same way. An
    imported role's trust policy is unknown here, and a principal or action given by a
    token might be the service's, so neither is judged; conditions are not judged either.
    """
    problems: list[Problem] = []
    for prop, value in roles:
        if not isinstance(value, iam.Role) or value.assume_role_policy is None:
            continue
        document = value.assume_role_policy
        statements = stack.resolve(document.to_json()).get("Statement") or []
        if any(_may_trust(statement, principal) for statement in statements):
            continue
        trusted = sorted(
            {
                principal
                if isinstance(principal, str)
                else f"{kind} principal (known at deploy time)"
                for statement in statements
                if statement.get("Effect") == "Allow" and _may_assume(statement)
                for kind, principals in (statement.get("Principal") or {}).items()
                for principal in (principals if isinstance(principals, list) else [principals])
            }
        )
        problems.append(
            PropProblem(
                None,
                prop,
                f"role {value.node.path} trusts {', '.join(trusted) or 'no principal'}, not "
                f"{principal}: {service} can't assume it, so {fails}",
                f"create it with assumed_by=iam.ServicePrincipal('{principal}'), "
                f"or leave {prop} out to get one",
            )
        )
    return problems


def _may_assume(statement: Mapping[str, Any]) -> bool:
    """Whether a statement's actions may include ``sts:AssumeRole``.

    IAM matches actions ignoring case, with ``*`` and ``?`` wildcards; ``NotAction`` (all
    actions but some) and a token are not judged.
    """
    if "NotAction" in statement:
        return True
    actions = statement.get("Action") or []
    actions = actions if isinstance(actions, list) else [actions]
    return any(
        not isinstance(action, str) or fnmatch.fnmatchcase("sts:assumerole", action.lower())
        for action in actions
    )


def _may_trust(statement: Mapping[str, Any], service_principal: str) -> bool:
    """Whether a resolved trust statement may let the service ``service_principal`` assume it."""
    if statement.get("Effect") != "Allow" or not _may_assume(statement):
        return False
    if "NotPrincipal" in statement:
        return True  # everyone but some: too open to judge
    principal = statement.get("Principal")
    if principal == "*" or not isinstance(principal, Mapping):
        return True
    anyone = principal.get("AWS") or []
    if "*" in (anyone if isinstance(anyone, list) else [anyone]):
        return True
    services = principal.get("Service") or []
    services = services if isinstance(services, list) else [services]
    return any(not isinstance(service, str) or service == service_principal for service in services)


def _check_collaborators(
    artifact_store: object,
    roles: Mapping[str, object],
    vpc: object,
    vpc_subnets: object,
    security_groups: object,
    tags: object,
) -> list[Problem]:
    """Check the props that are other constructs (or collections of them).

    Caught here, in Python, instead of as a jsii deserialization error from deep inside
    aws-cdk-lib.
    """
    role_hint = "an iam.Role, or iam.Role.from_role_arn(self, 'Role', arn)"
    problems = [
        expect_interface(prop, value, "an iam.IRole", ("role_arn", "grant_principal"), role_hint)
        for prop, value in roles.items()
        if value is not None
    ]
    if artifact_store is not None and not isinstance(artifact_store, ArtifactStore):
        problems.append(
            PropProblem(
                None,
                "artifact_store",
                f"expected an ArtifactStore, got {describe(artifact_store)}",
                "the pipeline needs the store's bucket and key: create an ArtifactStore",
            )
        )
    problems += _network_prop_problems(vpc, vpc_subnets, security_groups, "Jobs")
    if tags is not None and not (
        isinstance(tags, Mapping)
        and all(isinstance(key, str) and isinstance(value, str) for key, value in tags.items())
    ):
        problems.append(
            PropProblem(
                None, "tags", f"expected a dict of strings to strings, got {describe(tags)}"
            )
        )
    elif tags is not None:
        problems += _tag_problems(tags)
    return [problem for problem in problems if problem is not None]


def _network_prop_problems(
    vpc: object, vpc_subnets: object, security_groups: object, group_id: str
) -> list[Problem | None]:
    """``vpc``, ``vpc_subnets`` and ``security_groups`` of the types aws-cdk-lib takes.

    Shared with ``ModelEndpoint``; ``group_id`` names the group in the hint's example.
    """
    problems: list[Problem | None] = []
    if vpc is not None:
        problems.append(expect_interface("vpc", vpc, "an ec2.IVpc", ("vpc_id", "select_subnets")))
    else:
        problems += [
            PropProblem(None, prop, "given without vpc, so it would be ignored", "pass vpc= too")
            for prop, value in (("vpc_subnets", vpc_subnets), ("security_groups", security_groups))
            if value is not None
        ]
    if vpc_subnets is not None and not all(
        hasattr(vpc_subnets, member) for member in ("subnet_type", "subnets", "subnet_filters")
    ):
        # Read member by member, anything else would select the VPC's default subnets.
        problems.append(
            PropProblem(
                None,
                "vpc_subnets",
                f"expected an ec2.SubnetSelection, got {describe(vpc_subnets)}",
                "ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), or "
                "ec2.SubnetSelection(subnets=[ec2.Subnet.from_subnet_id(self, 'A', 'subnet-…')])",
            )
        )
    if security_groups is not None and (
        isinstance(security_groups, (str, Mapping))
        or not isinstance(security_groups, Sequence)
        or not all(hasattr(group, "security_group_id") for group in security_groups)
    ):
        problems.append(
            PropProblem(
                None,
                "security_groups",
                f"expected a list of ec2.ISecurityGroup, got {describe(security_groups)}",
                f"ec2.SecurityGroup.from_security_group_id(self, '{group_id}', 'sg-…')",
            )
        )
    return problems


def _instance_cap_prop_problems(allowed_instance_types: object) -> list[Problem]:
    """An ``allowed_instance_types`` that isn't a list of instance types SageMaker takes."""
    if allowed_instance_types is None:
        return []
    example = 'allowed_instance_types=["ml.m5.*", "ml.g5.2xlarge"]'
    if not (
        isinstance(allowed_instance_types, Sequence)
        and not isinstance(allowed_instance_types, str)
        and all(isinstance(entry, str) for entry in allowed_instance_types)
    ):
        return [
            PropProblem(
                None,
                "allowed_instance_types",
                "expected a list of instance types or patterns, got "
                f"{describe(allowed_instance_types)}",
                example,
            )
        ]
    return [
        PropProblem(None, "allowed_instance_types", message, hint)
        for message, hint in cap_option_problems(allowed_instance_types)
    ]


def _job_tags_problems(job_tags: object) -> list[Problem]:
    """``job_tags`` SageMaker would refuse on a job (see ``tag_problems``)."""
    if job_tags is None:
        return []
    if not (
        isinstance(job_tags, Mapping)
        and all(isinstance(key, str) and isinstance(value, str) for key, value in job_tags.items())
    ):
        return [
            PropProblem(
                None,
                "job_tags",
                f"expected a dict of strings to strings, got {describe(job_tags)}",
                'job_tags={"cost-centre": "CC-1234", "team": "fraud"}',
            )
        ]
    return [PropProblem(None, "job_tags", message) for message in tag_problems(job_tags)]


# Tag keys and values as CloudFormation and the services take them.
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


def _tag_problems(tags: Mapping[str, str]) -> list[Problem | None]:
    """Tags every resource would be created with, and which CloudFormation would reject.

    The pipeline, its roles, key and bucket take the same characters as a SageMaker job's
    tags (``bad_tag_characters``). CDK's own template check reports a wrong character only
    under ``@aws-cdk/core:validateAgainstDefaultRules`` (otherwise CloudFormation rejects
    the stack at deploy), and then once per tagged resource, naming neither the pipeline
    nor ``tags``.
    """
    problems: list[Problem | None] = []
    for key, value in tags.items():
        if is_unresolved(key):
            continue
        bad = bad_tag_characters(key)
        if not 1 <= len(key) <= MAX_TAG_KEY:
            problems.append(
                PropProblem(None, "tags", f"key {key!r}: expected 1-{MAX_TAG_KEY} characters")
            )
        elif key.lower().startswith("aws:"):
            problems.append(
                PropProblem(
                    None,
                    "tags",
                    f"key {key!r}: the aws: prefix is reserved for AWS, and CloudFormation "
                    "rejects tags that use it",
                )
            )
        elif bad:
            problems.append(PropProblem(None, "tags", f"key {key!r}: {_bad_tag_text(bad)}"))
        if is_unresolved(value):
            continue
        bad = bad_tag_characters(value)
        if len(value) > MAX_TAG_VALUE:
            problems.append(
                PropProblem(
                    None,
                    "tags",
                    f"value of {key!r}: {len(value)} characters, longer than {MAX_TAG_VALUE}",
                )
            )
        elif bad:
            problems.append(PropProblem(None, "tags", f"value of {key!r}: {_bad_tag_text(bad)}"))
    return problems


def _bad_tag_text(bad: str) -> str:
    """What a tag key or value may hold, for the characters ``bad`` it may not."""
    return (
        f"{bad!r} not allowed (letters, spaces, numbers and _ . : / = + - @ only), and "
        "CloudFormation would reject the tagged resources at deploy time"
    )


def _other_app_problems(
    pipeline: Construct,
    artifact_store: object,
    roles: Mapping[str, object],
    vpc: object,
    security_groups: Sequence[object] | None,
) -> list[Problem]:
    """Constructs given from another CDK app, which CDK can't refer to at synth."""
    given = [
        (prop, value)
        for prop, value in (
            ("artifact_store", artifact_store),
            *roles.items(),
            ("vpc", vpc),
        )
        if value is not None
    ] + [("security_groups", group) for group in security_groups or []]
    if not given:
        return []
    root = root_of(pipeline)
    found = [
        expect_same_app(prop, value, root) or _other_stage_problem(pipeline, prop, value)
        for prop, value in given
    ]
    return [problem for problem in found if problem is not None]


# Instead of a construct of another stage in a Pipeline's prop: what to leave out, and
# how to import it.
_OWN = {
    "artifact_store": "leave artifact_store out for a store of the pipeline's own",
    "role": "leave role out for one derived from the steps",
    "step_role": "leave step_role out for one derived from the steps",
    "automl_role": "leave automl_role out for one derived from the steps",
}
_IMPORTS = {
    "artifact_store": "ArtifactStore.from_existing of the bucket and key imported",
    "role": "iam.Role.from_role_arn",
    "step_role": "iam.Role.from_role_arn",
    "automl_role": "iam.Role.from_role_arn",
    "vpc": "ec2.Vpc.from_vpc_attributes",
    "security_groups": "ec2.SecurityGroup.from_security_group_id",
}


def _other_stage_problem(pipeline: Construct, prop: str, value: object) -> Problem | None:
    """A construct of another stage: CDK's own error names neither the pipeline nor the prop.

    A store is judged by its bucket and key (an adopted store of imported ones refers to
    nothing in its stage).
    """
    values = [value.bucket, value.key] if isinstance(value, ArtifactStore) else [value]
    for resource in values:
        problem = other_stage_problem(
            prop,
            resource,
            pipeline,
            "the pipeline",
            "create the pipeline in a stack of that stage"
            + (f", {_OWN[prop]}" if prop in _OWN else ""),
            _IMPORTS[prop],
        )
        if problem is not None:
            return problem
    return None


def _refuses_policy_updates(role: iam.IRole) -> bool:
    """``Role.from_role_arn(..., mutable=False)`` or ``role.without_policy_updates()``.

    CDK's immutable role is a view of another role construct, with that construct as its
    dependency root; every other role is its own root. (The class itself isn't exported.)
    """
    try:
        roots = Dependable.of(role).dependency_roots
        return len(roots) == 1 and roots[0].node.path != role.node.path
    except (AttributeError, RuntimeError):
        return False  # a role that is no construct (implemented outside CDK): nothing to tell


def _service_role(scope: Construct, construct_id: str, description: str, stack: Stack) -> iam.Role:
    check_permissions_boundary(scope)
    return iam.Role(
        scope,
        construct_id,
        description=description,
        assumed_by=iam.ServicePrincipal(
            SAGEMAKER_PRINCIPAL,
            # Confused-deputy protection: only SageMaker acting for this account.
            conditions={"StringEquals": {"aws:SourceAccount": account_region(stack)[0]}},
        ),
    )


def _default_name(construct: Construct) -> str:
    # Derived from the construct path: stable across synths, unique per stack and stage.
    return Names.unique_resource_name(construct, max_length=64, separator="-").lower()


def _subnet_selection(selection: ec2.SubnetSelection) -> dict[str, Any]:
    return {
        key: getattr(selection, key)
        for key in (
            "availability_zones",
            "one_per_az",
            "subnet_filters",
            "subnet_group_name",
            "subnet_type",
            "subnets",
        )
        if getattr(selection, key, None) is not None
    }


def _steps_and_models(steps: Iterable[tuple[str, Any]]) -> str:
    """``step 'Score' (model 'churn'); step 'Deploy' (model named at run time by …)``.

    A model is a name, or the value a parameter or another step gives at run time.
    """
    return "; ".join(
        f"step '{step}' (model "
        + (
            f"named at run time by {describe_value(model)}"
            if isinstance(model, Mapping)
            else describe_value(model)
        )
        + ")"
        for step, model in steps
    )


def _step_fields(fields: Iterable[tuple[str, str]], separator: str = "; ") -> str:
    """``step 'Deploy' field 'Arguments.EndpointName'; step …``, for a warning."""
    return separator.join(f"step '{step}' field '{field}'" for step, field in fields)
