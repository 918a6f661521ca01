"""``MonitorBaseline.from_model_package``: the baseline read from the served version.

docs/model-monitoring.md, "The baseline: read from the served version". One module-scoped
stack (an endpoint, a monitor whose baseline is read from the version it serves), and
a stack per refusal.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    DataQualityMonitor,
    ModelEndpoint,
    MonitorBaseline,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, pack_findings, resource, statements
from tests.cdk.test_endpoint_monitor import DOCS, docs_python

VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
GROUP = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/churn"
HANDLER = "AWS679f53fac002430cb0da5b7982bd2287"
DRIFT = "DriftCheckBaselines.ModelDataQuality"


class Served:
    """An endpoint serving VERSION, monitored against the baseline VERSION records."""

    def __init__(self) -> None:
        self.stack = new_stack()
        store = ArtifactStore(self.stack, "Artifacts")
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=VERSION,
            artifact_store=store,
            data_capture=DataCapture(csv_content_types=["text/csv"]),
        )
        self.baseline = MonitorBaseline.from_model_package(
            self.stack, "Baseline", model_package_arn=self.endpoint.model_package_arn
        )
        self.monitor = DataQualityMonitor(
            self.stack, "DataQuality", endpoint=self.endpoint, baseline=self.baseline
        )
        self.template = Template.from_stack(self.stack)
        self.reader = self.stack.node.find_child("Baseline")


@pytest.fixture(scope="module")
def served() -> Served:
    return Served()


def _reader_id(served: Served) -> str:
    (found,) = served.template.find_resources("Custom::AWS")
    return found


def test_the_custom_resource_describes_exactly_the_version(served: Served) -> None:
    reader = resource(served.template, _reader_id(served))
    assert reader["Properties"]["InstallLatestAwsSdk"] is False
    for phase in ("Create", "Update"):
        call = json.loads(reader["Properties"][phase])
        assert call == {
            "service": "SageMaker",
            "action": "DescribeModelPackage",
            "parameters": {"ModelPackageName": VERSION},
            # Another ARN is another physical id: the resource is replaced and re-reads.
            "physicalResourceId": {"id": VERSION},
            "outputPaths": [f"{DRIFT}.Statistics.S3Uri", f"{DRIFT}.Constraints.S3Uri"],
        }
    assert "Delete" not in reader["Properties"]


def test_the_handlers_policy_is_describe_model_package_on_the_version(served: Served) -> None:
    policy = served.reader.node.find_child("CustomResourcePolicy")
    document = resource(served.template, logical_id(policy))["Properties"]["PolicyDocument"]
    assert document["Statement"] == [
        {"Action": "sagemaker:DescribeModelPackage", "Effect": "Allow", "Resource": VERSION}
    ]


def test_the_baseline_config_reads_the_custom_resources_attributes(served: Served) -> None:
    reader = _reader_id(served)
    config = resource(served.template, logical_id(served.monitor.cfn_job_definition))["Properties"][
        "DataQualityBaselineConfig"
    ]
    assert config == {
        "StatisticsResource": {"S3Uri": {"Fn::GetAtt": [reader, f"{DRIFT}.Statistics.S3Uri"]}},
        "ConstraintsResource": {"S3Uri": {"Fn::GetAtt": [reader, f"{DRIFT}.Constraints.S3Uri"]}},
    }


def test_the_monitor_reads_exactly_the_two_objects_at_deploy_time(served: Served) -> None:
    reader = _reader_id(served)
    by_sid = statements(served.template, served.monitor.role_policy)

    def object_arn(field: str) -> dict[str, Any]:
        uri = {"Fn::GetAtt": [reader, f"{DRIFT}.{field}.S3Uri"]}
        return {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":s3:::",
                    {"Fn::Select": [1, {"Fn::Split": ["s3://", uri]}]},
                ],
            ]
        }

    assert sorted(map(json.dumps, by_sid["MonitorReadsBaseline"]["Resource"])) == sorted(
        json.dumps(object_arn(field)) for field in ("Statistics", "Constraints")
    )
    # Its keys are split out only at deploy time: the bucket of that URI is listed, under
    # each key's first segment (sealed/* for a sealed baseline), not as a whole.
    assert "MonitorListsBaseline" not in by_sid
    listing = by_sid["MonitorListsBaselineBucket"]
    listed = json.dumps(listing["Resource"])
    assert f"{DRIFT}.Statistics.S3Uri" in listed
    assert f"{DRIFT}.Constraints.S3Uri" in listed

    def first_segment(field: str) -> dict[str, Any]:
        uri = {"Fn::GetAtt": [reader, f"{DRIFT}.{field}.S3Uri"]}
        after_scheme = {"Fn::Select": [1, {"Fn::Split": ["s3://", uri]}]}
        return {"Fn::Select": [1, {"Fn::Split": ["/", after_scheme]}]}

    assert listing["Condition"] == {
        "StringLike": {
            "s3:prefix": [
                pattern
                for field in ("Statistics", "Constraints")
                for pattern in (
                    first_segment(field),
                    {"Fn::Join": ["", [first_segment(field), "/*"]]},
                )
            ]
        }
    }


def test_model_metrics_is_read_when_asked() -> None:
    stack = new_stack()
    MonitorBaseline.from_model_package(
        stack, "Baseline", model_package_arn=VERSION, source="model_metrics"
    )
    (reader,) = Template.from_stack(stack).find_resources("Custom::AWS").values()
    assert json.loads(reader["Properties"]["Create"])["outputPaths"] == [
        "ModelMetrics.ModelDataQuality.Statistics.S3Uri",
        "ModelMetrics.ModelDataQuality.Constraints.S3Uri",
    ]


def test_a_version_given_as_a_token_is_described_by_its_deploy_time_value() -> None:
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "Version").value_as_string
    MonitorBaseline.from_model_package(stack, "Baseline", model_package_arn=arn)
    template = Template.from_stack(stack)
    (policy,) = [
        properties["Properties"]["PolicyDocument"]["Statement"]
        for properties in template.find_resources("AWS::IAM::Policy").values()
    ]
    assert policy == [
        {
            "Action": "sagemaker:DescribeModelPackage",
            "Effect": "Allow",
            "Resource": {"Ref": "Version"},
        }
    ]


def test_cdk_nag_finds_nothing_of_the_reader_or_its_handler(served: Served) -> None:
    findings = pack_findings(served.stack)
    assert findings  # the packs ran (the store's replication is the team's to decide)
    ours = ("Test/Baseline", f"Test/{HANDLER}", "Test/DataQuality", "Test/Endpoint")
    assert [f for f in findings if any(path in f for path in ours)] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model_package_arn": GROUP}, "model_package_arn"),
        ({"model_package_arn": "churn/3"}, "not the ARN of a registered model version"),
        ({"model_package_arn": VERSION, "source": "ModelMetrics"}, "'source'"),
        ({"model_package_arn": VERSION, "source": "model_metric"}, "model_metrics"),
    ],
)
def test_fails_what_is_no_version_or_source_naming_the_field(
    arguments: dict[str, Any], message: str
) -> None:
    stack = new_stack()
    with pytest.raises(PipelineDefinitionError) as raised:
        MonitorBaseline.from_model_package(stack, "Baseline", **arguments)
    assert "MonitorBaseline.from_model_package Test/Baseline" in str(raised.value)
    assert message in str(raised.value)
    # Nothing was added: the id may be used again.
    assert stack.node.try_find_child("Baseline") is None


def test_the_literal_checks_still_apply() -> None:
    with pytest.raises(PipelineDefinitionError, match="swap the two URIs"):
        MonitorBaseline(
            statistics_uri="s3://bkt/k/constraints.json",
            constraints_uri="s3://bkt/k/statistics.json",
        )


def test_the_docs_example_reads_the_served_versions_baseline() -> None:
    app = new_app(**{"model_package_arn:staging": VERSION})
    stage = cdk.Stage(app, "staging", env=cdk.Environment(account=ACCOUNT, region=REGION))
    stack = cdk.Stack(stage, "MlOps")
    store = ArtifactStore(stack, "Artifacts")
    namespace: dict[str, Any] = {
        "cdk": cdk,
        "stack": stack,
        "store": store,
        "alarms": sns.Topic(stack, "Alarms", master_key=store.key),
    }
    exec(compile(docs_python("from_model_package("), str(DOCS), "exec"), namespace)
    monitor: DataQualityMonitor = namespace["monitor"]
    assert monitor.endpoint.model_package_arn == VERSION
    (reader,) = Template.from_stack(stack).find_resources("Custom::AWS").values()
    assert json.loads(reader["Properties"]["Create"])["parameters"] == {"ModelPackageName": VERSION}
