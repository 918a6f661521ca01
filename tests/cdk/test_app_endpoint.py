"""The reference app serves an approved version where an environment names one.

``model_package_arn:<environment>`` (a context key of its own, as ``cdk deploy -c`` sets
it) adds a ``ModelEndpoint`` to that environment's stack, with a ``DataQualityMonitor``
comparing its requests with the version's baseline; without it (the committed
``cdk.json``) no stack has one. One extra synth: staging alone, naming a version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from example_project.pipeline import DATASET_COLUMNS
from stacks.mlops_stack import MlOpsStack
from tests.cdk.assembly import logical_id_paths, stack_metadata
from tests.cdk.conftest import SynthesizedApp, cdk_context, synthesize_reference_app

VERSION = (
    "arn:aws:sagemaker:eu-west-1:111122223333:model-package/staging-breast-cancer-classifier/8"
)
ENDPOINT_TYPES = (
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Endpoint",
)
STACK = "staging/MlOps"
MONITOR_TYPES = ("AWS::SageMaker::DataQualityJobDefinition", "AWS::SageMaker::MonitoringSchedule")
# The id aws-cdk-lib gives an AwsCustomResource's handler (MonitorBaseline.from_model_package).
READER_HANDLER = "AWS679f53fac002430cb0da5b7982bd2287"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The app with staging alone (its cdk.json settings), serving ``VERSION``.

    Staging declares that it serves an endpoint (``serves_endpoint``): no warning.
    """
    context = cdk_context()
    staging = {
        **context["environments"]["staging"],
        "endpoint_instance_type": "ml.c5.xlarge",
        "serves_endpoint": True,
    }
    context = {
        **context,
        "environments": {"staging": staging},
        "model_package_arn:staging": VERSION,
    }
    return synthesize_reference_app(context, tmp_path_factory.mktemp("served"))


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def _endpoint_ids(app: SynthesizedApp, stack: str) -> set[str]:
    """The logical ids of the resources under the stack's ``Endpoint`` construct.

    And of the model data reader its ``ModelData`` resource calls: a child of the stack,
    shared by the stack's endpoints.
    """
    prefixes = (f"{stack}/Endpoint/", f"{stack}/SageMakerModelDataReader/")
    return {
        logical_id
        for logical_id, path in logical_id_paths(app, stack).items()
        if path.startswith(prefixes)
    }


def test_only_the_environment_naming_a_version_has_an_endpoint(
    served: SynthesizedApp, reference_app: SynthesizedApp
):
    for stack, template in reference_app.templates.items():  # cdk.json names no version
        assert [
            resource["Type"]
            for resource in template["Resources"].values()
            if resource["Type"] in ENDPOINT_TYPES
        ] == [], stack
        assert "EndpointName" not in template["Outputs"], stack
    template = served.templates[STACK]
    assert [len(_of_type(template, resource_type)) for resource_type in ENDPOINT_TYPES] == [1, 1, 1]


def _monitor_ids(app: SynthesizedApp, stack: str) -> set[str]:
    """The logical ids of the data quality monitor's resources and its baseline's reader.

    The reader is an ``AwsCustomResource``: its handler (function, role, log group) is a
    child of the stack, under aws-cdk-lib's fixed id.
    """
    prefixes = tuple(
        f"{stack}/{child}/" for child in ("DataQuality", "DataQualityBaseline", READER_HANDLER)
    )
    return {
        logical_id
        for logical_id, path in logical_id_paths(app, stack).items()
        if path.startswith(prefixes)
    }


def _path_ids(app: SynthesizedApp, stack: str) -> dict[str, str]:
    return {path: logical_id for logical_id, path in logical_id_paths(app, stack).items()}


