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
    ProcessingStep,
    PropertyFile,
    RegisterModel,
    StaticBinder,
    TrainingStep,
)

ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")

input_data = ParameterString(name="InputData", default_value="s3://my-bucket/raw/")
threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
sklearn = Image.sklearn("1.2-1")

prep = ProcessingStep(
    name="Preprocess",
    image=sklearn,
    code=Code.from_s3("s3://my-bucket/code/preprocess.py"),
    inputs={"input": input_data},  # at /opt/ml/processing/input; the script is in its code/
    outputs=["train", "test"],  # written to /opt/ml/processing/train and …/test
)
train = TrainingStep(
    name="Train",
    image=sklearn,
    code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
    inputs={"train": prep.output("train")},
    hyperparameters={"n_estimators": 100},
)
report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
evaluate = ProcessingStep(
    name="Evaluate",
    image=sklearn,
    code=Code.from_s3("s3://my-bucket/code/evaluate.py"),
    inputs={"model": train.model_data, "test": prep.output("test")},
    outputs=["evaluation"],
    property_files=[report],
)
accuracy = JsonGet(step=evaluate, property_file=report, json_path="metrics.accuracy.value")
register = RegisterModel(
    name="RegisterModel",
    model_package_group_name="my-models",
    image=Image.sklearn("1.2-1", scope="inference"),
    model_data=train.model_data,
    inference_instances=["ml.m5.large"],
)
too_low = FailStep(
    name="AccuracyTooLow", error_message=Join(on=" ", values=["Accuracy below", threshold])
)
check = ConditionStep(
    name="CheckAccuracy",
    conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
    if_steps=[register],
    else_steps=[too_low],
)
pipeline = PipelineDefinition(parameters=[input_data, threshold], steps=[check])

if __name__ == "__main__":
    print(pipeline.to_json(BINDER, indent=2))
