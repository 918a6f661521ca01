"""``DataQualityMonitor``: Model Monitor's data quality schedule on an endpoint.

docs/model-monitoring.md. Two module-scoped stacks, each synthesized once: staging, the
docs' example (an endpoint capturing its requests, monitored hourly with literal
baselines, a drift alarm); and an environment-agnostic stack whose endpoint is in a VPC,
network-isolated, serving a version of a central store, monitored daily and every six
hours with baselines given as parameters. The landing-zone cases (permissions boundary, the
``LandingZoneRoles`` aspect, ``customize_roles``) are in ``test_landing_zone.py`` and
``test_customize_roles.py``, whose every-construct stage has a monitor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import (
    DATA_METRICS_NAMESPACE,
    MONITORING_PREFIX,
    ArtifactStore,
    DataCapture,
    DataQualityMonitor,
    ModelEndpoint,
    MonitorBaseline,
    MonitorSchedule,
    Pipeline,
    ServerlessConfig,
)
from cdk_sagemaker_pipelines.definition import (
    DataQualityCheckConfig,
    DatasetFormat,
    PipelineDefinition,
    PipelineDefinitionError,
    QualityCheckStep,
)
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    SAGEMAKER_TRUST,
    logical_id,
    pack_findings,
    resource,
    statements,
)
from tests.cdk.test_docs import _calls_with_unknown_keywords
from tests.test_docs import code_blocks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model-monitoring.md"
VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
BASELINE = (
    "s3://ml-artifacts-111122223333/models/churn/exec-1/DataQualityCheck/quality_check_output"
)
STATISTICS = f"{BASELINE}/statistics.json"
CONSTRAINTS = f"{BASELINE}/constraints.json"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
STORE_BUCKET_ARN = {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]}
ANALYZER = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
PROCESSING_LOGS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNETS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"]


def docs_python(containing: str) -> str:
    """The one Python block of docs/model-monitoring.md that contains ``containing``."""
    (block,) = [b for b in code_blocks(DOCS.read_text(), "python") if containing in b]
    return block


def _partition_arn(resource: Any) -> dict[str, Any]:
    """``arn:<partition>`` followed by ``resource`` (a string, or the Fn::Join's parts)."""
    parts = resource if isinstance(resource, list) else [resource]
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, *parts]]}


class Staging:
    """The docs' example: an endpoint capturing 20 % of its requests, monitored hourly."""

    def __init__(self, *, synthesize: bool = True) -> None:
        namespace: dict[str, Any] = {}
        exec(compile(docs_python("def add_monitored_endpoint"), str(DOCS), "exec"), namespace)
        self.stack = new_stack()
        self.store = ArtifactStore(self.stack, "Artifacts")
        alarms = sns.Topic(self.stack, "Alarms", master_key=self.store.key)
        version = {
            "model_package_arn": VERSION,
            "statistics_uri": STATISTICS,
            "constraints_uri": CONSTRAINTS,
        }
        self.monitor: DataQualityMonitor = namespace["add_monitored_endpoint"](
            self.stack, self.store, version, alarms
        )
        self.endpoint = self.monitor.endpoint
        if synthesize:
            self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def staging() -> Staging:
    return Staging()


def _of_type(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def test_the_job_definition_analyzes_the_captured_data_into_the_store(staging: Staging) -> None:
    monitor = staging.monitor
    name = monitor.monitoring_schedule_name
    assert re.fullmatch(r"Test-DataQuality-[0-9A-F]{8}", name)
    job = resource(staging.template, logical_id(monitor.cfn_job_definition))
    assert job["Properties"] == {
        "DataQualityAppSpecification": {
            "ImageUri": ANALYZER,
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        "DataQualityBaselineConfig": {
            "ConstraintsResource": {"S3Uri": CONSTRAINTS},
            "StatisticsResource": {"S3Uri": STATISTICS},
        },
        "DataQualityJobInput": {
            "EndpointInput": {
                "EndpointName": {
                    "Fn::GetAtt": [logical_id(staging.endpoint.cfn_endpoint), "EndpointName"]
                },
                "LocalPath": "/opt/ml/processing/input/endpoint",
            }
        },
        "DataQualityJobOutputConfig": {
            "KmsKeyId": STORE_KEY,
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                        "S3Uri": {
                            "Fn::Join": [
                                "",
                                [
                                    "s3://",
                                    {"Ref": "ArtifactsBucket88671897"},
                                    f"/monitoring/churn/{name}/",
                                ],
                            ]
                        },
                    }
                }
            ],
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeKmsKeyId": STORE_KEY,
                "VolumeSizeInGB": 30,
            }
        },
        "NetworkConfig": {"EnableInterContainerTrafficEncryption": True},
        "RoleArn": {"Fn::GetAtt": [logical_id(monitor.role), "Arn"]},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    # Named by CloudFormation (any change replaces it); created once the policy is attached.
    assert job["DependsOn"] == [logical_id(monitor.role_policy)]
    assert monitor.reports_prefix == f"{MONITORING_PREFIX}churn/{name}/"


def test_the_schedule_runs_the_job_definition_hourly(staging: Staging) -> None:
    monitor = staging.monitor
    (schedule_id, schedule) = next(
        iter(_of_type(staging.template, "AWS::SageMaker::MonitoringSchedule").items())
    )
    assert schedule_id == logical_id(monitor.cfn_monitoring_schedule)
    assert schedule["Properties"] == {
        "MonitoringScheduleName": monitor.monitoring_schedule_name,
        "MonitoringScheduleConfig": {
            "MonitoringJobDefinitionName": {
                "Fn::GetAtt": [logical_id(monitor.cfn_job_definition), "JobDefinitionName"]
            },
            "MonitoringType": "DataQuality",
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        },
    }
    assert monitor.node.default_child is monitor.cfn_monitoring_schedule
    assert staging.stack.resolve(monitor.monitoring_schedule_arn) == {
        "Fn::GetAtt": [schedule_id, "MonitoringScheduleArn"]
    }


def test_without_a_schedule_the_monitor_runs_daily_at_midnight_utc() -> None:
    # As the SageMaker SDK's monitors given no schedule: hourly would be 24 jobs a day.
    stack = new_stack()
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    monitor = DataQualityMonitor(
        stack,
        "Monitor",
        endpoint=endpoint,
        baseline=MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
    )
    assert monitor.schedule == MonitorSchedule.daily() == MonitorSchedule("cron(0 0 ? * * *)")
    schedule = resource(Template.from_stack(stack), logical_id(monitor.cfn_monitoring_schedule))
    assert schedule["Properties"]["MonitoringScheduleConfig"]["ScheduleConfig"] == {
        "ScheduleExpression": "cron(0 0 ? * * *)"
    }
    # One data point a run: its metrics' period is the day.
    assert monitor.metric_feature_baseline_drift("age").period.to_hours() == 24


def test_the_role_is_trusted_by_sagemaker_for_this_account(staging: Staging) -> None:
    role = resource(staging.template, logical_id(staging.monitor.role))
    assert role["Properties"]["AssumeRolePolicyDocument"] == SAGEMAKER_TRUST


