"""A catalogue of invalid definitions: each names its step, field and an actionable message.

Python cases build a ``PipelineDefinition`` and compile it; JSON cases are SDK-style
definitions in ``invalid/`` with one thing broken each, their expected problems listed in
``invalid/expected.json``; wrong-shape cases break one member of a compiled definition by
hand (a string where an object belongs, a missing member). All assert that the expected
problems, and no others, are reported, so every case pins down one rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    Code,
    ConditionEquals,
    ConditionGreaterThan,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
    ContinuousParameter,
    DataQualityCheckConfig,
    DatasetFormat,
    EMRStep,
    EndpointStep,
    ExecutionVariables,
    Image,
    IntegerParameter,
    Join,
    JsonGet,
    LambdaStep,
    ModelStep,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineExperimentConfig,
    PipelineValidationError,
    Problem,
    ProcessingInput,
    ProcessingOutput,
    PropertyFile,
    QualityCheckStep,
    RegisterModel,
    SageMakerJobStepRetryPolicy,
    StepOutput,
    StepRetryPolicy,
    TrainingInput,
    TransformStep,
    TuningStep,
    check_definition,
    is_token,
    validate_definition,
    validate_pipeline_name,
)
from cdk_sagemaker_pipelines.definition.retry import parse_expire_after
from cdk_sagemaker_pipelines.definition.validate import MAX_DEFINITION_CHARACTERS, _sent_length
from tests.definition.catalogue_helpers import (
    BINDER,
    IMAGE,
    INVALID_DIR,
    Expected,
    assert_exactly,
    condition,
    fail,
    processing,
    training,
)

LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:prep"


@dataclass(frozen=True)
class Case:
    """A pipeline built through the Python API that must fail with one problem."""

    name: str
    build: Callable[[], PipelineDefinition]
    expected: Expected


CASES: list[Case] = []


def case(step: str | None, field: str | None, message: str) -> Callable[..., Any]:
    """Register the decorated builder as a catalogue case expecting this one problem."""

    def register(build: Callable[[], PipelineDefinition]) -> Callable[[], PipelineDefinition]:
        CASES.append(Case(build.__name__, build, Expected(step, field, message)))
        return build

    return register


def registration(group: str, **options: Any) -> RegisterModel:
    """A RegisterModel step named Register, of the model at s3://b/model.tar.gz, into ``group``."""
    return RegisterModel(
        name="Register",
        model_package_group_name=group,
        image=IMAGE,
        model_data="s3://b/model.tar.gz",
        **options,
    )


def pipeline(*steps: Any, parameters: Any = ()) -> PipelineDefinition:
    return PipelineDefinition(steps=list(steps), parameters=list(parameters))


def evaluation(report: PropertyFile | None = None, **fields: Any) -> Any:
    """A Processing step writing output ``evaluation``, optionally with a property file."""
    fields.setdefault(
        "outputs",
        [ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
    )
    if report is not None:
        fields.setdefault("property_files", [report])
    return processing("Evaluate", **fields)


REPORT = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")


# -- names ----------------------------------------------------------------------------------------


@case("Pre process", "Name", "step name 'Pre process' must be 1-64 characters of A-Z")
def step_name_with_a_space() -> PipelineDefinition:
    return pipeline(processing("Pre process"))


@case("P" * 65, "Name", "must be 1-64 characters")
def step_name_too_long() -> PipelineDefinition:
    return pipeline(processing("P" * 65))


@case("Train.v2", "Name", "step name 'Train.v2' must be 1-64 characters of A-Z, a-z, 0-9, - and _")
def step_name_with_a_dot() -> PipelineDefinition:
    # A dot would end the name early in a reference: Steps.Train.v2.ModelArtifacts.
    return pipeline(training("Train.v2"))


@case(None, "Parameters[0].Name", f"parameter name '{'P' * 65}' must be 1-64 characters")
def parameter_name_too_long() -> PipelineDefinition:
    rows = ParameterInteger(name="P" * 65, default_value=1)
    return pipeline(processing(environment={"ROWS": rows}), parameters=[rows])


@case(
    "Prep",
    "Name",
    "step name 'Prep' is used twice: by the Processing step at Steps[0] "
    "and by the Training step at Steps[1]",
)
def step_name_used_twice() -> PipelineDefinition:
    return pipeline(processing("Prep"), training("Prep"))


@case(
    "Prep",
    "Name",
    "step name 'Prep' is used twice: by the Processing step at Steps[0] "
    "and by the Fail step at Steps[1].Arguments.ElseSteps[0]",
)
def branch_step_named_like_a_top_level_step() -> PipelineDefinition:
    return pipeline(processing("Prep"), condition(else_steps=[fail("Prep")]))


@case(
    "Prep",
    "Name",
    "step name 'Prep' is used twice: by the Processing step at Steps[0].Arguments.IfSteps[0] "
    "and by the Training step at Steps[0].Arguments.IfSteps[1]",
)
def two_steps_of_one_branch_with_the_same_name() -> PipelineDefinition:
    return pipeline(condition(if_steps=[processing("Prep"), training("Prep")]))


# -- the graph ------------------------------------------------------------------------------------


@case(
    "Train", "Name", "step 'Train' is in both the IfSteps of 'Check' and the ElseSteps of 'Check'"
)
def step_in_both_branches() -> PipelineDefinition:
    train = training()
    return pipeline(condition(if_steps=[train], else_steps=[train]))


@case(
    "Train", "Name", "step 'Train' is in both the IfSteps of 'CheckA' and the ElseSteps of 'CheckB'"
)
def step_in_branches_of_two_conditions() -> PipelineDefinition:
    train = training()
    return pipeline(condition("CheckA", if_steps=[train]), condition("CheckB", else_steps=[train]))


@case("A", "DependsOn[0]", "dependency cycle: A → B → A")
def cycle_through_depends_on() -> PipelineDefinition:
    return pipeline(processing("A", depends_on=["B"]), processing("B", depends_on=["A"]))


@case("Prep", "DependsOn[0]", "dependency cycle: Prep → Train → Evaluate → Prep")
def cycle_through_property_references() -> PipelineDefinition:
    prep = processing("Prep", depends_on=["Evaluate"])
    train = training(
        inputs={"train": prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri}
    )
    uri = train.properties.ModelArtifacts.S3ModelArtifacts
    evaluate = evaluation(
        inputs=[ProcessingInput(source=uri, destination="/opt/ml/processing/model")]
    )
    return pipeline(prep, train, evaluate)


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    "dependency cycle: Check → Prep → Check (remove one of the references or DependsOn entries "
    "in the cycle; a branch step runs after its condition, which can't depend on it)",
)
def condition_reads_its_own_branch_step() -> PipelineDefinition:
    prep = processing()
    status = ConditionEquals(left=prep.properties.ProcessingJobStatus, right="Completed")
    return pipeline(condition(conditions=[status], if_steps=[prep]))


@case("Prep", "DependsOn[0]", "a step can't depend on itself")
def step_depends_on_itself() -> PipelineDefinition:
    return pipeline(processing(depends_on=["Prep"]))


@case("Prep", "DependsOn[0]", "depends on step 'Split', which is not in the pipeline")
def depends_on_a_step_not_in_the_pipeline() -> PipelineDefinition:
    return pipeline(processing(depends_on=["Split"]))


@case("Prep", "DependsOn[0]", "depends on Fail step 'Stop'; nothing can run after a Fail step")
def depends_on_a_fail_step() -> PipelineDefinition:
    return pipeline(processing(depends_on=[fail()]))


@case("Inner", "Type", "a Condition step can't be nested in the IfSteps of 'Outer'")
def nested_condition() -> PipelineDefinition:
    inner = condition("Inner", if_steps=[processing()])
    return pipeline(condition("Outer", if_steps=[inner]))


@case(
    "Train",
    "Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
    "step 'Train' in the ElseSteps of 'Check' refers to step 'Prep', "
    "which only runs in the IfSteps of 'Check'",
)
def branch_step_refers_to_the_other_branch() -> PipelineDefinition:
    prep = processing()
    train = training(
        inputs={"train": prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri}
    )
    return pipeline(condition(if_steps=[prep], else_steps=[train]))


@case(
    "Train",
    "DependsOn[0]",
    "step 'Train' in the ElseSteps of 'Check' refers to step 'Prep', "
    "which only runs in the IfSteps of 'Check'",
)
def branch_step_depends_on_the_other_branch() -> PipelineDefinition:
    return pipeline(condition(if_steps=[processing()], else_steps=[training(depends_on=["Prep"])]))


@case(
    "Score",
    "Arguments.Environment['FIRST'].Std:Join.Values[0]",
    "step 'Score' in the ElseSteps of 'Check' refers to step 'Prep', "
    "which only runs in the IfSteps of 'Check'",
)
def branch_step_refers_to_the_other_branch_twice() -> PipelineDefinition:
    # Reported once, at the first use.
    prep = processing()
    uri = prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
    environment = {"FIRST": Join(values=[uri]), "AGAIN": Join(values=[uri])}
    return pipeline(
        condition(if_steps=[prep], else_steps=[processing("Score", environment=environment)])
    )


# -- parameters and expressions -------------------------------------------------------------------


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    "refers to parameter 'InstanceType', which is not declared",
)
def parameter_not_declared() -> PipelineDefinition:
    instance_type = ParameterString(name="InstanceType", default_value="ml.m5.large")
    return pipeline(processing(instance_type=instance_type))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    "refers to parameter 'threshold', which is not declared (did you mean 'Threshold'?)",
)
def parameter_declared_with_another_case() -> PipelineDefinition:
    # Parameter names are case-sensitive, as the service reads them.
    used = ParameterFloat(name="threshold", default_value=0.5)
    declared = ParameterFloat(name="Threshold", default_value=0.5)
    return pipeline(
        condition(conditions=[ConditionGreaterThan(left=used, right=0.5)]), parameters=[declared]
    )


@case(
    None,
    "Parameters.InstanceType",
    "steps use parameter 'InstanceType' as String with default 'ml.m5.large', "
    "but it is declared as String with default 'ml.m5.xlarge'",
)
def parameter_declared_differently() -> PipelineDefinition:
    used = ParameterString(name="InstanceType", default_value="ml.m5.large")
    declared = ParameterString(name="InstanceType", default_value="ml.m5.xlarge")
    return pipeline(processing(instance_type=used), parameters=[declared])


@case(
    None,
    "Parameters[0].DefaultValue",
    "parameter 'Rows' default 1000000000000000000000000000000 is not a 64-bit integer (from "
    "-2**63 to 2**63 - 1",
)
def integer_parameter_default_beyond_64_bits() -> PipelineDefinition:
    rows = ParameterInteger(name="Rows", default_value=10**30)
    return pipeline(processing(environment={"ROWS": rows}), parameters=[rows])


@case(
    "Prep",
    "Arguments.Environment['NOTE']",
    "'caf\\udce9' holds the lone surrogate '\\udce9', which can't be encoded as UTF-8",
)
def text_with_a_lone_surrogate() -> PipelineDefinition:
    # b"caf\xe9" (Latin-1) decoded as UTF-8 with errors="surrogateescape".
    return pipeline(processing(environment={"NOTE": b"caf\xe9".decode("utf-8", "surrogateescape")}))


@case(
    None,
    "PipelineExperimentConfig.ExperimentName",
    "'churn model' must be 1-120 letters, digits and hyphens, starting and ending with a "
    "letter or digit",
)
def experiment_name_with_a_space() -> PipelineDefinition:
    config = PipelineExperimentConfig(
        experiment_name="churn model", trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID
    )
    return PipelineDefinition(steps=[processing()], experiment_config=config)


@case(None, "PipelineExperimentConfig.TrialName", "'' must be 1-120 letters")
def trial_name_empty() -> PipelineDefinition:
    config = PipelineExperimentConfig(experiment_name="churn-model", trial_name="")
    return PipelineDefinition(steps=[processing()], experiment_config=config)


@case(None, "PipelineExperimentConfig.ExperimentName", f"'{'e' * 121}' must be 1-120 letters")
def experiment_name_too_long() -> PipelineDefinition:
    config = PipelineExperimentConfig(experiment_name="e" * 121, trial_name="t" * 120)
    return PipelineDefinition(steps=[processing()], experiment_config=config)


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "'Steps.Train.ModelArtifacts' is an object, not a value",
)
def property_that_is_not_a_leaf() -> PipelineDefinition:
    source = training().properties.ModelArtifacts
    return pipeline(
        evaluation(inputs=[ProcessingInput(source=source, destination="/opt/ml/processing/model")])
    )


