# mypy: disable-error-code="arg-type, list-item, dict-item"
# This module passes wrong types on purpose: the run-time checks are what it tests.
"""Constructors reject wrong Python types at once, naming class, step and field."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CategoricalParameter,
    ConditionEquals,
    ConditionStep,
    ContinuousParameter,
    FailStep,
    IntegerParameter,
    JobDefaults,
    Join,
    LambdaStep,
    MetricsSource,
    MissingArgumentError,
    ModelMetrics,
    ModelStep,
    NetworkConfig,
    OutputType,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    PropertyPathError,
    RegisterModel,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    StepExceptionType,
    StepOutput,
    StepRetryPolicy,
    TrainingInput,
    TrainingStep,
    TransformStep,
    TuningStep,
    UnknownArgumentError,
)
from tests.conftest import REPO

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
S3_IN = ProcessingInput(source="s3://b/in", destination="/opt/ml/processing/input")

CASES: list[tuple[str, Callable[[], Any], str]] = [
    (
        "str-for-int",
        lambda: TrainingStep(name="Train", image=IMAGE, instance_count="1"),
        "TrainingStep 'Train': field 'instance_count' expects int or Expression, got str '1'",
    ),
    (
        "bool-is-not-int",
        lambda: TrainingStep(name="Train", image=IMAGE, instance_count=True),
        "TrainingStep 'Train': field 'instance_count' expects int or Expression, got bool True",
    ),
    (
        "float-is-not-int",
        lambda: ProcessingStep(name="Prep", image=IMAGE, volume_size_in_gb=30.0),
        "ProcessingStep 'Prep': field 'volume_size_in_gb' expects int or Expression, "
        "got float 30.0",
    ),
    (
        "bool-is-not-int-default",
        lambda: ParameterInteger(name="Epochs", default_value=True),
        "ParameterInteger 'Epochs': field 'default_value' expects int, got bool True",
    ),
    (
        "bool-is-not-a-number",
        lambda: ContinuousParameter(min_value=False, max_value=1.0),
        "ContinuousParameter: field 'min_value' expects float or Expression, got bool False",
    ),
    (
        "int-is-not-bool",
        lambda: ParameterBoolean(name="Skip", default_value=1),
        "ParameterBoolean 'Skip': field 'default_value' expects bool, got int 1",
    ),
    (
        "plain-string-for-a-parameter",
        lambda: PipelineDefinition(steps=[], parameters=["ml.m5.large"]),
        "PipelineDefinition: field 'parameters[0]' expects Parameter, got str 'ml.m5.large'",
    ),
    (
        "nested-list-index",
        lambda: ProcessingStep(name="Prep", image=IMAGE, inputs=[S3_IN, "s3://b/other"]),
        "ProcessingStep 'Prep': field 'inputs[1]' expects ProcessingInput, got str 's3://b/other'",
    ),
    (
        "single-item-for-a-list",
        lambda: ProcessingStep(name="Prep", image=IMAGE, inputs=S3_IN),
        "ProcessingStep 'Prep': field 'inputs' expects a list of ProcessingInput or a mapping "
        "of str or Expression or S3Location, got ProcessingInput ",
    ),
    (
        "string-for-a-list",
        lambda: ProcessingStep(name="Prep", image=IMAGE, entrypoint="python3 prep.py"),
        "ProcessingStep 'Prep': field 'entrypoint' expects a list of str or Expression, "
        "got str 'python3 prep.py'",
    ),
    (
        "list-item-of-a-union",
        lambda: ProcessingStep(name="Prep", image=IMAGE, entrypoint=["python3", 3]),
        "ProcessingStep 'Prep': field 'entrypoint[1]' expects str or Expression, got int 3",
    ),
    (
        "mapping-value",
        lambda: TrainingStep(name="Train", image=IMAGE, inputs={"train": 5}),
        "TrainingStep 'Train': field 'inputs['train']' expects TrainingInput or "
        "FileSystemInput or str or Expression or S3Location, got int 5",
    ),
    (
        "mapping-key",
        lambda: TrainingStep(name="Train", image=IMAGE, metric_definitions={1: "acc=(.*)"}),
        "TrainingStep 'Train': field 'metric_definitions key 1' expects str, got int 1",
    ),
    (
        "list-for-a-mapping",
        lambda: TrainingStep(name="Train", image=IMAGE, hyperparameters=[("epochs", 1)]),
        "TrainingStep 'Train': field 'hyperparameters' expects a mapping of any value, got list ",
    ),
    (
        "depends-on-item",
        lambda: FailStep(name="Stop", depends_on=[None]),
        "FailStep 'Stop': field 'depends_on[0]' expects Step or str, got NoneType None",
    ),
    (
        "depends-on-string",
        lambda: FailStep(name="Stop", depends_on="Train"),
        "FailStep 'Stop': field 'depends_on' expects a list of Step or str, got str 'Train' "
        "(write ['Train'] for a list of one)",
    ),
    (
        "branch-item",
        lambda: ConditionStep(
            name="Gate",
            conditions=[ConditionEquals(left=1, right=1)],
            if_steps=[ConditionEquals(left=1, right=1)],
        ),
        "ConditionStep 'Gate': field 'if_steps[0]' expects Step, got ConditionEquals ",
    ),
    (
        "retry-policy-item",
        lambda: TrainingStep(name="Train", image=IMAGE, retry_policies=[StepRetryPolicy(), "x"]),
        "TrainingStep 'Train': field 'retry_policies[1]' expects StepRetryPolicy or "
        "SageMakerJobStepRetryPolicy, got str 'x'",
    ),
    (
        "hyperparameter-range",
        lambda: TuningStep(
            name="Tune",
            image=IMAGE,
            objective_metric_name="m",
            hyperparameter_ranges={"lr": (0.1, 0.2)},
        ),
        "TuningStep 'Tune': field 'hyperparameter_ranges['lr']' expects ContinuousParameter or "
        "IntegerParameter or CategoricalParameter, got tuple (0.1, 0.2)",
    ),
    (
        "name-of-a-step",
        lambda: TrainingStep(name=5, image=IMAGE),
        "TrainingStep: field 'name' expects str, got int 5",
    ),
    (
        "object-for-a-string",
        lambda: TransformStep(name="Score", model_name="m", input_data=3),
        "TransformStep 'Score': field 'input_data' expects str or Expression or S3Location, "
        "got int 3",
    ),
    (
        "nested-object",
        lambda: ProcessingOutput(output_name="o", source="/x", destination=5),
        "ProcessingOutput: field 'destination' expects str or Expression or S3Location, got int 5",
    ),
    (
        "cache-config",
        lambda: TrainingStep(name="Train", image=IMAGE, cache_config="P30D"),
        "TrainingStep 'Train': field 'cache_config' expects CacheConfig, got str 'P30D'",
    ),
    (
        "network-flag",
        lambda: NetworkConfig(enable_network_isolation="yes"),
        "NetworkConfig: field 'enable_network_isolation' expects bool, got str 'yes'",
    ),
    (
        "content-types-string",
        lambda: RegisterModel(
            name="Register", image=IMAGE, model_package_group_name="g", content_types="text/csv"
        ),
        "RegisterModel 'Register': field 'content_types' expects a list of str, got str "
        "'text/csv' (write ['text/csv'] for a list of one)",
    ),
    (
        # Optional (a union with None): the advice of the list member still reaches the user.
        "inference-instances-string",
        lambda: RegisterModel(
            name="Register",
            image=IMAGE,
            model_package_group_name="g",
            inference_instances="ml.m5.large",
        ),
        "RegisterModel 'Register': field 'inference_instances' expects a list of str or "
        "Expression, got str 'ml.m5.large' (write ['ml.m5.large'] for a list of one)",
    ),
    (
        "expression-field",
        lambda: Join(on=3),
        "Join: field 'on' expects str, got int 3",
    ),
    (
        "expression-values-string",
        lambda: Join(on="/", values="abc"),
        "Join: field 'values' expects a list of any value, got str 'abc'",
    ),
    (
        "enum-as-string",
        lambda: StepOutput(output_name="rows", output_type="Integer"),
        # The member to write: the SDK spells it LambdaOutputTypeEnum.Integer.
        "StepOutput: field 'output_type' expects OutputType, got str 'Integer' (did you mean "
        "OutputType.INTEGER?)",
    ),
    (
        "enum-list-item",
        lambda: StepRetryPolicy(
            exception_types=[StepExceptionType.THROTTLING, "Step.SERVICE_FAULT"]
        ),
        "StepRetryPolicy: field 'exception_types[1]' expects StepExceptionType, got str "
        "'Step.SERVICE_FAULT' (did you mean StepExceptionType.SERVICE_FAULT?)",
    ),
    (
        "enum-of-the-other-kind",
        lambda: SageMakerJobStepRetryPolicy(exception_types=[StepExceptionType.THROTTLING]),
        "SageMakerJobStepRetryPolicy: field 'exception_types[0]' expects "
        "SageMakerJobExceptionType, got StepExceptionType ",
    ),
    (
        "lambda-outputs",
        lambda: LambdaStep(name="L", function_arn="arn", outputs=["rows"]),
        "LambdaStep 'L': field 'outputs[0]' expects StepOutput, got str 'rows'",
    ),
    (
        "binder-region",
        lambda: StaticBinder(region=3),
        "StaticBinder: field 'region' expects str, got int 3",
    ),
    (
        "binder-role-list",
        lambda: StaticBinder(role_arn=["arn:aws:iam::111122223333:role/Jobs"]),
        "StaticBinder: field 'role_arn' expects str, got list",
    ),
    (
        "job-defaults-network",
        lambda: JobDefaults(network="vpc-0abc"),
        "JobDefaults: field 'network' expects NetworkConfig, got str 'vpc-0abc'",
    ),
    (
        "categorical-values",
        lambda: CategoricalParameter(values=["a", None]),
        "CategoricalParameter: field 'values[1]' expects str or int or float or Expression, "
        "got NoneType None",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_fails_wrong_type_names_class_step_and_field(
    build: Callable[[], Any], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match="^" + re.escape(message)):
        build()


def test_a_string_for_a_list_no_string_fits_gets_no_list_of_one_advice() -> None:
    # "write ['SageMaker.JOB'] for a list of one" sent the user to a list the check refuses
    # too: the advice is for a list whose items a string fits.
    with pytest.raises(PipelineDefinitionError) as caught:
        TrainingStep(name="Train", image=IMAGE, retry_policies="SageMaker.JOB")
    assert str(caught.value) == (
        "TrainingStep 'Train': field 'retry_policies' expects a list of StepRetryPolicy or "
        "SageMakerJobStepRetryPolicy, got str 'SageMaker.JOB'"
    )


# Public dataclasses the language hands out rather than takes from users: results and bases.
UNCHECKED_PUBLIC_DATACLASSES = {
    "BoundCode": "what a binder returns for code",
    "CompiledPipeline": "what compile returns",
    "Parameter": "the base of ParameterString/Integer/Float/Boolean, which are checked",
    "Problem": "what validation reports",
    "Step": "the base of the step classes, which are checked",
}


def test_every_public_dataclass_users_build_checks_its_arguments() -> None:
    # A class left out of the run-time checks takes a wrong type silently (StaticBinder took
    # region=3 and failed, if at all, deep inside compile).
    import dataclasses

    import cdk_sagemaker_pipelines.definition as language

    unchecked = {
        name
        for name in language.__all__
        if isinstance(cls := getattr(language, name), type)
        and dataclasses.is_dataclass(cls)
        and not hasattr(cls.__init__, "__wrapped__")
    }

    assert unchecked == set(UNCHECKED_PUBLIC_DATACLASSES)


def test_a_missing_required_argument_names_the_step_and_what_it_takes() -> None:
    # Python's own words ("__init__() missing 1 required keyword-only argument: 'image'")
    # named neither the step nor the argument's type.
    with pytest.raises(MissingArgumentError) as raised:
        TrainingStep(name="Train", instance_type="ml.m5.xlarge")  # type: ignore[call-arg]
    assert str(raised.value) == (
        "TrainingStep 'Train' needs argument 'image' (Image or str or Expression)"
    )
    assert isinstance(raised.value, TypeError)
    with pytest.raises(MissingArgumentError) as raised:
        PropertyFile(name="Report")  # type: ignore[call-arg]
    assert str(raised.value) == (
        "PropertyFile 'Report' needs arguments 'output_name' (str), 'path' (str)"
    )


def test_a_type_error_raised_inside_validation_is_not_taken_for_a_missing_argument() -> None:
    # The same words from deeper down (a user's __post_init__) are that function's own.
    def needs(value: int) -> int:
        return value

    @dataclass(frozen=True)
    class Checked(TrainingStep):
        def __post_init__(self) -> None:
            needs()  # type: ignore[call-arg]

    with pytest.raises(TypeError, match=r"needs\(\) missing 1 required positional") as raised:
        Checked(name="Train", image=IMAGE)
    assert not isinstance(raised.value, MissingArgumentError)


def test_a_misspelled_binder_argument_is_named_with_the_right_one() -> None:
    with pytest.raises(
        UnknownArgumentError,
        match=r"StaticBinder takes no argument 'regoin' \(did you mean 'region'\?\)",
    ):
        StaticBinder(regoin="us-east-1")  # type: ignore[call-arg]


def test_a_cdk_number_token_in_an_integer_field_is_named_as_one() -> None:
    # CfnParameter(...).value_as_number encodes as a float near -1.888e+289 (aws-cdk-lib's
    # encoding.ts): the value alone tells the user nothing.
    number_token = -1.8881545897087626e289
    with pytest.raises(PipelineDefinitionError) as caught:
        TrainingStep(name="Train", image=IMAGE, instance_count=number_token)

    assert str(caught.value).endswith(
        "(a CDK number token, known only at deploy time); give a literal, or a pipeline "
        "parameter (ParameterInteger, ParameterFloat) for a value chosen per execution"
    )
    assert str(caught.value).startswith(
        "TrainingStep 'Train': field 'instance_count' expects int or Expression, got float"
    )


def test_long_values_are_shortened_in_the_message() -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        TrainingStep(name="Train", image=IMAGE, instance_type=["ml.m5.large"] * 20)

    assert str(caught.value).endswith("...")
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "build",
    [
        # The right types pass, including ints where floats are expected and expressions.
        lambda: ContinuousParameter(min_value=1, max_value=2.5),
        lambda: IntegerParameter(min_value=ParameterInteger(name="Lo"), max_value=8),
        lambda: ParameterFloat(name="Threshold", default_value=1),
        lambda: TrainingStep(
            name="Train",
            image=IMAGE,
            instance_count=ParameterInteger(name="Count"),
            instance_type=ParameterString(name="Type"),
            inputs={"train": TrainingInput(s3_data="s3://b/train"), "test": "s3://b/test"},
        ),
        lambda: StepOutput(output_name="rows", output_type=OutputType.INTEGER),
        lambda: CacheConfig(expire_after="P30D", enabled=False),
    ],
)
def test_right_types_pass(build: Callable[[], Any]) -> None:
    assert build() is not None


def test_fails_spot_training_needs_max_wait() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^TrainingStep 'Train': use_spot_instances needs max_wait_in_seconds",
    ):
        TrainingStep(name="Train", image=IMAGE, use_spot_instances=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"subnets": ["subnet-1"]}, "subnets without security_group_ids"),
        ({"security_group_ids": ["sg-1"]}, "security_group_ids without subnets"),
    ],
)
def test_fails_network_config_vpc_needs_subnets_and_security_groups(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=rf"^NetworkConfig: {message}; "):
        NetworkConfig(**options)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: TransformStep(
                name="Score", model_name="m", input_data="s3://b/in", instance_typ="ml.m5.large"
            ),  # type: ignore[call-arg]
            "TransformStep 'Score' takes no argument 'instance_typ' (did you mean "
            "'instance_type' or 'instance_count'?)",
        ),
        (
            lambda: LambdaStep(
                name="Prep",
                function_arn="arn:aws:lambda:us-east-1:111122223333:function:prep",
                retry_policies=[StepRetryPolicy(max_attempts=2)],
            ),  # type: ignore[call-arg]
            "LambdaStep 'Prep' takes no argument 'retry_policies' (retry_policies= is taken by "
            "AutoMLStep, EMRStep, EndpointConfigStep, ModelStep, ProcessingStep, RegisterModel, "
            "TrainingStep, TransformStep, TuningStep)",
        ),
        (
            lambda: CacheConfig(expire="P1D"),  # type: ignore[call-arg]
            "CacheConfig takes no argument 'expire' (did you mean 'expire_after'?)",
        ),
        (
            # 'model_statistics' is the closest name, and the wrong one.
            lambda: ModelMetrics(model_data_statistics=MetricsSource(s3_uri="s3://b/stats.json")),  # type: ignore[call-arg]
            "ModelMetrics takes no argument 'model_data_statistics' (the SageMaker SDK's "
            "model_data_statistics=; here: data_statistics=)",
        ),
        (
            lambda: TrainingStep(name="Train", image="my-image", max_run=3600),  # type: ignore[call-arg]
            "TrainingStep 'Train' takes no argument 'max_run' (the SageMaker SDK's max_run=; "
            "here: max_runtime_in_seconds=)",
        ),
        (
            # A HuggingFace estimator's arguments: the image says which framework.
            lambda: TrainingStep(name="Train", image="my-image", transformers_version="4.49"),  # type: ignore[call-arg]
            "TrainingStep 'Train' takes no argument 'transformers_version' (the SageMaker SDK's "
            "transformers_version=; here: image=Image.huggingface(transformers_version, "
            "pytorch_version=… or tensorflow_version=…, py_version=…))",
        ),
        (
            lambda: ModelStep(name="Model", image="my-image", framework_version="2.1"),  # type: ignore[call-arg]
            "ModelStep 'Model' takes no argument 'framework_version' (the SageMaker SDK's "
            "framework_version=; here: image=Image.pytorch(framework_version, py_version=…) "
            "(or Image.sklearn, Image.xgboost, Image.tensorflow))",
        ),
        (
            # The SDK's older step signatures take the job object: say what replaces it.
            lambda: TrainingStep(name="Train", estimator=object()),  # type: ignore[call-arg]
            "TrainingStep 'Train' takes no argument 'estimator' (the SageMaker SDK's "
            "estimator=; here: the estimator's settings are the step's own: image=, code=, "
            "instance_type=, hyperparameters=, … (RegisterModel: image= and model_data=, e.g. "
            "train.model_data))",
        ),
        (
            lambda: TransformStep(name="Score", transformer=object()),  # type: ignore[call-arg]
            "TransformStep 'Score' takes no argument 'transformer' (the SageMaker SDK's "
            "transformer=; here: the transformer's settings are the step's own: model_name=, "
            "instance_type=, output_path=, …; the transform's input is input_data=)",
        ),
        (
            # Was "did you mean 'model_data' or 'code'?": half of what a model object holds.
            lambda: ModelStep(name="Model", model=object()),  # type: ignore[call-arg]
            "ModelStep 'Model' takes no argument 'model' (the SageMaker SDK's model=; here: the "
            "model's settings are the step's own: image=, model_data=, code=, environment= (or "
            "containers=[Container(…), …] for a PipelineModel))",
        ),
        (
            # AWS's abalone example: model.create(instance_type=…, accelerator_type=…). Was
            # "instance_type= is taken by …" the other steps, as if it belonged elsewhere.
            lambda: ModelStep(name="Model", image="my-image", instance_type="ml.m5.large"),  # type: ignore[call-arg]
            "ModelStep 'Model' takes no argument 'instance_type' (the SageMaker SDK's "
            "instance_type=; here: nothing: Model.create(instance_type=, accelerator_type=) "
            "only picks the image the SDK looks up when none is given, and writes neither: "
            "give image=)",
        ),
        (
            lambda: ModelStep(name="Model", image="my-image", accelerator_type="ml.eia1.medium"),  # type: ignore[call-arg]
            "ModelStep 'Model' takes no argument 'accelerator_type' (the SageMaker SDK's "
            "accelerator_type=; here: nothing: Model.create(instance_type=, accelerator_type=) "
            "only picks the image the SDK looks up when none is given, and writes neither: "
            "give image=)",
        ),
        (
            lambda: SageMakerJobStepRetryPolicy(failure_reason_types=[]),  # type: ignore[call-arg]
            "SageMakerJobStepRetryPolicy takes no argument 'failure_reason_types' (the "
            "SageMaker SDK's failure_reason_types=; here: exception_types=)",
        ),
        (
            # Not "PipelineDefinition 'Churn'": a definition has no name to be called by.
            lambda: PipelineDefinition(name="Churn", steps=[]),  # type: ignore[call-arg]
            "PipelineDefinition takes no argument 'name' (the SageMaker SDK's name=; "
            "here: a definition has no name: the CDK Pipeline construct names the pipeline "
            "(pipeline_name=, default: from the construct path))",
        ),
        (
            # Another class's SDK name is not hinted where it means nothing.
            lambda: LambdaStep(
                name="Prep",
                function_arn="arn:aws:lambda:us-east-1:111122223333:function:prep",
                max_run=60,
            ),  # type: ignore[call-arg]
            "LambdaStep 'Prep' takes no argument 'max_run'",
        ),
    ],
    ids=[
        "misspelt",
        "other-step-types-take-it",
        "not-a-step",
        "sdk-name-of-model-metrics",
        "sdk-name-renamed",
        "sdk-name-of-a-hugging-face-estimator",
        "sdk-name-of-a-framework-model",
        "sdk-name-estimator",
        "sdk-name-transformer",
        "sdk-name-model",
        "sdk-name-model-create-instance-type",
        "sdk-name-model-create-accelerator-type",
        "sdk-name-failure-reason-types",
        "sdk-name-pipeline-name",
        "sdk-name-of-another-class",
    ],
)
def test_fails_unknown_argument_names_class_step_and_hint(
    build: Callable[[], Any], message: str
) -> None:
    # Python's TypeError names neither the step nor what to write instead.
    with pytest.raises(PipelineDefinitionError, match="^" + re.escape(message) + "$") as caught:
        build()
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # Typed Any: what mypy would refuse is what a user without it writes.
        (
            lambda: cast(Any, ProcessingStep)("Prep", "my-image"),
            "ProcessingStep takes no positional argument, got 2 (str): name them, as in "
            "ProcessingStep(name=…, image=…)",
        ),
        (
            lambda: cast(Any, FailStep)("AccuracyTooLow", Join(on=" ", values=["too low"])),
            "FailStep takes no positional argument, got 2 (str, Join): name them, as in "
            "FailStep(name=…)",
        ),
    ],
    ids=["job-step", "fail-step"],
)
def test_fails_positional_arguments_naming_the_keywords_to_write(
    build: Callable[[], Any], message: str
) -> None:
    # Python's "takes 1 positional argument but 3 were given" counts self and says neither
    # which class nor what to write.
    with pytest.raises(UnknownArgumentError, match="^" + re.escape(message) + "$") as caught:
        build()
    assert isinstance(caught.value, TypeError)


def test_positional_arguments_a_class_takes_pass() -> None:
    assert Join("/", ["s3://b", "k"]) == Join(on="/", values=["s3://b", "k"])
    assert CacheConfig("P1D").expire_after == "P1D"


# A platform team's steps with company defaults: subclasses of the library's classes.
@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class CompanyTrainingStep(TrainingStep):
    """A dataclass subclass with a default of its own (its generated __init__ runs alone)."""

    instance_type: str | None = "ml.m5.xlarge"


class CompanyProcessingStep(ProcessingStep):
    """A plain subclass whose __init__ fills in a default and calls the library's."""

    __slots__ = ()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("instance_type", "ml.m5.xlarge")
        super().__init__(**kwargs)