def test_the_endpoint_and_its_monitor_add_their_own_resources_and_change_nothing_else(
    served: SynthesizedApp, reference_app: SynthesizedApp
):
    template = json.loads(json.dumps(served.templates[STACK]))
    endpoint, monitor = _endpoint_ids(served, STACK), _monitor_ids(served, STACK)
    assert {template["Resources"][logical_id]["Type"] for logical_id in endpoint} >= {
        *ENDPOINT_TYPES,
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "Custom::ModelDataLocations",
        "AWS::Lambda::Function",
        "AWS::Logs::LogGroup",
    }
    assert {template["Resources"][logical_id]["Type"] for logical_id in monitor} >= {
        *MONITOR_TYPES,
        "Custom::AWS",
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::CloudWatch::Alarm",
    }
    added = endpoint | monitor
    for logical_id in added:
        del template["Resources"][logical_id]
    del template["Outputs"]["EndpointName"]
    del template["Outputs"]["ServedModelPackageArn"]
    # Besides, the failure topic admits the rollback alarm, the three drift alarms, the
    # monitor's missing-results alarm, the endpoint's two error alarms and its rejected
    # version's rule (one statement each, the last ones).
    (policy,) = (
        resource["Properties"]["PolicyDocument"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SNS::TopicPolicy"
    )
    admitted = [policy["Statement"].pop() for _ in range(8)]
    assert {
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0]
        for statement in admitted
    } <= added
    # And the artifact bucket expires the monitor's reports (its prefix of monitoring/).
    rules = template["Resources"]["ArtifactsBucket88671897"]["Properties"][
        "LifecycleConfiguration"
    ]["Rules"]
    (reports,) = [rule for rule in rules if rule["Id"].startswith("ExpireMonitoringReports")]
    assert reports["Prefix"].startswith("monitoring/staging-breast-cancer-classifier/")
    rules.remove(reports)
    # And the artifact key lets CloudWatch Logs encrypt the model data reader's log group
    # (that group only), as it does the sealing function's.
    (key_policy,) = (
        resource["Properties"]["KeyPolicy"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::KMS::Key"
        and "SageMakerModelDataReader" in json.dumps(resource["Properties"]["KeyPolicy"])
    )
    (reader_logs,) = [
        statement
        for statement in key_policy["Statement"]
        if statement.get("Sid", "").startswith("CloudWatchLogsEncryptsModelDataReaderLogs")
    ]
    key_policy["Statement"].remove(reader_logs)
    assert "/aws/lambda/" in json.dumps(reader_logs["Condition"])
    assert template == reference_app.templates[STACK]


def test_the_model_serves_the_version_from_the_apps_registry_and_store(served: SynthesizedApp):
    template = served.templates[STACK]
    ((model_id, model),) = _of_type(template, "AWS::SageMaker::Model").items()
    ((_, config),) = _of_type(template, "AWS::SageMaker::EndpointConfig").items()
    ((_, endpoint),) = _of_type(template, "AWS::SageMaker::Endpoint").items()
    (group,) = _of_type(template, "AWS::SageMaker::ModelPackageGroup").values()
    ids = {path: logical_id for logical_id, path in logical_id_paths(served, STACK).items()}
    store_key = ids[f"{STACK}/Artifacts/Key/Resource"]
    bucket = ids[f"{STACK}/Artifacts/Bucket/Resource"]

    assert model["PrimaryContainer"] == {"ModelPackageName": VERSION}
    assert VERSION.split("/")[1] == group["ModelPackageGroupName"]
    assert model["EnableNetworkIsolation"] is True  # staging's require_network_isolation
    (variant,) = config["ProductionVariants"]
    assert variant["ModelName"] == {"Fn::GetAtt": [model_id, "ModelName"]}
    assert variant["InstanceType"] == "ml.c5.xlarge"  # its endpoint_instance_type
    assert variant["InitialInstanceCount"] == 1
    assert config["KmsKeyId"] == {"Fn::GetAtt": [store_key, "Arn"]}
    capture = config["DataCaptureConfig"]
    assert capture["EnableCapture"] is True
    assert capture["InitialSamplingPercentage"] == 100
    assert capture["KmsKeyId"] == {"Fn::GetAtt": [store_key, "Arn"]}
    assert capture["DestinationS3Uri"] == {
        "Fn::Join": [
            "",
            ["s3://", {"Ref": bucket}, "/data-capture/staging-breast-cancer-classifier/"],
        ]
    }
    assert capture["CaptureContentTypeHeader"] == {"CsvContentTypes": ["text/csv"]}
    assert endpoint["EndpointName"] == "staging-breast-cancer-classifier"
    assert template["Outputs"]["EndpointName"]["Value"] == {
        "Fn::GetAtt": [next(iter(_of_type(template, "AWS::SageMaker::Endpoint"))), "EndpointName"]
    }
    # The version served, where the on-call reads the stack's outputs: what to roll back from.
    served_version = template["Outputs"]["ServedModelPackageArn"]
    assert served_version["Value"] == VERSION
    assert "model_package_arn:staging" in served_version["Description"]


def test_the_stack_passes_the_apps_cdk_nag_packs_and_definition_checks(served: SynthesizedApp):
    # build_app registers AwsSolutions and NIST 800-53 rev 5 for the app and
    # SageMakerPipelineChecks for the stage, and fails synth on any unacknowledged finding
    # (test_app_synth.py shows it does): the fixture's synth passing is the first half.
    report = json.loads((served.directory / "validation-report.json").read_text())
    violations = [
        (plugin["pluginName"], violation.get("ruleName"))
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ]
    assert violations == []
    # The packs judged the endpoint: what they find on it is acknowledged there, one
    # finding at a time, rather than left out of their view.
    acknowledged = {
        rule
        for path, entries in stack_metadata(served, STACK).items()
        if path.lstrip("/").startswith(f"{STACK}/Endpoint/")
        for entry in entries
        if entry.get("type") == "aws:cdk:acknowledged-rules"
        for rule in entry["data"]
    }
    assert any(rule.startswith("Annotation::AwsSolutions-IAM5[") for rule in acknowledged), (
        acknowledged
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            VERSION.rsplit("/", 1)[0],
            "expected the ARN of a registered model version, arn:aws:sagemaker:<region>:"
            "<account>:model-package/staging-breast-cancer-classifier/<version>",
        ),
        (
            VERSION.replace("staging-", "prod-"),
            "expected a version of the environment's model package group, arn:aws:sagemaker:"
            "<region>:<account>:model-package/staging-breast-cancer-classifier/<version>",
        ),
    ],
)
def test_a_malformed_setting_fails_synth_naming_it(value: str, expected: str, tmp_path: Path):
    import app as reference

    context = {**cdk_context(), "model_package_arn:staging": value}
    with pytest.raises(SystemExit) as raised:
        reference.build_app(context, outdir=str(tmp_path))

    assert raised.value.code == (
        "invalid context (cdk.json's 'context', or cdk -c key=value):\n"
        f"- setting 'model_package_arn:staging': {expected}, got {value!r}"
    )


