"""Parameters render as Get references and definition entries; run overrides are coerced."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinitionError,
    PipelineValidationError,
    Problem,
    coerce_parameter_values,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.parameters import parameter_problems


def declared() -> list[Any]:
    return [
        ParameterString(name="Env", default_value="dev", enum_values=["dev", "prod"]),
        ParameterInteger(name="Epochs", default_value=5),
        ParameterFloat(name="Threshold", default_value=0.8),
        ParameterBoolean(name="Skip", default_value=False),
        ParameterString(name="InputUri"),
    ]


def as_entries() -> list[dict[str, Any]]:
    """The same parameters as a definition's JSON ``Parameters`` list."""
    return [
        {"Name": "Env", "Type": "String", "DefaultValue": "dev", "EnumValues": ["dev", "prod"]},
        {"Name": "Epochs", "Type": "Integer", "DefaultValue": 5},
        {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.8},
        {"Name": "Skip", "Type": "Boolean", "DefaultValue": False},
        {"Name": "InputUri", "Type": "String"},
    ]


SOURCES = pytest.mark.parametrize("source", [declared, as_entries], ids=["objects", "json"])


def problems(error: pytest.ExceptionInfo[PipelineValidationError]) -> list[tuple[Any, ...]]:
    return [(p.step, p.field, p.message, p.hint) for p in error.value.problems]


# Rendering


def test_to_definition_renders_each_type() -> None:
    assert [parameter.to_definition() for parameter in declared()] == as_entries()


def test_to_definition_keeps_falsy_defaults() -> None:
    assert ParameterString(name="Suffix", default_value="").to_definition() == {
        "Name": "Suffix",
        "Type": "String",
        "DefaultValue": "",
    }
    assert ParameterInteger(name="Retries", default_value=0).to_definition() == {
        "Name": "Retries",
        "Type": "Integer",
        "DefaultValue": 0,
    }


def test_reference_renders_a_get_and_records_the_parameter() -> None:
    epochs = ParameterInteger(name="Epochs", default_value=5)
    ctx = RenderContext()

    assert epochs.to_request(ctx) == {"Get": "Parameters.Epochs"}
    assert epochs.expr == {"Get": "Parameters.Epochs"}
    assert ctx.referenced_parameters == [epochs]


@pytest.mark.parametrize(
    ("parameter", "value_type"),
    [
        (ParameterString(name="S"), "String"),
        (ParameterInteger(name="I"), "Integer"),
        (ParameterFloat(name="F"), "Float"),
        (ParameterBoolean(name="B"), "Boolean"),
    ],
)
def test_value_type_is_the_declared_type(parameter: Any, value_type: str) -> None:
    assert parameter.value_type == value_type


def test_parameters_compare_by_identity() -> None:
    # Two declarations of one name are two parameters; compile reports a mismatch.
    assert ParameterInteger(name="Epochs", default_value=5) != ParameterInteger(
        name="Epochs", default_value=5
    )


# Coercion of a run's overrides


@SOURCES
def test_defaults_fill_in_what_is_not_given(source: Any) -> None:
    assert coerce_parameter_values(source(), {"InputUri": "s3://b/in"}) == {
        "Env": "dev",
        "Epochs": 5,
        "Threshold": 0.8,
        "Skip": False,
        "InputUri": "s3://b/in",
    }


@SOURCES
def test_strings_are_parsed_to_the_declared_types(source: Any) -> None:
    values = coerce_parameter_values(
        source(),
        {"Env": "prod", "Epochs": "12", "Threshold": "0.95", "Skip": "TRUE", "InputUri": "s3://x"},
    )

    assert values == {
        "Env": "prod",
        "Epochs": 12,
        "Threshold": 0.95,
        "Skip": True,
        "InputUri": "s3://x",
    }
    assert type(values["Epochs"]) is int
    assert type(values["Skip"]) is bool


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("Integer", "-3", -3),
        ("Integer", "+4", 4),
        ("Float", "+0.5", 0.5),
        ("Integer", " 7 ", 7),
        ("Float", "1e3", 1000.0),
        ("Float", "2", 2.0),
        ("Boolean", "false", False),
        ("Boolean", "True", True),
        ("Boolean", " true ", True),
        ("String", " padded ", " padded "),
    ],
)
def test_string_parsing_per_type(kind: str, raw: str, expected: Any) -> None:
    entry = {"Name": "P", "Type": kind}

    assert coerce_parameter_values([entry], {"P": raw}) == {"P": expected}