@dataclass(frozen=True, slots=True)
class CompanyCacheConfig(CacheConfig):
    """A subclass of a class with a __post_init__ of its own."""


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: CompanyTrainingStep(name="Train", image=IMAGE, instance_count="1"),
            "CompanyTrainingStep 'Train': field 'instance_count' expects int or Expression, "
            "got str '1'",
        ),
        (
            lambda: CompanyTrainingStep(name="Train", image=IMAGE, code="train.py"),
            "CompanyTrainingStep 'Train': field 'code' expects Code, got str 'train.py' (the "
            "SageMaker SDK takes a path or URI here; give Code.from_s3(uri) for code in S3, "
            "or Code.from_asset(path) for a local file or folder)",
        ),
        (
            lambda: CompanyTrainingStep(name="Train", image=IMAGE, use_spot_instances=True),
            "CompanyTrainingStep 'Train': use_spot_instances needs max_wait_in_seconds (how "
            "long to wait for spot capacity plus the run, at least max_runtime_in_seconds)",
        ),
        (
            lambda: CompanyProcessingStep(name="Prep", image=IMAGE, instance_count="2"),
            "CompanyProcessingStep 'Prep': field 'instance_count' expects int or Expression, "
            "got str '2'",
        ),
        (
            lambda: CompanyProcessingStep(name="Prep", image=IMAGE, instanc_count=2),
            "CompanyProcessingStep 'Prep' takes no argument 'instanc_count' (did you mean "
            "'instance_count' or 'instance_type'?)",
        ),
        (
            lambda: CompanyProcessingStep(name="Prep", image=IMAGE, output_kms_key="alias/x"),
            "CompanyProcessingStep 'Prep': output_kms_key= encrypts the step's outputs, but it "
            "has none (add outputs=, or remove output_kms_key=)",
        ),
        (
            lambda: CompanyCacheConfig(expire_after=30),
            "CompanyCacheConfig: field 'expire_after' expects str, got int 30",
        ),
    ],
    ids=[
        "dataclass-subclass-type",
        "dataclass-subclass-sdk-hint",
        "dataclass-subclass-validate",
        "plain-subclass-type",
        "plain-subclass-unknown-argument",
        "plain-subclass-validate",
        "subclass-with-post-init",
    ],
)
def test_fails_wrong_values_given_to_a_subclass_naming_it(
    build: Callable[[], Any], message: str
) -> None:
    # A subclass took any value, and skipped the class's own rules (_validate), unchecked.
    with pytest.raises(PipelineDefinitionError, match="^" + re.escape(message) + "$"):
        build()


