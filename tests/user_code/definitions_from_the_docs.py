"""A team's definition code written from the README and docs/, for ``mypy --strict``.

tests/test_user_types.py type-checks this module as a user's CI would (strict, no overrides)
and fails on any error. It is never imported or run. Lines marked ``# type: ignore[…]`` are
mistakes a checker must catch: were the parameter typed ``Any``, the ignore would be unused,
which ``--strict`` (``warn_unused_ignores``) reports. ``assert_type`` pins what users index
or pass on, so a return type that became ``Any`` fails too. Step properties are typed by the
generated ``definition/property_types.pyi``: a misspelt member of a path is such a mistake.
"""

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, assert_type

from cdk_sagemaker_pipelines.checks import Finding, Rule, all_steps, dig, job_arguments
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    CacheConfig,
    CallbackStep,
    ClarifyCheckStep,
    Code,
    ConditionEquals,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ContinuousParameter,
    EMRStep,
    ExecutionVariable,
    ExecutionVariables,
    Expression,
    FailStep,
    Image,
    JobDefaults,
    Join,
    JsonGet,
    LambdaStep,
    MetadataProperties,
    ModelStep,
    NetworkConfig,
    OutputType,
    ParameterFloat,
    ParameterString,
    PipelineDefinition,
    ProcessingStep,
    Properties,
    PropertyFile,
    QualityCheckStep,
    RawStep,
    RegisterModel,
    S3Location,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    SealStep,
    StaticBinder,
    StepExceptionType,
    StepOutput,
    StepRetryPolicy,
    TrainingStep,
    TransformStep,
    TuningStep,
    coerce_parameter_values,
    did_you_mean,
    instance_types,
    one_of,
)
from cdk_sagemaker_pipelines.definition.parameters import ParameterValue
from cdk_sagemaker_pipelines.local import LoadedPipeline, LocalConfig, LocalRunner, ResourceMap

if TYPE_CHECKING:  # a stub for checkers: there is nothing to import at run time
    from cdk_sagemaker_pipelines.definition.property_types import (
        PropertyBoolean,
        PropertyFloat,
        PropertyString,
        PropertyTimestamp,
        TrainingStepProperties,
    )

ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
ACME_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ACME_TAGS = {"cost-center": "ml-42"}
ACME_RETRIES = (
    StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING], max_attempts=3),
    SageMakerJobStepRetryPolicy(
        exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR], max_attempts=5
    ),
)


class DataBucket:
    """What a team passes for an ``aws_s3.IBucket`` without the CDK: its name."""

    @property
    def bucket_name(self) -> str:
        return "my-data"


class Repository:
    """An ``aws_ecr.IRepository`` stand-in: the URI of a tag or of a digest."""

    def repository_uri_for_tag(self, tag: str | None = None) -> str:
        return f"111122223333.dkr.ecr.us-east-1.amazonaws.com/repo:{tag}"

    def repository_uri_for_digest(self, digest: str | None = None) -> str:
        return f"111122223333.dkr.ecr.us-east-1.amazonaws.com/repo@{digest}"


