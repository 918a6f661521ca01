"""``DataQualityMonitor``: SageMaker Model Monitor's data quality schedule on a ``ModelEndpoint``.

What AWS's "model deploy + model monitor" project templates add to an endpoint: a
``AWS::SageMaker::DataQualityJobDefinition`` and the ``AWS::SageMaker::MonitoringSchedule``
that runs it. Each run is a processing job of the Model Monitor analyzer that compares the
requests the endpoint captured (``ModelEndpoint(data_capture=…)``) in the last period with
the baseline a ``QualityCheckStep`` of the training pipeline calculated (recorded in the
registered version's ``ModelMetrics``), writes its report to the artifact store and
publishes its per-feature metrics to CloudWatch.

The baseline's S3 URIs are never looked up at synth: either read from the version the
endpoint serves at deploy time (``MonitorBaseline.from_model_package``: a custom resource
calling ``DescribeModelPackage`` on that one ARN), so a new version brings its own
baseline, or given as literals or tokens (CI reads them with ``aws sagemaker
describe-model-package`` and passes them as context). A construct taking ``endpoint=``
rather than a method of ``ModelEndpoint``, as aws-cdk-lib's ``ScalableTarget`` or
``cloudwatch.Alarm`` take what they act on: the endpoint stays as it is, and the monitor
may live in a stack of its own (of the endpoint's stage and environment).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Unpack

from aws_cdk import (
    Acknowledgment,
    Annotations,
    ArnFormat,
    Duration,
    Fn,
    Names,
    Resource,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk import custom_resources as cr

from constructs import Construct

from ..definition import Image, Problem
from ..definition._suggest import did_you_mean, one_of
from ..definition._tokens import _STRING_TOKEN
from ..definition.bindables import BindingError
from ..definition.instances import instance_types
from ._acknowledge import COMPLIANCE_PACKS, acknowledge_wildcards
from ._arns import format_arn
from ._binder import framework_image_in_stack
from ._policies import _s3_bucket_arn
from ._props import (
    ArgumentProblem,
    PropProblem,
    check_keywords,
    check_new_child,
    describe,
    expect_bool,
    expect_same_app,
    expect_str,
    is_unresolved,
    other_stage_problem,
    raise_for,
)
from ._roles import RESOURCE_POLICY_REACH, passed_role_problem, role_arn
from ._tree import account_region, node_of, path_of, placed, root_of, stack_of
from ._values import days
from ._warning_traces import record_warnings_without_traces
from .artifacts import _whole_days_problem
from .endpoint import (
    ModelEndpoint,
    _role_prop_problem,
    _version_arn_problem,
    _warn_of_locked_role,
)
from .monitoring import alarm_topic_problem, notify_topic
from .pipeline import (
    WARNING_PREFIX,
    _metric_option_type_problems,
    _MetricOptions,
    _refuses_policy_updates,
    _RoleTrust,
    _service_role,
    metric_options_problems,
    network_interface_statements,
)

if TYPE_CHECKING:
    from aws_cdk import aws_kms as kms

MONITORING_PREFIX = "monitoring/"
"""Where the monitors of an endpoint write their reports in its store's bucket
(``monitoring/<endpoint name>/<schedule name>/``)."""
MONITORING_REPORT_RETENTION = days(365)
"""How long a monitor's store keeps its reports by default: a year of drift history (an
hourly schedule writes a few objects each run, which would otherwise pile up for ever)."""

DATA_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
"""The CloudWatch namespace of a real-time endpoint's data quality metrics (dimensions
``Endpoint`` and ``MonitoringSchedule``), as AWS's drift detection sample alarms on it."""

# CreateMonitoringSchedule's MonitoringScheduleName: at most 63 characters.
MAX_NAME = 63
# PutMetricAlarm: Period x EvaluationPeriods at most 7 days (periods of an hour or more).
MAX_ALARM_HOURS = 7 * 24
# Where the analyzer finds the captured data and writes its report (the SDK's paths).
ENDPOINT_INPUT_PATH = "/opt/ml/processing/input/endpoint"
OUTPUT_PATH = "/opt/ml/processing/output"
# MonitoringClusterConfig.VolumeSizeInGB; MonitoringStoppingCondition.MaxRuntimeInSeconds.
MAX_VOLUME_GB = 16384
MAX_RUNTIME_SECONDS = 86400
# MonitoringS3Uri: at most 512 characters.
MAX_S3_URI = 512
_S3_OBJECT = re.compile(r"s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(?P<key>.+)")
# Any bucket part at all, to tell a malformed bucket name from a URI of no object.
_S3_ANY_BUCKET = re.compile(r"s3://(?P<bucket>[^/]+)/(?P<key>.+)")
# The metrics the analyzer publishes per feature (SageMaker guide, "CloudWatch Metrics").
FEATURE_METRIC_PREFIXES = ("feature_baseline_drift_", "feature_non_null_", "feature_data_")
# The namespaces the monitoring job may publish to: SageMaker's own (the processing job's
# instance metrics) and the analyzer's, which has no leading slash.
_METRIC_NAMESPACES = ["/aws/sagemaker/*", DATA_METRICS_NAMESPACE]
_ROLE_FAILS = "every monitoring run would fail"

# The cron forms Model Monitor takes (SageMaker guide, "The cron expression for monitoring
# schedule"): hourly, daily at an hour, every N hours from an hour; UTC.
_HOURLY = "cron(0 * ? * * *)"
_CRON = re.compile(r"cron\(0 (?P<hour>\d{1,2})(?:/(?P<every>\d{1,2}))? \? \* \* \*\)")


@dataclass(frozen=True, slots=True)
class MonitorSchedule:
    """When Model Monitor analyzes the captured data: one of the cron forms it takes (UTC).

    Each run analyzes the data captured in the period before it, and starts 0-20 minutes
    after the hour the expression names (SageMaker's note). ``NOW`` (one run, at once) and
    other expressions (minutes, days of the week, ``rate(…)``) are refused: SageMaker
    refuses them, or, for ``NOW``, it is no schedule.

    Example::

        MonitorSchedule.hourly()  # cron(0 * ? * * *)
        MonitorSchedule.daily(hour=2)  # cron(0 2 ? * * *)
        MonitorSchedule.every(hours=6)  # cron(0 0/6 ? * * *)
        MonitorSchedule("cron(0 17/12 ? * * *)")  # as SageMaker's guide writes them

    :param expression: ``cron(0 * ? * * *)``, ``cron(0 <hour> ? * * *)`` or
        ``cron(0 <hour>/<hours> ? * * *)``, hour 0-23 and hours 1-24.
    """

    expression: str

    def __post_init__(self) -> None:
        """Refuse an expression Model Monitor doesn't take, naming the field."""
        raise_for([_expression_problem(self.expression)], "MonitorSchedule")

    @staticmethod
    def hourly() -> MonitorSchedule:
        """At the start of every hour: ``cron(0 * ? * * *)``."""
        return MonitorSchedule(_HOURLY)

    @staticmethod
    def daily(hour: int = 0) -> MonitorSchedule:
        """Once a day, at ``hour`` (0-23, UTC): ``cron(0 <hour> ? * * *)``.

        Example::

            MonitorSchedule.daily(hour=2)
        """
        raise_for([_hour_problem("hour", hour)], "MonitorSchedule.daily")
        return MonitorSchedule(f"cron(0 {hour} ? * * *)")

    @staticmethod
    def every(hours: int, *, starting_hour: int = 0) -> MonitorSchedule:
        """Every ``hours`` hours (1-24) from ``starting_hour`` (0-23, UTC).

        ``cron(0 <starting_hour>/<hours> ? * * *)``: the runs of a day are at
        ``starting_hour``, ``starting_hour + hours``, … up to 23h.

        Example::

            MonitorSchedule.every(hours=6)  # 0h, 6h, 12h, 18h
        """
        raise_for(
            [_every_problem(hours), _hour_problem("starting_hour", starting_hour)],
            "MonitorSchedule.every",
        )
        return MonitorSchedule(f"cron(0 {starting_hour}/{hours} ? * * *)")

    @property
    def period_hours(self) -> int:
        """The shortest time between two runs, in hours: what a run may take at most."""
        if self.expression == _HOURLY:
            return 1
        match = _CRON.fullmatch(self.expression)
        assert match is not None  # checked when created
        start, every = int(match["hour"]), int(match["every"] or 24)
        hours = list(range(start, 24, every))
        # The gaps between the runs of a day, and from the last to the next day's first.
        gaps = [later - earlier for earlier, later in itertools.pairwise(hours)]
        gaps.append(hours[0] + 24 - hours[-1])
        return min(every, *gaps)