# -- property files and JsonGet -------------------------------------------------------------------


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "step 'Train' is a Training step; only Processing steps have property files",
)
def json_get_from_a_training_step() -> PipelineDefinition:
    accuracy = JsonGet(step=training(), property_file=REPORT, json_path="metrics.accuracy")
    return pipeline(condition(conditions=[ConditionGreaterThan(left=accuracy, right=0.5)]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "step 'Score' is a Lambda step; only Processing steps have property files",
)
def json_get_from_a_lambda_step() -> PipelineDefinition:
    score = LambdaStep(name="Score", function_arn=LAMBDA_ARN)
    accuracy = JsonGet(step=score, property_file=REPORT, json_path="metrics.accuracy")
    return pipeline(condition(conditions=[ConditionGreaterThan(left=accuracy, right=0.5)]))


@case(
    "Evaluate",
    "PropertyFiles[0].OutputName",
    "property file 'Report' is written to output 'evaluation', which the step does not have",
)
def property_file_in_a_missing_output() -> PipelineDefinition:
    return pipeline(processing("Evaluate", property_files=[REPORT]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "step 'Evaluate' declares no property file 'Report' (declare it in the step's "
    "PropertyFiles: property_files=[…] of the ProcessingStep in Python)",
)
def json_get_of_an_undeclared_property_file() -> PipelineDefinition:
    accuracy = JsonGet(step=evaluation(), property_file=REPORT, json_path="metrics.accuracy")
    return pipeline(condition(conditions=[ConditionGreaterThan(left=accuracy, right=0.5)]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "step 'Prep' declares no property file 'Report' (step 'Evaluate' declares it: read that "
    "step, JsonGet(step=…) in Python)",
)
def json_get_of_a_property_file_of_another_step() -> PipelineDefinition:
    # Porting AWS's abalone example: JsonGet(step=step_process, …) for step_eval's report.
    prep = processing(
        "Prep",
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
    )
    evaluate = evaluation(REPORT, depends_on=[prep])
    mse = JsonGet(step=prep, property_file=REPORT, json_path="regression_metrics.mse.value")
    return pipeline(evaluate, condition(conditions=[ConditionGreaterThan(left=mse, right=6.0)]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.Path",
    "'metrics[accuracy]' is not a valid JsonPath",
)
def json_get_path_syntax() -> PipelineDefinition:
    accuracy = JsonGet(step=evaluation(REPORT), property_file=REPORT, json_path="metrics[accuracy]")
    return pipeline(condition(conditions=[ConditionGreaterThan(left=accuracy, right=0.5)]))


@case("Evaluate", "PropertyFiles[0].FilePath", "'/evaluation.json' must be a relative path")
def property_file_with_an_absolute_path() -> PipelineDefinition:
    report = PropertyFile(name="Report", output_name="evaluation", path="/evaluation.json")
    return pipeline(evaluation(report))


@case(
    "Evaluate",
    "PropertyFiles[0].FilePath",
    "'../evaluation.json' must be a relative path inside the output",
)
def property_file_outside_its_output() -> PipelineDefinition:
    report = PropertyFile(name="Report", output_name="evaluation", path="../evaluation.json")
    return pipeline(evaluation(report))


@case("Evaluate", "PropertyFiles[0].FilePath", "'' must be a relative path inside the output")
def property_file_without_a_path() -> PipelineDefinition:
    report = PropertyFile(name="Report", output_name="evaluation", path="")
    return pipeline(evaluation(report))


@case(
    "Evaluate",
    "PropertyFiles[0].PropertyFileName",
    f"'{'R' * 65}' must be 1-64 characters of A-Z, a-z, 0-9, - and _",
)
def property_file_name_too_long() -> PipelineDefinition:
    report = PropertyFile(name="R" * 65, output_name="evaluation", path="evaluation.json")
    return pipeline(evaluation(report))


@case("Evaluate", "PropertyFiles[1].PropertyFileName", "property file 'Report' is declared twice")
def property_file_declared_twice() -> PipelineDefinition:
    return pipeline(evaluation(property_files=[REPORT, REPORT]))


# -- conditions -----------------------------------------------------------------------------------


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    'ordering comparisons need numbers, got a String ("Parameters.Env")',
)
def ordering_a_string_parameter() -> PipelineDefinition:
    env = ParameterString(name="Env", default_value="dev")
    return pipeline(
        condition(conditions=[ConditionGreaterThan(left=env, right=1)]), parameters=[env]
    )


@case(
    "Check",
    "Arguments.Conditions[0].RightValue",
    'ordering comparisons need numbers, got a Boolean ("Parameters.Strict")',
)
def ordering_a_boolean_parameter() -> PipelineDefinition:
    strict = ParameterBoolean(name="Strict", default_value=True)
    return pipeline(
        condition(conditions=[ConditionLessThan(left=0.5, right=strict)]), parameters=[strict]
    )


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    'ordering comparisons need numbers, got a String ("Steps.Train.TrainingJobStatus")',
)
def ordering_a_string_property() -> PipelineDefinition:
    status = training().properties.TrainingJobStatus
    return pipeline(condition(conditions=[ConditionGreaterThanOrEqualTo(left=status, right=1)]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    "ordering comparisons need numbers, got a String (\"Steps.Prep.OutputParameters['rows']\") "
    "(declare output 'rows' of step 'Prep' as a number: StepOutput(output_type=OutputType.INTEGER "
    "or OutputType.FLOAT) in Python)",
)
def ordering_a_string_lambda_output() -> PipelineDefinition:
    # The hint was to compare a number parameter or property: the output's declaration is
    # what to change (a Lambda or Callback output is String unless declared otherwise).
    prep = LambdaStep(
        name="Prep", function_arn=LAMBDA_ARN, outputs=[StepOutput(output_name="rows")]
    )
    rows = prep.properties.OutputParameters["rows"]
    return pipeline(condition(conditions=[ConditionGreaterThan(left=rows, right=1000)]))


@case("Check", "Arguments.Conditions[0]", "GreaterThan compares a Timestamp with a Float")
def ordering_a_timestamp_and_a_number() -> PipelineDefinition:
    started = ExecutionVariables.START_DATETIME
    return pipeline(condition(conditions=[ConditionGreaterThan(left=started, right=5)]))


@case(
    "Check",
    "Arguments.Conditions[0]",
    "Equals compares 'Parameters.Strict' (a Boolean) with \"true\" (a String): values of "
    "different types are never equal (compare a Boolean with true or false (True or False in "
    "Python), not with a string)",
)
def equals_a_boolean_parameter_and_a_string() -> PipelineDefinition:
    # SageMaker compares with the type: the SDK's local runner fails such a step.
    strict = ParameterBoolean(name="Strict", default_value=True)
    return pipeline(
        condition(conditions=[ConditionEquals(left=strict, right="true")]), parameters=[strict]
    )


@case(
    "Check",
    "Arguments.Conditions[0]",
    "Equals compares 'Parameters.Env' (a String) with 0.9 (a number): values of different "
    "types are never equal (compare a String with a string ('0.9', not 0.9)",
)
def equals_a_string_parameter_and_a_number() -> PipelineDefinition:
    env = ParameterString(name="Env", default_value="0.9")
    return pipeline(condition(conditions=[ConditionEquals(left=env, right=0.9)]), parameters=[env])


@case(
    "Check",
    "Arguments.Conditions[0].Values[1]",
    "In looks for 'Steps.Train.TrainingJobStatus' (a String) among true (a Boolean)",
)
def in_a_string_property_among_a_boolean() -> PipelineDefinition:
    status = training().properties.TrainingJobStatus
    in_values: list[Any] = ["Completed", True]
    return pipeline(condition(conditions=[ConditionIn(value=status, in_values=in_values)]))


@case("Check", "Arguments.Conditions[0].Values", "an In condition needs a non-empty list of Values")
def in_condition_without_values() -> PipelineDefinition:
    return pipeline(condition(conditions=[ConditionIn(value="dev", in_values=[])]))


@case("Check", "Arguments.Conditions", "a Condition step needs a non-empty list of conditions")
def condition_step_without_conditions() -> PipelineDefinition:
    return pipeline(condition(conditions=[]))


@case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    "a condition operand can't be null (compare a literal or an expression",
)
def condition_operand_none() -> PipelineDefinition:
    return pipeline(condition(conditions=[ConditionEquals(left=None, right="Completed")]))


@case(
    "Check",
    "Arguments.Conditions[0].RightValue",
    "a step is not a value: TrainingStep(name='Train') can't be rendered into another step; "
    "reference one of its properties",
)
def condition_operand_is_a_step() -> PipelineDefinition:
    return pipeline(condition(conditions=[ConditionEquals(left="Completed", right=training())]))


@case("Stop", "Arguments.ErrorMessage.Std:Join.Values[1]", "Join values can't be null")
def join_of_none() -> PipelineDefinition:
    return pipeline(fail(error_message=Join(on=" ", values=["failed:", None])))


# -- retry policies and caching -------------------------------------------------------------------


@case("Train", "RetryPolicies[0]", "set MaxAttempts or ExpireAfterMin, not both")
def retry_with_max_attempts_and_expire_after() -> PipelineDefinition:
    return pipeline(
        training(retry_policies=[StepRetryPolicy(max_attempts=3, expire_after_mins=60)])
    )


@case("Train", "RetryPolicies[0].MaxAttempts", "21 is outside 0..20")
def retry_max_attempts_out_of_range() -> PipelineDefinition:
    return pipeline(training(retry_policies=[StepRetryPolicy(max_attempts=21)]))


@case("Train", "RetryPolicies[0].ExpireAfterMin", "14401 is outside 0..14400")
def retry_expire_after_out_of_range() -> PipelineDefinition:
    policy = SageMakerJobStepRetryPolicy(expire_after_mins=14401)
    return pipeline(training(retry_policies=[policy]))


@case("Train", "RetryPolicies[0].BackoffRate", "expected a non-negative number, got -2.0")
def retry_negative_backoff_rate() -> PipelineDefinition:
    return pipeline(training(retry_policies=[StepRetryPolicy(backoff_rate=-2.0, max_attempts=3)]))


@case("Train", "RetryPolicies[0].BackoffRate", "nan is not a JSON number (NaN and infinities")
def retry_backoff_rate_nan() -> PipelineDefinition:
    policy = StepRetryPolicy(backoff_rate=float("nan"), max_attempts=3)
    return pipeline(training(retry_policies=[policy]))


@case("Check", "Arguments.Conditions[0].RightValue", "inf is not a JSON number")
def condition_against_infinity() -> PipelineDefinition:
    rows = ParameterInteger(name="Rows", default_value=1)
    less = ConditionLessThan(left=rows, right=float("inf"))
    return pipeline(condition(conditions=[less]), parameters=[rows])


@case("Train", "CacheConfig.ExpireAfter", "'30 days' is not an ISO 8601 duration")
def cache_with_a_bad_duration() -> PipelineDefinition:
    return pipeline(training(cache_config=CacheConfig(expire_after="30 days")))


@case(
    "Train",
    "CacheConfig.ExpireAfter",
    "'P99999999999999999999D' is longer than the limit of 999,999,999 days (to reuse a run "
    "however old it is, leave ExpireAfter out)",
)
def cache_duration_beyond_any_clock() -> PipelineDefinition:
    # The local runner's cache raised OverflowError on it.
    return pipeline(training(cache_config=CacheConfig(expire_after="P99999999999999999999D")))


# -- Arguments against botocore's request shapes --------------------------------------------------


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    "expected one of the 207 'ml.*' values, got 'm5.large' (did you mean 'ml.m5.large'?)",
)
def instance_type_without_ml_prefix() -> PipelineDefinition:
    return pipeline(processing(instance_type="m5.large"))


@case(
    "Transform",
    "Arguments.TransformResources.InstanceType",
    "got 'ml.t3.medium' (for example 'ml.m5.large',",
)
def instance_type_not_offered_for_transform() -> PipelineDefinition:
    step = TransformStep(
        name="Transform", model_name="m", input_data="s3://b/in", instance_type="ml.t3.medium"
    )
    return pipeline(step)


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB",
    "0 is below the minimum 1",
)
def volume_size_below_minimum() -> PipelineDefinition:
    return pipeline(processing(volume_size_in_gb=0))


@case(
    "Prep",
    "Arguments.StoppingCondition.MaxRuntimeInSeconds",
    "1000000 is above the maximum 777600",
)
def max_runtime_above_maximum() -> PipelineDefinition:
    return pipeline(processing(max_runtime_in_seconds=1_000_000))


@case(
    "Train",
    "Arguments.StoppingCondition.MaxRuntimeInSeconds",
    "2147483648 does not fit the field's 32-bit integer (-2147483648..2147483647)",
)
def integer_beyond_32_bits_where_the_service_model_sets_no_maximum() -> PipelineDefinition:
    return pipeline(training(max_runtime_in_seconds=2**31))


@case(
    "Train",
    "Arguments.InputDataConfig[0].ShuffleConfig.Seed",
    "does not fit the field's 64-bit integer",
)
def long_beyond_64_bits() -> PipelineDefinition:
    return pipeline(
        training(inputs={"train": TrainingInput(s3_data="s3://b/t", shuffle_seed=2**64)})
    )


@case(
    "Prep",
    "Arguments.RoleArn",
    "'SageMakerRole' does not match the pattern arn:aws",
)
def role_arn_that_is_a_role_name() -> PipelineDefinition:
    return pipeline(processing(role="SageMakerRole"))


@case(
    "Train",
    "Arguments.OutputDataConfig.S3OutputPath",
    "'http://my-bucket/models' does not match the pattern",
)
def output_path_that_is_not_s3() -> PipelineDefinition:
    return pipeline(training(output_path="http://my-bucket/models"))


@case(
    "Prep",
    "Arguments.AppSpecification.ContainerEntrypoint",
    "has 0 items, fewer than the minimum 1",
)
def empty_container_entrypoint() -> PipelineDefinition:
    return pipeline(processing(entrypoint=[]))


@case("Prep", "Arguments.AppSpecification.ImageUri", "has 0 characters, fewer than the minimum 1")
def empty_processing_image() -> PipelineDefinition:
    # botocore allows it (min 0); the job fails when it starts.
    return pipeline(processing(image=""))


@case(
    "Train",
    "Arguments.AlgorithmSpecification.TrainingImage",
    "has 0 characters, fewer than the minimum 1",
)
def empty_training_image() -> PipelineDefinition:
    return pipeline(training(image=""))


_SHORT_DIGEST_IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/prep@sha256:abc"
_NOT_A_DIGEST = (
    f"image URI {_SHORT_DIGEST_IMAGE!r} pins 'sha256:abc', which is not an image digest: "
    "expected '<repository>@sha256:' and 64 lowercase hex digits"
)


@case("Prep", "Arguments.AppSpecification.ImageUri", _NOT_A_DIGEST)
def processing_image_with_a_short_digest() -> PipelineDefinition:
    # Its pattern takes any text: the job failed to pull the image when it started.
    return pipeline(processing(image=_SHORT_DIGEST_IMAGE))


@case("Train", "Arguments.AlgorithmSpecification.TrainingImage", _NOT_A_DIGEST)
def training_image_with_a_short_digest() -> PipelineDefinition:
    return pipeline(training(image=_SHORT_DIGEST_IMAGE))


@case("Register", "Arguments.InferenceSpecification.Containers[0].Image", _NOT_A_DIGEST)
def registered_image_with_a_short_digest() -> PipelineDefinition:
    return pipeline(
        RegisterModel(
            name="Register",
            model_package_group_name="churn",
            image=_SHORT_DIGEST_IMAGE,
            model_data="s3://b/model.tar.gz",
        )
    )


@case(
    "Prep",
    "Arguments.AppSpecification.ImageUri",
    f"'Parameters.PrepImage' may be {_SHORT_DIGEST_IMAGE!r}: {_NOT_A_DIGEST}",
)
def image_parameter_default_with_a_short_digest() -> PipelineDefinition:
    image = ParameterString("PrepImage", default_value=_SHORT_DIGEST_IMAGE)
    return pipeline(processing(image=image), parameters=[image])


@case(
    "Prep",
    "Arguments.AppSpecification.ImageUri",
    "'python:3.11' is not an Amazon ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/"
    "<repository>:<tag>): SageMaker pulls the images of processing jobs from Amazon ECR only, "
    "so the job would fail when created",
)
def processing_image_of_docker_hub() -> PipelineDefinition:
    # botocore's pattern takes any text, and the local runner runs it with --image-map: the
    # job failed when SageMaker created it.
    return pipeline(processing(image="python:3.11"))


@case(
    "Train",
    "Arguments.AlgorithmSpecification.TrainingImage",
    "'ghcr.io/acme/trainer:2' is not an Amazon ECR image URI (<account>.dkr.ecr.<region>."
    "amazonaws.com/<repository>:<tag>): SageMaker pulls the images of training jobs from "
    "Amazon ECR, or from a private Docker registry in the job's VPC "
    "(TrainingImageConfig.TrainingRepositoryAccessMode 'Vpc')",
)
def training_image_of_another_registry() -> PipelineDefinition:
    return pipeline(training(image="ghcr.io/acme/trainer:2"))


@case("Prep", "Arguments.Environment['1_MODE'] (key)", "'1_MODE' does not match the pattern")
def environment_key_starting_with_a_digit() -> PipelineDefinition:
    return pipeline(processing(environment={"1_MODE": "fast"}))