def build_pipeline(model_package_group: str) -> PipelineDefinition:
    """The README's seed pipeline, with the steps and properties the docs show."""
    input_data = ParameterString(name="InputData", default_value="s3://my-bucket/raw/")
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
    sklearn = Image.sklearn("1.2-1")
    cache = CacheConfig(expire_after="P7D")
    prep = ProcessingStep(
        name="Preprocess",
        image=sklearn,
        code=Code.from_s3("s3://my-bucket/code/preprocess.py"),
        inputs={"input": input_data, "raw": S3Location.from_bucket(DataBucket(), "raw/")},
        outputs=["train", "validation", "test"],
        cache_config=cache,
        retry_policies=ACME_RETRIES,
    )
    train = TrainingStep(
        name="Train",
        image=Image.from_ecr_repository(Repository(), tag="v3"),
        code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
        inputs={"train": prep.output("train")},
        hyperparameters={"n_estimators": 100},
        cache_config=cache,
    )
    # The step properties docs/language.md lists: expressions, typed by the value they hold.
    assert_type(train.properties.ModelArtifacts.S3ModelArtifacts, PropertyString)
    assert_type(train.model_data, Properties)
    assert_type(prep.output("train"), Properties)
    assert_type(
        prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri, PropertyString
    )
    assert_type(train.properties.FinalMetricDataList["val:acc"].Value, PropertyFloat)
    assert_type(ExecutionVariables.PIPELINE_EXECUTION_ID, ExecutionVariable)
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
    tune = TuningStep(
        name="Tune",
        image=sklearn,
        code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
        instance_type="ml.m5.large",
        inputs={"train": prep.output("train"), "validation": prep.output("validation")},
        metric_definitions={"validation:accuracy": r"validation-accuracy: ([0-9.]+)"},
        objective_metric_name="validation:accuracy",
        hyperparameter_ranges={"C": ContinuousParameter(min_value=0.01, max_value=10.0)},
        max_jobs=3,
        max_parallel_jobs=2,
    )
    best = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=tune.top_model_s3_uri(0),
    )
    score = TransformStep(
        name="BatchScore", model_name=best.properties.ModelName, input_data=prep.output("test")
    )
    count = LambdaStep(
        name="CountRows",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:count-rows",
        inputs={"data": prep.output("train")},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    rows = count.properties.OutputParameters["rows"]
    assert_type(rows, Properties)
    review = CallbackStep(
        name="ReviewData",
        sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/data-review",
        inputs={"data": prep.output("train"), "rows": rows},
        outputs=[StepOutput(output_name="approved", output_type=OutputType.BOOLEAN)],
    )
    check_data = QualityCheckStep.__name__  # imported lazily by the package: still typed
    register = RegisterModel(
        name="RegisterModel",
        model_package_group_name=model_package_group,
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.model_data,
        inference_instances=["ml.m5.large"],
        depends_on=[score],
    )
    too_low = FailStep(
        name="AccuracyTooLow",
        error_message=Join(on=" ", values=["Accuracy below", threshold, check_data]),
    )
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[
            ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold),
            ConditionEquals(left=review.properties.OutputParameters["approved"], right=True),
        ],
        if_steps=[register],
        else_steps=[too_low],
    )
    return PipelineDefinition(parameters=[input_data, threshold], steps=[check])


def mistakes_a_checker_catches() -> None:
    """Each line is a mistake: its ``type: ignore`` must be needed."""
    S3Location.from_bucket(Path("data"), "raw/")  # type: ignore[arg-type]
    Image.from_ecr_repository("my-repo")  # type: ignore[arg-type]
    PipelineDefinition(parameters=["ml.g5.2xlarge"], steps=[])  # type: ignore[list-item]
    TrainingStep(name="Train", instance_typ="ml.m5.large")  # type: ignore[call-arg]


def property_paths_a_checker_knows(
    prep: ProcessingStep,
    train: TrainingStep,
    tune: TuningStep,
    model: ModelStep,
    register: RegisterModel,
    score: TransformStep,
    automl: AutoMLStep,
    data_quality: QualityCheckStep,
    bias: ClarifyCheckStep,
    count: LambdaStep,
    review: CallbackStep,
    check: ConditionStep,
    emr: EMRStep,
    fail: FailStep,
) -> list[Properties]:
    """Each step class's properties, as an IDE completes them: every one is an expression."""
    assert_type(train.properties, TrainingStepProperties)
    assert_type(train.properties.TrainingJobStatus.value_type, Literal["String"])
    assert_type(train.properties.TrainingEndTime, PropertyTimestamp)
    assert_type(train.properties.FinalMetricDataList[0].Value, PropertyFloat)
    assert_type(train.properties.HyperParameters["n_estimators"], PropertyString)
    assert_type(train.properties.ResourceConfig.InstanceCount.value_type, Literal["Integer"])
    assert_type(prep.properties.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri, PropertyString)
    assert_type(prep.properties.AppSpecification.ContainerArguments[0], PropertyString)
    assert_type(tune.properties.HyperParameterTuningJobName, PropertyString)
    assert_type(tune.properties.BestTrainingJob.TrainingJobName, PropertyString)
    objective = tune.properties.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric
    assert_type(objective.Value, PropertyFloat)
    assert_type(tune.properties.TrainingJobSummaries[1].TrainingJobName, PropertyString)
    assert_type(tune.properties.TrainingJobSummaries[1].TunedHyperParameters["C"], PropertyString)
    assert_type(model.properties.ModelName, PropertyString)
    assert_type(register.properties.ModelPackageArn, PropertyString)
    assert_type(register.properties.ModelApprovalStatus, PropertyString)
    assert_type(score.properties.TransformOutput.S3OutputPath, PropertyString)
    container = automl.properties.BestCandidate.InferenceContainers[0]
    assert_type(container.ModelDataUrl, PropertyString)
    report = automl.properties.BestCandidateProperties.ModelInsightsJsonReportPath
    assert_type(report, PropertyString)
    assert_type(data_quality.properties.CalculatedBaselineStatistics, PropertyString)
    assert_type(bias.properties.BaselineUsedForDriftCheckConstraints, PropertyString)
    assert_type(count.properties.OutputParameters["rows"], Properties)
    assert_type(review.properties.Outputs["approved"], Properties)  # the SDK's spelling
    assert_type(check.properties.Outcome, PropertyBoolean)
    assert_type(emr.properties.Status.State, PropertyString)
    assert_type(fail.properties, Properties)  # none: reading one raises
    return [container.ModelDataUrl, report, check.properties.Outcome, objective.Value]