def _expression_problem(expression: object) -> Problem | None:
    problem = expect_str("expression", expression, optional=False)
    if problem is not None or not isinstance(expression, str):
        return problem
    if expression == _HOURLY:
        return None
    if expression.strip().upper() == "NOW":
        return PropProblem(
            None,
            "expression",
            "NOW runs one monitoring job, once, when the schedule is created: no schedule "
            "to deploy",
            "MonitorSchedule.hourly(), daily(…) or every(…); for a one-off analysis, run a "
            "QualityCheckStep in the pipeline",
        )
    match = _CRON.fullmatch(expression)
    if match is not None:
        hour, every = int(match["hour"]), match["every"]
        if hour <= 23 and (every is None or 1 <= int(every) <= 24):
            return None
    return PropProblem(
        None,
        "expression",
        f"{expression!r} is not a cron expression Model Monitor takes: cron(0 * ? * * *) "
        "(hourly), cron(0 <hour> ? * * *) (daily) or cron(0 <hour>/<hours> ? * * *), hour "
        "0-23 and hours 1-24, UTC",
        "MonitorSchedule.hourly(), MonitorSchedule.daily(hour=…) or MonitorSchedule.every(hours=…)",
    )


def _hour_problem(argument: str, hour: object) -> Problem | None:
    if isinstance(hour, bool) or not isinstance(hour, int):
        return ArgumentProblem(
            None, argument, f"expected a whole hour of the day, 0-23, got {describe(hour)}"
        )
    if not 0 <= hour <= 23:
        return ArgumentProblem(None, argument, f"expected an hour 0-23 (UTC), got {hour}")
    return None


def _every_problem(hours: object) -> Problem | None:
    if isinstance(hours, bool) or not isinstance(hours, int):
        return ArgumentProblem(
            None, "hours", f"expected a whole number of hours, 1-24, got {describe(hours)}"
        )
    if not 1 <= hours <= 24:
        return ArgumentProblem(
            None,
            "hours",
            f"expected 1-24 hours, got {hours}: Model Monitor runs at most hourly, at least daily",
        )
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorBaseline:
    """The baseline a monitor compares the captured data with: a baselining job's files.

    The ``statistics.json`` and ``constraints.json`` a ``QualityCheckStep``
    (``DataQualityCheckConfig``) calculated, as the registered version records them in its
    ``ModelMetrics.ModelDataQuality`` (or ``DriftCheckBaselines.ModelDataQuality``). S3
    URIs of the objects, literal or tokens (a ``CfnParameter``'s value); the monitor's role
    may read exactly these two objects.

    Example::

        MonitorBaseline(
            statistics_uri="s3://ml-artifacts/models/churn/exec-1/DataQualityCheck/"
            "quality_check_output/statistics.json",
            constraints_uri="s3://ml-artifacts/models/churn/exec-1/DataQualityCheck/"
            "quality_check_output/constraints.json",
        )

    :param statistics_uri: the baseline's statistics (``s3://bucket/key``).
    :param constraints_uri: the baseline's constraints (``s3://bucket/key``).
    """

    statistics_uri: str
    constraints_uri: str

    def __post_init__(self) -> None:
        """Refuse a location that is no S3 object, or the two files mixed up, naming the field."""
        problems = [
            _s3_object_problem("statistics_uri", self.statistics_uri),
            _s3_object_problem("constraints_uri", self.constraints_uri),
        ]
        if not any(problems):
            problems += _mixed_up_baseline_problems(self.statistics_uri, self.constraints_uri)
        raise_for(problems, "MonitorBaseline")

    @staticmethod
    def from_model_package(
        scope: Construct,
        construct_id: str,
        *,
        model_package_arn: str,
        source: BaselineSource = "drift_check_baselines",
    ) -> MonitorBaseline:
        """The baseline a registered version records, read from it at deploy time.

        Adds ``construct_id`` under ``scope``: an ``AwsCustomResource`` that calls
        ``sagemaker:DescribeModelPackage`` on ``model_package_arn`` (its only permission)
        and returns the two URIs of ``source``, nothing else of the response. The
        baseline's URIs are that resource's attributes: pass the ARN the endpoint serves,
        and a deployment of a new version reads the new version's baseline (the ARN is the
        resource's physical id, so another ARN replaces it). Nothing is looked up at synth.

        A version that records no such baseline fails the deployment at the monitor's job
        definition, CloudFormation naming the missing field (docs/model-monitoring.md).

        Example::

            baseline = MonitorBaseline.from_model_package(
                self, "Baseline", model_package_arn=endpoint.model_package_arn)
            DataQualityMonitor(self, "DataQuality", endpoint=endpoint, baseline=baseline)

        :param scope: where the custom resource goes (the monitor's stack, usually).
        :param construct_id: its id.
        :param model_package_arn: the registered version (``…:model-package/<group>/<n>``),
            literal or a token; of another account when its registry is shared with this
            one (``ModelRegistry.share_with_account`` allows ``DescribeModelPackage``).
        :param source: ``"drift_check_baselines"`` (``DriftCheckBaselines.ModelDataQuality``,
            what ``RegisterModel(drift_check_baselines=…)`` records) or ``"model_metrics"``
            (``ModelMetrics.ModelDataQuality``). Default: ``"drift_check_baselines"``.
        """
        check_new_child("MonitorBaseline.from_model_package", scope, construct_id)
        path = f"{node_of(scope).path}/{construct_id}".lstrip("/")
        raise_for(
            [
                expect_str("model_package_arn", model_package_arn, optional=False)
                or _version_arn_problem("model_package_arn", model_package_arn),
                _source_problem(source),
            ],
            f"MonitorBaseline.from_model_package {path}",
        )
        field = f"{_SOURCE_FIELDS[source]}.ModelDataQuality"
        paths = [f"{field}.Statistics.S3Uri", f"{field}.Constraints.S3Uri"]
        call = cr.AwsSdkCall(
            service="SageMaker",
            action="DescribeModelPackage",
            parameters={"ModelPackageName": model_package_arn},
            # A new version is a new physical id: CloudFormation replaces the resource, and
            # the job definition (which reads its attributes) with it.
            physical_resource_id=cr.PhysicalResourceId.of(model_package_arn),
            output_paths=paths,
        )
        reader = cr.AwsCustomResource(
            scope,
            construct_id,
            on_update=call,  # on_create defaults to it; nothing to undo on delete
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["sagemaker:DescribeModelPackage"],
                        resources=[model_package_arn],
                    )
                ]
            ),
            # The SDK bundled with the handler has DescribeModelPackage: no download from
            # npm at deploy time (which a function without internet access can't do).
            install_latest_aws_sdk=False,
        )
        _acknowledge_reader(reader)
        return MonitorBaseline(
            statistics_uri=reader.get_response_field(paths[0]),
            constraints_uri=reader.get_response_field(paths[1]),
        )


