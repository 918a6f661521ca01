"""The roles' statements, read off the definition, and the acknowledged wildcards."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.cdk._acknowledge import (
    REASONS,
    WILDCARD_RULE,
    acknowledge_wildcards,
    flatten_reference,
)
from cdk_sagemaker_pipelines.cdk._policies import RESOURCELESS_ACTIONS, bucket_sid_names
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ContinuousParameter,
    EMRStep,
    FailStep,
    Image,
    JsonGet,
    LambdaStep,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingStep,
    PropertyFile,
    RawStep,
    RegisterModel,
    S3Location,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition.permissions import (
    AUTOML_ROLE_ACTIONS,
    AUTOML_ROLE_LIST_TAGS,
)
from cdk_sagemaker_pipelines.definition.steps import CallbackStep
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    SAGEMAKER_TRUST,
    definition_of,
    literal_definition,
    logical_id,
    prep_and_train,
    prep_step,
    resource,
    s3_arn,
    statements,
    steps_by_name,
    synthesized,
    template_json,
)
from tests.conftest import REPO, ROLE

NAME = "churn"
SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


class Built:
    def __init__(self, stack: cdk.Stack, pipeline: Pipeline, **extra: Any) -> None:
        self.stack = stack
        self.pipeline = pipeline
        self.template = Template.from_stack(stack)
        assert pipeline.role_policy is not None
        self.role = statements(self.template, pipeline.role_policy)
        self.step_role = statements(self.template, pipeline.step_role_policy)
        self.key = logical_id(pipeline.artifact_store.key)
        self.bucket = logical_id(pipeline.artifact_store.bucket)
        self.step_role_id = logical_id(pipeline.step_role)
        self.extra = extra


def inline_function(stack: cdk.Stack, construct_id: str) -> lambda_.Function:
    """A Python Lambda function of the stack, for the steps that invoke one."""
    return lambda_.Function(
        stack,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
    )


@pytest.fixture(scope="module")
def everything() -> Built:
    """Every step type that needs the pipeline role, with literal and token references."""
    stack = new_stack()
    queue = sqs.Queue(stack, "Queue")
    function = inline_function(stack, "Notify")
    report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        outputs=["evaluation"],
        property_files=[report],
    )
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="metrics.accuracy")
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/churn/model.tar.gz",
    )
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/churn/model.tar.gz",
    )
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
    )
    branch = [
        register,
        transform,
        LambdaStep(name="Notify", function_arn=function.function_arn, inputs={"x": "y"}),
        CallbackStep(name="Review", sqs_queue_url=queue.queue_url, inputs={"a": "b"}),
        CallbackStep(
            name="Audit",
            sqs_queue_url=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/audit-queue",
            inputs={"a": "b"},
        ),
        EMRStep(
            name="Spark",
            cluster_id="j-1ABCDEFG2HIJK",
            jar="command-runner.jar",
            args=["spark-submit", "s3://code-bucket/job.py"],
        ),
    ]
    check = ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=0.9)],
        if_steps=branch,
        else_steps=[FailStep(name="TooLow")],
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[check]), pipeline_name=NAME
    )
    return Built(stack, pipeline, queue=logical_id(queue), function=logical_id(function))


def _jobs(kind: str, resource_type: str, actions: list[str]) -> dict[str, Any]:
    return {
        "Action": actions,
        "Effect": "Allow",
        "Resource": f"{SM}:{resource_type}/pipelines-*",
        "Sid": f"{kind}Jobs",
    }


def test_pipeline_role_statements_for_every_step_type(everything: Built):
    queue = {"Ref": everything.extra["queue"]}
    pieces = {"Fn::Split": ["/", queue]}
    assert everything.role == {
        "ModelJobs": _jobs("Model", "model", ["sagemaker:CreateModel", "sagemaker:DescribeModel"]),
        "ProcessingJobs": _jobs(
            "Processing",
            "processing-job",
            [
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
            ],
        ),
        "TransformJobs": _jobs(
            "Transform",
            "transform-job",
            [
                "sagemaker:CreateTransformJob",
                "sagemaker:DescribeTransformJob",
                "sagemaker:StopTransformJob",
            ],
        ),
        "RegisterModelVersionsPendingApproval": {
            "Action": "sagemaker:CreateModelPackage",
            "Condition": {
                "StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}
            },
            "Effect": "Allow",
            "Resource": [
                f"{SM}:model-package-group/churn-models",
                f"{SM}:model-package/churn-models/*",
            ],
            "Sid": "RegisterModelVersionsPendingApproval",
        },
        "DescribeModelVersions": {
            "Action": "sagemaker:DescribeModelPackage",
            "Effect": "Allow",
            "Resource": f"{SM}:model-package/churn-models/*",
            "Sid": "DescribeModelVersions",
        },
        "TagPipelineResources": {
            "Action": "sagemaker:AddTags",
            "Effect": "Allow",
            "Resource": [
                f"{SM}:model-package/churn-models/*",
                f"{SM}:model/pipelines-*",
                f"{SM}:processing-job/pipelines-*",
                f"{SM}:transform-job/pipelines-*",
            ],
            "Sid": "TagPipelineResources",
        },
        "PassStepRoleToSageMaker": {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [everything.step_role_id, "Arn"]},
            "Sid": "PassStepRoleToSageMaker",
        },
        "LetJobsUseTheirKeys": {
            "Action": "kms:CreateGrant",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [everything.key, "Arn"]},
            "Sid": "LetJobsUseTheirKeys",
        },
        "DescribeJobKeys": {
            "Action": "kms:DescribeKey",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [everything.key, "Arn"]},
            "Sid": "DescribeJobKeys",
        },
        "InvokeLambdaSteps": {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [everything.extra["function"], "Arn"]},
            "Sid": "InvokeLambdaSteps",
        },
        "SendCallbackMessages": {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": [
                {
                    "Fn::Join": [
                        "",
                        ["arn:", {"Ref": "AWS::Partition"}, f":sqs:{REGION}:{ACCOUNT}:audit-queue"],
                    ]
                },
                {
                    "Fn::Join": [
                        ":",
                        [
                            "arn",
                            {"Ref": "AWS::Partition"},
                            "sqs",
                            {"Fn::Select": [1, {"Fn::Split": [".", {"Fn::Select": [2, pieces]}]}]},
                            {"Fn::Select": [3, pieces]},
                            {"Fn::Select": [4, pieces]},
                        ],
                    ]
                },
            ],
            "Sid": "SendCallbackMessages",
        },
        # As AWS's AmazonSageMakerPipelinesIntegrations grants them for EMR steps, scoped to
        # the cluster, the rule and no runtime role.
        "RunEmrSteps": {
            "Action": "elasticmapreduce:AddJobFlowSteps",
            "Condition": {"Null": {"elasticmapreduce:ExecutionRoleArn": "true"}},
            "Effect": "Allow",
            "Resource": f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-1ABCDEFG2HIJK",
            "Sid": "RunEmrSteps",
        },
        "FollowEmrSteps": {
            "Action": [
                "elasticmapreduce:CancelSteps",
                "elasticmapreduce:DescribeCluster",
                "elasticmapreduce:DescribeStep",
                "elasticmapreduce:ListSteps",
            ],
            "Effect": "Allow",
            "Resource": f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-1ABCDEFG2HIJK",
            "Sid": "FollowEmrSteps",
        },
        "WatchEmrStatusChanges": {
            "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            "Effect": "Allow",
            "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
            "SageMakerPipelineExecutionEMRStepStatusUpdateRule",
            "Sid": "WatchEmrStatusChanges",
        },
        "ReadPropertyFilesInArtifactsBucket": {
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Effect": "Allow",
            "Resource": s3_arn(
                [
                    {"Ref": everything.bucket},
                    f"/executions/{NAME}/Evaluate/*/evaluation/evaluation.json*",
                ]
            ),
            "Sid": "ReadPropertyFilesInArtifactsBucket",
        },
        "UseKeyOfPropertyFilesInArtifactsBucket": {
            "Action": "kms:Decrypt",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [everything.key, "Arn"]},
            "Sid": "UseKeyOfPropertyFilesInArtifactsBucket",
        },
        # The store's key, which the library sets on its processing and transform jobs:
        # a job request with another key is denied (one without a key is not).
        **{
            f"DenyJobsWithAnother{kind}Key": {
                "Action": ["sagemaker:CreateProcessingJob", "sagemaker:CreateTransformJob"],
                "Condition": {
                    "Null": {f"sagemaker:{kind}KmsKey": "false"},
                    "ArnNotEquals": {
                        f"sagemaker:{kind}KmsKey": [{"Fn::GetAtt": [everything.key, "Arn"]}]
                    },
                },
                "Effect": "Deny",
                "Resource": [f"{SM}:processing-job/pipelines-*", f"{SM}:transform-job/pipelines-*"],
                "Sid": f"DenyJobsWithAnother{kind}Key",
            }
            for kind in ("Volume", "Output")
        },
    }


def test_step_role_reads_and_writes_exactly_the_locations_used(everything: Built):
    found = everything.step_role
    reads = {sid: entry["Resource"] for sid, entry in found.items() if sid.startswith("Read")}
    writes = {sid: entry["Resource"] for sid, entry in found.items() if sid.startswith("WriteData")}
    assert reads == {
        "ReadDataInModelsBucket": s3_arn("models-bucket/churn/model.tar.gz*"),
        "ReadDataInCodeBucket": s3_arn("code-bucket/evaluate.py*"),
        "ReadDataInBatchBucket": s3_arn("batch-bucket/in/*"),
    }
    assert writes == {
        "WriteDataInBatchBucket": s3_arn("batch-bucket/out/*"),
        "WriteDataInArtifactsBucket": s3_arn(
            [{"Ref": everything.bucket}, f"/executions/{NAME}/Evaluate/*/evaluation*"]
        ),
    }
    assert found["ListDataInBatchBucket"]["Condition"] == {
        "StringLike": {"s3:prefix": ["in/*", "out/*"]}
    }


def test_only_the_step_role_is_passed(everything: Built):
    passed = [entry for entry in everything.role.values() if entry["Action"] == "iam:PassRole"]
    assert len(passed) == 1
    assert passed[0]["Resource"] == {"Fn::GetAtt": [everything.step_role_id, "Arn"]}


def test_callback_messages_to_a_kms_encrypted_queue_may_use_its_key():
    # SendMessage to an SSE-KMS queue also needs kms:GenerateDataKey and kms:Decrypt on the
    # queue's key; without them the callback step fails at run time.
    stack = new_stack()
    queue = sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.KMS)
    review = CallbackStep(name="Review", sqs_queue_url=queue.queue_url, inputs={"a": "b"})
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[review]), pipeline_name=NAME
    )
    assert pipeline.role_policy is not None
    assert queue.encryption_master_key is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    assert role["EncryptCallbackMessages"] == {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [logical_id(queue.encryption_master_key), "Arn"]},
        "Sid": "EncryptCallbackMessages",
    }


def test_callback_messages_to_an_imported_kms_encrypted_queue_may_use_its_key():
    # A central queue imported with its key: its URL is built from pseudo parameters, so the
    # queue is found among the stack's constructs.
    stack = new_stack()
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    queue = sqs.Queue.from_queue_attributes(
        stack,
        "Reviews",
        queue_arn="arn:aws:sqs:us-east-1:111122223333:model-reviews",
        key_arn=key_arn,
    )
    plain = sqs.Queue.from_queue_arn(stack, "Plain", "arn:aws:sqs:us-east-1:111122223333:plain")
    steps = [
        CallbackStep(name="Review", sqs_queue_url=queue.queue_url, inputs={"a": "b"}),
        CallbackStep(name="Notify", sqs_queue_url=plain.queue_url, inputs={"a": "b"}),
    ]
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=steps), pipeline_name=NAME
    )
    assert pipeline.role_policy is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    assert role["EncryptCallbackMessages"]["Resource"] == key_arn


def test_callback_messages_to_a_queue_imported_with_its_url_may_use_its_key():
    # Imported with queue_url=: the URL is a literal, and the queue is found by it all the same.
    stack = new_stack()
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    # Another encrypted queue of the app, found first: only the queue of that URL counts.
    sqs.Queue.from_queue_attributes(
        stack,
        "Other",
        queue_arn="arn:aws:sqs:us-east-1:111122223333:other",
        queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/other",
        key_arn=key_arn.replace("1234abcd", "9999abcd"),
    )
    # The same queue imported without its key, found first too: the import naming the key counts.
    sqs.Queue.from_queue_attributes(
        stack,
        "Unkeyed",
        queue_arn="arn:aws:sqs:us-east-1:111122223333:model-reviews",
        queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/model-reviews",
    )
    queue = sqs.Queue.from_queue_attributes(
        stack,
        "Reviews",
        queue_arn="arn:aws:sqs:us-east-1:111122223333:model-reviews",
        queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/model-reviews",
        key_arn=key_arn,
    )
    steps = [CallbackStep(name="Review", sqs_queue_url=queue.queue_url, inputs={"a": "b"})]
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=steps), pipeline_name=NAME
    )
    assert pipeline.role_policy is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    assert role["EncryptCallbackMessages"]["Resource"] == key_arn


def test_a_function_given_by_name_or_a_queue_by_arn_fails_naming_the_step_and_field():
    # fn.function_name and queue.queue_arn are tokens validation can't judge: the pipeline
    # role's lambda:InvokeFunction would name a function by name (IAM refuses the policy) and
    # its sqs:SendMessage split an ARN as a URL (Fn::Select fails): the deploy would fail.
    stack = new_stack()
    function = inline_function(stack, "Notify")
    queue = sqs.Queue(stack, "Queue")
    steps = [
        LambdaStep(name="Notify", function_arn=function.function_name),
        CallbackStep(name="Review", sqs_queue_url=queue.queue_arn),
        CallbackStep(name="Audit", sqs_queue_url=queue.queue_name),
    ]
    with pytest.raises(PipelineValidationError) as caught:
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps), pipeline_name=NAME)

    assert str(caught.value).startswith("Pipeline Test/Training has 3 problems:")
    grants = "the pipeline role's grant can't be derived from it, and the deployment would fail"
    assert sorted(str(problem) for problem in caught.value.problems) == [
        f"step 'Audit' field 'SqsQueueUrl' (sqs_queue_url=): got the name of SQS queue "
        f"Test/Queue, not its URL: {grants} (pass sqs_queue_url=queue.queue_url)",
        f"step 'Notify' field 'FunctionArn' (function_arn=): got the name of Lambda function "
        f"Test/Notify, not its ARN: {grants} (pass function_arn=fn.function_arn)",
        f"step 'Review' field 'SqsQueueUrl' (sqs_queue_url=): got the ARN of SQS queue "
        f"Test/Queue, not its URL: {grants} (pass sqs_queue_url=queue.queue_url)",
    ]
    # In a definition JSON, the problem names the field only.
    entry = {"Name": "Notify", "Type": "Lambda", "FunctionArn": function.function_name}
    with pytest.raises(PipelineValidationError) as caught:
        Pipeline(stack, "Json", definition={"Version": "2020-12-01", "Steps": [entry]})
    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument) == ("Notify", "FunctionArn", None)
    # A RawStep's names the keyword that holds the field.
    raw = RawStep.from_json({**entry, "Arguments": {}})
    with pytest.raises(PipelineValidationError) as caught:
        Pipeline(stack, "Raw", definition=PipelineDefinition(steps=[raw]))
    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "Notify",
        "FunctionArn",
        "extra_fields",
    )


def test_a_function_version_or_alias_and_a_queue_url_are_what_the_steps_take():
    # A version's or an alias's Ref is its ARN, unlike a function's.
    stack = new_stack()
    function = inline_function(stack, "Notify")
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    queue = sqs.Queue(stack, "Queue")
    steps = [
        LambdaStep(name="Notify", function_arn=function.current_version.function_arn),
        LambdaStep(name="Score", function_arn=alias.function_arn),
        CallbackStep(name="Review", sqs_queue_url=queue.queue_url),
    ]
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=steps), pipeline_name=NAME
    )
    assert pipeline.role_policy is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    given = [function.current_version.function_arn, alias.function_arn]
    assert sorted(map(str, role["InvokeLambdaSteps"]["Resource"])) == sorted(
        str(stack.resolve(arn)) for arn in given
    )


@pytest.fixture(scope="module")
def in_literal_vpc() -> tuple[Pipeline, Annotations, Template]:
    """A definition whose job names its VPC subnets and security groups literally."""
    definition = literal_definition()
    definition["Steps"][0]["Arguments"]["NetworkConfig"] = {
        "VpcConfig": {"Subnets": ["subnet-0abc"], "SecurityGroupIds": ["sg-0def"]}
    }
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    return pipeline, annotations, Template.from_stack(stack)


def test_a_vpc_config_in_the_definition_lets_the_step_role_create_job_interfaces(
    in_literal_vpc: tuple[Pipeline, Annotations, Template],
):
    # A job in a VPC the definition names (not the construct's vpc=) got no ENI permissions:
    # SageMaker rejects CreateProcessingJob when the role can't create them.
    pipeline, _, template = in_literal_vpc
    step_role = statements(template, pipeline.step_role_policy)
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert step_role["ManageJobNetworkInterfaces"]["Resource"] == [
        f"{ec2}:network-interface/*",
        f"{ec2}:security-group/sg-0def",
        f"{ec2}:subnet/subnet-0abc",
    ]
    assert "ec2:DescribeVpcs" in step_role["DescribeJobNetwork"]["Action"]


def test_vpc_subnets_known_only_at_run_time_are_warned():
    # The ENI grant fell back to subnet/* and security-group/* without a word.
    definition = literal_definition()
    definition.setdefault("Parameters", []).append({"Name": "Subnet", "Type": "String"})
    definition["Steps"][0]["Arguments"]["NetworkConfig"] = {
        "VpcConfig": {"Subnets": [{"Get": "Parameters.Subnet"}], "SecurityGroupIds": ["sg-0def"]}
    }
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    step_role = statements(Template.from_stack(stack), pipeline.step_role_policy)
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert f"{ec2}:subnet/*" in step_role["ManageJobNetworkInterfaces"]["Resource"]
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The VPC subnets or security groups of step 'Prep' field "
            r"'Arguments\.NetworkConfig\.VpcConfig\.Subnets' are known only at run time, so "
            r"the step role may create job network interfaces in any subnet .*"
            r"\[ack: cdk-sagemaker-pipelines:open-vpc-config\]$"
        ),
    )


def test_literal_vpc_subnets_are_not_warned(in_literal_vpc: tuple[Pipeline, Annotations, Template]):
    _, annotations, _ = in_literal_vpc
    annotations.has_no_warning("*", Match.string_like_regexp("VPC subnets"))


def test_a_literal_json_definition_gets_exact_statements():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=literal_definition(), pipeline_name=NAME)
    template = Template.from_stack(stack)
    assert pipeline.role_policy is not None
    role = statements(template, pipeline.role_policy)
    keys = [
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/output-key",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/volume-key",
    ]
    assert sorted(role) == [
        "DenyJobsWithAnotherOutputKey",
        "DenyJobsWithAnotherVolumeKey",
        "DescribeJobKeys",
        "LetJobsUseTheirKeys",
        "PassStepRoleToSageMaker",
        "ProcessingJobs",
        "TagPipelineResources",
    ]
    assert role["PassStepRoleToSageMaker"]["Resource"] == ROLE
    assert role["LetJobsUseTheirKeys"]["Resource"] == keys
    assert role["DescribeJobKeys"]["Resource"] == keys
    step_role = statements(template, pipeline.step_role_policy)
    assert step_role == {
        "ReadDataInRawDataBucket": {
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Effect": "Allow",
            "Resource": s3_arn("raw-data/incoming/*"),
            "Sid": "ReadDataInRawDataBucket",
        },
        "ListDataInRawDataBucket": {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": ["incoming/*"]}},
            "Effect": "Allow",
            "Resource": s3_arn("raw-data"),
            "Sid": "ListDataInRawDataBucket",
        },
        "ReadDataInCodeBucket": {
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Effect": "Allow",
            "Resource": s3_arn("code-bucket/scripts/prep.py*"),
            "Sid": "ReadDataInCodeBucket",
        },
        "ListDataInCodeBucket": {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": ["scripts/prep.py*"]}},
            "Effect": "Allow",
            "Resource": s3_arn("code-bucket"),
            "Sid": "ListDataInCodeBucket",
        },
        "WriteDataInOutBucket": {
            "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": s3_arn(f"out-bucket/{NAME}/Prep/*/train*"),
            "Sid": "WriteDataInOutBucket",
        },
        "ListDataInOutBucket": {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": [f"{NAME}/Prep/*/train*"]}},
            "Effect": "Allow",
            "Resource": s3_arn("out-bucket"),
            "Sid": "ListDataInOutBucket",
        },
        "EncryptJobVolumesAndOutputs": {
            "Action": [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            "Effect": "Allow",
            "Resource": keys,
            "Sid": "EncryptJobVolumesAndOutputs",
        },
        # The SageMaker guide's policy for the role a processing job runs with: "If you
        # specify a volume KMS key in the resource configuration of your processing job",
        # kms:CreateGrant. On the volume key only, not the output key.
        "LetJobVolumesUseTheirKeys": {
            "Action": "kms:CreateGrant",
            "Effect": "Allow",
            "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/volume-key",
            "Sid": "LetJobVolumesUseTheirKeys",
        },
        "WriteJobLogs": {
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Effect": "Allow",
            "Resource": [
                # Its processing job's group only ("Log groups and streams that Amazon
                # SageMaker AI sends to Amazon CloudWatch Logs").
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs",
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
                ":log-stream:*",
            ],
            "Sid": "WriteJobLogs",
        },
        "PublishJobMetrics": {
            "Action": "cloudwatch:PutMetricData",
            "Condition": {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
            "Effect": "Allow",
            "Resource": "*",
            "Sid": "PublishJobMetrics",
        },
    }


# -- statement ids that say which bucket ----------------------------------------------------

_SID = re.compile(r"[A-Za-z0-9]+")


def _hash(identity: str, length: int) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:length].upper()


def _bucket_statements(found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The S3 statements' Sids and resources (their keys' statements: Sids only)."""
    return {
        sid: entry["Resource"]
        for sid, entry in found.items()
        if re.fullmatch(r"(Read|Write|List|UseKeyOf)(PipelineWide)?Data\w*", sid)
    }


