"""Job settings SageMaker accepts that silently cost money or train wrongly."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ContinuousParameter,
    DataQualityCheckConfig,
    DatasetFormat,
    ExecutionVariables,
    FailStep,
    Image,
    Join,
    LambdaStep,
    ModelStep,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    QualityCheckStep,
    RegisterModel,
    SealStep,
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
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:notify"
QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/approvals"
SEAL_BINDER = StaticBinder(
    region="us-east-1",
    role_arn=ROLE,
    default_bucket="b",
    seal_function_arn="arn:aws:lambda:us-east-1:111122223333:function:seal",
)
SCORE = ParameterInteger(name="Score", default_value=1)


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


# -- cache-ignored -------------------------------------------------------------------------


def test_caching_a_lambda_or_callback_step_is_warned_as_having_no_effect() -> None:
    lambda_step = LambdaStep(
        name="Notify", function_arn=FUNCTION, cache_config=CacheConfig(expire_after="PT1H")
    )
    callback = CallbackStep(
        name="Approve", sqs_queue_url=QUEUE, inputs={"x": "1"}, cache_config=CacheConfig()
    )
    found = {w.step: w for w in warnings(lambda_step, callback)}
    assert {(w.kind, w.step, w.field) for w in found.values()} == {
        ("cache-ignored", "Notify", "CacheConfig"),
        ("cache-ignored", "Approve", "CacheConfig"),
    }
    assert found["Notify"].message.startswith(
        "Step 'Notify' field 'CacheConfig' enables caching, but SageMaker's step caching "
        "doesn't apply to Lambda steps"
    )
    assert "Remove its cache_config" in found["Notify"].message
    # Not also judged as a cached step that never hits: it is never cached at all.
    run_lambda = LambdaStep(
        name="Run",
        function_arn=FUNCTION,
        inputs={"run": ExecutionVariables.PIPELINE_EXECUTION_ID},
        cache_config=CacheConfig(),
    )
    assert kinds(run_lambda) == [("cache-ignored", "Run")]


def test_lambda_and_callback_steps_without_caching_and_cached_jobs_are_not_warned() -> None:
    lambda_step = LambdaStep(name="Notify", function_arn=FUNCTION)
    disabled = LambdaStep(
        name="Off", function_arn=FUNCTION, cache_config=CacheConfig(enabled=False)
    )
    callback = CallbackStep(name="Approve", sqs_queue_url=QUEUE, inputs={"x": "1"})
    cached_job = train(image=CPU_IMAGE, instance_type="ml.m5.xlarge", cache_config=CacheConfig())
    assert kinds(lambda_step, disabled, callback, cached_job) == []


# -- seal-outside-branch -------------------------------------------------------------------


def register(name: str, seal: SealStep) -> RegisterModel:
    return RegisterModel(
        name=name,
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=seal.sealed("model"),
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )


def seal_kinds(*steps: Any) -> list[tuple[str, str, str]]:
    definition = PipelineDefinition(parameters=[SCORE], steps=list(steps)).to_definition(
        SEAL_BINDER
    )
    return [(w.kind, w.step, w.field) for w in job_warnings(definition)]


def gate(name: str = "Gate", **branches: Any) -> ConditionStep:
    return ConditionStep(
        name=name,
        conditions=[ConditionGreaterThanOrEqualTo(left=SCORE, right=1)],
        **branches,
    )


def test_a_seal_before_the_condition_holding_its_register_is_warned() -> None:
    seal = SealStep(name="Seal", artifacts={"model": "s3://b/models/model.tar.gz"})
    condition = gate(if_steps=[register("Register", seal)])
    found = seal_kinds(seal, condition)
    assert found == [
        (
            "seal-outside-branch",
            "Register",
            "Arguments.InferenceSpecification.Containers[0].ModelDataUrl",
        )
    ]
    definition = PipelineDefinition(parameters=[SCORE], steps=[seal, condition]).to_definition(
        SEAL_BINDER
    )
    message = job_warnings(definition)[0].message
    assert message.startswith(
        "Step 'Register' field 'Arguments.InferenceSpecification.Containers[0].ModelDataUrl' "
        "reads a sealed copy of SealStep 'Seal', which runs at the top level, outside the "
        "IfSteps of Condition 'Gate'"
    )
    assert "Move 'Seal' into the same branch as 'Register'" in message


def test_a_seal_in_its_registers_branch_or_beside_it_at_the_top_is_not_warned() -> None:
    seal = SealStep(name="Seal", artifacts={"model": "s3://b/models/model.tar.gz"})
    # Both in the branch.
    assert seal_kinds(gate(if_steps=[seal, register("Register", seal)])) == []
    # Both at the top level.
    assert seal_kinds(seal, register("Register", seal)) == []
    # A register in each branch: the condition registers the sealed copy either way.
    both = gate(if_steps=[register("Approved", seal)], else_steps=[register("Rejected", seal)])
    assert seal_kinds(seal, both) == []


# -- fail-step-without-message ---------------------------------------------------------------


def test_a_fail_step_without_a_message_is_warned_as_giving_no_reason() -> None:
    # SageMaker records no FailureReason for it (the SDK's test_fail_steps.py): nothing
    # anyone reading the run, or paged for it, can tell why it stopped.
    stop = FailStep(name="Stop")
    blank = FailStep(name="Blank", error_message="  ")
    found = {w.step: w for w in warnings(gate(else_steps=[stop]), blank, parameters=[SCORE])}
    assert {(w.kind, w.step, w.field) for w in found.values()} == {
        ("fail-step-without-message", "Stop", "Arguments.ErrorMessage"),
        ("fail-step-without-message", "Blank", "Arguments.ErrorMessage"),
    }
    assert found["Stop"].message.startswith(
        "Fail step 'Stop' has no ErrorMessage: SageMaker then records no FailureReason for it"
    )
    assert "error_message=" in found["Stop"].message


def test_a_fail_step_with_a_message_or_an_expression_is_not_warned() -> None:
    # An expression's value is known at run time only: it is taken as a message.
    reason = ParameterString(name="Reason", default_value="")
    steps = [
        FailStep(name="Literal", error_message="Accuracy below the threshold"),
        FailStep(name="Joined", error_message=Join(on=" ", values=["Score", SCORE])),
        FailStep(name="Parameter", error_message=reason),
    ]
    assert kinds(*steps, parameters=[SCORE, reason]) == []
    # A definition JSON of the SDK: "ErrorMessage" "" when none is given, or no Arguments.
    for arguments in ({"ErrorMessage": ""}, {}, None):
        entry: dict[str, Any] = {"Name": "Stop", "Type": "Fail"}
        if arguments is not None:
            entry["Arguments"] = arguments
        definition = {"Version": "2020-12-01", "Steps": [entry]}
        assert [w.kind for w in job_warnings(definition)] == ["fail-step-without-message"]
