"""``ArtifactStore``: key, buckets, access logs, lifecycle, removal, EventBridge, grants."""

from __future__ import annotations

import dataclasses
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import (
    DATA_CAPTURE_PREFIX,
    EXECUTIONS_PREFIX,
    MODELS_PREFIX,
    ArtifactStore,
    SealedRetention,
)
from cdk_sagemaker_pipelines.cdk._kms import kms_actions
from cdk_sagemaker_pipelines.cdk._seal import SealFunction
from cdk_sagemaker_pipelines.definition import PipelineDefinition, PipelineDefinitionError
from constructs import Construct
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, grantee_statements, logical_id, resource, template_json

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


DAYS = cdk.Duration.days(30)


class Store:
    def __init__(self, **props: Any) -> None:
        self.stack = new_stack()
        self.store = ArtifactStore(self.stack, "Store", **props)
        self.data = self.store.add_bucket("Data", event_bridge_enabled=True)
        self.reader = iam.Role(self.stack, "Reader", assumed_by=iam.AccountRootPrincipal())
        self.models_reader = iam.Role(
            self.stack, "ModelsReader", assumed_by=iam.AccountRootPrincipal()
        )
        self.read_grant = self.store.grant_read(self.reader)
        self.store.grant_read_models(self.models_reader)
        self.template = Template.from_stack(self.stack)

    def get(self, construct: Any) -> dict[str, Any]:
        return resource(self.template, logical_id(construct))


@pytest.fixture(scope="module")
def default() -> Store:
    return Store()


@pytest.fixture(scope="module")
def destroyed() -> Store:
    return Store(
        removal_policy=cdk.RemovalPolicy.DESTROY,
        execution_output_retention=cdk.Duration.days(14),
        noncurrent_version_retention=cdk.Duration.days(7),
        access_log_retention=cdk.Duration.days(30),
        data_capture_retention=None,  # captured data kept until deleted
    )


def test_prefixes():
    assert (EXECUTIONS_PREFIX, MODELS_PREFIX) == ("executions/", "models/")


def test_key_rotates_and_its_policy_lists_actions_instead_of_kms_star(default: Store):
    key = default.get(default.store.key)
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["Description"] == (
        "Encrypts SageMaker pipeline artifacts, data and job volumes"
    )
    (statement,) = key["Properties"]["KeyPolicy"]["Statement"]
    assert statement["Sid"] == "AccountManagesAndUsesTheKeyThroughIam"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert statement["Resource"] == "*"
    actions = statement["Action"]
    assert actions == sorted(actions) == list(kms_actions())
    assert not any("*" in action for action in actions)
    for required in ("kms:Decrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"):
        assert required in actions


def test_kms_actions_are_iam_actions_not_api_operations():
    actions = kms_actions()
    # The ReEncrypt API is authorized by two IAM actions; there is no kms:ReEncrypt.
    assert "kms:ReEncrypt" not in actions
    assert {"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:SynchronizeMultiRegionKey"} <= set(actions)


def test_artifact_and_data_buckets_are_locked_down(default: Store):
    for bucket, prefix in ((default.store.bucket, "bucket/"), (default.data, "data/")):
        properties = default.get(bucket)["Properties"]
        assert properties["BucketEncryption"] == {
            "ServerSideEncryptionConfiguration": [
                {
                    "BucketKeyEnabled": True,
                    "ServerSideEncryptionByDefault": {
                        "KMSMasterKeyID": {"Fn::GetAtt": [logical_id(default.store.key), "Arn"]},
                        "SSEAlgorithm": "aws:kms",
                    },
                }
            ]
        }
        assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
        assert properties["OwnershipControls"] == {
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
        }
        assert properties["LoggingConfiguration"] == {
            "DestinationBucketName": {"Ref": logical_id(default.store.access_logs_bucket)},
            "LogFilePrefix": prefix,
        }


def test_buckets_refuse_requests_without_tls(default: Store):
    for bucket in (default.store.bucket, default.data, default.store.access_logs_bucket):
        bucket_id = logical_id(bucket)
        policies = default.template.find_resources(
            "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": bucket_id}}}
        )
        (policy,) = policies.values()
        arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
        assert policy["Properties"]["PolicyDocument"]["Statement"][0] == {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [arn, {"Fn::Join": ["", [arn, "/*"]]}],
        }