def test_already_typed_values_are_accepted() -> None:
    values = coerce_parameter_values(declared(), {"Epochs": 3, "Skip": True, "InputUri": "s3://x"})

    assert (values["Epochs"], values["Skip"]) == (3, True)


def test_float_parameter_given_an_int_returns_a_float() -> None:
    values = coerce_parameter_values(declared(), {"Threshold": 1, "InputUri": "s3://x"})

    assert type(values["Threshold"]) is float


def test_fails_integer_with_digit_separators() -> None:
    with pytest.raises(PipelineValidationError, match="expected an integer, got '1_000'"):
        coerce_parameter_values([{"Name": "N", "Type": "Integer"}], {"N": "1_000"})


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("Integer", "3.5", "Integer parameter: expected an integer, got '3.5'"),
        ("Integer", "0x10", "Integer parameter: expected an integer, got '0x10'"),
        ("Float", "abc", "Float parameter: expected a number, got 'abc'"),
        ("Float", "nan", "Float parameter: expected a finite number, got 'nan'"),
        ("Float", "inf", "Float parameter: expected a finite number, got 'inf'"),
        ("Float", "1e999", "Float parameter: expected a finite number, got '1e999'"),
        ("Boolean", "yes", "Boolean parameter: expected true or false, got 'yes'"),
        ("Boolean", "1", "Boolean parameter: expected true or false, got '1'"),
    ],
)
def test_fails_unparsable_strings(kind: str, raw: str, message: str) -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([{"Name": "P", "Type": kind}], {"P": raw})

    assert problems(caught) == [(None, "Parameters.P", message, None)]


def test_fails_bool_is_not_an_integer() -> None:
    with pytest.raises(PipelineValidationError, match=r"Parameters\.Epochs': Integer parameter"):
        coerce_parameter_values(declared(), {"Epochs": True, "InputUri": "s3://x"})


def test_fails_typed_value_of_the_wrong_type_reads_well() -> None:
    with pytest.raises(PipelineValidationError, match=r"expected an integer, got 2\.5"):
        coerce_parameter_values(declared(), {"Epochs": 2.5, "InputUri": "s3://x"})


def test_fails_typed_values_of_the_wrong_type_of_every_kind() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(declared(), {"Env": 1, "Threshold": True, "Skip": 0, "InputUri": 2})

    assert [message for _step, _field, message, _hint in problems(caught)] == [
        "String parameter: expected a string, got 1",
        "Float parameter: expected a number, got True",
        "Boolean parameter: expected true or false, got 0",
        "String parameter: expected a string, got 2",
    ]


@SOURCES
def test_fails_enum_violation_suggests_the_closest(source: Any) -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(source(), {"Env": "Prod", "InputUri": "s3://x"})

    assert problems(caught) == [
        (None, "Parameters.Env", "'Prod' is not one of 'dev', 'prod'", "did you mean 'prod'?")
    ]


def test_fails_enum_violation_without_a_hint_repeating_every_value() -> None:
    instance_type = ParameterString(
        name="TrainInstanceType",
        default_value="ml.g5.2xlarge",
        enum_values=["ml.g5.2xlarge", "ml.g5.12xlarge", "ml.p4d.24xlarge"],
    )
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([instance_type], {"TrainInstanceType": "ml.p5.48xlarge"})

    assert problems(caught) == [
        (
            None,
            "Parameters.TrainInstanceType",
            "'ml.p5.48xlarge' is not one of 'ml.g5.2xlarge', 'ml.g5.12xlarge', 'ml.p4d.24xlarge'",
            None,
        )
    ]


@SOURCES
def test_fails_unknown_name_suggests_the_closest(source: Any) -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(source(), {"Epoch": "3", "InputUri": "s3://x"})

    assert problems(caught) == [
        (None, "Parameters.Epoch", "no such parameter", "did you mean 'Epochs'?")
    ]


def test_fails_unknown_name_without_a_close_match_lists_the_declared_ones() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([ParameterInteger(name="Epochs", default_value=1)], {"Zzz": "1"})

    assert problems(caught) == [(None, "Parameters.Zzz", "no such parameter", "declared: 'Epochs'")]


def test_fails_unknown_name_when_nothing_is_declared() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([], {"X": "1"})

    assert problems(caught) == [(None, "Parameters.X", "no such parameter", "declared: none")]


@SOURCES
def test_fails_missing_required_value(source: Any) -> None:
    with pytest.raises(
        PipelineValidationError,
        match=r"^parameter set has 1 problem:\n"
        r"- pipeline field 'Parameters\.InputUri': has no default, so a value is required$",
    ):
        coerce_parameter_values(source(), {})


