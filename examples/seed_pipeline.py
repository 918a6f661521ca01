"""The README's example: preprocess → train → evaluate → accuracy ≥ threshold → register, else fail.

Run ``python -m examples.seed_pipeline`` to print its definition JSON.
"""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    FailStep,
    Image,
    Join,
    JsonGet,
    ParameterFloat,
    ParameterString,
    PipelineDefinition,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    RegisterModel,
    StaticBinder,
    TrainingStep,
)

input_data = ParameterString(name="InputData", default_value="s3://my-bucket/raw/")
threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)

prep = ProcessingStep(
    name="Preprocess",
    image=Image.sklearn("1.2-1"),
    code=Code.from_s3("s3://my-bucket/code/preprocess.py"),
    inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
    outputs=[
        ProcessingOutput(output_name=name, source=f"/opt/ml/processing/{name}")
        for name in ("train", "test")
    ],
)
train = TrainingStep(
    name="Train",
    image=Image.sklearn("1.2-1"),
    code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
    inputs={"train": prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri},
    hyperparameters={"n_estimators": 100},
)
report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
evaluate = ProcessingStep(
    name="Evaluate",
    image=Image.sklearn("1.2-1"),
    code=Code.from_s3("s3://my-bucket/code/evaluate.py"),
    inputs=[
        ProcessingInput(
            source=train.properties.ModelArtifacts.S3ModelArtifacts,
            destination="/opt/ml/processing/model",
        ),
        ProcessingInput(
            source=prep.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
            destination="/opt/ml/processing/test",
        ),
    ],
    outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
    property_files=[report],
)
register = RegisterModel(
    name="RegisterModel",
    model_package_group_name="my-models",
    image=Image.sklearn("1.2-1", scope="inference"),
    model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    inference_instances=["ml.m5.large"],
)
check = ConditionStep(
    name="CheckAccuracy",
    conditions=[
        ConditionGreaterThanOrEqualTo(
            left=JsonGet(step=evaluate, property_file=report, json_path="metrics.accuracy.value"),
            right=threshold,
        )
    ],
    if_steps=[register],
    else_steps=[
        FailStep(
            name="AccuracyTooLow", error_message=Join(on=" ", values=["Accuracy below", threshold])
        )
    ],
)
pipeline = PipelineDefinition(parameters=[input_data, threshold], steps=[check])

BINDER = StaticBinder(
    region="us-east-1",
    role_arn="arn:aws:iam::111122223333:role/SageMakerExecutionRole",
    default_bucket="my-bucket",
)

if __name__ == "__main__":
    print(pipeline.to_json(BINDER, indent=2))