def test_a_new_version_is_rolled_back_on_server_errors_of_its_fleet(served: SynthesizedApp):
    template = served.templates[STACK]
    ((_, endpoint),) = _of_type(template, "AWS::SageMaker::Endpoint").items()
    ((alarm_id, alarm),) = (
        (logical_id, alarm)
        for logical_id, alarm in _of_type(template, "AWS::CloudWatch::Alarm").items()
        if alarm.get("Namespace") == "AWS/SageMaker"
    )
    ids = {path: logical_id for logical_id, path in logical_id_paths(served, STACK).items()}
    topic = ids[f"{STACK}/Failures/Topic/Resource"]

    assert logical_id_paths(served, STACK)[alarm_id] == f"{STACK}/Endpoint/ServerErrors/Resource"
    assert endpoint["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600},
            "TerminationWaitInSeconds": 600,
            "MaximumExecutionTimeoutInSeconds": 3600,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": {"Ref": alarm_id}}]},
    }
    assert alarm["MetricName"] == "Invocation5XXErrors"
    assert alarm["Namespace"] == "AWS/SageMaker"
    assert alarm["Statistic"] == "Average"
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"]) == (60, 3, 0.01)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    # The new fleet's requests only: its endpoint config is among the dimensions.
    assert {dimension["Name"] for dimension in alarm["Dimensions"]} == {
        "EndpointName",
        "VariantName",
        "EndpointConfigName",
    }
    assert alarm["AlarmActions"] == [{"Ref": topic}]
    # Its end too: a page that never says it cleared gets read again.
    assert alarm["OKActions"] == [{"Ref": topic}]


