"""The SDK reference pipeline ``process-train-evaluate-condition-register-fail``, in our language.

Compiles to the same definition as the SageMaker SDK's output, except for the
SDK-only defaults listed in ``DIFFERENCES``.
"""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ExecutionVariables,
    FailStep,
    Join,
    JsonGet,
    MetricsSource,
    ModelMetrics,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineExperimentConfig,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    RegisterModel,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    StepExceptionType,
    StepRetryPolicy,
    TrainingInput,
    TrainingStep,
)

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
DIFFERENCES = {
    # The SDK always writes empty Bias/Explainability reports and SkipModelValidation.
    "Steps[3].Arguments.IfSteps[0].Arguments.ModelMetrics.Bias": "SDK-only empty object",
    "Steps[3].Arguments.IfSteps[0].Arguments.ModelMetrics.Explainability": "SDK-only empty object",
    "Steps[3].Arguments.IfSteps[0].Arguments.SkipModelValidation": "SDK default 'None'",
}


def build() -> PipelineDefinition:
    """The pipeline: preprocess → train → evaluate → accuracy check → register or fail."""
    input_data = ParameterString(
        name="InputDataUrl", default_value="s3://my-ml-bucket/raw/data.csv"
    )
    instance_type = ParameterString(
        name="TrainingInstanceType",
        default_value="ml.m5.xlarge",
        enum_values=["ml.m5.xlarge", "ml.m5.2xlarge"],
    )
    instance_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.8)
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    enable_foo = ParameterBoolean(name="EnableFoo", default_value=False)

    preprocess = ProcessingStep(
        name="Preprocess",
        image=IMAGE,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        instance_count=instance_count,
        entrypoint=["python3", "/opt/ml/processing/code/preprocess.py"],
        arguments=["--split", "0.2"],
        inputs=[
            ProcessingInput(
                input_name="raw", source=input_data, destination="/opt/ml/processing/input"
            ),
            ProcessingInput(
                input_name="code",
                source="s3://my-ml-bucket/code/preprocess.py",
                destination="/opt/ml/processing/code",
            ),
        ],
        outputs=[
            ProcessingOutput(
                output_name="train",
                source="/opt/ml/processing/train",
                destination=Join(
                    on="/",
                    values=["s3://my-ml-bucket", ExecutionVariables.PIPELINE_EXECUTION_ID, "train"],
                ),
            ),
            ProcessingOutput(
                output_name="test",
                source="/opt/ml/processing/test",
                destination="s3://my-ml-bucket/prep/test",
            ),
        ],
    )
    outputs = preprocess.properties.ProcessingOutputConfig.Outputs
    train = TrainingStep(
        name="Train",
        image=IMAGE,
        role=ROLE,
        instance_type=instance_type,
        output_path="s3://my-ml-bucket/models",
        inputs={
            "train": TrainingInput(s3_data=outputs["train"].S3Output.S3Uri, content_type="text/csv")
        },
        hyperparameters={"epochs": 10, "lr": 0.1},
        metric_definitions={"val:acc": "val_acc=([0-9.]+)"},
        cache_config=CacheConfig(expire_after="P30D"),
        retry_policies=[
            StepRetryPolicy(
                exception_types=[StepExceptionType.SERVICE_FAULT, StepExceptionType.THROTTLING],
                interval_seconds=10,
                max_attempts=3,
            ),
            SageMakerJobStepRetryPolicy(
                exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR],
                expire_after_mins=60,
            ),
        ],
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        image=IMAGE,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        entrypoint=["python3", "/opt/ml/processing/code/evaluate.py"],
        inputs=[
            ProcessingInput(
                input_name="model",
                source=train.properties.ModelArtifacts.S3ModelArtifacts,
                destination="/opt/ml/processing/model",
            ),
            ProcessingInput(
                input_name="test",
                source=outputs["test"].S3Output.S3Uri,
                destination="/opt/ml/processing/test",
            ),
            ProcessingInput(
                input_name="code",
                source="s3://my-ml-bucket/code/evaluate.py",
                destination="/opt/ml/processing/code",
            ),
        ],
        outputs=[
            ProcessingOutput(
                output_name="evaluation",
                source="/opt/ml/processing/evaluation",
                destination="s3://my-ml-bucket/eval",
            )
        ],
        property_files=[report],
    )
    evaluation_uri = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    register = RegisterModel(
        name="RegisterModel-RegisterModel",
        model_package_group_name="my-model-group",
        image=IMAGE,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        approval_status=approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluation_uri, "evaluation.json"])
            )
        ),
    )
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=JsonGet(
                    step=evaluate, property_file=report, json_path="metrics.accuracy.value"
                ),
                right=threshold,
            )
        ],
        if_steps=[register],
        else_steps=[
            FailStep(
                name="AccuracyTooLow",
                error_message=Join(on=" ", values=["Accuracy below", threshold]),
            )
        ],
    )
    return PipelineDefinition(
        parameters=[input_data, instance_type, instance_count, threshold, approval, enable_foo],
        steps=[check],
        experiment_config=PipelineExperimentConfig(
            experiment_name=ExecutionVariables.PIPELINE_NAME,
            trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID,
        ),
    )