def test_the_role_policy_exactly(staging: Staging) -> None:
    name = staging.monitor.monitoring_schedule_name
    policy = statements(staging.template, staging.monitor.role_policy)
    assert policy == {
        "MonitorReadsCapturedData": {
            "Sid": "MonitorReadsCapturedData",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Join": ["", [STORE_BUCKET_ARN, "/data-capture/churn/*"]]},
        },
        "MonitorListsCapturedData": {
            "Sid": "MonitorListsCapturedData",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": STORE_BUCKET_ARN,
            "Condition": {"StringLike": {"s3:prefix": ["data-capture/churn/*"]}},
        },
        "MonitorReadsBaseline": {
            "Sid": "MonitorReadsBaseline",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [
                _partition_arn(f":s3:::{CONSTRAINTS.removeprefix('s3://')}"),
                _partition_arn(f":s3:::{STATISTICS.removeprefix('s3://')}"),
            ],
        },
        # SageMaker downloads each baseline object as an S3Prefix processing input: it
        # lists the bucket under the object's key first.
        "MonitorListsBaseline": {
            "Sid": "MonitorListsBaseline",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": _partition_arn(":s3:::ml-artifacts-111122223333"),
            "Condition": {
                "StringLike": {
                    "s3:prefix": [
                        f"{STATISTICS.split('/', 3)[3]}*",
                        f"{CONSTRAINTS.split('/', 3)[3]}*",
                    ]
                }
            },
        },
        "MonitorWritesReports": {
            "Sid": "MonitorWritesReports",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": {"Fn::Join": ["", [STORE_BUCKET_ARN, f"/monitoring/churn/{name}/*"]]},
        },
        "MonitorUsesStoreKey": {
            "Sid": "MonitorUsesStoreKey",
            "Effect": "Allow",
            "Action": [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            "Resource": STORE_KEY,
        },
        "MonitorVolumesUseStoreKey": {
            "Sid": "MonitorVolumesUseStoreKey",
            "Effect": "Allow",
            "Action": "kms:CreateGrant",
            "Resource": STORE_KEY,
        },
        "MonitorWritesLogs": {
            "Sid": "MonitorWritesLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": [PROCESSING_LOGS, f"{PROCESSING_LOGS}:log-stream:*"],
        },
        "MonitorPublishesMetrics": {
            "Sid": "MonitorPublishesMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {
                "StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", DATA_METRICS_NAMESPACE]}
            },
        },
    }
    # A managed policy attached to the role, nothing inline (NIST's IAMNoInlinePolicy).
    assert _of_type(staging.template, "AWS::IAM::Policy") == {}
    managed = resource(staging.template, logical_id(staging.monitor.role_policy))
    assert managed["Properties"]["Roles"] == [{"Ref": logical_id(staging.monitor.role)}]


def test_the_drift_alarm_watches_the_analyzers_metric_of_this_schedule(staging: Staging) -> None:
    (alarm,) = _of_type(staging.template, "AWS::CloudWatch::Alarm").values()
    properties = alarm["Properties"]
    assert {key: properties[key] for key in ("Namespace", "MetricName", "Period", "Statistic")} == {
        "Namespace": "aws/sagemaker/Endpoints/data-metrics",
        "MetricName": "feature_baseline_drift_tenure",
        "Period": 3600,
        "Statistic": "Maximum",
    }
    assert properties["Dimensions"] == [
        {
            "Name": "Endpoint",
            "Value": {"Fn::GetAtt": [logical_id(staging.endpoint.cfn_endpoint), "EndpointName"]},
        },
        {"Name": "MonitoringSchedule", "Value": staging.monitor.monitoring_schedule_name},
    ]
    assert properties["AlarmActions"] == [
        {"Ref": logical_id(staging.stack.node.find_child("Alarms"))}
    ]


def test_metric_takes_the_options_and_the_other_feature_metrics(staging: Staging) -> None:
    monitor = staging.monitor
    metric = monitor.metric("feature_non_null_tenure", statistic="Minimum")
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        DATA_METRICS_NAMESPACE,
        "feature_non_null_tenure",
        "Minimum",
    )
    assert metric.period.to_seconds() == 3600
    daily = monitor.metric("feature_data_tenure", period=cdk.Duration.days(1))
    assert daily.period.to_seconds() == 86400
    assert set(metric.dimensions or {}) == {"Endpoint", "MonitoringSchedule"}


def test_cdk_nag_finds_nothing_of_the_monitor(staging: Staging) -> None:
    findings = pack_findings(staging.stack)
    assert findings  # the packs ran (the store's replication is the team's to decide)
    assert [f for f in findings if "Test/DataQuality" in f or "Test/Endpoint" in f] == []


class _Recorded:
    """Stands in for ``Validations`` in ``_acknowledge``: records (path, id, reason)."""

    def __init__(self) -> None:
        self.acknowledged: list[tuple[str, str, str]] = []

    def of(self, scope: Any) -> Any:
        recorded = self

        class _Of:
            def acknowledge(self, *rules: Any) -> None:
                recorded.acknowledged += [(scope.node.path, r.id, r.reason) for r in rules]

        return _Of()


def test_the_role_wildcards_are_acknowledged_with_their_reasons() -> None:
    import cdk_sagemaker_pipelines.cdk._acknowledge as acknowledge

    recorded = _Recorded()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(acknowledge, "Validations", recorded)
        monitor = Staging(synthesize=False).monitor
    name = monitor.monitoring_schedule_name
    acknowledged = {
        finding: reason
        for path, finding, reason in recorded.acknowledged
        if path == "Test/DataQuality/RolePolicy"
    }
    store = "<ArtifactsBucket88671897.Arn>"
    assert sorted(acknowledged) == sorted(
        [
            f"AwsSolutions-IAM5[Resource::{store}/data-capture/churn/*]",
            f"AwsSolutions-IAM5[Resource::{store}/monitoring/churn/{name}/*]",
            f"AwsSolutions-IAM5[Resource::{PROCESSING_LOGS}:log-stream:*]",
            "AwsSolutions-IAM5[Resource::*]",
        ]
    )
    assert acknowledged[f"AwsSolutions-IAM5[Resource::{store}/monitoring/churn/{name}/*]"] == (
        "role of data quality monitor Test/DataQuality: each monitoring run writes its reports "
        "(statistics, constraint violations) under objects named by SageMaker at run time, "
        "below this schedule's own monitoring/<endpoint>/<schedule>/ prefix"
    )


# -- Environment-agnostic, in a VPC, a central store, two schedules ------------------------


class Private:
    """An isolated endpoint in a VPC, serving a central store's version; two monitors."""

    def __init__(self) -> None:
        self.stack = new_stack(account=None, region=None)
        self.store = store = ArtifactStore(self.stack, "Artifacts")
        self.central_key = kms.Key.from_key_arn(
            self.stack, "CentralKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"
        )
        central = ArtifactStore.from_existing(
            self.stack,
            "Central",
            bucket=s3.Bucket.from_bucket_name(self.stack, "CentralBucket", "ml-central-models"),
            key=self.central_key,
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            self.stack,
            "Vpc",
            vpc_id="vpc-0a1b2c3d4e5f60718",
            availability_zones=["us-east-1a", "us-east-1b"],
            private_subnet_ids=SUBNETS,
            private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60711", "rtb-0a1b2c3d4e5f60722"],
        )
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=cdk.CfnParameter(self.stack, "Version").value_as_string,
            artifact_store=store,
            model_store=central,
            endpoint_name="churn",
            vpc=vpc,
            enable_network_isolation=True,
            data_capture=DataCapture(json_content_types=["application/json"]),
        )
        statistics = cdk.CfnParameter(self.stack, "Statistics").value_as_string
        self.daily = DataQualityMonitor(
            self.stack,
            "Daily",
            endpoint=self.endpoint,
            baseline=MonitorBaseline(
                statistics_uri=statistics,
                constraints_uri=f"s3://{central.bucket.bucket_name}/models/constraints.json",
            ),
            schedule=MonitorSchedule.daily(hour=3),
            instance_type="ml.c5.xlarge",
            volume_size_in_gb=50,
            max_runtime=cdk.Duration.hours(2),
            enable_cloudwatch_metrics=False,
        )
        self.six_hourly = DataQualityMonitor(
            self.stack,
            "SixHourly",
            endpoint=self.endpoint,
            baseline=MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
            schedule=MonitorSchedule.every(hours=6),
        )
        self.template = Template.from_stack(self.stack)
        self.group = logical_id(self.endpoint.node.find_child("SecurityGroup"))


@pytest.fixture(scope="module")
def private() -> Private:
    return Private()


def test_an_agnostic_stack_picks_the_analyzer_by_region_from_one_mapping(
    private: Private,
) -> None:
    job = resource(private.template, logical_id(private.daily.cfn_job_definition))
    image = job["Properties"]["DataQualityAppSpecification"]["ImageUri"]
    mapping = "ModelMonitorSagemakerModelMonitorAnalyzerImages"
    assert image == {"Fn::FindInMap": [mapping, {"Ref": "AWS::Region"}, "uri"]}
    other = resource(private.template, logical_id(private.six_hourly.cfn_job_definition))
    assert other["Properties"]["DataQualityAppSpecification"]["ImageUri"] == image
    mappings = private.template.to_json()["Mappings"]
    assert list(mappings) == [mapping]
    assert mappings[mapping]["us-east-1"] == {"uri": ANALYZER}
    assert len(mappings[mapping]) == 30


def test_a_pipelines_quality_check_and_a_monitor_share_the_mapping() -> None:
    # No synth: the pipeline binds its definition when created.
    stack = new_stack(account=None, region=None)
    store = ArtifactStore(stack, "Artifacts")
    check = QualityCheckStep(
        name="DataQualityCheck",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://ml-data/train/", dataset_format=DatasetFormat.csv()
        ),
        skip_check=True,
        model_package_group_name="churn",
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[check]), artifact_store=store)
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=cdk.CfnParameter(stack, "Version").value_as_string,
        artifact_store=store,
        data_capture=DataCapture(),
    )
    monitor = DataQualityMonitor(
        stack,
        "DataQuality",
        endpoint=endpoint,
        baseline=MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
    )
    mappings = [child for child in stack.node.children if isinstance(child, cdk.CfnMapping)]
    assert [mapping.node.id for mapping in mappings] == [
        "ModelMonitorSagemakerModelMonitorAnalyzerImages"
    ]
    specification = monitor.cfn_job_definition.data_quality_app_specification
    assert stack.resolve(specification.image_uri) == {  # type: ignore[union-attr]
        "Fn::FindInMap": [
            "ModelMonitorSagemakerModelMonitorAnalyzerImages",
            {"Ref": "AWS::Region"},
            "uri",
        ]
    }


def test_the_job_runs_in_the_endpoints_network_isolated(private: Private) -> None:
    properties = resource(private.template, logical_id(private.daily.cfn_job_definition))[
        "Properties"
    ]
    assert properties["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": True,
        "VpcConfig": {
            "SecurityGroupIds": [{"Fn::GetAtt": [private.group, "GroupId"]}],
            "Subnets": SUBNETS,
        },
    }
    assert properties["JobResources"]["ClusterConfig"]["InstanceType"] == "ml.c5.xlarge"
    assert properties["JobResources"]["ClusterConfig"]["VolumeSizeInGB"] == 50
    assert properties["StoppingCondition"] == {"MaxRuntimeInSeconds": 7200}
    assert properties["DataQualityAppSpecification"]["Environment"] == {
        "publish_cloudwatch_metrics": "Disabled"
    }
    policy = statements(private.template, private.daily.role_policy)

    def ec2_arn(resource: str, *rest: Any) -> dict[str, Any]:
        environment = [":ec2:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}]
        return _partition_arn([*environment, f":{resource}", *rest])

    # The network interfaces SageMaker creates, in the endpoint model's subnets and group only.
    assert policy["ManageMonitorNetworkInterfaces"]["Resource"] == [
        ec2_arn("network-interface/*"),
        ec2_arn("security-group/", {"Fn::GetAtt": [private.group, "GroupId"]}),
        *(ec2_arn(f"subnet/{subnet}") for subnet in SUBNETS),
    ]
    assert policy["DescribeMonitorNetwork"]["Resource"] == "*"


def test_baselines_given_as_tokens_are_read_exactly_at_deploy_time(private: Private) -> None:
    policy = statements(private.template, private.daily.role_policy)
    statistics, constraints = policy["MonitorReadsBaseline"]["Resource"]
    # A parameter's value: split into its object's ARN by CloudFormation.
    assert statistics == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":s3:::",
                {"Fn::Select": [1, {"Fn::Split": ["s3://", {"Ref": "Statistics"}]}]},
            ],
        ]
    }
    # A URI of a token bucket: its ARN written around the token.
    assert constraints == _partition_arn(":s3:::ml-central-models/models/constraints.json")
    # Listed as each run downloads them: the literal key as the prefix; the bucket of the
    # parameter's URI, split out at deploy time, under its key's first segment only
    # (CloudFormation can't split the whole key out of it), never the whole bucket.
    assert policy["MonitorListsBaseline"] == {
        "Sid": "MonitorListsBaseline",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": _partition_arn(":s3:::ml-central-models"),
        "Condition": {"StringLike": {"s3:prefix": ["models/constraints.json*"]}},
    }
    after_scheme = {"Fn::Select": [1, {"Fn::Split": ["s3://", {"Ref": "Statistics"}]}]}
    first_segment = {"Fn::Select": [1, {"Fn::Split": ["/", after_scheme]}]}
    assert policy["MonitorListsBaselineBucket"] == {
        "Sid": "MonitorListsBaselineBucket",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": _partition_arn(
            [":s3:::", {"Fn::Select": [0, {"Fn::Split": ["/", after_scheme]}]}]
        ),
        "Condition": {
            "StringLike": {"s3:prefix": [first_segment, {"Fn::Join": ["", [first_segment, "/*"]]}]}
        },
    }


def test_a_central_model_store_key_decrypts_the_baseline(private: Private) -> None:
    policy = statements(private.template, private.daily.role_policy)
    assert policy["MonitorDecryptsBaseline"] == {
        "Sid": "MonitorDecryptsBaseline",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central",
    }


def test_each_schedule_writes_under_its_own_prefix(private: Private) -> None:
    expressions = {
        monitor.monitoring_schedule_name: resource(
            private.template, logical_id(monitor.cfn_monitoring_schedule)
        )["Properties"]["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
        for monitor in (private.daily, private.six_hourly)
    }
    assert sorted(expressions.values()) == ["cron(0 0/6 ? * * *)", "cron(0 3 ? * * *)"]
    writes = [
        statements(private.template, monitor.role_policy)["MonitorWritesReports"]["Resource"]
        for monitor in (private.daily, private.six_hourly)
    ]
    assert writes[0] != writes[1]
    assert private.six_hourly.metric_feature_baseline_drift("x").period.to_seconds() == 6 * 3600


def _report_rules(template: Template, bucket: Any) -> list[dict[str, Any]]:
    rules = resource(template, logical_id(bucket))["Properties"]["LifecycleConfiguration"]
    return [rule for rule in rules["Rules"] if rule["Id"].startswith("ExpireMonitoringReports")]


def test_the_store_expires_the_reports_after_a_year(staging: Staging) -> None:
    # Without the rule an hourly schedule's reports pile up under monitoring/ for ever.
    (rule,) = _report_rules(staging.template, staging.store.bucket)
    name = staging.monitor.monitoring_schedule_name
    assert rule == {
        "Id": rule["Id"],
        "Prefix": f"monitoring/churn/{name}/",
        "ExpirationInDays": 365,
        "Status": "Enabled",
    }
    assert staging.monitor.report_retention is not None
    assert staging.monitor.report_retention.to_days() == 365


def test_each_schedule_expires_its_own_reports(private: Private) -> None:
    rules = _report_rules(private.template, private.store.bucket)
    prefixes = [
        private.stack.resolve(monitor.reports_prefix)
        for monitor in (private.daily, private.six_hourly)
    ]
    assert [rule["Prefix"] for rule in rules] == prefixes
    assert len({rule["Id"] for rule in rules}) == 2


def test_report_retention_sets_the_days_and_none_keeps_the_reports() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=store,
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    baseline = MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS)
    DataQualityMonitor(
        stack,
        "Monthly",
        endpoint=endpoint,
        baseline=baseline,
        report_retention=cdk.Duration.days(30),
    )
    kept = DataQualityMonitor(
        stack, "Kept", endpoint=endpoint, baseline=baseline, report_retention=None
    )
    (rule,) = _report_rules(Template.from_stack(stack), store.bucket)
    assert rule["ExpirationInDays"] == 30
    assert kept.report_retention is None


@pytest.mark.parametrize("named", ["literally", "parameter", "stack name"])
def test_a_store_of_another_stack_is_given_no_rule_its_stack_cant_write(named: str) -> None:
    # The reports' prefix holds the endpoint's name, here known at deploy time in the
    # endpoint's stack: the store's stack can't write it. A parameter's made the stacks
    # depend on each other (synth failed: DependencyCycle); AWS::StackName resolved there to
    # the store's stack's name, a prefix no report is under (they piled up, silently).
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    data = cdk.Stack(app, "Data", env=env)
    store = ArtifactStore(data, "Artifacts")
    serving = cdk.Stack(app, "Serving", env=env)
    name = {
        "literally": "churn",
        "parameter": cdk.CfnParameter(serving, "EndpointName").value_as_string,
        "stack name": f"{cdk.Aws.STACK_NAME}-churn",
    }[named]
    endpoint = ModelEndpoint(
        serving,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=store,
        endpoint_name=name,
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    monitor = DataQualityMonitor(
        serving,
        "Monitor",
        endpoint=endpoint,
        baseline=MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
    )
    assembly = app.synth()
    bucket = assembly.get_stack_by_name("Data").template["Resources"][logical_id(store.bucket)]
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    expired = [rule for rule in rules if rule["Id"].startswith("ExpireMonitoringReports")]
    warnings = [
        message
        for message in assembly.get_stack_by_name("Serving").messages
        if "report-retention-not-applied" in str(message.entry.data)
    ]
    if named == "literally":  # a prefix the store's stack writes as it is
        assert [rule["Prefix"] for rule in expired] == [monitor.reports_prefix]
        assert warnings == []
        return
    assert expired == []
    (warning,) = warnings
    assert warning.id == "/Serving/Monitor"
    assert "Data/Artifacts" in str(warning.entry.data)
    assert monitor.report_retention is not None  # declared, not applied


def test_an_adopted_buckets_lifecycle_is_left_to_its_owner() -> None:
    stack = new_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "Theirs", "their-artifacts")
    key = kms.Key.from_key_arn(stack, "TheirKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}")
    store = ArtifactStore.from_existing(stack, "Store", bucket=bucket, key=key)
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=store,
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    monitor = DataQualityMonitor(
        stack,
        "Monitor",
        endpoint=endpoint,
        baseline=MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
    )
    assert monitor.report_retention is not None  # declared, not applied
    assert Template.from_stack(stack).find_resources("AWS::S3::Bucket") == {}


def test_cdk_nag_finds_nothing_of_the_private_monitors(private: Private) -> None:
    findings = pack_findings(private.stack)
    assert [f for f in findings if "Test/Daily" in f or "Test/SixHourly" in f] == []


# -- Refusals -------------------------------------------------------------------------------


class Refusals:
    """A stack with endpoints of every kind a monitor refuses, and one it takes.

    A monitor whose props fail takes itself out of the tree again: the stack is shared.
    """

    def __init__(self) -> None:
        self.stack = new_stack()
        app = self.stack.node.root
        assert isinstance(app, cdk.App)
        self.store = ArtifactStore(self.stack, "Artifacts")

        def endpoint(scope: cdk.Stack, construct_id: str, **props: Any) -> ModelEndpoint:
            store = self.store if scope is self.stack else ArtifactStore(scope, "Artifacts")
            region = scope.region
            return ModelEndpoint(
                scope,
                construct_id,
                model_package_arn=VERSION.replace(REGION, region),
                artifact_store=store,
                **props,
            )

        self.capturing = endpoint(self.stack, "Capturing", data_capture=DataCapture())
        self.uncaptured = endpoint(self.stack, "Uncaptured")
        self.responses_only = endpoint(
            self.stack, "ResponsesOnly", data_capture=DataCapture(capture_input=False)
        )
        self.unsampled = endpoint(
            self.stack, "Unsampled", data_capture=DataCapture(sampling_percentage=0)
        )
        self.serverless = endpoint(
            self.stack,
            "Serverless",
            serverless=ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5),
        )
        env = cdk.Environment(account=ACCOUNT, region=REGION)
        stage = cdk.Stage(app, "Prod", env=env)
        self.other_stage = endpoint(cdk.Stack(stage, "Ml"), "Endpoint", data_capture=DataCapture())
        europe = cdk.Stack(app, "Europe", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
        self.other_region = endpoint(europe, "Endpoint", data_capture=DataCapture())
        # SageMaker publishes no Model Monitor analyzer in this region.
        self.hyderabad = cdk.Stack(
            app, "Hyderabad", env=cdk.Environment(account=ACCOUNT, region="ap-south-2")
        )
        self.unpublished = endpoint(self.hyderabad, "Endpoint", data_capture=DataCapture())


@pytest.fixture(scope="module")
def refusals() -> Refusals:
    return Refusals()


def _monitor(
    refusals: Refusals, scope: cdk.Stack | None = None, **props: Any
) -> DataQualityMonitor:
    given: dict[str, Any] = {
        "endpoint": refusals.capturing,
        "baseline": MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS),
        **props,
    }
    return DataQualityMonitor(scope or refusals.stack, "Monitor", **given)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        (
            "uncaptured",
            r"DataQualityMonitor Test/Monitor has 1 problem:\n- prop 'endpoint': ModelEndpoint "
            r"Test/Uncaptured captures no data \(no data_capture=\): Model Monitor analyzes "
            r"the requests an endpoint captures \(give the endpoint "
            r"data_capture=DataCapture\(…\)",
        ),
        (
            "responses_only",
            r"prop 'endpoint': ModelEndpoint Test/ResponsesOnly captures its responses only "
            r"\(DataCapture's capture_input=False\): data quality is judged on the requests",
        ),
        (
            "serverless",
            r"prop 'endpoint': ModelEndpoint Test/Serverless is serverless: Serverless "
            r"Inference captures no data, and Model Monitor doesn't monitor serverless "
            r"endpoints \(monitor an endpoint on instances",
        ),
        (
            "unsampled",
            r"prop 'endpoint': ModelEndpoint Test/Unsampled captures 0 percent of its requests "
            r"\(DataCapture's sampling_percentage=0\)",
        ),
        (
            "other_stage",
            r"prop 'endpoint': ModelEndpoint Prod/Ml/Endpoint is in stage Prod, the monitor in "
            r"no stage",
        ),
        (
            "other_region",
            r"prop 'endpoint': ModelEndpoint Europe/Endpoint is in region eu-west-1, the "
            r"monitor's stack in region us-east-1: Model Monitor schedules analyze endpoints "
            r"of their own account and region",
        ),
    ],
)
def test_fails_an_endpoint_it_cannot_monitor_naming_both_constructs(
    refusals: Refusals, endpoint: str, message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        _monitor(refusals, endpoint=getattr(refusals, endpoint))
    assert refusals.stack.node.try_find_child("Monitor") is None


def test_fails_an_endpoint_that_is_no_model_endpoint(refusals: Refusals) -> None:
    imported = iam.Role.from_role_name(refusals.stack, "NotAnEndpoint", "x")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"prop 'endpoint': expected a ModelEndpoint, got .*Test/NotAnEndpoint "
        r"\(a ModelEndpoint of this app: the monitor reads what it captures",
    ):
        _monitor(refusals, endpoint=imported)
    refusals.stack.node.try_remove_child("NotAnEndpoint")


def test_fails_in_a_region_without_the_analyzer(refusals: Refusals) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"DataQualityMonitor Hyderabad/Monitor has 1 problem:\n- prop 'endpoint': "
        r"model-monitor images are not published in 'ap-south-2'",
    ):
        _monitor(refusals, refusals.hyderabad, endpoint=refusals.unpublished)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"baseline": STATISTICS}, r"prop 'baseline': expected a MonitorBaseline, got str"),
        ({"schedule": "cron(0 * ? * * *)"}, r"prop 'schedule': expected a MonitorSchedule"),
        (
            {"instance_type": "ml.m5.xlrge"},
            r"prop 'instance_type': 'ml.m5.xlrge' is not an instance type of SageMaker "
            r"processing jobs, which monitoring jobs are \(did you mean 'ml.m5.xlarge'",
        ),
        ({"volume_size_in_gb": 0}, r"prop 'volume_size_in_gb': expected 1-16384 GiB, got 0"),
        ({"volume_size_in_gb": "30"}, r"prop 'volume_size_in_gb': expected a whole number"),
        (
            {"schedule": MonitorSchedule.hourly(), "max_runtime": cdk.Duration.minutes(61)},
            r"prop 'max_runtime': 1 hour 1 minute is longer than the 1 hour between two runs "
            r"of cron\(0 \* \? \* \* \*\): SageMaker refuses a run that may last until the "
            r"next \(Duration.seconds\(3600\) or less\)",
        ),
        (
            {"schedule": MonitorSchedule.every(hours=5), "max_runtime": cdk.Duration.hours(5)},
            # 0h, 5h, … 20h, then 0h again: 4 hours from the last run to the next.
            r"prop 'max_runtime': 5 hours is longer than the 4 hours between two runs of "
            r"cron\(0 0/5 \? \* \* \*\)",
        ),
        ({"max_runtime": 3600}, r"prop 'max_runtime': expected a Duration, got int 3600"),
        (
            {"max_runtime": cdk.Duration.seconds(0)},
            r"prop 'max_runtime': expected whole seconds, 1 or more, got 0 seconds",
        ),
        (
            {"max_runtime": cdk.Duration.millis(1500)},
            r"prop 'max_runtime': expected whole seconds, 1 or more, got 1 second 500 millis",
        ),
        ({"enable_cloudwatch_metrics": "yes"}, r"prop 'enable_cloudwatch_metrics': expected"),
        (
            {"report_retention": cdk.Duration.hours(36)},
            r"prop 'report_retention': S3 lifecycle rules count whole days \(at least 1\), "
            r"got 1 day 12 hours \(Duration.days\(2\)\)",
        ),
        ({"role": "arn:aws:iam::111122223333:role/x"}, r"prop 'role': expected an iam.IRole"),
    ],
)
def test_fails_wrong_props_naming_the_construct_and_prop(
    refusals: Refusals, props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        _monitor(refusals, **props)
    text = str(raised.value)
    assert text.startswith("DataQualityMonitor Test/Monitor has 1 problem:\n- "), text
    assert re.search(message, text), text
    assert refusals.stack.node.try_find_child("Monitor") is None


@pytest.mark.parametrize(
    ("props", "volume", "runtime"),
    [
        # The largest volume; a run as long as the hour between two hourly runs.
        (
            {
                "volume_size_in_gb": 16384,
                "schedule": MonitorSchedule.hourly(),
                "max_runtime": cdk.Duration.hours(1),
            },
            16384,
            3600,
        ),
        # A daily run may take the whole day.
        ({"schedule": MonitorSchedule.daily(), "max_runtime": cdk.Duration.days(1)}, 30, 86400),
    ],
)
def test_takes_props_at_sagemakers_bounds(
    refusals: Refusals, props: dict[str, Any], volume: int, runtime: int
) -> None:
    monitor = _monitor(refusals, **props)
    try:
        job = monitor.cfn_job_definition
        resources = refusals.stack.resolve(job.job_resources)
        stopping = refusals.stack.resolve(job.stopping_condition)
        assert resources["clusterConfig"]["volumeSizeInGb"] == volume
        assert stopping == {"maxRuntimeInSeconds": runtime}
    finally:
        refusals.stack.node.try_remove_child("Monitor")


def test_fails_a_role_of_another_account(refusals: Refusals) -> None:
    role = iam.Role.from_role_arn(refusals.stack, "Theirs", "arn:aws:iam::444455556666:role/m")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"prop 'role': role arn:aws:iam::444455556666:role/m \(Test/Theirs\) is of "
        r"account 444455556666",
    ):
        _monitor(refusals, role=role)
    refusals.stack.node.try_remove_child("Theirs")


def test_a_role_imported_immutable_is_left_untouched_with_the_policy_named(
    refusals: Refusals,
) -> None:
    # mutable=False: the role's policies are managed elsewhere, as for the Pipeline.
    role = iam.Role.from_role_arn(
        refusals.stack, "Platform", f"arn:aws:iam::{ACCOUNT}:role/ml/monitor", mutable=False
    )
    monitor = _monitor(refusals, role=role)
    try:
        policy = monitor.role_policy.node.default_child
        assert isinstance(policy, iam.CfnManagedPolicy)
        assert refusals.stack.resolve(policy.roles) is None
        assert refusals.stack.resolve(policy.policy_document)["Statement"]
        (warning,) = [
            str(entry.data)
            for entry in monitor.node.metadata
            if entry.type == "aws:cdk:warning" and "immutable-role" in str(entry.data)
        ]
        assert warning == (
            "prop 'role' was imported with mutable=False (or without_policy_updates()), so what "
            "the monitoring jobs read and write is in managed policy Test/Monitor/RolePolicy, "
            "not attached to it: attach that policy to the role, or make sure the role already "
            "allows the same, before the schedule's first run. "
            "[ack: cdk-sagemaker-pipelines:immutable-role]"
        )
    finally:
        refusals.stack.node.try_remove_child("Monitor")
        refusals.stack.node.try_remove_child("Platform")


def test_a_given_role_gets_the_policy_and_must_trust_sagemaker(refusals: Refusals) -> None:
    role = iam.Role(
        refusals.stack, "EventsRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com")
    )
    monitor = _monitor(refusals, role=role)
    try:
        assert monitor.role is role
        assert monitor.node.try_find_child("Role") is None
        policy = monitor.role_policy.node.default_child
        assert isinstance(policy, iam.CfnManagedPolicy)
        assert refusals.stack.resolve(policy.roles) == [{"Ref": logical_id(role)}]
        (error,) = monitor.node.validate()
        assert error.startswith(
            "prop 'role': role Test/EventsRole trusts events.amazonaws.com, not "
            "sagemaker.amazonaws.com: SageMaker can't assume it, so every monitoring run "
            "would fail"
        )
    finally:
        refusals.stack.node.try_remove_child("Monitor")
        refusals.stack.node.try_remove_child("EventsRole")


def test_fails_an_unknown_prop_with_a_suggestion(refusals: Refusals) -> None:
    with pytest.raises(
        TypeError,
        match=r"DataQualityMonitor takes no argument 'shedule' "
        r"\(did you mean 'schedule'",
    ):
        _monitor(refusals, shedule=MonitorSchedule.hourly())


# -- MonitorSchedule and MonitorBaseline (pure values) --------------------------------------


@pytest.mark.parametrize(
    ("schedule", "expression", "period"),
    [
        (MonitorSchedule.hourly(), "cron(0 * ? * * *)", 1),
        (MonitorSchedule.daily(), "cron(0 0 ? * * *)", 24),
        (MonitorSchedule.daily(hour=23), "cron(0 23 ? * * *)", 24),
        (MonitorSchedule.every(hours=6), "cron(0 0/6 ? * * *)", 6),
        (MonitorSchedule.every(hours=12, starting_hour=17), "cron(0 17/12 ? * * *)", 12),
        (MonitorSchedule.every(hours=1), "cron(0 0/1 ? * * *)", 1),
        # Every 24 hours: once a day, at the starting hour.
        (MonitorSchedule.every(hours=24, starting_hour=2), "cron(0 2/24 ? * * *)", 24),
        (MonitorSchedule("cron(0 5/24 ? * * *)"), "cron(0 5/24 ? * * *)", 24),
        (MonitorSchedule("cron(0 05 ? * * *)"), "cron(0 05 ? * * *)", 24),
    ],
)
def test_schedules_render_the_cron_forms_model_monitor_takes(
    schedule: MonitorSchedule, expression: str, period: int
) -> None:
    assert (schedule.expression, schedule.period_hours) == (expression, period)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: MonitorSchedule("NOW"),
            r"MonitorSchedule has 1 problem:\n- prop 'expression': NOW runs one monitoring job, "
            r"once, when the schedule is created: no schedule to deploy",
        ),
        (
            lambda: MonitorSchedule("cron(30 * ? * * *)"),
            r"prop 'expression': 'cron\(30 \* \? \* \* \*\)' is not a cron expression Model "
            r"Monitor takes",
        ),
        # NOW in any case (as SageMaker reads it) is the one-off run, not a schedule.
        (lambda: MonitorSchedule(" now "), r"prop 'expression': NOW runs one monitoring job"),
        (lambda: MonitorSchedule("rate(1 hour)"), r"is not a cron expression Model Monitor"),
        (lambda: MonitorSchedule("cron(0 24 ? * * *)"), r"is not a cron expression"),
        (lambda: MonitorSchedule("cron(0 0/25 ? * * *)"), r"is not a cron expression"),
        (lambda: MonitorSchedule("cron(0 0/0 ? * * *)"), r"is not a cron expression"),
        (lambda: MonitorSchedule("cron(0 12 ? * MON *)"), r"is not a cron expression"),
        (
            lambda: MonitorSchedule(None),  # type: ignore[arg-type]
            r"prop 'expression': expected a string",
        ),
        (
            lambda: MonitorSchedule.daily(hour=24),
            r"MonitorSchedule.daily has 1 problem:\n- argument 'hour': expected an hour 0-23",
        ),
        (
            lambda: MonitorSchedule.every(hours=0),
            r"MonitorSchedule.every has 1 problem:\n- argument 'hours': expected 1-24 hours",
        ),
        (
            lambda: MonitorSchedule.every(hours=2.5, starting_hour=-1),  # type: ignore[arg-type]
            r"has 2 problems:\n- argument 'hours': expected a whole number of hours, 1-24, got "
            r"float 2.5\n- argument 'starting_hour': expected an hour 0-23 \(UTC\), got -1",
        ),
    ],
)
def test_fails_a_schedule_model_monitor_refuses(build: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        build()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"statistics_uri": f"{BASELINE}/"},
            r"MonitorBaseline has 1 problem:\n- prop 'statistics_uri': '.*/' is not the S3 URI "
            r"of an object \(s3://<bucket>/<key>\) \(the file's URI, as the version's "
            r"ModelMetrics.ModelDataQuality gives it",
        ),
        ({"constraints_uri": "https://example.com/c.json"}, r"prop 'constraints_uri': .* is not"),
        ({"constraints_uri": "s3://bucket-only"}, r"prop 'constraints_uri': .* is not the S3 URI"),
        (
            {"statistics_uri": "s3://b/models/statistics.json"},
            r"prop 'statistics_uri': 'b' in 's3://b/models/statistics.json' is no S3 bucket "
            r"name: 3-63 lowercase letters, digits, dots and hyphens",
        ),
        (
            {"constraints_uri": "s3://ML_Artifacts/models/constraints.json"},
            r"prop 'constraints_uri': 'ML_Artifacts' in .* is no S3 bucket name",
        ),
        ({"statistics_uri": None}, r"prop 'statistics_uri': expected a string"),
        (
            {"statistics_uri": "https://${Token[TOKEN.1]}/statistics.json"},
            r"prop 'statistics_uri': .* must start with s3://",
        ),
        (
            {"statistics_uri": "s3://b/" + "k" * 510},
            r"prop 'statistics_uri': 517 characters, more than SageMaker's 512",
        ),
    ],
)
def test_fails_a_baseline_that_is_no_s3_object(fields: dict[str, Any], message: str) -> None:
    given = {"statistics_uri": STATISTICS, "constraints_uri": CONSTRAINTS, **fields}
    with pytest.raises(PipelineDefinitionError, match=message):
        MonitorBaseline(**given)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"statistics_uri": CONSTRAINTS, "constraints_uri": STATISTICS},
            r"MonitorBaseline has 2 problems:\n- prop 'statistics_uri': '.*/constraints.json' "
            r"is a baseline's constraints.json, not its statistics.json: every run would fail "
            r"to parse it \(swap the two URIs\? \(constraints_uri='.*/constraints.json'\)\)\n"
            r"- prop 'constraints_uri': '.*/statistics.json' is a baseline's statistics.json",
        ),
        (
            {"constraints_uri": STATISTICS},
            r"1 problem:\n- prop 'constraints_uri': '.*/statistics.json' is statistics_uri as "
            r"well: the baseline is two files",
        ),
        (
            {"constraints_uri": f"{BASELINE}/other/statistics.json"},
            r"1 problem:\n- prop 'constraints_uri': .* is a baseline's statistics.json",
        ),
    ],
)
def test_fails_a_baseline_whose_files_are_mixed_up(fields: dict[str, Any], message: str) -> None:
    given = {"statistics_uri": STATISTICS, "constraints_uri": CONSTRAINTS, **fields}
    with pytest.raises(PipelineDefinitionError, match=message):
        MonitorBaseline(**given)