def test_each_buckets_statements_say_which_bucket(tmp_path):
    # ReadDataBucket2 said nothing of which bucket: the artifact store's, the CDK assets
    # bucket, one of the app, one named literally, a parameter and a name known only at
    # deploy time each get their own readable Sid.
    script = tmp_path / "prep.py"
    script.write_text("print(1)\n")
    stack = new_stack()
    landing = s3.Bucket(stack, "LandingBucket")  # a trailing "Bucket" isn't repeated
    reference = cdk.CfnParameter(stack, "ReferenceBucketName")
    team = cdk.Fn.join("-", ["team", cdk.Aws.ACCOUNT_ID])
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(str(script)),
        inputs={
            "landing": S3Location.from_bucket(landing, "new/"),
            "raw": "s3://raw-data.v2/incoming/",
            "reference": f"s3://{reference.value_as_string}/ref/",
            "team": f"s3://{team}/shared/",
        },
        outputs=["train"],
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[prep]), pipeline_name=NAME
    )
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    joined = _hash(json.dumps(stack.resolve(team), sort_keys=True), 8)
    artifacts = [{"Ref": logical_id(pipeline.artifact_store.bucket)}]
    buckets = _bucket_statements(found)
    assert sorted(buckets) == sorted(
        [
            "ReadDataInLandingBucket",
            "ListDataInLandingBucket",
            "ReadDataInRawDataV2Bucket",
            "ListDataInRawDataV2Bucket",
            "ReadDataInReferenceBucket",
            "ListDataInReferenceBucket",
            f"ReadDataIn{joined}Bucket",
            f"ListDataIn{joined}Bucket",
            "ReadDataInAssetsBucket",
            "ListDataInAssetsBucket",
            "WriteDataInArtifactsBucket",
            "ListDataInArtifactsBucket",
            "UseKeyOfDataInArtifactsBucket",
        ]
    )
    assert buckets["ReadDataInLandingBucket"] == s3_arn([{"Ref": logical_id(landing)}, "/new/*"])
    assert buckets["ReadDataInRawDataV2Bucket"] == s3_arn("raw-data.v2/incoming/*")
    assert buckets["ReadDataInReferenceBucket"] == s3_arn(
        [{"Ref": "ReferenceBucketName"}, "/ref/*"]
    )
    assert "cdk-hnb659fds-assets" in json.dumps(buckets["ReadDataInAssetsBucket"])
    assert buckets["WriteDataInArtifactsBucket"] == s3_arn(
        [*artifacts, f"/executions/{NAME}/Prep/*/train*"]
    )
    assert all(_SID.fullmatch(sid) for sid in found)


def test_the_assets_bucket_is_named_so_in_an_environment_agnostic_stack_too(tmp_path):
    # There each asset's bucket name is a token of its own (Fn::Sub of the account and
    # region): the binder spells it once, and the statements call it Assets.
    script = tmp_path / "prep.py"
    script.write_text("print(1)\n")
    stack = cdk.Stack(new_app(), "Agnostic")
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_asset(str(script))
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    reads = found["ReadDataInAssetsBucket"]["Resource"]
    assert "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}" in json.dumps(reads)
    assert "ListDataInAssetsBucket" in found


def _colliding(stack: cdk.Stack, *, reverse: bool) -> Pipeline:
    """A pipeline reading three buckets called Data and one called Artifacts."""
    data = s3.Bucket(stack, "Data")
    inputs: dict[str, Any] = {
        "app": S3Location.from_bucket(data, "in/"),
        "literal": "s3://data/in/",
        "spelt": "s3://data-bucket/in/",
        "artifacts": "s3://artifacts/in/",
    }
    if reverse:
        inputs = dict(reversed(inputs.items()))
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), inputs=inputs, outputs=["train"]
    )
    return Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[prep]), pipeline_name=NAME
    )


@pytest.mark.parametrize("reverse", [False, True])
def test_buckets_whose_names_collide_are_told_apart_in_any_order(reverse: bool):
    # A bucket of the app called Data, buckets named data and data-bucket, and one named
    # artifacts beside the artifact store's: each gets a Sid of its own, the same whatever
    # order the steps name them in. The artifact store's keeps its plain name.
    stack = new_stack()
    pipeline = _colliding(stack, reverse=reverse)
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    app = _hash(json.dumps({"Ref": logical_id(stack.node.find_child("Data"))}), 6)
    reads = {
        sid: resource
        for sid, resource in _bucket_statements(found).items()
        if sid.startswith("ReadData")
    }
    assert reads == {
        f"ReadDataInData{app}Bucket": s3_arn(
            [{"Ref": logical_id(stack.node.find_child("Data"))}, "/in/*"]
        ),
        f"ReadDataInData{_hash('data', 6)}Bucket": s3_arn("data/in/*"),
        f"ReadDataInData{_hash('data-bucket', 6)}Bucket": s3_arn("data-bucket/in/*"),
        f"ReadDataInArtifacts{_hash('artifacts', 6)}Bucket": s3_arn("artifacts/in/*"),
    }
    assert "WriteDataInArtifactsBucket" in found


def test_a_bucket_added_to_a_pipeline_leaves_the_other_statements_ids_alone(tmp_path):
    # By position, a bucket read first renumbered every other bucket's statements: a
    # one-line change was a diff of every S3 statement in the stack snapshots.
    script = tmp_path / "prep.py"
    script.write_text("print(1)\n")

    def step_role(added: bool) -> dict[str, dict[str, Any]]:
        stack = new_stack()
        landing = s3.Bucket(stack, "Landing")
        inputs: dict[str, Any] = {"first": "s3://another-bucket/in/"} if added else {}
        inputs.update(landing=S3Location.from_bucket(landing, "new/"), raw="s3://raw-data/in/")
        prep = ProcessingStep(
            name="Prep",
            image=Image.sklearn("1.2-1"),
            code=Code.from_asset(str(script)),
            inputs=inputs,
            outputs=["train"],
        )
        pipeline = Pipeline(
            stack, "Training", definition=PipelineDefinition(steps=[prep]), pipeline_name=NAME
        )
        return statements(Template.from_stack(stack), pipeline.step_role_policy)

    before, after = step_role(added=False), step_role(added=True)
    assert set(after) - set(before) == {"ReadDataInAnotherBucket", "ListDataInAnotherBucket"}
    # Every other statement is where it was, word for word.
    assert {sid: after[sid] for sid in before} == before