def test_subclasses_keep_their_defaults_and_are_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cdk_sagemaker_pipelines.definition import _typecheck

    checked: list[str] = []
    original = _typecheck.check_fields

    def counting(instance: Any) -> None:
        checked.append(type(instance).__name__)
        original(instance)

    monkeypatch.setattr(_typecheck, "check_fields", counting)
    train = CompanyTrainingStep(name="Train", image=IMAGE)
    prep = CompanyProcessingStep(name="Prep", image=IMAGE, instance_count=2)
    cache = CacheConfig(expire_after="P1D")
    assert (train.instance_type, prep.instance_type, prep.instance_count) == (
        "ml.m5.xlarge",
        "ml.m5.xlarge",
        2,
    )
    assert cache.expire_after == "P1D"
    assert checked == ["CompanyTrainingStep", "CompanyProcessingStep", "CacheConfig"]


def test_fails_the_sdks_positional_cache_config_naming_the_order() -> None:
    # The SDK's CacheConfig(enable_caching, expire_after): the type error alone didn't say
    # the arguments come in another order here.
    with pytest.raises(PipelineDefinitionError) as caught:
        CacheConfig(True, "P30D")
    assert str(caught.value) == (
        "CacheConfig: field 'expire_after' expects str, got bool True (expire_after, the "
        "first argument, is an ISO 8601 duration, not the SageMaker SDK's enable_caching: "
        "write CacheConfig(expire_after='P30D'), and leave cache_config unset to turn "
        "caching off)"
    )


