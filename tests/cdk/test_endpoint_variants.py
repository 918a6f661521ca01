"""``ModelEndpoint`` with several variants: A/B tests and shadow tests (docs/deploying-models.md).

One module-scoped stack, synthesized once: the guide's example run as written for two
environments (production with a challenger, staging with a shadow), an A/B test of
variants with instance types, stores and images of their own, each auto scaled, under a
canary deployment rolled back by an alarm of the challenger's metrics, and a shadow variant
of another account's version. cfn-lint lints its template in the session's lint worker while
the other tests run (``tests/cdk/lint.py``), read by the module's last test. Refusals are
built in another app, never synthesized: a constructor that raises takes its endpoint out
of the tree, so they share one stack.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    Deployment,
    EndpointVariant,
    ModelEndpoint,
    ModelRegistry,
    ServerlessConfig,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    logical_id,
    pack_findings,
    resource,
    statements,
    synthesized,
    template_json,
)
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.conftest import REPO
from tests.test_docs import code_blocks

GUIDE = REPO / "docs" / "deploying-models.md"
CENTRAL = "444455556666"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
SCALING_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling."
    "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
CENTRAL_VERSION = f"arn:aws:sagemaker:{REGION}:{CENTRAL}:model-package/churn/3"
# What a production variant's version requires of its approval status (ModelData's Versions).
APPROVED = {"Require": "Approved"}


def model_data_resource(endpoint: ModelEndpoint, attribute: str = "ObjectArns") -> dict[str, Any]:
    """The role's ``Resource`` of model data: what the endpoint's ``ModelData`` finds.

    ``attribute="ListPrefixes"``: the listing's ``s3:prefix`` instead.
    """
    found = logical_id(endpoint.node.find_child("ModelData"))
    return {"Fn::Split": ["$$", {"Fn::GetAtt": [found, attribute]}]}


def version(number: int, group: str = "churn") -> str:
    """The ARN of version ``number`` of ``group`` in the test account and region."""
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{number}"


def guide_function(name: str) -> Any:
    """The guide's Python block defining ``name``, executed: that function."""
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if f"def {name}(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:{name}", "exec"), namespace)
    return namespace[name]


class Built:
    """The guide's endpoint in two environments, an A/B test and a shadow test, one stack."""

    def __init__(self) -> None:
        stack = new_stack(
            **{
                "model_package_arn:prod": version(6),
                "challenger_package_arn:prod": version(7),
                "model_package_arn:staging": version(7),
                "shadow_package_arn:staging": version(8),
            }
        )
        self.stack = stack
        self.store = ArtifactStore(stack, "Artifacts")
        registry = ModelRegistry(
            stack, "Registry", model_package_group_name="churn", artifact_store=self.store
        )
        add_churn_endpoint = guide_function("add_churn_endpoint")
        self.prod: ModelEndpoint = add_churn_endpoint(
            Construct(stack, "Prod"), self.store, registry, "prod"
        )
        self.staging: ModelEndpoint = add_churn_endpoint(
            Construct(stack, "Staging"), self.store, registry, "staging"
        )
        # Challengers on their own instance types, of another store and image.
        self.models = ArtifactStore(stack, "Models")
        serving = ecr.Repository.from_repository_name(stack, "Serving", "churn-serving")
        candidate = ecr.Repository.from_repository_name(stack, "CandidateImage", "churn-next")
        self.ab = ModelEndpoint(
            stack,
            "AB",
            model_package_arn=version(6),
            artifact_store=self.store,
            endpoint_name="churn-ab",
            initial_instance_count=2,
            initial_weight=8,
            image_repositories=[serving],
            data_capture=DataCapture(sampling_percentage=10),
            deployment=Deployment.canary(instances=1, wait=cdk.Duration.minutes(5)),
            variants=[
                EndpointVariant(
                    name="Challenger",
                    model_package_arn=version(7),
                    instance_type="ml.c5.xlarge",
                    initial_instance_count=3,
                    initial_weight=1.5,
                    model_store=self.models,
                    image_repositories=[candidate],
                ),
                EndpointVariant(name="Candidate", model_package_arn=version(8), initial_weight=0),
            ],
        )
        self.ab.add_auto_scaling(
            min_capacity=2, max_capacity=4, target_invocations_per_instance=100
        )
        self.challenger_target = self.ab.add_auto_scaling(
            min_capacity=2, max_capacity=6, target_invocations_per_instance=80, variant="Challenger"
        )
        alerts = sns.Topic(stack, "Alerts", master_key=self.store.key)
        self.alarm = self.ab.metric_invocation_5xx_errors(
            new_fleet_only=True, variant="Challenger", period=cdk.Duration.minutes(1)
        ).create_alarm(
            stack,
            "ChallengerErrors",
            threshold=0.01,
            evaluation_periods=3,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(alerts))
        self.ab.add_rollback_alarm(self.alarm)
        # A shadow of the central registry's version, under a deployment (warned).
        central = ArtifactStore.from_existing(
            stack,
            "Central",
            bucket=s3.Bucket.from_bucket_name(stack, "CentralBucket", "ml-central-models"),
            key=kms.Key.from_key_arn(
                stack, "CentralKey", f"arn:aws:kms:{REGION}:{CENTRAL}:key/central"
            ),
        )
        self.shadowed = ModelEndpoint(
            stack,
            "Shadowed",
            model_package_arn=version(6),
            artifact_store=self.store,
            endpoint_name="churn-shadowed",
            deployment=Deployment.all_at_once(wait=cdk.Duration.minutes(5)),
            shadow=EndpointVariant(
                name="Shadow",
                model_package_arn=CENTRAL_VERSION,
                instance_type="ml.m5.xlarge",
                initial_weight=0.5,
                model_store=central,
            ),
        )
        self.shadow_target = self.shadowed.add_auto_scaling(
            max_capacity=3, target_invocations_per_instance=50, variant="Shadow"
        )
        self.template, self.annotations = synthesized(stack)

    def properties(self, construct: Any) -> dict[str, Any]:
        found: dict[str, Any] = resource(self.template, logical_id(construct))["Properties"]
        return found

    def model_name(self, endpoint: ModelEndpoint, variant: str) -> dict[str, Any]:
        return {"Fn::GetAtt": [logical_id(endpoint.cfn_models[variant]), "ModelName"]}