@case(
    "Prep",
    "Arguments.ProcessingOutputConfig.Outputs[1].OutputName",
    "OutputName 'out' is already used by Arguments.ProcessingOutputConfig.Outputs[0]",
)
def processing_output_name_used_twice() -> PipelineDefinition:
    return pipeline(processing(outputs=["out", "out"]))


@case(
    "Prep",
    "Arguments.ProcessingInputs[1].S3Input.LocalPath",
    "'/opt/ml/processing/input/' is already used by Arguments.ProcessingInputs[0]",
)
def processing_inputs_sharing_a_folder() -> PipelineDefinition:
    inputs = [
        ProcessingInput(input_name="a", source="s3://b/a", destination="/opt/ml/processing/input"),
        ProcessingInput(input_name="b", source="s3://b/b", destination="/opt/ml/processing/input/"),
    ]
    return pipeline(processing(inputs=inputs))


@case(
    "Prep",
    "Arguments.ProcessingInputs[0].S3Input.LocalPath",
    "'/data/input' is not under /opt/ml/processing/",
)
def processing_input_outside_the_processing_folder() -> PipelineDefinition:
    inputs = [ProcessingInput(input_name="a", source="s3://b/a", destination="/data/input")]
    return pipeline(processing(inputs=inputs))


@case(
    "Prep",
    "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.LocalPath",
    "'output' is not an absolute path (name the container folder the job uploads, "
    "e.g. '/opt/ml/processing/output')",
)
def processing_output_from_a_relative_folder() -> PipelineDefinition:
    return pipeline(processing(outputs=[ProcessingOutput(output_name="out", source="output")]))


@case("Prep", "Arguments.Environment['MODE']", "expected a string, got null (remove the entry")
def environment_value_none() -> PipelineDefinition:
    return pipeline(processing(environment={"MODE": None}))


@case(
    "Prep",
    "Arguments.AppSpecification.ContainerArguments[1]",
    "expected a string, got null (remove the item",
)
def container_argument_none() -> PipelineDefinition:
    return pipeline(processing(arguments=["--mode", None]))


@case(
    "Train",
    "Arguments.HyperParameters['data']",
    "cannot render a set into a pipeline definition: {'a'} (use strings, numbers",
)
def hyperparameter_without_a_json_form() -> PipelineDefinition:
    return pipeline(training(hyperparameters={"data": {"a"}}))


@case(
    "Train",
    "Arguments.TrainingJobName",
    "'my_job' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
)
def job_name_prefix_malformed() -> PipelineDefinition:
    # A job name in a definition is the prefix of the names Pipelines gives the jobs.
    return pipeline(training(extra_arguments={"TrainingJobName": "my_job"}))


@case(
    "Train",
    "Arguments.ResourceConfig.InstanceTyp",
    "unknown member 'InstanceTyp' (did you mean 'InstanceType'",
)
def unknown_member_with_a_hint() -> PipelineDefinition:
    return pipeline(training(extra_arguments={"ResourceConfig": {"InstanceTyp": "ml.m5.large"}}))


@case("Train", "Arguments.EnableNetworkIsolation", "expected a boolean, got 'yes' (str)")
def wrong_type() -> PipelineDefinition:
    return pipeline(training(extra_arguments={"EnableNetworkIsolation": "yes"}))


@case("Train", "Arguments.RoleArn", "required member 'RoleArn' is null")
def required_member_set_to_null() -> PipelineDefinition:
    return pipeline(training(extra_arguments={"RoleArn": None}))


@case("Train", "Arguments.Tags[0].Value", "missing required member 'Value'")
def nested_required_member_missing() -> PipelineDefinition:
    return pipeline(training(extra_arguments={"Tags": [{"Key": "team"}]}))


@case(
    "Register",
    "Arguments.ModelApprovalStatus",
    "got 'Approve' (did you mean 'Approved'?)",
)
def approval_status_not_in_enum() -> PipelineDefinition:
    register = registration("models", approval_status="Approve")
    return pipeline(register)


@case(
    "Register",
    "Arguments.ModelPackageGroupName",
    "(expected a name of 1-63 letters, digits and hyphens, not starting or ending with a "
    "hyphen (such as 'churn-models'), or its ARN)",
)
def model_package_group_name_with_an_underscore() -> PipelineDefinition:
    register = registration("churn_models")
    return pipeline(register)


@case(
    "Deploy",
    "Arguments.EndpointName",
    "(expected a name of 1-63 letters, digits and hyphens, not starting or ending with a "
    "hyphen (such as 'churn-endpoint'))",
)
def endpoint_name_with_an_underscore() -> PipelineDefinition:
    return pipeline(
        EndpointStep(name="Deploy", endpoint_name="churn_endpoint", endpoint_config_name="c")
    )


@case(
    "Register",
    "Arguments.ModelPackageGroupName",
    "'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn' is the ARN of a "
    "model-package, not of a model package group (give the group's name ('churn'?) or its "
    "ARN, arn:aws:sagemaker:us-east-1:111122223333:model-package-group/<name>)",
)
def model_package_group_given_a_model_package_arn() -> PipelineDefinition:
    # The API's ArnOrName pattern takes the ARN of any SageMaker resource type.
    register = registration("arn:aws:sagemaker:us-east-1:111122223333:model-package/churn")
    return pipeline(register)


@case(
    "DataQuality",
    "ModelPackageGroupName",
    "'arn:aws:sagemaker:us-east-1:111122223333:model/churn' is the ARN of a model, not of a "
    "model package group",
)
def check_step_baseline_group_given_a_model_arn() -> PipelineDefinition:
    check = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/train", dataset_format=DatasetFormat.csv()
        ),
        model_package_group_name="arn:aws:sagemaker:us-east-1:111122223333:model/churn",
        instance_type="ml.m5.xlarge",
    )
    return pipeline(check)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
    "0 is below the minimum 1",
)
def tuning_without_training_jobs() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        metric_definitions={"validation:rmse": "rmse=([0-9.]+)"},
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        max_jobs=0,
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName",
    "the objective metric 'val:acc' has no MetricDefinitions regex, so the tuning job can't "
    "read it from the training log (did you mean 'val:accuracy'?)",
)
def tuning_objective_without_metric_definition() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="val:acc",
        metric_definitions={"val:accuracy": "accuracy=([0-9.]+)"},
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName",
    "the objective metric 'accuracy' has no MetricDefinitions regex, so the tuning job can't "
    "read it from the training log (give it a regex that reads its value from the log "
    "(metric_definitions={'accuracy': r'...'} in Python); defined: none)",
)
def tuning_script_without_metric_definitions() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/train.py"),
        objective_metric_name="accuracy",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].MinValue",
    "MinValue 8 is greater than MaxValue 2 (swap them)",
)
def tuning_range_upside_down() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"depth": IntegerParameter(min_value=8, max_value=2)},
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]"
    ".ScalingType",
    "Logarithmic scaling needs a range above 0, got MinValue 0 (raise MinValue above 0 or use "
    "Linear scaling)",
)
def tuning_logarithmic_range_from_zero() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0, max_value=0.3, scaling_type="Logarithmic")
        },
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]"
    ".ScalingType",
    "ReverseLogarithmic scaling needs a range within 0 <= x < 1, got 0.5 to 2 (use Linear or "
    "Logarithmic scaling)",
)
def tuning_reverse_logarithmic_range_beyond_one() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(
                min_value=0.5, max_value=2, scaling_type="ReverseLogarithmic"
            )
        },
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges",
    "tunes 31 hyperparameters (16 continuous, 15 integer), more than the limit of 30 for a "
    "tuning job (the limit is on all ranges together",
)
def tuning_more_than_30_hyperparameters_in_all_ranges() -> PipelineDefinition:
    # Each list is within botocore's 30; their sum is not (API reference, ParameterRanges).
    ranges: dict[str, Any] = {
        f"c{i}": ContinuousParameter(min_value=0.1, max_value=1.0) for i in range(16)
    }
    ranges.update({f"i{i}": IntegerParameter(min_value=1, max_value=5) for i in range(15)})
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges=ranges,
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.TrainingJobDefinition.StaticHyperParameters",
    "101 hyperparameters in all (100 static and 1 tuned), more than the limit of 100",
)
def tuning_more_than_100_hyperparameters_with_the_static_ones() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        static_hyperparameters={f"h{i:03d}": i for i in range(100)},
    )
    return pipeline(tune)


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource",
    "the Hyperband strategy needs a MaxResource, and none can be inferred",
)
def tuning_hyperband_without_max_resource() -> PipelineDefinition:
    # HyperbandStrategyConfig.MaxResource: without it and an epochs-like static
    # hyperparameter, "it generates a validation error" when the tuning job starts.
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        strategy="Hyperband",
        static_hyperparameters={"rounds": 20},
    )
    return PipelineDefinition(steps=[tune])


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
    "the Hyperband strategy needs early stopping Off, got 'Auto'",
)
def tuning_hyperband_with_early_stopping() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        strategy="Hyperband",
        early_stopping_type="Auto",
        static_hyperparameters={"epochs": 20},  # Hyperband's MaxResource
    )
    return pipeline(tune)


@case(
    "Train",
    "Arguments.StoppingCondition.MaxWaitTimeInSeconds",
    "MaxWaitTimeInSeconds 3600 is less than MaxRuntimeInSeconds 86400",
)
def spot_wait_shorter_than_the_run() -> PipelineDefinition:
    return pipeline(training(use_spot_instances=True, max_wait_in_seconds=3600))


@case(
    "Train",
    "Arguments.StoppingCondition.MaxWaitTimeInSeconds",
    "MaxWaitTimeInSeconds 3600 ('Parameters.SpotWait' by default) is less than "
    "MaxRuntimeInSeconds 86400",
)
def spot_wait_parameter_shorter_than_the_run() -> PipelineDefinition:
    # Judged by its default, the value an execution that sets nothing runs with.
    wait = ParameterInteger(name="SpotWait", default_value=3600)
    step = training(use_spot_instances=True, max_wait_in_seconds=wait)
    return PipelineDefinition(parameters=[wait], steps=[step])


@case(
    "Train",
    "Arguments.StoppingCondition.MaxWaitTimeInSeconds",
    "MaxWaitTimeInSeconds is only supported with managed spot training",
)
def wait_time_without_spot_training() -> PipelineDefinition:
    # CreateTrainingJob: "Invalid MaxWaitTimeInSeconds. It is only supported when
    # EnableManagedSpotTraining is set to true" (aws/sagemaker-python-sdk#4140). Shorter than
    # the run too, but only the one problem is reported: without spot, no wait is compared.
    return pipeline(training(max_wait_in_seconds=600, max_runtime_in_seconds=3600))


def _tune(max_jobs: Any = 4) -> TuningStep:
    return TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        max_jobs=max_jobs,
        max_parallel_jobs=1,
    )


@case(
    "Best",
    "Arguments.PrimaryContainer.ModelDataUrl.Std:Join.Values[1]",
    "'Steps.Tune.TrainingJobSummaries[4].TrainingJobName': tuning step 'Tune' runs at most 4 "
    "training jobs, so TrainingJobSummaries has no position 4 (positions go from 0 (the best "
    "job) to 3 (top_model_s3_uri(k) in Python takes k < max_jobs))",
)
def top_model_beyond_the_tuning_jobs() -> PipelineDefinition:
    # The tuning job ran fine: only the model step fails, when the execution reaches it.
    best = ModelStep(name="Best", image=IMAGE, model_data=_tune().top_model_s3_uri(4))
    return pipeline(best)


RANGES = "Arguments.HyperParameterTuningJobConfig.ParameterRanges"


@case(
    "Tune",
    f"{RANGES}.IntegerParameterRanges[0].MaxValue",
    "an integer range needs whole numbers, got 'Parameters.MaxDepth' (a Float) (declare the "
    "parameter as ParameterInteger, or use a continuous range)",
)
def integer_range_bounded_by_a_float_parameter() -> PipelineDefinition:
    deepest = ParameterFloat(name="MaxDepth", default_value=8.0)
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"max_depth": IntegerParameter(min_value=2, max_value=deepest)},
    )
    return pipeline(tune, parameters=[deepest])


@case(
    "Tune",
    f"{RANGES}.ContinuousParameterRanges[0].MinValue",
    "MinValue 0.01 is greater than MaxValue 0.001 ('Parameters.MaxEta' by default) (change the "
    "parameter's default, or the other bound)",
)
def continuous_range_bounded_by_a_parameter_default_below_it() -> PipelineDefinition:
    # Judged by its default, the value an execution that sets nothing runs with: before, only
    # the service refused it, when such an execution ran.
    highest = ParameterFloat(name="MaxEta", default_value=0.001)
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=highest)},
    )
    return pipeline(tune, parameters=[highest])


@case(
    "Tune",
    f"{RANGES}.IntegerParameterRanges[0].ScalingType",
    "Logarithmic scaling needs a range above 0, got MinValue 0 ('Parameters.MinDepth' by "
    "default) (change the parameter's default, or the other bound)",
)
def logarithmic_range_from_a_parameter_default_of_zero() -> PipelineDefinition:
    shallowest = ParameterInteger(name="MinDepth", default_value=0)
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "depth": IntegerParameter(min_value=shallowest, max_value=8, scaling_type="Logarithmic")
        },
    )
    return pipeline(tune, parameters=[shallowest])


@case(
    "Tune",
    f"{RANGES}.IntegerParameterRanges[0].MaxValue",
    "an integer range needs whole numbers, got 'Steps.Train.FinalMetricDataList['depth'].Value' "
    "(a Float) (bound it with an Integer value (a ParameterInteger, an integer property or "
    "output), or use a continuous range)",
)
def integer_range_bounded_by_a_float_metric() -> PipelineDefinition:
    # Before, the hint said to redeclare a parameter that isn't there.
    train = training(metric_definitions={"depth": "depth=([0-9.]+)"})
    deepest = train.properties.FinalMetricDataList["depth"].Value
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"max_depth": IntegerParameter(min_value=2, max_value=deepest)},
    )
    return pipeline(tune)


@case(
    "Tune",
    f"{RANGES}.ContinuousParameterRanges[0].MinValue",
    "expected a number, got 'Parameters.Strict' (a Boolean)",
)
def continuous_range_bounded_by_a_boolean_parameter() -> PipelineDefinition:
    strict = ParameterBoolean(name="Strict", default_value=True)
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=strict, max_value=0.3)},
    )
    return pipeline(tune, parameters=[strict])


@case(
    "Train",
    "Arguments.AlgorithmSpecification.MetricDefinitions[0].Regex",
    "the regex of metric 'acc' is not a regular expression: missing ), unterminated subpattern "
    "at position 4 (close every group and class, e.g. r'accuracy: ([0-9.]+)'",
)
def training_metric_regex_with_an_open_group() -> PipelineDefinition:
    return pipeline(training(metric_definitions={"acc": "acc=([0-9.]+"}))


