"""Job settings SageMaker accepts that silently cost money or train wrongly."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    ContinuousParameter,
    DataQualityCheckConfig,
    DatasetFormat,
    ExecutionVariables,
    Image,
    Join,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    QualityCheckStep,
    RegisterModel,
    StaticBinder,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition._job_warnings import (
    JobWarning,
    image_processor,
    instance_accelerator,
    job_warnings,
)
from tests.conftest import ROLE

BINDER = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b")
CODE = Code.from_s3("s3://c/train.tar.gz", entry_point="train.py")
GPU_IMAGE = Image.pytorch("2.1", processor="gpu", py_version="py310")
CPU_IMAGE = Image.pytorch("2.1", processor="cpu", py_version="py310")


def train(name: str = "Train", **options: Any) -> TrainingStep:
    options.setdefault("image", GPU_IMAGE)
    options.setdefault("instance_type", "ml.g5.2xlarge")
    return TrainingStep(name=name, code=CODE, **options)


def warnings(*steps: Any, parameters: Any = ()) -> list[JobWarning]:
    definition = PipelineDefinition(parameters=list(parameters), steps=list(steps))
    return job_warnings(definition.to_definition(BINDER))


def kinds(*steps: Any, parameters: Any = ()) -> list[tuple[str, str]]:
    return [(w.kind, w.step) for w in warnings(*steps, parameters=parameters)]


# -- shared-checkpoint-location ------------------------------------------------------------


def test_a_checkpoint_location_the_same_every_run_is_warned_naming_step_and_field() -> None:
    [warning] = warnings(train(checkpoint_s3_uri="s3://b/checkpoints"))
    assert warning.kind == "shared-checkpoint-location"
    assert warning.field == "Arguments.CheckpointConfig.S3Uri"
    assert "Step 'Train' field 'Arguments.CheckpointConfig.S3Uri' (s3://b/checkpoints)" in (
        warning.message
    )
    assert "resumes from the previous execution's final checkpoint" in warning.message
    assert "ExecutionVariables.PIPELINE_EXECUTION_ID" in warning.message


def test_a_checkpoint_location_of_parameters_only_is_warned_one_per_execution_is_not() -> None:
    base = ParameterString(name="CheckpointBase", default_value="s3://b/checkpoints")
    shared = train(checkpoint_s3_uri=Join(on="/", values=[base, "run"]))
    assert kinds(shared, parameters=[base]) == [("shared-checkpoint-location", "Train")]
    per_run = train(
        checkpoint_s3_uri=Join(on="/", values=[base, ExecutionVariables.PIPELINE_EXECUTION_ID])
    )
    assert kinds(per_run, parameters=[base]) == []
    assert kinds(train()) == []  # no checkpoints at all


def test_a_tuning_jobs_shared_checkpoint_location_is_not_judged() -> None:
    # Its trials run in parallel from one definition; SageMaker keeps their checkpoints
    # apart, so one S3Uri for all of them is how a tuning job is written.
    tune = TuningStep(
        name="Tune",
        image=GPU_IMAGE,
        code=CODE,
        instance_type="ml.g5.2xlarge",
        objective_metric_name="validation:loss",
        metric_definitions={"validation:loss": "loss=([0-9.]+)"},
        hyperparameter_ranges={"lr": ContinuousParameter(min_value=0.001, max_value=0.1)},
        checkpoint_s3_uri="s3://b/checkpoints",
    )
    assert [kind for kind, _ in kinds(tune)] == []


# -- warm-pool-cost -------------------------------------------------------------------------


def test_a_warm_pool_is_warned_with_count_type_and_period() -> None:
    [warning] = warnings(train(instance_count=2, keep_alive_period_in_seconds=1800))
    assert warning.kind == "warm-pool-cost"
    assert warning.field == "Arguments.ResourceConfig.KeepAlivePeriodInSeconds"
    assert "keeps 2 × ml.g5.2xlarge in a managed warm pool for 1800 s" in warning.message
    assert "warm pool quota" in warning.message
    assert kinds(train()) == []
    assert kinds(train(keep_alive_period_in_seconds=0)) == []


# -- uncacheable-step -----------------------------------------------------------------------


def test_a_cached_step_keyed_on_the_execution_id_is_warned_naming_the_member() -> None:
    cached = train(
        environment={"RUN": ExecutionVariables.PIPELINE_EXECUTION_ID},
        cache_config=CacheConfig(),
    )
    [warning] = warnings(cached)
    assert warning.kind == "uncacheable-step"
    assert warning.field == "Arguments.Environment.RUN"
    assert "ExecutionVariables.PIPELINE_EXECUTION_ID" in warning.message
    # Not cached, or keyed on run-invariant values only: no warning.
    assert kinds(train(environment={"RUN": ExecutionVariables.PIPELINE_EXECUTION_ID})) == []
    plain = train(
        environment={"P": ExecutionVariables.PIPELINE_NAME},
        cache_config=CacheConfig(),
    )
    assert kinds(plain) == []


def test_a_cached_step_reading_the_model_of_an_uncached_training_step_is_warned() -> None:
    trained = train()

    def evaluate(name: str, model: Any) -> ProcessingStep:
        return ProcessingStep(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://c/evaluate.py"),
            inputs={"model": model},
            cache_config=CacheConfig(),
        )

    model = trained.properties.ModelArtifacts.S3ModelArtifacts
    found = warnings(trained, evaluate("Evaluate", model))
    assert [(w.kind, w.step) for w in found] == [("uncacheable-step", "Evaluate")]
    assert "step 'Train' runs, under a new name, every execution" in found[0].message
    # A fixed model location keeps the key the same.
    assert kinds(trained, evaluate("Evaluate", "s3://b/model.tar.gz")) == []


def test_a_cached_step_reading_the_arn_of_a_registered_version_is_warned() -> None:
    # Each run registers a new version of the group: its ARN is new every execution.
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://b/model.tar.gz",
    )
    report = ProcessingStep(
        name="Report",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/report.py"),
        environment={"VERSION": register.properties.ModelPackageArn},
        cache_config=CacheConfig(),
    )
    found = warnings(register, report)
    assert [(w.kind, w.step, w.field) for w in found] == [
        ("uncacheable-step", "Report", "Arguments.Environment.VERSION")
    ]
    assert "Steps.Register.ModelPackageArn (step 'Register' runs" in found[0].message


def test_a_cached_step_reading_an_uncached_steps_per_run_output_location_is_warned() -> None:
    # The default output location holds the execution id: new every run unless the
    # producing step is itself a cache hit, which hands on its earlier run's location.
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/prep.py"),
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
    )
    fit = train(inputs={"train": prep.output("train")}, cache_config=CacheConfig())
    found = warnings(prep, fit)
    assert [(w.kind, w.step) for w in found] == [("uncacheable-step", "Train")]
    assert "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" in (found[0].message)
    assert "ExecutionVariables.PIPELINE_EXECUTION_ID" in found[0].message
    cached_prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/prep.py"),
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
        cache_config=CacheConfig(),
    )
    fit = train(inputs={"train": cached_prep.output("train")}, cache_config=CacheConfig())
    assert kinds(cached_prep, fit) == []
    fixed = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/prep.py"),
        outputs=[
            ProcessingOutput(
                output_name="train", source="/opt/ml/processing/train", destination="s3://b/t/"
            )
        ],
    )
    fit = train(inputs={"train": fixed.output("train")}, cache_config=CacheConfig())
    assert kinds(fixed, fit) == []


def test_a_cached_step_fed_by_a_cached_step_that_never_hits_is_warned_too() -> None:
    # Train is cached but keyed on the execution id: it runs, as a new job, every time.
    trained = train(
        environment={"RUN": ExecutionVariables.PIPELINE_EXECUTION_ID},
        cache_config=CacheConfig(),
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/evaluate.py"),
        inputs={"model": trained.properties.ModelArtifacts.S3ModelArtifacts},
        cache_config=CacheConfig(),
    )
    assert kinds(trained, evaluate) == [
        ("uncacheable-step", "Train"),
        ("uncacheable-step", "Evaluate"),
    ]


def test_a_cached_check_step_is_judged_on_its_processing_key_not_its_outputs() -> None:
    # Its default output location holds the execution id; outputs aren't in a cache key.
    check = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/baseline/", dataset_format=DatasetFormat.csv()
        ),
        skip_check=True,
        register_new_baseline=True,
        model_package_group_name="churn",
        cache_config=CacheConfig(),
    )
    assert kinds(check) == []


def test_a_long_chain_of_cached_steps_listed_consumers_first_is_judged() -> None:
    # 300 cached steps, each reading the previous one's output, listed last to first:
    # judging one must not recurse through the chain.
    previous: Any = "s3://b/in/"
    steps = []
    for index in range(300):
        step = ProcessingStep(
            name=f"Step{index}",
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://c/prep.py"),
            inputs={"data": previous},
            outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
            cache_config=CacheConfig(),
        )
        steps.append(step)
        previous = step.output("out")
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    definition["Steps"].reverse()
    assert job_warnings(definition) == []


# -- image-processor-mismatch ---------------------------------------------------------------


def test_a_gpu_instance_with_a_cpu_image_and_the_other_way_round_are_warned() -> None:
    [warning] = warnings(train(image=CPU_IMAGE))
    assert warning.kind == "image-processor-mismatch"
    assert warning.field == "Arguments.ResourceConfig.InstanceType"
    assert "is ml.g5.2xlarge, a GPU instance" in warning.message
    assert "CPU framework image" in warning.message
    assert kinds(train(image=GPU_IMAGE, instance_type="ml.m5.xlarge")) == [
        ("image-processor-mismatch", "Train")
    ]
    assert kinds(train()) == []  # a GPU image on a GPU instance
    assert kinds(train(image=CPU_IMAGE, instance_type="ml.m5.xlarge")) == []


def test_a_processing_step_of_a_parameter_instance_type_is_judged_by_its_default() -> None:
    instance = ParameterString(name="InstanceType", default_value="ml.p3.2xlarge")
    step = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/prep.py"),
        instance_type=instance,
    )
    [warning] = warnings(step, parameters=[instance])
    assert (warning.kind, warning.field) == (
        "image-processor-mismatch",
        "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    )
    assert "(the parameter default)" in warning.message


def test_the_hint_offers_a_gpu_variant_only_where_the_framework_has_one() -> None:
    # Was: "choose the framework image's gpu variant (Image.pytorch(…))" for scikit-learn,
    # which SageMaker publishes for CPU only.
    instance = ParameterString(name="InstanceType", default_value="ml.p3.2xlarge")
    sklearn = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/prep.py"),
        instance_type=instance,
    )
    [warning] = warnings(sklearn, parameters=[instance])
    assert "gpu variant" not in warning.message
    assert warning.message.endswith(
        "Choose a CPU instance type (ml.m*, ml.c*): sklearn publishes no GPU image."
    )
    [warning] = warnings(train(image=CPU_IMAGE))
    assert 'Image.pytorch(…, processor="gpu")' in warning.message


def test_a_transform_of_a_model_step_is_judged_by_the_models_image() -> None:
    trained = train()
    model = ModelStep(
        name="Model",
        image=Image.pytorch("2.1", processor="gpu", py_version="py310", scope="inference"),
        model_data=trained.properties.ModelArtifacts.S3ModelArtifacts,
    )
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.xlarge",
        input_data="s3://b/batch/",
        output_path="s3://b/scores/",
    )
    assert kinds(trained, model, transform) == [("image-processor-mismatch", "Score")]


def test_custom_images_and_images_of_both_processors_are_not_judged() -> None:
    custom = "111122223333.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
    framework = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
    xgboost = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    assert image_processor(custom) is None  # a private copy: its build is unknown
    assert image_processor(framework) == "cpu"
    assert image_processor(xgboost) is None
    assert kinds(train(image=Image.from_uri(custom))) == []
    assert [instance_accelerator(t) for t in ("ml.g4dn.xlarge", "ml.p4d.24xlarge")] == ["gpu"] * 2
    assert [instance_accelerator(t) for t in ("ml.c7g.large", "ml.m5.large")] == ["cpu"] * 2
    assert [instance_accelerator(t) for t in ("ml.inf2.xlarge", "ml.trn1.2xlarge")] == [None] * 2


def test_one_warning_per_step_and_kind() -> None:
    # All four traps in one step each give one warning; two jobs of a step are not two.
    step = train(
        image=CPU_IMAGE,
        checkpoint_s3_uri="s3://b/checkpoints",
        keep_alive_period_in_seconds=600,
        environment={"T": ExecutionVariables.CURRENT_DATETIME},
        cache_config=CacheConfig(),
    )
    assert sorted(kind for kind, _ in kinds(step)) == [
        "image-processor-mismatch",
        "shared-checkpoint-location",
        "uncacheable-step",
        "warm-pool-cost",
    ]


def test_a_joined_per_run_value_is_named_by_its_field() -> None:
    checkpoints = Join(on="/", values=["s3://b/ckpt", ExecutionVariables.PIPELINE_EXECUTION_ID])
    [warning] = warnings(train(checkpoint_s3_uri=checkpoints, cache_config=CacheConfig()))
    assert (warning.kind, warning.field) == ("uncacheable-step", "Arguments.CheckpointConfig.S3Uri")