def test_kms_buckets_refuse_uploads_asking_for_other_encryption(default: Store):
    # `--sse AES256` would store an SSE-S3 object: readable without the key. Uploads without
    # the header get the bucket's KMS default, so the deny needs the header present (Null).
    for bucket in (default.store.bucket, default.data):
        bucket_id = logical_id(bucket)
        (policy,) = default.template.find_resources(
            "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": bucket_id}}}
        ).values()
        arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
        assert policy["Properties"]["PolicyDocument"]["Statement"][1] == {
            "Action": "s3:PutObject",
            "Condition": {
                "Null": {"s3:x-amz-server-side-encryption": "false"},
                "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]},
            },
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::Join": ["", [arn, "/*"]]},
            "Sid": "DenyUploadsNotEncryptedWithKms",
        }


STORE_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/store-key"


def _bucket_policy(store: Store, bucket: Any) -> Any:
    """The bucket's policy as the local IAM evaluator reads it, with the store key's ARN."""
    from cdk_sagemaker_pipelines.local.iam import ResourcePolicy, Statement

    bucket_id, key_id = logical_id(bucket), logical_id(store.store.key)
    attributes = {f"{bucket_id}.Arn": "arn:aws:s3:::store", f"{key_id}.Arn": STORE_KEY}

    def resolved(value: Any) -> Any:
        if isinstance(value, list):
            return [resolved(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(resolved(part) for part in parts)
        if "Fn::GetAtt" in value:
            return attributes[".".join(value["Fn::GetAtt"])]
        return {key: resolved(item) for key, item in value.items()}

    (policy,) = store.template.find_resources(
        "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": bucket_id}}}
    ).values()
    document = policy["Properties"]["PolicyDocument"]
    return ResourcePolicy(
        "the bucket policy",
        tuple(Statement.from_json(resolved(s)) for s in document["Statement"]),
        account=ACCOUNT,
    )


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # the bucket's default: the store key
        ({"s3:x-amz-server-side-encryption": "aws:kms"}, True),
        (
            {
                "s3:x-amz-server-side-encryption": "aws:kms",
                "s3:x-amz-server-side-encryption-aws-kms-key-id": STORE_KEY,
            },
            True,
        ),
        # Another key, of this account or the uploader's own elsewhere: denied.
        (
            {
                "s3:x-amz-server-side-encryption": "aws:kms",
                "s3:x-amz-server-side-encryption-aws-kms-key-id": (
                    "arn:aws:kms:us-east-1:444455556666:key/their-key"
                ),
            },
            False,
        ),
        # S3 compares the header as sent: the store key by id or alias is refused too.
        ({"s3:x-amz-server-side-encryption-aws-kms-key-id": "store-key"}, False),
        ({"s3:x-amz-server-side-encryption": "AES256"}, False),
    ],
    ids=["default", "kms-default-key", "store-key", "another-key", "key-id", "sse-s3"],
)
def test_kms_buckets_refuse_uploads_encrypted_with_another_key(
    default: Store, headers: dict[str, str], allowed: bool
):
    from cdk_sagemaker_pipelines.local.iam import RolePolicies, Statement, evaluate

    writer = RolePolicies(
        f"arn:aws:iam::{ACCOUNT}:role/Writer",
        "a role that may write the store",
        (
            Statement.from_json(
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::store/*"}
            ),
        ),
    )
    known = (
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    )
    for bucket in (default.store.bucket, default.data):
        policy = _bucket_policy(default, bucket)
        decision = evaluate(
            writer, "s3:PutObject", "arn:aws:s3:::store/models/x", headers, known, policy
        )
        assert decision.allowed is allowed, decision
    (statement,) = [
        s
        for s in default.template.find_resources("AWS::S3::BucketPolicy")[
            logical_id(default.store.bucket.policy)
        ]["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "DenyUploadsWithAnotherKmsKey"
    ]
    key_header = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    assert statement["Condition"] == {
        "Null": {key_header: "false"},
        "StringNotEquals": {key_header: {"Fn::GetAtt": [logical_id(default.store.key), "Arn"]}},
    }


def test_access_logs_bucket_is_sse_s3_and_receives_the_logs(default: Store):
    logs = default.store.access_logs_bucket
    properties = default.get(logs)["Properties"]
    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        ]
    }
    assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" not in properties
    assert properties["LifecycleConfiguration"] == {
        "Rules": [
            {
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                "ExpirationInDays": 365,
                "Id": "ExpireAccessLogs",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "Status": "Enabled",
            },
            # Expired logs leave delete markers, removed once their versions are gone.
            {
                "ExpiredObjectDeleteMarker": True,
                "Id": "RemoveExpiredDeleteMarkers",
                "Status": "Enabled",
            },
        ]
    }
    logs_id = logical_id(logs)
    (policy,) = default.template.find_resources(
        "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": logs_id}}}
    ).values()
    deliveries = policy["Properties"]["PolicyDocument"]["Statement"][1:]
    assert deliveries == [
        {
            "Action": "s3:PutObject",
            "Condition": {
                "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [logical_id(source), "Arn"]}},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, f"/{prefix}*"]]},
        }
        for source, prefix in ((default.store.bucket, "bucket/"), (default.data, "data/"))
    ]


def test_works_in_an_app_without_the_access_logs_bucket_policy_feature_flag():
    # An app whose cdk.json predates @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy: without
    # it aws-cdk-lib grants log delivery by ACL, which BUCKET_OWNER_ENFORCED buckets refuse.
    stack = cdk.Stack(cdk.App(), "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    store = ArtifactStore(stack, "Store")
    store.add_bucket("Data")
    template = Template.from_stack(stack)
    logs_id = logical_id(store.access_logs_bucket)
    assert "AccessControl" not in resource(template, logs_id)["Properties"]
    (policy,) = template.find_resources(
        "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": logs_id}}}
    ).values()
    principals = [
        entry["Principal"] for entry in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert principals.count({"Service": "logging.s3.amazonaws.com"}) == 2


def test_buckets_block_public_access_and_acls_in_an_app_without_the_feature_flags():
    # cdk.json's @aws-cdk/aws-s3:publicAccessBlockedByDefault fills in whatever a partial
    # BlockPublicAccess leaves out: an older app's buckets get only what the store asks for.
    stack = cdk.Stack(cdk.App(), "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    store = ArtifactStore(stack, "Store")
    data = store.add_bucket("Data")
    template = Template.from_stack(stack)
    for bucket in (store.bucket, data, store.access_logs_bucket):
        properties = resource(template, logical_id(bucket))["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL
        # ACLs disabled: only the bucket's policy (and the key's) decide who reads.
        assert properties["OwnershipControls"] == {
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
        }


def test_artifact_bucket_lifecycle(default: Store, destroyed: Store):
    assert default.get(default.store.bucket)["Properties"]["LifecycleConfiguration"] == {
        "Rules": [
            {
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                "ExpiredObjectDeleteMarker": True,
                "Id": "CleanUpVersionsAndUploads",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "Status": "Enabled",
            },
            {
                "ExpirationInDays": 90,
                "Id": "ExpireExecutionOutputs",
                "Prefix": "executions/",
                "Status": "Enabled",
            },
            {
                # Endpoints' captured requests and responses, which may hold personal data.
                "ExpirationInDays": 90,
                "Id": "ExpireDataCapture",
                "Prefix": "data-capture/",
                "Status": "Enabled",
            },
        ]
    }
    assert DATA_CAPTURE_PREFIX == "data-capture/"
    rules = destroyed.get(destroyed.store.bucket)["Properties"]["LifecycleConfiguration"]["Rules"]
    # data_capture_retention=None: no rule for data-capture/.
    assert [rule.get("ExpirationInDays") for rule in rules] == [None, 14]
    kept = default.store.data_capture_retention
    assert kept is not None
    assert kept.to_days() == 90
    assert destroyed.store.data_capture_retention is None
    assert rules[0]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    logs = destroyed.get(destroyed.store.access_logs_bucket)["Properties"]
    assert logs["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 30
    # models/ has no expiry: registered versions point there.
    assert not any("models" in str(rule) for rule in rules)


def test_data_bucket_only_cleans_up_versions_and_uploads(default: Store):
    assert default.get(default.data)["Properties"]["LifecycleConfiguration"] == {
        "Rules": [
            {
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                "ExpiredObjectDeleteMarker": True,
                "Id": "CleanUpVersionsAndUploads",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "Status": "Enabled",
            }
        ]
    }


def test_stateful_resources_are_retained_by_default(default: Store):
    for construct in (
        default.store.key,
        default.store.bucket,
        default.data,
        default.store.access_logs_bucket,
    ):
        found = default.get(construct)
        assert (found["DeletionPolicy"], found["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_removal_policy_applies_to_every_stateful_resource(destroyed: Store):
    for construct in (
        destroyed.store.key,
        destroyed.store.bucket,
        destroyed.data,
        destroyed.store.access_logs_bucket,
    ):
        found = destroyed.get(construct)
        assert (found["DeletionPolicy"], found["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_bucket_policies_follow_their_buckets_removal_policy(default: Store, destroyed: Store):
    # A retained bucket without its policy would accept plain HTTP and other encryption
    # (and lose its shares) after cdk destroy: CDK deletes a bucket policy by default.
    for built, expected in ((default, "Retain"), (destroyed, "Delete")):
        for bucket in (built.store.bucket, built.data, built.store.access_logs_bucket):
            assert bucket.policy is not None
            found = built.get(bucket.policy)
            assert (found["DeletionPolicy"], found["UpdateReplacePolicy"]) == (expected, expected)


def test_event_bridge_notifications_without_a_custom_resource(default: Store):
    assert default.get(default.data)["Properties"]["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    assert "NotificationConfiguration" not in default.get(default.store.bucket)["Properties"]
    default.template.resource_count_is("Custom::S3BucketNotifications", 0)
    default.template.resource_count_is("AWS::Lambda::Function", 0)


def test_grant_read_reads_all_artifacts_and_decrypts(default: Store):
    bucket = {"Fn::GetAtt": [logical_id(default.store.bucket), "Arn"]}
    assert grantee_statements(default.template, default.reader) == [
        {
            "Action": ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
            "Effect": "Allow",
            "Resource": [bucket, {"Fn::Join": ["", [bucket, "/*"]]}],
        },
        {
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [logical_id(default.store.key), "Arn"]},
        },
    ]
    assert isinstance(default.read_grant, iam.Grant)


@pytest.mark.parametrize("grant", ["grant_read", "grant_read_models"])
def test_fails_grants_to_something_that_is_not_a_grantable(default: Store, grant: str):
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^ArtifactStore Test/Store.{grant} has 1 problem:\n- prop 'grantee': expected "
        r"an iam.IGrantable, got str 'ci-role'",
    ):
        getattr(default.store, grant)("ci-role")


@pytest.mark.parametrize("grant", ["grant_read", "grant_read_models"])
def test_fails_grants_to_a_role_of_another_app(default: Store, grant: str):
    # The role's policy would name this app's bucket: the other app's synth failed with
    # "Cannot reference across apps", naming neither the grant nor the role.
    role = iam.Role(new_stack(), "Ci", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(PipelineDefinitionError) as raised:
        getattr(default.store, grant)(role)
    assert str(raised.value) == (
        f"ArtifactStore Test/Store.{grant} has 1 problem:\n- prop 'grantee': Role Test/Ci "
        "belongs to another CDK app: a template can only refer to the resources of its own app "
        "(grant to a role of this app, or import the role here: "
        "iam.Role.from_role_arn(self, 'Role', arn))"
    )


def test_fails_a_grant_to_a_class_rather_than_an_instance(default: Store):
    # The class has the property that identifies a grantable; jsii can't pass it on.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^ArtifactStore Test/Store.grant_read has 1 problem:\n- prop 'grantee': expected "
        r"an iam.IGrantable, got the class Role itself, not an instance of it",
    ):
        default.store.grant_read(iam.Role)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key_pattern", "message"),
    [
        # Granted as written, these matched no object of the bucket: the grant gave nothing.
        (
            "s3://artifacts/models/*",
            "'s3://artifacts/models/*' is a URI; the grant takes keys of the store's bucket "
            "(give the key pattern alone, e.g. 'models/*')",
        ),
        ("/models/*", "'/models/*' starts with '/', which no object key does (write 'models/*')"),
        ("", "expected a key pattern, got '' ('*' for every key)"),
        (5, "expected a string, got int 5"),
        (None, "expected a string, got None"),
    ],
)
def test_fails_read_grants_of_key_patterns_matching_no_object(
    default: Store, key_pattern: Any, message: str
):
    with pytest.raises(PipelineDefinitionError) as raised:
        default.store.grant_read(default.reader, key_pattern)
    assert str(raised.value) == (
        f"ArtifactStore Test/Store.grant_read has 1 problem:\n- prop 'key_pattern': {message}"
    )


def test_fails_a_second_store_with_the_same_id():
    stack = new_stack()
    ArtifactStore(stack, "Store")
    with pytest.raises(PipelineDefinitionError) as raised:
        ArtifactStore(stack, "Store")
    assert str(raised.value) == (
        "ArtifactStore Test/Store has 1 problem:\n- prop 'construct_id': 'Store' is already "
        "taken in Stack Test (give each construct its own id within its scope)"
    )


def test_grant_read_models_reads_only_models_and_their_sealed_copies(default: Store):
    bucket = {"Fn::GetAtt": [logical_id(default.store.bucket), "Arn"]}
    statements = grantee_statements(default.template, default.models_reader)
    assert statements[0]["Resource"] == [
        bucket,
        {"Fn::Join": ["", [bucket, "/models/*"]]},
        {"Fn::Join": ["", [bucket, "/sealed/*"]]},
    ]
    assert statements[1]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]


def test_access_logs_bucket_acknowledges_only_its_sse_s3_encryption(default: Store):
    acknowledged = {
        rule: reason
        for entry in default.store.access_logs_bucket.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
    }
    # No AwsSolutions-S1: cdk-nag exempts a bucket that receives access logs.
    # In each compliance pack with the rule, so HIPAA and PCI DSS users see no finding.
    assert acknowledged == {
        f"Annotation::{pack}-S3DefaultEncryptionKMS": (
            "S3 server access logs can only be delivered to SSE-S3 encrypted buckets"
        )
        for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
    }


def test_event_bridge_keeps_existing_notification_configurations() -> None:
    from aws_cdk import aws_s3 as s3_

    from cdk_sagemaker_pipelines.cdk.artifacts import enable_event_bridge_notifications

    stack = new_stack()
    bucket = s3_.Bucket(stack, "Data")
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3_.CfnBucket)
    topic = s3_.CfnBucket.TopicConfigurationProperty(
        event="s3:ObjectCreated:*", topic="arn:aws:sns:us-east-1:111122223333:t"
    )
    cfn.notification_configuration = s3_.CfnBucket.NotificationConfigurationProperty(
        topic_configurations=[topic]
    )
    enable_event_bridge_notifications(bucket)
    rendered = Template.from_stack(stack).to_json()["Resources"]
    (properties,) = [r["Properties"] for r in rendered.values() if r["Type"] == "AWS::S3::Bucket"]
    assert properties["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
        "TopicConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Topic": "arn:aws:sns:us-east-1:111122223333:t"}
        ],
    }


def test_event_bridge_keeps_existing_lambda_and_queue_notifications() -> None:
    # Dropping them would silently stop the functions and queues the bucket feeds.
    from cdk_sagemaker_pipelines.cdk.artifacts import enable_event_bridge_notifications

    stack = new_stack()
    bucket = s3.Bucket(stack, "Data")
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3.CfnBucket)
    function = "arn:aws:lambda:us-east-1:111122223333:function:f"
    queue = "arn:aws:sqs:us-east-1:111122223333:q"
    cfn.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        lambda_configurations=[
            s3.CfnBucket.LambdaConfigurationProperty(event="s3:ObjectCreated:*", function=function)
        ],
        queue_configurations=[
            s3.CfnBucket.QueueConfigurationProperty(event="s3:ObjectRemoved:*", queue=queue)
        ],
    )
    enable_event_bridge_notifications(bucket)
    assert resource(Template.from_stack(stack), logical_id(bucket))["Properties"][
        "NotificationConfiguration"
    ] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
        "LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": function}],
        "QueueConfigurations": [{"Event": "s3:ObjectRemoved:*", "Queue": queue}],
    }


def test_retention_may_be_known_at_deploy_time_only() -> None:
    # A Duration of a CfnParameter has no days to check at synth: S3 checks them at deploy.
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    store = ArtifactStore(
        stack, "Store", execution_output_retention=cdk.Duration.days(days.value_as_number)
    )
    rules = resource(Template.from_stack(stack), logical_id(store.bucket))["Properties"][
        "LifecycleConfiguration"
    ]["Rules"]
    assert rules[1] == {
        "ExpirationInDays": {"Ref": "Days"},
        "Id": "ExpireExecutionOutputs",
        "Prefix": "executions/",
        "Status": "Enabled",
    }


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"execution_output_retention": cdk.Duration.days(0)},
            "- prop 'execution_output_retention': S3 lifecycle rules count whole days (at least "
            "1), got 0 days (Duration.days(1))",
        ),
        (
            {"noncurrent_version_retention": cdk.Duration.hours(36)},
            "- prop 'noncurrent_version_retention': S3 lifecycle rules count whole days (at "
            "least 1), got 1 day 12 hours (Duration.days(2))",
        ),
        (
            {"data_capture_retention": cdk.Duration.hours(12)},
            "- prop 'data_capture_retention': S3 lifecycle rules count whole days (at least "
            "1), got 12 hours (Duration.days(1))",
        ),
        (
            {"access_log_retention": 30},
            "- prop 'access_log_retention': expected a Duration, got int 30 (Duration.days(30))",
        ),
        (
            {"sealed_retention": SealedRetention.compliance(cdk.Duration.days(0))},
            "- prop 'sealed_retention': S3 Object Lock retains for whole days, 1 to 36,500 "
            "(100 years), got 0 days (SealedRetention.compliance(Duration.days(1)))",
        ),
        (
            {"sealed_retention": SealedRetention.governance(cdk.Duration.days(36_501))},
            "- prop 'sealed_retention': S3 Object Lock retains for whole days, 1 to 36,500 "
            "(100 years), got 36501 days (SealedRetention.governance(Duration.days(36500)))",
        ),
        (
            {"sealed_retention": SealedRetention.compliance(cdk.Duration.hours(36))},
            "- prop 'sealed_retention': S3 Object Lock retains for whole days, 1 to 36,500 "
            "(100 years), got 1 day 12 hours (SealedRetention.compliance(Duration.days(2)))",
        ),
        (
            {"sealed_retention": "COMPLIANCE"},
            "- prop 'sealed_retention': expected a SealedRetention, got str 'COMPLIANCE' "
            "(SealedRetention.compliance(Duration.days(3650)))",
        ),
        (
            # Used to end in a typeguard TypeError from deep inside kms.Key.
            {"removal_policy": "retain"},
            "- prop 'removal_policy': expected a RemovalPolicy, got str 'retain' "
            "(RemovalPolicy.RETAIN (the default), RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE or "
            "RemovalPolicy.DESTROY)",
        ),
        (
            # Used to synthesize DeletionPolicy: Snapshot on the key and buckets, which
            # CloudFormation rejects at deploy time.
            {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
            "- prop 'removal_policy': RemovalPolicy.SNAPSHOT applies to resources with "
            "snapshots (databases, volumes); KMS keys, S3 buckets and model package groups "
            "have none, and CloudFormation would reject the template at deploy time "
            "(RemovalPolicy.RETAIN (the default), RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE or "
            "RemovalPolicy.DESTROY)",
        ),
    ],
)
def test_fails_props_naming_the_store(props: dict[str, Any], message: str):
    with pytest.raises(PipelineDefinitionError) as raised:
        ArtifactStore(new_stack(), "Store", **props)
    assert str(raised.value) == f"ArtifactStore Test/Store has 1 problem:\n{message}"


def test_fails_event_bridge_notifications_for_an_imported_bucket() -> None:
    from aws_cdk import aws_s3 as s3_

    from cdk_sagemaker_pipelines.cdk.artifacts import enable_event_bridge_notifications

    stack = new_stack()
    bucket = s3_.Bucket.from_bucket_name(stack, "Landing", "landing-zone")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^enable_event_bridge_notifications has 1 problem:\n- prop 'bucket': expected an "
        r"s3.Bucket created in this app, got imported Bucket Test/Landing \(switch EventBridge "
        r"notifications on where the bucket is defined\)$",
    ):
        enable_event_bridge_notifications(bucket)  # type: ignore[arg-type]


def test_fails_event_bridge_notifications_over_a_configuration_given_as_a_token() -> None:
    from aws_cdk import aws_s3 as s3_

    from cdk_sagemaker_pipelines.cdk.artifacts import enable_event_bridge_notifications

    stack = new_stack()
    bucket = s3_.Bucket(stack, "Data")
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3_.CfnBucket)
    cfn.notification_configuration = cdk.Token.as_any({"TopicConfigurations": []})
    with pytest.raises(
        PipelineDefinitionError,  # like every other error of the library
        match=r"^Test/Data: set NotificationConfiguration as a "
        r"CfnBucket.NotificationConfigurationProperty to combine it with EventBridge$",
    ):
        enable_event_bridge_notifications(bucket)


@pytest.mark.parametrize("construct_id", ["Data", "Bucket", "AccessLogs", "Key"])
def test_fails_adding_a_bucket_with_an_id_already_taken(construct_id: str) -> None:
    store = ArtifactStore(new_stack(), "Store")
    store.add_bucket("Data")
    with pytest.raises(PipelineDefinitionError) as raised:
        store.add_bucket(construct_id)
    assert str(raised.value) == (
        "ArtifactStore Test/Store.add_bucket has 1 problem:\n- prop 'construct_id': "
        f"'{construct_id}' is already taken in this store (taken: Key, AccessLogs, Bucket, Data) "
        "(give each bucket its own id; to use an existing bucket, keep a reference to it)"
    )


@pytest.mark.parametrize(("first", "second"), [("Data", "data"), ("Data", "bucket")])
def test_fails_adding_a_bucket_whose_id_differs_in_case_only(first: str, second: str) -> None:
    # Both would write their S3 access logs under the same lowercased prefix.
    store = ArtifactStore(new_stack(), "Store")
    store.add_bucket(first)
    with pytest.raises(PipelineDefinitionError) as raised:
        store.add_bucket(second)
    taken = first if second.lower() == first.lower() else "Bucket"
    assert str(raised.value) == (
        "ArtifactStore Test/Store.add_bucket has 1 problem:\n- prop 'construct_id': "
        f"'{second}' differs from bucket '{taken}' in case only, so both would write their "
        f"access logs under '{second.lower()}/' (give each bucket an id that differs in more "
        "than case)"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            {"construct_id": "Data", "event_bridge_enabled": "yes"},
            "- prop 'event_bridge_enabled': expected True or False, got str 'yes' (write True)",
        ),
        ({"construct_id": ""}, "- prop 'construct_id': expected a non-empty id (e.g. 'Data')"),
        ({"construct_id": 5}, "- prop 'construct_id': expected a string, got int 5"),
        # These used to fail in typeguard or Python ("Value after * must be an iterable"), or
        # at synth; S3 refuses two rules with one id at deploy.
        (
            {"construct_id": "Data", "lifecycle_rules": s3.LifecycleRule(expiration=DAYS)},
            "- prop 'lifecycle_rules': expected a list of s3.LifecycleRule, got LifecycleRule "
            "LifecycleRule(expiration=<aws_cdk.Duration object at",
        ),
        (
            {"construct_id": "Data", "lifecycle_rules": [{"expiration": DAYS}]},
            "- prop 'lifecycle_rules': expected a list of s3.LifecycleRule, got list",
        ),
        (
            {"construct_id": "Data", "lifecycle_rules": [s3.LifecycleRule(prefix="tmp/")]},
            "- prop 'lifecycle_rules': rule [0] has no action, which S3 refuses (give it an "
            "expiration, transitions or another action)",
        ),
        (
            {
                "construct_id": "Data",
                "lifecycle_rules": [
                    s3.LifecycleRule(id="CleanUpVersionsAndUploads", expiration=DAYS)
                ],
            },
            "- prop 'lifecycle_rules': rule id 'CleanUpVersionsAndUploads' is used twice in the "
            "bucket ('CleanUpVersionsAndUploads' is the store's own rule), which S3 refuses "
            "(give each rule its own id)",
        ),
        (
            {
                "construct_id": "Data",
                "lifecycle_rules": [
                    s3.LifecycleRule(id="Tmp", expiration=DAYS),
                    s3.LifecycleRule(id="Tmp", prefix="tmp/", expiration=DAYS),
                ],
            },
            "- prop 'lifecycle_rules': rule id 'Tmp' is used twice in the bucket "
            "('CleanUpVersionsAndUploads' is the store's own rule), which S3 refuses (give each "
            "rule its own id)",
        ),
    ],
)
def test_fails_add_bucket_props_naming_the_store(call: dict[str, Any], message: str) -> None:
    store = ArtifactStore(new_stack(), "Store")
    construct_id = call.pop("construct_id")
    with pytest.raises(PipelineDefinitionError) as raised:
        store.add_bucket(construct_id, **call)
    assert str(raised.value).startswith(
        f"ArtifactStore Test/Store.add_bucket has 1 problem:\n{message}"
    )


# -- sharing models/ with another account ----------------------------------------------------

READER = "444455556666"


def _policy_statements(template: Template, store: ArtifactStore) -> tuple[list[Any], list[Any]]:
    bucket = logical_id(store.bucket)
    (policy,) = template.find_resources(
        "AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": bucket}}}
    ).values()
    key = resource(template, logical_id(store.key))
    return (
        policy["Properties"]["PolicyDocument"]["Statement"],
        key["Properties"]["KeyPolicy"]["Statement"],
    )


def test_share_models_with_lets_the_account_read_models_only_and_decrypt_through_s3():
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    store.share_models_with(READER)
    store.share_models_with(READER)  # once per account
    assert store.models_shared_with == [READER]
    bucket_statements, key_statements = _policy_statements(Template.from_stack(stack), store)
    principal = {"AWS": f"arn:aws:iam::{READER}:root"}
    shared = [s for s in bucket_statements if s.get("Principal") == principal]
    arn = {"Fn::GetAtt": [logical_id(store.bucket), "Arn"]}
    assert shared == [
        {
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Effect": "Allow",
            "Principal": principal,
            # Models and the sealed copies versions record (SealStep).
            "Resource": [
                {"Fn::Join": ["", [arn, "/models/*"]]},
                {"Fn::Join": ["", [arn, "/sealed/*"]]},
            ],
        },
        {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": ["models/*", "sealed/*"]}},
            "Effect": "Allow",
            "Principal": principal,
            "Resource": arn,
        },
        {
            "Action": "s3:GetBucketLocation",
            "Effect": "Allow",
            "Principal": principal,
            "Resource": arn,
        },
    ]
    decrypt, describe_key = [s for s in key_statements if s.get("Principal") == principal]
    assert decrypt["Action"] == "kms:Decrypt"
    assert "kms:ViaService" in decrypt["Condition"]["StringEquals"]
    # Through S3 of the store's region only: not another service, nor any region's S3.
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {
                "Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
            }
        }
    }
    assert describe_key["Action"] == "kms:DescribeKey"


def test_a_store_shares_nothing_by_default(default: Store):
    assert default.store.models_shared_with == []
    statements, _ = _policy_statements(default.template, default.store)
    assert [s for s in statements if s["Effect"] == "Allow"] == []


@pytest.mark.parametrize(
    ("account_id", "problem"),
    [
        (
            ACCOUNT,
            f"{ACCOUNT} is this stack's own account, which owns the store (share only with "
            "other accounts; grant_read_models gives roles of this one)",
        ),
        (
            cdk.Aws.ACCOUNT_ID,
            "the account of an environment-agnostic stack (AWS::AccountId) is "
            "the one deploying this stack, which owns the store (share only with other accounts; "
            "grant_read_models gives roles of this one; give the other stack an env)",
        ),
        (
            44445555666,
            "expected a 12-digit account id string, got int 44445555666 (write '044445555666')",
        ),
        ("4444-5555-6666", "expected 12-digit account ids, got '4444-5555-6666'"),
    ],
)
def test_fails_sharing_models_with_what_is_not_another_account(account_id: Any, problem: str):
    store = ArtifactStore(new_stack(), "Store")
    with pytest.raises(PipelineDefinitionError) as raised:
        store.share_models_with(account_id)
    assert str(raised.value) == (
        f"ArtifactStore Test/Store.share_models_with has 1 problem:\n- prop 'account_id': {problem}"
    )
    assert store.models_shared_with == []


# -- ArtifactStore.from_existing: a bucket and key that exist already ----------------------

CENTRAL_BUCKET = "acme-ml-artifacts"
CENTRAL_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_ACCOUNT = "444455556666"


class Adopted:
    """A store adopting a bucket imported by name and a key imported by ARN."""

    def __init__(self, **props: Any) -> None:
        self.stack = new_stack()
        self.bucket = s3.Bucket.from_bucket_name(self.stack, "Central", CENTRAL_BUCKET)
        self.key = kms.Key.from_key_arn(self.stack, "CentralKey", CENTRAL_KEY)
        self.store = ArtifactStore.from_existing(
            self.stack, "Store", bucket=self.bucket, key=self.key, **props
        )
        self.reader = iam.Role(self.stack, "Reader", assumed_by=iam.AccountRootPrincipal())
        self.store.grant_read_models(self.reader)
        self.store.share_models_with(OTHER_ACCOUNT)
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def adopted() -> Adopted:
    return Adopted()


def test_an_adopted_store_creates_no_key_bucket_or_policy(adopted: Adopted):
    resources = template_json(adopted.template)["Resources"]
    # The reader's role and its grant only: no key, no bucket, no access logs, no policy.
    assert sorted(r["Type"] for r in resources.values()) == ["AWS::IAM::Policy", "AWS::IAM::Role"]
    store = adopted.store
    assert isinstance(store, ArtifactStore)
    assert (store.bucket, store.key) == (adopted.bucket, adopted.key)
    assert store._key_of(adopted.bucket) is adopted.key
    # Declared, not enforced: none given, the outputs are taken to be kept.
    assert store.execution_output_retention is None


def test_an_adopted_store_grants_the_key_the_bucket_was_imported_without(adopted: Adopted):
    # A bucket imported by name has no encryption_key: its grants alone gave no decrypt.
    assert grantee_statements(adopted.template, adopted.reader) == [
        {
            "Action": ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
            "Effect": "Allow",
            "Resource": [
                f"arn:aws:s3:::{CENTRAL_BUCKET}",
                f"arn:aws:s3:::{CENTRAL_BUCKET}/models/*",
                f"arn:aws:s3:::{CENTRAL_BUCKET}/sealed/*",
            ],
        },
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": CENTRAL_KEY},
    ]


def test_sharing_an_adopted_imported_store_names_what_the_owner_must_add(adopted: Adopted):
    assert adopted.store.models_shared_with == [OTHER_ACCOUNT]
    warnings = Annotations.from_stack(adopted.stack).find_warning(
        "/Test/Store", Match.string_like_regexp("share_models_with")
    )
    assert [warning.entry.data for warning in warnings] == [
        f"share_models_with({OTHER_ACCOUNT}): the store's bucket and key are imported, and "
        f"this app can't change their policies: {OTHER_ACCOUNT} can't read models/ until their "
        f"owner adds to the policy of bucket {CENTRAL_BUCKET}: allow {OTHER_ACCOUNT} "
        "s3:GetObject and s3:GetObjectVersion on objects under models/, s3:ListBucket with "
        f"s3:prefix models/*, and s3:GetBucketLocation; and to the policy of key {CENTRAL_KEY}: "
        f"allow {OTHER_ACCOUNT} kms:Decrypt with kms:ViaService s3.us-east-1.amazonaws.com, and "
        "kms:DescribeKey. Acknowledge this warning once they have. "
        "[ack: cdk-sagemaker-pipelines:adopted-store-not-shared]"
    ]


@pytest.mark.parametrize("imported", ["key", "bucket"])
def test_sharing_an_adopted_store_with_one_of_this_apps_names_only_what_is_imported(imported: str):
    # The policy of this app's half takes its statements; the imported half's owner must add
    # theirs, or the account reads nothing: a warning for either, naming that half only.
    stack = new_stack()
    if imported == "key":
        bucket: s3.IBucket = s3.Bucket(stack, "Bucket", enforce_ssl=True)  # SSE-S3
        key: kms.IKey = kms.Key.from_key_arn(stack, "CentralKey", CENTRAL_KEY)
    else:
        bucket = s3.Bucket.from_bucket_name(stack, "Central", CENTRAL_BUCKET)
        key = kms.Key(stack, "Key")
    store = ArtifactStore.from_existing(stack, "Store", bucket=bucket, key=key)
    store.share_models_with(OTHER_ACCOUNT)
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    template = Template.from_stack(stack)
    asks = {
        "bucket": f"bucket {CENTRAL_BUCKET}: allow {OTHER_ACCOUNT} s3:GetObject and "
        "s3:GetObjectVersion on objects under models/, s3:ListBucket with s3:prefix models/*, "
        "and s3:GetBucketLocation",
        "key": f"key {CENTRAL_KEY}: allow {OTHER_ACCOUNT} kms:Decrypt with kms:ViaService "
        "s3.us-east-1.amazonaws.com, and kms:DescribeKey",
    }
    assert [warning.entry.data for warning in warnings] == [
        f"share_models_with({OTHER_ACCOUNT}): the store's {imported} is imported, and this app "
        f"can't change its policy: {OTHER_ACCOUNT} can't read models/ until their owner adds to "
        f"the policy of {asks[imported]}. Acknowledge this warning once they have. "
        "[ack: cdk-sagemaker-pipelines:adopted-store-not-shared]"
    ]
    principal = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    actions: tuple[Any, ...]
    if imported == "key":
        (policy,) = template.find_resources("AWS::S3::BucketPolicy").values()
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        actions = ["s3:GetObject", "s3:GetObjectVersion"], "s3:ListBucket", "s3:GetBucketLocation"
    else:
        statements = resource(template, logical_id(key))["Properties"]["KeyPolicy"]["Statement"]
        actions = "kms:Decrypt", "kms:DescribeKey"
    assert tuple(s["Action"] for s in statements if s.get("Principal") == principal) == actions


def test_an_adopted_store_of_this_apps_bucket_takes_a_key_imported_by_arn():
    # The bucket's key's ARN is known at deploy time only: it may be the given key, so the
    # store takes it, and grants both (the bucket's grant names its own key).
    stack = new_stack()
    bucket_key = kms.Key(stack, "BucketKey")
    bucket = s3.Bucket(stack, "Bucket", encryption_key=bucket_key)
    key = kms.Key.from_key_arn(stack, "CentralKey", CENTRAL_KEY)
    store = ArtifactStore.from_existing(stack, "Store", bucket=bucket, key=key)
    assert store.key is key
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    store.grant_read(reader)
    (decrypt,) = [
        s for s in grantee_statements(Template.from_stack(stack), reader) if "kms" in str(s)
    ]
    assert decrypt == {
        "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Effect": "Allow",
        "Resource": [CENTRAL_KEY, {"Fn::GetAtt": [logical_id(bucket_key), "Arn"]}],
    }


def test_sharing_an_adopted_key_in_china_names_the_china_endpoint():
    stack = cdk.Stack(new_app(), "Test", env=cdk.Environment(account=ACCOUNT, region="cn-north-1"))
    key_arn = f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    store = ArtifactStore.from_existing(
        stack,
        "Store",
        bucket=s3.Bucket.from_bucket_name(stack, "Central", CENTRAL_BUCKET),
        key=kms.Key.from_key_arn(stack, "CentralKey", key_arn),
    )
    store.grant_read_models(iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal()))
    store.share_models_with(OTHER_ACCOUNT)
    (warning,) = Annotations.from_stack(stack).find_warning(
        "/Test/Store", Match.string_like_regexp("share_models_with")
    )
    assert "kms:ViaService s3.cn-north-1.amazonaws.com.cn, and" in str(warning.entry.data)


def test_an_adopted_store_of_this_apps_bucket_and_key_shares_through_their_policies():
    # The platform's stack of the same app: its bucket and key policies can take statements.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    platform = cdk.Stack(app, "Platform", env=env)
    key = kms.Key(platform, "Key", enable_key_rotation=True)
    bucket = s3.Bucket(platform, "Bucket", encryption_key=key, enforce_ssl=True)
    stack = cdk.Stack(app, "Ml", env=env)
    store = ArtifactStore.from_existing(stack, "Store", bucket=bucket)  # key: the bucket's
    assert store.key is key
    store.share_models_with(OTHER_ACCOUNT)
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    store.grant_read_models(reader)  # across stacks: the bucket's grant names its key
    # Annotations first: it synthesizes the app, and both templates are read from that.
    annotations = Annotations.from_stack(stack)
    assert [s["Action"] for s in grantee_statements(Template.from_stack(stack), reader)] == [
        ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
        ["kms:Decrypt", "kms:DescribeKey"],
    ]
    template = Template.from_stack(platform)
    statements, key_statements = _policy_statements(template, store)
    principal = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    shared = [s["Action"] for s in statements if s.get("Principal") == principal]
    assert shared == [
        ["s3:GetObject", "s3:GetObjectVersion"],
        "s3:ListBucket",
        "s3:GetBucketLocation",
    ]
    assert [s["Action"] for s in key_statements if s.get("Principal") == principal] == [
        "kms:Decrypt",
        "kms:DescribeKey",
    ]
    assert annotations.find_warning("*", Match.any_value()) == []
    # Their lifecycle stays theirs: the store added no rule.
    assert "LifecycleConfiguration" not in resource(template, logical_id(bucket))["Properties"]


def test_an_adopted_store_takes_the_key_a_bucket_was_imported_with():
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", CENTRAL_KEY)
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Bucket", bucket_name=CENTRAL_BUCKET, encryption_key=key
    )
    store = ArtifactStore.from_existing(
        stack, "Store", bucket=bucket, execution_output_retention=cdk.Duration.days(30)
    )
    assert store.key.key_arn == CENTRAL_KEY
    assert store.execution_output_retention is not None
    assert store.execution_output_retention.to_days() == 30
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    store.grant_read(reader)
    # The bucket's own grant names its key; no second kms statement.
    kms_statements = [
        s for s in grantee_statements(Template.from_stack(stack), reader) if "kms" in str(s)
    ]
    assert kms_statements == [
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": CENTRAL_KEY}
    ]


def test_an_adopted_store_creates_no_buckets(adopted: Adopted):
    with pytest.raises(PipelineDefinitionError) as raised:
        adopted.store.add_bucket("Data")
    assert str(raised.value) == (
        "ArtifactStore Test/Store.add_bucket('Data'): the store adopts an existing bucket and key "
        "(ArtifactStore.from_existing), so it creates no buckets: it has no access-log bucket "
        "for one, and no removal policy. Create the bucket where your buckets are defined "
        "(s3.Bucket(…, encryption_key=store.key, enforce_ssl=True, …)); steps read and write "
        "any bucket they name"
    )
    with pytest.raises(PipelineDefinitionError, match=r"has no access-log bucket: the bucket's"):
        _ = adopted.store.access_logs_bucket


def _adopt(stack: cdk.Stack, **props: Any) -> ArtifactStore:
    return ArtifactStore.from_existing(stack, "Store", **props)


def _bucket(stack: cdk.Stack, **attributes: Any) -> s3.IBucket:
    return s3.Bucket.from_bucket_attributes(
        stack, "Bucket", bucket_name=CENTRAL_BUCKET, **attributes
    )


def _key(stack: cdk.Stack, arn: str = CENTRAL_KEY) -> kms.IKey:
    return kms.Key.from_key_arn(stack, "Key", arn)


ENVIRONMENT = (
    "the store's pipelines run their jobs in this stack's account and region, writing to the "
    "bucket and encrypting with the key: a KMS key works in its own region only, and the "
    "pipelines' roles get identity policies only, which another account's bucket and key "
    "policies don't admit (adopt a bucket and key of the stack's account and region, or create "
    "the store (and its pipelines) in a stack of theirs)"
)
KEY_HINT = "kms.Key.from_key_arn(self, 'ArtifactKey', 'arn:aws:kms:<region>:<account>:key/<id>')"
# A key of another region: the fix is a key of this one (a key of another account is fine).
KEY_REGION = (
    "a KMS key works in its own region only, and the store's buckets and its pipelines' jobs "
    "encrypt in {region} (give a key of region {region}: a multi-Region key's replica there "
    "(kms.Key.from_key_arn(self, 'ArtifactKey', 'arn:aws:kms:{region}:<account>:key/mrk-<id>')), "
    "or a key created in {region})"
)


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        (
            lambda stack: {"bucket": CENTRAL_BUCKET, "key": _key(stack)},
            f"prop 'bucket': expected an s3.IBucket, got str '{CENTRAL_BUCKET}' (import it: "
            f"s3.Bucket.from_bucket_name(self, 'ArtifactBucket', '{CENTRAL_BUCKET}'))",
        ),
        (
            lambda stack: {"bucket": f"s3://{CENTRAL_BUCKET}/ml/", "key": _key(stack)},
            f"prop 'bucket': expected an s3.IBucket, got str 's3://{CENTRAL_BUCKET}/ml/' (import "
            f"it by name: s3.Bucket.from_bucket_name(self, 'ArtifactBucket', '{CENTRAL_BUCKET}'); "
            "the store uses the whole bucket)",
        ),
        (
            lambda stack: {"bucket": f"arn:aws:s3:::{CENTRAL_BUCKET}", "key": _key(stack)},
            f"prop 'bucket': expected an s3.IBucket, got str 'arn:aws:s3:::{CENTRAL_BUCKET}' "
            "(import it: s3.Bucket.from_bucket_arn(self, 'ArtifactBucket', "
            f"'arn:aws:s3:::{CENTRAL_BUCKET}'))",
        ),
        (
            lambda stack: {"bucket": _bucket(stack), "key": CENTRAL_KEY},
            f"prop 'key': expected a kms.IKey, got str {repr(CENTRAL_KEY)[:57]}... (import it: "
            f"kms.Key.from_key_arn(self, 'ArtifactKey', '{CENTRAL_KEY}'))",
        ),
        (
            # An SSE-S3 bucket (or one imported by name): the jobs' outputs need a KMS key.
            lambda stack: {"bucket": _bucket(stack)},
            "prop 'key': imported Bucket Test/Bucket has no encryption_key to take, and the jobs "
            "encrypt their outputs and volumes with the store's KMS key (give the "
            f"customer-managed key the bucket encrypts with: key={KEY_HINT} (for an SSE-S3 "
            "bucket, a key of your own: the jobs' outputs are then encrypted with it))",
        ),
        (
            lambda stack: {"bucket": _bucket(stack), "key": None},
            "prop 'key': imported Bucket Test/Bucket has no encryption_key to take, and the jobs "
            "encrypt their outputs and volumes with the store's KMS key (give the "
            f"customer-managed key the bucket encrypts with: key={KEY_HINT} (for an SSE-S3 "
            "bucket, a key of your own: the jobs' outputs are then encrypted with it))",
        ),
        (
            # SageMaker takes an alias; IAM statements on its ARN grant nothing.
            lambda stack: {
                "bucket": _bucket(stack),
                "key": kms.Alias.from_alias_name(stack, "Alias", "alias/ml"),
            },
            "prop 'key': imported Alias Test/Alias is a KMS alias: IAM grants use of a key by the "
            "key's ARN, so the pipelines' roles would get no use of the key behind it (import "
            f"the key by its key ARN: {KEY_HINT})",
        ),
        (
            lambda stack: {
                "bucket": _bucket(stack),
                "key": _key(stack, f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml"),
            },
            "prop 'key': imported Key Test/Key is a KMS alias: IAM grants use of a key by the "
            "key's ARN, so the pipelines' roles would get no use of the key behind it (import "
            f"the key by its key ARN: {KEY_HINT})",
        ),
        (
            # An alias of this app knows its key: the hint names it.
            lambda stack: {
                "bucket": _bucket(stack),
                "key": kms.Alias(
                    stack, "Alias", alias_name="alias/ml", target_key=kms.Key(stack, "K")
                ),
            },
            "prop 'key': Alias Test/Alias is a KMS alias: IAM grants use of a key by the key's "
            "ARN, so the pipelines' roles would get no use of the key behind it (give the key it "
            "points to: key=alias.alias_target_key)",
        ),
        (
            # No key given: the alias is the bucket's encryption_key, and the problem the bucket's.
            lambda stack: {
                "bucket": _bucket(
                    stack, encryption_key=_key(stack, f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml")
                ),
            },
            "prop 'bucket': its encryption_key, which the store takes as its key: imported Key "
            "Test/Key is a KMS alias: IAM grants use of a key by the key's ARN, so the pipelines' "
            "roles would get no use of the key behind it (import the key by its key ARN: "
            f"{KEY_HINT})",
        ),
        (
            lambda stack: {
                "bucket": _bucket(stack),
                "key": _key(stack, CENTRAL_KEY.replace("us-east-1", "eu-west-1")),
            },
            f"prop 'key': imported Key Test/Key is in region eu-west-1, this stack in us-east-1: "
            f"{KEY_REGION.format(region='us-east-1')}",
        ),
        (
            lambda stack: {"bucket": _bucket(stack, account=OTHER_ACCOUNT), "key": _key(stack)},
            f"prop 'bucket': imported Bucket Test/Bucket is in account {OTHER_ACCOUNT}, this stack "
            f"in {ACCOUNT}: {ENVIRONMENT}",
        ),
        (
            lambda stack: {
                "bucket": _bucket(stack, encryption_key=_key(stack)),
                "key": kms.Key.from_key_arn(stack, "Other", CENTRAL_KEY.replace("1234", "9999")),
            },
            f"prop 'key': the bucket encrypts with another key (its encryption_key, {CENTRAL_KEY}) "
            f"than key ({CENTRAL_KEY.replace('1234', '9999')}): the pipelines' roles would get "
            "this one only, and fail reading objects encrypted with the bucket's (leave key out "
            "to use the bucket's encryption_key, or give that key)",
        ),
        (
            # Two keys created in this app: their ARNs are tokens, but they are two keys.
            lambda stack: {
                "bucket": s3.Bucket(stack, "Bucket", encryption_key=kms.Key(stack, "BucketKey")),
                "key": kms.Key(stack, "Other"),
            },
            "prop 'key': the bucket encrypts with another key (its encryption_key, Key "
            "Test/BucketKey) than key (Key Test/Other): the pipelines' roles would get this one "
            "only, and fail reading objects encrypted with the bucket's (leave key out to use "
            "the bucket's encryption_key, or give that key)",
        ),
        (
            # An alias ARN given as a string: the hint must not import it as a key.
            lambda stack: {
                "bucket": _bucket(stack),
                "key": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml",
            },
            f"prop 'key': expected a kms.IKey, got str 'arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml' "
            f"(a kms.Key of this app, or one imported by its key ARN: {KEY_HINT})",
        ),
        (
            lambda stack: {
                "bucket": s3.Bucket(new_stack(), "Bucket"),
                "key": _key(stack),
            },
            "prop 'bucket': Bucket Test/Bucket belongs to another CDK app: a template can only "
            "refer to the resources of its own app (create it in this app, or import it by name "
            "or ARN (X.from_…(self, id, …)))",
        ),
        (
            # An imported key is a jsii proxy that is no Construct: it was let through.
            lambda stack: {"bucket": _bucket(stack), "key": _key(new_stack())},
            "prop 'key': imported Key Test/Key belongs to another CDK app: a template can only "
            "refer to the resources of its own app (create it in this app, or import it by name "
            "or ARN (X.from_…(self, id, …)))",
        ),
        (
            lambda stack: {
                "bucket": _bucket(stack),
                "key": _key(stack),
                "execution_output_retention": 30,
            },
            "prop 'execution_output_retention': expected a Duration, got int 30 "
            "(Duration.days(30))",
        ),
    ],
)
def test_fails_adopting_what_a_store_cannot_use(props: Any, problem: str):
    stack = new_stack()
    with pytest.raises(PipelineDefinitionError) as raised:
        _adopt(stack, **props(stack))
    assert str(raised.value) == f"ArtifactStore Test/Store has 1 problem:\n- {problem}"
    # Refused before the store joined the tree: the id stays free.
    assert stack.node.try_find_child("Store") is None


def test_fails_adopting_with_a_misspelt_prop():
    from cdk_sagemaker_pipelines.definition import UnknownArgumentError

    stack = new_stack()
    with pytest.raises(UnknownArgumentError) as raised:
        ArtifactStore.from_existing(stack, "Store", bucket=_bucket(stack), kms_key=_key(stack))  # type: ignore[call-arg]
    assert str(raised.value).startswith(
        "ArtifactStore.from_existing takes no argument 'kms_key' (did you mean 'key'?"
    )


def test_an_adopted_store_takes_the_key_arn_of_a_bucket_imported_with_its_alias():
    # The alias may name this very key: not "another key" than the bucket's.
    stack = new_stack()
    alias = _key(stack, f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml")
    key = kms.Key.from_key_arn(stack, "ByArn", CENTRAL_KEY)
    store = _adopt(stack, bucket=_bucket(stack, encryption_key=alias), key=key)
    assert store.key is key
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    store.grant_read(reader)
    key_resources = [
        resource
        for s in grantee_statements(Template.from_stack(stack), reader)
        if "kms:Decrypt" in s["Action"]
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert CENTRAL_KEY in key_resources  # granted by the key's ARN, which IAM matches


@pytest.mark.parametrize("prop", ["bucket", "key"])
def test_fails_adopting_a_bucket_or_key_of_another_stage(prop: str):
    # CDK refers across stacks of one stage only: its own error names neither store nor prop.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    platform = cdk.Stack(cdk.Stage(app, "shared", env=env), "Platform")
    key = kms.Key(platform, "Key")
    bucket = s3.Bucket(platform, "Bucket", encryption_key=key)
    stack = cdk.Stack(cdk.Stage(app, "dev", env=env), "Ml")
    props: dict[str, Any] = (
        {"bucket": bucket}
        if prop == "bucket"
        else {"bucket": s3.Bucket.from_bucket_name(stack, "Central", CENTRAL_BUCKET), "key": key}
    )
    with pytest.raises(PipelineDefinitionError) as raised:
        ArtifactStore.from_existing(stack, "Store", **props)
    kind = "Bucket shared/Platform/Bucket" if prop == "bucket" else "Key shared/Platform/Key"
    assert str(raised.value) == (
        f"ArtifactStore dev/Ml/Store has 1 problem:\n- prop '{prop}': {kind} is in stage "
        "shared, the store in stage dev: a stack can refer to resources of its own stage only "
        "(each stage is deployed as a cloud assembly of its own) (create the store (and its "
        "pipelines) in a stack of that stage, or import the resource in this one by its "
        "literal name or ARN (s3.Bucket.from_bucket_name, kms.Key.from_key_arn))"
    )
    # Of the same stage (another stack of it), both are taken.
    same_stage = cdk.Stack(platform.node.scope, "Ml")  # type: ignore[arg-type]
    assert ArtifactStore.from_existing(same_stage, "Store", bucket=bucket).key is key


OUTPUT_KEY_WARNING = "cdk-sagemaker-pipelines:output-key-not-the-stores"


def _output_key_warnings(output_kms_key: Any, *, adopted: bool = False) -> list[str]:
    """The output-key-not-the-stores warnings of a processing step given ``output_kms_key``.

    ``output_kms_key`` may be a callable of the store's key (its ARN, or its id).
    """
    from cdk_sagemaker_pipelines.cdk import Pipeline
    from tests.cdk.helpers import prep_step

    stack = new_stack()
    if adopted:
        key = kms.Key(stack, "Key")
        bucket = s3.Bucket(stack, "Bucket", encryption_key=key)
        store = ArtifactStore.from_existing(stack, "Store", bucket=bucket, key=key)
    else:
        store = ArtifactStore(stack, "Store")
    step = prep_step()
    if output_kms_key is not None:
        key = output_kms_key(store.key) if callable(output_kms_key) else output_kms_key
        step = dataclasses.replace(step, output_kms_key=key)
    Pipeline(
        stack,
        "Pipeline",
        definition=PipelineDefinition(steps=[step]),
        pipeline_name="churn",
        artifact_store=store,
    )
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(".*"))
    return [str(entry.entry.data) for entry in found if OUTPUT_KEY_WARNING in str(entry.entry.data)]


def test_a_step_naming_another_output_key_for_the_store_is_warned():
    # The store's bucket refuses an upload naming another key (DenyUploadsWithAnotherKmsKey):
    # the job would fail at run time, after its work, when it uploads its outputs.
    other = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/another-key"
    (warning,) = _output_key_warnings(other)
    assert "step 'Prep'" in warning
    assert "ProcessingOutputConfig.KmsKeyId" in warning
    assert other in warning
    # The store's own key by its id: S3 compares the header as sent, so refused too.
    assert len(_output_key_warnings(lambda key: key.key_id)) == 1


@pytest.mark.parametrize(
    "output_kms_key",
    [None, lambda key: key.key_arn],
    ids=["the-binders-default", "the-store-key-by-arn"],
)
def test_no_output_key_warning_for_the_store_key_by_arn(output_kms_key: Any):
    assert _output_key_warnings(output_kms_key) == []


def test_no_output_key_warning_for_an_adopted_bucket_without_the_deny():
    # The store adds no policy to a bucket it didn't make: nothing refuses the key there.
    other = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/another-key"
    assert _output_key_warnings(other, adopted=True) == []


def _store_sealing(pipelines: int) -> cdk.Stack:
    """A store whose bucket policy seals for ``pipelines`` pipelines, as each SealStep's does."""
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    for index in range(pipelines):
        team = Construct(stack, f"Team{index}")
        SealFunction(team, "SealFunction", store=store, pipeline_name=f"team-{index}-training")
    return stack


def test_fails_a_bucket_policy_surely_larger_than_s3_takes():
    # Each pipeline with a SealStep adds a statement and its seal role's ARN (about 500
    # characters, more with the ARN's value) to its store's bucket policy: a store shared
    # by 40 such pipelines passed synth, and S3 refused its policy (20 KB) at deploy.
    stack = _store_sealing(40)
    with pytest.raises(RuntimeError) as raised:
        Template.from_stack(stack)
    message = str(raised.value)
    assert "[Test/Store/Bucket] the policy of bucket Test/Store/Bucket takes at least " in message
    assert (
        "characters (45 statements), more than the 20,480 bytes (20 KB) S3 allows, so the "
        "stack would fail to deploy: give each group of pipelines an ArtifactStore of its own"
    ) in message


def test_a_bucket_policy_that_may_be_larger_than_s3_takes_is_warned():
    # 30 sealed pipelines: at least about 17 KB, depending on the roles' ARNs, estimated
    # at more than 20 KB: warned, not failed.
    stack = _store_sealing(30)
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("bucket-policy-size")
    )
    assert [entry.id for entry in found] == ["/Test/Store/Bucket"]
    message = str(found[0].entry.data)
    assert message.startswith("The policy of this bucket takes about ")
    assert "characters (35 statements; at least " in message
    assert "more than the 20,480 bytes (20 KB) S3 allows: deploying may fail." in message
    # Its key's policy (one statement a pipeline) is within KMS's 32 KB.
    assert not Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("key-policy-size")
    )


def test_a_store_of_a_few_sealed_pipelines_is_not_warned():
    stack = _store_sealing(3)
    assert not Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("policy-size")
    )


def test_a_bucket_policy_is_measured_as_deployed_without_its_duplicate_statements():
    # The template holds a statement added twice (the same grant made by two constructs)
    # once, minimizePolicies or not: 250 copies deploy as one small policy, which neither
    # fails nor is warned. (Without the flag, PolicyDocument.to_json keeps every copy.)
    app = new_app(**{"@aws-cdk/aws-iam:minimizePolicies": False})
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    store = ArtifactStore(stack, "Store")
    for _ in range(250):
        store.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.AccountPrincipal("444455556666")],
                actions=["s3:GetObject"],
                resources=[store.bucket.arn_for_objects("models/*")],
            )
        )
    template = Template.from_stack(stack)  # no RuntimeError
    (policy,) = [
        properties["PolicyDocument"]
        for properties in (
            body["Properties"]
            for body in template.to_json()["Resources"].values()
            if body["Type"] == "AWS::S3::BucketPolicy"
        )
        if "DenyUploadsWithAnotherKmsKey" in str(properties)
    ]
    assert len(policy["Statement"]) < 10
    assert not Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("policy-size")
    )


def test_fails_a_key_policy_surely_larger_than_kms_takes():
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    for index in range(90):  # about 380 characters each, as a sealed pipeline's log grant
        store.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"CloudWatchLogsEncryptsSealFunctionLogs{index:08d}",
                principals=[iam.ServicePrincipal("logs.us-east-1.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnEquals": {
                        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:"
                        f"111122223333:log-group:/aws/lambda/team-{index}-training-sealing"
                    }
                },
            )
        )
    with pytest.raises(RuntimeError) as raised:
        Template.from_stack(stack)
    assert ("[Test/Store/Key] the policy of key Test/Store/Key takes at least ") in str(
        raised.value
    )
    assert "more than the 32,768 bytes (32 KB) KMS allows" in str(raised.value)