def test_fails_value_longer_than_the_service_accepts() -> None:
    longest = "s" * 1024
    assert coerce_parameter_values(declared(), {"InputUri": longest})["InputUri"] == longest
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(declared(), {"InputUri": "s" * 1025})

    assert problems(caught) == [
        (None, "Parameters.InputUri", "value longer than 1024 characters", None)
    ]


@SOURCES
def test_fails_reports_all_problems_in_one_error(source: Any) -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(
            source(), {"Envv": "dev", "Env": "qa", "Epochs": "many", "Skip": "maybe"}
        )

    assert caught.value.problems == (
        Problem(None, "Parameters.Envv", "no such parameter", "did you mean 'Env'?"),
        Problem(None, "Parameters.Env", "'qa' is not one of 'dev', 'prod'", None),
        Problem(
            None, "Parameters.Epochs", "Integer parameter: expected an integer, got 'many'", None
        ),
        Problem(None, "Parameters.Skip", "Boolean parameter: expected true or false, got 'maybe'"),
        Problem(None, "Parameters.InputUri", "has no default, so a value is required"),
    )
    assert str(caught.value).startswith("parameter set has 5 problems:\n- pipeline field ")


def test_fails_typed_float_beyond_a_double_is_a_problem_not_an_overflow() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(declared(), {"Threshold": 10**400, "InputUri": "s3://x"})

    [(step, field, message, hint)] = problems(caught)
    assert (step, field, hint) == (None, "Parameters.Threshold", None)
    assert message.startswith("Float parameter: expected a finite number, got 1000")
    assert len(message) < 120


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, str(10**30)], ids=["max", "min", "text"])
def test_fails_integer_beyond_64_bits_a_request_member_takes(value: int | str) -> None:
    # Was accepted and sent, though no integer member of a request can hold it.
    parameters = [ParameterInteger(name="Rows", default_value=1)]

    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(parameters, {"Rows": value})

    [(_, field, message, _)] = problems(caught)
    assert field == "Parameters.Rows"
    assert message.startswith(
        "Integer parameter: expected a 64-bit integer (from -2**63 to 2**63 - 1, the widest "
        "integer a request member takes), got "
    )


def test_integers_at_the_bounds_of_64_bits_pass() -> None:
    parameters = [ParameterInteger(name="Rows", default_value=-(2**63))]
    assert coerce_parameter_values(parameters) == {"Rows": -(2**63)}
    assert coerce_parameter_values(parameters, {"Rows": str(2**63 - 1)}) == {"Rows": 2**63 - 1}


def test_fails_more_values_than_a_pipeline_takes() -> None:
    most = [{"Name": f"P{index}", "Type": "String"} for index in range(200)]
    assert len(coerce_parameter_values(most, {entry["Name"]: "x" for entry in most})) == 200
    assert parameter_problems(most) == []
    entries = [{"Name": f"P{index}", "Type": "String"} for index in range(201)]
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(entries, {entry["Name"]: "x" for entry in entries})

    assert problems(caught) == [(None, "Parameters", "201 values, more than 200", None)]


def test_fails_parameter_names_that_are_not_strings() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values(declared(), {1: "x", "InputUri": "s3://x"})  # type: ignore[dict-item]

    assert problems(caught) == [(None, "Parameters", "parameter names are strings, got 1", None)]


def test_fails_values_not_given_as_a_mapping() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^parameter values must be a mapping of parameter names to values, got str 'Env=1'",
    ):
        coerce_parameter_values(declared(), "Env=1")  # type: ignore[arg-type]


@pytest.mark.parametrize("parameters", [None, 5, "Env", {"Name": "Env", "Type": "String"}])
def test_fails_parameters_not_given_as_a_list(parameters: Any) -> None:
    # Before, None and 5 raised TypeError: 'NoneType' object is not iterable.
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^parameters must be a list of Parameter objects or of the definition's "
        r"Parameters entries, got ",
    ):
        coerce_parameter_values(parameters, {})


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"Name": "Epochs", "Type": "Integer", "DefaultValue": "ten"},
            "Integer parameter default: expected an integer, got 'ten'",
        ),
        (
            {"Name": "Epochs", "Type": "Boolean", "DefaultValue": 1.5},
            "Boolean parameter default: expected true or false, got 1.5",
        ),
        (
            {"Name": "Epochs", "Type": "Intger", "DefaultValue": 1},
            "unknown parameter type 'Intger' (did you mean 'Integer'?)",
        ),
    ],
    ids=["integer-default-text", "boolean-default-number", "type-misspelt"],
)
def test_fails_declared_entries_whose_type_or_default_is_wrong(
    entry: dict[str, Any], message: str
) -> None:
    # Before, the default was returned as it was ('ten' for an Integer), and an unknown
    # type was parsed as a Boolean.
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([entry], {})

    [problem] = caught.value.problems
    assert (problem.step, problem.field) == (None, "Parameters.Epochs")
    assert str(problem).endswith(message)