def test_a_baseline_of_files_named_otherwise_is_not_judged() -> None:
    # A baseline of your own may name its files as it likes; a token is unknown at synth.
    stack = new_stack()
    token = cdk.CfnParameter(stack, "Statistics").value_as_string
    for statistics, constraints in (
        ("s3://ml-artifacts/b/stats-v2.json", "s3://ml-artifacts/b/rules-v2.json"),
        (token, token),
    ):
        baseline = MonitorBaseline(statistics_uri=statistics, constraints_uri=constraints)
        assert baseline.constraints_uri == constraints


def test_a_baseline_uri_may_have_sagemakers_512_characters() -> None:
    uri = "s3://ml-artifacts/" + "k" * 494
    assert len(uri) == 512
    assert MonitorBaseline(statistics_uri=uri, constraints_uri=CONSTRAINTS).statistics_uri == uri


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda m: m.metric("drift"),
            r"Test/DataQuality.metric\('drift'\) has 1 problem:\n- argument 'metric_name': "
            r"'drift' is no metric the Model Monitor analyzer publishes: "
            r"feature_baseline_drift_<feature>, feature_non_null_<feature>, "
            r"feature_data_<feature> .* \(metric_feature_baseline_drift\('drift'\)\)",
        ),
        (lambda m: m.metric("feature_baseline_drift_"), r"is no metric the Model Monitor"),
        (
            # The prefix without "feature_": not the drift of a feature of that name.
            lambda m: m.metric("baseline_drift_tenure"),
            r"'baseline_drift_tenure' is no metric .* never fires\) "
            r"\('feature_baseline_drift_tenure'\)$",
        ),
        (lambda m: m.metric("non_null_age"), r"\('feature_non_null_age'\)$"),
        (
            lambda m: m.metric("feature_data_age", perod=cdk.Duration.hours(1)),
            r"argument 'options': perod is not among the options of cloudwatch.MetricOptions .* "
            r"\(did you mean 'period'",
        ),
        (lambda m: m.metric("feature_data_age", period=60), r"argument 'period': expected a"),
        (lambda m: m.metric("feature_data_age", label=42), r"argument 'label': expected a string"),
        (
            lambda m: m.metric_feature_baseline_drift(None),
            r"metric_feature_baseline_drift\(None\) has 1 problem:\n- argument 'feature_name'",
        ),
        # The metric's name where the feature's belongs: the prefix would be there twice.
        (
            lambda m: m.metric_feature_baseline_drift("feature_baseline_drift_tenure"),
            r"metric_feature_baseline_drift\('feature_baseline_drift_tenure'\) has 1 problem:\n"
            r"- argument 'feature_name': 'feature_baseline_drift_tenure' is a metric's name, not "
            r"a feature's: the metric would be 'feature_baseline_drift_feature_baseline_drift_"
            r"tenure', which the analyzer never publishes \(give the feature's name alone: "
            r"'tenure'\)$",
        ),
        (
            lambda m: m.add_missing_results_alarm("feature_non_null_tenure"),
            r"add_missing_results_alarm has 1 problem:\n- argument 'feature_name': "
            r"'feature_non_null_tenure' is a metric's name, .* \(give the feature's name alone: "
            r"'tenure'\)$",
        ),
    ],
)
def test_fails_a_metric_the_analyzer_does_not_publish(
    staging: Staging, call: Any, message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        call(staging.monitor)


def test_fails_an_endpoint_of_another_app_without_hinting_an_import() -> None:
    # The generic hint (import it by name or ARN) is what the monitor refuses next.
    endpoint_stack, monitor_stack = new_stack(), new_stack()
    endpoint = ModelEndpoint(
        endpoint_stack,
        "Endpoint",
        model_package_arn=VERSION,
        artifact_store=ArtifactStore(endpoint_stack, "Artifacts"),
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    baseline = MonitorBaseline(statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS)
    with pytest.raises(PipelineDefinitionError) as raised:
        DataQualityMonitor(monitor_stack, "DataQuality", endpoint=endpoint, baseline=baseline)
    assert str(raised.value) == (
        "DataQualityMonitor Test/DataQuality has 1 problem:\n- prop 'endpoint': ModelEndpoint "
        "Test/Endpoint belongs to another CDK app: a template can only refer to the resources "
        "of its own app (create the monitor in the endpoint's app)"
    )


# -- The docs --------------------------------------------------------------------------------


def test_the_docs_calls_name_real_arguments() -> None:
    spans = re.findall(r"`([^`\n]+)`", DOCS.read_text())
    blocks = code_blocks(DOCS.read_text(), "python")
    problems = [p for code in [*spans, *blocks] for p in _calls_with_unknown_keywords(code)]
    assert problems == []


def test_the_docs_context_keys_reach_the_monitor() -> None:
    # The docs' stack code, in a stage named as cdk deploy's -c keys are.
    context = {
        "model_package_arn:staging": VERSION,
        "data_quality_statistics:staging": STATISTICS,
        "data_quality_constraints:staging": CONSTRAINTS,
    }
    app = new_app(**context)
    stage = cdk.Stage(app, "staging", env=cdk.Environment(account=ACCOUNT, region=REGION))
    stack = cdk.Stack(stage, "MlOps")
    store = ArtifactStore(stack, "Artifacts")
    namespace: dict[str, Any] = {
        "cdk": cdk,
        "stack": stack,
        "store": store,
        "alarms": sns.Topic(stack, "Alarms", master_key=store.key),
    }
    exec(compile(docs_python("def add_monitored_endpoint"), str(DOCS), "exec"), namespace)
    exec(compile(docs_python("data_quality_statistics"), str(DOCS), "exec"), namespace)
    monitor: DataQualityMonitor = namespace["monitor"]
    assert monitor.endpoint.model_package_arn == VERSION
    assert monitor.baseline == MonitorBaseline(
        statistics_uri=STATISTICS, constraints_uri=CONSTRAINTS
    )


def test_the_docs_table_lists_every_statement_of_the_role(
    staging: Staging, private: Private
) -> None:
    documented = set(re.findall(r"^  \| `(\w+)`(?:, `(\w+)`)?", DOCS.read_text(), re.M))
    sids = {sid for pair in documented for sid in pair if sid}
    found = set(statements(staging.template, staging.monitor.role_policy)) | set(
        statements(private.template, private.daily.role_policy)
    )
    assert sids == found


def test_the_docs_schedules_are_what_monitor_schedule_renders() -> None:
    rows = re.findall(
        r"^\| `(MonitorSchedule[^`]*)`[^|]*\| `(cron\([^`]*\))` \|", DOCS.read_text(), re.M
    )
    assert len(rows) == 3
    for call, expression in rows:
        assert eval(call, {"MonitorSchedule": MonitorSchedule}).expression == expression


def _warnings(construct: Construct) -> list[str]:
    return [str(entry.data) for entry in construct.node.metadata if entry.type == "aws:cdk:warning"]


def test_a_capture_sagemaker_writes_base64_is_warned(refusals: Refusals, private: Private) -> None:
    monitor = _monitor(refusals)  # its endpoint captures with DataCapture()'s defaults
    try:
        (warning,) = _warnings(monitor)
    finally:
        refusals.stack.node.try_remove_child(monitor.node.id)
    assert "cdk-sagemaker-pipelines:monitor-of-base64-capture" in warning
    assert "ModelEndpoint Test/Capturing captures with no content types" in warning
    assert "DataCapture(csv_content_types=['text/csv'])" in warning
    # An endpoint capturing its content type as text: nothing to warn.
    assert _warnings(private.daily) == []


# -- When the runs stop giving results -----------------------------------------------------


def test_a_monitor_whose_runs_give_no_results_alarms_and_notifies() -> None:
    # Its drift alarms take a run without results as no drift: without this, a failing
    # schedule is silent. No data point is what is watched: missing data breaches.
    staging = Staging(synthesize=False)
    topic = staging.stack.node.find_child("Alarms")
    assert isinstance(topic, sns.Topic)
    alarm = staging.monitor.add_missing_results_alarm("tenure", topic=topic)
    assert alarm.node.path == "Test/DataQuality/NoResults"
    template = Template.from_stack(staging.stack)
    properties = resource(template, logical_id(alarm))["Properties"]
    name = staging.monitor.monitoring_schedule_name
    reference = {"Ref": logical_id(topic)}
    assert properties == {
        "AlarmActions": [reference],
        "AlarmDescription": f"Data quality monitor {name} published no result in its last 2 "
        "runs (every 1 hours): its runs fail or don't run, or the endpoint captured no "
        "requests, and drift goes unwatched meanwhile. Its last runs and why they failed: aws "
        f"sagemaker list-monitoring-executions --monitoring-schedule-name {name} --sort-by "
        "ScheduledTime --sort-order Descending --max-results 3",
        "ComparisonOperator": "LessThanThreshold",
        "Dimensions": [
            {
                "Name": "Endpoint",
                "Value": {
                    "Fn::GetAtt": [logical_id(staging.endpoint.cfn_endpoint), "EndpointName"]
                },
            },
            {"Name": "MonitoringSchedule", "Value": name},
        ],
        "EvaluationPeriods": 2,
        "MetricName": "feature_baseline_drift_tenure",
        "Namespace": DATA_METRICS_NAMESPACE,
        "OKActions": [reference],
        "Period": 3600,
        "Statistic": "SampleCount",
        "Threshold": 1,
        "TreatMissingData": "breaching",
    }
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    assert {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(alarm), "Arn"]}}} in [
        statement.get("Condition")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"feature_name": "tenure", "missed_runs": 169},
            "- argument 'missed_runs': expected a whole number of runs from 1 to 168, got int 169 "
            "(an alarm evaluates at most 7 days: of runs every 1 hours, 168)",
        ),
        (
            {"feature_name": "tenure", "missed_runs": 0},
            "- argument 'missed_runs': expected a whole number of runs from 1 to 168, got int 0",
        ),
        ({"feature_name": 3}, "- argument 'feature_name': expected a string, got int 3"),
    ],
)
def test_fails_wrong_missing_results_arguments_naming_the_method(
    arguments: dict[str, Any], message: str
) -> None:
    staging = Staging(synthesize=False)
    with pytest.raises(PipelineDefinitionError) as raised:
        staging.monitor.add_missing_results_alarm(**arguments)
    assert str(raised.value).startswith(
        "DataQualityMonitor Test/DataQuality.add_missing_results_alarm has 1 problem:\n"
    )
    assert message in str(raised.value)


def test_fails_a_second_missing_results_alarm() -> None:
    staging = Staging(synthesize=False)
    staging.monitor.add_missing_results_alarm("tenure")
    with pytest.raises(PipelineDefinitionError, match="has a missing-results alarm already"):
        staging.monitor.add_missing_results_alarm("age")
