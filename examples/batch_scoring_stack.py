"""docs/batch-scoring.md's stack part: a batch scoring pipeline beside the training one.

``BatchScoring`` goes into the stack that holds the artifact store, the data bucket and
the model registry (``stacks/mlops_stack.py`` in the reference app), so no value crosses
stacks. It creates the function that finds the latest approved version, the pipeline,
the rule that starts it when a version is approved (with that version's ARN) and the
nightly schedule (the latest approved version), and grants what the library can't derive
from the definition: the function's reads of the registry, and the model's reads of the
registered versions' data under ``models/``. The model runs as a role of its own
(``dedicated_step_roles="*"``), which its transform jobs run as too: it alone reads the
scoring data and writes the scores.

It passes cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs: the function runs as a role
of its own with a managed policy of exactly what it does (no AWS managed policy, nothing
inline), logs to a log group of its own encrypted with the store's key, on the latest
Python runtime; what remains (no dead-letter queue, no reserved concurrency, no VPC) is
inherent, and acknowledged on the resource with its reason (tests/cdk/test_batch_scoring.py
runs the packs and cfn-lint).

Example::

    BatchScoring(self, "Scoring", artifact_store=store, data_bucket=data, registry=registry)
"""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import (
    Acknowledgment,
    Annotations,
    ArnFormat,
    CfnElement,
    CfnResource,
    Duration,
    Names,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler

from cdk_sagemaker_pipelines.cdk import (
    MODELS_PREFIX,
    ArtifactStore,
    ModelRegistry,
    Pipeline,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from constructs import Construct
from example_project.batch_scoring import LAMBDAS, SCORING_KEY, build_batch_scoring_pipeline


class BatchScoring(Construct):
    """Score new data nightly, and when a version is approved, with the approved model.

    Example::

        BatchScoring(self, "Scoring", artifact_store=store, data_bucket=data, registry=registry)
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        artifact_store: ArtifactStore,
        data_bucket: s3.IBucket,
        registry: ModelRegistry,
        schedule: str = "cron(0 2 * * ? *)",
    ) -> None:
        super().__init__(scope, construct_id)
        self.resolve_function = self._latest_approved_function(artifact_store, registry)
        self.pipeline = Pipeline(
            self,
            "Pipeline",
            definition=build_batch_scoring_pipeline(
                data_bucket=data_bucket.bucket_name,
                model_package_group_name=registry.model_package_group_name,
                resolve_function_arn=self.resolve_function.function_arn,
            ),
            artifact_store=artifact_store,
            parameter_locations={"ScoringDataKey": [f"{SCORING_KEY}*"]},
            # The model's role (its transform jobs run as it) gets the scoring data and
            # the scores, and no other job runs as it.
            dedicated_step_roles="*",
            # The model and its transform jobs need no network: SageMaker brings the model
            # data and the input, and the serving code is in model.tar.gz.
            enable_network_isolation=True,
        )
        # The model (and its transform jobs) reads the version's model data, which only the
        # version names: the registered versions are under the store's models/. A managed
        # policy of the one read it needs (grant_read_models would write the bucket's
        # s3:GetObject*, s3:List* and s3:GetBucket* into the role's inline policy). The
        # image is SageMaker's scikit-learn one: no ECR grant needed.
        model_data = artifact_store.bucket.arn_for_objects(f"{MODELS_PREFIX}*")
        self.model_data_policy = iam.ManagedPolicy(
            self,
            "ModelDataPolicy",
            description="The registered versions' model data the batch scoring model reads",
            roles=[self.pipeline.dedicated_roles["ApprovedModel"]],
            statements=[
                iam.PolicyStatement(
                    sid="ReadRegisteredModelData", actions=["s3:GetObject"], resources=[model_data]
                ),
                iam.PolicyStatement(
                    sid="DecryptRegisteredModelData",
                    actions=["kms:Decrypt"],
                    resources=[artifact_store.key.key_arn],
                ),
            ],
        )
        Validations.of(self.model_data_policy).acknowledge(
            Acknowledgment(
                id=wildcard_finding(self, model_data),
                reason="a registered version's model data is an object its training job "
                "named under models/ at run time, and the version to score with is known "
                "only at run time: the model reads any object under models/ (not executions/)",
            )
        )
        Annotations.of(self.pipeline).acknowledge_warning(
            "cdk-sagemaker-pipelines:model-from-model-package",
            "the registered versions' model data is under the artifact store's models/, "
            "granted to the model's role; their image is a SageMaker framework image",
        )
        # A version approved: score with it (the event's ARN into the parameter).
        self.on_approved = registry.on_model_approved(
            "ScoreOnApproval",
            target=SageMakerPipelineTarget(
                self.pipeline, parameters={"ModelPackageArn": "$.detail.ModelPackageArn"}
            ),
        )
        # Nightly: ModelPackageArn left at its default (""), so the latest approved version.
        self.schedule = PipelineSchedule(
            self,
            "Nightly",
            pipeline=self.pipeline,
            schedule=scheduler.ScheduleExpression.expression(schedule),
            parameters={"ScoringDataKey": SCORING_KEY},
        )

    def _latest_approved_function(
        self, artifact_store: ArtifactStore, registry: ModelRegistry
    ) -> lambda_.Function:
        """The function of ``lambdas/latest_approved.py``, with its logs, role and policy."""
        stack = Stack.of(self)
        # Named, so that the store's key policy can name it without a dependency cycle (the
        # log group refers to the key). Its logs are only the lookups' messages: removed
        # with the stack, so that deploying the stack again can create it again.
        log_group_name = f"/aws/lambda/{Names.unique_resource_name(self)}-LatestApproved"
        self.resolve_logs = logs.LogGroup(
            self,
            "LatestApprovedLogs",
            log_group_name=log_group_name,
            encryption_key=artifact_store.key,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # CloudWatch Logs encrypts with the key of this log group only (its encryption
        # context); the actions are those its guide gives a log group's key policy.
        log_group_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        added = artifact_store.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptsTheLatestApprovedFunctionsLogs",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
            )
        )
        if not added.statement_added:
            raise ValueError(
                f"BatchScoring {self.node.path}: the artifact store's key is imported, so its "
                "policy can't let CloudWatch Logs encrypt the function's log group"
            )
        role = iam.Role(
            self,
            "LatestApprovedRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Finds the model version a batch scoring run uses",
        )
        # What the function does, and nothing else: not AWSLambdaBasicExecutionRole (any
        # log group of the account), not the registry's grant_read (inline, and
        # DescribeModelPackageGroup, which it doesn't call).
        versions = registry.model_packages_arn
        self.resolve_policy = iam.ManagedPolicy(
            self,
            "LatestApprovedPolicy",
            description="What the batch scoring function that finds the version may do",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    sid="WriteOwnLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.resolve_logs.log_group_arn],
                ),
                iam.PolicyStatement(
                    sid="ReadApprovedVersions",
                    actions=["sagemaker:ListModelPackages", "sagemaker:DescribeModelPackage"],
                    resources=[registry.model_package_group_arn, versions],
                ),
            ],
        )
        Validations.of(self.resolve_policy).acknowledge(
            Acknowledgment(
                id=wildcard_finding(self, versions),
                reason="the registry numbers the versions of the group itself "
                "(model-package/<group>/<n>): the function lists and describes the versions "
                "of this group only",
            )
        )
        function = lambda_.Function(
            self,
            "LatestApproved",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="latest_approved.handler",
            code=lambda_.Code.from_asset(str(LAMBDAS)),
            timeout=Duration.seconds(30),
            description="The model version a batch scoring run uses",
            role=role,
            log_group=self.resolve_logs,
        )
        # The function waits for its policy, not for its role, which its Role property
        # (a GetAtt) already waits for: aws-cdk-lib's DependsOn on the role repeats it
        # (cfn-lint W3005). More permissions go into the policy too: a grant_*(function)
        # writes the role's inline policy, which NIST 800-53's IAMNoInlinePolicy flags.
        policy = cast(CfnElement, self.resolve_policy.node.default_child)
        cast(CfnResource, function.node.default_child).add_override(
            "DependsOn", [stack.get_logical_id(policy)]
        )
        Validations.of(function).acknowledge(
            Acknowledgment(
                id="NIST.800.53.R5-LambdaDLQ",
                reason="the pipeline's Lambda step invokes the function synchronously and "
                "reads its return value (the step's output): a failed invocation fails the "
                "step and the run; a dead-letter queue receives only failed asynchronous "
                "invocations, and there are none",
            ),
            Acknowledgment(
                id="NIST.800.53.R5-LambdaConcurrency",
                reason="a run invokes the function once, for about a second; reserving "
                "concurrency would fail the deploy in accounts whose quota is under the 100 "
                "unreserved executions Lambda keeps (new accounts may start at 10)",
            ),
            Acknowledgment(
                id="NIST.800.53.R5-LambdaInsideVPC",
                reason="the function reads nothing but the SageMaker API (ListModelPackages, "
                "DescribeModelPackage) and holds no data; a VPC would add subnets and a "
                "SageMaker API endpoint or NAT, and no protection to these calls",
            ),
        )
        return function


def wildcard_finding(scope: Construct, resource: str) -> str:
    """The id of cdk-nag's ``AwsSolutions-IAM5`` finding of ``resource``, a wildcard ARN.

    cdk-nag names the resource as the template of ``scope``'s stack has it, references
    written ``<LogicalId.Attribute>`` and ``<AWS::Region>``
    (``AwsSolutions-IAM5[Resource::<ArtifactsBucket88671897.Arn>/models/*]``): an
    acknowledgment must name exactly that. ``resource`` of the same stack (a reference to
    another stack becomes an import at synth).

    Example::

        wildcard_finding(self, bucket.arn_for_objects("models/*"))
    """
    return f"AwsSolutions-IAM5[Resource::{_as_cdk_nag_names(Stack.of(scope).resolve(resource))}]"


def _as_cdk_nag_names(node: Any) -> str:
    """A resolved CloudFormation value flattened as cdk-nag's findings name it."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")  # as cdk-nag writes Fn::Sub's
    if isinstance(node, dict) and "Fn::Join" in node:
        separator, items = node["Fn::Join"]
        return str(separator).join(_as_cdk_nag_names(item) for item in items)
    if isinstance(node, dict) and "Fn::GetAtt" in node:
        logical_id, attribute = node["Fn::GetAtt"]
        return f"<{logical_id}.{attribute}>"
    if isinstance(node, dict) and "Ref" in node:
        return f"<{node['Ref']}>"
    raise ValueError(f"no cdk-nag name for {node!r}")