@pytest.fixture(scope="session")  # the lint test, last in the session, reads it too
def built() -> Built:
    return Built()


@pytest.fixture(scope="session")
def lint(
    built: Built, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the built template, queued as the module's first test starts.

    Its test runs last in the session (``tests/cdk/lint.py``, ``MODULE_LINT``).
    """
    yield from lint_in_background(
        "variants",
        template_json(built.template),
        tmp_path_factory.mktemp("variants-lint"),
        lint_service,
    )


def _dimensions(stack: cdk.Stack, metric: cloudwatch.Metric) -> dict[str, Any]:
    found: dict[str, Any] = stack.resolve(metric.dimensions)
    return found


# -- The guide's A/B test and shadow test -----------------------------------------------------


def test_the_guides_ab_test_serves_champion_and_challenger_by_weight(built: Built) -> None:
    endpoint = built.prod
    assert endpoint.variant_names == ("AllTraffic", "Challenger")
    assert [model.node.id for model in endpoint.cfn_models.values()] == [
        "Model",
        "ChallengerModel",
    ]
    assert endpoint.cfn_model is endpoint.cfn_models["AllTraffic"]
    for variant, number in (("AllTraffic", 6), ("Challenger", 7)):
        model = resource(built.template, logical_id(endpoint.cfn_models[variant]))
        assert model["Properties"] == {
            "ExecutionRoleArn": {"Fn::GetAtt": [logical_id(endpoint.role), "Arn"]},
            "PrimaryContainer": {"ModelPackageName": version(number)},
        }
        # Created once the role may read its model data, and the versions' approval checked.
        assert model["DependsOn"] == sorted(
            [logical_id(endpoint.node.find_child("ModelData")), logical_id(endpoint.role_policy)]
        )
    config = built.properties(endpoint.cfn_endpoint_config)
    assert config == {
        "KmsKeyId": STORE_KEY,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": built.model_name(endpoint, "AllTraffic"),
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 9,
            },
            {
                "VariantName": "Challenger",
                "ModelName": built.model_name(endpoint, "Challenger"),
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 1,
            },
        ],
    }
    # The dashboard draws each variant's line.
    dashboard = built.stack.node.find_child("Prod").node.find_child("Variants")
    body = built.properties(dashboard.node.default_child)["DashboardBody"]
    text = "".join(part for part in body["Fn::Join"][1] if isinstance(part, str))
    for variant in ("AllTraffic", "Challenger"):
        for metric in ("ModelLatency", "Invocation5XXErrors"):
            assert re.search(rf'"{metric}","EndpointName","[^"]+","VariantName","{variant}"', text)


def test_the_guides_shadow_test_copies_requests_to_the_shadow(built: Built) -> None:
    endpoint = built.staging
    assert endpoint.variant_names == ("AllTraffic", "Shadow")
    assert endpoint.shadow is not None
    assert endpoint.variants == ()
    config = built.properties(endpoint.cfn_endpoint_config)
    assert config["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": built.model_name(endpoint, "AllTraffic"),
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 1,
        }
    ]
    # On the endpoint's instance type and count, a copy of every request.
    assert config["ShadowProductionVariants"] == [
        {
            "VariantName": "Shadow",
            "ModelName": built.model_name(endpoint, "Shadow"),
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 1,
        }
    ]
    shadow_model = built.properties(endpoint.cfn_models["Shadow"])
    assert shadow_model["PrimaryContainer"] == {"ModelPackageName": version(8)}
    # No deployment, no warning of one.
    assert not built.annotations.find_warning(
        "/Test/Staging/Endpoint", Match.string_like_regexp("shadow-variant-deployment")
    )


# -- Variants of their own: instance types, stores, images, scaling -----------------------------


def test_each_variant_runs_on_its_own_instances_with_its_weight(built: Built) -> None:
    endpoint = built.ab
    config = built.properties(endpoint.cfn_endpoint_config)
    assert config["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": built.model_name(endpoint, "AllTraffic"),
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 2,
            "InitialVariantWeight": 8,
        },
        {
            "VariantName": "Challenger",
            "ModelName": built.model_name(endpoint, "Challenger"),
            "InstanceType": "ml.c5.xlarge",
            "InitialInstanceCount": 3,
            "InitialVariantWeight": 1.5,
        },
        {
            # The endpoint's instance type and count; no traffic yet.
            "VariantName": "Candidate",
            "ModelName": built.model_name(endpoint, "Candidate"),
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 2,
            "InitialVariantWeight": 0,
        },
    ]
    assert "ShadowProductionVariants" not in config
    # Data capture and the key are the endpoint's, one for every variant.
    assert config["KmsKeyId"] == STORE_KEY
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 10
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == {
        "Fn::Join": ["", ["s3://", {"Ref": "ArtifactsBucket88671897"}, "/data-capture/churn-ab/"]]
    }
    assert [model.node.id for model in endpoint.cfn_models.values()] == [
        "Model",
        "ChallengerModel",
        "CandidateModel",
    ]
    models = [built.properties(model) for model in endpoint.cfn_models.values()]
    assert [model["PrimaryContainer"]["ModelPackageName"] for model in models] == [
        version(6),
        version(7),
        version(8),
    ]
    assert {json.dumps(model["ExecutionRoleArn"]) for model in models} == {
        json.dumps({"Fn::GetAtt": [logical_id(endpoint.role), "Arn"]})
    }


def test_the_role_reads_each_variants_store_and_pulls_each_image(built: Built) -> None:
    policy = statements(built.template, built.ab.role_policy)
    assert policy["EndpointReadsModelArtifacts"]["Resource"] == model_data_resource(built.ab)
    # Each variant's version, tied to the store holding it.
    # Each variant's version, tied to the store holding it; approved, as each answers callers.
    assert built.properties(built.ab.node.find_child("ModelData"))["Versions"] == [
        {"ModelPackageArn": version(6), "Bucket": {"Ref": "ArtifactsBucket88671897"}, **APPROVED},
        {
            "ModelPackageArn": version(7),
            "Bucket": {"Ref": logical_id(built.models.bucket)},
            **APPROVED,
        },
        {"ModelPackageArn": version(8), "Bucket": {"Ref": "ArtifactsBucket88671897"}, **APPROVED},
    ]
    assert policy["EndpointListsModelArtifacts"]["Resource"] == [
        {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]},
        {"Fn::GetAtt": [logical_id(built.models.bucket), "Arn"]},
    ]
    # One resource finds every variant's uncompressed prefixes, listed of either bucket.
    assert policy["EndpointListsModelArtifacts"]["Condition"]["StringLike"]["s3:prefix"] == (
        model_data_resource(built.ab, "ListPrefixes")
    )
    assert policy["EndpointDecryptsModelArtifacts"]["Resource"] == [
        STORE_KEY,
        {"Fn::GetAtt": [logical_id(built.models.key), "Arn"]},
    ]
    assert sorted(policy["PullImages"]["Resource"]) == [
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/churn-next",
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/churn-serving",
    ]
    # The same statements as one variant's otherwise: the Sids are unchanged.
    assert sorted(policy) == sorted(
        [
            "EndpointReadsModelArtifacts",
            "EndpointListsModelArtifacts",
            "EndpointDecryptsModelArtifacts",
            "PullImages",
            "AuthenticateToEcr",
            "EndpointWritesLogs",
            "EndpointPublishesMetrics",
            "EndpointWritesCapturedData",
            "EndpointEncryptsCapturedData",
        ]
    )
    # A variant of the endpoint's store adds nothing: one store, one key.
    prod = statements(built.template, built.prod.role_policy)
    assert prod["EndpointReadsModelArtifacts"]["Resource"] == model_data_resource(built.prod)
    assert built.properties(built.prod.node.find_child("ModelData"))["Versions"] == [
        {"ModelPackageArn": version(6), "Bucket": {"Ref": "ArtifactsBucket88671897"}, **APPROVED},
        {"ModelPackageArn": version(7), "Bucket": {"Ref": "ArtifactsBucket88671897"}, **APPROVED},
    ]
    assert prod["EndpointDecryptsModelArtifacts"]["Resource"] == STORE_KEY


def test_each_scaled_variant_is_a_scalable_target_of_its_own(built: Built) -> None:
    endpoint = built.ab
    targets = endpoint.scalable_targets
    assert list(targets) == ["AllTraffic", "Challenger"]
    assert endpoint.scalable_target is targets["AllTraffic"]
    assert targets["Challenger"] is built.challenger_target
    assert [target.node.id for target in targets.values()] == ["Scaling", "ChallengerScaling"]
    found = {
        variant: built.properties(target.node.default_child) for variant, target in targets.items()
    }
    for variant, least, most in (("AllTraffic", 2, 4), ("Challenger", 2, 6)):
        assert found[variant] == {
            "ServiceNamespace": "sagemaker",
            "ResourceId": f"endpoint/churn-ab/variant/{variant}",
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "MinCapacity": least,
            "MaxCapacity": most,
            "RoleARN": SCALING_ROLE,
        }
    # Each its own policy; the service-linked role imported once, no role created.
    policies = [
        properties
        for properties in (
            resource["Properties"]
            for resource in template_json(built.template)["Resources"].values()
            if resource["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
        )
        if str(properties["ScalingTargetId"]["Ref"]).startswith("AB")
    ]
    assert sorted(
        p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies
    ) == [80, 100]
    roles = [
        logical
        for logical, found in template_json(built.template)["Resources"].items()
        if found["Type"] == "AWS::IAM::Role" and logical.startswith("AB")
    ]
    assert roles == [logical_id(endpoint.role)]
    # Updates keep the scaled counts, weights from the new configuration.
    resource_properties = built.properties(endpoint.cfn_endpoint)
    assert resource_properties["RetainAllVariantProperties"] is True
    assert resource_properties["ExcludeRetainedVariantProperties"] == [
        {"VariantPropertyType": "DesiredWeight"},
        {"VariantPropertyType": "DataCaptureConfig"},
    ]
    # The shadow variant scales as well.
    shadow = built.properties(built.shadow_target.node.default_child)
    assert shadow["ResourceId"] == "endpoint/churn-shadowed/variant/Shadow"
    assert built.shadowed.scalable_target is None
    assert built.shadow_target.node.id == "ShadowScaling"


def test_metrics_name_their_variant_and_rollback_alarms_are_unaffected(built: Built) -> None:
    endpoint, stack = built.ab, built.stack
    assert _dimensions(stack, endpoint.metric_model_latency()) == {
        "EndpointName": "churn-ab",
        "VariantName": "AllTraffic",
    }
    for variant in endpoint.variant_names:
        for metric in (
            endpoint.metric("InvocationModelErrors", variant=variant),
            endpoint.metric_invocations(variant=variant),
            endpoint.metric_invocation_4xx_errors(variant=variant),
            endpoint.metric_overhead_latency(variant=variant),
        ):
            assert _dimensions(stack, metric) == {
                "EndpointName": "churn-ab",
                "VariantName": variant,
            }
    assert endpoint.metric_invocations(variant="Challenger").statistic == "Sum"
    # The alarm on the challenger's new fleet rolls the endpoint's deployments back.
    alarm = built.properties(built.alarm.node.default_child)
    assert {entry["Name"]: entry["Value"] for entry in alarm["Dimensions"]} == {
        "EndpointConfigName": {
            "Fn::GetAtt": [logical_id(endpoint.cfn_endpoint_config), "EndpointConfigName"]
        },
        "EndpointName": "churn-ab",
        "VariantName": "Challenger",
    }
    assert built.properties(endpoint.cfn_endpoint)["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
                "WaitIntervalInSeconds": 300,
            }
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": {"Ref": logical_id(built.alarm)}}]},
    }
    assert endpoint.rollback_alarms == (built.alarm,)
    policy = statements(built.template, endpoint.rollback_alarms_policy)
    assert policy["EndpointDescribesRollbackAlarms"]["Resource"] == {
        "Fn::GetAtt": [logical_id(built.alarm), "Arn"]
    }


def test_a_shadow_of_another_accounts_version_is_read_and_warned(built: Built) -> None:
    endpoint = built.shadowed
    config = built.properties(endpoint.cfn_endpoint_config)
    assert config["ShadowProductionVariants"] == [
        {
            "VariantName": "Shadow",
            "ModelName": built.model_name(endpoint, "Shadow"),
            "InstanceType": "ml.m5.xlarge",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 0.5,
        }
    ]
    policy = statements(built.template, endpoint.role_policy)
    assert policy["EndpointReadsModelArtifacts"]["Resource"] == model_data_resource(endpoint)
    # The shadow's version of the central store, the endpoint's of its own. The shadow's
    # responses are discarded: its version may be pending approval, never rejected.
    assert built.properties(endpoint.node.find_child("ModelData"))["Versions"] == [
        {"ModelPackageArn": version(6), "Bucket": {"Ref": "ArtifactsBucket88671897"}, **APPROVED},
        {
            "ModelPackageArn": CENTRAL_VERSION,
            "Bucket": "ml-central-models",
            "Require": "NotRejected",
        },
    ]
    assert sorted(map(json.dumps, policy["EndpointDecryptsModelArtifacts"]["Resource"])) == [
        f'"arn:aws:kms:{REGION}:{CENTRAL}:key/central"',
        json.dumps(STORE_KEY),
    ]
    warnings = {
        re.sub(r".*\[ack: cdk-sagemaker-pipelines:([a-z-]+)\]$", r"\1", str(entry.entry.data)): (
            str(entry.entry.data)
        )
        for entry in built.annotations.find_warning("/Test/Shadowed", Match.any_value())
    }
    assert sorted(warnings) == ["model-version-of-another-account", "shadow-variant-deployment"]
    assert warnings["model-version-of-another-account"].startswith(
        f"prop 'shadow.model_package_arn': a version of account {CENTRAL}, this stack in "
        f"{ACCOUNT}: CloudFormation creates the model only if"
    )
    assert warnings["shadow-variant-deployment"].startswith(
        "props 'deployment' and 'shadow': SageMaker's deployment guardrails guide says nothing "
        "of endpoints with a shadow variant"
    )
    # Several production variants under a canary: no warning (the guide allows them).
    assert not built.annotations.find_warning("/Test/AB", Match.any_value())


def test_cdk_nag_finds_nothing_of_the_variants(built: Built) -> None:
    # The packs' findings of the store (replication) are the team's to decide.
    findings = pack_findings(built.stack)
    assert findings
    ours = ("Test/Prod/", "Test/Staging/", "Test/AB/", "Test/Shadowed/", "Test/ChallengerErrors")
    assert [finding for finding in findings if any(path in finding for path in ours)] == []


# -- Configuration ids ---------------------------------------------------------------------------


def test_a_new_challenger_gets_a_configuration_of_a_new_id() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")

    def config_id(construct_id: str, **props: Any) -> str:
        endpoint = ModelEndpoint(
            stack, construct_id, model_package_arn=version(6), artifact_store=store, **props
        )
        return str(endpoint.cfn_endpoint_config.node.id)

    alone = config_id("Alone")
    # One variant's id is the version's hash, as before variants existed.
    digest = hashlib.sha256(version(6).encode()).hexdigest()[:8].upper()
    assert alone == f"Config{digest}"
    seven = config_id("Seven", variants=[EndpointVariant(name="B", model_package_arn=version(7))])
    eight = config_id("Eight", variants=[EndpointVariant(name="B", model_package_arn=version(8))])
    shadow = config_id("Shadow", shadow=EndpointVariant(name="B", model_package_arn=version(7)))
    renamed = config_id(
        "Renamed", variants=[EndpointVariant(name="C", model_package_arn=version(7))]
    )
    ids = [alone, seven, eight, shadow, renamed]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"Config[0-9A-F]{8}", found) for found in ids)
    # Deterministic: the same variants give the same id; weights don't change it.
    again = config_id(
        "Again",
        variants=[EndpointVariant(name="B", model_package_arn=version(7), initial_weight=3)],
    )
    assert again == seven
    # Versions known only at deploy time are left out of the hash, as the endpoint's own.
    parameter = cdk.CfnParameter(stack, "Challenger", type="String").value_as_string
    assert (
        config_id("Token", variants=[EndpointVariant(name="B", model_package_arn=parameter)])
        == alone
    )


# -- Refusals: one test per error ----------------------------------------------------------------

_IDS = itertools.count()


class Refusals:
    """A stack (and one in another region) for endpoints that must fail, never synthesized."""

    def __init__(self) -> None:
        app = new_app()
        env = cdk.Environment(account=ACCOUNT, region=REGION)
        self.stack = cdk.Stack(app, "Test", env=env)
        self.store = ArtifactStore(self.stack, "Artifacts")
        self.registry = ModelRegistry(
            self.stack, "Registry", model_package_group_name="churn", artifact_store=self.store
        )
        self.fraud = ModelRegistry(self.stack, "Fraud", model_package_group_name="fraud")
        other = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
        self.other_region_store = ArtifactStore(other, "Artifacts")
        self.ab = self.endpoint(
            "AB",
            variants=[
                EndpointVariant(
                    name="Challenger", model_package_arn=version(7), initial_instance_count=2
                )
            ],
        )

    def endpoint(self, construct_id: str | None = None, **props: Any) -> ModelEndpoint:
        given = {"model_package_arn": version(6), "artifact_store": self.store, **props}
        return ModelEndpoint(self.stack, construct_id or f"Endpoint{next(_IDS)}", **given)


@pytest.fixture(scope="module")
def refusals() -> Refusals:
    return Refusals()


def _variant(name: str = "Challenger", **fields: Any) -> EndpointVariant:
    return EndpointVariant(**{"name": name, "model_package_arn": version(7), **fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"name": "challenger_1"},
            r"EndpointVariant 'challenger_1' has 1 problem:\n- prop 'name': 'challenger_1' must "
            r"be 1-63 letters, digits and hyphens",
        ),
        (
            {"name": cdk.Aws.STACK_NAME},
            r"prop 'name': a token: the variant's name makes the id of its model",
        ),
        (
            {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/g"},
            r"prop 'model_package_arn': .* is not the ARN of a registered model version",
        ),
        (
            {"instance_type": "ml.c5.xlage"},
            r"prop 'instance_type': 'ml.c5.xlage' is not an instance type of SageMaker "
            r"real-time endpoints \(did you mean 'ml.c5.xlarge'",
        ),
        ({"initial_instance_count": 0}, r"prop 'initial_instance_count': expected at least 1"),
        ({"initial_weight": -1}, r"prop 'initial_weight': expected a weight of 0 or more, got -1"),
        (
            {"initial_weight": float("inf")},
            r"prop 'initial_weight': expected a weight of 0 or more, got inf",
        ),
        (
            {"initial_weight": "1"},
            r"prop 'initial_weight': expected a weight, a number 0 or more, got str '1'",
        ),
        ({"model_store": "ml-central-models"}, r"prop 'model_store': expected an ArtifactStore"),
        ({"registry": "churn"}, r"prop 'registry': expected a ModelRegistry, got str 'churn'"),
    ],
)
def test_fails_a_wrong_variant_field_naming_it(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        _variant(**fields)


def _nine_variants() -> list[EndpointVariant]:
    return [_variant(f"Challenger{n}") for n in range(9)]


REFUSED: list[tuple[str, Any, str]] = [
    (
        "a lone variant",
        lambda r: {"variants": _variant()},
        r"ModelEndpoint Test/Endpoint\d+ has 1 problem:\n- prop 'variants': expected a list of "
        r"EndpointVariant, got a single one \('Challenger'\) \(write variants=\[EndpointVariant",
    ),
    (
        "a list as shadow",
        lambda r: {"shadow": [_variant()]},
        r"prop 'shadow': expected an EndpointVariant, got list",
    ),
    (
        "eleven production variants",
        lambda r: {"variants": [*_nine_variants(), _variant("OneTooMany")]},
        r"prop 'variants': 10 variants beside the endpoint's own make 11 production variants, "
        r"more than SageMaker's 10",
    ),
    (
        "a shadow beside an A/B test",
        lambda r: {"variants": [_variant()], "shadow": _variant("Shadow")},
        r"prop 'shadow': a shadow variant beside 2 production variants: SageMaker takes a "
        r"shadow variant beside one production variant only",
    ),
    (
        "a variant of the endpoint's variant name",
        lambda r: {"variants": [_variant("AllTraffic")]},
        r"prop 'variants\[0\].name': 'AllTraffic' is the name of variant_name too",
    ),
    (
        "two variants of one name",
        lambda r: {"variants": [_variant("B"), _variant("B", model_package_arn=version(8))]},
        r"prop 'variants\[1\].name': 'B' is the name of variants\[0\].name too",
    ),
    (
        "a shadow of the endpoint's variant name",
        lambda r: {"variant_name": "Blue", "shadow": _variant("Blue")},
        r"prop 'shadow.name': 'Blue' is the name of variant_name too",
    ),
    (
        "every production weight 0",
        lambda r: {"initial_weight": 0, "variants": [_variant(initial_weight=0)]},
        r"prop 'initial_weight': every production variant has weight 0 \(initial_weight and "
        r"each of variants'\): SageMaker would send the requests to none of them",
    ),
    (
        "the only production weight 0",
        lambda r: {"initial_weight": 0, "shadow": _variant("Shadow")},
        r"prop 'initial_weight': every production variant has weight 0: SageMaker",
    ),
    (
        "a negative weight",
        lambda r: {"initial_weight": -2},
        r"prop 'initial_weight': expected a weight of 0 or more, got -2",
    ),
    (
        "variants of a serverless endpoint",
        lambda r: {
            "serverless": ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5),
            "variants": [_variant()],
        },
        r"prop 'variants': SageMaker Serverless Inference doesn't support several production "
        r"variants",
    ),
    (
        "a shadow of a serverless endpoint",
        lambda r: {
            "serverless": ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5),
            "shadow": _variant("Shadow"),
        },
        r"prop 'shadow': SageMaker's shadow tests exclude serverless inference endpoints",
    ),
    (
        "a rolling deployment of several production variants",
        lambda r: {
            "initial_instance_count": 4,
            "variants": [_variant(initial_instance_count=4)],
            "deployment": Deployment.rolling(percent=25, wait=cdk.Duration.minutes(5)),
        },
        r"prop 'deployment': SageMaker's rolling deployments exclude multi-variant endpoints, "
        r"and this one has 2 production variants",
    ),
    (
        "a canary of more instances than a variant's half",
        lambda r: {
            "initial_instance_count": 4,
            "variants": [_variant(initial_instance_count=2)],
            "deployment": Deployment.canary(instances=2, wait=cdk.Duration.minutes(5)),
        },
        r"prop 'deployment': a canary of 2 instances is more than 50% of the variant's 2 "
        r"instances \(variants\[0\].initial_instance_count\)",
    ),
    (
        "a deployment of an endpoint with an Inferentia 1 shadow",
        lambda r: {
            "shadow": _variant("Shadow", instance_type="ml.inf1.xlarge"),
            "deployment": Deployment.all_at_once(wait=cdk.Duration.minutes(5)),
        },
        r"prop 'deployment': SageMaker applies no deployment guardrails to ml.inf1.xlarge",
    ),
    (
        # The shadow tests guide's exclusions: "Endpoints that use Inf1 (Inferentia-based)
        # instances", whose request to set up a shadow test fails validation.
        "a shadow of an endpoint on Inferentia 1",
        lambda r: {"instance_type": "ml.inf1.xlarge", "shadow": _variant("Shadow")},
        r"prop 'instance_type': ml.inf1.xlarge is an Inferentia 1 instance type, and "
        r"SageMaker's shadow tests exclude endpoints that use Inf1 instances",
    ),
    (
        "a shadow on Inferentia 1",
        lambda r: {"shadow": _variant("Shadow", instance_type="ml.inf1.2xlarge")},
        r"ModelEndpoint Test/Endpoint\d+ has 1 problem:\n- prop 'shadow.instance_type': "
        r"ml.inf1.2xlarge is an Inferentia 1 instance type, and SageMaker's shadow tests "
        r"exclude endpoints that use Inf1 instances",
    ),
    (
        "a variant's version of another region",
        lambda r: {
            "variants": [
                _variant(
                    model_package_arn=f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package/c/7"
                )
            ]
        },
        r"prop 'variants\[0\].model_package_arn': a version of region eu-west-1, but the stack "
        r"is in region us-east-1",
    ),
    (
        "a variant's version of another account without a model store",
        lambda r: {"shadow": _variant("Shadow", model_package_arn=CENTRAL_VERSION)},
        r"prop 'shadow.model_store': shadow.model_package_arn is a version of account "
        r"444455556666, whose model data lies in that account's artifact store",
    ),
    (
        "a variant's version of another group than the endpoint's registry",
        lambda r: {
            "registry": r.registry,
            "variants": [_variant(model_package_arn=version(2, "fraud"))],
        },
        r"prop 'variants\[0\].model_package_arn': a version of model package group 'fraud', "
        r"but registry Test/Registry is the group 'churn'",
    ),
    (
        "a variant's version of another group than its registry",
        lambda r: {"variants": [_variant(registry=r.fraud)]},
        r"prop 'variants\[0\].model_package_arn': a version of model package group 'churn', "
        r"but registry Test/Fraud is the group 'fraud'",
    ),
    (
        "a variant's model store of another region",
        lambda r: {"variants": [_variant(model_store=r.other_region_store)]},
        r"prop 'variants\[0\].model_store': ArtifactStore Other/Artifacts is in region "
        r"eu-west-1, the endpoint's stack in region us-east-1",
    ),
    (
        "a volume key for a variant's NVMe storage",
        lambda r: {
            "volume_key": r.store.key,
            "variants": [_variant(instance_type="ml.g5.xlarge")],
        },
        r"prop 'volume_key': ml.g5.xlarge keeps its ML storage on the instance's NVMe store",
    ),
]


@pytest.mark.parametrize(
    ("props", "message"),
    [(props, message) for _, props, message in REFUSED],
    ids=[case for case, _, _ in REFUSED],
)
def test_fails_variants_sagemaker_refuses_naming_the_prop(
    refusals: Refusals, props: Any, message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        refusals.endpoint(**props(refusals))


def test_takes_what_sagemaker_takes_at_the_bounds(refusals: Refusals) -> None:
    # Ten production variants; a variant of another account through the endpoint's store
    # or the group's registry given to it; a weight of 0 beside one above it.
    ten = refusals.endpoint(variants=_nine_variants())
    assert len(ten.variant_names) == 10
    central = refusals.endpoint(
        model_store=refusals.store,
        shadow=_variant("Shadow", model_package_arn=CENTRAL_VERSION, initial_weight=0),
    )
    assert central.variant_names == ("AllTraffic", "Shadow")
    fraud = refusals.endpoint(
        registry=refusals.registry,
        variants=[_variant(model_package_arn=version(2, "fraud"), registry=refusals.fraud)],
    )
    assert [variant.registry for variant in fraud.variants] == [refusals.fraud]
    # A variant on NVMe storage: the configuration takes no key (SageMaker refuses one).
    gpu = refusals.endpoint(variants=[_variant(instance_type="ml.g5.xlarge")])
    assert gpu.cfn_endpoint_config.kms_key_id is None
    # Inferentia 1 excludes shadow tests, not A/B tests.
    inf1 = refusals.endpoint(
        instance_type="ml.inf1.xlarge", variants=[_variant(instance_type="ml.inf1.xlarge")]
    )
    assert inf1.variant_names == ("AllTraffic", "Challenger")


def test_fails_a_variants_registry_of_another_account_not_shared_naming_its_prop() -> None:
    # The central account's registry isn't shared with this one: CloudFormation would fail
    # to create the variant's model. The validation names the prop that gave the registry:
    # the variant's own, or the endpoint's, which a variant without one takes.
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=CENTRAL, region=REGION))
    registry = ModelRegistry(training, "Registry", model_package_group_name="churn")
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Artifacts")
    central = ArtifactStore.from_existing(
        stack,
        "Central",
        bucket=s3.Bucket.from_bucket_name(stack, "CentralBucket", "ml-central-models"),
        key=kms.Key.from_key_arn(stack, "CentralKey", f"arn:aws:kms:{REGION}:{CENTRAL}:key/c"),
    )
    own = ModelEndpoint(
        stack,
        "Own",
        model_package_arn=version(6),
        artifact_store=store,
        variants=[
            EndpointVariant(
                name="Challenger",
                model_package_arn=CENTRAL_VERSION,
                registry=registry,
                model_store=central,
            )
        ],
    )
    inherited = ModelEndpoint(
        stack,
        "Inherited",
        model_package_arn=CENTRAL_VERSION,
        artifact_store=store,
        model_store=central,
        registry=registry,
        shadow=EndpointVariant(
            name="Shadow", model_package_arn=CENTRAL_VERSION.replace("/3", "/4")
        ),
    )
    unshared = f"ModelRegistry Training/Registry (account {CENTRAL}) isn't shared with account"
    assert [message.split(": ", 1)[0] for message in own.node.validate()] == [
        "prop 'variants[0].registry'"
    ]
    assert unshared in own.node.validate()[0]
    # One validation per registry, naming the endpoint's prop.
    assert [message.split(": ", 1)[0] for message in inherited.node.validate()] == [
        "prop 'registry'"
    ]
    registry.share_with_account(ACCOUNT)
    assert own.node.validate() == []
    assert inherited.node.validate() == []


def test_fails_a_metric_of_an_unknown_variant(refusals: Refusals) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/AB.metric\('ModelLatency'\) has 1 problem:\n- argument "
        r"'variant': 'Challnger' is no variant of the endpoint \(its variants: 'AllTraffic', "
        r"'Challenger'\) \(did you mean 'Challenger'\?\)",
    ):
        refusals.ab.metric_model_latency(variant="Challnger")


def test_fails_scaling_an_unknown_variant(refusals: Refusals) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/AB.add_auto_scaling has 1 problem:\n- argument 'variant': "
        r"'Shadow' is no variant of the endpoint",
    ):
        refusals.ab.add_auto_scaling(
            max_capacity=4, target_invocations_per_instance=10, variant="Shadow"
        )


def test_fails_scaling_a_variant_below_its_own_instance_count(refusals: Refusals) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'min_capacity': 3 is more than variant 'Challenger''s "
        r"initial_instance_count 2: the endpoint would be created below the scaler's minimum "
        r"\(give the EndpointVariant initial_instance_count=3, or min_capacity=2\)",
    ):
        refusals.ab.add_auto_scaling(
            min_capacity=3, max_capacity=4, target_invocations_per_instance=10, variant="Challenger"
        )


def test_fails_scaling_a_variant_twice(refusals: Refusals) -> None:
    endpoint = refusals.endpoint(variants=[_variant(initial_instance_count=2)])
    endpoint.add_auto_scaling(
        min_capacity=2, max_capacity=4, target_invocations_per_instance=10, variant="Challenger"
    )
    # The endpoint's own variant is another target.
    endpoint.add_auto_scaling(max_capacity=2, target_invocations_per_instance=10)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"argument 'max_capacity': the variant has a scalable target already .*"
        r"\(add policies to the target it returned \(endpoint.scalable_targets\['Challenger'\]",
    ):
        endpoint.add_auto_scaling(
            max_capacity=4, target_invocations_per_instance=10, variant="Challenger"
        )


# -- cfn-lint (run last in the session: the worker lints while the other tests run) -----------


def test_cfn_lint_finds_nothing_in_the_variants(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    matches = worker.results()["variants"]
    problems = [
        _describe(match) for match in matches if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []
