"""``ModelEndpoint``: a version served by a real-time endpoint (docs/deploying-models.md).

Module-scoped stacks, each synthesized once: a staging endpoint with data capture and an
image repository of its own, a production endpoint of another account deploying a version
of the central registry, a GPU endpoint (whose NVMe storage takes no KMS key), and a
private endpoint in a VPC, network-isolated and auto scaled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    ComponentCompute,
    ComponentEndpoint,
    DataCapture,
    Deployment,
    EndpointVariant,
    ModelEndpoint,
    ModelRegistry,
    SageMakerPipelineChecks,
)
from cdk_sagemaker_pipelines.cdk._model_data import ModelDataReader
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
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
    synthesized,
)
from tests.conftest import REPO
from tests.test_docs import code_blocks

GUIDE = REPO / "docs" / "deploying-models.md"
PROD = "444455556666"
VERSION_3 = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
VERSION_4 = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/4"
STORE_KEY = {"Fn::GetAtt": ["ArtifactsKeyA4B22E2B", "Arn"]}
STORE_BUCKET_ARN = {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]}
STORE_BUCKET = {"Ref": "ArtifactsBucket88671897"}
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/churn-staging"
MODEL_DATA = "EndpointModelData24AA9104"
PLATFORM_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


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
    # Created once the role's policy is attached, and the version's approval checked.
    assert model["DependsOn"] == sorted([MODEL_DATA, logical_id(staging.endpoint.role_policy)])
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
            # The version's model data, as the ModelData custom resource finds it.
            "Resource": {"Fn::Split": ["$$", {"Fn::GetAtt": [MODEL_DATA, "ObjectArns"]}]},
        },
        # An uncompressed model (an S3Prefix) is listed before SageMaker reads it: only
        # the served versions' uncompressed models' prefixes, found by the same resource.
        "EndpointListsModelArtifacts": {
            "Sid": "EndpointListsModelArtifacts",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": STORE_BUCKET_ARN,
            "Condition": {
                "StringLike": {
                    "s3:prefix": {"Fn::Split": ["$$", {"Fn::GetAtt": [MODEL_DATA, "ListPrefixes"]}]}
                }
            },
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
    findings = pack_findings(staging.stack)
    assert findings
    assert [finding for finding in findings if "Test/Endpoint" in finding] == []
    # Nor of the model data reader the endpoints of the stack share.
    assert [finding for finding in findings if f"Test/{READER}" in finding] == []


# -- The model data the role reads: the served version's, found at deploy time -----------

READER = "SageMakerModelDataReader"
DESCRIBE_SID = "DescribeServedVersions"


def test_the_model_data_resource_reads_the_served_version_in_its_store(staging: Staging) -> None:
    reader = ModelDataReader.of(staging.endpoint)
    assert resource(staging.template, MODEL_DATA) == {
        "Type": "Custom::ModelDataLocations",
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": [logical_id(reader.function), "Arn"]},
            "ServiceTimeout": "300",
            # The version and the bucket of the store holding it: model data elsewhere
            # fails the deploy, and so does any outside models/ and sealed/; and so does
            # a version that isn't approved (the endpoint's own variant answers callers).
            "Versions": [
                {"ModelPackageArn": VERSION_3, "Bucket": STORE_BUCKET, "Require": "Approved"}
            ],
            "Prefixes": ["models/", "sealed/"],
            "Partition": {"Ref": "AWS::Partition"},
        },
        # Called once the function may describe the version.
        "DependsOn": [logical_id(reader.policy)],
        "UpdateReplacePolicy": "Delete",
        "DeletionPolicy": "Delete",
    }


def test_the_reader_may_describe_the_served_groups_versions_and_log_only(
    staging: Staging,
) -> None:
    reader = ModelDataReader.of(staging.endpoint)
    assert reader.node.path == f"Test/{READER}"
    policy = statements(staging.template, reader.policy)
    (describe,) = [sid for sid in policy if sid.startswith(DESCRIBE_SID)]
    assert policy == {
        "WriteOwnLogs": {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [logical_id(reader.logs), "Arn"]},
        },
        # Any version of the group: an update describes the version served before too.
        describe: {
            "Sid": describe,
            "Effect": "Allow",
            "Action": "sagemaker:DescribeModelPackage",
            "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/*",
        },
        # Whether an update that fails a version's approval is a rollback (let through).
        "DescribeOwnStack": {
            "Sid": "DescribeOwnStack",
            "Effect": "Allow",
            "Action": "cloudformation:DescribeStacks",
            "Resource": {"Ref": "AWS::StackId"},
        },
    }
    role = resource(staging.template, logical_id(reader.role))["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "ManagedPolicyArns" not in role
    assert "Policies" not in role
    function = resource(staging.template, logical_id(reader.function))["Properties"]
    assert (function["Runtime"], function["Handler"], function["Timeout"]) == (
        "python3.14",
        "index.handler",
        60,
    )
    assert function["Role"] == {"Fn::GetAtt": [logical_id(reader.role), "Arn"]}
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": logical_id(reader.logs)}}


def test_the_construct_splits_what_the_function_joins() -> None:
    from cdk_sagemaker_pipelines.cdk._model_data import FUNCTION_CODE
    from cdk_sagemaker_pipelines.definition import _model_data_locations as shape
    from tests.test_model_data_function import load

    index = load()
    assert (index.ATTRIBUTE, index.LIST_ATTRIBUTE, index.DELIMITER, index.NO_LIST_PREFIX) == (
        shape.ATTRIBUTE,
        shape.LIST_ATTRIBUTE,
        shape.DELIMITER,
        shape.NO_LIST_PREFIX,
    )
    assert Path(FUNCTION_CODE) == Path(index.__file__).parent


def test_a_version_given_as_a_parameter_is_described_by_its_group() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    version = cdk.CfnParameter(stack, "ModelPackageArn", type="String")
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=version.value_as_string,
        artifact_store=ArtifactStore(stack, "Artifacts"),
    )
    template = Template.from_stack(stack)
    model_data = resource(template, logical_id(endpoint.node.find_child("ModelData")))
    assert model_data["Properties"]["Versions"] == [
        {
            "ModelPackageArn": {"Ref": "ModelPackageArn"},
            "Bucket": STORE_BUCKET,
            "Require": "Approved",
        }
    ]
    reader = ModelDataReader.of(endpoint)
    (describe,) = [
        s for sid, s in statements(template, reader.policy).items() if sid.startswith(DESCRIBE_SID)
    ]
    parts = {"Fn::Split": ["/", {"Ref": "ModelPackageArn"}]}
    assert describe["Resource"] == {
        "Fn::Join": [
            "",
            [{"Fn::Select": [0, parts]}, "/", {"Fn::Select": [1, parts]}, "/*"],
        ]
    }
    # Its wildcard is acknowledged, with its reason.
    assert [f for f in pack_findings(stack) if f"Test/{READER}" in f or "Test/Endpoint" in f] == []


def test_the_endpoints_of_a_stack_share_one_reader() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    third = ModelEndpoint(stack, "Three", model_package_arn=VERSION_3, artifact_store=store)
    fourth = ModelEndpoint(stack, "Four", model_package_arn=VERSION_4, artifact_store=store)
    assert ModelDataReader.of(third) is ModelDataReader.of(fourth)
    template = Template.from_stack(stack)
    assert len(_of_type(template, "AWS::Lambda::Function")) == 1
    assert len(_of_type(template, "Custom::ModelDataLocations")) == 2
    # One statement each: an endpoint removed takes its own along.
    policy = statements(template, ModelDataReader.of(third).policy)
    assert len([sid for sid in policy if sid.startswith(DESCRIBE_SID)]) == 2


# -- Approval: the served versions' ModelApprovalStatus, checked at deploy time ------------


def _requirements(template: Template, endpoint: ModelEndpoint) -> list[tuple[Any, str]]:
    """Each version of the endpoint's ``ModelData``, and what it requires."""
    model_data = resource(template, logical_id(endpoint.node.find_child("ModelData")))
    return [(v["ModelPackageArn"], v["Require"]) for v in model_data["Properties"]["Versions"]]


def test_require_approval_false_serves_any_version() -> None:
    # A dev environment serving what its pipeline just registered: nothing is required,
    # but the reader still reads its stack's status: a rollback to a version deleted since
    # completes only if the reader can tell it is one.
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    endpoint = ModelEndpoint(
        stack,
        "Dev",
        model_package_arn=VERSION_3,
        artifact_store=store,
        require_approval=False,
        shadow=EndpointVariant(name="Shadow", model_package_arn=VERSION_4),
    )
    assert endpoint.require_approval is False
    template = Template.from_stack(stack)
    assert _requirements(template, endpoint) == [(VERSION_3, "None"), (VERSION_4, "None")]
    assert "DescribeOwnStack" in statements(template, ModelDataReader.of(endpoint).policy)


def test_the_reader_describes_its_stack_once_for_every_endpoint_requiring_approval() -> None:
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    dev = ModelEndpoint(
        stack, "Dev", model_package_arn=VERSION_3, artifact_store=store, require_approval=False
    )
    approved = [
        ModelEndpoint(stack, name, model_package_arn=VERSION_4, artifact_store=store)
        for name in ("Staging", "Prod")
    ]
    template = Template.from_stack(stack)
    assert _requirements(template, dev) == [(VERSION_3, "None")]
    assert [_requirements(template, each) for each in approved] == [[(VERSION_4, "Approved")]] * 2
    policy = statements(template, ModelDataReader.of(dev).policy)
    assert [sid for sid in policy if sid == "DescribeOwnStack"] == ["DescribeOwnStack"]


def test_a_version_served_by_production_and_shadow_requires_approval() -> None:
    # One entry per version and store: the stricter requirement, production's, holds.
    stack = new_stack()
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        shadow=EndpointVariant(name="Shadow", model_package_arn=VERSION_3),
    )
    assert _requirements(Template.from_stack(stack), endpoint) == [(VERSION_3, "Approved")]


def test_the_guides_dev_endpoint_requires_nothing() -> None:
    stack = new_stack()
    guide = _guide_functions("def add_dev_endpoint_of_any_status(")
    endpoint = guide["add_dev_endpoint_of_any_status"](
        stack, ArtifactStore(stack, "Artifacts"), VERSION_3
    )
    assert _requirements(Template.from_stack(stack), endpoint) == [(VERSION_3, "None")]


def test_fails_a_require_approval_that_isnt_a_bool() -> None:
    stack = new_stack()
    with pytest.raises(PipelineDefinitionError, match="require_approval"):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(stack, "Artifacts"),
            require_approval="yes",  # type: ignore[arg-type]
        )


def test_the_readers_logs_are_kept_as_long_as_the_stores_it_reads() -> None:
    # They record which model data each deployment let the endpoints read: kept as long as
    # the most kept of the stores whose versions the stack serves, in whatever order.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stores = {
        "Destroyed": [cdk.RemovalPolicy.DESTROY],
        "Kept": [cdk.RemovalPolicy.RETAIN],
        "KeptThenDestroyed": [cdk.RemovalPolicy.RETAIN, cdk.RemovalPolicy.DESTROY],
    }
    stacks = {name: cdk.Stack(app, name, env=env) for name in stores}
    for name, policies in stores.items():
        for index, policy in enumerate(policies):
            store = ArtifactStore(stacks[name], f"Store{index}", removal_policy=policy)
            ModelEndpoint(
                stacks[name], f"Endpoint{index}", model_package_arn=VERSION_3, artifact_store=store
            )
    retention = {}
    for name, stack in stacks.items():
        logs = resource(Template.from_stack(stack), logical_id(ModelDataReader.of(stack).logs))
        retention[name] = (logs["DeletionPolicy"], logs["UpdateReplacePolicy"])
    assert retention == {
        "Destroyed": ("Delete", "Delete"),
        "Kept": ("RetainExceptOnCreate", "Retain"),
        "KeptThenDestroyed": ("RetainExceptOnCreate", "Retain"),
    }


def test_the_readers_logs_are_encrypted_with_the_stores_key_for_that_group_only(
    staging: Staging,
) -> None:
    # As the sealing function's: the record of what each deployment let the endpoints read
    # is no more readable than the store's own records.
    reader = ModelDataReader.of(staging.endpoint)
    logs = resource(staging.template, logical_id(reader.logs))["Properties"]
    name = logs["LogGroupName"]
    assert name.startswith(f"/aws/lambda/Test{READER}")
    assert logs["KmsKeyId"] == STORE_KEY
    key_policy = resource(staging.template, logical_id(staging.store.key))["Properties"]
    grants = [
        entry
        for entry in key_policy["KeyPolicy"]["Statement"]
        if entry.get("Sid", "").startswith("CloudWatchLogsEncryptsModelDataReaderLogs")
    ]
    assert [(grant["Principal"], grant["Condition"]) for grant in grants] == [
        (
            {"Service": f"logs.{REGION}.amazonaws.com"},
            {
                "ArnEquals": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:"
                    f"log-group:{name}"
                }
            },
        )
    ]


def test_the_readers_logs_are_left_to_cloudwatch_logs_with_an_imported_key() -> None:
    # An imported key's policy is its owner's: naming it would fail the group's creation
    # unless that policy lets CloudWatch Logs use it, which synth can't see or add.
    stack = new_stack()
    key = kms.Key.from_key_arn(
        stack, "PlatformKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{PLATFORM_KEY_ID}"
    )
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "PlatformBucket", bucket_name="platform-models", encryption_key=key
    )
    store = ArtifactStore.from_existing(stack, "Adopted", bucket=bucket, key=key)
    endpoint = ModelEndpoint(stack, "Endpoint", model_package_arn=VERSION_3, artifact_store=store)
    reader = ModelDataReader.of(endpoint)
    logs = resource(Template.from_stack(stack), logical_id(reader.logs))["Properties"]
    assert "KmsKeyId" not in logs
    assert [finding for finding in pack_findings(stack) if f"Test/{READER}" in finding] == []


def test_fails_creating_the_reader_without_the_store_whose_key_encrypts_its_logs() -> None:
    with pytest.raises(PipelineDefinitionError, match="give the store whose key encrypts"):
        ModelDataReader.of(new_stack())


def test_fails_a_stack_child_taking_the_readers_id() -> None:
    stack = new_stack()
    Construct(stack, READER)
    with pytest.raises(
        PipelineDefinitionError,
        match=f"Test/Endpoint: the stack's child '{READER}' is not the model data reader",
    ):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(stack, "Artifacts"),
        )


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
    # No models/* nor sealed/* of the store: the version's model data is read exactly.
    assert sorted(finding for finding, _ in acknowledged) == sorted(
        [
            "AwsSolutions-IAM5[Resource::*]",
            f"AwsSolutions-IAM5[Resource::{LOG_GROUP}:log-stream:*]",
            "AwsSolutions-IAM5[Resource::<ArtifactsBucket88671897.Arn>/data-capture/"
            "churn-staging/*]",
        ]
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
    model_data = logical_id(production.endpoint.node.find_child("ModelData"))
    assert policy["EndpointReadsModelArtifacts"]["Resource"] == {
        "Fn::Split": ["$$", {"Fn::GetAtt": [model_data, "ObjectArns"]}]
    }
    # The version's model data must be in the central store's bucket.
    properties = resource(production.template, model_data)["Properties"]
    assert properties["Versions"] == [
        {"ModelPackageArn": VERSION_3, "Bucket": "ml-central-models", "Require": "Approved"}
    ]
    assert policy["EndpointListsModelArtifacts"]["Resource"] == "arn:aws:s3:::ml-central-models"
    assert policy["EndpointListsModelArtifacts"]["Condition"] == {
        "StringLike": {
            "s3:prefix": {"Fn::Split": ["$$", {"Fn::GetAtt": [model_data, "ListPrefixes"]}]}
        }
    }
    assert policy["EndpointDecryptsModelArtifacts"]["Resource"] == (
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"
    )


def test_a_central_key_read_as_model_store_only_is_warned_of_decrypting(
    production: Production,
) -> None:
    # The endpoint's role only reads models through S3: the key's owner needs to allow
    # Decrypt and DescribeKey, not what the pipelines' jobs need to encrypt.
    (warning,) = Annotations.from_stack(production.stack).find_warning(
        "/Prod/CentralModels", Match.string_like_regexp("key-of-another-account")
    )
    message = str(warning.entry.data)
    assert message.startswith(
        f"prop 'key': arn:aws:kms:{REGION}:{ACCOUNT}:key/central is in account {ACCOUNT}, "
        f"this stack in {PROD}: the execution role of ModelEndpoint Prod/Endpoint "
        "(model_store) gets an identity policy to read the model data with it"
    )
    assert "kms:Decrypt and kms:DescribeKey" in message
    assert "pipelines' roles" not in message
    assert "kms:Encrypt" not in message
    assert "kms:CreateGrant" not in message


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


def _guide_functions(marker: str) -> dict[str, Any]:
    """The deploying-models guide's Python block containing ``marker``, executed."""
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if marker in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:{marker}", "exec"), namespace)
    return namespace


def test_the_guides_cross_account_and_approval_examples_synthesize() -> None:
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD, region=REGION))
    central = _guide_functions("def add_central_registry(")
    registry = central["add_central_registry"](training, ArtifactStore(training, "Artifacts"))
    assert central["PROD_ACCOUNT"] == PROD
    endpoint = central["add_production_endpoint"](
        prod, VERSION_3, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"
    )
    assert endpoint.model_store is not endpoint.artifact_store
    project = codebuild.Project(
        training,
        "DeployStaging",
        build_spec=codebuild.BuildSpec.from_object({"version": "0.2", "phases": {}}),
    )
    _guide_functions("def deploy_on_approval(")["deploy_on_approval"](registry, project)
    # What the guide says production is warned of: the central key's policy and the
    # registry's sharing, which synth can't see from the production stack. (Read first:
    # the training template below is then this synthesis's, one synthesis, not two.)
    warnings = Annotations.from_stack(prod).find_warning("*", Match.any_value())
    assert sorted(str(w.entry.data).rsplit("[ack: ", 1)[1] for w in warnings) == [
        "cdk-sagemaker-pipelines:key-of-another-account]",
        "cdk-sagemaker-pipelines:model-version-of-another-account]",
    ]
    (rule,) = Template.from_stack(training).find_resources("AWS::Events::Rule").values()
    (target,) = rule["Properties"]["Targets"]
    # The build gets the approved version's ARN as an environment variable.
    assert target["InputTransformer"] == {
        "InputPathsMap": {"detail-ModelPackageArn": "$.detail.ModelPackageArn"},
        "InputTemplate": '{"environmentVariablesOverride":[{"name":"MODEL_PACKAGE_ARN",'
        '"type":"PLAINTEXT","value":<detail-ModelPackageArn>}]}',
    }


def test_the_guides_context_lookup_gives_none_for_an_environment_without_a_version() -> None:
    app = new_app(**{"model_package_arn:staging": VERSION_3})
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if "try_get_context" in b]
    found: dict[str, str | None] = {}
    for stage in ("staging", "prod"):
        namespace: dict[str, Any] = {"stack": cdk.Stack(cdk.Stage(app, stage), "MlOps")}
        exec(compile(block, f"{GUIDE.name}:try_get_context", "exec"), namespace)
        found[namespace["environment"]] = namespace["arn"]
    assert found == {"staging": VERSION_3, "prod": None}


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


def _dev_endpoint_of_the_training_registry(*, model_store_is_the_registrys: bool) -> cdk.Stack:
    """A dev stack of the training account serving a version of the training stack's registry."""
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    training = cdk.Stack(app, "Training", env=env)
    store = ArtifactStore(training, "Artifacts")
    registry = ModelRegistry(
        training, "Registry", model_package_group_name="churn", artifact_store=store
    )
    dev = cdk.Stack(app, "Dev", env=env)
    ModelEndpoint(
        dev,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(dev, "Artifacts"),
        registry=registry,
        model_store=store if model_store_is_the_registrys else None,
    )
    return dev


def test_a_model_store_other_than_the_registrys_is_warned() -> None:
    # The role would read models/ of the dev store, where the registry's pipelines never
    # wrote: CreateEndpoint would fail, unable to download the model, long after synth.
    stack = _dev_endpoint_of_the_training_registry(model_store_is_the_registrys=False)
    warnings = Annotations.from_stack(stack).find_warning(
        "/Dev/Endpoint", Match.string_like_regexp("model-store-not-the-registrys")
    )
    assert len(warnings) == 1
    message = str(warnings[0].entry.data)
    assert message.startswith("prop 'model_store': the execution role reads")
    assert "ArtifactStore Dev/Artifacts (artifact_store)" in message
    assert "registry Training/Registry keeps its versions' models in ArtifactStore " in message
    assert "Training/Artifacts" in message


def test_the_registrys_own_store_as_model_store_is_not_warned() -> None:
    stack = _dev_endpoint_of_the_training_registry(model_store_is_the_registrys=True)
    assert not Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("model-store-not-the-registrys")
    )


def test_fails_a_version_of_the_local_runners_registry() -> None:
    # As `smpipe registry list` shows it: an environment-agnostic stack can't judge its
    # region, and CloudFormation would fail to create the model at deploy time.
    stack = new_stack(account=None, region=None)
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Endpoint has 1 problem:\n- prop 'model_package_arn': "
        r"'arn:aws:sagemaker:local:000000000000:model-package/churn/1' is a version of the "
        r"local runner's registry \(smpipe registry\), which SageMaker doesn't have \(deploy "
        r"the version registered in AWS: .*--model-package-group-name churn",
    ):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn="arn:aws:sagemaker:local:000000000000:model-package/churn/1",
            artifact_store=ArtifactStore(stack, "Artifacts"),
        )


def test_a_role_imported_immutable_is_left_untouched_with_the_policies_named() -> None:
    # mutable=False says the role's policies are managed elsewhere (a landing zone's role,
    # a deployment without iam:AttachRolePolicy): attaching anyway changed it, as the
    # Pipeline doesn't.
    stack = new_stack()
    role = iam.Role.from_role_arn(
        stack, "Platform", f"arn:aws:iam::{ACCOUNT}:role/ml/endpoint", mutable=False
    )
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        role=role,
        deployment=Deployment.all_at_once(wait=cdk.Duration.minutes(5)),
    )
    endpoint.add_rollback_alarm(
        endpoint.metric_invocation_5xx_errors(new_fleet_only=True).create_alarm(
            stack, "Errors", threshold=0.01, evaluation_periods=3
        )
    )
    template, annotations = synthesized(stack)  # one synthesis
    assert endpoint.rollback_alarms_policy is not None
    for policy in (endpoint.role_policy, endpoint.rollback_alarms_policy):
        properties = resource(template, logical_id(policy))["Properties"]
        assert "Roles" not in properties
        assert properties["PolicyDocument"]["Statement"]  # still derived, for whoever attaches
    # The model still runs as that role.
    model = resource(template, logical_id(endpoint.cfn_model))["Properties"]
    assert model["ExecutionRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/ml/endpoint"
    warnings = [
        str(found.entry.data)
        for found in annotations.find_warning(
            "/Test/Endpoint", Match.string_like_regexp("immutable-role")
        )
    ]
    assert [w.split(", not attached")[0] for w in warnings] == [
        "prop 'role' was imported with mutable=False (or without_policy_updates()), so what "
        "the endpoint's model reads and writes is in managed policy Test/Endpoint/RolePolicy",
        "prop 'role' was imported with mutable=False (or without_policy_updates()), so the "
        "description of the rollback alarms (cloudwatch:DescribeAlarms) is in managed policy "
        "Test/Endpoint/RollbackAlarmsPolicy",
    ]
    assert all(w.endswith("[ack: cdk-sagemaker-pipelines:immutable-role]") for w in warnings)


def test_a_role_imported_mutable_gets_the_policy_attached_without_a_warning() -> None:
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Platform", f"arn:aws:iam::{ACCOUNT}:role/ml/endpoint")
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        role=role,
    )
    template, annotations = synthesized(stack)  # one synthesis
    assert resource(template, logical_id(endpoint.role_policy))["Properties"]["Roles"] == [
        "endpoint"
    ]
    annotations.has_no_warning("*", Match.string_like_regexp("mutable=False"))


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


def test_fails_a_stack_account_that_is_no_account_id_naming_its_env() -> None:
    # An 11-digit env= account was taken for another account: synth failed with the hint
    # share_with_account('<11 digits>'), which fails in turn. The stack's env= is the fix.
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    registry = ModelRegistry(
        training, "Registry", model_package_group_name="churn", shared_with_accounts=[PROD]
    )
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD[:11], region=REGION))
    central = ArtifactStore.from_existing(
        prod,
        "Central",
        bucket=s3.Bucket.from_bucket_name(prod, "B", "ml-central-models"),
        key=kms.Key.from_key_arn(prod, "K", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"),
    )
    with pytest.raises(PipelineDefinitionError) as raised:
        ModelEndpoint(
            prod,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(prod, "Artifacts"),
            model_store=central,
            registry=registry,
        )
    message = str(raised.value)
    assert f"stack Prod names account '{PROD[:11]}' (its env=)" in message
    assert "not a 12-digit account id" in message
    assert "share_with_account" not in message


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


def test_an_instance_type_known_at_deploy_time_is_warned_unless_only_ebs_types_are_allowed():
    # For a literal NVMe type the config leaves KmsKeyId out; a CfnParameter can't be
    # judged at synth, and CreateEndpointConfig refuses KmsKeyId (and VolumeSizeInGB) for
    # such a type at deploy. A parameter allowing EBS types only can't become one.
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    open_type = cdk.CfnParameter(stack, "InstanceType", type="String")
    ebs_only = cdk.CfnParameter(
        stack, "EbsType", type="String", allowed_values=["ml.m5.large", "ml.c5.xlarge"]
    )
    with_gpu = cdk.CfnParameter(
        stack, "GpuType", type="String", allowed_values=["ml.m5.large", "ml.g5.xlarge"]
    )
    for name, parameter, volume_size in (
        ("Open", open_type, 30),
        ("EbsOnly", ebs_only, None),
        ("WithGpu", with_gpu, None),
    ):
        ModelEndpoint(
            stack,
            name,
            model_package_arn=VERSION_3,
            artifact_store=store,
            instance_type=parameter.value_as_string,
            volume_size_in_gb=volume_size,
        )
    ComponentEndpoint(
        stack, "Components", artifact_store=store, instance_type=open_type.value_as_string
    ).add_component(
        "Model",
        model_package_arn=VERSION_4,
        compute=ComponentCompute(min_memory_required_in_mb=1024),
    )
    annotations = Annotations.from_stack(stack)
    warned = {
        warning.id: str(warning.entry.data)
        for warning in annotations.find_warning(
            "*", Match.string_like_regexp("deploy-time-instance-type")
        )
    }
    assert sorted(warned) == ["/Test/Components", "/Test/Open", "/Test/WithGpu"]
    assert warned["/Test/Open"].startswith(
        "prop 'instance_type' is known at deploy time only (a CfnParameter or another token): "
        "the endpoint configuration names KmsKeyId and VolumeSizeInGB, which "
        "CreateEndpointConfig refuses for an instance type whose ML storage is its NVMe "
        "instance store"
    )
    assert warned["/Test/WithGpu"].startswith(
        "prop 'instance_type' is known at deploy time only (CfnParameter GpuType allows "
        "ml.g5.xlarge): the endpoint configuration names KmsKeyId,"
    )
    assert warned["/Test/Components"].startswith(
        "prop 'instance_type' is known at deploy time only (a CfnParameter or another token): "
        "the endpoint configuration names KmsKeyId,"
    )


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


def test_fails_a_model_store_created_in_a_stack_of_another_account() -> None:
    # The training stack's own store given to production: CDK would fail with jsii's
    # CannotUseCrossEnvironment, naming no prop (the bucket and key have no physical name).
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(training, "Artifacts")
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD, region=REGION))
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Prod/Endpoint has 1 problem:\n- prop 'model_store': ArtifactStore "
        r"Training/Artifacts is created in stack Training \(account 111122223333\), the "
        r"endpoint's stack is in account 444455556666: .* \(adopt the store in the endpoint's "
        r"stack .*model_store=ArtifactStore.from_existing\(self, ",
    ):
        ModelEndpoint(
            prod,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(prod, "Artifacts"),
            model_store=store,
        )


@pytest.mark.parametrize("agnostic", ["Training", "Prod"])
def test_a_model_store_across_an_environment_agnostic_stack_says_so(agnostic: str) -> None:
    # CDK refuses the reference all the same; the message must not show a token as an
    # account ('${Token[AWS.AccountId.7]}') nor call an agnostic stack another account's.
    app = new_app()
    env = {
        name: None if name == agnostic else cdk.Environment(account=ACCOUNT, region=REGION)
        for name in ("Training", "Prod")
    }
    store = ArtifactStore(cdk.Stack(app, "Training", env=env["Training"]), "Artifacts")
    prod = cdk.Stack(app, "Prod", env=env["Prod"])
    fixed = f"account {ACCOUNT}, region {REGION}"
    unfixed = "no fixed account or region (environment-agnostic)"
    ours, theirs = (unfixed, fixed) if agnostic == "Prod" else (fixed, unfixed)
    with pytest.raises(PipelineDefinitionError) as raised:
        ModelEndpoint(
            prod,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(prod, "Artifacts"),
            model_store=store,
        )
    message = str(raised.value)
    assert "${Token" not in message
    assert (
        f"ArtifactStore Training/Artifacts is created in stack Training ({theirs}), the "
        f"endpoint's stack is in {ours}: CloudFormation refers to another environment's "
        "bucket and key by their physical names only" in message
    )


def test_a_model_store_adopted_in_a_stack_of_another_account_by_name_is_taken() -> None:
    # Imported by name and ARN, the bucket and key need no reference across accounts.
    app = new_app()
    training = cdk.Stack(app, "Training", env=cdk.Environment(account=ACCOUNT, region=REGION))
    central = ArtifactStore.from_existing(
        training,
        "Central",
        bucket=s3.Bucket.from_bucket_name(training, "B", "ml-central-models"),
        key=kms.Key.from_key_arn(training, "K", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/central"),
    )
    prod = cdk.Stack(app, "Prod", env=cdk.Environment(account=PROD, region=REGION))
    endpoint = ModelEndpoint(
        prod,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(prod, "Artifacts"),
        model_store=central,
    )
    assert endpoint.model_store is central


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sampling_percentage": 101}, r"prop 'sampling_percentage': expected 0-100 percent"),
        ({"sampling_percentage": 2.5}, r"prop 'sampling_percentage': expected a whole number"),
        (
            {"sampling_percentage": 0.2},
            r"prop 'sampling_percentage': expected a whole number of percent, 0-100, got float "
            r"0.2 \(sampling_percentage=20 for 20% of requests\)$",
        ),
        (
            {"capture_input": False, "capture_output": False},
            r"prop 'capture_output': capture_input and capture_output are both False",
        ),
        ({"csv_content_types": "text/csv"}, r"prop 'csv_content_types': .*write \['text/csv'\]"),
        ({"json_content_types": ["json"]}, r"prop 'json_content_types': 'json': expected"),
        (
            {"csv_content_types": [f"text/csv-{n}" for n in range(11)]},
            r"prop 'csv_content_types': 11 content types, more than SageMaker's 10$",
        ),
    ],
)
def test_fails_wrong_data_capture_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=r"DataCapture has 1 problem:\n- " + message):
        DataCapture(**fields)