def property_mistakes_a_checker_catches(
    prep: ProcessingStep,
    train: TrainingStep,
    tune: TuningStep,
    model: ModelStep,
    bias: ClarifyCheckStep,
    count: LambdaStep,
    fail: FailStep,
) -> None:
    """Each line raises ``PropertyPathError`` when it runs: a checker reports it first."""
    _ = train.properties.ModelArtifact.S3ModelArtifacts  # type: ignore[attr-defined]
    _ = train.properties.ModelArtifacts.S3ModelArtifact  # type: ignore[attr-defined]
    _ = prep.properties.ProcessingOutputConfig.Output["train"]  # type: ignore[attr-defined]
    _ = prep.properties.ProcessingOutputConfig.Outputs.S3Output  # type: ignore[attr-defined]
    _ = prep.properties.AppSpecification.ContainerArguments["x"]  # type: ignore[index]
    _ = train.properties.HyperParameters[0]  # type: ignore[index]
    _ = train.properties.TrainingJobName[0]  # type: ignore[index]
    _ = tune.properties.BestTrainingJob.ModelArtifacts  # type: ignore[attr-defined]
    _ = model.properties.ModelArtifacts  # type: ignore[attr-defined]
    _ = bias.properties.CalculatedBaselineStatistics  # type: ignore[attr-defined]
    _ = count.properties.OutputParameters[0]  # type: ignore[index]
    _ = fail.properties.ErrorMessage  # type: ignore[attr-defined]
    train.properties.TrainingJobName = model.properties.ModelName  # type: ignore[misc]


def compiled(pipeline: PipelineDefinition) -> str:
    """What a team's script does with the definition."""
    values = coerce_parameter_values(pipeline.parameters, {"AccuracyThreshold": "0.95"})
    assert_type(values, dict[str, ParameterValue])
    assert_type(BINDER.uploads(pipeline), dict[str, str])
    assert_type(S3Location.from_bucket(DataBucket()).bucket_name(), str)
    resources = ResourceMap(s3={**BINDER.uploads(pipeline), "s3://my-bucket/raw": "data/raw"})
    loaded = LoadedPipeline(pipeline.to_definition(BINDER), resources, "my-pipeline")
    result = LocalRunner(LocalConfig()).run(loaded, parameters={"AccuracyThreshold": "0.999"})
    print(result.status, result.failure_reason)
    return pipeline.to_json(BINDER, indent=2)


# docs/extending.md: company defaults as a function, a partial, a subclass and a binder.
def acme_training(**arguments: Any) -> TrainingStep:
    """A TrainingStep with ACME's defaults; the company's tags come before the team's."""
    arguments["tags"] = {**ACME_TAGS, **(arguments.get("tags") or {})}
    arguments.setdefault("instance_type", "ml.m5.xlarge")
    arguments.setdefault("retry_policies", ACME_RETRIES)
    arguments.setdefault("cache_config", CacheConfig(expire_after="P7D"))
    return TrainingStep(**arguments)


acme_processing = functools.partial(
    ProcessingStep, instance_type="ml.m5.xlarge", retry_policies=ACME_RETRIES
)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class AcmeTrainingStep(TrainingStep):
    """A TrainingStep whose defaults are ACME's."""

    instance_type: str | Expression | None = "ml.m5.xlarge"
    retry_policies: Sequence[StepRetryPolicy | SageMakerJobStepRetryPolicy] = ACME_RETRIES


def acme_training_of_a_parameter_instance_type() -> AcmeTrainingStep:
    """A team's instance type as a parameter, as TrainingStep takes it."""
    kind = ParameterString(name="TrainingInstanceType", default_value="ml.m5.2xlarge")
    return AcmeTrainingStep(name="Train", image=Image.sklearn("1.2-1"), instance_type=kind)


@dataclass(frozen=True, slots=True)
class AcmeBinder(StaticBinder):
    """A StaticBinder whose jobs use ACME's key and VPC."""

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(
            volume_kms_key=ACME_KEY,
            output_kms_key=ACME_KEY,
            network=NetworkConfig(
                subnets=["subnet-0abc"],
                security_group_ids=["sg-0abc"],
                enable_inter_container_traffic_encryption=True,
            ),
            tags={"cost-center": "ml-42"},
        )