@case(
    "Tune",
    "Arguments.TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions[0].Regex",
    "the regex of metric 'validation:accuracy' is not a regular expression: unterminated "
    "character set at position 22",
)
def tuning_objective_regex_with_an_open_class() -> PipelineDefinition:
    # The trials would run and never report the objective (locally: a bad-regex failure).
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/train.tar.gz", entry_point="train.py"),
        metric_definitions={"validation:accuracy": r"validation-accuracy: ([0-9.+)"},
        objective_metric_name="validation:accuracy",
        hyperparameter_ranges={"C": ContinuousParameter(min_value=0.1, max_value=1.0)},
    )
    return pipeline(tune)


@case(
    "BatchScore",
    "Arguments.ModelName",
    "'Steps.Train.TrainingJobName' is not a model name: a transform job runs a model that a "
    "Model step created",
)
def transform_of_a_training_job_name() -> PipelineDefinition:
    train = training()
    score = TransformStep(
        name="BatchScore", model_name=train.properties.TrainingJobName, input_data="s3://b/in"
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.ModelName",
    "'Steps.Register.ModelPackageArn' is not a model name",
)
def transform_of_a_registered_model_package() -> PipelineDefinition:
    register = RegisterModel(
        name="Register",
        model_package_group_name="models",
        image=IMAGE,
        model_data=training().model_data,
    )
    score = TransformStep(
        name="BatchScore", model_name=register.properties.ModelPackageArn, input_data="s3://b/in"
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.ModelName",
    "this Std:Join can't be a model name: it puts '.', '/' into it, and a model name holds only "
    "letters, digits and hyphens (it builds an S3 URI (a model artifact, such as "
    "top_model_s3_uri(k)): create the model with a Model step",
)
def transform_of_a_tuning_jobs_best_model_artifact() -> PipelineDefinition:
    # The model artifact passed where the model belongs: CreateTransformJob would fail at run time.
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.1, max_value=0.3)},
        max_jobs=2,
    )
    score = TransformStep(
        name="BatchScore", model_name=tune.top_model_s3_uri(0), input_data="s3://b/in"
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.ModelName",
    "this Std:Join can't be a model name: it puts '_' into it, and a model name holds only "
    "letters, digits and hyphens (pass the ModelName of a Model step",
)
def transform_of_a_joined_name_with_an_underscore() -> PipelineDefinition:
    environment = ParameterString(name="Environment", default_value="dev")
    score = TransformStep(
        name="BatchScore",
        model_name=Join(on="_", values=["churn", environment]),
        input_data="s3://b/in",
    )
    return pipeline(score, parameters=[environment])


@case("BatchScore", "Arguments.MaxPayloadInMB", "200 MB is more than the limit of 100 MB")
def transform_payload_above_the_limit() -> PipelineDefinition:
    # The payload alone is over: its product with the concurrency is not reported again.
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        max_payload_in_mb=200,
        max_concurrent_transforms=2,
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.MaxConcurrentTransforms",
    "101 concurrent transforms of up to 1 MB make 101 MB, more than the limit of 100 MB",
)
def transform_of_one_megabyte_payloads_too_many_at_once() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        max_payload_in_mb=1,
        max_concurrent_transforms=101,
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.MaxConcurrentTransforms",
    "6 concurrent transforms of up to 20 MB make 120 MB, more than the limit of 100 MB",
)
def transform_payload_times_concurrency_above_the_limit() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        max_payload_in_mb=20,
        max_concurrent_transforms=6,
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.TransformOutput.S3OutputPath",
    "the output location is the input prefix (TransformInput's S3Uri, an S3Prefix: every "
    "object whose key begins with it): the next run, a schedule's or a re-run's, reads this "
    "run's predictions (<file>.out) as input and scores them again (write the predictions",
)
def transform_writing_its_predictions_where_it_reads() -> PipelineDefinition:
    # The same Join of the same parameter, as a nightly scoring pipeline writes it.
    key = ParameterString(name="ScoringDataKey", default_value="scoring/incoming/")
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data=Join(on="", values=["s3://b/", key]),
        output_path=Join(on="", values=["s3://b/", key, "/"]),
    )
    return pipeline(score, parameters=[key])


@case(
    "BatchScore",
    "Arguments.DataProcessing.InputFilter",
    "'$..features' is outside the JSONPath subset batch transform supports",
)
def transform_input_filter_outside_the_data_processing_subset() -> PipelineDefinition:
    # Deep scan (..) is JsonPath, but not among the operators batch transform supports.
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        content_type="application/jsonlines",
        input_filter="$..features",
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.DataProcessing.OutputFilter",
    "'$.id' selects by name, but a CSV record is an array of columns: use indexes only",
)
def transform_output_filter_naming_a_csv_column() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        content_type="text/csv",
        split_type="Line",
        assemble_with="Line",
        join_source="Input",
        output_filter="$.id",
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.DataProcessing.InputFilter",
    "'$.id' selects by name, but a CSV record is an array of columns: use indexes only",
)
def transform_input_filter_naming_a_column_of_csv_with_a_charset() -> PipelineDefinition:
    # Was: passed, "text/csv; charset=utf-8" not being "text/csv", and failed the job.
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        content_type="text/csv; charset=utf-8",
        split_type="Line",
        input_filter="$.id",
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.DataProcessing.OutputFilter",
    "names in brackets can't nest children",
)
def transform_output_filter_nesting_children_in_brackets() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        content_type="application/json",
        output_filter="$.field1.['child1','child2.grandchild']",
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.TransformInput.SplitType",
    "JoinSource Input joins each CSV row with its prediction, but SplitType is None: with "
    "text/csv input, SageMaker requires SplitType and AssembleWith Line",
)
def transform_joining_csv_records_without_line_split() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        content_type="text/csv",
        assemble_with="Line",
        join_source="Input",
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.TransformOutput.S3OutputPath",
    "the output location is under the input prefix (TransformInput's S3Uri, an S3Prefix",
)
def transform_writing_under_a_slash_joined_prefix_it_reads() -> PipelineDefinition:
    # Joined on "/", as Join(on="/", values=[bucket, key]) locations are often written.
    key = ParameterString(name="ScoringDataKey", default_value="scoring/incoming")
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data=Join(on="/", values=["s3://b", key]),
        output_path=Join(on="/", values=["s3://b", key, "predictions"]),
    )
    return pipeline(score, parameters=[key])


@case(
    "BatchScore",
    "Arguments.TransformOutput.S3OutputPath",
    "the output location is under the input prefix",
)
def transform_writing_its_predictions_under_a_prefix_it_reads() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore", model_name="m", input_data="s3://b/in", output_path="s3://b/in/scores"
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.TransformOutput.S3OutputPath",
    "a Std:Join beginning 'my-bucket/batch/' is not an S3 URI (begin its first value with "
    "'s3://', such as 's3://my-bucket')",
)
def output_path_joined_without_a_scheme() -> PipelineDefinition:
    path = Join(on="/", values=["my-bucket", "batch", ExecutionVariables.PIPELINE_EXECUTION_ID])
    score = TransformStep(
        name="BatchScore", model_name="m", input_data="s3://b/in", output_path=path
    )
    return pipeline(score)


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "'s3://s3://acme-data/' builds an S3 URI whose bucket 's3:' is not a bucket name: a URI "
    "was given where the bucket's name belongs (give the bucket name alone ('acme-data', e.g. "
    "bucket.bucket_name), not a URI)",
)
def input_joining_a_bucket_uri_where_its_name_belongs() -> PipelineDefinition:
    # docs/constructs.md's Join(["s3://", bucket, "/", key]) with the bucket given as a URI: the
    # job would fail to read s3://s3://… at run time.
    key = ParameterString(name="InputDataKey", default_value="curated/")
    uri = Join(on="", values=["s3://", "s3://acme-data", "/", key])
    source = ProcessingInput(source=uri, destination="/opt/ml/processing/input")
    return pipeline(evaluation(inputs=[source]), parameters=[key])


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "'s3://arn:aws:s3:::acme-data/' builds an S3 URI whose bucket 'arn:aws:s3:::acme-data' is "
    "not a bucket name: an ARN was given where the bucket's name belongs (give the bucket "
    "name alone ('acme-data', e.g. bucket.bucket_name), not an ARN)",
)
def input_joining_a_bucket_arn_where_its_name_belongs() -> PipelineDefinition:
    key = ParameterString(name="InputDataKey", default_value="curated/")
    uri = Join(on="/", values=["s3://arn:aws:s3:::acme-data", key])
    source = ProcessingInput(source=uri, destination="/opt/ml/processing/input")
    return pipeline(evaluation(inputs=[source]), parameters=[key])


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "'s3://s3://acme-data/raw/' is an S3 URI whose bucket 's3:' is not a bucket name: a URI "
    "was given where the bucket's name belongs",
)
def input_uri_of_a_uri() -> PipelineDefinition:
    source = ProcessingInput(source="s3://s3://acme-data/raw/", destination="/opt/ml/processing/x")
    return pipeline(evaluation(inputs=[source]))


@case(
    "BatchScore",
    "Arguments.TransformOutput.S3OutputPath",
    "'Execution.PipelineExecutionId' is not an S3 URI (join it into one:",
)
def output_path_an_execution_variable() -> PipelineDefinition:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        output_path=ExecutionVariables.PIPELINE_EXECUTION_ID,
    )
    return pipeline(score)


@case(
    "BatchScore",
    "Arguments.TransformInput.DataSource.S3DataSource.S3Uri",
    "'Steps.Train.TrainingJobName' is a training job name, never an S3 URI (use a property "
    "that holds one, such as ModelArtifacts.S3ModelArtifacts",
)
def transform_input_a_training_job_name() -> PipelineDefinition:
    # TrainingJobName's pattern admits no URI: the transform job would fail at run time.
    score = TransformStep(
        name="BatchScore", model_name="m", input_data=training().properties.TrainingJobName
    )
    return pipeline(score)


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "'Steps.Train.TrainingJobStatus' is a training job status, never an S3 URI",
)
def processing_input_a_training_job_status() -> PipelineDefinition:
    status = training().properties.TrainingJobStatus  # an enum: InProgress, Completed, …
    source = ProcessingInput(source=status, destination="/opt/ml/processing/model")
    return pipeline(evaluation(inputs=[source]))


@case(
    "Evaluate",
    "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    "a Std:Join beginning with 'Steps.Train.TrainingJobName', a training job name, is never "
    "an S3 URI (begin it with 's3://…', or with a property that holds an S3 URI, such as "
    "ModelArtifacts.S3ModelArtifacts",
)
def processing_input_joined_from_a_training_job_name() -> PipelineDefinition:
    # Was accepted: only a property given alone was judged, and the job failed at run time.
    name = training().properties.TrainingJobName
    source = ProcessingInput(
        source=Join(on="/", values=[name, "x"]), destination="/opt/ml/processing/model"
    )
    return pipeline(evaluation(inputs=[source]))


@case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].ScalingType",
    "integer ranges can't use ReverseLogarithmic scaling (use Auto, Linear or Logarithmic "
    "scaling, or a continuous range)",
)
def tuning_integer_range_reverse_logarithmic() -> PipelineDefinition:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "depth": IntegerParameter(min_value=0, max_value=1, scaling_type="ReverseLogarithmic")
        },
    )
    return pipeline(tune)


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceCount",
    "expected an integer, got 'Parameters.Count', a String (declare parameter 'Count' with "
    "Type Integer)",
)
def string_parameter_in_an_integer_field() -> PipelineDefinition:
    count = ParameterString(name="Count", default_value="1")
    return pipeline(processing(instance_count=count), parameters=[count])


@case(
    "Train",
    "Arguments.HyperParameters['epochs']",
    "expected a string, got 'Parameters.Epochs', an Integer",
)
def integer_parameter_in_hyperparameters_without_join() -> PipelineDefinition:
    epochs = ParameterInteger(name="Epochs", default_value=10)
    return pipeline(
        training(extra_arguments={"HyperParameters": {"epochs": epochs}}), parameters=[epochs]
    )


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    "'Parameters.InstanceType' may be 'm5.large': expected one of the 207 'ml.*' values",
)
def parameter_default_that_is_not_an_instance_type() -> PipelineDefinition:
    instance_type = ParameterString(name="InstanceType", default_value="m5.large")
    return pipeline(processing(instance_type=instance_type), parameters=[instance_type])


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    "'Parameters.InstanceType' may be 'm5.large': expected one of the 207 'ml.*' values, got "
    "'m5.large' (did you mean 'ml.m5.large'?)",
)
def parameter_default_that_is_not_an_instance_type_also_in_free_text() -> PipelineDefinition:
    # Its default is judged per field: fine as an environment value, not as an instance type.
    instance_type = ParameterString(name="InstanceType", default_value="m5.large")
    step = processing(instance_type=instance_type, environment={"TYPE": instance_type})
    return pipeline(step, parameters=[instance_type])


@case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.InstanceType",
    "'Parameters.InstanceType' may be 'ml.m5.huge'",
)
def parameter_enum_value_that_is_not_an_instance_type() -> PipelineDefinition:
    instance_type = ParameterString(
        name="InstanceType", default_value="ml.m5.large", enum_values=["ml.m5.large", "ml.m5.huge"]
    )
    return pipeline(processing(instance_type=instance_type), parameters=[instance_type])


# -- other step types -----------------------------------------------------------------------------


@case(
    "Prep",
    "FunctionArn",
    "'arn:aws:lambda:us-east-1:1234:function:prep' is not a Lambda function ARN",
)
def lambda_function_arn_with_a_short_account() -> PipelineDefinition:
    return pipeline(
        LambdaStep(name="Prep", function_arn="arn:aws:lambda:us-east-1:1234:function:prep")
    )


@case(
    "Spark",
    "Arguments.ClusterId",
    "'my-cluster' is not an EMR cluster id (expected the id of a running cluster, such as "
    "'j-1ABCDEFG2HIJK'",
)
def emr_cluster_named_by_its_name() -> PipelineDefinition:
    return pipeline(EMRStep(name="Spark", cluster_id="my-cluster", jar="command-runner.jar"))


@case("Spark", "Arguments.StepConfig.HadoopJarStep.Jar", "the step names no JAR")
def emr_step_without_a_jar() -> PipelineDefinition:
    return pipeline(EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar=""))


@case(
    "Prep",
    "Arguments.ProcessingInputs[0].InputName",
    "InputName is empty (give each one a name, e.g. 'train')",
)
def processing_input_with_an_empty_name() -> PipelineDefinition:
    raw = ProcessingInput(input_name="", source="s3://b/raw", destination="/opt/ml/processing/raw")
    return pipeline(processing(inputs=[raw]))


@case("Prep", "Arguments.ProcessingOutputConfig.Outputs[0].OutputName", "OutputName is empty")
def processing_output_with_an_empty_name() -> PipelineDefinition:
    # Later steps refer to an output by name: Outputs[''] names nothing.
    return pipeline(
        processing(outputs=[ProcessingOutput(output_name="", source="/opt/ml/processing/out")])
    )


