"""``ModelEndpoint``: a version served by a real-time endpoint (docs/deploying-models.md).

Module-scoped stacks, each synthesized once: a staging endpoint with data capture and an
image repository of its own, a production endpoint of another account deploying a version
of the central registry, and a GPU endpoint (whose NVMe storage takes no KMS key).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    ModelEndpoint,
    ModelRegistry,
    SageMakerPipelineChecks,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, SAGEMAKER_TRUST, logical_id, resource, statements

PROD = "444455556666"
VERSION_3 = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
VERSION_4 = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/4"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
STORE_BUCKET_ARN = {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]}
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/churn-staging"


class Staging:
    """A stack with a store, a registry, and an endpoint of version 3 capturing data."""

    def __init__(self) -> None:
        self.stack = new_stack()
        self.store = ArtifactStore(self.stack, "Artifacts")
        self.registry = ModelRegistry(
            self.stack, "Registry", model_package_group_name="churn", artifact_store=self.store
        )
        self.repository = ecr.Repository.from_repository_name(
            self.stack, "Serving", "churn-serving"
        )
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=self.store,
            registry=self.registry,
            endpoint_name="churn-staging",
            image_repositories=[self.repository],
            data_capture=DataCapture(sampling_percentage=20, csv_content_types=["text/csv"]),
        )
        self.caller = iam.Role(self.stack, "Caller", assumed_by=iam.AccountRootPrincipal())
        self.endpoint.grant_invoke(self.caller)
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def staging() -> Staging:
    return Staging()


def _of_type(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def test_one_model_config_and_endpoint_with_names_only_on_the_endpoint(staging: Staging) -> None:
    template = staging.template
    (model,) = _of_type(template, "AWS::SageMaker::Model").values()
    (config_id, config) = next(iter(_of_type(template, "AWS::SageMaker::EndpointConfig").items()))
    (endpoint,) = _of_type(template, "AWS::SageMaker::Endpoint").values()
    assert model["Properties"] == {
        "ExecutionRoleArn": {"Fn::GetAtt": [logical_id(staging.endpoint.role), "Arn"]},
        "PrimaryContainer": {"ModelPackageName": VERSION_3},
    }
    # Created once the role's policy is attached.
    assert model["DependsOn"] == [logical_id(staging.endpoint.role_policy)]
    # Model and config are named by CloudFormation: a replacement gets a new name.
    assert "ModelName" not in model["Properties"]
    assert "EndpointConfigName" not in config["Properties"]
    assert endpoint["Properties"] == {
        "EndpointName": "churn-staging",
        "EndpointConfigName": {"Fn::GetAtt": [config_id, "EndpointConfigName"]},
    }


def test_the_endpoint_config_encrypts_and_captures_to_the_store(staging: Staging) -> None:
    config = resource(staging.template, logical_id(staging.endpoint.cfn_endpoint_config))
    model_id = logical_id(staging.endpoint.cfn_model)
    assert config["Properties"] == {
        "KmsKeyId": STORE_KEY,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": {"Fn::GetAtt": [model_id, "ModelName"]},
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 1,
            }
        ],
        "DataCaptureConfig": {
            "EnableCapture": True,
            "InitialSamplingPercentage": 20,
            "DestinationS3Uri": {
                "Fn::Join": [
                    "",
                    ["s3://", {"Ref": "ArtifactsBucket88671897"}, "/data-capture/churn-staging/"],
                ]
            },
            "KmsKeyId": STORE_KEY,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
    }
    assert staging.endpoint.data_capture_prefix == "data-capture/churn-staging/"


def test_the_execution_role_is_trusted_by_sagemaker_for_this_account(staging: Staging) -> None:
    role = resource(staging.template, logical_id(staging.endpoint.role))
    assert role["Properties"]["AssumeRolePolicyDocument"] == SAGEMAKER_TRUST


def test_the_execution_role_policy_exactly(staging: Staging) -> None:
    policy = statements(staging.template, staging.endpoint.role_policy)
    assert policy == {
        "EndpointReadsModelArtifacts": {
            "Sid": "EndpointReadsModelArtifacts",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Join": ["", [STORE_BUCKET_ARN, "/models/*"]]},
        },
        "EndpointDecryptsModelArtifacts": {
            "Sid": "EndpointDecryptsModelArtifacts",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": STORE_KEY,
        },
        "PullImages": {
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/churn-serving",
        },
        "AuthenticateToEcr": {
            "Sid": "AuthenticateToEcr",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        "EndpointWritesLogs": {
            "Sid": "EndpointWritesLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": [LOG_GROUP, f"{LOG_GROUP}:log-stream:*"],
        },
        "EndpointPublishesMetrics": {
            "Sid": "EndpointPublishesMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
        },
        "EndpointWritesCapturedData": {
            "Sid": "EndpointWritesCapturedData",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": {"Fn::Join": ["", [STORE_BUCKET_ARN, "/data-capture/churn-staging/*"]]},
        },
        "EndpointEncryptsCapturedData": {
            "Sid": "EndpointEncryptsCapturedData",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": STORE_KEY,
        },
    }
    # A managed policy, nothing inline (NIST's IAMNoInlinePolicy).
    assert _of_type(staging.template, "AWS::IAM::Policy").keys() == {
        logical_id(staging.caller.node.find_child("DefaultPolicy"))
    }


def test_grant_invoke_allows_invoking_this_endpoint_only(staging: Staging) -> None:
    policy = resource(staging.template, logical_id(staging.caller.node.find_child("DefaultPolicy")))
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sagemaker:InvokeEndpoint",
            "Effect": "Allow",
            "Resource": {"Ref": logical_id(staging.endpoint.cfn_endpoint)},
        }
    ]


def test_the_endpoint_is_an_aws_sagemaker_iendpoint(staging: Staging) -> None:
    endpoint = staging.endpoint
    assert staging.stack.resolve(endpoint.endpoint_ref.endpoint_arn) == {
        "Ref": logical_id(endpoint.cfn_endpoint)
    }
    assert staging.stack.resolve(endpoint.endpoint_name) == {
        "Fn::GetAtt": [logical_id(endpoint.cfn_endpoint), "EndpointName"]
    }


def test_cdk_nag_finds_nothing_of_the_endpoint(staging: Staging) -> None:
    # The role's wildcards are acknowledged one by one with their reasons. (The store's
    # replication and the caller's inline grant are the team's to decide.)
    findings = [
        f"{violation.rule_name} {resource.construct_path}"
        for pack in (
            AwsSolutionsChecks(),
            NIST80053R5Checks(),
            HIPAASecurityChecks(),
            PCIDSS321Checks(),
        )
        for violation in pack.validate_scope(staging.stack).violations
        for resource in violation.violating_resources
    ]
    assert findings
    assert [finding for finding in findings if "Test/Endpoint" in finding] == []


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


def _acknowledged(build: Any) -> list[tuple[str, str, str]]:
    import cdk_sagemaker_pipelines.cdk._acknowledge as acknowledge

    recorded = _Recorded()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(acknowledge, "Validations", recorded)
        build()
    return recorded.acknowledged


def test_the_role_wildcards_are_acknowledged_with_their_reasons() -> None:
    acknowledged = [
        (finding, reason)
        for path, finding, reason in _acknowledged(Staging)
        if path == "Test/Endpoint/RolePolicy"
    ]
    assert sorted(finding for finding, _ in acknowledged) == sorted(
        [
            "AwsSolutions-IAM5[Resource::<ArtifactsBucket88671897.Arn>/models/*]",
            "AwsSolutions-IAM5[Resource::*]",
            f"AwsSolutions-IAM5[Resource::{LOG_GROUP}:log-stream:*]",
            "AwsSolutions-IAM5[Resource::<ArtifactsBucket88671897.Arn>/data-capture/"
            "churn-staging/*]",
        ]
    )
    reasons = dict(acknowledged)
    assert reasons["AwsSolutions-IAM5[Resource::<ArtifactsBucket88671897.Arn>/models/*]"] == (
        "execution role of endpoint Test/Endpoint: a registered version's model data is an "
        "object the training job named under models/ at run time; the deploying stack knows "
        "only its version's ARN, so the endpoint's role reads any object under models/ (not "
        "executions/)"
    )


def test_sagemaker_pipeline_checks_are_unaffected() -> None:
    # The definition checks look at pipelines only: an app with an endpoint synthesizes.
    app = new_app()
    cdk.Validations.of(app).add_plugins(SageMakerPipelineChecks(require_network_isolation=True))
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
    )
    assert app.synth().get_stack_by_name("Test").template["Resources"]


# -- A new version: a new endpoint configuration -------------------------------------------


def test_a_new_version_gets_a_new_endpoint_config_logical_id() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    third = ModelEndpoint(stack, "Three", model_package_arn=VERSION_3, artifact_store=store)
    fourth = ModelEndpoint(stack, "Four", model_package_arn=VERSION_4, artifact_store=store)
    ids = [third.cfn_endpoint_config.node.id, fourth.cfn_endpoint_config.node.id]
    assert ids[0] != ids[1]
    assert all(found.startswith("Config") and len(found) == len("Config") + 8 for found in ids)
    # Deterministic: the same version gives the same id in another synth.
    other = new_stack()
    same = ModelEndpoint(
        other, "Three", model_package_arn=VERSION_3, artifact_store=ArtifactStore(other, "A")
    )
    assert same.cfn_endpoint_config.node.id == ids[0]
    assert logical_id(same.cfn_endpoint_config) == logical_id(third.cfn_endpoint_config)


def test_a_version_given_as_a_parameter_keeps_the_config_id() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    version = cdk.CfnParameter(stack, "ModelPackageArn", type="String")
    endpoint = ModelEndpoint(
        stack, "Endpoint", model_package_arn=version.value_as_string, artifact_store=store
    )
    assert endpoint.cfn_endpoint_config.node.id == "Config"
    model = resource(Template.from_stack(stack), logical_id(endpoint.cfn_model))
    assert model["Properties"]["PrimaryContainer"] == {
        "ModelPackageName": {"Ref": "ModelPackageArn"}
    }


# -- Cross-account: production deploys a version of the central registry ---------------------


class Production:
    """The training account's registry shared with production; production's endpoint."""

    def __init__(self) -> None:
        app = new_app()
        training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
        store = ArtifactStore(training, "Artifacts")
        self.registry = ModelRegistry(
            training,
            "Registry",
            model_package_group_name="churn",
            artifact_store=store,
            shared_with_accounts=[PROD],
        )
        self.stack = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD, region=REGION))
        own = ArtifactStore(self.stack, "Artifacts")
        self.central = ArtifactStore.from_existing(
            self.stack,
            "CentralModels",
            bucket=s3.Bucket.from_bucket_name(self.stack, "CentralBucket", "ml-central-models"),
            key=kms.Key.from_key_arn(
                self.stack, "CentralKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"
            ),
        )
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=own,
            model_store=self.central,
            registry=self.registry,
            endpoint_name="churn",
        )
        self.template = Template.from_stack(self.stack)
        self.training = training


@pytest.fixture(scope="module")
def production() -> Production:
    return Production()


def test_production_reads_the_model_from_the_central_store(production: Production) -> None:
    policy = statements(production.template, production.endpoint.role_policy)
    assert policy["EndpointReadsModelArtifacts"]["Resource"] == (
        "arn:aws:s3:::ml-central-models/models/*"
    )
    assert policy["EndpointDecryptsModelArtifacts"]["Resource"] == (
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"
    )


def test_the_central_registry_shares_what_production_needs(production: Production) -> None:
    # The registry's side of the deal, which the endpoint's statements rely on: the group
    # policy lets production describe versions and create models of them, the store lets it
    # read models/ and decrypt through S3.
    template = Template.from_stack(production.training)
    group = template.find_resources("AWS::SageMaker::ModelPackageGroup")
    (properties,) = [entry["Properties"] for entry in group.values()]
    shared = {s["Sid"]: s for s in properties["ModelPackageGroupPolicy"]["Statement"]}
    assert shared["ShareModelVersions"]["Action"] == [
        "sagemaker:DescribeModelPackage",
        "sagemaker:ListModelPackages",
        "sagemaker:CreateModel",
    ]
    assert production.registry.artifact_store is not None
    assert PROD in production.registry.artifact_store._models_shared_with


def test_a_shared_registry_of_the_app_is_not_warned(production: Production) -> None:
    warnings = Annotations.from_stack(production.stack).find_warning(
        "*", Match.string_like_regexp("model-version-of-another-account")
    )
    assert warnings == []


def test_a_version_of_another_account_without_its_registry_is_warned() -> None:
    stack = new_stack(account=PROD)
    central = ArtifactStore.from_existing(
        stack,
        "Central",
        bucket=s3.Bucket.from_bucket_name(stack, "B", "ml-central-models"),
        key=kms.Key.from_key_arn(stack, "K", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"),
    )
    ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        model_store=central,
    )
    warnings = Annotations.from_stack(stack).find_warning(
        "/Test/Endpoint", Match.string_like_regexp("model-version-of-another-account")
    )
    assert len(warnings) == 1
    assert "share_with_account" in str(warnings[0].entry.data)


def test_fails_a_registry_of_another_account_not_shared_with_this_one() -> None:
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    registry = ModelRegistry(training, "Registry", model_package_group_name="churn")
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD, region=REGION))
    central = ArtifactStore.from_existing(
        prod,
        "Central",
        bucket=s3.Bucket.from_bucket_name(prod, "B", "ml-central-models"),
        key=kms.Key.from_key_arn(prod, "K", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"),
    )
    ModelEndpoint(
        prod,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(prod, "Artifacts"),
        model_store=central,
        registry=registry,
    )
    with pytest.raises(Exception, match=r"prop 'registry': ModelRegistry Training/Registry"):
        app.synth()


# -- GPU instances: their NVMe storage takes no key -------------------------------------------


def _gpu() -> ModelEndpoint:
    stack = new_stack()
    return ModelEndpoint(
        stack,
        "Gpu",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        instance_type="ml.g4dn.xlarge",
    )


def test_an_instance_store_type_gets_no_volume_key_and_is_acknowledged() -> None:
    endpoint = _gpu()
    stack = cdk.Stack.of(endpoint)
    config = resource(Template.from_stack(stack), logical_id(endpoint.cfn_endpoint_config))
    assert "KmsKeyId" not in config["Properties"]
    assert [
        finding
        for path, finding, _ in _acknowledged(_gpu)
        if path.startswith("Test/Gpu/") and "SageMaker" in finding
    ] == [
        f"{pack}-SageMakerEndpointConfigurationKMSKeyConfigured"
        for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
    ]
    findings = [
        violation.rule_name
        for pack in (NIST80053R5Checks(), HIPAASecurityChecks(), PCIDSS321Checks())
        for violation in pack.validate_scope(stack).violations
        if "SageMaker" in violation.rule_name
    ]
    assert findings == []


# -- Wrong props fail, naming the construct and the prop --------------------------------------


def _build(**props: Any) -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    ModelEndpoint(
        stack, "Endpoint", **{"model_package_arn": VERSION_3, "artifact_store": store, **props}
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/g"},
            r"ModelEndpoint Test/Endpoint has 1 problem:\n- prop 'model_package_arn': "
            r".* is not the ARN of a registered model version",
        ),
        (
            {"model_package_arn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package/churn/3"},
            r"prop 'model_package_arn': a version of region eu-west-1, but the stack is in "
            r"region us-east-1",
        ),
        (
            {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{PROD}:model-package/churn/3"},
            r"prop 'model_store': model_package_arn is a version of account 444455556666",
        ),
        (
            {"instance_type": "ml.m5.lrge"},
            r"prop 'instance_type': 'ml.m5.lrge' is not an instance type of SageMaker "
            r"real-time endpoints \(did you mean 'ml.m5.large'",
        ),
        ({"initial_instance_count": 0}, r"prop 'initial_instance_count': expected at least 1"),
        ({"endpoint_name": "churn_staging"}, r"prop 'endpoint_name': 'churn_staging' must be"),
        ({"variant_name": ""}, r"prop 'variant_name': '' must be"),
        (
            {"instance_type": "ml.g5.xlarge", "volume_key": "key"},
            r"prop 'volume_key': expected a kms.IKey",
        ),
    ],
)
def test_fails_wrong_props_naming_the_construct_and_prop(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        _build(**props)


def test_fails_a_volume_key_for_an_instance_store_type() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Endpoint has 1 problem:\n- prop 'volume_key': ml.g5.xlarge "
        r"keeps its ML storage on the instance's NVMe store",
    ):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=store,
            instance_type="ml.g5.xlarge",
            volume_key=store.key,
        )


def test_fails_a_version_of_another_group_than_the_registry() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    registry = ModelRegistry(stack, "Registry", model_package_group_name="fraud")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"prop 'model_package_arn': a version of model package group 'churn', but "
        r"registry Test/Registry is the group 'fraud'",
    ):
        ModelEndpoint(
            stack, "Endpoint", model_package_arn=VERSION_3, artifact_store=store, registry=registry
        )


def test_fails_an_artifact_store_of_another_account() -> None:
    app = new_app()
    other = cdk.Stack(app, "Other", env=cdk.Environment(account=PROD, region=REGION))
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(
        PipelineDefinitionError,
        match=r"prop 'artifact_store': ArtifactStore Other/Artifacts is in account 444455556666",
    ):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(other, "Artifacts"),
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sampling_percentage": 101}, r"prop 'sampling_percentage': expected 0-100 percent"),
        ({"sampling_percentage": 2.5}, r"prop 'sampling_percentage': expected a whole number"),
        (
            {"capture_input": False, "capture_output": False},
            r"prop 'capture_output': capture_input and capture_output are both False",
        ),
        ({"csv_content_types": "text/csv"}, r"prop 'csv_content_types': .*write \['text/csv'\]"),
        ({"json_content_types": ["json"]}, r"prop 'json_content_types': 'json': expected"),
    ],
)
def test_fails_wrong_data_capture_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=r"DataCapture has 1 problem:\n- " + message):
        DataCapture(**fields)