def instance_type_problem(kind: str, value: str, allowed: list[str]) -> str | None:
    if value not in instance_types(kind):
        return f"{value!r} is no {kind} instance type ({did_you_mean(value, instance_types(kind))})"
    if value not in allowed:
        return f"{value!r} is not one of the company's: {one_of(allowed)}"
    return None


RUNTIME = "StoppingCondition.MaxRuntimeInSeconds"


def runtimes_over_a_day(definition: Mapping[str, Any]) -> Iterator[Finding]:
    for step in all_steps(definition):
        if step.get("Type") == "Training":
            runtimes = [(dig(step.get("Arguments"), RUNTIME), RUNTIME)]
        elif step.get("Type") == "Tuning":
            field = f"TrainingJobDefinition.{RUNTIME}"
            runtimes = [(dig(job, field), name(field)) for job, name in job_arguments(step)]
        else:
            continue
        for runtime, where in runtimes:
            if not (isinstance(runtime, int) and runtime <= 86400):
                yield Finding(str(step.get("Name")), f"Arguments.{where}", f"{runtime!r} s")


MAX_RUNTIME_RULE = Rule(
    id="ACME-MaxRuntime",
    level="Error",
    info="A training job may run longer than 24 hours.",
    explanation="Runaway jobs cost money: set max_runtime_in_seconds to 86400 or less.",
    check=runtimes_over_a_day,
)


@dataclass(frozen=True)
class TrainAndEvaluate:
    """docs/extending.md's reusable block."""

    train: TrainingStep
    evaluate: ProcessingStep
    accuracy: JsonGet


def train_and_evaluate(prefix: str, data: str | Expression) -> TrainAndEvaluate:
    sklearn = Image.sklearn("1.2-1")
    prep = ProcessingStep(
        name=f"{prefix}Prep",
        image=sklearn,
        code=Code.from_s3("s3://my-bucket/code/preprocess.py"),
        inputs={"input": data},
        outputs=["train", "test"],
    )
    train = acme_training(
        name=f"{prefix}Train",
        image=sklearn,
        code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
        inputs={"train": prep.output("train")},
    )
    report = PropertyFile(name="Evaluation", output_name="evaluation", path="evaluation.json")
    evaluate = acme_processing(
        name=f"{prefix}Evaluate",
        image=sklearn,
        code=Code.from_s3("s3://my-bucket/code/evaluate.py"),
        inputs={"model": train.model_data, "test": prep.output("test")},
        outputs=["evaluation"],
        property_files=[report],
    )
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="metrics.accuracy.value")
    return TrainAndEvaluate(train, evaluate, accuracy)


def notebook_then_archive(sdk_definition: Mapping[str, Any]) -> ProcessingStep:
    """docs/language.md's RawStep: an SDK NotebookJobStep's entry, read by a typed step."""
    report = RawStep.from_json(sdk_definition["Steps"][0])
    output = report.properties.OutputDataConfig.S3OutputPath
    # Any member to a checker (the step's type is known when the code runs): an expression.
    expression: Expression = output
    prefix: Properties = report.properties.InputDataConfig[0].DataSource
    RawStep(name="Report", type="Training", arguments=[])  # type: ignore[arg-type]
    return ProcessingStep(
        name="Archive",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://my-bucket/code/archive.py"),
        inputs={"report": expression, "input": prefix},
        depends_on=[report],
    )


def audited_pipeline(commit: str) -> PipelineDefinition:
    """docs/audit.md: a version recording its commit, execution and sealed training data."""
    input_data = ParameterString(name="InputData", default_value="s3://my-bucket/raw/")
    seal_input = SealStep(name="SealInput", artifacts={"data": input_data})
    prep = ProcessingStep(
        name="Preprocess",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://my-bucket/code/preprocess.py"),
        inputs={"input": seal_input.sealed("data")},
        outputs=["train"],
    )
    register = RegisterModel(
        name="RegisterModel",
        model_package_group_name="my-models",
        image=Image.from_uri(
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn@sha256:" + "0" * 64
        ),
        model_data=prep.output("train"),
        inference_instances=["ml.m5.large"],
        metadata_properties=MetadataProperties(
            commit_id=commit,
            repository="https://github.com/acme/breast-cancer",
            generated_by=ExecutionVariables.PIPELINE_EXECUTION_ARN,
        ),
        customer_metadata={"input_data": input_data, "sealed_input": seal_input.sealed("data")},
    )
    MetadataProperties(commit_id=1)  # type: ignore[arg-type]
    return PipelineDefinition(parameters=[input_data], steps=[register])