def test_the_server_errors_alarm_says_when_nothing_rolls_back(served: SynthesizedApp):
    # Between deployments the alarm watches the serving fleet, and SageMaker rolls nothing
    # back: a description promising a rollback would leave the paged engineer waiting.
    template = served.templates[STACK]
    ids = {path: logical_id for logical_id, path in logical_id_paths(served, STACK).items()}
    alarm = template["Resources"][ids[f"{STACK}/Endpoint/ServerErrors/Resource"]]["Properties"]
    description = alarm["AlarmDescription"]

    assert "While a new version bakes (the 10 minutes after it takes all traffic)" in description
    assert "at any other time nothing rolls back" in description
    assert "/aws/sagemaker/Endpoints/staging-breast-cancer-classifier" in description
    assert "docs/reference-app.md, Operating it" in description


def test_the_failure_topic_lets_the_rollback_alarm_publish(served: SynthesizedApp):
    # The topic has a policy of its own (TLS only, the failure rule): an alarm it doesn't
    # admit has its notifications dropped, and a rollback would go unnoticed.
    template = served.templates[STACK]
    ids = {path: logical_id for logical_id, path in logical_id_paths(served, STACK).items()}
    alarm_id = ids[f"{STACK}/Endpoint/ServerErrors/Resource"]
    ((_, policy),) = _of_type(template, "AWS::SNS::TopicPolicy").items()

    assert {
        "Action": "sns:Publish",
        "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [alarm_id, "Arn"]}}},
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]},
    } in [
        {key: value for key, value in statement.items() if key != "Sid"}
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_the_monitor_compares_the_requests_daily_with_the_served_versions_baseline(
    served: SynthesizedApp,
):
    template = served.templates[STACK]
    ids = _path_ids(served, STACK)
    reader_id = ids[f"{STACK}/DataQualityBaseline/Resource/Default"]
    reader = template["Resources"][reader_id]["Properties"]
    ((_, definition),) = _of_type(template, "AWS::SageMaker::DataQualityJobDefinition").items()
    ((_, schedule),) = _of_type(template, "AWS::SageMaker::MonitoringSchedule").items()
    ((endpoint_id, _),) = _of_type(template, "AWS::SageMaker::Endpoint").items()
    statistics, constraints = (
        f"DriftCheckBaselines.ModelDataQuality.{member}.S3Uri"
        for member in ("Statistics", "Constraints")
    )

    # At deploy time, the reader describes the version the endpoint serves (a new version
    # replaces it) and returns the baseline the version records: the pipeline's
    # DataQualityCheck of its training data, sealed (example_project/pipeline.py).
    for event in ("Create", "Update"):
        call = json.loads(reader[event])
        assert (call["service"], call["action"]) == ("SageMaker", "DescribeModelPackage")
        assert call["parameters"] == {"ModelPackageName": VERSION}
        assert call["physicalResourceId"] == {"id": VERSION}
        assert call["outputPaths"] == [statistics, constraints]
    (reader_policy,) = (
        template["Resources"][ids[f"{STACK}/DataQualityBaseline/CustomResourcePolicy/Resource"]][
            "Properties"
        ]["PolicyDocument"]["Statement"],
    )
    assert [
        (statement["Effect"], statement["Action"], statement["Resource"])
        for statement in reader_policy
    ] == [("Allow", "sagemaker:DescribeModelPackage", VERSION)]
    assert definition["DataQualityBaselineConfig"] == {
        "StatisticsResource": {"S3Uri": {"Fn::GetAtt": [reader_id, statistics]}},
        "ConstraintsResource": {"S3Uri": {"Fn::GetAtt": [reader_id, constraints]}},
    }
    assert definition["DataQualityJobInput"]["EndpointInput"]["EndpointName"] == {
        "Fn::GetAtt": [endpoint_id, "EndpointName"]
    }
    # Daily at 03:00 UTC (MONITOR_HOUR), on the previous day's requests.
    assert schedule["MonitoringScheduleConfig"]["ScheduleConfig"] == {
        "ScheduleExpression": "cron(0 3 ? * * *)"
    }
    assert schedule["MonitoringScheduleConfig"]["MonitoringType"] == "DataQuality"
    # Metrics on: the drift alarms read them.
    assert definition["DataQualityAppSpecification"]["Environment"] == {
        "publish_cloudwatch_metrics": "Enabled"
    }


def test_drift_of_any_feature_notifies_the_failure_topic(served: SynthesizedApp):
    template = served.templates[STACK]
    ids = _path_ids(served, STACK)
    topic = {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]}
    ((_, policy),) = _of_type(template, "AWS::SNS::TopicPolicy").items()
    admitted = [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        and statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    paths = logical_id_paths(served, STACK)
    alarms = {
        logical_id: template["Resources"][logical_id]["Properties"]
        for logical_id in _monitor_ids(served, STACK)
        if template["Resources"][logical_id]["Type"] == "AWS::CloudWatch::Alarm"
        and paths[logical_id].startswith(f"{STACK}/DataQuality/Drift")
    }
    assert len(alarms) == 3

    watched: list[str] = []
    for logical_id, alarm in sorted(alarms.items()):
        (expression,) = (query for query in alarm["Metrics"] if "Expression" in query)
        metrics = [query for query in alarm["Metrics"] if "MetricStat" in query]
        # The largest drift of its features (CloudWatch: at most 10 metrics to an alarm).
        assert expression["Expression"].startswith("MAX([")
        assert expression["ReturnData"] is True
        assert 1 <= len(metrics) <= 10
        for query in metrics:
            metric = query["MetricStat"]["Metric"]
            assert metric["Namespace"] == "aws/sagemaker/Endpoints/data-metrics"
            assert (query["MetricStat"]["Period"], query["MetricStat"]["Stat"]) == (
                86400,
                "Maximum",
            )
            watched.append(metric["MetricName"])
        assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (0.1, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"  # no run, or no request: no drift
        # Whoever hears of a failed run hears of drift, and of its end; the topic admits it.
        assert (alarm["AlarmActions"], alarm["OKActions"]) == ([topic], [topic])
        assert {"Fn::GetAtt": [logical_id, "Arn"]} in admitted
    # Every feature the endpoint receives, once: the dataset's columns but the target, by
    # the names the analyzer gives a headerless CSV's columns.
    features = DATASET_COLUMNS[1:]
    assert len(features) == 30
    assert sorted(watched) == sorted(
        f"feature_baseline_drift__c{index}" for index in range(len(features))
    )


def _admitted_alarms(template: dict[str, Any]) -> list[Any]:
    ((_, policy),) = _of_type(template, "AWS::SNS::TopicPolicy").items()
    return [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]


def test_the_endpoints_share_of_failed_requests_notifies_the_failure_topic(
    served: SynthesizedApp,
):
    # ServerErrors watches the current configuration's fleet, for the rollback; these watch
    # the whole variant at any time, and page only on periods of enough requests.
    template = served.templates[STACK]
    ids = _path_ids(served, STACK)
    topic = {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]}
    admitted = _admitted_alarms(template)
    for name, metric_name, threshold in (
        ("ServerErrorRate", "Invocation5XXErrors", 0.01),
        ("ModelErrorRate", "InvocationModelErrors", 0.05),
    ):
        logical_id = ids[f"{STACK}/Endpoint/{name}/Resource"]
        alarm = template["Resources"][logical_id]["Properties"]
        assert (alarm["AlarmActions"], alarm["OKActions"]) == ([topic], [topic])
        assert {"Fn::GetAtt": [logical_id, "Arn"]} in admitted
        assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (threshold, 3)
        assert alarm["Metrics"][0]["Expression"] == (
            "IF(invocations >= 20, errors / invocations, 0)"
        )
        stats = {
            query["Id"]: query["MetricStat"]["Metric"]
            for query in alarm["Metrics"]
            if "MetricStat" in query
        }
        assert stats["errors"]["MetricName"] == metric_name
        # Every fleet: no EndpointConfigName dimension.
        assert [d["Name"] for d in stats["errors"]["Dimensions"]] == [
            "EndpointName",
            "VariantName",
        ]
    # Not a rollback alarm: the deployment still rolls back on ServerErrors alone.
    ((_, endpoint),) = _of_type(template, "AWS::SageMaker::Endpoint").items()
    rollback = endpoint["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    assert len(rollback) == 1


def test_a_served_version_rejected_after_its_deploy_pages_the_failure_topic(
    served: SynthesizedApp,
):
    # The deploy checks the version's approval once: a rule of its exact ARN pages
    # whoever hears of failed runs when it is rejected (or unapproved) later.
    template = served.templates[STACK]
    ids = _path_ids(served, STACK)
    rule_id = ids[f"{STACK}/Endpoint/RejectedVersion/Resource"]
    rule = template["Resources"][rule_id]["Properties"]
    ((_, policy),) = _of_type(template, "AWS::SNS::TopicPolicy").items()

    assert rule["EventPattern"] == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "resources": [VERSION],
        "detail": {"ModelApprovalStatus": ["Rejected", "PendingManualApproval"]},
    }
    ((target),) = rule["Targets"]
    assert target["Arn"] == {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]}
    assert (
        "endpoint staging-breast-cancer-classifier still serves it"
        in (target["InputTransformer"]["InputTemplate"])
    )
    assert {
        "Action": "sns:Publish",
        "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}},
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]},
    } in [
        {key: value for key, value in statement.items() if key != "Sid"}
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_a_monitor_whose_runs_give_no_results_two_days_running_notifies(
    served: SynthesizedApp,
):
    template = served.templates[STACK]
    ids = _path_ids(served, STACK)
    logical_id = ids[f"{STACK}/DataQuality/NoResults/Resource"]
    alarm = template["Resources"][logical_id]["Properties"]
    topic = {"Ref": ids[f"{STACK}/Failures/Topic/Resource"]}
    assert (alarm["AlarmActions"], alarm["OKActions"]) == ([topic], [topic])
    assert {"Fn::GetAtt": [logical_id, "Arn"]} in _admitted_alarms(template)
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "feature_baseline_drift__c0",
        "SampleCount",
        86400,
    )
    assert (alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (2, "breaching")


def test_an_inferentia_1_endpoint_deploys_without_guardrails(tmp_path: Path):
    # cdk.json may name any real-time instance type: on ml.inf1.* SageMaker applies no
    # deployment guardrails, so the stack leaves the deployment and its alarm out rather
    # than fail synth on a prop the settings never mention. Built, not synthesized.
    import app as reference

    context = cdk_context()
    staging = {**context["environments"]["staging"], "endpoint_instance_type": "ml.inf1.xlarge"}
    context = {
        **context,
        "environments": {"staging": staging},
        "model_package_arn:staging": VERSION,
    }
    application = reference.build_app(context, outdir=str(tmp_path))

    stack = application.node.find_child("staging").node.find_child("MlOps")
    assert isinstance(stack, MlOpsStack)
    endpoint = stack.endpoint
    assert endpoint is not None
    assert endpoint.instance_type == "ml.inf1.xlarge"
    assert endpoint.deployment is None
    assert endpoint.cfn_endpoint.deployment_config is None
    assert endpoint.rollback_alarms == ()
    assert endpoint.node.try_find_child("ServerErrors") is None


def test_an_environment_may_serve_a_version_without_the_data_quality_monitor(tmp_path: Path):
    # A version registered before the upgrade records no DriftCheckBaselines: the monitor's
    # job definition would fail the deploy, so the environment turns the monitor off until
    # it serves a version with a baseline. Built, not synthesized.
    import app as reference

    context = cdk_context()
    staging = {**context["environments"]["staging"], "data_quality_monitor": False}
    context = {
        **context,
        "environments": {"staging": staging},
        "model_package_arn:staging": VERSION,
    }
    application = reference.build_app(context, outdir=str(tmp_path))

    stack = application.node.find_child("staging").node.find_child("MlOps")
    assert isinstance(stack, MlOpsStack)
    assert stack.endpoint is not None
    assert stack.data_quality is None
    for child in ("DataQuality", "DataQualityBaseline", READER_HANDLER):
        assert stack.node.try_find_child(child) is None, child


PROD_VERSION = VERSION.replace("staging-", "prod-")


@pytest.fixture(scope="module")
def served_in_prod(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The app with prod alone (its cdk.json settings, retain_data), serving a version.

    As a first deploy with ``-c``: prod doesn't declare ``serves_endpoint``.
    """
    context = cdk_context()
    context = {
        **context,
        "environments": {"prod": context["environments"]["prod"]},
        "model_package_arn:prod": PROD_VERSION,
    }
    return synthesize_reference_app(context, tmp_path_factory.mktemp("served-in-prod"))


def test_the_production_endpoint_runs_two_instances_scaled_and_watched_for_latency(
    served_in_prod: SynthesizedApp, served: SynthesizedApp
):
    # Production (retain_data): two instances (SageMaker spreads them over Availability
    # Zones), target tracking up to 4, and a p99 ModelLatency alarm that reaches the
    # on-call through the failure topic, which admits it. Staging stays one instance.
    template = served_in_prod.templates["prod/MlOps"]
    ids = {path: lid for lid, path in logical_id_paths(served_in_prod, "prod/MlOps").items()}
    ((_, config),) = _of_type(template, "AWS::SageMaker::EndpointConfig").items()
    ((_, target),) = _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").items()
    ((_, scaling),) = _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").items()
    alarm = template["Resources"][ids["prod/MlOps/Endpoint/Latency/Resource"]]["Properties"]
    topic = ids["prod/MlOps/Failures/Topic/Resource"]
    ((_, policy),) = _of_type(template, "AWS::SNS::TopicPolicy").items()

    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 2
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    tracking = scaling["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == 200
    assert (alarm["MetricName"], alarm["ExtendedStatistic"]) == ("ModelLatency", "p99")
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"]) == (300, 3, 1e6)
    assert alarm["AlarmActions"] == [{"Ref": topic}]
    assert alarm["OKActions"] == [{"Ref": topic}]
    assert "docs/reference-app.md, Operating it" in alarm["AlarmDescription"]
    latency_id = ids["prod/MlOps/Endpoint/Latency/Resource"]
    assert any(
        statement.get("Condition")
        == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [latency_id, "Arn"]}}}
        for statement in policy["PolicyDocument"]["Statement"]
    )
    report = json.loads((served_in_prod.directory / "validation-report.json").read_text())
    # No finding of the endpoint's scaling or alarm: only prod's missing subscriber, as
    # without an endpoint (tests/cdk/test_app_nag.py), and the undeclared endpoint's.
    assert [
        violation["ruleName"]
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ] == [
        "Annotation::cdk-sagemaker-pipelines:no-subscribers",
        "Annotation::reference-app:serves-endpoint-not-declared",
    ]

    staging = served.templates[STACK]
    ((_, staging_config),) = _of_type(staging, "AWS::SageMaker::EndpointConfig").items()
    assert staging_config["ProductionVariants"][0]["InitialInstanceCount"] == 1
    assert not _of_type(staging, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert f"{STACK}/Endpoint/Latency/Resource" not in logical_id_paths(served, STACK).values()


def test_an_endpoint_served_without_serves_endpoint_is_warned_of_its_deletion(
    served_in_prod: SynthesizedApp,
):
    # The next deploy without -c model_package_arn:prod would delete it without a word.
    warnings = [
        (path, entry["data"])
        for path, entries in stack_metadata(served_in_prod, "prod/MlOps").items()
        for entry in entries
        if entry.get("type") == "aws:cdk:warning"
        and "serves-endpoint-not-declared" in str(entry["data"])
    ]
    assert warnings == [
        (
            "/prod/MlOps/Endpoint",
            "environment 'prod' serves a version ('model_package_arn:prod') without declaring "
            "'serves_endpoint': a later deploy without 'model_package_arn:prod' (a -c value "
            "holds for one deploy) synthesizes no endpoint, and CloudFormation deletes this "
            "one. Set \"serves_endpoint\": true in its settings (cdk.json 'environments'), so "
            "that such a deploy fails instead [ack: reference-app:serves-endpoint-not-declared]",
        )
    ]


def test_a_model_source_synthesizes_without_partition_literals(tmp_path: Path):
    # An app without cdk.json's "@aws-cdk/core:enablePartitionLiterals" (cdk init's of older
    # releases) writes ARNs with a partition reference: the acknowledgment of the source
    # account's keys must still name them as cdk-nag does, not fail synth on the token.
    import app as reference

    context = {
        key: value
        for key, value in cdk_context().items()
        if key != "@aws-cdk/core:enablePartitionLiterals"
    }
    # A model source keeps its data (retain_data, the default).
    dev = {"account": "222222222222", "region": "eu-west-1"}
    prod = {"account": "333333333333", "region": "eu-west-1", "model_source": "dev"}
    context = {
        **context,
        "environments": {"dev": dev, "prod": prod},
        "model_package_arn:prod": (
            "arn:aws:sagemaker:eu-west-1:222222222222:model-package/dev-breast-cancer-classifier/3"
        ),
    }
    application = reference.build_app(context, outdir=str(tmp_path))
    application.synth()  # fails on any unacknowledged finding

    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert "key/*" not in json.dumps(report)
    # The source's versions change state in the source's account, where SageMaker sends
    # their events: prod's endpoint watches none (a rule that would never fire).
    prod_stack = application.node.find_child("prod").node.find_child("MlOps")
    assert isinstance(prod_stack, MlOpsStack)
    assert prod_stack.endpoint is not None
    assert prod_stack.endpoint.node.try_find_child("RejectedVersion") is None


def test_a_model_source_shares_its_versions_before_the_target_serves_one():
    # The source's bucket gets its name (replacing the deployed one) from its first deploy
    # as a model source, before it trains the versions to promote. Named only once the
    # target served a version, the versions approved meanwhile pointed into the replaced
    # bucket, whose model data the target's endpoint refuses: its first deploy failed.
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sagemaker as sagemaker

    import app as reference
    from stacks import MlOpsStage

    context = {
        **cdk_context(),
        "environments": {
            "staging": {"account": "333333333333", "region": "eu-west-1", "retain_data": False},
            "prod": {"account": "444444444444", "region": "eu-west-1", "model_source": "staging"},
        },
    }
    application = reference.build_app(context)  # built, not synthesized: no version served
    staging, prod = (application.node.find_child(name) for name in ("staging", "prod"))
    assert isinstance(staging, MlOpsStage)
    assert isinstance(prod, MlOpsStage)
    assert prod.stack.endpoint is None
    stack = staging.stack
    bucket = stack.artifacts.bucket.node.default_child
    assert isinstance(bucket, s3.CfnBucket)
    assert bucket.bucket_name == "staging-artifacts-333333333333-eu-west-1"
    assert stack.registry is not None  # staging trains
    group = stack.registry.node.default_child
    assert isinstance(group, sagemaker.CfnModelPackageGroup)
    policy = json.dumps(stack.resolve(group.model_package_group_policy))
    assert "arn:aws:iam::444444444444:root" in policy
    # Kept when staging's stack goes, although staging keeps no data: prod reads from them.
    for resource in (bucket, group, stack.artifacts.key.node.default_child):
        assert isinstance(resource, cdk.CfnResource)
        assert resource.cfn_options.deletion_policy == cdk.CfnDeletionPolicy.RETAIN
