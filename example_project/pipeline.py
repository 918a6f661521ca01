"""The example project's pipeline: preprocess → train → evaluate → accuracy check → register.

Beside training, ``DataQualityCheck`` calculates the data quality baseline of the training
data as the endpoint receives it (its features; Preprocess's ``baseline`` output); the
version records it as its ``DriftCheckBaselines`` (sealed with the model), and the
reference app's ``DataQualityMonitor`` compares the endpoint's captured requests with the
baseline of the version it serves.

If the model's test accuracy reaches both ``AccuracyThreshold`` (a run's parameter) and
the environment's fixed floor (``PipelineSettings.accuracy_floor``, a literal of the
definition: a run may raise the bar, never lower it) it is registered in the model
package group (pending manual approval), recording both in its customer metadata;
otherwise the execution fails with a message giving the accuracy, threshold and floor.
A registered version is self-contained: the serving script is inside the model artifact
(``code/`` in ``model.tar.gz``, put there by ``train.py``), and its metrics report is a
retained output (under ``models/`` when deployed with the CDK constructs), so an account
the registry is shared with can deploy it, and it outlives the expiry of execution
outputs. The same definition deploys with the CDK ``Pipeline`` construct and runs on a
laptop with the local runner.

Each version records where it came from: the execution (``GeneratedBy``), the commit and
repository given to ``build_pipeline`` (the reference app's ``-c source_commit=…`` at
synth), and the run's ``InputDataKey``.

The input is ``s3://<data bucket>/<InputDataKey>``: a prefix of CSV files (by default
``curated/``) or one file. The key is a parameter of its own because an S3 event can only
hand EventBridge targets whole values (the object's key), not a URI built from them.

Example::

    definition = build_pipeline(data_bucket="my-data", model_package_group_name="churn")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    DataQualityCheckConfig,
    DatasetFormat,
    DriftCheckBaselines,
    ExecutionVariables,
    Expression,
    FailStep,
    Image,
    Join,
    JsonGet,
    MetadataProperties,
    MetricsSource,
    ModelMetrics,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    QualityCheckStep,
    RegisterModel,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    SealStep,
    StepExceptionType,
    StepRetryPolicy,
    TrainingStep,
)

SCRIPTS = Path(__file__).resolve().parent / "scripts"
# The model's own code: train.py, and inference.py, which train.py packs into the model.
MODEL_CODE = SCRIPTS / "model"
# Where SageMaker unpacks model.tar.gz in an inference container; code/ is the serving code.
MODEL_CODE_IN_CONTAINER = "/opt/ml/model/code"
DATASET = Path(__file__).resolve().parent / "data" / "breast_cancer.csv"
SKLEARN_VERSION = "1.2-1"
# The dataset's columns: the target, then the features a client sends the endpoint.
DATASET_COLUMNS = DATASET.read_text(encoding="utf-8").partition("\n")[0].split(",")
INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge", "ml.c5.2xlarge"]
# How long each job may run before SageMaker stops it (StoppingCondition): without a limit,
# a stuck processing job bills until SageMaker's own, days away. Each is many times what the
# job takes on a tabular dataset of this kind (minutes): 30 minutes to split or score a CSV,
# an hour for the Model Monitor analyzer (Spark, slower to start) and for training.
PREPROCESS_MAX_RUNTIME = 30 * 60
EVALUATE_MAX_RUNTIME = 30 * 60
BASELINE_MAX_RUNTIME = 60 * 60
TRAIN_MAX_RUNTIME = 60 * 60


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    """Per-environment defaults of the example pipeline's parameters.

    Example::

        PipelineSettings(training_instance_type="ml.m5.xlarge", accuracy_threshold=0.92)
    """

    processing_instance_type: str = "ml.m5.large"
    training_instance_type: str = "ml.m5.large"
    n_estimators: int = 100
    # The AccuracyThreshold parameter's default: anyone who may start a run may set it.
    accuracy_threshold: float = 0.9
    # What the model must reach whatever a run's AccuracyThreshold says: a literal of the
    # definition, changed only by a deploy (a reviewed change), never by a run.
    accuracy_floor: float = 0.9
    # How long a job step may reuse an earlier run with the same arguments; None caches
    # nothing. SageMaker's cache key is the arguments, not the data: Preprocess reads a
    # prefix whose content changes while its arguments don't, so a run within this time
    # reuses the split of the old data, and Train and Evaluate, which read its outputs, hit
    # too. Worth it while iterating on the scripts with data that doesn't change (the local
    # runner notes a hit on changed local data); the deployed app, retrained on a schedule,
    # caches nothing.
    cache_expire_after: str | None = "P30D"


def job_retry_policies() -> list[StepRetryPolicy | SageMakerJobStepRetryPolicy]:
    """What each job step retries by itself: the errors SageMaker documents as transient.

    A script's error is not among them: it fails the step at once (retrying would repeat it).

    Example::

        ProcessingStep(name="Prep", ..., retry_policies=job_retry_policies())
    """
    return [
        # No instance free (EC2 InsufficientCapacity), or the account's quota taken by other
        # jobs: wait for them, from 1 minute, doubling (1, 2, 4, … minutes), up to an hour.
        SageMakerJobStepRetryPolicy(
            exception_types=[
                SageMakerJobExceptionType.CAPACITY_ERROR,
                SageMakerJobExceptionType.RESOURCE_LIMIT,
            ],
            interval_seconds=60,
            backoff_rate=2.0,
            expire_after_mins=60,
        ),
        # The job ended with SageMaker's InternalServerError: a new job may succeed; twice
        # more at most, as each attempt runs (and bills) the whole job again.
        SageMakerJobStepRetryPolicy(
            exception_types=[SageMakerJobExceptionType.INTERNAL_ERROR],
            interval_seconds=30,
            backoff_rate=2.0,
            max_attempts=2,
        ),
        # Pipelines' own calls to SageMaker failed or were throttled, before the job ran:
        # cheap to retry, 5 times from 10 seconds (10, 20, 40, 80, 160 s) rather than
        # SageMaker's unstated default.
        StepRetryPolicy(
            exception_types=[StepExceptionType.SERVICE_FAULT, StepExceptionType.THROTTLING],
            interval_seconds=10,
            backoff_rate=2.0,
            max_attempts=5,
        ),
    ]


def monitored_feature_names() -> list[str]:
    """The names Model Monitor gives the features of a captured request: ``_c0``, ``_c1``, ….

    The endpoint takes CSV rows without a header, so the analyzer names their columns by
    position, as it names those of the headerless baseline (Spark's names); ``_c0`` is the
    dataset's first feature (``DATASET_COLUMNS[1]``: the target is not sent).

    Example::

        monitor.metric_feature_baseline_drift(monitored_feature_names()[0])
    """
    return [f"_c{index}" for index in range(len(DATASET_COLUMNS) - 1)]


def build_pipeline(
    *,
    data_bucket: str,
    model_package_group_name: str | Expression,
    data_key: str = "curated/",
    settings: PipelineSettings | None = None,
    source_commit: str | None = None,
    source_repository: str | None = None,
) -> PipelineDefinition:
    """Build the pipeline.

    ``data_bucket`` is the bucket name (possibly a CDK token); ``data_key`` the default of
    the ``InputDataKey`` parameter, which a trigger may override per execution.

    ``source_commit`` and ``source_repository``: the commit (and repository) this
    definition is deployed from, recorded in each version's ``MetadataProperties``
    (``CommitId``, ``Repository``); None leaves that field out. Literals, not parameters:
    a parameter would record whatever the person starting a run gives it.
    """
    settings = settings or PipelineSettings()
    input_key = ParameterString(name="InputDataKey", default_value=data_key)
    processing_instance = ParameterString(
        name="ProcessingInstanceType",
        default_value=settings.processing_instance_type,
        enum_values=INSTANCE_TYPES,
    )
    training_instance = ParameterString(
        name="TrainingInstanceType",
        default_value=settings.training_instance_type,
        enum_values=INSTANCE_TYPES,
    )
    n_estimators = ParameterInteger(name="NEstimators", default_value=settings.n_estimators)
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=settings.accuracy_threshold)
    floor = settings.accuracy_floor
    cache = (
        CacheConfig(expire_after=settings.cache_expire_after)
        if settings.cache_expire_after is not None
        else None
    )
    job_retries = job_retry_policies()
    image = Image.sklearn(SKLEARN_VERSION)

    preprocess = ProcessingStep(
        name="Preprocess",
        description="Shuffle the raw CSV data and split it into train and test sets",
        image=image,
        code=Code.from_asset(SCRIPTS / "preprocess.py"),
        arguments=["--test-fraction", "0.2"],
        instance_type=processing_instance,
        inputs=[
            ProcessingInput(
                input_name="raw",
                source=Join(on="", values=["s3://", data_bucket, "/", input_key]),
                destination="/opt/ml/processing/input",
            )
        ],
        outputs=[
            ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
            ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
            # The training rows as the endpoint receives them: features, no header.
            ProcessingOutput(output_name="baseline", source="/opt/ml/processing/baseline"),
        ],
        max_runtime_in_seconds=PREPROCESS_MAX_RUNTIME,
        cache_config=cache,
        retry_policies=job_retries,
    )
    splits = preprocess.properties.ProcessingOutputConfig.Outputs
    train = TrainingStep(
        name="Train",
        description="Fit a random forest classifier",
        image=image,
        code=Code.from_asset(MODEL_CODE, entry_point="train.py"),
        instance_type=training_instance,
        inputs={"train": splits["train"].S3Output.S3Uri},
        hyperparameters={"n-estimators": n_estimators},
        metric_definitions={"train:accuracy": r"train_accuracy=([0-9.]+)"},
        max_runtime_in_seconds=TRAIN_MAX_RUNTIME,
        cache_config=cache,
        retry_policies=job_retries,
    )
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts
    # Runs beside Train (no branch lists it; the seal reads its files). Only calculates, and
    # always registers, the baseline: each version carries the baseline of the data it was
    # trained on, which the monitor of an endpoint serving it compares the requests with.
    # No check, and no model package group: with a group and no supplied baseline the job
    # would look up the latest approved version's baseline, which the roles aren't granted
    # (warning check-baselines-from-registry; docs/model-monitoring.md tells how to gate a
    # run on drift at training time).
    data_quality = QualityCheckStep(
        name="DataQualityCheck",
        description="Calculate the training data's baseline (statistics and constraints)",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset=preprocess.output("baseline"),
            # As the endpoint's captured requests: CSV rows without a header row.
            dataset_format=DatasetFormat.csv(header=False),
        ),
        instance_type=processing_instance,
        skip_check=True,
        register_new_baseline=True,
        max_runtime_in_seconds=BASELINE_MAX_RUNTIME,
        cache_config=cache,
        # No retry_policies: SageMaker takes none on a check step.
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        description="Score the model on the test set and write evaluation.json",
        image=image,
        code=Code.from_asset(SCRIPTS / "evaluate.py"),
        instance_type=processing_instance,
        inputs=[
            ProcessingInput(
                input_name="model", source=model_data, destination="/opt/ml/processing/model"
            ),
            ProcessingInput(
                input_name="test",
                source=splits["test"].S3Output.S3Uri,
                destination="/opt/ml/processing/test",
            ),
        ],
        outputs=[
            ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")
        ],
        property_files=[report],
        max_runtime_in_seconds=EVALUATE_MAX_RUNTIME,
        cache_config=cache,
        retry_policies=job_retries,
    )
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="metrics.accuracy.value")
    evaluation_uri = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    # The version records keys: copies no later execution's training code can overwrite
    # (the Train role may write models/<pipeline>/Train/*), written once under sealed/.
    seal = SealStep(
        name="SealArtifacts",
        description="Copy the model, its metrics and baseline to write-once keys before "
        "registering",
        artifacts={
            "model": model_data,
            "metrics": Join(on="/", values=[evaluation_uri, "evaluation.json"]),
            "statistics": data_quality.properties.CalculatedBaselineStatistics,
            "constraints": data_quality.properties.CalculatedBaselineConstraints,
        },
    )
    register = RegisterModel(
        name="RegisterModel",
        description="Register the model version, pending manual approval",
        model_package_group_name=model_package_group_name,
        image=Image.sklearn(SKLEARN_VERSION, scope="inference"),
        # Not code=Code.from_asset(…): that would point the version at the CDK assets
        # bucket, which accounts the registry is shared with can't read.
        environment={
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": MODEL_CODE_IN_CONTAINER,
        },
        model_data=seal.sealed("model"),
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large", "ml.m5.xlarge"],
        transform_instances=["ml.m5.large"],
        model_metrics=ModelMetrics(model_statistics=MetricsSource(s3_uri=seal.sealed("metrics"))),
        # Where DataQualityMonitor's MonitorBaseline.from_model_package reads it.
        drift_check_baselines=DriftCheckBaselines(
            data_statistics=MetricsSource(s3_uri=seal.sealed("statistics")),
            data_constraints=MetricsSource(s3_uri=seal.sealed("constraints")),
        ),
        # Where the version came from. GeneratedBy is set rather than left to the service
        # (which isn't documented to fill it); MetadataProperties, unlike the customer
        # metadata, is out of reach of UpdateModelPackage, the approver's action.
        metadata_properties=MetadataProperties(
            commit_id=source_commit,
            repository=source_repository,
            generated_by=ExecutionVariables.PIPELINE_EXECUTION_ARN,
        ),
        # What the run read (the prefix or object under the data bucket), which run it was,
        # and the gate it passed (its accuracy reached both AccuracyThreshold and
        # AccuracyFloor: the bar was the higher), shown with the version in Studio and by
        # `smpipe registry show`.
        customer_metadata={
            "InputDataKey": input_key,
            "PipelineExecutionArn": ExecutionVariables.PIPELINE_EXECUTION_ARN,
            "AccuracyThreshold": threshold,
            "AccuracyFloor": str(floor),
        },
    )
    too_low = FailStep(
        name="AccuracyTooLow",
        error_message=Join(
            on=" ",
            values=[
                "Model accuracy",
                accuracy,
                "is below the threshold",
                threshold,
                "or the floor",
                str(floor),
            ],
        ),
    )
    check = ConditionStep(
        name="CheckAccuracy",
        description="Register the model only if its accuracy reaches the threshold and the floor",
        # Both must hold (a ConditionStep ANDs its conditions): AccuracyThreshold may only
        # raise the bar above the floor, which no run can change.
        conditions=[
            ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold),
            ConditionGreaterThanOrEqualTo(left=accuracy, right=floor),
        ],
        if_steps=[seal, register],
        else_steps=[too_low],
    )
    return PipelineDefinition(
        parameters=[input_key, processing_instance, training_instance, n_estimators, threshold],
        steps=[check],
    )