@pytest.mark.parametrize(
    ("build", "hint"),
    [
        (
            lambda: TrainingStep(name="Train", image="img", inputs="s3://bucket/train/"),
            "(the SageMaker SDK's fit(inputs=…) makes one channel named 'training' of a lone "
            "input: write inputs={'training': …})",
        ),
        (
            lambda: ProcessingStep(name="Prep", image="img", code="s3://bucket/prep.py"),
            "(the SageMaker SDK takes a path or URI here; give Code.from_s3(uri) for code in "
            "S3, or Code.from_asset(path) for a local file or folder)",
        ),
        (
            lambda: TrainingStep(
                name="Train",
                image="img",
                metric_definitions=[
                    {"Name": "rmse", "Regex": "rmse=(\\S+)"},
                    {"Name": "mae", "Regex": "mae=(\\S+)"},
                    {"Name": "r2", "Regex": "r2=(\\S+)"},
                ],
            ),
            "(the SageMaker SDK's list of {'Name': …, 'Regex': …}: write a mapping of each "
            "metric's name to its regex, {'rmse': 'rmse=(\\\\S+)', 'mae': 'mae=(\\\\S+)', …})",
        ),
    ],
    ids=["lone-training-input", "code-as-text", "metric-definitions-list"],
)
def test_fails_sdk_shorthands_naming_what_to_write(build: Callable[[], Any], hint: str) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        build()
    assert str(caught.value).endswith(hint)