@case(
    "Prep",
    "OutputParameters[0].OutputName",
    "OutputName is empty (name each output: later steps read it as OutputParameters['<name>'])",
)
def lambda_output_with_an_empty_name() -> PipelineDefinition:
    outputs = [StepOutput(output_name="")]
    return pipeline(LambdaStep(name="Prep", function_arn=LAMBDA_ARN, outputs=outputs))


@case("Approve", "OutputParameters[0].OutputName", "OutputName is empty")
def callback_output_with_an_empty_name() -> PipelineDefinition:
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/approvals"
    outputs = [StepOutput(output_name="")]
    return pipeline(CallbackStep(name="Approve", sqs_queue_url=queue, outputs=outputs))


@case("Prep", "OutputParameters[1].OutputName", "output 'rows' is declared twice")
def lambda_output_declared_twice() -> PipelineDefinition:
    outputs = [StepOutput(output_name="rows"), StepOutput(output_name="rows")]
    return pipeline(LambdaStep(name="Prep", function_arn=LAMBDA_ARN, outputs=outputs))


@case("Approve", "SqsQueueUrl", "'https://example.com/callbacks' is not an SQS queue URL")
def callback_queue_url_not_sqs() -> PipelineDefinition:
    return pipeline(CallbackStep(name="Approve", sqs_queue_url="https://example.com/callbacks"))


@case(
    "Approve",
    "SqsQueueUrl",
    "'https://sqs.cn-north-1.amazonaws.com/111122223333/q' is not an SQS queue URL "
    "(cn-north-1's domain is amazonaws.com.cn: "
    "https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q)",
)
def callback_queue_url_of_another_partitions_domain() -> PipelineDefinition:
    url = "https://sqs.cn-north-1.amazonaws.com/111122223333/q"
    return pipeline(CallbackStep(name="Approve", sqs_queue_url=url))


@case(
    "Register",
    "Arguments.Tags",
    "a model version in a group takes no Tags: it has the group's, and CreateModelPackage "
    'refuses them ("Tags are not supported in Model Package versions")',
)
def registered_version_with_tags() -> PipelineDefinition:
    tags = [{"Key": "team", "Value": "fraud"}]
    return pipeline(registration("churn", extra_arguments={"Tags": tags}))


@case("Stop", "Arguments.ErrorMessage", "has 3073 characters, more than the limit of 3072")
def fail_message_too_long() -> PipelineDefinition:
    return pipeline(fail(error_message="x" * 3073))


@case("Prep", "DisplayName", "has 257 characters, more than the limit of 256")
def display_name_too_long() -> PipelineDefinition:
    return pipeline(processing(display_name="d" * 257))


@case("Prep", "Description", "has 3073 characters, more than the limit of 3072")
def description_too_long() -> PipelineDefinition:
    return pipeline(processing(description="d" * 3073))


@case(
    "Prep",
    "Arguments.AppSpecification.ImageUri",
    "an image from an ECR repository can only be bound by the CDK Pipeline construct",
)
def image_the_static_binder_cannot_bind() -> PipelineDefinition:
    # Any repository: the static binder binds none (the CDK construct binds an ecr.IRepository).
    image = Image.from_ecr_repository(object())  # type: ignore[arg-type]
    return pipeline(processing(image=image))


