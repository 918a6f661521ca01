"""Expressions: Join, JsonGet, execution variables, and how string fields render them."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    ConditionEquals,
    ConditionStep,
    ExecutionVariable,
    ExecutionVariables,
    Expression,
    ExpressionOperatorError,
    ExpressionTextError,
    FailStep,
    Image,
    Join,
    JsonGet,
    LambdaStep,
    OutputType,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    PropertyPathError,
    S3Location,
    StaticBinder,
    StepOutput,
    TrainingStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._errors import UnrenderableValueError
from cdk_sagemaker_pipelines.definition._render import (
    RenderContext,
    render,
    render_string,
    render_string_list,
    render_string_map,
)
from cdk_sagemaker_pipelines.definition.expressions import is_valid_json_path
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions

ROLE = "arn:aws:iam::111122223333:role/SageMakerRole"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
REPORT = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
evaluate = ProcessingStep(name="Evaluate", image=IMAGE, property_files=[REPORT])
train = TrainingStep(name="Train", image=IMAGE)
JSON_GET = {
    "Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
        "Path": "metrics.accuracy.value",
    }
}


# Execution variables


@pytest.mark.parametrize(
    ("variable", "name", "value_type"),
    [
        (ExecutionVariables.START_DATETIME, "StartDateTime", "Timestamp"),
        (ExecutionVariables.CURRENT_DATETIME, "CurrentDateTime", "Timestamp"),
        (ExecutionVariables.PIPELINE_NAME, "PipelineName", "String"),
        (ExecutionVariables.PIPELINE_ARN, "PipelineArn", "String"),
        (ExecutionVariables.PIPELINE_EXECUTION_ID, "PipelineExecutionId", "String"),
        (ExecutionVariables.PIPELINE_EXECUTION_ARN, "PipelineExecutionArn", "String"),
    ],
)
def test_execution_variables(variable: ExecutionVariable, name: str, value_type: str) -> None:
    assert variable.to_request() == {"Get": f"Execution.{name}"}
    assert variable.expr == {"Get": f"Execution.{name}"}
    assert variable.value_type == value_type


def test_fails_an_unknown_execution_variable_when_built() -> None:
    # Was accepted until the pipeline compiled, far from where the name was written.
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape(
            "ExecutionVariable: unknown execution variable 'PipelineExecutionID' (use the "
            "constants of ExecutionVariables, e.g. ExecutionVariables.PIPELINE_EXECUTION_ID; "
            "did you mean 'PipelineExecutionId'"
        ),
    ):
        ExecutionVariable("PipelineExecutionID")
    with pytest.raises(PipelineDefinitionError, match="expected one of 'CurrentDateTime', "):
        ExecutionVariable("Foo")


@pytest.mark.parametrize(
    ("attribute", "hint"),
    [
        ("PipelineExecutionId", "did you mean ExecutionVariables.PIPELINE_EXECUTION_ID?"),
        ("pipeline_name", "did you mean ExecutionVariables.PIPELINE_NAME?"),
        ("PIPELINE_EXECUTION_IDS", "did you mean 'PIPELINE_EXECUTION_ID'"),
        ("Foo", "expected one of 'CURRENT_DATETIME', "),
    ],
)
def test_fails_an_execution_variable_spelt_otherwise_naming_the_constant(
    attribute: str, hint: str
) -> None:
    with pytest.raises(PropertyPathError) as caught:
        getattr(ExecutionVariables, attribute)

    assert str(caught.value).startswith(
        f"ExecutionVariables has no variable {attribute!r} (the constants are upper case, as in "
        f"the SageMaker SDK: {hint}"
    )
    assert isinstance(caught.value, AttributeError)
    assert not hasattr(ExecutionVariables, attribute)


# Join


def test_join_renders_literals_parameters_variables_and_properties() -> None:
    bucket = ParameterString(name="Bucket", default_value="my-bucket")
    ctx = RenderContext()
    join = Join(
        on="/",
        values=[
            "s3:/",
            bucket,
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            train.properties.TrainingJobName,
            3,
        ],
    )

    assert join.to_request(ctx) == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                {"Get": "Parameters.Bucket"},
                {"Get": "Execution.PipelineExecutionId"},
                {"Get": "Steps.Train.TrainingJobName"},
                3,
            ],
        }
    }
    assert join.value_type == "String"
    assert ctx.referenced_parameters == [bucket]
    assert ctx.referenced_steps == [train]


def test_join_nests() -> None:
    inner = Join(on="-", values=["a", ExecutionVariables.PIPELINE_NAME])

    assert Join(on="/", values=["s3://b", inner]).to_request() == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://b",
                {"Std:Join": {"On": "-", "Values": ["a", {"Get": "Execution.PipelineName"}]}},
            ],
        }
    }


def test_join_defaults_to_an_empty_separator() -> None:
    assert Join(values=["a"]).to_request() == {"Std:Join": {"On": "", "Values": ["a"]}}


def test_fails_join_separator_must_be_a_string() -> None:
    with pytest.raises(PipelineDefinitionError, match="Join: field 'on' expects str, got int 1"):
        Join(on=1, values=["a"])  # type: ignore[arg-type]


# JsonGet


@pytest.mark.parametrize(
    ("step", "property_file"),
    [
        (evaluate, REPORT),
        ("Evaluate", REPORT),
        (evaluate, "EvaluationReport"),
        ("Evaluate", "EvaluationReport"),
    ],
    ids=["objects", "step-name", "file-name", "names"],
)
def test_json_get_renders_the_same_from_objects_or_names(step: Any, property_file: Any) -> None:
    json_get = JsonGet(step=step, property_file=property_file, json_path="metrics.accuracy.value")

    assert json_get.to_request() == JSON_GET
    assert (json_get.step_name, json_get.property_file_name) == ("Evaluate", "EvaluationReport")
    # The value's type is only known when the file is read at run time.
    assert json_get.value_type is None


def test_json_get_with_a_step_object_records_the_step() -> None:
    ctx = RenderContext()

    JsonGet(step=evaluate, property_file=REPORT, json_path="a").to_request(ctx)

    assert ctx.referenced_steps == [evaluate]


def test_json_get_with_a_step_name_records_nothing() -> None:
    ctx = RenderContext()

    JsonGet(step="Evaluate", property_file=REPORT, json_path="a").to_request(ctx)

    assert ctx.referenced_steps == []


def test_property_file_renders_its_entry() -> None:
    assert REPORT.to_request() == {
        "PropertyFileName": "EvaluationReport",
        "OutputName": "evaluation",
        "FilePath": "evaluation.json",
    }


def test_fails_json_get_step_must_be_a_step_or_name() -> None:
    with pytest.raises(
        PipelineDefinitionError, match="JsonGet: field 'step' expects Step or str, got int 3"
    ):
        JsonGet(step=3, property_file=REPORT, json_path="a")  # type: ignore[arg-type]


# JsonGet over a JSON file in S3 (s3_uri=)

score = ProcessingStep(name="Score", image=IMAGE, outputs=["evaluation"])
REPORT_URI = Join(on="/", values=[score.output("evaluation"), "evaluation.json"])
OUTPUT_URI = {"Get": "Steps.Score.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"}


def test_json_get_of_an_s3_uri_renders_as_the_sdk_writes_it() -> None:
    ctx = RenderContext()

    rendered = JsonGet(s3_uri=REPORT_URI, json_path="metrics.accuracy.value").to_request(ctx)

    # sagemaker 2.257.7: JsonGet(s3_uri=Join(...), json_path=...).expr
    assert rendered == {
        "Std:JsonGet": {
            "S3Uri": {"Std:Join": {"On": "/", "Values": [OUTPUT_URI, "evaluation.json"]}},
            "Path": "metrics.accuracy.value",
        }
    }
    # The step whose output holds the file is reached through the URI.
    assert ctx.referenced_steps == [score]


@pytest.mark.parametrize(
    "uri",
    [
        "s3://my-bucket/reports/latest.json",
        ParameterString(name="ReportUri", default_value="s3://my-bucket/r.json"),
    ],
    ids=["literal", "parameter"],
)
def test_json_get_of_a_uri_that_is_no_join_renders_a_one_value_join(uri: Any) -> None:
    # The SDK takes only a Join there: the URI is written as the Join an SDK user writes.
    rendered = JsonGet(s3_uri=uri, json_path="a.b").to_request()

    assert rendered == {
        "Std:JsonGet": {"S3Uri": {"Std:Join": {"On": "", "Values": [render(uri)]}}, "Path": "a.b"}
    }


@pytest.mark.parametrize(
    ("path", "valid"),
    [
        ("metrics.accuracy.value", True),
        ("$.list[0]['a']", True),
        ("result[-1]", True),  # the SDK's DelayedReturn indexed from the end
        ("[-1].score", True),
        ("metrics[accuracy]", False),
        ("result[-]", False),
        ("result[1-]", False),
        ("a..b", False),
    ],
)
def test_json_paths_are_dotted_names_with_indexes_that_may_count_from_the_end(
    path: str, valid: bool
) -> None:
    assert is_valid_json_path(path) is valid


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"json_path": "a"},
            "JsonGet: give property_file= (with step=) or s3_uri= (a JSON file in S3)",
        ),
        (
            {"step": evaluate, "property_file": REPORT, "s3_uri": REPORT_URI, "json_path": "a"},
            "JsonGet: give property_file= or s3_uri=, not both",
        ),
        ({"property_file": REPORT, "json_path": "a"}, "JsonGet: property_file= needs step="),
        (
            {"step": evaluate, "s3_uri": REPORT_URI, "json_path": "a"},
            "JsonGet: step= goes with property_file=",
        ),
        ({"s3_uri": REPORT_URI}, "JsonGet: json_path= is required"),
        (
            {"s3_uri": "my-bucket/report.json", "json_path": "a"},
            "JsonGet: s3_uri 'my-bucket/report.json' is not an S3 URI",
        ),
    ],
    ids=["neither", "both", "file-without-step", "uri-with-step", "no-path", "not-s3"],
)
def test_fails_json_get_needs_one_file_and_a_path(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        JsonGet(**arguments)


def test_json_get_of_an_s3_uri_compiles_with_the_writer_as_a_dependency() -> None:
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(left=JsonGet(s3_uri=REPORT_URI, json_path="metrics.passed"), right=True)
        ],
        if_steps=[FailStep(name="Stop", error_message="passed")],
    )

    definition = PipelineDefinition(steps=[check]).to_definition(
        StaticBinder(role_arn=ROLE, default_bucket="b")
    )

    assert [step["Name"] for step in definition["Steps"]] == ["Score", "Check"]


@pytest.mark.parametrize(
    "values",
    [
        ["s3://reports", ExecutionVariables.PIPELINE_EXECUTION_ID, "report.json"],
        ["s3:/", "reports", ExecutionVariables.PIPELINE_EXECUTION_ID, "report.json"],
    ],
    ids=["bucket-in-the-scheme-part", "sdk-s3-slash"],
)
def test_json_get_of_a_joined_s3_uri_passes(values: list[Any]) -> None:
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(
                left=JsonGet(s3_uri=Join(on="/", values=values), json_path="passed"), right=True
            )
        ],
        if_steps=[FailStep(name="Stop", error_message="passed")],
    )
    definition = PipelineDefinition(steps=[check])
    assert definition.validate(StaticBinder(role_arn=ROLE, default_bucket="b")) == []


def test_json_gets_read_under_an_output_whose_uri_ends_in_an_execution_id() -> None:
    # The output is s3://results/evaluation/<execution id>: the files are one level below.
    destination = Join(
        on="/", values=["s3://results/evaluation", ExecutionVariables.PIPELINE_EXECUTION_ID]
    )
    report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    scored = ProcessingStep(
        name="Score",
        image=IMAGE,
        outputs=[
            ProcessingOutput(
                output_name="evaluation",
                source="/opt/ml/processing/evaluation",
                destination=destination,
            )
        ],
        property_files=[report],
    )
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(
                left=JsonGet(step=scored, property_file=report, json_path="passed"), right=True
            ),
            ConditionEquals(
                left=JsonGet(
                    s3_uri=Join(on="/", values=[scored.output("evaluation"), "summary.json"]),
                    json_path="passed",
                ),
                right=True,
            ),
        ],
        if_steps=[FailStep(name="Stop", error_message="passed")],
    )
    definition = PipelineDefinition(steps=[check]).to_definition(
        StaticBinder(role_arn=ROLE, default_bucket="b")
    )

    # Not evaluation/evaluation.json: the execution id's * is kept.
    assert plan_permissions(definition).property_file_reads == [
        S3Access("results", "evaluation/*/evaluation.json"),
        S3Access("results", "evaluation/*/summary.json"),
    ]


def test_a_json_get_in_a_branch_step_is_listed_under_that_step_only() -> None:
    report = ParameterString(name="Report", default_value="s3://reports/report.json")
    stop = FailStep(
        name="Stop",
        error_message=Join(on=" ", values=["failed:", JsonGet(s3_uri=report, json_path="why")]),
    )
    go_on = FailStep(
        name="GoOn",
        error_message=Join(on=" ", values=["passed:", JsonGet(s3_uri=report, json_path="why")]),
    )
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=JsonGet(s3_uri=report, json_path="passed"), right=True)],
        if_steps=[go_on],
        else_steps=[stop],
    )
    definition = PipelineDefinition(parameters=[report], steps=[check]).to_definition(
        StaticBinder(role_arn=ROLE, default_bucket="b")
    )

    reads = plan_permissions(definition).unattributed_json_reads

    assert [(item.step, item.field) for item in reads] == [
        ("Check", "Arguments.Conditions[0].LeftValue.Std:JsonGet.S3Uri"),
        ("GoOn", "Arguments.ErrorMessage.Std:Join.Values[1].Std:JsonGet.S3Uri"),
        ("Stop", "Arguments.ErrorMessage.Std:Join.Values[1].Std:JsonGet.S3Uri"),
    ]


def test_a_json_get_grants_the_read_of_its_own_property_file_only() -> None:
    # The producer declares two files in two outputs; the condition reads one of them.
    report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    extra = PropertyFile(name="Extra", output_name="details", path="details.json")
    scored = ProcessingStep(
        name="Score",
        image=IMAGE,
        outputs=[
            ProcessingOutput(
                output_name=name,
                source=f"/opt/ml/processing/{name}",
                destination=f"s3://results/{name}",
            )
            for name in ("details", "evaluation")
        ],
        property_files=[extra, report],
    )
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(
                left=JsonGet(step=scored, property_file=report, json_path="passed"), right=True
            )
        ],
        if_steps=[FailStep(name="Stop", error_message="passed")],
    )
    definition = PipelineDefinition(steps=[check]).to_definition(
        StaticBinder(role_arn=ROLE, default_bucket="b")
    )

    assert plan_permissions(definition).property_file_reads == [
        S3Access("results", "evaluation/evaluation.json")
    ]


# to_string


@pytest.mark.parametrize(
    "expression",
    [
        ParameterInteger(name="Epochs", default_value=1),
        ExecutionVariables.START_DATETIME,
        train.properties.FinalMetricDataList["acc"].Value,
    ],
)
def test_to_string_wraps_in_an_empty_join(expression: Expression) -> None:
    joined = expression.to_string()

    assert joined.to_request() == {"Std:Join": {"On": "", "Values": [expression.to_request()]}}
    assert joined.value_type == "String"


@pytest.mark.parametrize(
    "expression",
    [
        ParameterString(name="Bucket"),
        ExecutionVariables.PIPELINE_EXECUTION_ID,
        train.properties.ModelArtifacts.S3ModelArtifacts,
        Join(on="/", values=["s3://bucket", ExecutionVariables.PIPELINE_NAME]),
        JsonGet(step=evaluate, property_file=REPORT, json_path="metrics.accuracy.value"),
    ],
)
@pytest.mark.parametrize(
    "to_text",
    [
        lambda value: f"s3://{value}/data",
        str,
        lambda value: "s3://%s/data" % value,  # noqa: UP031 - the %-formatting is the test
        "s3://{}/data".format,
    ],
)
def test_fails_an_expression_turned_into_text_while_defining(
    expression: Expression, to_text: Any
) -> None:
    # Without the error the object's repr would become literal text in the definition.
    with pytest.raises(ExpressionTextError, match="has no text until the pipeline runs") as e:
        to_text(expression)

    assert isinstance(e.value, TypeError)
    assert isinstance(e.value, PipelineDefinitionError)
    assert "Join(on=" in str(e.value)
    assert repr(expression) in str(e.value)


RUN_TIME_VALUES = [
    ParameterInteger(name="Rows"),
    ExecutionVariables.PIPELINE_EXECUTION_ID,
    train.properties.FinalMetricDataList["val:acc"].Value,
    Join(on="/", values=["s3://bucket", ExecutionVariables.PIPELINE_NAME]),
    JsonGet(step=evaluate, property_file=REPORT, json_path="metrics.accuracy.value"),
]


@pytest.mark.parametrize("value", RUN_TIME_VALUES)
@pytest.mark.parametrize(
    ("compare", "condition"),
    [
        (lambda value: value < 5, "ConditionLessThan(left=value, right=5)"),
        (lambda value: value <= 5, "ConditionLessThanOrEqualTo(left=value, right=5)"),
        (lambda value: value > 5, "ConditionGreaterThan(left=value, right=5)"),
        (lambda value: value >= 5, "ConditionGreaterThanOrEqualTo(left=value, right=5)"),
        # Python asks the right operand for the reflected operator: the same comparison.
        (lambda value: 5 < value, "ConditionGreaterThan(left=value, right=5)"),  # noqa: SIM300
    ],
    ids=["lt", "le", "gt", "ge", "reflected"],
)
def test_fails_a_run_time_value_compared_while_defining_naming_the_condition(
    value: Expression, compare: Any, condition: str
) -> None:
    # Python's own error ("'<' not supported between instances of …") named no way out.
    with pytest.raises(ExpressionOperatorError) as caught:
        compare(value)

    assert "can't be compared while the pipeline is defined" in str(caught.value)
    assert f"ConditionStep(conditions=[{condition}], …)" in str(caught.value)
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize("value", RUN_TIME_VALUES)
@pytest.mark.parametrize(
    ("concatenate", "values"),
    [
        (lambda value: value + "/data", "[value, '/data']"),
        (lambda value: "s3://" + value, "['s3://', value]"),
    ],
    ids=["after", "before"],
)
def test_fails_a_run_time_value_concatenated_while_defining_naming_join(
    value: Expression, concatenate: Any, values: str
) -> None:
    with pytest.raises(ExpressionOperatorError) as caught:
        concatenate(value)

    assert f'Join(on="", values={values})' in str(caught.value)
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, PipelineDefinitionError)


@pytest.mark.parametrize("value", RUN_TIME_VALUES)
@pytest.mark.parametrize(
    "test",
    [lambda value: bool(value), lambda value: value or "default", lambda value: not value],
    ids=["bool", "or", "not"],
)
def test_fails_a_truth_test_of_a_run_time_value_naming_the_condition_step(
    value: Expression, test: Any
) -> None:
    # Every object used to be true: `if use_gpu:` on a ParameterBoolean always took its
    # branch, whatever value a run was given.
    with pytest.raises(ExpressionOperatorError) as caught:
        test(value)

    assert "has no truth value until the pipeline runs" in str(caught.value)
    right = {"Integer": "1", "Float": "1.0", "String": '"yes"'}.get(value.value_type or "", "True")
    assert f"ConditionStep(conditions=[ConditionEquals(left=value, right={right})]" in str(
        caught.value
    )
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    ("parameter", "right"),
    [
        (ParameterBoolean(name="UseGpu"), "True"),
        (ParameterString(name="Env"), '"yes"'),
        (ParameterFloat(name="Threshold"), "1.0"),
    ],
    ids=["boolean", "string", "float"],
)
def test_fails_a_truth_test_naming_a_condition_on_a_value_of_the_parameters_type(
    parameter: Expression, right: str
) -> None:
    # `right=True` for a string parameter would be the next error: Equals between a String
    # and a Boolean is never true, which validation rejects.
    with pytest.raises(ExpressionOperatorError) as caught:
        bool(parameter)

    assert f"ConditionEquals(left=value, right={right})" in str(caught.value)


def test_a_run_time_value_still_works_in_collections_and_none_tests() -> None:
    # Membership and dict keys compare with ==, whose result is a Python bool, not the value.
    use_gpu = ParameterBoolean("UseGpu", default_value=False)
    assert use_gpu in [ParameterString("Other"), use_gpu]
    assert {use_gpu: "gpu"}[use_gpu] == "gpu"
    assert (use_gpu if use_gpu is not None else False) is use_gpu


def test_fails_the_length_of_a_step_property_naming_indexing() -> None:
    outputs = evaluate.properties.ProcessingOutputConfig.Outputs

    with pytest.raises(ExpressionOperatorError, match=r"has no length until the pipeline runs"):
        len(outputs)
    with pytest.raises(ExpressionOperatorError, match=r"has no truth value until the pipeline"):
        bool(outputs)  # not len(): a property's truth is no more known than its length


# render_string: how string-typed fields (hyperparameters, environment, container arguments)
# render values. Strings and string expressions stay; everything else becomes a string.


class Mode(enum.Enum):
    FAST = "fast"


lambda_step = LambdaStep(
    name="L",
    function_arn="arn:aws:lambda:us-east-1:111122223333:function:f",
    outputs=[
        StepOutput(output_name="uri"),
        StepOutput(output_name="rows", output_type=OutputType.INTEGER),
    ],
)


def wrapped(expression: Expression) -> dict[str, Any]:
    return {"Std:Join": {"On": "", "Values": [expression.to_request()]}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (10, "10"),
        (0.1, "0.1"),
        (True, "true"),
        (False, "false"),
        (Mode.FAST, "fast"),
        (None, None),
    ],
    ids=["str", "int", "float", "true", "false", "enum", "none"],
)
def test_render_string_converts_literals(value: Any, expected: Any) -> None:
    assert render_string(value) == expected


STRING_EXPRESSIONS = [
    ParameterString(name="S", default_value="x"),
    ExecutionVariables.PIPELINE_EXECUTION_ID,
    # Execution variables are strings at run time, date-times included (as in the SDK).
    ExecutionVariables.START_DATETIME,
    Join(on="/", values=["a", "b"]),
    train.properties.TrainingJobName,
    lambda_step.properties.OutputParameters["uri"],
]
OTHER_EXPRESSIONS = [
    ParameterInteger(name="I", default_value=1),
    ParameterFloat(name="F", default_value=0.5),
    ParameterBoolean(name="B", default_value=True),
    train.properties.FinalMetricDataList["acc"].Value,
    train.properties.ResourceConfig.InstanceCount,
    lambda_step.properties.OutputParameters["rows"],
    # Unknown types (a JsonGet value, a non-leaf property) are wrapped to be safe.
    JsonGet(step=evaluate, property_file=REPORT, json_path="metrics.accuracy.value"),
    train.properties.ModelArtifacts,
]


@pytest.mark.parametrize("expression", STRING_EXPRESSIONS, ids=repr)
def test_render_string_keeps_string_expressions(expression: Expression) -> None:
    assert render_string(expression) == expression.to_request()


@pytest.mark.parametrize("expression", OTHER_EXPRESSIONS, ids=repr)
def test_render_string_wraps_other_expressions_in_an_empty_join(expression: Expression) -> None:
    assert render_string(expression) == wrapped(expression)


def test_render_string_records_references_inside_the_wrapper() -> None:
    ctx = RenderContext()
    epochs = ParameterInteger(name="Epochs", default_value=1)

    render_string(epochs, ctx)
    render_string(train.properties.FinalMetricDataList["acc"].Value, ctx)

    assert ctx.referenced_parameters == [epochs]
    assert ctx.referenced_steps == [train]


def test_render_string_map_and_list() -> None:
    epochs = ParameterInteger(name="Epochs", default_value=1)

    assert render_string_map({"epochs": epochs, "lr": 0.1, "name": "x"}, None) == {
        "epochs": wrapped(epochs),
        "lr": "0.1",
        "name": "x",
    }
    assert render_string_list(["--epochs", epochs, "--fast", True], None) == [
        "--epochs",
        wrapped(epochs),
        "--fast",
        "true",
    ]
    assert render_string_map(None, None) is None
    assert render_string_list(None, None) is None


def test_render_keeps_json_types_outside_string_fields() -> None:
    epochs = ParameterInteger(name="Epochs", default_value=1)

    assert render({"n": 5, "ok": True, "epochs": epochs, "list": (1, "a")}) == {
        "n": 5,
        "ok": True,
        "epochs": {"Get": "Parameters.Epochs"},
        "list": [1, "a"],
    }


def test_fails_render_rejects_values_with_no_json_form() -> None:
    with pytest.raises(TypeError, match=r"cannot render a set into a pipeline definition: \{1\}"):
        render({1})


def test_fails_a_step_used_as_a_value_asks_for_a_property() -> None:
    step = LambdaStep(
        name="Notify",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:f",
        inputs={"model": train},
    )

    ctx = RenderContext()
    step.to_request(ctx)

    [problem] = ctx.problems
    assert (problem.step, problem.field) == ("Notify", "Arguments['model']")
    assert problem.message.startswith(
        "a step is not a value: TrainingStep(name='Train') can't be rendered into "
        "another step; reference one of its properties"
    )
    with pytest.raises(
        PipelineValidationError, match=r"step 'Notify' field 'Arguments\['model'\]'"
    ):
        step.to_request()


def test_fails_a_step_used_as_a_value_names_the_step_and_field_at_compile() -> None:
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=Join(on="-", values=["a", train]), right="b")],
        if_steps=[FailStep(name="Stop", error_message="x")],
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[check]).compile(StaticBinder(role_arn=ROLE))

    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "Check",
        "Arguments.Conditions[0].LeftValue.Std:Join.Values[1]",
    )
    assert "a step is not a value" in problem.message


def test_fails_a_value_with_no_json_form_names_the_step_and_field() -> None:
    step = FailStep(name="Stop", error_message=Join(on="", values=[{1, 2}]))

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).compile()

    [problem] = raised.value.problems
    assert (problem.step, problem.field) == ("Stop", "Arguments.ErrorMessage.Std:Join.Values[0]")
    assert problem.message == "cannot render a set into a pipeline definition: {1, 2}"
    assert "expressions" in str(problem.hint)


def test_fails_a_numpy_number_says_how_to_make_it_a_python_one() -> None:
    # hyperparameters={"n_estimators": np.int64(100)}, computed in a notebook: np.int64 is
    # no int, and "use numbers" would puzzle whoever wrote one.
    numpy = pytest.importorskip("numpy")
    step = FailStep(name="Stop", error_message=Join(on="", values=[numpy.int64(100)]))

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).compile()

    [problem] = raised.value.problems
    assert problem.message.startswith("cannot render a NumPy int64 into a pipeline definition")
    assert "value.item()" in str(problem.hint)


def test_fails_an_s3_location_in_a_join_says_to_join_its_bucket_name() -> None:
    # A per-execution checkpoint location under a bucket, as docs/constructs.md advises:
    # a binder binds an S3Location only where a step takes a location, not inside a Join.
    checkpoints = S3Location.from_bucket("my-bucket", "checkpoints")
    step = TrainingStep(
        name="FineTune",
        image=Image.pytorch("2.1", processor="gpu"),
        use_spot_instances=True,
        max_wait_in_seconds=172800,
        checkpoint_s3_uri=Join(
            on="/", values=[checkpoints, ExecutionVariables.PIPELINE_EXECUTION_ID]
        ),
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(
            StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
        )

    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "FineTune",
        "Arguments.CheckpointConfig.S3Uri.Std:Join.Values[0]",
    )
    assert problem.message.startswith(
        "cannot render an S3Location inside a Join, list or mapping: S3Location("
    )
    assert problem.hint == (
        "a step binds an S3Location only where it takes a location itself (inputs=, "
        "output_path=, checkpoint_s3_uri=, …); to add parts to a location, join its bucket's "
        'name instead: Join(on="", values=["s3://", bucket.bucket_name, "/checkpoints/", '
        "ExecutionVariables.PIPELINE_EXECUTION_ID])"
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_fails_nan_or_infinity_for_a_string_field_naming_the_step_and_field(
    value: float,
) -> None:
    # str() would send the job "nan": a hyperparameter the script parses as NaN, silently.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        hyperparameters={"C": value, "epochs": 10, "alpha": 0.5},
        environment={"SEED": "1", "LIMIT": value},
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).compile()

    # (Train has no role or output path either: no binder here.)
    problems = [problem for problem in raised.value.problems if "JSON number" in problem.message]
    assert [(problem.step, problem.field) for problem in problems] == [
        ("Train", "Arguments.HyperParameters['C']"),
        ("Train", "Arguments.Environment['LIMIT']"),
    ]
    assert problems[0].message == (
        f"{value!r} is not a JSON number: it would be sent as the string {str(value)!r}"
    )
    assert f'pass the string "{value}"' in str(problems[0].hint)


def test_render_string_refuses_nan_and_keeps_finite_floats() -> None:
    assert render_string_map({"a": 0.5, "b": -1e300, "c": 0.0}, None) == {
        "a": "0.5",
        "b": "-1e+300",
        "c": "0.0",
    }
    with pytest.raises(UnrenderableValueError, match="'nan'"):
        render_string(float("nan"))
    numpy = pytest.importorskip("numpy")
    with pytest.raises(UnrenderableValueError, match="not a JSON number"):
        render_string(numpy.float64("inf"))  # a float subclass


def test_get_references_lists_each_reference_once_in_order_at_any_depth() -> None:
    from cdk_sagemaker_pipelines.definition.permissions import get_references

    nested: Any = {"Get": "Steps.Deep.Outcome"}
    for _ in range(5000):  # deeper than Python's recursion limit
        nested = [nested]
    value = {
        "A": {"Std:Join": {"On": "/", "Values": [{"Get": "Parameters.P"}, {"Get": "Steps.S.X"}]}},
        "B": [{"Get": "Parameters.P"}, {"Get": 3}, {"Get": "Execution.PipelineName", "x": 1}],
        "C": nested,
    }

    assert get_references(value) == ["Parameters.P", "Steps.S.X", "Steps.Deep.Outcome"]


def test_job_name_variables_in_their_own_jobs_arguments() -> None:
    # The SDK's ExecutionVariables.TRAINING_JOB_NAME and PROCESSING_JOB_NAME name the job
    # of the step whose arguments hold them.
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    steps = [
        TrainingStep(
            name="Train",
            image=IMAGE,
            output_path=Join(on="/", values=["s3://b/model", ExecutionVariables.TRAINING_JOB_NAME]),
        ),
        ProcessingStep(
            name="Prep",
            image=IMAGE,
            environment={"JOB": ExecutionVariables.PROCESSING_JOB_NAME},
        ),
    ]

    definition = PipelineDefinition(steps=steps).to_definition(binder)

    prep = next(entry for entry in definition["Steps"] if entry["Name"] == "Prep")
    assert prep["Arguments"]["Environment"] == {"JOB": {"Get": "Execution.ProcessingJobName"}}
    assert ExecutionVariables.TRAINING_JOB_NAME.value_type == "String"


@pytest.mark.parametrize(
    ("step", "field", "variable", "kind"),
    [
        ("Prep", "Arguments.Environment['JOB']", "TrainingJobName", "Training"),
        ("Train", "Arguments.Environment['JOB']", "ProcessingJobName", "Processing"),
        ("Gate", "Arguments.Conditions[0].LeftValue", "TrainingJobName", "Training"),
    ],
)
def test_fails_a_job_name_variable_outside_its_jobs_arguments(
    step: str, field: str, variable: str, kind: str
) -> None:
    get = {"Get": f"Execution.{variable}"}
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {
                        "TrainingImage": IMAGE,
                        "TrainingInputMode": "File",
                    },
                    "OutputDataConfig": {"S3OutputPath": "s3://b/model"},
                    "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
                    "ResourceConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                        "VolumeSizeInGB": 30,
                    },
                    "RoleArn": ROLE,
                    "Environment": {"JOB": get if step == "Train" else "x"},
                },
            },
            {
                "Name": "Prep",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingResources": {
                        "ClusterConfig": {
                            "InstanceCount": 1,
                            "InstanceType": "ml.m5.large",
                            "VolumeSizeInGB": 30,
                        }
                    },
                    "AppSpecification": {"ImageUri": IMAGE},
                    "RoleArn": ROLE,
                    "Environment": {"JOB": get if step == "Prep" else "x"},
                },
            },
            {
                "Name": "Gate",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [
                        {
                            "Type": "Equals",
                            "LeftValue": get if step == "Gate" else "x",
                            "RightValue": "y",
                        }
                    ],
                    "IfSteps": [],
                    "ElseSteps": [],
                },
            },
        ],
    }

    problems = validate_definition(definition)

    article = "an" if kind[0] in "AEIOU" else "a"
    assert [(p.step, p.field, p.message) for p in problems] == [
        (
            step,
            field,
            f"'Execution.{variable}' is the name of the job {article} {kind} step starts, "
            "known only in that step's own Arguments",
        )
    ]