def test_float_default_given_as_an_integer_returns_a_float() -> None:
    values = coerce_parameter_values([{"Name": "Rate", "Type": "Float", "DefaultValue": 1}])

    assert values == {"Rate": 1.0}
    assert isinstance(values["Rate"], float)


def test_fails_malformed_declared_entries_are_problems() -> None:
    with pytest.raises(PipelineValidationError) as caught:
        coerce_parameter_values([{"Type": "String"}, "Env"], {})  # type: ignore[list-item]

    assert problems(caught) == [
        (
            None,
            "Parameters[0]",
            "expected a Parameter or an object with Name and Type, got {'Type': 'String'}",
            None,
        ),
        (
            None,
            "Parameters[1]",
            "expected a Parameter or an object with Name and Type, got 'Env'",
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("entries", "field", "message"),
    [
        ({"Name": "P", "Type": "String"}, "Parameters", "expected a list, got dict"),
        (
            [{"Name": f"P{index}", "Type": "String"} for index in range(201)],
            "Parameters",
            "has 201 parameters, more than 200",
        ),
        (["P"], "Parameters[0]", "expected an object with Name and Type"),
        (
            [{"Name": "P", "Type": "String", "Default": "x"}],
            "Parameters[0].Default",
            "unknown member of parameter 'P'",
        ),
        (
            [{"Name": "P", "Type": "String", "EnumValues": []}],
            "Parameters[0].EnumValues",
            "parameter 'P': expected a non-empty list of strings",
        ),
        (
            [{"Name": "P", "Type": "Integer", "DefaultValue": -(2**63) - 1}],
            "Parameters[0].DefaultValue",
            "parameter 'P' default -9223372036854775809 is not a 64-bit integer",
        ),
    ],
    ids=[
        "not-a-list",
        "201-parameters",
        "not-an-object",
        "unknown-member",
        "empty-enum",
        "integer-beyond-64-bits",
    ],
)
def test_fails_malformed_parameter_declarations(entries: Any, field: str, message: str) -> None:
    [problem] = parameter_problems(entries)

    assert (problem.step, problem.field, problem.message) == (None, field, message)


@pytest.mark.parametrize("default", [float("nan"), 10**400], ids=["nan", "huge"])
def test_fails_float_default_that_is_not_a_finite_double(default: float) -> None:
    entries = [{"Name": "Threshold", "Type": "Float", "DefaultValue": default}]

    [problem] = parameter_problems(entries)

    assert problem.field == "Parameters[0].DefaultValue"
    assert "is not a finite 64-bit number" in problem.message
    assert len(problem.message) <= 120


# -- which part of an S3 location a parameter fills (permissions.plan_permissions) ------------


def test_the_plan_knows_which_part_of_a_location_each_parameter_fills() -> None:
    from cdk_sagemaker_pipelines.definition.permissions import ParameterUse, plan_permissions

    def get(name: str) -> dict[str, str]:
        return {"Get": f"Parameters.{name}"}

    def join(on: str, *values: Any) -> dict[str, Any]:
        return {"Std:Join": {"On": on, "Values": list(values)}}

    inputs = [
        get("Uri"),
        join("", "s3://", "data", "/", get("Key")),
        join("/", "s3://data", get("Prefix")),
        join("", "s3://", get("Bucket"), "/", get("BucketKey")),
        join("", join("/", get("Base"), "train"), "/", get("Tail")),
        join(
            "",
            {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri"},
            "/",
            get("After"),
        ),
    ]
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Prep",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingInputs": [
                        {"InputName": f"in{index}", "S3Input": {"S3Uri": uri}}
                        for index, uri in enumerate(inputs)
                    ]
                },
            }
        ],
    }

    uses = plan_permissions(definition).parameter_uses

    field = "Arguments.ProcessingInputs[{}].S3Input.S3Uri"
    assert uses == [
        ParameterUse("Uri", "Prep", field.format(0), "uri"),
        ParameterUse("Key", "Prep", field.format(1), "key", "data"),
        ParameterUse("Prefix", "Prep", field.format(2), "key", "data"),
        ParameterUse("Bucket", "Prep", field.format(3), "bucket"),
        ParameterUse("BucketKey", "Prep", field.format(3), "key", "Parameters.Bucket"),
        ParameterUse("Base", "Prep", field.format(4), "uri"),
        ParameterUse("Tail", "Prep", field.format(4), "part"),
        ParameterUse("After", "Prep", field.format(5), "part"),
    ]