@case(None, None, "more than the limit of 1,048,576")
def definition_too_large() -> PipelineDefinition:
    # Five training jobs with 100 hyperparameters of 2,200 characters: about 1.1 million.
    hyperparameters = {f"h{index:03d}": "v" * 2200 for index in range(100)}
    return pipeline(*(training(f"Train{i}", hyperparameters=hyperparameters) for i in range(5)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fails_python_case(case: Case) -> None:
    definition = case.build()
    with pytest.raises(PipelineValidationError, match=case.expected.pattern()) as caught:
        definition.compile(BINDER)
    assert_exactly(caught.value.problems, [case.expected])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_python_case_problem_names_the_argument_of_its_field(case: Case) -> None:
    [problem] = case.build().validate(BINDER)
    if problem.step is None or problem.field in (None, "Type"):
        assert problem.argument is None  # pipeline-level, or the step's class itself
    else:
        assert problem.argument is not None
        assert f"field '{problem.field}' ({problem.argument}=): " in str(problem)


def test_python_cases_are_distinct() -> None:
    assert len(CASES) >= 45
    assert len({(c.expected.field, c.expected.message) for c in CASES}) == len(CASES)


# -- JSON files -----------------------------------------------------------------------------------

EXPECTED: dict[str, list[dict[str, Any]]] = json.loads(
    (INVALID_DIR / "expected.json").read_text(encoding="utf-8")
)


def test_every_json_case_has_expectations() -> None:
    files = {path.name for path in INVALID_DIR.glob("*.json")} - {"expected.json"}
    assert files == set(EXPECTED)
    assert all(EXPECTED.values())


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_fails_json_case(file_name: str) -> None:
    definition = json.loads((INVALID_DIR / file_name).read_text(encoding="utf-8"))
    expected = [Expected(e["step"], e["field"], e["message"]) for e in EXPECTED[file_name]]
    with pytest.raises(PipelineValidationError, match=expected[0].pattern()):
        check_definition(definition)
    assert_exactly(validate_definition(definition), expected)


# -- definition JSON of the wrong shape ------------------------------------------------------------
# Definitions written by hand or by another tool can hold any JSON where an object, a list or a
# string belongs. Each case breaks one member of the JSON of a valid pipeline.


@dataclass(frozen=True)
class JsonCase:
    """Definition JSON with one member broken by hand that must fail with one problem."""

    name: str
    build: Callable[[], Any]
    expected: Expected


JSON_CASES: list[JsonCase] = []


def json_case(step: str | None, field: str | None, message: str) -> Callable[..., Any]:
    """Register the decorated builder of definition JSON as a case expecting this problem."""

    def register(build: Callable[[], Any]) -> Callable[[], Any]:
        JSON_CASES.append(JsonCase(build.__name__, build, Expected(step, field, message)))
        return build

    return register


def compiled(*steps: Any) -> dict[str, Any]:
    """The JSON of a valid pipeline of ``steps`` (the Fail step ``Stop`` without any)."""
    return pipeline(*(steps or [fail()])).to_definition(BINDER)


def step_named(definition: dict[str, Any], name: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in definition["Steps"] if s["Name"] == name)
    return step


def with_left_value(value: Any) -> dict[str, Any]:
    """Steps Prep and Evaluate (with property file Report), and Check comparing ``value``."""
    definition = compiled(processing(), evaluation(REPORT), condition())
    step_named(definition, "Check")["Arguments"]["Conditions"][0]["LeftValue"] = value
    return definition


def with_condition(value: Any) -> dict[str, Any]:
    """A pipeline whose Condition step Check tests ``value``."""
    definition = compiled(condition(if_steps=[fail()]))
    definition["Steps"][0]["Arguments"]["Conditions"][0] = value
    return definition


def with_error_message(value: Any) -> dict[str, Any]:
    """A pipeline of the Fail step Stop with ``value`` as its ErrorMessage."""
    definition = compiled()
    definition["Steps"][0]["Arguments"]["ErrorMessage"] = value
    return definition


def with_retry_policies(value: Any) -> dict[str, Any]:
    """A pipeline of the Training step Train with ``value`` as its RetryPolicies."""
    definition = compiled(training())
    definition["Steps"][0]["RetryPolicies"] = value
    return definition


def lambda_step_json() -> dict[str, Any]:
    return compiled(LambdaStep(name="Prep", function_arn=LAMBDA_ARN))


def emr_step_json() -> dict[str, Any]:
    return compiled(EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar"))


@json_case(None, None, "expected a JSON object, got list")
def definition_that_is_a_list() -> Any:
    return [compiled()]


@json_case(None, "PipelineExperimentConfig", "expected an object or null")
def experiment_config_that_is_a_string() -> Any:
    return {**compiled(), "PipelineExperimentConfig": "churn"}


@json_case(None, "PipelineExperimentConfig.Trial", "unknown member (did you mean 'TrialName'?)")
def experiment_config_with_an_unknown_member() -> Any:
    return {**compiled(), "PipelineExperimentConfig": {"ExperimentName": "e", "Trial": "t"}}


@json_case(None, "PipelineExperimentConfig.ExperimentName", "expected a string or an expression")
def experiment_name_that_is_a_number() -> Any:
    return {**compiled(), "PipelineExperimentConfig": {"ExperimentName": 5, "TrialName": "t"}}


@json_case(None, "Steps[0]", "expected a step object")
def step_that_is_a_string() -> Any:
    definition = compiled()
    definition["Steps"].insert(0, "Prep")
    return definition


@json_case(None, "Steps[0].Name", "every step needs a Name string")
def step_without_a_name() -> Any:
    definition = compiled(processing(), fail())
    del definition["Steps"][0]["Name"]
    return definition


@json_case("", "Name", "step name '' must be 1-64 characters of A-Z, a-z, 0-9, - and _")
def step_with_an_empty_name() -> Any:
    definition = compiled()
    definition["Steps"][0]["Name"] = ""
    return definition


@json_case("Check", "Arguments.IfSteps[1]", "expected a step object")
def branch_step_that_is_a_string() -> Any:
    # The condition's problem, at a path in its entry, as every step problem's field is.
    definition = compiled(condition(if_steps=[fail()]))
    definition["Steps"][0]["Arguments"]["IfSteps"].append("Prep")
    return definition


@json_case("Check", "Arguments.ElseSteps[0].Name", "every step needs a Name string")
def branch_step_without_a_name() -> Any:
    definition = compiled(condition(if_steps=[fail()]))
    definition["Steps"][0]["Arguments"]["ElseSteps"] = [
        {"Type": "Fail", "Arguments": {"ErrorMessage": "stopped"}}
    ]
    return definition


@json_case("Stop", "DisplayName", "expected a string, got int")
def display_name_that_is_a_number() -> Any:
    definition = compiled()
    definition["Steps"][0]["DisplayName"] = 5
    return definition


@json_case("Stop", "Arguments", "expected an object")
def fail_arguments_that_are_a_string() -> Any:
    definition = compiled()
    definition["Steps"][0]["Arguments"] = "stopped"
    return definition


@json_case("Train", "DependsOn", "expected a list of step names")
def depends_on_that_is_a_string() -> Any:
    definition = compiled(processing(), training())
    step_named(definition, "Train")["DependsOn"] = "Prep"
    return definition


@json_case("Train", "CacheConfig", "expected an object with Enabled and ExpireAfter")
def cache_config_that_is_a_boolean() -> Any:
    definition = compiled(training())
    definition["Steps"][0]["CacheConfig"] = True
    return definition


@json_case("Train", "CacheConfig.Expire", "unknown member (did you mean 'ExpireAfter'?)")
def cache_config_with_an_unknown_member() -> Any:
    definition = compiled(training())
    definition["Steps"][0]["CacheConfig"] = {"Enabled": True, "Expire": "P1D"}
    return definition


@json_case("Train", "RetryPolicies", "expected a list of retry policies")
def retry_policies_that_are_an_object() -> Any:
    return with_retry_policies({"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 3})


@json_case("Train", "RetryPolicies[0]", "expected an object")
def retry_policy_that_is_a_string() -> Any:
    return with_retry_policies(["Step.THROTTLING"])


@json_case("Train", "RetryPolicies[0].MaxAttempt", "unknown member (did you mean 'MaxAttempts'?)")
def retry_policy_with_an_unknown_member() -> Any:
    return with_retry_policies([{"ExceptionType": ["Step.THROTTLING"], "MaxAttempt": 3}])


@json_case(
    "Train", "RetryPolicies[0].ExceptionType", "expected a non-empty list of exception types"
)
def retry_policy_without_exception_types() -> Any:
    return with_retry_policies([{"MaxAttempts": 3}])


@json_case("Train", "RetryPolicies[0].ExceptionType[0]", "expected an exception type, got 5")
def retry_exception_type_that_is_a_number() -> Any:
    return with_retry_policies([{"ExceptionType": [5], "MaxAttempts": 3}])


@json_case("Train", "RetryPolicies[0].MaxAttempts", "expected an integer, got '3'")
def retry_max_attempts_that_is_a_string() -> Any:
    return with_retry_policies([{"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": "3"}])


@json_case("Train", "RetryPolicies[0].MaxAttempts", "expected an integer, got True")
def retry_max_attempts_that_is_a_boolean() -> Any:
    return with_retry_policies([{"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": True}])


@json_case("Train", "RetryPolicies[0].BackoffRate", "expected a non-negative number, got True")
def retry_backoff_rate_that_is_a_boolean() -> Any:
    policy = {"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 3, "BackoffRate": True}
    return with_retry_policies([policy])


@json_case(
    "Train", "RetryPolicies[0].ExceptionType", "expected a non-empty list of exception types"
)
def retry_policy_of_no_exception_types() -> Any:
    return with_retry_policies([{"ExceptionType": [], "MaxAttempts": 3}])


@json_case("Train", "RetryPolicies[0]", "set MaxAttempts or ExpireAfterMin, not both")
def retry_policy_never_retrying_and_expiring() -> Any:
    # 0 attempts is a value ("never retry"), so both are set.
    policy = {"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 0, "ExpireAfterMin": 60}
    return with_retry_policies([policy])


@json_case("Stop", "Arguments.ErrorMessage", "Get expects a string path")
def get_of_a_number() -> Any:
    return with_error_message({"Get": 5})


@json_case("Stop", "Arguments.ErrorMessage", "malformed step reference 'Steps.'")
def get_of_steps_without_a_step_name() -> Any:
    return with_error_message({"Get": "Steps."})


@json_case(
    "Train",
    "Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
    "a step can't refer to its own properties",
)
def step_reading_its_own_property() -> Any:
    definition = compiled(training(inputs={"train": "s3://b/train"}))
    source = definition["Steps"][0]["Arguments"]["InputDataConfig"][0]["DataSource"]
    source["S3DataSource"]["S3Uri"] = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    return definition


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    "refers to step 'Prep' without a property (name a property, e.g. "
    "Steps.Train.ModelArtifacts.S3ModelArtifacts)",
)
def get_of_a_step_without_a_property() -> Any:
    return with_left_value({"Get": "Steps.Prep"})


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "JsonGet's PropertyFile must be 'Steps.<Name>.PropertyFiles.<File>'",
)
def json_get_of_a_step_property_that_is_no_property_file() -> Any:
    property_file = {"Get": "Steps.Evaluate.ProcessingJobName"}
    return with_left_value({"Std:JsonGet": {"PropertyFile": property_file, "Path": "a"}})


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "JsonGet's PropertyFile must be 'Steps.<Name>.PropertyFiles.<File>' "
    "('Execution.PipelineExecutionId' is no step's property file; to read a JSON file at the "
    "S3 URI it holds, give it as S3Uri (JsonGet(s3_uri=…) in Python))",
)
def json_get_of_a_property_file_that_is_an_execution_variable() -> Any:
    reference = {"Get": "Execution.PipelineExecutionId"}
    return with_left_value({"Std:JsonGet": {"PropertyFile": reference, "Path": "a"}})


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    "JsonGet's PropertyFile must be 'Steps.<Name>.PropertyFiles.<File>' "
    "('Parameters.ReportUri' is no step's property file",
)
def json_get_of_a_property_file_that_is_a_parameter() -> Any:
    definition = with_left_value(
        {"Std:JsonGet": {"PropertyFile": {"Get": "Parameters.ReportUri"}, "Path": "a"}}
    )
    definition["Parameters"] = [ParameterString(name="ReportUri").to_definition()]
    return definition


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue",
    'Std:JsonGet expects {"PropertyFile": …, "Path": …}',
)
def json_get_without_a_path() -> Any:
    property_file = {"Get": "Steps.Evaluate.PropertyFiles.Report"}
    return with_left_value({"Std:JsonGet": {"PropertyFile": property_file}})


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile",
    'expected {"Get": "Steps.<Name>.PropertyFiles.<File>"}',
)
def json_get_of_a_property_file_named_by_a_string() -> Any:
    return with_left_value({"Std:JsonGet": {"PropertyFile": "Report", "Path": "a"}})


@json_case(
    "Check", "Arguments.Conditions[0].LeftValue", "Std:JsonGet needs a PropertyFile (or S3Uri)"
)
def json_get_of_nothing() -> Any:
    return with_left_value({"Std:JsonGet": {"Path": "a"}})


@json_case("Stop", "Arguments.ErrorMessage", 'Std:Join expects {"On": string, "Values": [...]}')
def join_of_a_string() -> Any:
    return with_error_message({"Std:Join": "a b"})


@json_case("Stop", "Arguments.ErrorMessage.Std:Join.On", "expected a string separator")
def join_on_a_number() -> Any:
    return with_error_message({"Std:Join": {"On": 0, "Values": ["a", "b"]}})


@json_case(
    "Stop",
    "Arguments.ErrorMessage.Std:Join.on",
    "Std:Join has no member 'on' (it takes 'On', 'Values')",
)
def join_with_a_misspelt_separator() -> Any:
    # The service would join on its default separator: another message than the one meant.
    return with_error_message({"Std:Join": {"on": "/", "Values": ["a", "b"]}})


@json_case(
    "Check",
    "Arguments.Conditions[0].LeftValue.Std:JsonGet.Paths",
    "Std:JsonGet has no member 'Paths' (it takes 'Path', 'PropertyFile', 'S3Uri')",
)
def json_get_with_a_member_it_does_not_take() -> Any:
    property_file = {"Get": "Steps.Evaluate.PropertyFiles.Report"}
    return with_left_value(
        {"Std:JsonGet": {"PropertyFile": property_file, "Path": "a", "Paths": "b"}}
    )


def with_model_name(value: Any) -> dict[str, Any]:
    """A pipeline of the Transform step BatchScore with ``value`` as its ModelName."""
    definition = compiled(TransformStep(name="BatchScore", model_name="m", input_data="s3://b/in"))
    step_named(definition, "BatchScore")["Arguments"]["ModelName"] = value
    return definition


# A Std:Join as ModelName is read for the characters it puts into the name: a wrongly shaped
# one is the Join's own problem, reported once.
@json_case("BatchScore", "Arguments.ModelName", 'Std:Join expects {"On": string, "Values": [...]}')
def model_name_join_of_a_string() -> Any:
    return with_model_name({"Std:Join": "a b"})


@json_case("BatchScore", "Arguments.ModelName.Std:Join.On", "expected a string separator")
def model_name_join_on_a_number() -> Any:
    return with_model_name({"Std:Join": {"On": 0, "Values": ["a", "b"]}})


@json_case("BatchScore", "Arguments.ModelName", 'Std:Join expects {"On": string, "Values": [...]}')
def model_name_join_of_values_that_are_a_string() -> Any:
    return with_model_name({"Std:Join": {"On": "-", "Values": "ab"}})


@json_case(
    "Stop",
    "Arguments.ErrorMessage.Std:Join.Values[1]",
    "Join values must be strings, numbers or expressions",
)
def join_of_a_list() -> Any:
    return with_error_message({"Std:Join": {"On": " ", "Values": ["a", ["b"]]}})


@json_case(
    "Train", "Arguments.ResourceConfig.VolumeSizeInGB", "expected an integer, got 30.5 (float)"
)
def integer_that_is_a_float() -> Any:
    definition = compiled(training())
    step_named(definition, "Train")["Arguments"]["ResourceConfig"]["VolumeSizeInGB"] = 30.5
    return definition


@json_case(
    "Train",
    "Arguments.ProfilerConfig.ProfilingIntervalInMilliseconds",
    "expected an integer, got 500.0 (float)",
)
def long_that_is_a_float() -> Any:
    # ProfilingIntervalInMilliseconds is a long in the service model, whole like an integer.
    definition = compiled(training())
    step_named(definition, "Train")["Arguments"]["ProfilerConfig"] = {
        "ProfilingIntervalInMilliseconds": 500.0
    }
    return definition


@json_case(
    "Tune",
    "Arguments.HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].MinValue",
    "expected a number, got 'low'",
)
def tuning_range_bound_that_is_no_number() -> Any:
    definition = compiled(_tune())
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "low"
    return definition


@json_case("Evaluate", "PropertyFiles", "expected a list")
def property_files_that_are_an_object() -> Any:
    definition = compiled(evaluation(REPORT))
    definition["Steps"][0]["PropertyFiles"] = definition["Steps"][0]["PropertyFiles"][0]
    return definition


@json_case("Evaluate", "PropertyFiles[0]", "expected {PropertyFileName, OutputName, FilePath}")
def property_file_that_is_a_string() -> Any:
    definition = compiled(evaluation(REPORT))
    definition["Steps"][0]["PropertyFiles"] = ["evaluation.json"]
    return definition


@json_case("Evaluate", "PropertyFiles[0].Path", "unknown member (did you mean 'FilePath'?)")
def property_file_with_an_unknown_member() -> Any:
    definition = compiled(evaluation(REPORT))
    definition["Steps"][0]["PropertyFiles"][0]["Path"] = "evaluation.json"
    return definition


@json_case(
    "Evaluate",
    "PropertyFiles[0].PropertyFileName",
    "'my report' must be 1-64 characters of A-Z, a-z, 0-9, - and _",
)
def property_file_name_with_a_space() -> Any:
    definition = compiled(evaluation(REPORT))
    definition["Steps"][0]["PropertyFiles"][0]["PropertyFileName"] = "my report"
    return definition


@json_case("Check", "Arguments.Else", "unknown member (did you mean 'ElseSteps'?)")
def condition_arguments_with_an_unknown_member() -> Any:
    definition = compiled(condition(if_steps=[fail()]))
    definition["Steps"][0]["Arguments"]["Else"] = []
    return definition


@json_case("Check", "Arguments.ElseSteps", "expected a list of steps")
def condition_branch_that_is_an_object() -> Any:
    definition = compiled(condition(if_steps=[fail()]))
    definition["Steps"][0]["Arguments"]["ElseSteps"] = {}
    return definition


@json_case("Check", "Arguments.Conditions[0]", "expected a condition object")
def condition_that_is_a_string() -> Any:
    return with_condition("1 == 1")


@json_case(
    "Check",
    "Arguments.Conditions[0].Value",
    "not a member of an Equals condition (did you mean 'LeftValue' or 'RightValue'?)",
)
def condition_with_an_unknown_member() -> Any:
    return with_condition({"Type": "Equals", "LeftValue": 1, "RightValue": 1, "Value": 1})


@json_case("Check", "Arguments.Conditions[0].RightValue", "an Equals condition needs RightValue")
def condition_without_a_right_value() -> Any:
    return with_condition({"Type": "Equals", "LeftValue": 1})


@json_case("Check", "Arguments.Conditions[0].Conditions", "expected a non-empty list of conditions")
def or_condition_of_no_conditions() -> Any:
    return with_condition({"Type": "Or", "Conditions": []})


@json_case("Check", "Arguments.Conditions[0].LeftValue", "expected a literal or an expression")
def condition_operand_that_is_a_list() -> Any:
    return with_left_value([1])


@json_case("Stop", "Arguments.ErrorMessage", "expected a string or an expression")
def fail_message_that_is_a_number() -> Any:
    return with_error_message(5)


@json_case("Prep", "OutputParameters", "expected a list of {OutputName, OutputType}")
def lambda_outputs_that_are_an_object() -> Any:
    definition = lambda_step_json()
    definition["Steps"][0]["OutputParameters"] = {"OutputName": "rows"}
    return definition


@json_case("Prep", "OutputParameters[0]", "expected {OutputName, OutputType}")
def lambda_output_that_is_a_string() -> Any:
    definition = lambda_step_json()
    definition["Steps"][0]["OutputParameters"] = ["rows"]
    return definition


@json_case("Prep", "Arguments", "expected an object of input values")
def lambda_arguments_that_are_a_list() -> Any:
    definition = lambda_step_json()
    definition["Steps"][0]["Arguments"] = ["bucket"]
    return definition


@json_case("Prep", "Arguments['IfSteps']", "refers to parameter 'Nope', which is not declared")
def lambda_input_named_like_a_condition_branch() -> Any:
    # Only a Condition step's IfSteps and ElseSteps are branches (walked as steps).
    definition = lambda_step_json()
    definition["Steps"][0]["Arguments"] = {"IfSteps": {"Get": "Parameters.Nope"}}
    return definition


@json_case("Approve", "SqsQueueUrl", "a Callback step needs SqsQueueUrl")
def callback_without_a_queue() -> Any:
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    definition = compiled(CallbackStep(name="Approve", sqs_queue_url=url))
    del definition["Steps"][0]["SqsQueueUrl"]
    return definition


@json_case(
    "Spark", "Arguments.ClusterID", "unknown member (did you mean 'ClusterId' or 'ClusterConfig'?)"
)
def emr_arguments_with_an_unknown_member() -> Any:
    definition = emr_step_json()
    definition["Steps"][0]["Arguments"]["ClusterID"] = "j-1ABCDEFG2HIJK"
    return definition


@json_case(
    "Spark",
    "Arguments.ClusterId",
    "an EMR step needs ClusterId (a running cluster) or ClusterConfig (a new one)",
)
def emr_step_without_a_cluster() -> Any:
    definition = emr_step_json()
    del definition["Steps"][0]["Arguments"]["ClusterId"]
    return definition


@json_case("Spark", "Arguments.StepConfig", 'expected {"HadoopJarStep": {"Jar": …}}')
def emr_step_without_a_step_config() -> Any:
    definition = emr_step_json()
    del definition["Steps"][0]["Arguments"]["StepConfig"]
    return definition


@json_case("Train", "Arguments.ResourceConfig", "expected an object, got 5 (int)")
def job_member_object_given_a_number() -> Any:
    definition = compiled(training())
    definition["Steps"][0]["Arguments"]["ResourceConfig"] = 5
    return definition


@json_case("Prep", "Arguments.Environment", "expected an object, got ['A=1'] (list)")
def job_member_map_given_a_list() -> Any:
    definition = compiled(processing())
    definition["Steps"][0]["Arguments"]["Environment"] = ["A=1"]
    return definition


@json_case(
    "Prep",
    "Arguments.AppSpecification.ContainerEntrypoint",
    "expected a list, got 'python3' (str)",
)
def job_member_list_given_a_string() -> Any:
    definition = compiled(processing())
    definition["Steps"][0]["Arguments"]["AppSpecification"]["ContainerEntrypoint"] = "python3"
    return definition


@json_case(
    "Prep",
    "Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB",
    "expected an integer, got True (bool)",
)
def job_member_integer_given_a_boolean() -> Any:
    definition = compiled(processing())
    arguments = definition["Steps"][0]["Arguments"]
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"] = True
    return definition


@json_case(
    "Prep",
    "Arguments.AppSpecification.ContainerEntrypoint",
    "expected a list, got an expression (expressions stand only where a single value is expected)",
)
def job_member_list_given_an_expression() -> Any:
    definition = compiled(processing())
    entrypoint = {"Get": "Execution.PipelineExecutionId"}
    definition["Steps"][0]["Arguments"]["AppSpecification"]["ContainerEntrypoint"] = entrypoint
    return definition


@json_case("Prep", "Arguments.RoleArn", "expected a string, got 5 (int)")
def job_member_string_given_a_number() -> Any:
    definition = compiled(processing())
    definition["Steps"][0]["Arguments"]["RoleArn"] = 5
    return definition


@json_case("Prep", "Arguments.Environment", "has 101 entries, more than the maximum 100")
def job_member_map_above_its_maximum_size() -> Any:
    definition = compiled(processing())
    environment = {f"VARIABLE_{index}": "x" for index in range(101)}
    definition["Steps"][0]["Arguments"]["Environment"] = environment
    return definition


@json_case(
    "Register",
    "Arguments.CertifyForMarketplace",
    "'CertifyForMarketplace' is set by SageMaker Pipelines at run time (remove it)",
)
def registration_setting_a_member_the_service_sets() -> Any:
    register = registration("models")
    definition = compiled(register)
    definition["Steps"][0]["Arguments"]["CertifyForMarketplace"] = False
    return definition


@json_case(None, None, "not serialisable as JSON")
def metadata_that_is_no_json() -> Any:
    return {**compiled(), "Metadata": {"owners": {"data-science"}}}


@json_case(
    "Prep",
    "Arguments.Environment['RUN']",
    "unknown execution variable 'PipelineExecutionID' (did you mean",
)
def unknown_execution_variable_in_a_step() -> Any:
    # ExecutionVariable("PipelineExecutionID") fails at once in Python; JSON is checked here.
    definition = compiled(processing(environment={"RUN": ExecutionVariables.PIPELINE_NAME}))
    run = {"Get": "Execution.PipelineExecutionID"}
    step_named(definition, "Prep")["Arguments"]["Environment"]["RUN"] = run
    return definition


@json_case(None, "PipelineExperimentConfig.TrialName", "unknown execution variable 'ExecutionId'")
def unknown_execution_variable_in_the_experiment_config() -> Any:
    config = PipelineExperimentConfig(
        experiment_name=ExecutionVariables.PIPELINE_NAME,
        trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID,
    )
    definition = PipelineDefinition(steps=[processing()], experiment_config=config).to_definition(
        BINDER
    )
    definition["PipelineExperimentConfig"]["TrialName"] = {"Get": "Execution.ExecutionId"}
    return definition


@json_case(
    "Prep",
    "Arguments['rows\udc00'] (key)",
    "'rows\\udc00' holds the lone surrogate '\\udc00', which can't be encoded as UTF-8",
)
def lambda_input_named_with_a_lone_surrogate() -> Any:
    definition = compiled(LambdaStep(name="Prep", function_arn=LAMBDA_ARN))
    step_named(definition, "Prep")["Arguments"] = {"rows\udc00": 1}
    return definition


@pytest.mark.parametrize("case", JSON_CASES, ids=[c.name for c in JSON_CASES])
def test_fails_json_of_the_wrong_shape(case: JsonCase) -> None:
    definition = case.build()
    with pytest.raises(PipelineValidationError, match=case.expected.pattern()):
        check_definition(definition)
    assert_exactly(validate_definition(definition), [case.expected])


REPORT_FILE_GET = "Steps.Evaluate.PropertyFiles.Report"


@pytest.mark.parametrize(
    ("definition", "step", "field", "message"),
    [
        (
            with_error_message({"Std:Join": {"On": "/", "values": ["a", "b"]}}),
            "Stop",
            "Arguments.ErrorMessage",
            "Std:Join has no member 'values' (it takes 'On', 'Values')",
        ),
        (
            with_left_value(
                {"Std:JsonGet": {"PropertyFile": {"Get": REPORT_FILE_GET}, "path": "a"}}
            ),
            "Check",
            "Arguments.Conditions[0].LeftValue",
            "Std:JsonGet has no member 'path' (it takes 'Path', 'PropertyFile', 'S3Uri')",
        ),
    ],
)
def test_a_misspelt_required_member_of_a_std_function_is_named(
    definition: dict[str, Any], step: str, field: str, message: str
) -> None:
    # Besides the shape the function expects: which member was meant, not only what's missing.
    problems = validate_definition(definition)
    member = message.split("'")[1]
    assert [(p.step, p.field) for p in problems] == [
        (step, field),
        (step, f"{field}.{message.split(' ')[0]}.{member}"),
    ]
    assert problems[1].message == message
    assert problems[1].hint == f"did you mean '{member.capitalize()}'?"


# -- one compile, every problem -------------------------------------------------------------------


def test_fails_with_every_problem_of_several_steps_at_once() -> None:
    threshold = ParameterString(name="Threshold", default_value="0.9")
    prep = processing(instance_type="m5.large", depends_on=["Split"])
    train = training(
        inputs={
            "train": TrainingInput(
                s3_data=prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
            )
        },
        retry_policies=[StepRetryPolicy(max_attempts=3, expire_after_mins=60)],
    )
    check = condition(
        conditions=[
            ConditionGreaterThan(
                left=train.properties.FinalMetricDataList["acc"].Value, right=threshold
            )
        ],
        if_steps=[processing("Publish", code=Code.from_s3("s3://b/publish.py"), role="publisher")],
        else_steps=[fail(error_message=Join(on=" ", values=["too low:", threshold]))],
    )
    definition = PipelineDefinition(steps=[check], parameters=[threshold, threshold])
    with pytest.raises(
        PipelineValidationError, match=r"^pipeline definition has 6 problems:\n"
    ) as caught:
        definition.compile(BINDER)
    assert_exactly(
        caught.value.problems,
        [
            Expected(None, "Parameters[1].Name", "parameter 'Threshold' is declared twice"),
            Expected(
                "Prep", "Arguments.ProcessingResources.ClusterConfig.InstanceType", "got 'm5.large'"
            ),
            Expected(
                "Prep", "DependsOn[0]", "depends on step 'Split', which is not in the pipeline"
            ),
            Expected("Train", "RetryPolicies[0]", "set MaxAttempts or ExpireAfterMin, not both"),
            Expected(
                "Check", "Arguments.Conditions[0].RightValue", "ordering comparisons need numbers"
            ),
            Expected("Publish", "Arguments.RoleArn", "'publisher' does not match the pattern"),
        ],
    )


@pytest.mark.parametrize(
    "name",
    ["-leading-hyphen", "trailing-", "under_score", "p" * 257, None, 7],
    ids=["leading-hyphen", "trailing-hyphen", "underscore", "257-characters", "none", "number"],
)
def test_fails_pipeline_name(name: str) -> None:
    assert_exactly(
        validate_pipeline_name(name),
        [Expected(None, "PipelineName", f"pipeline name {name!r} must be 1-256 letters, digits")],
    )


def test_pipeline_name_may_repeat_hyphens_and_use_256_characters() -> None:
    assert validate_pipeline_name("train--and-deploy") == []
    assert validate_pipeline_name("p" * 256) == []


def test_a_property_file_only_a_training_step_declares_is_not_offered_to_read() -> None:
    # Training steps write no property files: pointing the JsonGet at one would not help.
    definition = compiled(evaluation(REPORT), training(), processing("Prep"), fail())
    step_named(definition, "Train")["PropertyFiles"] = step_named(definition, "Evaluate").pop(
        "PropertyFiles"
    )
    reference = {"Get": "Steps.Prep.PropertyFiles.Report"}
    step_named(definition, "Stop")["Arguments"]["ErrorMessage"] = {
        "Std:Join": {
            "On": "",
            "Values": [{"Std:JsonGet": {"PropertyFile": reference, "Path": "a"}}],
        }
    }
    assert_exactly(
        validate_definition(definition),
        [
            Expected("Train", "PropertyFiles", "not a field of a Training step"),
            Expected(
                "Stop",
                "Arguments.ErrorMessage.Std:Join.Values[0].Std:JsonGet.PropertyFile",
                "step 'Prep' declares no property file 'Report' (declare it in the step's "
                "PropertyFiles",
            ),
        ],
    )


def test_experiment_names_known_only_at_deploy_time_pass() -> None:
    config = PipelineExperimentConfig(
        experiment_name="${Token[AWS.StackName.8]}-runs", trial_name="t"
    )
    assert PipelineDefinition(steps=[processing()], experiment_config=config).validate(BINDER) == []


def test_experiment_and_trial_names_of_120_characters_pass() -> None:
    config = PipelineExperimentConfig(experiment_name="e" * 120, trial_name="t" * 120)
    assert PipelineDefinition(steps=[processing()], experiment_config=config).validate(BINDER) == []


def test_display_names_and_descriptions_at_their_limits_pass() -> None:
    step = processing(display_name="d" * 256, description="d" * 3072)
    assert pipeline(step).validate(BINDER) == []


def test_a_cycle_closed_by_two_back_edges_is_reported_once() -> None:
    # Found from two starting points (A, then E), the cycle A → E → B → A is one problem.
    graph = {
        "A": ["F", "B"],
        "B": ["E", "F"],
        "C": ["B", "F"],
        "D": ["E", "C"],
        "E": ["A", "C"],
        "F": ["D"],
    }
    steps = [processing(name, depends_on=needs) for name, needs in graph.items()]
    assert_exactly(
        pipeline(*steps).validate(BINDER),
        [
            Expected("A", "DependsOn[1]", "dependency cycle: A → E → B → A"),
            Expected("F", "DependsOn[0]", "dependency cycle: F → C → D → F"),
        ],
    )


@pytest.mark.parametrize(
    "path",
    [
        "metrics.accuracy.value",
        "$.metrics.accuracy.value",
        "$['metrics'].accuracy",
        "metrics['f1 score'].value",
        'folds[0]["auc"]',
        "model-1.eval_set:train@v2",
    ],
)
def test_json_paths_of_names_keys_and_indexes_pass(path: str) -> None:
    json_get = {"Std:JsonGet": {"PropertyFile": {"Get": REPORT_FILE_GET}, "Path": path}}
    assert validate_definition(with_left_value(json_get)) == []


@pytest.mark.parametrize("path", ["metrics accuracy", "metrics..value", "metrics.", "", "$$.a"])
def test_fails_json_paths_out_of_syntax(path: str) -> None:
    json_get = {"Std:JsonGet": {"PropertyFile": {"Get": REPORT_FILE_GET}, "Path": path}}
    assert_exactly(
        validate_definition(with_left_value(json_get)),
        [
            Expected(
                "Check",
                "Arguments.Conditions[0].LeftValue.Std:JsonGet.Path",
                f"{path!r} is not a valid JsonPath",
            )
        ],
    )


def test_an_integer_parameter_passes_where_a_number_is_expected() -> None:
    # TargetObjectiveMetricValue is a float: an Integer parameter holds one as well.
    target = ParameterInteger(name="Target", default_value=1)
    definition = compiled(_tune())
    definition["Parameters"] = [target.to_definition()]
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["TuningJobCompletionCriteria"] = {
        "TargetObjectiveMetricValue": {"Get": "Parameters.Target"}
    }
    assert validate_definition(definition) == []


def test_a_definition_of_exactly_the_size_limit_passes() -> None:
    # Measured as compact JSON (no spaces after separators), as the service counts it.
    definition = compiled()
    definition["Metadata"] = {"padding": ""}
    size = len(json.dumps(definition, separators=(",", ":")))
    definition["Metadata"]["padding"] = "p" * (MAX_DEFINITION_CHARACTERS - size)
    assert validate_definition(definition) == []
    definition["Metadata"]["padding"] += "p"
    assert_exactly(
        validate_definition(definition),
        [
            Expected(
                None,
                None,
                "the definition has 1,048,577 characters, more than the limit of 1,048,576",
            )
        ],
    )


def test_non_ascii_text_counts_as_the_construct_sends_it() -> None:
    # Sent with non-ASCII characters as themselves, counted in UTF-16 code units: "é" is one
    # character (six as the escape \u00e9), "😀" two (a surrogate pair, twelve escaped).
    definition = compiled()
    definition["Metadata"] = {"padding": ""}
    size = len(json.dumps(definition, separators=(",", ":")))
    room = MAX_DEFINITION_CHARACTERS - size
    definition["Metadata"]["padding"] = "é" * (room - 2) + "😀"
    assert validate_definition(definition) == []
    definition["Metadata"]["padding"] += "é"
    assert_exactly(
        validate_definition(definition),
        [
            Expected(
                None,
                None,
                "the definition has 1,048,577 characters, more than the limit of 1,048,576",
            )
        ],
    )


@given(st.text())
def test_the_sent_length_is_the_utf16_length_of_the_unescaped_json(text: str) -> None:
    escaped = json.dumps({"t": text}, separators=(",", ":"))
    sent = json.dumps({"t": text}, separators=(",", ":"), ensure_ascii=False)
    assert _sent_length(escaped) == len(sent.encode("utf-16-le", "surrogatepass")) // 2


# -- robustness -----------------------------------------------------------------------------------

# One JSON case per SDK-shaped base definition: training only; process, train, evaluate and
# condition; Lambda, Callback, EMR, tuning, model and transform.
BASES = ["version-wrong.json", "cycle.json", "lambda-output-not-declared.json"]
WRONG_SHAPES: list[Any] = [{}, 0, [{}], None, 10**400]


def _locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _locations(item, (*path, index))
    return found


@pytest.mark.parametrize("file_name", BASES)
def test_validation_reports_any_wrongly_shaped_value_rather_than_crashing(file_name: str) -> None:
    text = (INVALID_DIR / file_name).read_text(encoding="utf-8")
    for path in _locations(json.loads(text))[1:]:
        for wrong in WRONG_SHAPES:
            definition = json.loads(text)
            parent = definition
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = wrong
            try:
                problems = validate_definition(definition)
            except Exception as error:  # pragma: no cover - the failure report
                pytest.fail(f"{path} = {wrong!r}: {type(error).__name__}: {error}")
            assert all(isinstance(problem, Problem) for problem in problems)


@pytest.mark.parametrize(
    "image",
    [
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/prep",  # untagged: ECR pulls latest
        "111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/prep:1",
        "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/prep:1",
        # A placeholder, as the SageMaker SDK's generated definitions write one.
        "img",
        # Known only at deploy time.
        "${Token[TOKEN.42]}:1",
    ],
)
def test_ecr_images_and_placeholders_pass_as_job_images(image: str) -> None:
    assert pipeline(processing(image=image), training(image=image)).validate(BINDER) == []


def test_a_training_image_of_a_private_registry_in_the_vpc_passes() -> None:
    # TrainingImageConfig names a registry SageMaker reaches through the job's VPC.
    algorithm = {
        "TrainingImageConfig": {"TrainingRepositoryAccessMode": "Vpc"},
    }
    step = training(
        image="registry.acme.internal/trainer:2",
        extra_arguments={
            "AlgorithmSpecification": algorithm,
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
        },
    )
    assert pipeline(step).validate(BINDER) == []


def test_two_outputs_may_upload_the_same_folder() -> None:
    outputs = [
        ProcessingOutput(output_name="a", source="/opt/ml/processing/out"),
        ProcessingOutput(output_name="b", source="/opt/ml/processing/out"),
    ]
    assert pipeline(processing(outputs=outputs)).validate(BINDER) == []


@pytest.mark.parametrize(
    "image",
    [
        Image.xgboost("1.7-1"),
        # The same image as a whole deploy-time value: which image it is is unknown.
        Image.from_uri(ParameterString(name="TrainingImage", default_value=IMAGE)),
        # An image of a repository named only at deploy time (a CDK token): it may be XGBoost.
        Image.from_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/${Token[TOKEN.42]}:1.7-1"),
    ],
)
def test_xgboost_script_tuned_on_its_built_in_metrics_needs_no_metric_definitions(
    image: Image,
) -> None:
    # SageMaker reads the XGBoost image's own metrics (validation:rmse, …) in script mode
    # too, and CreateTrainingJob refuses MetricDefinitions for it: this is the only way.
    tune = TuningStep(
        name="Tune",
        image=image,
        code=Code.from_s3("s3://b/code/train.py"),
        objective_metric_name="validation:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )
    parameters = [image.uri] if isinstance(image.uri, ParameterString) else []
    assert pipeline(tune, parameters=parameters).validate(BINDER) == []


def test_metric_regexes_in_syntax_python_lacks_are_not_judged() -> None:
    # Only unbalanced groups and classes are refused: the service's regex dialect is
    # undocumented and may take Java-style named groups and property classes.
    train = training(
        metric_definitions={"loss": r"loss: (?<value>[0-9.]+)", "f1": r"f1: ([0-9.]+)\p{Zs}"}
    )
    assert pipeline(train).validate(BINDER) == []


def test_metric_definitions_known_only_at_deploy_time_are_not_judged() -> None:
    # A CDK list token: the regexes are there, only not readable at synth.
    tune_step = TuningStep(
        name="Tune",
        image=IMAGE,
        code=Code.from_s3("s3://b/code/train.py"),
        metric_definitions={"accuracy": "accuracy=([0-9.]+)"},
        objective_metric_name="accuracy",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )
    definition = pipeline(tune_step).to_definition(BINDER)
    (tune,) = definition["Steps"]
    algorithm = tune["Arguments"]["TrainingJobDefinition"]["AlgorithmSpecification"]
    algorithm["MetricDefinitions"] = ["#{Token[TOKEN.7]}"]
    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("ResourceConfig", "VolumeSizeInGB"), -1.8881545897087626e289),  # a number token
        (("StoppingCondition", "MaxRuntimeInSeconds"), {"Ref": "MaxRuntime"}),
        (("EnableNetworkIsolation",), {"Fn::If": ["Isolated", True, False]}),
        (("RoleArn",), {"Fn::GetAtt": ["Role", "Arn"]}),
    ],
    ids=["number-token", "ref-of-an-integer", "if-of-a-boolean", "get-att-of-a-string"],
)
def test_values_known_only_at_deploy_time_pass_in_fields_of_any_type(
    path: tuple[str, ...], value: Any
) -> None:
    definition = compiled(training())
    parent = step_named(definition, "Train")["Arguments"]
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert validate_definition(definition) == []