def test_no_shorthand_hint_for_a_wrong_entry_or_another_type() -> None:
    # The hint is for the SDK's lone input and text code only, not any wrong value there.
    for build in (
        lambda: TrainingStep(name="Train", image="img", inputs={"train": 3}),
        lambda: TrainingStep(name="Train", image="img", inputs=["s3://bucket/train/"]),
        lambda: ProcessingStep(name="Prep", image="img", code=3),
        lambda: TrainingStep(name="Train", image="img", metric_definitions=[{"Name": "rmse"}]),
    ):
        with pytest.raises(PipelineDefinitionError) as caught:
            build()
        assert "SageMaker SDK" not in str(caught.value)


def test_unknown_argument_hint_lists_check_steps_before_any_is_imported(
    package_python_env: dict[str, str],
) -> None:
    # The check, AutoML and deployment steps are imported on first use; a fresh interpreter
    # has not touched one.
    code = (
        "import sys\n"
        "from cdk_sagemaker_pipelines.definition import CacheConfig, ModelStep\n"
        "assert 'cdk_sagemaker_pipelines.definition.steps.check' not in sys.modules\n"
        "assert 'cdk_sagemaker_pipelines.definition.steps.automl' not in sys.modules\n"
        "assert 'cdk_sagemaker_pipelines.definition.steps.endpoint' not in sys.modules\n"
        "try:\n"
        "    ModelStep(name='Model', image='i', cache_config=CacheConfig(expire_after='P1D'))\n"
        "except TypeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=package_python_env,
    )
    assert result.stdout == (
        "ModelStep 'Model' takes no argument 'cache_config' (cache_config= is taken by "
        "AutoMLStep, CallbackStep, ClarifyCheckStep, EMRStep, EndpointConfigStep, EndpointStep, "
        "LambdaStep, ProcessingStep, QualityCheckStep, TrainingStep, TransformStep, "
        "TuningStep)\n"
    ), result.stderr