WHERE = "step 'Prep' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri'"


@pytest.mark.parametrize(
    ("part", "bucket", "pattern", "outcome", "hint"),
    [
        ("uri", None, "s3://data/incoming/*", None, None),
        ("key", "data", "incoming/*", None, None),
        ("bucket", None, "data/incoming/*", None, None),
        ("part", None, "incoming/*", None, None),
        (
            "uri",
            None,
            "incoming/*",
            "uses P as a whole S3 location, so its patterns must be URIs",
            "write the URIs it may take, e.g. 's3://<bucket>/incoming/*'",
        ),
        (
            "uri",
            None,
            "s3:///incoming/*",
            "uses P as a whole S3 location, so its patterns must be URIs",
            "name the bucket: s3://<bucket>/<key pattern>",
        ),
        (
            "key",
            "data",
            "s3://other/incoming/*",
            "the step role would be granted 'data/s3://other/incoming/*', which no request matches",
            "give only the key it fills, e.g. 'incoming/*'; the definition sets the bucket: "
            "'data', not 'other'",
        ),
        (
            "key",
            "data",
            "s3://data/incoming/*",
            "the step role would be granted 'data/s3://data/incoming/*', which no request matches",
            "give only the key it fills, e.g. 'incoming/*'",
        ),
        (
            "key",
            "${Token[Bucket.Name.1]}",
            "s3://data/incoming/*",
            "the step role would be granted '<bucket>/s3://data/incoming/*', which no request "
            "matches",
            "give only the key it fills, e.g. 'incoming/*'; the definition sets the bucket",
        ),
        (
            "key",
            "Parameters.Bucket",
            "s3://data/incoming/*",
            "the step role would be granted '<bucket>/s3://data/incoming/*', which no request "
            "matches",
            "give only the key it fills, e.g. 'incoming/*'",
        ),
        (
            "bucket",
            None,
            "s3://data",
            "the location would be 's3://s3://data', which names no bucket",
            "give only what follows 's3://', e.g. 'data'",
        ),
        (
            "part",
            None,
            "s3://data/incoming/*",
            "the location would hold 's3://' twice",
            "give only the part it fills",
        ),
    ],
    ids=[
        "uri-fits",
        "key-fits",
        "bucket-fits",
        "part-fits",
        "uri-without-scheme",
        "uri-without-bucket",
        "key-as-uri-of-another-bucket",
        "key-as-uri-of-its-bucket",
        "key-as-uri-under-a-token-bucket",
        "key-as-uri-under-a-parameter-bucket",
        "bucket-as-uri",
        "part-as-uri",
    ],
)
def test_parameter_locations_must_fit_the_part_of_the_location_the_parameter_fills(
    part: str, bucket: str | None, pattern: str, outcome: str | None, hint: str | None
) -> None:
    from cdk_sagemaker_pipelines.definition.permissions import (
        ParameterUse,
        PermissionPlan,
        parameter_location_problems,
    )

    plan = PermissionPlan()
    plan.parameter_uses.append(
        ParameterUse("P", "Prep", "Arguments.ProcessingInputs[0].S3Input.S3Uri", part, bucket)
    )

    problems = parameter_location_problems(plan, {"P": [pattern]})

    if outcome is None:
        assert problems == []
        return
    [problem] = problems
    assert (problem.step, problem.field, problem.hint) == (None, "parameter_locations", hint)
    assert problem.message.startswith(f"'P': {pattern!r} is ")
    assert WHERE in problem.message
    assert problem.message.endswith(outcome)


def test_parameter_locations_are_reported_once_per_way_the_parameter_is_used() -> None:
    from cdk_sagemaker_pipelines.definition.permissions import (
        ParameterUse,
        PermissionPlan,
        parameter_location_problems,
    )

    field = "Arguments.ProcessingInputs[{}].S3Input.S3Uri"
    plan = PermissionPlan()
    plan.parameter_uses += [
        ParameterUse("P", "Prep", field.format(0), "key", "data"),
        ParameterUse("P", "Prep", field.format(1), "key", "other"),  # the same way: not again
        ParameterUse("P", "Prep", field.format(2), "uri"),
        ParameterUse("Q", "Prep", field.format(3), "uri"),
    ]

    problems = parameter_location_problems(plan, {"P": "s3://data/x/*", "Q": "s3://data/y/*"})

    assert [field.format(0) in p.message for p in problems] == [True]