def test_bucket_sid_names_are_unique_short_and_independent_of_order():
    long_name = "AVeryLongBucketNameThatGoesOnAndOnForFiftyCharacters"
    buckets = ["artifacts-token", "raw-data", "Raw_Data", long_name, "same", "same-again"]
    given = {"artifacts-token": "Artifacts"}
    names = {
        "artifacts-token": "Artifacts",
        "raw-data": "RawData",
        "Raw_Data": "RawData",
        long_name: long_name,
        "same": "Same",
        "same-again": "Same",
    }
    # Two buckets of one identity (a bucket spelt twice) are numbered in order.
    identities = {bucket: bucket for bucket in buckets} | {"same-again": "same"}
    found = bucket_sid_names(
        buckets, given=given, name=names.__getitem__, identity=identities.__getitem__
    )
    assert found == {
        "artifacts-token": "Artifacts",
        "raw-data": f"RawData{_hash('raw-data', 6)}",
        "Raw_Data": f"RawData{_hash('Raw_Data', 6)}",
        long_name: f"{long_name[:32]}{_hash(long_name, 8)}",
        "same": f"Same{_hash('same', 6)}",
        "same-again": f"Same{_hash('same', 6)}2",
    }
    assert all(_SID.fullmatch(name) and len(name) <= 40 for name in found.values())
    shuffled = bucket_sid_names(
        list(reversed(buckets[:4])),
        given=given,
        name=names.__getitem__,
        identity=identities.__getitem__,
    )
    assert shuffled == {bucket: found[bucket] for bucket in buckets[:4]}


def test_a_bucket_named_like_another_statement_kind_keeps_its_s3_reason():
    # Reasons are found by Sid prefix or suffix (ProcessingJobs, …ByAlias): a bucket named
    # ml-jobs or key-by-alias must not make its statement end like those.
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"jobs": "s3://ml-jobs/in/", "alias": "s3://key-by-alias/in/"},
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[prep]), pipeline_name=NAME
    )
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    assert {"ReadDataInMlJobsBucket", "ReadDataInKeyByAliasBucket"} <= set(found)
    acknowledged = _acknowledged(pipeline.step_role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::arn:<AWS::Partition>:s3:::"
    for bucket in ("ml-jobs", "key-by-alias"):
        assert (
            acknowledged[f"{prefix}{bucket}/in/*]"] == f"jobs of pipeline {NAME}: {REASONS['Read']}"
        )


def test_custom_job_name_prefixes_scope_the_job_statements():
    # The SDK's PipelineDefinitionConfig(use_custom_job_prefix=True): jobs are named
    # <prefix>-<execution>-..., so pipelines-* would not match them.
    definition = literal_definition()
    definition["Steps"].append({**copy.deepcopy(definition["Steps"][0]), "Name": "Prep2"})
    definition["Steps"][0]["Arguments"]["ProcessingJobName"] = "team-a-prep"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    jobs = [f"{SM}:processing-job/pipelines-*", f"{SM}:processing-job/team-a-prep-*"]
    assert sorted(role["ProcessingJobs"]["Resource"]) == jobs
    assert sorted(role["TagPipelineResources"]["Resource"]) == jobs


def test_a_custom_job_name_prefix_known_only_at_run_time_is_warned():
    # Any name matches a prefix the definition computes: the grant can't be scoped.
    definition = literal_definition()
    definition.setdefault("Parameters", []).append(
        {"Name": "Team", "Type": "String", "DefaultValue": "team-a"}
    )
    definition["Steps"][0]["Arguments"]["ProcessingJobName"] = {"Get": "Parameters.Team"}
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    assert role["ProcessingJobs"]["Resource"] == f"{SM}:processing-job/*"
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The job-name prefix of step 'Prep' field 'Arguments\.ProcessingJobName' is an "
            r"expression, known only at run time, so the pipeline role may create, describe and "
            r"stop jobs of that type with any name .*"
            r"\[ack: cdk-sagemaker-pipelines:open-job-name-prefix\]$"
        ),
    )


def test_a_literal_custom_job_name_prefix_is_not_warned():
    definition = literal_definition()
    definition["Steps"][0]["Arguments"]["ProcessingJobName"] = "team-a-prep"
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("job-name prefix"))


def test_nothing_is_granted_for_step_types_not_used():
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code-bucket/p.py")
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    template = Template.from_stack(stack)
    assert pipeline.role_policy is not None
    role = statements(template, pipeline.role_policy)
    assert sorted(role) == [
        "DenyJobsWithAnotherVolumeKey",
        "DescribeJobKeys",
        "LetJobsUseTheirKeys",
        "PassStepRoleToSageMaker",
        "ProcessingJobs",
        "TagPipelineResources",
    ]
    assert role["TagPipelineResources"]["Resource"] == f"{SM}:processing-job/pipelines-*"
    text = str(role) + str(statements(template, pipeline.step_role_policy))
    for absent in ("training-job", "lambda:", "sqs:", "elasticmapreduce:", "ModelPackage", "ecr:"):
        assert absent not in text


def test_kms_key_ids_become_arns():
    definition = literal_definition()
    cluster = definition["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    cluster["VolumeKmsKeyId"] = "1234abcd-12ab-34cd-56ef-1234567890ab"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition)
    assert pipeline.role_policy is not None
    role = statements(Template.from_stack(stack), pipeline.role_policy)
    assert role["LetJobsUseTheirKeys"]["Resource"] == [
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/output-key",
    ]


def test_kms_keys_given_by_alias_are_granted_through_a_resource_aliases_condition():
    # An alias ARN in Resource applies to the alias, not to its key (KMS developer guide,
    # "Use aliases to control access to KMS keys"): the grants never matched and the jobs
    # were denied their keys at run time.
    definition = literal_definition()
    arguments = definition["Steps"][0]["Arguments"]
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = "alias/volumes"
    other_account = "arn:aws:kms:eu-west-1:444455556666"
    arguments["ProcessingOutputConfig"]["KmsKeyId"] = f"{other_account}:alias/out"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    template = Template.from_stack(stack)
    role = statements(template, pipeline.role_policy)
    assert not any(":alias/" in json.dumps(statement) for statement in role.values())
    assert "LetJobsUseTheirKeys" not in role  # no key given by id or ARN
    assert role["LetJobsUseTheirKeys1ByAlias"] == {
        "Action": "kms:CreateGrant",
        "Condition": {
            "Bool": {"kms:GrantIsForAWSResource": "true"},
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/volumes"]},
        },
        "Effect": "Allow",
        "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*",
        "Sid": "LetJobsUseTheirKeys1ByAlias",
    }
    assert role["DescribeJobKeys2ByAlias"] == {
        "Action": "kms:DescribeKey",
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/out"]}},
        "Effect": "Allow",
        "Resource": f"{other_account}:key/*",
        "Sid": "DescribeJobKeys2ByAlias",
    }
    step_role = statements(template, pipeline.step_role_policy)
    assert "EncryptJobVolumesAndOutputs" not in step_role
    assert step_role["EncryptJobVolumesAndOutputs1ByAlias"]["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/volumes"]}
    }
    # The key/* wildcards are acknowledged to cdk-nag with the reason.
    acknowledged = _acknowledged(pipeline.role_policy)
    assert any("kms:ResourceAliases" in reason for reason in acknowledged.values())


# -- acknowledgments -------------------------------------------------------------------------


def _acknowledged(construct: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in construct.node.metadata:
        if entry.type == ACKNOWLEDGED:
            found.update(entry.data)
    return found


def test_pipeline_role_wildcards_are_acknowledged_one_by_one(everything: Built):
    assert everything.pipeline.role_policy is not None
    acknowledged = _acknowledged(everything.pipeline.role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    bucket = f"<{everything.bucket}>"
    assert sorted(acknowledged) == sorted(
        f"{prefix}{resource}]"
        for resource in (
            f"{SM}:model/pipelines-*",
            f"{SM}:processing-job/pipelines-*",
            f"{SM}:transform-job/pipelines-*",
            f"{SM}:model-package/churn-models/*",
            f"arn:<AWS::Partition>:s3:::{bucket}/executions/{NAME}/Evaluate/*/evaluation/"
            "evaluation.json*",
        )
    )
    reason = acknowledged[f"{prefix}{SM}:processing-job/pipelines-*]"]
    assert reason.startswith(f"pipeline {NAME}: SageMaker names pipeline jobs pipelines-")
    package = acknowledged[f"{prefix}{SM}:model-package/churn-models/*]"]
    assert "the registry numbers versions itself" in package


def test_step_role_wildcards_are_acknowledged_with_their_reasons(everything: Built):
    acknowledged = _acknowledged(everything.pipeline.step_role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
    assert acknowledged[f"{prefix}*]"].startswith(
        f"jobs of pipeline {NAME}: cloudwatch:PutMetricData has no resource type"
    )
    assert "one log stream per job" in acknowledged[f"{prefix}{logs}:log-stream:*]"]
    assert (
        "writes under its own execution-id prefix"
        in acknowledged[f"{prefix}arn:<AWS::Partition>:s3:::batch-bucket/out/*]"]
    )
    assert (
        "reads under its own execution-id prefix"
        in acknowledged[f"{prefix}arn:<AWS::Partition>:s3:::batch-bucket/in/*]"]
    )
    # Resources without a wildcard (the key) are never acknowledged.
    assert not any(everything.key in finding for finding in acknowledged)


def test_wildcards_after_a_literal_key_are_acknowledged_as_key_prefixes():
    # An S3Prefix input names a key prefix: the job reads every object whose key starts
    # with it, hence the trailing * on a location that holds no execution id. Its
    # acknowledgment must say so, not claim an execution id the location doesn't have.
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": "s3://data-bucket/raw/file.csv"},
        outputs=["train"],
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[prep]), pipeline_name=NAME
    )
    Template.from_stack(stack)
    acknowledged = _acknowledged(pipeline.step_role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::arn:<AWS::Partition>:s3:::"
    read = acknowledged[f"{prefix}data-bucket/raw/file.csv*]"]
    assert "key prefix" in read
    written = [reason for finding, reason in acknowledged.items() if f"/{NAME}/Prep/*/" in finding]
    assert written
    assert all("key prefix" in reason for reason in written)


def test_emr_wildcards_are_acknowledged_with_their_reasons():
    # A step creating its cluster: any cluster id, RunJobFlow on *, and a service role
    # given by name, of any path. Each finding is acknowledged, with its reason.
    emr = json.loads(
        (REPO / "tests/definition/sdk_generated/emr-runtime-role.json").read_text(encoding="utf-8")
    )
    arguments = emr["Steps"][0]["Arguments"]
    del arguments["ClusterId"], arguments["ExecutionRoleArn"]
    emr["Parameters"] = []
    arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.6.0",
        "Instances": {"InstanceGroups": []},
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
    }
    pipeline = Pipeline(new_stack(), "Emr", definition=emr, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    acknowledged = _acknowledged(pipeline.role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    clusters = f"{prefix}arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/*]"
    role = f"{prefix}arn:aws:iam::{ACCOUNT}:role/*/EMR_DefaultRole]"
    assert sorted(acknowledged) == sorted([clusters, f"{prefix}*]", role])
    assert "known only at run time" in acknowledged[clusters]
    assert "elasticmapreduce:RunJobFlow has no resource type" in acknowledged[f"{prefix}*]"]
    assert "the wildcard stands for the path only" in acknowledged[role]


def test_resource_star_is_granted_for_the_resourceless_actions_only_and_all_of_them():
    # RESOURCELESS_ACTIONS names every action the construct grants on "*": a job in a VPC
    # with a custom image (the step role), and an EMR step creating its cluster (the
    # pipeline role).
    definition = literal_definition()
    arguments = definition["Steps"][0]["Arguments"]
    arguments["AppSpecification"]["ImageUri"] = (
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-image:1"
    )
    arguments["NetworkConfig"] = {
        "VpcConfig": {"Subnets": ["subnet-0abc"], "SecurityGroupIds": ["sg-0def"]}
    }
    emr = json.loads(
        (REPO / "tests/definition/sdk_generated/emr-runtime-role.json").read_text(encoding="utf-8")
    )
    emr_arguments = emr["Steps"][0]["Arguments"]
    del emr_arguments["ClusterId"], emr_arguments["ExecutionRoleArn"]
    emr["Parameters"] = []
    emr_arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.6.0",
        "Instances": {"InstanceGroups": []},
        "ServiceRole": "EMR_DefaultRole",
    }
    stack = new_stack()
    jobs = Pipeline(stack, "Jobs", definition=definition, pipeline_name=NAME)
    cluster = Pipeline(stack, "Emr", definition=emr, pipeline_name="emr")
    on_star: set[str] = set()
    for policy in (jobs.step_role_policy, cluster.role_policy):
        assert policy is not None
        for statement in stack.resolve(policy.document.to_json())["Statement"]:
            if statement["Resource"] == "*":
                actions = statement["Action"]
                on_star |= {actions} if isinstance(actions, str) else set(actions)
    assert sorted(on_star) == sorted(RESOURCELESS_ACTIONS)


def test_an_unknown_statement_is_never_acknowledged():
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    statements_ = [
        iam.PolicyStatement(sid="Custom", actions=["s3:GetObject"], resources=["*"]),
        iam.PolicyStatement(sid="ProcessingJobs", actions=["x:Y"], resources=["arn:a:b:c:d:e*"]),
        iam.PolicyStatement(
            sid="ReadDataInRawDataBucket", actions=["x:Y"], resources=["arn:exact"]
        ),
    ]
    ids = acknowledge_wildcards(role, statements_, "subject")
    assert ids == [f"{WILDCARD_RULE}[Resource::arn:a:b:c:d:e*]"]
    assert list(_acknowledged(role)) == [f"Annotation::{WILDCARD_RULE}[Resource::arn:a:b:c:d:e*]"]


def test_the_same_finding_is_acknowledged_once():
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    twice = [
        iam.PolicyStatement(sid="PublishJobMetrics", actions=["x:Y"], resources=["*"]),
        iam.PolicyStatement(sid="DescribeJobNetwork", actions=["x:Z"], resources=["*"]),
    ]
    assert acknowledge_wildcards(role, twice, "s") == [f"{WILDCARD_RULE}[Resource::*]"]


def test_a_pipeline_renders_its_derived_statements_once(monkeypatch: pytest.MonkeyPatch):
    # Rendering them resolves a policy document: three jsii round trips and Node's merging
    # of statements. Splitting them into managed policies (their lengths) and acknowledging
    # their wildcards read the same rendering.
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    documents: list[dict[str, Any]] = []
    resolve = cdk.Stack.resolve

    def recording(self: cdk.Stack, obj: Any) -> Any:
        value = resolve(self, obj)
        if isinstance(value, dict) and "Statement" in value:
            documents.append(value)
        return value

    monkeypatch.setattr(cdk.Stack, "resolve", recording)
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), artifact_store=store, pipeline_name=NAME
    )
    monkeypatch.undo()
    assert len(documents) == 1
    # And the wildcards are acknowledged as before, from that rendering.
    assert any(WILDCARD_RULE in finding for finding in _acknowledged(pipeline.step_role_policy))


