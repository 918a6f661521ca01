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

Example::

    BatchScoring(self, "Scoring", artifact_store=store, data_bucket=data, registry=registry)
"""

from __future__ import annotations

from aws_cdk import Annotations, Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler

from cdk_sagemaker_pipelines.cdk import (
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
        self.resolve_function = lambda_.Function(
            self,
            "LatestApproved",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="latest_approved.handler",
            code=lambda_.Code.from_asset(str(LAMBDAS)),
            timeout=Duration.seconds(30),
            description="The model version a batch scoring run uses",
        )
        # DescribeModelPackage and ListModelPackages on the group's versions.
        registry.grant_read(self.resolve_function)
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
        )
        # The model (and its transform jobs) reads the version's model data, which only the
        # version names: the registered versions are under the store's models/. The image
        # is SageMaker's scikit-learn one: no ECR grant needed.
        artifact_store.grant_read_models(self.pipeline.dedicated_roles["ApprovedModel"])
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