BaselineSource = Literal["drift_check_baselines", "model_metrics"]
"""Where ``MonitorBaseline.from_model_package`` reads a version's baseline."""

# The DescribeModelPackage members of each source (botocore's model of the response).
_SOURCE_FIELDS: dict[str, str] = {
    "drift_check_baselines": "DriftCheckBaselines",
    "model_metrics": "ModelMetrics",
}


def _source_problem(source: object) -> Problem | None:
    if isinstance(source, str) and source in _SOURCE_FIELDS:
        return None
    return PropProblem(
        None,
        "source",
        f"expected {one_of(_SOURCE_FIELDS)}, got {describe(source)}",
        did_you_mean(source, list(_SOURCE_FIELDS)) if isinstance(source, str) else None,
    )


# Why the custom resource's function and role leave cdk-nag findings (rule -> reason).
_READER = "the baseline reader (MonitorBaseline.from_model_package) "
_READER_FUNCTION_REASONS = {
    "LambdaConcurrency": _READER + "runs once per deployment, called by CloudFormation",
    "LambdaDLQ": _READER + "is invoked synchronously by CloudFormation, which reports its "
    "failure as the deployment's",
    "LambdaInsideVPC": _READER + "calls the SageMaker API only, and reads no data",
    # Not ours to encrypt: the log group is that of aws-cdk-lib's handler, one function
    # per stack shared by every AwsCustomResource in it (the app's own too), configured by
    # whichever is created first (SingletonFunction ignores the others' log_group); a
    # store's key on it would put all of theirs under that store's key and lifetime.
    "CloudWatchLogGroupEncrypted": _READER + "logs the SDK call and the two S3 URIs it "
    "returns, no data; its log group is aws-cdk-lib's AwsCustomResource handler's, shared "
    "by every AwsCustomResource of the stack and configured by the first one created, not "
    "this reader's to encrypt",
}
# The id aws-cdk-lib gives AwsCustomResource's handler, a child of the stack (a fixed uuid).
_HANDLER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
_READER_ROLE_REASONS = {
    # aws-cdk-lib's singleton handler role; its own statements are an inline policy.
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AWSLambdaBasicExecutionRole]": _READER
    + "is aws-cdk-lib's AwsCustomResource handler, whose role "
    "takes AWSLambdaBasicExecutionRole (its logs only)",
}
_READER_POLICY_REASON = (
    _READER + "gets sagemaker:DescribeModelPackage on the one version it reads, in the "
    "inline policy aws-cdk-lib's AwsCustomResource creates"
)


def _acknowledge_reader(reader: cr.AwsCustomResource) -> None:
    """Acknowledge the findings inherent in aws-cdk-lib's AwsCustomResource, with reasons.

    Its handler is one function per stack (``SingletonFunction``), shared by every reader
    of the stack; acknowledging again what is acknowledged already is harmless.
    """
    Validations.of(reader).acknowledge(
        *(
            Acknowledgment(id=f"{pack}-IAMNoInlinePolicy", reason=_READER_POLICY_REASON)
            for pack in COMPLIANCE_PACKS
        )
    )
    stack = Stack.of(reader)
    for child in stack.node.children:
        if child.node.id != _HANDLER_ID:
            continue
        Validations.of(child).acknowledge(
            *(
                Acknowledgment(id=f"{pack}-{rule}", reason=reason)
                for rule, reason in _READER_FUNCTION_REASONS.items()
                for pack in COMPLIANCE_PACKS
            ),
            *(
                Acknowledgment(id=rule, reason=reason)
                for rule, reason in _READER_ROLE_REASONS.items()
            ),
        )


# The names a baselining job (QualityCheckStep, the SDK's suggest_baseline) gives its files.
_BASELINE_FILES = {"statistics_uri": "statistics.json", "constraints_uri": "constraints.json"}


def _mixed_up_baseline_problems(statistics_uri: str, constraints_uri: str) -> list[Problem]:
    """The same object twice, or each file where the other belongs: every run would fail.

    The analyzer parses each as the file it is given as; SageMaker doesn't check them when
    the schedule is created, so the mistake shows in the first run's failure only. Tokens
    and files of other names (a baseline of your own) are not judged.
    """
    if is_unresolved(statistics_uri) or is_unresolved(constraints_uri):
        return []
    if statistics_uri == constraints_uri:
        return [
            PropProblem(
                None,
                "constraints_uri",
                f"{constraints_uri!r} is statistics_uri as well: the baseline is two files, "
                "statistics.json and constraints.json",
                "the version's ModelMetrics.ModelDataQuality.Constraints.S3Uri",
            )
        ]
    given = {"statistics_uri": statistics_uri, "constraints_uri": constraints_uri}
    problems: list[Problem] = []
    for prop, uri in given.items():
        (other,) = (name for name in _BASELINE_FILES if name != prop)
        if uri.rsplit("/", 1)[-1] == _BASELINE_FILES[other]:
            problems.append(
                PropProblem(
                    None,
                    prop,
                    f"{uri!r} is a baseline's {_BASELINE_FILES[other]}, not its "
                    f"{_BASELINE_FILES[prop]}: every run would fail to parse it",
                    f"swap the two URIs? ({other}={uri!r})",
                )
            )
    return problems


def _s3_object_problem(prop: str, uri: object) -> Problem | None:
    problem = expect_str(prop, uri, optional=False)
    if problem is not None or not isinstance(uri, str):
        return problem
    if is_unresolved(uri):
        # A token, or a URI built of one: judged only as far as it is literal, its start.
        head = _STRING_TOKEN.split(uri, maxsplit=1)[0]
        if head and not head.startswith("s3://"):
            return PropProblem(None, prop, f"{uri!r} must start with s3:// (s3://<bucket>/<key>)")
        return None
    if len(uri) > MAX_S3_URI:
        return PropProblem(None, prop, f"{len(uri)} characters, more than SageMaker's 512")
    loose = _S3_ANY_BUCKET.fullmatch(uri)
    if loose is not None and _S3_OBJECT.fullmatch(uri) is None and not uri.endswith("/"):
        return PropProblem(
            None,
            prop,
            f"{loose['bucket']!r} in {uri!r} is no S3 bucket name: 3-63 lowercase letters, "
            "digits, dots and hyphens, starting and ending with a letter or digit",
            "the file's URI, as the version's ModelMetrics.ModelDataQuality gives it",
        )
    if _S3_OBJECT.fullmatch(uri) is None or uri.endswith("/"):
        return PropProblem(
            None,
            prop,
            f"{uri!r} is not the S3 URI of an object (s3://<bucket>/<key>)",
            "the file's URI, as the version's ModelMetrics.ModelDataQuality gives it: aws "
            "sagemaker describe-model-package --model-package-name <version ARN>",
        )
    return None