@pytest.mark.parametrize("strength", ["weak", "strong"])
def test_wildcards_on_a_store_of_another_stack_are_acknowledged_as_synthesized(strength: str):
    # A platform stack's store shared by a team stack's pipeline: synth turns the bucket's
    # Ref into the team stack's import (Fn::GetStackOutput, or Fn::ImportValue for strong
    # references), and cdk-nag names its findings after that. Acknowledged only as the
    # Ref, every such wildcard failed synth in an app with cdk-nag.
    app = new_app(**{"@aws-cdk/core:defaultCrossStackReferences": strength})
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    store = ArtifactStore(cdk.Stack(app, "Platform", env=env), "Artifacts")
    team = cdk.Stack(app, "Team", env=env)
    pipeline = Pipeline(
        team, "Training", definition=prep_and_train(), artifact_store=store, pipeline_name=NAME
    )
    template = Template.from_stack(team)
    acknowledged = _acknowledged(pipeline.step_role_policy)
    imported = "Fn::GetStackOutput" if strength == "weak" else "Fn::ImportValue"
    flat_resources = [
        flatten_reference(resource)
        for statement in statements(template, pipeline.step_role_policy).values()
        for resource in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        if imported in json.dumps(resource)
    ]
    wildcards = [flat for flat in flat_resources if "*" in flat]
    assert wildcards  # the bucket's executions/ and models/ patterns
    for flat in wildcards:
        assert f"Annotation::{WILDCARD_RULE}[Resource::{flat}]" in acknowledged


def test_a_second_synth_acknowledges_nothing_again():
    # Template.from_stack and app.synth(force=True) run the validations again: the ids the
    # first synth acknowledged as the template names them were recorded once more each time.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    store = ArtifactStore(cdk.Stack(app, "Platform", env=env), "Artifacts")
    team = cdk.Stack(app, "Team", env=env)
    pipeline = Pipeline(
        team, "Training", definition=prep_and_train(), artifact_store=store, pipeline_name=NAME
    )

    def entries() -> list[Any]:
        return [e.data for e in pipeline.step_role_policy.node.metadata if e.type == ACKNOWLEDGED]

    Template.from_stack(team)
    first = entries()
    app.synth(force=True)
    Template.from_stack(team)
    assert entries() == first


def test_a_stacks_pipelines_are_acknowledged_as_synthesized_from_one_rendering_per_synth(
    monkeypatch: pytest.MonkeyPatch,
):
    # Each pipeline rendered its statements again at every synth, three jsii round trips
    # apiece: a stack's are rendered together, once per synth, each pipeline's still
    # acknowledged as the template names them.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    store = ArtifactStore(cdk.Stack(app, "Platform", env=env), "Artifacts")
    team = cdk.Stack(app, "Team", env=env)
    pipelines = [
        Pipeline(
            team,
            f"Training{index}",
            definition=prep_and_train(),
            artifact_store=store,
            pipeline_name=f"{NAME}-{index}",
        )
        for index in range(3)
    ]
    rendered: list[Any] = []
    resolve = cdk.Stack.resolve

    def recording(self: cdk.Stack, obj: Any) -> Any:
        value = resolve(self, obj)
        if isinstance(value, dict) and "Statement" in value and self is team:
            rendered.append(value)
        return value

    monkeypatch.setattr(cdk.Stack, "resolve", recording)
    template = Template.from_stack(team)
    app.synth(force=True)
    monkeypatch.undo()
    assert len(rendered) == 2  # one per synth
    for pipeline in pipelines:
        acknowledged = _acknowledged(pipeline.step_role_policy)
        wildcards = [
            flat
            for statement in statements(template, pipeline.step_role_policy).values()
            for resource in (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
            if "Fn::GetStackOutput" in json.dumps(resource)
            and "*" in (flat := flatten_reference(resource))
        ]
        assert wildcards
        for flat in wildcards:
            assert f"Annotation::{WILDCARD_RULE}[Resource::{flat}]" in acknowledged


@pytest.mark.parametrize(
    ("reference", "flat"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"),
        ("cdk-${Qualifier}-assets-${AWS::AccountId}", "cdk-<Qualifier>-assets-<AWS::AccountId>"),
        ({"Ref": "Bucket1"}, "<Bucket1>"),
        ({"Fn::GetAtt": ["Role1", "Arn"]}, "<Role1.Arn>"),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "B"}, "/*"]]},
            "arn:<AWS::Partition>:s3:::<B>/*",
        ),
        (
            {"Fn::Join": ["/", [{"Fn::GetAtt": ["B", "Arn"]}, "*"]]},
            "<B.Arn>/*",
        ),
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}, "arn:<AWS::Partition>:s3:::b/*"),
        # Fn::Sub with variables: the list has no special case, so it falls back to JSON.
        ({"Fn::Sub": ["${X}/*", {"X": "y"}]}, '["${X}/*",{"X":"y"}]'),
        ({"Fn::ImportValue": "SharedBucketArn"}, "SharedBucketArn"),
        ({"Fn::ImportValue": {"Fn::Sub": "${Env}-arn"}}, "<Env>-arn"),
        ({"Fn::Select": [0, ["a*", "b"]]}, '{"Fn::Select":[0,["a*","b"]]}'),
        ({"Fn::Select": [0, ["é*"]]}, '{"Fn::Select":[0,["é*"]]}'),  # as JSON.stringify
        (5, "5"),
    ],
)
def test_flatten_reference_mirrors_cdk_nags_flatten_cfn_reference(reference: Any, flat: str):
    assert flatten_reference(reference) == flat


@pytest.mark.parametrize(
    ("env", "alias_name_ref"),
    [(True, True), (False, True), (True, False)],
    ids=["env", "env-agnostic", "alias-name-literal"],
)
def test_kms_keys_given_by_a_cdk_alias_are_granted_on_the_aliased_key(
    env: bool, alias_name_ref: bool
):
    # alias.alias_name and alias.alias_arn are tokens with no "alias/" in them: granted as
    # they were, the statements named the alias and never matched the key. Without the
    # @aws-cdk/aws-kms:aliasNameRef flag, they refer to no resource (CDK resolves the name
    # to its literal): the alias is then found among the stack's constructs.
    context: dict[str, Any] = {} if alias_name_ref else {"@aws-cdk/aws-kms:aliasNameRef": False}
    stack = new_stack(**context) if env else new_stack(account=None, region=None)
    # Another alias of the app, found first: only the alias the job names is its key.
    kms.Key(stack, "OtherKey", enable_key_rotation=True).add_alias("alias/other")
    key = kms.Key(stack, "JobKey", enable_key_rotation=True)
    alias = key.add_alias("alias/jobs")
    definition = literal_definition()
    arguments = definition["Steps"][0]["Arguments"]
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = alias.alias_name
    arguments["ProcessingOutputConfig"]["KmsKeyId"] = alias.alias_arn
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    template = Template.from_stack(stack)
    key_arn = {"Fn::GetAtt": [logical_id(key), "Arn"]}
    assert statements(template, pipeline.role_policy)["LetJobsUseTheirKeys"]["Resource"] == key_arn
    step_role = statements(template, pipeline.step_role_policy)
    assert step_role["EncryptJobVolumesAndOutputs"]["Resource"] == key_arn


@pytest.mark.parametrize(
    ("other_stack", "attribute"),
    [(False, "key_id"), (True, "key_id"), (False, "attr_key_id")],
    ids=["same-stack", "other-stack", "l1-key-id"],
)
def test_kms_keys_given_by_id_are_granted_on_the_keys_arn(other_stack: bool, attribute: str):
    # key.key_id resolves to the bare key id ({"Ref": key}): IAM rejects a Resource that
    # is not an ARN, so the deployment failed.
    stack = new_stack()
    keys_env = cdk.Environment(account=stack.account, region=stack.region)
    app = stack.node.root
    assert isinstance(app, cdk.App)
    owner = cdk.Stack(app, "Keys", env=keys_env) if other_stack else stack
    key = kms.Key(owner, "JobKey", enable_key_rotation=True)
    l1_key = key.node.default_child
    assert isinstance(l1_key, kms.CfnKey)
    definition = literal_definition()
    arguments = definition["Steps"][0]["Arguments"]
    key_id = key.key_id if attribute == "key_id" else l1_key.attr_key_id
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = key_id
    arguments["ProcessingOutputConfig"]["KmsKeyId"] = key_id
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert pipeline.role_policy is not None
    template = Template.from_stack(stack)
    key_arn = stack.resolve(key.key_arn)
    assert statements(template, pipeline.role_policy)["LetJobsUseTheirKeys"]["Resource"] == key_arn
    step_role = statements(template, pipeline.step_role_policy)
    assert step_role["EncryptJobVolumesAndOutputs"]["Resource"] == key_arn


AUTOML_GOLDEN = REPO / "tests/definition/sdk_generated/sdk-automl-and-batch-monitoring.json"
AUTOML_ROLE = "arn:aws:iam::111122223333:role/sm"
AUTOML_VOLUME_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/automl-volume-key"
AUTOML_OUTPUT_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/automl-output-key"


def automl_definition() -> dict[str, Any]:
    """The SDK's AutoMLStep (in a VPC, with keys) and a ModelStep of its best candidate."""
    definition: dict[str, Any] = json.loads(AUTOML_GOLDEN.read_text())
    definition["Steps"] = definition["Steps"][:2]
    arguments = definition["Steps"][0]["Arguments"]
    arguments["OutputDataConfig"]["KmsKeyId"] = AUTOML_OUTPUT_KEY
    arguments["AutoMLJobConfig"]["SecurityConfig"].update(
        {
            "VolumeKmsKeyId": AUTOML_VOLUME_KEY,
            "VpcConfig": {"Subnets": ["subnet-0abc"], "SecurityGroupIds": ["sg-0def"]},
        }
    )
    return definition


@pytest.fixture(scope="module")
def automl() -> tuple[Built, Annotations]:
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(stack, "Training", definition=automl_definition(), pipeline_name=NAME)
    # cdk-nag fails synth on any finding not acknowledged: the new wildcards are.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    return Built(stack, pipeline), annotations


def test_automl_step_gets_its_job_actions_and_passes_its_role(automl: tuple[Built, Annotations]):
    built, _ = automl
    assert built.role["AutoMLJobs"] == {
        "Action": [
            "sagemaker:CreateAutoMLJob",
            "sagemaker:CreateAutoMLJobV2",
            "sagemaker:DescribeAutoMLJob",
            "sagemaker:DescribeAutoMLJobV2",
            "sagemaker:ListCandidatesForAutoMLJob",
            "sagemaker:StopAutoMLJob",
        ],
        "Effect": "Allow",
        "Resource": f"{SM}:automl-job/*",
        "Sid": "AutoMLJobs",
    }
    assert f"{SM}:automl-job/*" in built.role["TagPipelineResources"]["Resource"]
    assert built.role["PassStepRoleToSageMaker"]["Resource"] == AUTOML_ROLE
    assert built.role["PassStepRoleToSageMaker"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    keys = built.role["LetJobsUseTheirKeys"]["Resource"]
    assert sorted(keys) == sorted([AUTOML_OUTPUT_KEY, AUTOML_VOLUME_KEY])


def test_automl_job_role_gets_what_the_guide_lists(automl: tuple[Built, Annotations]):
    # "CreateAutoMLJob API: Execution Role Permissions" (SageMaker guide): the job's role
    # passes itself, manages the models and endpoints of its candidates, reads tags.
    built, _ = automl
    step_role = built.step_role
    assert step_role["AutoMLJobsPassTheirRole"] == {
        "Action": "iam:PassRole",
        "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        "Effect": "Allow",
        "Resource": AUTOML_ROLE,
        "Sid": "AutoMLJobsPassTheirRole",
    }
    candidates = step_role["AutoMLCandidateModelsAndEndpoints"]
    assert sorted(candidates["Resource"]) == [
        f"{SM}:endpoint-config/*",
        f"{SM}:endpoint/*",
        f"{SM}:model/*",
    ]
    # Creating them with tags needs sagemaker:AddTags too.
    assert sorted(candidates["Action"]) == [
        "sagemaker:AddTags",
        "sagemaker:CreateEndpoint",
        "sagemaker:CreateEndpointConfig",
        "sagemaker:CreateModel",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:DescribeModel",
        "sagemaker:InvokeEndpoint",
    ]
    assert step_role["AutoMLListTags"]["Resource"] == f"{SM}:*"
    assert step_role["LetAutoMLJobVolumesUseTheirKeys"] == {
        "Action": "kms:CreateGrant",
        "Effect": "Allow",
        "Resource": AUTOML_VOLUME_KEY,
        "Sid": "LetAutoMLJobVolumesUseTheirKeys",
    }
    assert sorted(step_role["EncryptJobVolumesAndOutputs"]["Resource"]) == sorted(
        [AUTOML_OUTPUT_KEY, AUTOML_VOLUME_KEY]
    )
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert step_role["ManageJobNetworkInterfaces"]["Resource"] == [
        f"{ec2}:network-interface/*",
        f"{ec2}:security-group/sg-0def",
        f"{ec2}:subnet/subnet-0abc",
    ]


def test_an_automl_volume_key_given_by_alias_is_granted_through_its_alias():
    definition = automl_definition()
    security = definition["Steps"][0]["Arguments"]["AutoMLJobConfig"]["SecurityConfig"]
    security["VolumeKmsKeyId"] = "alias/automl-volume"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    step_role = Built(stack, pipeline).step_role
    assert step_role["LetAutoMLJobVolumesUseTheirKeysByAlias"] == {
        "Action": "kms:CreateGrant",
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/automl-volume"]}},
        "Effect": "Allow",
        "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*",
        "Sid": "LetAutoMLJobVolumesUseTheirKeysByAlias",
    }
    # The output key, given by ARN, is no volume key.
    assert "LetAutoMLJobVolumesUseTheirKeys" not in step_role


def test_automl_job_role_reads_its_input_and_reads_and_writes_its_output(
    automl: tuple[Built, Annotations],
):
    built, _ = automl
    step_role = built.step_role
    reads = step_role["ReadDataInMyBucket"]
    writes = step_role["WriteDataInMyBucket"]
    assert sorted(map(json.dumps, reads["Resource"])) == sorted(
        json.dumps(s3_arn(objects)) for objects in ("my-bucket/train.csv*", "my-bucket/automl*")
    )
    assert writes["Resource"] == s3_arn("my-bucket/automl*")


def test_automl_step_is_not_warned_as_unplanned(automl: tuple[Built, Annotations]):
    _, annotations = automl
    annotations.has_no_warning("*", Match.string_like_regexp("get no permissions for step"))
    # The best model's data is located under the AutoML job's output path.
    annotations.has_no_warning("*", Match.string_like_regexp("unattributed"))


def test_automl_wildcards_are_acknowledged_with_their_reasons(automl: tuple[Built, Annotations]):
    built, _ = automl
    acknowledged = _acknowledged(built.pipeline.step_role_policy)
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    assert (
        "Autopilot creates, serves and deletes models and endpoints"
        in (acknowledged[f"{prefix}{SM}:model/*]"])
    )
    assert "sagemaker:ListTags on *" in acknowledged[f"{prefix}{SM}:*]"]
    role_acknowledged = _acknowledged(built.pipeline.role_policy)
    assert f"{prefix}{SM}:automl-job/*]" in role_acknowledged


# -- AutoML jobs run with a role of their own ----------------------------------------------
#
# What the SageMaker guide lists for an AutoML job's role (delete and invoke models and
# endpoints) went to pipeline.step_role, which every job of the pipeline runs with: any
# script of a pipeline with an AutoML step could delete the account's endpoints.

AUTOML_ONLY_ACTIONS = {
    *(action for actions in AUTOML_ROLE_ACTIONS.values() for action in actions),
    AUTOML_ROLE_LIST_TAGS,
    "sagemaker:AddTags",
    "iam:PassRole",
}


def add_nag_packs(app: cdk.App, store: ArtifactStore) -> None:
    """Put cdk-nag's AwsSolutions and NIST 800-53 packs on ``app``: its synthesis runs them.

    Any finding not acknowledged fails the synthesis. The store's buckets are acknowledged
    for replication, as the reference app does (stacks/mlops_stack.py): not these tests'
    subject. The test synthesizes: ``Annotations.from_stack`` does (with the packs, failing
    as ``app.synth()`` would), so a test reading annotations needs no synthesis before it,
    which would be a second synthesis under the packs.
    """
    for bucket in (store.bucket, store.access_logs_bucket):
        cdk.Validations.of(bucket).acknowledge(
            cdk.Acknowledgment(
                id="NIST.800.53.R5-S3BucketReplicationEnabled",
                reason="no second region in this test; the reference app says why",
            )
        )
    from cdk_nag import NIST80053R5Checks

    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))


