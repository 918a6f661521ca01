"""Batch scoring with the latest approved model version: the second half of the example.

``ResolveModel`` (a Lambda step) returns the version to score with: the ``ModelPackageArn``
parameter when a run is started for one version (the approval event passes it), otherwise
the newest ``Approved`` version of the group. ``ApprovedModel`` creates a model of that
version (its image, model data and serving code are the registered ones) and
``BatchScore`` runs a batch transform over ``s3://<data bucket>/<ScoringDataKey>``,
writing ``<file>.out`` per input file to the execution's own output location.

The same definition deploys with the CDK ``Pipeline`` construct
(``examples/batch_scoring_stack.py``) and runs locally, with the Lambda step's output given
(``--callback-output ResolveModel.ModelPackageArn=<a local version's ARN>``).

Example::

    definition = build_batch_scoring_pipeline(
        data_bucket="my-data", model_package_group_name="churn",
        resolve_function_arn=fn.function_arn)
"""

from __future__ import annotations

from pathlib import Path

from cdk_sagemaker_pipelines.definition import (
    Expression,
    Join,
    LambdaStep,
    ModelStep,
    OutputType,
    ParameterString,
    PipelineDefinition,
    StepOutput,
    TransformStep,
)

# The Lambda function's code: one handler, boto3 only (in every Lambda Python runtime).
LAMBDAS = Path(__file__).resolve().parent / "lambdas"
SCORING_KEY = "scoring/incoming/"


def build_batch_scoring_pipeline(
    *,
    data_bucket: str,
    model_package_group_name: str | Expression,
    resolve_function_arn: str,
    scoring_key: str = SCORING_KEY,
    instance_type: str = "ml.m5.large",
) -> PipelineDefinition:
    """Build the batch scoring pipeline.

    ``resolve_function_arn`` is the ARN of the function of ``lambdas/latest_approved.py``
    (``fn.function_arn`` in a CDK app); ``scoring_key`` the default of ``ScoringDataKey``.
    """
    package_arn = ParameterString(name="ModelPackageArn", default_value="")
    scoring_data = ParameterString(name="ScoringDataKey", default_value=scoring_key)
    resolve = LambdaStep(
        name="ResolveModel",
        description="The version to score with: the one given, or the latest approved",
        function_arn=resolve_function_arn,
        inputs={"ModelPackageGroupName": model_package_group_name, "ModelPackageArn": package_arn},
        outputs=[StepOutput(output_name="ModelPackageArn", output_type=OutputType.STRING)],
    )
    model = ModelStep(
        name="ApprovedModel",
        description="A model of the registered version (its image, data and serving code)",
        model_package_name=resolve.properties.OutputParameters["ModelPackageArn"],
    )
    score = TransformStep(
        name="BatchScore",
        description="Score the new data; one <file>.out of predictions per input file",
        model_name=model.properties.ModelName,
        input_data=Join(on="", values=["s3://", data_bucket, "/", scoring_data]),
        content_type="text/csv",
        split_type="Line",
        accept="text/csv",
        assemble_with="Line",
        instance_type=instance_type,
    )
    return PipelineDefinition(parameters=[package_arn, scoring_data], steps=[score])
