"""The SDK reference pipeline ``training-int-parameter-hyperparameter-no-experiment``."""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    FailStep,
    ParameterInteger,
    PipelineDefinition,
    TrainingStep,
)

DIFFERENCES = {
    # The SDK writes "PipelineExperimentConfig": null; we leave the member out.
    "PipelineExperimentConfig": "SDK writes null, we omit it",
}


def build() -> PipelineDefinition:
    """A training step whose hyperparameter is an Integer parameter, then a Fail step."""
    epochs = ParameterInteger(name="Epochs", default_value=5)
    train = TrainingStep(
        name="T",
        image="img",
        role="arn:aws:iam::111122223333:role/r",
        instance_type="ml.m5.xlarge",
        output_path="s3://b/m",
        inputs={"training": "s3://b/train"},
        hyperparameters={"epochs": epochs, "name": "x"},
        environment={"MODE": "train"},
    )
    return PipelineDefinition(
        parameters=[epochs],
        steps=[train, FailStep(name="F", depends_on=[train])],
    )