def compiled_automl_definition(**automl: Any) -> PipelineDefinition:
    """Processing → AutoML → its best model → a batch transform with it."""
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )
    step = AutoMLStep(
        name="AutoML", inputs=prep.output("train"), target_attribute_name="y", **automl
    )
    model = step.best_model("BestModel")
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
    )
    return PipelineDefinition(steps=[score])


def attached(template: Template, role: Any) -> dict[str, dict[str, Any]]:
    """The statements (by Sid) of every managed policy attached to ``role``."""
    reference = {"Ref": logical_id(role)}
    found: dict[str, dict[str, Any]] = {}
    for entry in template_json(template)["Resources"].values():
        properties = entry.get("Properties", {})
        if entry["Type"] == "AWS::IAM::ManagedPolicy" and reference in properties.get("Roles", []):
            found.update({s["Sid"]: s for s in properties["PolicyDocument"]["Statement"]})
    return found


def actions_of(found: dict[str, dict[str, Any]]) -> set[str]:
    return {
        action
        for statement in found.values()
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }


def job_roles(template: Template) -> dict[str, Any]:
    """Each step's role (RoleArn, or a model's ExecutionRoleArn) in the decoded definition."""
    return {
        name: step["Arguments"].get("RoleArn", step["Arguments"].get("ExecutionRoleArn"))
        for name, step in steps_by_name(definition_of(template)).items()
        if "Arguments" in step and step["Type"] != "Condition"
    }


@pytest.fixture(scope="module")
def own_automl_role() -> tuple[Built, Annotations]:
    """A PipelineDefinition with an AutoML step, under AwsSolutions and NIST 800-53 rev 5."""
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(
        stack, "Training", definition=compiled_automl_definition(), pipeline_name=NAME
    )
    store = pipeline.artifact_store
    add_nag_packs(app, store)
    # Annotations first: its synthesis (under the packs) is the one Built's template reads.
    annotations = Annotations.from_stack(stack)
    return Built(stack, pipeline), annotations


def test_the_step_role_of_an_automl_pipeline_gets_no_model_or_endpoint_action(
    own_automl_role: tuple[Built, Annotations],
):
    built, _ = own_automl_role
    step_role = attached(built.template, built.pipeline.step_role)
    assert actions_of(step_role) & AUTOML_ONLY_ACTIONS == set()
    assert [sid for sid in step_role if sid.startswith("AutoML")] == []
    assert not any(
        ":model/" in json.dumps(s["Resource"]) or ":endpoint" in json.dumps(s["Resource"])
        for s in step_role.values()
    )


def test_the_automl_role_gets_autopilots_statements_and_the_jobs_data_access(
    own_automl_role: tuple[Built, Annotations],
):
    built, _ = own_automl_role
    pipeline, template = built.pipeline, built.template
    assert isinstance(pipeline.automl_role, iam.Role)
    assert pipeline.automl_role.node.path == "Test/Training/AutoMLRole"
    role_id = logical_id(pipeline.automl_role)
    properties = resource(template, role_id)["Properties"]
    assert properties["AssumeRolePolicyDocument"] == SAGEMAKER_TRUST
    assert "Policies" not in properties
    assert "ManagedPolicyArns" not in properties
    assert pipeline.automl_role_policy is not None
    assert pipeline.automl_role_policies == [pipeline.automl_role_policy]
    own = statements(template, pipeline.automl_role_policy)
    assert resource(template, logical_id(pipeline.automl_role_policy))["Properties"]["Roles"] == [
        {"Ref": role_id}
    ]
    assert list(own) == [
        "AutoMLJobsPassTheirRole",
        "AutoMLCandidateModelsAndEndpoints",
        "AutoMLListTags",
        "LetAutoMLJobVolumesUseTheirKeys",
    ]
    # It passes itself only.
    assert own["AutoMLJobsPassTheirRole"]["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert sorted(own["AutoMLCandidateModelsAndEndpoints"]["Resource"]) == [
        f"{SM}:endpoint-config/*",
        f"{SM}:endpoint/*",
        f"{SM}:model/*",
    ]
    key_arn = {"Fn::GetAtt": [built.key, "Arn"]}
    assert own["LetAutoMLJobVolumesUseTheirKeys"]["Resource"] == key_arn
    # Autopilot's own processing, training and transform jobs need what the other jobs
    # have: the step role's policies are attached to it too.
    assert resource(template, logical_id(pipeline.step_role_policy))["Properties"]["Roles"] == [
        {"Ref": built.step_role_id},
        {"Ref": role_id},
    ]
    everything = attached(template, pipeline.automl_role)
    assert set(everything) == set(own) | set(built.step_role)
    reads = [s for sid, s in everything.items() if sid.startswith("Read")]
    writes = [s for sid, s in everything.items() if sid.startswith("Write")]
    read = json.dumps([s["Resource"] for s in reads])
    written = json.dumps([s["Resource"] for s in writes])
    # The AutoML job reads Prep's output and writes (and reads back) its own.
    assert "/Prep/*/train*" in read
    assert "/AutoML/*/automl*" in read
    assert "/AutoML/*/automl*" in written
    assert "EncryptJobVolumesAndOutputs" in everything
    assert "WriteJobLogs" in everything


def test_automl_steps_run_as_the_automl_role_and_the_other_jobs_as_the_step_role(
    own_automl_role: tuple[Built, Annotations],
):
    built, _ = own_automl_role
    assert built.pipeline.automl_role is not None
    automl = f"${{GetAtt:{logical_id(built.pipeline.automl_role)}.Arn}}"
    jobs = f"${{GetAtt:{built.step_role_id}.Arn}}"
    assert job_roles(built.template) == {
        "Prep": jobs,
        "AutoML": automl,
        "BestModel": jobs,
        "Score": None,  # a transform job runs as its model's role
    }


def test_the_pipeline_role_may_pass_the_step_role_and_the_automl_role(
    own_automl_role: tuple[Built, Annotations],
):
    built, _ = own_automl_role
    assert built.pipeline.automl_role is not None
    passed = built.role["PassStepRoleToSageMaker"]
    assert passed["Action"] == "iam:PassRole"
    assert passed["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    assert sorted(map(json.dumps, passed["Resource"])) == sorted(
        json.dumps({"Fn::GetAtt": [role, "Arn"]})
        for role in (built.step_role_id, logical_id(built.pipeline.automl_role))
    )


def test_automl_role_wildcards_are_acknowledged_on_its_own_policy(
    own_automl_role: tuple[Built, Annotations],
):
    # The fixture's synth under AwsSolutions and NIST 800-53 rev 5 passed: nothing else is
    # reported. The acknowledgments moved with the statements.
    built, annotations = own_automl_role
    assert built.pipeline.automl_role_policy is not None
    prefix = f"Annotation::{WILDCARD_RULE}[Resource::"
    own = _acknowledged(built.pipeline.automl_role_policy)
    assert sorted(own) == sorted(
        f"{prefix}{resource}]"
        for resource in (f"{SM}:model/*", f"{SM}:endpoint-config/*", f"{SM}:endpoint/*", f"{SM}:*")
    )
    assert own[f"{prefix}{SM}:model/*]"].startswith(
        f"AutoML jobs of pipeline {NAME}: Autopilot creates, serves and deletes models"
    )
    assert set(own).isdisjoint(_acknowledged(built.pipeline.step_role_policy))
    annotations.has_no_error("*", Match.any_value())


def test_a_given_automl_role_runs_the_automl_steps_and_gets_the_policies():
    stack = new_stack()
    given = iam.Role(
        stack, "GivenAutoMLRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
    )
    pipeline = Pipeline(
        stack, "Training", definition=compiled_automl_definition(), automl_role=given
    )
    template = Template.from_stack(stack)
    assert pipeline.automl_role is given
    template.resource_count_is("AWS::IAM::Role", 3)  # the pipeline's, the step role, given
    assert job_roles(template)["AutoML"] == f"${{GetAtt:{logical_id(given)}.Arn}}"
    assert pipeline.automl_role_policy is not None
    for policy in (pipeline.automl_role_policy, pipeline.step_role_policy):
        roles = resource(template, logical_id(policy))["Properties"]["Roles"]
        assert {"Ref": logical_id(given)} in roles
    assert "AutoMLCandidateModelsAndEndpoints" not in attached(template, pipeline.step_role)


def test_an_automl_role_imported_immutable_is_left_untouched_with_the_policies_named():
    stack = new_stack()
    arn = f"arn:aws:iam::{ACCOUNT}:role/automl-jobs"
    given = iam.Role.from_role_arn(stack, "AutoMLJobs", arn, mutable=False)
    pipeline = Pipeline(
        stack, "Training", definition=compiled_automl_definition(), automl_role=given
    )
    template, annotations = synthesized(stack)  # one synthesis
    assert job_roles(template)["AutoML"] == arn
    assert pipeline.automl_role_policy is not None
    properties = resource(template, logical_id(pipeline.automl_role_policy))["Properties"]
    assert "Roles" not in properties
    # Still derived, for whoever attaches it.
    assert "AutoMLCandidateModelsAndEndpoints" in statements(template, pipeline.automl_role_policy)
    step_policy = resource(template, logical_id(pipeline.step_role_policy))["Properties"]
    assert step_policy["Roles"] == [{"Ref": logical_id(pipeline.step_role)}]
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^automl_role was imported with mutable=False \(or without_policy_updates\(\)\), "
            r"so the permissions derived from the steps are in managed policies "
            r"Test/Training/AutoMLRolePolicy, Test/Training/StepRolePolicy, not attached to "
            r"it: .* \[ack: cdk-sagemaker-pipelines:immutable-role\]$"
        ),
    )


def test_a_pipeline_without_automl_steps_has_no_automl_role():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
    assert pipeline.automl_role is None
    assert pipeline.automl_role_policies == []
    assert pipeline.automl_role_policy is None
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 2)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 2)
    assert pipeline.node.try_find_child("AutoMLRole") is None


def test_an_automl_role_no_automl_step_runs_with_is_warned_and_gets_nothing():
    stack = new_stack()
    given = iam.Role(stack, "Given", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), automl_role=given)
    assert pipeline.automl_role is given
    assert pipeline.automl_role_policies == []
    template, annotations = synthesized(stack)  # one synthesis
    assert attached(template, given) == {}
    annotations.has_warning(
        "/Test/Training",
        "automl_role is given, but the definition has no AutoML step: nothing is attached to "
        "automl_role. Put its ARN in the AutoML steps' RoleArn (or leave their role= out), or "
        "leave automl_role out. [ack: cdk-sagemaker-pipelines:automl-role-unused]",
    )


def test_automl_steps_given_a_role_of_their_own_keep_it_and_the_step_role_stands_for_it():
    # role= on the step (as a definition JSON's RoleArn): no AutoML role is created, and
    # Autopilot's statements go where they went before, with the warning that the role
    # named gets nothing from the construct.
    other = f"arn:aws:iam::{ACCOUNT}:role/platform-automl"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=compiled_automl_definition(role=other))
    template, annotations = synthesized(stack)  # one synthesis
    assert pipeline.automl_role is None
    assert pipeline.automl_role_policies == []
    assert job_roles(template)["AutoML"] == other
    step_role = statements(template, pipeline.step_role_policy)
    assert step_role["AutoMLJobsPassTheirRole"]["Resource"] == other
    # The warning says which prop keeps Autopilot's actions off the step role.
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            rf"^Step\(s\) 'AutoML' \(Arguments.RoleArn\) run as '{other}', not "
            r"pipeline.step_role: .* AutoML step\(s\) 'AutoML': give their role as "
            r"automl_role= instead, which gets these permissions and Autopilot's model and "
            r"endpoint actions \(here on pipeline.step_role, which the other jobs run with\). "
            r"\[ack: cdk-sagemaker-pipelines:job-role-not-step-role\]$"
        ),
    )


def test_a_location_to_grant_by_hand_for_an_automl_step_names_the_automl_role():
    # A grant to pipeline.step_role (as the warning said) adds to that role's own policy,
    # which the AutoML role doesn't get: the warning names the role the AutoML job runs as.
    data = ParameterString(name="TrainingData", default_value="s3://landing/train.csv")
    step = AutoMLStep(name="AutoML", inputs=data, target_attribute_name="y")
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(parameters=[data], steps=[step]))
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The step role gets no S3 access for: step 'AutoML' field "
            r"'Arguments.InputDataConfig\[0\].DataSource.S3DataSource.S3Uri' .* AutoML step\(s\) "
            r"'AutoML' run as pipeline.automl_role, which a grant to pipeline.step_role "
            r"doesn't reach: grant pipeline.automl_role the same. "
            r"\[ack: cdk-sagemaker-pipelines:unattributed-s3-location\]$"
        ),
    )