BUCKET = ParameterString(name="Bucket", default_value="s3://my-bucket")
ENVIRONMENT = ParameterString(name="Environment", default_value="dev")


@pytest.mark.parametrize(
    "values",
    [
        ["s3:/", "my-bucket", ExecutionVariables.PIPELINE_EXECUTION_ID],  # the SDK's spelling
        ["s3://my-bucket", ExecutionVariables.PIPELINE_EXECUTION_ID],
        ["https://my-bucket.s3.amazonaws.com", ExecutionVariables.PIPELINE_EXECUTION_ID],
        [BUCKET, ExecutionVariables.PIPELINE_EXECUTION_ID],  # only run time knows
    ],
    ids=["sdk-s3-slash", "scheme", "https", "parameter-first"],
)
def test_s3_uris_joined_from_a_scheme_or_a_run_time_value_pass(values: list[Any]) -> None:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        output_path=Join(on="/", values=values),
    )
    assert pipeline(score, parameters=[BUCKET]).validate(BINDER) == []


@pytest.mark.parametrize(
    "source",
    [
        lambda: training().properties.ModelArtifacts.S3ModelArtifacts,
        lambda: processing().properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri,
        lambda: training().properties.OutputDataConfig.S3OutputPath,
        lambda: _tune().top_model_s3_uri(0),
    ],
    ids=["model-artifacts", "processing-output", "output-path", "top-model"],
)
def test_properties_that_may_hold_an_s3_uri_pass_where_one_is_required(
    source: Callable[[], Any],
) -> None:
    uri = source()
    model = ModelStep(name="Model", image=IMAGE, model_data=uri)
    score = TransformStep(name="BatchScore", model_name="m", input_data=uri)
    inputs = [ProcessingInput(source=uri, destination="/opt/ml/processing/model")]
    assert pipeline(model, score, evaluation(inputs=inputs)).validate(BINDER) == []