def test_data_capture_takes_ten_content_types_of_each_kind() -> None:
    csv = [f"text/csv-{n}" for n in range(10)]
    json_types = [f"application/json-{n}" for n in range(10)]
    capture = DataCapture(csv_content_types=csv, json_content_types=json_types)
    assert (capture.csv_content_types, capture.json_content_types) == (
        tuple(csv),
        tuple(json_types),
    )


# -- In a VPC, network-isolated, auto scaled ---------------------------------------------------

SUBNETS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"]
SCALING_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling."
    "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def _private_vpc(stack: cdk.Stack, *, public: bool = False, zones: int = 2) -> ec2.IVpc:
    """An imported VPC of two private subnets (and two public ones if ``public``)."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a", "us-east-1b"][:zones],
        private_subnet_ids=SUBNETS[:zones],
        private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60711", "rtb-0a1b2c3d4e5f60722"][:zones],
        public_subnet_ids=["subnet-0a1b2c3d4e5f60733", "subnet-0a1b2c3d4e5f60744"][:zones]
        if public
        else None,
        public_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60733", "rtb-0a1b2c3d4e5f60744"][:zones]
        if public
        else None,
    )


class Private:
    """Two instances in private subnets, isolated, scaled between 2 and 6 instances."""

    def __init__(self) -> None:
        self.stack = new_stack()
        self.endpoint = ModelEndpoint(
            self.stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(self.stack, "Artifacts"),
            endpoint_name="churn",
            initial_instance_count=2,
            vpc=_private_vpc(self.stack),
            enable_network_isolation=True,
        )
        self.target = self.endpoint.add_auto_scaling(
            min_capacity=2,
            max_capacity=6,
            target_invocations_per_instance=100,
            scale_in_cooldown=cdk.Duration.minutes(10),
        )
        self.template = Template.from_stack(self.stack)
        self.group = logical_id(self.endpoint.node.find_child("SecurityGroup"))


@pytest.fixture(scope="module")
def private() -> Private:
    return Private()


def test_the_model_gets_the_vpc_config_and_network_isolation(private: Private) -> None:
    model = resource(private.template, logical_id(private.endpoint.cfn_model))
    assert model["Properties"] == {
        "ExecutionRoleArn": {"Fn::GetAtt": [logical_id(private.endpoint.role), "Arn"]},
        "PrimaryContainer": {"ModelPackageName": VERSION_3},
        "VpcConfig": {
            "SecurityGroupIds": [{"Fn::GetAtt": [private.group, "GroupId"]}],
            "Subnets": SUBNETS,
        },
        "EnableNetworkIsolation": True,
    }
    assert private.endpoint.security_groups == [private.endpoint.node.find_child("SecurityGroup")]


HTTPS_OUT = {
    "CidrIp": "0.0.0.0/0",
    "Description": "HTTPS: AWS endpoints, S3, package indexes",
    "FromPort": 443,
    "IpProtocol": "tcp",
    "ToPort": 443,
}


def test_the_created_security_group_admits_nothing_inbound_and_sends_https_only(
    private: Private,
) -> None:
    # Secure by default: all outbound traffic (aws-cdk-lib's default) was the one open
    # door a landing-zone review found; HTTPS reaches S3, the endpoints and package indexes.
    group = resource(private.template, private.group)
    assert group["Properties"] == {
        "GroupDescription": "Model containers of a SageMaker endpoint (no inbound rules)",
        "SecurityGroupEgress": [HTTPS_OUT],
        "VpcId": "vpc-0a1b2c3d4e5f60718",
    }
    assert _of_type(private.template, "AWS::EC2::SecurityGroupIngress") == {}
    assert _of_type(private.template, "AWS::EC2::SecurityGroupEgress") == {}


def _endpoint_in(stack: cdk.Stack, vpc: ec2.IVpc, **props: Any) -> ModelEndpoint:
    return ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        vpc=vpc,
        **props,
    )


def test_allow_all_outbound_restores_the_group_that_sends_anything() -> None:
    stack = new_stack()
    endpoint = _endpoint_in(stack, _private_vpc(stack), allow_all_outbound=True)
    group = resource(Template.from_stack(stack), logical_id(endpoint.security_groups[0]))
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "Allow all outbound traffic by default",
            "IpProtocol": "-1",
        }
    ]


def test_the_created_group_sends_https_over_ipv6_too_in_a_dual_stack_vpc() -> None:
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", ip_protocol=ec2.IpProtocol.DUAL_STACK, nat_gateways=0)
    endpoint = _endpoint_in(stack, vpc)
    group = resource(Template.from_stack(stack), logical_id(endpoint.security_groups[0]))
    assert group["Properties"]["SecurityGroupEgress"] == [
        HTTPS_OUT,
        {**{k: v for k, v in HTTPS_OUT.items() if k != "CidrIp"}, "CidrIpv6": "::/0"},
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"allow_all_outbound": "yes"}, "expected True or False, got str 'yes' (write True)"),
        (
            {"allow_all_outbound": True, "security_groups": "given"},
            "applies to the security group the construct creates, and it creates none with "
            "security_groups=",
        ),
    ],
)
def test_fails_an_allow_all_outbound_that_is_no_flag_or_would_be_ignored(
    props: dict[str, Any], message: str
) -> None:
    stack = new_stack()
    if props.get("security_groups") == "given":
        props["security_groups"] = [
            ec2.SecurityGroup.from_security_group_id(stack, "Serving", "sg-0a1b2c3d4e5f60755")
        ]
    with pytest.raises(PipelineDefinitionError) as raised:
        _endpoint_in(stack, _private_vpc(stack), **props)
    assert f"prop 'allow_all_outbound': {message}" in str(raised.value)


def test_fails_a_security_group_the_app_created_for_another_vpc() -> None:
    # SageMaker takes the group at deploy and fails the endpoint when its instances start.
    stack = new_stack()
    serving = ec2.Vpc(stack, "Serving", max_azs=2, nat_gateways=0)
    other = ec2.Vpc(stack, "Other", max_azs=1, nat_gateways=0)
    group = ec2.SecurityGroup(stack, "Group", vpc=other)
    with pytest.raises(PipelineDefinitionError) as raised:
        _endpoint_in(stack, serving, security_groups=[group])
    assert (
        "prop 'security_groups': the group Test/Group is of the VPC Test/Other, and the "
        "endpoint's model runs in Test/Serving: a security group works in its own VPC only"
    ) in str(raised.value)
    # A group of the endpoint's VPC is taken.
    stack = new_stack()
    serving = ec2.Vpc(stack, "Serving", max_azs=2, nat_gateways=0)
    own = ec2.SecurityGroup(stack, "Own", vpc=serving)
    assert _endpoint_in(stack, serving, security_groups=[own]).security_groups == [own]


def test_the_execution_role_manages_network_interfaces_in_its_subnets_only(
    private: Private,
) -> None:
    policy = statements(private.template, private.endpoint.role_policy)
    ec2_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert policy["ManageEndpointNetworkInterfaces"] == {
        "Sid": "ManageEndpointNetworkInterfaces",
        "Effect": "Allow",
        "Action": [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ],
        "Resource": [
            f"{ec2_arn}:network-interface/*",
            *(f"{ec2_arn}:subnet/{subnet}" for subnet in SUBNETS),
            {
                "Fn::Join": [
                    "",
                    [
                        f"{ec2_arn}:security-group/",
                        {"Fn::GetAtt": [private.group, "GroupId"]},
                    ],
                ]
            },
        ],
    }
    assert policy["DescribeEndpointNetwork"] == {
        "Sid": "DescribeEndpointNetwork",
        "Effect": "Allow",
        "Action": [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
        "Resource": "*",
    }


def test_without_a_vpc_the_role_gets_no_network_statements(staging: Staging) -> None:
    assert not {"ManageEndpointNetworkInterfaces", "DescribeEndpointNetwork"} & set(
        statements(staging.template, staging.endpoint.role_policy)
    )
    assert staging.endpoint.security_groups == []


def test_the_variant_is_a_scalable_target_of_the_service_linked_role(private: Private) -> None:
    endpoint_id = logical_id(private.endpoint.cfn_endpoint)
    (target_id, target) = next(
        iter(_of_type(private.template, "AWS::ApplicationAutoScaling::ScalableTarget").items())
    )
    assert target == {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "MaxCapacity": 6,
            "MinCapacity": 2,
            "ResourceId": "endpoint/churn/variant/AllTraffic",
            "RoleARN": SCALING_ROLE,
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "ServiceNamespace": "sagemaker",
        },
        # Registered once the endpoint is in service.
        "DependsOn": [endpoint_id],
    }
    assert private.endpoint.scalable_target is private.target
    (policy,) = _of_type(private.template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    assert policy["Properties"]["PolicyType"] == "TargetTrackingScaling"
    assert policy["Properties"]["ScalingTargetId"] == {"Ref": target_id}
    assert policy["Properties"]["TargetTrackingScalingPolicyConfiguration"] == {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
        },
        "ScaleInCooldown": 600,
        "TargetValue": 100,
    }
    # aws-cdk-lib's own role for the target (which Application Auto Scaling would ignore
    # for SageMaker) is not created: the only roles are the model's and the model data
    # reader's.
    assert _of_type(private.template, "AWS::IAM::Role").keys() == {
        logical_id(private.endpoint.role),
        logical_id(ModelDataReader.of(private.endpoint).role),
    }


def test_with_scaling_an_update_keeps_the_scaled_instance_count(private: Private) -> None:
    endpoint = resource(private.template, logical_id(private.endpoint.cfn_endpoint))
    assert endpoint["Properties"]["RetainAllVariantProperties"] is True
    assert endpoint["Properties"]["ExcludeRetainedVariantProperties"] == [
        {"VariantPropertyType": "DesiredWeight"},
        {"VariantPropertyType": "DataCaptureConfig"},
    ]


def test_cdk_nag_finds_nothing_of_the_private_endpoint(private: Private) -> None:
    findings = pack_findings(private.stack)
    assert [finding for finding in findings if "Test/Endpoint" in finding] == []


def test_the_network_wildcards_are_acknowledged_with_their_reasons() -> None:
    acknowledged = dict(
        (finding, reason)
        for path, finding, reason in _acknowledged(Private)
        if path == "Test/Endpoint/RolePolicy"
    )
    interfaces = f"AwsSolutions-IAM5[Resource::arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*]"
    assert acknowledged[interfaces] == (
        "execution role of endpoint Test/Endpoint: SageMaker hosting creates the network "
        "interfaces of the endpoint's instances in its subnets at deploy and scaling time; "
        "their ids can't be known at deploy time (the subnets and security groups are named "
        "exactly)"
    )
    assert "AwsSolutions-IAM5[Resource::*]" in acknowledged


def test_given_security_groups_are_used_and_none_is_created() -> None:
    stack = new_stack()
    group = ec2.SecurityGroup.from_security_group_id(stack, "Serving", "sg-0a1b2c3d4e5f60755")
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        vpc=_private_vpc(stack),
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        security_groups=[group],
    )
    assert endpoint.node.try_find_child("SecurityGroup") is None
    assert stack.resolve(endpoint.cfn_model.vpc_config) == {
        "securityGroupIds": ["sg-0a1b2c3d4e5f60755"],
        "subnets": SUBNETS,
    }
    # Network isolation is off unless asked for: the property is left out.
    assert endpoint.cfn_model.enable_network_isolation is None


@pytest.mark.parametrize(
    ("zones", "public", "warning"),
    [
        (2, True, None),  # select_subnets() picks the private subnets
        (1, False, "endpoint-subnets-in-one-zone"),
    ],
)
def test_subnets_of_one_zone_are_warned(zones: int, public: bool, warning: str | None) -> None:
    stack = new_stack()
    ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        vpc=_private_vpc(stack, public=public, zones=zones),
    )
    found = [
        str(entry.entry.data)
        for entry in Annotations.from_stack(stack).find_warning(
            "/Test/Endpoint", Match.string_like_regexp("subnets")
        )
    ]
    if warning is None:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].startswith(
        "The endpoint's model has subnets in one Availability Zone only (us-east-1a): "
        "SageMaker asks for subnets in at least two"
    )


def test_public_subnets_are_warned_naming_them() -> None:
    stack = new_stack()
    vpc = _private_vpc(stack, public=True)
    ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
    )
    (found,) = Annotations.from_stack(stack).find_warning(
        "/Test/Endpoint", Match.string_like_regexp("public-subnets")
    )
    assert str(found.entry.data).startswith(
        "2 of the 2 subnets of the endpoint's model are public subnets of the VPC "
        "(subnet-0a1b2c3d4e5f60733, subnet-0a1b2c3d4e5f60744): SageMaker gives endpoint "
        "instances no public IP"
    )


def _network(stack: cdk.Stack) -> dict[str, Any]:
    vpc = _private_vpc(stack)
    return {
        "vpc_subnets": {"vpc_subnets": ec2.SubnetSelection(subnets=[vpc.private_subnets[0]])},
        "groups_by_id": {"vpc": vpc, "security_groups": ["sg-0a1b2c3d"]},
        "six_groups": {
            "vpc": vpc,
            "security_groups": [
                ec2.SecurityGroup.from_security_group_id(stack, f"G{n}", f"sg-0a1b2c3d{n}")
                for n in range(6)
            ],
        },
        "isolation": {"enable_network_isolation": "yes"},
        "no_such_subnets": {
            "vpc": vpc,
            "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        },
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("vpc_subnets", r"prop 'vpc_subnets': given without vpc, so it would be ignored"),
        (
            "groups_by_id",
            r"prop 'security_groups': expected a list of ec2.ISecurityGroup, got list "
            r"\['sg-0a1b2c3d'\] \(ec2.SecurityGroup.from_security_group_id\(self, 'Endpoint'",
        ),
        ("six_groups", r"prop 'security_groups': 6 security groups, more than CreateModel's 5"),
        ("isolation", r"prop 'enable_network_isolation': expected"),
        (
            "no_such_subnets",
            r"prop 'vpc_subnets': selects no subnets of imported Vpc Test/Vpc: There are no "
            r"'Isolated' subnet groups",
        ),
    ],
)
def test_fails_wrong_network_props_naming_the_prop(case: str, message: str) -> None:
    stack = new_stack()
    with pytest.raises(
        PipelineDefinitionError, match=r"ModelEndpoint Test/Endpoint has 1 problem:\n- " + message
    ):
        ModelEndpoint(
            stack,
            "Endpoint",
            model_package_arn=VERSION_3,
            artifact_store=ArtifactStore(stack, "Artifacts"),
            **_network(stack)[case],
        )


@pytest.fixture(scope="module")
def unscaled() -> ModelEndpoint:
    """An endpoint of 2 instances that every wrong add_auto_scaling leaves as it was."""
    stack = new_stack()
    return ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=VERSION_3,
        artifact_store=ArtifactStore(stack, "Artifacts"),
        initial_instance_count=2,
    )


_SCALING: dict[str, Any] = {
    "min_capacity": 1,
    "max_capacity": 4,
    "target_invocations_per_instance": 50,
}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"min_capacity": 0},
            r"argument 'min_capacity': expected at least 1, got 0",
        ),
        (
            {"max_capacity": 2.5},
            r"argument 'max_capacity': expected a whole number of instances, got float 2.5",
        ),
        (
            {"min_capacity": 3, "max_capacity": 2},
            r"argument 'max_capacity': 2 is less than min_capacity 3 \(max_capacity=3 or more\)",
        ),
        (
            {"min_capacity": 3, "max_capacity": 6},
            r"argument 'min_capacity': 3 is more than the endpoint's initial_instance_count 2: "
            r"the endpoint would be created below the scaler's minimum \(give the ModelEndpoint "
            r"initial_instance_count=3, or min_capacity=2\)",
        ),
        (
            {"max_capacity": 1},
            r"argument 'max_capacity': 1 is less than the endpoint's initial_instance_count 2",
        ),
        (
            {"target_invocations_per_instance": 0},
            r"argument 'target_invocations_per_instance': expected more than 0 invocations",
        ),
        (
            {"target_invocations_per_instance": "100"},
            r"argument 'target_invocations_per_instance': expected a number of invocations "
            r"per instance per minute, got str '100'",
        ),
        (
            {"scale_in_cooldown": cdk.Duration.millis(1500)},
            r"argument 'scale_in_cooldown': Application Auto Scaling counts cooldowns in whole "
            r"seconds, got 1 second 500 millis \(Duration.seconds\(2\)\)",
        ),
        (
            {"scale_out_cooldown": 300},
            r"argument 'scale_out_cooldown': expected a Duration, got int 300 "
            r"\(Duration.minutes\(5\)\)",
        ),
    ],
)
def test_fails_wrong_scaling_naming_the_method_and_argument(
    unscaled: ModelEndpoint, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Endpoint.add_auto_scaling has 1 problem:\n- " + message,
    ):
        unscaled.add_auto_scaling(**{**_SCALING, **arguments})
    assert unscaled.scalable_target is None
    assert unscaled.cfn_endpoint.retain_all_variant_properties is None
    # The endpoint stays in the tree: a method that raises detaches nothing.
    assert unscaled.node.scope is not None
    assert unscaled.node.scope.node.try_find_child("Endpoint") is unscaled


def test_fails_an_unknown_scaling_argument_with_a_suggestion(unscaled: ModelEndpoint) -> None:
    with pytest.raises(
        TypeError,
        match=r"ModelEndpoint.add_auto_scaling takes no argument 'max_capacty' "
        r"\(did you mean 'max_capacity'",
    ):
        unscaled.add_auto_scaling(max_capacty=4, target_invocations_per_instance=50)  # type: ignore[call-arg]


def test_fails_scaling_a_variant_twice(private: Private) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"ModelEndpoint Test/Endpoint.add_auto_scaling has 1 problem:\n- argument "
        r"'max_capacity': the variant has a scalable target already",
    ):
        private.endpoint.add_auto_scaling(**{**_SCALING, "min_capacity": 2})