def test_a_definition_json_keeps_its_automl_role_and_the_step_role_stands_for_it(
    automl: tuple[Built, Annotations],
):
    # A definition JSON is deployed as written: its AutoML step runs as its RoleArn, and
    # without automl_role= Autopilot's statements go to the step role, as before.
    built, _ = automl
    assert built.pipeline.automl_role is None
    assert built.pipeline.automl_role_policies == []
    assert job_roles(built.template)["AutoML"] == AUTOML_ROLE


def test_a_definition_json_runs_automl_steps_as_the_automl_role_given_with_their_arn():
    stack = new_stack()
    sdk_role = iam.Role.from_role_arn(stack, "SdkRole", AUTOML_ROLE)
    pipeline = Pipeline(
        stack, "Training", definition=automl_definition(), pipeline_name=NAME, automl_role=sdk_role
    )
    template, annotations = synthesized(stack)  # one synthesis
    step_role = statements(template, pipeline.step_role_policy)
    assert actions_of(step_role) & AUTOML_ONLY_ACTIONS == set()
    assert pipeline.automl_role_policy is not None
    own = resource(template, logical_id(pipeline.automl_role_policy))["Properties"]
    assert own["Roles"] == ["sm"]
    assert {s["Sid"]: s for s in own["PolicyDocument"]["Statement"]}["AutoMLJobsPassTheirRole"][
        "Resource"
    ] == AUTOML_ROLE
    step_policy = resource(template, logical_id(pipeline.step_role_policy))["Properties"]
    assert step_policy["Roles"] == [{"Ref": logical_id(pipeline.step_role)}, "sm"]
    # Its steps run as the role that gets the step permissions: nothing to warn.
    annotations.has_no_warning("*", Match.string_like_regexp("job-role-not-step-role"))


def test_a_tuning_step_may_run_tuning_jobs_of_any_name_the_service_gives():
    # HyperParameterTuningJobName takes 32 characters: the service can't name the job
    # pipelines-<execution id>-<step>-<token>, so hyper-parameter-tuning-job/pipelines-* could
    # deny every tuning step. The wildcard is acknowledged with the reason.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    tune = TuningStep(
        name="Tune",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(str(REPO / "example_project" / "scripts" / "model" / "train.py")),
        objective_metric_name="validation:accuracy",
        metric_definitions={"validation:accuracy": r"accuracy=([0-9.]+)"},
        hyperparameter_ranges={},
        inputs={"train": "s3://data-bucket/train/"},
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[tune]), pipeline_name=NAME
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    Annotations.from_stack(stack)  # synthesizes: an unacknowledged wildcard fails here
    built = Built(stack, pipeline)

    assert built.role["TuningJobs"]["Resource"] == f"{SM}:hyper-parameter-tuning-job/*"
    assert f"{SM}:hyper-parameter-tuning-job/*" in built.role["TagPipelineResources"]["Resource"]
    acknowledged = _acknowledged(pipeline.role_policy)
    reason = acknowledged[
        f"Annotation::{WILDCARD_RULE}[Resource::{SM}:hyper-parameter-tuning-job/*]"
    ]
    assert "Tuning and AutoML job names (32 characters at most)" in reason


def test_a_tuning_step_of_several_algorithms_grants_what_each_definition_needs():
    # Each TrainingJobDefinition brings its own image, code, inputs and output path: the step
    # role pulls and reads and writes each of them.
    from aws_cdk import aws_ecr as ecr

    stack = new_stack()
    repository = ecr.Repository(stack, "Images")
    ranges = {"lr": ContinuousParameter(min_value=1e-5, max_value=1e-2)}
    tune = TuningStep(
        name="TuneAlgorithms",
        training_job_definitions=[
            TrainingJobDefinition(
                name="xgboost",
                image=Image.xgboost("1.7-1"),
                inputs={"train": "s3://data-bucket/train/"},
                objective_metric_name="validation:auc",
                hyperparameter_ranges=ranges,
            ),
            TrainingJobDefinition(
                name="custom",
                image=Image.from_ecr_repository(repository, "v1"),
                code=Code.from_asset(str(REPO / "example_project/scripts/model/train.py")),
                inputs={"features": "s3://feature-bucket/features/"},
                output_path="s3://models-bucket/custom/",
                objective_metric_name="val:auc",
                metric_definitions={"val:auc": "val_auc=([0-9.]+)"},
                hyperparameter_ranges=ranges,
            ),
        ],
        max_jobs=4,
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[tune]), pipeline_name=NAME
    )
    built = Built(stack, pipeline)

    found = built.step_role
    assert found["PullImages"]["Resource"] == {"Fn::GetAtt": [logical_id(repository), "Arn"]}
    reads = [entry["Resource"] for sid, entry in found.items() if sid.startswith("Read")]
    assert s3_arn("data-bucket/train/*") in reads
    assert s3_arn("feature-bucket/features/*") in reads
    assert any("-assets-" in json.dumps(resource) for resource in reads)  # the custom code
    writes = [entry["Resource"] for sid, entry in found.items() if sid.startswith("WriteData")]
    assert writes == [
        s3_arn([{"Ref": built.bucket}, f"/models/{NAME}/TuneAlgorithms/*/model*"]),
        s3_arn("models-bucket/custom/*"),
    ]
    assert "sagemaker:CreateHyperParameterTuningJob" in built.role["TuningJobs"]["Action"]


def test_spot_tuning_checkpoints_are_read_and_written_by_the_step_role():
    # A resumed (spot) training job reads back what it wrote under CheckpointConfig.S3Uri:
    # per algorithm of several, as for one.
    ranges = {"lr": ContinuousParameter(min_value=1e-5, max_value=1e-2)}
    tune = TuningStep(
        name="TuneAlgorithms",
        training_job_definitions=[
            TrainingJobDefinition(
                name=name,
                image=Image.xgboost("1.7-1"),
                inputs={"train": "s3://data-bucket/train/"},
                objective_metric_name="validation:auc",
                hyperparameter_ranges=ranges,
                checkpoint_s3_uri=f"s3://models-bucket/{name}-checkpoints/",
                use_spot_instances=True,
                max_runtime_in_seconds=3600,
                max_wait_in_seconds=7200,
            )
            for name in ("shallow", "deep")
        ],
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[tune]), pipeline_name=NAME
    )
    found = Built(stack, pipeline).step_role

    def resources(prefix: str) -> list[Any]:
        listed = [entry["Resource"] for sid, entry in found.items() if sid.startswith(prefix)]
        return [item for value in listed for item in (value if type(value) is list else [value])]

    reads, writes = resources("Read"), resources("WriteData")
    for name in ("shallow", "deep"):
        assert s3_arn(f"models-bucket/{name}-checkpoints/*") in reads
        assert s3_arn(f"models-bucket/{name}-checkpoints/*") in writes


def test_registrations_without_a_literal_group_may_register_in_any_group_pending_approval():
    # From the SageMaker SDK: a group given as a parameter, and an unversioned package (no
    # group). The policy builder failed with "TypeError: unhashable type: 'dict'".
    path = REPO / "tests" / "definition" / "sdk_generated" / "sdk-registration-options.json"
    definition = json.loads(path.read_text())
    for step in definition["Steps"]:
        step["Arguments"]["ModelApprovalStatus"] = "PendingManualApproval"
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    annotations = Annotations.from_stack(stack)  # first: Built's template is this synthesis's
    built = Built(stack, pipeline)
    packages, groups = f"{SM}:model-package/*", f"{SM}:model-package-group/*"
    pending = {"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}
    assert sorted(built.role["RegisterModelVersionsOfAnyGroup"]["Resource"]) == [groups, packages]
    assert built.role["RegisterModelVersionsOfAnyGroup"]["Condition"] == pending
    assert built.role["DescribeModelVersionsOfAnyGroup"]["Resource"] == packages
    # Registering tags the version the service names: AddTags on any package too.
    assert packages in built.role["TagPipelineResources"]["Resource"]
    # The literal group keeps its own statement.
    assert sorted(built.role["RegisterModelVersionsPendingApproval"]["Resource"]) == [
        f"{SM}:model-package-group/pipe",
        f"{SM}:model-package/pipe/*",
    ]
    assert pipeline.role_policy is not None
    reason = _acknowledged(pipeline.role_policy)[f"Annotation::{WILDCARD_RULE}[Resource::{groups}]"]
    assert "names its model package group only at run time" in reason
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^RegisterModel step\(s\) 'Register-RegisterModel' \(group known only at run "
            r"time\), 'RegisterUnversioned-RegisterModel' \(no group\) name no model package "
            r"group .*\[ack: cdk-sagemaker-pipelines:open-model-package-group\]$"
        ),
    )


def test_registrations_in_literal_groups_are_not_opened(everything: Built):
    assert "RegisterModelVersionsOfAnyGroup" not in everything.role
    Annotations.from_stack(everything.stack).has_no_warning(
        "*", Match.string_like_regexp("open-model-package-group")
    )


# -- IAM's 6,144-character limit on a managed policy ---------------------------------------------


def test_deployed_length_counts_each_reference_at_its_longest_value():
    from cdk_sagemaker_pipelines.cdk._policy_size import deployed_length

    assert deployed_length("abc") == 5
    assert deployed_length({"Ref": "AWS::AccountId"}) == 14  # "111122223333", quoted
    assert deployed_length({"Ref": "Bucket1234"}) == 66  # a bucket name: 63 at most
    assert deployed_length({"Fn::GetAtt": ["Role1234", "Arn"]}) == 130
    joined = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/*"]]}
    assert deployed_length(joined) == len("arn:") + 10 + len(":s3:::b/*") + 2
    sub = {"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}"}
    assert deployed_length(sub) == len("cdk-assets--") + 12 + 16 + 2
    assert deployed_length({"Resource": ["a", "b"]}) == len('{"Resource":["a","b"]}')


def test_deployed_length_counts_conditional_picked_and_substituted_values_at_their_longest():
    # Fn::If, Fn::Select and Fn::Sub's own variables were counted as one 100-character
    # reference, whatever they held: a longer value made a policy that failed at deploy.
    from cdk_sagemaker_pipelines.cdk._policy_size import deployed_length

    long = "arn:aws:s3:::" + "b" * 63 + "/curated/features/year=2026/month=11/*"
    quoted = len(long) + 2
    assert deployed_length({"Fn::If": ["IsProd", long, "arn:aws:s3:::b/*"]}) >= quoted
    assert deployed_length({"Fn::Select": [0, [long, "x"]]}) >= quoted
    assert deployed_length({"Fn::Select": [0, {"Fn::Split": [",", long]}]}) >= quoted
    assert deployed_length({"Fn::Sub": ["${Prefix}", {"Prefix": long}]}) >= quoted
    assert deployed_length('a"b') == len(json.dumps('a"b'))


def test_statement_lengths_count_references_at_the_longest_value_they_take():
    # A LambdaStep's function_arn is a function's ARN (GetAtt: up to 118 characters with a
    # name CloudFormation generates), or fn.current_version's or an alias's (a Ref that is
    # an ARN, counted as a 64-character name), or a template parameter's (anything).
    from cdk_sagemaker_pipelines.cdk._policy_size import statement_lengths

    stack = new_stack()
    function = inline_function(stack, "Score")
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    parameter = cdk.CfnParameter(stack, "ScoringFunctionArn")
    longest = "arn:aws-iso-b:lambda:ap-southeast-4:111122223333:function:" + "f" * 64

    def invoke(arn: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[arn])

    given = [function.function_arn, function.current_version.function_arn, alias.function_arn]
    given.append(parameter.value_as_string)
    deployed = [longest, f"{longest}:12", f"{longest}:live", longest]
    # Long enough a policy for the references' longer values to matter (a short one is
    # counted without searching the stack for them).
    padding = "arn:aws:s3:::bucket/" + "k" * 1_600
    estimated = statement_lengths(stack, [invoke(arn) for arn in [*given, padding]])
    actual = statement_lengths(stack, [invoke(arn) for arn in [*deployed, padding]])
    for token, estimate, length in zip([*given, padding], estimated, actual, strict=True):
        assert estimate >= length, stack.resolve(token)


def test_statement_lengths_count_topics_queues_and_repositories_at_their_longest_names():
    # A topic's Ref is its ARN and a queue's its URL, longer than a name of 64; a topic or
    # repository name takes up to 256 characters, so their ARNs outgrow 128.
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_sns as sns

    from cdk_sagemaker_pipelines.cdk._policy_size import statement_lengths

    stack = new_stack()
    topic = sns.Topic(stack, "Alerts")
    queue = sqs.Queue(stack, "Callbacks")
    repository = ecr.Repository(stack, "Images")
    # The longest partition and region names (us-isof-south-1: 15 characters).
    prefix = "arn:aws-iso-b:{}:us-isof-south-1:111122223333:"

    def use(resource: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(actions=["sns:Publish"], resources=[resource])

    given = [topic.topic_arn, repository.repository_arn, repository.repository_uri_for_tag()]
    given.append(cdk.Fn.join("", ["x", queue.queue_url]))
    deployed = [
        prefix.format("sns") + "t" * 256,
        prefix.format("ecr") + "repository/" + "r" * 256,
        "111122223333.dkr.ecr.us-isof-south-1.amazonaws.com.cn/" + "r" * 256,
        "xhttps://sqs.us-isof-south-1.amazonaws.com.cn/111122223333/" + "q" * 80,
    ]
    padding = "arn:aws:s3:::bucket/" + "k" * 1_600
    estimated = statement_lengths(stack, [use(arn) for arn in [*given, padding]])
    actual = statement_lengths(stack, [use(arn) for arn in [*deployed, padding]])
    for token, estimate, length in zip([*given, padding], estimated, actual, strict=True):
        assert estimate >= length, stack.resolve(token)


def test_pack_fills_each_policy_in_order_up_to_the_limit():
    from cdk_sagemaker_pipelines.cdk._policy_size import MAX_MANAGED_POLICY_LENGTH, pack

    half = MAX_MANAGED_POLICY_LENGTH // 2 - 40
    assert pack(["a", "b", "c"], [half, half, half]) == [["a", "b"], ["c"]]
    assert pack(["a", "b"], [10, 10]) == [["a", "b"]]
    assert pack([], []) == []
    # A statement too long for any policy still goes somewhere: deploy reports it.
    assert pack(["a", "b"], [10_000, 10]) == [["a"], ["b"]]


def _many_scripts(tmp_path: Any, count: int) -> PipelineDefinition:
    """``count`` processing steps, each with a script of its own and a bucket of its own."""
    steps = []
    for index in range(count):
        script = tmp_path / f"step{index}.py"
        script.write_text(f"print({index})\n")
        steps.append(
            ProcessingStep(
                name=f"Prepare{index}",
                image=Image.sklearn("1.2-1"),
                instance_type="ml.m5.xlarge",
                code=Code.from_asset(script),
                inputs={"raw": f"s3://data-bucket-{index}/raw/"},
            )
        )
    return PipelineDefinition(steps=steps)


def test_derived_permissions_too_long_for_one_managed_policy_are_split(tmp_path):
    # IAM refuses a managed policy over 6,144 characters: a pipeline of a dozen steps with
    # scripts of their own passed synth, and cdk deploy failed on the quota.
    from cdk_sagemaker_pipelines.cdk._policy_size import MAX_MANAGED_POLICY_LENGTH, deployed_length

    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_many_scripts(tmp_path, 10))
    template = Template.from_stack(stack)
    assert len(pipeline.step_role_policies) == 2
    assert pipeline.step_role_policy is pipeline.step_role_policies[0]
    sids: list[str] = []
    for index, policy in enumerate(pipeline.step_role_policies):
        properties = template.to_json()["Resources"][logical_id(policy)]["Properties"]
        assert deployed_length(properties["PolicyDocument"]) <= MAX_MANAGED_POLICY_LENGTH
        assert properties["Roles"] == [{"Ref": logical_id(pipeline.step_role)}]
        assert properties["Description"] == (
            f"What the jobs of SageMaker pipeline {pipeline.pipeline_name} may do"
            + (" (part 2)" if index else "")
        )
        sids += [statement["Sid"] for statement in properties["PolicyDocument"]["Statement"]]
    # Every statement once, in one of the policies: reads of each step's script and bucket.
    assert len(sids) == len(set(sids))
    assert (
        sum(bool(re.fullmatch(r"(Read|List|UseKeyOf)DataIn\w+Bucket", sid)) for sid in sids) >= 10
    )
    assert len(pipeline.role_policies) == 1  # the pipeline role's fit one


def _many_outputs(count: int) -> PipelineDefinition:
    """``count`` processing steps of long names, each writing four outputs to the artifacts."""
    return PipelineDefinition(
        steps=[
            ProcessingStep(
                name=f"PrepareTheTrainingDataOfCustomerSegmentNumber{index:03d}",
                image=Image.sklearn("1.2-1"),
                code=Code.from_s3("s3://code-bucket/prep.py"),
                inputs={"raw": f"s3://data-bucket/raw/segment-{index}/"},
                outputs=["train", "validation", "test", "report"],
            )
            for index in range(count)
        ]
    )


def test_a_statement_too_long_for_any_managed_policy_is_split_into_parts_that_fit():
    # The step role writes each output of each step: one statement listing them all grew
    # past IAM's 6,144 characters with a few dozen outputs, and so did the s3:prefix list of
    # the bucket's ListBucket statement. pack() gave each a policy of its own, which IAM
    # refused at deploy: no managed policy can hold such a statement.
    from cdk_sagemaker_pipelines.cdk._policy_size import MAX_MANAGED_POLICY_LENGTH, deployed_length

    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_many_outputs(20), pipeline_name=NAME)
    template = Template.from_stack(stack)
    found: dict[str, dict[str, Any]] = {}
    for policy in pipeline.step_role_policies:
        document = resource(template, logical_id(policy))["Properties"]["PolicyDocument"]
        assert deployed_length(document) <= MAX_MANAGED_POLICY_LENGTH
        found.update(statements(template, policy))
    bucket = logical_id(pipeline.artifact_store.bucket)
    outputs = [
        f"executions/{NAME}/PrepareTheTrainingDataOfCustomerSegmentNumber{index:03d}/*/{output}*"
        for index in range(20)
        for output in ("report", "test", "train", "validation")
    ]
    # The outputs' statement and the bucket's listing, each in parts: every location once,
    # in order, and nothing else changed.
    writes = [sid for sid in found if sid.startswith("WriteDataInArtifactsBucket")]
    lists = [sid for sid in found if sid.startswith("ListDataInArtifactsBucket")]
    assert len(writes) >= 2
    assert writes == ["WriteDataInArtifactsBucket"] + [
        f"WriteDataInArtifactsBucketPart{part}" for part in range(2, len(writes) + 1)
    ]
    assert lists == ["ListDataInArtifactsBucket", "ListDataInArtifactsBucketPart2"]
    written = [location for sid in writes for location in found[sid]["Resource"]]
    assert written == [s3_arn([{"Ref": bucket}, f"/{output}"]) for output in outputs]
    assert {tuple(found[sid]["Action"]) for sid in writes} == {
        ("s3:AbortMultipartUpload", "s3:PutObject")
    }
    listed = [
        prefix for sid in lists for prefix in found[sid]["Condition"]["StringLike"]["s3:prefix"]
    ]
    assert sorted(listed) == outputs  # each once
    assert [found[sid]["Resource"] for sid in lists] == [s3_arn([{"Ref": bucket}])] * 2