def test_a_tuning_job_of_100_hyperparameters_in_all_passes() -> None:
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        static_hyperparameters={f"h{i:03d}": i for i in range(99)},
    )
    assert pipeline(tune).validate(BINDER) == []


@pytest.mark.parametrize(
    ("payload", "concurrent"), [(100, 1), (25, 4), (0, 8)], ids=["payload", "product", "chunked"]
)
def test_transform_payloads_up_to_the_limits_pass(payload: int, concurrent: int) -> None:
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data="s3://b/in",
        max_payload_in_mb=payload,
        max_concurrent_transforms=concurrent,
    )
    assert pipeline(score).validate(BINDER) == []


@pytest.mark.parametrize("kind", ["Lambda", "Callback"])
def test_a_model_name_from_a_lambda_or_callback_output_is_not_judged(kind: str) -> None:
    # Their outputs may hold any string, a model's name among them.
    output = StepOutput(output_name="model_name")
    source: LambdaStep | CallbackStep = (
        LambdaStep(name="Source", function_arn=LAMBDA_ARN, outputs=[output])
        if kind == "Lambda"
        else CallbackStep(
            name="Source",
            sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/q",
            outputs=[output],
        )
    )
    score = TransformStep(
        name="BatchScore",
        model_name=source.properties.OutputParameters["model_name"],
        input_data="s3://b/in",
    )
    assert pipeline(score).validate(BINDER) == []


@pytest.mark.parametrize(
    ("separator", "values"),
    [
        ("-", ["churn", ENVIRONMENT, "v2"]),
        ("", ["churn-", ENVIRONMENT]),
        ("_", [ENVIRONMENT]),  # a single value: the separator is never written
    ],
    ids=["hyphen", "no-separator", "one-value"],
)
def test_joined_model_names_of_letters_digits_and_hyphens_pass(
    separator: str, values: list[Any]
) -> None:
    score = TransformStep(
        name="BatchScore", model_name=Join(on=separator, values=values), input_data="s3://b/in"
    )
    assert pipeline(score, parameters=[ENVIRONMENT]).validate(BINDER) == []


@pytest.mark.parametrize(
    ("source", "separator"),
    [
        (lambda: training().properties.ModelArtifacts.S3ModelArtifacts, "/"),
        (lambda: training().properties.OutputDataConfig.S3OutputPath, "/"),
        # A training job name may be "s3", and "s3" + ":" + "//bucket/key" is a URI.
        (lambda: training().properties.TrainingJobName, ":"),
    ],
    ids=["model-artifacts", "output-path", "name-then-colon"],
)
def test_joins_beginning_with_a_property_that_may_begin_an_s3_uri_pass(
    source: Callable[[], Any], separator: str
) -> None:
    path = Join(on=separator, values=[source(), "evaluation"])
    inputs = [ProcessingInput(source=path, destination="/opt/ml/processing/model")]
    assert pipeline(evaluation(inputs=inputs)).validate(BINDER) == []


EQUALITY_PARAMETERS = [
    ParameterInteger(name="Rows", default_value=3),
    ParameterFloat(name="Threshold", default_value=0.5),
    ParameterBoolean(name="Strict", default_value=True),
    ParameterString(name="Env", default_value="dev"),
]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (EQUALITY_PARAMETERS[0], EQUALITY_PARAMETERS[1]),  # Integer and Float: numbers both
        (EQUALITY_PARAMETERS[0], 3.0),
        (EQUALITY_PARAMETERS[2], True),
        (EQUALITY_PARAMETERS[3], "prod"),
        (Join(on="-", values=[EQUALITY_PARAMETERS[3], "x"]), "prod-x"),
        (JsonGet(step=evaluation(REPORT), property_file=REPORT, json_path="ok"), "true"),
        (ExecutionVariables.START_DATETIME, "2024-01-01T00:00:00Z"),  # Timestamps: not judged
    ],
    ids=["integer-float", "integer-literal", "boolean", "string", "join", "json-get", "timestamp"],
)
def test_equality_of_like_kinds_or_unknown_types_passes(left: Any, right: Any) -> None:
    conditions = [
        ConditionEquals(left=left, right=right),
        ConditionIn(value=left, in_values=[right]),
    ]
    check = condition(conditions=conditions)
    assert pipeline(check, parameters=EQUALITY_PARAMETERS).validate(BINDER) == []


def test_ranges_bounded_by_numbers_known_at_run_time_pass() -> None:
    shallowest = ParameterInteger(name="MinDepth", default_value=2)
    low = ParameterFloat(name="LowEta", default_value=0.01)
    high = ParameterString(name="HighEta", default_value="0.3")  # may hold a number
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "max_depth": IntegerParameter(min_value=shallowest, max_value=8),
            "eta": ContinuousParameter(min_value=low, max_value=high),
            "gamma": ContinuousParameter(min_value=shallowest, max_value=5),
        },
    )
    assert pipeline(tune, parameters=[shallowest, low, high]).validate(BINDER) == []


# What aws-cdk-lib encodes a deploy-time value as (encoding.ts): CfnParameter(...).value_as_number
# (a double near -1.888e+289) and value_as_string.
CDK_NUMBER_TOKEN = -1.8881545897087626e289
CDK_STRING_TOKEN = "${Token[TOKEN.12]}"


def test_ranges_bounded_by_cdk_number_tokens_pass() -> None:
    # A range bound is a string in the API: a number token is written as its text, which
    # aws-cdk-lib resolves at deploy time as it does a string token; as a number it would be
    # out of order, and below 0 for Logarithmic scaling.
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0.01, max_value=CDK_NUMBER_TOKEN),
            "alpha": ContinuousParameter(
                min_value=CDK_NUMBER_TOKEN, max_value=1.0, scaling_type="Logarithmic"
            ),
        },
    )
    definition = pipeline(tune)

    assert definition.validate(BINDER) == []
    arguments = step_named(definition.to_definition(BINDER), "Tune")["Arguments"]
    eta, alpha = arguments["HyperParameterTuningJobConfig"]["ParameterRanges"][
        "ContinuousParameterRanges"
    ]
    assert (eta["MaxValue"], alpha["MinValue"]) == (str(CDK_NUMBER_TOKEN), str(CDK_NUMBER_TOKEN))
    assert is_token(eta["MaxValue"])


def test_ranges_bounded_by_a_parameter_of_a_cdk_number_token_default_pass() -> None:
    # The default resolves at deploy time: as a number the token is out of order and below 0.
    highest = ParameterFloat(name="MaxEta", default_value=CDK_NUMBER_TOKEN)
    lowest = ParameterFloat(name="MinAlpha", default_value=CDK_NUMBER_TOKEN)
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0.01, max_value=highest),
            "alpha": ContinuousParameter(
                min_value=lowest, max_value=1.0, scaling_type="Logarithmic"
            ),
        },
    )
    assert pipeline(tune, parameters=[highest, lowest]).validate(BINDER) == []


def test_a_parameter_default_or_enum_value_known_at_deploy_time_passes() -> None:
    # As a parameter's default, a CDK token is whatever it resolves to: not judged against
    # the enum values, nor a literal default against an enum value that is a token.
    environment = ParameterString(
        name="Environment", default_value=CDK_STRING_TOKEN, enum_values=["dev", "prod"]
    )
    tier = ParameterString(name="Tier", default_value="gold", enum_values=[CDK_STRING_TOKEN])
    definition = pipeline(
        training(environment={"ENVIRONMENT": environment, "TIER": tier}),
        parameters=[environment, tier],
    )
    assert definition.validate(BINDER) == []


def test_a_cache_duration_known_at_deploy_time_passes() -> None:
    definition = pipeline(training(cache_config=CacheConfig(expire_after=CDK_STRING_TOKEN)))
    assert definition.validate(BINDER) == []


def test_retry_policies_at_their_documented_lower_bounds_pass() -> None:
    # The developer guide ("Retry policy for pipeline steps"): MaxAttempts and ExpireAfterMin
    # of 0 mean "errors are never retried" (a way to turn off the default retries); the SDK's
    # validators accept IntervalSeconds and BackoffRate of 0 (non-negative).
    never = StepRetryPolicy(max_attempts=0, interval_seconds=0, backoff_rate=0.0)
    expire_at_once = SageMakerJobStepRetryPolicy(expire_after_mins=0)
    definition = pipeline(training(retry_policies=[never, expire_at_once]))

    assert definition.validate(BINDER) == []
    assert step_named(definition.to_definition(BINDER), "Train")["RetryPolicies"] == [
        {
            "BackoffRate": 0.0,
            "IntervalSeconds": 0,
            "MaxAttempts": 0,
            "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"],
        },
        {
            "BackoffRate": 2.0,
            "IntervalSeconds": 1,
            "ExpireAfterMin": 0,
            "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
        },
    ]


def test_retry_policies_at_their_documented_upper_bounds_pass() -> None:
    # MaxAttempts 20, ExpireAfterMin 14,400 (10 days), IntervalSeconds 43,200 (12 hours).
    definition = compiled(training())
    step_named(definition, "Train")["RetryPolicies"] = [
        {"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 20, "IntervalSeconds": 43200},
        {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "ExpireAfterMin": 14400},
    ]
    assert validate_definition(definition) == []


def test_a_tuning_job_of_30_tuned_hyperparameters_passes() -> None:
    ranges: dict[str, Any] = {
        f"c{i:02d}": ContinuousParameter(min_value=0.1, max_value=1.0) for i in range(15)
    }
    ranges.update({f"i{i:02d}": IntegerParameter(min_value=1, max_value=9) for i in range(15)})
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges=ranges,
    )
    assert pipeline(tune).validate(BINDER) == []
    # At the tuned limit the total is still counted: 71 static make 101.
    static = {f"s{i:02d}": i for i in range(71)}
    [problem] = pipeline(replace(tune, static_hyperparameters=static)).validate(BINDER)
    assert problem.message.startswith("101 hyperparameters in all (71 static and 30 tuned)")


def test_integers_at_the_bounds_of_their_word_sizes_pass() -> None:
    for runtime, seed in ((2**31 - 1, 2**63 - 1), (1, -(2**63))):
        inputs = {"train": TrainingInput(s3_data="s3://b/t", shuffle_seed=seed)}
        assert (
            pipeline(training(max_runtime_in_seconds=runtime, inputs=inputs)).validate(BINDER) == []
        )


def test_integer_parameters_at_the_bounds_of_64_bits_pass() -> None:
    largest = ParameterInteger(name="Largest", default_value=2**63 - 1)
    smallest = ParameterInteger(name="Smallest", default_value=-(2**63))
    environment = {"LARGEST": largest, "SMALLEST": smallest}
    definition = pipeline(processing(environment=environment), parameters=[largest, smallest])
    assert definition.validate(BINDER) == []


def test_a_cache_duration_at_the_limit_passes_and_the_local_runner_reads_it() -> None:
    definition = pipeline(training(cache_config=CacheConfig(expire_after="P999999999D")))
    assert definition.validate(BINDER) == []
    assert parse_expire_after("P999999999D").days == 999_999_999


def test_text_beyond_the_basic_plane_passes() -> None:
    # Escaped as a surrogate pair in the JSON, which the service decodes into one character.
    definition = pipeline(processing(environment={"NOTE": "done \N{PARTY POPPER} 한글"}))
    assert definition.validate(BINDER) == []


def test_numbers_at_the_bounds_of_their_shapes_pass() -> None:
    # ProcessingInstanceCount 1..100, ProcessingVolumeSizeInGB 1..16384,
    # ProcessingMaxRuntimeInSeconds 1..777600 (the service model's min and max).
    for count, size, runtime in ((100, 16384, 777600), (1, 1, 1)):
        definition = compiled(processing())
        arguments = step_named(definition, "Prep")["Arguments"]
        cluster = arguments["ProcessingResources"]["ClusterConfig"]
        cluster.update(InstanceCount=count, VolumeSizeInGB=size)
        arguments["StoppingCondition"] = {"MaxRuntimeInSeconds": runtime}
        assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("input_data", "output_path"),
    [
        ("s3://b/scoring/incoming/", "s3://b/scoring/predictions/"),
        ("s3://b/in/", "s3://b/in-scores/"),  # the slash ends the prefix
        ("s3://b/in/day.manifest", "s3://b/in/"),  # a manifest names its objects
    ],
)
def test_a_transform_writing_beside_its_input_is_valid(input_data: str, output_path: str) -> None:
    manifest = input_data.endswith(".manifest")
    score = TransformStep(
        name="BatchScore",
        model_name="m",
        input_data=input_data,
        output_path=output_path,
        s3_data_type="ManifestFile" if manifest else "S3Prefix",
    )
    pipeline(score).to_json()