class DataQualityMonitor(Resource):
    """SageMaker Model Monitor's data quality schedule on a ``ModelEndpoint``.

    Creates an ``AWS::SageMaker::DataQualityJobDefinition`` (``JobDefinition``) and the
    ``AWS::SageMaker::MonitoringSchedule`` (``Resource``) that runs it on ``schedule``:
    each run is a processing job of SageMaker's Model Monitor analyzer (the image of the
    stack's region, or chosen by region at deploy time in an environment-agnostic stack)
    that reads what the endpoint captured in the last period, compares it with
    ``baseline`` and writes its report under ``monitoring/<endpoint name>/<schedule name>/``
    of the endpoint's artifact store, encrypted (its volume too) with the store's key, which
    the store's lifecycle expires after ``report_retention``; it runs in the endpoint's VPC,
    subnets and security groups and network-isolated when the endpoint's model is. Each run
    bills as a processing job (``instance_type``, for as long as it runs): daily by
    default, as the SageMaker SDK's monitors; ``MonitorSchedule.hourly()`` is 24 jobs a day.

    The role (unless ``role=``) may read the endpoint's ``data-capture/<endpoint>/``
    prefix and the two baseline objects, decrypt with the stores' keys, write the
    reports, the processing jobs' logs and the analyzer's metrics, and, with a VPC, manage
    the job's network interfaces in its subnets and groups.

    The endpoint must capture its requests (``data_capture=DataCapture(…)``, with
    ``capture_input``): synth fails otherwise, naming both constructs.

    Example::

        monitor = DataQualityMonitor(
            self, "DataQuality", endpoint=endpoint,
            baseline=MonitorBaseline(statistics_uri=…, constraints_uri=…),
            schedule=MonitorSchedule.daily(hour=2), instance_type="ml.m5.xlarge")
        monitor.metric_feature_baseline_drift("age").create_alarm(
            self, "AgeDrift", threshold=0.1, evaluation_periods=1)
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: ModelEndpoint,
        baseline: MonitorBaseline,
        schedule: MonitorSchedule | None = None,
        instance_type: str = "ml.m5.xlarge",
        volume_size_in_gb: int = 30,
        max_runtime: Duration | None = None,
        enable_cloudwatch_metrics: bool = True,
        role: iam.IRole | None = None,
        report_retention: Duration | None = MONITORING_REPORT_RETENTION,
    ) -> None:
        """Create the job definition, the schedule and, unless ``role``, the role.

        :param endpoint: the endpoint to monitor: a ``ModelEndpoint`` of this app capturing
            its requests (``data_capture=DataCapture(…)``), of this stack's stage, account
            and region.
        :param baseline: the statistics and constraints the captured data is compared with.
        :param schedule: when to analyze, each run the requests captured since the one
            before. Default: ``MonitorSchedule.daily()``, at 00:00 UTC (the SageMaker SDK's
            monitors, given no schedule, run daily too). Each run is a processing job:
            ``MonitorSchedule.hourly()`` starts 24 a day, about $28 a month on
            ``ml.m5.xlarge`` at 10 minutes a run (us-east-1 list price), against about $1.15
            daily; drift metrics come as often, one data point per run.
        :param instance_type: the processing instance of each run (one). Default:
            ``ml.m5.xlarge``, as the SageMaker SDK's monitors.
        :param volume_size_in_gb: its ML storage volume, 1-16384 GiB. Default: 30.
        :param max_runtime: a run is stopped after this long, at most the time between two
            runs (one hour for an hourly schedule) and one day. Default: 1 hour.
        :param enable_cloudwatch_metrics: the analyzer publishes its per-feature metrics
            (``feature_baseline_drift_<feature>`` and others, in
            ``aws/sagemaker/Endpoints/data-metrics``) when the baseline's constraints
            enable them (``emit_metrics``, on in what the baselining job suggests).
            Default: True.
        :param role: the role the runs take. Default: a role SageMaker assumes (for this
            account only), with exactly the permissions above in a managed policy. A role
            of your own must be of the stack's account and trust
            ``sagemaker.amazonaws.com``; it gets the same managed policy, unless imported
            with ``mutable=False``: the policy is then created unattached, and named in a
            warning (``cdk-sagemaker-pipelines:immutable-role``).
        :param report_retention: how long the store keeps the reports under
            ``monitoring/<endpoint name>/<schedule name>/`` (an S3 lifecycle rule of its
            bucket, when this app created it: an adopted bucket's lifecycle is its owner's;
            not applied, and warned, for a bucket of another stack when the endpoint is
            named at deploy time), whole days. Default: 365 days; None: until deleted by
            hand.
        """
        check_new_child("DataQualityMonitor", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)

        def subject() -> str:
            return f"DataQualityMonitor {self.node.path}"

        stack = stack_of(self)
        problems: list[Problem | None] = [
            _endpoint_problem(endpoint, self),
            None
            if isinstance(baseline, MonitorBaseline)
            else PropProblem(
                None,
                "baseline",
                f"expected a MonitorBaseline, got {describe(baseline)}",
                "MonitorBaseline(statistics_uri='s3://…/statistics.json', "
                "constraints_uri='s3://…/constraints.json')",
            ),
            None
            if schedule is None or isinstance(schedule, MonitorSchedule)
            else PropProblem(
                None,
                "schedule",
                f"expected a MonitorSchedule, got {describe(schedule)}",
                "MonitorSchedule.hourly(), or MonitorSchedule('cron(0 * ? * * *)')",
            ),
            _instance_type_problem(instance_type),
            _volume_problem(volume_size_in_gb),
            expect_bool("enable_cloudwatch_metrics", enable_cloudwatch_metrics),
            _role_prop_problem(role, self),
            _whole_days_problem("report_retention", report_retention),
        ]
        raise_for(problems, subject)
        # Daily unless asked: an hourly schedule bills 24 processing jobs a day.
        schedule = schedule or MonitorSchedule.daily()
        raise_for(
            [
                *_capture_problems(endpoint),
                _runtime_problem(max_runtime, schedule),
                passed_role_problem(
                    "role",
                    role,
                    self,
                    service="SageMaker",
                    passes="CreateDataQualityJobDefinition passes it",
                    reach=RESOURCE_POLICY_REACH,
                ),
            ],
            subject,
        )
        try:
            image = framework_image_in_stack(stack, Image.model_monitor().framework_spec())
        except BindingError as unpublished:
            raise_for(
                [PropProblem(None, "endpoint", unpublished.message, unpublished.hint)], subject
            )
        self.endpoint = endpoint
        self.baseline = baseline
        self.schedule = schedule
        self._warn_of_base64_capture(endpoint)
        name = Names.unique_resource_name(self, max_length=MAX_NAME, separator="-")
        self.monitoring_schedule_name: str = name
        """The schedule's name (``MonitoringScheduleName``, the ``MonitoringSchedule``
        dimension of its metrics): unique, from the construct path."""
        endpoint_name = endpoint.cfn_endpoint.endpoint_name
        self.reports_prefix: str = f"{MONITORING_PREFIX}{endpoint_name}/{name}/"
        """Where the runs write their reports in the endpoint's store's bucket."""
        store = endpoint.artifact_store
        self.reports_uri: str = f"s3://{store.bucket.bucket_name}/{self.reports_prefix}"
        """``s3://<store bucket>/monitoring/<endpoint name>/<schedule name>/``."""
        self.report_retention: Duration | None = report_retention
        """How long the store's lifecycle keeps the reports; None: for ever."""
        self._expire_reports(store.bucket, report_retention)
        if role is None:
            role = _service_role(
                self, "Role", "Role of a SageMaker Model Monitor data quality schedule", stack
            )
        else:
            node_of(self).add_validation(_RoleTrust(stack, {"role": role}, fails=_ROLE_FAILS))
        self.role: iam.IRole = role
        network = _network_of(endpoint)
        statements = self._role_statements(network)
        # A role imported with mutable=False stays untouched, as the Pipeline's.
        locked = _refuses_policy_updates(role)
        self.role_policy = iam.ManagedPolicy(
            self,
            "RolePolicy",
            description="What a SageMaker Model Monitor data quality schedule reads and writes",
            statements=statements,
            roles=[] if locked else [role],
        )
        if locked:
            _warn_of_locked_role(
                self,
                self.role_policy,
                "what the monitoring jobs read and write",
                "before the schedule's first run",
            )
        acknowledge_wildcards(
            self.role_policy, statements, f"role of data quality monitor {self.node.path}"
        )
        key_arn = store.key.key_arn
        # Every property of it is create-only, Tags included, and it has no update handler
        # (AWS::SageMaker::DataQualityJobDefinition's resource schema: createOnlyProperties,
        # tagging.tagUpdatable false): any change replaces it. Left unnamed, so a
        # replacement gets a new name and the schedule is updated in place to use it.
        self._job_definition = sagemaker.CfnDataQualityJobDefinition(
            self,
            "JobDefinition",
            data_quality_app_specification=sagemaker.CfnDataQualityJobDefinition.DataQualityAppSpecificationProperty(
                image_uri=image,
                environment={
                    "publish_cloudwatch_metrics": "Enabled"
                    if enable_cloudwatch_metrics
                    else "Disabled"
                },
            ),
            data_quality_baseline_config=sagemaker.CfnDataQualityJobDefinition.DataQualityBaselineConfigProperty(
                constraints_resource=sagemaker.CfnDataQualityJobDefinition.ConstraintsResourceProperty(
                    s3_uri=baseline.constraints_uri
                ),
                statistics_resource=sagemaker.CfnDataQualityJobDefinition.StatisticsResourceProperty(
                    s3_uri=baseline.statistics_uri
                ),
            ),
            data_quality_job_input=sagemaker.CfnDataQualityJobDefinition.DataQualityJobInputProperty(
                endpoint_input=sagemaker.CfnDataQualityJobDefinition.EndpointInputProperty(
                    endpoint_name=endpoint.endpoint_name, local_path=ENDPOINT_INPUT_PATH
                )
            ),
            data_quality_job_output_config=sagemaker.CfnDataQualityJobDefinition.MonitoringOutputConfigProperty(
                monitoring_outputs=[
                    sagemaker.CfnDataQualityJobDefinition.MonitoringOutputProperty(
                        s3_output=sagemaker.CfnDataQualityJobDefinition.S3OutputProperty(
                            s3_uri=self.reports_uri,
                            local_path=OUTPUT_PATH,
                            s3_upload_mode="EndOfJob",
                        )
                    )
                ],
                kms_key_id=key_arn,
            ),
            job_resources=sagemaker.CfnDataQualityJobDefinition.MonitoringResourcesProperty(
                cluster_config=sagemaker.CfnDataQualityJobDefinition.ClusterConfigProperty(
                    instance_count=1,
                    instance_type=instance_type,
                    volume_size_in_gb=volume_size_in_gb,
                    volume_kms_key_id=key_arn,
                )
            ),
            network_config=sagemaker.CfnDataQualityJobDefinition.NetworkConfigProperty(
                enable_inter_container_traffic_encryption=True,
                # Left out when False: as the endpoint's model writes it.
                enable_network_isolation=True if endpoint.enable_network_isolation else None,
                vpc_config=None
                if network is None
                else sagemaker.CfnDataQualityJobDefinition.VpcConfigProperty(
                    subnets=network[0], security_group_ids=network[1]
                ),
            ),
            role_arn=role_arn(role),
            stopping_condition=sagemaker.CfnDataQualityJobDefinition.StoppingConditionProperty(
                max_runtime_in_seconds=3600
                if max_runtime is None
                else int(max_runtime.to_seconds())
            ),
        )
        # Created once the policy is attached: the runs need it from the first one.
        self._job_definition.node.add_dependency(self.role_policy)
        self._resource = sagemaker.CfnMonitoringSchedule(
            self,
            "Resource",
            monitoring_schedule_name=name,
            monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                # Named by CloudFormation (every property of a job definition replaces it,
                # which a fixed name would make fail): its name read back.
                monitoring_job_definition_name=self._job_definition.get_att(
                    "JobDefinitionName"
                ).to_string(),
                monitoring_type="DataQuality",
                schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(
                    schedule_expression=schedule.expression
                ),
            ),
        )
        self.monitoring_schedule_arn: str = self._resource.attr_monitoring_schedule_arn
        """The schedule's ARN."""

    def _expire_reports(self, bucket: object, retention: Duration | None) -> None:
        """Expire this schedule's reports after ``retention``, as the store does ``executions/``.

        A lifecycle rule of the store's bucket, when this app created it: an adopted
        bucket's lifecycle is its owner's (``report_retention`` is then documented as not
        applied). The bucket is versioned: the expired reports stay as noncurrent versions
        for the store's ``noncurrent_version_retention``.

        Not when the bucket is in another stack and the reports' prefix holds a value of
        this one (an endpoint named at deploy time): the store's stack would refer to this
        stack, which refers to it (a dependency cycle), or resolve a pseudo parameter such
        as ``AWS::StackName`` to its own value, a prefix no report is under. Warned.
        """
        if retention is None or not isinstance(bucket, s3.Bucket):
            return
        bucket_stack = stack_of(bucket)
        if path_of(bucket_stack) != path_of(stack_of(self)) and Token.is_unresolved(
            self.reports_prefix
        ):
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:report-retention-not-applied",
                f"report_retention is not applied: the store's bucket {path_of(bucket)} is in "
                f"stack {path_of(bucket_stack)}, and the reports' prefix (monitoring/<endpoint "
                "name>/<schedule name>/) holds the endpoint's name, known at deploy time in "
                "this stack, which a lifecycle rule of that stack can't name. Give the "
                "endpoint a literal endpoint_name, or pass report_retention=None and expire "
                "the reports in the store's stack yourself.",
            )
            return
        bucket.add_lifecycle_rule(
            id=f"ExpireMonitoringReports{Names.unique_id(self)}"[:255],
            prefix=self.reports_prefix,
            expiration=retention,
        )

    # -- L1 resources ----------------------------------------------------------------

    @property
    def cfn_job_definition(self) -> sagemaker.CfnDataQualityJobDefinition:
        """The underlying ``AWS::SageMaker::DataQualityJobDefinition``."""
        return self._job_definition

    @property
    def cfn_monitoring_schedule(self) -> sagemaker.CfnMonitoringSchedule:
        """The underlying ``AWS::SageMaker::MonitoringSchedule``."""
        return self._resource

    # -- metrics ---------------------------------------------------------------------

    def metric(self, metric_name: str, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """A per-feature metric of this schedule in ``aws/sagemaker/Endpoints/data-metrics``.

        ``metric_name`` is ``feature_baseline_drift_<feature>`` (the distance of the
        feature's distribution from the baseline's), ``feature_non_null_<feature>``
        (completeness) or ``feature_data_<feature>`` (its values), the names the analyzer
        publishes with dimensions ``Endpoint`` and ``MonitoringSchedule``. One data point
        per run: the period defaults to the schedule's (at most a day), the statistic to
        ``Maximum``. The ``options`` are ``cloudwatch.MetricOptions``.

        Example::

            monitor.metric("feature_non_null_age", statistic="Minimum")
        """
        given: dict[str, Any] = dict(options)
        raise_for(
            self._metric_problems(metric_name, given),
            lambda: f"{self.node.path}.metric({metric_name!r})",
        )
        if "period" not in given:
            given["period"] = Duration.hours(self.schedule.period_hours)
        given.setdefault("statistic", "Maximum")
        dimensions = {
            "Endpoint": self.endpoint.endpoint_name,
            "MonitoringSchedule": self.monitoring_schedule_name,
        }
        return cloudwatch.Metric(
            namespace=DATA_METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={**dimensions, **(given.pop("dimensions_map", None) or {})},
            **given,
        )

    def metric_feature_baseline_drift(
        self, feature_name: str, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """The drift of one feature from the baseline (``feature_baseline_drift_<feature>``).

        The distance the analyzer measures between the captured and the baseline
        distributions of the feature (Maximum per period of the schedule by default), to
        alarm on: a constraint violation of that feature is a distance above the
        baseline's ``comparison_threshold``.

        Example::

            monitor.metric_feature_baseline_drift("age").create_alarm(
                self, "AgeDrift", threshold=0.1, evaluation_periods=1)
        """
        problem = expect_str("feature_name", feature_name, optional=False)
        raise_for(
            [
                problem and ArgumentProblem(None, problem.field, problem.message, problem.hint),
                _metric_as_feature_problem(feature_name),
            ],
            lambda: f"{self.node.path}.metric_feature_baseline_drift({feature_name!r})",
        )
        return self.metric(f"feature_baseline_drift_{feature_name}", **options)

    def add_missing_results_alarm(
        self,
        feature_name: str,
        *,
        missed_runs: int = 2,
        topic: sns.ITopic | None = None,
    ) -> cloudwatch.Alarm:
        """Alarm when the schedule's runs stop giving results: the monitor went blind.

        A drift alarm treats a run without results as no drift (missing data, not
        breaching), so a failing schedule is silent. The analyzer publishes its per-feature
        metrics at the end of each run that analyzed data (with ``enable_cloudwatch_metrics``
        and the baseline's ``emit_metrics``); this alarm (construct ``NoResults``) is in ALARM
        when ``feature_baseline_drift_<feature_name>`` has no data point in ``missed_runs``
        schedule periods running (``SampleCount`` < 1, missing data breaching): the runs
        failed (a role, a baseline, a capture the analyzer can't parse), didn't start, or
        found no captured requests. With ``topic``, it sends its ALARM and its OK there
        (``notify_topic``). ``feature_name`` is any feature every request carries.

        An alarm rather than a rule on the runs' processing job events: SageMaker documents
        those events (``SageMaker Processing Job State Change``) without saying which field,
        or which job name, ties a job to its monitoring schedule, and a rule on a guess would
        match nothing without a word.

        Example::

            monitor.add_missing_results_alarm("0", topic=alerts.topic)  # two days, daily runs
        """

        def subject() -> str:
            return f"DataQualityMonitor {self.node.path}.add_missing_results_alarm"

        hours = self.schedule.period_hours
        named = expect_str("feature_name", feature_name, optional=False)
        raise_for(
            [
                named and ArgumentProblem(None, named.field, named.message, named.hint),
                _metric_as_feature_problem(feature_name),
                None if topic is None else alarm_topic_problem(topic, self),
                None
                if isinstance(missed_runs, int)
                and not isinstance(missed_runs, bool)
                and 1 <= missed_runs <= MAX_ALARM_HOURS // hours
                else ArgumentProblem(
                    None,
                    "missed_runs",
                    f"expected a whole number of runs from 1 to {MAX_ALARM_HOURS // hours}, got "
                    f"{describe(missed_runs)}",
                    f"an alarm evaluates at most 7 days: of runs every {hours} hours, "
                    f"{MAX_ALARM_HOURS // hours}",
                ),
                None
                if node_of(self).try_find_child("NoResults") is None
                else ArgumentProblem(
                    None, "feature_name", "the monitor has a missing-results alarm already"
                ),
            ],
            subject,
        )
        alarm = self.metric(
            f"feature_baseline_drift_{feature_name}", statistic="SampleCount"
        ).create_alarm(
            self,
            "NoResults",
            alarm_description=(
                f"Data quality monitor {self.monitoring_schedule_name} published no result in "
                f"its last {missed_runs} runs (every {hours} hours): its runs fail or don't run, "
                "or the endpoint captured no requests, and drift goes unwatched meanwhile. Its "
                "last runs and why they failed: aws sagemaker list-monitoring-executions "
                f"--monitoring-schedule-name {self.monitoring_schedule_name} --sort-by "
                "ScheduledTime --sort-order Descending --max-results 3"
            ),
            threshold=1,
            evaluation_periods=missed_runs,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            # No data point is the very thing watched: a run without results.
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        if topic is not None:
            notify_topic(alarm, topic, ok=True)
        return alarm

    def _metric_problems(self, metric_name: object, options: dict[str, Any]) -> list[Problem]:
        """A name the analyzer doesn't publish, or options ``cloudwatch.Metric`` refuses."""
        problems: list[Problem | None] = [expect_str("metric_name", metric_name, optional=False)]
        if (
            isinstance(metric_name, str)
            and not is_unresolved(metric_name)
            and not any(
                metric_name.startswith(prefix) and len(metric_name) > len(prefix)
                for prefix in FEATURE_METRIC_PREFIXES
            )
        ):
            problems.append(
                ArgumentProblem(
                    None,
                    "metric_name",
                    f"{metric_name!r} is no metric the Model Monitor analyzer publishes: "
                    f"{', '.join(p + '<feature>' for p in FEATURE_METRIC_PREFIXES)} (an "
                    "alarm on a metric without data never fires)",
                    _metric_name_hint(metric_name),
                )
            )
        problems += metric_options_problems(options, "Duration.hours(1)")
        problems += _metric_option_type_problems(options)
        # A method's arguments: reported as such (the shared checks name them as props).
        return [
            ArgumentProblem(None, problem.field, problem.message, problem.hint)
            for problem in problems
            if problem is not None
        ]

    def _warn_of_base64_capture(self, endpoint: ModelEndpoint) -> None:
        """The endpoint captures without content types: SageMaker writes base64 then."""
        config = endpoint.cfn_endpoint_config.data_capture_config
        if (
            isinstance(config, sagemaker.CfnEndpointConfig.DataCaptureConfigProperty)
            and config.capture_content_type_header is None
        ):
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:monitor-of-base64-capture",
                f"ModelEndpoint {endpoint.node.path} captures with no content types "
                "(DataCapture's csv_content_types and json_content_types): SageMaker writes "
                "such requests base64-encoded, and Model Monitor's analyzer reads CSV or JSON "
                "payloads, so a run may find no records it can parse. Give the endpoint "
                "DataCapture(csv_content_types=['text/csv']) (or json_content_types) for the "
                "content type its clients send, or acknowledge this warning when a record "
                "preprocessor of yours decodes them.",
            )

    # -- the role --------------------------------------------------------------------

    def _role_statements(
        self, network: tuple[list[str], list[str]] | None
    ) -> list[iam.PolicyStatement]:
        """What the monitoring jobs need, each statement with a Sid."""
        stack = stack_of(self)
        endpoint = self.endpoint
        store = endpoint.artifact_store
        bucket = store.bucket
        capture_prefix = endpoint.data_capture_prefix
        statements = [
            iam.PolicyStatement(
                sid="MonitorReadsCapturedData",
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects(f"{capture_prefix}*")],
            ),
            iam.PolicyStatement(
                sid="MonitorListsCapturedData",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{capture_prefix}*"]}},
            ),
            iam.PolicyStatement(
                sid="MonitorReadsBaseline",
                actions=["s3:GetObject"],
                resources=[
                    _object_arn(self.baseline.statistics_uri),
                    _object_arn(self.baseline.constraints_uri),
                ],
            ),
            *_baseline_list_statements(
                [self.baseline.statistics_uri, self.baseline.constraints_uri]
            ),
            iam.PolicyStatement(
                sid="MonitorWritesReports",
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{self.reports_prefix}*")],
            ),
            # Captured data and reports (S3 with the store's key) and the job's volume.
            iam.PolicyStatement(
                sid="MonitorUsesStoreKey",
                actions=[
                    "kms:Decrypt",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ],
                resources=[store.key.key_arn],
            ),
            # A processing job's volume key needs a grant by the job's role (the SageMaker
            # guide's policies for that role), as the pipelines' step roles have it.
            iam.PolicyStatement(
                sid="MonitorVolumesUseStoreKey",
                actions=["kms:CreateGrant"],
                resources=[store.key.key_arn],
            ),
        ]
        model_key: kms.IKey = endpoint.model_store.key
        if model_key is not store.key:
            # The baselines a pipeline of the model's store calculated are encrypted with
            # that store's key (a central registry's).
            statements.append(
                iam.PolicyStatement(
                    sid="MonitorDecryptsBaseline",
                    actions=["kms:Decrypt"],
                    resources=[model_key.key_arn],
                )
            )
        log_group = format_arn(
            stack,
            service="logs",
            resource="log-group",
            resource_name="/aws/sagemaker/ProcessingJobs",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        statements += [
            iam.PolicyStatement(
                sid="MonitorWritesLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                resources=[log_group, f"{log_group}:log-stream:*"],
            ),
            iam.PolicyStatement(
                sid="MonitorPublishesMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringLike": {"cloudwatch:namespace": _METRIC_NAMESPACES}},
            ),
        ]
        if network is not None:
            statements += network_interface_statements(stack, "Monitor", *network)
        return statements


def _baseline_list_statements(uris: list[str]) -> list[iam.PolicyStatement]:
    """``s3:ListBucket`` of the baseline objects, as each monitoring run lists them.

    SageMaker hands the baseline to a run as two processing inputs of ``S3DataType``
    ``S3Prefix`` (the object's key as the prefix), which it downloads by listing the
    bucket under that prefix: without the listing every run fails before it analyzes
    anything. ``MonitorListsBaseline`` allows the two keys as ``s3:prefix`` (as
    ``MonitorListsCapturedData`` does the captured data's). A URI that is a token as a
    whole (a parameter's value, a version's baseline read at deploy time) can't be split
    into its key by CloudFormation (``Fn::Split`` takes a literal delimiter, and the key's
    depth is unknown): its bucket, read from the URI at deploy time, is listed under the
    key's first segment only (``MonitorListsBaselineBucket``: ``sealed/*`` for a sealed
    baseline), not the whole bucket.
    """
    prefixes: dict[str, list[str]] = {}  # bucket ARN -> s3:prefix values
    open_buckets: list[str] = []
    first_segments: list[str] = []  # s3:prefix values of the tokens' keys
    for uri in uris:
        rest = uri.removeprefix("s3://") if uri.startswith("s3://") else None
        bucket, _, key = (rest or "").partition("/")
        if rest is not None and key:
            keys = prefixes.setdefault(_s3_bucket_arn(bucket), [])
            if f"{key}*" not in keys:
                keys.append(f"{key}*")
            continue
        # A token, or s3:// and a token: the bucket is what follows s3://, up to a slash,
        # and the key's first segment what follows that (a baseline names an object: the
        # key has one). The key itself can't be cut out at deploy time.
        after = Fn.select(1, Fn.split("s3://", uri)) if rest is None else rest
        parts = Fn.split("/", after)
        arn = _s3_bucket_arn(Fn.select(0, parts))
        if arn not in open_buckets:
            open_buckets.append(arn)
        first = Fn.select(1, parts)
        # The segment alone: an object at the bucket's root, whose key the run lists.
        first_segments += [first, Fn.join("", [first, "/*"])]
    statements: list[iam.PolicyStatement] = []
    if prefixes:
        statements.append(
            iam.PolicyStatement(
                sid="MonitorListsBaseline",
                actions=["s3:ListBucket"],
                resources=list(prefixes),
                conditions={
                    "StringLike": {"s3:prefix": [key for keys in prefixes.values() for key in keys]}
                },
            )
        )
    if open_buckets:
        statements.append(
            iam.PolicyStatement(
                sid="MonitorListsBaselineBucket",
                actions=["s3:ListBucket"],
                resources=open_buckets,
                conditions={"StringLike": {"s3:prefix": first_segments}},
            )
        )
    return statements


def _object_arn(uri: str) -> str:
    """The ARN of the S3 object ``uri`` names, at deploy time for a token."""
    if uri.startswith("s3://"):
        # s3://<bucket>/<key> -> arn:<partition>:s3:::<bucket>/<key>, tokens in it or not.
        return _s3_bucket_arn(uri[len("s3://") :])
    # A token (a parameter's value): split at deploy time.
    return Fn.join("", [_s3_bucket_arn(""), Fn.select(1, Fn.split("s3://", uri))])


def _endpoint_problem(endpoint: object, monitor: Construct) -> Problem | None:
    """An endpoint that isn't a ``ModelEndpoint`` this monitor's stack can refer to."""
    if not isinstance(endpoint, ModelEndpoint):
        return PropProblem(
            None,
            "endpoint",
            f"expected a ModelEndpoint, got {describe(endpoint)}",
            "a ModelEndpoint of this app: the monitor reads what it captures "
            "(its data_capture, store and network)",
        )
    problem = expect_same_app(
        "endpoint",
        endpoint,
        root_of(monitor),
        # Not the default hint's import: the monitor needs the ModelEndpoint itself.
        "create the monitor in the endpoint's app",
    ) or other_stage_problem(
        "endpoint",
        endpoint,
        monitor,
        "the monitor",
        "create the monitor in a stack of the endpoint's stage",
        "no import: the monitor needs the ModelEndpoint itself",
    )
    if problem is not None:
        return problem
    for part, ours, theirs in zip(
        ("account", "region"), account_region(monitor), account_region(endpoint), strict=True
    ):
        if not is_unresolved(ours) and not is_unresolved(theirs) and ours != theirs:
            return PropProblem(
                None,
                "endpoint",
                f"ModelEndpoint {endpoint.node.path} is in {part} {theirs}, the monitor's "
                f"stack in {part} {ours}: Model Monitor schedules analyze endpoints of their "
                "own account and region",
                "create the monitor in a stack of the endpoint's account and region",
            )
    return None


def _metric_name_hint(metric_name: str) -> str | None:
    """The name meant: the prefix without its ``feature_``, or a bare feature name."""
    if metric_name.startswith("feature_"):
        return None
    for prefix in FEATURE_METRIC_PREFIXES:
        # "baseline_drift_age": the metric is "feature_baseline_drift_age", not the drift
        # of a feature named "baseline_drift_age".
        if metric_name.startswith(prefix.removeprefix("feature_")):
            return repr(f"feature_{metric_name}")
    return f"metric_feature_baseline_drift({metric_name!r})"


def _metric_as_feature_problem(feature_name: object) -> Problem | None:
    """A feature name given as its metric's name (``feature_baseline_drift_age``).

    The methods add the prefix themselves: the metric would be
    ``feature_baseline_drift_feature_baseline_drift_age``, which the analyzer never
    publishes, so an alarm on it never fires (or, for the missing-results alarm, always).
    """
    if not isinstance(feature_name, str):
        return None  # reported as the argument's type
    prefix = next((p for p in FEATURE_METRIC_PREFIXES if feature_name.startswith(p)), None)
    if prefix is None or feature_name == prefix:
        return None
    return ArgumentProblem(
        None,
        "feature_name",
        f"{feature_name!r} is a metric's name, not a feature's: the metric would be "
        f"'feature_baseline_drift_{feature_name}', which the analyzer never publishes",
        f"give the feature's name alone: {feature_name.removeprefix(prefix)!r}",
    )


def _capture_problems(endpoint: object) -> list[Problem]:
    """An endpoint that captures none of its requests: nothing to analyze."""
    if not isinstance(endpoint, ModelEndpoint):
        return []  # reported as the prop's type
    config = endpoint.cfn_endpoint_config.data_capture_config
    path = endpoint.node.path
    if endpoint.serverless is not None:
        return [
            PropProblem(
                None,
                "endpoint",
                f"ModelEndpoint {path} is serverless: Serverless Inference captures no data, "
                "and Model Monitor doesn't monitor serverless endpoints",
                "monitor an endpoint on instances (its instance_type=, with data_capture=)",
            )
        ]
    if config is None:
        return [
            PropProblem(
                None,
                "endpoint",
                f"ModelEndpoint {path} captures no data (no data_capture=): Model Monitor "
                "analyzes the requests an endpoint captures",
                "give the endpoint data_capture=DataCapture(…), e.g. "
                "DataCapture(sampling_percentage=20, csv_content_types=['text/csv'])",
            )
        ]
    if not isinstance(config, sagemaker.CfnEndpointConfig.DataCaptureConfigProperty):
        return []  # a token (an override of the endpoint's own): not judged
    problems: list[Problem] = []
    options = config.capture_options
    modes = [
        option.capture_mode
        for option in (options if isinstance(options, list) else [])
        if isinstance(option, sagemaker.CfnEndpointConfig.CaptureOptionProperty)
    ]
    if "Input" not in modes:
        problems.append(
            PropProblem(
                None,
                "endpoint",
                f"ModelEndpoint {path} captures its responses only (DataCapture's "
                "capture_input=False): data quality is judged on the requests",
                "capture the requests: DataCapture(capture_input=True), its default",
            )
        )
    if config.initial_sampling_percentage == 0:
        problems.append(
            PropProblem(
                None,
                "endpoint",
                f"ModelEndpoint {path} captures 0 percent of its requests (DataCapture's "
                "sampling_percentage=0): every run would find nothing to analyze",
                "DataCapture(sampling_percentage=…) of 1 or more",
            )
        )
    return problems


def _instance_type_problem(instance_type: object) -> Problem | None:
    problem = expect_str("instance_type", instance_type, optional=False)
    if problem is not None or not isinstance(instance_type, str) or is_unresolved(instance_type):
        return problem
    valid = instance_types("processing")
    if instance_type in valid:
        return None
    return PropProblem(
        None,
        "instance_type",
        f"{instance_type!r} is not an instance type of SageMaker processing jobs, which "
        "monitoring jobs are",
        did_you_mean(instance_type, valid) or f"one of {one_of(sorted(valid))}",
    )


def _volume_problem(size: object) -> Problem | None:
    if is_unresolved(size):
        return None
    if isinstance(size, bool) or not isinstance(size, int):
        return PropProblem(
            None, "volume_size_in_gb", f"expected a whole number of GiB, got {describe(size)}"
        )
    if not 1 <= size <= MAX_VOLUME_GB:
        return PropProblem(None, "volume_size_in_gb", f"expected 1-{MAX_VOLUME_GB} GiB, got {size}")
    return None


def _runtime_problem(max_runtime: object, schedule: MonitorSchedule) -> Problem | None:
    """A run longer than the time to the next run (SageMaker's rule), or than a day."""
    if max_runtime is None:
        return None
    if not isinstance(max_runtime, Duration):
        return PropProblem(
            None,
            "max_runtime",
            f"expected a Duration, got {describe(max_runtime)}",
            "Duration.minutes(50)",
        )
    if max_runtime.is_unresolved():
        return None
    seconds = max_runtime.to_seconds(integral=False)
    hours = schedule.period_hours
    limit = min(hours * 3600, MAX_RUNTIME_SECONDS)
    if seconds != int(seconds) or seconds < 1:
        return PropProblem(
            None,
            "max_runtime",
            f"expected whole seconds, 1 or more, got {max_runtime.to_human_string()}",
        )
    if seconds > limit:
        return PropProblem(
            None,
            "max_runtime",
            f"{max_runtime.to_human_string()} is longer than the {hours} hour"
            f"{'' if hours == 1 else 's'} between two runs of {schedule.expression}: "
            "SageMaker refuses a run that may last until the next",
            f"Duration.seconds({limit}) or less",
        )
    return None


def _network_of(endpoint: ModelEndpoint) -> tuple[list[str], list[str]] | None:
    """The endpoint model's subnets and security group ids, None outside a VPC."""
    config = endpoint.cfn_model.vpc_config
    if config is None:
        return None
    # ModelEndpoint writes the struct itself (a VpcConfigProperty, never a token).
    assert isinstance(config, sagemaker.CfnModel.VpcConfigProperty), config
    return list(config.subnets), list(config.security_group_ids)