def test_each_pipeline_of_a_stack_takes_no_more_jsii_round_trips_than_the_one_before(
    tmp_path, monkeypatch
):
    # Sizing a pipeline's policies searches its stack for references longer than a name (a
    # pipeline's, a queue's) and its stage for imported buckets with a key (each asset
    # imports the assets bucket): every pipeline read each earlier pipeline's resource and
    # assets again, round trips quadratic in the pipelines of a stack (a stack of 20
    # pipelines with triggers and monitoring: 1,120 of its 6,178).
    from jsii._kernel.providers import process

    sends = [0]
    send = process._NodeProcess.send

    def counted(self: Any, request: Any, response_type: Any) -> Any:
        sends[0] += 1
        return send(self, request, response_type)

    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    monkeypatch.setattr(process._NodeProcess, "send", counted)
    counts = []
    for index in range(6):
        script = tmp_path / f"prepare{index}.py"
        script.write_text(f"print({index})\n")
        definition = PipelineDefinition(
            steps=[
                ProcessingStep(
                    name="Prepare",
                    image=Image.sklearn("1.2-1"),
                    code=Code.from_asset(script),
                    inputs={"raw": "s3://data-bucket/raw/"},
                    outputs=["train"],
                )
            ]
        )
        before = sends[0]
        Pipeline(stack, f"Training{index}", definition=definition, artifact_store=store)
        counts.append(sends[0] - before)
    monkeypatch.undo()
    # The first pipelines read what later ones find known (the framework image, the store).
    assert counts[2:] == [counts[2]] * 4, counts


def test_permissions_growing_into_a_second_managed_policy_keep_the_first_one(tmp_path):
    # A managed policy's Description is create-only: "(part 1 of 2)" in it replaced the first
    # policy when a step was added (a new ARN, lost by a role it was attached to by hand).
    def first_policy(count: int) -> tuple[int, str, dict[str, Any]]:
        stack = new_stack()
        pipeline = Pipeline(stack, "Training", definition=_many_scripts(tmp_path, count))
        policy = pipeline.step_role_policies[0]
        resources = Template.from_stack(stack).to_json()["Resources"]
        return len(pipeline.step_role_policies), logical_id(policy), resources[logical_id(policy)]

    one_count, one_id, one = first_policy(2)
    two_count, two_id, two = first_policy(10)

    assert (one_count, two_count) == (1, 2)
    assert two_id == one_id
    assert two["Properties"]["Description"] == one["Properties"]["Description"]


def test_derived_permissions_needing_more_managed_policies_than_a_role_takes_are_warned(
    tmp_path, monkeypatch
):
    # A warning, not an error: the quota of 10 can be raised to 20, and what else the role
    # has attached is not known at synth.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", 1)
    stack = new_stack()
    Pipeline(stack, "Training", definition=_many_scripts(tmp_path, 10))
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("too-many-role-policies")
    )
    assert [str(entry.entry.data) for entry in found] == [
        "The permissions derived for step_role need 2 managed policies of at most 6,144 "
        "characters (IAM's limit), more than the 1 IAM attaches to a role by default (counting "
        "those it has already; Service Quotas can raise it to 20): deploying fails unless the "
        "quota is raised. Split the pipeline, or let steps share code and data locations (one "
        "Code.from_asset folder for several steps: each asset and bucket adds statements). "
        "[ack: cdk-sagemaker-pipelines:too-many-role-policies]"
    ]


def test_derived_permissions_needing_more_managed_policies_than_a_role_ever_takes_fail(
    tmp_path, monkeypatch
):
    # IAM attaches at most 20 managed policies to a role, its quota raised: a pipeline whose
    # derived permissions need more can't deploy, whatever the account's quota.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE_RAISED", 1)
    stack = new_stack()
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=_many_scripts(tmp_path, 10))
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n"
        "- prop 'step_role': the permissions derived for it need 2 managed policies of at most "
        "6,144 characters (IAM's limit), more than the 1 IAM attaches to a role even with its "
        "quota raised: deploying would fail (split the pipeline into several Pipelines, or let "
        "steps share code (one Code.from_asset folder for several steps) and data locations: "
        "each script, input and output location adds to the statements)"
    )
    assert [problem.field for problem in raised.value.problems] == ["step_role"]


_OUTPUTS = ("train", "validation", "test", "report")
# Another pipeline's outputs in the same store, under a name that starts with this one's.
_OTHER_PIPELINE = f"executions/{NAME}-v2/latest/Prepare/train"


def _chained_outputs(script: Any, store: ArtifactStore, count: int) -> PipelineDefinition:
    """``count`` processing steps of one shared script, each reading the four outputs of the
    one before it and a segment of a data bucket and writing four outputs of its own, then a
    training step (whose model goes under ``models/``) and a step that reads its model. The
    first step also reads another pipeline's output in the same artifact bucket."""
    code = Code.from_asset(script)
    steps: list[Any] = []
    for index in range(count):
        inputs: dict[str, Any] = {"raw": f"s3://data-bucket/raw/segment-{index}/"}
        if steps:
            inputs.update({output: steps[-1].output(output) for output in _OUTPUTS})
        else:
            inputs["earlier"] = S3Location.from_bucket(store.bucket, _OTHER_PIPELINE)
        steps.append(
            ProcessingStep(
                name=f"PrepareSegment{index:03d}",
                image=Image.sklearn("1.2-1"),
                code=code,
                inputs=inputs,
                outputs=list(_OUTPUTS),
            )
        )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=code,
        inputs={"train": steps[-1].output("train")},
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=code,
        inputs={"model": train.properties.ModelArtifacts.S3ModelArtifacts},
    )
    return PipelineDefinition(steps=[*steps, train, evaluate])


def _chained_pipeline(tmp_path: Any, count: int, **props: Any) -> tuple[cdk.Stack, Pipeline]:
    script = tmp_path / "prepare.py"
    script.write_text("print(1)\n")
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    definition = _chained_outputs(script, store, count)
    pipeline = Pipeline(
        stack,
        "Training",
        definition=definition,
        pipeline_name=NAME,
        artifact_store=store,
        **props,
    )
    return stack, pipeline


def _collapse_warnings(of: cdk.Stack | Annotations) -> list[str]:
    """The permissions-collapsed warnings of a stack (synthesized anew) or of its annotations."""
    annotations = Annotations.from_stack(of) if isinstance(of, cdk.Stack) else of
    found = annotations.find_warning("*", Match.string_like_regexp("permissions-collapsed"))
    return [str(entry.entry.data) for entry in found]


def _step_role_statements(template: Template, pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for policy in pipeline.step_role_policies:
        found.update(statements(template, policy))
    return found


@pytest.fixture(scope="module")
def collapsed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, list[str]]:
    """45 chained steps whose exact locations need 12 step role policies, under cdk-nag."""
    script = tmp_path_factory.mktemp("collapsed") / "prepare.py"
    script.write_text("print(1)\n")
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Artifacts")
    pipeline = Pipeline(
        stack,
        "Training",
        definition=_chained_outputs(script, store, 45),
        pipeline_name=NAME,
        artifact_store=store,
    )
    add_nag_packs(app, store)
    # Annotations first: its synthesis (under the packs) is the one Built's template reads.
    warnings = _collapse_warnings(stack)
    return Built(stack, pipeline), warnings


def test_a_step_role_whose_locations_need_too_many_policies_gets_the_pipelines_prefixes(
    collapsed: tuple[Built, list[str]],
):
    # Every job runs as the one step role: listing each step's output location apart bought
    # next to nothing over the pipeline's own prefix, and a pipeline of some 150 steps needed
    # more managed policies than IAM attaches to a role.
    built, warnings = collapsed
    pipeline = built.pipeline
    assert len(pipeline.step_role_policies) <= 2  # the exact locations needed 12
    assert warnings == [
        "The permissions derived for step_role needed 12 managed policies of at most 6,144 "
        "characters (IAM's limit), more than the 10 IAM attaches to a role by default: its "
        f"access to this pipeline's own locations under executions/{NAME}/* and "
        f"models/{NAME}/* of the artifact bucket Test/Artifacts/Bucket is granted on those "
        "prefixes as a whole (statements ReadPipelineWide…, WritePipelineWide…, and their "
        "s3:prefix in List…) instead of location by location, now in "
        f"{len(pipeline.step_role_policies)} managed "
        f"polic{'y' if len(pipeline.step_role_policies) == 1 else 'ies'}. Every job of the "
        "pipeline runs as this one role, which could already reach each step's locations; "
        "any job may now also reach objects of this pipeline under those prefixes that no "
        "step names. Locations outside them (data buckets, code assets, other pipelines' "
        "prefixes) stay exact. To keep every location exact, let steps share code and data "
        "locations, or split the pipeline. "
        "[ack: cdk-sagemaker-pipelines:permissions-collapsed]"
    ]
    found = _step_role_statements(built.template, pipeline)
    bucket = [{"Ref": built.bucket}]
    prefixes = [s3_arn([*bucket, f"/executions/{NAME}/*"]), s3_arn([*bucket, f"/models/{NAME}/*"])]
    assert found["ReadPipelineWideDataInArtifactsBucket"]["Resource"] == prefixes
    assert found["WritePipelineWideDataInArtifactsBucket"]["Resource"] == prefixes
    assert found["ReadPipelineWideDataInArtifactsBucket"]["Action"] == [
        "s3:GetObject",
        "s3:GetObjectVersion",
    ]
    assert found["WritePipelineWideDataInArtifactsBucket"]["Action"] == [
        "s3:AbortMultipartUpload",
        "s3:PutObject",
    ]
    # Another pipeline's location in the same bucket stays exact, and so does its listing.
    assert found["ReadDataInArtifactsBucket"]["Resource"] == s3_arn(
        [*bucket, f"/{_OTHER_PIPELINE}*"]
    )
    assert "WriteDataInArtifactsBucket" not in found
    assert found["ListDataInArtifactsBucket"]["Condition"] == {
        "StringLike": {
            "s3:prefix": [f"{_OTHER_PIPELINE}*", f"executions/{NAME}/*", f"models/{NAME}/*"]
        }
    }
    # No step's own location is left anywhere: they are all under the prefixes.
    assert "/PrepareSegment" not in json.dumps(found)
    # The data bucket's locations and the code asset stay exact.
    assert found["ReadDataInDataBucket"]["Resource"] == sorted(
        (s3_arn(f"data-bucket/raw/segment-{index}/*") for index in range(45)), key=json.dumps
    )
    assert sorted(found["ListDataInDataBucket"]["Condition"]["StringLike"]["s3:prefix"]) == sorted(
        f"raw/segment-{index}/*" for index in range(45)
    )
    asset_reads = found["ReadDataInAssetsBucket"]["Resource"]
    assert len(asset_reads) == 2  # the script, and its archive for the training job
    assert all("cdk-hnb659fds-assets" in json.dumps(read) for read in asset_reads)
    assert not any("/*" in json.dumps(read) for read in asset_reads)
    # The artifact key still lets the jobs write.
    assert found["UseKeyOfDataInArtifactsBucket"]["Action"] == [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    ]
    # The pipeline role's policies fit: it is left as it was.
    assert "PipelineWide" not in json.dumps(statements(built.template, pipeline.role_policy))


