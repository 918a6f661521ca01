"""The SDK reference pipeline ``lambda-callback-emr-tuning-model-transform-conditions``."""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    ConditionEquals,
    ConditionIn,
    ConditionLessThan,
    ConditionNot,
    ConditionOr,
    ConditionStep,
    ContinuousParameter,
    EMRStep,
    ExecutionVariables,
    FailStep,
    IntegerParameter,
    Join,
    LambdaStep,
    ModelStep,
    OutputType,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineExperimentConfig,
    StepOutput,
    TransformStep,
    TuningStep,
)

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
DIFFERENCES: dict[str, str] = {}


def build() -> PipelineDefinition:
    """Lambda → callback → EMR → tuning → condition → create model + batch transform, or fail."""
    env = ParameterString(name="Env", default_value="dev", enum_values=["dev", "prod"])
    max_jobs = ParameterInteger(name="MaxJobs", default_value=4)
    prep = LambdaStep(
        name="PrepLambda",
        display_name="Prep lambda",
        description="Splits data",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:prep",
        inputs={"bucket": "my-ml-bucket", "env": env, "n": 5},
        outputs=[
            StepOutput(output_name="train_uri"),
            StepOutput(output_name="rows", output_type=OutputType.INTEGER),
        ],
        cache_config=CacheConfig(expire_after="PT12H"),
    )
    train_uri = prep.properties.OutputParameters["train_uri"]
    check = CallbackStep(
        name="ManualCheck",
        sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/cbq",
        inputs={"train": train_uri},
        outputs=[StepOutput(output_name="ok", output_type=OutputType.BOOLEAN)],
    )
    spark = EMRStep(
        name="Spark",
        display_name="spark",
        description="emr",
        cluster_id="j-1ABCDEFG2HIJK",
        jar="command-runner.jar",
        args=["spark-submit", "s3://my-ml-bucket/job.py"],
        depends_on=[check],
    )
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        inputs={"train": train_uri},
        output_path="s3://my-ml-bucket/models",
        static_hyperparameters={"epochs": 10},
        metric_definitions={"val:rmse": "rmse=([0-9.]+)"},
        objective_metric_name="val:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={
            "lr": ContinuousParameter(min_value=0.001, max_value=0.1),
            "depth": IntegerParameter(min_value=2, max_value=8),
        },
        max_jobs=4,
        max_parallel_jobs=2,
        depends_on=[spark],
    )
    model = ModelStep(
        name="CreateBest-CreateModel",
        image=IMAGE,
        role=ROLE,
        model_data=Join(
            on="/",
            values=[
                "s3:/",
                "my-ml-bucket",
                "models",
                tune.properties.TrainingJobSummaries[0].TrainingJobName,
                "output/model.tar.gz",
            ],
        ),
    )
    score = TransformStep(
        name="BatchScore",
        model_name=model.properties.ModelName,
        input_data="s3://my-ml-bucket/batch-in",
        content_type="text/csv",
        split_type="Line",
        output_path=Join(
            on="/", values=["s3://my-ml-bucket/batch", ExecutionVariables.PIPELINE_EXECUTION_ID]
        ),
    )
    gate = ConditionStep(
        name="Gate",
        conditions=[
            ConditionIn(value=env, in_values=["dev", "prod"]),
            ConditionNot(
                expression=ConditionEquals(
                    left=check.properties.OutputParameters["ok"], right=False
                )
            ),
            ConditionOr(
                conditions=[
                    ConditionLessThan(
                        left=tune.properties.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value,
                        right=1.5,
                    ),
                    ConditionEquals(left=prep.properties.OutputParameters["rows"], right=0),
                ]
            ),
        ],
        if_steps=[model, score],
        else_steps=[FailStep(name="Fail", error_message="gate failed")],
    )
    return PipelineDefinition(
        parameters=[env, max_jobs],
        steps=[prep, check, spark, tune, gate],
        experiment_config=PipelineExperimentConfig(
            experiment_name="my-experiment", trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID
        ),
    )