def test_fails_output_type_in_the_sdks_spelling_names_the_constant() -> None:
    # The SDK's LambdaOutputTypeEnum.Integer; was a bare "AttributeError: Integer".
    with pytest.raises(PropertyPathError) as caught:
        OutputType.Integer  # type: ignore[attr-defined]  # noqa: B018

    assert str(caught.value) == (
        "OutputType has no member 'Integer' (the constants are upper case, unlike the "
        "SageMaker SDK's LambdaOutputTypeEnum.Integer: did you mean OutputType.INTEGER?)"
    )
    assert isinstance(caught.value, AttributeError)
    with pytest.raises(PropertyPathError, match=r"\(expected one of OutputType\.STRING, "):
        OutputType.Text  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(OutputType, "Boolean")
    assert list(OutputType) == [
        OutputType.STRING,
        OutputType.INTEGER,
        OutputType.FLOAT,
        OutputType.BOOLEAN,
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: PipelineDefinition(steps=[FailStep(name="Stop")]).definition(),  # type: ignore[attr-defined]
            "PipelineDefinition has no definition() (the SageMaker SDK's pipeline.definition(); "
            "here: to_json(binder), or to_definition(binder) for the dict; the binder "
            "(StaticBinder(region=…, role_arn=…, default_bucket=…)) stands for the session)",
        ),
        (
            lambda: PipelineDefinition(steps=[FailStep(name="Stop")]).upsert(role_arn="arn"),  # type: ignore[attr-defined]
            "PipelineDefinition has no upsert() (the SageMaker SDK's pipeline.upsert(); here: "
            "deploy it with the CDK Pipeline construct, Pipeline(self, id, definition=…), which "
            "derives the roles (cdk deploy))",
        ),
        (
            lambda: TrainingStep(name="Train", image="my-image").add_depends_on(["Prep"]),  # type: ignore[attr-defined]
            "TrainingStep 'Train' has no add_depends_on() (the SageMaker SDK's "
            "step.add_depends_on(); here: steps are immutable: give depends_on=[…] when "
            "building the step (or dataclasses.replace(step, depends_on=[…])))",
        ),
        (
            lambda: TuningStep(
                name="Tune", image="my-image", objective_metric_name="m", hyperparameter_ranges={}
            ).get_top_model_s3_uri(top_k=0, s3_bucket="my-bucket"),  # type: ignore[attr-defined]
            "TuningStep 'Tune' has no get_top_model_s3_uri() (the SageMaker SDK's "
            "step.get_top_model_s3_uri(); here: top_model_s3_uri(top_k), from the tuning job's "
            "own output path (no s3_bucket= or prefix=))",
        ),
        (
            # Other names keep Python's own message; only a TuningStep has the SDK's method.
            lambda: TrainingStep(name="Train", image="my-image").get_top_model_s3_uri(0),  # type: ignore[attr-defined]
            "'TrainingStep' object has no attribute 'get_top_model_s3_uri'",
        ),
        (
            lambda: PipelineDefinition(steps=[]).steps_by_name,  # type: ignore[attr-defined]
            "'PipelineDefinition' object has no attribute 'steps_by_name'",
        ),
    ],
    ids=["definition", "upsert", "add-depends-on", "top-model", "not-a-tuning-step", "other"],
)
def test_fails_sdk_methods_say_what_to_call_instead(build: Callable[[], Any], message: str) -> None:
    # Was Python's "'PipelineDefinition' object has no attribute 'definition'".
    with pytest.raises(AttributeError, match="^" + re.escape(message) + "$"):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: TrainingStep(name="T", image="my-image").properties.ModelArtifacts.S3ModelArtifact,  # type: ignore[attr-defined]
        lambda: TrainingStep(name="Train", image="my-image").add_depends_on(["Prep"]),  # type: ignore[attr-defined]
        lambda: (
            TuningStep(
                name="Tune", image="my-image", objective_metric_name="m", hyperparameter_ranges={}
            ).model_data  # type: ignore[attr-defined]
        ),
        lambda: PipelineDefinition(steps=[FailStep(name="Stop")]).upsert(role_arn="arn"),  # type: ignore[attr-defined]
    ],
    ids=["property", "sdk-step-method", "tuning-model-data", "sdk-pipeline-method"],
)
def test_errors_that_name_the_fix_get_no_second_guess_from_python(
    build: Callable[[], Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Python appends "Did you mean: 'x'?" to an AttributeError with a name (3.12+ also names
    # one raised by __getattr__): the message would give two fixes, or one that contradicts it.
    with pytest.raises(AttributeError) as raised:
        build()

    sys.__excepthook__(raised.type, raised.value, raised.tb)  # as an uncaught error prints

    last = capsys.readouterr().err.rstrip().splitlines()[-1]
    assert last.endswith(str(raised.value)), last


def test_a_construction_error_is_raised_from_the_constructor_not_the_checks(
    tmp_path: Path,
) -> None:
    # In a notebook, the frames of check_fields and _validate under the user's line buried
    # a message that already names the class and field.
    import traceback

    from cdk_sagemaker_pipelines.definition import Code

    with pytest.raises(
        PipelineDefinitionError, match=r"^Code\.from_asset: .* does not exist"
    ) as raised:
        Code.from_asset(str(tmp_path / "missing.py"))
    frames = [frame.name for frame in traceback.extract_tb(raised.tb)]
    assert "_validate" not in frames
    assert "_check_instance" not in frames
    assert frames[-1] == "__init__"
    with pytest.raises(PipelineDefinitionError) as raised:
        TrainingStep(name="Train", image=IMAGE, instance_count="1")
    frames = [frame.name for frame in traceback.extract_tb(raised.tb)]
    assert "check_fields" not in frames