def test_the_collapsed_statements_wildcards_are_acknowledged_as_pipeline_wide(
    collapsed: tuple[Built, list[str]],
):
    # cdk-nag (AwsSolutions and NIST 800-53 rev 5) passed in the fixture's synth; the reason
    # given for the prefixes says what they are.
    built, _ = collapsed
    reasons: dict[str, str] = {}
    for policy in built.pipeline.step_role_policies:
        reasons.update(_acknowledged(policy))
    bucket = f"<{built.bucket}>"
    for prefix in (f"executions/{NAME}/*", f"models/{NAME}/*"):
        finding = (
            f"Annotation::{WILDCARD_RULE}[Resource::arn:<AWS::Partition>:s3:::{bucket}/{prefix}]"
        )
        assert reasons[finding].startswith(
            f"jobs of pipeline {NAME}: the role's derived statements needed more managed "
            "policies than IAM attaches to a role by default"
        ), reasons.get(finding)
        assert "cdk-sagemaker-pipelines:permissions-collapsed" in reasons[finding]


def test_a_pipeline_whose_exact_locations_need_more_than_20_policies_now_deploys(tmp_path):
    # 100 such steps needed 24 managed policies for the step role: synth failed, and the
    # only advice was to split the pipeline.
    stack, pipeline = _chained_pipeline(tmp_path, 100)
    assert len(pipeline.step_role_policies) <= 2
    annotations = Annotations.from_stack(stack)  # one synthesis for both reads
    [warning] = _collapse_warnings(annotations)
    assert warning.startswith("The permissions derived for step_role needed 24 managed policies")
    assert annotations.find_warning("*", Match.string_like_regexp("too-many-role-policies")) == []


def test_only_a_role_needing_more_policies_than_it_takes_by_default_is_collapsed(
    tmp_path, monkeypatch
):
    # Up to the default quota, every location stays exact, and the template is what it was.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    # Each stack's template and warnings from one synthesis (tests/cdk/helpers.py).
    stack, pipeline = _chained_pipeline(tmp_path, 12)
    count = len(pipeline.step_role_policies)
    template, annotations = synthesized(stack)
    exact = template.to_json()
    assert count == 5
    assert _collapse_warnings(annotations) == []
    assert "PipelineWide" not in json.dumps(exact)
    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", count)
    stack, pipeline = _chained_pipeline(tmp_path, 12)
    template, annotations = synthesized(stack)
    assert template.to_json() == exact
    assert _collapse_warnings(annotations) == []
    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", count - 1)
    stack, pipeline = _chained_pipeline(tmp_path, 12)
    assert len(pipeline.step_role_policies) == 1
    template, annotations = synthesized(stack)
    [warning] = _collapse_warnings(annotations)
    assert warning.startswith("The permissions derived for step_role needed 5 managed policies")
    # Only the step role's: the pipeline role's one policy fits.
    found = statements(template, pipeline.role_policy)
    assert not any("PipelineWide" in sid for sid in found)


def test_a_step_role_that_fits_is_collapsed_when_the_automl_role_getting_it_does_not(
    tmp_path, monkeypatch
):
    # The AutoML role gets the step role's policies and its own: when the sum overflows,
    # the step role's locations are what collapsing can shrink (the AutoML role's own hold
    # none of the steps'). Before, only the step role's own count was looked at.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    script = tmp_path / "prepare.py"
    script.write_text("print(1)\n")

    def build() -> Pipeline:
        stack = new_stack()
        store = ArtifactStore(stack, "Artifacts")
        chained = _chained_outputs(script, store, 12)
        automl = AutoMLStep(
            name="AutoML", inputs="s3://data-bucket/automl/train.csv", target_attribute_name="y"
        )
        definition = PipelineDefinition(steps=[*chained.steps, automl])
        return Pipeline(
            stack, "Training", definition=definition, pipeline_name=NAME, artifact_store=store
        )

    exact = build()
    step_count, own = len(exact.step_role_policies), len(exact.automl_role_policies)
    assert (step_count, own) == (5, 1)
    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", step_count)
    pipeline = build()
    annotations = Annotations.from_stack(cdk.Stack.of(pipeline))  # one synthesis, both reads
    [warning] = _collapse_warnings(annotations)
    after = len(pipeline.step_role_policies)
    assert after < step_count
    assert warning.startswith(
        f"The permissions derived for step_role needed {step_count} managed policies of at "
        f"most 6,144 characters (IAM's limit), and automl_role, which gets them too, "
        f"{step_count + own}, more than the {step_count} IAM attaches to a role by default"
    )
    assert f"now in {after} managed polic" in warning
    assert f"(automl_role: {after + own})" in warning
    found = annotations.find_warning("*", Match.string_like_regexp("too-many-role-policies"))
    assert found == []


def test_a_role_still_needing_too_many_policies_once_collapsed_is_warned_or_fails(
    tmp_path, monkeypatch
):
    # Collapsed, the 45 steps' statements need 2 policies (the data bucket's 45 exact
    # segments): more than a quota of 1 warns, as before, and more than the most a role
    # takes fails, saying what was already collapsed.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", 1)
    stack, pipeline = _chained_pipeline(tmp_path, 45)
    assert len(pipeline.step_role_policies) == 2
    annotations = Annotations.from_stack(stack)  # one synthesis for both reads
    assert len(_collapse_warnings(annotations)) == 1
    found = annotations.find_warning("*", Match.string_like_regexp("too-many-role-policies"))
    assert [str(entry.entry.data)[:60] for entry in found] == [
        "The permissions derived for step_role need 2 managed policie"
    ]
    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE_RAISED", 1)
    with pytest.raises(PipelineValidationError) as raised:
        _chained_pipeline(tmp_path, 45)
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n"
        "- prop 'step_role': the permissions derived for it need 2 managed policies of at most "
        "6,144 characters (IAM's limit), more than the 1 IAM attaches to a role even with its "
        "quota raised: deploying would fail, even with this pipeline's locations under "
        f"executions/{NAME}/* and models/{NAME}/* of the artifact bucket Test/Artifacts/Bucket "
        "granted on those prefixes as a whole rather than one by one (split the pipeline into "
        "several Pipelines, or let steps share code (one Code.from_asset folder for several "
        "steps) and data locations: each script, input and output location adds to the "
        "statements)"
    )


def test_the_pipeline_roles_property_files_are_collapsed_when_its_policies_dont_fit(
    monkeypatch,
):
    # The pipeline role reads the property files of JsonGet itself: its statements are
    # collapsed the same way when they need more policies than the role takes.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", 0)
    report = PropertyFile(name="Report", output_name="report", path="report.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        outputs=["report"],
        property_files=[report],
    )
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=JsonGet(step=evaluate, property_file=report, json_path="auc"), right=0.5
            )
        ],
        if_steps=[FailStep(name="Fail", error_message="good")],
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[check]), pipeline_name=NAME
    )
    template, annotations = synthesized(stack)  # one synthesis for all reads
    assert pipeline.role_policy is not None
    found = statements(template, pipeline.role_policy)
    bucket = [{"Ref": logical_id(pipeline.artifact_store.bucket)}]
    assert found["ReadPipelineWidePropertyFilesInArtifactsBucket"]["Resource"] == s3_arn(
        [*bucket, f"/executions/{NAME}/*"]
    )
    assert "ReadPropertyFilesInArtifactsBucket" not in found
    assert [warning[:60] for warning in _collapse_warnings(annotations)] == [
        "The permissions derived for role needed 1 managed policies o",
        "The permissions derived for step_role needed 1 managed polic",
    ]
    assert "The role reads the steps' property files there" in _collapse_warnings(annotations)[0]


def test_code_assets_of_an_environment_agnostic_stack_are_read_in_one_statement(tmp_path):
    # There each asset's bucket name is a token of its own: the step role got a read and a
    # list statement per script, and a long pipeline's policy outgrew IAM's limit.
    stack = new_stack(account=None, region=None)
    pipeline = Pipeline(stack, "Training", definition=_many_scripts(tmp_path, 3))
    template = Template.from_stack(stack)
    found = statements(template, pipeline.step_role_policy)
    asset_reads = [
        statement["Resource"]
        for sid, statement in found.items()
        if sid.startswith("Read") and "cdk-hnb659fds-assets" in json.dumps(statement)
    ]
    assert len(asset_reads) == 1
    assert len(asset_reads[0]) == 3  # the three scripts, in one statement


def test_the_step_role_lets_the_volumes_of_its_jobs_use_their_keys():
    # The SageMaker guide's policies for the role a processing, training or tuning job runs
    # with add kms:CreateGrant "if you specify a volume KMS key in the resource configuration"
    # (as aws-cdk-lib's SageMakerCreateTrainingJob task grants its role): before, only the
    # pipeline role had it. Each tuning definition's key counts; an output key doesn't, nor a
    # transform job's volume key (the job runs as its model's role; the guide says nothing).
    def key(name: str) -> str:
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{name}"

    ranges = {"C": ContinuousParameter(min_value=0.1, max_value=1.0)}
    definitions = [
        TrainingJobDefinition(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://code-bucket/train.tar.gz", entry_point="train.py"),
            inputs={"train": "s3://data-bucket/train/"},
            objective_metric_name="acc",
            metric_definitions={"acc": "acc=([0-9.]+)"},
            hyperparameter_ranges=ranges,
            volume_kms_key=key(f"tune-{name}-volume"),
            output_kms_key=key("output"),
        )
        for name in ("a", "b")
    ]
    tune = TuningStep(name="Tune", training_job_definitions=definitions, max_jobs=2)
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.tar.gz", entry_point="train.py"),
        inputs={"train": "s3://data-bucket/train/"},
        volume_kms_key=key("train-volume"),
        output_kms_key=key("output"),
    )
    model = ModelStep(
        name="Model", image=Image.sklearn("1.2-1", scope="inference"), model_data=train.model_data
    )
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/score/",
        volume_kms_key=key("transform-volume"),
        output_kms_key=key("output"),
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[tune, score]), pipeline_name=NAME
    )
    built = Built(stack, pipeline)

    assert built.step_role["LetJobVolumesUseTheirKeys"] == {
        "Action": "kms:CreateGrant",
        "Effect": "Allow",
        "Resource": [key("train-volume"), key("tune-a-volume"), key("tune-b-volume")],
        "Sid": "LetJobVolumesUseTheirKeys",
    }


def _log_writer(definition: PipelineDefinition, **props: Any) -> Any:
    """The step role's policies as the local IAM evaluator reads them."""
    from cdk_sagemaker_pipelines.local.iam import RolePolicies, Statement

    stack = new_stack()
    pipeline = Pipeline(stack, "Pipeline", definition=definition, pipeline_name=NAME, **props)
    found = attached(Template.from_stack(stack), pipeline.step_role)
    return RolePolicies(
        f"arn:aws:iam::{ACCOUNT}:role/StepRole",
        "the step role",
        tuple(Statement.from_json(statement) for statement in found.values()),
    )


def _log_arns(group: str) -> tuple[str, str]:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    return arn, f"{arn}:log-stream:pipelines-abc123-Prep-xyz/algo-1-1700000000"


def test_a_processing_steps_role_writes_its_jobs_log_group_only():
    # "Log groups and streams that Amazon SageMaker AI sends to Amazon CloudWatch Logs":
    # processing jobs log to /aws/sagemaker/ProcessingJobs; no other group is theirs.
    from cdk_sagemaker_pipelines.local.iam import evaluate

    role = _log_writer(PipelineDefinition(steps=[prep_step()]))
    group, stream = _log_arns("/aws/sagemaker/ProcessingJobs")
    assert evaluate(role, "logs:CreateLogGroup", group, {}).allowed
    for action in ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"):
        assert evaluate(role, action, stream, {}).allowed, action
    for other in ("/aws/lambda/x", "/aws/sagemaker/Endpoints/other", "/aws/sagemaker/TrainingJobs"):
        for arn in _log_arns(other):
            for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"):
                assert not evaluate(role, action, arn, {}).allowed, (action, arn)


def test_job_log_groups_follow_the_step_types():
    from cdk_sagemaker_pipelines.cdk._policies import job_log_groups
    from cdk_sagemaker_pipelines.definition.permissions import PermissionPlan

    def groups(*types: str, **fields: Any) -> list[Any]:
        return job_log_groups(PermissionPlan(step_types=set(types), **fields))

    assert groups("Processing", "QualityCheck", "ClarifyCheck") == ["ProcessingJobs"]
    assert groups("Training", "Tuning", "Transform") == ["TrainingJobs", "TransformJobs"]
    assert groups("Lambda", "Condition", "RegisterModel") == []
    # A model may serve endpoints the definition doesn't name (Clarify's shadow endpoints).
    assert groups("Model", "Endpoint") == ["Endpoints/*"]
    assert groups("Endpoint", deploy_grants={("Endpoint", "endpoint"): ["churn-live"]}) == [
        "Endpoints/churn-live"
    ]
    # Autopilot runs jobs of its choosing; an unknown type logs who knows where.
    assert groups("AutoML", "Processing") == ["*"]
    assert groups("Processing", unplanned_steps=[("New", "Future")]) == ["*"]
